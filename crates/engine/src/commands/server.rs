//! Server commands: COMMAND and its subcommands (introspection of the command table), TIME
//! (the virtual clock), and the database-wide DBSIZE, FLUSHDB, FLUSHALL, SWAPDB. DEBUG, in
//! [`crate::commands::debug`], is registered here with COMMAND and SWAPDB (see [`admin`]).

use crate::command::keys::{self, KeyedCommand};
use crate::command::{Command, CommandSpec, Ctx, Registry, flag};
use crate::commands::args;
use crate::cstr::c_eq_ignore_case;
use crate::errors::{CmdResult, RedisError};
use crate::glob::glob_match;
use crate::reply::Reply;

/// The server group's registrations (COMMAND, DEBUG and SWAPDB: [`admin`]).
pub static COMMANDS: &[Command] = &[
    Command::new(
        "time",
        time_command,
        "Reads the server clock: Unix seconds and microseconds.",
    ),
    Command::new(
        "shutdown",
        shutdown_command,
        "Stops the server: here, closes every connection and keeps the data.",
    ),
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
];

/// COMMAND (with its subcommands), DEBUG and SWAPDB: rarely typed, so loaded on first use in the
/// page build (a family of their own, see `crate::lazy`; their handlers stay below).
pub mod admin {
    use super::{
        command_command, command_count_command, command_docs_command, command_getkeys_command,
        command_getkeysandflags_command, command_help_command, command_info_command,
        command_list_command, swapdb_command,
    };
    use crate::command::Command;
    use crate::commands::debug::debug_command;

    crate::lazy::commands! { Admin, admin;
        Command::new(
            "command",
            command_command,
            "Describes every command this server implements: name, arity, flags, keys.",
        ),
        Command::new(
            "command|count",
            command_count_command,
            "Counts the commands this server implements.",
        ),
        Command::new(
            "command|list",
            command_list_command,
            "Lists the names of the implemented commands, optionally filtered by ACL category or pattern.",
        ),
        Command::new(
            "command|info",
            command_info_command,
            "Describes the named commands (or all of them): arity, flags, key positions, key specs.",
        ),
        Command::new(
            "command|docs",
            command_docs_command,
            "Documents the named commands (or all of them): group, version, arguments.",
        ),
        Command::new(
            "command|getkeys",
            command_getkeys_command,
            "Tells which arguments of a full command line are keys.",
        ),
        Command::new(
            "command|getkeysandflags",
            command_getkeysandflags_command,
            "Tells which arguments of a full command line are keys, and how each is used.",
        ),
        Command::new(
            "command|help",
            command_help_command,
            "Lists the subcommands of COMMAND.",
        ),
        Command::new(
            "debug",
            debug_command,
            "Testing aids; SLEEP moves the clock forward, RELOAD saves and reloads the data, POPULATE creates keys in bulk.",
        ),
        Command::new(
            "swapdb",
            swapdb_command,
            "Exchanges the contents of two databases; connections keep their database number.",
        ),
    }
}

/// `COMMAND INFO` entries of every command, sorted by name (Redis leaves the order unspecified).
fn all_infos() -> Reply {
    Reply::Array(
        Registry::get()
            .commands()
            .into_iter()
            .map(|c| c.info.clone())
            .collect(),
    )
}

/// Describes every implemented command, as `COMMAND INFO` without names.
///
/// `COMMAND`
pub fn command_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(all_infos())
}

/// Counts the implemented top-level commands.
///
/// `COMMAND COUNT`
pub fn command_count_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(
        i64::try_from(Registry::get().len()).unwrap_or(i64::MAX),
    ))
}

/// A `FILTERBY` of `COMMAND LIST`.
enum ListFilter<'a> {
    /// Modules are not supported: no command belongs to one.
    Module,
    /// Commands in an ACL category, named without its `@`.
    AclCat(&'a [u8]),
    /// Full names matching a glob pattern, case-insensitively.
    Pattern(&'a [u8]),
}

impl ListFilter<'_> {
    fn keeps(&self, spec: &CommandSpec) -> bool {
        match self {
            ListFilter::Module => false,
            ListFilter::AclCat(category) => acl_categories(spec).any(|c| {
                c.strip_prefix('@')
                    .is_some_and(|c| c_eq_ignore_case(category, c.as_bytes()))
            }),
            ListFilter::Pattern(pattern) => glob_match(pattern, spec.name.as_bytes(), true),
        }
    }
}

/// The ACL categories (`@read`, …) of a command's `COMMAND INFO` entry.
fn acl_categories(spec: &CommandSpec) -> impl Iterator<Item = &str> {
    let categories = match &spec.info {
        Reply::Array(items) => match items.get(6) {
            Some(Reply::Set(c) | Reply::Array(c)) => c.as_slice(),
            _ => &[],
        },
        _ => &[],
    };
    categories.iter().filter_map(|c| match c {
        Reply::Status(s) => Some(s.as_ref()),
        _ => None,
    })
}

/// Lists the full names of the implemented commands and subcommands, each container followed
/// by its subcommands; a filter keeps commands of an ACL category, or matching a pattern.
///
/// `COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]`
pub fn command_list_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut filter = None;
    let mut rest = argv.get(2..).unwrap_or_default();
    // Each FILTERBY must be followed by exactly its two arguments: only the last can be one.
    while let Some((option, tail)) = rest.split_first() {
        match tail {
            [kind, arg] if c_eq_ignore_case(option, b"filterby") => {
                filter = Some(if c_eq_ignore_case(kind, b"module") {
                    ListFilter::Module
                } else if c_eq_ignore_case(kind, b"aclcat") {
                    ListFilter::AclCat(arg)
                } else if c_eq_ignore_case(kind, b"pattern") {
                    ListFilter::Pattern(arg)
                } else {
                    return Err(RedisError::syntax());
                });
                rest = &[];
            }
            _ => return Err(RedisError::syntax()),
        }
    }
    let names = Registry::get()
        .commands()
        .into_iter()
        .flat_map(|c| std::iter::once(c).chain(&c.subcommands))
        .filter(|c| filter.as_ref().is_none_or(|f| f.keeps(c)))
        .map(|c| c.name.as_bytes());
    Ok(Reply::bulks(names))
}

/// Describes the named commands (`get`, `config|get`; `nil` for an unknown name), or every
/// command when none is named.
///
/// `COMMAND INFO [command-name [command-name ...]]`
pub fn command_info_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let names = argv.get(2..).unwrap_or_default();
    if names.is_empty() {
        return Ok(all_infos());
    }
    let registry = Registry::get();
    Ok(Reply::Array(
        names
            .iter()
            .map(|n| {
                registry
                    .lookup_full(n)
                    .map_or(Reply::Nil, |c| c.info.clone())
            })
            .collect(),
    ))
}

/// Documents the named commands (unknown names are left out), or every command when none is
/// named: a map from full name to our summary, since, group, arguments and subcommands.
///
/// `COMMAND DOCS [command-name [command-name ...]]`
pub fn command_docs_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let names = argv.get(2..).unwrap_or_default();
    let registry = Registry::get();
    let specs: Vec<&CommandSpec> = if names.is_empty() {
        registry.commands()
    } else {
        names
            .iter()
            .filter_map(|n| registry.lookup_full(n))
            .collect()
    };
    Ok(Reply::Map(
        specs
            .into_iter()
            .map(|c| (Reply::bulk(c.name.as_bytes()), Reply::Map(c.docs.clone())))
            .collect(),
    ))
}

/// `COMMAND GETKEYS` and `GETKEYSANDFLAGS`: the command line asked about is `argv[2..]`.
fn getkeys(argv: &[Vec<u8>], with_flags: bool) -> CmdResult {
    let line = argv.get(2..).unwrap_or_default();
    let cmd = Registry::get().lookup_argv(line).map(|c| KeyedCommand {
        specs: &c.key_specs,
        finder: c.key_finder,
        arity: c.arity,
        no_mandatory_keys: c.has(flag::NO_MANDATORY_KEYS),
    });
    keys::getkeys_reply(cmd, line, with_flags)
}

/// Answers which arguments of a full command line are keys.
///
/// `COMMAND GETKEYS command [arg [arg ...]]`
pub fn command_getkeys_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    getkeys(argv, false)
}

/// Answers which arguments of a full command line are keys, each with its access flags (`RO`,
/// `RW`, `OW`, `RM`, `access`, `update`, `insert`, `delete`).
///
/// `COMMAND GETKEYSANDFLAGS command [arg [arg ...]]`
pub fn command_getkeysandflags_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    getkeys(argv, true)
}

/// Lists the subcommands of `COMMAND` (Redis's help text: it is part of the reply).
///
/// `COMMAND HELP`
pub fn command_help_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    const LINES: &[&str] = &[
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    ];
    Ok(args::help_reply(
        argv.first().map_or(&[], Vec::as_slice),
        LINES,
    ))
}

/// Answers the virtual clock as Unix seconds and the microseconds within the second, both as
/// bulk strings.
///
/// `TIME`
pub fn time_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    let now = ctx.now();
    Ok(Reply::Array(vec![
        Reply::bulk_int(now.div_euclid(1000)),
        Reply::bulk_int(now.rem_euclid(1000) * 1000),
    ]))
}

/// Simulates stopping the server and starting it again: after Redis's argument checks, it
/// saves the RDB file when save points are configured (unless `NOSAVE`) or with `SAVE`, and
/// fsyncs the append-only file; every connection closes (the caller's too, without a reply, as
/// when the process exits), and the server restarts from its files as
/// [`Engine::crash_restart`](crate::Engine::crash_restart) does (with nothing lost). While the
/// first rewrite of a just enabled append-only file runs, it refuses (unless `FORCE`), as
/// Redis does. `ABORT` answers that no shutdown is under way.
///
/// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`
pub fn shutdown_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (mut save, mut nosave, mut flags, mut abort) = (false, false, false, false);
    let mut force = false;
    for arg in argv.get(1..).unwrap_or_default() {
        if args::is(arg, "nosave") {
            nosave = true;
        } else if args::is(arg, "save") {
            save = true;
        } else if args::is(arg, "now") {
            flags = true;
        } else if args::is(arg, "force") {
            flags = true;
            force = true;
        } else if args::is(arg, "abort") {
            abort = true;
        } else {
            return Err(RedisError::syntax());
        }
    }
    if (abort && (save || nosave || flags)) || (save && nosave) {
        return Err(RedisError::syntax());
    }
    if abort {
        return Err(RedisError::new("ERR No shutdown in progress."));
    }
    // With the append-only file turned on but its first rewrite still running, exiting would
    // lose the dataset: Redis refuses, unless FORCE.
    let writing_initial_aof = ctx.engine.config.appendonly
        && ctx.engine.aof.base.is_none()
        && ctx
            .engine
            .persistence
            .child
            .is_some_and(|c| c.kind == crate::commands::persistence::ChildKind::Aof);
    if writing_initial_aof && !force {
        return Err(RedisError::new(
            "ERR Errors trying to SHUTDOWN. Check logs.",
        ));
    }
    // Redis saves when save points are configured (unless NOSAVE) or when asked to, and
    // fsyncs the append-only file; then the process exits. Here the server starts again at
    // once from what it saved, once the command has ended.
    if save || (!nosave && !ctx.engine.config.save.is_empty()) {
        ctx.engine.save_now();
    }
    ctx.engine.mark_unusual();
    ctx.engine.persistence.restart_pending = true;
    if let Some(c) = ctx.client_mut() {
        c.closing = true;
    }
    // No reply: the connection just closes.
    ctx.blocked = true;
    Ok(Reply::Nil)
}

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
    // Watchers of keys about to vanish see their transaction fail, as signalFlushedDb does.
    ctx.engine.touch_all_watched_keys_in_db(ctx.db, None);
    ctx.engine.tracking_flush();
    let removed = ctx.db().len() as u64;
    ctx.db().clear();
    ctx.engine.persistence.dirty += removed;
    // Written to the append-only file even when the database was empty.
    ctx.force_propagation();
    Ok(Reply::ok())
}

/// Deletes every key of every database.
///
/// `FLUSHALL [ASYNC|SYNC]`
pub fn flushall_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    flush_mode(argv)?;
    for db in 0..ctx.engine.dbs.len() {
        ctx.engine.touch_all_watched_keys_in_db(db, None);
    }
    ctx.engine.tracking_flush();
    let removed: u64 = ctx.engine.dbs.iter().map(|db| db.len() as u64).sum();
    for db in &mut ctx.engine.dbs {
        db.clear();
    }
    ctx.engine.persistence.dirty += removed;
    ctx.force_propagation();
    // With save points configured, Redis saves the empty dataset at once.
    if !ctx.engine.config.save.is_empty() {
        ctx.engine.flushall_save();
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
    ctx.engine.persistence.dirty += 1;
    // Swapping a database with itself changes nothing, so, as in Redis, it neither breaks a
    // WATCH nor wakes a blocked client.
    if first == second {
        return Ok(Reply::ok());
    }
    // Both indexes were checked against the number of databases just above.
    ctx.engine.dbs.swap(first, second);
    ctx.engine.note_db_in_use(first);
    ctx.engine.note_db_in_use(second);
    ctx.engine.touch_all_watched_keys_in_db(first, Some(second));
    ctx.engine.touch_all_watched_keys_in_db(second, Some(first));
    // Clients waiting on keys of either database are served if their key is now there.
    ctx.engine.signal_existing_blocked_keys(&[first, second]);
    Ok(Reply::ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn time_reads_the_virtual_clock() {
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.set_time(1_767_225_600_123);
        assert_eq!(
            engine.exec(client, &argv("TIME")),
            Reply::bulks(["1767225600", "123000"])
        );
        engine.advance(1_877);
        assert_eq!(
            engine.exec(client, &argv("TIME")),
            Reply::bulks(["1767225602", "0"])
        );
        assert_eq!(
            engine.exec(client, &argv("TIME x")),
            Reply::error("ERR wrong number of arguments for 'time' command")
        );
    }

    #[test]
    fn command_count_and_list_reflect_the_registry() {
        let mut engine = Engine::new();
        let client = engine.connect();
        let registry = Registry::get();
        let count = i64::try_from(registry.len()).unwrap_or_default();
        assert_eq!(
            engine.exec(client, &argv("COMMAND COUNT")),
            Reply::Integer(count)
        );
        // Far fewer than Redis's 240: only what is implemented exists.
        assert!(count < 240);
        let Reply::Array(names) = engine.exec(client, &argv("COMMAND LIST")) else {
            panic!("COMMAND LIST answers an array");
        };
        let names: Vec<String> = names
            .iter()
            .map(|n| match n {
                Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("not a name: {other:?}"),
            })
            .collect();
        let expected: Vec<String> = registry
            .commands()
            .into_iter()
            .flat_map(|c| std::iter::once(c).chain(&c.subcommands))
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(names, expected);
        for name in [
            "get",
            "set",
            "del",
            "ping",
            "echo",
            "command",
            "command|getkeys",
            "time",
            "debug",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} is listed");
        }
        // Every registered row appears once, and nothing else.
        let rows: usize = crate::commands::TABLES.iter().map(|t| t.len()).sum();
        assert_eq!(names.len(), rows);
        // An unregistered Redis command is not there.
        assert!(!names.iter().any(|n| n == "migrate"));
        let Reply::Array(all) = engine.exec(client, &argv("COMMAND")) else {
            panic!("COMMAND answers an array");
        };
        assert_eq!(all.len(), registry.len());
        assert_eq!(
            engine.exec(client, &argv("COMMAND INFO migrate")),
            Reply::Array(vec![Reply::Nil])
        );
        assert_eq!(
            engine.exec(client, &argv("COMMAND DOCS migrate")),
            Reply::Array(vec![])
        );
        assert_eq!(
            engine.exec(client, &argv("COMMAND GETKEYS migrate h 1 k 0 5")),
            Reply::error("ERR Invalid command specified")
        );
    }

    #[test]
    fn command_list_filters() {
        let mut engine = Engine::new();
        let client = engine.connect();
        assert_eq!(
            engine.exec(client, &argv("COMMAND LIST FILTERBY PATTERN COMMAND|G*")),
            Reply::bulks(["command|getkeysandflags", "command|getkeys"])
        );
        assert_eq!(
            engine.exec(client, &argv("COMMAND LIST FILTERBY MODULE x")),
            Reply::Array(vec![])
        );
        let Reply::Array(strings) =
            engine.exec(client, &argv("COMMAND LIST FILTERBY ACLCAT String"))
        else {
            panic!("an array");
        };
        assert!(strings.contains(&Reply::bulk(b"get")) && strings.contains(&Reply::bulk(b"set")));
        assert!(!strings.contains(&Reply::bulk(b"del")));
        assert_eq!(
            engine.exec(client, &argv("COMMAND LIST FILTERBY ACLCAT @string")),
            Reply::Array(vec![])
        );
    }

    #[test]
    fn container_info_lists_registered_subcommands_only() {
        let registry = Registry::get();
        let command = registry.lookup(b"command").expect("command is registered");
        let Reply::Array(items) = &command.info else {
            panic!("an info entry is an array");
        };
        let Some(Reply::Array(subs)) = items.get(9) else {
            panic!("a container lists its subcommands");
        };
        let names: Vec<&CommandSpec> = command.subcommands.iter().collect();
        assert_eq!(subs.len(), names.len());
        for (sub, spec) in subs.iter().zip(names) {
            assert_eq!(sub, &spec.info);
        }
        // A plain command keeps Redis's empty set, which RESP3 tells from an array.
        let Reply::Array(get) = &registry.lookup(b"get").expect("get").info else {
            panic!("an array");
        };
        assert_eq!(get.get(9), Some(&Reply::Set(vec![])));
        let Some((_, Reply::Map(sub_docs))) = command
            .docs
            .iter()
            .find(|(k, _)| k == &Reply::bulk(b"subcommands"))
        else {
            panic!("a container documents its subcommands");
        };
        assert_eq!(sub_docs.len(), command.subcommands.len());
        assert!(
            !registry
                .lookup(b"debug")
                .expect("debug is registered")
                .is_container()
        );
    }

    #[test]
    fn shutdown_closes_every_connection_and_restarts_from_its_save() {
        let mut engine = Engine::new();
        let (a, b) = (engine.connect(), engine.connect());
        engine.exec(a, &argv("SET k v"));
        // The default save points make SHUTDOWN save.
        assert!(engine.call(b, &argv("SHUTDOWN")).is_empty());
        assert!(!engine.is_connected(a) && !engine.is_connected(b));
        let c = engine.connect();
        assert_eq!(engine.exec(c, &argv("GET k")), Reply::bulk(b"v"));
        // NOSAVE: what changed since that save is lost.
        engine.exec(c, &argv("SET k w"));
        assert!(engine.call(c, &argv("SHUTDOWN NOSAVE")).is_empty());
        let c = engine.connect();
        assert_eq!(engine.exec(c, &argv("GET k")), Reply::bulk(b"v"));
        assert_eq!(
            engine.exec(c, &argv("SHUTDOWN ABORT")),
            Reply::error("ERR No shutdown in progress.")
        );
    }

    #[test]
    fn wait_blocks_until_its_timeout_without_replicas() {
        let mut engine = Engine::new();
        engine.set_time(1_000_000);
        let c = engine.connect();
        assert_eq!(engine.exec(c, &argv("WAIT 0 1000")), Reply::Integer(0));
        assert!(engine.call(c, &argv("WAIT 1 250")).is_empty());
        engine.advance(249);
        assert!(engine.take_output(c).is_empty());
        engine.advance(1);
        assert_eq!(engine.take_output(c), [Reply::Integer(0)]);
        // Forever, until CLIENT UNBLOCK.
        let other = engine.connect();
        assert!(engine.call(c, &argv("WAIT 1 0")).is_empty());
        engine.advance(1_000_000);
        assert!(engine.take_output(c).is_empty());
        engine.exec(other, &argv(&format!("CLIENT UNBLOCK {c}")));
        assert_eq!(engine.take_output(c), [Reply::Integer(0)]);
    }
}
