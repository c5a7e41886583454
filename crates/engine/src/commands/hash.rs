//! Hash commands, as Redis's `t_hash.c`: HSET (and the older HMSET), HSETNX, HGET, HMGET, HDEL,
//! HLEN, HSTRLEN, HEXISTS, HGETALL, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN.
//!
//! The value and its encodings (`listpack` in insertion order, `hashtable` past the
//! `hash-max-listpack-*` limits) live in `keyspace/hash.rs`. Here are Redis's command rules:
//! - writes look the key up for writing and create it when missing (a `new` notification, then
//!   the command's own); a hash emptied by HDEL is deleted (`hdel`, then `del`);
//! - reads look it up for reading (a hit or a miss); a missing key reads as an empty hash;
//! - arguments are checked in Redis's order, which decides which error wins: HINCRBY,
//!   HINCRBYFLOAT and HRANDFIELD read their number before the key (so a bad number beats
//!   `WRONGTYPE`), HSCAN its cursor before the key but its options after (so a missing key
//!   answers an empty page whatever the options);
//! - HINCRBYFLOAT adds in x87 `long double` precision, as INCRBYFLOAT ([`LongDouble`]).

use crate::command::{Command, Ctx};
use crate::commands::{args, scan};
use crate::engine::Lookup;
use crate::errors::{CmdResult, RedisError};
use crate::keyspace::dict::in_table_order;
use crate::keyspace::hash::{Hash, HashLimits};
use crate::keyspace::{Entry, Value};
use crate::long_double::LongDouble;
use crate::num::parse_i64;
use crate::pubsub::notify;
use crate::reply::Reply;
use crate::rng::Rng;

/// The hash group's registrations.
pub static COMMANDS: &[Command] = &[
    Command::new(
        "hset",
        hset_command,
        "Sets fields of a hash (creating it) and answers how many fields are new.",
    ),
    Command::new(
        "hmset",
        hset_command,
        "Old form of HSET: sets fields of a hash and answers OK.",
    ),
    Command::new(
        "hsetnx",
        hsetnx_command,
        "Sets a field of a hash only if the field does not exist yet; answers 1 if it did.",
    ),
    Command::new(
        "hget",
        hget_command,
        "Answers the value of a field of a hash, or nil.",
    ),
    Command::new(
        "hmget",
        hmget_command,
        "Answers the values of several fields of a hash, nil for each missing one.",
    ),
    Command::new(
        "hdel",
        hdel_command,
        "Removes fields from a hash (deleting it once empty) and answers how many existed.",
    ),
    Command::new(
        "hlen",
        hlen_command,
        "Answers the number of fields in a hash.",
    ),
    Command::new(
        "hstrlen",
        hstrlen_command,
        "Answers the length of the value of a field of a hash (0 when missing).",
    ),
    Command::new(
        "hexists",
        hexists_command,
        "Answers 1 if a hash has a field, 0 otherwise.",
    ),
    Command::new(
        "hgetall",
        hgetall_command,
        "Answers every field of a hash with its value.",
    ),
    Command::new(
        "hkeys",
        hkeys_command,
        "Answers every field name of a hash.",
    ),
    Command::new("hvals", hvals_command, "Answers every value of a hash."),
    Command::new(
        "hincrby",
        hincrby_command,
        "Adds an integer to the integer in a field of a hash and answers the result.",
    ),
    Command::new(
        "hincrbyfloat",
        hincrbyfloat_command,
        "Adds a decimal number to the number in a field of a hash, in long double precision.",
    ),
    Command::new(
        "hrandfield",
        hrandfield_command,
        "Answers random fields of a hash (distinct for a positive count), optionally with values.",
    ),
    Command::new(
        "hscan",
        hscan_command,
        "Walks the fields and values of a hash a few at a time with a cursor.",
    ),
];

/// Redis's `HRANDFIELD_SUB_STRATEGY_MUL`: HRANDFIELD picking more than a third of a hash copies
/// all of it and takes fields out (see `hrandfield_with_count`).
const HRANDFIELD_SUB_STRATEGY_MUL: usize = 3;

/// What one reply element costs beyond its bytes, for the reply budget (Redis builds whatever
/// a negative count asks for: `HRANDFIELD key -4611686018427387903` runs the server out of
/// memory; here a reply beyond `memory::REPLY_BUDGET`, or beyond `maxmemory` when set, is
/// refused with the OOM error).
const REPLY_ELEMENT_OVERHEAD: usize = crate::memory::REPLY_ELEMENT;

/// Runs a write on the hash at `key`, as Redis's `hashTypeLookupWriteOrCreate` then the
/// command's work: the key is looked up for writing (`WRONGTYPE` for another type) or a new
/// hash is made. `f` changes the hash and answers its result and whether it changed anything.
/// A changed hash logs a write; a new one is added (announced with `new`). On an error nothing
/// is stored (in Redis, no command fails after creating the hash: the checks that can fail
/// come first or cannot fail on a new hash).
fn write_hash<R>(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    f: impl FnOnce(&mut Hash, HashLimits) -> Result<(R, bool), RedisError>,
) -> Result<R, RedisError> {
    let limits = HashLimits::of(&ctx.engine.config);
    if let Some(hash) = ctx.lookup_typed::<Hash>(key, Lookup::WRITE)? {
        let (result, changed) = f(hash, limits)?;
        if changed {
            ctx.modified(key);
        }
        return Ok(result);
    }
    let mut hash = Hash::new();
    let (result, changed) = f(&mut hash, limits)?;
    if changed && !hash.is_empty() {
        let now = ctx.now();
        ctx.add(key, Entry::new(Value::Hash(hash), now));
    }
    Ok(result)
}

/// Sets each field to its value, creating the hash if needed; answers how many fields were new
/// (HMSET answers OK). Any field or value longer than `hash-max-listpack-value` converts the
/// hash to a hashtable first, even one that only updates.
///
/// `HSET key field value [field value ...]`
pub fn hset_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    // Pairs are checked here: the central arity check only knows the minimum.
    if argv.len() % 2 == 1 {
        return Err(RedisError::wrong_arity(&ctx.spec.name));
    }
    let key = &argv[1];
    let pairs = argv.get(2..).unwrap_or_default();
    let created = write_hash(ctx, key, |hash, limits| {
        hash.prepare_for(pairs.iter().map(Vec::as_slice), limits);
        let created = pairs
            .chunks_exact(2)
            .filter(|pair| match pair {
                [field, value] => hash.set_slice(field, value, limits),
                _ => false,
            })
            .count();
        Ok((created, true))
    })?;
    ctx.notify(notify::HASH, "hset", key);
    if ctx.spec.name == "hmset" {
        Ok(Reply::ok())
    } else {
        Ok(Reply::Integer(i64::try_from(created).unwrap_or(i64::MAX)))
    }
}

/// Sets a field only if the hash does not have it yet (creating the hash if needed); answers 1
/// when set, 0 when the field existed (nothing changes then).
///
/// `HSETNX key field value`
pub fn hsetnx_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (key, field, value) = (&argv[1], &argv[2], &argv[3]);
    let set = write_hash(ctx, key, |hash, limits| {
        if hash.contains(field) {
            return Ok((false, false));
        }
        hash.prepare_for([field.as_slice(), value.as_slice()], limits);
        hash.set(field, value.clone(), limits);
        Ok((true, true))
    })?;
    if set {
        ctx.notify(notify::HASH, "hset", key);
    }
    Ok(Reply::Integer(i64::from(set)))
}

/// Answers the value of a field, nil when the field or the key is missing.
///
/// `HGET key field`
pub fn hget_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let hash = ctx.lookup_typed::<Hash>(&argv[1], Lookup::READ)?;
    Ok(hash
        .and_then(|h| h.get(&argv[2]))
        .map_or(Reply::Nil, Reply::bulk))
}

/// Answers the value of each field in order, nil for a missing field; a missing key reads as an
/// empty hash.
///
/// `HMGET key field [field ...]`
pub fn hmget_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let hash = ctx.lookup_typed::<Hash>(&argv[1], Lookup::READ)?;
    let fields = argv.get(2..).unwrap_or_default();
    Ok(Reply::Array(
        fields
            .iter()
            .map(|f| {
                hash.as_deref()
                    .and_then(|h| h.get(f))
                    .map_or(Reply::Nil, Reply::bulk)
            })
            .collect(),
    ))
}

/// Removes the fields and answers how many existed; the key is deleted when its last field
/// goes (events `hdel` then `del`).
///
/// `HDEL key field [field ...]`
pub fn hdel_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let Some(hash) = ctx.lookup_typed::<Hash>(key, Lookup::WRITE)? else {
        return Ok(Reply::Integer(0));
    };
    let mut deleted: i64 = 0;
    for field in argv.get(2..).unwrap_or_default() {
        if hash.remove(field) {
            deleted += 1;
            if hash.is_empty() {
                break;
            }
        }
    }
    let emptied = hash.is_empty();
    if deleted > 0 {
        if emptied {
            ctx.delete(key);
        } else {
            ctx.modified(key);
        }
        ctx.notify(notify::HASH, "hdel", key);
        if emptied {
            ctx.notify(notify::GENERIC, "del", key);
        }
    }
    Ok(Reply::Integer(deleted))
}

/// Answers the number of fields (0 for a missing key).
///
/// `HLEN key`
pub fn hlen_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let hash = ctx.lookup_typed::<Hash>(&argv[1], Lookup::READ)?;
    let len = hash.map_or(0, |h| h.len());
    Ok(Reply::Integer(i64::try_from(len).unwrap_or(i64::MAX)))
}

/// Answers the length in bytes of a field's value (0 when the field or the key is missing).
///
/// `HSTRLEN key field`
pub fn hstrlen_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let hash = ctx.lookup_typed::<Hash>(&argv[1], Lookup::READ)?;
    let len = hash.and_then(|h| h.get(&argv[2])).map_or(0, <[u8]>::len);
    Ok(Reply::Integer(i64::try_from(len).unwrap_or(i64::MAX)))
}

/// Answers 1 if the hash has the field, 0 otherwise (or when the key is missing).
///
/// `HEXISTS key field`
pub fn hexists_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let hash = ctx.lookup_typed::<Hash>(&argv[1], Lookup::READ)?;
    let exists = hash.is_some_and(|h| h.contains(&argv[2]));
    Ok(Reply::Integer(i64::from(exists)))
}

/// Answers every field and its value (a map; a flat array of field, value, … in RESP2), in
/// insertion order for a listpack-encoded hash, in its table's order for a hashtable.
///
/// `HGETALL key`
pub fn hgetall_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let resp3 = ctx.resp3();
    let hash = ctx.lookup_typed::<Hash>(&argv[1], Lookup::READ)?;
    if !resp3 {
        // What RESP2 makes of the map, built at once rather than converted.
        return Ok(Reply::Array(hash.map_or_else(Vec::new, |h| {
            let mut flat = Vec::with_capacity(h.len() * 2);
            for (f, v) in h.iter() {
                flat.push(Reply::bulk(f));
                flat.push(Reply::bulk(v));
            }
            flat
        })));
    }
    Ok(Reply::Map(hash.map_or_else(Vec::new, |h| {
        let mut pairs = Vec::with_capacity(h.len());
        pairs.extend(h.iter().map(|(f, v)| (Reply::bulk(f), Reply::bulk(v))));
        pairs
    })))
}

/// Answers every field name, in insertion order for a listpack-encoded hash, in its table's
/// order for a hashtable.
///
/// `HKEYS key`
pub fn hkeys_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let hash = ctx.lookup_typed::<Hash>(&argv[1], Lookup::READ)?;
    Ok(Reply::bulks(
        hash.into_iter().flat_map(|h| h.iter().map(|(f, _)| f)),
    ))
}

/// Answers every value, in insertion order for a listpack-encoded hash, in its table's order
/// for a hashtable.
///
/// `HVALS key`
pub fn hvals_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let hash = ctx.lookup_typed::<Hash>(&argv[1], Lookup::READ)?;
    Ok(Reply::bulks(
        hash.into_iter().flat_map(|h| h.iter().map(|(_, v)| v)),
    ))
}

/// Adds an integer to a field's value (a missing field counts as 0, a missing key as an empty
/// hash) and answers the result. The value must be a 64-bit integer written as Redis writes
/// them, and the sum must fit 64 bits.
///
/// `HINCRBY key field increment`
pub fn hincrby_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (key, field) = (&argv[1], &argv[2]);
    let incr = parse_i64(&argv[3]).ok_or_else(RedisError::not_integer)?;
    let value = write_hash(ctx, key, |hash, limits| {
        let current = match hash.get(field) {
            None => 0,
            Some(v) => parse_i64(v).ok_or(RedisError::new("ERR hash value is not an integer"))?,
        };
        let value = current
            .checked_add(incr)
            .ok_or(RedisError::new("ERR increment or decrement would overflow"))?;
        hash.set(field, value.to_string().into_bytes(), limits);
        Ok((value, true))
    })?;
    ctx.notify(notify::HASH, "hincrby", key);
    Ok(Reply::Integer(value))
}

/// Adds a decimal number to a field's value in x87 `long double` precision (a missing field
/// counts as 0) and answers the result as Redis prints it (up to 17 decimals, trailing zeros
/// removed). Infinite increments and results are refused.
///
/// `HINCRBYFLOAT key field increment`
pub fn hincrbyfloat_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (key, field) = (&argv[1], &argv[2]);
    let incr = LongDouble::parse(&argv[3]).ok_or_else(RedisError::not_float)?;
    if !incr.is_finite() {
        return Err(RedisError::new("ERR value is NaN or Infinity"));
    }
    let printed = write_hash(ctx, key, |hash, limits| {
        let current = match hash.get(field) {
            None => LongDouble::ZERO,
            Some(v) => {
                LongDouble::parse(v).ok_or(RedisError::new("ERR hash value is not a float"))?
            }
        };
        let sum = current + incr;
        if !sum.is_finite() {
            return Err(RedisError::new(
                "ERR increment would produce NaN or Infinity",
            ));
        }
        let printed = sum.to_human().into_bytes();
        hash.set(field, printed.clone(), limits);
        Ok((printed, true))
    })?;
    ctx.notify(notify::HASH, "hincrbyfloat", key);
    // Propagated as the value it produced.
    ctx.propagate_as(vec![crate::aof::command(&[b"HSET", key, field, &printed])]);
    Ok(Reply::from(printed))
}

/// Without a count, answers one random field (nil for a missing key). With a count: a positive
/// one answers that many distinct fields (the whole hash when it has no more), a negative one
/// that many fields picked independently (repeats possible); `WITHVALUES` adds each field's
/// value (after it in RESP2, as a pair in RESP3).
///
/// `HRANDFIELD key [count [WITHVALUES]]`
pub fn hrandfield_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    if let Some(count) = argv.get(2) {
        // The count is a C long in -LONG_MAX..=LONG_MAX, read before the key.
        let count = parse_i64(count).ok_or_else(RedisError::not_integer)?;
        if count == i64::MIN {
            return Err(RedisError::new(
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            ));
        }
        let with_values = match argv.get(3..).unwrap_or_default() {
            [] => false,
            [option] if args::is(option, "withvalues") => true,
            _ => return Err(RedisError::syntax()),
        };
        // Redis doubles the count for the RESP2 reply length: it keeps it within half a long.
        if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
            return Err(RedisError::new("ERR value is out of range"));
        }
        return hrandfield_with_count(ctx, key, count, with_values);
    }
    if ctx.lookup_typed::<Hash>(key, Lookup::READ)?.is_none() {
        return Ok(Reply::Nil);
    }
    let pick = hash_and_rng(ctx, key).and_then(|(hash, rng)| hash.random(rng));
    Ok(pick.map_or(Reply::Nil, |(field, _)| Reply::bulk(field)))
}

/// HRANDFIELD with a count (already checked): the key is read, then the picks made as Redis
/// makes them: none for 0; with repetition for a negative count (and for 1); the whole hash,
/// in its order, for a count that covers it; distinct random fields otherwise (in a table's
/// order, as Redis answers them, when they are more than a third of the hash).
fn hrandfield_with_count(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    count: i64,
    with_values: bool,
) -> CmdResult {
    if ctx.lookup_typed::<Hash>(key, Lookup::READ)?.is_none() {
        return Ok(Reply::Array(Vec::new()));
    }
    let resp3 = ctx
        .engine
        .clients
        .get(&ctx.client)
        .is_some_and(|c| c.resp >= 3);
    let reply_cap = ctx.engine.reply_cap();
    let Some((hash, rng)) = hash_and_rng(ctx, key) else {
        return Ok(Reply::Array(Vec::new()));
    };
    let wanted = count.unsigned_abs();
    if wanted == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let picks = if count < 0 || wanted == 1 {
        // Each pick costs at least REPLY_ELEMENT_OVERHEAD bytes, so the budget bounds the loop.
        let all: Vec<(&[u8], &[u8])> = hash.iter().collect();
        let mut picks = Vec::new();
        let mut bytes: usize = 0;
        for _ in 0..wanted {
            let at = usize::try_from(rng.below(all.len() as u64)).unwrap_or(0);
            let Some(&pair) = all.get(at) else { break };
            bytes = bytes.saturating_add(pick_cost(pair, with_values));
            if bytes > reply_cap {
                return Err(crate::memory::OOM);
            }
            picks.push(pair);
        }
        picks
    } else {
        match usize::try_from(wanted) {
            Ok(wanted) if wanted < hash.len() => {
                let mut picks = hash.random_distinct(wanted, rng);
                // More than a third of the hash: Redis copies all of it into a table sized for
                // it, takes fields out at random and answers in the table's order, whatever the
                // encoding. Fewer come in the listpack's order, or from a hashtable as drawn.
                if wanted.saturating_mul(HRANDFIELD_SUB_STRATEGY_MUL) > hash.len() {
                    in_table_order(&mut picks, hash.len(), |&(field, _)| field);
                }
                picks
            }
            _ => hash.iter().collect(),
        }
    };
    Ok(pairs_reply(&picks, with_values, resp3))
}

/// The estimated memory one random pick adds to a reply (see `memory::REPLY_BUDGET`).
fn pick_cost((field, value): (&[u8], &[u8]), with_values: bool) -> usize {
    let pick = std::mem::size_of::<(&[u8], &[u8])>() + REPLY_ELEMENT_OVERHEAD + field.len();
    if with_values {
        pick + REPLY_ELEMENT_OVERHEAD * 2 + value.len()
    } else {
        pick
    }
}

/// The reply to HRANDFIELD with a count: fields; or, with values, field and value in turn
/// (RESP2) or a two-element array per pair (RESP3), as Redis shapes it for each protocol.
fn pairs_reply(picks: &[(&[u8], &[u8])], with_values: bool, resp3: bool) -> Reply {
    if !with_values {
        return Reply::bulks(picks.iter().map(|&(field, _)| field));
    }
    if resp3 {
        return Reply::Array(
            picks
                .iter()
                .map(|&(field, value)| Reply::bulks([field, value]))
                .collect(),
        );
    }
    Reply::bulks(picks.iter().flat_map(|&(field, value)| [field, value]))
}

/// The hash at `key` beside the engine's random generator, both borrowed at once. Callers have
/// just looked the key up (which expired it if stale and counted the hit) and checked its type.
#[allow(clippy::match_wildcard_for_single_variants)] // one variant per type to come
fn hash_and_rng<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Option<(&'c Hash, &'c mut Rng)> {
    let engine = &mut *ctx.engine;
    match &engine.dbs.get(ctx.db)?.peek(key)?.value {
        Value::Hash(hash) => Some((hash, &mut engine.rng)),
        _ => None,
    }
}

/// Walks the hash from a cursor: a listpack-encoded hash answers every field and value at once
/// with cursor 0; a hashtable answers about `COUNT` fields (10 by default) with their values
/// and the next cursor, 0 when the walk is over. `MATCH` keeps the fields matching a glob
/// pattern. A field present during the whole walk is returned at least once.
///
/// `HSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn hscan_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let cursor = scan::parse_cursor(&argv[2])?;
    let Some(hash) = ctx.lookup_typed::<Hash>(&argv[1], Lookup::READ)? else {
        return Ok(scan::reply(0, Vec::<Vec<u8>>::new()));
    };
    let options = scan::ScanOptions::parse(argv.get(3..).unwrap_or_default(), false)?;
    let (next, items) = match hash.table() {
        // Two items (field, value) per element: Redis doubles the count, in a C long.
        Some(dict) => scan::scan_dict(dict, cursor, options.count.wrapping_mul(2), |f, v, out| {
            out.push(f.to_vec());
            out.push(v.clone());
        }),
        None => (
            0,
            hash.iter()
                .flat_map(|(f, v)| [f.to_vec(), v.to_vec()])
                .collect(),
        ),
    };
    let kept = items
        .chunks_exact(2)
        .filter(|pair| pair.first().is_some_and(|f| options.matches(f)))
        .flatten();
    Ok(scan::reply(next, kept))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::events::EventKind;
    use crate::{ClientId, Engine};

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    fn run(engine: &mut Engine, client: ClientId, line: &str) -> Reply {
        engine.exec(client, &argv(line))
    }

    fn bulks(reply: Reply) -> Vec<Vec<u8>> {
        match reply {
            Reply::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Reply::Bulk(b) => b.into_vec(),
                    other => panic!("not a bulk: {other:?}"),
                })
                .collect(),
            other => panic!("not an array: {other:?}"),
        }
    }

    fn encoding(engine: &mut Engine, client: ClientId, key: &str) -> Reply {
        run(engine, client, &format!("OBJECT ENCODING {key}"))
    }

    fn listpack() -> Reply {
        Reply::bulk(b"listpack")
    }

    fn hashtable() -> Reply {
        Reply::bulk(b"hashtable")
    }

    /// A server with tiny limits: 3 fields, 4 bytes.
    fn small_limits() -> (Engine, ClientId) {
        let mut engine = Engine::new();
        engine.config.hash_max_listpack_entries = 3;
        engine.config.hash_max_listpack_value = 4;
        let client = engine.connect();
        (engine, client)
    }

    /// A hashtable-encoded hash lists its fields in its table's order, as Redis's does (its own
    /// order follows its hash seed, random per process), not in the order they were set; a
    /// listpack keeps that order, as Redis's does.
    #[test]
    fn a_hashtable_lists_in_its_tables_order_a_listpack_in_insertion_order() {
        let (mut e, c) = small_limits();
        let fields: Vec<Vec<u8>> = (0..10).map(|i| format!("f{i}").into_bytes()).collect();
        run(
            &mut e,
            c,
            "HSET h f0 0 f1 1 f2 2 f3 3 f4 4 f5 5 f6 6 f7 7 f8 8 f9 9",
        );
        assert_eq!(encoding(&mut e, c, "h"), hashtable());
        let keys = bulks(run(&mut e, c, "HKEYS h"));
        assert_ne!(keys, fields);
        let table = match e.dbs[0].peek(b"h").map(|entry| &entry.value) {
            Some(crate::keyspace::Value::Hash(h)) => h.table().expect("a table").keys_by_bucket(),
            other => panic!("not a hash: {other:?}"),
        };
        assert_eq!(keys, table);
        // HVALS and HGETALL go the same way; HRANDFIELD with a count covering the hash too.
        let values: Vec<Vec<u8>> = keys.iter().map(|f| f[1..].to_vec()).collect();
        assert_eq!(bulks(run(&mut e, c, "HVALS h")), values);
        let pairs: Vec<Vec<u8>> = keys
            .iter()
            .flat_map(|f| [f.clone(), f[1..].to_vec()])
            .collect();
        assert_eq!(bulks(run(&mut e, c, "HGETALL h")), pairs);
        assert_eq!(bulks(run(&mut e, c, "HRANDFIELD h 10")), keys);
        run(&mut e, c, "HSET small b 1 a 2 c 3");
        assert_eq!(encoding(&mut e, c, "small"), listpack());
        assert_eq!(
            bulks(run(&mut e, c, "HKEYS small")),
            [b"b".to_vec(), b"a".to_vec(), b"c".to_vec()]
        );
    }

    /// HRANDFIELD with a count above a third of a hash (below its size) answers in the order of
    /// a table sized for the hash, as Redis copies the hash into one, even from a listpack;
    /// fewer picks from a listpack come in its order.
    #[test]
    fn hrandfield_answers_most_of_a_hash_in_a_tables_order() {
        let mut e = Engine::new();
        let c = e.connect();
        run(&mut e, c, "HSET lp f0 0 f1 1 f2 2 f3 3 f4 4 f5 5");
        assert_eq!(encoding(&mut e, c, "lp"), listpack());
        let mut listpack_order_only = true;
        for _ in 0..50 {
            let picks = bulks(run(&mut e, c, "HRANDFIELD lp 4"));
            let mut ordered = picks.clone();
            in_table_order(&mut ordered, 6, |f| f);
            assert_eq!(picks, ordered);
            listpack_order_only &= picks.is_sorted();
            // Two of six: Redis samples the listpack, in its order.
            assert!(bulks(run(&mut e, c, "HRANDFIELD lp 2")).is_sorted());
        }
        assert!(!listpack_order_only);
    }

    #[test]
    fn conversions_follow_the_configured_limits() {
        let (mut e, c) = small_limits();
        run(&mut e, c, "HSET a f1 v f2 v f3 v");
        assert_eq!(encoding(&mut e, c, "a"), listpack());
        run(&mut e, c, "HSET a f4 v");
        assert_eq!(encoding(&mut e, c, "a"), hashtable());
        // Four bytes fit, five do not, as field or value.
        run(&mut e, c, "HSET b f 1234 abcd x");
        assert_eq!(encoding(&mut e, c, "b"), listpack());
        run(&mut e, c, "HSET b f 12345");
        assert_eq!(encoding(&mut e, c, "b"), hashtable());
        run(&mut e, c, "HSET b2 abcde x");
        assert_eq!(encoding(&mut e, c, "b2"), hashtable());
        // HSETNX: an existing field does not convert; a new one with a long value does.
        run(&mut e, c, "HSET n f 1");
        assert_eq!(run(&mut e, c, "HSETNX n f 12345"), Reply::Integer(0));
        assert_eq!(encoding(&mut e, c, "n"), listpack());
        assert_eq!(run(&mut e, c, "HSETNX n g 12345"), Reply::Integer(1));
        assert_eq!(encoding(&mut e, c, "n"), hashtable());
        // HINCRBY: a result of five characters converts.
        run(&mut e, c, "HINCRBY i f 9999");
        assert_eq!(encoding(&mut e, c, "i"), listpack());
        run(&mut e, c, "HINCRBY i f 1");
        assert_eq!(encoding(&mut e, c, "i"), hashtable());
        assert_eq!(run(&mut e, c, "HGET i f"), Reply::bulk(b"10000"));
        run(&mut e, c, "HINCRBY i2 f -999");
        assert_eq!(encoding(&mut e, c, "i2"), listpack());
        run(&mut e, c, "HINCRBY i2 f -1");
        assert_eq!(encoding(&mut e, c, "i2"), hashtable());
        // HINCRBY on a long field converts even for a short result.
        run(&mut e, c, "HINCRBY i3 abcde 1");
        assert_eq!(encoding(&mut e, c, "i3"), hashtable());
        // HINCRBYFLOAT: "1.25" fits, "10.25" does not.
        run(&mut e, c, "HINCRBYFLOAT fl f 1.25");
        assert_eq!(encoding(&mut e, c, "fl"), listpack());
        run(&mut e, c, "HINCRBYFLOAT fl f 9");
        assert_eq!(encoding(&mut e, c, "fl"), hashtable());
        // The fourth field added by HINCRBY or HSETNX converts too.
        run(&mut e, c, "HSET k a 1 b 2 c 3");
        run(&mut e, c, "HINCRBY k a 1");
        assert_eq!(encoding(&mut e, c, "k"), listpack());
        run(&mut e, c, "HINCRBY k d 1");
        assert_eq!(encoding(&mut e, c, "k"), hashtable());
        run(&mut e, c, "HSET k2 a 1 b 2 c 3");
        run(&mut e, c, "HSETNX k2 d 1");
        assert_eq!(encoding(&mut e, c, "k2"), hashtable());
        // One-way.
        run(&mut e, c, "HDEL k a b c");
        assert_eq!(encoding(&mut e, c, "k"), hashtable());
        assert_eq!(run(&mut e, c, "HLEN k"), Reply::Integer(1));
    }

    /// A client subscribed to every keyevent channel, with every class enabled.
    fn listener(engine: &mut Engine) -> ClientId {
        engine.config.notify_keyspace_events = notify::KEYEVENT
            | notify::GENERIC
            | notify::HASH
            | notify::STRING
            | notify::NEW
            | notify::KEY_MISS;
        let id = engine.connect();
        engine.pubsub.add_pattern(b"__keyevent@0__:*", id);
        id
    }

    /// The events a listener received: `event key` each.
    fn heard(engine: &mut Engine, listener: ClientId) -> Vec<String> {
        engine
            .take_output(listener)
            .into_iter()
            .map(|push| match push {
                Reply::Push(parts) | Reply::Array(parts) => match parts.as_slice() {
                    [_, _, Reply::Bulk(channel), Reply::Bulk(key)] => {
                        let channel = String::from_utf8_lossy(channel);
                        let event = channel.trim_start_matches("__keyevent@0__:");
                        format!("{event} {}", String::from_utf8_lossy(key))
                    }
                    other => panic!("unexpected push {other:?}"),
                },
                other => panic!("unexpected push {other:?}"),
            })
            .collect()
    }

    #[test]
    fn notifications_are_redis_events_in_redis_order() {
        let mut e = Engine::new();
        let l = listener(&mut e);
        let c = e.connect();
        run(&mut e, c, "HSET h a 1 b 2");
        assert_eq!(heard(&mut e, l), ["new h", "hset h"]);
        run(&mut e, c, "HMSET h a 2");
        run(&mut e, c, "HSETNX h a 3");
        run(&mut e, c, "HSETNX h c 3");
        assert_eq!(heard(&mut e, l), ["hset h", "hset h"]);
        run(&mut e, c, "HINCRBY h a 1");
        run(&mut e, c, "HINCRBYFLOAT h a 1.5");
        run(&mut e, c, "HINCRBY h b x");
        run(&mut e, c, "HINCRBY h b 9223372036854775805");
        run(&mut e, c, "HINCRBY h b 1");
        assert_eq!(
            heard(&mut e, l),
            ["hincrby h", "hincrbyfloat h", "hincrby h"]
        );
        run(&mut e, c, "HINCRBY fresh f 1");
        run(&mut e, c, "HINCRBYFLOAT fresh2 f 1");
        assert_eq!(
            heard(&mut e, l),
            [
                "new fresh",
                "hincrby fresh",
                "new fresh2",
                "hincrbyfloat fresh2"
            ]
        );
        run(&mut e, c, "HDEL h nope");
        assert_eq!(heard(&mut e, l), Vec::<String>::new());
        run(&mut e, c, "HDEL h a");
        assert_eq!(heard(&mut e, l), ["hdel h"]);
        run(&mut e, c, "HDEL h b c d");
        assert_eq!(heard(&mut e, l), ["hdel h", "del h"]);
        // Reads of a missing key send keymiss; writes do not.
        run(&mut e, c, "HGET h a");
        run(&mut e, c, "HDEL h a");
        assert_eq!(heard(&mut e, l), ["keymiss h"]);
    }

    #[test]
    fn reads_count_hits_and_misses_and_writes_do_not() {
        let mut e = Engine::new();
        let c = e.connect();
        run(&mut e, c, "HSET h a 1");
        run(&mut e, c, "HSETNX h a 1");
        run(&mut e, c, "HINCRBY h n 1");
        run(&mut e, c, "HDEL h nope");
        assert_eq!((e.stats().keyspace_hits, e.stats().keyspace_misses), (0, 0));
        for cmd in [
            "HGET h a",
            "HMGET h a",
            "HLEN h",
            "HSTRLEN h a",
            "HEXISTS h a",
            "HGETALL h",
            "HKEYS h",
            "HVALS h",
            "HRANDFIELD h",
            "HRANDFIELD h 2",
            "HSCAN h 0",
        ] {
            run(&mut e, c, cmd);
            run(&mut e, c, &cmd.replacen(" h", " missing", 1));
        }
        assert_eq!(
            (e.stats().keyspace_hits, e.stats().keyspace_misses),
            (11, 11)
        );
    }

    #[test]
    fn a_new_hash_logs_one_write_and_an_emptied_one_a_deletion() {
        let mut e = Engine::new();
        let c = e.connect();
        let kinds = |e: &Engine, from: u64| -> Vec<(EventKind, &'static str)> {
            e.events()
                .after(from)
                .map(|ev| (ev.kind, ev.command))
                .collect()
        };
        run(&mut e, c, "HSET h a 1");
        assert_eq!(kinds(&e, 0), [(EventKind::Write, "hset")]);
        let seq = e.events().last_seq();
        run(&mut e, c, "HSETNX h a 2");
        assert_eq!(kinds(&e, seq), [], "nothing changed");
        run(&mut e, c, "HDEL h a");
        assert_eq!(kinds(&e, seq), [(EventKind::Del, "hdel")]);
    }

    fn whole(engine: &mut Engine, client: ClientId, key: &str) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let flat = bulks(run(engine, client, &format!("HGETALL {key}")));
        flat.chunks(2)
            .map(|p| (p[0].clone(), p[1].clone()))
            .collect()
    }

    #[test]
    fn hrandfield_positive_counts_are_distinct_and_uniform() {
        for entries in [512, 4] {
            let mut e = Engine::new();
            e.config.hash_max_listpack_entries = entries;
            let c = e.connect();
            run(&mut e, c, "HSET h a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8");
            let expected = if entries == 512 {
                listpack()
            } else {
                hashtable()
            };
            assert_eq!(encoding(&mut e, c, "h"), expected);
            let all = whole(&mut e, c, "h");
            // Every count below the size: that many distinct fields, each with its value.
            for count in 1..8 {
                for _ in 0..50 {
                    let flat = bulks(run(&mut e, c, &format!("HRANDFIELD h {count} WITHVALUES")));
                    assert_eq!(flat.len(), count * 2);
                    let fields: BTreeSet<_> = flat.chunks(2).map(|p| p[0].clone()).collect();
                    assert_eq!(fields.len(), count, "distinct");
                    for p in flat.chunks(2) {
                        assert_eq!(all.get(&p[0]), Some(&p[1]));
                    }
                }
            }
            // Pairs of distinct fields: each of the 28 subsets about 1/28 of the time (Case 3
            // in Redis); triples too, over a count far below the size (Case 4).
            let mut subsets: BTreeMap<Vec<Vec<u8>>, u32> = BTreeMap::new();
            for _ in 0..28_000 {
                let mut picked = bulks(run(&mut e, c, "HRANDFIELD h 2"));
                picked.sort();
                *subsets.entry(picked).or_default() += 1;
            }
            assert_eq!(subsets.len(), 28);
            assert!(
                subsets.values().all(|&n| (800..1200).contains(&n)),
                "{subsets:?}"
            );
        }
    }

    #[test]
    fn hrandfield_negative_counts_repeat_and_are_uniform() {
        for entries in [512, 4] {
            let mut e = Engine::new();
            e.config.hash_max_listpack_entries = entries;
            let c = e.connect();
            run(&mut e, c, "HSET h a 1 b 2 c 3 d 4 e 5");
            let picked = bulks(run(&mut e, c, "HRANDFIELD h -50000"));
            assert_eq!(picked.len(), 50_000);
            let mut counts: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
            for field in picked {
                *counts.entry(field).or_default() += 1;
            }
            assert_eq!(counts.len(), 5);
            assert!(
                counts.values().all(|n| (9000..11_000).contains(n)),
                "{counts:?}"
            );
            let flat = bulks(run(&mut e, c, "HRANDFIELD h -7 WITHVALUES"));
            assert_eq!(flat.len(), 14);
            for p in flat.chunks(2) {
                assert_eq!(p[0][0] - b'a' + b'1', p[1][0], "value follows its field");
            }
            // Without a count: one field, every one of them in time.
            let mut seen = BTreeSet::new();
            for _ in 0..200 {
                match run(&mut e, c, "HRANDFIELD h") {
                    Reply::Bulk(f) => seen.insert(f),
                    other => panic!("{other:?}"),
                };
            }
            assert_eq!(seen.len(), 5);
        }
    }

    #[test]
    fn hgetall_replies_in_the_protocol_in_force_when_it_runs() {
        let mut e = Engine::new();
        let c = e.connect();
        run(&mut e, c, "HSET h f v");
        let flat = Reply::bulks([&b"f"[..], b"v"]);
        assert_eq!(run(&mut e, c, "HGETALL h"), flat);
        // As Redis writes a reply when the command runs: queued before HELLO 3, it stays the
        // RESP2 array inside EXEC's reply.
        run(&mut e, c, "MULTI");
        run(&mut e, c, "HGETALL h");
        run(&mut e, c, "HELLO 3");
        match run(&mut e, c, "EXEC") {
            Reply::Array(items) => assert_eq!(items.first(), Some(&flat)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            run(&mut e, c, "HGETALL h"),
            Reply::Map(vec![(Reply::bulk(b"f"), Reply::bulk(b"v"))])
        );
    }

    #[test]
    fn hrandfield_replies_in_resp3_pair_arrays() {
        let mut e = Engine::new();
        let c = e.connect();
        if let Some(client) = e.clients.get_mut(&c) {
            client.resp = 3;
        }
        run(&mut e, c, "HSET h a 1 b 2");
        let pair = |f: &[u8], v: &[u8]| Reply::Array(vec![Reply::bulk(f), Reply::bulk(v)]);
        assert_eq!(
            run(&mut e, c, "HRANDFIELD h 5 WITHVALUES"),
            Reply::Array(vec![pair(b"a", b"1"), pair(b"b", b"2")])
        );
        match run(&mut e, c, "HRANDFIELD h -3 WITHVALUES") {
            Reply::Array(items) => {
                assert_eq!(items.len(), 3);
                assert!(
                    items
                        .iter()
                        .all(|i| *i == pair(b"a", b"1") || *i == pair(b"b", b"2"))
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            run(&mut e, c, "HRANDFIELD h 5"),
            Reply::bulks([&b"a"[..], b"b"])
        );
        assert_eq!(
            run(&mut e, c, "HGETALL h"),
            Reply::Map(vec![
                (Reply::bulk(b"a"), Reply::bulk(b"1")),
                (Reply::bulk(b"b"), Reply::bulk(b"2"))
            ])
        );
    }

    #[test]
    fn huge_negative_counts_are_refused_instead_of_exhausting_memory() {
        let mut e = Engine::new();
        let c = e.connect();
        run(&mut e, c, "HSET h a 1");
        let oom = Reply::error("OOM command not allowed when used memory > 'maxmemory'.");
        assert_eq!(run(&mut e, c, "HRANDFIELD h -9223372036854775807"), oom);
        assert_eq!(
            run(&mut e, c, "HRANDFIELD h -4611686018427387903 WITHVALUES"),
            oom
        );
        // A hash's own size never hits the limit: the positive count is capped by it.
        assert_eq!(
            run(&mut e, c, "HRANDFIELD h 9223372036854775807"),
            Reply::bulks([b"a"])
        );
        assert_eq!(bulks(run(&mut e, c, "HRANDFIELD h -100000")).len(), 100_000);
    }

    fn scan_page(e: &mut Engine, c: ClientId, line: &str) -> (u64, Vec<Vec<u8>>) {
        match run(e, c, line) {
            Reply::Array(parts) => match parts.as_slice() {
                [Reply::Bulk(cursor), items] => {
                    let cursor = std::str::from_utf8(cursor)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .expect("numeric cursor");
                    (cursor, bulks(items.clone()))
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hscan_returns_every_field_present_throughout_despite_changes() {
        let mut e = Engine::new();
        let c = e.connect();
        for i in 0..400 {
            run(&mut e, c, &format!("HSET h stable:{i} v{i} doomed:{i} x"));
        }
        assert_eq!(encoding(&mut e, c, "h"), hashtable());
        let mut seen = BTreeMap::new();
        let (mut cursor, mut round) = (0, 0);
        loop {
            let (next, items) = scan_page(&mut e, c, &format!("HSCAN h {cursor} COUNT 5"));
            assert!(items.len() % 2 == 0);
            for p in items.chunks(2) {
                seen.insert(p[0].clone(), p[1].clone());
            }
            round += 1;
            // The table grows for a while, then shrinks.
            if round < 30 {
                for j in 0..40 {
                    run(&mut e, c, &format!("HSET h new:{round}:{j} y"));
                }
            } else if round == 30 {
                for i in 0..400 {
                    run(&mut e, c, &format!("HDEL h doomed:{i}"));
                }
                for r in 0..30 {
                    for j in 0..40 {
                        run(&mut e, c, &format!("HDEL h new:{r}:{j}"));
                    }
                }
            }
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        for i in 0..400 {
            let field = format!("stable:{i}").into_bytes();
            assert_eq!(seen.get(&field), Some(&format!("v{i}").into_bytes()), "{i}");
        }
    }

    #[test]
    fn hscan_counts_double_as_redis_does_even_when_they_wrap() {
        let mut e = Engine::new();
        let c = e.connect();
        let pairs: Vec<String> = (0..100).map(|i| format!("f{i} v{i}")).collect();
        run(
            &mut e,
            c,
            &format!("HSET h {} long {}", pairs.join(" "), "x".repeat(65)),
        );
        // COUNT 1 asks for one field: Redis collects at least two items (one pair).
        let (cursor, items) = scan_page(&mut e, c, "HSCAN h 0 COUNT 1");
        assert_ne!(cursor, 0);
        assert!(items.len() >= 2);
        // COUNT 2^62 doubles to -2^63 and its ten-fold budget to 0: one bucket only.
        let (cursor, items) = scan_page(&mut e, c, "HSCAN h 0 COUNT 4611686018427387904");
        assert_ne!(cursor, 0);
        assert!(items.len() < 40, "{}", items.len());
        // COUNT i64::MAX doubles to -2, which as an unsigned target is everything.
        let (cursor, items) = scan_page(&mut e, c, "HSCAN h 0 COUNT 9223372036854775807");
        assert_eq!((cursor, items.len()), (0, 202));
    }
}
