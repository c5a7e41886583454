//! Charging a script for the work one Lua instruction can hide.
//!
//! omnilua's sandbox counts VM instructions, and one instruction may copy any number of bytes:
//! `s .. 'y'` with a 100 KB `s`, or one call of `string.rep`, `s:upper()`, `string.format`,
//! `cjson.encode`. A loop of those stayed far inside the instruction budget while running for
//! minutes (and froze the page). Two charges close that gap, both on the sandbox's own budget:
//!
//! - A count hook, at the sandbox's interval, charges one instruction for every
//!   [`BYTES_PER_INSTRUCTION`] bytes allocated since the hook last ran: the heap's growth, plus
//!   what a collection in between freed (so that the charge follows the script's allocations,
//!   not when the collector happens to run). That is about a quarter of what the time would
//!   say (in wasm a 100 KB concatenation takes as long as some 12,000 plain instructions), so
//!   that a script building a string piece by piece, quadratic work that Redis finishes in a
//!   fraction of a second, still runs here up to some 30,000 pieces (0.6 s in Node), while a
//!   loop copying 100 KB strings without end stops after 1.0–1.4 s instead of running on
//!   for minutes.
//! - [`charge`], a function the prelude calls, charges the library functions whose work
//!   allocates nothing: `table.sort`, and `table.insert` or `table.remove` inside a table.
//!
//! The hook is native, a Rust closure the VM calls without a Lua call (a tight loop runs about
//! a fifth slower with it; a hook in Lua doubled it). Installing it needs the raw state, which
//! omnilua hands out only while a runtime is being built: [`install`] runs before the `Lua`
//! handle exists. Coroutines do not inherit hooks: the prelude's `coroutine.create` and
//! `coroutine.wrap` arm each new coroutine ([`arm`]) when it first runs.

use std::cell::Cell;

use lua_vm::debug::{LuaDebug, set_hook};
use lua_vm::state::LuaState;
use omnilua::LuaError;

/// The bytes allocated that are charged as one instruction.
pub const BYTES_PER_INSTRUCTION: usize = 32;
/// The count hook's interval: the sandbox's, so that the VM's own charge (made when the count
/// runs out) stays one instruction per instruction.
pub const INTERVAL: u32 = 10;
/// The count event in a hook mask (Lua's `LUA_MASKCOUNT`).
const MASK_COUNT: i32 = 1 << 3;

thread_local! {
    /// The heap's size and its count of collections when the hook last ran (every thread's
    /// hook reads the one shared heap); `None` at the start of a run: the first hook only
    /// takes the measure.
    static HEAP_SEEN: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// The names under which [`install`] leaves [`charge`] and [`arm`] in the globals, for
/// `lua.rs` to hand them to the prelude (and remove them).
pub const CHARGE_GLOBAL: &str = "__playground_charge";
pub const ARM_GLOBAL: &str = "__playground_arm";

/// Installs the hook on the main thread of a state being built, and [`charge`] and [`arm`] as
/// globals. The sandbox must be installed after, with [`INTERVAL`] as its check interval.
pub fn install(state: &mut LuaState) -> Result<(), LuaError> {
    begin();
    arm_thread(state);
    let _heap = lua_gc::HeapGuard::push(&state.global().heap);
    lua_vm::api::push_cclosure(state, charge, 0)?;
    lua_vm::api::set_global(state, CHARGE_GLOBAL.as_bytes())?;
    lua_vm::api::push_cclosure(state, arm, 0)?;
    lua_vm::api::set_global(state, ARM_GLOBAL.as_bytes())?;
    Ok(())
}

/// A run begins: its allocations are measured from its first hook on.
pub fn begin() {
    HEAP_SEEN.with(|seen| seen.set(None));
}

fn arm_thread(state: &mut LuaState) {
    set_hook(state, Some(Box::new(on_count)), MASK_COUNT, INTERVAL as i32);
}

/// The count hook: charges what was allocated since the last one. When that spends the
/// budget, the VM stops the script at its next count (the sandbox's abort, which no `pcall`
/// catches).
fn on_count(state: &mut LuaState, _: &LuaDebug) {
    let (now, collections, freed) = {
        let global = state.global();
        let heap = &global.heap;
        (
            global.total_bytes(),
            heap.collections(),
            heap.last_sweep_stats().freed_bytes,
        )
    };
    let Some((before, collections_before)) =
        HEAP_SEEN.with(|seen| seen.replace(Some((now, collections))))
    else {
        return;
    };
    // A collection in between freed `freed` bytes (the last one's, if there were several).
    let freed = if collections == collections_before {
        0
    } else {
        freed
    };
    let allocated = now.saturating_add(freed).saturating_sub(before);
    if allocated >= BYTES_PER_INSTRUCTION {
        // A hook cannot raise: the charge marks the budget spent, and the VM raises.
        let _ = state.sandbox_charge((allocated / BYTES_PER_INSTRUCTION) as u64);
    }
}

/// `charge(n)`: charges `n` instructions (a non-number or negative count charges nothing).
/// Raises the sandbox's abort when that spends the budget.
fn charge(state: &mut LuaState) -> Result<usize, LuaError> {
    let n = lua_vm::api::to_number_x(state, 1).unwrap_or(0.0);
    if n >= 1.0 {
        // Saturating: a float past u64's range converts to its largest value.
        if let Some(abort) = state.sandbox_charge(n as u64) {
            return Err(abort);
        }
    }
    Ok(0)
}

/// `arm()`: installs the hook on the running coroutine (the main thread has it already).
fn arm(state: &mut LuaState) -> Result<usize, LuaError> {
    arm_thread(state);
    Ok(0)
}
