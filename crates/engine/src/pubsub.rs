//! Pub/sub: who listens to which channel, pattern or shard channel, message delivery, and
//! keyspace notifications.

use std::collections::BTreeSet;

use crate::ClientId;
use crate::engine::Engine;
use crate::glob::glob_match;
use crate::keyspace::Dict;
use crate::keyspace::dict::Weigh;
use crate::reply::Reply;

/// Keyspace notification classes, the bits of `notify-keyspace-events`.
pub mod notify {
    /// `K`: publish on `__keyspace@<db>__:<key>`.
    pub const KEYSPACE: u32 = 1;
    /// `E`: publish on `__keyevent@<db>__:<event>`.
    pub const KEYEVENT: u32 = 1 << 1;
    /// `g`: generic commands (DEL, EXPIRE, RENAME, …).
    pub const GENERIC: u32 = 1 << 2;
    /// `$`: string commands.
    pub const STRING: u32 = 1 << 3;
    /// `l`: list commands.
    pub const LIST: u32 = 1 << 4;
    /// `s`: set commands.
    pub const SET: u32 = 1 << 5;
    /// `h`: hash commands.
    pub const HASH: u32 = 1 << 6;
    /// `z`: sorted set commands.
    pub const ZSET: u32 = 1 << 7;
    /// `x`: expired events.
    pub const EXPIRED: u32 = 1 << 8;
    /// `e`: evicted events.
    pub const EVICTED: u32 = 1 << 9;
    /// `t`: stream commands.
    pub const STREAM: u32 = 1 << 10;
    /// `m`: key misses.
    pub const KEY_MISS: u32 = 1 << 11;
    /// `d`: module events (no module sends any here, but the class can be enabled).
    pub const MODULE: u32 = 1 << 13;
    /// `n`: new keys.
    pub const NEW: u32 = 1 << 14;
    /// `A`: every class but `m` (key misses) and `n` (new keys).
    pub const ALL: u32 =
        GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    /// Reads the letters of `notify-keyspace-events` as Redis's `keyspaceEventsStringToFlags`
    /// does (up to a NUL byte); `None` for a letter that names no class.
    pub fn parse(letters: &[u8]) -> Option<u32> {
        let mut flags = 0;
        for &letter in crate::cstr::c_str(letters) {
            flags |= match letter {
                b'A' => ALL,
                b'g' => GENERIC,
                b'$' => STRING,
                b'l' => LIST,
                b's' => SET,
                b'h' => HASH,
                b'z' => ZSET,
                b'x' => EXPIRED,
                b'e' => EVICTED,
                b'K' => KEYSPACE,
                b'E' => KEYEVENT,
                b't' => STREAM,
                b'm' => KEY_MISS,
                b'd' => MODULE,
                b'n' => NEW,
                _ => return None,
            };
        }
        Some(flags)
    }

    /// The letters `CONFIG GET notify-keyspace-events` shows, in Redis's order: `A` when every
    /// class of it is on (then, as in Redis 7.0, `n` is not shown even when on), else each class
    /// letter; then `K`, `E` and `m`.
    pub fn format(flags: u32) -> String {
        let mut out = String::new();
        if flags & ALL == ALL {
            out.push('A');
        } else {
            for (bit, letter) in [
                (GENERIC, 'g'),
                (STRING, '$'),
                (LIST, 'l'),
                (SET, 's'),
                (HASH, 'h'),
                (ZSET, 'z'),
                (EXPIRED, 'x'),
                (EVICTED, 'e'),
                (STREAM, 't'),
                (MODULE, 'd'),
                (NEW, 'n'),
            ] {
                if flags & bit != 0 {
                    out.push(letter);
                }
            }
        }
        for (bit, letter) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
            if flags & bit != 0 {
                out.push(letter);
            }
        }
        out
    }
}

/// The clients subscribed to one channel, pattern or shard channel.
pub type Subscribers = BTreeSet<ClientId>;

/// The pub/sub tables are not in the memory figures: nothing to weigh, and no need for
/// Redis's incremental rehash, which shows in those figures.
impl Weigh for Subscribers {
    type Align = ();

    const REHASH: bool = false;
}

/// Subscribers of channels, patterns and shard channels. Redis 7.0 keeps each kind in a hash
/// table, and answers in its order where it lists them (`PUBSUB CHANNELS`, `PUBSUB
/// SHARDCHANNELS`) or goes through them (`PUBLISH` tries the patterns in it, so a client
/// matching several gets their messages in that order): so do these tables, in their order.
#[derive(Debug, Clone, Default)]
pub struct PubSub {
    /// Subscribers per channel.
    pub channels: Dict<Subscribers>,
    /// Subscribers per pattern.
    pub patterns: Dict<Subscribers>,
    /// Subscribers per shard channel.
    pub shard_channels: Dict<Subscribers>,
}

/// Adds a subscriber of `name` to one of the tables.
pub(crate) fn add(map: &mut Dict<Subscribers>, name: &[u8], client: ClientId) {
    if let Some(subscribers) = map.get_mut(name) {
        subscribers.insert(client);
    } else {
        map.insert(name, BTreeSet::from([client]));
    }
}

fn remove(map: &mut Dict<Subscribers>, name: &[u8], client: ClientId) {
    if let Some(subscribers) = map.get_mut(name) {
        subscribers.remove(&client);
        if subscribers.is_empty() {
            map.remove(name);
        }
    }
}

impl PubSub {
    /// Notes a client's channel subscription, as tests listen without subscribing.
    #[cfg(test)]
    pub(crate) fn add_channel(&mut self, channel: &[u8], client: ClientId) {
        add(&mut self.channels, channel, client);
    }

    /// Notes a client's pattern subscription, as tests listen without subscribing.
    #[cfg(test)]
    pub(crate) fn add_pattern(&mut self, pattern: &[u8], client: ClientId) {
        add(&mut self.patterns, pattern, client);
    }

    /// Forgets a client's channel subscription.
    pub fn remove_channel(&mut self, channel: &[u8], client: ClientId) {
        remove(&mut self.channels, channel, client);
    }

    /// Forgets a client's pattern subscription.
    pub fn remove_pattern(&mut self, pattern: &[u8], client: ClientId) {
        remove(&mut self.patterns, pattern, client);
    }

    /// Forgets a client's shard channel subscription.
    pub fn remove_shard_channel(&mut self, channel: &[u8], client: ClientId) {
        remove(&mut self.shard_channels, channel, client);
    }
}

impl Engine {
    /// Publishes a message to a channel's subscribers and to clients with a matching pattern;
    /// answers how many deliveries were made (a client matching two patterns counts twice).
    pub fn publish(&mut self, channel: &[u8], message: &[u8]) -> usize {
        let mut deliveries: Vec<(ClientId, Reply)> = Vec::new();
        if let Some(subscribers) = self.pubsub.channels.get(channel) {
            for &id in subscribers {
                deliveries.push((
                    id,
                    Reply::Push(vec![
                        Reply::bulk(b"message"),
                        Reply::bulk(channel),
                        Reply::bulk(message),
                    ]),
                ));
            }
        }
        for (pattern, subscribers) in self.pubsub.patterns.iter() {
            if glob_match(pattern, channel, false) {
                for &id in subscribers {
                    deliveries.push((
                        id,
                        Reply::Push(vec![
                            Reply::bulk(b"pmessage"),
                            Reply::bulk(pattern),
                            Reply::bulk(channel),
                            Reply::bulk(message),
                        ]),
                    ));
                }
            }
        }
        let count = deliveries.len();
        for (id, push) in deliveries {
            self.deliver(id, push);
        }
        count
    }

    /// Publishes a message to a shard channel's subscribers (`SPUBLISH`).
    pub fn publish_shard(&mut self, channel: &[u8], message: &[u8]) -> usize {
        let subscribers: Vec<ClientId> = self
            .pubsub
            .shard_channels
            .get(channel)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        for &id in &subscribers {
            self.deliver(
                id,
                Reply::Push(vec![
                    Reply::bulk(b"smessage"),
                    Reply::bulk(channel),
                    Reply::bulk(message),
                ]),
            );
        }
        subscribers.len()
    }

    /// Sends a keyspace notification, as Redis's `notifyKeyspaceEvent`, if its class is enabled
    /// in `notify-keyspace-events`. The test is inlined in every write (notifications are off
    /// by default); the sending is not.
    #[inline]
    pub(crate) fn notify(&mut self, class: u32, event: &str, key: &[u8], db: usize) {
        if self.config.notify_keyspace_events & class != 0 {
            self.send_notification(event, key, db);
        }
    }

    #[inline(never)]
    fn send_notification(&mut self, event: &str, key: &[u8], db: usize) {
        let flags = self.config.notify_keyspace_events;
        if flags & notify::KEYSPACE != 0 {
            let mut channel = format!("__keyspace@{db}__:").into_bytes();
            channel.extend_from_slice(key);
            self.publish(&channel, event.as_bytes());
        }
        if flags & notify::KEYEVENT != 0 {
            let channel = format!("__keyevent@{db}__:{event}").into_bytes();
            self.publish(&channel, key);
        }
    }
}

/// Test support: the keyevent notifications `client` (subscribed to `__keyevent@0__:*`) has
/// received, as `"<event> <key>"`, oldest first; other output is skipped.
#[cfg(test)]
pub(crate) fn keyevents_received(engine: &mut Engine, client: ClientId) -> Vec<String> {
    engine
        .take_output(client)
        .into_iter()
        .filter_map(|push| match push {
            Reply::Push(items) | Reply::Array(items) => match items.as_slice() {
                [_, _, Reply::Bulk(channel), Reply::Bulk(key)] => Some(format!(
                    "{} {}",
                    String::from_utf8_lossy(channel).trim_start_matches("__keyevent@0__:"),
                    String::from_utf8_lossy(key)
                )),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! The order of [`Engine::pending_output`], which hosts deliver in (Redis 7.0's order,
    //! compared through ioredis in web/js/test/differential.test.mjs).
    use crate::{Engine, Reply};

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn pending_output_lists_the_connection_whose_output_began_last_first() {
        let mut engine = Engine::new();
        let [publisher, a, b, c] = [(); 4].map(|()| engine.connect());
        for subscriber in [a, b, c] {
            engine.call(subscriber, &argv("SUBSCRIBE news"));
        }
        engine.call(c, &argv("PSUBSCRIBE n*"));
        // The subscriptions' confirmations were their callers' own replies.
        assert!(engine.pending_output().is_empty());
        assert_eq!(
            engine.call(publisher, &argv("PUBLISH news one")),
            [Reply::Integer(4)]
        );
        assert_eq!(engine.pending_output(), [c, b, a]);
        assert!(engine.has_pending_output());
        // The message and the pattern message, in order.
        assert_eq!(engine.take_output(c).len(), 2);
        assert_eq!(engine.pending_output(), [b, a]);
        // Connections still waiting keep their place; one whose output begins now goes first.
        engine.call(publisher, &argv("PUBLISH news two"));
        assert_eq!(engine.pending_output(), [c, b, a]);
        for subscriber in [a, b, c] {
            engine.take_output(subscriber);
        }
        assert!(engine.pending_output().is_empty());
        assert!(!engine.has_pending_output());
        engine.call(b, &argv("UNSUBSCRIBE news"));
        engine.call(publisher, &argv("PUBLISH news three"));
        assert_eq!(engine.pending_output(), [c, a]);
    }

    fn names(replies: &[Reply]) -> Vec<Vec<u8>> {
        replies
            .iter()
            .map(|r| match r {
                Reply::Bulk(name) => name.to_vec(),
                Reply::Push(items) | Reply::Array(items) => match items.get(1) {
                    Some(Reply::Bulk(name)) => name.to_vec(),
                    other => panic!("no name: {other:?}"),
                },
                other => panic!("not a name: {other:?}"),
            })
            .collect()
    }

    /// Redis keeps channels, patterns and a client's channels in hash tables and goes through
    /// them in their order: PUBSUB CHANNELS, UNSUBSCRIBE without arguments, PUBLISH to a
    /// client matching several patterns. So do these tables; a client's patterns are a list,
    /// left in subscription order by PUNSUBSCRIBE.
    #[test]
    fn channels_and_patterns_go_in_their_tables_order() {
        let mut engine = Engine::new();
        let [publisher, subscriber] = [(); 2].map(|()| engine.connect());
        let channels: Vec<Vec<u8>> = (0..10).map(|i| format!("ch:{i}").into_bytes()).collect();
        let patterns: Vec<Vec<u8>> = (0..10).map(|i| format!("ch*{i}*").into_bytes()).collect();
        let join = |names: &[Vec<u8>]| {
            names
                .iter()
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        engine.call(subscriber, &argv(&format!("SUBSCRIBE {}", join(&channels))));
        engine.call(
            subscriber,
            &argv(&format!("PSUBSCRIBE {}", join(&patterns))),
        );
        let listed = engine.call(publisher, &argv("PUBSUB CHANNELS"));
        let Some(Reply::Array(listed)) = listed.first() else {
            panic!("{listed:?}");
        };
        let listed = names(listed);
        assert_eq!(listed, engine.pubsub.channels.keys_by_bucket());
        assert_ne!(listed, channels, "neither subscription order nor sorted");
        // A channel every pattern matches: one message per pattern, in their table's order.
        engine.call(publisher, &argv("PUBLISH ch0123456789 m"));
        let pattern_order: Vec<Vec<u8>> = engine.pubsub.patterns.keys_by_bucket();
        assert_eq!(names(&engine.take_output(subscriber)), pattern_order);
        assert_ne!(pattern_order, patterns);
        let client_table = engine
            .clients
            .get(&subscriber)
            .expect("connected")
            .channels
            .iter()
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>();
        let unsubscribed = engine.call(subscriber, &argv("UNSUBSCRIBE"));
        assert_eq!(names(&unsubscribed), client_table);
        assert_ne!(client_table, channels);
        let mut each_once = client_table.clone();
        each_once.sort();
        assert_eq!(each_once, channels);
        assert_eq!(
            names(&engine.call(subscriber, &argv("PUNSUBSCRIBE"))),
            patterns
        );
    }

    #[test]
    fn clients_served_out_of_a_wait_are_listed_last_served_first() {
        let mut engine = Engine::new();
        let [producer, x, y] = [(); 3].map(|()| engine.connect());
        assert!(engine.call(x, &argv("BLPOP q 0")).is_empty());
        assert!(engine.call(y, &argv("BLPOP q 0")).is_empty());
        assert_eq!(
            engine.call(producer, &argv("RPUSH q 1 2")),
            [Reply::Integer(2)]
        );
        assert_eq!(engine.pending_output(), [y, x]);
        assert_eq!(
            engine.take_output(x),
            [Reply::Array(vec![Reply::bulk(b"q"), Reply::bulk(b"1")])]
        );
        assert_eq!(engine.pending_output(), [y]);
    }
}
