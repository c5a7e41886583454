//! Dark and light themes: the system preference by default, a toggle that remembers the choice.
//! The `theme` URL parameter and the `redis-playground:set-theme` window event (`{theme: 'light'
//! | 'dark' | 'system'}`, from an embedding page through the bridge) set it without saving it.

use leptos::prelude::*;

use crate::params::{self, Theme};
use crate::storage;

/// Applies a theme (`light`, `dark`, or `None` for the system's) to the document root.
fn apply(theme: Option<&str>) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = match theme {
            Some(t) => root.set_attribute("data-theme", t),
            None => root.remove_attribute("data-theme"),
        };
    }
}

fn system_prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// The theme toggle button.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let stored = storage::load("theme").filter(|t| t == "light" || t == "dark");
    let dark = RwSignal::new(false);
    // Shows a theme without saving it; `None` keeps the saved choice (or the system's).
    let show = move |theme: Option<Theme>| {
        let chosen = match theme {
            Some(Theme::Light) => Some("light"),
            Some(Theme::Dark) => Some("dark"),
            Some(Theme::System) => None,
            None => stored.as_deref(),
        };
        apply(chosen);
        dark.set(chosen.map_or_else(system_prefers_dark, |t| t == "dark"));
    };
    show(params::current().theme);
    let handle = window_event_listener_untyped("redis-playground:set-theme", move |event| {
        let theme = crate::bridge::detail_string(&event, "theme");
        if let Some(theme) = theme.as_deref().and_then(Theme::parse) {
            show(Some(theme));
        }
    });
    on_cleanup(move || handle.remove());
    let toggle = move |_| {
        let next = !dark.get_untracked();
        dark.set(next);
        let theme = if next { "dark" } else { "light" };
        apply(Some(theme));
        storage::save("theme", theme);
    };
    view! {
        <button class="theme-toggle" data-testid="theme-toggle" on:click=toggle aria-pressed=move || dark.get().to_string() aria-label="Dark theme">
            {move || if dark.get() { "☾ Dark" } else { "☀ Light" }}
        </button>
    }
}
