//! The slow log (SLOWLOG GET, LEN, RESET, HELP) and what executed commands show of their
//! arguments there and in MONITOR (long arguments cut, secrets redacted).
//!
//! Commands run in no time on the virtual clock: each lasts 0 µs, so the log keeps entries only
//! when `slowlog-log-slower-than` is 0 (log everything), as a real Redis would with that
//! setting; a negative value logs nothing, and `slowlog-max-len 0` empties the log.

use std::borrow::Cow;
use std::collections::VecDeque;

use crate::ClientId;
use crate::command::{Command, CommandSpec, Ctx, flag};
use crate::commands::args;
use crate::engine::Engine;
use crate::errors::{CmdResult, RedisError};
use crate::num::parse_i64;
use crate::reply::Reply;

// The SLOWLOG registrations (Redis's `server` group).
crate::lazy::commands! { Slowlog, slowlog;
    Command::new(
        "slowlog",
        slowlog_command,
        "Reads or clears the log of commands that ran longer than a threshold.",
    ),
    Command::new(
        "slowlog|get",
        slowlog_get_command,
        "Answers the latest slow-log entries, newest first.",
    ),
    Command::new(
        "slowlog|len",
        slowlog_len_command,
        "Answers the number of entries in the slow log.",
    ),
    Command::new(
        "slowlog|reset",
        slowlog_reset_command,
        "Empties the slow log.",
    ),
    Command::new(
        "slowlog|help",
        slowlog_help_command,
        "Describes the SLOWLOG subcommands.",
    ),
}

/// Redis's `SLOWLOG_ENTRY_MAX_ARGC`.
const MAX_ARGC: usize = 32;
/// Redis's `SLOWLOG_ENTRY_MAX_STRING`.
const MAX_STRING: usize = 128;

/// One logged command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its sequence number.
    pub id: u64,
    /// Unix time in seconds when it ran.
    pub time: i64,
    /// How long it ran, in microseconds.
    pub duration_us: i64,
    /// Its arguments as logged (cut and redacted).
    pub argv: Vec<Vec<u8>>,
    /// The client's address.
    pub peer: String,
    /// The client's name.
    pub name: Vec<u8>,
}

/// The slow log: newest entry first.
#[derive(Debug, Clone, Default)]
pub struct Slowlog {
    entries: VecDeque<Entry>,
    next_id: u64,
}

impl Slowlog {
    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The arguments of a command as the slow log and MONITOR show them: those the command
/// redacted ([`Ctx::redact`]: `AUTH`'s, `HELLO … AUTH`'s, sensitive `CONFIG SET` values)
/// replaced by `(redacted)`.
pub fn shown_args<'a>(argv: &'a [Vec<u8>], redacted: &[usize]) -> Vec<Cow<'a, [u8]>> {
    argv.iter()
        .enumerate()
        .map(|(i, a)| {
            if redacted.contains(&i) {
                Cow::Borrowed(&b"(redacted)"[..])
            } else {
                Cow::Borrowed(a.as_slice())
            }
        })
        .collect()
}

impl Engine {
    /// Logs a command that just ran if `slowlog-log-slower-than` asks for it (Redis's
    /// `slowlogPushCurrentCommand`), then trims the log to `slowlog-max-len`.
    // Inlined into the dispatch of every command: the test, without a call around it.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub(crate) fn slowlog_push(&mut self, client: ClientId, spec: &CommandSpec, argv: &[Vec<u8>]) {
        // The usual case, in one test: a positive threshold no command reaches (they take no
        // time) and a log no longer than its maximum leave nothing to do.
        let threshold = self.config.slowlog_log_slower_than;
        if threshold > 0
            && u64::try_from(self.config.slowlog_max_len)
                .is_ok_and(|max| self.slowlog.entries.len() as u64 <= max)
        {
            return;
        }
        self.slowlog_push_slow(client, spec, argv);
    }

    #[inline(never)]
    fn slowlog_push_slow(&mut self, client: ClientId, spec: &CommandSpec, argv: &[Vec<u8>]) {
        const DURATION_US: i64 = 0;
        let (threshold, max_len) = (
            self.config.slowlog_log_slower_than,
            self.config.slowlog_max_len,
        );
        if spec.has(flag::SKIP_SLOWLOG) || threshold < 0 {
            return;
        }
        if DURATION_US >= threshold {
            self.slowlog_add(client, argv, DURATION_US);
        }
        // Trimmed after every push, so that `slowlog-max-len 0` empties it.
        let max = usize::try_from(max_len).unwrap_or(usize::MAX);
        if self.slowlog.entries.len() > max {
            self.slowlog.entries.truncate(max);
        }
    }

    fn slowlog_add(&mut self, client: ClientId, argv: &[Vec<u8>], duration_us: i64) {
        let shown = shown_args(argv, &self.redacted);
        let argc = shown.len().min(MAX_ARGC);
        let mut logged: Vec<Vec<u8>> = Vec::with_capacity(argc);
        for (i, arg) in shown.iter().take(argc).enumerate() {
            if i == MAX_ARGC - 1 && shown.len() > MAX_ARGC {
                logged.push(
                    format!("... ({} more arguments)", shown.len() - MAX_ARGC + 1).into_bytes(),
                );
            } else if arg.len() > MAX_STRING {
                let mut cut = arg.get(..MAX_STRING).unwrap_or_default().to_vec();
                cut.extend_from_slice(
                    format!("... ({} more bytes)", arg.len() - MAX_STRING).as_bytes(),
                );
                logged.push(cut);
            } else {
                logged.push(arg.to_vec());
            }
        }
        let (peer, name) = self.clients.get(&client).map_or_else(
            || (String::new(), Vec::new()),
            |c| {
                (
                    crate::commands::connection::addr(c.id),
                    c.name.clone().unwrap_or_default(),
                )
            },
        );
        let entry = Entry {
            id: self.slowlog.next_id,
            time: self.now_ms.div_euclid(1000),
            duration_us,
            argv: logged,
            peer,
            name,
        };
        self.slowlog.next_id += 1;
        self.slowlog.entries.push_front(entry);
    }
}

/// Only reached with a known subcommand missing, which dispatch already refused.
///
/// `SLOWLOG <subcommand>`
pub fn slowlog_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::wrong_arity("slowlog"))
}

/// Answers the newest entries (10 by default, all with -1): id, Unix time, microseconds,
/// arguments, client address and name.
///
/// `SLOWLOG GET [count]`
pub fn slowlog_get_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    if argv.len() > 3 {
        return Err(args::subcommand_syntax_error(argv));
    }
    let count = match argv.get(2) {
        None => 10,
        Some(arg) => match parse_i64(arg) {
            Some(n) if n >= -1 => n,
            _ => {
                return Err(RedisError::new(
                    "ERR count should be greater than or equal to -1",
                ));
            }
        },
    };
    let count = if count == -1 {
        usize::MAX
    } else {
        usize::try_from(count).unwrap_or(usize::MAX)
    };
    let entries = ctx
        .engine
        .slowlog
        .entries
        .iter()
        .take(count)
        .map(|e| {
            Reply::Array(vec![
                Reply::Integer(e.id as i64),
                Reply::Integer(e.time),
                Reply::Integer(e.duration_us),
                Reply::bulks(&e.argv),
                Reply::bulk(e.peer.as_bytes()),
                Reply::bulk(&e.name),
            ])
        })
        .collect();
    Ok(Reply::Array(entries))
}

/// Answers the number of entries.
///
/// `SLOWLOG LEN`
pub fn slowlog_len_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(ctx.engine.slowlog.len() as i64))
}

/// Empties the log (ids keep counting).
///
/// `SLOWLOG RESET`
pub fn slowlog_reset_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    ctx.engine.slowlog.entries.clear();
    Ok(Reply::ok())
}

/// Describes the subcommands (Redis's help text: it is the command's reply).
///
/// `SLOWLOG HELP`
pub fn slowlog_help_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(args::help_reply(
        &argv[0],
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    ))
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Reply};

    fn items<const N: usize>(words: [&str; N]) -> Vec<Reply> {
        words.iter().map(|w| Reply::bulk(w.as_bytes())).collect()
    }

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn entries_hold_redis_fields_cut_and_redacted() {
        let mut e = Engine::new();
        e.set_time(1_767_225_600_000);
        let c = e.connect();
        e.exec(c, &argv("CLIENT SETNAME app"));
        e.exec(c, &argv("CONFIG SET slowlog-log-slower-than 0"));
        let long = "x".repeat(130);
        e.exec(c, &argv(&format!("SET k {long}")));
        let many: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        e.exec(c, &argv(&format!("RPUSH l {}", many.join(" "))));
        e.exec(c, &argv("CONFIG SET requirepass secret maxmemory 0"));
        e.exec(c, &argv("AUTH secret"));
        e.exec(c, &argv("MULTI"));
        e.exec(c, &argv("PING"));
        e.exec(c, &argv("EXEC"));
        let Reply::Array(entries) = e.exec(c, &argv("SLOWLOG GET -1")) else {
            panic!("SLOWLOG GET answers an array");
        };
        let args = |i: usize| match &entries[i] {
            Reply::Array(fields) => match &fields[3] {
                Reply::Array(args) => args.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        // Newest first; EXEC is never logged, the PING it ran is.
        assert_eq!(args(0), items(["PING"]));
        assert_eq!(args(1), items(["MULTI"]));
        assert_eq!(args(2), items(["AUTH", "(redacted)"]));
        assert_eq!(
            args(3),
            items([
                "CONFIG",
                "SET",
                "requirepass",
                "(redacted)",
                "maxmemory",
                "0"
            ])
        );
        let rpush = args(4);
        assert_eq!(rpush.len(), 32);
        assert_eq!(rpush[31], Reply::bulk(b"... (11 more arguments)"));
        let set = args(5);
        assert_eq!(
            set[2],
            Reply::from(format!("{}... (2 more bytes)", "x".repeat(128)).into_bytes())
        );
        let Reply::Array(first) = &entries[0] else {
            panic!("an entry is an array");
        };
        assert_eq!(first[1], Reply::Integer(1_767_225_600));
        assert_eq!(first[2], Reply::Integer(0));
        assert_eq!(first[4], Reply::bulk(b"127.0.0.1:40001"));
        assert_eq!(first[5], Reply::bulk(b"app"));
        // SLOWLOG GET itself was logged after it answered.
        assert_eq!(
            e.exec(c, &argv("SLOWLOG LEN")),
            Reply::Integer(entries.len() as i64 + 1)
        );
    }
}
