//! The page's saved state in `localStorage`, under versioned, prefixed keys so that a save from
//! an older page never breaks a newer one (a version change simply starts afresh). Every access
//! is fallible (private browsing, quotas): failures are ignored and the page works unsaved.

/// Prefix of every key; bump the version when a stored format changes.
const PREFIX: &str = "redis-playground.v1.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// A stored string.
pub fn load(key: &str) -> Option<String> {
    storage()?
        .get_item(&format!("{PREFIX}{key}"))
        .ok()
        .flatten()
}

/// Stores a string (ignoring failures such as a full quota).
pub fn save(key: &str, value: &str) {
    try_save(key, value);
}

/// Stores a string; `false` if the browser refused (no storage, quota exceeded).
pub fn try_save(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(&format!("{PREFIX}{key}"), value).is_ok())
}

/// Forgets a stored string.
pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&format!("{PREFIX}{key}"));
    }
}

/// A stored list of single-line strings.
pub fn load_list(key: &str) -> Vec<String> {
    load(key)
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Stores a list of single-line strings.
pub fn save_list(key: &str, items: &[String]) {
    save(key, &items.join("\n"));
}

/// Storage key of the editor's text.
const EDITOR_CODE_KEY: &str = "editor-code";
/// The longest editor text kept across reloads (characters); longer text is not saved.
pub const MAX_EDITOR_CODE: usize = 100_000;

/// The editor's text as last saved.
pub fn load_editor_code() -> Option<String> {
    load(EDITOR_CODE_KEY).filter(|code| code.chars().count() <= MAX_EDITOR_CODE)
}

/// Saves the editor's text; `false` (nothing saved) when it is longer than [`MAX_EDITOR_CODE`].
pub fn save_editor_code(code: &str) -> bool {
    if code.len() > MAX_EDITOR_CODE && code.chars().count() > MAX_EDITOR_CODE {
        return false;
    }
    save(EDITOR_CODE_KEY, code);
    true
}
