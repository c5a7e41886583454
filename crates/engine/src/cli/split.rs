//! redis-cli's line splitting (`sdssplitargs`): blanks, double quotes with escapes, single quotes.

use std::fmt;

/// The line could not be split: redis-cli answers `Invalid argument(s)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitError;

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Invalid argument(s)")
    }
}

impl std::error::Error for SplitError {}

/// Splits a typed line into arguments with the rules of Redis's `sdssplitargs`:
/// - arguments are separated by blanks;
/// - `"…"` understands `\n \r \t \b \a`, `\xhh` and `\<any>`;
/// - `'…'` is literal except for `\'`;
/// - a closing quote must be followed by a blank or the end of the line, and an unterminated
///   quote is an error.
///
/// Like the C original, which works on NUL-terminated strings, a NUL byte ends the line.
pub fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, SplitError> {
    let end = line.iter().position(|&b| b == 0).unwrap_or(line.len());
    let line = &line[..end];
    let at = |i: usize| line.get(i).copied();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        // C's isspace: space, \t, \n, \v, \f, \r.
        while at(i).is_some_and(|b| b == b' ' || (b'\t'..=b'\r').contains(&b)) {
            i += 1;
        }
        if i >= line.len() {
            return Ok(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let c = at(i);
            if in_double {
                match c {
                    None => return Err(SplitError),
                    Some(b'\\')
                        if at(i + 1) == Some(b'x')
                            && at(i + 2).is_some_and(|b| b.is_ascii_hexdigit())
                            && at(i + 3).is_some_and(|b| b.is_ascii_hexdigit()) =>
                    {
                        let hex = |b: Option<u8>| {
                            b.and_then(|b| (b as char).to_digit(16)).unwrap_or(0) as u8
                        };
                        current.push(hex(at(i + 2)) * 16 + hex(at(i + 3)));
                        i += 3;
                    }
                    Some(b'\\') if at(i + 1).is_some() => {
                        i += 1;
                        current.push(match at(i) {
                            Some(b'n') => b'\n',
                            Some(b'r') => b'\r',
                            Some(b't') => b'\t',
                            Some(b'b') => 0x08,
                            Some(b'a') => 0x07,
                            Some(other) => other,
                            None => return Err(SplitError),
                        });
                    }
                    Some(b'"') => {
                        if at(i + 1).is_some_and(|b| !is_space(b)) {
                            return Err(SplitError);
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => current.push(other),
                }
            } else if in_single {
                match c {
                    None => return Err(SplitError),
                    Some(b'\\') if at(i + 1) == Some(b'\'') => {
                        i += 1;
                        current.push(b'\'');
                    }
                    Some(b'\'') => {
                        if at(i + 1).is_some_and(|b| !is_space(b)) {
                            return Err(SplitError);
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => current.push(other),
                }
            } else {
                match c {
                    None | Some(b' ' | b'\n' | b'\r' | b'\t') => {
                        if c.is_some() {
                            i += 1;
                        }
                        break;
                    }
                    Some(b'"') => in_double = true,
                    Some(b'\'') => in_single = true,
                    Some(other) => current.push(other),
                }
            }
            i += 1;
        }
        args.push(current);
    }
}

/// C's `isspace` in the "C" locale.
fn is_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Result<Vec<String>, SplitError> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn plain_words_and_blanks() {
        assert_eq!(split("  set  foo bar ").unwrap(), ["set", "foo", "bar"]);
        assert_eq!(split("").unwrap(), Vec::<String>::new());
        assert_eq!(split(" \t ").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn double_quotes_and_escapes() {
        assert_eq!(
            split(r#"set "a b" "\x41\n\"""#).unwrap(),
            ["set", "a b", "A\n\""]
        );
        assert_eq!(split(r#""\xZZ""#).unwrap(), ["xZZ"]);
        assert_eq!(split(r#""""#).unwrap(), [""]);
        // A quote opened in the middle of a word continues that word.
        assert_eq!(split(r#"a"b c""#).unwrap(), ["ab c"]);
    }

    #[test]
    fn single_quotes() {
        assert_eq!(split(r"'it\'s' '\n'").unwrap(), ["it's", "\\n"]);
    }

    #[test]
    fn errors() {
        assert_eq!(split(r#"set "a"#), Err(SplitError));
        assert_eq!(split(r#""a"b"#), Err(SplitError));
        assert_eq!(split("'a'b"), Err(SplitError));
        assert_eq!(split("'a"), Err(SplitError));
    }
}
