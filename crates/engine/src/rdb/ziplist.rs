//! Reading the packed encodings older RDB files hold: the ziplist (lists, hashes and sorted sets
//! before Redis 7.0, and the nodes of `LIST_QUICKLIST`) and the zipmap (hashes of Redis 2.x).
//! Redis 7.0 converts both on load, validating them entry by entry whatever
//! `sanitize-dump-payload` says; these readers check what those validations check.
//!
//! Ziplist layout: total bytes (`u32` LE), offset of the last entry (`u32` LE), entry count
//! (`u16` LE, 65535 when unknown), the entries, and a 0xFF terminator. An entry is the previous
//! entry's size (one byte below 254, else 0xFE and a `u32` LE), its encoding (a string with a 6,
//! 14 or 32-bit length, or an integer of 8 to 64 bits, or 0 to 12 in the encoding byte itself),
//! and its data.
//!
//! Zipmap layout: a count byte (254: too many to count), then field length, field, value length,
//! a byte of free space after the value, the value and that free space, for each pair; a 0xFF
//! terminator. A length is one byte below 254, else 254 (or 255, for a value) and a `u32` LE.

use super::LoadError;
use super::listpack::Element;

/// Bytes of the ziplist header.
const ZL_HEADER: usize = 10;
/// The terminator of both formats.
const END: u8 = 0xFF;

/// Reads the little-endian `u32` at `at`.
fn u32_le(blob: &[u8], at: usize) -> Option<u32> {
    let bytes = blob.get(at..at.checked_add(4)?)?;
    <[u8; 4]>::try_from(bytes).ok().map(u32::from_le_bytes)
}

/// Reads every element of a ziplist, validating it as Redis's deep `ziplistValidateIntegrity`:
/// header size and terminator, tail offset, each entry's encoding and bounds, each entry's
/// record of the previous entry's size, the tail offset pointing at the last entry, and the
/// header's count (unless 65535).
pub fn decode(blob: &[u8]) -> Result<Vec<Element<'_>>, LoadError> {
    let corrupt = LoadError::Corrupt("ziplist integrity check failed");
    let size = blob.len();
    if size < ZL_HEADER + 1
        || u32_le(blob, 0).and_then(|n| usize::try_from(n).ok()) != Some(size)
        || blob.last() != Some(&END)
    {
        return Err(corrupt);
    }
    let tail = u32_le(blob, 4)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or(corrupt)?;
    if tail > size - 1 {
        return Err(corrupt);
    }
    let header_count = blob
        .get(8..10)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map_or(0, u16::from_le_bytes);
    // Entries may not reach the terminator's position.
    let last = size - 1;
    let mut elements = Vec::new();
    let mut p = ZL_HEADER;
    let mut prev_size = 0usize;
    let mut prev_start = None;
    while blob.get(p).is_some_and(|&b| b != END) {
        let (prevlen, prevlen_size) = match blob.get(p) {
            Some(&b) if b < 254 => (usize::from(b), 1),
            _ => (
                u32_le(blob, p + 1)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or(corrupt)?,
                5,
            ),
        };
        if prevlen != prev_size {
            return Err(corrupt);
        }
        let header_at = p + prevlen_size;
        if header_at > last {
            return Err(corrupt);
        }
        let (element, header_size, data_len) =
            decode_entry(blob, header_at, last).ok_or(corrupt)?;
        let entry_size = prevlen_size + header_size + data_len;
        let next = p
            .checked_add(entry_size)
            .filter(|&n| n <= last)
            .ok_or(corrupt)?;
        elements.push(element);
        prev_size = entry_size;
        prev_start = Some(p);
        p = next;
    }
    if p != last || prev_start.is_some_and(|start| start != tail) {
        return Err(corrupt);
    }
    if header_count != u16::MAX && usize::from(header_count) != elements.len() {
        return Err(corrupt);
    }
    Ok(elements)
}

/// The element whose encoding starts at `at`, its encoding's size and its data's size; `None`
/// for an unknown encoding or bytes past `last`.
fn decode_entry(blob: &[u8], at: usize, last: usize) -> Option<(Element<'_>, usize, usize)> {
    let first = *blob.get(at)?;
    let byte = |i: usize| blob.get(at + i).copied();
    // The integer of `n` little-endian data bytes, sign-extended.
    let int = |n: usize| -> Option<i64> {
        let mut v = 0u64;
        for i in (1..=n).rev() {
            v = (v << 8) | u64::from(byte(i)?);
        }
        let shift = 64 - 8 * n as u32;
        Some(((v << shift) as i64) >> shift)
    };
    let (header, len) = match first {
        0x00..=0x3F => (1, usize::from(first & 0x3F)),
        0x40..=0x7F => (2, (usize::from(first & 0x3F) << 8) | usize::from(byte(1)?)),
        0x80..=0xBF => {
            let mut n = 0usize;
            for i in 1..=4 {
                n = (n << 8) | usize::from(byte(i)?);
            }
            (5, n)
        }
        0xC0 => return Some((Element::Int(int(2)?), 1, 2)),
        0xD0 => return Some((Element::Int(int(4)?), 1, 4)),
        0xE0 => return Some((Element::Int(int(8)?), 1, 8)),
        0xF0 => return Some((Element::Int(int(3)?), 1, 3)),
        0xFE => return Some((Element::Int(int(1)?), 1, 1)),
        0xF1..=0xFD => return Some((Element::Int(i64::from(first & 0x0F) - 1), 1, 0)),
        _ => return None,
    };
    let start = at.checked_add(header)?;
    let end = start.checked_add(len).filter(|&e| e <= last)?;
    Some((Element::Bytes(blob.get(start..end)?), header, len))
}

/// A field and its value.
pub type Pair<'a> = (&'a [u8], &'a [u8]);

/// Reads the field-value pairs of a zipmap, validating it as Redis's `zipmapValidateIntegrity`
/// (bounds, terminator, a non-empty map, the count byte unless 254). Lengths must be in their
/// shortest form: Redis validates with the form the bytes give but iterates with the form the
/// length calls for, so a longer form would make it read the wrong bytes.
pub fn decode_zipmap(blob: &[u8]) -> Result<Vec<Pair<'_>>, LoadError> {
    let corrupt = LoadError::Corrupt("zipmap integrity check failed");
    if blob.len() < 2 || blob.last() != Some(&END) {
        return Err(corrupt);
    }
    let last = blob.len() - 1;
    // A length at `p` and the bytes it took.
    let length = |p: usize| -> Option<(usize, usize)> {
        let first = *blob.get(p)?;
        if first < 254 {
            return Some((usize::from(first), 1));
        }
        let n = usize::try_from(u32_le(blob, p + 1)?).ok()?;
        (n >= 254).then_some((n, 5))
    };
    let mut pairs = Vec::new();
    let mut p = 1;
    while blob.get(p).is_some_and(|&b| b != END) {
        let (field_len, s) = length(p).ok_or(corrupt)?;
        let field_at = p + s;
        let value_len_at = field_at
            .checked_add(field_len)
            .filter(|&q| q <= last)
            .ok_or(corrupt)?;
        let (value_len, s) = length(value_len_at).ok_or(corrupt)?;
        let free = usize::from(*blob.get(value_len_at + s).ok_or(corrupt)?);
        let value_at = value_len_at + s + 1;
        let next = value_at
            .checked_add(value_len)
            .and_then(|q| q.checked_add(free))
            .filter(|&q| q <= last)
            .ok_or(corrupt)?;
        let field = blob.get(field_at..field_at + field_len).ok_or(corrupt)?;
        let value = blob.get(value_at..value_at + value_len).ok_or(corrupt)?;
        pairs.push((field, value));
        p = next;
    }
    let count_byte = blob.first().copied().unwrap_or(0);
    if pairs.is_empty() || (count_byte != 254 && usize::from(count_byte) != pairs.len()) {
        return Err(corrupt);
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ziplist of these entries (each given as its encoding and data), with correct sizes.
    fn ziplist(entries: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut prev = 0usize;
        let mut tail = ZL_HEADER;
        for e in entries {
            tail = ZL_HEADER + body.len();
            let start = body.len();
            if prev < 254 {
                body.push(prev as u8);
            } else {
                body.push(0xFE);
                body.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            body.extend_from_slice(e);
            prev = body.len() - start;
        }
        let total = ZL_HEADER + body.len() + 1;
        let mut zl = Vec::new();
        zl.extend_from_slice(&(total as u32).to_le_bytes());
        zl.extend_from_slice(&(tail as u32).to_le_bytes());
        zl.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(END);
        zl
    }

    #[test]
    fn ziplist_entries_of_every_encoding() {
        let long = [b'x'; 300];
        let mut e14 = vec![0x41, 0x2C];
        e14.extend_from_slice(&long);
        let zl = ziplist(&[
            b"\x03abc",
            &e14,
            b"\x80\x00\x00\x00\x01z",
            b"\xc0\x00\x80",
            b"\xd0\xff\xff\xff\x7f",
            b"\xe0\x00\x00\x00\x00\x00\x00\x00\x80",
            b"\xf0\xff\xff\xff",
            b"\xfe\x80",
            b"\xf1",
            b"\xfd",
        ]);
        let got = decode(&zl).expect("valid");
        assert_eq!(
            got,
            [
                Element::Bytes(b"abc"),
                Element::Bytes(&long),
                Element::Bytes(b"z"),
                Element::Int(-32768),
                Element::Int(i64::from(i32::MAX)),
                Element::Int(i64::MIN),
                Element::Int(-1),
                Element::Int(-128),
                Element::Int(0),
                Element::Int(12),
            ]
        );
        assert_eq!(decode(&ziplist(&[])), Ok(Vec::new()));
    }

    #[test]
    fn damaged_ziplists_are_refused() {
        let good = ziplist(&[b"\x01a", b"\x01b"]);
        assert!(decode(&good).is_ok());
        let bad = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut zl = good.clone();
            f(&mut zl);
            decode(&zl).is_err()
        };
        assert!(bad(&|zl| zl[0] += 1), "size");
        assert!(bad(&|zl| *zl.last_mut().unwrap() = 0), "terminator");
        assert!(bad(&|zl| zl[4] = 10), "tail offset");
        assert!(bad(&|zl| zl[8] = 3), "count");
        assert!(bad(&|zl| zl[13] = 5), "previous size");
        assert!(bad(&|zl| zl[11] = 0xC1), "encoding");
        assert!(bad(&|zl| zl[11] = 0x05), "length past the end");
        let mut unknown = good.clone();
        unknown[8] = 0xFF;
        unknown[9] = 0xFF;
        assert_eq!(decode(&unknown).map(|e| e.len()), Ok(2));
        for cut in 0..good.len() {
            assert!(decode(&good[..cut]).is_err());
        }
    }

    #[test]
    fn zipmaps_read_pairs_and_refuse_damage() {
        // {a: xy, bb: ""} with a free byte after "xy".
        let zm = b"\x02\x01a\x02\x01xy\x00\x02bb\x00\x00\xff";
        assert_eq!(
            decode_zipmap(zm),
            Ok(vec![(&b"a"[..], &b"xy"[..]), (&b"bb"[..], &b""[..])])
        );
        let mut big = vec![254u8, 254, 0, 1, 0, 0];
        big.extend_from_slice(&[b'f'; 256]);
        big.extend_from_slice(&[1, 0, b'v', 0xFF]);
        assert_eq!(decode_zipmap(&big).map(|p| p.len()), Ok(1));
        assert!(decode_zipmap(b"\x00\xff").is_err(), "empty");
        assert!(decode_zipmap(b"\x03\x01a\x01\x00b\xff").is_err(), "count");
        assert!(
            decode_zipmap(b"\x01\x01a\x05\x00b\xff").is_err(),
            "past the end"
        );
        assert!(
            decode_zipmap(b"\x01\xfe\x01\x00\x00\x00a\x01\x00b\xff").is_err(),
            "long form of a short length"
        );
        for cut in 0..zm.len() {
            assert!(decode_zipmap(&zm[..cut]).is_err());
        }
    }
}
