//! Runs W1 once through the engine (or the baseline with `baseline` as argument), for a
//! profiler:
//!
//! ```sh
//! CARGO_PROFILE_BENCH_DEBUG=true cargo build --profile bench -p bench --example w1_profile
//! valgrind --tool=callgrind target/release/examples/w1_profile
//! callgrind_annotate --inclusive=yes callgrind.out.<pid> | head -60
//! ```

use bench::{W1_SEED, Workload};

fn main() {
    let workload = Workload::w1(W1_SEED);
    let tally = if std::env::args().nth(1).as_deref() == Some("baseline") {
        let mut baseline = workload.baseline();
        workload.run_baseline(&mut baseline)
    } else {
        let (mut engine, client) = workload.engine();
        workload.run_engine(&mut engine, client)
    };
    println!("{tally:?}");
}
