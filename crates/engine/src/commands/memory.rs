//! MEMORY: how much memory a key takes (an estimate after Redis's structure sizes, see
//! `memory.rs`), the server's memory report, and the allocator commands a browser has no use
//! for.

use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::errors::{CmdResult, RedisError};
use crate::memory::{DEFAULT_SAMPLES, STARTUP, key_usage};
use crate::num::parse_i64;
use crate::reply::Reply;

// The MEMORY registrations (Redis's `server` group).
crate::lazy::commands! { Memory, memory;
    Command::new(
        "memory",
        memory_command,
        "Reports on memory: per key, per server, and allocator advice.",
    ),
    Command::new(
        "memory|usage",
        memory_usage_command,
        "Estimates the bytes a key and its value take, sampling large collections.",
    ),
    Command::new(
        "memory|stats",
        memory_stats_command,
        "Answers how the server's memory divides (startup, tables, dataset).",
    ),
    Command::new(
        "memory|doctor",
        memory_doctor_command,
        "Reports memory problems, in words.",
    ),
    Command::new(
        "memory|malloc-stats",
        memory_malloc_stats_command,
        "Would answer the allocator's statistics; there is no allocator report here.",
    ),
    Command::new(
        "memory|purge",
        memory_purge_command,
        "Asks the allocator to release unused pages (nothing to do here).",
    ),
    Command::new(
        "memory|help",
        memory_help_command,
        "Describes the MEMORY subcommands.",
    ),
}

/// Only reached with a known subcommand missing, which dispatch already refused.
///
/// `MEMORY <subcommand>`
pub fn memory_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::wrong_arity("memory"))
}

/// Answers the bytes a key takes (value, key name, table entry), nil for a missing key.
/// Collections are sampled: `SAMPLES count` elements (5 by default, 0 for all). The key is read
/// without counting a hit or touching it, as Redis does.
///
/// `MEMORY USAGE key [SAMPLES count]`
pub fn memory_usage_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut samples = DEFAULT_SAMPLES;
    let mut j = 3;
    while let Some(option) = argv.get(j) {
        match argv.get(j + 1) {
            Some(count) if args::is(option, "samples") => {
                let n = parse_i64(count).ok_or_else(RedisError::not_integer)?;
                if n < 0 {
                    return Err(RedisError::syntax());
                }
                // 0 samples everything.
                samples = usize::try_from(n).unwrap_or(usize::MAX);
                j += 2;
            }
            _ => return Err(RedisError::syntax()),
        }
    }
    let key = &argv[2];
    Ok(ctx.db().peek(key).map_or(Reply::Nil, |entry| {
        Reply::Integer(key_usage(key, &entry.value, samples) as i64)
    }))
}

/// Answers how memory divides, with Redis's field names: the engine's estimates for the
/// startup, the databases' tables and the dataset; allocator and RSS figures assume no
/// fragmentation.
///
/// `MEMORY STATS`
pub fn memory_stats_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    let mem = ctx.engine.measure_memory();
    let engine = &*ctx.engine;
    let peak = engine.peak_memory;
    let keys: usize = engine.dbs.iter().map(crate::keyspace::Db::len).sum();
    let field = |name: &str, value: Reply| (Reply::bulk(name.as_bytes()), value);
    let int = |n: usize| Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    // Redis computes these percentages in single precision.
    let percent = |part: usize, whole: usize| {
        Reply::Double(f64::from((part as f32) * 100.0 / (whole.max(1) as f32)))
    };
    let mut fields = vec![
        field("peak.allocated", int(peak)),
        field("total.allocated", int(mem.total)),
        field("startup.allocated", int(STARTUP)),
        field("replication.backlog", int(0)),
        field("clients.slaves", int(0)),
        field(
            "clients.normal",
            int(mem.overhead - STARTUP - tables(engine)),
        ),
        field("cluster.links", int(0)),
        field("aof.buffer", int(0)),
        field("lua.caches", int(0)),
        field("functions.caches", int(200)),
    ];
    for (i, db) in engine.dbs.iter().enumerate() {
        if db.is_empty() && db.volatile_len() == 0 {
            continue;
        }
        let (main, expires) = engine.db_overhead(i);
        fields.push(field(
            &format!("db.{i}"),
            Reply::Map(vec![
                field("overhead.hashtable.main", int(main)),
                field("overhead.hashtable.expires", int(expires)),
                field("overhead.hashtable.slot-to-keys", int(0)),
            ]),
        ));
    }
    fields.extend([
        field("overhead.total", int(mem.overhead)),
        field("keys.count", int(keys)),
        field(
            "keys.bytes-per-key",
            int((mem.total - STARTUP).checked_div(keys).unwrap_or(0)),
        ),
        field("dataset.bytes", int(mem.dataset)),
        field(
            "dataset.percentage",
            percent(mem.dataset, mem.total - STARTUP),
        ),
        field("peak.percentage", percent(mem.total, peak)),
        field("allocator.allocated", int(mem.total)),
        field("allocator.active", int(mem.total)),
        field("allocator.resident", int(mem.total)),
        field("allocator-fragmentation.ratio", Reply::Double(1.0)),
        field("allocator-fragmentation.bytes", int(0)),
        field("allocator-rss.ratio", Reply::Double(1.0)),
        field("allocator-rss.bytes", int(0)),
        field("rss-overhead.ratio", Reply::Double(1.0)),
        field("rss-overhead.bytes", int(0)),
        field("fragmentation", Reply::Double(1.0)),
        field("fragmentation.bytes", int(0)),
    ]);
    Ok(Reply::Map(fields))
}

/// The databases' tables, as counted in the overhead.
fn tables(engine: &crate::Engine) -> usize {
    (0..engine.dbs.len())
        .map(|i| {
            let (main, expires) = engine.db_overhead(i);
            main + expires
        })
        .sum()
}

/// Reports memory problems as Redis's doctor does: under 5 MB it declines to judge; above, the
/// engine has none of the problems it looks for (fragmentation, big buffers, peaks).
///
/// `MEMORY DOCTOR`
pub fn memory_doctor_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    let text = if ctx.engine.memory().total < 5 * 1024 * 1024 {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
    } else {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
    };
    Ok(Reply::Verbatim("txt", text.as_bytes().to_vec()))
}

/// There is no allocator to report on: answers what Redis built without jemalloc answers.
///
/// `MEMORY MALLOC-STATS`
pub fn memory_malloc_stats_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Verbatim(
        "txt",
        b"Stats not supported for the current allocator".to_vec(),
    ))
}

/// Nothing to release: answers OK.
///
/// `MEMORY PURGE`
pub fn memory_purge_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::ok())
}

/// Describes the subcommands (Redis's help text: it is the command's reply).
///
/// `MEMORY HELP`
pub fn memory_help_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(args::help_reply(
        &argv[0],
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    ))
}
