//! Eviction under `maxmemory`, as Redis 7.0's `evict.c` does it.
//!
//! Before every command (Redis's `processCommand`), when the memory in use (`used_memory`, the
//! engine's estimate: see `memory.rs`) is above `maxmemory`, [`Engine::perform_evictions`]
//! removes keys chosen by `maxmemory-policy` until it has freed the excess or has nothing left
//! to remove; in the second case the command is refused with the OOM error if it may use more
//! memory (see `client.rs`).
//!
//! Keys are chosen as Redis chooses them, by sampling rather than exactly:
//! - LRU, LFU and TTL policies keep Redis's *eviction pool*: the 16 best candidates seen so far,
//!   ordered by a score (idle time for LRU, 255 minus the decayed access counter for LFU, and
//!   for TTL the expire time inverted, so that the soonest to expire scores highest). Each
//!   round samples `maxmemory-samples` keys of every non-empty database (all keys, or the keys
//!   with an expire time for `volatile-*`) into the pool, then evicts the best candidate that
//!   still exists. The pool lives across commands, as Redis's does.
//! - Random policies take one random key, visiting the databases in turn from one eviction to
//!   the next.
//!
//! Idle times come from the virtual clock at Redis's one-second LRU resolution; LFU counters
//! decay with `lfu-decay-time` (see [`crate::engine::lfu_decayed`]); every random draw uses the
//! engine's seeded generator, so a run replays exactly.
//!
//! Differences from Redis, all invisible to a client: evictions take no virtual time, so
//! `maxmemory-eviction-tenacity` never cuts a cycle short (Redis may stop after its time limit
//! and finish in the background while the command runs); deletion is never lazy; `CONFIG SET
//! maxmemory` runs a cycle right after its reply, where Redis starts a timer that does it
//! before the next command.

use crate::config::EvictionPolicy;
use crate::engine::{Engine, lfu_decayed};
use crate::events::EventKind;
use crate::keyspace::{Entry, Value};
use crate::pubsub::notify;

/// Redis's `EVPOOL_SIZE`: candidates the eviction pool keeps.
pub const POOL_SIZE: usize = 16;

/// Redis's `LRU_CLOCK_MAX`: the LRU clock counts seconds in 24 bits.
const LRU_CLOCK_MAX: i64 = (1 << 24) - 1;

/// One candidate of the eviction pool.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Candidate {
    /// The higher, the better a candidate for eviction.
    score: u64,
    /// Its database.
    db: usize,
    /// Its key (it may have been deleted since it was sampled).
    key: Vec<u8>,
}

/// The eviction state that lives across commands.
#[derive(Debug, Clone, Default)]
pub struct Eviction {
    /// The eviction pool, lowest score first: at most [`POOL_SIZE`] candidates.
    pool: Vec<Candidate>,
    /// The database the random policies visited last (Redis's static `next_db`).
    next_db: usize,
    /// `CONFIG SET maxmemory` asked for an eviction cycle once its command is done.
    pub pending: bool,
}

impl EvictionPolicy {
    /// Whether only keys with an expire time may be evicted.
    pub fn is_volatile(self) -> bool {
        matches!(
            self,
            EvictionPolicy::VolatileLru
                | EvictionPolicy::VolatileLfu
                | EvictionPolicy::VolatileRandom
                | EvictionPolicy::VolatileTtl
        )
    }
}

/// The LRU clock at `ms`: seconds, in 24 bits, as Redis's `LRU_CLOCK()`.
fn lru_clock(ms: i64) -> i64 {
    ms.div_euclid(1000) & LRU_CLOCK_MAX
}

/// A key's idle time in milliseconds, as Redis's `estimateObjectIdleTime` (whole seconds;
/// the 24-bit clock wraps after 194 days).
fn idle_ms(entry: &Entry, now_ms: i64) -> u64 {
    let (now, then) = (lru_clock(now_ms), lru_clock(entry.lru_ms));
    let seconds = if now >= then {
        now - then
    } else {
        now + (LRU_CLOCK_MAX - then)
    };
    seconds.unsigned_abs().saturating_mul(1000)
}

impl Engine {
    /// The memory in use, as `INFO memory`'s `used_memory` reports it (see `memory.rs`). Costs
    /// a few additions per database: it is read before every command when `maxmemory` is set.
    pub fn used_memory(&self) -> usize {
        // Only the databases that may hold a table count: the others weigh nothing.
        let used = self.used_memory_of(self.dbs_in_use);
        debug_assert_eq!(used, self.memory().total, "a database outside dbs_in_use");
        used
    }

    /// Redis's `performEvictions`: when the memory in use is above `maxmemory`, evicts keys
    /// under the policy until the excess is freed. Answers false (Redis's `EVICT_FAIL`) when
    /// still above the limit: the policy is `noeviction`, or no key is left to evict.
    pub(crate) fn perform_evictions(&mut self) -> bool {
        let max = self.config.maxmemory;
        // Nothing is evicted while clients are paused (Redis's isSafeToPerformEvictions).
        if max == 0 || self.paused() {
            return true;
        }
        let used = self.used_memory() as u64;
        if used <= max {
            return true;
        }
        if self.config.maxmemory_policy == EvictionPolicy::NoEviction {
            return false;
        }
        let to_free = used - max;
        let mut freed = 0u64;
        while freed < to_free {
            let Some((db, key)) = self.eviction_candidate() else {
                return false;
            };
            let before = self.used_memory();
            self.evict_key(db, &key);
            freed = freed.saturating_add(before.saturating_sub(self.used_memory()) as u64);
        }
        true
    }

    /// Runs the eviction cycle `CONFIG SET maxmemory` asked for, if any.
    pub(crate) fn run_pending_evictions(&mut self) {
        if std::mem::take(&mut self.eviction.pending) {
            self.perform_evictions();
        }
    }

    /// The next key to evict under the policy, or `None` when there is none.
    fn eviction_candidate(&mut self) -> Option<(usize, Vec<u8>)> {
        let policy = self.config.maxmemory_policy;
        let volatile = policy.is_volatile();
        let count = self.dbs.len();
        if matches!(
            policy,
            EvictionPolicy::AllKeysRandom | EvictionPolicy::VolatileRandom
        ) {
            for _ in 0..count {
                let db = (self.eviction.next_db + 1) % count;
                self.eviction.next_db = db;
                let d = &self.dbs[db];
                if let Some(id) = d.random_slot(&mut self.rng, volatile)
                    && let Some((key, _)) = d.dict().slot(id)
                {
                    return Some((db, key.to_vec()));
                }
            }
            return None;
        }
        loop {
            let mut keys = 0;
            for db in 0..count {
                let d = &self.dbs[db];
                let n = if volatile { d.volatile_len() } else { d.len() };
                if n != 0 {
                    self.populate_pool(db, volatile);
                    keys += n;
                }
            }
            if keys == 0 {
                return None;
            }
            // The best candidates are last; one deleted since it was sampled is a ghost.
            while let Some(candidate) = self.eviction.pool.pop() {
                let alive = self
                    .dbs
                    .get(candidate.db)
                    .and_then(|d| d.peek(&candidate.key));
                if alive.is_some_and(|e| !volatile || e.expire_at().is_some()) {
                    return Some((candidate.db, candidate.key));
                }
            }
        }
    }

    /// Redis's `evictionPoolPopulate`: samples keys of database `db` and inserts those that
    /// beat the pool's worst into it, in score order.
    fn populate_pool(&mut self, db: usize, volatile: bool) {
        let samples = usize::try_from(self.config.maxmemory_samples)
            .unwrap_or(1)
            .max(1);
        let policy = self.config.maxmemory_policy;
        let (now, decay) = (self.now_ms, self.config.lfu_decay_time);
        let mut slots = Vec::with_capacity(samples);
        self.dbs[db].sample(&mut self.rng, samples, volatile, &mut slots);
        let pool = &mut self.eviction.pool;
        for id in slots {
            let Some((key, entry)) = self.dbs[db].dict().slot(id) else {
                continue;
            };
            let score = match policy {
                EvictionPolicy::AllKeysLfu | EvictionPolicy::VolatileLfu => {
                    255 - u64::from(lfu_decayed(entry, now, decay))
                }
                EvictionPolicy::VolatileTtl => {
                    u64::MAX - entry.expire_at().map_or(0, i64::unsigned_abs)
                }
                _ => idle_ms(entry, now),
            };
            // The first place whose candidate does not score lower.
            let at = pool
                .iter()
                .position(|c| c.score >= score)
                .unwrap_or(pool.len());
            if at == 0 && pool.len() >= POOL_SIZE {
                // Worse than every candidate of a full pool.
                continue;
            }
            pool.insert(
                at,
                Candidate {
                    score,
                    db,
                    key: key.to_vec(),
                },
            );
            if pool.len() > POOL_SIZE {
                // A full pool drops its worst candidate to make room.
                pool.remove(0);
            }
        }
    }

    /// Evicts a key, as Redis does after `dbSyncDelete`: counts it, invalidates `WATCH`es of it,
    /// lets a client blocked in `XREADGROUP` on a stream know it is gone (other waiters keep
    /// waiting: nothing is served), logs an `Evicted` event and notifies `evicted`.
    pub(crate) fn evict_key(&mut self, db: usize, key: &[u8]) {
        let Some(entry) = self.dbs.get_mut(db).and_then(|d| d.remove(key)) else {
            return;
        };
        self.stats.evicted_keys += 1;
        self.propagate(db, vec![b"DEL".to_vec(), key.to_vec()]);
        self.signal_modified_key(0, db, key);
        if matches!(entry.value, Value::Stream(_)) {
            self.signal_key_as_ready(db, key, "stream");
        }
        self.events.push(
            self.now_ms,
            0,
            db as u8,
            EventKind::Evicted,
            key,
            crate::events::SERVER,
        );
        self.notify(notify::EVICTED, "evicted", key, db);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::Value;

    #[test]
    fn idle_time_has_one_second_resolution_and_wraps() {
        let mut entry = Entry::new(Value::string(b"v".to_vec()), 10_999);
        assert_eq!(idle_ms(&entry, 11_000), 1000);
        assert_eq!(idle_ms(&entry, 10_999), 0);
        // Past the wrap Redis's formula counts one second less than elapsed.
        entry.lru_ms = LRU_CLOCK_MAX * 1000;
        assert_eq!(idle_ms(&entry, (LRU_CLOCK_MAX + 3) * 1000), 2000);
    }
}
