//! W1 (cache-aside, 90 % hits) through the engine and through a bare `HashMap`, measured by
//! criterion in the same run; then one summary line with both throughputs and their ratio,
//! read from criterion's estimates. `make bench` runs it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bench::{W1_OPS, W1_SEED, Workload};
use criterion::{BatchSize, Criterion, Throughput};

/// The engine should reach at least this share of the baseline's throughput.
const TARGET_RATIO: f64 = 0.5;

/// Where criterion writes its results: the place it would choose itself (`CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else the workspace's `target/criterion`), set explicitly so
/// the summary reads the same place.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    // crates/bench → the workspace root.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .join("target/criterion")
}

/// Median time of one iteration in nanoseconds, from `<dir>/<group>/<bench>/new/estimates.json`
/// if this run wrote it (not in `--test` mode, not filtered out). The median rather than the
/// mean, since other processes on a shared machine add slow outliers.
fn median_ns(dir: &Path, group: &str, bench: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(group).join(bench).join("new/estimates.json");
    let written = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if written < since {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

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

fn main() {
    let start = SystemTime::now();
    let dir = criterion_dir();
    let mut criterion = Criterion::default()
        .output_directory(&dir)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();

    let workload = Workload::w1(W1_SEED);
    check(&workload);
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

    let ops = W1_OPS as f64;
    match (
        median_ns(&dir, "w1", "engine", start),
        median_ns(&dir, "w1", "hashmap", start),
    ) {
        (Some(engine_ns), Some(baseline_ns)) if engine_ns > 0.0 && baseline_ns > 0.0 => {
            let engine_rate = ops / engine_ns * 1e9;
            let baseline_rate = ops / baseline_ns * 1e9;
            let ratio = engine_rate / baseline_rate;
            let verdict = if ratio >= TARGET_RATIO {
                "meets"
            } else {
                "BELOW"
            };
            println!(
                "W1 summary (medians): engine {:.2} M ops/s, HashMap baseline {:.2} M ops/s, \
                 ratio {ratio:.3} ({verdict} the {TARGET_RATIO} target)",
                engine_rate / 1e6,
                baseline_rate / 1e6,
            );
        }
        _ => println!(
            "W1 summary: this run wrote no estimates for both benchmarks in {}",
            dir.display()
        ),
    }
}
