//! The keyspace: databases of typed values with their expire times.
//!
//! Reads and writes with Redis semantics (expiry, statistics, events) go through the engine's
//! lookup and write path (`engine.rs`); this module only keeps the data and its indexes
//! consistent.

pub mod dict;
pub mod hash;
pub mod list;
pub mod set;
pub mod stream;
pub mod value;
pub mod zset;

use std::collections::BTreeSet;

pub use dict::{Dict, SlotId};
pub use value::Value;

/// A key's value with its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// Absolute expire time in virtual milliseconds; changed only through [`Db::set_expire`],
    /// which keeps the expire index in step.
    expire_at: Option<i64>,
    /// Virtual time of the last access, for LRU and `OBJECT IDLETIME`.
    pub lru_ms: i64,
    /// Logarithmic access counter, for LFU and `OBJECT FREQ`.
    pub lfu_counter: u8,
    /// Virtual minute of the counter's last decay (Redis keeps 16 bits of minutes).
    pub lfu_minutes: u16,
    /// Whether the value is a private object where Redis would otherwise hold one of its shared
    /// integers (`COPY` duplicates the value it copies); see [`Entry::refcount`].
    pub unshared: bool,
}

/// Redis's `LFU_INIT_VAL`: new keys start with a small counter so they are not evicted at once.
pub const LFU_INIT_VAL: u8 = 5;

impl Entry {
    /// A new persistent entry, accessed at `now_ms`.
    pub fn new(value: Value, now_ms: i64) -> Self {
        Entry {
            value,
            expire_at: None,
            lru_ms: now_ms,
            lfu_counter: LFU_INIT_VAL,
            lfu_minutes: minutes(now_ms),
            unshared: false,
        }
    }

    /// Absolute expire time in virtual milliseconds, if the key is volatile.
    pub fn expire_at(&self) -> Option<i64> {
        self.expire_at
    }

    /// Whether the expire time has passed at `now_ms`. As Redis's `keyIsExpired`, a key is
    /// still alive at its expire time itself (its `PTTL` is then 0) and gone one millisecond
    /// later.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expire_at.is_some_and(|at| at < now_ms)
    }

    /// What `OBJECT REFCOUNT` answers. Redis keeps one shared object for each integer from 0 to
    /// 9999 and stores it (with the maximal refcount, `INT_MAX`) wherever such an integer string
    /// is stored; every other value is referenced once.
    #[allow(clippy::match_wildcard_for_single_variants)] // one variant per type to come
    #[allow(clippy::match_wildcard_for_single_variants)] // more types are coming
    pub fn refcount(&self) -> i64 {
        /// Redis's `OBJ_SHARED_INTEGERS`.
        const SHARED_INTEGERS: i64 = 10_000;
        /// Redis's `OBJ_SHARED_REFCOUNT`.
        const SHARED_REFCOUNT: i64 = i32::MAX as i64;
        let shared = if let Value::String(s) = &self.value {
            s.encoding == value::StrEncoding::Int
                && crate::num::parse_i64(&s.bytes)
                    .is_some_and(|n| (0..SHARED_INTEGERS).contains(&n))
        } else {
            false
        };
        if shared && !self.unshared {
            SHARED_REFCOUNT
        } else {
            1
        }
    }
}

/// Virtual time in minutes, truncated to 16 bits as Redis's LFU decay clock.
pub fn minutes(now_ms: i64) -> u16 {
    ((now_ms / 60_000) & 0xffff) as u16
}

/// One numbered database.
#[derive(Debug, Clone, Default)]
pub struct Db {
    dict: Dict<Entry>,
    /// Volatile keys ordered by expire time, pointing at their slots.
    expires: BTreeSet<(i64, SlotId)>,
}

impl Db {
    /// Number of keys, including ones whose time has passed but that were not removed yet.
    pub fn len(&self) -> usize {
        self.dict.len()
    }

    /// Whether there is no key.
    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// Number of keys with an expire time.
    pub fn volatile_len(&self) -> usize {
        self.expires.len()
    }

    /// The expire times of the volatile keys (Unix milliseconds), soonest first.
    pub fn expire_times(&self) -> impl Iterator<Item = i64> + '_ {
        self.expires.iter().map(|&(at, _)| at)
    }

    /// The key table (read-only; change it through this type's methods).
    pub fn dict(&self) -> &Dict<Entry> {
        &self.dict
    }

    /// The entry of a key, without any side effect.
    pub fn peek(&self, key: &[u8]) -> Option<&Entry> {
        self.dict.get(key)
    }

    /// The entry of a key for change in place, without any side effect.
    pub fn peek_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.dict.get_mut(key)
    }

    /// Stores an entry (with its expire time), replacing any previous one.
    pub fn insert(&mut self, key: &[u8], entry: Entry) -> Option<Entry> {
        let at = entry.expire_at;
        let (id, old) = self.dict.insert(key, entry);
        if let Some(old_at) = old.as_ref().and_then(|o| o.expire_at) {
            self.expires.remove(&(old_at, id));
        }
        if let Some(at) = at {
            self.expires.insert((at, id));
        }
        old
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let id = self.dict.find(key)?;
        self.remove_slot(id).map(|(_, e)| e)
    }

    fn remove_slot(&mut self, id: SlotId) -> Option<(Box<[u8]>, Entry)> {
        let (key, entry) = self.dict.remove_slot(id)?;
        if let Some(at) = entry.expire_at {
            self.expires.remove(&(at, id));
        }
        Some((key, entry))
    }

    /// Sets or clears a key's expire time; false when the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], at: Option<i64>) -> bool {
        let Some(id) = self.dict.find(key) else {
            return false;
        };
        let Some((_, entry)) = self.dict.slot_mut(id) else {
            return false;
        };
        let old = std::mem::replace(&mut entry.expire_at, at);
        if let Some(old) = old {
            self.expires.remove(&(old, id));
        }
        if let Some(at) = at {
            self.expires.insert((at, id));
        }
        true
    }

    /// The earliest expire time, if any key is volatile.
    pub fn next_expiry(&self) -> Option<i64> {
        self.expires.first().map(|&(at, _)| at)
    }

    /// Removes and returns the key that expires first, if its time is before `now_ms` (see
    /// [`Entry::is_expired`]).
    pub fn pop_expired(&mut self, now_ms: i64) -> Option<(Vec<u8>, Entry)> {
        let &(at, id) = self.expires.first()?;
        if at >= now_ms {
            return None;
        }
        self.remove_slot(id).map(|(k, e)| (k.into_vec(), e))
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.dict.clear();
        self.expires.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> Value {
        Value::string(s.as_bytes().to_vec())
    }

    #[test]
    fn the_expire_index_follows_inserts_updates_and_removals() {
        let mut db = Db::default();
        db.insert(b"a", Entry::new(string("1"), 0));
        db.insert(b"b", Entry::new(string("2"), 0));
        assert!(db.set_expire(b"a", Some(100)));
        assert!(db.set_expire(b"b", Some(50)));
        assert!(!db.set_expire(b"missing", Some(1)));
        assert_eq!(db.volatile_len(), 2);
        assert!(db.set_expire(b"b", Some(150)));
        assert_eq!(db.next_expiry(), Some(100));
        // Overwriting with a persistent entry drops the old expire time.
        db.insert(b"a", Entry::new(string("3"), 0));
        assert_eq!(db.volatile_len(), 1);
        assert_eq!(db.pop_expired(150), None, "alive at its expire time");
        let (key, _) = db.pop_expired(151).expect("b is due");
        assert_eq!(key, b"b");
        assert_eq!(db.volatile_len(), 0);
        assert_eq!(db.len(), 1);
    }
}
