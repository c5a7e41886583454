//! Reset: a header button that asks first (a modal dialog: Escape or Cancel keeps everything),
//! the `redis-playground:reset` window event (an embedding page asked: no question), and the
//! note about saving and restoring the playground's state.

use leptos::html;
use leptos::prelude::*;

use crate::pagestate::{StateNote, reset_playground};
use crate::state::Playground;

/// The reset button and its confirmation dialog.
#[component]
pub fn ResetButton() -> impl IntoView {
    let playground = expect_context::<Playground>();
    let note = expect_context::<StateNote>();
    let dialog: NodeRef<html::Dialog> = NodeRef::new();
    let listener = window_event_listener_untyped("redis-playground:reset", move |_| {
        reset_playground(playground, note);
    });
    on_cleanup(move || listener.remove());
    let open = move |_| {
        if let Some(d) = dialog.get_untracked() {
            let _ = d.show_modal();
        }
    };
    let close = move || {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
    };
    view! {
        <button class="reset-button" data-testid="reset-button" aria-haspopup="dialog" on:click=open>
            "Reset"
        </button>
        <dialog
            class="reset-dialog"
            data-testid="reset-dialog"
            aria-labelledby="reset-title"
            aria-describedby="reset-description"
            node_ref=dialog
        >
            <h2 id="reset-title">"Reset the playground?"</h2>
            <p id="reset-description">
                "Every key in every database, the configuration you changed, the clock and the console's history go; the theme and panel sizes stay. This cannot be undone."
            </p>
            <div class="dialog-actions">
                <button data-testid="reset-cancel" autofocus on:click=move |_| close()>"Cancel"</button>
                <button
                    class="danger"
                    data-testid="reset-confirm"
                    on:click=move |_| {
                        reset_playground(playground, note);
                        close();
                    }
                >
                    "Reset everything"
                </button>
            </div>
        </dialog>
    }
}

/// A message about saving or restoring, with a button to dismiss it.
#[component]
pub fn StateNoteView() -> impl IntoView {
    let note = expect_context::<StateNote>();
    view! {
        <div class="state-note-slot" role="status" aria-live="polite">
            {move || {
                note.0
                    .get()
                    .map(|text| {
                        view! {
                            <p class="state-note" data-testid="state-note">
                                <span>{text}</span>
                                <button aria-label="Dismiss" on:click=move |_| note.0.set(None)>"×"</button>
                            </p>
                        }
                    })
            }}
        </div>
    }
}
