//! The keyspace: databases of typed values, the one read-lookup path and the one write path.

use std::collections::HashMap;

/// A value stored under a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A binary-safe string.
    String(Vec<u8>),
}

/// A key's value with its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// Absolute expire time in virtual milliseconds, if the key is volatile.
    pub expire_at: Option<i64>,
    /// Virtual time of the last access, for LRU (`OBJECT IDLETIME`).
    pub access_ms: i64,
}

impl Entry {
    /// A new persistent entry accessed now.
    pub fn new(value: Value, now_ms: i64) -> Self {
        Entry {
            value,
            expire_at: None,
            access_ms: now_ms,
        }
    }

    /// Whether the entry's expire time has been reached at `now_ms`.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expire_at.is_some_and(|at| at <= now_ms)
    }
}

/// One numbered database.
#[derive(Debug, Clone, Default)]
pub struct Db {
    map: HashMap<Vec<u8>, Entry>,
}

impl Db {
    /// The entry of a key, without any side effect.
    pub fn peek(&self, key: &[u8]) -> Option<&Entry> {
        self.map.get(key)
    }

    /// The entry of a key for in-place change, without any side effect.
    pub fn peek_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.map.get_mut(key)
    }

    /// Stores an entry, replacing any previous one.
    pub fn insert(&mut self, key: Vec<u8>, entry: Entry) -> Option<Entry> {
        self.map.insert(key, entry)
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        self.map.remove(key)
    }
}
