//! EVALSHA through the engine, for a profiler or quick A/B timings: a script answering 1 (what a
//! script call costs by itself) and a fixed-window rate limiter (INCR, PEXPIRE on the first hit),
//! the script a caching course teaches. Prints the µs per call of each, twice (the first round
//! warms up). `N=…` sets the calls per round (default 20,000).
//!
//! ```sh
//! cargo bench -p bench --bench script_profile
//! CARGO_PROFILE_BENCH_DEBUG=true cargo bench -p bench --bench script_profile --no-run
//! N=3000 valgrind --tool=callgrind target/release/deps/script_profile-<hash> --bench
//! ```

use std::hint::black_box;
use std::time::Instant;

use engine::{Engine, Reply};

const RATE_LIMITER: &str = "local n = redis.call('INCR', KEYS[1])\n\
                            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end\n\
                            return n";

fn arg(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

/// Caches a script; its SHA-1.
fn load(engine: &mut Engine, client: engine::ClientId, body: &str) -> Vec<u8> {
    match engine.exec(client, &[arg("SCRIPT"), arg("LOAD"), arg(body)]) {
        Reply::Bulk(sha) => sha.to_vec(),
        other => panic!("SCRIPT LOAD answered {other:?}"),
    }
}

fn main() {
    let calls: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let mut engine = Engine::new();
    let client = engine.connect();
    let one = load(&mut engine, client, "return 1");
    let limiter = load(&mut engine, client, RATE_LIMITER);
    let keys: Vec<Vec<u8>> = (0..100).map(|i| format!("rl:{i}").into_bytes()).collect();
    for _ in 0..2 {
        let start = Instant::now();
        for _ in 0..calls {
            black_box(engine.exec(client, &[arg("EVALSHA"), one.clone(), arg("0")]));
        }
        let bare = start.elapsed().as_secs_f64() * 1e6 / calls as f64;
        let start = Instant::now();
        for i in 0..calls {
            let argv = [
                arg("EVALSHA"),
                limiter.clone(),
                arg("1"),
                keys[i % keys.len()].clone(),
                arg("1000"),
            ];
            black_box(engine.exec(client, &argv));
        }
        let limited = start.elapsed().as_secs_f64() * 1e6 / calls as f64;
        println!("EVALSHA of `return 1`: {bare:.2} µs; of a rate limiter: {limited:.2} µs");
    }
}
