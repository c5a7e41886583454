//! Generic key commands: DEL.

use crate::command::{CommandSpec, Ctx};
use crate::reply::Reply;

/// The generic group's rows of the command table.
pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "del",
    arity: -2,
    flags: &["write"],
    first_key: 1,
    last_key: -1,
    step: 1,
    group: "generic",
    since: "1.0.0",
    summary: "Deletes keys and answers how many existed.",
    syntax: "key [key ...]",
    handler: del_command,
}];

/// Deletes the keys and answers how many of them existed.
///
/// `DEL key [key ...]`
pub fn del_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut deleted = 0;
    for key in &argv[1..] {
        if ctx.engine.delete(ctx.client, ctx.db, key, ctx.spec.name) {
            deleted += 1;
        }
    }
    Reply::Integer(deleted)
}
