//! `scanStream` and friends: the keys (or members, fields and values…) of SCAN, SSCAN, HSCAN
//! and ZSCAN, one batch per `data` event, as ioredis's ScanStream. Where the host has
//! `stream.Readable` (Node) it is one; elsewhere an emitter that is also an async iterable.

import { platform, initEmitter, emitterMixin } from './platform.js';

function scanArgs(opt, cursor) {
  const args = [cursor];
  if (opt.key) args.unshift(opt.key);
  if (opt.match) args.push('MATCH', opt.match);
  if (opt.type) args.push('TYPE', opt.type);
  if (opt.count) args.push('COUNT', String(opt.count));
  if (opt.noValues) args.push('NOVALUES');
  return args;
}

function cursorText(value) {
  return typeof value === 'string' ? value : platform.bytesToString(value);
}

/**
 * A scan stream's base where the host has no `stream.Readable`: `data` events with each batch,
 * then `end`; `pause()` and `resume()`; `for await (const batch of stream)`. It starts flowing
 * when a `data` listener is added, as a Readable does.
 */
export class ScanEmitter {
  constructor(opt) {
    initEmitter(this);
    this.opt = opt;
    this._redisCursor = '0';
    this._redisDrained = false;
    this._flowing = false;
    this._busy = false;
    this._ended = false;
    this.readable = true;
  }

  on(name, listener) {
    platform.EventEmitter.prototype.on.call(this, name, listener);
    if (name === 'data' && !this._flowing) this.resume();
    return this;
  }

  addListener(name, listener) {
    return this.on(name, listener);
  }

  pause() {
    this._flowing = false;
    return this;
  }

  resume() {
    this._flowing = true;
    platform.setImmediate(() => this._pump());
    return this;
  }

  isPaused() {
    return !this._flowing;
  }

  close() {
    this._redisDrained = true;
  }

  _pump() {
    if (!this._flowing || this._busy || this._ended) return;
    if (this._redisDrained) {
      this._ended = true;
      this.readable = false;
      this.emit('end');
      this.emit('close');
      return;
    }
    this._busy = true;
    this._next().then(
      (batch) => {
        this._busy = false;
        this.emit('data', batch);
        this._pump();
      },
      (err) => {
        this._busy = false;
        this._flowing = false;
        this.emit('error', err);
      },
    );
  }

  _next() {
    return this.opt.redis[this.opt.command](scanArgs(this.opt, this._redisCursor)).then((res) => {
      this._redisCursor = cursorText(res[0]);
      if (this._redisCursor === '0') this._redisDrained = true;
      return res[1];
    });
  }

  async *[Symbol.asyncIterator]() {
    while (!this._redisDrained) yield await this._next();
  }
}
// Its own `on` starts the flow: the emitter mixin must keep it.
ScanEmitter.keepOwn = ['on', 'addListener'];
emitterMixin(ScanEmitter);

/**
 * ioredis's `ScanStream`, exported as it exports it (`new ScanStream({ redis, command: 'scan',
 * objectMode: true, match })`, `instanceof ScanStream`). Its base is the host's: Node's
 * `Readable` where the platform has one, as in ioredis, else `ScanEmitter`. The Node entry
 * installs its platform after this module is loaded, so the class cannot name its base when it
 * is defined: it starts on `ScanEmitter` and takes the platform's `Readable` as its base when a
 * stream is first made (`super` looks up the base at each call), subclasses included.
 */
export class ScanStream extends ScanEmitter {
  constructor(opt) {
    adoptHostBase();
    super(opt);
    this.opt = opt;
    this._redisCursor = '0';
    this._redisDrained = false;
  }

  /** A Readable's request for more: the next batch, or the end once the cursor is back to 0. */
  _read() {
    if (this._redisDrained) {
      this.push(null);
      return;
    }
    this.opt.redis[this.opt.command](scanArgs(this.opt, this._redisCursor), (err, res) => {
      if (err) {
        this.emit('error', err);
        return;
      }
      this._redisCursor = cursorText(res[0]);
      if (this._redisCursor === '0') this._redisDrained = true;
      this.push(res[1]);
    });
  }

  /** Ends the stream after the batch in flight. */
  close() {
    this._redisDrained = true;
  }
}

/** Makes the platform's `Readable` (or `ScanEmitter`, where there is none) `ScanStream`'s base. */
function adoptHostBase() {
  const Base = platform.Readable || ScanEmitter;
  if (Object.getPrototypeOf(ScanStream) === Base) return;
  Object.setPrototypeOf(ScanStream, Base);
  Object.setPrototypeOf(ScanStream.prototype, Base.prototype);
}

/** A scan stream as the client's `scanStream()` and friends make it. */
export function createScanStream(opt) {
  return new ScanStream(opt);
}
