//! `redis-playground`: reads commands from stdin, one per line, and prints each reply exactly as
//! `redis-cli --no-raw` does. Prompts when stdin is a terminal. The engine's virtual clock follows
//! the wall clock, so expiry behaves as on a real server (and `DEBUG SLEEP` jumps ahead). Like
//! redis-cli, it waits for a blocking command's reply before reading the next line: no other
//! client can serve it here, so the clock jumps to its timeout (or the end of a `CLIENT PAUSE`)
//! at once, as `DEBUG SLEEP` does; one that would wait for ever ends the session.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use engine::Engine;
use engine::cli::{LineOutcome, run_line};

fn main() -> io::Result<()> {
    let mut engine = Engine::new();
    let started_wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    engine.set_time(started_wall);
    let mut last_tick = Instant::now();
    let client = engine.connect();

    let interactive = io::stdin().is_terminal();
    let stdin = io::stdin();
    let mut stdout = io::stdout().lock();
    let mut line = Vec::new();
    loop {
        if interactive {
            write!(stdout, "127.0.0.1:6379> ")?;
            stdout.flush()?;
        }
        line.clear();
        if stdin.lock().read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        // Follow wall time by advancing with what elapsed since the last line, so a jump made
        // by `DEBUG SLEEP` stays ahead of the wall clock instead of being waited out.
        let now = Instant::now();
        engine
            .advance(i64::try_from(now.duration_since(last_tick).as_millis()).unwrap_or(i64::MAX));
        last_tick = now;
        match run_line(&mut engine, client, text) {
            LineOutcome::Print(out) => {
                stdout.write_all(out.as_bytes())?;
                // Messages that reached this connection meanwhile (keyspace notifications…).
                for reply in engine.take_output(client) {
                    stdout.write_all(engine::cli::format_reply(&reply).as_bytes())?;
                }
                while engine.is_blocked(client) {
                    let Some(deadline) = engine.next_deadline() else {
                        stdout.flush()?;
                        eprintln!(
                            "(the blocking command would wait for ever: no other client can serve it here)"
                        );
                        return Ok(());
                    };
                    // A timeout is due once the clock reaches it; a pause ends a millisecond past.
                    engine.set_time(deadline.max(engine.now_ms().saturating_add(1)));
                    for reply in engine.take_output(client) {
                        stdout.write_all(engine::cli::format_reply(&reply).as_bytes())?;
                    }
                }
            }
            LineOutcome::Help(help) => {
                stdout.write_all(engine::cli::help_text(&help).as_bytes())?;
            }
            LineOutcome::Quit => break,
            LineOutcome::Clear => {
                if interactive {
                    stdout.write_all(b"\x1b[H\x1b[2J")?;
                }
            }
        }
    }
    stdout.flush()
}
