//! The bytes of a string value: short ones inside the value itself, longer ones on the heap.
//!
//! A string read from a large keyspace costs mostly cache and TLB misses: the table's slot,
//! then the value's own allocation somewhere else. Keeping a value of up to [`INLINE`] bytes in
//! the slot (which the lookup has just read) saves that second miss, and the allocation and free
//! of every `SET`. Which representation holds the bytes is invisible: equality, hashing and every
//! read see the bytes only; memory estimates follow Redis's encodings, not this layout.

use std::fmt;
use std::ops::{Deref, DerefMut};

/// The longest value held in place: enough for short records (a cached 100-byte JSON object),
/// and what fills the keyspace's table slots to exactly three cache lines (118 bytes on
/// WebAssembly, 110 with 64-bit pointers).
pub const INLINE: usize = 126 - 2 * size_of::<usize>();

/// The bytes of a string value (see the module doc). Reads go through `Deref<Target = [u8]>`;
/// in-place changes within the length through `DerefMut`; changes of length through
/// [`StrBytes::with_vec`].
#[derive(Clone)]
pub struct StrBytes(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Vec<u8>),
}

impl StrBytes {
    /// A copy of `bytes`, in place when short.
    pub fn from_slice(bytes: &[u8]) -> Self {
        let mut buf = [0u8; INLINE];
        match (buf.get_mut(..bytes.len()), u8::try_from(bytes.len())) {
            (Some(place), Ok(len)) => {
                place.copy_from_slice(bytes);
                StrBytes(Repr::Inline { len, buf })
            }
            _ => StrBytes(Repr::Heap(bytes.to_vec())),
        }
    }

    /// `bytes` as a value: short ones are copied in place (and the vector freed), longer ones
    /// keep their allocation.
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        if bytes.len() <= INLINE {
            Self::from_slice(&bytes)
        } else {
            StrBytes(Repr::Heap(bytes))
        }
    }

    /// The bytes as a vector (the heap one itself when there is one).
    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            Repr::Inline { .. } => self.as_slice().to_vec(),
            Repr::Heap(v) => v,
        }
    }

    /// Reads a byte in each cache line the in-place bytes may reach beyond their first one,
    /// without using them: a lookup calls this as soon as it knows where an element is, so that
    /// these lines are fetched at the same time as the first instead of after it, when the
    /// bytes are copied (see `Weigh::touch`).
    #[inline]
    pub fn touch(&self) {
        if let Repr::Inline { buf, .. } = &self.0 {
            let far = buf.get(INLINE / 2).copied().unwrap_or(0) ^ buf.last().copied().unwrap_or(0);
            std::hint::black_box(far);
        }
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, buf } => buf.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Heap(v) => v,
        }
    }

    /// Runs `f` on the bytes as a vector, to change their length (append, resize); short bytes
    /// move to the heap for it, and stay there (commands that change strings in place tend to do
    /// so again: APPEND, SETRANGE, SETBIT, PFADD).
    pub fn with_vec<R>(&mut self, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let mut vec = std::mem::take(self).into_vec();
        let result = f(&mut vec);
        self.0 = Repr::Heap(vec);
        result
    }
}

impl Default for StrBytes {
    fn default() -> Self {
        StrBytes(Repr::Inline {
            len: 0,
            buf: [0; INLINE],
        })
    }
}

impl Deref for StrBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl DerefMut for StrBytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        match &mut self.0 {
            Repr::Inline { len, buf } => buf.get_mut(..usize::from(*len)).unwrap_or_default(),
            Repr::Heap(v) => v,
        }
    }
}

impl AsRef<[u8]> for StrBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for StrBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for StrBytes {}

impl PartialEq<[u8]> for StrBytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl fmt::Debug for StrBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl From<Vec<u8>> for StrBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self::from_vec(bytes)
    }
}

impl From<&[u8]> for StrBytes {
    fn from(bytes: &[u8]) -> Self {
        Self::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_bytes_read_and_compare_alike() {
        for n in [0, 1, INLINE - 1, INLINE, INLINE + 1, 1000] {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 31) as u8).collect();
            let a = StrBytes::from_slice(&bytes);
            let b = StrBytes::from_vec(bytes.clone());
            assert_eq!(&*a, &bytes[..]);
            assert_eq!(a, b);
            assert_eq!(a.len(), n);
            assert_eq!(matches!(a.0, Repr::Inline { .. }), n <= INLINE);
            assert_eq!(b.clone().into_vec(), bytes);
        }
    }

    #[test]
    fn changes_of_length_move_to_the_heap_and_compare_by_bytes() {
        let mut a = StrBytes::from_slice(b"abc");
        a.with_vec(|v| v.extend_from_slice(b"def"));
        assert!(matches!(a.0, Repr::Heap(_)));
        assert_eq!(a, StrBytes::from_slice(b"abcdef"));
        a[0] = b'z';
        assert_eq!(&*a, b"zbcdef");
        let mut b = StrBytes::from_slice(b"xy");
        b[1] = b'!';
        assert_eq!(&*b, b"x!");
        assert_eq!(StrBytes::default().len(), 0);
    }
}
