//! The JS side of the engine's wire convention (`crates/bindings/src/wire.rs`): a command's
//! arguments are written straight into a buffer in the wasm module's memory, one call with
//! numbers crosses into wasm, and the replies come back as bytes in another buffer, decoded
//! here. `Engine.call` builds every reply as JS values from Rust, one boundary crossing (and one
//! `TextDecoder` call) per string; this is several times faster for short commands.
//!
//! `createWire(Engine)` gives `{ call(engine, id, argv, buffers, stringNumbers),
//! takeOutput(engine, id, buffers, stringNumbers) }`, answering exactly what `engine.call` and
//! `engine.takeOutput` answer (strings, `Uint8Array`s, numbers, `null`, booleans, arrays,
//! `Error`s; with `stringNumbers`, integers as their exact decimal text; byte strings as the
//! codec's `bytes` copies them out where it has one: Buffers in Node), or `null` for an
//! `Engine` without the wire methods.

import { platform } from './platform.js';

// Reply tags (see wire.rs).
const NULL = 0;
const INT = 1;
const NUM = 2;
const TRUE = 3;
const FALSE = 4;
const ASCII = 5;
const UTF8 = 6;
const BYTES = 7;
const ERROR = 8;
const ARRAY = 9;
const BIG = 10;

/** What `wireCall` answers when it could not run the command. */
const REFUSED = 0xffffffff;
/** Strings up to this length are encoded and decoded in JS; longer ones by the host's codec. */
const SHORT = 24;
/** An argument buffer larger than this is given back after the command. */
const KEEP_BYTES = 1 << 20;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** ASCII bytes as a string, for short strings (no call into the host, no subarray). */
function shortAscii(u8, p, n) {
  switch (n) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(u8[p]);
    case 2:
      return String.fromCharCode(u8[p], u8[p + 1]);
    case 3:
      return String.fromCharCode(u8[p], u8[p + 1], u8[p + 2]);
    case 4:
      return String.fromCharCode(u8[p], u8[p + 1], u8[p + 2], u8[p + 3]);
    default: {
      let s = '';
      const end = p + n;
      for (; p + 8 <= end; p += 8) {
        s += String.fromCharCode(
          u8[p],
          u8[p + 1],
          u8[p + 2],
          u8[p + 3],
          u8[p + 4],
          u8[p + 5],
          u8[p + 6],
          u8[p + 7],
        );
      }
      for (; p < end; p++) s += String.fromCharCode(u8[p]);
      return s;
    }
  }
}

/**
 * An integer past 2^53 as a JS RESP parser reads it (ioredis's redis-parser, node-redis): digit
 * by digit in floating point, which is not always the nearest double (9223372036854775807 reads
 * as 9223372036854778000). Code written against this client must see the numbers it will see
 * against a real server.
 */
function parserNumber(big) {
  const digits = (big < 0n ? -big : big).toString();
  let value = 0;
  for (let i = 0; i < digits.length; i++) value = value * 10 + (digits.charCodeAt(i) - 48);
  return big < 0n ? -value : value;
}

/**
 * The wire over an `Engine` class's module, or `null` if it has no wire methods.
 * `options.memoryCodec`: the text codecs to use (see `platform.memoryCodec`; `null` for
 * `TextEncoder`/`TextDecoder`), the platform's by default.
 */
export function createWire(Engine, options = {}) {
  if (
    !Engine ||
    typeof Engine.wireArgs !== 'function' ||
    typeof Engine.memory !== 'function' ||
    typeof Engine.wireMailbox !== 'function' ||
    typeof Engine.prototype.wireCall !== 'function'
  ) {
    return null;
  }
  const memory = Engine.memory();
  // Three u32s: the reply buffer's address, the argument buffer's address and length. They
  // are read before each use: other wires over the same module may have moved the buffers.
  const mailbox = Engine.wireMailbox();
  // Views of the memory, made again when it grows (the old buffer is then detached: length 0).
  let u8 = new Uint8Array(0);
  let view = null;
  let codec = null;
  // The argument buffer: address and length, as the mailbox said.
  let argsPtr = 0;
  let argsCap = 0;
  // Read position while decoding.
  let at = 0;
  // Integers as their decimal text (ioredis's `stringNumbers`), for the call being decoded.
  let numbersAsText = false;

  function refresh() {
    const buffer = memory.buffer;
    u8 = new Uint8Array(buffer);
    view = new DataView(buffer);
    const makeCodec = options.memoryCodec === undefined ? platform.memoryCodec : options.memoryCodec;
    codec = makeCodec ? makeCodec(buffer) : null;
  }

  /** Makes room for `need` bytes from the buffer's start, keeping what was written. */
  function reserve(need) {
    Engine.wireArgs(Math.max(need, argsCap * 2));
    if (u8.length === 0) refresh();
    argsPtr = view.getUint32(mailbox + 4, true);
    argsCap = view.getUint32(mailbox + 8, true);
  }

  /** Writes a string's UTF-8 at `p` (room for 3 bytes per code unit is there); its length. */
  function writeString(s, p) {
    const n = s.length;
    if (n <= SHORT) {
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        u8[p + i] = c;
      }
      if (i === n) return n;
    }
    if (codec) return codec.write(s, p, n * 3);
    return encoder.encodeInto(s, u8.subarray(p, p + n * 3)).written;
  }

  /** Writes the arguments into the argument buffer; their total length. */
  function writeArgs(argv) {
    if (u8.length === 0) refresh();
    argsPtr = view.getUint32(mailbox + 4, true);
    argsCap = view.getUint32(mailbox + 8, true);
    let p = 0;
    for (let i = 0; i < argv.length; i++) {
      let arg = argv[i];
      if (typeof arg !== 'string' && !(arg instanceof Uint8Array)) arg = String(arg);
      const room = 4 + (typeof arg === 'string' ? arg.length * 3 : arg.length);
      if (p + room > argsCap) reserve(p + room);
      const start = argsPtr + p;
      let n;
      if (typeof arg === 'string') {
        n = writeString(arg, start + 4);
      } else {
        n = arg.length;
        u8.set(arg, start + 4);
      }
      view.setUint32(start, n, true);
      p += 4 + n;
    }
    return p;
  }

  function text(p, n, ascii) {
    if (ascii && n <= SHORT) return shortAscii(u8, p, n);
    if (codec) return ascii ? codec.latin1(p, p + n) : codec.utf8(p, p + n);
    return decoder.decode(u8.subarray(p, p + n));
  }

  function readValue() {
    const tag = u8[at];
    at += 1;
    switch (tag) {
      case NULL:
        return null;
      case INT: {
        const n = view.getInt32(at, true);
        at += 4;
        return numbersAsText ? String(n) : n;
      }
      case NUM: {
        const n = view.getFloat64(at, true);
        at += 8;
        return numbersAsText ? String(n) : n;
      }
      case BIG: {
        const n = view.getBigInt64(at, true);
        at += 8;
        return numbersAsText ? n.toString() : parserNumber(n);
      }
      case TRUE:
        return true;
      case FALSE:
        return false;
      case ASCII:
      case UTF8: {
        const n = view.getUint32(at, true);
        const s = text(at + 4, n, tag === ASCII);
        at += 4 + n;
        return s;
      }
      case BYTES: {
        const n = view.getUint32(at, true);
        const start = at + 4;
        at = start + n;
        return codec !== null && codec.bytes !== undefined ? codec.bytes(start, at) : u8.slice(start, at);
      }
      case ERROR: {
        const n = view.getUint32(at, true);
        const message = text(at + 4, n, false);
        at += 4 + n;
        return new Error(message);
      }
      case ARRAY: {
        const n = view.getUint32(at, true);
        at += 4;
        const items = new Array(n);
        for (let i = 0; i < n; i++) items[i] = readValue();
        return items;
      }
      default:
        throw new Error(`unknown reply tag ${tag} from the engine`);
    }
  }

  /**
   * The replies of the last call, `len` bytes at the reply buffer; integers as text when
   * `asText`.
   */
  function readReplies(len, asText) {
    if (len === REFUSED) throw new Error('the engine is busy');
    numbersAsText = asText;
    if (u8.length === 0) refresh();
    at = view.getUint32(mailbox, true);
    const end = at + len;
    if (at === end) return [];
    const first = readValue();
    if (at === end) return [first];
    const replies = [first];
    while (at < end) replies.push(readValue());
    return replies;
  }

  return {
    /**
     * `engine.call(id, argv, buffers)`; with `stringNumbers`, integers come as their decimal
     * text (exact past 2^53 too).
     */
    call(engine, id, argv, buffers, stringNumbers = false) {
      const len = writeArgs(argv);
      const replies = readReplies(engine.wireCall(id, len, buffers), stringNumbers);
      // A buffer grown for a large command is given back.
      if (argsCap > KEEP_BYTES) Engine.wireArgs(KEEP_BYTES);
      return replies;
    },
    /** `engine.takeOutput(id, buffers)`, with `stringNumbers` as for `call`. */
    takeOutput(engine, id, buffers, stringNumbers = false) {
      return readReplies(engine.wireTakeOutput(id, buffers), stringNumbers);
    },
  };
}
