//! The "done when" demos of the playground, as engine tests: several clients of one server on
//! the virtual clock, as the page runs them.
//!
//! - a write-behind worker: a producer pushes jobs, a worker waits for them with BLPOP;
//! - pub/sub notifications: a subscriber receives every message, in publishing order;
//! - eviction under `maxmemory 1mb`: see `eviction_demo_under_maxmemory_1mb` in
//!   `tests/eviction.rs` (not repeated here);
//! - AOF against RDB: the same timeline on two servers, crashed at the same instant.

use engine::{ClientId, Engine, Reply, RestartSource};

/// 2026-01-01T00:00:00Z.
const START: i64 = 1_767_225_600_000;

fn argv(line: &str) -> Vec<Vec<u8>> {
    engine::cli::split_args(line.as_bytes()).expect("a well-formed line")
}

fn run(engine: &mut Engine, client: ClientId, line: &str) -> Reply {
    engine.exec(client, &argv(line))
}

fn server() -> Engine {
    let mut engine = Engine::new();
    engine.set_time(START);
    engine
}

fn bulks(items: &[&str]) -> Reply {
    Reply::bulks(items.iter().map(|s| s.as_bytes()))
}

#[test]
fn write_behind_worker_processes_jobs_as_they_arrive() {
    let mut e = server();
    let (producer, worker) = (e.connect(), e.connect());
    // The worker waits: nothing to do yet.
    assert!(e.call(worker, &argv("BLPOP jobs 0")).is_empty());
    let mut processed = Vec::new();
    // The producer queues three writes over a few seconds of virtual time; each wakes the
    // worker, which "writes behind" (stores the job's result) and waits again.
    for (at, job) in [(1_000, "user:1"), (1_500, "user:2"), (4_000, "user:3")] {
        e.set_time(START + at);
        assert!(matches!(
            run(&mut e, producer, &format!("RPUSH jobs {job}")),
            Reply::Integer(1)
        ));
        let served = e.take_output(worker);
        assert_eq!(served, [bulks(&["jobs", job])]);
        run(&mut e, worker, &format!("SET saved:{job} {at}"));
        processed.push((e.now_ms() - START, job));
        assert!(e.call(worker, &argv("BLPOP jobs 0")).is_empty());
    }
    assert_eq!(
        processed,
        [(1_000, "user:1"), (1_500, "user:2"), (4_000, "user:3")]
    );
    // Two jobs queued while the worker is busy wait in the list, in order.
    run(&mut e, producer, "RPUSH jobs user:4 user:5");
    assert_eq!(e.take_output(worker), [bulks(&["jobs", "user:4"])]);
    assert_eq!(run(&mut e, worker, "LPOP jobs"), Reply::bulk(b"user:5"));
    assert_eq!(run(&mut e, producer, "LLEN jobs"), Reply::Integer(0));
    assert_eq!(
        run(&mut e, producer, "MGET saved:user:1 saved:user:3"),
        bulks(&["1000", "4000"])
    );
    // A worker with a timeout gives up when the clock passes it.
    assert!(e.call(worker, &argv("BLPOP jobs 5")).is_empty());
    e.advance(5_000);
    assert_eq!(e.take_output(worker), [Reply::NilArray]);
}

#[test]
fn pubsub_notifications_arrive_in_publishing_order() {
    let mut e = server();
    let (publisher, subscriber) = (e.connect(), e.connect());
    assert_eq!(
        e.call(subscriber, &argv("SUBSCRIBE orders")),
        [Reply::Array(vec![
            Reply::bulk(b"subscribe"),
            Reply::bulk(b"orders"),
            Reply::Integer(1)
        ])]
    );
    e.call(subscriber, &argv("PSUBSCRIBE order*"));
    // Each message reaches the channel's subscriber, then its pattern subscriber, in order.
    assert_eq!(
        run(&mut e, publisher, "PUBLISH orders created:1"),
        Reply::Integer(2)
    );
    e.advance(10);
    assert_eq!(
        run(&mut e, publisher, "PUBLISH orders paid:1"),
        Reply::Integer(2)
    );
    assert_eq!(
        run(&mut e, publisher, "PUBLISH orders-audit seen"),
        Reply::Integer(1)
    );
    assert_eq!(
        e.take_output(subscriber),
        [
            bulks(&["message", "orders", "created:1"]),
            bulks(&["pmessage", "order*", "orders", "created:1"]),
            bulks(&["message", "orders", "paid:1"]),
            bulks(&["pmessage", "order*", "orders", "paid:1"]),
            bulks(&["pmessage", "order*", "orders-audit", "seen"]),
        ]
    );
    // Keyspace notifications follow the same path.
    run(&mut e, publisher, "CONFIG SET notify-keyspace-events E$");
    e.call(subscriber, &argv("SUBSCRIBE __keyevent@0__:set"));
    run(&mut e, publisher, "SET cart:1 x");
    assert_eq!(
        e.take_output(subscriber),
        [bulks(&["message", "__keyevent@0__:set", "cart:1"])]
    );
}

#[test]
fn aof_against_rdb_after_the_same_crash() {
    // The same 90 seconds on two servers: one with the default save points tightened to
    // "60 1" (snapshot a minute after a change), one with the append-only file (everysec).
    let mut rdb = server();
    let mut aof = server();
    let (r, a) = (rdb.connect(), aof.connect());
    run(&mut rdb, r, "CONFIG SET save \"60 1\"");
    run(&mut aof, a, "CONFIG SET save \"\"");
    run(&mut aof, a, "CONFIG SET appendonly yes");
    for second in 1..=90 {
        for (engine, client) in [(&mut rdb, r), (&mut aof, a)] {
            engine.set_time(START + second * 1000);
            run(engine, client, &format!("SET order:{second} paid"));
            run(engine, client, "INCR orders");
        }
    }
    // The crash, half a second after the last write.
    rdb.set_time(START + 90_500);
    aof.set_time(START + 90_500);
    let (from_rdb, from_aof) = (rdb.crash_restart(), aof.crash_restart());
    assert_eq!(from_rdb.source, RestartSource::Rdb);
    assert_eq!(from_aof.source, RestartSource::Aof);
    let (r, a) = (rdb.connect(), aof.connect());
    // The RDB file was saved at 61 s, with the writes of seconds 1 to 60 (the save started at
    // the cron tick of 61.0 s, before that second's write): 30 seconds of orders are gone.
    assert_eq!(run(&mut rdb, r, "GET orders"), Reply::bulk(b"60"));
    assert_eq!(run(&mut rdb, r, "EXISTS order:61"), Reply::Integer(0));
    // The append-only file lost under a second: the writes of each second were fsynced when
    // the next second began (just before its writes), so only those of second 90 are gone.
    assert_eq!(run(&mut aof, a, "GET orders"), Reply::bulk(b"89"));
    assert_eq!(run(&mut aof, a, "EXISTS order:89"), Reply::Integer(1));
    assert_eq!(run(&mut aof, a, "EXISTS order:90"), Reply::Integer(0));
}

#[test]
fn everysec_loses_the_writes_of_the_current_second_in_a_burst() {
    let mut e = server();
    let c = e.connect();
    run(&mut e, c, "CONFIG SET appendonly yes");
    e.set_time(START + 1_000);
    // A burst of 10 writes within one second: the first is fsynced at once, the rest wait for
    // the next second.
    for i in 0..10 {
        e.set_time(START + 2_000 + i * 50);
        run(&mut e, c, "INCR hits");
    }
    e.crash_restart();
    let c = e.connect();
    assert_eq!(run(&mut e, c, "GET hits"), Reply::bulk(b"1"));
}
