//! Server-assisted client-side caching (`CLIENT TRACKING`), as Redis 7.0's `tracking.c`.
//!
//! A tracking client is told when keys it may have cached change:
//! - default mode: the keys of every read-only command it runs are remembered in a table (key →
//!   clients), and when such a key is modified (Redis's `signalModifiedKey`: writes, deletions,
//!   expiry, eviction) every client remembered for it receives an `invalidate` message and the
//!   key leaves the table (it is remembered again at the next read). With OPTIN only the command
//!   after `CLIENT CACHING yes` is remembered; with OPTOUT every command but the one after
//!   `CLIENT CACHING no`;
//! - BCAST mode: nothing is remembered; every modified key that starts with one of the client's
//!   prefixes (none: every key) is announced once the command is done, all keys of a prefix in
//!   one message, sorted, as Redis does before it sleeps;
//! - FLUSHDB/FLUSHALL send every tracking client a null invalidation ("everything").
//!
//! Messages go to the client itself as a RESP3 push `["invalidate", keys]`, or, with
//! `REDIRECT id`, to that client: a RESP3 push, or, to a RESP2 client subscribed to anything, a
//! pub/sub message on `__redis__:invalidate`. A RESP2 client without redirection receives
//! nothing. When the redirection's client is gone, a RESP3 tracking client receives
//! `["tracking-redir-broken", id]` instead. Keys are global: the table ignores databases.
//!
//! Order, as Redis 7.0.15: a message for the client running the command (it modified a key it
//! tracks itself) waits until that command's reply (after `EXEC`'s whole array); messages for
//! other clients are written at once, so they precede what the command does next (a keyspace
//! notification sent after the modification).

use std::collections::{BTreeMap, BTreeSet};

use crate::ClientId;
use crate::engine::Engine;
use crate::reply::Reply;

/// The pub/sub channel a RESP2 redirection receives invalidations on.
pub const INVALIDATE_CHANNEL: &[u8] = b"__redis__:invalidate";

/// A client's tracking mode (`CLIENT TRACKING ON …`); absent when tracking is off.
// Independent switches, as Redis's client flags.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Default)]
pub struct ClientTracking {
    /// The client messages go to (0: the client itself).
    pub redirect: ClientId,
    /// BCAST mode.
    pub bcast: bool,
    /// OPTIN mode.
    pub optin: bool,
    /// OPTOUT mode.
    pub optout: bool,
    /// NOLOOP: no messages about keys the client modified itself.
    pub noloop: bool,
    /// `CLIENT CACHING yes|no` was given for the next command.
    pub caching: bool,
    /// The redirection's client was found gone.
    pub broken_redirect: bool,
    /// BCAST prefixes, sorted (an empty one: every key).
    pub prefixes: BTreeSet<Vec<u8>>,
}

/// Keys modified under one BCAST prefix since the last broadcast, and who listens to it.
#[derive(Debug, Clone, Default)]
struct Broadcast {
    /// Modified keys, sorted, each with the client that modified it last (0: the server).
    keys: BTreeMap<Vec<u8>, ClientId>,
    /// Clients in BCAST mode with this prefix.
    clients: BTreeSet<ClientId>,
}

/// The server's tracking state.
#[derive(Debug, Clone, Default)]
pub struct Tracking {
    /// Whether a modification can concern anyone: the table or the prefixes are not empty. The
    /// one thing the keyspace's modification path reads when nobody tracks.
    pub(crate) active: bool,
    /// Clients with tracking on (`tracking_clients`).
    pub(crate) clients: usize,
    /// Key → the clients that may cache it. Ids are ordered by their bytes in memory, as
    /// Redis's radix tree of ids orders them (the order messages are sent in).
    table: BTreeMap<Vec<u8>, BTreeSet<[u8; 8]>>,
    /// Client ids across the table (`tracking_total_items`).
    items: u64,
    /// BCAST prefixes.
    prefixes: BTreeMap<Vec<u8>, Broadcast>,
    /// The client running a command (0: none), as Redis's `current_client` inside `call`.
    pub(crate) current: ClientId,
    /// Set while a blocked BLPOP/BRPOP/BRPOPLPUSH/BLMOVE/XREAD/XREADGROUP is served: Redis
    /// 7.0 pops the key it is served from without signalling it (the push of BRPOPLPUSH and
    /// BLMOVE is signalled); the first signal of that key is skipped.
    pub(crate) serving_unsignalled: bool,
    /// Calls in a row of `tracking_limit_used_slots` that stayed over the limit.
    limit_rounds: u32,
    /// Invalidations for the running client, sent after its reply (`None`: a flush).
    pending: Vec<(ClientId, Option<Vec<u8>>)>,
}

impl Tracking {
    fn refresh(&mut self) {
        self.active = !self.table.is_empty() || !self.prefixes.is_empty();
    }

    /// `tracking_total_keys`.
    pub fn total_keys(&self) -> usize {
        self.table.len()
    }

    /// `tracking_total_items`.
    pub fn total_items(&self) -> u64 {
        self.items
    }

    /// `tracking_total_prefixes`.
    pub fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }

    /// Whether invalidations wait for the running command's reply.
    pub(crate) fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }
}

/// Whether two prefixes overlap (one starts with the other), as Redis's `stringCheckPrefix`.
pub fn prefixes_overlap(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a.get(..n) == b.get(..n)
}

/// The keys tracking remembers of a command, as Redis's `getKeysFromCommand` finds them: the
/// command's own key finder if it has one (XREAD, `SORT_RO`, ZUNION, …), else the legacy range
/// of `COMMAND INFO` (first, last, step), which gives nothing when it runs past the arguments.
/// Key specs are not used here, as in Redis.
fn tracked_positions(spec: &crate::command::CommandSpec, argv: &[Vec<u8>]) -> Vec<usize> {
    if let Some(finder) = spec.key_finder {
        return finder(argv).into_iter().map(|k| k.pos).collect();
    }
    let (first, last, step) = spec.key_range;
    let argc = i64::try_from(argv.len()).unwrap_or(i64::MAX);
    let (first, mut last, step) = (i64::from(first), i64::from(last), i64::from(step));
    if first <= 0 || step <= 0 {
        return Vec::new();
    }
    if last < 0 {
        last += argc;
    }
    let mut positions = Vec::new();
    let mut j = first;
    while j <= last {
        if j >= argc {
            return Vec::new();
        }
        positions.extend(usize::try_from(j).ok());
        j += step;
    }
    positions
}

impl Engine {
    /// `enableTracking`: turns tracking on (or changes its options) for a client.
    pub(crate) fn enable_tracking(
        &mut self,
        client: ClientId,
        redirect: ClientId,
        mode: &ClientTracking,
        prefixes: &[Vec<u8>],
    ) {
        let Some(c) = self.clients.get_mut(&client) else {
            return;
        };
        if c.tracking.is_none() {
            self.tracking.clients += 1;
        }
        let state = c.tracking.get_or_insert_with(Box::default);
        // Redis clears the mode flags but keeps `caching`, and adds to the prefixes.
        state.redirect = redirect;
        state.broken_redirect = false;
        state.optin = mode.optin;
        state.optout = mode.optout;
        state.noloop = mode.noloop;
        state.bcast = mode.bcast;
        if mode.bcast {
            let wanted: Vec<Vec<u8>> = if prefixes.is_empty() {
                vec![Vec::new()]
            } else {
                prefixes.to_vec()
            };
            for prefix in wanted {
                let listeners = self.tracking.prefixes.entry(prefix.clone()).or_default();
                if listeners.clients.insert(client) {
                    state.prefixes.insert(prefix);
                }
            }
        }
        self.tracking.refresh();
    }

    /// `disableTracking`: turns tracking off for a client (its keys stay in the table, to be
    /// dropped when next invalidated, as in Redis).
    pub(crate) fn disable_tracking(&mut self, client: ClientId) {
        let Some(state) = self
            .clients
            .get_mut(&client)
            .and_then(|c| c.tracking.take())
        else {
            return;
        };
        self.tracking.clients = self.tracking.clients.saturating_sub(1);
        for prefix in &state.prefixes {
            if let Some(listeners) = self.tracking.prefixes.get_mut(prefix) {
                listeners.clients.remove(&client);
                if listeners.clients.is_empty() {
                    self.tracking.prefixes.remove(prefix);
                }
            }
        }
        self.tracking.refresh();
    }

    /// `trackingRememberKeys`: after a read-only command of a tracking client (not in BCAST
    /// mode), remembers its keys, unless OPTIN/OPTOUT and `CLIENT CACHING` say otherwise.
    pub(crate) fn tracking_remember_keys(
        &mut self,
        client: ClientId,
        spec: &crate::command::CommandSpec,
        argv: &[Vec<u8>],
    ) {
        let Some(state) = self
            .clients
            .get(&client)
            .and_then(|c| c.tracking.as_deref())
        else {
            return;
        };
        if state.bcast || (state.optin && !state.caching) || (state.optout && state.caching) {
            return;
        }
        if spec.has(crate::command::flag::PUBSUB) {
            return;
        }
        for pos in tracked_positions(spec, argv) {
            let Some(name) = argv.get(pos) else {
                continue;
            };
            let ids = self.tracking.table.entry(name.clone()).or_default();
            if ids.insert(client.to_le_bytes()) {
                self.tracking.items += 1;
            }
        }
        self.tracking.refresh();
    }

    /// Redis's `trackingInvalidateKey` for a modified key: `modifier` is the client that
    /// modified it (0: the server, for expiry and eviction); `bcast` also announces it to BCAST
    /// prefixes. Called only when [`Tracking::active`].
    #[inline(never)]
    pub(crate) fn tracking_invalidate_key(&mut self, modifier: ClientId, key: &[u8], bcast: bool) {
        if self.tracking.serving_unsignalled && self.blocking.serving.as_deref() == Some(key) {
            // Once: the pop. BRPOPLPUSH/BLMOVE onto the same key signal its push (first here).
            self.tracking.serving_unsignalled = false;
            return;
        }
        if bcast {
            for (prefix, listeners) in &mut self.tracking.prefixes {
                if key.starts_with(prefix) {
                    listeners.keys.insert(key.to_vec(), modifier);
                }
            }
        }
        let Some(ids) = self.tracking.table.remove(key) else {
            return;
        };
        self.tracking.items = self.tracking.items.saturating_sub(ids.len() as u64);
        self.tracking.refresh();
        let current = self.tracking.current;
        for id in ids {
            let target = u64::from_le_bytes(id);
            let Some(state) = self
                .clients
                .get(&target)
                .and_then(|c| c.tracking.as_deref())
            else {
                continue;
            };
            if state.bcast || (state.noloop && target == current) {
                continue;
            }
            if target == current {
                self.mark_unusual();
                self.tracking.pending.push((target, Some(key.to_vec())));
            } else {
                self.send_tracking_message(target, Reply::Array(vec![Reply::bulk(key)]));
            }
        }
    }

    /// `trackingInvalidateKeysOnFlush`: every tracking client is told that all keys are
    /// invalid (a null), and the table is emptied.
    pub(crate) fn tracking_flush(&mut self) {
        if self.tracking.clients > 0 {
            let targets: Vec<ClientId> = self
                .clients
                .values()
                .filter(|c| c.tracking.is_some())
                .map(|c| c.id)
                .collect();
            for target in targets {
                if target == self.tracking.current {
                    self.mark_unusual();
                    self.tracking.pending.push((target, None));
                } else {
                    self.send_tracking_message(target, Reply::Nil);
                }
            }
        }
        self.tracking.table.clear();
        self.tracking.items = 0;
        self.tracking.refresh();
    }

    /// Sends the invalidations that waited for the reply of the command that caused them
    /// (Redis's `trackingHandlePendingKeyInvalidations`).
    pub(crate) fn tracking_send_pending(&mut self) {
        for (client, key) in std::mem::take(&mut self.tracking.pending) {
            let keys = key.map_or(Reply::Nil, |k| Reply::Array(vec![Reply::bulk(&k)]));
            self.send_tracking_message(client, keys);
        }
    }

    /// `trackingBroadcastInvalidationMessages`: announces the keys modified under each BCAST
    /// prefix since the last time, to its clients (a NOLOOP client without its own keys).
    pub(crate) fn tracking_broadcast(&mut self) {
        if self.tracking.clients == 0 {
            return;
        }
        let mut messages: Vec<(ClientId, Reply)> = Vec::new();
        for listeners in self.tracking.prefixes.values_mut() {
            let keys = std::mem::take(&mut listeners.keys);
            if keys.is_empty() {
                continue;
            }
            for &target in &listeners.clients {
                let noloop = self
                    .clients
                    .get(&target)
                    .and_then(|c| c.tracking.as_deref())
                    .is_some_and(|t| t.noloop);
                let list: Vec<Reply> = keys
                    .iter()
                    .filter(|(_, by)| !(noloop && **by == target))
                    .map(|(k, _)| Reply::bulk(k))
                    .collect();
                if !list.is_empty() {
                    messages.push((target, Reply::Array(list)));
                }
            }
        }
        for (target, keys) in messages {
            self.send_tracking_message(target, keys);
        }
    }

    /// `sendTrackingMessage`: delivers an invalidation (`keys`: an array of keys, or a null for
    /// "all") for the tracking client `client`, following its redirection.
    fn send_tracking_message(&mut self, client: ClientId, keys: Reply) {
        let Some((redirect, resp)) = self
            .clients
            .get(&client)
            .and_then(|c| Some((c.tracking.as_deref()?.redirect, c.resp)))
        else {
            return;
        };
        let mut target = client;
        if redirect != 0 {
            if !self.clients.contains_key(&redirect) {
                if let Some(state) = self
                    .clients
                    .get_mut(&client)
                    .and_then(|c| c.tracking.as_deref_mut())
                {
                    state.broken_redirect = true;
                }
                if resp > 2 {
                    let redirect = i64::try_from(redirect).unwrap_or(i64::MAX);
                    self.deliver(
                        client,
                        Reply::Push(vec![
                            Reply::bulk(b"tracking-redir-broken"),
                            Reply::Integer(redirect),
                        ]),
                    );
                }
                return;
            }
            target = redirect;
        }
        let Some(receiver) = self.clients.get(&target) else {
            return;
        };
        let message = if receiver.resp > 2 {
            Reply::Push(vec![Reply::bulk(b"invalidate"), keys])
        } else if target != client && receiver.in_pubsub_context() {
            Reply::Push(vec![
                Reply::bulk(b"message"),
                Reply::bulk(INVALIDATE_CHANNEL),
                keys,
            ])
        } else {
            return;
        };
        self.deliver(target, message);
    }

    /// `trackingLimitUsedSlots`: while the table holds more keys than
    /// `tracking-table-max-keys` (0: no limit), invalidates keys as if they were modified
    /// (without broadcasting them), with Redis's effort: 100 keys per call, 100 more for each
    /// call in a row that could not get under the limit. Redis picks them by a random walk; here
    /// the table's first keys go (its order is the keys' byte order).
    pub(crate) fn tracking_limit_used_slots(&mut self) {
        let max = usize::try_from(self.config.tracking_table_max_keys).unwrap_or(0);
        if max == 0 || self.tracking.table.len() <= max {
            self.tracking.limit_rounds = 0;
            return;
        }
        let effort = 100u64.saturating_mul(u64::from(self.tracking.limit_rounds) + 1);
        for _ in 0..effort {
            let Some(key) = self.tracking.table.keys().next().cloned() else {
                break;
            };
            self.tracking_invalidate_key(0, &key, false);
            if self.tracking.table.len() <= max {
                self.tracking.limit_rounds = 0;
                return;
            }
        }
        self.tracking.limit_rounds = self.tracking.limit_rounds.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    //! What the conformance scripts cannot show (wall-time expiry on the server, ids in
    //! messages, the unix socket's `U` flag), compared with transcripts taken from Debian's
    //! redis-server 7.0.15 over TCP with a small Python client that sends raw RESP and prints
    //! the raw bytes received after each command (`DEBUG SET-ACTIVE-EXPIRE 0` for lazy expiry,
    //! keys with `PX 1000` and a 1.1 s sleep). The bytes are quoted in the comments.
    use crate::{ClientId, Engine, Reply};

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    fn call(engine: &mut Engine, client: ClientId, line: &str) -> Vec<Reply> {
        engine.call(client, &argv(line))
    }

    fn push(items: &[&str]) -> Reply {
        Reply::Push(items.iter().map(|i| Reply::bulk(i.as_bytes())).collect())
    }

    fn invalidate(key: &str) -> Reply {
        Reply::Push(vec![
            Reply::bulk(b"invalidate"),
            Reply::Array(vec![Reply::bulk(key.as_bytes())]),
        ])
    }

    /// A RESP3 client with tracking on, subscribed to expired events, and a writer.
    fn setup() -> (Engine, ClientId, ClientId) {
        let mut engine = Engine::new();
        engine.set_time(1_000_000);
        let a = engine.connect();
        let w = engine.connect();
        call(&mut engine, a, "HELLO 3");
        call(&mut engine, w, "CONFIG SET notify-keyspace-events KEA");
        call(&mut engine, a, "CLIENT TRACKING on");
        call(&mut engine, a, "SUBSCRIBE __keyevent@0__:expired");
        (engine, a, w)
    }

    fn expired(key: &str) -> Reply {
        push(&["message", "__keyevent@0__:expired", key])
    }

    #[test]
    fn own_lazy_expiry_invalidates_after_the_reply() {
        // [a] 'GET e' -> b'>3 message __keyevent@0__:expired e  _  >2 invalidate *1 e'
        let (mut engine, a, w) = setup();
        call(&mut engine, w, "SET e v PX 1000");
        assert_eq!(call(&mut engine, a, "GET e"), [Reply::bulk(b"v")]);
        // The clock moves without active expiry, as with DEBUG SET-ACTIVE-EXPIRE 0.
        engine.now_ms += 1100;
        assert_eq!(
            call(&mut engine, a, "GET e"),
            [expired("e"), Reply::Nil, invalidate("e")]
        );
    }

    #[test]
    fn another_clients_lazy_expiry_invalidates_at_once() {
        // [w] 'GET e2' -> b'$-1'; [a] 'PING' -> b'>3 message … e2 >2 invalidate *1 e2 +PONG'
        let (mut engine, a, w) = setup();
        call(&mut engine, w, "SET e2 v PX 1000");
        call(&mut engine, a, "GET e2");
        engine.now_ms += 1100;
        assert_eq!(call(&mut engine, w, "GET e2"), [Reply::Nil]);
        assert_eq!(
            call(&mut engine, a, "PING"),
            [expired("e2"), invalidate("e2"), Reply::status("PONG")]
        );
    }

    #[test]
    fn noloop_skips_expiry_the_client_caused() {
        // [a] 'GET e4' -> b'>3 message … e4 _' (no invalidation)
        let (mut engine, a, w) = setup();
        call(&mut engine, a, "CLIENT TRACKING on NOLOOP");
        call(&mut engine, w, "SET e4 v PX 1000");
        call(&mut engine, a, "GET e4");
        engine.now_ms += 1100;
        assert_eq!(call(&mut engine, a, "GET e4"), [expired("e4"), Reply::Nil]);
    }

    #[test]
    fn active_expiry_invalidates() {
        // b'>3 message __keyevent@0__:expired e3 >2 invalidate *1 e3' (read while idle)
        let (mut engine, a, w) = setup();
        call(&mut engine, w, "SET e3 v PX 1000");
        call(&mut engine, a, "GET e3");
        engine.advance(1300);
        assert_eq!(engine.take_output(a), [expired("e3"), invalidate("e3")]);
    }

    fn client_info_field(engine: &mut Engine, client: ClientId, field: &str) -> String {
        let reply = call(engine, client, "CLIENT INFO");
        let Some(Reply::Verbatim(_, text)) = reply.last() else {
            return String::new();
        };
        String::from_utf8_lossy(text)
            .split(' ')
            .find_map(|kv| kv.strip_prefix(&format!("{field}=")).map(str::to_string))
            .unwrap_or_default()
    }

    #[test]
    fn a_gone_redirection_is_reported_to_resp3_clients() {
        // flags=t redir=8; after CLIENT KILL ID 8 and another client's SET x 1:
        // [b] 'CLIENT TRACKINGINFO' -> b'>2 tracking-redir-broken :8
        //   %3 flags ~2 on broken_redirect redirect :8 prefixes *0'
        // [b] 'CLIENT INFO' -> flags=tR redir=8; [b] 'SET x 2' -> b'+OK >2 tracking-redir-broken :8'
        // CLIENT TRACKING off, then on BCAST: flags=tB redir=0.
        let mut engine = Engine::new();
        let w = engine.connect();
        let g = engine.connect();
        let b = engine.connect();
        call(&mut engine, b, "HELLO 3");
        let on = format!("CLIENT TRACKING on REDIRECT {g}");
        assert_eq!(call(&mut engine, b, &on), [Reply::ok()]);
        call(&mut engine, b, "GET x");
        assert_eq!(client_info_field(&mut engine, b, "flags"), "t");
        assert_eq!(client_info_field(&mut engine, b, "redir"), g.to_string());
        call(&mut engine, w, &format!("CLIENT KILL ID {g}"));
        call(&mut engine, w, "SET x 1");
        let broken = Reply::Push(vec![
            Reply::bulk(b"tracking-redir-broken"),
            Reply::Integer(g as i64),
        ]);
        assert_eq!(
            call(&mut engine, b, "CLIENT TRACKINGINFO"),
            [
                broken.clone(),
                Reply::Map(vec![
                    (
                        Reply::bulk(b"flags"),
                        Reply::Set(vec![Reply::bulk(b"on"), Reply::bulk(b"broken_redirect")])
                    ),
                    (Reply::bulk(b"redirect"), Reply::Integer(g as i64)),
                    (Reply::bulk(b"prefixes"), Reply::Array(vec![])),
                ])
            ]
        );
        assert_eq!(client_info_field(&mut engine, b, "flags"), "tR");
        call(&mut engine, b, "GET x");
        assert_eq!(call(&mut engine, b, "SET x 2"), [Reply::ok(), broken]);
        call(&mut engine, b, "CLIENT TRACKING off");
        call(&mut engine, b, "CLIENT TRACKING on BCAST");
        assert_eq!(client_info_field(&mut engine, b, "flags"), "tB");
        assert_eq!(client_info_field(&mut engine, b, "redir"), "0");
    }

    #[test]
    fn subscribed_tracking_client_shows_both_flags() {
        // flags=Pt redir=0 resp=3 for a RESP3 client tracking and subscribed.
        let (mut engine, a, _) = setup();
        assert_eq!(client_info_field(&mut engine, a, "flags"), "Pt");
        assert_eq!(client_info_field(&mut engine, a, "redir"), "0");
    }

    #[test]
    fn the_table_is_kept_under_tracking_table_max_keys() {
        // With tracking-table-max-keys 1, after MGET a b c two of the keys are invalidated
        // (chosen at random by Redis) and tracking_total_keys is 1.
        let mut engine = Engine::new();
        let a = engine.connect();
        let w = engine.connect();
        call(&mut engine, a, "HELLO 3");
        call(&mut engine, w, "CONFIG SET tracking-table-max-keys 1");
        call(&mut engine, a, "CLIENT TRACKING on");
        call(&mut engine, a, "MGET a b c");
        call(&mut engine, w, "PING");
        assert_eq!(engine.tracking.total_keys(), 1);
        let messages = engine.take_output(a);
        assert_eq!(messages.len(), 2);
        assert!(messages.iter().all(|m| matches!(m, Reply::Push(_))));
        // Redis's effort per command: 100 keys, 100 more each time it stays over the limit.
        let many: Vec<String> = (0..350).map(|i| format!("m{i}")).collect();
        call(&mut engine, a, &format!("MGET {}", many.join(" ")));
        call(&mut engine, w, "PING");
        assert_eq!(engine.tracking.total_keys(), 351 - 100);
        call(&mut engine, w, "PING");
        assert_eq!(engine.tracking.total_keys(), 351 - 300);
        call(&mut engine, w, "PING");
        assert_eq!(engine.tracking.total_keys(), 1);
        engine.take_output(a);
        call(&mut engine, w, "CONFIG SET tracking-table-max-keys 0");
        call(&mut engine, a, "MGET a b c");
        call(&mut engine, w, "PING");
        // a, b, c and the key left from before.
        assert_eq!(engine.tracking.total_keys(), 4);
    }

    #[test]
    fn disconnection_and_eviction_clean_up() {
        let mut engine = Engine::new();
        let a = engine.connect();
        let w = engine.connect();
        call(&mut engine, a, "HELLO 3");
        call(&mut engine, a, "CLIENT TRACKING on BCAST PREFIX p");
        assert_eq!(engine.tracking.total_prefixes(), 1);
        engine.disconnect(a);
        assert_eq!(engine.tracking.clients, 0);
        assert_eq!(engine.tracking.total_prefixes(), 0);
        assert!(!engine.tracking.active);
        // A tracked key removed by eviction is invalidated (Redis's performEvictions).
        let b = engine.connect();
        call(&mut engine, b, "HELLO 3");
        call(&mut engine, b, "CLIENT TRACKING on");
        call(&mut engine, w, "SET big v");
        call(&mut engine, b, "GET big");
        engine.evict_key(0, b"big");
        assert_eq!(engine.take_output(b), [invalidate("big")]);
    }
}
