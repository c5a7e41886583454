//! The set type and its two encodings, as Redis 7.0 keeps them.
//!
//! - `intset`: the members are all integers (as `string2ll` reads them: no `+`, no leading
//!   zero, no `-0`) and there are at most `set-max-intset-entries` of them. They are kept
//!   sorted, so iteration (`SMEMBERS`, `SSCAN`, results of the multi-key commands) is in
//!   ascending order. Like Redis's intset, it remembers the widest integer it ever held (16, 32
//!   or 64 bits), which only shows in `DUMP` payloads.
//! - `hashtable`: any members, in a [`Dict`]; iteration is in the table's order (see
//!   [`Dict::iter`]), unspecified in Redis and looking arbitrary, never the order of insertion.
//!
//! The conversion is one way: a non-integer member or one member too many turns an intset into
//! a hashtable, and nothing turns it back. Only building a new set (the `*STORE` results,
//! `SPOP` keeping few members) can give an intset again. Redis 7.0 has no listpack sets.

use std::borrow::Cow;

use crate::keyspace::Dict;
use crate::num::parse_i64;
use crate::rng::Rng;

/// Redis caps `set-max-intset-entries` at 2^30 because of the intset's own limits.
const INTSET_HARD_LIMIT: usize = 1 << 30;

/// A set value.
#[derive(Debug, Clone)]
pub struct SetValue {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    /// Sorted, distinct integers and the width in bytes (2, 4 or 8) of the intset's encoding.
    Intset { members: Vec<i64>, width: u8 },
    /// Members as keys of a hash table.
    Hashtable(Dict<()>),
}

/// The bytes of an integer member, as Redis prints it (`ll2string`).
fn int_bytes(n: i64) -> Vec<u8> {
    n.to_string().into_bytes()
}

/// The narrowest intset encoding that holds `n`, in bytes.
fn width_of(n: i64) -> u8 {
    if i16::try_from(n).is_ok() {
        2
    } else if i32::try_from(n).is_ok() {
        4
    } else {
        8
    }
}

impl SetValue {
    /// An empty intset, as Redis's `createIntsetObject`: the start of every computed set.
    pub fn intset() -> Self {
        SetValue {
            repr: Repr::Intset {
                members: Vec::new(),
                width: 2,
            },
        }
    }

    /// An empty set able to hold `first`, as `setTypeCreate`: an intset when it is an integer,
    /// a hashtable otherwise. The member is not added.
    pub fn for_member(first: &[u8]) -> Self {
        if parse_i64(first).is_some() {
            Self::intset()
        } else {
            SetValue {
                repr: Repr::Hashtable(Dict::new()),
            }
        }
    }

    /// A set built from members as `SADD` builds a new key; `max_intset` is
    /// `set-max-intset-entries`.
    pub fn from_members<'a>(
        members: impl IntoIterator<Item = &'a [u8]>,
        max_intset: usize,
    ) -> Self {
        let mut members = members.into_iter().peekable();
        let mut set = members
            .peek()
            .map_or_else(Self::intset, |first| Self::for_member(first));
        for member in members {
            set.add(member, max_intset);
        }
        set
    }

    /// An empty hashtable-encoded set (`createSetObject`).
    pub fn new_hashtable() -> Self {
        SetValue {
            repr: Repr::Hashtable(Dict::new()),
        }
    }

    /// An intset of these members (strictly ascending) stored `width` bytes wide (2, 4 or 8, at
    /// least as wide as its widest member): an intset as an RDB blob holds it.
    pub fn from_intset(members: Vec<i64>, width: u8) -> Self {
        SetValue {
            repr: Repr::Intset { members, width },
        }
    }

    /// A copy as Redis's `setTypeDup` makes it (COPY): a hashtable sized for its members.
    #[must_use]
    pub fn duplicate(&self) -> Self {
        let mut copy = self.clone();
        if let Repr::Hashtable(dict) = &mut copy.repr {
            dict.presize();
        }
        copy
    }

    /// Turns an intset into a hashtable (`setTypeConvert`); a hashtable stays one.
    pub fn convert_to_hashtable(&mut self) {
        self.convert();
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Intset { members, .. } => members.len(),
            Repr::Hashtable(dict) => dict.len(),
        }
    }

    /// Whether the set has no member.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the set is an intset.
    pub fn is_intset(&self) -> bool {
        matches!(self.repr, Repr::Intset { .. })
    }

    /// The name `OBJECT ENCODING` answers.
    pub fn encoding_name(&self) -> &'static str {
        match self.repr {
            Repr::Intset { .. } => "intset",
            Repr::Hashtable(_) => "hashtable",
        }
    }

    /// The hash table of a hashtable-encoded set (for `SSCAN`).
    pub fn hashtable(&self) -> Option<&Dict<()>> {
        match &self.repr {
            Repr::Hashtable(dict) => Some(dict),
            Repr::Intset { .. } => None,
        }
    }

    /// Adds a member, as `setTypeAdd`; answers whether it was new. An intset becomes a
    /// hashtable when the member is not an integer, or when it now has more than `max_intset`
    /// members (`set-max-intset-entries`, capped at 2^30 as Redis caps it).
    pub fn add(&mut self, member: &[u8], max_intset: usize) -> bool {
        match &mut self.repr {
            // `dictAddRaw`: one lookup, which finds an existing member.
            Repr::Hashtable(dict) => dict.insert(member, ()).1.is_none(),
            Repr::Intset { members, width } => {
                let Some(n) = parse_i64(member) else {
                    self.convert();
                    if let Repr::Hashtable(dict) = &mut self.repr {
                        dict.insert(member, ());
                    }
                    return true;
                };
                let Err(at) = members.binary_search(&n) else {
                    return false;
                };
                members.insert(at, n);
                *width = (*width).max(width_of(n));
                if members.len() > max_intset.min(INTSET_HARD_LIMIT) {
                    self.convert();
                }
                true
            }
        }
    }

    /// Turns an intset into a hashtable (`setTypeConvert`).
    fn convert(&mut self) {
        if let Repr::Intset { members, .. } = &self.repr {
            let mut dict = Dict::with_capacity(members.len());
            for &n in members {
                dict.insert(&int_bytes(n), ());
            }
            self.repr = Repr::Hashtable(dict);
        }
    }

    /// Removes a member, as `setTypeRemove`; answers whether it was there. The encoding stays.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Hashtable(dict) => dict.remove(member).is_some(),
            Repr::Intset { members, .. } => {
                let Some(n) = parse_i64(member) else {
                    return false;
                };
                match members.binary_search(&n) {
                    Ok(at) => {
                        members.remove(at);
                        true
                    }
                    Err(_) => false,
                }
            }
        }
    }

    /// Whether a member is in the set (`setTypeIsMember`).
    pub fn contains(&self, member: &[u8]) -> bool {
        match &self.repr {
            Repr::Hashtable(dict) => dict.contains(member),
            Repr::Intset { members, .. } => {
                parse_i64(member).is_some_and(|n| members.binary_search(&n).is_ok())
            }
        }
    }

    /// The members in Redis's iteration order: ascending for an intset, the table's order for
    /// a hashtable.
    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, [u8]>> {
        let (ints, keys) = match &self.repr {
            Repr::Intset { members, .. } => (Some(members.iter()), None),
            Repr::Hashtable(dict) => (None, Some(dict.iter())),
        };
        let ints = ints
            .into_iter()
            .flatten()
            .map(|&n| Cow::Owned(int_bytes(n)));
        let keys = keys.into_iter().flatten().map(|(k, ())| Cow::Borrowed(k));
        ints.chain(keys)
    }

    /// A member drawn uniformly at random, or `None` for an empty set.
    pub fn random(&self, rng: &mut Rng) -> Option<Vec<u8>> {
        match &self.repr {
            Repr::Intset { members, .. } => {
                let at = usize::try_from(rng.below(members.len() as u64)).ok()?;
                members.get(at).map(|&n| int_bytes(n))
            }
            Repr::Hashtable(dict) => fair_random(dict, rng),
        }
    }

    /// `intsetBlobLen` of an intset (header and members in its width); `None` for a
    /// hashtable.
    pub fn intset_bytes(&self) -> Option<usize> {
        let Repr::Intset { members, width } = &self.repr else {
            return None;
        };
        Some(8 + members.len() * usize::from(*width))
    }

    /// The intset's bytes as Redis lays them out (`intsetBlobLen` bytes: encoding width and
    /// length as 32-bit little-endian numbers, then the members little-endian in that width),
    /// as RDB stores an intset; `None` for a hashtable.
    pub fn intset_blob(&self) -> Option<Vec<u8>> {
        let Repr::Intset { members, width } = &self.repr else {
            return None;
        };
        let mut blob = Vec::with_capacity(8 + members.len() * usize::from(*width));
        blob.extend_from_slice(&u32::from(*width).to_le_bytes());
        // An intset holds at most 2^30 members (see `INTSET_HARD_LIMIT`).
        blob.extend_from_slice(
            &u32::try_from(members.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        for &n in members {
            let bytes = n.to_le_bytes();
            blob.extend_from_slice(bytes.get(..usize::from(*width)).unwrap_or(&bytes));
        }
        Some(blob)
    }
}

/// Most elements a bucket may hold for [`fair_random`]'s draw to stay uniform.
const CHAIN_CAP: u64 = 8;

/// A uniformly drawn key of a non-empty table: a random bucket, then a random position among
/// [`CHAIN_CAP`], retried when the bucket has no element there. Each element has the same
/// chance per try (one in `buckets × CHAIN_CAP`); the table keeps at most one element per
/// bucket on average, so chains longer than the cap (whose tail would be out of reach, and
/// are then drawn from as a whole) are vanishingly rare. After many misses (a table emptied
/// far below its size) it settles for any element of a non-empty bucket.
fn fair_random(dict: &Dict<()>, rng: &mut Rng) -> Option<Vec<u8>> {
    if dict.is_empty() {
        return None;
    }
    let buckets = dict.buckets() as u64;
    for _ in 0..1000 {
        let mut chain = Vec::new();
        dict.scan(rng.below(buckets), |id, _, ()| chain.push(id));
        let len = chain.len() as u64;
        let pick = rng.below(CHAIN_CAP.max(len));
        if let Some((key, ())) = usize::try_from(pick)
            .ok()
            .and_then(|i| chain.get(i))
            .and_then(|&id| dict.slot(id))
        {
            return Some(key.to_vec());
        }
    }
    dict.random(rng)
        .and_then(|id| dict.slot(id))
        .map(|(key, ())| key.to_vec())
}

impl PartialEq for SetValue {
    /// Same encoding and same members.
    fn eq(&self, other: &Self) -> bool {
        match (&self.repr, &other.repr) {
            (Repr::Intset { members: a, .. }, Repr::Intset { members: b, .. }) => a == b,
            (Repr::Hashtable(a), Repr::Hashtable(b)) => {
                a.len() == b.len() && a.iter().all(|(k, ())| b.contains(k))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn members(set: &SetValue) -> Vec<String> {
        set.iter()
            .map(|m| String::from_utf8_lossy(&m).into_owned())
            .collect()
    }

    #[test]
    fn intsets_stay_sorted_and_convert_once() {
        let mut set = SetValue::for_member(b"5");
        for m in ["5", "-3", "100", "5", "-9223372036854775808", "0"] {
            set.add(m.as_bytes(), 512);
        }
        assert_eq!(set.encoding_name(), "intset");
        assert_eq!(
            members(&set),
            ["-9223372036854775808", "-3", "0", "5", "100"]
        );
        for not_int in [
            "-0",
            "+1",
            "01",
            " 1",
            "1 ",
            "",
            "9223372036854775808",
            "1.0",
        ] {
            assert!(!set.contains(not_int.as_bytes()), "{not_int:?}");
            assert!(!set.remove(not_int.as_bytes()), "{not_int:?}");
        }
        assert!(set.add(b"x", 512));
        assert_eq!(set.encoding_name(), "hashtable");
        assert_eq!(set.len(), 6);
        assert!(set.contains(b"-3") && set.contains(b"x"));
        set.remove(b"x");
        assert_eq!(set.encoding_name(), "hashtable", "never back to an intset");
    }

    #[test]
    fn the_entry_limit_converts_past_it() {
        let mut set = SetValue::intset();
        for i in 0..4 {
            set.add(i.to_string().as_bytes(), 4);
        }
        assert!(set.is_intset());
        assert!(!set.add(b"3", 4), "a duplicate changes nothing");
        assert!(set.is_intset());
        set.add(b"4", 4);
        assert_eq!(set.encoding_name(), "hashtable");
        let mut zero = SetValue::for_member(b"1");
        zero.add(b"1", 0);
        assert_eq!(zero.encoding_name(), "hashtable");
        assert_eq!(
            SetValue::from_members([&b"a"[..], b"1"], 512).encoding_name(),
            "hashtable"
        );
    }

    #[test]
    fn intset_blobs_keep_their_widest_encoding() {
        let mut set = SetValue::intset();
        set.add(b"1", 512);
        set.add(b"-2", 512);
        assert_eq!(
            set.intset_blob(),
            Some(vec![2, 0, 0, 0, 2, 0, 0, 0, 0xfe, 0xff, 1, 0])
        );
        set.add(b"70000", 512);
        set.remove(b"70000");
        assert_eq!(
            set.intset_blob(),
            Some(vec![
                4, 0, 0, 0, 2, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 1, 0, 0, 0
            ])
        );
        set.add(b"9223372036854775807", 512);
        let blob = set.intset_blob().expect("an intset");
        assert_eq!(blob.len(), 8 + 3 * 8);
        assert_eq!(blob.first(), Some(&8));
    }

    #[test]
    fn random_members_are_uniform_in_both_encodings() {
        let mut rng = Rng::new(7);
        for set in [
            SetValue::from_members(
                (0..40)
                    .map(|i| i.to_string().into_bytes())
                    .collect::<Vec<_>>()
                    .iter()
                    .map(Vec::as_slice),
                512,
            ),
            SetValue::from_members(
                (0..40)
                    .map(|i| format!("m{i}").into_bytes())
                    .collect::<Vec<_>>()
                    .iter()
                    .map(Vec::as_slice),
                512,
            ),
        ] {
            let mut counts: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
            for _ in 0..40_000 {
                let m = set.random(&mut rng).expect("non-empty");
                assert!(set.contains(&m));
                *counts.entry(m).or_default() += 1;
            }
            assert_eq!(counts.len(), 40, "every member drawn");
            // 1000 expected each; a binomial deviation beyond 20 % is far outside chance.
            for (m, n) in counts {
                assert!((800..1200).contains(&n), "{m:?} drawn {n} times");
            }
        }
        assert_eq!(SetValue::intset().random(&mut rng), None);
    }

    #[test]
    fn random_draws_survive_a_table_emptied_far_below_its_size() {
        let mut set = SetValue::from_members([&b"a"[..]], 512);
        let mut rng = Rng::new(3);
        for i in 0..5000 {
            set.add(format!("k{i}").as_bytes(), 512);
        }
        for i in 0..5000 {
            set.remove(format!("k{i}").as_bytes());
        }
        assert_eq!(set.random(&mut rng), Some(b"a".to_vec()));
    }
}
