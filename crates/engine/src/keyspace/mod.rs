//! The keyspace: databases of typed values with their expire times.
//!
//! Reads and writes with Redis semantics (expiry, statistics, events) go through the engine's
//! lookup and write path (`engine.rs`); this module only keeps the data and its indexes
//! consistent.

pub mod bytes;
pub mod dict;
pub mod hash;
pub mod list;
pub mod sds;
pub mod set;
pub mod stream;
pub mod value;
pub mod zset;

pub use dict::{Dict, SlotId};
pub use value::Value;

use crate::memory::accounted_size;
use crate::rng::Rng;

/// The expire time of a persistent key. (`i64::MIN` as an expire time, far in the past, is
/// stored as the next millisecond: both mean "already expired".)
const NO_EXPIRE: i64 = i64::MIN;

/// An expire time as an entry stores it.
fn stored_expire(at: Option<i64>) -> i64 {
    at.map_or(NO_EXPIRE, |at| at.max(NO_EXPIRE + 1))
}

/// Marks an entry that is not in its database's volatile index.
const NOT_VOLATILE: u32 = u32::MAX;

/// A key's value with its metadata. `repr(C)`: the fields every lookup reads (expire time,
/// access data) come first, right after the key in the table's slot, so that a lookup reads
/// one cache line; the value follows.
#[derive(Debug, Clone)]
#[repr(C)]
pub struct Entry {
    /// Absolute expire time in virtual milliseconds, [`NO_EXPIRE`] for a persistent key (a
    /// plain number keeps the entry small); changed only through [`Db::set_expire`], which
    /// keeps the expire index in step.
    expire_at: i64,
    /// Virtual time of the last access, for LRU and `OBJECT IDLETIME`.
    pub lru_ms: i64,
    /// The bytes the value was last measured at (`memory::accounted_size`), as its database
    /// counts it in its total; kept by [`Db`].
    mem: usize,
    /// The entry's place in its database's volatile index, or [`NOT_VOLATILE`]; kept by [`Db`].
    volatile_at: u32,
    /// Virtual minute of the counter's last decay (Redis keeps 16 bits of minutes).
    pub lfu_minutes: u16,
    /// Logarithmic access counter, for LFU and `OBJECT FREQ`.
    pub lfu_counter: u8,
    /// Whether the value is a private object where Redis would otherwise hold one of its shared
    /// integers (`COPY` duplicates the value it copies); see [`Entry::refcount`].
    pub unshared: bool,
    /// The value.
    pub value: Value,
}

impl PartialEq for Entry {
    /// Equal values, expire times and access data; the database's bookkeeping is left out.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
            && self.expire_at == other.expire_at
            && self.lru_ms == other.lru_ms
            && self.lfu_counter == other.lfu_counter
            && self.lfu_minutes == other.lfu_minutes
            && self.unshared == other.unshared
    }
}

/// The keyspace counts its values apart (`Entry::mem`): a table entry weighs its key only. Its
/// slots start on cache lines (see `dict::Slot`).
impl dict::Weigh for Entry {
    type Align = dict::CacheLine;

    /// Redis's `serverCron` finishes rehashing the keyspace in the background.
    const REHASH: bool = false;

    /// A string's bytes held in place span the slot's second and third lines.
    #[inline]
    fn touch(&self) {
        if let Value::String(s) = &self.value {
            s.bytes.touch();
        }
    }
}

/// Redis's `LFU_INIT_VAL`: new keys start with a small counter so they are not evicted at once.
pub const LFU_INIT_VAL: u8 = 5;

impl Entry {
    /// A new persistent entry, accessed at `now_ms`.
    pub fn new(value: Value, now_ms: i64) -> Self {
        Entry {
            value,
            expire_at: NO_EXPIRE,
            lru_ms: now_ms,
            lfu_counter: LFU_INIT_VAL,
            lfu_minutes: minutes(now_ms),
            unshared: false,
            mem: 0,
            volatile_at: NOT_VOLATILE,
        }
    }

    /// The bytes its value was last measured at (see `memory::accounted_size`).
    pub fn mem(&self) -> usize {
        self.mem
    }

    /// Absolute expire time in virtual milliseconds, if the key is volatile.
    pub fn expire_at(&self) -> Option<i64> {
        (self.expire_at != NO_EXPIRE).then_some(self.expire_at)
    }

    /// Whether the expire time has passed at `now_ms`. As Redis's `keyIsExpired`, a key is
    /// still alive at its expire time itself (its `PTTL` is then 0) and gone one millisecond
    /// later.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expire_at().is_some_and(|at| at < now_ms)
    }

    /// What `OBJECT REFCOUNT` answers while transaction `exec` runs (its serial; 0 outside
    /// `EXEC`). Redis keeps one shared object for each integer from 0 to 9999 and stores it
    /// (with the maximal refcount, `INT_MAX`) wherever such an integer string is stored; a
    /// string stored from an argument of a command of the running transaction is referenced
    /// by that command too (see [`value::HeldBy`]); every other value is referenced once.
    #[allow(clippy::match_wildcard_for_single_variants)] // one variant per type to come
    #[allow(clippy::match_wildcard_for_single_variants)] // more types are coming
    pub fn refcount(&self, exec: u32) -> i64 {
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
        } else if let Value::String(s) = &self.value
            && exec != 0
            && s.held_by.0 == exec
        {
            2
        } else {
            1
        }
    }
}

/// Moves the record at `i` of a binary min-heap down to its place.
fn sift_down(heap: &mut [(i64, SlotId)], mut i: usize) {
    loop {
        let (left, right) = (2 * i + 1, 2 * i + 2);
        let mut least = i;
        for child in [left, right] {
            if let (Some(c), Some(l)) = (heap.get(child), heap.get(least))
                && c < l
            {
                least = child;
            }
        }
        if least == i {
            break;
        }
        heap.swap(i, least);
        i = least;
    }
}

/// Virtual time in minutes, truncated to 16 bits as Redis's LFU decay clock.
pub fn minutes(now_ms: i64) -> u16 {
    ((now_ms / 60_000) & 0xffff) as u16
}

/// One numbered database.
///
/// Besides the keys it keeps what eviction and memory accounting need at no extra cost per
/// command: the sum of its values' measured sizes (each entry remembers its own, so a change
/// costs only the difference) and an index of its volatile keys in which one can be drawn at
/// random (Redis samples its `expires` table), beside the expire order (soonest first).
#[derive(Debug, Clone, Default)]
pub struct Db {
    dict: Dict<Entry>,
    /// The expire order: a binary min-heap of (expire time, slot) records, soonest (then lowest
    /// slot) on top. A record whose key lost that expire time (deleted, overwritten, given
    /// another time) is left in place, stale, and dropped when it reaches the top; the top is
    /// always a live one. Records are rebuilt from the volatile keys once stale ones make up
    /// more than half of them, so memory stays bounded.
    expires: Vec<(i64, SlotId)>,
    /// The volatile keys' slots in no particular order; each entry knows its place.
    volatile: Vec<SlotId>,
    /// The sum of the entries' `mem`.
    values_mem: usize,
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
        self.volatile.len()
    }

    /// The expire times of the volatile keys (Unix milliseconds), in no particular order.
    pub fn expire_times(&self) -> impl Iterator<Item = i64> + '_ {
        self.volatile
            .iter()
            .filter_map(|&id| self.slot_entry(id).and_then(Entry::expire_at))
    }

    /// The key table (read-only; change it through this type's methods).
    pub fn dict(&self) -> &Dict<Entry> {
        &self.dict
    }

    /// Sizes the key table for `size` keys, as Redis's `dictExpand` on the database's table
    /// (see [`Dict::expand`]): DEBUG POPULATE's.
    pub fn expand(&mut self, size: u64) {
        self.dict.expand(size);
    }

    /// Shrinks a key table more than 90 % empty, as Redis's `serverCron` does (see
    /// [`Dict::shrink_if_sparse`]).
    pub fn shrink_if_sparse(&mut self) {
        self.dict.shrink_if_sparse();
    }

    /// The entry of a key, without any side effect.
    pub fn peek(&self, key: &[u8]) -> Option<&Entry> {
        self.dict.get(key)
    }

    /// The entry of a key for change in place, without any side effect.
    pub fn peek_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        // Callers have usually just looked the key up.
        let id = self.dict.find_again(key)?;
        self.slot_entry_mut(id)
    }

    /// The slot of a key, without any side effect: with [`Db::slot_entry`] and
    /// [`Db::slot_entry_mut`], one search serves several looks at an entry.
    pub fn find(&self, key: &[u8]) -> Option<SlotId> {
        self.dict.find(key)
    }

    /// The entry in a slot from [`Db::find`] (valid while the key stays).
    pub fn slot_entry(&self, id: SlotId) -> Option<&Entry> {
        self.dict.slot(id).map(|(_, e)| e)
    }

    /// The entry in a slot from [`Db::find`], for change in place.
    pub fn slot_entry_mut(&mut self, id: SlotId) -> Option<&mut Entry> {
        self.dict.slot_mut(id).map(|(_, e)| e)
    }

    /// Stores an entry (with its expire time), replacing any previous one; the value is
    /// measured for the memory total.
    pub fn insert(&mut self, key: &[u8], mut entry: Entry) -> Option<Entry> {
        let at = entry.expire_at();
        entry.mem = accounted_size(&entry.value);
        entry.volatile_at = NOT_VOLATILE;
        self.values_mem = self.values_mem.saturating_add(entry.mem);
        let (id, old) = self.dict.insert(key, entry);
        if let Some(old) = &old {
            self.values_mem = self.values_mem.saturating_sub(old.mem);
            if let Some(old_at) = old.expire_at() {
                self.unrecord_expire(old_at, id);
                self.unindex_volatile(old.volatile_at);
            }
        }
        if let Some(at) = at {
            self.record_expire(at, id);
            self.index_volatile(id);
        }
        self.tidy_expires();
        old
    }

    /// Measures a key's value again after a change in place, updating the memory total by
    /// the difference. Costs what [`accounted_size`] costs: nothing proportional to the size
    /// of a large collection.
    pub fn remeasure(&mut self, key: &[u8]) {
        let Some(entry) = self
            .dict
            .find_again(key)
            .and_then(|id| self.dict.slot_mut(id).map(|(_, e)| e))
        else {
            return;
        };
        // A string changed in place is a fresh object in Redis (`dbUnshareStringValue`).
        if let Value::String(s) = &mut entry.value {
            s.held_by = value::HeldBy::default();
        }
        let mem = accounted_size(&entry.value);
        let old = std::mem::replace(&mut entry.mem, mem);
        self.values_mem = self.values_mem.saturating_sub(old).saturating_add(mem);
    }

    /// The bytes the keys and values take (keys' `sds` strings and values, as measured; the
    /// tables are counted apart).
    pub fn data_mem(&self) -> usize {
        self.values_mem.saturating_add(self.dict.weight())
    }

    /// Checks the bookkeeping against the data, for tests: each value measures what its entry
    /// remembers (a change in place was followed by [`Db::remeasure`]), the total is their
    /// sum, and the volatile index holds exactly the keys with an expire time, each knowing its
    /// place.
    pub fn check_bookkeeping(&self) -> Result<(), String> {
        let mut total = 0usize;
        let mut volatile = 0usize;
        for (id, key, entry) in self.dict.iter_slots() {
            let now = accounted_size(&entry.value);
            if now != entry.mem {
                return Err(format!(
                    "key {:?} measures {now} bytes but is counted as {}",
                    String::from_utf8_lossy(key),
                    entry.mem
                ));
            }
            total = total.saturating_add(entry.mem);
            if entry.expire_at().is_some() {
                volatile += 1;
                if self.volatile.get(entry.volatile_at as usize) != Some(&id) {
                    return Err(format!(
                        "volatile key {:?} is not at its place in the index",
                        String::from_utf8_lossy(key)
                    ));
                }
            }
        }
        if total != self.values_mem {
            return Err(format!(
                "values add up to {total} bytes but the total says {}",
                self.values_mem
            ));
        }
        if volatile != self.volatile.len() {
            return Err(format!(
                "{volatile} volatile keys, {} in the index",
                self.volatile.len(),
            ));
        }
        // The expire order: a heap, a live top, a record for every volatile key.
        for (i, record) in self.expires.iter().enumerate().skip(1) {
            if self
                .expires
                .get((i - 1) / 2)
                .is_some_and(|parent| parent > record)
            {
                return Err(format!("the expire order is no heap at {i}"));
            }
        }
        if let Some(&(at, id)) = self.expires.first()
            && !self.expire_is_live(at, id)
        {
            return Err("a stale record on top of the expire order".to_string());
        }
        let records: std::collections::BTreeSet<_> = self.expires.iter().copied().collect();
        for &id in &self.volatile {
            let at = self.slot_entry(id).map_or(NO_EXPIRE, |e| e.expire_at);
            if !records.contains(&(at, id)) {
                return Err(format!(
                    "volatile slot {id} has no record in the expire order"
                ));
            }
        }
        Ok(())
    }

    /// Adds a slot to the volatile index.
    fn index_volatile(&mut self, id: SlotId) {
        let place = u32::try_from(self.volatile.len()).unwrap_or(NOT_VOLATILE);
        if let Some((_, entry)) = self.dict.slot_mut(id) {
            entry.volatile_at = place;
            self.volatile.push(id);
        }
    }

    /// Removes the slot at `place` from the volatile index (the last one takes its place).
    fn unindex_volatile(&mut self, place: u32) {
        let place = place as usize;
        if place >= self.volatile.len() {
            return;
        }
        self.volatile.swap_remove(place);
        if let Some(&moved) = self.volatile.get(place)
            && let Some((_, entry)) = self.dict.slot_mut(moved)
        {
            // The index holds fewer than 2^32 slots: slot ids are u32.
            entry.volatile_at = place as u32;
        }
    }

    /// Adds to `out` the slots of up to `count` keys sampled from a random place: among all
    /// keys, or among the volatile ones only (see [`Dict::sample`]; the volatile index is
    /// walked the same way, a run of neighbours from a random start).
    pub fn sample(&self, rng: &mut Rng, count: usize, volatile: bool, out: &mut Vec<SlotId>) {
        if !volatile {
            self.dict.sample(rng, count, out);
            return;
        }
        let len = self.volatile.len();
        if len == 0 {
            return;
        }
        let start = usize::try_from(rng.below(len as u64)).unwrap_or(0);
        out.extend(
            self.volatile
                .iter()
                .cycle()
                .skip(start)
                .take(count.min(len))
                .copied(),
        );
    }

    /// A key drawn at random, among all keys or the volatile ones only.
    pub fn random_slot(&self, rng: &mut Rng, volatile: bool) -> Option<SlotId> {
        if !volatile {
            return self.dict.random(rng);
        }
        let at = usize::try_from(rng.below(self.volatile.len() as u64)).ok()?;
        self.volatile.get(at).copied()
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let id = self.dict.find(key)?;
        self.remove_slot(id).map(|(_, e)| e)
    }

    fn remove_slot(&mut self, id: SlotId) -> Option<(Box<[u8]>, Entry)> {
        let (key, entry) = self.dict.remove_slot(id)?;
        self.values_mem = self.values_mem.saturating_sub(entry.mem);
        if let Some(at) = entry.expire_at() {
            self.unrecord_expire(at, id);
            self.unindex_volatile(entry.volatile_at);
            self.tidy_expires();
        }
        Some((key, entry))
    }

    /// Sets or clears a key's expire time; false when the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], at: Option<i64>) -> bool {
        let Some(id) = self.dict.find_again(key) else {
            return false;
        };
        let Some((_, entry)) = self.dict.slot_mut(id) else {
            return false;
        };
        let old = std::mem::replace(&mut entry.expire_at, stored_expire(at));
        let old = (old != NO_EXPIRE).then_some(old);
        let at = at.map(|at| at.max(NO_EXPIRE + 1));
        if old == at {
            // The same time again (or still none): the index already holds it.
            return true;
        }
        let place = entry.volatile_at;
        if let Some(old) = old {
            self.unrecord_expire(old, id);
        }
        if let Some(at) = at {
            self.record_expire(at, id);
        }
        match (old.is_some(), at.is_some()) {
            (false, true) => self.index_volatile(id),
            (true, false) => self.unindex_volatile(place),
            _ => {}
        }
        self.tidy_expires();
        true
    }

    /// The earliest expire time, if any key is volatile.
    pub fn next_expiry(&self) -> Option<i64> {
        self.expires.first().map(|&(at, _)| at)
    }

    /// Whether `(at, id)` is a live record of the expire order: slot `id` holds a key expiring
    /// at `at` (a stale record may also match a later key in the same slot with the same time,
    /// which is then due at that time all the same).
    fn expire_is_live(&self, at: i64, id: SlotId) -> bool {
        self.slot_entry(id).is_some_and(|e| e.expire_at == at)
    }

    /// Adds a record to the expire order (sifted up: the heap's arithmetic only, no slot read).
    fn record_expire(&mut self, at: i64, id: SlotId) {
        let heap = &mut self.expires;
        let mut i = heap.len();
        heap.push((at, id));
        while i > 0 {
            let parent = (i - 1) / 2;
            match (heap.get(parent), heap.get(i)) {
                (Some(p), Some(c)) if p > c => heap.swap(parent, i),
                _ => break,
            }
            i = parent;
        }
    }

    /// Notes that slot `id` no longer expires at `at`: its record is dropped at once when on
    /// top, else left stale (see [`Db::tidy_expires`]).
    fn unrecord_expire(&mut self, at: i64, id: SlotId) {
        if self.expires.first() == Some(&(at, id)) {
            self.pop_expire_record();
        }
    }

    /// Removes the top record of the expire order, then the stale ones that come up to the top
    /// (only a removal brings up a stale record: a stale one was below a live top until then).
    fn pop_expire_record(&mut self) {
        loop {
            let heap = &mut self.expires;
            let Some(last) = heap.pop() else { return };
            let Some(top) = heap.first_mut() else { return };
            *top = last;
            sift_down(heap, 0);
            match self.expires.first() {
                Some(&(at, id)) if !self.expire_is_live(at, id) => {}
                _ => return,
            }
        }
    }

    /// Rebuilds the expire order from the volatile keys once stale records are more than half
    /// of them (stale records never stay on top: see [`Db::pop_expire_record`]).
    fn tidy_expires(&mut self) {
        if self.expires.len() > 2 * self.volatile.len() + 32 {
            let mut records: Vec<(i64, SlotId)> = self
                .volatile
                .iter()
                .filter_map(|&id| self.slot_entry(id).map(|e| (e.expire_at, id)))
                .collect();
            // Floyd's construction: each parent sifted down, from the last one up (linear time).
            for i in (0..records.len() / 2).rev() {
                sift_down(&mut records, i);
            }
            self.expires = records;
        }
    }

    /// Removes and returns the key that expires first, if its time is before `now_ms` (see
    /// [`Entry::is_expired`]).
    pub fn pop_expired(&mut self, now_ms: i64) -> Option<(Vec<u8>, Entry)> {
        let &(at, id) = self.expires.first()?;
        if at >= now_ms {
            return None;
        }
        // The top record is live (see `tidy_expires`): removing its key pops it.
        self.remove_slot(id).map(|(k, e)| (k.into_vec(), e))
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.dict.clear();
        self.expires.clear();
        self.volatile.clear();
        self.values_mem = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> Value {
        Value::string(s.as_bytes().to_vec())
    }

    #[test]
    fn the_expire_order_pops_by_time_then_slot_through_churn() {
        use std::collections::BTreeMap;
        let mut db = Db::default();
        let mut model: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        let mut rng = Rng::new(9);
        for step in 0..30_000u64 {
            let key = format!("k{}", rng.below(400)).into_bytes();
            match rng.below(6) {
                0 => {
                    db.remove(&key);
                    model.remove(&key);
                }
                1 => {
                    db.insert(&key, Entry::new(string("v"), 0));
                    model.remove(&key);
                }
                2 => {
                    if db.set_expire(&key, None) {
                        model.remove(&key);
                    }
                }
                _ => {
                    if db.peek(&key).is_none() {
                        db.insert(&key, Entry::new(string("v"), 0));
                    }
                    let at = 1000 + rng.below(50) as i64;
                    db.set_expire(&key, Some(at));
                    model.insert(key, at);
                }
            }
            if step % 1000 == 0 {
                db.check_bookkeeping().unwrap();
                assert_eq!(db.volatile_len(), model.len());
                assert_eq!(db.next_expiry(), model.values().min().copied());
            }
            assert!(db.expires.len() <= 2 * db.volatile_len() + 33);
        }
        db.check_bookkeeping().unwrap();
        // Everything expires in order of time, then of slot.
        let mut last = (i64::MIN, 0);
        let mut popped = 0;
        while let Some(at) = db.next_expiry() {
            let id = db.expires[0].1;
            assert!((at, id) > last);
            last = (at, id);
            let (key, entry) = db.pop_expired(i64::MAX).expect("due");
            assert_eq!(model.remove(&key), Some(at));
            assert_eq!(entry.expire_at(), Some(at));
            popped += 1;
        }
        assert!(model.is_empty() && popped > 0);
        assert!(db.expires.is_empty());
        db.check_bookkeeping().unwrap();
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
