//! The JS class in a real browser: commands, buffers, events and command lists round-trip.
#![cfg(target_arch = "wasm32")]

use bindings::JsEngine;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn argv(words: &[&str]) -> Array {
    words.iter().map(|w| JsValue::from_str(w)).collect()
}

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &name.into()).expect("a property")
}

#[wasm_bindgen_test]
fn exec_returns_js_values() {
    let engine = JsEngine::new();
    let c = engine.connect().expect("connect");
    let exec = |words: &[&str]| engine.exec(c, &argv(words)).expect("exec");
    assert_eq!(
        exec(&["SET", "foo", "bar"]).as_string().as_deref(),
        Some("OK")
    );
    assert_eq!(exec(&["GET", "foo"]).as_string().as_deref(), Some("bar"));
    assert!(exec(&["GET", "missing"]).is_null());
    let bytes: Uint8Array = engine
        .exec_buffer(c, &argv(&["GET", "foo"]))
        .expect("exec")
        .into();
    assert_eq!(bytes.to_vec(), b"bar");
    assert_eq!(exec(&["DEL", "foo", "x"]).as_f64(), Some(1.0));
    let err: js_sys::Error = exec(&["NOPE"]).into();
    assert_eq!(
        String::from(err.message()),
        "ERR unknown command 'NOPE', with args beginning with: "
    );
}

#[wasm_bindgen_test]
fn binary_arguments_pass_as_bytes() {
    let engine = JsEngine::new();
    let c = engine.connect().expect("connect");
    let value = Uint8Array::from(&[0u8, 0xff, 0x80][..]);
    let args: Array = [
        JsValue::from_str("SET"),
        JsValue::from_str("bin"),
        value.into(),
    ]
    .into_iter()
    .collect();
    engine.exec(c, &args).expect("exec");
    let back: Uint8Array = engine
        .exec_buffer(c, &argv(&["GET", "bin"]))
        .expect("exec")
        .into();
    assert_eq!(back.to_vec(), [0u8, 0xff, 0x80]);
}

#[wasm_bindgen_test]
fn exec_line_prints_like_redis_cli() {
    let engine = JsEngine::new();
    let c = engine.connect().expect("connect");
    assert_eq!(engine.exec_line(c, "SET k \"a b\"").expect("line"), "OK\n");
    assert_eq!(engine.exec_line(c, "GET k").expect("line"), "\"a b\"\n");
    assert_eq!(
        engine.exec_line(c, "GET k extra").expect("line"),
        "(error) ERR wrong number of arguments for 'get' command\n"
    );
}

#[wasm_bindgen_test]
fn events_and_command_lists_reach_js() {
    let engine = JsEngine::new();
    let c = engine.connect().expect("connect");
    for words in [&["GET", "k"][..], &["SET", "k", "v"], &["GET", "k"]] {
        engine.exec(c, &argv(words)).expect("exec");
    }
    let kinds: Vec<String> = engine
        .events_after(0.0, 10)
        .expect("events")
        .iter()
        .filter_map(|e| field(&e, "kind").as_string())
        .collect();
    assert_eq!(kinds, ["miss", "write", "hit"]);
    assert_eq!(engine.events_after(2.0, 10).expect("events").length(), 1);
    let names: Vec<String> = JsEngine::redis_command_names()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    assert!(names.iter().any(|n| n == "xadd") && names.len() >= 200);
    assert!(
        JsEngine::commands()
            .iter()
            .any(|c| field(&c, "name").as_string().as_deref() == Some("get"))
    );
}

#[wasm_bindgen_test]
fn call_returns_every_reply_and_pushes_arrive_later() {
    let engine = JsEngine::new();
    let sub = engine.connect().expect("connect");
    let publisher = engine.connect().expect("connect");
    let confirmations = engine
        .call(sub, &argv(&["SUBSCRIBE", "a", "b"]), false)
        .expect("call");
    assert_eq!(confirmations.length(), 2);
    let delivered = engine
        .call(publisher, &argv(&["PUBLISH", "b", "hi"]), false)
        .expect("call");
    assert_eq!(delivered.get(0).as_f64(), Some(1.0));
    let pushes = engine.take_output(sub, false).expect("output");
    let message: Array = pushes.get(0).into();
    let parts: Vec<String> = message.iter().filter_map(|v| v.as_string()).collect();
    assert_eq!(parts, ["message", "b", "hi"]);
    assert!(engine.is_connected(sub).expect("state"));
    engine.call(sub, &argv(&["QUIT"]), false).expect("call");
    assert!(!engine.is_connected(sub).expect("state"));
    assert_eq!(engine.next_deadline().expect("deadline"), None);
}

#[wasm_bindgen_test]
fn crash_restart_keeps_what_was_saved_and_closes_connections() {
    let engine = JsEngine::new();
    engine.set_time(1_767_225_600_000.0).expect("set time");
    let c = engine.connect().expect("connect");
    engine.exec(c, &argv(&["SET", "saved", "1"])).expect("exec");
    engine.exec(c, &argv(&["SAVE"])).expect("exec");
    engine.exec(c, &argv(&["SET", "lost", "1"])).expect("exec");
    let restart = engine.crash_restart().expect("crash");
    assert_eq!(
        field(&restart, "source").as_string().as_deref(),
        Some("rdb")
    );
    assert_eq!(field(&restart, "keys").as_f64(), Some(1.0));
    assert_eq!(field(&restart, "commandsReplayed").as_f64(), Some(0.0));
    assert_eq!(engine.is_connected(c).ok(), Some(false));
    let c = engine.connect().expect("connect");
    assert_eq!(
        engine.exec(c, &argv(&["DBSIZE"])).expect("exec").as_f64(),
        Some(1.0)
    );
}
