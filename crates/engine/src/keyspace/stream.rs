//! The stream value, kept as Redis 7.0 keeps it: entries in nodes the size of its listpacks,
//! keyed by their first ID in a radix tree; the stream's counters (length, last ID, first ID,
//! maximal deleted ID, entries added); and its consumer groups with their pending entries lists
//! and consumers.
//!
//! The node layout is modelled down to the byte count of each listpack (Redis starts a new node
//! when the tail one reaches `stream-node-max-bytes` or `stream-node-max-entries`) because
//! approximate trimming (`MAXLEN ~`, `MINID ~`) only drops whole nodes: where the node
//! boundaries fall decides what `XLEN` answers afterwards. Deleted entries stay in their node as
//! tombstones until the node goes, as in Redis, and count towards its size and entry limit.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::num::parse_i64;
use crate::rdb::listpack::{self, Element};
use crate::rdb::{LoadError, Reader};

/// A stream entry ID: a millisecond time and a sequence number, ordered as a 128-bit number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    /// Milliseconds part.
    pub ms: u64,
    /// Sequence part.
    pub seq: u64,
}

impl StreamId {
    /// `0-0`, the smallest ID (`-` in ranges).
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    /// The largest ID (`+` in ranges).
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// An ID from its two parts.
    pub const fn new(ms: u64, seq: u64) -> Self {
        StreamId { ms, seq }
    }

    /// Whether this is `0-0`.
    pub fn is_zero(self) -> bool {
        self == Self::MIN
    }

    /// The next ID, or `None` after the largest one (Redis's `streamIncrID` failing).
    pub fn next(self) -> Option<Self> {
        if self.seq == u64::MAX {
            let ms = self.ms.checked_add(1)?;
            Some(StreamId { ms, seq: 0 })
        } else {
            Some(StreamId {
                ms: self.ms,
                seq: self.seq + 1,
            })
        }
    }

    /// The previous ID, or `None` before `0-0` (Redis's `streamDecrID` failing).
    pub fn prev(self) -> Option<Self> {
        if self.seq == 0 {
            let ms = self.ms.checked_sub(1)?;
            Some(StreamId { ms, seq: u64::MAX })
        } else {
            Some(StreamId {
                ms: self.ms,
                seq: self.seq - 1,
            })
        }
    }

    /// The ID of a radix-tree key (the inverse of [`StreamId::key`]); `None` unless 16 bytes.
    pub fn from_key(key: &[u8]) -> Option<Self> {
        let key = <[u8; 16]>::try_from(key).ok()?;
        let (ms, seq) = key.split_at(8);
        Some(StreamId {
            ms: u64::from_be_bytes(<[u8; 8]>::try_from(ms).ok()?),
            seq: u64::from_be_bytes(<[u8; 8]>::try_from(seq).ok()?),
        })
    }

    /// The ID as Redis keys its radix trees: 128 bits, big endian.
    pub fn key(self) -> [u8; 16] {
        let mut key = [0u8; 16];
        let (ms, seq) = key.split_at_mut(8);
        ms.copy_from_slice(&self.ms.to_be_bytes());
        seq.copy_from_slice(&self.seq.to_be_bytes());
        key
    }

    /// The `<ms>-<seq>` text replies carry.
    pub fn to_bytes(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// Whether C's `isspace` holds for a byte.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// C's `strtoull(s, &end, 10)` followed by Redis's check that something was read and nothing
/// is left: blanks first, an optional sign (a `-` negates modulo 2^64), decimal digits, no
/// overflow. `None` where it fails.
fn strtoull_whole(s: &[u8]) -> Option<u64> {
    let start = s.iter().position(|&b| !is_c_space(b)).unwrap_or(s.len());
    let rest = s.get(start..).unwrap_or_default();
    let (negative, digits) = match rest.split_first() {
        Some((b'-', tail)) => (true, tail),
        Some((b'+', tail)) => (false, tail),
        _ => (false, rest),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: u64 = 0;
    for &d in digits {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// Redis's `string2ull` on a C string: `string2ll` when it succeeds (refusing negatives),
/// `strtoull` otherwise.
fn string2ull(s: &[u8]) -> Option<u64> {
    match parse_i64(s) {
        Some(v) => u64::try_from(v).ok(),
        None => strtoull_whole(s),
    }
}

/// How an ID argument may be written, for [`parse_id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdSyntax {
    /// The sequence given to `<ms>` written alone.
    pub missing_seq: u64,
    /// Whether `-` and `+` are refused.
    pub strict: bool,
    /// Whether `<ms>-*` is accepted (XADD).
    pub auto_seq: bool,
}

/// An ID argument as Redis's `streamGenericParseIDOrReply` reads it: `-`, `+` (unless strict),
/// `<ms>`, `<ms>-<seq>` and, where allowed, `<ms>-*`. Answers the ID and whether the sequence
/// was given (false only for `<ms>-*`). Like Redis, it reads the argument as a C string (up to
/// a NUL byte), refuses anything over 127 bytes, and parses each part with `string2ull`, so
/// `" 1"`, `+1` and even `-0` are accepted as numbers.
pub fn parse_id(arg: &[u8], syntax: IdSyntax) -> Option<(StreamId, bool)> {
    if arg.len() > 127 {
        return None;
    }
    let text = crate::cstr::c_str(arg);
    match text {
        b"-" | b"+" if syntax.strict => return None,
        b"-" => return Some((StreamId::MIN, true)),
        b"+" => return Some((StreamId::MAX, true)),
        _ => {}
    }
    let (ms_part, seq_part) = match text.iter().position(|&b| b == b'-') {
        Some(dash) => (
            text.get(..dash).unwrap_or_default(),
            Some(text.get(dash + 1..).unwrap_or_default()),
        ),
        None => (text, None),
    };
    let ms = string2ull(ms_part)?;
    let (seq, seq_given) = match seq_part {
        Some(b"*") if syntax.auto_seq => (0, false),
        Some(seq) => (string2ull(seq)?, true),
        None => (syntax.missing_seq, true),
    };
    Some((StreamId { ms, seq }, seq_given))
}

/// Byte sizes of listpack elements, as `listpack.c` encodes them; enough to know each node's
/// `lpBytes`, which decides where Redis starts a new node.
mod lp {
    use crate::num::parse_i64;

    /// The listpack header (total bytes, element count) and its end marker.
    pub const EMPTY: usize = 6 + 1;

    /// Bytes of the back-length that follows an element encoded in `len` bytes.
    fn backlen(len: usize) -> usize {
        match len {
            0..=127 => 1,
            128..16_383 => 2,
            16_383..2_097_151 => 3,
            2_097_151..268_435_455 => 4,
            _ => 5,
        }
    }

    /// Bytes of an integer element.
    pub fn int(v: i64) -> usize {
        let enc = match v {
            0..=127 => 1,
            -4096..=4095 => 2,
            -32_768..=32_767 => 3,
            -8_388_608..=8_388_607 => 4,
            -2_147_483_648..=2_147_483_647 => 5,
            _ => 9,
        };
        enc + backlen(enc)
    }

    /// Bytes of a string element; a string that reads as a 64-bit integer is stored as one.
    pub fn string(s: &[u8]) -> usize {
        if let Some(v) = parse_i64(s) {
            return int(v);
        }
        let len = s.len();
        let enc = if len < 64 {
            1 + len
        } else if len < 4096 {
            2 + len
        } else {
            5 + len
        };
        enc + backlen(enc)
    }

    /// A count (entries, fields) as the integer element it is stored as.
    pub fn count(n: u64) -> usize {
        int(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// Appends the back-length of an element encoded in `len` bytes: its 7-bit groups, most
    /// significant first, each but the first with its top bit set.
    fn push_backlen(out: &mut Vec<u8>, len: usize) {
        let l = len as u64;
        let n = backlen(len);
        for i in (0..n).rev() {
            let group = ((l >> (7 * i)) & 127) as u8;
            out.push(if i + 1 == n { group } else { group | 128 });
        }
    }

    /// A listpack being written element by element, as `lpAppend` and `lpAppendInteger`
    /// encode them.
    #[derive(Default)]
    pub struct Builder {
        elements: Vec<u8>,
        count: usize,
    }

    impl Builder {
        /// Appends an integer element.
        pub fn int(&mut self, v: i64) {
            let out = &mut self.elements;
            let start = out.len();
            let le = v.to_le_bytes();
            match v {
                0..=127 => out.push(v as u8),
                -4096..=4095 => {
                    let u = (v & 0x1fff) as u16;
                    out.push((u >> 8) as u8 | 0xc0);
                    out.push(u as u8);
                }
                -32_768..=32_767 => {
                    out.push(0xf1);
                    out.extend_from_slice(le.get(..2).unwrap_or_default());
                }
                -8_388_608..=8_388_607 => {
                    out.push(0xf2);
                    out.extend_from_slice(le.get(..3).unwrap_or_default());
                }
                -2_147_483_648..=2_147_483_647 => {
                    out.push(0xf3);
                    out.extend_from_slice(le.get(..4).unwrap_or_default());
                }
                _ => {
                    out.push(0xf4);
                    out.extend_from_slice(&le);
                }
            }
            let len = out.len() - start;
            push_backlen(out, len);
            self.count += 1;
        }

        /// Appends a count as an integer element.
        pub fn count(&mut self, n: u64) {
            self.int(i64::try_from(n).unwrap_or(i64::MAX));
        }

        /// Appends a string element, as an integer when it reads as one.
        pub fn string(&mut self, s: &[u8]) {
            if let Some(v) = parse_i64(s) {
                self.int(v);
                return;
            }
            let out = &mut self.elements;
            let start = out.len();
            let len = s.len();
            if len < 64 {
                out.push(len as u8 | 0x80);
            } else if len < 4096 {
                out.push((len >> 8) as u8 | 0xe0);
                out.push(len as u8);
            } else {
                out.push(0xf0);
                out.extend_from_slice(&(len as u32).to_le_bytes());
            }
            out.extend_from_slice(s);
            let enc = out.len() - start;
            push_backlen(out, enc);
            self.count += 1;
        }

        /// The listpack: header (total bytes, element count), elements, end marker.
        pub fn finish(self) -> Vec<u8> {
            let total = EMPTY + self.elements.len();
            let mut out = Vec::with_capacity(total);
            out.extend_from_slice(&(total as u32).to_le_bytes());
            out.extend_from_slice(&(self.count.min(65_535) as u16).to_le_bytes());
            out.extend_from_slice(&self.elements);
            out.push(0xff);
            out
        }
    }
}

/// Entry flag: the entry was deleted (a tombstone).
const FLAG_DELETED: i64 = 1;
/// Entry flag: the entry has its node's master fields.
const FLAG_SAMEFIELDS: i64 = 2;

/// Redis's `STREAM_LISTPACK_MAX_SIZE`: no node grows past 1 GB, whatever the configuration.
const LISTPACK_MAX_SIZE: usize = 1 << 30;

/// One entry in a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEntry {
    /// Its ID.
    pub id: StreamId,
    /// Whether it was deleted (kept as a tombstone).
    pub deleted: bool,
    /// Field, value, field, value, …
    pub fields: Vec<Vec<u8>>,
}

/// A radix-tree node: one listpack of entries whose master entry holds the fields of the first
/// entry added to it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Node {
    /// The master entry's field names.
    master_fields: Vec<Vec<u8>>,
    /// Every entry, tombstones included, in the order added.
    entries: Vec<NodeEntry>,
    /// Live entries (the master entry's count).
    live: u64,
    /// Tombstones (the master entry's deleted count).
    deleted: u64,
    /// Bytes of the listpack other than its header, end marker and the two counters.
    body_bytes: usize,
}

impl Node {
    /// The node's listpack, byte for byte as Redis holds it.
    fn listpack(&self, master_id: StreamId) -> Vec<u8> {
        let mut lp = lp::Builder::default();
        lp.count(self.live);
        lp.count(self.deleted);
        lp.count(self.master_fields.len() as u64);
        for field in &self.master_fields {
            lp.string(field);
        }
        lp.int(0);
        for entry in &self.entries {
            let same = self.same_fields(&entry.fields);
            let mut flags = 0;
            if entry.deleted {
                flags |= FLAG_DELETED;
            }
            if same {
                flags |= FLAG_SAMEFIELDS;
            }
            lp.int(flags);
            lp.int(entry.id.ms.wrapping_sub(master_id.ms) as i64);
            lp.int(entry.id.seq.wrapping_sub(master_id.seq) as i64);
            let pairs = entry.fields.len() as u64 / 2;
            if same {
                for value in entry.fields.iter().skip(1).step_by(2) {
                    lp.string(value);
                }
                lp.count(3 + pairs);
            } else {
                lp.count(pairs);
                for item in &entry.fields {
                    lp.string(item);
                }
                lp.count(3 + 2 * pairs + 1);
            }
        }
        lp.finish()
    }

    /// Whether an entry with these field-value pairs has the master entry's fields (so its
    /// field names are left out of the listpack).
    fn same_fields(&self, fields: &[Vec<u8>]) -> bool {
        self.master_fields.len() * 2 == fields.len()
            && self
                .master_fields
                .iter()
                .zip(fields.iter().step_by(2))
                .all(|(m, f)| m == f)
    }

    /// `lpBytes` of the node's listpack.
    fn bytes(&self) -> usize {
        lp::EMPTY
            .saturating_add(lp::count(self.live))
            .saturating_add(lp::count(self.deleted))
            .saturating_add(self.body_bytes)
    }
}

/// How an entry's ID is chosen by [`Stream::append`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewId {
    /// `*`: from the clock, or after the last ID if the clock is behind it.
    Auto,
    /// `<ms>-*`: this millisecond, with the next free sequence.
    Ms(u64),
    /// An explicit ID.
    Exact(StreamId),
}

/// Why [`Stream::append`] refused an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not greater than the last one.
    NotGreater,
    /// `<ms>-*` where the last ID has this millisecond and the largest sequence. (Redis fails
    /// without setting `errno`, so its reply depends on an earlier failure.)
    SequenceExhausted,
    /// The fields and values add up to more than a node may hold.
    TooLarge,
}

/// The node limits of the configuration (`stream-node-max-bytes`, `stream-node-max-entries`;
/// 0 means no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLimits {
    /// Largest node in bytes.
    pub max_bytes: usize,
    /// Most entries (tombstones included) in a node.
    pub max_entries: usize,
}

/// What trimming keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimStrategy {
    /// At most this many entries (`MAXLEN`).
    MaxLen(u64),
    /// No entry below this ID (`MINID`).
    MinId(StreamId),
}

/// A trim request, as XADD and XTRIM parse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trim {
    /// What to keep.
    pub strategy: TrimStrategy,
    /// `~`: only remove whole nodes.
    pub approx: bool,
    /// Most entries to remove (0: no limit).
    pub limit: u64,
}

/// A pending entry: delivered to a consumer of a group and not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nack {
    /// Virtual time (ms) of the last delivery.
    pub delivery_time: i64,
    /// Number of deliveries.
    pub delivery_count: u64,
    /// The consumer it was last delivered to.
    pub consumer: Vec<u8>,
}

/// A consumer of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// Virtual time (ms) the consumer was last seen (created, read, claimed).
    pub seen_time: i64,
    /// The IDs pending for this consumer (their details are in the group's PEL).
    pub pel: BTreeSet<StreamId>,
}

/// Redis's `SCG_INVALID_ENTRIES_READ`: the group's read counter is unknown.
pub const ENTRIES_READ_INVALID: i64 = -1;

/// A consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The last ID delivered to the group.
    pub last_id: StreamId,
    /// How many entries the group has read ([`ENTRIES_READ_INVALID`] when unknown).
    pub entries_read: i64,
    /// The pending entries list.
    pub pel: BTreeMap<StreamId, Nack>,
    /// Consumers by name (byte order, as Redis's radix tree).
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl Group {
    /// A group with an empty PEL and no consumer.
    pub fn new(last_id: StreamId, entries_read: i64) -> Self {
        Group {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Removes a pending entry from the group's PEL and its consumer's; answers whether it was
    /// pending.
    pub fn remove_pending(&mut self, id: StreamId) -> bool {
        let Some(nack) = self.pel.remove(&id) else {
            return false;
        };
        if let Some(consumer) = self.consumers.get_mut(&nack.consumer) {
            consumer.pel.remove(&id);
        }
        true
    }
}

/// A stream value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stream {
    /// Nodes keyed by the ID of their master entry.
    nodes: BTreeMap<StreamId, Node>,
    /// Live entries.
    pub length: u64,
    /// The last ID added (or set by XSETID).
    pub last_id: StreamId,
    /// The first live entry's ID as Redis last recorded it (0-0 when empty).
    pub first_id: StreamId,
    /// The greatest ID XDEL removed (or XSETID set).
    pub max_deleted_id: StreamId,
    /// Entries ever added.
    pub entries_added: u64,
    /// Consumer groups by name (byte order).
    pub groups: BTreeMap<Vec<u8>, Group>,
    /// The node XADD opened last, while it is the tail: Redis allocates a new node's listpack
    /// with 4 KB of room (`lpNew(prealloc)`) and shrinks it to fit only when the next node
    /// opens. A copied or loaded stream's nodes are allocated exactly.
    preallocated: Preallocated,
}

/// Where Redis's allocation has room to spare: memory accounting only, not part of the value
/// (two streams with the same contents are equal whatever their history).
#[derive(Debug, Clone, Copy, Default)]
struct Preallocated(Option<StreamId>);

impl PartialEq for Preallocated {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Preallocated {}

impl Stream {
    /// An empty stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry (`fields` holds field, value, … pairs) and answers its ID, as Redis's
    /// `streamAppendItem`: the ID must be greater than the last one; the entry goes in the tail
    /// node unless that node is full by bytes or entries, in which case a new node starts.
    pub fn append(
        &mut self,
        new_id: NewId,
        fields: &[Vec<u8>],
        now_ms: i64,
        limits: NodeLimits,
    ) -> Result<StreamId, AppendError> {
        let last = self.last_id;
        let id = match new_id {
            NewId::Exact(id) => id,
            NewId::Ms(ms) if ms == last.ms => {
                if last.seq == u64::MAX {
                    return Err(AppendError::SequenceExhausted);
                }
                StreamId::new(ms, last.seq + 1)
            }
            NewId::Ms(ms) => StreamId::new(ms, 0),
            NewId::Auto => {
                let ms = u64::try_from(now_ms).unwrap_or(0);
                if ms > last.ms {
                    StreamId::new(ms, 0)
                } else {
                    // At the largest ID Redis wraps to 0-0, which the check below refuses.
                    last.next().unwrap_or(StreamId::MIN)
                }
            }
        };
        if id <= last {
            return Err(AppendError::NotGreater);
        }
        let total = fields
            .iter()
            .fold(0usize, |sum, f| sum.saturating_add(f.len()));
        if total > LISTPACK_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }
        let max_bytes = match limits.max_bytes {
            0 => LISTPACK_MAX_SIZE,
            n => n.min(LISTPACK_MAX_SIZE),
        };
        let tail_full = self.nodes.last_key_value().is_none_or(|(_, node)| {
            node.bytes().saturating_add(total) >= max_bytes
                || (limits.max_entries != 0
                    && node.live.saturating_add(node.deleted) >= limits.max_entries as u64)
        });
        let names = || fields.iter().step_by(2).cloned().collect::<Vec<_>>();
        if tail_full {
            self.preallocated = Preallocated(Some(id));
            let master_fields = names();
            let body_bytes = lp::count(master_fields.len() as u64)
                + master_fields.iter().map(|f| lp::string(f)).sum::<usize>()
                + lp::int(0);
            self.nodes.insert(
                id,
                Node {
                    master_fields,
                    entries: Vec::new(),
                    live: 0,
                    deleted: 0,
                    body_bytes,
                },
            );
        }
        // The tail node exists: it was there, or was just inserted with the greatest key.
        let Some((&master_id, node)) = self.nodes.iter_mut().next_back() else {
            return Err(AppendError::TooLarge);
        };
        let same_fields = node.same_fields(fields);
        let pairs = fields.len() / 2;
        let mut bytes = lp::int(if same_fields { FLAG_SAMEFIELDS } else { 0 })
            + lp::int(id.ms.wrapping_sub(master_id.ms) as i64)
            + lp::int(id.seq.wrapping_sub(master_id.seq) as i64);
        let mut lp_count = 3 + pairs as u64;
        if same_fields {
            bytes += fields
                .iter()
                .skip(1)
                .step_by(2)
                .map(|v| lp::string(v))
                .sum::<usize>();
        } else {
            bytes += lp::count(pairs as u64) + fields.iter().map(|v| lp::string(v)).sum::<usize>();
            lp_count += pairs as u64 + 1;
        }
        bytes += lp::count(lp_count);
        node.body_bytes = node.body_bytes.saturating_add(bytes);
        node.live += 1;
        node.entries.push(NodeEntry {
            id,
            deleted: false,
            fields: fields.to_vec(),
        });
        self.length += 1;
        self.entries_added = self.entries_added.wrapping_add(1);
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// Live entries from `start` to `end` (inclusive), in order or reversed, at most `count`
    /// of them (0: all), walked as Redis's stream iterator walks its nodes.
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        count: usize,
    ) -> Vec<&NodeEntry> {
        let mut out = Vec::new();
        self.walk(start, end, rev, |_, _, entry| {
            out.push(entry);
            count == 0 || out.len() < count
        });
        out
    }

    /// Calls `f` on each live entry from `start` to `end` until it answers false. As Redis's
    /// iterator: forwards it starts at the node holding `start` and stops at the first live
    /// entry past `end`; backwards the mirror image.
    fn walk<'a>(
        &'a self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        mut f: impl FnMut(StreamId, usize, &'a NodeEntry) -> bool,
    ) {
        if rev {
            let from = (!end.is_zero())
                .then(|| self.nodes.range(..=end).next_back().map(|(k, _)| *k))
                .flatten()
                .or_else(|| self.nodes.last_key_value().map(|(k, _)| *k));
            let Some(from) = from else { return };
            for (&key, node) in self.nodes.range(..=from).rev() {
                for (index, entry) in node.entries.iter().enumerate().rev() {
                    if entry.id <= end
                        && !entry.deleted
                        && (entry.id < start || !f(key, index, entry))
                    {
                        return;
                    }
                }
            }
        } else {
            let from = (!start.is_zero())
                .then(|| self.nodes.range(..=start).next_back().map(|(k, _)| *k))
                .flatten()
                .or_else(|| self.nodes.first_key_value().map(|(k, _)| *k));
            let Some(from) = from else { return };
            for (&key, node) in self.nodes.range(from..) {
                for (index, entry) in node.entries.iter().enumerate() {
                    if entry.id >= start
                        && !entry.deleted
                        && (entry.id > end || !f(key, index, entry))
                    {
                        return;
                    }
                }
            }
        }
    }

    /// The live entry with this ID, if any (Redis's `streamEntryExists`).
    pub fn get(&self, id: StreamId) -> Option<&NodeEntry> {
        self.range(id, id, false, 1).into_iter().next()
    }

    /// The first live ID, or the largest ID when there is none (`streamGetEdgeID`).
    pub fn first_live_id(&self) -> StreamId {
        self.range(StreamId::MIN, StreamId::MAX, false, 1)
            .first()
            .map_or(StreamId::MAX, |e| e.id)
    }

    /// The last live ID, or 0-0 when there is none (`streamLastValidID`).
    pub fn last_live_id(&self) -> StreamId {
        self.range(StreamId::MIN, StreamId::MAX, true, 1)
            .first()
            .map_or(StreamId::MIN, |e| e.id)
    }

    /// Deletes one live entry, as Redis's `streamDeleteItem`: it becomes a tombstone, and the
    /// node goes when it was the node's last live entry. Answers whether it existed.
    fn delete_one(&mut self, id: StreamId) -> bool {
        let mut found = None;
        self.walk(id, id, false, |key, index, _| {
            found = Some((key, index));
            false
        });
        let Some((key, index)) = found else {
            return false;
        };
        let Some(node) = self.nodes.get_mut(&key) else {
            return false;
        };
        if node.live == 1 {
            self.nodes.remove(&key);
        } else if let Some(entry) = node.entries.get_mut(index) {
            entry.deleted = true;
            node.live = node.live.saturating_sub(1);
            node.deleted += 1;
        }
        self.length = self.length.saturating_sub(1);
        true
    }

    /// XDEL: deletes the entries with these IDs, keeping the first ID and the maximal deleted
    /// ID as Redis does; answers how many existed.
    pub fn delete(&mut self, ids: &[StreamId]) -> u64 {
        let mut deleted = 0;
        let mut first_deleted = false;
        for &id in ids {
            if self.delete_one(id) {
                if id == self.first_id {
                    first_deleted = true;
                }
                if id > self.max_deleted_id {
                    self.max_deleted_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if self.length == 0 {
                self.first_id = StreamId::MIN;
            } else if first_deleted {
                self.first_id = self.first_live_id();
            }
        }
        deleted
    }

    /// Trims the stream from its head as Redis's `streamTrim`; answers how many entries went.
    /// Whole nodes go while they can; then, unless approximate, entries of the next node are
    /// marked deleted one by one. `limit` stops before a node that would exceed it.
    pub fn trim(&mut self, trim: Trim) -> u64 {
        let mut deleted: u64 = 0;
        while let Some((&key, node)) = self.nodes.first_key_value() {
            if let TrimStrategy::MaxLen(max) = trim.strategy
                && self.length <= max
            {
                break;
            }
            let entries = node.live;
            if trim.limit != 0 && deleted.saturating_add(entries) > trim.limit {
                break;
            }
            let remove = match trim.strategy {
                TrimStrategy::MaxLen(max) => self.length.saturating_sub(entries) >= max,
                TrimStrategy::MinId(min) => node.entries.last().is_some_and(|e| e.id < min),
            };
            if remove {
                self.nodes.remove(&key);
                self.length = self.length.saturating_sub(entries);
                deleted += entries;
                continue;
            }
            if trim.approx {
                break;
            }
            let mut length = self.length;
            let Some(node) = self.nodes.get_mut(&key) else {
                break;
            };
            let mut from_node = 0;
            for entry in &mut node.entries {
                let stop = match trim.strategy {
                    TrimStrategy::MaxLen(max) => length <= max,
                    TrimStrategy::MinId(min) => entry.id >= min,
                };
                if stop {
                    break;
                }
                if !entry.deleted {
                    entry.deleted = true;
                    from_node += 1;
                    length = length.saturating_sub(1);
                }
            }
            node.live = node.live.saturating_sub(from_node);
            node.deleted += from_node;
            self.length = length;
            deleted += from_node;
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.first_id = self.first_live_id();
        }
        deleted
    }

    /// Whether a range may contain a tombstone, as Redis's `streamRangeHasTombstones` guesses
    /// it from the maximal deleted ID.
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        if self.length == 0 || self.max_deleted_id.is_zero() || self.first_id > self.max_deleted_id
        {
            return false;
        }
        let start = start.unwrap_or(StreamId::MIN);
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// How many entries were added up to `id` included, where that can be known (Redis's
    /// `streamEstimateDistanceFromFirstEverEntry`); [`ENTRIES_READ_INVALID`] otherwise.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return added;
        }
        if id == self.last_id {
            return added;
        }
        if id > self.last_id {
            return ENTRIES_READ_INVALID;
        }
        if self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id {
            let length = self.length as i64;
            if id < self.first_id {
                return added.wrapping_sub(length);
            }
            if id == self.first_id {
                return added.wrapping_sub(length).wrapping_add(1);
            }
        }
        ENTRIES_READ_INVALID
    }

    /// A group's lag (entries not yet delivered to it), or `None` when it cannot be known
    /// (Redis's `streamReplyWithCGLag`).
    pub fn lag(&self, group: &Group) -> Option<i64> {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return Some(0);
        }
        if group.entries_read != ENTRIES_READ_INVALID
            && !self.range_has_tombstones(Some(group.last_id), None)
        {
            return Some(added.wrapping_sub(group.entries_read));
        }
        match self.estimate_distance(group.last_id) {
            ENTRIES_READ_INVALID => None,
            read => Some(added.wrapping_sub(read)),
        }
    }

    /// Moves a group's last delivered ID to `id` after delivering it, keeping its read counter
    /// as `streamReplyWithRange` does.
    pub fn advance_group(&mut self, name: &[u8], id: StreamId) {
        let tombstones_ahead = self.range_has_tombstones(Some(id), None);
        let estimate = self.estimate_distance(id);
        let added = self.entries_added;
        let Some(group) = self.groups.get_mut(name) else {
            return;
        };
        if id <= group.last_id {
            return;
        }
        if group.entries_read != ENTRIES_READ_INVALID && !tombstones_ahead {
            group.entries_read = group.entries_read.wrapping_add(1);
        } else if added != 0 {
            group.entries_read = estimate;
        }
        group.last_id = id;
    }

    /// Number of nodes (XINFO's `radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tail node still has the room XADD gave it when it opened it.
    pub fn tail_preallocated(&self) -> bool {
        self.preallocated
            .0
            .is_some_and(|id| self.nodes.last_key_value().is_some_and(|(k, _)| *k == id))
    }

    /// The stream as Redis's `streamDup` copies it (COPY): every node allocated exactly.
    #[must_use]
    pub fn duplicate(&self) -> Stream {
        Stream {
            preallocated: Preallocated(None),
            ..self.clone()
        }
    }

    /// The size of each node's listpack (`lpBytes`), oldest node first.
    pub fn node_bytes(&self) -> impl DoubleEndedIterator<Item = usize> + '_ {
        self.nodes.values().map(Node::bytes)
    }

    /// Number of radix-tree nodes of a pending entries list holding these IDs (in order).
    pub fn pel_rax_nodes<'a>(ids: impl Iterator<Item = &'a StreamId>) -> usize {
        let keys: Vec<[u8; 16]> = ids.map(|id| id.key()).collect();
        rax_node_count(&keys, 0)
    }

    /// Number of radix-tree nodes holding the node keys (XINFO's `radix-tree-nodes`).
    pub fn rax_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|id| id.key()).collect();
        rax_node_count(&keys, 0)
    }

    /// Writes the stream as Redis's `rdbSaveObject` does (type `STREAM_LISTPACKS_2`): every
    /// node's key and listpack, the counters, then each group with its PEL and consumers.
    pub fn save_rdb(&self, w: &mut crate::rdb::Writer) {
        w.save_len(self.nodes.len() as u64);
        for (master_id, node) in &self.nodes {
            w.save_string(&master_id.key());
            w.save_string(&node.listpack(*master_id));
        }
        w.save_len(self.length);
        for id in [self.last_id, self.first_id, self.max_deleted_id] {
            w.save_len(id.ms);
            w.save_len(id.seq);
        }
        w.save_len(self.entries_added);
        w.save_len(self.groups.len() as u64);
        for (name, group) in &self.groups {
            w.save_string(name);
            w.save_len(group.last_id.ms);
            w.save_len(group.last_id.seq);
            w.save_len(group.entries_read as u64);
            w.save_len(group.pel.len() as u64);
            for (id, nack) in &group.pel {
                w.raw(&id.key());
                w.raw(&nack.delivery_time.to_le_bytes());
                w.save_len(nack.delivery_count);
            }
            w.save_len(group.consumers.len() as u64);
            for (name, consumer) in &group.consumers {
                w.save_string(name);
                w.raw(&consumer.seen_time.to_le_bytes());
                w.save_len(consumer.pel.len() as u64);
                for id in &consumer.pel {
                    w.raw(&id.key());
                }
            }
        }
    }
}

/// Why a stream could not be loaded (RESTORE answers `Bad data format`).
const CORRUPT: LoadError = LoadError::Corrupt("stream integrity check failed");

/// The next listpack element as an integer (`lpGetIntegerIfValid`).
fn int<'a>(it: &mut impl Iterator<Item = Element<'a>>) -> Result<i64, LoadError> {
    it.next().and_then(Element::as_int).ok_or(CORRUPT)
}

/// The next listpack element as a count: a non-negative integer.
fn count<'a>(it: &mut impl Iterator<Item = Element<'a>>) -> Result<u64, LoadError> {
    u64::try_from(int(it)?).map_err(|_| CORRUPT)
}

impl Node {
    /// Reads a node's listpack (its elements, as [`crate::rdb::listpack::decode`] gives them)
    /// under its master ID. Checked as Redis's deep `streamValidateListpackIntegrity` checks it
    /// (the master entry, each entry's layout and its closing count, nothing left over), and
    /// more, since Redis trusts these without `sanitize-dump-payload yes` and then misbehaves:
    /// the master entry's live and deleted counts must be those of the entries, and the
    /// entries' IDs must increase from the master ID on.
    fn from_listpack(master_id: StreamId, elements: &[Element<'_>]) -> Result<Node, LoadError> {
        let mut it = elements.iter().copied();
        let live = count(&mut it)?;
        let deleted = count(&mut it)?;
        let field_count = count(&mut it)?;
        let mut master_fields = Vec::new();
        for _ in 0..field_count {
            master_fields.push(it.next().ok_or(CORRUPT)?.to_vec());
        }
        if int(&mut it)? != 0 {
            return Err(LoadError::Corrupt("stream master entry not closed by 0"));
        }
        let total = live.checked_add(deleted).ok_or(CORRUPT)?;
        // Entries with the master's fields leave their names out, so a small listpack can stand
        // for many copies of long names: the copies are capped well above what a node Redis
        // writes can hold.
        let budget = elements.len().saturating_mul(128).max(4 << 20);
        let mut materialized = 0usize;
        let mut entries = Vec::new();
        let mut previous: Option<StreamId> = None;
        let (mut seen_live, mut seen_deleted) = (0u64, 0u64);
        for _ in 0..total {
            let flags = int(&mut it)?;
            let ms = master_id.ms.wrapping_add(int(&mut it)? as u64);
            let seq = master_id.seq.wrapping_add(int(&mut it)? as u64);
            let id = StreamId::new(ms, seq);
            if id < master_id || previous.is_some_and(|p| id <= p) {
                return Err(LoadError::Corrupt("stream entry IDs out of order"));
            }
            previous = Some(id);
            let mut fields = Vec::new();
            let expected_count = if flags & FLAG_SAMEFIELDS != 0 {
                for name in &master_fields {
                    fields.push(name.clone());
                    fields.push(it.next().ok_or(CORRUPT)?.to_vec());
                }
                3 + master_fields.len() as u64
            } else {
                let pairs = count(&mut it)?;
                for _ in 0..pairs {
                    fields.push(it.next().ok_or(CORRUPT)?.to_vec());
                    fields.push(it.next().ok_or(CORRUPT)?.to_vec());
                }
                pairs
                    .checked_mul(2)
                    .and_then(|n| n.checked_add(4))
                    .ok_or(CORRUPT)?
            };
            if u64::try_from(int(&mut it)?).ok() != Some(expected_count) {
                return Err(LoadError::Corrupt("stream entry count mismatch"));
            }
            materialized = fields
                .iter()
                .fold(materialized, |sum, f| sum.saturating_add(f.len()));
            if materialized > budget {
                return Err(LoadError::Corrupt("stream node too large"));
            }
            let is_deleted = flags & FLAG_DELETED != 0;
            if is_deleted {
                seen_deleted += 1;
            } else {
                seen_live += 1;
            }
            entries.push(NodeEntry {
                id,
                deleted: is_deleted,
                fields,
            });
        }
        if it.next().is_some() || seen_live != live || seen_deleted != deleted {
            return Err(LoadError::Corrupt("stream node counts mismatch"));
        }
        let mut node = Node {
            master_fields,
            entries,
            live,
            deleted,
            body_bytes: 0,
        };
        // The size is that of the listpack this node writes (the same bytes as the one read,
        // when Redis wrote it).
        node.body_bytes = node
            .listpack(master_id)
            .len()
            .saturating_sub(lp::EMPTY + lp::count(live) + lp::count(deleted));
        Ok(node)
    }
}

impl Stream {
    /// Reads a stream written by [`Stream::save_rdb`] or by Redis (`rdbLoadObject`'s stream
    /// branch): `STREAM_LISTPACKS_2` when `v2`, else the older `STREAM_LISTPACKS`, whose first
    /// ID, maximal deleted ID, entries-added counter and groups' read counters are derived as
    /// Redis derives them. Beyond Redis's own checks (node keys of 16 bytes and distinct,
    /// non-empty listpacks, distinct group and consumer names, PEL entries distinct and known to
    /// the group, and with `sanitize-dump-payload yes` each node's layout), these are refused
    /// where Redis would load something it later trips over: a node's listpack broken inside,
    /// nodes out of order, overlapping or without entries, a node's live or deleted count other
    /// than its entries', a length other than the live entries' count, a last ID below an
    /// entry's, a counter whose length prefix is invalid (Redis keeps the error value as the
    /// counter), and a group PEL entry that no consumer (or two) owns.
    pub fn load_rdb(r: &mut Reader<'_>, v2: bool) -> Result<Stream, LoadError> {
        let mut s = Stream::new();
        let node_count = r.load_len()?;
        let mut last_entry: Option<StreamId> = None;
        for _ in 0..node_count {
            let key = r.load_string()?;
            let master_id = StreamId::from_key(&key).ok_or(CORRUPT)?;
            let blob = r.load_string()?;
            // Redis checks a node's entries one by one, but not the listpack header's count.
            let elements = listpack::decode_uncounted(&blob)?;
            if elements.is_empty() {
                return Err(LoadError::Corrupt("empty stream node"));
            }
            let node = Node::from_listpack(master_id, &elements)?;
            // Nodes come in order, each past the previous one's entries.
            let Some(last) = node.entries.last().map(|e| e.id) else {
                return Err(LoadError::Corrupt("stream node without entries"));
            };
            if last_entry.is_some_and(|previous| master_id <= previous) {
                return Err(LoadError::Corrupt("stream nodes out of order"));
            }
            last_entry = Some(last);
            s.nodes.insert(master_id, node);
        }
        s.length = r.load_len()?;
        s.last_id = StreamId::new(r.load_len()?, r.load_len()?);
        if v2 {
            s.first_id = StreamId::new(r.load_len()?, r.load_len()?);
            s.max_deleted_id = StreamId::new(r.load_len()?, r.load_len()?);
            s.entries_added = r.load_len()?;
        } else {
            s.max_deleted_id = StreamId::MIN;
            s.entries_added = s.length;
            s.first_id = s.first_live_id();
        }
        let live: u64 = s.nodes.values().map(|n| n.live).sum();
        if live != s.length || last_entry.is_some_and(|last| last > s.last_id) {
            return Err(LoadError::Corrupt("stream length or last ID inconsistent"));
        }
        let group_count = r.load_len()?;
        for _ in 0..group_count {
            let name = r.load_string()?;
            let last_id = StreamId::new(r.load_len()?, r.load_len()?);
            let entries_read = if v2 {
                r.load_len()? as i64
            } else {
                s.estimate_distance(last_id)
            };
            if s.groups.contains_key(&name) {
                return Err(LoadError::Corrupt("duplicate stream group"));
            }
            let group = load_group(r, Group::new(last_id, entries_read))?;
            s.groups.insert(name, group);
        }
        Ok(s)
    }
}

/// Reads a group's PEL and consumers into `group`.
fn load_group(r: &mut Reader<'_>, mut group: Group) -> Result<Group, LoadError> {
    let read_id = |r: &mut Reader<'_>| -> Result<StreamId, LoadError> {
        StreamId::from_key(r.read_exact(16)?).ok_or(CORRUPT)
    };
    let read_time = |r: &mut Reader<'_>| -> Result<i64, LoadError> {
        let bytes = r.read_exact(8)?;
        Ok(i64::from_le_bytes(
            <[u8; 8]>::try_from(bytes).map_err(|_| CORRUPT)?,
        ))
    };
    // The PEL, its owners left for the consumers to claim.
    let mut owners: BTreeMap<StreamId, (i64, u64, Option<Vec<u8>>)> = BTreeMap::new();
    let pel_size = r.load_len()?;
    for _ in 0..pel_size {
        let id = read_id(r)?;
        let delivery_time = read_time(r)?;
        let delivery_count = r.load_len()?;
        if owners
            .insert(id, (delivery_time, delivery_count, None))
            .is_some()
        {
            return Err(LoadError::Corrupt("duplicate stream PEL entry"));
        }
    }
    let consumer_count = r.load_len()?;
    for _ in 0..consumer_count {
        let name = r.load_string()?;
        if group.consumers.contains_key(&name) {
            return Err(LoadError::Corrupt("duplicate stream consumer"));
        }
        let seen_time = read_time(r)?;
        let mut pel = BTreeSet::new();
        let owned = r.load_len()?;
        for _ in 0..owned {
            let id = read_id(r)?;
            let Some((_, _, owner @ None)) = owners.get_mut(&id) else {
                return Err(LoadError::Corrupt("stream consumer PEL entry unknown"));
            };
            *owner = Some(name.clone());
            pel.insert(id);
        }
        group.consumers.insert(name, Consumer { seen_time, pel });
    }
    for (id, (delivery_time, delivery_count, owner)) in owners {
        let consumer = owner.ok_or(LoadError::Corrupt("stream PEL entry without consumer"))?;
        group.pel.insert(
            id,
            Nack {
                delivery_time,
                delivery_count,
                consumer,
            },
        );
    }
    Ok(group)
}

/// Nodes of a Redis radix tree (`rax`) holding these sorted, distinct 16-byte keys, counting
/// the node at depth `depth` under which they all sit. A rax node holds either a run of bytes
/// leading to one child (a compressed node, or a single-child node for one byte) or the first
/// byte of each branch; after a branch, the rest of each edge needs a node of its own. Every
/// key ends in a leaf node. Redis's insertions and deletions both keep this shape.
fn rax_node_count(keys: &[[u8; 16]], depth: usize) -> usize {
    let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
        return 1;
    };
    if depth >= 16 {
        return 1;
    }
    let common = (depth..16)
        .take_while(|&i| first.get(i) == last.get(i))
        .count();
    if common > 0 {
        return 1 + rax_node_count(keys, depth + common);
    }
    let mut total = 1;
    let mut rest = keys;
    while let Some(head) = rest.first() {
        let byte = head.get(depth);
        let same = rest.iter().take_while(|k| k.get(depth) == byte).count();
        let (group, tail) = rest.split_at(same);
        total += rax_node_count(group, depth + 1);
        rest = tail;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: NodeLimits = NodeLimits {
        max_bytes: 4096,
        max_entries: 100,
    };

    fn fv(pairs: &[&str]) -> Vec<Vec<u8>> {
        pairs.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId::new(ms, seq)
    }

    const STRICT: IdSyntax = IdSyntax {
        missing_seq: 0,
        strict: true,
        auto_seq: false,
    };

    #[test]
    fn ids_parse_as_string2ull_reads_them() {
        let p = |s: &str| parse_id(s.as_bytes(), STRICT).map(|(id, _)| id);
        assert_eq!(p("1-2"), Some(id(1, 2)));
        assert_eq!(p("5"), Some(id(5, 0)));
        assert_eq!(p(" 1-+5"), Some(id(1, 5)));
        assert_eq!(p("1--01"), Some(id(1, u64::MAX)));
        assert_eq!(p("1--0"), Some(id(1, 0)));
        assert_eq!(p("1--1"), None);
        assert_eq!(
            p("18446744073709551615-18446744073709551615"),
            Some(StreamId::MAX)
        );
        assert_eq!(p("18446744073709551616"), None);
        assert_eq!(p("-"), None);
        assert_eq!(p("+"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("1-"), None);
        assert_eq!(p("-1"), None);
        assert_eq!(p("1 "), None);
        assert_eq!(p("1-2\0junk"), Some(id(1, 2)));
        assert_eq!(p(&"1".repeat(128)), None);
        let loose = IdSyntax {
            missing_seq: u64::MAX,
            strict: false,
            auto_seq: false,
        };
        assert_eq!(parse_id(b"-", loose), Some((StreamId::MIN, true)));
        assert_eq!(parse_id(b"7", loose), Some((id(7, u64::MAX), true)));
        let xadd = IdSyntax {
            auto_seq: true,
            ..STRICT
        };
        assert_eq!(parse_id(b"7-*", xadd), Some((id(7, 0), false)));
        assert_eq!(parse_id(b"7-*", STRICT), None);
    }

    #[test]
    fn listpack_element_sizes() {
        assert_eq!(lp::int(0), 2);
        assert_eq!(lp::int(127), 2);
        assert_eq!(lp::int(128), 3);
        assert_eq!(lp::int(-4096), 3);
        assert_eq!(lp::int(4096), 4);
        assert_eq!(lp::int(i64::MAX), 10);
        assert_eq!(lp::string(b"abc"), 5);
        assert_eq!(lp::string(b"-12"), 3);
        assert_eq!(lp::string(&[b'a'; 63]), 65);
        assert_eq!(lp::string(&[b'a'; 64]), 67);
        assert_eq!(lp::string(&[b'a'; 126]), 130);
    }

    #[test]
    fn nodes_split_at_the_entry_limit() {
        let mut s = Stream::new();
        for i in 1..=250 {
            s.append(NewId::Exact(id(i, 0)), &fv(&["f", "v"]), 0, LIMITS)
                .expect("append");
        }
        assert_eq!(s.node_count(), 3);
        let trimmed = s.trim(Trim {
            strategy: TrimStrategy::MaxLen(120),
            approx: true,
            limit: 10_000,
        });
        assert_eq!(trimmed, 100);
        assert_eq!(s.length, 150);
        assert_eq!(s.first_id, id(101, 0));
    }

    #[test]
    fn auto_ids_follow_the_clock_and_never_go_back() {
        let mut s = Stream::new();
        let a = s.append(NewId::Auto, &fv(&["f", "v"]), 1000, LIMITS);
        let b = s.append(NewId::Auto, &fv(&["f", "v"]), 1000, LIMITS);
        let c = s.append(NewId::Auto, &fv(&["f", "v"]), 900, LIMITS);
        assert_eq!(
            (a, b, c),
            (Ok(id(1000, 0)), Ok(id(1000, 1)), Ok(id(1000, 2)))
        );
        assert_eq!(
            s.append(NewId::Ms(1000), &fv(&["f", "v"]), 0, LIMITS),
            Ok(id(1000, 3))
        );
        assert_eq!(
            s.append(NewId::Exact(id(1000, 3)), &fv(&["f", "v"]), 0, LIMITS),
            Err(AppendError::NotGreater)
        );
    }

    #[test]
    fn rax_node_counts() {
        let keys = |ids: &[StreamId]| ids.iter().map(|i| i.key()).collect::<Vec<_>>();
        assert_eq!(rax_node_count(&[], 0), 1);
        assert_eq!(rax_node_count(&keys(&[id(1, 0)]), 0), 2);
        // Two keys differing in the last byte: root run, branch, two leaves.
        assert_eq!(rax_node_count(&keys(&[id(1, 0), id(1, 1)]), 0), 4);
        // Differing in byte 7: root run, branch, two runs of 8 bytes, two leaves.
        assert_eq!(rax_node_count(&keys(&[id(1, 0), id(2, 0)]), 0), 6);
    }

    #[test]
    fn tracked_node_sizes_equal_the_listpacks_written() {
        // A small xorshift, so the mix of sizes, deletions and trims is varied but fixed.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut s = Stream::new();
        let mut last = 0;
        for _ in 0..3000 {
            match next(10) {
                0..=6 => {
                    last += 1 + next(3);
                    let value = match next(4) {
                        0 => (next(1_000_000_000) as i64 - 500).to_string().into_bytes(),
                        1 => vec![b'x'; next(200) as usize],
                        2 => vec![b'y'; 4000 + next(200) as usize],
                        _ => b"v".to_vec(),
                    };
                    let fields = if next(3) == 0 {
                        vec![b"other".to_vec(), value, b"f2".to_vec(), b"1".to_vec()]
                    } else {
                        vec![b"f".to_vec(), value]
                    };
                    let id = StreamId::new(last / 3, last % 3 + next(2));
                    let _ = s.append(NewId::Exact(id), &fields, 0, LIMITS);
                }
                7 | 8 => {
                    let victim = StreamId::new(next(last / 3 + 1), next(3));
                    s.delete(&[victim]);
                }
                _ => {
                    let strategy = if next(2) == 0 {
                        TrimStrategy::MaxLen(next(300))
                    } else {
                        TrimStrategy::MinId(StreamId::new(next(last / 3 + 1), 0))
                    };
                    s.trim(Trim {
                        strategy,
                        approx: next(2) == 0,
                        limit: next(3) * 100,
                    });
                }
            }
            for (key, node) in &s.nodes {
                assert_eq!(node.bytes(), node.listpack(*key).len());
            }
            let live: u64 = s.nodes.values().map(|n| n.live).sum();
            assert_eq!(live, s.length);
        }
    }
}
