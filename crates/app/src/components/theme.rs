//! Dark and light themes: the system preference by default, a toggle that remembers the choice.

use leptos::prelude::*;

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
    apply(stored.as_deref());
    let dark = RwSignal::new(
        stored
            .as_deref()
            .map_or_else(system_prefers_dark, |t| t == "dark"),
    );
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
