//! RESP2/RESP3 wire format: parsing replies and requests, encoding replies.

use std::fmt;

use crate::reply::Reply;

/// The bytes are not valid RESP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespError(pub String);

impl fmt::Display for RespError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Protocol error: {}", self.0)
    }
}

impl std::error::Error for RespError {}

/// Deepest nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// Parses one reply from the start of `buf`. `Ok(None)` means more bytes are needed; otherwise
/// the reply and the number of bytes it took.
pub fn parse(buf: &[u8]) -> Result<Option<(Reply, usize)>, RespError> {
    parse_at(buf, 0, 0)
}

fn line(buf: &[u8], start: usize) -> Option<(&[u8], usize)> {
    let rest = buf.get(start..)?;
    let n = rest.windows(2).position(|w| w == b"\r\n")?;
    Some((&rest[..n], start + n + 2))
}

fn int(text: &[u8]) -> Result<i64, RespError> {
    crate::num::parse_i64(text).ok_or_else(|| {
        RespError(format!(
            "invalid integer {:?}",
            String::from_utf8_lossy(text)
        ))
    })
}

fn utf8(text: &[u8]) -> String {
    String::from_utf8_lossy(text).into_owned()
}

fn parse_at(buf: &[u8], start: usize, depth: usize) -> Result<Option<(Reply, usize)>, RespError> {
    if depth > MAX_DEPTH {
        return Err(RespError("too deeply nested".into()));
    }
    let Some(&kind) = buf.get(start) else {
        return Ok(None);
    };
    let Some((text, end)) = line(buf, start + 1) else {
        return Ok(None);
    };
    let reply = match kind {
        b'+' => Reply::Status(utf8(text).into()),
        b'-' => Reply::Error(utf8(text).into()),
        b':' => Reply::Integer(int(text)?),
        b',' => {
            let value = match text {
                b"inf" => f64::INFINITY,
                b"-inf" => f64::NEG_INFINITY,
                _ => utf8(text)
                    .parse()
                    .map_err(|_| RespError("invalid double".into()))?,
            };
            // Keep how the server wrote it: `%.17g`, or the 17-decimal text of geo coordinates.
            if text != crate::num::format_double(value).as_bytes()
                && text == crate::geohash::format_coordinate(value).as_bytes()
            {
                Reply::HumanDouble(value)
            } else {
                Reply::Double(value)
            }
        }
        b'#' => Reply::Bool(text == b"t"),
        b'_' => Reply::Nil,
        b'$' | b'=' | b'!' => {
            let n = int(text)?;
            if n < 0 {
                return Ok(Some((Reply::Nil, end)));
            }
            let n = usize::try_from(n).map_err(|_| RespError("invalid length".into()))?;
            let Some(data) = buf.get(end..end.saturating_add(n)) else {
                return Ok(None);
            };
            if buf.len() < end + n + 2 {
                return Ok(None);
            }
            if &buf[end + n..end + n + 2] != b"\r\n" {
                return Err(RespError("bulk not terminated by CRLF".into()));
            }
            let reply = match kind {
                b'$' => Reply::bulk(data),
                b'!' => Reply::Error(utf8(data).into()),
                _ => Reply::Verbatim("txt", data.get(4..).unwrap_or_default().to_vec()),
            };
            return Ok(Some((reply, end + n + 2)));
        }
        b'*' | b'~' | b'>' | b'%' => {
            let n = int(text)?;
            if n < 0 {
                return Ok(Some((Reply::NilArray, end)));
            }
            let count = usize::try_from(n).map_err(|_| RespError("invalid length".into()))?;
            let count = if kind == b'%' {
                count.saturating_mul(2)
            } else {
                count
            };
            let mut items = Vec::with_capacity(count.min(1024));
            let mut at = end;
            for _ in 0..count {
                let Some((item, next)) = parse_at(buf, at, depth + 1)? else {
                    return Ok(None);
                };
                items.push(item);
                at = next;
            }
            let reply = match kind {
                b'*' => Reply::Array(items),
                b'~' => Reply::Set(items),
                b'>' => Reply::Push(items),
                _ => {
                    let mut pairs = Vec::with_capacity(items.len() / 2);
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        pairs.push((k, v));
                    }
                    Reply::Map(pairs)
                }
            };
            return Ok(Some((reply, at)));
        }
        other => return Err(RespError(format!("unexpected type byte {other:#04x}"))),
    };
    Ok(Some((reply, end)))
}

/// Appends the wire encoding of a reply. RESP3-only shapes are written as RESP3; give a RESP2
/// client [`Reply::into_resp2`] of the reply.
pub fn encode(reply: &Reply, out: &mut Vec<u8>) {
    fn header(out: &mut Vec<u8>, kind: u8, n: usize) {
        out.push(kind);
        out.extend_from_slice(n.to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    match reply {
        Reply::Status(s) => {
            out.push(b'+');
            out.extend_from_slice(s.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Reply::Error(e) => {
            out.push(b'-');
            out.extend_from_slice(e.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Reply::Integer(n) => {
            out.push(b':');
            out.extend_from_slice(n.to_string().as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Reply::Bulk(b) => {
            header(out, b'$', b.len());
            out.extend_from_slice(b);
            out.extend_from_slice(b"\r\n");
        }
        Reply::Verbatim(format, b) => {
            header(out, b'=', b.len() + 4);
            out.extend_from_slice(format.as_bytes());
            out.push(b':');
            out.extend_from_slice(b);
            out.extend_from_slice(b"\r\n");
        }
        Reply::Nil => out.extend_from_slice(b"$-1\r\n"),
        Reply::NilArray => out.extend_from_slice(b"*-1\r\n"),
        Reply::Double(d) => {
            out.push(b',');
            out.extend_from_slice(crate::num::format_double(*d).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Reply::HumanDouble(d) => {
            out.push(b',');
            out.extend_from_slice(crate::geohash::format_coordinate(*d).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Reply::Bool(b) => out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            let kind = match reply {
                Reply::Set(_) => b'~',
                Reply::Push(_) => b'>',
                _ => b'*',
            };
            header(out, kind, items.len());
            for item in items {
                encode(item, out);
            }
        }
        Reply::Map(pairs) => {
            header(out, b'%', pairs.len());
            for (k, v) in pairs {
                encode(k, out);
                encode(v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_nested_resp3() {
        let reply = Reply::Array(vec![
            Reply::bulk(b"a\r\nb"),
            Reply::Integer(-7),
            Reply::Map(vec![(
                Reply::status("k"),
                Reply::Set(vec![Reply::Bool(true), Reply::Nil]),
            )]),
            Reply::Double(0.5),
            Reply::error("ERR x"),
        ]);
        let mut bytes = Vec::new();
        encode(&reply, &mut bytes);
        assert_eq!(parse(&bytes), Ok(Some((reply, bytes.len()))));
        for cut in 0..bytes.len() {
            assert_eq!(parse(&bytes[..cut]), Ok(None), "prefix of {cut} bytes");
        }
    }

    #[test]
    fn rejects_garbage_and_deep_nesting() {
        assert!(parse(b"?x\r\n").is_err());
        assert!(parse(b"$3\r\nabcd\r\n").is_err());
        let deep = "*1\r\n".repeat(100) + ":1\r\n";
        assert!(parse(deep.as_bytes()).is_err());
    }
}
