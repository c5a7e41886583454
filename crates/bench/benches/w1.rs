//! W1 (cache-aside, 90 % hits) through the engine and through a bare `HashMap`, measured by
//! criterion in the same run; then one summary line with both throughputs and their ratio,
//! read from criterion's estimates. `make bench` runs it.
//!
//! Time is the benchmark thread's CPU time, not wall time: the machines this runs on are shared
//! (2 cores, other builds), and time spent descheduled would land on whichever side happened to
//! be running, swinging the ratio from run to run. `BENCH_CLOCK=wall` measures wall time instead.

use std::time::{Duration, SystemTime};

use bench::{W1_OPS, W1_SEED, Workload};
use support::{ThreadCpu, criterion_dir, typical_ns};
mod support;

use cpu_time::ThreadTime;
use criterion::measurement::{Measurement, WallTime};
use criterion::{BatchSize, Criterion, Throughput};

/// The engine should reach at least this share of the baseline's throughput.
const TARGET_RATIO: f64 = 0.5;

/// Checks, once and outside any measurement, that both sides do the same work.
fn check(workload: &Workload) {
    let (mut engine, client) = workload.engine();
    let engine_tally = workload.run_engine(&mut engine, client);
    let baseline_tally = workload.run_baseline(&mut workload.baseline());
    println!(
        "W1: {} keys of {} bytes, {W1_OPS} operations: {} hits, {} misses (each followed by SET EX 60)",
        workload.preloaded,
        bench::W1_VALUE_LEN,
        engine_tally.hits,
        engine_tally.misses,
    );
    if engine_tally.unexpected > 0 {
        let (mut fresh, client) = workload.engine();
        let miss = workload
            .ops
            .iter()
            .find(|&&i| i as usize >= workload.preloaded);
        let reply = miss.map(|&i| fresh.exec(client, &workload.sets[i as usize]));
        println!(
            "W1 warning: {} unexpected replies from the engine (SET … EX 60 answered {reply:?}): \
             its miss path is not the real one",
            engine_tally.unexpected
        );
    }
    assert_eq!(
        (engine_tally.hits, engine_tally.misses),
        (baseline_tally.hits, baseline_tally.misses),
        "the engine and the baseline disagree on hits and misses"
    );
}

/// Measures both sides of W1 with criterion.
fn measure<M: Measurement>(criterion: Criterion<M>, workload: &Workload) {
    let mut criterion = criterion
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();
    let (engine, client) = workload.engine();
    let baseline = workload.baseline();

    let mut group = criterion.benchmark_group("w1");
    group.throughput(Throughput::Elements(W1_OPS as u64));
    // Each iteration starts from the preloaded state (cloned outside the measured time), since
    // misses add keys.
    group.bench_function("engine", |b| {
        b.iter_batched(
            || engine.clone(),
            |mut engine| {
                workload.run_engine(&mut engine, client);
                engine
            },
            BatchSize::PerIteration,
        );
    });
    group.bench_function("hashmap", |b| {
        b.iter_batched(
            || baseline.clone(),
            |mut baseline| {
                workload.run_baseline(&mut baseline);
                baseline
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
    let workload = Workload::w1(W1_SEED);
    check(&workload);
    let cpu =
        std::env::var("BENCH_CLOCK").as_deref() != Ok("wall") && ThreadTime::try_now().is_ok();
    let clock = if cpu { "thread CPU time" } else { "wall time" };
    println!("W1: measuring {clock}");
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

    let (Some(engine_ns), Some(baseline_ns)) = (
        typical_ns(&dir, "w1", "engine", start),
        typical_ns(&dir, "w1", "hashmap", start),
    ) else {
        println!(
            "W1 summary: this run wrote no estimates for both benchmarks in {}",
            dir.display()
        );
        return;
    };
    let ops = W1_OPS as f64;
    let engine_rate = ops / engine_ns * 1e9;
    let baseline_rate = ops / baseline_ns * 1e9;
    let mut ratios = paired_ratios(&workload, PAIRS, cpu);
    ratios.sort_by(f64::total_cmp);
    let median = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
    let (low, high) = (
        ratios.first().copied().unwrap_or(f64::NAN),
        ratios.last().copied().unwrap_or(f64::NAN),
    );
    let verdict = if median >= TARGET_RATIO {
        "meets"
    } else {
        "BELOW"
    };
    println!(
        "W1 summary ({clock}): engine {:.2} M ops/s, HashMap baseline {:.2} M ops/s, ratio {:.3}; \
         over {PAIRS} interleaved pairs: median ratio {median:.3} (range {low:.3}-{high:.3}), \
         {verdict} the {TARGET_RATIO} target",
        engine_rate / 1e6,
        baseline_rate / 1e6,
        engine_rate / baseline_rate,
    );
}

/// Number of back-to-back engine/baseline runs behind the summary's ratio.
const PAIRS: usize = 11;

/// The engine's throughput over the baseline's, measured in back-to-back pairs (alternating
/// which goes first), so that a change in the machine's load between criterion's two
/// benchmarks does not skew the ratio.
fn paired_ratios(workload: &Workload, pairs: usize, cpu: bool) -> Vec<f64> {
    let timed = |f: &mut dyn FnMut()| -> f64 {
        if cpu {
            let start = ThreadTime::now();
            f();
            start.elapsed().as_secs_f64()
        } else {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64()
        }
    };
    let (engine, client) = workload.engine();
    let baseline = workload.baseline();
    (0..pairs)
        .map(|i| {
            let mut e = engine.clone();
            let mut b = baseline.clone();
            let mut run_engine = || {
                workload.run_engine(&mut e, client);
            };
            let mut run_baseline = || {
                workload.run_baseline(&mut b);
            };
            let (engine_s, baseline_s) = if i % 2 == 0 {
                let e = timed(&mut run_engine);
                (e, timed(&mut run_baseline))
            } else {
                let b = timed(&mut run_baseline);
                (timed(&mut run_engine), b)
            };
            baseline_s / engine_s
        })
        .collect()
}
