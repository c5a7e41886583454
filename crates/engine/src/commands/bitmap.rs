//! Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, `BITFIELD_RO`.
//!
//! A bitmap is a string value read as a row of bits: bit 0 is the most significant bit of the
//! first byte. Bits past the end of the string read as 0; a write past the end first pads the
//! string with zero bytes, and leaves it `raw` encoded, as Redis's in-place edits do.

use crate::command::{Command, Ctx};
use crate::engine::Lookup;
use crate::errors::{CmdResult, RedisError};
use crate::keyspace::Value;
use crate::keyspace::value::StrValue;
use crate::num::parse_i64;
use crate::pubsub::notify;
use crate::reply::Reply;

// The bitmap group's registrations.
crate::lazy::commands! { Bitmap, bitmap;
    Command::new(
        "setbit",
        setbit_command,
        "Sets or clears one bit of a string and answers its previous value.",
    ),
    Command::new(
        "getbit",
        getbit_command,
        "Answers one bit of a string (0 past its end).",
    ),
    Command::new(
        "bitcount",
        bitcount_command,
        "Counts the set bits of a string, optionally within a byte or bit range.",
    ),
    Command::new(
        "bitpos",
        bitpos_command,
        "Answers the position of the first set or clear bit of a string.",
    ),
    Command::new(
        "bitop",
        bitop_command,
        "Combines strings bit by bit (AND, OR, XOR, NOT) into a destination key.",
    ),
    Command::new(
        "bitfield",
        bitfield_command,
        "Reads, writes and increments integers of any width packed at bit offsets of a string.",
    ),
    Command::new(
        "bitfield_ro",
        bitfield_ro_command,
        "Reads integers packed at bit offsets of a string (GET only).",
    ),
}

fn bad_offset() -> RedisError {
    RedisError::new("ERR bit offset is not an integer or out of range")
}

fn bad_bit_value() -> RedisError {
    RedisError::new("ERR bit is not an integer or out of range")
}

fn bad_field_type() -> RedisError {
    RedisError::new(
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported \
         but i64 is.",
    )
}

/// What Redis answers when an allocation fails; a padded bitmap may reach 512 MB, which a
/// browser tab may refuse, and the engine must not abort.
fn out_of_memory() -> RedisError {
    RedisError::new("OOM command not allowed when used memory > 'maxmemory'.")
}

/// Whether an argument names the keyword `word`, compared as Redis's `strcasecmp` compares:
/// case-insensitively and only up to the first NUL byte (`"and\0x"` names `and`).
fn is_token(arg: &[u8], word: &str) -> bool {
    // `split` yields at least one piece, even for an empty argument.
    let text = arg.split(|&b| b == 0).next().unwrap_or(arg);
    text.eq_ignore_ascii_case(word.as_bytes())
}

/// Parses a bit offset as Redis's `getBitOffsetFromArgument`: it may not address a byte at or
/// past `proto-max-bulk-len` (`limit`; by default 512 MB, so the largest offset is 2^32 - 1).
/// With `field_bits` (BITFIELD), an offset written `#n` means the n-th field of that width;
/// Redis multiplies in signed 64-bit arithmetic that wraps, so a huge `#n` can land back in
/// range, and so does ours.
fn parse_bit_offset(arg: &[u8], field_bits: Option<u32>, limit: i64) -> Result<u64, RedisError> {
    let (digits, scale) = match (arg.split_first(), field_bits) {
        (Some((b'#', rest)), Some(bits)) => (rest, i64::from(bits)),
        _ => (arg, 1),
    };
    let offset = parse_i64(digits)
        .ok_or_else(bad_offset)?
        .wrapping_mul(scale);
    if offset < 0 || offset >> 3 >= limit {
        return Err(bad_offset());
    }
    Ok(offset.cast_unsigned())
}

/// The value of the bit at `pos` (false past the end of the string).
fn bit_at(bytes: &[u8], pos: u64) -> bool {
    usize::try_from(pos / 8)
        .ok()
        .and_then(|i| bytes.get(i))
        .is_some_and(|&b| b & (0x80 >> (pos % 8)) != 0)
}

/// Sets or clears the bit at `pos`; a position past the end of the string is ignored (callers
/// pad the string first).
fn set_bit_at(bytes: &mut [u8], pos: u64, on: bool) {
    let Some(byte) = usize::try_from(pos / 8).ok().and_then(|i| bytes.get_mut(i)) else {
        return;
    };
    let mask = 0x80u8 >> (pos % 8);
    if on {
        *byte |= mask;
    } else {
        *byte &= !mask;
    }
}

/// Pads `bytes` with zeros up to `len` bytes; answers whether it grew. The allocation is
/// fallible: `len` comes from a checked offset (at most 512 MB) but may still be refused, and
/// a string that would outgrow `cap` (`maxmemory`, when set) is refused before it is made.
fn zero_extend(bytes: &mut Vec<u8>, len: usize, cap: usize) -> Result<bool, RedisError> {
    let Some(extra) = len.checked_sub(bytes.len()).filter(|&n| n > 0) else {
        return Ok(false);
    };
    if len > cap {
        return Err(out_of_memory());
    }
    bytes
        .try_reserve_exact(extra)
        .map_err(|_| out_of_memory())?;
    bytes.resize(len, 0);
    Ok(true)
}

/// The number of bytes a string needs so that bit `last_bit` exists.
fn bytes_for_bit(last_bit: u64) -> Result<usize, RedisError> {
    usize::try_from(last_bit / 8 + 1).map_err(|_| out_of_memory())
}

/// Set bits in a slice, eight bytes at a time.
fn popcount(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    let mut count: u64 = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        count += u64::from(u64::from_ne_bytes(word).count_ones());
    }
    count
        + chunks
            .remainder()
            .iter()
            .map(|b| u64::from(b.count_ones()))
            .sum::<u64>()
}

/// The number of set bits among bits `first..=last` (both inside the string).
fn count_bits(bytes: &[u8], first: u64, last: u64) -> u64 {
    let (Ok(lo), Ok(hi)) = (usize::try_from(first / 8), usize::try_from(last / 8)) else {
        return 0;
    };
    let Some(span) = bytes.get(lo..=hi) else {
        return 0;
    };
    // Count whole bytes, then take back the bits of the edge bytes that lie outside the range
    // (before `first` in the first byte, after `last` in the last; disjoint even when both edges
    // are the same byte).
    let outside_head = span.first().map_or(0, |b| b & !(0xffu8 >> (first % 8)));
    let outside_tail = span.last().map_or(0, |b| b & !(0xffu8 << (7 - last % 8)));
    popcount(span) - u64::from(outside_head.count_ones()) - u64::from(outside_tail.count_ones())
}

/// The position of the first bit equal to `bit` among bits `first..=last` (both inside the
/// string), if there is one.
fn find_bit(bytes: &[u8], first: u64, last: u64, bit: bool) -> Option<u64> {
    let lo = usize::try_from(first / 8).ok()?;
    let hi = usize::try_from(last / 8).ok()?;
    let span = bytes.get(lo..=hi)?;
    let head = 0xffu8 >> (first % 8);
    let tail = 0xffu8 << (7 - last % 8);
    let n = span.len();
    span.iter().enumerate().find_map(|(i, &b)| {
        let mut mask = 0xffu8;
        if i == 0 {
            mask &= head;
        }
        if i + 1 == n {
            mask &= tail;
        }
        let hits = if bit { b } else { !b } & mask;
        (hits != 0).then(|| (first / 8 + i as u64) * 8 + u64::from(hits.leading_zeros()))
    })
}

/// The unit of BITCOUNT and BITPOS ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Byte,
    Bit,
}

fn parse_unit(arg: &[u8]) -> Result<Unit, RedisError> {
    if is_token(arg, "bit") {
        Ok(Unit::Bit)
    } else if is_token(arg, "byte") {
        Ok(Unit::Byte)
    } else {
        Err(RedisError::syntax())
    }
}

fn parse_integer(arg: &[u8]) -> Result<i64, RedisError> {
    parse_i64(arg).ok_or_else(RedisError::not_integer)
}

/// Resolves `start..=end` (negative values count from the end) against a string of `len`
/// bytes, in `unit`s, clamped to the string as Redis does; answers the inclusive span of bits
/// it covers, or `None` when it is empty.
fn resolve_span(start: i64, end: i64, len: usize, unit: Unit) -> Option<(u64, u64)> {
    let bytes = i64::try_from(len).unwrap_or(i64::MAX);
    let total = match unit {
        Unit::Byte => bytes,
        Unit::Bit => bytes.saturating_mul(8),
    };
    // `total` is not negative, so adding a negative index cannot overflow.
    let start = if start < 0 { total + start } else { start }.max(0);
    let end = if end < 0 { total + end } else { end }
        .max(0)
        .min(total - 1);
    if start > end {
        return None;
    }
    // Both are now within 0..total.
    let (start, end) = (start.cast_unsigned(), end.cast_unsigned());
    Some(match unit {
        Unit::Byte => (start * 8, end * 8 + 7),
        Unit::Bit => (start, end),
    })
}

/// Sets or clears a bit, padding the string (or creating it) to reach it; answers the bit's
/// previous value.
///
/// `SETBIT key offset value`
pub fn setbit_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let key = &argv[1];
    let offset = parse_bit_offset(&argv[2], None, ctx.engine.config.proto_max_bulk_len)?;
    let on = match parse_i64(&argv[3]) {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(bad_bit_value()),
    };
    let len = bytes_for_bit(offset)?;
    let cap = ctx.engine.allocation_cap();
    let (was_on, created, changed) = if let Some(s) = ctx.lookup_string(key, Lookup::WRITE)? {
        // Redis unshares the value before looking at it: even an unchanged one ends `raw`.
        if len > s.bytes.len() && len > cap {
            return Err(out_of_memory());
        }
        s.prepare_in_place(len);
        let grown = s.bytes.with_vec(|bytes| zero_extend(bytes, len, cap))?;
        let was_on = bit_at(&s.bytes, offset);
        set_bit_at(&mut s.bytes, offset, on);
        (was_on, false, grown || was_on != on)
    } else {
        let mut bytes = Vec::new();
        zero_extend(&mut bytes, len, cap)?;
        set_bit_at(&mut bytes, offset, on);
        ctx.set_key(key, Value::String(StrValue::raw(bytes)), false);
        (false, true, true)
    };
    if changed {
        if !created {
            ctx.modified(key);
        }
        ctx.notify(notify::STRING, "setbit", key);
    } else {
        // The bit was already so: no signal, but the value was unshared (an `int` or `embstr`
        // string is now `raw`, and larger, as in Redis): its database counts its size as it is
        // now (found by the fuzzer).
        ctx.db().remeasure(key);
    }
    Ok(Reply::Integer(i64::from(was_on)))
}

/// Answers the bit at an offset: 0 past the end of the string or for a missing key.
///
/// `GETBIT key offset`
pub fn getbit_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let offset = parse_bit_offset(&argv[2], None, ctx.engine.config.proto_max_bulk_len)?;
    let on = ctx
        .lookup_string(&argv[1], Lookup::READ)?
        .is_some_and(|s| bit_at(&s.bytes, offset));
    Ok(Reply::Integer(i64::from(on)))
}

/// Counts the set bits of a string, or of a range of it in bytes (the default) or bits.
///
/// `BITCOUNT key [start end [BYTE|BIT]]`
pub fn bitcount_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    // A missing key answers 0 before the range is even looked at.
    let Some(s) = ctx.lookup_string(&argv[1], Lookup::READ)? else {
        return Ok(Reply::Integer(0));
    };
    let span = match argv {
        [_, _] => resolve_span(0, -1, s.bytes.len(), Unit::Byte),
        [_, _, start, end, unit @ ..] if unit.len() <= 1 => {
            let start = parse_integer(start)?;
            let end = parse_integer(end)?;
            // Redis answers this case before reading the unit, so a bad unit goes unnoticed.
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Integer(0));
            }
            let unit = unit.first().map_or(Ok(Unit::Byte), |u| parse_unit(u))?;
            resolve_span(start, end, s.bytes.len(), unit)
        }
        _ => return Err(RedisError::syntax()),
    };
    let count = span.map_or(0, |(first, last)| count_bits(&s.bytes, first, last));
    Ok(Reply::Integer(i64::try_from(count).unwrap_or(i64::MAX)))
}

/// Answers the position of the first bit equal to `bit`, in the whole string or in a range in
/// bytes (the default) or bits; -1 when there is none. Without an explicit end, a string is
/// taken as followed by clear bits, so looking for 0 in all-ones answers the bit after it.
///
/// `BITPOS key bit [start [end [BYTE|BIT]]]`
pub fn bitpos_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let bit = match parse_integer(&argv[2])? {
        0 => false,
        1 => true,
        _ => return Err(RedisError::new("ERR The bit argument must be 1 or 0.")),
    };
    // A missing key is an endless row of clear bits; the range is not even parsed.
    let Some(s) = ctx.lookup_string(&argv[1], Lookup::READ)? else {
        return Ok(Reply::Integer(if bit { -1 } else { 0 }));
    };
    let len = s.bytes.len();
    let (span, end_given) = match argv {
        [_, _, _] => (resolve_span(0, -1, len, Unit::Byte), false),
        [_, _, _, start, rest @ ..] if rest.len() <= 2 => {
            // Redis reads start, then the unit, then the end: errors come in that order.
            let start = parse_integer(start)?;
            let unit = rest.get(1).map_or(Ok(Unit::Byte), |u| parse_unit(u))?;
            let end = rest.first().map(|e| parse_integer(e)).transpose()?;
            (
                resolve_span(start, end.unwrap_or(-1), len, unit),
                end.is_some(),
            )
        }
        _ => return Err(RedisError::syntax()),
    };
    let Some((first, last)) = span else {
        return Ok(Reply::Integer(-1));
    };
    let pos = match find_bit(&s.bytes, first, last, bit) {
        Some(pos) => i64::try_from(pos).unwrap_or(-1),
        None if bit || end_given => -1,
        // The clear bit right after the range (the padding past the string).
        None => i64::try_from(last + 1).unwrap_or(-1),
    };
    Ok(Reply::Integer(pos))
}

/// The BITOP operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

/// Folds one more source into the result so far. Sources shorter than the result count as
/// zero-padded; a longer source pads the result with zeros first, which is what AND, OR and XOR
/// of the earlier (zero-padded) sources give there.
fn fold_bitop(acc: &mut Vec<u8>, src: &[u8], op: BitOp) {
    if src.len() > acc.len() {
        acc.resize(src.len(), 0);
    }
    let mut padded = src.iter().copied().chain(std::iter::repeat(0));
    for byte in acc.iter_mut() {
        let other = padded.next().unwrap_or(0);
        match op {
            BitOp::And => *byte &= other,
            BitOp::Or => *byte |= other,
            BitOp::Xor => *byte ^= other,
            BitOp::Not => *byte = !*byte,
        }
    }
}

/// Stores the bitwise AND, OR or XOR of the source strings (missing ones are empty, shorter ones
/// zero-padded), or the NOT of a single one, at the destination; answers the result's length.
/// An empty result deletes the destination.
///
/// `BITOP operation destkey key [key ...]`
pub fn bitop_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let name = &argv[1];
    let op = if is_token(name, "and") {
        BitOp::And
    } else if is_token(name, "or") {
        BitOp::Or
    } else if is_token(name, "xor") {
        BitOp::Xor
    } else if is_token(name, "not") {
        BitOp::Not
    } else {
        return Err(RedisError::syntax());
    };
    if op == BitOp::Not && argv.len() != 4 {
        return Err(RedisError::new(
            "ERR BITOP NOT must be called with a single source key.",
        ));
    }
    let dest = &argv[2];
    let mut result: Option<Vec<u8>> = None;
    for key in &argv[3..] {
        let src = ctx.lookup_string(key, Lookup::READ)?;
        let bytes = src.map_or(&[][..], |s| &s.bytes);
        match result.as_mut() {
            None if op == BitOp::Not => result = Some(bytes.iter().map(|b| !b).collect()),
            None => result = Some(bytes.to_vec()),
            Some(acc) => fold_bitop(acc, bytes, op),
        }
    }
    let result = result.unwrap_or_default();
    let len = i64::try_from(result.len()).unwrap_or(i64::MAX);
    if result.is_empty() {
        if ctx.delete(dest) {
            ctx.notify(notify::GENERIC, "del", dest);
        }
    } else {
        ctx.set_key(dest, Value::String(StrValue::raw(result)), false);
        ctx.notify(notify::STRING, "set", dest);
    }
    Ok(Reply::Integer(len))
}

/// A BITFIELD integer type: `i1`..`i64` or `u1`..`u63`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FieldType {
    signed: bool,
    bits: u32,
}

/// Parses a field type as Redis's `getBitfieldTypeFromArgument`: the width is read up to the
/// first NUL byte, as C's `strlen` stops there.
fn parse_field_type(arg: &[u8]) -> Result<FieldType, RedisError> {
    let (signed, width) = match arg.split_first() {
        Some((b'i', rest)) => (true, rest),
        Some((b'u', rest)) => (false, rest),
        _ => return Err(bad_field_type()),
    };
    let width = width.split(|&b| b == 0).next().unwrap_or(width);
    let bits = parse_i64(width).ok_or_else(bad_field_type)?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return Err(bad_field_type());
    }
    Ok(FieldType {
        signed,
        bits: u32::try_from(bits).map_err(|_| bad_field_type())?,
    })
}

/// What BITFIELD does when a SET or INCRBY result does not fit its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    /// Keep the low bits (two's complement for signed types).
    Wrap,
    /// Clamp to the type's minimum or maximum.
    Sat,
    /// Write nothing and answer nil.
    Fail,
}

/// Where a value plus an increment lands against a field type's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Within,
    Above,
    Below,
}

/// The largest value of an unsigned field of `bits` bits.
fn unsigned_max(bits: u32) -> u64 {
    u64::MAX.checked_shr(64 - bits.min(64)).unwrap_or(0)
}

/// The limits of a signed field of `bits` bits.
fn signed_limits(bits: u32) -> (i64, i64) {
    let max = i64::MAX.checked_shr(64 - bits.clamp(1, 64)).unwrap_or(0);
    (-max - 1, max)
}

/// Classifies `value + incr` for a signed field as Redis's `checkSignedBitfieldOverflow`,
/// including its arithmetic: the headroom `max - value` is computed with 64-bit wrapping, so
/// setting an i8 to a value below about -2^63 + 128 counts as overflowing upwards.
fn signed_bound(value: i64, incr: i64, bits: u32) -> Bound {
    let (min, max) = signed_limits(bits);
    let room_up = max
        .cast_unsigned()
        .wrapping_sub(value.cast_unsigned())
        .cast_signed();
    let room_down = min.wrapping_sub(value);
    let narrow = bits != 64;
    if value > max || (narrow && incr > room_up) || (value >= 0 && incr > 0 && incr > room_up) {
        Bound::Above
    } else if value < min
        || (narrow && incr < room_down)
        || (value < 0 && incr < 0 && incr < room_down)
    {
        Bound::Below
    } else {
        Bound::Within
    }
}

/// Classifies `value + incr` for an unsigned field as Redis's
/// `checkUnsignedBitfieldOverflow`. A negative SET value arrives as a huge `value`, so it
/// overflows upwards (SAT stores the maximum).
fn unsigned_bound(value: u64, incr: i64, bits: u32) -> Bound {
    let max = unsigned_max(bits);
    let room_up = max.wrapping_sub(value).cast_signed();
    let room_down = value.cast_signed().wrapping_neg();
    if value > max || (incr > 0 && incr > room_up) {
        Bound::Above
    } else if incr < 0 && incr < room_down {
        Bound::Below
    } else {
        Bound::Within
    }
}

/// Sign-extends the low `bits` bits of `value`.
fn sign_extend(value: u64, bits: u32) -> i64 {
    let shift = 64 - bits.clamp(1, 64);
    (value << shift).cast_signed() >> shift
}

/// The value a signed field takes for `value + incr` under `overflow`; `None` for FAIL.
fn signed_result(value: i64, incr: i64, bits: u32, overflow: Overflow) -> Option<i64> {
    let (min, max) = signed_limits(bits);
    let sum = value.wrapping_add(incr);
    match (signed_bound(value, incr, bits), overflow) {
        (Bound::Within, _) => Some(sum),
        (_, Overflow::Fail) => None,
        (Bound::Above, Overflow::Sat) => Some(max),
        (Bound::Below, Overflow::Sat) => Some(min),
        (_, Overflow::Wrap) => Some(sign_extend(sum.cast_unsigned(), bits)),
    }
}

/// The value an unsigned field takes for `value + incr` under `overflow`; `None` for FAIL.
fn unsigned_result(value: u64, incr: i64, bits: u32, overflow: Overflow) -> Option<u64> {
    let sum = value.wrapping_add(incr.cast_unsigned());
    match (unsigned_bound(value, incr, bits), overflow) {
        (Bound::Within, _) => Some(sum),
        (_, Overflow::Fail) => None,
        (Bound::Above, Overflow::Sat) => Some(unsigned_max(bits)),
        (Bound::Below, Overflow::Sat) => Some(0),
        (_, Overflow::Wrap) => Some(sum & unsigned_max(bits)),
    }
}

/// Reads `bits` bits (at most 64) from bit `offset` as an unsigned number, most significant
/// first; bits past the end of the string read as 0.
fn get_bits(bytes: &[u8], offset: u64, bits: u32) -> u64 {
    (0..u64::from(bits)).fold(0, |acc, j| {
        (acc << 1) | u64::from(bit_at(bytes, offset.saturating_add(j)))
    })
}

/// Writes the low `bits` bits of `value` from bit `offset`, most significant first (bits past
/// the end of the string are dropped: callers pad it first).
fn set_bits(bytes: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..bits {
        let on = (value >> (bits - 1 - j)) & 1 == 1;
        set_bit_at(bytes, offset.saturating_add(u64::from(j)), on);
    }
}

/// One BITFIELD operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldOp {
    Get,
    Set(i64),
    IncrBy(i64),
}

/// A parsed BITFIELD operation with the overflow mode in force where it appeared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    op: FieldOp,
    ty: FieldType,
    offset: u64,
    overflow: Overflow,
}

impl Field {
    /// The field's current value.
    fn get(&self, bytes: &[u8]) -> i64 {
        let raw = get_bits(bytes, self.offset, self.ty.bits);
        if self.ty.signed {
            sign_extend(raw, self.ty.bits)
        } else {
            // Unsigned fields are at most 63 bits wide, so the value fits.
            raw.cast_signed()
        }
    }

    /// Runs a SET or INCRBY on a string long enough to hold the field: answers the reply (the
    /// old value for SET, the new one for INCRBY, nil when FAIL refuses) and whether the bits
    /// now differ from before.
    fn write(&self, bytes: &mut [u8]) -> (Reply, bool) {
        let (bits, overflow) = (self.ty.bits, self.overflow);
        let old = self.get(bytes);
        // The value to store, as the integer it stands for; `None` when FAIL refuses it.
        // Unsigned fields are at most 63 bits wide, so their values fit an i64 too.
        let new = match (self.op, self.ty.signed) {
            (FieldOp::Set(v), true) => signed_result(v, 0, bits, overflow),
            (FieldOp::IncrBy(by), true) => signed_result(old, by, bits, overflow),
            (FieldOp::Set(v), false) => {
                unsigned_result(v.cast_unsigned(), 0, bits, overflow).map(u64::cast_signed)
            }
            (FieldOp::IncrBy(by), false) => {
                unsigned_result(old.cast_unsigned(), by, bits, overflow).map(u64::cast_signed)
            }
            (FieldOp::Get, _) => Some(old),
        };
        let Some(new) = new else {
            return (Reply::Nil, false);
        };
        set_bits(bytes, self.offset, bits, new.cast_unsigned());
        let reply = if matches!(self.op, FieldOp::Set(_)) {
            old
        } else {
            new
        };
        (Reply::Integer(reply), new != old)
    }
}

/// Parses BITFIELD's operations left to right, as Redis does (the first bad one decides the
/// error).
fn parse_fields(args: &[Vec<u8>], limit: i64) -> Result<Vec<Field>, RedisError> {
    /// Which operation a subcommand starts, before its value is read.
    #[derive(Clone, Copy)]
    enum Kind {
        Get,
        Set,
        IncrBy,
    }
    let mut fields = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut rest = args;
    while let Some((sub, tail)) = rest.split_first() {
        let (kind, arity) = if is_token(sub, "get") {
            (Kind::Get, 2)
        } else if is_token(sub, "set") {
            (Kind::Set, 3)
        } else if is_token(sub, "incrby") {
            (Kind::IncrBy, 3)
        } else if is_token(sub, "overflow") {
            let Some((mode, tail)) = tail.split_first() else {
                return Err(RedisError::syntax());
            };
            overflow = if is_token(mode, "wrap") {
                Overflow::Wrap
            } else if is_token(mode, "sat") {
                Overflow::Sat
            } else if is_token(mode, "fail") {
                Overflow::Fail
            } else {
                return Err(RedisError::new("ERR Invalid OVERFLOW type specified"));
            };
            rest = tail;
            continue;
        } else {
            return Err(RedisError::syntax());
        };
        // A subcommand missing some of its arguments is a syntax error.
        let (Some([ty, offset, value @ ..]), Some(tail)) = (tail.get(..arity), tail.get(arity..))
        else {
            return Err(RedisError::syntax());
        };
        let ty = parse_field_type(ty)?;
        let offset = parse_bit_offset(offset, Some(ty.bits), limit)?;
        let value = value.first().map(|v| parse_integer(v)).transpose()?;
        let op = match (kind, value) {
            (Kind::Set, Some(v)) => FieldOp::Set(v),
            (Kind::IncrBy, Some(by)) => FieldOp::IncrBy(by),
            _ => FieldOp::Get,
        };
        fields.push(Field {
            op,
            ty,
            offset,
            overflow,
        });
        rest = tail;
    }
    Ok(fields)
}

/// The BITFIELD and `BITFIELD_RO` implementation.
fn bitfield_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], read_only: bool) -> CmdResult {
    let key = &argv[1];
    let fields = parse_fields(&argv[2..], ctx.engine.config.proto_max_bulk_len)?;
    // The last bit any SET or INCRBY touches: the string is padded to it before any runs.
    let last_write = fields
        .iter()
        .filter(|f| f.op != FieldOp::Get)
        .map(|f| f.offset + u64::from(f.ty.bits) - 1)
        .max();
    let Some(last_write) = last_write else {
        let s = ctx.lookup_string(key, Lookup::READ)?;
        let bytes = s.map_or(&[][..], |s| &s.bytes);
        let replies = fields.iter().map(|f| Reply::Integer(f.get(bytes)));
        return Ok(Reply::Array(replies.collect()));
    };
    if read_only {
        return Err(RedisError::new(
            "ERR BITFIELD_RO only supports the GET subcommand",
        ));
    }
    let len = bytes_for_bit(last_write)?;
    let cap = ctx.engine.allocation_cap();
    let run = |bytes: &mut [u8], padded: bool| {
        let mut changes = 0usize;
        let replies = fields
            .iter()
            .map(|f| {
                if f.op == FieldOp::Get {
                    return Reply::Integer(f.get(bytes));
                }
                let (reply, changed) = f.write(bytes);
                // Redis counts a change for every write that happened on a padded string.
                if !matches!(reply, Reply::Nil) && (changed || padded) {
                    changes += 1;
                }
                reply
            })
            .collect();
        (replies, changes)
    };
    let (replies, changes, created) = if let Some(s) = ctx.lookup_string(key, Lookup::WRITE)? {
        // Redis unshares the value before writing: it ends `raw` even if nothing changes.
        if len > s.bytes.len() && len > cap {
            return Err(out_of_memory());
        }
        s.prepare_in_place(len);
        let padded = s.bytes.with_vec(|bytes| zero_extend(bytes, len, cap))?;
        let (replies, changes) = run(&mut s.bytes, padded);
        (replies, changes, false)
    } else {
        let mut bytes = Vec::new();
        zero_extend(&mut bytes, len, cap)?;
        let (replies, changes) = run(&mut bytes, true);
        if changes > 0 {
            ctx.set_key(key, Value::String(StrValue::raw(bytes)), false);
        } else {
            // Created, and every write failed: Redis signals no modification.
            ctx.add_unsignalled(key, Value::String(StrValue::raw(bytes)));
        }
        (replies, changes, true)
    };
    if changes > 0 {
        if !created {
            ctx.modified(key);
        }
        ctx.notify(notify::STRING, "setbit", key);
    } else if !created {
        // Unshared and padded without a signal (every write failed, OVERFLOW FAIL): its
        // database counts its size as it is now (found by the fuzzer).
        ctx.db().remeasure(key);
    }
    Ok(Reply::Array(replies))
}

/// Runs integer operations on bit fields of a string, left to right: GET reads a field, SET
/// stores a value and answers the old one, INCRBY adds and answers the new one; OVERFLOW sets
/// what later SET/INCRBY do when a result does not fit (WRAP, SAT or FAIL → nil). `#n` offsets
/// count in fields of the type's width.
///
/// `BITFIELD key [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset
/// value|INCRBY encoding offset increment [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET
/// encoding offset value|INCRBY encoding offset increment ...]]`
pub fn bitfield_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    bitfield_generic(ctx, argv, false)
}

/// BITFIELD limited to GET, for read-only contexts.
///
/// `BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]`
pub fn bitfield_ro_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    bitfield_generic(ctx, argv, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::keyspace::Entry;

    /// A command line split at spaces.
    fn line(l: &str) -> Vec<Vec<u8>> {
        l.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn an_unchanged_setbit_keeps_the_memory_count() {
        // Found by the fuzzer: SETBIT of a bit already so unshares an `int` string into a
        // larger `raw` one (MEMORY USAGE 48 then 56 on Redis 7.0) without a signal, and nothing
        // counted the new size.
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.exec(client, &line("SET n 1"));
        assert_eq!(
            engine.exec(client, &line("SETBIT n 6 0")),
            Reply::Integer(0)
        );
        assert_eq!(
            engine.exec(client, &line("OBJECT ENCODING n")),
            Reply::Bulk(b"raw".as_slice().into())
        );
        assert_eq!(engine.check_memory_bookkeeping(), Ok(()));
    }

    #[test]
    fn a_failed_bitfield_write_keeps_the_memory_count() {
        // Found by the fuzzer: BITFIELD pads and unshares the string before its writes, and
        // when every write failed (OVERFLOW FAIL) nothing counted the longer string.
        let mut engine = Engine::new();
        let client = engine.connect();
        engine.exec(client, &line("SET padfail ab"));
        let reply = engine.exec(
            client,
            &line("BITFIELD padfail OVERFLOW FAIL INCRBY i16 #4 40000"),
        );
        assert_eq!(reply, Reply::Array(vec![Reply::Nil]));
        assert_eq!(engine.check_memory_bookkeeping(), Ok(()));
    }

    #[test]
    fn tokens_compare_like_strcasecmp() {
        assert!(is_token(b"AND", "and"));
        assert!(is_token(b"and\0junk", "and"));
        assert!(!is_token(b"andx", "and"));
        assert!(!is_token(b"", "and"));
        assert!(!is_token(b"\0and", "and"));
    }

    /// The default `proto-max-bulk-len`.
    const DEFAULT_LIMIT: i64 = 512 * 1024 * 1024;

    #[test]
    fn bit_offsets_follow_redis_limits() {
        assert_eq!(parse_bit_offset(b"0", None, DEFAULT_LIMIT), Ok(0));
        assert_eq!(
            parse_bit_offset(b"4294967295", None, DEFAULT_LIMIT),
            Ok(4_294_967_295)
        );
        for bad in [
            &b"4294967296"[..],
            b"-1",
            b"",
            b"01",
            b"+1",
            b"#1",
            b"9223372036854775807",
        ] {
            assert_eq!(
                parse_bit_offset(bad, None, DEFAULT_LIMIT),
                Err(bad_offset()),
                "{bad:?}"
            );
        }
        assert_eq!(parse_bit_offset(b"#3", Some(8), DEFAULT_LIMIT), Ok(24));
        assert_eq!(
            parse_bit_offset(b"#536870911", Some(8), DEFAULT_LIMIT),
            Ok(4_294_967_288)
        );
        assert_eq!(
            parse_bit_offset(b"#536870912", Some(8), DEFAULT_LIMIT),
            Err(bad_offset())
        );
        assert_eq!(
            parse_bit_offset(b"#-1", Some(8), DEFAULT_LIMIT),
            Err(bad_offset())
        );
        assert_eq!(
            parse_bit_offset(b"#", Some(8), DEFAULT_LIMIT),
            Err(bad_offset())
        );
        // (2^61 + 1) * 8 wraps to 8 in 64-bit arithmetic, as in Redis.
        assert_eq!(
            parse_bit_offset(b"#2305843009213693953", Some(8), DEFAULT_LIMIT),
            Ok(8)
        );
    }

    #[test]
    fn field_types_are_i1_to_i64_and_u1_to_u63() {
        let ty = |signed, bits| Ok(FieldType { signed, bits });
        assert_eq!(parse_field_type(b"i1"), ty(true, 1));
        assert_eq!(parse_field_type(b"i64"), ty(true, 64));
        assert_eq!(parse_field_type(b"u63"), ty(false, 63));
        assert_eq!(parse_field_type(b"u8\0zz"), ty(false, 8));
        for bad in [
            &b"u64"[..],
            b"i65",
            b"i0",
            b"u0",
            b"I8",
            b"i",
            b"",
            b"i08",
            b"i-1",
            b"i\x008",
        ] {
            assert_eq!(parse_field_type(bad), Err(bad_field_type()), "{bad:?}");
        }
    }

    #[test]
    fn bits_read_most_significant_first() {
        let bytes = [0b1000_0001, 0b0111_1111];
        assert!(bit_at(&bytes, 0));
        assert!(!bit_at(&bytes, 1));
        assert!(bit_at(&bytes, 7));
        assert!(!bit_at(&bytes, 8));
        assert!(bit_at(&bytes, 15));
        assert!(!bit_at(&bytes, 16));
        assert!(!bit_at(&bytes, u64::MAX));
        let mut bytes = vec![0u8; 2];
        set_bit_at(&mut bytes, 0, true);
        set_bit_at(&mut bytes, 15, true);
        set_bit_at(&mut bytes, 16, true); // past the end: ignored
        assert_eq!(bytes, [0x80, 0x01]);
        set_bit_at(&mut bytes, 0, false);
        assert_eq!(bytes, [0x00, 0x01]);
    }

    #[test]
    fn zero_extend_only_grows() {
        let mut bytes = vec![1u8];
        assert_eq!(zero_extend(&mut bytes, 1, usize::MAX), Ok(false));
        assert_eq!(zero_extend(&mut bytes, 0, usize::MAX), Ok(false));
        assert_eq!(zero_extend(&mut bytes, 3, usize::MAX), Ok(true));
        assert_eq!(zero_extend(&mut bytes, 5, 4), Err(out_of_memory()));
        assert_eq!(zero_extend(&mut bytes, 3, 2), Ok(false));
        assert_eq!(bytes, [1, 0, 0]);
        assert_eq!(bytes_for_bit(0), Ok(1));
        assert_eq!(bytes_for_bit(7), Ok(1));
        assert_eq!(bytes_for_bit(8), Ok(2));
    }

    #[test]
    fn counting_and_searching_respect_bit_edges() {
        let bytes = [0xff, 0xf0, 0x00];
        assert_eq!(popcount(&[0xff; 20]), 160);
        assert_eq!(count_bits(&bytes, 0, 23), 12);
        assert_eq!(count_bits(&bytes, 3, 3), 1);
        assert_eq!(count_bits(&bytes, 4, 11), 8);
        assert_eq!(count_bits(&bytes, 12, 23), 0);
        assert_eq!(count_bits(&bytes, 0, 100), 0); // outside the string
        assert_eq!(find_bit(&bytes, 0, 23, false), Some(12));
        assert_eq!(find_bit(&bytes, 0, 23, true), Some(0));
        assert_eq!(find_bit(&bytes, 13, 23, true), None);
        assert_eq!(find_bit(&bytes, 3, 11, false), None);
        assert_eq!(find_bit(&bytes, 3, 12, false), Some(12));
        assert_eq!(find_bit(&[0x5a], 2, 2, true), None);
        assert_eq!(find_bit(&[0x5a], 2, 3, true), Some(3));
    }

    #[test]
    fn ranges_resolve_like_redis() {
        assert_eq!(resolve_span(0, -1, 3, Unit::Byte), Some((0, 23)));
        assert_eq!(resolve_span(-1, -1, 3, Unit::Byte), Some((16, 23)));
        assert_eq!(resolve_span(-100, 100, 3, Unit::Byte), Some((0, 23)));
        assert_eq!(resolve_span(2, 1, 3, Unit::Byte), None);
        assert_eq!(resolve_span(3, 10, 3, Unit::Byte), None);
        assert_eq!(resolve_span(0, -1, 0, Unit::Byte), None);
        assert_eq!(resolve_span(5, 30, 3, Unit::Bit), Some((5, 23)));
        assert_eq!(resolve_span(-9, -9, 6, Unit::Bit), Some((39, 39)));
        assert_eq!(
            resolve_span(i64::MIN, i64::MAX, 3, Unit::Bit),
            Some((0, 23))
        );
    }

    #[test]
    fn field_values_round_trip() {
        let mut bytes = vec![0u8; 3];
        set_bits(&mut bytes, 7, 5, 23);
        assert_eq!(bytes, [0b0000_0001, 0b0111_0000, 0]);
        assert_eq!(get_bits(&bytes, 7, 5), 23);
        assert_eq!(sign_extend(get_bits(&bytes, 7, 5), 5), -9);
        set_bits(&mut bytes, 16, 8, (-2i64).cast_unsigned());
        assert_eq!(bytes[2], 0xfe);
        // Past the end reads zeros.
        assert_eq!(get_bits(&bytes, 20, 64), 0xe000_0000_0000_0000);
        assert_eq!(sign_extend(u64::MAX, 64), -1);
        assert_eq!(sign_extend(1, 1), -1);
        assert_eq!(sign_extend(0x7f, 8), 127);
    }

    #[test]
    fn limits_of_field_types() {
        assert_eq!(unsigned_max(1), 1);
        assert_eq!(unsigned_max(8), 255);
        assert_eq!(unsigned_max(63), (1 << 63) - 1);
        assert_eq!(unsigned_max(64), u64::MAX);
        assert_eq!(signed_limits(1), (-1, 0));
        assert_eq!(signed_limits(8), (-128, 127));
        assert_eq!(signed_limits(64), (i64::MIN, i64::MAX));
    }

    #[test]
    fn signed_overflow_modes() {
        use Overflow::{Fail, Sat, Wrap};
        assert_eq!(signed_result(127, 1, 8, Wrap), Some(-128));
        assert_eq!(signed_result(127, 1, 8, Sat), Some(127));
        assert_eq!(signed_result(127, 1, 8, Fail), None);
        assert_eq!(signed_result(-128, -1, 8, Wrap), Some(127));
        assert_eq!(signed_result(-128, -1, 8, Sat), Some(-128));
        assert_eq!(signed_result(100, -50, 8, Fail), Some(50));
        assert_eq!(signed_result(300, 0, 8, Wrap), Some(44));
        assert_eq!(signed_result(-200, 0, 8, Sat), Some(-128));
        assert_eq!(signed_result(i64::MAX, 1, 64, Wrap), Some(i64::MIN));
        assert_eq!(signed_result(i64::MAX, 1, 64, Sat), Some(i64::MAX));
        assert_eq!(signed_result(i64::MIN, -1, 64, Sat), Some(i64::MIN));
        assert_eq!(signed_result(-1, i64::MIN, 64, Fail), None);
        assert_eq!(signed_result(5, i64::MIN, 64, Fail), Some(i64::MIN + 5));
        // Redis's wrapping headroom: far below the minimum reads as above the maximum.
        assert_eq!(signed_bound(i64::MIN, 0, 8), Bound::Above);
        assert_eq!(signed_bound(-9_223_372_036_854_775_681, 0, 8), Bound::Above);
        assert_eq!(signed_bound(-9_223_372_036_854_775_680, 0, 8), Bound::Below);
        assert_eq!(signed_result(i64::MIN, 0, 8, Sat), Some(127));
        assert_eq!(signed_bound(0, 1, 1), Bound::Above);
        assert_eq!(signed_bound(-1, 1, 1), Bound::Within);
    }

    #[test]
    fn unsigned_overflow_modes() {
        use Overflow::{Fail, Sat, Wrap};
        assert_eq!(unsigned_result(255, 1, 8, Wrap), Some(0));
        assert_eq!(unsigned_result(255, 1, 8, Sat), Some(255));
        assert_eq!(unsigned_result(255, 1, 8, Fail), None);
        assert_eq!(unsigned_result(0, -1, 8, Wrap), Some(255));
        assert_eq!(unsigned_result(0, -1, 8, Sat), Some(0));
        assert_eq!(unsigned_result(10, -10, 8, Fail), Some(0));
        // A negative SET value is a huge unsigned one: above the maximum.
        assert_eq!(unsigned_result(u64::MAX, 0, 8, Sat), Some(255));
        assert_eq!(unsigned_result(u64::MAX, 0, 8, Wrap), Some(255));
        assert_eq!(unsigned_result(256, 0, 8, Wrap), Some(0));
        let max63 = unsigned_max(63);
        assert_eq!(unsigned_result(max63, 1, 63, Wrap), Some(0));
        assert_eq!(unsigned_result(max63, 1, 63, Sat), Some(max63));
        assert_eq!(unsigned_result(0, -1, 63, Wrap), Some(max63));
        assert_eq!(unsigned_result(max63, i64::MIN, 63, Fail), None);
        assert_eq!(unsigned_result(max63, i64::MIN, 63, Wrap), Some(max63));
    }

    #[test]
    fn bitop_folds_with_zero_padding() {
        let mut acc = vec![0xf0, 0x0f];
        fold_bitop(&mut acc, &[0xff], BitOp::And);
        assert_eq!(acc, [0xf0, 0x00]);
        let mut acc = vec![0x01];
        fold_bitop(&mut acc, &[0x10, 0x20], BitOp::Or);
        assert_eq!(acc, [0x11, 0x20]);
        let mut acc = vec![0xff];
        fold_bitop(&mut acc, &[0x0f, 0x01], BitOp::Xor);
        assert_eq!(acc, [0xf0, 0x01]);
        let mut acc = vec![0xff];
        fold_bitop(&mut acc, &[0xff, 0xff], BitOp::And);
        assert_eq!(acc, [0xff, 0x00]);
    }

    fn run(engine: &mut Engine, client: u64, line: &str) -> Reply {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|a| a.as_bytes().to_vec()).collect();
        engine.exec(client, &argv)
    }

    /// An engine with key-event notifications on and a client listening to `events`.
    fn listening(events: &[&str]) -> (Engine, u64, u64) {
        let mut engine = Engine::new();
        let client = engine.connect();
        let listener = engine.connect();
        engine.config.notify_keyspace_events = notify::KEYEVENT | notify::STRING | notify::GENERIC;
        for event in events {
            let channel = format!("__keyevent@0__:{event}").into_bytes();
            engine.pubsub.add_channel(&channel, listener);
        }
        (engine, client, listener)
    }

    /// The keys named by the notifications a client received, with their event.
    fn heard(engine: &mut Engine, listener: u64) -> Vec<String> {
        engine
            .take_output(listener)
            .into_iter()
            .filter_map(|push| match push {
                Reply::Push(parts) | Reply::Array(parts) => match parts.as_slice() {
                    [_, Reply::Bulk(channel), Reply::Bulk(key)] => Some(format!(
                        "{} {}",
                        String::from_utf8_lossy(channel)
                            .rsplit(':')
                            .next()
                            .unwrap_or(""),
                        String::from_utf8_lossy(key)
                    )),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    #[test]
    fn notifications_fire_only_on_changes() {
        let (mut engine, c, l) = listening(&["setbit", "set", "del"]);
        run(&mut engine, c, "SETBIT a 0 0"); // created: a change
        run(&mut engine, c, "SETBIT a 0 0"); // same bit: nothing
        run(&mut engine, c, "SETBIT a 0 1");
        run(&mut engine, c, "SETBIT a 20 0"); // padded: a change
        run(&mut engine, c, "BITOP OR b a");
        run(&mut engine, c, "BITOP OR b none"); // empty result deletes b
        run(&mut engine, c, "BITOP OR b none"); // nothing to delete
        run(&mut engine, c, "BITFIELD c OVERFLOW FAIL SET u8 0 300"); // created, nothing written
        run(&mut engine, c, "BITFIELD c SET u8 0 0"); // same value
        run(&mut engine, c, "BITFIELD c SET u8 0 1 INCRBY u8 0 1"); // one event
        run(&mut engine, c, "BITFIELD c SET u8 40 0"); // padded
        run(&mut engine, c, "BITFIELD c GET u8 0");
        assert_eq!(
            heard(&mut engine, l),
            [
                "setbit a", "setbit a", "setbit a", "set b", "del b", "setbit c", "setbit c"
            ]
        );
    }

    #[test]
    fn in_place_writes_leave_raw_strings_and_keep_the_ttl() {
        let mut engine = Engine::new();
        let c = engine.connect();
        let encoding = |engine: &Engine, key: &[u8]| {
            engine.dbs[0]
                .peek(key)
                .map_or("none", |e| e.value.encoding_name())
        };
        run(&mut engine, c, "SET e a");
        run(&mut engine, c, "SET i 12");
        run(&mut engine, c, "SET f a");
        assert_eq!(encoding(&engine, b"e"), "embstr");
        assert_eq!(encoding(&engine, b"i"), "int");
        run(&mut engine, c, "SETBIT e 0 0"); // unchanged, still unshared
        run(&mut engine, c, "SETBIT i 0 0");
        run(&mut engine, c, "BITFIELD f OVERFLOW FAIL SET u2 0 9");
        run(&mut engine, c, "SETBIT new 0 1");
        run(&mut engine, c, "BITOP AND dest e");
        assert_eq!(encoding(&engine, b"e"), "raw");
        assert_eq!(encoding(&engine, b"i"), "raw");
        assert_eq!(encoding(&engine, b"f"), "raw");
        assert_eq!(encoding(&engine, b"new"), "raw");
        assert_eq!(encoding(&engine, b"dest"), "raw");
        // A read-only BITFIELD leaves the encoding alone.
        run(&mut engine, c, "SET g a");
        run(&mut engine, c, "BITFIELD g GET u8 0");
        assert_eq!(encoding(&engine, b"g"), "embstr");

        let at = engine.now_ms() + 100_000;
        for key in [&b"e"[..], b"f", b"dest"] {
            engine.dbs[0].set_expire(key, Some(at));
        }
        run(&mut engine, c, "SETBIT e 100 1");
        run(&mut engine, c, "BITFIELD f SET u8 0 1");
        run(&mut engine, c, "BITOP OR dest e");
        let ttl = |engine: &Engine, key: &[u8]| engine.dbs[0].peek(key).and_then(Entry::expire_at);
        assert_eq!(ttl(&engine, b"e"), Some(at));
        assert_eq!(ttl(&engine, b"f"), Some(at));
        assert_eq!(ttl(&engine, b"dest"), None); // BITOP replaces the destination
    }

    #[test]
    fn reads_count_hits_and_misses_writes_do_not() {
        let mut engine = Engine::new();
        let c = engine.connect();
        run(&mut engine, c, "SET k a");
        let stats =
            |engine: &Engine| (engine.stats().keyspace_hits, engine.stats().keyspace_misses);
        run(&mut engine, c, "BITFIELD k GET u8 0");
        run(&mut engine, c, "BITFIELD nokey GET u8 0");
        assert_eq!(stats(&engine), (1, 1));
        run(&mut engine, c, "BITFIELD k GET u8 0 SET u8 0 1");
        run(&mut engine, c, "SETBIT k 0 1");
        assert_eq!(stats(&engine), (1, 1));
        run(&mut engine, c, "BITOP AND x k nokey nokey2");
        assert_eq!(stats(&engine), (2, 3));
        run(&mut engine, c, "GETBIT k 0");
        run(&mut engine, c, "BITCOUNT nokey");
        run(&mut engine, c, "BITPOS k 1");
        run(&mut engine, c, "BITFIELD_RO k GET u8 0");
        assert_eq!(stats(&engine), (5, 4));
    }
}
