//! A hash table with byte-string keys and Redis's scan guarantees.
//!
//! The elements live in a slab of slots. [`Dict::buckets`] answers the number of buckets Redis's
//! table would have (a power of two, growing and shrinking when Redis's would; memory estimates
//! count them), and `scan` walks those logical buckets with Redis's reverse-binary cursor, so a
//! full scan returns every element that was present from its start to its end, even when the
//! table grows or shrinks in between (an element may be returned twice after a shrink, as in
//! Redis). The element with hash `h` is in logical bucket `m(h) & (buckets − 1)`, where `m(h)`
//! is `h` times an odd constant (see [`bucket_hash`]), so that buckets do not follow the index.
//!
//! A walk of the whole table ([`Dict::iter`]) goes through the same buckets in ascending order,
//! as Redis's `dictNext` walks its table: every reply that Redis gives in its table's order
//! (KEYS, SMEMBERS, HGETALL of a hashtable, PUBSUB CHANNELS, RDB payloads …) comes in that
//! order here, which looks arbitrary and is neither the order of insertion nor a sorted one.
//! It is not Redis's own order (Redis seeds its hash at random when it starts; this hash's
//! seed is fixed, so the same commands always give the same order). Within a bucket the
//! elements come in slot order (Redis: its chain's, newest first), which a removal followed by
//! an insertion may change, as a new element takes the freed slot.
//!
//! Finding an element goes through an index of its own size (a power of two, at most 80 % full):
//! open addressing with linear probing, each place 32 bits: empty, removed, or an element's slot
//! id in the low bits under as many of its hash's top bits as the ids leave room for (its tag:
//! 15 bits at 100,000 slots). The element with hash `h` sits at its home place `h & (places − 1)`
//! or further in the run of non-empty places that follows it. A lookup reads the places from the
//! home on (one cache line, rarely two) and reads only the slots whose tag matches: a hit reads
//! one slot, a miss almost never one, and the index is small (4 bytes a place, some 5 to 10
//! bytes an element), so that in a large table it stays in the cache while the slots (each a
//! cache miss) do not. A logical bucket's elements are found from the homes its hashes can have.
//!
//! Slot ids are stable while an element lives, which lets other indexes (the expire index)
//! point at elements without copying keys. Resizing rebuilds the index at once rather than
//! incrementally: the engine is single-threaded and the tables are small.
//!
//! Redis resizes incrementally, and its memory figures show it: while a table grows or shrinks
//! both the old and the new one are allocated (`dictSlots` counts both), until the
//! operations on the table have moved every old bucket, one bucket per lookup, insertion or
//! removal (`_dictRehashStep`, which gives up after visiting 10 empty buckets), and the table
//! does not resize again before. Collections' tables ([`Weigh::REHASH`]) follow those steps
//! ([`Dict::slots`]) on the engine's own buckets; the keyspace's does not (Redis's
//! `serverCron` finishes rehashing it within the 100 ms its clock ticks). Nothing moves in a
//! rehash here: the logical buckets are always the new table's, for `scan` and `iter` alike,
//! so a walk during a rehash returns every element once (Redis walks its old table's
//! remaining buckets, then the new table's).

use std::cell::Cell;

use crate::memory::sds_size;
use crate::rng::Rng;

/// Index of an element's slot; stable until the element is removed.
pub type SlotId = u32;

const NONE: u32 = u32::MAX;
const MIN_BUCKETS: usize = 4;
/// In a used slot's `next`: the element was in the table when the latest rehash began (see
/// [`Rehash`]); any other value: added since.
const OLD: u32 = 0;
/// Redis's `dictRehash(d, 1)` gives up after visiting this many empty buckets.
const EMPTY_VISITS: usize = 10;

/// Redis's rehash in progress: the old table had `old` buckets (0: no rehash), buckets below
/// `idx` were moved, `left` elements are still in the old table (those marked [`OLD`] whose
/// old bucket is at or past `idx`).
#[derive(Debug, Clone, Copy, Default)]
struct Rehash {
    old: usize,
    idx: usize,
    left: usize,
}

/// An index place that was never used since the index was built: a run ends there.
const EMPTY: u32 = u32::MAX;
/// A place whose element was removed: runs go on through it.
const GONE: u32 = u32::MAX - 1;
/// The smallest index.
const MIN_PLACES: usize = 8;
/// The fewest bits an index place gives to slot ids.
const MIN_ID_BITS: u32 = 8;

/// The number of index places for `len` elements: a power of two at most half full.
fn places_for(len: usize) -> usize {
    // (Past usize's largest power of two no table fits in memory anyway.)
    len.saturating_mul(2)
        .checked_next_power_of_two()
        .unwrap_or(1 << (usize::BITS - 1))
        .max(MIN_PLACES)
}

/// Bytes a key may have to be stored in its slot: 22 on 64-bit targets, 14 on 32-bit ones
/// (WebAssembly), so that an inline key takes no more room than a boxed one plus its tag.
const INLINE: usize = 2 * size_of::<usize>() + 6;

/// A key as a slot holds it: a short one in place, so that comparing it reads the slot's own
/// cache line rather than another allocation; a longer one boxed.
#[derive(Debug, Clone)]
enum Key {
    Inline(u8, [u8; INLINE]),
    Boxed(Box<[u8]>),
}

impl Key {
    fn new(bytes: &[u8]) -> Key {
        let mut inline = [0u8; INLINE];
        match (inline.get_mut(..bytes.len()), u8::try_from(bytes.len())) {
            (Some(place), Ok(len)) => {
                place.copy_from_slice(bytes);
                Key::Inline(len, inline)
            }
            _ => Key::Boxed(bytes.into()),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Key::Inline(len, bytes) => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Key::Boxed(bytes) => bytes,
        }
    }

    fn into_boxed(self) -> Box<[u8]> {
        match self {
            Key::Inline(..) => self.bytes().into(),
            Key::Boxed(bytes) => bytes,
        }
    }
}

/// One element of the slab. `repr(C)` keeps what a lookup reads first (hash, key)
/// ahead of the value, and [`Weigh::Align`] lets a large value type start each slot on a cache
/// line, so that a lookup reads one line (the keyspace's entries: their time fields follow the
/// key).
#[derive(Debug, Clone)]
#[repr(C)]
struct Slot<V: Weigh> {
    hash: u64,
    /// In a free slot, the next free one; in a used one, [`OLD`] or not (see [`Rehash`]).
    next: u32,
    key: Key,
    /// The element's value; `None` in a free slot.
    value: Option<V>,
    _align: [V::Align; 0],
}

// Three cache lines on every target, WebAssembly included (the unit test checks native only).
const _: () = assert!(size_of::<Slot<crate::keyspace::Entry>>() == 192);

impl<V: Weigh> Slot<V> {
    fn used(&self) -> Option<(&[u8], &V)> {
        self.value.as_ref().map(|v| (self.key.bytes(), v))
    }
}

/// An alignment of 64 bytes: a cache line.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
pub struct CacheLine;

/// What a value stored in a [`Dict`] adds to the memory estimate beyond its key (see
/// [`Dict::weight`]). A value changed in place (through `get_mut`) must keep its weight: values
/// with a weight are only ever replaced through [`Dict::insert`].
pub trait Weigh {
    /// The alignment of the table's slots: `()`, or [`CacheLine`] for a value large enough
    /// that its slot spans several lines.
    type Align: Clone + std::fmt::Debug;

    /// Whether the table follows Redis's incremental rehash (see the module doc).
    const REHASH: bool = true;

    /// The bytes the value takes, as Redis allocates it.
    fn weigh(&self) -> usize {
        0
    }

    /// Reads the value's far cache lines (a lookup calls it on each slot it visits, before
    /// comparing keys): a value that spans several lines has them all fetched at once rather
    /// than one after the other. Nothing by default.
    #[inline]
    fn touch(&self) {}
}

/// Set members: the key is all there is.
impl Weigh for () {
    type Align = ();
}

/// Sorted-set scores live in the skiplist node, counted with it.
impl Weigh for f64 {
    type Align = ();
}

/// Hash values: an `sds` string each.
impl Weigh for Vec<u8> {
    type Align = ();

    fn weigh(&self) -> usize {
        sds_size(self.len())
    }
}

/// Plain numbers, as the tests store.
#[cfg(test)]
impl Weigh for u32 {
    type Align = ();
}

/// Positions in a list (see [`in_table_order`]).
impl Weigh for usize {
    type Align = ();
}

/// Reorders `items` (whose keys are distinct) as a table sized for `capacity` elements lists
/// their keys: Redis answers some picks that way (SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with
/// a count copy what they pick into a table made for the occasion, `dictExpand(d, capacity)`,
/// and walk it), so the order is that of [`Dict::iter`], not the order of the picks.
pub fn in_table_order<T>(items: &mut Vec<T>, capacity: usize, key: impl Fn(&T) -> &[u8]) {
    let mut table: Dict<usize> = Dict::with_capacity(capacity);
    for (at, item) in items.iter().enumerate() {
        table.insert(key(item), at);
    }
    let mut taken: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        table
            .iter()
            .filter_map(|(_, &at)| taken.get_mut(at).and_then(Option::take)),
    );
}

/// A hash table from byte strings to `V`.
#[derive(Debug, Clone)]
pub struct Dict<V: Weigh> {
    slots: Vec<Slot<V>>,
    free: u32,
    /// The index (see the module doc): [`EMPTY`], [`GONE`] or an element's
    /// [`Dict::index_entry`]. Empty, or a power of two in length.
    index: Vec<u32>,
    /// The low bits of an index place that hold a slot id; the rest hold the tag. Slot ids stay
    /// below `2^id_bits − 2`, so that no element's place reads as [`EMPTY`] or [`GONE`].
    id_bits: u32,
    /// Places marked [`GONE`].
    gone: usize,
    /// Redis's number of buckets (see [`Dict::buckets`]).
    size: usize,
    /// Number of elements; at most 2^32, as slot ids are 32-bit (and the table stays small).
    len: u32,
    /// The keys' `sds` strings and the values' weights, kept as elements come and go.
    weight: usize,
    /// The slot [`Dict::find`] found or [`Dict::insert`] filled last, for [`Dict::find_again`].
    last: Cell<SlotId>,
    /// Redis's rehash in progress (lookups advance it, hence the cell).
    rehash: Cell<Rehash>,
}

impl<V: Weigh> Default for Dict<V> {
    fn default() -> Self {
        Self::new()
    }
}

/// Up to 8 bytes as a little-endian number.
fn word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let n = bytes.len().min(8);
    if let (Some(place), Some(bytes)) = (word.get_mut(..n), bytes.get(..n)) {
        place.copy_from_slice(bytes);
    }
    u64::from_le_bytes(word)
}

/// The hash of a key, as wyhash and foldhash read it: a key of up to 16 bytes as two words
/// (overlapping; a shorter one as its first, middle and last bytes), a longer one 16 bytes at a
/// time and then its last 16; each word multiplied by its own constant, and a final
/// xor-shift-multiply-xor-shift so that every bit of the key moves the low bits (homes and
/// buckets) and the top ones (tags). Only 64-bit multiplies, which WebAssembly has (foldhash's
/// 128-bit one is a library call there). A fixed seed keeps the engine deterministic: the same
/// commands give the same SCAN order.
fn hash(key: &[u8]) -> u64 {
    const SEED: u64 = 0x5ca1_ab1e_d1c7_0000;
    const K1: u64 = 0x9e37_79b9_7f4a_7c15;
    const K2: u64 = 0xbf58_476d_1ce4_e5b9;
    const K3: u64 = 0x94d0_49bb_1331_11eb;
    let len = key.len();
    let pair = |h: u64, a: u64, b: u64| (h ^ a).wrapping_mul(K1) ^ (b ^ K3).wrapping_mul(K2);
    let tail = |from: usize| key.get(len.saturating_sub(from)..).unwrap_or_default();
    let h = if len <= 16 {
        let (a, b) = if len >= 8 {
            (word(key), word(tail(8)))
        } else if len >= 4 {
            (word(key.get(..4).unwrap_or_default()), word(tail(4)))
        } else {
            let byte = |i: usize| u64::from(key.get(i).copied().unwrap_or(0));
            let spread = if len == 0 {
                0
            } else {
                byte(0) | byte(len / 2) << 8 | byte(len - 1) << 16
            };
            (spread, 0)
        };
        pair(SEED ^ len as u64, a, b)
    } else {
        let mut h = SEED ^ (len as u64).wrapping_mul(K1);
        let mut blocks = key.chunks_exact(16);
        for block in &mut blocks {
            let (a, b) = block.split_at_checked(8).unwrap_or_default();
            h = pair(h, word(a), word(b)).rotate_left(29);
        }
        let (a, b) = tail(16).split_at_checked(8).unwrap_or_default();
        pair(h, word(a), word(b))
    };
    let h = (h ^ (h >> 32)).wrapping_mul(K3);
    h ^ (h >> 29)
}

/// What an element's [`hash`] is multiplied by to give its [`bucket_hash`].
const BUCKET_MIX: u64 = 0xd6e8_feb8_6659_fd93;

/// The inverse of [`BUCKET_MIX`] modulo 2^64: a bucket's number times it gives the low bits
/// of its elements' hashes.
const BUCKET_UNMIX: u64 = inverse(BUCKET_MIX);

/// The inverse of an odd number modulo 2^64 (Newton's iteration: each step doubles the bits
/// that are right, from the 3 an odd number is its own inverse to).
const fn inverse(odd: u64) -> u64 {
    let mut x = odd;
    let mut step = 0;
    while step < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
        step += 1;
    }
    x
}

const _: () = assert!(BUCKET_MIX.wrapping_mul(BUCKET_UNMIX) == 1);

/// The hash whose low bits are an element's logical bucket (Redis's hash, in Redis's terms):
/// its [`hash`] times an odd constant. The product's low bits are a one-to-one function of the
/// hash's low bits, so a bucket's index homes can still be listed (see `visit_bucket`), but
/// buckets in order are not index homes in order: a table filled in another table's bucket
/// order (SUNIONSTORE, a reload, the members of SMEMBERS added back) gets its elements spread
/// over its index, not packed at one end of it in long runs of linear probing.
fn bucket_hash(h: u64) -> u64 {
    h.wrapping_mul(BUCKET_MIX)
}

impl<V: Weigh> Dict<V> {
    /// An empty table.
    pub fn new() -> Self {
        Dict {
            slots: Vec::new(),
            free: NONE,
            last: Cell::new(NONE),
            index: Vec::new(),
            id_bits: MIN_ID_BITS,
            gone: 0,
            size: 0,
            len: 0,
            weight: 0,
            rehash: Cell::new(Rehash::default()),
        }
    }

    /// An empty table sized for `len` elements, as Redis's `dictExpand` on a new table (a
    /// conversion or a load): no rehash follows until it outgrows them.
    pub fn with_capacity(len: usize) -> Self {
        let mut dict = Self::new();
        dict.size = len
            .checked_next_power_of_two()
            .unwrap_or(1 << (usize::BITS - 1))
            .max(MIN_BUCKETS);
        dict
    }

    /// The buckets Redis has allocated: [`Dict::buckets`], plus the old table's while a rehash
    /// is in progress (Redis's `dictSlots`).
    pub fn slots(&self) -> usize {
        self.size + self.rehash.get().old
    }

    /// Resizes the table as Redis's `dictExpand` sizes a new one for its elements (a copy's:
    /// COPY duplicates a collection into a table so sized), no rehash in progress.
    pub fn presize(&mut self) {
        self.settle();
        if self.len > 0 {
            self.size = Self::with_capacity(self.len()).size;
        }
    }

    /// The buckets Redis's `dictExpand(d, size)` gives the table: the smallest power of two of
    /// at least `size` (4 at least), larger or smaller than now. `None` when it leaves the
    /// table alone: while a rehash is in progress, when the table holds more than `size`
    /// elements or already has that many buckets, or when Redis's check refuses the size (its
    /// table of pointers would not fit in 64 bits). Sizes the engine's memory figures could
    /// not add up (more than `usize::MAX / 64` buckets, where Redis's allocation of a table of
    /// exabytes would fail) are refused too.
    pub fn expand_target(&self, size: u64) -> Option<usize> {
        if self.rehashing() || self.len() as u64 > size {
            return None;
        }
        // `_dictNextExp`: 4 buckets at least, else the next power of two (2^63 from LONG_MAX).
        let buckets = size
            .max(MIN_BUCKETS as u64)
            .checked_next_power_of_two()
            .filter(|b| b.checked_mul(8).is_some())?;
        usize::try_from(buckets)
            .ok()
            .filter(|&b| b <= usize::MAX / 64 && b != self.size)
    }

    /// Redis's `dictExpand(d, size)` on a live table (DEBUG POPULATE's): see
    /// [`Dict::expand_target`]; the move to the new size is a rehash.
    pub fn expand(&mut self, size: u64) {
        if let Some(buckets) = self.expand_target(size) {
            let old = self.size;
            self.size = buckets;
            // A table that had no buckets is simply made; a live one rehashes into the new size.
            self.begin_rehash(old);
        }
    }

    /// Redis's `serverCron` resizing a table more than 90 % empty (`htNeedsResize`, then
    /// `dictResize`): down to the smallest power of two that holds its elements, 4 at least.
    /// The engine does it where the table got so empty (a removal does it on its own).
    pub fn shrink_if_sparse(&mut self) {
        if self.size > MIN_BUCKETS && self.len() * 10 < self.size && !self.rehashing() {
            let old = self.size;
            self.size = self.len().next_power_of_two().max(MIN_BUCKETS);
            self.begin_rehash(old);
        }
    }

    /// Finishes a rehash in progress at once, as a table loaded or converted is presized.
    pub fn settle(&self) {
        self.rehash.set(Rehash::default());
    }

    /// One step of Redis's incremental rehash (`_dictRehashStep`): moves the next non-empty
    /// old bucket, looking at no more than 10 empty ones. Redis takes one at every lookup,
    /// insertion and removal on a table being rehashed; callers that look a key up more than
    /// the engine's one call take the others here.
    #[inline]
    pub fn rehash_step(&self) {
        if V::REHASH && self.rehash.get().old != 0 {
            self.rehash_step_slow();
        }
    }

    #[inline(never)]
    fn rehash_step_slow(&self) {
        let mut r = self.rehash.get();
        let mut empty = EMPTY_VISITS;
        while r.left > 0 && r.idx < r.old {
            let moved = self.old_bucket_len(r);
            r.idx += 1;
            if moved > 0 {
                r.left = r.left.saturating_sub(moved);
                break;
            }
            empty -= 1;
            if empty == 0 {
                self.rehash.set(r);
                return;
            }
        }
        if r.left == 0 || r.idx >= r.old {
            r = Rehash::default();
        }
        self.rehash.set(r);
    }

    /// The elements still in old bucket `r.idx` of a rehash in progress (`r.old` is not 0).
    fn old_bucket_len(&self, r: Rehash) -> usize {
        let (old_mask, size) = (r.old.saturating_sub(1), self.size);
        let mut n = 0;
        let mut count = |id: SlotId| {
            if let Some(slot) = self.slots.get(id as usize)
                && slot.next == OLD
                && bucket_hash(slot.hash) as usize & old_mask == r.idx
            {
                n += 1;
            }
            true
        };
        if size >= r.old {
            // A growth: the old bucket went to the new ones equal to it modulo its size
            // (`step_by` needs a step above 0: a rehash in progress has an old table).
            for bucket in (r.idx..size).step_by(r.old.max(1)) {
                self.visit_bucket(bucket, &mut count);
            }
        } else {
            // A shrink: to the new bucket it is equal to modulo the new size.
            self.visit_bucket(r.idx & size.saturating_sub(1), &mut count);
        }
        n
    }

    /// Starts Redis's rehash from a table of `old` buckets to one of `self.size`: every
    /// element is in the old table.
    fn begin_rehash(&mut self, old: usize) {
        if !V::REHASH || old == 0 || self.len == 0 {
            return;
        }
        for slot in &mut self.slots {
            if slot.value.is_some() {
                slot.next = OLD;
            }
        }
        self.rehash.set(Rehash {
            old,
            idx: 0,
            left: self.len(),
        });
    }

    /// Whether Redis's table is being rehashed (it then neither grows nor shrinks).
    fn rehashing(&self) -> bool {
        V::REHASH && self.rehash.get().old != 0
    }

    /// The bytes the elements take as Redis allocates them: each key's `sds` plus each value's
    /// [`Weigh::weigh`] (the table's buckets and entries are counted apart, from
    /// [`Dict::buckets`] and [`Dict::len`]).
    pub fn weight(&self) -> usize {
        self.weight
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of buckets, as Redis's table would have (a power of two, or 0 when nothing was
    /// ever stored).
    pub fn buckets(&self) -> usize {
        self.size
    }

    /// The mask of index places (all ones for an empty index, whose every read then misses).
    fn mask(&self) -> usize {
        self.index.len().wrapping_sub(1)
    }

    /// The bits of an index place that hold the slot id.
    fn id_mask(&self) -> u32 {
        u32::try_from((1u64 << self.id_bits) - 1).unwrap_or(u32::MAX)
    }

    /// The index place of the element with hash `h` in slot `id`: the id under the top
    /// `32 − id_bits` bits of the hash.
    fn index_entry(&self, h: u64, id: SlotId) -> u32 {
        let tag = h.checked_shr(32 + self.id_bits).unwrap_or(0);
        // The tag has 32 − id_bits bits: it fits above the id.
        (tag << self.id_bits) as u32 | id
    }

    /// The slot holding `key`.
    pub fn find(&self, key: &[u8]) -> Option<SlotId> {
        let h = hash(key);
        let (id_mask, mask) = (self.id_mask(), self.mask());
        let wanted = self.index_entry(h, 0);
        let mut at = h as usize & mask;
        // The index is never full (see `reserve_place`), so a run ends at an empty place; the
        // bound only guards the loop.
        for _ in 0..self.index.len() {
            let here = *self.index.get(at)?;
            if here == EMPTY {
                return None;
            }
            if here & !id_mask == wanted
                && here != GONE
                && let Some(slot) = self.slots.get((here & id_mask) as usize)
            {
                if let Some(value) = &slot.value {
                    value.touch();
                }
                if slot.hash == h && crate::short::eq(slot.key.bytes(), key) {
                    self.last.set(here & id_mask);
                    return Some(here & id_mask);
                }
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// [`Dict::find`] for a key likely found just before: a command finds its key several
    /// times (to read it, then to note the change, store or set its expire time), and the
    /// slot found or filled last is then one key comparison away, instead of a hash and a
    /// probe. The slot counts only when it holds the very key sought.
    pub fn find_again(&self, key: &[u8]) -> Option<SlotId> {
        let last = self.last.get();
        if let Some(slot) = self.slots.get(last as usize)
            && slot.value.is_some()
            && crate::short::eq(slot.key.bytes(), key)
        {
            return Some(last);
        }
        self.find(key)
    }

    /// The index place holding slot `id`, whose hash is `h`.
    fn place_of(&self, h: u64, id: SlotId) -> Option<usize> {
        let (wanted, mask) = (self.index_entry(h, id), self.mask());
        let mut at = h as usize & mask;
        for _ in 0..self.index.len() {
            let here = *self.index.get(at)?;
            if here == EMPTY {
                return None;
            }
            if here == wanted {
                return Some(at);
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// Adds slot `id`, whose hash is `h`, to the index (which has room: see
    /// [`Dict::reserve_place`]), at the first empty or removed place from its home.
    fn index_put(&mut self, h: u64, id: SlotId) {
        let (entry, mask) = (self.index_entry(h, id), self.mask());
        let mut at = h as usize & mask;
        for _ in 0..self.index.len() {
            if let Some(here) = self.index.get_mut(at)
                && (*here == EMPTY || *here == GONE)
            {
                if *here == GONE {
                    self.gone -= 1;
                }
                *here = entry;
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// Makes sure the index has room for one more element: rebuilt (larger, or rid of its
    /// removed places) when it would be more than 80 % used.
    fn reserve_place(&mut self) {
        let used = self.len() + self.gone + 1;
        if used.saturating_mul(5) > self.index.len().saturating_mul(4) {
            self.rebuild_index(places_for(self.len() + 1));
        }
    }

    /// Rebuilds the index with `places` places, from the slots' hashes.
    fn rebuild_index(&mut self, places: usize) {
        self.index.clear();
        self.index.resize(places, EMPTY);
        self.gone = 0;
        for id in 0..self.slots.len() {
            if let Some(slot) = self.slots.get(id)
                && slot.value.is_some()
            {
                // Fewer than 2^32 slots: ids are u32.
                self.index_put(slot.hash, id as SlotId);
            }
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.rehash_step();
        self.find(key).and_then(|id| self.slot(id)).map(|(_, v)| v)
    }

    /// The value of `key`, mutably.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.rehash_step();
        let id = self.find(key)?;
        self.slot_mut(id).map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.rehash_step();
        self.find(key).is_some()
    }

    /// The key and value in a slot.
    pub fn slot(&self, id: SlotId) -> Option<(&[u8], &V)> {
        self.slots.get(id as usize)?.used()
    }

    /// The key and value in a slot, the value mutably.
    pub fn slot_mut(&mut self, id: SlotId) -> Option<(&[u8], &mut V)> {
        let slot = self.slots.get_mut(id as usize)?;
        Some((slot.key.bytes(), slot.value.as_mut()?))
    }

    /// Stores `value` under `key`; returns the slot and the value it replaced, if any.
    pub fn insert(&mut self, key: &[u8], value: V) -> (SlotId, Option<V>) {
        self.rehash_step();
        self.put(key, value)
    }

    /// [`Dict::insert`] after a lookup of the key, as Redis's hashes and sorted sets store:
    /// `dictFind`, then `dictAdd` when the key is new, each a rehash step.
    pub fn find_then_insert(&mut self, key: &[u8], value: V) -> (SlotId, Option<V>) {
        self.rehash_step();
        if self.rehashing() && self.find_again(key).is_none() {
            self.rehash_step();
        }
        self.put(key, value)
    }

    /// [`Dict::insert`] without its rehash step.
    fn put(&mut self, key: &[u8], value: V) -> (SlotId, Option<V>) {
        if let Some(id) = self.find_again(key)
            && let Some(old) = self
                .slots
                .get_mut(id as usize)
                .and_then(|s| s.value.as_mut())
        {
            self.weight = self
                .weight
                .saturating_sub(old.weigh())
                .saturating_add(value.weigh());
            return (id, Some(std::mem::replace(old, value)));
        }
        self.weight = self
            .weight
            .saturating_add(sds_size(key.len()))
            .saturating_add(value.weigh());
        if self.len() >= self.size && !self.rehashing() {
            // Redis's table doubles when it holds as many elements as buckets (to fit one
            // more: after a shrink's rehash it may hold more), the move being a rehash.
            let old = self.size;
            self.size = (self.len() + 1)
                .checked_next_power_of_two()
                .unwrap_or(1 << (usize::BITS - 1))
                .max(MIN_BUCKETS);
            self.begin_rehash(old);
        }
        self.reserve_place();
        let h = hash(key);
        let slot = Slot {
            hash: h,
            next: NONE,
            key: Key::new(key),
            value: Some(value),
            _align: [],
        };
        let id = self
            .free
            .min(u32::try_from(self.slots.len()).unwrap_or(NONE));
        if u64::from(id) + 2 >= 1u64 << self.id_bits {
            // Slot ids outgrow their bits: give them more (the tags fewer) for twice as many.
            self.id_bits = (u64::from(id).saturating_mul(2) + 2)
                .ilog2()
                .saturating_add(1)
                .clamp(MIN_ID_BITS, 32);
            self.rebuild_index(self.index.len());
        }
        let id = if let Some(free) = self.slots.get_mut(self.free as usize) {
            let id = self.free;
            self.free = free.next;
            *free = slot;
            id
        } else {
            self.slots.push(slot);
            (self.slots.len() - 1) as u32
        };
        self.index_put(h, id);
        self.last.set(id);
        self.len += 1;
        (id, None)
    }

    /// Removes `key`; returns its slot id and value.
    pub fn remove(&mut self, key: &[u8]) -> Option<(SlotId, V)> {
        let id = self.find(key)?;
        self.remove_slot(id).map(|(_, v)| (id, v))
    }

    /// Removes the element in a slot; returns its key and value.
    pub fn remove_slot(&mut self, id: SlotId) -> Option<(Box<[u8]>, V)> {
        self.rehash_step();
        let Some(Slot {
            hash,
            next,
            value: Some(_),
            ..
        }) = self.slots.get(id as usize)
        else {
            return None;
        };
        let mut r = self.rehash.get();
        if r.old != 0 && *next == OLD && bucket_hash(*hash) as usize & (r.old - 1) >= r.idx {
            r.left = r.left.saturating_sub(1);
            self.rehash.set(r);
        }
        if let Some(at) = self.place_of(*hash, id) {
            // A place followed by an empty one ends its run: it can be empty too.
            let next = self.index.get((at + 1) & self.mask()).copied();
            if let Some(here) = self.index.get_mut(at) {
                if next == Some(EMPTY) {
                    *here = EMPTY;
                } else {
                    *here = GONE;
                    self.gone += 1;
                }
            }
        }
        let slot = self.slots.get_mut(id as usize)?;
        let key = std::mem::replace(&mut slot.key, Key::Inline(0, [0; INLINE]));
        let value = slot.value.take();
        slot.next = self.free;
        self.free = id;
        self.len -= 1;
        if let Some(value) = &value {
            self.weight = self
                .weight
                .saturating_sub(sds_size(key.bytes().len()))
                .saturating_sub(value.weigh());
        }
        if self.len == 0 {
            self.clear();
        } else {
            // Redis shrinks a table under 10 % full to the smallest power of two that fits.
            self.shrink_if_sparse();
            if self.index.len() > MIN_PLACES && self.len() * 8 < self.index.len() {
                self.rebuild_index(places_for(self.len()));
            }
        }
        value.map(|value| (key.into_boxed(), value))
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.index.clear();
        self.id_bits = MIN_ID_BITS;
        self.gone = 0;
        self.size = 0;
        self.free = NONE;
        self.len = 0;
        self.weight = 0;
        self.rehash.set(Rehash::default());
    }

    /// Every element, in the table's order: logical bucket 0 to [`Dict::buckets`] − 1, as
    /// Redis's `dictNext` walks its buckets, each bucket's elements in slot order. Everything
    /// Redis answers in its table's order (KEYS, SMEMBERS, HGETALL of a hashtable, RDB and DUMP
    /// payloads …) comes from here. While a rehash is in progress the buckets are the new
    /// table's, as for `scan`: each element is in exactly one of them, so none is skipped or
    /// repeated.
    ///
    /// The elements are put in order at once, by a counting sort by bucket: one pass over the
    /// slots in memory order, as a walk in slot order makes, counting each bucket's elements,
    /// then each element written to its place. Walking the buckets through the index instead
    /// would read, besides each element's slot, those of the other elements in its index runs,
    /// all out of memory order: twice as slow again. What a walk in bucket order cannot avoid
    /// is reading the values out of memory order, as Redis's walk of its chains does.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &V)> {
        self.in_bucket_order().into_iter().flatten()
    }

    /// [`Dict::iter`]'s elements, each in its place (`None` only where a count went wrong).
    fn in_bucket_order(&self) -> Vec<Option<(&[u8], &V)>> {
        let (len, mask) = (self.len(), self.size.wrapping_sub(1));
        let mut elements: Vec<(usize, &[u8], &V)> = Vec::with_capacity(len);
        if self.size > len.saturating_mul(8).saturating_add(64) {
            // Far more buckets than elements (a table sized for many that holds few): sorting
            // the elements costs less than counting every bucket. A stable sort, so that each
            // bucket keeps slot order as below.
            elements.extend(self.slots.iter().filter_map(|slot| {
                let bucket = bucket_hash(slot.hash) as usize & mask;
                slot.used().map(|(key, value)| (bucket, key, value))
            }));
            elements.sort_by_key(|&(bucket, ..)| bucket);
            return elements
                .into_iter()
                .map(|(_, key, value)| Some((key, value)))
                .collect();
        }
        // One pass over the slots, in memory order: each element with its bucket, counted.
        let mut next = vec![0u32; self.size];
        for slot in &self.slots {
            let bucket = bucket_hash(slot.hash) as usize & mask;
            if let Some((key, value)) = slot.used()
                && let Some(count) = next.get_mut(bucket)
            {
                *count += 1;
                elements.push((bucket, key, value));
            }
        }
        // Where each bucket's elements start: after those of the buckets before it.
        let mut start = 0;
        for count in &mut next {
            start += std::mem::replace(count, start);
        }
        let mut placed = vec![None; elements.len()];
        for &(bucket, key, value) in &elements {
            if let Some(at) = next.get_mut(bucket) {
                if let Some(place) = placed.get_mut(*at as usize) {
                    *place = Some((key, value));
                }
                *at += 1;
            }
        }
        placed
    }

    /// The keys in the order [`Dict::iter`] must give them (by bucket, then slot), found
    /// another way, for tests.
    #[cfg(test)]
    pub(crate) fn keys_by_bucket(&self) -> Vec<Vec<u8>> {
        let mask = self.size.wrapping_sub(1) as u64;
        let mut keys: Vec<(u64, SlotId, Vec<u8>)> = self
            .iter_slots()
            .map(|(id, key, _)| (bucket_hash(hash(key)) & mask, id, key.to_vec()))
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, _, key)| key).collect()
    }

    /// Every element with its slot id, in slot order: an order that follows the history of
    /// insertions and removals, for uses whose order nobody sees (bookkeeping checks, a pick
    /// by position); a cheap sequential walk. Whatever a client may see goes through
    /// [`Dict::iter`].
    pub fn iter_slots(&self) -> impl Iterator<Item = (SlotId, &[u8], &V)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.used().map(|(key, value)| (i as SlotId, key, value)))
    }

    /// Visits the elements of the bucket `cursor` designates and returns the next cursor
    /// (0 when the scan is complete), as Redis's `dictScan`.
    pub fn scan(&self, cursor: u64, mut visit: impl FnMut(SlotId, &[u8], &V)) -> u64 {
        if self.size == 0 {
            return 0;
        }
        let size = self.buckets();
        let mask = size as u64 - 1;
        self.visit_bucket((cursor & mask) as usize, |at| {
            if let Some((key, value)) = self.slots.get(at as usize).and_then(Slot::used) {
                visit(at, key, value);
            }
            true
        });
        // Increment the bits under the mask in reverse order.
        let mut v = cursor | !mask;
        v = v.reverse_bits().wrapping_add(1).reverse_bits();
        v
    }

    /// Calls `visit` with each element of logical bucket `bucket` (< [`Dict::buckets`]), until
    /// it answers false: the elements of the runs from the index places that are homes of the
    /// bucket's hashes (several when the index has more places than Redis's table has buckets,
    /// else one shared with other buckets), each checked against its slot's hash. The bucket
    /// fixes the low bits of its elements' [`bucket_hash`], hence (the multiplier being odd)
    /// the low bits of their hashes, which the homes are.
    fn visit_bucket(&self, bucket: usize, mut visit: impl FnMut(SlotId) -> bool) {
        let (size, places, mask) = (self.size, self.index.len(), self.mask());
        let id_mask = self.id_mask();
        if size == 0 || places == 0 {
            return;
        }
        let low = (bucket as u64).wrapping_mul(BUCKET_UNMIX) as usize & (size - 1);
        let homes = if places >= size { places / size } else { 1 };
        for home in (0..homes).map(|i| low.wrapping_add(i * size) & mask) {
            let mut at = home;
            for _ in 0..places {
                match self.index.get(at).copied() {
                    None | Some(EMPTY) => break,
                    Some(GONE) => {}
                    Some(here) => {
                        let id = here & id_mask;
                        if let Some(slot) = self.slots.get(id as usize)
                            && slot.hash as usize & mask == home
                            && bucket_hash(slot.hash) as usize & (size - 1) == bucket
                            && !visit(id)
                        {
                            return;
                        }
                    }
                }
                at = (at + 1) & mask;
            }
        }
    }

    /// Adds to `out` the slots of up to `count` elements found from a random place in the
    /// table, as Redis's `dictGetSomeKeys` samples for eviction: it walks consecutive buckets
    /// from a random one, taking every element of each non-empty bucket, jumps elsewhere after
    /// a run of more than `count` (at least 5) empty buckets, and gives up after `10 × count`
    /// buckets. The elements are not distinct draws: neighbours come together, as in Redis.
    pub fn sample(&self, rng: &mut Rng, count: usize, out: &mut Vec<SlotId>) {
        let count = count.min(self.len());
        if count == 0 || self.size == 0 {
            return;
        }
        let mask = self.buckets() as u64 - 1;
        let mut steps = count.saturating_mul(10);
        let mut found = 0;
        let mut empty_run = 0;
        let mut i = rng.next_u64() & mask;
        while found < count && steps > 0 {
            steps -= 1;
            let before = found;
            self.visit_bucket(i as usize, |at| {
                out.push(at);
                found += 1;
                found < count
            });
            if found == count {
                return;
            }
            if found == before {
                empty_run += 1;
                if empty_run >= 5 && empty_run > count {
                    i = rng.next_u64() & mask;
                    empty_run = 0;
                }
            } else {
                empty_run = 0;
            }
            i = (i + 1) & mask;
        }
    }

    /// A random element's slot, as Redis's `dictGetRandomKey`: a random non-empty bucket, then a
    /// random element of it.
    pub fn random(&self, rng: &mut Rng) -> Option<SlotId> {
        self.rehash_step();
        if self.len == 0 {
            return None;
        }
        let mask = self.buckets() as u64 - 1;
        let mut chain = Vec::new();
        while chain.is_empty() {
            self.visit_bucket((rng.next_u64() & mask) as usize, |at| {
                chain.push(at);
                true
            });
        }
        chain.get(rng.below(chain.len() as u64) as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn key(i: u32) -> Vec<u8> {
        format!("key:{i}").into_bytes()
    }

    #[test]
    fn keyspace_slots_are_three_cache_lines() {
        use crate::keyspace::Entry;
        assert_eq!(align_of::<Slot<Entry>>(), 64);
        assert_eq!(size_of::<Slot<Entry>>(), 192);
        // Sets pay nothing for it.
        assert!(size_of::<Slot<()>>() <= 48);
    }

    #[test]
    fn insert_get_remove() {
        let mut d = Dict::new();
        for i in 0..1000 {
            assert_eq!(d.insert(&key(i), i).1, None);
        }
        assert_eq!(d.insert(&key(7), 70).1, Some(7));
        assert_eq!(d.len(), 1000);
        assert_eq!(d.get(&key(7)), Some(&70));
        for i in 0..990 {
            assert!(d.remove(&key(i)).is_some());
        }
        assert_eq!(d.len(), 10);
        // Shrunk to 128 buckets at 102 elements; no further shrink while that rehash goes on.
        assert_eq!(d.buckets(), 128);
        assert_eq!(d.slots(), 128 + 1024);
        // Lookups finish it (moving one bucket or visiting 10 empty ones each): the next
        // removal shrinks the table again.
        for _ in 0..1024 {
            d.get(b"missing");
        }
        assert_eq!(d.slots(), 128);
        assert!(d.remove(&key(990)).is_some());
        assert_eq!(d.buckets(), 16);
        assert_eq!(d.get(&key(995)), Some(&995));
        assert_eq!(d.get(&key(5)), None);
    }

    /// Redis's incremental rehash, as MEMORY USAGE shows it (see server-memory-rehash.redis):
    /// the fifth insertion grows the table from 4 to 8 buckets, both allocated until steps
    /// moved the old ones; a presized table has none to move; the keyspace's table never
    /// keeps an old one.
    #[test]
    fn a_grown_table_keeps_its_old_buckets_until_moved() {
        let mut d: Dict<Vec<u8>> = Dict::new();
        for i in 0..5 {
            d.insert(&key(i), Vec::new());
        }
        assert_eq!((d.buckets(), d.slots()), (8, 12));
        // Four old buckets hold four elements: at most four steps move them all.
        for _ in 0..4 {
            d.rehash_step();
        }
        assert_eq!(d.slots(), 8);
        // No growth while rehashing: 8 elements in 8 buckets, the ninth grows the table.
        let mut d: Dict<()> = Dict::with_capacity(8);
        for i in 0..8 {
            d.insert(&key(i), ());
        }
        assert_eq!(d.slots(), 8);
        d.insert(&key(8), ());
        assert_eq!((d.buckets(), d.slots()), (16, 24));
        d.settle();
        assert_eq!(d.slots(), 16);
        let mut keyspace: Dict<crate::keyspace::Entry> = Dict::new();
        for i in 0..5 {
            let value = crate::keyspace::Value::String(crate::keyspace::value::StrValue::new(
                b"v".to_vec(),
            ));
            keyspace.insert(&key(i), crate::keyspace::Entry::new(value, 0));
        }
        assert_eq!(keyspace.slots(), 8);
    }

    #[test]
    fn expand_sizes_the_table_as_dict_expand() {
        let mut d: Dict<u32> = Dict::new();
        // An empty table gets 4 buckets at least, and no rehash.
        d.expand(0);
        assert_eq!((d.buckets(), d.slots()), (4, 4));
        d.expand(1000);
        assert_eq!((d.buckets(), d.slots()), (1024, 1024));
        for i in 0..100 {
            d.insert(&key(i), i);
        }
        // Fewer than its elements: refused; as many buckets as now: nothing to do.
        assert_eq!(d.expand_target(99), None);
        assert_eq!(d.expand_target(1000), None);
        // Smaller: a shrink, rehashed as Redis does (the old table counts until moved).
        d.expand(100);
        assert_eq!((d.buckets(), d.slots()), (128, 1152));
        // No resize while rehashing.
        assert_eq!(d.expand_target(5000), None);
        d.settle();
        d.expand(5000);
        assert_eq!(d.buckets(), 8192);
        d.settle();
        // Sizes Redis refuses (its table of pointers would overflow), or the engine's figures
        // could not add up: the table stays.
        for size in [u64::MAX, i64::MAX as u64, 1 << 61, 1 << 62] {
            assert_eq!(d.expand_target(size), None, "{size}");
        }
        for i in 0..100 {
            assert_eq!(d.get(&key(i)), Some(&i));
        }
        // A sparse table shrinks as Redis's cron shrinks it; a full enough one stays.
        d.shrink_if_sparse();
        assert_eq!(d.buckets(), 128);
        d.settle();
        d.shrink_if_sparse();
        assert_eq!(d.buckets(), 128);
    }

    #[test]
    fn slot_ids_are_stable_across_resizes() {
        let mut d: Dict<u32> = Dict::new();
        let (id, _) = d.insert(b"stay", 1);
        for i in 0..500 {
            d.insert(&key(i), 0);
        }
        for i in 0..500 {
            d.remove(&key(i));
        }
        assert_eq!(d.slot(id), Some((&b"stay"[..], &1)));
    }

    #[test]
    fn scan_returns_every_element_present_throughout_while_the_table_resizes() {
        let mut d = Dict::new();
        for i in 0..200 {
            d.insert(&key(i), ());
        }
        let mut seen = BTreeSet::new();
        let mut cursor = 0;
        let mut round = 0u32;
        loop {
            cursor = d.scan(cursor, |_, k, ()| {
                seen.insert(k.to_vec());
            });
            // Grow, then shrink, while scanning: keys 0..100 stay all along.
            round += 1;
            if round < 50 {
                for j in 0..20 {
                    d.insert(&key(10_000 + round * 20 + j), ());
                }
            } else {
                for j in 100..200 {
                    d.remove(&key(j));
                }
                for j in 0..2000 {
                    d.remove(&key(10_000 + j));
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..100 {
            assert!(seen.contains(&key(i)), "missed {i}");
        }
    }

    #[test]
    fn random_inserts_and_removes_agree_with_a_map() {
        use std::collections::BTreeMap;
        let mut d: Dict<u32> = Dict::new();
        let mut model = BTreeMap::new();
        let mut rng = Rng::new(42);
        for step in 0..20_000u32 {
            let k = key(rng.below(600) as u32);
            if rng.below(3) == 0 {
                assert_eq!(d.remove(&k).map(|(_, v)| v), model.remove(&k), "{step}");
            } else {
                assert_eq!(d.insert(&k, step).1, model.insert(k, step), "{step}");
            }
            if step % 997 == 0 {
                // Every element is found, and each logical bucket holds exactly its elements.
                for (k, v) in &model {
                    assert_eq!(d.get(k), Some(v));
                }
                let mut seen = BTreeSet::new();
                let mask = (d.buckets() as u64).wrapping_sub(1);
                for b in 0..d.buckets() as u64 {
                    d.scan(b, |_, k, _| {
                        assert_eq!(bucket_hash(hash(k)) & mask, b);
                        assert!(seen.insert(k.to_vec()), "twice");
                    });
                }
                assert_eq!(seen.len(), model.len());
                assert_walks_buckets_in_order(&d);
            }
        }
        assert_eq!(d.len(), model.len());
    }

    /// Checks that `iter` returns every element exactly once, bucket by bucket in ascending
    /// order, each bucket's elements in slot order; answers the keys in that order.
    fn assert_walks_buckets_in_order<V: Weigh>(d: &Dict<V>) -> Vec<Vec<u8>> {
        let listed: Vec<Vec<u8>> = d.iter().map(|(k, _)| k.to_vec()).collect();
        assert_eq!(listed.len(), d.len());
        let distinct: BTreeSet<&Vec<u8>> = listed.iter().collect();
        assert_eq!(distinct.len(), d.len(), "an element twice");
        assert_eq!(listed, d.keys_by_bucket());
        let mask = (d.buckets() as u64).wrapping_sub(1);
        assert!(
            listed.is_sorted_by_key(|k| bucket_hash(hash(k)) & mask),
            "not in bucket order"
        );
        listed
    }

    #[test]
    fn iteration_follows_the_buckets_not_the_insertions() {
        let build = || {
            let mut d = Dict::new();
            for i in 0..10 {
                d.insert(format!("k:{i}").as_bytes(), ());
            }
            d
        };
        let d = build();
        let listed = assert_walks_buckets_in_order(&d);
        let inserted: Vec<Vec<u8>> = (0..10).map(|i| format!("k:{i}").into_bytes()).collect();
        assert_ne!(listed, inserted);
        let mut reversed = inserted.clone();
        reversed.reverse();
        assert_ne!(listed, reversed);
        // The hash has a fixed seed: the same keys in the same table, the same order.
        let again: Vec<Vec<u8>> = build().iter().map(|(k, ())| k.to_vec()).collect();
        assert_eq!(listed, again);
        // A removal, then an insertion that takes the freed slot: still bucket by bucket.
        let mut d = build();
        d.remove(b"k:3");
        d.insert(b"new", ());
        let listed = assert_walks_buckets_in_order(&d);
        assert!(listed.contains(&b"new".to_vec()) && !listed.contains(&b"k:3".to_vec()));
        assert!(Dict::<()>::new().iter().next().is_none());
    }

    #[test]
    fn iteration_during_a_rehash_neither_skips_nor_repeats() {
        // Growing: the fifth element starts a rehash from 4 buckets to 8, which steps move.
        let mut d: Dict<u32> = Dict::new();
        for i in 0..5 {
            d.insert(&key(i), i);
        }
        assert!(d.rehashing());
        assert_walks_buckets_in_order(&d);
        while d.rehashing() {
            d.rehash_step();
            assert_walks_buckets_in_order(&d);
        }
        // Growing big, then shrinking: removals down to 10 % start a shrink, which more
        // removals, insertions and lookups move along, checked at every step.
        for i in 5..600 {
            d.insert(&key(i), i);
            if d.rehashing() {
                assert_walks_buckets_in_order(&d);
            }
        }
        let mut checked = 0;
        for i in 0..590 {
            d.remove(&key(i));
            if d.rehashing() {
                assert_walks_buckets_in_order(&d);
                checked += 1;
            }
        }
        assert!(checked > 0, "no shrink happened");
        // A table with far more buckets than elements (sized for many, holding few: sorted
        // rather than counted), and one with fewer buckets than index places.
        let mut sized: Dict<u32> = Dict::new();
        sized.expand(4096);
        for i in 0..20 {
            sized.insert(&key(i), i);
        }
        assert!(sized.buckets() > sized.index.len());
        assert_walks_buckets_in_order(&sized);
        let mut small: Dict<u32> = Dict::with_capacity(4);
        for i in 0..4 {
            small.insert(&key(i), i);
        }
        assert!(small.buckets() < small.index.len());
        assert_walks_buckets_in_order(&small);
    }

    #[test]
    fn the_hash_spreads_similar_keys_over_homes_and_tags() {
        // 2^16 keys differing in a few characters over 2^14 homes (low bits) and over the
        // tags (top bits): no home or tag much fuller than the average of 4 (resp. 256).
        for prefix in ["", "user:", "session:2026-11-22:user:"] {
            spread_of(prefix);
        }
    }

    fn spread_of(prefix: &str) {
        let mut homes = vec![0u32; 1 << 14];
        let mut tags = vec![0u32; 256];
        for i in 0..1u32 << 16 {
            let h = hash(format!("{prefix}{i}").as_bytes());
            homes[(h & ((1 << 14) - 1)) as usize] += 1;
            tags[(h >> 56) as usize] += 1;
        }
        assert!(
            homes.iter().max().unwrap() <= &16,
            "{prefix}: {:?}",
            homes.iter().max()
        );
        let (lo, hi) = (tags.iter().min().unwrap(), tags.iter().max().unwrap());
        assert!(*lo > 180 && *hi < 340, "{prefix}: {lo} {hi}");
    }

    #[test]
    fn the_hash_sees_every_byte_and_the_length() {
        assert_ne!(hash(b""), hash(b"\0"));
        assert_ne!(hash(b"abcdefgh"), hash(b"abcdefgh\0"));
        for len in 1..40usize {
            let base: Vec<u8> = (0..len).map(|i| i as u8).collect();
            for i in 0..len {
                let mut other = base.clone();
                other[i] ^= 0x40;
                assert_ne!(hash(&base), hash(&other), "{len} {i}");
            }
        }
    }

    #[test]
    fn slot_ids_outgrowing_their_bits_keep_every_element_found() {
        let mut d: Dict<u32> = Dict::new();
        for i in 0..70_000 {
            d.insert(&key(i), i);
        }
        // 70,000 slots: 17 bits of id, 15 of tag.
        assert_eq!(d.id_bits, 17);
        for i in (0..70_000).step_by(3) {
            assert_eq!(d.remove(&key(i)).map(|(_, v)| v), Some(i));
        }
        // Removed slots are reused by new keys.
        for i in 70_000..80_000 {
            let (id, _) = d.insert(&key(i), i);
            assert!(id < 70_000);
        }
        for i in 0..80_000 {
            let expected = (i >= 70_000 || i % 3 != 0).then_some(i);
            assert_eq!(d.get(&key(i)).copied(), expected, "{i}");
        }
    }

    #[test]
    fn short_and_long_keys_alike() {
        let keys: Vec<Vec<u8>> = (0..=40)
            .chain([255, 256, 1000])
            .map(|n| (0..n).map(|i| (i * 7 + n) as u8).collect())
            .collect();
        let mut d: Dict<u32> = Dict::new();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(d.insert(k, i as u32).1, None);
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(d.get(k), Some(&(i as u32)));
            let id = d.find(k).unwrap();
            assert_eq!(d.slot(id).map(|(key, _)| key), Some(&k[..]));
        }
        let mut listed: Vec<Vec<u8>> = d.iter().map(|(k, _)| k.to_vec()).collect();
        listed.sort();
        let mut expected = keys.clone();
        expected.sort();
        assert_eq!(listed, expected);
        for k in &keys {
            let id = d.find(k).unwrap();
            assert_eq!(
                d.remove_slot(id).map(|(key, _)| key.into_vec()),
                Some(k.clone())
            );
        }
        assert!(d.is_empty());
    }

    #[test]
    fn weight_follows_keys_and_values() {
        let mut d: Dict<Vec<u8>> = Dict::new();
        d.insert(b"a", b"xyz".to_vec());
        assert_eq!(d.weight(), sds_size(1) + sds_size(3));
        d.insert(b"a", vec![b'v'; 100]);
        assert_eq!(d.weight(), sds_size(1) + sds_size(100));
        d.insert(&[b'k'; 40], Vec::new());
        d.remove(b"a");
        assert_eq!(d.weight(), sds_size(40) + sds_size(0));
        d.remove(&[b'k'; 40]);
        assert_eq!(d.weight(), 0);
    }

    #[test]
    fn sample_takes_present_elements_from_a_random_place() {
        let mut d = Dict::new();
        let mut rng = Rng::new(7);
        let mut out = Vec::new();
        d.sample(&mut rng, 5, &mut out);
        assert!(out.is_empty());
        for i in 0..1000 {
            d.insert(&key(i), i);
        }
        let mut seen = BTreeSet::new();
        for _ in 0..2000 {
            out.clear();
            d.sample(&mut rng, 5, &mut out);
            assert_eq!(out.len(), 5);
            for &id in &out {
                seen.insert(*d.slot(id).expect("live slot").1);
            }
        }
        // Nearly every element gets sampled sooner or later (as in Redis, one deep in a long
        // chain may be out of reach of a small sample).
        assert!(seen.len() >= 990, "{}", seen.len());
        // Fewer elements than asked: all of them, at most.
        let mut small = Dict::new();
        small.insert(b"only", ());
        out.clear();
        small.sample(&mut rng, 5, &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn picks_are_put_in_the_order_of_a_table_sized_as_asked() {
        let picks: Vec<(Vec<u8>, u32)> = (0..12).map(|i| (key(i), i)).collect();
        for capacity in [12, 64] {
            let mut ordered = picks.clone();
            in_table_order(&mut ordered, capacity, |(k, _)| k);
            let mut table: Dict<()> = Dict::with_capacity(capacity);
            for (k, _) in &picks {
                table.insert(k, ());
            }
            assert_eq!(table.buckets(), capacity.next_power_of_two());
            let keys: Vec<Vec<u8>> = ordered.iter().map(|(k, _)| k.clone()).collect();
            assert_eq!(keys, table.keys_by_bucket(), "{capacity}");
            // Every item kept, with its own payload.
            assert!(ordered.iter().all(|(k, i)| *k == key(*i)));
            assert_eq!(ordered.len(), picks.len());
        }
    }

    #[test]
    fn random_picks_only_present_elements() {
        let mut d = Dict::new();
        let mut rng = Rng::new(1);
        assert_eq!(d.random(&mut rng), None);
        for i in 0..50 {
            d.insert(&key(i), i);
        }
        for i in 0..45 {
            d.remove(&key(i));
        }
        let mut seen = BTreeSet::new();
        for _ in 0..500 {
            let id = d.random(&mut rng).expect("non-empty");
            seen.insert(*d.slot(id).expect("live slot").1);
        }
        assert_eq!(seen, (45..50).collect());
    }
}
