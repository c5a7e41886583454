//! Snapshots of a whole engine, for a host that keeps its server across restarts (the page
//! saves one when the engine changes and restores it on load), and a fresh start.
//!
//! A snapshot holds what a restarted server would get back from its files: the keyspace of
//! the 16 databases (keys, values in their encodings, absolute expire times, access data) as
//! an RDB file ([`rdb::save_database`]), the configuration parameters that differ from the
//! defaults (as `CONFIG GET` shows them), the virtual time, and the server's `dump.rdb` if it
//! saved one. Clients, subscriptions, statistics, the slow log and the event log are not kept:
//! a restored engine is a server restarted from its save.
//!
//! Layout (integers little-endian): the magic `RPSNAP`, a format version byte ([`VERSION`]),
//! the time (`i64` ms), the number of changed parameters (`u32`) and each as a name and a value
//! (each a `u32` length and bytes), the `dump.rdb` (a `u32` length, `u32::MAX` for none, and
//! bytes), then the keyspace RDB to the end. A snapshot of another version, or a damaged one,
//! is refused and the engine is left as it was.
//!
//! ```
//! use engine::{Engine, Reply};
//! let argv = |s: &str| s.split(' ').map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
//! let mut engine = Engine::new();
//! engine.set_time(1_767_225_600_000);
//! let client = engine.connect();
//! engine.exec(client, &argv("SET session alice EX 60"));
//! engine.exec(client, &argv("CONFIG SET maxmemory-policy allkeys-lru"));
//! let saved = engine.snapshot();
//!
//! let mut restored = Engine::new();
//! restored.restore_snapshot(&saved).expect("a snapshot of this version");
//! let client = restored.connect();
//! assert_eq!(restored.exec(client, &argv("TTL session")), Reply::Integer(60));
//! assert_eq!(restored.config().get("maxmemory-policy"), b"allkeys-lru");
//! ```

use crate::config::{Config, PARAMS, flag};
use crate::engine::Engine;
use crate::rdb::{self, LoadError};

/// The magic a snapshot starts with.
const MAGIC: &[u8; 6] = b"RPSNAP";

/// The format version written; a snapshot of any other is refused.
pub const VERSION: u8 = 1;

/// Why a snapshot was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not a snapshot (no magic).
    NotASnapshot,
    /// A snapshot of another format version.
    UnknownVersion(u8),
    /// The snapshot ends early or its parts do not read.
    Corrupt,
    /// The keyspace RDB inside is refused.
    Keyspace(LoadError),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::NotASnapshot => write!(f, "not a snapshot"),
            SnapshotError::UnknownVersion(v) => write!(f, "a snapshot of format version {v}"),
            SnapshotError::Corrupt => write!(f, "a damaged snapshot"),
            SnapshotError::Keyspace(e) => write!(f, "a snapshot whose keyspace is refused: {e:?}"),
        }
    }
}

/// What a restore did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Keys stored.
    pub keys_loaded: u64,
    /// Keys whose expire time had passed at the snapshot's time (not stored).
    pub keys_expired: u64,
    /// Configuration parameters set back.
    pub config_restored: usize,
    /// Saved parameters this engine does not know or whose value it refuses (skipped).
    pub config_skipped: usize,
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    // Lengths are bounded by what a wasm32 or 64-bit host holds; a part over 4 GB cannot be
    // saved in a page, and is cut to fit the length field rather than wrap.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX - 1);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(bytes.get(..len as usize).unwrap_or(bytes));
}

/// Reads the parts of a snapshot in order.
struct Parts<'a> {
    rest: &'a [u8],
}

impl<'a> Parts<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        if n > self.rest.len() {
            return Err(SnapshotError::Corrupt);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        self.take(N)?.try_into().map_err(|_| SnapshotError::Corrupt)
    }

    fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn bytes(&mut self) -> Result<&'a [u8], SnapshotError> {
        let len = self.u32()? as usize;
        self.take(len)
    }
}

impl Engine {
    /// The whole state worth keeping across a restart, as bytes (see the module doc); the
    /// same state always gives the same bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        let defaults = Config::default();
        let changed: Vec<(&str, Vec<u8>)> = PARAMS
            .iter()
            .enumerate()
            .filter(|(_, p)| p.flags & flag::IMMUTABLE == 0)
            .filter_map(|(i, p)| {
                let shown = self.config.shown(i);
                (shown != defaults.shown(i)).then_some((p.name, shown))
            })
            .collect();
        let keyspace = rdb::save_database(self);
        let mut out = Vec::with_capacity(keyspace.len() + 64);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&self.now_ms.to_le_bytes());
        // At most the few hundred parameters of the table.
        out.extend_from_slice(&u32::try_from(changed.len()).unwrap_or(0).to_le_bytes());
        for (name, value) in &changed {
            put_bytes(&mut out, name.as_bytes());
            put_bytes(&mut out, value);
        }
        match &self.rdb_file {
            Some(file) => put_bytes(&mut out, file),
            None => out.extend_from_slice(&u32::MAX.to_le_bytes()),
        }
        out.extend_from_slice(&keyspace);
        out
    }

    /// Replaces this engine's keyspace, configuration and clock with a snapshot's, as a server
    /// restarted from its save: statistics, the event log, the slow log and the connections'
    /// state (database, transactions, subscriptions, blocked commands) start afresh; the
    /// connections themselves stay open. The clock takes the snapshot's time, even if that is
    /// earlier. On error nothing changes.
    ///
    /// # Errors
    /// A snapshot of another version, a damaged one, or one whose keyspace RDB is refused.
    pub fn restore_snapshot(&mut self, bytes: &[u8]) -> Result<RestoreReport, SnapshotError> {
        let mut parts = Parts { rest: bytes };
        if parts.take(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
            return Err(SnapshotError::NotASnapshot);
        }
        let [version] = parts.array()?;
        if version != VERSION {
            return Err(SnapshotError::UnknownVersion(version));
        }
        let time = i64::from_le_bytes(parts.array()?);
        let count = parts.u32()?;
        let mut report = RestoreReport::default();
        let mut config = Config::default();
        for _ in 0..count {
            let name = parts.bytes()?;
            let value = parts.bytes()?;
            let found = Config::find(name).and_then(|(i, _)| {
                let param = PARAMS.get(i)?;
                if param.flags & flag::IMMUTABLE != 0 {
                    return None;
                }
                let parsed = param.parse(value, &config.value(i)).ok()?;
                Some((i, parsed))
            });
            match found {
                Some((i, parsed)) => {
                    config.store(i, parsed);
                    report.config_restored += 1;
                }
                None => report.config_skipped += 1,
            }
        }
        let dump_len = parts.u32()?;
        let dump = if dump_len == u32::MAX {
            None
        } else {
            Some(parts.take(dump_len as usize)?.to_vec())
        };
        let mut fresh = Engine::with_config(config);
        fresh.set_time(time);
        let loaded =
            crate::lazy::load_database(&mut fresh, parts.rest).map_err(SnapshotError::Keyspace)?;
        fresh.rdb_file = dump;
        if fresh.config.appendonly {
            // The append-only file on "disk" starts as the loaded dataset (as after a rewrite),
            // so a simulated crash after a reload keeps it.
            let base = rdb::save_database(&fresh);
            fresh.aof.rewrite_base_size = base.len();
            fresh.aof.base = Some(base);
        }
        report.keys_loaded = loaded.keys_loaded;
        report.keys_expired = loaded.keys_expired;
        self.start_over(fresh);
        Ok(report)
    }

    /// Empties the server as a fresh start with `config` would: no keys, new statistics and
    /// event log, the clock at `now_ms` (even if that is earlier than its time). Open
    /// connections stay open, each as a new connection with the same id.
    pub fn reset(&mut self, config: Config, now_ms: i64) {
        let mut fresh = Engine::with_config(config);
        fresh.set_time(now_ms);
        self.start_over(fresh);
    }

    /// Becomes `fresh`, keeping the ids of the open connections as fresh connections.
    fn start_over(&mut self, mut fresh: Engine) {
        let next = self.next_client_id;
        let ids: Vec<_> = self.clients.keys().copied().collect();
        for id in ids {
            fresh.next_client_id = id;
            fresh.connect();
        }
        fresh.next_client_id = next.max(fresh.next_client_id);
        *self = fresh;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reply;

    fn argv(s: &str) -> Vec<Vec<u8>> {
        s.split(' ').map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn a_restored_append_only_server_keeps_its_data_through_a_crash() {
        let mut engine = Engine::new();
        engine.set_time(1_767_225_600_000);
        let c = engine.connect();
        engine.exec(c, &argv("CONFIG SET appendonly yes"));
        engine.advance(1_000); // the first rewrite ends
        for line in ["SET a 1", "RPUSH l x y", "SELECT 2", "SET b 2"] {
            engine.exec(c, &argv(line));
        }
        engine.advance(2_000); // everysec: fsynced
        let bytes = engine.snapshot();
        let mut restored = Engine::new();
        restored.restore_snapshot(&bytes).expect("restores");
        let restart = restored.crash_restart();
        assert_eq!(restart.keys, 3, "{restart:?}");
        let c = restored.connect();
        assert_eq!(restored.exec(c, &argv("GET a")), Reply::bulk(b"1"));
    }

    fn engine_with_data() -> Engine {
        let mut engine = Engine::new();
        engine.set_time(1_767_225_600_000);
        let c = engine.connect();
        for line in [
            "SET plain value",
            "SET session alice PX 90000",
            "HSET user:1 name Ada lang en",
            "RPUSH queue a b c",
            "SELECT 3",
            "SADD tags x y",
            "ZADD board 1 a 2 b",
            "CONFIG SET maxmemory-policy allkeys-lfu",
            "CONFIG SET hash-max-listpack-entries 1",
            "CONFIG SET notify-keyspace-events KEA",
            "DEBUG RELOAD",
        ] {
            engine.exec(c, &argv(line));
        }
        engine
    }

    #[test]
    fn a_snapshot_restores_keys_ttls_config_and_time() {
        let engine = engine_with_data();
        let saved = engine.snapshot();
        assert_eq!(
            saved,
            engine.snapshot(),
            "the same state gives the same bytes"
        );
        let mut restored = Engine::new();
        let report = restored.restore_snapshot(&saved).expect("restores");
        assert_eq!(report.keys_loaded, 6);
        assert_eq!(report.config_restored, 3);
        assert_eq!(restored.now_ms(), engine.now_ms());
        assert!(restored.rdb_file().is_some());
        assert_eq!(
            restored.snapshot(),
            saved,
            "a restored engine saves the same"
        );
        let c = restored.connect();
        assert_eq!(
            restored.exec(c, &argv("PTTL session")),
            Reply::Integer(90_000)
        );
        assert_eq!(restored.exec(c, &argv("GET plain")), Reply::bulk(b"value"));
        assert_eq!(
            restored.exec(c, &argv("OBJECT ENCODING user:1")),
            Reply::bulk(b"hashtable"),
            "values load under the restored thresholds"
        );
        assert_eq!(
            restored.config().get("notify-keyspace-events"),
            engine.config().get("notify-keyspace-events")
        );
        restored.exec(c, &argv("SELECT 3"));
        assert_eq!(restored.exec(c, &argv("SCARD tags")), Reply::Integer(2));
        restored.advance(90_001);
        assert_eq!(restored.db_len(0), 3, "the TTL runs on from the snapshot");
    }

    #[test]
    fn refused_snapshots_leave_the_engine_alone() {
        let saved = engine_with_data().snapshot();
        let mut engine = Engine::new();
        engine.set_time(5);
        let c = engine.connect();
        engine.exec(c, &argv("SET kept 1"));
        let mut other = saved.clone();
        if let Some(v) = other.get_mut(6) {
            *v = 99;
        }
        assert_eq!(
            engine.restore_snapshot(&other),
            Err(SnapshotError::UnknownVersion(99))
        );
        assert_eq!(
            engine.restore_snapshot(b"hello"),
            Err(SnapshotError::NotASnapshot)
        );
        for cut in [7, 20, saved.len() - 3] {
            assert!(engine.restore_snapshot(&saved[..cut]).is_err(), "cut {cut}");
        }
        let mut damaged = saved.clone();
        if let Some(last) = damaged.last_mut() {
            *last ^= 0xff;
        }
        assert!(matches!(
            engine.restore_snapshot(&damaged),
            Err(SnapshotError::Keyspace(_))
        ));
        assert_eq!(engine.exec(c, &argv("GET kept")), Reply::bulk(b"1"));
        assert_eq!(engine.now_ms(), 5);
    }

    #[test]
    fn unknown_or_refused_parameters_are_skipped() {
        let mut bytes = MAGIC.to_vec();
        bytes.push(VERSION);
        bytes.extend_from_slice(&1_000i64.to_le_bytes());
        bytes.extend_from_slice(&3u32.to_le_bytes());
        for (name, value) in [
            ("no-such-parameter", "1"),
            ("maxmemory", "lots"),
            ("maxmemory", "1mb"),
        ] {
            put_bytes(&mut bytes, name.as_bytes());
            put_bytes(&mut bytes, value.as_bytes());
        }
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        bytes.extend_from_slice(&rdb::save_database(&Engine::new()));
        let mut engine = Engine::new();
        let report = engine.restore_snapshot(&bytes).expect("restores");
        assert_eq!((report.config_restored, report.config_skipped), (1, 2));
        assert_eq!(engine.config().maxmemory, 1024 * 1024);
        assert_eq!(engine.now_ms(), 1_000);
    }

    #[test]
    fn reset_empties_everything_but_keeps_connections() {
        let mut engine = engine_with_data();
        let c = engine.connect();
        engine.exec(c, &argv("SUBSCRIBE news"));
        let later = engine.connect();
        engine.reset(Config::default(), 1_000);
        assert_eq!(engine.now_ms(), 1_000, "the clock may go back");
        assert_eq!((0..16).map(|db| engine.db_len(db)).sum::<usize>(), 0);
        assert_eq!(engine.config().get("maxmemory-policy"), b"noeviction");
        assert_eq!(engine.stats().total_connections_received, 3);
        assert!(engine.rdb_file().is_none());
        assert_eq!(engine.events().last_seq(), 0);
        assert_eq!(
            engine.exec(c, &argv("PING")),
            Reply::Status("PONG".into()),
            "a subscribed connection starts afresh"
        );
        assert_eq!(engine.exec(later, &argv("DBSIZE")), Reply::Integer(0));
        assert!(engine.connect() > later, "new ids stay new");
    }
}
