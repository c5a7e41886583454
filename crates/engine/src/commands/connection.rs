//! Connection commands: PING, ECHO, SELECT.

use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::errors::{CmdResult, RedisError};
use crate::reply::Reply;

/// The connection group's registrations.
pub static COMMANDS: &[Command] = &[
    Command::new(
        "ping",
        ping_command,
        "Checks that the server answers: PONG, or the message given.",
    ),
    Command::new(
        "echo",
        echo_command,
        "Answers with the message it was given.",
    ),
    Command::new(
        "select",
        select_command,
        "Switches this connection to another numbered database.",
    ),
];

/// Answers `PONG`, or the message as a bulk string.
///
/// `PING [message]`
pub fn ping_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    match argv {
        [_] => Ok(Reply::status("PONG")),
        [_, message] => Ok(Reply::bulk(message)),
        _ => Err(RedisError::wrong_arity(&ctx.spec.name)),
    }
}

/// Answers the message.
///
/// `ECHO message`
pub fn echo_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::bulk(&argv[1]))
}

/// Makes another database (0 to 15) the connection's current one.
///
/// `SELECT index`
pub fn select_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let db = args::db_index(&argv[1])?;
    ctx.select(db);
    Ok(Reply::ok())
}
