//! Command handlers, one module per Redis group. Each module registers what it implements in
//! its `COMMANDS` table; facts (arity, flags, keys, docs) come from `command/facts.rs`.

use crate::command::Command;

pub mod args;
pub mod bitmap;
pub mod connection;
pub mod dump;
pub mod expire;
pub mod generic;
pub mod hyperloglog;
pub mod scan;
pub mod server;
pub mod sorted_set;
pub mod string;

/// Every group's registrations; the registry is their union.
pub static TABLES: &[&[Command]] = &[
    bitmap::COMMANDS,
    connection::COMMANDS,
    expire::COMMANDS,
    dump::COMMANDS,
    generic::COMMANDS,
    hyperloglog::COMMANDS,
    server::COMMANDS,
    sorted_set::COMMANDS,
    string::COMMANDS,
];
