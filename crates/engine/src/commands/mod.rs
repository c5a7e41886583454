//! Command handlers, one module per Redis group, each with its slice of the command table.

use crate::command::CommandSpec;

pub mod connection;
pub mod generic;
pub mod string;

/// Every group's table; the registry is their union.
pub static TABLES: &[&[CommandSpec]] = &[connection::COMMANDS, generic::COMMANDS, string::COMMANDS];
