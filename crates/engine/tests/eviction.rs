//! Memory limits and eviction on the virtual clock: each `maxmemory-policy` filled past
//! `maxmemory`, and what it kept; the OOM refusals; INFO, notifications and the event log;
//! the single commands refused before they allocate beyond the limit.
//!
//! Which keys Redis evicts is decided by sampling, so these tests check what the sampled
//! approximation promises (a hot working set survives LRU, frequently read keys survive LFU,
//! the soonest-expiring keys go first under volatile-ttl) rather than exact key lists; the
//! engine's seeded generator makes every run the same.

use engine::{ClientId, Engine, EventKind, Reply};

const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

fn argv(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

fn run(engine: &mut Engine, client: ClientId, line: &str) -> Reply {
    engine.exec(client, &argv(line))
}

fn int(reply: Reply) -> i64 {
    match reply {
        Reply::Integer(n) => n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

/// A field of `INFO`'s text.
fn info_field(engine: &mut Engine, client: ClientId, field: &str) -> String {
    let text = match run(engine, client, "INFO everything") {
        Reply::Verbatim(_, bytes) => String::from_utf8(bytes).expect("text"),
        Reply::Bulk(bytes) => String::from_utf8(bytes.into_vec()).expect("text"),
        other => panic!("INFO answered {other:?}"),
    };
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in INFO"))
        .to_string()
}

fn exists(engine: &mut Engine, client: ClientId, key: &str) -> bool {
    int(run(engine, client, &format!("EXISTS {key}"))) == 1
}

/// A server on the virtual clock, its client, and a limit `room` bytes above what it uses
/// empty, under `policy`.
fn server(policy: &str, room: usize) -> (Engine, ClientId) {
    let mut engine = Engine::new();
    engine.set_time(1_767_225_600_000);
    let client = engine.connect();
    limit_to(&mut engine, client, room);
    assert_eq!(
        run(
            &mut engine,
            client,
            &format!("CONFIG SET maxmemory-policy {policy}")
        ),
        Reply::ok()
    );
    (engine, client)
}

/// Sets the limit `room` bytes above what the server uses now.
fn limit_to(engine: &mut Engine, client: ClientId, room: usize) {
    let limit = engine.used_memory() + room;
    assert_eq!(
        run(engine, client, &format!("CONFIG SET maxmemory {limit}")),
        Reply::ok()
    );
}

/// Checks that the server is back within its limit once the next command has evicted (a
/// command may take it over; Redis evicts before the next one).
fn assert_within_limit(engine: &mut Engine, client: ClientId) {
    run(engine, client, "PING");
    let limit = engine.config().maxmemory as usize;
    assert!(
        engine.used_memory() <= limit,
        "{} bytes used over a limit of {limit}",
        engine.used_memory()
    );
}

#[test]
fn an_empty_server_reports_a_plausible_figure_and_keys_add_to_it() {
    let mut engine = Engine::new();
    let client = engine.connect();
    let empty = engine.used_memory();
    // A fresh Redis 7.0 reports a little under 1 MB.
    assert!((850_000..1_000_000).contains(&empty), "{empty}");
    assert_eq!(
        info_field(&mut engine, client, "used_memory"),
        empty.to_string()
    );
    assert!(info_field(&mut engine, client, "used_memory_human").starts_with("875."));
    run(&mut engine, client, "SET foo bar");
    // MEMORY USAGE counts the key, its value and its table entry; the table's buckets come too.
    let usage = int(run(&mut engine, client, "MEMORY USAGE foo"));
    assert_eq!(usage, 64);
    let one = engine.used_memory();
    assert_eq!(one - empty, 64 + 4 * 8);
    run(&mut engine, client, "DEL foo");
    assert_eq!(engine.used_memory(), empty);
}

#[test]
fn writes_change_the_figure_by_what_they_change() {
    let mut engine = Engine::new();
    let client = engine.connect();
    for i in 0..2000 {
        run(&mut engine, client, &format!("RPUSH l element-{i}"));
        run(&mut engine, client, &format!("HSET h field-{i} value-{i}"));
        run(&mut engine, client, &format!("SADD s member-{i}"));
        run(&mut engine, client, &format!("ZADD z {i} member-{i}"));
        run(&mut engine, client, &format!("XADD x * f {i}"));
    }
    let full = engine.used_memory();
    engine.check_memory_bookkeeping().expect("bookkeeping");
    // 2000 list elements of about 14 bytes, plus hash fields and values, set and zset members
    // with their table entries and skiplist nodes, and a stream: several hundred KB.
    assert!(full > 875_888 + 300_000, "{full}");
    // Trimming the list frees what its elements took.
    let before = engine.used_memory();
    run(&mut engine, client, "LTRIM l 0 9");
    assert!(engine.used_memory() < before - 20_000);
    engine.check_memory_bookkeeping().expect("bookkeeping");
    run(&mut engine, client, "FLUSHALL");
    assert_eq!(engine.used_memory(), 875_888 + 20_496);
}

#[test]
fn values_from_restore_and_reload_are_accounted_as_written_ones() {
    let mut engine = Engine::new();
    let client = engine.connect();
    for i in 0..300 {
        run(&mut engine, client, &format!("RPUSH l element-{i}"));
        run(&mut engine, client, &format!("HSET h field-{i} value-{i}"));
        run(&mut engine, client, &format!("SADD s member-{i}"));
        run(&mut engine, client, &format!("ZADD z {i} member-{i}"));
        run(&mut engine, client, &format!("XADD x * f {i}"));
        run(&mut engine, client, &format!("SET k{i} {i}"));
    }
    let written = engine.used_memory();
    engine
        .check_memory_bookkeeping()
        .expect("bookkeeping after writes");
    assert_eq!(run(&mut engine, client, "DEBUG RELOAD"), Reply::ok());
    engine
        .check_memory_bookkeeping()
        .expect("bookkeeping after DEBUG RELOAD");
    assert!(engine.used_memory() > written / 2, "{written}");
    for key in ["l", "h", "s", "z", "x", "k1"] {
        let dump = match run(&mut engine, client, &format!("DUMP {key}")) {
            Reply::Bulk(bytes) => bytes.into_vec(),
            other => panic!("DUMP {key}: {other:?}"),
        };
        let restore: Vec<Vec<u8>> = vec![
            b"RESTORE".to_vec(),
            format!("{key}-copy").into_bytes(),
            b"0".to_vec(),
            dump,
        ];
        assert_eq!(engine.exec(client, &restore), Reply::ok(), "RESTORE {key}");
        engine
            .check_memory_bookkeeping()
            .expect("bookkeeping after RESTORE");
    }
}

#[test]
fn info_memory_reports_the_limit_and_the_policy() {
    let mut engine = Engine::new();
    let client = engine.connect();
    run(&mut engine, client, "CONFIG SET maxmemory 1mb");
    run(
        &mut engine,
        client,
        "CONFIG SET maxmemory-policy allkeys-lru",
    );
    assert_eq!(info_field(&mut engine, client, "maxmemory"), "1048576");
    assert_eq!(info_field(&mut engine, client, "maxmemory_human"), "1.00M");
    assert_eq!(
        info_field(&mut engine, client, "maxmemory_policy"),
        "allkeys-lru"
    );
    assert_eq!(
        info_field(&mut engine, client, "mem_not_counted_for_evict"),
        "0"
    );
    assert_eq!(info_field(&mut engine, client, "evicted_keys"), "0");
    // The peak follows the figure after every command.
    for i in 0..100 {
        run(&mut engine, client, &format!("SET k{i} {i}"));
    }
    let peak: usize = info_field(&mut engine, client, "used_memory_peak")
        .parse()
        .expect("number");
    run(&mut engine, client, "FLUSHALL");
    let after: usize = info_field(&mut engine, client, "used_memory_peak")
        .parse()
        .expect("number");
    assert_eq!(peak, after);
    assert!(peak > engine.used_memory());
}

#[test]
fn noeviction_answers_oom_and_keeps_everything() {
    let (mut engine, c) = server("noeviction", 50_000);
    let mut stored = 0;
    let mut refused = 0;
    for i in 0..2000 {
        match run(&mut engine, c, &format!("SET key:{i} value-{i}")) {
            Reply::Status(_) => stored += 1,
            Reply::Error(e) => {
                assert_eq!(e, OOM);
                refused += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(
        stored > 100 && refused > 100,
        "{stored} stored, {refused} refused"
    );
    assert_eq!(int(run(&mut engine, c, "DBSIZE")), stored);
    assert_eq!(engine.stats().evicted_keys, 0);
    // Reads and deletions still run; a deletion makes room again.
    assert_eq!(run(&mut engine, c, "GET key:0"), Reply::bulk(b"value-0"));
    let first_refused = stored;
    assert!(run(&mut engine, c, &format!("SET key:{first_refused} v")).is_error());
    for i in 0..50 {
        run(&mut engine, c, &format!("DEL key:{i}"));
    }
    assert_eq!(
        run(&mut engine, c, &format!("SET key:{first_refused} v")),
        Reply::ok()
    );
}

#[test]
fn allkeys_lru_keeps_a_hot_working_set() {
    let (mut engine, c) = server("allkeys-lru", 60_000);
    let hot: Vec<String> = (0..50).map(|i| format!("hot:{i}")).collect();
    for key in &hot {
        run(&mut engine, c, &format!("SET {key} value"));
    }
    for i in 0..5000 {
        run(&mut engine, c, &format!("SET cold:{i} some-cold-value-{i}"));
        if i % 50 == 0 {
            // Every 50 writes a second passes and the application reads its hot keys.
            engine.advance(1000);
            for key in &hot {
                run(&mut engine, c, &format!("GET {key}"));
            }
        }
        assert_within_limit(&mut engine, c);
    }
    let kept = hot.iter().filter(|k| exists(&mut engine, c, k)).count();
    assert!(kept >= 48, "only {kept} of 50 hot keys kept");
    let cold = int(run(&mut engine, c, "DBSIZE")) as usize - kept;
    assert!(cold < 1000, "{cold} cold keys kept");
    assert!(engine.stats().evicted_keys > 4000);
    // The survivors are the most recently written cold keys, mostly.
    let recent = (4500..5000)
        .filter(|i| exists(&mut engine, c, &format!("cold:{i}")))
        .count();
    assert!(recent > 250, "{recent} of the last 500 cold keys kept");
}

/// The eviction demo of the issue: 10,000 keys written under `maxmemory 1mb` with
/// `allkeys-lru`, while the application keeps reading its 100 hot keys: they survive, the
/// dataset stays under the limit, and INFO counts the evictions.
#[test]
fn eviction_demo_under_maxmemory_1mb() {
    let mut engine = Engine::new();
    engine.set_time(1_767_225_600_000);
    let c = engine.connect();
    run(&mut engine, c, "CONFIG SET maxmemory 1mb");
    run(&mut engine, c, "CONFIG SET maxmemory-policy allkeys-lru");
    for i in 0..100 {
        run(&mut engine, c, &format!("SET user:{i} profile-of-user-{i}"));
    }
    for i in 0..10_000 {
        assert_eq!(
            run(&mut engine, c, &format!("SET page:{i} rendered-page-{i}")),
            Reply::ok()
        );
        if i % 100 == 99 {
            engine.advance(1000);
            for u in 0..100 {
                run(&mut engine, c, &format!("GET user:{u}"));
            }
        }
    }
    assert_within_limit(&mut engine, c);
    let users = (0..100)
        .filter(|u| exists(&mut engine, c, &format!("user:{u}")))
        .count();
    assert!(users >= 98, "{users} of 100 hot keys kept");
    let keys = int(run(&mut engine, c, "DBSIZE"));
    assert!((500..5000).contains(&keys), "{keys} keys kept");
    let evicted: i64 = info_field(&mut engine, c, "evicted_keys")
        .parse()
        .expect("n");
    assert_eq!(evicted, 10_100 - keys);
}

#[test]
fn allkeys_lfu_keeps_frequently_read_keys() {
    let (mut engine, c) = server("allkeys-lfu", 60_000);
    let frequent: Vec<String> = (0..50).map(|i| format!("freq:{i}")).collect();
    for key in &frequent {
        run(&mut engine, c, &format!("SET {key} value"));
        for _ in 0..100 {
            run(&mut engine, c, &format!("GET {key}"));
        }
    }
    let counters: Vec<i64> = frequent
        .iter()
        .map(|k| int(run(&mut engine, c, &format!("OBJECT FREQ {k}"))))
        .collect();
    assert!(counters.iter().all(|&n| n > 6), "{counters:?}");
    for i in 0..5000 {
        run(
            &mut engine,
            c,
            &format!("SET rare:{i} a-rarely-read-value-{i}"),
        );
        // Rare keys are read once, right after they are written: recent, but not frequent.
        run(&mut engine, c, &format!("GET rare:{i}"));
        assert_within_limit(&mut engine, c);
    }
    let kept = frequent
        .iter()
        .filter(|k| exists(&mut engine, c, k))
        .count();
    assert!(kept >= 48, "only {kept} of 50 frequent keys kept");
    assert!(engine.stats().evicted_keys > 4000);
}

#[test]
fn lfu_counters_decay_with_time() {
    let (mut engine, c) = server("allkeys-lfu", 60_000);
    run(&mut engine, c, "CONFIG SET lfu-log-factor 0");
    run(&mut engine, c, "SET old v");
    for _ in 0..30 {
        run(&mut engine, c, "GET old");
    }
    let counter = int(run(&mut engine, c, "OBJECT FREQ old"));
    assert!(counter >= 30, "{counter}");
    // Ten minutes later, with lfu-decay-time 1, the counter has lost ten.
    engine.advance(10 * 60_000);
    assert_eq!(int(run(&mut engine, c, "OBJECT FREQ old")), counter - 10);
    // A key read often long ago loses to keys read a little recently.
    engine.advance(60 * 60_000);
    for i in 0..3000 {
        run(&mut engine, c, &format!("SET new:{i} value-{i}"));
        run(&mut engine, c, &format!("GET new:{i}"));
    }
    assert!(!exists(&mut engine, c, "old"));
}

/// Fills a `volatile-ttl` server with keys whose TTLs come in shuffled order (key `i` expires
/// after 1000 + `i` seconds) and answers which keys it kept, in order.
fn fill_by_ttl(samples: u32) -> Vec<usize> {
    let (mut engine, c) = server("volatile-ttl", 60_000);
    run(
        &mut engine,
        c,
        &format!("CONFIG SET maxmemory-samples {samples}"),
    );
    let n = 3000;
    for j in 0..n {
        let i = (j * 7919) % n;
        let reply = run(
            &mut engine,
            c,
            &format!("SET t:{i} value-{i} EX {}", 1000 + i),
        );
        assert_eq!(reply, Reply::ok());
        assert_within_limit(&mut engine, c);
    }
    (0..n)
        .filter(|i| exists(&mut engine, c, &format!("t:{i}")))
        .collect()
}

#[test]
fn volatile_ttl_evicts_the_soonest_expiring_first() {
    let n = 3000;
    // The share of survivors among the latest to expire (the exact policy would keep only
    // those), and the share from the soonest-expiring half.
    let quality = |kept: &[usize]| {
        let late = kept.iter().filter(|&&i| i >= n - 2 * kept.len()).count();
        let early = kept.iter().filter(|&&i| i < n / 2).count();
        (late * 100 / kept.len(), early * 100 / kept.len())
    };
    let kept = fill_by_ttl(5);
    assert!(kept.len() < n / 4, "{} kept", kept.len());
    let (late, early) = quality(&kept);
    assert!(late >= 85, "{late} % late");
    assert!(early <= 10, "{early} % early");
    // More samples, a closer approximation (as Redis documents for maxmemory-samples).
    let (late10, early10) = quality(&fill_by_ttl(10));
    assert!(
        late10 > late && early10 < early,
        "{late10} % late, {early10} % early"
    );
}

#[test]
fn volatile_policies_never_evict_persistent_keys_and_fall_back_to_oom() {
    for policy in [
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    ] {
        let (mut engine, c) = server(policy, 40_000);
        for i in 0..200 {
            run(&mut engine, c, &format!("SET persistent:{i} value-{i}"));
        }
        let mut refused = 0;
        for i in 0..2000 {
            let reply = run(
                &mut engine,
                c,
                &format!("SET volatile:{i} value-{i} EX 100"),
            );
            if reply.is_error() {
                assert_eq!(reply, Reply::error(OOM), "{policy}");
                refused += 1;
            }
        }
        // Volatile keys made room for volatile keys until none was left to evict.
        assert!(engine.stats().evicted_keys > 100, "{policy}");
        for i in 0..200 {
            assert!(
                exists(&mut engine, c, &format!("persistent:{i}")),
                "{policy}"
            );
        }
        // Persistent keys alone: once over the limit, writes are refused.
        let mut i = 0;
        while !run(&mut engine, c, &format!("SET more:{i} value-{i}")).is_error() {
            i += 1;
            assert!(i < 10_000, "{policy}: never refused");
        }
        assert_eq!(refused, 0, "{policy}: volatile keys always made room");
        for k in 0..i {
            assert!(exists(&mut engine, c, &format!("more:{k}")), "{policy}");
        }
        assert_eq!(
            run(&mut engine, c, "SET one-more v"),
            Reply::error(OOM),
            "{policy}"
        );
        // Whatever volatile key was left is gone: only persistent keys remain.
        let volatile = (0..2000)
            .filter(|k| exists(&mut engine, c, &format!("volatile:{k}")))
            .count();
        assert_eq!(volatile, 0, "{policy}");
    }
}

#[test]
fn allkeys_random_evicts_some_of_everything() {
    let (mut engine, c) = server("allkeys-random", 60_000);
    for i in 0..500 {
        run(&mut engine, c, &format!("SET early:{i} v{i}"));
    }
    run(&mut engine, c, "SELECT 1");
    for i in 0..500 {
        run(&mut engine, c, &format!("SET other-db:{i} v{i}"));
    }
    run(&mut engine, c, "SELECT 0");
    for i in 0..3000 {
        run(&mut engine, c, &format!("SET late:{i} value-{i}"));
        // Reading does not protect a key under a random policy.
        run(&mut engine, c, "GET early:0");
        assert_within_limit(&mut engine, c);
    }
    let early = (0..500)
        .filter(|i| exists(&mut engine, c, &format!("early:{i}")))
        .count();
    let late = (0..3000)
        .filter(|i| exists(&mut engine, c, &format!("late:{i}")))
        .count();
    run(&mut engine, c, "SELECT 1");
    let other = int(run(&mut engine, c, "DBSIZE"));
    // Every group lost keys; the early and late ones of db 0 alike kept some. (Redis takes
    // each random victim from the next database in turn, so the small db 1 loses keys as fast
    // as db 0 and may empty first.)
    assert!((1..500).contains(&early), "{early} early keys kept");
    assert!((1..3000).contains(&late), "{late} late keys kept");
    assert!(other < 300, "{other} keys kept in db 1");
}

#[test]
fn evictions_are_counted_notified_and_logged() {
    let (mut engine, c) = server("allkeys-lru", 20_000);
    let sub = engine.connect();
    limit_to(&mut engine, c, 20_000);
    run(&mut engine, c, "CONFIG SET notify-keyspace-events Ee");
    run(&mut engine, sub, "SUBSCRIBE __keyevent@0__:evicted");
    engine.take_output(sub);
    let from = engine.events().last_seq();
    for i in 0..1000 {
        run(&mut engine, c, &format!("SET key:{i} value-{i}"));
    }
    run(&mut engine, c, "PING");
    let evicted = engine.stats().evicted_keys;
    assert!(evicted > 500);
    assert_eq!(
        info_field(&mut engine, c, "evicted_keys"),
        evicted.to_string()
    );
    let messages = engine.take_output(sub);
    assert_eq!(messages.len() as u64, evicted);
    let logged: Vec<_> = engine
        .events()
        .after(from)
        .filter(|e| e.kind == EventKind::Evicted)
        .collect();
    assert_eq!(logged.len() as u64, evicted);
    for (event, message) in logged.iter().zip(&messages) {
        // The server evicts, not the client whose command triggered it.
        assert_eq!(event.client, 0);
        assert_eq!(event.command, "");
        assert_eq!(
            *message,
            Reply::Array(vec![
                Reply::bulk(b"message"),
                Reply::bulk(b"__keyevent@0__:evicted"),
                Reply::bulk(&event.key),
            ])
        );
        assert!(!exists(
            &mut engine,
            c,
            &String::from_utf8_lossy(&event.key)
        ));
    }
    // CONFIG RESETSTAT clears the counter, as Redis's.
    run(&mut engine, c, "CONFIG RESETSTAT");
    assert_eq!(info_field(&mut engine, c, "evicted_keys"), "0");
}

#[test]
fn an_evicted_key_serves_no_blocked_client() {
    let (mut engine, c) = server("allkeys-lru", 20_000);
    let waiter = engine.connect();
    limit_to(&mut engine, c, 20_000);
    run(&mut engine, c, "RPUSH queue a");
    run(&mut engine, c, "LPOP queue");
    assert_eq!(
        engine.call(waiter, &argv("BLPOP queue 0")),
        Vec::<Reply>::new()
    );
    run(&mut engine, c, "RPUSH other x");
    for i in 0..1000 {
        run(&mut engine, c, &format!("SET key:{i} value-{i}"));
    }
    assert!(!exists(&mut engine, c, "other"));
    assert!(engine.take_output(waiter).is_empty());
    // The waiter is served by the next push, as ever.
    run(&mut engine, c, "CONFIG SET maxmemory 0");
    run(&mut engine, c, "RPUSH queue b");
    assert_eq!(
        engine.take_output(waiter),
        [Reply::Array(vec![Reply::bulk(b"queue"), Reply::bulk(b"b")])]
    );
}

#[test]
fn a_lower_limit_evicts_after_config_set_replies() {
    let mut engine = Engine::new();
    let c = engine.connect();
    run(&mut engine, c, "CONFIG SET maxmemory-policy allkeys-random");
    for i in 0..100 {
        run(&mut engine, c, &format!("SET key:{i} value"));
    }
    assert_eq!(run(&mut engine, c, "CONFIG SET maxmemory 1"), Reply::ok());
    // Evicted once the command is done, before anyone's next command.
    assert_eq!(engine.db_len(0), 0);
    assert_eq!(engine.stats().evicted_keys, 100);
}

#[test]
fn with_config_starts_a_server_with_a_limit() {
    let mut config = engine::Config::default();
    config.maxmemory = 1;
    let mut engine = Engine::with_config(config);
    let c = engine.connect();
    assert_eq!(run(&mut engine, c, "SET k v"), Reply::error(OOM));
    assert_eq!(run(&mut engine, c, "GET k"), Reply::Nil);
    engine.config_mut().maxmemory = 0;
    assert_eq!(run(&mut engine, c, "SET k v"), Reply::ok());
}

#[test]
fn single_commands_beyond_maxmemory_are_refused_before_they_allocate() {
    let mut engine = Engine::new();
    let c = engine.connect();
    run(&mut engine, c, "CONFIG SET maxmemory 64mb");
    let oom = Reply::error(OOM);
    // Strings grown past the whole limit in one command.
    assert_eq!(run(&mut engine, c, "SETRANGE big 100000000 x"), oom);
    assert_eq!(run(&mut engine, c, "SETBIT big 800000000 1"), oom);
    assert_eq!(run(&mut engine, c, "BITFIELD big SET u8 800000000 1"), oom);
    assert_eq!(run(&mut engine, c, "EXISTS big"), Reply::Integer(0));
    run(&mut engine, c, "SET s x");
    assert_eq!(run(&mut engine, c, "SETRANGE s 70000000 x"), oom);
    assert_eq!(run(&mut engine, c, "GET s"), Reply::bulk(b"x"));
    // Within the limit they run as in Redis.
    assert_eq!(
        run(&mut engine, c, "SETRANGE s 1000000 x"),
        Reply::Integer(1_000_001)
    );
    // APPEND of a value that would make the string larger than the limit.
    let half = vec![b'a'; 40 << 20];
    let append =
        |engine: &mut Engine| engine.exec(c, &[b"APPEND".to_vec(), b"a".to_vec(), half.clone()]);
    assert_eq!(append(&mut engine), Reply::Integer(40 << 20));
    assert_eq!(append(&mut engine), oom);
    run(&mut engine, c, "DEL a");
    // Replies of a huge negative count.
    run(&mut engine, c, "SADD set m");
    run(&mut engine, c, "HSET hash f v");
    run(&mut engine, c, "ZADD zset 1 m");
    for cmd in [
        "SRANDMEMBER set -100000000",
        "HRANDFIELD hash -100000000",
        "ZRANDMEMBER zset -100000000",
    ] {
        assert_eq!(run(&mut engine, c, cmd), oom, "{cmd}");
    }
    // Smaller, they are answered.
    for cmd in [
        "SRANDMEMBER set -1000",
        "HRANDFIELD hash -1000",
        "ZRANDMEMBER zset -1000",
    ] {
        assert!(matches!(run(&mut engine, c, cmd), Reply::Array(a) if a.len() == 1000));
    }
    // LCS's table of (n+1)×(m+1) cells, larger than the limit.
    let long = vec![b'x'; 3000];
    engine.exec(c, &[b"SET".to_vec(), b"l1".to_vec(), long.clone()]);
    engine.exec(c, &[b"SET".to_vec(), b"l2".to_vec(), long]);
    run(&mut engine, c, "CONFIG SET maxmemory 10mb");
    assert_eq!(run(&mut engine, c, "LCS l1 l2 LEN"), oom);
    run(&mut engine, c, "CONFIG SET maxmemory 0");
    assert_eq!(run(&mut engine, c, "LCS l1 l2 LEN"), Reply::Integer(3000));
}
