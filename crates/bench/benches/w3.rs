//! W3 (100,000 mixed commands over 1,000 keys per type, see [`bench::W3`]) through the engine's
//! exec path, measured by criterion on the benchmark thread's CPU time (`BENCH_CLOCK=wall` for
//! wall time, as in `w1.rs`); then one summary line with the throughput. Each iteration starts
//! from an empty server, since the workload grows its lists.

mod support;

use std::time::{Duration, SystemTime};

use bench::{W3, W3_OPS};
use cpu_time::ThreadTime;
use criterion::measurement::{Measurement, WallTime};
use criterion::{BatchSize, Criterion, Throughput};
use engine::Engine;
use support::{ThreadCpu, criterion_dir, typical_ns};

fn measure<M: Measurement>(criterion: Criterion<M>, workload: &W3) {
    let mut criterion = criterion
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();
    let mut group = criterion.benchmark_group("w3");
    group.throughput(Throughput::Elements(W3_OPS as u64));
    group.bench_function("engine", |b| {
        b.iter_batched(
            || {
                let mut engine = Engine::new();
                let client = engine.connect();
                (engine, client)
            },
            |(mut engine, client)| {
                workload.run(&mut engine, client);
                engine
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
    criterion.final_summary();
}

fn main() {
    let start = SystemTime::now();
    let dir = criterion_dir();
    let workload = W3::new();
    let mut engine = Engine::new();
    let client = engine.connect();
    let errors = workload.run(&mut engine, client);
    println!(
        "W3: {W3_OPS} commands ({} per cycle over 1,000 keys per type), {errors} error replies",
        W3::CYCLE
    );
    assert_eq!(errors, 0, "W3 commands must all succeed");
    let cpu =
        std::env::var("BENCH_CLOCK").as_deref() != Ok("wall") && ThreadTime::try_now().is_ok();
    let clock = if cpu { "thread CPU time" } else { "wall time" };
    if cpu {
        let measurement = ThreadCpu { wall: WallTime };
        measure(
            Criterion::default()
                .with_measurement(measurement)
                .output_directory(&dir),
            &workload,
        );
    } else {
        measure(Criterion::default().output_directory(&dir), &workload);
    }
    match typical_ns(&dir, "w3", "engine", start) {
        Some(ns) => println!(
            "W3 summary ({clock}): engine {:.2} M ops/s ({:.0} ns per command)",
            W3_OPS as f64 / ns * 1e9 / 1e6,
            ns / W3_OPS as f64
        ),
        None => println!(
            "W3 summary: this run wrote no estimate in {}",
            dir.display()
        ),
    }
}
