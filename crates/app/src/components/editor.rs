//! The script editor: write Node-style JavaScript against the page's Redis and run it. The text
//! is `Playground::editor_code` (kept across reloads, see `storage`); `CodeMirror` 6 (JavaScript
//! highlighting, line numbers, bracket matching, indentation, completion of `redis.` methods
//! from the engine's command table) is loaded from `js/editor/` when the learner first reaches
//! for the editor (the pointer enters it, or focus does), through `window.redisPlayground.editor`
//! (web/js/editor/editor-host.js); until then, or if it cannot load, a plain text area shows and
//! edits the same text. A visit that never touches the editor never downloads `CodeMirror`.
//! Run (or Ctrl/Cmd+Enter) hands the code to the script runner
//! (`window.redisPlayground.runScript`); its output, errors with the learner's line, and a
//! summary appear below; its database calls and sleeps go to the timeline. A client still
//! subscribed when the code is over keeps the run listening, as a Node process would, until the
//! code unsubscribes or quits it, or Stop (the runner's `keepListening`). Escape leaves the
//! editor. Share makes a `#share=` link of the code and setup commands; opening one (on load, or
//! pasted into the address bar of an open page) fills the editor, runs nothing, and offers the
//! setup commands. The `commands` URL parameter of a page that keeps the learner's playground is
//! offered the same way.
//!
//! Code that arrives from a link (a share link, the `code` URL parameter) never silently takes
//! the place of the learner's: it goes in as one undoable change (Ctrl+Z brings the previous
//! text back, even when `CodeMirror` loads only later), and, unless the previous text was empty
//! or the first-visit example, a notice offers it back; that copy is kept in `localStorage`
//! until the learner chooses, so a reload does not lose it. An embed starts from its `code` (or
//! the example) and keeps nothing.
//!
//! Window events (CONTRACT): `redis-playground:script-run` after each run; a
//! `redis-playground:run` event runs the editor's code as Run does.

use engine::cli::{LineOutcome, run_line};
use js_sys::{Array, Function, Object, Promise, Reflect};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::components::timeline::{ScriptSpan, ScriptSpans};
use crate::params::{self, Panel};
use crate::state::Playground;
use crate::storage;

/// Storage key of the learner's code that a link replaced, kept until they bring it back or
/// choose the new code.
const REPLACED_CODE_KEY: &str = "editor-replaced";

/// The code a first visit starts with: cache-aside over the simulated database.
pub const STARTER: &str = r"// Cache-aside: look in Redis first; on a miss, ask the slow database
// (db.findUser costs 50 ms of virtual time) and keep its answer in Redis.
import Redis from 'ioredis';

const redis = new Redis();
await redis.del('user:1'); // start cold, so each run shows the first miss

async function getUser(id) {
  const key = `user:${id}`;
  const cached = await redis.get(key);
  if (cached !== null) {
    console.log(`hit  ${key}`);
    return JSON.parse(cached);
  }
  console.log(`miss ${key}: asking the database`);
  const user = await db.findUser(id);
  await redis.set(key, JSON.stringify(user), 'EX', 60);
  return user;
}

for (let i = 0; i < 3; i++) {
  const user = await getUser(1);
  console.log(user.name, 'from', user.city);
  await sleep(100); // virtual time: the timeline spreads the calls out
}
console.log('db calls:', db.calls);
";

/// Output lines shown (the runner keeps more in its result).
const MAX_SHOWN_LINES: usize = 2_000;

/// One line of the output panel.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    id: u64,
    /// `log`, `info`, `debug`, `warn`, `error`, or `setup` (a setup command and its reply).
    stream: String,
    text: String,
}

/// Where the panel's run stands.
#[derive(Clone, Debug, PartialEq)]
enum RunState {
    Idle,
    Running,
    /// Run number `run` ended: its status (`ok`, `error`, `timeout`, `stopped`) and a one-line
    /// summary.
    Ended {
        run: u64,
        status: String,
        summary: String,
    },
}

/// Where offered setup commands came from.
#[derive(Clone, Copy, Debug, PartialEq)]
enum OfferFrom {
    /// A `#share=` link (with its code).
    ShareLink,
    /// The page's `commands` URL parameter, on a page that keeps the learner's playground.
    PageLink,
}

/// What a link brought, shown until dismissed: setup commands that run only when the learner
/// asks.
#[derive(Clone, Debug, PartialEq)]
struct Offer {
    from: OfferFrom,
    commands: Vec<String>,
    lesson: Option<String>,
}

impl Offer {
    /// What the notice says of the link itself, if anything.
    fn intro(&self) -> Option<&'static str> {
        match self.from {
            OfferFrom::ShareLink => Some(
                "Opened from a share link: the code is in the editor and has not run. Press Run when you are ready.",
            ),
            OfferFrom::PageLink => None,
        }
    }

    /// The sentence above the setup commands.
    fn commands_line(&self) -> String {
        let n = self.commands.len();
        let plural = if n == 1 { "" } else { "s" };
        match self.from {
            OfferFrom::ShareLink => format!("It comes with {n} setup command{plural} for Redis:"),
            OfferFrom::PageLink => format!(
                "The link that opened this page comes with {n} setup command{plural} for Redis. Nothing has run: your keys stay as you left them unless you run {}:",
                if n == 1 { "it" } else { "them" }
            ),
        }
    }
}

/// How the notice names the code a link replaced: its size and first line, as text.
fn describe_code(code: &str) -> String {
    let lines = code.lines().count();
    let first = code
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let mut shown: String = first.chars().take(60).collect();
    if shown.len() < first.len() {
        shown.push('…');
    }
    let plural = if lines == 1 { "" } else { "s" };
    format!("{lines} line{plural}, beginning “{shown}”")
}

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a property on a plain object just created cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `window.redisPlayground`.
fn namespace() -> Option<JsValue> {
    get(&web_sys::window()?.into(), "redisPlayground").filter(JsValue::is_object)
}

/// `window.redisPlayground.editor` (editor-host.js), once that module has run.
fn editor_host() -> Option<JsValue> {
    get(&namespace()?, "editor").filter(JsValue::is_object)
}

/// Calls `target.name(...args)`; `None` if it is not a function or throws.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Option<JsValue> {
    let function: Function = get(target, name)?.dyn_into().ok()?;
    let args: Array = args.iter().collect();
    function.apply(target, &args).ok()
}

/// Loads the script runner and starts a worker ahead of the first run (`prepareRunner` in
/// web/js/runner/host.js): called when the learner reaches for the editor or the Run button,
/// so that the first run starts as fast as later ones, and a visit without a script loads none
/// of it.
fn prepare_runner() {
    if let Some(ns) = namespace() {
        call(&ns, "prepareRunner", &[]);
    }
}

/// Awaits a JS value (a promise or not).
async fn resolve(value: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&value)).await
}

/// Waits `ms` of wall time.
async fn pause(ms: i32) {
    let promise = Promise::new(&mut |done, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&done, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The editor host, waiting up to 5 s for its module to run (module scripts and the app's wasm
/// load side by side).
async fn wait_for_host() -> Option<JsValue> {
    for _ in 0..200 {
        if let Some(host) = editor_host() {
            return Some(host);
        }
        pause(25).await;
    }
    None
}

/// A JS error's message (a `ShareError`'s is written for the learner).
fn error_message(error: &JsValue) -> String {
    get(error, "message")
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}

/// Completion entries for `redis.<method>`: each implemented command, lowercase as ioredis
/// names its methods, with its arguments and summary.
fn completions() -> Array {
    engine::Registry::get()
        .commands()
        .into_iter()
        .map(|spec| {
            let o = Object::new();
            set(&o, "label", &JsValue::from_str(&spec.name));
            let mut detail = spec.syntax.clone();
            if detail.chars().count() > 48 {
                detail = detail.chars().take(47).collect::<String>() + "…";
            }
            set(&o, "detail", &JsValue::from_str(&detail));
            set(&o, "info", &JsValue::from_str(spec.summary));
            JsValue::from(o)
        })
        .collect()
}

/// Dispatches `redis-playground:<kind>` on `window` with `detail`.
fn emit(kind: &str, detail: &JsValue) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(event) =
        web_sys::CustomEvent::new_with_event_init_dict(&format!("redis-playground:{kind}"), &init)
    {
        let _ = window.dispatch_event(&event);
    }
}

/// The one-line summary of a run's result.
fn summarize(status: &str, result: &JsValue) -> String {
    let number = |key: &str| get(result, key).and_then(|v| v.as_f64()).unwrap_or(0.0);
    let error = get(result, "error");
    let line = error
        .as_ref()
        .and_then(|e| get(e, "line"))
        .and_then(|l| l.as_f64());
    let message = error
        .as_ref()
        .and_then(|e| get(e, "message"))
        .and_then(|m| m.as_string())
        .unwrap_or_default();
    match status {
        "ok" => {
            let calls = number("dbCalls");
            let virtual_ms = number("virtualEnd") - number("virtualStart");
            let plural = if (calls - 1.0).abs() < f64::EPSILON {
                ""
            } else {
                "s"
            };
            format!(
                "Finished: {calls} db call{plural}, {virtual_ms} ms of virtual time, {:.0} ms of wall time.",
                number("wallMs")
            )
        }
        "error" => match line {
            Some(line) => format!("Error on line {line}: {message}"),
            None => format!("Error: {message}"),
        },
        _ => message,
    }
}

/// The editor panel.
#[component]
pub fn Editor() -> impl IntoView {
    let playground = expect_context::<Playground>();
    let spans = use_context::<ScriptSpans>().unwrap_or_default();
    let code = playground.editor_code;
    let page = params::current();
    // An embed starts fresh and keeps nothing, as its engine does: the learner's own code,
    // saved by their playground on the same site, is neither shown in it nor overwritten.
    let embedded = page.embed;
    // First visit: the starter; a reload: the saved text; an embed: its `code`, else the
    // starter. (Lessons may have set the text already.) A page's `code` and a share link come in
    // below, as changes the learner can take back.
    if code.get_untracked().is_empty() {
        let start = if embedded {
            page.code.clone()
        } else {
            storage::load_editor_code()
        };
        code.set(start.unwrap_or_else(|| STARTER.to_string()));
    }
    // The first-visit example is not the learner's own code: a lesson may replace it with its
    // challenge's starter (web/js/lessons/panel.js reads this).
    if let Some(ns) = namespace() {
        let _ = js_sys::Reflect::set(&ns, &"editorExample".into(), &JsValue::from_str(STARTER));
    }
    let too_long_to_save = RwSignal::new(false);
    if !embedded {
        Effect::new(move |_| {
            let saved = code.with(|c| storage::save_editor_code(c));
            if too_long_to_save.get_untracked() == saved {
                too_long_to_save.set(!saved);
            }
        });
    }

    let lines = RwSignal::new(Vec::<Line>::new());
    let hidden_lines = RwSignal::new(0usize);
    let next_id = StoredValue::new(0u64);
    let state = RwSignal::new(RunState::Idle);
    // While running: what the script waits for, idle (the runner's `onWaiting` text: messages
    // to its subscribers, a blocking command, a timer), which the status says instead of
    // "Running…"; `None` while it works.
    let waiting = RwSignal::new(None::<String>);
    // Runs so far (setup commands count as one), so a status can be told from the previous.
    let run_count = StoredValue::new(0u64);
    let next_run = move || {
        let n = run_count.get_value() + 1;
        run_count.set_value(n);
        n
    };
    let stopper = StoredValue::new_local(None::<JsValue>);
    let cm = StoredValue::new_local(None::<JsValue>);
    let mounted = RwSignal::new(false);
    let surface: NodeRef<html::Div> = NodeRef::new();
    let run_button: NodeRef<html::Button> = NodeRef::new();
    let output_panel: NodeRef<html::Div> = NodeRef::new();
    // Whether the output follows its end as lines arrive (as a terminal does): until the learner
    // scrolls up to read earlier lines, and again once they scroll back to the end.
    let follow_output = StoredValue::new(true);
    // Where the output was last scrolled to its end by the page itself: a scroll event above it is
    // the learner's (the page's own can arrive after more lines, short of the new end).
    let auto_scrolled_to = StoredValue::new(0);
    Effect::new(move |_| {
        lines.track();
        state.track();
        if !follow_output.get_value() {
            return;
        }
        // After the lines and the status are in the DOM; unless the learner scrolled up in the
        // meantime (their scroll event comes before this frame's callbacks).
        request_animation_frame(move || {
            if !follow_output.get_value() {
                return;
            }
            if let Some(panel) = output_panel.get_untracked() {
                panel.set_scroll_top(panel.scroll_height());
                auto_scrolled_to.set_value(panel.scroll_top());
            }
        });
    });

    let push_line = move |stream: String, text: String| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        lines.update(|l| {
            if l.len() >= MAX_SHOWN_LINES {
                l.remove(0);
                hidden_lines.update(|h| *h += 1);
            }
            l.push(Line { id, stream, text });
        });
    };
    let mark_error_line = move |line: Option<f64>| {
        if let Some(handle) = cm.get_value() {
            let arg = line.map_or(JsValue::NULL, JsValue::from_f64);
            call(&handle, "markErrorLine", &[arg]);
        }
    };

    let run = move || {
        if state.get_untracked() == RunState::Running {
            return;
        }
        let run_number = next_run();
        let Some(run_script) = namespace().and_then(|ns| get(&ns, "runScript")) else {
            state.set(RunState::Ended {
                run: run_number,
                status: "error".into(),
                summary: "The script runner is not loaded yet; try again in a moment.".into(),
            });
            return;
        };
        follow_output.set_value(true);
        auto_scrolled_to.set_value(0);
        lines.set(Vec::new());
        hidden_lines.set(0);
        mark_error_line(None);
        waiting.set(None);
        state.set(RunState::Running);
        let on_output = Closure::<dyn FnMut(JsValue)>::new(move |entry: JsValue| {
            let stream = get(&entry, "stream")
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            let text = get(&entry, "text")
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            push_line(stream, text);
        });
        let on_event = Closure::<dyn FnMut(JsValue)>::new(move |record: JsValue| {
            let kind = get(&record, "kind").and_then(|k| k.as_string());
            let time = |key| get(&record, key).and_then(|v| v.as_f64()).map(|t| t as i64);
            let (Some(start), Some(end)) = (time("start"), time("end")) else {
                return;
            };
            let db = match kind.as_deref() {
                Some("db") => Some(
                    get(&record, "name")
                        .and_then(|n| n.as_string())
                        .unwrap_or_else(|| "call".into()),
                ),
                Some("sleep") => None,
                _ => return,
            };
            spans.record(ScriptSpan { db, start, end });
        });
        let on_waiting =
            Closure::<dyn FnMut(JsValue, JsValue)>::new(move |idle: JsValue, info: JsValue| {
                waiting.set((idle.as_bool() == Some(true)).then(|| {
                    get(&info, "text")
                        .and_then(|t| t.as_string())
                        .unwrap_or_else(|| {
                            "Waiting: the script waits, idle. Stop ends it.".to_string()
                        })
                }));
            });
        let options = Object::new();
        set(&options, "onOutput", on_output.as_ref());
        set(&options, "onEvent", on_event.as_ref());
        set(&options, "onWaiting", on_waiting.as_ref());
        // As a Node process with an open subscriber: the run listens until the code quits or
        // unsubscribes, or Stop.
        set(&options, "keepListening", &JsValue::TRUE);
        let code_text = JsValue::from_str(&code.get_untracked());
        let handle = run_script
            .dyn_ref::<Function>()
            .and_then(|f| f.call2(&JsValue::UNDEFINED, &code_text, &options).ok());
        let Some(handle) = handle else {
            state.set(RunState::Ended {
                run: run_number,
                status: "error".into(),
                summary: "The script runner could not start the script.".into(),
            });
            return;
        };
        stopper.set_value(Some(handle.clone()));
        spawn_local(async move {
            let done = get(&handle, "done").unwrap_or(JsValue::UNDEFINED);
            let result = resolve(done).await;
            // The callbacks are called until the run ends, no later.
            drop((on_output, on_event, on_waiting));
            waiting.set(None);
            stopper.set_value(None);
            let (status, result) = match result {
                Ok(result) => (
                    get(&result, "status")
                        .and_then(|s| s.as_string())
                        .unwrap_or_else(|| "error".into()),
                    result,
                ),
                Err(error) => {
                    let result = Object::new();
                    let described = Object::new();
                    set(
                        &described,
                        "message",
                        &JsValue::from_str(&error_message(&error)),
                    );
                    set(&result, "error", &described);
                    ("error".to_string(), result.into())
                }
            };
            let error = get(&result, "error");
            let line = error
                .as_ref()
                .and_then(|e| get(e, "line"))
                .and_then(|l| l.as_f64());
            if status == "error" {
                mark_error_line(line);
            }
            // The timeline zooms onto the run's virtual time.
            let time = |key| get(&result, key).and_then(|v| v.as_f64()).map(|t| t as i64);
            if let (Some(start), Some(end)) = (time("virtualStart"), time("virtualEnd")) {
                spans.1.set(Some((start, end)));
            }
            state.set(RunState::Ended {
                run: run_number,
                status: status.clone(),
                summary: summarize(&status, &result),
            });
            playground.touch();
            // CONTRACT: script-run {status, error: {message, line}|null, output: [{stream, text}]}.
            let detail = Object::new();
            set(&detail, "status", &JsValue::from_str(&status));
            let error_detail = match (status.as_str(), error) {
                ("ok", _) | (_, None) => JsValue::NULL,
                (_, Some(e)) => {
                    let o = Object::new();
                    set(&o, "message", &get(&e, "message").unwrap_or(JsValue::NULL));
                    set(&o, "line", &line.map_or(JsValue::NULL, JsValue::from_f64));
                    o.into()
                }
            };
            set(&detail, "error", &error_detail);
            let output: Array = get(&result, "output")
                .filter(Array::is_array)
                .map(|o| {
                    Array::from(&o)
                        .iter()
                        .map(|entry| {
                            let copy = Object::new();
                            set(&copy, "stream", &get(&entry, "stream").unwrap_or_default());
                            set(&copy, "text", &get(&entry, "text").unwrap_or_default());
                            JsValue::from(copy)
                        })
                        .collect()
                })
                .unwrap_or_default();
            set(&detail, "output", &output);
            emit("script-run", &detail);
        });
    };
    let stop = move || {
        if let Some(handle) = stopper.get_value() {
            call(&handle, "stop", &[]);
        }
    };
    let leave_editor = move || {
        if let Some(button) = run_button.get_untracked() {
            let _ = button.focus();
        }
    };

    // `redis-playground:run` (from an embedding page, through the bridge) runs the code.
    let listener = window_event_listener_untyped("redis-playground:run", move |_| run());
    on_cleanup(move || listener.remove());

    // Code from a link goes in as one change of the editor's history, so Ctrl+Z takes it back.
    // Before CodeMirror is there, the text it replaced waits here: CodeMirror starts from it and
    // then takes the new text in as that change.
    let undo_base = StoredValue::new(None::<String>);
    let put_code = move |text: String| {
        match (cm.get_value(), editor_host()) {
            (Some(handle), Some(host)) => {
                call(&host, "replaceDoc", &[handle, JsValue::from_str(&text)]);
            }
            _ => {
                if undo_base.with_value(Option::is_none) {
                    undo_base.set_value(Some(code.get_untracked()));
                }
            }
        }
        code.set(text);
    };
    // The learner's code a link replaced, until they bring it back or keep the new code. (In an
    // embed, nothing is stored.)
    let replaced = RwSignal::new(if embedded {
        None
    } else {
        storage::load(REPLACED_CODE_KEY).filter(|kept| *kept != code.get_untracked())
    });
    // The text the last link brought: still unchanged in the editor, it is not the learner's, and
    // the older code kept stays kept.
    let brought = StoredValue::new(None::<String>);
    let take_in = move |text: String| {
        let previous = code.get_untracked();
        if previous == text {
            return;
        }
        let own = !previous.trim().is_empty() && previous != STARTER;
        let unchanged = brought.with_value(|b| b.as_deref() == Some(previous.as_str()));
        if own && !unchanged {
            if !embedded {
                storage::save(REPLACED_CODE_KEY, &previous);
            }
            replaced.set(Some(previous));
            params::reveal(Panel::Editor);
        }
        brought.set_value(Some(text.clone()));
        put_code(text);
    };
    let forget_replaced = move || {
        replaced.set(None);
        brought.set_value(None);
        if !embedded {
            storage::remove(REPLACED_CODE_KEY);
        }
    };
    let bring_back = move || {
        if let Some(previous) = replaced.get_untracked() {
            put_code(previous);
        }
        forget_replaced();
    };

    // CodeMirror replaces the text area once loaded, when the learner first reaches for it.
    let mount_started = StoredValue::new(false);
    let mount = move || {
        if mount_started.get_value() {
            return;
        }
        mount_started.set_value(true);
        prepare_runner();
        spawn_local(async move {
            let (Some(host), Some(parent)) = (wait_for_host().await, surface.get_untracked())
            else {
                return;
            };
            let on_change = Closure::<dyn FnMut(String)>::new(move |text: String| {
                let _ = code.try_set(text);
            });
            let on_run = Closure::<dyn FnMut()>::new(run);
            let on_escape = Closure::<dyn FnMut()>::new(leave_editor);
            // The text before a link's code, if one came in meanwhile: the link's code then goes
            // in as a change Ctrl+Z takes back.
            let base = undo_base.get_value();
            let options = Object::new();
            set(
                &options,
                "doc",
                &JsValue::from_str(&base.clone().unwrap_or_else(|| code.get_untracked())),
            );
            set(&options, "commands", &completions());
            set(&options, "onChange", on_change.as_ref());
            set(&options, "onRun", on_run.as_ref());
            set(&options, "onEscape", on_escape.as_ref());
            set(
                &options,
                "label",
                &JsValue::from_str("Script editor (Ctrl+Enter runs, Escape leaves)"),
            );
            let Some(pending) = call(&host, "mount", &[parent.into(), options.into()]) else {
                return;
            };
            let Ok(handle) = resolve(pending).await else {
                // The bundle did not load: the text area stays, and works.
                return;
            };
            // The editor lives as long as the page; its callbacks with it.
            on_change.forget();
            on_run.forget();
            on_escape.forget();
            let typing = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .is_some_and(|el| el.class_list().contains("editor-fallback"));
            // What was typed into the text area while CodeMirror loaded, or a link's code.
            let text = JsValue::from_str(&code.get_untracked());
            undo_base.set_value(None);
            if base.is_some() {
                call(&host, "replaceDoc", &[handle.clone(), text]);
            } else {
                call(&handle, "setDoc", &[text]);
            }
            cm.set_value(Some(handle.clone()));
            let _ = mounted.try_set(true);
            if typing {
                call(&handle, "focus", &[]);
            }
        });
    };
    // Text set from elsewhere (a lesson, a share link) reaches CodeMirror.
    Effect::new(move |_| {
        let text = code.get();
        if let Some(handle) = cm.get_value() {
            call(&handle, "setDoc", &[JsValue::from_str(&text)]);
        }
    });
    on_cleanup(move || {
        if let Some(handle) = cm.try_get_value().flatten() {
            call(&handle, "destroy", &[]);
        }
    });

    // Share links: opening one (the URL's `#share=`) and making one.
    let offer = RwSignal::new(None::<Offer>);
    let share_error = RwSignal::new(None::<String>);
    let share_link = RwSignal::new(None::<String>);
    let share_status = RwSignal::new(String::new());
    let setup_commands = RwSignal::new(String::new());
    let lesson = StoredValue::new(None::<String>);
    // What the page's own link brought: its code (a page that keeps the learner's playground
    // takes it in as a link's; an embed started from it above) and its setup commands (run by
    // the console in an embed, offered here otherwise).
    if !embedded && let Some(text) = page.code.clone() {
        take_in(text);
    }
    if !page.offered_commands.is_empty() {
        setup_commands.set(page.offered_commands.join("\n"));
        offer.set(Some(Offer {
            from: OfferFrom::PageLink,
            commands: page.offered_commands.clone(),
            lesson: None,
        }));
    }
    // What the learner must see or decide is never in a panel `panels` left out.
    Effect::new(move |_| {
        if offer.with(Option::is_some) || share_error.with(Option::is_some) {
            params::reveal(Panel::Editor);
        }
    });
    let open_shared = move |decoded: Result<JsValue, JsValue>| {
        match decoded {
            Ok(shared) if shared.is_object() => {
                let text = get(&shared, "code")
                    .and_then(|c| c.as_string())
                    .unwrap_or_default();
                let commands: Vec<String> = get(&shared, "commands")
                    .filter(Array::is_array)
                    .map(|a| {
                        Array::from(&a)
                            .iter()
                            .filter_map(|c| c.as_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let shared_lesson = get(&shared, "lesson").and_then(|l| l.as_string());
                if code.try_get_untracked().is_none() {
                    return; // the panel is gone
                }
                share_error.set(None);
                take_in(text);
                setup_commands.set(commands.join("\n"));
                lesson.set_value(shared_lesson.clone());
                offer.set(Some(Offer {
                    from: OfferFrom::ShareLink,
                    commands,
                    lesson: shared_lesson,
                }));
            }
            Ok(_) => {}
            Err(error) => {
                let _ = share_error.try_set(Some(error_message(&error)));
            }
        }
    };
    // Links opened one after another: the latest wins.
    let share_opening = StoredValue::new(0u64);
    let open_share = move || {
        let has_share = editor_host()
            .and_then(|h| call(&h, "hasShare", &[]))
            .and_then(|v| v.as_bool());
        let has_share = match has_share {
            Some(has) => has,
            None => web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .is_some_and(|h| h.contains("share=")),
        };
        if !has_share {
            return;
        }
        let opening = share_opening.get_value() + 1;
        share_opening.set_value(opening);
        spawn_local(async move {
            let Some(host) = wait_for_host().await else {
                let _ = share_error.try_set(Some(
                    "This share link cannot be opened: the page's editor did not load.".into(),
                ));
                return;
            };
            let decoded = match call(&host, "sharedFromUrl", &[]) {
                Some(pending) => resolve(pending).await,
                None => Err(JsValue::from_str("the page's editor did not load")),
            };
            if share_opening.try_get_value() != Some(opening) {
                return;
            }
            call(&host, "forgetShare", &[]);
            open_shared(decoded);
        });
    };
    open_share();
    // A link pasted into the address bar of this open page changes only the hash.
    let hash_listener = window_event_listener_untyped("hashchange", move |_| open_share());
    on_cleanup(move || hash_listener.remove());

    let make_link = move || {
        let Some(host) = editor_host() else {
            share_status.set("Sharing is not available: the page's editor did not load.".into());
            return;
        };
        let payload = Object::new();
        set(&payload, "code", &JsValue::from_str(&code.get_untracked()));
        let commands: Array = setup_commands
            .get_untracked()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(JsValue::from_str)
            .collect();
        set(&payload, "commands", &commands);
        let lesson_id = lesson.get_value().or_else(|| {
            web_sys::window()
                .and_then(|w| w.location().search().ok())
                .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
                .and_then(|p| p.get("lesson"))
                .filter(|l| !l.is_empty())
        });
        set(
            &payload,
            "lesson",
            &lesson_id.map_or(JsValue::NULL, |l| JsValue::from_str(&l)),
        );
        share_status.set("Making the link…".into());
        spawn_local(async move {
            let link = match call(&host, "shareLink", &[payload.into()]) {
                Some(pending) => resolve(pending).await,
                None => Err(JsValue::from_str("sharing is not available")),
            };
            let link = match link {
                Ok(link) => link.as_string().unwrap_or_default(),
                Err(error) => {
                    let _ = share_link.try_set(None);
                    let _ = share_status.try_set(error_message(&error));
                    return;
                }
            };
            let _ = share_link.try_set(Some(link.clone()));
            let clipboard = web_sys::window().and_then(|w| get(&w.navigator().into(), "clipboard"));
            let copied =
                match clipboard.and_then(|c| call(&c, "writeText", &[JsValue::from_str(&link)])) {
                    Some(pending) => resolve(pending).await.is_ok(),
                    None => false,
                };
            let _ = share_status.try_set(if copied {
                "Link copied to the clipboard. Anyone opening it gets this code (nothing runs until they press Run).".into()
            } else {
                "Copy the link below (the clipboard is not available here).".into()
            });
        });
    };

    // The setup commands of a share link run only when the learner asks, on a connection of
    // their own; each line and its reply are shown in the output.
    let run_setup_now = move |commands: Vec<String>| {
        lines.set(Vec::new());
        hidden_lines.set(0);
        let results = playground.change(|engine| {
            let client = engine.connect();
            let out: Vec<(String, String)> = commands
                .iter()
                .map(|line| {
                    let printed = match run_line(engine, client, line.as_bytes()) {
                        LineOutcome::Print(text) => text,
                        LineOutcome::Help(_) => "(help is answered in the console)\n".into(),
                        LineOutcome::Quit | LineOutcome::Clear => String::new(),
                    };
                    (line.clone(), printed)
                })
                .collect();
            engine.disconnect(client);
            out
        });
        for (line, printed) in results.unwrap_or_default() {
            push_line("setup".into(), format!("> {line}"));
            push_line("log".into(), printed.trim_end_matches('\n').to_string());
        }
        state.set(RunState::Ended {
            run: next_run(),
            status: "ok".into(),
            summary: "Setup commands ran.".into(),
        });
        // A share link's notice stays (it is about its code too); a page link's is done.
        offer.update(|o| match o {
            Some(Offer {
                from: OfferFrom::ShareLink,
                commands,
                ..
            }) => commands.clear(),
            _ => *o = None,
        });
    };
    // In the page build, the code of the command families the lines need is fetched first
    // (`crate::lazy`); a family that cannot be fetched leaves its lines to show the refusal.
    let run_setup = move || {
        let Some(Offer { commands, .. }) = offer.get_untracked() else {
            return;
        };
        let missing = playground
            .with(|e| crate::lazy::missing_for_lines(e, &commands))
            .unwrap_or_default();
        if missing.is_empty() {
            run_setup_now(commands);
            return;
        }
        leptos::task::spawn_local(async move {
            for family in missing {
                crate::lazy::load(family).await;
            }
            run_setup_now(commands);
        });
    };

    let running = move || state.get() == RunState::Running;
    view! {
        <section class="panel editor" data-testid="editor" aria-label="Script editor">
            <div class="editor-head">
                <h2>"Script" <span class="panel-note">"Node.js · ioredis"</span></h2>
                <div class="editor-actions">
                    <button
                        class="run-button"
                        data-testid="run-button"
                        node_ref=run_button
                        on:click=move |_| run()
                        on:pointerenter=move |_| prepare_runner()
                        on:focus=move |_| prepare_runner()
                        disabled=running
                        title="Run (Ctrl+Enter)"
                    >
                        "▶ Run"
                    </button>
                    <button data-testid="stop-button" on:click=move |_| stop() disabled=move || !running()>
                        "■ Stop"
                    </button>
                    <button data-testid="share-button" on:click=move |_| make_link() title="Copy a link to this code">
                        "Share"
                    </button>
                </div>
            </div>
            {move || share_error.get().map(|message| view! {
                <div class="editor-notice error" role="alert" data-testid="share-error">
                    <span>{message}</span>
                    <button on:click=move |_| share_error.set(None)>"Dismiss"</button>
                </div>
            })}
            {move || replaced.get().map(|previous| view! {
                <div class="editor-notice replaced" role="status" data-testid="code-replaced">
                    <p>
                        "A link put its code in the editor. Your previous code ("
                        <span data-testid="code-replaced-what">{describe_code(&previous)}</span>
                        ") is kept until you choose."
                    </p>
                    <button data-testid="code-restore" on:click=move |_| bring_back()>"Bring back my previous code"</button>
                    <button data-testid="code-keep-new" on:click=move |_| forget_replaced()>"Keep the new code"</button>
                </div>
            })}
            {move || offer.get().map(|o| view! {
                <div class="editor-notice" data-testid="share-offer" data-from=match o.from { OfferFrom::ShareLink => "share", OfferFrom::PageLink => "page" }>
                    {o.intro().map(|intro| view! {
                        <p>
                            {intro}
                            {o.lesson.clone().map(|l| view! { " Lesson: " <strong>{l}</strong> "." })}
                        </p>
                    })}
                    {(!o.commands.is_empty()).then(|| view! {
                        <p>{o.commands_line()}</p>
                        <pre class="setup-commands" data-testid="share-commands">{o.commands.join("\n")}</pre>
                        <button data-testid="share-run-setup" on:click=move |_| run_setup()>"Run setup commands"</button>
                    })}
                    <button on:click=move |_| offer.set(None)>"Dismiss"</button>
                </div>
            })}
            <div class="editor-body">
                <div class="editor-main">
                    <div class="editor-surface" node_ref=surface on:pointerenter=move |_| mount()>
                        <textarea
                            class="editor-fallback"
                            data-testid="editor-fallback"
                            aria-label="Script editor (Ctrl+Enter runs, Escape leaves)"
                            spellcheck="false"
                            hidden=move || mounted.get()
                            prop:value=move || code.get()
                            on:input=move |ev| code.set(event_target_value(&ev))
                            on:focus=move |_| mount()
                            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                                    ev.prevent_default();
                                    run();
                                } else if ev.key() == "Escape" {
                                    leave_editor();
                                }
                            }
                        ></textarea>
                    </div>
                    <p class="editor-hint">
                        "Ctrl+Enter (⌘+Enter) runs · Escape leaves the editor · "
                        <code>"sleep(ms)"</code> " and " <code>"db.findUser(id)"</code> " take virtual time"
                        {move || too_long_to_save.get().then(|| format!(" · too long to keep across reloads (over {} characters)", storage::MAX_EDITOR_CODE))}
                    </p>
                </div>
                <div class="script-output" data-testid="script-output" role="log" aria-label="Script output"
                    node_ref=output_panel
                    on:scroll=move |_| {
                        if let Some(panel) = output_panel.get_untracked() {
                            // At the end (within a few pixels of rounding): follow it again.
                            // Above where the page last put it: the learner scrolled up. In
                            // between, the page's own scroll overtaken by new lines: no change.
                            let end = panel.scroll_height() - panel.client_height();
                            let top = panel.scroll_top();
                            if top >= end - 4 {
                                follow_output.set_value(true);
                            } else if top + 4 < auto_scrolled_to.get_value() {
                                follow_output.set_value(false);
                            }
                        }
                    }
                >
                    {move || (hidden_lines.get() > 0).then(|| view! {
                        <p class="output-more">{match hidden_lines.get() { 1 => "… 1 earlier line not shown".to_string(), n => format!("… {n} earlier lines not shown") }}</p>
                    })}
                    <For each=move || lines.get() key=|l| l.id let:line>
                        <pre class=format!("output-line {}", line.stream)>{line.text}</pre>
                    </For>
                    {move || match state.get() {
                        RunState::Idle => view! { <p class="run-status idle">"Output appears here when you run the script."</p> }.into_any(),
                        RunState::Running if waiting.with(Option::is_some) => view! {
                            <p class="run-status running waiting" data-testid="run-status" data-waiting="true">
                                {move || waiting.get().unwrap_or_default()}
                            </p>
                        }.into_any(),
                        RunState::Running => view! { <p class="run-status running" data-testid="run-status">"Running…"</p> }.into_any(),
                        RunState::Ended { run, status, summary } => view! {
                            <p class=format!("run-status {status}") data-testid="run-status" data-status=status.clone() data-run=run.to_string()>{summary}</p>
                        }.into_any(),
                    }}
                </div>
            </div>
            {move || share_link.get().map(|link| view! {
                <div class="share-box" data-testid="share-box">
                    <label>
                        "Share link"
                        <input class="share-link" data-testid="share-link" readonly prop:value=link on:focus=move |ev| {
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        } />
                    </label>
                    <label>
                        "Setup commands sent with the link (optional, one per line; they run only when the receiver asks)"
                        <textarea class="share-setup" data-testid="share-setup" rows="3" spellcheck="false"
                            prop:value=move || setup_commands.get()
                            on:input=move |ev| setup_commands.set(event_target_value(&ev))
                        ></textarea>
                    </label>
                    <button data-testid="share-update" on:click=move |_| make_link()>"Update link"</button>
                </div>
            })}
            <p class="share-status" data-testid="share-status" aria-live="polite">{move || share_status.get()}</p>
        </section>
    }
}
