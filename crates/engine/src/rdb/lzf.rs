//! LZF, the compression of RDB strings: a compressor that emits exactly the bytes of the liblzf
//! Redis bundles (as Redis builds it: 16-bit hash table, "very fast" re-hashing after a match),
//! and a decompressor that accepts and rejects exactly what liblzf's does.
//!
//! The format is a sequence of runs:
//! - `000LLLLL` then L+1 literal bytes (1 to 32);
//! - `LLLooooo oooooooo`: copy L+2 bytes (L is 1 to 6) from o+1 bytes back;
//! - `111ooooo LLLLLLLL oooooooo`: copy L+9 bytes from o+1 bytes back.
//!
//! The compressor remembers, per hash of three bytes, where those bytes last started. liblzf
//! leaves its table uninitialised; this one starts zeroed, which is how the C code behaves whenever
//! the stack it inherits holds no pointer into the input.

/// log2 of the hash table size.
const HLOG: u32 = 16;
/// Hash table slots.
const HSIZE: usize = 1 << HLOG;
/// Longest literal run.
const MAX_LIT: usize = 1 << 5;
/// Farthest back a reference may point (exclusive).
const MAX_OFF: usize = 1 << 13;
/// Longest back reference, in bytes.
const MAX_REF: usize = (1 << 8) + (1 << 3);

/// The slot of a hash (liblzf's `IDX` in its "very fast" variant). Only the low 24 bits of `h`
/// matter; the arithmetic wraps as C's unsigned int does.
fn slot(h: u32) -> usize {
    ((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5)) & (HSIZE as u32 - 1)) as usize
}

/// Compresses `input` into at most `out_limit` bytes, as `lzf_compress(in, len, out,
/// out_limit)`: `None` where liblzf returns 0 (empty input, no room, or the output would not
/// fit).
pub fn compress(input: &[u8], out_limit: usize) -> Option<Vec<u8>> {
    let len = input.len();
    // Positions are kept as u32; strings are at most 512 MB (proto-max-bulk-len), so this only
    // refuses inputs Redis cannot hold.
    if len == 0 || out_limit == 0 || u32::try_from(len).is_err() {
        return None;
    }
    let at = |i: usize| input.get(i).copied().map_or(0, u32::from);
    // Two positions hold the same byte (both inside the input).
    let same =
        |a: usize, b: usize| matches!((input.get(a), input.get(b)), (Some(x), Some(y)) if x == y);
    // Slot → last position whose three bytes hashed there. Position 0 doubles as "empty": liblzf
    // never references the very first byte of the input (it requires `ref > in_data`).
    let mut table = vec![0u32; HSIZE];
    let mut out: Vec<u8> = Vec::with_capacity(out_limit.min(len) + 1);
    // `run` is the index of the current literal run's header byte, reserved when the run starts;
    // `lit` counts its literals.
    let mut run = 0;
    let mut lit = 0usize;
    out.push(0);
    let mut ip = 0;
    let mut hval = (at(0) << 8) | at(1);
    while ip + 2 < len {
        hval = (hval << 8) | at(ip + 2);
        let s = slot(hval);
        let reference = table.get(s).map_or(0, |&p| p as usize);
        if let Some(entry) = table.get_mut(s) {
            *entry = ip as u32;
        }
        // `reference` is an earlier position (the table only holds positions already passed),
        // so `ip - reference - 1` does not underflow; `checked_sub` keeps that unprovable.
        let off = ip
            .checked_sub(reference + 1)
            .filter(|&off| reference > 0 && off < MAX_OFF);
        let Some(off) = off.filter(|_| {
            same(reference + 2, ip + 2) && same(reference, ip) && same(reference + 1, ip + 1)
        }) else {
            // One more literal byte.
            if out.len() >= out_limit {
                return None;
            }
            lit += 1;
            out.push(input.get(ip).copied().unwrap_or(0));
            ip += 1;
            if lit == MAX_LIT {
                end_run(&mut out, run, lit);
                lit = 0;
                run = out.len();
                out.push(0);
            }
            continue;
        };
        // A match of at least three bytes at `reference`.
        let max_len = (len - ip - 2).min(MAX_REF);
        if out.len() + 4 >= out_limit
            && out.len().saturating_sub(usize::from(lit == 0)) + 4 >= out_limit
        {
            return None;
        }
        end_run(&mut out, run, lit);
        // `matched` ends as the number of equal bytes. liblzf first compares 16 bytes without
        // looking at `max_len` (safe: then at least 19 bytes remain), then goes on one by one up
        // to `max_len`; both steps are kept, since they decide the match length at the end.
        let mut matched = 2;
        'extend: {
            if max_len > 16 {
                for _ in 0..16 {
                    matched += 1;
                    if !same(reference + matched, ip + matched) {
                        break 'extend;
                    }
                }
            }
            loop {
                matched += 1;
                if !(matched < max_len && same(reference + matched, ip + matched)) {
                    break;
                }
            }
        }
        let code = matched - 2;
        ip += 1;
        // `off < 8192`, so `high <= 31`; with `code <= 7` the sums stay within a byte.
        let high = (off >> 8) as u8;
        if code < 7 {
            out.push(high + ((code as u8) << 5));
        } else {
            out.push(high + (7 << 5));
            // At most MAX_REF - 2 - 7 = 255.
            out.push((code - 7) as u8);
        }
        out.push(off as u8);
        lit = 0;
        run = out.len();
        out.push(0);
        ip += code + 1;
        if ip + 2 >= len {
            break;
        }
        // Hash the two positions before the next one, which the match skipped. The match began
        // at a position of at least 2 (its reference is at least 1) and covered 3 bytes or
        // more, so `ip >= 5` here.
        ip -= 2;
        hval = (at(ip) << 8) | at(ip + 1);
        hval = (hval << 8) | at(ip + 2);
        remember(&mut table, hval, ip);
        ip += 1;
        hval = (hval << 8) | at(ip + 2);
        remember(&mut table, hval, ip);
        ip += 1;
    }
    // At most three bytes remain.
    if out.len() + 3 > out_limit {
        return None;
    }
    while ip < len {
        lit += 1;
        out.push(input.get(ip).copied().unwrap_or(0));
        ip += 1;
        if lit == MAX_LIT {
            end_run(&mut out, run, lit);
            lit = 0;
            run = out.len();
            out.push(0);
        }
    }
    end_run(&mut out, run, lit);
    Some(out)
}

/// Records that the three bytes at `pos` hash to `h`.
fn remember(table: &mut [u32], h: u32, pos: usize) {
    if let Some(s) = table.get_mut(slot(h)) {
        *s = pos as u32;
    }
}

/// Closes the literal run whose header is at `run`: writes its length, or drops the reserved
/// header if the run is empty (it is then the last byte).
fn end_run(out: &mut Vec<u8>, run: usize, lit: usize) {
    if lit == 0 {
        out.pop();
    } else if let Some(header) = out.get_mut(run) {
        *header = (lit - 1) as u8;
    }
}

/// Decompresses `input`, producing at most `out_limit` bytes, as `lzf_decompress`: `None` where
/// liblzf returns 0 for an error (output too long, truncated input, reference before the start).
/// The output may be shorter than `out_limit`; callers compare.
pub fn decompress(input: &[u8], out_limit: usize) -> Option<Vec<u8>> {
    // A back reference of 3 input bytes yields at most 264 bytes: no need to reserve more.
    let mut out: Vec<u8> = Vec::with_capacity(out_limit.min(input.len().saturating_mul(88)));
    let mut ip = 0;
    while let Some(&ctrl) = input.get(ip) {
        ip += 1;
        let ctrl = usize::from(ctrl);
        if ctrl < 1 << 5 {
            let n = ctrl + 1;
            if out.len() + n > out_limit {
                return None;
            }
            out.extend_from_slice(input.get(ip..ip + n)?);
            ip += n;
        } else {
            let mut n = ctrl >> 5;
            let mut back = (ctrl & 0x1f) << 8;
            if n == 7 {
                n += usize::from(*input.get(ip)?);
                ip += 1;
            }
            back += usize::from(*input.get(ip)?);
            ip += 1;
            if out.len() + n + 2 > out_limit {
                return None;
            }
            let start = out.len().checked_sub(back + 1)?;
            // Byte by byte: the source may overlap what is being written (runs of a pattern).
            for k in start..start + n + 2 {
                let byte = *out.get(k)?;
                out.push(byte);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn round_trip(data: &[u8]) {
        // Redis asks for at least 4 bytes of savings; also try a roomy limit.
        for limit in [data.len().saturating_sub(4), data.len() + 64] {
            if let Some(packed) = compress(data, limit) {
                assert!(packed.len() <= limit);
                assert_eq!(decompress(&packed, data.len()).as_deref(), Some(data));
                // Too little room is an error, never a panic or a short success.
                if !data.is_empty() {
                    assert_eq!(decompress(&packed, data.len() - 1), None);
                }
            }
        }
    }

    #[test]
    fn known_outputs_of_liblzf() {
        // 65 × 'a', as Redis 7.0 DUMPs it: "\xc3\t@A\x01aa\xe04\x00\x01aa".
        let packed = compress(&[b'a'; 65], 61).expect("compressible");
        assert_eq!(packed, b"\x01aa\xe04\x00\x01aa");
        assert_eq!(compress(b"abc", 10).as_deref(), Some(&b"\x02abc"[..]));
        assert_eq!(compress(b"", 10), None);
        assert_eq!(compress(b"abc", 0), None);
    }

    #[test]
    fn incompressible_input_does_not_fit() {
        let data: Vec<u8> = (0u8..=255).collect();
        assert_eq!(compress(&data, data.len() - 4), None);
        // With room enough it is stored as literal runs of 32.
        let packed = compress(&data, 300).expect("room");
        assert_eq!(packed.len(), 256 + 8);
        assert_eq!(decompress(&packed, 256), Some(data));
    }

    #[test]
    fn round_trips() {
        round_trip(b"");
        round_trip(b"a");
        round_trip(b"ab");
        round_trip(&[0u8; 1000]);
        round_trip(&b"abcabcabcabcabcabcabcabcabcabcabcabc".repeat(300));
        let mut rng = Rng::new(7);
        for round in 0..300u64 {
            let size = rng.below(3000) as usize;
            // Small alphabets make matches of every length and distance.
            let alphabet = 1 + rng.below(1 + round % 256);
            let data: Vec<u8> = (0..size).map(|_| rng.below(alphabet) as u8).collect();
            round_trip(&data);
        }
        // Long-distance repeats beyond MAX_OFF.
        let mut data: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
        data.extend_from_within(..5000);
        round_trip(&data);
    }

    #[test]
    fn corrupt_input_is_rejected() {
        // Reference before the start.
        assert_eq!(decompress(b"\x20\x00", 10), None);
        // Literal run longer than the input.
        assert_eq!(decompress(b"\x05ab", 10), None);
        // Back reference missing its offset byte, or its length byte.
        assert_eq!(decompress(b"\x00a\x20", 10), None);
        assert_eq!(decompress(b"\x00a\xe0", 10), None);
        assert_eq!(decompress(b"\x00a\xe0\x01", 10), None);
        // Output beyond the limit.
        assert_eq!(decompress(b"\x01ab", 1), None);
        assert_eq!(decompress(b"\x00a\x20\x00", 3), None);
        // A short output is not an error here: callers compare lengths.
        assert_eq!(decompress(b"\x00a", 5), Some(b"a".to_vec()));
        assert_eq!(decompress(b"", 5), Some(Vec::new()));
    }

    #[test]
    fn random_input_never_panics() {
        let mut rng = Rng::new(11);
        for _ in 0..5000 {
            let size = rng.below(64) as usize;
            let data: Vec<u8> = (0..size).map(|_| rng.next_u64() as u8).collect();
            let limit = rng.below(2000) as usize;
            if let Some(out) = decompress(&data, limit) {
                assert!(out.len() <= limit);
            }
        }
    }
}
