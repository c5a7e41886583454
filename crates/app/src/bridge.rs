//! The page's side of the window events in CONTRACT.md (`redis-playground:<type>` `CustomEvent`s on
//! `window`, plain JSON-able `detail`), which the embed bridge (`web/js/embed/bridge.js`) forwards
//! to a parent frame and dispatches from its messages.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Dispatches `redis-playground:<kind>` on `window` with `detail` built from string fields.
pub fn emit(kind: &str, fields: &[(&str, &str)]) {
    let detail = Object::new();
    for (name, value) in fields {
        // Setting properties on a plain object cannot fail; ignore the impossible error.
        let _ = Reflect::set(&detail, &(*name).into(), &(*value).into());
    }
    dispatch(kind, &detail);
}

fn dispatch(kind: &str, detail: &JsValue) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    let name = format!("redis-playground:{kind}");
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(&name, &init) {
        let _ = window.dispatch_event(&event);
    }
}

/// A string field of a `CustomEvent`'s `detail`.
pub fn detail_string(event: &web_sys::Event, field: &str) -> Option<String> {
    let event: &web_sys::CustomEvent = event.dyn_ref()?;
    let detail = event.detail();
    if !detail.is_object() {
        return None;
    }
    Reflect::get(&detail, &field.into()).ok()?.as_string()
}

/// Tells the bridge the page is up: `window.redisPlayground.ready = true`, then the
/// `redis-playground:ready` event (the bridge may load before or after the app).
pub fn announce_ready() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let namespace = Reflect::get(&window, &"redisPlayground".into())
        .ok()
        .filter(JsValue::is_object);
    if let Some(namespace) = namespace {
        let _ = Reflect::set(&namespace, &"ready".into(), &JsValue::TRUE);
    }
    dispatch("ready", &Object::new());
}
