//! String commands: GET, SET.

use crate::command::{Command, Ctx};
use crate::engine::Lookup;
use crate::errors::{CmdResult, RedisError};
use crate::keyspace::Value;
use crate::reply::Reply;

/// The string group's registrations.
pub static COMMANDS: &[Command] = &[
    Command::new(
        "get",
        get_command,
        "Answers the string stored at a key, or nil.",
    ),
    Command::new("set", set_command, "Stores a string at a key."),
];

/// Answers the string value of a key, nil when missing.
///
/// `GET key`
pub fn get_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(ctx
        .lookup_string(&argv[1], Lookup::READ)?
        .map_or(Reply::Nil, |s| Reply::bulk(&s.bytes)))
}

/// Stores a string value, dropping any previous value and expire time.
///
/// `SET key value`
pub fn set_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    if argv.len() > 3 {
        return Err(RedisError::syntax());
    }
    ctx.set_key(&argv[1], Value::string(argv[2].clone()), false);
    Ok(Reply::ok())
}
