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
//! the run going, as its socket keeps a Node process: the worker tells the page it waits, idle,
//! for what that client receives, until the client unsubscribes, quits or the page stops the run.
//! Then, or at the first uncaught error (Node stops there too), the worker posts
//! `{t: 'done', error}`; `error` carries the name, message and the learner's line.
//!
//! With `checks` (a lesson's grader, see `checks.js`), once the learner's code is over and did not
//! fail, the checks run in the same worker, with the learner's exports, fresh clients, the
//! simulated database and the engine's events; their results go to the page as
//! `{t: 'checks', results}` before `done`.

import { Redis, Cluster } from '../client/redis.js';
import { Command, CALL_SITE } from '../client/command.js';
import { Pipeline } from '../client/pipeline.js';
import { ReplyError, RedisError, AbortError } from '../client/errors.js';
import { createClient, defineScript, ErrorReply, commandOptions } from '../client/node-redis.js';
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
import { inspect, formatArgs } from './inspect.js';
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
  captureCallSites: true,
  warn: (...args) => console.warn(...args),
  printError: (...args) => console.error(...args),
});

// `require('ioredis')` is the class itself, with the other exports on it, as ioredis's CommonJS
// entry is.
Object.assign(Redis, { default: Redis, Redis, Cluster, Command, Pipeline, ReplyError, RedisError, AbortError });
const redisModule = { createClient, defineScript, ErrorReply, commandOptions };

// ---- console ---------------------------------------------------------------------------------

let outputLines = 0;
/** What the learner's code printed (for checks). */
const printed = [];
let outputChars = 0;
let outputDropped = false;
let groupIndent = '';

function emit(stream, text) {
  if (outputDropped) return;
  if (outputLines >= MAX_OUTPUT_LINES || outputChars + text.length > MAX_OUTPUT_CHARS) {
    outputDropped = true;
    link.send(['log', 'warn', `[output limit reached: ${MAX_OUTPUT_LINES} lines or ${MAX_OUTPUT_CHARS} characters; later output dropped]`]);
    return;
  }
  outputLines++;
  outputChars += text.length;
  printed.push(text);
  if (groupIndent) text = groupIndent + text.replaceAll('\n', `\n${groupIndent}`);
  link.send(['log', stream, text]);
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
  table: (...args) => emit('log', format(args)),
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
    fn(...args);
    checkSoon();
  }, ms);
  learnerTimers.add(id);
  return id;
}

function learnerSetInterval(fn, ms, ...args) {
  if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
  const id = setInterval(() => {
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

/** Waits `ms` milliseconds of the page's virtual time (the clock moves at once). */
function sleep(ms = 0) {
  let wait = Number(ms);
  if (!Number.isFinite(wait) || wait < 0) wait = 0;
  return new Promise((resolve) => {
    sleepUntil(wait).then(() => resolve());
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
      checkSoon();
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

/** Whether anything the script started is still pending: a command, a timer, a connection. */
function pending() {
  if (link.inFlight > 0 || link.ops.length > 0) return true;
  if (learnerTimers.size > 0 || immediates.size > 0) return true;
  for (const client of clients) if (clientBusy(client)) return true;
  return false;
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

/** While the top level awaits: how often, and how many looks in a row find it stuck. */
const STUCK_CHECK_MS = 100;
const STUCK_CHECKS = 3;
let stuckTimer = null;
/**
 * Whether the page was told that the script waits, idle, for what its listening clients
 * receive; anything from the page wakes it (and the page counts its time limit again).
 */
let idleTold = false;
/** Looks in a row that found nothing pending (see `watchTopLevel`). */
let idleChecks = 0;
/** Messages received from the page: an idle notice names how many it had read. */
let received = 0;

/**
 * Checks in a later task whether the run is over. Idle must hold twice in a row: the browser
 * reports an unhandled rejection in a task of its own, which must come before the end.
 */
function checkSoon(confirming = false) {
  if (finished) return;
  if (!topSettled) {
    if (!checking) watchTopLevel();
    return;
  }
  if (stuckTimer !== null) {
    clearTimeout(stuckTimer);
    stuckTimer = null;
  }
  if (checkScheduled && !confirming) return;
  checkScheduled = true;
  setTimeout(() => {
    checkScheduled = false;
    if (finished || busy()) return;
    if (!confirming) checkSoon(true);
    else if (pendingChecks !== null) startChecks();
    else if (keepListening && listening()) tellIdle();
    else finish(null);
  }, 0);
}

/**
 * Tells the page, once until it next hands the worker something, that the script waits idle for
 * what its listening clients receive (the page stops counting the time limit meanwhile).
 */
function tellIdle() {
  if (idleTold) return;
  idleTold = true;
  post({ t: 'idle', seen: received });
}

/**
 * While the top-level code awaits, the worker looks every 0.1 s at what is pending (commands,
 * timers, connections; after the network was used, it stops looking: an answer from there may
 * come at any time). When nothing is:
 * - with a client listening (a subscriber, a monitor), twice in a row, the script waits for
 *   what others send (a PUBLISH typed in the console): the page is told, and stops counting the
 *   time limit, meant for endless loops, until it next hands the worker something;
 * - else, three times in a row, no promise can settle any more: Node stops there with its
 *   warning about an unsettled top-level await (exit code 13), and the run ends with that error
 *   at once, rather than at the time limit.
 */
function watchTopLevel() {
  if (stuckTimer !== null || usedNetwork) return;
  stuckTimer = setTimeout(() => {
    stuckTimer = null;
    if (finished || topSettled || checking) return;
    if (pending()) {
      idleChecks = 0;
    } else {
      idleChecks += 1;
      if (listening()) {
        if (idleChecks >= 2) tellIdle();
      } else if (idleChecks >= STUCK_CHECKS) {
        fail(unsettledAwait());
        return;
      }
    }
    watchTopLevel();
  }, STUCK_CHECK_MS);
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
  const db = createDatabase({ latencyMs: latency, wait: (name) => link.ask(['db', name, latency]) });
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
