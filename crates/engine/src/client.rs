//! Client connections: their state (database, protocol, name, authentication, MULTI queue,
//! watched keys, subscriptions) and what a connection receives.
//!
//! A connection is modelled as its receive buffer. [`Engine::call`] runs one command and
//! returns everything the connection reads because of it, in order: messages pushed to it
//! during the command (a `PUBLISH` to a channel it listens to), then the command's replies — none
//! while a blocking command waits, one usually, several for `SUBSCRIBE a b`. What arrives later
//! (messages published by other clients, the reply of a blocked command once served) is read
//! with [`Engine::take_output`].

use std::collections::VecDeque;

use crate::ClientId;
use crate::command::{CommandSpec, Registry, flag};
use crate::engine::{Ctx, Engine};
use crate::errors::RedisError;
use crate::keyspace::Dict;
use crate::reply::Reply;

/// Per-connection state. Its flags mirror Redis's client flags one for one, hence many bools.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)]
pub struct Client {
    /// The connection's id (`CLIENT ID`).
    pub id: ClientId,
    /// Selected database.
    pub db: usize,
    /// Protocol version (2 or 3).
    pub resp: u8,
    /// Name set by `CLIENT SETNAME` or `HELLO … SETNAME`.
    pub name: Option<Vec<u8>>,
    /// Whether the connection may run commands when `requirepass` is set.
    pub authenticated: bool,
    /// Virtual time the connection was opened.
    pub created_ms: i64,
    /// Virtual time of its last command.
    pub last_interaction_ms: i64,
    /// Full name of its last command (`CLIENT LIST`'s `cmd=`).
    pub last_command: &'static str,
    /// Commands queued since `MULTI`, if in a transaction.
    pub multi: Option<Vec<Vec<Vec<u8>>>>,
    /// A command was refused while queueing: `EXEC` will answer `EXECABORT`.
    pub multi_error: bool,
    /// `WATCH`ed keys: database, key, and whether it was already expired when watched.
    pub watched: Vec<(usize, Vec<u8>, bool)>,
    /// A watched key was touched: `EXEC` will abort.
    pub dirty_cas: bool,
    /// Subscribed channels.
    pub channels: Subscriptions,
    /// Subscribed patterns.
    pub patterns: Patterns,
    /// Subscribed shard channels.
    pub shard_channels: Subscriptions,
    /// `CLIENT NO-EVICT`.
    pub no_evict: bool,
    /// The connection closes once its pending output is read (`QUIT`, `CLIENT KILL`).
    pub closing: bool,
    /// What the connection has received and the host has not read yet.
    pub outbox: VecDeque<Reply>,
    /// When the outbox last began to fill, on the engine's count of such beginnings (see
    /// [`Engine::pending_output`]); meaningless while it is empty.
    output_since: u64,
    /// `CLIENT TRACKING` mode, when on.
    pub tracking: Option<Box<crate::tracking::ClientTracking>>,
    /// `CLIENT REPLY` state ([`reply_mode`] bits; 0: replies are sent).
    pub reply_mode: u8,
    /// An array sent with fewer elements than it announced, which the next replies complete
    /// (see [`OpenArray`]); [`reply_mode::ARRAY_OPEN`] is set meanwhile.
    pub open_array: Option<Box<OpenArray>>,
}

/// An `EXEC` reply whose header announced one element per queued command when `CLIENT REPLY
/// OFF` or `SKIP` inside the transaction kept some replies from following: Redis writes the
/// header and the replies it did send, and a client reading the stream takes the connection's
/// next replies as the missing elements. The engine holds the array until they arrive and
/// delivers it whole then: the same stream, parsed.
#[derive(Debug, Clone, Default)]
pub struct OpenArray {
    /// The elements sent so far.
    pub items: Vec<Reply>,
    /// How many more the header announced.
    pub missing: usize,
}

impl OpenArray {
    /// Takes `reply` as the next element; answers the array once complete.
    fn take(&mut self, reply: Reply) -> Option<Reply> {
        self.items.push(reply);
        self.missing = self.missing.saturating_sub(1);
        (self.missing == 0).then(|| Reply::Array(std::mem::take(&mut self.items)))
    }
}

/// The bits of [`Client::reply_mode`], as Redis's `CLIENT_REPLY_*` flags.
pub mod reply_mode {
    /// `CLIENT REPLY OFF`: no replies until `CLIENT REPLY ON`.
    pub const OFF: u8 = 1;
    /// The running command's replies are dropped (`CLIENT REPLY SKIP` ran just before).
    pub const SKIP: u8 = 1 << 1;
    /// `CLIENT REPLY SKIP` ran: the next command's replies are dropped.
    pub const SKIP_NEXT: u8 = 1 << 2;
    /// An array awaits its last elements ([`super::Client::open_array`]).
    pub const ARRAY_OPEN: u8 = 1 << 3;
    /// The running command (`EXEC`) opened that array: its reply is the array's start, sent
    /// before `CLIENT REPLY OFF` took effect.
    pub const ARRAY_OPENED: u8 = 1 << 4;
    /// The running command (`EXEC`) shaped each of its replies for the protocol in force when
    /// it was written (`HELLO` inside the transaction): no conversion afterwards.
    pub const SHAPED: u8 = 1 << 5;
    /// The running command (`EXEC`) dropped the replies `CLIENT REPLY` silenced as they were
    /// written (inside the transaction): none is dropped once it is done.
    pub const FILTERED: u8 = 1 << 6;
}

impl Client {
    fn new(id: ClientId, now_ms: i64, authenticated: bool) -> Self {
        Client {
            id,
            db: 0,
            resp: 2,
            name: None,
            authenticated,
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_command: "NULL",
            multi: None,
            multi_error: false,
            watched: Vec::new(),
            dirty_cas: false,
            channels: Subscriptions::default(),
            patterns: Patterns::default(),
            shard_channels: Subscriptions::default(),
            no_evict: false,
            closing: false,
            outbox: VecDeque::new(),
            output_since: 0,
            tracking: None,
            reply_mode: 0,
            open_array: None,
        }
    }

    /// Before output joins the outbox: an empty one begins to fill now (see
    /// [`Engine::pending_output`]).
    pub(crate) fn note_output(&mut self, count: &mut u64) {
        if self.outbox.is_empty() {
            *count += 1;
            self.output_since = *count;
        }
    }

    /// Channel and pattern subscriptions (shard channels are counted apart, as in Redis).
    pub fn subscription_count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// Whether `CLIENT TRACKING` is on.
    pub fn is_tracking(&self) -> bool {
        self.tracking.is_some()
    }

    /// Whether the connection is in subscribed mode: with RESP2, only (un)subscribe commands,
    /// PING, QUIT and RESET are then allowed.
    pub fn in_pubsub_context(&self) -> bool {
        self.subscription_count() + self.shard_channels.len() > 0
    }
}

/// The open connections, by id (taken by reference, as a map's keys are). Ids only grow, so
/// the connections are kept in a vector in the order they connected, which is also the order
/// of their ids: a lookup is a binary search over a few entries (usually one or two) and
/// `CLIENT LIST` reads them in id order.
///
/// It also carries the engine's [`Clients::unusual`] flag: whether the work around a command
/// must look at the rare states (see [`Engine::needs_attention`]). Every way to change a
/// connection ([`Clients::get_mut`], [`Clients::insert`]) sets it, so that a command that may
/// have switched on `CLIENT REPLY`, tracking, closing or a pending output is never taken for
/// a plain one; the engine-wide rare states set it where they begin
/// ([`Engine::mark_unusual`]). Only the dispatch clears it, when none of them holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clients {
    list: Vec<Client>,
    /// Some rare state may hold (never false while one does).
    unusual: bool,
}

// The methods take ids by reference, as the map they replace did, so that callers read alike.
#[allow(clippy::trivially_copy_pass_by_ref)]
impl Clients {
    /// Where the connection `id` is.
    #[inline]
    fn position(&self, id: ClientId) -> Option<usize> {
        self.list.binary_search_by_key(&id, |c| c.id).ok()
    }

    /// The connection `id`.
    #[inline]
    pub(crate) fn get(&self, id: &ClientId) -> Option<&Client> {
        self.list.get(self.position(*id)?)
    }

    /// The connection `id`, to change it (which may need the dispatch's attention: see
    /// [`Clients`]).
    #[inline]
    pub(crate) fn get_mut(&mut self, id: &ClientId) -> Option<&mut Client> {
        self.unusual = true;
        self.get_mut_plain(id)
    }

    /// The connection `id`, for the dispatch's own bookkeeping, which changes none of the
    /// fields [`Engine::needs_attention`] reads.
    #[inline]
    fn get_mut_plain(&mut self, id: &ClientId) -> Option<&mut Client> {
        let at = self.position(*id)?;
        self.list.get_mut(at)
    }

    /// Whether the connection `id` is open.
    pub(crate) fn contains_key(&self, id: &ClientId) -> bool {
        self.position(*id).is_some()
    }

    /// Adds a connection (replacing one with the same id).
    pub(crate) fn insert(&mut self, client: Client) {
        self.unusual = true;
        match self.list.last() {
            Some(last) if last.id >= client.id => {
                match self.list.binary_search_by_key(&client.id, |c| c.id) {
                    Ok(at) => {
                        if let Some(slot) = self.list.get_mut(at) {
                            *slot = client;
                        }
                    }
                    Err(at) => self.list.insert(at, client),
                }
            }
            _ => self.list.push(client),
        }
    }

    /// Removes the connection `id`, handing it over.
    pub(crate) fn remove(&mut self, id: &ClientId) -> Option<Client> {
        let at = self.position(*id)?;
        self.unusual = true;
        Some(self.list.remove(at))
    }

    /// The ids of the connections, ascending.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &ClientId> {
        self.list.iter().map(|c| &c.id)
    }

    /// The connections, by ascending id.
    pub(crate) fn values(&self) -> std::slice::Iter<'_, Client> {
        self.list.iter()
    }

    /// How many connections are open.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }
}

/// A connection's channels (or shard channels). Redis 7.0 keeps them in a hash table, so
/// `UNSUBSCRIBE` without arguments goes through them in the table's order: here the engine's
/// table's ([`Dict::iter`]), neither the order of subscription nor any sorted one.
#[derive(Debug, Clone, Default)]
pub struct Subscriptions(Dict<()>);

impl Subscriptions {
    /// Adds a name; false if it was already there.
    pub fn insert(&mut self, name: &[u8]) -> bool {
        self.0.insert(name, ()).1.is_none()
    }

    /// Removes a name; false if it was not there.
    pub fn remove(&mut self, name: &[u8]) -> bool {
        self.0.remove(name).is_some()
    }

    /// Whether the name is there.
    pub fn contains(&self, name: &[u8]) -> bool {
        self.0.contains(name)
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names, in the table's order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.0.iter().map(|(name, ())| name)
    }
}

/// A connection's patterns, in the order it subscribed to them: Redis 7.0 keeps them in a
/// list, so `PUNSUBSCRIBE` without arguments goes through them in that order.
#[derive(Debug, Clone, Default)]
pub struct Patterns(Vec<Vec<u8>>);

impl Patterns {
    /// Adds a pattern; false if it was already there.
    pub fn insert(&mut self, pattern: &[u8]) -> bool {
        if self.contains(pattern) {
            return false;
        }
        self.0.push(pattern.to_vec());
        true
    }

    /// Removes a pattern; false if it was not there.
    pub fn remove(&mut self, pattern: &[u8]) -> bool {
        let before = self.0.len();
        self.0.retain(|p| p != pattern);
        self.0.len() != before
    }

    /// Whether the pattern is there.
    pub fn contains(&self, pattern: &[u8]) -> bool {
        self.0.iter().any(|p| p == pattern)
    }

    /// How many patterns.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The patterns, oldest subscription first.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.0.iter().map(Vec::as_slice)
    }
}

/// Commands a RESP2 client may send while subscribed.
const ALLOWED_WHILE_SUBSCRIBED: &[&str] = &[
    "subscribe",
    "psubscribe",
    "ssubscribe",
    "unsubscribe",
    "punsubscribe",
    "sunsubscribe",
    "ping",
    "quit",
    "reset",
];

/// Redis's `shared.oomerr`: a command refused because memory stays above `maxmemory`.
pub const OOM_ERROR: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// Where [`Engine::run_call`] left what a connection receives because of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivered {
    /// All of it is what was appended to the caller's buffer: the outbox is empty and the
    /// connection stays open (the usual case; nothing else to look at).
    Held,
    /// The caller's buffer, then whatever the connection's outbox holds; the connection may
    /// be closing or gone.
    Outbox,
}

/// What the checks before a command need of its connection, read once per command.
#[derive(Debug, Clone, Copy)]
// Three independent facts, as the client flags they come from.
#[allow(clippy::struct_excessive_bools)]
struct Standing {
    /// The connection may run commands (`requirepass`).
    authenticated: bool,
    /// It is in `MULTI`.
    in_multi: bool,
    /// It speaks RESP2 and is subscribed: only (un)subscribe commands and a few more run.
    subscribed_resp2: bool,
}

impl Standing {
    fn of(state: &Client) -> Standing {
        Standing {
            authenticated: state.authenticated,
            in_multi: state.multi.is_some(),
            subscribed_resp2: state.resp == 2 && state.in_pubsub_context(),
        }
    }
}

/// What Redis's `resetClient` does to a client's flags once a command is done, and the replies
/// `CLIENT REPLY` silences (pushes still go out): `out[start..]` are the command's replies.
/// Answers whether they are already shaped for their protocol (see [`reply_mode::SHAPED`]).
fn after_command_flags(
    c: &mut Client,
    argv: &[Vec<u8>],
    out: &mut Vec<Reply>,
    start: usize,
) -> bool {
    let mut shaped = false;
    if c.reply_mode != 0 {
        use reply_mode::{ARRAY_OPEN, ARRAY_OPENED, FILTERED, OFF, SHAPED, SKIP, SKIP_NEXT};
        shaped = c.reply_mode & SHAPED != 0;
        let filtered = c.reply_mode & FILTERED != 0;
        // EXEC's partial array went out before the replies it silenced: it opens the array
        // (its elements so far) whatever the mode now.
        if c.reply_mode & ARRAY_OPENED != 0 {
            c.reply_mode &= !ARRAY_OPENED;
            if let (Some(open), Some(Reply::Array(items))) =
                (c.open_array.as_deref_mut(), out.get_mut(start))
            {
                open.items = std::mem::take(items);
                out.remove(start);
            }
        }
        // SKIP_NEXT set now was set by this very command (CLIENT REPLY SKIP), which has no reply.
        if c.reply_mode & (OFF | SKIP | SKIP_NEXT) != 0 && out.len() > start && !filtered {
            let mut at = start;
            out.retain(|r| {
                at += 1;
                at <= start || matches!(r, Reply::Push(_))
            });
        }
        if c.reply_mode & ARRAY_OPEN != 0 && out.len() > start {
            fill_open_array(c, out, start, shaped);
            shaped = true;
        }
        let next = c.reply_mode & SKIP_NEXT != 0;
        c.reply_mode &= !(SKIP | SKIP_NEXT | SHAPED | FILTERED);
        if next {
            c.reply_mode |= SKIP;
        }
    }
    // `CLIENT CACHING` concerns the next command (or transaction) only; CLIENT commands keep it.
    if c.multi.is_none()
        && !argv
            .first()
            .is_some_and(|name| name.eq_ignore_ascii_case(b"client"))
        && let Some(tracking) = c.tracking.as_deref_mut()
    {
        tracking.caching = false;
    }
    shaped
}

/// Takes the replies in `out[start..]` as the open array's missing elements; the completed
/// array takes their place. Each is shaped for the connection's protocol now, unless `shaped`
/// already (the completed array's elements were shaped as they came).
#[inline(never)]
fn fill_open_array(c: &mut Client, out: &mut Vec<Reply>, start: usize, shaped: bool) {
    let replies: Vec<Reply> = out.drain(start..).collect();
    for mut reply in replies {
        if c.resp == 2 && !shaped {
            reply.make_resp2();
        }
        let Some(open) = c.open_array.as_deref_mut() else {
            out.push(reply);
            continue;
        };
        if let Some(array) = open.take(reply) {
            out.push(array);
            c.open_array = None;
            c.reply_mode &= !reply_mode::ARRAY_OPEN;
        }
    }
}

/// What `resetClient` does once a blocked command was served: a `CLIENT REPLY SKIP` given
/// before it ends with it, `CLIENT CACHING` too.
pub(crate) fn after_served_flags(c: &mut Client) {
    c.reply_mode &= !reply_mode::SKIP;
    if let Some(tracking) = c.tracking.as_deref_mut() {
        tracking.caching = false;
    }
}

/// Commands that run immediately even inside `MULTI`.
const NOT_QUEUED: &[&str] = &["exec", "discard", "multi", "watch", "quit", "reset"];

impl Engine {
    /// Opens a client connection and returns its id.
    pub fn connect(&mut self) -> ClientId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        self.stats.total_connections_received += 1;
        let authenticated = self.config.requirepass.is_none();
        self.clients
            .insert(Client::new(id, self.now_ms, authenticated));
        id
    }

    /// Closes a client connection: its subscriptions and watched keys are dropped.
    pub fn disconnect(&mut self, client: ClientId) {
        self.unwatch_all(client);
        self.disable_tracking(client);
        self.monitors.retain(|&m| m != client);
        self.forget_blocked(client);
        if let Some(state) = self.clients.remove(&client) {
            for channel in state.channels.iter() {
                self.pubsub.remove_channel(channel, client);
            }
            for pattern in state.patterns.iter() {
                self.pubsub.remove_pattern(pattern, client);
            }
            for channel in state.shard_channels.iter() {
                self.pubsub.remove_shard_channel(channel, client);
            }
        }
    }

    /// Whether a connection is open (a killed or quit connection is not).
    pub fn is_connected(&self, client: ClientId) -> bool {
        self.clients.contains_key(&client)
    }

    /// The state of a connection.
    pub fn client(&self, client: ClientId) -> Option<&Client> {
        self.clients.get(&client)
    }

    /// Runs one command and returns everything the connection receives because of it, in
    /// order (see the module doc). A connection closed by the command (`QUIT`) is gone after.
    pub fn call(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Vec<Reply> {
        let mut output = Vec::new();
        self.call_into(client, argv, &mut output);
        output
    }

    /// [`Engine::call`] appending what the connection receives to `output` (which is not
    /// cleared first) instead of returning a new vector: a host running many commands reuses
    /// one buffer, and a command then allocates nothing for its replies.
    pub fn call_into(&mut self, client: ClientId, argv: &[Vec<u8>], output: &mut Vec<Reply>) {
        let start = output.len();
        match self.run_call(client, argv, output) {
            Delivered::Held => {}
            Delivered::Outbox => {
                // What the connection receives: the replies `run_call` held back, then its
                // outbox.
                let closing = if let Some(c) = self.clients.get_mut(&client) {
                    if !c.outbox.is_empty() {
                        output.extend(c.outbox.drain(..));
                    }
                    c.closing
                } else {
                    output.truncate(start);
                    false
                };
                if closing {
                    // QUIT: the connection closes once its output was read.
                    self.disconnect(client);
                }
            }
        }
    }

    /// Runs one command and returns its reply: the last thing the connection receives, or a
    /// null array when it receives nothing (a blocked command). For commands with several
    /// replies, and to see pushed messages, use [`Engine::call`].
    pub fn exec(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Reply {
        // The replies go through a buffer the engine keeps, so that a command allocates none.
        let mut replies = std::mem::take(&mut self.reply_buffer);
        let last = match self.run_call(client, argv, &mut replies) {
            Delivered::Held => replies.pop(),
            Delivered::Outbox => {
                // What `call` would answer, last reply only, without collecting the rest.
                let (last, closing) = match self.clients.get_mut(&client) {
                    Some(c) if c.outbox.is_empty() => (replies.pop(), c.closing),
                    Some(c) => {
                        let last = c.outbox.pop_back();
                        c.outbox.clear();
                        (last, c.closing)
                    }
                    None => (None, false),
                };
                if closing {
                    // QUIT: the connection closes once its output was read.
                    self.disconnect(client);
                }
                last
            }
        };
        replies.clear();
        self.reply_buffer = replies;
        // Not `unwrap_or(Reply::NilArray)`: the default, built and then dropped when unused,
        // costs a call of `Reply`'s drop glue on every command.
        match last {
            Some(reply) => reply,
            None => Reply::NilArray,
        }
    }

    /// The work of [`Engine::call`] up to reading the output; a connection that cannot send a
    /// command gets the refusal instead (appended to `out`). What the connection receives is then what it appended
    /// to `out`, followed (see [`Delivered`]) by the connection's outbox: the command's own
    /// replies stay in `out` when nothing waited in the outbox before them (the usual case),
    /// else they join the outbox in order. Either way they are shaped for the connection's
    /// protocol.
    fn run_call(&mut self, client: ClientId, argv: &[Vec<u8>], out: &mut Vec<Reply>) -> Delivered {
        let Some(state) = self.clients.get(&client) else {
            out.push(Reply::error("ERR no such client"));
            return Delivered::Held;
        };
        let standing = Standing::of(state);
        let resp2 = state.resp == 2;
        self.check_unusual();
        let unusual = self.clients.unusual;
        if unusual && !self.blocking.clients.is_empty() && self.is_blocked(client) {
            out.push(Reply::error(
                "ERR this connection waits in a blocking command",
            ));
            return Delivered::Held;
        }
        #[cfg(feature = "split")]
        if let Some(family) = self.missing_family(client, argv) {
            out.push(crate::lazy::refusal(family).into());
            return Delivered::Held;
        }
        let start = out.len();
        if unusual && self.tracking.clients > 0 {
            self.tracking_limit_used_slots();
        }
        self.process(client, standing, argv, out);
        self.check_unusual();
        if self.clients.unusual {
            let delivered = self.after_unusual_command(client, argv, out, start);
            // What needs attention after this command: nothing, usually.
            self.clients.unusual = self.needs_attention();
            return delivered;
        }
        // None of the rare states holds: the replies are shaped and stay in `out`, which is all
        // the connection receives (what `after_unusual_command` does then, without its tests).
        // The flag was clear before the command too (else the command ran with it set: only
        // the dispatch clears it, and no command runs a nested dispatch), so no connection was
        // changed, added or removed meanwhile: this one is there, with its protocol as it was.
        #[cfg(debug_assertions)]
        debug_assert!(
            unusual
                || self
                    .clients
                    .get(&client)
                    .is_some_and(|c| (c.resp == 2) == resp2),
            "a connection changed without Clients::get_mut"
        );
        if resp2 {
            for reply in out.iter_mut().skip(start) {
                reply.make_resp2();
            }
        }
        self.note_peak_memory();
        Delivered::Held
    }

    /// Redis notes the peak after each command, before the next one evicts; only a write can
    /// have raised it (INFO and MEMORY STATS note it too).
    #[inline]
    fn note_peak_memory(&mut self) {
        if std::mem::take(&mut self.wrote) {
            self.peak_memory = self.peak_memory.max(self.used_memory());
        }
    }

    /// Whether the work around a command must look at a rare state: a blocked or paused
    /// client, client tracking, `MONITOR`, `CLIENT REPLY`, a connection closing or with output
    /// waiting, a restart, evictions or invalidations pending. [`Clients::unusual`] is true
    /// whenever this is.
    fn needs_attention(&self) -> bool {
        !self.blocking.clients.is_empty()
            || !self.blocking.ready.is_empty()
            || self.blocking.pause.is_some()
            || self.blocking.retrying
            || self.tracking.clients > 0
            || self.tracking.has_pending()
            || !self.monitors.is_empty()
            || !self.monitor_echo.is_empty()
            || self.persistence.restart_pending
            || self.eviction.pending
            || self.clients.values().any(|c| {
                c.reply_mode != 0 || c.tracking.is_some() || !c.outbox.is_empty() || c.closing
            })
    }

    /// Notes that a rare state (see [`Engine::needs_attention`]) may have begun.
    #[inline]
    pub(crate) fn mark_unusual(&mut self) {
        self.clients.unusual = true;
    }

    /// In tests: the flag is never false while a rare state holds.
    #[inline]
    fn check_unusual(&self) {
        #[cfg(debug_assertions)]
        debug_assert!(
            self.clients.unusual || !self.needs_attention(),
            "a rare state began without Engine::mark_unusual"
        );
    }

    /// The end of [`Engine::run_call`] when a rare state may hold (see [`Delivered`]).
    #[inline(never)]
    fn after_unusual_command(
        &mut self,
        client: ClientId,
        argv: &[Vec<u8>],
        out: &mut Vec<Reply>,
        start: usize,
    ) -> Delivered {
        // Delivery of the command's replies (see `deliver`), at once for all of them.
        let mut delivered = Delivered::Outbox;
        match self.clients.get_mut_plain(&client) {
            Some(c) => {
                // Redis resets a client's per-command flags once its command is done: for a
                // blocked one, when it is served.
                let mut shaped = false;
                if (c.reply_mode != 0 || c.tracking.is_some())
                    && !self.blocking.clients.contains_key(&client)
                {
                    shaped = after_command_flags(c, argv, out, start);
                }
                if c.resp == 2 && !shaped {
                    for reply in out.iter_mut().skip(start) {
                        reply.make_resp2();
                    }
                }
                if !c.outbox.is_empty() || self.persistence.restart_pending {
                    c.note_output(&mut self.outputs_begun);
                    c.outbox.extend(out.drain(start..));
                } else if !c.closing {
                    delivered = Delivered::Held;
                }
            }
            None => out.truncate(start),
        }
        if self.tracking.has_pending() {
            // Invalidations of keys the client modified itself follow its reply.
            delivered = Delivered::Outbox;
            self.tracking_send_pending();
        }
        if self.persistence.restart_pending {
            self.persistence.restart_pending = false;
            // SHUTDOWN: every connection closes and the server starts again.
            self.restart_after_shutdown();
            return Delivered::Outbox;
        }
        if !self.monitor_echo.is_empty() {
            delivered = Delivered::Outbox;
            for line in std::mem::take(&mut self.monitor_echo) {
                self.deliver(client, Reply::Status(line.into()));
            }
        }
        self.note_peak_memory();
        if self.eviction.pending {
            // Evictions notify (a `RESP3` connection may receive its own `evicted` event).
            delivered = Delivered::Outbox;
            self.run_pending_evictions();
        }
        if !self.blocking.ready.is_empty() {
            delivered = Delivered::Outbox;
            self.serve_ready_keys();
        }
        // Waits whose deadline has already passed end now, as Redis checks before sleeping.
        if !self.blocking.clients.is_empty() {
            delivered = Delivered::Outbox;
            if std::mem::take(&mut self.blocking.resume_pending) {
                // CLIENT UNPAUSE: the commands it held back run now, after its reply.
                self.unpause_clients();
            }
            self.expire_blocked_timeouts();
        }
        if self.tracking.clients > 0 {
            // BCAST announcements, as Redis sends them before it sleeps.
            delivered = Delivered::Outbox;
            self.tracking_broadcast();
        }
        delivered
    }

    /// The family whose code a command needs and that is not loaded yet (see [`crate::lazy`]):
    /// its own; for `EXEC`, that of a queued command; for `SHUTDOWN` (a restart replays the
    /// AOF) and scripts (which may call any command), any; for `DEBUG RELOAD`, the RDB loader.
    /// `None`: it runs now. A host that runs a batch of commands at once asks before, and loads
    /// what they need first.
    #[cfg(feature = "split")]
    pub fn missing_family(
        &self,
        client: ClientId,
        argv: &[Vec<u8>],
    ) -> Option<crate::lazy::Family> {
        use crate::lazy::{FAMILIES, is_loaded};
        let registry = Registry::get();
        // A script may run any command: it needs every family.
        let any_missing = || FAMILIES.into_iter().find(|f| !is_loaded(*f));
        let needs = |argv: &[Vec<u8>]| {
            let spec = registry.lookup_argv(argv)?;
            if crate::commands::scripting::runs_scripts(spec) {
                return any_missing();
            }
            spec.family.filter(|f| !is_loaded(*f))
        };
        let spec = registry.lookup_argv(argv)?;
        if let Some(family) = spec.family.filter(|f| !is_loaded(*f)) {
            return Some(family);
        }
        match spec.name.as_str() {
            "exec" => self
                .clients
                .get(&client)?
                .multi
                .as_ref()?
                .iter()
                .find_map(|queued| needs(queued)),
            "shutdown" => any_missing(),
            _ if crate::commands::scripting::runs_scripts(spec) => any_missing(),
            "debug"
                if argv
                    .get(1)
                    .is_some_and(|a| a.eq_ignore_ascii_case(b"reload")) =>
            {
                Some(crate::lazy::Family::Rdb).filter(|f| !is_loaded(*f))
            }
            _ => None,
        }
    }

    /// The connections with output waiting to be read (see [`Engine::take_output`]), in the
    /// order Redis would write it to their sockets: the one whose output began to wait last
    /// first. (Redis puts a connection at the head of its list of clients with pending writes
    /// when it first has something to send, and writes them from the head: the subscribers a
    /// `PUBLISH` reached, last subscriber first, after the publisher's own reply; the clients a
    /// command served out of a blocking wait before the client that sent it.) A host that reads
    /// the outputs in this order hands them over as sockets would deliver them.
    pub fn pending_output(&self) -> Vec<ClientId> {
        let mut waiting: Vec<(u64, ClientId)> = self
            .clients
            .values()
            .filter(|c| !c.outbox.is_empty())
            .map(|c| (c.output_since, c.id))
            .collect();
        waiting.sort_unstable_by(|a, b| b.cmp(a));
        waiting.into_iter().map(|(_, id)| id).collect()
    }

    /// Whether some connection has output waiting to be read (see [`Engine::pending_output`]).
    pub fn has_pending_output(&self) -> bool {
        self.clients.values().any(|c| !c.outbox.is_empty())
    }

    /// Takes what a connection received since it was last read (messages published by others,
    /// the reply of a blocked command once served), oldest first.
    pub fn take_output(&mut self, client: ClientId) -> Vec<Reply> {
        self.clients
            .get_mut(&client)
            .map(|c| c.outbox.drain(..).collect())
            .unwrap_or_default()
    }

    /// Appends a reply to what a connection receives, shaped for its protocol.
    pub(crate) fn deliver(&mut self, client: ClientId, reply: Reply) {
        if let Some(c) = self.clients.get_mut(&client) {
            // `CLIENT REPLY OFF|SKIP` silences everything but pushed messages (a blocked
            // command's reply served later too).
            if c.reply_mode & (reply_mode::OFF | reply_mode::SKIP) != 0
                && !matches!(reply, Reply::Push(_))
            {
                return;
            }
            let mut reply = reply;
            if c.resp == 2 {
                reply.make_resp2();
            }
            if let Some(open) = c.open_array.as_deref_mut() {
                // An element of the array EXEC left open (see `OpenArray`).
                if let Some(array) = open.take(reply) {
                    c.open_array = None;
                    c.reply_mode &= !reply_mode::ARRAY_OPEN;
                    c.note_output(&mut self.outputs_begun);
                    c.outbox.push_back(array);
                }
                return;
            }
            c.note_output(&mut self.outputs_begun);
            c.outbox.push_back(reply);
        }
    }

    /// Redis's `processCommand`: checks a command the way Redis does before running it, queues
    /// it inside `MULTI`, and runs it. Appends the replies to send now to `out`.
    fn process(
        &mut self,
        client: ClientId,
        standing: Standing,
        argv: &[Vec<u8>],
        out: &mut Vec<Reply>,
    ) {
        let Some(name) = argv.first() else {
            self.count_error("ERR empty command");
            out.push(RedisError::new("ERR empty command").into());
            return;
        };
        let now = self.now_ms;
        let registry = Registry::get();
        let spec = match registry.lookup_inline(name) {
            None => Err(RedisError::unknown_command(name, &argv[1..])),
            Some(base) if base.is_container() && argv.len() >= 2 => base
                .subcommand(&argv[1])
                .ok_or_else(|| RedisError::unknown_subcommand(&base.name, &argv[1])),
            Some(base) => Ok(base),
        };
        // Redis notes the command (CLIENT LIST's `cmd`, `NULL` when unknown) and the interaction
        // as soon as it has looked the command up: a refused one is noted too (below).
        let noted = spec.as_ref().map_or("NULL", |spec| spec.name.as_str());
        let checked = match spec {
            Ok(spec) => match self.check(client, standing, spec, argv.len()) {
                Err(error) if spec.name == "exec" => {
                    self.note_command(client, now, noted);
                    let abort = self.exec_abort(client, &error);
                    self.count_error(&abort.0);
                    out.push(abort.into());
                    return;
                }
                checked => checked,
            },
            Err(error) => Err(error),
        };
        let spec = match checked {
            Ok(spec) => spec,
            Err(error) => {
                self.note_command(client, now, noted);
                // An error while queueing makes the whole transaction fail at EXEC.
                if let Some(state) = self.clients.get_mut_plain(&client)
                    && state.multi.is_some()
                {
                    state.multi_error = true;
                }
                self.count_error(&error.0);
                out.push(error.into());
                return;
            }
        };
        let unusual = self.clients.unusual;
        let Some(state) = self.clients.get_mut_plain(&client) else {
            return;
        };
        state.last_interaction_ms = now;
        state.last_command = spec.name.as_str();
        // CLIENT PAUSE: the command waits (before it is queued in MULTI, as in Redis).
        // (A MONITOR connection is a replica to Redis: pauses do not hold it.)
        if unusual
            && let Some(pause) = self.blocking.pause
            && Engine::pause_applies(pause, spec, state.multi.as_deref())
            && !self.monitors.contains(&client)
        {
            let db = state.db;
            self.postpone(client, db, argv);
            return;
        }
        if let Some(queue) = state.multi.as_mut()
            && !NOT_QUEUED.contains(&spec.name.as_str())
        {
            if spec.has(flag::NO_MULTI) {
                state.multi_error = true;
                self.count_error("ERR Command not allowed inside a transaction");
                out.push(RedisError::new("ERR Command not allowed inside a transaction").into());
                return;
            }
            queue.push(argv.to_vec());
            out.push(Reply::status("QUEUED"));
            return;
        }
        let db = state.db;
        self.execute_into(client, db, spec, argv, out);
    }

    /// Notes a command a connection sent (see `process`).
    fn note_command(&mut self, client: ClientId, now: i64, name: &'static str) {
        if let Some(state) = self.clients.get_mut_plain(&client) {
            state.last_interaction_ms = now;
            state.last_command = name;
        }
    }

    /// Redis's `execCommandAbort`: an `EXEC` refused before it runs (arity, authentication,
    /// subscribed mode) discards the transaction, and its error says why.
    fn exec_abort(&mut self, client: ClientId, error: &RedisError) -> RedisError {
        if let Some(state) = self.clients.get_mut(&client) {
            state.multi = None;
            state.multi_error = false;
        }
        self.unwatch_all(client);
        // Redis's own messages for these refusals carry no `ERR ` (it is added when they are
        // replied on their own); shared ones keep their code (`NOAUTH …`).
        let why = error.0.strip_prefix("ERR ").unwrap_or(&error.0);
        RedisError::owned(format!("EXECABORT Transaction discarded because of: {why}"))
    }

    /// The checks of `processCommand` after lookup: arity, authentication, subscribed mode.
    fn check(
        &mut self,
        client: ClientId,
        standing: Standing,
        spec: &'static CommandSpec,
        argc: usize,
    ) -> Result<&'static CommandSpec, RedisError> {
        if !spec.arity_ok(argc) {
            self.count_rejected(spec);
            return Err(RedisError::wrong_arity(&spec.name));
        }
        let Standing {
            authenticated,
            in_multi,
            subscribed_resp2,
        } = standing;
        if !authenticated && !spec.has(flag::NO_AUTH) {
            self.count_rejected(spec);
            return Err(RedisError::new("NOAUTH Authentication required."));
        }
        // Redis refuses a command not allowed in MULTI before it looks at memory.
        if self.config.maxmemory != 0
            && !(in_multi && spec.has(flag::NO_MULTI))
            && !self.perform_evictions()
            && self.rejected_when_out_of_memory(client, spec)
        {
            self.count_rejected(spec);
            return Err(RedisError::new(OOM_ERROR));
        }
        if subscribed_resp2 && !ALLOWED_WHILE_SUBSCRIBED.contains(&spec.name.as_str()) {
            self.count_rejected(spec);
            return Err(RedisError::owned(format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                spec.name
            )));
        }
        // A MONITOR connection is a replica to Redis, and a replica may not touch the keyspace.
        if !self.monitors.is_empty()
            && (spec.has(flag::READONLY) || spec.may_replicate())
            && self.monitors.contains(&client)
        {
            self.count_rejected(spec);
            return Err(RedisError::new(
                "ERR Replica can't interact with the keyspace",
            ));
        }
        Ok(spec)
    }

    /// Counts a command refused before it ran (`rejected_calls`).
    pub(crate) fn count_rejected(&mut self, spec: &CommandSpec) {
        if let Some(stats) = self.stats.commands.of(spec) {
            stats.rejected_calls += 1;
        }
    }

    /// Whether a command is refused while memory stays above `maxmemory` (Redis's
    /// `processCommand`): one flagged `denyoom`, an `EXEC` of a transaction holding one, and,
    /// inside `MULTI`, any command but `EXEC`, `DISCARD`, `QUIT` and `RESET` (queueing takes
    /// memory too).
    fn rejected_when_out_of_memory(&self, client: ClientId, spec: &CommandSpec) -> bool {
        if spec.has(flag::DENYOOM) {
            return true;
        }
        let Some(queue) = self.clients.get(&client).and_then(|c| c.multi.as_ref()) else {
            return false;
        };
        match spec.name.as_str() {
            "exec" => {
                let registry = Registry::get();
                queue.iter().any(|argv| {
                    registry
                        .lookup_argv(argv)
                        .is_some_and(|queued| queued.has(flag::DENYOOM))
                })
            }
            "discard" | "quit" | "reset" => false,
            _ => true,
        }
    }

    /// Runs a checked command (Redis's `call`): the handler, then statistics. Returns its
    /// replies: usually one; several when the handler emitted some before its last (SUBSCRIBE
    /// with several channels); none when it blocked.
    pub(crate) fn execute(
        &mut self,
        client: ClientId,
        spec: &'static CommandSpec,
        argv: &[Vec<u8>],
    ) -> Vec<Reply> {
        let mut replies = Vec::new();
        if let Some(db) = self.clients.get(&client).map(|c| c.db) {
            self.execute_into(client, db, spec, argv, &mut replies);
        }
        replies
    }

    /// [`Engine::execute`] appending the replies to `out`, for a connection whose selected
    /// database is `db`.
    // Inlined into `process`, the path of every command (a call and its register saves less);
    // `execute` (EXEC's commands) has its own copy.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn execute_into(
        &mut self,
        client: ClientId,
        db: usize,
        spec: &'static CommandSpec,
        argv: &[Vec<u8>],
        out: &mut Vec<Reply>,
    ) {
        // A rare state (see `needs_attention`) is looked at only when one may hold.
        let retry = self.clients.unusual && self.blocking.retrying;
        let saved = self.enter_command();
        // Redis's `current_client` while the command runs (nested: EXEC's commands).
        let outer = std::mem::replace(&mut self.tracking.current, client);
        // The handler's own replies (Ctx::emit) go straight into `out`, after what it holds.
        let mut ctx = Ctx {
            engine: self,
            client,
            db,
            spec,
            emitted: out,
            blocked: false,
        };
        let result = (spec.handler)(&mut ctx, argv);
        let Ctx {
            blocked,
            db: last_db,
            ..
        } = ctx;
        // EXEC's commands and a script's propagate themselves, not the command that ran them.
        self.leave_command(
            saved,
            last_db,
            || {
                matches!(
                    spec.name.as_str(),
                    "exec" | "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro"
                )
            },
            argv,
        );
        self.tracking.current = outer;
        // A tracking client remembers the keys of its read-only commands.
        if self.clients.unusual && self.tracking.clients > 0 && spec.has(flag::READONLY) {
            self.after_tracked_read(client, spec, argv);
        }
        // Errors a handler returns are Redis's `addReplyError`: counted as a failed call and
        // under their code (below). An error reply a handler answers as a value is written raw,
        // as DEBUG ERROR's is, and counts nowhere.
        let failed = result.is_err();
        if !retry {
            // Counted after the handler, as Redis's `call`: CONFIG RESETSTAT counts itself.
            self.stats.total_commands_processed += 1;
            if let Some(stats) = self.stats.commands.of(spec) {
                stats.calls += 1;
                if failed {
                    stats.failed_calls += 1;
                }
            }
            if let Err(RedisError(text)) = &result {
                self.count_error(text);
            }
        }
        if !blocked {
            out.push(result.unwrap_or_else(Reply::from));
        }
        if retry {
            // A waiting command run again: its call was counted when it first ran, and
            // `serve_ready_keys` accounts for the reply it is served with.
            self.redacted.clear();
            return;
        }
        if !blocked {
            self.slowlog_push(client, spec, argv);
        }
        if self.clients.unusual && !self.monitors.is_empty() {
            self.feed_monitors(client, spec, argv);
        }
        self.redacted.clear();
    }

    /// After a read-only command of a tracking client: remembers its keys (not for the scripts'
    /// read-only variants, whose scripts' reads count instead, as in Redis).
    #[inline(never)]
    fn after_tracked_read(
        &mut self,
        client: ClientId,
        spec: &'static CommandSpec,
        argv: &[Vec<u8>],
    ) {
        if matches!(spec.name.as_str(), "eval_ro" | "evalsha_ro" | "fcall_ro") {
            return;
        }
        self.tracking_remember_keys(client, spec, argv);
    }

    /// Accounts for a waiting command served at last (Redis's `updateStatsOnUnblock`): an error
    /// reply counts as a failed call, and the command may enter the slow log.
    pub(crate) fn after_served(
        &mut self,
        client: ClientId,
        spec: &'static CommandSpec,
        argv: &[Vec<u8>],
        replies: &[Reply],
    ) {
        for reply in replies {
            if let Reply::Error(text) = reply {
                if let Some(stats) = self.stats.commands.of(spec) {
                    stats.failed_calls += 1;
                }
                self.count_error(text);
            }
        }
        self.slowlog_push(client, spec, argv);
    }

    /// Redis's `signalModifiedKey` for transactions: every client watching the key will see its
    /// `EXEC` fail.
    #[inline]
    pub(crate) fn touch_watched_key(&mut self, db: usize, key: &[u8]) {
        if !self.watched.is_empty() {
            self.touch_watchers(db, key);
        }
    }

    /// Redis's `signalModifiedKey`: transactions watching the key will fail, clients tracking it
    /// are told (`modifier`: the client that changed it, 0 for the server). A single branch
    /// when nobody watches or tracks.
    #[inline]
    pub(crate) fn signal_modified_key(&mut self, modifier: ClientId, db: usize, key: &[u8]) {
        if !self.watched.is_empty() | self.tracking.active {
            self.signal_watchers_and_trackers(modifier, db, key);
        }
    }

    #[inline(never)]
    fn signal_watchers_and_trackers(&mut self, modifier: ClientId, db: usize, key: &[u8]) {
        if !self.watched.is_empty() {
            self.touch_watchers(db, key);
        }
        if self.tracking.active {
            self.tracking_invalidate_key(modifier, key, true);
        }
    }

    #[inline(never)]
    fn touch_watchers(&mut self, db: usize, key: &[u8]) {
        if let Some(watchers) = self.watched.get(&(db, key.to_vec())) {
            for id in watchers.clone() {
                if let Some(c) = self.clients.get_mut(&id) {
                    c.dirty_cas = true;
                }
            }
        }
    }

    /// Redis's `touchAllWatchedKeysInDb` (FLUSHDB, FLUSHALL, SWAPDB): watchers of keys that exist
    /// in `db` (or, for SWAPDB, in `other`) will see their `EXEC` fail.
    pub(crate) fn touch_all_watched_keys_in_db(&mut self, db: usize, other: Option<usize>) {
        let hit: Vec<ClientId> = self
            .watched
            .iter()
            .filter(|((d, key), _)| {
                *d == db
                    && (self.dbs.get(db).is_some_and(|x| x.peek(key).is_some())
                        || other.is_some_and(|o| {
                            self.dbs.get(o).is_some_and(|x| x.peek(key).is_some())
                        }))
            })
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        for id in hit {
            if let Some(c) = self.clients.get_mut(&id) {
                c.dirty_cas = true;
            }
        }
    }

    /// Stops watching every key (EXEC, DISCARD, UNWATCH, RESET, disconnection).
    pub(crate) fn unwatch_all(&mut self, client: ClientId) {
        let Some(state) = self.clients.get_mut(&client) else {
            return;
        };
        let keys = std::mem::take(&mut state.watched);
        state.dirty_cas = false;
        for (db, key, _) in keys {
            let slot = (db, key);
            if let Some(ids) = self.watched.get_mut(&slot) {
                ids.retain(|&id| id != client);
                if ids.is_empty() {
                    self.watched.remove(&slot);
                }
            }
        }
    }
}
