//! Blocking commands (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, …): a client waits on keys until
//! another client's write makes one of them ready, or until its timeout on the virtual clock.
//!
//! A handler that cannot proceed calls [`Ctx::block`]. A key clients wait on becomes ready where
//! Redis 7.0 calls `signalKeyAsReady`: when it is created ([`Ctx::add`], [`Ctx::set_key`] of a
//! missing key), when XADD appends to it, and when a stream is deleted, overwritten or loses a
//! group (a blocked XREADGROUP learns it); never when a value is changed in place or
//! overwritten otherwise (SORT … STORE over a string key wakes nobody). After each command the
//! engine re-runs the waiting commands of ready keys, oldest waiter first: a re-run that
//! succeeds replies to its client, one that still cannot proceed keeps waiting. Timeouts fire as
//! the clock advances.

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::ClientId;
use crate::command::Registry;
use crate::engine::{Ctx, Engine};
use crate::reply::Reply;

/// A client waiting for a blocking command.
#[derive(Debug, Clone)]
pub struct Blocked {
    /// The command to run again when a key is ready.
    pub argv: Vec<Vec<u8>>,
    /// The database of its keys.
    pub db: usize,
    /// The keys it waits on.
    pub keys: Vec<Vec<u8>>,
    /// Virtual time at which it gives up; `None` waits forever.
    pub deadline: Option<i64>,
    /// What it answers on timeout (a null array for most commands).
    pub timeout_reply: Reply,
    /// Postponed by `CLIENT PAUSE` (Redis's `BLOCKED_POSTPONE`): it waits on no key and runs
    /// from the start once the pause ends.
    pub postponed: bool,
}

/// A `CLIENT PAUSE` in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    /// Virtual time it lasts until: it ends once the clock is past it.
    pub end: i64,
    /// `WRITE` (only commands that may write wait) rather than `ALL`.
    pub write_only: bool,
}

/// Who waits on what.
#[derive(Debug, Clone, Default)]
pub struct Blocking {
    /// Waiting clients.
    pub clients: BTreeMap<ClientId, Blocked>,
    /// Waiters per (database, key), oldest first.
    pub on_key: HashMap<(usize, Vec<u8>), VecDeque<ClientId>>,
    /// Keys written since the last serving pass that someone waits on.
    pub ready: Vec<(usize, Vec<u8>)>,
    /// Set while a transaction runs: commands inside EXEC never block.
    pub in_exec: bool,
    /// The serial of the running or last transaction (from 1, wrapping past 0).
    pub exec: u32,
    /// Set while a waiting command is re-run: blocking again keeps the original wait.
    pub retrying: bool,
    /// The key a re-run serves: Redis 7.0 serves a client from the key that became ready, not
    /// from the first of its keys holding data.
    pub serving: Option<Vec<u8>>,
    /// `CLIENT PAUSE` in effect.
    pub pause: Option<Pause>,
    /// Clients postponed by the pause, in the order they sent their command.
    pub postponed: Vec<ClientId>,
    /// `CLIENT UNPAUSE` ran: the postponed commands run once it is done.
    pub resume_pending: bool,
}

impl Ctx<'_> {
    /// The running transaction's serial, 0 outside `EXEC`.
    pub fn running_exec(&self) -> u32 {
        if self.engine.blocking.in_exec {
            self.engine.blocking.exec
        } else {
            0
        }
    }

    /// Notes that the string now at `key` is the very object of an argument of the running
    /// command (SET, GETSET, MSET, APPEND creating the key, and INCRBYFLOAT, whose result
    /// replaces its argument for propagation): inside `EXEC`, Redis's queued command holds it
    /// until the transaction ends (`OBJECT REFCOUNT` answers 2 meanwhile).
    pub fn stored_argument(&mut self, key: &[u8]) {
        let exec = self.running_exec();
        if exec == 0 {
            return;
        }
        if let Some(crate::keyspace::Entry {
            value: crate::keyspace::Value::String(s),
            ..
        }) = self.db().peek_mut(key)
        {
            s.held_by = crate::keyspace::value::HeldBy(exec);
        }
    }

    /// Whether the running command may block (not inside `EXEC`).
    pub fn can_block(&self) -> bool {
        !self.engine.blocking.in_exec
    }

    /// The keys a blocking command should try: all of them on its first run, only the ready key
    /// when it is re-run to be served.
    pub fn blocking_candidates<'k>(&self, keys: &'k [Vec<u8>]) -> Vec<&'k Vec<u8>> {
        match &self.engine.blocking.serving {
            Some(ready) => keys.iter().filter(|k| *k == ready).collect(),
            None => keys.iter().collect(),
        }
    }

    /// Makes the calling client wait on `keys` of the selected database until one is written
    /// or the virtual clock reaches `deadline`; it then receives `timeout_reply`. The handler
    /// returns any value after calling this: nothing is replied now.
    pub fn block(
        &mut self,
        keys: &[Vec<u8>],
        deadline: Option<i64>,
        timeout_reply: Reply,
        argv: &[Vec<u8>],
    ) {
        self.blocked = true;
        if self.engine.blocking.retrying {
            return;
        }
        let (client, db) = (self.client, self.db);
        for key in keys {
            self.engine
                .blocking
                .on_key
                .entry((db, key.clone()))
                .or_default()
                .push_back(client);
        }
        self.engine.mark_unusual();
        self.engine.blocking.clients.insert(
            client,
            Blocked {
                argv: argv.to_vec(),
                db,
                keys: keys.to_vec(),
                deadline,
                timeout_reply,
                postponed: false,
            },
        );
    }
}

impl Engine {
    /// Whether a client waits in a blocking command.
    pub fn is_blocked(&self, client: ClientId) -> bool {
        self.blocking.clients.contains_key(&client)
    }

    /// The keys a waiting client waits on (`None` when it does not wait).
    pub fn blocked_keys(&self, client: ClientId) -> Option<&[Vec<u8>]> {
        self.blocking
            .clients
            .get(&client)
            .map(|b| b.keys.as_slice())
    }

    /// The virtual time at which a waiting client's command times out (`None` when it does not
    /// wait, or waits for ever).
    pub fn blocked_deadline(&self, client: ClientId) -> Option<i64> {
        self.blocking.clients.get(&client).and_then(|b| b.deadline)
    }

    /// The earliest virtual time at which a waiting client times out, so a host following wall
    /// time knows when to advance the clock.
    pub fn next_deadline(&self) -> Option<i64> {
        // A pause ends once the clock is past its end.
        let pause = self.blocking.pause.map(|p| p.end.saturating_add(1));
        self.blocking
            .clients
            .values()
            .filter_map(|b| b.deadline)
            .chain(pause)
            .min()
    }

    /// The earliest virtual time at which a host following wall time should move the clock
    /// although no command comes: [`Engine::next_deadline`], or the moment the soonest volatile
    /// key expires when a connection would hear of it. Redis's active expiry (`serverCron`'s
    /// `activeExpireCycle`) deletes keys nobody reads, which only keyspace notifications and
    /// client-tracking invalidations let anyone notice; during a pause (or with active expiry
    /// turned off: `DEBUG SET-ACTIVE-EXPIRE 0`) nothing expires.
    pub fn next_wakeup(&self) -> Option<i64> {
        let deadline = self.next_deadline();
        if self.paused() || !self.active_expire || !self.expiry_is_heard() {
            return deadline;
        }
        // A key is still there at its expire time and gone one millisecond later.
        let expiry = self
            .dbs
            .iter()
            .filter_map(crate::keyspace::Db::next_expiry)
            .min()
            .map(|at| at.saturating_add(1))
            .filter(|&at| at > self.now_ms);
        deadline.into_iter().chain(expiry).min()
    }

    /// Whether a key's expiry reaches some connection: an expired-event notification with
    /// somebody subscribed to any channel or pattern, or clients tracking keys.
    fn expiry_is_heard(&self) -> bool {
        use crate::pubsub::notify::{EXPIRED, KEYEVENT, KEYSPACE};
        let flags = self.config.notify_keyspace_events;
        let subscribed = !self.pubsub.channels.is_empty() || !self.pubsub.patterns.is_empty();
        (subscribed && flags & EXPIRED != 0 && flags & (KEYSPACE | KEYEVENT) != 0)
            || self.tracking.active
    }

    /// Redis's `signalKeyAsReady`: marks a key holding (or having held) a value of type
    /// `type_name` as ready, if a client waits on it and some client waits for that type at all
    /// (a list created while only sorted-set waiters exist is not queued).
    pub(crate) fn signal_key_as_ready(&mut self, db: usize, key: &[u8], type_name: &str) {
        if self.blocking.on_key.is_empty() || !matches!(type_name, "list" | "zset" | "stream") {
            return;
        }
        let registry = Registry::get();
        let waited = self.blocking.clients.values().any(|b| {
            registry
                .lookup_argv(&b.argv)
                .is_some_and(|spec| waited_type(&spec.group) == type_name)
        });
        if !waited {
            return;
        }
        let slot = (db, key.to_vec());
        if self.blocking.on_key.contains_key(&slot) && !self.blocking.ready.contains(&slot) {
            self.mark_unusual();
            self.blocking.ready.push(slot);
        }
    }

    /// Redis's `scanDatabaseForReadyKeys` (after SWAPDB): every key of these databases that a
    /// client waits on and that exists is marked ready.
    pub(crate) fn signal_existing_blocked_keys(&mut self, dbs: &[usize]) {
        let mut present: Vec<(usize, Vec<u8>, &'static str)> = self
            .blocking
            .on_key
            .keys()
            .filter(|(db, _)| dbs.contains(db))
            .filter_map(|(db, key)| {
                let entry = self.dbs.get(*db)?.peek(key)?;
                Some((*db, key.clone(), entry.value.type_name()))
            })
            .collect();
        crate::qsort::sort(&mut present);
        for (db, key, type_name) in present {
            self.signal_key_as_ready(db, &key, type_name);
        }
    }

    /// Stops a client's wait, forgetting the keys it waited on.
    fn release(&mut self, client: ClientId) -> Option<Blocked> {
        let blocked = self.blocking.clients.remove(&client)?;
        for key in &blocked.keys {
            let slot = (blocked.db, key.clone());
            if let Some(queue) = self.blocking.on_key.get_mut(&slot) {
                queue.retain(|&id| id != client);
                if queue.is_empty() {
                    self.blocking.on_key.remove(&slot);
                }
            }
        }
        Some(blocked)
    }

    /// Serves the clients waiting on ready keys, until no key is ready (serving one client may
    /// make another key ready, as BLMOVE does).
    pub(crate) fn serve_ready_keys(&mut self) {
        let registry = Registry::get();
        while !self.blocking.ready.is_empty() {
            let ready = std::mem::take(&mut self.blocking.ready);
            for slot in ready {
                let waiters: Vec<ClientId> = self
                    .blocking
                    .on_key
                    .get(&slot)
                    .map(|q| q.iter().copied().collect())
                    .unwrap_or_default();
                for client in waiters {
                    let Some(blocked) = self.blocking.clients.get(&client).cloned() else {
                        continue;
                    };
                    let Some(spec) = registry.lookup_argv(&blocked.argv) else {
                        continue;
                    };
                    // Redis serves waiters only from a key of the type they wait for: one that
                    // now holds another type leaves them waiting.
                    let holds = self
                        .dbs
                        .get(slot.0)
                        .and_then(|db| db.peek(&slot.1))
                        .map(|entry| entry.value.type_name());
                    // The exception: a blocked XREADGROUP is told its stream was deleted.
                    let deleted_stream = holds.is_none() && spec.name == "xreadgroup";
                    if holds != Some(waited_type(&spec.group)) && !deleted_stream {
                        continue;
                    }
                    self.mark_unusual();
                    self.blocking.retrying = true;
                    self.blocking.serving = Some(slot.1.clone());
                    // Redis pops for these (BLMPOP and the sorted-set ones signal the key,
                    // as their commands do) without signalling the key to client-side caching.
                    self.tracking.serving_unsignalled = matches!(
                        spec.name.as_str(),
                        "blpop" | "brpop" | "brpoplpush" | "blmove" | "xread" | "xreadgroup"
                    );
                    let replies = self.execute(client, spec, &blocked.argv);
                    self.tracking.serving_unsignalled = false;
                    self.blocking.retrying = false;
                    self.blocking.serving = None;
                    // Still nothing to take: keep waiting. Any other reply ends the wait, an
                    // error too (BLMOVE to a destination of another type answers WRONGTYPE).
                    if replies.is_empty() {
                        continue;
                    }
                    self.release(client);
                    self.after_served(client, spec, &blocked.argv, &replies);
                    for reply in replies {
                        self.deliver(client, reply);
                    }
                    // The command is done: what Redis's resetClient does then.
                    if let Some(c) = self.clients.get_mut(&client) {
                        crate::client::after_served_flags(c);
                    }
                    if self.tracking.has_pending() {
                        self.tracking_send_pending();
                    }
                }
            }
        }
    }

    /// Answers the timeout reply to every client whose deadline has passed, earliest first.
    pub(crate) fn expire_blocked_timeouts(&mut self) {
        if self.blocking.clients.is_empty() {
            return;
        }
        let now = self.now_ms;
        let mut due: Vec<(i64, ClientId)> = self
            .blocking
            .clients
            .iter()
            .filter_map(|(&id, b)| b.deadline.filter(|&d| d <= now).map(|d| (d, id)))
            .collect();
        crate::qsort::sort(&mut due);
        for (_, client) in due {
            if let Some(blocked) = self.release(client) {
                self.deliver(client, blocked.timeout_reply);
            }
        }
    }

    /// `CLIENT UNBLOCK`: ends a client's wait as a timeout would, or with an error; answers
    /// whether it was waiting.
    pub fn unblock(&mut self, client: ClientId, with_error: bool) -> bool {
        if self
            .blocking
            .clients
            .get(&client)
            .is_some_and(|b| b.postponed)
        {
            // Redis 7.0.15 crashes here ("Unknown btype in replyToBlockedClientTimedOut"): a
            // client paused by CLIENT PAUSE is not waiting in a blocking command.
            return false;
        }
        let Some(blocked) = self.release(client) else {
            return false;
        };
        let reply = if with_error {
            self.count_error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            Reply::error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
        } else {
            blocked.timeout_reply
        };
        self.deliver(client, reply);
        true
    }

    /// Forgets a closed client's wait.
    pub(crate) fn forget_blocked(&mut self, client: ClientId) {
        self.release(client);
        self.blocking.postponed.retain(|&id| id != client);
    }

    /// `CLIENT PAUSE` (Redis's `pauseClients`): a pause in effect lasts until the later end and
    /// becomes `ALL` if either is; one whose end has already passed does not start.
    pub(crate) fn pause_clients(&mut self, end: i64, write_only: bool) {
        let pause = match self.blocking.pause {
            Some(p) => Pause {
                end: p.end.max(end),
                write_only: p.write_only && write_only,
            },
            None => Pause { end, write_only },
        };
        self.mark_unusual();
        self.blocking.pause = (pause.end >= self.now_ms).then_some(pause);
        self.blocking.resume_pending = false;
    }

    /// Whether `CLIENT PAUSE` holds back commands now (see [`Engine::next_deadline`] for when
    /// it ends).
    pub fn is_paused(&self) -> bool {
        self.blocking.pause.is_some()
    }

    /// `CLIENT UNPAUSE`, or the clock past the pause's end: postponed commands run, in the
    /// order they came, their replies waiting in their connections' output.
    pub(crate) fn unpause_clients(&mut self) {
        for client in std::mem::take(&mut self.blocking.postponed) {
            let Some(blocked) = self.release(client) else {
                continue;
            };
            let mut out = Vec::new();
            self.call_into(client, &blocked.argv, &mut out);
            if let Some(c) = self.clients.get_mut(&client) {
                c.note_output(&mut self.outputs_begun);
                c.outbox.extend(out);
            }
        }
    }

    /// Whether a pause holds back keyspace changes the server makes on its own (expiry,
    /// eviction): Redis keeps the dataset still while clients are paused.
    #[inline]
    pub(crate) fn paused(&self) -> bool {
        self.blocking.pause.is_some()
    }

    /// Postpones a client's command until the pause ends (Redis's `BLOCKED_POSTPONE`).
    pub(crate) fn postpone(&mut self, client: ClientId, db: usize, argv: &[Vec<u8>]) {
        self.mark_unusual();
        self.blocking.clients.insert(
            client,
            Blocked {
                argv: argv.to_vec(),
                db,
                keys: Vec::new(),
                deadline: None,
                timeout_reply: Reply::NilArray,
                postponed: true,
            },
        );
        self.blocking.postponed.push(client);
    }

    /// Whether the pause in effect postpones `spec` (with `queue`, a transaction's commands, for
    /// `EXEC`): every command under `ALL`; under `WRITE`, those that may write or replicate
    /// (`PUBLISH`, `PFCOUNT`, … as Redis's `CMD_MAY_REPLICATE`), and an `EXEC` holding one.
    pub(crate) fn pause_applies(
        pause: Pause,
        spec: &crate::command::CommandSpec,
        queue: Option<&[Vec<Vec<u8>>]>,
    ) -> bool {
        if !pause.write_only {
            return true;
        }
        if spec.may_replicate() {
            return true;
        }
        spec.name == "exec"
            && queue.is_some_and(|queue| {
                let registry = Registry::get();
                queue.iter().any(|argv| {
                    registry
                        .lookup_argv(argv)
                        .is_some_and(crate::command::CommandSpec::may_replicate)
                })
            })
    }
}

/// The type of key the blocking commands of a group wait for (`TYPE`'s name).
fn waited_type(group: &str) -> &'static str {
    match group {
        "sorted-set" | "sorted_set" => "zset",
        "stream" => "stream",
        _ => "list",
    }
}

#[cfg(test)]
mod pause_tests {
    //! CLIENT PAUSE on the virtual clock. Behaviour checked against Debian's redis-server
    //! 7.0.15 (raw RESP over TCP): a held command runs once the pause is over, in arrival order;
    //! reads pass a WRITE pause; an expired key reads as missing but stays (DBSIZE counts it)
    //! and is removed once the pause ends.
    use crate::{ClientId, Engine, Reply};

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    fn call(engine: &mut Engine, client: ClientId, line: &str) -> Vec<Reply> {
        engine.call(client, &argv(line))
    }

    fn setup() -> (Engine, ClientId, ClientId) {
        let mut engine = Engine::new();
        engine.set_time(1_000_000);
        let a = engine.connect();
        let b = engine.connect();
        (engine, a, b)
    }

    #[test]
    fn each_waiting_client_has_its_own_deadline() {
        let (mut engine, a, b) = setup();
        let c = engine.connect();
        assert!(call(&mut engine, a, "BLPOP k 2").is_empty());
        assert!(call(&mut engine, b, "BLPOP k 0.5").is_empty());
        assert!(call(&mut engine, c, "BLPOP k 0").is_empty());
        assert_eq!(engine.blocked_deadline(a), Some(1_002_000));
        assert_eq!(engine.blocked_deadline(b), Some(1_000_500));
        assert_eq!(engine.blocked_deadline(c), None, "waits for ever");
        assert_eq!(engine.next_deadline(), Some(1_000_500));
        engine.advance(600);
        assert_eq!(engine.take_output(b), [Reply::NilArray]);
        assert_eq!(engine.blocked_deadline(b), None, "no longer waits");
        assert_eq!(engine.blocked_deadline(a), Some(1_002_000));
    }

    #[test]
    fn a_held_command_runs_once_the_clock_is_past_the_end() {
        let (mut engine, a, b) = setup();
        assert_eq!(call(&mut engine, a, "CLIENT PAUSE 100"), [Reply::ok()]);
        assert!(engine.is_paused());
        assert_eq!(engine.next_deadline(), Some(1_000_101));
        assert!(call(&mut engine, b, "GET k").is_empty());
        assert!(engine.is_blocked(b));
        engine.advance(100);
        // At the end exactly the pause still holds (Redis ends it once its time is past).
        assert!(engine.take_output(b).is_empty());
        engine.advance(1);
        assert_eq!(engine.take_output(b), [Reply::Nil]);
        assert!(!engine.is_paused());
        assert!(!engine.is_blocked(b));
        assert_eq!(engine.next_deadline(), None);
    }

    #[test]
    fn expiry_wakes_the_host_only_when_someone_hears_of_it() {
        let (mut engine, a, b) = setup();
        assert_eq!(call(&mut engine, a, "SET k v PX 50"), [Reply::ok()]);
        assert_eq!(call(&mut engine, a, "SET far v PX 90"), [Reply::ok()]);
        assert_eq!(engine.next_wakeup(), None);
        call(&mut engine, b, "SUBSCRIBE __keyevent@0__:expired");
        assert_eq!(engine.next_wakeup(), None, "notifications are off");
        call(&mut engine, a, "CONFIG SET notify-keyspace-events Ex");
        assert_eq!(engine.next_wakeup(), Some(1_000_051));
        engine.advance(50);
        assert!(engine.take_output(b).is_empty(), "not expired at its time");
        engine.advance(1);
        let heard = engine.take_output(b);
        assert_eq!(heard.len(), 1, "{heard:?}");
        assert_eq!(engine.next_wakeup(), Some(1_000_091));
        // A blocked client's timeout comes first when it is sooner.
        call(&mut engine, a, "BLPOP q 0.02");
        assert_eq!(engine.next_wakeup(), Some(1_000_071));
        call(&mut engine, b, "UNSUBSCRIBE");
        engine.advance(40);
        assert_eq!(engine.next_wakeup(), None);
    }

    #[test]
    fn unpause_releases_at_once_in_arrival_order() {
        let (mut engine, a, b) = setup();
        let c = engine.connect();
        let u = engine.connect();
        call(&mut engine, a, "CLIENT PAUSE 100000 WRITE");
        assert!(call(&mut engine, c, "SET k c").is_empty());
        assert!(call(&mut engine, b, "SET k b").is_empty());
        // Reads pass a WRITE pause.
        assert_eq!(call(&mut engine, u, "GET k"), [Reply::Nil]);
        assert_eq!(call(&mut engine, u, "CLIENT UNPAUSE"), [Reply::ok()]);
        assert_eq!(engine.take_output(c), [Reply::ok()]);
        assert_eq!(engine.take_output(b), [Reply::ok()]);
        assert_eq!(call(&mut engine, u, "GET k"), [Reply::bulk(b"b")]);
    }

    #[test]
    fn all_holds_reads_and_the_pausing_client_too() {
        let (mut engine, a, b) = setup();
        call(&mut engine, a, "CLIENT PAUSE 50 ALL");
        assert!(call(&mut engine, b, "PING").is_empty());
        assert!(call(&mut engine, a, "CLIENT UNPAUSE").is_empty());
        // A second pause extends the first and the more restrictive mode wins.
        engine.advance(51);
        assert_eq!(engine.take_output(b), [Reply::status("PONG")]);
        assert_eq!(engine.take_output(a), [Reply::ok()]);
        call(&mut engine, a, "CLIENT PAUSE 100 ALL");
        call(&mut engine, a, "CLIENT PAUSE 10 WRITE");
        assert!(call(&mut engine, b, "GET k").is_empty());
        engine.advance(50);
        assert!(engine.take_output(b).is_empty());
        engine.advance(51);
        assert_eq!(engine.take_output(b), [Reply::Nil]);
    }

    #[test]
    fn keys_neither_expire_nor_get_evicted_while_paused() {
        let (mut engine, a, b) = setup();
        call(&mut engine, a, "SET e v PX 10");
        call(&mut engine, a, "SET f v PX 10");
        call(&mut engine, a, "CLIENT PAUSE 1000 WRITE");
        engine.advance(20);
        // Reads as missing, but stays.
        assert_eq!(call(&mut engine, b, "GET e"), [Reply::Nil]);
        assert_eq!(call(&mut engine, b, "DBSIZE"), [Reply::Integer(2)]);
        assert_eq!(engine.stats().expired_keys, 0);
        engine.advance(1000);
        assert_eq!(call(&mut engine, b, "DBSIZE"), [Reply::Integer(0)]);
        assert_eq!(engine.stats().expired_keys, 2);
    }

    #[test]
    fn a_held_client_can_leave_and_cannot_be_unblocked() {
        let (mut engine, a, b) = setup();
        let c = engine.connect();
        call(&mut engine, a, "CLIENT PAUSE 1000");
        assert!(call(&mut engine, b, "GET k").is_empty());
        assert!(call(&mut engine, c, "GET k").is_empty());
        // Redis 7.0.15 crashes on CLIENT UNBLOCK of a paused client; here it answers 0.
        assert!(!engine.unblock(b, false));
        engine.disconnect(b);
        engine.advance(1001);
        assert_eq!(engine.take_output(c), [Reply::Nil]);
        assert!(engine.blocking.postponed.is_empty());
    }

    #[test]
    fn zero_and_overflowing_timeouts_pause_nothing() {
        let (mut engine, a, b) = setup();
        call(&mut engine, a, "CLIENT PAUSE 0");
        call(&mut engine, a, "CLIENT PAUSE 9223372036854775807 ALL");
        assert!(!engine.is_paused());
        assert_eq!(call(&mut engine, b, "SET k v"), [Reply::ok()]);
    }
}
