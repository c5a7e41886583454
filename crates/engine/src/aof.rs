//! The append-only file, simulated in memory as Redis 7.0 keeps it (a multi-part AOF: a base
//! and an incremental part), with its propagation, its fsync policies on the virtual clock and
//! its replay at restart.
//!
//! - **Propagation** (Redis's `alsoPropagate` / `propagatePendingCommands`): a command that
//!   changed the dataset is appended as Redis appends it — its arguments as the client sent
//!   them, or as its handler rewrote them ([`crate::Ctx::propagate_as`]: relative expire times
//!   become absolute, `SPOP` becomes `SREM`, `BLPOP` becomes `LPOP`, `XADD *` gets its ID, …).
//!   Keys removed on the way (lazy expiry) are `DEL`s before it; when one command produced
//!   several entries they are wrapped in `MULTI`/`EXEC`. Active expiry and eviction append a
//!   `DEL` of their own. A `SELECT` goes first whenever the database differs from the last
//!   entry's.
//! - **The file**: `base` is the dataset as an RDB (what a rewrite writes with Redis 7.0's
//!   default `aof-use-rdb-preamble yes`), `incr` the commands since, as RESP. A rewrite
//!   (`BGREWRITEAOF`, `CONFIG SET appendonly yes`) takes the dataset when it starts; when it
//!   ends (after [`CHILD_MS`](crate::commands::persistence::CHILD_MS)) its snapshot becomes the
//!   base and the commands appended since its start the new incremental part.
//! - **Durability**: `durable` is how much of `incr` has reached the disk (fsynced, or written
//!   back by the operating system). Redis writes its buffer to the file before answering, so a
//!   crash of the process alone loses nothing; what a crash of the machine (power loss) loses
//!   is what is not durable, and that is what [`Engine::crash_restart`] simulates. The policies
//!   (`appendfsync`): `always` fsyncs before answering; `everysec` fsyncs right away when the
//!   last fsync was in an earlier second, else at the next second (Redis's `server.unixtime >
//!   server.aof_last_fsync` test, checked at every event-loop turn, which `serverCron` makes at
//!   least every 100 ms), so a crash loses at most the writes of the last second; `no` never
//!   fsyncs, and the simulated operating system writes a page back once it has been dirty for
//!   30 s, at its flusher's next 5-second wake-up (Linux's `dirty_expire_centisecs` 3000 and
//!   `dirty_writeback_centisecs` 500 defaults), so up to 35 s of writes are lost.

use std::collections::VecDeque;

use crate::config::AppendFsync;
use crate::engine::{Ctx, Engine};
use crate::reply::Reply;

/// How long the simulated operating system leaves written data unflushed, in milliseconds.
pub const OS_DIRTY_EXPIRE_MS: i64 = 30_000;
/// How often its flusher wakes, in milliseconds.
pub const OS_WRITEBACK_MS: i64 = 5_000;

/// The append-only file and its propagation state.
#[derive(Debug, Clone, Default)]
pub struct Aof {
    /// The base part (an RDB), once a rewrite produced one.
    pub base: Option<Vec<u8>>,
    /// The incremental part: commands as RESP.
    pub incr: Vec<u8>,
    /// Bytes of `incr` on disk (fsynced or written back).
    pub durable: usize,
    /// Ends of the writes not yet durable under `appendfsync no`, with their time.
    pub unflushed: VecDeque<(usize, i64)>,
    /// The second of the last fsync (Redis's `aof_last_fsync`).
    pub last_fsync_sec: i64,
    /// The database of the last entry (`None`: a `SELECT` must precede the next).
    pub selected_db: Option<usize>,
    /// The running rewrite: its snapshot of the dataset and the length of `incr` when it
    /// started.
    pub rewrite: Option<(Vec<u8>, usize)>,
    /// Entries of the running command (and of what it caused), appended when it ends.
    pub pending: Vec<(usize, Vec<Vec<u8>>)>,
    /// How deep in command execution the engine is (EXEC runs commands inside a command).
    pub depth: u32,
    /// What the running command asked to be propagated as, instead of its arguments.
    pub rewritten: Option<Vec<Vec<Vec<u8>>>>,
    /// The running command is propagated even if it changed nothing (`FLUSHALL` of an empty
    /// server, as Redis's `forceCommandPropagation`).
    pub forced: bool,
    /// Replaying: nothing is appended.
    pub loading: bool,
    /// The file's size after the last rewrite (Redis's `aof_rewrite_base_size`), from which
    /// `auto-aof-rewrite-percentage` measures growth.
    pub rewrite_base_size: usize,
}

/// What [`Engine::enter_command`] saves for [`Engine::leave_command`].
pub(crate) struct Propagation {
    /// The change counter before the handler ran.
    dirty: u64,
    /// An enclosing command's rewritten propagation.
    rewritten: Option<Vec<Vec<Vec<u8>>>>,
    /// An enclosing command's forced propagation.
    forced: bool,
}

/// A command to propagate, from its words.
pub fn command(words: &[&[u8]]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.to_vec()).collect()
}

/// Appends a command as RESP (an array of bulk strings), as Redis's
/// `catAppendOnlyGenericCommand`.
pub fn encode_command(out: &mut Vec<u8>, argv: &[Vec<u8>]) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// Reads the commands of an incremental part, as Redis's `loadSingleAppendOnlyFile`: each an
/// array of bulk strings. A truncated last command is dropped (`aof-load-truncated yes`), and
/// so is a transaction whose `EXEC` is missing. Anything else malformed ends the reading there.
pub fn parse_commands(mut bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut commands = Vec::new();
    let mut open_multi = None;
    while let Ok(Some((reply, used))) = crate::resp::parse(bytes) {
        let Reply::Array(items) = reply else { break };
        let argv: Option<Vec<Vec<u8>>> = items
            .into_iter()
            .map(|item| match item {
                Reply::Bulk(b) => Some(b.into_vec()),
                _ => None,
            })
            .collect();
        let Some(argv) = argv.filter(|a| !a.is_empty()) else {
            break;
        };
        let name = argv.first().map(|n| n.to_ascii_lowercase());
        match name.as_deref() {
            Some(b"multi") => open_multi = Some(commands.len()),
            Some(b"exec") => open_multi = None,
            _ => commands.push(argv),
        }
        bytes = bytes.get(used..).unwrap_or_default();
    }
    if let Some(start) = open_multi {
        commands.truncate(start);
    }
    commands
}

impl Ctx<'_> {
    /// Propagates the running command as these commands instead of its own arguments (Redis's
    /// `rewriteClientCommandVector` and `alsoPropagate`), if it changes the dataset; an empty
    /// list propagates nothing.
    pub fn propagate_as(&mut self, commands: Vec<Vec<Vec<u8>>>) {
        self.engine.aof.rewritten = Some(commands);
    }

    /// Propagates the running command even if it changed nothing.
    pub fn force_propagation(&mut self) {
        self.engine.aof.forced = true;
    }
}

/// When the simulated operating system writes back data written at `written`: at its
/// flusher's first wake-up once the data has been dirty for 30 s.
fn os_writeback_at(written: i64) -> i64 {
    written
        .saturating_add(OS_DIRTY_EXPIRE_MS + OS_WRITEBACK_MS - 1)
        .div_euclid(OS_WRITEBACK_MS)
        .saturating_mul(OS_WRITEBACK_MS)
}

/// The Unix second of a virtual time.
fn second(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

impl Engine {
    /// What surrounds a command's handler for propagation (Redis's `call`), before it runs:
    /// the handler's own requests start afresh (those of an enclosing command are saved).
    /// [`Engine::leave_command`] does the rest once it has run.
    #[inline]
    pub(crate) fn enter_command(&mut self) -> Propagation {
        let saved = Propagation {
            dirty: self.persistence.dirty,
            rewritten: self.aof.rewritten.take(),
            forced: std::mem::take(&mut self.aof.forced),
        };
        self.aof.depth += 1;
        saved
    }

    /// After a handler ran: if the command changed the dataset (or forced it), its entries
    /// are added (`db`: the database it ended in); a top-level command's are appended.
    #[inline]
    pub(crate) fn leave_command(
        &mut self,
        saved: Propagation,
        db: usize,
        is_exec: impl FnOnce() -> bool,
        argv: &[Vec<u8>],
    ) {
        self.aof.depth = self.aof.depth.saturating_sub(1);
        // Usually nothing to add and nothing to restore: no rewritten or forced propagation
        // here or in an enclosing command, and no change, or no file to append it to.
        let plain = saved.rewritten.is_none()
            && !saved.forced
            && self.aof.rewritten.is_none()
            && !self.aof.forced
            && (self.persistence.dirty == saved.dirty || !self.aof_feeding());
        if !plain {
            self.leave_propagation(saved, db, is_exec, argv);
        }
        if self.aof.depth == 0 {
            self.flush_propagation();
        }
    }

    /// The work of [`Engine::leave_command`] when the command propagates or requested a
    /// propagation of its own: its entries are added, the enclosing command's requests
    /// restored.
    #[inline(never)]
    fn leave_propagation(
        &mut self,
        saved: Propagation,
        db: usize,
        is_exec: impl FnOnce() -> bool,
        argv: &[Vec<u8>],
    ) {
        let rewritten = std::mem::replace(&mut self.aof.rewritten, saved.rewritten);
        let forced = std::mem::replace(&mut self.aof.forced, saved.forced);
        // EXEC's commands propagated themselves.
        if (self.persistence.dirty != saved.dirty || forced) && self.aof_feeding() && !is_exec() {
            match rewritten {
                Some(commands) => {
                    for command in commands {
                        self.aof.pending.push((db, command));
                    }
                }
                None => self.aof.pending.push((db, argv.to_vec())),
            }
        }
    }

    /// Whether commands are appended: the file is on, or being created by its first rewrite.
    pub(crate) fn aof_feeding(&self) -> bool {
        self.config.appendonly && !self.aof.loading
    }

    /// Adds an entry to the running command's (Redis's `alsoPropagate`); outside a command it
    /// is appended at once.
    pub(crate) fn propagate(&mut self, db: usize, argv: Vec<Vec<u8>>) {
        if !self.aof_feeding() {
            return;
        }
        self.aof.pending.push((db, argv));
        if self.aof.depth == 0 {
            self.flush_propagation();
        }
    }

    /// Appends the pending entries (Redis's `propagatePendingCommands`): several are wrapped
    /// in `MULTI`/`EXEC`. Then applies the fsync policy.
    #[inline]
    pub(crate) fn flush_propagation(&mut self) {
        if !self.aof.pending.is_empty() {
            self.append_pending();
        }
    }

    #[inline(never)]
    fn append_pending(&mut self) {
        let ops = std::mem::take(&mut self.aof.pending);
        if ops.is_empty() || !self.aof_feeding() {
            return;
        }
        let wrap = ops.len() > 1;
        let mut out = Vec::new();
        if wrap {
            if let Some((db, _)) = ops.first() {
                self.select_for_aof(&mut out, *db);
            }
            encode_command(&mut out, &[b"MULTI".to_vec()]);
        }
        for (db, argv) in &ops {
            self.select_for_aof(&mut out, *db);
            encode_command(&mut out, argv);
        }
        if wrap {
            encode_command(&mut out, &[b"EXEC".to_vec()]);
        }
        self.aof.incr.extend_from_slice(&out);
        self.aof_written();
    }

    fn select_for_aof(&mut self, out: &mut Vec<u8>, db: usize) {
        if self.aof.selected_db != Some(db) {
            encode_command(out, &[b"SELECT".to_vec(), db.to_string().into_bytes()]);
            self.aof.selected_db = Some(db);
        }
    }

    /// What follows a write to the file, under the fsync policy.
    fn aof_written(&mut self) {
        let now = self.now_ms;
        match self.config.appendfsync {
            AppendFsync::Always => self.aof_fsync(),
            AppendFsync::EverySec => {
                if second(now) > self.aof.last_fsync_sec {
                    self.aof_fsync();
                    self.aof.last_fsync_sec = second(now);
                }
            }
            AppendFsync::No => self.aof.unflushed.push_back((self.aof.incr.len(), now)),
        }
    }

    /// Everything written is on disk.
    pub(crate) fn aof_fsync(&mut self) {
        self.aof.durable = self.aof.incr.len();
        self.aof.unflushed.clear();
    }

    /// The next moment after now, up to `limit`, at which written data reaches the disk.
    pub(crate) fn next_aof_flush(&self, limit: i64) -> Option<i64> {
        if self.aof.durable >= self.aof.incr.len() {
            return None;
        }
        let at = match self.config.appendfsync {
            AppendFsync::Always => self.now_ms,
            AppendFsync::EverySec => self
                .aof
                .last_fsync_sec
                .saturating_add(1)
                .saturating_mul(1000),
            AppendFsync::No => os_writeback_at(self.aof.unflushed.front()?.1),
        };
        let at = at.max(self.now_ms.saturating_add(1));
        (at <= limit).then_some(at)
    }

    /// Makes durable what is due at the current time (the clock was just moved to it).
    pub(crate) fn run_aof_flush(&mut self) {
        if self.aof.durable >= self.aof.incr.len() {
            return;
        }
        match self.config.appendfsync {
            AppendFsync::Always => self.aof_fsync(),
            AppendFsync::EverySec => {
                if second(self.now_ms) > self.aof.last_fsync_sec {
                    self.aof_fsync();
                    self.aof.last_fsync_sec = second(self.now_ms);
                }
            }
            AppendFsync::No => {
                let now = self.now_ms;
                while let Some(&(end, written)) = self.aof.unflushed.front() {
                    if os_writeback_at(written) > now {
                        break;
                    }
                    self.aof.durable = self.aof.durable.max(end);
                    self.aof.unflushed.pop_front();
                }
            }
        }
    }

    /// The file's size (`aof_current_size`).
    pub(crate) fn aof_size(&self) -> usize {
        self.aof.base.as_ref().map_or(0, Vec::len) + self.aof.incr.len()
    }

    /// Whether the file grew enough for an automatic rewrite (Redis's `serverCron`: more than
    /// `auto-aof-rewrite-min-size`, and by `auto-aof-rewrite-percentage` since the last
    /// rewrite). This also keeps the file in memory from growing without bound.
    pub(crate) fn aof_rewrite_due(&self) -> bool {
        if !self.config.appendonly
            || self.aof.base.is_none()
            || self.persistence.child.is_some()
            || self.persistence.aof_rewrite_scheduled
        {
            return false;
        }
        let percentage = self.config.number("auto-aof-rewrite-percentage");
        let min_size = self.config.number("auto-aof-rewrite-min-size");
        let size = i64::try_from(self.aof_size()).unwrap_or(i64::MAX);
        if percentage <= 0 || size <= min_size {
            return false;
        }
        let base = i64::try_from(self.aof.rewrite_base_size.max(1)).unwrap_or(i64::MAX);
        size.saturating_mul(100) / base - 100 >= percentage
    }

    /// A rewrite starts: it will write the dataset as it is now.
    pub(crate) fn aof_rewrite_started(&mut self) {
        let snapshot = crate::rdb::save_database(self);
        self.aof.rewrite = Some((snapshot, self.aof.incr.len()));
        // Redis opens a new incremental file, which starts with a SELECT.
        self.aof.selected_db = None;
    }

    /// A rewrite ends: its snapshot becomes the base, and the commands appended since it started
    /// the incremental part. The new base is fsynced, as Redis does before switching to it.
    pub(crate) fn aof_rewrite_done(&mut self) {
        let Some((snapshot, split)) = self.aof.rewrite.take() else {
            return;
        };
        let split = split.min(self.aof.incr.len());
        self.aof.incr.drain(..split);
        self.aof.rewrite_base_size = snapshot.len() + self.aof.incr.len();
        self.aof.base = Some(snapshot);
        self.aof.durable = self.aof.durable.saturating_sub(split);
        for (end, _) in &mut self.aof.unflushed {
            *end = end.saturating_sub(split);
        }
        self.aof.unflushed.retain(|&(end, _)| end > 0);
    }

    /// `appendonly no`: the file is closed (Redis keeps it on disk; it is read again only when
    /// the server starts with the file on, after a rewrite made a new one).
    pub(crate) fn aof_stopped(&mut self) {
        self.aof_fsync();
        self.aof.rewrite = None;
        self.aof.pending.clear();
    }

    /// `appendonly yes`: a new file begins with the rewrite that starts now.
    pub(crate) fn aof_starting(&mut self) {
        self.aof.base = None;
        self.aof.rewrite_base_size = 0;
        self.aof.incr.clear();
        self.aof.durable = 0;
        self.aof.unflushed.clear();
        self.aof.selected_db = None;
    }

    /// The append-only file as it is now: the base (an RDB, if a rewrite made one) and the
    /// incremental part (commands as RESP), and how many bytes of the latter are on disk.
    pub fn aof_file(&self) -> (Option<&[u8]>, &[u8], usize) {
        (self.aof.base.as_deref(), &self.aof.incr, self.aof.durable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_round_trip_and_truncated_transactions_are_dropped() {
        let mut out = Vec::new();
        encode_command(&mut out, &[b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()]);
        encode_command(&mut out, &[b"MULTI".to_vec()]);
        encode_command(&mut out, &[b"INCR".to_vec(), b"n".to_vec()]);
        encode_command(&mut out, &[b"EXEC".to_vec()]);
        encode_command(&mut out, &[b"MULTI".to_vec()]);
        encode_command(&mut out, &[b"DEL".to_vec(), b"k".to_vec()]);
        assert_eq!(
            parse_commands(&out),
            [
                vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()],
                vec![b"INCR".to_vec(), b"n".to_vec()],
            ]
        );
        // A command cut in the middle is dropped.
        let cut = out.len() - 3;
        assert_eq!(parse_commands(&out[..cut]).len(), 2);
        assert!(out.starts_with(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));
    }
}
