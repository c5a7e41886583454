//! The engine as a JavaScript class (`Engine`), used by the npm package in Node and by the page.
//!
//! Replies become plain JS values as ioredis delivers them: bulk strings as strings (or
//! `Uint8Array`s from the `…Buffer` methods), integers as numbers, nil as `null`, arrays as arrays,
//! status replies as strings, and error replies as `Error` objects whose message is Redis's text
//! (the JS client turns them into `ReplyError`s). The page's app shares its engine with JS through
//! [`JsEngine::shared`], so the console, panels and learner scripts see one keyspace.

#[cfg(feature = "split")]
mod lazy;
#[cfg(feature = "wire")]
pub mod wire;

use std::cell::RefCell;
use std::rc::Rc;

use engine::cli::{LineOutcome, run_line};
use engine::{Engine, Reply};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

/// A Redis server in memory on a virtual clock.
#[wasm_bindgen(js_name = Engine)]
pub struct JsEngine {
    inner: Rc<RefCell<Engine>>,
}

impl JsEngine {
    /// A JS handle on an engine the Rust side also holds (the page's single engine).
    pub fn shared(engine: Rc<RefCell<Engine>>) -> JsEngine {
        JsEngine { inner: engine }
    }

    /// Runs `f` on the engine; a re-entrant call (JS called back into the engine while Rust held
    /// it) gets an error instead of a panic.
    fn with<T>(&self, f: impl FnOnce(&mut Engine) -> T) -> Result<T, JsValue> {
        let mut engine = self
            .inner
            .try_borrow_mut()
            .map_err(|_| JsValue::from(js_sys::Error::new("the engine is busy")))?;
        Ok(f(&mut engine))
    }
}

/// How bulk strings are handed to JS.
#[derive(Clone, Copy)]
enum Bulk {
    Text,
    Bytes,
}

#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// An empty server at virtual time 0.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> JsEngine {
        JsEngine {
            inner: Rc::new(RefCell::new(Engine::new())),
        }
    }

    /// Opens a client connection and returns its id.
    pub fn connect(&self) -> Result<f64, JsValue> {
        self.with(|e| e.connect() as f64)
    }

    /// Closes a client connection.
    pub fn disconnect(&self, client: f64) -> Result<(), JsValue> {
        self.with(|e| e.disconnect(client as u64))
    }

    /// Runs one command and returns its reply. `argv` holds strings (sent as UTF-8),
    /// `Uint8Array`s, or other values (sent as their string form). Bulk replies come back as
    /// strings. For commands answering several times, or blocking, use `call`.
    pub fn exec(&self, client: f64, argv: &Array) -> Result<JsValue, JsValue> {
        let argv = args(argv);
        self.with(|e| to_js(&e.exec(client as u64, &argv), Bulk::Text))
    }

    /// Like `exec`, with bulk replies as `Uint8Array`s.
    #[wasm_bindgen(js_name = execBuffer)]
    pub fn exec_buffer(&self, client: f64, argv: &Array) -> Result<JsValue, JsValue> {
        let argv = args(argv);
        self.with(|e| to_js(&e.exec(client as u64, &argv), Bulk::Bytes))
    }

    /// Runs one command and returns everything the connection receives because of it, in
    /// order: messages pushed to it during the command, then the command's replies (none while
    /// a blocking command waits; one per channel for `SUBSCRIBE a b`). `buffers`: bulk replies
    /// as `Uint8Array`s.
    pub fn call(&self, client: f64, argv: &Array, buffers: bool) -> Result<Array, JsValue> {
        let argv = args(argv);
        let mode = if buffers { Bulk::Bytes } else { Bulk::Text };
        self.with(|e| {
            e.call(client as u64, &argv)
                .iter()
                .map(|r| to_js(r, mode))
                .collect()
        })
    }

    /// Takes what the connection received since it was last read (messages published by
    /// others, the reply of a blocking command once served), oldest first.
    #[wasm_bindgen(js_name = takeOutput)]
    pub fn take_output(&self, client: f64, buffers: bool) -> Result<Array, JsValue> {
        let mode = if buffers { Bulk::Bytes } else { Bulk::Text };
        self.with(|e| {
            e.take_output(client as u64)
                .iter()
                .map(|r| to_js(r, mode))
                .collect()
        })
    }

    /// The connections with output waiting to be read, in the order Redis would write it (the
    /// one whose output began to wait last first): a host hands the outputs over in this order,
    /// as sockets would deliver them.
    #[wasm_bindgen(js_name = pendingOutput)]
    pub fn pending_output(&self) -> Result<Vec<f64>, JsValue> {
        self.with(|e| e.pending_output().into_iter().map(|id| id as f64).collect())
    }

    /// Whether some connection has output waiting to be read.
    #[wasm_bindgen(js_name = hasPendingOutput)]
    pub fn has_pending_output(&self) -> Result<bool, JsValue> {
        self.with(|e| e.has_pending_output())
    }

    /// Whether the connection waits in a blocking command.
    #[wasm_bindgen(js_name = isBlocked)]
    pub fn is_blocked(&self, client: f64) -> Result<bool, JsValue> {
        self.with(|e| e.is_blocked(client as u64))
    }

    /// Whether the connection is open (QUIT and CLIENT KILL close it).
    #[wasm_bindgen(js_name = isConnected)]
    pub fn is_connected(&self, client: f64) -> Result<bool, JsValue> {
        self.with(|e| e.is_connected(client as u64))
    }

    /// The virtual time at which the next blocked client times out, or `null`: a host that
    /// follows wall time advances the clock then.
    #[wasm_bindgen(js_name = nextDeadline)]
    pub fn next_deadline(&self) -> Result<Option<f64>, JsValue> {
        self.with(|e| e.next_deadline().map(|d| d as f64))
    }

    /// The virtual time at which a host following wall time should move the clock although no
    /// command comes (a blocked client's timeout, a key expiring that a connection would hear
    /// of), or `null`.
    #[wasm_bindgen(js_name = nextWakeup)]
    pub fn next_wakeup(&self) -> Result<Option<f64>, JsValue> {
        self.with(|e| e.next_wakeup().map(|d| d as f64))
    }

    /// Runs a typed line as redis-cli would and returns what it prints.
    #[wasm_bindgen(js_name = execLine)]
    pub fn exec_line(&self, client: f64, line: &str) -> Result<String, JsValue> {
        self.with(|e| match run_line(e, client as u64, line.as_bytes()) {
            LineOutcome::Print(text) => text,
            LineOutcome::Help(help) => engine::cli::help_text(&help),
            LineOutcome::Quit | LineOutcome::Clear => String::new(),
        })
    }

    /// Current virtual time in milliseconds.
    pub fn now(&self) -> Result<f64, JsValue> {
        self.with(|e| e.now_ms() as f64)
    }

    /// Moves the virtual clock forward.
    pub fn advance(&self, ms: f64) -> Result<(), JsValue> {
        self.with(|e| e.advance(ms as i64))
    }

    /// Sets the virtual clock (never backwards).
    #[wasm_bindgen(js_name = setTime)]
    pub fn set_time(&self, ms: f64) -> Result<(), JsValue> {
        self.with(|e| e.set_time(ms as i64))
    }

    /// Simulates a crash of the machine and a restart of the server (see the engine's
    /// `crash_restart`): every connection closes, and the data is what was on disk — the
    /// fsynced append-only file with `appendonly yes`, else the last RDB save, else nothing.
    /// Answers `{source, keys, commandsReplayed}` (`source`: `"aof"`, `"rdb"` or `"none"`).
    /// In the page build, the code of every command family must be loaded first (the restart
    /// replays the append-only file): else it throws, and `takeMissingFamily()` names one.
    #[wasm_bindgen(js_name = crashRestart)]
    pub fn crash_restart(&self) -> Result<JsValue, JsValue> {
        #[cfg(feature = "split")]
        if let Some(family) = lazy::first_unloaded() {
            return Err(js_sys::Error::new(&format!(
                "the code of the {} commands is not loaded yet",
                family.name()
            ))
            .into());
        }
        self.with(|e| {
            let restart = e.crash_restart();
            let o = Object::new();
            set(&o, "source", &JsValue::from_str(restart.source.as_str()));
            set(&o, "keys", &JsValue::from_f64(restart.keys as f64));
            set(
                &o,
                "commandsReplayed",
                &JsValue::from_f64(restart.commands_replayed as f64),
            );
            JsValue::from(o)
        })
    }

    /// The sequence number of the last event logged (0 before any): a mark for `eventsAfter`.
    #[wasm_bindgen(js_name = lastEventSeq)]
    pub fn last_event_seq(&self) -> Result<f64, JsValue> {
        self.with(|e| e.events().last_seq() as f64)
    }

    /// Events logged after sequence number `seq`, at most `limit`, oldest first: objects
    /// `{seq, time, client, db, kind, key, command}` (`kind`: hit, miss, write, del, expired,
    /// evicted; `key` decoded as UTF-8 for display).
    #[wasm_bindgen(js_name = eventsAfter)]
    pub fn events_after(&self, seq: f64, limit: u32) -> Result<Array, JsValue> {
        self.with(|e| {
            e.events()
                .after(seq as u64)
                .take(limit as usize)
                .map(|ev| {
                    let o = Object::new();
                    set(&o, "seq", &JsValue::from_f64(ev.seq as f64));
                    set(&o, "time", &JsValue::from_f64(ev.time_ms as f64));
                    set(&o, "client", &JsValue::from_f64(ev.client as f64));
                    set(&o, "db", &JsValue::from_f64(f64::from(ev.db)));
                    set(&o, "kind", &JsValue::from_str(ev.kind.as_str()));
                    set(
                        &o,
                        "key",
                        &JsValue::from_str(&String::from_utf8_lossy(&ev.key)),
                    );
                    set(&o, "command", &JsValue::from_str(ev.command));
                    JsValue::from(o)
                })
                .collect()
        })
    }

    /// The name of every Redis 7.0 command (lowercase), implemented here or not.
    #[wasm_bindgen(js_name = redisCommandNames)]
    pub fn redis_command_names() -> Array {
        engine::redis_command_names()
            .map(JsValue::from_str)
            .collect()
    }

    /// The implemented commands: objects `{name, arity, group, since, summary, syntax,
    /// subcommands}` sorted by name, for completion, hints and help.
    pub fn commands() -> Array {
        fn describe(spec: &engine::CommandSpec) -> JsValue {
            let o = Object::new();
            set(&o, "name", &JsValue::from_str(&spec.name));
            set(&o, "arity", &JsValue::from_f64(f64::from(spec.arity)));
            set(&o, "group", &JsValue::from_str(&spec.group));
            set(&o, "since", &JsValue::from_str(&spec.since));
            set(&o, "summary", &JsValue::from_str(spec.summary));
            set(&o, "syntax", &JsValue::from_str(&spec.syntax));
            let subs: Array = spec.subcommands.iter().map(describe).collect();
            set(&o, "subcommands", &subs);
            o.into()
        }
        engine::Registry::get()
            .commands()
            .into_iter()
            .map(describe)
            .collect()
    }
}

fn set(o: &Object, key: &str, value: &JsValue) {
    // Setting a property on a plain object we just created cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}

/// JS arguments as bytes: strings as UTF-8, `Uint8Array`s as they are, anything else by its
/// string form.
fn args(argv: &Array) -> Vec<Vec<u8>> {
    argv.iter()
        .map(|v| {
            if let Some(s) = v.as_string() {
                s.into_bytes()
            } else if v.is_instance_of::<Uint8Array>() {
                Uint8Array::from(v).to_vec()
            } else {
                String::from(js_sys::JsString::from(v)).into_bytes()
            }
        })
        .collect()
}

/// An integer reply as the number a JavaScript Redis client reads: the RESP parsers of ioredis
/// (redis-parser) and node-redis build it digit by digit in floating point (`n = n * 10 + d`,
/// then the sign), which past 2^53 is not always the nearest double: 9223372036854775807 reads
/// as 9223372036854778000. Code written against this client must see the numbers it will see
/// against a real server.
#[must_use]
pub fn js_number(n: i64) -> f64 {
    const EXACT: u64 = 1 << 53;
    let magnitude = n.unsigned_abs();
    if magnitude <= EXACT {
        // Every step of the parser's sum is exact here, so it is the plain conversion.
        return n as f64;
    }
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = magnitude;
    while rest > 0 {
        digits[len] = (rest % 10) as u8;
        rest /= 10;
        len += 1;
    }
    let mut value = 0.0_f64;
    for &digit in digits[..len].iter().rev() {
        value = value * 10.0 + f64::from(digit);
    }
    if n < 0 { -value } else { value }
}

/// A bulk string as a JS string or `Uint8Array`.
fn bulk_to_js(bytes: &[u8], bulk: Bulk) -> JsValue {
    match bulk {
        Bulk::Text => JsValue::from_str(&String::from_utf8_lossy(bytes)),
        Bulk::Bytes => Uint8Array::from(bytes).into(),
    }
}

/// A reply as a JS value.
fn to_js(reply: &Reply, bulk: Bulk) -> JsValue {
    match reply {
        Reply::Status(s) => JsValue::from_str(s),
        Reply::Error(e) => js_sys::Error::new(e).into(),
        Reply::Integer(n) => JsValue::from_f64(js_number(*n)),
        Reply::Bulk(b) => bulk_to_js(b, bulk),
        Reply::Verbatim(_, b) => bulk_to_js(b, bulk),
        Reply::Nil | Reply::NilArray => JsValue::NULL,
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => items
            .iter()
            .map(|r| to_js(r, bulk))
            .collect::<Array>()
            .into(),
        Reply::Map(pairs) => pairs
            .iter()
            .flat_map(|(k, v)| [to_js(k, bulk), to_js(v, bulk)])
            .collect::<Array>()
            .into(),
        Reply::Double(d) | Reply::HumanDouble(d) => JsValue::from_f64(*d),
        Reply::Bool(b) => JsValue::from_bool(*b),
    }
}

#[cfg(test)]
mod number_tests {
    use super::js_number;

    #[test]
    fn integers_read_as_the_javascript_resp_parsers_read_them() {
        // The bits redis-parser (ioredis) gives for each reply, taken from Node.
        for (n, bits) in [
            (i64::MAX, 0x43e0_0000_0000_0001_u64),
            (i64::MIN, 0xc3e0_0000_0000_0001),
            (9_007_199_254_740_993, 0x4340_0000_0000_0000),
            (-1_152_921_504_606_846_976, 0xc3af_ffff_ffff_fffe),
            (4_611_686_018_427_387_904, 0x43d0_0000_0000_0000),
            (12_345_678_901_234_567, 0x4345_ee2a_2eb5_a5c4),
        ] {
            assert_eq!(js_number(n).to_bits(), bits, "{n}");
        }
        for n in [0, 1, -1, 42, -(1 << 53), 1 << 53, i64::from(i32::MAX)] {
            assert_eq!(js_number(n).to_bits(), (n as f64).to_bits());
        }
    }
}
