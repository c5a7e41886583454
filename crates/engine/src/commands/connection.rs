//! Connection commands: PING, ECHO.

use crate::command::{CommandSpec, Ctx};
use crate::errors;
use crate::reply::Reply;

/// The connection group's rows of the command table.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: &["fast", "sentinel"],
        first_key: 0,
        last_key: 0,
        step: 0,
        group: "connection",
        since: "1.0.0",
        summary: "Checks that the server answers: PONG, or the message given.",
        syntax: "[message]",
        handler: ping_command,
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: &["fast"],
        first_key: 0,
        last_key: 0,
        step: 0,
        group: "connection",
        since: "1.0.0",
        summary: "Answers with the message it was given.",
        syntax: "message",
        handler: echo_command,
    },
];

/// Answers `PONG`, or the message as a bulk string.
///
/// `PING [message]`
pub fn ping_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match argv {
        [_] => Reply::status("PONG"),
        [_, message] => Reply::bulk(message),
        _ => errors::wrong_arity(ctx.spec.name),
    }
}

/// Answers the message.
///
/// `ECHO message`
pub fn echo_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    Reply::bulk(&argv[1])
}
