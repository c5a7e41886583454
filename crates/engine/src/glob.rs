//! Glob-style matching exactly as Redis's `stringmatchlen` (KEYS, SCAN MATCH, PSUBSCRIBE, …):
//! `*`, `?`, `[abc]`, `[^a]`, `[a-z]` (ends in either order), `\x` escapes. Like the C original,
//! characters in ranges compare as signed bytes, a `[` left open still matches its members, and
//! `*` does not match the empty string (callers special-case a lone `*`, as Redis does).

/// Whether `string` matches `pattern`; `nocase` folds ASCII letters.
pub fn glob_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    // Redis bounds the recursion of nested stars; we do the same by depth.
    matches(pattern, string, nocase, &mut skip_longer, 0)
}

fn lower(c: u8, nocase: bool) -> u8 {
    if nocase { c.to_ascii_lowercase() } else { c }
}

fn matches(
    pattern: &[u8],
    string: &[u8],
    nocase: bool,
    skip_longer: &mut bool,
    depth: usize,
) -> bool {
    if depth > 1000 {
        return false;
    }
    // `at(p, i)` reads like C reads a NUL-terminated buffer: 0 past the end.
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let (mut p, mut s) = (0usize, 0usize);
    while p < pattern.len() && s < string.len() {
        match pattern[p] {
            b'*' => {
                while p + 1 < pattern.len() && pattern[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pattern.len() {
                    return true;
                }
                while s < string.len() {
                    if matches(
                        &pattern[p + 1..],
                        &string[s..],
                        nocase,
                        skip_longer,
                        depth + 1,
                    ) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s += 1;
                }
                *skip_longer = true;
                return false;
            }
            b'?' => s += 1,
            b'[' => {
                p += 1;
                let negate = at(pattern, p) == b'^';
                if negate {
                    p += 1;
                }
                let c = string[s];
                let mut matched = false;
                loop {
                    if at(pattern, p) == b'\\' && pattern.len() - p >= 2 {
                        p += 1;
                        if pattern[p] == c {
                            matched = true;
                        }
                    } else if at(pattern, p) == b']' && p < pattern.len() {
                        break;
                    } else if p >= pattern.len() {
                        // Unterminated class: step back so the loop below ends the pattern.
                        p -= 1;
                        break;
                    } else if pattern.len() - p >= 3 && pattern[p + 1] == b'-' {
                        // C compares plain (signed) chars.
                        let (mut start, mut end) = (pattern[p] as i8, pattern[p + 2] as i8);
                        let mut ch = c as i8;
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = lower(start as u8, true) as i8;
                            end = lower(end as u8, true) as i8;
                            ch = lower(ch as u8, true) as i8;
                        }
                        p += 2;
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if lower(pattern[p], nocase) == lower(c, nocase) {
                        matched = true;
                    }
                    p += 1;
                }
                if negate {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s += 1;
            }
            first => {
                let mut lit = first;
                if first == b'\\' && pattern.len() - p >= 2 {
                    p += 1;
                    lit = pattern[p];
                }
                if lower(lit, nocase) != lower(string[s], nocase) {
                    return false;
                }
                s += 1;
            }
        }
        p += 1;
        if s == string.len() {
            while at(pattern, p) == b'*' && p < pattern.len() {
                p += 1;
            }
            break;
        }
    }
    p >= pattern.len() && s == string.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn stars_and_questions() {
        // Only the empty pattern matches the empty string; KEYS and SCAN special-case `*`.
        assert!(!m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "hllo"));
        assert!(m("user:*:name", "user:42:name"));
        assert!(!m("user:*:name", "user:42:age"));
        assert!(m("a**b", "ab"));
        assert!(m("ab*", "ab"));
        assert!(!m("", "a"));
        assert!(m("", ""));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"), "reversed ranges work");
        assert!(m(r"h\*llo", "h*llo"));
        assert!(!m(r"h\*llo", "hello"));
        assert!(m(r"[\]]", "]"));
        // An unterminated class still matches its members (checked against redis-server).
        assert!(m("[abc", "a"));
        assert!(!m("[abc", "d"));
        assert!(m("[^", "a"));
        assert!(!m("[", "a"));
        assert!(glob_match(b"HELLO", b"hello", true));
        assert!(glob_match(b"[A-C]x", b"bx", true));
    }
}
