//! Command handlers, one module per Redis group. Each module registers what it implements in
//! its `COMMANDS` table; facts (arity, flags, keys, docs) come from `command/facts.rs`.

use crate::command::Command;

pub mod args;
pub mod bitmap;
pub mod client_modes;
pub mod cluster;
pub mod config;
pub mod connection;
pub mod debug;
pub mod dump;
pub mod expire;
pub mod generic;
pub mod geo;
pub mod hash;
pub mod hyperloglog;
pub mod info;
pub mod list;
pub mod memory;
pub mod monitor;
pub mod persistence;
pub mod pubsub;
pub mod replication;
pub mod scan;
pub mod scripting;
pub mod server;
pub mod set;
pub mod slowlog;
pub mod sort;
pub mod sorted_set;
pub mod stream;
pub mod string;
pub mod transaction;

/// Every group's registrations; the registry is their union.
pub static TABLES: &[&[Command]] = &[
    bitmap::COMMANDS,
    client_modes::COMMANDS,
    cluster::COMMANDS,
    config::COMMANDS,
    connection::COMMANDS,
    expire::COMMANDS,
    dump::COMMANDS,
    generic::COMMANDS,
    geo::COMMANDS,
    hash::COMMANDS,
    hyperloglog::COMMANDS,
    info::COMMANDS,
    pubsub::COMMANDS,
    list::COMMANDS,
    memory::COMMANDS,
    monitor::COMMANDS,
    persistence::COMMANDS,
    replication::COMMANDS,
    server::COMMANDS,
    server::admin::COMMANDS,
    scripting::COMMANDS,
    set::COMMANDS,
    sort::COMMANDS,
    stream::COMMANDS,
    sorted_set::COMMANDS,
    slowlog::COMMANDS,
    string::COMMANDS,
    transaction::COMMANDS,
];
