//! List commands, as Redis 7.0's `t_list.c`: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LMPOP,
//! LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE and RPOPLPUSH. The blocking
//! variants (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH) are not implemented.
//!
//! What Redis checks first decides which error a learner sees, so each handler keeps its order:
//! - arguments parsed before the key is looked up: LPOP/RPOP's count, LRANGE/LTRIM's indexes,
//!   LREM's count, LINSERT's BEFORE|AFTER, LPOS's options, LMOVE's LEFT|RIGHT and all of
//!   LMPOP's arguments (a missing key then still reports a bad argument);
//! - the key looked up first: LINDEX and LSET read their index only for an existing list (so
//!   `LINDEX missing x` is nil, `LSET missing x v` is `ERR no such key`).
//!
//! Reads use `lookupKeyRead` (LLEN, LRANGE, LINDEX, LPOS: they count a hit or a miss), every
//! other command `lookupKeyWrite`. A list whose last element goes is deleted: the command's own
//! event (`lpop`, `rpop`, `lrem`, `ltrim`) is sent first, then `del`.

use crate::aof;
use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::engine::Lookup;
use crate::errors::{CmdResult, RedisError};
use crate::keyspace::list::{End, List};
use crate::keyspace::value::TypedValue;
use crate::keyspace::{Entry, Value};
use crate::num::parse_i64;
use crate::pubsub::notify;
use crate::reply::Reply;

/// The list group's registrations.
pub static COMMANDS: &[Command] = &[
    Command::new(
        "lpush",
        lpush_command,
        "Adds elements at the head of a list (creating it) and answers its length.",
    ),
    Command::new(
        "rpush",
        rpush_command,
        "Adds elements at the tail of a list (creating it) and answers its length.",
    ),
    Command::new(
        "lpushx",
        lpushx_command,
        "Adds elements at the head of a list only if it exists; answers its length.",
    ),
    Command::new(
        "rpushx",
        rpushx_command,
        "Adds elements at the tail of a list only if it exists; answers its length.",
    ),
    Command::new(
        "lpop",
        lpop_command,
        "Removes and answers the first element of a list, or the first few with a count.",
    ),
    Command::new(
        "rpop",
        rpop_command,
        "Removes and answers the last element of a list, or the last few with a count.",
    ),
    Command::new(
        "lmpop",
        lmpop_command,
        "Pops elements from one end of the first non-empty list among several keys.",
    ),
    Command::new(
        "llen",
        llen_command,
        "Answers the number of elements of a list, 0 for a missing key.",
    ),
    Command::new(
        "lrange",
        lrange_command,
        "Answers the elements of a list between two indexes (negative from the end).",
    ),
    Command::new(
        "lindex",
        lindex_command,
        "Answers the element at an index of a list (negative from the end), or nil.",
    ),
    Command::new(
        "lset",
        lset_command,
        "Replaces the element at an index of a list.",
    ),
    Command::new(
        "linsert",
        linsert_command,
        "Inserts an element before or after the first occurrence of another in a list.",
    ),
    Command::new(
        "lrem",
        lrem_command,
        "Removes occurrences of an element from a list, from either end, and counts them.",
    ),
    Command::new(
        "ltrim",
        ltrim_command,
        "Keeps only the elements of a list between two indexes.",
    ),
    Command::new(
        "lpos",
        lpos_command,
        "Answers the index of an element in a list, or of several of its occurrences.",
    ),
    Command::new(
        "lmove",
        lmove_command,
        "Pops an element from one end of a list and pushes it at one end of another.",
    ),
    Command::new(
        "rpoplpush",
        rpoplpush_command,
        "Pops the last element of a list, pushes it at the head of another and answers it.",
    ),
    Command::new(
        "blpop",
        blpop_command,
        "Pops the head of the first non-empty list, waiting for one if all are empty.",
    ),
    Command::new(
        "brpop",
        brpop_command,
        "Pops the tail of the first non-empty list, waiting for one if all are empty.",
    ),
    Command::new(
        "blmpop",
        blmpop_command,
        "Pops elements from the first non-empty list, waiting for one if all are empty.",
    ),
    Command::new(
        "blmove",
        blmove_command,
        "Moves an element between lists, waiting for the source to have one.",
    ),
    Command::new(
        "brpoplpush",
        brpoplpush_command,
        "Moves the tail of a list to the head of another, waiting for an element.",
    ),
];

/// LPOS's error for a zero RANK.
const RANK_ZERO: RedisError = RedisError::new(
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use \
     negative to start from the end of the list",
);

/// Adds the elements, one after the other, at the head of the list (so they end up in reverse
/// order), creating the key if needed; answers the new length.
///
/// `LPUSH key element [element ...]`
pub fn lpush_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    push_generic(ctx, argv, End::Head, false)
}

/// Adds the elements at the tail of the list, creating the key if needed; answers the new
/// length.
///
/// `RPUSH key element [element ...]`
pub fn rpush_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    push_generic(ctx, argv, End::Tail, false)
}

/// As LPUSH, but only onto an existing list: 0 for a missing key.
///
/// `LPUSHX key element [element ...]`
pub fn lpushx_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    push_generic(ctx, argv, End::Head, true)
}

/// As RPUSH, but only onto an existing list: 0 for a missing key.
///
/// `RPUSHX key element [element ...]`
pub fn rpushx_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    push_generic(ctx, argv, End::Tail, true)
}

fn push_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], end: End, only_existing: bool) -> CmdResult {
    let key = &argv[1];
    let elements = argv.get(2..).unwrap_or_default();
    let len = if let Some(list) = ctx.lookup_typed::<List>(key, Lookup::WRITE)? {
        for element in elements {
            list.push_slice(end, element);
        }
        let len = list.len();
        ctx.modified(key);
        len
    } else {
        if only_existing {
            return Ok(Reply::Integer(0));
        }
        let mut list = List::with_fill(ctx.engine.config.list_max_listpack_size);
        for element in elements {
            list.push_slice(end, element);
        }
        let len = list.len();
        let now = ctx.now();
        ctx.add(key, Entry::new(Value::List(list), now));
        len
    };
    ctx.notify(notify::LIST, end.push_event(), key);
    Ok(integer(len))
}

/// Removes and answers the first element, or with a count an array of up to that many from the
/// head. A missing key answers nil (a nil array with a count); a count of 0 an empty array.
///
/// `LPOP key [count]`
pub fn lpop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    pop_generic(ctx, argv, End::Head)
}

/// Removes and answers the last element, or with a count an array of up to that many from the
/// tail (last first). A missing key answers nil (a nil array with a count).
///
/// `RPOP key [count]`
pub fn rpop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    pop_generic(ctx, argv, End::Tail)
}

fn pop_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], end: End) -> CmdResult {
    let key = &argv[1];
    if argv.len() > 3 {
        return Err(RedisError::wrong_arity(&ctx.spec.name));
    }
    let count = match argv.get(2) {
        Some(arg) => Some(non_negative(
            arg,
            "ERR value is out of range, must be positive",
        )?),
        None => None,
    };
    let Some(list) = ctx.lookup_typed::<List>(key, Lookup::WRITE)? else {
        return Ok(if count.is_some() {
            Reply::NilArray
        } else {
            Reply::Nil
        });
    };
    let reply = match count {
        Some(0) => return Ok(Reply::Array(Vec::new())),
        Some(n) => Reply::bulks(list.pop_many(end, usize::try_from(n).unwrap_or(usize::MAX))),
        None => match list.pop_bytes(end) {
            Some(element) => Reply::Bulk(element),
            // Redis deletes empty lists, so an existing list has an element.
            None => Reply::Nil,
        },
    };
    elements_removed(ctx, key, end);
    Ok(reply)
}

/// Pops up to `count` elements (1 by default) from one end of the first of the `numkeys` keys
/// holding a non-empty list; answers the key and the elements, or a nil array when every key
/// is missing. A key of another type met before a list is an error.
///
/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn lmpop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (keys, end, count) = mpop_args(argv, 1)?;
    Ok(mpop(ctx, &keys, end, count)?.unwrap_or(Reply::NilArray))
}

/// Parses `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at `argv[numkeys_at]`.
fn mpop_args(
    argv: &[Vec<u8>],
    numkeys_at: usize,
) -> Result<(Vec<Vec<u8>>, End, usize), RedisError> {
    let numkeys = parse_i64(&argv[numkeys_at])
        .filter(|&n| n >= 1)
        .ok_or(RedisError::new("ERR numkeys should be greater than 0"))?;
    let first = numkeys_at + 1;
    // The keys are argv[first..where_at]; LEFT|RIGHT must follow them.
    let where_at = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(first))
        .filter(|&at| at < argv.len())
        .ok_or(RedisError::syntax())?;
    let end = end_arg(&argv[where_at])?;
    let mut count = None;
    let mut options = argv.get(where_at + 1..).unwrap_or_default();
    while let Some((option, rest)) = options.split_first() {
        match rest.split_first() {
            Some((value, rest)) if count.is_none() && args::is(option, "count") => {
                count = Some(
                    parse_i64(value)
                        .filter(|&n| n >= 1)
                        .ok_or(RedisError::new("ERR count should be greater than 0"))?,
                );
                options = rest;
            }
            _ => return Err(RedisError::syntax()),
        }
    }
    let count = usize::try_from(count.unwrap_or(1)).unwrap_or(usize::MAX);
    Ok((
        argv.get(first..where_at).unwrap_or_default().to_vec(),
        end,
        count,
    ))
}

/// Pops up to `count` elements from the first of `keys` holding a list; `None` when none does.
fn mpop(
    ctx: &mut Ctx<'_>,
    keys: &[Vec<u8>],
    end: End,
    count: usize,
) -> Result<Option<Reply>, RedisError> {
    for key in ctx.blocking_candidates(keys) {
        let Some(list) = ctx.lookup_typed::<List>(key, Lookup::WRITE)? else {
            continue;
        };
        if list.is_empty() {
            continue;
        }
        let popped = list.pop_many(end, count);
        elements_removed(ctx, key, end);
        // LMPOP and BLMPOP are propagated as the pop they made.
        let pop: &[u8] = if end == End::Head { b"LPOP" } else { b"RPOP" };
        let count = count.to_string();
        ctx.propagate_as(vec![aof::command(&[pop, key, count.as_bytes()])]);
        return Ok(Some(Reply::Array(vec![
            Reply::bulk(key),
            Reply::bulks(popped),
        ])));
    }
    Ok(None)
}

/// Pops an element from the first of the keys holding a list; when none does, waits for one
/// until the timeout (seconds, 0 for ever) and then answers a nil array. Answers the key and the
/// element.
///
/// `BLPOP key [key ...] timeout`
pub fn blpop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    blocking_pop(ctx, argv, End::Head)
}

/// BLPOP from the tail.
///
/// `BRPOP key [key ...] timeout`
pub fn brpop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    blocking_pop(ctx, argv, End::Tail)
}

fn blocking_pop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], end: End) -> CmdResult {
    let last = argv.len() - 1;
    let deadline = args::timeout_deadline(&argv[last], ctx.now())?;
    let keys = &argv[1..last];
    if let Some(Reply::Array(mut parts)) = mpop(ctx, keys, end, 1)? {
        if let Some(Reply::Bulk(key)) = parts.first() {
            let pop: &[u8] = if end == End::Head { b"LPOP" } else { b"RPOP" };
            let propagated = aof::command(&[pop, key]);
            ctx.propagate_as(vec![propagated]);
        }
        // [key, [element]] becomes [key, element].
        if let Some(Reply::Array(mut elements)) = parts.pop()
            && let Some(element) = elements.pop()
        {
            parts.push(element);
        }
        return Ok(Reply::Array(parts));
    }
    block_or_nil(ctx, keys, deadline, argv, Reply::NilArray)
}

/// Waits on `keys`, or, where a command may not block (inside MULTI), answers `immediate`.
fn block_or_nil(
    ctx: &mut Ctx<'_>,
    keys: &[Vec<u8>],
    deadline: Option<i64>,
    argv: &[Vec<u8>],
    immediate: Reply,
) -> CmdResult {
    if ctx.can_block() {
        ctx.block(keys, deadline, Reply::NilArray, argv);
    }
    Ok(immediate)
}

/// LMPOP that waits for a list until the timeout.
///
/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn blmpop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    // Redis reads the timeout last, after numkeys, the keys, the side and COUNT.
    let (keys, end, count) = mpop_args(argv, 2)?;
    let deadline = args::timeout_deadline(&argv[1], ctx.now())?;
    match mpop(ctx, &keys, end, count)? {
        Some(reply) => Ok(reply),
        None => block_or_nil(ctx, &keys, deadline, argv, Reply::NilArray),
    }
}

/// LMOVE that waits for `source` to hold a list until the timeout.
///
/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`
pub fn blmove_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let from = end_arg(&argv[3])?;
    let to = end_arg(&argv[4])?;
    let deadline = args::timeout_deadline(&argv[5], ctx.now())?;
    blocking_move(ctx, argv, from, to, deadline)
}

/// RPOPLPUSH that waits for `source` to hold a list until the timeout.
///
/// `BRPOPLPUSH source destination timeout`
pub fn brpoplpush_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let deadline = args::timeout_deadline(&argv[3], ctx.now())?;
    blocking_move(ctx, argv, End::Tail, End::Head, deadline)
}

fn blocking_move(
    ctx: &mut Ctx<'_>,
    argv: &[Vec<u8>],
    from: End,
    to: End,
    deadline: Option<i64>,
) -> CmdResult {
    let (source, destination) = (&argv[1], &argv[2]);
    if ctx.lookup_typed::<List>(source, Lookup::WRITE)?.is_some() {
        // Propagated as the move it made.
        let propagated = match argv {
            [_, _, _, from, to, _] => aof::command(&[b"LMOVE", source, destination, from, to]),
            _ => aof::command(&[b"RPOPLPUSH", source, destination]),
        };
        ctx.propagate_as(vec![propagated]);
        return lmove_generic(ctx, source, destination, from, to);
    }
    block_or_nil(
        ctx,
        std::slice::from_ref(source),
        deadline,
        argv,
        Reply::Nil,
    )
}

/// Answers the length of the list, 0 for a missing key.
///
/// `LLEN key`
pub fn llen_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let len = ctx
        .lookup_typed::<List>(&argv[1], Lookup::READ)?
        .map_or(0, |l| l.len());
    Ok(integer(len))
}

/// Answers the elements from `start` to `stop`, both included; negative indexes count from the
/// tail, and indexes past either end are clamped.
///
/// `LRANGE key start stop`
pub fn lrange_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let start = long_arg(&argv[2])?;
    let stop = long_arg(&argv[3])?;
    Ok(ctx
        .lookup_typed::<List>(&argv[1], Lookup::READ)?
        // Not `map_or(Reply::Array(Vec::new()), …)`: that default is dropped through a call
        // when unused.
        .map_or_else(
            || Reply::Array(Vec::new()),
            |l| {
                Reply::Array(
                    l.range_elements(start, stop)
                        .map(|e| Reply::Bulk(e.clone()))
                        .collect(),
                )
            },
        ))
}

/// Answers the element at an index (negative from the tail), nil when out of range or when
/// the key is missing.
///
/// `LINDEX key index`
pub fn lindex_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let Some(list) = ctx.lookup_typed::<List>(&argv[1], Lookup::READ)? else {
        return Ok(Reply::Nil);
    };
    let index = long_arg(&argv[2])?;
    Ok(list.get(index).map_or(Reply::Nil, Reply::bulk))
}

/// Replaces the element at an index (negative from the tail).
///
/// `LSET key index element`
pub fn lset_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let list = ctx
        .lookup_typed::<List>(key, Lookup::WRITE)?
        .ok_or(RedisError::no_such_key())?;
    let index = long_arg(&argv[2])?;
    if !list.set(index, argv[3].clone()) {
        return Err(RedisError::new("ERR index out of range"));
    }
    ctx.modified(key);
    ctx.notify(notify::LIST, "lset", key);
    Ok(Reply::ok())
}

/// Inserts an element before or after the first element (from the head) equal to the pivot;
/// answers the new length, -1 when the pivot is not there, 0 for a missing key.
///
/// `LINSERT key BEFORE|AFTER pivot element`
pub fn linsert_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let after = if args::is(&argv[2], "after") {
        true
    } else if args::is(&argv[2], "before") {
        false
    } else {
        return Err(RedisError::syntax());
    };
    let Some(list) = ctx.lookup_typed::<List>(key, Lookup::WRITE)? else {
        return Ok(Reply::Integer(0));
    };
    if !list.insert(&argv[3], argv[4].clone(), after) {
        return Ok(Reply::Integer(-1));
    }
    let len = list.len();
    ctx.modified(key);
    ctx.notify(notify::LIST, "linsert", key);
    Ok(integer(len))
}

/// Removes elements equal to `element`: the first `count` from the head when positive, the
/// last `-count` from the tail when negative, all when 0; answers how many went.
///
/// `LREM key count element`
pub fn lrem_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let count = long_arg(&argv[2])?;
    let Some(list) = ctx.lookup_typed::<List>(key, Lookup::WRITE)? else {
        return Ok(Reply::Integer(0));
    };
    let removed = list.remove(&argv[3], count);
    let emptied = list.is_empty();
    if removed > 0 {
        ctx.modified(key);
        ctx.notify(notify::LIST, "lrem", key);
    }
    if emptied {
        ctx.delete(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
    Ok(integer(removed))
}

/// Keeps only the elements from `start` to `stop` (inclusive, negative from the tail); an
/// empty range deletes the key.
///
/// `LTRIM key start stop`
pub fn ltrim_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let start = long_arg(&argv[2])?;
    let stop = long_arg(&argv[3])?;
    let Some(list) = ctx.lookup_typed::<List>(key, Lookup::WRITE)? else {
        return Ok(Reply::ok());
    };
    list.trim(start, stop);
    let emptied = list.is_empty();
    // Redis announces the trim even when it removed nothing.
    ctx.notify(notify::LIST, "ltrim", key);
    if emptied {
        ctx.delete(key);
        ctx.notify(notify::GENERIC, "del", key);
    } else {
        ctx.modified(key);
    }
    Ok(Reply::ok())
}

/// Answers the index of the first element equal to `element` (nil if none). RANK n starts from
/// the n-th match (negative: searching from the tail); COUNT n answers an array of up to n
/// indexes (0: all of them); MAXLEN n compares at most n elements (0: all).
///
/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`
pub fn lpos_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut rank: i64 = 1;
    let mut count: Option<u64> = None;
    let mut maxlen: u64 = 0;
    let mut options = argv.get(3..).unwrap_or_default();
    while let Some((option, rest)) = options.split_first() {
        let Some((value, rest)) = rest.split_first() else {
            return Err(RedisError::syntax());
        };
        if args::is(option, "rank") {
            rank = long_arg(value)?;
            if rank == 0 {
                return Err(RANK_ZERO);
            }
        } else if args::is(option, "count") {
            count = Some(non_negative(value, "ERR COUNT can't be negative")?);
        } else if args::is(option, "maxlen") {
            maxlen = non_negative(value, "ERR MAXLEN can't be negative")?;
        } else {
            return Err(RedisError::syntax());
        }
        options = rest;
    }
    let Some(list) = ctx.lookup_typed::<List>(&argv[1], Lookup::READ)? else {
        return Ok(if count.is_some() {
            Reply::Array(Vec::new())
        } else {
            Reply::Nil
        });
    };
    let found = list.positions(&argv[2], rank, count.unwrap_or(1), maxlen);
    Ok(match count {
        Some(_) => Reply::Array(found.into_iter().map(integer).collect()),
        None => found.first().map_or(Reply::Nil, |&i| integer(i)),
    })
}

/// Pops an element from one end of `source` and pushes it at one end of `destination`
/// (created if missing; it may be `source` itself, rotating the list); answers the element, or
/// nil when `source` is missing.
///
/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`
pub fn lmove_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let from = end_arg(&argv[3])?;
    let to = end_arg(&argv[4])?;
    lmove_generic(ctx, &argv[1], &argv[2], from, to)
}

/// Pops the last element of `source` and pushes it at the head of `destination`; answers it,
/// or nil when `source` is missing. The same as `LMOVE source destination RIGHT LEFT`.
///
/// `RPOPLPUSH source destination`
pub fn rpoplpush_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    lmove_generic(ctx, &argv[1], &argv[2], End::Tail, End::Head)
}

fn lmove_generic(
    ctx: &mut Ctx<'_>,
    source: &[u8],
    destination: &[u8],
    from: End,
    to: End,
) -> CmdResult {
    if ctx.lookup_typed::<List>(source, Lookup::WRITE)?.is_none() {
        return Ok(Reply::Nil);
    }
    // Both types are checked before anything moves.
    ctx.lookup_typed::<List>(destination, Lookup::WRITE)?;
    let Some(element) = list_in_db(ctx, source).and_then(|l| l.pop(from)) else {
        // Redis deletes empty lists, so an existing source has an element.
        return Ok(Reply::Nil);
    };
    // When source and destination are the same key the element goes back into the list it
    // left, which therefore never becomes empty.
    if let Some(list) = list_in_db(ctx, destination) {
        list.push(to, element.clone());
        ctx.modified(destination);
    } else {
        let mut list = List::with_fill(ctx.engine.config.list_max_listpack_size);
        list.push(to, element.clone());
        let now = ctx.now();
        ctx.add(destination, Entry::new(Value::List(list), now));
    }
    ctx.notify(notify::LIST, to.push_event(), destination);
    elements_removed(ctx, source, from);
    Ok(Reply::from(element))
}

/// After elements were popped from an end of the list at `key`: sends `lpop`/`rpop`, and
/// deletes the key (with `del`) if the list is now empty, as Redis's `listElementsRemoved`.
fn elements_removed(ctx: &mut Ctx<'_>, key: &[u8], end: End) {
    ctx.notify(notify::LIST, end.pop_event(), key);
    if list_in_db(ctx, key).is_some_and(|l| l.is_empty()) {
        ctx.delete(key);
        ctx.notify(notify::GENERIC, "del", key);
    } else {
        ctx.modified(key);
    }
}

/// The list at a key already looked up by the running command, reached without the side
/// effects of a second lookup.
fn list_in_db<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Option<&'c mut List> {
    ctx.db()
        .peek_mut(key)
        .and_then(|entry| List::of(&mut entry.value))
}

/// `LEFT` or `RIGHT` (any case), else a syntax error.
fn end_arg(arg: &[u8]) -> Result<End, RedisError> {
    if args::is(arg, "right") {
        Ok(End::Tail)
    } else if args::is(arg, "left") {
        Ok(End::Head)
    } else {
        Err(RedisError::syntax())
    }
}

/// A `long` argument, as `getLongFromObjectOrReply` without a custom message.
fn long_arg(arg: &[u8]) -> Result<i64, RedisError> {
    parse_i64(arg).ok_or(RedisError::not_integer())
}

/// A non-negative `long`, as `getPositiveLongFromObjectOrReply`: `msg` answers both a
/// malformed and a negative number.
fn non_negative(arg: &[u8], msg: &'static str) -> Result<u64, RedisError> {
    parse_i64(arg)
        .and_then(|n| u64::try_from(n).ok())
        .ok_or(RedisError::new(msg))
}

/// An integer reply from a length or an index.
fn integer(n: usize) -> Reply {
    Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use crate::events::EventKind;
    use crate::pubsub::notify;
    use crate::reply::Reply;
    use crate::{ClientId, Engine};

    fn engine() -> (Engine, ClientId) {
        let mut engine = Engine::new();
        let client = engine.connect();
        (engine, client)
    }

    fn run(engine: &mut Engine, client: ClientId, line: &str) -> Reply {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|a| a.as_bytes().to_vec()).collect();
        engine.exec(client, &argv)
    }

    /// The keyevent notifications a listener received, as `event key`.
    fn heard(engine: &mut Engine, listener: ClientId) -> Vec<String> {
        engine
            .take_output(listener)
            .into_iter()
            .map(|push| match push {
                Reply::Push(parts) | Reply::Array(parts) => match parts.as_slice() {
                    [_, _, Reply::Bulk(channel), Reply::Bulk(key)] => format!(
                        "{} {}",
                        String::from_utf8_lossy(channel).trim_start_matches("__keyevent@0__:"),
                        String::from_utf8_lossy(key)
                    ),
                    other => format!("{other:?}"),
                },
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn keyspace_notifications_are_redis_s() {
        // Recorded from redis-server 7.0.15 with notify-keyspace-events Elgn.
        let (mut e, c) = engine();
        e.config.notify_keyspace_events =
            notify::KEYEVENT | notify::LIST | notify::GENERIC | notify::NEW;
        let listener = e.connect();
        e.pubsub.add_pattern(b"__keyevent@0__:*", listener);
        for line in [
            "LPUSH l a b",
            "RPUSH l c",
            "LPUSHX l z",
            "RPUSHX nokey z",
            "LPUSHX nokey z",
            "LPOP l",
            "RPOP l",
            "LPOP l 0",
            "LPOP l 5",
            "RPUSH l a b c d",
            "LSET l 0 A",
            "LSET l 10 x",
            "LINSERT l BEFORE b x",
            "LINSERT l BEFORE zz x",
            "LREM l 1 zz",
            "LREM l 1 x",
            "LTRIM l 0 -1",
            "LTRIM l 1 2",
            "LTRIM l 5 10",
            "RPUSH s 1 2",
            "LMOVE s d LEFT RIGHT",
            "LMOVE s d RIGHT LEFT",
            "LMOVE d d LEFT RIGHT",
            "RPOPLPUSH d d",
            "RPOPLPUSH nokey d",
            "LMPOP 2 nokey d LEFT COUNT 1",
            "LMPOP 1 d RIGHT COUNT 5",
            "RPUSH x 1",
            "LREM x 0 1",
            "RPUSH y 1",
            "RPOP y 1",
            "LRANGE nokey 0 1",
            "LINDEX nokey 0",
            "LPOS nokey 0",
            "LLEN nokey",
        ] {
            run(&mut e, c, line);
        }
        let want = [
            "new l",
            "lpush l",
            "rpush l",
            "lpush l",
            "lpop l",
            "rpop l",
            "lpop l",
            "del l",
            "new l",
            "rpush l",
            "lset l",
            "linsert l",
            "lrem l",
            "ltrim l",
            "ltrim l",
            "ltrim l",
            "del l",
            "new s",
            "rpush s",
            "new d",
            "rpush d",
            "lpop s",
            "lpush d",
            "rpop s",
            "del s",
            "rpush d",
            "lpop d",
            "lpush d",
            "rpop d",
            "lpop d",
            "rpop d",
            "del d",
            "new x",
            "rpush x",
            "lrem x",
            "del x",
            "new y",
            "rpush y",
            "rpop y",
            "del y",
        ];
        assert_eq!(heard(&mut e, listener), want);
    }

    #[test]
    fn reads_count_hits_and_misses_writes_do_not() {
        // Each line's keyspace_hits/keyspace_misses, as redis-server 7.0.15 counts them.
        let cases = [
            ("LLEN l", 1, 0),
            ("LLEN nokey", 0, 1),
            ("LRANGE l 0 1", 1, 0),
            ("LRANGE nokey 0 1", 0, 1),
            ("LINDEX l 0", 1, 0),
            ("LINDEX nokey 0", 0, 1),
            ("LPOS l a", 1, 0),
            ("LPOS nokey a", 0, 1),
            ("LLEN s", 1, 0),
            ("LRANGE l x 1", 0, 0),
            ("LPUSH l x", 0, 0),
            ("LPUSHX nokey x", 0, 0),
            ("LSET l 0 y", 0, 0),
            ("LINSERT l BEFORE y z", 0, 0),
            ("LREM l 0 q", 0, 0),
            ("LTRIM l 0 -1", 0, 0),
            ("LPOP nokey", 0, 0),
            ("RPOP l", 0, 0),
            ("LMOVE l l LEFT RIGHT", 0, 0),
            ("LMPOP 2 nokey l LEFT", 0, 0),
        ];
        let (mut e, c) = engine();
        run(&mut e, c, "RPUSH l a b c");
        run(&mut e, c, "SET s v");
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
    fn the_event_log_sees_writes_and_deletions() {
        let (mut e, c) = engine();
        let start = e.events().last_seq();
        for line in [
            "RPUSH l a b",
            "LPOP l",
            "LSET l 0 x",
            "LTRIM l 1 0",
            "RPUSH s v",
            "LMOVE s d LEFT LEFT",
        ] {
            run(&mut e, c, line);
        }
        let log: Vec<(EventKind, String, &str)> = e
            .events()
            .after(start)
            .map(|ev| {
                (
                    ev.kind,
                    String::from_utf8_lossy(&ev.key).into_owned(),
                    ev.command,
                )
            })
            .collect();
        let want = [
            (EventKind::Write, "l", "rpush"),
            (EventKind::Write, "l", "lpop"),
            (EventKind::Write, "l", "lset"),
            (EventKind::Del, "l", "ltrim"),
            (EventKind::Write, "s", "rpush"),
            (EventKind::Write, "d", "lmove"),
            (EventKind::Del, "s", "lmove"),
        ];
        let want: Vec<(EventKind, String, &str)> = want
            .iter()
            .map(|&(k, key, cmd)| (k, key.to_string(), cmd))
            .collect();
        assert_eq!(log, want);
    }

    #[test]
    fn the_encoding_is_quicklist_whatever_the_node_size() {
        // Redis 7.0 has no listpack-encoded lists: list-max-listpack-size shapes nodes only.
        for size in [-5, -1, 1, 128] {
            let (mut e, c) = engine();
            e.config.list_max_listpack_size = size;
            run(&mut e, c, "RPUSH l a b c");
            assert_eq!(
                run(&mut e, c, "OBJECT ENCODING l"),
                Reply::bulk(b"quicklist")
            );
        }
    }
}
