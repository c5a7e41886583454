//! Replies printed exactly as `redis-cli --no-raw` prints them (its `cliFormatReplyTTY`).

use std::fmt::Write as _;

use crate::num::format_double;
use crate::reply::Reply;

/// Formats one reply as redis-cli does on a terminal, including the final newline.
pub fn format_reply(reply: &Reply) -> String {
    let mut out = String::new();
    write_reply(&mut out, reply, "");
    out
}

/// Appends `bytes` quoted as redis-cli's `sdscatrepr` does: printable ASCII as is, `\\` and `"`
/// escaped, the usual control escapes, and `\xhh` for everything else.
pub fn quote_bytes(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\x");
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xf)] as char);
            }
        }
    }
    out.push('"');
}

fn write_reply(out: &mut String, reply: &Reply, prefix: &str) {
    match reply {
        Reply::Error(e) => {
            out.push_str("(error) ");
            out.push_str(e);
            out.push('\n');
        }
        Reply::Status(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Reply::Integer(n) => {
            out.push_str("(integer) ");
            out.push_str(&n.to_string());
            out.push('\n');
        }
        Reply::Double(d) => {
            out.push_str("(double) ");
            out.push_str(&format_double(*d));
            out.push('\n');
        }
        Reply::HumanDouble(d) => {
            out.push_str("(double) ");
            out.push_str(&crate::geohash::format_coordinate(*d));
            out.push('\n');
        }
        Reply::Bulk(bytes) => {
            quote_bytes(out, bytes);
            out.push('\n');
        }
        Reply::Verbatim(_, bytes) => {
            out.push_str(&String::from_utf8_lossy(bytes));
            out.push('\n');
        }
        Reply::Nil | Reply::NilArray => out.push_str("(nil)\n"),
        Reply::Bool(b) => out.push_str(if *b { "(true)\n" } else { "(false)\n" }),
        Reply::Array(items) => write_aggregate(
            out,
            items.iter().map(|r| (r, None)),
            items.len(),
            ')',
            "(empty array)\n",
            prefix,
        ),
        Reply::Set(items) => write_aggregate(
            out,
            items.iter().map(|r| (r, None)),
            items.len(),
            '~',
            "(empty set)\n",
            prefix,
        ),
        Reply::Push(items) => write_aggregate(
            out,
            items.iter().map(|r| (r, None)),
            items.len(),
            ')',
            "(empty push)\n",
            prefix,
        ),
        Reply::Map(pairs) => write_aggregate(
            out,
            pairs.iter().map(|(k, v)| (k, Some(v))),
            pairs.len(),
            '#',
            "(empty hash)\n",
            prefix,
        ),
    }
}

/// Numbered entries (`1) …`), nested entries indented by the width of the widest index plus two.
fn write_aggregate<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a Reply, Option<&'a Reply>)>,
    len: usize,
    separator: char,
    empty: &str,
    prefix: &str,
) {
    if len == 0 {
        out.push_str(empty);
        return;
    }
    let width = len.to_string().len();
    let nested_prefix = format!("{prefix}{}", " ".repeat(width + 2));
    for (i, (entry, value)) in entries.enumerate() {
        // The parent already printed this line's indentation before its own index.
        let lead = if i == 0 { "" } else { prefix };
        // Writing into a String cannot fail.
        let _ = write!(out, "{lead}{:>width$}{separator} ", i + 1);
        write_reply(out, entry, &nested_prefix);
        if let Some(value) = value {
            out.pop();
            out.push_str(" => ");
            // redis-cli starts a value of several elements on a line of its own, indented.
            if raw_elements(value) > 1 {
                out.push('\n');
                out.push_str(&nested_prefix);
            }
            write_reply(out, value, &nested_prefix);
        }
    }
}

/// The number of elements of an aggregate as RESP counts them (a map's keys and values), 0 for
/// anything else.
fn raw_elements(reply: &Reply) -> usize {
    match reply {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => items.len(),
        Reply::Map(pairs) => pairs.len() * 2,
        _ => 0,
    }
}

/// Formats a reply as redis-cli's raw mode (`cliFormatReplyRaw`), which redis-cli uses even with
/// `--no-raw` for a few commands (INFO, CLIENT LIST, …): strings as they are, errors with a line
/// break, nil as nothing, aggregate elements separated by line breaks.
pub fn format_reply_raw(reply: &Reply) -> String {
    match reply {
        Reply::Nil | Reply::NilArray => String::new(),
        Reply::Error(e) => format!("{e}\n"),
        Reply::Status(s) => s.to_string(),
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Bool(b) => (if *b { "(true)" } else { "(false)" }).to_string(),
        Reply::Integer(n) => n.to_string(),
        Reply::Double(d) => format_double(*d),
        Reply::HumanDouble(d) => crate::geohash::format_coordinate(*d),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => items
            .iter()
            .map(format_reply_raw)
            .collect::<Vec<_>>()
            .join("\n"),
        Reply::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| format!("{} {}", format_reply_raw(k), format_reply_raw(v)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars() {
        assert_eq!(format_reply(&Reply::ok()), "OK\n");
        assert_eq!(format_reply(&Reply::Integer(-3)), "(integer) -3\n");
        assert_eq!(format_reply(&Reply::Nil), "(nil)\n");
        assert_eq!(
            format_reply(&Reply::bulk(b"a\"\\\x00\xe2 \x07")),
            "\"a\\\"\\\\\\x00\\xe2 \\a\"\n"
        );
        assert_eq!(format_reply(&Reply::error("ERR x")), "(error) ERR x\n");
        assert_eq!(format_reply(&Reply::Array(vec![])), "(empty array)\n");
    }

    #[test]
    fn nested_arrays_are_indented_by_index_width() {
        let inner = Reply::Array(vec![
            Reply::bulk(b"a"),
            Reply::Array(vec![Reply::Integer(1)]),
        ]);
        let mut items = vec![inner];
        items.extend((0..9).map(|_| Reply::Nil));
        let text = format_reply(&Reply::Array(items));
        assert!(
            text.starts_with(" 1) 1) \"a\"\n    2) 1) (integer) 1\n 2) (nil)\n"),
            "{text}"
        );
        assert!(text.ends_with("10) (nil)\n"), "{text}");
    }

    #[test]
    fn maps_use_hash_and_arrow() {
        let map = Reply::Map(vec![(Reply::bulk(b"k"), Reply::Integer(1))]);
        assert_eq!(format_reply(&map), "1# \"k\" => (integer) 1\n");
    }

    #[test]
    fn map_values_of_several_elements_start_on_their_own_line() {
        let one = Reply::Array(vec![Reply::Integer(3)]);
        let two = Reply::Array(vec![Reply::Integer(1), Reply::Integer(2)]);
        let map = Reply::Map(vec![
            (Reply::bulk(b"a"), two.clone()),
            (Reply::bulk(b"b"), one),
            (
                Reply::bulk(b"c"),
                Reply::Map(vec![(Reply::bulk(b"x"), two)]),
            ),
        ]);
        assert_eq!(
            format_reply(&map),
            "1# \"a\" => \n   1) (integer) 1\n   2) (integer) 2\n\
             2# \"b\" => 1) (integer) 3\n\
             3# \"c\" => \n   1# \"x\" => \n      1) (integer) 1\n      2) (integer) 2\n"
        );
    }
}
