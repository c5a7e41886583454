//! The `cjson` library Redis gives scripts (lua-cjson 2.1 with Redis's settings): `encode`,
//! `decode` and `null`, with its output and its error texts. Written here after the library's
//! documented behaviour, checked against redis-server by `scripting-cjson.redis`.

use omnilua::{Function, Lua, LuaError, Table, Value, Variadic};

/// How deep `encode` and `decode` go: 1000 in Redis (lua-cjson's `encode_max_depth` and
/// `decode_max_depth`), 200 here, where both recurse on the native stack (1000 levels do not fit
/// in the 2 MB of a thread in a debug build).
const MAX_DEPTH: usize = 200;

/// The `cjson` table's functions: `(encode, decode)`. `getinfo` is `debug.getinfo`, for the
/// place an error names (as `luaL_error` does).
pub fn functions(lua: &Lua, getinfo: &Function) -> omnilua::Result<(Function, Function)> {
    let where_encode = getinfo.clone();
    let encode = lua.create_function(move |lua, argv: Variadic<Value>| {
        let [value] = argv.as_slice() else {
            return Err(arg_error(&where_encode, 1, "expected 1 argument"));
        };
        let mut out = Vec::new();
        match encode_value(value, 1, &mut out)? {
            Ok(()) => lua.create_string(&out),
            Err(message) => Err(error(&where_encode, &message)),
        }
    })?;
    let where_decode = getinfo.clone();
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
        let mut parser = Parser {
            lua,
            text: text.get(..end).unwrap_or_default(),
            at: 0,
            depth: 0,
        };
        match parser.document()? {
            Ok(value) => Ok(value),
            Err(message) => Err(error(&where_decode, &message)),
        }
    })?;
    Ok((encode, decode))
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
        (true, _) => format!("bad argument #{} to '{name}' ({problem})", index - 1),
        (false, _) => format!("bad argument #{index} to '{name}' ({problem})"),
    };
    error(getinfo, &message)
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
) -> omnilua::Result<Result<(), String>> {
    match value {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(p) if p.is_null() => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Integer(n) => {
            if let Err(e) = encode_number(*n as f64, out) {
                return Ok(Err(e));
            }
        }
        Value::Number(n) => {
            if let Err(e) = encode_number(*n, out) {
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
        Value::Table(t) => return encode_table(t, depth, out),
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

fn encode_number(n: f64, out: &mut Vec<u8>) -> Result<(), String> {
    if !n.is_finite() {
        return Err("Cannot serialise number: must not be NaN or Inf".to_string());
    }
    out.extend_from_slice(crate::num::format_g(n, 14).as_bytes());
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

fn encode_table(t: &Table, depth: usize, out: &mut Vec<u8>) -> omnilua::Result<Result<(), String>> {
    if depth > MAX_DEPTH {
        return Ok(Err(format!(
            "Cannot serialise, excessive nesting ({depth})"
        )));
    }
    let pairs = t.raw_pairs()?;
    // An array when every key is a positive whole number, not too sparse (lua-cjson's
    // encode_sparse_ratio 2 and encode_sparse_safe 10).
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
    if array && max > 0.0 {
        if max > (items * 2) as f64 && max > 10.0 {
            return Ok(Err(
                "Cannot serialise table: excessively sparse array".to_string()
            ));
        }
        out.push(b'[');
        let len = max as usize;
        for i in 1..=len {
            if i > 1 {
                out.push(b',');
            }
            let item: Value = t.raw_get(i)?;
            if let Err(e) = encode_value(&item, depth + 1, out)? {
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
                if let Err(e) = encode_number(n, out) {
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
        if let Err(e) = encode_value(v, depth + 1, out)? {
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
        } else if ch == b'-' || ch.is_ascii_digit() || invalid_number(rest) {
            self.number()
        } else if rest.starts_with(b"true") {
            self.at += 4;
            Token::Boolean(true)
        } else if rest.starts_with(b"false") {
            self.at += 5;
            Token::Boolean(false)
        } else if rest.starts_with(b"null") {
            self.at += 4;
            Token::Null
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
        if self.depth > MAX_DEPTH {
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
