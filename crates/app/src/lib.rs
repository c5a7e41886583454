//! The playground page. State (the one engine of the page) is created here and handed to the
//! panels through context; each panel is a component under `components/`.

pub mod components;

use engine::Engine;
use leptos::prelude::*;

use components::console::Console;

/// The page's single engine, shared by every panel.
#[derive(Clone, Copy)]
pub struct Server(pub StoredValue<Engine>);

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    provide_context(Server(StoredValue::new(Engine::new())));
    view! {
        <header class="topbar">
            <h1>"Redis Playground"</h1>
        </header>
        <main class="panels">
            <Console />
        </main>
    }
}
