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
        .query_selector(&format!("#app-under-test [data-testid={id}]"))
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

/// Mounts a fresh app into its own container, replacing the previous test's (tests share one
/// page, whose body also holds the test runner's output).
async fn mount_fresh() {
    let doc = document();
    if let Some(old) = doc.get_element_by_id("app-under-test") {
        old.remove();
    }
    let container: web_sys::HtmlElement = doc
        .create_element("div")
        .expect("a div")
        .dyn_into()
        .expect("an element");
    container.set_id("app-under-test");
    doc.body()
        .expect("a body")
        .append_child(&container)
        .expect("append");
    leptos::mount::mount_to(container, app::App).forget();
    tick().await;
}

async fn type_line(line: &str) {
    let input: HtmlInputElement = by_test_id("console-input").dyn_into().expect("an input");
    input.set_value(line);
    // As typing does: the console follows the field through `input` events.
    let typed = web_sys::Event::new("input").expect("event");
    input.dispatch_event(&typed).expect("dispatch");
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    input.dispatch_event(&event).expect("dispatch");
    tick().await;
}

#[wasm_bindgen_test]
async fn console_runs_commands_against_the_engine() {
    mount_fresh().await;
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

#[wasm_bindgen_test]
async fn javascript_shares_the_console_keyspace() {
    mount_fresh().await;
    type_line("SET shared from-console").await;
    // The page publishes its engine as window.redisPlayground.engine (the bindings' Engine).
    let window = web_sys::window().expect("a window");
    let namespace = js_sys::Reflect::get(&window, &"redisPlayground".into()).expect("namespace");
    let engine = js_sys::Reflect::get(&namespace, &"engine".into()).expect("engine");
    let call = |method: &str, args: &[wasm_bindgen::JsValue]| {
        let f: js_sys::Function = js_sys::Reflect::get(&engine, &method.into())
            .expect("method")
            .into();
        f.apply(&engine, &args.iter().cloned().collect())
            .expect("call")
    };
    let client = call("connect", &[]);
    let argv: js_sys::Array = ["GET", "shared"]
        .iter()
        .map(|s| wasm_bindgen::JsValue::from_str(s))
        .collect();
    let value = call("exec", &[client, argv.into()]);
    assert_eq!(value.as_string().as_deref(), Some("from-console"));
}

#[wasm_bindgen_test]
async fn the_editor_keeps_its_text_and_runs_without_codemirror() {
    // Without editor-host.js (this test page has none), the text area edits the script.
    mount_fresh().await;
    let area: web_sys::HtmlTextAreaElement = by_test_id("editor-fallback")
        .dyn_into()
        .expect("a text area");
    assert!(
        area.value().contains("Cache-aside"),
        "the starter on a first visit"
    );
    area.set_value("console.log('typed');");
    let typed = web_sys::Event::new("input").expect("event");
    area.dispatch_event(&typed).expect("dispatch");
    tick().await;
    // Saved for the next visit, under the versioned storage key.
    let saved = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("redis-playground.v1.editor-code").ok().flatten());
    assert_eq!(saved.as_deref(), Some("console.log('typed');"));
    mount_fresh().await;
    let area: web_sys::HtmlTextAreaElement = by_test_id("editor-fallback")
        .dyn_into()
        .expect("a text area");
    assert_eq!(
        area.value(),
        "console.log('typed');",
        "restored after a reload"
    );
    // Run without the script runner installed: a clear status, nothing breaks.
    let button: web_sys::HtmlElement = by_test_id("run-button").dyn_into().expect("a button");
    button.click();
    tick().await;
    let status = by_test_id("run-status").text_content().unwrap_or_default();
    assert!(status.contains("not loaded"), "{status}");
}

/// Dispatches `redis-playground:<kind>` on window with `detail`.
fn dispatch(kind: &str, detail: &wasm_bindgen::JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    let event =
        web_sys::CustomEvent::new_with_event_init_dict(&format!("redis-playground:{kind}"), &init)
            .expect("event");
    web_sys::window()
        .expect("a window")
        .dispatch_event(&event)
        .expect("dispatch");
}

#[wasm_bindgen_test]
async fn set_theme_events_switch_the_theme_and_console_lines_are_reported() {
    use wasm_bindgen::closure::Closure;
    mount_fresh().await;
    let root = document().document_element().expect("root");
    let detail = js_sys::JSON::parse(r#"{"theme":"dark"}"#).expect("json");
    dispatch("set-theme", &detail);
    tick().await;
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("dark"));
    assert_eq!(
        by_test_id("theme-toggle")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    // Refused values change nothing.
    dispatch(
        "set-theme",
        &js_sys::JSON::parse(r#"{"theme":"<b>"}"#).expect("json"),
    );
    tick().await;
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("dark"));
    dispatch(
        "set-theme",
        &js_sys::JSON::parse(r#"{"theme":"system"}"#).expect("json"),
    );
    tick().await;
    assert_eq!(root.get_attribute("data-theme"), None);

    // The console reports each line as a `command` event: {line, reply}.
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::<(String, String)>::new()));
    let record = {
        let seen = std::rc::Rc::clone(&seen);
        Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |event: web_sys::CustomEvent| {
            let field = |name: &str| {
                js_sys::Reflect::get(&event.detail(), &name.into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            seen.borrow_mut().push((field("line"), field("reply")));
        })
    };
    let window = web_sys::window().expect("a window");
    window
        .add_event_listener_with_callback(
            "redis-playground:command",
            record.as_ref().unchecked_ref(),
        )
        .expect("listen");
    type_line("INCR counter").await;
    window
        .remove_event_listener_with_callback(
            "redis-playground:command",
            record.as_ref().unchecked_ref(),
        )
        .expect("unlisten");
    assert_eq!(
        seen.borrow().as_slice(),
        [("INCR counter".to_string(), "(integer) 1\n".to_string())]
    );
}

/// `window.redisPlayground.editorCode`, the lessons' way to the editor's text.
fn editor_bridge() -> wasm_bindgen::JsValue {
    let window = web_sys::window().expect("a window");
    let ns = js_sys::Reflect::get(&window, &"redisPlayground".into()).expect("the namespace");
    js_sys::Reflect::get(&ns, &"editorCode".into()).expect("editorCode")
}

fn call(
    object: &wasm_bindgen::JsValue,
    method: &str,
    args: &[wasm_bindgen::JsValue],
) -> wasm_bindgen::JsValue {
    let function: js_sys::Function = js_sys::Reflect::get(object, &method.into())
        .expect("a method")
        .dyn_into()
        .expect("a function");
    let args: js_sys::Array = args.iter().collect();
    function.apply(object, &args).expect("the call")
}

#[wasm_bindgen_test]
async fn lessons_reach_the_editor_text_through_the_bridge() {
    mount_fresh().await;
    // The lesson panel and quiz panel frames are on the page.
    by_test_id("lesson");
    by_test_id("quiz");
    let bridge = editor_bridge();
    call(&bridge, "set", &["const x = 1;".into()]);
    tick().await;
    // The script editor shows the text (here its text area: this test page loads no CodeMirror).
    let area = by_test_id("editor-fallback");
    let value = js_sys::Reflect::get(&area, &"value".into()).expect("a value");
    assert_eq!(value.as_string().as_deref(), Some("const x = 1;"));
    // Typing in it changes the editor's text.
    js_sys::Reflect::set(&area, &"value".into(), &"const y = 2;".into()).expect("set");
    let typed = web_sys::Event::new("input").expect("event");
    area.dispatch_event(&typed).expect("dispatch");
    tick().await;
    assert_eq!(
        call(&bridge, "get", &[]).as_string().as_deref(),
        Some("const y = 2;")
    );
}
