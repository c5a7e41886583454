//! A small `Buffer` for learner scripts in the worker: a `Uint8Array` with the parts of Node's
//! Buffer that Redis code uses (`Buffer.from` a string in utf8, hex, base64 or latin1, an array or
//! bytes; `alloc`, `concat`, `isBuffer`, `byteLength`, `compare`; `toString(encoding)`, `equals`,
//! `toJSON`) and Node's `<Buffer 68 69>` in `console.log`. The `…Buffer` methods of the client
//! answer these.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function normalizeEncoding(encoding) {
  const e = String(encoding || 'utf8').toLowerCase();
  if (e === 'utf-8') return 'utf8';
  if (e === 'binary') return 'latin1';
  if (e === 'ucs2' || e === 'ucs-2' || e === 'utf-16le') return 'utf16le';
  return e;
}

function bytesOf(string, encoding) {
  switch (normalizeEncoding(encoding)) {
    case 'utf8':
      return encoder.encode(string);
    case 'hex': {
      const n = Math.floor(string.length / 2);
      const out = new Uint8Array(n);
      let i = 0;
      for (; i < n; i++) {
        const byte = parseInt(string.substr(i * 2, 2), 16);
        if (Number.isNaN(byte)) break;
        out[i] = byte;
      }
      return out.subarray(0, i);
    }
    case 'base64':
    case 'base64url': {
      const clean = string.replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/]/g, '');
      const binary = atob(clean + '='.repeat((4 - (clean.length % 4)) % 4));
      return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    }
    case 'latin1':
    case 'ascii':
      return Uint8Array.from(string, (ch) => ch.charCodeAt(0) & 0xff);
    case 'utf16le': {
      const out = new Uint8Array(string.length * 2);
      for (let i = 0; i < string.length; i++) {
        const code = string.charCodeAt(i);
        out[i * 2] = code & 0xff;
        out[i * 2 + 1] = code >> 8;
      }
      return out;
    }
    default:
      throw new TypeError(`Unknown encoding: ${encoding}`);
  }
}

export class Buffer extends Uint8Array {
  static from(value, encodingOrOffset, length) {
    if (typeof value === 'string') {
      const bytes = bytesOf(value, encodingOrOffset);
      return new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (value instanceof ArrayBuffer) {
      const offset = encodingOrOffset === undefined ? 0 : Number(encodingOrOffset);
      return new Buffer(value, offset, length === undefined ? value.byteLength - offset : Number(length));
    }
    if (value instanceof Uint8Array || Array.isArray(value) || ArrayBuffer.isView(value)) {
      const out = new Buffer(value.length);
      for (let i = 0; i < value.length; i++) out[i] = Number(value[i]) & 0xff;
      return out;
    }
    if (value && value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data);
    throw new TypeError(
      'The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object.',
    );
  }

  static alloc(size, fill = 0) {
    const out = new Buffer(size);
    if (typeof fill === 'string') {
      const bytes = bytesOf(fill);
      if (bytes.length) for (let i = 0; i < size; i++) out[i] = bytes[i % bytes.length];
    } else if (fill) {
      out.fill(Number(fill) & 0xff);
    }
    return out;
  }

  static allocUnsafe(size) {
    return new Buffer(size);
  }

  static isBuffer(value) {
    return value instanceof Buffer;
  }

  static isEncoding(encoding) {
    return ['utf8', 'hex', 'base64', 'base64url', 'latin1', 'ascii', 'utf16le'].includes(normalizeEncoding(encoding));
  }

  static byteLength(value, encoding) {
    if (typeof value === 'string') return bytesOf(value, encoding).length;
    return value.byteLength;
  }

  static concat(list, totalLength) {
    const total = totalLength === undefined ? list.reduce((n, b) => n + b.length, 0) : totalLength;
    const out = Buffer.alloc(total);
    let offset = 0;
    for (const item of list) {
      if (offset >= total) break;
      const part = item.subarray(0, total - offset);
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  static compare(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }

  toString(encoding, start = 0, end = this.length) {
    const bytes = this.subarray(start, end);
    switch (normalizeEncoding(encoding)) {
      case 'utf8':
        return decoder.decode(bytes);
      case 'hex':
        return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      case 'base64':
        return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
      case 'base64url':
        return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '');
      case 'latin1':
        return Array.from(bytes, (b) => String.fromCharCode(b)).join('');
      case 'ascii':
        return Array.from(bytes, (b) => String.fromCharCode(b & 0x7f)).join('');
      case 'utf16le': {
        let s = '';
        for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
        return s;
      }
      default:
        throw new TypeError(`Unknown encoding: ${encoding}`);
    }
  }

  equals(other) {
    return Buffer.compare(this, other) === 0;
  }

  compare(other) {
    return Buffer.compare(this, other);
  }

  toJSON() {
    return { type: 'Buffer', data: Array.from(this) };
  }

  /** Node's `console.log` form: `<Buffer 68 69>`, at most 50 bytes shown. */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    const shown = Array.from(this.subarray(0, 50), (b) => b.toString(16).padStart(2, '0')).join(' ');
    const more = this.length > 50 ? ` ... ${this.length - 50} more byte${this.length - 50 > 1 ? 's' : ''}` : '';
    return `<Buffer${shown ? ` ${shown}` : ''}${more}>`;
  }
}
