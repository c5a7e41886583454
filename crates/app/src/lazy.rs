//! Command families whose code the page loads on first use (feature `split`, which the page
//! build turns on: scripts/build-wasm.sh; see the engine's `lazy` module). The engine refuses a
//! command whose family is not loaded yet without running it; [`take_missing`] then names the
//! family, and the caller awaits [`load`] and sends the same command again. Without the feature
//! (the wasm-bindgen tests) nothing is ever missing.

#[cfg(feature = "split")]
pub use engine::lazy::Family;

/// A family of commands loaded on first use (none without the feature).
#[cfg(not(feature = "split"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {}

/// The family the last refused command needed, once.
pub fn take_missing() -> Option<Family> {
    #[cfg(feature = "split")]
    return engine::lazy::take_missing();
    #[cfg(not(feature = "split"))]
    None
}

/// Fetches a family's code; `false` when it could not be fetched (a later call tries again).
#[cfg_attr(not(feature = "split"), allow(clippy::unused_async))]
pub async fn load(family: Family) -> bool {
    #[cfg(feature = "split")]
    return engine::lazy::load(family).await.is_ok();
    #[cfg(not(feature = "split"))]
    match family {}
}

/// The families whose code these console lines (redis-cli syntax) need and that are not loaded
/// yet: fetch them before running the lines at once.
pub fn missing_for_lines(engine: &engine::Engine, lines: &[String]) -> Vec<Family> {
    #[cfg(feature = "split")]
    {
        let mut missing = Vec::new();
        for line in lines {
            let Ok(argv) = engine::cli::split_args(line.as_bytes()) else {
                continue;
            };
            // A connection of its own: no queued transaction to look into (the lines' own
            // MULTI … EXEC are each looked at).
            if let Some(family) = engine.missing_family(0, &argv)
                && !missing.contains(&family)
            {
                missing.push(family);
            }
        }
        missing
    }
    #[cfg(not(feature = "split"))]
    {
        let _ = (engine, lines);
        Vec::new()
    }
}

/// Whether the RDB loader must be fetched before a saved playground can be restored.
pub fn restore_needs_loading() -> bool {
    #[cfg(feature = "split")]
    return !engine::lazy::is_loaded(Family::Rdb);
    #[cfg(not(feature = "split"))]
    false
}

/// Fetches the RDB loader (see [`restore_needs_loading`]); `false` when it could not be fetched.
#[cfg_attr(not(feature = "split"), allow(clippy::unused_async))]
pub async fn load_restore() -> bool {
    #[cfg(feature = "split")]
    return load(Family::Rdb).await;
    #[cfg(not(feature = "split"))]
    true
}

/// The name of a family, for messages.
pub fn name(family: Family) -> &'static str {
    #[cfg(feature = "split")]
    return family.name();
    #[cfg(not(feature = "split"))]
    match family {}
}
