//! The script worker: runs one learner script, then the page terminates it.
//!
//! It posts `{t: 'ready'}` once loaded, then waits for `{t: 'run', code, dbLatencyMs}`. The
//! learner's code runs as an async function (see `learner-code.js`) that sees, as in Node,
//! `require`, `module`, `exports`, the module table behind `import` (`ioredis` and `redis` are the
//! bundled client; `util` and `timers/promises` small parts of Node's), `console` (captured),
//! `process`, `Buffer`, timers; and the playground's `sleep(ms)` and `db`. Every Redis connection
//! lives on the page's engine, reached through the worker transport.
//!
//! The run is over when the top-level code has finished and nothing is left to wait for — no
//! timer, no call in flight, no command awaiting its reply, no client still connecting — as
//! Node's event loop ends (open connections do not keep it alive, as with the Node package). With
//! `listen` in the run message (the editor's runs), a client still subscribed or monitoring keeps
//! the run going, as its socket keeps a Node process, until the client unsubscribes, quits or the
//! page stops the run. Then, or at the first uncaught error (Node stops there too), the worker
//! posts `{t: 'done', error}`; `error` carries the name, message and the learner's line.
//!
//! The page's time limit is for code that keeps the worker busy. When the script only waits —
//! for what a subscriber or monitor of its own receives, for a blocking command (BLPOP, XREAD
//! BLOCK…) that another client may serve, or for a timer — the worker tells the page
//! (`{t: 'idle', seen, why}`), which stops counting; the page counts again when it next hands the
//! worker something, or when a timer wakes the worker (`{t: 'busy'}`, before the timer's code).
//!
//! With `checks` (a lesson's grader, see `checks.js`), once the learner's code is over and did not
//! fail, the checks run in the same worker, with the learner's exports, fresh clients, the
//! simulated database and the engine's events; their results go to the page as
//! `{t: 'checks', results}`, and the run ends there (`done`). As they run, the worker tells the
//! page what they do (`check-plan`, `check-start`, `check-call`, `check-result`), so that the
//! page can name the check and the learner's function if it has to stop the worker.

import { Redis, Cluster } from '../client/redis.js';
import { Command, CALL_SITE } from '../client/command.js';
import { Pipeline } from '../client/pipeline.js';
import { ReplyError, RedisError, AbortError } from '../client/errors.js';
import * as nodeRedis from '../client/node-redis.js';
import { setPlatform } from '../client/platform.js';
import { HostLink, createWorkerTransport } from './worker-transport.js';
import {
  compileSource,
  learnerLocation,
  learnerFrames,
  SCRIPT_NAME,
  SCRIPT_PARAMS,
  HEADER_LINES,
} from './learner-code.js';
import { inspect, formatArgs, formatTable } from './inspect.js';
import { createDatabase } from './sim-db.js';
import { Buffer } from './buffer.js';
import { runChecks } from './checks.js';
import { KeepAwake } from './keep-awake.js';

const post = (message) => self.postMessage(message);
// The worker stays awake a moment after each batch that awaits an answer, for the page's
// answer (see keep-awake.js; a batch is `[id, awaited, …ops]`).
const keepAwake = new KeepAwake();
const link = new HostLink((message) => {
  post(message);
  if (message[1] === true) keepAwake.extend();
});
link.onClock = (now, paused, speed) => setClock(now, paused, speed);

/** Lines of output a run may print; later ones are dropped with one notice. */
const MAX_OUTPUT_LINES = 10_000;
const MAX_OUTPUT_CHARS = 2_000_000;

// ---- macrotasks: setImmediate without setTimeout's 4 ms clamp -------------------------------

const immediates = new Map();
let nextImmediate = 1;
let immediatePosted = false;
const immediateChannel = new MessageChannel();
// One callback a task, as Node runs them: what one queues (a promise it settles) goes on
// before the next runs (a subscriber's handler before the next subscriber hears).
immediateChannel.port1.onmessage = () => {
  const next = immediates.entries().next();
  if (next.done) {
    immediatePosted = false;
    return;
  }
  const [id, [fn, args]] = next.value;
  immediates.delete(id);
  if (immediates.size > 0) immediateChannel.port2.postMessage(null);
  else immediatePosted = false;
  fn(...args);
  checkSoon();
};

function setImmediate(fn, ...args) {
  const id = nextImmediate++;
  immediates.set(id, [fn, args]);
  if (!immediatePosted) {
    immediatePosted = true;
    immediateChannel.port2.postMessage(null);
  }
  return id;
}

function clearImmediate(id) {
  immediates.delete(id);
}

// ---- time: the page's virtual clock ----------------------------------------------------------

// `Date` and `performance.now()` follow the page clock, as the engine does: a script timing a
// `db` call sees its 50 ms, and `sleep(60_000)` moves `Date.now()` by a minute. Between the
// page's messages the clock is extrapolated with real time (unless the page paused it).
const RealDate = Date;
const realPerformanceNow = performance.now.bind(performance);
let clockBase = RealDate.now();
let clockRealBase = realPerformanceNow();
let clockPaused = false;
let clockSpeed = 1;
let lastVirtual = 0;
let startReal = realPerformanceNow();
let startVirtual = clockBase;

function virtualNow() {
  const t = clockPaused ? clockBase : clockBase + (realPerformanceNow() - clockRealBase) * clockSpeed;
  // Never backwards, even when the page's time comes in a little behind the extrapolation.
  if (t > lastVirtual) lastVirtual = t;
  return lastVirtual;
}

function setClock(now, paused, speed = 1) {
  clockBase = now;
  clockRealBase = realPerformanceNow();
  clockPaused = Boolean(paused);
  clockSpeed = speed > 0 ? speed : 1;
}

function VirtualDate(...args) {
  if (!new.target) return new RealDate(Math.floor(virtualNow())).toString();
  return args.length === 0 ? new RealDate(Math.floor(virtualNow())) : new RealDate(...args);
}
VirtualDate.prototype = RealDate.prototype;
VirtualDate.now = () => Math.floor(virtualNow());
VirtualDate.parse = RealDate.parse;
VirtualDate.UTC = RealDate.UTC;
globalThis.Date = VirtualDate;
performance.now = () => startReal + (virtualNow() - startVirtual);

// ---- the client over the page's engine -------------------------------------------------------

const clients = new Set();
const transport = createWorkerTransport(link, { setImmediate });
const encoder = new TextEncoder();
const decoder = new TextDecoder();
setPlatform({
  transport,
  setImmediate,
  nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
  bytesFromString: (s) => {
    const bytes = encoder.encode(s);
    return new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
  wrapBytes: (u8) => (u8 instanceof Buffer ? u8 : new Buffer(u8.buffer, u8.byteOffset, u8.byteLength)),
  bytesToString: (b) => decoder.decode(b),
  onClientCreated: (client) => clients.add(client),
  // The client's own timers (a command's `commandTimeout`, a reconnection) run the script's code
  // on the worker's own initiative, as the learner's timers do.
  setTimeout: (fn, ms) =>
    setTimeout(() => {
      wakeUp();
      fn();
    }, ms),
  captureCallSites: true,
  warn: (...args) => console.warn(...args),
  printError: (...args) => console.error(...args),
});

// `require('ioredis')` is the class itself, with the other exports on it, as ioredis's CommonJS
// entry is.
Object.assign(Redis, { default: Redis, Redis, Cluster, Command, Pipeline, ReplyError, RedisError, AbortError });
// What the `redis` package (node-redis 4) exports and this style has: its helpers and errors.
const redisModule = {};
for (const name of nodeRedis.NODE_REDIS_EXPORTS) redisModule[name] = nodeRedis[name];

// ---- console ---------------------------------------------------------------------------------

let outputLines = 0;
/** What the learner's code printed (for checks). */
const printed = [];
let outputChars = 0;
let outputDropped = false;
let groupIndent = '';

function emit(stream, text) {
  // The run is over (an uncaught error): the page is ending it, as Node exits.
  if (outputDropped || finished) return;
  if (outputLines >= MAX_OUTPUT_LINES || outputChars + text.length > MAX_OUTPUT_CHARS) {
    outputDropped = true;
    link.sendNow(['log', 'warn', `[output limit reached: ${MAX_OUTPUT_LINES} lines or ${MAX_OUTPUT_CHARS} characters; later output dropped]`]);
    return;
  }
  outputLines++;
  outputChars += text.length;
  printed.push(text);
  if (groupIndent) text = groupIndent + text.replaceAll('\n', `\n${groupIndent}`);
  // At once, as Node writes a line to stdout at once: what the code does next may never yield
  // (`console.log('start'); while (true) {}`), and the page, which then terminates the worker,
  // must have the line already.
  link.sendNow(['log', stream, text]);
}

/** The learner's frames of an error; for a failed command, where the command was issued. */
function errorFrames(err) {
  let own = [];
  try {
    own = learnerFrames(err.stack);
  } catch {
    // A stack getter that throws: no frames of its own.
  }
  const site = own.length === 0 ? err[CALL_SITE] : undefined;
  return site ? learnerFrames(site.stack) : own;
}

const formatOptions = { errorFrames };
const format = (args) => formatArgs(args, formatOptions);
const counts = new Map();
const timers0 = new Map();

const learnerConsole = {
  log: (...args) => emit('log', format(args)),
  info: (...args) => emit('info', format(args)),
  debug: (...args) => emit('debug', format(args)),
  warn: (...args) => emit('warn', format(args)),
  error: (...args) => emit('error', format(args)),
  trace: (...args) => {
    const frames = learnerFrames(new Error().stack);
    emit('error', [`Trace${args.length ? `: ${format(args)}` : ''}`, ...frames].join('\n'));
  },
  dir: (value, options = {}) => emit('log', inspect(value, { ...formatOptions, depth: options?.depth })),
  table: (data, properties) => emit('log', formatTable(data, properties, formatOptions)),
  assert: (condition, ...args) => {
    if (!condition) emit('error', `Assertion failed${args.length ? `: ${format(args)}` : ''}`);
  },
  count: (label = 'default') => {
    const n = (counts.get(label) || 0) + 1;
    counts.set(label, n);
    emit('log', `${label}: ${n}`);
  },
  countReset: (label = 'default') => counts.delete(label),
  time: (label = 'default') => timers0.set(label, performance.now()),
  timeLog: (label = 'default', ...args) => {
    if (!timers0.has(label)) return;
    const ms = (performance.now() - timers0.get(label)).toFixed(3);
    emit('log', `${label}: ${ms}ms${args.length ? ` ${format(args)}` : ''}`);
  },
  timeEnd: (label = 'default') => {
    if (!timers0.has(label)) return;
    learnerConsole.timeLog(label);
    timers0.delete(label);
  },
  group: (...args) => {
    if (args.length) emit('log', format(args));
    groupIndent += '  ';
  },
  groupEnd: () => {
    groupIndent = groupIndent.slice(2);
  },
};
learnerConsole.groupCollapsed = learnerConsole.group;
// Everything in the worker prints through it: the client's warnings too.
Object.assign(self.console, learnerConsole);

// ---- timers the learner sets (real time; they keep the run going) --------------------------

const learnerTimers = new Set();

function learnerSetTimeout(fn, ms, ...args) {
  if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
  const id = setTimeout(() => {
    learnerTimers.delete(id);
    wakeUp();
    fn(...args);
    checkSoon();
  }, ms);
  learnerTimers.add(id);
  return id;
}

function learnerSetInterval(fn, ms, ...args) {
  if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
  const id = setInterval(() => {
    wakeUp();
    fn(...args);
    checkSoon();
  }, ms);
  learnerTimers.add(id);
  return id;
}

function learnerClearTimer(id) {
  learnerTimers.delete(id);
  clearTimeout(id);
}

// ---- modules ---------------------------------------------------------------------------------

const sleepUntil = (ms) => link.ask(['sleep', ms]);

const MODULES = {
  ioredis: () => ({ cjs: Redis, esm: { ...Redis, default: Redis } }),
  redis: () => ({ cjs: redisModule, esm: { ...redisModule, default: redisModule } }),
  util: () => {
    const util = {
      inspect: (value, options) => inspect(value, { ...formatOptions, ...options }),
      format: (...args) => format(args),
      promisify: (fn) => (...args) =>
        new Promise((resolve, reject) => fn(...args, (err, value) => (err ? reject(err) : resolve(value)))),
      isDeepStrictEqual: (a, b) => JSON.stringify(a) === JSON.stringify(b),
    };
    return { cjs: util, esm: { ...util, default: util } };
  },
  'timers/promises': () => {
    // Node's promise timers, on the virtual clock like `sleep`.
    const timers = {
      setTimeout: (ms = 1, value) => sleep(ms).then(() => value),
      setImmediate: (value) => new Promise((resolve) => setImmediate(() => resolve(value))),
    };
    return { cjs: timers, esm: { ...timers, default: timers } };
  },
};
MODULES['@redis/client'] = MODULES.redis;

const loaded = new Map();

function loadModule(specifier) {
  const name = String(specifier).replace(/^node:/, '');
  if (!loaded.has(name)) {
    const make = MODULES[name];
    if (!make) {
      const err = new Error(
        `Cannot find module '${specifier}': the playground provides ioredis, redis, util and timers/promises`,
      );
      err.code = 'MODULE_NOT_FOUND';
      throw err;
    }
    loaded.set(name, make());
  }
  return loaded.get(name);
}

// ---- helpers in scope ------------------------------------------------------------------------

/**
 * Simulates a power cut of the page's Redis server and its restart: every connection closes (the
 * clients reconnect, as ioredis does) and the data is what the server's persistence settings
 * kept — the fsynced append-only file with `appendonly yes`, else the last RDB save, else
 * nothing. Resolves with `{source: 'aof'|'rdb'|'none', keys, commandsReplayed}`.
 */
function crash() {
  return link.ask(['crash']);
}

/** Client states in which what a client sent or queued is on its way to an answer. */
const LIVE = new Set(['connecting', 'connect', 'ready', 'monitoring']);

/**
 * The commands the script's clients have sent or queued (while connecting) and not had an answer
 * to, as `[client, command]`: those a wait in real time would see answered. Not those of a
 * client waiting to reconnect or closed.
 */
function commandsOnTheirWay() {
  const list = [];
  for (const client of clients) {
    if (!LIVE.has(client.status)) continue;
    for (const queue of [client.offlineQueue, client.commandQueue]) {
      if (!queue) continue;
      for (let i = 0; i < queue.length; i++) list.push([client, queue.peekAt(i).command]);
    }
  }
  return list;
}

/**
 * Whether a command (see `commandsOnTheirWay`) is still to be answered: not a client's held in a
 * blocking command (another client or the clock serves it) or fallen out of a live state.
 */
function unanswered([client, command]) {
  return command._outcome === 0 && client._blocked !== true && LIVE.has(client.status);
}

/**
 * Calls `resolve()` as the end of a wait in real time would come: after what arrives meanwhile.
 * A virtual wait's answer comes at once; in Node the replies of the commands sent before it
 * (also those a client queued while it connects), the messages its subscribers receive and what
 * they set off (a rejection nothing handles, which ends the process) all come before a timer of
 * even a few milliseconds fires. So the wait ends once those commands are answered and the
 * connections' output handed over (see `delivering` in worker-transport.js), and two tasks
 * later: the browser reports an unhandled rejection in a task it queues when the task that
 * rejected it ends, after the tasks queued during that one. Commands sent later do not hold it
 * (a loop of commands running beside the wait would hold it for ever). A run that ended
 * meanwhile (that rejection) never resumes, as Node exits.
 */
function afterArrivals(resolve) {
  const awaited = commandsOnTheirWay();
  let quiet = 0;
  const next = () => {
    if (finished) return;
    if (transport.delivering) {
      quiet = 0;
      setImmediate(next);
    } else if (awaited.some(unanswered)) {
      // An answer (or a connection's code) is on its way from the page: look again shortly
      // rather than spin.
      quiet = 0;
      setTimeout(next, 1);
    } else if (++quiet < 2) {
      setImmediate(next);
    } else {
      resolve();
    }
  };
  setImmediate(next);
}

/**
 * Waits `ms` milliseconds of the page's virtual time (the clock moves at once), after the
 * replies of the commands already sent (see `afterArrivals`).
 */
function sleep(ms = 0) {
  let wait = Number(ms);
  if (!Number.isFinite(wait) || wait < 0) wait = 0;
  return new Promise((resolve) => {
    sleepUntil(wait).then(() => afterArrivals(resolve));
  });
}

const EXIT = Symbol('process.exit');
const processShim = {
  env: {},
  argv: ['node', `/playground/${SCRIPT_NAME}`],
  platform: 'browser',
  exitCode: undefined,
  nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
  cwd: () => '/playground',
  hrtime: Object.assign(
    (previous) => {
      const ns = Math.round(performance.now() * 1e6);
      const now = [Math.floor(ns / 1e9), ns % 1e9];
      if (!previous) return now;
      let s = now[0] - previous[0];
      let n = now[1] - previous[1];
      if (n < 0) {
        s -= 1;
        n += 1e9;
      }
      return [s, n];
    },
    { bigint: () => BigInt(Math.round(performance.now() * 1e6)) },
  ),
  emitWarning: (warning) => console.warn(`Warning: ${warning instanceof Error ? warning.message : warning}`),
  on: () => processShim,
  once: () => processShim,
  off: () => processShim,
  exit(code = processShim.exitCode ?? 0) {
    finish(code ? { name: 'Error', message: `process.exit(${code})`, line: null, column: null } : null);
    throw EXIT;
  },
};
globalThis.process = processShim;
globalThis.Buffer = Buffer;

// ---- the run -------------------------------------------------------------------------------

let started = false;
let topSettled = false;
/** Whether the lesson's checks run (after the learner's code). */
let checking = false;
let finished = false;
let checkScheduled = false;
/** The grader's source, until it runs; what the learner's code exported. */
let pendingChecks = null;
let checkContext = null;
let learnerExports = null;

/** Runs the lesson's checks once the learner's code is over, then ends the run. */
function startChecks() {
  const source = pendingChecks;
  pendingChecks = null;
  const ctx = checkContext;
  // Checks wait for their own commands: the run must not end under them (nor be taken for a
  // stuck top level: each check has its own time limit).
  topSettled = false;
  checking = true;
  runChecks(source, ctx).then(
    (results) => {
      link.flush();
      post({ t: 'checks', results });
      topSettled = true;
      checking = false;
      // Graded: the run is over. What the learner's code left going (a timer, a command
      // blocked for ever, a call a check gave up on) would only keep the learner waiting.
      finish(null);
    },
    (err) => {
      topSettled = true;
      checking = false;
      fail(err);
    },
  );
}

function clientBusy(client) {
  const { status } = client;
  if (status === 'connecting' || status === 'connect' || status === 'reconnecting') return true;
  return client.commandQueue.length > 0 || (status !== 'monitoring' && client.offlineQueue.length > 0);
}

/**
 * Whether a client's connection is blocked in a command (BLPOP, XREAD BLOCK, WAIT…): the server
 * holds it until another client serves it, or its timeout (the page's clock) ends it.
 */
function clientBlocked(client) {
  return client._blocked === true && client.status === 'ready' && client.commandQueue.length > 0;
}

/** Whether anything the script started is still pending: a command, a timer, a connection. */
function pending() {
  if (link.inFlight > 0 || link.ops.length > 0) return true;
  if (learnerTimers.size > 0 || immediates.size > 0) return true;
  for (const client of clients) if (clientBusy(client)) return true;
  return false;
}

/**
 * Whether something the script started will come back by itself in a moment: the page's answer
 * to a batch, an immediate, a connection being made, a command not blocked. Not a blocked
 * command, a timer or a subscriber: those wait for others, or for their time.
 */
function working() {
  if (link.inFlight > 0 || link.ops.length > 0 || immediates.size > 0) return true;
  for (const client of clients) if (!clientBlocked(client) && clientBusy(client)) return true;
  return false;
}

/** At most this many characters of a blocked command's words go to the page. */
const MAX_WORD_CHARS = 40;

/**
 * What the script waits for when nothing of its own is working, for the page to say (see
 * `working`): `{reason: 'blocked', command: [name, …args]}`, a client blocked in a command (the
 * console can serve it); `{reason: 'messages'}`, a subscriber or monitor (the console can publish
 * to it), only while that keeps the run going; `{reason: 'timer'}`; or null: nothing at all.
 */
function waitReason() {
  for (const client of clients) {
    if (!clientBlocked(client)) continue;
    const { name, args } = client.commandQueue.peekAt(0).command;
    const words = [String(name).toUpperCase()];
    for (const arg of args.slice(0, 8)) {
      const word = typeof arg === 'string' ? arg : arg instanceof Uint8Array ? decoder.decode(arg) : String(arg);
      words.push(word.length > MAX_WORD_CHARS ? `${word.slice(0, MAX_WORD_CHARS)}…` : word);
    }
    return { reason: 'blocked', command: words };
  }
  if ((!topSettled || keepListening) && listening()) return { reason: 'messages' };
  if (learnerTimers.size > 0) return { reason: 'timer' };
  return null;
}

/** Whether anything may still happen: the run is over when nothing is. */
function busy() {
  return !topSettled || pending();
}

/**
 * Whether a client listens for what others may send (messages to a subscriber, a monitor's
 * feed): a promise may settle on what the console publishes.
 */
function listening() {
  for (const client of clients) {
    if (client.status === 'monitoring') return true;
    if (client.status !== 'end' && client.condition && client.condition.subscriber) return true;
  }
  return false;
}

/**
 * Whether a listening client keeps the run going once the code is over (`listen` in the run
 * message; never with a lesson's checks, which run when the learner's code is over).
 */
let keepListening = false;

/**
 * Whether the script reached for the network (fetch, XMLHttpRequest, WebSocket, EventSource):
 * an answer from there may settle a promise at any time, and the run cannot tell it is stuck.
 */
let usedNetwork = false;
if (typeof self.fetch === 'function') {
  const realFetch = self.fetch;
  self.fetch = function fetch(...args) {
    usedNetwork = true;
    return realFetch.apply(this, args);
  };
}
for (const name of ['XMLHttpRequest', 'WebSocket', 'EventSource']) {
  if (typeof self[name] !== 'function') continue;
  self[name] = new Proxy(self[name], {
    construct(target, args, newTarget) {
      usedNetwork = true;
      return Reflect.construct(target, args, newTarget);
    },
  });
}

/** How often the worker looks at what is pending, and how many looks in a row find it stuck. */
const LOOK_MS = 100;
const STUCK_CHECKS = 3;
let lookTimer = null;
/**
 * Whether the page was told that the script waits, idle (see `look`); anything from the page
 * wakes it (and the page counts its time limit again), and so does a timer (see `wakeUp`).
 */
let idleTold = false;
/** Looks in a row that found nothing working and nothing happening in between (see `look`). */
let idleChecks = 0;
/** Messages received from the page: an idle notice names how many it had read. */
let received = 0;

/**
 * Checks in a later task whether the run is over. Idle must hold twice in a row: the browser
 * reports an unhandled rejection in a task of its own, which must come before the end. While
 * the top level awaits, or something is still pending after it, the worker looks at it now and
 * then instead (see `look`).
 */
function checkSoon(confirming = false) {
  if (finished) return;
  if (!topSettled) {
    if (!checking) watch();
    return;
  }
  if (checkScheduled && !confirming) return;
  checkScheduled = true;
  setTimeout(() => {
    checkScheduled = false;
    if (finished) return;
    if (busy()) watch();
    else if (!confirming) checkSoon(true);
    else if (pendingChecks !== null) startChecks();
    else if (keepListening && listening()) tellIdle({ reason: 'messages' });
    else finish(null);
  }, 0);
}

/**
 * Tells the page, once until it next hands the worker something or a timer wakes it, that the
 * script waits idle, and for what (`why`, see `waitReason`): the page stops counting the time
 * limit meanwhile, and says what the script waits for.
 */
function tellIdle(why) {
  if (idleTold) return;
  idleTold = true;
  post({ t: 'idle', seen: received, why });
}

/**
 * The worker runs the script's code on its own initiative (a timer fired): the looks start
 * again, and a page told that the script waits is told first that it is busy, so that its time
 * limit counts again before the code runs (which may be an endless loop).
 */
function wakeUp() {
  idleChecks = 0;
  if (!idleTold) return;
  idleTold = false;
  post({ t: 'busy' });
}

/** Looks at what is pending every `LOOK_MS` until the run is over (see `look`). */
function watch() {
  if (lookTimer !== null || usedNetwork || checking || finished) return;
  lookTimer = setTimeout(look, LOOK_MS);
}

/**
 * While the top-level code awaits, or something is still pending once it is over, the worker
 * looks every 0.1 s at what is working (see `working`; after the network was used, it stops
 * looking: an answer from there may come at any time). When nothing is, and nothing happened
 * since the last look (a message from the page, a timer):
 * - twice in a row, with something to wait for (see `waitReason`: a client blocked in a
 *   command, a subscriber or monitor, a timer), the script waits: the page is told, and stops
 *   counting the time limit, meant for endless loops, until the worker is busy again. A script
 *   whose timers or commands keep it busy (an `await` in an endless loop) never looks idle;
 * - else, three times in a row while the top level awaits, no promise can settle any more: Node
 *   stops there with its warning about an unsettled top-level await (exit code 13), and the run
 *   ends with that error at once, rather than at the time limit.
 */
function look() {
  lookTimer = null;
  if (finished || checking) return;
  if (topSettled && !pending()) {
    checkSoon();
    return;
  }
  if (working()) {
    idleChecks = 0;
  } else {
    idleChecks += 1;
    const why = waitReason();
    if (why !== null) {
      if (idleChecks >= 2) tellIdle(why);
    } else if (!topSettled && idleChecks >= STUCK_CHECKS) {
      fail(unsettledAwait());
      return;
    }
  }
  watch();
}

/** Why a stuck run ended (Node's warning, and what it means); shown without an error name. */
function unsettledAwait() {
  const err = new Error(
    'Detected unsettled top-level await: the script waits for a promise that nothing left running can ' +
      'settle (no command, timer or subscription is pending), so it stops here, as Node does (exit code 13).',
  );
  err.name = '';
  return err;
}

/** The learner's line of an error: from its stack, else from where its command was issued. */
function locate(err) {
  if (err === null || typeof err !== 'object') return null;
  let stack;
  try {
    stack = err.stack;
  } catch {
    stack = undefined;
  }
  const own = learnerLocation(stack);
  if (own) return own;
  const site = err[CALL_SITE];
  return site ? learnerLocation(site.stack) : null;
}

/**
 * Said of a failed command's error that has no line: nothing awaited its command (see
 * `CALL_SITE` in command.js), as a forgotten `await` leaves it, or a pipeline's result.
 */
const UNAWAITED_NOTE =
  'nothing awaited the failed command itself, so its line is unknown: await it, or create the client ' +
  'with `showFriendlyErrorStack: true` (as in ioredis), to see where it was sent';

/** Whether an error is a command's failure (ioredis gives it the command: `{ name, args }`). */
function isCommandError(err) {
  try {
    return err.command !== null && typeof err.command === 'object' && typeof err.command.name === 'string';
  } catch {
    return false;
  }
}

function describe(err, where = null) {
  if (err instanceof Error || (err !== null && typeof err === 'object' && 'message' in err)) {
    const location = where ?? locate(err);
    let name = 'Error';
    let message = '';
    try {
      name = String(err.name ?? 'Error');
      message = String(err.message ?? '');
    } catch {
      // A getter that throws: keep the defaults.
    }
    const described = { name, message, line: location?.line ?? null, column: location?.column ?? null };
    if (location === null && isCommandError(err)) described.note = UNAWAITED_NOTE;
    return described;
  }
  return { name: '', message: `Uncaught ${inspect(err)}`, line: null, column: null };
}

/** Ends the run: flushes what is queued and tells the page (`error`: described, or null). */
function finish(error) {
  if (finished) return;
  finished = true;
  link.flush();
  post({ t: 'done', error });
}

function fail(err, where = null) {
  if (err === EXIT) return;
  finish(describe(err, where));
}

/** Finds a syntax error's line by letting a classic worker parse the source. */
function locateSyntaxError(source) {
  return new Promise((resolve) => {
    let worker = null;
    let url = null;
    let timer = null;
    const done = (where) => {
      clearTimeout(timer);
      if (worker) worker.terminate();
      if (url) URL.revokeObjectURL(url);
      resolve(where);
    };
    timer = setTimeout(() => done(null), 3000);
    try {
      url = URL.createObjectURL(new Blob([`${source}\n;postMessage(0);`], { type: 'text/javascript' }));
      worker = new Worker(url);
      worker.onmessage = () => done(null);
      worker.onerror = (event) => {
        event.preventDefault();
        const line = event.lineno - HEADER_LINES;
        done(line >= 1 ? { line, column: event.colno } : null);
      };
    } catch {
      done(null);
    }
  });
}

async function run({ code, dbLatencyMs = 50, now, paused, speed, checks, listen }) {
  if (started) return;
  started = true;
  if (now !== undefined) {
    setClock(now, paused, speed);
    lastVirtual = 0;
    startVirtual = now;
    startReal = realPerformanceNow();
  }
  const latency = Number.isFinite(dbLatencyMs) && dbLatencyMs >= 0 ? dbLatencyMs : 50;
  // A call's latency passes as a sleep's does (see `afterArrivals`).
  const wait = (name) => new Promise((resolve) => link.ask(['db', name, latency]).then(() => afterArrivals(resolve)));
  const db = createDatabase({ latencyMs: latency, wait });
  const { source, isModule } = compileSource(String(code));
  let fn;
  try {
    // Indirect eval: global scope, so the script sees none of this module's names.
    fn = (0, eval)(source);
  } catch (err) {
    fail(err, err instanceof SyntaxError ? await locateSyntaxError(source) : null);
    return;
  }
  const module = { exports: {} };
  const require = (specifier) => loadModule(specifier).cjs;
  if (typeof checks === 'string' && checks.trim() !== '') {
    pendingChecks = checks;
    checkContext = {
      exports: () => {
        const cjs = module.exports && typeof module.exports === 'object' ? module.exports : {};
        const out = typeof module.exports === 'function' ? { default: module.exports } : { ...cjs };
        if (learnerExports) Object.assign(out, learnerExports());
        return out;
      },
      Redis,
      db,
      sleep,
      crash,
      printed,
      clients,
      ask: (op) => link.ask(op),
      // Batches of commands sent to the page: the round trips of the script's clients.
      roundTrips: () => link.roundTrips,
      // What the checks are doing, for the page to tell if it has to stop the worker (a
      // learner's function in an endless loop): at once, as the worker may never yield again.
      report: post,
    };
  }
  keepListening = listen === true && pendingChecks === null;
  const args = {
    require,
    module,
    exports: module.exports,
    __filename: `/playground/${SCRIPT_NAME}`,
    __dirname: '/playground',
    __import: (specifier) => loadModule(specifier).esm,
    __dynamicImport: (specifier) => Promise.resolve().then(() => loadModule(specifier).esm),
    __importMeta: { url: `file:///playground/${SCRIPT_NAME}` },
    sleep,
    db,
    crash,
    setTimeout: learnerSetTimeout,
    setInterval: learnerSetInterval,
    setImmediate,
    clearTimeout: learnerClearTimer,
    clearInterval: learnerClearTimer,
    clearImmediate,
    __exportsOf: (fn) => {
      learnerExports = fn;
    },
  };
  const values = SCRIPT_PARAMS.map((name) => args[name]);
  fn.apply(isModule ? undefined : module.exports, values).then(
    () => {
      topSettled = true;
      checkSoon();
    },
    (err) => {
      topSettled = true;
      fail(err);
    },
  );
  // The top level awaits (or has just ended): is it waiting for anything?
  checkSoon();
}

self.addEventListener('error', (event) => {
  event.preventDefault();
  fail(event.error ?? new Error(event.message));
});
self.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  fail(event.reason);
});
self.onmessage = (event) => {
  const message = event.data;
  received += 1;
  idleTold = false;
  idleChecks = 0;
  if (link.receive(message)) {
    checkSoon();
    return;
  }
  if (message && message.t === 'run') run(message);
};
post({ t: 'ready' });
