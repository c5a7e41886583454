//! Persistence on the virtual clock: for each mode (RDB save points, AOF with `always`,
//! `everysec` and `no`, both on), writes on a timeline, a simulated crash at a chosen instant,
//! and exactly which writes survive the restart.

use engine::{Engine, Reply, RestartSource};

/// 2026-01-01T00:00:00Z: a whole second, so instants below are easy to read.
const START: i64 = 1_767_225_600_000;

fn argv(line: &str) -> Vec<Vec<u8>> {
    engine::cli::split_args(line.as_bytes()).expect("a well-formed line")
}

struct Server {
    engine: Engine,
    client: u64,
}

impl Server {
    fn new(setup: &[&str]) -> Server {
        let mut engine = Engine::new();
        engine.set_time(START);
        let client = engine.connect();
        let mut server = Server { engine, client };
        for line in setup {
            assert!(!matches!(server.run(line), Reply::Error(_)), "{line}");
        }
        server
    }

    fn run(&mut self, line: &str) -> Reply {
        if !self.engine.is_connected(self.client) {
            self.client = self.engine.connect();
        }
        self.engine.exec(self.client, &argv(line))
    }

    /// Moves the clock to `ms` after the start.
    fn at(&mut self, ms: i64) -> &mut Self {
        self.engine.set_time(START + ms);
        self
    }

    fn get(&mut self, key: &str) -> Reply {
        self.run(&format!("GET {key}"))
    }

    fn info(&mut self, field: &str) -> String {
        let Reply::Bulk(text) = self.run("INFO persistence") else {
            panic!("INFO answers a bulk string");
        };
        let text = String::from_utf8(text.into_vec()).expect("INFO is text");
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .unwrap_or_else(|| panic!("no {field} in {text}"))
            .to_string()
    }

    fn crash(&mut self) -> engine::Restart {
        let restart = self.engine.crash_restart();
        assert!(
            !self.engine.is_connected(self.client),
            "clients are disconnected"
        );
        restart
    }
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s.as_bytes())
}

#[test]
fn rdb_save_points_start_a_background_save_and_a_crash_loses_what_came_after() {
    let mut s = Server::new(&["CONFIG SET save \"60 2\""]);
    s.at(1_000).run("SET a 1");
    s.at(10_000).run("SET b 2");
    // Two changes, but not more than 60 whole seconds since the last save (the start).
    s.at(60_950);
    assert_eq!(s.info("rdb_bgsave_in_progress"), "0");
    // At 61 s `unixtime - lastsave > 60`: the save starts at that cron tick, its snapshot taken.
    s.at(61_000);
    assert_eq!(s.info("rdb_bgsave_in_progress"), "1");
    s.run("SET c 3"); // after the fork: not in this save
    s.at(61_100);
    assert_eq!(s.info("rdb_bgsave_in_progress"), "0");
    assert_eq!(s.run("LASTSAVE"), Reply::Integer(START / 1000 + 61));
    assert_eq!(s.info("rdb_changes_since_last_save"), "1");
    assert_eq!(s.info("rdb_last_bgsave_status"), "ok");
    s.at(70_000).run("SET d 4");
    let restart = s.crash();
    assert_eq!(restart.source, RestartSource::Rdb);
    assert_eq!((s.get("a"), s.get("b")), (bulk("1"), bulk("2")));
    assert_eq!((s.get("c"), s.get("d")), (Reply::Nil, Reply::Nil));
    assert_eq!(s.info("rdb_last_load_keys_loaded"), "2");
    assert_eq!(s.info("rdb_changes_since_last_save"), "0");
    assert_eq!(s.run("LASTSAVE"), Reply::Integer(START / 1000 + 70));
}

#[test]
fn a_save_point_with_too_few_changes_never_saves() {
    let mut s = Server::new(&["CONFIG SET save \"10 3\""]);
    s.at(1_000).run("SET a 1");
    s.at(500_000);
    assert_eq!(s.info("rdb_saves"), "0");
    assert_eq!(s.crash().source, RestartSource::Nothing);
    assert_eq!(s.get("a"), Reply::Nil);
}

#[test]
fn without_save_points_or_aof_a_crash_loses_everything_but_a_manual_save() {
    let mut s = Server::new(&["CONFIG SET save \"\""]);
    s.run("SET a 1");
    assert_eq!(s.run("SAVE"), Reply::ok());
    s.run("SET b 2");
    s.at(5_000).run("BGSAVE");
    s.run("SET c 3");
    // The BGSAVE is still running: its file is not written yet.
    s.at(5_050);
    s.crash();
    assert_eq!(
        (s.get("a"), s.get("b"), s.get("c")),
        (bulk("1"), Reply::Nil, Reply::Nil)
    );
}

/// A server with the append-only file on (its first rewrite done) under `policy`.
fn aof_server(policy: &str) -> Server {
    let mut s = Server::new(&[
        "CONFIG SET save \"\"",
        &format!("CONFIG SET appendfsync {policy}"),
        "CONFIG SET appendonly yes",
    ]);
    assert_eq!(s.info("aof_rewrite_in_progress"), "1");
    s.at(500);
    assert_eq!(s.info("aof_rewrite_in_progress"), "0");
    s
}

#[test]
fn aof_always_keeps_every_acknowledged_write() {
    let mut s = aof_server("always");
    s.at(1_000).run("SET a 1");
    s.at(1_001).run("SET b 2");
    s.run("INCR n");
    let restart = s.crash();
    assert_eq!(restart.source, RestartSource::Aof);
    // SELECT 0 and the three writes.
    assert_eq!(restart.commands_replayed, 4);
    assert_eq!(
        (s.get("a"), s.get("b"), s.get("n")),
        (bulk("1"), bulk("2"), bulk("1"))
    );
}

#[test]
fn aof_everysec_loses_at_most_the_last_second() {
    let mut s = aof_server("everysec");
    // The first write of a second later than the last fsync is fsynced at once.
    s.at(2_100).run("SET a 1");
    // These follow within the same second: written, not yet fsynced.
    s.at(2_400).run("SET b 2");
    s.at(2_900).run("SET c 3");
    let (_, incr, durable) = s.engine.aof_file();
    assert!(durable < incr.len());
    s.crash();
    assert_eq!(
        (s.get("a"), s.get("b"), s.get("c")),
        (bulk("1"), Reply::Nil, Reply::Nil)
    );

    // Once the next second starts, the background fsync makes them durable.
    let mut s = aof_server("everysec");
    s.at(2_100).run("SET a 1");
    s.at(2_400).run("SET b 2");
    s.at(3_000);
    let (_, incr, durable) = s.engine.aof_file();
    assert_eq!(durable, incr.len());
    s.crash();
    assert_eq!((s.get("a"), s.get("b")), (bulk("1"), bulk("2")));
}

#[test]
fn aof_no_leaves_flushing_to_the_operating_system() {
    let mut s = aof_server("no");
    s.at(1_000).run("SET a 1");
    // Dirty for 30 s, written back at the flusher's next 5-second wake-up: 35 s here.
    s.at(34_999);
    s.crash();
    assert_eq!(s.get("a"), Reply::Nil);

    let mut s = aof_server("no");
    s.at(1_000).run("SET a 1");
    s.at(20_000).run("SET b 2");
    s.at(35_000);
    s.crash();
    assert_eq!((s.get("a"), s.get("b")), (bulk("1"), Reply::Nil));
}

#[test]
fn with_both_on_the_restart_reads_the_append_only_file() {
    let mut s = Server::new(&["CONFIG SET save \"5 1\"", "CONFIG SET appendonly yes"]);
    s.at(1_000).run("SET a 1");
    s.at(10_000);
    // The save point saved `a` into the RDB file.
    assert_eq!(s.info("rdb_saves"), "1");
    s.at(12_000).run("SET b 2");
    s.at(12_001).run("DEL a");
    s.at(13_500);
    let restart = s.crash();
    assert_eq!(restart.source, RestartSource::Aof);
    assert_eq!((s.get("a"), s.get("b")), (Reply::Nil, bulk("2")));
}

#[test]
fn turned_on_but_crashed_before_the_first_rewrite_ends_starts_empty() {
    // Redis then finds no append-only file and, with it on, does not read dump.rdb.
    let mut s = Server::new(&["SET a 1", "SAVE", "CONFIG SET appendonly yes"]);
    s.at(50);
    assert_eq!(s.crash().source, RestartSource::Nothing);
    assert_eq!(s.get("a"), Reply::Nil);
}

#[test]
fn relative_expire_times_are_replayed_as_absolute_ones() {
    let mut s = aof_server("always");
    s.at(1_000).run("SET k v EX 100");
    s.run("SET p v");
    s.run("EXPIRE p 200");
    s.run("SETEX q 300 v");
    s.at(51_000).crash();
    assert_eq!(s.run("TTL k"), Reply::Integer(50));
    assert_eq!(s.run("TTL p"), Reply::Integer(150));
    assert_eq!(s.run("TTL q"), Reply::Integer(250));
    let (_, incr, _) = s.engine.aof_file();
    let text = String::from_utf8_lossy(incr);
    assert!(
        text.contains("$4\r\nPXAT\r\n$13\r\n1767225701000\r\n"),
        "{text}"
    );
    assert!(text.contains("$9\r\nPEXPIREAT\r\n$1\r\np\r\n$13\r\n1767225801000\r\n"));
}

#[test]
fn random_and_blocking_commands_replay_as_what_they_did() {
    let mut s = aof_server("always");
    s.at(1_000).run("SADD s a b c d e f");
    s.run("SPOP s 2");
    s.run("SPOP s");
    s.run("RPUSH l x y z");
    s.run("BLPOP l 0");
    s.run("XADD st * f v");
    s.run("INCRBYFLOAT f 1.5");
    let before: Vec<Reply> = ["SMEMBERS s", "LRANGE l 0 -1", "XRANGE st - +", "GET f"]
        .iter()
        .map(|c| s.run(c))
        .collect();
    s.at(9_000).crash();
    let after: Vec<Reply> = ["SMEMBERS s", "LRANGE l 0 -1", "XRANGE st - +", "GET f"]
        .iter()
        .map(|c| s.run(c))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn the_aof_holds_commands_as_redis_propagates_them() {
    let mut s = aof_server("always");
    s.at(1_000).run("SET a 1");
    s.run("SELECT 2");
    s.run("MULTI");
    s.run("SET x 1");
    s.run("SET y 2");
    s.run("EXEC");
    s.run("DEL missing");
    let (_, incr, _) = s.engine.aof_file();
    let expected = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n\
         *2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*1\r\n$5\r\nMULTI\r\n\
         *3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1\r\ny\r\n$1\r\n2\r\n\
         *1\r\n$4\r\nEXEC\r\n";
    assert_eq!(String::from_utf8_lossy(incr), expected);
}

#[test]
fn bgrewriteaof_compacts_the_file() {
    let mut s = aof_server("always");
    s.at(1_000);
    for _ in 0..100 {
        s.run("INCR n");
    }
    let before = s
        .info("aof_current_size")
        .parse::<usize>()
        .expect("a number");
    assert_eq!(
        s.run("BGREWRITEAOF"),
        Reply::status("Background append only file rewriting started")
    );
    s.run("INCR n"); // during the rewrite: kept in the new incremental part
    s.at(2_000);
    let after = s
        .info("aof_current_size")
        .parse::<usize>()
        .expect("a number");
    assert!(after < before, "{after} < {before}");
    let (base, incr, _) = s.engine.aof_file();
    assert!(base.is_some_and(|b| b.starts_with(b"REDIS0010")));
    assert_eq!(
        String::from_utf8_lossy(incr),
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"
    );
    s.crash();
    assert_eq!(s.get("n"), bulk("101"));
}

#[test]
fn a_crash_during_a_rewrite_keeps_the_old_file_and_every_part() {
    let mut s = aof_server("always");
    s.at(1_000).run("SET a 1");
    s.run("BGREWRITEAOF");
    s.run("SET b 2");
    s.at(1_050).crash();
    assert_eq!((s.get("a"), s.get("b")), (bulk("1"), bulk("2")));
}

#[test]
fn shutdown_saves_and_restarts_with_nothing_lost() {
    let mut s = aof_server("everysec");
    s.at(2_100).run("SET a 1");
    s.at(2_200).run("SET b 2");
    // SHUTDOWN fsyncs the append-only file first.
    assert_eq!(s.run("SHUTDOWN"), Reply::NilArray);
    assert_eq!((s.get("a"), s.get("b")), (bulk("1"), bulk("2")));

    // With save points and no AOF, SHUTDOWN saves; SHUTDOWN NOSAVE does not.
    let mut s = Server::new(&["CONFIG SET save \"3600 1\""]);
    s.run("SET a 1");
    s.run("SHUTDOWN");
    s.run("SET b 2");
    s.run("SHUTDOWN NOSAVE");
    assert_eq!((s.get("a"), s.get("b")), (bulk("1"), Reply::Nil));
    // SHUTDOWN SAVE saves even without save points.
    s.run("CONFIG SET save \"\"");
    s.run("SET c 3");
    s.run("SHUTDOWN SAVE");
    assert_eq!(s.get("c"), bulk("3"));
}

#[test]
fn a_restart_is_a_new_process_on_the_same_clock() {
    let mut s = Server::new(&[]);
    let other = s.engine.connect();
    s.engine.exec(other, &argv("SUBSCRIBE news"));
    s.at(90_000).run("GET nothing");
    s.crash();
    assert!(!s.engine.is_connected(other));
    assert_eq!(s.run("PUBLISH news hi"), Reply::Integer(0));
    let Reply::Bulk(info) = s.run("INFO server") else {
        panic!("INFO answers a bulk string");
    };
    let info = String::from_utf8_lossy(&info).into_owned();
    assert!(info.contains("uptime_in_seconds:0\r\n"), "{info}");
    assert_eq!(s.engine.now_ms(), START + 90_000);
    assert_eq!(s.engine.stats().keyspace_misses, 0);
}

#[test]
fn the_file_is_rewritten_automatically_when_it_doubles() {
    let mut s = aof_server("always");
    s.run("CONFIG SET auto-aof-rewrite-min-size 2000");
    let base: usize = s.info("aof_base_size").parse().expect("a number");
    assert_eq!(s.info("aof_current_size"), base.to_string());
    s.at(1_000);
    for i in 0..100 {
        s.run(&format!("SET key:{i} value"));
    }
    // Past 2000 bytes and twice the size after the last rewrite: the next cron tick starts one.
    assert_eq!(s.info("aof_rewrites"), "1");
    s.at(1_100);
    assert_eq!(s.info("aof_rewrite_in_progress"), "1");
    s.at(1_200);
    assert_eq!(s.info("aof_rewrites"), "2");
    let (_, incr, _) = s.engine.aof_file();
    assert!(incr.is_empty());
    s.crash();
    assert_eq!(s.run("DBSIZE"), Reply::Integer(100));
}

#[test]
fn a_waiting_pop_served_later_is_propagated_as_the_pop_it_made() {
    let mut s = aof_server("always");
    s.at(1_000);
    let worker = s.engine.connect();
    assert!(s.engine.call(worker, &argv("BRPOP jobs 0")).is_empty());
    s.run("RPUSH jobs a b");
    assert_eq!(
        s.engine.take_output(worker),
        [Reply::bulks([&b"jobs"[..], b"b"])]
    );
    let (_, incr, _) = s.engine.aof_file();
    assert_eq!(
        String::from_utf8_lossy(incr),
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*4\r\n$5\r\nRPUSH\r\n$4\r\njobs\r\n$1\r\na\r\n$1\r\nb\r\n\
         *2\r\n$4\r\nRPOP\r\n$4\r\njobs\r\n"
    );
    s.crash();
    assert_eq!(s.run("LRANGE jobs 0 -1"), Reply::bulks([&b"a"[..]]));
}

#[test]
fn expired_and_evicted_keys_are_propagated_as_deletions() {
    let mut s = aof_server("always");
    s.at(1_000).run("SET k v PX 500");
    s.at(2_000);
    s.run("CONFIG SET maxmemory-policy allkeys-random");
    s.run("SET big 1");
    s.run("CONFIG SET maxmemory 1");
    s.run("GET big");
    let (_, incr, _) = s.engine.aof_file();
    let text = String::from_utf8_lossy(incr);
    assert!(
        text.ends_with(
            "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1767225601500\r\n\
             *2\r\n$3\r\nDEL\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1\r\n1\r\n\
             *2\r\n$3\r\nDEL\r\n$3\r\nbig\r\n"
        ),
        "{text}"
    );
}

#[test]
fn a_long_jump_starts_only_a_few_background_jobs() {
    // "save 1 0" saves every two seconds, changes or not: a year's jump runs a few of them, and
    // the next moves catch up.
    let mut s = Server::new(&["CONFIG SET save \"1 0\"", "SET a 1"]);
    s.at(365 * 24 * 3_600_000);
    let saves: u32 = s.info("rdb_saves").parse().expect("a number");
    assert!((1..=8).contains(&saves), "{saves}");
    s.at(365 * 24 * 3_600_000 + 60_000);
    let later: u32 = s.info("rdb_saves").parse().expect("a number");
    assert!(later > saves);
}

#[test]
fn shutdown_refuses_while_the_first_rewrite_writes_the_file() {
    let mut s = Server::new(&["SET a 1", "CONFIG SET appendonly yes"]);
    assert_eq!(
        s.run("SHUTDOWN NOSAVE"),
        Reply::error("ERR Errors trying to SHUTDOWN. Check logs.")
    );
    // Once it is written, SHUTDOWN goes ahead, and the restart reads the file.
    s.at(100);
    assert_eq!(s.run("SHUTDOWN NOSAVE"), Reply::NilArray);
    assert_eq!(s.get("a"), bulk("1"));
}
