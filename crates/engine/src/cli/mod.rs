//! What redis-cli does with a typed line: split it, run it (repeating `N cmd` N times) and print
//! each reply as `redis-cli --no-raw`. Shared by the page's console and the native CLI.

mod assist;
mod format;
mod split;

pub use assist::{Help, HelpEntry, complete, help, help_groups, help_text, hint};
pub use format::{format_reply, format_reply_raw, quote_bytes};
pub use split::{SplitError, split_args};

use crate::ClientId;
use crate::engine::Engine;
use crate::reply::Reply;

/// The largest `N` of `N command` that is run: redis-cli has no limit, but a page that builds
/// the whole output before showing it must stay responsive.
pub const MAX_REPEAT: i64 = 10_000;

/// What a typed line asks of the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    /// Print this text (already newline-terminated; may be empty for a blank line).
    Print(String),
    /// `quit` or `exit`: leave the REPL.
    Quit,
    /// `clear`: clear the screen.
    Clear,
    /// `help …` (or `? …`): redis-cli answers it itself, without the server.
    Help(Help),
}

/// Runs one typed line as redis-cli's REPL would and returns what it prints.
pub fn run_line(engine: &mut Engine, client: ClientId, line: &[u8]) -> LineOutcome {
    run_line_with(line, |argv| engine.call(client, argv))
}

/// Runs one typed line as redis-cli's REPL would, sending each command to `exec`, which returns
/// the replies the connection receives (none while a blocking command waits, several for
/// `SUBSCRIBE a b`). The same logic drives the engine and, in conformance tests, a real server.
pub fn run_line_with(line: &[u8], mut exec: impl FnMut(&[Vec<u8>]) -> Vec<Reply>) -> LineOutcome {
    let Ok(argv) = split_args(line) else {
        return LineOutcome::Print("Invalid argument(s)\n".into());
    };
    let Some(first) = argv.first() else {
        return LineOutcome::Print(String::new());
    };
    if first.eq_ignore_ascii_case(b"quit") || first.eq_ignore_ascii_case(b"exit") {
        return LineOutcome::Quit;
    }
    if argv.len() == 1 && first.eq_ignore_ascii_case(b"clear") {
        return LineOutcome::Clear;
    }
    if first.eq_ignore_ascii_case(b"help") || first.as_slice() == b"?" {
        return LineOutcome::Help(help(&argv[1..]));
    }
    // `3 INCR n` repeats a command; redis-cli parses the count with strtol, so a leading number
    // that is not positive (or an empty first word) is an error rather than a command name.
    let (repeat, argv) = match repeat_count(first) {
        Some(n) if argv.len() > 1 => {
            if n <= 0 {
                return LineOutcome::Print(
                    "Invalid redis-cli repeat command option value.\n".into(),
                );
            }
            if n > MAX_REPEAT {
                // redis-cli would stream billions of replies; a page must stay responsive.
                return LineOutcome::Print(format!(
                    "(error) Redis Playground repeats a command at most {MAX_REPEAT} times\n"
                ));
            }
            (n, &argv[1..])
        }
        _ => (1, &argv[..]),
    };
    let mut out = String::new();
    // redis-cli announces subscribed mode before printing the confirmations.
    let subscribes = [&b"subscribe"[..], b"psubscribe", b"ssubscribe"]
        .iter()
        .any(|c| argv[0].eq_ignore_ascii_case(c));
    if subscribes {
        out.push_str("Reading messages... (press Ctrl-C to quit)\n");
    }
    let raw = prints_raw(argv);
    for _ in 0..repeat {
        for reply in exec(argv) {
            out.push_str(&if raw {
                format_reply_raw(&reply)
            } else {
                format_reply(&reply)
            });
        }
    }
    LineOutcome::Print(out)
}

/// Commands whose replies redis-cli prints raw even in its standard output mode.
fn prints_raw(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, word: &str| {
        argv.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
    };
    let argc = argv.len();
    is(0, "info")
        || is(0, "lolwut")
        || (is(0, "debug")
            && (is(1, "htstats") || is(1, "htstats-key") || is(1, "client-eviction")))
        || (is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (argc == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (is(0, "client") && (is(1, "list") || is(1, "info")))
        || (argc == 3 && is(0, "latency") && is(1, "graph"))
        || (argc == 2 && is(0, "latency") && is(1, "doctor"))
        || (is(0, "proxy") && is(1, "info"))
}

/// The value of C's `strtol(word, &end, 10)` when it consumes the whole word, as redis-cli
/// checks it: optional blanks and sign, digits, nothing after. An empty word counts as 0.
fn repeat_count(word: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(word).ok()?;
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    if trimmed.is_empty() {
        return if text.is_empty() { Some(0) } else { None };
    }
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // strtol saturates on overflow and sets ERANGE, which redis-cli rejects: map it to 0.
    Some(trimmed.parse::<i64>().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(engine: &mut Engine, client: ClientId, line: &str) -> String {
        match run_line(engine, client, line.as_bytes()) {
            LineOutcome::Print(s) => s,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn lines_run_as_redis_cli_runs_them() {
        let mut engine = Engine::new();
        let c = engine.connect();
        assert_eq!(run(&mut engine, c, "SET foo bar"), "OK\n");
        assert_eq!(run(&mut engine, c, "get foo"), "\"bar\"\n");
        assert_eq!(run(&mut engine, c, ""), "");
        assert_eq!(run(&mut engine, c, "set \"a"), "Invalid argument(s)\n");
        assert_eq!(run(&mut engine, c, "2 get foo"), "\"bar\"\n\"bar\"\n");
        assert_eq!(
            run(&mut engine, c, "0 get foo"),
            "Invalid redis-cli repeat command option value.\n"
        );
        assert_eq!(
            run(&mut engine, c, "\"\" foo"),
            "Invalid redis-cli repeat command option value.\n"
        );
        assert_eq!(run(&mut engine, c, "quit"), "Quit");
        assert_eq!(
            run(&mut engine, c, "9223372036854775807 PING"),
            "(error) Redis Playground repeats a command at most 10000 times\n"
        );
    }
}
