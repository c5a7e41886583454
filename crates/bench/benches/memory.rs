//! What keeping `used_memory` current costs a write: the same command on a small collection and
//! on one of a million elements. The engine measures a value again after every write, from
//! totals the collections keep as they change, so both should cost about the same; a write
//! that re-measured the whole value would be thousands of times slower on the large one.
//!
//! `cargo bench -p bench --bench memory` prints criterion's estimates, then one line per
//! command with both times and their ratio.

use std::time::Duration;

use criterion::{BatchSize, Criterion};
use engine::{ClientId, Engine, Reply};

/// Elements in the large collections.
const LARGE: usize = 1_000_000;
/// Elements in the small ones.
const SMALL: usize = 10;

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

/// An engine holding a list, a hash, a set and a sorted set of `n` elements each, under a
/// `maxmemory` (so that every command also checks the limit, as on the page).
fn engine_with(n: usize) -> (Engine, ClientId) {
    let mut engine = Engine::new();
    let c = engine.connect();
    engine.exec(c, &argv(&["CONFIG", "SET", "maxmemory", "4gb"]));
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let members: Vec<String> = chunk.iter().map(|i| format!("member-{i}")).collect();
        let mut rpush = argv(&["RPUSH", "list"]);
        let mut sadd = argv(&["SADD", "set"]);
        let mut hset = argv(&["HSET", "hash"]);
        let mut zadd = argv(&["ZADD", "zset"]);
        for (i, m) in chunk.iter().zip(&members) {
            rpush.push(m.clone().into_bytes());
            sadd.push(m.clone().into_bytes());
            hset.push(m.clone().into_bytes());
            hset.push(b"value".to_vec());
            zadd.push(i.to_string().into_bytes());
            zadd.push(m.clone().into_bytes());
        }
        for cmd in [rpush, sadd, hset, zadd] {
            assert!(!matches!(engine.exec(c, &cmd), Reply::Error(_)));
        }
    }
    (engine, c)
}

/// The commands measured: each adds or changes one element (and the next removes it, so the
/// collections keep their size across iterations).
const COMMANDS: &[(&str, &[&str], &[&str])] = &[
    ("RPUSH", &["RPUSH", "list", "new"], &["RPOP", "list"]),
    (
        "LSET",
        &["LSET", "list", "0", "changed"],
        &["LSET", "list", "0", "x"],
    ),
    (
        "HSET",
        &["HSET", "hash", "new", "value"],
        &["HDEL", "hash", "new"],
    ),
    ("SADD", &["SADD", "set", "new"], &["SREM", "set", "new"]),
    (
        "ZADD",
        &["ZADD", "zset", "-1", "new"],
        &["ZREM", "zset", "new"],
    ),
];

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut results = Vec::new();
    let mut small = engine_with(SMALL);
    let mut large = engine_with(LARGE);
    for &(name, write, undo) in COMMANDS {
        let (write, undo) = (argv(write), argv(undo));
        let mut times = Vec::new();
        for (label, (engine, c)) in [("small", &mut small), ("large", &mut large)] {
            let id = format!("{name} on a {label} collection");
            let mut group = criterion.benchmark_group(&id);
            group.bench_function("write+undo", |b| {
                b.iter_batched(
                    || (),
                    |()| {
                        engine.exec(*c, &write);
                        engine.exec(*c, &undo);
                    },
                    BatchSize::SmallInput,
                );
            });
            group.finish();
            // A direct timing for the summary line (criterion's own estimate is printed above).
            let rounds = 20_000;
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                engine.exec(*c, &write);
                engine.exec(*c, &undo);
            }
            times.push(start.elapsed().as_nanos() as f64 / f64::from(rounds));
        }
        results.push((name, times[0], times[1]));
    }
    criterion.final_summary();
    println!();
    for (name, small, large) in results {
        println!(
            "{name} + undo: {small:.0} ns on {SMALL} elements, {large:.0} ns on {LARGE} \
             elements (ratio {:.2})",
            large / small
        );
    }
}
