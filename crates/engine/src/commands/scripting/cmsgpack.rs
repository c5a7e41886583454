//! The `cmsgpack` library Redis gives scripts (lua-cmsgpack 0.4.0): `pack`, `unpack`,
//! `unpack_one` and `unpack_limit`, with the library's encodings and error texts. Written here
//! after the library's documented behaviour, checked against redis-server by
//! `scripting-cmsgpack.redis`.
//!
//! The library works on Lua's stack, whose size (8000 slots for a C function, `LUAI_MAXCSTACK`)
//! bounds how many values it takes and gives back, and how deep a decoded value nests; its
//! `stack overflow (…)` errors are reproduced by counting the slots it would use. Decoding does
//! not recurse on the native stack (Redis's does, up to about 4000 levels), and what a call
//! builds outside Lua's memory accounting is bounded by the scripts' memory budget.

use omnilua::{Function, Lua, LuaError, Table, Value, Variadic};

use super::cjson::{arg_error, check_number, error, type_error};
use super::lua::MEMORY_BUDGET;

/// Lua 5.1's `LUAI_MAXCSTACK`: the slots a C function's frame may use.
pub(super) const MAX_STACK: usize = 8000;
/// Tables nested deeper than this are packed as nil (the library's `LUACMSGPACK_MAX_NESTING`).
const MAX_NESTING: usize = 16;
/// The values one `pack` may encode: more than the scripts' memory can hold as distinct table
/// entries (16 bytes at least each), so only a table met many times over (`t[1] = t` in a wide
/// table: 100 entries nested 16 deep are 100^16 values) reaches it, and fails as running out of
/// memory would, instead of running for seconds towards the memory budget.
const MAX_PACKED_VALUES: usize = MEMORY_BUDGET / 8;

/// `luaL_checkstack`'s failure when `top + more` slots would pass [`MAX_STACK`].
pub(super) fn check_stack(
    getinfo: &Function,
    top: usize,
    more: usize,
    what: &str,
) -> omnilua::Result<()> {
    if top.saturating_add(more) > MAX_STACK {
        return Err(error(getinfo, &format!("stack overflow ({what})")));
    }
    Ok(())
}

/// C's `(int64_t)` of a double on x86-64: truncation, and the minimum when out of range.
pub(super) fn c_i64(n: f64) -> i64 {
    if n.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

/// Lua's `luaL_checklstring`: a string, or a number as its text.
pub(super) fn check_bytes(
    getinfo: &Function,
    argv: &[Value],
    index: usize,
) -> omnilua::Result<Vec<u8>> {
    let value = index.checked_sub(1).and_then(|i| argv.get(i));
    match value {
        Some(Value::String(s)) => s.as_bytes(),
        Some(Value::Integer(n)) => Ok(n.to_string().into_bytes()),
        Some(Value::Number(n)) => Ok(crate::num::format_g(*n, 14).into_bytes()),
        other => Err(type_error(getinfo, other, index, "string")),
    }
}

/// Lua's `luaL_optinteger`: `default` for nothing or nil, else a number (or a string that reads
/// as one) truncated as C does.
fn opt_integer(
    getinfo: &Function,
    argv: &[Value],
    index: usize,
    default: i64,
) -> omnilua::Result<i64> {
    let value = index.checked_sub(1).and_then(|i| argv.get(i));
    match value {
        None | Some(Value::Nil) => Ok(default),
        Some(_) => check_integer(getinfo, argv, index),
    }
}

/// Lua's `luaL_checkinteger`.
fn check_integer(getinfo: &Function, argv: &[Value], index: usize) -> omnilua::Result<i64> {
    check_number(getinfo, argv, index).map(c_i64)
}

/// The `cmsgpack` table, its functions made with `getinfo` (`debug.getinfo`) for the place an
/// error names.
pub fn library(lua: &Lua, getinfo: &Function) -> omnilua::Result<Table> {
    let table = lua.create_table()?;
    let where_pack = getinfo.clone();
    let pack = lua.create_function(move |lua, argv: Variadic<Value>| {
        let out = pack(&where_pack, &argv)?;
        lua.create_string(&out)
    })?;
    table.set("pack", pack)?;
    let where_unpack = getinfo.clone();
    let unpack_all = lua.create_function(move |lua, argv: Variadic<Value>| {
        // `unpack` leaves every argument on the stack.
        unpack(lua, &where_unpack, &argv, argv.len(), 0, 0)
    })?;
    table.set("unpack", unpack_all)?;
    let where_one = getinfo.clone();
    let unpack_one = lua.create_function(move |lua, argv: Variadic<Value>| {
        let offset = opt_integer(&where_one, &argv, 2, 0)?;
        unpack(lua, &where_one, &argv, argv.len().min(1), 1, offset)
    })?;
    table.set("unpack_one", unpack_one)?;
    let where_limit = getinfo.clone();
    let unpack_limit = lua.create_function(move |lua, argv: Variadic<Value>| {
        let limit = check_integer(&where_limit, &argv, 2)?;
        let offset = opt_integer(&where_limit, &argv, 3, 0)?;
        unpack(lua, &where_limit, &argv, argv.len().min(1), limit, offset)
    })?;
    table.set("unpack_limit", unpack_limit)?;
    table.set("_NAME", "cmsgpack")?;
    table.set("_VERSION", "lua-cmsgpack 0.4.0")?;
    table.set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo")?;
    table.set("_DESCRIPTION", "MessagePack C implementation for Lua")?;
    Ok(table)
}

/// `cmsgpack.pack(…)`: every argument encoded, one after the other.
fn pack(getinfo: &Function, argv: &[Value]) -> omnilua::Result<Vec<u8>> {
    let nargs = argv.len();
    if nargs == 0 {
        return Err(arg_error(getinfo, 0, "MessagePack pack needs input."));
    }
    if nargs.saturating_mul(2) > MAX_STACK {
        return Err(arg_error(
            getinfo,
            0,
            "Too many arguments for MessagePack pack.",
        ));
    }
    let mut encoder = Encoder {
        getinfo,
        out: Vec::new(),
        values: 0,
    };
    for (i, value) in argv.iter().enumerate() {
        // The arguments, the pieces encoded so far, and this argument's copy.
        let top = nargs + i;
        check_stack(getinfo, top, 1, "in function mp_check")?;
        encoder.value(value, 0, top + 1)?;
    }
    Ok(encoder.out)
}

struct Encoder<'a> {
    getinfo: &'a Function,
    out: Vec<u8>,
    /// The values encoded so far.
    values: usize,
}

impl Encoder<'_> {
    fn put(&mut self, bytes: &[u8]) -> omnilua::Result<()> {
        if self.out.len().saturating_add(bytes.len()) > MEMORY_BUDGET {
            return Err(error(self.getinfo, "not enough memory"));
        }
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    /// Encodes `value`, nested `level` tables deep, with `top` stack slots in use (the value's
    /// own included).
    fn value(&mut self, value: &Value, level: usize, top: usize) -> omnilua::Result<()> {
        self.values += 1;
        if self.values > MAX_PACKED_VALUES {
            return Err(error(self.getinfo, "not enough memory"));
        }
        match value {
            Value::String(s) => self.bytes(&s.as_bytes()?),
            Value::Boolean(b) => self.put(&[if *b { 0xc3 } else { 0xc2 }]),
            Value::Integer(n) => self.number(*n as f64),
            Value::Number(n) => self.number(*n),
            Value::Table(t) if level < MAX_NESTING => self.table(t, level, top),
            _ => self.put(&[0xc0]),
        }
    }

    fn bytes(&mut self, s: &[u8]) -> omnilua::Result<()> {
        let len = s.len();
        let mut head = Vec::with_capacity(5);
        if len < 32 {
            head.push(0xa0 | len as u8);
        } else if len <= 0xff {
            head.extend_from_slice(&[0xd9, len as u8]);
        } else if len <= 0xffff {
            head.push(0xda);
            head.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            head.push(0xdb);
            head.extend_from_slice(&(len as u32).to_be_bytes());
        }
        self.put(&head)?;
        self.put(s)
    }

    /// A number: an integer when it is one that fits in 64 bits, else a float (32 bits when
    /// that keeps it exactly) or a double.
    fn number(&mut self, n: f64) -> omnilua::Result<()> {
        let whole = n.fract() == 0.0
            && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n);
        if whole {
            return self.integer(n as i64);
        }
        // The double is kept as a float when converting it back gives it exactly (not for NaN,
        // which equals nothing).
        let f = n as f32;
        if !n.is_nan() && f64::from(f).to_bits() == n.to_bits() {
            let mut b = vec![0xca];
            b.extend_from_slice(&f.to_bits().to_be_bytes());
            self.put(&b)
        } else {
            let mut b = vec![0xcb];
            b.extend_from_slice(&n.to_bits().to_be_bytes());
            self.put(&b)
        }
    }

    fn integer(&mut self, n: i64) -> omnilua::Result<()> {
        let mut b = Vec::with_capacity(9);
        if n >= 0 {
            if n <= 127 {
                b.push(n as u8);
            } else if n <= 0xff {
                b.extend_from_slice(&[0xcc, n as u8]);
            } else if n <= 0xffff {
                b.push(0xcd);
                b.extend_from_slice(&(n as u16).to_be_bytes());
            } else if n <= 0xffff_ffff {
                b.push(0xce);
                b.extend_from_slice(&(n as u32).to_be_bytes());
            } else {
                b.push(0xcf);
                b.extend_from_slice(&n.to_be_bytes());
            }
        } else if n >= -32 {
            b.push(n as u8);
        } else if n >= -128 {
            b.extend_from_slice(&[0xd0, n as u8]);
        } else if n >= -32768 {
            b.push(0xd1);
            b.extend_from_slice(&(n as i16).to_be_bytes());
        } else if n >= -2_147_483_648 {
            b.push(0xd2);
            b.extend_from_slice(&(n as i32).to_be_bytes());
        } else {
            b.push(0xd3);
            b.extend_from_slice(&n.to_be_bytes());
        }
        self.put(&b)
    }

    /// A table: an array when its keys are exactly 1 to its count, else a map.
    fn table(&mut self, t: &Table, level: usize, top: usize) -> omnilua::Result<()> {
        check_stack(self.getinfo, top, 2, "in function table_is_an_array")?;
        let pairs = t.raw_pairs()?;
        let count = pairs.len();
        let mut items: Vec<Option<&Value>> = vec![None; count];
        let mut array = true;
        for (k, v) in &pairs {
            let n = match k {
                Value::Integer(n) => *n as f64,
                Value::Number(n) => *n,
                _ => f64::NAN,
            };
            // A key that is a positive C int: a slot among 1 to count, or past them.
            if !(n > 0.0 && n.fract() == 0.0 && n <= f64::from(i32::MAX)) {
                array = false;
                break;
            }
            let Some(slot) = items.get_mut(n as usize - 1) else {
                array = false;
                break;
            };
            *slot = Some(v);
        }
        if array {
            self.array_header(count)?;
            check_stack(
                self.getinfo,
                top,
                1,
                "in function mp_encode_lua_table_as_array",
            )?;
            for item in items {
                let item = item.cloned().unwrap_or(Value::Nil);
                self.value(&item, level + 1, top + 1)?;
            }
            return Ok(());
        }
        check_stack(
            self.getinfo,
            top,
            3,
            "in function mp_encode_lua_table_as_map",
        )?;
        self.map_header(count)?;
        for (k, v) in &pairs {
            // The table, the key and value `next` gave, and the key's copy.
            self.value(k, level + 1, top + 3)?;
            self.value(v, level + 1, top + 2)?;
        }
        Ok(())
    }

    fn array_header(&mut self, n: usize) -> omnilua::Result<()> {
        self.header(n, 0x90, 0xdc)
    }

    fn map_header(&mut self, n: usize) -> omnilua::Result<()> {
        self.header(n, 0x80, 0xde)
    }

    /// An array's or a map's header: its count in the low bits of `fix` up to 15, else after
    /// `tag16` with 16 bits, or after the next tag (`tag16 + 1`) with 32.
    fn header(&mut self, n: usize, fix: u8, tag16: u8) -> omnilua::Result<()> {
        if n <= 15 {
            self.put(&[fix | n as u8])
        } else if n <= 0xffff {
            self.put(&[tag16])?;
            self.put(&(n as u16).to_be_bytes())
        } else {
            self.put(&[tag16 + 1])?;
            self.put(&(n as u32).to_be_bytes())
        }
    }
}

/// Why decoding stopped.
enum Stop {
    /// The input ended inside a value.
    Missing,
    /// A byte that starts no value this library knows.
    BadFormat,
    /// An error raised at once (a stack overflow, a nil or NaN map key, memory).
    Raised(omnilua::Error),
}

impl From<omnilua::Error> for Stop {
    fn from(e: omnilua::Error) -> Stop {
        Stop::Raised(e)
    }
}

/// A table being filled: its entries still to read, and for an array the next index, for a map
/// the key read (waiting for its value).
enum Frame {
    Array {
        table: Table,
        left: u64,
        index: usize,
    },
    Map {
        table: Table,
        left: u64,
        key: Option<Value>,
    },
}

/// What a value's first bytes say.
enum Head {
    Value(Value),
    Array(u64),
    Map(u64),
}

/// The bytes of Lua memory a decode may build, roughly counted: a table, an entry, a string's
/// header.
const TABLE_COST: usize = 64;
const ENTRY_COST: usize = 40;
const STRING_COST: usize = 32;

struct Decoder<'a> {
    lua: &'a Lua,
    getinfo: &'a Function,
    data: &'a [u8],
    at: usize,
    /// The stack slots the library would be using.
    top: usize,
    /// The memory built so far, roughly.
    built: usize,
}

impl Decoder<'_> {
    fn left(&self) -> usize {
        self.data.len().saturating_sub(self.at)
    }

    fn need(&self, n: usize) -> Result<(), Stop> {
        if self.left() < n {
            return Err(Stop::Missing);
        }
        Ok(())
    }

    fn byte(&self, i: usize) -> u8 {
        self.data.get(self.at + i).copied().unwrap_or(0)
    }

    /// The `n` bytes after the first one, big-endian, as a number.
    fn be(&self, n: usize) -> u64 {
        (1..=n).fold(0u64, |acc, i| (acc << 8) | u64::from(self.byte(i)))
    }

    fn build(&mut self, cost: usize) -> Result<(), Stop> {
        self.built = self.built.saturating_add(cost);
        if self.built > MEMORY_BUDGET {
            return Err(Stop::Raised(error(self.getinfo, "not enough memory")));
        }
        Ok(())
    }

    fn string(&mut self, skip: usize, len: usize) -> Result<Value, Stop> {
        self.need(skip.saturating_add(len))?;
        self.build(STRING_COST.saturating_add(len))?;
        let bytes = self
            .data
            .get(self.at + skip..self.at + skip + len)
            .unwrap_or_default();
        let s = self.lua.create_string(bytes)?;
        self.at += skip + len;
        Ok(Value::String(s))
    }

    fn scalar(&mut self, skip: usize, value: f64) -> Result<Head, Stop> {
        self.need(skip)?;
        self.at += skip;
        Ok(Head::Value(Value::Number(value)))
    }

    /// Reads the start of a value: a whole value, or the header of an array or a map.
    fn head(&mut self) -> Result<Head, Stop> {
        self.need(1)?;
        check_stack(
            self.getinfo,
            self.top,
            1,
            "too many return values at once; use unpack_one or unpack_limit instead.",
        )?;
        let b = self.byte(0);
        let head = match b {
            // uint 8, 16, 32 as they are; uint 64 as Lua's lua_pushinteger keeps it (signed).
            0xcc => {
                return self
                    .need(2)
                    .and_then(|()| self.scalar(2, self.be(1) as f64));
            }
            0xcd => {
                return self
                    .need(3)
                    .and_then(|()| self.scalar(3, self.be(2) as f64));
            }
            0xce => {
                return self
                    .need(5)
                    .and_then(|()| self.scalar(5, self.be(4) as f64));
            }
            0xcf => {
                return self
                    .need(9)
                    .and_then(|()| self.scalar(9, self.be(8) as i64 as f64));
            }
            0xd0 => {
                return self
                    .need(2)
                    .and_then(|()| self.scalar(2, f64::from(self.byte(1) as i8)));
            }
            0xd1 => {
                return self
                    .need(3)
                    .and_then(|()| self.scalar(3, f64::from(self.be(2) as u16 as i16)));
            }
            0xd2 => {
                return self
                    .need(5)
                    .and_then(|()| self.scalar(5, f64::from(self.be(4) as u32 as i32)));
            }
            0xd3 => {
                return self
                    .need(9)
                    .and_then(|()| self.scalar(9, self.be(8) as i64 as f64));
            }
            0xc0 => {
                self.at += 1;
                Head::Value(Value::Nil)
            }
            0xc2 | 0xc3 => {
                self.at += 1;
                Head::Value(Value::Boolean(b == 0xc3))
            }
            0xca => {
                self.need(5)?;
                let f = f32::from_bits(self.be(4) as u32);
                return self.scalar(5, f64::from(f));
            }
            0xcb => {
                self.need(9)?;
                let d = f64::from_bits(self.be(8));
                return self.scalar(9, d);
            }
            0xd9 => {
                self.need(2)?;
                Head::Value(self.string(2, self.be(1) as usize)?)
            }
            0xda => {
                self.need(3)?;
                Head::Value(self.string(3, self.be(2) as usize)?)
            }
            0xdb => {
                self.need(5)?;
                let len = self.be(4) as usize;
                Head::Value(self.string(5, len)?)
            }
            0xdc | 0xde => {
                self.need(3)?;
                let n = self.be(2);
                self.at += 3;
                if b == 0xdc {
                    Head::Array(n)
                } else {
                    Head::Map(n)
                }
            }
            0xdd | 0xdf => {
                self.need(5)?;
                let n = self.be(4);
                self.at += 5;
                if b == 0xdd {
                    Head::Array(n)
                } else {
                    Head::Map(n)
                }
            }
            0x00..=0x7f => {
                self.at += 1;
                Head::Value(Value::Number(f64::from(b)))
            }
            0xe0..=0xff => {
                self.at += 1;
                Head::Value(Value::Number(f64::from(b as i8)))
            }
            0xa0..=0xbf => Head::Value(self.string(1, usize::from(b & 0x1f))?),
            0x90..=0x9f => {
                self.at += 1;
                Head::Array(u64::from(b & 0xf))
            }
            0x80..=0x8f => {
                self.at += 1;
                Head::Map(u64::from(b & 0xf))
            }
            _ => return Err(Stop::BadFormat),
        };
        Ok(head)
    }

    /// Decodes one whole value, its tables filled without recursion; it stays on the stack.
    fn value(&mut self) -> Result<Value, Stop> {
        let mut frames: Vec<Frame> = Vec::new();
        loop {
            // Read a value: a whole one, or an empty table, or open a table to fill.
            let mut value = match self.head()? {
                Head::Value(v) => {
                    self.top += 1;
                    v
                }
                Head::Array(n) => {
                    self.build(TABLE_COST)?;
                    let table = self.lua.create_table()?;
                    self.top += 1;
                    check_stack(
                        self.getinfo,
                        self.top,
                        1,
                        "in function mp_decode_to_lua_array",
                    )?;
                    if n == 0 {
                        Value::Table(table)
                    } else {
                        // The index of the first element.
                        self.top += 1;
                        frames.push(Frame::Array {
                            table,
                            left: n,
                            index: 1,
                        });
                        continue;
                    }
                }
                Head::Map(n) => {
                    self.build(TABLE_COST)?;
                    let table = self.lua.create_table()?;
                    self.top += 1;
                    if n == 0 {
                        Value::Table(table)
                    } else {
                        frames.push(Frame::Map {
                            table,
                            left: n,
                            key: None,
                        });
                        continue;
                    }
                }
            };
            // Place it in the tables it completes.
            loop {
                let Some(frame) = frames.last_mut() else {
                    return Ok(value);
                };
                match frame {
                    Frame::Array { table, left, index } => {
                        self.build(ENTRY_COST)?;
                        table.raw_set(*index, value)?;
                        self.top -= 2;
                        *index += 1;
                        *left -= 1;
                        if *left > 0 {
                            self.top += 1;
                            break;
                        }
                    }
                    Frame::Map { table, left, key } => {
                        let Some(k) = key.take() else {
                            *key = Some(value);
                            break;
                        };
                        match &k {
                            Value::Nil => {
                                return Err(Stop::Raised(raw_error("table index is nil")));
                            }
                            Value::Number(n) if n.is_nan() => {
                                return Err(Stop::Raised(raw_error("table index is NaN")));
                            }
                            _ => {}
                        }
                        self.build(ENTRY_COST)?;
                        table.raw_set(k, value)?;
                        self.top -= 2;
                        *left -= 1;
                        if *left > 0 {
                            break;
                        }
                    }
                }
                let Some(Frame::Array { table, .. } | Frame::Map { table, .. }) = frames.pop()
                else {
                    return Err(Stop::Raised(raw_error("cmsgpack: no table")));
                };
                value = Value::Table(table);
            }
        }
    }
}

/// An error raised by Lua itself inside the library (no place named).
fn raw_error(text: &str) -> omnilua::Error {
    omnilua::Error::from(LuaError::RuntimeMsg(text.as_bytes().into()))
}

/// The library's `mp_unpack_full`: decodes up to `limit` values from `offset` (both 0: all
/// values, without the offset), with `top` stack slots in use by the arguments.
fn unpack(
    lua: &Lua,
    getinfo: &Function,
    argv: &[Value],
    top: usize,
    limit: i64,
    offset: i64,
) -> omnilua::Result<Variadic<Value>> {
    let data = check_bytes(getinfo, argv, 1)?;
    let len = data.len();
    let decode_all = limit == 0 && offset == 0;
    if offset < 0 || limit < 0 {
        // The library prints the input's length where it means the limit.
        return Err(error(
            getinfo,
            &format!(
                "Invalid request to unpack with offset of {} and limit of {}.",
                offset as i32, len as i32
            ),
        ));
    }
    if offset as u64 > len as u64 {
        return Err(error(
            getinfo,
            &format!(
                "Start offset {} greater than input length {}.",
                offset as i32, len as i32
            ),
        ));
    }
    let limit = if decode_all {
        i64::from(i32::MAX)
    } else {
        limit
    };
    let mut decoder = Decoder {
        lua,
        getinfo,
        data: &data,
        at: offset as usize,
        top,
        built: 0,
    };
    let mut values = Vec::new();
    let mut count = 0i64;
    while decoder.left() > 0 && count < limit {
        match decoder.value() {
            Ok(value) => values.push(value),
            Err(Stop::Missing) => return Err(error(getinfo, "Missing bytes in input.")),
            Err(Stop::BadFormat) => return Err(error(getinfo, "Bad data format in input.")),
            Err(Stop::Raised(e)) => return Err(e),
        }
        count += 1;
    }
    if !decode_all {
        check_stack(getinfo, decoder.top, 1, "in function mp_unpack_full")?;
        let next = if decoder.left() == 0 {
            -1.0
        } else {
            decoder.at as f64
        };
        values.insert(0, Value::Number(next));
    }
    Ok(Variadic::from(values))
}
