//! The page's shared state: its one engine, a revision counter bumped whenever the engine may
//! have changed (panels re-read it then), and the virtual clock's mode. Created at the root and
//! handed down with context.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use engine::Engine;
use js_sys::Reflect;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// How the virtual clock moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    /// Follows wall time, multiplied by the speed.
    Live,
    /// Moves only when asked (advance buttons, `DEBUG SLEEP`, scripts' `sleep`).
    Paused,
}

/// How the page began, for the console's opening line (shown until the first line runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageStart {
    /// A first visit (or one after the save was lost): a welcome.
    Fresh,
    /// The learner's saved playground came back: say so, and what it holds.
    Restored,
    /// An embed, or the line was already shown: nothing.
    Quiet,
}

/// The speeds the clock offers when live.
pub const SPEEDS: [u32; 3] = [1, 10, 60];

/// Handles on the page's state; `Copy`, so every closure can hold one.
#[derive(Clone, Copy)]
pub struct Playground {
    engine: StoredValue<Rc<RefCell<Engine>>, LocalStorage>,
    /// Bumped whenever the engine may have changed.
    pub revision: RwSignal<u64>,
    /// Live or paused.
    pub mode: RwSignal<ClockMode>,
    /// Speed multiplier when live.
    pub speed: RwSignal<u32>,
    /// The database the console uses and the key browser shows.
    pub db: RwSignal<usize>,
    /// The console's connection, so the timeline can tell its events from scripts'.
    pub console_client: RwSignal<Option<engine::ClientId>>,
    /// The editor's text; lessons, share links and URL parameters set it.
    pub editor_code: RwSignal<String>,
    /// The lesson to open, by id (the lesson picker, `?lesson=`); the lesson panel opens it.
    pub lesson: RwSignal<Option<String>>,
    /// Bumped when the playground is reset (`pagestate::reset_playground`): panels drop what
    /// they keep of the old state (the console its transcript and history).
    pub resets: RwSignal<u64>,
    /// How the page began (see [`PageStart`]).
    pub start: RwSignal<PageStart>,
}

impl Playground {
    /// State around an engine.
    pub fn new(engine: Rc<RefCell<Engine>>) -> Self {
        Playground {
            engine: StoredValue::new_local(engine),
            revision: RwSignal::new(0),
            mode: RwSignal::new(ClockMode::Live),
            speed: RwSignal::new(1),
            db: RwSignal::new(0),
            console_client: RwSignal::new(None),
            editor_code: RwSignal::new(String::new()),
            lesson: RwSignal::new(None),
            resets: RwSignal::new(0),
            start: RwSignal::new(PageStart::Quiet),
        }
    }

    /// Runs `f` on the engine. `None` only if the engine is already borrowed (a re-entrant call
    /// from JavaScript); the caller then skips its update.
    pub fn with<T>(self, f: impl FnOnce(&mut Engine) -> T) -> Option<T> {
        self.engine
            .with_value(|rc| rc.try_borrow_mut().ok().map(|mut e| f(&mut e)))
    }

    /// Runs `f` on the engine, then tells the panels it may have changed.
    pub fn change<T>(self, f: impl FnOnce(&mut Engine) -> T) -> Option<T> {
        let out = self.with(f);
        self.touch();
        out
    }

    /// Tells the panels the engine may have changed.
    pub fn touch(self) {
        self.revision.update(|r| *r = r.wrapping_add(1));
    }

    /// Moves the virtual clock forward by `ms`.
    pub fn advance(self, ms: i64) {
        self.change(|e| e.advance(ms));
    }
}

/// Wall time in milliseconds.
pub fn wall_ms() -> f64 {
    js_sys::Date::now()
}

/// The page clock (`window.redisPlayground.clock`, web/js/runner/clock.js) that the script
/// runner's host installs with the page. When it is there it is the one clock: it drives the
/// engine's time (following wall time at its speed unless paused), and the clock bar only tells
/// it what to do. Without it (the app's own wasm tests) the loop below moves the engine itself.
pub(crate) fn js_clock() -> Option<JsValue> {
    let window = web_sys::window()?;
    let namespace = Reflect::get(&window, &"redisPlayground".into())
        .ok()
        .filter(JsValue::is_object)?;
    Reflect::get(&namespace, &"clock".into())
        .ok()
        .filter(JsValue::is_object)
}

/// Calls `clock.method(...args)`; `None` if it is not a function or throws.
pub(crate) fn call_clock(clock: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let function: js_sys::Function = Reflect::get(clock, &method.into()).ok()?.dyn_into().ok()?;
    let args: js_sys::Array = args.iter().collect();
    function.apply(clock, &args).ok()
}

/// Tells the page clock the bar's mode and speed.
fn push_to_clock(clock: &JsValue, mode: ClockMode, speed: u32) {
    let method = if mode == ClockMode::Paused {
        "pause"
    } else {
        "resume"
    };
    call_clock(clock, method, &[]);
    call_clock(clock, "setSpeed", &[JsValue::from(speed)]);
}

/// Starts the loop that keeps the clock bar and the page clock in step and notices changes made
/// from JavaScript (learner scripts, the clock itself): every 100 ms of wall time.
pub fn start_clock(playground: Playground) {
    // The bar's changes go to the page clock (once it exists; the first tick that finds it
    // hands it the bar's state, later ticks read back what scripts did to it).
    Effect::new(move |_| {
        let (mode, speed) = (playground.mode.get(), playground.speed.get());
        if let Some(clock) = js_clock() {
            push_to_clock(&clock, mode, speed);
        }
    });
    let found_clock = Rc::new(Cell::new(false));
    let last_wall = Rc::new(RefCell::new(wall_ms()));
    let seen = Rc::new(RefCell::new((0u64, 0i64)));
    let tick = move || {
        let now = wall_ms();
        let elapsed = now - std::mem::replace(&mut *last_wall.borrow_mut(), now);
        if let Some(clock) = js_clock() {
            if found_clock.replace(true) {
                let paused = call_clock(&clock, "isPaused", &[]).and_then(|v| v.as_bool());
                let mode = match paused {
                    Some(true) => ClockMode::Paused,
                    _ => ClockMode::Live,
                };
                if mode != playground.mode.get_untracked() {
                    playground.mode.set(mode);
                }
                let speed = call_clock(&clock, "speed", &[]).and_then(|v| v.as_f64());
                if let Some(speed) = speed.filter(|s| *s >= 1.0 && *s <= f64::from(u32::MAX)) {
                    let speed = speed as u32;
                    if speed != playground.speed.get_untracked() {
                        playground.speed.set(speed);
                    }
                }
            } else {
                push_to_clock(
                    &clock,
                    playground.mode.get_untracked(),
                    playground.speed.get_untracked(),
                );
            }
        } else if playground.mode.get_untracked() == ClockMode::Live {
            let ms = (elapsed * f64::from(playground.speed.get_untracked())) as i64;
            playground.with(|e| e.advance(ms));
        }
        // Anything changed since the last tick (scripts, the clock), or something arrived for
        // the console (a message a script published while the clock is paused changes neither):
        // panels re-read, and the console takes what arrived.
        let console = playground.console_client.get_untracked();
        let (state, console_waiting) = playground
            .with(|e| {
                let waiting = console.is_some_and(|id| e.pending_output().contains(&id));
                ((e.events().last_seq(), e.now_ms()), waiting)
            })
            .unwrap_or_default();
        if state != *seen.borrow() || console_waiting {
            *seen.borrow_mut() = state;
            playground.touch();
        }
    };
    set_interval(tick, std::time::Duration::from_millis(100));
}

/// Virtual time as `YYYY-MM-DD HH:MM:SS.mmm` (UTC).
pub fn format_time(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let iso = String::from(date.to_iso_string());
    // 2026-11-22T10:11:12.345Z
    iso.replace('T', " ").trim_end_matches('Z').to_string()
}

/// A duration as redis-minded humans read it: `950 ms`, `12 s`, `3 min 05 s`, `2 h 03 min`.
pub fn format_duration(ms: i64) -> String {
    let s = ms / 1000;
    match ms {
        m if m < 1000 => format!("{m} ms"),
        _ if s < 60 => format!("{s} s"),
        _ if s < 3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ if s < 86_400 => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {:02} h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// The longest custom advance: ten years (the clock never goes back, so a slip of the keyboard
/// — `999999d` — would otherwise leave only Reset to undo it).
pub const MAX_ADVANCE_MS: i64 = 3650 * 86_400_000;

/// Parses a custom advance: `500ms`, `90s`, `5m`, `2h`, `1d`, a bare number of seconds, or
/// parts added up (`1h30m`, `2m 30s`); at most [`MAX_ADVANCE_MS`].
pub fn parse_duration(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let mut rest = t.as_str();
    let mut total = 0.0;
    let mut parts = 0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_end);
        let value: f64 = number.parse().ok().filter(|v: &f64| v.is_finite())?;
        let after = after.trim_start();
        let unit_end = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_end);
        let factor = match unit {
            "ms" => 1.0,
            "s" | "sec" => 1000.0,
            // A bare number is seconds, alone only (`1h30` is not guessed at).
            "" if parts == 0 && after.trim().is_empty() => 1000.0,
            "m" | "min" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return None,
        };
        total += value * factor;
        parts += 1;
        rest = after.trim_start();
    }
    (parts > 0 && total <= MAX_ADVANCE_MS as f64).then_some(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_print() {
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("90"), Some(90_000));
        assert_eq!(parse_duration("1.5 m"), Some(90_000));
        assert_eq!(parse_duration("2h"), Some(7_200_000));
        assert_eq!(parse_duration("-1"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("2m 30s"), Some(150_000));
        assert_eq!(parse_duration("1d 12h"), Some(129_600_000));
        assert_eq!(parse_duration("1h30"), None);
        assert_eq!(parse_duration("1..5s"), None);
        assert_eq!(parse_duration("3650d"), Some(MAX_ADVANCE_MS));
        assert_eq!(parse_duration("3651d"), None);
        assert_eq!(parse_duration("999999d"), None);
        assert_eq!(format_duration(950), "950 ms");
        assert_eq!(format_duration(12_000), "12 s");
        assert_eq!(format_duration(185_000), "3 min 05 s");
        assert_eq!(format_duration(7_380_000), "2 h 03 min");
    }
}
