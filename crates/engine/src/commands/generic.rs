//! Generic key commands (Redis's `db.c` and `object.c`): DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN,
//! RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, TOUCH and OBJECT.

use crate::command::{Command, Ctx};
use crate::commands::{args, scan};
use crate::engine::{Lookup, lfu_decayed};
use crate::errors::{CmdResult, RedisError};
use crate::glob::glob_match;
use crate::keyspace::{Entry, Value};
use crate::pubsub::notify;
use crate::reply::Reply;

/// The generic group's registrations.
pub static COMMANDS: &[Command] = &[
    Command::new(
        "wait",
        wait_command,
        "Waits for replicas to acknowledge writes; with none here, answers 0 (after the timeout).",
    ),
    Command::new(
        "del",
        del_command,
        "Deletes keys and answers how many existed.",
    ),
    Command::new(
        "unlink",
        unlink_command,
        "Deletes keys (Redis frees their memory in the background) and answers how many existed.",
    ),
    Command::new(
        "exists",
        exists_command,
        "Counts how many of the given keys exist; a key named twice counts twice.",
    ),
    Command::new(
        "type",
        type_command,
        "Answers the type of the value at a key, or none.",
    ),
    Command::new(
        "keys",
        keys_command,
        "Lists every key matching a glob pattern, all at once.",
    ),
    Command::new(
        "scan",
        scan_command,
        "Walks the keyspace a few keys at a time with a cursor, optionally filtered by pattern and type.",
    ),
    Command::new(
        "randomkey",
        randomkey_command,
        "Answers a key picked at random, or nil when the database is empty.",
    ),
    Command::new(
        "rename",
        rename_command,
        "Gives a key a new name, replacing any key that had it.",
    ),
    Command::new(
        "renamenx",
        renamenx_command,
        "Gives a key a new name only if no key has that name yet.",
    ),
    Command::new(
        "copy",
        copy_command,
        "Copies a key's value and expire time to another key, possibly in another database.",
    ),
    Command::new(
        "move",
        move_command,
        "Moves a key to another database unless a key of that name is already there.",
    ),
    Command::new(
        "touch",
        touch_command,
        "Marks keys as just accessed and answers how many exist.",
    ),
    Command::new(
        "object",
        object_command,
        "Inspects how a key's value is stored: encoding, references, idle time, access frequency.",
    ),
    Command::new(
        "object|encoding",
        object_encoding_command,
        "Answers the internal representation of a key's value.",
    ),
    Command::new(
        "object|freq",
        object_freq_command,
        "Answers a key's logarithmic access-frequency counter (LFU policies only).",
    ),
    Command::new(
        "object|idletime",
        object_idletime_command,
        "Answers the seconds since a key was last accessed (not under LFU policies).",
    ),
    Command::new(
        "object|refcount",
        object_refcount_command,
        "Answers how many references the server holds to a key's value.",
    ),
    Command::new(
        "object|help",
        object_help_command,
        "Lists the OBJECT subcommands.",
    ),
];

/// `ERR source and destination objects are the same` (Redis's `shared.sameobjecterr`).
const SAME_OBJECT: RedisError = RedisError::new("ERR source and destination objects are the same");

/// Deletes the keys and answers how many of them existed.
///
/// `DEL key [key ...]`
pub fn del_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    delete_keys(ctx, argv)
}

/// Deletes the keys and answers how many of them existed. Redis frees the memory in another
/// thread; here both are the same.
///
/// `UNLINK key [key ...]`
pub fn unlink_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    delete_keys(ctx, argv)
}

fn delete_keys(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut deleted = 0;
    for key in argv.get(1..).unwrap_or_default() {
        if ctx.delete(key) {
            ctx.notify(notify::GENERIC, "del", key);
            deleted += 1;
        }
    }
    Ok(Reply::Integer(deleted))
}

/// Counts the keys that exist; a key given twice counts twice.
///
/// `EXISTS key [key ...]`
pub fn exists_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut count = 0;
    for key in argv.get(1..).unwrap_or_default() {
        if ctx.lookup(key, Lookup::READ_NOTOUCH).is_some() {
            count += 1;
        }
    }
    Ok(Reply::Integer(count))
}

/// Answers the type of a key's value as a status: `string`, `list`, `set`, `zset`, `hash`,
/// `stream`, or `none` when the key does not exist.
///
/// `TYPE key`
pub fn type_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let name = ctx
        .lookup(&argv[1], Lookup::READ_NOTOUCH)
        .map_or("none", |e| e.value.type_name());
    Ok(Reply::status(name))
}

/// Answers every key matching the glob pattern. Keys whose time has passed are left out (but
/// not removed), as Redis does.
///
/// `KEYS pattern`
pub fn keys_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let pattern = &argv[1];
    // A lone `*` matches everything, including the empty key that the matcher refuses.
    let all = pattern.as_slice() == b"*";
    let now = ctx.now();
    let keys: Vec<&[u8]> = ctx
        .db()
        .dict()
        .iter()
        .filter(|(key, entry)| (all || glob_match(pattern, key, false)) && !entry.is_expired(now))
        .map(|(key, _)| key)
        .collect();
    Ok(Reply::bulks(keys))
}

/// Walks the keyspace with a cursor. Each call visits buckets until `COUNT` keys are collected
/// (10 by default), then filters them by `MATCH` pattern and `TYPE`, and removes and leaves out
/// keys whose time has passed. A key present during the whole walk is returned at least once.
///
/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`
pub fn scan_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let cursor = scan::parse_cursor(&argv[1])?;
    let options = scan::ScanOptions::parse(argv.get(2..).unwrap_or_default(), true)?;
    let (next, keys) = scan::scan_dict(ctx.db().dict(), cursor, options.count, |key, _, out| {
        out.push(key.to_vec());
    });
    let mut found = Vec::with_capacity(keys.len());
    for key in keys {
        if !options.matches(&key) {
            continue;
        }
        if options.type_name.is_some() {
            // Redis reads the type through a counted, non-touching lookup, which also expires
            // the key; a key expired that way reads as `none`, and then passes the expiry
            // filter below since it is gone (so `TYPE none` returns it).
            let name = ctx
                .lookup(&key, Lookup::READ_NOTOUCH)
                .map_or("none", |e| e.value.type_name());
            if !options.type_matches(name) {
                continue;
            }
        }
        if ctx.expire_if_needed(&key) {
            continue;
        }
        found.push(key);
    }
    Ok(scan::reply(next, found))
}

/// Answers a random key, or nil when the database is empty. A key drawn whose time has passed
/// is removed and another one drawn, so this ends even when every key has expired.
///
/// `RANDOMKEY`
pub fn randomkey_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    loop {
        let now = ctx.now();
        let engine = &mut *ctx.engine;
        let Some(db) = engine.dbs.get(ctx.db) else {
            return Ok(Reply::Nil);
        };
        let dict = db.dict();
        let Some((key, entry)) = dict.random(&mut engine.rng).and_then(|id| dict.slot(id)) else {
            return Ok(Reply::Nil);
        };
        if !entry.is_expired(now) {
            return Ok(Reply::bulk(key));
        }
        let key = key.to_vec();
        // Each round either answers or removes a key: the loop ends.
        if !ctx.expire_if_needed(&key) {
            return Ok(Reply::bulk(&key));
        }
    }
}

/// Renames a key, replacing the destination (its value and expire time); the key keeps its
/// own expire time. Renaming a key to itself only checks that it exists.
///
/// `RENAME key newkey`
pub fn rename_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    rename(ctx, argv, false)
}

/// Renames a key only when the new name is free: 1 if renamed, 0 if not.
///
/// `RENAMENX key newkey`
pub fn renamenx_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    rename(ctx, argv, true)
}

fn rename(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], nx: bool) -> CmdResult {
    let (from, to) = (&argv[1], &argv[2]);
    let done = if nx { Reply::Integer(1) } else { Reply::ok() };
    if ctx.write(from).is_none() {
        return Err(RedisError::no_such_key());
    }
    if from == to {
        return Ok(if nx { Reply::Integer(0) } else { Reply::ok() });
    }
    if ctx.write(to).is_some() {
        if nx {
            return Ok(Reply::Integer(0));
        }
        // The destination is overwritten silently: no `del` notification.
        ctx.delete(to);
    }
    let Some(entry) = ctx.take(from) else {
        // The key was found just above and time does not move within a command.
        return Err(RedisError::no_such_key());
    };
    ctx.add(to, entry);
    ctx.notify(notify::GENERIC, "rename_from", from);
    ctx.notify(notify::GENERIC, "rename_to", to);
    Ok(done)
}

/// Copies a key's value and expire time to a new key, in the same database or in `DB`; 1 if
/// copied, 0 if the source is missing or the destination exists (unless `REPLACE`).
///
/// `COPY source destination [DB destination-db] [REPLACE]`
pub fn copy_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (source, destination) = (&argv[1], &argv[2]);
    let mut target = ctx.db;
    let mut replace = false;
    let mut rest = argv.get(3..).unwrap_or_default();
    while let Some((option, after)) = rest.split_first() {
        rest = after;
        if args::is(option, "replace") {
            replace = true;
        } else if args::is(option, "db")
            && let Some((index, after)) = rest.split_first()
        {
            target = args::db_index(index)?;
            rest = after;
        } else {
            return Err(RedisError::syntax());
        }
    }
    if target == ctx.db && source == destination {
        return Err(SAME_OBJECT);
    }
    let Some(found) = ctx.read(source) else {
        return Ok(Reply::Integer(0));
    };
    // A duplicate (dupStringObject, streamDup, setTypeDup…): a `raw` string or a stream is
    // allocated afresh, without the room the source's history left it, a hash table sized
    // for its elements.
    let value = match &found.value {
        Value::String(s) => Value::String(s.duplicate()),
        Value::Stream(s) => Value::Stream(Box::new(s.duplicate())),
        Value::Set(s) => Value::Set(s.duplicate()),
        Value::Hash(h) => Value::Hash(h.duplicate()),
        Value::ZSet(z) => Value::ZSet(z.duplicate()),
        Value::List(list) => Value::List(list.clone()),
    };
    let expire_at = found.expire_at();
    let now = ctx.now();
    let copied = ctx.with_db(target, |ctx| {
        if ctx.write(destination).is_some() {
            if !replace {
                return false;
            }
            ctx.delete(destination);
        }
        // A duplicate is a fresh object: new access data, and never one of Redis's shared
        // integers.
        let mut entry = Entry::new(value, now);
        entry.unshared = true;
        ctx.add(destination, entry);
        if expire_at.is_some() {
            ctx.set_expire(destination, expire_at);
        }
        ctx.notify(notify::GENERIC, "copy_to", destination);
        true
    });
    Ok(Reply::Integer(i64::from(copied == Some(true))))
}

/// Moves a key to another database with its expire time; 1 if moved, 0 if the key is missing
/// or the target database already has it.
///
/// `MOVE key db`
pub fn move_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let target = args::db_index(&argv[2])?;
    let source = ctx.db;
    if target == source {
        return Err(SAME_OBJECT);
    }
    if ctx.write(key).is_none() {
        return Ok(Reply::Integer(0));
    }
    if ctx.with_db(target, |ctx| ctx.write(key).is_some()) != Some(false) {
        return Ok(Reply::Integer(0));
    }
    let Some(entry) = ctx.take(key) else {
        // Found just above; time does not move within a command.
        return Ok(Reply::Integer(0));
    };
    ctx.with_db(target, |ctx| ctx.add(key, entry));
    ctx.notify(notify::GENERIC, "move_from", key);
    ctx.with_db(target, |ctx| ctx.notify(notify::GENERIC, "move_to", key));
    Ok(Reply::Integer(1))
}

/// Reads the keys as a `GET` would (updating their access time) and answers how many exist.
///
/// `TOUCH key [key ...]`
pub fn touch_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut touched = 0;
    for key in argv.get(1..).unwrap_or_default() {
        if ctx.read(key).is_some() {
            touched += 1;
        }
    }
    Ok(Reply::Integer(touched))
}

/// The `OBJECT` container. Its subcommands are dispatched centrally; this runs only if that
/// changes, and answers as Redis does for an unknown subcommand.
///
/// `OBJECT subcommand [argument ...]`
pub fn object_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::unknown_subcommand(
        "object",
        argv.get(1).map_or(&b""[..], Vec::as_slice),
    ))
}

/// Answers the internal encoding of a key's value (`int`, `embstr`, `raw`, `listpack`, …), or
/// nil when the key does not exist.
///
/// `OBJECT ENCODING key`
pub fn object_encoding_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(ctx
        .lookup(&argv[2], Lookup::INSPECT)
        .map_or(Reply::Nil, |e| {
            Reply::bulk(e.value.encoding_name().as_bytes())
        }))
}

/// Answers the logarithmic access counter of a key after its decay, or nil when the key does
/// not exist; an error unless the eviction policy is an LFU one.
///
/// `OBJECT FREQ key`
pub fn object_freq_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let config = &ctx.engine.config;
    let (lfu, decay) = (config.maxmemory_policy.is_lfu(), config.lfu_decay_time);
    let now = ctx.now();
    let Some(entry) = ctx.lookup(&argv[2], Lookup::INSPECT) else {
        return Ok(Reply::Nil);
    };
    if !lfu {
        return Err(RedisError::new(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        ));
    }
    Ok(Reply::Integer(i64::from(lfu_decayed(entry, now, decay))))
}

/// Answers the seconds since a key was last accessed, or nil when the key does not exist; an
/// error under an LFU eviction policy.
///
/// `OBJECT IDLETIME key`
pub fn object_idletime_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let lfu = ctx.engine.config.maxmemory_policy.is_lfu();
    let now = ctx.now();
    let Some(entry) = ctx.lookup(&argv[2], Lookup::INSPECT) else {
        return Ok(Reply::Nil);
    };
    if lfu {
        return Err(RedisError::new(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        ));
    }
    Ok(Reply::Integer(idle_seconds(entry.lru_ms, now)))
}

/// Redis's `estimateObjectIdleTime` in seconds: access times are kept as whole seconds on a
/// 24-bit clock (`LRU_CLOCK_MAX`, about 194 days), which may have wrapped since.
pub(crate) fn idle_seconds(lru_ms: i64, now_ms: i64) -> i64 {
    const LRU_CLOCK_MAX: i64 = (1 << 24) - 1;
    let clock = |ms: i64| ms.div_euclid(1000) & LRU_CLOCK_MAX;
    let (now, then) = (clock(now_ms), clock(lru_ms));
    if now >= then {
        now - then
    } else {
        now + (LRU_CLOCK_MAX - then)
    }
}

/// Answers the reference count of a key's value, or nil when the key does not exist: Redis's
/// shared integers (0 to 9999) answer 2147483647, a string stored from an argument earlier in
/// the running transaction 2 (its queued command holds it too), other values 1.
///
/// `OBJECT REFCOUNT key`
pub fn object_refcount_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let exec = ctx.running_exec();
    Ok(ctx
        .lookup(&argv[2], Lookup::INSPECT)
        .map_or(Reply::Nil, |e| Reply::Integer(e.refcount(exec))))
}

/// Lists the subcommands of `OBJECT`, one status line each.
///
/// `OBJECT HELP`
pub fn object_help_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    const LINES: &[&str] = &[
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];
    Ok(Reply::Array(
        LINES.iter().map(|line| Reply::status(line)).collect(),
    ))
}

/// Waits until `numreplicas` replicas acknowledged this client's writes, or `timeout`
/// milliseconds pass (0: forever), and answers how many did. This server has no replicas: it
/// answers 0 at once when no replica is asked for (or inside EXEC), else after the timeout on
/// the virtual clock.
///
/// `WAIT numreplicas timeout`
pub fn wait_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let replicas = crate::num::parse_i64(&argv[1]).ok_or_else(RedisError::not_integer)?;
    let timeout = crate::num::parse_i64(&argv[2]).ok_or(RedisError::new(
        "ERR timeout is not an integer or out of range",
    ))?;
    if timeout < 0 {
        return Err(RedisError::new("ERR timeout is negative"));
    }
    if replicas <= 0 || !ctx.can_block() {
        return Ok(Reply::Integer(0));
    }
    let deadline = (timeout > 0).then(|| ctx.now().saturating_add(timeout));
    ctx.block(&[], deadline, Reply::Integer(0), argv);
    Ok(Reply::Integer(0))
}

#[cfg(test)]
mod tests {
    use super::idle_seconds;
    use crate::config::EvictionPolicy;
    use crate::{Engine, Reply, notify};

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    const START: i64 = 1_767_225_600_000;

    fn engine() -> (Engine, u64) {
        let mut engine = Engine::new();
        engine.set_time(START);
        let client = engine.connect();
        (engine, client)
    }

    /// The bulks of an array reply.
    fn bulks(reply: Reply) -> Vec<Vec<u8>> {
        match reply {
            Reply::Array(items) => items
                .into_iter()
                .map(|i| match i {
                    Reply::Bulk(b) => b.to_vec(),
                    other => panic!("not a bulk: {other:?}"),
                })
                .collect(),
            other => panic!("not an array: {other:?}"),
        }
    }

    /// KEYS answers in the keyspace table's order, bucket by bucket as Redis's iterator goes,
    /// not in the order the keys were set (Redis's own order follows its hash seed, random per
    /// process, so only this engine's can be checked).
    #[test]
    fn keys_answers_in_the_tables_order_not_the_order_of_insertion() {
        let build = || {
            let (mut e, c) = engine();
            for i in 0..10 {
                e.exec(c, &argv(&format!("SET k:{i} v")));
            }
            (e, c)
        };
        let (mut e, c) = build();
        let keys = bulks(e.exec(c, &argv("KEYS *")));
        let inserted: Vec<Vec<u8>> = (0..10).map(|i| format!("k:{i}").into_bytes()).collect();
        assert_ne!(keys, inserted);
        assert_eq!(keys, e.dbs[0].dict().keys_by_bucket());
        let mut each_once = keys.clone();
        each_once.sort();
        assert_eq!(each_once, inserted);
        // The same commands give the same order, run after run.
        let (mut again, c2) = build();
        assert_eq!(bulks(again.exec(c2, &argv("KEYS *"))), keys);
        // A pattern keeps the order; a key set where another was removed goes to its own
        // bucket, not to the removed key's place.
        let matching = bulks(e.exec(c, &argv("KEYS k:[2-7]")));
        let expected: Vec<Vec<u8>> = keys
            .iter()
            .filter(|k| (b'2'..=b'7').contains(&k[2]))
            .cloned()
            .collect();
        assert_eq!(matching, expected);
        e.exec(c, &argv("DEL k:0"));
        e.exec(c, &argv("SET k:new v"));
        let keys = bulks(e.exec(c, &argv("KEYS *")));
        assert_eq!(keys, e.dbs[0].dict().keys_by_bucket());
        assert_eq!(keys.len(), 10);
    }

    #[test]
    fn idle_time_counts_whole_seconds_on_a_wrapping_clock() {
        assert_eq!(idle_seconds(1_999, 2_000), 1);
        assert_eq!(idle_seconds(1_000, 1_999), 0);
        let wrap = (1i64 << 24) * 1000;
        assert_eq!(idle_seconds(wrap - 1000, wrap + 4000), 4);
    }

    #[test]
    fn object_idletime_and_freq_follow_the_policy() {
        let (mut e, c) = engine();
        e.exec(c, &argv("SET k v"));
        e.advance(3_500);
        assert_eq!(e.exec(c, &argv("OBJECT IDLETIME k")), Reply::Integer(3));
        assert!(e.exec(c, &argv("OBJECT FREQ k")).is_error());
        // OBJECT does not touch the key.
        assert_eq!(e.exec(c, &argv("OBJECT IDLETIME k")), Reply::Integer(3));
        e.exec(c, &argv("GET k"));
        assert_eq!(e.exec(c, &argv("OBJECT IDLETIME k")), Reply::Integer(0));

        e.config.maxmemory_policy = EvictionPolicy::AllKeysLfu;
        e.exec(c, &argv("SET f v"));
        assert_eq!(e.exec(c, &argv("OBJECT FREQ f")), Reply::Integer(5));
        assert_eq!(
            e.exec(c, &argv("OBJECT IDLETIME f")),
            Reply::error(
                "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
            )
        );
        assert_eq!(e.exec(c, &argv("OBJECT FREQ nokey")), Reply::Nil);
        // The first accesses raise the counter surely (probability 1 at the initial value).
        e.exec(c, &argv("GET f"));
        assert_eq!(e.exec(c, &argv("OBJECT FREQ f")), Reply::Integer(6));
        // The counter decays by one per `lfu-decay-time` minute without access.
        e.advance(3 * 60_000);
        assert_eq!(e.exec(c, &argv("OBJECT FREQ f")), Reply::Integer(3));
        // A copy starts afresh.
        e.exec(c, &argv("COPY f g"));
        assert_eq!(e.exec(c, &argv("OBJECT FREQ g")), Reply::Integer(5));
    }

    #[test]
    fn object_counts_hits_and_misses_without_touching() {
        let (mut e, c) = engine();
        e.exec(c, &argv("SET k v"));
        e.exec(c, &argv("OBJECT ENCODING k"));
        e.exec(c, &argv("OBJECT REFCOUNT nokey"));
        assert_eq!(e.stats().keyspace_hits, 1);
        assert_eq!(e.stats().keyspace_misses, 1);
    }

    #[test]
    fn hits_and_misses_follow_each_command_s_lookup_flags() {
        // The sequence and the counts after each step were read from redis-server 7.0's
        // `INFO stats`.
        let (mut e, c) = engine();
        e.exec(c, &argv("SET a 1"));
        let steps: &[(&str, u64, u64)] = &[
            ("EXISTS a nokey", 1, 1),
            ("TYPE a", 2, 1),
            ("TYPE nokey", 2, 2),
            ("TTL a", 3, 2),
            ("PTTL nokey", 3, 3),
            ("EXPIRETIME a", 4, 3),
            ("TOUCH a nokey", 5, 4),
            ("OBJECT ENCODING a", 6, 4),
            ("OBJECT FREQ nokey", 6, 5),
            ("COPY a b", 7, 5),
            ("COPY nokey b", 7, 6),
            ("RENAME a c", 7, 6),
            ("RENAMENX c d", 7, 6),
            ("MOVE d 1", 7, 6),
            ("EXPIRE b 100", 7, 6),
            ("PERSIST b", 7, 6),
            ("KEYS *", 7, 6),
            ("SCAN 0", 7, 6),
            ("RANDOMKEY", 7, 6),
            ("SCAN 0 TYPE string", 8, 6),
            ("DEL b", 8, 6),
            ("DBSIZE", 8, 6),
            ("GET nokey", 8, 7),
        ];
        for &(line, hits, misses) in steps {
            e.exec(c, &argv(line));
            let stats = e.stats();
            assert_eq!(
                (stats.keyspace_hits, stats.keyspace_misses),
                (hits, misses),
                "after {line}"
            );
        }
    }

    #[test]
    fn refcount_of_shared_integers_and_copies() {
        let (mut e, c) = engine();
        e.exec(c, &argv("SET a 9999"));
        e.exec(c, &argv("SET b 10000"));
        e.exec(c, &argv("SET n -1"));
        assert_eq!(
            e.exec(c, &argv("OBJECT REFCOUNT a")),
            Reply::Integer(2_147_483_647)
        );
        assert_eq!(e.exec(c, &argv("OBJECT REFCOUNT b")), Reply::Integer(1));
        assert_eq!(e.exec(c, &argv("OBJECT REFCOUNT n")), Reply::Integer(1));
        e.exec(c, &argv("COPY a a2"));
        assert_eq!(e.exec(c, &argv("OBJECT REFCOUNT a2")), Reply::Integer(1));
        e.exec(c, &argv("RENAME a2 a3"));
        assert_eq!(e.exec(c, &argv("OBJECT REFCOUNT a3")), Reply::Integer(1));
    }

    /// Subscribes a second client to every keyevent channel and returns a function reading
    /// the events it received as `(event, key)`.
    fn listen(e: &mut Engine) -> u64 {
        e.config.notify_keyspace_events =
            notify::KEYEVENT | notify::GENERIC | notify::EXPIRED | notify::NEW | notify::KEY_MISS;
        let listener = e.connect();
        e.pubsub.add_pattern(b"__keyevent@*", listener);
        listener
    }

    fn heard(e: &mut Engine, listener: u64) -> Vec<String> {
        e.take_output(listener)
            .into_iter()
            .map(|push| match push {
                Reply::Push(parts) | Reply::Array(parts) => match parts.as_slice() {
                    [_, _, Reply::Bulk(channel), Reply::Bulk(key)] => format!(
                        "{} {}",
                        String::from_utf8_lossy(channel),
                        String::from_utf8_lossy(key)
                    ),
                    other => format!("{other:?}"),
                },
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn notifications_are_redis_s() {
        let (mut e, c) = engine();
        let l = listen(&mut e);
        for line in [
            "SET a 1",
            "SET b 2",
            "DEL a nokey",
            "RENAME b c",
            "SET x 1",
            "RENAME c x",
            "RENAMENX x x",
            "MOVE x 1",
            "SELECT 1",
            "COPY x y DB 0",
            "COPY x y DB 0 REPLACE",
            "UNLINK x",
        ] {
            e.exec(c, &argv(line));
        }
        assert_eq!(
            heard(&mut e, l),
            [
                "__keyevent@0__:new a",
                "__keyevent@0__:new b",
                "__keyevent@0__:del a",
                "__keyevent@0__:new c",
                "__keyevent@0__:rename_from b",
                "__keyevent@0__:rename_to c",
                "__keyevent@0__:new x",
                "__keyevent@0__:new x",
                "__keyevent@0__:rename_from c",
                "__keyevent@0__:rename_to x",
                "__keyevent@1__:new x",
                "__keyevent@0__:move_from x",
                "__keyevent@1__:move_to x",
                "__keyevent@0__:new y",
                "__keyevent@0__:copy_to y",
                "__keyevent@0__:new y",
                "__keyevent@0__:copy_to y",
                "__keyevent@1__:del x",
            ]
        );
        // Misses notify, except OBJECT's; SCAN, KEYS, FLUSHDB and SWAPDB send nothing per key.
        for line in [
            "EXISTS m",
            "TYPE m",
            "TOUCH m",
            "OBJECT ENCODING m",
            "SET s 1",
            "SCAN 0",
            "KEYS *",
            "SWAPDB 0 1",
            "FLUSHDB",
            "FLUSHALL",
        ] {
            e.exec(c, &argv(line));
        }
        assert_eq!(
            heard(&mut e, l),
            [
                "__keyevent@1__:keymiss m",
                "__keyevent@1__:keymiss m",
                "__keyevent@1__:keymiss m",
                "__keyevent@1__:new s",
            ]
        );
    }

    #[test]
    fn expire_notifications_are_redis_s() {
        let (mut e, c) = engine();
        let l = listen(&mut e);
        for line in [
            "SET k v",
            "EXPIRE k 100",
            "EXPIRE k 50 GT",
            "PERSIST k",
            "PERSIST k",
            "EXPIRE k 0",
            "SET k v",
            "PEXPIRE k 10",
        ] {
            e.exec(c, &argv(line));
        }
        // Move the clock without the active expiry: the next read finds the key expired.
        e.now_ms += 11;
        e.exec(c, &argv("EXISTS k"));
        assert_eq!(
            heard(&mut e, l),
            [
                "__keyevent@0__:new k",
                "__keyevent@0__:expire k",
                "__keyevent@0__:persist k",
                "__keyevent@0__:del k",
                "__keyevent@0__:new k",
                "__keyevent@0__:expire k",
                "__keyevent@0__:expired k",
                "__keyevent@0__:keymiss k",
            ]
        );
    }

    #[test]
    fn scan_keys_and_randomkey_skip_expired_keys() {
        let (mut e, c) = engine();
        for line in ["SET live v", "SET gone v", "PEXPIRE gone 100"] {
            e.exec(c, &argv(line));
        }
        // Move the clock without the active expiry, as if the key were not reached yet.
        e.now_ms += 101;
        assert_eq!(e.exec(c, &argv("KEYS *")), Reply::bulks([b"live"]));
        assert_eq!(e.db_len(0), 2, "KEYS leaves expired keys in place");
        assert_eq!(
            e.exec(c, &argv("SCAN 0 COUNT 100")),
            Reply::Array(vec![Reply::bulk(b"0"), Reply::bulks([b"live"])])
        );
        assert_eq!(e.db_len(0), 1, "SCAN removes them");
        assert_eq!(e.stats().expired_keys, 1);

        // RANDOMKEY removes expired keys as it draws them, and ends on an all-expired database.
        for i in 0..50 {
            e.exec(c, &argv(&format!("SET k{i} v")));
            e.exec(c, &argv(&format!("PEXPIRE k{i} 10")));
        }
        e.exec(c, &argv("DEL live"));
        e.now_ms += 11;
        assert_eq!(e.exec(c, &argv("RANDOMKEY")), Reply::Nil);
        assert_eq!(e.db_len(0), 0);
    }

    #[test]
    fn scan_type_counts_lookups_and_returns_keys_it_expired_for_none() {
        let (mut e, c) = engine();
        for line in ["SET a v", "SET b v", "PEXPIRE b 100"] {
            e.exec(c, &argv(line));
        }
        e.now_ms += 101;
        let reply = e.exec(c, &argv("SCAN 0 COUNT 100 TYPE none"));
        assert_eq!(
            reply,
            Reply::Array(vec![Reply::bulk(b"0"), Reply::bulks([b"b"])])
        );
        assert_eq!(e.stats().keyspace_hits, 1);
        assert_eq!(e.stats().keyspace_misses, 1);
        assert_eq!(e.db_len(0), 1);
    }

    #[test]
    fn a_key_lives_through_its_expire_time_and_dies_just_after() {
        let (mut e, c) = engine();
        e.exec(c, &argv("SET k v"));
        e.exec(c, &argv("PEXPIRE k 100"));
        e.advance(100);
        assert_eq!(e.exec(c, &argv("PTTL k")), Reply::Integer(0));
        assert_eq!(e.exec(c, &argv("TTL k")), Reply::Integer(0));
        e.advance(1);
        assert_eq!(e.exec(c, &argv("PTTL k")), Reply::Integer(-2));
        assert_eq!(e.stats().expired_keys, 1);
    }

    #[test]
    fn rename_move_and_copy_keep_or_set_expire_times() {
        let (mut e, c) = engine();
        for line in [
            "SET a v",
            "PEXPIREAT a 32503680000000",
            "SET b w",
            "PEXPIREAT b 32503680001000",
            "RENAME a b",
        ] {
            e.exec(c, &argv(line));
        }
        assert_eq!(
            e.exec(c, &argv("PEXPIRETIME b")),
            Reply::Integer(32_503_680_000_000)
        );
        e.exec(c, &argv("COPY b c DB 3"));
        e.exec(c, &argv("MOVE b 2"));
        e.exec(c, &argv("SELECT 3"));
        assert_eq!(
            e.exec(c, &argv("PEXPIRETIME c")),
            Reply::Integer(32_503_680_000_000)
        );
        e.exec(c, &argv("SELECT 2"));
        assert_eq!(
            e.exec(c, &argv("PEXPIRETIME b")),
            Reply::Integer(32_503_680_000_000)
        );
        assert_eq!(e.dbs[2].volatile_len(), 1);
        assert_eq!(e.dbs[0].volatile_len(), 0);
    }
}
