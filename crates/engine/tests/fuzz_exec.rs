//! The `exec` fuzz target's generator on stable Rust: thousands of seeded pseudo-random command
//! sequences, each run twice on fresh engines, so `cargo test` catches panics, broken replies
//! and nondeterminism without nightly or libFuzzer (`make fuzz` explores further).
//!
//! A failure names its seed; `FUZZ_SEED=<seed> FUZZ_TRACE=1 cargo test -p engine --test
//! fuzz_exec -- --nocapture` replays that sequence alone and prints every step;
//! `FUZZ_FILE=<path>` replays a file instead (an input the `exec` fuzz target saved under
//! `fuzz/artifacts/exec/`), without nightly.

mod fuzzgen;

/// Number of sequences; each is at most [`fuzzgen::MAX_STEPS`] steps.
const SEQUENCES: u64 = 3000;

/// `SplitMix64`: a fixed, dependency-free stream of bytes for each seed.
fn bytes_for(seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x2545_f491_4f6c_dd1d);
    let mut next = move || {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let len = 16 + (next() % 1024) as usize;
    (0..len).map(|_| next().to_le_bytes()[0]).collect()
}

#[test]
fn random_command_sequences_keep_the_invariants() {
    if let Some(path) = std::env::var_os("FUZZ_FILE") {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        fuzzgen::run_twice(&data);
        return;
    }
    let only: Option<u64> = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok());
    let seeds = only.map_or(0..SEQUENCES, |s| s..s + 1);
    let mut replies = 0;
    for seed in seeds {
        let data = bytes_for(seed);
        match std::panic::catch_unwind(|| fuzzgen::run_twice(&data)) {
            Ok(r) => replies += r.len(),
            Err(panic) => {
                eprintln!(
                    "sequence {seed} failed; replay it with FUZZ_SEED={seed} FUZZ_TRACE=1 \
                     cargo test -p engine --test fuzz_exec -- --nocapture"
                );
                std::panic::resume_unwind(panic);
            }
        }
    }
    assert!(replies > 0, "the generator produced no command");
}
