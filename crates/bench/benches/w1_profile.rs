//! Runs W1 once through the engine (or the baseline with `baseline` as argument) and prints
//! the thread CPU time of the run itself; for a profiler, or for quick A/B timings:
//!
//! ```sh
//! cargo bench -p bench --bench w1_profile            # engine; `-- baseline` for the map
//! CARGO_PROFILE_BENCH_DEBUG=true cargo bench -p bench --bench w1_profile --no-run
//! valgrind --tool=callgrind --toggle-collect='*run_engine*' target/release/deps/w1_profile-<hash>
//! callgrind_annotate --inclusive=yes callgrind.out.<pid> | head -60
//! ```

use bench::{W1_SEED, Workload};
use cpu_time::ThreadTime;

fn main() {
    let workload = Workload::w1(W1_SEED);
    // `cargo bench` adds `--bench`; the only argument of our own is `baseline`.
    let (tally, took) = if std::env::args().any(|a| a == "baseline") {
        let mut baseline = workload.baseline();
        let start = ThreadTime::now();
        (workload.run_baseline(&mut baseline), start.elapsed())
    } else {
        let (mut engine, client) = workload.engine();
        let start = ThreadTime::now();
        (workload.run_engine(&mut engine, client), start.elapsed())
    };
    println!(
        "{tally:?} in {:.1} ms of CPU time",
        took.as_secs_f64() * 1e3
    );
}
