//! The key browser: keys of the selected database with their type, TTL (counting down in
//! virtual time) and memory estimate; a pattern filter; the value of the chosen key, formatted
//! per type. It reads the engine through its side-effect-free inspection API, so browsing never
//! counts as a hit or a miss and never touches a key.

use engine::{KeyInfo, ValueView};
use leptos::prelude::*;

use crate::state::{Playground, format_duration};

/// Keys listed at most (the count of all matching keys is shown too).
const LIST_LIMIT: usize = 200;
/// Elements of a value shown at most.
const VALUE_LIMIT: usize = 200;

/// Bytes for display: text as it is when it is printable UTF-8, otherwise (and when empty, so
/// that an empty key or element is not a blank) redis-cli's quoting.
pub fn display_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.is_empty() && !text.chars().any(char::is_control) => text.to_string(),
        _ => {
            let mut out = String::new();
            engine::cli::quote_bytes(&mut out, bytes);
            out
        }
    }
}

fn memory_text(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / 1_048_576.0),
    }
}

/// The count above the list: "1 key", "3 keys", or "200 of 1000 keys" when the list is cut.
pub fn count_text(shown: usize, total: usize) -> String {
    let noun = if total == 1 { "key" } else { "keys" };
    if total == shown {
        format!("{total} {noun}")
    } else {
        format!("{shown} of {total} {noun}")
    }
}

/// A listed key with its TTL and memory as the row shows them.
type ListedKey = (KeyInfo, String, String);

fn listed(info: KeyInfo) -> ListedKey {
    let ttl = info.ttl_ms.map_or_else(|| "—".to_string(), format_duration);
    let memory = memory_text(info.memory);
    (info, ttl, memory)
}

/// The key browser panel.
#[component]
pub fn KeyBrowser() -> impl IntoView {
    let playground = expect_context::<Playground>();
    let (pattern, set_pattern) = signal(String::new());
    let selected = RwSignal::new(None::<Vec<u8>>);
    let listing = Memo::new(move |_| {
        playground.revision.get();
        let db = playground.db.get();
        let pattern = pattern.get();
        let pattern = (!pattern.is_empty()).then(|| pattern.into_bytes());
        playground
            .with(|e| e.inspect_keys(db, pattern.as_deref(), LIST_LIMIT))
            .unwrap_or_default()
    });
    let detail = Memo::new(move |_| {
        playground.revision.get();
        let db = playground.db.get();
        let key = selected.get()?;
        playground
            .with(|e| e.inspect_key(db, &key, VALUE_LIMIT))
            .flatten()
    });
    let row = move |(info, ttl, memory): ListedKey| {
        let key = info.key.clone();
        let chosen = key.clone();
        let is_selected = Signal::derive(move || selected.get().as_deref() == Some(key.as_slice()));
        view! {
            <li>
                <button
                    class="key-row"
                    class:selected=is_selected
                    aria-pressed=move || is_selected.get().to_string()
                    on:click=move |_| selected.set(Some(chosen.clone()))
                >
                    <span class=format!("type-badge type-{}", info.type_name)>{info.type_name}</span>
                    <span class="key-name">{display_bytes(&info.key)}</span>
                    <span class="key-ttl" data-testid="key-ttl">{ttl}</span>
                    <span class="key-memory">{memory}</span>
                </button>
            </li>
        }
    };
    view! {
        <section class="panel keys" data-testid="key-browser" aria-label="Key browser">
            <h2>"Keys" <span class="panel-note">{move || format!("db{}", playground.db.get())}</span></h2>
            <input
                class="key-filter"
                data-testid="key-filter"
                placeholder="Filter: user:*"
                aria-label="Filter keys by pattern"
                prop:value=pattern
                on:input=move |ev| set_pattern.set(event_target_value(&ev))
            />
            <p class="key-count" data-testid="key-count">
                {move || {
                    let (shown, total) = listing.with(|(keys, total)| (keys.len(), *total));
                    count_text(shown, total)
                }}
            </p>
            // Keyed by what a row shows: while a script writes keys, the panel refreshes often,
            // and only the rows that changed are built again.
            <ul class="key-list" data-testid="key-list">
                <For
                    each=move || listing.get().0.into_iter().map(listed)
                    key=|(info, ttl, memory): &ListedKey| (info.key.clone(), info.type_name, ttl.clone(), memory.clone())
                    children=row
                />
            </ul>
            {move || detail.get().map(|(info, value)| view! { <KeyDetail info value /> })}
        </section>
    }
}

/// The value of one key, formatted per type.
#[component]
fn KeyDetail(info: KeyInfo, value: ValueView) -> impl IntoView {
    let header = format!(
        "{} · {} · {} · {}",
        info.type_name,
        info.encoding,
        info.ttl_ms.map_or_else(
            || "no TTL".to_string(),
            |t| format!("TTL {}", format_duration(t))
        ),
        memory_text(info.memory)
    );
    let more = |shown: usize| {
        (info.len > shown)
            .then(|| view! { <p class="more">{format!("… {} more", info.len - shown)}</p> })
    };
    let body = match value {
        ValueView::String(bytes) => {
            let shown = bytes.len();
            view! { <pre class="value-string">{display_bytes(&bytes)}</pre> {more(shown)} }
                .into_any()
        }
        ValueView::List(items) | ValueView::Set(items) => {
            let shown = items.len();
            view! {
                <ol class="value-items">
                    {items.into_iter().map(|i| view! { <li>{display_bytes(&i)}</li> }).collect_view()}
                </ol>
                {more(shown)}
            }
            .into_any()
        }
        ValueView::Hash(pairs) => {
            let shown = pairs.len();
            view! {
                <table class="value-table">
                    <thead><tr><th>"field"</th><th>"value"</th></tr></thead>
                    <tbody>
                        {pairs.into_iter().map(|(f, v)| view! { <tr><td>{display_bytes(&f)}</td><td>{display_bytes(&v)}</td></tr> }).collect_view()}
                    </tbody>
                </table>
                {more(shown)}
            }
            .into_any()
        }
        ValueView::ZSet(members) => {
            let shown = members.len();
            view! {
                <table class="value-table">
                    <thead><tr><th>"member"</th><th>"score"</th></tr></thead>
                    <tbody>
                        {members.into_iter().map(|(m, s)| view! { <tr><td>{display_bytes(&m)}</td><td>{engine::num::format_double(s)}</td></tr> }).collect_view()}
                    </tbody>
                </table>
                {more(shown)}
            }
            .into_any()
        }
        ValueView::Stream(entries) => {
            let shown = entries.len();
            view! {
                <ol class="value-items">
                    {entries
                        .into_iter()
                        .map(|(id, fields)| {
                            let text = fields.iter().map(|(f, v)| format!("{}={}", display_bytes(f), display_bytes(v))).collect::<Vec<_>>().join(" ");
                            view! { <li><code>{display_bytes(&id)}</code>" "{text}</li> }
                        })
                        .collect_view()}
                </ol>
                {more(shown)}
            }
            .into_any()
        }
    };
    view! {
        <div class="key-detail" data-testid="key-detail">
            <h3>{display_bytes(&info.key)}</h3>
            <p class="key-meta">{header}</p>
            {body}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_say_key_for_one() {
        assert_eq!(count_text(0, 0), "0 keys");
        assert_eq!(count_text(1, 1), "1 key");
        assert_eq!(count_text(2, 2), "2 keys");
        assert_eq!(count_text(200, 201), "200 of 201 keys");
    }

    #[test]
    fn bytes_show_as_text_or_quoted_as_redis_cli_quotes_them() {
        assert_eq!(display_bytes(b"user:1"), "user:1");
        assert_eq!(display_bytes("é <b>".as_bytes()), "é <b>");
        // An empty key or element is not a blank.
        assert_eq!(display_bytes(b""), "\"\"");
        assert_eq!(display_bytes(b"a\nb"), "\"a\\nb\"");
        assert_eq!(display_bytes(&[0xff, 0]), "\"\\xff\\x00\"");
    }
}
