//! Persistence commands as a Redis without disk persistence answers them: LASTSAVE, SAVE,
//! BGSAVE, BGREWRITEAOF. Nothing is written anywhere; what is kept is the state INFO and these
//! commands report (last save time on the virtual clock, changes since, counters, background
//! jobs).
//!
//! A background job (BGSAVE, BGREWRITEAOF) stands for Redis's child process: it runs for
//! [`CHILD_MS`] of virtual time, during which another job of the same kind is refused and one of
//! the other kind is scheduled to start when it ends, as Redis's `serverCron` does.

use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::engine::Engine;
use crate::errors::{CmdResult, RedisError};
use crate::reply::Reply;

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
        "Saves the dataset in the foreground (here: records the save).",
    ),
    Command::new(
        "bgsave",
        bgsave_command,
        "Starts (or schedules) a background save.",
    ),
    Command::new(
        "bgrewriteaof",
        bgrewriteaof_command,
        "Starts (or schedules) a rewrite of the append-only file.",
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
            }
            ChildKind::Aof => {
                self.stats.aof_rewrites += 1;
                self.persistence.aof_rewrite_scheduled = false;
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
                ChildKind::Rdb => {
                    p.lastsave = end.div_euclid(1000);
                    p.dirty = p.dirty.saturating_sub(p.dirty_before_bgsave);
                    p.last_bgsave_secs = secs;
                }
                ChildKind::Aof => p.last_aof_rewrite_secs = secs,
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

/// Saves in the foreground: the last save becomes now and no change is pending. Refused while
/// a BGSAVE runs.
///
/// `SAVE`
pub fn save_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    if ctx.engine.child_kind() == Some(ChildKind::Rdb) {
        return Err(RedisError::new("ERR Background save already in progress"));
    }
    let now = ctx.now();
    let engine = &mut *ctx.engine;
    engine.stats.rdb_saves += 1;
    engine.persistence.lastsave = now.div_euclid(1000);
    engine.persistence.dirty = 0;
    Ok(Reply::ok())
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
