//! The `cjson` library Redis gives scripts (lua-cjson 2.1 with Redis's settings): `encode`,
//! `decode`, `null`, `new` and the settings functions (`encode_sparse_array`,
//! `encode_max_depth`, `decode_max_depth`, `encode_number_precision`, `encode_keep_buffer`,
//! `encode_invalid_numbers`, `decode_invalid_numbers`), with its output and its error texts.
//! Written here after the library's documented behaviour, checked against redis-server by
//! `scripting-cjson.redis` and `scripting-cjson-settings.redis`.

use std::cell::Cell;
use std::rc::Rc;

use omnilua::{Function, Lua, LuaError, Table, Value, Variadic};

/// How deep `encode` and `decode` go at most, whatever `encode_max_depth` and `decode_max_depth`
/// say (1000 by default in Redis): both recurse on the native stack, and 1000 levels do not fit
/// in the 2 MB of a thread in a debug build.
const MAX_DEPTH: usize = 200;

/// The library's settings, which its settings functions read and change; they last as long as
/// the Lua state (in Redis: until `SCRIPT FLUSH` makes a new one).
#[derive(Debug, Clone, Copy)]
pub struct Config {
    sparse_convert: bool,
    sparse_ratio: i32,
    sparse_safe: i32,
    encode_max_depth: i32,
    decode_max_depth: i32,
    /// 0: an error; 1: written as `inf`, `-inf`, `nan`; 2: written as `null`.
    encode_invalid_numbers: usize,
    decode_invalid_numbers: bool,
    keep_buffer: bool,
    precision: i32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            sparse_convert: false,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            decode_max_depth: 1000,
            encode_invalid_numbers: 0,
            decode_invalid_numbers: true,
            keep_buffer: true,
            precision: 14,
        }
    }
}

/// The settings of one `cjson` table, shared by its functions.
pub type Settings = Rc<Cell<Config>>;

/// The depth a setting allows, within [`MAX_DEPTH`].
fn depth_limit(setting: i32) -> usize {
    usize::try_from(setting).unwrap_or(0).min(MAX_DEPTH)
}

/// The `cjson` table with the settings `settings`. `getinfo` is `debug.getinfo`, for the place
/// an error names (as `luaL_error` does).
pub fn library(lua: &Lua, getinfo: &Function, settings: &Settings) -> omnilua::Result<Table> {
    let table = lua.create_table()?;
    let (encode, decode) = functions(lua, getinfo, settings)?;
    table.set("encode", encode)?;
    table.set("decode", decode)?;
    settings_functions(lua, getinfo, settings, &table)?;
    let where_new = getinfo.clone();
    let new = lua.create_function(move |lua, _argv: Variadic<Value>| {
        library(lua, &where_new, &Settings::default())
    })?;
    table.set("new", new)?;
    table.set("null", null())?;
    table.set("_NAME", "cjson")?;
    table.set("_VERSION", "2.1.0")?;
    Ok(table)
}

/// The library's `encode` and `decode`.
fn functions(
    lua: &Lua,
    getinfo: &Function,
    settings: &Settings,
) -> omnilua::Result<(Function, Function)> {
    let where_encode = getinfo.clone();
    let encode_settings = settings.clone();
    let encode = lua.create_function(move |lua, argv: Variadic<Value>| {
        let [value] = argv.as_slice() else {
            return Err(arg_error(&where_encode, 1, "expected 1 argument"));
        };
        let mut out = Vec::new();
        match encode_value(value, 1, &mut out, &encode_settings.get())? {
            Ok(()) => lua.create_string(&out),
            Err(message) => Err(error(&where_encode, &message)),
        }
    })?;
    let where_decode = getinfo.clone();
    let decode_settings = settings.clone();
    let decode = lua.create_function(move |lua, argv: Variadic<Value>| {
        let [value] = argv.as_slice() else {
            return Err(arg_error(&where_decode, 1, "expected 1 argument"));
        };
        let text = match value {
            Value::String(s) => s.as_bytes()?,
            Value::Integer(n) => n.to_string().into_bytes(),
            Value::Number(n) => crate::num::format_g(*n, 14).into_bytes(),
            other => {
                let problem = format!("string expected, got {}", type_name(other));
                return Err(arg_error(&where_decode, 1, &problem));
            }
        };
        // The library reads a C string: a NUL ends it.
        let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
        let config = decode_settings.get();
        let mut parser = Parser {
            lua,
            text: text.get(..end).unwrap_or_default(),
            at: 0,
            depth: 0,
            max_depth: depth_limit(config.decode_max_depth),
            invalid_numbers: config.decode_invalid_numbers,
        };
        match parser.document()? {
            Ok(value) => Ok(value),
            Err(message) => Err(error(&where_decode, &message)),
        }
    })?;
    Ok((encode, decode))
}

/// The settings functions, added to `table`: each checks its arguments (at most its count),
/// changes the settings given (in order, so one before an error stays changed) and answers them.
fn settings_functions(
    lua: &Lua,
    getinfo: &Function,
    settings: &Settings,
    table: &Table,
) -> omnilua::Result<()> {
    type Apply = fn(&Lua, &Function, &[Value], &mut Config, &mut Vec<Value>) -> omnilua::Result<()>;
    let all: [(&str, usize, Apply); 7] = [
        ("encode_sparse_array", 3, |lua, g, argv, c, out| {
            let mut convert = usize::from(c.sparse_convert);
            out.push(enum_option(lua, g, argv, 1, &mut convert, &["off", "on"])?);
            c.sparse_convert = convert == 1;
            out.push(integer_option(
                g,
                argv,
                2,
                &mut c.sparse_ratio,
                0,
                i32::MAX,
            )?);
            out.push(integer_option(g, argv, 3, &mut c.sparse_safe, 0, i32::MAX)?);
            Ok(())
        }),
        ("encode_max_depth", 1, |_, g, argv, c, out| {
            out.push(integer_option(
                g,
                argv,
                1,
                &mut c.encode_max_depth,
                1,
                i32::MAX,
            )?);
            Ok(())
        }),
        ("decode_max_depth", 1, |_, g, argv, c, out| {
            out.push(integer_option(
                g,
                argv,
                1,
                &mut c.decode_max_depth,
                1,
                i32::MAX,
            )?);
            Ok(())
        }),
        ("encode_number_precision", 1, |_, g, argv, c, out| {
            out.push(integer_option(g, argv, 1, &mut c.precision, 1, 14)?);
            Ok(())
        }),
        ("encode_keep_buffer", 1, |lua, g, argv, c, out| {
            let mut keep = usize::from(c.keep_buffer);
            out.push(enum_option(lua, g, argv, 1, &mut keep, &["off", "on"])?);
            c.keep_buffer = keep == 1;
            Ok(())
        }),
        ("encode_invalid_numbers", 1, |lua, g, argv, c, out| {
            let options = ["off", "on", "null"];
            out.push(enum_option(
                lua,
                g,
                argv,
                1,
                &mut c.encode_invalid_numbers,
                &options,
            )?);
            Ok(())
        }),
        ("decode_invalid_numbers", 1, |lua, g, argv, c, out| {
            let mut decode = usize::from(c.decode_invalid_numbers);
            out.push(enum_option(lua, g, argv, 1, &mut decode, &["off", "on"])?);
            c.decode_invalid_numbers = decode == 1;
            Ok(())
        }),
    ];
    for (name, count, apply) in all {
        let getinfo = getinfo.clone();
        let settings = settings.clone();
        let f = lua.create_function(move |lua, argv: Variadic<Value>| {
            if argv.len() > count {
                return Err(arg_error(&getinfo, count + 1, "found too many arguments"));
            }
            let mut config = settings.get();
            let mut out = Vec::new();
            let applied = apply(lua, &getinfo, &argv, &mut config, &mut out);
            settings.set(config);
            applied?;
            Ok(Variadic::from(out))
        })?;
        table.set(name, f)?;
    }
    Ok(())
}

/// lua-cjson's `json_integer_option` for argument `index`: a new value if one is given (read as
/// a C int, and checked, as argument 1 whichever it is), and the setting.
fn integer_option(
    getinfo: &Function,
    argv: &[Value],
    index: usize,
    setting: &mut i32,
    min: i32,
    max: i32,
) -> omnilua::Result<Value> {
    let value = index.checked_sub(1).and_then(|i| argv.get(i));
    if value.is_some_and(|v| !matches!(v, Value::Nil)) {
        let n = super::cmsgpack::c_i64(check_number(getinfo, argv, index)?) as i32;
        if !(min..=max).contains(&n) {
            let problem = format!("expected integer between {min} and {max}");
            return Err(arg_error(getinfo, 1, &problem));
        }
        *setting = n;
    }
    Ok(Value::Number(f64::from(*setting)))
}

/// lua-cjson's `json_enum_option` for argument `index`: a boolean, or the name of one of
/// `options`, if given; the setting as a boolean when it is off or on, else its name.
fn enum_option(
    lua: &Lua,
    getinfo: &Function,
    argv: &[Value],
    index: usize,
    setting: &mut usize,
    options: &[&str],
) -> omnilua::Result<Value> {
    let value = index.checked_sub(1).and_then(|i| argv.get(i));
    match value {
        None | Some(Value::Nil) => {}
        Some(Value::Boolean(b)) => *setting = usize::from(*b),
        Some(value) => {
            let name = match value {
                Value::String(s) => s.as_bytes()?,
                Value::Integer(n) => n.to_string().into_bytes(),
                Value::Number(n) => crate::num::format_g(*n, 14).into_bytes(),
                other => {
                    let problem = format!("string expected, got {}", type_name(other));
                    return Err(arg_error(getinfo, index, &problem));
                }
            };
            let Some(found) = options.iter().position(|o| o.as_bytes() == name.as_slice()) else {
                let problem = format!("invalid option '{}'", String::from_utf8_lossy(&name));
                return Err(arg_error(getinfo, index, &problem));
            };
            *setting = found;
        }
    }
    Ok(match *setting {
        0 => Value::Boolean(false),
        1 => Value::Boolean(true),
        n => Value::String(lua.create_string(options.get(n).copied().unwrap_or_default())?),
    })
}

/// `cjson.null`: a light userdata holding NULL, as in lua-cjson.
pub fn null() -> Value {
    Value::LightUserData(std::ptr::null_mut())
}

/// An error as `luaL_error` raises it: the text after the place of the function's caller.
pub(super) fn error(getinfo: &Function, message: &str) -> omnilua::Error {
    let mut text = String::new();
    if let Ok(Value::Table(info)) = getinfo.call::<_, Value>((2, "Sl")) {
        let line = match info.raw_get::<_, Value>("currentline") {
            Ok(Value::Integer(n)) => n,
            Ok(Value::Number(n)) => n as i64,
            _ => -1,
        };
        if let (true, Ok(Value::String(src))) = (line > 0, info.raw_get::<_, Value>("short_src"))
            && let Ok(src) = src.as_bytes()
        {
            text = format!("{}:{line}: ", String::from_utf8_lossy(&src));
        }
    }
    text.push_str(message);
    omnilua::Error::from(LuaError::RuntimeMsg(text.into_bytes().into_boxed_slice()))
}

/// Lua's `luaL_argerror` for argument `index` (from 1) of the running Rust function: the function
/// is named as its caller called it (`?` when that is not known, as through `pcall`), and a
/// method call's first argument is its `self`.
pub(super) fn arg_error(getinfo: &Function, index: usize, problem: &str) -> omnilua::Error {
    let (name, method) = called_as(getinfo);
    let message = match (method, index) {
        (true, 1) => format!("calling '{name}' on bad self ({problem})"),
        // As luaL_argerror: a method's arguments count from its self (so #0, which
        // cmsgpack.pack names for its own errors, reads #-1).
        (true, _) => format!("bad argument #{} to '{name}' ({problem})", index as i64 - 1),
        (false, _) => format!("bad argument #{index} to '{name}' ({problem})"),
    };
    error(getinfo, &message)
}

/// Lua's `luaL_checknumber` for argument `index` (from 1) of the running Rust function: the
/// number it reads as, or the error naming its type ("no value" past the last argument).
pub(super) fn check_number(
    getinfo: &Function,
    argv: &[Value],
    index: usize,
) -> omnilua::Result<f64> {
    let value = index.checked_sub(1).and_then(|i| argv.get(i));
    if let Some(value) = value
        && let Some(n) = super::lua::to_number(value)?
    {
        return Ok(n);
    }
    Err(type_error(getinfo, value, index, "number"))
}

/// Lua's `luaL_typerror` for argument `index` (from 1) of the running Rust function, whose value
/// is `value` (`None` past the last argument: "no value").
pub(super) fn type_error(
    getinfo: &Function,
    value: Option<&Value>,
    index: usize,
    expected: &str,
) -> omnilua::Error {
    let got = value.map_or("no value", type_name);
    arg_error(getinfo, index, &format!("{expected} expected, got {got}"))
}

/// The name the running Rust function was called by (`debug.getinfo(1, "n")`), or `?`, and
/// whether it was called as a method (`bit:band(…)`).
fn called_as(getinfo: &Function) -> (String, bool) {
    let Ok(Value::Table(info)) = getinfo.call::<_, Value>((1, "n")) else {
        return ("?".to_owned(), false);
    };
    let text = |field: &str| match info.raw_get::<_, Value>(field) {
        Ok(Value::String(s)) => s
            .as_bytes()
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
        _ => None,
    };
    let method = text("namewhat").is_some_and(|w| w == "method");
    (text("name").unwrap_or_else(|| "?".to_owned()), method)
}

pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::UserData(_) | Value::LightUserData(_) => "userdata",
        Value::Thread(_) => "thread",
    }
}

/// Appends the JSON of `value`; `Ok(Err(text))` is the library's error.
fn encode_value(
    value: &Value,
    depth: usize,
    out: &mut Vec<u8>,
    config: &Config,
) -> omnilua::Result<Result<(), String>> {
    match value {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(p) if p.is_null() => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Integer(n) => {
            if let Err(e) = encode_number(*n as f64, out, config) {
                return Ok(Err(e));
            }
        }
        Value::Number(n) => {
            if let Err(e) = encode_number(*n, out, config) {
                return Ok(Err(e));
            }
        }
        Value::String(s) => {
            let s = s.as_bytes()?;
            if let Err(e) = room(out, escaped_len(&s)) {
                return Ok(Err(e));
            }
            encode_string(&s, out);
        }
        Value::Table(t) => return encode_table(t, depth, out, config),
        other => {
            return Ok(Err(format!(
                "Cannot serialise {}: type not supported",
                type_name(other)
            )));
        }
    }
    Ok(Ok(()))
}

/// The text grows outside Lua's memory accounting: bounded by the scripts' memory budget.
fn room(out: &[u8], more: usize) -> Result<(), String> {
    if out.len().saturating_add(more) > super::lua::MEMORY_BUDGET {
        return Err("not enough memory".to_string());
    }
    Ok(())
}

/// The length of a string once quoted and escaped.
fn escaped_len(s: &[u8]) -> usize {
    2 + s
        .iter()
        .map(|&b| match b {
            b'"' | b'\\' | b'/' | 8 | 12 | b'\n' | b'\r' | b'\t' => 2,
            0..0x20 | 0x7f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

fn encode_number(n: f64, out: &mut Vec<u8>, config: &Config) -> Result<(), String> {
    if !n.is_finite() {
        match config.encode_invalid_numbers {
            0 => return Err("Cannot serialise number: must not be NaN or Inf".to_string()),
            1 if n.is_nan() => {
                out.extend_from_slice(b"nan");
                return Ok(());
            }
            1 => {}
            _ => {
                out.extend_from_slice(b"null");
                return Ok(());
            }
        }
    }
    let precision = usize::try_from(config.precision).unwrap_or(14);
    out.extend_from_slice(crate::num::format_g(n, precision).as_bytes());
    Ok(())
}

fn encode_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..0x20 | 0x7f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

fn encode_table(
    t: &Table,
    depth: usize,
    out: &mut Vec<u8>,
    config: &Config,
) -> omnilua::Result<Result<(), String>> {
    if depth > depth_limit(config.encode_max_depth) {
        return Ok(Err(format!(
            "Cannot serialise, excessive nesting ({depth})"
        )));
    }
    let pairs = t.raw_pairs()?;
    // An array when every key is a positive whole number, not too sparse (the settings
    // encode_sparse_array: an error past its ratio and safe size, or an object if it converts).
    let mut max = 0.0f64;
    let mut items = 0usize;
    let mut array = true;
    for (k, _) in &pairs {
        let n = match k {
            Value::Integer(n) => *n as f64,
            Value::Number(n) => *n,
            _ => {
                array = false;
                break;
            }
        };
        if n.fract() != 0.0 || n < 1.0 {
            array = false;
            break;
        }
        max = max.max(n);
        items += 1;
    }
    let ratio = f64::from(config.sparse_ratio);
    if array
        && config.sparse_ratio > 0
        && max > items as f64 * ratio
        && max > f64::from(config.sparse_safe)
    {
        if !config.sparse_convert {
            return Ok(Err(
                "Cannot serialise table: excessively sparse array".to_string()
            ));
        }
        array = false;
    }
    if array && max > 0.0 {
        out.push(b'[');
        let len = max as usize;
        // A sparse array the settings allow (`encode_sparse_array(…, 0)`) may be far longer than
        // the table: each element takes two bytes at least.
        if let Err(e) = room(out, len.saturating_mul(2)) {
            return Ok(Err(e));
        }
        for i in 1..=len {
            if i > 1 {
                out.push(b',');
            }
            if let Err(e) = room(out, 4) {
                return Ok(Err(e));
            }
            let item: Value = t.raw_get(i)?;
            if let Err(e) = encode_value(&item, depth + 1, out, config)? {
                return Ok(Err(e));
            }
        }
        out.push(b']');
        return Ok(Ok(()));
    }
    out.push(b'{');
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match k {
            Value::String(s) => {
                let s = s.as_bytes()?;
                if let Err(e) = room(out, escaped_len(&s)) {
                    return Ok(Err(e));
                }
                encode_string(&s, out);
            }
            Value::Integer(_) | Value::Number(_) => {
                let n = match k {
                    Value::Integer(n) => *n as f64,
                    Value::Number(n) => *n,
                    _ => 0.0,
                };
                out.push(b'"');
                if let Err(e) = encode_number(n, out, config) {
                    return Ok(Err(e));
                }
                out.push(b'"');
            }
            other => {
                return Ok(Err(format!(
                    "Cannot serialise {}: table key must be a number or string",
                    type_name(other)
                )));
            }
        }
        out.push(b':');
        if let Err(e) = encode_value(v, depth + 1, out, config)? {
            return Ok(Err(e));
        }
    }
    out.push(b'}');
    Ok(Ok(()))
}

/// lua-cjson's tokens.
enum Token {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str(Vec<u8>),
    Number(f64),
    Boolean(bool),
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

impl Token {
    fn name(&self) -> &'static str {
        match self {
            Token::ObjBegin => "T_OBJ_BEGIN",
            Token::ObjEnd => "T_OBJ_END",
            Token::ArrBegin => "T_ARR_BEGIN",
            Token::ArrEnd => "T_ARR_END",
            Token::Str(_) => "T_STRING",
            Token::Number(_) => "T_NUMBER",
            Token::Boolean(_) => "T_BOOLEAN",
            Token::Null => "T_NULL",
            Token::Colon => "T_COLON",
            Token::Comma => "T_COMMA",
            Token::End => "T_END",
            Token::Error(message) => message,
        }
    }
}

struct Parser<'a> {
    lua: &'a Lua,
    text: &'a [u8],
    at: usize,
    depth: usize,
    /// How deep it may nest (`decode_max_depth`, within [`MAX_DEPTH`]).
    max_depth: usize,
    /// Whether numbers JSON does not have (`inf`, hex, a `+`…) are read (`decode_invalid_numbers`).
    invalid_numbers: bool,
}

/// A parse result: the library's error text on `Err`.
type Parsed<T> = omnilua::Result<Result<T, String>>;

impl Parser<'_> {
    fn document(&mut self) -> Parsed<Value> {
        let (token, index) = self.next_token();
        let value = match self.value(token, index)? {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        };
        let (token, index) = self.next_token();
        if !matches!(token, Token::End) {
            return Ok(Err(expected("the end", &token, index)));
        }
        Ok(Ok(value))
    }

    fn byte(&self, i: usize) -> u8 {
        self.text.get(i).copied().unwrap_or(0)
    }

    /// The next token and the offset where it starts.
    fn next_token(&mut self) -> (Token, usize) {
        while matches!(self.byte(self.at), b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
        let start = self.at;
        let ch = self.byte(start);
        let single = match ch {
            0 => Some(Token::End),
            b'{' => Some(Token::ObjBegin),
            b'}' => Some(Token::ObjEnd),
            b'[' => Some(Token::ArrBegin),
            b']' => Some(Token::ArrEnd),
            b':' => Some(Token::Colon),
            b',' => Some(Token::Comma),
            _ => None,
        };
        if let Some(token) = single {
            if !matches!(token, Token::End) {
                self.at += 1;
            }
            return (token, start);
        }
        let rest = self.text.get(start..).unwrap_or_default();
        let token = if ch == b'"' {
            self.string()
        } else if ch == b'-' || ch.is_ascii_digit() {
            if !self.invalid_numbers && invalid_number(rest) {
                Token::Error("invalid number")
            } else {
                self.number()
            }
        } else if rest.starts_with(b"true") {
            self.at += 4;
            Token::Boolean(true)
        } else if rest.starts_with(b"false") {
            self.at += 5;
            Token::Boolean(false)
        } else if rest.starts_with(b"null") {
            self.at += 4;
            Token::Null
        } else if self.invalid_numbers && invalid_number(rest) {
            self.number()
        } else {
            Token::Error("invalid token")
        };
        let index = match token {
            // An error inside a string is placed where it was found.
            Token::Error(_) => self.at,
            _ => start,
        };
        (token, index)
    }

    fn number(&mut self) -> Token {
        let rest = self.text.get(self.at..).unwrap_or_default();
        let (n, used) = crate::cstr::strtod_prefix(rest);
        if used == 0 {
            return Token::Error("invalid number");
        }
        self.at += used;
        Token::Number(n)
    }

    fn string(&mut self) -> Token {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let ch = self.byte(self.at);
            match ch {
                b'"' => {
                    self.at += 1;
                    return Token::Str(out);
                }
                0 => return Token::Error("unexpected end of string"),
                b'\\' => {
                    let translated = match self.byte(self.at + 1) {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            match self.unicode_escape() {
                                Some((c, used)) => {
                                    let mut buf = [0u8; 4];
                                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                                    self.at += used;
                                }
                                None => return Token::Error("invalid unicode escape code"),
                            }
                            continue;
                        }
                        _ => return Token::Error("invalid escape code"),
                    };
                    out.push(translated);
                    self.at += 2;
                }
                _ => {
                    out.push(ch);
                    self.at += 1;
                }
            }
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.text.get(at..at + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(text, 16).ok()
    }

    /// `\uXXXX` (a surrogate pair: two of them) at the cursor: the character and the bytes used.
    fn unicode_escape(&self) -> Option<(char, usize)> {
        let high = self.hex4(self.at + 2)?;
        if (0xDC00..0xE000).contains(&high) {
            return None;
        }
        if (0xD800..0xDC00).contains(&high) {
            if self.byte(self.at + 6) != b'\\' || self.byte(self.at + 7) != b'u' {
                return None;
            }
            let low = self.hex4(self.at + 8)?;
            if !(0xDC00..0xE000).contains(&low) {
                return None;
            }
            let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            return char::from_u32(c).map(|c| (c, 12));
        }
        char::from_u32(high).map(|c| (c, 6))
    }

    fn value(&mut self, token: Token, index: usize) -> Parsed<Value> {
        Ok(Ok(match token {
            Token::Str(s) => Value::String(self.lua.create_string(&s)?),
            Token::Number(n) => Value::Number(n),
            Token::Boolean(b) => Value::Boolean(b),
            Token::Null => null(),
            Token::ObjBegin => return self.object(),
            Token::ArrBegin => return self.array(),
            other => return Ok(Err(expected("value", &other, index))),
        }))
    }

    fn descend(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(format!(
                "Found too many nested data structures ({}) at character {}",
                self.depth, self.at
            ));
        }
        Ok(())
    }

    fn object(&mut self) -> Parsed<Value> {
        if let Err(e) = self.descend() {
            return Ok(Err(e));
        }
        let table = self.lua.create_table()?;
        let (mut token, mut index) = self.next_token();
        if matches!(token, Token::ObjEnd) {
            self.depth -= 1;
            return Ok(Ok(Value::Table(table)));
        }
        loop {
            let Token::Str(key) = token else {
                return Ok(Err(expected("object key string", &token, index)));
            };
            let (colon, at) = self.next_token();
            if !matches!(colon, Token::Colon) {
                return Ok(Err(expected("colon", &colon, at)));
            }
            let (next, at) = self.next_token();
            let value = match self.value(next, at)? {
                Ok(v) => v,
                Err(e) => return Ok(Err(e)),
            };
            table.raw_set(self.lua.create_string(&key)?, value)?;
            let (after, at) = self.next_token();
            if matches!(after, Token::ObjEnd) {
                self.depth -= 1;
                return Ok(Ok(Value::Table(table)));
            }
            if !matches!(after, Token::Comma) {
                return Ok(Err(expected("comma or object end", &after, at)));
            }
            (token, index) = self.next_token();
        }
    }

    fn array(&mut self) -> Parsed<Value> {
        if let Err(e) = self.descend() {
            return Ok(Err(e));
        }
        let table = self.lua.create_table()?;
        let (mut token, mut index) = self.next_token();
        if matches!(token, Token::ArrEnd) {
            self.depth -= 1;
            return Ok(Ok(Value::Table(table)));
        }
        let mut i = 1usize;
        loop {
            let value = match self.value(token, index)? {
                Ok(v) => v,
                Err(e) => return Ok(Err(e)),
            };
            table.raw_set(i, value)?;
            i += 1;
            let (after, at) = self.next_token();
            if matches!(after, Token::ArrEnd) {
                self.depth -= 1;
                return Ok(Ok(Value::Table(table)));
            }
            if !matches!(after, Token::Comma) {
                return Ok(Err(expected("comma or array end", &after, at)));
            }
            (token, index) = self.next_token();
        }
    }
}

fn expected(what: &str, token: &Token, index: usize) -> String {
    format!(
        "Expected {what} but found {} at character {}",
        token.name(),
        index + 1
    )
}

/// lua-cjson's `json_is_invalid_number`: what only its lenient number reading accepts (a `+`,
/// hex, leading zeros, `inf`, `nan`), which Redis's settings let through to `strtod`.
fn invalid_number(p: &[u8]) -> bool {
    let mut p = p;
    if p.first() == Some(&b'+') {
        return true;
    }
    if p.first() == Some(&b'-') {
        p = p.get(1..).unwrap_or_default();
    }
    match p.first() {
        Some(b'0') => {
            let next = p.get(1).copied().unwrap_or(0);
            (next | 0x20) == b'x' || next.is_ascii_digit()
        }
        Some(c) if *c <= b'9' => false,
        _ => {
            let head = p.get(..3).unwrap_or_default();
            head.eq_ignore_ascii_case(b"inf") || head.eq_ignore_ascii_case(b"nan")
        }
    }
}
