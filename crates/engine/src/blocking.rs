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
    /// Set while a waiting command is re-run: blocking again keeps the original wait.
    pub retrying: bool,
    /// The key a re-run serves: Redis 7.0 serves a client from the key that became ready, not
    /// from the first of its keys holding data.
    pub serving: Option<Vec<u8>>,
}

impl Ctx<'_> {
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
        self.engine.blocking.clients.insert(
            client,
            Blocked {
                argv: argv.to_vec(),
                db,
                keys: keys.to_vec(),
                deadline,
                timeout_reply,
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

    /// The earliest virtual time at which a waiting client times out, so a host following wall
    /// time knows when to advance the clock.
    pub fn next_deadline(&self) -> Option<i64> {
        self.blocking
            .clients
            .values()
            .filter_map(|b| b.deadline)
            .min()
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
                    self.blocking.retrying = true;
                    self.blocking.serving = Some(slot.1.clone());
                    let replies = self.execute(client, spec, &blocked.argv);
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
