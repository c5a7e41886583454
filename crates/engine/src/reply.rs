//! The reply type every command returns, shaped after RESP3 so a RESP2 view is a pure downgrade.

use std::borrow::Cow;

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
    /// A binary-safe bulk string.
    Bulk(Vec<u8>),
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

    /// A bulk reply copied from bytes.
    pub fn bulk(bytes: &[u8]) -> Self {
        Reply::Bulk(bytes.to_vec())
    }

    /// A bulk reply holding the decimal form of an integer.
    pub fn bulk_int(n: i64) -> Self {
        Reply::Bulk(crate::num::format_i64(n).into_bytes())
    }

    /// An array of bulk strings.
    pub fn bulks<I, B>(items: I) -> Self
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        Reply::Array(
            items
                .into_iter()
                .map(|b| Reply::Bulk(b.as_ref().to_vec()))
                .collect(),
        )
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
            Reply::Double(d) => *self = Reply::Bulk(crate::num::format_double(*d).into_bytes()),
            Reply::HumanDouble(d) => {
                *self = Reply::Bulk(crate::geohash::format_coordinate(*d).into_bytes());
            }
            Reply::Bool(b) => *self = Reply::Integer(i64::from(*b)),
            Reply::Verbatim(_, bytes) => *self = Reply::Bulk(std::mem::take(bytes)),
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
        Reply::Bulk(bytes)
    }
}

impl From<Option<Vec<u8>>> for Reply {
    fn from(bytes: Option<Vec<u8>>) -> Self {
        bytes.map_or(Reply::Nil, Reply::Bulk)
    }
}
