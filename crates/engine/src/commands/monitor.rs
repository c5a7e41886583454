//! MONITOR: a connection that receives a line for every command any client runs afterwards,
//! in Redis's format, stamped with the virtual clock.

use std::fmt::Write as _;

use crate::ClientId;
use crate::command::{Command, CommandSpec, Ctx, flag};
use crate::commands::connection::addr;
use crate::commands::slowlog::shown_args;
use crate::engine::Engine;
use crate::errors::{CmdResult, RedisError};
use crate::reply::Reply;

/// The MONITOR registration (Redis's `server` group).
pub static COMMANDS: &[Command] = &[Command::new(
    "monitor",
    monitor_command,
    "Streams every command the server runs from now on to this connection.",
)];

/// Turns the connection into a monitor: it receives a line per later command of every client
/// (administrative commands excepted, as in Redis). A second MONITOR changes nothing; inside
/// EXEC it is refused.
///
/// `MONITOR`
pub fn monitor_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    if ctx.engine.blocking.in_exec {
        return Err(RedisError::new(
            "ERR MONITOR isn't allowed for DENY BLOCKING client",
        ));
    }
    let id = ctx.client;
    if ctx.engine.monitors.contains(&id) {
        // Redis answers nothing to a client that is already a monitor.
        ctx.blocked = true;
        return Ok(Reply::Nil);
    }
    ctx.engine.mark_unusual();
    ctx.engine.monitors.push(id);
    Ok(Reply::ok())
}

/// Appends an argument as Redis's `sdscatrepr` quotes it: between double quotes, with `\\`,
/// `\"`, `\n`, `\r`, `\t`, `\a`, `\b` escaped and other unprintable bytes as `\xHH`.
pub fn repr(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            b' '..=b'~' => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
}

/// The line a monitor receives for a command: `<seconds>.<microseconds> [<db> <address>]`
/// then each argument quoted.
pub fn monitor_line(now_ms: i64, db: usize, peer: &str, args: &[impl AsRef<[u8]>]) -> String {
    let mut line = format!(
        "{}.{:06} [{db} {peer}]",
        now_ms.div_euclid(1000),
        now_ms.rem_euclid(1000) * 1000
    );
    for arg in args {
        line.push(' ');
        repr(&mut line, arg.as_ref());
    }
    line
}

impl Engine {
    /// Whether the connection ran MONITOR (and has not left it with RESET).
    pub fn is_monitor(&self, client: ClientId) -> bool {
        self.monitors.contains(&client)
    }

    /// Sends a command that just ran to every monitor (Redis's `replicationFeedMonitors`):
    /// not administrative commands nor those flagged `skip_monitor`; secrets redacted.
    pub(crate) fn feed_monitors(&mut self, client: ClientId, spec: &CommandSpec, argv: &[Vec<u8>]) {
        if self.monitors.is_empty() || spec.has(flag::ADMIN | flag::SKIP_MONITOR) {
            return;
        }
        self.feed_monitors_now(client, argv);
    }

    /// Sends a command to every monitor, whatever its flags: a script's command as Redis feeds
    /// it itself (flagged `skip_monitor`), before the commands the script runs, whose lines
    /// show `lua` for the address.
    pub(crate) fn feed_monitors_now(&mut self, client: ClientId, argv: &[Vec<u8>]) {
        if self.monitors.is_empty() {
            return;
        }
        let db = self.clients.get(&client).map_or(0, |c| c.db);
        let peer = if self.in_script {
            "lua".to_string()
        } else {
            addr(client)
        };
        let line = monitor_line(self.now_ms, db, &peer, &shown_args(argv, &self.redacted));
        for monitor in self.monitors.clone() {
            if monitor == client {
                // Its own command's line comes after the command's reply, as in Redis.
                self.mark_unusual();
                self.monitor_echo.push(line.clone());
            } else {
                self.deliver(monitor, Reply::Status(line.clone().into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn lines_quote_arguments_as_sdscatrepr() {
        let line = monitor_line(
            1_767_225_600_042,
            3,
            "127.0.0.1:40002",
            &[&b"set"[..], b"k", b"a\"b\\c\n\r\t\x07\x08\x00\xff \x7f"],
        );
        assert_eq!(
            line,
            r#"1767225600.042000 [3 127.0.0.1:40002] "set" "k" "a\"b\\c\n\r\t\a\b\x00\xff \x7f""#
        );
    }

    #[test]
    fn monitors_see_later_commands_of_every_client() {
        let mut e = Engine::new();
        e.set_time(1_767_225_600_000);
        let (m, c) = (e.connect(), e.connect());
        assert_eq!(e.exec(m, &argv("MONITOR")), Reply::ok());
        e.advance(1_500);
        e.exec(c, &argv("SET k v"));
        e.exec(c, &argv("SELECT 2"));
        e.exec(c, &argv("CONFIG SET hz 10"));
        e.exec(c, &argv("AUTH x"));
        e.exec(c, &argv("GET k"));
        assert_eq!(
            e.take_output(m),
            [
                Reply::status("1767225601.500000 [0 127.0.0.1:40002] \"SET\" \"k\" \"v\""),
                Reply::status("1767225601.500000 [2 127.0.0.1:40002] \"SELECT\" \"2\""),
                Reply::status("1767225601.500000 [2 127.0.0.1:40002] \"AUTH\" \"(redacted)\""),
                Reply::status("1767225601.500000 [2 127.0.0.1:40002] \"GET\" \"k\""),
            ]
        );
        // A second MONITOR answers nothing; RESET leaves monitor mode.
        assert!(e.call(m, &argv("MONITOR")).is_empty());
        assert_eq!(e.exec(m, &argv("RESET")), Reply::status("RESET"));
        e.exec(c, &argv("PING"));
        assert!(
            e.take_output(m)
                .iter()
                .all(|r| !matches!(r, Reply::Status(s) if s.contains("PING")))
        );
    }
}
