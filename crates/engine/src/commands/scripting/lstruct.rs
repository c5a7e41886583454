//! The `struct` library Redis gives scripts (Roberto Ierusalimschy's struct 1.7 for Lua 5.1):
//! `pack`, `unpack` and `size`, with every format option, as Redis's 64-bit build has them
//! (`long` and `size_t` of 8 bytes, alignment up to 8), and the library's error texts. Written
//! here after the library's documented behaviour, checked against redis-server by
//! `scripting-struct.redis`.

use omnilua::{Function, Lua, Table, Value, Variadic};

use super::cjson::{arg_error, check_number, error, type_name};
use super::cmsgpack::{c_i64, check_bytes, check_stack};
use super::lua::{MEMORY_BUDGET, to_number};

/// Integers may be up to this many bytes (`MAXINTSIZE`).
const MAX_INT_SIZE: u64 = 32;
/// The largest alignment, and `!`'s default (a double's on x86-64).
const MAX_ALIGN: u64 = 8;

#[derive(Clone, Copy, PartialEq)]
enum Endian {
    Big,
    Little,
}

/// The options that control the others: byte order and the largest alignment.
struct Header {
    endian: Endian,
    align: u64,
}

impl Header {
    fn new() -> Header {
        Header {
            endian: Endian::Little,
            align: 1,
        }
    }
}

/// A format string as the library reads it: a C string, so a NUL ends it.
struct Format {
    bytes: Vec<u8>,
    at: usize,
}

impl Format {
    fn new(mut bytes: Vec<u8>) -> Format {
        if let Some(end) = bytes.iter().position(|&b| b == 0) {
            bytes.truncate(end);
        }
        Format { bytes, at: 0 }
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.bytes.get(self.at).copied()?;
        self.at += 1;
        Some(b)
    }

    /// The number written at the cursor, or `default` when there is none.
    fn number(&mut self, getinfo: &Function, default: u64) -> omnilua::Result<u64> {
        let mut a: i32 = 0;
        let mut any = false;
        while let Some(&d) = self.bytes.get(self.at).filter(|d| d.is_ascii_digit()) {
            let digit = i32::from(d - b'0');
            if a > i32::MAX / 10 || a * 10 > i32::MAX - digit {
                return Err(error(getinfo, "integral size overflow"));
            }
            a = a * 10 + digit;
            self.at += 1;
            any = true;
        }
        Ok(if any { a as u64 } else { default })
    }
}

/// The size of option `opt` (0 for those that take no room or need no alignment).
fn option_size(getinfo: &Function, opt: u8, fmt: &mut Format) -> omnilua::Result<u64> {
    Ok(match opt {
        b'B' | b'b' | b'x' => 1,
        b'H' | b'h' => 2,
        b'L' | b'l' | b'T' | b'd' => 8,
        b'f' => 4,
        b'c' => fmt.number(getinfo, 1)?,
        b'i' | b'I' => {
            let size = fmt.number(getinfo, 4)?;
            if size > MAX_INT_SIZE {
                return Err(error(
                    getinfo,
                    &format!("integral size {size} is larger than limit of {MAX_INT_SIZE}"),
                ));
            }
            size
        }
        _ => 0,
    })
}

/// The padding that aligns an item of `size` bytes at offset `len`.
fn padding(len: u64, h: &Header, opt: u8, size: u64) -> u64 {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    size.wrapping_sub(len & size.wrapping_sub(1)) & size.wrapping_sub(1)
}

/// The options that are not items: spaces, byte order, alignment; anything else is an error.
fn control(getinfo: &Function, opt: u8, fmt: &mut Format, h: &mut Header) -> omnilua::Result<()> {
    match opt {
        b' ' => {}
        b'>' => h.endian = Endian::Big,
        b'<' => h.endian = Endian::Little,
        b'!' => {
            let a = fmt.number(getinfo, MAX_ALIGN)?;
            if !a.is_power_of_two() {
                return Err(error(
                    getinfo,
                    &format!("alignment {a} is not a power of 2"),
                ));
            }
            h.align = a;
        }
        _ => {
            let problem = format!("invalid format option '{}'", char::from(opt));
            return Err(arg_error(getinfo, 1, &problem));
        }
    }
    Ok(())
}

/// Argument `index` (from 1) of `pack`: past the last one the library finds the nil it pushed
/// to mark their end.
fn pack_arg(argv: &[Value], index: usize) -> &Value {
    index
        .checked_sub(1)
        .and_then(|i| argv.get(i))
        .unwrap_or(&Value::Nil)
}

/// Lua's `luaL_checknumber` on an argument of `pack`.
fn pack_number(getinfo: &Function, argv: &[Value], index: usize) -> omnilua::Result<f64> {
    let value = pack_arg(argv, index);
    if let Some(n) = to_number(value)? {
        return Ok(n);
    }
    let problem = format!("number expected, got {}", type_name(value));
    Err(arg_error(getinfo, index, &problem))
}

/// Lua's `luaL_checklstring` on an argument of `pack`.
fn pack_bytes(getinfo: &Function, argv: &[Value], index: usize) -> omnilua::Result<Vec<u8>> {
    if index > argv.len() {
        return Err(arg_error(getinfo, index, "string expected, got nil"));
    }
    check_bytes(getinfo, argv, index)
}

/// C's `(unsigned long)` of a double on x86-64 as GCC compiles it.
fn c_u64(n: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    // NaN takes the first branch, as it does in the compiled code.
    if n < 0.0 || n.partial_cmp(&TWO_63).is_none_or(std::cmp::Ordering::is_lt) {
        c_i64(n) as u64
    } else {
        (c_i64(n - TWO_63) as u64) ^ (1 << 63)
    }
}

fn put(getinfo: &Function, out: &mut Vec<u8>, bytes: &[u8]) -> omnilua::Result<()> {
    if out.len().saturating_add(bytes.len()) > MEMORY_BUDGET {
        return Err(error(getinfo, "not enough memory"));
    }
    out.extend_from_slice(bytes);
    Ok(())
}

/// `struct.pack(fmt, …)`.
fn pack(getinfo: &Function, argv: &[Value]) -> omnilua::Result<Vec<u8>> {
    let mut fmt = Format::new(check_bytes(getinfo, argv, 1)?);
    let mut h = Header::new();
    let mut arg = 2;
    let mut total: u64 = 0;
    let mut out = Vec::new();
    while let Some(opt) = fmt.next() {
        let mut size = option_size(getinfo, opt, &mut fmt)?;
        let pad = padding(total, &h, opt, size);
        total = total.wrapping_add(pad);
        put(getinfo, &mut out, &vec![0; pad as usize])?;
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = pack_number(getinfo, argv, arg)?;
                arg += 1;
                let mut value = if n < 0.0 { c_i64(n) as u64 } else { c_u64(n) };
                let mut bytes = vec![0u8; size as usize];
                for b in &mut bytes {
                    *b = value as u8;
                    value >>= 8;
                }
                if h.endian == Endian::Big {
                    bytes.reverse();
                }
                put(getinfo, &mut out, &bytes)?;
            }
            b'x' => put(getinfo, &mut out, &[0])?,
            b'f' => {
                let f = pack_number(getinfo, argv, arg)? as f32;
                arg += 1;
                let bytes = match h.endian {
                    Endian::Big => f.to_be_bytes(),
                    Endian::Little => f.to_le_bytes(),
                };
                put(getinfo, &mut out, &bytes)?;
            }
            b'd' => {
                let d = pack_number(getinfo, argv, arg)?;
                arg += 1;
                let bytes = match h.endian {
                    Endian::Big => d.to_be_bytes(),
                    Endian::Little => d.to_le_bytes(),
                };
                put(getinfo, &mut out, &bytes)?;
            }
            b'c' | b's' => {
                let s = pack_bytes(getinfo, argv, arg)?;
                arg += 1;
                let len = s.len() as u64;
                if size == 0 {
                    size = len;
                }
                if len < size {
                    // The library names the argument after this one.
                    return Err(arg_error(getinfo, arg, "string too short"));
                }
                put(
                    getinfo,
                    &mut out,
                    s.get(..size as usize).unwrap_or_default(),
                )?;
                if opt == b's' {
                    put(getinfo, &mut out, &[0])?;
                    size += 1;
                }
            }
            _ => control(getinfo, opt, &mut fmt, &mut h)?,
        }
        total = total.wrapping_add(size);
    }
    Ok(out)
}

/// An integer of `bytes` as the library reads it: in a 64-bit word (the last 8 bytes read stay),
/// sign-extended from the bit the size names (modulo 64, as x86-64 shifts).
fn read_integer(bytes: &[u8], endian: Endian, signed: bool) -> f64 {
    let mut l: u64 = 0;
    let mut push = |b: &u8| l = (l << 8) | u64::from(*b);
    match endian {
        Endian::Big => bytes.iter().for_each(&mut push),
        Endian::Little => bytes.iter().rev().for_each(&mut push),
    }
    if !signed {
        return l as f64;
    }
    let shift = ((bytes.len() as u64).wrapping_mul(8).wrapping_sub(1)) & 63;
    let mask = u64::MAX << shift;
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

/// `struct.unpack(fmt, data [, pos])`: the values, then the position after them.
fn unpack(lua: &Lua, getinfo: &Function, argv: &[Value]) -> omnilua::Result<Variadic<Value>> {
    let mut fmt = Format::new(check_bytes(getinfo, argv, 1)?);
    let data = check_bytes(getinfo, argv, 2)?;
    let ld = data.len() as u64;
    let pos = match argv.get(2) {
        None | Some(Value::Nil) => 1,
        Some(_) => c_i64(check_number(getinfo, argv, 3)?),
    };
    let mut pos = pos as u64;
    if pos == 0 {
        return Err(arg_error(getinfo, 3, "offset must be 1 or greater"));
    }
    pos -= 1;
    let mut h = Header::new();
    let mut results: Vec<Value> = Vec::new();
    let too_short = |size: u64, pos: u64| -> omnilua::Result<()> {
        if size <= ld && pos <= ld - size {
            Ok(())
        } else {
            Err(arg_error(getinfo, 2, "data string too short"))
        }
    };
    let slice = |pos: u64, size: u64| -> &[u8] {
        data.get(pos as usize..(pos + size) as usize)
            .unwrap_or_default()
    };
    while let Some(opt) = fmt.next() {
        let mut size = option_size(getinfo, opt, &mut fmt)?;
        pos = pos.wrapping_add(padding(pos, &h, opt, size));
        too_short(size, pos)?;
        check_stack(getinfo, argv.len() + results.len(), 2, "too many results")?;
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = read_integer(slice(pos, size), h.endian, opt.is_ascii_lowercase());
                results.push(Value::Number(n));
            }
            b'x' => {}
            b'f' => {
                let word: [u8; 4] = slice(pos, 4).try_into().unwrap_or([0; 4]);
                let f = match h.endian {
                    Endian::Big => f32::from_be_bytes(word),
                    Endian::Little => f32::from_le_bytes(word),
                };
                results.push(Value::Number(f64::from(f)));
            }
            b'd' => {
                let word: [u8; 8] = slice(pos, 8).try_into().unwrap_or([0; 8]);
                let d = match h.endian {
                    Endian::Big => f64::from_be_bytes(word),
                    Endian::Little => f64::from_le_bytes(word),
                };
                results.push(Value::Number(d));
            }
            b'c' => {
                if size == 0 {
                    // The length is the value before, which it replaces.
                    let previous = match results.last() {
                        Some(value) => to_number(value)?,
                        None => None,
                    };
                    let Some(n) = previous else {
                        return Err(error(getinfo, "format 'c0' needs a previous size"));
                    };
                    size = c_u64(n);
                    results.pop();
                    too_short(size, pos)?;
                }
                results.push(Value::String(lua.create_string(slice(pos, size))?));
            }
            b's' => {
                let rest = data.get(pos as usize..).unwrap_or_default();
                let Some(end) = rest.iter().position(|&b| b == 0) else {
                    return Err(error(getinfo, "unfinished string in data"));
                };
                size = end as u64 + 1;
                let s = rest.get(..end).unwrap_or_default();
                results.push(Value::String(lua.create_string(s)?));
            }
            _ => control(getinfo, opt, &mut fmt, &mut h)?,
        }
        pos = pos.wrapping_add(size);
    }
    results.push(Value::Number(pos.wrapping_add(1) as i64 as f64));
    Ok(Variadic::from(results))
}

/// `struct.size(fmt)`.
fn size(getinfo: &Function, argv: &[Value]) -> omnilua::Result<f64> {
    let mut fmt = Format::new(check_bytes(getinfo, argv, 1)?);
    let mut h = Header::new();
    let mut pos: u64 = 0;
    while let Some(opt) = fmt.next() {
        let size = option_size(getinfo, opt, &mut fmt)?;
        pos = pos.wrapping_add(padding(pos, &h, opt, size));
        if opt == b's' {
            return Err(arg_error(getinfo, 1, "option 's' has no fixed size"));
        } else if opt == b'c' && size == 0 {
            return Err(arg_error(getinfo, 1, "option 'c0' has no fixed size"));
        }
        if !opt.is_ascii_alphanumeric() {
            control(getinfo, opt, &mut fmt, &mut h)?;
        }
        pos = pos.wrapping_add(size);
    }
    Ok(pos as i64 as f64)
}

/// The `struct` table, its functions made with `getinfo` (`debug.getinfo`) for the place an
/// error names.
pub fn library(lua: &Lua, getinfo: &Function) -> omnilua::Result<Table> {
    let table = lua.create_table()?;
    let where_pack = getinfo.clone();
    let pack_fn = lua.create_function(move |lua, argv: Variadic<Value>| {
        let out = pack(&where_pack, &argv)?;
        lua.create_string(&out)
    })?;
    table.set("pack", pack_fn)?;
    let where_unpack = getinfo.clone();
    let unpack_fn =
        lua.create_function(move |lua, argv: Variadic<Value>| unpack(lua, &where_unpack, &argv))?;
    table.set("unpack", unpack_fn)?;
    let where_size = getinfo.clone();
    let size_fn = lua.create_function(move |_, argv: Variadic<Value>| {
        Ok(Value::Number(size(&where_size, &argv)?))
    })?;
    table.set("size", size_fn)?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::{Endian, c_u64, read_integer};

    #[test]
    fn doubles_convert_to_unsigned_as_gcc_on_x86_64() {
        assert_eq!(c_u64(1.9), 1);
        assert_eq!(c_u64(f64::NAN), 1 << 63);
        assert_eq!(c_u64(2f64.powi(63) + 4096.0), (1 << 63) + 4096);
        assert_eq!(c_u64(2f64.powi(64)), 0);
        assert_eq!(c_u64(f64::INFINITY), 0);
        assert_eq!(c_u64(-1.0), u64::MAX);
    }

    #[test]
    fn integers_sign_extend_from_the_size_modulo_64() {
        assert_eq!(read_integer(&[0xff; 9], Endian::Big, true) as i64, -1);
        assert_eq!(
            read_integer(&[0, 0x80, 0, 0, 0, 0, 0, 0, 0], Endian::Big, true) as i64,
            -128
        );
        let mut sixteen = [0u8; 16];
        sixteen[0] = 0x80;
        assert_eq!(read_integer(&sixteen, Endian::Little, true) as i64, 128);
        assert_eq!(read_integer(&[], Endian::Little, true) as i64, 0);
    }
}
