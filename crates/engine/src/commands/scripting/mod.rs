//! Lua scripting: EVAL, EVALSHA, `EVAL_RO`, `EVALSHA_RO` (with shebang flags, `#!lua flags=…`)
//! and SCRIPT LOAD, EXISTS, FLUSH, KILL, HELP; functions (FUNCTION, FCALL, `FCALL_RO`) in
//! `functions.rs`. The interpreter and the `redis` library are in `lua.rs` and `prelude.lua`,
//! `cjson` in `cjson.rs`, `bit` in `bit.rs`, `cmsgpack` in `cmsgpack.rs`, `struct` in
//! `lstruct.rs`; the scripts cache, by SHA-1, is the engine's (`Engine::scripts`), and so are
//! the libraries (`Engine::functions`). Not here: SCRIPT DEBUG.

mod bit;
mod cjson;
mod cmsgpack;
pub mod functions;
mod guard;
mod lstruct;
mod lua;
mod meter;
mod patterns;
pub(crate) mod sha1;

use std::collections::BTreeMap;

use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::errors::{CmdResult, RedisError};
use crate::reply::Reply;

crate::lazy::commands! { Scripting, scripting;
    Command::new(
        "eval",
        eval_command,
        "Runs a Lua script on the server, atomically.",
    ),
    Command::new(
        "evalsha",
        evalsha_command,
        "Runs a cached Lua script by its SHA-1.",
    ),
    Command::new(
        "eval_ro",
        eval_ro_command,
        "Runs a Lua script that may only read.",
    ),
    Command::new(
        "evalsha_ro",
        evalsha_ro_command,
        "Runs a cached Lua script that may only read, by its SHA-1.",
    ),
    Command::new(
        "script",
        script_command,
        "Manages the cache of Lua scripts.",
    ),
    Command::new(
        "script|load",
        script_load_command,
        "Caches a Lua script without running it; answers its SHA-1.",
    ),
    Command::new(
        "script|exists",
        script_exists_command,
        "Tells which of these SHA-1s name cached scripts.",
    ),
    Command::new(
        "script|flush",
        script_flush_command,
        "Empties the scripts cache.",
    ),
    Command::new(
        "script|kill",
        script_kill_command,
        "Stops the running script (none ever runs while another command is sent here).",
    ),
    Command::new(
        "script|help",
        script_help_command,
        "Lists the SCRIPT subcommands.",
    ),
    Command::new(
        "fcall",
        fcall_command,
        "Calls a function of a loaded library.",
    ),
    Command::new(
        "fcall_ro",
        fcall_ro_command,
        "Calls a function of a loaded library; it may only read.",
    ),
    Command::new(
        "function",
        function_command,
        "Manages the libraries of functions.",
    ),
    Command::new(
        "function|load",
        function_load_command,
        "Loads a library of Lua functions; answers its name.",
    ),
    Command::new(
        "function|delete",
        function_delete_command,
        "Deletes a library and its functions.",
    ),
    Command::new(
        "function|flush",
        function_flush_command,
        "Deletes every library.",
    ),
    Command::new(
        "function|list",
        function_list_command,
        "Lists the libraries, their functions and, on request, their code.",
    ),
    Command::new(
        "function|stats",
        function_stats_command,
        "Counts the libraries and functions (no function is ever running when it is asked).",
    ),
    Command::new(
        "function|kill",
        function_kill_command,
        "Stops the running function (none ever runs while another command is sent here).",
    ),
    Command::new(
        "function|dump",
        function_dump_command,
        "Serializes every library as a payload FUNCTION RESTORE reads.",
    ),
    Command::new(
        "function|restore",
        function_restore_command,
        "Loads the libraries of a FUNCTION DUMP payload.",
    ),
    Command::new(
        "function|help",
        function_help_command,
        "Lists the FUNCTION subcommands.",
    ),
}

use functions::{
    fcall_command, fcall_ro_command, function_command, function_delete_command,
    function_dump_command, function_flush_command, function_help_command, function_kill_command,
    function_list_command, function_load_command, function_restore_command, function_stats_command,
};

/// Whether a command runs a script, which may call any command: in the page build, it waits
/// until every family is loaded (`Engine::missing_family`).
#[cfg(feature = "split")]
pub(crate) fn runs_scripts(spec: &crate::command::CommandSpec) -> bool {
    matches!(
        spec.name.as_str(),
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro"
    )
}

/// The scripts cache: bodies by the lowercase hex SHA-1 of their text.
#[derive(Debug, Clone, Default)]
pub struct Scripts {
    bodies: BTreeMap<String, Vec<u8>>,
    /// `cjson`'s settings, which scripts change and SCRIPT FLUSH resets. They are the engine's:
    /// the Lua state is the thread's, shared by every engine on it, and each run takes its
    /// engine's settings and gives them back.
    pub(crate) cjson: cjson::Config,
}

impl Scripts {
    /// The number of cached scripts (INFO's `number_of_cached_scripts`).
    pub fn count(&self) -> usize {
        self.bodies.len()
    }

    /// An estimate of the cache's memory as Redis counts it (`used_memory_scripts_eval`): each
    /// script's SHA-1 and body, and the dictionary's entries and slots.
    pub fn memory(&self) -> usize {
        let n = self.bodies.len();
        let scripts: usize = self
            .bodies
            .values()
            .map(|body| 48 + alloc_size(body.len() + 4))
            .sum();
        if n == 0 {
            0
        } else {
            scripts + n * 24 + n.next_power_of_two().max(4) * 8
        }
    }

    /// The body cached under `sha` (any case).
    fn get(&self, sha: &[u8]) -> Option<&Vec<u8>> {
        if sha.len() != 40 {
            return None;
        }
        let key = String::from_utf8_lossy(sha).to_ascii_lowercase();
        self.bodies.get(&key)
    }
}

/// Runs a script given by its text.
///
/// `EVAL script numkeys [key ...] [arg ...]`
pub fn eval_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    eval_generic(ctx, argv, false, false)
}

/// Runs a cached script.
///
/// `EVALSHA sha1 numkeys [key ...] [arg ...]`
pub fn evalsha_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    eval_generic(ctx, argv, true, false)
}

/// Runs a script given by its text; it may not write.
///
/// `EVAL_RO script numkeys [key ...] [arg ...]`
pub fn eval_ro_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    eval_generic(ctx, argv, false, true)
}

/// Runs a cached script; it may not write.
///
/// `EVALSHA_RO sha1 numkeys [key ...] [arg ...]`
pub fn evalsha_ro_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    eval_generic(ctx, argv, true, true)
}

/// A script's keys, and its other arguments.
type KeysAndArgs<'a> = (&'a [Vec<u8>], &'a [Vec<u8>]);

/// The keys and the arguments of `rest`, after a count of keys (`numkeys`) that does not read
/// as an integer fails with `not_integer`: Redis's checks and errors for EVAL and FCALL.
pub(super) fn split_keys<'a>(
    numkeys: &[u8],
    rest: &'a [Vec<u8>],
    not_integer: &'static str,
) -> Result<KeysAndArgs<'a>, RedisError> {
    let numkeys = crate::num::parse_i64(numkeys).ok_or_else(|| RedisError::new(not_integer))?;
    if numkeys > rest.len() as i64 {
        return Err(RedisError::new(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    let Ok(numkeys) = usize::try_from(numkeys) else {
        return Err(RedisError::new("ERR Number of keys can't be negative"));
    };
    Ok(rest.split_at(numkeys.min(rest.len())))
}

/// Redis's `evalGenericCommand`: the number of keys, the script (cached when it compiles), then
/// the run.
fn eval_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], by_sha: bool, read_only: bool) -> CmdResult {
    // Monitors see the script's command before the commands it runs.
    ctx.engine.feed_monitors_now(ctx.client, argv);
    let (Some(script), Some(numkeys)) = (argv.get(1), argv.get(2)) else {
        return Err(RedisError::wrong_arity("eval"));
    };
    let (keys, args) = split_keys(
        numkeys,
        argv.get(3..).unwrap_or_default(),
        "ERR value is not an integer or out of range",
    )?;
    let (sha, script) = if by_sha {
        let Some(body) = ctx.engine.scripts.get(script) else {
            return Err(RedisError::new(
                "NOSCRIPT No matching script. Please use EVAL.",
            ));
        };
        (
            String::from_utf8_lossy(script).to_ascii_lowercase(),
            body.clone(),
        )
    } else {
        let sha = sha1::sha1_hex(script);
        if !ctx.engine.scripts.bodies.contains_key(&sha) {
            let (_, body) = shebang(script)?;
            lua::compile(&sha, body)?;
            ctx.engine
                .scripts
                .bodies
                .insert(sha.clone(), script.clone());
        }
        (sha, script.clone())
    };
    let (flags, body) = shebang(&script)?;
    // A script with a shebang declares its flags (`scriptPrepareForRun`); one without runs as
    // before 7.0 (EVAL_RO alone makes it read-only).
    let mut read_only = read_only;
    if let Some(flags) = flags {
        let no_writes = flags & functions::NO_WRITES != 0;
        if !no_writes && read_only {
            return Err(RedisError::new(
                "ERR Can not execute a script with write flag using *_ro command.",
            ));
        }
        read_only |= no_writes;
    }
    lua::run(
        ctx,
        lua::Target::Script { sha: &sha, body },
        keys,
        args,
        read_only,
    )
}

/// A script's shebang (`evalExtractShebangFlags`): its flags (`None` for a script without one,
/// which runs in the compatibility mode of scripts before 7.0) and the code to compile, from
/// the shebang's newline on (line numbers stay the script's); `Err` with Redis's message.
fn shebang(script: &[u8]) -> Result<(Option<u32>, &[u8]), RedisError> {
    if !script.starts_with(b"#!") {
        return Ok((None, script));
    }
    // Redis reads the script as a C string.
    let text = crate::cstr::c_str(script);
    let Some(newline) = text.iter().position(|&b| b == b'\n') else {
        return Err(RedisError::new("ERR Invalid script shebang"));
    };
    let parts = match crate::cli::split_args(text.get(..newline).unwrap_or_default()) {
        Ok(parts) if !parts.is_empty() => parts,
        _ => return Err(RedisError::new("ERR Invalid engine in script shebang")),
    };
    let engine = parts.first().map_or(&[][..], Vec::as_slice);
    if engine != b"#!lua" {
        return Err(RedisError::owned(format!(
            "ERR Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(crate::cstr::c_str(engine))
        )));
    }
    let mut flags = 0;
    for part in parts.iter().skip(1) {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(RedisError::owned(format!(
                "ERR Unknown lua shebang option: {}",
                String::from_utf8_lossy(crate::cstr::c_str(part))
            )));
        };
        if list.is_empty() {
            continue;
        }
        for name in list.split(|&b| b == b',') {
            let Some(bit) = functions::FLAG_NAMES
                .iter()
                .position(|f| f.as_bytes() == name)
            else {
                return Err(RedisError::owned(format!(
                    "ERR Unexpected flag in script shebang: {}",
                    String::from_utf8_lossy(crate::cstr::c_str(name))
                )));
            };
            flags |= 1 << bit;
        }
    }
    Ok((Some(flags), script.get(newline..).unwrap_or_default()))
}

/// Only reached with a known subcommand missing, which dispatch already refused.
///
/// `SCRIPT <subcommand>`
pub fn script_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::wrong_arity("script"))
}

/// Compiles and caches a script, answering its SHA-1.
///
/// `SCRIPT LOAD script`
pub fn script_load_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let Some(body) = argv.get(2) else {
        return Err(args::subcommand_syntax_error(argv));
    };
    let sha = sha1::sha1_hex(body);
    if !ctx.engine.scripts.bodies.contains_key(&sha) {
        let (_, code) = shebang(body)?;
        lua::compile(&sha, code)?;
        ctx.engine.scripts.bodies.insert(sha.clone(), body.clone());
    }
    Ok(Reply::bulk(sha.as_bytes()))
}

/// One integer per SHA-1: 1 when a script by that name is cached.
///
/// `SCRIPT EXISTS sha1 [sha1 ...]`
pub fn script_exists_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let shas = argv.get(2..).unwrap_or_default();
    Ok(Reply::Array(
        shas.iter()
            .map(|sha| Reply::Integer(i64::from(ctx.engine.scripts.get(sha).is_some())))
            .collect(),
    ))
}

/// Empties the cache (ASYNC and SYNC do the same here).
///
/// `SCRIPT FLUSH [ASYNC | SYNC]`
pub fn script_flush_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    match argv.get(2..).unwrap_or_default() {
        [] => {}
        [mode] if args::is(mode, "sync") || args::is(mode, "async") => {}
        _ => {
            return Err(RedisError::new(
                "ERR SCRIPT FLUSH only support SYNC|ASYNC option",
            ));
        }
    }
    ctx.engine.scripts.bodies.clear();
    ctx.engine.scripts.cjson = cjson::Config::default();
    lua::forget_compiled();
    Ok(Reply::ok())
}

/// No script is ever running when another command arrives: a script runs whole inside the one
/// command that started it (and is stopped by its budget, see `lua.rs`).
///
/// `SCRIPT KILL`
pub fn script_kill_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::new(
        "NOTBUSY No scripts in execution right now.",
    ))
}

/// `SCRIPT HELP`
pub fn script_help_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let command = argv.first().map_or(&b"script"[..], Vec::as_slice);
    Ok(args::help_reply(
        command,
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    ))
}

/// The size jemalloc gives an allocation of `n` bytes (its size classes: 8, then steps of 16 up
/// to 128, then four classes for each doubling).
pub(crate) fn alloc_size(n: usize) -> usize {
    if n <= 8 {
        8
    } else if n <= 128 {
        n.div_ceil(16) * 16
    } else {
        let step = (n - 1).next_power_of_two() / 4;
        n.div_ceil(step) * step
    }
}
