//! In-process Redis servers over the wasm `Engine`, and the virtual clock they share.
//!
//! The transport for Node (and for a page that holds the engine itself): clients with the same
//! host and port share one server (one `Engine`), another port is another server. What a
//! command makes other connections receive (pub/sub messages, a served blocking command's
//! reply, a connection closed by CLIENT KILL) reaches them as a socket's data would: in later
//! turns of the event loop, one connection a turn, in the order Redis writes it, and before any
//! later reply of the server. Virtual time follows the wall clock unless paused through
//! `clock`; a timer wakes the server at the next blocking timeout, and when a key expires that
//! a connection would hear of (a keyspace notification, a tracking invalidation), as Redis's
//! active expiry would delete it with nobody reading it (`Engine.nextWakeup`).

import { platform } from './platform.js';
import { createWire } from './wire.js';

/** Commands after which connections may have been closed (QUIT, CLIENT KILL). */
const MAY_CLOSE = new Set(['quit', 'client', 'shutdown']);

const servers = new Set();

/**
 * The virtual clock of every in-process server (one clock for all of them, like a machine's).
 * By default it follows the wall clock; `pause()` freezes it, `advance(ms)` and `set(ms)` move it
 * (expiring keys and timing out blocked commands as they pass), `resume()` lets it follow the
 * wall clock again from where it is. It never goes back.
 */
export const clock = {
  _paused: false,
  _pausedAt: 0,
  _offset: 0,

  /** Current virtual time, in Unix milliseconds. */
  now() {
    return this._paused ? this._pausedAt : Date.now() + this._offset;
  },

  isPaused() {
    return this._paused;
  },

  /** Stops the clock: time moves only with `advance` and `set`. */
  pause() {
    if (this._paused) return;
    this._pausedAt = this.now();
    this._paused = true;
    for (const server of servers) server.clearTimer();
  },

  /** Follows the wall clock again, from the current virtual time. */
  resume() {
    if (!this._paused) return;
    this._offset = this._pausedAt - Date.now();
    this._paused = false;
    update();
  },

  /** Moves virtual time forward by `ms` milliseconds. */
  advance(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new RangeError('clock.advance(ms) needs a finite number of milliseconds, not negative');
    }
    if (this._paused) this._pausedAt += ms;
    else this._offset += ms;
    update();
  },

  /** Sets virtual time (Unix milliseconds); it cannot go back. */
  set(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      throw new RangeError('clock.set(ms) needs a finite number of Unix milliseconds');
    }
    const now = this.now();
    if (ms < now) throw new RangeError('the virtual clock cannot go back');
    this.advance(ms - now);
  },
};

function update() {
  for (const server of servers) {
    server.syncTime();
    server.drain();
    server.scheduleDeadline();
  }
}

/** Unix milliseconds of the clock, as the engine takes them. */
function clockMillis() {
  return Math.floor(clock.now());
}

/** One connection of an in-process server. */
class LocalConnection {
  constructor(server, id, stringNumbers) {
    this.server = server;
    this.id = id;
    this.closed = false;
    this.listener = null;
    // Integers as their decimal text (ioredis's `stringNumbers`).
    this.stringNumbers = stringNumbers;
    // The replies handed to the client later (see `LocalServer#deferReplies`), or null.
    this.deferred = null;
  }

  setListener(listener) {
    this.listener = listener;
  }

  /** Runs a command; returns every reply the connection receives for it. */
  call(argv, buffers) {
    return this.server.call(this, argv, buffers);
  }

  /**
   * Hands over what the connection received, once `after` (replies it was still to be handed
   * when this was taken, see `LocalServer#deferReplies`: a blocking command's answer comes after
   * the news that it waits) has settled. Not after replies deferred since: they wait for this.
   */
  deliver(replies, after) {
    if (after !== null) {
      after.then(() => this.deliver(replies, null));
      return;
    }
    if (this.listener && !this.closed) this.listener.output(replies);
  }

  /** Closes the connection from the client side. */
  close() {
    if (this.closed) return;
    this.server.engine.disconnect(this.id);
    this.gone();
  }

  /** The connection is closed (by either side): tell the client in a later turn. */
  gone() {
    if (this.closed) return;
    this.closed = true;
    this.server.connections.delete(this.id);
    this.server.waiting.delete(this);
    this.server.scheduleDeadline();
    platform.setImmediate(() => {
      if (this.listener) this.listener.closed();
    });
  }
}

/** One in-process server: an Engine and its open connections. */
export class LocalServer {
  constructor(Engine, key, wire = createWire(Engine)) {
    this.key = key;
    this.engine = new Engine();
    // The fast calling convention when the Engine has it (see wire.js).
    this.wire = wire;
    this.connections = new Map();
    this.time = -Infinity;
    this.timer = null;
    // The virtual time `timer` wakes the server at, or null.
    this.timerAt = null;
    this.drainScheduled = false;
    // What the connections received, taken from the engine in the order Redis writes it, to
    // hand over one connection a turn (see `drain`): connection, replies, the connection's
    // deferred replies then (see `deliver`), connection, …
    this.outbound = [];
    // Outputs taken into `outbound` so far, and handed over so far (see `handedUpTo`).
    this.queued = 0;
    this.handed = 0;
    this.handing = false;
    // `[count, resolve]`: promises that settle once `handed` reaches `count`.
    this.handedWaiters = [];
    this.handNextBound = () => this.handNext();
    // Whether the code that sent the command which scheduled the drain still runs (no
    // microtask has run since).
    this.sameTurn = false;
    this.turnOverBound = () => {
      this.sameTurn = false;
    };
    this.checkClosed = false;
    // Connections whose last command got no reply: blocked ones, which another's command may
    // serve (see `call`).
    this.waiting = new Set();
    this.drainBound = () => this.drain();
    this.syncTime();
    servers.add(this);
  }

  /** A new connection; `options.stringNumbers`: integer replies as their exact decimal text. */
  open(options = {}) {
    this.syncTime();
    const id = this.engine.connect();
    const conn = new LocalConnection(this, id, options.stringNumbers === true);
    this.connections.set(id, conn);
    return conn;
  }

  /** Brings the engine's clock to the virtual time. */
  syncTime() {
    const t = clockMillis();
    if (t > this.time) {
      this.time = t;
      this.engine.setTime(t);
    }
  }

  call(conn, argv, buffers) {
    // The server closed it and the client has not heard yet: what it writes is lost.
    if (conn.closed) return [];
    // Output of commands sent in an earlier turn leaves before this one runs: a socket would
    // have delivered it before this command's reply. (Commands sent in one turn reach Redis
    // together, and it writes what they all sent after them.)
    if (this.drainScheduled && !this.sameTurn) this.collect();
    // `syncTime()`, inlined: this runs once per command.
    const t = Math.floor(clock._paused ? clock._pausedAt : Date.now() + clock._offset);
    if (t > this.time) {
      this.time = t;
      this.engine.setTime(t);
    }
    const replies = this.wire
      ? this.wire.call(this.engine, conn.id, argv, buffers, conn.stringNumbers)
      : this.engine.call(conn.id, argv, buffers);
    if (replies.length === 0) {
      this.waiting.add(conn);
      this.scheduleDeadline();
    } else if (this.waiting.size !== 0) {
      this.waiting.delete(conn);
      if (this.waiting.size !== 0) this.takeServed();
    }
    const name = argv[0];
    // Only QUIT, CLIENT and SHUTDOWN can close connections: test the length and first letter
    // first (4, 6 or 8 letters; q, c or s).
    const length = typeof name === 'string' ? name.length : 0;
    const first = length === 4 || length === 6 || length === 8 ? name.charCodeAt(0) | 0x20 : 0;
    if ((first === 0x71 || first === 0x63 || first === 0x73) && MAY_CLOSE.has(name.toLowerCase())) {
      if (!this.engine.isConnected(conn.id)) conn.gone();
      this.checkClosed = true;
      this.scheduleDrain();
    } else if (this.connections.size > 1) {
      if (this.engine.hasPendingOutput()) this.scheduleDrain();
      // Only another connection hears of what the clock does by itself (a subscriber of
      // expired events): the command may have brought the next wake-up sooner.
      if (!clock._paused && (this.engine.nextWakeup() ?? null) !== this.timerAt) this.scheduleDeadline();
    }
    const behind = this.handed !== this.queued;
    return behind || conn.deferred !== null
      ? this.deferReplies(conn, replies, behind ? this.handedUpTo(this.queued) : null)
      : replies;
  }

  /**
   * Takes what the blocked connections this command served received, to hand over before its
   * reply: Redis serves them after the command that fed them, so they head its list of clients
   * with pending writes (`pendingOutput`), and their sockets deliver first.
   */
  takeServed() {
    // One whose client has yet to learn that it waits (see `deliver`): the drain hands it over.
    this.collect((conn) => this.waiting.has(conn) && conn.deferred === null);
    this.startHanding(false);
  }

  /** What a connection received since it was last read. */
  takeOutput(conn) {
    return this.wire
      ? this.wire.takeOutput(this.engine, conn.id, true, conn.stringNumbers)
      : this.engine.takeOutput(conn.id, true);
  }

  /**
   * Replies handed to the client only in a later turn of the event loop: once `earlier` settles
   * (what other connections received before them, from earlier commands or served by this one,
   * is handed over: a socket's reply would come after theirs), else in the next turn; later
   * replies of the same connection follow them in order.
   */
  deferReplies(conn, replies, earlier) {
    const before =
      conn.deferred !== null && earlier !== null
        ? Promise.all([conn.deferred, earlier])
        : (conn.deferred ?? earlier ?? new Promise((resolve) => platform.setImmediate(resolve)));
    const later = before.then(() => {
      if (conn.deferred === later) conn.deferred = null;
      return replies;
    });
    conn.deferred = later;
    return later;
  }

  scheduleDrain() {
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      this.sameTurn = true;
      queueMicrotask(this.turnOverBound);
      platform.setImmediate(this.drainBound);
    }
  }

  /**
   * Hands the connections what they received since they were last read, as sockets would: in
   * a later turn than the command that sent it (whose client goes on first, as the publisher of
   * a message does against Redis), in the order Redis writes to them (the last subscriber a
   * `PUBLISH` reached first), each in a turn of its own (what a subscriber's handler awaits goes
   * on before the next one hears).
   */
  drain() {
    this.drainScheduled = false;
    this.collect();
    this.startHanding(true);
    if (this.timer !== null) this.scheduleDeadline();
  }

  /**
   * Takes what the connections (those `accept` takes, all by default) received into
   * `outbound`, in the order Redis writes it.
   */
  collect(accept = null) {
    if (accept === null && this.checkClosed) {
      this.checkClosed = false;
      for (const conn of [...this.connections.values()]) {
        if (!conn.closed && !this.engine.isConnected(conn.id)) conn.gone();
      }
    }
    for (const id of this.engine.pendingOutput()) {
      const conn = this.connections.get(id);
      if (conn === undefined || conn.closed || (accept !== null && !accept(conn))) continue;
      const output = this.takeOutput(conn);
      if (output.length === 0) continue;
      this.waiting.delete(conn);
      this.enqueue(conn, output);
    }
  }

  /** Queues what `conn` received, to hand over after what is queued already. */
  enqueue(conn, output) {
    this.outbound.push(conn, output, conn.deferred);
    this.queued++;
  }

  /** Begins handing `outbound` over, one connection a turn: from now, or from the next turn. */
  startHanding(now) {
    if (this.handing || this.outbound.length === 0) return;
    this.handing = true;
    if (now) this.handNext();
    else platform.setImmediate(this.handNextBound);
  }

  /** Hands the first queued output over and the next in the next turn. */
  handNext() {
    if (this.outbound.length === 0) {
      this.handing = false;
      return;
    }
    const conn = this.outbound.shift();
    const output = this.outbound.shift();
    const after = this.outbound.shift();
    platform.setImmediate(this.handNextBound);
    try {
      conn.deliver(output, after);
    } finally {
      this.handed++;
      while (this.handedWaiters.length !== 0 && this.handedWaiters[0][0] <= this.handed) {
        this.handedWaiters.shift()[1]();
      }
    }
  }

  /** Settles once the first `count` outputs queued in `outbound` are handed over. */
  handedUpTo(count) {
    return new Promise((resolve) => this.handedWaiters.push([count, resolve]));
  }

  /** Closes every connection and frees the engine: the server is gone (see `release`). */
  destroy() {
    for (const conn of [...this.connections.values()]) conn.gone();
    this.outbound = [];
    for (const [, resolve] of this.handedWaiters.splice(0)) resolve();
    this.clearTimer();
    servers.delete(this);
    this.engine.free();
    this.engine = null;
  }

  clearTimer() {
    if (this.timer !== null) {
      platform.clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = null;
    }
  }

  /**
   * Wakes the server when the clock must move although no command comes (wall-clock mode
   * only): a blocked command times out, a key expires that a connection would hear of.
   */
  scheduleDeadline() {
    this.clearTimer();
    if (clock.isPaused()) return;
    const deadline = this.engine.nextWakeup();
    if (deadline === null || deadline === undefined) return;
    const delay = Math.max(0, deadline - clock.now());
    this.timerAt = deadline;
    this.timer = platform.setTimeout(() => {
      this.timer = null;
      this.timerAt = null;
      this.syncTime();
      this.drain();
      this.scheduleDeadline();
    }, delay);
    // A blocked command's timeout keeps Node running, as the awaited reply does against Redis;
    // a wake-up for an expiry alone does not (open clients never keep Node alive here).
    if (deadline !== (this.engine.nextDeadline() ?? null) && typeof this.timer?.unref === 'function') {
      this.timer.unref();
    }
  }
}

function serverKey(options) {
  if (options.path) return `unix:${options.path}`;
  let host = String(options.host || 'localhost').toLowerCase();
  if (host === '127.0.0.1' || host === '::1' || host === '0.0.0.0' || host === '') host = 'localhost';
  return `${host}:${Number(options.port) || 6379}`;
}

/**
 * The transport for in-process servers over an `Engine` class: `server(options)` gives the
 * server for a host and port (created on first use).
 */
export function createLocalTransport(Engine) {
  const byKey = new Map();
  const wire = createWire(Engine);
  return {
    server(options) {
      const key = serverKey(options);
      let server = byKey.get(key);
      if (!server) {
        server = new LocalServer(Engine, key, wire);
        byKey.set(key, server);
      }
      return server;
    },
    servers: byKey,
    /** Drops the server of a host and port and frees its memory (benchmarks and long test runs). */
    release(options) {
      const key = serverKey(options);
      const server = byKey.get(key);
      if (!server) return false;
      byKey.delete(key);
      server.destroy();
      return true;
    },
  };
}
