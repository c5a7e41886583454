//! Redis 7.0's functions: libraries of Lua functions loaded with `FUNCTION LOAD`, called with
//! `FCALL` and `FCALL_RO`, listed, deleted, flushed, dumped and restored (`functions.c` and
//! `function_lua.c`).
//!
//! The libraries are server state, kept here (`Engine::functions`): each its code and what its
//! functions registered (names, descriptions, flags). The Lua functions themselves live in the
//! thread's Lua state (`lua.rs`), by the SHA-1 of their library's code: a state that is built
//! again, or that forgot them, loads the library again when one of its functions is called, as
//! Redis loads every library again from an RDB file. FLUSHALL and SCRIPT FLUSH leave them; the
//! RDB file keeps them (`FUNCTION2` records, read back by DEBUG RELOAD and a restart), and so do
//! the AOF (FUNCTION LOAD, DELETE, FLUSH and RESTORE change the data and are appended) and its
//! RDB preamble. `FUNCTION DUMP` writes Redis's own payload (the libraries' `FUNCTION2` records,
//! the RDB version and a CRC-64), which `FUNCTION RESTORE` reads, from this engine or Redis.

use std::collections::BTreeMap;

use super::lua::{self, LoadFailure, Target};
use super::sha1::sha1_hex;
use crate::command::Ctx;
use crate::commands::args;
use crate::engine::Engine;
use crate::errors::{CmdResult, RedisError};
use crate::rdb::{self, Reader, Writer};
use crate::reply::Reply;

/// The flags a function may declare (`scripts_flags_def`), bit `1 << i` for the name at `i`.
pub const FLAG_NAMES: [&str; 5] = [
    "no-writes",
    "allow-oom",
    "allow-stale",
    "no-cluster",
    "allow-cross-slot-keys",
];
/// The bit of `no-writes`.
pub const NO_WRITES: u32 = 1;

/// The RDB opcode of a library (Redis 7.0 GA), and that of 7.0's release candidates.
const OPCODE_FUNCTION2: u8 = 245;
const OPCODE_FUNCTION: u8 = 246;

const NAME_RULE: &str = "ERR Library names can only contain letters, numbers, or underscores(_) \
                         and must be at least one character long";

/// The loaded libraries.
#[derive(Debug, Clone, Default)]
pub struct Functions {
    /// By name (case-sensitive, as Redis's).
    libraries: BTreeMap<String, Library>,
    /// Codes of libraries read from an RDB file, loaded on first use (the RDB loader does not
    /// run Lua: in the page it is another chunk than the interpreter's).
    pending: Vec<Vec<u8>>,
}

/// A library: its code (shebang included) and its functions.
#[derive(Debug, Clone)]
struct Library {
    code: Vec<u8>,
    /// The SHA-1 of `code`: the name the Lua state keeps its functions under.
    sha: String,
    /// Where the code after the shebang starts (at the shebang's newline).
    body_start: usize,
    /// By name (case-sensitive within a library).
    functions: BTreeMap<String, FunctionInfo>,
}

#[derive(Debug, Clone)]
struct FunctionInfo {
    description: Option<Vec<u8>>,
    flags: u32,
}

impl Library {
    fn body(&self) -> &[u8] {
        self.code.get(self.body_start..).unwrap_or_default()
    }
}

impl Functions {
    /// The number of libraries (those waiting to be loaded included).
    pub fn library_count(&self) -> usize {
        self.libraries.len() + self.pending.len()
    }

    /// The number of functions of the loaded libraries.
    pub fn function_count(&self) -> usize {
        self.libraries.values().map(|l| l.functions.len()).sum()
    }

    /// An estimate of the libraries' memory as Redis counts it (`used_memory_functions`): a
    /// fixed overhead, then each library's structure, name and code, and each function's.
    pub fn memory(&self) -> usize {
        use super::alloc_size;
        let libraries: usize = self
            .libraries
            .iter()
            .map(|(name, lib)| {
                let functions: usize = lib
                    .functions
                    .iter()
                    .map(|(f, info)| {
                        64 + alloc_size(f.len() + 4)
                            + info
                                .description
                                .as_ref()
                                .map_or(0, |d| alloc_size(d.len() + 4))
                    })
                    .sum();
                48 + alloc_size(name.len() + 4) + alloc_size(lib.code.len() + 4) + functions
            })
            .sum();
        let pending: usize = self
            .pending
            .iter()
            .map(|c| 64 + alloc_size(c.len() + 4))
            .sum();
        200 + libraries + pending
    }

    /// Forgets every library.
    pub fn clear(&mut self) {
        self.libraries.clear();
        self.pending.clear();
    }

    /// Every library's code, for the RDB file.
    pub fn codes(&self) -> Vec<&[u8]> {
        self.libraries
            .values()
            .map(|l| l.code.as_slice())
            .chain(self.pending.iter().map(Vec::as_slice))
            .collect()
    }

    /// The names of every library (loaded or waiting).
    pub fn names(&self) -> Vec<String> {
        self.libraries
            .keys()
            .cloned()
            .chain(self.pending.iter().filter_map(|c| library_name(c)))
            .collect()
    }

    /// Adds libraries read from an RDB file, loaded on first use; `replace`: a library of the
    /// same name is dropped first.
    pub fn add_pending(&mut self, codes: Vec<Vec<u8>>, replace: bool) {
        for code in codes {
            if replace && let Some(name) = library_name(&code) {
                self.libraries.remove(&name);
                self.pending
                    .retain(|c| library_name(c).as_deref() != Some(name.as_str()));
            }
            self.pending.push(code);
        }
    }

    /// Loads the libraries read from an RDB file (one that fails to load is dropped, as it
    /// could not have been saved by this engine).
    pub fn settle(&mut self) {
        for code in std::mem::take(&mut self.pending) {
            let _ = create(self, &code, false);
        }
    }

    /// The library and the function called `name` (any case, as Redis's functions dictionary).
    fn find(&self, name: &[u8]) -> Option<(&Library, &str, &FunctionInfo)> {
        self.libraries.values().find_map(|lib| {
            lib.functions
                .iter()
                .find(|(f, _)| f.as_bytes().eq_ignore_ascii_case(name))
                .map(|(f, info)| (lib, f.as_str(), info))
        })
    }

    /// Whether a function of a library other than `except` is called `name` (any case).
    fn function_exists(&self, name: &str, except: &str) -> bool {
        self.libraries.iter().any(|(lib_name, lib)| {
            lib_name != except && lib.functions.keys().any(|f| f.eq_ignore_ascii_case(name))
        })
    }
}

/// What a library's shebang says (`functionExtractLibMetaData`): its engine and its name, and
/// where the code after the shebang starts; `Err` with Redis's message.
fn metadata(code: &[u8]) -> Result<(Vec<u8>, Vec<u8>, usize), String> {
    if !code.starts_with(b"#!") {
        return Err("ERR Missing library metadata".to_string());
    }
    // Redis reads the code as a C string.
    let code = code
        .iter()
        .position(|&b| b == 0)
        .map_or(code, |end| code.get(..end).unwrap_or_default());
    let Some(newline) = code.iter().position(|&b| b == b'\n') else {
        return Err("ERR Invalid library metadata".to_string());
    };
    let shebang = code.get(..newline).unwrap_or_default();
    let parts = match crate::cli::split_args(shebang) {
        Ok(parts) if !parts.is_empty() => parts,
        _ => return Err("ERR Invalid library metadata".to_string()),
    };
    let engine = parts
        .first()
        .and_then(|p| p.get(2..))
        .unwrap_or_default()
        .to_vec();
    let mut name = None;
    for part in parts.iter().skip(1) {
        if part.len() >= 5
            && part
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"name="))
        {
            if name.is_some() {
                return Err(
                    "ERR Invalid metadata value, name argument was given multiple times"
                        .to_string(),
                );
            }
            name = Some(part.get(5..).unwrap_or_default().to_vec());
            continue;
        }
        return Err(format!(
            "ERR Invalid metadata value given: {}",
            String::from_utf8_lossy(crate::cstr::c_str(part))
        ));
    }
    let Some(name) = name else {
        return Err("ERR Library name was not given".to_string());
    };
    Ok((engine, name, newline))
}

/// Redis's `functionsVerifyName`: letters, digits and underscores, at least one.
fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The name a library's code gives itself, if it gives a valid one (the RDB loader's check
/// that a file's libraries do not clash, without running them).
pub fn library_name(code: &[u8]) -> Option<String> {
    let (_, name, _) = metadata(code).ok()?;
    valid_name(&name).then(|| String::from_utf8_lossy(&name).into_owned())
}

/// Loads a library (`functionsCreateWithLibraryCtx`): its name, or Redis's error. A library
/// that fails to load changes nothing.
fn create(functions: &mut Functions, code: &[u8], replace: bool) -> Result<String, RedisError> {
    let (engine, name, body_start) = metadata(code).map_err(RedisError::owned)?;
    if !valid_name(&name) {
        return Err(RedisError::new(NAME_RULE));
    }
    if !engine.eq_ignore_ascii_case(b"lua") {
        return Err(RedisError::owned(format!(
            "ERR Engine '{}' not found",
            String::from_utf8_lossy(&engine)
        )));
    }
    let name = String::from_utf8_lossy(&name).into_owned();
    if !replace && functions.libraries.contains_key(&name) {
        return Err(RedisError::owned(format!(
            "ERR Library '{name}' already exists"
        )));
    }
    let sha = sha1_hex(code);
    let body = code.get(body_start..).unwrap_or_default();
    let registered = match lua::load_library(&sha, body)? {
        Ok(registered) => registered,
        Err(LoadFailure::Compile(message)) => {
            return Err(RedisError::owned(crate::errors::sanitize(format!(
                "ERR Error compiling function: {message}"
            ))));
        }
        Err(LoadFailure::Error(message)) => {
            return Err(RedisError::owned(crate::errors::sanitize(format!(
                "ERR Error registering functions: {message}"
            ))));
        }
        Err(LoadFailure::Timeout) => {
            return Err(RedisError::new(
                "ERR Error registering functions: ERR FUNCTION LOAD timeout",
            ));
        }
        Err(LoadFailure::Memory) => {
            return Err(RedisError::owned(format!(
                "ERR Error registering functions: ERR the library used more than {} MB of Lua \
                 memory while loading (a limit of the playground)",
                lua::MEMORY_BUDGET / (1024 * 1024)
            )));
        }
    };
    if registered.is_empty() {
        return Err(RedisError::new("ERR No functions registered"));
    }
    for f in &registered {
        if functions.function_exists(&f.name, &name) {
            return Err(RedisError::owned(format!(
                "ERR Function {} already exists",
                f.name
            )));
        }
    }
    let library = Library {
        code: code.to_vec(),
        sha,
        body_start,
        functions: registered
            .into_iter()
            .map(|f| {
                (
                    f.name,
                    FunctionInfo {
                        description: f.description,
                        flags: f.flags,
                    },
                )
            })
            .collect(),
    };
    functions.libraries.insert(name.clone(), library);
    Ok(name)
}

/// The engine's libraries, those read from an RDB file loaded first.
fn settled<'a>(ctx: &'a mut Ctx<'_>) -> &'a mut Functions {
    let functions = &mut ctx.engine.functions;
    if !functions.pending.is_empty() {
        functions.settle();
    }
    functions
}

/// Only reached with a known subcommand missing, which dispatch already refused.
///
/// `FUNCTION <subcommand>`
pub fn function_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::wrong_arity("function"))
}

/// Loads a library, answering its name.
///
/// `FUNCTION LOAD [REPLACE] function-code`
pub fn function_load_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut replace = false;
    let mut pos = 2;
    while pos + 1 < argv.len() {
        let arg = argv.get(pos).map_or(&[][..], Vec::as_slice);
        pos += 1;
        if args::is(arg, "replace") {
            replace = true;
            continue;
        }
        return Err(RedisError::owned(format!(
            "ERR Unknown option given: {}",
            String::from_utf8_lossy(crate::cstr::c_str(arg))
        )));
    }
    let Some(code) = argv.get(pos) else {
        return Err(RedisError::new("ERR Function code is missing"));
    };
    let name = create(settled(ctx), code, replace)?;
    ctx.engine.persistence.dirty += 1;
    Ok(Reply::bulk(name.as_bytes()))
}

/// Deletes a library.
///
/// `FUNCTION DELETE library-name`
pub fn function_delete_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let name = argv.get(2).map_or(&[][..], Vec::as_slice);
    let name = String::from_utf8_lossy(crate::cstr::c_str(name)).into_owned();
    if settled(ctx).libraries.remove(&name).is_none() {
        return Err(RedisError::new("ERR Library not found"));
    }
    ctx.engine.persistence.dirty += 1;
    Ok(Reply::ok())
}

/// Deletes every library (ASYNC and SYNC do the same here).
///
/// `FUNCTION FLUSH [ASYNC | SYNC]`
pub fn function_flush_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    match argv.get(2..).unwrap_or_default() {
        [] => {}
        [mode] if args::is(mode, "sync") || args::is(mode, "async") => {}
        [_] => {
            return Err(RedisError::new(
                "ERR FUNCTION FLUSH only supports SYNC|ASYNC option",
            ));
        }
        _ => return Err(args::subcommand_syntax_error(argv)),
    }
    ctx.engine.functions.clear();
    lua::forget_libraries();
    ctx.engine.persistence.dirty += 1;
    Ok(Reply::ok())
}

/// The libraries, their functions and (`WITHCODE`) code; `LIBRARYNAME` keeps those whose name
/// matches a glob pattern.
///
/// `FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]`
pub fn function_list_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut with_code = false;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 2;
    while let Some(arg) = argv.get(i) {
        if !with_code && args::is(arg, "withcode") {
            with_code = true;
        } else if pattern.is_none() && args::is(arg, "libraryname") {
            let Some(p) = argv.get(i + 1) else {
                return Err(RedisError::new("ERR library name argument was not given"));
            };
            pattern = Some(crate::cstr::c_str(p));
            i += 1;
        } else {
            return Err(RedisError::owned(format!(
                "ERR Unknown argument {}",
                String::from_utf8_lossy(crate::cstr::c_str(arg))
            )));
        }
        i += 1;
    }
    let functions = settled(ctx);
    let mut libraries = Vec::new();
    for (name, lib) in &functions.libraries {
        if let Some(p) = pattern
            && !crate::glob::glob_match(p, name.as_bytes(), true)
        {
            continue;
        }
        let listed = lib
            .functions
            .iter()
            .map(|(f, info)| {
                Reply::Map(vec![
                    (Reply::bulk(b"name"), Reply::bulk(f.as_bytes())),
                    (
                        Reply::bulk(b"description"),
                        info.description.as_deref().map_or(Reply::Nil, Reply::bulk),
                    ),
                    (Reply::bulk(b"flags"), Reply::Set(flag_replies(info.flags))),
                ])
            })
            .collect();
        let mut fields = vec![
            (Reply::bulk(b"library_name"), Reply::bulk(name.as_bytes())),
            (Reply::bulk(b"engine"), Reply::bulk(b"LUA")),
            (Reply::bulk(b"functions"), Reply::Array(listed)),
        ];
        if with_code {
            fields.push((Reply::bulk(b"library_code"), Reply::bulk(&lib.code)));
        }
        libraries.push(Reply::Map(fields));
    }
    Ok(Reply::Array(libraries))
}

fn flag_replies(flags: u32) -> Vec<Reply> {
    FLAG_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| flags & (1 << i) != 0)
        .map(|(_, name)| Reply::status(name))
        .collect()
}

/// No function is ever running when another command arrives; the engine's libraries count.
///
/// `FUNCTION STATS`
pub fn function_stats_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    let functions = settled(ctx);
    let counts = Reply::Map(vec![
        (
            Reply::bulk(b"libraries_count"),
            Reply::Integer(functions.libraries.len() as i64),
        ),
        (
            Reply::bulk(b"functions_count"),
            Reply::Integer(functions.function_count() as i64),
        ),
    ]);
    Ok(Reply::Map(vec![
        (Reply::bulk(b"running_script"), Reply::Nil),
        (
            Reply::bulk(b"engines"),
            Reply::Map(vec![(Reply::bulk(b"LUA"), counts)]),
        ),
    ]))
}

/// As `SCRIPT KILL`: nothing is ever running when this arrives.
///
/// `FUNCTION KILL`
pub fn function_kill_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::new(
        "NOTBUSY No scripts in execution right now.",
    ))
}

/// The libraries as Redis's payload: each library's `FUNCTION2` record, the RDB version, the
/// CRC-64.
///
/// `FUNCTION DUMP`
pub fn function_dump_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    let compress = ctx.engine.config.rdbcompression;
    let functions = settled(ctx);
    let mut w = Writer::new(compress);
    for code in functions.codes() {
        w.save_type(OPCODE_FUNCTION2);
        w.save_string(code);
    }
    w.raw(&rdb::RDB_VERSION.to_le_bytes());
    let crc = rdb::crc64(0, w.as_bytes());
    w.raw(&crc.to_le_bytes());
    Ok(Reply::from(w.into_bytes()))
}

/// How `FUNCTION RESTORE` treats the libraries already loaded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Policy {
    Flush,
    Append,
    Replace,
}

/// Loads the libraries of a `FUNCTION DUMP` payload (`APPEND`, the default: a library of the
/// same name fails the whole restore; `REPLACE` replaces it; `FLUSH` deletes all first).
///
/// `FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]`
pub fn function_restore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    if argv.len() > 4 {
        return Err(args::subcommand_syntax_error(argv));
    }
    let policy = match argv.get(3) {
        None => Policy::Append,
        Some(p) if args::is(p, "append") => Policy::Append,
        Some(p) if args::is(p, "replace") => Policy::Replace,
        Some(p) if args::is(p, "flush") => Policy::Flush,
        Some(_) => {
            return Err(RedisError::new(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            ));
        }
    };
    let payload = argv.get(2).map_or(&[][..], Vec::as_slice);
    if !rdb::verify_payload(payload) {
        return Err(RedisError::new(
            "ERR DUMP payload version or checksum are wrong",
        ));
    }
    let codes = read_payload(payload).map_err(RedisError::owned)?;
    // The payload's libraries load on their own first, as Redis loads them into a new set.
    let mut fresh = Functions::default();
    for code in &codes {
        create(&mut fresh, code, false).map_err(|e| {
            // Redis keeps the load's message (its own errors have no code).
            RedisError::owned(e.to_string())
        })?;
    }
    let current = settled(ctx);
    match policy {
        Policy::Flush => *current = fresh,
        Policy::Append | Policy::Replace => join(current, fresh, policy == Policy::Replace)?,
    }
    ctx.engine.persistence.dirty += 1;
    Ok(Reply::ok())
}

/// A library's code from the release candidates' record (engine, name, code without a
/// shebang), as Redis rebuilds it: `#!<engine> name=<name>`, a newline, then the code. Shared
/// by `FUNCTION RESTORE` and the RDB loader.
pub fn rc_library_code(engine: &[u8], name: &[u8], blob: &[u8]) -> Vec<u8> {
    let mut code = Vec::with_capacity(engine.len() + name.len() + blob.len() + 9);
    code.extend_from_slice(b"#!");
    code.extend_from_slice(engine);
    code.extend_from_slice(b" name=");
    code.extend_from_slice(name);
    code.push(b'\n');
    code.extend_from_slice(blob);
    code
}

/// The library codes of a payload (its records, the 10-byte footer left out).
fn read_payload(payload: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let body = payload
        .get(..payload.len().saturating_sub(rdb::FOOTER_LEN))
        .unwrap_or_default();
    let mut r = Reader::new(body);
    let mut codes = Vec::new();
    while r.position() < body.len() {
        let t = r
            .read_u8()
            .map_err(|_| "ERR can not read data type".to_string())?;
        match t {
            OPCODE_FUNCTION2 => codes.push(
                r.load_string()
                    .map_err(|_| "ERR Failed loading library payload".to_string())?,
            ),
            OPCODE_FUNCTION => {
                let failed = |what: &str| format!("ERR Failed loading library {what}");
                let name = r.load_string().map_err(|_| failed("name"))?;
                let engine = r
                    .load_string()
                    .map_err(|_| "ERR Failed loading engine name".to_string())?;
                let has_desc = r.load_len().map_err(|_| failed("description indicator"))?;
                if has_desc != 0 {
                    r.load_string().map_err(|_| failed("description"))?;
                }
                let blob = r.load_string().map_err(|_| failed("blob"))?;
                codes.push(rc_library_code(&engine, &name, &blob));
            }
            _ => return Err("ERR given type is not a function".to_string()),
        }
    }
    Ok(codes)
}

/// Adds `fresh`'s libraries to `current` (`libraryJoin`): a library of the same name fails
/// unless `replace`; a function of the same name as another library's fails; on failure
/// `current` is left as it was.
fn join(current: &mut Functions, fresh: Functions, replace: bool) -> Result<(), RedisError> {
    let mut merged = current.clone();
    for name in fresh.libraries.keys() {
        if merged.libraries.contains_key(name) {
            if !replace {
                return Err(RedisError::owned(format!(
                    "ERR Library {name} already exists"
                )));
            }
            merged.libraries.remove(name);
        }
    }
    for lib in fresh.libraries.values() {
        for f in lib.functions.keys() {
            if merged.function_exists(f, "") {
                return Err(RedisError::owned(format!(
                    "ERR Function {f} already exists"
                )));
            }
        }
    }
    merged.libraries.extend(fresh.libraries);
    *current = merged;
    Ok(())
}

/// `FUNCTION HELP`
pub fn function_help_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let command = argv.first().map_or(&b"function"[..], Vec::as_slice);
    Ok(args::help_reply(
        command,
        &[
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
        ],
    ))
}

/// Calls a function.
///
/// `FCALL function numkeys [key ...] [arg ...]`
pub fn fcall_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    fcall_generic(ctx, argv, false)
}

/// Calls a function that may not write.
///
/// `FCALL_RO function numkeys [key ...] [arg ...]`
pub fn fcall_ro_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    fcall_generic(ctx, argv, true)
}

/// `fcallCommandGeneric`: the function, the number of keys, the flags, then the run.
fn fcall_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], ro: bool) -> CmdResult {
    // Monitors see the call before the commands the function runs.
    ctx.engine.feed_monitors_now(ctx.client, argv);
    let (Some(name), Some(numkeys)) = (argv.get(1), argv.get(2)) else {
        return Err(RedisError::wrong_arity(if ro {
            "fcall_ro"
        } else {
            "fcall"
        }));
    };
    let functions = settled(ctx);
    let Some((lib, fname, info)) = functions.find(crate::cstr::c_str(name)) else {
        return Err(RedisError::new("ERR Function not found"));
    };
    let (keys, args) = super::split_keys(
        numkeys,
        argv.get(3..).unwrap_or_default(),
        "ERR Bad number of keys provided",
    )?;
    let no_writes = info.flags & NO_WRITES != 0;
    if !no_writes && ro {
        return Err(RedisError::new(
            "ERR Can not execute a script with write flag using *_ro command.",
        ));
    }
    let (sha, body, fname) = (lib.sha.clone(), lib.body().to_vec(), fname.to_string());
    lua::run(
        ctx,
        Target::Function {
            sha: &sha,
            body: &body,
            name: &fname,
        },
        keys,
        args,
        ro || no_writes,
    )
}

/// Writes the libraries into an RDB file's body (`rdbSaveFunctions`).
pub fn save_rdb(engine: &Engine, w: &mut Writer) {
    for code in engine.functions.codes() {
        w.save_type(OPCODE_FUNCTION2);
        w.save_string(code);
    }
}
