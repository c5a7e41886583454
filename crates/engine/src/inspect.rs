//! Side-effect-free views of the keyspace for hosts: the page's key browser, graders. Unlike
//! commands, these never count keyspace hits or misses, never touch access times, log no event
//! and remove nothing; a key whose time has passed is hidden, as any client would see it.

use crate::engine::Engine;
use crate::glob::glob_match;
use crate::keyspace::stream::StreamId;
use crate::keyspace::{Entry, Value};

/// What the key browser lists for a key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyInfo {
    /// The key.
    pub key: Vec<u8>,
    /// `TYPE`'s answer.
    pub type_name: &'static str,
    /// `OBJECT ENCODING`'s answer.
    pub encoding: &'static str,
    /// Milliseconds left before the key expires, if it is volatile.
    pub ttl_ms: Option<i64>,
    /// Bytes of a string, elements of a collection.
    pub len: usize,
    /// `MEMORY USAGE`'s estimate, in bytes.
    pub memory: usize,
}

/// A value, formatted per type, with at most the requested number of elements.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueView {
    /// A string's bytes (cut to the limit).
    String(Vec<u8>),
    /// A list's elements, head first.
    List(Vec<Vec<u8>>),
    /// A hash's fields and values, in the encoding's order.
    Hash(Vec<(Vec<u8>, Vec<u8>)>),
    /// A set's members, sorted for display.
    Set(Vec<Vec<u8>>),
    /// A sorted set's members and scores, lowest score first.
    ZSet(Vec<(Vec<u8>, f64)>),
    /// A stream's entries, oldest first.
    Stream(Vec<StreamEntryView>),
}

/// One stream entry: its ID (`ms-seq`) and its field/value pairs.
pub type StreamEntryView = (Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>);

fn info(engine: &Engine, key: &[u8], entry: &Entry) -> KeyInfo {
    let now_ms = engine.now_ms;
    let len = match &entry.value {
        Value::String(s) => s.bytes.len(),
        Value::List(l) => l.len(),
        Value::Hash(h) => h.len(),
        Value::Set(s) => s.len(),
        Value::ZSet(z) => z.len(),
        Value::Stream(s) => usize::try_from(s.length).unwrap_or(usize::MAX),
    };
    KeyInfo {
        key: key.to_vec(),
        type_name: entry.value.type_name(),
        encoding: entry.value.encoding_name(),
        ttl_ms: entry.expire_at().map(|at| (at - now_ms).max(0)),
        len,
        memory: crate::memory::key_usage(key, &entry.value, 5),
    }
}

impl Engine {
    /// The live keys of a database matching `pattern` (glob, as KEYS; `None` for all), sorted
    /// by key, at most `limit` of them; also answers how many keys match in all.
    pub fn inspect_keys(
        &self,
        db: usize,
        pattern: Option<&[u8]>,
        limit: usize,
    ) -> (Vec<KeyInfo>, usize) {
        let Some(database) = self.dbs.get(db) else {
            return (Vec::new(), 0);
        };
        let now = self.now_ms;
        let mut matching: Vec<(&[u8], &Entry)> = database
            .dict()
            .iter()
            .filter(|(_, e)| !e.is_expired(now))
            .filter(|(k, _)| pattern.is_none_or(|p| p == b"*" || glob_match(p, k, false)))
            .collect();
        let total = matching.len();
        if matching.len() > limit {
            matching.select_nth_unstable_by(limit, |a, b| a.0.cmp(b.0));
            matching.truncate(limit);
        }
        crate::qsort::sort_by(&mut matching, |a, b| a.0.cmp(b.0));
        (
            matching
                .into_iter()
                .map(|(k, e)| info(self, k, e))
                .collect(),
            total,
        )
    }

    /// A live key's description and value, with at most `limit` elements (or bytes, for a
    /// string).
    pub fn inspect_key(&self, db: usize, key: &[u8], limit: usize) -> Option<(KeyInfo, ValueView)> {
        let now = self.now_ms;
        let entry = self.dbs.get(db)?.peek(key).filter(|e| !e.is_expired(now))?;
        let view = match &entry.value {
            Value::String(s) => ValueView::String(s.bytes.iter().take(limit).copied().collect()),
            Value::List(l) => ValueView::List(l.iter().take(limit).map(<[u8]>::to_vec).collect()),
            Value::Hash(h) => ValueView::Hash(
                h.iter()
                    .take(limit)
                    .map(|(f, v)| (f.to_vec(), v.to_vec()))
                    .collect(),
            ),
            Value::Set(s) => {
                let mut members: Vec<Vec<u8>> =
                    s.iter().map(std::borrow::Cow::into_owned).collect();
                crate::qsort::sort(&mut members);
                members.truncate(limit);
                ValueView::Set(members)
            }
            Value::ZSet(z) => ValueView::ZSet(
                z.iter()
                    .take(limit)
                    .map(|(m, score)| (m.to_vec(), score))
                    .collect(),
            ),
            Value::Stream(s) => ValueView::Stream(
                s.range(StreamId::MIN, StreamId::MAX, false, limit.max(1))
                    .into_iter()
                    .map(|e| {
                        let pairs = e
                            .fields
                            .chunks(2)
                            .map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default()))
                            .collect();
                        (e.id.to_bytes(), pairs)
                    })
                    .collect(),
            ),
        };
        Some((info(self, key, entry), view))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(engine: &mut Engine, client: crate::ClientId, line: &str) {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        engine.exec(client, &argv);
    }

    #[test]
    fn inspection_leaves_no_trace() {
        let mut engine = Engine::new();
        let c = engine.connect();
        run(&mut engine, c, "SET user:1 alice");
        run(&mut engine, c, "RPUSH queue a b c");
        run(&mut engine, c, "SET temp x PX 1000");
        let (hits, misses, events) = (
            engine.stats.keyspace_hits,
            engine.stats.keyspace_misses,
            engine.events.last_seq(),
        );
        let (keys, total) = engine.inspect_keys(0, None, 10);
        assert_eq!(total, 3);
        assert_eq!(
            keys.iter().map(|k| k.key.as_slice()).collect::<Vec<_>>(),
            [&b"queue"[..], b"temp", b"user:1"]
        );
        assert_eq!(keys[0].type_name, "list");
        assert_eq!(keys[0].len, 3);
        assert_eq!(keys[1].ttl_ms, Some(1000));
        let (info, view) = engine.inspect_key(0, b"queue", 2).expect("a list");
        assert_eq!(info.encoding, "quicklist");
        assert_eq!(view, ValueView::List(vec![b"a".to_vec(), b"b".to_vec()]));
        assert_eq!(
            (
                engine.stats.keyspace_hits,
                engine.stats.keyspace_misses,
                engine.events.last_seq()
            ),
            (hits, misses, events)
        );
    }

    #[test]
    fn expired_keys_are_hidden_and_patterns_filter() {
        let mut engine = Engine::new();
        let c = engine.connect();
        run(&mut engine, c, "SET a:1 x");
        run(&mut engine, c, "SET a:2 x");
        run(&mut engine, c, "SET b:1 x");
        let (keys, total) = engine.inspect_keys(0, Some(b"a:*"), 1);
        assert_eq!((keys.len(), total), (1, 2));
        assert_eq!(keys[0].key, b"a:1");
        assert!(engine.inspect_key(0, b"nope", 10).is_none());
    }
}
