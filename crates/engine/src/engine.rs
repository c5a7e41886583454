//! The engine: databases, clients, the virtual clock, statistics, dispatch, and the one lookup
//! path and write path every handler goes through.

use std::collections::{BTreeMap, HashMap};

use crate::ClientId;
use crate::aof::Aof;
use crate::blocking::Blocking;
use crate::client::{Client, Clients};
use crate::command::CommandSpec;
use crate::commands::persistence::Persistence;
use crate::commands::slowlog::Slowlog;
use crate::config::Config;
use crate::errors::RedisError;
use crate::events::{self, CommandId, EventKind, EventLog};
use crate::evict::Eviction;
use crate::keyspace::value::{StrValue, TypedValue};
use crate::keyspace::{Db, Entry, Value, minutes};
use crate::pubsub::{PubSub, notify};
use crate::reply::Reply;
use crate::rng::Rng;

/// Number of databases, as Redis's default `databases 16`.
pub const DATABASES: usize = 16;

/// The most `serverCron` events (save starts and ends, fsyncs) one move of the clock runs.
const MAX_CRON_EVENTS: usize = 1000;

/// The most background jobs (saves, rewrites) the cron starts in one move of the clock.
const MAX_JOBS_PER_MOVE: usize = 8;

/// Default number of events kept in the log.
pub const DEFAULT_EVENT_CAPACITY: usize = 100_000;

/// Counters reported by `INFO stats`.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Reads that found their key.
    pub keyspace_hits: u64,
    /// Reads that did not.
    pub keyspace_misses: u64,
    /// Keys removed because their expire time passed.
    pub expired_keys: u64,
    /// Commands executed (rejected ones — unknown, wrong arity — are not counted, as in Redis).
    pub total_commands_processed: u64,
    /// Per-command counters. Updated on every command, so kept in a table indexed by the
    /// command's id rather than by its name.
    pub commands: CommandCounts,
    /// Connections opened.
    pub total_connections_received: u64,
    /// Keys removed to make room under `maxmemory`.
    pub evicted_keys: u64,
    /// Error replies sent.
    pub total_error_replies: u64,
    /// Error replies by code (`ERR`, `WRONGTYPE`, …), as `INFO errorstats` lists them.
    pub errors: BTreeMap<String, u64>,
    /// Snapshots taken (`SAVE`, `BGSAVE`).
    pub rdb_saves: u64,
    /// Append-only file rewrites (`BGREWRITEAOF`).
    pub aof_rewrites: u64,
}

/// Per-command counters (`INFO commandstats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommandStats {
    /// Times the command ran.
    pub calls: u64,
    /// Times it was refused before running (arity, …).
    pub rejected_calls: u64,
    /// Times it ran and answered an error.
    pub failed_calls: u64,
}

/// Per-command counters (`INFO commandstats`), by command ([`CommandSpec::id`]).
#[derive(Debug, Clone, Default)]
pub struct CommandCounts(Vec<CommandStats>);

impl CommandCounts {
    /// The counters of a command, created at zero on first use (`None` only for a spec that is
    /// not from the registry's table).
    pub(crate) fn of(&mut self, spec: &CommandSpec) -> Option<&mut CommandStats> {
        if spec.id >= self.0.len() {
            // Once for all commands: ids are below the registry's count.
            let all = crate::command::Registry::get().ids().max(spec.id + 1);
            self.0.resize(all, CommandStats::default());
        }
        self.0.get_mut(spec.id)
    }

    /// The counters of a command by its full name (`get`, `config|get`), if it ever counted.
    pub fn get(&self, name: &str) -> Option<&CommandStats> {
        let spec = crate::command::Registry::get().lookup_full(name.as_bytes())?;
        self.0.get(spec.id)
    }

    /// Every command that has counters, with its full name, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &CommandStats)> {
        let registry = crate::command::Registry::get();
        self.0.iter().enumerate().filter_map(move |(id, stats)| {
            let spec = registry.by_id(id)?;
            (*stats != CommandStats::default()).then_some((spec.name.as_str(), stats))
        })
    }
}

/// Flags of a key lookup, as Redis's `LOOKUP_*`.
// Independent switches, as Redis's `LOOKUP_*` bits: an enum would not be clearer.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lookup {
    /// A write lookup: no hit/miss statistics, no hit/miss event, no `keymiss` notification.
    pub write: bool,
    /// Do not update the access data (`TTL`, `TYPE`, `OBJECT`, …).
    pub no_touch: bool,
    /// Do not count hits or misses.
    pub no_stats: bool,
    /// Do not send the `keymiss` notification on a miss (`OBJECT`).
    pub no_notify: bool,
}

impl Lookup {
    /// A plain read (`GET`): counts a hit or a miss and touches the key.
    pub const READ: Lookup = Lookup {
        write: false,
        no_touch: false,
        no_stats: false,
        no_notify: false,
    };
    /// A read that does not touch the key (`EXISTS`, `TTL`, `TYPE`, `SCAN`'s `TYPE` filter):
    /// still counts and notifies a miss.
    pub const READ_NOTOUCH: Lookup = Lookup {
        write: false,
        no_touch: true,
        no_stats: false,
        no_notify: false,
    };
    /// `OBJECT`'s lookup (`LOOKUP_NOTOUCH|LOOKUP_NONOTIFY`): does not touch the key nor send
    /// `keymiss`, but still counts a hit or a miss.
    pub const INSPECT: Lookup = Lookup {
        write: false,
        no_touch: true,
        no_stats: false,
        no_notify: true,
    };
    /// A write (`SET`, `APPEND`, …): touches the key, counts nothing.
    pub const WRITE: Lookup = Lookup {
        write: true,
        no_touch: false,
        no_stats: false,
        no_notify: false,
    };
    /// A look that neither touches, counts nor notifies; it still removes a key whose time has
    /// passed.
    pub const PEEK: Lookup = Lookup {
        write: false,
        no_touch: true,
        no_stats: true,
        no_notify: true,
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
    pub(crate) clients: Clients,
    pub(crate) next_client_id: ClientId,
    /// How many times a connection's outbox began to fill (see [`Engine::pending_output`]).
    pub(crate) outputs_begun: u64,
    pub(crate) now_ms: i64,
    pub(crate) stats: Stats,
    pub(crate) events: EventLog,
    pub(crate) config: Config,
    pub(crate) rng: Rng,
    pub(crate) pubsub: PubSub,
    /// Watched keys (database, key) and the clients watching them.
    pub(crate) watched: HashMap<(usize, Vec<u8>), Vec<ClientId>>,
    /// Clients waiting in blocking commands.
    pub(crate) blocking: Blocking,
    /// Virtual time the server started: when the clock was first set.
    pub(crate) started_ms: i64,
    /// Save and rewrite state (LASTSAVE, BGSAVE, INFO persistence).
    pub(crate) persistence: Persistence,
    /// The slow log.
    pub(crate) slowlog: Slowlog,
    /// Clients in MONITOR mode, in the order they entered it.
    pub(crate) monitors: Vec<ClientId>,
    /// MONITOR lines of a monitor's own command, delivered after the command's reply.
    pub(crate) monitor_echo: Vec<String>,
    /// The most memory seen in use (`used_memory_peak`), updated after every command that
    /// wrote (and whenever memory is reported).
    pub(crate) peak_memory: usize,
    /// The RDB file last saved (`dump.rdb`), see [`Engine::rdb_file`].
    pub(crate) rdb_file: Option<Vec<u8>>,
    /// A write happened since the peak was last updated.
    pub(crate) wrote: bool,
    /// The databases that may hold a table (bit `i` for database `i`): every database whose
    /// table has buckets is in it (a key is stored only by `Ctx::set_key`, `Ctx::add` and the
    /// RDB loader, which add it; SWAPDB moves bits), others may be. The peak noted after a
    /// write adds up only these instead of walking all 16 (see `Engine::used_memory_of`).
    pub(crate) dbs_in_use: u32,
    /// The eviction pool and what else eviction keeps across commands.
    pub(crate) eviction: Eviction,
    /// The append-only file and the propagation of commands to it.
    pub(crate) aof: Aof,
    /// Where a command's replies gather before they are delivered: kept to be reused, empty
    /// between commands.
    pub(crate) reply_buffer: Vec<Reply>,
    /// The arguments the running command hid from the slow log and MONITOR (Redis's
    /// `redactClientCommandArgument`), by index; taken when the command is done.
    pub(crate) redacted: Vec<usize>,
    /// Client-side caching: who tracks which keys (`CLIENT TRACKING`).
    pub(crate) tracking: crate::tracking::Tracking,
    /// The Lua scripts cache (`SCRIPT LOAD`, `EVALSHA`).
    pub(crate) scripts: crate::commands::scripting::Scripts,
    /// The libraries of functions (`FUNCTION LOAD`, `FCALL`).
    pub(crate) functions: crate::commands::scripting::functions::Functions,
    /// Whether a script or function is running (MONITOR shows its commands as `lua`'s).
    pub(crate) in_script: bool,
    /// Whether the server removes keys whose time came on its own, as the clock moves
    /// (Redis's `active_expire_enabled`, which `DEBUG SET-ACTIVE-EXPIRE` turns off and on);
    /// otherwise a key goes only when read or written. A restarted server has it on again.
    pub(crate) active_expire: bool,
    /// The replication ID `INFO replication` shows as `master_replid`, once `DEBUG
    /// CHANGE-REPL-ID` drew one; before that (and after a restart), the fixed one every
    /// server of the engine starts with.
    pub(crate) repl_id: Option<String>,
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
            clients: Clients::default(),
            next_client_id: 1,
            outputs_begun: 0,
            now_ms: 0,
            stats: Stats::default(),
            events: EventLog::new(DEFAULT_EVENT_CAPACITY),
            config: Config::default(),
            rng: Rng::new(0x0072_6564_6973),
            pubsub: PubSub::default(),
            watched: HashMap::new(),
            blocking: Blocking::default(),
            started_ms: 0,
            persistence: Persistence::default(),
            slowlog: Slowlog::default(),
            monitors: Vec::new(),
            monitor_echo: Vec::new(),
            peak_memory: 0,
            rdb_file: None,
            wrote: false,
            dbs_in_use: 0,
            eviction: Eviction::default(),
            aof: Aof::default(),
            reply_buffer: Vec::new(),
            redacted: Vec::new(),
            tracking: crate::tracking::Tracking::default(),
            scripts: crate::commands::scripting::Scripts::default(),
            functions: crate::commands::scripting::functions::Functions::default(),
            in_script: false,
            active_expire: true,
            repl_id: None,
        }
    }

    /// An empty server with this configuration, as a `redis-server` started with a config
    /// file: for a host that wants other defaults than Redis's. The page, for one, sets a
    /// `maxmemory` so that a runaway loop meets the OOM error instead of exhausting the tab:
    ///
    /// ```
    /// use engine::{Config, Engine, EvictionPolicy, Reply};
    /// let mut config = Config::default();
    /// config.maxmemory = 64 * 1024 * 1024;
    /// config.maxmemory_policy = EvictionPolicy::NoEviction;
    /// let mut engine = Engine::with_config(config);
    /// let client = engine.connect();
    /// let argv = |s: &str| s.split(' ').map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
    /// assert_eq!(
    ///     engine.exec(client, &argv("CONFIG GET maxmemory")),
    ///     Reply::Array(vec![Reply::bulk(b"maxmemory"), Reply::bulk(b"67108864")])
    /// );
    /// ```
    pub fn with_config(config: Config) -> Self {
        let mut engine = Engine {
            config,
            ..Engine::new()
        };
        if engine.config.appendonly {
            // A server started with the file on and none on disk creates an empty base.
            let base = crate::rdb::save_database(&engine);
            engine.aof.rewrite_base_size = base.len();
            engine.aof.base = Some(base);
        }
        engine
    }

    /// The configuration (what `CONFIG GET` shows).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the configuration directly, as a host does before handing the engine to users
    /// (no `CONFIG SET` checks). A lower `maxmemory` takes effect at the next command.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// Current virtual time in milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Moves the virtual clock forward by `ms` (negative values are ignored), removing the keys
    /// whose time comes.
    pub fn advance(&mut self, ms: i64) {
        self.set_time(self.now_ms.saturating_add(ms.max(0)));
    }

    /// Sets the virtual clock, removing the keys whose time comes. Time never goes backwards:
    /// an earlier time is ignored. What `serverCron` does on the way happens at its moment, in
    /// order: background saves and rewrites end, save points start saves, the append-only file
    /// is fsynced (see [`crate::aof`]).
    pub fn set_time(&mut self, ms: i64) {
        if ms <= self.now_ms {
            return;
        }
        // A CLIENT PAUSE ending on the way: nothing expires before its end, everything after.
        let unpause = self.blocking.pause.is_some_and(|p| p.end < ms);
        if let Some(pause) = self.blocking.pause.filter(|_| unpause) {
            self.move_clock(pause.end.max(self.now_ms));
            self.blocking.pause = None;
        }
        if self.started_ms == 0 {
            // The first setting of the clock is when the server starts (uptime, LASTSAVE).
            self.started_ms = ms;
            self.persistence.lastsave = ms.div_euclid(1000);
        }
        // A jump over very many background events (a save point of 0 changes and a jump of
        // years) runs the first ones; the cron catches up with the rest on the next moves.
        // Each background job serializes the dataset, so one move starts only a few.
        let mut jobs = 0;
        for _ in 0..MAX_CRON_EVENTS {
            let Some(at) = self.next_cron_event(ms) else {
                break;
            };
            self.move_clock(at);
            if self.run_cron(jobs < MAX_JOBS_PER_MOVE) {
                jobs += 1;
            }
        }
        self.move_clock(ms);
        self.expire_blocked_timeouts();
        let _ = self.run_cron(false);
        if unpause {
            self.unpause_clients();
        }
        // Keys that expired on the way are announced to BCAST clients, as before Redis sleeps.
        self.tracking_broadcast();
    }

    /// Moves the clock to `ms` (later than now), expiring the keys whose time came.
    fn move_clock(&mut self, ms: i64) {
        if ms <= self.now_ms {
            return;
        }
        let from = self.now_ms;
        self.now_ms = ms;
        // A pause keeps the dataset still: no active expiry; nor when it is turned off.
        if self.active_expire && !self.paused() {
            self.expire_due(from);
        }
    }

    /// The event log.
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// Statistics counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Resets the counters `CONFIG RESETSTAT` resets: statistics, per-command and per-error
    /// counts.
    pub fn reset_stats(&mut self) {
        self.stats = Stats::default();
    }

    /// Counts an error reply sent to a client, under its code (the first word, as Redis takes
    /// it from the first 32 bytes of the reply; `ERR` when there is none).
    pub(crate) fn count_error(&mut self, text: &str) {
        self.stats.total_error_replies += 1;
        let bytes = text.as_bytes();
        let code = bytes
            .get(..bytes.len().min(31))
            .and_then(|head| head.iter().position(|&b| b == b' '))
            .and_then(|space| text.get(..space))
            .unwrap_or("ERR");
        // Redis 7.0 keeps every code; here new codes stop being added past 128, so that
        // errors made of user input (DEBUG ERROR) cannot grow the table without bound.
        if self.stats.errors.len() >= 128 && !self.stats.errors.contains_key(code) {
            return;
        }
        *self.stats.errors.entry(code.to_string()).or_default() += 1;
    }

    /// Number of keys in a database (0 for an index out of range).
    pub fn db_len(&self, db: usize) -> usize {
        self.dbs.get(db).map_or(0, Db::len)
    }

    /// The one read path for keys, as Redis's `lookupKey`: removes the key if its time has
    /// passed, updates its LRU/LFU data, counts a hit or a miss and logs the event.
    pub(crate) fn lookup(
        &mut self,
        client: ClientId,
        db: usize,
        key: &[u8],
        flags: Lookup,
        command: CommandId,
    ) -> Option<&mut Entry> {
        let now = self.now_ms;
        // One search: the slot stays valid until the key is removed, and nothing below removes
        // a key that was found alive.
        let slot = match self.dbs[db].find(key) {
            Some(id)
                if self.dbs[db]
                    .slot_entry(id)
                    .is_some_and(|e| e.is_expired(now)) =>
            {
                self.expire_key(client, db, key, now);
                None
            }
            found => found,
        };
        let found = slot.is_some();
        if !flags.write && !flags.no_stats {
            let kind = if found {
                self.stats.keyspace_hits += 1;
                EventKind::Hit
            } else {
                self.stats.keyspace_misses += 1;
                EventKind::Miss
            };
            self.events
                .push_inline(now, client, db as u8, kind, key, command);
        }
        if !found && !flags.write && !flags.no_notify {
            self.notify(notify::KEY_MISS, "keymiss", key, db);
        }
        let lfu = self.config.maxmemory_policy.is_lfu();
        let (log_factor, decay) = (self.config.lfu_log_factor, self.config.lfu_decay_time);
        let entry = self.dbs[db].slot_entry_mut(slot?)?;
        if !flags.no_touch {
            if lfu {
                let counter = lfu_decayed(entry, now, decay);
                entry.lfu_counter = lfu_log_incr(counter, log_factor, &mut self.rng);
                entry.lfu_minutes = minutes(now);
            } else {
                entry.lru_ms = now;
            }
        }
        Some(entry)
    }

    /// Removes a key whose time has passed, counting and logging it.
    pub(crate) fn expire_key(&mut self, client: ClientId, db: usize, key: &[u8], at: i64) {
        // While clients are paused the key reads as missing but stays (Redis's expireIfNeeded).
        if self.paused() {
            return;
        }
        if let Some(entry) = self.dbs[db].remove(key) {
            self.propagate(db, vec![b"DEL".to_vec(), key.to_vec()]);
            self.touch_watched_key(db, key);
            if matches!(entry.value, Value::Stream(_)) {
                self.signal_key_as_ready(db, key, "stream");
            }
            self.stats.expired_keys += 1;
            self.events.push(
                at,
                client,
                db as u8,
                EventKind::Expired,
                key,
                events::SERVER,
            );
            self.notify(notify::EXPIRED, "expired", key, db);
            // Redis signals the modification after the notification.
            if self.tracking.active {
                self.tracking_invalidate_key(0, key, true);
            }
        }
    }

    /// Active expiry: removes every key whose time came between `from` and now, in order of
    /// expire time, each logged at the moment it expired.
    fn expire_due(&mut self, from: i64) {
        let now = self.now_ms;
        loop {
            let due = (0..self.dbs.len())
                .filter_map(|i| {
                    self.dbs[i]
                        .next_expiry()
                        .filter(|&at| at < now)
                        .map(|at| (at, i))
                })
                .min();
            let Some((at, db)) = due else { break };
            if let Some((key, entry)) = self.dbs[db].pop_expired(now) {
                self.propagate(db, vec![b"DEL".to_vec(), key.clone()]);
                self.touch_watched_key(db, &key);
                if matches!(entry.value, Value::Stream(_)) {
                    self.signal_key_as_ready(db, &key, "stream");
                }
                self.stats.expired_keys += 1;
                self.events.push(
                    at.max(from),
                    0,
                    db as u8,
                    EventKind::Expired,
                    &key,
                    events::SERVER,
                );
                self.notify(notify::EXPIRED, "expired", &key, db);
                if self.tracking.active {
                    self.tracking_invalidate_key(0, &key, true);
                }
            }
        }
    }
}

/// The LFU counter after decay, as Redis's `LFUDecrAndReturn`.
pub(crate) fn lfu_decayed(entry: &Entry, now_ms: i64, decay_minutes: i64) -> u8 {
    let now = minutes(now_ms);
    let elapsed = if now >= entry.lfu_minutes {
        now - entry.lfu_minutes
    } else {
        // The 16-bit minute clock wrapped.
        u16::MAX - entry.lfu_minutes + now
    };
    let periods = if decay_minutes > 0 {
        i64::from(elapsed) / decay_minutes
    } else {
        0
    };
    let counter = i64::from(entry.lfu_counter);
    u8::try_from(counter.saturating_sub(periods).max(0)).unwrap_or(0)
}

/// A logarithmic increment of the LFU counter, as Redis's `LFULogIncr`.
fn lfu_log_incr(counter: u8, log_factor: i64, rng: &mut Rng) -> u8 {
    if counter == u8::MAX {
        return counter;
    }
    let base = f64::from(counter.saturating_sub(crate::keyspace::LFU_INIT_VAL));
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if rng.next_f64() < p {
        counter + 1
    } else {
        counter
    }
}

/// What a handler runs with: the engine, the calling client, its selected database and the
/// running command. Its methods are the handlers' only way to the keyspace.
pub struct Ctx<'a> {
    /// The whole engine.
    pub engine: &'a mut Engine,
    /// The client that sent the command.
    pub client: ClientId,
    /// The client's selected database.
    pub db: usize,
    /// The running command.
    pub spec: &'static CommandSpec,
    /// Where the handler's replies go: those sent before its own (see [`Ctx::emit`]) are
    /// appended at once.
    pub(crate) emitted: &'a mut Vec<Reply>,
    /// The command blocked: it replies later.
    pub(crate) blocked: bool,
}

impl Ctx<'_> {
    /// The calling connection's state, to read.
    pub fn client(&self) -> Option<&Client> {
        self.engine.clients.get(&self.client)
    }

    /// The calling connection's state, to change (which makes the dispatch look at the rare
    /// states after the command: see `Engine::needs_attention`).
    pub fn client_mut(&mut self) -> Option<&mut Client> {
        self.engine.clients.get_mut(&self.client)
    }

    /// Hides argument `index` of the running command from the slow log and MONITOR, which show
    /// `(redacted)` instead: secrets, at the moment the command reads them, as Redis's
    /// `redactClientCommandArgument` (a command that fails before reading one shows it).
    pub fn redact(&mut self, index: usize) {
        self.engine.redacted.push(index);
    }

    /// Sends a reply before the handler's own: for commands that answer several times, like
    /// `SUBSCRIBE a b` (one confirmation per channel).
    pub fn emit(&mut self, reply: Reply) {
        self.emitted.push(reply);
    }

    /// Current virtual time in milliseconds.
    pub fn now(&self) -> i64 {
        self.engine.now_ms
    }

    /// The running command, for events.
    fn command(&self) -> CommandId {
        events::command_id(self.spec)
    }

    /// Looks a key up with explicit flags (see [`Lookup`]).
    pub fn lookup(&mut self, key: &[u8], flags: Lookup) -> Option<&mut Entry> {
        let command = self.command();
        self.engine
            .lookup(self.client, self.db, key, flags, command)
    }

    /// Looks a key up for reading, as `lookupKeyRead`.
    pub fn read(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.lookup(key, Lookup::READ)
    }

    /// Looks a key up for writing, as `lookupKeyWrite`.
    pub fn write(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.lookup(key, Lookup::WRITE)
    }

    /// Looks up a key holding a value of type `T`: `Ok(None)` when missing, `WRONGTYPE` when
    /// it holds another type. Every type-specific command reads its key through this.
    pub fn lookup_typed<T: TypedValue>(
        &mut self,
        key: &[u8],
        flags: Lookup,
    ) -> Result<Option<&mut T>, RedisError> {
        match self.lookup(key, flags) {
            None => Ok(None),
            Some(entry) => T::of(&mut entry.value)
                .map(Some)
                .ok_or_else(RedisError::wrong_type),
        }
    }

    /// Looks up a string key (see [`Ctx::lookup_typed`]).
    pub fn lookup_string(
        &mut self,
        key: &[u8],
        flags: Lookup,
    ) -> Result<Option<&mut StrValue>, RedisError> {
        self.lookup_typed::<StrValue>(key, flags)
    }

    /// Stores a value under a key, as Redis's `setKey`: creates or overwrites it, drops its
    /// expire time unless `keep_ttl`, and logs a write. A created key sends the `new`
    /// notification, as `dbAdd` does. Under an LFU policy an overwritten key keeps its access
    /// counter, as `dbOverwrite` does.
    pub fn set_key(&mut self, key: &[u8], value: Value, keep_ttl: bool) {
        let now = self.now();
        let old = self.write(key).map(|e| {
            let stream = matches!(e.value, Value::Stream(_));
            (e.expire_at(), e.lfu_counter, e.lfu_minutes, stream)
        });
        let type_name = value.type_name();
        let mut entry = Entry::new(value, now);
        if let Some((_, counter, minutes, _)) =
            old.filter(|_| self.engine.config.maxmemory_policy.is_lfu())
        {
            entry.lfu_counter = counter;
            entry.lfu_minutes = minutes;
        }
        self.engine.note_db_in_use(self.db);
        let db = &mut self.engine.dbs[self.db];
        db.insert(key, entry);
        if let Some((Some(at), _, _, _)) = old.filter(|_| keep_ttl) {
            db.set_expire(key, Some(at));
        }
        if old.is_none() {
            // Redis's dbAdd announces every new key before the command's own event.
            self.engine.signal_key_as_ready(self.db, key, type_name);
            self.notify(notify::NEW, "new", key);
        } else if old.is_some_and(|(_, _, _, stream)| stream) {
            // dbOverwrite wakes only a blocked XREADGROUP, whose stream is gone.
            self.engine.signal_key_as_ready(self.db, key, "stream");
        }
        // Inserting measured the value.
        self.written(key);
    }

    /// Adds a whole entry (value, expire time, access data) under a key, as Redis's `dbAdd`:
    /// sends the `new` notification and logs a write. The key is expected to be absent
    /// (callers delete it first); a present one is replaced. With [`Ctx::take`] and
    /// [`Ctx::with_db`] this moves a key (`RENAME`, `MOVE`) without changing its object.
    pub fn add(&mut self, key: &[u8], entry: Entry) {
        self.insert_new(key, entry);
        self.written(key);
    }

    /// What [`Ctx::add`] and [`Ctx::add_unsignalled`] share: the entry stored, blocked clients
    /// told its key is ready, the `new` notification.
    fn insert_new(&mut self, key: &[u8], entry: Entry) {
        let type_name = entry.value.type_name();
        self.engine.note_db_in_use(self.db);
        self.engine.dbs[self.db].insert(key, entry);
        self.engine.signal_key_as_ready(self.db, key, type_name);
        self.notify(notify::NEW, "new", key);
    }

    /// Stores a new string key as Redis's bare `dbAdd` (the `new` notification, a logged
    /// write), without the modification signal a command sends once it changed something: for
    /// BITFIELD, which creates its key before its writes, all of which may fail (OVERFLOW FAIL),
    /// and then signals nothing (no WATCH touched, no invalidation, no change counted); and for
    /// DEBUG POPULATE, which signals each key but counts no change.
    pub fn add_unsignalled(&mut self, key: &[u8], value: Value) {
        let entry = Entry::new(value, self.now());
        self.insert_new(key, entry);
        self.logged_write(key);
    }

    /// Records that a key was created or changed in place: measures its value again for the
    /// memory in use (at a cost independent of a collection's size) and logs a write. Call it
    /// after every modification made through a reference from [`Ctx::write`].
    pub fn modified(&mut self, key: &[u8]) {
        self.engine.dbs[self.db].remeasure(key);
        self.written(key);
    }

    /// Whether the calling client speaks RESP3 (for replies whose shape RESP2 would not
    /// convert alone, or that are cheaper built in their final shape).
    pub fn resp3(&self) -> bool {
        self.engine
            .clients
            .get(&self.client)
            .is_some_and(|c| c.resp >= 3)
    }

    /// Records that only a key's expire time changed (`EXPIRE`, `PERSIST`, `GETEX`): as
    /// [`Ctx::modified`] but without measuring the value again, which did not change.
    pub fn expire_changed(&mut self, key: &[u8]) {
        self.written(key);
    }

    /// What follows every write: the change counter, WATCH, the event log.
    fn written(&mut self, key: &[u8]) {
        self.engine.persistence.dirty += 1;
        self.engine.signal_modified_key(self.client, self.db, key);
        self.logged_write(key);
    }

    /// A write in the event log (and the command marked as one that wrote).
    #[inline]
    fn logged_write(&mut self, key: &[u8]) {
        self.engine.wrote = true;
        let command = self.command();
        self.engine.events.push(
            self.engine.now_ms,
            self.client,
            self.db as u8,
            EventKind::Write,
            key,
            command,
        );
    }

    /// Deletes a key, as `dbDelete`; answers whether it existed (and had not expired). Sends no
    /// notification: the caller sends the one its command names (`del`, …).
    pub fn delete(&mut self, key: &[u8]) -> bool {
        self.take(key).is_some()
    }

    /// Removes a key and hands its entry over (to be stored elsewhere with [`Ctx::add`]); logs
    /// a deletion. A key whose time has passed is expired instead, and `None` answered.
    pub fn take(&mut self, key: &[u8]) -> Option<Entry> {
        if self.expire_if_needed(key) {
            return None;
        }
        let entry = self.engine.dbs[self.db].remove(key)?;
        self.engine.persistence.dirty += 1;
        self.engine.signal_modified_key(self.client, self.db, key);
        // A blocked XREADGROUP learns its stream is gone (other waiters keep waiting).
        if matches!(entry.value, Value::Stream(_)) {
            self.engine.signal_key_as_ready(self.db, key, "stream");
        }
        let command = self.command();
        self.engine.events.push(
            self.engine.now_ms,
            self.client,
            self.db as u8,
            EventKind::Del,
            key,
            command,
        );
        Some(entry)
    }

    /// As Redis's `expireIfNeeded`: removes the key if its time has passed (counting, logging
    /// and notifying `expired`) and answers whether it did. A missing key answers false.
    pub fn expire_if_needed(&mut self, key: &[u8]) -> bool {
        let now = self.now();
        let expired = self.engine.dbs[self.db]
            .peek(key)
            .is_some_and(|e| e.is_expired(now));
        if expired {
            self.engine.expire_key(self.client, self.db, key, now);
        }
        expired
    }

    /// Runs `f` with database `db` in place of the selected one (the client's selection is
    /// unchanged): every method of `Ctx` then acts on `db`. For the commands that touch a
    /// second database (`MOVE`, `COPY … DB`). `None` when `db` is out of range.
    pub fn with_db<R>(&mut self, db: usize, f: impl FnOnce(&mut Self) -> R) -> Option<R> {
        if db >= self.engine.dbs.len() {
            return None;
        }
        let selected = std::mem::replace(&mut self.db, db);
        let result = f(self);
        self.db = selected;
        Some(result)
    }

    /// Sends a keyspace notification (`class` from [`crate::notify`], `event` as Redis names it:
    /// `set`, `del`, `expire`, `incrby`, …) for a key of the selected database.
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        self.engine.notify(class, event, key, self.db);
    }

    /// Sets (`Some`) or removes (`None`) a key's expire time; false when the key is missing.
    pub fn set_expire(&mut self, key: &[u8], at: Option<i64>) -> bool {
        self.engine.dbs[self.db].set_expire(key, at)
    }

    /// The selected database.
    pub fn db(&mut self) -> &mut Db {
        &mut self.engine.dbs[self.db]
    }

    /// Makes `db` the client's selected database.
    pub fn select(&mut self, db: usize) {
        self.db = db;
        if let Some(client) = self.engine.clients.get_mut(&self.client) {
            client.db = db;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pubsub::notify;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn set_key_announces_new_keys_only() {
        let mut engine = Engine::new();
        engine.config.notify_keyspace_events = notify::KEYEVENT | notify::NEW;
        let c = engine.connect();
        let listener = engine.connect();
        engine.pubsub.add_channel(b"__keyevent@0__:new", listener);
        engine.exec(c, &argv("SET k v"));
        engine.exec(c, &argv("SET k w"));
        let pushes = engine.take_output(listener);
        assert_eq!(
            pushes,
            [Reply::Array(vec![
                Reply::bulk(b"message"),
                Reply::bulk(b"__keyevent@0__:new"),
                Reply::bulk(b"k")
            ])]
        );
    }
}
