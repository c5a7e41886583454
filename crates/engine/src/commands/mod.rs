//! Command handlers, one module per Redis group. Each module registers what it implements in
//! its `COMMANDS` table; facts (arity, flags, keys, docs) come from `command/facts.rs`.

use crate::command::Command;

pub mod connection;
pub mod generic;
pub mod hyperloglog;
pub mod server;
pub mod string;

/// Every group's registrations; the registry is their union.
pub static TABLES: &[&[Command]] = &[
    connection::COMMANDS,
    generic::COMMANDS,
    hyperloglog::COMMANDS,
    server::COMMANDS,
    string::COMMANDS,
];
