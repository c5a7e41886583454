//! The HLL (`HyperLogLog`) as Redis 7.0 stores it: the exact bytes of its string
//! representation (header, sparse run-length opcodes, dense 6-bit registers), the hash that
//! picks a register, and the cardinality estimator. Commands live in `commands/hyperloglog.rs`.
//!
//! An HLL is a string of at least [`HEADER_LEN`] bytes:
//!
//! - bytes 0..4: the magic `HYLL`;
//! - byte 4: the encoding, [`DENSE`] (0) or [`SPARSE`] (1);
//! - bytes 5..8: unused (carried along unchanged, never checked);
//! - bytes 8..16: the last computed cardinality, little endian; the top bit of byte 15 set
//!   means "stale, recompute".
//!
//! Then the [`REGISTERS`] registers. Dense: 6 bits each, packed from the least significant bit
//! of each byte upwards. Sparse: a sequence of opcodes covering the registers in order —
//! `00xxxxxx` (ZERO, 1..64 zero registers), `01xxxxxx yyyyyyyy` (XZERO, 1..16384 zero
//! registers, 14-bit length) and `1vvvvvxx` (VAL, 1..4 registers holding 1..32).
//!
//! Values are user data (`SET k "HYLL..."` is allowed), so every routine here accepts any
//! bytes: it answers [`Corrupt`] where Redis detects corruption and never panics. Where Redis
//! reads the byte just past the end of a string it reads the string's terminating zero; this
//! module reads 0 there too. (One known difference: when PFADD splits an XZERO opcode cut short
//! by the end of a hand-made string, Redis writes one byte onto that terminator, and later
//! reads of the same truncated opcode see that byte instead of 0.)

use crate::keyspace::sds::Sds;

/// Register index bits (Redis's `HLL_P`).
pub const P: u32 = 14;
/// Hash bits left for the run of zeroes (Redis's `HLL_Q`).
pub const Q: u32 = 64 - P;
/// Number of registers.
pub const REGISTERS: usize = 1 << P;
/// Bits per dense register.
const BITS: usize = 6;
/// Largest value a dense register holds.
const REGISTER_MAX: u8 = (1 << BITS) - 1;
/// Length of the header that precedes the registers.
pub const HEADER_LEN: usize = 16;
/// Exact length of a dense HLL.
pub const DENSE_LEN: usize = HEADER_LEN + (REGISTERS * BITS).div_ceil(8);
/// Encoding byte of a dense HLL.
pub const DENSE: u8 = 0;
/// Encoding byte of a sparse HLL.
pub const SPARSE: u8 = 1;
/// Offset of the encoding byte.
const ENCODING_AT: usize = 4;
/// Offset of the cached cardinality.
const CARD_AT: usize = 8;

/// The seed Redis hashes elements with.
const SEED: u64 = 0xadc8_3b19;

/// Largest value a sparse VAL opcode holds; a larger one forces the dense encoding.
const SPARSE_VAL_MAX_VALUE: u8 = 32;
/// Longest run of one VAL opcode.
const SPARSE_VAL_MAX_LEN: usize = 4;
/// Longest run of one ZERO opcode.
const SPARSE_ZERO_MAX_LEN: usize = 64;
/// Longest run of one XZERO opcode.
const SPARSE_XZERO_MAX_LEN: usize = 16384;

/// `0.5 / ln 2`, the estimator's constant for an infinite number of registers.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// The representation is damaged (Redis answers `INVALIDOBJ Corrupted HLL object detected`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// `MurmurHash2`, 64-bit version (`MurmurHash64A`), reading 8-byte blocks little endian as
/// Redis does on every architecture.
pub fn murmur_hash64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (data.len() as u64).wrapping_mul(M);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let mut word = [0u8; 8];
        word.copy_from_slice(block);
        let mut k = u64::from_le_bytes(word);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &byte) in tail.iter().enumerate() {
            h ^= u64::from(byte) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element falls in and the length of its `0…01` pattern (1..=Q+1): the low
/// P bits of the hash pick the register, the rest count the zeroes before the first one.
pub fn pattern(element: &[u8]) -> (usize, u8) {
    let hash = murmur_hash64a(element, SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    // The sentinel bit at Q bounds the count at Q + 1.
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// Whether a string is an HLL Redis accepts (`isHLLObjectOrReply`): long enough for the
/// header, the magic, a known encoding, and the exact length when dense. Nothing else (in
/// particular not the sparse opcodes) is checked here.
pub fn is_valid(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_LEN
        && bytes.starts_with(b"HYLL")
        && match bytes.get(ENCODING_AT) {
            Some(&DENSE) => bytes.len() == DENSE_LEN,
            Some(&SPARSE) => true,
            _ => false,
        }
}

/// The encoding byte (meaningful after [`is_valid`]).
pub fn encoding(hll: &[u8]) -> Option<u8> {
    hll.get(ENCODING_AT).copied()
}

/// A new empty HLL: sparse, one XZERO opcode per 16384 registers, cache valid at 0.
pub fn new_sparse() -> Vec<u8> {
    let mut hll = Vec::with_capacity(HEADER_LEN + 2);
    hll.extend_from_slice(b"HYLL");
    hll.resize(HEADER_LEN, 0);
    hll[ENCODING_AT] = SPARSE; // in bounds: the vector is HEADER_LEN long
    let mut left = REGISTERS;
    while left > 0 {
        let run = left.min(SPARSE_XZERO_MAX_LEN);
        hll.extend_from_slice(&xzero_op(run));
        left -= run;
    }
    hll
}

/// The cached cardinality, if it is marked valid.
pub fn cached_cardinality(hll: &[u8]) -> Option<u64> {
    let card: [u8; 8] = hll.get(CARD_AT..HEADER_LEN)?.try_into().ok()?;
    (card[7] & 0x80 == 0).then(|| u64::from_le_bytes(card))
}

/// Stores a cardinality in the cache (a value with its top bit set stays "stale").
pub fn store_cardinality(hll: &mut [u8], card: u64) {
    if let Some(slot) = hll.get_mut(CARD_AT..HEADER_LEN) {
        slot.copy_from_slice(&card.to_le_bytes());
    }
}

/// Marks the cached cardinality stale: sets its top bit, keeping the other bits.
pub fn invalidate_cache(hll: &mut [u8]) {
    if let Some(top) = hll.get_mut(HEADER_LEN - 1) {
        *top |= 0x80;
    }
}

/// Adds an element (`hllAdd`): answers whether a register grew. A sparse HLL may become dense
/// when the register's new value exceeds 32 or the string would exceed `max_sparse` bytes.
/// `room` follows the HLL's sds allocation (see [`set_register_in`]).
pub fn add(
    hll: &mut Vec<u8>,
    room: &mut Sds,
    element: &[u8],
    max_sparse: usize,
) -> Result<bool, Corrupt> {
    let (index, count) = pattern(element);
    set_register_in(hll, room, index, count, max_sparse)
}

/// [`set_register`], following the room Redis's sds string of the HLL has (`room`, see
/// `keyspace/sds.rs`): `hllSparseSet` makes room for three more bytes, greedily, before it
/// looks at a sparse HLL (unless the count forces it dense), and a conversion to dense makes a
/// fresh string.
pub fn set_register_in(
    hll: &mut Vec<u8>,
    room: &mut Sds,
    index: usize,
    count: u8,
    max_sparse: usize,
) -> Result<bool, Corrupt> {
    let sparse = encoding(hll) == Some(SPARSE);
    if sparse && count <= SPARSE_VAL_MAX_VALUE {
        room.make_room(hll.len(), 3);
    }
    let result = set_register(hll, index, count, max_sparse);
    if sparse && encoding(hll) == Some(DENSE) {
        *room = Sds::fresh(hll.len());
    }
    result
}

/// [`to_dense`], for an HLL whose sds room is `room`: a conversion makes a fresh string.
pub fn to_dense_in(hll: &mut Vec<u8>, room: &mut Sds) -> Result<bool, Corrupt> {
    let converted = to_dense(hll)?;
    if converted {
        *room = Sds::fresh(hll.len());
    }
    Ok(converted)
}

/// Raises register `index` to `count` if it is lower, in either encoding (`hllDenseSet` /
/// `hllSparseSet`); answers whether it changed.
pub fn set_register(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    max_sparse: usize,
) -> Result<bool, Corrupt> {
    match encoding(hll) {
        Some(DENSE) => Ok(dense_raise(registers_mut(hll), index, count)),
        Some(SPARSE) => sparse_set(hll, index, count, max_sparse),
        _ => Err(Corrupt),
    }
}

/// Converts a sparse HLL to dense in place (`hllSparseToDense`), keeping the whole header
/// (cached cardinality and unused bytes included) but the encoding. Answers whether it
/// converted (false when already dense). The sparse opcodes must cover exactly the registers.
pub fn to_dense(hll: &mut Vec<u8>) -> Result<bool, Corrupt> {
    if encoding(hll) == Some(DENSE) {
        return Ok(false);
    }
    let mut dense = vec![0u8; DENSE_LEN];
    if let (Some(to), Some(from)) = (dense.get_mut(..HEADER_LEN), hll.get(..HEADER_LEN)) {
        to.copy_from_slice(from);
    }
    dense[ENCODING_AT] = DENSE; // in bounds: DENSE_LEN > ENCODING_AT
    let registers = registers_mut(&mut dense);
    walk_sparse(hll, |index, value| dense_write(registers, index, value))?;
    *hll = dense;
    Ok(true)
}

/// Merges an HLL into `max` (one byte per register), keeping the larger value of each
/// register (`hllMerge`). The HLL must have passed [`is_valid`].
pub fn merge_into(max: &mut [u8], hll: &[u8]) -> Result<(), Corrupt> {
    match encoding(hll) {
        Some(DENSE) => {
            let registers = registers(hll);
            for (index, slot) in max.iter_mut().enumerate().take(REGISTERS) {
                *slot = (*slot).max(dense_get(registers, index));
            }
            Ok(())
        }
        _ => walk_sparse(hll, |index, value| {
            if let Some(slot) = max.get_mut(index) {
                *slot = (*slot).max(value);
            }
        }),
    }
}

/// Writes merged registers into an HLL, as `PFMERGE` does: dense first if `use_dense`, then
/// every non-zero register raised one by one (a sparse target may turn dense on the way), then
/// the cache marked stale.
pub fn write_merged(
    hll: &mut Vec<u8>,
    room: &mut Sds,
    max: &[u8],
    use_dense: bool,
    max_sparse: usize,
) -> Result<(), Corrupt> {
    if use_dense {
        to_dense_in(hll, room)?;
    }
    for (index, &value) in max.iter().enumerate().take(REGISTERS) {
        if value != 0 {
            // As Redis, a failure here (impossible on a validated target) is ignored.
            let _ = set_register_in(hll, room, index, value, max_sparse);
        }
    }
    invalidate_cache(hll);
    Ok(())
}

/// Estimates the cardinality of an HLL (`hllCount`); a sparse HLL whose opcodes do not cover
/// exactly the registers is [`Corrupt`].
pub fn count(hll: &[u8]) -> Result<u64, Corrupt> {
    let mut histogram = [0u64; 64];
    match encoding(hll) {
        Some(DENSE) => {
            let registers = registers(hll);
            for index in 0..REGISTERS {
                histogram[usize::from(dense_get(registers, index))] += 1;
            }
        }
        Some(SPARSE) => {
            let mut covered = 0usize;
            let mut p = HEADER_LEN;
            while let Some(op) = Opcode::at(hll, p) {
                covered = covered.saturating_add(op.run);
                if let Some(slot) = histogram.get_mut(usize::from(op.value)) {
                    *slot += op.run as u64;
                }
                p += op.len;
            }
            if covered != REGISTERS {
                return Err(Corrupt);
            }
        }
        _ => return Err(Corrupt),
    }
    Ok(estimate(&histogram))
}

/// Estimates the cardinality of registers held one per byte (the merged registers of a
/// multi-key `PFCOUNT`).
pub fn count_registers(max: &[u8]) -> u64 {
    let mut histogram = [0u64; 64];
    for &value in max.iter().take(REGISTERS) {
        if let Some(slot) = histogram.get_mut(usize::from(value)) {
            *slot += 1;
        }
    }
    estimate(&histogram)
}

/// Every register's value, for `PFDEBUG GETREG` (of a dense HLL).
pub fn dense_registers(hll: &[u8]) -> Vec<u8> {
    let registers = registers(hll);
    (0..REGISTERS).map(|i| dense_get(registers, i)).collect()
}

/// The opcodes of a sparse HLL in `PFDEBUG DECODE`'s words: `z:N` (ZERO), `Z:N` (XZERO),
/// `v:VALUE,N` (VAL), separated by spaces.
pub fn decode_sparse(hll: &[u8]) -> String {
    let mut words = Vec::new();
    let mut p = HEADER_LEN;
    while let Some(op) = Opcode::at(hll, p) {
        words.push(match op.kind {
            Kind::Zero => format!("z:{}", op.run),
            Kind::XZero => format!("Z:{}", op.run),
            Kind::Val => format!("v:{},{}", op.value, op.run),
        });
        p += op.len;
    }
    words.join(" ")
}

// ---------------------------------------------------------------------------------------------
// The estimator (Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog sketches",
// arXiv:1702.01284), as Redis 7 computes it.

/// Upper bound on the series' iterations; they converge in well under a hundred.
const SERIES_LIMIT: usize = 10_000;

/// Ertl's σ(x) for the share of zero registers.
#[allow(clippy::float_cmp)] // exact: Redis tests these values and iterates to a fixed point
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    for _ in 0..SERIES_LIMIT {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if previous == z {
            break;
        }
    }
    z
}

/// Ertl's τ(x) for the share of registers below the maximum.
#[allow(clippy::float_cmp)] // exact: Redis tests these values and iterates to a fixed point
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    for _ in 0..SERIES_LIMIT {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        // Redis writes pow(1 - x, 2); its compiler turns that into this product.
        z -= (1.0 - x) * (1.0 - x) * y;
        if previous == z {
            break;
        }
    }
    z / 3.0
}

/// The cardinality from the histogram of register values. Values above Q + 1 (possible only in
/// hand-made dense strings) are ignored, as in Redis.
fn estimate(histogram: &[u64; 64]) -> u64 {
    let m = REGISTERS as f64;
    let q = Q as usize;
    let mut z = m * tau((m - histogram[q + 1] as f64) / m);
    for j in (1..=q).rev() {
        z += histogram[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histogram[0] as f64 / m);
    c_uint64_of_double(c_llround(ALPHA_INF * m * m / z) as f64)
}

/// C's `llroundl` on x86-64: halves away from zero; a result outside `i64` (or infinite, when
/// every register is saturated) gives `i64::MIN`, the x87 "integer indefinite".
fn c_llround(x: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    let r = x.round();
    if r.is_finite() && (-LIMIT..LIMIT).contains(&r) {
        r as i64
    } else {
        i64::MIN
    }
}

/// C's `(uint64_t)` of a double as GCC emits it on x86-64: a signed truncation below 2^63
/// (so a negative value wraps), `x - 2^63` with the top bit set above.
fn c_uint64_of_double(x: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if x < TWO_63 {
        x as i64 as u64
    } else {
        ((x - TWO_63) as i64 as u64) ^ (1 << 63)
    }
}

// ---------------------------------------------------------------------------------------------
// Dense registers.

fn registers(hll: &[u8]) -> &[u8] {
    hll.get(HEADER_LEN..).unwrap_or_default()
}

fn registers_mut(hll: &mut [u8]) -> &mut [u8] {
    hll.get_mut(HEADER_LEN..).unwrap_or_default()
}

/// Register `index` of packed 6-bit registers; bytes past the end read as 0.
fn dense_get(registers: &[u8], index: usize) -> u8 {
    let bit = index * BITS;
    let (byte, shift) = (bit / 8, bit % 8);
    let b0 = u16::from(registers.get(byte).copied().unwrap_or(0));
    let b1 = u16::from(registers.get(byte + 1).copied().unwrap_or(0));
    (((b0 >> shift) | (b1 << (8 - shift))) & u16::from(REGISTER_MAX)) as u8
}

/// Writes register `index`; bits that would fall past the end are dropped.
fn dense_write(registers: &mut [u8], index: usize, value: u8) {
    let bit = index * BITS;
    let (byte, shift) = (bit / 8, bit % 8);
    let value = u16::from(value & REGISTER_MAX);
    let mask = u16::from(REGISTER_MAX);
    if let Some(b) = registers.get_mut(byte) {
        *b = (u16::from(*b) & !(mask << shift) | (value << shift)) as u8;
    }
    if let Some(b) = registers.get_mut(byte + 1) {
        let rshift = 8 - shift;
        *b = (u16::from(*b) & !(mask >> rshift) | (value >> rshift)) as u8;
    }
}

/// Raises a dense register to `count` if lower; answers whether it changed.
fn dense_raise(registers: &mut [u8], index: usize, count: u8) -> bool {
    if count > dense_get(registers, index) {
        dense_write(registers, index, count);
        true
    } else {
        false
    }
}

// ---------------------------------------------------------------------------------------------
// Sparse opcodes.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zero,
    XZero,
    Val,
}

/// One decoded sparse opcode.
#[derive(Debug, Clone, Copy)]
struct Opcode {
    kind: Kind,
    /// Registers it covers.
    run: usize,
    /// Their value (0 for ZERO and XZERO).
    value: u8,
    /// Its length in bytes.
    len: usize,
}

impl Opcode {
    /// The opcode starting at `p`, or `None` at or past the end. An XZERO whose second byte
    /// is missing reads it as 0 (Redis reads the string's terminator).
    fn at(bytes: &[u8], p: usize) -> Option<Opcode> {
        let b = *bytes.get(p)?;
        Some(if b & 0xc0 == 0 {
            Opcode {
                kind: Kind::Zero,
                run: usize::from(b & 0x3f) + 1,
                value: 0,
                len: 1,
            }
        } else if b & 0x80 == 0 {
            let low = bytes.get(p + 1).copied().unwrap_or(0);
            Opcode {
                kind: Kind::XZero,
                run: (usize::from(b & 0x3f) << 8 | usize::from(low)) + 1,
                value: 0,
                len: 2,
            }
        } else {
            Opcode {
                kind: Kind::Val,
                run: usize::from(b & 0x03) + 1,
                value: ((b >> 2) & 0x1f) + 1,
                len: 1,
            }
        })
    }
}

fn zero_op(run: usize) -> u8 {
    (run - 1) as u8
}

fn xzero_op(run: usize) -> [u8; 2] {
    let l = run - 1;
    [((l >> 8) as u8) | 0x40, (l & 0xff) as u8]
}

fn val_op(value: u8, run: usize) -> u8 {
    (value.wrapping_sub(1) << 2) | ((run - 1) as u8) | 0x80
}

/// The shortest zero opcode for a run: ZERO up to 64, XZERO beyond.
fn push_zeroes(seq: &mut Vec<u8>, run: usize) {
    if run > SPARSE_ZERO_MAX_LEN {
        seq.extend_from_slice(&xzero_op(run));
    } else {
        seq.push(zero_op(run));
    }
}

/// Decodes the sparse opcodes in order, calling `set(index, value)` for each register a VAL
/// covers. The opcodes must cover exactly the registers: any opcode running past the last
/// register (even after a complete cover) is [`Corrupt`], as in Debian's 7.0.15, which carries
/// the fix for CVE-2025-32023.
fn walk_sparse(hll: &[u8], mut set: impl FnMut(usize, u8)) -> Result<(), Corrupt> {
    let mut index = 0usize;
    let mut p = HEADER_LEN;
    while let Some(op) = Opcode::at(hll, p) {
        let next = index + op.run; // index <= REGISTERS here and run <= 16384: no overflow
        if next > REGISTERS {
            return Err(Corrupt);
        }
        if op.kind == Kind::Val {
            for i in index..next {
                set(i, op.value);
            }
        }
        index = next;
        p += op.len;
    }
    if index == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// `hllSparseSet`: raises register `index` to `count` in a sparse HLL, splitting the opcode
/// that covers it and merging equal neighbours; promotes to dense when needed.
fn sparse_set(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    max_sparse: usize,
) -> Result<bool, Corrupt> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(hll, index, count);
    }

    // Step 1: find the opcode covering the register, with the one before it.
    let mut end = hll.len();
    let mut p = HEADER_LEN;
    let mut first = 0usize;
    let mut prev = None;
    let mut found = None;
    while let Some(op) = Opcode::at(hll, p) {
        if index < first + op.run {
            found = Some(op);
            break;
        }
        prev = Some(p);
        p += op.len;
        first += op.run;
    }
    let Some(op) = found else {
        return Err(Corrupt);
    };

    // Step 2: the cases that change one byte in place.
    let in_place = match op.kind {
        Kind::Val if op.value >= count => return Ok(false),
        Kind::Val | Kind::Zero => op.run == 1,
        Kind::XZero => false,
    };
    if in_place {
        if let Some(b) = hll.get_mut(p) {
            *b = val_op(count, 1);
        }
    } else {
        // Step 3: split the opcode into at most three (the worst case, XZERO-VAL-XZERO, is
        // five bytes) and put the sequence in its place.
        let last = first + op.run - 1;
        let mut seq = Vec::with_capacity(5);
        if op.kind == Kind::Val {
            if index != first {
                seq.push(val_op(op.value, index - first));
            }
            seq.push(val_op(count, 1));
            if index != last {
                seq.push(val_op(op.value, last - index));
            }
        } else {
            if index != first {
                push_zeroes(&mut seq, index - first);
            }
            seq.push(val_op(count, 1));
            if index != last {
                push_zeroes(&mut seq, last - index);
            }
        }
        let new_len = (end + seq.len()).saturating_sub(op.len);
        if new_len > end && new_len > max_sparse {
            return promote(hll, index, count);
        }
        // An XZERO cut short by the end of the string counts as two bytes, so its last new
        // byte lands past the new end (in Redis, on the terminator) and is lost.
        // In bounds: p < end, and the range's end is clamped to end.
        hll.splice(p..(p + op.len).min(end), seq);
        hll.truncate(new_len);
        end = hll.len();
    }

    // Step 4: merge adjacent VAL opcodes of equal value, scanning five opcodes from the one
    // before the change.
    let mut p = prev.unwrap_or(HEADER_LEN);
    let mut scans = 5;
    while p < end && scans > 0 {
        scans -= 1;
        let Some(op) = Opcode::at(hll, p) else { break };
        if op.kind != Kind::Val {
            p += op.len;
            continue;
        }
        if p + 1 < end
            && let Some(next) = Opcode::at(hll, p + 1)
            && next.kind == Kind::Val
            && next.value == op.value
            && op.run + next.run <= SPARSE_VAL_MAX_LEN
        {
            hll[p + 1] = val_op(op.value, op.run + next.run); // in bounds: p + 1 < end
            hll.remove(p); // in bounds: p < end
            end -= 1;
            // Stay on the merged opcode: it may merge with the next one too.
            continue;
        }
        p += 1;
    }

    invalidate_cache(hll);
    Ok(true)
}

/// Turns a sparse HLL dense and raises the register there.
fn promote(hll: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    to_dense(hll)?;
    Ok(dense_raise(registers_mut(hll), index, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packs register values as Redis's dense encoding, with a stale cache.
    fn dense_of(values: impl Fn(usize) -> u8) -> Vec<u8> {
        let mut hll = vec![0u8; DENSE_LEN];
        hll[..4].copy_from_slice(b"HYLL");
        hll[15] = 0x80;
        for i in 0..REGISTERS {
            dense_write(&mut hll[HEADER_LEN..], i, values(i));
        }
        hll
    }

    #[test]
    fn murmur_hash64a_matches_reference_values() {
        // Computed with Redis 7.0.15's own MurmurHash64A, compiled on x86-64: every tail length
        // (0, 1, 5, 2 after a block), one exact block, and two blocks plus one byte.
        let cases: [(&[u8], u64, u64); 6] = [
            (b"", 0x0000_0000_0000_0000, 0xd8df_ea65_85bc_9732),
            (b"a", 0x0717_17d2_d36b_6b11, 0x53d2_470a_9b43_b1a7),
            (b"hello", 0x1e68_d17c_457b_f117, 0x0f65_6f01_eecf_e400),
            (b"0123456789", 0xa824_7417_c790_9865, 0xfc02_e737_98aa_83fd),
            (b"01234567", 0x87b4_7e2a_5e55_a79a, 0x4f52_9b65_1cb0_8252),
            (
                b"abcdefghijklmnopq",
                0x0f99_6a80_6d24_0427,
                0x876e_d29f_b39e_50af,
            ),
        ];
        for (data, unseeded, seeded) in cases {
            assert_eq!(murmur_hash64a(data, 0), unseeded);
            assert_eq!(murmur_hash64a(data, SEED), seeded);
        }
    }

    #[test]
    fn patterns_match_redis_registers() {
        // From PFDEBUG DECODE on redis-server 7.0.15 after PFADD k a b c:
        // "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603".
        let mut regs: Vec<(usize, u8)> =
            [&b"a"[..], b"b", b"c"].iter().map(|e| pattern(e)).collect();
        regs.sort_unstable();
        assert_eq!(regs, vec![(8436, 1), (12711, 2), (15780, 1)]);
    }

    #[test]
    fn sparse_adds_produce_redis_bytes() {
        let mut hll = new_sparse();
        assert_eq!(hll, b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        for e in [&b"a"[..], b"b", b"c"] {
            assert_eq!(add(&mut hll, &mut Sds::default(), e, 3000), Ok(true));
        }
        assert_eq!(add(&mut hll, &mut Sds::default(), b"a", 3000), Ok(false));
        // GET k on redis-server 7.0.15 after PFADD k a b c.
        assert_eq!(
            hll,
            b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ"
        );
        assert_eq!(
            decode_sparse(&hll),
            "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"
        );
        assert_eq!(count(&hll), Ok(3));
    }

    #[test]
    #[allow(clippy::float_cmp)] // exact values
    fn estimator_edges() {
        assert_eq!(sigma(1.0), f64::INFINITY);
        assert_eq!(sigma(0.0), 0.0);
        assert_eq!(tau(0.0), 0.0);
        assert_eq!(tau(1.0), 0.0);
        // Empty: every register zero.
        assert_eq!(count(&new_sparse()), Ok(0));
        assert_eq!(count_registers(&[0u8; REGISTERS]), 0);
        // Saturated or absurd registers: Redis answers -9223372036854775808 (LLONG_MIN
        // reinterpreted), observed on redis-server 7.0.15.
        assert_eq!(count(&dense_of(|_| 63)), Ok(1 << 63));
        assert_eq!(count(&dense_of(|_| 50)), Ok(1 << 63));
        // One register at 1: a small count, equal in every encoding.
        let mut max = [0u8; REGISTERS];
        max[7] = 1;
        let dense = dense_of(|i| u8::from(i == 7));
        assert_eq!(count(&dense), Ok(count_registers(&max)));
        assert_eq!(count_registers(&max), 1);
    }

    #[test]
    fn estimator_tracks_true_cardinality() {
        // Dense and sparse agree all along, and stay within a few standard errors.
        let mut sparse = new_sparse();
        let mut dense = dense_of(|_| 0);
        let mut checkpoint = 1;
        for n in 1..=20_000u32 {
            let element = n.to_string();
            add(&mut sparse, &mut Sds::default(), element.as_bytes(), 3000).unwrap();
            add(&mut dense, &mut Sds::default(), element.as_bytes(), 3000).unwrap();
            if n == checkpoint {
                let (a, b) = (count(&sparse).unwrap(), count(&dense).unwrap());
                assert_eq!(a, b);
                let err = (a as f64 - f64::from(n)).abs();
                assert!(err <= (1.04 / 128.0 * 6.0 * f64::from(n)).ceil().max(1.0));
                checkpoint *= 3;
            }
        }
        assert_eq!(encoding(&sparse), Some(DENSE));
    }

    #[test]
    fn promotion_on_size_and_on_large_value() {
        let mut hll = new_sparse();
        let mut n = 0u32;
        while encoding(&hll) == Some(SPARSE) {
            n += 1;
            add(
                &mut hll,
                &mut Sds::default(),
                n.to_string().as_bytes(),
                3000,
            )
            .unwrap();
            assert!(hll.len() <= 3000 || encoding(&hll) == Some(DENSE));
        }
        assert_eq!(hll.len(), DENSE_LEN);
        // A value above 32 cannot be sparse.
        let mut hll = new_sparse();
        assert_eq!(set_register(&mut hll, 5, 33, 3000), Ok(true));
        assert_eq!(hll.len(), DENSE_LEN);
        assert_eq!(dense_registers(&hll)[5], 33);
    }

    #[test]
    fn corrupted_sparse_never_panics() {
        let header = b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0";
        let bodies: [&[u8]; 7] = [
            b"",
            b"\x7f",
            b"\x7f\xfe",
            b"\x7f\xff\xff",
            b"\x80\x80\x80",
            b"\xff\xff\xff\x7f\xff",
            b"\x00\x40",
        ];
        for body in bodies {
            let mut hll = [&header[..], body].concat();
            for n in 0..200u32 {
                let _ = add(
                    &mut hll,
                    &mut Sds::default(),
                    n.to_string().as_bytes(),
                    3000,
                );
                let _ = count(&hll);
                let mut max = [0u8; REGISTERS];
                let _ = merge_into(&mut max, &hll);
            }
            let mut copy = [&header[..], body].concat();
            let _ = to_dense(&mut copy);
            let _ = decode_sparse(&copy);
        }
        assert!(!is_valid(b"HYLL\x00\0\0\0\0\0\0\0\0\0\0\0"));
        assert!(!is_valid(b"HYLL\x02\0\0\0\0\0\0\0\0\0\0\0"));
        assert!(!is_valid(b"HYLL\x01\0\0\0\0\0\0\0\0\0\0"));
        assert!(is_valid(b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0"));
    }
}
