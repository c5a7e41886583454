//! Fuzz target: any bytes into the RESP parser. It must not panic, must not claim more bytes
//! than it was given, and what it reads must encode back to bytes it reads as the same reply
//! (except for blob errors holding a line break, which the simple-error encoding cannot carry).

#![no_main]

use engine::{Reply, resp};
use libfuzzer_sys::fuzz_target;

/// Equality with NaN equal to itself and 0 different from -0.
fn same(a: &Reply, b: &Reply) -> bool {
    match (a, b) {
        (Reply::Double(x), Reply::Double(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Reply::Array(x), Reply::Array(y))
        | (Reply::Set(x), Reply::Set(y))
        | (Reply::Push(x), Reply::Push(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Reply::Map(x), Reply::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| same(ka, kb) && same(va, vb))
        }
        _ => a == b,
    }
}

/// Whether an error text holds a line break (possible only from a RESP3 blob error).
fn has_multiline_error(reply: &Reply) -> bool {
    match reply {
        Reply::Error(e) => e.contains(['\r', '\n']),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            items.iter().any(has_multiline_error)
        }
        Reply::Map(pairs) => pairs
            .iter()
            .any(|(k, v)| has_multiline_error(k) || has_multiline_error(v)),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(Some((reply, used))) = resp::parse(data) else {
        return;
    };
    assert!(used <= data.len(), "used {used} of {} bytes", data.len());
    if has_multiline_error(&reply) {
        return;
    }
    let mut wire = Vec::new();
    resp::encode(&reply, &mut wire);
    match resp::parse(&wire) {
        Ok(Some((back, n))) if n == wire.len() && same(&back, &reply) => {}
        other => panic!("{reply:?} encoded as {wire:?} reads back as {other:?}"),
    }
});
