//! Fuzz target: bytes decoded into a sequence of commands over a few keys and clients (names,
//! arities, option tokens and key positions from the live registry), interleaved with clock
//! moves; run twice on fresh engines. Fails on a panic, a reply that does not survive a RESP
//! round trip, an error without a code, or two runs that disagree. The generator is shared
//! with the stable test `crates/engine/tests/fuzz_exec.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/engine/tests/fuzzgen/mod.rs"]
mod fuzzgen;

fuzz_target!(|data: &[u8]| {
    fuzzgen::run_twice(data);
});
