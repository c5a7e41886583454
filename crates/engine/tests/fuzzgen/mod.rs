//! Command sequences decoded from bytes, shared by the `exec` fuzz target (`fuzz/`, where the
//! bytes come from libFuzzer) and the seeded stable test (`tests/fuzz_exec.rs`, where they come
//! from a fixed pseudo-random generator).
//!
//! The vocabulary is read from the live registry, so every command registered now or later is
//! exercised without touching this file: names (and `container subcommand` pairs) come from
//! [`Registry::commands`], the number of arguments from each command's arity, option tokens
//! (`EX`, `NX`, `COUNT`, `MATCH`, …) from its syntax line, keys from its key positions; the
//! other arguments are drawn from values that tend to break parsers (numbers at the `i64`
//! boundaries, `inf`, `nan`, `1e400`, empty and binary strings, glob patterns).
//!
//! A step can also carry a typed line (selector byte 4, client byte, length byte, the line), which
//! is how `make fuzz` seeds this target with the conformance scripts.
//!
//! [`run`] executes a sequence on a fresh engine, interleaving clock moves and reconnections,
//! and checks cheap invariants on every reply and pushed message: it encodes as RESP that
//! [`resp::parse`] reads back whole and equal, errors start with an upper-case code, and
//! redis-cli formatting of it works; and on the event log: sequence numbers without gaps, time
//! never going back; and on memory: after every step each database's count of its values'
//! memory equals a fresh measure of them ([`Engine::check_memory_bookkeeping`]).
//! At the end of a run every live key must survive `DUMP`/`RESTORE` (under a scratch name in
//! its database) and the whole keyspace an RDB save and load (into a fresh engine with the same
//! configuration), with the same type, length, expire time, contents (hash orders aside) and,
//! for streams, `XINFO STREAM FULL`; and the memory counts must hold after both. Encodings may
//! change, as in Redis, whose loading re-encodes strings and picks small encodings afresh.
//! Until a `CONFIG SET` runs (it may lower the thresholds, and values keep their encodings,
//! as in Redis), every value's encoding must be one Redis 7.0 could give it: lists
//! `quicklist`, `embstr` strings at most 44 bytes, `int` strings a canonical integer, intsets
//! of integers within `set-max-intset-entries`, listpack hashes within
//! `hash-max-listpack-entries`, listpack sorted sets within both `zset-max-listpack-*`.
//! At the end of a run, too, a full SCAN (COUNT 1) returns every live key and a full HSCAN,
//! SSCAN or ZSCAN every element of its collection.
//! [`run_twice`] also checks that the engine is deterministic. Set `FUZZ_TRACE=1` to print each
//! step (and its reply) on stderr while reproducing a failure.
//!
//! Memory stays bounded (libFuzzer stops at 2 GB of RSS, and an out-of-memory stop is no bug):
//! - The engine runs with `proto-max-bulk-len` at 1 MB ([`MAX_BULK`]), the least Redis's
//!   `CONFIG SET` accepts, instead of 512 MB: so a string (SETRANGE, APPEND, SETBIT, BITFIELD
//!   at large offsets) is at most 1 MB, and every code path, the "string exceeds maximum
//!   allowed size" refusals included, is still that of a real Redis, configured so. A
//!   `CONFIG SET` naming `proto-max-bulk-len` is skipped (not run, no reply): the only way
//!   back to 512 MB strings.
//! - A reply is kept for [`run_twice`]'s comparison only when its RESP form is small
//!   ([`KEEP_REPLY`]); a larger one is kept as a digest of that form, so two runs still must
//!   agree byte for byte. Every reply, large or not, is still checked in full when it is made.

use std::fmt::Write as _;
use std::sync::OnceLock;

use engine::cli::{format_reply, quote_bytes, split_args};
use engine::{ClientId, CommandSpec, Engine, Registry, Reply, ValueView, rdb, resp};

/// Most steps one input may run: long enough for interesting states, short enough to be fast.
pub const MAX_STEPS: usize = 48;

/// Number of client connections a sequence uses.
const CLIENTS: usize = 3;

/// The harness engine's `proto-max-bulk-len` (see the module doc): the largest string, 1 MB.
const MAX_BULK: i64 = 1024 * 1024;

/// Replies whose RESP form is longer than this are kept as a digest (see the module doc).
const KEEP_REPLY: usize = 64 * 1024;

/// Commands that legitimately do work or allocate memory in proportion to a numeric argument
/// (as Redis itself does, within its limits): they get only small numbers, so a run stays
/// within the fuzzer's time and memory limits. Add a command here when the fuzzer reports a
/// timeout or out-of-memory on a valid input that Redis would also spend as much on.
const PROPORTIONAL: &[&str] = &[
    "setbit",
    "setrange",
    "bitfield",
    "debug",
    "srandmember",
    "hrandfield",
    "zrandmember",
    "lpos",
];

/// The bytes a sequence is decoded from; reading past the end yields zeros.
pub struct Source<'a> {
    data: &'a [u8],
}

impl<'a> Source<'a> {
    /// A source over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Source { data }
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// A number in `0..n` (0 when `n` is 0), from one byte, or two when `n` exceeds 256.
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let raw = if n > 256 {
            usize::from(self.byte()) << 8 | usize::from(self.byte())
        } else {
            usize::from(self.byte())
        };
        raw % n
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'v, T>(&mut self, items: &'v [T]) -> Option<&'v T> {
        items.get(self.below(items.len()))
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }
}

/// One command of the vocabulary.
struct Shape {
    /// The leading words: the name, or the container and the subcommand.
    words: Vec<Vec<u8>>,
    /// Redis arity of the whole argv (subcommand included).
    arity: i32,
    /// Positions of keys: first, last (negative: from the end), step.
    keys: (i32, i32, i32),
    /// Upper-case option tokens of the syntax line.
    tokens: Vec<Vec<u8>>,
    /// Whether numbers are kept small (see [`PROPORTIONAL`]).
    small_numbers: bool,
}

/// Everything sequences are built from, read once from the registry.
struct Vocabulary {
    shapes: Vec<Shape>,
    /// Every token of every command, for arguments in the wrong place.
    all_tokens: Vec<Vec<u8>>,
    /// Every command name, for `COMMAND INFO x` and the like.
    names: Vec<Vec<u8>>,
}

fn shape(spec: &CommandSpec, words: Vec<Vec<u8>>, small_numbers: bool) -> Shape {
    Shape {
        words,
        arity: spec.arity,
        keys: spec.key_range,
        tokens: syntax_tokens(&spec.syntax),
        small_numbers,
    }
}

/// The option tokens of a syntax line: its words written in capitals (`NX`, `KEEPTTL`,
/// `WITHSCORES`); placeholders are lower-case (`key`, `unix-time-seconds`).
fn syntax_tokens(syntax: &str) -> Vec<Vec<u8>> {
    let mut tokens: Vec<Vec<u8>> = syntax
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| w.bytes().any(|b| b.is_ascii_uppercase()))
        .filter(|w| !w.bytes().any(|b| b.is_ascii_lowercase()))
        .map(|w| w.as_bytes().to_vec())
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let mut shapes = Vec::new();
        let mut names = Vec::new();
        for spec in Registry::get().commands() {
            let name = spec.name.as_bytes().to_vec();
            let small = PROPORTIONAL.contains(&spec.name.as_str());
            names.push(name.clone());
            shapes.push(shape(spec, vec![name.clone()], small));
            for sub in &spec.subcommands {
                let sub_name = sub.name.split_once('|').map_or(&*sub.name, |(_, s)| s);
                let words = vec![name.clone(), sub_name.as_bytes().to_vec()];
                shapes.push(shape(sub, words, small));
            }
        }
        let mut all_tokens: Vec<Vec<u8>> = shapes
            .iter()
            .flat_map(|s| s.tokens.iter().cloned())
            .collect();
        all_tokens.sort();
        all_tokens.dedup();
        Vocabulary {
            shapes,
            all_tokens,
            names,
        }
    })
}

/// Keys the sequences share: few, so commands meet each other's values.
const KEYS: &[&[u8]] = &[b"k", b"k2", b"{t}x", b"", b"k\x00\xff"];

/// Numbers where parsers and arithmetic break.
const NUMBERS: &[&[u8]] = &[
    b"0",
    b"1",
    b"-1",
    b"2",
    b"3",
    b"-2",
    b"10",
    b"100",
    b"-100",
    b"60",
    b"1000",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775806",
    b"-9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551615",
    b"18446744073709551616",
    b"4294967296",
    b"4611686018427387904",
    b"-4611686018427387904",
    b"9007199254740993",
    b"536870912",
    b"1767225600",
    b"1767225600000",
    b"00",
    b"-0",
    b"+1",
    b" 1",
    b"1 ",
    b"0x10",
    b"1e3",
    b"12345678901234567890123",
];

/// Numbers kept for [`PROPORTIONAL`] commands: small magnitudes and the boundaries Redis rejects.
const SMALL_NUMBERS: &[&[u8]] = &[
    b"0",
    b"1",
    b"-1",
    b"2",
    b"-2",
    b"7",
    b"8",
    b"-8",
    b"63",
    b"64",
    b"100",
    b"-100",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775808",
    b"18446744073709551616",
    b"4294967296",
    b"536870912",
    b"+1",
    b"1e3",
    b"0x10",
];

/// Floats where parsers and formatting break.
const FLOATS: &[&[u8]] = &[
    b"0.5",
    b"-0.5",
    b"1.5",
    b"0.1",
    b"inf",
    b"-inf",
    b"+inf",
    b"INF",
    b"infinity",
    b"nan",
    b"-nan",
    b"NaN",
    b"1e400",
    b"-1e400",
    b"1e-400",
    b"5e-324",
    b"1.7976931348623157e308",
    b"-1.7976931348623157e308",
    b"2.2250738585072014e-308",
    b"1e17",
    b"0.",
    b".5",
    b"1e",
    b"1.0e+10",
    b"3.0000000000000004",
    b"-0.0",
];

/// Other strings of interest: patterns, binary, separators, protocol bytes.
const STRINGS: &[&[u8]] = &[
    b"",
    b" ",
    b"\x00",
    b"\x00\xff",
    b"\xff\xfe",
    b"\r\n",
    b"*",
    b"k*",
    b"?",
    b"[a-z]",
    b"[",
    b"\\",
    b"[^k]*",
    b"-",
    b"+",
    b"(",
    b"[k",
    b"(1",
    b"abc",
    b"hello world",
    b"\xe2\x82\xac",
    b"__proto__",
    b"\"",
];

/// One step of a sequence.
enum Step {
    Exec(usize, Vec<Vec<u8>>),
    Advance(i64),
    SetTime(i64),
    Reconnect(usize),
}

const CLOCK: &[i64] = &[
    0,
    1,
    999,
    1000,
    1001,
    59_999,
    60_000,
    3_600_000,
    86_400_000,
    1_767_225_600_000,
    4_102_444_800_000,
    -1,
    i64::MAX,
    i64::MIN,
];

fn number(src: &mut Source<'_>, small: bool) -> Vec<u8> {
    let pool = if small { SMALL_NUMBERS } else { NUMBERS };
    src.pick(pool).map_or_else(Vec::new, |n| n.to_vec())
}

/// One argument that is not in a key position.
fn argument(src: &mut Source<'_>, shape: &Shape, vocab: &Vocabulary) -> Vec<u8> {
    let pick =
        |src: &mut Source<'_>, pool: &[&[u8]]| src.pick(pool).map_or_else(Vec::new, |s| s.to_vec());
    match src.below(16) {
        0..=3 => match src.pick(&shape.tokens) {
            Some(token) => mixed_case(src, token),
            None => number(src, shape.small_numbers),
        },
        4..=6 => number(src, shape.small_numbers),
        7 => pick(src, FLOATS),
        8 | 9 => pick(src, KEYS),
        10 => pick(src, STRINGS),
        11 => {
            let n = src.below(12);
            src.take(n).to_vec()
        }
        12 => {
            // A longer value, across the sizes where encodings change (44, 64, 128 bytes).
            let len = src.below(300);
            let fill = src.byte();
            vec![fill; len]
        }
        13 => vocab
            .all_tokens
            .get(src.below(vocab.all_tokens.len()))
            .cloned()
            .unwrap_or_default(),
        14 => vocab
            .names
            .get(src.below(vocab.names.len()))
            .cloned()
            .unwrap_or_default(),
        _ => (src.below(20) as i64 - 5).to_string().into_bytes(),
    }
}

/// Upper case, lower case, or as is.
fn mixed_case(src: &mut Source<'_>, word: &[u8]) -> Vec<u8> {
    match src.below(4) {
        0 => word.to_ascii_lowercase(),
        1 => word.to_ascii_uppercase(),
        _ => word.to_vec(),
    }
}

/// Whether argv position `i` (0 = the name) of a command with `argc` arguments holds a key.
fn is_key_position(keys: (i32, i32, i32), i: usize, argc: usize) -> bool {
    let (first, last, step) = keys;
    let (Ok(first), Ok(i), Ok(argc)) = (
        usize::try_from(first),
        i64::try_from(i),
        i64::try_from(argc),
    ) else {
        return false;
    };
    if first == 0 {
        return false;
    }
    let last = if last < 0 {
        argc + i64::from(last)
    } else {
        i64::from(last)
    };
    let first = first as i64;
    let step = i64::from(step.max(1));
    i >= first && i <= last && (i - first) % step == 0
}

/// What goes at one position of an argv being built.
enum Slot {
    /// A key in a key position, any argument elsewhere.
    Free,
    /// An option token from the syntax line.
    Token(Vec<u8>),
    /// The value after a token: mostly a number.
    Value,
}

fn command(src: &mut Source<'_>, vocab: &Vocabulary) -> Vec<Vec<u8>> {
    let Some(shape) = vocab.shapes.get(src.below(vocab.shapes.len())) else {
        return vec![b"PING".to_vec()];
    };
    let words = shape.words.len();
    let arity = usize::try_from(shape.arity.unsigned_abs()).unwrap_or(1);
    let mut slots: Vec<Slot> = Vec::new();
    if src.chance(8) {
        // Any number of anything (wrong arity, a container without its subcommand, …).
        slots.extend((0..src.below(7)).map(|_| Slot::Free));
    } else {
        slots.extend((words..arity).map(|_| Slot::Free));
        if shape.arity < 0 {
            // Options after the mandatory arguments: tokens, each maybe with a value, or more
            // of the repeated argument.
            for _ in 0..src.below(4) {
                match src.pick(&shape.tokens) {
                    Some(token) if !src.chance(4) => {
                        slots.push(Slot::Token(mixed_case(src, token)));
                        if src.below(3) > 0 {
                            slots.push(Slot::Value);
                        }
                    }
                    _ => slots.push(Slot::Free),
                }
            }
        }
    }
    let mut argv: Vec<Vec<u8>> = shape.words.iter().map(|w| mixed_case(src, w)).collect();
    if src.chance(16) {
        argv.truncate(1);
    }
    let argc = argv.len() + slots.len();
    for slot in slots {
        let i = argv.len();
        let arg = match slot {
            Slot::Token(token) => token,
            Slot::Value => match src.below(8) {
                0..=4 => number(src, shape.small_numbers),
                5 => src.pick(FLOATS).map_or_else(Vec::new, |f| f.to_vec()),
                _ => argument(src, shape, vocab),
            },
            Slot::Free if is_key_position(shape.keys, i, argc) && !src.chance(10) => {
                src.pick(KEYS).map_or_else(Vec::new, |k| k.to_vec())
            }
            Slot::Free => argument(src, shape, vocab),
        };
        argv.push(arg);
    }
    if src.chance(64) {
        // A name that is not a command.
        if let Some(first) = argv.first_mut() {
            first.push(b'x');
        }
    }
    argv
}

fn step(src: &mut Source<'_>, vocab: &Vocabulary) -> Step {
    match src.below(32) {
        0 | 1 => {
            let ms = src.pick(CLOCK).copied().unwrap_or(0);
            Step::Advance(ms)
        }
        2 => {
            let ms = src.pick(CLOCK).copied().unwrap_or(0);
            Step::SetTime(ms)
        }
        3 => Step::Reconnect(src.below(CLIENTS)),
        4 => {
            // A typed line (the fuzz seeds are conformance scripts in this form): split as
            // redis-cli does, then sent as is.
            let client = src.below(CLIENTS);
            let len = usize::from(src.byte());
            match split_args(src.take(len)) {
                Ok(argv) if !argv.is_empty() => Step::Exec(client, argv),
                _ => Step::Advance(0),
            }
        }
        _ => {
            let client = src.below(CLIENTS);
            Step::Exec(client, command(src, vocab))
        }
    }
}

/// A readable form of a step, for `FUZZ_TRACE` and failure messages.
fn describe(step: &Step) -> String {
    match step {
        Step::Exec(client, argv) => {
            let mut out = format!("[c{client}]");
            for arg in argv {
                out.push(' ');
                quote_bytes(&mut out, arg);
            }
            out
        }
        Step::Advance(ms) => format!("advance {ms}"),
        Step::SetTime(ms) => format!("set_time {ms}"),
        Step::Reconnect(client) => format!("reconnect c{client}"),
    }
}

/// Equality of replies, reading NaN as equal to NaN (RESP carries `nan` faithfully), a
/// verbatim string by its content (the parser does not keep the format) and a geo coordinate by
/// the text it travels as (17 decimals, as Redis writes it: fewer significant digits than the
/// double has when it is close to 0).
fn same(a: &Reply, b: &Reply) -> bool {
    match (a, b) {
        (Reply::Double(x), Reply::Double(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        // A coordinate whose 17 decimals are also its `%.17g` text (0.1 <= |x| < 1) reads back
        // as a plain double: the same bytes on the wire (found by the fuzzer).
        (Reply::HumanDouble(_), Reply::HumanDouble(_) | Reply::Double(_))
        | (Reply::Double(_), Reply::HumanDouble(_)) => {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            resp::encode(a, &mut x);
            resp::encode(b, &mut y);
            x == y
        }
        (Reply::Verbatim(_, x), Reply::Verbatim(_, y)) => x == y,
        (Reply::Array(x), Reply::Array(y))
        | (Reply::Set(x), Reply::Set(y))
        | (Reply::Push(x), Reply::Push(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Reply::Map(x), Reply::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| same(ka, kb) && same(va, vb))
        }
        _ => a == b,
    }
}

/// The cheap invariants every reply must keep; the message says which one failed.
fn check_reply(reply: &Reply) -> Result<(), String> {
    let mut wire = Vec::new();
    resp::encode(reply, &mut wire);
    match resp::parse(&wire) {
        Ok(Some((back, used))) if used == wire.len() && same(&back, reply) => {}
        Ok(Some((back, used))) => {
            return Err(format!(
                "RESP round trip: {used} of {} bytes read back as {back:?}",
                wire.len()
            ));
        }
        other => {
            return Err(format!(
                "RESP round trip: {other:?} for {:?}",
                String::from_utf8_lossy(&wire)
            ));
        }
    }
    if let Reply::Error(text) = reply
        && !text.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
    {
        return Err(format!("error without an upper-case code: {text:?}"));
    }
    let printed = format_reply(reply);
    if !printed.ends_with('\n') {
        return Err(format!(
            "redis-cli formatting lacks its newline: {printed:?}"
        ));
    }
    Ok(())
}

/// Decodes a sequence from `data`, runs it on a fresh engine and checks every reply. Panics
/// (with the failing step) when an invariant breaks; returns the replies, in order.
pub fn run(data: &[u8]) -> Vec<Reply> {
    let vocab = vocabulary();
    let trace = std::env::var_os("FUZZ_TRACE").is_some();
    let mut src = Source::new(data);
    let mut engine = Engine::new();
    engine.config_mut().proto_max_bulk_len = MAX_BULK;
    let mut clients: Vec<_> = (0..CLIENTS).map(|_| engine.connect()).collect();
    let mut replies = Vec::new();
    let mut config_set = false;
    let mut steps = 0;
    while !src.is_empty() && steps < MAX_STEPS {
        steps += 1;
        let step = step(&mut src, vocab);
        if trace {
            eprintln!("{}", describe(&step));
        }
        match &step {
            Step::Advance(ms) => engine.advance(*ms),
            Step::SetTime(ms) => engine.set_time(*ms),
            Step::Reconnect(i) => {
                if let Some(id) = clients.get_mut(*i) {
                    engine.disconnect(*id);
                    *id = engine.connect();
                }
            }
            Step::Exec(_, argv) if raises_bulk_limit(argv) => {}
            Step::Exec(i, argv) => {
                config_set |= argv.len() > 1
                    && argv[0].eq_ignore_ascii_case(b"config")
                    && argv[1].eq_ignore_ascii_case(b"set");
                let id = clients.get(*i).copied().unwrap_or_default();
                let reply = engine.exec(id, argv);
                if trace {
                    eprint!("{}", format_reply(&reply));
                }
                // DEBUG ERROR replies with any text the caller chose, code or not; so do
                // scripts and functions, with an error table's text as it is (Redis 7.0
                // answers `EVAL "return {err='plain'}" 0` with `-plain`).
                let free_text = argv.first().is_some_and(|n| {
                    [
                        &b"debug"[..],
                        b"eval",
                        b"evalsha",
                        b"eval_ro",
                        b"evalsha_ro",
                        b"fcall",
                        b"fcall_ro",
                    ]
                    .iter()
                    .any(|name| n.eq_ignore_ascii_case(name))
                });
                if let Err(why) =
                    check_reply(&reply).or_else(|e| if free_text { Ok(()) } else { Err(e) })
                {
                    panic!("{why}\n  after: {}", describe(&step));
                }
                replies.push(kept(reply));
            }
        }
        // Messages pushed to any client (pub/sub, notifications) are replies too.
        for &id in &clients {
            for push in engine.take_output(id) {
                if let Err(why) = check_reply(&push) {
                    panic!("{why}\n  pushed after: {}", describe(&step));
                }
                replies.push(kept(push));
            }
        }
        if let Err(why) = check_events(&engine) {
            panic!("{why}\n  after: {}", describe(&step));
        }
        if let Err(why) = engine.check_memory_bookkeeping() {
            panic!("{why}\n  after: {}", describe(&step));
        }
        if !config_set && let Err(why) = check_encodings(&engine) {
            panic!("{why}\n  after: {}", describe(&step));
        }
    }
    if let Err(why) = check_persistence(&mut engine) {
        panic!("{why}\n  at the end of the run");
    }
    replies
}

/// Every live value's encoding is one Redis 7.0 could give it under the engine's thresholds
/// (see the module doc).
fn check_encodings(engine: &Engine) -> Result<(), String> {
    let config = engine.config();
    for db in 0..config.databases {
        let (keys, _) = engine.inspect_keys(db, None, usize::MAX);
        for info in keys {
            let view = || {
                engine
                    .inspect_key(db, &info.key, usize::MAX)
                    .map(|(_, v)| v)
            };
            let ok = match (info.type_name, info.encoding) {
                ("list", e) => e == "quicklist",
                ("string", "embstr") => info.len <= 44,
                ("string", "int") => match view() {
                    Some(ValueView::String(s)) => std::str::from_utf8(&s)
                        .ok()
                        .and_then(|t| t.parse::<i64>().ok())
                        .is_some_and(|n| n.to_string().as_bytes() == s),
                    _ => false,
                },
                ("set", "intset") => {
                    info.len <= config.set_max_intset_entries
                        && match view() {
                            Some(ValueView::Set(members)) => members.iter().all(|m| {
                                std::str::from_utf8(m)
                                    .ok()
                                    .and_then(|t| t.parse::<i64>().ok())
                                    .is_some_and(|n| n.to_string().as_bytes() == m)
                            }),
                            _ => false,
                        }
                }
                ("hash", "listpack") => info.len <= config.hash_max_listpack_entries,
                ("zset", "listpack") => {
                    info.len <= config.zset_max_listpack_entries
                        && match view() {
                            Some(ValueView::ZSet(pairs)) => pairs
                                .iter()
                                .all(|(m, _)| m.len() <= config.zset_max_listpack_value),
                            _ => false,
                        }
                }
                _ => true,
            };
            if !ok {
                return Err(format!(
                    "db {db} key {:?}: a {} of {} elements encoded as {}",
                    String::from_utf8_lossy(&info.key),
                    info.type_name,
                    info.len,
                    info.encoding
                ));
            }
        }
    }
    Ok(())
}

/// The names a full `SCAN`-family iteration (`prefix`, then the cursor, `COUNT 1`) returns:
/// every element, or every other one (`pairs`: HSCAN, ZSCAN). Fails on a malformed reply or
/// an iteration that does not end.
fn scan_all(
    engine: &mut Engine,
    client: ClientId,
    prefix: &[Vec<u8>],
    pairs: bool,
) -> Result<std::collections::BTreeSet<Vec<u8>>, String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = b"0".to_vec();
    for _ in 0..100_000 {
        let mut argv = prefix.to_vec();
        argv.extend([cursor, b"COUNT".to_vec(), b"1".to_vec()]);
        let reply = engine.exec(client, &argv);
        let Reply::Array(parts) = &reply else {
            return Err(format!("{}: {reply:?}", describe(&Step::Exec(0, argv))));
        };
        let (Some(Reply::Bulk(next)), Some(Reply::Array(items))) = (parts.first(), parts.get(1))
        else {
            return Err(format!("{}: {reply:?}", describe(&Step::Exec(0, argv))));
        };
        for (i, item) in items.iter().enumerate() {
            if let Reply::Bulk(name) = item
                && (!pairs || i % 2 == 0)
            {
                seen.insert(name.to_vec());
            }
        }
        cursor = next.to_vec();
        if cursor == b"0" {
            return Ok(seen);
        }
    }
    Err(format!("{prefix:?} did not end in 100000 calls"))
}

/// A full SCAN of database `db` returns every key of `keys`, and a full HSCAN, SSCAN or ZSCAN
/// of each collection every element: Redis's guarantee for what is there throughout.
fn check_scans(
    engine: &mut Engine,
    client: ClientId,
    db: usize,
    keys: &[engine::KeyInfo],
) -> Result<(), String> {
    let scanned = scan_all(engine, client, &[b"SCAN".to_vec()], false)?;
    if let Some(missed) = keys.iter().find(|k| !scanned.contains(&k.key)) {
        return Err(format!("SCAN of db {db} missed the key {:?}", missed.key));
    }
    for info in keys {
        let (command, pairs): (&[u8], _) = match info.type_name {
            "hash" => (b"HSCAN", true),
            "set" => (b"SSCAN", false),
            "zset" => (b"ZSCAN", true),
            _ => continue,
        };
        let elements: Vec<Vec<u8>> = match engine.inspect_key(db, &info.key, usize::MAX) {
            Some((_, ValueView::Hash(p))) => p.into_iter().map(|(f, _)| f).collect(),
            Some((_, ValueView::Set(m))) => m,
            Some((_, ValueView::ZSet(p))) => p.into_iter().map(|(m, _)| m).collect(),
            _ => continue,
        };
        let prefix = [command.to_vec(), info.key.clone()];
        let scanned = scan_all(engine, client, &prefix, pairs)?;
        if let Some(missed) = elements.iter().find(|e| !scanned.contains(*e)) {
            return Err(format!(
                "{} of {:?} in db {db} ({}) missed {missed:?}",
                String::from_utf8_lossy(command),
                info.key,
                info.encoding
            ));
        }
    }
    Ok(())
}

/// A scratch key name no generated command uses.
const SCRATCH: &[u8] = b"\xff\xfefuzz-scratch";

/// What must survive DUMP/RESTORE and an RDB file: type, length, expire time (when `ttl`) and
/// contents, hash orders aside.
fn snapshot_of(engine: &Engine, db: usize, key: &[u8], ttl: bool) -> String {
    let Some((info, view)) = engine.inspect_key(db, key, usize::MAX) else {
        return "(none)".to_string();
    };
    let view = match view {
        ValueView::Hash(mut pairs) => {
            pairs.sort();
            ValueView::Hash(pairs)
        }
        ValueView::ZSet(pairs) => ValueView::ZSet(
            pairs
                .into_iter()
                .map(|(m, score)| (m, if score == 0.0 { 0.0 } else { score }))
                .collect(),
        ),
        other => other,
    };
    format!(
        "{} len {} ttl {:?} {view:?}",
        info.type_name,
        info.len,
        if ttl { info.ttl_ms } else { None },
    )
}

/// `XINFO STREAM key FULL` on database `db`, or nothing for another type.
fn stream_full(engine: &mut Engine, client: ClientId, key: &[u8]) -> Option<Reply> {
    let full = |k: &[u8]| {
        vec![
            b"XINFO".to_vec(),
            b"STREAM".to_vec(),
            k.to_vec(),
            b"FULL".to_vec(),
        ]
    };
    match engine.exec(client, &[b"TYPE".to_vec(), key.to_vec()]) {
        Reply::Status(t) if t == "stream" => Some(engine.exec(client, &full(key))),
        _ => None,
    }
}

/// The end-of-run checks of persistence (see the module doc).
fn check_persistence(engine: &mut Engine) -> Result<(), String> {
    // The run is over: its password must not refuse the checks, its memory limit not evict
    // keys or refuse RESTORE.
    engine.config_mut().requirepass = None;
    engine.config_mut().maxmemory = 0;
    // Nor its CLIENT PAUSE hold the checks' commands: the clock moves past the pause's end (as
    // in Redis, CLIENT UNPAUSE itself waits under a pause of ALL), and the held commands run.
    for _ in 0..1000 {
        if !engine.is_paused() {
            break;
        }
        let Some(deadline) = engine.next_deadline() else {
            break;
        };
        let now = engine.now_ms();
        engine.set_time(deadline.max(now.saturating_add(1)));
    }
    if engine.is_paused() {
        // A pause to the end of time (CLIENT PAUSE 9223372036854775807 on a clock near 0 ends
        // at i64::MAX, as it would in Redis) holds every command for good, CLIENT UNPAUSE
        // included: nothing can be checked through commands.
        return Ok(());
    }
    let client = engine.connect();
    let databases = engine.config().databases;
    let mut live = Vec::new();
    for db in 0..databases {
        let (keys, _) = engine.inspect_keys(db, None, usize::MAX);
        if keys.is_empty() {
            continue;
        }
        engine.exec(client, &[b"SELECT".to_vec(), db.to_string().into_bytes()]);
        check_scans(engine, client, db, &keys)?;
        for info in keys {
            let key = info.key;
            let before = snapshot_of(engine, db, &key, false);
            let payload = match engine.exec(client, &[b"DUMP".to_vec(), key.clone()]) {
                Reply::Bulk(payload) => payload,
                other => return Err(format!("DUMP {key:?} answered {other:?}")),
            };
            let restore = [
                b"RESTORE".to_vec(),
                SCRATCH.to_vec(),
                b"0".to_vec(),
                payload.to_vec(),
                b"REPLACE".to_vec(),
            ];
            match engine.exec(client, &restore) {
                Reply::Status(_) => {}
                other => return Err(format!("RESTORE of DUMP {key:?}: {other:?}")),
            }
            let after = snapshot_of(engine, db, SCRATCH, false);
            if before != after {
                return Err(format!(
                    "DUMP/RESTORE of {key:?} in db {db}:\n  was:      {before}\n  restored: {after}"
                ));
            }
            let (a, b) = (
                stream_full(engine, client, &key),
                stream_full(engine, client, SCRATCH),
            );
            if !a.as_ref().zip(b.as_ref()).is_none_or(|(a, b)| same(a, b)) {
                return Err(format!(
                    "DUMP/RESTORE of stream {key:?} in db {db}: XINFO STREAM FULL\n  was:      {a:?}\n  restored: {b:?}"
                ));
            }
            engine.exec(client, &[b"DEL".to_vec(), SCRATCH.to_vec()]);
            engine
                .check_memory_bookkeeping()
                .map_err(|e| format!("after DUMP/RESTORE of {key:?}: {e}"))?;
            live.push((db, key));
        }
    }
    engine.disconnect(client);

    let file = rdb::save_database(engine);
    let mut loaded = Engine::with_config(engine.config().clone());
    loaded.set_time(engine.now_ms());
    rdb::load_database(&mut loaded, &file)
        .map_err(|e| format!("the engine's own RDB file does not load: {e:?}"))?;
    loaded
        .check_memory_bookkeeping()
        .map_err(|e| format!("after loading the engine's RDB file: {e}"))?;
    for db in 0..databases {
        let count = live.iter().filter(|(d, _)| *d == db).count();
        if loaded.db_len(db) != count {
            return Err(format!(
                "db {db} had {count} live keys, {} after an RDB save and load",
                loaded.db_len(db)
            ));
        }
    }
    let (c0, c1) = (engine.connect(), loaded.connect());
    for (db, key) in &live {
        let before = snapshot_of(engine, *db, key, true);
        let after = snapshot_of(&loaded, *db, key, true);
        if before != after {
            return Err(format!(
                "RDB save and load of {key:?} in db {db}:\n  was:    {before}\n  loaded: {after}"
            ));
        }
        let select = [b"SELECT".to_vec(), db.to_string().into_bytes()];
        engine.exec(c0, &select);
        loaded.exec(c1, &select);
        let (a, b) = (
            stream_full(engine, c0, key),
            stream_full(&mut loaded, c1, key),
        );
        if !a.as_ref().zip(b.as_ref()).is_none_or(|(a, b)| same(a, b)) {
            return Err(format!(
                "RDB save and load of stream {key:?} in db {db}: XINFO STREAM FULL\n  was:    {a:?}\n  loaded: {b:?}"
            ));
        }
    }
    Ok(())
}

/// Whether `argv` is a `CONFIG SET` naming `proto-max-bulk-len` (see the module doc).
fn raises_bulk_limit(argv: &[Vec<u8>]) -> bool {
    argv.len() > 2
        && argv[0].eq_ignore_ascii_case(b"config")
        && argv[1].eq_ignore_ascii_case(b"set")
        && argv[2..]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(b"proto-max-bulk-len"))
}

/// `reply` as kept for [`run_twice`]: itself when small, otherwise a status holding the length
/// and an FNV-1a digest of its RESP form (see the module doc).
fn kept(reply: Reply) -> Reply {
    let mut wire = Vec::new();
    resp::encode(&reply, &mut wire);
    if wire.len() <= KEEP_REPLY {
        return reply;
    }
    let digest = wire.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    Reply::Status(format!("{} bytes, digest {digest:016x}", wire.len()).into())
}

/// The event log's promises: sequence numbers without gaps up to `last_seq`, and a timeline
/// that never goes back.
fn check_events(engine: &Engine) -> Result<(), String> {
    let log = engine.events();
    let mut previous: Option<(u64, i64)> = None;
    for event in log.after(0) {
        if let Some((seq, time)) = previous {
            if event.seq != seq + 1 {
                return Err(format!("event {} follows event {seq}", event.seq));
            }
            if event.time_ms < time {
                return Err(format!(
                    "event {} at {} ms is earlier than the one before, at {time} ms",
                    event.seq, event.time_ms
                ));
            }
        }
        previous = Some((event.seq, event.time_ms));
    }
    match previous {
        Some((seq, _)) if seq != log.last_seq() => Err(format!(
            "the newest event is {seq} but last_seq says {}",
            log.last_seq()
        )),
        _ => Ok(()),
    }
}

/// Runs `data` twice on fresh engines and panics if the replies differ: the engine must be
/// deterministic. Returns the replies.
pub fn run_twice(data: &[u8]) -> Vec<Reply> {
    let first = run(data);
    let second = run(data);
    let mismatch = first
        .iter()
        .zip(&second)
        .position(|(a, b)| !same(a, b))
        .or((first.len() != second.len()).then_some(first.len().min(second.len())));
    if let Some(at) = mismatch {
        let mut msg = format!("the same sequence gave different replies at reply {at}:\n");
        let _ = writeln!(msg, "  first:  {:?}", first.get(at));
        let _ = writeln!(msg, "  second: {:?}", second.get(at));
        panic!("{msg}");
    }
    first
}
