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
//!   (field, value) instead; `#! ignore` runs the command on both sides without comparing or
//!   printing its reply (for replies holding server-specific values, like HELLO's client id);
//!   before `:read`, it drops what the connection received;
//!   `#! info-fields spec …` keeps only the named fields of an INFO reply, so that its
//!   deterministic fields are compared: each spec is a glob over field names (`keyspace_hits`,
//!   `cmdstat_*`, `errorstat_*`), optionally followed by `:` and the comma-separated sub-fields
//!   to keep (`db0:keys,expires`, `cmdstat_get:calls,rejected_calls,failed_calls`); the spec
//!   `#` keeps the section headers; kept fields are sorted within their section (Redis lists
//!   commandstats in hash order); `#! monitor-lines` before a `:read`
//!   shows each MONITOR line as `[db] "arg" …`, without its time stamp and client address;
//!   `#! slowlog-args` before `SLOWLOG GET` keeps each entry's arguments and client name (its
//!   id, time, duration and address differ between runs); `#! client-fields name …` before
//!   `CLIENT LIST` or `CLIENT INFO` keeps only the named `name=value` fields of the lines of
//!   connections given a name with CLIENT SETNAME (ids, addresses and ages differ between runs,
//!   and the harness's own connection has none);
//! - `[name] COMMAND …` sends the command on the connection called `name` (opened on first use;
//!   lines without a prefix use the default connection); `{id:name}` in a command stands for the
//!   id of connection `name` on the side that runs it (the harness asks it once with `CLIENT
//!   ID`, on both sides), for `CLIENT TRACKING … REDIRECT {id:inv}` and the like;
//! - a command on a connection with `CLIENT TRACKING` on is followed by everything that arrives
//!   closely (invalidations follow the reply of the command that caused them); with `CLIENT
//!   REPLY OFF|SKIP`, or while `CLIENT PAUSE` holds commands back, a command may get nothing
//!   back (its reply, once the pause ends, is read with `:read`);
//! - every script starts as the live server does: the engine too has an administrative connection,
//!   open before the script's, that has just run `CONFIG RESETSTAT` (so INFO's counters agree);
//! - `:read` (with or without a connection prefix) prints what the connection received since its
//!   last command: published messages, the reply of a blocking command once served; marked
//!   `#! unordered`, the received replies are sorted. On the live server a command that gets no
//!   reply within a moment counts as blocked.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use engine::cli::{LineOutcome, format_reply, run_line_with};
use engine::{ClientId, Engine, Reply, resp};

/// Virtual start time of offline runs: 2026-01-01T00:00:00Z.
const OFFLINE_START_MS: i64 = 1_767_225_600_000;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Order {
    Exact,
    Unordered,
    UnorderedPairs,
    Ignore,
    InfoFields(Vec<FieldSpec>),
    MonitorLines,
    SlowlogArgs,
    ClientFields(Vec<String>),
}

/// A field of an INFO reply to keep: a glob over names, and the sub-fields to keep if not all.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FieldSpec {
    pattern: String,
    subfields: Option<Vec<String>>,
}

impl FieldSpec {
    fn parse(word: &str) -> FieldSpec {
        match word.split_once(':') {
            Some((pattern, subs)) => FieldSpec {
                pattern: pattern.to_string(),
                subfields: Some(subs.split(',').map(str::to_string).collect()),
            },
            None => FieldSpec {
                pattern: word.to_string(),
                subfields: None,
            },
        }
    }
}

/// Keeps the fields of an INFO text the specs name (see the module doc), sorted.
fn filter_info(reply: Reply, specs: &[FieldSpec]) -> Reply {
    let text = match &reply {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
        _ => return reply,
    };
    let keep_headers = specs.iter().any(|s| s.pattern == "#");
    let mut out = String::new();
    let mut group: Vec<String> = Vec::new();
    let flush = |group: &mut Vec<String>, out: &mut String| {
        group.sort();
        for line in group.drain(..) {
            out.push_str(&line);
            out.push_str("\r\n");
        }
    };
    for line in text.split("\r\n") {
        if line.starts_with("# ") {
            flush(&mut group, &mut out);
            if keep_headers {
                out.push_str(line);
                out.push_str("\r\n");
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let Some(spec) = specs
            .iter()
            .find(|s| engine::glob::glob_match(s.pattern.as_bytes(), key.as_bytes(), false))
        else {
            continue;
        };
        group.push(match &spec.subfields {
            None => line.to_string(),
            Some(subs) => {
                let parts: Vec<&str> = value
                    .split(',')
                    .filter(|kv| {
                        kv.split_once('=')
                            .is_some_and(|(k, _)| subs.iter().any(|s| s == k))
                    })
                    .collect();
                format!("{key}:{}", parts.join(","))
            }
        });
    }
    flush(&mut group, &mut out);
    let text = out;
    Reply::from(text.into_bytes())
}

/// Keeps the named `name=value` fields of the lines of named connections in a CLIENT LIST or
/// CLIENT INFO text.
fn filter_client_fields(reply: Reply, names: &[String]) -> Reply {
    let text = match &reply {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
        _ => return reply,
    };
    let mut out = String::new();
    for line in text
        .lines()
        .filter(|line| !line.split(' ').any(|f| f == "name="))
    {
        let kept: Vec<&str> = line
            .split(' ')
            .filter(|field| {
                field
                    .split_once('=')
                    .is_some_and(|(name, _)| names.iter().any(|n| n == name))
            })
            .collect();
        out.push_str(&kept.join(" "));
        out.push('\n');
    }
    Reply::from(out.into_bytes())
}

#[derive(Clone)]
struct Step {
    conn: String,
    line: String,
    order: Order,
}

impl Step {
    fn is_read(&self) -> bool {
        self.line.trim() == ":read"
    }
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
            let mut words = directive.split_whitespace();
            order = match words.next().unwrap_or_default() {
                "unordered" => Order::Unordered,
                "unordered-pairs" => Order::UnorderedPairs,
                "ignore" => Order::Ignore,
                "info-fields" => Order::InfoFields(words.map(FieldSpec::parse).collect()),
                "monitor-lines" => Order::MonitorLines,
                "slowlog-args" => Order::SlowlogArgs,
                "client-fields" => Order::ClientFields(words.map(str::to_string).collect()),
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
fn normalize(reply: Reply, order: &Order) -> Reply {
    if let Order::InfoFields(specs) = order {
        return filter_info(reply, specs);
    }
    if let Order::ClientFields(names) = order {
        return filter_client_fields(reply, names);
    }
    if *order == Order::SlowlogArgs {
        // Each entry: id, time, duration, arguments, address, name.
        return match reply {
            Reply::Array(entries) => Reply::Array(
                entries
                    .into_iter()
                    .map(|entry| match entry {
                        Reply::Array(fields) => Reply::Array(
                            fields
                                .into_iter()
                                .enumerate()
                                .filter(|(i, _)| *i == 3 || *i == 5)
                                .map(|(_, f)| f)
                                .collect(),
                        ),
                        other => other,
                    })
                    .collect(),
            ),
            other => other,
        };
    }
    if matches!(order, Order::Exact | Order::Ignore | Order::MonitorLines) {
        return reply;
    }
    let nested = |items: &[Reply]| {
        items
            .iter()
            .any(|i| matches!(i, Reply::Array(_) | Reply::Set(_) | Reply::Map(_)))
    };
    match reply {
        Reply::Array(items) | Reply::Set(items) if nested(&items) => {
            Reply::Array(items.into_iter().map(|i| normalize(i, order)).collect())
        }
        Reply::Array(items) | Reply::Set(items) => {
            let key = |chunk: &[Reply]| chunk.iter().map(format_reply).collect::<Vec<_>>();
            let mut chunks: Vec<Vec<Reply>> = if *order == Order::UnorderedPairs {
                items.chunks(2).map(<[Reply]>::to_vec).collect()
            } else {
                items.into_iter().map(|i| vec![i]).collect()
            };
            chunks.sort_by_key(|c| key(c));
            Reply::Array(chunks.into_iter().flatten().collect())
        }
        Reply::Map(mut pairs) => {
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
        LineOutcome::Quit | LineOutcome::Clear | LineOutcome::Help(_) => String::new(),
    }
}

/// What a `:read` prints: the received replies in arrival order, or sorted when the step is
/// marked unordered (messages for several patterns arrive in an order Redis does not specify).
fn render_read(replies: &[Reply], order: &Order) -> String {
    if *order == Order::MonitorLines {
        return replies
            .iter()
            .map(|r| format_reply(&monitor_line(r)))
            .collect();
    }
    let mut texts: Vec<String> = replies.iter().map(format_reply).collect();
    if *order != Order::Exact {
        texts.sort();
    }
    texts.concat()
}

/// A MONITOR line (`<sec>.<usec> [<db> <address>] "arg" …`) without its time stamp and client
/// address, which differ between runs: `[<db>] "arg" …`.
fn monitor_line(reply: &Reply) -> Reply {
    let Reply::Status(text) = reply else {
        return reply.clone();
    };
    let stripped = text.split_once(" [").and_then(|(stamp, rest)| {
        let (inside, args) = rest.split_once("] ")?;
        let db = inside.split(' ').next()?;
        stamp
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.')
            .then(|| format!("[{db}] {args}"))
    });
    stripped.map_or_else(|| reply.clone(), |s| Reply::Status(s.into()))
}

/// What a step prints when the engine runs it.
fn engine_step(engine: &mut Engine, id: ClientId, step: &Step) -> String {
    if step.order == Order::Ignore && step.is_read() {
        engine.take_output(id);
        return String::new();
    }
    if step.order == Order::Ignore {
        engine.call(
            id,
            &engine::cli::split_args(step.line.as_bytes()).unwrap_or_default(),
        );
        return String::new();
    }
    if step.is_read() {
        return render_read(&engine.take_output(id), &step.order);
    }
    let monitor = engine.is_monitor(id);
    print(run_line_with(step.line.as_bytes(), |argv| {
        engine
            .call(id, argv)
            .into_iter()
            .map(|r| normalize(r, &step.order))
            .map(|r| if monitor { monitor_line(&r) } else { r })
            .collect()
    }))
}

/// What `reset_server` leaves on the server, in the engine: an administrative connection, open
/// before the script's, that has just reset the statistics.
fn reset_engine(engine: &mut Engine) {
    let admin = engine.connect();
    engine.call(admin, &[b"CONFIG".to_vec(), b"RESETSTAT".to_vec()]);
}

/// A client id per connection name, and whether it was just opened; a connection closed by the
/// script (QUIT) reopens.
fn connection(
    engine: &mut Engine,
    clients: &mut HashMap<String, ClientId>,
    name: &str,
) -> (ClientId, bool) {
    match clients.get(name) {
        Some(&id) if engine.is_connected(id) => (id, false),
        _ => {
            let id = engine.connect();
            clients.insert(name.to_string(), id);
            (id, true)
        }
    }
}

/// The connection names a line refers to with `{id:name}`.
fn id_references(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("{id:") {
        let after = &rest[at + 4..];
        let Some(end) = after.find('}') else { break };
        names.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    names
}

/// A line with each `{id:name}` replaced by `id_of(name)`.
fn with_ids(line: &str, mut id_of: impl FnMut(&str) -> i64) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("{id:") {
        let after = &rest[at + 4..];
        let Some(end) = after.find('}') else { break };
        out.push_str(&rest[..at]);
        out.push_str(&id_of(&after[..end]).to_string());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
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
            let rest = expected
                .get(offset.min(expected.len())..)
                .unwrap_or_default();
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
        let mut engine = Engine::new();
        engine.set_time(OFFLINE_START_MS);
        reset_engine(&mut engine);
        let mut clients = HashMap::new();
        let mut asked = std::collections::HashSet::new();
        let outputs: Vec<String> = script
            .steps
            .iter()
            .map(|step| {
                let mut step = step.clone();
                for name in id_references(&step.line) {
                    let (eid, _) = connection(&mut engine, &mut clients, &name);
                    if asked.insert(name) {
                        engine.call(eid, &[b"CLIENT".to_vec(), b"ID".to_vec()]);
                    }
                }
                step.line = with_ids(&step.line, |name| {
                    clients.get(name).map_or(-1, |&id| id as i64)
                });
                let (id, fresh) = connection(&mut engine, &mut clients, &step.conn);
                if fresh {
                    asked.remove(&step.conn);
                }
                engine_step(&mut engine, id, &step)
            })
            .collect();
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

    fn send(&mut self, argv: &[Vec<u8>]) {
        let request = Reply::Array(argv.iter().map(|a| Reply::bulk(a)).collect());
        let mut bytes = Vec::new();
        resp::encode(&request, &mut bytes);
        self.stream.write_all(&bytes).expect("write to redis");
    }

    /// Reads one reply; with a timeout, `None` when nothing arrives in time (or the server
    /// closed the connection).
    fn read(&mut self, timeout: Option<Duration>) -> Option<Reply> {
        self.stream
            .set_read_timeout(timeout)
            .expect("set a read timeout");
        loop {
            if let Some((reply, used)) = resp::parse(&self.buf).expect("valid RESP from redis") {
                self.buf.drain(..used);
                return Some(reply);
            }
            let mut chunk = [0u8; 16384];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return None;
                }
                Err(e) => panic!("read from redis: {e}"),
            }
        }
    }

    /// Everything that arrives, until nothing more comes within `window`.
    fn read_all(&mut self, window: Duration) -> Vec<Reply> {
        std::iter::from_fn(|| self.read(Some(window))).collect()
    }

    /// Sends a command and reads its one reply (administration).
    fn call(&mut self, argv: &[Vec<u8>]) -> Reply {
        self.send(argv);
        self.read(None).unwrap_or(Reply::Nil)
    }

    fn cmd(&mut self, words: &[&str]) -> Reply {
        self.call(
            &words
                .iter()
                .map(|w| w.as_bytes().to_vec())
                .collect::<Vec<_>>(),
        )
    }

    /// Sends a command and reads what the connection receives because of it: for a command
    /// Redis flags as blocking, nothing when no reply comes within a moment (it waits); for the
    /// subscribe family, or on a subscribed connection, every reply that follows closely.
    fn call_all(&mut self, argv: &[Vec<u8>], subscribed: bool, quiet: bool) -> Vec<Reply> {
        self.send(argv);
        let blocking = engine::Registry::get()
            .lookup_argv(argv)
            .is_some_and(|spec| spec.has(engine::command_flag::BLOCKING));
        let wait = (blocking || quiet).then(|| Duration::from_millis(300));
        let Some(first) = self.read(wait) else {
            return Vec::new();
        };
        let name = argv
            .first()
            .map(|n| n.to_ascii_lowercase())
            .unwrap_or_default();
        let mut replies = vec![first];
        if subscribed || name.ends_with(b"subscribe") {
            replies.extend(self.read_all(Duration::from_millis(30)));
        }
        replies
    }
}

fn config_pairs(reply: Reply) -> Vec<(Vec<u8>, Vec<u8>)> {
    match reply {
        Reply::Array(items) => items
            .chunks(2)
            .filter_map(|p| match p {
                [Reply::Bulk(k), Reply::Bulk(v)] => Some((k.to_vec(), v.to_vec())),
                _ => None,
            })
            .collect(),
        other => panic!("CONFIG GET * answered {other:?}"),
    }
}

/// Brings the server back to the state a script starts from.
fn reset_server(admin: &mut Live, initial_config: &[(Vec<u8>, Vec<u8>)]) {
    let now: HashMap<Vec<u8>, Vec<u8>> = config_pairs(admin.cmd(&["CONFIG", "GET", "*"]))
        .into_iter()
        .collect();
    for (k, v) in initial_config {
        if now.get(k) != Some(v) {
            let reply = admin.call(&[b"CONFIG".to_vec(), b"SET".to_vec(), k.clone(), v.clone()]);
            assert!(
                !reply.is_error() || k == b"save",
                "cannot restore {}: {reply:?}",
                String::from_utf8_lossy(k)
            );
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
        eprintln!("no live redis-server (REDIS_SOCKET unset): run `make conformance`");
        return;
    };
    let record = std::env::var("RECORD").is_ok();
    let mut admin = Live::open(&socket);
    let initial_config = config_pairs(admin.cmd(&["CONFIG", "GET", "*"]));
    let mut failures = Vec::new();
    let mut compared = 0;
    for script in scripts() {
        reset_server(&mut admin, &initial_config);
        let mut conns: HashMap<String, Live> = HashMap::new();
        let mut server_out = Vec::new();
        let mut engine = Engine::new();
        let mut clients = HashMap::new();
        // The engine's clock follows the server's wall clock; `set_time` never goes back, so a
        // `DEBUG SLEEP` (instant in the engine, real on the server) keeps both in step.
        let start_wall = wall_ms();
        let started = Instant::now();
        engine.set_time(start_wall);
        reset_engine(&mut engine);
        let mut live_ids: HashMap<String, i64> = HashMap::new();
        for step in &script.steps {
            // `{id:name}`: each side's id of connection `name`, asked once with CLIENT ID.
            let mut server_step = step.clone();
            let mut engine_step_ = step.clone();
            for name in id_references(&step.line) {
                let (eid, fresh) = connection(&mut engine, &mut clients, &name);
                if fresh {
                    conns.insert(name.clone(), Live::open(&socket));
                    live_ids.remove(&name);
                }
                if !live_ids.contains_key(&name) {
                    let live = conns
                        .entry(name.clone())
                        .or_insert_with(|| Live::open(&socket));
                    let Reply::Integer(n) = live.cmd(&["CLIENT", "ID"]) else {
                        panic!("CLIENT ID failed on [{name}]");
                    };
                    engine.call(eid, &[b"CLIENT".to_vec(), b"ID".to_vec()]);
                    live_ids.insert(name.clone(), n);
                }
            }
            server_step.line =
                with_ids(&step.line, |name| live_ids.get(name).copied().unwrap_or(-1));
            engine_step_.line = with_ids(&step.line, |name| {
                clients.get(name).map_or(-1, |&id| id as i64)
            });
            let (id, fresh) = connection(&mut engine, &mut clients, &step.conn);
            if fresh {
                // A connection the engine opened afresh (first use, or after QUIT) is a new
                // connection on the server too.
                conns.insert(step.conn.clone(), Live::open(&socket));
                live_ids.remove(&step.conn);
            }
            let conn = conns
                .entry(step.conn.clone())
                .or_insert_with(|| Live::open(&socket));
            let server_text = if step.order == Order::Ignore && step.is_read() {
                conn.read_all(Duration::from_millis(100));
                String::new()
            } else if step.order == Order::Ignore {
                let argv = engine::cli::split_args(server_step.line.as_bytes()).unwrap_or_default();
                conn.call_all(&argv, false, false);
                String::new()
            } else if step.is_read() {
                render_read(&conn.read_all(Duration::from_millis(100)), &step.order)
            } else {
                // Several replies may follow: on a subscribed connection, and from an EXEC
                // whose queue subscribes (the replies past one per command follow the array).
                // A tracking connection receives invalidations after the reply too; one with
                // `CLIENT REPLY OFF|SKIP` may receive nothing.
                let quiet = engine.is_paused()
                    || engine.client(id).is_some_and(|c| c.reply_mode != 0)
                    || step.line.to_ascii_lowercase().starts_with("client reply");
                // A MONITOR connection receives the line of its own command after the reply.
                let monitor = engine.is_monitor(id);
                let subscribed = monitor
                    || engine.client(id).is_some_and(|c| {
                        c.in_pubsub_context()
                            || c.is_tracking()
                            || c.multi.as_ref().is_some_and(|queue| {
                                queue.iter().any(|argv| {
                                    argv.first().is_some_and(|n| {
                                        n.to_ascii_lowercase().ends_with(b"subscribe")
                                    })
                                })
                            })
                    });
                print(run_line_with(server_step.line.as_bytes(), |argv| {
                    conn.call_all(argv, subscribed, quiet)
                        .into_iter()
                        .map(|r| normalize(r, &step.order))
                        .map(|r| if monitor { monitor_line(&r) } else { r })
                        .collect()
                }))
            };
            engine.set_time(start_wall + started.elapsed().as_millis() as i64);
            let engine_text = engine_step(&mut engine, id, &engine_step_);
            compared += 1;
            let differs = engine_text != server_text;
            server_out.push(server_text);
            if differs {
                failures.push(format!(
                    "{}: engine differs from redis-server at `{}`\n--- redis-server\n{}--- engine\n{engine_text}",
                    script.name,
                    step.line,
                    server_out.last().map_or("", String::as_str)
                ));
                break;
            }
        }
        if record {
            let rendered: String = script
                .steps
                .iter()
                .zip(&server_out)
                .map(|(s, o)| transcript_entry(s, o))
                .collect();
            std::fs::write(expected_path(&script), rendered).expect("write transcript");
        } else if server_out.len() == script.steps.len() {
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
