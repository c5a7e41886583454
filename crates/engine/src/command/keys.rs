//! Which arguments of a command are keys, and how it uses them, as Redis's
//! `getKeysFromCommandWithSpecs`: the key specs of the command's `COMMAND INFO` entry first;
//! when they cannot tell (incomplete specs, flags that depend on the arguments, a count that
//! does not parse), the command's own key finder, as Redis's `getkeys_proc`.

use crate::cstr::{atoi, c_eq_ignore_case};
use crate::errors::{CmdResult, RedisError};
use crate::num::parse_i64;
use crate::reply::Reply;

/// Key-spec flags, as Redis's `CMD_KEY_*` bits.
pub mod key_flag {
    /// Read only.
    pub const RO: u32 = 1;
    /// Read and write.
    pub const RW: u32 = 1 << 1;
    /// Overwrite: the old value is not read.
    pub const OW: u32 = 1 << 2;
    /// Removes the key.
    pub const RM: u32 = 1 << 3;
    /// Returns, copies or uses the user data of the value.
    pub const ACCESS: u32 = 1 << 4;
    /// Updates the value.
    pub const UPDATE: u32 = 1 << 5;
    /// Adds data, never changes or removes.
    pub const INSERT: u32 = 1 << 6;
    /// Removes data.
    pub const DELETE: u32 = 1 << 7;
    /// Not a key, but routed like one.
    pub const NOT_KEY: u32 = 1 << 8;
    /// The spec may miss keys.
    pub const INCOMPLETE: u32 = 1 << 9;
    /// The flags depend on the arguments.
    pub const VARIABLE_FLAGS: u32 = 1 << 10;

    /// Every flag with its name, in the order Redis prints them.
    pub const NAMES: [(u32, &str); 11] = [
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];
}

/// Where the search for a spec's keys begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BeginSearch {
    /// At a fixed argument index.
    Index(i64),
    /// After a keyword, searched from `startfrom` (backwards from the end when negative).
    Keyword {
        /// The keyword, matched case-insensitively.
        keyword: Vec<u8>,
        /// Where the search starts.
        startfrom: i64,
    },
    /// The spec cannot say.
    Unknown,
}

/// How a spec's keys are found once the search has begun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindKeys {
    /// A range: the last key relative to the first (negative: from the end), a step, and for a
    /// negative `lastkey` an optional divisor of the remaining arguments.
    Range {
        /// Last key, relative to the first; negative counts from the end.
        lastkey: i64,
        /// Distance between keys.
        keystep: i64,
        /// With `lastkey` -1: only 1/limit of the remaining arguments are keys.
        limit: i64,
    },
    /// An argument gives the number of keys.
    Keynum {
        /// Index of the count, relative to the begin.
        keynumidx: i64,
        /// Index of the first key, relative to the begin.
        firstkey: i64,
        /// Distance between keys.
        keystep: i64,
    },
    /// The spec cannot say.
    Unknown,
}

/// One key spec of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// [`key_flag`] bits.
    pub flags: u32,
    /// Where the search begins.
    pub begin: BeginSearch,
    /// How the keys are found.
    pub find: FindKeys,
}

/// A key found in a command: its argument index and how it is used ([`key_flag`] bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef {
    /// Index in argv (the command name is 0).
    pub pos: usize,
    /// [`key_flag`] bits.
    pub flags: u32,
}

/// A command's own key finder, for what its specs cannot tell (Redis's `getkeys_proc`).
pub type KeyFinder = fn(&[Vec<u8>]) -> Vec<KeyRef>;

/// The key specs of a `COMMAND INFO` entry (its ninth element).
pub fn parse_key_specs(info: &Reply) -> Vec<KeySpec> {
    let specs = match info {
        Reply::Array(items) => match items.get(8) {
            Some(Reply::Array(specs) | Reply::Set(specs)) => specs.as_slice(),
            _ => &[],
        },
        _ => &[],
    };
    specs.iter().map(parse_key_spec).collect()
}

fn field<'a>(map: &'a Reply, key: &str) -> Option<&'a Reply> {
    match map {
        Reply::Map(pairs) => pairs.iter().find_map(|(k, v)| match k {
            Reply::Bulk(b) if b == key.as_bytes() => Some(v),
            _ => None,
        }),
        _ => None,
    }
}

fn integer(reply: Option<&Reply>) -> i64 {
    match reply {
        Some(Reply::Integer(n)) => *n,
        _ => 0,
    }
}

fn bytes(reply: Option<&Reply>) -> &[u8] {
    match reply {
        Some(Reply::Bulk(b)) => b,
        Some(Reply::Status(s)) => s.as_bytes(),
        _ => &[],
    }
}

fn parse_key_spec(spec: &Reply) -> KeySpec {
    let flags = match field(spec, "flags") {
        Some(Reply::Set(names) | Reply::Array(names)) => names
            .iter()
            .filter_map(|n| {
                let n = bytes(Some(n));
                key_flag::NAMES
                    .iter()
                    .find(|(_, name)| name.as_bytes() == n)
                    .map(|(bit, _)| *bit)
            })
            .fold(0, |a, b| a | b),
        _ => 0,
    };
    let begin = field(spec, "begin_search");
    let begin_spec = begin.and_then(|b| field(b, "spec"));
    let begin = match bytes(begin.and_then(|b| field(b, "type"))) {
        b"index" => BeginSearch::Index(integer(begin_spec.and_then(|s| field(s, "index")))),
        b"keyword" => BeginSearch::Keyword {
            keyword: bytes(begin_spec.and_then(|s| field(s, "keyword"))).to_vec(),
            startfrom: integer(begin_spec.and_then(|s| field(s, "startfrom"))),
        },
        _ => BeginSearch::Unknown,
    };
    let find = field(spec, "find_keys");
    let find_spec = find.and_then(|f| field(f, "spec"));
    let get = |k: &str| integer(find_spec.and_then(|s| field(s, k)));
    let find = match bytes(find.and_then(|f| field(f, "type"))) {
        b"range" => FindKeys::Range {
            lastkey: get("lastkey"),
            keystep: get("keystep"),
            limit: get("limit"),
        },
        b"keynum" => FindKeys::Keynum {
            keynumidx: get("keynumidx"),
            firstkey: get("firstkey"),
            keystep: get("keystep"),
        },
        _ => FindKeys::Unknown,
    };
    KeySpec { flags, begin, find }
}

/// What `COMMAND GETKEYS` needs to know of a command.
#[derive(Debug, Clone, Copy)]
pub struct KeyedCommand<'a> {
    /// Its key specs.
    pub specs: &'a [KeySpec],
    /// Its own key finder, if any.
    pub finder: Option<KeyFinder>,
    /// Its arity.
    pub arity: i32,
    /// Whether its keys may all be absent (`no_mandatory_keys`).
    pub no_mandatory_keys: bool,
}

/// The reply of `COMMAND GETKEYS` (`with_flags`: `GETKEYSANDFLAGS`) for a command line and the
/// command it runs (`None`: no such command), with Redis's errors, as `getKeysSubcommandImpl`.
pub fn getkeys_reply(
    cmd: Option<KeyedCommand<'_>>,
    line: &[Vec<u8>],
    with_flags: bool,
) -> CmdResult {
    let Some(cmd) = cmd else {
        return Err(RedisError::new("ERR Invalid command specified"));
    };
    if !has_keys(cmd.specs, cmd.finder) {
        return Err(RedisError::new("ERR The command has no key arguments"));
    }
    let argc = i64::try_from(line.len()).unwrap_or(i64::MAX);
    let arity = i64::from(cmd.arity);
    if (arity > 0 && arity != argc) || argc < -arity {
        return Err(RedisError::new(
            "ERR Invalid number of arguments specified for command",
        ));
    }
    let found = find_keys(cmd.specs, cmd.finder, line);
    if found.is_empty() && !cmd.no_mandatory_keys {
        return Err(RedisError::new(
            "ERR Invalid arguments specified for command",
        ));
    }
    Ok(Reply::Array(
        found
            .iter()
            .filter_map(|k| {
                let key = Reply::bulk(line.get(k.pos)?);
                Some(if with_flags {
                    Reply::Array(vec![key, flags_reply(k.flags)])
                } else {
                    key
                })
            })
            .collect(),
    ))
}

/// The flags as Redis prints them: a set of status names.
pub fn flags_reply(flags: u32) -> Reply {
    Reply::Set(
        key_flag::NAMES
            .iter()
            .filter(|(bit, _)| flags & bit != 0)
            .map(|(_, name)| Reply::status(name))
            .collect(),
    )
}

/// Whether a command can have keys at all, as Redis's `doesCommandHaveKeys`: it has a key
/// finder, or a spec for real keys.
pub fn has_keys(specs: &[KeySpec], finder: Option<KeyFinder>) -> bool {
    finder.is_some() || specs.iter().any(|s| s.flags & key_flag::NOT_KEY == 0)
}

/// The keys of a command line whose arity has been checked, as Redis's
/// `getKeysFromCommandWithSpecs`; empty when none can be found.
pub fn find_keys(specs: &[KeySpec], finder: Option<KeyFinder>, argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let real_keys = specs.iter().any(|s| s.flags & key_flag::NOT_KEY == 0);
    let variable = specs
        .iter()
        .any(|s| s.flags & key_flag::VARIABLE_FLAGS != 0);
    if real_keys
        && !variable
        && let Some(keys) = keys_from_specs(specs, argv)
    {
        return keys;
    }
    finder.map(|f| f(argv)).unwrap_or_default()
}

/// Redis's `getKeysUsingKeySpecs` without its options: `None` when a spec is unknown,
/// incomplete or does not fit the arguments.
fn keys_from_specs(specs: &[KeySpec], argv: &[Vec<u8>]) -> Option<Vec<KeyRef>> {
    let argc = i64::try_from(argv.len()).ok()?;
    let mut keys = Vec::new();
    for spec in specs.iter().filter(|s| s.flags & key_flag::NOT_KEY == 0) {
        let mut first = match &spec.begin {
            BeginSearch::Index(pos) => *pos,
            BeginSearch::Keyword { keyword, startfrom } => {
                match keyword_position(argv, argc, keyword, *startfrom) {
                    Some(at) => at + 1,
                    // No keyword: this spec has no keys here.
                    None => continue,
                }
            }
            BeginSearch::Unknown => return None,
        };
        let (last, step) = match spec.find {
            FindKeys::Range {
                lastkey,
                keystep,
                limit,
            } => {
                let last = if lastkey >= 0 {
                    first.checked_add(lastkey)?
                } else if limit == 0 {
                    argc.checked_add(lastkey)?
                } else {
                    first.checked_add(argc.checked_sub(first)?.checked_div(limit)? + lastkey)?
                };
                (last, keystep)
            }
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => {
                if keynumidx >= argc {
                    return None;
                }
                let at = usize::try_from(first.checked_add(keynumidx)?).ok()?;
                let numkeys = parse_i64(argv.get(at)?).filter(|n| *n >= 0)?;
                first = first.checked_add(firstkey)?;
                // Redis adds the count to an int: only its low 32 bits count.
                (first + i64::from(numkeys as i32) - 1, keystep)
            }
            FindKeys::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc || step <= 0 {
            return None;
        }
        let mut i = first;
        while i <= last {
            // first >= 0 here: a negative index never comes from Redis's specs, and is refused.
            keys.push(KeyRef {
                pos: usize::try_from(i).ok()?,
                flags: spec.flags,
            });
            i += step;
        }
        if spec.flags & key_flag::INCOMPLETE != 0 {
            return None;
        }
    }
    Some(keys)
}

/// Where a begin-search keyword is: searched forwards from `startfrom` up to the argument before
/// the last, or backwards from `argc + startfrom` down to index 2, as Redis does.
fn keyword_position(argv: &[Vec<u8>], argc: i64, keyword: &[u8], startfrom: i64) -> Option<i64> {
    let (start, end) = if startfrom > 0 {
        (startfrom, argc - 1)
    } else {
        (argc + startfrom, 1)
    };
    let mut i = start;
    while i != end {
        if i >= argc || i < 1 {
            break;
        }
        let arg = argv.get(usize::try_from(i).ok()?)?;
        if c_eq_ignore_case(arg, keyword) {
            return Some(i);
        }
        i = if start <= end { i + 1 } else { i - 1 };
    }
    None
}

/// The key finder of a command, by full name (Redis's `getkeys_proc`s).
pub fn native_finder(name: &str) -> Option<KeyFinder> {
    Some(match name {
        "sintercard" | "zunion" | "zinter" | "zdiff" | "zintercard" | "lmpop" | "zmpop" => {
            |argv| counted_keys(argv, 0, 1, 2)
        }
        "zunionstore" | "zinterstore" | "zdiffstore" => |argv| counted_keys(argv, 1, 2, 3),
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" | "blmpop"
        | "bzmpop" => |argv| counted_keys(argv, 0, 2, 3),
        "sort_ro" => |_| {
            vec![KeyRef {
                pos: 1,
                flags: key_flag::RO | key_flag::ACCESS,
            }]
        },
        "sort" => sort_keys,
        "migrate" => migrate_keys,
        "georadius" | "georadiusbymember" => georadius_keys,
        "xread" | "xreadgroup" => xread_keys,
        "set" => set_keys,
        "bitfield" => bitfield_keys,
        _ => return None,
    })
}

/// `COMMAND [store] numkeys key … options`: Redis's `genericGetKeys` with a key step of 1.
/// The count is read with `atoi`; keys found this way carry no flags.
fn counted_keys(argv: &[Vec<u8>], store: usize, count: usize, first: usize) -> Vec<KeyRef> {
    let num = argv.get(count).map_or(0, |a| atoi(a));
    let room = argv.len().saturating_sub(first);
    let Ok(num) = usize::try_from(num) else {
        return Vec::new();
    };
    if num < 1 || num > room {
        return Vec::new();
    }
    let mut keys: Vec<KeyRef> = (first..first + num)
        .map(|pos| KeyRef { pos, flags: 0 })
        .collect();
    if store > 0 {
        keys.push(KeyRef {
            pos: store,
            flags: 0,
        });
    }
    keys
}

/// `SORT key … [STORE dest] …`: the sorted key, and the last `STORE` destination.
fn sort_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut keys = vec![KeyRef {
        pos: 1,
        flags: key_flag::RO | key_flag::ACCESS,
    }];
    let mut store = None;
    let mut i = 2;
    // Options with arguments are skipped whole (LIMIT takes two, GET and BY one); any other
    // word is taken as an option without arguments.
    while let Some(arg) = argv.get(i) {
        if c_eq_ignore_case(arg, b"limit") {
            i += 2;
        } else if c_eq_ignore_case(arg, b"store") && i + 1 < argv.len() {
            store = Some(i + 1);
        } else if c_eq_ignore_case(arg, b"get") || c_eq_ignore_case(arg, b"by") {
            i += 1;
        }
        i += 1;
    }
    if let Some(pos) = store {
        keys.push(KeyRef {
            pos,
            flags: key_flag::OW | key_flag::UPDATE,
        });
    }
    keys
}

/// `MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS k …]`.
fn migrate_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let (mut first, mut num) = (3, 1);
    if argv.len() > 6 {
        let mut i = 6;
        while let Some(arg) = argv.get(i) {
            if c_eq_ignore_case(arg, b"keys") {
                if argv.get(3).is_some_and(|k| !k.is_empty()) {
                    // A syntax error MIGRATE reports itself.
                    num = 0;
                } else {
                    first = i + 1;
                    num = argv.len() - first;
                }
                break;
            }
            if c_eq_ignore_case(arg, b"auth") {
                i += 1;
            } else if c_eq_ignore_case(arg, b"auth2") {
                i += 2;
            }
            i += 1;
        }
    }
    (first..first + num)
        .map(|pos| KeyRef {
            pos,
            flags: key_flag::RW | key_flag::ACCESS | key_flag::DELETE,
        })
        .collect()
}

/// `GEORADIUS key … [STORE k] [STOREDIST k]`: the key and the last destination.
fn georadius_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut stored = None;
    let mut i = 5;
    while let Some(arg) = argv.get(i) {
        if (c_eq_ignore_case(arg, b"store") || c_eq_ignore_case(arg, b"storedist"))
            && i + 1 < argv.len()
        {
            stored = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    std::iter::once(1)
        .chain(stored)
        .map(|pos| KeyRef { pos, flags: 0 })
        .collect()
}

/// `XREAD [BLOCK ms] [COUNT n] [GROUP g c] [NOACK] STREAMS key … id …`.
fn xread_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut streams = None;
    let mut i = 1;
    while let Some(arg) = argv.get(i) {
        if c_eq_ignore_case(arg, b"block") || c_eq_ignore_case(arg, b"count") {
            i += 1;
        } else if c_eq_ignore_case(arg, b"group") {
            i += 2;
        } else if c_eq_ignore_case(arg, b"streams") {
            streams = Some(i);
            break;
        } else if !c_eq_ignore_case(arg, b"noack") {
            break;
        }
        i += 1;
    }
    let Some(at) = streams else {
        return Vec::new();
    };
    let rest = argv.len().saturating_sub(at + 1);
    if rest == 0 || !rest.is_multiple_of(2) {
        return Vec::new();
    }
    (at + 1..at + 1 + rest / 2)
        .map(|pos| KeyRef { pos, flags: 0 })
        .collect()
}

/// `SET key value … [GET] …`: the key is read too when `GET` is given.
fn set_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let get = argv.iter().skip(3).any(|a| c_eq_ignore_case(a, b"get"));
    let flags = if get {
        key_flag::RW | key_flag::ACCESS | key_flag::UPDATE
    } else {
        key_flag::OW | key_flag::UPDATE
    };
    vec![KeyRef { pos: 1, flags }]
}

/// `BITFIELD key [GET …] [SET …] [INCRBY …] [OVERFLOW …]`: read-only when only `GET`s (and
/// `OVERFLOW`s) are well formed before anything else.
fn bitfield_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut readonly = true;
    let mut i = 2;
    while let Some(arg) = argv.get(i) {
        let remaining = argv.len().saturating_sub(i + 1);
        if c_eq_ignore_case(arg, b"get") && remaining >= 2 {
            i += 2;
        } else if (c_eq_ignore_case(arg, b"set") || c_eq_ignore_case(arg, b"incrby"))
            && remaining >= 3
        {
            readonly = false;
            break;
        } else if c_eq_ignore_case(arg, b"overflow") && remaining >= 1 {
            i += 1;
        } else {
            readonly = false;
            break;
        }
        i += 1;
    }
    let flags = if readonly {
        key_flag::RO | key_flag::ACCESS
    } else {
        key_flag::RW | key_flag::ACCESS | key_flag::UPDATE
    };
    vec![KeyRef { pos: 1, flags }]
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::cli::{LineOutcome, run_line_with};
    use crate::command::packed;

    /// A command as its facts describe it, whether or not it is implemented.
    struct Facts {
        arity: i32,
        no_mandatory_keys: bool,
        specs: Vec<KeySpec>,
        finder: Option<KeyFinder>,
        subcommands: HashMap<String, Facts>,
    }

    fn facts_of(info: &Reply) -> Option<(String, Facts)> {
        let Reply::Array(items) = info else {
            return None;
        };
        let name = String::from_utf8_lossy(bytes(items.first())).into_owned();
        let no_mandatory_keys = match items.get(2) {
            Some(Reply::Set(flags)) => flags.iter().any(|f| bytes(Some(f)) == b"no_mandatory_keys"),
            _ => false,
        };
        let subcommands = match items.get(9) {
            Some(Reply::Array(subs)) => subs.iter().filter_map(facts_of).collect(),
            _ => HashMap::new(),
        };
        let facts = Facts {
            arity: i32::try_from(integer(items.get(1))).ok()?,
            no_mandatory_keys,
            specs: parse_key_specs(info),
            finder: native_finder(&name),
            subcommands,
        };
        Some((name, facts))
    }

    /// Every Redis command, implemented or not.
    fn all_commands() -> HashMap<String, Facts> {
        packed::unpack().0.iter().filter_map(facts_of).collect()
    }

    /// Redis's `lookupCommand` over every command's facts.
    fn lookup<'a>(all: &'a HashMap<String, Facts>, line: &[Vec<u8>]) -> Option<&'a Facts> {
        let name = String::from_utf8(line.first()?.to_ascii_lowercase()).ok()?;
        let base = all.get(&name)?;
        match line.get(1) {
            Some(sub) if !base.subcommands.is_empty() => {
                let sub = String::from_utf8(sub.to_ascii_lowercase()).ok()?;
                base.subcommands.get(&format!("{name}|{sub}"))
            }
            _ => Some(base),
        }
    }

    /// Replays every recorded `COMMAND GETKEYS[ANDFLAGS]` line against the facts of all of
    /// Redis's commands (not only the implemented ones): each must print what the real server
    /// printed.
    #[test]
    fn getkeys_matches_the_real_server_for_every_command() {
        let all = all_commands();
        assert!(all.len() > 200, "the facts hold every Redis command");
        let transcript = include_str!("../../tests/getkeys/getkeys.out");
        let mut entries = transcript.split("> ").skip(1).peekable();
        assert!(entries.peek().is_some(), "the transcript is recorded");
        let mut failures = Vec::new();
        let mut count = 0;
        for entry in entries {
            let Some((line, expected)) = entry.split_once('\n') else {
                continue;
            };
            let outcome = run_line_with(line.as_bytes(), |argv| {
                let with_flags = match argv.get(1).map(|s| s.to_ascii_uppercase()) {
                    Some(s) if s == b"GETKEYSANDFLAGS" => true,
                    Some(s) if s == b"GETKEYS" => false,
                    other => panic!("not a GETKEYS line: {other:?}"),
                };
                let line = argv.get(2..).unwrap_or_default();
                let cmd = lookup(&all, line).map(|f| KeyedCommand {
                    specs: &f.specs,
                    finder: f.finder,
                    arity: f.arity,
                    no_mandatory_keys: f.no_mandatory_keys,
                });
                vec![
                    getkeys_reply(cmd, line, with_flags)
                        .unwrap_or_else(Reply::from)
                        .into_resp2(),
                ]
            });
            let LineOutcome::Print(actual) = outcome else {
                panic!("{line}: not a command");
            };
            count += 1;
            if actual != expected {
                failures.push(format!(
                    "> {line}\n--- redis\n{expected}--- engine\n{actual}"
                ));
            }
        }
        assert!(count > 400, "only {count} cases");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn flags_print_in_redis_order() {
        assert_eq!(
            flags_reply(key_flag::UPDATE | key_flag::RW | key_flag::ACCESS),
            Reply::Set(vec![
                Reply::status("RW"),
                Reply::status("access"),
                Reply::status("update")
            ])
        );
    }
}
