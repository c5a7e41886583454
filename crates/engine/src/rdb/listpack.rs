//! Redis's listpack: the byte layout of the small encodings (`listpack` hashes, sorted sets and
//! list nodes), which RDB payloads carry as a single string.
//!
//! Layout: total size (u32, little-endian), element count (u16, 65535 when larger), the
//! entries, and the end byte `0xff`. An entry is its encoding with its data, then that length
//! again as a "backlen" read from right to left. Strings that read as integers (Redis's
//! `string2ll`) are stored as integers, in the narrowest of 7, 13, 16, 24, 32 or 64 bits.

use crate::num::parse_i64;

/// One element to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element<'a> {
    /// A string; stored as an integer when it is one in canonical form.
    Bytes(&'a [u8]),
    /// An integer (`lpAppendInteger`).
    Int(i64),
}

/// The listpack holding `elements`, as Redis builds it by appending them in order.
pub fn encode<'a>(elements: impl IntoIterator<Item = Element<'a>>) -> Vec<u8> {
    let mut buf = vec![0u8; 6];
    let mut count: usize = 0;
    for element in elements {
        let start = buf.len();
        match element {
            Element::Int(n) => encode_int(&mut buf, n),
            Element::Bytes(b) => match parse_i64(b) {
                Some(n) => encode_int(&mut buf, n),
                None => encode_string(&mut buf, b),
            },
        }
        let entry_len = buf.len() - start;
        encode_backlen(&mut buf, entry_len);
        count += 1;
    }
    buf.push(0xff);
    // A listpack never exceeds u32 bytes in Redis; saturate rather than wrap.
    let total = u32::try_from(buf.len()).unwrap_or(u32::MAX);
    let shown = u16::try_from(count).unwrap_or(u16::MAX);
    buf.splice(
        0..6,
        total.to_le_bytes().into_iter().chain(shown.to_le_bytes()),
    );
    buf
}

fn encode_int(buf: &mut Vec<u8>, n: i64) {
    let bytes = n.to_le_bytes();
    if (0..=127).contains(&n) {
        // 0xxxxxxx
        buf.push(bytes[0]);
    } else if (-4096..=4095).contains(&n) {
        // 110xxxxx yyyyyyyy, a 13-bit two's complement.
        let v = (n & 0x1fff) as u16;
        buf.push(0xc0 | (v >> 8) as u8);
        buf.push((v & 0xff) as u8);
    } else if i16::try_from(n).is_ok() {
        buf.push(0xf1);
        buf.extend_from_slice(&bytes[..2]);
    } else if (-(1 << 23)..(1 << 23)).contains(&n) {
        buf.push(0xf2);
        buf.extend_from_slice(&bytes[..3]);
    } else if i32::try_from(n).is_ok() {
        buf.push(0xf3);
        buf.extend_from_slice(&bytes[..4]);
    } else {
        buf.push(0xf4);
        buf.extend_from_slice(&bytes);
    }
}

fn encode_string(buf: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 64 {
        // 10xxxxxx
        buf.push(0x80 | len as u8);
    } else if len < 4096 {
        // 1110xxxx yyyyyyyy
        buf.push(0xe0 | (len >> 8) as u8);
        buf.push((len & 0xff) as u8);
    } else {
        buf.push(0xf0);
        buf.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
    }
    buf.extend_from_slice(s);
}

/// The entry's length, 7 bits per byte, most significant group first; every byte but the
/// first has its high bit set (`lpEncodeBacklen`).
fn encode_backlen(buf: &mut Vec<u8>, len: usize) {
    let groups = match len {
        0..=127 => 1,
        128..16_383 => 2,
        16_383..2_097_151 => 3,
        2_097_151..268_435_455 => 4,
        _ => 5,
    };
    for i in (0..groups).rev() {
        let group = ((len >> (7 * i)) & 127) as u8;
        buf.push(if i == groups - 1 { group } else { group | 128 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_listpacks_match_redis_bytes() {
        // A sorted set holding `a` with score 1, as DUMP shows it on redis-server 7.0.15.
        let lp = encode([Element::Bytes(b"a"), Element::Int(1)]);
        assert_eq!(lp, b"\x0c\x00\x00\x00\x02\x00\x81a\x02\x01\x01\xff");
        assert_eq!(encode([]), b"\x07\x00\x00\x00\x00\x00\xff");
    }

    #[test]
    fn integers_take_the_narrowest_encoding() {
        let entry = |n: i64| {
            let lp = encode([Element::Int(n)]);
            lp[6..lp.len() - 1].to_vec()
        };
        assert_eq!(entry(0), [0x00, 1]);
        assert_eq!(entry(127), [0x7f, 1]);
        assert_eq!(entry(128), [0xc0, 0x80, 2]);
        assert_eq!(entry(-1), [0xdf, 0xff, 2]);
        assert_eq!(entry(-4096), [0xd0, 0x00, 2]);
        assert_eq!(entry(4096), [0xf1, 0x00, 0x10, 3]);
        assert_eq!(entry(-32768), [0xf1, 0x00, 0x80, 3]);
        assert_eq!(entry(32768), [0xf2, 0x00, 0x80, 0x00, 4]);
        assert_eq!(entry(1 << 23), [0xf3, 0, 0, 0x80, 0, 5]);
        assert_eq!(entry(1 << 31), [0xf4, 0, 0, 0, 0x80, 0, 0, 0, 0, 9]);
        // Canonical integer strings become integers; others stay strings.
        assert_eq!(encode([Element::Bytes(b"-1")]), encode([Element::Int(-1)]));
        let lp = encode([Element::Bytes(b"01")]);
        assert_eq!(lp[6..lp.len() - 1], [0x82, b'0', b'1', 3]);
    }

    #[test]
    fn long_strings_and_backlens() {
        let s = vec![b'x'; 200];
        let lp = encode([Element::Bytes(&s)]);
        // 12-bit string header, the bytes, then a two-byte backlen for 202 (1, 0x80 | 74).
        assert_eq!(lp[6..8], [0xe0, 200]);
        assert_eq!(lp[lp.len() - 3..], [0x01, 0xca, 0xff]);
        let s = vec![b'y'; 5000];
        let lp = encode([Element::Bytes(&s)]);
        assert_eq!(lp[6..11], [0xf0, 0x88, 0x13, 0, 0]);
        assert_eq!(lp.len(), 6 + 5 + 5000 + 2 + 1);
    }
}
