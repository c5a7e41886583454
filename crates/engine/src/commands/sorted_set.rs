//! The sorted set group, as Redis's `t_zset.c`: ZADD and ZINCRBY; reads (ZSCORE, ZMSCORE,
//! ZCARD, ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK, ZRANDMEMBER, ZSCAN); the ZRANGE family (ZRANGE
//! with BYSCORE/BYLEX/REV/LIMIT/WITHSCORES, ZRANGESTORE and the older ZRANGEBYSCORE,
//! ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE); removals (ZREM,
//! ZREMRANGEBYRANK/SCORE/LEX, ZPOPMIN, ZPOPMAX, ZMPOP); and the set operations (ZUNION, ZINTER,
//! ZDIFF, their STORE forms, ZINTERCARD). The value and its encodings live in
//! `keyspace/zset.rs`.
//!
//! Each command checks its arguments in Redis's order, so that of two mistakes the same one is
//! reported: ZADD and the ZRANGE family parse every option and number before looking the key up
//! (so a bad range beats WRONGTYPE), while the set operations look their keys up before reading
//! WEIGHTS and AGGREGATE. Replies with scores are flat arrays on RESP2 connections and arrays of
//! `[member, score]` pairs on RESP3 ones, as Redis sends them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::aof;
use crate::command::{Command, Ctx};
use crate::commands::{args, scan};
use crate::engine::Lookup;
use crate::errors::{CmdResult, RedisError};
use crate::keyspace::dict::in_table_order;
use crate::keyspace::set::SetValue;
use crate::keyspace::zset::{
    AddFlags, Change, LexRange, Limits, Score, ScoreRange, ZSet, listpack_score_text,
};
use crate::keyspace::{Entry, Value};
use crate::memory::{DEFAULT_SAMPLES, REPLY_ELEMENT};
use crate::num::{format_double, parse_f64, parse_i64};
use crate::pubsub::notify;
use crate::reply::{Bytes, Reply};
use crate::rng::Rng;

// The sorted set group's registrations (loaded on first use in the page build).
crate::lazy::commands! { SortedSet, sorted_set;
    Command::new(
        "zadd",
        zadd_command,
        "Adds members with scores to a sorted set, or updates their scores; options restrict \
         or count what changes.",
    ),
    Command::new(
        "zincrby",
        zincrby_command,
        "Adds to a member's score (0 for a new member) and answers the new score.",
    ),
    Command::new(
        "zscore",
        zscore_command,
        "Answers a member's score, or nil.",
    ),
    Command::new(
        "zmscore",
        zmscore_command,
        "Answers the scores of several members, nil for each missing one.",
    ),
    Command::new(
        "zcard",
        zcard_command,
        "Answers how many members a sorted set has.",
    ),
    Command::new(
        "zcount",
        zcount_command,
        "Counts the members whose score lies in a range.",
    ),
    Command::new(
        "zlexcount",
        zlexcount_command,
        "Counts the members between two strings, for members of equal scores.",
    ),
    Command::new(
        "zrange",
        zrange_command,
        "Answers members by rank, score or lexicographic range, in either direction, optionally \
         with scores.",
    ),
    Command::new(
        "zrangestore",
        zrangestore_command,
        "Stores a range of a sorted set (as ZRANGE selects it) in another key.",
    ),
    Command::new(
        "zrangebyscore",
        zrangebyscore_command,
        "Answers the members whose score lies in a range, lowest first.",
    ),
    Command::new(
        "zrevrangebyscore",
        zrevrangebyscore_command,
        "Answers the members whose score lies in a range, highest first.",
    ),
    Command::new(
        "zrangebylex",
        zrangebylex_command,
        "Answers the members between two strings, for members of equal scores.",
    ),
    Command::new(
        "zrevrangebylex",
        zrevrangebylex_command,
        "Answers the members between two strings in reverse order, for members of equal scores.",
    ),
    Command::new(
        "zrevrange",
        zrevrange_command,
        "Answers members by rank counted from the highest score.",
    ),
    Command::new(
        "zrank",
        zrank_command,
        "Answers a member's rank from the lowest score, or nil.",
    ),
    Command::new(
        "zrevrank",
        zrevrank_command,
        "Answers a member's rank from the highest score, or nil.",
    ),
    Command::new(
        "zrem",
        zrem_command,
        "Removes members from a sorted set and answers how many were there.",
    ),
    Command::new(
        "zremrangebyrank",
        zremrangebyrank_command,
        "Removes the members between two ranks.",
    ),
    Command::new(
        "zremrangebyscore",
        zremrangebyscore_command,
        "Removes the members whose score lies in a range.",
    ),
    Command::new(
        "zremrangebylex",
        zremrangebylex_command,
        "Removes the members between two strings, for members of equal scores.",
    ),
    Command::new(
        "zpopmin",
        zpopmin_command,
        "Removes and answers the members with the lowest scores.",
    ),
    Command::new(
        "zpopmax",
        zpopmax_command,
        "Removes and answers the members with the highest scores.",
    ),
    Command::new(
        "zmpop",
        zmpop_command,
        "Removes and answers the lowest or highest members of the first non-empty sorted set \
         among several keys.",
    ),
    Command::new(
        "zrandmember",
        zrandmember_command,
        "Answers random members, distinct or possibly repeated, optionally with scores.",
    ),
    Command::new(
        "zunion",
        zunion_command,
        "Answers the union of sorted sets, with weighted and aggregated scores.",
    ),
    Command::new(
        "zinter",
        zinter_command,
        "Answers the intersection of sorted sets, with weighted and aggregated scores.",
    ),
    Command::new(
        "zdiff",
        zdiff_command,
        "Answers the members of the first sorted set that no other one has.",
    ),
    Command::new(
        "zunionstore",
        zunionstore_command,
        "Stores the union of sorted sets, with weighted and aggregated scores.",
    ),
    Command::new(
        "zinterstore",
        zinterstore_command,
        "Stores the intersection of sorted sets, with weighted and aggregated scores.",
    ),
    Command::new(
        "zdiffstore",
        zdiffstore_command,
        "Stores the members of the first sorted set that no other one has.",
    ),
    Command::new(
        "zintercard",
        zintercard_command,
        "Counts the members common to sorted sets, optionally stopping at a limit.",
    ),
    Command::new(
        "zscan",
        zscan_command,
        "Walks a sorted set's members and scores a few at a time with a cursor.",
    ),
    Command::new(
        "bzpopmin",
        bzpopmin_command,
        "Pops the lowest-scored member of the first non-empty sorted set, waiting for one.",
    ),
    Command::new(
        "bzpopmax",
        bzpopmax_command,
        "Pops the highest-scored member of the first non-empty sorted set, waiting for one.",
    ),
    Command::new(
        "bzmpop",
        bzmpop_command,
        "Pops members of the first non-empty sorted set, waiting for one.",
    ),
}

/// `ERR min or max is not a float`
const NOT_A_FLOAT_RANGE: RedisError = RedisError::new("ERR min or max is not a float");

/// `ERR min or max not valid string range item`
const NOT_A_LEX_RANGE: RedisError = RedisError::new("ERR min or max not valid string range item");

/// `ERR resulting score is not a number (NaN)`
const NAN_SCORE: RedisError = RedisError::new("ERR resulting score is not a number (NaN)");

/// Redis's `ZRANDMEMBER_SUB_STRATEGY_MUL`: ZRANDMEMBER picking more than a third of a sorted
/// set copies all of it and takes members out (see `zrandmember_with_count`).
const ZRANDMEMBER_SUB_STRATEGY_MUL: usize = 3;

/// Owned elements, as commands collect them before replying or storing.
type Items = Vec<(Vec<u8>, f64)>;

fn limits(ctx: &Ctx<'_>) -> Limits {
    Limits::of(&ctx.engine.config)
}

/// Members, or members with scores: a flat array in RESP2, pairs in RESP3.
fn elements_reply(items: Items, withscores: bool, resp3: bool) -> Reply {
    let len = items.len();
    members_reply(
        items.into_iter().map(|(m, s)| (Reply::from(m), s)),
        len,
        withscores,
        resp3,
    )
}

/// [`elements_reply`] of `len` elements read from the set; `resp3` is the client's protocol.
fn range_reply<'a>(
    elements: impl Iterator<Item = (&'a [u8], f64)>,
    len: usize,
    withscores: bool,
    resp3: bool,
) -> Reply {
    if withscores && !resp3 {
        // A RESP2 client receives each score as the bulk string `%.17g` of it: built so here,
        // the array needs no conversion afterwards (what `Reply::make_resp2` makes of a Double).
        let mut flat = Vec::with_capacity(len.saturating_mul(2));
        for (m, s) in elements {
            flat.push(Reply::bulk(m));
            flat.push(Reply::Bulk(Bytes::from_double(s)));
        }
        return Reply::Array(flat);
    }
    members_reply(
        elements.map(|(m, s)| (Reply::bulk(m), s)),
        len,
        withscores,
        resp3,
    )
}

/// The reply of `len` members (as bulk replies) and their scores: see [`elements_reply`].
fn members_reply(
    members: impl Iterator<Item = (Reply, f64)>,
    len: usize,
    withscores: bool,
    resp3: bool,
) -> Reply {
    if !withscores {
        let mut out = Vec::with_capacity(len);
        out.extend(members.map(|(m, _)| m));
        return Reply::Array(out);
    }
    if resp3 {
        let mut pairs = Vec::with_capacity(len);
        pairs.extend(members.map(|(m, s)| Reply::Array(vec![m, Reply::Double(s)])));
        return Reply::Array(pairs);
    }
    let mut flat = Vec::with_capacity(len.saturating_mul(2));
    for (m, s) in members {
        flat.push(m);
        flat.push(Reply::Double(s));
    }
    Reply::Array(flat)
}

fn owned<'a>(items: impl Iterator<Item = (&'a [u8], f64)>) -> Items {
    items.map(|(m, s)| (m.to_vec(), s)).collect()
}

/// A count or offset as an iterator bound (a value past `usize` cannot be reached anyway).
fn as_count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Redis's rank sanitizing (ZRANGE, ZREMRANGEBYRANK): negative ranks count from the end; the
/// inclusive range of ranks, or `None` when it is empty.
fn rank_bounds(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end };
    if start > end || start >= len {
        return None;
    }
    let end = end.min(len - 1);
    // 0 <= start <= end < len here.
    Some((as_count(start), as_count(end)))
}

/// After members were removed from the set at `key`: deletes the key if it is empty, and
/// announces the change (`event`, then `del` for a deleted key) when something was removed.
fn after_removal(ctx: &mut Ctx<'_>, key: &[u8], event: &str, removed: usize, emptied: bool) {
    if emptied {
        ctx.delete(key);
    }
    if removed > 0 {
        ctx.notify(notify::ZSET, event, key);
        if emptied {
            ctx.notify(notify::GENERIC, "del", key);
        } else {
            ctx.modified(key);
        }
    }
}

/// Stores a computed result at `dst` (replacing whatever was there), as the STORE commands do:
/// answers its size and sends `event`; an empty result deletes `dst` instead (announcing `del`
/// if it existed) and answers 0.
fn store_result(ctx: &mut Ctx<'_>, dst: &[u8], zset: ZSet, event: &str) -> Reply {
    if zset.is_empty() {
        if ctx.delete(dst) {
            ctx.notify(notify::GENERIC, "del", dst);
        }
        return Reply::Integer(0);
    }
    let len = i64::try_from(zset.len()).unwrap_or(i64::MAX);
    ctx.set_key(dst, Value::ZSet(zset), false);
    ctx.notify(notify::ZSET, event, dst);
    Reply::Integer(len)
}

/// Reads a non-negative count: both a non-integer and a negative value answer `msg`, as
/// Redis's `getPositiveLongFromObjectOrReply` with a message does.
fn positive_count(arg: &[u8], msg: &'static str) -> Result<i64, RedisError> {
    parse_i64(arg)
        .filter(|&n| n >= 0)
        .ok_or(RedisError::new(msg))
}

// ---------------------------------------------------------------------------------------------
// ZADD, ZINCRBY

/// Adds members with their scores, or updates the scores of existing ones, creating the key.
/// NX only adds, XX only updates, GT/LT only raise/lower existing scores, CH counts updated
/// members too, INCR adds the score to the member's and answers the result (nil when skipped).
/// Answers the number of members added.
///
/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
pub fn zadd_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zadd_generic(ctx, argv, false)
}

/// Adds an increment to a member's score (a new member starts from 0) and answers the new
/// score; `inf` plus `-inf` is an error.
///
/// `ZINCRBY key increment member`
pub fn zincrby_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zadd_generic(ctx, argv, true)
}

/// What a ZADD did, counted as Redis counts it.
#[derive(Default)]
struct AddCounts {
    added: i64,
    updated: i64,
    processed: i64,
    /// The last score given to a member (ZADD INCR's reply).
    score: f64,
}

fn apply_adds(
    zset: &mut ZSet,
    pairs: &[(f64, &[u8])],
    flags: AddFlags,
    limits: Limits,
) -> Result<AddCounts, RedisError> {
    let mut counts = AddCounts::default();
    for &(score, member) in pairs {
        // Only INCR can produce NaN, and INCR takes a single pair: nothing was changed before.
        match zset
            .add(score, member, flags, limits)
            .map_err(|_| NAN_SCORE)?
        {
            Change::Added(s) => {
                counts.added += 1;
                counts.processed += 1;
                counts.score = s;
            }
            Change::Updated(s) => {
                counts.updated += 1;
                counts.processed += 1;
                counts.score = s;
            }
            Change::Unchanged(s) => {
                counts.processed += 1;
                counts.score = s;
            }
            Change::Skipped => {}
        }
    }
    Ok(counts)
}

fn zadd_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], zincrby: bool) -> CmdResult {
    let key = &argv[1];
    let mut flags = AddFlags {
        incr: zincrby,
        ..AddFlags::default()
    };
    let mut ch = false;
    // ZINCRBY reads the same options (and so refuses `ZINCRBY key nx member`).
    let mut first = 2;
    while let Some(arg) = argv.get(first) {
        if args::is(arg, "nx") {
            flags.nx = true;
        } else if args::is(arg, "xx") {
            flags.xx = true;
        } else if args::is(arg, "ch") {
            ch = true;
        } else if args::is(arg, "incr") {
            flags.incr = true;
        } else if args::is(arg, "gt") {
            flags.gt = true;
        } else if args::is(arg, "lt") {
            flags.lt = true;
        } else {
            break;
        }
        first += 1;
    }
    let rest = argv.get(first..).unwrap_or_default();
    if rest.is_empty() || rest.len() % 2 != 0 {
        return Err(RedisError::syntax());
    }
    if flags.nx && flags.xx {
        return Err(RedisError::new(
            "ERR XX and NX options at the same time are not compatible",
        ));
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return Err(RedisError::new(
            "ERR GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if flags.incr && rest.len() > 2 {
        return Err(RedisError::new(
            "ERR INCR option supports a single increment-element pair",
        ));
    }
    // Every score is checked before anything changes. One pair (the usual case) stays on the
    // stack.
    let one: [(f64, &[u8]); 1];
    let mut many = Vec::new();
    let pairs: &[(f64, &[u8])] = if let [score, member] = rest {
        one = [(
            parse_f64(score).ok_or(RedisError::not_float())?,
            member.as_slice(),
        )];
        &one
    } else {
        many.reserve(rest.len() / 2);
        for pair in rest.chunks_exact(2) {
            if let [score, member] = pair {
                let score = parse_f64(score).ok_or(RedisError::not_float())?;
                many.push((score, member.as_slice()));
            }
        }
        &many
    };
    let limits = limits(ctx);
    let (counts, created) = match ctx.lookup_typed::<ZSet>(key, Lookup::WRITE)? {
        Some(zset) => (apply_adds(zset, pairs, flags, limits)?, false),
        None if flags.xx => (AddCounts::default(), false),
        None => {
            let mut zset = ZSet::new();
            let counts = apply_adds(&mut zset, pairs, flags, limits)?;
            let now = ctx.now();
            ctx.add(key, Entry::new(Value::ZSet(zset), now));
            (counts, true)
        }
    };
    if counts.added + counts.updated > 0 {
        if !created {
            ctx.modified(key);
        }
        let event = if flags.incr { "zincr" } else { "zadd" };
        ctx.notify(notify::ZSET, event, key);
    }
    Ok(if flags.incr {
        if counts.processed > 0 {
            Reply::Double(counts.score)
        } else {
            Reply::Nil
        }
    } else if ch {
        Reply::Integer(counts.added + counts.updated)
    } else {
        Reply::Integer(counts.added)
    })
}

// ---------------------------------------------------------------------------------------------
// Reads

/// Answers the score of a member, nil when the member or the key is missing.
///
/// `ZSCORE key member`
pub fn zscore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let zset = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)?;
    Ok(zset
        .and_then(|z| z.score(&argv[2]))
        .map_or(Reply::Nil, Reply::Double))
}

/// Answers the score of each member, nil for missing ones (all nil for a missing key).
///
/// `ZMSCORE key member [member ...]`
pub fn zmscore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let zset = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)?;
    let zset = zset.as_deref();
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|m| {
                zset.and_then(|z| z.score(m))
                    .map_or(Reply::Nil, Reply::Double)
            })
            .collect(),
    ))
}

/// Answers the number of members, 0 for a missing key.
///
/// `ZCARD key`
pub fn zcard_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let zset = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)?;
    Ok(Reply::Integer(
        zset.map_or(0, |z| i64::try_from(z.len()).unwrap_or(i64::MAX)),
    ))
}

/// Counts the members whose score is between `min` and `max` (`(` excludes an end; `-inf` and
/// `+inf` are the extremes).
///
/// `ZCOUNT key min max`
pub fn zcount_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let range = ScoreRange::parse(&argv[2], &argv[3]).ok_or(NOT_A_FLOAT_RANGE)?;
    let zset = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)?;
    let count = zset.map_or(0, |z| z.score_range(&range).count());
    Ok(Reply::Integer(i64::try_from(count).unwrap_or(i64::MAX)))
}

/// Counts the members between `min` and `max` (`[` includes, `(` excludes, `-` and `+` are the
/// extremes), for a set whose members all have the same score.
///
/// `ZLEXCOUNT key min max`
pub fn zlexcount_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let range = LexRange::parse(&argv[2], &argv[3]).ok_or(NOT_A_LEX_RANGE)?;
    let zset = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)?;
    let count = zset.map_or(0, |z| {
        z.lex_start(&range, false)
            .take_while(|(m, _)| range.below_max(m))
            .count()
    });
    Ok(Reply::Integer(i64::try_from(count).unwrap_or(i64::MAX)))
}

/// Answers the 0-based rank of a member from the lowest score, nil when it is missing.
///
/// `ZRANK key member`
pub fn zrank_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    rank_generic(ctx, argv, false)
}

/// Answers the 0-based rank of a member from the highest score, nil when it is missing.
///
/// `ZREVRANK key member`
pub fn zrevrank_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    rank_generic(ctx, argv, true)
}

fn rank_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], reverse: bool) -> CmdResult {
    let zset = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)?;
    Ok(zset
        .and_then(|z| z.rank(&argv[2], reverse))
        .map_or(Reply::Nil, |r| {
            Reply::Integer(i64::try_from(r).unwrap_or(i64::MAX))
        }))
}

// ---------------------------------------------------------------------------------------------
// The ZRANGE family

/// How a ZRANGE reads `min` and `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeKind {
    /// Not chosen yet (ZRANGE and ZRANGESTORE before BYSCORE/BYLEX).
    Auto,
    Rank,
    Score,
    Lex,
}

/// Answers the members between two ranks (0-based, negative from the end), or with BYSCORE
/// between two scores, or with BYLEX between two strings; REV reverses the order (and expects
/// the range as `max min` for BYSCORE/BYLEX); LIMIT skips and counts (BYSCORE/BYLEX only);
/// WITHSCORES adds scores (not with BYLEX).
///
/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
pub fn zrange_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeKind::Auto, None)
}

/// Stores what ZRANGE would answer (with scores) at `dst` and answers its size; an empty
/// result deletes `dst`.
///
/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`
pub fn zrangestore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(ctx, argv, 2, Some(&argv[1]), RangeKind::Auto, None)
}

/// Answers the members whose score is between `min` and `max`, lowest first.
///
/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`
pub fn zrangebyscore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeKind::Score, Some(false))
}

/// Answers the members whose score is between `max` and `min`, highest first.
///
/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`
pub fn zrevrangebyscore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeKind::Score, Some(true))
}

/// Answers the members between two strings, for members of equal scores.
///
/// `ZRANGEBYLEX key min max [LIMIT offset count]`
pub fn zrangebylex_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeKind::Lex, Some(false))
}

/// Answers the members between two strings (`max` first), in reverse order.
///
/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`
pub fn zrevrangebylex_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeKind::Lex, Some(true))
}

/// Answers the members between two ranks counted from the highest score.
///
/// `ZREVRANGE key start stop [WITHSCORES]`
pub fn zrevrange_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeKind::Rank, Some(true))
}

/// A ZRANGE's `min` and `max`, parsed.
enum Parsed {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// Redis's `zrangeGenericCommand`: `src` is the index of the source key, `min` and `max`
/// follow it; `kind` and `reverse` are fixed by the older commands and chosen by options in
/// ZRANGE and ZRANGESTORE.
fn zrange_generic(
    ctx: &mut Ctx<'_>,
    argv: &[Vec<u8>],
    src: usize,
    dst: Option<&[u8]>,
    mut kind: RangeKind,
    mut reverse: Option<bool>,
) -> CmdResult {
    let key = &argv[src];
    let mut withscores = false;
    let mut offset: i64 = 0;
    let mut limit: i64 = -1;
    let mut j = src + 3;
    while let Some(arg) = argv.get(j) {
        let left = argv.len() - j - 1;
        if dst.is_none() && args::is(arg, "withscores") {
            withscores = true;
        } else if args::is(arg, "limit") && left >= 2 {
            offset = parse_i64(&argv[j + 1]).ok_or(RedisError::not_integer())?;
            limit = parse_i64(&argv[j + 2]).ok_or(RedisError::not_integer())?;
            j += 2;
        } else if reverse.is_none() && args::is(arg, "rev") {
            reverse = Some(true);
        } else if kind == RangeKind::Auto && args::is(arg, "bylex") {
            kind = RangeKind::Lex;
        } else if kind == RangeKind::Auto && args::is(arg, "byscore") {
            kind = RangeKind::Score;
        } else {
            return Err(RedisError::syntax());
        }
        j += 1;
    }
    let reverse = reverse.unwrap_or(false);
    if kind == RangeKind::Auto {
        kind = RangeKind::Rank;
    }
    // `LIMIT 0 -1` is the default, so it passes with a rank range.
    if limit != -1 && kind == RangeKind::Rank {
        return Err(RedisError::new(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or \
             BYLEX",
        ));
    }
    if withscores && kind == RangeKind::Lex {
        return Err(RedisError::new(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let (mut lo, mut hi) = (&argv[src + 1], &argv[src + 2]);
    if reverse && kind != RangeKind::Rank {
        std::mem::swap(&mut lo, &mut hi);
    }
    let parsed = match kind {
        RangeKind::Score => Parsed::Score(ScoreRange::parse(lo, hi).ok_or(NOT_A_FLOAT_RANGE)?),
        RangeKind::Lex => Parsed::Lex(LexRange::parse(lo, hi).ok_or(NOT_A_LEX_RANGE)?),
        RangeKind::Auto | RangeKind::Rank => Parsed::Rank(
            parse_i64(lo).ok_or(RedisError::not_integer())?,
            parse_i64(hi).ok_or(RedisError::not_integer())?,
        ),
    };
    if let (None, &Parsed::Rank(start, end)) = (dst, &parsed) {
        // ZRANGE by rank (the usual case): the reply is built from the set at once, without
        // collecting the elements first.
        let resp3 = ctx.resp3();
        let Some(zset) = ctx.lookup_typed::<ZSet>(key, Lookup::READ)? else {
            return Ok(Reply::Array(Vec::new()));
        };
        return Ok(match rank_bounds(start, end, zset.len()) {
            None => Reply::Array(Vec::new()),
            Some((start, end)) => {
                let elements = if reverse {
                    // start <= end < len (see `rank_bounds`): no subtraction wraps.
                    let last = zset.len() - 1;
                    zset.rank_range(last - end, last - start).directed(true)
                } else {
                    zset.rank_range(start, end)
                };
                range_reply(elements, end - start + 1, withscores, resp3)
            }
        });
    }
    // A rank range knows its length before emitting: ZRANGESTORE then starts from a skiplist
    // when the result is too long for a listpack.
    let mut known_len = None;
    let items = match ctx.lookup_typed::<ZSet>(key, Lookup::READ)? {
        None => Items::new(),
        Some(zset) => {
            // Redis walks `offset` elements before looking at them; a negative offset walks off
            // the end. A negative limit is no limit.
            let skip = if offset < 0 {
                usize::MAX
            } else {
                as_count(offset)
            };
            let take = if limit < 0 {
                usize::MAX
            } else {
                as_count(limit)
            };
            match parsed {
                Parsed::Rank(start, end) => match rank_bounds(start, end, zset.len()) {
                    None => Items::new(),
                    Some((start, end)) => {
                        known_len = Some(end - start + 1);
                        if reverse {
                            let last = zset.len() - 1;
                            owned(zset.rank_range(last - end, last - start).rev())
                        } else {
                            owned(zset.rank_range(start, end))
                        }
                    }
                },
                Parsed::Score(range) => owned(
                    zset.score_range(&range)
                        .directed(reverse)
                        .skip(skip)
                        .take(take),
                ),
                Parsed::Lex(range) => owned(
                    zset.lex_start(&range, reverse)
                        .skip(skip)
                        .take_while(|(m, _)| {
                            if reverse {
                                range.above_min(m)
                            } else {
                                range.below_max(m)
                            }
                        })
                        .take(take),
                ),
            }
        }
    };
    let Some(dst) = dst else {
        return Ok(elements_reply(items, withscores, ctx.resp3()));
    };
    // The destination is built as Redis builds it: element by element in the order emitted,
    // from a listpack unless the known length exceeds the limit. Members stored before a
    // conversion keep the listpack's form of their score (`-0` becomes 0).
    let limits = limits(ctx);
    let mut zset = match known_len {
        Some(len) if len > limits.max_entries => ZSet::new_skiplist(),
        _ => ZSet::new(),
    };
    for (member, score) in &items {
        // Scores taken from a sorted set are never NaN: adding cannot fail.
        zset.add(*score, member, AddFlags::default(), limits).ok();
    }
    Ok(store_result(ctx, dst, zset, "zrangestore"))
}

// ---------------------------------------------------------------------------------------------
// Removals

/// Removes members and answers how many were there; an emptied set's key is deleted.
///
/// `ZREM key member [member ...]`
pub fn zrem_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let Some(zset) = ctx.lookup_typed::<ZSet>(key, Lookup::WRITE)? else {
        return Ok(Reply::Integer(0));
    };
    let mut removed = 0;
    for member in &argv[2..] {
        if zset.remove(member) {
            removed += 1;
        }
        if zset.is_empty() {
            break;
        }
    }
    let emptied = zset.is_empty();
    after_removal(ctx, key, "zrem", removed, emptied);
    Ok(Reply::Integer(i64::try_from(removed).unwrap_or(i64::MAX)))
}

/// What a ZREMRANGEBY* command removes.
enum Removal {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// Removes the members between two ranks (0-based, negative from the end).
///
/// `ZREMRANGEBYRANK key start stop`
pub fn zremrangebyrank_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let start = parse_i64(&argv[2]).ok_or(RedisError::not_integer())?;
    let end = parse_i64(&argv[3]).ok_or(RedisError::not_integer())?;
    zremrange_generic(ctx, &argv[1], &Removal::Rank(start, end), "zremrangebyrank")
}

/// Removes the members whose score is between `min` and `max`.
///
/// `ZREMRANGEBYSCORE key min max`
pub fn zremrangebyscore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let range = ScoreRange::parse(&argv[2], &argv[3]).ok_or(NOT_A_FLOAT_RANGE)?;
    zremrange_generic(ctx, &argv[1], &Removal::Score(range), "zremrangebyscore")
}

/// Removes the members between two strings, for members of equal scores.
///
/// `ZREMRANGEBYLEX key min max`
pub fn zremrangebylex_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let range = LexRange::parse(&argv[2], &argv[3]).ok_or(NOT_A_LEX_RANGE)?;
    zremrange_generic(ctx, &argv[1], &Removal::Lex(range), "zremrangebylex")
}

fn zremrange_generic(ctx: &mut Ctx<'_>, key: &[u8], what: &Removal, event: &str) -> CmdResult {
    let Some(zset) = ctx.lookup_typed::<ZSet>(key, Lookup::WRITE)? else {
        return Ok(Reply::Integer(0));
    };
    let doomed: Vec<Vec<u8>> = match what {
        Removal::Rank(start, end) => match rank_bounds(*start, *end, zset.len()) {
            Some((start, end)) => zset
                .rank_range(start, end)
                .map(|(m, _)| m.to_vec())
                .collect(),
            None => return Ok(Reply::Integer(0)),
        },
        Removal::Score(range) => zset.score_range(range).map(|(m, _)| m.to_vec()).collect(),
        Removal::Lex(range) => zset.lex_removal(range),
    };
    let removed = zset.remove_all(doomed.iter().map(Vec::as_slice));
    let emptied = zset.is_empty();
    after_removal(ctx, key, event, removed, emptied);
    Ok(Reply::Integer(i64::try_from(removed).unwrap_or(i64::MAX)))
}

/// Removes and answers the members with the lowest scores (one by default), with their scores.
///
/// `ZPOPMIN key [count]`
pub fn zpopmin_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zpop_command(ctx, argv, false)
}

/// Removes and answers the members with the highest scores (one by default), with their
/// scores.
///
/// `ZPOPMAX key [count]`
pub fn zpopmax_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    zpop_command(ctx, argv, true)
}

fn zpop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], max: bool) -> CmdResult {
    if argv.len() > 3 {
        return Err(RedisError::syntax());
    }
    let count = match argv.get(2) {
        Some(arg) => Some(positive_count(
            arg,
            "ERR value is out of range, must be positive",
        )?),
        None => None,
    };
    let nested = count.is_some() && ctx.resp3();
    let popped = pop_generic(ctx, &argv[1], max, count.unwrap_or(1))?.unwrap_or_default();
    Ok(elements_reply(popped, true, nested))
}

/// Pops up to `count` elements from the set at `key`, as `genericZpopCommand`: `None` when the
/// key is missing; the event is sent once, then `del` if the set was emptied.
fn pop_generic(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    max: bool,
    count: i64,
) -> Result<Option<Items>, RedisError> {
    let Some(zset) = ctx.lookup_typed::<ZSet>(key, Lookup::WRITE)? else {
        return Ok(None);
    };
    let mut popped = Items::new();
    for _ in 0..as_count(count).min(zset.len()) {
        if let Some(item) = zset.pop(max) {
            popped.push(item);
        }
    }
    let emptied = zset.is_empty();
    let event = if max { "zpopmax" } else { "zpopmin" };
    after_removal(ctx, key, event, popped.len(), emptied);
    Ok(Some(popped))
}

/// Pops the lowest (MIN) or highest (MAX) members, one or COUNT, from the first of the keys
/// that exists, and answers its name with the members and scores; nil when no key exists.
///
/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn zmpop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (keys, max, count) = zmpop_args(argv, 1)?;
    Ok(zmpop(ctx, &keys, max, count)?.unwrap_or(Reply::NilArray))
}

/// Parses `numkeys key [key ...] MIN|MAX [COUNT count]` from `argv[numkeys_at]` on.
fn zmpop_args(
    argv: &[Vec<u8>],
    numkeys_at: usize,
) -> Result<(Vec<Vec<u8>>, bool, i64), RedisError> {
    let numkeys = parse_i64(&argv[numkeys_at])
        .filter(|&n| n >= 1)
        .ok_or(RedisError::new("ERR numkeys should be greater than 0"))?;
    let first = numkeys_at + 1;
    let where_at = as_count(numkeys)
        .checked_add(first)
        .filter(|&at| at < argv.len())
        .ok_or(RedisError::syntax())?;
    let max = if args::is(&argv[where_at], "min") {
        false
    } else if args::is(&argv[where_at], "max") {
        true
    } else {
        return Err(RedisError::syntax());
    };
    let mut count: Option<i64> = None;
    let mut j = where_at + 1;
    while let Some(arg) = argv.get(j) {
        match argv.get(j + 1) {
            Some(value) if count.is_none() && args::is(arg, "count") => {
                count = Some(
                    parse_i64(value)
                        .filter(|&n| n >= 1)
                        .ok_or(RedisError::new("ERR count should be greater than 0"))?,
                );
                j += 2;
            }
            _ => return Err(RedisError::syntax()),
        }
    }
    Ok((argv[first..where_at].to_vec(), max, count.unwrap_or(1)))
}

/// Pops from the first of `keys` that exists (only the ready key when a waiting client is
/// served); `None` when none does.
fn zmpop(
    ctx: &mut Ctx<'_>,
    keys: &[Vec<u8>],
    max: bool,
    count: i64,
) -> Result<Option<Reply>, RedisError> {
    for key in ctx.blocking_candidates(keys) {
        if let Some(popped) = pop_generic(ctx, key, max, count)? {
            let pop: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
            let count = count.to_string();
            ctx.propagate_as(vec![aof::command(&[pop, key, count.as_bytes()])]);
            return Ok(Some(Reply::Array(vec![
                Reply::bulk(key),
                elements_reply(popped, true, true),
            ])));
        }
    }
    Ok(None)
}

/// Pops the lowest-scored member of the first non-empty sorted set, waiting for one until the
/// timeout (seconds, 0 for ever); answers the key, the member and its score, or a null array on
/// timeout.
///
/// `BZPOPMIN key [key ...] timeout`
pub fn bzpopmin_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    blocking_zpop(ctx, argv, false)
}

/// BZPOPMIN for the highest score.
///
/// `BZPOPMAX key [key ...] timeout`
pub fn bzpopmax_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    blocking_zpop(ctx, argv, true)
}

fn blocking_zpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], max: bool) -> CmdResult {
    let last = argv.len() - 1;
    let deadline = args::timeout_deadline(&argv[last], ctx.now())?;
    let keys = &argv[1..last];
    for key in ctx.blocking_candidates(keys) {
        if let Some(mut popped) = pop_generic(ctx, key, max, 1)?
            && let Some((member, score)) = popped.pop()
        {
            let pop: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
            ctx.propagate_as(vec![aof::command(&[pop, key])]);
            return Ok(Reply::Array(vec![
                Reply::bulk(key),
                Reply::from(member),
                Reply::Double(score),
            ]));
        }
    }
    if ctx.can_block() {
        ctx.block(keys, deadline, Reply::NilArray, argv);
    }
    Ok(Reply::NilArray)
}

/// ZMPOP that waits for a non-empty sorted set until the timeout.
///
/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn bzmpop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    // Redis reads the timeout last, after numkeys, the keys, MIN|MAX and COUNT.
    let (keys, max, count) = zmpop_args(argv, 2)?;
    let deadline = args::timeout_deadline(&argv[1], ctx.now())?;
    if let Some(reply) = zmpop(ctx, &keys, max, count)? {
        return Ok(reply);
    }
    if ctx.can_block() {
        ctx.block(&keys, deadline, Reply::NilArray, argv);
    }
    Ok(Reply::NilArray)
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

/// Answers a random member; with a count, that many distinct members (all of them, highest
/// first, when the count covers the set) or, for a negative count, that many members drawn
/// independently; WITHSCORES adds their scores.
///
/// `ZRANDMEMBER key [count [WITHSCORES]]`
pub fn zrandmember_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    if let Some(count) = argv.get(2) {
        let count = parse_i64(count).ok_or(RedisError::not_integer())?;
        if count == i64::MIN {
            return Err(RedisError::new(
                "ERR value is out of range, value must between -9223372036854775807 and \
                 9223372036854775807",
            ));
        }
        let withscores = match argv.get(3) {
            None => false,
            Some(arg) if argv.len() == 4 && args::is(arg, "withscores") => true,
            Some(_) => return Err(RedisError::syntax()),
        };
        if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
            return Err(RedisError::new("ERR value is out of range"));
        }
        return zrandmember_with_count(ctx, key, count, withscores);
    }
    if ctx.lookup_typed::<ZSet>(key, Lookup::READ)?.is_none() {
        return Ok(Reply::Nil);
    }
    Ok(with_rng(ctx, key, |zset, rng| {
        zset.random(rng).map(|(m, _)| m.to_vec())
    })
    .flatten()
    .map_or(Reply::Nil, Reply::from))
}

/// Runs `f` on the sorted set at `key` (already looked up) with the engine's random generator.
#[allow(clippy::match_wildcard_for_single_variants)] // more types are coming
fn with_rng<R>(ctx: &mut Ctx<'_>, key: &[u8], f: impl FnOnce(&ZSet, &mut Rng) -> R) -> Option<R> {
    let engine = &mut *ctx.engine;
    match &engine.dbs.get(ctx.db)?.peek(key)?.value {
        Value::ZSet(zset) => Some(f(zset, &mut engine.rng)),
        _ => None,
    }
}

fn zrandmember_with_count(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    count: i64,
    withscores: bool,
) -> CmdResult {
    let resp3 = ctx.resp3();
    let Some(zset) = ctx.lookup_typed::<ZSet>(key, Lookup::READ)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let size = zset.len();
    let unique = count >= 0;
    let wanted = count.unsigned_abs();
    if wanted == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    if !unique || wanted == 1 {
        // Redis streams whatever a negative count asks for; the engine builds the reply, and
        // refuses one beyond its budget (see `memory::REPLY_BUDGET`) with the OOM error.
        let sampled: Vec<usize> = zset
            .iter()
            .take(DEFAULT_SAMPLES)
            .map(|(m, _)| m.len())
            .collect();
        let mut each = sampled.iter().sum::<usize>() / sampled.len().max(1);
        if withscores {
            each += REPLY_ELEMENT;
        }
        ctx.engine.check_reply_size(wanted, each)?;
        // Within the budget, so it fits in memory.
        let wanted = usize::try_from(wanted).unwrap_or(0);
        let items = with_rng(ctx, key, |zset, rng| {
            (0..wanted)
                .filter_map(|_| zset.random(rng).map(|(m, s)| (m.to_vec(), s)))
                .collect::<Items>()
        })
        .unwrap_or_default();
        return Ok(elements_reply(items, withscores, resp3));
    }
    if wanted >= size as u64 {
        // The whole set, as Redis walks it: from the highest score down.
        return Ok(elements_reply(owned(zset.iter().rev()), withscores, resp3));
    }
    // Fewer distinct members than the set holds: a partial Fisher-Yates shuffle of the ranks.
    // `wanted < size` here, so it fits a usize.
    let wanted = usize::try_from(wanted).unwrap_or(size);
    let listpack = zset.dict().is_none();
    let mut items = with_rng(ctx, key, |zset, rng| {
        let all: Vec<_> = zset.iter().collect();
        let mut ranks: Vec<usize> = (0..all.len()).collect();
        for i in 0..wanted {
            let left = (ranks.len() - i) as u64;
            let pick = i + usize::try_from(rng.below(left)).unwrap_or(0);
            ranks.swap(i, pick);
        }
        ranks.truncate(wanted);
        if listpack {
            // Redis's listpack sampling answers in the listpack's order (for a third of the
            // set or fewer: more are reordered below).
            crate::qsort::sort(&mut ranks);
        }
        ranks
            .into_iter()
            .filter_map(|r| all.get(r).map(|&(m, s)| (m.to_vec(), s)))
            .collect::<Items>()
    })
    .unwrap_or_default();
    // More than a third of the set: Redis copies all of it into a table sized for it, takes
    // members out at random and answers in the table's order, whatever the encoding.
    if wanted.saturating_mul(ZRANDMEMBER_SUB_STRATEGY_MUL) > size {
        in_table_order(&mut items, size, |(member, _)| member);
    }
    Ok(elements_reply(items, withscores, resp3))
}

// ---------------------------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD

/// The operation of [`set_op_generic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

/// How scores of a member in several inputs combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    /// As `zunionInterAggregate`: a NaN sum (`inf` plus `-inf`) is 0; MIN and MAX keep the
    /// current score when the comparison fails (as with NaN).
    fn apply(self, target: &mut f64, value: f64) {
        match self {
            Aggregate::Sum => {
                *target += value;
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => {
                if value < *target {
                    *target = value;
                }
            }
            Aggregate::Max => {
                if value > *target {
                    *target = value;
                }
            }
        }
    }
}

/// One input of a set operation: a sorted set, or a plain set whose members all score 1
/// (`zuiNext`).
#[derive(Clone, Copy)]
enum Input<'a> {
    Missing,
    Sorted(&'a ZSet),
    Plain(&'a SetValue),
}

impl<'a> Input<'a> {
    fn len(self) -> usize {
        match self {
            Input::Missing => 0,
            Input::Sorted(z) => z.len(),
            Input::Plain(set) => set.len(),
        }
    }

    fn score(self, member: &[u8]) -> Option<f64> {
        match self {
            Input::Missing => None,
            Input::Sorted(z) => z.score(member),
            Input::Plain(set) => set.contains(member).then_some(1.0),
        }
    }

    /// The elements, as `zuiNext` walks them (a sorted set from its highest score down, a set
    /// in its own order).
    fn elements(self) -> Vec<(Cow<'a, [u8]>, f64)> {
        match self {
            Input::Missing => Vec::new(),
            Input::Sorted(z) => z.iter().rev().map(|(m, s)| (Cow::Borrowed(m), s)).collect(),
            Input::Plain(set) => set.iter().map(|m| (m, 1.0)).collect(),
        }
    }
}

/// Answers the union of the sorted sets (missing keys are empty): each member once, its
/// scores multiplied by the WEIGHTS of their sets and combined by AGGREGATE (SUM by default).
///
/// `ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]
/// [WITHSCORES]`
pub fn zunion_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    set_op_generic(ctx, argv, None, 1, SetOp::Union, false)
}

/// Answers the members present in every sorted set, scores weighted and aggregated.
///
/// `ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]
/// [WITHSCORES]`
pub fn zinter_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    set_op_generic(ctx, argv, None, 1, SetOp::Inter, false)
}

/// Answers the members of the first sorted set absent from the others, with their scores.
///
/// `ZDIFF numkeys key [key ...] [WITHSCORES]`
pub fn zdiff_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    set_op_generic(ctx, argv, None, 1, SetOp::Diff, false)
}

/// Stores the union at `destination` and answers its size.
///
/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]]
/// [AGGREGATE SUM|MIN|MAX]`
pub fn zunionstore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    set_op_generic(ctx, argv, Some(&argv[1]), 2, SetOp::Union, false)
}

/// Stores the intersection at `destination` and answers its size.
///
/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]]
/// [AGGREGATE SUM|MIN|MAX]`
pub fn zinterstore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    set_op_generic(ctx, argv, Some(&argv[1]), 2, SetOp::Inter, false)
}

/// Stores the difference at `destination` and answers its size.
///
/// `ZDIFFSTORE destination numkeys key [key ...]`
pub fn zdiffstore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    set_op_generic(ctx, argv, Some(&argv[1]), 2, SetOp::Diff, false)
}

/// Counts the members present in every sorted set, stopping at LIMIT when it is not 0.
///
/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn zintercard_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    set_op_generic(ctx, argv, None, 1, SetOp::Inter, true)
}

/// Redis's `zunionInterDiffGenericCommand`.
#[allow(clippy::match_wildcard_for_single_variants)] // more types are coming
fn set_op_generic(
    ctx: &mut Ctx<'_>,
    argv: &[Vec<u8>],
    dst: Option<&[u8]>,
    numkeys_at: usize,
    op: SetOp,
    cardinality_only: bool,
) -> CmdResult {
    let numkeys = parse_i64(&argv[numkeys_at]).ok_or(RedisError::not_integer())?;
    if numkeys < 1 {
        return Err(RedisError::owned(format!(
            "ERR at least 1 input key is needed for '{}' command",
            ctx.spec.name
        )));
    }
    let first_key = numkeys_at + 1;
    let numkeys = usize::try_from(numkeys)
        .ok()
        .filter(|&n| n <= argv.len() - first_key)
        .ok_or(RedisError::syntax())?;
    let keys = &argv[first_key..first_key + numkeys];
    // Keys are read (and type-checked, in order) before the options.
    for key in keys {
        if let Some(entry) = ctx.lookup(key, Lookup::READ) {
            match entry.value {
                Value::ZSet(_) | Value::Set(_) => {}
                _ => return Err(RedisError::wrong_type()),
            }
        }
    }
    let mut weights = vec![1.0; numkeys];
    let mut aggregate = Aggregate::Sum;
    let mut withscores = false;
    let mut limit: i64 = 0;
    let mut j = first_key + numkeys;
    while let Some(arg) = argv.get(j) {
        let remaining = argv.len() - j;
        let combining = op != SetOp::Diff && !cardinality_only;
        if combining && remaining > numkeys && args::is(arg, "weights") {
            for (weight, value) in weights.iter_mut().zip(&argv[j + 1..]) {
                *weight =
                    parse_f64(value).ok_or(RedisError::new("ERR weight value is not a float"))?;
            }
            j += 1 + numkeys;
        } else if combining && remaining >= 2 && args::is(arg, "aggregate") {
            let value = &argv[j + 1];
            aggregate = if args::is(value, "sum") {
                Aggregate::Sum
            } else if args::is(value, "min") {
                Aggregate::Min
            } else if args::is(value, "max") {
                Aggregate::Max
            } else {
                return Err(RedisError::syntax());
            };
            j += 2;
        } else if dst.is_none() && !cardinality_only && args::is(arg, "withscores") {
            withscores = true;
            j += 1;
        } else if cardinality_only && remaining >= 2 && args::is(arg, "limit") {
            limit = positive_count(&argv[j + 1], "ERR LIMIT can't be negative")?;
            j += 2;
        } else {
            return Err(RedisError::syntax());
        }
    }

    let (items, count) = {
        let db = ctx.engine.dbs.get(ctx.db);
        let mut inputs: Vec<(Input<'_>, f64)> = keys
            .iter()
            .zip(weights)
            .map(|(key, weight)| {
                let input = match db.and_then(|db| db.peek(key)).map(|e| &e.value) {
                    Some(Value::ZSet(z)) => Input::Sorted(z),
                    Some(Value::Set(set)) => Input::Plain(set),
                    _ => Input::Missing,
                };
                (input, weight)
            })
            .collect();
        if op != SetOp::Diff {
            // Smallest first, keeping the given order among equals (Redis's qsort is stable
            // here), which fixes the order scores are summed in.
            crate::qsort::sort_by_key(&mut inputs, |&(input, _)| input.len());
        }
        match op {
            SetOp::Inter => intersect(&inputs, aggregate, cardinality_only, limit),
            SetOp::Union => (union(&inputs, aggregate), 0),
            SetOp::Diff => (difference(&inputs), 0),
        }
    };
    if cardinality_only {
        return Ok(Reply::Integer(i64::try_from(count).unwrap_or(i64::MAX)));
    }
    if let Some(dst) = dst {
        let event = match op {
            SetOp::Union => "zunionstore",
            SetOp::Inter => "zinterstore",
            SetOp::Diff => "zdiffstore",
        };
        let zset = ZSet::from_items(items, limits(ctx));
        return Ok(store_result(ctx, dst, zset, event));
    }
    // The reply is the result as a sorted set would hold it (before any listpack conversion).
    let mut items = items;
    crate::qsort::sort_by(&mut items, |a, b| {
        (Score(a.1), &a.0).cmp(&(Score(b.1), &b.0))
    });
    Ok(elements_reply(items, withscores, ctx.resp3()))
}

/// The intersection's elements (or only their number, stopping at `limit` when not 0).
fn intersect(
    inputs: &[(Input<'_>, f64)],
    aggregate: Aggregate,
    cardinality_only: bool,
    limit: i64,
) -> (Items, usize) {
    let mut items = Items::new();
    let mut count = 0usize;
    let Some(((first, first_weight), others)) = inputs.split_first() else {
        return (items, count);
    };
    for (member, score) in first.elements() {
        let mut total = first_weight * score;
        if total.is_nan() {
            total = 0.0;
        }
        let mut everywhere = true;
        for (input, weight) in others {
            let Some(s) = input.score(&member) else {
                everywhere = false;
                break;
            };
            aggregate.apply(&mut total, s * weight);
        }
        if !everywhere {
            continue;
        }
        if cardinality_only {
            count += 1;
            if limit > 0 && count >= as_count(limit) {
                break;
            }
        } else {
            items.push((member.into_owned(), total));
        }
    }
    (items, count)
}

/// The union's elements.
fn union(inputs: &[(Input<'_>, f64)], aggregate: Aggregate) -> Items {
    let mut acc: BTreeMap<Cow<'_, [u8]>, f64> = BTreeMap::new();
    for (input, weight) in inputs {
        for (member, score) in input.elements() {
            let mut value = weight * score;
            if value.is_nan() {
                value = 0.0;
            }
            acc.entry(member)
                .and_modify(|total| aggregate.apply(total, value))
                .or_insert(value);
        }
    }
    acc.into_iter().map(|(m, s)| (m.into_owned(), s)).collect()
}

/// The elements of the first input missing from every other one (scores unweighted).
fn difference(inputs: &[(Input<'_>, f64)]) -> Items {
    let Some(((first, _), others)) = inputs.split_first() else {
        return Items::new();
    };
    first
        .elements()
        .into_iter()
        .filter(|(member, _)| {
            others
                .iter()
                .all(|(input, _)| input.score(member).is_none())
        })
        .map(|(m, s)| (m.into_owned(), s))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// ZSCAN

/// Walks the members and scores with a cursor: a small (listpack) set comes whole with cursor
/// 0, its scores as the listpack holds them (`1`, not `1.0`'s `%.17g`); a large one a few
/// buckets at a time. MATCH filters members.
///
/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn zscan_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let cursor = scan::parse_cursor(&argv[2])?;
    let Some(zset) = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)? else {
        return Ok(scan::reply(0, Vec::<Vec<u8>>::new()));
    };
    let options = scan::ScanOptions::parse(argv.get(3..).unwrap_or_default(), false)?;
    let (next, flat) = match zset.dict() {
        None => (
            0,
            zset.iter()
                .flat_map(|(m, s)| [m.to_vec(), listpack_score_text(s).into_bytes()])
                .collect::<Vec<_>>(),
        ),
        Some(dict) => scan::scan_dict(
            dict,
            cursor,
            options.count.wrapping_mul(2),
            |member, score, out| {
                out.push(member.to_vec());
                out.push(format_double(*score).into_bytes());
            },
        ),
    };
    let kept: Vec<Vec<u8>> = flat
        .chunks_exact(2)
        .filter(|pair| pair.first().is_some_and(|m| options.matches(m)))
        .flatten()
        .cloned()
        .collect();
    Ok(scan::reply(next, kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    fn run(engine: &mut Engine, client: u64, line: &str) -> Reply {
        engine.exec(client, &argv(line))
    }

    fn strings(reply: &Reply) -> Vec<String> {
        match reply {
            Reply::Array(items) => items
                .iter()
                .map(|i| match i {
                    Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                    other => format!("{other:?}"),
                })
                .collect(),
            other => panic!("not an array: {other:?}"),
        }
    }

    /// ZRANDMEMBER with a count above a third of a sorted set (below its size) answers in the
    /// order of a table sized for the set, as Redis copies the set into one; fewer picks from
    /// a listpack come in its order.
    #[test]
    fn zrandmember_answers_most_of_a_set_in_a_tables_order() {
        let mut e = Engine::new();
        let c = e.connect();
        run(&mut e, c, "ZADD z 0 m0 1 m1 2 m2 3 m3 4 m4 5 m5");
        let mut listpack_order_only = true;
        for _ in 0..50 {
            let picks = strings(&run(&mut e, c, "ZRANDMEMBER z 4"));
            let mut ordered = picks.clone();
            in_table_order(&mut ordered, 6, |m| m.as_bytes());
            assert_eq!(picks, ordered);
            listpack_order_only &= picks.is_sorted();
            assert!(strings(&run(&mut e, c, "ZRANDMEMBER z 2")).is_sorted());
        }
        assert!(!listpack_order_only);
    }

    #[test]
    fn keyspace_notifications_match_redis() {
        let mut e = Engine::new();
        let c = e.connect();
        let sub = e.connect();
        e.config.notify_keyspace_events = notify::KEYEVENT
            | notify::GENERIC
            | notify::STRING
            | notify::ZSET
            | notify::EXPIRED
            | notify::NEW;
        e.pubsub.add_pattern(b"__keyevent@0__:*", sub);
        let script = [
            "ZADD z 1 a 2 b",
            "ZADD z 1 a",
            "ZADD z NX 5 a",
            "ZADD z CH 3 a",
            "ZADD z INCR 1 a",
            "ZINCRBY z 1 b",
            "ZINCRBY z 0 b",
            "ZINCRBY new 1 m",
            "ZADD z XX 1 missing",
            "ZADD z2 XX 1 a",
            "ZREM z nope",
            "ZREM z a",
            "ZREM z b",
            "ZREM new m",
            "ZADD r 1 a 2 b 3 c 4 d 5 e 6 f",
            "ZREMRANGEBYRANK r 0 0",
            "ZREMRANGEBYRANK r 10 20",
            "ZREMRANGEBYSCORE r 2 2",
            "ZREMRANGEBYSCORE r 100 200",
            "ZREMRANGEBYLEX r [d [d",
            "ZREMRANGEBYLEX r [x [y",
            "ZPOPMIN r",
            "ZPOPMAX r 0",
            "ZPOPMAX r 1",
            "ZMPOP 1 r MIN COUNT 5",
            "ZPOPMIN r",
            "ZADD a 1 x 2 y",
            "ZADD b 2 y 3 z",
            "ZUNIONSTORE d 2 a b",
            "ZINTERSTORE d 2 a b",
            "ZDIFFSTORE d 2 a b",
            "ZDIFFSTORE d 2 a a",
            "ZDIFFSTORE d 2 a a",
            "ZRANGESTORE d a 0 -1",
            "ZRANGESTORE d a 5 10",
            "ZRANGESTORE d a 5 10",
            "ZUNION 2 a b",
            "ZRANGE a 0 -1",
            "ZREMRANGEBYRANK a 0 -1",
        ];
        for line in script {
            run(&mut e, c, line);
        }
        let events = crate::pubsub::keyevents_received(&mut e, sub);
        // Read from redis-server 7.0.15 with `notify-keyspace-events EAn`.
        let want = [
            "new z",
            "zadd z",
            "zadd z",
            "zincr z",
            "zincr z",
            "new new",
            "zincr new",
            "zrem z",
            "zrem z",
            "del z",
            "zrem new",
            "del new",
            "new r",
            "zadd r",
            "zremrangebyrank r",
            "zremrangebyscore r",
            "zremrangebylex r",
            "zpopmin r",
            "zpopmax r",
            "zpopmin r",
            "del r",
            "new a",
            "zadd a",
            "new b",
            "zadd b",
            "new d",
            "zunionstore d",
            "zinterstore d",
            "zdiffstore d",
            "del d",
            "new d",
            "zrangestore d",
            "del d",
            "zremrangebyrank a",
            "del a",
        ];
        assert_eq!(events, want);
    }

    #[test]
    fn hits_and_misses_match_info_stats() {
        let mut e = Engine::new();
        let c = e.connect();
        for line in ["ZADD z 1 a 2 b", "ZADD y 1 a", "SET s v"] {
            run(&mut e, c, line);
        }
        // Each command's keyspace_hits and keyspace_misses, read from redis-server 7.0.15 after
        // CONFIG RESETSTAT, running the commands in this order.
        let cases = [
            ("ZSCORE z a", 1, 0),
            ("ZSCORE nokey a", 0, 1),
            ("ZMSCORE nokey a", 0, 1),
            ("ZCARD z", 1, 0),
            ("ZCOUNT z 0 1", 1, 0),
            ("ZLEXCOUNT nokey - +", 0, 1),
            ("ZRANK z a", 1, 0),
            ("ZREVRANK nokey a", 0, 1),
            ("ZRANGE z 0 -1", 1, 0),
            ("ZRANGE nokey 0 -1", 0, 1),
            ("ZRANGEBYSCORE z 0 1", 1, 0),
            ("ZREVRANGEBYLEX z + -", 1, 0),
            ("ZRANGESTORE d z 0 -1", 1, 0),
            ("ZRANGESTORE d nokey 0 -1", 0, 1),
            ("ZRANDMEMBER z", 1, 0),
            ("ZRANDMEMBER nokey 2", 0, 1),
            ("ZSCAN z 0", 1, 0),
            ("ZSCAN nokey 0", 0, 1),
            ("ZUNION 3 z y nokey", 2, 1),
            ("ZUNIONSTORE d 2 z nokey", 1, 1),
            ("ZINTER 2 nokey z", 1, 1),
            ("ZINTERCARD 2 z y", 2, 0),
            ("ZDIFFSTORE d 2 z y", 2, 0),
            ("ZUNION 2 z s", 2, 0),
            ("ZADD z 3 c", 0, 0),
            ("ZINCRBY z 1 c", 0, 0),
            ("ZREM z c", 0, 0),
            ("ZREMRANGEBYSCORE z 10 20", 0, 0),
            ("ZPOPMIN nokey", 0, 0),
            ("ZPOPMAX y 0", 0, 0),
            ("ZMPOP 2 nokey z MIN", 0, 0),
            ("ZSCORE s a", 1, 0),
            ("ZRANGE s 0 -1", 1, 0),
        ];
        for (line, hits, misses) in cases {
            let before = (e.stats().keyspace_hits, e.stats().keyspace_misses);
            run(&mut e, c, line);
            let after = (e.stats().keyspace_hits, e.stats().keyspace_misses);
            assert_eq!(
                (after.0 - before.0, after.1 - before.1),
                (hits, misses),
                "{line}"
            );
        }
    }

    #[test]
    fn encodings_follow_configured_thresholds() {
        let mut e = Engine::new();
        e.config.zset_max_listpack_entries = 2;
        e.config.zset_max_listpack_value = 3;
        let c = e.connect();
        let encoding = |e: &mut Engine, key: &str| run(e, c, &format!("OBJECT ENCODING {key}"));
        run(&mut e, c, "ZADD z 1 a 2 b");
        assert_eq!(encoding(&mut e, "z"), Reply::bulk(b"listpack"));
        run(&mut e, c, "ZADD z 3 c");
        assert_eq!(encoding(&mut e, "z"), Reply::bulk(b"skiplist"));
        run(&mut e, c, "ZADD w 1 abc");
        assert_eq!(encoding(&mut e, "w"), Reply::bulk(b"listpack"));
        run(&mut e, c, "ZADD w 1 abcd");
        assert_eq!(encoding(&mut e, "w"), Reply::bulk(b"skiplist"));
        run(&mut e, c, "ZUNIONSTORE u 1 z");
        assert_eq!(encoding(&mut e, "u"), Reply::bulk(b"skiplist"));
        run(&mut e, c, "ZRANGESTORE r z 0 1");
        assert_eq!(encoding(&mut e, "r"), Reply::bulk(b"listpack"));
        run(&mut e, c, "ZRANGESTORE r z 0 2");
        assert_eq!(encoding(&mut e, "r"), Reply::bulk(b"skiplist"));
        run(&mut e, c, "ZRANGESTORE r z -inf +inf BYSCORE LIMIT 0 2");
        assert_eq!(encoding(&mut e, "r"), Reply::bulk(b"listpack"));
        e.config.zset_max_listpack_entries = 0;
        run(&mut e, c, "ZADD zero 1 a");
        assert_eq!(encoding(&mut e, "zero"), Reply::bulk(b"skiplist"));
    }

    #[test]
    fn random_members_are_drawn_fairly_and_distinct_when_asked() {
        for big in [false, true] {
            let mut e = Engine::new();
            let c = e.connect();
            let mut line = String::from("ZADD z");
            for i in 0..10 {
                line = format!("{line} {i} m{i}");
            }
            if big {
                line += " 100 ";
                line += &"x".repeat(80);
            }
            run(&mut e, c, &line);
            let size = if big { 11 } else { 10 };
            let mut counts = std::collections::HashMap::new();
            for _ in 0..2000 {
                let Reply::Bulk(m) = run(&mut e, c, "ZRANDMEMBER z") else {
                    panic!("a member");
                };
                *counts.entry(m).or_insert(0) += 1;
            }
            assert_eq!(counts.len(), size, "every member drawn");
            // Listpack draws are uniform; the dict's bucket-then-chain draw is close enough.
            assert!(counts.values().all(|&n| n > 50), "{counts:?}");
            for count in [1, 3, 5, 9] {
                let reply = run(&mut e, c, &format!("ZRANDMEMBER z {count}"));
                let mut members = strings(&reply);
                assert_eq!(members.len(), count);
                members.sort();
                members.dedup();
                assert_eq!(members.len(), count, "distinct");
            }
            let reply = run(&mut e, c, "ZRANDMEMBER z -30");
            assert_eq!(strings(&reply).len(), 30);
            let reply = run(&mut e, c, "ZRANDMEMBER z -7 WITHSCORES");
            let flat = strings(&reply);
            assert_eq!(flat.len(), 14);
            for pair in flat.chunks_exact(2) {
                let score = run(&mut e, c, &format!("ZSCORE z {}", pair[0]));
                assert_eq!(score, Reply::bulk(pair[1].as_bytes()));
            }
            let reply = run(&mut e, c, "ZRANDMEMBER z 5 WITHSCORES");
            assert_eq!(strings(&reply).len(), 10);
        }
    }

    #[test]
    fn huge_negative_random_counts_are_refused_not_allocated() {
        let mut e = Engine::new();
        let c = e.connect();
        run(&mut e, c, "ZADD z 1 a");
        assert!(run(&mut e, c, "ZRANDMEMBER z -9223372036854775807").is_error());
        assert!(run(&mut e, c, "ZRANDMEMBER z -4611686018427387903 WITHSCORES").is_error());
        let reply = run(&mut e, c, "ZRANDMEMBER z -1048576");
        assert_eq!(strings(&reply).len(), 1 << 20);
    }

    #[test]
    fn resp2_rank_ranges_print_scores_as_conversion_does() {
        // ZRANGE by rank builds RESP2's bulk scores itself; by score, the scores are Doubles
        // converted afterwards: both must print alike.
        let mut e = Engine::new();
        let c = e.connect();
        run(
            &mut e,
            c,
            "ZADD z -inf a -0 b 0.1 c 1 d 2.5 e 1e20 f 9007199254740993 g -12345 h inf i",
        );
        let by_rank = run(&mut e, c, "ZRANGE z 0 -1 WITHSCORES");
        assert_eq!(
            by_rank,
            run(&mut e, c, "ZRANGE z -inf +inf BYSCORE WITHSCORES")
        );
        let Reply::Array(items) = &by_rank else {
            panic!("{by_rank:?}");
        };
        assert_eq!(items.len(), 18);
        assert_eq!(items[5], Reply::bulk(b"0"));
        assert_eq!(items[7], Reply::bulk(b"0.10000000000000001"));
        assert_eq!(
            run(&mut e, c, "ZREVRANGE z 0 1 WITHSCORES"),
            run(
                &mut e,
                c,
                "ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 0 2"
            )
        );
    }

    #[test]
    fn resp3_replies_pair_members_with_double_scores() {
        let mut e = Engine::new();
        let c = e.connect();
        run(&mut e, c, "ZADD z 1 a 2.5 b");
        if let Some(client) = e.clients.get_mut(&c) {
            client.resp = 3;
        }
        let pair =
            |m: &str, s: f64| Reply::Array(vec![Reply::bulk(m.as_bytes()), Reply::Double(s)]);
        assert_eq!(
            run(&mut e, c, "ZRANGE z 0 -1 WITHSCORES"),
            Reply::Array(vec![pair("a", 1.0), pair("b", 2.5)])
        );
        assert_eq!(
            run(&mut e, c, "ZUNION 1 z WITHSCORES"),
            Reply::Array(vec![pair("a", 1.0), pair("b", 2.5)])
        );
        assert_eq!(run(&mut e, c, "ZSCORE z b"), Reply::Double(2.5));
        assert_eq!(
            run(&mut e, c, "ZPOPMIN z"),
            Reply::Array(vec![Reply::bulk(b"a"), Reply::Double(1.0)])
        );
        assert_eq!(
            run(&mut e, c, "ZPOPMAX z 1"),
            Reply::Array(vec![pair("b", 2.5)])
        );
    }
}
