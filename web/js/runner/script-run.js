//! The runs of learner scripts (loaded by `host.js` on the first `runScript`).
//!
//! Each run gets a fresh Web Worker (`worker.js`, kept warm: the next one loads while the page
//! waits), which runs the learner's code. The page answers the worker's batches (see
//! `worker-transport.js`): it runs their commands on the engine, moves the page's clock for
//! `sleep` and `db` calls, records output and events, and forwards what the worker's connections
//! receive later (messages, served blocking commands, timeouts on the virtual clock), polled by
//! the `EngineHost` every 50 ms and at the engine's next blocking deadline. A run that lasts
//! longer than its limit (5 s of wall time by default), or that is stopped, is ended by
//! terminating its worker: the engine, in the page, keeps its data; the run's connections are
//! closed as a process's are when it exits.

import { ANSWER_HEAD, decodeBatch } from './worker-transport.js';
import { createWire } from '../client/wire.js';
import { KeepAwake } from './keep-awake.js';
import { stoppedChecks } from './checks.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_DB_LATENCY_MS = 50;
const WORKER_START_TIMEOUT_MS = 15000;
/** Output kept in a run's result (the callbacks see every line the worker sends). */
const MAX_KEPT_OUTPUT = 10_000;

/**
 * Wall milliseconds between two hand-overs of lines to `onOutput` while lines pour in (see
 * `print`): the editor redraws its output after each, so a run printing thousands of lines pays
 * for ten redraws a second rather than one a frame (5,000 lines printed in a loop showed about
 * 50 ms sooner).
 */
const OUTPUT_INTERVAL_MS = 100;

/** Engine events a grader reads at once. */
const MAX_EVENTS_READ = 10_000;

/**
 * Wall milliseconds after which the page clock goes to the worker again even if it only followed
 * the wall clock (the worker extrapolates it in between).
 */
const CLOCK_RESEND_MS = 50;

/** How the engine's refusal of a command whose code is not loaded yet begins (see `batch`). */
const REFUSAL = 'ERR the code of this command (';

/**
 * Wall milliseconds past a check's own limit after which the page stops the worker: the worker
 * fails a check that runs out of time itself, unless a learner's function holds it (a
 * synchronous endless loop), which only the page can end.
 */
const CHECK_GRACE_MS = 1000;

/** Commands after which the server may have closed connections. */
const MAY_CLOSE = new Set(['quit', 'client', 'shutdown']);

/** Starts a script worker; resolves once it has posted `ready`. */
function spawnWorker() {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = new Worker(WORKER_URL, { type: 'module', name: 'redis-playground-script' });
    } catch (err) {
      reject(err);
      return;
    }
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new Error('the script worker did not start'));
    }, WORKER_START_TIMEOUT_MS);
    worker.onmessage = (event) => {
      if (event.data && event.data.t === 'ready') {
        clearTimeout(timer);
        worker.onmessage = null;
        worker.onerror = null;
        resolve(worker);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`the script worker could not start: ${event.message || 'load error'}`));
    };
  });
}

/**
 * What a client blocked in these commands waits for, and a command another client (the console)
 * serves it with, `{key}` standing for the key it waits on.
 */
const SERVED_BY = {
  blpop: ['an element', 'RPUSH {key} hello'],
  brpop: ['an element', 'RPUSH {key} hello'],
  brpoplpush: ['an element', 'RPUSH {key} hello'],
  blmove: ['an element', 'RPUSH {key} hello'],
  blmpop: ['an element', 'RPUSH {key} hello'],
  bzpopmin: ['a member', 'ZADD {key} 1 hello'],
  bzpopmax: ['a member', 'ZADD {key} 1 hello'],
  bzmpop: ['a member', 'ZADD {key} 1 hello'],
  xread: ['an entry', 'XADD {key} * field value'],
  xreadgroup: ['an entry', 'XADD {key} * field value'],
};

/** The first key a blocking command waits on (`words`: the command as sent), or null. */
function blockedKey(words) {
  const name = words[0].toLowerCase();
  if (name === 'blmpop' || name === 'bzmpop') return words[3] ?? null;
  if (name === 'xread' || name === 'xreadgroup') {
    const at = words.findIndex((w) => w.toUpperCase() === 'STREAMS');
    return at >= 0 ? (words[at + 1] ?? null) : null;
  }
  return words[1] ?? null;
}

/** A command as a learner types it in the console (a word with spaces in quotes). */
function commandText(words) {
  const text = words.map((w) => (w === '' || /[\s"]/.test(w) ? JSON.stringify(w) : w)).join(' ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/**
 * What `onWaiting` is told with `true`: `{reason, text}` (and `command`, the blocked command's
 * words), `text` a status line saying what the script waits for and what serves it.
 */
function waitingInfo(why) {
  const reason = why && typeof why.reason === 'string' ? why.reason : 'messages';
  if (reason === 'blocked' && Array.isArray(why.command) && why.command.length > 0) {
    const command = why.command.map(String);
    const name = command[0].toLowerCase();
    const served = SERVED_BY[name];
    const key = blockedKey(command);
    let until = 'until the server answers it';
    if (served && key !== null) {
      until = `until ${served[0]} arrives (try ${served[1].replace('{key}', commandText([key]))} in the console)`;
    } else if (name === 'wait' || name === 'waitaof') {
      until = '(no replica here acknowledges writes: only its timeout ends it)';
    }
    const text = `Waiting: the script is blocked in ${commandText(command)} ${until}. Stop ends it.`;
    return { reason, command, text };
  }
  if (reason === 'timer') {
    return { reason, text: 'Waiting: the script waits for a timer (setTimeout, setInterval). Stop ends it.' };
  }
  const text = 'Listening: the script waits for messages (try PUBLISH in the console). Stop ends it.';
  return { reason: 'messages', text };
}

function errorText(error) {
  const where = error.line ? ` (line ${error.line})` : '';
  const head = error.name ? `Uncaught ${error.name}: ${error.message}` : error.message;
  const note = typeof error.note === 'string' ? ` (${error.note})` : '';
  return `${head}${where}${note}`;
}

/** The page stays awake a moment after each message to a worker (see keep-awake.js). */
const keepAwake = new KeepAwake({ channelFallback: true });

/** The wire over the page engine's module (null if it has none), made once. */
let pageWire;
function wireOf(engine) {
  if (pageWire === undefined) pageWire = createWire(engine.constructor);
  return pageWire;
}

/** One run of a script: its worker, its connections on the engine, its output and events. */
class ScriptRun {
  constructor(host, options) {
    this.host = host;
    this.worker = null;
    this.onOutput = typeof options.onOutput === 'function' ? options.onOutput : null;
    this.onEvent = typeof options.onEvent === 'function' ? options.onEvent : null;
    this.onWaiting = typeof options.onWaiting === 'function' ? options.onWaiting : null;
    this.timeoutMs = Number.isFinite(options.timeoutMs) && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_TIMEOUT_MS;
    this.dbLatencyMs =
      Number.isFinite(options.dbLatencyMs) && options.dbLatencyMs >= 0 ? options.dbLatencyMs : DEFAULT_DB_LATENCY_MS;
    this.conns = new Map(); // the worker's connection id → the engine's client id
    // The worker's connections whose integers go as their exact decimal text (`stringNumbers`).
    this.numbersAsText = new Set();
    // The worker's connections whose last command got no reply: blocked ones, which another
    // connection's command may serve (see `takeServed`).
    this.waitingConns = new Set();
    this.output = [];
    // Lines not handed to `onOutput` yet, and when it last had some (see `print`).
    this.unshown = [];
    this.shownAt = -Infinity;
    this.showTimer = null;
    this.events = [];
    this.dbCalls = 0;
    this.checks = typeof options.checks === 'string' ? options.checks : null;
    // A client still subscribed (or monitoring) when the code is over keeps the run going.
    this.keepListening = options.keepListening === true;
    this.checkResults = null;
    // While the checks run (see checks.js): the list of them, the results so far, the one
    // running and when it started, and the learner's function calls pending (id → name).
    this.checkPlan = null;
    this.checkLimitMs = 0;
    this.checksSoFar = [];
    this.checkRunning = -1;
    this.checkStartedAt = 0;
    this.checkCalls = new Map();
    // Virtual ms this run's `sleep` and `db` calls moved the page clock: in all, and while the
    // checks ran.
    this.clockAdvanced = 0;
    this.checksClockAdvanced = 0;
    this.ended = false;
    this.inBatch = false;
    this.fetching = null; // messages waiting while command code is fetched
    this.wire = wireOf(host.engine);
    this.timer = null;
    // Messages posted to the worker (see `wake`).
    this.sent = 0;
    this.startedAt = 0;
    this.virtualStart = 0;
    /** The clock's change count and the wall time when the worker was last sent the clock. */
    this.clockSent = -1;
    this.clockSentAt = 0;
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  start(worker, code) {
    this.worker = worker;
    this.host.runs.add(this);
    this.host.sync();
    this.virtualStart = this.host.clock.now();
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.end('error', { name: 'Error', message: event.message || 'the script worker failed', line: null, column: null });
    };
    this.startedAt = performance.now();
    this.armTimeLimit();
    const [now, paused, speed] = this.clockUpdate(true);
    this.sent = 1;
    worker.postMessage({
      t: 'run',
      code,
      dbLatencyMs: this.dbLatencyMs,
      checks: this.checks,
      listen: this.keepListening,
      now,
      paused,
      speed,
    });
  }

  /**
   * The time limit for endless loops: `timeoutMs` of wall time in which the script is busy. It
   * pauses while the worker waits, idle, for what its subscribers or monitors receive, for a
   * blocking command or for a timer (it says so: `{t: 'idle', why}`), and starts afresh when the
   * page next hands it something, or when the worker says it is busy again (`{t: 'busy'}`: a
   * timer fired).
   */
  armTimeLimit() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.end('timeout'), this.timeoutMs);
  }

  /** Posts a message to the worker; a worker waiting idle is busy again. */
  wake(message) {
    this.busyAgain();
    this.sent += 1;
    this.worker.postMessage(message);
    keepAwake.extend();
  }

  /** A worker that was waiting idle has work again: the time limit counts from now. */
  busyAgain() {
    if (this.timer !== null || this.ended) return;
    this.armTimeLimit();
    this.waiting(false);
  }

  /**
   * Tells `onWaiting` whether the script now waits, idle (`info`: what for, see `waitingInfo`),
   * or is busy again.
   */
  waiting(idle, info) {
    if (!this.onWaiting) return;
    // The lines printed before it waited come before the news.
    if (this.onOutput) this.show();
    try {
      if (idle) this.onWaiting(true, info);
      else this.onWaiting(false);
    } catch (err) {
      console.error('runScript onWaiting failed:', err);
    }
  }

  receive(message) {
    if (this.ended || !message) return;
    if (message.t === 'idle') {
      // Only if the worker had read everything sent to it: else it is busy with the rest.
      if (message.seen === this.sent && this.timer !== null) {
        clearTimeout(this.timer);
        this.timer = null;
        this.waiting(true, waitingInfo(message.why));
      }
      return;
    }
    this.busyAgain();
    if (message.t === 'busy') return;
    if (typeof message.t === 'string' && message.t.startsWith('check-')) {
      this.checkNews(message);
      return;
    }
    // While the code of a batch's commands is fetched, later messages wait in order.
    if (this.fetching) {
      this.fetching.push(message);
      return;
    }
    if (Array.isArray(message)) {
      // A line printed, alone (the worker sends each at once): `[id, false, 'log', 2, stream, text]`.
      if (message.length === 6 && message[2] === 'log' && message[1] === false) {
        this.print(message[4], message[5]);
        return;
      }
      const batch = decodeBatch(message);
      if (batch) this.batch(batch);
    } else if (message.t === 'checks') this.checkResults = Array.isArray(message.results) ? message.results : [];
    else if (message.t === 'done') this.end(message.error ? 'error' : 'ok', message.error);
  }

  /**
   * What the checks are doing (see checks.js): kept so that a worker stopped in the middle of a
   * check still gives results naming it. Each check has its own time limit here: the worker's
   * own (`limitMs`), which it enforces unless a learner's function holds it, and a grace.
   */
  checkNews(message) {
    switch (message.t) {
      case 'check-plan':
        this.checkPlan = Array.isArray(message.checks) ? message.checks : [];
        this.checkLimitMs = Number(message.limitMs) || 0;
        break;
      case 'check-start':
        this.checkRunning = message.index;
        this.checkStartedAt = performance.now();
        this.checkCalls.clear();
        if (this.checkLimitMs > 0) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.end('timeout'), this.checkLimitMs + CHECK_GRACE_MS);
        }
        break;
      case 'check-call':
        if (message.ended) this.checkCalls.delete(message.id);
        else this.checkCalls.set(message.id, String(message.name));
        break;
      case 'check-result':
        this.checksSoFar[message.index] = message.result;
        if (message.index === this.checkRunning) this.checkRunning = -1;
        break;
      default:
        break;
    }
  }

  /**
   * Runs a batch of the worker's ops in order (from `state.next` when it resumes), then answers
   * it with results and output.
   *
   * The page build loads rarely used engine code on first use (`Engine.loadFamily`): the engine
   * refuses a command whose family is not loaded yet without running it. The batch then stops at
   * that op, the family is fetched while later messages wait in order, and the batch resumes
   * with the same op. A family that cannot be fetched leaves its command the engine's refusal.
   */
  batch(batch, state = null) {
    const { engine, clock } = this.host;
    const { id, ops, reply } = batch;
    if (state === null) {
      // The answer: `[id, outputs, closed, clock, …results]` (see worker-transport.js).
      state = { next: 0, start: this.host.sync(), mayClose: false, blocked: false, suspended: false, fetched: null, served: null, waitedHere: null };
      state.until = state.start;
      state.results = reply ? new Array(ANSWER_HEAD + ops.length).fill(null) : null;
    }
    const { start, results } = state;
    for (let i = state.next; i < ops.length; i++) {
      const op = ops[i];
      switch (op[0]) {
        case 'call': {
          const client = this.conns.get(op[1]);
          // The server closed it and the worker has not heard yet: what it writes is lost.
          const replies = client === undefined ? [] : this.call(client, op[2], op[3], this.numbersAsText.has(op[1]));
          if (replies.length === 1 && replies[0] instanceof Error) {
            const family = this.refusedFor(replies[0], state);
            if (family !== null) {
              state.next = i;
              this.suspend(batch, state, [family]);
              return;
            }
          }
          if (results) results[ANSWER_HEAD + i] = replies;
          if (replies.length === 0) {
            state.blocked = true;
            this.waitingConns.add(op[1]);
            // Its client learns that it waits from this batch's answer: what serves it in this
            // batch follows the answer (see `takeServed`).
            (state.waitedHere ??= new Set()).add(op[1]);
          } else if (this.waitingConns.size !== 0) {
            this.waitingConns.delete(op[1]);
            if (this.waitingConns.size !== 0) this.takeServed(state);
          }
          const name = op[2][0];
          if (typeof name === 'string' && name.length <= 8 && MAY_CLOSE.has(name.toLowerCase())) state.mayClose = true;
          break;
        }
        case 'open':
          this.conns.set(op[1], engine.connect());
          if (op[2] === true) this.numbersAsText.add(op[1]);
          break;
        case 'close': {
          const client = this.conns.get(op[1]);
          if (client !== undefined) {
            this.conns.delete(op[1]);
            this.numbersAsText.delete(op[1]);
            this.waitingConns.delete(op[1]);
            engine.disconnect(client);
          }
          break;
        }
        case 'sleep':
        case 'db': {
          // Waits asked for in the same batch overlap: each ends `ms` after the batch's time.
          const ms = op[0] === 'sleep' ? op[1] : op[2];
          const end = start + ms;
          if (end > state.until) state.until = end;
          if (results) results[ANSWER_HEAD + i] = [start, end];
          if (op[0] === 'db') {
            this.dbCalls += 1;
            this.event({ kind: 'db', name: op[1], start, end });
          } else {
            this.event({ kind: 'sleep', start, end });
          }
          break;
        }
        case 'log':
          this.print(op[1], op[2]);
          break;
        case 'crash': {
          // A simulated power cut and restart (the script's `crash()`): every connection is
          // closed, this run's are reported below, the others' by the host's next poll. The
          // restart replays the append-only file, so it needs the code of every family.
          let restart;
          try {
            restart = engine.crashRestart();
          } catch (err) {
            // Refused for want of code: every family not loaded yet is fetched at once.
            const Engine = engine.constructor;
            if (typeof Engine.takeMissingFamily !== 'function' || Engine.takeMissingFamily() === undefined) throw err;
            const families = Engine.unloadedFamilies().filter((family) => !state.fetched?.has(family));
            if (families.length === 0) throw err;
            state.next = i;
            this.suspend(batch, state, families);
            return;
          }
          if (results) results[ANSWER_HEAD + i] = { source: restart.source, keys: restart.keys, commandsReplayed: restart.commandsReplayed };
          state.mayClose = true;
          break;
        }
        case 'seq':
          // A grader's mark in the engine's event log (see checks.js).
          if (results) results[ANSWER_HEAD + i] = engine.lastEventSeq();
          break;
        case 'events':
          if (results) results[ANSWER_HEAD + i] = engine.eventsAfter(op[1], MAX_EVENTS_READ);
          break;
        default:
          break;
      }
    }
    const { until, mayClose, blocked } = state;
    const moved = until > start;
    if (moved) {
      // The clock's listeners sync the engine and poll the other runs; this one's output must
      // follow this batch's answer (a message after the SUBSCRIBE reply it follows), so it is
      // collected below instead. A batch that waited for code may find the clock moved on.
      this.inBatch = true;
      try {
        const by = Math.max(0, until - (state.suspended ? this.host.sync() : start));
        this.clockAdvanced += by;
        if (this.checkPlan !== null) this.checksClockAdvanced += by;
        clock.advance(by);
      } finally {
        this.inBatch = false;
      }
    }
    const drain = this.conns.size > 1 || moved;
    const outputs = drain ? this.collect() : null;
    const closed = mayClose ? this.closedConnections() : null;
    // What the batch's commands served reaches the worker first, in a message of its own: the
    // served connections see their replies a turn before this batch's answers, as sockets would
    // (see `takeServed`).
    if (state.served) this.wake({ t: 'out', outputs: state.served, closed: null, clock: this.clockUpdate() });
    if (reply) {
      results[0] = id;
      results[1] = outputs;
      results[2] = closed;
      results[3] = this.clockUpdate();
      this.wake(results);
    } else if ((outputs && outputs.length) || (closed && closed.length)) {
      this.wake({ t: 'out', outputs, closed, clock: this.clockUpdate() });
    }
    if (blocked || moved) this.host.scheduleDeadline();
  }

  /**
   * A command's replies, through the wire convention when the engine has it (see wire.js); with
   * `numbersAsText`, integers as their exact decimal text (without the wire the client turns
   * the numbers into text itself, exact up to 2^53).
   */
  call(client, argv, buffers, numbersAsText = false) {
    const { engine } = this.host;
    return this.wire
      ? this.wire.call(engine, client, argv, buffers, numbersAsText)
      : engine.call(client, argv, buffers);
  }

  /**
   * The family a command was refused for (see `batch`), or null: an error like any other. The
   * engine names it (`takeMissingFamily`, noted by the refusal itself); only a family not loaded
   * yet and not fetched for this batch already counts (no script can fake the refusal: scripts
   * run only once every family is in).
   */
  refusedFor(error, state) {
    const Engine = this.host.engine.constructor;
    if (typeof Engine.takeMissingFamily !== 'function' || !String(error.message).startsWith(REFUSAL)) return null;
    const family = Engine.takeMissingFamily();
    if (family === undefined || state.fetched?.has(family) || !Engine.unloadedFamilies().includes(family)) return null;
    return family;
  }

  /** Stops a batch at `state.next` while these families' code is fetched; later messages wait. */
  suspend(batch, state, families) {
    const waiting = [];
    this.fetching = waiting;
    state.suspended = true;
    state.fetched ??= new Set();
    for (const family of families) state.fetched.add(family);
    const Engine = this.host.engine.constructor;
    Promise.allSettled(families.map((family) => Engine.loadFamily(family))).then(() => {
      this.fetching = null;
      if (this.ended) return;
      this.batch(batch, state);
      for (const message of waiting) this.receive(message);
    });
  }

  /**
   * What the run's connections (those `accept` takes, all by default) received since they were
   * last read, in the order Redis writes it (`pendingOutput`: the last subscriber a message
   * reached first, the blocked client a command served last first).
   */
  collect(accept = null) {
    const outputs = [];
    const order = this.host.engine.pendingOutput();
    if (order.length === 0) return outputs;
    const locals = new Map();
    for (const [local, client] of this.conns) locals.set(client, local);
    for (const client of order) {
      const local = locals.get(client);
      if (local === undefined || (accept !== null && !accept(local))) continue;
      const replies = this.received(local);
      if (replies.length) {
        this.waitingConns.delete(local);
        outputs.push([local, replies]);
      }
    }
    return outputs;
  }

  /** What connection `local` received since it was last read. */
  received(local) {
    const { engine } = this.host;
    const client = this.conns.get(local);
    if (client === undefined) return [];
    return this.wire
      ? this.wire.takeOutput(engine, client, true, this.numbersAsText.has(local))
      : engine.takeOutput(client, true);
  }

  /**
   * After a command: takes what the blocked connections it served received, into
   * `state.served`, in the order Redis writes them (see `collect`; those served by a later
   * command of the batch first), as the Node package's server does (local-server.js). Not
   * those that began to wait in this batch: their clients learn it from the batch's answer, and
   * their replies follow it (with the batch's other output).
   */
  takeServed(state) {
    const served = this.collect((local) => this.waitingConns.has(local) && !state.waitedHere?.has(local));
    if (served.length !== 0) state.served = state.served ? served.concat(state.served) : served;
  }

  /** The run's connections the server closed (QUIT, CLIENT KILL, SHUTDOWN), now forgotten. */
  closedConnections() {
    const { engine } = this.host;
    const closed = [];
    for (const [local, client] of this.conns) {
      if (!engine.isConnected(client)) {
        closed.push(local);
        this.conns.delete(local);
        this.numbersAsText.delete(local);
        this.waitingConns.delete(local);
      }
    }
    return closed;
  }

  /** Forwards what arrived for the run's connections (from the console, other runs, the clock). */
  poll() {
    // A batch waiting for code has run part of its ops: what followed them waits for its answer.
    if (this.ended || this.inBatch || this.fetching || this.conns.size === 0) return;
    const outputs = this.collect();
    const closed = this.closedConnections();
    if (outputs.length || closed.length) this.wake({ t: 'out', outputs, closed, clock: this.clockUpdate() });
  }

  /**
   * The page clock as the worker's `Date` follows it, `[now, paused, speed]`, when the worker
   * needs it: the clock was moved, paused or sped up since it was last sent, or a while has
   * passed (`always`: now). Else null: the worker's extrapolation is still right.
   */
  clockUpdate(always = false) {
    const { clock } = this.host;
    const changes = clock.changes();
    const wall = performance.now();
    if (!always && changes === this.clockSent && wall - this.clockSentAt < CLOCK_RESEND_MS) return null;
    this.clockSent = changes;
    this.clockSentAt = wall;
    return [clock.now(), clock.isPaused(), clock.speed()];
  }

  /**
   * A line the script printed. `onOutput` has it at once when the output was quiet for
   * `OUTPUT_INTERVAL_MS`, else with the others of that time: the worker sends every line as it
   * is printed, one message each, and an editor redrawing its output after each of hundreds of
   * lines falls far behind (500 lines, each after an awaited command, took 0.9 s to show in the
   * editor handed over one by one, 0.2 s this way).
   */
  print(stream, text) {
    const entry = { stream, text };
    if (this.output.length < MAX_KEPT_OUTPUT) this.output.push(entry);
    if (!this.onOutput) return;
    this.unshown.push(entry);
    if (this.showTimer !== null) return;
    const wait = this.shownAt + OUTPUT_INTERVAL_MS - performance.now();
    if (wait <= 0) this.show();
    else this.showTimer = setTimeout(() => this.show(), wait);
  }

  /** Hands `onOutput` the lines it has not had yet, in order. */
  show() {
    clearTimeout(this.showTimer);
    this.showTimer = null;
    this.shownAt = performance.now();
    const lines = this.unshown;
    if (lines.length === 0) return;
    this.unshown = [];
    for (const entry of lines) {
      try {
        this.onOutput(entry);
      } catch (err) {
        console.error('runScript onOutput failed:', err);
      }
    }
  }

  event(record) {
    this.events.push(record);
    if (this.onEvent) {
      try {
        this.onEvent(record);
      } catch (err) {
        console.error('runScript onEvent failed:', err);
      }
    }
  }

  /** Ends the run: `ok`, `error` (with the worker's description), `timeout` or `stopped`. */
  end(status, error = null) {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    const wallMs = this.startedAt ? performance.now() - this.startedAt : 0;
    if (this.worker) this.worker.terminate();
    const { engine } = this.host;
    for (const client of this.conns.values()) {
      try {
        engine.disconnect(client);
      } catch {
        // Already gone: nothing to close.
      }
    }
    this.conns.clear();
    this.numbersAsText.clear();
    this.host.runs.delete(this);
    this.host.scheduleDeadline();
    let described = error;
    if (status === 'timeout' && this.checkPlan !== null && this.checkRunning >= 0) {
      // A learner's function held the worker in the middle of a check.
      const running = this.checkRunning;
      const ms = performance.now() - this.checkStartedAt;
      let call = null;
      for (const name of this.checkCalls.values()) call = name;
      this.checkResults = stoppedChecks(this.checkPlan, this.checksSoFar, { running, call, ms });
      const name = this.checkPlan[running]?.name ?? 'a check';
      const inside = call ? `, in your ${call}(…)` : '';
      described = {
        name: 'Timeout',
        message: `Stopped: the check “${name}” was still running after ${Math.round(ms / 100) / 10} s${inside} (an endless loop?). Redis keeps its data; the next run starts afresh.`,
        line: null,
        column: null,
      };
      this.print('error', described.message);
    } else if (status === 'timeout') {
      const seconds = this.timeoutMs / 1000;
      described = {
        name: 'Timeout',
        message: `Stopped: the script was still running after ${seconds} s (an endless loop?). Redis keeps its data; the next run starts afresh.`,
        line: null,
        column: null,
      };
      this.print('error', described.message);
    } else if (status === 'stopped') {
      described = { name: 'Stopped', message: 'Stopped.', line: null, column: null };
      this.print('error', described.message);
    } else if (status === 'error' && error) {
      this.print('error', errorText(error));
    }
    // Every line reaches `onOutput` before the run is over.
    if (this.onOutput) this.show();
    this.resolve({
      status,
      error: described,
      output: this.output,
      events: this.events,
      dbCalls: this.dbCalls,
      checks: this.checkResults,
      wallMs,
      virtualStart: this.virtualStart,
      virtualEnd: this.host.clock.now(),
      clockAdvancedMs: this.clockAdvanced,
      checksClockAdvancedMs: this.checksClockAdvanced,
    });
  }
}

/** The page's runner: one per page, over the engine once the app has published it. */
export class Runner {
  /** @param {Promise<EngineHost>} hostReady resolves with the page's engine host */
  constructor(hostReady) {
    this.spare = null;
    this.hostReady = hostReady;
  }

  /** A started worker: the warm spare if there is one. */
  takeWorker() {
    const worker = this.spare ?? spawnWorker();
    this.spare = null;
    return worker;
  }

  warmUp() {
    if (this.spare) return;
    this.spare = spawnWorker();
    this.spare.catch(() => {
      this.spare = null;
    });
  }

  /**
   * Runs a learner script. Options: `onOutput({stream, text})` for each line printed (`stream`:
   * log, info, debug, warn, error; as printed, or with the others of the same 0.1 s while lines
   * pour in), `onEvent(record)` for each `{kind: 'db', name, start, end}` and `{kind: 'sleep',
   * start, end}` (virtual Unix ms), `onWaiting(idle, info)` when the script starts (true) or
   * stops (false) waiting idle — for what its subscribers or monitors receive, for a blocking
   * command, for a timer — (the time limit does not count meanwhile; `info`: `{reason:
   * 'messages'|'blocked'|'timer', text, command}`, `text` a status line to show, `command` the
   * blocked command's words), `timeoutMs` (wall-time limit, default 5000), `dbLatencyMs`
   * (virtual cost of a `db` call, default 50), `keepListening` (a client still subscribed or
   * monitoring when the code is over keeps the run going, as its open socket keeps a Node
   * process, until it unsubscribes or quits, or `stop()`; the editor's runs; not with `checks`),
   * `checks` (a lesson's grader: JavaScript run after the learner's code, see `checks.js`).
   * Returns `{ done, stop, output, events }`: `done` resolves with `{ status, error, output,
   * events, dbCalls, checks, wallMs, virtualStart, virtualEnd, clockAdvancedMs,
   * checksClockAdvancedMs }` (`checks`: `[{name, passed, message, hint, notRun}]`, or null when
   * no checks ran: none given, or the learner's code failed first; when a learner's function
   * held the worker in a check, the page stops it after the check's limit and a grace, and the
   * results name that check and function, the later checks not run; `clockAdvancedMs`: virtual
   * ms the run's `sleep` and `db` calls moved the page clock, `checksClockAdvancedMs` the part
   * of it the checks moved).
   */
  run(code, options = {}) {
    let run = null;
    let stopped = false;
    let resolveEarly;
    const early = new Promise((resolve) => {
      resolveEarly = resolve;
    });
    const done = (async () => {
      const host = await this.hostReady;
      run = new ScriptRun(host, options);
      if (stopped) {
        run.end('stopped');
        return run.done;
      }
      let worker;
      try {
        worker = await Promise.race([this.takeWorker(), early]);
      } catch (err) {
        run.end('error', { name: 'Error', message: String(err.message || err), line: null, column: null });
        return run.done;
      }
      if (stopped || !worker) {
        if (worker) worker.terminate();
        run.end('stopped');
        return run.done;
      }
      run.start(worker, String(code ?? ''));
      const result = await run.done;
      this.warmUp();
      return result;
    })();
    return {
      done,
      stop() {
        stopped = true;
        resolveEarly(null);
        if (run) run.end('stopped');
      },
      get output() {
        return run ? run.output : [];
      },
      get events() {
        return run ? run.events : [];
      },
    };
  }
}

