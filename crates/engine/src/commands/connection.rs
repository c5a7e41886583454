//! Connection commands: PING, ECHO, SELECT, HELLO, AUTH, CLIENT, QUIT, RESET. CLIENT TRACKING,
//! CACHING, GETREDIR, TRACKINGINFO, REPLY, PAUSE and UNPAUSE are in `client_modes`.

use crate::ClientId;
use crate::client::Client;
use crate::command::{Command, Ctx, REDIS_VERSION};
use crate::commands::args;
use crate::errors::{CmdResult, RedisError};
use crate::num::parse_i64;
use crate::reply::Reply;

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
        .client()
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
    for c in channels.iter() {
        ctx.engine.pubsub.remove_channel(c, id);
    }
    for p in patterns.iter() {
        ctx.engine.pubsub.remove_pattern(p, id);
    }
    for s in shards.iter() {
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
        .client()
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

/// `redir=` and `CLIENT GETREDIR`: the redirection when tracking (0: none), else -1.
pub(crate) fn redirection(c: Option<&Client>) -> i64 {
    c.and_then(|c| c.tracking.as_deref())
        .map_or(-1, |t| i64::try_from(t.redirect).unwrap_or(i64::MAX))
}
