//! Persistence on the virtual clock: LASTSAVE, SAVE, BGSAVE, BGREWRITEAOF, the `save` points,
//! and restarts ([`Engine::crash_restart`], SHUTDOWN). Files live in memory: the RDB file is
//! [`Engine::rdb_file`], the append-only file [`Engine::aof_file`] (see [`crate::aof`]).
//!
//! A background job (BGSAVE, BGREWRITEAOF) stands for Redis's child process: it takes its
//! snapshot of the dataset when it starts (the fork) and runs for [`CHILD_MS`] of virtual time,
//! during which another job of the same kind is refused and one of the other kind is scheduled
//! to start when it ends, as Redis's `serverCron` does; at its end the RDB file (or the
//! append-only file's new base) becomes that snapshot. Saves never fail here (there is no disk
//! to fill), so Redis's 5-second delay before retrying a failed automatic save never applies.
//!
//! Save points (`save "3600 1 300 100"`): at each `serverCron` tick (every 100 ms of virtual
//! time, Redis's default `hz 10`) without a running job, a BGSAVE starts when, for some point,
//! the changes since the last save are at least its count and more than its seconds have
//! passed since the last save, counted in whole Unix seconds (`dirty >= changes && unixtime -
//! lastsave > seconds`).

use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::engine::Engine;
use crate::errors::{CmdResult, RedisError};
use crate::reply::Reply;

/// The period of `serverCron` in virtual milliseconds (Redis's default `hz 10`).
pub const CRON_TICK_MS: i64 = 100;

/// How long a simulated background job runs, in virtual milliseconds: a save of a small
/// dataset, noticed at the next `serverCron` tick (10 per second).
pub const CHILD_MS: i64 = 100;

/// The persistence registrations (Redis's `server` group).
pub static COMMANDS: &[Command] = &[
    Command::new(
        "lastsave",
        lastsave_command,
        "Answers the Unix time of the last successful save.",
    ),
    Command::new(
        "save",
        save_command,
        "Saves the dataset to the RDB file in the foreground.",
    ),
    Command::new(
        "bgsave",
        bgsave_command,
        "Starts (or schedules) a save of the dataset to the RDB file in the background.",
    ),
    Command::new(
        "bgrewriteaof",
        bgrewriteaof_command,
        "Starts (or schedules) a rewrite of the append-only file from the dataset.",
    ),
];

/// Which background job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKind {
    /// A snapshot (BGSAVE).
    Rdb,
    /// An append-only file rewrite (BGREWRITEAOF).
    Aof,
}

/// A running background job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Child {
    /// What it does.
    pub kind: ChildKind,
    /// Virtual time it started.
    pub start_ms: i64,
}

/// What INFO persistence and these commands report.
// Independent facts of the server's state, as Redis keeps them in its `server` struct.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub struct Persistence {
    /// Unix time in seconds of the last save (the start of the server until one is made).
    pub lastsave: i64,
    /// Changes since the last save (`rdb_changes_since_last_save`).
    pub dirty: u64,
    /// `dirty` when the running BGSAVE started: what its end subtracts.
    pub dirty_before_bgsave: u64,
    /// The running background job.
    pub child: Option<Child>,
    /// A BGSAVE waits for the running job to end.
    pub bgsave_scheduled: bool,
    /// A BGREWRITEAOF waits for the running job to end.
    pub aof_rewrite_scheduled: bool,
    /// Seconds the last BGSAVE took (-1: none yet).
    pub last_bgsave_secs: i64,
    /// Seconds the last AOF rewrite took (-1: none yet).
    pub last_aof_rewrite_secs: i64,
    /// The running BGSAVE's snapshot: the RDB file it will leave.
    pub child_snapshot: Option<Vec<u8>>,
    /// Keys loaded and keys skipped as expired by the last load (`rdb_last_load_keys_*`).
    pub last_load: (u64, u64),
    /// A SHUTDOWN asked for a restart once its command ends.
    pub restart_pending: bool,
    /// The running BGSAVE was killed (FLUSHALL): it ends without effect.
    pub child_killed: bool,
}

/// Where a restart found the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartSource {
    /// The append-only file (its base and the commands replayed after it).
    Aof,
    /// The RDB file.
    Rdb,
    /// Nothing: the server starts empty.
    Nothing,
}

impl RestartSource {
    /// `"aof"`, `"rdb"` or `"none"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RestartSource::Aof => "aof",
            RestartSource::Rdb => "rdb",
            RestartSource::Nothing => "none",
        }
    }
}

/// What a restart loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restart {
    /// Where the dataset came from.
    pub source: RestartSource,
    /// Keys in the databases after loading.
    pub keys: u64,
    /// Commands replayed from the append-only file.
    pub commands_replayed: u64,
}

impl Default for Persistence {
    fn default() -> Self {
        Persistence {
            lastsave: 0,
            dirty: 0,
            dirty_before_bgsave: 0,
            child: None,
            bgsave_scheduled: false,
            aof_rewrite_scheduled: false,
            last_bgsave_secs: -1,
            last_aof_rewrite_secs: -1,
            child_snapshot: None,
            last_load: (0, 0),
            restart_pending: false,
            child_killed: false,
        }
    }
}

impl Engine {
    /// Starts a background job now (`rdbSaveBackground`, `rewriteAppendOnlyFileBackground`).
    fn start_child(&mut self, kind: ChildKind, at_ms: i64) {
        match kind {
            ChildKind::Rdb => {
                self.stats.rdb_saves += 1;
                self.persistence.dirty_before_bgsave = self.persistence.dirty;
                self.persistence.bgsave_scheduled = false;
                self.persistence.child_snapshot = Some(crate::rdb::save_database(self));
            }
            ChildKind::Aof => {
                self.stats.aof_rewrites += 1;
                self.persistence.aof_rewrite_scheduled = false;
                self.aof_rewrite_started();
            }
        }
        self.persistence.child = Some(Child {
            kind,
            start_ms: at_ms,
        });
    }

    /// Ends the background jobs whose time has come and starts the scheduled ones, as
    /// `serverCron` does; called whenever the clock moves.
    pub(crate) fn run_background_jobs(&mut self) {
        while let Some(child) = self.persistence.child {
            let end = child.start_ms.saturating_add(CHILD_MS);
            if end > self.now_ms {
                return;
            }
            let secs = (end - child.start_ms) / 1000;
            let p = &mut self.persistence;
            p.child = None;
            match child.kind {
                ChildKind::Rdb if std::mem::take(&mut p.child_killed) => {}
                ChildKind::Rdb => {
                    p.lastsave = end.div_euclid(1000);
                    p.dirty = p.dirty.saturating_sub(p.dirty_before_bgsave);
                    p.last_bgsave_secs = secs;
                    if let Some(file) = p.child_snapshot.take() {
                        self.rdb_file = Some(file);
                    }
                }
                ChildKind::Aof => {
                    p.last_aof_rewrite_secs = secs;
                    self.aof_rewrite_done();
                }
            }
            if self.persistence.aof_rewrite_scheduled {
                self.start_child(ChildKind::Aof, end);
            } else if self.persistence.bgsave_scheduled {
                self.start_child(ChildKind::Rdb, end);
            }
        }
    }

    /// `appendonly yes` (Redis's `startAppendOnly`): the file is written by a rewrite, started
    /// now or when the running job ends.
    pub(crate) fn start_appendonly(&mut self) {
        self.aof_starting();
        match self.child_kind() {
            Some(ChildKind::Aof) => {}
            Some(ChildKind::Rdb) => self.persistence.aof_rewrite_scheduled = true,
            None => self.start_child(ChildKind::Aof, self.now_ms),
        }
    }

    /// `appendonly no` (Redis's `stopAppendOnly`): a running rewrite is killed.
    pub(crate) fn stop_appendonly(&mut self) {
        if self.child_kind() == Some(ChildKind::Aof) {
            self.persistence.child = None;
        }
        self.persistence.aof_rewrite_scheduled = false;
        self.aof_stopped();
    }

    /// The first tick of `serverCron` after now.
    fn next_tick(&self) -> i64 {
        self.now_ms
            .div_euclid(CRON_TICK_MS)
            .saturating_add(1)
            .saturating_mul(CRON_TICK_MS)
    }

    /// When the save points start a BGSAVE, at the earliest at the next tick (the changes
    /// counter cannot move while the clock does).
    fn next_save_point(&self) -> Option<i64> {
        if self.persistence.child.is_some() {
            return None;
        }
        let dirty = self.persistence.dirty;
        let tick = self.next_tick();
        self.config
            .save
            .iter()
            .filter(|&&(_, changes)| i64::try_from(dirty).unwrap_or(i64::MAX) >= i64::from(changes))
            .map(|&(seconds, _)| {
                // The first whole second more than `seconds` after the last save.
                let second = self
                    .persistence
                    .lastsave
                    .saturating_add(seconds)
                    .saturating_add(1);
                second.saturating_mul(1000).max(tick)
            })
            .min()
    }

    /// Whether a save point asks for a save now (no job running).
    fn save_point_reached(&self) -> bool {
        let dirty = i64::try_from(self.persistence.dirty).unwrap_or(i64::MAX);
        let elapsed = self
            .now_ms
            .div_euclid(1000)
            .saturating_sub(self.persistence.lastsave);
        self.persistence.child.is_none()
            && self
                .config
                .save
                .iter()
                .any(|&(seconds, changes)| dirty >= i64::from(changes) && elapsed > seconds)
    }

    /// The next moment after now, up to `limit`, at which `serverCron` has something to do.
    pub(crate) fn next_cron_event(&self, limit: i64) -> Option<i64> {
        let child_end = self
            .persistence
            .child
            .map(|c| c.start_ms.saturating_add(CHILD_MS));
        let auto_rewrite = self.aof_rewrite_due().then(|| self.next_tick());
        // (When the cron may start no more jobs in this move, these ticks come and go: the
        // loop in `set_time` is bounded.)
        [
            child_end,
            self.next_save_point(),
            self.next_aof_flush(limit),
            auto_rewrite,
        ]
        .into_iter()
        .flatten()
        .map(|at| at.max(self.now_ms.saturating_add(1)))
        .filter(|&at| at <= limit)
        .min()
    }

    /// What `serverCron` (and the event loop) does at the current time: ends the background
    /// jobs whose time came, makes written data durable when due and, at a tick, starts the
    /// save the save points ask for, or else the rewrite the file's growth asks for.
    /// Answers whether it started a job.
    pub(crate) fn run_cron(&mut self, tick: bool) -> bool {
        self.run_background_jobs();
        self.run_aof_flush();
        if tick && self.save_point_reached() {
            self.start_child(ChildKind::Rdb, self.now_ms);
        } else if tick && self.aof_rewrite_due() {
            self.start_child(ChildKind::Aof, self.now_ms);
        } else {
            return false;
        }
        true
    }

    /// Simulates a crash of the machine (a power cut) and a restart of the server, as a host
    /// call (Redis has no command for it). What survives is what was on disk: with
    /// `appendonly yes`, the append-only file up to what was fsynced (or written back by the
    /// operating system), replayed; otherwise the last RDB file saved (a BGSAVE still running
    /// never finished), or nothing. Every connection is closed, and the server starts afresh:
    /// statistics, uptime, the slow log and the changes counter start over and LASTSAVE is
    /// the restart. The configuration stays as it was (as if saved with CONFIG REWRITE), the
    /// clock goes on, the event log is kept and client ids keep growing.
    pub fn crash_restart(&mut self) -> Restart {
        self.restart()
    }

    /// A SHUTDOWN's end: the server stops and starts again from what it saved.
    pub(crate) fn restart_after_shutdown(&mut self) -> Restart {
        // Redis fsyncs the append-only file before exiting.
        self.aof_fsync();
        self.restart()
    }

    fn restart(&mut self) -> Restart {
        let ids: Vec<crate::ClientId> = self.clients.keys().copied().collect();
        for id in ids {
            self.disconnect(id);
        }
        // Child processes die with the server; what they had not written is lost.
        self.persistence.child = None;
        self.persistence.child_snapshot = None;
        self.aof.rewrite = None;
        self.aof.pending.clear();
        // What is not on disk is gone.
        self.aof.incr.truncate(self.aof.durable);
        self.aof.unflushed.clear();
        self.aof.selected_db = None;
        for db in &mut self.dbs {
            db.clear();
        }
        self.watched.clear();
        self.blocking = crate::blocking::Blocking::default();
        // The scripts cache is in the server's memory only.
        self.scripts = crate::commands::scripting::Scripts::default();
        // Functions are in the server's memory too: they come back from the file loaded.
        self.functions.clear();
        let events = std::mem::replace(&mut self.events, crate::events::EventLog::new(0));
        let mut replayed = 0;
        let mut load = (0, 0);
        let source = if self.config.appendonly {
            if let Some(base) = self.aof.base.clone() {
                if let Ok(report) = crate::lazy::load_database(self, &base) {
                    load = (report.keys_loaded, report.keys_expired);
                }
                replayed = self.replay_aof();
                // Growth for automatic rewrites is measured from the file loaded.
                self.aof.rewrite_base_size = self.aof_size();
                RestartSource::Aof
            } else {
                // Turned on but its first rewrite never finished: Redis finds no file and
                // starts empty (it does not read the RDB file when the AOF is on).
                RestartSource::Nothing
            }
        } else if let Some(file) = self.rdb_file.clone() {
            if let Ok(report) = crate::lazy::load_database(self, &file) {
                load = (report.keys_loaded, report.keys_expired);
            }
            RestartSource::Rdb
        } else {
            RestartSource::Nothing
        };
        self.events = events;
        // A new process.
        let now = self.now_ms;
        self.stats = crate::engine::Stats::default();
        self.slowlog = crate::commands::slowlog::Slowlog::default();
        self.pubsub = crate::pubsub::PubSub::default();
        self.monitors.clear();
        self.monitor_echo.clear();
        self.eviction = crate::evict::Eviction::default();
        self.started_ms = now;
        self.persistence = Persistence {
            lastsave: now.div_euclid(1000),
            last_load: load,
            ..Persistence::default()
        };
        self.peak_memory = 0;
        self.wrote = true;
        // What DEBUG changed lives in the process: active expiry is on, the replication ID
        // the one a server starts with.
        self.active_expire = true;
        self.repl_id = None;
        let keys = self.dbs.iter().map(|db| db.len() as u64).sum();
        Restart {
            source,
            keys,
            commands_replayed: replayed,
        }
    }

    /// Runs the commands of the append-only file's incremental part on a loading client
    /// (nothing is appended, no event logged), as Redis's `loadSingleAppendOnlyFile`.
    fn replay_aof(&mut self) -> u64 {
        let commands = crate::aof::parse_commands(&self.aof.incr);
        let registry = crate::command::Registry::get();
        self.aof.loading = true;
        let client = self.connect();
        let mut replayed = 0;
        for argv in commands {
            let Some(spec) = registry.lookup_argv(&argv) else {
                continue;
            };
            if !spec.arity_ok(argv.len()) {
                continue;
            }
            self.execute(client, spec, &argv);
            if let Some(c) = self.clients.get_mut(&client) {
                c.outbox.clear();
            }
            replayed += 1;
        }
        self.disconnect(client);
        self.blocking.ready.clear();
        self.aof.loading = false;
        replayed
    }

    fn child_kind(&self) -> Option<ChildKind> {
        self.persistence.child.map(|c| c.kind)
    }
}

/// Answers the Unix time of the last save; the server's start until one is made.
///
/// `LASTSAVE`
pub fn lastsave_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(ctx.engine.persistence.lastsave))
}

/// Saves in the foreground: the RDB file becomes the dataset, the last save now, and no change
/// is pending. Refused while a BGSAVE runs.
///
/// `SAVE`
pub fn save_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    if ctx.engine.child_kind() == Some(ChildKind::Rdb) {
        return Err(RedisError::new("ERR Background save already in progress"));
    }
    ctx.engine.save_now();
    Ok(Reply::ok())
}

impl Engine {
    /// FLUSHALL with save points configured: a running BGSAVE is killed (it is seen running
    /// until the cron notices its end) and the empty dataset saved at once, which Redis does
    /// not count in `rdb_saves`.
    pub(crate) fn flushall_save(&mut self) {
        if self.child_kind() == Some(ChildKind::Rdb) {
            self.persistence.child_killed = true;
            self.persistence.child_snapshot = None;
        }
        self.rdb_file = Some(crate::rdb::save_database(self));
        self.persistence.lastsave = self.now_ms.div_euclid(1000);
        self.persistence.dirty = 0;
    }

    /// A foreground save (Redis's `rdbSave`): the RDB file is the dataset now.
    pub(crate) fn save_now(&mut self) {
        let file = crate::rdb::save_database(self);
        self.rdb_file = Some(file);
        self.stats.rdb_saves += 1;
        self.persistence.lastsave = self.now_ms.div_euclid(1000);
        self.persistence.dirty = 0;
    }
}

/// Starts a background save; with `SCHEDULE` (or inside EXEC), one that waits for a running
/// AOF rewrite.
///
/// `BGSAVE [SCHEDULE]`
pub fn bgsave_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let schedule = match argv {
        [_] => false,
        [_, option] if args::is(option, "schedule") => true,
        _ => return Err(RedisError::syntax()),
    };
    let in_exec = ctx.engine.blocking.in_exec;
    match (ctx.engine.child_kind(), in_exec) {
        (Some(ChildKind::Rdb), _) => {
            Err(RedisError::new("ERR Background save already in progress"))
        }
        (Some(ChildKind::Aof), _) | (None, true) => {
            if schedule || in_exec {
                ctx.engine.persistence.bgsave_scheduled = true;
                Ok(Reply::status("Background saving scheduled"))
            } else {
                Err(RedisError::new(
                    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
                ))
            }
        }
        (None, false) => {
            let now = ctx.now();
            ctx.engine.start_child(ChildKind::Rdb, now);
            Ok(Reply::status("Background saving started"))
        }
    }
}

/// Starts a rewrite of the append-only file, or schedules it while another job runs (or inside
/// EXEC).
///
/// `BGREWRITEAOF`
pub fn bgrewriteaof_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    match ctx.engine.child_kind() {
        Some(ChildKind::Aof) => Err(RedisError::new(
            "ERR Background append only file rewriting already in progress",
        )),
        Some(ChildKind::Rdb) => {
            ctx.engine.persistence.aof_rewrite_scheduled = true;
            Ok(Reply::status(
                "Background append only file rewriting scheduled",
            ))
        }
        None if ctx.engine.blocking.in_exec => {
            ctx.engine.persistence.aof_rewrite_scheduled = true;
            Ok(Reply::status(
                "Background append only file rewriting scheduled",
            ))
        }
        None => {
            let now = ctx.now();
            ctx.engine.start_child(ChildKind::Aof, now);
            Ok(Reply::status(
                "Background append only file rewriting started",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Reply};

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn background_jobs_run_on_the_virtual_clock() {
        let mut e = Engine::new();
        e.set_time(1_767_225_600_000);
        let c = e.connect();
        assert_eq!(e.exec(c, &argv("LASTSAVE")), Reply::Integer(1_767_225_600));
        e.exec(c, &argv("SET k v"));
        e.advance(5_000);
        assert_eq!(
            e.exec(c, &argv("BGSAVE")),
            Reply::status("Background saving started")
        );
        assert_eq!(
            e.exec(c, &argv("BGSAVE")),
            Reply::error("ERR Background save already in progress")
        );
        assert_eq!(
            e.exec(c, &argv("BGREWRITEAOF")),
            Reply::status("Background append only file rewriting scheduled")
        );
        assert_eq!(e.exec(c, &argv("LASTSAVE")), Reply::Integer(1_767_225_600));
        e.advance(100);
        // The save ended; the scheduled rewrite started at once.
        assert_eq!(e.exec(c, &argv("LASTSAVE")), Reply::Integer(1_767_225_605));
        assert_eq!(
            e.exec(c, &argv("BGSAVE")),
            Reply::error(
                "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."
            )
        );
        assert_eq!(
            e.exec(c, &argv("BGSAVE SCHEDULE")),
            Reply::status("Background saving scheduled")
        );
        e.advance(200);
        assert_eq!(e.stats().rdb_saves, 2);
        assert_eq!(e.stats().aof_rewrites, 1);
        assert!(e.persistence.child.is_none());
        assert_eq!(e.exec(c, &argv("SAVE")), Reply::ok());
        assert_eq!(e.stats().rdb_saves, 3);
    }
}
