//! The command table (data: name, arity, flags, key positions, group, docs) and the context
//! handlers run in.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::engine::Engine;
use crate::reply::Reply;
use crate::{ClientId, commands};

/// A command handler: the context and the whole argv (name first).
pub type Handler = fn(&mut Ctx<'_>, &[Vec<u8>]) -> Reply;

/// One row of the command table.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lowercase name.
    pub name: &'static str,
    /// Redis arity: `n` means exactly n arguments (name included), `-n` at least n.
    pub arity: i32,
    /// Flags as `COMMAND INFO` lists them (`write`, `readonly`, `fast`, …).
    pub flags: &'static [&'static str],
    /// Position of the first key (0: none).
    pub first_key: i32,
    /// Position of the last key (-1: the last argument).
    pub last_key: i32,
    /// Step between keys.
    pub step: i32,
    /// Documentation group (`string`, `generic`, `connection`, …).
    pub group: &'static str,
    /// Redis version that introduced the command.
    pub since: &'static str,
    /// One line on what the command does.
    pub summary: &'static str,
    /// The arguments after the name, as the docs write them.
    pub syntax: &'static str,
    /// The code that runs it.
    pub handler: Handler,
}

impl CommandSpec {
    /// Whether `argc` arguments (name included) satisfy the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = i64::try_from(argc).unwrap_or(i64::MAX);
        let arity = i64::from(self.arity);
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// Whether the spec carries a flag.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }
}

/// Every implemented command, in no particular order.
pub fn all() -> impl Iterator<Item = &'static CommandSpec> {
    commands::TABLES.iter().flat_map(|t| t.iter())
}

/// Finds a command by name, case-insensitively.
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    static BY_NAME: OnceLock<HashMap<&'static [u8], &'static CommandSpec>> = OnceLock::new();
    // Command names are short ASCII; anything longer than the longest name is unknown.
    if name.len() > 32 {
        return None;
    }
    let mut buf = [0u8; 32];
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    BY_NAME
        .get_or_init(|| all().map(|spec| (spec.name.as_bytes(), spec)).collect())
        .get(&*lower)
        .copied()
}

/// What a handler runs with: the engine, the calling client and its selected database.
pub struct Ctx<'a> {
    /// The whole engine.
    pub engine: &'a mut Engine,
    /// The client that sent the command.
    pub client: ClientId,
    /// The client's selected database.
    pub db: usize,
    /// The running command.
    pub spec: &'static CommandSpec,
}
