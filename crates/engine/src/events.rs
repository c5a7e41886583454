//! A bounded log of keyspace events on virtual time: what the timeline, the key browser and
//! the graders read, as "events after sequence number N".

use std::collections::VecDeque;

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

/// A ring buffer of the most recent events.
#[derive(Debug, Clone)]
pub struct EventLog {
    events: VecDeque<Event>,
    capacity: usize,
    next_seq: u64,
}

impl EventLog {
    /// A log keeping at most `capacity` events (0 keeps none but still counts sequence numbers).
    pub fn new(capacity: usize) -> Self {
        EventLog {
            events: VecDeque::new(),
            capacity,
            next_seq: 1,
        }
    }

    /// Appends an event, dropping the oldest when full.
    pub fn push(
        &mut self,
        time_ms: i64,
        client: ClientId,
        db: u8,
        kind: EventKind,
        key: &[u8],
        command: &'static str,
    ) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.capacity == 0 {
            return;
        }
        // Once full, the oldest event's key buffer is reused: a busy log allocates nothing.
        let mut buffer = if self.events.len() == self.capacity {
            self.events
                .pop_front()
                .map(|old| old.key)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        buffer.clear();
        buffer.extend_from_slice(key);
        self.events.push_back(Event {
            seq,
            time_ms,
            client,
            db,
            kind,
            key: buffer,
            command,
        });
    }

    /// Events with a sequence number greater than `seq`, oldest first.
    pub fn after(&self, seq: u64) -> impl Iterator<Item = &Event> {
        let first = self.events.front().map_or(self.next_seq, |e| e.seq);
        let skip =
            usize::try_from(seq.saturating_add(1).saturating_sub(first)).unwrap_or(usize::MAX);
        self.events.iter().skip(skip)
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
}
