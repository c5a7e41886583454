//! A check of a script's text before it is compiled. The interpreter samples its memory every few
//! instructions, but Lua 5.1 joins a whole chain `a .. b .. c …` in one instruction: a chain of
//! many copies of a large string would build a result far past the memory budget in one step,
//! before any sample (a 200-link chain of a 20 MB string asks for 4 GB, and the allocation failure
//! would abort the engine). Chains are bounded here, at [`MAX_CHAIN`] joins in one expression.

/// The most `..` one expression may hold (17 strings joined at once).
pub const MAX_CHAIN: usize = 16;

/// The line of the first expression with more than [`MAX_CHAIN`] `..`, if any. It reads Lua's
/// tokens roughly: strings, long strings and comments are skipped; a chain is the `..` met at one
/// depth of brackets between two tokens that end an expression (`,`, `;`, `=`, a keyword that
/// starts or ends a statement). It may count too many (operands written without brackets), never
/// too few.
pub fn long_chain(src: &[u8]) -> Option<usize> {
    let mut line = 1;
    let mut i = 0;
    // The count of `..` at each bracket depth in the current expression.
    let mut chains: Vec<usize> = vec![0];
    while let Some(&c) = src.get(i) {
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'-' if src.get(i + 1) == Some(&b'-') => {
                i += 2;
                if let Some(level) = long_bracket(src, i) {
                    i = skip_long(src, i, level, &mut line);
                } else {
                    while src.get(i).is_some_and(|&b| b != b'\n') {
                        i += 1;
                    }
                }
            }
            b'[' if long_bracket(src, i).is_some() => {
                let level = long_bracket(src, i).unwrap_or(0);
                i = skip_long(src, i, level, &mut line);
            }
            b'"' | b'\'' => {
                i += 1;
                while let Some(&b) = src.get(i) {
                    i += 1;
                    match b {
                        b'\\' => {
                            if src.get(i) == Some(&b'\n') {
                                line += 1;
                            }
                            i += 1;
                        }
                        b'\n' => {
                            line += 1;
                            break;
                        }
                        _ if b == c => break,
                        _ => {}
                    }
                }
            }
            b'(' | b'[' | b'{' => {
                chains.push(0);
                i += 1;
            }
            b')' | b']' | b'}' => {
                if chains.len() > 1 {
                    chains.pop();
                }
                i += 1;
            }
            b'.' if src.get(i + 1) == Some(&b'.') => {
                if src.get(i + 2) == Some(&b'.') {
                    i += 3;
                } else {
                    if let Some(n) = chains.last_mut() {
                        *n += 1;
                        if *n > MAX_CHAIN {
                            return Some(line);
                        }
                    }
                    i += 2;
                }
            }
            b',' | b';' | b'=' => {
                if let Some(n) = chains.last_mut() {
                    *n = 0;
                }
                i += 1;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = i;
                while src
                    .get(i)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    i += 1;
                }
                let word = src.get(start..i).unwrap_or_default();
                if matches!(
                    word,
                    b"local"
                        | b"return"
                        | b"end"
                        | b"do"
                        | b"then"
                        | b"else"
                        | b"elseif"
                        | b"if"
                        | b"for"
                        | b"while"
                        | b"repeat"
                        | b"until"
                        | b"function"
                        | b"in"
                        | b"break"
                ) && let Some(n) = chains.last_mut()
                {
                    *n = 0;
                }
            }
            b'0'..=b'9' => {
                // A number: its digits, a point, an exponent and its sign (`1e-5`, `0x1F`).
                i += 1;
                while let Some(&b) = src.get(i) {
                    if b.is_ascii_alphanumeric()
                        || b == b'_'
                        || (b == b'.' && src.get(i + 1) != Some(&b'.'))
                        || ((b == b'-' || b == b'+') && matches!(src.get(i - 1), Some(b'e' | b'E')))
                    {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The level of a long bracket (`[[`, `[==[`) opening at `i`.
fn long_bracket(src: &[u8], i: usize) -> Option<usize> {
    if src.get(i) != Some(&b'[') {
        return None;
    }
    let mut level = 0;
    while src.get(i + 1 + level) == Some(&b'=') {
        level += 1;
    }
    (src.get(i + 1 + level) == Some(&b'[')).then_some(level)
}

/// The index after the long string or comment opening at `i` (or the end of the text).
fn skip_long(src: &[u8], i: usize, level: usize, line: &mut usize) -> usize {
    let mut j = i + level + 2;
    while let Some(&b) = src.get(j) {
        if b == b'\n' {
            *line += 1;
        }
        if b == b']' {
            let mut k = 0;
            while src.get(j + 1 + k) == Some(&b'=') {
                k += 1;
            }
            if k == level && src.get(j + 1 + k) == Some(&b']') {
                return j + k + 2;
            }
        }
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::long_chain;

    #[test]
    fn chains() {
        assert_eq!(long_chain(b"return 'a' .. 'b' .. 'c'"), None);
        let long = format!("local s = 'x'\nreturn s{}", "..s".repeat(17));
        assert_eq!(long_chain(long.as_bytes()), Some(2));
        let ok = format!("return s{}", "..s".repeat(16));
        assert_eq!(long_chain(ok.as_bytes()), None);
        // Separate expressions, strings, comments and varargs do not add up.
        let many = "local a = x .. y, x .. y\n".repeat(20);
        assert_eq!(long_chain(many.as_bytes()), None);
        let quoted = format!(
            "return '{}' .. \"{}\" .. [[{}]] -- {}",
            "..".repeat(30),
            "..".repeat(30),
            "..".repeat(30),
            "..".repeat(30)
        );
        assert_eq!(long_chain(quoted.as_bytes()), None);
        assert_eq!(long_chain(b"local function f(...) return ... end"), None);
        let nested = format!(
            "return f({}) .. g({})",
            "a..".repeat(10) + "b",
            "a..".repeat(10) + "b"
        );
        assert_eq!(long_chain(nested.as_bytes()), None);
        assert_eq!(long_chain(b"return 1..2"), None);
        let numbers = format!("return 1{}", " .. 1e-5".repeat(17));
        assert_eq!(long_chain(numbers.as_bytes()), Some(1));
    }
}
