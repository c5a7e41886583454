//! Running a script: one Lua 5.1 state (omnilua, pure Rust) kept for the scripts of the thread,
//! as Redis keeps one, with an instruction and a memory budget; the `redis` library of
//! `prelude.lua`, and the conversions between Redis replies and Lua values of Redis 7.0's
//! `script_lua.c`.
//!
//! Building a state and its world costs about a millisecond in wasm, so it is built once and
//! each script compiled once (by SHA-1). A script cannot leave anything behind: its globals and
//! libraries are read-only, and KEYS, ARGV and the `redis` functions bound to its command are
//! set for its run only. A state whose run was stopped, or failed inside the interpreter, is
//! dropped, and the next script gets a new one. Differences, on purpose: a script is stopped
//! after [`INSTRUCTION_BUDGET`] Lua instructions (a command it calls counting as
//! [`COMMAND_WEIGHT`], the bytes it allocates and some library work as `meter.rs` charges
//! them) or when its state holds more than
//! [`MEMORY_BUDGET`] bytes (Redis runs it until `SCRIPT KILL`, answering `BUSY` to everyone else
//! meanwhile; the page has a single thread, so nobody could send that `SCRIPT KILL`). What the
//! script wrote before it was stopped stays written.

use std::cell::{Cell, RefCell};

use omnilua::{
    Function, HostHooks, Lua, LuaError, LuaRuntime, LuaString, LuaVersion, Sandbox, SandboxConfig,
    Table, TripReason, Value, Variadic,
};

use crate::command::{CommandSpec, Ctx, Registry, flag};
use crate::errors::{CmdResult, RedisError, sanitize};
use crate::reply::Reply;

/// The Lua instructions a script may run (about a quarter of a second natively, a second in
/// wasm), each command it calls counting as [`COMMAND_WEIGHT`] of them.
pub const INSTRUCTION_BUDGET: u64 = 20_000_000;
/// What a command a script calls costs of its [`INSTRUCTION_BUDGET`]: in wasm a `redis.call` of
/// a small command takes about as long as 25 Lua instructions, so that a script calling commands
/// in a loop is stopped after about as long as one that only computes.
pub const COMMAND_WEIGHT: u64 = 25;
/// The memory the Lua state of a script may use.
pub const MEMORY_BUDGET: usize = 16 * 1024 * 1024;
/// How deep a table a script returns may nest.
const MAX_REPLY_DEPTH: usize = 100;
/// The compiled scripts a state keeps: past this many, or this many bytes of their text, it
/// forgets them all (they are compiled again when run).
const MAX_COMPILED: usize = 1024;
const MAX_COMPILED_BYTES: usize = 1 << 20;

const PRELUDE: &str = include_str!("prelude.lua");

thread_local! {
    /// The Lua state scripts run in, built on first use. It is taken out while a script runs
    /// (scripts cannot run scripts: EVAL is refused inside one) and put back unless dropped.
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// A Lua state with the world of `prelude.lua` built. The prelude's functions and the compiled
/// scripts stay in Lua's own tables (the global `__playground`), where its collector traces them:
/// omnilua 0.7.1 has been seen sweeping the constants of a function only a Rust handle kept.
struct State {
    lua: Lua,
    sandbox: Sandbox,
    /// The settings of the scripts' `cjson`, which last until `SCRIPT FLUSH` as in Redis.
    cjson_settings: super::cjson::Settings,
}

impl State {
    fn new() -> omnilua::Result<State> {
        // Built as a runtime first: the meter's hook needs the raw state (see meter.rs). The
        // handle then reports version 5.4 (`into_lua` does not keep it), which only changes how
        // Rust integers cross into Lua: this module and its libraries hand Lua floats.
        let mut runtime = LuaRuntime::with_hooks_versioned(HostHooks::default(), LuaVersion::V51)?;
        super::meter::install(runtime.state_mut()).map_err(omnilua::Error::from)?;
        let lua = runtime.into_lua();
        let sandbox = lua.install_sandbox(sandbox_config())?;
        let globals = lua.globals();
        let charge: Function = globals.get(super::meter::CHARGE_GLOBAL)?;
        let arm: Function = globals.get(super::meter::ARM_GLOBAL)?;
        globals.raw_set(super::meter::CHARGE_GLOBAL, Value::Nil)?;
        globals.raw_set(super::meter::ARM_GLOBAL, Value::Nil)?;
        let getinfo: Function = lua.globals().get::<_, Table>("debug")?.get("getinfo")?;
        let cjson_settings = super::cjson::Settings::default();
        let cjson = super::cjson::library(&lua, &getinfo, &cjson_settings)?;
        let bit = super::bit::library(&lua, &getinfo)?;
        let cmsgpack = super::cmsgpack::library(&lua, &getinfo)?;
        let lstruct = super::lstruct::library(&lua, &getinfo)?;
        let patterns = super::patterns::library(&lua, &getinfo)?;
        let version = crate::command::REDIS_VERSION;
        let prelude = lua.load(PRELUDE).set_name("=[redis]").into_function()?;
        let args: Variadic<Value> = Variadic::from(vec![
            Value::Function(sha1hex_function(&lua)?),
            Value::Function(log_function(&lua)?),
            Value::Function(set_repl_function(&lua)?),
            Value::Function(acl_check_function(&lua)?),
            Value::String(lua.create_string(version)?),
            Value::Number(version_number(version)),
            Value::Number(MEMORY_BUDGET as f64),
            Value::String(lua.create_string(MARK)?),
            Value::Table(cjson),
            Value::Number(MAX_COMPILED as f64),
            Value::Number(MAX_COMPILED_BYTES as f64),
            Value::Table(bit),
            Value::Table(cmsgpack),
            Value::Table(lstruct),
            Value::Function(charge),
            Value::Function(arm),
            Value::Table(patterns),
        ]);
        prelude.call::<_, ()>(args)?;
        Ok(State {
            lua,
            sandbox,
            cjson_settings,
        })
    }

    /// A run (or a compilation) begins: a full budget, its allocations measured afresh, and the
    /// count that runs the meter's hook started again (installing the sandbox again restarts
    /// it), so that a script meets the hook at the same instructions whatever ran before it.
    fn begin(&self) -> omnilua::Result<()> {
        self.sandbox.reset();
        self.lua.install_sandbox(sandbox_config())?;
        super::meter::begin();
        Ok(())
    }

    /// One of the prelude's functions (`compile`, `run`, `forget`).
    fn prelude_function(&self, name: &str) -> omnilua::Result<Function> {
        self.lua
            .globals()
            .get::<_, Table>("__playground")?
            .get(name)
    }

    /// Compiles the script `body` named `sha` unless it is compiled: `Err` with Lua's message
    /// when it does not compile.
    fn compile(&self, sha: &str, body: &[u8]) -> omnilua::Result<Result<(), String>> {
        self.begin()?;
        let compile = self.prelude_function("compile")?;
        let (compiles, message): (Value, Value) =
            compile.call((sha, self.lua.create_string(body)?))?;
        if matches!(compiles, Value::Boolean(true)) {
            return Ok(Ok(()));
        }
        Ok(Err(lua_text(&message)?))
    }
}

/// The budget a script runs under, its checks at the meter's interval.
fn sandbox_config() -> SandboxConfig {
    SandboxConfig {
        instruction_limit: Some(INSTRUCTION_BUDGET),
        memory_limit_bytes: Some(MEMORY_BUDGET),
        check_interval: super::meter::INTERVAL,
        remove_globals: Vec::new(),
    }
}

/// A Lua string's text (lossy), or nothing for other values.
fn lua_text(value: &Value) -> omnilua::Result<String> {
    Ok(match value {
        Value::String(s) => String::from_utf8_lossy(&s.as_bytes()?).into_owned(),
        _ => String::new(),
    })
}

/// Runs `f` with the thread's state (built if needed), which it may keep (`true`) or drop.
fn with_state<T>(f: impl FnOnce(&mut State) -> (T, bool)) -> Result<T, RedisError> {
    let taken = STATE.with(|cell| cell.try_borrow_mut().ok().and_then(|mut s| s.take()));
    let mut state = match taken {
        Some(state) => state,
        None => State::new().map_err(|e| internal(&e))?,
    };
    let (out, keep) = f(&mut state);
    if keep {
        STATE.with(|cell| {
            if let Ok(mut slot) = cell.try_borrow_mut() {
                *slot = Some(state);
            }
        });
    }
    Ok(out)
}

/// Forgets the compiled scripts and resets `cjson`'s settings (`SCRIPT FLUSH`: Redis makes a
/// new Lua state).
pub fn forget_compiled() {
    STATE.with(|cell| {
        let Ok(mut slot) = cell.try_borrow_mut() else {
            return;
        };
        let Some(state) = slot.as_ref() else {
            return;
        };
        state.cjson_settings.set(super::cjson::Config::default());
        if state
            .prelude_function("forget")
            .and_then(|forget| forget.call::<_, ()>(()))
            .is_err()
        {
            // A state that cannot forget is dropped: the next script gets a new one.
            *slot = None;
        }
    });
}

/// How a script's run ended, before its value becomes a reply.
enum Outcome {
    /// It compiled, ran, and answered this.
    Reply(Reply, Vec<ErrorReply>),
    /// It did not compile: Lua's message.
    Compile(String),
    /// Its instructions and commands together passed [`INSTRUCTION_BUDGET`].
    Stopped,
}

/// An error reply a script produced, and whether Redis leaves it out of the error statistics
/// (an error that came from `redis.call` or `redis.pcall` was counted by its command already).
struct ErrorReply {
    text: String,
    counted: bool,
}

/// Compiles `body`, the script named `sha` (`SCRIPT LOAD`, and `EVAL` before it caches a
/// script), keeping it compiled: `Err` with Redis's reply when it does not compile.
pub fn compile(sha: &str, body: &[u8]) -> Result<(), RedisError> {
    if let Some(line) = super::guard::long_chain(body) {
        return Err(compile_error(&format!(
            "user_script:{line}: more than {} '..' in one expression (a limit of the \
             playground: join many strings with table.concat)",
            super::guard::MAX_CHAIN
        )));
    }
    let compiled = with_state(|state| {
        let result = state.compile(sha, body);
        let keep = result.is_ok() && state.sandbox.tripped().is_none();
        (result, keep)
    })?;
    match compiled {
        Ok(Ok(())) => Ok(()),
        Ok(Err(message)) => Err(compile_error(&message)),
        Err(e) => Err(internal(&e)),
    }
}

/// A function a library registered when it loaded.
pub struct Registered {
    pub name: String,
    pub description: Option<Vec<u8>>,
    /// The bits of its flags, in the order of [`super::functions::FLAG_NAMES`].
    pub flags: u32,
}

/// Why a library did not load: the text of Redis's reply.
pub enum LoadFailure {
    /// Its code does not compile: Lua's message.
    Compile(String),
    /// Running its code failed: the error's text.
    Error(String),
    /// It ran past the instruction budget (Redis stops a load after 500 ms).
    Timeout,
    /// It used more than the memory budget.
    Memory,
}

/// Loads a library: runs its code (`body`, from the newline that ends its shebang on; `sha`
/// names the whole code) so that it registers its functions, which the thread's state keeps.
pub fn load_library(
    sha: &str,
    body: &[u8],
) -> Result<Result<Vec<Registered>, LoadFailure>, RedisError> {
    if let Some(line) = super::guard::long_chain(body) {
        return Ok(Err(LoadFailure::Compile(format!(
            "user_function:{line}: more than {} '..' in one expression (a limit of the \
             playground: join many strings with table.concat)",
            super::guard::MAX_CHAIN
        ))));
    }
    let loaded = with_state(|state| {
        let result = state.begin().and_then(|()| load_in(state, sha, body));
        let tripped = state.sandbox.tripped();
        let keep = tripped.is_none() && result.is_ok();
        ((result, tripped), keep)
    })?;
    match loaded {
        (_, Some(TripReason::Instructions)) => Ok(Err(LoadFailure::Timeout)),
        (_, Some(TripReason::Memory)) => Ok(Err(LoadFailure::Memory)),
        (Ok(result), None) => Ok(result),
        (Err(e), None) => Err(internal(&e)),
    }
}

fn load_in(
    state: &State,
    sha: &str,
    body: &[u8],
) -> omnilua::Result<Result<Vec<Registered>, LoadFailure>> {
    let lua = &state.lua;
    let load = state.prelude_function("load_library")?;
    let (kind, value): (Value, Value) = load.call((sha, lua.create_string(body)?))?;
    let kind = match &kind {
        Value::String(s) => s.as_bytes()?,
        _ => Vec::new(),
    };
    if kind.as_slice() == b"compile" {
        return Ok(Err(LoadFailure::Compile(lua_text(&value)?)));
    }
    if kind.as_slice() != b"ok" {
        return Ok(Err(LoadFailure::Error(lua_text(&value)?)));
    }
    let Value::Table(regs) = value else {
        return Ok(Err(LoadFailure::Error("ERR no registrations".to_string())));
    };
    let mut out = Vec::new();
    for j in 1.. {
        let Value::Table(reg) = regs.raw_get::<_, Value>(j)? else {
            break;
        };
        let name = lua_text(&reg.raw_get::<_, Value>("name")?)?;
        let description = string_field(&reg, "description")?
            .map(|s| s.as_bytes())
            .transpose()?;
        let flags = match reg.raw_get::<_, Value>("flags")? {
            Value::Integer(n) => u32::try_from(n).unwrap_or(0),
            Value::Number(n) => n as u32,
            _ => 0,
        };
        out.push(Registered {
            name,
            description,
            flags,
        });
    }
    Ok(Ok(out))
}

/// Forgets the loaded libraries (they are loaded again when one of their functions is called).
pub fn forget_libraries() {
    STATE.with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut()
            && let Some(state) = slot.as_ref()
            && state
                .prelude_function("forget_libraries")
                .and_then(|forget| forget.call::<_, ()>(()))
                .is_err()
        {
            *slot = None;
        }
    });
}

fn compile_error(message: &str) -> RedisError {
    RedisError::owned(sanitize(format!(
        "ERR Error compiling script (new function): {message}"
    )))
}

/// What a run runs: a script (`EVAL` and its siblings), or a function of a library (`FCALL`).
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// The script `body`, named by its SHA-1.
    Script { sha: &'a str, body: &'a [u8] },
    /// The function `name` of the library whose code (from its shebang's newline on) is
    /// `body`, named by the SHA-1 `sha` of its whole code.
    Function {
        sha: &'a str,
        body: &'a [u8],
        name: &'a str,
    },
}

impl Target<'_> {
    /// The name error messages give (`script: <name>`): a script's SHA-1, a function's name.
    fn name(&self) -> &str {
        match self {
            Target::Script { sha, .. } => sha,
            Target::Function { name, .. } => name,
        }
    }
}

/// Runs a script for `EVAL` and its siblings, or a function for `FCALL`.
pub fn run(
    ctx: &mut Ctx<'_>,
    target: Target<'_>,
    keys: &[Vec<u8>],
    args: &[Vec<u8>],
    read_only: bool,
) -> CmdResult {
    let sha = target.name();
    // The script's commands run as this connection, but as Redis's Lua client sees things:
    // RESP2 unless the script asks for RESP3, never blocking, in a database of its own choosing
    // that the connection does not keep.
    let id = ctx.client;
    let saved_db = ctx.db;
    let saved_resp = ctx.engine.clients.get(&id).map_or(2, |c| c.resp);
    let saved_in_exec = ctx.engine.blocking.in_exec;
    ctx.engine.blocking.in_exec = true;
    let saved_in_script = std::mem::replace(&mut ctx.engine.in_script, true);

    let ran = with_state(|state| {
        state.cjson_settings.set(ctx.engine.scripts.cjson);
        let outcome = state
            .begin()
            .and_then(|()| run_in(state, ctx, target, keys, args, read_only));
        ctx.engine.scripts.cjson = state.cjson_settings.get();
        let tripped = state.sandbox.tripped();
        // A state stopped halfway, or whose interpreter failed, is not used again.
        let keep = tripped.is_none() && outcome.is_ok();
        ((outcome, tripped), keep)
    });

    ctx.engine.blocking.in_exec = saved_in_exec;
    ctx.engine.in_script = saved_in_script;
    if let Some(client) = ctx.engine.clients.get_mut(&id) {
        client.resp = saved_resp;
        client.db = saved_db;
    }
    ctx.db = saved_db;
    let (outcome, tripped) = ran?;

    let over_budget = format!(
        "it ran more than {INSTRUCTION_BUDGET} Lua instructions, each command it called \
         counting as {COMMAND_WEIGHT} and every {} bytes it allocated as one",
        super::meter::BYTES_PER_INSTRUCTION
    );
    let stopped = |why: String| {
        RedisError::owned(format!(
            "ERR Script stopped by the playground: {why} (a real Redis would keep it running \
             until SCRIPT KILL) script: {sha}"
        ))
    };
    if let Some(reason) = tripped {
        return Err(stopped(match reason {
            TripReason::Instructions => over_budget.clone(),
            TripReason::Memory => format!(
                "it used more than {} MB of Lua memory",
                MEMORY_BUDGET / (1024 * 1024)
            ),
        }));
    }
    match outcome {
        Err(e) => Err(internal(&e)),
        Ok(Outcome::Stopped) => Err(stopped(over_budget)),
        Ok(Outcome::Compile(message)) => Err(compile_error(&message)),
        Ok(Outcome::Reply(reply, errors)) => {
            account_errors(ctx, &errors);
            Ok(reply)
        }
    }
}

/// An error of the Lua runtime itself.
fn internal(e: &omnilua::Error) -> RedisError {
    RedisError::owned(sanitize(format!("ERR Error running script: {e}")))
}

/// Error replies count as Redis counts them: each in the error statistics unless it came from
/// a command, and the script as failed once if any did (once more for each that came from a
/// command: Redis counts those as failed directly).
fn account_errors(ctx: &mut Ctx<'_>, errors: &[ErrorReply]) {
    let mut failed = 0;
    let mut any = false;
    for error in errors {
        if error.counted {
            failed += 1;
        } else {
            ctx.engine.count_error(&error.text);
            any = true;
        }
    }
    failed += u64::from(any);
    if failed > 0
        && let Some(stats) = ctx.engine.stats.commands.of(ctx.spec)
    {
        stats.failed_calls += failed;
    }
}

fn run_in(
    state: &State,
    ctx: &mut Ctx<'_>,
    target: Target<'_>,
    keys: &[Vec<u8>],
    args: &[Vec<u8>],
    read_only: bool,
) -> omnilua::Result<Outcome> {
    let lua = &state.lua;
    let sha = target.name();
    let run = match target {
        Target::Script { .. } => state.prelude_function("run")?,
        Target::Function { .. } => state.prelude_function("call_function")?,
    };
    let resp3 = Cell::new(false);
    // Commands called, for the budget; once it is spent, every command fails and the script's
    // answer is the stop error, whatever it does next.
    let commands = Cell::new(0u64);
    let over = Cell::new(false);
    lua.scope(|scope| {
        let ctx = RefCell::new(ctx);
        let call = |lua: &Lua, argv: &[Value]| -> omnilua::Result<Result<Value, CallError>> {
            commands.set(commands.get().saturating_add(1));
            let used = state.sandbox.instructions_used().unwrap_or(0);
            if over.get()
                || used.saturating_add(commands.get().saturating_mul(COMMAND_WEIGHT))
                    > INSTRUCTION_BUDGET
            {
                over.set(true);
                return Ok(Err(CallError::counted(
                    b"ERR Script stopped by the playground",
                )));
            }
            let Ok(mut ctx) = ctx.try_borrow_mut() else {
                return Ok(Err(CallError::counted(b"ERR a command is already running")));
            };
            call_command(&mut ctx, lua, argv, read_only, resp3.get())
        };
        let rcall =
            scope.create_function(lua, |lua, argv: Variadic<Value>| match call(lua, &argv)? {
                Ok(value) => Ok(value),
                Err(error) => Err(error.raise()),
            })?;
        let rpcall =
            scope.create_function(lua, |lua, argv: Variadic<Value>| match call(lua, &argv)? {
                Ok(value) => Ok(value),
                // The stop is not a command's error: `redis.pcall` raises it.
                Err(error) if over.get() => Err(error.raise()),
                Err(error) => {
                    let t = lua.create_table()?;
                    t.raw_set("err", lua.create_string(&error.text)?)?;
                    if error.counted {
                        t.raw_set("ignore_err_stats_update", true)?;
                    }
                    Ok(Value::Table(t))
                }
            })?;
        let rsetresp = scope.create_function(lua, |_, argv: Variadic<Value>| {
            let [resp] = argv.as_slice() else {
                return Err(raise(b"ERR redis.setresp() requires one argument."));
            };
            // Redis reads the version into a C int.
            match to_number(resp)?.map(|n| n as i64) {
                Some(n @ (2 | 3)) => {
                    resp3.set(n == 3);
                    Ok(())
                }
                _ => Err(raise(b"ERR RESP version must be 2 or 3.")),
            }
        })?;
        let mut call_args = match target {
            Target::Script { sha, body } => vec![
                Value::String(lua.create_string(sha)?),
                Value::String(lua.create_string(body)?),
            ],
            Target::Function { sha, body, name } => vec![
                Value::String(lua.create_string(sha)?),
                Value::String(lua.create_string(body)?),
                Value::String(lua.create_string(name)?),
            ],
        };
        call_args.extend([
            Value::Function(rcall),
            Value::Function(rpcall),
            Value::Function(rsetresp),
            Value::Table(string_array(lua, keys)?),
            Value::Table(string_array(lua, args)?),
        ]);
        let (kind, value): (Value, Value) = run.call(Variadic::from(call_args))?;
        if over.get() {
            return Ok(Outcome::Stopped);
        }
        let kind = match &kind {
            Value::String(s) => s.as_bytes()?,
            _ => Vec::new(),
        };
        if kind.as_slice() == b"compile" {
            Ok(Outcome::Compile(lua_text(&value)?))
        } else if kind.as_slice() == b"ok" {
            let mut errors = Vec::new();
            let reply = to_reply(&value, resp3.get(), 0, &mut errors)?;
            Ok(Outcome::Reply(reply, errors))
        } else {
            let (text, counted) = raised_error(&value, sha)?;
            let errors = vec![ErrorReply {
                text: text.clone(),
                counted,
            }];
            Ok(Outcome::Reply(Reply::Error(text.into()), errors))
        }
    })
}

/// `redis.sha1hex(x)`.
fn sha1hex_function(lua: &Lua) -> omnilua::Result<Function> {
    lua.create_function(|lua, argv: Variadic<Value>| {
        let [value] = argv.as_slice() else {
            return Err(raise(b"ERR wrong number of arguments"));
        };
        let bytes = match value {
            Value::String(s) => s.as_bytes()?,
            Value::Integer(n) => n.to_string().into_bytes(),
            Value::Number(n) => lua_number_text(*n).into_bytes(),
            _ => Vec::new(),
        };
        lua.create_string(super::sha1::sha1_hex(&bytes))
    })
}

/// `redis.log(level, message, …)`.
fn log_function(lua: &Lua) -> omnilua::Result<Function> {
    lua.create_function(|_, argv: Variadic<Value>| {
        let Some(level) = argv.first().filter(|_| argv.len() >= 2) else {
            return Err(raise(b"ERR redis.log() requires two arguments or more."));
        };
        let Some(level) = to_number(level)? else {
            return Err(raise(b"ERR First argument must be a number (log level)."));
        };
        if !(0.0..4.0).contains(&level.trunc()) {
            return Err(raise(b"ERR Invalid debug level."));
        }
        // The playground keeps no server log: the message goes nowhere.
        Ok(())
    })
}

/// `redis.set_repl(flags)`.
fn set_repl_function(lua: &Lua) -> omnilua::Result<Function> {
    lua.create_function(|_, argv: Variadic<Value>| {
        let [flags] = argv.as_slice() else {
            return Err(raise(b"ERR redis.set_repl() requires two arguments."));
        };
        match to_number(flags)? {
            Some(n) if (0.0..4.0).contains(&n.trunc()) => Ok(()),
            _ => Err(raise(
                b"ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
            )),
        }
    })
}

/// `redis.acl_check_cmd(command, …)`.
fn acl_check_function(lua: &Lua) -> omnilua::Result<Function> {
    lua.create_function(|_, argv: Variadic<Value>| {
        if argv.is_empty() {
            return Err(raise(
                b"ERR Please specify at least one argument for this redis lib call",
            ));
        }
        let mut args = Vec::with_capacity(argv.len());
        for value in argv.iter() {
            match to_arg(value)? {
                Some(arg) => args.push(arg),
                None => {
                    return Err(raise(
                        b"ERR Lua redis lib command arguments must be strings or integers",
                    ));
                }
            }
        }
        if lookup(&args).is_none() {
            return Err(raise(
                b"ERR Invalid command passed to redis.acl_check_cmd()",
            ));
        }
        Ok(true)
    })
}

/// `7.0.15` as Redis's `REDIS_VERSION_NUM`: `0x00070015`-style, one byte per part.
fn version_number(version: &str) -> f64 {
    let mut n = 0u32;
    for part in version.split('.').take(3) {
        n = (n << 8) | part.parse::<u32>().unwrap_or(0).min(255);
    }
    f64::from(n)
}

fn string_array(lua: &Lua, items: &[Vec<u8>]) -> omnilua::Result<Table> {
    let table = lua.create_table()?;
    for (i, item) in items.iter().enumerate() {
        table.raw_set(i + 1, lua.create_string(item)?)?;
    }
    Ok(table)
}

/// The text of an error a script raised (the handler's table: `… script: <sha>, on
/// @user_script:<line>.`), and whether it came from a command.
fn raised_error(value: &Value, sha: &str) -> omnilua::Result<(String, bool)> {
    let Value::Table(t) = value else {
        // The handler itself failed: Lua's message.
        let text = match value {
            Value::String(s) => String::from_utf8_lossy(&s.as_bytes()?).into_owned(),
            _ => "error in error handling".to_string(),
        };
        return Ok((sanitize(format!("ERR {text}")), false));
    };
    let message = match t.raw_get::<_, Value>("err")? {
        Value::String(s) => String::from_utf8_lossy(&s.as_bytes()?).into_owned(),
        Value::Integer(n) => n.to_string(),
        Value::Number(n) => lua_number_text(n),
        // Redis 7.0.15 crashes on `error({})`; here the script gets an error of its own.
        _ => "ERR the script raised an error that is not a string".to_string(),
    };
    let source = match t.raw_get::<_, Value>("source")? {
        Value::String(s) => Some(String::from_utf8_lossy(&s.as_bytes()?).into_owned()),
        _ => None,
    };
    let line = match t.raw_get::<_, Value>("line")? {
        Value::Integer(n) => Some(n),
        Value::Number(n) => Some(n as i64),
        _ => None,
    };
    let counted = matches!(
        t.raw_get::<_, Value>("ignore_err_stats_update")?,
        Value::Boolean(true)
    );
    let text = match (source, line) {
        (Some(source), Some(line)) => format!("{message} script: {sha}, on {source}:{line}."),
        _ => message,
    };
    Ok((sanitize(text), counted))
}

/// A Lua number as Lua 5.1's `tostring` writes it (`%.14g`).
fn lua_number_text(n: f64) -> String {
    crate::num::format_g(n, 14)
}

/// The text that starts an error a Rust function raises for `prelude.lua` to turn into the
/// table Redis would raise. One byte follows: [`UNCOUNTED`] or [`COUNTED`].
const MARK: &[u8] = b"\x01redis-error\x01";

/// After [`MARK`]: the table is `{err = text}`, counted in the error statistics if the script
/// answers it (Redis's `luaPushError`).
const UNCOUNTED: u8 = 1;

/// After [`MARK`]: the table also carries `ignore_err_stats_update`, for an error counted
/// already (a command's, or `redis.call` refusing one).
const COUNTED: u8 = 2;

/// An error raised from Rust as Redis raises `{err = text}`, from a library function
/// (`redis.setresp`, `redis.log`, …).
fn raise(text: &[u8]) -> omnilua::Error {
    raise_marked(text, UNCOUNTED)
}

fn raise_marked(text: &[u8], kind: u8) -> omnilua::Error {
    let mut message = MARK.to_vec();
    message.push(kind);
    message.extend_from_slice(text);
    omnilua::Error::from(LuaError::RuntimeMsg(message.into_boxed_slice()))
}

/// Why `redis.call` or `redis.pcall` gives an error: the command's error, or the call's refusal.
struct CallError {
    /// The error's text.
    text: Vec<u8>,
    /// Whether the error statistics counted it already (Redis's `ignore_err_stats_update`): a
    /// command's error, and a refusal of the command (unknown, arity, not allowed), which Redis
    /// counts when it refuses; not an error in the call's arguments themselves.
    counted: bool,
}

impl CallError {
    fn counted(text: &[u8]) -> Self {
        CallError {
            text: text.to_vec(),
            counted: true,
        }
    }

    fn uncounted(text: &[u8]) -> Self {
        CallError {
            text: text.to_vec(),
            counted: false,
        }
    }

    /// The error `redis.call` raises.
    fn raise(&self) -> omnilua::Error {
        raise_marked(&self.text, if self.counted { COUNTED } else { UNCOUNTED })
    }
}

/// Lua's `lua_tonumber`: a number, or a string that reads as one (decimal, or hexadecimal after
/// `0x`, with spaces around).
pub(super) fn to_number(value: &Value) -> omnilua::Result<Option<f64>> {
    Ok(match value {
        Value::Integer(n) => Some(*n as f64),
        Value::Number(n) => Some(*n),
        Value::String(s) => {
            let text = String::from_utf8_lossy(&s.as_bytes()?).into_owned();
            let text = text.trim();
            text.parse::<f64>().ok().or_else(|| hex_number(text))
        }
        _ => None,
    })
}

/// `[+-]0x<hex digits>` as C's `strtoul` reads it for Lua (a minus negates).
fn hex_number(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let digits = rest
        .strip_prefix("0x")
        .or_else(|| rest.strip_prefix("0X"))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let n = u64::from_str_radix(digits, 16).ok()? as f64;
    Some(if negative { -n } else { n })
}

/// A command argument from a Lua value: strings as they are, numbers as `%.17g`.
fn to_arg(value: &Value) -> omnilua::Result<Option<Vec<u8>>> {
    Ok(match value {
        Value::String(s) => Some(s.as_bytes()?),
        Value::Integer(n) => Some(n.to_string().into_bytes()),
        Value::Number(n) => Some(crate::num::format_double(*n).into_bytes()),
        _ => None,
    })
}

/// `redis.call` / `redis.pcall`: runs a command. Its reply as a Lua value, or the error
/// (raised by `redis.call`, returned by `redis.pcall`).
fn call_command(
    ctx: &mut Ctx<'_>,
    lua: &Lua,
    argv: &[Value],
    read_only: bool,
    resp3: bool,
) -> omnilua::Result<Result<Value, CallError>> {
    // Errors in the call's own arguments: counted only if the script answers them.
    let bad_call = |text: &str| Ok(Err(CallError::uncounted(text.as_bytes())));
    if argv.is_empty() {
        return bad_call("ERR Please specify at least one argument for this redis lib call");
    }
    let mut args = Vec::with_capacity(argv.len());
    for value in argv {
        match to_arg(value)? {
            Some(arg) => args.push(arg),
            None => {
                return bad_call("ERR Lua redis lib command arguments must be strings or integers");
            }
        }
    }
    // A refused command (Redis's `scriptCall`): the error counts now, and so does a rejected
    // call of the command, if there is one.
    let mut refuse = |spec: Option<&CommandSpec>, text: &str| {
        ctx.engine.count_error(text);
        if let Some(spec) = spec {
            ctx.engine.count_rejected(spec);
        }
        Ok(Err(CallError::counted(text.as_bytes())))
    };
    let Some(spec) = lookup(&args) else {
        return refuse(None, "ERR Unknown Redis command called from script");
    };
    if !spec.arity_ok(args.len()) {
        return refuse(
            Some(spec),
            "ERR Wrong number of args calling Redis command from script",
        );
    }
    if spec.has(flag::NOSCRIPT) {
        return refuse(
            Some(spec),
            "ERR This Redis command is not allowed from script",
        );
    }
    if read_only && spec.has(flag::WRITE) {
        return refuse(
            Some(spec),
            "ERR Write commands are not allowed from read-only scripts.",
        );
    }
    let id = ctx.client;
    if let Some(client) = ctx.engine.clients.get_mut(&id) {
        client.resp = if resp3 { 3 } else { 2 };
    }
    let mut replies = ctx.engine.execute(id, spec, &args);
    // A command may have changed the database (SELECT): the script's next commands use it.
    if let Some(client) = ctx.engine.clients.get(&id) {
        ctx.db = client.db;
    }
    let reply = replies.pop().unwrap_or(Reply::Nil);
    if let Reply::Error(text) = reply {
        return Ok(Err(CallError::counted(text.as_bytes())));
    }
    let reply = if resp3 { reply } else { reply.into_resp2() };
    Ok(Ok(to_lua(lua, &reply, resp3)?))
}

/// The command an argument vector names, as Redis's `lookupCommand`: a container's subcommand
/// when there is one (an unknown subcommand is an unknown command).
fn lookup(args: &[Vec<u8>]) -> Option<&'static CommandSpec> {
    let registry = Registry::get();
    let base = registry.lookup(args.first()?)?;
    match args.get(1) {
        Some(sub) if base.is_container() => base.subcommand(sub),
        _ => Some(base),
    }
}

/// A reply as a Lua value (Redis's `redisProtocolToLuaType`).
fn to_lua(lua: &Lua, reply: &Reply, resp3: bool) -> omnilua::Result<Value> {
    let field = |name: &str, value: Value| -> omnilua::Result<Value> {
        let t = lua.create_table()?;
        t.raw_set(name, value)?;
        Ok(Value::Table(t))
    };
    Ok(match reply {
        Reply::Status(s) => field("ok", Value::String(lua.create_string(s.as_bytes())?))?,
        Reply::Error(s) => field("err", Value::String(lua.create_string(s.as_bytes())?))?,
        Reply::Integer(n) => Value::Number(*n as f64),
        Reply::Bulk(b) => Value::String(lua.create_string(b.as_slice())?),
        Reply::Verbatim(format, text) => {
            if resp3 {
                let t = lua.create_table()?;
                t.raw_set("format", *format)?;
                t.raw_set("string", lua.create_string(text)?)?;
                field("verbatim_string", Value::Table(t))?
            } else {
                Value::String(lua.create_string(text)?)
            }
        }
        Reply::Nil | Reply::NilArray => {
            if resp3 {
                Value::Nil
            } else {
                Value::Boolean(false)
            }
        }
        Reply::Array(items) | Reply::Push(items) => {
            let t = lua.create_table()?;
            for (i, item) in items.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, item, resp3)?)?;
            }
            Value::Table(t)
        }
        Reply::Set(items) => {
            let t = lua.create_table()?;
            for item in items {
                t.raw_set(to_lua(lua, item, resp3)?, true)?;
            }
            field("set", Value::Table(t))?
        }
        Reply::Map(pairs) => {
            let t = lua.create_table()?;
            for (k, v) in pairs {
                t.raw_set(to_lua(lua, k, resp3)?, to_lua(lua, v, resp3)?)?;
            }
            field("map", Value::Table(t))?
        }
        Reply::Double(d) | Reply::HumanDouble(d) => field("double", Value::Number(*d))?,
        Reply::Bool(b) => Value::Boolean(*b),
    })
}

/// A Lua value as a reply (Redis's `luaReplyToRedisReply`).
fn to_reply(
    value: &Value,
    resp3: bool,
    depth: usize,
    errors: &mut Vec<ErrorReply>,
) -> omnilua::Result<Reply> {
    if depth > MAX_REPLY_DEPTH {
        let text = "ERR reached lua stack limit".to_string();
        errors.push(ErrorReply {
            text: text.clone(),
            counted: false,
        });
        return Ok(Reply::Error(text.into()));
    }
    Ok(match value {
        Value::String(s) => Reply::bulk(&s.as_bytes()?),
        Value::Boolean(b) => match (resp3, b) {
            (true, b) => Reply::Bool(*b),
            (false, true) => Reply::Integer(1),
            (false, false) => Reply::Nil,
        },
        Value::Integer(n) => Reply::Integer(*n),
        Value::Number(n) => Reply::Integer(truncate(*n)),
        Value::Table(t) => table_reply(t, resp3, depth, errors)?,
        _ => Reply::Nil,
    })
}

/// C's `(long long)` of a double on x86-64: truncation, and the minimum out of range.
fn truncate(n: f64) -> i64 {
    if n.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

fn string_field(t: &Table, name: &str) -> omnilua::Result<Option<LuaString>> {
    Ok(match t.raw_get::<_, Value>(name)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

fn table_reply(
    t: &Table,
    resp3: bool,
    depth: usize,
    errors: &mut Vec<ErrorReply>,
) -> omnilua::Result<Reply> {
    if let Some(err) = string_field(t, "err")? {
        let text = sanitize(String::from_utf8_lossy(&err.as_bytes()?).into_owned());
        let counted = matches!(
            t.raw_get::<_, Value>("ignore_err_stats_update")?,
            Value::Boolean(true)
        );
        errors.push(ErrorReply {
            text: text.clone(),
            counted,
        });
        return Ok(Reply::Error(text.into()));
    }
    if let Some(ok) = string_field(t, "ok")? {
        let text = String::from_utf8_lossy(&ok.as_bytes()?).replace(['\r', '\n'], " ");
        return Ok(Reply::Status(text.into()));
    }
    match t.raw_get::<_, Value>("double")? {
        Value::Number(d) => return Ok(Reply::Double(d)),
        Value::Integer(n) => return Ok(Reply::Double(n as f64)),
        _ => {}
    }
    if let Some(big) = string_field(t, "big_number")? {
        return Ok(Reply::bulk(&big.as_bytes()?));
    }
    if let Value::Table(map) = t.raw_get::<_, Value>("map")? {
        let mut pairs = Vec::new();
        for (k, v) in map.raw_pairs()? {
            pairs.push((
                to_reply(&k, resp3, depth + 1, errors)?,
                to_reply(&v, resp3, depth + 1, errors)?,
            ));
        }
        return Ok(Reply::Map(pairs));
    }
    if let Value::Table(set) = t.raw_get::<_, Value>("set")? {
        let mut items = Vec::new();
        for (k, _) in set.raw_pairs()? {
            items.push(to_reply(&k, resp3, depth + 1, errors)?);
        }
        return Ok(Reply::Set(items));
    }
    let mut items = Vec::new();
    for j in 1.. {
        let item: Value = t.raw_get(j)?;
        if matches!(item, Value::Nil) {
            break;
        }
        items.push(to_reply(&item, resp3, depth + 1, errors)?);
    }
    Ok(Reply::Array(items))
}
