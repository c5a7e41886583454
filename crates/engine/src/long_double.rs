//! C's `long double` on x86-64 (the x87 80-bit extended format: a 64-bit mantissa with an
//! explicit integer bit, exponents from -16382 to 16383, subnormals below), as Redis uses it for
//! `INCRBYFLOAT` and `HINCRBYFLOAT`.
//!
//! Redis parses both operands with `strtold` (its `string2ld`), adds them in extended precision
//! and prints the sum with `%.17Lf`, trailing zeros removed (its `ld2string` in `LD_STR_HUMAN`
//! mode). An `f64` gives other digits (`10.5 + 0.1` is `10.6` in Redis, `10.59999999999999964`
//! in doubles), so this module does the same arithmetic exactly, in software:
//!
//! - [`LongDouble::parse`] is `string2ld`: glibc's correctly rounded `strtold` (decimal, hex,
//!   `inf`/`infinity`; round half to even; subnormals) plus Redis's checks (no leading blank, the
//!   whole text consumed, fewer than 5120 bytes, no overflow to infinity or underflow to zero,
//!   not NaN).
//! - `LongDouble + LongDouble` is the x87 addition in round-to-nearest-even.
//! - [`LongDouble::to_human`] is `ld2string(…, LD_STR_HUMAN)`.
//!
//! Every operation computes the exact rational result with small big integers and rounds once,
//! so results are bit-for-bit those of the hardware and glibc.
//!
//! INCRBYFLOAT and HINCRBYFLOAT both compose the same steps: parse the stored value and the
//! increment (refusing either with their own error text), add, refuse a sum that is not
//! [finite](LongDouble::is_finite) (`increment would produce NaN or Infinity`), store
//! [`to_human`](LongDouble::to_human)'s text.
//!
//! ```
//! use engine::long_double::LongDouble;
//! let a = LongDouble::parse(b"10.5").unwrap();
//! let b = LongDouble::parse(b"0.1").unwrap();
//! assert_eq!((a + b).to_human(), "10.6");
//! ```

use std::cmp::Ordering;
use std::fmt::Write as _;

/// Bits of the mantissa, integer bit included.
const MANTISSA_BITS: i64 = 64;
/// Exponent of the least significant mantissa bit of the smallest subnormal: 2^-16445.
const MIN_LSB_EXP: i64 = -16445;
/// Exponent of the least significant mantissa bit of the largest finite values:
/// the maximum is (2^64 - 1) * 2^16320, about 1.19e4932.
const MAX_LSB_EXP: i64 = 16320;
/// Redis's `MAX_LONG_DOUBLE_CHARS`: `string2ld` refuses texts of this length or more.
pub const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;
/// Decimal places `%.17Lf` prints.
const HUMAN_DECIMALS: u32 = 17;

/// An x87 extended-precision value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    negative: bool,
    class: Class,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Zero,
    /// `mantissa * 2^exp`, `exp` in `MIN_LSB_EXP..=MAX_LSB_EXP`; the mantissa has its top bit set
    /// unless `exp == MIN_LSB_EXP` (a subnormal). Never zero.
    Finite {
        mantissa: u64,
        exp: i32,
    },
    Infinite,
    NaN,
}

/// What rounding an exact value to the format produced, with `strtold`'s `ERANGE` cases told
/// apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rounded {
    Value(LongDouble),
    /// Too large: the result is an infinity.
    Overflow,
    /// Nonzero but rounds to zero.
    Underflow,
}

impl LongDouble {
    /// Not a number (what `inf + -inf` gives).
    const NAN: LongDouble = LongDouble {
        negative: false,
        class: Class::NaN,
    };

    /// Positive zero.
    pub const ZERO: LongDouble = LongDouble {
        negative: false,
        class: Class::Zero,
    };

    /// Parses a number as Redis's `string2ld`: `None` for anything Redis refuses.
    ///
    /// Accepted, as glibc's `strtold` reads them: an optional sign, then decimal digits with an
    /// optional point and `e` exponent (`-1.5e3`, `.5`, `5.`), a C99 hex float (`0x1.8p3`), or
    /// `inf`/`infinity` in any case. Refused: empty texts and texts of 5120 bytes or more, a
    /// leading blank or any unread byte (trailing blanks, `\0`), NaN, values too large for the
    /// format, and nonzero values that round to zero (`1e-5000`). Values that round to a
    /// subnormal are accepted, as Redis only rejects `ERANGE` results that are zero or infinite.
    pub fn parse(text: &[u8]) -> Option<LongDouble> {
        if text.is_empty() || text.len() >= MAX_LONG_DOUBLE_CHARS {
            return None;
        }
        let (negative, body) = match text.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, text),
        };
        let magnitude =
            if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
                Rounded::Value(LongDouble {
                    negative: false,
                    class: Class::Infinite,
                })
            } else if let Some(hex) = body
                .strip_prefix(b"0x")
                .or_else(|| body.strip_prefix(b"0X"))
            {
                parse_hex(hex)?
            } else {
                parse_decimal(body)?
            };
        match magnitude {
            Rounded::Value(v) => Some(LongDouble { negative, ..v }),
            Rounded::Overflow | Rounded::Underflow => None,
        }
    }

    /// The exact value of a 64-bit integer (every `i64` fits the 64-bit mantissa), as Redis
    /// converts an integer-encoded string.
    pub fn from_i64(value: i64) -> LongDouble {
        let negative = value < 0;
        let magnitude = value.unsigned_abs();
        if magnitude == 0 {
            return LongDouble::ZERO;
        }
        match round(
            negative,
            &Big::from_u128(u128::from(magnitude)),
            &Big::one(),
            0,
        ) {
            Rounded::Value(v) => v,
            // An integer below 2^64 is exact in the format; this arm is never taken.
            Rounded::Overflow | Rounded::Underflow => LongDouble::ZERO,
        }
    }

    /// Whether the value is neither infinite nor NaN (Redis refuses to store the others:
    /// `increment would produce NaN or Infinity`).
    pub fn is_finite(&self) -> bool {
        matches!(self.class, Class::Zero | Class::Finite { .. })
    }

    /// Whether the value is NaN.
    pub fn is_nan(&self) -> bool {
        self.class == Class::NaN
    }

    /// Formats as Redis's `ld2string(…, LD_STR_HUMAN)`: `printf("%.17Lf")` (exact, ties to
    /// even), then trailing zeros and a trailing point removed, `-0` written `0`; infinities are
    /// `inf`/`-inf`. Redis never stores an infinity or NaN, but they format as C would.
    ///
    /// Redis prints into a 5120-byte buffer and would store an empty string if the text did not
    /// fit; the longest finite text is 4952 bytes (`-`, 4933 digits, the point, 17 decimals), so
    /// that never happens and no check is needed.
    pub fn to_human(&self) -> String {
        let (mantissa, exp) = match self.class {
            Class::NaN => return if self.negative { "-nan" } else { "nan" }.to_string(),
            Class::Infinite => return if self.negative { "-inf" } else { "inf" }.to_string(),
            Class::Zero => (0, 0),
            Class::Finite { mantissa, exp } => (mantissa, exp),
        };
        // Scaled = round(value * 10^17): the digits of %.17Lf without the point.
        let mut scaled = Big::from_u128(u128::from(mantissa));
        scaled.mul_pow10(HUMAN_DECIMALS);
        let scaled = if exp >= 0 {
            scaled.shl(shift_amount(exp, 0))
        } else {
            scaled.shr_round_even(shift_amount(0, exp))
        };
        let mut digits = scaled.to_decimal();
        let decimals = HUMAN_DECIMALS as usize;
        if digits.len() <= decimals {
            let mut padded = "0".repeat(decimals + 1 - digits.len());
            padded.push_str(&digits);
            digits = padded;
        }
        let (int_part, frac_part) = digits.split_at(digits.len() - decimals);
        let frac_part = frac_part.trim_end_matches('0');
        let mut out = String::with_capacity(digits.len() + 2);
        if self.negative {
            out.push('-');
        }
        out.push_str(int_part);
        if !frac_part.is_empty() {
            out.push('.');
            out.push_str(frac_part);
        }
        if out == "-0" { "0".to_string() } else { out }
    }
}

impl LongDouble {
    /// `(long long) ceill(value * factor)` as C computes it on x86-64: the product rounded to
    /// the format (round half to even), rounded up to an integer, then converted; a result out
    /// of `i64`'s range, an infinity or a NaN gives `i64::MIN`, the x87 "integer indefinite".
    /// Redis turns timeouts in seconds into milliseconds this way.
    pub fn mul_ceil_i64(&self, factor: u32) -> i64 {
        let (mantissa, exp) = match self.class {
            Class::Zero => return 0,
            Class::Finite { mantissa, exp } => (mantissa, i64::from(exp)),
            Class::Infinite | Class::NaN => return i64::MIN,
        };
        if factor == 0 {
            return 0;
        }
        // The exact product has at most 64 + 32 bits; round it to 64 significant bits.
        let mut m = u128::from(mantissa) * u128::from(factor);
        let mut e = exp;
        let bits = i64::from(128 - m.leading_zeros());
        if bits > MANTISSA_BITS {
            let shift = bits - MANTISSA_BITS;
            let rest = m & ((1u128 << shift) - 1);
            let half = 1u128 << (shift - 1);
            m >>= shift;
            e += shift;
            if rest > half || (rest == half && m & 1 == 1) {
                m += 1;
                if m >> MANTISSA_BITS != 0 {
                    m >>= 1;
                    e += 1;
                }
            }
        }
        // Round m * 2^e up to an integer: away from zero when positive, toward it otherwise.
        let (whole, fraction) = if e >= 0 {
            (if e >= 64 { None } else { Some(m << e) }, false)
        } else if e <= -128 {
            (Some(0), m != 0)
        } else {
            (Some(m >> -e), m & ((1u128 << -e) - 1) != 0)
        };
        let magnitude = whole.map(|w| if fraction && !self.negative { w + 1 } else { w });
        match magnitude {
            Some(v) if v < 1u128 << 63 => {
                let v = v as i64;
                if self.negative { -v } else { v }
            }
            _ => i64::MIN,
        }
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    /// The sum, rounded to nearest (ties to even) as the x87 unit does in its default mode;
    /// overflow gives an infinity, `inf + -inf` NaN.
    fn add(self, other: LongDouble) -> LongDouble {
        match (self.class, other.class) {
            (Class::NaN, _) | (_, Class::NaN) => LongDouble::NAN,
            (Class::Infinite, Class::Infinite) => {
                if self.negative == other.negative {
                    self
                } else {
                    LongDouble::NAN
                }
            }
            (Class::Zero, Class::Zero) => LongDouble {
                // -0 + -0 is -0; any other sum of zeros is +0 when rounding to nearest.
                negative: self.negative && other.negative,
                class: Class::Zero,
            },
            // An infinity absorbs a finite value; zero changes nothing.
            (Class::Infinite, _) | (_, Class::Zero) => self,
            (_, Class::Infinite) | (Class::Zero, _) => other,
            (
                Class::Finite {
                    mantissa: ma,
                    exp: ea,
                },
                Class::Finite {
                    mantissa: mb,
                    exp: eb,
                },
            ) => {
                // Exact sum over the smaller exponent; the shift is at most
                // MAX_LSB_EXP - MIN_LSB_EXP bits, about a thousand limbs.
                let low = ea.min(eb);
                let a = Big::from_u128(u128::from(ma)).shl(shift_amount(ea, low));
                let b = Big::from_u128(u128::from(mb)).shl(shift_amount(eb, low));
                let (negative, magnitude) = if self.negative == other.negative {
                    (self.negative, a.add(&b))
                } else {
                    match a.cmp(&b) {
                        Ordering::Equal => return LongDouble::ZERO,
                        Ordering::Greater => (self.negative, a.sub(&b)),
                        Ordering::Less => (other.negative, b.sub(&a)),
                    }
                };
                match round(negative, &magnitude, &Big::one(), i64::from(low)) {
                    Rounded::Value(v) => v,
                    Rounded::Overflow => LongDouble {
                        negative,
                        class: Class::Infinite,
                    },
                    // A nonzero sum of two multiples of the smallest subnormal is at least that
                    // subnormal, so it cannot round to zero; keep the sign if it ever did.
                    Rounded::Underflow => LongDouble {
                        negative,
                        class: Class::Zero,
                    },
                }
            }
        }
    }
}

/// `from - to` as a shift amount; callers pass `from >= to`, both within the format's exponent
/// range, so the difference is small and non-negative.
fn shift_amount(from: i32, to: i32) -> usize {
    usize::try_from(i64::from(from) - i64::from(to)).unwrap_or(0)
}

/// The body of a decimal number after its sign: digits, an optional point, an optional exponent.
fn parse_decimal(body: &[u8]) -> Option<Rounded> {
    let mut digits: Vec<u8> = Vec::new(); // significant digits, leading zeros dropped
    let mut seen_digit = false;
    let mut point_shift: i64 = 0; // digits kept after the point
    let mut in_fraction = false;
    let mut rest = body;
    while let Some((&c, tail)) = rest.split_first() {
        match c {
            b'0'..=b'9' => {
                seen_digit = true;
                if !(c == b'0' && digits.is_empty()) {
                    digits.push(c - b'0');
                }
                if in_fraction {
                    point_shift += 1;
                }
            }
            b'.' if !in_fraction => in_fraction = true,
            _ => break,
        }
        rest = tail;
    }
    if !seen_digit {
        return None;
    }
    let exponent = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', tail)) => parse_exponent(tail)?,
        Some(_) => return None,
    };
    if digits.is_empty() {
        return Some(Rounded::Value(LongDouble::ZERO));
    }
    // value = D * 10^e10 with D the significant digits.
    let e10 = exponent.saturating_sub(point_shift);
    let count = i64::try_from(digits.len()).ok()?;
    // 10^(count - 1 + e10) <= value < 10^(count + e10). The largest finite value is about
    // 1.19e4932 and half the smallest subnormal about 1.8e-4951: outside, no need to compute.
    let magnitude = count.saturating_add(e10);
    if magnitude > 4933 {
        return Some(Rounded::Overflow);
    }
    if magnitude < -4950 {
        return Some(Rounded::Underflow);
    }
    // Now |e10| < 4951 + 5120: powers of ten of at most ~34,000 bits.
    let mut num = Big::from_decimal_digits(&digits);
    let mut den = Big::one();
    let power = u32::try_from(e10.unsigned_abs()).ok()?;
    if e10 >= 0 {
        num.mul_pow10(power);
    } else {
        den.mul_pow10(power);
    }
    Some(round(false, &num, &den, 0))
}

/// The body of a hex float after `0x`: hex digits, an optional point, an optional binary
/// exponent `p±n`. At least one hex digit is required (`0x` alone leaves `x` unread in C).
fn parse_hex(body: &[u8]) -> Option<Rounded> {
    let mut num = Big::zero();
    let mut seen_digit = false;
    let mut point_shift: i64 = 0;
    let mut in_fraction = false;
    let mut rest = body;
    while let Some((&c, tail)) = rest.split_first() {
        if let Some(d) = char::from(c).to_digit(16) {
            seen_digit = true;
            if !num.is_zero() || d != 0 {
                num.mul_small(16);
                num.add_small(d);
            }
            if in_fraction {
                point_shift += 4;
            }
        } else if c == b'.' && !in_fraction {
            in_fraction = true;
        } else {
            break;
        }
        rest = tail;
    }
    if !seen_digit {
        return None;
    }
    let exponent = match rest.split_first() {
        None => 0,
        Some((b'p' | b'P', tail)) => parse_exponent(tail)?,
        Some(_) => return None,
    };
    if num.is_zero() {
        return Some(Rounded::Value(LongDouble::ZERO));
    }
    let exp2 = exponent.saturating_sub(point_shift);
    let top = i64::try_from(num.bit_len()).ok()?.saturating_add(exp2);
    // 2^(top - 1) <= value < 2^top.
    if top > MAX_LSB_EXP + MANTISSA_BITS + 1 {
        return Some(Rounded::Overflow);
    }
    if top < MIN_LSB_EXP - 1 {
        return Some(Rounded::Underflow);
    }
    Some(round(false, &num, &Big::one(), exp2))
}

/// An exponent after `e` or `p`: an optional sign and at least one decimal digit, saturated far
/// beyond any meaningful value (the text is under 5120 bytes, so digits and shifts stay small).
fn parse_exponent(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits.iter().fold(0i64, |acc, &d| {
        acc.saturating_mul(10)
            .saturating_add(i64::from(d - b'0'))
            .min(1 << 40)
    });
    Some(if negative { -value } else { value })
}

/// Rounds the exact value `num / den * 2^exp2` (with `num` and `den` nonzero, or `num` zero)
/// to the format, to nearest with ties to even, with gradual underflow.
fn round(negative: bool, num: &Big, den: &Big, exp2: i64) -> Rounded {
    if num.is_zero() {
        return Rounded::Value(LongDouble {
            negative,
            class: Class::Zero,
        });
    }
    let (Ok(num_bits), Ok(den_bits)) = (i64::try_from(num.bit_len()), i64::try_from(den.bit_len()))
    else {
        return Rounded::Overflow;
    };
    // num/den lies in [2^(nb-db-1), 2^(nb-db+1)); compare num with den scaled to nb bits to
    // find the exact binary exponent `top` with 2^top <= value < 2^(top+1).
    let diff = num_bits - den_bits;
    let at_least = if diff >= 0 {
        num.cmp(&den.shl(usize::try_from(diff).unwrap_or(0))) != Ordering::Less
    } else {
        num.shl(usize::try_from(-diff).unwrap_or(0)).cmp(den) != Ordering::Less
    };
    let top = exp2 + diff - i64::from(!at_least);
    if top > MAX_LSB_EXP + MANTISSA_BITS - 1 {
        return Rounded::Overflow;
    }
    // The exponent of the last mantissa bit kept: 64 significant bits, fewer when subnormal.
    let lsb = (top - (MANTISSA_BITS - 1)).max(MIN_LSB_EXP);
    if top < lsb - 2 {
        // Below half the smallest subnormal: rounds to zero.
        return Rounded::Underflow;
    }
    // q = floor(value / 2^(lsb - 1)): the kept bits plus one rounding bit (at most 65 bits).
    let shift = exp2 - (lsb - 1);
    let (mut n, d) = if shift >= 0 {
        (num.shl(usize::try_from(shift).unwrap_or(0)), den.clone())
    } else {
        (num.clone(), den.shl(usize::try_from(-shift).unwrap_or(0)))
    };
    let q = n.div_small_quotient(&d, 66);
    let sticky = !n.is_zero();
    let round_bit = q & 1 == 1;
    let mut mantissa = q >> 1;
    let mut lsb = lsb;
    if round_bit && (sticky || mantissa & 1 == 1) {
        mantissa += 1;
        if mantissa == 1 << MANTISSA_BITS {
            mantissa >>= 1;
            lsb += 1;
        }
    }
    if mantissa == 0 {
        return Rounded::Underflow;
    }
    if lsb > MAX_LSB_EXP {
        return Rounded::Overflow;
    }
    let (Ok(mantissa), Ok(exp)) = (u64::try_from(mantissa), i32::try_from(lsb)) else {
        return Rounded::Overflow;
    };
    Rounded::Value(LongDouble {
        negative,
        class: Class::Finite { mantissa, exp },
    })
}

/// A non-negative big integer: little-endian 32-bit limbs, no high zero limbs. Just what exact
/// rounding and printing need.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn zero() -> Big {
        Big(Vec::new())
    }

    fn one() -> Big {
        Big(vec![1])
    }

    fn from_u128(mut v: u128) -> Big {
        let mut limbs = Vec::new();
        while v != 0 {
            limbs.push(v as u32); // the low 32 bits, by design
            v >>= 32;
        }
        Big(limbs)
    }

    fn from_decimal_digits(digits: &[u8]) -> Big {
        let mut big = Big::zero();
        for chunk in digits.chunks(9) {
            let mut value = 0u32;
            for &d in chunk {
                value = value * 10 + u32::from(d); // at most 999,999,999
            }
            // 10^len fits u32 for len <= 9.
            big.mul_small(10u32.pow(chunk.len() as u32));
            big.add_small(value);
        }
        big
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn bit_len(&self) -> u64 {
        match self.0.last() {
            None => 0,
            Some(&top) => (self.0.len() as u64 - 1) * 32 + u64::from(32 - top.leading_zeros()),
        }
    }

    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32; // low half
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32); // below 2^32
        }
        self.trim();
    }

    fn add_small(&mut self, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            if carry == 0 {
                return;
            }
            let v = u64::from(*limb) + carry;
            *limb = v as u32; // low half
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32); // below 2^32
        }
    }

    fn mul_pow10(&mut self, mut power: u32) {
        while power >= 9 {
            self.mul_small(1_000_000_000);
            power -= 9;
        }
        self.mul_small(10u32.pow(power));
    }

    fn shl(&self, bits: usize) -> Big {
        if self.is_zero() {
            return Big::zero();
        }
        let (limbs, bits) = (bits / 32, bits % 32);
        let mut out = vec![0u32; limbs];
        out.reserve(self.0.len() + 1);
        if bits == 0 {
            out.extend_from_slice(&self.0);
        } else {
            let mut carry = 0u32;
            for &limb in &self.0 {
                out.push((limb << bits) | carry);
                carry = limb >> (32 - bits);
            }
            out.push(carry);
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    /// `self >> bits`, rounded to nearest with ties to even.
    fn shr_round_even(&self, bits: usize) -> Big {
        let (limbs, offset) = (bits / 32, bits % 32);
        let Some(high) = self.0.get(limbs..) else {
            // Everything shifted out is below half of one: the value is less than 2^(bits-1)
            // only if bits > bit_len; handled by the rounding check below with an empty result.
            return self.round_tail(Big::zero(), bits);
        };
        let mut out = Vec::with_capacity(high.len());
        for (i, &limb) in high.iter().enumerate() {
            let next = high.get(i + 1).copied().unwrap_or(0);
            out.push(if offset == 0 {
                limb
            } else {
                (limb >> offset) | (next << (32 - offset))
            });
        }
        let mut truncated = Big(out);
        truncated.trim();
        self.round_tail(truncated, bits)
    }

    /// Rounds `truncated = self >> bits` up when the bits shifted out are above one half, or
    /// exactly one half with `truncated` odd.
    fn round_tail(&self, mut truncated: Big, bits: usize) -> Big {
        if bits == 0 {
            return truncated;
        }
        let half_bit = bits - 1;
        let bit = |i: usize| {
            self.0
                .get(i / 32)
                .is_some_and(|limb| (limb >> (i % 32)) & 1 == 1)
        };
        if !bit(half_bit) {
            return truncated;
        }
        let below_nonzero = (0..half_bit / 32).any(|i| self.0.get(i).is_some_and(|&l| l != 0))
            || self
                .0
                .get(half_bit / 32)
                .is_some_and(|&l| l & ((1u32 << (half_bit % 32)) - 1) != 0);
        let odd = truncated.0.first().is_some_and(|&l| l & 1 == 1);
        if below_nonzero || odd {
            truncated.add_small(1);
        }
        truncated
    }

    fn add(&self, other: &Big) -> Big {
        let (long, short) = if self.0.len() >= other.0.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut out = Vec::with_capacity(long.0.len() + 1);
        let mut carry = 0u64;
        for (i, &limb) in long.0.iter().enumerate() {
            let v = u64::from(limb) + u64::from(short.0.get(i).copied().unwrap_or(0)) + carry;
            out.push(v as u32); // low half
            carry = v >> 32;
        }
        if carry != 0 {
            out.push(1);
        }
        Big(out)
    }

    /// `self - other`; callers ensure `self >= other`.
    fn sub(&self, other: &Big) -> Big {
        let mut out = self.clone();
        out.sub_assign(other);
        out
    }

    fn sub_assign(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            if v < 0 {
                *limb = (v + (1 << 32)) as u32; // in 0..2^32
                borrow = 1;
            } else {
                *limb = v as u32; // in 0..2^32
                borrow = 0;
            }
        }
        self.trim();
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// Divides in place, leaving the remainder in `self`, and answers the quotient, which the
    /// caller knows to be below `2^bits` (`bits <= 127`): schoolbook binary long division, one
    /// compare-and-subtract per quotient bit.
    fn div_small_quotient(&mut self, den: &Big, bits: u32) -> u128 {
        let mut q = 0u128;
        let mut shifted = den.shl(bits as usize - 1);
        for i in (0..bits).rev() {
            if self.cmp(&shifted) != Ordering::Less {
                self.sub_assign(&shifted);
                q |= 1 << i;
            }
            shifted = shifted.shr_floor_one();
        }
        q
    }

    fn shr_floor_one(&self) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        for (i, &limb) in self.0.iter().enumerate() {
            let next = self.0.get(i + 1).copied().unwrap_or(0);
            out.push((limb >> 1) | (next << 31));
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    /// Decimal digits, without leading zeros (`0` for zero).
    fn to_decimal(&self) -> String {
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            let mut rem = 0u64;
            for limb in n.0.iter_mut().rev() {
                let cur = (rem << 32) | u64::from(*limb);
                *limb = (cur / 1_000_000_000) as u32; // below 2^32 since rem < 10^9
                rem = cur % 1_000_000_000;
            }
            n.trim();
            chunks.push(rem);
        }
        let mut out = String::with_capacity(chunks.len() * 9);
        match chunks.split_last() {
            None => out.push('0'),
            Some((top, rest)) => {
                // Writing to a String cannot fail.
                let _ = write!(out, "{top}");
                for chunk in rest.iter().rev() {
                    let _ = write!(out, "{chunk:09}");
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Redis's INCRBYFLOAT does with a value (None: missing key) and an increment.
    fn incrbyfloat(value: Option<&str>, incr: &str) -> Result<String, &'static str> {
        let current = match value {
            None => LongDouble::ZERO,
            Some(v) => LongDouble::parse(v.as_bytes()).ok_or("ERR value is not a valid float")?,
        };
        let incr = LongDouble::parse(incr.as_bytes()).ok_or("ERR value is not a valid float")?;
        let sum = current + incr;
        if !sum.is_finite() {
            return Err("ERR increment would produce NaN or Infinity");
        }
        Ok(sum.to_human())
    }

    fn fnv1a64(s: &str) -> u64 {
        s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[test]
    fn matches_every_recorded_incrbyfloat() {
        let data = include_str!("../tests/data/long_double.tsv");
        let mut checked = 0;
        let mut failures = Vec::new();
        for line in data.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [value, incr, want] = fields[..] else {
                panic!("bad vector line {line:?}");
            };
            let got = incrbyfloat((!value.is_empty()).then_some(value), incr);
            let ok = match (want.strip_prefix('!'), want.strip_prefix('#'), &got) {
                (Some(err), _, Err(e)) => err == *e,
                (None, Some(digest), Ok(s)) => digest == format!("{}:{:016x}", s.len(), fnv1a64(s)),
                (None, None, Ok(s)) => s == want,
                _ => false,
            };
            if !ok {
                failures.push(format!("{value:?} + {incr:?}: want {want:?}, got {got:?}"));
            }
            checked += 1;
        }
        assert!(checked > 1000);
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn long_texts_follow_the_5120_byte_buffer() {
        // Recorded: a 5119-byte "1.000…" is 1, one more zero is refused; thousands of leading
        // zeros are read exactly.
        let one = format!("1.{}", "0".repeat(5117));
        assert_eq!(incrbyfloat(None, &one), Ok("1".into()));
        let too_long = format!("1.{}", "0".repeat(5118));
        assert_eq!(
            incrbyfloat(None, &too_long),
            Err("ERR value is not a valid float")
        );
        let tiny = format!("0.{}1e5001", "0".repeat(5000));
        assert_eq!(incrbyfloat(None, &tiny), Ok("1".into()));
        let tiny = format!("0.{}1e4990", "0".repeat(5000));
        assert_eq!(incrbyfloat(None, &tiny), Ok("0.00000000001".into()));
        // 1e5110 overflows.
        let huge = format!("1{}", "0".repeat(5110));
        assert_eq!(
            incrbyfloat(None, &huge),
            Err("ERR value is not a valid float")
        );
    }

    #[test]
    fn integers_are_exact_and_special_values_behave_as_c() {
        for v in [0, 1, -1, 10_000, i64::MAX, i64::MIN] {
            assert_eq!(LongDouble::from_i64(v).to_human(), v.to_string());
            assert_eq!(
                LongDouble::parse(v.to_string().as_bytes()),
                Some(LongDouble::from_i64(v))
            );
        }
        let inf = LongDouble::parse(b"inf").unwrap();
        let minus_inf = LongDouble::parse(b"-INFINITY").unwrap();
        assert!(!inf.is_finite() && !inf.is_nan());
        assert_eq!(inf.to_human(), "inf");
        assert_eq!(minus_inf.to_human(), "-inf");
        assert!((inf + minus_inf).is_nan());
        assert_eq!(inf + LongDouble::from_i64(-5), inf);
        let max = LongDouble::parse(b"0x1.fffffffffffffffep16383").unwrap();
        assert!(max.is_finite());
        assert_eq!(max + max, inf);
        assert_eq!(LongDouble::parse(b"nan"), None);
        // -0 + -0 keeps its sign, which "%.17Lf" shows and Redis then rewrites.
        let minus_zero = LongDouble::parse(b"-0").unwrap();
        assert_eq!((minus_zero + minus_zero).to_human(), "0");
        assert_eq!(LongDouble::parse(b"-1e-20").unwrap().to_human(), "0");
    }

    #[test]
    fn printing_rounds_ties_to_even() {
        // 2^-18 and 3 * 2^-18 have 18 decimals ending in 5: a tie at 17 places.
        assert_eq!(
            LongDouble::parse(b"0x1p-18").unwrap().to_human(),
            "0.00000381469726562"
        );
        assert_eq!(
            LongDouble::parse(b"0x3p-18").unwrap().to_human(),
            "0.00001144409179688"
        );
        assert_eq!(LongDouble::parse(b"0x1p-1").unwrap().to_human(), "0.5");
    }

    #[test]
    fn mul_ceil_i64_follows_c_conversion() {
        // Checked against redis-server's BLPOP timeouts: tiny positive timeouts wait 1 ms,
        // tiny negative ones round up to 0 (wait forever), below -0.001 s they are negative.
        let ms = |text: &str| LongDouble::parse(text.as_bytes()).map(|v| v.mul_ceil_i64(1000));
        assert_eq!(ms("1"), Some(1000));
        assert_eq!(ms("0.001"), Some(1));
        assert_eq!(ms("1e-300"), Some(1));
        assert_eq!(ms("-0.0001"), Some(0));
        assert_eq!(ms("-0.0011"), Some(-1));
        assert_eq!(ms("0x10"), Some(16_000));
        assert_eq!(ms("-1.5"), Some(-1500));
        assert_eq!(ms("0"), Some(0));
        // Out of range or infinite: the x87 integer indefinite, which Redis reads as negative.
        assert_eq!(ms("9999999999999999"), Some(i64::MIN));
        assert_eq!(ms("inf"), Some(i64::MIN));
        assert_eq!(ms("1e400"), Some(i64::MIN));
        assert_eq!(ms("9223372036854775"), Some(9_223_372_036_854_775_000));
    }
}
