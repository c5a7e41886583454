//! Memory estimates: what `MEMORY USAGE` and `INFO memory` report.
//!
//! The engine does not store values as Redis does, so sizes are computed from Redis 7.0's
//! structures, as its `objectComputeSize` adds them up on x86-64 with jemalloc:
//! - every allocation is rounded up to jemalloc's size class (8, then multiples of 16 up to 128,
//!   then four classes per doubling: 160, 192, 224, 256, 320, …);
//! - a value object (`robj`) is 16 bytes; a hash-table entry 24; a `dict` 56 plus 8 bytes per
//!   bucket; a quicklist 40 and each of its nodes 40 plus its listpack;
//! - a string is the object alone (`int`), one allocation of object, 3-byte header, bytes and
//!   terminator (`embstr`), or the object plus an `sds` (`raw`: a 1, 3, 5, 9 or 17-byte header
//!   by length, the bytes and a terminator);
//! - listpacks (small hashes, quicklist nodes) and intsets have their exact byte size, as the
//!   DUMP encoder builds them;
//! - a key adds its own `sds` and its entry in the database's table.
//!
//! As in Redis, collections with a hash table (and lists with many nodes) are sampled: the
//! first `samples` elements (or nodes) give an average that is multiplied by their number.
//! A hash table being rehashed counts the buckets of its old table too (`Dict::slots`), in
//! MEMORY USAGE; `used_memory` counts the new table only (a lookup may finish the rehash, and
//! the figure changes only with writes).
//! Where the engine cannot know Redis's exact allocation (a string grown by APPEND keeps spare
//! room in Redis, a quicklist built by pushes at both ends is cut differently), the estimate
//! assumes the tight form. For small strings, lists, sets and hashes built by their usual
//! commands, the estimate is Redis's number.

use crate::client::OOM_ERROR;
use crate::engine::Engine;
use crate::errors::RedisError;
use crate::keyspace::Value;
use crate::keyspace::stream::Stream;
use crate::keyspace::value::StrEncoding;
use crate::keyspace::zset::{ZSet, listpack_score_int, listpack_score_text};
use crate::rdb::listpack::{Listpack, entry_size, quicklist_nodes};
use crate::reply::Reply;

/// `sizeof(robj)`.
const ROBJ: usize = 16;
/// `sizeof(dictEntry)`.
const DICT_ENTRY: usize = 24;
/// `sizeof(dict)`.
const DICT: usize = 56;
/// `sizeof(quicklist)`.
const QUICKLIST: usize = 40;
/// `sizeof(quicklistNode)`.
const QUICKLIST_NODE: usize = 40;
/// Redis's `OBJ_COMPUTE_SIZE_DEF_SAMPLES`.
pub const DEFAULT_SAMPLES: usize = 5;
/// `sizeof(zset)` (its dict and skiplist pointers).
const ZSET: usize = 16;
/// `sizeof(zskiplist)`.
const ZSKIPLIST: usize = 32;
/// The skiplist's header node: 24 bytes and 32 levels of 16, in jemalloc's 640 class.
const ZSKIPLIST_HEADER: usize = 640;
/// A skiplist node's allocation on average: 24 bytes plus 16 per level, levels drawn with
/// Redis's p = 1/4 (48 bytes three times in four, 64 one in five, …).
const ZSKIPLIST_NODE_AVG: usize = 53;
/// `sizeof(stream)`.
const STREAM: usize = 80;
/// `sizeof(streamCG)`.
const STREAM_CG: usize = 40;
/// `sizeof(streamConsumer)`.
const STREAM_CONSUMER: usize = 24;
/// `sizeof(streamNACK)`.
const STREAM_NACK: usize = 24;
/// What Redis's `streamRadixTreeMemoryUsage` counts per radix-tree node: the 4-byte header
/// and a flat 30 words for children and data pointers.
const RAX_NODE: usize = 4 + 8 * 30;
/// A stream ID, as a radix-tree element.
const STREAM_ID: usize = 16;
/// The bytes Redis preallocates for a new stream node (`STREAM_LISTPACK_MAX_PRE_ALLOCATE`).
const STREAM_PREALLOC: usize = 4096;
/// The most a list node holds with the default `list-max-listpack-size -2`, header included.
const LIST_NODE_BYTES: usize = 8192;
/// A listpack's header and end marker.
const LISTPACK_EMPTY: usize = 7;

/// The size jemalloc really allocates for a request of `n` bytes (its size class).
pub fn alloc_size(n: usize) -> usize {
    if n <= 8 {
        return 8;
    }
    if n <= 128 {
        return n.div_ceil(16) * 16;
    }
    // Four classes per doubling: spacing is a quarter of the power of two below n.
    let k = usize::BITS - 1 - (n - 1).leading_zeros();
    let spacing = 1usize << (k - 2);
    n.div_ceil(spacing).saturating_mul(spacing)
}

/// The allocation of an `sds` string of `len` bytes made by `sdsnewlen` (header by length,
/// bytes, terminator).
pub fn sds_size(len: usize) -> usize {
    let header = match len {
        0..32 => 1,
        32..256 => 3,
        256..65536 => 5,
        _ if u32::try_from(len).is_ok() => 9,
        _ => 17,
    };
    alloc_size(header + len + 1)
}

/// What a sampled collection adds: the average of the first `samples` element sizes times the
/// number of elements, truncated as Redis's `size_t += double` truncates.
fn sampled(base: usize, sizes: impl Iterator<Item = usize>, samples: usize, total: usize) -> usize {
    let (mut sum, mut count) = (0usize, 0usize);
    for size in sizes.take(samples.max(1)) {
        sum = sum.saturating_add(size);
        count += 1;
    }
    if count == 0 {
        return base;
    }
    (base as f64 + sum as f64 / count as f64 * total as f64) as usize
}

/// The bytes a value takes, as Redis's `objectComputeSize` counts them (see the module doc).
/// `samples` is MEMORY USAGE's SAMPLES (0: all). A list is cut into nodes under the
/// `list-max-listpack-size` it was created with.
pub fn value_size(value: &Value, samples: usize) -> usize {
    let samples = if samples == 0 { usize::MAX } else { samples };
    match value {
        Value::String(s) => match s.encoding {
            StrEncoding::Int => ROBJ,
            StrEncoding::Embstr => alloc_size(ROBJ + 3 + s.bytes.len() + 1),
            StrEncoding::Raw => ROBJ + s.sds.usable(s.bytes.len()),
        },
        Value::List(list) => {
            let nodes = quicklist_nodes(list.iter(), list.fill());
            let sizes = nodes.iter().map(|n| QUICKLIST_NODE + alloc_size(n.size()));
            // Redis's loop always looks at the head node, even of an empty quicklist.
            sampled(ROBJ + QUICKLIST, sizes, samples, nodes.len().max(1))
        }
        Value::Set(set) => match (set.intset_blob(), set.hashtable()) {
            (Some(blob), _) => ROBJ + alloc_size(blob.len()),
            (None, Some(table)) => sampled(
                ROBJ + DICT + 8 * table.slots(),
                table.iter().map(|(m, ())| DICT_ENTRY + sds_size(m.len())),
                samples,
                table.len(),
            ),
            (None, None) => ROBJ,
        },
        Value::Hash(hash) => {
            if let Some(table) = hash.table() {
                sampled(
                    ROBJ + DICT + 8 * table.slots(),
                    table
                        .iter()
                        .map(|(f, v)| DICT_ENTRY + sds_size(f.len()) + sds_size(v.len())),
                    samples,
                    table.len(),
                )
            } else {
                let mut lp = Listpack::new();
                for (field, value) in hash.iter() {
                    lp.append(field);
                    lp.append(value);
                }
                ROBJ + alloc_size(lp.size())
            }
        }
        Value::ZSet(zset) => match zset.dict() {
            Some(dict) => sampled(
                ROBJ + ZSET + ZSKIPLIST + DICT + 8 * dict.slots() + ZSKIPLIST_HEADER,
                zset.iter()
                    .map(|(m, _)| sds_size(m.len()) + DICT_ENTRY + ZSKIPLIST_NODE_AVG),
                samples,
                dict.len(),
            ),
            None => ROBJ + alloc_size(zset_listpack_bytes(zset)),
        },
        Value::Stream(stream) => stream_size(stream, samples, true),
    }
}

/// `lpBytes` of a listpack-encoded sorted set: member and score of each element, the score as
/// the integer or `%.17g` text the listpack holds.
fn zset_listpack_bytes(zset: &ZSet) -> usize {
    zset.iter().fold(LISTPACK_EMPTY, |sum, (member, score)| {
        let score = match listpack_score_int(score) {
            Some(n) => entry_size(n.to_string().as_bytes()),
            None => entry_size(listpack_score_text(score).as_bytes()),
        };
        sum.saturating_add(entry_size(member)).saturating_add(score)
    })
}

/// The bytes of a stream, as Redis's `objectComputeSize` counts them: the object and stream
/// structures, the radix tree of nodes, the nodes' listpacks (the first `samples` averaged over
/// all but the last, which is counted as it is; a tail node XADD opened keeps Redis's 4 KB
/// preallocation), and each consumer group with its pending entries and consumers. `exact_rax`
/// counts the radix trees' nodes as Redis lays them out, at a cost linear in their size;
/// otherwise one node per element is assumed.
fn stream_size(stream: &Stream, samples: usize, exact_rax: bool) -> usize {
    let rax = |elements: usize, nodes: usize| elements * STREAM_ID + nodes * RAX_NODE;
    let mut size = ROBJ + STREAM;
    let nodes = stream.node_count();
    let rax_nodes = if exact_rax {
        stream.rax_nodes()
    } else {
        nodes + 1
    };
    size += rax(nodes, rax_nodes);
    let preallocated = stream.tail_preallocated();
    let allocated = |(i, bytes): (usize, usize)| {
        if i + 1 == nodes && preallocated {
            alloc_size(bytes.max(STREAM_PREALLOC))
        } else {
            alloc_size(bytes)
        }
    };
    let sizes = stream.node_bytes().enumerate();
    if nodes <= samples {
        size += sizes.map(allocated).sum::<usize>();
    } else {
        let sampled: usize = sizes.take(samples.max(1)).map(allocated).sum();
        let last = stream
            .node_bytes()
            .next_back()
            .map_or(0, |bytes| allocated((nodes - 1, bytes)));
        size += sampled / samples.max(1) * (nodes - 1) + last;
    }
    for group in stream.groups.values() {
        let pel = group.pel.len();
        let pel_nodes = if exact_rax {
            Stream::pel_rax_nodes(group.pel.keys())
        } else {
            pel + 1
        };
        size += STREAM_CG + rax(pel, pel_nodes) + STREAM_NACK * pel;
        for (name, consumer) in &group.consumers {
            let own = consumer.pel.len();
            let own_nodes = if exact_rax {
                Stream::pel_rax_nodes(consumer.pel.iter())
            } else {
                own + 1
            };
            size += STREAM_CONSUMER + name.len() + rax(own, own_nodes);
        }
    }
    size
}

/// The bytes a value is accounted for in `used_memory`, at a cost that does not grow with the
/// size of a large collection: what every write pays to keep the memory figure current.
///
/// It follows [`value_size`] (Redis's `objectComputeSize`) and gives the same number for
/// strings, sets, small hashes and sorted sets, and lists within one node; where
/// `value_size` samples a few elements, this counts every element exactly from totals the
/// collections keep as they change (the `sds` strings of a hash table's keys and values, the
/// packed bytes of a list), so a collection whose first elements are small and later ones
/// large is not underestimated. Listpack encodings are summed element by element: they are
/// small by configuration, and Redis walks them on every write too. Lists are cut into nodes
/// of `list-max-listpack-size -2` (8 KB), the default; streams are sampled as Redis samples
/// them, with their groups counted in full.
pub fn accounted_size(value: &Value) -> usize {
    match value {
        Value::String(_) => value_size(value, DEFAULT_SAMPLES),
        Value::List(list) => {
            let packed = list.packed_bytes();
            let single = LISTPACK_EMPTY.saturating_add(packed);
            if single <= LIST_NODE_BYTES {
                ROBJ + QUICKLIST + QUICKLIST_NODE + alloc_size(single)
            } else {
                let nodes = packed.div_ceil(LIST_NODE_BYTES - LISTPACK_EMPTY);
                (ROBJ + QUICKLIST)
                    .saturating_add(nodes.saturating_mul(QUICKLIST_NODE + LISTPACK_EMPTY))
                    .saturating_add(packed)
            }
        }
        Value::Set(set) => match (set.intset_bytes(), set.hashtable()) {
            (Some(bytes), _) => ROBJ + alloc_size(bytes),
            (None, Some(table)) => (ROBJ + DICT)
                .saturating_add(8 * table.buckets())
                .saturating_add(DICT_ENTRY * table.len())
                .saturating_add(table.weight()),
            (None, None) => ROBJ,
        },
        Value::Hash(hash) => {
            if let Some(table) = hash.table() {
                (ROBJ + DICT)
                    .saturating_add(8 * table.buckets())
                    .saturating_add(DICT_ENTRY * table.len())
                    .saturating_add(table.weight())
            } else {
                let bytes = hash.iter().fold(LISTPACK_EMPTY, |sum, (f, v)| {
                    sum.saturating_add(entry_size(f))
                        .saturating_add(entry_size(v))
                });
                ROBJ + alloc_size(bytes)
            }
        }
        Value::ZSet(zset) => match zset.dict() {
            Some(dict) => (ROBJ + ZSET + ZSKIPLIST + DICT + ZSKIPLIST_HEADER)
                .saturating_add(8 * dict.buckets())
                .saturating_add((DICT_ENTRY + ZSKIPLIST_NODE_AVG) * dict.len())
                .saturating_add(dict.weight()),
            None => ROBJ + alloc_size(zset_listpack_bytes(zset)),
        },
        Value::Stream(stream) => stream_size(stream, DEFAULT_SAMPLES, false),
    }
}

/// `MEMORY USAGE`: the value, the key's `sds` and its entry in the database's table.
pub fn key_usage(key: &[u8], value: &Value, samples: usize) -> usize {
    value_size(value, samples) + sds_size(key.len()) + DICT_ENTRY
}

/// Redis's `shared.oomerr`: a command refused because memory is (or would be) above
/// `maxmemory`.
pub const OOM: RedisError = RedisError::new(OOM_ERROR);

/// The most bytes a reply built from a user-given count (`SRANDMEMBER key -N`, `HRANDFIELD`,
/// `ZRANDMEMBER`) may take when no `maxmemory` is set. Redis streams such a reply, however
/// large, until the server runs out of memory; the engine builds replies in memory and must
/// not exhaust a browser tab, so beyond this (or beyond `maxmemory`, when set) it answers the
/// OOM error instead.
pub const REPLY_BUDGET: usize = 128 * 1024 * 1024;

/// What one element of a built reply costs beyond its bytes, for [`REPLY_BUDGET`].
pub const REPLY_ELEMENT: usize = std::mem::size_of::<Reply>();

impl Engine {
    /// The largest single allocation a command may make: `maxmemory`, when set; otherwise no
    /// bound beyond Redis's own (`proto-max-bulk-len`). A command whose one value or reply
    /// would be larger than the whole limit answers the OOM error before allocating, where
    /// Redis (which checks memory only before a command) would allocate it and go over.
    pub(crate) fn allocation_cap(&self) -> usize {
        match self.config.maxmemory {
            0 => usize::MAX,
            max => usize::try_from(max).unwrap_or(usize::MAX),
        }
    }

    /// The most bytes a reply built from a user-given count may take: [`REPLY_BUDGET`], or
    /// `maxmemory` when lower.
    pub(crate) fn reply_cap(&self) -> usize {
        self.allocation_cap().min(REPLY_BUDGET)
    }

    /// Refuses, with the OOM error, a reply of `count` elements of `each` bytes on average
    /// beyond [`Engine::reply_cap`].
    pub(crate) fn check_reply_size(&self, count: u64, each: usize) -> Result<(), RedisError> {
        check_reply_size(self.reply_cap(), count, each)
    }
}

/// Refuses, with the OOM error, a reply of `count` elements of `each` bytes on average larger
/// than `cap` bytes (see [`Engine::reply_cap`]).
pub fn check_reply_size(cap: usize, count: u64, each: usize) -> Result<(), RedisError> {
    let bytes = usize::try_from(count)
        .unwrap_or(usize::MAX)
        .saturating_mul(REPLY_ELEMENT.saturating_add(each));
    if bytes > cap { Err(OOM) } else { Ok(()) }
}

/// What a server uses before any key is stored (`used_memory_startup` of a fresh Redis 7.0).
pub const STARTUP: usize = 875_888;

/// What a connected client takes (its structure and query buffer), as Redis counts it.
const CLIENT: usize = 20_496;

/// How the memory in use divides, as `INFO memory` and `MEMORY STATS` report it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Breakdown {
    /// Everything: startup, clients, key tables and data.
    pub total: usize,
    /// Bookkeeping: startup, clients, the databases' tables.
    pub overhead: usize,
    /// The keys and values.
    pub dataset: usize,
}

impl Engine {
    /// The main and expires tables of database `db`, as `MEMORY STATS` counts their overhead:
    /// buckets plus one entry per key.
    pub(crate) fn db_overhead(&self, db: usize) -> (usize, usize) {
        let Some(d) = self.dbs.get(db) else {
            return (0, 0);
        };
        let main = d.dict().buckets() * 8 + d.len() * DICT_ENTRY;
        let volatile = d.volatile_len();
        let expires = if volatile == 0 {
            0
        } else {
            volatile.next_power_of_two().max(4) * 8 + volatile * DICT_ENTRY
        };
        (main, expires)
    }

    /// `used_memory` and its parts, noting a new peak (Redis notes it after every command;
    /// here, when memory is reported).
    pub(crate) fn measure_memory(&mut self) -> Breakdown {
        let mem = self.memory();
        self.peak_memory = self.peak_memory.max(mem.total);
        mem
    }

    /// Checks that the memory figure kept as commands run equals the data measured afresh
    /// (and the other bookkeeping of the databases), naming the first difference; for tests.
    /// Costs a walk over every key.
    #[doc(hidden)]
    pub fn check_memory_bookkeeping(&self) -> Result<(), String> {
        for (i, db) in self.dbs.iter().enumerate() {
            db.check_bookkeeping().map_err(|e| format!("db {i}: {e}"))?;
        }
        Ok(())
    }

    /// `used_memory` and its parts: startup, clients, the databases' tables, and the keys and
    /// values as measured when last written (see [`accounted_size`]). Costs a few additions per
    /// database, whatever the data.
    pub(crate) fn memory(&self) -> Breakdown {
        let mut dataset = 0usize;
        let mut tables = 0usize;
        for i in 0..self.dbs.len() {
            self.add_db_memory(i, &mut dataset, &mut tables);
        }
        self.breakdown(dataset, tables)
    }

    /// `used_memory` counting only the databases of `mask` (bit `i`: database `i`): the total
    /// when every other database holds no table, as for `Engine::dbs_in_use`.
    pub(crate) fn used_memory_of(&self, mask: u32) -> usize {
        let mut dataset = 0usize;
        let mut tables = 0usize;
        let mut rest = mask;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            self.add_db_memory(i, &mut dataset, &mut tables);
        }
        self.breakdown(dataset, tables).total
    }

    /// Adds database `i`'s keys and values to `dataset` and its tables to `tables`.
    #[inline]
    fn add_db_memory(&self, i: usize, dataset: &mut usize, tables: &mut usize) {
        // A database that never held a key weighs nothing (most of them, usually). Its
        // table has no buckets: a table gets them with its first key and keeps them until
        // cleared, and a key's expire time is indexed only while the key is in the table.
        let Some(db) = self.dbs.get(i) else {
            return;
        };
        if db.dict().buckets() == 0 {
            return;
        }
        *dataset = dataset.saturating_add(db.data_mem());
        let (main, expires) = self.db_overhead(i);
        *tables += main + expires;
    }

    /// The breakdown from the databases' parts.
    fn breakdown(&self, dataset: usize, tables: usize) -> Breakdown {
        let overhead = STARTUP + CLIENT * self.clients.len() + tables;
        Breakdown {
            total: overhead.saturating_add(dataset),
            overhead,
            dataset,
        }
    }

    /// Notes that database `db` may hold a table from now on (see `Engine::dbs_in_use`).
    #[inline]
    pub(crate) fn note_db_in_use(&mut self, db: usize) {
        self.dbs_in_use |= u32::try_from(db)
            .ok()
            .and_then(|db| 1u32.checked_shl(db))
            .unwrap_or(u32::MAX);
    }
}

/// Redis's `bytesToHuman`: `B` below 1024, then two decimals and K, M, G, T or P.
pub fn human(n: u64) -> String {
    const UNITS: [&str; 5] = ["K", "M", "G", "T", "P"];
    if n < 1024 {
        return format!("{n}B");
    }
    let mut scale = 1024f64;
    for unit in UNITS {
        if (n as f64) < scale * 1024.0 {
            return format!("{:.2}{unit}", n as f64 / scale);
        }
        scale *= 1024.0;
    }
    format!("{n}B")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::hash::{Hash, HashLimits};
    use crate::keyspace::list::{End, List};
    use crate::keyspace::set::SetValue;
    use crate::keyspace::value::StrValue;

    fn string(bytes: &[u8]) -> Value {
        Value::String(StrValue::new(bytes.to_vec()))
    }

    #[test]
    fn jemalloc_size_classes() {
        let cases = [
            (1, 8),
            (8, 8),
            (9, 16),
            (23, 32),
            (40, 48),
            (128, 128),
            (129, 160),
            (204, 224),
            (257, 320),
            (1004, 1024),
            (1025, 1280),
            (4097, 5120),
        ];
        for (n, size) in cases {
            assert_eq!(alloc_size(n), size, "{n}");
        }
    }

    /// Values read from `MEMORY USAGE` on redis-server 7.0.15 (x86-64, jemalloc 5.3.0).
    #[test]
    fn usage_matches_redis_for_small_values() {
        let a = |n: usize| vec![b'a'; n];
        assert_eq!(key_usage(b"foo", &string(b"bar"), 5), 64);
        assert_eq!(key_usage(b"n", &string(b"123"), 5), 48);
        assert_eq!(key_usage(b"n2", &string(b"12345678901234"), 5), 48);
        for (len, usage) in [
            (0, 64),
            (1, 64),
            (10, 64),
            (20, 80),
            (30, 96),
            (44, 96),
            (45, 112),
            (60, 112),
            (100, 160),
            (200, 272),
            (1000, 1072),
        ] {
            let key = format!("s{len}");
            assert_eq!(
                key_usage(key.as_bytes(), &string(&a(len)), 5),
                usage,
                "{len}"
            );
        }
        let mut list = List::new();
        for e in [b"a", b"b", b"c"] {
            list.push(End::Tail, e.to_vec());
        }
        assert_eq!(key_usage(b"l", &Value::List(list), 5), 144);
        let ints = SetValue::from_members([&b"1"[..], b"2", b"3"], 512);
        assert_eq!(key_usage(b"si", &Value::Set(ints), 5), 64);
        let strs = SetValue::from_members([&b"a"[..], b"b", b"c"], 512);
        assert_eq!(key_usage(b"ss", &Value::Set(strs), 5), 232);
        let mut hash = Hash::new();
        let limits = HashLimits {
            max_entries: 512,
            max_value: 64,
        };
        hash.set(b"a", b"1".to_vec(), limits);
        hash.set(b"b", b"2".to_vec(), limits);
        assert_eq!(key_usage(b"h", &Value::Hash(hash), 5), 80);
    }

    #[test]
    fn usage_grows_with_the_value() {
        let mut last = 0;
        for len in 0..5000 {
            let usage = key_usage(b"k", &string(&vec![b'x'; len]), 5);
            assert!(usage >= last, "string of {len}");
            last = usage;
        }
        let (mut list, mut set, mut hash) = (List::new(), SetValue::intset(), Hash::new());
        let limits = HashLimits {
            max_entries: 128,
            max_value: 64,
        };
        let (mut l_last, mut s_last, mut h_last) = (0, 0, 0);
        for i in 0..2000 {
            let member = format!("member-{i}").into_bytes();
            list.push(End::Tail, member.clone());
            set.add(&member, 512);
            hash.set(&member, b"value".to_vec(), limits);
            for (value, last, name) in [
                (Value::List(list.clone()), &mut l_last, "list"),
                (Value::Set(set.clone()), &mut s_last, "set"),
                (Value::Hash(hash.clone()), &mut h_last, "hash"),
            ] {
                // Sampling all elements, more elements never take less memory, but for the
                // old table a finished rehash frees.
                let rehashing = match &value {
                    Value::Set(s) => s.hashtable().map_or(0, |d| d.slots() - d.buckets()),
                    Value::Hash(h) => h.table().map_or(0, |d| d.slots() - d.buckets()),
                    _ => 0,
                };
                let usage = key_usage(b"k", &value, 0) - 8 * rehashing;
                assert!(usage >= *last, "{name} of {}", i + 1);
                *last = usage;
            }
        }
    }

    #[test]
    fn sampling_estimates_from_the_first_elements() {
        let mut list = List::new();
        for i in 0..100_000 {
            list.push(End::Tail, format!("{i}").into_bytes());
        }
        let value = Value::List(list);
        let all = value_size(&value, 0);
        let five = value_size(&value, 5);
        // Every node but the last is full: the estimate is close to the exact sum.
        assert!(five.abs_diff(all) * 100 < all, "{five} vs {all}");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(1023), "1023B");
        assert_eq!(human(1024), "1.00K");
        assert_eq!(human(1_014_928), "991.14K");
        assert_eq!(human(12_382_208), "11.81M");
        assert_eq!(human(25_276_502_016), "23.54G");
    }

    #[test]
    fn the_peak_after_a_write_counts_every_database_holding_keys() {
        let argv = |line: &str| -> Vec<Vec<u8>> {
            line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
        };
        let mut engine = Engine::new();
        let c = engine.connect();
        // Each write checks (in debug builds) that the databases it adds up are all those
        // holding a table; the peak is then the full total.
        for line in [
            "SET a 1",
            "SWAPDB 0 5",
            "SELECT 1",
            "SET b 2",
            "MOVE b 7",
            "SET c 3",
            "SELECT 0",
            "DEBUG RELOAD",
            "SET d 4",
            "FLUSHALL",
            "SET e 5",
        ] {
            engine.exec(c, &argv(line));
            let mask = engine.dbs_in_use;
            assert_eq!(engine.used_memory_of(mask), engine.used_memory(), "{line}");
            assert!(engine.peak_memory >= engine.used_memory(), "{line}");
        }
        let snapshot = engine.snapshot();
        let mut other = Engine::new();
        let o = other.connect();
        other.restore_snapshot(&snapshot).unwrap();
        other.exec(o, &argv("SET f 6"));
        assert_eq!(other.used_memory_of(other.dbs_in_use), other.used_memory());
    }
}
