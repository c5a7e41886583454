//! The hash type: fields mapped to values, in Redis 7.0's two encodings.
//!
//! - `listpack`: the pairs in one flat sequence, in insertion order (an updated field keeps its
//!   place, a deleted one closes the gap, a new one goes to the end). Every command that lists
//!   fields (HGETALL, HKEYS, HVALS, HSCAN, HRANDFIELD with a count covering the hash) answers in
//!   that order, so ours is a vector of pairs searched linearly, as Redis searches its listpack.
//! - `hashtable`: a [`Dict`], whose order Redis leaves unspecified: fields are listed in the
//!   table's order (see [`Dict::iter`]), never the order they were set; it gives HSCAN its
//!   cursor guarantees.
//!
//! A hash starts as a listpack and becomes a hashtable, never back, exactly when Redis converts
//! it (`hashTypeTryConversion` and `hashTypeSet`):
//! - before a write, when any field or value the command carries is longer than
//!   `hash-max-listpack-value` bytes (HSET and HMSET check all their arguments, even ones that
//!   only update a field; HSETNX checks its pair only when the field is new; HINCRBY and
//!   HINCRBYFLOAT check the field and the value they are about to store);
//! - after a field is added, when the hash holds more than `hash-max-listpack-entries` fields.
//!
//! Redis also converts a listpack that would pass 1 GB (`lpSafeToAdd`); with values limited to
//! `hash-max-listpack-value` bytes that cannot happen under any sane configuration, so it is not
//! modelled.

use crate::config::Config;
use crate::keyspace::Dict;
use crate::rng::Rng;

/// The encoding thresholds a hash obeys, read from the configuration at each command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashLimits {
    /// `hash-max-listpack-entries`: the most fields a listpack holds.
    pub max_entries: usize,
    /// `hash-max-listpack-value`: the longest field or value a listpack holds, in bytes.
    pub max_value: usize,
}

impl HashLimits {
    /// The limits the configuration sets.
    pub fn of(config: &Config) -> Self {
        HashLimits {
            max_entries: config.hash_max_listpack_entries,
            max_value: config.hash_max_listpack_value,
        }
    }
}

/// A hash value.
#[derive(Debug, Clone)]
pub struct Hash {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    /// Pairs in insertion order; fields are unique.
    Listpack(Vec<(Vec<u8>, Vec<u8>)>),
    /// Field to value.
    Table(Dict<Vec<u8>>),
}

impl Default for Hash {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for Hash {
    /// Same encoding and same pairs (in the same order for listpacks, whose order is visible).
    fn eq(&self, other: &Self) -> bool {
        match (&self.repr, &other.repr) {
            (Repr::Listpack(a), Repr::Listpack(b)) => a == b,
            (Repr::Table(a), Repr::Table(b)) => {
                a.len() == b.len() && a.iter().all(|(f, v)| b.get(f) == Some(v))
            }
            _ => false,
        }
    }
}

impl Hash {
    /// A copy as Redis's `hashTypeDup` makes it (COPY): a table sized for its fields.
    #[must_use]
    pub fn duplicate(&self) -> Self {
        let mut copy = self.clone();
        if let Repr::Table(dict) = &mut copy.repr {
            dict.presize();
        }
        copy
    }

    /// An empty hash, listpack-encoded (Redis's `createHashObject`).
    pub fn new() -> Self {
        Hash {
            repr: Repr::Listpack(Vec::new()),
        }
    }

    /// A listpack-encoded hash holding these pairs in this order, whatever their sizes (an RDB
    /// listpack is loaded as it is). The fields must be distinct.
    pub fn from_listpack_pairs(pairs: Vec<(Vec<u8>, Vec<u8>)>) -> Self {
        Hash {
            repr: Repr::Listpack(pairs),
        }
    }

    /// Whether the hash is listpack-encoded.
    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    /// Turns a listpack into a hashtable (`hashTypeConvert`); a hashtable stays one.
    pub fn convert_to_table(&mut self) {
        self.convert();
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(pairs) => pairs.len(),
            Repr::Table(dict) => dict.len(),
        }
    }

    /// Whether the hash has no field (a stored hash never stays empty: its key is deleted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name `OBJECT ENCODING` answers.
    pub fn encoding_name(&self) -> &'static str {
        match &self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Table(_) => "hashtable",
        }
    }

    /// The hashtable, when the hash is encoded as one (HSCAN walks it with a cursor).
    pub fn table(&self) -> Option<&Dict<Vec<u8>>> {
        match &self.repr {
            Repr::Listpack(_) => None,
            Repr::Table(dict) => Some(dict),
        }
    }

    /// The value of a field.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match &self.repr {
            Repr::Listpack(pairs) => pairs
                .iter()
                .find(|(f, _)| f.as_slice() == field)
                .map(|(_, v)| v.as_slice()),
            Repr::Table(dict) => dict.get(field).map(Vec::as_slice),
        }
    }

    /// Whether a field exists.
    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Every pair, in the encoding's order (insertion order for a listpack, the table's for a
    /// hashtable).
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let (listpack, table) = match &self.repr {
            Repr::Listpack(pairs) => (Some(pairs.iter()), None),
            Repr::Table(dict) => (None, Some(dict.iter())),
        };
        listpack
            .into_iter()
            .flatten()
            .map(|(f, v)| (f.as_slice(), v.as_slice()))
            .chain(table.into_iter().flatten().map(|(f, v)| (f, v.as_slice())))
    }

    /// Redis's `hashTypeTryConversion`: before a write, converts a listpack to a hashtable if
    /// any of the strings the command carries (fields and values) is longer than the limit.
    pub fn prepare_for<'a>(
        &mut self,
        strings: impl IntoIterator<Item = &'a [u8]>,
        limits: HashLimits,
    ) {
        if matches!(self.repr, Repr::Listpack(_))
            && strings.into_iter().any(|s| s.len() > limits.max_value)
        {
            self.convert();
        }
    }

    /// Redis's `hashTypeSet`: stores a value under a field; answers true when the field is new.
    /// A field or value longer than the limit converts a listpack first; a field added beyond
    /// the entry limit converts it after.
    pub fn set(&mut self, field: &[u8], value: Vec<u8>, limits: HashLimits) -> bool {
        self.prepare_for([field, value.as_slice()], limits);
        match &mut self.repr {
            Repr::Listpack(pairs) => {
                if let Some((_, old)) = pairs.iter_mut().find(|(f, _)| f.as_slice() == field) {
                    *old = value;
                    return false;
                }
                pairs.push((field.to_vec(), value));
                if pairs.len() > limits.max_entries {
                    self.convert();
                }
                true
            }
            Repr::Table(dict) => dict.find_then_insert(field, value).1.is_none(),
        }
    }

    /// [`Hash::set`] of a copy of `value`: a listpack's field updated in place reuses its
    /// value's allocation (HSET of an existing field allocates nothing), unless that is much
    /// larger than the new value (a huge `hash-max-listpack-value` must not leave a small
    /// value holding a huge buffer).
    pub fn set_slice(&mut self, field: &[u8], value: &[u8], limits: HashLimits) -> bool {
        self.prepare_for([field, value], limits);
        if let Repr::Listpack(pairs) = &mut self.repr
            && let Some((_, old)) = pairs.iter_mut().find(|(f, _)| f.as_slice() == field)
        {
            if old.capacity() <= value.len().saturating_mul(2).max(64) {
                old.clear();
                old.extend_from_slice(value);
            } else {
                *old = value.to_vec();
            }
            return false;
        }
        self.set(field, value.to_vec(), limits)
    }

    /// Removes a field; answers whether it existed.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(pairs) => {
                let Some(at) = pairs.iter().position(|(f, _)| f.as_slice() == field) else {
                    return false;
                };
                pairs.remove(at);
                true
            }
            Repr::Table(dict) => dict.remove(field).is_some(),
        }
    }

    /// One pair picked at random, every pair equally likely; `None` when empty. (Redis's
    /// "fair" hashtable pick only approaches uniform; a walk to a random position gives it
    /// exactly, at a cost linear in the size.)
    pub fn random(&self, rng: &mut Rng) -> Option<(&[u8], &[u8])> {
        let at = usize::try_from(rng.below(self.len() as u64)).ok()?;
        match &self.repr {
            Repr::Listpack(pairs) => pairs.get(at).map(|(f, v)| (f.as_slice(), v.as_slice())),
            // Any fixed order gives a uniform pick: the slots' is the cheapest to walk.
            Repr::Table(dict) => dict.iter_slots().nth(at).map(|(_, f, v)| (f, v.as_slice())),
        }
    }

    /// `count` distinct pairs picked at random, every subset equally likely; `count` must be
    /// below [`Hash::len`] (HRANDFIELD answers the whole hash otherwise). A listpack's picks
    /// come in its order, as Redis's `lpRandomPairsUnique` gives them; a hashtable's in random
    /// order.
    pub fn random_distinct(&self, count: usize, rng: &mut Rng) -> Vec<(&[u8], &[u8])> {
        let mut pairs: Vec<(&[u8], &[u8])> = self.iter().collect();
        let count = count.min(pairs.len());
        match &self.repr {
            Repr::Listpack(_) => {
                // Selection sampling (Knuth's algorithm S): keeps each pair with probability
                // needed / remaining, which picks every subset of `count` pairs equally often
                // and keeps their order.
                let mut needed = count as u64;
                let mut remaining = pairs.len() as u64;
                pairs.retain(|_| {
                    let keep = rng.below(remaining) < needed;
                    remaining -= 1;
                    if keep {
                        needed -= 1;
                    }
                    keep
                });
                pairs
            }
            Repr::Table(_) => {
                // A partial Fisher–Yates shuffle: the first `count` places get distinct pairs.
                // `i < count <= pairs.len()` and `i <= j < pairs.len()`: both indexes are in
                // bounds.
                for i in 0..count {
                    let left = (pairs.len() - i) as u64;
                    let j = i + usize::try_from(rng.below(left)).unwrap_or(0);
                    pairs.swap(i, j);
                }
                pairs.truncate(count);
                pairs
            }
        }
    }

    /// Turns a listpack into a hashtable (`hashTypeConvertListpack`); a hashtable stays one.
    fn convert(&mut self) {
        if let Repr::Listpack(pairs) = &mut self.repr {
            let mut dict = Dict::with_capacity(pairs.len());
            for (field, value) in std::mem::take(pairs) {
                dict.insert(&field, value);
            }
            self.repr = Repr::Table(dict);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use super::*;

    fn map(h: &Hash) -> HashMap<Vec<u8>, Vec<u8>> {
        h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect()
    }

    const SMALL: HashLimits = HashLimits {
        max_entries: 4,
        max_value: 8,
    };

    fn hash_of(pairs: &[(&str, &str)], limits: HashLimits) -> Hash {
        let mut h = Hash::new();
        for (f, v) in pairs {
            h.set(f.as_bytes(), v.as_bytes().to_vec(), limits);
        }
        h
    }

    fn fields(h: &Hash) -> Vec<&[u8]> {
        h.iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn listpacks_keep_insertion_order_through_updates_and_deletes() {
        let mut h = hash_of(&[("c", "1"), ("a", "2"), ("b", "3")], SMALL);
        assert!(!h.set(b"a", b"20".to_vec(), SMALL), "an update");
        assert_eq!(fields(&h), [&b"c"[..], b"a", b"b"]);
        assert!(h.remove(b"c"));
        assert!(!h.remove(b"c"));
        assert!(h.set(b"c", b"1".to_vec(), SMALL));
        assert_eq!(fields(&h), [&b"a"[..], b"b", b"c"]);
        assert_eq!(h.get(b"a"), Some(&b"20"[..]));
        assert_eq!(h.encoding_name(), "listpack");
    }

    #[test]
    fn set_slice_stores_what_set_stores() {
        let limits = HashLimits {
            max_entries: 4,
            max_value: 64,
        };
        let long = "v".repeat(40);
        let (mut a, mut b) = (Hash::new(), Hash::new());
        for (f, v) in [
            ("f", "1"),
            ("g", long.as_str()),
            ("f", long.as_str()),
            ("h", ""),
            ("f", "2"),
        ] {
            let created = a.set(f.as_bytes(), v.as_bytes().to_vec(), limits);
            assert_eq!(created, b.set_slice(f.as_bytes(), v.as_bytes(), limits));
            assert_eq!(a, b);
        }
        assert_eq!(fields(&b), [&b"f"[..], b"g", b"h"]);
        assert_eq!(b.get(b"f"), Some(&b"2"[..]));
        // A large value replaced by a small one does not keep its buffer.
        let roomy = HashLimits {
            max_entries: 4,
            max_value: 1000,
        };
        let big = "b".repeat(1000);
        let mut d = hash_of(&[("f", big.as_str())], roomy);
        assert!(!d.set_slice(b"f", b"1", roomy));
        assert_eq!(d.get(b"f"), Some(&b"1"[..]));
        match &d.repr {
            Repr::Listpack(pairs) => assert!(pairs.iter().all(|(_, v)| v.capacity() < 64)),
            Repr::Table(_) => panic!("still a listpack"),
        }
        // Past the entry limit: a hashtable, the same pairs.
        for (f, v) in [("i", "1"), ("j", "2"), ("f", "3")] {
            a.set(f.as_bytes(), v.as_bytes().to_vec(), limits);
            b.set_slice(f.as_bytes(), v.as_bytes(), limits);
        }
        assert_eq!(b.encoding_name(), "hashtable");
        assert_eq!(map(&a), map(&b));
        // A value past the value limit converts first, as with `set`.
        let huge = "w".repeat(65);
        let mut c = hash_of(&[("a", "1")], limits);
        assert!(!c.set_slice(b"a", huge.as_bytes(), limits));
        assert_eq!(c.encoding_name(), "hashtable");
        assert_eq!(c.get(b"a"), Some(huge.as_bytes()));
    }

    #[test]
    fn more_fields_than_the_entry_limit_convert() {
        let mut h = hash_of(&[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")], SMALL);
        assert_eq!(h.encoding_name(), "listpack", "exactly at the limit");
        // Updating at the limit does not convert.
        h.set(b"d", b"40".to_vec(), SMALL);
        assert_eq!(h.encoding_name(), "listpack");
        h.set(b"e", b"5".to_vec(), SMALL);
        assert_eq!(h.encoding_name(), "hashtable");
        // One-way: emptying it down to one field keeps the hashtable.
        for f in ["a", "b", "c", "d"] {
            assert!(h.remove(f.as_bytes()));
        }
        assert_eq!(h.encoding_name(), "hashtable");
        assert_eq!(h.get(b"e"), Some(&b"5"[..]));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn long_fields_or_values_convert_at_one_byte_past_the_limit() {
        let limits = SMALL;
        let h = hash_of(&[("f", "12345678"), ("12345678", "v")], limits);
        assert_eq!(h.encoding_name(), "listpack", "8 bytes fit");
        let h = hash_of(&[("f", "123456789")], limits);
        assert_eq!(h.encoding_name(), "hashtable", "a 9-byte value");
        let h = hash_of(&[("123456789", "v")], limits);
        assert_eq!(h.encoding_name(), "hashtable", "a 9-byte field");
        // Conversion keeps every pair.
        let mut h = hash_of(&[("a", "1"), ("b", "2")], limits);
        h.set(b"c", b"a long value".to_vec(), limits);
        assert_eq!(h.encoding_name(), "hashtable");
        let roomy = HashLimits {
            max_entries: 10,
            max_value: 100,
        };
        let expected = hash_of(&[("a", "1"), ("b", "2"), ("c", "a long value")], roomy);
        assert_eq!(map(&h), map(&expected));
    }

    #[test]
    fn prepare_for_converts_on_any_long_argument_even_unused() {
        let mut h = hash_of(&[("a", "1")], SMALL);
        h.prepare_for([&b"a"[..], b"short"], SMALL);
        assert_eq!(h.encoding_name(), "listpack");
        h.prepare_for([&b"a"[..], b"much too long"], SMALL);
        assert_eq!(h.encoding_name(), "hashtable");
    }

    #[test]
    fn default_limits_are_redis_defaults() {
        let limits = HashLimits::of(&Config::default());
        assert_eq!(
            limits,
            HashLimits {
                max_entries: 512,
                max_value: 64
            }
        );
    }

    #[test]
    fn zero_limits_leave_only_empty_strings_in_listpacks() {
        let limits = HashLimits {
            max_entries: 10,
            max_value: 0,
        };
        assert_eq!(hash_of(&[("", "")], limits).encoding_name(), "listpack");
        assert_eq!(hash_of(&[("a", "")], limits).encoding_name(), "hashtable");
        assert_eq!(hash_of(&[("", "b")], limits).encoding_name(), "hashtable");
        let limits = HashLimits {
            max_entries: 0,
            max_value: 64,
        };
        assert_eq!(hash_of(&[("a", "b")], limits).encoding_name(), "hashtable");
    }

    fn big(limits: HashLimits, n: usize) -> Hash {
        let mut h = Hash::new();
        for i in 0..n {
            h.set(
                format!("f{i}").as_bytes(),
                format!("v{i}").into_bytes(),
                limits,
            );
        }
        h
    }

    #[test]
    fn random_picks_are_spread_over_every_field() {
        let mut rng = Rng::new(7);
        for limits in [
            SMALL,
            HashLimits {
                max_entries: 100,
                max_value: 64,
            },
        ] {
            let h = big(limits, 10);
            let mut seen: HashMap<Vec<u8>, u32> = HashMap::new();
            for _ in 0..10_000 {
                let (f, v) = h.random(&mut rng).expect("not empty");
                assert_eq!(h.get(f), Some(v));
                *seen.entry(f.to_vec()).or_default() += 1;
            }
            // Uniform: each of 10 fields about 1000 times.
            assert_eq!(seen.len(), 10);
            for n in seen.values() {
                assert!((800..1200).contains(n), "{seen:?}");
            }
        }
        assert_eq!(Hash::new().random(&mut rng), None);
    }

    #[test]
    fn distinct_picks_are_distinct_uniform_and_ordered_for_listpacks() {
        let mut rng = Rng::new(11);
        for limits in [
            SMALL,
            HashLimits {
                max_entries: 100,
                max_value: 64,
            },
        ] {
            let h = big(limits, 6);
            let order: Vec<&[u8]> = fields(&h);
            let mut subsets: HashMap<BTreeSet<Vec<u8>>, u32> = HashMap::new();
            for _ in 0..15_000 {
                let picks = h.random_distinct(2, &mut rng);
                assert_eq!(picks.len(), 2);
                let set: BTreeSet<Vec<u8>> = picks.iter().map(|(f, _)| f.to_vec()).collect();
                assert_eq!(set.len(), 2, "distinct");
                for (f, v) in &picks {
                    assert_eq!(h.get(f), Some(*v));
                }
                if h.encoding_name() == "listpack" {
                    let positions: Vec<usize> = picks
                        .iter()
                        .map(|(f, _)| order.iter().position(|o| o == f).expect("present"))
                        .collect();
                    assert!(positions.windows(2).all(|w| w[0] < w[1]), "in order");
                }
                *subsets.entry(set).or_default() += 1;
            }
            // C(6, 2) = 15 subsets, each about 1000 times.
            assert_eq!(subsets.len(), 15);
            for n in subsets.values() {
                assert!((800..1200).contains(n), "{subsets:?}");
            }
        }
    }
}
