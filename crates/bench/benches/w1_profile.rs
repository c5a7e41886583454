//! Runs W1 once through the engine (or the baseline with `baseline` as argument, or W3 with
//! `w3`) and prints the thread CPU time of the run itself; for a profiler, or for quick A/B
//! timings. `PROFILE_REPEAT=n` runs the workload n times (on fresh engines) for a longer
//! profile and prints the best run.
//!
//! ```sh
//! cargo bench -p bench --bench w1_profile            # engine; `-- baseline` for the map
//! cargo bench -p bench --bench w1_profile -- w3      # W3 through the engine (`ping`: PINGs)
//! cargo bench -p bench --bench w1_profile -- w3 call # W3 through `call_into`, as the wire does
//! cargo bench -p bench --bench w1_profile -- w3 call maxmemory # with the page's maxmemory
//! CARGO_PROFILE_BENCH_DEBUG=true cargo bench -p bench --bench w1_profile --no-run
//! valgrind --tool=callgrind --toggle-collect='*run_engine*' target/release/deps/w1_profile-<hash>
//! callgrind_annotate --inclusive=yes callgrind.out.<pid> | head -60
//! perf record -g target/release/deps/w1_profile-<hash> --bench w3
//! ```

use std::time::Duration;

use bench::{W1_SEED, W3, W3_OPS, Workload};
use cpu_time::ThreadTime;
use engine::Engine;

const PINGS: usize = 200_000;

#[inline(never)]
fn run_pings(engine: &mut Engine, client: engine::ClientId, ping: &[Vec<u8>]) {
    for _ in 0..PINGS {
        std::hint::black_box(engine.exec(client, ping));
    }
}

/// One command before the measured run: the first command of the process builds the command
/// table (some 20 million instructions), which is no part of any command's cost.
fn warm_up(engine: &mut Engine, client: engine::ClientId) {
    std::hint::black_box(engine.exec(client, &[b"PING".to_vec()]));
}

fn main() {
    let repeat: usize = std::env::var("PROFILE_REPEAT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    // `cargo bench` adds `--bench`; the only arguments of our own are `baseline` and `w3`.
    let args: Vec<String> = std::env::args().collect();
    let mut best = Duration::MAX;
    if args.iter().any(|a| a == "ping") {
        let ping = vec![b"PING".to_vec()];
        for _ in 0..repeat {
            let mut engine = Engine::new();
            let client = engine.connect();
            warm_up(&mut engine, client);
            let start = ThreadTime::now();
            run_pings(&mut engine, client, &ping);
            best = best.min(start.elapsed());
        }
        println!(
            "PING: {:.0} ns per command",
            best.as_secs_f64() * 1e9 / PINGS as f64
        );
        return;
    }
    if args.iter().any(|a| a == "w3") {
        let workload = W3::new();
        let mut errors = 0;
        for _ in 0..repeat {
            let mut engine = Engine::new();
            if args.iter().any(|a| a == "maxmemory") {
                // As the page: a limit, so that memory is checked before every command.
                engine.config_mut().maxmemory = 64 * 1024 * 1024;
            }
            let client = engine.connect();
            warm_up(&mut engine, client);
            let start = ThreadTime::now();
            errors = if args.iter().any(|a| a == "call") {
                workload.run_call_into(&mut engine, client)
            } else {
                workload.run(&mut engine, client)
            };
            best = best.min(start.elapsed());
        }
        println!(
            "W3: {errors} errors in {:.1} ms of CPU time ({:.0} ns per command)",
            best.as_secs_f64() * 1e3,
            best.as_secs_f64() * 1e9 / W3_OPS as f64
        );
        return;
    }
    let workload = Workload::w1(W1_SEED);
    let mut tally = None;
    for _ in 0..repeat {
        let (t, took) = if args.iter().any(|a| a == "baseline") {
            let mut baseline = workload.baseline();
            let start = ThreadTime::now();
            (workload.run_baseline(&mut baseline), start.elapsed())
        } else {
            let (mut engine, client) = workload.engine();
            let start = ThreadTime::now();
            (workload.run_engine(&mut engine, client), start.elapsed())
        };
        tally = Some(t);
        best = best.min(took);
    }
    if let Some(tally) = tally {
        let commands = tally.hits + 2 * tally.misses;
        println!(
            "{tally:?} in {:.1} ms of CPU time ({:.0} ns per command)",
            best.as_secs_f64() * 1e3,
            best.as_secs_f64() * 1e9 / commands as f64
        );
    }
}
