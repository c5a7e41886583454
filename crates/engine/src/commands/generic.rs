//! Generic key commands: DEL.

use crate::command::{Command, Ctx};
use crate::errors::CmdResult;
use crate::reply::Reply;

/// The generic group's registrations.
pub static COMMANDS: &[Command] = &[Command::new(
    "del",
    del_command,
    "Deletes keys and answers how many existed.",
)];

/// Deletes the keys and answers how many of them existed.
///
/// `DEL key [key ...]`
pub fn del_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let deleted = argv[1..].iter().filter(|key| ctx.delete(key)).count();
    Ok(Reply::Integer(deleted as i64))
}
