//! The wire calling convention: commands in and replies out as bytes in the module's memory,
//! so that a call crosses the JS/wasm boundary once, with numbers only.
//!
//! Each JS value passed to or built by Rust through wasm-bindgen costs a crossing (and a
//! `TextEncoder`/`TextDecoder` call per string): for a short command that was most of its
//! time. Here JS writes the arguments straight into a buffer of this module (`args`), calls
//! [`JsEngine::wire_call`](crate::JsEngine) with their total length, and decodes the replies
//! Rust wrote into another buffer (`out`). Both buffers move when they grow: their addresses
//! (and the argument buffer's length) are in the mailbox at [`mailbox_addr`], which JS reads
//! before writing arguments and after each call, so that any number of JS users of the module
//! share the buffers safely. The JS side is `web/js/client/wire.js`.
//!
//! Arguments: for each, its length (`u32`, little-endian) then its bytes.
//!
//! Replies, one after the other, each a tag byte and its payload (lengths and counts `u32`,
//! numbers little-endian):
//! - [`NULL`]: nil and the null array (`null`);
//! - [`INT`] + `i32`: an integer that fits (a number);
//! - [`NUM`] + `f64`: a larger integer up to 2^53 in magnitude (exact), a double;
//! - [`BIG`] + `i64`: an integer past 2^53, exact (JS makes of it the number a RESP parser
//!   makes, or its digits for a client that wants integers as strings);
//! - [`TRUE`], [`FALSE`]: RESP3 booleans;
//! - [`ASCII`] / [`UTF8`] + length + bytes: a string (status replies, and bulk strings when
//!   they are wanted as text: bytes that are not UTF-8 are replaced by U+FFFD here, as the old
//!   convention's lossy decoding did); [`ASCII`] promises every byte is below 0x80;
//! - [`BYTES`] + length + bytes: a bulk string wanted as bytes (`Uint8Array`);
//! - [`ERROR`] + length + UTF-8 text: an error reply (an `Error` with that message);
//! - [`ARRAY`] + count + items: arrays, sets and pushes; a map as its flat key, value … array.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

use engine::{Bytes, Reply};
use wasm_bindgen::prelude::*;

use crate::JsEngine;

thread_local! {
    /// The wire convention's buffers (see the module doc), shared by every engine of the module.
    static WIRE: RefCell<Wire> = RefCell::new(Wire::default());
}

/// What `wireCall` and `wireTakeOutput` answer when they cannot run (the engine or the wire is
/// busy: a re-entrant call; or the arguments are malformed): JS throws.
const WIRE_REFUSED: u32 = u32::MAX;

pub const NULL: u8 = 0;
pub const INT: u8 = 1;
pub const NUM: u8 = 2;
pub const TRUE: u8 = 3;
pub const FALSE: u8 = 4;
pub const ASCII: u8 = 5;
pub const UTF8: u8 = 6;
pub const BYTES: u8 = 7;
pub const ERROR: u8 = 8;
pub const ARRAY: u8 = 9;
pub const BIG: u8 = 10;

/// Where JS finds the buffers (a static: its own address never changes): the reply buffer's
/// address, the argument buffer's address and its length.
static MAILBOX: [AtomicU32; 3] = [AtomicU32::new(0), AtomicU32::new(0), AtomicU32::new(0)];
const OUT_PTR: usize = 0;
const ARGS_PTR: usize = 1;
const ARGS_LEN: usize = 2;

/// Buffers above this size are given back after use, so that one huge command or reply does
/// not keep its memory for the life of the module.
const KEEP_BYTES: usize = 1 << 20;

/// The buffers shared by every engine of the module (calls never overlap: wasm runs one at a
/// time and the engine never calls back into JS).
pub struct Wire {
    /// Where the buffers' addresses are published ([`MAILBOX`]; tests have their own).
    mailbox: &'static [AtomicU32; 3],
    /// Where JS writes a command's arguments; its length is its capacity (all initialized), so
    /// that JS may write anywhere in it.
    args: Vec<u8>,
    /// The arguments of the current command, reused from call to call (their allocations too).
    argv: Vec<Vec<u8>>,
    /// An argument's buffer may have grown above [`KEEP_BYTES`]: [`Wire::trim`] looks at them
    /// (only then: most calls have only short arguments).
    large_args: bool,
    /// The encoded replies of the last call.
    out: Vec<u8>,
    /// The last call's replies before encoding, reused from call to call.
    replies: Vec<Reply>,
}

impl Default for Wire {
    fn default() -> Self {
        Wire {
            mailbox: &MAILBOX,
            args: Vec::new(),
            argv: Vec::new(),
            large_args: false,
            out: Vec::new(),
            replies: Vec::new(),
        }
    }
}

impl Wire {
    /// Makes the argument buffer at least `len` bytes long (keeping what JS wrote in it) and
    /// returns its address.
    /// A buffer above [`KEEP_BYTES`] shrinks when JS asks for at most that much (JS does after
    /// a large command).
    pub fn reserve_args(&mut self, len: usize) -> u32 {
        let want = len.max(256);
        let want = want.checked_next_power_of_two().unwrap_or(want);
        if self.args.len() < len {
            self.args.resize(want, 0);
        } else if self.args.len() > KEEP_BYTES && want <= KEEP_BYTES {
            self.args.truncate(want);
            self.args.shrink_to_fit();
        }
        let ptr = self.args.as_ptr() as u32;
        self.mailbox[ARGS_PTR].store(ptr, Ordering::Relaxed);
        self.mailbox[ARGS_LEN].store(self.args.len() as u32, Ordering::Relaxed);
        ptr
    }

    /// Splits the first `len` bytes of the argument buffer into arguments; `None` if they are
    /// not a well-formed list (JS wrote past the buffer or a length runs past the end).
    pub fn parse_args(&mut self, len: usize) -> Option<&[Vec<u8>]> {
        let bytes = self.args.get(..len)?;
        let mut at = 0;
        let mut argc = 0;
        while at < bytes.len() {
            let head = bytes.get(at..at.checked_add(4)?)?;
            let n = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
            at += 4;
            let arg = bytes.get(at..at.checked_add(n)?)?;
            at += n;
            if let Some(slot) = self.argv.get_mut(argc) {
                slot.clear();
                // Most arguments are short: copied without a memory.copy call.
                engine::short::extend(slot, arg);
            } else {
                self.argv.push(arg.to_vec());
            }
            // A buffer that grew past KEEP_BYTES holds more than half of it at least.
            if n > KEEP_BYTES / 2 {
                self.large_args = true;
            }
            argc += 1;
        }
        self.argv.get(..argc)
    }

    /// Gives back memory a large reply or argument took, once JS has read the reply (the
    /// argument buffer shrinks through [`Wire::reserve_args`]: JS holds its address).
    pub fn trim(&mut self) {
        if self.out.capacity() > KEEP_BYTES {
            self.out = Vec::new();
        }
        if std::mem::take(&mut self.large_args) {
            for arg in &mut self.argv {
                if arg.capacity() > KEEP_BYTES {
                    *arg = Vec::new();
                }
            }
        }
    }

    /// Encodes replies into the reply buffer, publishes its address and returns its length.
    pub fn write_replies(&mut self, replies: &[Reply], text: bool) -> u32 {
        self.out.clear();
        for reply in replies {
            encode(&mut self.out, reply, text);
        }
        self.publish()
    }

    /// Encodes one error reply (a refusal of the binding itself).
    pub fn write_error(&mut self, message: &str) -> u32 {
        self.out.clear();
        put_str(&mut self.out, ERROR, message.as_bytes());
        self.publish()
    }

    fn publish(&self) -> u32 {
        self.mailbox[OUT_PTR].store(self.out.as_ptr() as u32, Ordering::Relaxed);
        self.out.len() as u32
    }

    /// The encoded replies (for tests).
    pub fn out(&self) -> &[u8] {
        &self.out
    }
}

/// Where JS reads the buffers' addresses: three `u32`s, the reply buffer's address, the
/// argument buffer's address and the argument buffer's length.
pub fn mailbox_addr() -> u32 {
    MAILBOX.as_ptr() as u32
}

/// A tag and four bytes (a length, a count, an `i32`), in one write.
#[inline]
fn put_head(out: &mut Vec<u8>, tag: u8, four: [u8; 4]) {
    let mut head = [tag; 5];
    head[1..].copy_from_slice(&four);
    out.extend_from_slice(&head);
}

/// The little-endian `u32` of a length or count.
fn len32(n: usize) -> [u8; 4] {
    (n as u32).to_le_bytes()
}

fn put_str(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
    out.reserve(5 + bytes.len());
    put_head(out, tag, len32(bytes.len()));
    out.extend_from_slice(bytes);
}

/// A string as text: ASCII as it is, UTF-8 as it is, anything else with U+FFFD for each
/// invalid sequence.
fn put_text(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.is_ascii() {
        put_str(out, ASCII, bytes);
    } else {
        put_str(out, UTF8, String::from_utf8_lossy(bytes).as_bytes());
    }
}

/// A number as a double.
fn put_num(out: &mut Vec<u8>, d: f64) {
    out.push(NUM);
    out.extend_from_slice(&d.to_le_bytes());
}

/// A bulk string as text or as bytes; a short one (held inline, ASCII when wanted as text:
/// most elements of arrays) in one write of a fixed size, then cut to its length.
#[inline]
fn put_bulk(out: &mut Vec<u8>, bytes: &Bytes, text: bool) {
    if let Some((padded, len)) = bytes.inline_padded() {
        // The padding is zeros, so the padded buffer is ASCII exactly when the bytes are.
        if !text || padded.is_ascii() {
            let mut chunk = [0u8; 5 + Bytes::INLINE];
            let (head, tail) = chunk.split_at_mut(5);
            head[0] = if text { ASCII } else { BYTES };
            head[1..].copy_from_slice(&len32(len));
            tail.copy_from_slice(padded);
            // len <= Bytes::INLINE, so `end` is within what is written.
            let end = out.len() + 5 + len;
            out.extend_from_slice(&chunk);
            out.truncate(end);
            return;
        }
    }
    put_bytes(out, bytes, text);
}

/// A bulk string as text or as bytes.
fn put_bytes(out: &mut Vec<u8>, bytes: &[u8], text: bool) {
    if text {
        put_text(out, bytes);
    } else {
        put_str(out, BYTES, bytes);
    }
}

/// Appends one reply. `text`: bulk strings as strings, else as bytes.
pub fn encode(out: &mut Vec<u8>, reply: &Reply, text: bool) {
    match reply {
        Reply::Status(s) => put_text(out, s.as_bytes()),
        Reply::Error(e) => put_str(out, ERROR, e.as_bytes()),
        Reply::Integer(n) => {
            if let Ok(small) = i32::try_from(*n) {
                put_head(out, INT, small.to_le_bytes());
            } else if n.unsigned_abs() <= 1 << 53 {
                put_num(out, *n as f64);
            } else {
                out.push(BIG);
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        Reply::Bulk(b) => put_bulk(out, b, text),
        Reply::Verbatim(_, b) => put_bytes(out, b, text),
        Reply::Nil | Reply::NilArray => out.push(NULL),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            put_head(out, ARRAY, len32(items.len()));
            for item in items {
                encode(out, item, text);
            }
        }
        Reply::Map(pairs) => {
            put_head(out, ARRAY, len32(pairs.len() * 2));
            for (k, v) in pairs {
                encode(out, k, text);
                encode(out, v, text);
            }
        }
        Reply::Double(d) | Reply::HumanDouble(d) => put_num(out, *d),
        Reply::Bool(b) => out.push(if *b { TRUE } else { FALSE }),
    }
}

impl JsEngine {
    /// Runs `f` with the engine and the wire, both borrowed, the reply buffer trimmed first;
    /// `0xFFFFFFFF` when either is busy (a call from inside a call).
    fn with_wire(&self, f: impl FnOnce(&mut engine::Engine, &mut Wire) -> u32) -> u32 {
        let Ok(mut engine) = self.inner.try_borrow_mut() else {
            return WIRE_REFUSED;
        };
        WIRE.with(|wire| {
            let Ok(mut wire) = wire.try_borrow_mut() else {
                return WIRE_REFUSED;
            };
            wire.trim();
            f(&mut engine, &mut wire)
        })
    }
}

/// The wire convention's methods of the JS `Engine` class (the npm package's transport calls
/// them through `web/js/client/wire.js`).
#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// `call` through the wire convention (see the `wire` module and `web/js/client/wire.js`):
    /// runs the command whose arguments JS wrote into the argument buffer (`len` bytes), writes
    /// its replies into the reply buffer and returns their length, or `0xFFFFFFFF` if it could
    /// not run (JS then throws).
    #[wasm_bindgen(js_name = wireCall)]
    pub fn wire_call(&self, client: f64, len: u32, buffers: bool) -> u32 {
        self.with_wire(|engine, wire| {
            let mut replies = std::mem::take(&mut wire.replies);
            match wire.parse_args(len as usize) {
                Some(argv) => engine.call_into(client as u64, argv, &mut replies),
                None => return WIRE_REFUSED,
            }
            let len = wire.write_replies(&replies, !buffers);
            // The replies are dropped now; the vector's room is kept for the next call unless a
            // command with very many replies (SUBSCRIBE to thousands of channels) made it big.
            replies.clear();
            if replies.capacity() <= 1024 {
                wire.replies = replies;
            }
            len
        })
    }

    /// `takeOutput` through the wire convention: writes the replies into the reply buffer and
    /// returns their length (`0xFFFFFFFF` if busy).
    #[wasm_bindgen(js_name = wireTakeOutput)]
    pub fn wire_take_output(&self, client: f64, buffers: bool) -> u32 {
        self.with_wire(|engine, wire| {
            let replies = engine.take_output(client as u64);
            wire.write_replies(&replies, !buffers)
        })
    }

    /// Makes the wire's argument buffer at least `len` bytes long, keeping its contents, and
    /// returns its address in `memory()` (it moves when it grows; a buffer above 1 MB shrinks
    /// when asked for at most that). The mailbox has its address and length too.
    #[wasm_bindgen(js_name = wireArgs)]
    pub fn wire_args(len: u32) -> u32 {
        WIRE.with(|wire| {
            wire.try_borrow_mut()
                .map_or(0, |mut w| w.reserve_args(len as usize))
        })
    }

    /// The address in `memory()` of the wire's mailbox: three `u32`s, the reply buffer's
    /// address (updated by every wire call), the argument buffer's address and its length
    /// (updated by `wireArgs`).
    #[wasm_bindgen(js_name = wireMailbox)]
    pub fn wire_mailbox() -> u32 {
        mailbox_addr()
    }

    /// The module's `WebAssembly.Memory`, where the wire buffers are.
    pub fn memory() -> JsValue {
        wasm_bindgen::memory()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wire with a mailbox of its own (tests run in parallel).
    fn wire() -> Wire {
        Wire {
            mailbox: Box::leak(Box::new([
                AtomicU32::new(0),
                AtomicU32::new(0),
                AtomicU32::new(0),
            ])),
            ..Wire::default()
        }
    }

    fn args(words: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for w in words {
            out.extend_from_slice(&(w.len() as u32).to_le_bytes());
            out.extend_from_slice(w);
        }
        out
    }

    #[test]
    fn parses_arguments_and_reuses_them() {
        let mut wire = wire();
        wire.reserve_args(16);
        let bytes = args(&[b"SET", b"k", b"\x00\xff"]);
        wire.reserve_args(bytes.len());
        wire.args[..bytes.len()].copy_from_slice(&bytes);
        let argv = wire.parse_args(bytes.len()).unwrap();
        assert_eq!(argv, [b"SET".to_vec(), b"k".to_vec(), b"\x00\xff".to_vec()]);
        let bytes = args(&[b"GET", b""]);
        wire.args[..bytes.len()].copy_from_slice(&bytes);
        assert_eq!(
            wire.parse_args(bytes.len()).unwrap(),
            [b"GET".to_vec(), Vec::new()]
        );
        assert_eq!(wire.parse_args(0).unwrap().len(), 0);
    }

    #[test]
    fn the_argument_buffer_grows_keeping_its_bytes_and_shrinks_when_asked() {
        let mut wire = wire();
        let ptr = wire.reserve_args(10);
        assert_eq!(wire.args.len(), 256);
        assert_eq!(wire.mailbox[ARGS_PTR].load(Ordering::Relaxed), ptr);
        assert_eq!(wire.mailbox[ARGS_LEN].load(Ordering::Relaxed), 256);
        wire.args[..3].copy_from_slice(b"abc");
        wire.reserve_args(300);
        assert_eq!(wire.args.len(), 512);
        assert_eq!(&wire.args[..3], b"abc");
        wire.reserve_args(KEEP_BYTES * 3);
        assert_eq!(wire.args.len(), KEEP_BYTES * 4);
        assert_eq!(&wire.args[..3], b"abc");
        wire.reserve_args(KEEP_BYTES * 2);
        assert_eq!(
            wire.args.len(),
            KEEP_BYTES * 4,
            "kept until asked for at most 1 MB"
        );
        wire.reserve_args(100);
        assert_eq!(wire.args.len(), 256);
        assert_eq!(wire.mailbox[ARGS_LEN].load(Ordering::Relaxed), 256);
    }

    #[test]
    fn a_large_argument_is_given_back_at_the_next_call() {
        let mut wire = wire();
        let big = vec![b'x'; KEEP_BYTES + 1];
        let bytes = args(&[b"SET", b"k", &big]);
        wire.reserve_args(bytes.len());
        wire.args[..bytes.len()].copy_from_slice(&bytes);
        assert_eq!(
            wire.parse_args(bytes.len()).unwrap()[2].len(),
            KEEP_BYTES + 1
        );
        wire.trim();
        assert_eq!(wire.argv[2].capacity(), 0, "freed");
        // Short arguments leave the buffers alone (nothing to look at).
        let bytes = args(&[b"GET", b"k"]);
        wire.args[..bytes.len()].copy_from_slice(&bytes);
        wire.parse_args(bytes.len()).unwrap();
        assert!(!wire.large_args);
        wire.trim();
        assert_eq!(wire.argv[0], b"GET");
    }

    #[test]
    fn refuses_malformed_arguments() {
        let mut wire = wire();
        let cap = wire.args.len();
        wire.reserve_args(64);
        assert!(cap < wire.args.len());
        wire.args[..4].copy_from_slice(&10u32.to_le_bytes());
        assert!(wire.parse_args(6).is_none());
        assert!(wire.parse_args(3).is_none());
        assert!(wire.parse_args(wire.args.len() + 1).is_none());
        wire.args[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(wire.parse_args(8).is_none());
    }

    #[test]
    fn encodes_every_reply_shape() {
        let mut wire = wire();
        let replies = [
            Reply::ok(),
            Reply::Integer(-5),
            Reply::Integer(1 << 40),
            Reply::Nil,
            Reply::bulk(b"h\xc3\xa9"),
            Reply::bulk(b"a\xffb"),
            Reply::Array(vec![Reply::Bool(true), Reply::Double(1.5)]),
            Reply::Map(vec![(Reply::bulk(b"f"), Reply::Bool(false))]),
            Reply::error("ERR no"),
        ];
        let len = wire.write_replies(&replies, true);
        let mut want = vec![ASCII, 2, 0, 0, 0, b'O', b'K', INT];
        want.extend_from_slice(&(-5i32).to_le_bytes());
        want.push(NUM);
        want.extend_from_slice(&((1i64 << 40) as f64).to_le_bytes());
        want.extend_from_slice(&[NULL, UTF8, 3, 0, 0, 0, b'h', 0xc3, 0xa9]);
        want.extend_from_slice(&[UTF8, 5, 0, 0, 0, b'a', 0xef, 0xbf, 0xbd, b'b']);
        want.extend_from_slice(&[ARRAY, 2, 0, 0, 0, TRUE, NUM]);
        want.extend_from_slice(&1.5f64.to_le_bytes());
        want.extend_from_slice(&[ARRAY, 2, 0, 0, 0, ASCII, 1, 0, 0, 0, b'f', FALSE]);
        want.extend_from_slice(&[ERROR, 6, 0, 0, 0]);
        want.extend_from_slice(b"ERR no");
        assert_eq!(wire.out(), want.as_slice());
        assert_eq!(len as usize, want.len());
        assert_eq!(
            wire.mailbox[OUT_PTR].load(Ordering::Relaxed),
            wire.out.as_ptr() as u32
        );

        wire.write_replies(&[Reply::bulk(b"a\xff")], false);
        assert_eq!(wire.out(), [BYTES, 2, 0, 0, 0, b'a', 0xff]);
    }

    #[test]
    fn short_and_long_strings_encode_alike() {
        let mut wire = wire();
        for len in [
            0,
            1,
            Bytes::INLINE - 1,
            Bytes::INLINE,
            Bytes::INLINE + 1,
            300,
        ] {
            let ascii: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut binary = ascii.clone();
            if let Some(last) = binary.last_mut() {
                *last = 0xff;
            }
            for (text, bytes, tag) in [
                (true, &ascii, ASCII),
                (false, &ascii, BYTES),
                (false, &binary, BYTES),
            ] {
                // Inline (copied) and on the heap (a Vec's buffer kept): the same encoding.
                for reply in [Reply::bulk(bytes), Reply::from(bytes.clone())] {
                    wire.write_replies(&[reply, Reply::Integer(7)], text);
                    let mut want = vec![tag];
                    want.extend_from_slice(&(len as u32).to_le_bytes());
                    want.extend_from_slice(bytes);
                    want.extend_from_slice(&[INT, 7, 0, 0, 0]);
                    assert_eq!(wire.out(), want.as_slice(), "{len} {text}");
                }
            }
        }
    }

    #[test]
    fn integers_at_the_edges_of_i32() {
        let mut wire = wire();
        wire.write_replies(&[Reply::Integer(i64::from(i32::MAX))], true);
        assert_eq!(wire.out()[0], INT);
        wire.write_replies(&[Reply::Integer(i64::from(i32::MIN) - 1)], true);
        assert_eq!(wire.out()[0], NUM);
        wire.write_replies(&[Reply::Integer(1 << 53)], true);
        assert_eq!(wire.out()[0], NUM);
        assert_eq!(wire.out()[1..], ((1i64 << 53) as f64).to_le_bytes());
        wire.write_replies(&[Reply::Integer(-(1 << 53) - 1)], true);
        assert_eq!(wire.out()[0], BIG);
        wire.write_replies(&[Reply::Integer(i64::MAX)], true);
        assert_eq!(wire.out()[0], BIG);
        assert_eq!(wire.out()[1..], i64::MAX.to_le_bytes());
    }
}
