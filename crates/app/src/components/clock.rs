//! The virtual clock: its time, live or paused, speed, and buttons that move it forward.

use leptos::prelude::*;

use crate::state::{ClockMode, Playground, SPEEDS, format_time, parse_duration};

/// What a custom advance that is not a duration is told.
const DURATION_HINT: &str = "Type a duration such as 500ms, 90s, 5m, 1h30m or 2d (a bare number is seconds), up to 10 years (3650d).";

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
    let custom_input = NodeRef::<leptos::html::Input>::new();
    // A value that is not a duration says why, in the browser's own validation bubble (the
    // bar has no room for a line of text), besides turning the field red.
    let advance_custom = move || {
        let parsed = parse_duration(&custom.get_untracked());
        if let Some(ms) = parsed {
            playground.advance(ms);
        }
        set_custom_error.set(parsed.is_none());
        if let Some(input) = custom_input.get_untracked() {
            input.set_custom_validity(if parsed.is_some() { "" } else { DURATION_HINT });
            if parsed.is_none() {
                input.report_validity();
            }
        }
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
            <span class="clock-readout">
                <span class="clock-label">"Virtual time"</span>
                <time class="clock-time" data-testid="clock-time">{move || format_time(now())}</time>
            </span>
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
                    node_ref=custom_input
                    on:input=move |ev| {
                        set_custom.set(event_target_value(&ev));
                        if custom_error.get_untracked() {
                            set_custom_error.set(false);
                            if let Some(input) = custom_input.get_untracked() {
                                input.set_custom_validity("");
                            }
                        }
                    }
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
