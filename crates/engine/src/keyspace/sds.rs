//! The room Redis's `sds` string of a `raw` value has, which `MEMORY USAGE` (and the memory in
//! use) counts: a string grown in place (APPEND, SETRANGE, SETBIT, BITFIELD) keeps the spare room
//! `sdsMakeRoomFor` gave it, twice what it needed, so its memory depends on its history and not
//! only on its length.
//!
//! [`Sds`] records that history in two bytes (it lives in a value's padding): nothing, for a
//! string as Redis makes it from a command's argument of its current length (`sdsnewlen`, then
//! `trimStringObjectIfNeeded`), or the header type and jemalloc size class of its allocation. The
//! room available, `alloc`, follows from them as in `sds.c`.

use crate::memory::{alloc_size, sds_size};

/// Redis's `SDS_MAX_PREALLOC`: past this, growth adds a megabyte instead of doubling.
const MAX_PREALLOC: usize = 1024 * 1024;

/// The header types of `sds.h`, by their size in bytes: `TYPE_5` (1), `TYPE_8` (3), `TYPE_16`
/// (5), `TYPE_32` (9), `TYPE_64` (17).
const HEADERS: [usize; 5] = [1, 3, 5, 9, 17];

/// See the module doc. The default is a string as made from an argument.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sds {
    /// 0: as made from an argument; else 1 + an index into [`HEADERS`].
    header: u8,
    /// The allocation's jemalloc size class (see [`class_index`]), when `header` is not 0.
    class: u8,
}

/// Memory accounting only, not part of the value: two strings with the same bytes are equal
/// whatever their history (a value reloaded from RDB is made afresh, as in Redis).
impl PartialEq for Sds {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Sds {}

/// The size of a header type's header, by its index into [`HEADERS`].
fn header_len(header: usize) -> usize {
    HEADERS.get(header).copied().unwrap_or(17)
}

impl Sds {
    /// A string `sdsnewlen` made `len` bytes long, not trimmed since: a copy (`COPY`, the
    /// `raw` copy APPEND makes of a shorter encoding), or a value a command built (SETRANGE,
    /// SETBIT or BITFIELD on a missing key, BITOP).
    pub fn fresh(len: usize) -> Sds {
        // sdsnewlen uses TYPE_8 for an empty string.
        let header = if len == 0 { 1 } else { req_type(len) };
        Sds::made(header, alloc_size(header_len(header) + len + 1))
    }

    fn made(header: usize, usable: usize) -> Sds {
        Sds {
            header: u8::try_from(header + 1).unwrap_or(u8::MAX),
            class: class_index(usable),
        }
    }

    /// The bytes the string's allocation takes (`zmalloc_size` of its sds), `len` being its
    /// current length.
    pub fn usable(self, len: usize) -> usize {
        match self.header {
            0 => sds_size(len),
            _ => class_size(self.class),
        }
    }

    /// Redis's `sdsalloc`: the bytes the string can hold without growing.
    fn alloc(self, len: usize) -> usize {
        let header = match self.header {
            0 => req_type(len),
            h => usize::from(h) - 1,
        };
        if header == 0 {
            // TYPE_5 records no room: every growth reallocates.
            return len;
        }
        let hdr = header_len(header);
        let room = self
            .usable(len)
            .saturating_sub(hdr + 1)
            .min(type_max(header));
        if self.header == 0 && room.saturating_sub(len) > len / 10 {
            // trimStringObjectIfNeeded: more than a tenth spare, and sdsRemoveFreeSpace left
            // exactly the length (the allocation itself stays in its size class).
            len
        } else {
            room
        }
    }

    /// Redis's greedy `sdsMakeRoomFor`: makes room for `add` more bytes after `len`.
    pub fn make_room(&mut self, len: usize, add: usize) {
        if self.alloc(len).saturating_sub(len) >= add {
            if self.header == 0 {
                // The room stays; the length will change: record the allocation.
                let header = req_type(len);
                *self = Sds::made(header, sds_size(len));
            }
            return;
        }
        let needed = len.saturating_add(add);
        let target = if needed < MAX_PREALLOC {
            needed.saturating_mul(2)
        } else {
            needed.saturating_add(MAX_PREALLOC)
        };
        // Never TYPE_5 for a growing string.
        let header = req_type(target).max(1);
        *self = Sds::made(
            header,
            alloc_size(header_len(header).saturating_add(target) + 1),
        );
    }

    /// Redis's `sdsgrowzero`: makes the string `new_len` long if it is shorter.
    pub fn grow_to(&mut self, len: usize, new_len: usize) {
        if new_len > len {
            self.make_room(len, new_len - len);
        }
    }
}

/// `sdsReqType`: the smallest header able to hold a length, as an index into [`HEADERS`].
fn req_type(len: usize) -> usize {
    match len {
        0..32 => 0,
        32..256 => 1,
        256..65536 => 2,
        _ if u32::try_from(len).is_ok() => 3,
        _ => 4,
    }
}

/// `sdsTypeMaxSize`.
fn type_max(header: usize) -> usize {
    match header {
        0 => 31,
        1 => 255,
        2 => 65_535,
        3 => u32::MAX as usize,
        _ => usize::MAX,
    }
}

/// The index of a jemalloc size class (see `memory::alloc_size`): 8, then 16 to 128 by 16, then
/// four classes per doubling.
fn class_index(size: usize) -> u8 {
    let index = if size <= 8 {
        0
    } else if size <= 128 {
        size.div_ceil(16)
    } else {
        // size > 128: k >= 7, and size is in (2^k, 2^(k+1)], so it is 5 to 8 spacings.
        let k = (usize::BITS - 1 - (size - 1).leading_zeros()) as usize;
        let spacing = 1usize << (k - 2);
        9 + (k - 7) * 4 + (size.div_ceil(spacing) - 5)
    };
    u8::try_from(index).unwrap_or(u8::MAX)
}

/// The size of the class [`class_index`] answers.
fn class_size(index: u8) -> usize {
    let index = usize::from(index);
    match index {
        0 => 8,
        1..=8 => index * 16,
        _ => {
            let i = index - 9;
            let shift = 7 + i / 4 - 2;
            (5 + i % 4).checked_shl(shift as u32).unwrap_or(usize::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_round_trip() {
        for n in 1..200_000usize {
            let size = alloc_size(n);
            assert_eq!(class_size(class_index(size)), size, "{n}");
        }
        let big = alloc_size(600 * 1024 * 1024);
        assert_eq!(class_size(class_index(big)), big);
    }

    #[test]
    fn room_follows_sds() {
        // A 100-byte argument: 3 + 100 + 1 = 104 rounds to 112, room 108 (8 spare, kept).
        let arg = Sds::default();
        assert_eq!(arg.alloc(100), 108);
        // A 45-byte one: 56 bytes, room 52 is more than a tenth spare, trimmed to 45.
        assert_eq!(arg.alloc(45), 45);
        // Appending 5 to the first fits; 9 more doubles 109 to 218.
        let mut s = arg;
        s.make_room(100, 5);
        assert_eq!(s.usable(105), 112);
        s.make_room(105, 9);
        assert_eq!(s.usable(114), alloc_size(3 + 228 + 1));
    }
}
