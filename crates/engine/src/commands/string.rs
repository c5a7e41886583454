//! String commands: GET, SET.

use crate::command::{CommandSpec, Ctx};
use crate::engine::Lookup;
use crate::errors;
use crate::keyspace::{Entry, Value};
use crate::reply::Reply;

/// The string group's rows of the command table.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: 2,
        flags: &["readonly", "fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "string",
        since: "1.0.0",
        summary: "Answers the string stored at a key, or nil.",
        syntax: "key",
        handler: get_command,
    },
    CommandSpec {
        name: "set",
        arity: -3,
        flags: &["write", "denyoom"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "string",
        since: "1.0.0",
        summary: "Stores a string at a key.",
        syntax: "key value",
        handler: set_command,
    },
];

/// Answers the string value of a key, nil when missing.
///
/// `GET key`
pub fn get_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match ctx
        .engine
        .lookup(ctx.client, ctx.db, &argv[1], Lookup::READ, ctx.spec.name)
    {
        None => Reply::Nil,
        Some(Entry {
            value: Value::String(s),
            ..
        }) => Reply::bulk(s),
    }
}

/// Stores a string value, dropping any previous value and expire time.
///
/// `SET key value`
pub fn set_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 3 {
        return Reply::error(errors::SYNTAX);
    }
    let entry = Entry::new(Value::String(argv[2].clone()), ctx.engine.now_ms);
    ctx.engine
        .store(ctx.client, ctx.db, &argv[1], entry, ctx.spec.name);
    Reply::ok()
}
