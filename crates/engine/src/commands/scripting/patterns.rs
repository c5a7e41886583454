//! `string.find` and `string.match` as scripts see them: Lua's own, behind a check of their
//! arguments and of the pattern's size. They are Rust functions, not Lua wrappers, because their
//! results are any number of values, which a Lua wrapper can pass on only by a tail call: the
//! wrapper's frame is then gone, and an error raised below it named the interpreter's original
//! (`bad argument #1 to 'raw_find'`) at the prelude's line, where Redis names `find` at the
//! script's line. A Rust function raises as Lua 5.1's C functions do: at its caller's line, named
//! as its caller called it, also when the script calls it as a tail call
//! (`return string.find(s)`). Checked against redis-server by `scripting-lib-errors.redis`.
//!
//! This interpreter's matcher reads patterns as Lua 5.2 and later do, where Lua 5.1 (Redis's)
//! differs in two escapes: `%g` and `%G` are classes there (printable characters and the
//! rest), in 5.1 an unknown class that stands for its letter; and in a replacement string a
//! `%` before anything but a digit or `%` is refused there, in 5.1 it stands for what follows
//! (a `%` at the end for a zero byte, 5.1 reading the string's terminator). [`lua51_pattern`]
//! (for `find` and `match`), [`lua51_matcher_pattern`] (for `gmatch` here and `gsub` in
//! `prelude.lua`) and [`lua51_replacement`] (for `gsub`) write a script's pattern and
//! replacement in the interpreter's terms.

use omnilua::{Function, Lua, LuaError, Table, Value, Variadic};

use super::cjson::{error, type_error};
use super::cmsgpack::c_i64;
use super::lua::to_number;

/// Lua 5.1's matcher has no depth limit and recurses once per quantifier or capture: a pattern
/// with more of them fails with Lua 5.2's `pattern too complex` (see `check_pattern` in
/// `prelude.lua`, which bounds `gmatch` and `gsub` the same way).
const MAX_PATTERN_ITEMS: usize = 200;

/// Lua's `luaL_checklstring` on argument `index` (from 1): a string or a number.
fn check_string(getinfo: &Function, argv: &[Value], index: usize) -> omnilua::Result<()> {
    let value = index.checked_sub(1).and_then(|i| argv.get(i));
    match value {
        Some(Value::String(_) | Value::Integer(_) | Value::Number(_)) => Ok(()),
        other => Err(type_error(getinfo, other, index, "string")),
    }
}

/// Lua 5.1's `luaL_optinteger` on argument `index`: nothing or nil (`None`), or a number (or a
/// string that reads as one) as C's cast makes it an integer.
fn optional_integer(
    getinfo: &Function,
    argv: &[Value],
    index: usize,
) -> omnilua::Result<Option<i64>> {
    match index.checked_sub(1).and_then(|i| argv.get(i)) {
        None | Some(Value::Nil) => Ok(None),
        Some(value) => match to_number(value)? {
            Some(n) => Ok(Some(c_i64(n))),
            None => Err(type_error(getinfo, Some(value), index, "number")),
        },
    }
}

/// Refuses a pattern with more than [`MAX_PATTERN_ITEMS`] quantifiers and parentheses.
fn check_pattern(getinfo: &Function, pattern: &Value) -> omnilua::Result<()> {
    if let Value::String(p) = pattern
        && let bytes = p.as_bytes()?
        && bytes.len() > MAX_PATTERN_ITEMS
    {
        let items = bytes
            .iter()
            .filter(|b| matches!(b, b'?' | b'*' | b'+' | b'-' | b'(' | b')'))
            .count();
        if items > MAX_PATTERN_ITEMS {
            return Err(error(getinfo, "pattern too complex"));
        }
    }
    Ok(())
}

/// An error of Lua's function (a malformed pattern) as Lua 5.1's raises it: at the caller's line,
/// in Lua 5.1's words where this interpreter's differ.
fn as_raised(getinfo: &Function, e: omnilua::Error) -> omnilua::Error {
    if !matches!(e.kind(), LuaError::RuntimeMsg(_) | LuaError::Runtime(_)) {
        return e;
    }
    let text = e.message_lossy();
    let text = match text.as_str() {
        t if t.starts_with("invalid capture index") => "invalid capture index",
        "malformed pattern (missing arguments to '%b')" => "unbalanced pattern",
        t => t,
    };
    error(getinfo, text)
}

/// A pattern's `%g` or `%G` (a class in this interpreter, the letter in Lua 5.1) written as the
/// letter: alone outside a set, as the range `g-g` inside one (so that a `-` after it still
/// stands for itself); or `None` when the pattern has neither. Sets are read as Lua 5.1's
/// `classEnd` and `matchbracketclass` read them: the character after `[` or `[^` belongs to the
/// set even if it is `]`, and a `%` that ends a range (`[a-%g]`) is no escape. A malformed
/// pattern is left for the matcher to refuse.
pub fn lua51_pattern(p: &[u8]) -> Option<Vec<u8>> {
    if !p
        .windows(2)
        .any(|w| w.first() == Some(&b'%') && matches!(w.get(1), Some(b'g' | b'G')))
    {
        return None;
    }
    let mut out = Vec::with_capacity(p.len() + 8);
    let mut changed = false;
    let mut i = 0;
    while let Some(&c) = p.get(i) {
        match c {
            b'%' => match p.get(i + 1) {
                Some(&letter @ (b'g' | b'G')) => {
                    out.push(letter);
                    changed = true;
                    i += 2;
                }
                // `%bxy`: the two delimiters are taken as they are.
                Some(b'b') => {
                    let end = (i + 4).min(p.len());
                    out.extend_from_slice(p.get(i..end).unwrap_or_default());
                    i = end;
                }
                Some(&other) => {
                    out.extend_from_slice(&[b'%', other]);
                    i += 2;
                }
                None => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'[' => {
                let Some(end) = set_end(p, i) else {
                    out.extend_from_slice(p.get(i..).unwrap_or_default());
                    break;
                };
                out.push(b'[');
                let mut k = i + 1;
                if p.get(k) == Some(&b'^') {
                    out.push(b'^');
                    k += 1;
                }
                while k < end {
                    let d = p.get(k).copied().unwrap_or_default();
                    if d == b'%' {
                        match p.get(k + 1) {
                            Some(&letter @ (b'g' | b'G')) if k + 1 < end => {
                                out.extend_from_slice(&[letter, b'-', letter]);
                                changed = true;
                            }
                            _ => out.extend_from_slice(p.get(k..k + 2).unwrap_or_default()),
                        }
                        k += 2;
                    } else if p.get(k + 1) == Some(&b'-') && k + 2 < end {
                        out.extend_from_slice(p.get(k..k + 3).unwrap_or_default());
                        k += 3;
                    } else {
                        out.push(d);
                        k += 1;
                    }
                }
                out.push(b']');
                i = end + 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// A pattern for `gsub` or `gmatch` as Lua 5.1 reads it, in this interpreter's terms: `%g`
/// written as [`lua51_pattern`] writes it, and a pattern with a `)` but no special character
/// led by a position capture `()`, which changes nothing else (such a pattern can never match:
/// the `)` closes nothing). This interpreter looks for a pattern without special characters as
/// plain text first and answers no match when it is not there, where Lua 5.1's matcher reaches
/// the `)` wherever the text before it occurs (at once when none does) and raises `invalid
/// pattern capture`. (`find` does search such a pattern as plain text in Lua 5.1 too.) `None`
/// when the pattern needs neither.
pub fn lua51_matcher_pattern(p: &[u8]) -> Option<Vec<u8>> {
    const SPECIALS: &[u8] = b"^$*+?.([%-";
    let rewritten = lua51_pattern(p);
    let pattern = rewritten.as_deref().unwrap_or(p);
    if pattern.contains(&b')') && !pattern.iter().any(|b| SPECIALS.contains(b)) {
        let mut led = b"()".to_vec();
        led.extend_from_slice(pattern);
        return Some(led);
    }
    rewritten
}

/// Where the set that opens at `p[open]` (a `[`) closes, as Lua 5.1's `classEnd` finds it: the
/// index of its `]`, or `None` if it has none.
fn set_end(p: &[u8], open: usize) -> Option<usize> {
    let mut k = open + 1;
    if p.get(k) == Some(&b'^') {
        k += 1;
    }
    loop {
        let c = *p.get(k)?;
        k += 1;
        if c == b'%' && k < p.len() {
            k += 1;
        }
        if *p.get(k)? == b']' {
            return Some(k);
        }
    }
}

/// Whether Lua 5.1's matcher might raise an error while it matches `p`, which it reads only as
/// far as a match takes it: a `%` at the end, a set without its `]`, `%b` without its two
/// delimiters, `%f` without a set, a back-reference (`%1`, which may name no closed capture), a
/// `)` that closes nothing, a `(` never closed, more than 32 captures. Every pattern that can
/// raise answers true; a few that cannot do too (a valid back-reference).
pub fn may_raise(p: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut captures = 0usize;
    let mut i = 0;
    while let Some(&c) = p.get(i) {
        match c {
            b'%' => match p.get(i + 1) {
                None => return true,
                Some(b'b') if i + 3 >= p.len() => return true,
                Some(b'b') => i += 4,
                Some(b'f') if p.get(i + 2) != Some(&b'[') => return true,
                Some(d) if d.is_ascii_digit() => return true,
                Some(_) => i += 2,
            },
            b'[' => match set_end(p, i) {
                Some(end) => i = end + 1,
                None => return true,
            },
            b'(' => {
                depth += 1;
                captures += 1;
                if captures > 32 {
                    return true;
                }
                i += 1;
            }
            b')' => {
                if depth == 0 {
                    return true;
                }
                depth -= 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    depth > 0
}

/// A `gsub` replacement string as Lua 5.1 reads it, in this interpreter's terms: a `%` before
/// anything but a digit or `%` stands for that character, and a `%` at the end for a zero byte;
/// or `None` when the replacement has neither.
pub fn lua51_replacement(r: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while let Some(&c) = r.get(i) {
        let next = r.get(i + 1).copied();
        let literal = match (c, next) {
            (b'%', None) => Some(0),
            (b'%', Some(d)) if d != b'%' && !d.is_ascii_digit() => Some(d),
            _ => None,
        };
        if let Some(byte) = literal {
            let out = out.get_or_insert_with(|| r.get(..i).unwrap_or_default().to_vec());
            out.push(byte);
            i += 2;
        } else {
            let step = if c == b'%' { 2 } else { 1 };
            if let Some(out) = out.as_mut() {
                out.extend_from_slice(r.get(i..(i + step).min(r.len())).unwrap_or_default());
            }
            i += step;
        }
    }
    out
}

/// `find` or `match` around `raw`, Lua's own: `find(s, pattern [, init [, plain]])`,
/// `match(s, pattern [, init])`.
fn wrap(lua: &Lua, getinfo: &Function, raw: Function, find: bool) -> omnilua::Result<Function> {
    let getinfo = getinfo.clone();
    lua.create_function(move |lua, mut argv: Variadic<Value>| {
        check_string(&getinfo, &argv, 1)?;
        check_string(&getinfo, &argv, 2)?;
        // This interpreter's `find` refuses a fractional start (Lua 5.3's rule), 5.1's truncates.
        if let Some(init) = optional_integer(&getinfo, &argv, 3)?
            && let Some(slot) = argv.get_mut(2)
            && !matches!(slot, Value::Integer(_))
        {
            *slot = Value::Number(init as f64);
        }
        if let Some(pattern) = argv.get(1) {
            check_pattern(&getinfo, pattern)?;
        }
        // `find`'s fourth argument, when true, makes the pattern plain text.
        let plain = find
            && argv
                .get(3)
                .is_some_and(|v| !matches!(v, Value::Nil | Value::Boolean(false)));
        if !plain
            && let Some(slot) = argv.get_mut(1)
            && let Value::String(pattern) = slot
            && let Some(rewritten) = lua51_pattern(&pattern.as_bytes()?)
        {
            *slot = Value::String(lua.create_string(&rewritten)?);
        }
        raw.call::<_, Variadic<Value>>(argv)
            .map_err(|e| as_raised(&getinfo, e))
    })
}

/// `gmatch(s, pattern)` around `raw`, Lua's own. Its iterator raises what the matcher raises
/// for a malformed pattern (read only as far as a match takes it) at the line of the loop that
/// calls it, as Lua 5.1's does: an iterator of such a pattern (see [`may_raise`]) is wrapped.
fn gmatch(lua: &Lua, getinfo: &Function, raw: Function) -> omnilua::Result<Function> {
    let getinfo = getinfo.clone();
    lua.create_function(move |lua, mut argv: Variadic<Value>| {
        check_string(&getinfo, &argv, 1)?;
        check_string(&getinfo, &argv, 2)?;
        let mut raises = false;
        if let Some(slot) = argv.get_mut(1) {
            check_pattern(&getinfo, slot)?;
            if let Value::String(pattern) = slot {
                let bytes = pattern.as_bytes()?;
                raises = may_raise(&bytes);
                if let Some(rewritten) = lua51_matcher_pattern(&bytes) {
                    *slot = Value::String(lua.create_string(&rewritten)?);
                }
            }
        }
        let iterator: Function = raw.call(argv).map_err(|e| as_raised(&getinfo, e))?;
        if !raises {
            return Ok(iterator);
        }
        let getinfo = getinfo.clone();
        lua.create_function(move |_, ()| {
            iterator
                .call::<_, Variadic<Value>>(())
                .map_err(|e| as_raised(&getinfo, e))
        })
    })
}

/// A Lua function answering what `rewrite` makes of a string (the argument itself when it needs
/// no change, or is no string).
fn rewriter(lua: &Lua, rewrite: fn(&[u8]) -> Option<Vec<u8>>) -> omnilua::Result<Function> {
    lua.create_function(move |lua, value: Value| {
        if let Value::String(s) = &value
            && let Some(rewritten) = rewrite(&s.as_bytes()?)
        {
            return Ok(Value::String(lua.create_string(&rewritten)?));
        }
        Ok(value)
    })
}

/// A table of `find`, `match` and `gmatch` around Lua's own (`string`'s of `lua`, read now),
/// made with `getinfo` (`debug.getinfo`) for the place an error names, and of `pattern51` and
/// `replacement51` for `gsub`.
pub fn library(lua: &Lua, getinfo: &Function) -> omnilua::Result<Table> {
    let string: Table = lua.globals().get("string")?;
    let table = lua.create_table()?;
    for name in ["find", "match"] {
        let raw: Function = string.get(name)?;
        table.raw_set(name, wrap(lua, getinfo, raw, name == "find")?)?;
    }
    let raw: Function = string.get("gmatch")?;
    table.raw_set("gmatch", gmatch(lua, getinfo, raw)?)?;
    // For `gsub` in `prelude.lua`: a pattern, or a replacement, as Lua 5.1 reads it.
    table.raw_set("pattern51", rewriter(lua, lua51_matcher_pattern)?)?;
    table.raw_set("replacement51", rewriter(lua, lua51_replacement)?)?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::{lua51_pattern, lua51_replacement};

    fn pattern(p: &str) -> Option<String> {
        lua51_pattern(p.as_bytes()).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    #[test]
    fn patterns_keep_everything_but_g_escapes() {
        assert_eq!(pattern("%a+%d-%s*"), None);
        assert_eq!(pattern("%%g"), None, "an escaped % and a plain g");
        assert_eq!(pattern("[a-%g]"), None, "the % ends a range");
        assert_eq!(pattern("%g+%G").as_deref(), Some("g+G"));
        assert_eq!(pattern("[%g-]").as_deref(), Some("[g-g-]"));
        assert_eq!(pattern("[^]%g]").as_deref(), Some("[^]g-g]"));
        assert_eq!(pattern("%b%g%g").as_deref(), Some("%b%gg"));
        assert_eq!(pattern("%f[%g]x").as_deref(), Some("%f[g-g]x"));
        // Malformed ones stay as they are, for the matcher to refuse.
        for p in ["[%g", "%f[%g", "[", "[^", "%", "%b", "%b%", "[]", "[%"] {
            assert_eq!(pattern(p), None, "{p}");
        }
    }

    #[test]
    fn a_closer_without_special_characters_is_led_by_a_position_capture() {
        use super::lua51_matcher_pattern;
        let matcher = |p: &str| {
            lua51_matcher_pattern(p.as_bytes()).map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        assert_eq!(matcher("a)").as_deref(), Some("()a)"));
        assert_eq!(matcher("%g)").as_deref(), Some("()g)"));
        assert_eq!(matcher("%g").as_deref(), Some("g"));
        assert_eq!(matcher("(a)"), None);
        assert_eq!(
            matcher("a.)"),
            None,
            "special: the matcher runs and raises by itself"
        );
        assert_eq!(matcher("abc"), None);
    }

    #[test]
    fn patterns_that_may_raise_while_matching() {
        use super::may_raise;
        for p in [
            "",
            "(%w+)=(%w+)",
            "%a-%d*",
            "[%]]",
            "%bxy",
            "%f[%w]",
            "()",
            "[^)]",
            "%)",
        ] {
            assert!(!may_raise(p.as_bytes()), "{p}");
        }
        let many = "()".repeat(33);
        for p in [
            "%",
            "[a",
            "[%",
            "a)",
            "(a",
            "%b",
            "%bx",
            "%fa",
            "%f",
            "%1",
            "(a)%1",
            many.as_str(),
        ] {
            assert!(may_raise(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn replacements_read_a_percent_before_a_letter_as_the_letter() {
        let replacement = |r: &str| {
            lua51_replacement(r.as_bytes()).map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        assert_eq!(replacement("<%0> %1%%"), None);
        assert_eq!(replacement("%g%1").as_deref(), Some("g%1"));
        assert_eq!(replacement("100%").as_deref(), Some("100\0"));
        assert_eq!(replacement("%%%").as_deref(), Some("%%\0"));
    }
}
