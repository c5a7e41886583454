//! DEBUG: Redis's testing aids. SLEEP moves the virtual clock, RELOAD saves and reloads an RDB
//! file, POPULATE creates keys in bulk, PROTOCOL answers a test value of each reply type,
//! SET-ACTIVE-EXPIRE turns the server's own expiry off and on, DIGEST and DIGEST-VALUE sign the
//! data as Redis does, CHANGE-REPL-ID draws a new replication ID; ERROR, LOG, OBJECT and HELP
//! as in Redis. Every other subcommand of Redis's help answers its unknown-subcommand error.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::command::Ctx;
use crate::commands::args;
use crate::commands::scripting::sha1::sha1;
use crate::cstr::{atoi, c_eq_ignore_case, c_str, strtod};
use crate::errors::{CmdResult, RedisError};
use crate::keyspace::sds::Sds;
use crate::keyspace::stream::StreamId;
use crate::keyspace::value::{EMBSTR_SIZE_LIMIT, StrValue};
use crate::keyspace::{Dict, Entry, Value};
use crate::memory::{OOM, alloc_size, sds_size};
use crate::num::{format_double, format_i64_into, parse_i64};
use crate::rdb;
use crate::reply::Reply;

/// Redis's `DEBUG HELP` lines (its reply, kept verbatim; of these subcommands only
/// `CHANGE-REPL-ID`, `DIGEST`, `DIGEST-VALUE`, `ERROR`, `LOG`, `OBJECT`, `POPULATE`,
/// `PROTOCOL`, `RELOAD`, `SET-ACTIVE-EXPIRE` and `SLEEP` are implemented here).
const DEBUG_HELP: &[&str] = &[
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid>",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key>",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "MALLCTL <key> [<val>]",
    "    Get or set a malloc tuning integer.",
    "MALLCTL-STR <key> [<val>]",
    "    Get or set a malloc tuning string.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different Redis core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
];

/// Testing aids. `SLEEP seconds` (decimals allowed, read as C's `strtod`) moves the virtual
/// clock forward at once, expiring what falls due; `ERROR message` answers that error;
/// `LOG message` is accepted (there is no server log); `RELOAD [option ...]` saves an RDB file
/// and loads it back (see `debug_reload`); `POPULATE count [prefix] [size]` creates string keys
/// (see `debug_populate`); `PROTOCOL type` answers a test value of a reply type (see
/// `debug_protocol`); `SET-ACTIVE-EXPIRE 0|1` turns off or on the removal of keys as the clock
/// moves (read as C's `atoi`: anything but a number is 0); `DIGEST` and `DIGEST-VALUE key ...`
/// answer Redis's signatures of the dataset and of values (see `debug_digest`);
/// `CHANGE-REPL-ID` draws a new replication ID (`INFO replication`); `HELP` lists Redis's
/// subcommands. As in Redis, a known
/// subcommand given a wrong number of arguments answers the unknown-subcommand error.
///
/// `DEBUG subcommand [arg [arg ...]]`
pub fn debug_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let command = argv.first().map_or(&[][..], Vec::as_slice);
    let sub = argv.get(1).map_or(&[][..], Vec::as_slice);
    let arg = argv.get(2).map_or(&[][..], Vec::as_slice);
    let is = |name: &[u8]| c_eq_ignore_case(sub, name);
    match argv.len() {
        2 if is(b"help") => Ok(args::help_reply(command, DEBUG_HELP)),
        3 if is(b"sleep") => {
            ctx.engine.advance(sleep_ms(arg));
            Ok(Reply::ok())
        }
        3 if is(b"error") => {
            let message = String::from_utf8_lossy(arg);
            Ok(Reply::Error(Cow::Owned(crate::errors::sanitize(
                message.into_owned(),
            ))))
        }
        3 if is(b"log") => Ok(Reply::ok()),
        3 if is(b"object") => debug_object(ctx, arg),
        _ if is(b"reload") => debug_reload(ctx, argv.get(2..).unwrap_or_default()),
        3..=5 if is(b"populate") => debug_populate(ctx, argv),
        3 if is(b"protocol") => debug_protocol(ctx, arg),
        3 if is(b"set-active-expire") => {
            ctx.engine.active_expire = atoi(arg) != 0;
            Ok(Reply::ok())
        }
        2 if is(b"digest") => Ok(debug_digest(ctx)),
        _ if is(b"digest-value") => Ok(debug_digest_value(ctx, argv.get(2..).unwrap_or_default())),
        2 if is(b"change-repl-id") => {
            ctx.engine.repl_id = Some(random_hex_id(&mut ctx.engine.rng));
            Ok(Reply::ok())
        }
        _ => {
            let shown = c_str(sub);
            let shown = shown.get(..128).unwrap_or(shown);
            Err(RedisError::owned(format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
                String::from_utf8_lossy(shown),
                String::from_utf8_lossy(command).to_ascii_uppercase()
            )))
        }
    }
}

/// 40 random hexadecimal digits from the engine's seeded generator, as Redis's
/// `changeReplicationId` draws a replication ID (`getRandomHexChars`).
fn random_hex_id(rng: &mut crate::rng::Rng) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (0..40)
        .map(|_| {
            char::from(
                HEX.get((rng.next_u64() & 15) as usize)
                    .copied()
                    .unwrap_or(b'0'),
            )
        })
        .collect()
}

/// `DEBUG OBJECT key`: Redis's one-line description of a value (its address is made up: the
/// engine has no pointers to show). The key is read without expiring, counting or touching it.
fn debug_object(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    const LRU_CLOCK_MAX: i64 = (1 << 24) - 1;
    let now = ctx.now();
    let compress = ctx.engine.config.rdbcompression;
    let depth = ctx.engine.config.list_compress_depth;
    let lfu = ctx.engine.config.maxmemory_policy.is_lfu();
    let exec = ctx.running_exec();
    let Some(entry) = ctx.db().peek(key) else {
        return Err(RedisError::no_such_key());
    };
    // The object's 24-bit access field: LRU clock seconds, or LFU minutes and counter.
    let lru = if lfu {
        (i64::from(entry.lfu_minutes) << 8) | i64::from(entry.lfu_counter)
    } else {
        entry.lru_ms.div_euclid(1000) & LRU_CLOCK_MAX
    };
    let clock = now.div_euclid(1000) & LRU_CLOCK_MAX;
    let idle = if clock >= lru {
        clock - lru
    } else {
        clock + (LRU_CLOCK_MAX - lru)
    };
    // The RDB payload less its type byte, RDB version and checksum.
    let serialized = crate::rdb::dump_payload(&entry.value, compress)
        .len()
        .saturating_sub(11);
    let address = key.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) & 0xf_fff0;
    let mut line = format!(
        "Value at:0x7f3d61{address:06x} refcount:{} encoding:{} serializedlength:{serialized} lru:{lru} lru_seconds_idle:{idle}",
        entry.refcount(exec),
        entry.value.encoding_name(),
    );
    if let crate::keyspace::Value::List(list) = &entry.value {
        let fill = list.fill();
        let nodes = crate::rdb::listpack::quicklist_nodes(list.iter(), fill);
        let bytes: usize = nodes.iter().map(crate::rdb::listpack::Listpack::size).sum();
        let avg = list.len() as f64 / nodes.len().max(1) as f64;
        let _ = write!(
            line,
            " ql_nodes:{} ql_avg_node:{avg:.2} ql_listpack_max:{fill} ql_compressed:{} ql_uncompressed_size:{bytes}",
            nodes.len(),
            i32::from(depth != 0),
        );
    }
    Ok(Reply::Status(Cow::Owned(line)))
}

/// `DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]`: saves every database as an RDB file (the
/// engine's [`Engine::rdb_file`](crate::Engine::rdb_file)), empties them, and loads the file
/// back, as Redis's save, `emptyData` and `rdbLoad`: values, encodings (as loading gives them),
/// expire times survive; keys whose time has passed are not loaded; access data is what the
/// file records (nothing under the default policy: idle times restart at 0). `NOSAVE` loads the
/// file last saved (an error when there is none, after emptying the databases, as Redis does);
/// `NOFLUSH` keeps the current keys; `MERGE` lets the file's keys replace them. Where Redis would
/// stop the server (a key of the file already present without `MERGE`) the load is refused and
/// the databases are left as they were.
fn debug_reload(ctx: &mut Ctx<'_>, options: &[Vec<u8>]) -> CmdResult {
    let (mut merge, mut flush, mut save) = (false, true, true);
    for option in options {
        if c_eq_ignore_case(option, b"merge") {
            merge = true;
        } else if c_eq_ignore_case(option, b"noflush") {
            flush = false;
        } else if c_eq_ignore_case(option, b"nosave") {
            save = false;
        } else {
            return Err(RedisError::new(
                "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
            ));
        }
    }
    if save {
        let file = rdb::save_database(ctx.engine);
        ctx.engine.set_rdb_file(Some(file));
    }
    if flush {
        for db in 0..ctx.engine.dbs.len() {
            ctx.engine.touch_all_watched_keys_in_db(db, None);
        }
        ctx.engine.tracking_flush();
        for db in &mut ctx.engine.dbs {
            db.clear();
        }
        // Redis's emptyData: the functions go too (the file has them).
        ctx.engine.functions.clear();
    }
    let load_error = || RedisError::new("ERR Error trying to load the RDB dump");
    let file = ctx.engine.rdb_file.take().ok_or_else(load_error)?;
    let result = crate::lazy::load_database_with(ctx.engine, &file, rdb::LoadOptions { merge });
    ctx.engine.rdb_file = Some(file);
    result.map_err(|_| load_error())?;
    Ok(Reply::ok())
}

/// How long `DEBUG SLEEP seconds` sleeps, in whole milliseconds (rounded up: the sleep lasts at
/// least that long). Redis converts `seconds * 1e6` to a C `long long` and `nanosleep`s it: a
/// negative or unrepresentable duration (`-1`, `inf`, `nan`) fails to sleep at all.
fn sleep_ms(arg: &[u8]) -> i64 {
    let micros = strtod(arg) * 1_000_000.0;
    // Below 2^63 (`i64::MAX as f64` rounds to it exactly) the C conversion is defined; x86
    // gives LLONG_MIN (negative) elsewhere, and NaN is in no range.
    if !(0.0..i64::MAX as f64).contains(&micros) {
        return 0;
    }
    let micros = micros as i64;
    micros / 1000 + i64::from(micros % 1000 != 0)
}

/// The longest name DEBUG POPULATE gives a key: Redis formats it into a 128-byte buffer.
const NAME_MAX: usize = 127;

/// `sizeof(robj)` and `sizeof(dictEntry)`, as `crate::memory` counts a string key.
const ROBJ: usize = 16;
const DICT_ENTRY: u64 = 24;

/// A count or size as `getPositiveLongFromObjectOrReply` reads it (a C `long`, 0 or more; one
/// error for both a non-integer and a negative number).
fn positive_long(arg: &[u8]) -> Result<u64, RedisError> {
    parse_i64(arg)
        .and_then(|n| u64::try_from(n).ok())
        .ok_or(RedisError::new(
            "ERR value is out of range, must be positive",
        ))
}

/// The decimal digits of `j` (below 2^63: a C `long` that is not negative).
fn decimal(j: u64, buf: &mut [u8; 20]) -> &[u8] {
    format_i64_into(i64::try_from(j).unwrap_or(i64::MAX), buf)
}

/// Writes into `buf` the name of key `j`: `<prefix>:<j>`, cut to [`NAME_MAX`] bytes.
fn populate_name(buf: &mut Vec<u8>, prefix: &[u8], j: u64) {
    let mut digits = [0u8; 20];
    buf.clear();
    buf.extend_from_slice(prefix.get(..NAME_MAX).unwrap_or(prefix));
    buf.push(b':');
    buf.extend_from_slice(decimal(j, &mut digits));
    buf.truncate(NAME_MAX);
}

/// How many different names keys 0 to `count − 1` get. Once cut to 127 bytes, the name of a
/// key `j` with more digits than fit after the prefix (r of them) is that of the number its
/// first r digits make, a smaller key's: only the first 10^r names differ.
fn distinct_names(prefix_len: usize, count: u64) -> u64 {
    let room = NAME_MAX.saturating_sub(prefix_len.saturating_add(1));
    let fitting = u32::try_from(room)
        .ok()
        .and_then(|r| 10u64.checked_pow(r))
        .unwrap_or(u64::MAX);
    count.min(fitting)
}

/// The value of key `j`: `value:<j>`, or with a size (not 0), exactly that many bytes of it,
/// cut or padded with NUL bytes. Made as `createStringObject` makes it (`embstr` up to 44
/// bytes, else `raw`, never an integer). A size the host cannot allocate answers the OOM error.
fn populate_value(j: u64, size: u64) -> Result<Value, RedisError> {
    let mut digits = [0u8; 20];
    let digits = decimal(j, &mut digits);
    let bytes = if size == 0 {
        let mut bytes = Vec::with_capacity(6 + digits.len());
        bytes.extend_from_slice(b"value:");
        bytes.extend_from_slice(digits);
        bytes
    } else {
        let size = usize::try_from(size).map_err(|_| OOM)?;
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(size).map_err(|_| OOM)?;
        let text = b"value:".iter().chain(digits).take(size);
        bytes.extend(text);
        bytes.resize(size, 0);
        bytes
    };
    Ok(Value::String(StrValue::plain(bytes)))
}

/// What a new key adds to the engine's memory estimate (`crate::memory`): its table entry,
/// the `sds` of its name, and its value as `createStringObject` makes it.
fn populate_key_cost(name_len: usize, value_len: u64) -> u64 {
    let value = match usize::try_from(value_len) {
        Ok(len) if len <= EMBSTR_SIZE_LIMIT => alloc_size(ROBJ + 3 + len + 1),
        Ok(len) if len <= usize::MAX / 4 => ROBJ.saturating_add(Sds::fresh(len).usable(len)),
        _ => return u64::MAX,
    };
    DICT_ENTRY
        .saturating_add(sds_size(name_len) as u64)
        .saturating_add(value as u64)
}

/// The buckets the selected database's table has after a POPULATE of `count` keys that leaves
/// `len` keys in it: sized for `count` (see [`crate::keyspace::Dict::expand_target`]), doubled
/// as keys come, then shrunk if more than 90 % empty.
fn buckets_after(dict: &Dict<Entry>, count: u64, len: u64) -> u64 {
    let sized = dict.expand_target(count).unwrap_or(dict.buckets()) as u64;
    let grown = len.checked_next_power_of_two().unwrap_or(u64::MAX);
    let buckets = sized.max(grown);
    if buckets > 4 && len.saturating_mul(10) < buckets {
        grown.max(4)
    } else {
        buckets
    }
}

/// The memory guard of DEBUG POPULATE (a deliberate difference, see the README): with
/// `maxmemory` set, a POPULATE whose new keys alone (their names, values and table entries, and
/// the buckets the table gains) would take more than the whole limit, by the engine's estimate,
/// is refused with the OOM error before anything is created. Redis checks memory only before a
/// command, and would create them all.
fn check_populate_memory(
    ctx: &mut Ctx<'_>,
    prefix: &[u8],
    count: u64,
    distinct: u64,
    size: u64,
) -> Result<(), RedisError> {
    let limit = ctx.engine.config.maxmemory;
    let now = ctx.now();
    let db = ctx.db();
    let digits = |j: u64| j.checked_ilog10().map_or(1, |d| d as usize + 1);
    let cost = |j: u64| {
        let name_len = prefix.len().saturating_add(1 + digits(j)).min(NAME_MAX);
        let value_len = if size == 0 {
            6 + digits(j) as u64
        } else {
            size
        };
        populate_key_cost(name_len, value_len)
    };
    let (keys, buckets) = (db.len() as u64, db.dict().buckets() as u64);
    // At least this many names are new, and no key costs less than the first: a count far too
    // large is refused without looking at its names.
    let surely_new = distinct.saturating_sub(keys);
    if surely_new.saturating_mul(cost(0)) > limit {
        return Err(OOM);
    }
    // Now `distinct` is at most the keys there plus what the limit holds: count exactly.
    let (mut bytes, mut new) = (0u64, 0u64);
    let mut name = Vec::with_capacity(NAME_MAX + 1);
    for j in 0..distinct {
        populate_name(&mut name, prefix, j);
        // A key whose time has passed is deleted and made again.
        if db.peek(&name).is_some_and(|e| !e.is_expired(now)) {
            continue;
        }
        new += 1;
        bytes = bytes.saturating_add(cost(j));
        if bytes > limit {
            return Err(OOM);
        }
    }
    let table = buckets_after(db.dict(), count, keys.saturating_add(new))
        .saturating_sub(buckets)
        .saturating_mul(8);
    if bytes.saturating_add(table) > limit {
        return Err(OOM);
    }
    Ok(())
}

/// Sizes the selected database's table for `count` keys, as Redis's `dictExpand`.
fn expand_keyspace(ctx: &mut Ctx<'_>, count: u64) {
    ctx.engine.note_db_in_use(ctx.db);
    ctx.db().expand(count);
}

/// Creates `count` string keys, `<prefix>:<j>` for j from 0 (`key` by default), each holding
/// `value:<j>` or, with a size, exactly that many bytes of it, cut or padded with NUL bytes;
/// names are cut to 127 bytes. A key that exists is left as it is (looked up for writing: one
/// whose time has passed is deleted first, and made again). The table is first sized for
/// `count` keys (`dictExpand`). Each new key sends the `new` notification, breaks the `WATCH`es
/// on it and invalidates it for tracking clients, as Redis's `dbAdd` and `signalModifiedKey`; as
/// in Redis the change counter does not move and nothing is propagated (to the append-only
/// file). Each is logged as a write. With `maxmemory` set, keys that would take more than the
/// whole limit are refused first (see [`check_populate_memory`]).
///
/// `DEBUG POPULATE count [prefix] [size]`
fn debug_populate(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let count = positive_long(argv.get(2).map_or(&[][..], Vec::as_slice))?;
    // The prefix is read as a C string.
    let prefix = argv.get(3).map_or(&b"key"[..], |p| c_str(p));
    let size = match argv.get(4).map(|s| positive_long(s)).transpose() {
        Ok(size) => size.unwrap_or(0),
        Err(e) => {
            // Redis sizes the table before it reads the size (a table left more than 90 %
            // empty is shrunk again at once: see below).
            expand_keyspace(ctx, count);
            ctx.db().shrink_if_sparse();
            return Err(e);
        }
    };
    // The names of keys past the first `distinct` repeat earlier ones, which exist by then:
    // Redis would only look them up again (which, under an LFU policy, may raise their access
    // counters; the engine spares itself those lookups, possibly billions).
    let distinct = distinct_names(prefix.len(), count);
    if ctx.engine.config.maxmemory != 0 {
        check_populate_memory(ctx, prefix, count, distinct, size)?;
    }
    expand_keyspace(ctx, count);
    let mut name = Vec::with_capacity(NAME_MAX + 1);
    for j in 0..distinct {
        populate_name(&mut name, prefix, j);
        if ctx.write(&name).is_some() {
            continue;
        }
        let value = populate_value(j, size)?;
        ctx.add_unsignalled(&name, value);
        ctx.engine.signal_modified_key(ctx.client, ctx.db, &name);
    }
    // A table sized for more keys than the names gave (cut to the same 127 bytes) is shrunk
    // at once, where Redis's `serverCron` does it within its next tick.
    ctx.db().shrink_if_sparse();
    Ok(Reply::ok())
}

/// DEBUG PROTOCOL's double: Redis's test value, which merely resembles π.
#[allow(clippy::approx_constant)]
const PROTOCOL_DOUBLE: f64 = 3.141;

/// `DEBUG PROTOCOL type`: a test value of each reply type, as Redis answers it; a RESP2
/// connection receives them as RESP2 writes them (a double as a bulk string, a map as a flat
/// array, booleans as 1 and 0). `push` answers a push message and then a reply of its own on a
/// RESP3 connection, an error on RESP2. Two RESP3 forms have no shape among the engine's
/// replies: `bignum` answers its digits as a bulk string (RESP2's form, where Redis writes a
/// RESP3 big number) and `attrib` only the reply that follows Redis's attribute.
fn debug_protocol(ctx: &mut Ctx<'_>, name: &[u8]) -> CmdResult {
    let is = |type_name: &[u8]| c_eq_ignore_case(name, type_name);
    let numbers = || (0..3).map(Reply::Integer).collect::<Vec<_>>();
    Ok(if is(b"string") {
        Reply::bulk(b"Hello World")
    } else if is(b"integer") {
        Reply::Integer(12345)
    } else if is(b"double") {
        Reply::Double(PROTOCOL_DOUBLE)
    } else if is(b"bignum") {
        Reply::bulk(b"1234567999999999999999999999999999999")
    } else if is(b"null") {
        Reply::Nil
    } else if is(b"array") {
        Reply::Array(numbers())
    } else if is(b"set") {
        Reply::Set(numbers())
    } else if is(b"map") {
        Reply::Map(
            (0..3)
                .map(|j| (Reply::Integer(j), Reply::Bool(j == 1)))
                .collect(),
        )
    } else if is(b"attrib") {
        Reply::bulk(b"Some real reply following the attribute")
    } else if is(b"push") {
        if !ctx.resp3() {
            return Err(RedisError::new(
                "ERR RESP2 is not supported by this command",
            ));
        }
        ctx.emit(Reply::Push(vec![
            Reply::bulk(b"server-cpu-usage"),
            Reply::Integer(42),
        ]));
        Reply::bulk(b"Some real reply following the push reply")
    } else if is(b"true") {
        Reply::Bool(true)
    } else if is(b"false") {
        Reply::Bool(false)
    } else if is(b"verbatim") {
        Reply::Verbatim("txt", b"This is a verbatim\nstring".to_vec())
    } else {
        return Err(RedisError::new(
            "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
        ));
    })
}

/// A 20-byte SHA-1 state of `DEBUG DIGEST`.
type Digest = [u8; 20];

/// Redis's `xorDigest`: xors the SHA-1 of `data` into `digest`, so that the order in which
/// elements are added does not matter.
fn xor_digest(digest: &mut Digest, data: &[u8]) {
    for (d, h) in digest.iter_mut().zip(sha1(data)) {
        *d ^= h;
    }
}

/// Redis's `mixDigest`: `digest = SHA1(digest xor SHA1(data))`, so that order matters.
fn mix_digest(digest: &mut Digest, data: &[u8]) {
    xor_digest(digest, data);
    *digest = sha1(digest);
}

/// An element's own digest (a field and its value, a member and its score), xored into the
/// value's: Redis's `eledigest`.
fn xor_pair_digest(digest: &mut Digest, first: &[u8], second: &[u8]) {
    let mut pair = [0u8; 20];
    mix_digest(&mut pair, first);
    mix_digest(&mut pair, second);
    xor_digest(digest, &pair);
}

/// Redis's `xorObjectDigest`: mixes a value's type, its contents (a string's bytes, a list's
/// or a stream's elements in order, the members of a set, the fields of a hash and the members
/// of a sorted set in any order, every element as its string form, scores as `%.17g`) and
/// whether it has an expire time into `digest`. Encodings do not matter: integers are digested
/// as their decimal form, as Redis decodes them.
fn value_digest(digest: &mut Digest, entry: &Entry) {
    // Redis's OBJ_STRING, OBJ_LIST, OBJ_SET, OBJ_ZSET, OBJ_HASH and OBJ_STREAM.
    let type_code: u32 = match &entry.value {
        Value::String(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    };
    mix_digest(digest, &type_code.to_be_bytes());
    match &entry.value {
        Value::String(s) => mix_digest(digest, &s.bytes),
        Value::List(list) => {
            for element in list.iter() {
                mix_digest(digest, element);
            }
        }
        Value::Set(set) => {
            for member in set.iter() {
                xor_digest(digest, &member);
            }
        }
        Value::ZSet(zset) => {
            for (member, score) in zset.iter() {
                xor_pair_digest(digest, member, format_double(score).as_bytes());
            }
        }
        Value::Hash(hash) => {
            for (field, value) in hash.iter() {
                xor_pair_digest(digest, field, value);
            }
        }
        Value::Stream(stream) => {
            for item in stream.range(StreamId::MIN, StreamId::MAX, false, 0) {
                mix_digest(digest, format!("{}.{}", item.id.ms, item.id.seq).as_bytes());
                for part in &item.fields {
                    mix_digest(digest, part);
                }
            }
        }
    }
    if entry.expire_at().is_some() {
        xor_digest(digest, b"!!expire!!");
    }
}

/// A digest as 40 lowercase hexadecimal digits, in a status reply.
fn digest_reply(digest: &Digest) -> Reply {
    let mut hex = String::with_capacity(40);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    Reply::Status(Cow::Owned(hex))
}

/// `DEBUG DIGEST`: Redis's `computeDatasetDigest`, a signature of every database's keys,
/// values and expire flags (keys whose time has passed included), the same whatever order keys,
/// set members or hash fields are stored in, and whatever their encodings; all zeros for an
/// empty dataset. Each database that holds keys mixes its number in, then the digest of each
/// key (its name mixed with its value's digest) is xored in.
fn debug_digest(ctx: &mut Ctx<'_>) -> Reply {
    let mut total: Digest = [0; 20];
    for (index, db) in ctx.engine.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix_digest(
            &mut total,
            &u32::try_from(index).unwrap_or(u32::MAX).to_be_bytes(),
        );
        for (key, entry) in db.dict().iter() {
            let mut digest: Digest = [0; 20];
            mix_digest(&mut digest, key);
            value_digest(&mut digest, entry);
            xor_digest(&mut total, &digest);
        }
    }
    digest_reply(&total)
}

/// `DEBUG DIGEST-VALUE key ...`: the digest of each key's value (see [`value_digest`]; the
/// key's name is not part of it), all zeros for a missing key. Keys are read without expiring,
/// counting or touching them.
fn debug_digest_value(ctx: &mut Ctx<'_>, keys: &[Vec<u8>]) -> Reply {
    let db = ctx.db();
    Reply::Array(
        keys.iter()
            .map(|key| {
                let mut digest: Digest = [0; 20];
                if let Some(entry) = db.peek(key) {
                    value_digest(&mut digest, entry);
                }
                digest_reply(&digest)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn debug_reload_without_a_file_empties_then_fails() {
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.exec(client, &argv("SET k v"));
        assert_eq!(
            engine.exec(client, &argv("DEBUG RELOAD NOSAVE")),
            Reply::error("ERR Error trying to load the RDB dump")
        );
        assert_eq!(engine.db_len(0), 0, "emptied first, as Redis does");
        assert!(engine.rdb_file().is_none());
        // NOFLUSH keeps the data when there is nothing to load.
        engine.exec(client, &argv("SET k v"));
        engine.exec(client, &argv("DEBUG RELOAD NOSAVE NOFLUSH"));
        assert_eq!(engine.db_len(0), 1);
    }

    #[test]
    fn debug_reload_refuses_a_file_clashing_with_kept_keys() {
        // Redis stops the server on a duplicate key; here the load is refused whole.
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.exec(client, &argv("SET k v"));
        engine.exec(client, &argv("DEBUG RELOAD"));
        engine.exec(client, &argv("SET k changed"));
        engine.exec(client, &argv("SET other 1"));
        assert_eq!(
            engine.exec(client, &argv("DEBUG RELOAD NOSAVE NOFLUSH")),
            Reply::error("ERR Error trying to load the RDB dump")
        );
        assert_eq!(engine.exec(client, &argv("GET k")), Reply::bulk(b"changed"));
        assert_eq!(engine.db_len(0), 2);
        assert!(engine.rdb_file().is_some(), "the file stays");
        assert_eq!(
            engine.exec(client, &argv("DEBUG RELOAD NOSAVE NOFLUSH MERGE")),
            Reply::ok()
        );
        assert_eq!(engine.exec(client, &argv("GET k")), Reply::bulk(b"v"));
        assert_eq!(engine.db_len(0), 2);
    }

    #[test]
    fn debug_reload_keeps_access_data_as_the_policy_records_it() {
        let mut engine = Engine::new();
        engine.set_time(1_767_225_600_000);
        let client = engine.connect();
        engine.exec(client, &argv("SET k v"));
        engine.advance(30_000);
        assert_eq!(
            engine.exec(client, &argv("OBJECT IDLETIME k")),
            Reply::Integer(30)
        );
        // No policy that looks at access data: idle times restart.
        engine.exec(client, &argv("DEBUG RELOAD"));
        assert_eq!(
            engine.exec(client, &argv("OBJECT IDLETIME k")),
            Reply::Integer(0)
        );
        // Under an LRU policy the file records them.
        engine.config.maxmemory_policy = crate::EvictionPolicy::AllKeysLru;
        engine.advance(30_000);
        engine.exec(client, &argv("DEBUG RELOAD"));
        assert_eq!(
            engine.exec(client, &argv("OBJECT IDLETIME k")),
            Reply::Integer(30)
        );
        // Under an LFU policy, the counters.
        engine.config.maxmemory_policy = crate::EvictionPolicy::AllKeysLfu;
        let minutes = crate::keyspace::minutes(engine.now_ms());
        if let Some(entry) = engine.dbs[0].peek_mut(b"k") {
            entry.lfu_counter = 100;
            entry.lfu_minutes = minutes;
        }
        engine.exec(client, &argv("DEBUG RELOAD"));
        assert_eq!(
            engine.exec(client, &argv("OBJECT FREQ k")),
            Reply::Integer(100)
        );
    }

    #[test]
    fn debug_sleep_moves_the_clock() {
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.set_time(1_000_000);
        for (seconds, ms) in [
            ("0", 0),
            ("0.2", 200),
            ("1.5", 1500),
            ("0.0001", 1),
            ("2abc", 2000),
            ("abc", 0),
            ("-1", 0),
            ("inf", 0),
            ("nan", 0),
            ("1e-3", 1),
            ("0x10", 16_000),
            ("1e13", 0),
        ] {
            let before = engine.now_ms();
            assert_eq!(
                engine.exec(client, &argv(&format!("DEBUG SLEEP {seconds}"))),
                Reply::ok()
            );
            assert_eq!(engine.now_ms() - before, ms, "DEBUG SLEEP {seconds}");
        }
    }

    #[test]
    fn debug_sleep_expires_keys_that_fall_due() {
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.set_time(1_767_225_600_000);
        assert_eq!(engine.exec(client, &argv("SET k v")), Reply::ok());
        // As SET k v PX 100 leaves it (SET's options belong to the string group).
        assert!(engine.dbs[0].set_expire(b"k", Some(1_767_225_600_100)));
        assert_eq!(engine.exec(client, &argv("DEBUG SLEEP 0")), Reply::ok());
        assert_eq!(engine.exec(client, &argv("GET k")), Reply::bulk(b"v"));
        assert_eq!(engine.exec(client, &argv("DEBUG SLEEP 0.2")), Reply::ok());
        // Expired by the clock's move itself (active expiry), before any read.
        assert_eq!(engine.db_len(0), 0);
        assert_eq!(engine.stats().expired_keys, 1);
        assert_eq!(engine.exec(client, &argv("GET k")), Reply::Nil);
    }

    #[test]
    fn debug_object_describes_values_in_redis_format() {
        let mut engine = Engine::new();
        engine.set_time(1_767_225_600_000);
        let c = engine.connect();
        engine.exec(c, &argv("SET foo bar"));
        engine.exec(c, &argv("SET n 123"));
        engine.exec(c, &argv("RPUSH l a b c"));
        engine.advance(3_000);
        let describe = |engine: &mut Engine, key: &str| match engine
            .exec(c, &argv(&format!("DEBUG OBJECT {key}")))
        {
            Reply::Status(line) => line.to_string(),
            other => panic!("{other:?}"),
        };
        let line = describe(&mut engine, "foo");
        let (address, rest) = line
            .strip_prefix("Value at:")
            .and_then(|l| l.split_once(' '))
            .expect("fields");
        assert!(address.starts_with("0x7f"));
        let lru = 1_767_225_600i64.rem_euclid(1 << 24);
        assert_eq!(
            rest,
            format!("refcount:1 encoding:embstr serializedlength:4 lru:{lru} lru_seconds_idle:3")
        );
        assert!(
            describe(&mut engine, "n")
                .contains("refcount:2147483647 encoding:int serializedlength:2 ")
        );
        // Redis 7.0.15 describes the same list so, but for its address and clock.
        assert!(describe(&mut engine, "l").ends_with(&format!(
            " encoding:quicklist serializedlength:19 lru:{lru} lru_seconds_idle:3 ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16"
        )));
        assert_eq!(
            engine.exec(c, &argv("DEBUG OBJECT nokey")),
            Reply::error("ERR no such key")
        );
    }

    fn exec(engine: &mut Engine, client: crate::ClientId, line: &str) -> Reply {
        engine.exec(client, &argv(line))
    }

    /// The memory the engine counts (`used_memory`).
    fn used(engine: &Engine) -> u64 {
        engine.memory().total as u64
    }

    #[test]
    fn populate_cost_is_what_the_memory_estimate_counts() {
        // The guard's estimate of a key equals what MEMORY USAGE says of it, for every
        // encoding DEBUG POPULATE makes.
        let mut engine = Engine::new();
        let c = engine.connect();
        for (size, value_len) in [(0u64, 7u64), (3, 3), (44, 44), (45, 45), (300, 300)] {
            let line = format!("DEBUG POPULATE 1 p{size} {size}");
            assert_eq!(exec(&mut engine, c, &line), Reply::ok());
            let name = format!("p{size}:0");
            let Reply::Integer(usage) = exec(&mut engine, c, &format!("MEMORY USAGE {name}"))
            else {
                panic!("MEMORY USAGE answers an integer");
            };
            assert_eq!(
                populate_key_cost(name.len(), value_len),
                u64::try_from(usage).unwrap_or_default(),
                "size {size}"
            );
        }
        // And a whole POPULATE moves the memory in use by the guard's figure, table included.
        let mut engine = Engine::new();
        let c = engine.connect();
        let before = used(&engine);
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 1000 k 10"),
            Reply::ok()
        );
        let keys: u64 = (0..1000u64)
            .map(|j| populate_key_cost(format!("k:{j}").len(), 10))
            .sum();
        assert_eq!(used(&engine) - before, keys + 1024 * 8);
    }

    #[test]
    fn populate_refuses_what_maxmemory_cannot_hold_and_creates_nothing() {
        // What 1000 keys take, measured on a server without a limit.
        let mut probe = Engine::new();
        let c = probe.connect();
        let before = used(&probe);
        exec(&mut probe, c, "DEBUG POPULATE 1000 k 20");
        let needed = used(&probe) - before;
        // A limit one byte short refuses the whole command, whatever memory is in use.
        let mut engine = Engine::new();
        let c = engine.connect();
        engine.config.maxmemory = needed - 1;
        let seq = engine.events().last_seq();
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 1000 k 20"),
            Reply::error("OOM command not allowed when used memory > 'maxmemory'.")
        );
        assert_eq!(engine.db_len(0), 0);
        assert_eq!(engine.dbs[0].dict().buckets(), 0, "not even the table");
        assert_eq!(engine.events().last_seq(), seq, "nothing logged");
        // Exactly enough: created, although that takes the server past its limit (as Redis;
        // the next command that needs memory is refused).
        engine.config.maxmemory = needed;
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 1000 k 20"),
            Reply::ok()
        );
        assert_eq!(engine.db_len(0), 1000);
        assert_eq!(
            exec(&mut engine, c, "SET x y"),
            Reply::error("OOM command not allowed when used memory > 'maxmemory'.")
        );
        // Keys that exist cost nothing: the same POPULATE again passes, and so does one whose
        // new keys fit.
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 1000 k 20"),
            Reply::ok()
        );
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 1001 k 20"),
            Reply::ok()
        );
        assert_eq!(engine.db_len(0), 1001);
    }

    #[test]
    fn populate_refuses_a_value_larger_than_maxmemory_before_allocating() {
        let mut engine = Engine::new();
        let c = engine.connect();
        engine.config.maxmemory = 1 << 20;
        let oom = Reply::error("OOM command not allowed when used memory > 'maxmemory'.");
        assert_eq!(exec(&mut engine, c, "DEBUG POPULATE 1 k 2000000"), oom);
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 1 k 9223372036854775807"),
            oom
        );
        assert_eq!(engine.db_len(0), 0);
        // Nothing to make, nothing to allocate: as Redis.
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 0 k 2000000"),
            Reply::ok()
        );
        exec(&mut engine, c, "SET k:0 v");
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 1 k 2000000"),
            Reply::ok()
        );
        assert_eq!(exec(&mut engine, c, "GET k:0"), Reply::bulk(b"v"));
        // Bad arguments answer Redis's errors first.
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 1 k -1"),
            Reply::error("ERR value is out of range, must be positive")
        );
    }

    #[test]
    fn huge_counts_neither_panic_nor_run_away() {
        let long = "p".repeat(130);
        // With a limit: refused at once, from the count alone.
        let mut engine = Engine::new();
        let c = engine.connect();
        engine.config.maxmemory = 64 << 20;
        let oom = Reply::error("OOM command not allowed when used memory > 'maxmemory'.");
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 9223372036854775807"),
            oom
        );
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 9223372036854775807 k 1"),
            oom
        );
        assert_eq!(exec(&mut engine, c, "DEBUG POPULATE 100000000"), oom);
        // Names cut to the same 127 bytes: one key, made at once (Redis would loop for ever);
        // a table Redis refuses to size (2^63 buckets) is left alone.
        let line = format!("DEBUG POPULATE 9223372036854775807 {long}");
        assert_eq!(exec(&mut engine, c, &line), Reply::ok());
        assert_eq!(engine.db_len(0), 1);
        assert_eq!(engine.dbs[0].dict().buckets(), 4);
        // A table sized for a billion keys that end up one is shrunk again at once (as Redis's
        // cron would): it costs nothing.
        exec(&mut engine, c, "FLUSHALL");
        let line = format!("DEBUG POPULATE 1000000000 {long}");
        assert_eq!(exec(&mut engine, c, &line), Reply::ok());
        assert_eq!(engine.db_len(0), 1);
        assert_eq!(engine.dbs[0].dict().buckets(), 4);
        // Without a limit: the same commands finish (the cut names make one key; the table
        // sized for them is shrunk again, as Redis's cron would), and a value that cannot be
        // allocated answers the OOM error instead of aborting.
        let mut engine = Engine::new();
        let c = engine.connect();
        for count in ["9223372036854775807", "4611686018427387904", "1000000000"] {
            let line = format!("DEBUG POPULATE {count} {long}");
            assert_eq!(exec(&mut engine, c, &line), Reply::ok(), "{count}");
            assert_eq!(engine.db_len(0), 1);
            assert_eq!(engine.dbs[0].dict().buckets(), 4, "{count}");
        }
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 1 k 9223372036854775807"),
            oom
        );
        assert_eq!(
            exec(&mut engine, c, "DEBUG POPULATE 9223372036854775807 k -1"),
            Reply::error("ERR value is out of range, must be positive")
        );
        assert_eq!(engine.db_len(0), 1);
        assert_eq!(engine.dbs[0].dict().buckets(), 4);
        assert_eq!(
            exec(&mut engine, c, "RANDOMKEY"),
            Reply::bulk(&long.as_bytes()[..127])
        );
    }

    #[test]
    fn distinct_names_follow_the_cut() {
        assert_eq!(distinct_names(3, 1000), 1000);
        assert_eq!(distinct_names(3, u64::MAX >> 1), u64::MAX >> 1);
        // 125 bytes and a colon leave room for one digit: key:0 to key:9.
        assert_eq!(distinct_names(125, 25), 10);
        assert_eq!(distinct_names(126, 25), 1);
        assert_eq!(distinct_names(500, 25), 1);
        assert_eq!(distinct_names(500, 0), 0);
        let mut name = Vec::new();
        let prefix = vec![b'r'; 125];
        populate_name(&mut name, &prefix, 17);
        let mut one = Vec::new();
        populate_name(&mut one, &prefix, 1);
        assert_eq!((name.len(), &name), (127, &one));
    }

    #[test]
    fn populate_sizes_the_table_as_dict_expand() {
        let mut engine = Engine::new();
        let c = engine.connect();
        // An empty database gets Redis's smallest table even for no key.
        exec(&mut engine, c, "DEBUG POPULATE 0");
        assert_eq!(engine.dbs[0].dict().buckets(), 4);
        // 600 keys, 400 deleted: 200 in 1024 buckets (not sparse enough to shrink). Sized for
        // 200 more, the table shrinks to 256, then grows to 512 with them: redis-server 7.0.15
        // shows the same 512 in MEMORY STATS (where 1024 would be without the sizing).
        exec(&mut engine, c, "DEBUG POPULATE 600");
        for j in 200..600 {
            exec(&mut engine, c, &format!("DEL key:{j}"));
        }
        assert_eq!(engine.dbs[0].dict().buckets(), 1024);
        exec(&mut engine, c, "DEBUG POPULATE 200 m");
        assert_eq!(engine.db_len(0), 400);
        assert_eq!(engine.dbs[0].dict().buckets(), 512);
        // A bad size still leaves the table sized, as in Redis.
        exec(&mut engine, c, "DEBUG POPULATE 2000 n -1");
        assert_eq!(engine.dbs[0].dict().buckets(), 2048);
        assert!(engine.check_memory_bookkeeping().is_ok());
    }

    #[test]
    fn populate_logs_each_key_as_a_write_in_the_bounded_log() {
        let mut engine = Engine::new();
        let c = engine.connect();
        let seq = engine.events().last_seq();
        assert_eq!(exec(&mut engine, c, "DEBUG POPULATE 250000"), Reply::ok());
        assert_eq!(engine.events().last_seq() - seq, 250_000);
        let kept: Vec<_> = engine.events().after(seq).collect();
        assert_eq!(kept.len(), crate::engine::DEFAULT_EVENT_CAPACITY);
        let last = kept.last().expect("events");
        assert_eq!(
            (last.kind, last.key.as_slice(), last.command, last.client),
            (
                crate::events::EventKind::Write,
                &b"key:249999"[..],
                "debug",
                c
            )
        );
        // Keys that exist are not written again.
        let seq = engine.events().last_seq();
        exec(&mut engine, c, "DEBUG POPULATE 1000");
        assert_eq!(engine.events().last_seq(), seq);
    }

    #[test]
    fn active_expiry_can_be_turned_off_until_a_restart() {
        let mut engine = Engine::new();
        engine.set_time(1_767_225_600_000);
        let c = engine.connect();
        // Someone hears expiry: the host is asked to wake up for it.
        let listener = engine.connect();
        exec(&mut engine, c, "CONFIG SET notify-keyspace-events Ex");
        exec(&mut engine, listener, "SUBSCRIBE __keyevent@0__:expired");
        exec(&mut engine, c, "SET k v PX 100");
        assert_eq!(engine.next_wakeup(), Some(1_767_225_600_101));
        assert_eq!(
            exec(&mut engine, c, "DEBUG SET-ACTIVE-EXPIRE 0"),
            Reply::ok()
        );
        assert_eq!(engine.next_wakeup(), None);
        engine.advance(1_000);
        assert_eq!(engine.db_len(0), 1, "still there");
        assert_eq!(engine.stats().expired_keys, 0);
        // A read still removes it.
        exec(&mut engine, c, "SET other v PX 100");
        engine.advance(1_000);
        assert_eq!(exec(&mut engine, c, "EXISTS k"), Reply::Integer(0));
        assert_eq!(engine.db_len(0), 1);
        // Back on: the next move of the clock removes what is due.
        exec(&mut engine, c, "DEBUG SET-ACTIVE-EXPIRE 1");
        engine.advance(1);
        assert_eq!(engine.db_len(0), 0);
        // A restarted server has it on again.
        exec(&mut engine, c, "DEBUG SET-ACTIVE-EXPIRE 0");
        engine.crash_restart();
        let c = engine.connect();
        exec(&mut engine, c, "SET k v PX 100");
        engine.advance(1_000);
        assert_eq!(engine.db_len(0), 0);
    }

    #[test]
    fn change_repl_id_draws_a_new_id_until_a_restart() {
        let mut engine = Engine::new();
        let c = engine.connect();
        let repl_id = |engine: &mut Engine| {
            let Reply::Bulk(info) = engine.exec(c, &argv("INFO replication")) else {
                panic!("INFO answers a bulk string");
            };
            let info = String::from_utf8_lossy(&info).into_owned();
            let field = |name: &str| {
                info.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or_default()
                    .to_string()
            };
            (
                field("master_replid:"),
                field("master_replid2:"),
                field("second_repl_offset:"),
            )
        };
        let first = repl_id(&mut engine);
        assert_eq!(exec(&mut engine, c, "DEBUG CHANGE-REPL-ID"), Reply::ok());
        let second = repl_id(&mut engine);
        assert_ne!(first.0, second.0);
        assert_eq!(second.0.len(), 40);
        assert!(
            second
                .0
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(
            (second.1.as_str(), second.2.as_str()),
            ("0".repeat(40).as_str(), "-1")
        );
        exec(&mut engine, c, "DEBUG CHANGE-REPL-ID");
        assert_ne!(repl_id(&mut engine).0, second.0);
        assert_eq!(
            exec(&mut engine, c, "DEBUG CHANGE-REPL-ID x"),
            Reply::error(
                "ERR unknown subcommand or wrong number of arguments for 'CHANGE-REPL-ID'. Try DEBUG HELP."
            )
        );
        engine.crash_restart();
        let c2 = engine.connect();
        let Reply::Bulk(info) = engine.exec(c2, &argv("INFO replication")) else {
            panic!("INFO answers a bulk string");
        };
        assert!(String::from_utf8_lossy(&info).contains(&format!("master_replid:{}", first.0)));
    }
}
