//! DUMP and RESTORE: a key's value as an RDB payload, and back.

use crate::command::{Command, Ctx};
use crate::errors::{CmdResult, RedisError};
use crate::keyspace::{Entry, minutes};
use crate::num::parse_i64;
use crate::pubsub::notify;
use crate::rdb;
use crate::reply::Reply;

// The registrations of DUMP and RESTORE.
crate::lazy::commands! { Dump, dump;
    Command::new(
        "dump",
        dump_command,
        "Answers a key's value serialized in Redis's RDB format, or nil.",
    ),
    Command::new(
        "restore",
        restore_command,
        "Creates a key from a payload made by DUMP.",
    ),
}

/// Redis's `busykeyerr`.
const BUSY_KEY: RedisError = RedisError::new("BUSYKEY Target key name already exists.");

/// Redis's LRU clock: seconds, 24 bits, wrapping (`LRU_CLOCK_MAX`).
const LRU_CLOCK_MAX: i64 = (1 << 24) - 1;

/// Answers the value of a key serialized as an RDB payload (type, value, RDB version, CRC-64),
/// nil when the key is missing.
///
/// `DUMP key`
pub fn dump_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let compress = ctx.engine.config.rdbcompression;
    Ok(ctx.read(&argv[1]).map_or(Reply::Nil, |e| {
        Reply::from(rdb::dump_payload(&e.value, compress))
    }))
}

/// Creates a key from a DUMP payload, with a time to live in milliseconds (0 for none, or an
/// absolute Unix time in milliseconds with `ABSTTL`). `REPLACE` overwrites an existing key;
/// `IDLETIME` (LRU policies) or `FREQ` (LFU policies) set the access data eviction uses.
///
/// `RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]`
pub fn restore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let mut replace = false;
    let mut absttl = false;
    let mut idle: Option<i64> = None;
    let mut freq: Option<u8> = None;
    // Options first, each error as soon as it is met; IDLETIME and FREQ exclude each other
    // (the second of them is a syntax error), either may repeat.
    let mut j = 4;
    while let Some(option) = argv.get(j) {
        let value = argv.get(j + 1);
        if option.eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else if option.eq_ignore_ascii_case(b"absttl") {
            absttl = true;
        } else if let Some(value) =
            value.filter(|_| option.eq_ignore_ascii_case(b"idletime") && freq.is_none())
        {
            let seconds = parse_i64(value).ok_or(RedisError::not_integer())?;
            if seconds < 0 {
                return Err(RedisError::new("ERR Invalid IDLETIME value, must be >= 0"));
            }
            idle = Some(seconds);
            j += 1;
        } else if let Some(value) =
            value.filter(|_| option.eq_ignore_ascii_case(b"freq") && idle.is_none())
        {
            let n = parse_i64(value).ok_or(RedisError::not_integer())?;
            freq =
                Some(u8::try_from(n).map_err(|_| {
                    RedisError::new("ERR Invalid FREQ value, must be >= 0 and <= 255")
                })?);
            j += 1;
        } else {
            return Err(RedisError::syntax());
        }
        j += 1;
    }
    if !replace && ctx.write(key).is_some() {
        return Err(BUSY_KEY);
    }
    let ttl = parse_i64(&argv[2]).ok_or(RedisError::not_integer())?;
    if ttl < 0 {
        return Err(RedisError::new("ERR Invalid TTL value, must be >= 0"));
    }
    let payload = &argv[3];
    if !rdb::verify_payload(payload) {
        return Err(RedisError::new(
            "ERR DUMP payload version or checksum are wrong",
        ));
    }
    let value = rdb::load_payload(payload, &ctx.engine.config)
        .map_err(|_| RedisError::new("ERR Bad data format"))?;

    let deleted = replace && ctx.delete(key);
    let now = ctx.now();
    // Redis adds the current time to a relative TTL without an overflow check: a huge TTL
    // wraps into the past, and the key is then not created.
    let expire_at = match ttl {
        0 => None,
        t if absttl => Some(t),
        t => Some(t.wrapping_add(now)),
    };
    if expire_at.is_some_and(|at| at <= now) {
        if deleted {
            ctx.notify(notify::GENERIC, "del", key);
            ctx.propagate_as(vec![crate::aof::command(&[b"DEL", key])]);
        }
        return Ok(Reply::ok());
    }
    if let Some(at) = expire_at.filter(|_| !absttl) {
        // Propagated with the absolute time.
        let mut propagated = argv.to_vec();
        if let Some(slot) = propagated.get_mut(2) {
            *slot = at.to_string().into_bytes();
        }
        propagated.push(b"ABSTTL".to_vec());
        ctx.propagate_as(vec![propagated]);
    }

    let mut entry = Entry::new(value, now);
    if ctx.engine.config.maxmemory_policy.is_lfu() {
        if let Some(freq) = freq {
            entry.lfu_counter = freq;
            entry.lfu_minutes = minutes(now);
        }
    } else if let Some(idle) = idle {
        entry.lru_ms = lru_ms_for_idle(now, idle);
    }
    ctx.add(key, entry);
    if expire_at.is_some() {
        ctx.set_expire(key, expire_at);
    }
    ctx.notify(notify::GENERIC, "restore", key);
    Ok(Reply::ok())
}

/// The access time that makes `OBJECT IDLETIME` answer what Redis answers after `IDLETIME
/// seconds`. Redis keeps access times on a 24-bit clock of seconds, so it stores
/// `clock - seconds` wrapped into 24 bits (after multiplying and dividing by 1000 with 64-bit
/// wrap-around), and reads the idle time back modulo that clock: idle times of 2^24 - 1 seconds
/// or more come back reduced.
pub(crate) fn lru_ms_for_idle(now_ms: i64, seconds: i64) -> i64 {
    let now_s = now_ms.div_euclid(1000);
    let clock = now_s & LRU_CLOCK_MAX;
    let seconds = seconds.wrapping_mul(1000) / 1000;
    let mut stored = clock.wrapping_sub(seconds);
    if stored < 0 {
        stored = stored.wrapping_add(LRU_CLOCK_MAX);
    }
    // The object's 24-bit LRU field keeps the low bits (two's complement for what is still
    // negative).
    let stored = stored & LRU_CLOCK_MAX;
    let idle = if clock >= stored {
        clock - stored
    } else {
        clock + (LRU_CLOCK_MAX - stored)
    };
    now_s.saturating_sub(idle).saturating_mul(1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;
    use crate::config::EvictionPolicy;
    use crate::keyspace::LFU_INIT_VAL;

    fn argv(words: &[&[u8]]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.to_vec()).collect()
    }

    /// An engine at 2026-11-23 (the time the IDLETIME cases were taken from Redis), a client,
    /// and the DUMP payload of "hello".
    fn setup() -> (Engine, u64, Vec<u8>) {
        let mut engine = Engine::new();
        engine.set_time(1_795_335_074_000);
        let client = engine.connect();
        engine.exec(client, &argv(&[b"SET", b"a", b"hello"]));
        let Reply::Bulk(payload) = engine.exec(client, &argv(&[b"DUMP", b"a"])) else {
            panic!("DUMP answers a bulk string");
        };
        (engine, client, payload.into_vec())
    }

    #[test]
    fn idletime_follows_redis_wrapping_lru_clock() {
        // OBJECT IDLETIME on Redis 7.0.15 after RESTORE … IDLETIME n, at Unix time 1795335074
        // (LRU clock 172962).
        let now = 1_795_335_074_000;
        for (n, idle) in [
            (100, 100),
            (5_000_000, 5_000_000),
            (20_000_000, 3_222_784),
            (16_777_215, 0),
            (16_777_220, 5),
            (100_000_000_000, 7_792_640),
            (9_223_372_036_854_775, 14_898_167),
            (9_223_372_036_854_776, 1_879_048),
            (i64::MAX, 16_777_214),
        ] {
            assert_eq!((now - lru_ms_for_idle(now, n)) / 1000, idle, "IDLETIME {n}");
        }
    }

    #[test]
    fn restore_sets_access_data_by_policy() {
        let (mut engine, client, payload) = setup();
        let now = engine.now_ms();
        let restore = |engine: &mut Engine, extra: &[&[u8]]| {
            let mut args = argv(&[b"RESTORE", b"k", b"0", &payload, b"REPLACE"]);
            args.extend(argv(extra));
            engine.exec(client, &args)
        };
        assert_eq!(restore(&mut engine, &[b"IDLETIME", b"100"]), Reply::ok());
        let entry = engine.dbs[0].peek(b"k").expect("restored");
        assert_eq!(entry.lru_ms, now - 100_000);
        // FREQ is ignored without an LFU policy.
        assert_eq!(restore(&mut engine, &[b"FREQ", b"100"]), Reply::ok());
        let entry = engine.dbs[0].peek(b"k").expect("restored");
        assert_eq!((entry.lfu_counter, entry.lru_ms), (LFU_INIT_VAL, now));

        engine.config.maxmemory_policy = EvictionPolicy::AllKeysLfu;
        assert_eq!(restore(&mut engine, &[b"FREQ", b"100"]), Reply::ok());
        assert_eq!(engine.dbs[0].peek(b"k").map(|e| e.lfu_counter), Some(100));
        // IDLETIME is ignored under LFU; the counter starts afresh.
        assert_eq!(restore(&mut engine, &[b"IDLETIME", b"100"]), Reply::ok());
        let entry = engine.dbs[0].peek(b"k").expect("restored");
        assert_eq!((entry.lfu_counter, entry.lru_ms), (LFU_INIT_VAL, now));
    }

    #[test]
    fn restore_ttl_relative_absolute_and_past() {
        let (mut engine, client, payload) = setup();
        let now = engine.now_ms();
        let run = |engine: &mut Engine, words: &[&[u8]]| engine.exec(client, &argv(words));
        assert_eq!(
            run(&mut engine, &[b"RESTORE", b"k", b"5000", &payload]),
            Reply::ok()
        );
        assert_eq!(
            engine.dbs[0].peek(b"k").and_then(Entry::expire_at),
            Some(now + 5000)
        );
        let at = (now + 60_000).to_string();
        let args: &[&[u8]] = &[
            b"RESTORE",
            b"k",
            at.as_bytes(),
            &payload,
            b"REPLACE",
            b"ABSTTL",
        ];
        assert_eq!(run(&mut engine, args), Reply::ok());
        assert_eq!(
            engine.dbs[0].peek(b"k").and_then(Entry::expire_at),
            Some(now + 60_000)
        );
        // ABSTTL in the past, and a relative TTL that overflows: OK, and no key.
        let args: &[&[u8]] = &[b"RESTORE", b"k", b"1", &payload, b"REPLACE", b"ABSTTL"];
        assert_eq!(run(&mut engine, args), Reply::ok());
        assert!(engine.dbs[0].peek(b"k").is_none());
        let args: &[&[u8]] = &[b"RESTORE", b"k", b"9223372036854775807", &payload];
        assert_eq!(run(&mut engine, args), Reply::ok());
        assert!(engine.dbs[0].peek(b"k").is_none());
        // The restored key expires with the clock (alive at its expire time, gone just after).
        run(&mut engine, &[b"RESTORE", b"k", b"10", &payload]);
        engine.advance(10);
        assert!(engine.dbs[0].peek(b"k").is_some());
        engine.advance(1);
        assert!(engine.dbs[0].peek(b"k").is_none());
    }

    #[test]
    fn restore_notifies_new_restore_and_del() {
        let (mut engine, client, payload) = setup();
        engine.config.notify_keyspace_events = notify::KEYEVENT | notify::GENERIC | notify::NEW;
        let listener = engine.connect();
        for event in ["new", "restore", "del"] {
            engine
                .pubsub
                .add_channel(&format!("__keyevent@0__:{event}").into_bytes(), listener);
        }
        let run = |engine: &mut Engine, words: &[&[u8]]| engine.exec(client, &argv(words));
        let events = |engine: &mut Engine| -> Vec<String> {
            engine
                .take_output(listener)
                .into_iter()
                .filter_map(|p| match p {
                    Reply::Push(items) | Reply::Array(items) => match items.get(1) {
                        Some(Reply::Bulk(ch)) => Some(String::from_utf8_lossy(ch).into_owned()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        };
        run(&mut engine, &[b"RESTORE", b"k", b"0", &payload]);
        assert_eq!(
            events(&mut engine),
            ["__keyevent@0__:new", "__keyevent@0__:restore"]
        );
        run(&mut engine, &[b"RESTORE", b"k", b"0", &payload, b"REPLACE"]);
        assert_eq!(
            events(&mut engine),
            ["__keyevent@0__:new", "__keyevent@0__:restore"]
        );
        run(
            &mut engine,
            &[b"RESTORE", b"k", b"1", &payload, b"REPLACE", b"ABSTTL"],
        );
        assert_eq!(events(&mut engine), ["__keyevent@0__:del"]);
        // Nothing to delete, nothing created: no event.
        run(
            &mut engine,
            &[b"RESTORE", b"k", b"1", &payload, b"REPLACE", b"ABSTTL"],
        );
        assert!(events(&mut engine).is_empty());
        // Errors send nothing.
        run(&mut engine, &[b"RESTORE", b"a", b"0", &payload]);
        assert!(events(&mut engine).is_empty());
    }

    #[test]
    fn rdbcompression_no_stores_long_strings_verbatim() {
        let (mut engine, client, _) = setup();
        let long = vec![b'a'; 65];
        engine.exec(client, &argv(&[b"SET", b"l", &long]));
        let dump = |engine: &mut Engine| engine.exec(client, &argv(&[b"DUMP", b"l"]));
        let Reply::Bulk(packed) = dump(&mut engine) else {
            panic!("bulk");
        };
        assert_eq!(packed.get(..2), Some(&b"\x00\xc3"[..]));
        engine.config.rdbcompression = false;
        let Reply::Bulk(plain) = dump(&mut engine) else {
            panic!("bulk");
        };
        // As Redis 7.0.15 answers with `rdbcompression no`.
        let mut expected = b"\x00@A".to_vec();
        expected.extend_from_slice(&long);
        expected.extend_from_slice(b"\n\x00\xa5\x9fr\xef\x98\xfe\x98\xf3");
        assert_eq!(plain, expected);
        // Either payload restores to the same value.
        for payload in [packed, plain] {
            let args = argv(&[b"RESTORE", b"l", b"0", &payload, b"REPLACE"]);
            assert_eq!(engine.exec(client, &args), Reply::ok());
            let get = engine.exec(client, &argv(&[b"GET", b"l"]));
            assert_eq!(get, Reply::bulk(&long));
        }
    }
}
