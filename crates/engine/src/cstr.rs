//! Some Redis code reads arguments as C strings with libc (`strcasecmp`, `strtod`, `atoi`):
//! they stop at the first NUL byte and accept what libc accepts. These helpers give the same
//! answers, so that the commands doing so parse their arguments exactly as Redis does.

/// The bytes a C function sees: everything before the first NUL.
pub fn c_str(bytes: &[u8]) -> &[u8] {
    bytes
        .iter()
        .position(|&b| b == 0)
        .map_or(bytes, |end| bytes.get(..end).unwrap_or(bytes))
}

/// C's `strcasecmp(a, b) == 0` on two arguments.
pub fn c_eq_ignore_case(arg: &[u8], word: &[u8]) -> bool {
    c_str(arg).eq_ignore_ascii_case(c_str(word))
}

/// Whether C's `isspace` holds for a byte.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// C's `strtod(s, NULL)`: the value of the longest prefix that reads as a number (after blanks,
/// with an optional sign: decimal with exponent, hex float, `inf`, `infinity`, `nan`), or 0.
pub fn strtod(s: &[u8]) -> f64 {
    strtod_prefix(s).0
}

/// C's `strtod(s, &end)`: the value and how many bytes of the C string it read. When no number
/// starts the string (blanks and a sign alone do not count), nothing is read: C then points
/// `end` back at the start, and this answers 0 bytes.
pub fn strtod_prefix(s: &[u8]) -> (f64, usize) {
    let s = c_str(s);
    let start = s.iter().position(|&b| !is_c_space(b)).unwrap_or(s.len());
    let s = s.get(start..).unwrap_or_default();
    let (negative, sign_len, body) = match s.split_first() {
        Some((b'-', rest)) => (true, 1, rest),
        Some((b'+', rest)) => (false, 1, rest),
        _ => (false, 0, s),
    };
    let (magnitude, used) = strtod_magnitude(body);
    if used == 0 {
        return (0.0, 0);
    }
    let value = if negative { -magnitude } else { magnitude };
    (value, start + sign_len + used)
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Counts the bytes at the start of `s` that satisfy `pred`.
fn span(s: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    s.iter().position(|&b| !pred(b)).unwrap_or(s.len())
}

/// The unsigned number at the start of `s` and the bytes it takes (0: no number).
fn strtod_magnitude(s: &[u8]) -> (f64, usize) {
    if starts_with_ignore_case(s, b"infinity") {
        return (f64::INFINITY, 8);
    }
    if starts_with_ignore_case(s, b"inf") {
        return (f64::INFINITY, 3);
    }
    if starts_with_ignore_case(s, b"nan") {
        // glibc also reads an optional `(n-char-sequence)` after it.
        let rest = s.get(3..).unwrap_or_default();
        let mut used = 3;
        if rest.first() == Some(&b'(') {
            let inner = span(rest.get(1..).unwrap_or_default(), |b| {
                b.is_ascii_alphanumeric() || b == b'_'
            });
            if rest.get(1 + inner) == Some(&b')') {
                used += inner + 2;
            }
        }
        return (f64::NAN, used);
    }
    if starts_with_ignore_case(s, b"0x") {
        if let Some((value, used)) = s.get(2..).and_then(hex_prefix) {
            return (value, 2 + used);
        }
        // "0x" without a hex digit after it reads as the 0 before the x.
        return (0.0, 1);
    }
    let int_digits = span(s, |b| b.is_ascii_digit());
    let mut end = int_digits;
    let mut frac_digits = 0;
    if s.get(end) == Some(&b'.') {
        frac_digits = span(s.get(end + 1..).unwrap_or_default(), |b| b.is_ascii_digit());
        end += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return (0.0, 0);
    }
    let mantissa_end = end;
    if matches!(s.get(end), Some(b'e' | b'E')) {
        let mut exp = end + 1;
        if matches!(s.get(exp), Some(b'+' | b'-')) {
            exp += 1;
        }
        let digits = span(s.get(exp..).unwrap_or_default(), |b| b.is_ascii_digit());
        if digits > 0 {
            end = exp + digits;
        }
    }
    // Rust's parser wants digits on both sides of the point; add a zero where C allows none.
    let mut text = String::with_capacity(end + 2);
    let mantissa = s.get(..mantissa_end).unwrap_or_default();
    if int_digits == 0 {
        text.push('0');
    }
    text.push_str(&String::from_utf8_lossy(mantissa));
    if frac_digits == 0 && mantissa.ends_with(b".") {
        text.push('0');
    }
    text.push_str(&String::from_utf8_lossy(
        s.get(mantissa_end..end).unwrap_or_default(),
    ));
    (text.parse().unwrap_or(0.0), end)
}

/// The value of a hex float after `0x` and the bytes it takes, or `None` when no hex digit
/// follows.
fn hex_prefix(s: &[u8]) -> Option<(f64, usize)> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let int_digits = span(s, |b| b.is_ascii_hexdigit());
    let mut value = 0f64;
    for &b in s.get(..int_digits).unwrap_or_default() {
        value = value * 16.0 + f64::from(hex(b).unwrap_or(0));
    }
    let mut end = int_digits;
    let mut frac_digits = 0;
    if s.get(end) == Some(&b'.') {
        let frac = s.get(end + 1..).unwrap_or_default();
        frac_digits = span(frac, |b| b.is_ascii_hexdigit());
        let mut scale = 1.0 / 16.0;
        for &b in frac.get(..frac_digits).unwrap_or_default() {
            value += f64::from(hex(b).unwrap_or(0)) * scale;
            scale /= 16.0;
        }
        end += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(s.get(end), Some(b'p' | b'P')) {
        let rest = s.get(end + 1..).unwrap_or_default();
        let (sign, digits_at) = match rest.first() {
            Some(b'-') => (-1, 1),
            Some(b'+') => (1, 1),
            _ => (1, 0),
        };
        let digits = rest.get(digits_at..).unwrap_or_default();
        let n = span(digits, |b| b.is_ascii_digit());
        if n > 0 {
            let exponent = digits
                .get(..n)
                .unwrap_or_default()
                .iter()
                .fold(0i32, |acc, &b| {
                    acc.saturating_mul(10).saturating_add(i32::from(b - b'0'))
                });
            value = crate::num::scale_by_power_of_two(value, sign * exponent);
            end += 1 + digits_at + n;
        }
    }
    Some((value, end))
}

/// C's `atoi(s)`, which glibc computes as `(int) strtol(s, NULL, 10)`: blanks, an optional
/// sign and decimal digits; `strtol` saturates to the `long` range and the cast keeps the low 32
/// bits.
pub fn atoi(s: &[u8]) -> i32 {
    let s = c_str(s);
    let start = s.iter().position(|&b| !is_c_space(b)).unwrap_or(s.len());
    let s = s.get(start..).unwrap_or_default();
    let (negative, body) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let digits = body
        .get(..span(body, |b| b.is_ascii_digit()))
        .unwrap_or_default();
    // Accumulate negatively so that LONG_MIN is reachable; saturate as strtol does.
    let mut acc: i64 = 0;
    for &d in digits {
        acc = acc.saturating_mul(10).saturating_sub(i64::from(d - b'0'));
    }
    let long = if negative {
        acc
    } else {
        acc.checked_neg().unwrap_or(i64::MAX)
    };
    long as i32
}

/// C's `strtoll(s, &end, 10)`: blanks, an optional sign and decimal digits, saturating to the
/// `long long` range. Answers the value and whether `end` reached the end of the C string (the
/// check `*end == '\0'` callers make); with no digit at all, `end` stays at the start, so only
/// an empty string counts as fully read.
pub fn strtoll(s: &[u8]) -> (i64, bool) {
    let s = c_str(s);
    let start = s.iter().position(|&b| !is_c_space(b)).unwrap_or(s.len());
    let body = s.get(start..).unwrap_or_default();
    let (negative, unsigned) = match body.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, body),
    };
    let digits = span(unsigned, |b| b.is_ascii_digit());
    if digits == 0 {
        return (0, s.is_empty());
    }
    let mut acc: i64 = 0;
    for &d in unsigned.get(..digits).unwrap_or_default() {
        acc = acc.saturating_mul(10).saturating_sub(i64::from(d - b'0'));
    }
    let value = if negative {
        acc
    } else {
        acc.checked_neg().unwrap_or(i64::MAX)
    };
    (value, digits == unsigned.len())
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // strtod's results are exact here
mod tests {
    use super::*;

    #[test]
    fn strtod_reads_the_longest_prefix() {
        let cases: &[(&[u8], f64)] = &[
            (b"0.2", 0.2),
            (b" 1", 1.0),
            (b"\t+1.5x", 1.5),
            (b"-0.5", -0.5),
            (b".5", 0.5),
            (b"5.", 5.0),
            (b"1e-1", 0.1),
            (b"1e", 1.0),
            (b"1e+", 1.0),
            (b"2E2", 200.0),
            (b"abc", 0.0),
            (b"", 0.0),
            (b".", 0.0),
            (b"-", 0.0),
            (b"0x10", 16.0),
            (b"0x1p-2", 0.25),
            (b"0x.8", 0.5),
            (b"0x", 0.0),
            (b"0xg", 0.0),
            (b"0.1\x009", 0.1),
        ];
        for (input, want) in cases {
            assert_eq!(strtod(input), *want, "{}", String::from_utf8_lossy(input));
        }
        assert_eq!(strtod(b"inf"), f64::INFINITY);
        assert_eq!(strtod(b"-Infinity"), f64::NEG_INFINITY);
        assert!(strtod(b"nan").is_nan());
        assert_eq!(strtod(b"1e400"), f64::INFINITY);
    }

    #[test]
    fn strtod_prefix_counts_what_it_read() {
        let cases: &[(&[u8], usize)] = &[
            (b"1.5", 3),
            (b" +1.5x", 5),
            (b"", 0),
            (b"  ", 0),
            (b"-", 0),
            (b"+.", 0),
            (b"1e", 1),
            (b"1e+5", 4),
            (b"0x", 1),
            (b"0x1p3", 5),
            (b"0x1p", 3),
            (b"0x.8", 4),
            (b"inf", 3),
            (b"-infinity", 9),
            (b"infinit", 3),
            (b"nan", 3),
            (b"nan(12)", 7),
            (b"nan(", 3),
            (b"2\x00zz", 1),
        ];
        for (input, used) in cases {
            assert_eq!(
                strtod_prefix(input).1,
                *used,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        assert_eq!(strtod_prefix(b"0x1p3").0, 8.0);
        assert_eq!(strtod(b"0x1p-1074"), f64::from_bits(1));
    }

    #[test]
    fn atoi_truncates_strtol() {
        assert_eq!(atoi(b"2"), 2);
        assert_eq!(atoi(b" 2abc"), 2);
        assert_eq!(atoi(b"-3"), -3);
        assert_eq!(atoi(b"+4"), 4);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b"4294967297"), 1);
        assert_eq!(atoi(b"99999999999999999999"), -1);
        assert_eq!(atoi(b"-99999999999999999999"), 0);
    }

    #[test]
    fn strtoll_reports_where_it_stopped() {
        assert_eq!(strtoll(b"42"), (42, true));
        assert_eq!(strtoll(b" +42"), (42, true));
        assert_eq!(strtoll(b"-42x"), (-42, false));
        assert_eq!(strtoll(b""), (0, true));
        assert_eq!(strtoll(b" "), (0, false));
        assert_eq!(strtoll(b"+"), (0, false));
        assert_eq!(strtoll(b"99999999999999999999"), (i64::MAX, true));
        assert_eq!(strtoll(b"-99999999999999999999"), (i64::MIN, true));
        assert_eq!(strtoll(b"7\x009"), (7, true));
    }

    #[test]
    fn c_strings_stop_at_nul() {
        assert_eq!(c_str(b"get\x00x"), b"get");
        assert!(c_eq_ignore_case(b"GeT\x00x", b"get"));
        assert!(!c_eq_ignore_case(b"gets", b"get"));
    }
}
