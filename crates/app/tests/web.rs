//! The app mounted in a real browser: a command typed in the console reaches the engine.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlInputElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

fn by_test_id(id: &str) -> web_sys::Element {
    document()
        .query_selector(&format!("[data-testid={id}]"))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

/// Leptos applies updates asynchronously: wait one macrotask.
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback(&resolve)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("timer");
}

async fn type_line(line: &str) {
    let input: HtmlInputElement = by_test_id("console-input").dyn_into().expect("an input");
    input.set_value(line);
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    input.dispatch_event(&event).expect("dispatch");
    tick().await;
}

#[wasm_bindgen_test]
async fn console_runs_commands_against_the_engine() {
    leptos::mount::mount_to_body(app::App);
    tick().await;
    type_line("SET foo bar").await;
    type_line("GET foo").await;
    type_line("GET foo extra").await;
    let text = by_test_id("console-output")
        .text_content()
        .unwrap_or_default();
    assert!(text.contains("SET foo bar"), "{text}");
    assert!(text.contains("OK\n"), "{text}");
    assert!(text.contains("\"bar\"\n"), "{text}");
    assert!(
        text.contains("(error) ERR wrong number of arguments for 'get' command"),
        "{text}"
    );
    let input: HtmlInputElement = by_test_id("console-input").dyn_into().expect("an input");
    assert_eq!(input.value(), "", "the input is cleared after Enter");
}
