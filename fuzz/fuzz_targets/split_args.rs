//! Fuzz target: any bytes as a line typed into the console. `split_args` must not panic, and
//! what it splits, quoted back as redis-cli quotes (`quote_bytes`), must split to the same
//! arguments; `run_line` on a fresh engine must not panic and prints newline-ended text.

#![no_main]

use engine::Engine;
use engine::cli::{LineOutcome, quote_bytes, run_line, split_args};
use libfuzzer_sys::fuzz_target;

/// Whether redis-cli would repeat the line more than a few times (`1000000 PING`): such a line
/// legitimately runs that often, so it is only split, not run.
fn repeats_a_lot(argv: &[Vec<u8>]) -> bool {
    let Some(first) = argv.first() else {
        return false;
    };
    argv.len() > 1
        && first
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_whitespace() || *b == b'+' || *b == b'-')
        && first.iter().filter(|b| b.is_ascii_digit()).count() > 2
}

fuzz_target!(|data: &[u8]| {
    let Ok(argv) = split_args(data) else {
        return;
    };
    let mut quoted = String::new();
    for arg in &argv {
        quote_bytes(&mut quoted, arg);
        quoted.push(' ');
    }
    assert_eq!(
        split_args(quoted.as_bytes()).as_ref(),
        Ok(&argv),
        "quoting then splitting changed the arguments: {quoted}"
    );
    if repeats_a_lot(&argv) {
        return;
    }
    let mut engine = Engine::new();
    let client = engine.connect();
    if let LineOutcome::Print(text) = run_line(&mut engine, client, data) {
        assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
    }
});
