//! Copies of short byte strings without a call.
//!
//! In WebAssembly a copy of a length known only at run time is a `memory.copy`, which V8 runs
//! as a call out of the module: about 4 ns for 8 to 12 bytes, where a load and a store of a
//! word take 0.25 ns. Keys, command names and arguments are mostly a few bytes long and are
//! copied on every command (an argument into the argument vector, a key into the event log):
//! these copies are done here with a few word loads and stores instead.

/// Appends `src` to `dst`, as `extend_from_slice`; a string of at most 16 bytes is copied with
/// word-sized loads and stores (see the module doc).
#[inline]
pub fn extend_short(dst: &mut Vec<u8>, src: &[u8]) {
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
                extend_short(&mut dst, &src);
                assert_eq!(dst, [before, &src[..]].concat(), "{len}");
            }
        }
    }
}
