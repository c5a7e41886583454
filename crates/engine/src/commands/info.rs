//! INFO: the server's report, section by section, with Redis 7.0's sections and field names.
//!
//! Fields the engine knows are its own (keyspace hits and misses, expired keys, commands and
//! connections, clients, pub/sub, per-command and per-error counts, keys per database, uptime
//! on the virtual clock, memory estimates, persistence state); facts about a process it does
//! not have (pid, CPU time, allocator, network bytes, replication ids) are plausible constants
//! of a default Redis 7.0 on Linux. Commands take no virtual time, so every `usec` is 0.

use std::fmt::Write as _;

use crate::REDIS_VERSION;
use crate::command::{Command, Ctx};
use crate::engine::Engine;
use crate::errors::CmdResult;
use crate::memory::{STARTUP, human};
use crate::reply::Reply;

// The INFO registration (Redis's `server` group).
crate::lazy::commands! { Info, info;
    Command::new(
        "info",
        info_command,
        "Reports on the server, section by section: clients, memory, stats, keyspace, commands.",
    ),
}

/// Every section, in the order INFO writes them.
const SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
];

/// The sections of a plain `INFO` (and of `default`).
const DEFAULT: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
];

/// A fixed run id and replication id: Redis draws them at startup; the engine has one server.
const RUN_ID: &str = "6b1d3e7f0a9c4b25e8d7f6a5c4b3a2918f7e6d5c";
const REPL_ID: &str = "c2a4e6f8091b3d5f7a9c1e3b5d7f9a2c4e6b8d0f";

/// Answers the report of the sections asked for (any case): none for the default ones, `all`
/// for every one, `everything` too (there are no module sections); unknown names add nothing.
///
/// `INFO [section [section ...]]`
pub fn info_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut wanted: Vec<&str> = Vec::new();
    let mut all = false;
    let asked = argv.get(1..).unwrap_or_default();
    if asked.is_empty() {
        wanted.extend(DEFAULT);
    }
    for arg in asked {
        let name = crate::cstr::c_str(arg).to_ascii_lowercase();
        match name.as_slice() {
            b"default" => wanted.extend(DEFAULT),
            b"all" | b"everything" => all = true,
            b"module_list" => wanted.push("modules"),
            other => wanted.extend(SECTIONS.iter().filter(|s| s.as_bytes() == other)),
        }
    }
    ctx.engine.run_background_jobs();
    let engine = &mut *ctx.engine;
    let mut out = String::new();
    for section in SECTIONS {
        if !all && !wanted.contains(section) {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        write_section(engine, section, &mut out);
    }
    Ok(Reply::Verbatim("txt", out.into_bytes()))
}

/// Writes one `field:value` line.
fn line(out: &mut String, field: &str, value: impl std::fmt::Display) {
    let _ = write!(out, "{field}:{value}\r\n");
}

/// Redis's `getSafeInfoString`: names in INFO cannot hold `#`, `:` or line breaks.
fn safe(name: &str) -> String {
    name.replace(['#', ':', '\n', '\r'], "_")
}

fn write_section(engine: &mut Engine, section: &str, out: &mut String) {
    match section {
        "server" => server(engine, out),
        "clients" => clients(engine, out),
        "memory" => memory(engine, out),
        "persistence" => persistence(engine, out),
        "stats" => stats(engine, out),
        "replication" => replication(engine, out),
        "cpu" => {
            out.push_str("# CPU\r\n");
            for field in [
                "used_cpu_sys",
                "used_cpu_user",
                "used_cpu_sys_children",
                "used_cpu_user_children",
                "used_cpu_sys_main_thread",
                "used_cpu_user_main_thread",
            ] {
                line(out, field, "0.000000");
            }
        }
        "modules" => out.push_str("# Modules\r\n"),
        "commandstats" => commandstats(engine, out),
        "errorstats" => {
            out.push_str("# Errorstats\r\n");
            for (code, count) in &engine.stats.errors {
                line(
                    out,
                    &format!("errorstat_{}", safe(code)),
                    format!("count={count}"),
                );
            }
        }
        "latencystats" => latencystats(engine, out),
        "cluster" => {
            out.push_str("# Cluster\r\n");
            line(out, "cluster_enabled", 0);
        }
        "keyspace" => keyspace(engine, out),
        _ => {}
    }
}

fn server(engine: &Engine, out: &mut String) {
    let uptime = (engine.now_ms - engine.started_ms).max(0) / 1000;
    let hz = engine.config.get_num("hz");
    out.push_str("# Server\r\n");
    line(out, "redis_version", REDIS_VERSION);
    line(out, "redis_git_sha1", "00000000");
    line(out, "redis_git_dirty", 0);
    line(out, "redis_build_id", "ae4d7c971a948f0");
    line(out, "redis_mode", "standalone");
    line(out, "os", "Linux 6.1.0 x86_64");
    line(out, "arch_bits", 64);
    line(out, "monotonic_clock", "POSIX clock_gettime");
    line(out, "multiplexing_api", "epoll");
    line(out, "atomicvar_api", "c11-builtin");
    line(out, "gcc_version", "12.2.0");
    line(out, "process_id", 1);
    line(out, "process_supervised", "no");
    line(out, "run_id", RUN_ID);
    line(out, "tcp_port", engine.config.get_num("port"));
    line(out, "server_time_usec", engine.now_ms.saturating_mul(1000));
    line(out, "uptime_in_seconds", uptime);
    line(out, "uptime_in_days", uptime / 86_400);
    line(out, "hz", hz);
    line(out, "configured_hz", hz);
    line(
        out,
        "lru_clock",
        engine.now_ms.div_euclid(1000) & ((1 << 24) - 1),
    );
    line(out, "executable", "/data/redis-server");
    line(out, "config_file", "");
    line(out, "io_threads_active", 0);
}

fn clients(engine: &Engine, out: &mut String) {
    let blocked = engine.blocking.clients.len();
    let with_timeout = engine
        .blocking
        .clients
        .values()
        .filter(|b| b.deadline.is_some())
        .count();
    out.push_str("# Clients\r\n");
    line(out, "connected_clients", engine.clients.len());
    line(out, "cluster_connections", 0);
    line(out, "maxclients", engine.config.get_num("maxclients"));
    line(out, "client_recent_max_input_buffer", 0);
    line(out, "client_recent_max_output_buffer", 0);
    line(out, "blocked_clients", blocked);
    line(out, "tracking_clients", engine.tracking.clients);
    line(out, "clients_in_timeout_table", with_timeout);
}

fn memory(engine: &mut Engine, out: &mut String) {
    let mem = engine.measure_memory();
    let peak = engine.peak_memory;
    let maxmemory = engine.config.maxmemory;
    let percent = |part: usize, whole: usize| part as f64 * 100.0 / whole.max(1) as f64;
    out.push_str("# Memory\r\n");
    line(out, "used_memory", mem.total);
    line(out, "used_memory_human", human(mem.total as u64));
    line(out, "used_memory_rss", mem.total);
    line(out, "used_memory_rss_human", human(mem.total as u64));
    line(out, "used_memory_peak", peak);
    line(out, "used_memory_peak_human", human(peak as u64));
    line(
        out,
        "used_memory_peak_perc",
        format!("{:.2}%", percent(mem.total, peak)),
    );
    line(out, "used_memory_overhead", mem.overhead);
    line(out, "used_memory_startup", STARTUP);
    line(out, "used_memory_dataset", mem.dataset);
    line(
        out,
        "used_memory_dataset_perc",
        format!("{:.2}%", percent(mem.dataset, mem.total - STARTUP)),
    );
    line(out, "allocator_allocated", mem.total);
    line(out, "allocator_active", mem.total);
    line(out, "allocator_resident", mem.total);
    line(out, "total_system_memory", 8_589_934_592u64);
    line(out, "total_system_memory_human", human(8_589_934_592));
    line(out, "used_memory_lua", 31_744);
    line(out, "used_memory_vm_eval", 31_744);
    line(out, "used_memory_lua_human", human(31_744));
    let scripts = engine.scripts.memory();
    let functions = engine.functions.memory();
    line(out, "used_memory_scripts_eval", scripts);
    line(out, "number_of_cached_scripts", engine.scripts.count());
    line(
        out,
        "number_of_functions",
        engine.functions.function_count(),
    );
    line(out, "number_of_libraries", engine.functions.library_count());
    line(out, "used_memory_vm_functions", 32_768);
    line(out, "used_memory_vm_total", 64_512);
    line(out, "used_memory_vm_total_human", human(64_512));
    line(out, "used_memory_functions", functions);
    line(out, "used_memory_scripts", scripts + functions);
    line(
        out,
        "used_memory_scripts_human",
        human((scripts + functions) as u64),
    );
    line(out, "maxmemory", maxmemory);
    line(out, "maxmemory_human", human(maxmemory));
    line(
        out,
        "maxmemory_policy",
        engine.config.maxmemory_policy.name(),
    );
    line(out, "allocator_frag_ratio", "1.00");
    line(out, "allocator_frag_bytes", 0);
    line(out, "allocator_rss_ratio", "1.00");
    line(out, "allocator_rss_bytes", 0);
    line(out, "rss_overhead_ratio", "1.00");
    line(out, "rss_overhead_bytes", 0);
    line(out, "mem_fragmentation_ratio", "1.00");
    line(out, "mem_fragmentation_bytes", 0);
    line(out, "mem_not_counted_for_evict", 0);
    line(out, "mem_replication_backlog", 0);
    line(out, "mem_total_replication_buffers", 0);
    line(out, "mem_clients_slaves", 0);
    line(out, "mem_clients_normal", 0);
    line(out, "mem_cluster_links", 0);
    line(out, "mem_aof_buffer", 0);
    line(out, "mem_allocator", "jemalloc-5.3.0");
    line(out, "active_defrag_running", 0);
    line(out, "lazyfree_pending_objects", 0);
    line(out, "lazyfreed_objects", 0);
}

fn persistence(engine: &Engine, out: &mut String) {
    use crate::commands::persistence::ChildKind;
    let p = &engine.persistence;
    let running = |kind: ChildKind| p.child.filter(|c| c.kind == kind);
    let current_secs =
        |kind: ChildKind| running(kind).map_or(-1, |c| (engine.now_ms - c.start_ms).max(0) / 1000);
    out.push_str("# Persistence\r\n");
    line(out, "loading", 0);
    line(out, "async_loading", 0);
    line(out, "current_cow_peak", 0);
    line(out, "current_cow_size", 0);
    line(out, "current_cow_size_age", 0);
    line(out, "current_fork_perc", "0.00");
    line(out, "current_save_keys_processed", 0);
    line(out, "current_save_keys_total", 0);
    line(out, "rdb_changes_since_last_save", p.dirty);
    line(
        out,
        "rdb_bgsave_in_progress",
        i32::from(running(ChildKind::Rdb).is_some()),
    );
    line(out, "rdb_last_save_time", p.lastsave);
    line(out, "rdb_last_bgsave_status", "ok");
    line(out, "rdb_last_bgsave_time_sec", p.last_bgsave_secs);
    line(
        out,
        "rdb_current_bgsave_time_sec",
        current_secs(ChildKind::Rdb),
    );
    line(out, "rdb_saves", engine.stats.rdb_saves);
    line(out, "rdb_last_cow_size", 0);
    line(out, "rdb_last_load_keys_expired", p.last_load.1);
    line(out, "rdb_last_load_keys_loaded", p.last_load.0);
    line(out, "aof_enabled", i32::from(engine.config.appendonly));
    line(
        out,
        "aof_rewrite_in_progress",
        i32::from(running(ChildKind::Aof).is_some()),
    );
    line(
        out,
        "aof_rewrite_scheduled",
        i32::from(p.aof_rewrite_scheduled),
    );
    line(out, "aof_last_rewrite_time_sec", p.last_aof_rewrite_secs);
    line(
        out,
        "aof_current_rewrite_time_sec",
        current_secs(ChildKind::Aof),
    );
    line(out, "aof_last_bgrewrite_status", "ok");
    line(out, "aof_rewrites", engine.stats.aof_rewrites);
    line(out, "aof_rewrites_consecutive_failures", 0);
    line(out, "aof_last_write_status", "ok");
    line(out, "aof_last_cow_size", 0);
    line(out, "module_fork_in_progress", 0);
    line(out, "module_fork_last_cow_size", 0);
    if engine.config.appendonly {
        line(out, "aof_current_size", engine.aof_size());
        line(out, "aof_base_size", engine.aof.rewrite_base_size);
        line(
            out,
            "aof_pending_rewrite",
            i32::from(p.aof_rewrite_scheduled),
        );
        line(out, "aof_buffer_length", 0);
        line(out, "aof_pending_bio_fsync", 0);
        line(out, "aof_delayed_fsync", 0);
    }
}

fn stats(engine: &Engine, out: &mut String) {
    let s = &engine.stats;
    out.push_str("# Stats\r\n");
    line(
        out,
        "total_connections_received",
        s.total_connections_received,
    );
    line(out, "total_commands_processed", s.total_commands_processed);
    line(out, "instantaneous_ops_per_sec", 0);
    line(out, "total_net_input_bytes", 0);
    line(out, "total_net_output_bytes", 0);
    line(out, "total_net_repl_input_bytes", 0);
    line(out, "total_net_repl_output_bytes", 0);
    line(out, "instantaneous_input_kbps", "0.00");
    line(out, "instantaneous_output_kbps", "0.00");
    line(out, "instantaneous_input_repl_kbps", "0.00");
    line(out, "instantaneous_output_repl_kbps", "0.00");
    line(out, "rejected_connections", 0);
    line(out, "sync_full", 0);
    line(out, "sync_partial_ok", 0);
    line(out, "sync_partial_err", 0);
    line(out, "expired_keys", s.expired_keys);
    line(out, "expired_stale_perc", "0.00");
    line(out, "expired_time_cap_reached_count", 0);
    line(out, "expire_cycle_cpu_milliseconds", 0);
    line(out, "evicted_keys", s.evicted_keys);
    line(out, "evicted_clients", 0);
    line(out, "total_eviction_exceeded_time", 0);
    line(out, "current_eviction_exceeded_time", 0);
    line(out, "keyspace_hits", s.keyspace_hits);
    line(out, "keyspace_misses", s.keyspace_misses);
    line(out, "pubsub_channels", engine.pubsub.channels.len());
    line(out, "pubsub_patterns", engine.pubsub.patterns.len());
    line(
        out,
        "pubsubshard_channels",
        engine.pubsub.shard_channels.len(),
    );
    line(out, "latest_fork_usec", 0);
    line(out, "total_forks", s.rdb_saves + s.aof_rewrites);
    line(out, "migrate_cached_sockets", 0);
    line(out, "slave_expires_tracked_keys", 0);
    line(out, "active_defrag_hits", 0);
    line(out, "active_defrag_misses", 0);
    line(out, "active_defrag_key_hits", 0);
    line(out, "active_defrag_key_misses", 0);
    line(out, "total_active_defrag_time", 0);
    line(out, "current_active_defrag_time", 0);
    line(out, "tracking_total_keys", engine.tracking.total_keys());
    line(out, "tracking_total_items", engine.tracking.total_items());
    line(
        out,
        "tracking_total_prefixes",
        engine.tracking.total_prefixes(),
    );
    line(out, "unexpected_error_replies", 0);
    line(out, "total_error_replies", s.total_error_replies);
    line(out, "dump_payload_sanitizations", 0);
    line(out, "total_reads_processed", s.total_commands_processed);
    line(out, "total_writes_processed", s.total_commands_processed);
    line(out, "io_threaded_reads_processed", 0);
    line(out, "io_threaded_writes_processed", 0);
    line(out, "reply_buffer_shrinks", 0);
    line(out, "reply_buffer_expands", 0);
}

fn replication(engine: &Engine, out: &mut String) {
    out.push_str("# Replication\r\n");
    line(out, "role", "master");
    line(out, "connected_slaves", 0);
    if engine.config.get_num("min-replicas-to-write") != 0
        && engine.config.get_num("min-replicas-max-lag") != 0
    {
        line(out, "min_slaves_good_slaves", 0);
    }
    line(out, "master_failover_state", "no-failover");
    line(
        out,
        "master_replid",
        engine.repl_id.as_deref().unwrap_or(REPL_ID),
    );
    line(out, "master_replid2", "0".repeat(40));
    line(out, "master_repl_offset", 0);
    line(out, "second_repl_offset", -1);
    line(out, "repl_backlog_active", 0);
    line(
        out,
        "repl_backlog_size",
        engine.config.get_num("repl-backlog-size"),
    );
    line(out, "repl_backlog_first_byte_offset", 0);
    line(out, "repl_backlog_histlen", 0);
}

/// Every command (subcommands after their container) that has counts, by full name.
fn counted_commands(engine: &Engine) -> Vec<(&'static str, crate::CommandStats)> {
    let mut counted: Vec<(&'static str, crate::CommandStats)> = engine
        .stats
        .commands
        .iter()
        .filter(|(_, s)| s.calls + s.rejected_calls + s.failed_calls > 0)
        .map(|(name, s)| (name, *s))
        .collect();
    crate::qsort::sort_by_key(&mut counted, |(name, _)| *name);
    counted
}

fn commandstats(engine: &Engine, out: &mut String) {
    out.push_str("# Commandstats\r\n");
    for (name, s) in counted_commands(engine) {
        line(
            out,
            &format!("cmdstat_{}", safe(name)),
            format!(
                "calls={},usec=0,usec_per_call=0.00,rejected_calls={},failed_calls={}",
                s.calls, s.rejected_calls, s.failed_calls
            ),
        );
    }
}

/// Per-command latency percentiles: every call took the shortest time Redis's histogram holds
/// (1 ns), shown in microseconds.
fn latencystats(engine: &Engine, out: &mut String) {
    out.push_str("# Latencystats\r\n");
    if engine.config.get("latency-tracking") != b"yes" {
        return;
    }
    let percentiles = engine.config.get("latency-tracking-info-percentiles");
    let percentiles = String::from_utf8_lossy(&percentiles).into_owned();
    for (name, s) in counted_commands(engine) {
        if s.calls == 0 {
            continue;
        }
        let values: Vec<String> = percentiles
            .split(' ')
            .filter(|p| !p.is_empty())
            .map(|p| format!("p{p}=0.001"))
            .collect();
        line(
            out,
            &format!("latency_percentiles_usec_{}", safe(name)),
            values.join(","),
        );
    }
}

fn keyspace(engine: &Engine, out: &mut String) {
    out.push_str("# Keyspace\r\n");
    let now = engine.now_ms;
    for (i, db) in engine.dbs.iter().enumerate() {
        let (keys, expires) = (db.len(), db.volatile_len());
        if keys == 0 && expires == 0 {
            continue;
        }
        // Redis keeps a running estimate from its expiry sampling; this is the exact mean.
        let ttls: i64 = db
            .expire_times()
            .map(|at| (at - now).max(0))
            .fold(0i64, i64::saturating_add);
        let avg_ttl = ttls.checked_div(expires as i64).unwrap_or(0);
        line(
            out,
            &format!("db{i}"),
            format!("keys={keys},expires={expires},avg_ttl={avg_ttl}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    fn info(engine: &mut Engine, client: u64, line: &str) -> String {
        match engine.exec(client, &argv(line)) {
            Reply::Bulk(text) => String::from_utf8_lossy(&text).into_owned(),
            Reply::Verbatim(_, text) => String::from_utf8_lossy(&text).into_owned(),
            other => panic!("{other:?}"),
        }
    }

    fn headers(text: &str) -> Vec<&str> {
        text.lines().filter(|l| l.starts_with('#')).collect()
    }

    #[test]
    fn sections_follow_redis_order_and_selection() {
        let mut e = Engine::new();
        let c = e.connect();
        assert_eq!(
            headers(&info(&mut e, c, "INFO")),
            [
                "# Server",
                "# Clients",
                "# Memory",
                "# Persistence",
                "# Stats",
                "# Replication",
                "# CPU",
                "# Modules",
                "# Errorstats",
                "# Cluster",
                "# Keyspace"
            ]
        );
        assert_eq!(headers(&info(&mut e, c, "INFO all")).len(), 13);
        assert_eq!(headers(&info(&mut e, c, "INFO everything")).len(), 13);
        assert_eq!(
            headers(&info(&mut e, c, "INFO KEYSPACE commandstats")),
            ["# Commandstats", "# Keyspace"]
        );
        assert_eq!(info(&mut e, c, "INFO nosuch"), "");
        assert_eq!(
            info(&mut e, c, "INFO cluster cpu"),
            "# CPU\r\nused_cpu_sys:0.000000\r\nused_cpu_user:0.000000\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\nused_cpu_sys_main_thread:0.000000\r\nused_cpu_user_main_thread:0.000000\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n"
        );
    }

    #[test]
    fn counters_come_from_the_engine() {
        let mut e = Engine::new();
        e.set_time(1_767_225_600_000);
        let c = e.connect();
        e.exec(c, &argv("SET a 1"));
        e.exec(c, &argv("GET a"));
        e.exec(c, &argv("GET b"));
        e.exec(c, &argv("GET"));
        e.exec(c, &argv("LPUSH a x"));
        e.exec(c, &argv("NOSUCH"));
        e.exec(c, &argv("SET t v PX 10000"));
        e.advance(61_000);
        let text = info(&mut e, c, "INFO everything");
        for want in [
            "uptime_in_seconds:61\r\n",
            "connected_clients:1\r\n",
            "keyspace_hits:1\r\n",
            "keyspace_misses:1\r\n",
            "expired_keys:1\r\n",
            "total_connections_received:1\r\n",
            "total_error_replies:3\r\n",
            "cmdstat_get:calls=2,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n",
            "cmdstat_lpush:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n",
            "errorstat_ERR:count=2\r\n",
            "errorstat_WRONGTYPE:count=1\r\n",
            "db0:keys=1,expires=0,avg_ttl=0\r\n",
            "latency_percentiles_usec_get:p50=0.001,p99=0.001,p99.9=0.001\r\n",
            "rdb_last_save_time:1767225600\r\n",
            "rdb_changes_since_last_save:2\r\n",
        ] {
            assert!(text.contains(want), "{want:?} in\n{text}");
        }
        e.exec(c, &argv("CONFIG RESETSTAT"));
        let text = info(&mut e, c, "INFO stats commandstats errorstats");
        assert!(text.contains("keyspace_hits:0\r\n"));
        assert!(text.contains("total_commands_processed:1\r\n"));
        assert!(text.contains("cmdstat_config|resetstat:calls=1,"));
        assert!(!text.contains("cmdstat_get"));
        assert!(!text.contains("errorstat_"));
    }
}
