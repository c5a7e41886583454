//! The list value: a double-ended sequence of binary strings, and Redis's index arithmetic.
//!
//! Redis 7.0 keeps every list in a quicklist (a linked list of listpack nodes) and `OBJECT
//! ENCODING` answers `quicklist` whatever the size: the `listpack` encoding for small lists only
//! arrived in Redis 7.2. `list-max-listpack-size` and `list-compress-depth` shape the nodes
//! only, which nothing but `DEBUG OBJECT` and the RDB payload can see, so a [`VecDeque`] holds
//! the elements here.
//!
//! Elements compare byte for byte. A listpack stores an element that is a canonical 64-bit
//! integer as a number and compares it with a canonical parse of the other string, so equality
//! is the same as comparing bytes (`"1"` never equals `"01"` nor `"+1"`), and every element
//! reads back exactly as it was pushed.

use std::cmp::Ordering;
use std::collections::VecDeque;

use crate::rdb::listpack::entry_size;
use crate::reply::Bytes;

/// The end of a list a command works at (Redis's `LIST_HEAD` / `LIST_TAIL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The head: `LEFT`, index 0.
    Head,
    /// The tail: `RIGHT`, index -1.
    Tail,
}

impl End {
    /// The keyspace event of a push at this end.
    pub fn push_event(self) -> &'static str {
        match self {
            End::Head => "lpush",
            End::Tail => "rpush",
        }
    }

    /// The keyspace event of a pop at this end.
    pub fn pop_event(self) -> &'static str {
        match self {
            End::Head => "lpop",
            End::Tail => "rpop",
        }
    }
}

/// A list value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// The elements, short ones inline (see [`Bytes::from_vec_compact`]): a push of one allocates nothing, and
    /// a range reads them from the deque's own buffer rather than one allocation each.
    items: VecDeque<Bytes>,
    /// The bytes the elements take in listpack nodes (see [`entry_size`]), kept up to date by
    /// every change so that memory accounting costs nothing per element.
    packed: usize,
    /// The `list-max-listpack-size` the list was created under: as in Redis, whose quicklist
    /// takes the server's setting when it is created and keeps it, it decides how the list is
    /// cut into nodes (DUMP, MEMORY USAGE, DEBUG OBJECT).
    fill: i64,
}

/// Redis's default `list-max-listpack-size`.
const DEFAULT_FILL: i64 = -2;

impl Default for List {
    fn default() -> Self {
        List {
            items: VecDeque::new(),
            packed: 0,
            fill: DEFAULT_FILL,
        }
    }
}

impl List {
    /// An empty list under the default `list-max-listpack-size` (commands delete a key whose
    /// list becomes empty).
    pub fn new() -> Self {
        List::default()
    }

    /// An empty list created under this `list-max-listpack-size`.
    pub fn with_fill(fill: i64) -> Self {
        List {
            fill,
            ..List::default()
        }
    }

    /// A list of these elements, head first, under the default `list-max-listpack-size`.
    pub fn from_elements(items: impl IntoIterator<Item = Vec<u8>>) -> Self {
        let items: VecDeque<Bytes> = items.into_iter().map(Bytes::from_vec_compact).collect();
        let packed = items
            .iter()
            .fold(0usize, |sum, item| sum.saturating_add(entry_size(item)));
        List {
            items,
            packed,
            fill: DEFAULT_FILL,
        }
    }

    /// The `list-max-listpack-size` the list was created under.
    pub fn fill(&self) -> i64 {
        self.fill
    }

    /// Takes the server's `list-max-listpack-size`, as a list Redis loads (RESTORE) does.
    pub fn set_fill(&mut self, fill: i64) {
        self.fill = fill;
    }

    /// The name `OBJECT ENCODING` answers: always `quicklist` in Redis 7.0.
    pub const ENCODING: &'static str = "quicklist";

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the list has no element.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The elements from head to tail.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[u8]> + ExactSizeIterator {
        self.items.iter().map(Bytes::as_slice)
    }

    /// The bytes the elements take packed in listpacks (entries only: no node headers).
    pub fn packed_bytes(&self) -> usize {
        self.packed
    }

    /// Adds an element at one end.
    pub fn push(&mut self, end: End, value: Vec<u8>) {
        self.push_element(end, Bytes::from_vec_compact(value));
    }

    /// Adds a copy of an element at one end (a short one without an allocation).
    pub fn push_slice(&mut self, end: End, value: &[u8]) {
        self.push_element(end, Bytes::from_slice(value));
    }

    fn push_element(&mut self, end: End, value: Bytes) {
        self.packed = self.packed.saturating_add(entry_size(&value));
        match end {
            End::Head => self.items.push_front(value),
            End::Tail => self.items.push_back(value),
        }
    }

    /// Removes the element at one end.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        self.pop_bytes(end).map(Bytes::into_vec)
    }

    /// [`List::pop`] as the list holds the element (a reply takes it as it is).
    pub fn pop_bytes(&mut self, end: End) -> Option<Bytes> {
        let popped = match end {
            End::Head => self.items.pop_front(),
            End::Tail => self.items.pop_back(),
        };
        if let Some(value) = &popped {
            self.unpack(value);
        }
        popped
    }

    /// Takes an element's bytes off the packed total.
    fn unpack(&mut self, value: &[u8]) {
        self.packed = self.packed.saturating_sub(entry_size(value));
    }

    /// Removes up to `count` elements from one end, in the order they are popped (from the
    /// tail, the last element first).
    pub fn pop_many(&mut self, end: End, count: usize) -> Vec<Vec<u8>> {
        let n = count.min(self.items.len());
        let popped: Vec<Vec<u8>> = match end {
            End::Head => self.items.drain(..n).map(Bytes::into_vec).collect(),
            End::Tail => {
                let start = self.items.len() - n; // n <= len
                self.items
                    .drain(start..)
                    .rev()
                    .map(Bytes::into_vec)
                    .collect()
            }
        };
        for value in &popped {
            self.unpack(value);
        }
        popped
    }

    /// The element at a Redis index (negative counts from the tail), if in range.
    pub fn get(&self, index: i64) -> Option<&[u8]> {
        self.items
            .get(position(self.items.len(), index)?)
            .map(Bytes::as_slice)
    }

    /// Replaces the element at a Redis index; false when out of range.
    pub fn set(&mut self, index: i64, value: Vec<u8>) -> bool {
        match position(self.items.len(), index).and_then(|i| self.items.get_mut(i)) {
            Some(slot) => {
                let old = std::mem::replace(slot, Bytes::from_vec_compact(value));
                let new = entry_size(slot);
                self.unpack(&old);
                self.packed = self.packed.saturating_add(new);
                true
            }
            None => false,
        }
    }

    /// The elements between two inclusive Redis indexes (see [`range`]), head to tail.
    pub fn range(&self, start: i64, end: i64) -> impl DoubleEndedIterator<Item = &[u8]> {
        let (from, to) = range(self.items.len(), start, end).unwrap_or((0, 0));
        self.items.range(from..to).map(Bytes::as_slice)
    }

    /// [`List::range`] as the list holds the elements (a reply clones them: an inline one is
    /// copied whole, without a length-dependent copy).
    pub fn range_elements(&self, start: i64, end: i64) -> impl DoubleEndedIterator<Item = &Bytes> {
        let (from, to) = range(self.items.len(), start, end).unwrap_or((0, 0));
        self.items.range(from..to)
    }

    /// Keeps only the elements between two inclusive Redis indexes (`LTRIM`); answers how many
    /// were removed.
    pub fn trim(&mut self, start: i64, end: i64) -> usize {
        let len = self.items.len();
        let (from, to) = range(len, start, end).unwrap_or((len, len));
        let dropped: usize = self
            .items
            .range(to..)
            .chain(self.items.range(..from))
            .map(|e| entry_size(e))
            .sum();
        self.packed = self.packed.saturating_sub(dropped);
        self.items.truncate(to);
        self.items.drain(..from);
        len - self.items.len()
    }

    /// Inserts `value` before (or after) the first element equal to `pivot`, searching from
    /// the head; false when no element equals it.
    pub fn insert(&mut self, pivot: &[u8], value: Vec<u8>, after: bool) -> bool {
        let Some(at) = self.items.iter().position(|e| e.as_slice() == pivot) else {
            return false;
        };
        self.packed = self.packed.saturating_add(entry_size(&value));
        self.items.insert(
            if after { at + 1 } else { at },
            Bytes::from_vec_compact(value),
        );
        true
    }

    /// Removes elements equal to `value` (`LREM`): the first `count` from the head when `count`
    /// is positive, the last `-count` from the tail when negative, all of them when 0. Answers
    /// how many were removed.
    pub fn remove(&mut self, value: &[u8], count: i64) -> usize {
        let limit = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
        let mut doomed = Vec::new();
        let matching = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, e)| e.as_slice() == value)
            .map(|(i, _)| i);
        match count.cmp(&0) {
            Ordering::Less => doomed.extend(matching.rev().take(limit)),
            Ordering::Greater => doomed.extend(matching.take(limit)),
            Ordering::Equal => doomed.extend(matching),
        }
        if doomed.is_empty() {
            return 0;
        }
        self.packed = self
            .packed
            .saturating_sub(entry_size(value).saturating_mul(doomed.len()));
        crate::qsort::sort(&mut doomed);
        let mut next = doomed.iter().copied().peekable();
        let mut i = 0;
        self.items.retain(|_| {
            let keep = next.peek() != Some(&i);
            if !keep {
                next.next();
            }
            i += 1;
            keep
        });
        doomed.len()
    }

    /// The indexes of the elements equal to `value`, as `LPOS` finds them: scanning from the
    /// head (or from the tail when `rank` is negative) at most `maxlen` elements (0: all), the
    /// matches from the `|rank|`-th on, at most `count` of them (0: all). Indexes count from
    /// the head whatever the direction.
    ///
    /// `rank` must not be 0. As Redis, `i64::MIN` (whose negation overflows in C to itself)
    /// scans from the tail and takes every match, whatever `count`.
    pub fn positions(&self, value: &[u8], rank: i64, count: u64, maxlen: u64) -> Vec<usize> {
        let from_tail = rank < 0;
        // Redis negates the rank in a C long: i64::MIN stays negative, so every match is at or
        // past it and the "enough matches" test below (matches - rank + 1) wraps negative.
        let rank = if from_tail { rank.wrapping_neg() } else { rank };
        let limit = if maxlen == 0 {
            usize::MAX
        } else {
            usize::try_from(maxlen).unwrap_or(usize::MAX)
        };
        let len = self.items.len();
        let scan: Box<dyn Iterator<Item = (usize, &Bytes)>> = if from_tail {
            Box::new(self.items.iter().enumerate().rev())
        } else {
            Box::new(self.items.iter().enumerate())
        };
        let mut found = Vec::new();
        let mut matches: i64 = 0;
        for (index, element) in scan.take(limit.min(len)) {
            if element.as_slice() != value {
                continue;
            }
            matches += 1;
            if matches >= rank {
                found.push(index);
                let taken = matches.wrapping_sub(rank).wrapping_add(1);
                if count != 0 && taken >= 0 && taken.unsigned_abs() >= count {
                    break;
                }
            }
        }
        found
    }
}

/// The position of a Redis index in a list of `len` elements: `0..len` from the head, `-1`
/// for the last element, `-len` for the first; `None` out of range (any `i64` is safe).
pub fn position(len: usize, index: i64) -> Option<usize> {
    if index >= 0 {
        usize::try_from(index).ok().filter(|&i| i < len)
    } else {
        // -(index + 1) cannot overflow for a negative index.
        let from_tail = usize::try_from(-(index + 1)).ok()?;
        len.checked_sub(from_tail)?.checked_sub(1)
    }
}

/// The half-open span `from..to` of an inclusive Redis range `start..=end` in a list of `len`
/// elements, as `LRANGE` and `LTRIM` read it: negative indexes count from the tail, a start
/// before the head is the head, an end past the tail is the tail; `None` when the range is
/// empty (start after end, or start past the tail).
pub fn range(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    // Lists hold fewer than i64::MAX elements, so len + index cannot overflow for a negative
    // index.
    let n = i64::try_from(len).ok()?;
    let start = if start < 0 { (n + start).max(0) } else { start };
    let end = if end < 0 { n + end } else { end };
    if start > end || start >= n {
        return None;
    }
    let end = end.min(n - 1);
    // 0 <= start <= end < n here.
    Some((usize::try_from(start).ok()?, usize::try_from(end).ok()? + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> List {
        let mut l = List::new();
        for item in items {
            l.push(End::Tail, item.as_bytes().to_vec());
        }
        l
    }

    fn strings(l: &List) -> Vec<String> {
        l.iter()
            .map(|e| String::from_utf8_lossy(e).into_owned())
            .collect()
    }

    #[test]
    fn short_and_long_elements_read_back_alike() {
        let long = "x".repeat(Bytes::INLINE + 1);
        let edge = "y".repeat(Bytes::INLINE);
        let mut l = list(&["a", &long, &edge, ""]);
        l.push_slice(End::Head, long.as_bytes());
        assert_eq!(
            strings(&l),
            [
                "x".repeat(23),
                "a".into(),
                long.clone(),
                edge.clone(),
                String::new()
            ]
        );
        let packed: usize = l.iter().map(entry_size).sum();
        assert_eq!(l.packed_bytes(), packed);
        let ranged: Vec<&[u8]> = l.range_elements(1, -2).map(Bytes::as_slice).collect();
        assert_eq!(ranged, l.range(1, -2).collect::<Vec<_>>());
        assert!(l.set(1, long.as_bytes().to_vec()));
        assert!(l.insert(edge.as_bytes(), b"b".to_vec(), true));
        assert_eq!(l.positions(long.as_bytes(), 1, 0, 0), [0, 1, 2]);
        assert_eq!(l.remove(long.as_bytes(), -2), 2);
        assert_eq!(l.pop(End::Head), Some(long.clone().into_bytes()));
        assert_eq!(l.pop_bytes(End::Tail).as_deref(), Some(&b""[..]));
        assert_eq!(strings(&l), [edge.clone(), "b".into()]);
        let packed: usize = l.iter().map(entry_size).sum();
        assert_eq!(l.packed_bytes(), packed);
    }

    #[test]
    fn positions_of_redis_indexes() {
        assert_eq!(position(3, 0), Some(0));
        assert_eq!(position(3, 2), Some(2));
        assert_eq!(position(3, 3), None);
        assert_eq!(position(3, -1), Some(2));
        assert_eq!(position(3, -3), Some(0));
        assert_eq!(position(3, -4), None);
        assert_eq!(position(0, 0), None);
        assert_eq!(position(0, -1), None);
        assert_eq!(position(3, i64::MAX), None);
        assert_eq!(position(3, i64::MIN), None);
        assert_eq!(position(usize::MAX, -1), Some(usize::MAX - 1));
    }

    #[test]
    fn ranges_as_lrange_reads_them() {
        assert_eq!(range(5, 0, -1), Some((0, 5)));
        assert_eq!(range(5, 1, 2), Some((1, 3)));
        assert_eq!(range(5, -2, -1), Some((3, 5)));
        assert_eq!(range(5, -100, 100), Some((0, 5)));
        assert_eq!(range(5, 5, 10), None);
        assert_eq!(range(5, 3, 2), None);
        assert_eq!(range(5, 0, -6), None);
        assert_eq!(range(5, -6, 0), Some((0, 1)));
        assert_eq!(range(0, 0, -1), None);
        assert_eq!(range(5, i64::MIN, i64::MAX), Some((0, 5)));
        assert_eq!(range(5, i64::MAX, i64::MAX), None);
        assert_eq!(range(5, i64::MIN, i64::MIN), None);
        assert_eq!(range(5, 0, i64::MIN), None);
    }

    #[test]
    fn pushes_pops_and_counts() {
        let mut l = list(&["a", "b", "c", "d"]);
        l.push(End::Head, b"z".to_vec());
        assert_eq!(strings(&l), ["z", "a", "b", "c", "d"]);
        assert_eq!(l.pop(End::Tail), Some(b"d".to_vec()));
        assert_eq!(l.pop_many(End::Tail, 2), [b"c".to_vec(), b"b".to_vec()]);
        assert_eq!(l.pop_many(End::Head, 10), [b"z".to_vec(), b"a".to_vec()]);
        assert!(l.is_empty());
        assert_eq!(l.pop(End::Head), None);
        assert!(l.pop_many(End::Tail, 3).is_empty());
    }

    #[test]
    fn get_set_and_ranges() {
        let mut l = list(&["a", "b", "c"]);
        assert_eq!(l.get(-1), Some(&b"c"[..]));
        assert!(l.set(-3, b"x".to_vec()));
        assert!(!l.set(3, b"y".to_vec()));
        assert_eq!(strings(&l), ["x", "b", "c"]);
        let r: Vec<&[u8]> = l.range(1, 100).collect();
        assert_eq!(r, [&b"b"[..], b"c"]);
        assert_eq!(l.range(2, 1).count(), 0);
    }

    #[test]
    fn trims_like_ltrim() {
        let mut l = list(&["a", "b", "c", "d", "e"]);
        assert_eq!(l.trim(1, -2), 2);
        assert_eq!(strings(&l), ["b", "c", "d"]);
        assert_eq!(l.trim(0, 100), 0);
        assert_eq!(l.trim(5, 10), 3);
        assert!(l.is_empty());
    }

    #[test]
    fn inserts_at_the_first_pivot() {
        let mut l = list(&["a", "b", "a"]);
        assert!(l.insert(b"a", b"x".to_vec(), false));
        assert!(l.insert(b"a", b"y".to_vec(), true));
        assert!(!l.insert(b"q", b"z".to_vec(), true));
        assert_eq!(strings(&l), ["x", "a", "y", "b", "a"]);
    }

    #[test]
    fn removes_by_count_and_direction() {
        let items = ["a", "b", "a", "c", "a", "a"];
        let mut l = list(&items);
        assert_eq!(l.remove(b"a", 2), 2);
        assert_eq!(strings(&l), ["b", "c", "a", "a"]);
        let mut l = list(&items);
        assert_eq!(l.remove(b"a", -3), 3);
        assert_eq!(strings(&l), ["a", "b", "c"]);
        let mut l = list(&items);
        assert_eq!(l.remove(b"a", 0), 4);
        assert_eq!(strings(&l), ["b", "c"]);
        let mut l = list(&items);
        assert_eq!(l.remove(b"a", i64::MIN), 4);
        assert_eq!(l.remove(b"zz", 0), 0);
        assert_eq!(strings(&l), ["b", "c"]);
    }

    #[test]
    fn positions_like_lpos() {
        let l = list(&["a", "b", "c", "a", "b", "c", "a"]);
        assert_eq!(l.positions(b"a", 1, 1, 0), [0]);
        assert_eq!(l.positions(b"a", 2, 1, 0), [3]);
        assert_eq!(l.positions(b"a", -1, 1, 0), [6]);
        assert_eq!(l.positions(b"a", -2, 0, 0), [3, 0]);
        assert_eq!(l.positions(b"a", 1, 0, 0), [0, 3, 6]);
        assert_eq!(l.positions(b"a", 1, 2, 0), [0, 3]);
        assert_eq!(l.positions(b"a", 1, 0, 4), [0, 3]);
        assert_eq!(l.positions(b"a", -1, 0, 1), [6]);
        assert_eq!(l.positions(b"a", 4, 0, 0), Vec::<usize>::new());
        assert_eq!(l.positions(b"a", i64::MAX, 0, 0), Vec::<usize>::new());
        assert_eq!(l.positions(b"a", -i64::MAX, 1, 0), Vec::<usize>::new());
        // Redis's negation of LONG_MIN: from the tail, every match, COUNT ignored.
        assert_eq!(l.positions(b"a", i64::MIN, 1, 0), [6, 3, 0]);
        assert_eq!(l.positions(b"a", i64::MIN, 1, 2), [6]);
        assert_eq!(l.positions(b"a", 1, u64::MAX, u64::MAX), [0, 3, 6]);
    }
}
