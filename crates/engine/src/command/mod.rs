//! The command table. Facts about every Redis command (arity, flags, key positions, docs) are
//! data read from a real redis-server (`facts.rs`, generated); each group module registers the
//! commands it implements with a handler and a summary of our own. Only registered commands
//! exist: anything else answers Redis's unknown-command error.

mod facts;
pub(crate) mod keys;
mod packed;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::commands;
use crate::errors::CmdResult;
use crate::reply::Reply;

pub use crate::engine::Ctx;

/// Redis version the command facts (and our behaviour) follow.
pub const REDIS_VERSION: &str = facts::REDIS_VERSION;

/// A command handler: the context and the whole argv (name first, subcommand second).
pub type Handler = fn(&mut Ctx<'_>, &[Vec<u8>]) -> CmdResult;

/// One row of a group's registration table.
#[derive(Debug)]
pub struct Command {
    /// Lowercase name; `container|sub` for a subcommand.
    pub name: &'static str,
    /// The code that runs it.
    pub handler: Handler,
    /// One line, in our own words, on what it does.
    pub summary: &'static str,
    /// The family whose code runs it, when loaded on first use (`crate::lazy`).
    #[cfg(feature = "split")]
    pub family: Option<crate::lazy::Family>,
}

impl Command {
    /// A registration row.
    pub const fn new(name: &'static str, handler: Handler, summary: &'static str) -> Self {
        Command {
            name,
            handler,
            summary,
            #[cfg(feature = "split")]
            family: None,
        }
    }

    /// The row of a command whose code loads on first use.
    #[cfg(feature = "split")]
    pub const fn in_family(self, family: crate::lazy::Family) -> Self {
        Command {
            family: Some(family),
            ..self
        }
    }
}

/// Command flags the engine acts on, as bits.
pub mod flag {
    /// May modify the keyspace.
    pub const WRITE: u32 = 1;
    /// Only reads.
    pub const READONLY: u32 = 1 << 1;
    /// May use more memory: refused when over `maxmemory` with `noeviction`.
    pub const DENYOOM: u32 = 1 << 2;
    /// Administrative.
    pub const ADMIN: u32 = 1 << 3;
    /// Pub/sub related.
    pub const PUBSUB: u32 = 1 << 4;
    /// Not allowed inside `MULTI`.
    pub const NO_MULTI: u32 = 1 << 5;
    /// Constant or logarithmic time.
    pub const FAST: u32 = 1 << 6;
    /// Allowed before authentication.
    pub const NO_AUTH: u32 = 1 << 7;
    /// May block the client.
    pub const BLOCKING: u32 = 1 << 8;
    /// Its key arguments may all be absent (`EVAL script 0`).
    pub const NO_MANDATORY_KEYS: u32 = 1 << 9;
    /// Not shown to MONITOR clients.
    pub const SKIP_MONITOR: u32 = 1 << 10;
    /// Not logged in the slow log.
    pub const SKIP_SLOWLOG: u32 = 1 << 11;
    /// Not allowed from a Lua script.
    pub const NOSCRIPT: u32 = 1 << 12;

    pub(super) fn from_name(name: &str) -> u32 {
        match name {
            "write" => WRITE,
            "readonly" => READONLY,
            "denyoom" => DENYOOM,
            "admin" => ADMIN,
            "pubsub" => PUBSUB,
            "no_multi" => NO_MULTI,
            "fast" => FAST,
            "no_auth" => NO_AUTH,
            "blocking" => BLOCKING,
            "no_mandatory_keys" => NO_MANDATORY_KEYS,
            "skip_monitor" => SKIP_MONITOR,
            "skip_slowlog" => SKIP_SLOWLOG,
            "noscript" => NOSCRIPT,
            _ => 0,
        }
    }
}

/// A command as the engine knows it: Redis's facts plus our handler and summary.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lowercase full name (`get`, `object|encoding`).
    pub name: String,
    /// A small number of its own, below [`Registry::ids`]: per-command counters are kept in a
    /// table indexed by it (see [`Registry::by_id`]).
    pub id: usize,
    /// Redis arity: `n` means exactly n arguments (name included), `-n` at least n.
    pub arity: i32,
    /// Flags the engine acts on ([`flag`]).
    pub flags: u32,
    /// Position of the first key (0: none), of the last (-1: the last argument), and the step.
    pub key_range: (i32, i32, i32),
    /// The `COMMAND INFO` entry, RESP3-shaped; a container lists its registered subcommands.
    pub info: Reply,
    /// The `COMMAND DOCS` map (our summary, since, group, arguments, …); a container maps its
    /// registered subcommands to theirs.
    pub docs: Vec<(Reply, Reply)>,
    /// Documentation group (`string`, `generic`, …).
    pub group: String,
    /// Redis version that introduced the command.
    pub since: String,
    /// The arguments after the name, as the docs write them (`key value [NX|XX] …`).
    pub syntax: String,
    /// Our one-line summary.
    pub summary: &'static str,
    /// The code that runs it.
    pub handler: Handler,
    /// Registered subcommands (full names `container|sub`), in Redis's order.
    pub subcommands: Vec<CommandSpec>,
    /// Redis's key specs, from `info`.
    pub(crate) key_specs: Vec<keys::KeySpec>,
    /// The command's own key finder, for what its key specs cannot tell.
    pub(crate) key_finder: Option<keys::KeyFinder>,
    /// The family whose code runs it, when loaded on first use (`crate::lazy`).
    #[cfg(feature = "split")]
    pub family: Option<crate::lazy::Family>,
}

impl CommandSpec {
    /// Whether `argc` arguments (name included) satisfy the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = i64::try_from(argc).unwrap_or(i64::MAX);
        let arity = i64::from(self.arity);
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// Whether the command carries a flag of [`flag`].
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Whether the command may be propagated to replicas: a write, or one of the few Redis 7.0
    /// marks `MAY_REPLICATE` (a flag `COMMAND INFO` does not show). Write pauses hold these,
    /// and a replica (a MONITOR connection) may not send them.
    pub fn may_replicate(&self) -> bool {
        self.has(flag::WRITE)
            || matches!(
                self.name.as_str(),
                "pfcount" | "publish" | "spublish" | "eval" | "evalsha" | "fcall"
            )
    }

    /// Whether this is a container (`OBJECT`, `COMMAND`, …) whose first argument is a subcommand.
    pub fn is_container(&self) -> bool {
        !self.subcommands.is_empty()
    }

    /// A registered subcommand, case-insensitively.
    pub fn subcommand(&self, name: &[u8]) -> Option<&CommandSpec> {
        self.subcommands.iter().find(|s| {
            s.name
                .split_once('|')
                .is_some_and(|(_, sub)| sub.as_bytes().eq_ignore_ascii_case(name))
        })
    }
}

/// Every registered command, by lowercase name.
pub struct Registry {
    /// Top-level commands, sorted by name.
    specs: Vec<CommandSpec>,
    /// Open-addressed index of `specs` by [`name_hash`] (linear probing; [`EMPTY`] marks a free
    /// place). At least twice as large as `specs`, so a probe ends quickly.
    table: Box<[u16]>,
    /// Each command's [`CommandSpec::id`]: the place of the top-level command in `specs` and,
    /// for a subcommand, its place in the container's `subcommands` plus one.
    ids: Vec<(u16, u16)>,
    /// The commands whose names fit in 16 bytes (nearly all), indexed by the packed name
    /// ([`pack_name`]): found with two word comparisons instead of a byte-by-byte hash and a
    /// string comparison. Places in `specs`, open addressing as `table` (as large).
    short: Box<[u16]>,
    /// Each command's packed name and its length, by its place in `specs` (a length no name
    /// has for the longer names): what a probe of `short` compares. Small and dense, so that
    /// a lookup touches little memory.
    packed: Box<[([u64; 2], usize)]>,
}

/// A command name of at most 16 bytes, ASCII letters lowercased, packed into two words: read
/// as little-endian words that overlap for lengths between two word sizes (the first and the
/// last 8 bytes for 8 to 16, the first and last 4 for 4 to 7; first, middle and last byte
/// below), which together hold every byte, so that for a given length different names pack
/// differently (the length is compared too). No copy to a buffer: a few loads (a copy of a
/// variable length is a call, costly in WebAssembly). `None` for a longer name.
#[inline]
fn pack_name(name: &[u8]) -> Option<[u64; 2]> {
    let len = name.len();
    let u64_at = |at: usize| -> u64 {
        name.get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let u32_at = |at: usize| -> u64 {
        name.get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
    };
    let byte_at = |at: usize| -> u64 { name.get(at).map_or(0, |&b| u64::from(b)) };
    // Below 8 bytes the second word is 0, which needs no lowercasing.
    match len {
        0 => Some([0, 0]),
        1..=3 => Some([
            lowercase_word(byte_at(0) | byte_at(len / 2) << 8 | byte_at(len - 1) << 16),
            0,
        ]),
        4..=7 => Some([lowercase_word(u32_at(0) | u32_at(len - 4) << 32), 0]),
        8..=16 => Some([lowercase_word(u64_at(0)), lowercase_word(u64_at(len - 8))]),
        _ => None,
    }
}

/// Eight bytes with their ASCII capitals lowercased (other bytes unchanged), all at once.
#[inline]
fn lowercase_word(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x80 * ONES;
    let low7 = x & !HIGH;
    // A byte's high bit: its low seven bits are at least `A`, resp. above `Z`.
    let from_a = low7 + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low7 + (0x80 - u64::from(b'Z') - 1) * ONES;
    // Capitals: in range, and the byte itself below 0x80.
    let capitals = from_a & !past_z & !x & HIGH;
    x | (capitals >> 2)
}

/// Where a packed name's probe starts in a table of `mask + 1` places.
#[inline]
fn short_slot(words: [u64; 2], len: usize, mask: usize) -> usize {
    let [lo, hi] = words;
    let mixed = (lo ^ hi.rotate_left(29) ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // The high bits are the best mixed.
    (mixed >> 40) as usize & mask
}

/// A free place of [`Registry::table`].
const EMPTY: u16 = u16::MAX;

/// FNV-1a of a command name lowercased: the lowercasing and the hash in one pass, cheap on
/// every target (no 128-bit multiply in WebAssembly). `None` for a name longer than any command.
fn name_hash(name: &[u8], lower: &mut [u8; 32]) -> Option<(u32, usize)> {
    let out = lower.get_mut(..name.len())?;
    let mut h: u32 = 0x811c_9dc5;
    for (o, &b) in out.iter_mut().zip(name) {
        let b = b.to_ascii_lowercase();
        *o = b;
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    Some((h, name.len()))
}

impl Registry {
    /// The registry, built once from the facts and every group's registrations.
    pub fn get() -> &'static Registry {
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        REGISTRY.get_or_init(Registry::build)
    }

    fn build() -> Registry {
        let (infos, docs) = packed::unpack();
        let infos: HashMap<String, Reply> = infos
            .into_iter()
            .filter_map(|reply| Some((info_name(&reply)?, reply)))
            .collect();
        let docs: HashMap<&str, Reply> = docs.into_iter().collect();
        let rows: Vec<&Command> = commands::TABLES.iter().flat_map(|t| t.iter()).collect();
        let mut specs: Vec<CommandSpec> = Vec::new();
        for row in rows.iter().filter(|r| !r.name.contains('|')) {
            let (Some(info), Some(doc)) = (infos.get(row.name), docs.get(row.name)) else {
                continue;
            };
            let mut spec = spec_from_facts(row, info, doc);
            let prefix = format!("{}|", row.name);
            for sub in rows.iter().filter(|r| r.name.starts_with(&prefix)) {
                let sub_info = subcommand_entries(info)
                    .into_iter()
                    .find(|i| info_name(i).as_deref() == Some(sub.name));
                let sub_doc = doc_field(doc, "subcommands").and_then(|m| map_get(m, sub.name));
                if let (Some(sub_info), Some(sub_doc)) = (sub_info, sub_doc) {
                    spec.subcommands
                        .push(spec_from_facts(sub, &sub_info, sub_doc));
                }
            }
            // Redis's order of subcommands (the facts'), whatever the order of registration.
            let order = subcommand_entries(info)
                .iter()
                .filter_map(info_name)
                .collect::<Vec<_>>();
            crate::qsort::sort_by_key(&mut spec.subcommands, |s| {
                order.iter().position(|n| *n == s.name)
            });
            list_subcommands(&mut spec, info);
            // A name registered twice keeps its last registration.
            specs.retain(|s| s.name != spec.name);
            specs.push(spec);
        }
        crate::qsort::sort_by(&mut specs, |a, b| a.name.cmp(&b.name));
        let mut ids = Vec::new();
        for (i, spec) in specs.iter_mut().enumerate() {
            let top = u16::try_from(i).unwrap_or(EMPTY);
            spec.id = ids.len();
            ids.push((top, 0));
            for (j, sub) in spec.subcommands.iter_mut().enumerate() {
                sub.id = ids.len();
                ids.push((top, u16::try_from(j + 1).unwrap_or(EMPTY)));
            }
        }
        let size = (specs.len() * 2).next_power_of_two().max(16);
        let mut table = vec![EMPTY; size].into_boxed_slice();
        let mask = size - 1;
        let mut lower = [0u8; 32];
        for (i, spec) in specs.iter().enumerate() {
            let Some((h, _)) = name_hash(spec.name.as_bytes(), &mut lower) else {
                continue;
            };
            let mut at = h as usize & mask;
            // The table is at least twice as large as the commands: a free place exists.
            while table.get(at).is_some_and(|&p| p != EMPTY) {
                at = (at + 1) & mask;
            }
            if let Some(place) = table.get_mut(at) {
                *place = u16::try_from(i).unwrap_or(EMPTY);
            }
        }
        let mut short = vec![EMPTY; size].into_boxed_slice();
        let mut packed = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            let name = spec.name.as_bytes();
            let Some(words) = pack_name(name) else {
                packed.push(([0; 2], usize::MAX));
                continue;
            };
            packed.push((words, name.len()));
            let mut at = short_slot(words, name.len(), mask);
            // As large as `table`: a free place exists.
            while short.get(at).is_some_and(|&p| p != EMPTY) {
                at = (at + 1) & mask;
            }
            if let Some(place) = short.get_mut(at) {
                *place = u16::try_from(i).unwrap_or(EMPTY);
            }
        }
        Registry {
            specs,
            table,
            ids,
            short,
            packed: packed.into_boxed_slice(),
        }
    }

    /// Finds a top-level command by name, case-insensitively.
    #[inline]
    pub fn lookup(&self, name: &[u8]) -> Option<&CommandSpec> {
        self.lookup_inline(name)
    }

    /// [`Registry::lookup`] inlined, for the dispatch of every command (a call and its register
    /// saves less: about 11 instructions of ~1,350 per command of W3).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub(crate) fn lookup_inline(&self, name: &[u8]) -> Option<&CommandSpec> {
        let Some(words) = pack_name(name) else {
            return self.lookup_long(name);
        };
        let mask = self.short.len().checked_sub(1)?;
        let mut at = short_slot(words, name.len(), mask);
        loop {
            let place = usize::from(*self.short.get(at)?);
            // A free place (EMPTY) is past the end of `packed`.
            let &(known, len) = self.packed.get(place)?;
            if known == words && len == name.len() {
                return self.specs.get(place);
            }
            at = (at + 1) & mask;
        }
    }

    /// [`Registry::lookup`] of a name longer than 16 bytes.
    #[inline(never)]
    fn lookup_long(&self, name: &[u8]) -> Option<&CommandSpec> {
        // Names are short ASCII: lowercased on the stack; anything longer is unknown.
        let mut lower = [0u8; 32];
        let (h, len) = name_hash(name, &mut lower)?;
        let lower = lower.get(..len)?;
        let mask = self.table.len().checked_sub(1)?;
        let mut at = h as usize & mask;
        loop {
            let place = *self.table.get(at)?;
            let spec = self.specs.get(usize::from(place))?;
            if spec.name.as_bytes() == lower {
                return Some(spec);
            }
            at = (at + 1) & mask;
        }
    }

    /// The command with this [`CommandSpec::id`].
    pub fn by_id(&self, id: usize) -> Option<&CommandSpec> {
        let &(top, sub) = self.ids.get(id)?;
        let spec = self.specs.get(usize::from(top))?;
        match sub {
            0 => Some(spec),
            n => spec.subcommands.get(usize::from(n) - 1),
        }
    }

    /// Number of commands and subcommands: every [`CommandSpec::id`] is below it.
    pub fn ids(&self) -> usize {
        self.ids.len()
    }

    /// Finds a command by its full name (`get`, `config|get`), case-insensitively, as Redis's
    /// `lookupCommandBySds`: one level of subcommands, and a subcommand only of a container.
    pub fn lookup_full(&self, name: &[u8]) -> Option<&CommandSpec> {
        if name.is_empty() {
            return None;
        }
        let mut parts = name.split(|&b| b == b'|');
        let base = self.lookup(parts.next()?)?;
        match (parts.next(), parts.next()) {
            (None, _) => Some(base),
            (Some(sub), None) => base.subcommand(sub),
            (Some(_), Some(_)) => None,
        }
    }

    /// Finds the command an argv runs, as Redis's `lookupCommand`: a container's subcommand when
    /// a second argument is given (`None` if it is unknown), the command itself otherwise.
    pub fn lookup_argv(&self, argv: &[Vec<u8>]) -> Option<&CommandSpec> {
        let base = self.lookup(argv.first()?)?;
        match argv.get(1) {
            Some(sub) if base.is_container() => base.subcommand(sub),
            _ => Some(base),
        }
    }

    /// Number of top-level commands.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Whether no command is registered.
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Every top-level command, sorted by name.
    pub fn commands(&self) -> Vec<&CommandSpec> {
        self.specs.iter().collect()
    }
}

/// The name of every command Redis 7.0 has, implemented here or not, sorted. Clients that
/// mirror Redis (like ioredis, which has a method per command) use it: calling one that is not
/// implemented answers the unknown-command error, as a server without it would.
pub fn redis_command_names() -> impl Iterator<Item = &'static str> {
    packed::command_names().iter().copied()
}

/// The name in a `COMMAND INFO` entry.
fn info_name(info: &Reply) -> Option<String> {
    match info {
        Reply::Array(items) => match items.first() {
            Some(Reply::Bulk(name)) => Some(String::from_utf8_lossy(name).into_owned()),
            _ => None,
        },
        _ => None,
    }
}

fn subcommand_entries(info: &Reply) -> Vec<Reply> {
    match info {
        Reply::Array(items) => match items.get(9) {
            Some(Reply::Array(subs) | Reply::Set(subs)) => subs.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn map_get<'a>(map: &'a Reply, key: &str) -> Option<&'a Reply> {
    match map {
        Reply::Map(pairs) => pairs.iter().find_map(|(k, v)| match k {
            Reply::Bulk(b) if b == key.as_bytes() => Some(v),
            _ => None,
        }),
        _ => None,
    }
}

fn doc_field<'a>(doc: &'a Reply, key: &str) -> Option<&'a Reply> {
    map_get(doc, key)
}

fn text(reply: Option<&Reply>) -> String {
    match reply {
        Some(Reply::Bulk(b)) => String::from_utf8_lossy(b).into_owned(),
        Some(Reply::Status(s)) => s.to_string(),
        _ => String::new(),
    }
}

fn int(reply: Option<&Reply>) -> i32 {
    match reply {
        Some(Reply::Integer(n)) => i32::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

fn spec_from_facts(row: &Command, info: &Reply, doc: &Reply) -> CommandSpec {
    let items = match info {
        Reply::Array(items) => items.as_slice(),
        _ => &[],
    };
    let flags = match items.get(2) {
        Some(Reply::Set(f) | Reply::Array(f)) => f
            .iter()
            .map(|f| flag::from_name(&text(Some(f))))
            .fold(0, |a, b| a | b),
        _ => 0,
    };
    // A container's subcommands are listed once its registered ones are known
    // (`list_subcommands`).
    let info_items = items.to_vec();
    let mut docs = vec![(Reply::bulk(b"summary"), Reply::bulk(row.summary.as_bytes()))];
    if let Reply::Map(pairs) = doc {
        docs.extend(
            pairs
                .iter()
                .filter(|(k, _)| !matches!(k, Reply::Bulk(b) if b == b"subcommands"))
                .cloned(),
        );
    }
    let arguments = doc_field(doc, "arguments");
    CommandSpec {
        name: row.name.to_string(),
        id: 0,
        arity: int(items.get(1)),
        flags,
        key_range: (int(items.get(3)), int(items.get(4)), int(items.get(5))),
        info: Reply::Array(info_items),
        docs,
        group: text(doc_field(doc, "group")),
        since: text(doc_field(doc, "since")),
        syntax: arguments.map(syntax).unwrap_or_default(),
        summary: row.summary,
        handler: row.handler,
        subcommands: Vec::new(),
        key_specs: keys::parse_key_specs(info),
        key_finder: keys::native_finder(row.name),
        #[cfg(feature = "split")]
        family: row.family,
    }
}

/// Lists a container's registered subcommands, and only them, in its `COMMAND INFO` entry and
/// its `COMMAND DOCS` map. Other commands keep the empty set Redis gives them.
fn list_subcommands(spec: &mut CommandSpec, facts_info: &Reply) {
    let is_container =
        matches!(facts_info, Reply::Array(items) if matches!(items.get(9), Some(Reply::Array(_))));
    if !is_container {
        return;
    }
    if let Reply::Array(items) = &mut spec.info
        && let Some(subs) = items.get_mut(9)
    {
        *subs = Reply::Array(spec.subcommands.iter().map(|s| s.info.clone()).collect());
    }
    let docs = spec
        .subcommands
        .iter()
        .map(|s| (Reply::bulk(s.name.as_bytes()), Reply::Map(s.docs.clone())))
        .collect();
    spec.docs
        .push((Reply::bulk(b"subcommands"), Reply::Map(docs)));
}

/// The argument syntax line, in the style of redis-cli's hints.
fn syntax(arguments: &Reply) -> String {
    match arguments {
        Reply::Array(args) => args.iter().map(arg_syntax).collect::<Vec<_>>().join(" "),
        _ => String::new(),
    }
}

fn arg_syntax(arg: &Reply) -> String {
    let get = |k: &str| map_get(arg, k);
    let kind = text(get("type"));
    let flags: Vec<String> = match get("flags") {
        Some(Reply::Set(f) | Reply::Array(f)) => f.iter().map(|f| text(Some(f))).collect(),
        _ => Vec::new(),
    };
    let token = text(get("token"));
    let display = match get("display_text") {
        Some(d) => text(Some(d)),
        None => text(get("name")),
    };
    let children = |sep: &str| match get("arguments") {
        Some(Reply::Array(args)) => args.iter().map(arg_syntax).collect::<Vec<_>>().join(sep),
        _ => String::new(),
    };
    let mut body = match kind.as_str() {
        "pure-token" => token.clone(),
        "oneof" => children("|"),
        "block" => children(" "),
        _ => display,
    };
    let tokened = !token.is_empty() && kind != "pure-token";
    let plain = body.clone();
    if tokened {
        body = format!("{token} {body}");
    }
    if flags.iter().any(|f| f == "multiple_token") {
        body = format!("{body} [{body} ...]");
    } else if flags.iter().any(|f| f == "multiple") {
        body = format!("{body} [{plain} ...]");
    }
    if flags.iter().any(|f| f == "optional") {
        format!("[{body}]")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_command_has_facts() {
        let registry = Registry::get();
        for row in commands::TABLES.iter().flat_map(|t| t.iter()) {
            let (top, sub) = row
                .name
                .split_once('|')
                .map_or((row.name, None), |(t, s)| (t, Some(s)));
            let spec = registry.lookup(top.as_bytes());
            assert!(spec.is_some(), "{} has no facts from Redis", row.name);
            if let (Some(spec), Some(sub)) = (spec, sub) {
                assert!(
                    spec.subcommand(sub.as_bytes()).is_some(),
                    "{} has no facts from Redis",
                    row.name
                );
            }
        }
    }

    #[test]
    fn lookup_finds_every_command_in_any_case_and_nothing_else() {
        let registry = Registry::get();
        for spec in &registry.specs {
            let name = spec.name.as_bytes();
            let upper = name.to_ascii_uppercase();
            for form in [name.to_vec(), upper.clone()] {
                let found = registry.lookup(&form).map(|s| s.name.as_str());
                assert_eq!(found, Some(spec.name.as_str()));
            }
            // The same letters with a NUL or another byte after, or one letter fewer: unknown
            // (or another command).
            for other in [
                [name, b"\0"].concat(),
                [name, b"x"].concat(),
                name.get(..name.len() - 1).unwrap_or_default().to_vec(),
            ] {
                let found = registry.lookup(&other).map(|s| s.name.as_bytes());
                assert!(
                    found.is_none_or(|f| f.eq_ignore_ascii_case(&other)),
                    "{other:?}"
                );
            }
        }
        assert!(registry.lookup(b"georadiusbymember_ro").is_some());
        assert!(registry.lookup(b"GEORADIUSBYMEMBER_RO").is_some());
        for unknown in [
            &b""[..],
            b"\0",
            b"\0\0\0\0",
            b"pin",
            b"pingg",
            b"\xc9ping",
            b"g\xc5t",
        ] {
            assert!(registry.lookup(unknown).is_none(), "{unknown:?}");
        }
        assert!(registry.lookup(&[b'a'; 40]).is_none());
    }

    #[test]
    fn packed_names_keep_every_byte() {
        let base = b"abcdefghijklmnop";
        for len in 0..=16 {
            let name = &base[..len];
            let packed = pack_name(name).unwrap();
            assert_eq!(pack_name(&name.to_ascii_uppercase()), Some(packed));
            for at in 0..len {
                for other in [b'x', b'X' ^ 0x80, 0] {
                    let mut changed = name.to_vec();
                    changed[at] = other;
                    assert_ne!(pack_name(&changed), Some(packed), "{changed:?}");
                }
            }
        }
        assert_eq!(pack_name(&[b'a'; 17]), None);
    }

    #[test]
    fn words_lowercase_as_bytes_do() {
        for b in 0..=255u8 {
            for at in 0..8 {
                for fill in [0u8, b'A', b'z', 0xff] {
                    let mut bytes = [fill; 8];
                    bytes[at] = b;
                    let want = bytes.map(|c| c.to_ascii_lowercase());
                    let got = lowercase_word(u64::from_le_bytes(bytes)).to_le_bytes();
                    assert_eq!(got, want, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn facts_give_arity_flags_and_syntax() {
        let get = Registry::get().lookup(b"GET").expect("get is registered");
        assert_eq!(get.arity, 2);
        assert!(get.has(flag::READONLY) && get.has(flag::FAST));
        assert_eq!(get.key_range, (1, 1, 1));
        assert_eq!(get.syntax, "key");
        assert_eq!(get.group, "string");
        let set = Registry::get().lookup(b"set").expect("set is registered");
        assert_eq!(
            set.syntax,
            "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"
        );
    }
}
