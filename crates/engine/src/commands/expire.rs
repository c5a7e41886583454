//! Expire commands (Redis's `expire.c`): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL,
//! EXPIRETIME, PEXPIRETIME and PERSIST.

use crate::aof;
use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::engine::Lookup;
use crate::errors::{CmdResult, RedisError};
use crate::num::parse_i64;
use crate::pubsub::notify;
use crate::reply::Reply;

/// The expire commands' registrations (Redis files them under the generic group).
pub static COMMANDS: &[Command] = &[
    Command::new(
        "expire",
        expire_command,
        "Sets a key to expire after a number of seconds.",
    ),
    Command::new(
        "pexpire",
        pexpire_command,
        "Sets a key to expire after a number of milliseconds.",
    ),
    Command::new(
        "expireat",
        expireat_command,
        "Sets a key to expire at a Unix time in seconds.",
    ),
    Command::new(
        "pexpireat",
        pexpireat_command,
        "Sets a key to expire at a Unix time in milliseconds.",
    ),
    Command::new(
        "ttl",
        ttl_command,
        "Answers the seconds left before a key expires (-1 without expiry, -2 when missing).",
    ),
    Command::new(
        "pttl",
        pttl_command,
        "Answers the milliseconds left before a key expires (-1 without expiry, -2 when missing).",
    ),
    Command::new(
        "expiretime",
        expiretime_command,
        "Answers the Unix time in seconds at which a key expires (-1 without expiry, -2 when missing).",
    ),
    Command::new(
        "pexpiretime",
        pexpiretime_command,
        "Answers the Unix time in milliseconds at which a key expires (-1 without expiry, -2 when missing).",
    ),
    Command::new(
        "persist",
        persist_command,
        "Removes a key's expire time so that it lives until deleted.",
    ),
];

/// How the time argument of an expire command is read.
#[derive(Clone, Copy)]
enum Unit {
    Seconds,
    Milliseconds,
}

/// The conditions `NX`, `XX`, `GT`, `LT` of the expire commands.
// Four independent words that may all be given (their combinations are checked after).
#[allow(clippy::struct_excessive_bools)]
#[derive(Default)]
struct Conditions {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl Conditions {
    /// Parses the arguments after the time, as `parseExtendedExpireArgumentsOrReply`: every
    /// word is checked before the combinations are.
    fn parse(words: &[Vec<u8>]) -> Result<Self, RedisError> {
        let mut c = Conditions::default();
        for word in words {
            if args::is(word, "nx") {
                c.nx = true;
            } else if args::is(word, "xx") {
                c.xx = true;
            } else if args::is(word, "gt") {
                c.gt = true;
            } else if args::is(word, "lt") {
                c.lt = true;
            } else {
                return Err(RedisError::owned(format!(
                    "ERR Unsupported option {}",
                    String::from_utf8_lossy(args::c_str(word))
                )));
            }
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(RedisError::new(
                "ERR NX and XX, GT or LT options at the same time are not compatible",
            ));
        }
        if c.gt && c.lt {
            return Err(RedisError::new(
                "ERR GT and LT options at the same time are not compatible",
            ));
        }
        Ok(c)
    }

    /// Whether a new expire time may replace the current one (`None`: no expire time, which
    /// counts as infinite for `GT` and `LT`).
    fn allow(&self, current: Option<i64>, when: i64) -> bool {
        if self.nx && current.is_some() {
            return false;
        }
        if self.xx && current.is_none() {
            return false;
        }
        if self.gt && current.is_none_or(|at| when <= at) {
            return false;
        }
        if self.lt && current.is_some_and(|at| when >= at) {
            return false;
        }
        true
    }
}

/// Sets a key's time to live in seconds; 1 if set, 0 if the key is missing or a condition
/// refused it. A time in the past deletes the key (with a `del` notification).
///
/// `EXPIRE key seconds [NX|XX|GT|LT]`
pub fn expire_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let now = ctx.now();
    expire(ctx, argv, now, Unit::Seconds)
}

/// Sets a key's time to live in milliseconds, as `EXPIRE` does in seconds.
///
/// `PEXPIRE key milliseconds [NX|XX|GT|LT]`
pub fn pexpire_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let now = ctx.now();
    expire(ctx, argv, now, Unit::Milliseconds)
}

/// Sets a key to expire at a Unix time in seconds, as `EXPIRE` does for a duration.
///
/// `EXPIREAT key unix-time-seconds [NX|XX|GT|LT]`
pub fn expireat_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    expire(ctx, argv, 0, Unit::Seconds)
}

/// Sets a key to expire at a Unix time in milliseconds, as `EXPIRE` does for a duration.
///
/// `PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]`
pub fn pexpireat_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    expire(ctx, argv, 0, Unit::Milliseconds)
}

/// The four expire commands, as Redis's `expireGenericCommand`: `base` is the current time for
/// relative forms and 0 for absolute ones.
fn expire(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], base: i64, unit: Unit) -> CmdResult {
    let key = &argv[1];
    let conditions = Conditions::parse(argv.get(3..).unwrap_or_default())?;
    let time = parse_i64(&argv[2]).ok_or(RedisError::not_integer())?;
    let invalid = || {
        RedisError::owned(format!(
            "ERR invalid expire time in '{}' command",
            ctx.spec.name
        ))
    };
    // Negative times are allowed (they delete the key); only overflows are refused.
    let when = match unit {
        Unit::Seconds => time.checked_mul(1000).ok_or_else(invalid)?,
        Unit::Milliseconds => time,
    };
    let when = checked_add_upwards(when, base).ok_or_else(invalid)?;
    let Some(entry) = ctx.write(key) else {
        return Ok(Reply::Integer(0));
    };
    if !conditions.allow(entry.expire_at(), when) {
        return Ok(Reply::Integer(0));
    }
    if when <= ctx.now() {
        ctx.delete(key);
        ctx.notify(notify::GENERIC, "del", key);
        ctx.propagate_as(vec![aof::command(&[b"DEL", key])]);
    } else {
        ctx.set_expire(key, Some(when));
        ctx.expire_changed(key);
        ctx.notify(notify::GENERIC, "expire", key);
        // Propagated with the absolute time, so that a replay later means the same moment
        // (only built when the append-only file takes it).
        if ctx.spec.name != "pexpireat" && ctx.engine.aof_feeding() {
            let mut rewritten = aof::command(&[b"PEXPIREAT", key, when.to_string().as_bytes()]);
            rewritten.extend(argv.get(3..).unwrap_or_default().iter().cloned());
            ctx.propagate_as(vec![rewritten]);
        }
    }
    Ok(Reply::Integer(1))
}

/// `when + base` for `base >= 0`, refused as Redis refuses it (`when > LLONG_MAX - base`); a
/// sum below `i64::MIN` cannot happen since `base` is not negative.
fn checked_add_upwards(when: i64, base: i64) -> Option<i64> {
    if when > i64::MAX.saturating_sub(base) {
        None
    } else {
        when.checked_add(base)
    }
}

/// What the four TTL commands answer.
#[derive(Clone, Copy)]
enum Ttl {
    /// Time left (`TTL`, `PTTL`).
    Left,
    /// Absolute expire time (`EXPIRETIME`, `PEXPIRETIME`).
    At,
}

/// Answers the seconds a key has left, rounded to the nearest second; -1 when it has no expire
/// time, -2 when it does not exist.
///
/// `TTL key`
pub fn ttl_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    ttl(ctx, argv, Ttl::Left, Unit::Seconds)
}

/// Answers the milliseconds a key has left; -1 when it has no expire time, -2 when it does not
/// exist.
///
/// `PTTL key`
pub fn pttl_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    ttl(ctx, argv, Ttl::Left, Unit::Milliseconds)
}

/// Answers the Unix time in seconds (rounded to the nearest) at which a key expires; -1 when
/// it has no expire time, -2 when it does not exist.
///
/// `EXPIRETIME key`
pub fn expiretime_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    ttl(ctx, argv, Ttl::At, Unit::Seconds)
}

/// Answers the Unix time in milliseconds at which a key expires; -1 when it has no expire
/// time, -2 when it does not exist.
///
/// `PEXPIRETIME key`
pub fn pexpiretime_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    ttl(ctx, argv, Ttl::At, Unit::Milliseconds)
}

fn ttl(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], what: Ttl, unit: Unit) -> CmdResult {
    let now = ctx.now();
    let Some(entry) = ctx.lookup(&argv[1], Lookup::READ_NOTOUCH) else {
        return Ok(Reply::Integer(-2));
    };
    let Some(at) = entry.expire_at() else {
        return Ok(Reply::Integer(-1));
    };
    let ms = match what {
        Ttl::Left => at.saturating_sub(now).max(0),
        Ttl::At => at.max(0),
    };
    Ok(Reply::Integer(match unit {
        Unit::Milliseconds => ms,
        // Rounded half up; Redis's `(ttl+500)/1000` is computed without overflow (as its
        // compiler does for an expire time near the largest integer).
        Unit::Seconds => i64::try_from((i128::from(ms) + 500) / 1000).unwrap_or(i64::MAX),
    }))
}

/// Removes a key's expire time: 1 if it had one, 0 if it had none or does not exist.
///
/// `PERSIST key`
pub fn persist_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let volatile = ctx.write(key).is_some_and(|e| e.expire_at().is_some());
    if !volatile {
        return Ok(Reply::Integer(0));
    }
    ctx.set_expire(key, None);
    ctx.expire_changed(key);
    ctx.notify(notify::GENERIC, "persist", key);
    Ok(Reply::Integer(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conditions(words: &[&str]) -> Result<Conditions, RedisError> {
        let words: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        Conditions::parse(&words)
    }

    #[test]
    fn conditions_combine_as_redis_allows() {
        assert!(conditions(&["xx", "gt"]).is_ok());
        assert!(conditions(&["XX", "lt", "xx"]).is_ok());
        assert!(conditions(&["nx", "nx"]).is_ok());
        for bad in [&["nx", "xx"][..], &["gt", "nx"], &["lt", "nx"]] {
            assert_eq!(
                conditions(bad).err(),
                Some(RedisError::new(
                    "ERR NX and XX, GT or LT options at the same time are not compatible"
                ))
            );
        }
        assert_eq!(
            conditions(&["gt", "lt", "nx"]).err(),
            Some(RedisError::new(
                "ERR NX and XX, GT or LT options at the same time are not compatible"
            )),
            "NX is checked first"
        );
        assert_eq!(
            conditions(&["gt", "lt"]).err(),
            Some(RedisError::new(
                "ERR GT and LT options at the same time are not compatible"
            ))
        );
        assert_eq!(
            conditions(&["gt", "foo\0bar", "baz"]).err(),
            Some(RedisError::new("ERR Unsupported option foo"))
        );
    }

    #[test]
    fn gt_and_lt_treat_no_expiry_as_infinite() {
        let gt = conditions(&["gt"]).expect("valid");
        assert!(!gt.allow(None, 5));
        assert!(gt.allow(Some(4), 5));
        assert!(!gt.allow(Some(5), 5));
        let lt = conditions(&["lt"]).expect("valid");
        assert!(lt.allow(None, 5));
        assert!(lt.allow(Some(6), 5));
        assert!(!lt.allow(Some(5), 5));
    }

    #[test]
    fn overflow_is_refused_as_redis_refuses_it() {
        assert_eq!(checked_add_upwards(i64::MAX, 0), Some(i64::MAX));
        assert_eq!(checked_add_upwards(i64::MAX - 5, 5), Some(i64::MAX));
        assert_eq!(checked_add_upwards(i64::MAX - 5, 6), None);
        assert_eq!(checked_add_upwards(i64::MIN, 5), Some(i64::MIN + 5));
    }
}
