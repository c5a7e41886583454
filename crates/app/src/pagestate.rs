//! The playground survives a reload: the engine's state (every database's keys, values and
//! expire times, the configuration a learner changed, the `dump.rdb` it saved: see
//! `engine::snapshot`) and the clock (time, paused, speed) are saved to `localStorage` when the
//! engine changes (debounced) and when the page is hidden or left, and restored on load. A live
//! clock keeps its lead on the wall clock while the page is closed, so TTLs run on; a paused
//! one stays where it was.
//!
//! Saved text (key `redis-playground.v1.state`): a header line
//! `RPSTATE <format> <paused 0|1> <speed> <wall ms> <virtual ms>`, then the engine's snapshot
//! in base64. A save of another format or engine version is not restored: the page starts
//! fresh and says so. Snapshots above [`MAX_SAVED_BYTES`] are not saved (the page says so and
//! drops the older save rather than restore something stale).
//!
//! Reset ([`reset_playground`]) empties the engine (connections stay open), puts the clock back
//! to the wall clock, live at ×1, and clears the saved state and the console's history; the
//! theme and panel sizes stay.

use engine::Engine;
use engine::snapshot::SnapshotError;
use js_sys::Reflect;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::state::{ClockMode, Playground, call_clock, js_clock, wall_ms};
use crate::storage;

/// Storage key of the saved state.
pub const STATE_KEY: &str = "state";
/// Storage key of the console's history (the console owns it; reset clears it).
pub const HISTORY_KEY: &str = "history";
/// Format of the saved text (the header line's second word).
const FORMAT: u32 = 1;
/// The largest snapshot saved (base64 makes it a third larger in storage).
pub const MAX_SAVED_BYTES: usize = 1536 * 1024;
/// A change is saved once the engine has been quiet this long…
const QUIET_MS: f64 = 400.0;
/// …or this long after the first unsaved change, whichever comes first.
const MAX_DELAY_MS: f64 = 3000.0;

/// The clock as saved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SavedClock {
    /// Virtual time, Unix ms.
    pub time: i64,
    /// Wall time of the save, Unix ms.
    pub wall: i64,
    pub paused: bool,
    pub speed: u32,
}

impl SavedClock {
    /// The virtual time to start from at wall time `wall_now`: a live clock kept its lead.
    pub fn resumed_at(&self, wall_now: i64) -> i64 {
        if self.paused {
            self.time
        } else {
            self.time
                .saturating_add(wall_now.saturating_sub(self.wall).max(0))
        }
    }
}

/// A message for the learner about saving or restoring (shown in the header).
#[derive(Clone, Copy)]
pub struct StateNote(pub RwSignal<Option<String>>);

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                // A 6-bit index: always within the table.
                out.push(char::from(BASE64[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional, no whitespace); `None` on any other byte.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digits = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &c in digits {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The saved text of a snapshot and the clock.
pub fn encode(snapshot: &[u8], clock: SavedClock) -> String {
    format!(
        "RPSTATE {FORMAT} {} {} {} {}\n{}",
        u8::from(clock.paused),
        clock.speed,
        clock.wall,
        clock.time,
        base64_encode(snapshot)
    )
}

/// Why a saved text was not restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Saved by a page with another format.
    OtherVersion,
    /// Not what this page writes.
    Damaged,
}

/// Reads a saved text back: the snapshot and the clock.
///
/// # Errors
/// Another format, or text this page did not write.
pub fn decode(text: &str) -> Result<(Vec<u8>, SavedClock), Unreadable> {
    let (header, body) = text.split_once('\n').ok_or(Unreadable::Damaged)?;
    let words: Vec<&str> = header.split(' ').collect();
    match words.as_slice() {
        ["RPSTATE", format, rest @ ..] => {
            if format.parse::<u32>().ok() != Some(FORMAT) {
                return Err(Unreadable::OtherVersion);
            }
            let [paused, speed, wall, time] = rest else {
                return Err(Unreadable::Damaged);
            };
            let clock = SavedClock {
                paused: *paused == "1",
                speed: speed
                    .parse()
                    .ok()
                    .filter(|s| *s >= 1)
                    .ok_or(Unreadable::Damaged)?,
                wall: wall.parse().map_err(|_| Unreadable::Damaged)?,
                time: time.parse().map_err(|_| Unreadable::Damaged)?,
            };
            let snapshot = base64_decode(body).ok_or(Unreadable::Damaged)?;
            Ok((snapshot, clock))
        }
        _ => Err(Unreadable::Damaged),
    }
}

thread_local! {
    /// The page build could not fetch the RDB loader a saved playground needs (see
    /// [`restore_waits_for_code`]): the save is neither restored nor overwritten.
    static LOADER_FAILED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the page must fetch the code that reads a saved playground (the RDB loader, a chunk
/// of its own in the page build) before it starts: a saved state exists and this is no embed.
pub fn restore_waits_for_code() -> bool {
    crate::lazy::restore_needs_loading()
        && !crate::params::current().embed
        && storage::load(STATE_KEY).is_some()
}

/// Notes whether that code could be fetched.
pub fn set_restore_code_failed(failed: bool) {
    LOADER_FAILED.with(|f| f.set(failed));
}

/// Whether the saved playground is kept aside: its reader could not be fetched.
pub fn restore_code_failed() -> bool {
    LOADER_FAILED.with(std::cell::Cell::get)
}

/// Restores the saved state into a new engine, before the page uses it. Returns the clock to
/// start from (`None`: start live at the wall clock) and a note for the learner if the save
/// could not be restored.
pub fn restore_on_load(engine: &mut Engine) -> (Option<SavedClock>, Option<String>) {
    if restore_code_failed() {
        return (
            None,
            Some(
                "Your saved playground could not be read now (the page's code did not load): reload the page to get it back. Until then, nothing is saved."
                    .into(),
            ),
        );
    }
    let Some(text) = storage::load(STATE_KEY) else {
        return (None, None);
    };
    let restored =
        decode(&text).and_then(
            |(snapshot, clock)| match engine.restore_snapshot(&snapshot) {
                Ok(_) => Ok(clock),
                Err(SnapshotError::UnknownVersion(_) | SnapshotError::NotASnapshot) => {
                    Err(Unreadable::OtherVersion)
                }
                Err(_) => Err(Unreadable::Damaged),
            },
        );
    match restored {
        Ok(clock) => {
            engine.set_time(clock.resumed_at(wall_ms() as i64));
            let clock = SavedClock {
                time: engine.now_ms(),
                ..clock
            };
            (Some(clock), None)
        }
        Err(why) => {
            storage::remove(STATE_KEY);
            let reason = match why {
                Unreadable::OtherVersion => "it was saved by another version of the page",
                Unreadable::Damaged => "it is damaged",
            };
            (
                None,
                Some(format!(
                    "Your saved playground could not be restored ({reason}): starting fresh."
                )),
            )
        }
    }
}

/// Sets the page clock (`window.redisPlayground.clock`) to `time`, paused or live at `speed`;
/// if the runner's host has not created it yet, leaves the state where it will read it
/// (`window.redisPlayground.initialClock`).
pub fn hand_clock_to_js(time: i64, paused: bool, speed: u32) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let namespace = Reflect::get(&window, &"redisPlayground".into())
        .ok()
        .filter(JsValue::is_object)
        .unwrap_or_else(|| {
            let created: JsValue = js_sys::Object::new().into();
            let _ = Reflect::set(&window, &"redisPlayground".into(), &created);
            created
        });
    let state = js_sys::Object::new();
    // Setting properties on a plain object cannot fail.
    let _ = Reflect::set(&state, &"time".into(), &JsValue::from_f64(time as f64));
    let _ = Reflect::set(&state, &"paused".into(), &JsValue::from_bool(paused));
    let _ = Reflect::set(&state, &"speed".into(), &JsValue::from(speed));
    let _ = Reflect::set(&namespace, &"initialClock".into(), &state);
    if let Some(clock) = js_clock() {
        call_clock(&clock, "restore", &[state.into()]);
    }
}

/// What decides that the state changed since the last save.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Fingerprint {
    /// Last event sequence number, commands processed, paused, speed.
    counters: (u64, u64, bool, u32),
    /// A paused clock's time; a live ×1 clock's lead on the wall clock (it moves only with an
    /// advance, give or take the 50 ms the engine's time may lag); 0 for faster clocks, whose
    /// time is saved with the next change and when the page is left.
    clock: i64,
}

impl Fingerprint {
    /// The same state, give or take the clock's jitter.
    pub fn same(&self, other: &Fingerprint) -> bool {
        self.counters == other.counters && self.clock.abs_diff(other.clock) <= 250
    }
}

fn fingerprint(playground: Playground) -> Fingerprint {
    let paused = playground.mode.get_untracked() == ClockMode::Paused;
    let speed = playground.speed.get_untracked();
    playground
        .with(|e| {
            let clock = if paused {
                e.now_ms()
            } else if speed == 1 {
                e.now_ms() - wall_ms() as i64
            } else {
                0
            };
            Fingerprint {
                counters: (
                    e.events().last_seq(),
                    e.stats().total_commands_processed,
                    paused,
                    speed,
                ),
                clock,
            }
        })
        .unwrap_or_default()
}

/// The clock as it stands.
fn current_clock(playground: Playground) -> SavedClock {
    let engine_now = playground.with(|e| e.now_ms()).unwrap_or_default();
    let js_now = js_clock()
        .and_then(|c| call_clock(&c, "now", &[]))
        .and_then(|v| v.as_f64());
    SavedClock {
        time: js_now.map_or(engine_now, |t| (t as i64).max(engine_now)),
        wall: wall_ms() as i64,
        paused: playground.mode.get_untracked() == ClockMode::Paused,
        speed: playground.speed.get_untracked(),
    }
}

/// Saves the state now.
pub fn save_now(playground: Playground, note: StateNote) {
    let clock = current_clock(playground);
    let Some(snapshot) = playground.with(|e| e.snapshot()) else {
        return;
    };
    if snapshot.len() > MAX_SAVED_BYTES {
        storage::remove(STATE_KEY);
        note.0.set(Some(format!(
            "The playground holds {:.1} MB, more than the {:.1} MB kept across reloads: it is not saved.",
            snapshot.len() as f64 / 1_048_576.0,
            MAX_SAVED_BYTES as f64 / 1_048_576.0
        )));
        return;
    }
    if storage::try_save(STATE_KEY, &encode(&snapshot, clock)) {
        if note
            .0
            .with_untracked(|n| n.as_deref().is_some_and(|n| n.contains("not saved")))
        {
            note.0.set(None);
        }
    } else {
        storage::remove(STATE_KEY);
        note.0.set(Some(
            "The browser refused to store the playground (storage full or disabled): it is not saved."
                .into(),
        ));
    }
}

/// Saves whenever the state changed (debounced), and when the page is hidden or left.
pub fn start_saving(playground: Playground, note: StateNote) {
    let saved = StoredValue::new_local(fingerprint(playground));
    let pending = StoredValue::new_local(None::<(f64, f64)>); // (first change, last change)
    let seen = StoredValue::new_local(fingerprint(playground));
    let check = move || {
        let now = wall_ms();
        let fp = fingerprint(playground);
        if fp.same(&saved.get_value()) {
            pending.set_value(None);
            return;
        }
        if !fp.same(&seen.get_value()) {
            seen.set_value(fp);
            let first = pending.get_value().map_or(now, |(first, _)| first);
            pending.set_value(Some((first, now)));
        }
        if let Some((first, last)) = pending.get_value()
            && (now - last >= QUIET_MS || now - first >= MAX_DELAY_MS)
        {
            save_now(playground, note);
            saved.set_value(fp);
            pending.set_value(None);
        }
    };
    set_interval(check, std::time::Duration::from_millis(200));
    let leave = move |_: web_sys::Event| {
        save_now(playground, note);
        saved.set_value(fingerprint(playground));
    };
    let _ = window_event_listener_untyped("pagehide", leave);
    let _ = window_event_listener_untyped("visibilitychange", move |ev| {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        if hidden {
            leave(ev);
        }
    });
    // Reset forgets the fingerprint's history: the fresh state is not saved until it changes.
    Effect::new(move |_| {
        playground.resets.get();
        let fp = fingerprint(playground);
        saved.set_value(fp);
        seen.set_value(fp);
        pending.set_value(None);
    });
}

/// Starts the playground over: an empty engine (connections stay open), the clock live at ×1
/// from the wall clock, no saved state, no console history. Theme and panel sizes stay.
pub fn reset_playground(playground: Playground, note: StateNote) {
    let now = wall_ms() as i64;
    playground.with(|e| e.reset(crate::page_config(), now));
    hand_clock_to_js(now, false, 1);
    playground.mode.set(ClockMode::Live);
    playground.speed.set(1);
    playground.db.set(0);
    storage::remove(STATE_KEY);
    storage::remove(HISTORY_KEY);
    note.0.set(None);
    playground.resets.update(|n| *n = n.wrapping_add(1));
    playground.touch();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for bytes in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"foobar",
            &[0, 255, 128, 7],
        ] {
            assert_eq!(base64_decode(&base64_encode(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_decode("Zm8"), Some(b"fo".to_vec()));
        assert_eq!(base64_decode("Zm 8"), None);
    }

    #[test]
    fn saved_text_reads_back_and_other_versions_are_refused() {
        let clock = SavedClock {
            time: 1_800_000_000_123,
            wall: 1_700_000_000_000,
            paused: true,
            speed: 10,
        };
        let text = encode(b"RPSNAP\x01...", clock);
        assert_eq!(decode(&text), Ok((b"RPSNAP\x01...".to_vec(), clock)));
        assert_eq!(
            decode(&text.replacen("RPSTATE 1", "RPSTATE 2", 1)),
            Err(Unreadable::OtherVersion)
        );
        assert_eq!(decode("hello"), Err(Unreadable::Damaged));
        assert_eq!(
            decode("RPSTATE 1 0 0 1 2\nAAAA"),
            Err(Unreadable::Damaged),
            "speed 0"
        );
    }

    #[test]
    fn fingerprints_ignore_the_clocks_jitter_only() {
        let a = Fingerprint {
            counters: (1, 2, false, 1),
            clock: -20,
        };
        assert!(a.same(&Fingerprint { clock: 30, ..a }));
        assert!(!a.same(&Fingerprint { clock: 1_000, ..a }));
        assert!(!a.same(&Fingerprint {
            counters: (2, 2, false, 1),
            ..a
        }));
    }

    #[test]
    fn a_live_clock_keeps_its_lead_a_paused_one_stays() {
        let live = SavedClock {
            time: 5_000,
            wall: 1_000,
            paused: false,
            speed: 60,
        };
        assert_eq!(live.resumed_at(3_000), 7_000);
        assert_eq!(live.resumed_at(500), 5_000, "never back");
        let paused = SavedClock {
            paused: true,
            ..live
        };
        assert_eq!(paused.resumed_at(3_000), 5_000);
    }
}
