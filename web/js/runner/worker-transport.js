//! The client's transport inside the script worker: every connection lives on the page's engine,
//! reached by `postMessage`.
//!
//! `HostLink` batches what the worker asks of the page: everything asked in the same synchronous
//! run of code (up to the microtask that flushes it) goes as one batch message; a console line
//! goes at once, with what was queued before it (`sendNow`). An op is an
//! array: `['open', conn, stringNumbers]`, `['close', conn]`, `['call', conn, argv, buffers]`, `['sleep', ms]`,
//! `['db', name, ms]`, `['crash']`, `['log', stream, text]`. The page runs the ops in order and,
//! when one of them awaits an answer, answers the batch with `results` (`results[i]` answers op
//! i: a call's replies, `[start, end]` virtual times of a sleep or a database call), `outputs`
//! (`[[conn, replies], …]`: what connections received meanwhile: messages, served blocking
//! replies, monitor lines) and `closed` (the connections the server closed). Later output comes
//! as `{t: 'out', outputs, closed, clock}`. Answers settle synchronously, in op order; the
//! outputs are handed over after them, in later turns, one connection a turn, as sockets' data
//! would reach a Node client (and all of them before a later answer settles).
//!
//! One message goes each way per awaited command, so both are flat arrays, which the structured
//! clone copies fastest (`encodeBatch`/`decodeBatch`, `ANSWER_HEAD`): a batch is
//! `[id, reply, …ops]`, each op its name, its field count and its fields (a call's argv spread
//! after `conn, buffers`); an answer is `[id, outputs, closed, clock, …results]`. `clock` is the
//! page clock (`[now, paused, speed]`, which the worker's `Date` follows) when it was moved,
//! paused or sped up since the last message (else `null`: the worker keeps extrapolating it).

/** A promise-like answer settled synchronously (no microtask per call), awaitable all the same. */
class Answer {
  constructor() {
    this.done = false;
    this.value = undefined;
    this.callbacks = null;
  }

  then(onValue, onError) {
    if (this.done) {
      if (typeof onValue === 'function') onValue(this.value);
      return undefined;
    }
    if (this.callbacks === null) this.callbacks = [];
    this.callbacks.push(onValue, onError);
    return undefined;
  }

  settle(value) {
    this.done = true;
    this.value = value;
    const callbacks = this.callbacks;
    if (callbacks === null) return;
    this.callbacks = null;
    for (let i = 0; i < callbacks.length; i += 2) {
      if (typeof callbacks[i] === 'function') callbacks[i](value);
    }
  }
}

/** What the worker asks of the page, batched per tick, and the answers matched back. */
export class HostLink {
  /** @param {(message: object) => void} post sends a message to the page */
  constructor(post) {
    this.post = post;
    this.ops = [];
    this.answers = [];
    this.awaited = false;
    this.scheduled = false;
    this.nextBatch = 1;
    /** Batches that carried Redis commands: the script's round trips to the server. */
    this.roundTrips = 0;
    this.pending = new Map();
    this.onOutput = null;
    // Called before an answer settles: output still to hand over goes first.
    this.beforeAnswers = null;
    this.onClock = null;
    this.flush = this.flush.bind(this);
  }

  /** Queues an op; with `answer`, the page's result settles it. */
  send(op, answer = null) {
    this.ops.push(op);
    this.answers.push(answer);
    if (answer !== null) this.awaited = true;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /**
   * Sends an op at once, with whatever was queued before it, instead of at the end of the tick:
   * a console line must reach the page even if the code then never yields (an endless loop
   * would keep the batch in the worker, and the page terminates the worker with it).
   */
  sendNow(op) {
    this.ops.push(op);
    this.answers.push(null);
    this.flush();
  }

  /** Queues an op and returns its answer (an awaitable). */
  ask(op) {
    const answer = new Answer();
    this.send(op, answer);
    return answer;
  }

  /** Batches awaiting their results. */
  get inFlight() {
    return this.pending.size;
  }

  flush() {
    this.scheduled = false;
    if (this.ops.length === 0) return;
    const id = this.nextBatch++;
    const message = encodeBatch(id, this.awaited, this.ops);
    for (let i = 0; i < this.ops.length; i++) {
      if (this.ops[i][0] === 'call') {
        this.roundTrips++;
        break;
      }
    }
    if (this.awaited) this.pending.set(id, this.answers);
    this.ops = [];
    this.answers = [];
    this.awaited = false;
    this.post(message);
  }

  /** Handles a message from the page; returns whether it was the link's. */
  receive(message) {
    if (Array.isArray(message)) {
      const clock = message[3];
      if (clock !== null && this.onClock) this.onClock(clock[0], clock[1], clock[2]);
      const answers = this.pending.get(message[0]);
      this.pending.delete(message[0]);
      if (this.beforeAnswers) this.beforeAnswers();
      if (answers) {
        for (let i = 0; i < answers.length; i++) {
          if (answers[i] !== null) answers[i].settle(message[ANSWER_HEAD + i]);
        }
      }
      if (this.onOutput) this.onOutput(message[1], message[2]);
      return true;
    }
    if (message.t === 'out') {
      const { clock } = message;
      if (clock && this.onClock) this.onClock(clock[0], clock[1], clock[2]);
      if (this.onOutput) this.onOutput(message.outputs, message.closed);
      return true;
    }
    return false;
  }
}

/** Where an answer's results start: `[id, outputs, closed, clock, …results]`. */
export const ANSWER_HEAD = 4;

/** A batch message: `[id, reply, …ops]`, each op `name, fieldCount, …fields`, argv spread. */
export function encodeBatch(id, reply, ops) {
  const message = [id, reply];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op[0] === 'call') {
      const argv = op[2];
      message.push('call', argv.length + 2, op[1], op[3]);
      for (let k = 0; k < argv.length; k++) message.push(argv[k]);
    } else {
      message.push(op[0], op.length - 1);
      for (let k = 1; k < op.length; k++) message.push(op[k]);
    }
  }
  return message;
}

/**
 * A batch message read back: `{id, reply, ops}`, its ops as the worker queued them, or null when
 * `message` is not a batch.
 */
export function decodeBatch(message) {
  if (!Array.isArray(message) || message.length < 2) return null;
  const ops = [];
  let i = 2;
  while (i + 1 < message.length) {
    const name = message[i];
    const count = message[i + 1];
    if (!Number.isInteger(count) || count < 0) break;
    const start = i + 2;
    i = start + count;
    if (name === 'call') ops.push(['call', message[start], message.slice(start + 2, i), message[start + 1]]);
    else ops.push([name, ...message.slice(start, i)]);
  }
  return { id: message[0], reply: message[1], ops };
}

/** One connection on the page's engine. */
class WorkerConnection {
  constructor(transport, id) {
    this.transport = transport;
    this.id = id;
    this.closed = false;
    this.listener = null;
  }

  setListener(listener) {
    this.listener = listener;
  }

  /** Sends a command; answers (an awaitable) every reply the connection receives for it. */
  call(argv, buffers) {
    if (this.closed) return [];
    return this.transport.link.ask(['call', this.id, argv, buffers]);
  }

  deliver(replies) {
    if (this.listener && !this.closed) this.listener.output(replies);
  }

  /** Closes the connection from the client side. */
  close() {
    if (this.closed) return;
    this.transport.link.send(['close', this.id]);
    this.gone();
  }

  /** The connection is closed (by either side): tell the client in a later turn. */
  gone() {
    if (this.closed) return;
    this.closed = true;
    this.transport.connections.delete(this.id);
    this.transport.setImmediate(() => {
      if (this.listener) this.listener.closed();
    });
  }
}

/**
 * The transport for the client in a worker: every host and port name the page's one engine, so
 * `server()` always gives the same server, whose `open()` gives a connection at once (the page
 * opens it on the engine when the batch arrives, before any of its commands).
 */
export function createWorkerTransport(link, { setImmediate = (fn) => setTimeout(fn, 0) } = {}) {
  const transport = {
    link,
    setImmediate,
    connections: new Map(),
    nextId: 1,
    server() {
      return server;
    },
    /** Connections still open. */
    get openCount() {
      return transport.connections.size;
    },
    /** Whether output received from the page is still being handed to connections. */
    get delivering() {
      return handing || outbound.length !== 0;
    },
  };
  const server = {
    /**
     * `options.stringNumbers`: the page answers this connection's integers as their exact
     * decimal text (ioredis's `stringNumbers`), exact past 2^53 too, as in Node.
     */
    open(options = {}) {
      const conn = new WorkerConnection(transport, transport.nextId++);
      transport.connections.set(conn.id, conn);
      link.send(['open', conn.id, options.stringNumbers === true]);
      return conn;
    },
  };
  // What the connections received, handed over as sockets deliver it in Node: after the turn
  // that settled the batch's answers (a publisher goes on before its subscribers hear), one
  // connection a turn (what a subscriber's handler awaits goes on before the next one hears), in
  // the order the page sends it (Redis's write order); and all of it before a later answer.
  // Connection, replies (null: the server closed it), connection, …
  const outbound = [];
  let handing = false;
  const handOne = () => {
    const conn = outbound.shift();
    const replies = outbound.shift();
    if (replies === null) conn.gone();
    else conn.deliver(replies);
  };
  const handNext = () => {
    if (outbound.length === 0) {
      handing = false;
      return;
    }
    setImmediate(handNext);
    handOne();
  };
  link.onOutput = (outputs, closed) => {
    if (outputs) {
      for (let i = 0; i < outputs.length; i++) {
        const conn = transport.connections.get(outputs[i][0]);
        if (conn) outbound.push(conn, outputs[i][1]);
      }
    }
    if (closed) {
      for (let i = 0; i < closed.length; i++) {
        const conn = transport.connections.get(closed[i]);
        if (conn) outbound.push(conn, null);
      }
    }
    if (!handing && outbound.length !== 0) {
      handing = true;
      setImmediate(handNext);
    }
  };
  link.beforeAnswers = () => {
    while (outbound.length !== 0) handOne();
  };
  return transport;
}
