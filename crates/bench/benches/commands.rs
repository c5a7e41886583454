//! Single commands through `Engine::exec` and `Engine::call` on a small, hot keyspace: the
//! engine's fixed cost per command (dispatch, statistics, logging, reply), measured by criterion
//! on the benchmark thread's CPU time (`BENCH_CLOCK=wall` for wall time, as in `w1.rs`). Then,
//! through `exec` only, the commands that walk a whole hash table in its bucket order (KEYS,
//! SMEMBERS, HGETALL, SUNION on large tables).
//!
//! ```sh
//! cargo bench -p bench --bench commands            # all; a filter as usual: -- 'exec/get'
//! ```

mod support;

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::measurement::{Measurement, WallTime};
use criterion::{Criterion, Throughput};
use engine::{ClientId, Engine};
use support::{ThreadCpu, criterion_dir, typical_ns};

fn argv(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

/// An engine with a 100-byte string, a hash of 5 fields and a sorted set of 20 members.
fn engine() -> (Engine, ClientId) {
    let mut engine = Engine::new();
    let client = engine.connect();
    let value = "v".repeat(100);
    for setup in [
        format!("SET user:0001234 {value}"),
        "HSET hash:1 f1 v1 f2 v2 f3 v3 f4 v4 f5 v5".to_string(),
    ] {
        engine.exec(client, &argv(&setup));
    }
    for i in 0..20 {
        engine.exec(client, &argv(&format!("ZADD zset:1 {i} member:{i}")));
    }
    (engine, client)
}

/// An engine with 10,000 string keys, a set of 1,000 string members and another of 1,000
/// overlapping half of it, and a hash of 1,000 fields: hashtable-encoded, walked whole.
fn large_engine() -> (Engine, ClientId) {
    let mut engine = Engine::new();
    let client = engine.connect();
    for i in 0..10_000 {
        engine.exec(client, &argv(&format!("SET key:{i} v")));
    }
    for i in 0..1_000 {
        engine.exec(client, &argv(&format!("SADD set:1 member:{i}")));
        engine.exec(client, &argv(&format!("SADD set:2 member:{}", i + 500)));
        engine.exec(client, &argv(&format!("HSET hash:1 field:{i} value:{i}")));
    }
    (engine, client)
}

/// The whole-table commands, on [`large_engine`]'s keys.
const WHOLE_TABLE: &[(&str, &str)] = &[
    ("keys_10000", "KEYS *"),
    ("keys_match_10000", "KEYS key:1*"),
    ("smembers_1000", "SMEMBERS set:1"),
    ("hgetall_1000", "HGETALL hash:1"),
    ("sunion_2x1000", "SUNION set:1 set:2"),
];

const ENTRIES: [&str; 3] = ["exec", "call", "call_into"];

const COMMANDS: &[(&str, &str)] = &[
    ("ping", "PING"),
    ("get", "GET user:0001234"),
    ("get_miss", "GET user:0009999"),
    (
        "set_ex",
        "SET user:0005678 some-value-of-about-thirty-bytes EX 60",
    ),
    ("incr", "INCR counter:1"),
    ("hgetall_5", "HGETALL hash:1"),
    ("zrevrange_10_withscores", "ZREVRANGE zset:1 0 9 WITHSCORES"),
];

fn measure<M: Measurement>(criterion: Criterion<M>) {
    let mut criterion = criterion
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for (name, entry) in ENTRIES.iter().enumerate() {
        let mut group = criterion.benchmark_group(*entry);
        group.throughput(Throughput::Elements(1));
        for (label, line) in COMMANDS {
            let argv = argv(line);
            let (mut engine, client) = engine();
            let mut out = Vec::new();
            group.bench_function(*label, |b| {
                b.iter(|| match name {
                    0 => drop(black_box(engine.exec(client, black_box(&argv)))),
                    1 => drop(black_box(engine.call(client, black_box(&argv)))),
                    _ => {
                        out.clear();
                        engine.call_into(client, black_box(&argv), &mut out);
                        black_box(&out);
                    }
                });
            });
        }
        group.finish();
    }
    let mut group = criterion.benchmark_group("whole_table");
    group.throughput(Throughput::Elements(1));
    let (mut engine, client) = large_engine();
    for (label, line) in WHOLE_TABLE {
        let argv = argv(line);
        group.bench_function(*label, |b| {
            b.iter(|| drop(black_box(engine.exec(client, black_box(&argv)))));
        });
    }
    group.finish();
    criterion.final_summary();
}

fn main() {
    let start = SystemTime::now();
    let dir = criterion_dir();
    let cpu = std::env::var("BENCH_CLOCK").as_deref() != Ok("wall")
        && cpu_time::ThreadTime::try_now().is_ok();
    if cpu {
        measure(
            Criterion::default()
                .with_measurement(ThreadCpu { wall: WallTime })
                .output_directory(&dir),
        );
    } else {
        measure(Criterion::default().output_directory(&dir));
    }
    let clock = if cpu { "thread CPU time" } else { "wall time" };
    println!("ns per command ({clock}):");
    println!(
        "{:<26}{:>10}{:>10}{:>10}",
        "", ENTRIES[0], ENTRIES[1], ENTRIES[2]
    );
    for (label, _) in COMMANDS {
        let cells: Vec<String> = ENTRIES
            .iter()
            .map(|entry| {
                typical_ns(&dir, entry, label, start)
                    .map_or_else(|| "-".into(), |ns| format!("{ns:.0}"))
            })
            .collect();
        println!(
            "{label:<26}{:>10}{:>10}{:>10}",
            cells[0], cells[1], cells[2]
        );
    }
    for (label, _) in WHOLE_TABLE {
        let cell = typical_ns(&dir, "whole_table", label, start)
            .map_or_else(|| "-".into(), |ns| format!("{ns:.0}"));
        println!("{label:<26}{cell:>10}");
    }
}
