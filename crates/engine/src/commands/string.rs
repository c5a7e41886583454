//! String commands, as Redis's `t_string.c`: GET, SET and its variants (SETNX, SETEX, PSETEX),
//! GETEX, GETDEL, GETSET, MGET, MSET, MSETNX, APPEND, STRLEN, the INCR family, INCRBYFLOAT,
//! GETRANGE (and its old name SUBSTR), SETRANGE and LCS.
//!
//! Encodings, as `OBJECT ENCODING` reports them on redis-server 7.0.15 after each command:
//! - a value taken from the arguments (SET, SETNX, SETEX, PSETEX, GETSET, MSET, MSETNX, and
//!   APPEND on a missing key) goes through `tryObjectEncoding`: `int` for a canonical integer,
//!   `embstr` up to 44 bytes, `raw` beyond ([`StrValue::new`]);
//! - INCR, DECR, INCRBY and DECRBY always leave an `int`;
//! - INCRBYFLOAT stores its printed result with `createStringObject`: `embstr` up to 44 bytes
//!   even when the result is integral (`3`), `raw` beyond ([`StrValue::plain`]);
//! - APPEND on an existing key (even of an empty string) and a SETRANGE that writes leave a `raw`
//!   string ([`StrValue::raw`]); a SETRANGE with an empty value changes nothing.
//!
//! Expire times are absolute virtual milliseconds. A past EXAT/PXAT given to SET is stored as
//! Redis 7.0 stores it, and the key disappears (with an `expired` event) at its next access;
//! GETEX deletes the key at once instead (a `del` event), as Redis does.

use crate::aof;
use crate::command::{Command, Ctx};
use crate::engine::Lookup;
use crate::errors::{CmdResult, RedisError};
use crate::keyspace::value::StrValue;
use crate::keyspace::{Entry, Value};
use crate::long_double::LongDouble;
use crate::memory::OOM;
use crate::num::parse_i64;
use crate::pubsub::notify;
use crate::reply::Reply;

/// The string group's registrations.
pub static COMMANDS: &[Command] = &[
    Command::new(
        "get",
        get_command,
        "Answers the string stored at a key, or nil.",
    ),
    Command::new(
        "set",
        set_command,
        "Stores a string at a key, optionally only if it exists or not, with an expire time, \
         answering the old value with GET.",
    ),
    Command::new(
        "setnx",
        setnx_command,
        "Stores a string only if the key does not exist; answers 1 if it did.",
    ),
    Command::new(
        "setex",
        setex_command,
        "Stores a string that expires after a number of seconds.",
    ),
    Command::new(
        "psetex",
        psetex_command,
        "Stores a string that expires after a number of milliseconds.",
    ),
    Command::new(
        "getex",
        getex_command,
        "Answers a string and sets or removes its expire time.",
    ),
    Command::new(
        "getdel",
        getdel_command,
        "Answers a string and deletes its key.",
    ),
    Command::new(
        "getset",
        getset_command,
        "Stores a string and answers the one it replaced.",
    ),
    Command::new(
        "mget",
        mget_command,
        "Answers the strings of several keys, nil for missing keys and other types.",
    ),
    Command::new("mset", mset_command, "Stores several strings at once."),
    Command::new(
        "msetnx",
        msetnx_command,
        "Stores several strings only if none of the keys exists.",
    ),
    Command::new(
        "append",
        append_command,
        "Appends to a string (creating it) and answers the new length.",
    ),
    Command::new(
        "strlen",
        strlen_command,
        "Answers the length of a string, 0 for a missing key.",
    ),
    Command::new(
        "incr",
        incr_command,
        "Adds one to the integer in a string and answers the result.",
    ),
    Command::new(
        "decr",
        decr_command,
        "Subtracts one from the integer in a string and answers the result.",
    ),
    Command::new(
        "incrby",
        incrby_command,
        "Adds an integer to the integer in a string and answers the result.",
    ),
    Command::new(
        "decrby",
        decrby_command,
        "Subtracts an integer from the integer in a string and answers the result.",
    ),
    Command::new(
        "incrbyfloat",
        incrbyfloat_command,
        "Adds a decimal number to the number in a string, in long double precision.",
    ),
    Command::new(
        "getrange",
        getrange_command,
        "Answers the bytes of a string between two offsets (negative from the end).",
    ),
    Command::new(
        "substr",
        getrange_command,
        "Old name of GETRANGE: answers a range of bytes of a string.",
    ),
    Command::new(
        "setrange",
        setrange_command,
        "Overwrites part of a string from an offset, padding with zero bytes; answers the length.",
    ),
    Command::new(
        "lcs",
        lcs_command,
        "Answers the longest common subsequence of two strings, its length, or where it matches.",
    ),
];

/// Answers the string value of a key, nil when missing.
///
/// `GET key`
pub fn get_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(bulk_or_nil(get_generic(ctx, &argv[1])?))
}

/// Stores a string. NX stores only if the key is missing, XX only if it exists; GET answers the
/// old value (nil if none) instead of OK; EX/PX set a relative expire time, EXAT/PXAT an
/// absolute one; KEEPTTL keeps the current expire time, which is otherwise dropped.
///
/// `SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | KEEPTTL]`
pub fn set_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let options = ExtendedOptions::parse(argv.get(3..).unwrap_or_default(), Family::Set)?;
    set_generic(ctx, &argv[1], &argv[2], &options, Reply::ok(), Reply::Nil)
}

/// Stores a string only if the key does not exist; answers 1 when stored, 0 otherwise.
///
/// `SETNX key value`
pub fn setnx_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let options = ExtendedOptions {
        nx: true,
        ..ExtendedOptions::default()
    };
    set_generic(
        ctx,
        &argv[1],
        &argv[2],
        &options,
        Reply::Integer(1),
        Reply::Integer(0),
    )
}

/// Stores a string that expires after `seconds`.
///
/// `SETEX key seconds value`
pub fn setex_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let options = ExtendedOptions {
        expire: Some((ExpireKind::Ex, &argv[2])),
        ..ExtendedOptions::default()
    };
    set_generic(ctx, &argv[1], &argv[3], &options, Reply::ok(), Reply::Nil)
}

/// Stores a string that expires after `milliseconds`.
///
/// `PSETEX key milliseconds value`
pub fn psetex_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let options = ExtendedOptions {
        expire: Some((ExpireKind::Px, &argv[2])),
        ..ExtendedOptions::default()
    };
    set_generic(ctx, &argv[1], &argv[3], &options, Reply::ok(), Reply::Nil)
}

/// Answers a string value like GET and changes its expire time: EX/PX set a relative one,
/// EXAT/PXAT an absolute one (a past time deletes the key), PERSIST removes it.
///
/// `GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | PERSIST]`
pub fn getex_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let options = ExtendedOptions::parse(argv.get(2..).unwrap_or_default(), Family::Get)?;
    let Some(value) = get_generic(ctx, key)? else {
        return Ok(Reply::Nil);
    };
    // The expire time is checked only once the key is known to hold a string.
    let at = match options.expire {
        Some((kind, arg)) => Some((kind, expire_at(ctx, kind, arg)?)),
        None => None,
    };
    match at {
        Some((ExpireKind::ExAt | ExpireKind::PxAt, at)) if at <= ctx.now() => {
            let deleted = ctx.delete(key);
            if deleted {
                ctx.notify(notify::GENERIC, "del", key);
            }
            ctx.propagate_as(vec![aof::command(&[b"DEL", key])]);
        }
        Some((_, at)) => {
            ctx.set_expire(key, Some(at));
            ctx.expire_changed(key);
            ctx.notify(notify::GENERIC, "expire", key);
            let at = at.to_string();
            ctx.propagate_as(vec![aof::command(&[b"PEXPIREAT", key, at.as_bytes()])]);
        }
        None if options.persist => {
            let volatile = ctx.db().peek(key).and_then(Entry::expire_at).is_some();
            if volatile {
                ctx.set_expire(key, None);
                ctx.expire_changed(key);
                ctx.notify(notify::GENERIC, "persist", key);
                ctx.propagate_as(vec![aof::command(&[b"PERSIST", key])]);
            }
        }
        None => {}
    }
    Ok(Reply::from(value))
}

/// Answers a string value like GET and deletes the key.
///
/// `GETDEL key`
pub fn getdel_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let value = get_generic(ctx, key)?;
    if value.is_some() && ctx.delete(key) {
        ctx.notify(notify::GENERIC, "del", key);
    }
    Ok(bulk_or_nil(value))
}

/// Stores a string and answers the previous one (nil if none); the expire time is dropped.
///
/// `GETSET key value`
pub fn getset_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let old = get_generic(ctx, key)?;
    ctx.set_key(key, Value::string_from(&argv[2]), false);
    ctx.stored_argument(key);
    ctx.notify(notify::STRING, "set", key);
    Ok(bulk_or_nil(old))
}

/// Answers the values of the keys, nil for a missing key or one of another type.
///
/// `MGET key [key ...]`
pub fn mget_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let values = argv[1..]
        .iter()
        .map(|key| match ctx.lookup_string(key, Lookup::READ) {
            Ok(Some(s)) => Reply::bulk(&s.bytes),
            Ok(None) | Err(_) => Reply::Nil,
        })
        .collect();
    Ok(Reply::Array(values))
}

/// Stores each value at its key, dropping their expire times.
///
/// `MSET key value [key value ...]`
pub fn mset_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    mset_generic(ctx, argv, false)
}

/// Stores each value at its key only if none of the keys exists; answers 1 if stored, else 0.
///
/// `MSETNX key value [key value ...]`
pub fn msetnx_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    mset_generic(ctx, argv, true)
}

/// Appends to the string at a key (a missing key counts as empty) and answers the new length.
///
/// `APPEND key value`
pub fn append_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (key, tail) = (&argv[1], &argv[2]);
    let limit = ctx.engine.config.proto_max_bulk_len;
    let cap = ctx.engine.allocation_cap();
    let len = match ctx.lookup_string(key, Lookup::WRITE)? {
        None => {
            ctx.set_key(key, Value::string_from(tail), false);
            ctx.stored_argument(key);
            tail.len()
        }
        Some(s) => {
            let total = check_string_length(s.bytes.len() as u64, tail.len(), limit)?;
            if total > cap {
                return Err(OOM);
            }
            s.bytes.with_vec(|bytes| {
                bytes.try_reserve(tail.len()).map_err(|_| out_of_memory())?;
                Ok::<_, RedisError>(())
            })?;
            s.prepare_in_place(total);
            s.bytes.with_vec(|bytes| bytes.extend_from_slice(tail));
            let len = s.bytes.len();
            ctx.modified(key);
            len
        }
    };
    ctx.notify(notify::STRING, "append", key);
    Ok(Reply::Integer(len as i64))
}

/// Answers the length of the string at a key, 0 when missing.
///
/// `STRLEN key`
pub fn strlen_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let len = ctx
        .lookup_string(&argv[1], Lookup::READ)?
        .map_or(0, |s| s.bytes.len());
    Ok(Reply::Integer(len as i64))
}

/// Adds one to the integer stored at a key (a missing key counts as 0).
///
/// `INCR key`
pub fn incr_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    incr_decr(ctx, &argv[1], 1)
}

/// Subtracts one from the integer stored at a key (a missing key counts as 0).
///
/// `DECR key`
pub fn decr_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    incr_decr(ctx, &argv[1], -1)
}

/// Adds `increment` to the integer stored at a key (a missing key counts as 0).
///
/// `INCRBY key increment`
pub fn incrby_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let incr = parse_i64(&argv[2]).ok_or_else(RedisError::not_integer)?;
    incr_decr(ctx, &argv[1], incr)
}

/// Subtracts `decrement` from the integer stored at a key (a missing key counts as 0).
///
/// `DECRBY key decrement`
pub fn decrby_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let decr = parse_i64(&argv[2]).ok_or_else(RedisError::not_integer)?;
    let incr = decr
        .checked_neg()
        .ok_or(RedisError::new("ERR decrement would overflow"))?;
    incr_decr(ctx, &argv[1], incr)
}

/// Adds a decimal number to the number stored at a key (a missing key counts as 0), in C's
/// `long double` precision, and stores and answers the sum printed as Redis prints it
/// (`%.17Lf` without trailing zeros). The expire time is kept.
///
/// `INCRBYFLOAT key increment`
pub fn incrbyfloat_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let not_float = || RedisError::not_float();
    // The stored value is read before the increment, as Redis does (the error is the same).
    let existing = ctx.lookup_string(key, Lookup::WRITE)?;
    let current = match existing {
        None => LongDouble::ZERO,
        Some(s) => LongDouble::parse(&s.bytes).ok_or_else(not_float)?,
    };
    let incr = LongDouble::parse(&argv[2]).ok_or_else(not_float)?;
    let sum = current + incr;
    if !sum.is_finite() {
        return Err(RedisError::new(
            "ERR increment would produce NaN or Infinity",
        ));
    }
    let printed = sum.to_human().into_bytes();
    store_in_place(ctx, key, StrValue::plain(printed.clone()));
    ctx.stored_argument(key);
    ctx.notify(notify::STRING, "incrbyfloat", key);
    // Propagated as the value it produced, so that a replay does not depend on float maths.
    ctx.propagate_as(vec![aof::command(&[b"SET", key, &printed, b"KEEPTTL"])]);
    Ok(Reply::from(printed))
}

/// Answers the bytes of a string from `start` to `end` inclusive; negative offsets count from
/// the end, offsets are clamped to the string, a missing key is an empty string.
///
/// `GETRANGE key start end`
pub fn getrange_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let start = parse_i64(&argv[2]).ok_or_else(RedisError::not_integer)?;
    let end = parse_i64(&argv[3]).ok_or_else(RedisError::not_integer)?;
    let Some(s) = ctx.lookup_string(&argv[1], Lookup::READ)? else {
        return Ok(Reply::bulk(b""));
    };
    Ok(Reply::bulk(byte_range(&s.bytes, start, end)))
}

/// Overwrites the string at a key from `offset` with `value`, padding with zero bytes if the
/// string is shorter; answers the new length. An empty value changes nothing (and creates no
/// key).
///
/// `SETRANGE key offset value`
pub fn setrange_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (key, value) = (&argv[1], &argv[3]);
    let offset = parse_i64(&argv[2]).ok_or_else(RedisError::not_integer)?;
    let Ok(offset) = u64::try_from(offset) else {
        return Err(RedisError::new("ERR offset is out of range"));
    };
    let limit = ctx.engine.config.proto_max_bulk_len;
    let cap = ctx.engine.allocation_cap();
    let len = match ctx.lookup_string(key, Lookup::WRITE)? {
        None => {
            if value.is_empty() {
                return Ok(Reply::Integer(0));
            }
            let end = check_string_length(offset, value.len(), limit)?;
            if end > cap {
                return Err(OOM);
            }
            let mut bytes = Vec::new();
            bytes.try_reserve_exact(end).map_err(|_| out_of_memory())?;
            bytes.resize(end - value.len(), 0);
            bytes.extend_from_slice(value);
            ctx.set_key(key, Value::String(StrValue::raw(bytes)), false);
            end
        }
        Some(s) => {
            if value.is_empty() {
                return Ok(Reply::Integer(s.bytes.len() as i64));
            }
            let end = check_string_length(offset, value.len(), limit)?;
            if end > s.bytes.len() && end > cap {
                return Err(OOM);
            }
            if end > s.bytes.len() {
                let grow = end - s.bytes.len();
                s.bytes.with_vec(|bytes| {
                    bytes.try_reserve(grow).map_err(|_| out_of_memory())?;
                    Ok::<_, RedisError>(())
                })?;
            }
            s.prepare_in_place(end);
            if end > s.bytes.len() {
                s.bytes.with_vec(|bytes| bytes.resize(end, 0));
            }
            // end = offset + value.len() <= s.bytes.len() now, so the range exists.
            if let Some(dest) = s.bytes.get_mut(end - value.len()..end) {
                dest.copy_from_slice(value);
            }
            let len = s.bytes.len();
            ctx.modified(key);
            len
        }
    };
    ctx.notify(notify::STRING, "setrange", key);
    Ok(Reply::Integer(len as i64))
}

/// Answers the longest common subsequence of the strings at two keys (missing keys are empty
/// strings): the subsequence itself, its length with LEN, or with IDX the matching ranges
/// (last first) and the length; MINMATCHLEN drops shorter ranges, WITHMATCHLEN adds each
/// range's length.
///
/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]`
pub fn lcs_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    // Both keys are looked up (and counted) before either type is checked.
    let first = ctx
        .lookup_string(&argv[1], Lookup::READ)
        .map(|s| s.is_some());
    let second = ctx
        .lookup_string(&argv[2], Lookup::READ)
        .map(|s| s.is_some());
    if first.is_err() || second.is_err() {
        return Err(RedisError::new(
            "ERR The specified keys must contain string values",
        ));
    }
    let mut options = LcsOptions::default();
    let mut rest = argv.get(3..).unwrap_or_default().iter();
    while let Some(arg) = rest.next() {
        let opt = c_string(arg);
        if opt.eq_ignore_ascii_case(b"idx") {
            options.idx = true;
        } else if opt.eq_ignore_ascii_case(b"len") {
            options.len = true;
        } else if opt.eq_ignore_ascii_case(b"withmatchlen") {
            options.with_match_len = true;
        } else if opt.eq_ignore_ascii_case(b"minmatchlen") && rest.len() > 0 {
            let value = rest.next().map_or(&[][..], Vec::as_slice);
            let min = parse_i64(value).ok_or_else(RedisError::not_integer)?;
            options.min_match_len = min.max(0);
        } else {
            return Err(RedisError::syntax());
        }
    }
    if options.len && options.idx {
        return Err(RedisError::new(
            "ERR If you want both the length and indexes, please just use IDX.",
        ));
    }
    // The lookups above already expired stale keys and counted hits; read the values in place.
    let limit = ctx.engine.config.proto_max_bulk_len;
    let cap = ctx.engine.allocation_cap();
    let db = &*ctx.db();
    let a = string_bytes(db.peek(&argv[1]));
    let b = string_bytes(db.peek(&argv[2]));
    lcs(a, b, &options, limit, cap)
}

/// Options of SET (`Family::Set`) and GETEX (`Family::Get`), as Redis's
/// `parseExtendedStringArgumentsOrReply` reads them.
#[derive(Debug, Default)]
#[allow(clippy::struct_excessive_bools)] // Redis's own set of flags
struct ExtendedOptions<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    /// The last EX/PX/EXAT/PXAT given, with its unparsed argument.
    expire: Option<(ExpireKind, &'a [u8])>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Set,
    Get,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpireKind {
    Ex,
    Px,
    ExAt,
    PxAt,
}

impl<'a> ExtendedOptions<'a> {
    /// Reads the options after the key (GETEX) or the value (SET). An option that conflicts
    /// with one already given, belongs to the other command, or lacks its argument is a syntax
    /// error; repeating an option (even `EX 10 EX 20`) is allowed and the last one wins.
    fn parse(args: &'a [Vec<u8>], family: Family) -> Result<Self, RedisError> {
        let set = family == Family::Set;
        let mut o = ExtendedOptions::default();
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            let opt = c_string(arg);
            let next = args.get(i + 1);
            let expire_kind = o.expire.map(|(kind, _)| kind);
            let kind = [
                (&b"ex"[..], ExpireKind::Ex),
                (b"px", ExpireKind::Px),
                (b"exat", ExpireKind::ExAt),
                (b"pxat", ExpireKind::PxAt),
            ]
            .into_iter()
            .find(|(name, _)| opt.eq_ignore_ascii_case(name))
            .map(|(_, kind)| kind);
            if set && opt.eq_ignore_ascii_case(b"nx") && !o.xx {
                o.nx = true;
            } else if set && opt.eq_ignore_ascii_case(b"xx") && !o.nx {
                o.xx = true;
            } else if set && opt.eq_ignore_ascii_case(b"get") {
                o.get = true;
            } else if set
                && opt.eq_ignore_ascii_case(b"keepttl")
                && !o.persist
                && expire_kind.is_none()
            {
                o.keep_ttl = true;
            } else if !set
                && opt.eq_ignore_ascii_case(b"persist")
                && expire_kind.is_none()
                && !o.keep_ttl
            {
                o.persist = true;
            } else if let (Some(kind), Some(next)) = (kind, next)
                && !o.keep_ttl
                && !o.persist
                && expire_kind.is_none_or(|k| k == kind)
            {
                o.expire = Some((kind, next.as_slice()));
                i += 1;
            } else {
                return Err(RedisError::syntax());
            }
            i += 1;
        }
        Ok(o)
    }
}

/// Options of LCS.
#[derive(Debug, Default)]
struct LcsOptions {
    len: bool,
    idx: bool,
    with_match_len: bool,
    min_match_len: i64,
}

/// An argument as C sees it: up to its first zero byte. Redis compares option names with C
/// string functions, so `"nx\0anything"` is NX.
fn c_string(arg: &[u8]) -> &[u8] {
    arg.iter()
        .position(|&b| b == 0)
        .map_or(arg, |end| arg.get(..end).unwrap_or(arg))
}

/// An absolute expire time in milliseconds from an EX/PX/EXAT/PXAT argument, as Redis's
/// `getExpireMillisecondsOrReply`: positive, no overflow when converting seconds, and a relative
/// time added to now must stay positive (Redis's addition wraps on overflow, so does ours).
fn expire_at(ctx: &Ctx<'_>, kind: ExpireKind, arg: &[u8]) -> Result<i64, RedisError> {
    let invalid = || {
        RedisError::owned(format!(
            "ERR invalid expire time in '{}' command",
            ctx.spec.name
        ))
    };
    let value = parse_i64(arg).ok_or_else(RedisError::not_integer)?;
    let seconds = matches!(kind, ExpireKind::Ex | ExpireKind::ExAt);
    if value <= 0 || (seconds && value > i64::MAX / 1000) {
        return Err(invalid());
    }
    // value <= i64::MAX / 1000 here when in seconds: the product fits.
    let mut at = if seconds { value * 1000 } else { value };
    if matches!(kind, ExpireKind::Ex | ExpireKind::Px) {
        at = at.wrapping_add(ctx.now());
    }
    if at <= 0 {
        return Err(invalid());
    }
    Ok(at)
}

/// GET's core, as Redis's `getGenericCommand`: a read lookup (counted), WRONGTYPE for another
/// type, the bytes otherwise.
fn get_generic(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Vec<u8>>, RedisError> {
    Ok(ctx
        .lookup_string(key, Lookup::READ)?
        .map(|s| s.bytes.to_vec()))
}

/// SET's core, shared by SETNX, SETEX and PSETEX (Redis's `setGenericCommand`): the expire time
/// is checked first, then GET reads the old value, then NX/XX decide.
fn set_generic(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    value: &[u8],
    options: &ExtendedOptions<'_>,
    ok_reply: Reply,
    abort_reply: Reply,
) -> CmdResult {
    let at = match options.expire {
        Some((kind, arg)) => Some(expire_at(ctx, kind, arg)?),
        None => None,
    };
    let old = if options.get {
        Some(get_generic(ctx, key)?)
    } else {
        None
    };
    // Redis looks the key up for writing here, and `set_key` again. A plain SET needs no
    // answer from the first: the second expires a stale key just the same, and the touch is
    // lost with the entry replaced, except an LFU counter's increment, which `set_key` keeps.
    if options.nx || options.xx || ctx.engine.config.maxmemory_policy.is_lfu() {
        let found = ctx.write(key).is_some();
        if (options.nx && found) || (options.xx && !found) {
            return Ok(old.map_or(abort_reply, bulk_or_nil));
        }
    }
    ctx.set_key(key, Value::string_from(value), options.keep_ttl);
    ctx.stored_argument(key);
    ctx.notify(notify::STRING, "set", key);
    if let Some(at) = at {
        ctx.set_expire(key, Some(at));
        ctx.notify(notify::GENERIC, "expire", key);
        // Propagated as `SET key value PXAT ms` unless given as PXAT already (only built when
        // the append-only file takes it).
        if !matches!(options.expire, Some((ExpireKind::PxAt, _))) && ctx.engine.aof_feeding() {
            let at = at.to_string();
            ctx.propagate_as(vec![aof::command(&[
                b"SET",
                key,
                value,
                b"PXAT",
                at.as_bytes(),
            ])]);
        }
    }
    Ok(old.map_or(ok_reply, bulk_or_nil))
}

/// MSET and MSETNX: pairs are checked first, then (for NX) every key, then all are stored.
fn mset_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], nx: bool) -> CmdResult {
    if argv.len().is_multiple_of(2) {
        return Err(RedisError::wrong_arity(&ctx.spec.name));
    }
    let pairs = argv.get(1..).unwrap_or_default().chunks_exact(2);
    if nx {
        for key in pairs.clone().filter_map(<[Vec<u8>]>::first) {
            if ctx.write(key).is_some() {
                return Ok(Reply::Integer(0));
            }
        }
    }
    for pair in pairs {
        if let [key, value] = pair {
            ctx.set_key(key, Value::string_from(value), false);
            ctx.stored_argument(key);
            ctx.notify(notify::STRING, "set", key);
        }
    }
    Ok(if nx { Reply::Integer(1) } else { Reply::ok() })
}

/// INCR, DECR, INCRBY and DECRBY: the stored value must be a 64-bit integer as Redis reads
/// them, and the sum must not overflow. The expire time is kept.
fn incr_decr(ctx: &mut Ctx<'_>, key: &[u8], incr: i64) -> CmdResult {
    let overflow = || RedisError::new("ERR increment or decrement would overflow");
    // An existing value is replaced through the reference the lookup gave (as
    // `store_in_place` would, without finding the key a second time).
    let value = match ctx.lookup_string(key, Lookup::WRITE)? {
        None => {
            let value = incr;
            store_in_place(ctx, key, StrValue::from_i64(value));
            value
        }
        Some(s) => {
            let current = parse_i64(&s.bytes).ok_or_else(RedisError::not_integer)?;
            let value = current.checked_add(incr).ok_or_else(overflow)?;
            *s = StrValue::from_i64(value);
            ctx.modified(key);
            value
        }
    };
    ctx.notify(notify::STRING, "incrby", key);
    Ok(Reply::Integer(value))
}

/// Replaces the value of an existing string key in place (keeping its expire time and access
/// data, as Redis's `dbOverwrite`), or creates the key. Callers have just looked the key up for
/// writing, which removed it if stale and checked its type.
fn store_in_place(ctx: &mut Ctx<'_>, key: &[u8], value: StrValue) {
    match ctx.db().peek_mut(key) {
        Some(Entry {
            value: Value::String(s),
            ..
        }) => {
            *s = value;
            ctx.modified(key);
        }
        #[allow(unreachable_patterns)] // other types arrive with the collections
        _ => ctx.set_key(key, Value::String(value), false),
    }
}

/// Checks that a string of `size` bytes growing by `append` stays within `proto-max-bulk-len`
/// (`limit`, Redis's `checkStringLength`), and answers the new end.
fn check_string_length(size: u64, append: usize, limit: i64) -> Result<usize, RedisError> {
    u64::try_from(append)
        .ok()
        .and_then(|append| size.checked_add(append))
        .filter(|&total| total <= limit.max(0) as u64)
        .and_then(|total| usize::try_from(total).ok())
        .ok_or(RedisError::new(
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        ))
}

/// Redis's answer when an allocation fails. Within `proto-max-bulk-len` Redis itself allocates;
/// here a failed allocation (a browser's memory limit) is reported instead of aborting.
fn out_of_memory() -> RedisError {
    RedisError::new("OOM command not allowed when used memory > 'maxmemory'.")
}

/// GETRANGE's slice: negative offsets count from the end, both are clamped to the string, and
/// an inverted or empty range is empty.
fn byte_range(bytes: &[u8], start: i64, end: i64) -> &[u8] {
    if start < 0 && end < 0 && start > end {
        return &[];
    }
    // A string holds at most a few hundred megabytes: its length fits an i64.
    let len = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let from_end = |i: i64| {
        if i < 0 {
            len.saturating_add(i).max(0)
        } else {
            i
        }
    };
    let start = from_end(start);
    let end = from_end(end).min(len - 1);
    if start > end || len == 0 {
        return &[];
    }
    // 0 <= start <= end < len here.
    bytes.get(start as usize..=end as usize).unwrap_or_default()
}

fn bulk_or_nil(value: Option<Vec<u8>>) -> Reply {
    // Not `map_or(Reply::Nil, …)`: that default is dropped through a call when unused.
    match value {
        Some(bytes) => Reply::from(bytes),
        None => Reply::Nil,
    }
}

/// The bytes of a string entry; empty for a missing key (LCS treats it as "").
fn string_bytes(entry: Option<&Entry>) -> &[u8] {
    match entry.map(|e| &e.value) {
        Some(Value::String(s)) => &s.bytes,
        #[allow(unreachable_patterns)] // other types arrive with the collections
        _ => &[],
    }
}

/// LCS by dynamic programming over a table of prefix lengths, then a walk back from the end that
/// collects the subsequence and its ranges, as Redis's `lcsCommand` (the same tie-breaks, so the
/// same subsequence and ranges).
fn lcs(left: &[u8], right: &[u8], options: &LcsOptions, limit: i64, cap: usize) -> CmdResult {
    if left.len() >= u32::MAX as usize - 1 || right.len() >= u32::MAX as usize - 1 {
        return Err(RedisError::new("ERR String too long for LCS"));
    }
    let (alen, blen) = (left.len(), right.len());
    let cells = (alen as u64 + 1) * (blen as u64 + 1); // both below 2^32: no overflow
    // Redis's table holds 4-byte cells and refuses one larger than proto-max-bulk-len.
    if cells.saturating_mul(4) > limit.max(0) as u64 {
        return Err(RedisError::new(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    // No cell exceeds the length of the shorter string: with the default limit (2^27 cells) it
    // has at most 11584 bytes, so 16-bit cells hold every value, in half the memory. Only a
    // limit raised past 16 GB allows a longer one; such a table is refused as too large to
    // allocate.
    let cells = cells as usize;
    // A table larger than `maxmemory` (when set) is refused before it is allocated.
    if cells.saturating_mul(std::mem::size_of::<u16>()) > cap {
        return Err(OOM);
    }
    let mut table: Vec<u16> = Vec::new();
    if alen.min(blen) > usize::from(u16::MAX) || table.try_reserve_exact(cells).is_err() {
        return Err(RedisError::new(
            "ERR Insufficient memory, failed allocating transient memory for LCS",
        ));
    }
    table.resize(cells, 0);
    let width = blen + 1;
    let at = |i: usize, j: usize| i * width + j; // i <= alen, j <= blen: within the table
    for (i, &ca) in left.iter().enumerate() {
        for (j, &cb) in right.iter().enumerate() {
            let value = if ca == cb {
                table[at(i, j)] + 1
            } else {
                table[at(i, j + 1)].max(table[at(i + 1, j)])
            };
            table[at(i + 1, j + 1)] = value;
        }
    }
    let total = table[at(alen, blen)];
    let mut subsequence = vec![0u8; usize::from(total)];
    let mut ranges: Vec<Reply> = Vec::new();
    if options.idx || !options.len {
        // The current range, as (a_start, a_end, b_start, b_end), grown backwards.
        let mut range: Option<(usize, usize, usize, usize)> = None;
        let (mut i, mut j, mut remaining) = (alen, blen, usize::from(total));
        while i > 0 && j > 0 {
            let mut emit = false;
            let (ca, cb) = (left.get(i - 1), right.get(j - 1));
            if ca == cb {
                // Each match on this walk lowers the table's value by one, from `total` to 0,
                // so `remaining` (the matches still to place) never runs out; stop if it did.
                let Some(next) = remaining.checked_sub(1) else {
                    break;
                };
                remaining = next;
                if let (Some(slot), Some(&c)) = (subsequence.get_mut(remaining), ca) {
                    *slot = c;
                }
                match range {
                    None => range = Some((i - 1, i - 1, j - 1, j - 1)),
                    Some((a_start, a_end, b_start, b_end)) if a_start == i && b_start == j => {
                        range = Some((a_start - 1, a_end, b_start - 1, b_end));
                    }
                    Some(_) => emit = true,
                }
                // A range that reaches the start of either string ends here.
                if range.is_some_and(|(a_start, _, b_start, _)| a_start == 0 || b_start == 0) {
                    emit = true;
                }
                i -= 1;
                j -= 1;
            } else {
                if table[at(i - 1, j)] > table[at(i, j - 1)] {
                    i -= 1;
                } else {
                    j -= 1;
                }
                emit = range.is_some();
            }
            if emit && let Some((a_start, a_end, b_start, b_end)) = range.take() {
                let match_len = a_end - a_start + 1;
                if options.idx && match_len as i64 >= options.min_match_len {
                    let mut item = vec![
                        Reply::Array(vec![
                            Reply::Integer(a_start as i64),
                            Reply::Integer(a_end as i64),
                        ]),
                        Reply::Array(vec![
                            Reply::Integer(b_start as i64),
                            Reply::Integer(b_end as i64),
                        ]),
                    ];
                    if options.with_match_len {
                        item.push(Reply::Integer(match_len as i64));
                    }
                    ranges.push(Reply::Array(item));
                }
            }
        }
    }
    Ok(if options.idx {
        Reply::Map(vec![
            (Reply::bulk(b"matches"), Reply::Array(ranges)),
            (Reply::bulk(b"len"), Reply::Integer(i64::from(total))),
        ])
    } else if options.len {
        Reply::Integer(i64::from(total))
    } else {
        Reply::from(subsequence)
    })
}

#[cfg(test)]
mod tests {
    //! What the conformance scripts cannot show until OBJECT, TTL, INFO and SUBSCRIBE exist:
    //! encodings, expire times, keyspace notifications and hit/miss counts, each checked against
    //! redis-server 7.0.15 by hand (OBJECT ENCODING, TTL, PSUBSCRIBE, INFO stats).

    use crate::pubsub::notify;
    use crate::{ClientId, Engine, Reply};

    const NOW: i64 = 1_767_225_600_000;

    fn engine() -> (Engine, ClientId) {
        let mut engine = Engine::new();
        engine.set_time(NOW);
        let client = engine.connect();
        (engine, client)
    }

    fn run(engine: &mut Engine, client: ClientId, line: &str) -> Reply {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|a| a.as_bytes().to_vec()).collect();
        engine.exec(client, &argv)
    }

    fn encoding(engine: &Engine, key: &str) -> &'static str {
        engine.dbs[0]
            .peek(key.as_bytes())
            .map_or("none", |e| e.value.encoding_name())
    }

    fn expire_at(engine: &Engine, key: &str) -> Option<i64> {
        engine.dbs[0]
            .peek(key.as_bytes())
            .and_then(crate::keyspace::Entry::expire_at)
    }

    #[test]
    fn stored_encodings_match_object_encoding() {
        let (mut e, c) = engine();
        let cases: &[(&str, &str, &str)] = &[
            ("SET a 123", "a", "int"),
            ("SET b 12345678901234567890", "b", "embstr"),
            ("SET d 01", "d", "embstr"),
            (
                "SET big xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "big",
                "raw",
            ),
            (
                "SET e44 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "e44",
                "embstr",
            ),
            ("INCRBYFLOAT f 3", "f", "embstr"),
            ("INCRBYFLOAT f 1.5", "f", "embstr"),
            ("INCRBYFLOAT a 1", "a", "embstr"),
            ("INCR a", "a", "int"),
            ("INCR n0", "n0", "int"),
            ("INCRBY a 10000", "a", "int"),
            ("DECR a", "a", "int"),
            ("APPEND ap 123", "ap", "int"),
            ("APPEND ap 4", "ap", "raw"),
            ("APPEND ap2 xyz", "ap2", "embstr"),
            ("SET ap3 abc", "ap3", "embstr"),
            ("APPEND ap3 ", "ap3", "raw"),
            ("SETRANGE sr 0 12", "sr", "raw"),
            ("SET sr2 12", "sr2", "int"),
            ("SETRANGE sr2 0 3", "sr2", "raw"),
            ("SET sr3 12", "sr3", "int"),
            ("SETRANGE sr3 0 ", "sr3", "int"),
            ("GETSET gs 42", "gs", "int"),
            ("SETEX sx 100 7", "sx", "int"),
            ("PSETEX px 100000 77", "px", "int"),
            ("SETNX nx 8", "nx", "int"),
            ("MSET m1 9 m2 x", "m1", "int"),
            ("MSET m1 9 m2 x", "m2", "embstr"),
            ("MSETNX m3 10", "m3", "int"),
            ("SET ex5 5 GET", "ex5", "int"),
            ("GETEX ex5 EX 100", "ex5", "int"),
            ("INCRBYFLOAT fl 1e300", "fl", "raw"),
            ("SET neg -5", "neg", "int"),
            ("INCRBYFLOAT neg 5", "neg", "embstr"),
        ];
        for &(line, key, want) in cases {
            let reply = run(&mut e, c, line);
            assert!(!reply.is_error(), "{line}: {reply:?}");
            assert_eq!(encoding(&e, key), want, "after {line}");
        }
    }

    #[test]
    fn expire_times_follow_redis() {
        let (mut e, c) = engine();
        let keeps = [
            "INCRBYFLOAT k 1",
            "INCR k",
            "APPEND k 1",
            "SETRANGE k 0 2",
            "SET k 5 KEEPTTL",
            "SET k 5 KEEPTTL GET",
            "SETNX k 5",
            "MSETNX k 5",
            "GETEX k",
            "SET k 6 XX KEEPTTL",
            "SETRANGE k 0 ",
            "APPEND k ",
        ];
        let drops = ["GETSET k 5", "MSET k 5", "SET k 5", "SET k 5 GET"];
        for line in keeps {
            run(&mut e, c, "SET k 1 EX 100");
            run(&mut e, c, line);
            assert_eq!(expire_at(&e, "k"), Some(NOW + 100_000), "{line}");
        }
        for line in drops {
            run(&mut e, c, "SET k 1 EX 100");
            run(&mut e, c, line);
            assert_eq!(expire_at(&e, "k"), None, "{line}");
        }
        let absolute = [
            ("SET k v PX 1500", NOW + 1500),
            ("SET k v EXAT 4102444800", 4_102_444_800_000),
            ("SET k v PXAT 4102444800123", 4_102_444_800_123),
            ("SETEX k 7 v", NOW + 7000),
            ("PSETEX k 7 v", NOW + 7),
            ("GETEX k EX 9", NOW + 9000),
            ("GETEX k PX 9", NOW + 9),
            ("GETEX k EXAT 4102444801", 4_102_444_801_000),
            ("GETEX k PXAT 4102444801001", 4_102_444_801_001),
        ];
        for (line, at) in absolute {
            run(&mut e, c, line);
            assert_eq!(expire_at(&e, "k"), Some(at), "{line}");
        }
        run(&mut e, c, "GETEX k PERSIST");
        assert_eq!(expire_at(&e, "k"), None);
        // A past EXAT is stored (the key stays until its next access); GETEX deletes at once.
        run(&mut e, c, "SET p v EXAT 1");
        assert_eq!(expire_at(&e, "p"), Some(1000));
        assert_eq!(run(&mut e, c, "GET p"), Reply::Nil);
        run(&mut e, c, "SET q v");
        run(&mut e, c, "GETEX q EXAT 1");
        assert!(e.dbs[0].peek(b"q").is_none());
    }

    #[test]
    fn keyspace_notifications_match_redis() {
        let (mut e, c) = engine();
        let sub = e.connect();
        e.config.notify_keyspace_events =
            notify::KEYEVENT | notify::GENERIC | notify::STRING | notify::EXPIRED;
        e.pubsub.add_pattern(b"__keyevent@0__:*", sub);
        let script = [
            "SET k v",
            "SET k v2 EX 100",
            "SET k v3 NX",
            "SET k v4 XX GET",
            "SET p v PXAT 1",
            "GET p",
            "SETNX n 1",
            "SETNX n 2",
            "SETEX e 100 v",
            "PSETEX e 100000 v",
            "GETSET k x",
            "MSET a 1 b 2",
            "MSETNX a 1 c 3",
            "MSETNX c 3 d 4",
            "APPEND a x",
            "APPEND new ",
            "SETRANGE a 0 y",
            "SETRANGE a 0 ",
            "SETRANGE none 0 ",
            "INCR i",
            "DECR i",
            "INCRBY i 5",
            "DECRBY i 5",
            "INCRBYFLOAT i 1.5",
            "INCR k",
            "INCRBYFLOAT k 1",
            "GETEX e",
            "GETEX e EX 100",
            "GETEX e PERSIST",
            "GETEX e PERSIST",
            "GETEX e PXAT 1",
            "GETDEL a",
            "GETDEL a",
            "GETEX b EXAT 1",
        ];
        for line in script {
            run(&mut e, c, line);
        }
        let events = crate::pubsub::keyevents_received(&mut e, sub);
        let want = [
            "set k",
            "set k",
            "expire k",
            "set k",
            "set p",
            "expire p",
            "expired p",
            "set n",
            "set e",
            "expire e",
            "set e",
            "expire e",
            "set k",
            "set a",
            "set b",
            "set c",
            "set d",
            "append a",
            "append new",
            "setrange a",
            "incrby i",
            "incrby i",
            "incrby i",
            "incrby i",
            "incrbyfloat i",
            "expire e",
            "persist e",
            "del e",
            "del a",
            "del b",
        ];
        assert_eq!(events, want);
    }

    #[test]
    fn hits_and_misses_match_info_stats() {
        let (mut e, c) = engine();
        let cases: &[(&str, u64, u64)] = &[
            ("GET k", 0, 1),
            ("SET k v", 0, 0),
            ("GET k", 1, 0),
            ("SET k v GET", 1, 0),
            ("SET k2 v GET", 0, 1),
            ("SET k v NX", 0, 0),
            ("SETNX k v", 0, 0),
            ("SETEX k 10 v", 0, 0),
            ("GETSET k v", 1, 0),
            ("GETSET k3 v", 0, 1),
            ("GETDEL k3", 1, 0),
            ("GETDEL k3", 0, 1),
            ("GETEX k", 1, 0),
            ("GETEX nokey", 0, 1),
            ("GETEX k EX 100", 1, 0),
            ("MGET k nokey k", 2, 1),
            ("MSET k v", 0, 0),
            ("MSETNX k v", 0, 0),
            ("APPEND k v", 0, 0),
            ("STRLEN k", 1, 0),
            ("STRLEN nokey", 0, 1),
            ("INCR n", 0, 0),
            ("INCRBYFLOAT n 1", 0, 0),
            ("GETRANGE k 0 1", 1, 0),
            ("GETRANGE nokey 0 1", 0, 1),
            ("GETRANGE k a b", 0, 0),
            ("SETRANGE k 0 x", 0, 0),
            ("LCS k nokey", 1, 1),
            ("LCS k n FOO", 2, 0),
            ("SUBSTR k 0 1", 1, 0),
        ];
        for &(line, hits, misses) in cases {
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
}
