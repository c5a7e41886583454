//! The lesson and quiz panels' frames. Their contents are drawn by JavaScript
//! (`web/js/lessons/`: the picker with the page, the lesson, grader and quiz loaded when a lesson
//! opens), into `.lesson-mount` and `.quiz-mount`, which this component never re-renders.
//!
//! The component connects them to the page's state: `Playground::lesson` opens a lesson by id
//! (`window.redisPlayground.openLesson`, or `pendingLesson` until the lessons' script is up),
//! and `window.redisPlayground.editorCode` (`{get(), set(text)}`) reads and writes
//! `Playground::editor_code`, where a lesson's starter code goes and from which Check reads.

use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::state::Playground;

/// `window.redisPlayground`, created if missing.
fn namespace() -> Option<JsValue> {
    let window = web_sys::window()?;
    let ns = Reflect::get(&window, &"redisPlayground".into())
        .ok()
        .filter(JsValue::is_object);
    if let Some(ns) = ns {
        return Some(ns);
    }
    let ns: JsValue = Object::new().into();
    Reflect::set(&window, &"redisPlayground".into(), &ns).ok()?;
    Some(ns)
}

/// Publishes `editorCode: {get, set}` over the editor's signal.
fn install_editor_bridge(code: RwSignal<String>) {
    let Some(ns) = namespace() else {
        return;
    };
    let bridge = Object::new();
    let get = Closure::<dyn Fn() -> String>::new(move || code.get_untracked());
    let set = Closure::<dyn Fn(JsValue)>::new(move |text: JsValue| {
        if let Some(text) = text.as_string() {
            code.set(text);
        }
    });
    // Setting properties on plain objects cannot fail; ignore the impossible errors.
    let _ = Reflect::set(&bridge, &"get".into(), get.as_ref());
    let _ = Reflect::set(&bridge, &"set".into(), set.as_ref());
    let _ = Reflect::set(&ns, &"editorCode".into(), &bridge);
    // The page lives as long as these closures are reachable from JavaScript.
    get.forget();
    set.forget();
}

/// Asks the lessons' script to open a lesson (or leaves it for the script to pick up).
fn open_lesson(id: &str) {
    let Some(ns) = namespace() else {
        return;
    };
    let open = Reflect::get(&ns, &"openLesson".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    match open {
        Some(open) => {
            let _ = open.call1(&ns, &JsValue::from_str(id));
        }
        None => {
            let _ = Reflect::set(&ns, &"pendingLesson".into(), &JsValue::from_str(id));
        }
    }
}

/// The lesson panel and the quiz panel.
#[component]
pub fn Lessons() -> impl IntoView {
    let playground = expect_context::<Playground>();
    install_editor_bridge(playground.editor_code);
    Effect::new(move |_| {
        if let Some(id) = playground.lesson.get() {
            open_lesson(&id);
        }
    });
    view! {
        <section class="panel lesson-panel" id="lessons" data-testid="lesson" aria-label="Lesson">
            <h2>"Lessons"</h2>
            <div class="lesson-mount"></div>
        </section>
        <section class="panel quiz-panel" data-testid="quiz" aria-label="Quiz">
            <div class="quiz-mount">
                <h2>"Quiz"</h2>
                <p class="quiz-empty">"Open a lesson to take its quiz."</p>
            </div>
        </section>
    }
}
