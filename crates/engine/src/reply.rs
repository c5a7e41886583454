//! The reply type every command returns, shaped after RESP3 so a RESP2 view is a pure downgrade.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// One reply from the engine.
///
/// Handlers build replies in their RESP3 shape (maps, sets, doubles, booleans); a client that
/// speaks RESP2 (every client until `HELLO 3`) receives [`Reply::into_resp2`] of it, exactly as
/// Redis emits `*2n` for a map on a RESP2 connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A simple string: `+OK`.
    Status(Cow<'static, str>),
    /// An error; the text starts with its code (`ERR`, `WRONGTYPE`, …).
    Error(Cow<'static, str>),
    /// A signed 64-bit integer.
    Integer(i64),
    /// A binary-safe bulk string (short ones held inline: see [`Bytes`]).
    Bulk(Bytes),
    /// The null bulk string (`$-1` in RESP2).
    Nil,
    /// The null array (`*-1` in RESP2), e.g. an aborted `EXEC` or a timed-out `BLPOP`.
    NilArray,
    /// An array of replies.
    Array(Vec<Reply>),
    /// RESP3 map; a flat array of key, value, … in RESP2.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 set; an array in RESP2.
    Set(Vec<Reply>),
    /// RESP3 double; a bulk string formatted with `%.17g` in RESP2.
    Double(f64),
    /// A double Redis writes as `addReplyHumanLongDouble` does (`%.17Lf`, trailing zeros
    /// removed; geo coordinates): that text after `,` on RESP3, a bulk string of it on RESP2.
    HumanDouble(f64),
    /// RESP3 boolean; the integer 1 or 0 in RESP2.
    Bool(bool),
    /// RESP3 verbatim string with its three-letter format (`txt`); a bulk string in RESP2.
    Verbatim(&'static str, Vec<u8>),
    /// RESP3 push (pub/sub messages, invalidations); an array in RESP2.
    Push(Vec<Reply>),
}

impl Reply {
    /// The `+OK` reply.
    pub const fn ok() -> Self {
        Reply::Status(Cow::Borrowed("OK"))
    }

    /// A status reply from a static string.
    pub const fn status(s: &'static str) -> Self {
        Reply::Status(Cow::Borrowed(s))
    }

    /// An error reply from a static string.
    pub const fn error(s: &'static str) -> Self {
        Reply::Error(Cow::Borrowed(s))
    }

    /// A bulk reply copied from bytes (without a heap allocation when they are short).
    #[inline]
    pub fn bulk(bytes: &[u8]) -> Self {
        Reply::Bulk(Bytes::from_slice(bytes))
    }

    /// A bulk reply holding the decimal form of an integer.
    pub fn bulk_int(n: i64) -> Self {
        Reply::Bulk(Bytes::from_i64(n))
    }

    /// An array of bulk strings.
    pub fn bulks<I, B>(items: I) -> Self
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        Reply::Array(items.into_iter().map(|b| Reply::bulk(b.as_ref())).collect())
    }

    /// Whether this is an error reply.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The same reply as a RESP2 client receives it.
    #[must_use]
    pub fn into_resp2(mut self) -> Reply {
        self.make_resp2();
        self
    }

    /// Turns this reply into what a RESP2 client receives, in place: plain replies and arrays
    /// of plain replies (the usual case) are only looked at, nothing is moved or allocated.
    #[inline]
    pub fn make_resp2(&mut self) {
        match self {
            Reply::Array(items) => {
                for item in items.iter_mut().filter(|item| !item.is_plain()) {
                    item.convert_to_resp2();
                }
            }
            reply if reply.is_plain() => {}
            reply => reply.convert_to_resp2(),
        }
    }

    /// A reply RESP2 receives as it is, with nothing inside to convert.
    #[inline]
    fn is_plain(&self) -> bool {
        matches!(
            self,
            Reply::Status(_)
                | Reply::Error(_)
                | Reply::Integer(_)
                | Reply::Bulk(_)
                | Reply::Nil
                | Reply::NilArray
        )
    }

    /// The work of [`Reply::make_resp2`] for a reply that is not plain.
    #[inline(never)]
    fn convert_to_resp2(&mut self) {
        match self {
            Reply::Array(items) => items.iter_mut().for_each(Reply::make_resp2),
            Reply::Set(items) | Reply::Push(items) => {
                let mut items = std::mem::take(items);
                items.iter_mut().for_each(Reply::make_resp2);
                *self = Reply::Array(items);
            }
            Reply::Map(pairs) => {
                let mut flat = Vec::with_capacity(pairs.len() * 2);
                for (mut k, mut v) in std::mem::take(pairs) {
                    k.make_resp2();
                    v.make_resp2();
                    flat.push(k);
                    flat.push(v);
                }
                *self = Reply::Array(flat);
            }
            Reply::Double(d) => *self = Reply::Bulk(Bytes::from_double(*d)),
            Reply::HumanDouble(d) => {
                *self = Reply::Bulk(crate::geohash::format_coordinate(*d).into());
            }
            Reply::Bool(b) => *self = Reply::Integer(i64::from(*b)),
            Reply::Verbatim(_, bytes) => *self = Reply::Bulk(std::mem::take(bytes).into()),
            Reply::Status(_)
            | Reply::Error(_)
            | Reply::Integer(_)
            | Reply::Bulk(_)
            | Reply::Nil
            | Reply::NilArray => {}
        }
    }
}

impl From<i64> for Reply {
    fn from(n: i64) -> Self {
        Reply::Integer(n)
    }
}

impl From<Vec<u8>> for Reply {
    fn from(bytes: Vec<u8>) -> Self {
        Reply::Bulk(bytes.into())
    }
}

impl From<Option<Vec<u8>>> for Reply {
    fn from(bytes: Option<Vec<u8>>) -> Self {
        bytes.map_or(Reply::Nil, Reply::from)
    }
}

/// How many bytes a [`Bytes`] holds without a heap allocation: as many as fit beside its
/// length in the space of a `Vec<u8>` and the enum's tag, so that neither `Bytes` nor
/// [`Reply`] grows (`Reply` stays 40 bytes natively and 24 in wasm32).
const INLINE: usize = 22;

/// The bytes of a bulk reply: a short string (at most 22 bytes, most elements of LRANGE,
/// ZRANGE, HGETALL… replies) is held inline, so building and dropping it allocates nothing;
/// a longer one (or one built as a `Vec<u8>`, whose buffer is kept as it is) is a `Vec<u8>`.
///
/// It reads as a `[u8]` (`Deref`), and equality, hashing, ordering and `Debug` are those of
/// its bytes, wherever they are held (`Debug` prints as a `Vec<u8>` does).
#[derive(Clone)]
pub struct Bytes(Repr);

#[derive(Clone)]
enum Repr {
    /// `len` <= [`INLINE`]; the bytes past `len` are zeros.
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Heap(Vec<u8>),
}

impl Bytes {
    /// No bytes.
    pub const fn new() -> Self {
        Bytes(Repr::Inline {
            len: 0,
            bytes: [0; INLINE],
        })
    }

    /// A copy of `bytes`, inline when it is short.
    #[inline]
    pub fn from_slice(bytes: &[u8]) -> Self {
        let mut inline = [0; INLINE];
        match inline.get_mut(..bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                // bytes.len() <= INLINE < 256 here.
                Bytes(Repr::Inline {
                    len: bytes.len() as u8,
                    bytes: inline,
                })
            }
            None => Bytes(Repr::Heap(bytes.to_vec())),
        }
    }

    /// The decimal form of an integer (at most 20 bytes: always inline).
    pub fn from_i64(n: i64) -> Self {
        let mut buf = [0; 20];
        Bytes::from_slice(crate::num::format_i64_into(n, &mut buf))
    }

    /// A double as `%.17g` prints it ([`crate::num::format_double`]): a whole number (most
    /// scores) is written inline, without the text of a `String`.
    pub fn from_double(d: f64) -> Self {
        // %.17g prints a whole number below 2^53 (at most 16 digits) as its digits, as
        // `format_g` does, and negative zero as "-0" (left to it). Below 2^53 the cast is exact.
        if d.fract() == 0.0
            && d.abs() < 9_007_199_254_740_992.0
            && !(d == 0.0 && d.is_sign_negative())
        {
            Bytes::from_i64(d as i64)
        } else {
            Bytes::from(crate::num::format_double(d))
        }
    }

    /// The bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            // len <= INLINE by construction; an empty slice otherwise (never).
            Repr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Heap(v) => v,
        }
    }

    /// How many bytes are held inline (at most).
    pub const INLINE: usize = INLINE;

    /// When the bytes are held inline: the whole inline buffer (the bytes, then zeros up to
    /// [`Bytes::INLINE`]) and how many of it are the bytes. A writer can copy this fixed size
    /// and cut the excess, cheaper for short strings than a copy of a variable length (a call
    /// of `memcpy`, or `memory.copy` in wasm).
    #[inline]
    pub fn inline_padded(&self) -> Option<(&[u8; INLINE], usize)> {
        match &self.0 {
            Repr::Inline { len, bytes } => Some((bytes, usize::from(*len))),
            Repr::Heap(_) => None,
        }
    }

    /// `v` as a stored element keeps it: up to [`Bytes::INLINE`] bytes inline (the vector
    /// freed), longer ones in the vector as it is. (`From<Vec<u8>>` keeps any vector, for a
    /// reply that is dropped soon after.)
    pub fn from_vec_compact(v: Vec<u8>) -> Self {
        if v.len() <= INLINE {
            Bytes::from_slice(&v)
        } else {
            Bytes(Repr::Heap(v))
        }
    }

    /// The bytes as a vector (no copy when they are already on the heap).
    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            Repr::Inline { .. } => self.as_slice().to_vec(),
            Repr::Heap(v) => v,
        }
    }
}

impl Default for Bytes {
    fn default() -> Self {
        Bytes::new()
    }
}

impl Deref for Bytes {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Borrow<[u8]> for Bytes {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl PartialEq for Bytes {
    fn eq(&self, other: &Bytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Bytes {}

impl PartialOrd for Bytes {
    fn partial_cmp(&self, other: &Bytes) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bytes {
    fn cmp(&self, other: &Bytes) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl Hash for Bytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl PartialEq<[u8]> for Bytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for Bytes {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl PartialEq<Vec<u8>> for Bytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Bytes {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_slice() == other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Bytes {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_slice() == *other
    }
}

impl From<Vec<u8>> for Bytes {
    #[inline]
    fn from(v: Vec<u8>) -> Self {
        Bytes(Repr::Heap(v))
    }
}

impl From<String> for Bytes {
    fn from(s: String) -> Self {
        Bytes(Repr::Heap(s.into_bytes()))
    }
}

impl From<&[u8]> for Bytes {
    fn from(b: &[u8]) -> Self {
        Bytes::from_slice(b)
    }
}

impl<const N: usize> From<&[u8; N]> for Bytes {
    fn from(b: &[u8; N]) -> Self {
        Bytes::from_slice(b)
    }
}

impl From<&str> for Bytes {
    fn from(s: &str) -> Self {
        Bytes::from_slice(s.as_bytes())
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(b: Bytes) -> Self {
        b.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_bytes_are_inline_and_equal_to_heap_ones() {
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 100] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let small = Bytes::from_slice(&data);
            assert_eq!(matches!(small.0, Repr::Inline { .. }), len <= INLINE);
            let heap = Bytes::from(data.clone());
            assert!(matches!(heap.0, Repr::Heap(_)));
            assert_eq!(small, heap);
            assert_eq!(small, data);
            assert_eq!(&*small, &data[..]);
            assert_eq!(format!("{small:?}"), format!("{data:?}"));
            assert_eq!(format!("{heap:?}"), format!("{data:?}"));
            assert_eq!(small.clone().into_vec(), data);
            assert_eq!(heap.into_vec(), data);
        }
        assert_eq!(Bytes::new(), Bytes::from(Vec::new()));
        assert_ne!(Bytes::from_slice(b"a"), Bytes::from_slice(b"a\0"));
        assert_eq!(
            format!("{:?}", Reply::bulk(b"hi")),
            format!("{:?}", b"hi".to_vec())
                .replace('[', "Bulk([")
                .replace(']', "])")
        );
    }

    #[test]
    fn sizes_stay_as_before() {
        // What arrays of replies cost: as with a Vec<u8> payload.
        let expected = if cfg!(target_pointer_width = "64") {
            40
        } else {
            24
        };
        assert_eq!(std::mem::size_of::<Reply>(), expected);
    }

    #[test]
    fn integers_and_doubles_print_as_num_does() {
        for n in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            12345,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            assert_eq!(Bytes::from_i64(n), crate::num::format_i64(n).into_bytes());
            assert_eq!(crate::num::format_i64(n), n.to_string());
        }
        for d in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -2.5,
            1e15,
            1e16,
            1e17,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            -9_007_199_254_740_993.0,
            1e300,
            0.1,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(
                Bytes::from_double(d),
                crate::num::format_double(d).into_bytes(),
                "{d}"
            );
        }
    }
}
