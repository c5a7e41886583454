//! What differs between hosts, in one place: the event emitter, the task queues, timers, byte
//! strings and streams. The defaults work anywhere (a browser, a Web Worker); the Node entry
//! (`index.js`) installs Node's own EventEmitter, its nextTick, `Buffer` and `Readable` with
//! `setPlatform`, so that replies of the `…Buffer` methods are real Buffers and scan streams are
//! real Readables, as with ioredis.

import { Emitter } from './emitter.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The neutral platform: only what every modern JS host has. */
const neutral = {
  EventEmitter: Emitter,
  /** Runs `fn` after the current operation, before promise reactions when the host allows. */
  nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
  /** Runs `fn` in a later macrotask, as a network event would arrive. */
  setImmediate: (fn) => setTimeout(fn, 0),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t),
  /** Bytes (as the host's byte-string type) from a JS string, UTF-8 encoded. */
  bytesFromString: (s) => encoder.encode(s),
  /** The host's byte-string type over a `Uint8Array` (no copy where possible). */
  wrapBytes: (u8) => u8,
  /** A JS string from UTF-8 bytes (invalid sequences become U+FFFD). */
  bytesToString: (b) => decoder.decode(b),
  /** Whether a value is a byte string (`Buffer` or any `Uint8Array`). */
  isBytes: (v) => v instanceof Uint8Array,
  /**
   * Fast text codecs over an `ArrayBuffer` (the engine's memory, for `wire.js`), or `null` to
   * use `TextEncoder`/`TextDecoder`: `memoryCodec(buffer)` → `{ latin1(start, end),
   * utf8(start, end), write(string, offset, maxBytes), bytes(start, end) }` (`write` encodes
   * UTF-8, answers the bytes written; `bytes`, optional, copies bytes out as the host's byte
   * type).
   */
  memoryCodec: null,
  /** Node's `stream.Readable`, or `null` where there is none. */
  Readable: null,
  /** How clients reach servers: `server(options)` → a server whose `open()` gives a connection. */
  transport: null,
  /** Called with every new client (`Redis`): a host that must know them (the script worker). */
  onClientCreated: null,
  /**
   * Whether a failed command's error records where the code stands on the command (`CALL_SITE`,
   * see command.js): where its promise is awaited, or where a command with a callback was issued.
   */
  captureCallSites: false,
  warn: (...args) => console.warn(...args),
  printError: (...args) => console.error(...args),
};

/** The platform in force. Modules read its fields at call time. */
export const platform = { ...neutral };

const mixinTargets = [];

function mixEmitter(target) {
  const proto = platform.EventEmitter.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor' || (target.keepOwn && target.keepOwn.includes(name))) continue;
    Object.defineProperty(
      target.prototype,
      name,
      Object.getOwnPropertyDescriptor(proto, name),
    );
  }
}

/** Gives a class the emitter's methods (as ioredis mixes EventEmitter into Redis). */
export function emitterMixin(target) {
  mixinTargets.push(target);
  mixEmitter(target);
}

/** Initialises the emitter state of a new instance. */
export function initEmitter(self) {
  platform.EventEmitter.call(self);
}

/** Replaces parts of the platform (the Node entry calls this once, before any client exists). */
export function setPlatform(overrides) {
  Object.assign(platform, overrides);
  if (overrides.EventEmitter) mixinTargets.forEach(mixEmitter);
}

/** A reply's bytes as the host's byte type: status replies (strings) are encoded too. */
export function toHostBytes(value) {
  if (typeof value === 'string') return platform.bytesFromString(value);
  if (value instanceof Uint8Array) return platform.wrapBytes(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = toHostBytes(value[i]);
  }
  return value;
}

/** A reply with every byte string decoded as UTF-8 (ioredis's `convertBufferToString`). */
export function toText(value) {
  if (value instanceof Uint8Array) return platform.bytesToString(value);
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toText(value[i]);
    return out;
  }
  return value;
}
