//! The timeline: every keyspace event on virtual time, read from the engine's event log. Hits
//! and misses are told apart by colour and by shape (● hit, ✕ miss), writes (▲), deletions (□),
//! expiries (◆) and evictions (■) sit on their own lane; the running hit rate is a line behind
//! them across the lanes' height (0 % at the bottom, 100 % at the top), and the totals equal
//! `INFO stats`' `keyspace_hits` and `keyspace_misses`. The wheel zooms, dragging pans, "Follow"
//! keeps the present in view (the clock's moves included); the key pattern and the source
//! (console or scripts) filter what is drawn. Scripts' calls to the simulated database and their
//! `sleep`s (the runner's events, recorded by the editor in [`ScriptSpans`]) are spans on a lane
//! of their own, labelled with their latency. The latest events are also listed as text for
//! screen readers. Drawing walks only the visible events and aggregates those of a kind within a
//! mark's width (a count under the mark, where it fits), so 100,000 events stay smooth.

use std::cell::RefCell;
use std::rc::Rc;

use engine::{ClientId, EventKind};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, MouseEvent, WheelEvent};

use crate::state::Playground;

/// Events kept for drawing (the engine keeps as many).
const KEEP: usize = 100_000;

/// One event as the timeline keeps it.
#[derive(Clone, Debug)]
struct Mark {
    time: i64,
    kind: EventKind,
    client: ClientId,
    key: String,
    command: &'static str,
}

/// The lane an event is drawn on.
fn lane(kind: EventKind) -> usize {
    match kind {
        EventKind::Hit | EventKind::Miss => 0,
        EventKind::Write | EventKind::Del => 1,
        EventKind::Expired | EventKind::Evicted => 2,
    }
}

const LANES: [&str; 4] = ["reads", "writes", "expiry", "script"];
/// The lane of scripts' spans.
const SPAN_LANE: usize = 3;
/// Spans kept for drawing.
const KEEP_SPANS: usize = 10_000;
/// Latest events listed as text.
const RECENT: usize = 12;

/// What a script did besides Redis commands, as the script runner reports it: a call to the
/// simulated database or a `sleep`, from `start` to `end` (virtual Unix ms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptSpan {
    /// `Some(method)` for `db.<method>(…)`, `None` for `sleep`.
    pub db: Option<String>,
    pub start: i64,
    pub end: i64,
}

impl ScriptSpan {
    /// `db.findUser 50 ms`, `sleep 100 ms`.
    pub fn label(&self) -> String {
        let ms = self.end.saturating_sub(self.start);
        match &self.db {
            Some(name) => format!("db.{name} {ms} ms"),
            None => format!("sleep {ms} ms"),
        }
    }
}

/// Scripts' spans, recorded by the editor as its runs report them and drawn by the timeline;
/// provided as context at the page's root. `1` is the virtual time range of the last run: the
/// timeline zooms onto it (and stops following the present) when it is set.
#[derive(Clone, Copy)]
pub struct ScriptSpans(
    pub RwSignal<Vec<ScriptSpan>>,
    pub RwSignal<Option<(i64, i64)>>,
);

impl Default for ScriptSpans {
    fn default() -> Self {
        ScriptSpans(RwSignal::new(Vec::new()), RwSignal::new(None))
    }
}

impl ScriptSpans {
    /// Adds a span (in time order: runs report them as they end), forgetting the oldest beyond
    /// the limit.
    pub fn record(self, span: ScriptSpan) {
        self.0.update(|spans| {
            let at = spans.partition_point(|s| s.start <= span.start);
            spans.insert(at, span);
            let excess = spans.len().saturating_sub(KEEP_SPANS);
            spans.drain(..excess);
        });
    }
}

/// Which clients' events are drawn.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Source {
    All,
    Console,
    Scripts,
}

struct View {
    marks: Vec<Mark>,
    last_seq: u64,
    /// Visible window in virtual ms.
    start: f64,
    end: f64,
    /// The engine's time when last read: the hit rate's line ends there.
    now: i64,
    follow: bool,
    drag: Option<(f64, f64)>,
}

/// The timeline panel.
#[component]
pub fn Timeline() -> impl IntoView {
    let playground = expect_context::<Playground>();
    let spans = use_context::<ScriptSpans>().unwrap_or_default();
    let (recent, set_recent) = signal(Vec::<String>::new());
    let canvas: NodeRef<html::Canvas> = NodeRef::new();
    let (pattern, set_pattern) = signal(String::new());
    let (source, set_source) = signal(Source::All);
    let (tooltip, set_tooltip) = signal(None::<(f64, f64, String)>);
    let (follow, set_follow) = signal(true);
    let view = Rc::new(RefCell::new(View {
        marks: Vec::new(),
        last_seq: 0,
        start: 0.0,
        end: 60_000.0,
        now: 0,
        follow: true,
        drag: None,
    }));

    let totals = move || {
        playground.revision.get();
        playground
            .with(|e| (e.stats().keyspace_hits, e.stats().keyspace_misses))
            .unwrap_or_default()
    };

    let draw = {
        let view = Rc::clone(&view);
        move || {
            let Some(canvas) = canvas.get_untracked() else {
                return;
            };
            let console = playground.console_client.get_untracked();
            let pattern = pattern.get_untracked();
            let source = source.get_untracked();
            let mut v = view.borrow_mut();
            // A reset engine numbers its events from the start again: forget the old ones.
            if playground.with(|e| e.events().last_seq()).unwrap_or(0) < v.last_seq {
                v.marks.clear();
                v.last_seq = 0;
            }
            // New events from the log.
            let (new, now) = playground
                .with(|e| {
                    let new: Vec<(u64, Mark)> = e
                        .events()
                        .after(v.last_seq)
                        .map(|ev| {
                            (
                                ev.seq,
                                Mark {
                                    time: ev.time_ms,
                                    kind: ev.kind,
                                    client: ev.client,
                                    key: String::from_utf8_lossy(&ev.key).into_owned(),
                                    command: ev.command,
                                },
                            )
                        })
                        .collect();
                    (new, e.now_ms())
                })
                .unwrap_or_default();
            if let Some((seq, _)) = new.last() {
                v.last_seq = *seq;
            }
            v.marks.extend(new.into_iter().map(|(_, m)| m));
            let excess = v.marks.len().saturating_sub(KEEP);
            v.marks.drain(..excess);
            v.now = now;
            if v.follow {
                let width = (v.end - v.start).max(1.0);
                v.end = now as f64 + width * 0.05;
                v.start = v.end - width;
            }
            spans.0.with_untracked(|spans| {
                render(&canvas, &v, spans, console, &pattern, source);
                let latest = latest(&v.marks, spans, console, &pattern, source);
                if latest != recent.get_untracked() {
                    set_recent.set(latest);
                }
            });
        }
    };
    let draw = Rc::new(draw);

    // A script run ended: show it whole, with room around it (at least 200 ms), and stay there.
    {
        let view = Rc::clone(&view);
        Effect::new(move |_| {
            let Some((start, end)) = spans.1.get() else {
                return;
            };
            let width = ((end - start) as f64 * 1.25).max(200.0);
            let mut v = view.borrow_mut();
            v.start = start as f64 - (width - (end - start) as f64) / 2.0;
            v.end = v.start + width;
            v.follow = false;
            drop(v);
            set_follow.set(false);
        });
    }

    // Redraw whenever the engine changes, the filters change or the window moves.
    {
        let draw = Rc::clone(&draw);
        Effect::new(move |_| {
            playground.revision.get();
            spans.0.track();
            pattern.get();
            source.get();
            follow.get();
            draw();
        });
    }

    let on_wheel = {
        let view = Rc::clone(&view);
        let draw = Rc::clone(&draw);
        move |ev: WheelEvent| {
            ev.prevent_default();
            let Some(canvas) = canvas.get_untracked() else {
                return;
            };
            let width = f64::from(canvas.client_width().max(1));
            let mut v = view.borrow_mut();
            let at = v.start + (f64::from(ev.offset_x()) / width) * (v.end - v.start);
            let factor = if ev.delta_y() > 0.0 { 1.25 } else { 0.8 };
            let span = ((v.end - v.start) * factor).clamp(10.0, 1e12);
            let ratio = (at - v.start) / (v.end - v.start);
            v.start = at - span * ratio;
            v.end = v.start + span;
            drop(v);
            draw();
        }
    };
    let on_down = {
        let view = Rc::clone(&view);
        move |ev: MouseEvent| {
            let mut v = view.borrow_mut();
            v.drag = Some((f64::from(ev.offset_x()), v.start));
            v.follow = false;
            set_follow.set(false);
        }
    };
    let on_up = {
        let view = Rc::clone(&view);
        move |_: MouseEvent| view.borrow_mut().drag = None
    };
    let on_move = {
        let view = Rc::clone(&view);
        let draw = Rc::clone(&draw);
        move |ev: MouseEvent| {
            let Some(canvas) = canvas.get_untracked() else {
                return;
            };
            let width = f64::from(canvas.client_width().max(1));
            let height = f64::from(canvas.client_height().max(1));
            let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
            let mut v = view.borrow_mut();
            if let Some((from_x, from_start)) = v.drag {
                let span = v.end - v.start;
                v.start = from_start - (x - from_x) / width * span;
                v.end = v.start + span;
                drop(v);
                set_tooltip.set(None);
                draw();
                return;
            }
            // The nearest visible event on the lane under the pointer, within 6 px.
            let row = ((y - TOP) / ((height - TOP) / LANES.len() as f64)).floor();
            let console = playground.console_client.get_untracked();
            let (pattern, source) = (pattern.get_untracked(), source.get_untracked());
            let span = (v.end - v.start).max(1.0);
            if row as usize == SPAN_LANE {
                let at = v.start + x / width * span;
                let slack = 6.0 / width * span;
                let found = (source != Source::Console)
                    .then(|| {
                        spans.0.with_untracked(|spans| {
                            spans
                                .iter()
                                .rev()
                                .find(|s| {
                                    s.start as f64 - slack <= at && at <= s.end as f64 + slack
                                })
                                .map(|s| format!("{} — script", s.label()))
                        })
                    })
                    .flatten();
                set_tooltip.set(found.map(|text| (x, y, text)));
                return;
            }
            let found = v
                .marks
                .iter()
                .filter(|m| {
                    row >= 0.0
                        && lane(m.kind) == row as usize
                        && shown(m, console, &pattern, source)
                })
                .map(|m| (((m.time as f64 - v.start) / span * width - x).abs(), m))
                .filter(|(d, _)| *d <= 6.0)
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, m)| describe(m, console));
            set_tooltip.set(found.map(|text| (x, y, text)));
        }
    };

    view! {
        <section class="panel timeline" aria-label="Timeline of keyspace events">
            <h2>"Timeline"</h2>
            <div class="timeline-controls">
                <span class="timeline-totals" data-testid="hit-rate">
                    {move || {
                        let (hits, misses) = totals();
                        let rate = if hits + misses == 0 { "—".to_string() } else { format!("{:.1} %", hits as f64 * 100.0 / (hits + misses) as f64) };
                        let hit_word = if hits == 1 { "hit" } else { "hits" };
                        let miss_word = if misses == 1 { "miss" } else { "misses" };
                        format!("● {hits} {hit_word}  ✕ {misses} {miss_word}  hit rate {rate}")
                    }}
                </span>
                <input
                    class="timeline-filter"
                    data-testid="timeline-filter"
                    placeholder="Filter: user:*"
                    aria-label="Show events of keys matching a pattern"
                    prop:value=pattern
                    on:input=move |ev| set_pattern.set(event_target_value(&ev))
                />
                <select
                    aria-label="Show events from"
                    data-testid="timeline-source"
                    on:change=move |ev| {
                        set_source.set(match event_target_value(&ev).as_str() {
                            "console" => Source::Console,
                            "scripts" => Source::Scripts,
                            _ => Source::All,
                        });
                    }
                >
                    <option value="all">"All sources"</option>
                    <option value="console">"Console"</option>
                    <option value="scripts">"Scripts"</option>
                </select>
                <button
                    data-testid="timeline-follow"
                    aria-pressed=move || follow.get().to_string()
                    on:click={
                        let view = Rc::clone(&view);
                        move |_| {
                            let next = !follow.get_untracked();
                            view.borrow_mut().follow = next;
                            set_follow.set(next);
                        }
                    }
                >
                    {move || if follow.get() { "Following now" } else { "Follow now" }}
                </button>
            </div>
            <div class="timeline-canvas-wrap">
                <canvas
                    data-testid="timeline"
                    node_ref=canvas
                    role="img"
                    aria-label="Keyspace events on virtual time: reads (hits and misses), writes, expiries and evictions, and scripts' database calls and sleeps"
                    on:wheel=on_wheel
                    on:mousedown=on_down
                    on:mouseup=on_up.clone()
                    on:mouseleave=move |ev| {
                        on_up(ev);
                        set_tooltip.set(None);
                    }
                    on:mousemove=on_move
                ></canvas>
                {move || tooltip.get().map(|(x, y, text)| view! {
                    <div class="timeline-tooltip" data-testid="timeline-tooltip" style=format!("left:{}px;top:{}px", x + 12.0, y + 12.0)>{text}</div>
                })}
            </div>
            <p class="timeline-legend">
                <span class="legend hit">"● hit"</span>
                <span class="legend miss">"✕ miss"</span>
                <span class="legend write">"▲ write"</span>
                <span class="legend write">"□ delete"</span>
                <span class="legend expire">"◆ expired"</span>
                <span class="legend evict">"■ evicted"</span>
                <span class="legend span">"▬ db call / ▭ sleep (script)"</span>
                <span class="legend rate">"— hit rate (0 % bottom, 100 % top)"</span>
            </p>
            <ol class="visually-hidden" data-testid="timeline-recent" aria-label="Latest events, oldest first">
                {move || recent.get().into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
            </ol>
        </section>
    }
}

/// The latest events shown (filters applied), oldest first, as text: marks as their tooltips
/// say, spans by their label.
fn latest(
    marks: &[Mark],
    spans: &[ScriptSpan],
    console: Option<ClientId>,
    pattern: &str,
    source: Source,
) -> Vec<String> {
    let mut items: Vec<(i64, u8, String)> = marks
        .iter()
        .rev()
        .filter(|m| shown(m, console, pattern, source))
        .take(RECENT)
        .map(|m| (m.time, 0, describe(m, console)))
        .collect();
    if source != Source::Console {
        items.extend(
            spans
                .iter()
                .rev()
                .take(RECENT)
                .map(|s| (s.start, 1, format!("{} — script", s.label()))),
        );
    }
    // By time; at equal times a command comes before the span it started.
    engine::qsort::sort_by_key(&mut items, |(time, order, _)| (*time, *order));
    let skip = items.len().saturating_sub(RECENT);
    items
        .into_iter()
        .skip(skip)
        .map(|(_, _, text)| text)
        .collect()
}

/// Height of the time axis's labels above the lanes.
const TOP: f64 = 20.0;
/// The space kept clear at the canvas's right edge and between two time labels.
const LABEL_GAP: f64 = 4.0;
/// How far the hit rate's line stays from the lanes' top and bottom edges.
const RATE_PAD: f64 = 3.0;

fn shown(mark: &Mark, console: Option<ClientId>, pattern: &str, source: Source) -> bool {
    let from_console = console == Some(mark.client);
    let source_ok = match source {
        Source::All => true,
        Source::Console => from_console,
        Source::Scripts => !from_console && mark.client != 0,
    };
    source_ok
        && (pattern.is_empty()
            || engine::glob::glob_match(pattern.as_bytes(), mark.key.as_bytes(), false))
}

fn describe(mark: &Mark, console: Option<ClientId>) -> String {
    let who = match mark.client {
        0 => "server".to_string(),
        c if Some(c) == console => "console".to_string(),
        c => format!("client {c}"),
    };
    let command = if mark.command.is_empty() {
        String::new()
    } else {
        format!(" {}", mark.command.to_ascii_uppercase())
    };
    format!("{}{command} {} — {who}", mark.kind.as_str(), mark.key)
}

/// The theme's colours, read once per drawing: reading a custom property asks the browser for
/// the root's computed style, which cost more than the drawing itself when it was read per mark.
struct Palette {
    fg: String,
    panel: String,
    muted: String,
    border: String,
    hit: String,
    miss: String,
    write: String,
    expire: String,
    evict: String,
    db: String,
}

impl Palette {
    fn read() -> Palette {
        let style = web_sys::window().and_then(|w| {
            let root = w.document()?.document_element()?;
            w.get_computed_style(&root).ok().flatten()
        });
        // A custom property of the page's theme.
        let colour = |name: &str, fallback: &str| {
            style
                .as_ref()
                .and_then(|style| style.get_property_value(name).ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| fallback.to_string())
        };
        Palette {
            fg: colour("--fg", "#1b1e24"),
            panel: colour("--panel", "#ffffff"),
            muted: colour("--muted", "#4d5360"),
            border: colour("--border", "#cfd3da"),
            hit: colour("--hit", "#17703a"),
            miss: colour("--miss", "#b3261e"),
            write: colour("--write", "#1f5fbf"),
            expire: colour("--expire", "#6b6f78"),
            evict: colour("--evict", "#a15c00"),
            db: colour("--db", "#7a3fb0"),
        }
    }
}

/// The event kinds, in the order of [`Crowd`]'s counts.
const KINDS: [EventKind; 6] = [
    EventKind::Hit,
    EventKind::Miss,
    EventKind::Write,
    EventKind::Del,
    EventKind::Expired,
    EventKind::Evicted,
];

/// The width of a mark: the events of one kind within that many pixels share one mark.
const SLOT_PX: f64 = 8.0;

/// How many events of each kind fall in each slot of [`SLOT_PX`] pixels of the drawing (a mark
/// is drawn for the first, a count under it where there are more): a table of the slots from a
/// little left of the canvas (the drawing starts 1 % of the window early) to its right edge.
struct Crowd {
    /// Slots left of 0 the table holds.
    left: i64,
    counts: Vec<[u32; KINDS.len()]>,
}

impl Crowd {
    fn new(width: f64) -> Crowd {
        let left = (width * 0.01 / SLOT_PX).ceil() as i64 + 1;
        let slots = usize::try_from(left + (width / SLOT_PX).ceil() as i64 + 2).unwrap_or(0);
        Crowd {
            left,
            counts: vec![[0; KINDS.len()]; slots],
        }
    }

    /// Counts an event at `x` and answers how many of its kind its slot now holds (outside the
    /// table every event counts as the first).
    fn add(&mut self, x: f64, kind: EventKind) -> u32 {
        let kind = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        let slot = ((x / SLOT_PX).floor() as i64).saturating_add(self.left);
        let Some(counts) = usize::try_from(slot)
            .ok()
            .and_then(|at| self.counts.get_mut(at))
        else {
            return 1;
        };
        counts[kind] += 1;
        counts[kind]
    }

    /// The slots holding more than one event of a kind, left to right: the slot's left edge,
    /// the kind and the count.
    fn piles(&self) -> impl Iterator<Item = (f64, EventKind, u32)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .flat_map(move |(at, counts)| {
                let x = (at as i64 - self.left) as f64 * SLOT_PX;
                KINDS
                    .iter()
                    .zip(counts)
                    .filter(|(_, n)| **n > 1)
                    .map(move |(kind, n)| (x, *kind, *n))
            })
    }
}

fn render(
    canvas: &HtmlCanvasElement,
    v: &View,
    spans: &[ScriptSpan],
    console: Option<ClientId>,
    pattern: &str,
    source: Source,
) {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (css_w, css_h) = (
        f64::from(canvas.client_width().max(1)),
        f64::from(canvas.client_height().max(1)),
    );
    let (px_w, px_h) = ((css_w * ratio) as u32, (css_h * ratio) as u32);
    if canvas.width() != px_w || canvas.height() != px_h {
        canvas.set_width(px_w);
        canvas.set_height(px_h);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, css_w, css_h);
    let palette = Palette::read();
    let (fg, muted, border) = (&palette.fg, &palette.muted, &palette.border);
    let lane_h = (css_h - TOP) / LANES.len() as f64;
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_line_width(1.0);
    for i in 0..LANES.len() {
        let y = TOP + i as f64 * lane_h;
        ctx.set_stroke_style_str(border);
        ctx.begin_path();
        ctx.move_to(0.0, y);
        ctx.line_to(css_w, y);
        ctx.stroke();
    }
    let span = (v.end - v.start).max(1.0);
    let x_of = |t: i64| (t as f64 - v.start) / span * css_w;
    // Time ticks, at least a label and a gap apart so that their labels never crowd, each label
    // right of its tick, or left of it where it would reach the canvas's right edge.
    // (A label's width is measured in the canvas's font on the widest digits; a label left of
    // its tick is drawn right-aligned against it.)
    let label_width = |step: f64| {
        text_width(
            &ctx,
            &clock_label(0, step).replace(|c: char| c.is_ascii_digit(), "8"),
        )
    };
    let step = nice_step(span / 6.0);
    let step = nice_step(step.max((label_width(step) + 2.0 * LABEL_GAP) / css_w * span));
    let label_w = label_width(step);
    ctx.set_fill_style_str(muted);
    let mut free_from = 0.0;
    let mut t = (v.start / step).ceil() * step;
    while t < v.end {
        let x = (t - v.start) / span * css_w;
        ctx.set_stroke_style_str(border);
        ctx.begin_path();
        ctx.move_to(x, TOP - 4.0);
        ctx.line_to(x, css_h);
        ctx.stroke();
        if let Some((left, before_tick)) = label_left(x, label_w, free_from, css_w) {
            let label = clock_label(t as i64, step);
            if before_tick {
                ctx.set_text_align("right");
                let _ = ctx.fill_text(&label, left + label_w, TOP - 6.0);
                ctx.set_text_align("left");
            } else {
                let _ = ctx.fill_text(&label, left, TOP - 6.0);
            }
            free_from = left + label_w + LABEL_GAP;
        }
        t += step;
    }
    // Visible events only (from a little left of the window, for marks cut by its edge).
    let first = v
        .marks
        .partition_point(|m| (m.time as f64) < v.start - span * 0.01);
    let visible = || {
        v.marks[first..]
            .iter()
            .take_while(|m| m.time as f64 <= v.end)
            .filter(|m| shown(m, console, pattern, source))
    };
    // The running hit rate, drawn first so that the marks stay on top of it: the rate the
    // reads before the window left, then its last value in each pixel column, held until now.
    let mut tally = ReadTally::default();
    for m in v.marks[..first]
        .iter()
        .filter(|m| shown(m, console, pattern, source))
    {
        tally.add(m.kind);
    }
    let before = tally.rate();
    let mut columns: Vec<(i64, f64)> = Vec::new();
    for m in visible() {
        if !tally.add(m.kind) {
            continue;
        }
        let (column, rate) = (x_of(m.time).max(0.0) as i64, tally.rate().unwrap_or(0.0));
        match columns.last_mut() {
            Some(last) if last.0 == column => last.1 = rate,
            _ => columns.push((column, rate)),
        }
    }
    let points: Vec<(f64, f64)> = columns.into_iter().map(|(x, r)| (x as f64, r)).collect();
    // (At least a mark's width past the last read, so that a rate reached at one instant shows.)
    let past_last_read = points.last().map_or(f64::NEG_INFINITY, |p| p.0 + SLOT_PX);
    let line = rate_steps(before, &points, x_of(v.now).max(past_last_read).min(css_w));
    if let (Some(from), Some(to)) = (line.first(), line.last())
        && to.0 - from.0 >= 1.0
    {
        let (top, bottom) = (TOP + RATE_PAD, css_h - RATE_PAD);
        ctx.set_stroke_style_str(&palette.hit);
        ctx.set_line_width(2.0);
        ctx.set_global_alpha(0.7);
        ctx.begin_path();
        for (i, (x, rate)) in line.iter().enumerate() {
            let y = bottom - rate * (bottom - top);
            if i == 0 {
                ctx.move_to(*x, y);
            } else {
                ctx.line_to(*x, y);
            }
        }
        ctx.stroke();
        ctx.set_global_alpha(1.0);
        ctx.set_line_width(1.0);
    }
    // The lanes' names, on the panel's colour so that the line and the ticks do not cross them.
    for (i, name) in LANES.iter().enumerate() {
        let y = TOP + i as f64 * lane_h;
        ctx.set_fill_style_str(&palette.panel);
        ctx.fill_rect(2.0, y + 2.0, 6.0 * name.len() as f64 + 5.0, 13.0);
        ctx.set_fill_style_str(muted);
        let _ = ctx.fill_text(name, 4.0, y + 12.0);
    }
    // Marks; several of one kind in one slot become a count.
    let mut crowd = Crowd::new(css_w);
    for m in visible() {
        let x = x_of(m.time);
        if crowd.add(x, m.kind) > 1 {
            continue;
        }
        let lane_index = lane(m.kind);
        let y = TOP
            + lane_index as f64 * lane_h
            + lane_h / 2.0
            + if m.kind == EventKind::Miss
                || m.kind == EventKind::Del
                || m.kind == EventKind::Evicted
            {
                6.0
            } else {
                -6.0
            };
        draw_mark(&ctx, &palette, m.kind, x, y);
    }
    if source != Source::Console {
        draw_spans(
            &ctx,
            &palette,
            spans,
            v,
            css_w,
            TOP + SPAN_LANE as f64 * lane_h,
            lane_h,
        );
    }
    // Counts where marks pile up, each where it does not cover the one before on its lane.
    ctx.set_fill_style_str(fg);
    let mut free_from = [f64::NEG_INFINITY; LANES.len()];
    for (x, kind, n) in crowd.piles() {
        let lane_index = lane(kind);
        let text = n.to_string();
        if x < free_from[lane_index] {
            continue;
        }
        free_from[lane_index] = x + text_width(&ctx, &text) + 4.0;
        let y = TOP + lane_index as f64 * lane_h + lane_h - 4.0;
        let _ = ctx.fill_text(&text, x, y);
    }
}

/// The width of `text` in the canvas's font, in CSS px; 7 px a character (the 11 px font's
/// widest digit) if the canvas cannot measure it.
fn text_width(ctx: &CanvasRenderingContext2d, text: &str) -> f64 {
    ctx.measure_text(text)
        .map_or(7.0 * text.len() as f64, |m| m.width().ceil())
}

/// Hits and reads (hits and misses) counted so far.
#[derive(Default)]
struct ReadTally {
    hits: u64,
    reads: u64,
}

impl ReadTally {
    /// Counts an event; `true` if it was a read.
    fn add(&mut self, kind: EventKind) -> bool {
        match kind {
            EventKind::Hit => self.hits += 1,
            EventKind::Miss => {}
            _ => return false,
        }
        self.reads += 1;
        true
    }

    /// Hits per read, from 0 to 1; `None` before the first read.
    fn rate(&self) -> Option<f64> {
        (self.reads > 0).then(|| self.hits as f64 / self.reads as f64)
    }
}

/// The hit rate's line as `(x, rate)` corners: it starts at the left edge with the rate left by
/// the reads `before` the window (if any) or at the first read, keeps each rate until the next
/// read's column changes it (a step, since the rate only moves when a read happens), and runs on
/// to `until` (the present, or the right edge when the present is beyond it).
fn rate_steps(before: Option<f64>, points: &[(f64, f64)], until: f64) -> Vec<(f64, f64)> {
    let mut line: Vec<(f64, f64)> = before.map(|rate| (0.0, rate)).into_iter().collect();
    for &(x, rate) in points {
        if let Some(&(_, held)) = line.last() {
            line.push((x, held));
        }
        line.push((x, rate));
    }
    if let Some(&(x, rate)) = line.last()
        && until > x
    {
        line.push((until, rate));
    }
    line
}

/// Where a time label `width` px wide goes for the tick at `x`, on a canvas `canvas_w` wide: its
/// left edge, and whether it sits before the tick. It sits after the tick unless it would then
/// come within [`LABEL_GAP`] of the right edge (and before it, it keeps as clear of that edge);
/// `None` (no label) where it would start before `free_from` (the end of the label before, and
/// its gap) or left of the canvas.
fn label_left(x: f64, width: f64, free_from: f64, canvas_w: f64) -> Option<(f64, bool)> {
    let after = x + 2.0;
    let (left, before_tick) = if after + width <= canvas_w - LABEL_GAP {
        (after, false)
    } else {
        ((x - 2.0).min(canvas_w - LABEL_GAP) - width, true)
    };
    (left >= free_from && left >= 0.0).then_some((left, before_tick))
}

/// Scripts' spans on their lane: db calls filled, sleeps outlined, each labelled with its
/// duration where it is wide enough.
fn draw_spans(
    ctx: &CanvasRenderingContext2d,
    palette: &Palette,
    spans: &[ScriptSpan],
    v: &View,
    width: f64,
    lane_top: f64,
    lane_h: f64,
) {
    let span = (v.end - v.start).max(1.0);
    let first = spans.partition_point(|s| (s.start as f64) < v.start - span);
    let (db, sleep) = (&palette.db, &palette.expire);
    let h = 10.0_f64.min(lane_h / 2.0);
    let y = lane_top + lane_h / 2.0 - h / 2.0;
    let mut last_label_end = f64::NEG_INFINITY;
    for s in spans.get(first..).unwrap_or_default() {
        if (s.start as f64) > v.end {
            break;
        }
        if (s.end as f64) < v.start {
            continue;
        }
        let x0 = (s.start as f64 - v.start) / span * width;
        let w = ((s.end - s.start) as f64 / span * width).max(2.0);
        if s.db.is_some() {
            ctx.set_fill_style_str(db);
            ctx.fill_rect(x0, y, w, h);
        } else {
            ctx.set_stroke_style_str(sleep);
            ctx.stroke_rect(x0, y + 1.0, w, h - 2.0);
        }
        let ms = format!("{} ms", s.end.saturating_sub(s.start));
        if w >= 34.0 && x0 > last_label_end {
            ctx.set_fill_style_str(if s.db.is_some() { db } else { sleep });
            let _ = ctx.fill_text(&ms, x0 + 2.0, y + h + 11.0);
            last_label_end = x0 + 40.0;
        }
    }
}

fn draw_mark(ctx: &CanvasRenderingContext2d, palette: &Palette, kind: EventKind, x: f64, y: f64) {
    let r = 4.0;
    match kind {
        EventKind::Hit => {
            ctx.set_fill_style_str(&palette.hit);
            ctx.begin_path();
            let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
            ctx.fill();
        }
        EventKind::Miss => {
            ctx.set_stroke_style_str(&palette.miss);
            ctx.set_line_width(2.0);
            ctx.begin_path();
            ctx.move_to(x - r, y - r);
            ctx.line_to(x + r, y + r);
            ctx.move_to(x + r, y - r);
            ctx.line_to(x - r, y + r);
            ctx.stroke();
            ctx.set_line_width(1.0);
        }
        EventKind::Write => {
            ctx.set_fill_style_str(&palette.write);
            ctx.begin_path();
            ctx.move_to(x, y - r);
            ctx.line_to(x + r, y + r);
            ctx.line_to(x - r, y + r);
            ctx.close_path();
            ctx.fill();
        }
        EventKind::Del => {
            ctx.set_stroke_style_str(&palette.write);
            ctx.stroke_rect(x - r, y - r, 2.0 * r, 2.0 * r);
        }
        EventKind::Expired => {
            ctx.set_fill_style_str(&palette.expire);
            ctx.begin_path();
            ctx.move_to(x, y - r);
            ctx.line_to(x + r, y);
            ctx.line_to(x, y + r);
            ctx.line_to(x - r, y);
            ctx.close_path();
            ctx.fill();
        }
        EventKind::Evicted => {
            ctx.set_fill_style_str(&palette.evict);
            ctx.fill_rect(x - r, y - r, 2.0 * r, 2.0 * r);
        }
    }
}

/// A round tick interval near `raw` milliseconds.
fn nice_step(raw: f64) -> f64 {
    const STEPS: [f64; 16] = [
        1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1_000.0, 2_000.0, 5_000.0, 10_000.0,
        30_000.0, 60_000.0, 300_000.0,
    ];
    STEPS
        .iter()
        .copied()
        .find(|&s| s >= raw)
        .unwrap_or_else(|| (raw / 3_600_000.0).ceil() * 3_600_000.0)
}

fn clock_label(ms: i64, step: f64) -> String {
    let in_day = ms.rem_euclid(86_400_000);
    let (h, m, s, milli) = (
        in_day / 3_600_000,
        (in_day / 60_000) % 60,
        (in_day / 1000) % 60,
        in_day % 1000,
    );
    if step < 1000.0 {
        format!("{h:02}:{m:02}:{s:02}.{milli:03}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(time: i64, kind: EventKind, client: ClientId, key: &str) -> Mark {
        Mark {
            time,
            kind,
            client,
            key: key.to_string(),
            command: "get",
        }
    }

    #[test]
    fn the_crowd_counts_each_kind_per_slot() {
        let mut crowd = Crowd::new(100.0);
        assert_eq!(crowd.add(16.0, EventKind::Hit), 1);
        assert_eq!(crowd.add(23.9, EventKind::Hit), 2);
        assert_eq!(crowd.add(20.0, EventKind::Miss), 1);
        assert_eq!(crowd.add(24.0, EventKind::Hit), 1);
        // The margin left of the canvas, and its right edge.
        assert_eq!(crowd.add(-0.5, EventKind::Write), 1);
        assert_eq!(crowd.add(-7.0, EventKind::Write), 2);
        assert_eq!(crowd.add(100.0, EventKind::Evicted), 1);
        assert_eq!(crowd.add(103.0, EventKind::Evicted), 2);
        // Outside the table every event is a first.
        assert_eq!(crowd.add(f64::MAX, EventKind::Hit), 1);
        assert_eq!(crowd.add(-1000.0, EventKind::Hit), 1);
        assert_eq!(crowd.add(-1000.0, EventKind::Hit), 1);
        assert_eq!(crowd.add(5000.0, EventKind::Hit), 1);
        assert_eq!(
            crowd.piles().collect::<Vec<_>>(),
            [
                (-8.0, EventKind::Write, 2),
                (16.0, EventKind::Hit, 2),
                (96.0, EventKind::Evicted, 2)
            ]
        );
    }

    #[test]
    fn the_hit_rate_is_a_step_line_held_until_now() {
        // No reads: no line.
        assert!(rate_steps(None, &[], 500.0).is_empty());
        // A miss at 100 then a hit at 300: 0 % until the hit, 50 % from it to now (500).
        assert_eq!(
            rate_steps(None, &[(100.0, 0.0), (300.0, 0.5)], 500.0),
            [(100.0, 0.0), (300.0, 0.0), (300.0, 0.5), (500.0, 0.5)]
        );
        // Reads before the window: the line starts at its left edge with their rate; with the
        // present left of the last read's column the line ends there.
        assert_eq!(
            rate_steps(Some(1.0), &[(40.0, 0.5)], 39.0),
            [(0.0, 1.0), (40.0, 1.0), (40.0, 0.5)]
        );
        // Only reads before the window: a level line across it.
        assert_eq!(
            rate_steps(Some(0.25), &[], 800.0),
            [(0.0, 0.25), (800.0, 0.25)]
        );
    }

    #[test]
    fn time_labels_stay_inside_the_canvas_and_apart() {
        // Room right of the tick: there.
        assert_eq!(label_left(100.0, 56.0, 0.0, 1000.0), Some((102.0, false)));
        // Too near the right edge (it would end at 1000): left of the tick instead.
        assert_eq!(label_left(942.0, 56.0, 0.0, 1000.0), Some((884.0, true)));
        // Then over the label before: none.
        assert_eq!(label_left(942.0, 56.0, 900.0, 1000.0), None);
        // A canvas narrower than a label: none.
        assert_eq!(label_left(10.0, 56.0, 0.0, 40.0), None);
        // Whatever comes back lies within the canvas, clear of its right edge.
        for x in [0.0, 300.0, 943.0, 990.0, 999.9] {
            if let Some((left, _)) = label_left(x, 56.0, 0.0, 1000.0) {
                assert!(left >= 0.0 && left + 56.0 <= 1000.0 - LABEL_GAP, "{x}");
            }
        }
    }

    #[test]
    fn spans_are_labelled_with_their_latency() {
        let db = ScriptSpan {
            db: Some("findUser".into()),
            start: 1000,
            end: 1050,
        };
        assert_eq!(db.label(), "db.findUser 50 ms");
        let nap = ScriptSpan {
            db: None,
            start: 0,
            end: 100,
        };
        assert_eq!(nap.label(), "sleep 100 ms");
    }

    #[test]
    fn the_latest_events_merge_marks_and_spans_in_time_order() {
        let (console, script) = (1, 7);
        let marks = [
            mark(1000, EventKind::Miss, script, "user:1"),
            mark(1050, EventKind::Hit, script, "user:1"),
            mark(1060, EventKind::Hit, console, "user:1"),
        ];
        let spans = [ScriptSpan {
            db: Some("findUser".into()),
            start: 1000,
            end: 1050,
        }];
        let all = latest(&marks, &spans, Some(console), "", Source::All);
        assert_eq!(
            all,
            [
                "miss GET user:1 — client 7",
                "db.findUser 50 ms — script",
                "hit GET user:1 — client 7",
                "hit GET user:1 — console",
            ]
        );
        // The console's events alone: no script events, no spans.
        let own = latest(&marks, &spans, Some(console), "", Source::Console);
        assert_eq!(own, ["hit GET user:1 — console"]);
        // Only the latest few are listed.
        let many: Vec<Mark> = (0..100)
            .map(|t| mark(t, EventKind::Hit, script, "k"))
            .collect();
        assert_eq!(latest(&many, &[], None, "", Source::All).len(), RECENT);
    }
}
