//! A bounded log of keyspace events on virtual time: what the timeline, the key browser and
//! the graders read, as "events after sequence number N".

use crate::ClientId;

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

/// One event as the log keeps it: its key's bytes are in the log's key ring.
#[derive(Debug, Clone)]
struct Record {
    time_ms: i64,
    client: ClientId,
    db: u8,
    kind: EventKind,
    command: &'static str,
    /// Where the key starts, counted in bytes ever written to the key ring.
    key_at: u64,
    key_len: usize,
}

/// A ring buffer of the most recent events.
///
/// Keys are kept back to back in one buffer of bytes rather than one allocation each: logging
/// an event (every key access) then allocates nothing once the buffers have grown.
#[derive(Debug, Clone)]
pub struct EventLog {
    /// The records, oldest at `head` once the log is full (then the newest is just before it,
    /// and a push overwrites the oldest in place); in order from 0 until then.
    records: Vec<Record>,
    /// Where the oldest record is: 0 until the log is full.
    head: usize,
    /// The keys of the records (from the first record's `key_at`), and before them the keys of
    /// records already dropped, until the buffer is compacted.
    keys: Vec<u8>,
    /// The position of `keys[0]`, counted in bytes ever written.
    keys_base: u64,
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
            records: Vec::new(),
            head: 0,
            keys: Vec::new(),
            keys_base: 0,
            capacity,
            next_seq: 1,
            compact_check_at: 0,
        }
    }

    /// Appends an event, dropping the oldest when full.
    #[inline]
    pub fn push(
        &mut self,
        time_ms: i64,
        client: ClientId,
        db: u8,
        kind: EventKind,
        key: &[u8],
        command: &'static str,
    ) {
        self.next_seq += 1;
        if self.capacity == 0 {
            return;
        }
        let key_at = self.keys_base + self.keys.len() as u64;
        let record = Record {
            time_ms,
            client,
            db,
            kind,
            command,
            key_at,
            key_len: key.len(),
        };
        if self.records.len() < self.capacity {
            self.keys.extend_from_slice(key);
            self.records.push(record);
            return;
        }
        // Full: the newest record takes the oldest's place, and the oldest is then the next.
        if let Some(oldest) = self.records.get_mut(self.head) {
            *oldest = record;
        }
        self.head += 1;
        if self.head >= self.records.len() {
            self.head = 0;
        }
        // Dropped keys are freed in bulk (see `compact`), looked at once the buffer has grown
        // by a few hundred bytes since the last look (before this key: the oldest record's key
        // is then already the next one's).
        if self.keys.len() >= self.compact_check_at {
            self.compact();
        }
        self.keys.extend_from_slice(key);
    }

    /// The records, oldest first.
    fn in_order(&self) -> impl Iterator<Item = &Record> {
        let (newer, older) = self.records.split_at(self.head.min(self.records.len()));
        older.iter().chain(newer)
    }

    /// Frees the bytes of dropped keys once they fill half the buffer (and more than 4 KB):
    /// each byte is moved at most once by compaction.
    #[inline(never)]
    fn compact(&mut self) {
        let end = self.keys_base + self.keys.len() as u64;
        // Records' keys start at or after `keys_base`: compaction only drops bytes before
        // the first record's key.
        let dead = self
            .in_order()
            .next()
            .map_or(end, |r| r.key_at)
            .saturating_sub(self.keys_base);
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
        let kept = self.records.len() as u64;
        // Every kept record was counted in `next_seq`, which started at 1.
        let first = self.next_seq.saturating_sub(kept);
        let skip =
            usize::try_from(seq.saturating_add(1).saturating_sub(first)).unwrap_or(usize::MAX);
        self.in_order().enumerate().skip(skip).map(move |(i, r)| {
            let from =
                usize::try_from(r.key_at.saturating_sub(self.keys_base)).unwrap_or(usize::MAX);
            let key = self
                .keys
                .get(from..from.saturating_add(r.key_len))
                .unwrap_or_default()
                .to_vec();
            Event {
                seq: first + i as u64,
                time_ms: r.time_ms,
                client: r.client,
                db: r.db,
                kind: r.kind,
                key,
                command: r.command,
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

    #[test]
    fn ring_keeps_the_newest_and_reads_after_a_sequence() {
        let mut log = EventLog::new(3);
        for i in 0..5u8 {
            log.push(i64::from(i), 1, 0, EventKind::Hit, &[i], "get");
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
            log.push(i as i64, 2, 3, EventKind::Write, &key(i), "set");
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
                log.push(0, 1, 0, EventKind::Hit, &long(i), "get");
                let got: Vec<Vec<u8>> = log.after(0).map(|e| e.key).collect();
                let want: Vec<Vec<u8>> = ((i + 1).saturating_sub(capacity)..=i).map(long).collect();
                assert_eq!(got, want);
                assert!(log.keys.len() <= 2 * 4096 + capacity * 4000);
            }
        }
        let mut none = EventLog::new(0);
        none.push(0, 1, 0, EventKind::Hit, b"k", "get");
        assert_eq!((none.after(0).count(), none.last_seq()), (0, 1));
    }
}
