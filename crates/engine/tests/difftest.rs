//! Differential testing: random command sequences run against the engine and a real
//! redis-server 7.0, and every reply must be equal.
//!
//! A seeded generator writes episodes (a few hundred commands on up to three connections, over
//! a small key space where keys of every type share names, so type clashes happen) from the
//! commands registered in the engine: each family of commands has an argument generator that
//! mixes valid and invalid values. Each episode starts from an empty server and a fresh engine;
//! its commands run on both, and the replies — decoded on the server side by redis-rs, an
//! independent RESP implementation — are compared. On the first divergence the episode is
//! shrunk (delta debugging: commands are dropped while the divergence persists) and printed as a
//! conformance script, ready for `tests/conformance/`.
//!
//! Run with a live server (`make conformance`, `make difftest N=… SEED=…`): `REDIS_SOCKET`
//! names it, `DIFFTEST_COMMANDS` (default 20,000) how many commands to run, `DIFFTEST_SEED` the
//! seed (default: a new one each run, printed). Without a server the test says so and passes,
//! unless `REQUIRE_LIVE_REDIS` is set.
//!
//! What is compared and how:
//! - replies are converted to one form ([`Reply`]): redis-rs cannot tell a null bulk from a
//!   null array (`$-1`, `*-1`), so the engine's are merged too;
//! - replies Redis does not order (hashtable-encoded `SMEMBERS`, `HGETALL`, `KEYS`…) compare as
//!   multisets; random replies (`SRANDMEMBER`, `HRANDFIELD`, `RANDOMKEY`, `SPOP`) by shape; a
//!   random `SPOP` leaves the two sets different, so the key is then deleted on both sides (the
//!   `DEL` is part of the episode and of a printed script);
//! - time: the engine's clock follows the wall clock and the generator sets only expiries that
//!   cannot fall due during a run (relative ones of a day or more, absolute ones in 2001 or
//!   2100), so only remaining times differ, by the moments between the two sides: TTL-like
//!   replies compare with a tolerance.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use engine::cli::{format_reply, quote_bytes};
use engine::{ClientId, Engine, Registry, Reply};

#[path = "difftest/generate.rs"]
mod generate;
use generate::{Gen, Step};

/// Commands the generator does not send, and why. Registered commands that are neither here nor
/// in a family are printed as uncovered by every run.
const UNCOVERED: &[(&str, &str)] = &[(
    "quit",
    "redis-cli ends the REPL on `quit` without sending it, so a script cannot replay it",
)];

/// Subcommands left out of the families that cover their container, and why.
pub const UNCOVERED_SUBCOMMANDS: &[(&str, &str)] = &[
    (
        "client id|info|list|kill|unblock",
        "client ids and addresses differ between the engine and the server",
    ),
    (
        "client pause|unpause|reply, client tracking redirect",
        "a pause follows the wall clock on the server; a command without a reply (REPLY OFF) \
         reads as blocked; redirection needs the other side's client id (conformance scripts \
         cover them)",
    ),
    (
        "command (bare)|count|docs|list",
        "describe only the commands implemented here, by design (README)",
    ),
];

const DEFAULT_COMMANDS: usize = 20_000;

/// How long a reply the engine gave may take to arrive from the server before the server is
/// taken to have sent nothing.
const REPLY_TIMEOUT: Duration = Duration::from_secs(1);

/// The same for the replies after the first of a command: Redis writes them together.
const MORE_TIMEOUT: Duration = Duration::from_millis(100);

// ---------------------------------------------------------------------------------------------
// The server side: a connection whose replies redis-rs decodes.

/// One connection to the live server. Commands are encoded and replies decoded by redis-rs;
/// the socket is ours so that a read can time out without losing the stream.
struct ServerConn {
    stream: UnixStream,
    parser: redis::Parser,
    /// The server's id for this connection (`CLIENT ID`), to ask the server about it.
    id: i64,
}

impl ServerConn {
    fn open(socket: &str) -> ServerConn {
        let stream = UnixStream::connect(socket)
            .unwrap_or_else(|e| panic!("cannot connect to {socket}: {e}"));
        let mut conn = ServerConn {
            stream,
            parser: redis::Parser::new(),
            id: 0,
        };
        conn.id = match conn.call(&words("CLIENT ID")) {
            Reply::Integer(id) => id,
            other => panic!("CLIENT ID answered {other:?}"),
        };
        conn
    }

    fn send(&mut self, argv: &[Vec<u8>]) {
        let mut cmd = redis::Cmd::new();
        for arg in argv {
            cmd.arg(arg.as_slice());
        }
        self.stream
            .write_all(&cmd.get_packed_command())
            .expect("write to redis-server");
    }

    /// The next reply, or `None` when none arrives within `timeout`.
    fn recv(&mut self, timeout: Duration) -> Option<Reply> {
        self.stream
            .set_read_timeout(Some(timeout))
            .expect("set a read timeout");
        match self.parser.parse_value(&mut self.stream) {
            Ok(value) => Some(from_redis(value)),
            Err(e) if e.is_timeout() => None,
            Err(e) => panic!("redis-rs cannot read the server's reply: {e}"),
        }
    }

    /// A reply that already arrived, if any (after the server wrote everything it had to).
    fn pending(&mut self) -> Option<Reply> {
        self.stream.set_nonblocking(true).expect("set non-blocking");
        let value = self.parser.parse_value(&mut self.stream);
        self.stream.set_nonblocking(false).expect("set blocking");
        match value {
            Ok(value) => Some(from_redis(value)),
            Err(e) if e.is_timeout() => None,
            Err(e) => panic!("redis-rs cannot read the server's reply: {e}"),
        }
    }

    /// Sends a command and waits for its one reply (administration).
    fn call(&mut self, argv: &[Vec<u8>]) -> Reply {
        self.send(argv);
        self.recv(Duration::from_secs(30))
            .expect("redis-server answers an administrative command")
    }
}

/// With `DIFFTEST_COUNT_PUSHES` set: prints a line per invalidation message compared, to see
/// that a run exercises client-side caching.
fn count_invalidations(replies: &[Reply], whose: &str) {
    for reply in replies {
        if let Reply::Push(items) | Reply::Array(items) = reply
            && matches!(items.first(), Some(Reply::Bulk(kind)) if kind.as_ref() == b"invalidate")
        {
            eprintln!("difftest: invalidation ({whose})");
        }
    }
}

fn words(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

/// A server reply in the engine's reply type, the common form both sides are compared in.
fn from_redis(value: redis::Value) -> Reply {
    use redis::Value as V;
    match value {
        V::Nil => Reply::Nil,
        V::Int(n) => Reply::Integer(n),
        V::BulkString(b) => Reply::from(b),
        V::Array(items) => Reply::Array(items.into_iter().map(from_redis).collect()),
        V::SimpleString(s) => Reply::Status(s.into()),
        V::Okay => Reply::ok(),
        V::Map(pairs) => Reply::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (from_redis(k), from_redis(v)))
                .collect(),
        ),
        V::Attribute { data, .. } => from_redis(*data),
        V::Set(items) => Reply::Set(items.into_iter().map(from_redis).collect()),
        V::Double(d) => Reply::Double(d),
        V::Boolean(b) => Reply::Bool(b),
        V::VerbatimString { format, text } => {
            let format = match format {
                redis::VerbatimFormat::Text => "txt",
                redis::VerbatimFormat::Markdown => "mkd",
                _ => "???",
            };
            Reply::Verbatim(format, text.into_bytes())
        }
        V::BigNumber(n) => Reply::from(n),
        V::Push { kind, data } => {
            let mut items = vec![Reply::bulk(kind.to_string().as_bytes())];
            items.extend(data.into_iter().map(from_redis));
            Reply::Push(items)
        }
        V::ServerError(e) => Reply::Error(match e.details() {
            Some(details) => format!("{} {details}", e.code()).into(),
            None => e.code().to_string().into(),
        }),
        other => Reply::Error(format!("(unexpected redis-rs value {other:?})").into()),
    }
}

/// The engine's reply as redis-rs would show it: null bulk and null array are one value, and a
/// RESP3 double written as a human long double (17 decimals, so small coordinates lose digits)
/// is the number redis-rs reads back from that text.
fn common(reply: Reply) -> Reply {
    match reply {
        Reply::NilArray => Reply::Nil,
        Reply::HumanDouble(x) => {
            let text = format_reply(&Reply::HumanDouble(x));
            let number = text.trim().trim_start_matches("(double) ");
            Reply::Double(number.parse().unwrap_or(x))
        }
        Reply::Array(items) => Reply::Array(items.into_iter().map(common).collect()),
        Reply::Set(items) => Reply::Set(items.into_iter().map(common).collect()),
        Reply::Push(items) => Reply::Push(items.into_iter().map(common).collect()),
        Reply::Map(pairs) => Reply::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (common(k), common(v)))
                .collect(),
        ),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// How a reply is compared.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Byte for byte.
    Exact,
    /// The elements of the reply (an array or set) as a multiset.
    Unordered,
    /// Like `Unordered`, by (field, value) pairs.
    UnorderedPairs,
    /// Ordered when the key's encoding orders it (listpack, intset), else a multiset: the
    /// server's `OBJECT ENCODING` decides when the orders differ.
    EncodingOrdered { pairs: bool },
    /// A `*SCAN` reply: a walk from cursor 0 that ends at once (both cursors 0) returns every
    /// element, compared as a multiset; any other only by shape, because cursors walk each
    /// side's own hash table (Redis seeds its hash function at random): even a walk that ends
    /// at once from another cursor visits buckets whose contents depend on the hash.
    Scan { pairs: bool, from_zero: bool },
    /// A random reply: same shape (kind and length), or the same error.
    Random,
    /// `SPOP`: random, and when the popped members differ the key is resynchronised.
    RandomPop,
    /// `DUMP`: a hashtable-encoded value is written in the order of each side's own table, so
    /// there only the kind of reply is compared (the server's `OBJECT ENCODING` decides).
    Dump,
    /// Remaining or absolute times, idle times: integers within this tolerance unless negative
    /// (-1, -2 are exact). Redis's LRU clock ticks in whole seconds, ten times a second.
    Time(i64),
    /// `HELLO`: equal once the connection id is masked.
    Hello,
    /// Several replies (`UNSUBSCRIBE` without arguments) in an order Redis leaves to its dict.
    UnorderedReplies,
    /// `COMMAND INFO`/`COMMAND DOCS`: a container's subcommands come in the order of Redis's
    /// dict, so they are compared as a multiset.
    CommandInfo,
    /// `XPENDING`, `XINFO`: equal once the wall-clock times they report (idle times, delivery
    /// and seen times) are masked.
    StreamTimes,
    /// `INFO`: the same sections, and equal values for the fields that depend only on the
    /// commands run (see [`info_fields`]).
    Info,
    /// `MEMORY USAGE`: exact for strings (a `raw` one's room follows its history, see the
    /// engine's `keyspace/sds.rs`; HLLs included) and the compact encodings (`listpack`,
    /// `intset`, a one-node `quicklist`, streams). Not for a `hashtable`, whose table size
    /// follows its growth history and the server cron's resizing; a `skiplist`, whose nodes
    /// have random heights; a quicklist of several nodes, cut by its history. (Inside EXEC,
    /// where the encoding can no longer be asked, by kind only.)
    MemoryUsage,
    /// `SLOWLOG GET`: see [`same_slowlog`].
    Slowlog,
    /// The same kind of reply (an array, an integer), or the same error.
    Kind,
    /// `SLOWLOG LEN`: both logs also hold some of the runner's own commands (see
    /// [`same_slowlog`]), so only the kind of reply is compared.
    SlowlogLen,
}

fn lower(arg: Option<&Vec<u8>>) -> String {
    arg.map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
        .unwrap_or_default()
}

fn class_of(argv: &[Vec<u8>]) -> Class {
    let name = lower(argv.first());
    let sub = lower(argv.get(1));
    match name.as_str() {
        // SORT's ties (with BY: `nosort`, missing keys; with ALPHA: strings equal up to a NUL
        // byte, as strcoll reads them) keep the key's own order, which for a set or a sorted set
        // is its hash table's: compared exactly for lists only.
        "smembers" | "hkeys" | "hvals" | "sort" | "sort_ro" => {
            Class::EncodingOrdered { pairs: false }
        }
        "hgetall" => Class::EncodingOrdered { pairs: true },
        // Parameters come in the order of Redis's config dict.
        "config" if sub == "get" => Class::UnorderedPairs,
        "keys" | "sinter" | "sunion" | "sdiff" => Class::Unordered,
        "pubsub" if sub == "channels" || sub == "shardchannels" => Class::Unordered,
        "scan" => Class::Scan {
            pairs: false,
            from_zero: argv.get(1).is_some_and(|c| c == b"0"),
        },
        "sscan" | "hscan" | "zscan" => Class::Scan {
            pairs: name != "sscan",
            from_zero: argv.get(2).is_some_and(|c| c == b"0"),
        },
        "srandmember" | "hrandfield" | "zrandmember" | "randomkey" | "time" => Class::Random,
        // A relative expiry compared (GT, LT) with one set a moment before by a relative time
        // too: whether the wall clock ticked a millisecond in between decides, on each side.
        "expire" | "pexpire"
            if argv
                .iter()
                .skip(3)
                .any(|a| a.eq_ignore_ascii_case(b"gt") || a.eq_ignore_ascii_case(b"lt")) =>
        {
            Class::Random
        }
        "spop" => Class::RandomPop,
        "ttl" | "expiretime" => Class::Time(1),
        "pttl" | "pexpiretime" => Class::Time(1000),
        // Small integers are shared objects in Redis: their idle time is that of the last
        // access to any key holding the same number, since the server started (the server
        // lives across episodes), so it is compared by kind only.
        "object" if sub == "idletime" => Class::Random,
        "hello" => Class::Hello,
        "command" if sub == "info" || sub == "docs" => Class::CommandInfo,
        "dump" => Class::Dump,
        "xpending" | "xinfo" => Class::StreamTimes,
        "info" => Class::Info,
        "memory" if sub == "usage" => Class::MemoryUsage,
        "slowlog" if sub == "get" => Class::Slowlog,
        "slowlog" if sub == "len" => Class::SlowlogLen,
        // A client's channels are in a dict; its patterns in a list (PUNSUBSCRIBE is ordered).
        "unsubscribe" | "sunsubscribe" if argv.len() == 1 => Class::UnorderedReplies,
        _ => Class::Exact,
    }
}

/// Whether a command walks a lexicographic range over a skiplist-encoded sorted set whose
/// scores differ (in the engine, before it runs). Redis finds such a range's start by walking
/// down its skiplist's levels, which are random: with mixed scores a higher level can step past
/// the member where the engine's walk (Redis's level-0 one, its most likely) stops, so the
/// replies may differ. Redis documents lexicographic ranges for sets of one score only.
fn walks_random_levels(engine: &Engine, id: ClientId, argv: &[Vec<u8>]) -> bool {
    let name = lower(argv.first());
    let key = match name.as_str() {
        "zrangebylex" | "zrevrangebylex" | "zlexcount" | "zremrangebylex" => argv.get(1),
        "zrange" | "zrangestore" if argv.iter().any(|a| a.eq_ignore_ascii_case(b"bylex")) => {
            argv.get(if name == "zrange" { 1 } else { 2 })
        }
        _ => None,
    };
    let (Some(key), Some(db)) = (key, engine.client(id).map(|c| c.db)) else {
        return false;
    };
    match engine.inspect_key(db, key, usize::MAX) {
        Some((info, engine::ValueView::ZSet(items))) if info.encoding == "skiplist" => items
            .windows(2)
            .any(|w| w[0].1.partial_cmp(&w[1].1) != Some(std::cmp::Ordering::Equal)),
        _ => false,
    }
}

/// Whether a reply holds, below its top level, a pub/sub message (an array or push starting
/// with `message`, `pmessage` or `smessage`).
fn holds_message(reply: &Reply, depth: usize) -> bool {
    let items: Vec<&Reply> = match reply {
        Reply::Array(items) | Reply::Push(items) | Reply::Set(items) => items.iter().collect(),
        Reply::Map(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
        _ => return false,
    };
    let message = matches!(items.first(), Some(Reply::Bulk(kind))
        if [&b"message"[..], b"pmessage", b"smessage"].contains(&kind.as_slice()));
    (depth > 0 && message) || items.iter().any(|r| holds_message(r, depth + 1))
}

fn sort_key(reply: &Reply) -> String {
    format!("{reply:?}")
}

/// A pub/sub reply's sort key, where an unsubscribe confirmation keeps its kind and channel but
/// not its remaining-subscriptions count: a bare UNSUBSCRIBE walks Redis's channel dict in an
/// unspecified order, so which channel reports which count varies (the counts as a whole do
/// not, and the number of replies is compared apart).
fn unsubscribe_neutral(reply: &Reply) -> String {
    if let Reply::Array(items) | Reply::Push(items) = reply
        && let [Reply::Bulk(kind), channel, Reply::Integer(_)] = items.as_slice()
        && kind.ends_with(b"unsubscribe")
    {
        return sort_key(&Reply::Array(vec![
            Reply::Bulk(kind.clone()),
            channel.clone(),
        ]));
    }
    sort_key(reply)
}

/// The reply with its elements (or pairs) sorted.
fn as_multiset(reply: &Reply, pairs: bool) -> Reply {
    match reply {
        Reply::Array(items) | Reply::Set(items) => {
            let mut chunks: Vec<&[Reply]> = if pairs {
                items.chunks(2).collect()
            } else {
                items.chunks(1).collect()
            };
            chunks.sort_by_key(|c| c.iter().map(sort_key).collect::<Vec<_>>());
            Reply::Array(chunks.concat())
        }
        Reply::Map(entries) => {
            let mut entries = entries.clone();
            entries.sort_by_key(|(k, v)| (sort_key(k), sort_key(v)));
            Reply::Map(entries)
        }
        other => other.clone(),
    }
}

/// Same kind of reply and same length (recursively); errors must be equal.
fn same_shape(a: &Reply, b: &Reply) -> bool {
    match (a, b) {
        (Reply::Array(x), Reply::Array(y))
        | (Reply::Set(x), Reply::Set(y))
        | (Reply::Push(x), Reply::Push(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_shape(a, b))
        }
        (Reply::Map(x), Reply::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| same_shape(ka, kb) && same_shape(va, vb))
        }
        (Reply::Error(_), _) | (_, Reply::Error(_)) => a == b,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// A reply with the value after each field named in `names` zeroed, at every depth (RESP2's
/// flat field/value arrays and RESP3 maps).
fn mask_fields(reply: &Reply, names: &[&[u8]]) -> Reply {
    let named = |r: &Reply| matches!(r, Reply::Bulk(k) if names.contains(&k.as_slice()));
    match reply {
        Reply::Array(items) => {
            let mut items: Vec<Reply> = items.iter().map(|r| mask_fields(r, names)).collect();
            for i in 1..items.len() {
                if named(&items[i - 1]) {
                    items[i] = Reply::Integer(0);
                }
            }
            Reply::Array(items)
        }
        Reply::Map(pairs) => Reply::Map(
            pairs
                .iter()
                .map(|(k, v)| {
                    let v = if named(k) {
                        Reply::Integer(0)
                    } else {
                        mask_fields(v, names)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Same,
    /// Equal as multisets only: the key's encoding decides (`EncodingOrdered`).
    OrderDiffers,
    /// A random reply drew different values (same shape).
    Drew,
    Differs,
}

fn compare(class: Class, engine: &Reply, server: &Reply) -> Verdict {
    if engine == server {
        return Verdict::Same;
    }
    let ok = |same: bool| {
        if same {
            Verdict::Same
        } else {
            Verdict::Differs
        }
    };
    match class {
        Class::Exact | Class::UnorderedReplies => Verdict::Differs,
        Class::Unordered => ok(as_multiset(engine, false) == as_multiset(server, false)),
        Class::UnorderedPairs => ok(as_multiset(engine, true) == as_multiset(server, true)),
        Class::EncodingOrdered { pairs } => {
            if as_multiset(engine, pairs) == as_multiset(server, pairs) {
                Verdict::OrderDiffers
            } else {
                Verdict::Differs
            }
        }
        Class::Dump => match (engine, server) {
            (Reply::Bulk(_), Reply::Bulk(_)) => Verdict::OrderDiffers,
            _ => Verdict::Differs,
        },
        Class::Scan { pairs, from_zero } => match (engine, server) {
            (Reply::Array(e), Reply::Array(s)) if e.len() == 2 && s.len() == 2 => {
                let done = |r: &[Reply]| r.first() == Some(&Reply::bulk(b"0"));
                if from_zero && done(e) && done(s) {
                    ok(as_multiset(&e[1], pairs) == as_multiset(&s[1], pairs))
                } else {
                    ok(matches!((&e[1], &s[1]), (Reply::Array(_), Reply::Array(_))))
                }
            }
            _ => Verdict::Differs,
        },
        Class::Random | Class::RandomPop => {
            // A draw that takes everything (a count past the size) is the whole collection.
            if as_multiset(engine, false) == as_multiset(server, false) {
                Verdict::Same
            } else if same_shape(engine, server) {
                Verdict::Drew
            } else {
                Verdict::Differs
            }
        }
        Class::Time(tolerance) => match (engine, server) {
            (Reply::Integer(e), Reply::Integer(s)) if *e >= 0 && *s >= 0 => {
                ok(e.abs_diff(*s) <= tolerance.unsigned_abs())
            }
            _ => Verdict::Differs,
        },
        Class::Hello => ok(mask_fields(engine, &[b"id"]) == mask_fields(server, &[b"id"])),
        Class::CommandInfo => ok(subcommands_sorted(engine) == subcommands_sorted(server)),
        Class::StreamTimes => ok(mask_stream_times(engine) == mask_stream_times(server)),
        Class::Info => ok(info_fields(engine) == info_fields(server)),
        Class::Slowlog => ok(same_slowlog(engine, server)),
        Class::Kind => ok(matches!(
            (engine, server),
            (Reply::Array(_), Reply::Array(_)) | (Reply::Integer(_), Reply::Integer(_))
        )),
        Class::SlowlogLen => ok(matches!(
            (engine, server),
            (Reply::Integer(_), Reply::Integer(_))
        )),
        Class::MemoryUsage => match (engine, server) {
            (Reply::Integer(_), Reply::Integer(_)) => Verdict::OrderDiffers,
            _ => Verdict::Differs,
        },
    }
}

/// A SCAN with a TYPE filter: it looks up (counting a keyspace hit for) each key it visits.
fn typed_scan(argv: &[Vec<u8>]) -> bool {
    lower(argv.first()) == "scan" && argv.iter().any(|a| a.eq_ignore_ascii_case(b"type"))
}

/// What INFO is compared on: its section headers, and the fields that depend only on the
/// commands run — each database's key and expiry counts, keyspace hits and misses, expired
/// and evicted keys, pub/sub channels and patterns. The others count the runner's own
/// connections and commands, or measure time, memory and the process.
fn info_fields(reply: &Reply) -> Result<Vec<String>, Reply> {
    const FIELDS: [&str; 7] = [
        "keyspace_hits",
        "keyspace_misses",
        "expired_keys",
        "evicted_keys",
        "pubsub_channels",
        "pubsub_patterns",
        "pubsubshard_channels",
    ];
    // Commands the runner itself sends to the server (its admin connection's, and `CLIENT ID`
    // on each new connection): their counts are the server's alone.
    const RUNNERS: [&str; 5] = ["client|", "debug", "select", "ping", "config|"];
    let text: &[u8] = match reply {
        Reply::Bulk(text) => text,
        Reply::Verbatim(_, text) => text,
        _ => return Err(reply.clone()),
    };
    let mut out = Vec::new();
    // Per-command and per-error statistics come in the order of Redis's dicts: sorted here,
    // at the end of their section.
    let mut unordered: Vec<String> = Vec::new();
    for line in String::from_utf8_lossy(text).lines() {
        if line.starts_with('#') {
            unordered.sort();
            out.append(&mut unordered);
            out.push(line.to_string());
        } else if let Some((name, value)) = line.split_once(':') {
            if let Some(command) = name.strip_prefix("cmdstat_") {
                if !RUNNERS.iter().any(|r| command.starts_with(r)) {
                    // calls, rejected_calls, failed_calls: not the times.
                    let counts: Vec<&str> = value
                        .split(',')
                        .filter(|f| !f.starts_with("usec"))
                        .collect();
                    unordered.push(format!("{name}:{}", counts.join(",")));
                }
            } else if name.starts_with("errorstat_") {
                unordered.push(line.to_string());
            } else if FIELDS.contains(&name) {
                out.push(line.to_string());
            } else if name.starts_with("db") && name[2..].bytes().all(|b| b.is_ascii_digit()) {
                // `keys=…,expires=…,avg_ttl=…`: the average remaining time moves with the clock.
                let counts: Vec<&str> = value
                    .split(',')
                    .filter(|f| !f.starts_with("avg_ttl"))
                    .collect();
                out.push(format!("{name}:{}", counts.join(",")));
            }
        }
    }
    unordered.sort();
    out.append(&mut unordered);
    Ok(out)
}

/// An `XPENDING`/`XINFO` reply with its wall-clock times zeroed: the value after a field named
/// `idle`, `seen-time`, `active-time` or `delivery-time`; the idle time in XPENDING's
/// `[id, consumer, idle, deliveries]` entries (and XINFO STREAM FULL's group PEL entries, of
/// the same shape); the delivery time in a FULL consumer's `[id, delivery-time, deliveries]`.
/// The name of the runner's own connection to the server, whose commands enter the server's
/// slow log too.
const ADMIN_NAME: &[u8] = b"difftest-admin";

/// Whether `SLOWLOG GET` replies agree. The logs also hold the runner's own commands (on the
/// server, its admin connection's and the `CLIENT ID` each new connection sends; in the engine,
/// the statistics it resets beside the server's), newest first like the rest: without them,
/// one side's entries must be the other's newest ones, and it may have fewer by as many as
/// there were of them (they took room in the log and in the count). Each entry's id, time,
/// duration and client address are masked.
fn same_slowlog(engine: &Reply, server: &Reply) -> bool {
    let (Reply::Array(e), Reply::Array(s)) = (engine, server) else {
        return engine == server;
    };
    let runners = |entry: &&Reply| match entry {
        Reply::Array(fields) => {
            fields.get(5) == Some(&Reply::bulk(ADMIN_NAME))
                || fields.get(3)
                    == Some(&Reply::Array(vec![
                        Reply::bulk(b"CLIENT"),
                        Reply::bulk(b"ID"),
                    ]))
        }
        _ => false,
    };
    let masked = |entry: &Reply| match entry {
        Reply::Array(fields) => Reply::Array(
            fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    if [0, 1, 2, 4].contains(&i) {
                        Reply::Nil
                    } else {
                        f.clone()
                    }
                })
                .collect(),
        ),
        other => other.clone(),
    };
    let theirs: Vec<Reply> = s.iter().filter(|r| !runners(r)).map(masked).collect();
    let ours: Vec<Reply> = e.iter().filter(|r| !runners(r)).map(masked).collect();
    let extra = (s.len() - theirs.len()).max(e.len() - ours.len());
    let (short, long) = if ours.len() <= theirs.len() {
        (&ours, &theirs)
    } else {
        (&theirs, &ours)
    };
    long.len() <= short.len() + extra && long.get(..short.len()) == Some(short.as_slice())
}

fn mask_stream_times(reply: &Reply) -> Reply {
    mask_fields(
        &mask_pel_times(reply),
        &[b"idle", b"seen-time", b"active-time", b"delivery-time"],
    )
}

/// The PEL entries' times zeroed (see [`mask_stream_times`]).
fn mask_pel_times(reply: &Reply) -> Reply {
    let is_id = |r: &Reply| matches!(r, Reply::Bulk(b) if b.contains(&b'-') && b.first().is_some_and(u8::is_ascii_digit));
    match reply {
        Reply::Array(items) => {
            let mut items: Vec<Reply> = items.iter().map(mask_pel_times).collect();
            match items.as_slice() {
                [id, Reply::Bulk(_), Reply::Integer(_), Reply::Integer(_)] if is_id(id) => {
                    items[2] = Reply::Integer(0);
                }
                [id, Reply::Integer(_), Reply::Integer(_)] if is_id(id) => {
                    items[1] = Reply::Integer(0);
                }
                _ => {}
            }
            Reply::Array(items)
        }
        Reply::Map(pairs) => Reply::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), mask_pel_times(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A `COMMAND INFO`/`DOCS` reply with every nested list of subcommands sorted.
fn subcommands_sorted(reply: &Reply) -> Reply {
    match reply {
        Reply::Array(items) | Reply::Set(items) => {
            let mut items: Vec<Reply> = items.iter().map(subcommands_sorted).collect();
            // An INFO entry's tenth element, or a DOCS map's "subcommands" value, is a list of
            // entries, each an array or a map: sort them.
            if items
                .iter()
                .all(|i| matches!(i, Reply::Array(_) | Reply::Map(_)))
            {
                items.sort_by_key(sort_key);
            }
            Reply::Array(items)
        }
        Reply::Map(pairs) => {
            let mut pairs: Vec<(Reply, Reply)> = pairs
                .iter()
                .map(|(k, v)| (k.clone(), subcommands_sorted(v)))
                .collect();
            pairs.sort_by_key(|(k, _)| sort_key(k));
            Reply::Map(pairs)
        }
        other => other.clone(),
    }
}

/// Replies as redis-cli prints them, cut after 40 lines.
fn shown(replies: &[Reply]) -> String {
    let text: String = replies.iter().map(format_reply).collect();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 40 {
        return text;
    }
    format!(
        "{}\n… ({} more lines)\n",
        lines[..40].join("\n"),
        lines.len() - 40
    )
}

// ---------------------------------------------------------------------------------------------
// Running an episode on both sides.

/// What happened to one executed step, for the script printed after a divergence.
struct Traced {
    conn: usize,
    argv: Vec<Vec<u8>>,
    class: Class,
    /// Connections (other than the step's) that received something because of it.
    delivered_to: Vec<usize>,
    /// Whether its (first) reply was an error, for the generator's statistics.
    refused: bool,
}

struct Divergence {
    /// Index in the episode of the step where the sides differ.
    step: usize,
    /// The command name there (shrinking keeps divergences at the same command).
    command: String,
    report: String,
}

struct Outcome {
    executed: usize,
    trace: Vec<Traced>,
    divergence: Option<Divergence>,
}

const CONN_NAMES: [&str; 3] = ["", "b", "c"];

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

struct Runner {
    socket: String,
    admin: ServerConn,
    admin_db: usize,
}

/// One side's connection pair for a script connection.
struct Pair {
    engine: ClientId,
    server: ServerConn,
}

impl Runner {
    /// Brings the server back to an empty state with no other client connected.
    fn reset_server(&mut self) {
        for line in [
            "CLIENT KILL TYPE normal SKIPME yes",
            "CLIENT KILL TYPE pubsub SKIPME yes",
            "FLUSHALL",
            "CONFIG RESETSTAT",
        ] {
            let reply = self.admin.call(&words(line));
            assert!(!reply.is_error(), "{line}: {reply:?}");
        }
        // The parameters an episode may change, back to their defaults (a fresh engine has
        // them).
        let mut set = vec![b"CONFIG".to_vec(), b"SET".to_vec()];
        let parameters = generate::CONFIG_PARAMETERS
            .iter()
            .map(|(name, _, default)| (*name, *default))
            .chain(generate::SCENARIO_PARAMETERS.iter().copied());
        for (name, default) in parameters {
            if !name.starts_with("nosuch") {
                set.push(name.as_bytes().to_vec());
                set.push(default.as_bytes().to_vec());
            }
        }
        let reply = self.admin.call(&set);
        assert!(!reply.is_error(), "CONFIG SET defaults: {reply:?}");
        // An empty slow log (SLOWLOG's own call is counted: statistics reset after it).
        for line in ["SLOWLOG RESET", "CONFIG RESETSTAT"] {
            let reply = self.admin.call(&words(line));
            assert!(!reply.is_error(), "{line}: {reply:?}");
        }
    }

    fn admin_select(&mut self, db: usize) {
        if self.admin_db != db {
            self.admin
                .call(&[b"SELECT".to_vec(), db.to_string().into_bytes()]);
            self.admin_db = db;
        }
    }

    /// Whether the server has a connection waiting in a blocking command, asked once its command
    /// was processed: `CLIENT LIST ID` shows flag `b`, or the connection has a reply.
    fn server_blocked(&mut self, conn: &mut ServerConn) -> Result<bool, Reply> {
        let started = Instant::now();
        loop {
            if let Some(reply) = conn.pending() {
                return Err(reply);
            }
            let list = self.admin.call(&[
                b"CLIENT".to_vec(),
                b"LIST".to_vec(),
                b"ID".to_vec(),
                conn.id.to_string().into_bytes(),
            ]);
            let text = match list {
                Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
                Reply::Verbatim(_, b) => String::from_utf8_lossy(&b).into_owned(),
                _ => String::new(),
            };
            let flags = text
                .split(' ')
                .find_map(|f| f.strip_prefix("flags="))
                .unwrap_or("");
            if flags.contains('b') {
                return Ok(true);
            }
            if started.elapsed() > REPLY_TIMEOUT {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    fn run(&mut self, steps: &[Step]) -> Outcome {
        self.reset_server();
        let mut engine = Engine::new();
        engine.set_time(wall_ms());
        let mut pairs: Vec<Option<Pair>> = (0..CONN_NAMES.len()).map(|_| None).collect();
        let mut trace = Vec::new();
        let mut executed = 0;
        // Steps: the episode's, plus the DELs that resynchronise a random SPOP.
        let mut queue: std::collections::VecDeque<(usize, Step)> =
            steps.iter().cloned().enumerate().collect();
        while let Some((index, step)) = queue.pop_front() {
            let c = step.conn;
            if pairs[c]
                .as_ref()
                .is_none_or(|p| !engine.is_connected(p.engine))
            {
                pairs[c] = Some(Pair {
                    engine: engine.connect(),
                    server: ServerConn::open(&self.socket),
                });
            }
            let Some(id) = pairs[c].as_ref().map(|p| p.engine) else {
                continue;
            };
            // A waiting connection reads no command: its steps are dropped.
            if engine.is_blocked(id) {
                continue;
            }
            let queued: Vec<Vec<Vec<u8>>> = engine
                .client(id)
                .and_then(|cl| cl.multi.clone())
                .unwrap_or_default();
            let is_exec = lower(step.argv.first()) == "exec";
            // SWAPDB wakes the clients waiting on keys the swap brings in, in the order of
            // Redis's dict of waited-on keys, which its random hash seed decides: a client
            // waiting on several keys could be served from any of them. Such a swap is skipped.
            let swaps = lower(step.argv.first()) == "swapdb"
                || (is_exec && queued.iter().any(|cmd| lower(cmd.first()) == "swapdb"));
            if swaps
                && pairs.iter().flatten().any(|p| {
                    engine
                        .blocked_keys(p.engine)
                        .is_some_and(|keys| keys.len() > 1)
                })
            {
                continue;
            }
            // A known divergence, left alone: HELLO switching the protocol inside a transaction
            // makes Redis write each element of the EXEC array in the protocol of its moment
            // (a map, then flat arrays), where the engine writes them all in the final one.
            if lower(step.argv.first()) == "hello"
                && engine.client(id).is_some_and(|cl| cl.multi.is_some())
            {
                continue;
            }
            let Some(pair) = pairs[c].as_mut() else {
                continue;
            };
            executed += 1;
            let mut class = class_of(&step.argv);
            // A window's SLOWLOG is compared only while its `slowlog-log-slower-than 0` holds
            // (a blocked connection may have dropped the step setting it): otherwise the
            // server logs whatever was slow on this machine, the engine nothing.
            if matches!(class, Class::Slowlog | Class::SlowlogLen)
                && engine.config().slowlog_log_slower_than != 0
            {
                class = Class::Kind;
            }
            let level_walk = walks_random_levels(&engine, id, &step.argv);
            engine.set_time(wall_ms());
            let engine_replies: Vec<Reply> = engine
                .call(id, &step.argv)
                .into_iter()
                .map(common)
                .collect();
            if lower(step.argv.first()).starts_with("sort")
                || (is_exec
                    && queued
                        .iter()
                        .any(|cmd| lower(cmd.first()).starts_with("sort")))
            {
                // Redis 7.0's SORT converts elements with strtod and checks `errno == ERANGE`
                // without clearing errno first, so an earlier command's out-of-range number
                // ("1e400") can make it refuse numbers it accepts otherwise. Accepting a
                // connection clears errno (the accept loop ends in EAGAIN): one is opened and
                // used once before each SORT, so the server answers as with nothing stale.
                // (A SORT that itself converts a listpack sorted set holding a subnormal score
                // fails the same way; the generator draws no subnormal scores.)
                ServerConn::open(&self.socket);
            }
            pair.server.send(&step.argv);
            let mut traced = Traced {
                conn: c,
                argv: step.argv.clone(),
                class,
                delivered_to: Vec::new(),
                refused: matches!(engine_replies.first(), Some(Reply::Error(_))),
            };
            let fail = |report: String, trace: Vec<Traced>| Outcome {
                executed,
                trace,
                divergence: Some(Divergence {
                    step: index,
                    command: lower(step.argv.first()),
                    report,
                }),
            };
            if std::env::var("DIFFTEST_COUNT_PUSHES").is_ok() {
                count_invalidations(&engine_replies, "own");
            }
            let mut server_replies = Vec::new();
            if engine_replies.is_empty() {
                let blocked = engine.is_blocked(id);
                match self.server_blocked(&mut pair.server) {
                    Ok(true) if blocked => {}
                    Ok(_) => {
                        trace.push(traced);
                        return fail(
                            "the engine blocks; the server neither blocks nor answers".into(),
                            trace,
                        );
                    }
                    Err(reply) => {
                        trace.push(traced);
                        return fail(
                            format!(
                                "the engine blocks (sends nothing); the server answers\n{}",
                                format_reply(&reply)
                            ),
                            trace,
                        );
                    }
                }
            } else {
                for n in 0..engine_replies.len() {
                    match pair
                        .server
                        .recv(if n == 0 { REPLY_TIMEOUT } else { MORE_TIMEOUT })
                    {
                        Some(reply) => server_replies.push(reply),
                        None => break,
                    }
                }
            }
            // Redis 7.0 writes a message to a RESP3 connection subscribed to its own command's
            // keyspace notification at the moment it is published, even in the middle of the
            // command's reply (XREADGROUP creating a consumer, inside its map): the reply can
            // no longer be read apart from it. The engine writes it before the reply (a known
            // divergence, left alone); the episode ends there.
            if engine_replies.iter().any(|r| matches!(r, Reply::Push(_)))
                && server_replies.iter().any(|r| holds_message(r, 0))
            {
                trace.push(traced);
                return Outcome {
                    executed,
                    trace,
                    divergence: None,
                };
            }
            // Compare.
            let mut resync: Vec<Vec<u8>> = Vec::new();
            let verdict = self.compare_step(
                &engine,
                id,
                &step.argv,
                class,
                is_exec.then_some(&queued),
                &engine_replies,
                &server_replies,
                &mut resync,
            );
            if let Err(report) = verdict {
                if level_walk {
                    // Redis's answer came from its random levels: the two sides may now hold
                    // different sets, and the episode ends here.
                    return Outcome {
                        executed,
                        trace,
                        divergence: None,
                    };
                }
                trace.push(traced);
                return fail(report, trace);
            }
            // SCAN with TYPE looks up (and counts a keyspace hit for) each key it visits, and
            // which keys a scan not run to its end from cursor 0 visits depends on the hash
            // table: the statistics INFO shows are then reset on both sides.
            let done = |r: &[Reply]| {
                matches!(r.first(), Some(Reply::Array(items))
                    if items.first() == Some(&Reply::bulk(b"0")))
            };
            let from_zero = matches!(
                class,
                Class::Scan {
                    from_zero: true,
                    ..
                }
            );
            if (typed_scan(&step.argv)
                && !(from_zero && done(&engine_replies) && done(&server_replies)))
                || (is_exec && queued.iter().any(|cmd| typed_scan(cmd)))
            {
                let resetstat = words("CONFIG RESETSTAT");
                let admin = engine.connect();
                let mut setname = words("CLIENT SETNAME");
                setname.push(ADMIN_NAME.to_vec());
                engine.call(admin, &setname);
                engine.call(admin, &resetstat);
                engine.disconnect(admin);
                self.admin.call(&resetstat);
            }
            // What other connections received because of this command.
            for (other, slot) in pairs.iter_mut().enumerate() {
                let Some(other_pair) = slot.as_mut() else {
                    continue;
                };
                if other == c {
                    continue;
                }
                let received: Vec<Reply> = engine
                    .take_output(other_pair.engine)
                    .into_iter()
                    .map(common)
                    .collect();
                if received.is_empty() {
                    continue;
                }
                traced.delivered_to.push(other);
                if std::env::var("DIFFTEST_COUNT_PUSHES").is_ok() {
                    count_invalidations(&received, "other");
                }
                let mut got = Vec::new();
                for n in 0..received.len() {
                    match other_pair
                        .server
                        .recv(if n == 0 { REPLY_TIMEOUT } else { MORE_TIMEOUT })
                    {
                        Some(reply) => got.push(reply),
                        None => break,
                    }
                }
                let sorted = |r: &[Reply]| {
                    let mut v: Vec<String> = r.iter().map(format_reply).collect();
                    v.sort();
                    v
                };
                if sorted(&received) != sorted(&got) {
                    let report = format!(
                        "connection [{}] receives, after this command:\n--- redis-server\n{}--- engine\n{}",
                        CONN_NAMES[other],
                        shown(&got),
                        shown(&received)
                    );
                    trace.push(traced);
                    return fail(report, trace);
                }
            }
            trace.push(traced);
            for key in resync.into_iter().rev() {
                queue.push_front((
                    index,
                    Step {
                        conn: c,
                        argv: vec![b"DEL".to_vec(), key],
                    },
                ));
            }
        }
        // Nothing more may arrive: once the admin connection has an answer, the server has
        // written everything it had for the others.
        self.admin.call(&words("PING"));
        for (c, slot) in pairs.iter_mut().enumerate() {
            let Some(pair) = slot.as_mut() else {
                continue;
            };
            let extra = if engine.is_blocked(pair.engine) {
                match self.server_blocked(&mut pair.server) {
                    Ok(true) => None,
                    Ok(false) => Some("is not blocked on the server".to_string()),
                    Err(reply) => Some(format!("received on the server\n{}", format_reply(&reply))),
                }
            } else {
                pair.server
                    .pending()
                    .map(|reply| format!("received on the server\n{}", format_reply(&reply)))
            };
            if let Some(what) = extra {
                return Outcome {
                    executed,
                    divergence: Some(Divergence {
                        step: steps.len(),
                        command: String::new(),
                        report: format!(
                            "at the end, connection [{}] (engine: nothing more) {what}",
                            CONN_NAMES[c]
                        ),
                    }),
                    trace,
                };
            }
        }
        Outcome {
            executed,
            trace,
            divergence: None,
        }
    }

    /// Compares one step's replies; `Err` is the report of a divergence. Keys a random `SPOP`
    /// left different are pushed on `resync`.
    #[allow(clippy::too_many_arguments)]
    fn compare_step(
        &mut self,
        engine: &Engine,
        id: ClientId,
        argv: &[Vec<u8>],
        class: Class,
        exec_queue: Option<&Vec<Vec<Vec<u8>>>>,
        engine_replies: &[Reply],
        server_replies: &[Reply],
        resync: &mut Vec<Vec<u8>>,
    ) -> Result<(), String> {
        let report = |detail: &str| {
            Err(format!(
                "{detail}--- redis-server\n{}--- engine\n{}",
                shown(server_replies),
                shown(engine_replies)
            ))
        };
        if engine_replies.len() != server_replies.len() {
            return report("different numbers of replies\n");
        }
        // A RESP3 connection subscribed to what its own command publishes (PUBLISH, or a
        // keyspace notification): messages of several matching patterns come in the order of
        // Redis's (randomly seeded) pattern dict, and the engine writes them before the
        // command's reply where Redis writes some after it (GETSET, GETDEL, GETEX reply before
        // they change the key: a known divergence, left alone). Pushes compare as a multiset,
        // the rest in order. (UNSUBSCRIBE's own pushes, in RESP3, are compared below.)
        if exec_queue.is_none()
            && class != Class::UnorderedReplies
            && engine_replies.len() > 1
            && engine_replies.iter().any(|r| matches!(r, Reply::Push(_)))
        {
            let split = |r: &[Reply]| {
                let mut pushes: Vec<String> = Vec::new();
                let mut rest: Vec<Reply> = Vec::new();
                for reply in r {
                    match reply {
                        Reply::Push(_) => pushes.push(format_reply(reply)),
                        other => rest.push(other.clone()),
                    }
                }
                pushes.sort();
                (pushes, rest)
            };
            let (engine_pushes, engine_rest) = split(engine_replies);
            let (server_pushes, server_rest) = split(server_replies);
            if engine_pushes != server_pushes {
                return report("");
            }
            // One reply besides the pushes (invalidations after it): compared as its class
            // says (a random SPOP by shape, an unordered SMEMBERS as a multiset, …).
            if engine_rest.len() == 1 && server_rest.len() == 1 {
                return self.compare_step(
                    engine,
                    id,
                    argv,
                    class,
                    exec_queue,
                    &engine_rest,
                    &server_rest,
                    resync,
                );
            }
            return if engine_rest == server_rest {
                Ok(())
            } else {
                report("")
            };
        }
        if class == Class::UnorderedReplies {
            // The channels come in any order, the remaining counts still go down one by one.
            let channel = |r: &Reply| match r {
                Reply::Array(items) | Reply::Push(items) => items.get(1).map(sort_key),
                _ => None,
            };
            let names = |r: &[Reply]| {
                let mut v: Vec<Option<String>> = r.iter().map(channel).collect();
                v.sort();
                v
            };
            let masked = |r: &[Reply]| -> Vec<Reply> {
                r.iter()
                    .map(|r| match r {
                        Reply::Array(items) | Reply::Push(items) => Reply::Array(
                            items
                                .iter()
                                .enumerate()
                                .map(|(i, x)| if i == 1 { Reply::Nil } else { x.clone() })
                                .collect(),
                        ),
                        other => other.clone(),
                    })
                    .collect()
            };
            return if names(engine_replies) == names(server_replies)
                && masked(engine_replies) == masked(server_replies)
            {
                Ok(())
            } else {
                report("")
            };
        }
        // An EXEC whose queue subscribes or publishes may write several replies for one command
        // (shifting the others) and messages in the order of Redis's pattern dict: then only
        // how many replies it writes and its pub/sub replies (as a multiset) are compared.
        if let Some(queue) = exec_queue
            && queue.iter().any(|cmd| {
                let name = lower(cmd.first());
                name.ends_with("subscribe") || name.ends_with("publish")
            })
        {
            let flat = |replies: &[Reply]| {
                let mut all: Vec<&Reply> = Vec::new();
                for (n, r) in replies.iter().enumerate() {
                    match r {
                        Reply::Array(items) if n == 0 => all.extend(items),
                        other => all.push(other),
                    }
                }
                let mut pubsub: Vec<String> = all
                    .iter()
                    .filter(|r| match r {
                        Reply::Array(items) | Reply::Push(items) => {
                            items.first().is_some_and(|k| {
                                matches!(k, Reply::Bulk(k) if k.ends_with(b"message") || k.ends_with(b"subscribe"))
                            })
                        }
                        _ => false,
                    })
                    .map(|r| unsubscribe_neutral(r))
                    .collect();
                pubsub.sort();
                (all.len(), pubsub)
            };
            return if flat(engine_replies) == flat(server_replies) {
                Ok(())
            } else {
                report("EXEC (its pub/sub replies compared as a multiset)\n")
            };
        }
        for (n, (e, s)) in engine_replies.iter().zip(server_replies).enumerate() {
            // Replies an EXEC writes past its array belong to its last commands: any of their
            // ways of comparing may apply.
            if let Some(queue) = exec_queue
                && n > 0
            {
                let fits = queue.iter().any(|cmd| {
                    let class = class_of(cmd);
                    match compare(class, e, s) {
                        Verdict::Same => true,
                        Verdict::Drew => class == Class::Random,
                        _ => false,
                    }
                });
                if !fits {
                    return report("past the EXEC array\n");
                }
                continue;
            }
            // EXEC: each element as its own command.
            if let (Some(queue), Reply::Array(es), Reply::Array(ss)) = (exec_queue, e, s)
                && n == 0
                && es.len() == ss.len()
                && es.len() == queue.len()
            {
                // A command with several replies (SUBSCRIBE a b) shifts the others: then any
                // of the queue's ways of comparing may apply to an element.
                let shifted = queue.iter().any(|cmd| {
                    let name = lower(cmd.first());
                    name.ends_with("subscribe") || name.ends_with("publish")
                });
                for (i, (e, s)) in es.iter().zip(ss).enumerate() {
                    let same = |cmd: &Vec<Vec<u8>>| {
                        // Inside EXEC a value some queued command rewrote for replication
                        // (INCRBYFLOAT as SET) has one more reference until the EXEC ends.
                        // After a SCAN with TYPE in the same transaction, the hits counted
                        // depend on which keys the hash table's order let it visit.
                        if lower(cmd.first()) == "info" && queue.iter().any(|c| typed_scan(c)) {
                            return matches!(
                                (e, s),
                                (Reply::Bulk(_), Reply::Bulk(_))
                                    | (Reply::Verbatim(..), Reply::Verbatim(..))
                            ) || e == s;
                        }
                        // Redis 7.0's stale-errno SORT bug (see `run`): inside a transaction
                        // an earlier queued command can leave errno at ERANGE.
                        if lower(cmd.first()).starts_with("sort") && queue.len() > 1 {
                            let refused = |r: &Reply| {
                                matches!(r, Reply::Error(text)
                                    if text.contains("can't be converted into double"))
                            };
                            return matches!(e, Reply::Array(_))
                                && (matches!(s, Reply::Array(_)) || refused(s))
                                || e == s;
                        }
                        if (lower(cmd.first()) == "object" && lower(cmd.get(1)) == "refcount")
                            || (lower(cmd.first()) == "memory" && lower(cmd.get(1)) == "usage")
                        {
                            return matches!((e, s), (Reply::Integer(_), Reply::Integer(_)))
                                || e == s;
                        }
                        let class = match class_of(cmd) {
                            Class::Dump => return same_dump(e, s),
                            Class::EncodingOrdered { pairs: true } => Class::UnorderedPairs,
                            Class::EncodingOrdered { pairs: false } => Class::Unordered,
                            other => other,
                        };
                        match compare(class, e, s) {
                            Verdict::Same => true,
                            Verdict::Drew => class == Class::Random,
                            _ => false,
                        }
                    };
                    let ok = if shifted {
                        queue.iter().any(same)
                    } else {
                        queue.get(i).is_some_and(same)
                    };
                    if !ok {
                        return report(&format!(
                            "inside EXEC, at `{}`\n",
                            queue.get(i).map_or(String::new(), |c| script_line(c))
                        ));
                    }
                }
                continue;
            }
            match compare(class, e, s) {
                Verdict::Same => {}
                Verdict::Drew if class == Class::Random => {}
                Verdict::Drew => {
                    // SPOP drew different members: both sets are now different.
                    if let Some(key) = argv.get(1) {
                        resync.push(key.clone());
                    }
                }
                Verdict::OrderDiffers => {
                    let db = engine.client(id).map_or(0, |c| c.db);
                    self.admin_select(db);
                    let at = if class == Class::MemoryUsage { 2 } else { 1 };
                    let key = argv.get(at).cloned().unwrap_or_default();
                    // DEBUG OBJECT, unlike OBJECT ENCODING, counts no keyspace hit or miss
                    // (INFO's statistics are compared too).
                    let object = self
                        .admin
                        .call(&[b"DEBUG".to_vec(), b"OBJECT".to_vec(), key]);
                    let field = |name: &str| match &object {
                        Reply::Status(line) => line
                            .split(' ')
                            .find_map(|f| f.strip_prefix(name))
                            .map(str::to_string),
                        _ => None,
                    };
                    let encoding = match &object {
                        Reply::Status(_) => {
                            field("encoding:").map_or(Reply::Nil, |e| Reply::from(e.into_bytes()))
                        }
                        other => other.clone(),
                    };
                    // A quicklist of several nodes: Redis's cuts follow the list's history
                    // (pushes at either end, removals), the engine's are made afresh.
                    let nodes = field("ql_nodes:").and_then(|n| n.parse::<u64>().ok());
                    // SORT reads a sorted set's members from its dict (after converting it
                    // to a skiplist), so its ties come in hash order too.
                    let sorting = lower(argv.first()).starts_with("sort");
                    let explained = if class == Class::Dump {
                        same_dump(e, s)
                    } else if class == Class::MemoryUsage {
                        [&b"hashtable"[..], b"skiplist"]
                            .iter()
                            .any(|e| encoding == Reply::bulk(e))
                            || nodes.is_some_and(|n| n > 1)
                    } else {
                        encoding == Reply::bulk(b"hashtable")
                            || (sorting && encoding == Reply::bulk(b"skiplist"))
                    };
                    if !explained {
                        return report(&format!(
                            "order differs, and the server's encoding ({}) orders it\n",
                            format_reply(&encoding).trim_end()
                        ));
                    }
                }
                Verdict::Differs if class == Class::Info => {
                    // INFO is long: only the compared fields that differ.
                    let (Ok(ours), Ok(theirs)) = (info_fields(e), info_fields(s)) else {
                        return report("");
                    };
                    let only = |a: &[String], b: &[String]| {
                        a.iter()
                            .filter(|f| !b.contains(f))
                            .fold(String::new(), |mut out, f| {
                                let _ = writeln!(out, "  {f}");
                                out
                            })
                    };
                    return Err(format!(
                        "INFO fields differ\n--- redis-server only\n{}--- engine only\n{}",
                        only(&theirs, &ours),
                        only(&ours, &theirs)
                    ));
                }
                Verdict::Differs => return report(""),
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Shrinking and printing.

/// Delta debugging: removes chunks of steps, finer and finer, while `fails` holds.
fn shrink(
    mut steps: Vec<Step>,
    mut fails: impl FnMut(&[Step]) -> bool,
    budget: usize,
) -> Vec<Step> {
    let mut runs = 0;
    let mut n = 2usize;
    while steps.len() >= 2 && runs < budget {
        let chunk = steps.len().div_ceil(n);
        let mut reduced = false;
        let mut start = 0;
        while start < steps.len() && runs < budget {
            let end = (start + chunk).min(steps.len());
            let candidate: Vec<Step> = steps[..start]
                .iter()
                .chain(&steps[end..])
                .cloned()
                .collect();
            runs += 1;
            if fails(&candidate) {
                steps = candidate;
                reduced = true;
                n = n.saturating_sub(1).max(2);
                break;
            }
            start = end;
        }
        if !reduced {
            if n >= steps.len() {
                break;
            }
            n = (n * 2).min(steps.len());
        }
    }
    steps
}

/// An argument as a script writes it: bare when sdssplitargs reads it back unchanged, quoted
/// otherwise.
fn script_arg(arg: &[u8]) -> String {
    let bare = !arg.is_empty()
        && arg
            .iter()
            .all(|&b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\'));
    if bare {
        String::from_utf8_lossy(arg).into_owned()
    } else {
        let mut out = String::new();
        quote_bytes(&mut out, arg);
        out
    }
}

fn script_line(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .map(|a| script_arg(a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn conn_prefix(conn: usize) -> String {
    if conn == 0 {
        String::new()
    } else {
        format!("[{}] ", CONN_NAMES[conn])
    }
}

/// Two DUMP payloads that differ only where Redis's are not deterministic: the same bytes in
/// another order for the RDB types whose order is the server's hash table's (`2` a hashtable
/// set, `4` a hashtable hash; their checksums then differ too), or a stream's (`15`, `19`)
/// of the same length, whose consumer groups carry wall-clock delivery and seen times, or a
/// list's with the same elements.
fn same_dump(engine: &Reply, server: &Reply) -> bool {
    match (engine, server) {
        (Reply::Bulk(e), Reply::Bulk(s)) if e == s => true,
        (Reply::Bulk(e), Reply::Bulk(s))
            if matches!(e.first(), Some(15 | 19)) && e.first() == s.first() =>
        {
            e.len() == s.len()
        }
        // A quicklist (`18`): Redis's nodes keep the cuts of the list's history (pops, removals),
        // the engine keeps elements and cuts them afresh: equal if they hold the same elements.
        (Reply::Bulk(e), Reply::Bulk(s)) if e.first() == Some(&18) && s.first() == Some(&18) => {
            let load = |p: &[u8]| {
                engine::rdb::load_payload(p, &engine::Config::default())
                    .map(|value| format!("{value:?}"))
            };
            matches!((load(e), load(s)), (Ok(a), Ok(b)) if a == b)
        }
        (Reply::Bulk(e), Reply::Bulk(s)) => {
            let counts = |bytes: &[u8]| {
                let mut n = [0usize; 256];
                for &b in bytes
                    .get(..bytes.len().saturating_sub(10))
                    .unwrap_or_default()
                {
                    n[usize::from(b)] += 1;
                }
                n
            };
            e.len() == s.len()
                && matches!(e.first(), Some(2 | 4))
                && e.first() == s.first()
                && counts(e) == counts(s)
        }
        (e, s) => e == s,
    }
}

/// The executed steps as a conformance script.
fn script(trace: &[Traced]) -> String {
    let mut out = String::new();
    for t in trace {
        match t.class {
            Class::Unordered | Class::EncodingOrdered { pairs: false } => {
                out.push_str("#! unordered\n");
            }
            Class::UnorderedPairs | Class::EncodingOrdered { pairs: true } => {
                out.push_str("#! unordered-pairs\n");
            }
            Class::Random
            | Class::RandomPop
            | Class::Time(_)
            | Class::Hello
            | Class::Dump
            | Class::CommandInfo
            | Class::StreamTimes
            | Class::Info
            | Class::MemoryUsage
            | Class::Slowlog
            | Class::Kind
            | Class::SlowlogLen => {
                out.push_str("#! ignore\n");
            }
            Class::Exact | Class::Scan { .. } | Class::UnorderedReplies => {}
        }
        let _ = writeln!(out, "{}{}", conn_prefix(t.conn), script_line(&t.argv));
        for &other in &t.delivered_to {
            let _ = writeln!(out, "{}:read", conn_prefix(other));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The test.

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number"))
    })
}

/// Payloads for RESTORE, made by the server's own DUMP: strings, and damaged copies of
/// collections too (RESTORE of collections is not implemented yet, so their intact payloads
/// would only repeat that known gap).
fn dump_payloads(admin: &mut ServerConn) -> Vec<Vec<u8>> {
    let setup: &[&[&str]] = &[
        &["SET", "p", "hello"],
        &["SET", "p", "12345"],
        &[
            "SET",
            "p",
            "a value longer than forty-four bytes, stored raw",
        ],
        &["RPUSH", "p", "a", "b", "1"],
        &["SADD", "p", "1", "2", "3"],
        &["SADD", "p", "x", "y"],
        &["HSET", "p", "f", "v", "g", "1"],
        &["PFADD", "p", "a", "b", "c"],
    ];
    let mut payloads = Vec::new();
    for cmd in setup {
        admin.call(&words("DEL p"));
        admin.call(
            &cmd.iter()
                .map(|w| w.as_bytes().to_vec())
                .collect::<Vec<_>>(),
        );
        if let Reply::Bulk(payload) = admin.call(&words("DUMP p")) {
            let payload = payload.into_vec();
            // A corrupted copy (one byte of the body changed) and a truncated one too.
            let mut corrupt = payload.clone();
            if let Some(b) = corrupt.get_mut(2) {
                *b ^= 0x55;
            }
            let truncated = payload[..payload.len() / 2].to_vec();
            if cmd[0] == "SET" || cmd[0] == "PFADD" {
                payloads.push(payload);
            }
            payloads.push(corrupt);
            payloads.push(truncated);
        }
    }
    admin.call(&words("FLUSHALL"));
    payloads
}

#[test]
fn engine_matches_redis_on_random_commands() {
    let Ok(socket) = std::env::var("REDIS_SOCKET") else {
        assert!(
            std::env::var("REQUIRE_LIVE_REDIS").is_err(),
            "REQUIRE_LIVE_REDIS is set but REDIS_SOCKET is not"
        );
        eprintln!("difftest: no live redis-server (REDIS_SOCKET unset): run `make conformance`");
        return;
    };
    let total = env_number("DIFFTEST_COMMANDS").map_or(DEFAULT_COMMANDS, |n| n as usize);
    let seed = env_number("DIFFTEST_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 % 1_000_000_000)
    });
    eprintln!(
        "difftest: seed {seed}, {total} commands (replay: make difftest SEED={seed} N={total})"
    );

    let registered: Vec<String> = Registry::get()
        .commands()
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let covered = generate::covered_commands();
    let uncovered: Vec<&String> = registered
        .iter()
        .filter(|c| !covered.contains(c.as_str()))
        .collect();
    for name in &uncovered {
        let why = UNCOVERED
            .iter()
            .find(|(n, _)| n == name)
            .map_or("no generator yet", |(_, why)| why);
        eprintln!("difftest: uncovered: {name} ({why})");
    }
    for (name, why) in UNCOVERED_SUBCOMMANDS {
        eprintln!("difftest: uncovered: {name} ({why})");
    }

    let mut admin = ServerConn::open(&socket);
    let mut setname = words("CLIENT SETNAME");
    setname.push(ADMIN_NAME.to_vec());
    admin.call(&setname);
    let payloads = dump_payloads(&mut admin);
    let mut runner = Runner {
        socket,
        admin,
        admin_db: 0,
    };
    let started = Instant::now();
    let mut done = 0;
    // Per command: how many ran, how many were refused with an error.
    let mut per_command: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut episode = 0u64;
    while done < total {
        let mut generator = Gen::new(seed, episode, &registered, &payloads);
        let steps = generator.episode();
        let outcome = runner.run(&steps);
        done += outcome.executed;
        for t in &outcome.trace {
            let entry = per_command.entry(lower(t.argv.first())).or_default();
            entry.0 += 1;
            entry.1 += usize::from(t.refused);
        }
        if let Some(divergence) = outcome.divergence {
            let report = explain(&mut runner, seed, episode, &steps, &divergence);
            panic!("{report}");
        }
        episode += 1;
    }
    let never: Vec<&String> = registered
        .iter()
        .filter(|c| covered.contains(c.as_str()) && !per_command.contains_key(c.as_str()))
        .collect();
    if !never.is_empty() {
        eprintln!("difftest: covered but not drawn this run: {never:?}");
    }
    // DIFFTEST_STATS=1: how often each command ran and was refused, to judge the generator
    // (a command refused nearly always tests little but its argument checks).
    if std::env::var("DIFFTEST_STATS").is_ok() {
        for (name, (ran, refused)) in &per_command {
            eprintln!(
                "difftest: {name:>20} {ran:>7} run, {:>3} % refused",
                refused * 100 / ran.max(&1)
            );
        }
    }
    eprintln!(
        "difftest: {done} commands in {episode} episodes ({} distinct commands) equal on the engine and redis-server, {:.1}s",
        per_command.len(),
        started.elapsed().as_secs_f64()
    );
}

/// Shrinks a failing episode and writes the report: the divergence and the shortest script.
fn explain(
    runner: &mut Runner,
    seed: u64,
    episode: u64,
    steps: &[Step],
    divergence: &Divergence,
) -> String {
    let command = divergence.command.clone();
    let prefix: Vec<Step> = steps[..(divergence.step + 1).min(steps.len())].to_vec();
    let same = |outcome: &Outcome| {
        outcome
            .divergence
            .as_ref()
            .is_some_and(|d| d.command == command)
    };
    let mut out = format!(
        "difftest: the engine differs from redis-server (seed {seed}, episode {episode}, step {})\n{}\n",
        divergence.step, divergence.report
    );
    let first = runner.run(&prefix);
    if !same(&first) {
        let _ = writeln!(
            out,
            "(could not reproduce it by replaying the episode: timing-dependent?)\n\nthe episode:\n{}",
            script(&runner.run(steps).trace)
        );
        return out;
    }
    let shrunk = shrink(prefix, |candidate| same(&runner.run(candidate)), 3000);
    let last = runner.run(&shrunk);
    let _ = writeln!(
        out,
        "\nshortest reproduction ({} commands), for tests/conformance/:\n\n{}",
        last.trace.len(),
        script(&last.trace)
    );
    if let Some(d) = last.divergence {
        let _ = writeln!(out, "which diverges:\n{}", d.report);
    }
    out
}
