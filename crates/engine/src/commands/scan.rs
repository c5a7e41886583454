//! The cursor and options of the SCAN family (`SCAN`, `HSCAN`, and later `SSCAN`, `ZSCAN`) and
//! the iteration loop over a [`Dict`], as Redis's `parseScanCursorOrReply` and
//! `scanGenericCommand`.
//!
//! A caller parses the cursor first ([`parse_cursor`]), looks its key up if it has one, then
//! parses the options ([`ScanOptions::parse`]), collects elements with [`scan_dict`] (or all at
//! once, with cursor 0, for a small encoding), filters them with [`ScanOptions::matches`] and
//! answers with [`reply`]. The guarantee (every element present from the first call to the last
//! is returned at least once) comes from [`Dict::scan`]'s reverse-binary cursor.

use crate::commands::args;
use crate::errors::RedisError;
use crate::glob::glob_match;
use crate::keyspace::Dict;
use crate::num::parse_i64;
use crate::reply::Reply;

/// Parses a cursor as Redis does with `strtoul(…, 10)`: an optional sign then decimal digits
/// (a negative number wraps around, `-1` being the largest cursor; the empty string is 0); the
/// argument ends at its first NUL byte; a leading space, anything after the digits or a value
/// beyond 64 bits is `ERR invalid cursor`.
pub fn parse_cursor(arg: &[u8]) -> Result<u64, RedisError> {
    let invalid = || RedisError::new("ERR invalid cursor");
    let s = args::c_str(arg);
    if s.first().is_some_and(|&b| is_c_space(b)) {
        return Err(invalid());
    }
    if s.is_empty() {
        // strtoul converts nothing and leaves the end pointer on the terminating NUL.
        return Ok(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let value = digits.iter().try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    let value = value.ok_or_else(invalid)?;
    Ok(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// C's `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The options after the cursor: `COUNT`, `MATCH` and (for `SCAN` only) `TYPE`; a repeated
/// option keeps its last value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// How many elements to collect before stopping (at least 1; 10 by default).
    pub count: i64,
    /// The glob pattern elements must match; `None` when absent or a lone `*`.
    pub pattern: Option<Vec<u8>>,
    /// The type name keys must have (compared case-insensitively, up to its first NUL byte).
    pub type_name: Option<Vec<u8>>,
}

impl ScanOptions {
    /// Parses the options (`args` starts after the cursor). `with_type` accepts `TYPE`, which
    /// only `SCAN` has. Errors: `ERR syntax error` for an unknown option, a missing value or a
    /// count below 1; `ERR value is not an integer or out of range` for a count that is not one.
    pub fn parse(args: &[Vec<u8>], with_type: bool) -> Result<Self, RedisError> {
        let mut options = ScanOptions {
            count: 10,
            pattern: None,
            type_name: None,
        };
        let mut rest = args;
        while let Some((option, after)) = rest.split_first() {
            let Some((value, after)) = after.split_first() else {
                return Err(RedisError::syntax());
            };
            if args::is(option, "count") {
                options.count = parse_i64(value).ok_or(RedisError::not_integer())?;
                if options.count < 1 {
                    return Err(RedisError::syntax());
                }
            } else if args::is(option, "match") {
                options.pattern = (value.as_slice() != b"*").then(|| value.clone());
            } else if with_type && args::is(option, "type") {
                options.type_name = Some(args::c_str(value).to_vec());
            } else {
                return Err(RedisError::syntax());
            }
            rest = after;
        }
        Ok(options)
    }

    /// Whether an element passes the `MATCH` pattern.
    pub fn matches(&self, element: &[u8]) -> bool {
        self.pattern
            .as_deref()
            .is_none_or(|p| glob_match(p, element, false))
    }

    /// Whether a type name passes the `TYPE` filter (`"none"` for a key that is gone).
    pub fn type_matches(&self, type_name: &str) -> bool {
        self.type_name
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case(type_name.as_bytes()))
    }
}

/// Walks `dict` from `cursor` as Redis's SCAN loop: bucket after bucket, `emit` turning each
/// element into output items, until the cursor comes back to 0, `count` items are collected,
/// or `count * 10` further buckets were visited (so a sparse table does not block). Answers
/// the next cursor and the items. Callers that emit two items per element (field and value)
/// pass twice the count, as Redis does.
pub fn scan_dict<V: crate::keyspace::dict::Weigh, T>(
    dict: &Dict<V>,
    mut cursor: u64,
    count: i64,
    mut emit: impl FnMut(&[u8], &V, &mut Vec<T>),
) -> (u64, Vec<T>) {
    let mut items = Vec::new();
    // Redis computes `count * 10` in a C long: a huge count wraps, and so does it here.
    let mut budget = count.wrapping_mul(10);
    // And compares the collected length with `(unsigned long)count`: a count that wrapped
    // negative (HSCAN doubles it) wants "everything".
    let wanted = u64::from_ne_bytes(count.to_ne_bytes());
    loop {
        cursor = dict.scan(cursor, |_, key, value| emit(key, value, &mut items));
        if cursor == 0 {
            break;
        }
        let exhausted = budget == 0;
        budget = budget.wrapping_sub(1);
        if exhausted || items.len() as u64 >= wanted {
            break;
        }
    }
    (cursor, items)
}

/// The reply: the next cursor as a bulk string, then the elements.
pub fn reply<I, B>(cursor: u64, elements: I) -> Reply
where
    I: IntoIterator<Item = B>,
    B: AsRef<[u8]>,
{
    // Redis prints the cursor through a signed `long long`; cursors it hands out stay below
    // the table size, so the cast only matters for the number's form, kept as Redis's.
    let printed = i64::from_ne_bytes(cursor.to_ne_bytes());
    Reply::Array(vec![Reply::bulk_int(printed), Reply::bulks(elements)])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::Engine;

    fn opts(words: &[&str]) -> Result<ScanOptions, RedisError> {
        let args: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        ScanOptions::parse(&args, true)
    }

    #[test]
    fn cursors_parse_like_strtoul() {
        assert_eq!(parse_cursor(b"0"), Ok(0));
        assert_eq!(parse_cursor(b""), Ok(0));
        assert_eq!(parse_cursor(b"+12"), Ok(12));
        assert_eq!(parse_cursor(b"-0"), Ok(0));
        assert_eq!(parse_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(parse_cursor(b"-18446744073709551615"), Ok(1));
        assert_eq!(parse_cursor(b"007"), Ok(7));
        assert_eq!(parse_cursor(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_cursor(b"5\0junk"), Ok(5));
        for bad in [
            &b"18446744073709551616"[..],
            b" 1",
            b"\t1",
            b"1 ",
            b"0x1",
            b"+",
            b"-",
            b"+-1",
            b"abc",
            b"1.0",
        ] {
            assert_eq!(
                parse_cursor(bad),
                Err(RedisError::new("ERR invalid cursor")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn options_parse_as_redis() {
        let o = opts(&["COUNT", "5", "match", "a*", "TYPE", "String\0x"]).expect("valid");
        assert_eq!(o.count, 5);
        assert_eq!(o.pattern.as_deref(), Some(&b"a*"[..]));
        assert!(o.type_matches("string"));
        assert!(!o.type_matches("hash"));
        assert_eq!(opts(&["match", "*"]).expect("valid").pattern, None);
        assert_eq!(
            opts(&["match", "a", "match", "*"]).expect("valid").pattern,
            None
        );
        assert_eq!(opts(&["count", "0"]), Err(RedisError::syntax()));
        assert_eq!(opts(&["count", "-1"]), Err(RedisError::syntax()));
        assert_eq!(opts(&["count", "x"]), Err(RedisError::not_integer()));
        assert_eq!(opts(&["count"]), Err(RedisError::syntax()));
        assert_eq!(opts(&["foo", "1"]), Err(RedisError::syntax()));
        let args = vec![b"type".to_vec(), b"string".to_vec()];
        assert_eq!(
            ScanOptions::parse(&args, false),
            Err(RedisError::syntax()),
            "TYPE belongs to SCAN only"
        );
    }

    #[test]
    fn the_loop_stops_at_count_or_after_ten_buckets_per_count() {
        let mut dict = Dict::new();
        for i in 0..1000 {
            dict.insert(format!("k{i}").as_bytes(), ());
        }
        let (cursor, items) = scan_dict(&dict, 0, 10, |k, (), out| out.push(k.to_vec()));
        assert_ne!(cursor, 0);
        assert!(items.len() >= 10 && items.len() < 30, "{}", items.len());
        // A pathological count of 1844674407370955162 wraps `count * 10` to 4: five buckets.
        let (_, few) = scan_dict(&dict, 0, 1_844_674_407_370_955_162, |k, (), out| {
            out.push(k.to_vec());
        });
        let mut cursor = 0;
        let mut five = 0;
        for _ in 0..5 {
            cursor = dict.scan(cursor, |_, _, ()| five += 1);
        }
        assert_eq!(few.len(), five);
        let (cursor, all) = scan_dict(&dict, 0, i64::MAX, |k, (), out| out.push(k.to_vec()));
        assert_eq!((cursor, all.len()), (0, 1000));
    }

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    fn scan_page(engine: &mut Engine, client: u64, cursor: u64) -> (u64, Vec<Vec<u8>>) {
        match engine.exec(client, &argv(&format!("SCAN {cursor} COUNT 7"))) {
            Reply::Array(parts) => match parts.as_slice() {
                [Reply::Bulk(c), Reply::Array(keys)] => {
                    let next = std::str::from_utf8(c)
                        .ok()
                        .and_then(|c| c.parse().ok())
                        .expect("numeric cursor");
                    let keys = keys
                        .iter()
                        .map(|k| match k {
                            Reply::Bulk(b) => b.to_vec(),
                            other => panic!("not a key: {other:?}"),
                        })
                        .collect();
                    (next, keys)
                }
                other => panic!("unexpected SCAN reply {other:?}"),
            },
            other => panic!("unexpected SCAN reply {other:?}"),
        }
    }

    #[test]
    fn scan_returns_every_key_present_throughout_despite_inserts_and_deletes() {
        let mut engine = Engine::new();
        let client = engine.connect();
        for i in 0..300 {
            engine.exec(client, &argv(&format!("SET stable:{i} v")));
        }
        for i in 0..300 {
            engine.exec(client, &argv(&format!("SET doomed:{i} v")));
        }
        let mut seen = BTreeSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            let (next, keys) = scan_page(&mut engine, client, cursor);
            seen.extend(keys);
            round += 1;
            // Between calls, the table grows (new keys) and later shrinks (deletions).
            if round < 40 {
                for j in 0..50 {
                    engine.exec(client, &argv(&format!("SET new:{round}:{j} v")));
                }
            } else if round == 40 {
                for i in 0..300 {
                    engine.exec(client, &argv(&format!("DEL doomed:{i}")));
                }
                for r in 0..40 {
                    for j in 0..50 {
                        engine.exec(client, &argv(&format!("DEL new:{r}:{j}")));
                    }
                }
            }
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        for i in 0..300 {
            assert!(
                seen.contains(format!("stable:{i}").as_bytes()),
                "stable:{i} was never returned"
            );
        }
    }
}
