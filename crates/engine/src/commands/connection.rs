//! Connection commands: PING, ECHO, SELECT, HELLO, AUTH, CLIENT, QUIT, RESET.

use crate::ClientId;
use crate::client::Client;
use crate::command::{Command, Ctx, REDIS_VERSION};
use crate::commands::args;
use crate::errors::{CmdResult, RedisError};
use crate::num::parse_i64;
use crate::reply::Reply;
use crate::tracking::{ClientTracking, prefixes_overlap};

/// The connection group's registrations.
pub static COMMANDS: &[Command] = &[
    Command::new(
        "ping",
        ping_command,
        "Checks that the server answers: PONG, or the message given.",
    ),
    Command::new(
        "echo",
        echo_command,
        "Answers with the message it was given.",
    ),
    Command::new(
        "select",
        select_command,
        "Switches this connection to another numbered database.",
    ),
    Command::new(
        "hello",
        hello_command,
        "Greets the server: picks RESP2 or RESP3, optionally authenticates and names the connection.",
    ),
    Command::new(
        "auth",
        auth_command,
        "Authenticates the connection with the password set by requirepass.",
    ),
    Command::new(
        "quit",
        quit_command,
        "Closes the connection after replying OK.",
    ),
    Command::new(
        "reset",
        reset_command,
        "Resets the connection: leaves MULTI, WATCH and subscriptions, back to RESP2, database 0.",
    ),
    Command::new(
        "client",
        client_command,
        "Inspects and manages client connections.",
    ),
    Command::new(
        "client|id",
        client_id_command,
        "Answers this connection's id.",
    ),
    Command::new(
        "client|setname",
        client_setname_command,
        "Names this connection.",
    ),
    Command::new(
        "client|getname",
        client_getname_command,
        "Answers this connection's name, or nil.",
    ),
    Command::new(
        "client|list",
        client_list_command,
        "Describes every connection, one line each.",
    ),
    Command::new(
        "client|info",
        client_info_command,
        "Describes this connection in one line.",
    ),
    Command::new(
        "client|kill",
        client_kill_command,
        "Closes connections chosen by address, id, type or user.",
    ),
    Command::new(
        "client|unblock",
        client_unblock_command,
        "Wakes a client blocked by a blocking command.",
    ),
    Command::new(
        "client|no-evict",
        client_no_evict_command,
        "Protects this connection from client eviction.",
    ),
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
    Command::new(
        "client|help",
        client_help_command,
        "Describes the CLIENT subcommands.",
    ),
];

/// Answers `PONG`, or the message as a bulk string.
///
/// `PING [message]`
///
/// A RESP2 connection in subscribed mode gets `["pong", message]` instead, as Redis answers
/// there.
pub fn ping_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    if argv.len() > 2 {
        return Err(RedisError::wrong_arity(&ctx.spec.name));
    }
    let subscribed = ctx
        .client_mut()
        .is_some_and(|c| c.resp == 2 && c.in_pubsub_context());
    match (subscribed, argv.get(1)) {
        (true, message) => Ok(Reply::Array(vec![
            Reply::bulk(b"pong"),
            Reply::bulk(message.map_or(&[][..], Vec::as_slice)),
        ])),
        (false, None) => Ok(Reply::status("PONG")),
        (false, Some(message)) => Ok(Reply::bulk(message)),
    }
}

/// Answers the message.
///
/// `ECHO message`
pub fn echo_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::bulk(&argv[1]))
}

/// Makes another database (0 to 15) the connection's current one.
///
/// `SELECT index`
pub fn select_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let db = args::db_index(&argv[1])?;
    ctx.select(db);
    Ok(Reply::ok())
}

/// The one user of this server: `default`, whose password is `requirepass` (none: any password
/// is accepted, as for Redis's `nopass` default user).
fn credentials_ok(ctx: &Ctx<'_>, user: &[u8], password: &[u8]) -> bool {
    user == b"default"
        && ctx
            .engine
            .config
            .requirepass
            .as_deref()
            .is_none_or(|p| p == password)
}

const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

/// Checks a client name as Redis's `clientSetNameOrReply`: printable ASCII without spaces.
fn valid_name(name: &[u8]) -> Result<Option<Vec<u8>>, RedisError> {
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err(RedisError::new(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok((!name.is_empty()).then(|| name.to_vec()))
}

/// Switches protocol, optionally authenticating and naming the connection, and describes the
/// server.
///
/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`
pub fn hello_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let version = match argv.get(1) {
        None => None,
        Some(v) => {
            let v = parse_i64(v).ok_or_else(|| {
                RedisError::new("ERR Protocol version is not an integer or out of range")
            })?;
            if !(2..=3).contains(&v) {
                return Err(RedisError::new("NOPROTO unsupported protocol version"));
            }
            Some(v as u8)
        }
    };
    let mut j = 2;
    while let Some(option) = argv.get(j) {
        let more = argv.len() - 1 - j;
        if args::is(option, "auth") && more >= 2 {
            ctx.redact(j + 1);
            ctx.redact(j + 2);
            if !credentials_ok(ctx, &argv[j + 1], &argv[j + 2]) {
                return Err(RedisError::new(WRONGPASS));
            }
            if let Some(c) = ctx.client_mut() {
                c.authenticated = true;
            }
            j += 3;
        } else if args::is(option, "setname") && more >= 1 {
            let name = valid_name(&argv[j + 1])?;
            if let Some(c) = ctx.client_mut() {
                c.name = name;
            }
            j += 2;
        } else {
            return Err(RedisError::owned(format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(args::c_str(option))
            )));
        }
    }
    let id = ctx.client;
    let Some(client) = ctx.client_mut() else {
        return Err(RedisError::new("ERR no such client"));
    };
    if !client.authenticated {
        return Err(RedisError::new(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
        ));
    }
    if let Some(v) = version {
        client.resp = v;
    }
    let proto = i64::from(client.resp);
    let field = |k: &str, v: Reply| (Reply::bulk(k.as_bytes()), v);
    Ok(Reply::Map(vec![
        field("server", Reply::bulk(b"redis")),
        field("version", Reply::bulk(REDIS_VERSION.as_bytes())),
        field("proto", Reply::Integer(proto)),
        field("id", Reply::Integer(id as i64)),
        field("mode", Reply::bulk(b"standalone")),
        field("role", Reply::bulk(b"master")),
        field("modules", Reply::Array(Vec::new())),
    ]))
}

/// Authenticates the connection.
///
/// `AUTH [username] password`
pub fn auth_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    if argv.len() > 3 {
        return Err(RedisError::syntax());
    }
    ctx.redact(1);
    let (user, password) = match argv {
        [_, password] => {
            if ctx.engine.config.requirepass.is_none() {
                return Err(RedisError::new(
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
                ));
            }
            (&b"default"[..], password)
        }
        [_, user, password] => {
            ctx.redact(2);
            (user.as_slice(), password)
        }
        _ => return Err(RedisError::syntax()),
    };
    if !credentials_ok(ctx, user, password) {
        return Err(RedisError::new(WRONGPASS));
    }
    if let Some(c) = ctx.client_mut() {
        c.authenticated = true;
    }
    Ok(Reply::ok())
}

/// Replies OK, then the connection closes.
///
/// `QUIT`
pub fn quit_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    if let Some(c) = ctx.client_mut() {
        c.closing = true;
    }
    Ok(Reply::ok())
}

/// Brings the connection back to its initial state.
///
/// `RESET`
pub fn reset_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    let id = ctx.client;
    ctx.engine.unwatch_all(id);
    ctx.engine.monitors.retain(|&m| m != id);
    ctx.engine.disable_tracking(id);
    let needs_auth = ctx.engine.config.requirepass.is_some();
    let Some(client) = ctx.client_mut() else {
        return Ok(Reply::status("RESET"));
    };
    let channels = std::mem::take(&mut client.channels);
    let patterns = std::mem::take(&mut client.patterns);
    let shards = std::mem::take(&mut client.shard_channels);
    client.multi = None;
    client.multi_error = false;
    client.resp = 2;
    client.name = None;
    client.no_evict = false;
    // Redis clears OFF and a pending SKIP, not a SKIP in effect (RESET's own reply is skipped).
    client.reply_mode &= !(crate::client::reply_mode::OFF | crate::client::reply_mode::SKIP_NEXT);
    if needs_auth {
        client.authenticated = false;
    }
    for c in &channels {
        ctx.engine.pubsub.remove_channel(c, id);
    }
    for p in &patterns {
        ctx.engine.pubsub.remove_pattern(p, id);
    }
    for s in &shards {
        ctx.engine.pubsub.remove_shard_channel(s, id);
    }
    ctx.select(0);
    Ok(Reply::status("RESET"))
}

/// Only reached with a known subcommand missing, which dispatch already refused.
///
/// `CLIENT <subcommand>`
pub fn client_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::wrong_arity("client"))
}

/// Answers the connection id.
///
/// `CLIENT ID`
pub fn client_id_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(ctx.client as i64))
}

/// Names the connection (an empty name removes it).
///
/// `CLIENT SETNAME connection-name`
pub fn client_setname_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let name = valid_name(&argv[2])?;
    if let Some(c) = ctx.client_mut() {
        c.name = name;
    }
    Ok(Reply::ok())
}

/// Answers the connection's name.
///
/// `CLIENT GETNAME`
pub fn client_getname_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(ctx
        .client_mut()
        .and_then(|c| c.name.clone())
        .map_or(Reply::Nil, Reply::from))
}

/// The simulated address of a connection: loopback, a port derived from its id.
pub(crate) fn addr(id: ClientId) -> String {
    format!("127.0.0.1:{}", 40_000 + id % 20_000)
}

/// One `CLIENT LIST` line, with Redis's fields; sizes are those of an idle connection.
fn describe(c: &Client, blocked: bool, monitor: bool, now_ms: i64) -> String {
    // Redis's letters, in its order.
    let mut flags = String::new();
    if monitor {
        flags.push('O');
    }
    if c.in_pubsub_context() {
        flags.push('P');
    }
    if c.multi.is_some() {
        flags.push('x');
    }
    if blocked {
        flags.push('b');
    }
    if let Some(t) = c.tracking.as_deref() {
        flags.push('t');
        if t.broken_redirect {
            flags.push('R');
        }
        if t.bcast {
            flags.push('B');
        }
    }
    if c.dirty_cas {
        flags.push('d');
    }
    if c.no_evict {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let multi = c.multi.as_ref().map_or(-1, |q| q.len() as i64);
    format!(
        "id={id} addr={addr} laddr=127.0.0.1:6379 fd={fd} name={name} age={age} idle={idle} flags={flags} db={db} sub={sub} psub={psub} ssub={ssub} multi={multi} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1024 events=r cmd={cmd} user=default redir={redir} resp={resp}\n",
        id = c.id,
        addr = addr(c.id),
        fd = 7 + c.id,
        name = String::from_utf8_lossy(c.name.as_deref().unwrap_or_default()),
        age = (now_ms - c.created_ms).max(0) / 1000,
        idle = (now_ms - c.last_interaction_ms).max(0) / 1000,
        db = c.db,
        sub = c.channels.len(),
        psub = c.patterns.len(),
        ssub = c.shard_channels.len(),
        cmd = c.last_command,
        redir = redirection(Some(c)),
        resp = c.resp,
    )
}

/// The types `CLIENT LIST TYPE` and `CLIENT KILL TYPE` accept.
fn client_type_matches(c: &Client, kind: &[u8]) -> Result<bool, RedisError> {
    match args::c_str(kind).to_ascii_lowercase().as_slice() {
        b"normal" => Ok(!c.in_pubsub_context()),
        b"pubsub" => Ok(c.in_pubsub_context()),
        b"master" | b"replica" | b"slave" => Ok(false),
        _ => Err(RedisError::owned(format!(
            "ERR Unknown client type '{}'",
            String::from_utf8_lossy(kind)
        ))),
    }
}

/// Describes connections.
///
/// `CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]`
pub fn client_list_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let now = ctx.now();
    let mut kind: Option<&[u8]> = None;
    let mut ids: Option<Vec<ClientId>> = None;
    match argv.get(2) {
        None => {}
        Some(option) if args::is(option, "type") && argv.len() == 4 => kind = Some(&argv[3]),
        Some(option) if args::is(option, "id") && argv.len() >= 4 => {
            let mut list = Vec::new();
            for id in &argv[3..] {
                // Any integer is accepted; ids that match no client select nothing.
                match parse_i64(id) {
                    Some(n) => list.extend(u64::try_from(n).ok()),
                    None => return Err(RedisError::new("ERR Invalid client ID")),
                }
            }
            ids = Some(list);
        }
        Some(_) => return Err(RedisError::syntax()),
    }
    let mut out = String::new();
    for c in ctx.engine.clients.values() {
        if let Some(kind) = kind
            && !client_type_matches(c, kind)?
        {
            continue;
        }
        if ids.as_ref().is_some_and(|ids| !ids.contains(&c.id)) {
            continue;
        }
        out.push_str(&describe(
            c,
            ctx.engine.is_blocked(c.id),
            ctx.engine.monitors.contains(&c.id),
            now,
        ));
    }
    Ok(Reply::Verbatim("txt", out.into_bytes()))
}

/// Describes this connection.
///
/// `CLIENT INFO`
pub fn client_info_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    let now = ctx.now();
    let line = ctx
        .engine
        .clients
        .get(&ctx.client)
        .map(|c| describe(c, false, ctx.engine.monitors.contains(&c.id), now))
        .unwrap_or_default();
    Ok(Reply::Verbatim("txt", line.into_bytes()))
}

/// Closes connections: by address (old form, answers OK or an error), or by filters (answers
/// how many were closed; the caller is spared unless `SKIPME no`).
///
/// `CLIENT KILL ip:port | [ID id] [TYPE type] [USER name] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no]`
pub fn client_kill_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let me = ctx.client;
    if argv.len() == 3 {
        let target = ctx
            .engine
            .clients
            .values()
            .find(|c| addr(c.id).as_bytes() == argv[2].as_slice())
            .map(|c| c.id);
        let Some(id) = target else {
            return Err(RedisError::new("ERR No such client"));
        };
        kill(ctx, id);
        return Ok(Reply::ok());
    }
    if !argv.len().is_multiple_of(2) {
        return Err(RedisError::syntax());
    }
    let (mut id, mut kind, mut user, mut address, mut laddr, mut skipme) =
        (None, None, None, None, None, true);
    for pair in argv[2..].chunks(2) {
        let [option, value] = pair else {
            return Err(RedisError::syntax());
        };
        if args::is(option, "id") {
            match parse_i64(value) {
                Some(n) if n > 0 => id = Some(n as ClientId),
                _ => return Err(RedisError::new("ERR client-id should be greater than 0")),
            }
        } else if args::is(option, "type") {
            if let Some(c) = ctx.engine.clients.get(&me) {
                client_type_matches(c, value)?;
            }
            kind = Some(value.clone());
        } else if args::is(option, "user") {
            if value.as_slice() != b"default" {
                return Err(RedisError::owned(format!(
                    "ERR No such user '{}'",
                    String::from_utf8_lossy(value)
                )));
            }
            user = Some(value.clone());
        } else if args::is(option, "addr") {
            address = Some(value.clone());
        } else if args::is(option, "laddr") {
            laddr = Some(value.clone());
        } else if args::is(option, "skipme") {
            skipme = if args::is(value, "yes") {
                true
            } else if args::is(value, "no") {
                false
            } else {
                return Err(RedisError::syntax());
            };
        } else {
            return Err(RedisError::syntax());
        }
    }
    let mut victims = Vec::new();
    for c in ctx.engine.clients.values() {
        if id.is_some_and(|id| id != c.id)
            || address
                .as_ref()
                .is_some_and(|a| a.as_slice() != addr(c.id).as_bytes())
            || laddr
                .as_ref()
                .is_some_and(|a| a.as_slice() != b"127.0.0.1:6379")
            || (skipme && c.id == me)
        {
            continue;
        }
        if let Some(kind) = &kind
            && !client_type_matches(c, kind)?
        {
            continue;
        }
        let _ = &user;
        victims.push(c.id);
    }
    for &victim in &victims {
        kill(ctx, victim);
    }
    Ok(Reply::Integer(victims.len() as i64))
}

/// Closes a connection: the caller's own closes after this reply, any other at once.
fn kill(ctx: &mut Ctx<'_>, id: ClientId) {
    if id == ctx.client {
        if let Some(c) = ctx.client_mut() {
            c.closing = true;
        }
    } else {
        ctx.engine.disconnect(id);
    }
}

/// Wakes a blocked client; answers 1 if it was blocked, 0 otherwise.
///
/// `CLIENT UNBLOCK client-id [TIMEOUT|ERROR]`
pub fn client_unblock_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let id = parse_i64(&argv[2]).ok_or_else(RedisError::not_integer)?;
    let with_error = match argv.get(3) {
        None => false,
        Some(reason) if args::is(reason, "timeout") => false,
        Some(reason) if args::is(reason, "error") => true,
        Some(_) => {
            return Err(RedisError::new(
                "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ));
        }
    };
    let unblocked = u64::try_from(id).is_ok_and(|id| ctx.engine.unblock(id, with_error));
    Ok(Reply::Integer(i64::from(unblocked)))
}

/// Turns client-eviction protection on or off. It concerns Redis's eviction of *clients*
/// (`maxmemory-clients`, disconnecting connections whose buffers take too much memory), which
/// the engine does not do: the flag is kept and shown in `CLIENT LIST`/`CLIENT INFO`
/// (`flags=e`), and has no other effect. Key eviction under `maxmemory` ignores it, as Redis's.
///
/// `CLIENT NO-EVICT ON|OFF`
pub fn client_no_evict_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let on = if args::is(&argv[2], "on") {
        true
    } else if args::is(&argv[2], "off") {
        false
    } else {
        return Err(RedisError::syntax());
    };
    if let Some(c) = ctx.client_mut() {
        c.no_evict = on;
    }
    Ok(Reply::ok())
}

/// Describes the subcommands (Redis's help text: it is the command's reply).
///
/// `CLIENT HELP`
pub fn client_help_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(args::help_reply(
        &argv[0],
        &[
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ],
    ))
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
    Ok(Reply::Integer(redirection(ctx.client_mut().map(|c| &*c))))
}

/// `redir=` and `CLIENT GETREDIR`: the redirection when tracking (0: none), else -1.
fn redirection(c: Option<&Client>) -> i64 {
    c.and_then(|c| c.tracking.as_deref())
        .map_or(-1, |t| i64::try_from(t.redirect).unwrap_or(i64::MAX))
}

/// Describes the connection's tracking: its flags, redirection and BCAST prefixes.
///
/// `CLIENT TRACKINGINFO`
pub fn client_trackinginfo_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    let client = ctx.client_mut().map(|c| &*c);
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
            Reply::Integer(redirection(client)),
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
mod reply_tests {
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
