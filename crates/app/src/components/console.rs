//! The redis-cli console: type a line, press Enter, read the reply exactly as `redis-cli
//! --no-raw` prints it. Keeps redis-cli's habits: the prompt shows the database and `(TX)` inside
//! MULTI; ↑/↓ walk the history (kept across reloads); Tab completes as redis-cli's line editor
//! does, showing the command names and subcommands that complete the line one per press
//! (listed below the line meanwhile), Esc going back to what was typed (see [`TabCycle`]);
//! the remaining arguments are hinted in grey; `HELP <command>`, `HELP @<group>`
//! and `clear` are answered by the console itself; a pasted block runs line by line; a command
//! that took half a second or more (of virtual time) is followed by its duration, `(2.00s)`;
//! after SUBSCRIBE messages appear as they arrive until Ctrl+C leaves subscribed mode; after
//! MONITOR the commands every client runs appear as they run until Ctrl+C leaves monitor mode (as
//! redis-cli, on a new connection to the same database); a blocking command waits for its reply,
//! and Ctrl+C gives it up as redis-cli does, by dropping the connection (redis-cli quits; the
//! console connects again). Lines typed while a command blocks or while monitoring wait, then run
//! in order, as a terminal keeps what is typed ahead while redis-cli waits; Ctrl+C discards them,
//! as the terminal does, and so does a reset of the playground.

use engine::cli::{Help, LineOutcome, complete, format_reply, hint, run_line};
use engine::{ClientId, Engine};
use leptos::ev::{ClipboardEvent, KeyboardEvent};
use leptos::html;
use leptos::prelude::*;

use crate::lazy::Family;
use crate::state::{PageStart, Playground};
use crate::storage;

/// Lines of history kept.
const HISTORY_LIMIT: usize = 200;
/// Storage key of the history.
const HISTORY_KEY: &str = "history";

/// What the transcript shows for one typed line (or for messages that arrived later).
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    /// A line and what it printed.
    Exchange {
        prompt: String,
        input: String,
        output: String,
    },
    /// HELP's answer.
    Help {
        input: String,
        prompt: String,
        help: Help,
    },
    /// Output that arrived while no line was typed (pub/sub messages, MONITOR lines, a served
    /// blocking command), or a mode left with Ctrl+C.
    Arrived(String),
}

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    id: u64,
    shown: Shown,
}

/// A line waiting its turn (see `held` in [`Console`]).
#[derive(Clone, Debug, PartialEq)]
struct Held {
    typed: String,
    /// Typed or pasted by the learner, not a setup command from the URL.
    by_learner: bool,
    /// The playground's reset count when it was typed.
    resets: u64,
}

/// The prompt redis-cli shows: host and port, `[db]` unless 0, `(TX)` inside MULTI; `not
/// connected>` once the server closed the connection (SHUTDOWN, CLIENT KILL), until the next
/// line reconnects.
fn prompt(engine: &Engine, client: ClientId) -> String {
    if !engine.is_connected(client) {
        return "not connected>".to_string();
    }
    let (db, multi) = engine
        .client(client)
        .map_or((0, false), |c| (c.db, c.multi.is_some()));
    let db = if db == 0 {
        String::new()
    } else {
        format!("[{db}]")
    };
    let tx = if multi { "(TX)" } else { "" };
    format!("127.0.0.1:6379{db}{tx}>")
}

/// The line after a command's reply that says how long it took, as redis-cli prints it in its
/// standard output mode once the command took 500 ms or more: `(2.00s)`.
fn elapsed_line(ms: i64) -> Option<String> {
    (ms >= 500).then(|| format!("({:.2}s)\n", ms as f64 / 1000.0))
}

/// Whether the connection is where redis-cli reads no command until Ctrl+C: monitoring, or
/// subscribed over RESP2 (redis-cli's pub/sub mode).
fn holds_prompt(engine: &Engine, client: ClientId) -> bool {
    engine.is_monitor(client)
        || engine
            .client(client)
            .is_some_and(|c| c.resp == 2 && c.in_pubsub_context())
}

/// A command still running on the console's connection: a blocking command waiting for its
/// reply, or MONITOR or SUBSCRIBE until Ctrl+C. What redis-cli times as one command.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Running {
    /// Virtual time at which the line was sent.
    sent_ms: i64,
    /// The event log's newest sequence number once the line was sent: the events the
    /// connection causes after it belong to its reply.
    seq: u64,
    /// Virtual time at which a waiting command times out (`None`: it waits for ever).
    deadline: Option<i64>,
    /// A blocking command (not MONITOR or SUBSCRIBE).
    waits: bool,
}

/// The virtual time at which a wait that ended was answered. Time is virtual: a clock moved by
/// the advance buttons (or running at ×60) jumps, and the console notices a reply only after
/// the jump. The answer is then dated where it happened: when served, at the moment the served
/// command touched its keys (its events in the log); when timed out, at its deadline, as the
/// same seconds passing in real time would have answered it; else when it was noticed.
fn answered_at(engine: &Engine, client: ClientId, running: Running) -> i64 {
    let now = engine.now_ms();
    let served = engine
        .events()
        .after(running.seq)
        .filter(|event| event.client == client)
        .map(|event| event.time_ms)
        .max();
    served.unwrap_or_else(|| running.deadline.map_or(now, |d| d.min(now)))
}

/// Tab completion as redis-cli's line editor (linenoise) does it: the first Tab shows the first
/// completion of the whole line in its place, each further Tab the next one, and after the last
/// the typed text again (with a bell) before starting over. The line shown is the only text:
/// Esc goes back to what was typed, and any other key keeps the completion shown and then acts
/// on it (Enter runs it, a letter is added to it).
#[derive(Clone, Debug, PartialEq)]
struct TabCycle {
    /// What was typed before the first Tab.
    typed: String,
    /// The completions of `typed`, in the order Tab shows them (never empty).
    candidates: Vec<String>,
    /// The completion shown; `candidates.len()` while the typed text is shown again.
    shown: usize,
}

impl TabCycle {
    /// The cycle started by Tab on `typed`, showing its first completion; `None` (redis-cli
    /// rings the bell) when nothing completes it.
    fn start(typed: &str) -> Option<Self> {
        let candidates = complete(typed);
        (!candidates.is_empty()).then(|| Self {
            typed: typed.to_string(),
            candidates,
            shown: 0,
        })
    }

    /// Tab again: the next completion, or the typed text after the last one. Answers whether
    /// the bell rings (the typed text comes back).
    fn next(&mut self) -> bool {
        self.shown = (self.shown + 1) % (self.candidates.len() + 1);
        self.shown == self.candidates.len()
    }

    /// Shift+Tab: one step back (not redis-cli's: its Shift+Tab restores the typed text, as
    /// Esc). Answers whether the bell rings, as [`Self::next`].
    fn back(&mut self) -> bool {
        let positions = self.candidates.len() + 1;
        self.shown = (self.shown + positions - 1) % positions;
        self.shown == self.candidates.len()
    }

    /// The line shown: the current completion, or the typed text.
    fn line(&self) -> &str {
        self.candidates.get(self.shown).unwrap_or(&self.typed)
    }
}

/// What a key pressed while Tab cycles through completions does, as in linenoise, which reads
/// one byte: Tab steps on; Esc gives the typed text back; so do the keys a terminal sends as an
/// escape sequence (arrows, Home, End, Delete, …), which then act as usual on the typed text
/// (in redis-cli ← after `get` Tab leaves `get` with the cursor before the `t`); any other key
/// keeps the completion shown and then acts. Modifiers pressed alone send nothing to a
/// terminal, so they leave the cycle as it is (Shift is pressed before Shift+Tab).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CycleKey {
    Next,
    Back,
    Restore,
    Accept,
    Ignore,
}

fn cycle_key(key: &str, shift: bool) -> CycleKey {
    match key {
        "Tab" if shift => CycleKey::Back,
        "Tab" => CycleKey::Next,
        "Escape" | "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight" | "Home" | "End"
        | "Delete" | "Insert" | "PageUp" | "PageDown" => CycleKey::Restore,
        f if f.len() > 1 && f.starts_with('F') && f[1..].bytes().all(|b| b.is_ascii_digit()) => {
            CycleKey::Restore
        }
        "Shift" | "Control" | "Alt" | "AltGraph" | "Meta" | "CapsLock" | "NumLock"
        | "ScrollLock" | "Fn" | "FnLock" | "Hyper" | "Super" | "Symbol" | "SymbolLock" | "Dead"
        | "Process" | "Unidentified" => CycleKey::Ignore,
        _ => CycleKey::Accept,
    }
}

/// The candidates shown under the line while Tab cycles: all of them when few, else a window
/// around the current one. Each is `(text, current)`; `None` stands for the ones left out.
fn candidate_window(cycle: &TabCycle) -> Vec<Option<(String, bool)>> {
    const WIDTH: usize = 9;
    let all = &cycle.candidates;
    let (from, to) = if all.len() <= WIDTH + 2 {
        (0, all.len())
    } else {
        let centre = cycle.shown.min(all.len() - 1);
        let from = centre.saturating_sub(WIDTH / 2).min(all.len() - WIDTH);
        (from, from + WIDTH)
    };
    let mut out = Vec::new();
    if from > 0 {
        out.push(None);
    }
    out.extend(
        all[from..to]
            .iter()
            .enumerate()
            .map(|(i, c)| Some((c.clone(), from + i == cycle.shown))),
    );
    if to < all.len() {
        out.push(None);
    }
    out
}

/// The console panel.
#[component]
pub fn Console() -> impl IntoView {
    let playground = expect_context::<Playground>();
    // The console's connection; replaced when the server closed it (a simulated crash, CLIENT
    // KILL, QUIT), as redis-cli reconnects on its next command.
    let connection = StoredValue::new(playground.with(Engine::connect).unwrap_or_default());
    let client = move || connection.get_value();
    playground.console_client.set(Some(client()));
    let reconnect = move || {
        if playground
            .with(|e| e.is_connected(client()))
            .unwrap_or(true)
        {
            return;
        }
        if let Some(id) = playground.with(Engine::connect) {
            connection.set_value(id);
            playground.console_client.set(Some(id));
        }
    };
    let transcript = RwSignal::new(Vec::<Entry>::new());
    let next_id = StoredValue::new(0u64);
    let history = StoredValue::new(storage::load_list(HISTORY_KEY));
    let history_pos = StoredValue::new(None::<usize>);
    let line = RwSignal::new(String::new());
    // Tab's cycle through the completions of the line, while it lasts.
    let cycle = RwSignal::new(None::<TabCycle>);
    // How often the bell rang (nothing to complete, or the cycle came back to the typed text):
    // a terminal beeps, the console flashes its line.
    let bells = RwSignal::new(0u32);
    // Esc outside a cycle lets the next Tab move the focus on, as Esc does in the editor: Tab
    // otherwise never leaves the console, so this is the keyboard's way forward out of it.
    let released = StoredValue::new(false);
    let input: NodeRef<html::Input> = NodeRef::new();
    let output: NodeRef<html::Div> = NodeRef::new();
    // The command still running on the connection (a wait, MONITOR, SUBSCRIBE), timed as
    // redis-cli times it: from the line's sending to its reply, or to Ctrl+C.
    let running = StoredValue::new(None::<Running>);

    let push = move |shown: Shown| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        transcript.update(|t| t.push(Entry { id, shown }));
    };
    let scroll_down = move || {
        if let Some(out) = output.get_untracked() {
            out.set_scroll_top(out.scroll_height());
        }
    };
    let current_prompt = move || {
        playground.revision.get();
        playground.with(|e| prompt(e, client())).unwrap_or_default()
    };
    // Whether the console's connection waits in a blocking command (untracked; `waiting` is
    // the same, tracked, for the view).
    let blocked = move || playground.with(|e| e.is_blocked(client())).unwrap_or(false);
    let waiting = move || {
        playground.revision.get();
        blocked()
    };
    // Whether the console's connection is a monitor (untracked; `monitoring` for the view):
    // redis-cli reads no command then, so lines typed meanwhile wait for Ctrl+C.
    let monitor = move || playground.with(|e| e.is_monitor(client())).unwrap_or(false);
    let monitoring = move || {
        playground.revision.get();
        monitor()
    };
    let subscribed = move || {
        playground.revision.get();
        playground
            .with(|e| {
                e.client(client())
                    .is_some_and(|c| c.resp == 2 && c.in_pubsub_context())
            })
            .unwrap_or(false)
    };

    // Lines wait here, in order, while the code of a refused one is fetched or while the
    // console's connection waits in a blocking command or monitors (as a terminal keeps what is
    // typed ahead while redis-cli waits): they run, in order, when it is served or times out.
    // Ctrl+C discards them, as the terminal discards typed-ahead input on an interrupt.
    let held = StoredValue::new_local(std::collections::VecDeque::<Held>::new());
    let held_count = RwSignal::new(0usize);
    let fetching = StoredValue::new_local(false);
    let recount = move || held_count.set(held.with_value(std::collections::VecDeque::len));
    let drop_held = move || {
        held.update_value(std::collections::VecDeque::clear);
        recount();
    };
    // A reset of the playground starts the console over (its saved history is cleared too):
    // nothing runs any more on the server that is gone, and lines typed meanwhile are dropped.
    Effect::new(move |previous: Option<u64>| {
        let resets = playground.resets.get();
        if previous.is_some_and(|p| p != resets) {
            drop_held();
            running.set_value(None);
            transcript.set(Vec::new());
            history.set_value(Vec::new());
            history_pos.set_value(None);
            cycle.set(None);
            line.set(String::new());
            playground.start.set(PageStart::Quiet);
        }
        resets
    });
    // The opening line stays until the first line runs (or the transcript is cleared).
    Effect::new(move |_| {
        if transcript.with(|t| !t.is_empty())
            && playground.start.get_untracked() != PageStart::Quiet
        {
            playground.start.set(PageStart::Quiet);
        }
    });
    let intro = move || {
        let text = match playground.start.get() {
            PageStart::Quiet => return None,
            PageStart::Fresh => WELCOME.to_string(),
            PageStart::Restored => {
                let counts = playground
                    .with(|e| (0..16).map(|db| (db, e.db_len(db))).collect::<Vec<_>>())
                    .unwrap_or_default();
                restored_line(&counts)
            }
        };
        Some(
            view! { <p class="console-status console-intro" data-testid="console-intro">{text}</p> },
        )
    };

    let remember = move |typed: &str| {
        if typed.trim().is_empty() {
            return;
        }
        history.update_value(|h| {
            if h.last().map(String::as_str) != Some(typed) {
                h.push(typed.to_string());
            }
            let excess = h.len().saturating_sub(HISTORY_LIMIT);
            h.drain(..excess);
            storage::save_list(HISTORY_KEY, h);
        });
        history_pos.set_value(None);
    };

    // Runs a line: typed (or pasted) by the learner, or a setup command from the URL, which is
    // shown but neither remembered nor reported. In the page build a command whose code is not
    // loaded yet is refused without running (`crate::lazy`): then nothing is shown, and the
    // family that must be fetched is answered (unless `last_try`: the refusal is shown).
    let run_now = move |typed: &str, by_learner: bool, last_try: bool| -> Option<Family> {
        // The line shows the prompt it was typed at (`not connected>` before a reconnection).
        let prompt = playground.with(|e| prompt(e, client())).unwrap_or_default();
        reconnect();
        crate::lazy::take_missing(); // a refusal nobody took is not this line's
        let before = playground.with(|e| (e.now_ms(), holds_prompt(e, client())));
        let outcome = playground.change(|e| run_line(e, client(), typed.as_bytes()));
        if let Some(family) = crate::lazy::take_missing()
            && !last_try
        {
            return Some(family);
        }
        let typed = typed.to_string();
        if by_learner {
            remember(&typed);
            report_command(&typed, outcome.as_ref());
        }
        // How long the line took on the virtual clock (DEBUG SLEEP moves it), unless it is still
        // running: then it is timed once it ends.
        let after = playground.with(|e| {
            let c = client();
            let waits = e.is_blocked(c);
            (
                e.now_ms(),
                e.events().last_seq(),
                e.blocked_deadline(c),
                waits,
                holds_prompt(e, c),
            )
        });
        let mut took = None;
        if let (Some((sent_ms, held_before)), Some(after)) = (before, after) {
            let (now, seq, deadline, waits, holds) = after;
            let begins = Running {
                sent_ms,
                seq,
                deadline,
                waits,
            };
            if waits {
                running.set_value(Some(begins));
            } else {
                took = elapsed_line(now - sent_ms);
                if !holds {
                    running.set_value(None);
                } else if !held_before {
                    running.set_value(Some(begins));
                }
            }
        }
        match outcome {
            Some(LineOutcome::Print(text)) => push(Shown::Exchange {
                prompt,
                input: typed,
                output: text + took.as_deref().unwrap_or_default(),
            }),
            Some(LineOutcome::Help(help)) => push(Shown::Help {
                input: typed,
                prompt,
                help,
            }),
            Some(LineOutcome::Clear) => transcript.set(Vec::new()),
            // A browser tab is not quit; say so instead of silently doing nothing.
            Some(LineOutcome::Quit) => push(Shown::Exchange {
                prompt,
                input: typed,
                output: "(the console stays open and reconnects on the next command)\n".into(),
            }),
            None => {}
        }
        if let Some(db) = playground
            .with(|e| e.client(client()).map(|c| c.db))
            .flatten()
        {
            playground.db.set(db);
        }
        request_animation_frame(scroll_down);
        None
    };
    // Runs the first held line unless the connection waits or monitors: `None` if none ran; else
    // the family whose code it needs (the line is held again, first), if any. A line typed
    // before a reset of the playground is dropped: it belonged to the server that is gone.
    let run_held = move |last_try: bool| -> Option<Option<Family>> {
        if blocked() || monitor() {
            return None;
        }
        let resets = playground.resets.get_untracked();
        let line = loop {
            let line = held
                .try_update_value(std::collections::VecDeque::pop_front)
                .flatten()?;
            if line.resets == resets {
                break line;
            }
            recount();
        };
        let need = run_now(&line.typed, line.by_learner, last_try);
        if need.is_some() {
            held.update_value(|w| w.push_front(line));
        }
        recount();
        Some(need)
    };
    // Runs the held lines in order until none is left or the connection waits; a line whose
    // code is missing is run again once its family is fetched (meanwhile later lines wait).
    let pump = move || {
        if fetching.get_value() {
            return;
        }
        let family = loop {
            match run_held(false) {
                None => return,
                Some(None) => {}
                Some(Some(family)) => break family,
            }
        };
        fetching.set_value(true);
        leptos::task::spawn_local(async move {
            let mut need = Some(family);
            loop {
                // A family that could not be fetched: the line shows the engine's refusal.
                let mut last_try = false;
                if let Some(family) = need.take() {
                    last_try = !crate::lazy::load(family).await;
                }
                match run_held(last_try) {
                    None => break,
                    Some(found) => need = found,
                }
            }
            fetching.set_value(false);
        });
    };
    let execute = move |typed: String, by_learner: bool| {
        let resets = playground.resets.get_untracked();
        held.update_value(|w| {
            w.push_back(Held {
                typed,
                by_learner,
                resets,
            });
        });
        recount();
        pump();
    };
    // Output that arrives later (messages, a served blocking command's reply) joins the
    // transcript: the waiting line's output if a command waits, else an entry of its own.
    let show_arrived = move |text: String| {
        // Entries are keyed by id and never change in place: a waiting line that gets its reply
        // is replaced by a new entry.
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        transcript.update(|t| match t.last() {
            Some(Entry {
                shown:
                    Shown::Exchange {
                        output,
                        prompt,
                        input,
                    },
                ..
            }) if output.is_empty() => {
                let shown = Shown::Exchange {
                    prompt: prompt.clone(),
                    input: input.clone(),
                    output: text,
                };
                t.pop();
                t.push(Entry { id, shown });
            }
            _ => t.push(Entry {
                id,
                shown: Shown::Arrived(text),
            }),
        });
        request_animation_frame(scroll_down);
    };
    // The running command ended at `end`: what redis-cli then prints of its duration (nothing
    // under half a second).
    let finish_running = move |end: fn(&Engine, ClientId, Running) -> i64| -> String {
        let Some(ran) = running.get_value() else {
            return String::new();
        };
        running.set_value(None);
        playground
            .with(|e| end(e, client(), ran) - ran.sent_ms)
            .and_then(elapsed_line)
            .unwrap_or_default()
    };
    Effect::new(move |_| {
        playground.revision.get();
        let arrived = playground
            .with(|e| e.take_output(client()))
            .unwrap_or_default();
        let mut text: String = arrived.iter().map(format_reply).collect();
        // A wait that ended (served, timed out, or the connection closed) is timed.
        if running.get_value().is_some_and(|r| r.waits) && !blocked() {
            let took = finish_running(answered_at);
            if !text.is_empty() {
                text.push_str(&took);
            }
        }
        if !text.is_empty() {
            show_arrived(text);
        }
        // Lines typed meanwhile run now.
        if held_count.get_untracked() > 0 {
            pump();
        }
    });

    let run = move |typed: String| execute(typed, true);
    for line in crate::params::current().commands {
        execute(line, false);
    }

    // Puts a new connection in the console's place, as redis-cli connects again after Ctrl+C:
    // the old one closes (the server forgets its wait, its monitoring), and the new one selects
    // the database the old one had. Answers what redis-cli reports of that SELECT (a NOAUTH
    // failure), or `None` if the engine was busy.
    let replace_connection = move || -> Option<Option<String>> {
        let old = client();
        let (id, failure) = playground.change(|e| {
            let db = e.client(old).map_or(0, |c| c.db);
            e.disconnect(old);
            let id = e.connect();
            let failure = (db != 0)
                .then(|| e.call(id, &[b"SELECT".to_vec(), db.to_string().into_bytes()]))
                .and_then(|replies| match replies.first() {
                    Some(engine::Reply::Error(message)) => {
                        Some(format!("SELECT {db} failed: {message}\n"))
                    }
                    _ => None,
                });
            (id, failure)
        })?;
        connection.set_value(id);
        playground.console_client.set(Some(id));
        if let Some(db) = playground
            .with(|e| e.client(client()).map(|c| c.db))
            .flatten()
        {
            playground.db.set(db);
        }
        Some(failure)
    };

    // Ctrl+C while a command waits. redis-cli 7.0 quits then (its SIGINT handler exits unless
    // it monitors or reads messages): the terminal shows `^C` and discards what was typed
    // ahead, and the server forgets the wait with the connection. A page cannot quit: the
    // console drops the connection and connects again, as running redis-cli again would (to the
    // same database, as after MONITOR), and says so.
    let give_up_wait = move || {
        drop_held();
        let Some(failure) = replace_connection() else {
            return;
        };
        running.set_value(None);
        show_arrived("^C\n".into());
        push(Shown::Arrived(format!(
            "(redis-cli quits on Ctrl+C during a blocking command; the console connected again)\n{}",
            failure.unwrap_or_default()
        )));
    };

    // Ctrl+C in monitor or subscribed mode: redis-cli 7.0 drops the connection and connects
    // again, selecting the database it had (so the connection's name, subscriptions and
    // monitoring are gone, as they would be after RESET, which would also forget the database),
    // then prints how long the mode lasted. Lines that arrived but are not shown yet are shown
    // first; lines typed meanwhile are discarded, as the terminal does.
    let leave_mode = move |mode: &'static str| {
        let arrived = playground
            .with(|e| e.take_output(client()))
            .unwrap_or_default();
        if !arrived.is_empty() {
            show_arrived(arrived.iter().map(format_reply).collect());
        }
        drop_held();
        let Some(failure) = replace_connection() else {
            return;
        };
        let took = finish_running(|e, _, _| e.now_ms());
        push(Shown::Arrived(format!(
            "(left {mode} mode)\n{}{took}",
            failure.unwrap_or_default()
        )));
        request_animation_frame(scroll_down);
    };

    let interrupt = move || {
        // Ctrl+C: stop waiting, or leave monitor or subscribed mode, or drop the typed line.
        let state = playground.with(|e| {
            (
                e.is_blocked(client()),
                e.is_monitor(client()),
                e.client(client())
                    .is_some_and(engine::Client::in_pubsub_context),
            )
        });
        match state {
            Some((true, _, _)) => give_up_wait(),
            Some((false, true, _)) => leave_mode("monitor"),
            Some((false, false, true)) => leave_mode("subscribed"),
            _ => line.set(String::new()),
        }
    };

    // Shows `text` as the line at once, the caret at its end, before the key's own action
    // (an arrow key that ends a cycle then moves the caret in the restored text).
    let show_line = move |text: String| {
        if let Some(field) = input.get_untracked() {
            field.set_value(&text);
        }
        line.set(text);
    };
    let ring = move |rings: bool| {
        if rings {
            bells.update(|n| *n = n.wrapping_add(1));
        }
    };

    let on_keydown = move |ev: KeyboardEvent| {
        let key = ev.key();
        if cycle.with_untracked(Option::is_some) {
            match cycle_key(&key, ev.shift_key()) {
                step @ (CycleKey::Next | CycleKey::Back) => {
                    ev.prevent_default();
                    let mut rings = false;
                    cycle.update(|c| {
                        if let Some(c) = c {
                            rings = if step == CycleKey::Next {
                                c.next()
                            } else {
                                c.back()
                            };
                        }
                    });
                    ring(rings);
                    if let Some(shown) =
                        cycle.with_untracked(|c| c.as_ref().map(|c| c.line().to_string()))
                    {
                        show_line(shown);
                    }
                    return;
                }
                CycleKey::Restore => {
                    if let Some(typed) = cycle.get_untracked().map(|c| c.typed) {
                        show_line(typed);
                    }
                    cycle.set(None);
                    if key == "Escape" {
                        ev.prevent_default();
                        return;
                    }
                }
                CycleKey::Accept => cycle.set(None),
                CycleKey::Ignore => return,
            }
        } else if cycle_key(&key, false) != CycleKey::Ignore {
            let was_released = released.get_value();
            released.set_value(key == "Escape");
            if key == "Tab" && was_released {
                return;
            }
        }
        if ev.ctrl_key() && (key == "c" || key == "C") {
            ev.prevent_default();
            interrupt();
            return;
        }
        if ev.ctrl_key() && (key == "l" || key == "L") {
            ev.prevent_default();
            transcript.set(Vec::new());
            return;
        }
        match key.as_str() {
            "Enter" => {
                ev.prevent_default();
                let typed = line.get_untracked();
                line.set(String::new());
                run(typed);
            }
            // Shift+Tab outside a cycle moves the focus back out of the console, as a page does;
            // so does Tab right after Esc (above), and Tab on an empty line: redis-cli would
            // cycle through all 300-odd command names there, which would trap a keyboard user
            // going through the page (HELP lists them).
            "Tab" if !ev.shift_key() && !line.get_untracked().is_empty() => {
                // Tab completes here, as in redis-cli, even when nothing completes the line
                // (then the bell rings): it never moves the focus away while typing.
                ev.prevent_default();
                let started = TabCycle::start(&line.get_untracked());
                ring(started.is_none());
                if let Some(started) = started {
                    show_line(started.line().to_string());
                    cycle.set(Some(started));
                }
            }
            "ArrowUp" | "ArrowDown" => {
                ev.prevent_default();
                let len = history.with_value(Vec::len);
                if len == 0 {
                    return;
                }
                let pos = match (history_pos.get_value(), key.as_str()) {
                    (None, "ArrowUp") => Some(len - 1),
                    (Some(p), "ArrowUp") => Some(p.saturating_sub(1)),
                    (Some(p), _) if p + 1 < len => Some(p + 1),
                    // Down past the newest line (or from no line) leaves the history.
                    _ => None,
                };
                history_pos.set_value(pos);
                line.set(
                    pos.and_then(|p| history.with_value(|h| h.get(p).cloned()))
                        .unwrap_or_default(),
                );
            }
            _ => {}
        }
    };

    // A pasted block of several lines runs line by line, as a terminal would.
    let on_paste = move |ev: ClipboardEvent| {
        let text = ev
            .clipboard_data()
            .and_then(|d| d.get_data("text").ok())
            .unwrap_or_default();
        if !text.contains('\n') {
            return;
        }
        ev.prevent_default();
        let first = line.get_untracked();
        line.set(String::new());
        let mut lines = text.lines().map(str::to_string).collect::<Vec<_>>();
        if let Some(head) = lines.first_mut() {
            head.insert_str(0, &first);
        }
        for l in lines {
            run(l);
        }
    };

    let hint_text = move || {
        let typed = line.get();
        if typed.trim().is_empty() {
            String::new()
        } else {
            hint(&typed).unwrap_or_default()
        }
    };

    view! {
        <section class="panel console" aria-label="Redis console">
            <h2>"Console"</h2>
            <div class="console-transcript" data-testid="console-output" role="log" aria-live="polite" node_ref=output>
                {intro}
                <For each=move || transcript.get() key=|e| e.id let:entry>
                    {render_entry(entry.shown)}
                </For>
                {move || subscribed().then(|| view! { <p class="console-status">"Reading messages… (Ctrl+C leaves subscribed mode)"</p> })}
                {move || monitoring().then(|| view! { <p class="console-status">"Monitoring the commands every client runs… (Ctrl+C leaves monitor mode)"</p> })}
                {move || waiting().then(|| view! { <p class="console-status">"Waiting for the blocking command… (Ctrl+C gives up)"</p> })}
                {move || {
                    let n = held_count.get();
                    // Monitoring ends only with Ctrl+C (or a closed connection), which discards them.
                    let fate = if waiting() { Some(("runs after it", "run after it")) } else if monitoring() { Some(("waits", "wait")) } else { None };
                    fate.filter(|_| n > 0).map(|(one, many)| {
                        let text = if n == 1 { format!("1 line typed meanwhile {one}; Ctrl+C discards it.") } else { format!("{n} lines typed meanwhile {many}; Ctrl+C discards them.") };
                        view! { <p class="console-status" data-testid="console-held">{text}</p> }
                    })
                }}
            </div>
            <div class="console-line">
                <label class="prompt" for="console-input" data-testid="console-prompt">{current_prompt}</label>
                <div class=move || match bells.get() {
                    0 => "console-field",
                    n if n % 2 == 1 => "console-field bell-odd",
                    _ => "console-field bell-even",
                }>
                    <div class="console-hint" aria-hidden="true">
                        <span class="typed">{move || line.get()}</span>
                        <span class="hint" data-testid="console-hint">{hint_text}</span>
                    </div>
                    <input
                        id="console-input"
                        data-testid="console-input"
                        node_ref=input
                        prop:value=line
                        on:input=move |ev| {
                            line.set(event_target_value(&ev));
                            cycle.set(None);
                            history_pos.set_value(None);
                        }
                        on:blur=move |_| {
                            cycle.set(None);
                            released.set_value(false);
                        }
                        on:keydown=on_keydown
                        on:paste=on_paste
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        aria-describedby="console-help"
                        placeholder="Type a command, e.g. SET greeting hello   (HELP, Tab, ↑)"
                    />
                </div>
            </div>
            <p id="console-help" class="visually-hidden">
                "Enter runs the line. Tab completes what is typed: each Tab shows the next completion, Esc goes back to what was typed, Shift+Tab steps back. Tab on an empty line, Esc then Tab, or Shift+Tab leaves the console. Arrows walk the history, Ctrl+C interrupts, Ctrl+L clears."
            </p>
            {move || {
                cycle.with(|c| c.as_ref().map(|c| {
                    let position = if c.shown < c.candidates.len() {
                        format!("{}/{}", c.shown + 1, c.candidates.len())
                    } else {
                        let n = c.candidates.len();
                        format!("as typed; {n} completion{}", if n == 1 { "" } else { "s" })
                    };
                    view! {
                        <p class="console-candidates" data-testid="console-candidates" aria-hidden="true">
                            {candidate_window(c).into_iter().map(|item| match item {
                                Some((text, true)) => view! { <span class="candidate current">{text}</span> }.into_any(),
                                Some((text, false)) => view! { <span class="candidate">{text}</span> }.into_any(),
                                None => view! { <span class="candidate-more">"…"</span> }.into_any(),
                            }).collect_view()}
                            <span class="candidate-position">{position}</span>
                            <span class="candidate-keys">"Esc: what you typed · Esc, Esc, Tab: leave the console"</span>
                        </p>
                    }
                }))
            }}
        </section>
    }
}

/// The console's opening line on a first visit (redis-cli itself prints nothing).
const WELCOME: &str = "Welcome! This is redis-cli, connected to a Redis 7.0 that runs in this page: try SET greeting hello, then GET greeting. HELP lists the commands and Tab completes them. New to caching with Redis? Pick a lesson under Lessons.";

/// The opening line after the learner's saved playground came back: what it holds, by database.
fn restored_line(counts: &[(usize, usize)]) -> String {
    let held: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(db, n)| {
            let keys = if *n == 1 {
                "1 key".to_string()
            } else {
                format!("{n} keys")
            };
            format!("{keys} in database {db}")
        })
        .collect();
    let what = match held.as_slice() {
        [] => "no keys yet".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    format!(
        "Your playground is as you left it in this browser: {what}, the clock where it was. Reset (at the top) starts afresh."
    )
}

/// The `command` window event (CONTRACT.md): `{line, reply}`, the reply as the console prints it.
fn report_command(line: &str, outcome: Option<&LineOutcome>) {
    let reply = match outcome {
        Some(LineOutcome::Print(text)) => text.clone(),
        Some(LineOutcome::Help(help)) => engine::cli::help_text(help),
        _ => String::new(),
    };
    crate::bridge::emit("command", &[("line", line), ("reply", &reply)]);
}

fn render_entry(shown: Shown) -> AnyView {
    match shown {
        Shown::Exchange {
            prompt,
            input,
            output,
        } => view! {
            <div class="exchange">
                <div class="typed"><span class="prompt">{prompt}</span>" "{input}</div>
                <pre class="reply">{output}</pre>
            </div>
        }
        .into_any(),
        Shown::Help {
            prompt,
            input,
            help,
        } => view! {
            <div class="exchange">
                <div class="typed"><span class="prompt">{prompt}</span>" "{input}</div>
                <div class="reply help">{render_help(help)}</div>
            </div>
        }
        .into_any(),
        Shown::Arrived(text) => {
            view! { <div class="exchange arrived"><pre class="reply">{text}</pre></div> }.into_any()
        }
    }
}

fn render_help(help: Help) -> AnyView {
    match help {
        Help::Usage => view! { <pre>{engine::cli::help_text(&Help::Usage)}</pre> }.into_any(),
        Help::Entries(entries) if entries.is_empty() => {
            view! { <pre>"(no help for that topic)"</pre> }.into_any()
        }
        Help::Entries(entries) => entries
            .into_iter()
            .map(|e| {
                view! {
                    <div class="help-entry">
                        <p><strong>{e.name}</strong>" "<span class="hint">{e.syntax}</span></p>
                        <p><span class="help-label">"summary: "</span>{e.summary}</p>
                        <p><span class="help-label">"since: "</span>{e.since}</p>
                        <p><span class="help-label">"group: "</span>{e.group}</p>
                    </div>
                }
            })
            .collect_view()
            .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn the_restored_line_says_what_came_back() {
        let start = "Your playground is as you left it in this browser: ";
        let end = ", the clock where it was. Reset (at the top) starts afresh.";
        assert_eq!(
            restored_line(&[(0, 0), (1, 0)]),
            format!("{start}no keys yet{end}")
        );
        assert_eq!(
            restored_line(&[(0, 1)]),
            format!("{start}1 key in database 0{end}")
        );
        assert_eq!(
            restored_line(&[(0, 12), (1, 0), (2, 3), (5, 1)]),
            format!(
                "{start}12 keys in database 0, 3 keys in database 2 and 1 key in database 5{end}"
            )
        );
    }

    /// Sends `line` on `client`, which must then wait, and records it as the console does.
    fn wait(engine: &mut Engine, client: ClientId, line: &str) -> Running {
        let sent_ms = engine.now_ms();
        assert_eq!(engine.call(client, &argv(line)), vec![]);
        assert!(engine.is_blocked(client));
        Running {
            sent_ms,
            seq: engine.events().last_seq(),
            deadline: engine.blocked_deadline(client),
            waits: true,
        }
    }

    #[test]
    fn tab_cycles_through_the_completions_then_the_typed_text() {
        let mut cycle = TabCycle::start("get").expect("GET completes");
        let mut seen = vec![cycle.line().to_string()];
        let mut bells = Vec::new();
        for _ in 0..7 {
            bells.push(cycle.next());
            seen.push(cycle.line().to_string());
        }
        assert_eq!(
            seen,
            [
                "GET", "GETBIT", "GETDEL", "GETEX", "GETRANGE", "GETSET", "get", "GET"
            ]
        );
        // The bell rings when the typed text comes back, and only then.
        assert_eq!(bells, [false, false, false, false, false, true, false]);
        // A single completion still cycles: it, then the typed text.
        let mut one = TabCycle::start("hgeta").expect("HGETALL completes");
        assert_eq!(one.line(), "HGETALL");
        assert!(one.next());
        assert_eq!(one.line(), "hgeta");
        assert!(!one.next());
        assert_eq!(one.line(), "HGETALL");
        assert_eq!(TabCycle::start("GET key"), None);
    }

    #[test]
    fn shift_tab_steps_back_through_the_typed_text_to_the_last_completion() {
        let mut cycle = TabCycle::start("get").expect("GET completes");
        assert!(cycle.back());
        assert_eq!(cycle.line(), "get");
        assert!(!cycle.back());
        assert_eq!(cycle.line(), "GETSET");
        cycle.next();
        assert_eq!(cycle.line(), "get");
    }

    #[test]
    fn keys_during_a_cycle_act_as_their_terminal_bytes_do_in_linenoise() {
        assert_eq!(cycle_key("Tab", false), CycleKey::Next);
        assert_eq!(cycle_key("Tab", true), CycleKey::Back);
        for restoring in [
            "Escape",
            "ArrowLeft",
            "ArrowUp",
            "Home",
            "End",
            "Delete",
            "F5",
        ] {
            assert_eq!(
                cycle_key(restoring, false),
                CycleKey::Restore,
                "{restoring}"
            );
        }
        for accepting in ["Enter", " ", "a", "F", "Backspace", "c"] {
            assert_eq!(cycle_key(accepting, false), CycleKey::Accept, "{accepting}");
        }
        for nothing in ["Shift", "Control", "Alt", "Meta", "Dead"] {
            assert_eq!(cycle_key(nothing, true), CycleKey::Ignore, "{nothing}");
        }
    }

    #[test]
    fn a_long_list_of_candidates_shows_a_window_around_the_current_one() {
        let names = |cycle: &TabCycle| -> Vec<String> {
            candidate_window(cycle)
                .into_iter()
                .map(|item| match item {
                    Some((text, true)) => format!("[{text}]"),
                    Some((text, false)) => text,
                    None => "…".into(),
                })
                .collect()
        };
        let few = TabCycle::start("get").expect("GET completes");
        assert_eq!(
            names(&few),
            ["[GET]", "GETBIT", "GETDEL", "GETEX", "GETRANGE", "GETSET"]
        );
        let many = TabCycle {
            typed: String::new(),
            candidates: (0..30).map(|i| format!("C{i:02}")).collect(),
            shown: 0,
        };
        let window = names(&many);
        assert_eq!(window.first().map(String::as_str), Some("[C00]"));
        assert_eq!(window.last().map(String::as_str), Some("…"));
        assert_eq!(window.len(), 10);
        let middle = TabCycle {
            shown: 15,
            ..many.clone()
        };
        assert_eq!(
            names(&middle),
            [
                "…", "C11", "C12", "C13", "C14", "[C15]", "C16", "C17", "C18", "C19", "…"
            ]
        );
        // Back at the typed text: the window stays at the end, nothing highlighted.
        let typed = TabCycle { shown: 30, ..many };
        let window = names(&typed);
        assert_eq!(window.first().map(String::as_str), Some("…"));
        assert_eq!(window.last().map(String::as_str), Some("C29"));
        assert!(window.iter().all(|n| !n.starts_with('[')));
    }

    #[test]
    fn durations_print_as_redis_cli_prints_them() {
        assert_eq!(elapsed_line(0), None);
        assert_eq!(elapsed_line(499), None);
        assert_eq!(elapsed_line(500).as_deref(), Some("(0.50s)\n"));
        assert_eq!(elapsed_line(999).as_deref(), Some("(1.00s)\n"));
        assert_eq!(elapsed_line(2000).as_deref(), Some("(2.00s)\n"));
        // As C's printf rounds the double: 2.125 is exact and goes to even.
        assert_eq!(elapsed_line(2125).as_deref(), Some("(2.12s)\n"));
        assert_eq!(elapsed_line(12_345).as_deref(), Some("(12.35s)\n"));
    }

    #[test]
    fn a_timed_out_wait_is_answered_at_its_deadline_though_the_clock_jumped_past_it() {
        let mut engine = Engine::new();
        engine.set_time(1_000_000);
        let console = engine.connect();
        let running = wait(&mut engine, console, "BLPOP k 2");
        assert_eq!(running.deadline, Some(1_002_000));
        engine.advance(10_000);
        assert!(!engine.is_blocked(console));
        assert_eq!(answered_at(&engine, console, running), 1_002_000);
    }

    #[test]
    fn a_served_wait_is_answered_when_served_though_time_passed_before_it_was_noticed() {
        let mut engine = Engine::new();
        engine.set_time(1_000_000);
        let console = engine.connect();
        let other = engine.connect();
        // Another client waits and times out sooner.
        wait(&mut engine, other, "BLPOP elsewhere 1");
        let running = wait(&mut engine, console, "BLPOP jobs 5");
        assert_eq!(running.deadline, Some(1_005_000));
        engine.advance(3_000);
        engine.call(other, &argv("RPUSH jobs one"));
        engine.advance(60_000);
        assert_eq!(answered_at(&engine, console, running), 1_003_000);
        // A stream read too.
        assert_eq!(engine.take_output(console).len(), 1);
        let running = wait(&mut engine, console, "XREAD BLOCK 0 STREAMS s $");
        engine.advance(1_500);
        engine.call(other, &argv("XADD s * f v"));
        engine.advance(60_000);
        assert_eq!(answered_at(&engine, console, running), 1_064_500);
    }
}
