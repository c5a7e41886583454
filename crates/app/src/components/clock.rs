//! The virtual clock: its time, live or paused, speed, and buttons that move it forward.

use leptos::prelude::*;

use crate::state::{ClockMode, Playground, SPEEDS, format_time, parse_duration};

/// The clock bar.
#[component]
pub fn Clock() -> impl IntoView {
    let playground = expect_context::<Playground>();
    let now = move || {
        playground.revision.get();
        playground.with(|e| e.now_ms()).unwrap_or_default()
    };
    let (custom, set_custom) = signal(String::new());
    let (custom_error, set_custom_error) = signal(false);
    let advance_custom = move || match parse_duration(&custom.get_untracked()) {
        Some(ms) => {
            playground.advance(ms);
            set_custom_error.set(false);
        }
        None => set_custom_error.set(true),
    };
    let toggle = move |_| {
        playground.mode.update(|m| {
            *m = if *m == ClockMode::Live {
                ClockMode::Paused
            } else {
                ClockMode::Live
            };
        });
    };
    view! {
        <section class="clock" data-testid="clock" aria-label="Virtual clock">
            <span class="clock-label">"Virtual time"</span>
            <time class="clock-time" data-testid="clock-time">{move || format_time(now())}</time>
            <button
                class="clock-mode"
                data-testid="clock-toggle"
                aria-pressed=move || (playground.mode.get() == ClockMode::Paused).to_string()
                on:click=toggle
            >
                {move || if playground.mode.get() == ClockMode::Live { "❚❚ Pause" } else { "▶ Live" }}
            </button>
            <label class="clock-speed">
                <span class="visually-hidden">"Speed"</span>
                <select
                    data-testid="clock-speed"
                    aria-label="Clock speed when live"
                    on:change=move |ev| {
                        if let Ok(speed) = event_target_value(&ev).parse() {
                            playground.speed.set(speed);
                        }
                    }
                >
                    {SPEEDS
                        .iter()
                        .map(|&s| view! { <option value=s.to_string() selected=move || playground.speed.get() == s>{format!("×{s}")}</option> })
                        .collect_view()}
                </select>
            </label>
            <div class="clock-advance" data-testid="clock-advance" role="group" aria-label="Move the clock forward">
                <button on:click=move |_| playground.advance(1_000)>"+1 s"</button>
                <button on:click=move |_| playground.advance(10_000)>"+10 s"</button>
                <button on:click=move |_| playground.advance(60_000)>"+1 min"</button>
                <input
                    class="clock-custom"
                    data-testid="clock-custom"
                    placeholder="e.g. 90s, 5m"
                    aria-label="Custom advance (ms, s, m, h, d)"
                    aria-invalid=move || custom_error.get().to_string()
                    prop:value=custom
                    on:input=move |ev| set_custom.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            advance_custom();
                        }
                    }
                />
                <button data-testid="clock-custom-go" on:click=move |_| advance_custom()>"Advance"</button>
            </div>
        </section>
    }
}
