//! CLIENT's subcommands that change how a connection is served, loaded on first use in the page
//! build (a family of their own, see `crate::lazy`): TRACKING, CACHING, GETREDIR and
//! TRACKINGINFO (server-assisted client-side caching), REPLY, PAUSE and UNPAUSE. Only their
//! parsing and replies live here; what every command pays for them (the tracking of read keys
//! and their invalidation in `crate::tracking`, the per-command REPLY flags and held commands in
//! `crate::client` and `crate::blocking`) is the engine's, always loaded. The other CLIENT
//! subcommands, which client libraries send on connect, are in `connection`.

use crate::command::{Command, Ctx};
use crate::commands::{args, connection};
use crate::errors::{CmdResult, RedisError};
use crate::num::parse_i64;
use crate::reply::Reply;
use crate::tracking::{ClientTracking, prefixes_overlap};

// The registrations: subcommands of `client`, whose container is in `connection`.
crate::lazy::commands! { ClientModes, client_modes;
    Command::new(
        "client|tracking",
        client_tracking_command,
        "Turns server-assisted client-side caching on or off for this connection.",
    ),
    Command::new(
        "client|caching",
        client_caching_command,
        "Says whether the next command's keys are tracked, in OPTIN or OPTOUT mode.",
    ),
    Command::new(
        "client|getredir",
        client_getredir_command,
        "Answers the client invalidation messages are redirected to.",
    ),
    Command::new(
        "client|trackinginfo",
        client_trackinginfo_command,
        "Describes this connection's tracking mode.",
    ),
    Command::new(
        "client|reply",
        client_reply_command,
        "Turns the server's replies to this connection on or off, or skips the next one.",
    ),
    Command::new(
        "client|pause",
        client_pause_command,
        "Holds back every client's commands, or only those that write, for a number of milliseconds.",
    ),
    Command::new(
        "client|unpause",
        client_unpause_command,
        "Ends a CLIENT PAUSE: the held commands run.",
    ),
}

/// Turns client-side caching on (with its options) or off.
///
/// `CLIENT TRACKING ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]`
pub fn client_tracking_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let mut redirect: i64 = 0;
    let mut mode = ClientTracking::default();
    let mut prefixes: Vec<Vec<u8>> = Vec::new();
    let mut j = 3;
    while let Some(option) = argv.get(j) {
        let more = j + 1 < argv.len();
        if args::is(option, "redirect") && more {
            j += 1;
            if redirect != 0 {
                return Err(RedisError::new(
                    "ERR A client can only redirect to a single other client",
                ));
            }
            redirect = parse_i64(&argv[j]).ok_or_else(RedisError::not_integer)?;
            if !u64::try_from(redirect).is_ok_and(|id| ctx.engine.is_connected(id)) {
                return Err(RedisError::new(
                    "ERR The client ID you want redirect to does not exist",
                ));
            }
        } else if args::is(option, "bcast") {
            mode.bcast = true;
        } else if args::is(option, "optin") {
            mode.optin = true;
        } else if args::is(option, "optout") {
            mode.optout = true;
        } else if args::is(option, "noloop") {
            mode.noloop = true;
        } else if args::is(option, "prefix") && more {
            j += 1;
            prefixes.push(argv[j].clone());
        } else {
            return Err(RedisError::syntax());
        }
        j += 1;
    }
    if args::is(&argv[2], "off") {
        ctx.engine.disable_tracking(ctx.client);
        return Ok(Reply::ok());
    }
    if !args::is(&argv[2], "on") {
        return Err(RedisError::syntax());
    }
    if !mode.bcast && !prefixes.is_empty() {
        return Err(RedisError::new(
            "ERR PREFIX option requires BCAST mode to be enabled",
        ));
    }
    let current = ctx
        .engine
        .clients
        .get(&ctx.client)
        .and_then(|c| c.tracking.as_deref())
        .cloned();
    if let Some(current) = &current
        && current.bcast != mode.bcast
    {
        return Err(RedisError::new(
            "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
        ));
    }
    if mode.bcast && (mode.optin || mode.optout) {
        return Err(RedisError::new(
            "ERR OPTIN and OPTOUT are not compatible with BCAST",
        ));
    }
    if mode.optin && mode.optout {
        return Err(RedisError::new(
            "ERR You can't specify both OPTIN mode and OPTOUT mode",
        ));
    }
    if let Some(current) = &current
        && ((mode.optin && current.optout) || (mode.optout && current.optin))
    {
        return Err(RedisError::new(
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
        ));
    }
    if mode.bcast {
        let existing = current.map(|c| c.prefixes).unwrap_or_default();
        check_prefix_collisions(ctx, &existing, &prefixes)?;
    }
    let redirect = u64::try_from(redirect).unwrap_or(0);
    ctx.engine
        .enable_tracking(ctx.client, redirect, &mode, &prefixes);
    Ok(Reply::ok())
}

/// Redis's `checkPrefixCollisionsOrReply`: a new prefix may not overlap one the client has,
/// nor another new one. Redis 7.0 has a slip here, kept since the oracle shows it: an overlap
/// between two new prefixes found past the first answers the error and then goes on to enable
/// tracking, which answers OK too (two replies).
fn check_prefix_collisions(
    ctx: &mut Ctx<'_>,
    existing: &std::collections::BTreeSet<Vec<u8>>,
    prefixes: &[Vec<u8>],
) -> Result<(), RedisError> {
    let shown = |p: &[u8]| String::from_utf8_lossy(args::c_str(p)).into_owned();
    for (i, prefix) in prefixes.iter().enumerate() {
        if let Some(old) = existing.iter().find(|old| prefixes_overlap(old, prefix)) {
            return Err(RedisError::owned(format!(
                "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single client must not overlap.",
                shown(prefix),
                shown(old)
            )));
        }
        if let Some(other) = prefixes
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .find(|other| prefixes_overlap(prefix, other))
        {
            let error = RedisError::owned(format!(
                "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single client must not overlap.",
                shown(prefix),
                shown(other)
            ));
            if i == 0 {
                return Err(error);
            }
            ctx.engine.count_error(&error.0);
            ctx.emit(error.into());
            return Ok(());
        }
    }
    Ok(())
}

/// In OPTIN mode (`YES`) or OPTOUT mode (`NO`), makes the next command's keys tracked, or not.
///
/// `CLIENT CACHING YES|NO`
pub fn client_caching_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let Some(state) = ctx.client_mut().and_then(|c| c.tracking.as_deref_mut()) else {
        return Err(RedisError::new(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
        ));
    };
    if args::is(&argv[2], "yes") {
        if !state.optin {
            return Err(RedisError::new(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            ));
        }
    } else if args::is(&argv[2], "no") {
        if !state.optout {
            return Err(RedisError::new(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            ));
        }
    } else {
        return Err(RedisError::syntax());
    }
    state.caching = true;
    Ok(Reply::ok())
}

/// The id of the client invalidations are redirected to: 0 for none, -1 when tracking is off.
///
/// `CLIENT GETREDIR`
pub fn client_getredir_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(connection::redirection(ctx.client())))
}

/// Describes the connection's tracking: its flags, redirection and BCAST prefixes.
///
/// `CLIENT TRACKINGINFO`
pub fn client_trackinginfo_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    let client = ctx.client();
    let state = client.and_then(|c| c.tracking.as_deref());
    let mut flags = Vec::new();
    let mut flag = |name: &str| flags.push(Reply::bulk(name.as_bytes()));
    match state {
        None => flag("off"),
        Some(t) => {
            flag("on");
            if t.bcast {
                flag("bcast");
            }
            if t.optin {
                flag("optin");
                if t.caching {
                    flag("caching-yes");
                }
            }
            if t.optout {
                flag("optout");
                if t.caching {
                    flag("caching-no");
                }
            }
            if t.noloop {
                flag("noloop");
            }
            if t.broken_redirect {
                flag("broken_redirect");
            }
        }
    }
    let prefixes = state
        .map(|t| t.prefixes.iter().map(|p| Reply::bulk(p)).collect())
        .unwrap_or_default();
    Ok(Reply::Map(vec![
        (Reply::bulk(b"flags"), Reply::Set(flags)),
        (
            Reply::bulk(b"redirect"),
            Reply::Integer(connection::redirection(client)),
        ),
        (Reply::bulk(b"prefixes"), Reply::Array(prefixes)),
    ]))
}

/// Turns replies to this connection off or on, or skips the next command's. Pushed messages
/// (pub/sub, invalidations) still arrive.
///
/// `CLIENT REPLY ON|OFF|SKIP`
pub fn client_reply_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    use crate::client::reply_mode::{OFF, SKIP, SKIP_NEXT};
    let Some(c) = ctx.client_mut() else {
        return Ok(Reply::ok());
    };
    // The replies of OFF and SKIP are silenced once the command is done (see client.rs).
    if args::is(&argv[2], "on") {
        c.reply_mode &= !(SKIP | OFF);
    } else if args::is(&argv[2], "off") {
        c.reply_mode |= OFF;
    } else if args::is(&argv[2], "skip") {
        if c.reply_mode & OFF == 0 {
            c.reply_mode |= SKIP_NEXT;
        }
    } else {
        return Err(RedisError::syntax());
    }
    Ok(Reply::ok())
}

/// Holds back commands on the virtual clock: all of them, or (`WRITE`) those that may write;
/// they wait as blocked clients do and run, in order, once the clock is past the end or at
/// `CLIENT UNPAUSE`. Keys do not expire nor get evicted meanwhile (an expired key reads as
/// missing). A pause in effect is extended, and made `ALL` if either is.
///
/// `CLIENT PAUSE timeout [WRITE|ALL]`
pub fn client_pause_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    if argv.len() > 4 {
        return Err(args::subcommand_syntax_error(argv));
    }
    let write_only = match argv.get(3) {
        None => false,
        Some(mode) if args::is(mode, "write") => true,
        Some(mode) if args::is(mode, "all") => false,
        Some(_) => {
            return Err(RedisError::new(
                "ERR CLIENT PAUSE mode must be WRITE or ALL",
            ));
        }
    };
    let timeout = parse_i64(&argv[2])
        .ok_or_else(|| RedisError::new("ERR timeout is not an integer or out of range"))?;
    if timeout < 0 {
        return Err(RedisError::new("ERR timeout is negative"));
    }
    // As Redis: 0 is an end in the past (no pause), and the sum wraps past i64::MAX (an end in
    // the past too).
    let end = if timeout > 0 {
        timeout.wrapping_add(ctx.now())
    } else {
        0
    };
    ctx.engine.pause_clients(end, write_only);
    Ok(Reply::ok())
}

/// Ends the pause: the commands it held back run, in the order they came.
///
/// `CLIENT UNPAUSE`
pub fn client_unpause_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    if ctx.engine.paused() {
        ctx.engine.blocking.pause = None;
        ctx.engine.blocking.resume_pending = true;
    }
    Ok(Reply::ok())
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Reply};

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    /// From Redis 7.0.15 over TCP (raw RESP): `CLIENT REPLY SKIP`, `BLPOP l 0` (blocks), another
    /// client's `RPUSH l x`: the served BLPOP reply is skipped, and the command after it answers
    /// again (`[a] 'PING' -> b'+PONG'` after the wait).
    #[test]
    fn skip_before_a_blocking_command_skips_its_served_reply() {
        let mut engine = Engine::new();
        let a = engine.connect();
        let w = engine.connect();
        assert!(engine.call(a, &argv("CLIENT REPLY SKIP")).is_empty());
        assert!(engine.call(a, &argv("BLPOP l 0")).is_empty());
        engine.call(w, &argv("RPUSH l x"));
        assert!(engine.take_output(a).is_empty());
        assert_eq!(engine.call(a, &argv("PING")), [Reply::status("PONG")]);
    }

    /// With `CLIENT REPLY OFF`, a blocked command's timeout reply is not sent either.
    #[test]
    fn off_silences_a_timeout_reply() {
        let mut engine = Engine::new();
        engine.set_time(1_000);
        let a = engine.connect();
        engine.call(a, &argv("CLIENT REPLY OFF"));
        assert!(engine.call(a, &argv("BLPOP l 1")).is_empty());
        engine.advance(2_000);
        assert!(engine.take_output(a).is_empty());
        assert_eq!(engine.call(a, &argv("CLIENT REPLY ON")), [Reply::ok()]);
    }
}
