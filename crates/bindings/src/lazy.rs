//! The page build's command families loaded on first use (feature `split`; see the engine's
//! `lazy` module): a command whose family is not loaded is refused without running, and
//! `Engine.takeMissingFamily()` names the family; the caller awaits `Engine.loadFamily(name)`
//! and sends the command again (`web/js/runner/families.js` does both).

use engine::lazy::{self, FAMILIES, Family};
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::JsEngine;

#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// The family the last refused command needed (`"stream"`, …), once; `undefined` if none.
    #[wasm_bindgen(js_name = takeMissingFamily)]
    pub fn take_missing_family() -> Option<String> {
        lazy::take_missing().map(|f| f.name().to_string())
    }

    /// Fetches a family's code; resolves once it runs (at once when loaded), rejects with an
    /// `Error` when it could not be fetched (a later call tries again).
    #[wasm_bindgen(js_name = loadFamily)]
    pub fn load_family(name: &str) -> Promise {
        let family = Family::from_name(name);
        future_to_promise(async move {
            let Some(family) = family else {
                return Err(js_sys::Error::new("no such family").into());
            };
            lazy::load(family)
                .await
                .map(|()| JsValue::UNDEFINED)
                .map_err(|e| js_sys::Error::new(&e.0).into())
        })
    }

    /// Fetches the code that these commands need on this connection and that is not loaded
    /// yet; `commands` holds argv arrays or console lines (strings, redis-cli syntax). Resolves
    /// once they can run, or once a family could not be fetched (its commands are then refused).
    #[wasm_bindgen(js_name = loadFor)]
    pub fn load_for(&self, client: f64, commands: &Array) -> Result<Promise, JsValue> {
        let missing = self.with(|e| {
            let mut missing: Vec<Family> = Vec::new();
            for command in commands.iter() {
                let argv = match command.as_string() {
                    Some(line) => engine::cli::split_args(line.as_bytes()).unwrap_or_default(),
                    None => crate::args(&Array::from(&command)),
                };
                if let Some(family) = e.missing_family(client as u64, &argv)
                    && !missing.contains(&family)
                {
                    missing.push(family);
                }
            }
            missing
        })?;
        Ok(future_to_promise(async move {
            for family in missing {
                let _ = lazy::load(family).await;
            }
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// The names of the families not loaded yet.
    #[wasm_bindgen(js_name = unloadedFamilies)]
    pub fn unloaded_families() -> Array {
        FAMILIES
            .into_iter()
            .filter(|f| !lazy::is_loaded(*f))
            .map(|f| JsValue::from_str(f.name()))
            .collect()
    }
}

/// The first family not loaded yet (noted as missing for `takeMissingFamily`).
pub(crate) fn first_unloaded() -> Option<Family> {
    let family = FAMILIES.into_iter().find(|f| !lazy::is_loaded(*f))?;
    lazy::note_missing(family);
    Some(family)
}
