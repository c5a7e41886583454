//! Server commands: COMMAND and its subcommands (introspection of the command table), TIME
//! (the virtual clock), DEBUG (SLEEP moves the virtual clock, RELOAD saves and reloads an RDB
//! file), and the database-wide DBSIZE, FLUSHDB, FLUSHALL, SWAPDB.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::command::keys::{self, KeyedCommand};
use crate::command::{Command, CommandSpec, Ctx, Registry, flag};
use crate::commands::args;
use crate::cstr::{c_eq_ignore_case, c_str, strtod};
use crate::errors::{CmdResult, RedisError};
use crate::glob::glob_match;
use crate::rdb;
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
        command_list_command, debug_command, swapdb_command,
    };
    use crate::command::Command;

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
            "Testing aids; SLEEP moves the clock forward by the seconds given, RELOAD saves and reloads the data.",
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

/// Redis's `DEBUG HELP` lines (its reply, kept verbatim; of these subcommands only `SLEEP`,
/// `ERROR`, `LOG` and `RELOAD` are implemented here).
const DEBUG_HELP: &[&str] = &[
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid>",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key>",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "MALLCTL <key> [<val>]",
    "    Get or set a malloc tuning integer.",
    "MALLCTL-STR <key> [<val>]",
    "    Get or set a malloc tuning string.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different Redis core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
];

/// Testing aids. `SLEEP seconds` (decimals allowed, read as C's `strtod`) moves the virtual
/// clock forward at once, expiring what falls due; `ERROR message` answers that error;
/// `LOG message` is accepted (there is no server log); `RELOAD [option ...]` saves an RDB file
/// and loads it back (see `debug_reload`); `HELP` lists Redis's subcommands.
///
/// `DEBUG subcommand [arg [arg ...]]`
pub fn debug_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let command = argv.first().map_or(&[][..], Vec::as_slice);
    let sub = argv.get(1).map_or(&[][..], Vec::as_slice);
    let is = |name: &[u8]| c_eq_ignore_case(sub, name);
    match argv.len() {
        2 if is(b"help") => Ok(args::help_reply(command, DEBUG_HELP)),
        3 if is(b"sleep") => {
            ctx.engine
                .advance(sleep_ms(argv.get(2).map_or(&[][..], Vec::as_slice)));
            Ok(Reply::ok())
        }
        3 if is(b"error") => {
            let message = String::from_utf8_lossy(argv.get(2).map_or(&[][..], Vec::as_slice));
            Ok(Reply::Error(Cow::Owned(crate::errors::sanitize(
                message.into_owned(),
            ))))
        }
        3 if is(b"log") => Ok(Reply::ok()),
        3 if is(b"object") => debug_object(ctx, argv.get(2).map_or(&[][..], Vec::as_slice)),
        _ if is(b"reload") => debug_reload(ctx, argv.get(2..).unwrap_or_default()),
        _ => {
            let shown = c_str(sub);
            let shown = shown.get(..128).unwrap_or(shown);
            Err(RedisError::owned(format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
                String::from_utf8_lossy(shown),
                String::from_utf8_lossy(command).to_ascii_uppercase()
            )))
        }
    }
}

/// `DEBUG OBJECT key`: Redis's one-line description of a value (its address is made up: the
/// engine has no pointers to show). The key is read without expiring, counting or touching it.
fn debug_object(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    const LRU_CLOCK_MAX: i64 = (1 << 24) - 1;
    let now = ctx.now();
    let compress = ctx.engine.config.rdbcompression;
    let depth = ctx.engine.config.list_compress_depth;
    let lfu = ctx.engine.config.maxmemory_policy.is_lfu();
    let exec = ctx.running_exec();
    let Some(entry) = ctx.db().peek(key) else {
        return Err(RedisError::no_such_key());
    };
    // The object's 24-bit access field: LRU clock seconds, or LFU minutes and counter.
    let lru = if lfu {
        (i64::from(entry.lfu_minutes) << 8) | i64::from(entry.lfu_counter)
    } else {
        entry.lru_ms.div_euclid(1000) & LRU_CLOCK_MAX
    };
    let clock = now.div_euclid(1000) & LRU_CLOCK_MAX;
    let idle = if clock >= lru {
        clock - lru
    } else {
        clock + (LRU_CLOCK_MAX - lru)
    };
    // The RDB payload less its type byte, RDB version and checksum.
    let serialized = crate::rdb::dump_payload(&entry.value, compress)
        .len()
        .saturating_sub(11);
    let address = key.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) & 0xf_fff0;
    let mut line = format!(
        "Value at:0x7f3d61{address:06x} refcount:{} encoding:{} serializedlength:{serialized} lru:{lru} lru_seconds_idle:{idle}",
        entry.refcount(exec),
        entry.value.encoding_name(),
    );
    if let crate::keyspace::Value::List(list) = &entry.value {
        let fill = list.fill();
        let nodes = crate::rdb::listpack::quicklist_nodes(list.iter(), fill);
        let bytes: usize = nodes.iter().map(crate::rdb::listpack::Listpack::size).sum();
        let avg = list.len() as f64 / nodes.len().max(1) as f64;
        let _ = write!(
            line,
            " ql_nodes:{} ql_avg_node:{avg:.2} ql_listpack_max:{fill} ql_compressed:{} ql_uncompressed_size:{bytes}",
            nodes.len(),
            i32::from(depth != 0),
        );
    }
    Ok(Reply::Status(Cow::Owned(line)))
}

/// `DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]`: saves every database as an RDB file (the
/// engine's [`Engine::rdb_file`](crate::Engine::rdb_file)), empties them, and loads the file
/// back, as Redis's save, `emptyData` and `rdbLoad`: values, encodings (as loading gives them),
/// expire times survive; keys whose time has passed are not loaded; access data is what the
/// file records (nothing under the default policy: idle times restart at 0). `NOSAVE` loads the
/// file last saved (an error when there is none, after emptying the databases, as Redis does);
/// `NOFLUSH` keeps the current keys; `MERGE` lets the file's keys replace them. Where Redis would
/// stop the server (a key of the file already present without `MERGE`) the load is refused and
/// the databases are left as they were.
fn debug_reload(ctx: &mut Ctx<'_>, options: &[Vec<u8>]) -> CmdResult {
    let (mut merge, mut flush, mut save) = (false, true, true);
    for option in options {
        if c_eq_ignore_case(option, b"merge") {
            merge = true;
        } else if c_eq_ignore_case(option, b"noflush") {
            flush = false;
        } else if c_eq_ignore_case(option, b"nosave") {
            save = false;
        } else {
            return Err(RedisError::new(
                "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
            ));
        }
    }
    if save {
        let file = rdb::save_database(ctx.engine);
        ctx.engine.set_rdb_file(Some(file));
    }
    if flush {
        for db in 0..ctx.engine.dbs.len() {
            ctx.engine.touch_all_watched_keys_in_db(db, None);
        }
        ctx.engine.tracking_flush();
        for db in &mut ctx.engine.dbs {
            db.clear();
        }
        // Redis's emptyData: the functions go too (the file has them).
        ctx.engine.functions.clear();
    }
    let load_error = || RedisError::new("ERR Error trying to load the RDB dump");
    let file = ctx.engine.rdb_file.take().ok_or_else(load_error)?;
    let result = crate::lazy::load_database_with(ctx.engine, &file, rdb::LoadOptions { merge });
    ctx.engine.rdb_file = Some(file);
    result.map_err(|_| load_error())?;
    Ok(Reply::ok())
}

/// How long `DEBUG SLEEP seconds` sleeps, in whole milliseconds (rounded up: the sleep lasts at
/// least that long). Redis converts `seconds * 1e6` to a C `long long` and `nanosleep`s it: a
/// negative or unrepresentable duration (`-1`, `inf`, `nan`) fails to sleep at all.
fn sleep_ms(arg: &[u8]) -> i64 {
    let micros = strtod(arg) * 1_000_000.0;
    // Below 2^63 (`i64::MAX as f64` rounds to it exactly) the C conversion is defined; x86
    // gives LLONG_MIN (negative) elsewhere, and NaN is in no range.
    if !(0.0..i64::MAX as f64).contains(&micros) {
        return 0;
    }
    let micros = micros as i64;
    micros / 1000 + i64::from(micros % 1000 != 0)
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
    fn debug_reload_without_a_file_empties_then_fails() {
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.exec(client, &argv("SET k v"));
        assert_eq!(
            engine.exec(client, &argv("DEBUG RELOAD NOSAVE")),
            Reply::error("ERR Error trying to load the RDB dump")
        );
        assert_eq!(engine.db_len(0), 0, "emptied first, as Redis does");
        assert!(engine.rdb_file().is_none());
        // NOFLUSH keeps the data when there is nothing to load.
        engine.exec(client, &argv("SET k v"));
        engine.exec(client, &argv("DEBUG RELOAD NOSAVE NOFLUSH"));
        assert_eq!(engine.db_len(0), 1);
    }

    #[test]
    fn debug_reload_refuses_a_file_clashing_with_kept_keys() {
        // Redis stops the server on a duplicate key; here the load is refused whole.
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.exec(client, &argv("SET k v"));
        engine.exec(client, &argv("DEBUG RELOAD"));
        engine.exec(client, &argv("SET k changed"));
        engine.exec(client, &argv("SET other 1"));
        assert_eq!(
            engine.exec(client, &argv("DEBUG RELOAD NOSAVE NOFLUSH")),
            Reply::error("ERR Error trying to load the RDB dump")
        );
        assert_eq!(engine.exec(client, &argv("GET k")), Reply::bulk(b"changed"));
        assert_eq!(engine.db_len(0), 2);
        assert!(engine.rdb_file().is_some(), "the file stays");
        assert_eq!(
            engine.exec(client, &argv("DEBUG RELOAD NOSAVE NOFLUSH MERGE")),
            Reply::ok()
        );
        assert_eq!(engine.exec(client, &argv("GET k")), Reply::bulk(b"v"));
        assert_eq!(engine.db_len(0), 2);
    }

    #[test]
    fn debug_reload_keeps_access_data_as_the_policy_records_it() {
        let mut engine = Engine::new();
        engine.set_time(1_767_225_600_000);
        let client = engine.connect();
        engine.exec(client, &argv("SET k v"));
        engine.advance(30_000);
        assert_eq!(
            engine.exec(client, &argv("OBJECT IDLETIME k")),
            Reply::Integer(30)
        );
        // No policy that looks at access data: idle times restart.
        engine.exec(client, &argv("DEBUG RELOAD"));
        assert_eq!(
            engine.exec(client, &argv("OBJECT IDLETIME k")),
            Reply::Integer(0)
        );
        // Under an LRU policy the file records them.
        engine.config.maxmemory_policy = crate::EvictionPolicy::AllKeysLru;
        engine.advance(30_000);
        engine.exec(client, &argv("DEBUG RELOAD"));
        assert_eq!(
            engine.exec(client, &argv("OBJECT IDLETIME k")),
            Reply::Integer(30)
        );
        // Under an LFU policy, the counters.
        engine.config.maxmemory_policy = crate::EvictionPolicy::AllKeysLfu;
        let minutes = crate::keyspace::minutes(engine.now_ms());
        if let Some(entry) = engine.dbs[0].peek_mut(b"k") {
            entry.lfu_counter = 100;
            entry.lfu_minutes = minutes;
        }
        engine.exec(client, &argv("DEBUG RELOAD"));
        assert_eq!(
            engine.exec(client, &argv("OBJECT FREQ k")),
            Reply::Integer(100)
        );
    }

    #[test]
    fn debug_sleep_moves_the_clock() {
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.set_time(1_000_000);
        for (seconds, ms) in [
            ("0", 0),
            ("0.2", 200),
            ("1.5", 1500),
            ("0.0001", 1),
            ("2abc", 2000),
            ("abc", 0),
            ("-1", 0),
            ("inf", 0),
            ("nan", 0),
            ("1e-3", 1),
            ("0x10", 16_000),
            ("1e13", 0),
        ] {
            let before = engine.now_ms();
            assert_eq!(
                engine.exec(client, &argv(&format!("DEBUG SLEEP {seconds}"))),
                Reply::ok()
            );
            assert_eq!(engine.now_ms() - before, ms, "DEBUG SLEEP {seconds}");
        }
    }

    #[test]
    fn debug_sleep_expires_keys_that_fall_due() {
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.set_time(1_767_225_600_000);
        assert_eq!(engine.exec(client, &argv("SET k v")), Reply::ok());
        // As SET k v PX 100 leaves it (SET's options belong to the string group).
        assert!(engine.dbs[0].set_expire(b"k", Some(1_767_225_600_100)));
        assert_eq!(engine.exec(client, &argv("DEBUG SLEEP 0")), Reply::ok());
        assert_eq!(engine.exec(client, &argv("GET k")), Reply::bulk(b"v"));
        assert_eq!(engine.exec(client, &argv("DEBUG SLEEP 0.2")), Reply::ok());
        // Expired by the clock's move itself (active expiry), before any read.
        assert_eq!(engine.db_len(0), 0);
        assert_eq!(engine.stats().expired_keys, 1);
        assert_eq!(engine.exec(client, &argv("GET k")), Reply::Nil);
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

    #[test]
    fn debug_object_describes_values_in_redis_format() {
        let mut engine = Engine::new();
        engine.set_time(1_767_225_600_000);
        let c = engine.connect();
        engine.exec(c, &argv("SET foo bar"));
        engine.exec(c, &argv("SET n 123"));
        engine.exec(c, &argv("RPUSH l a b c"));
        engine.advance(3_000);
        let describe = |engine: &mut Engine, key: &str| match engine
            .exec(c, &argv(&format!("DEBUG OBJECT {key}")))
        {
            Reply::Status(line) => line.to_string(),
            other => panic!("{other:?}"),
        };
        let line = describe(&mut engine, "foo");
        let (address, rest) = line
            .strip_prefix("Value at:")
            .and_then(|l| l.split_once(' '))
            .expect("fields");
        assert!(address.starts_with("0x7f"));
        let lru = 1_767_225_600i64.rem_euclid(1 << 24);
        assert_eq!(
            rest,
            format!("refcount:1 encoding:embstr serializedlength:4 lru:{lru} lru_seconds_idle:3")
        );
        assert!(
            describe(&mut engine, "n")
                .contains("refcount:2147483647 encoding:int serializedlength:2 ")
        );
        // Redis 7.0.15 describes the same list so, but for its address and clock.
        assert!(describe(&mut engine, "l").ends_with(&format!(
            " encoding:quicklist serializedlength:19 lru:{lru} lru_seconds_idle:3 ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16"
        )));
        assert_eq!(
            engine.exec(c, &argv("DEBUG OBJECT nokey")),
            Reply::error("ERR no such key")
        );
    }
}
