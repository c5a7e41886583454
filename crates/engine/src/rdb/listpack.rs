//! Redis's listpack, the packed sequence the small encodings (and every quicklist node) keep in
//! RDB payloads, built byte for byte as Redis 7.0's `lpAppend` builds it; and how a quicklist
//! cuts a list into listpack nodes when it grows at its tail.
//!
//! Layout: a 6-byte header (total bytes, `u32` little-endian; element count, `u16`, 65535 when
//! unknown), the entries, and a 0xFF terminator. Each entry is its encoding (a canonical 64-bit
//! integer in the narrowest integer form, else a string with a 6, 12 or 32-bit length) followed
//! by the entry's length written backwards in 7-bit groups, so the pack reads both ways.
//!
//! [`decode`] reads a listpack back, checking it as Redis's deep `lpValidateIntegrity` does.

use super::LoadError;
use crate::num::parse_i64;

/// Bytes of the header.
const HEADER: usize = 6;
/// The terminator byte.
const EOF: u8 = 0xFF;
/// The element count a header holds once it can no longer count (`LP_HDR_NUMELE_UNKNOWN`).
const COUNT_UNKNOWN: u16 = u16::MAX;

/// A listpack under construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listpack {
    /// Header and entries, without the terminator.
    buf: Vec<u8>,
    count: u16,
}

impl Default for Listpack {
    fn default() -> Self {
        Self::new()
    }
}

impl Listpack {
    /// An empty listpack.
    pub fn new() -> Self {
        Listpack {
            buf: vec![0; HEADER],
            count: 0,
        }
    }

    /// Its size in bytes, header and terminator included (`lpBytes`).
    pub fn size(&self) -> usize {
        self.buf.len() + 1
    }

    /// Number of elements (as the header records it: at most 65535).
    pub fn count(&self) -> u16 {
        self.count
    }

    /// Appends an element, as `lpAppend`: an element that is a canonical integer is stored as
    /// a number.
    pub fn append(&mut self, element: &[u8]) {
        let start = self.buf.len();
        match integer(element) {
            Some(v) => encode_integer(&mut self.buf, v),
            None => encode_string(&mut self.buf, element),
        }
        let entry_len = self.buf.len() - start;
        encode_backlen(&mut self.buf, entry_len as u64);
        if self.count != COUNT_UNKNOWN {
            self.count += 1;
        }
    }

    /// The finished bytes.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.buf.push(EOF);
        // A listpack is limited to u32 bytes; nothing built here comes near.
        let total = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        let mut header = [0; HEADER];
        header[..4].copy_from_slice(&total.to_le_bytes());
        header[4..].copy_from_slice(&self.count.to_le_bytes());
        self.buf[..HEADER].copy_from_slice(&header);
        self.buf
    }
}

/// The integer a listpack stores for an element (`lpStringToInt64`: the canonical decimal
/// form of an `i64`, as `string2ll` accepts it), if any.
fn integer(element: &[u8]) -> Option<i64> {
    // string2ll and lpStringToInt64 accept exactly the same spellings (no sign but '-', no
    // leading zero, no space, "0" but not "-0") within 20 characters.
    if element.len() > 20 {
        return None;
    }
    parse_i64(element)
}

fn encode_integer(buf: &mut Vec<u8>, v: i64) {
    if (0..=127).contains(&v) {
        buf.push(v as u8);
    } else if (-4096..=4095).contains(&v) {
        // 13 bits, two's complement: 110xxxxx yyyyyyyy.
        let u = (v & 0x1fff) as u16;
        buf.push(0xC0 | (u >> 8) as u8);
        buf.push(u as u8);
    } else if let Ok(v) = i16::try_from(v) {
        buf.push(0xF1);
        buf.extend_from_slice(&v.to_le_bytes());
    } else if (-8_388_608..=8_388_607).contains(&v) {
        buf.push(0xF2);
        buf.extend_from_slice(&v.to_le_bytes()[..3]);
    } else if let Ok(v) = i32::try_from(v) {
        buf.push(0xF3);
        buf.extend_from_slice(&v.to_le_bytes());
    } else {
        buf.push(0xF4);
        buf.extend_from_slice(&v.to_le_bytes());
    }
}

fn encode_string(buf: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 64 {
        buf.push(0x80 | len as u8);
    } else if len < 4096 {
        buf.push(0xE0 | (len >> 8) as u8);
        buf.push(len as u8);
    } else {
        buf.push(0xF0);
        // Elements are limited by proto-max-bulk-len (512 MB), well within 32 bits.
        buf.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
    }
    buf.extend_from_slice(s);
}

/// The entry length `l`, most significant 7-bit group first, every group but the first with its
/// high bit set (`lpEncodeBacklen`).
fn encode_backlen(buf: &mut Vec<u8>, l: u64) {
    let groups = if l <= 127 {
        1
    } else if l < 16_383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    };
    for i in (0..groups).rev() {
        let group = ((l >> (7 * i)) & 127) as u8;
        buf.push(if i == groups - 1 { group } else { group | 128 });
    }
}

/// The bytes one element takes in a listpack (its encoding and back-length), as `lpAppend`
/// stores it; what a quicklist node grows by when the element is pushed.
pub fn entry_size(element: &[u8]) -> usize {
    let encoded = match integer(element) {
        Some(v) => match v {
            0..=127 => 1,
            -4096..=4095 => 2,
            -32_768..=32_767 => 3,
            -8_388_608..=8_388_607 => 4,
            -2_147_483_648..=2_147_483_647 => 5,
            _ => 9,
        },
        None => match element.len() {
            n @ 0..64 => 1 + n,
            n @ 64..4096 => 2 + n,
            n => n.saturating_add(5),
        },
    };
    let backlen = match encoded {
        0..=127 => 1,
        128..16_383 => 2,
        16_383..2_097_151 => 3,
        2_097_151..268_435_455 => 4,
        _ => 5,
    };
    encoded + backlen
}

/// Redis's `optimization_level`: the node size limits of fills -1 to -5.
const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Redis's `SIZE_SAFETY_LIMIT`: the most a node with a count-based fill may reach.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Redis's `SIZE_ESTIMATE_OVERHEAD`: what a node expects one more entry to cost beyond its
/// bytes.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// The largest count-based fill (`FILL_MAX`).
const FILL_MAX: i64 = (1 << 15) - 1;

/// One element to pack, or one read from a listpack or ziplist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element<'a> {
    /// A string; stored as an integer when it is one in canonical form.
    Bytes(&'a [u8]),
    /// An integer (`lpAppendInteger`).
    Int(i64),
}

impl Element<'_> {
    /// The element as the bytes Redis hands out for it: a string as it is, an integer as its
    /// decimal text (`ll2string`).
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Element::Bytes(b) => b.to_vec(),
            Element::Int(n) => n.to_string().into_bytes(),
        }
    }

    /// The element as an integer, as `lpGetIntegerIfValid` reads it: an integer entry, or a
    /// string that is a canonical 64-bit integer.
    pub fn as_int(self) -> Option<i64> {
        match self {
            Element::Int(n) => Some(n),
            Element::Bytes(b) => parse_i64(b),
        }
    }

    /// Its length in bytes as a string (an integer counts its decimal digits).
    pub fn byte_len(self) -> usize {
        match self {
            Element::Bytes(b) => b.len(),
            Element::Int(n) => {
                let digits = n
                    .unsigned_abs()
                    .checked_ilog10()
                    .map_or(1, |d| d as usize + 1);
                digits + usize::from(n < 0)
            }
        }
    }
}

/// Reads every element of a listpack, validating it as Redis's deep `lpValidateIntegrity`: the
/// header's size is the blob's, the blob ends with the terminator, every entry has a known
/// encoding, stays inside the blob and carries the back-length of its own size, the terminator
/// follows the last entry, and the header's count (unless 65535, "unknown") is the number of
/// entries. Allocates at most one element per two bytes of input.
pub fn decode(blob: &[u8]) -> Result<Vec<Element<'_>>, LoadError> {
    decode_checked(blob, true)
}

/// [`decode`] without comparing the header's element count with the entries (as Redis's
/// stream node validation, which walks the entries itself).
pub fn decode_uncounted(blob: &[u8]) -> Result<Vec<Element<'_>>, LoadError> {
    decode_checked(blob, false)
}

fn decode_checked(blob: &[u8], check_count: bool) -> Result<Vec<Element<'_>>, LoadError> {
    let corrupt = LoadError::Corrupt("listpack integrity check failed");
    let size = blob.len();
    if size < HEADER + 1 {
        return Err(corrupt);
    }
    let header_bytes = blob
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_le_bytes);
    if usize::try_from(header_bytes).ok() != Some(size) || blob.last() != Some(&EOF) {
        return Err(corrupt);
    }
    let header_count = blob
        .get(4..6)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map_or(0, u16::from_le_bytes);
    // The entries lie between the header and the terminator.
    let body = blob.get(HEADER..size - 1).ok_or(corrupt)?;
    let mut elements = Vec::new();
    let mut p = 0;
    while p < body.len() {
        let (element, entry_len) =
            decode_entry(body.get(p..).unwrap_or_default()).ok_or(corrupt)?;
        let back = backlen_size(entry_len as u64);
        let end = p
            .checked_add(entry_len)
            .and_then(|e| e.checked_add(back))
            .filter(|&e| e <= body.len())
            .ok_or(corrupt)?;
        // Redis reads the back-length from the entry's last byte backwards.
        if decode_backlen(body.get(..end).unwrap_or_default()) != Some(entry_len as u64) {
            return Err(corrupt);
        }
        elements.push(element);
        p = end;
    }
    if check_count && header_count != COUNT_UNKNOWN && usize::from(header_count) != elements.len() {
        return Err(corrupt);
    }
    Ok(elements)
}

/// The element at the start of `entry` and the bytes of its encoding and data (without the
/// back-length); `None` for an unknown encoding or data past the end.
fn decode_entry(entry: &[u8]) -> Option<(Element<'_>, usize)> {
    let first = *entry.first()?;
    let byte = |i: usize| entry.get(i).copied().map(u64::from);
    // Little-endian integer of `n` bytes after the encoding byte.
    let le = |n: usize| -> Option<u64> {
        let mut v = 0u64;
        for i in (1..=n).rev() {
            v = (v << 8) | byte(i)?;
        }
        Some(v)
    };
    // Sign-extends the low `bits` bits of `v`.
    let signed = |v: u64, bits: u32| -> i64 {
        let shift = 64 - bits;
        ((v << shift) as i64) >> shift
    };
    let string = |header: usize, len: usize| -> Option<(Element<'_>, usize)> {
        let end = header.checked_add(len)?;
        Some((Element::Bytes(entry.get(header..end)?), end))
    };
    match first {
        0x00..=0x7F => Some((Element::Int(i64::from(first)), 1)),
        0x80..=0xBF => string(1, usize::from(first & 0x3F)),
        0xC0..=0xDF => {
            let v = (u64::from(first & 0x1F) << 8) | byte(1)?;
            Some((Element::Int(signed(v, 13)), 2))
        }
        0xE0..=0xEF => {
            let len = (usize::from(first & 0x0F) << 8) | usize::from(*entry.get(1)?);
            string(2, len)
        }
        0xF0 => {
            let len = usize::try_from(le(4)?).ok()?;
            string(5, len)
        }
        0xF1 => Some((Element::Int(signed(le(2)?, 16)), 3)),
        0xF2 => Some((Element::Int(signed(le(3)?, 24)), 4)),
        0xF3 => Some((Element::Int(signed(le(4)?, 32)), 5)),
        0xF4 => Some((Element::Int(le(8)? as i64), 9)),
        _ => None,
    }
}

/// Bytes of the back-length of an entry of `l` bytes (`lpEncodeBacklen` with no buffer).
fn backlen_size(l: u64) -> usize {
    if l <= 127 {
        1
    } else if l < 16_383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    }
}

/// The back-length that ends `before` (`lpDecodeBacklen`): 7-bit groups read from the last byte
/// backwards while their high bit is set, at most five of them.
fn decode_backlen(before: &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for (i, &b) in before.iter().rev().enumerate().take(5) {
        value |= u64::from(b & 127) << (7 * i);
        if b & 128 == 0 {
            return Some(value);
        }
    }
    None
}

/// The listpack holding `elements`, as Redis builds it by appending them in order.
pub fn encode<'a>(elements: impl IntoIterator<Item = Element<'a>>) -> Vec<u8> {
    let mut pack = Listpack::new();
    for element in elements {
        match element {
            Element::Bytes(b) => pack.append(b),
            // A canonical integer's text packs as the integer itself.
            Element::Int(n) => pack.append(n.to_string().as_bytes()),
        }
    }
    pack.into_bytes()
}

/// The listpack nodes of a quicklist that grew only at its tail (`quicklistPushTail`) with
/// the given `list-max-listpack-size` fill: an element opens a new node when the last one
/// cannot take it (`_quicklistNodeAllowInsert`). A list built another way (pushes at the head,
/// inserts, removals) may be cut differently in Redis.
pub fn quicklist_nodes<'a>(
    elements: impl IntoIterator<Item = &'a [u8]>,
    fill: i64,
) -> Vec<Listpack> {
    let fill = fill.clamp(-5, FILL_MAX);
    let mut nodes: Vec<Listpack> = Vec::new();
    for element in elements {
        let fits = nodes.last().is_some_and(|node| {
            let new_size = node
                .size()
                .saturating_add(element.len())
                .saturating_add(SIZE_ESTIMATE_OVERHEAD);
            // fill is within -5..=-1 when negative, so the offset is in 0..5.
            let level = usize::try_from(-fill - 1)
                .ok()
                .and_then(|i| OPTIMIZATION_LEVEL.get(i));
            match level {
                Some(&limit) => new_size <= limit,
                None => new_size <= SIZE_SAFETY_LIMIT && i64::from(node.count()) < fill,
            }
        });
        if !fits {
            nodes.push(Listpack::new());
        }
        if let Some(node) = nodes.last_mut() {
            node.append(element);
        }
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(elements: &[&[u8]]) -> Vec<u8> {
        let mut lp = Listpack::new();
        for e in elements {
            lp.append(e);
        }
        lp.into_bytes()
    }

    #[test]
    fn entries_are_encoded_as_lp_append_encodes_them() {
        // As redis-server 7.0.15 DUMPs `RPUSH l a 1` and `RPUSH l -1 4095 -32768 8388607
        // -9223372036854775808`.
        assert_eq!(pack(&[]), [7, 0, 0, 0, 0, 0, 0xFF]);
        assert_eq!(
            pack(&[b"a", b"1"]),
            [12, 0, 0, 0, 2, 0, 0x81, b'a', 2, 1, 1, 0xFF]
        );
        let mut buf = Vec::new();
        encode_integer(&mut buf, -1);
        assert_eq!(buf, [0xDF, 0xFF]);
        buf.clear();
        encode_integer(&mut buf, 4095);
        assert_eq!(buf, [0xCF, 0xFF]);
        buf.clear();
        encode_integer(&mut buf, -32768);
        assert_eq!(buf, [0xF1, 0x00, 0x80]);
        buf.clear();
        encode_integer(&mut buf, 8_388_607);
        assert_eq!(buf, [0xF2, 0xFF, 0xFF, 0x7F]);
        buf.clear();
        encode_integer(&mut buf, i64::MIN);
        assert_eq!(buf, [0xF4, 0, 0, 0, 0, 0, 0, 0, 0x80]);
        assert_eq!(integer(b"-0"), None);
        assert_eq!(integer(b"01"), None);
        assert_eq!(integer(b"-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn entry_sizes_are_what_append_adds() {
        let long = vec![b'x'; 5000];
        let elements: [&[u8]; 12] = [
            b"",
            b"1",
            b"127",
            b"128",
            b"-4096",
            b"40000",
            b"-8388608",
            b"2147483647",
            b"9223372036854775807",
            b"01",
            &[b'y'; 63],
            &long,
        ];
        for element in elements {
            let mut lp = Listpack::new();
            let before = lp.size();
            lp.append(element);
            assert_eq!(entry_size(element), lp.size() - before, "{}", element.len());
        }
        assert_eq!(entry_size(&[b'z'; 64]), 64 + 2 + 1);
    }

    #[test]
    fn back_lengths_are_written_most_significant_group_first() {
        let mut buf = Vec::new();
        encode_backlen(&mut buf, 127);
        encode_backlen(&mut buf, 128);
        encode_backlen(&mut buf, 202);
        encode_backlen(&mut buf, 16_383);
        assert_eq!(buf, [127, 1, 128, 1, 0xCA, 0, 255, 255]);
    }

    #[test]
    fn strings_take_the_length_form_of_their_size() {
        let mut buf = Vec::new();
        encode_string(&mut buf, &[b'x'; 64]);
        assert_eq!(buf[..2], [0xE0, 64]);
        buf.clear();
        encode_string(&mut buf, &[b'x'; 4096]);
        assert_eq!(buf[..5], [0xF0, 0, 16, 0, 0]);
    }

    #[test]
    fn nodes_split_at_the_fill_limit() {
        let big = [b'x'; 1000];
        let elements: Vec<&[u8]> = std::iter::repeat_n(&big[..], 20).collect();
        // 1000-byte strings take 1004 bytes each: 8 fit in 8 KB (7 + 8 * 1004 = 8039 and one
        // more would be estimated at 9047).
        let nodes = quicklist_nodes(elements.iter().copied(), -2);
        let counts: Vec<u16> = nodes.iter().map(Listpack::count).collect();
        assert_eq!(counts, [8, 8, 4]);
        let counts: Vec<u16> = quicklist_nodes(elements.iter().copied(), 3)
            .iter()
            .map(Listpack::count)
            .collect();
        assert_eq!(counts, [3, 3, 3, 3, 3, 3, 2]);
        let counts: Vec<u16> = quicklist_nodes(elements.iter().copied(), -100)
            .iter()
            .map(Listpack::count)
            .collect();
        assert_eq!(counts, [20]);
        assert!(quicklist_nodes(std::iter::empty(), -2).is_empty());
    }
}
