//! The engine: databases, clients, the virtual clock, statistics and command dispatch.

use std::collections::BTreeMap;

use crate::command::{self, Ctx};
use crate::events::{EventKind, EventLog};
use crate::keyspace::{Db, Entry};
use crate::reply::Reply;
use crate::{ClientId, errors};

/// Number of databases, as Redis's default `databases 16`.
pub const DATABASES: usize = 16;

/// Default number of events kept in the log.
pub const DEFAULT_EVENT_CAPACITY: usize = 100_000;

/// Per-connection state.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// Selected database.
    pub db: usize,
    /// Protocol version (2 or 3).
    pub resp: u8,
}

/// Counters reported by `INFO stats`.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Reads that found their key.
    pub keyspace_hits: u64,
    /// Reads that did not.
    pub keyspace_misses: u64,
    /// Keys removed because their expire time passed.
    pub expired_keys: u64,
    /// Commands run (including rejected ones, as Redis counts them).
    pub total_commands_processed: u64,
}

/// Flags of a key lookup, as Redis's `LOOKUP_*`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lookup {
    /// A write lookup: no hit/miss statistics, no miss event.
    pub write: bool,
    /// Do not update the access time (`TTL`, `TYPE`, `OBJECT`, …).
    pub no_touch: bool,
    /// Do not count hits or misses.
    pub no_stats: bool,
}

impl Lookup {
    /// A plain read (`GET`).
    pub const READ: Lookup = Lookup {
        write: false,
        no_touch: false,
        no_stats: false,
    };
}

/// A Redis server in memory, on a virtual clock.
///
/// ```
/// use engine::{Engine, Reply};
/// let mut engine = Engine::new();
/// let client = engine.connect();
/// let argv = |s: &str| s.split(' ').map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
/// assert_eq!(engine.exec(client, &argv("SET foo bar")), Reply::ok());
/// assert_eq!(engine.exec(client, &argv("GET foo")), Reply::bulk(b"bar"));
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    pub(crate) dbs: Vec<Db>,
    pub(crate) clients: BTreeMap<ClientId, Client>,
    next_client_id: ClientId,
    pub(crate) now_ms: i64,
    pub(crate) stats: Stats,
    pub(crate) events: EventLog,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An empty server at virtual time 0.
    pub fn new() -> Self {
        Engine {
            dbs: (0..DATABASES).map(|_| Db::default()).collect(),
            clients: BTreeMap::new(),
            next_client_id: 1,
            now_ms: 0,
            stats: Stats::default(),
            events: EventLog::new(DEFAULT_EVENT_CAPACITY),
        }
    }

    /// Opens a client connection and returns its id.
    pub fn connect(&mut self) -> ClientId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        self.clients.insert(
            id,
            Client {
                resp: 2,
                ..Client::default()
            },
        );
        id
    }

    /// Closes a client connection.
    pub fn disconnect(&mut self, client: ClientId) {
        self.clients.remove(&client);
    }

    /// Current virtual time in milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Moves the virtual clock forward by `ms` (negative values are ignored).
    pub fn advance(&mut self, ms: i64) {
        self.set_time(self.now_ms.saturating_add(ms.max(0)));
    }

    /// Sets the virtual clock. Time never goes backwards: an earlier time is ignored.
    pub fn set_time(&mut self, ms: i64) {
        self.now_ms = self.now_ms.max(ms);
    }

    /// The event log.
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// Statistics counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Runs one command for a client and returns its reply, shaped for the client's protocol.
    pub fn exec(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Reply {
        let Some(state) = self.clients.get(&client) else {
            return Reply::error("ERR no such client");
        };
        let (db, resp) = (state.db, state.resp);
        let reply = self.dispatch(client, db, argv);
        if resp == 2 { reply.into_resp2() } else { reply }
    }

    fn dispatch(&mut self, client: ClientId, db: usize, argv: &[Vec<u8>]) -> Reply {
        let Some(name) = argv.first() else {
            return Reply::error("ERR empty command");
        };
        self.stats.total_commands_processed += 1;
        let Some(spec) = command::lookup(name) else {
            return errors::unknown_command(name, &argv[1..]);
        };
        if !spec.arity_ok(argv.len()) {
            return errors::wrong_arity(spec.name);
        }
        let mut ctx = Ctx {
            engine: self,
            client,
            db,
            spec,
        };
        (spec.handler)(&mut ctx, argv)
    }

    /// The one read path for keys, as Redis's `lookupKey`: removes the key if its time has
    /// passed, updates its access data, counts a hit or a miss and logs the event.
    pub(crate) fn lookup(
        &mut self,
        client: ClientId,
        db: usize,
        key: &[u8],
        flags: Lookup,
        command: &'static str,
    ) -> Option<&mut Entry> {
        let now = self.now_ms;
        let expired = self.dbs[db].peek(key).is_some_and(|e| e.is_expired(now));
        if expired {
            self.expire_key(client, db, key);
        }
        let counts = !flags.write && !flags.no_stats;
        let found = self.dbs[db].peek(key).is_some();
        if counts {
            let kind = if found {
                self.stats.keyspace_hits += 1;
                EventKind::Hit
            } else {
                self.stats.keyspace_misses += 1;
                EventKind::Miss
            };
            self.events.push(now, client, db as u8, kind, key, command);
        }
        let entry = self.dbs[db].peek_mut(key)?;
        if !flags.no_touch {
            entry.access_ms = now;
        }
        Some(entry)
    }

    /// Removes a key whose expire time has passed, counting and logging it.
    fn expire_key(&mut self, client: ClientId, db: usize, key: &[u8]) {
        if self.dbs[db].remove(key).is_some() {
            self.stats.expired_keys += 1;
            self.events
                .push(self.now_ms, client, db as u8, EventKind::Expired, key, "");
        }
    }

    /// The one write path: stores a value under a key and logs the write.
    pub(crate) fn store(
        &mut self,
        client: ClientId,
        db: usize,
        key: &[u8],
        entry: Entry,
        command: &'static str,
    ) {
        self.dbs[db].insert(key.to_vec(), entry);
        self.events.push(
            self.now_ms,
            client,
            db as u8,
            EventKind::Write,
            key,
            command,
        );
    }

    /// Deletes a key on behalf of a command; returns whether it existed (and had not expired).
    pub(crate) fn delete(
        &mut self,
        client: ClientId,
        db: usize,
        key: &[u8],
        command: &'static str,
    ) -> bool {
        let now = self.now_ms;
        match self.dbs[db].peek(key) {
            None => false,
            Some(e) if e.is_expired(now) => {
                self.expire_key(client, db, key);
                false
            }
            Some(_) => {
                self.dbs[db].remove(key);
                self.events
                    .push(now, client, db as u8, EventKind::Del, key, command);
                true
            }
        }
    }
}
