//! Argument parsing shared by handlers, with Redis's exact rules and error texts.

use std::borrow::Cow;

use crate::engine::DATABASES;
use crate::errors::RedisError;
use crate::num::parse_i64;
use crate::reply::Reply;

/// The argument as C code sees it through `argv[i]->ptr`: up to its first NUL byte.
pub fn c_str(arg: &[u8]) -> &[u8] {
    arg.iter()
        .position(|&b| b == 0)
        .map_or(arg, |nul| arg.get(..nul).unwrap_or(arg))
}

/// Whether an option argument is `word`, as Redis's `strcasecmp(argv[i]->ptr, "word")`: ASCII
/// case-insensitive, and the argument ends at its first NUL byte (`"count\0x"` is `COUNT`).
pub fn is(arg: &[u8], word: &str) -> bool {
    c_str(arg).eq_ignore_ascii_case(word.as_bytes())
}

/// An `int` argument, as `getIntFromObjectOrReply`: `msg` replaces both of its errors when
/// given (`SWAPDB`'s `invalid first DB index`).
pub fn int_arg(arg: &[u8], msg: Option<&'static str>) -> Result<i32, RedisError> {
    let value = parse_i64(arg).ok_or(match msg {
        Some(m) => RedisError::new(m),
        None => RedisError::not_integer(),
    })?;
    i32::try_from(value).map_err(|_| match msg {
        Some(m) => RedisError::new(m),
        None => RedisError::new(
            "ERR value is out of range, value must between -2147483648 and 2147483647",
        ),
    })
}

/// A database index, as `SELECT`, `MOVE` and `COPY … DB` read it: an `int`, then within the
/// configured databases (`ERR DB index is out of range`).
pub fn db_index(arg: &[u8]) -> Result<usize, RedisError> {
    db_in_range(int_arg(arg, None)?)
}

/// A parsed database number, checked as Redis's `selectDb`.
pub fn db_in_range(id: i32) -> Result<usize, RedisError> {
    usize::try_from(id)
        .ok()
        .filter(|&db| db < DATABASES)
        .ok_or(RedisError::db_index())
}

/// A blocking command's timeout in seconds, as Redis's `getTimeoutFromObjectOrReply`: read as a
/// `long double` (decimals, hex floats), turned into milliseconds rounded up (`ceill`, then C's
/// conversion: huge values come out negative), and made absolute
/// from `now_ms`. `None` (timeout 0) waits forever.
pub fn timeout_deadline(arg: &[u8], now_ms: i64) -> Result<Option<i64>, RedisError> {
    let seconds = crate::long_double::LongDouble::parse(arg).ok_or(RedisError::new(
        "ERR timeout is not a float or out of range",
    ))?;
    let ms = seconds.mul_ceil_i64(1000);
    if ms < 0 {
        return Err(RedisError::new("ERR timeout is negative"));
    }
    if ms == 0 {
        return Ok(None);
    }
    // Redis 7.0 adds without a check; a deadline that wraps is, seen as the unsigned number its
    // timeout table orders by, never reached: the client waits for ever.
    let deadline = now_ms.wrapping_add(ms);
    Ok((deadline >= 0).then_some(deadline))
}

/// Redis's `addReplySubcommandSyntaxError`: a known subcommand given a wrong number of
/// arguments (or an unknown one, for commands that dispatch their own subcommands).
pub fn subcommand_syntax_error(argv: &[Vec<u8>]) -> RedisError {
    let command = argv.first().map_or(&[][..], Vec::as_slice);
    let sub = c_str(argv.get(1).map_or(&[][..], Vec::as_slice));
    let sub = sub.get(..128).unwrap_or(sub);
    RedisError::owned(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        String::from_utf8_lossy(sub),
        String::from_utf8_lossy(c_str(command)).to_ascii_uppercase()
    ))
}

/// A `HELP` reply as Redis's `addReplyHelp`: a header naming the command as typed (uppercased),
/// the lines, and the lines of `HELP` itself.
pub fn help_reply(command: &[u8], lines: &[&'static str]) -> Reply {
    let header = format!(
        "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        String::from_utf8_lossy(command).to_ascii_uppercase()
    );
    let mut replies = Vec::with_capacity(lines.len() + 3);
    replies.push(Reply::Status(Cow::Owned(header)));
    replies.extend(lines.iter().map(|l| Reply::status(l)));
    replies.push(Reply::status("HELP"));
    replies.push(Reply::status("    Prints this help."));
    Reply::Array(replies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_compare_like_strcasecmp() {
        assert!(is(b"CoUnT", "count"));
        assert!(is(b"count\0junk", "count"));
        assert!(!is(b"counts", "count"));
        assert!(!is(b"", "count"));
        assert_eq!(c_str(b"ab\0cd"), b"ab");
    }

    #[test]
    fn int_arguments_and_database_indexes() {
        assert_eq!(int_arg(b"-2147483648", None), Ok(i32::MIN));
        assert_eq!(
            int_arg(b"2147483648", None).map_err(|e| e.to_string()),
            Err(
                "ERR value is out of range, value must between -2147483648 and 2147483647"
                    .to_string()
            )
        );
        assert_eq!(int_arg(b"+1", None), Err(RedisError::not_integer()));
        assert_eq!(
            int_arg(b"2147483648", Some("ERR invalid first DB index")),
            Err(RedisError::new("ERR invalid first DB index"))
        );
        assert_eq!(db_index(b"15"), Ok(15));
        assert_eq!(db_index(b"16"), Err(RedisError::db_index()));
        assert_eq!(db_index(b"-1"), Err(RedisError::db_index()));
    }
}
