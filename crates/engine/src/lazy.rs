//! Command families the page loads on first use (feature `split`, off by default).
//!
//! A family is a module whose `COMMANDS` table is written with [`commands!`]: a group module, or
//! a submodule holding part of a group's rows (`server::admin`), listed in `commands::TABLES`
//! like any group. Its rows may be subcommands (`client|tracking`) of a container registered
//! in another table (`connection`): the registry attaches them to it, and the refusal below
//! looks up the subcommand's family. Without the feature the macro writes exactly that table. With it, the table's rows run one small stub,
//! and the real handlers are reachable only from the family's split point
//! (`#[wasm_split(<family>)]`): `scripts/build-wasm.sh` cuts everything only that point reaches
//! into a separate wasm chunk, fetched when [`load`] is awaited.
//!
//! The engine stays synchronous. Before a command runs, [`Engine::call`](crate::Engine::call)
//! (and `exec`, `call_into`) asks [`missing`] whether its family (for `EXEC`, the family of every
//! queued command) is loaded; if not, nothing runs: the caller gets a refusal, [`take_missing`]
//! names the family, and the caller awaits [`load`] and sends the same command again. Commands
//! are atomic, so a refused command has done nothing (no statistics, no event, no reply but the
//! refusal). Engine operations that may replay any command (a restart reading the AOF, DEBUG
//! RELOAD, restoring a snapshot) need every family: [`all_loaded`]. On targets other than wasm
//! every family counts as loaded: native builds and tests behave as without the feature.

#[cfg(feature = "split")]
pub use on::*;

/// A group's `COMMANDS` table, loaded on first use in the page build:
/// `crate::lazy::commands! { Stream, stream; Command::new("xadd", xadd_command, "…"), … }`.
#[cfg(not(feature = "split"))]
macro_rules! commands {
    ($family:ident, $module:ident; $($rows:tt)*) => {
        /// Every command of this group.
        pub static COMMANDS: &[Command] = &[$($rows)*];
    };
}

#[cfg(feature = "split")]
macro_rules! commands {
    ($family:ident, $module:ident;
     $(Command::new($name:literal, $handler:ident, $summary:literal $(,)?)),* $(,)?) => {
        /// Every command of this group; they run through [`lazy_stub`], loaded on first use.
        pub static COMMANDS: &[Command] = &[$(Command::new($name, lazy_stub, $summary)
            .in_family($crate::lazy::Family::$family)),*];

        /// Every command of this group runs through here: the family's code, once loaded.
        fn lazy_stub(
            ctx: &mut $crate::command::Ctx<'_>,
            argv: &[Vec<u8>],
        ) -> $crate::errors::CmdResult {
            $crate::lazy::poll_once($crate::lazy::Family::$family, lazy_run(ctx, argv))
        }

        /// The split point: what only it reaches goes into this family's chunk.
        #[wasm_split_helpers::wasm_split($module, fallible, preload(lazy_preload))]
        pub(crate) fn lazy_run(
            ctx: &mut $crate::command::Ctx<'_>,
            argv: &[Vec<u8>],
        ) -> $crate::errors::CmdResult {
            let handlers: &[(&str, $crate::command::Handler)] = &[$(($name, $handler)),*];
            $crate::lazy::dispatch(handlers, ctx, argv)
        }
    };
}

pub(crate) use commands;

/// The RDB loader (DEBUG RELOAD, a restart, restoring a snapshot, RESTORE) is a family of its
/// own in the page build: these are [`crate::rdb`]'s, or their split-point wrappers.
#[cfg(not(feature = "split"))]
pub(crate) use crate::rdb::{load_database, load_database_with};

#[cfg(feature = "split")]
mod on {
    use std::future::Future;
    use std::pin::pin;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::task::{Context, Poll, Waker};

    use crate::Engine;
    use crate::command::{Ctx, Handler};
    use crate::errors::{CmdResult, RedisError};
    use crate::rdb::{LoadError, LoadOptions, LoadReport};

    /// The families, one chunk each.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Family {
        /// The RDB loader.
        Rdb,
        /// Streams (`X…`).
        Stream,
        /// Geo commands.
        Geo,
        /// SORT and `SORT_RO`.
        Sort,
        /// DUMP, RESTORE.
        Dump,
        /// Bitmap commands.
        Bitmap,
        /// The `HyperLogLog` commands.
        Hyperloglog,
        /// INFO.
        Info,
        /// CONFIG.
        Config,
        /// MEMORY.
        Memory,
        /// SLOWLOG.
        Slowlog,
        /// The pub/sub commands (delivering messages is the engine's, always loaded).
        Pubsub,
        /// The sorted-set commands (the type itself is the engine's, always loaded).
        SortedSet,
        /// CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO, REPLY, PAUSE and UNPAUSE (what
        /// every command pays for them is the engine's, always loaded).
        ClientModes,
        /// COMMAND and its subcommands, DEBUG, SWAPDB.
        Admin,
        /// EVAL, EVALSHA, their read-only variants and SCRIPT, with the Lua interpreter.
        Scripting,
    }

    /// Every family, in bit order.
    pub const FAMILIES: [Family; 16] = [
        Family::Rdb,
        Family::Stream,
        Family::Geo,
        Family::Sort,
        Family::Dump,
        Family::Bitmap,
        Family::Hyperloglog,
        Family::Info,
        Family::Config,
        Family::Memory,
        Family::Slowlog,
        Family::Pubsub,
        Family::SortedSet,
        Family::ClientModes,
        Family::Admin,
        Family::Scripting,
    ];

    impl Family {
        /// Its name (the chunk's, and what JavaScript passes to `loadFamily`).
        pub fn name(self) -> &'static str {
            match self {
                Family::Rdb => "rdb",
                Family::Stream => "stream",
                Family::Geo => "geo",
                Family::Sort => "sort",
                Family::Dump => "dump",
                Family::Bitmap => "bitmap",
                Family::Hyperloglog => "hyperloglog",
                Family::Info => "info",
                Family::Config => "config",
                Family::Memory => "memory",
                Family::Slowlog => "slowlog",
                Family::Pubsub => "pubsub",
                Family::SortedSet => "sorted_set",
                Family::ClientModes => "client_modes",
                Family::Admin => "admin",
                Family::Scripting => "scripting",
            }
        }

        /// The family of this name.
        pub fn from_name(name: &str) -> Option<Family> {
            FAMILIES.into_iter().find(|f| f.name() == name)
        }

        fn bit(self) -> u32 {
            1 << (self as u32)
        }
    }

    /// Loaded families, by bit. Which code is present is a fact of the page, not of an engine.
    static LOADED: AtomicU32 = AtomicU32::new(0);
    /// The family the last refused command needed, plus one (0: none).
    static MISSING: AtomicU32 = AtomicU32::new(0);

    /// Whether a family's code is present (always, outside wasm).
    pub fn is_loaded(family: Family) -> bool {
        cfg!(not(target_family = "wasm")) || LOADED.load(Ordering::Relaxed) & family.bit() != 0
    }

    /// Whether every family is loaded.
    pub fn all_loaded() -> bool {
        FAMILIES.into_iter().all(is_loaded)
    }

    /// Fetches a family's chunk (once; later calls answer at once). `Err` when it could not be
    /// fetched; a later call tries again.
    pub async fn load(family: Family) -> Result<(), RedisError> {
        use crate::commands as c;
        match family {
            Family::Rdb => rdb_preload().await,
            Family::Stream => c::stream::lazy_preload().await,
            Family::Geo => c::geo::lazy_preload().await,
            Family::Sort => c::sort::lazy_preload().await,
            Family::Dump => c::dump::lazy_preload().await,
            Family::Bitmap => c::bitmap::lazy_preload().await,
            Family::Hyperloglog => c::hyperloglog::lazy_preload().await,
            Family::Info => c::info::lazy_preload().await,
            Family::Config => c::config::lazy_preload().await,
            Family::Memory => c::memory::lazy_preload().await,
            Family::Slowlog => c::slowlog::lazy_preload().await,
            Family::Pubsub => c::pubsub::lazy_preload().await,
            Family::SortedSet => c::sorted_set::lazy_preload().await,
            Family::ClientModes => c::client_modes::lazy_preload().await,
            Family::Admin => c::server::admin::lazy_preload().await,
            Family::Scripting => c::scripting::lazy_preload().await,
        }
        .map_err(|_| RedisError::new("ERR the command's code could not be loaded"))?;
        LOADED.fetch_or(family.bit(), Ordering::Relaxed);
        Ok(())
    }

    impl From<wasm_split_helpers::SplitLoaderError> for RedisError {
        fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
            RedisError::new("ERR the command's code could not be loaded")
        }
    }

    /// The family the last refused command needed, once.
    pub fn take_missing() -> Option<Family> {
        let n = MISSING.swap(0, Ordering::Relaxed);
        FAMILIES
            .get(usize::try_from(n).ok()?.checked_sub(1)?)
            .copied()
    }

    /// Notes that a command was refused for want of `family`.
    pub fn note_missing(family: Family) {
        MISSING.store(family as u32 + 1, Ordering::Relaxed);
    }

    /// The refusal a command gets when its family is not loaded.
    pub(crate) fn refusal(family: Family) -> RedisError {
        note_missing(family);
        RedisError::owned(format!(
            "ERR the code of this command ({}) is not loaded yet: load it and send the command again",
            family.name()
        ))
    }

    /// Runs a split point's call if its family is loaded: the call's future is then ready at
    /// once (its loader is done), so one poll finishes it. Never starts a load.
    pub(crate) fn poll_once<T>(
        family: Family,
        call: impl Future<Output = Result<T, RedisError>>,
    ) -> Result<T, RedisError> {
        if !is_loaded(family) {
            return Err(refusal(family));
        }
        let mut call = pin!(call);
        match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(refusal(family)),
        }
    }

    /// [`crate::rdb::load_database`], once the loader is loaded (else a load error).
    pub(crate) fn load_database(
        engine: &mut Engine,
        bytes: &[u8],
    ) -> Result<LoadReport, LoadError> {
        load_database_with(engine, bytes, LoadOptions::default())
    }

    /// [`crate::rdb::load_database_with`], once the loader is loaded (else a load error).
    pub(crate) fn load_database_with(
        engine: &mut Engine,
        bytes: &[u8],
        options: LoadOptions,
    ) -> Result<LoadReport, LoadError> {
        poll_once(Family::Rdb, rdb_load(engine, bytes, options))
            .unwrap_or(Err(LoadError::Corrupt("the RDB loader is not loaded")))
    }

    /// The loader's split point.
    #[wasm_split_helpers::wasm_split(rdb, fallible, preload(rdb_preload))]
    fn rdb_load(
        engine: &mut Engine,
        bytes: &[u8],
        options: LoadOptions,
    ) -> Result<Result<LoadReport, LoadError>, RedisError> {
        Ok(crate::rdb::load_database_with(engine, bytes, options))
    }

    /// Inside a chunk: runs the handler registered for the running command.
    pub(crate) fn dispatch(
        handlers: &[(&str, Handler)],
        ctx: &mut Ctx<'_>,
        argv: &[Vec<u8>],
    ) -> CmdResult {
        let name = ctx.spec.name.as_str();
        match handlers.iter().find(|(n, _)| *n == name) {
            Some((_, handler)) => handler(ctx, argv),
            None => Err(RedisError::new("ERR unknown command")),
        }
    }
}
