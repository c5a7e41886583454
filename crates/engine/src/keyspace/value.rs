//! Typed values and their encodings, as `TYPE` and `OBJECT ENCODING` report them.

use crate::keyspace::bytes::StrBytes;
use crate::keyspace::hash::Hash;
use crate::keyspace::list::List;
use crate::keyspace::sds::Sds;
use crate::keyspace::set::SetValue;
use crate::keyspace::stream::Stream;
use crate::keyspace::zset::ZSet;
use crate::num::parse_i64;

/// The value stored under a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A binary-safe string.
    String(StrValue),
    /// A list of binary strings.
    List(List),
    /// A set of distinct binary-safe members.
    Set(SetValue),
    /// A hash of fields to values.
    Hash(Hash),
    /// A stream (`OBJECT ENCODING` says `stream`).
    Stream(Box<Stream>),
    /// A sorted set.
    ZSet(ZSet),
}

impl Value {
    /// A string value encoded as Redis's `tryObjectEncoding` would encode it.
    pub fn string(bytes: Vec<u8>) -> Self {
        Value::String(StrValue::new(bytes))
    }

    /// [`Value::string`] of a copy of `bytes` (no allocation for a short string).
    pub fn string_from(bytes: &[u8]) -> Self {
        Value::String(StrValue::from_slice(bytes))
    }

    /// The name `TYPE` answers.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Hash(_) => "hash",
            Value::Stream(_) => "stream",
            Value::ZSet(_) => "zset",
        }
    }

    /// The name `OBJECT ENCODING` answers.
    pub fn encoding_name(&self) -> &'static str {
        match self {
            Value::String(s) => s.encoding.name(),
            Value::List(_) => List::ENCODING,
            Value::Set(s) => s.encoding_name(),
            Value::Hash(h) => h.encoding_name(),
            Value::Stream(_) => "stream",
            Value::ZSet(z) => z.encoding_name(),
        }
    }
}

/// A Rust type that is one variant of [`Value`], so handlers can ask for a key "as a hash" and
/// get `WRONGTYPE` otherwise (see `Ctx::lookup_typed`). Each value type implements it.
pub trait TypedValue {
    /// The value as this type, if it is one.
    fn of(value: &mut Value) -> Option<&mut Self>;
}

/// Implements [`TypedValue`] for the type held by one variant of [`Value`].
macro_rules! typed_value {
    ($ty:ty, $variant:ident) => {
        impl TypedValue for $ty {
            fn of(value: &mut Value) -> Option<&mut Self> {
                if let Value::$variant(v) = value {
                    Some(v)
                } else {
                    None
                }
            }
        }
    };
}

typed_value!(StrValue, String);
typed_value!(List, List);
typed_value!(SetValue, Set);
typed_value!(Hash, Hash);
typed_value!(Stream, Stream);
typed_value!(ZSet, ZSet);

/// How Redis holds a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrEncoding {
    /// A 64-bit integer (`OBJECT ENCODING` says `int`).
    Int,
    /// A short string allocated with its header (`embstr`, up to 44 bytes).
    Embstr,
    /// A separately allocated string (`raw`); also what any in-place change produces.
    Raw,
}

impl StrEncoding {
    /// The name `OBJECT ENCODING` answers.
    pub fn name(self) -> &'static str {
        match self {
            StrEncoding::Int => "int",
            StrEncoding::Embstr => "embstr",
            StrEncoding::Raw => "raw",
        }
    }
}

/// Redis's `OBJ_ENCODING_EMBSTR_SIZE_LIMIT`.
pub const EMBSTR_SIZE_LIMIT: usize = 44;

/// A string value and its encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrValue {
    /// The bytes (short ones in place, see [`StrBytes`]).
    pub bytes: StrBytes,
    /// The encoding Redis would report.
    pub encoding: StrEncoding,
    /// For a `raw` value, the room its sds string has (what `MEMORY USAGE` counts).
    pub sds: Sds,
    /// The transaction whose queued command's argument this value is (see [`HeldBy`]).
    pub held_by: HeldBy,
}

/// A string stored from a command's argument is that argument's very object in Redis, and a
/// command queued in `MULTI` keeps its arguments until `EXEC` is done: meanwhile `OBJECT
/// REFCOUNT` counts that reference too. This is the serial of that `EXEC` (`Blocking::exec`,
/// never 0), or 0. Values equal whatever it holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeldBy(pub u32);

impl PartialEq for HeldBy {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for HeldBy {}

impl StrValue {
    /// As `tryObjectEncoding`: an integer of at most 20 characters becomes `int`, a string of at
    /// most 44 bytes `embstr`, anything longer `raw`.
    pub fn new(bytes: Vec<u8>) -> Self {
        StrValue {
            encoding: Self::encoding_of(&bytes),
            bytes: StrBytes::from_vec(bytes),
            sds: Sds::default(),
            held_by: HeldBy::default(),
        }
    }

    /// [`StrValue::new`] of an integer's decimal form (`int`), without a heap allocation nor
    /// reading the digits back: what INCR and DECR store.
    pub fn from_i64(n: i64) -> Self {
        let mut buf = [0u8; 20];
        StrValue {
            encoding: StrEncoding::Int,
            bytes: StrBytes::from_slice(crate::num::format_i64_into(n, &mut buf)),
            sds: Sds::default(),
            held_by: HeldBy::default(),
        }
    }

    /// [`StrValue::new`] of a copy of `bytes`.
    pub fn from_slice(bytes: &[u8]) -> Self {
        StrValue {
            encoding: Self::encoding_of(bytes),
            bytes: StrBytes::from_slice(bytes),
            sds: Sds::default(),
            held_by: HeldBy::default(),
        }
    }

    fn encoding_of(bytes: &[u8]) -> StrEncoding {
        if bytes.len() <= 20 && parse_i64(bytes).is_some() {
            StrEncoding::Int
        } else {
            Self::plain_encoding(bytes.len())
        }
    }

    /// As `createStringObject` (no integer detection, no trimming): `embstr` up to 44 bytes,
    /// else `raw`.
    pub fn plain(bytes: Vec<u8>) -> Self {
        let encoding = Self::plain_encoding(bytes.len());
        StrValue {
            sds: Sds::fresh(bytes.len()),
            bytes: StrBytes::from_vec(bytes),
            encoding,
            held_by: HeldBy::default(),
        }
    }

    /// A `raw` string a command built (`sdsnewlen`): SETRANGE, SETBIT or BITFIELD on a missing
    /// key, BITOP's result.
    pub fn raw(bytes: Vec<u8>) -> Self {
        StrValue {
            sds: Sds::fresh(bytes.len()),
            bytes: StrBytes::from_vec(bytes),
            encoding: StrEncoding::Raw,
            held_by: HeldBy::default(),
        }
    }

    /// Prepares an in-place change that leaves the string `new_len` bytes long (or as long as
    /// it is, if longer), as Redis does before APPEND, SETRANGE, SETBIT and BITFIELD write: a
    /// value that is not `raw` becomes a fresh `raw` copy (`dbUnshareStringValue`), whose room
    /// then grows if the new length needs more (`sdsMakeRoomFor`, greedy).
    pub fn prepare_in_place(&mut self, new_len: usize) {
        let len = self.bytes.len();
        if self.encoding != StrEncoding::Raw {
            self.encoding = StrEncoding::Raw;
            self.sds = Sds::fresh(len);
        }
        self.sds.grow_to(len, new_len);
    }

    /// A copy as Redis's `dupStringObject` makes it (COPY): a `raw` one is a fresh `sdsnewlen`.
    #[must_use]
    pub fn duplicate(&self) -> Self {
        let mut copy = self.clone();
        copy.held_by = HeldBy::default();
        if copy.encoding == StrEncoding::Raw {
            copy.sds = Sds::fresh(copy.bytes.len());
        }
        copy
    }

    fn plain_encoding(len: usize) -> StrEncoding {
        if len <= EMBSTR_SIZE_LIMIT {
            StrEncoding::Embstr
        } else {
            StrEncoding::Raw
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_try_object_encoding() {
        assert_eq!(StrValue::new(b"123".to_vec()).encoding, StrEncoding::Int);
        assert_eq!(
            StrValue::new(b"-9223372036854775808".to_vec()).encoding,
            StrEncoding::Int
        );
        assert_eq!(
            StrValue::new(b"0123".to_vec()).encoding,
            StrEncoding::Embstr
        );
        assert_eq!(StrValue::new(vec![b'a'; 44]).encoding, StrEncoding::Embstr);
        assert_eq!(StrValue::new(vec![b'a'; 45]).encoding, StrEncoding::Raw);
        assert_eq!(StrValue::plain(b"3".to_vec()).encoding, StrEncoding::Embstr);
        for n in [0, 7, -1, 10_000, i64::MAX, i64::MIN] {
            assert_eq!(
                StrValue::from_i64(n),
                StrValue::new(crate::num::format_i64(n).into_bytes())
            );
        }
        assert_eq!(StrValue::raw(b"3".to_vec()).encoding, StrEncoding::Raw);
    }
}
