//! The `bit` library Redis gives scripts (`LuaBitOp` 1.0): `tobit`, `bnot`, `band`, `bor`, `bxor`,
//! `lshift`, `rshift`, `arshift`, `rol`, `ror`, `bswap`, `tohex`, on 32-bit integers. Written
//! here after the library's documented behaviour, checked against redis-server by
//! `scripting-bit.redis`.

use omnilua::{Function, Lua, Table, Value, Variadic};

use super::cjson::check_number;

/// A number as the library reads it: the low 32 bits of `n + 2^52 + 2^51`, which rounds `n` to
/// the nearest integer (halves to even) and wraps it modulo 2^32; NaN and infinities give 0.
fn tobit(n: f64) -> u32 {
    (n + 6_755_399_441_055_744.0).to_bits() as u32
}

/// Argument `index` (from 1) of `argv` as the library reads it, or its error: a value that is not
/// a number and does not read as one ("no value" past the last argument).
fn arg(getinfo: &Function, argv: &[Value], index: usize) -> omnilua::Result<u32> {
    check_number(getinfo, argv, index).map(tobit)
}

/// An operation on one word, and on two.
type Unary = fn(u32) -> u32;
type Binary = fn(u32, u32) -> u32;

/// The library's results are signed.
fn number(bits: u32) -> Value {
    Value::Number(f64::from(bits as i32))
}

/// The `bit` table, its functions made with `getinfo` (`debug.getinfo`) for the place an error
/// names.
pub fn library(lua: &Lua, getinfo: &Function) -> omnilua::Result<Table> {
    let table = lua.create_table()?;
    let unary: [(&str, Unary); 3] = [
        ("tobit", |b| b),
        ("bnot", |b| !b),
        ("bswap", u32::swap_bytes),
    ];
    for (name, op) in unary {
        let getinfo = getinfo.clone();
        let f = lua.create_function(move |_, argv: Variadic<Value>| {
            Ok(number(op(arg(&getinfo, &argv, 1)?)))
        })?;
        table.set(name, f)?;
    }
    // Folds over every argument; the library reads the first, then the others from the last.
    let folds: [(&str, Binary); 3] = [
        ("band", |a, b| a & b),
        ("bor", |a, b| a | b),
        ("bxor", |a, b| a ^ b),
    ];
    for (name, op) in folds {
        let getinfo = getinfo.clone();
        let f = lua.create_function(move |_, argv: Variadic<Value>| {
            let mut bits = arg(&getinfo, &argv, 1)?;
            for index in (2..=argv.len()).rev() {
                bits = op(bits, arg(&getinfo, &argv, index)?);
            }
            Ok(number(bits))
        })?;
        table.set(name, f)?;
    }
    // Shifts and rotations by the second argument's low 5 bits.
    let shifts: [(&str, Binary); 5] = [
        ("lshift", |b, n| b << n),
        ("rshift", |b, n| b >> n),
        ("arshift", |b, n| ((b as i32) >> n) as u32),
        ("rol", u32::rotate_left),
        ("ror", u32::rotate_right),
    ];
    for (name, op) in shifts {
        let getinfo = getinfo.clone();
        let f = lua.create_function(move |_, argv: Variadic<Value>| {
            let bits = arg(&getinfo, &argv, 1)?;
            let by = arg(&getinfo, &argv, 2)? & 31;
            Ok(number(op(bits, by)))
        })?;
        table.set(name, f)?;
    }
    let where_tohex = getinfo.clone();
    let tohex = lua.create_function(move |lua, argv: Variadic<Value>| {
        let mut bits = arg(&where_tohex, &argv, 1)?;
        // Digits: 8 when not given; fewer keep the low ones; negative means capitals.
        let digits = match argv.len() {
            0 | 1 => 8,
            _ => arg(&where_tohex, &argv, 2)? as i32,
        };
        let hex: &[u8; 16] = if digits < 0 {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let count = digits.unsigned_abs().min(8) as usize;
        let mut out = [0u8; 8];
        for slot in out.iter_mut().take(count).rev() {
            *slot = hex.get((bits & 15) as usize).copied().unwrap_or(b'0');
            bits >>= 4;
        }
        lua.create_string(out.get(..count).unwrap_or_default())
    })?;
    table.set("tohex", tohex)?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::tobit;

    #[test]
    fn tobit_rounds_halves_to_even_and_wraps() {
        assert_eq!(tobit(1.5) as i32, 2);
        assert_eq!(tobit(2.5) as i32, 2);
        assert_eq!(tobit(-1.0) as i32, -1);
        assert_eq!(tobit(2f64.powi(31)) as i32, i32::MIN);
        assert_eq!(tobit(2f64.powi(32) + 5.0), 5);
        assert_eq!(tobit(f64::NAN), 0);
        assert_eq!(tobit(f64::INFINITY), 0);
    }
}
