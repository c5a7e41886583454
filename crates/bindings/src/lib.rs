//! The engine as a JavaScript class: `new Engine()`, `connect()`, `exec(client, argv)`,
//! `execLine(client, line)` and the virtual clock. Replies become plain JS values.

use engine::Reply;
use engine::cli::{LineOutcome, run_line};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

/// A Redis server in memory on a virtual clock.
#[wasm_bindgen(js_name = Engine)]
pub struct JsEngine {
    inner: engine::Engine,
}

#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// An empty server at virtual time 0.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> JsEngine {
        JsEngine {
            inner: engine::Engine::new(),
        }
    }

    /// Opens a client connection and returns its id.
    pub fn connect(&mut self) -> f64 {
        self.inner.connect() as f64
    }

    /// Runs one command. `argv` holds strings (UTF-8 encoded) or `Uint8Array`s. The reply is a
    /// string, number, `null`, array, or an `Error` whose message is Redis's error text.
    pub fn exec(&mut self, client: f64, argv: &Array) -> JsValue {
        let argv: Vec<Vec<u8>> = argv.iter().map(|v| arg_bytes(&v)).collect();
        to_js(&self.inner.exec(client as u64, &argv))
    }

    /// Runs a typed line as redis-cli would and returns what it prints.
    #[wasm_bindgen(js_name = execLine)]
    pub fn exec_line(&mut self, client: f64, line: &str) -> String {
        match run_line(&mut self.inner, client as u64, line.as_bytes()) {
            LineOutcome::Print(text) => text,
            LineOutcome::Quit | LineOutcome::Clear => String::new(),
        }
    }

    /// Current virtual time in milliseconds.
    pub fn now(&self) -> f64 {
        self.inner.now_ms() as f64
    }

    /// Moves the virtual clock forward.
    pub fn advance(&mut self, ms: f64) {
        self.inner.advance(ms as i64);
    }

    /// Sets the virtual clock (never backwards).
    #[wasm_bindgen(js_name = setTime)]
    pub fn set_time(&mut self, ms: f64) {
        self.inner.set_time(ms as i64);
    }
}

/// A JS argument as bytes: `Uint8Array` as is, anything else by its string form.
fn arg_bytes(value: &JsValue) -> Vec<u8> {
    if let Some(s) = value.as_string() {
        s.into_bytes()
    } else if value.is_instance_of::<Uint8Array>() {
        Uint8Array::from(value.clone()).to_vec()
    } else {
        String::from(js_sys::JsString::from(value.clone())).into_bytes()
    }
}

/// A reply as a JS value.
fn to_js(reply: &Reply) -> JsValue {
    match reply {
        Reply::Status(s) => JsValue::from_str(s),
        Reply::Error(e) => js_sys::Error::new(e).into(),
        Reply::Integer(n) => JsValue::from_f64(*n as f64),
        Reply::Bulk(b) | Reply::Verbatim(_, b) => JsValue::from_str(&String::from_utf8_lossy(b)),
        Reply::Nil | Reply::NilArray => JsValue::NULL,
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            items.iter().map(to_js).collect::<Array>().into()
        }
        Reply::Map(pairs) => pairs
            .iter()
            .flat_map(|(k, v)| [to_js(k), to_js(v)])
            .collect::<Array>()
            .into(),
        Reply::Double(d) => JsValue::from_f64(*d),
        Reply::Bool(b) => JsValue::from_bool(*b),
    }
}
