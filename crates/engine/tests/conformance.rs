//! Conformance: every script in `tests/conformance/*.redis` replayed through the engine must print
//! exactly what Redis 7.0 printed, as recorded in its `.out` transcript.
//!
//! With a live server (`REDIS_SOCKET`, set by `make conformance` / `make test`), each script also
//! runs against the server: the server must still print the transcript, and the engine must
//! answer every command exactly as the server did. `RECORD=1` rewrites the transcripts from the
//! server instead (`make record`).
//!
//! Script syntax (redis-cli's, one command per line), plus:
//! - `# text` is a comment; blank lines are skipped;
//! - `#! unordered` before a command: Redis does not specify the order of its reply, so every
//!   innermost array of the reply is compared sorted; `#! unordered-pairs` sorts them by pairs
//!   (field, value) instead;
//! - `[name] COMMAND …` sends the command on the connection called `name` (opened on first use;
//!   lines without a prefix use the default connection).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use engine::cli::{LineOutcome, format_reply, run_line_with};
use engine::{Engine, Reply, resp};

/// Virtual start time of offline runs: 2026-01-01T00:00:00Z.
const OFFLINE_START_MS: i64 = 1_767_225_600_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Exact,
    Unordered,
    UnorderedPairs,
}

struct Step {
    conn: String,
    line: String,
    order: Order,
}

struct Script {
    name: String,
    path: PathBuf,
    steps: Vec<Step>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

fn scripts() -> Vec<Script> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "redis"))
        .collect();
    paths.sort();
    let only = std::env::var("CONFORMANCE_ONLY").ok();
    paths
        .into_iter()
        .filter(|p| {
            only.as_deref().is_none_or(|o| {
                p.file_stem()
                    .is_some_and(|s| s.to_string_lossy().contains(o))
            })
        })
        .map(|path| parse_script(&path))
        .collect()
}

fn parse_script(path: &Path) -> Script {
    let text = std::fs::read_to_string(path).expect("script is readable UTF-8");
    let mut steps = Vec::new();
    let mut order = Order::Exact;
    for raw in text.lines() {
        let trimmed = raw.trim();
        if let Some(directive) = trimmed.strip_prefix("#!") {
            order = match directive.trim() {
                "unordered" => Order::Unordered,
                "unordered-pairs" => Order::UnorderedPairs,
                other => panic!("{}: unknown directive {other:?}", path.display()),
            };
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (conn, line) = match raw.strip_prefix('[').and_then(|r| r.split_once("] ")) {
            Some((conn, line)) => (conn.to_string(), line.to_string()),
            None => (String::new(), raw.to_string()),
        };
        steps.push(Step { conn, line, order });
        order = Order::Exact;
    }
    Script {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path: path.to_path_buf(),
        steps,
    }
}

/// Sorts every innermost array of a reply (by pairs if asked), so replies whose order Redis
/// leaves unspecified compare as sets.
fn normalize(reply: Reply, order: Order) -> Reply {
    if order == Order::Exact {
        return reply;
    }
    match reply {
        Reply::Array(items) | Reply::Set(items)
            if items
                .iter()
                .any(|i| matches!(i, Reply::Array(_) | Reply::Set(_) | Reply::Map(_))) =>
        {
            Reply::Array(items.into_iter().map(|i| normalize(i, order)).collect())
        }
        Reply::Array(items) | Reply::Set(items) => {
            let keyed = |chunk: &[Reply]| chunk.iter().map(format_reply).collect::<Vec<_>>();
            let mut chunks: Vec<Vec<Reply>> = if order == Order::UnorderedPairs {
                items.chunks(2).map(<[Reply]>::to_vec).collect()
            } else {
                items.into_iter().map(|i| vec![i]).collect()
            };
            chunks.sort_by_key(|c| keyed(c));
            Reply::Array(chunks.into_iter().flatten().collect())
        }
        Reply::Map(pairs) => {
            let mut pairs = pairs;
            pairs.sort_by_key(|(k, _)| format_reply(k));
            Reply::Map(pairs)
        }
        other => other,
    }
}

fn transcript_entry(step: &Step, output: &str) -> String {
    let prefix = if step.conn.is_empty() {
        String::new()
    } else {
        format!("[{}] ", step.conn)
    };
    format!("> {prefix}{}\n{output}", step.line)
}

fn print(outcome: LineOutcome) -> String {
    match outcome {
        LineOutcome::Print(s) => s,
        LineOutcome::Quit | LineOutcome::Clear => String::new(),
    }
}

/// Runs a script through a fresh engine; the clock is set by `clock` before each step.
fn run_engine(script: &Script, mut clock: impl FnMut(&mut Engine)) -> Vec<String> {
    let mut engine = Engine::new();
    let mut clients = HashMap::new();
    script
        .steps
        .iter()
        .map(|step| {
            clock(&mut engine);
            let id = *clients
                .entry(step.conn.clone())
                .or_insert_with(|| engine.connect());
            print(run_line_with(step.line.as_bytes(), |argv| {
                normalize(engine.exec(id, argv), step.order)
            }))
        })
        .collect()
}

fn expected_path(script: &Script) -> PathBuf {
    script.path.with_extension("out")
}

fn first_difference(
    script: &Script,
    expected: &str,
    actual: &[String],
    who: &str,
) -> Option<String> {
    let rendered: String = script
        .steps
        .iter()
        .zip(actual)
        .map(|(s, o)| transcript_entry(s, o))
        .collect();
    if rendered == expected {
        return None;
    }
    // Find the first step whose entry differs, for a readable report.
    let mut offset = 0;
    for (step, out) in script.steps.iter().zip(actual) {
        let entry = transcript_entry(step, out);
        if expected.get(offset..offset + entry.len()) != Some(entry.as_str()) {
            let rest = &expected[offset.min(expected.len())..];
            let want: String = rest
                .lines()
                .take(entry.lines().count().max(2))
                .collect::<Vec<_>>()
                .join("\n");
            return Some(format!(
                "{}: {who} differs at `{}`\n--- recorded (Redis 7.0)\n{want}\n--- {who}\n{entry}",
                script.name, step.line
            ));
        }
        offset += entry.len();
    }
    Some(format!(
        "{}: {who} output has a different length than the transcript",
        script.name
    ))
}

#[test]
fn engine_replays_every_recorded_transcript() {
    let mut failures = Vec::new();
    let mut count = 0;
    for script in scripts() {
        let Ok(expected) = std::fs::read_to_string(expected_path(&script)) else {
            failures.push(format!(
                "{}: no transcript recorded (run `make record`)",
                script.name
            ));
            continue;
        };
        let mut started = false;
        let outputs = run_engine(&script, |engine| {
            if !started {
                engine.set_time(OFFLINE_START_MS);
                started = true;
            }
        });
        count += script.steps.len();
        failures.extend(first_difference(&script, &expected, &outputs, "engine"));
    }
    assert!(
        failures.is_empty(),
        "{} of the scripts diverge:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("conformance: {count} commands replayed offline");
}

/// A connection to the live server over its unix socket.
struct Live {
    stream: UnixStream,
    buf: Vec<u8>,
}

impl Live {
    fn open(socket: &str) -> Live {
        let stream = UnixStream::connect(socket)
            .unwrap_or_else(|e| panic!("cannot connect to {socket}: {e}"));
        Live {
            stream,
            buf: Vec::new(),
        }
    }

    fn call(&mut self, argv: &[Vec<u8>]) -> Reply {
        let request = Reply::Array(argv.iter().map(|a| Reply::Bulk(a.clone())).collect());
        let mut bytes = Vec::new();
        resp::encode(&request, &mut bytes);
        self.stream.write_all(&bytes).expect("write to redis");
        loop {
            if let Some((reply, used)) = resp::parse(&self.buf).expect("valid RESP from redis") {
                self.buf.drain(..used);
                return reply;
            }
            let mut chunk = [0u8; 16384];
            let n = self.stream.read(&mut chunk).expect("read from redis");
            assert!(n > 0, "redis closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    fn cmd(&mut self, words: &[&str]) -> Reply {
        self.call(
            &words
                .iter()
                .map(|w| w.as_bytes().to_vec())
                .collect::<Vec<_>>(),
        )
    }
}

/// Brings the server back to the state a script starts from.
fn reset_server(admin: &mut Live, initial_config: &[(Vec<u8>, Vec<u8>)]) {
    if let Reply::Array(now) = admin.cmd(&["CONFIG", "GET", "*"]) {
        let now: HashMap<Vec<u8>, Vec<u8>> = now
            .chunks(2)
            .filter_map(|p| match p {
                [Reply::Bulk(k), Reply::Bulk(v)] => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect();
        for (k, v) in initial_config {
            if now.get(k) != Some(v) {
                let reply =
                    admin.call(&[b"CONFIG".to_vec(), b"SET".to_vec(), k.clone(), v.clone()]);
                assert!(
                    !reply.is_error() || k == b"save",
                    "cannot restore {}: {reply:?}",
                    String::from_utf8_lossy(k)
                );
            }
        }
    }
    for words in [
        &["FLUSHALL"][..],
        &["SCRIPT", "FLUSH"],
        &["CONFIG", "RESETSTAT"],
    ] {
        admin.cmd(words);
    }
}

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[test]
fn live_server_matches_transcripts_and_engine() {
    let Ok(socket) = std::env::var("REDIS_SOCKET") else {
        assert!(
            std::env::var("REQUIRE_LIVE_REDIS").is_err(),
            "REQUIRE_LIVE_REDIS is set but REDIS_SOCKET is not"
        );
        eprintln!(
            "no live redis-server (REDIS_SOCKET unset): run `make conformance` for the live comparison"
        );
        return;
    };
    let record = std::env::var("RECORD").is_ok();
    let mut admin = Live::open(&socket);
    let initial_config: Vec<(Vec<u8>, Vec<u8>)> = match admin.cmd(&["CONFIG", "GET", "*"]) {
        Reply::Array(items) => items
            .chunks(2)
            .filter_map(|p| match p {
                [Reply::Bulk(k), Reply::Bulk(v)] => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect(),
        other => panic!("CONFIG GET * answered {other:?}"),
    };
    let mut failures = Vec::new();
    let mut compared = 0;
    for script in scripts() {
        reset_server(&mut admin, &initial_config);
        let mut conns: HashMap<String, Live> = HashMap::new();
        let mut server_out = Vec::new();
        let mut engine_out = Vec::new();
        let mut engine = Engine::new();
        let mut clients = HashMap::new();
        // The engine's clock follows the server's wall clock; `set_time` never goes back, so a
        // `DEBUG SLEEP` (instant in the engine, real on the server) keeps both in step.
        let start_wall = wall_ms();
        let started = Instant::now();
        for step in &script.steps {
            let conn = conns
                .entry(step.conn.clone())
                .or_insert_with(|| Live::open(&socket));
            let mut server_replies = Vec::new();
            let out = print(run_line_with(step.line.as_bytes(), |argv| {
                let reply = normalize(conn.call(argv), step.order);
                server_replies.push(reply.clone());
                reply
            }));
            server_out.push(out);
            engine.set_time(start_wall + started.elapsed().as_millis() as i64);
            let id = *clients
                .entry(step.conn.clone())
                .or_insert_with(|| engine.connect());
            let mut engine_replies = Vec::new();
            let out = print(run_line_with(step.line.as_bytes(), |argv| {
                let reply = normalize(engine.exec(id, argv), step.order);
                engine_replies.push(reply.clone());
                reply
            }));
            engine_out.push(out);
            compared += 1;
            // Compared through Debug so that a NaN double equals itself.
            if format!("{engine_replies:?}") != format!("{server_replies:?}") {
                failures.push(format!(
                    "{}: engine differs from redis-server at `{}`\n--- redis-server\n{:?}\n--- engine\n{:?}",
                    script.name, step.line, server_replies, engine_replies
                ));
                break;
            }
        }
        let rendered: String = script
            .steps
            .iter()
            .zip(&server_out)
            .map(|(s, o)| transcript_entry(s, o))
            .collect();
        if record {
            std::fs::write(expected_path(&script), rendered).expect("write transcript");
        } else {
            let expected = std::fs::read_to_string(expected_path(&script)).unwrap_or_default();
            failures.extend(first_difference(
                &script,
                &expected,
                &server_out,
                "redis-server (re-record with `make record`?)",
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} divergences:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("conformance: {compared} commands compared with redis-server");
}
