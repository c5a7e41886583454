//! URL query parameters: how a course page or a plain `<iframe>` configures the playground.
//!
//! `?panels=console,editor&theme=dark&clock=paused&code=…&commands=…&lesson=…&embed=1`
//!
//! - `panels`: which panels to show and in which order (`console`, `editor`, `timeline`, `keys`,
//!   `lesson`, `quiz`); the others are hidden. Unknown names are ignored with a console warning.
//!   Panels are the children of `main.workspace`, recognised by their contract test ids, so a
//!   panel added later is placed too (the layout is a stylesheet built from the constants below,
//!   never from the parameter's text).
//! - `theme`: `light`, `dark` or `system` (not saved: the learner's own choice stays theirs).
//! - `clock`: `live` or `paused`.
//! - `code`: the editor's text. An embed starts with it; a page that keeps the learner's
//!   playground takes it in as a share link's code (the editor panel: an undoable change, the
//!   learner's previous code kept and offered back).
//! - `commands`: setup commands, one per line (Redis commands, never JavaScript). In an embed
//!   (a fresh engine, nothing saved) the console runs them once on load and shows them in its
//!   transcript (not added to the history, not reported as `command` events). A page that
//!   restores the learner's saved playground never runs them by itself: the editor panel offers
//!   them with the Run-setup-commands button share links use, so a link cannot wipe the
//!   learner's keys (`FLUSHALL`) without their say.
//! - `lesson`: a built-in lesson id (`cache-aside`) or the `https://` URL of a lesson file
//!   (`http://` only for localhost); stored in `Playground::lesson` for the lesson panel, if the
//!   page shows a lesson or quiz panel (else a notice says it was not opened).
//! - `embed=1`: compact chrome for iframes.
//! - `allow-origin`: read by the embed bridge (`web/js/embed/bridge.js`), not here.
//!
//! Everything is validated and size-limited; what is refused is reported (a console warning, and
//! for what an author would miss, a notice on the page, shown as text).

use std::cell::{OnceCell, RefCell};
use std::fmt::Write as _;

use leptos::prelude::*;

use crate::state::{ClockMode, Playground};

/// Longest query string read at all.
pub const MAX_QUERY: usize = 64 * 1024;
/// Longest `code`.
pub const MAX_CODE: usize = 20_000;
/// Longest `commands` (all lines together).
pub const MAX_COMMANDS: usize = 8_000;
/// Most setup commands.
pub const MAX_COMMAND_LINES: usize = 50;
/// Longest lesson id or URL.
pub const MAX_LESSON: usize = 2_048;
/// Longest `panels`.
pub const MAX_PANELS: usize = 200;

/// A panel the `panels` parameter can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Console,
    Editor,
    Timeline,
    Keys,
    Lesson,
    Quiz,
}

impl Panel {
    /// Every panel, in the parameter's spelling order.
    pub const ALL: [Panel; 6] = [
        Panel::Console,
        Panel::Editor,
        Panel::Timeline,
        Panel::Keys,
        Panel::Lesson,
        Panel::Quiz,
    ];

    /// Its name in the parameter.
    pub fn name(self) -> &'static str {
        match self {
            Panel::Console => "console",
            Panel::Editor => "editor",
            Panel::Timeline => "timeline",
            Panel::Keys => "keys",
            Panel::Lesson => "lesson",
            Panel::Quiz => "quiz",
        }
    }

    fn from_name(name: &str) -> Option<Panel> {
        Panel::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The contract test id (ARCHITECTURE.md) inside (or on) the panel's section.
    fn test_id(self) -> &'static str {
        match self {
            Panel::Console => "console-input",
            Panel::Editor => "editor",
            Panel::Timeline => "timeline",
            Panel::Keys => "key-browser",
            Panel::Lesson => "lesson",
            Panel::Quiz => "quiz",
        }
    }
}

/// The `theme` parameter (and the `set-theme` message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    System,
}

impl Theme {
    /// `light`, `dark` or `system`.
    pub fn parse(text: &str) -> Option<Theme> {
        match text {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "system" => Some(Theme::System),
            _ => None,
        }
    }
}

/// What the query asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageParams {
    /// Panels to show, in order; `None` shows the usual layout.
    pub panels: Option<Vec<Panel>>,
    pub theme: Option<Theme>,
    pub clock: Option<ClockMode>,
    pub code: Option<String>,
    /// Setup commands the console runs once on load, one line each: only in an embed, whose
    /// engine starts fresh and is never saved.
    pub commands: Vec<String>,
    /// Setup commands of a page that restores the learner's saved playground: offered to the
    /// learner (the editor panel's setup-commands offer), never run by themselves.
    pub offered_commands: Vec<String>,
    /// A lesson id or URL, validated.
    pub lesson: Option<String>,
    pub embed: bool,
}

/// Something in the query that was refused or ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Shown on the page (else only a console warning).
    pub visible: bool,
    pub message: String,
}

impl Problem {
    fn shown(message: String) -> Problem {
        Problem {
            visible: true,
            message,
        }
    }

    fn quiet(message: String) -> Problem {
        Problem {
            visible: false,
            message,
        }
    }
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space; a malformed `%`
/// stays as it is; bytes that are not UTF-8 become U+FFFD).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                if let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) {
                    // Two hex digits make at most 255.
                    out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                out.push(b);
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value shown in a message: at most 80 characters, as text.
fn quote(value: &str) -> String {
    let short: String = value.chars().take(80).collect();
    if short.len() < value.len() {
        format!("\"{short}…\"")
    } else {
        format!("\"{short}\"")
    }
}

fn is_lesson_id(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && text.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Whether `text` is a lesson file's URL: `https://host/…`, or `http://` on localhost (for
/// authors trying a file locally). No credentials, spaces, control characters or backslashes.
pub fn is_lesson_url(text: &str) -> bool {
    let rest = if let Some(rest) = text.strip_prefix("https://") {
        rest
    } else if let Some(rest) = text.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        if !matches!(name, "localhost" | "127.0.0.1" | "[::1]") {
            return false;
        }
        rest
    } else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !authority.is_empty()
        && !authority.contains('@')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}

/// Reads a query string (with or without its leading `?`).
pub fn parse(query: &str) -> (PageParams, Vec<Problem>) {
    let mut params = PageParams::default();
    let mut problems = Vec::new();
    let query = query.strip_prefix('?').unwrap_or(query);
    if query.len() > MAX_QUERY {
        problems.push(Problem::shown(format!(
            "The page's URL parameters are longer than {MAX_QUERY} bytes: all were ignored."
        )));
        return (params, problems);
    }
    let mut seen: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name);
        let value = decode(value);
        if seen.contains(&name) {
            problems.push(Problem::quiet(format!(
                "URL parameter {} is given twice: the first one counts.",
                quote(&name)
            )));
            continue;
        }
        seen.push(name.clone());
        match name.as_str() {
            "panels" => read_panels(&value, &mut params, &mut problems),
            "theme" => match Theme::parse(&value) {
                Some(theme) => params.theme = Some(theme),
                None => problems.push(Problem::quiet(format!(
                    "theme={} ignored: use light, dark or system.",
                    quote(&value)
                ))),
            },
            "clock" => match value.as_str() {
                "live" => params.clock = Some(ClockMode::Live),
                "paused" => params.clock = Some(ClockMode::Paused),
                _ => problems.push(Problem::quiet(format!(
                    "clock={} ignored: use live or paused.",
                    quote(&value)
                ))),
            },
            "code" => {
                if value.len() > MAX_CODE {
                    problems.push(Problem::shown(format!(
                        "The code parameter is longer than {MAX_CODE} bytes: it was ignored."
                    )));
                } else {
                    params.code = Some(value);
                }
            }
            "commands" => read_commands(&value, &mut params, &mut problems),
            "lesson" => {
                if value.len() > MAX_LESSON {
                    problems.push(Problem::shown(format!(
                        "The lesson parameter is longer than {MAX_LESSON} bytes: no lesson was loaded."
                    )));
                } else if is_lesson_id(&value) || is_lesson_url(&value) {
                    params.lesson = Some(value);
                } else {
                    problems.push(Problem::shown(format!(
                        "Lesson {} not loaded: give a lesson id (like cache-aside) or the https:// URL of a lesson file.",
                        quote(&value)
                    )));
                }
            }
            "embed" => params.embed = matches!(value.as_str(), "1" | "true" | ""),
            _ => {}
        }
    }
    // Only an embed's engine is fresh: elsewhere the commands would run on the learner's saved
    // keys, so they wait for the learner (`embed` may come after `commands` in the query).
    if !params.embed {
        params.offered_commands = std::mem::take(&mut params.commands);
    }
    (params, problems)
}

fn read_panels(value: &str, params: &mut PageParams, problems: &mut Vec<Problem>) {
    if value.len() > MAX_PANELS {
        problems.push(Problem::quiet(format!(
            "panels is longer than {MAX_PANELS} characters: ignored."
        )));
        return;
    }
    let mut panels = Vec::new();
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match Panel::from_name(&name.to_ascii_lowercase()) {
            Some(p) if !panels.contains(&p) => panels.push(p),
            Some(_) => {}
            None => problems.push(Problem::quiet(format!(
                "panels: unknown panel {} ignored (known: console, editor, timeline, keys, lesson, quiz).",
                quote(name)
            ))),
        }
    }
    if panels.is_empty() {
        problems.push(Problem::quiet(
            "panels names no known panel: the usual panels are shown.".into(),
        ));
    } else {
        params.panels = Some(panels);
    }
}

fn read_commands(value: &str, params: &mut PageParams, problems: &mut Vec<Problem>) {
    if value.len() > MAX_COMMANDS {
        problems.push(Problem::shown(format!(
            "The commands parameter is longer than {MAX_COMMANDS} bytes: no setup command was run."
        )));
        return;
    }
    let lines: Vec<String> = value
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if lines.len() > MAX_COMMAND_LINES {
        problems.push(Problem::shown(format!(
            "The commands parameter has more than {MAX_COMMAND_LINES} lines: no setup command was run."
        )));
    } else if lines
        .iter()
        .any(|l| l.chars().any(|c| c.is_control() && c != '\t'))
    {
        problems.push(Problem::shown(
            "The commands parameter contains control characters: no setup command was run.".into(),
        ));
    } else {
        params.commands = lines;
    }
}

/// The stylesheet that shows `panels` in their order and hides the others: built only from the
/// constants above. Without the lesson panel, the header's link to it goes too (a link to a
/// hidden panel would lead nowhere).
pub fn panel_css(panels: &[Panel]) -> String {
    let matcher = |p: Panel| {
        let id = p.test_id();
        format!(".workspace > :is([data-testid=\"{id}\"], :has([data-testid=\"{id}\"]))")
    };
    let shown: Vec<String> = panels.iter().map(|&p| matcher(p)).collect();
    let mut css = format!(
        ".workspace > :not({}) {{ display: none !important; }}\n",
        shown
            .iter()
            .map(|s| s.trim_start_matches(".workspace > "))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (order, selector) in shown.iter().enumerate() {
        // Writing to a String cannot fail.
        let _ = writeln!(css, "{selector} {{ order: {order}; }}");
    }
    if !panels.contains(&Panel::Lesson) {
        css.push_str(".lessons-link { display: none !important; }\n");
    }
    css
}

thread_local! {
    static CURRENT: OnceCell<(PageParams, Vec<Problem>)> = const { OnceCell::new() };
    /// The panels shown, in order, when `panels` chose them (`None`: all of them); `reveal` may
    /// add to them.
    static SHOWN: RefCell<Option<Vec<Panel>>> = const { RefCell::new(None) };
}

/// Whether `panel` is on the page: listed in `panels` (or every panel is shown) — a panel left
/// out is still in the DOM, only hidden by the layout's stylesheet.
pub fn shows(panel: Panel) -> bool {
    SHOWN.with_borrow(|shown| shown.as_ref().is_none_or(|p| p.contains(&panel)))
}

/// Whether a lesson has a panel to open in: the lesson panel, or the quiz panel (which shows the
/// lesson's quiz), listed; and the lessons' panel built into the page.
fn shows_a_lesson() -> bool {
    (shows(Panel::Lesson) || shows(Panel::Quiz))
        && web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("[data-testid=\"lesson\"]").ok().flatten())
            .is_some()
}

/// Shows `panel` too when `panels` left it out, after the listed ones: something the learner
/// must see or decide appeared in it (the editor's offer of a link's setup commands, its notice
/// that a link replaced the code), which a hidden panel would keep from them.
pub fn reveal(panel: Panel) {
    let Some(panels) = SHOWN.with_borrow_mut(|shown| {
        let panels = shown.as_mut()?;
        if panels.contains(&panel) {
            return None;
        }
        panels.push(panel);
        Some(panels.clone())
    }) else {
        return;
    };
    show_panels(&panels);
}

/// Lays the page out with `panels`: the root's `data-panels` (the bridge's `ready` message reads
/// it) and the layout stylesheet.
fn show_panels(panels: &[Panel]) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = document.document_element() {
        let names: Vec<&str> = panels.iter().map(|p| p.name()).collect();
        let _ = root.set_attribute("data-panels", &names.join(" "));
    }
    install_panel_css(&document, &panel_css(panels));
}

/// The page's parameters, read once from `location.search`.
pub fn current() -> PageParams {
    with_current(|(params, _)| params.clone())
}

/// What was refused, for the notices.
pub fn problems() -> Vec<Problem> {
    with_current(|(_, problems)| problems.clone())
}

fn with_current<T>(f: impl FnOnce(&(PageParams, Vec<Problem>)) -> T) -> T {
    CURRENT.with(|cell| {
        f(cell.get_or_init(|| {
            let search = web_sys::window()
                .and_then(|w| w.location().search().ok())
                .unwrap_or_default();
            let read = parse(&search);
            for problem in &read.1 {
                web_sys::console::warn_1(&format!("Redis Playground: {}", problem.message).into());
            }
            read
        }))
    })
}

/// Applies the parameters to the page: layout attributes on the document root, the panel
/// stylesheet, the clock and the lesson request (when a lesson or quiz panel is listed). (The
/// theme is applied by the theme toggle, the code and the offered setup commands by the editor
/// panel, an embed's setup commands by the console.)
pub fn apply(playground: Playground) {
    let params = current();
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = if params.embed {
            root.set_attribute("data-embed", "")
        } else {
            root.remove_attribute("data-embed")
        };
        let _ = root.remove_attribute("data-panels");
    }
    SHOWN.with_borrow_mut(|shown| shown.clone_from(&params.panels));
    if let Some(panels) = &params.panels {
        show_panels(panels);
    }
    if let Some(mode) = params.clock {
        playground.mode.set(mode);
    }
    // A lesson opened in a hidden panel would still put its starter in the editor, unseen.
    if let Some(lesson) = params.lesson
        && (shows(Panel::Lesson) || shows(Panel::Quiz))
    {
        playground.lesson.set(Some(lesson));
    }
}

/// Once the page is up: a lesson was asked for but no panel on the page can open it (the lesson
/// and quiz panels are left out of `panels`, or not built in) — say so, rather than show nothing.
pub fn check_after_mount() {
    let Some(lesson) = current().lesson else {
        return;
    };
    if !shows_a_lesson() {
        let message = format!(
            "Lesson {} not opened: this playground has no lesson panel.",
            quote(&lesson)
        );
        web_sys::console::warn_1(&format!("Redis Playground: {message}").into());
        crate::bridge::emit("notice", &[("message", &message)]);
    }
}

fn install_panel_css(document: &web_sys::Document, css: &str) {
    let existing = document.get_element_by_id("panel-layout");
    let style = existing.or_else(|| {
        let style = document.create_element("style").ok()?;
        style.set_id("panel-layout");
        document.head()?.append_child(&style).ok()?;
        Some(style)
    });
    if let Some(style) = style {
        style.set_text_content(Some(css));
    }
}

/// Notices about refused parameters and embedding problems (`redis-playground:notice` window
/// events `{message}` from the embed bridge or other scripts), shown as text.
#[component]
pub fn Notices() -> impl IntoView {
    let notices = RwSignal::new(
        problems()
            .into_iter()
            .filter(|p| p.visible)
            .map(|p| p.message)
            .collect::<Vec<_>>(),
    );
    let handle = window_event_listener_untyped("redis-playground:notice", move |event| {
        let message = crate::bridge::detail_string(&event, "message");
        if let Some(message) = message.filter(|m| !m.is_empty()) {
            let message: String = message.chars().take(500).collect();
            notices.update(|n| {
                n.push(message);
                let excess = n.len().saturating_sub(5);
                n.drain(..excess);
            });
        }
    });
    on_cleanup(move || handle.remove());
    move || {
        let list = notices.get();
        (!list.is_empty()).then(|| {
            view! {
                <div class="page-notices" data-testid="page-notice" role="alert">
                    {list.into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
                    <button class="notice-close" aria-label="Dismiss" on:click=move |_| notices.set(Vec::new())>"×"</button>
                </div>
            }
        })
    }
}

/// What the embed's "Open ↗" link carries to the full page: what the learner was given to work
/// with. Not `panels` (the full page shows every panel), `clock` or `theme` (the learner's own
/// playground keeps its own), nor the embedding ones. There `code` and `commands` become offers:
/// the full page restores the learner's saved playground.
const CARRIED_TO_FULL_PAGE: [&str; 3] = ["lesson", "code", "commands"];

/// In an embed, a link that opens the same playground in a tab of its own.
#[component]
pub fn OpenFull() -> impl IntoView {
    let href = current().embed.then(|| {
        let location = web_sys::window().map(|w| w.location());
        // Origin and path: the link stays on this page's own site whatever its path looks like.
        let path = location
            .as_ref()
            .and_then(|l| Some(l.origin().ok()? + &l.pathname().ok()?))
            .unwrap_or_default();
        let search = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        let kept: Vec<&str> = search
            .trim_start_matches('?')
            .split('&')
            .filter(|p| {
                let name = p.split_once('=').map_or(*p, |(name, _)| name);
                CARRIED_TO_FULL_PAGE.contains(&decode(name).as_str())
            })
            .collect();
        if kept.is_empty() {
            path
        } else {
            format!("{path}?{}", kept.join("&"))
        }
    });
    href.map(|href| {
        view! { <a class="open-full" data-testid="open-full" href=href target="_blank" rel="noopener" title="Open this playground in a tab of its own">"Open ↗"</a> }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_parameter() {
        let (p, problems) = parse(
            "?panels=editor,console&theme=dark&clock=paused&code=let+x+%3D+1%3B%0Ax&commands=SET%20a%201%0AGET%20a&lesson=cache-aside&embed=1",
        );
        assert_eq!(problems, vec![]);
        assert_eq!(p.panels, Some(vec![Panel::Editor, Panel::Console]));
        assert_eq!(p.theme, Some(Theme::Dark));
        assert_eq!(p.clock, Some(ClockMode::Paused));
        assert_eq!(p.code.as_deref(), Some("let x = 1;\nx"));
        assert_eq!(p.commands, vec!["SET a 1", "GET a"]);
        assert_eq!(p.lesson.as_deref(), Some("cache-aside"));
        assert!(p.embed);
    }

    #[test]
    fn unknown_panels_are_ignored_with_a_warning() {
        let (p, problems) = parse("panels=console,sidebar,CONSOLE,keys");
        assert_eq!(p.panels, Some(vec![Panel::Console, Panel::Keys]));
        assert_eq!(problems.len(), 1);
        assert!(!problems[0].visible);
        assert!(problems[0].message.contains("\"sidebar\""));
        let (p, _) = parse("panels=nope");
        assert_eq!(p.panels, None);
    }

    #[test]
    fn lessons_are_ids_or_https_urls() {
        for ok in [
            "cache-aside",
            "01-keys",
            "https://example.com/l/cache.md",
            "http://localhost:8080/x.md",
            "http://127.0.0.1/x.toml",
        ] {
            assert_eq!(parse(&format!("lesson={ok}")).0.lesson.as_deref(), Some(ok));
        }
        for bad in [
            "javascript%3Aalert(1)",
            "http%3A%2F%2Fexample.com%2Fx.md",
            "https%3A%2F%2Fuser%40evil.com%2F",
            "https%3A%2F%2F",
            "Cache_Aside",
            "-x",
            "https%3A%2F%2Fa.com%2F%3Cb%3E%20c",
            "data%3Atext%2Fhtml%2C%3Cscript%3E",
        ] {
            let (p, problems) = parse(&format!("lesson={bad}"));
            assert_eq!(p.lesson, None, "{bad}");
            assert!(problems[0].visible && problems[0].message.starts_with("Lesson \""));
        }
    }

    #[test]
    fn sizes_are_limited() {
        let long = "a".repeat(MAX_CODE + 1);
        let (p, problems) = parse(&format!("code={long}"));
        assert_eq!(p.code, None);
        assert!(problems[0].visible);
        let many = vec!["PING"; MAX_COMMAND_LINES + 1].join("%0A");
        assert!(parse(&format!("commands={many}")).0.commands.is_empty());
        let (p, problems) = parse(&"x".repeat(MAX_QUERY + 1));
        assert_eq!(p, PageParams::default());
        assert_eq!(problems.len(), 1);
        assert!(parse("commands=SET%20a%20%00").0.commands.is_empty());
    }

    #[test]
    fn bad_values_and_repeats() {
        let (p, problems) = parse("theme=pink&clock=fast&theme=dark&embed=0&x=%zz");
        assert_eq!((p.theme, p.clock, p.embed), (None, None, false));
        assert_eq!(problems.len(), 3);
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%C3%A9+%FF"), "é \u{fffd}");
    }

    #[test]
    fn panel_css_orders_and_hides() {
        let css = panel_css(&[Panel::Keys, Panel::Console]);
        assert!(css.starts_with(".workspace > :not(:is([data-testid=\"key-browser\"]"));
        assert!(css.contains(":has([data-testid=\"console-input\"])) { order: 1; }"));
        assert!(
            css.contains(".lessons-link { display: none"),
            "no link to a hidden panel"
        );
        assert!(!panel_css(&[Panel::Lesson]).contains(".lessons-link"));
    }

    #[test]
    fn setup_commands_run_by_themselves_only_in_an_embed() {
        let (p, _) = parse("commands=FLUSHALL%0ASET%20a%201&embed=1");
        assert_eq!(p.commands, vec!["FLUSHALL", "SET a 1"]);
        assert!(p.offered_commands.is_empty());
        let (p, _) = parse("panels=console&commands=FLUSHALL%0ASET%20a%201");
        assert!(
            p.commands.is_empty(),
            "a saved playground is never flushed by a link"
        );
        assert_eq!(p.offered_commands, vec!["FLUSHALL", "SET a 1"]);
    }
}
