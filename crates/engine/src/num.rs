//! Number parsing and formatting with Redis's exact rules (`string2ll`, `%.17g`).

/// Parses a signed 64-bit integer exactly as Redis's `string2ll`: optional `-`, no `+`, no
/// spaces, no leading zeros (`0` alone is fine, `-0` is not), and no overflow.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    // LONG_STR_SIZE is 21 in Redis: anything longer cannot be a valid i64.
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    // 20 digits or more are at least 10^19, out of range with either sign. Up to 19, the
    // magnitude fits in a u64 (below 10^19 < 2^64) without a check per digit (a checked 64-bit
    // multiplication is a call to a 128-bit one in WebAssembly), and is range-checked once.
    if digits.len() > 19 {
        return None;
    }
    let mut magnitude: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        // At most 19 digits (above): below 10^19, no overflow.
        magnitude = magnitude * 10 + u64::from(b - b'0');
    }
    if negative {
        // Down to -2^63 = i64::MIN.
        (magnitude <= 1 << 63).then(|| 0i64.wrapping_sub_unsigned(magnitude))
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Parses a double exactly as Redis's `string2d` (C's `strtod` plus Redis's checks): no leading
/// blank, the whole text consumed, no overflow to infinity or underflow to zero, not NaN.
/// `inf`/`infinity` (any case, optional sign) and C99 hex floats (`0x1p3`) are accepted.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    // Plain integers of up to 15 digits (most scores) are exact as doubles: no need for the
    // general path, which allocates.
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    if (1..=15).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit) {
        let n = digits
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        let value = n as f64;
        return Some(if negative { -value } else { value });
    }
    let text = std::str::from_utf8(s).ok()?;
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_whitespace() || c == '\u{b}') {
        return None;
    }
    let (negative, body) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let magnitude = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex_float(hex)?
    } else {
        // Only what strtod reads as a decimal: digits, one point, an exponent.
        let valid = !lower.is_empty()
            && lower
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-'))
            && lower
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_digit() || b == b'.');
        if !valid {
            return None;
        }
        let value: f64 = lower.parse().ok()?;
        let mantissa = lower.split('e').next().unwrap_or("");
        let nonzero = mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b));
        // strtod reports ERANGE on overflow to infinity and on underflow to zero.
        if value.is_infinite() || (value == 0.0 && nonzero) {
            return None;
        }
        value
    };
    let value = if negative { -magnitude } else { magnitude };
    if value.is_nan() { None } else { Some(value) }
}

/// The magnitude of a hex float after `0x`: hex digits, an optional point, an optional binary
/// exponent `p±n`.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = match s.split_once('p') {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (s, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let value = scale_by_power_of_two(value, exponent);
    if value.is_infinite()
        || (value == 0.0 && mantissa.chars().any(|c| c.is_ascii_hexdigit() && c != '0'))
    {
        return None;
    }
    Some(value)
}

/// `value * 2^exponent` as C's `ldexp` gives it for the exponents hex floats reach: in two
/// steps, so that neither power of two overflows to infinity or underflows to zero on its own
/// (`0x1p-1074` is the smallest subnormal, not 0).
pub fn scale_by_power_of_two(value: f64, exponent: i32) -> f64 {
    let half = exponent / 2;
    value * 2f64.powi(half) * 2f64.powi(exponent - half)
}

/// The decimal form of an integer, as `n.to_string()` writes it, without the formatting
/// machinery (counters, lengths and whole-number scores are written on every command).
pub fn format_i64(n: i64) -> String {
    let mut buf = [0u8; 20];
    // ASCII digits and a sign: each byte is its own char.
    format_i64_into(n, &mut buf)
        .iter()
        .map(|&b| char::from(b))
        .collect()
}

/// Writes the decimal form of an integer at the end of `buf` (20 bytes: `i64::MIN` takes 20)
/// and answers the part written.
pub fn format_i64_into(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    let mut rest = n.unsigned_abs();
    loop {
        // A u64 has at most 20 digits and an i64 at most 19 (plus the sign), so `at` stays
        // within the buffer: this loop runs at most 19 times. `rest % 10` is below 10: the
        // cast and the addition cannot overflow.
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        // At most 19 digits were written, so at >= 1.
        at -= 1;
        buf[at] = b'-';
    }
    buf.get(at..).unwrap_or_default()
}

/// Formats a double as C's `printf("%.17g")` does, which is what Redis 7.0 sends for scores and
/// other doubles (`0.10000000000000001`, `1e+20`, `inf`).
pub fn format_double(d: f64) -> String {
    format_g(d, 17)
}

/// C's `%.{precision}g` for a finite or infinite double.
pub fn format_g(d: f64, precision: usize) -> String {
    if d.is_nan() {
        return if d.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let p = precision.max(1);
    // A whole number of at most p digits (scores usually are) prints as its digits: %e would
    // round nothing away and %g drops the fraction's zeros. Below 2^53 the cast is exact.
    if d.fract() == 0.0 && d.abs() < 9_007_199_254_740_992.0 {
        let digits = d.abs() as u64;
        if digits.checked_ilog10().unwrap_or(0) < u32::try_from(p).unwrap_or(u32::MAX) {
            // Below 2^53, so within i64.
            let n = i64::try_from(digits).unwrap_or(i64::MAX);
            return match (d.is_sign_negative(), n) {
                (true, 0) => "-0".into(),
                (true, n) => format_i64(-n),
                (false, n) => format_i64(n),
            };
        }
    }
    format_g_general(d, p)
}

/// `%.{p}g` of a finite double through Rust's exact formatting (p ≥ 1), for any value.
fn format_g_general(d: f64, p: usize) -> String {
    use std::fmt::Write as _;
    // The exponent %g decides with is the one %e would print at precision p - 1. Written into
    // a String with room for it (at p = 17: sign, 17 digits, point, `e-308`), which `format!`
    // would grow step by step.
    let mut sci = String::with_capacity(p + 8);
    // Writing into a String cannot fail.
    let _ = write!(sci, "{:.*e}", p - 1, d);
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i64 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i64 {
        let mantissa = trim_fraction_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        let mut text = String::with_capacity(mantissa.len() + 5);
        let _ = write!(text, "{mantissa}e{sign}{:02}", exp.unsigned_abs());
        text
    } else {
        // %g prints %f at p - 1 - exp decimals: a rounding at the same decimal position as %e's
        // (or, when %e's rounding carried into a new leading digit, one position coarser, which
        // gives the same power of ten), so the same digits with the point moved: placed here
        // rather than formatted a second time (the exact formatting is most of the cost).
        let (sign, mantissa) = match mantissa.strip_prefix('-') {
            Some(m) => ("-", m),
            None => ("", mantissa),
        };
        let mut digits = mantissa.bytes().filter(u8::is_ascii_digit);
        let mut text = String::with_capacity(sci.len() + 4);
        text.push_str(sign);
        if exp >= 0 {
            // exp < p: the integer part is the first exp + 1 of the p digits.
            text.extend(digits.by_ref().take(exp as usize + 1).map(char::from));
        } else {
            text.push('0');
        }
        text.push('.');
        for _ in exp..-1 {
            text.push('0');
        }
        text.extend(digits.map(char::from));
        let kept = trim_fraction_zeros(&text).len();
        text.truncate(kept);
        text
    }
}

/// Drops trailing zeros of a fraction, and the point itself if nothing is left after it.
fn trim_fraction_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `format_g` as it was written before its fixed-notation digits were placed rather than
    /// formatted again: the reference for the test below.
    fn format_g_twice(d: f64, p: usize) -> String {
        let sci = format!("{:.*e}", p - 1, d);
        let Some((mantissa, exp)) = sci.split_once('e') else {
            return sci;
        };
        let exp: i64 = exp.parse().unwrap_or(0);
        if exp < -4 || exp >= p as i64 {
            let mantissa = trim_fraction_zeros(mantissa);
            let sign = if exp < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
        } else {
            let decimals = (p as i64 - 1 - exp).max(0) as usize;
            trim_fraction_zeros(&format!("{d:.decimals$}")).to_string()
        }
    }

    #[test]
    fn format_g_places_the_digits_as_formatting_twice_did() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut values = vec![
            0.5,
            -0.5,
            0.1,
            1.5,
            95.25,
            999_999.999_999_999_9,
            0.999_999_999_999_999_9,
            9.999_999_999_999_999e-5,
            0.000_1,
            0.000_099_999,
            1e16 + 0.5,
            123_456.789,
            -2.75,
            1.0 / 3.0,
            f64::MIN_POSITIVE,
            f64::MAX,
        ];
        for _ in 0..20_000 {
            // Random bits (every magnitude) and random values around 1 (mostly fixed notation).
            values.push(f64::from_bits(next()));
            let r = next();
            values.push((r >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((r % 22) as i32 - 5));
        }
        for d in values.into_iter().filter(|d| d.is_finite()) {
            for p in [1, 2, 6, 15, 16, 17] {
                assert_eq!(format_g(d, p), format_g_twice(d, p), "{d:e} {p}");
            }
        }
    }

    #[test]
    fn parse_i64_follows_string2ll() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-1"), Some(-1));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"1e3",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"1.0",
            b"92233720368547758070",
            b"-92233720368547758080",
            b"9223372036854775810",
            b"-9223372036854775810",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        // Around the limits, digit by digit: as a wider parse says.
        for base in [i64::MAX, i64::MIN, i64::MAX / 10, i64::MIN / 10] {
            for delta in -12i128..=12 {
                let n = i128::from(base) + delta;
                for text in [n.to_string(), (n * 10).to_string(), (n / 10).to_string()] {
                    let wide: i128 = text.parse().unwrap();
                    assert_eq!(
                        parse_i64(text.as_bytes()),
                        i64::try_from(wide).ok(),
                        "{text}"
                    );
                }
            }
        }
    }

    #[test]
    fn parse_f64_follows_string2d() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"-0"), Some(-0.0));
        assert_eq!(parse_f64(b"+3"), Some(3.0));
        assert_eq!(parse_f64(b".5"), Some(0.5));
        assert_eq!(parse_f64(b"5."), Some(5.0));
        assert_eq!(parse_f64(b"1e3"), Some(1000.0));
        assert_eq!(parse_f64(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        assert_eq!(parse_f64(b"0x1p-2"), Some(0.25));
        assert_eq!(parse_f64(b"0x1p-1074"), Some(f64::from_bits(1)));
        assert_eq!(parse_f64(b"0x0.1p1027"), Some(2f64.powi(1023)));
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b"nan",
            b"1e400",
            b"1e-400",
            b"abc",
            b"1.2.3",
            b"e5",
            b"--1",
            b"0x",
        ] {
            assert_eq!(parse_f64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn format_i64_writes_what_to_string_writes() {
        for n in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            99,
            100,
            12345,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            assert_eq!(format_i64(n), n.to_string());
        }
    }

    #[test]
    fn plain_integers_parse_as_the_general_path_does() {
        let general = |s: &str| -> f64 {
            let (negative, body) = s.strip_prefix('-').map_or((false, s), |b| (true, b));
            let v: f64 = body.parse().unwrap();
            if negative { -v } else { v }
        };
        for s in [
            "0",
            "-0",
            "7",
            "-7",
            "007",
            "123456789012345",
            "-999999999999999",
            "100",
            "42",
        ] {
            let got = parse_f64(s.as_bytes()).unwrap();
            assert_eq!(got.to_bits(), general(s).to_bits(), "{s}");
        }
        assert_eq!(parse_f64(b"-"), None);
        assert_eq!(parse_f64(b""), None);
        assert_eq!(
            parse_f64(b"1234567890123456789"),
            Some(1_234_567_890_123_456_789.0)
        );
    }

    #[test]
    fn format_double_matches_printf_17g() {
        assert_eq!(format_double(0.1), "0.10000000000000001");
        assert_eq!(format_double(1e20), "1e+20");
        assert_eq!(format_double(1.5), "1.5");
        assert_eq!(format_double(3.0), "3");
        assert_eq!(format_double(-0.0), "-0");
        assert_eq!(format_double(1e-5), "1.0000000000000001e-05");
        assert_eq!(format_double(0.0001), "0.0001");
        assert_eq!(
            format_double(123_456_789_012_345_680.0),
            "1.2345678901234568e+17"
        );
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_double(1e300), "1.0000000000000001e+300");
    }

    #[test]
    fn whole_numbers_take_the_short_way_with_the_same_text() {
        // The general path (through %e) is the reference for every whole number the short
        // way takes, at every precision, around the digit-count boundaries.
        let general = format_g_general;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            7.0,
            9_007_199_254_740_991.0,
            9e15,
            1e16,
        ];
        for e in 0..17 {
            let t = 10f64.powi(e);
            values.extend([t, t - 1.0, t + 1.0, -t, -(t - 1.0), 5.0 * t]);
        }
        for p in [1, 2, 5, 6, 15, 16, 17] {
            for &d in &values {
                assert_eq!(format_g(d, p), general(d, p), "{d} at precision {p}");
            }
        }
    }
}
