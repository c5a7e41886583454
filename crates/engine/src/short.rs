//! Copies and comparisons of short byte strings without a call.
//!
//! In WebAssembly a copy of a length known only at run time is a `memory.copy`, which V8 runs
//! as a call out of the module: about 4 ns for 8 to 12 bytes, where a load and a store of a
//! word take 0.25 ns; a comparison is a call to `memcmp`, a loop over bytes. Keys, command
//! names and arguments are mostly a few bytes long and are copied and compared on every
//! command (an argument into the argument vector, a key into the event log, a key against the
//! one in the table): for at most 16 bytes, this is done here with a few word loads instead.

/// Appends `src` to `dst`, as `extend_from_slice`; a string of at most 16 bytes is copied with
/// word-sized loads and stores (see the module doc).
#[inline]
pub fn extend(dst: &mut Vec<u8>, src: &[u8]) {
    let len = src.len();
    if len > 16 {
        dst.extend_from_slice(src);
        return;
    }
    // The string in a fixed buffer, from loads that may overlap: the first and the last 8 (or
    // 4) bytes hold them all when there are 8 to 16 (4 to 7); below 4, three single bytes.
    let mut buf = [0u8; 16];
    if len >= 8 {
        place::<8>(&mut buf, src, 0);
        place::<8>(&mut buf, src, len - 8);
    } else if len >= 4 {
        place::<4>(&mut buf, src, 0);
        place::<4>(&mut buf, src, len - 4);
    } else if len > 0 {
        place::<1>(&mut buf, src, 0);
        place::<1>(&mut buf, src, len / 2);
        place::<1>(&mut buf, src, len - 1);
    }
    // A copy of a constant length is a few stores; the bytes past `len` are dropped.
    let old = dst.len();
    dst.extend_from_slice(&buf);
    dst.truncate(old + len);
}

/// Whether two byte strings are equal, as `a == b`; strings of at most 16 bytes are compared
/// as words (see the module doc).
#[inline]
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    // As in `extend`: loads that may overlap, which together cover every byte.
    if len > 16 {
        a == b
    } else if len >= 8 {
        word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, len - 8) == word::<8>(b, len - 8)
    } else if len >= 4 {
        word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, len - 4) == word::<4>(b, len - 4)
    } else {
        (0..len).all(|i| a.get(i) == b.get(i))
    }
}

/// `N` bytes of `s` from `at` (zeros if out of range).
#[inline]
fn word<const N: usize>(s: &[u8], at: usize) -> [u8; N] {
    s.get(at..at + N)
        .and_then(|w| <[u8; N]>::try_from(w).ok())
        .unwrap_or([0; N])
}

/// Copies `N` bytes of `src` from `at` to the same place in `buf` (nothing if out of range).
#[inline]
fn place<const N: usize>(buf: &mut [u8; 16], src: &[u8], at: usize) {
    if let (Some(from), Some(to)) = (
        src.get(at..at + N)
            .and_then(|s| <&[u8; N]>::try_from(s).ok()),
        buf.get_mut(at..at + N)
            .and_then(|s| <&mut [u8; N]>::try_from(s).ok()),
    ) {
        *to = *from;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_every_length() {
        for len in 0..40 {
            let src: Vec<u8> = (0..len).map(|i| (i * 37 + 1) as u8).collect();
            for before in [&b""[..], b"abc", &[7u8; 20]] {
                let mut dst = before.to_vec();
                extend(&mut dst, &src);
                assert_eq!(dst, [before, &src[..]].concat(), "{len}");
            }
        }
    }

    #[test]
    fn compares_every_byte_of_every_length() {
        for len in 0..40usize {
            let a: Vec<u8> = (0..len).map(|i| (i * 37 + 1) as u8).collect();
            assert!(eq(&a, &a.clone()));
            assert!(!eq(&a, &a[..len.saturating_sub(1)]) || len == 0);
            for at in 0..len {
                for change in [1u8, 0x80] {
                    let mut b = a.clone();
                    b[at] ^= change;
                    assert!(!eq(&a, &b), "{len} {at}");
                }
            }
        }
    }
}
