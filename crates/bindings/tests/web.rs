//! The JS class in a real browser: commands round-trip through `exec` and `execLine`.
#![cfg(target_arch = "wasm32")]

use bindings::JsEngine;
use js_sys::Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn argv(words: &[&str]) -> Array {
    words.iter().map(|w| JsValue::from_str(w)).collect()
}

#[wasm_bindgen_test]
fn exec_returns_js_values() {
    let mut engine = JsEngine::new();
    let c = engine.connect();
    assert_eq!(
        engine
            .exec(c, &argv(&["SET", "foo", "bar"]))
            .as_string()
            .as_deref(),
        Some("OK")
    );
    assert_eq!(
        engine
            .exec(c, &argv(&["GET", "foo"]))
            .as_string()
            .as_deref(),
        Some("bar")
    );
    assert!(engine.exec(c, &argv(&["GET", "missing"])).is_null());
    assert_eq!(
        engine.exec(c, &argv(&["DEL", "foo", "x"])).as_f64(),
        Some(1.0)
    );
    let err = engine.exec(c, &argv(&["NOPE"]));
    let err: js_sys::Error = err.into();
    assert_eq!(
        String::from(err.message()),
        "ERR unknown command 'NOPE', with args beginning with: "
    );
}

#[wasm_bindgen_test]
fn exec_line_prints_like_redis_cli() {
    let mut engine = JsEngine::new();
    let c = engine.connect();
    assert_eq!(engine.exec_line(c, "SET k \"a b\""), "OK\n");
    assert_eq!(engine.exec_line(c, "GET k"), "\"a b\"\n");
    assert_eq!(
        engine.exec_line(c, "GET k extra"),
        "(error) ERR wrong number of arguments for 'get' command\n"
    );
}
