//! The redis-cli console: type a line, press Enter, read the reply as redis-cli prints it.

use engine::cli::{LineOutcome, run_line};
use engine::{ClientId, Engine};
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use crate::Server;

/// One line typed and what it printed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Exchange {
    id: usize,
    prompt: String,
    input: String,
    output: String,
}

/// The console's transcript and the connection it types on.
struct Session {
    client: ClientId,
    history: Vec<Exchange>,
}

impl Session {
    fn new(engine: &mut Engine) -> Self {
        Session {
            client: engine.connect(),
            history: Vec::new(),
        }
    }

    fn prompt() -> String {
        "127.0.0.1:6379>".to_string()
    }

    /// Runs a typed line and records what it printed (`clear` empties the transcript).
    fn run(&mut self, engine: &mut Engine, line: &str) {
        let prompt = Self::prompt();
        match run_line(engine, self.client, line.as_bytes()) {
            LineOutcome::Print(output) => {
                let id = self.history.last().map_or(0, |e| e.id + 1);
                self.history.push(Exchange {
                    id,
                    prompt,
                    input: line.to_string(),
                    output,
                });
            }
            LineOutcome::Clear => self.history.clear(),
            // A browser tab cannot be quit; redis-cli's `quit` just ends nothing here.
            LineOutcome::Quit | LineOutcome::Help(_) => {}
        }
    }
}

/// The console panel.
#[component]
pub fn Console() -> impl IntoView {
    let playground = expect_context::<Server>();
    // Nothing else holds the engine while the page mounts, so this always connects.
    let session = StoredValue::new(playground.with(Session::new).unwrap_or(Session {
        client: 0,
        history: Vec::new(),
    }));
    let (transcript, set_transcript) = signal(Vec::<Exchange>::new());
    let input: NodeRef<html::Input> = NodeRef::new();

    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() != "Enter" {
            return;
        }
        ev.prevent_default();
        let Some(field) = input.get() else { return };
        let line = field.value();
        field.set_value("");
        playground.with(|engine| session.update_value(|s| s.run(engine, &line)));
        set_transcript.set(session.with_value(|s| s.history.clone()));
    };

    view! {
        <section class="panel console" aria-label="Redis console">
            <h2>"Console"</h2>
            <div class="console-transcript" data-testid="console-output" role="log" aria-live="polite">
                <For each=move || transcript.get() key=|e| e.id let:exchange>
                    <div class="exchange">
                        <div class="typed"><span class="prompt">{exchange.prompt}</span>" "{exchange.input}</div>
                        <pre class="reply">{exchange.output}</pre>
                    </div>
                </For>
            </div>
            <div class="console-line">
                <label class="prompt" for="console-input">{Session::prompt()}</label>
                <input
                    id="console-input"
                    data-testid="console-input"
                    node_ref=input
                    on:keydown=on_keydown
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    placeholder="Type a command, e.g. SET greeting hello"
                />
            </div>
        </section>
    }
}
