//! The playground page. The page's one engine is created here, handed to the panels through
//! context (`state::Playground`), and published to JavaScript as
//! `window.redisPlayground.engine` (the bindings' `Engine` class) so learner scripts share the
//! same keyspace. Each panel is a component under `components/`.

pub mod bridge;
pub mod components;
pub mod lazy;
pub mod pagestate;
pub mod params;
pub mod state;
pub mod storage;

use std::cell::RefCell;
use std::rc::Rc;

use engine::Engine;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use components::clock::Clock;
use components::console::Console;
use components::editor::Editor;
use components::keys::KeyBrowser;
use components::layout::Splitter;
use components::lessons::Lessons;
use components::reset::{ResetButton, StateNoteView};
use components::theme::ThemeToggle;
use components::timeline::{ScriptSpans, Timeline};
use pagestate::StateNote;
use state::{ClockMode, PageStart, Playground, start_clock, wall_ms};

/// Publishes the engine to JavaScript as `window.redisPlayground.engine`, then dispatches the
/// `redis-playground:engine` event on `window`. The namespace object is kept if a script made it
/// first: the script runner (`web/js/runner/host.js`) puts `runScript` and `clock` there, and
/// waits for the event to drive the engine.
fn expose_to_js(engine: &Rc<RefCell<Engine>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let namespace = js_sys::Reflect::get(&window, &"redisPlayground".into())
        .ok()
        .filter(JsValue::is_object)
        .unwrap_or_else(|| js_sys::Object::new().into());
    let handle = JsValue::from(bindings::JsEngine::shared(Rc::clone(engine)));
    // Setting properties on plain objects cannot fail; ignore the impossible error.
    let _ = js_sys::Reflect::set(&namespace, &"engine".into(), &handle);
    let _ = js_sys::Reflect::set(&window, &"redisPlayground".into(), &namespace);
    if let Ok(event) = web_sys::Event::new("redis-playground:engine") {
        let _ = window.dispatch_event(&event);
    }
}

/// The page engine's memory limit: 64 MB under `noeviction`, so that a runaway loop in the
/// console or a script meets Redis's OOM error instead of exhausting the tab. `CONFIG SET
/// maxmemory 0` lifts it.
pub const PAGE_MAXMEMORY: u64 = 64 * 1024 * 1024;

/// The configuration the page's engine starts with: Redis's defaults but for the memory limit.
pub fn page_config() -> engine::Config {
    let mut config = engine::Config::default();
    config.maxmemory = PAGE_MAXMEMORY;
    config.maxmemory_policy = engine::EvictionPolicy::NoEviction;
    config
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let mut engine = Engine::with_config(page_config());
    // The virtual clock starts at the wall clock, so TIME and EXPIREAT behave as expected;
    // a saved playground then brings back its keys, configuration and clock. An embed (a
    // course page's iframe) starts fresh and saves nothing: the learner's own playground on the
    // same site keeps its state, and several embeds on one page do not overwrite each other.
    engine.set_time(wall_ms() as i64);
    let embedded = params::current().embed;
    let (clock, note) = if embedded {
        (None, None)
    } else {
        pagestate::restore_on_load(&mut engine)
    };
    if let Some(clock) = clock {
        pagestate::hand_clock_to_js(clock.time, clock.paused, clock.speed);
    }
    let engine = Rc::new(RefCell::new(engine));
    expose_to_js(&engine);
    let playground = Playground::new(engine);
    playground.start.set(match (embedded, clock.is_some()) {
        (true, _) => PageStart::Quiet,
        (false, true) => PageStart::Restored,
        (false, false) => PageStart::Fresh,
    });
    if let Some(clock) = clock {
        playground.mode.set(if clock.paused {
            ClockMode::Paused
        } else {
            ClockMode::Live
        });
        playground.speed.set(clock.speed);
    }
    let note = StateNote(RwSignal::new(note));
    provide_context(playground);
    provide_context(note);
    provide_context(ScriptSpans::default());
    params::apply(playground);
    start_clock(playground);
    if !embedded && !pagestate::restore_code_failed() {
        pagestate::start_saving(playground, note);
    }
    // Effects run after the first render: the page is up.
    Effect::new(|_| {
        params::check_after_mount();
        bridge::announce_ready();
    });
    view! {
        <header class="topbar">
            <h1>"Redis Playground"</h1>
            <Clock />
            <div class="topbar-actions">
                // The lessons are below the tools; a link takes the learner there.
                <a class="lessons-link" data-testid="lessons-link" href="#lessons">"Lessons"</a>
                <ResetButton />
                <ThemeToggle />
                <params::OpenFull />
            </div>
            <StateNoteView />
        </header>
        <params::Notices />
        <main class="workspace">
            <Console />
            <Splitter name="columns" vertical=true label="Resize the console and key browser" default=60.0 min=25.0 max=75.0 />
            <KeyBrowser />
            <Splitter name="rows" vertical=false label="Resize the console and key browser's height" default=58.0 min=25.0 max=85.0 />
            <Editor />
            <Timeline />
            <Lessons />
        </main>
    }
}
