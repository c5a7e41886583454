//! The playground page. The page's one engine is created here, handed to the panels through
//! context, and published to JavaScript as `window.redisPlayground.engine` (the bindings' `Engine`
//! class) so learner scripts share the same keyspace; each panel is a component under
//! `components/`.

pub mod components;

use std::cell::RefCell;
use std::rc::Rc;

use engine::Engine;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use components::console::Console;

/// The page's single engine, shared by every panel and by JavaScript.
#[derive(Clone, Copy)]
pub struct Server(pub StoredValue<Rc<RefCell<Engine>>, LocalStorage>);

impl Server {
    /// Runs `f` on the engine. Returns `None` only if the engine is already borrowed, which
    /// would mean a re-entrant call from JavaScript; the UI then simply skips the update.
    pub fn with<T>(self, f: impl FnOnce(&mut Engine) -> T) -> Option<T> {
        self.0
            .with_value(|rc| rc.try_borrow_mut().ok().map(|mut e| f(&mut e)))
    }
}

/// Publishes the engine to JavaScript as `window.redisPlayground.engine`, then dispatches the
/// `redis-playground:engine` event on `window`. The namespace object is kept if a script made it
/// first: the script runner (`web/js/runner/host.js`) puts `runScript` and `clock` there, and
/// waits for the event to drive the engine.
fn expose_to_js(engine: &Rc<RefCell<Engine>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let existing = js_sys::Reflect::get(&window, &"redisPlayground".into()).unwrap_or_default();
    let namespace = if existing.is_object() {
        existing
    } else {
        js_sys::Object::new().into()
    };
    let handle = JsValue::from(bindings::JsEngine::shared(Rc::clone(engine)));
    // Setting properties on plain objects cannot fail; ignore the impossible error.
    let _ = js_sys::Reflect::set(&namespace, &"engine".into(), &handle);
    let _ = js_sys::Reflect::set(&window, &"redisPlayground".into(), &namespace);
    if let Ok(event) = web_sys::Event::new("redis-playground:engine") {
        let _ = window.dispatch_event(&event);
    }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let engine = Rc::new(RefCell::new(Engine::new()));
    expose_to_js(&engine);
    provide_context(Server(StoredValue::new_local(engine)));
    view! {
        <header class="topbar">
            <h1>"Redis Playground"</h1>
        </header>
        <main class="panels">
            <Console />
        </main>
    }
}
