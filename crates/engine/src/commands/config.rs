//! CONFIG: reading and changing the server's parameters (the table is in `config.rs`), resetting
//! the statistics INFO reports.

use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::config::{Apply, Config, PARAMS, Val, flag};
use crate::cstr::c_str;
use crate::errors::{CmdResult, RedisError};
use crate::glob::glob_match;
use crate::reply::Reply;

// The CONFIG registrations (Redis's `server` group).
crate::lazy::commands! { Config, config;
    Command::new(
        "config",
        config_command,
        "Reads and changes the server's configuration parameters.",
    ),
    Command::new(
        "config|get",
        config_get_command,
        "Answers the parameters matching glob patterns, with their values.",
    ),
    Command::new(
        "config|set",
        config_set_command,
        "Changes one or more parameters at once: all of them, or none on an error.",
    ),
    Command::new(
        "config|resetstat",
        config_resetstat_command,
        "Resets the statistics INFO reports.",
    ),
    Command::new(
        "config|rewrite",
        config_rewrite_command,
        "Would rewrite the config file; this server runs without one.",
    ),
    Command::new(
        "config|help",
        config_help_command,
        "Describes the CONFIG subcommands.",
    ),
}

/// Only reached with a known subcommand missing, which dispatch already refused.
///
/// `CONFIG <subcommand>`
pub fn config_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::wrong_arity("config"))
}

/// Answers every parameter matching one of the patterns (case-insensitive globs; an alias is
/// listed apart from its parameter) with its value. A name without glob characters is looked up
/// as typed, hidden parameters included, and answered under the name given.
///
/// `CONFIG GET parameter [parameter ...]`
pub fn config_get_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut matches: Vec<(Vec<u8>, usize)> = Vec::new();
    let seen = |matches: &[(Vec<u8>, usize)], name: &[u8]| {
        matches.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    for pattern in argv.get(2..).unwrap_or_default() {
        if !c_str(pattern).iter().any(|b| b"[*?".contains(b)) {
            if seen(&matches, pattern) {
                continue;
            }
            if let Some((i, _)) = Config::find(pattern) {
                matches.push((c_str(pattern).to_vec(), i));
            }
            continue;
        }
        for (i, param) in PARAMS.iter().enumerate() {
            if param.flags & flag::HIDDEN != 0 {
                continue;
            }
            for name in std::iter::once(param.name).chain(param.alias) {
                if !seen(&matches, name.as_bytes())
                    && glob_match(c_str(pattern), name.as_bytes(), true)
                {
                    matches.push((name.as_bytes().to_vec(), i));
                }
            }
        }
    }
    let config = &ctx.engine.config;
    Ok(Reply::Map(
        matches
            .into_iter()
            .map(|(name, i)| (Reply::from(name), Reply::from(config.shown(i))))
            .collect(),
    ))
}

fn set_failed(name: &[u8], reason: &str) -> RedisError {
    RedisError::owned(format!(
        "ERR CONFIG SET failed (possibly related to argument '{}') - {reason}",
        String::from_utf8_lossy(c_str(name))
    ))
}

/// Sets parameters, all or none: an unknown, immutable, protected or repeated name refuses the
/// whole command before anything changes; a value Redis would refuse restores every parameter
/// set before it. Each error names the parameter as Redis does.
///
/// `CONFIG SET parameter value [parameter value ...]`
pub fn config_set_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    if !argv.len().is_multiple_of(2) {
        return Err(RedisError::syntax());
    }
    // (parameter index, alias used, value)
    let mut chosen: Vec<(usize, bool, &[u8])> = Vec::new();
    let mut error = None;
    for (n, pair) in argv.get(2..).unwrap_or_default().chunks(2).enumerate() {
        let [name, value] = pair else {
            return Err(RedisError::syntax());
        };
        let Some((i, alias)) = Config::find(name) else {
            if error.is_none() {
                error = Some(RedisError::owned(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                    String::from_utf8_lossy(c_str(name))
                )));
            }
            continue;
        };
        let flags = PARAMS.get(i).map_or(0, |p| p.flags);
        // Every sensitive value is hidden, even past an error.
        if flags & flag::SENSITIVE != 0 {
            ctx.redact(2 + 2 * n + 1);
        }
        if error.is_some() {
            continue;
        }
        if flags & flag::IMMUTABLE != 0 {
            error = Some(set_failed(name, "can't set immutable config"));
        } else if flags & flag::PROTECTED != 0 {
            error = Some(set_failed(name, "can't set protected config"));
        } else if chosen.iter().any(|&(j, a, _)| (j, a) == (i, alias)) {
            error = Some(set_failed(name, "duplicate parameter"));
        } else {
            chosen.push((i, alias, value));
        }
    }
    if let Some(error) = error {
        return Err(error);
    }
    let backup = ctx.engine.config.clone();
    let config = &mut ctx.engine.config;
    let mut applies: Vec<(Apply, &'static str)> = Vec::new();
    for &(i, alias, raw) in &chosen {
        let Some(param) = PARAMS.get(i) else { continue };
        let name = if alias {
            param.alias.unwrap_or(param.name)
        } else {
            param.name
        };
        let old: Val = config.value(i);
        match param.parse(raw, &old) {
            Ok(value) => {
                let changed = value != old;
                config.store(i, value);
                if changed
                    && param.apply != Apply::None
                    && !applies.iter().any(|(a, _)| *a == param.apply)
                {
                    applies.push((param.apply, name));
                }
            }
            Err(reason) => {
                ctx.engine.config = backup;
                return Err(set_failed(name.as_bytes(), &reason));
            }
        }
    }
    for (apply, name) in applies {
        if let Err(reason) = ctx.engine.config.apply(apply) {
            ctx.engine.config = backup;
            return Err(set_failed(name.as_bytes(), reason));
        }
    }
    match (backup.appendonly, ctx.engine.config.appendonly) {
        // Turning the append-only file on writes it from the dataset: a rewrite starts.
        (false, true) => ctx.engine.start_appendonly(),
        (true, false) => ctx.engine.stop_appendonly(),
        _ => {}
    }
    let maxmemory = ctx.engine.config.maxmemory;
    if maxmemory != 0 && maxmemory != backup.maxmemory {
        // Redis's `updateMaxmemory` starts evicting at once, in the background.
        ctx.engine.mark_unusual();
        ctx.engine.eviction.pending = true;
    }
    Ok(Reply::ok())
}

/// Resets the counters INFO reports (stats, commandstats, errorstats).
///
/// `CONFIG RESETSTAT`
pub fn config_resetstat_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    ctx.engine.reset_stats();
    Ok(Reply::ok())
}

/// This server, like Redis started without a config file, has no file to rewrite.
///
/// `CONFIG REWRITE`
pub fn config_rewrite_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::new(
        "ERR The server is running without a config file",
    ))
}

/// Describes the subcommands (Redis's help text: it is the command's reply).
///
/// `CONFIG HELP`
pub fn config_help_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(args::help_reply(
        &argv[0],
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn call(engine: &mut Engine, client: u64, words: &[&[u8]]) -> Reply {
        let argv: Vec<Vec<u8>> = words.iter().map(|w| w.to_vec()).collect();
        engine.exec(client, &argv)
    }

    fn get(engine: &mut Engine, client: u64, name: &str) -> Vec<u8> {
        match call(engine, client, &[b"CONFIG", b"GET", name.as_bytes()]) {
            Reply::Array(items) => match items.get(1) {
                Some(Reply::Bulk(v)) => v.to_vec(),
                other => panic!("{name}: {other:?}"),
            },
            other => panic!("{name}: {other:?}"),
        }
    }

    /// A value each settable parameter accepts and shows back unchanged, other than its default.
    fn other_value(i: usize) -> Option<&'static str> {
        use crate::config::Kind;
        let p = &PARAMS[i];
        Some(match (p.name, p.kind) {
            ("notify-keyspace-events", _) => "AKE",
            ("save", _) => "100 2",
            ("bind", _) => "127.0.0.1 -::1",
            ("client-output-buffer-limit", _) => {
                "normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
            }
            ("oom-score-adj-values", _) => "1 2 3",
            ("latency-tracking-info-percentiles", _) => "50 99.99",
            ("proc-title-template", _) => "{title} {port}",
            ("cluster-announce-hostname", _) => "host.example",
            // Settings that cannot be turned on here, as on Debian's Redis without certificates.
            ("activedefrag" | "tls-port" | "tls-cluster" | "tls-replication", _) => return None,
            ("maxmemory-policy", _) => "allkeys-lfu",
            ("shutdown-on-sigint" | "shutdown-on-sigterm", _) => "nosave now",
            (_, Kind::Bool) => {
                if p.default == "yes" {
                    "no"
                } else {
                    "yes"
                }
            }
            (_, Kind::Enum { names, .. }) => names.iter().find(|(n, _)| *n != p.default)?.0,
            (_, Kind::Text { .. }) => "some-value",
            ("hz", _) => "100",
            (_, Kind::Num(_)) => ["1", "2", "2097152"]
                .into_iter()
                .find(|v| *v != p.default && p.parse(v.as_bytes(), &Val::Num(0)).is_ok())?,
            (_, Kind::Special { .. }) => return None,
        })
    }

    #[test]
    fn every_parameter_round_trips_through_get_and_set() {
        let mut engine = Engine::new();
        let c = engine.connect();
        for (i, p) in PARAMS.iter().enumerate() {
            let names = std::iter::once(p.name).chain(p.alias);
            for name in names {
                assert_eq!(get(&mut engine, c, name), p.default.as_bytes(), "{name}");
                let set = call(
                    &mut engine,
                    c,
                    &[b"CONFIG", b"SET", name.as_bytes(), p.default.as_bytes()],
                );
                if p.flags & (flag::IMMUTABLE | flag::PROTECTED) != 0 {
                    assert!(set.is_error(), "{name} is not settable");
                    continue;
                }
                assert_eq!(set, Reply::ok(), "{name} accepts its default");
                let Some(other) = other_value(i) else {
                    continue;
                };
                let set = call(
                    &mut engine,
                    c,
                    &[b"CONFIG", b"SET", name.as_bytes(), other.as_bytes()],
                );
                assert_eq!(set, Reply::ok(), "{name} {other}");
                assert_eq!(
                    String::from_utf8_lossy(&get(&mut engine, c, name)),
                    other,
                    "{name}"
                );
                let back = call(
                    &mut engine,
                    c,
                    &[b"CONFIG", b"SET", name.as_bytes(), p.default.as_bytes()],
                );
                assert_eq!(back, Reply::ok(), "{name} back to its default");
            }
        }
    }

    /// `CONFIG GET *` answers Redis's names and values: those of a default redis-server 7.0.15,
    /// recorded in `tests/data/config-get-all.tsv`, but for the differences README documents.
    #[test]
    fn config_get_all_matches_a_default_redis() {
        let recorded: std::collections::BTreeMap<&str, &str> =
            include_str!("../../tests/data/config-get-all.tsv")
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once('\t'))
                .collect();
        let mut engine = Engine::new();
        let c = engine.connect();
        let Reply::Array(items) = call(&mut engine, c, &[b"CONFIG", b"GET", b"*"]) else {
            panic!("CONFIG GET answers an array");
        };
        let ours: std::collections::BTreeMap<String, String> = items
            .chunks(2)
            .map(|pair| match pair {
                [Reply::Bulk(k), Reply::Bulk(v)] => (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                ),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            ours.keys().map(String::as_str).collect::<Vec<_>>(),
            recorded.keys().copied().collect::<Vec<_>>()
        );
        for (name, value) in &recorded {
            let expected = match *name {
                "dir" => "/data",
                "enable-debug-command" => "yes",
                _ => value,
            };
            assert_eq!(
                ours.get(*name).map(String::as_str),
                Some(expected),
                "{name}"
            );
        }
    }

    #[test]
    fn set_updates_the_typed_fields() {
        let mut engine = Engine::new();
        let c = engine.connect();
        for (name, value) in [
            ("maxmemory", "1mb"),
            ("maxmemory-policy", "allkeys-lru"),
            ("hash-max-ziplist-entries", "3"),
            ("notify-keyspace-events", "Kx"),
            ("requirepass", "secret"),
            ("proto-max-bulk-len", "2mb"),
            ("save", ""),
            ("appendfsync", "always"),
        ] {
            assert_eq!(
                call(
                    &mut engine,
                    c,
                    &[b"CONFIG", b"SET", name.as_bytes(), value.as_bytes()]
                ),
                Reply::ok()
            );
        }
        let config = &engine.config;
        assert_eq!(config.maxmemory, 1 << 20);
        assert_eq!(config.maxmemory_policy, crate::EvictionPolicy::AllKeysLru);
        assert_eq!(config.hash_max_listpack_entries, 3);
        assert_eq!(
            config.notify_keyspace_events,
            crate::notify::KEYSPACE | crate::notify::EXPIRED
        );
        assert_eq!(config.requirepass.as_deref(), Some(&b"secret"[..]));
        assert_eq!(config.proto_max_bulk_len, 2 << 20);
        assert!(config.save.is_empty());
        assert_eq!(config.appendfsync, crate::config::AppendFsync::Always);
        // Typed fields set directly show through CONFIG GET.
        engine.config.set_max_intset_entries = 7;
        assert_eq!(get(&mut engine, c, "set-max-intset-entries"), b"7");
    }

    #[test]
    fn a_failed_set_changes_nothing() {
        let mut engine = Engine::new();
        let c = engine.connect();
        assert_eq!(
            call(
                &mut engine,
                c,
                &[b"CONFIG", b"SET", b"maxmemory", b"10", b"hz", b"x"]
            ),
            Reply::error(
                "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"
            )
        );
        assert_eq!(engine.config.maxmemory, 0);
        assert_eq!(
            call(
                &mut engine,
                c,
                &[
                    b"CONFIG",
                    b"SET",
                    b"tls-session-cache-size",
                    b"5",
                    b"tls-replication",
                    b"yes"
                ]
            ),
            Reply::error(
                "ERR CONFIG SET failed (possibly related to argument 'tls-session-cache-size') - Unable to update TLS configuration. Check server logs."
            )
        );
        assert_eq!(get(&mut engine, c, "tls-session-cache-size"), b"20480");
    }
}
