//! A Redis 7.0 engine on a virtual clock, in pure Rust.
//!
//! Layout:
//! - [`engine`]: the [`Engine`] — databases, clients, clock, statistics, dispatch and the one
//!   key-lookup path every read goes through.
//! - `command`: the command table (data) and the handler context.
//! - `commands`: handlers, one module per Redis group, each owning its rows of the table.
//! - `keyspace`: databases, entries and values.
//! - [`events`]: the bounded event log the timeline and graders read.
//! - [`cli`]: redis-cli's line splitting and `--no-raw` reply formatting.
//! - [`reply`]: the [`Reply`] type, RESP3-shaped with a RESP2 downgrade.
//!
//! ```
//! use engine::{cli, Engine};
//! let mut engine = Engine::new();
//! let client = engine.connect();
//! let out = cli::run_line(&mut engine, client, b"SET greeting \"hello world\"");
//! assert_eq!(out, cli::LineOutcome::Print("OK\n".into()));
//! ```

pub mod cli;
mod command;
mod commands;
mod engine;
mod errors;
pub mod events;
mod keyspace;
pub mod num;
pub mod reply;

pub use command::{CommandSpec, all as commands, lookup as lookup_command};
pub use engine::{Engine, Stats};
pub use events::{Event, EventKind};
pub use reply::Reply;

/// Identifies a client connection of an [`Engine`].
pub type ClientId = u64;
