// A minimal RESP2/RESP3 client for the project's tooling (generators, conformance recording).
// Replies are decoded into tagged values that keep the wire type:
//   { t: 'status' | 'error' | 'bulk' | 'verbatim' | 'bignum', v: string|Buffer }
//   { t: 'int', v: bigint } · { t: 'double', v: string } · { t: 'bool', v: boolean }
//   { t: 'nil' } · { t: 'array' | 'set' | 'push', v: [...] } · { t: 'map', v: [[k, v], ...] }
import { connect } from 'node:net';

export class RespClient {
  static open(port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RespClient(socket)));
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.waiting = [];
    this.pushes = [];
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
  }

  drain() {
    for (;;) {
      const parsed = parse(this.buffer, 0);
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.end);
      if (parsed.value.t === 'push') {
        this.pushes.push(parsed.value);
        continue;
      }
      const next = this.waiting.shift();
      if (next) next(parsed.value);
    }
  }

  /** Sends one command (strings or Buffers) and resolves to its decoded reply. */
  call(...args) {
    const parts = [`*${args.length}\r\n`];
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
      parts.push(`$${b.length}\r\n`, b, '\r\n');
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p)))));
    });
  }

  close() {
    this.socket.end();
  }
}

function line(buf, start) {
  const i = buf.indexOf('\r\n', start);
  return i < 0 ? null : { text: buf.toString('utf8', start + 1, i), end: i + 2 };
}

function parse(buf, start) {
  if (start >= buf.length) return null;
  const type = String.fromCharCode(buf[start]);
  const l = line(buf, start);
  if (!l) return null;
  const simple = { '+': 'status', '-': 'error', '(': 'bignum' };
  if (simple[type]) return { value: { t: simple[type], v: l.text }, end: l.end };
  if (type === ':') return { value: { t: 'int', v: BigInt(l.text) }, end: l.end };
  if (type === ',') return { value: { t: 'double', v: l.text }, end: l.end };
  if (type === '#') return { value: { t: 'bool', v: l.text === 't' }, end: l.end };
  if (type === '_') return { value: { t: 'nil' }, end: l.end };
  if (type === '$' || type === '=' || type === '!') {
    const n = Number(l.text);
    if (n < 0) return { value: { t: 'nil' }, end: l.end };
    if (buf.length < l.end + n + 2) return null;
    const data = buf.subarray(l.end, l.end + n);
    const t = type === '$' ? 'bulk' : type === '=' ? 'verbatim' : 'error';
    return { value: { t, v: type === '!' ? data.toString() : Buffer.from(data) }, end: l.end + n + 2 };
  }
  if (type === '*' || type === '~' || type === '>' || type === '%') {
    const n = Number(l.text);
    if (n < 0) return { value: { t: 'nil' }, end: l.end };
    const count = type === '%' ? n * 2 : n;
    const items = [];
    let at = l.end;
    for (let i = 0; i < count; i++) {
      const p = parse(buf, at);
      if (!p) return null;
      items.push(p.value);
      at = p.end;
    }
    if (type === '%') {
      const pairs = [];
      for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
      return { value: { t: 'map', v: pairs }, end: at };
    }
    return { value: { t: { '*': 'array', '~': 'set', '>': 'push' }[type], v: items }, end: at };
  }
  throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
}
