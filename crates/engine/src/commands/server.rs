//! Server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB.

use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::errors::{CmdResult, RedisError};
use crate::reply::Reply;

/// The server group's registrations.
pub static COMMANDS: &[Command] = &[
    Command::new(
        "dbsize",
        dbsize_command,
        "Answers the number of keys in the current database.",
    ),
    Command::new(
        "flushdb",
        flushdb_command,
        "Deletes every key of the current database.",
    ),
    Command::new(
        "flushall",
        flushall_command,
        "Deletes every key of every database.",
    ),
    Command::new(
        "swapdb",
        swapdb_command,
        "Exchanges the contents of two databases; connections keep their database number.",
    ),
];

/// Answers the number of keys in the current database (keys whose time has passed count until
/// they are removed).
///
/// `DBSIZE`
pub fn dbsize_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(
        i64::try_from(ctx.db().len()).unwrap_or(i64::MAX),
    ))
}

/// Checks the optional `ASYNC` or `SYNC` of the flush commands. Both free memory at once here,
/// as Redis's SYNC does; no keyspace notification is sent for the removed keys.
fn flush_mode(argv: &[Vec<u8>]) -> Result<(), RedisError> {
    match argv {
        [_] => Ok(()),
        [_, mode] if args::is(mode, "sync") || args::is(mode, "async") => Ok(()),
        _ => Err(RedisError::syntax()),
    }
}

/// Deletes every key of the current database.
///
/// `FLUSHDB [ASYNC|SYNC]`
pub fn flushdb_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    flush_mode(argv)?;
    ctx.db().clear();
    Ok(Reply::ok())
}

/// Deletes every key of every database.
///
/// `FLUSHALL [ASYNC|SYNC]`
pub fn flushall_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    flush_mode(argv)?;
    for db in &mut ctx.engine.dbs {
        db.clear();
    }
    Ok(Reply::ok())
}

/// Exchanges the keys (and expire times) of two databases. Connections stay on their database
/// number and so see the other data at once.
///
/// `SWAPDB index1 index2`
pub fn swapdb_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let first = args::int_arg(&argv[1], Some("ERR invalid first DB index"))?;
    let second = args::int_arg(&argv[2], Some("ERR invalid second DB index"))?;
    let (first, second) = (args::db_in_range(first)?, args::db_in_range(second)?);
    // Both indexes were checked against the number of databases just above.
    ctx.engine.dbs.swap(first, second);
    Ok(Reply::ok())
}
