//! Runs W1 once through the engine (or the baseline with `baseline` as argument) and prints
//! the thread CPU time of the run itself; for a profiler, or for quick A/B timings:
//!
//! ```sh
//! CARGO_PROFILE_BENCH_DEBUG=true cargo build --profile bench -p bench --example w1_profile
//! valgrind --tool=callgrind target/release/examples/w1_profile
//! callgrind_annotate --inclusive=yes callgrind.out.<pid> | head -60
//! ```

use bench::{W1_SEED, Workload};
use cpu_time::ThreadTime;

fn main() {
    let workload = Workload::w1(W1_SEED);
    let (tally, took) = if std::env::args().nth(1).as_deref() == Some("baseline") {
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
