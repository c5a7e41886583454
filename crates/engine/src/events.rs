//! A bounded log of keyspace events on virtual time: what the timeline, the key browser and
//! the graders read, as "events after sequence number N".

use crate::ClientId;
use crate::command::{CommandSpec, Registry};

/// What happened to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A read found the key (counted in `keyspace_hits`).
    Hit,
    /// A read did not find the key (counted in `keyspace_misses`).
    Miss,
    /// A command created or modified the key.
    Write,
    /// A command deleted the key.
    Del,
    /// The key reached its expire time and was removed.
    Expired,
    /// The key was evicted to respect `maxmemory`.
    Evicted,
}

impl EventKind {
    /// The lowercase name used by hosts (`"hit"`, `"miss"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Hit => "hit",
            EventKind::Miss => "miss",
            EventKind::Write => "write",
            EventKind::Del => "del",
            EventKind::Expired => "expired",
            EventKind::Evicted => "evicted",
        }
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the log; strictly increasing, without gaps.
    pub seq: u64,
    /// Virtual time in milliseconds.
    pub time_ms: i64,
    /// The client whose command caused it; 0 for the server itself (active expiry, eviction).
    pub client: ClientId,
    /// Database index.
    pub db: u8,
    /// What happened.
    pub kind: EventKind,
    /// The key.
    pub key: Vec<u8>,
    /// The command that caused it, lowercase; empty for the server's own work.
    pub command: &'static str,
}

/// The command of an event as the log keeps it: its [`crate::command::CommandSpec::id`], or
/// [`SERVER`] for the server's own work (active expiry, eviction). Registry ids are far below
/// it (a unit test checks).
pub(crate) type CommandId = u16;

/// The command of an event the server caused itself (its name is empty).
pub(crate) const SERVER: CommandId = CommandId::MAX;

/// The log's id of a command (see [`CommandId`]).
#[inline]
pub(crate) fn command_id(spec: &CommandSpec) -> CommandId {
    CommandId::try_from(spec.id).unwrap_or(SERVER)
}

/// The name an event shows for a command id: empty for the server.
fn command_name(id: CommandId) -> &'static str {
    if id == SERVER {
        return "";
    }
    Registry::get()
        .by_id(usize::from(id))
        .map_or("", |spec| spec.name.as_str())
}

/// One event as the log keeps it (24 bytes): its key's bytes are in the log's key ring, where
/// the keys of the records follow one another in the records' order, so that a record's place
/// there is the sum of the lengths before it.
#[derive(Debug, Clone, Copy)]
struct Record {
    time_ms: i64,
    client: ClientId,
    key_len: u32,
    command: CommandId,
    db: u8,
    kind: EventKind,
}

/// The longest key the log keeps whole: longer ones (beyond what Redis accepts as one argument,
/// 512 MB) keep their first bytes.
const MAX_KEY: usize = u32::MAX as usize;

/// A ring buffer of the most recent events.
///
/// Keys are kept back to back in one buffer of bytes rather than one allocation each: logging
/// an event (every key access) then allocates nothing once the buffers have grown. The records'
/// ring is reserved whole when the log is made (memory that costs nothing until written), so
/// that a log still filling does not move its records as it grows.
#[derive(Debug, Clone)]
pub struct EventLog {
    /// The records, oldest at `head` once the log is full (then the newest is just before it,
    /// and a push overwrites the oldest in place); in order from 0 until then.
    records: Vec<Record>,
    /// Where the oldest record is: 0 until the log is full.
    head: usize,
    /// The keys of the records (the oldest's at `first_key_at`), and before them the keys of
    /// records already dropped, until the buffer is compacted.
    keys: Vec<u8>,
    /// The position of `keys[0]`, counted in bytes ever written.
    keys_base: u64,
    /// The position of the oldest record's key, counted in bytes ever written.
    first_key_at: u64,
    capacity: usize,
    next_seq: u64,
    /// The length of `keys` from which the next push of a full log looks at compacting them.
    compact_check_at: usize,
}

/// How much the key buffer of a full log grows between two looks at compacting it.
const COMPACT_CHECK_BYTES: usize = 256;

impl EventLog {
    /// A log keeping at most `capacity` events (0 keeps none but still counts sequence numbers).
    pub fn new(capacity: usize) -> Self {
        EventLog {
            records: Vec::with_capacity(capacity),
            head: 0,
            keys: Vec::with_capacity(capacity.saturating_mul(16)),
            keys_base: 0,
            first_key_at: 0,
            capacity,
            next_seq: 1,
            compact_check_at: 0,
        }
    }

    /// Appends an event, dropping the oldest when full. `command`: see [`CommandId`].
    #[inline]
    pub(crate) fn push(
        &mut self,
        time_ms: i64,
        client: ClientId,
        db: u8,
        kind: EventKind,
        key: &[u8],
        command: CommandId,
    ) {
        self.push_inline(time_ms, client, db, kind, key, command);
    }

    /// [`EventLog::push`] inlined, for the event of every key read (`Engine::lookup`).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub(crate) fn push_inline(
        &mut self,
        time_ms: i64,
        client: ClientId,
        db: u8,
        kind: EventKind,
        key: &[u8],
        command: CommandId,
    ) {
        self.next_seq += 1;
        if self.capacity == 0 {
            return;
        }
        let key = key.get(..MAX_KEY).unwrap_or(key);
        let record = Record {
            time_ms,
            client,
            // At most MAX_KEY (above): exact.
            key_len: u32::try_from(key.len()).unwrap_or(u32::MAX),
            command,
            db,
            kind,
        };
        if self.records.len() < self.capacity {
            crate::short::extend(&mut self.keys, key);
            self.records.push(record);
            return;
        }
        // Full: the newest record takes the oldest's place, and the oldest is then the next.
        if let Some(oldest) = self.records.get_mut(self.head) {
            self.first_key_at += u64::from(oldest.key_len);
            *oldest = record;
        }
        self.head += 1;
        if self.head >= self.records.len() {
            self.head = 0;
        }
        // Dropped keys are freed in bulk (see `compact`), looked at once the buffer has grown
        // by a few hundred bytes since the last look (before this key: `first_key_at` is then
        // already the next record's).
        if self.keys.len() >= self.compact_check_at {
            self.compact();
        }
        crate::short::extend(&mut self.keys, key);
    }

    /// The records, oldest first.
    fn in_order(
        &self,
    ) -> std::iter::Chain<std::slice::Iter<'_, Record>, std::slice::Iter<'_, Record>> {
        let (newer, older) = self.records.split_at(self.head.min(self.records.len()));
        older.iter().chain(newer)
    }

    /// Frees the bytes of dropped keys once they fill half the buffer (and more than 4 KB):
    /// each byte is moved at most once by compaction.
    #[inline(never)]
    fn compact(&mut self) {
        // Records' keys start at or after `keys_base`: compaction only drops bytes before
        // the first record's key.
        let dead = self.first_key_at.saturating_sub(self.keys_base);
        let dead = usize::try_from(dead)
            .unwrap_or(usize::MAX)
            .min(self.keys.len());
        if dead > 4096 && dead > self.keys.len() / 2 {
            self.keys.drain(..dead);
            self.keys_base += dead as u64;
        }
        self.compact_check_at = self.keys.len() + COMPACT_CHECK_BYTES;
    }

    /// Events with a sequence number greater than `seq`, oldest first.
    pub fn after(&self, seq: u64) -> impl Iterator<Item = Event> + '_ {
        let kept = self.records.len();
        // Every kept record was counted in `next_seq`, which started at 1.
        let first = self.next_seq.saturating_sub(kept as u64);
        let skip = usize::try_from(seq.saturating_add(1).saturating_sub(first))
            .unwrap_or(usize::MAX)
            .min(kept);
        // Where the first returned record's key is: after the keys of the records it skips,
        // or before those of the records it returns, whichever are fewer to add up.
        let key_len = |r: &Record| u64::from(r.key_len);
        let mut at = if skip <= kept - skip {
            self.first_key_at + self.in_order().take(skip).map(key_len).sum::<u64>()
        } else {
            let end = self.keys_base + self.keys.len() as u64;
            end.saturating_sub(self.in_order().skip(skip).map(key_len).sum::<u64>())
        };
        self.in_order().skip(skip).enumerate().map(move |(i, r)| {
            let from = usize::try_from(at.saturating_sub(self.keys_base)).unwrap_or(usize::MAX);
            at += u64::from(r.key_len);
            let key = self
                .keys
                .get(from..from.saturating_add(r.key_len as usize))
                .unwrap_or_default()
                .to_vec();
            Event {
                seq: first + (skip + i) as u64,
                time_ms: r.time_ms,
                client: r.client,
                db: r.db,
                kind: r.kind,
                key,
                command: command_name(r.command),
            }
        })
    }

    /// The sequence number of the newest event, 0 if none was ever logged.
    pub fn last_seq(&self) -> u64 {
        self.next_seq - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> CommandId {
        command_id(Registry::get().lookup_full(name.as_bytes()).unwrap())
    }

    #[test]
    fn every_command_has_an_id_and_its_name() {
        let registry = Registry::get();
        assert!(registry.ids() < usize::from(SERVER));
        for id in 0..registry.ids() {
            let spec = registry.by_id(id).unwrap();
            assert_eq!(command_name(command_id(spec)), spec.name);
        }
        assert_eq!(command_name(SERVER), "");
    }

    #[test]
    fn ring_keeps_the_newest_and_reads_after_a_sequence() {
        let mut log = EventLog::new(3);
        for i in 0..5u8 {
            log.push(i64::from(i), 1, 0, EventKind::Hit, &[i], id("get"));
        }
        let seqs: Vec<u64> = log.after(0).map(|e| e.seq).collect();
        assert_eq!(seqs, [3, 4, 5]);
        let seqs: Vec<u64> = log.after(4).map(|e| e.seq).collect();
        assert_eq!(seqs, [5]);
        assert_eq!(log.after(5).count(), 0);
        assert_eq!(log.last_seq(), 5);
    }

    #[test]
    fn keys_of_every_length_survive_the_ring() {
        let mut log = EventLog::new(4);
        let key = |i: usize| -> Vec<u8> { (0..i % 7).map(|j| (i * 31 + j) as u8).collect() };
        for i in 0..50 {
            log.push(i as i64, 2, 3, EventKind::Write, &key(i), id("set"));
            let got: Vec<(u64, Vec<u8>)> = log.after(0).map(|e| (e.seq, e.key)).collect();
            let want: Vec<(u64, Vec<u8>)> = (i.saturating_sub(3)..=i)
                .map(|j| (j as u64 + 1, key(j)))
                .collect();
            assert_eq!(got, want);
        }
        let last = log.after(48).next().unwrap();
        assert_eq!(
            (
                last.seq,
                last.time_ms,
                last.client,
                last.db,
                last.kind,
                last.command
            ),
            (49, 48, 2, 3, EventKind::Write, "set")
        );
        // Long keys: the buffer is compacted on the way.
        let long = |i: usize| -> Vec<u8> { vec![i as u8; 1000 + (i * 997) % 3000] };
        for capacity in [1, 3] {
            let mut log = EventLog::new(capacity);
            for i in 0..40 {
                log.push(0, 1, 0, EventKind::Hit, &long(i), id("get"));
                let got: Vec<Vec<u8>> = log.after(0).map(|e| e.key).collect();
                let want: Vec<Vec<u8>> = ((i + 1).saturating_sub(capacity)..=i).map(long).collect();
                assert_eq!(got, want);
                assert!(log.keys.len() <= 2 * 4096 + capacity * 4000);
            }
        }
        let mut none = EventLog::new(0);
        none.push(0, 1, 0, EventKind::Hit, b"k", id("get"));
        assert_eq!((none.after(0).count(), none.last_seq()), (0, 1));
    }

    #[test]
    fn reads_from_any_sequence_match_a_plain_copy_of_the_newest_events() {
        let commands = [id("get"), id("set"), SERVER, id("object|encoding")];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for capacity in [1, 2, 3, 7, 64] {
            let mut log = EventLog::new(capacity);
            let mut all: Vec<Event> = Vec::new();
            for i in 0..600u64 {
                // Mostly short keys, some empty, some long enough to make the buffer compact.
                let len = match next(10) {
                    0 => 0,
                    1 => 2000 + next(3000),
                    _ => next(12),
                } as usize;
                let key: Vec<u8> = (0..len).map(|j| (i as usize * 7 + j) as u8).collect();
                let command = commands[next(4) as usize];
                let kind = [EventKind::Hit, EventKind::Write, EventKind::Expired][next(3) as usize];
                let (client, db) = (next(5), next(16) as u8);
                log.push(i as i64, client, db, kind, &key, command);
                all.push(Event {
                    seq: i + 1,
                    time_ms: i as i64,
                    client,
                    db,
                    kind,
                    key,
                    command: command_name(command),
                });
                let kept = &all[all.len().saturating_sub(capacity)..];
                let last = log.last_seq();
                for seq in [
                    0,
                    last.saturating_sub(capacity as u64 + 1),
                    last / 2,
                    last - 1,
                    last,
                ]
                .into_iter()
                .chain((0..3).map(|_| next(last + 2)))
                {
                    let got: Vec<Event> = log.after(seq).collect();
                    let want: Vec<Event> = kept.iter().filter(|e| e.seq > seq).cloned().collect();
                    assert_eq!(got, want, "capacity {capacity}, after {seq}");
                }
                assert!(log.keys.len() <= 2 * 4096 + 2 * capacity * 5000 + COMPACT_CHECK_BYTES);
            }
        }
    }
}
