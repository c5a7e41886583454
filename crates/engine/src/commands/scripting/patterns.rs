//! `string.find` and `string.match` as scripts see them: Lua's own, behind a check of their
//! arguments and of the pattern's size. They are Rust functions, not Lua wrappers, because their
//! results are any number of values, which a Lua wrapper can pass on only by a tail call: the
//! wrapper's frame is then gone, and an error raised below it named the interpreter's original
//! (`bad argument #1 to 'raw_find'`) at the prelude's line, where Redis names `find` at the
//! script's line. A Rust function raises as Lua 5.1's C functions do: at its caller's line, named
//! as its caller called it, also when the script calls it as a tail call
//! (`return string.find(s)`). Checked against redis-server by `scripting-lib-errors.redis`.

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

/// `find` or `match` around `raw`, Lua's own: `find(s, pattern [, init [, plain]])`,
/// `match(s, pattern [, init])`.
fn wrap(lua: &Lua, getinfo: &Function, raw: Function) -> omnilua::Result<Function> {
    let getinfo = getinfo.clone();
    lua.create_function(move |_, mut argv: Variadic<Value>| {
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
        raw.call::<_, Variadic<Value>>(argv)
            .map_err(|e| as_raised(&getinfo, e))
    })
}

/// A table of `find` and `match` around Lua's own (`string.find` and `string.match` of `lua`,
/// read now), made with `getinfo` (`debug.getinfo`) for the place an error names.
pub fn library(lua: &Lua, getinfo: &Function) -> omnilua::Result<Table> {
    let string: Table = lua.globals().get("string")?;
    let table = lua.create_table()?;
    for name in ["find", "match"] {
        let raw: Function = string.get(name)?;
        table.raw_set(name, wrap(lua, getinfo, raw)?)?;
    }
    Ok(table)
}
