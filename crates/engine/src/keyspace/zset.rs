//! Sorted sets: unique members (byte strings) with a double score each, ordered by score, then
//! by member bytes for equal scores, in Redis 7.0's two encodings.
//!
//! - `listpack` (small sets): the pairs in order in one vector. Redis stores each score in its
//!   listpack as an integer when it is one (so `-0` becomes `0`) and otherwise as `%.17g` text,
//!   which reads back exactly; ZSCAN shows that stored form ([`listpack_score_text`]).
//! - `skiplist` (past `zset-max-listpack-entries` members or a member longer than
//!   `zset-max-listpack-value` bytes): an ordered set of `(score, member)` for order and ranges,
//!   with a [`Dict`] from member to score for lookups and ZSCAN's cursor. Scores keep their exact
//!   bits, `-0` included. The conversion is one-way, as in Redis.
//!
//! Scores never hold NaN; `-0` and `0` compare equal, as C's `<` and `==` compare them, so two
//! members scored `0` and `-0` are ordered by their bytes. Rank queries walk the ordered set
//! from its nearer end (Redis's skiplist answers them in O(log n); sets in a playground are
//! small enough for the difference not to matter).
//!
//! Lexicographic ranges follow the listpack's linear walk (first member at or past the minimum,
//! then on while at or before the maximum). On a skiplist whose scores are all equal (the case
//! the commands are documented for) the start is found by a search in the ordered set; with
//! mixed scores Redis's skiplist answer depends on its random node levels, and the listpack's
//! walk is the one reproducible answer, so both encodings give it here.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::collections::btree_set;
use std::ops::Bound;

use crate::config::Config;
use crate::keyspace::Dict;
use crate::num::format_double;
use crate::rng::Rng;

/// A score as sorted sets order it: by value, `-0` equal to `0`. Scores are never NaN (a NaN
/// would compare equal to everything, which no caller lets happen).
#[derive(Debug, Clone, Copy)]
pub struct Score(pub f64);

impl PartialEq for Score {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.partial_cmp(&other.0).unwrap_or(Ordering::Equal)
    }
}

/// One element: its member and score.
pub type Item<'a> = (&'a [u8], f64);

/// The orderable key of the skiplist encoding.
type Key = (Score, Vec<u8>);

/// The encoding thresholds, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `zset-max-listpack-entries`.
    pub max_entries: usize,
    /// `zset-max-listpack-value`.
    pub max_value: usize,
}

impl Limits {
    /// The thresholds in force.
    pub fn of(config: &Config) -> Self {
        Limits {
            max_entries: config.zset_max_listpack_entries,
            max_value: config.zset_max_listpack_value,
        }
    }

    /// Whether a set of `len` members, the longest `max_len` bytes, fits a listpack.
    fn fit(self, len: usize, max_len: usize) -> bool {
        len <= self.max_entries && max_len <= self.max_value
    }
}

/// ZADD's options, as `zsetAdd` reads them.
// Independent switches, as Redis's ZADD_IN_* bits.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddFlags {
    /// Only add new members.
    pub nx: bool,
    /// Only update existing members.
    pub xx: bool,
    /// Update only to a greater score.
    pub gt: bool,
    /// Update only to a lower score.
    pub lt: bool,
    /// Add the score to the current one (0 for a new member).
    pub incr: bool,
}

/// What [`ZSet::add`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// A new member, with its score.
    Added(f64),
    /// An existing member's score changed to this one.
    Updated(f64),
    /// An existing member was processed but kept its score (this one).
    Unchanged(f64),
    /// Nothing was done because of NX, XX, GT or LT.
    Skipped,
}

/// The increment of `ZADD INCR`/`ZINCRBY` gave NaN (`inf` plus `-inf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

/// A score interval, as `zslParseRange` reads `min` and `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    /// Lower end.
    pub min: f64,
    /// Upper end.
    pub max: f64,
    /// Whether `min` itself is excluded (`(min`).
    pub min_ex: bool,
    /// Whether `max` itself is excluded (`(max`).
    pub max_ex: bool,
}

impl ScoreRange {
    /// Parses `min` and `max`: a number as C's `strtod` reads it (leading blanks, hex, `inf`;
    /// the argument ends at its first NUL byte), optionally after `(` for an open end. Nothing
    /// may follow the number, and NaN is refused; `None` is Redis's `min or max is not a float`.
    /// An empty argument (or a lone `(`) reads as 0, as `strtod` leaves it.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<Self> {
        let (min, min_ex) = parse_score_bound(min)?;
        let (max, max_ex) = parse_score_bound(max)?;
        Some(ScoreRange {
            min,
            max,
            min_ex,
            max_ex,
        })
    }

    /// Whether a score is past the lower end (`zslValueGteMin`).
    pub fn above_min(&self, score: f64) -> bool {
        if self.min_ex {
            score > self.min
        } else {
            score >= self.min
        }
    }

    /// Whether a score is before the upper end (`zslValueLteMax`).
    pub fn below_max(&self, score: f64) -> bool {
        if self.max_ex {
            score < self.max
        } else {
            score <= self.max
        }
    }

    /// Whether no score can be in the range.
    #[allow(clippy::float_cmp)] // exact, as Redis compares
    fn is_void(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_ex || self.max_ex))
    }

    /// The range as bounds over the skiplist's keys; `None` when it is void.
    fn key_bounds(&self) -> Option<(Bound<Key>, Bound<Key>)> {
        if self.is_void() {
            return None;
        }
        // A score above `min` is one at or above the next double; an empty member sorts first
        // among equal scores, so (score, "") bounds every member of that score from below.
        let low = if self.min_ex {
            if self.min == f64::INFINITY {
                return None;
            }
            Bound::Included((Score(self.min.next_up()), Vec::new()))
        } else {
            Bound::Included((Score(self.min), Vec::new()))
        };
        let high = if self.max_ex {
            Bound::Excluded((Score(self.max), Vec::new()))
        } else if self.max == f64::INFINITY {
            Bound::Unbounded
        } else {
            Bound::Excluded((Score(self.max.next_up()), Vec::new()))
        };
        bounds_ordered(&low, &high).then_some((low, high))
    }
}

/// One end of a score range: the number and whether it is open.
fn parse_score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    let (open, body) = match arg.split_first() {
        Some((b'(', rest)) => (true, rest),
        _ => (false, arg),
    };
    let text = crate::cstr::c_str(body);
    let (value, used) = crate::cstr::strtod_prefix(text);
    // When strtod reads nothing its end pointer is the start: only an empty string ends there.
    let whole = if used == 0 {
        text.is_empty()
    } else {
        used == text.len()
    };
    (whole && !value.is_nan()).then_some((value, open))
}

/// One end of a lexicographic range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexItem {
    /// `-`: before every string.
    Least,
    /// `+`: after every string.
    Greatest,
    /// A string given after `[` or `(`.
    Bytes(Vec<u8>),
}

/// A lexicographic interval, as `zslParseLexRange` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    /// Lower end.
    pub min: LexItem,
    /// Upper end.
    pub max: LexItem,
    /// Whether `min` is excluded (always for `-` and `+`).
    pub min_ex: bool,
    /// Whether `max` is excluded (always for `-` and `+`).
    pub max_ex: bool,
}

impl LexRange {
    /// Parses `min` and `max`: `-`, `+` (nothing may follow them but a NUL byte), `[bytes`
    /// (inclusive) or `(bytes` (exclusive), binary-safe. `None` is Redis's `min or max not valid
    /// string range item`.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<Self> {
        let (min, min_ex) = parse_lex_item(min)?;
        let (max, max_ex) = parse_lex_item(max)?;
        Some(LexRange {
            min,
            max,
            min_ex,
            max_ex,
        })
    }

    /// Whether a member is past the lower end.
    pub fn above_min(&self, member: &[u8]) -> bool {
        let ord = compare_lex(&LexRef::Bytes(member), &self.min.as_ref());
        if self.min_ex {
            ord == Ordering::Greater
        } else {
            ord != Ordering::Less
        }
    }

    /// Whether a member is before the upper end.
    pub fn below_max(&self, member: &[u8]) -> bool {
        let ord = compare_lex(&LexRef::Bytes(member), &self.max.as_ref());
        if self.max_ex {
            ord == Ordering::Less
        } else {
            ord != Ordering::Greater
        }
    }

    /// Whether no member can be in the range.
    fn is_void(&self) -> bool {
        let ord = compare_lex(&self.min.as_ref(), &self.max.as_ref());
        ord == Ordering::Greater || (ord == Ordering::Equal && (self.min_ex || self.max_ex))
    }
}

fn parse_lex_item(arg: &[u8]) -> Option<(LexItem, bool)> {
    let rest = arg.get(1..).unwrap_or_default();
    // Redis looks at the byte after `+`/`-` in a NUL-terminated buffer.
    let alone = rest.first().is_none_or(|&b| b == 0);
    match arg.first() {
        Some(b'+') if alone => Some((LexItem::Greatest, true)),
        Some(b'-') if alone => Some((LexItem::Least, true)),
        Some(b'(') => Some((LexItem::Bytes(rest.to_vec()), true)),
        Some(b'[') => Some((LexItem::Bytes(rest.to_vec()), false)),
        _ => None,
    }
}

/// A borrowed [`LexItem`] (members compare as `Bytes`).
#[derive(Debug, Clone, Copy)]
enum LexRef<'a> {
    Least,
    Greatest,
    Bytes(&'a [u8]),
}

impl LexItem {
    fn as_ref(&self) -> LexRef<'_> {
        match self {
            LexItem::Least => LexRef::Least,
            LexItem::Greatest => LexRef::Greatest,
            LexItem::Bytes(b) => LexRef::Bytes(b),
        }
    }
}

/// Redis's `sdscmplex`: `-` before and `+` after every string (each equal to itself), strings
/// by their bytes.
fn compare_lex(a: &LexRef<'_>, b: &LexRef<'_>) -> Ordering {
    match (a, b) {
        (LexRef::Least, LexRef::Least) | (LexRef::Greatest, LexRef::Greatest) => Ordering::Equal,
        (LexRef::Least, _) | (_, LexRef::Greatest) => Ordering::Less,
        (LexRef::Greatest, _) | (_, LexRef::Least) => Ordering::Greater,
        (LexRef::Bytes(x), LexRef::Bytes(y)) => x.cmp(y),
    }
}

/// Whether `BTreeSet::range` accepts these bounds (it panics when the start is after the end,
/// or when both are excluded and equal).
fn bounds_ordered(low: &Bound<Key>, high: &Bound<Key>) -> bool {
    match (low, high) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => true,
        (Bound::Excluded(a), Bound::Excluded(b)) => a < b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
            a <= b
        }
    }
}

/// The text a listpack holds for a score (`zzlInsertAt`): the integer when the double is one
/// within ±2^62 (`double2ll`; `-0` is the integer 0), otherwise `%.17g`.
pub fn listpack_score_text(score: f64) -> String {
    match double_to_i64(score) {
        Some(n) => n.to_string(),
        None => format_double(score),
    }
}

/// The integer a listpack stores for a score, when it stores one (see
/// [`listpack_score_text`]).
pub fn listpack_score_int(score: f64) -> Option<i64> {
    double_to_i64(score)
}

/// Redis's `double2ll`: the integer a double equals, when it lies within ±(2^63-1)/2.
#[allow(clippy::float_cmp)] // an exact round trip is the point
fn double_to_i64(d: f64) -> Option<i64> {
    // The bound is (LLONG_MAX/2) converted to a double, compared as Redis compares it.
    #[allow(clippy::cast_precision_loss)]
    let bound = (i64::MAX / 2) as f64;
    if !(-bound..=bound).contains(&d) {
        return None;
    }
    // In range, the cast cannot saturate.
    #[allow(clippy::cast_possible_truncation)]
    let n = d as i64;
    #[allow(clippy::cast_precision_loss)]
    let back = n as f64;
    (back == d).then_some(n)
}

/// The score a listpack stores and reads back: the same double, except that `-0` is stored as
/// the integer 0.
fn listpack_score(score: f64) -> f64 {
    if score == 0.0 { 0.0 } else { score }
}

/// The skiplist encoding: order and lookups.
#[derive(Debug, Clone, Default)]
struct Skiplist {
    order: BTreeSet<Key>,
    scores: Dict<f64>,
}

impl Skiplist {
    fn insert(&mut self, member: &[u8], score: f64) {
        self.order.insert((Score(score), member.to_vec()));
        self.scores.insert(member, score);
    }

    /// A member's new score, as `zslUpdateScore`: the node moves, the table entry stays (no
    /// lookup nor removal in the hash table beyond the one that found the member).
    fn update(&mut self, member: &[u8], old: f64, new: f64) {
        let mut key = (Score(old), member.to_vec());
        self.order.remove(&key);
        key.0 = Score(new);
        self.order.insert(key);
        if let Some((_, score)) = self
            .scores
            .find_again(member)
            .and_then(|id| self.scores.slot_mut(id))
        {
            *score = new;
        }
    }

    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let (_, score) = self.scores.remove(member)?;
        self.order.remove(&(Score(score), member.to_vec()));
        Some(score)
    }

    /// The key at a 0-based rank, walking from the nearer end.
    fn key_at(&self, rank: usize) -> Option<&Key> {
        let len = self.order.len();
        if rank >= len {
            None
        } else if rank <= len / 2 {
            self.order.iter().nth(rank)
        } else {
            self.order.iter().nth_back(len - 1 - rank)
        }
    }

    fn range(&self, low: Bound<&Key>, high: Bound<&Key>) -> btree_set::Range<'_, Key> {
        self.order.range::<Key, _>((low, high))
    }

    fn all(&self) -> btree_set::Range<'_, Key> {
        self.order.range::<Key, _>(..)
    }
}

#[derive(Debug, Clone)]
enum Repr {
    Listpack(Vec<(Vec<u8>, f64)>),
    Skiplist(Box<Skiplist>),
}

/// A sorted set value.
#[derive(Debug, Clone)]
pub struct ZSet {
    repr: Repr,
}

impl PartialEq for ZSet {
    /// Same encoding, same members in the same order with the same score bits.
    fn eq(&self, other: &Self) -> bool {
        self.encoding_name() == other.encoding_name()
            && self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((m1, s1), (m2, s2))| m1 == m2 && s1.to_bits() == s2.to_bits())
    }
}

impl Default for ZSet {
    fn default() -> Self {
        Self::new()
    }
}

/// Elements in order, forwards or backwards.
#[derive(Clone)]
pub struct Iter<'a> {
    inner: IterInner<'a>,
    reverse: bool,
}

#[derive(Clone)]
enum IterInner<'a> {
    Listpack(std::slice::Iter<'a, (Vec<u8>, f64)>),
    Skiplist(btree_set::Range<'a, Key>),
}

impl<'a> Iter<'a> {
    fn listpack(items: &'a [(Vec<u8>, f64)]) -> Self {
        Iter {
            inner: IterInner::Listpack(items.iter()),
            reverse: false,
        }
    }

    fn skiplist(range: btree_set::Range<'a, Key>) -> Self {
        Iter {
            inner: IterInner::Skiplist(range),
            reverse: false,
        }
    }

    fn empty() -> Self {
        Self::listpack(&[])
    }

    /// The same elements in the other direction when `reverse`.
    #[must_use]
    pub fn directed(mut self, reverse: bool) -> Self {
        self.reverse ^= reverse;
        self
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        match &mut self.inner {
            IterInner::Listpack(it) => {
                let (m, s) = if self.reverse {
                    it.next_back()
                } else {
                    it.next()
                }?;
                Some((m.as_slice(), *s))
            }
            IterInner::Skiplist(it) => {
                let (s, m) = if self.reverse {
                    it.next_back()
                } else {
                    it.next()
                }?;
                Some((m.as_slice(), s.0))
            }
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.reverse = !self.reverse;
        let item = self.next();
        self.reverse = !self.reverse;
        item
    }
}

impl ZSet {
    /// A copy as Redis's `zsetDup` makes it (COPY): a table sized for its members.
    #[must_use]
    pub fn duplicate(&self) -> Self {
        let mut copy = self.clone();
        if let Repr::Skiplist(list) = &mut copy.repr {
            list.scores.presize();
        }
        copy
    }

    /// An empty listpack-encoded set (the encoding ZADD creates, converted as it grows).
    pub fn new() -> Self {
        ZSet {
            repr: Repr::Listpack(Vec::new()),
        }
    }

    /// An empty skiplist-encoded set (what ZRANGESTORE starts from when it knows the result will
    /// not fit a listpack).
    pub fn new_skiplist() -> Self {
        ZSet {
            repr: Repr::Skiplist(Box::default()),
        }
    }

    /// A set holding `items` (distinct members, in any order), encoded as Redis encodes the
    /// result of ZUNIONSTORE, ZINTERSTORE and ZDIFFSTORE (`zsetConvertToListpackIfNeeded`): a
    /// listpack when the count and the longest member fit the limits, else a skiplist keeping
    /// every score exactly.
    pub fn from_items(mut items: Vec<(Vec<u8>, f64)>, limits: Limits) -> Self {
        let longest = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
        if limits.fit(items.len(), longest) {
            for item in &mut items {
                item.1 = listpack_score(item.1);
            }
            crate::qsort::sort_by(&mut items, |a, b| {
                (Score(a.1), &a.0).cmp(&(Score(b.1), &b.0))
            });
            ZSet {
                repr: Repr::Listpack(items),
            }
        } else {
            let mut list = Skiplist::default();
            for (member, score) in items {
                list.insert(&member, score);
            }
            ZSet {
                repr: Repr::Skiplist(Box::new(list)),
            }
        }
    }

    /// A listpack-encoded set holding `items` in this order, as an RDB listpack is loaded
    /// (whatever the sizes of its members); `None` unless they are in the set's order (score,
    /// then member bytes) with distinct members. A `-0` score reads back as `0`, as the
    /// listpack would store it.
    pub fn from_listpack_items(mut items: Vec<(Vec<u8>, f64)>) -> Option<Self> {
        let ordered = items
            .windows(2)
            .all(|w| matches!(w, [a, b] if (Score(a.1), &a.0) < (Score(b.1), &b.0)));
        let mut members: Vec<&[u8]> = items.iter().map(|(m, _)| m.as_slice()).collect();
        members.sort_unstable();
        let distinct = members.windows(2).all(|w| matches!(w, [a, b] if a != b));
        if !(ordered && distinct) || items.iter().any(|(_, s)| s.is_nan()) {
            return None;
        }
        for item in &mut items {
            item.1 = listpack_score(item.1);
        }
        Some(ZSet {
            repr: Repr::Listpack(items),
        })
    }

    /// Whether the set is listpack-encoded.
    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(items) => items.len(),
            Repr::Skiplist(list) => list.order.len(),
        }
    }

    /// Whether there is no member (such a set is never stored under a key).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name `OBJECT ENCODING` answers.
    pub fn encoding_name(&self) -> &'static str {
        match &self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Skiplist(_) => "skiplist",
        }
    }

    /// The score of a member.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Listpack(items) => items.iter().find(|(m, _)| m == member).map(|&(_, s)| s),
            Repr::Skiplist(list) => list.scores.get(member).copied(),
        }
    }

    /// Adds a member or updates its score, as `zsetAdd`: NaN is refused; NX skips existing
    /// members, XX new ones; INCR adds to the current score (a NaN sum is refused); GT and LT
    /// skip an update that does not raise or lower the score. A listpack becomes a skiplist
    /// before taking a member past the limits.
    #[allow(clippy::float_cmp)] // scores change only when they differ exactly, as in Redis
    pub fn add(
        &mut self,
        score: f64,
        member: &[u8],
        flags: AddFlags,
        limits: Limits,
    ) -> Result<Change, NotANumber> {
        if score.is_nan() {
            return Err(NotANumber);
        }
        if let Some(current) = self.score(member) {
            if flags.nx {
                return Ok(Change::Skipped);
            }
            let mut score = score;
            if flags.incr {
                score += current;
                if score.is_nan() {
                    return Err(NotANumber);
                }
            }
            if (flags.lt && score >= current) || (flags.gt && score <= current) {
                return Ok(Change::Skipped);
            }
            if score == current {
                return Ok(Change::Unchanged(score));
            }
            if let Repr::Skiplist(list) = &mut self.repr {
                list.update(member, current, score);
            } else {
                self.remove(member);
                self.insert_new(member, score);
            }
            return Ok(Change::Updated(score));
        }
        if flags.xx {
            return Ok(Change::Skipped);
        }
        if let Repr::Listpack(items) = &self.repr
            && (items.len() >= limits.max_entries || member.len() > limits.max_value)
        {
            self.convert_to_skiplist();
        }
        self.insert_new(member, score);
        Ok(Change::Added(score))
    }

    /// Inserts a member known to be absent, without any conversion.
    fn insert_new(&mut self, member: &[u8], score: f64) {
        match &mut self.repr {
            Repr::Listpack(items) => {
                let score = listpack_score(score);
                let at = items
                    .partition_point(|(m, s)| (Score(*s), m.as_slice()) < (Score(score), member));
                items.insert(at, (member.to_vec(), score));
            }
            Repr::Skiplist(list) => list.insert(member, score),
        }
    }

    /// Turns a listpack into a skiplist (a skiplist stays one).
    pub fn convert_to_skiplist(&mut self) {
        if let Repr::Listpack(items) = &mut self.repr {
            let mut list = Skiplist::default();
            for (member, score) in items.drain(..) {
                list.insert(&member, score);
            }
            self.repr = Repr::Skiplist(Box::new(list));
        }
    }

    /// Removes a member; answers whether it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(items) => match items.iter().position(|(m, _)| m == member) {
                Some(at) => {
                    items.remove(at);
                    true
                }
                None => false,
            },
            Repr::Skiplist(list) => list.remove(member).is_some(),
        }
    }

    /// The 0-based rank of a member, from the lowest score (or the highest, `reverse`).
    pub fn rank(&self, member: &[u8], reverse: bool) -> Option<usize> {
        let rank = match &self.repr {
            Repr::Listpack(items) => items.iter().position(|(m, _)| m == member)?,
            Repr::Skiplist(list) => {
                let score = *list.scores.get(member)?;
                let key = (Score(score), member.to_vec());
                list.range(Bound::Unbounded, Bound::Excluded(&key)).count()
            }
        };
        Some(if reverse {
            self.len().saturating_sub(rank + 1)
        } else {
            rank
        })
    }

    /// Every element, in order.
    pub fn iter(&self) -> Iter<'_> {
        match &self.repr {
            Repr::Listpack(items) => Iter::listpack(items),
            Repr::Skiplist(list) => Iter::skiplist(list.all()),
        }
    }

    /// The elements of ranks `start..=end` (0-based, from the lowest score; `end` is clamped to
    /// the last rank), in order.
    pub fn rank_range(&self, start: usize, end: usize) -> Iter<'_> {
        let len = self.len();
        if start >= len || start > end {
            return Iter::empty();
        }
        let end = end.min(len - 1);
        match &self.repr {
            Repr::Listpack(items) => Iter::listpack(items.get(start..=end).unwrap_or_default()),
            Repr::Skiplist(list) => match (list.key_at(start), list.key_at(end)) {
                (Some(first), Some(last)) => {
                    Iter::skiplist(list.range(Bound::Included(first), Bound::Included(last)))
                }
                _ => Iter::empty(),
            },
        }
    }

    /// The elements whose score is in `range`, in order.
    pub fn score_range(&self, range: &ScoreRange) -> Iter<'_> {
        match &self.repr {
            Repr::Listpack(items) => {
                if range.is_void() {
                    return Iter::empty();
                }
                let from = items.partition_point(|&(_, s)| !range.above_min(s));
                let to = items.partition_point(|&(_, s)| range.below_max(s));
                Iter::listpack(items.get(from..to).unwrap_or_default())
            }
            Repr::Skiplist(list) => match range.key_bounds() {
                Some((low, high)) => Iter::skiplist(list.range(low.as_ref(), high.as_ref())),
                None => Iter::empty(),
            },
        }
    }

    /// Where a lexicographic range starts, as `zzlFirstInLexRange` (or, `reverse`,
    /// `zzlLastInLexRange`) finds it: the elements from the first member at or past the
    /// minimum to the end of the set (or from the last member at or before the maximum back to
    /// the start), in that direction; nothing when that member is outside the range's other
    /// end, or when the last member is before the minimum or the first after the maximum.
    /// Callers stop at the range's other end (after skipping an offset, which Redis does
    /// without looking at members).
    pub fn lex_start(&self, range: &LexRange, reverse: bool) -> Iter<'_> {
        let (Some((first, _)), Some((last, _))) = (self.iter().next(), self.iter().next_back())
        else {
            return Iter::empty();
        };
        if range.is_void() || !range.above_min(last) || !range.below_max(first) {
            return Iter::empty();
        }
        let from_start = match &self.repr {
            Repr::Listpack(items) => {
                if reverse {
                    let Some(at) = items.iter().rposition(|(m, _)| range.below_max(m)) else {
                        return Iter::empty();
                    };
                    Iter::listpack(items.get(..=at).unwrap_or_default()).directed(true)
                } else {
                    let Some(at) = items.iter().position(|(m, _)| range.above_min(m)) else {
                        return Iter::empty();
                    };
                    Iter::listpack(items.get(at..).unwrap_or_default())
                }
            }
            Repr::Skiplist(list) => list.lex_start(range, reverse),
        };
        let Some((member, _)) = from_start.clone().next() else {
            return Iter::empty();
        };
        let inside = if reverse {
            range.above_min(member)
        } else {
            range.below_max(member)
        };
        if inside { from_start } else { Iter::empty() }
    }

    /// The members ZREMRANGEBYLEX removes, in order. A listpack's are those of
    /// [`ZSet::lex_start`] up to the maximum (`zzlDeleteRangeByLex`). A skiplist's walk
    /// (`zslDeleteRangeByLex`) makes no check of the set's ends first: it starts at the first
    /// member at or past the minimum and takes members up to the first past the maximum, which
    /// with mixed scores may take members outside the range, or some that `lex_start` would
    /// refuse. (Redis walks down its random levels to that first member; with mixed scores a
    /// higher level may skip it. The walk here is the level-0 one, Redis's most likely.)
    pub fn lex_removal(&self, range: &LexRange) -> Vec<Vec<u8>> {
        let start = match &self.repr {
            Repr::Listpack(_) => self.lex_start(range, false),
            Repr::Skiplist(list) => match list.order.iter().find(|(_, m)| range.above_min(m)) {
                Some(key) => Iter::skiplist(list.range(Bound::Included(key), Bound::Unbounded)),
                None => Iter::empty(),
            },
        };
        start
            .take_while(|(m, _)| range.below_max(m))
            .map(|(m, _)| m.to_vec())
            .collect()
    }

    /// Removes and answers the element with the lowest score (or the highest, `max`).
    pub fn pop(&mut self, max: bool) -> Option<(Vec<u8>, f64)> {
        match &mut self.repr {
            Repr::Listpack(items) => {
                if max {
                    items.pop()
                } else if items.is_empty() {
                    None
                } else {
                    Some(items.remove(0))
                }
            }
            Repr::Skiplist(list) => {
                let (score, member) = if max {
                    list.order.pop_last()?
                } else {
                    list.order.pop_first()?
                };
                list.scores.remove(&member);
                Some((member, score.0))
            }
        }
    }

    /// Removes the members listed; answers how many were there.
    pub fn remove_all<'m>(&mut self, members: impl IntoIterator<Item = &'m [u8]>) -> usize {
        members.into_iter().filter(|m| self.remove(m)).count()
    }

    /// A member picked at random, with its score (uniformly from a listpack; from a skiplist as
    /// Redis's `dictGetFairRandomKey` picks, through the dict's buckets).
    pub fn random(&self, rng: &mut Rng) -> Option<Item<'_>> {
        match &self.repr {
            Repr::Listpack(items) => {
                let at = usize::try_from(rng.below(items.len() as u64)).ok()?;
                items.get(at).map(|(m, s)| (m.as_slice(), *s))
            }
            Repr::Skiplist(list) => {
                let slot = list.scores.random(rng)?;
                list.scores.slot(slot).map(|(m, s)| (m, *s))
            }
        }
    }

    /// The member-to-score table ZSCAN walks with a cursor; `None` for a listpack, which ZSCAN
    /// returns whole.
    pub fn dict(&self) -> Option<&Dict<f64>> {
        match &self.repr {
            Repr::Listpack(_) => None,
            Repr::Skiplist(list) => Some(&list.scores),
        }
    }
}

impl Skiplist {
    /// [`ZSet::lex_start`] before its final check, for this encoding.
    fn lex_start(&self, range: &LexRange, reverse: bool) -> Iter<'_> {
        let first = self.order.first();
        let last = self.order.last();
        let (Some(first), Some(last)) = (first, last) else {
            return Iter::empty();
        };
        if first.0 == last.0 {
            // One score: members are in byte order, so the range's end is found by search.
            let score = first.0;
            let probe = |member: &[u8]| (score, member.to_vec());
            if reverse {
                let high = match &range.max {
                    LexItem::Greatest => Bound::Unbounded,
                    LexItem::Least => return Iter::empty(),
                    LexItem::Bytes(m) if range.max_ex => Bound::Excluded(probe(m)),
                    LexItem::Bytes(m) => Bound::Included(probe(m)),
                };
                Iter::skiplist(self.range(Bound::Unbounded, high.as_ref())).directed(true)
            } else {
                let low = match &range.min {
                    LexItem::Least => Bound::Unbounded,
                    LexItem::Greatest => return Iter::empty(),
                    LexItem::Bytes(m) if range.min_ex => Bound::Excluded(probe(m)),
                    LexItem::Bytes(m) => Bound::Included(probe(m)),
                };
                Iter::skiplist(self.range(low.as_ref(), Bound::Unbounded))
            }
        } else if reverse {
            match self.order.iter().rev().find(|(_, m)| range.below_max(m)) {
                Some(key) => Iter::skiplist(self.range(Bound::Unbounded, Bound::Included(key)))
                    .directed(true),
                None => Iter::empty(),
            }
        } else {
            match self.order.iter().find(|(_, m)| range.above_min(m)) {
                Some(key) => Iter::skiplist(self.range(Bound::Included(key), Bound::Unbounded)),
                None => Iter::empty(),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // scores are compared exactly on purpose
mod tests {
    use super::*;

    const SMALL: Limits = Limits {
        max_entries: 128,
        max_value: 64,
    };

    fn set(pairs: &[(f64, &str)], limits: Limits) -> ZSet {
        let mut z = ZSet::new();
        for &(s, m) in pairs {
            z.add(s, m.as_bytes(), AddFlags::default(), limits)
                .expect("not NaN");
        }
        z
    }

    fn names<'a>(it: impl Iterator<Item = Item<'a>>) -> Vec<String> {
        it.map(|(m, _)| String::from_utf8_lossy(m).into_owned())
            .collect()
    }

    fn members(it: Iter<'_>) -> Vec<String> {
        names(it)
    }

    fn both(pairs: &[(f64, &str)]) -> [ZSet; 2] {
        let listpack = set(pairs, SMALL);
        let mut skiplist = listpack.clone();
        skiplist.convert_to_skiplist();
        assert_eq!(listpack.encoding_name(), "listpack");
        assert_eq!(skiplist.encoding_name(), "skiplist");
        [listpack, skiplist]
    }

    #[test]
    fn scores_order_by_value_with_equal_zeros() {
        assert_eq!(Score(-0.0), Score(0.0));
        assert!(Score(f64::NEG_INFINITY) < Score(-1e308));
        assert!(Score(1e308) < Score(f64::INFINITY));
        assert!(Score(5e-324) > Score(-0.0));
        let mut keys = [(Score(0.0), b"b".to_vec()), (Score(-0.0), b"a".to_vec())];
        keys.sort();
        assert_eq!(keys[0].1, b"a", "ties at zero are ordered by member");
    }

    #[test]
    fn both_encodings_order_by_score_then_member() {
        let pairs = [
            (2.0, "b"),
            (1.0, "z"),
            (2.0, "a"),
            (f64::NEG_INFINITY, "m"),
            (0.0, "y"),
            (-0.0, "x"),
            (f64::INFINITY, "i"),
        ];
        for z in both(&pairs) {
            assert_eq!(members(z.iter()), ["m", "x", "y", "z", "a", "b", "i"]);
            assert_eq!(
                members(z.iter().directed(true)),
                ["i", "b", "a", "z", "y", "x", "m"]
            );
            assert_eq!(z.rank(b"a", false), Some(4));
            assert_eq!(z.rank(b"a", true), Some(2));
            assert_eq!(z.rank(b"nope", false), None);
            assert_eq!(members(z.rank_range(1, 3)), ["x", "y", "z"]);
            assert_eq!(members(z.rank_range(5, 100)), ["b", "i"]);
            assert_eq!(members(z.rank_range(7, 9)), Vec::<String>::new());
            assert_eq!(members(z.rank_range(3, 2)), Vec::<String>::new());
        }
    }

    #[test]
    fn listpacks_store_negative_zero_as_zero_and_skiplists_keep_it() {
        let mut lp = ZSet::new();
        lp.add(-0.0, b"a", AddFlags::default(), SMALL).expect("ok");
        assert!(lp.score(b"a").expect("present").is_sign_positive());
        let mut sl = ZSet::new();
        sl.add(-0.0, &[b'x'; 65], AddFlags::default(), SMALL)
            .expect("ok");
        assert_eq!(sl.encoding_name(), "skiplist");
        assert!(sl.score(&[b'x'; 65]).expect("present").is_sign_negative());
        // 0 and -0 are the same score: no update.
        assert_eq!(
            sl.add(0.0, &[b'x'; 65], AddFlags::default(), SMALL),
            Ok(Change::Unchanged(0.0))
        );
        assert!(sl.score(&[b'x'; 65]).expect("present").is_sign_negative());
    }

    #[test]
    fn listpack_score_text_is_what_the_listpack_holds() {
        assert_eq!(listpack_score_text(1.0), "1");
        assert_eq!(listpack_score_text(-0.0), "0");
        assert_eq!(listpack_score_text(1.5), "1.5");
        assert_eq!(listpack_score_text(0.1), "0.10000000000000001");
        assert_eq!(listpack_score_text(1e18), "1000000000000000000");
        assert_eq!(
            listpack_score_text(4_611_686_018_427_387_904.0),
            "4611686018427387904"
        );
        assert_eq!(
            listpack_score_text(9_223_372_036_854_775_808.0),
            "9.2233720368547758e+18"
        );
        assert_eq!(listpack_score_text(1e20), "1e+20");
        assert_eq!(listpack_score_text(f64::INFINITY), "inf");
        assert_eq!(listpack_score_text(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn add_follows_zset_add() {
        let nx = AddFlags {
            nx: true,
            ..AddFlags::default()
        };
        let xx = AddFlags {
            xx: true,
            ..AddFlags::default()
        };
        let gt = AddFlags {
            gt: true,
            ..AddFlags::default()
        };
        let lt_incr = AddFlags {
            lt: true,
            incr: true,
            ..AddFlags::default()
        };
        let incr = AddFlags {
            incr: true,
            ..AddFlags::default()
        };
        let mut z = ZSet::new();
        assert_eq!(z.add(f64::NAN, b"a", nx, SMALL), Err(NotANumber));
        assert_eq!(z.add(1.0, b"a", xx, SMALL), Ok(Change::Skipped));
        assert_eq!(z.add(1.0, b"a", nx, SMALL), Ok(Change::Added(1.0)));
        assert_eq!(z.add(5.0, b"a", nx, SMALL), Ok(Change::Skipped));
        assert_eq!(z.add(0.5, b"a", gt, SMALL), Ok(Change::Skipped));
        assert_eq!(z.add(3.0, b"a", gt, SMALL), Ok(Change::Updated(3.0)));
        assert_eq!(z.add(1.0, b"a", lt_incr, SMALL), Ok(Change::Skipped));
        assert_eq!(z.add(-1.0, b"a", lt_incr, SMALL), Ok(Change::Updated(2.0)));
        assert_eq!(z.add(0.0, b"a", incr, SMALL), Ok(Change::Unchanged(2.0)));
        assert_eq!(
            z.add(f64::INFINITY, b"a", incr, SMALL),
            Ok(Change::Updated(f64::INFINITY))
        );
        assert_eq!(z.add(f64::NEG_INFINITY, b"a", incr, SMALL), Err(NotANumber));
        assert_eq!(z.score(b"a"), Some(f64::INFINITY));
    }

    #[test]
    fn listpacks_convert_past_either_limit_and_never_back() {
        let limits = Limits {
            max_entries: 3,
            max_value: 4,
        };
        let mut z = set(&[(1.0, "a"), (2.0, "b"), (3.0, "c")], limits);
        assert_eq!(z.encoding_name(), "listpack");
        // Updating an existing member never converts.
        z.add(9.0, b"a", AddFlags::default(), limits).expect("ok");
        assert_eq!(z.encoding_name(), "listpack");
        z.add(4.0, b"d", AddFlags::default(), limits).expect("ok");
        assert_eq!(z.encoding_name(), "skiplist");
        z.remove(b"d");
        z.remove(b"c");
        assert_eq!(z.encoding_name(), "skiplist");
        let mut long = set(&[(1.0, "abcd")], limits);
        assert_eq!(long.encoding_name(), "listpack");
        long.add(1.0, b"abcde", AddFlags::default(), limits)
            .expect("ok");
        assert_eq!(long.encoding_name(), "skiplist");
        let none = Limits {
            max_entries: 0,
            max_value: 64,
        };
        assert_eq!(set(&[(1.0, "a")], none).encoding_name(), "skiplist");
        // Computed results: a listpack only when both limits hold.
        let items = |n: usize| (0..n).map(|i| (vec![b'a'; i + 1], 1.0)).collect::<Vec<_>>();
        assert_eq!(
            ZSet::from_items(items(3), limits).encoding_name(),
            "listpack"
        );
        assert_eq!(
            ZSet::from_items(items(4), limits).encoding_name(),
            "skiplist"
        );
        let mut wide = items(2);
        wide.push((b"abcde".to_vec(), 1.0));
        assert_eq!(ZSet::from_items(wide, limits).encoding_name(), "skiplist");
    }

    fn range(min: &str, max: &str) -> ScoreRange {
        ScoreRange::parse(min.as_bytes(), max.as_bytes()).expect("valid range")
    }

    #[test]
    fn score_ranges_parse_as_strtod() {
        assert_eq!(
            range("(1.5", "+inf"),
            ScoreRange {
                min: 1.5,
                max: f64::INFINITY,
                min_ex: true,
                max_ex: false
            }
        );
        assert_eq!(range("", "(").min, 0.0);
        assert!(range("", "(").max_ex);
        assert_eq!(range(" 1", "0x10").max, 16.0);
        assert_eq!(range("-inf", "1e999").max, f64::INFINITY);
        assert_eq!(range("1\0junk", "2").min, 1.0);
        for bad in ["1 ", "abc", "nan", "(nan", "-", " ", "1e", "((1", "0x"] {
            assert!(
                ScoreRange::parse(bad.as_bytes(), b"1").is_none(),
                "{bad:?} is not a float"
            );
        }
        // strtod stops at the x of a bare "0x" and sees "x" left: refused; "0x1" is fine.
        assert!(ScoreRange::parse(b"0x1", b"1").is_some());
    }

    #[test]
    fn lex_ranges_parse_as_redis() {
        let r = LexRange::parse(b"[a\0b", b"(z").expect("valid");
        assert_eq!(r.min, LexItem::Bytes(b"a\0b".to_vec()));
        assert!(!r.min_ex && r.max_ex);
        let r = LexRange::parse(b"-", b"+\0x").expect("valid");
        assert_eq!((r.min, r.max), (LexItem::Least, LexItem::Greatest));
        let r = LexRange::parse(b"(", b"[").expect("valid");
        assert_eq!(r.min, LexItem::Bytes(Vec::new()));
        for bad in [&b""[..], b"a", b"+a", b"-a", b"\0"] {
            assert!(LexRange::parse(bad, b"+").is_none(), "{bad:?}");
        }
    }

    #[test]
    fn score_ranges_select_the_same_elements_in_both_encodings() {
        let pairs = [
            (f64::NEG_INFINITY, "n"),
            (-1.0, "a"),
            (-0.0, "b"),
            (0.0, "c"),
            (1.0, "d"),
            (1.0, "e"),
            (2.5, "f"),
            (f64::INFINITY, "p"),
        ];
        let cases: &[(&str, &str, &[&str])] = &[
            ("-inf", "+inf", &["n", "a", "b", "c", "d", "e", "f", "p"]),
            ("(-inf", "(+inf", &["a", "b", "c", "d", "e", "f"]),
            ("0", "0", &["b", "c"]),
            ("(0", "1", &["d", "e"]),
            ("-0", "(1", &["b", "c"]),
            ("(-1", "(0", &[]),
            ("1", "1", &["d", "e"]),
            ("(1", "(1", &[]),
            ("2", "1", &[]),
            ("inf", "inf", &["p"]),
            ("(inf", "inf", &[]),
            ("-inf", "-inf", &["n"]),
            ("-inf", "(-inf", &[]),
            ("2.5", "+inf", &["f", "p"]),
        ];
        for z in both(&pairs) {
            for &(min, max, want) in cases {
                assert_eq!(
                    members(z.score_range(&range(min, max))),
                    want,
                    "{min} {max} in {}",
                    z.encoding_name()
                );
            }
        }
    }

    fn lex(min: &[u8], max: &[u8]) -> LexRange {
        LexRange::parse(min, max).expect("valid lex range")
    }

    /// min, max, what a forward walk finds, what a reverse walk finds.
    type LexCase<'a> = (&'a [u8], &'a [u8], &'a [&'a str], &'a [&'a str]);

    #[test]
    fn lex_ranges_on_equal_scores_agree_across_encodings() {
        let pairs = [
            (0.0, "a"),
            (0.0, "b"),
            (0.0, "bb"),
            (0.0, "c"),
            (0.0, "d\u{ff}"),
        ];
        let cases: &[LexCase<'_>] = &[
            (
                b"-",
                b"+",
                &["a", "b", "bb", "c", "d\u{ff}"],
                &["d\u{ff}", "c", "bb", "b", "a"],
            ),
            (b"[b", b"[c", &["b", "bb", "c"], &["c", "bb", "b"]),
            (b"(b", b"(c", &["bb"], &["bb"]),
            (b"[bb", b"[bb", &["bb"], &["bb"]),
            (b"(bb", b"[bb", &[], &[]),
            (b"[c", b"[b", &[], &[]),
            (b"+", b"+", &[], &[]),
            (b"-", b"-", &[], &[]),
            (b"[e", b"+", &[], &[]),
            (b"-", b"(a", &[], &[]),
            (b"(a", b"[a", &[], &[]),
        ];
        for z in both(&pairs) {
            for &(min, max, fwd, rev) in cases {
                let r = lex(min, max);
                let got = names(z.lex_start(&r, false).take_while(|(m, _)| r.below_max(m)));
                assert_eq!(got, fwd, "{min:?} {max:?} fwd in {}", z.encoding_name());
                let got = names(z.lex_start(&r, true).take_while(|(m, _)| r.above_min(m)));
                assert_eq!(got, rev, "{min:?} {max:?} rev in {}", z.encoding_name());
            }
        }
    }

    #[test]
    fn random_sets_agree_with_a_naive_model_in_both_encodings() {
        let mut rng = Rng::new(7);
        let scores = [
            f64::NEG_INFINITY,
            -2.0,
            -0.0,
            0.0,
            5e-324,
            0.5,
            1.0,
            2.0,
            1e308,
            f64::INFINITY,
        ];
        let pick = |rng: &mut Rng, n: usize| usize::try_from(rng.below(n as u64)).unwrap_or(0);
        for round in 0..300 {
            let mut model: Vec<(Vec<u8>, f64)> = Vec::new();
            let mut z = ZSet::new();
            let limits = Limits {
                max_entries: 8,
                max_value: 64,
            };
            for _ in 0..pick(&mut rng, 20) {
                let member = vec![b'a' + u8::try_from(pick(&mut rng, 12)).unwrap_or(0)];
                let score = scores[pick(&mut rng, scores.len())];
                z.add(score, &member, AddFlags::default(), limits)
                    .expect("not NaN");
                model.retain(|(m, _)| *m != member);
                model.push((member, score));
            }
            if round % 3 == 0 {
                z.convert_to_skiplist();
            }
            model.sort_by(|a, b| (Score(a.1), &a.0).cmp(&(Score(b.1), &b.0)));
            let got: Vec<Vec<u8>> = z.iter().map(|(m, _)| m.to_vec()).collect();
            let want: Vec<Vec<u8>> = model.iter().map(|(m, _)| m.clone()).collect();
            assert_eq!(got, want);
            for (rank, (member, _)) in model.iter().enumerate() {
                assert_eq!(z.rank(member, false), Some(rank));
            }
            for _ in 0..20 {
                let range = ScoreRange {
                    min: scores[pick(&mut rng, scores.len())],
                    max: scores[pick(&mut rng, scores.len())],
                    min_ex: rng.below(2) == 0,
                    max_ex: rng.below(2) == 0,
                };
                let got: Vec<&[u8]> = z.score_range(&range).map(|(m, _)| m).collect();
                let want: Vec<&[u8]> = model
                    .iter()
                    .filter(|(_, s)| range.above_min(*s) && range.below_max(*s))
                    .map(|(m, _)| m.as_slice())
                    .collect();
                assert_eq!(got, want, "{range:?}");
                let (a, b) = (pick(&mut rng, 25), pick(&mut rng, 25));
                let got: Vec<&[u8]> = z.rank_range(a, b).map(|(m, _)| m).collect();
                let want: Vec<&[u8]> = model
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| a <= *i && *i <= b)
                    .map(|(_, (m, _))| m.as_slice())
                    .collect();
                assert_eq!(got, want, "ranks {a}..={b}");
            }
        }
    }

    #[test]
    fn zremrangebylex_walks_a_skiplist_without_checking_its_ends() {
        // The tail `ab` is not past `(ab`: ZRANGEBYLEX's check of the ends finds nothing, and
        // so does a listpack's removal; a skiplist's removal starts at `b\0`, the first member
        // past the minimum, and takes everything up to `+`, `ab` included (redis-server 7.0
        // removed 3 here).
        let long = "x".repeat(100);
        let pairs = [(3.0, "b\0"), (3.0, long.as_str()), (4.0, "ab")];
        let range = lex(b"(ab", b"+");
        let sl = set(&pairs, SMALL);
        assert_eq!(sl.encoding_name(), "skiplist");
        assert_eq!(sl.lex_start(&range, false).count(), 0);
        assert_eq!(sl.lex_removal(&range).len(), 3);
        let mut lp = set(&[(3.0, "b\0"), (3.0, "x"), (4.0, "ab")], SMALL);
        assert_eq!(lp.encoding_name(), "listpack");
        assert!(lp.lex_removal(&range).is_empty());
        lp.convert_to_skiplist();
        assert_eq!(lp.lex_removal(&range).len(), 3);
    }

    #[test]
    fn lex_walks_agree_across_encodings_even_with_mixed_scores() {
        let mut rng = Rng::new(11);
        let items: [&[u8]; 8] = [b"", b"a", b"ab", b"b", b"\x00", b"\xff", b"c", b"bb"];
        let bounds: [&[u8]; 10] = [
            b"-", b"+", b"[a", b"(a", b"[b", b"(bb", b"[", b"(", b"[c", b"[\xff",
        ];
        for round in 0..200 {
            let mut lp = ZSet::new();
            let same_score = round % 2 == 0;
            for (i, m) in items.iter().enumerate() {
                if rng.below(3) > 0 {
                    let score = if same_score { 0.0 } else { (i % 3) as f64 };
                    lp.add(score, m, AddFlags::default(), SMALL).expect("ok");
                }
            }
            let mut sl = lp.clone();
            sl.convert_to_skiplist();
            for min in bounds {
                for max in bounds {
                    let range = lex(min, max);
                    for reverse in [false, true] {
                        let a: Vec<Item<'_>> = lp.lex_start(&range, reverse).collect();
                        let b: Vec<Item<'_>> = sl.lex_start(&range, reverse).collect();
                        assert_eq!(a, b, "{min:?} {max:?} reverse={reverse}");
                    }
                }
            }
        }
    }
}
