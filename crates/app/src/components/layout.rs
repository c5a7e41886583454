//! Resizable panels: a separator between two grid areas that the pointer drags and the keyboard
//! moves (it is focusable: ←/→ or ↑/↓ by 2, with Shift by 10, Home and End to the limits),
//! with the ARIA window-splitter semantics (`role=separator`, `aria-valuenow` in percent). Its
//! value lives in a CSS variable on the document root (`--split-<name>`, a number the
//! stylesheet turns into a size) and in `localStorage` (`layout.<name>`), so sizes survive a
//! reload and a reset.

use leptos::ev::{KeyboardEvent, PointerEvent};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::storage;

/// Sets `--split-<name>` on the document root.
fn apply(name: &str, value: f64) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(root) = root {
        let _ = root
            .style()
            .set_property(&format!("--split-{name}"), &format!("{value:.1}"));
    }
}

/// The next value for a key press, if the key moves the separator.
pub fn key_step(key: &str, shift: bool, value: f64, min: f64, max: f64) -> Option<f64> {
    let step = if shift { 10.0 } else { 2.0 };
    let next = match key {
        "ArrowLeft" | "ArrowUp" => value - step,
        "ArrowRight" | "ArrowDown" => value + step,
        "Home" => min,
        "End" => max,
        _ => return None,
    };
    Some(next.clamp(min, max))
}

/// A draggable, focusable separator.
///
/// `vertical`: it stands between two columns and its value is the first column's share of the
/// parent's width; otherwise it lies between two rows and its value is the upper row's height in
/// percent of the window's height.
#[component]
pub fn Splitter(
    /// Names the CSS variable, the storage key and the test id (`split-<name>`).
    name: &'static str,
    /// Between columns (true) or rows.
    vertical: bool,
    /// What it resizes, for assistive technologies.
    label: &'static str,
    default: f64,
    min: f64,
    max: f64,
) -> impl IntoView {
    let key = format!("layout.{name}");
    let stored = storage::load(&key)
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .map_or(default, |v| v.clamp(min, max));
    let value = RwSignal::new(stored);
    Effect::new(move |_| {
        let v = value.get();
        apply(name, v);
        storage::save(&key, &format!("{v:.1}"));
    });
    let node: NodeRef<html::Div> = NodeRef::new();
    let dragging = StoredValue::new(false);
    let on_keydown = move |ev: KeyboardEvent| {
        if let Some(next) = key_step(&ev.key(), ev.shift_key(), value.get_untracked(), min, max) {
            ev.prevent_default();
            value.set(next);
        }
    };
    let on_pointerdown = move |ev: PointerEvent| {
        if let Some(el) = node.get_untracked() {
            let _ = el.set_pointer_capture(ev.pointer_id());
            let _ = el.focus();
            dragging.set_value(true);
            ev.prevent_default();
        }
    };
    let on_pointermove = move |ev: PointerEvent| {
        if !dragging.get_value() {
            return;
        }
        let Some(parent) = node.get_untracked().and_then(|el| el.parent_element()) else {
            return;
        };
        let rect = parent.get_bounding_client_rect();
        let next = if vertical {
            (f64::from(ev.client_x()) - rect.left()) / rect.width().max(1.0) * 100.0
        } else {
            let height = web_sys::window()
                .and_then(|w| w.inner_height().ok())
                .and_then(|h| h.as_f64())
                .unwrap_or(800.0);
            (f64::from(ev.client_y()) - rect.top()) / height.max(1.0) * 100.0
        };
        if next.is_finite() {
            value.set(next.clamp(min, max));
        }
    };
    let stop = move |_: PointerEvent| dragging.set_value(false);
    view! {
        <div
            class=if vertical { "splitter splitter-columns" } else { "splitter splitter-rows" }
            data-testid=format!("split-{name}")
            role="separator"
            tabindex="0"
            aria-label=label
            aria-orientation=if vertical { "vertical" } else { "horizontal" }
            aria-valuemin=min.to_string()
            aria-valuemax=max.to_string()
            aria-valuenow=move || format!("{:.0}", value.get())
            aria-valuetext=move || {
                let of = if vertical { "of the width" } else { "of the window's height" };
                format!("{:.0} % {of}", value.get())
            }
            style=format!("grid-area: split-{name}")
            node_ref=node
            on:keydown=on_keydown
            on:pointerdown=on_pointerdown
            on:pointermove=on_pointermove
            on:pointerup=stop
            on:pointercancel=stop
        ></div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_move_within_limits() {
        assert_eq!(key_step("ArrowRight", false, 50.0, 20.0, 80.0), Some(52.0));
        assert_eq!(key_step("ArrowUp", true, 50.0, 20.0, 80.0), Some(40.0));
        assert_eq!(key_step("ArrowLeft", true, 25.0, 20.0, 80.0), Some(20.0));
        assert_eq!(key_step("End", false, 25.0, 20.0, 80.0), Some(80.0));
        assert_eq!(key_step("Home", false, 25.0, 20.0, 80.0), Some(20.0));
        assert_eq!(key_step("a", false, 25.0, 20.0, 80.0), None);
    }
}
