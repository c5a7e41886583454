//! Workloads for measuring the engine against a bare hash map, run by `make bench`
//! (`benches/w1.rs`). Each workload is generated from a fixed seed, so runs are comparable, and
//! is replayed both through [`Engine::exec`] (argv already split, as the page's JavaScript
//! client sends commands) and through a [`Baseline`] that does the same logical work on a
//! `HashMap` with nothing else around it.

use std::collections::HashMap;
use std::hint::black_box;

use engine::{ClientId, Engine, Reply};

/// W1, cache-aside: an application reads through a cache of [`W1_KEYS`] keys holding
/// [`W1_VALUE_LEN`]-byte values. Each of [`W1_OPS`] operations is `GET key`; [`W1_HIT_PERCENT`] %
/// ask for a cached key (uniformly), the others for a key not cached yet, which the application
/// then stores with `SET key value EX 60`.
pub const W1_KEYS: usize = 100_000;
/// Size of every value, in bytes.
pub const W1_VALUE_LEN: usize = 100;
/// Number of operations (each a `GET`, plus a `SET` after a miss).
pub const W1_OPS: usize = 200_000;
/// Share of operations that find their key.
pub const W1_HIT_PERCENT: u64 = 90;
/// The seed every W1 run uses.
pub const W1_SEED: u64 = 0x0057_3100;

/// A generated workload: the commands of every key, and which key each operation reads.
pub struct Workload {
    /// Per key: `GET key`.
    pub gets: Vec<Vec<Vec<u8>>>,
    /// Per key: `SET key value EX 60`, what the application stores after a miss.
    pub sets: Vec<Vec<Vec<u8>>>,
    /// The first `preloaded` keys are in the cache before the run.
    pub preloaded: usize,
    /// The key index each operation reads.
    pub ops: Vec<u32>,
}

/// What a run saw; the engine and the baseline must see the same.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// `GET`s that found their key.
    pub hits: u64,
    /// `GET`s that did not.
    pub misses: u64,
    /// Replies other than the expected ones (a `SET` that failed, a `GET` error).
    pub unexpected: u64,
}

/// `SplitMix64`: small, seeded, good enough to spread keys.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

impl Workload {
    /// The W1 workload for a seed.
    pub fn w1(seed: u64) -> Workload {
        let mut rng = SplitMix(seed);
        let mut ops = Vec::with_capacity(W1_OPS);
        let mut next_fresh = W1_KEYS;
        for _ in 0..W1_OPS {
            if rng.below(100) < W1_HIT_PERCENT {
                ops.push(rng.below(W1_KEYS as u64) as u32);
            } else {
                ops.push(next_fresh as u32);
                next_fresh += 1;
            }
        }
        let mut gets = Vec::with_capacity(next_fresh);
        let mut sets = Vec::with_capacity(next_fresh);
        for i in 0..next_fresh {
            let key = format!("user:{i:07}").into_bytes();
            // Printable values, as a serialized record would be.
            let value: Vec<u8> = (0..W1_VALUE_LEN)
                .map(|_| b'a' + rng.below(26) as u8)
                .collect();
            gets.push(vec![b"GET".to_vec(), key.clone()]);
            sets.push(vec![
                b"SET".to_vec(),
                key,
                value,
                b"EX".to_vec(),
                b"60".to_vec(),
            ]);
        }
        Workload {
            gets,
            sets,
            preloaded: W1_KEYS,
            ops,
        }
    }

    /// An engine holding the preloaded keys (stored without expire time), and its client.
    pub fn engine(&self) -> (Engine, ClientId) {
        let mut engine = Engine::new();
        let client = engine.connect();
        for set in self.sets.iter().take(self.preloaded) {
            black_box(engine.exec(client, &set[..3]));
        }
        (engine, client)
    }

    /// A baseline holding the same keys.
    pub fn baseline(&self) -> Baseline {
        let mut baseline = Baseline::default();
        for set in self.sets.iter().take(self.preloaded) {
            baseline.map.insert(set[1].clone(), (set[2].clone(), None));
        }
        baseline
    }

    /// Replays the operations through the engine, as the application would: `GET`, and on a
    /// miss `SET … EX 60`.
    #[inline(never)] // a frame of its own, for profilers
    pub fn run_engine(&self, engine: &mut Engine, client: ClientId) -> Tally {
        let mut tally = Tally::default();
        for &op in &self.ops {
            let i = op as usize;
            match engine.exec(client, &self.gets[i]) {
                Reply::Bulk(value) => {
                    tally.hits += 1;
                    black_box(value);
                }
                Reply::Nil => {
                    tally.misses += 1;
                    if engine.exec(client, &self.sets[i]) != Reply::ok() {
                        tally.unexpected += 1;
                    }
                }
                _ => tally.unexpected += 1,
            }
        }
        tally
    }

    /// Replays the operations on the bare map: the same reads, expiry checks and writes.
    #[inline(never)]
    pub fn run_baseline(&self, baseline: &mut Baseline) -> Tally {
        let mut tally = Tally::default();
        for &op in &self.ops {
            let i = op as usize;
            let key = &self.gets[i][1];
            let now = baseline.now_ms;
            let found = match baseline.map.get(key) {
                Some((value, expire)) if expire.is_none_or(|at| at > now) => Some(value.clone()),
                _ => None,
            };
            if let Some(value) = found {
                tally.hits += 1;
                black_box(value);
            } else {
                tally.misses += 1;
                let set = &self.sets[i];
                let seconds: u64 = std::str::from_utf8(&set[4])
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let at = now.saturating_add(seconds.saturating_mul(1000));
                baseline
                    .map
                    .insert(set[1].clone(), (set[2].clone(), Some(at)));
            }
        }
        tally
    }
}

/// The baseline: a bare map from key to value and expire time, on a fixed clock.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// Key → (value, absolute expire time in ms).
    pub map: HashMap<Vec<u8>, (Vec<u8>, Option<u64>)>,
    /// The clock, in ms.
    pub now_ms: u64,
}

/// W3, mixed commands: [`W3_OPS`] operations cycling through the ten commands of
/// [`W3::commands_for`] (`HSET`, `HGETALL`, `LPUSH`, `LRANGE 0 9`, `ZADD`,
/// `ZREVRANGE 0 9 WITHSCORES`, `INCR`, `EXPIRE 60`, `TTL`, `TTL`), each cycle on the next of
/// [`W3_KEYS`] keys per type, as `make bench-js` runs it through the JavaScript client.
pub const W3_OPS: usize = 100_000;
/// Keys per type.
pub const W3_KEYS: usize = 1_000;

/// The W3 command sequence, generated once.
pub struct W3 {
    /// Every operation's argv, in order.
    pub commands: Vec<Vec<Vec<u8>>>,
}

impl Default for W3 {
    fn default() -> Self {
        W3::new()
    }
}

impl W3 {
    /// Number of commands in one cycle.
    pub const CYCLE: usize = 10;

    /// The sequence.
    pub fn new() -> W3 {
        let mut commands = Vec::with_capacity(W3_OPS);
        let mut cycle = 0usize;
        while commands.len() < W3_OPS {
            let k = cycle % W3_KEYS;
            for argv in Self::commands_for(k) {
                if commands.len() < W3_OPS {
                    commands.push(argv);
                }
            }
            cycle += 1;
        }
        W3 { commands }
    }

    /// One cycle's commands on key number `k`.
    pub fn commands_for(k: usize) -> [Vec<Vec<u8>>; Self::CYCLE] {
        let argv = |words: &[&str]| -> Vec<Vec<u8>> {
            words.iter().map(|w| w.as_bytes().to_vec()).collect()
        };
        let (hash, list, zset, counter) = (
            format!("hash:{k}"),
            format!("list:{k}"),
            format!("zset:{k}"),
            format!("counter:{k}"),
        );
        let n = k.to_string();
        let member = format!("member:{}", k % 10);
        [
            argv(&["HSET", &hash, "field", &n]),
            argv(&["HGETALL", &hash]),
            argv(&["LPUSH", &list, &n]),
            argv(&["LRANGE", &list, "0", "9"]),
            argv(&["ZADD", &zset, &n, &member]),
            argv(&["ZREVRANGE", &zset, "0", "9", "WITHSCORES"]),
            argv(&["INCR", &counter]),
            argv(&["EXPIRE", &counter, "60"]),
            argv(&["TTL", &counter]),
            argv(&["TTL", &hash]),
        ]
    }

    /// Runs the sequence on a client; returns how many replies were errors (none expected).
    #[inline(never)]
    pub fn run(&self, engine: &mut Engine, client: ClientId) -> usize {
        let mut errors = 0;
        for argv in &self.commands {
            if let Reply::Error(_) = black_box(engine.exec(client, argv)) {
                errors += 1;
            }
        }
        errors
    }

    /// [`W3::run`] through [`Engine::call_into`] with one reused reply vector, as a host such
    /// as the npm package's wire calls the engine; answers the error replies.
    #[inline(never)]
    pub fn run_call_into(&self, engine: &mut Engine, client: ClientId) -> usize {
        let mut errors = 0;
        let mut replies = Vec::new();
        for argv in &self.commands {
            engine.call_into(client, argv, &mut replies);
            errors += black_box(&replies).iter().filter(|r| r.is_error()).count();
            replies.clear();
        }
        errors
    }
}
