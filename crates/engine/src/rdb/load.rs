//! Loading values (`rdbLoadObject`): every type byte Redis 7.0 reads, each value given the
//! encoding Redis gives it on load.
//!
//! | type | read as | encoding after load |
//! |---|---|---|
//! | `STRING` | a string | `int`, `embstr` or `raw` (`tryObjectEncoding`) |
//! | `LIST`, `LIST_ZIPLIST`, `LIST_QUICKLIST`, `LIST_QUICKLIST_2` | elements; ziplist or listpack nodes, or plain nodes (one element each) | `quicklist` |
//! | `SET` | members | `intset` while every member is an integer and there are at most `set-max-intset-entries`, else `hashtable` |
//! | `SET_INTSET` | an intset blob | `intset`, `hashtable` past `set-max-intset-entries` |
//! | `ZSET`, `ZSET_2` | member and score (text or binary double) | `listpack` when the count and the longest member fit the `zset-max-listpack-*` limits, else `skiplist` |
//! | `ZSET_ZIPLIST`, `ZSET_LISTPACK` | a ziplist or listpack of pairs | `listpack`, `skiplist` past `zset-max-listpack-entries` (member sizes are not checked) |
//! | `HASH` | field and value | `hashtable` past `hash-max-listpack-entries` or with a field or value longer than `hash-max-listpack-value`, else `listpack` |
//! | `HASH_ZIPMAP` | a zipmap | as `HASH` |
//! | `HASH_ZIPLIST`, `HASH_LISTPACK` | a ziplist or listpack of pairs | `listpack`, `hashtable` past `hash-max-listpack-entries` (sizes are not checked) |
//! | `STREAM_LISTPACKS`, `STREAM_LISTPACKS_2` | nodes, counters, groups | `stream` |
//!
//! Module values (`MODULE`, `MODULE_2`) are refused, as by a Redis without the module; `SET_LISTPACK`
//! (20) arrived in Redis 7.2 and is an unknown type to 7.0.
//!
//! Redis 7.0 runs with `sanitize-dump-payload no` by default: it checks only the headers of
//! the listpacks and intsets it loads, and trusts their contents. This engine reads every value
//! into its own structures, so it checks everything, and refuses (RESTORE answers `Bad data
//! format`) some payloads Redis would accept and then misbehave on or crash with:
//! - a listpack or intset broken inside (Redis fails later, when it walks it);
//! - duplicate fields in a hash (listpack or not: a listpack with duplicates crashes Redis when
//!   it converts it), duplicate or unordered members in an intset or a sorted-set listpack or
//!   ziplist, a sorted-set listpack score that is not a number, an odd number of elements in a
//!   hash or sorted-set listpack;
//! - the stream inconsistencies listed at [`Stream::load_rdb`].
//!
//! An empty collection is [`LoadError::EmptyKey`]: RESTORE refuses it, a file load skips the key.
//!
//! Values keep their contents, not their bytes: where Redis keeps a loaded listpack or quicklist
//! as it came (a list's node layout and plain nodes, entries stored in forms its own writer
//! would not choose, like a score written as the text `2.0`), DUMP here writes the canonical
//! form Redis writes for the same contents, and ZSCAN shows such a score as the number.

use std::collections::HashSet;

use super::listpack::{self, Element};
use super::{LoadError, Reader, rdb_type, ziplist};
use crate::config::Config;
use crate::cstr::strtod_prefix;
use crate::keyspace::Value;
use crate::keyspace::dict::Dict;
use crate::keyspace::hash::Hash;
use crate::keyspace::list::List;
use crate::keyspace::set::SetValue;
use crate::keyspace::stream::Stream;
use crate::keyspace::value::StrValue;
use crate::keyspace::zset::{Limits, ZSet};

/// Redis's `QUICKLIST_NODE_CONTAINER_PLAIN`: a node holding one element as it is.
const CONTAINER_PLAIN: u64 = 1;
/// Redis's `QUICKLIST_NODE_CONTAINER_PACKED`: a node holding a listpack.
const CONTAINER_PACKED: u64 = 2;

fn corrupt(why: &'static str) -> LoadError {
    LoadError::Corrupt(why)
}

impl Reader<'_> {
    /// Reads a value body of type `t` (`rdbLoadObject`), encoded as Redis would encode it under
    /// `config`'s thresholds (a list takes its `list-max-listpack-size`).
    pub fn load_object(&mut self, t: u8, config: &Config) -> Result<Value, LoadError> {
        let mut value = self.load_object_body(t, config)?;
        // Redis presizes the hash tables it loads (`dictTryExpand`): none is being rehashed.
        match &mut value {
            Value::List(list) => list.set_fill(config.list_max_listpack_size),
            Value::Set(set) => set.hashtable().into_iter().for_each(Dict::settle),
            Value::Hash(hash) => hash.table().into_iter().for_each(Dict::settle),
            Value::ZSet(zset) => zset.dict().into_iter().for_each(Dict::settle),
            Value::String(_) | Value::Stream(_) => {}
        }
        Ok(value)
    }

    fn load_object_body(&mut self, t: u8, config: &Config) -> Result<Value, LoadError> {
        match t {
            rdb_type::STRING => Ok(Value::String(StrValue::new(self.load_string()?))),
            rdb_type::LIST => self.load_list_of_strings(),
            rdb_type::LIST_QUICKLIST | rdb_type::LIST_QUICKLIST_2 => {
                self.load_quicklist(t == rdb_type::LIST_QUICKLIST_2)
            }
            rdb_type::LIST_ZIPLIST => {
                let blob = self.load_string()?;
                let elements = ziplist::decode(&blob)?;
                non_empty(elements.len() as u64)?;
                Ok(Value::List(List::from_elements(
                    elements.into_iter().map(Element::to_vec),
                )))
            }
            rdb_type::SET => self.load_set(config),
            rdb_type::SET_INTSET => {
                let blob = self.load_string()?;
                let mut set = intset(&blob)?;
                if set.len() > config.set_max_intset_entries {
                    set.convert_to_hashtable();
                }
                Ok(Value::Set(set))
            }
            rdb_type::ZSET | rdb_type::ZSET_2 => self.load_zset(t == rdb_type::ZSET_2, config),
            rdb_type::ZSET_ZIPLIST | rdb_type::ZSET_LISTPACK => {
                let blob = self.load_string()?;
                let elements = if t == rdb_type::ZSET_LISTPACK {
                    listpack::decode(&blob)?
                } else {
                    ziplist::decode(&blob)?
                };
                let mut z = zset_from_pairs(&elements)?;
                if z.len() > config.zset_max_listpack_entries {
                    z.convert_to_skiplist();
                }
                Ok(Value::ZSet(z))
            }
            rdb_type::HASH => self.load_hash(config),
            rdb_type::HASH_ZIPMAP => {
                let blob = self.load_string()?;
                let pairs: Vec<(Vec<u8>, Vec<u8>)> = ziplist::decode_zipmap(&blob)?
                    .into_iter()
                    .map(|(f, v)| (f.to_vec(), v.to_vec()))
                    .collect();
                Ok(Value::Hash(hash_from_pairs(pairs, config, true)?))
            }
            rdb_type::HASH_ZIPLIST | rdb_type::HASH_LISTPACK => {
                let blob = self.load_string()?;
                let elements = if t == rdb_type::HASH_LISTPACK {
                    listpack::decode(&blob)?
                } else {
                    ziplist::decode(&blob)?
                };
                let (pairs, rest) = elements.as_chunks::<2>();
                if !rest.is_empty() {
                    return Err(corrupt("odd number of hash elements"));
                }
                let pairs = pairs
                    .iter()
                    .map(|[f, v]| (f.to_vec(), v.to_vec()))
                    .collect();
                Ok(Value::Hash(hash_from_pairs(pairs, config, false)?))
            }
            rdb_type::STREAM_LISTPACKS | rdb_type::STREAM_LISTPACKS_2 => Ok(Value::Stream(
                Box::new(Stream::load_rdb(self, t == rdb_type::STREAM_LISTPACKS_2)?),
            )),
            t if rdb_type::is_object_type(t) => Err(LoadError::Unsupported(t)),
            t => Err(LoadError::UnknownType(t)),
        }
    }

    /// `LIST`: a count, then each element.
    fn load_list_of_strings(&mut self) -> Result<Value, LoadError> {
        let len = self.load_len()?;
        non_empty(len)?;
        let mut items = Vec::new();
        for _ in 0..len {
            items.push(self.load_string()?);
        }
        Ok(Value::List(List::from_elements(items)))
    }

    /// `LIST_QUICKLIST` (ziplist nodes) and `LIST_QUICKLIST_2` (each node's container, then a
    /// listpack or a plain element). Empty packed nodes are skipped, as Redis skips them; an
    /// empty node string is an error.
    fn load_quicklist(&mut self, v2: bool) -> Result<Value, LoadError> {
        let nodes = self.load_len()?;
        non_empty(nodes)?;
        let mut items = Vec::new();
        for _ in 0..nodes {
            let container = if v2 {
                self.load_len()?
            } else {
                CONTAINER_PACKED
            };
            if container != CONTAINER_PACKED && container != CONTAINER_PLAIN {
                return Err(corrupt("quicklist integrity check failed"));
            }
            let data = self.load_string()?;
            if data.is_empty() {
                return Err(corrupt("empty quicklist node"));
            }
            if container == CONTAINER_PLAIN {
                items.push(data);
                continue;
            }
            let elements = if v2 {
                listpack::decode(&data)?
            } else {
                ziplist::decode(&data)?
            };
            items.extend(elements.into_iter().map(Element::to_vec));
        }
        non_empty(items.len() as u64)?;
        Ok(Value::List(List::from_elements(items)))
    }

    /// `SET`: a count, then each member. Redis starts an intset when the count is within
    /// `set-max-intset-entries` and turns it into a hashtable at the first member that is not an
    /// integer.
    fn load_set(&mut self, config: &Config) -> Result<Value, LoadError> {
        let len = self.load_len()?;
        non_empty(len)?;
        let max = config.set_max_intset_entries.min(1 << 30);
        let fits = usize::try_from(len).is_ok_and(|n| n <= max);
        let mut set = if fits {
            SetValue::intset()
        } else {
            SetValue::new_hashtable()
        };
        for _ in 0..len {
            let member = self.load_string()?;
            // Within the count, adding never converts by size: only a non-integer does.
            if !set.add(&member, usize::MAX) {
                return Err(corrupt("duplicate set members"));
            }
        }
        Ok(Value::Set(set))
    }

    /// `ZSET` (scores as text) and `ZSET_2` (binary doubles): loaded as a skiplist, then made a
    /// listpack when it fits (`zsetConvert` after loading).
    fn load_zset(&mut self, binary: bool, config: &Config) -> Result<Value, LoadError> {
        let len = self.load_len()?;
        non_empty(len)?;
        let mut items = Vec::new();
        let mut seen = HashSet::new();
        for _ in 0..len {
            let member = self.load_string()?;
            let score = if binary {
                f64::from_le_bytes(self.read_array()?)
            } else {
                self.load_text_double()?
            };
            if score.is_nan() {
                return Err(corrupt("sorted set score is NaN"));
            }
            if !seen.insert(member.clone()) {
                return Err(corrupt("duplicate sorted set members"));
            }
            items.push((member, score));
        }
        Ok(Value::ZSet(ZSet::from_items(items, Limits::of(config))))
    }

    /// A double as RDB versions before 8 wrote it (`rdbLoadDoubleValue`): a length byte (253
    /// NaN, 254 +inf, 255 -inf) then that much text, read as `sscanf("%lg")` reads it.
    fn load_text_double(&mut self) -> Result<f64, LoadError> {
        match self.read_u8()? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            n => {
                let text = self.read_exact(usize::from(n))?;
                match strtod_prefix(text) {
                    (_, 0) => Err(corrupt("bad double text")),
                    (value, _) => Ok(value),
                }
            }
        }
    }

    /// `HASH`: a count, then each field and value.
    fn load_hash(&mut self, config: &Config) -> Result<Value, LoadError> {
        let len = self.load_len()?;
        non_empty(len)?;
        let mut pairs = Vec::new();
        for _ in 0..len {
            let field = self.load_string()?;
            let value = self.load_string()?;
            pairs.push((field, value));
        }
        Ok(Value::Hash(hash_from_pairs(pairs, config, true)?))
    }
}

/// `Ok` unless a collection's count is 0.
fn non_empty(n: u64) -> Result<(), LoadError> {
    if n == 0 {
        Err(LoadError::EmptyKey)
    } else {
        Ok(())
    }
}

/// A hash of distinct `pairs`: a hashtable past `hash-max-listpack-entries`, or, when
/// `check_sizes` (the `HASH` and zipmap forms), with a field or value longer than
/// `hash-max-listpack-value`; else a listpack in the pairs' order.
fn hash_from_pairs(
    pairs: Vec<(Vec<u8>, Vec<u8>)>,
    config: &Config,
    check_sizes: bool,
) -> Result<Hash, LoadError> {
    if pairs.is_empty() {
        return Err(LoadError::EmptyKey);
    }
    let mut fields: HashSet<&[u8]> = HashSet::new();
    if !pairs.iter().all(|(f, _)| fields.insert(f)) {
        return Err(corrupt("duplicate hash fields"));
    }
    let max = config.hash_max_listpack_value;
    let too_long = check_sizes && pairs.iter().any(|(f, v)| f.len() > max || v.len() > max);
    let many = pairs.len() > config.hash_max_listpack_entries;
    let mut hash = Hash::from_listpack_pairs(pairs);
    if many || too_long {
        hash.convert_to_table();
    }
    Ok(hash)
}

/// A listpack-encoded sorted set from member, score, member, score… elements (a listpack or a
/// converted ziplist): members distinct, in order, scores numbers.
fn zset_from_pairs(elements: &[Element<'_>]) -> Result<ZSet, LoadError> {
    let (pairs, rest) = elements.as_chunks::<2>();
    if !rest.is_empty() {
        return Err(corrupt("odd number of sorted set elements"));
    }
    non_empty(pairs.len() as u64)?;
    let mut items = Vec::with_capacity(pairs.len());
    for [member, score] in pairs {
        let score = match *score {
            #[allow(clippy::cast_precision_loss)] // as Redis converts it
            Element::Int(n) => n as f64,
            Element::Bytes(text) => listpack_score(text)?,
        };
        items.push((member.to_vec(), score));
    }
    ZSet::from_listpack_items(items).ok_or(corrupt("sorted set listpack out of order"))
}

/// A score stored as text in a listpack (`zzlStrtod`): the whole text must read as a number.
/// (Redis reads the longest prefix, or 0, and so accepts any text.)
fn listpack_score(text: &[u8]) -> Result<f64, LoadError> {
    match strtod_prefix(text) {
        (value, used) if used == text.len() && used > 0 && !value.is_nan() => Ok(value),
        _ => Err(corrupt("sorted set score is not a number")),
    }
}

/// An intset blob: encoding width (2, 4 or 8) and count as `u32` LE, then the members in that
/// width, little-endian. Redis (without deep sanitization) checks the width, the size and that
/// it is not empty; the members must also be strictly ascending here.
fn intset(blob: &[u8]) -> Result<SetValue, LoadError> {
    let bad = corrupt("intset integrity check failed");
    let word = |at: usize| -> Option<usize> {
        let bytes = <[u8; 4]>::try_from(blob.get(at..at + 4)?).ok()?;
        usize::try_from(u32::from_le_bytes(bytes)).ok()
    };
    let width = word(0).ok_or(bad)?;
    let count = word(4).ok_or(bad)?;
    if !matches!(width, 2 | 4 | 8)
        || count == 0
        || count.checked_mul(width).and_then(|n| n.checked_add(8)) != Some(blob.len())
    {
        return Err(bad);
    }
    let mut members = Vec::with_capacity(count);
    for chunk in blob.get(8..).unwrap_or_default().chunks_exact(width) {
        let mut bytes = [0u8; 8];
        bytes.get_mut(..width).ok_or(bad)?.copy_from_slice(chunk);
        // Sign-extend from the stored width.
        let shift = 64 - 8 * width as u32;
        let n = (i64::from_le_bytes(bytes) << shift) >> shift;
        if members.last().is_some_and(|&last| n <= last) {
            return Err(bad);
        }
        members.push(n);
    }
    // `width` is 2, 4 or 8.
    Ok(SetValue::from_intset(members, width as u8))
}
