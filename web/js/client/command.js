//! One command as ioredis models it: its name and arguments (flattened one level, transformed,
//! stringified, key-prefixed), the reply encoding (`utf8` for strings, `null` for the `…Buffer`
//! methods), and a promise settled by the reply, with an optional node-style callback.

import { asCallback } from './callback.js';
import { keyIndexes, isKnownCommand } from './keys.js';
import { argumentTransformers, replyTransformers, transformerTables } from './transformers.js';
import { platform, toText, toHostBytes } from './platform.js';

/** ioredis's command groups (`Command.FLAGS`). */
export const FLAGS = {
  VALID_IN_SUBSCRIBER_MODE: [
    'subscribe',
    'psubscribe',
    'unsubscribe',
    'punsubscribe',
    'ssubscribe',
    'sunsubscribe',
    'ping',
    'quit',
  ],
  VALID_IN_MONITOR_MODE: ['monitor', 'auth'],
  ENTER_SUBSCRIBER_MODE: ['subscribe', 'psubscribe', 'ssubscribe'],
  EXIT_SUBSCRIBER_MODE: ['unsubscribe', 'punsubscribe', 'sunsubscribe'],
  WILL_DISCONNECT: ['quit'],
  HANDSHAKE_COMMANDS: ['auth', 'select', 'client', 'readonly', 'info'],
  IGNORE_RECONNECT_ON_ERROR: ['client'],
  BLOCKING_COMMANDS: [
    'blpop',
    'brpop',
    'brpoplpush',
    'blmove',
    'bzpopmin',
    'bzpopmax',
    'bzmpop',
    'blmpop',
    'xread',
    'xreadgroup',
  ],
};

/** Each group of `FLAGS` as one bit, so that a command's groups are one cached number. */
export const FLAG = {};
Object.keys(FLAGS).forEach((flag, i) => {
  FLAG[flag] = 1 << i;
});

const flagCache = new Map();

/** The groups a command name belongs to (case-insensitively), as bits of `FLAG`. */
export function flagsOf(name) {
  let bits = flagCache.get(name);
  if (bits === undefined) {
    const lower = String(name).toLowerCase();
    bits = 0;
    for (const [flag, names] of Object.entries(FLAGS)) {
      if (names.includes(lower)) bits |= FLAG[flag];
    }
    if (flagCache.size < 10000) flagCache.set(name, bits);
  }
  return bits;
}

/**
 * The property under which an error rejected by a command carries where the learner's code
 * stands on it (an object whose `stack` names the caller), when `platform.captureCallSites` is
 * on: the script worker reports the learner's line of a failed command with it, as the reply
 * error's own stack only shows the client. For a command with a callback it is where the command
 * was issued; for the others, where its promise is awaited (see `awaitSiteRejection`).
 */
export const CALL_SITE = Symbol.for('redis-playground.callSite');

/** An object whose `stack` is the stack here, from the caller of `above` on. */
function stackSite(above) {
  const site = {};
  if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(site, above);
  else site.stack = new Error().stack;
  return site;
}

function captureCallSite() {
  return stackSite(captureCallSite);
}

/**
 * A promise rejected with `err` a few microtasks from now, for a command's promise to adopt.
 * By the time it rejects, the command's promise has adopted it and the code awaiting the
 * command's promise is chained behind, so a stack captured on the way continues, as V8's async
 * stack traces do, into the async functions awaiting it: where the learner awaits the command.
 * That stack becomes `err[CALL_SITE]`. Capturing a stack costs several microseconds, too much
 * for every command (a script's loop of awaited commands ran 15 % slower in the page), so only
 * failures pay it. A command nothing awaits (or only `.then` handlers) gets no learner frame:
 * as in Node, where ioredis's reply errors never show the caller unless the client has
 * `showFriendlyErrorStack`.
 */
function awaitSiteRejection(err) {
  return Promise.resolve()
    .then(noop)
    .then(() => {
      noteAwaitSite(err);
      throw err;
    });
}

function noteAwaitSite(err) {
  if (CALL_SITE in err) return;
  const site = stackSite(noteAwaitSite);
  try {
    Object.defineProperty(err, CALL_SITE, { value: site });
  } catch {
    // A frozen error keeps no call site; its own stack is all there is.
  }
}

/** The directory of the client's modules: their frames are left out of friendly stacks. */
const CLIENT_DIR = new URL('./', import.meta.url).href;

/**
 * ioredis's `optimizeErrorStack` (`showFriendlyErrorStack`): the error's first line, then the
 * stack captured where the command was issued, from its first frame outside the client.
 */
function friendlyStack(err, issued) {
  if (err === null || typeof err !== 'object' || typeof err.stack !== 'string') return err;
  const frames = String(issued.stack).split('\n');
  let i = 1;
  while (i < frames.length && frames[i].includes(CLIENT_DIR)) i++;
  const rest = frames.slice(i).map((frame) => `\n${frame}`).join('');
  const end = err.stack.indexOf('\n');
  try {
    err.stack = (end === -1 ? err.stack : err.stack.slice(0, end)) + rest;
  } catch {
    // A frozen error keeps its stack.
  }
  return err;
}

function noop() {}

/** ioredis's `toArg`: null and undefined become empty strings, anything else its String. */
function toArg(arg) {
  if (arg === null || arg === undefined) return '';
  return String(arg);
}

function flattenOnce(args) {
  let nested = false;
  for (let i = 0; i < args.length; i++) {
    if (Array.isArray(args[i])) {
      nested = true;
      break;
    }
  }
  return nested ? args.flat() : args;
}

export class Command {
  /**
   * @param {string} name the command name as the method or `call` gives it
   * @param {unknown[]} args arguments (one level of arrays is flattened)
   * @param {{replyEncoding?: string|null, keyPrefix?: string, argsReady?: boolean,
   *   queued?: boolean, untransformed?: boolean}} options (`argsReady`: the arguments are
   *   already flattened and transformed, as by the client's direct path, which made them before
   *   it could tell that it needed a `Command`; `queued`: a pipeline's command, whose promise is
   *   made only if asked for: the pipeline reads the outcome itself, see
   *   `Pipeline#sendCommand`; `untransformed`: no argument or reply transformer applies, as for
   *   the node-redis style's commands)
   * @param {Function} [callback] node-style callback
   */
  constructor(name, args = [], options = {}, callback) {
    this.name = name;
    this.inTransaction = false;
    this.isResolved = false;
    this.replyEncoding = options.replyEncoding;
    this.args = flattenOnce(args);
    this.callback = callback;
    this.bufferMode = false;
    this._timer = undefined;
    this._flags = 0;
    this.stream = undefined;
    this.select = undefined;
    // A callback gets its error outside any await: it is noted where the command was issued.
    this.callSite = platform.captureCallSites && typeof callback === 'function' ? captureCallSite() : undefined;
    this.errorStack = options.errorStack;
    // The pipeline that queued it, told of its outcome (see `Pipeline#sendCommand`).
    this.pipeline = undefined;
    this.pipelineIndex = 0;
    // The promise, made at once, or when first asked for (`queued` without a callback): until
    // then `_outcome` holds how the command ended (0 pending, 1 resolved, 2 rejected), `_value`
    // what with.
    this._promise = undefined;
    // Whether `promise` was replaced by another: then that one's outcome is the command's.
    this.replacedPromise = false;
    this._outcome = 0;
    this._value = undefined;
    // Whether the reply transformers of its name apply (see `untransformed`).
    this.replyTransform = options.untransformed !== true;
    if (options.argsReady || options.untransformed) this.transformed = true;
    this.initPromise(options.queued === true && typeof callback !== 'function');
    if (options.keyPrefix) this.prefixKeys(options.keyPrefix);
  }

  /** The promise of the reply (made now if it was not yet: see `queued`). */
  get promise() {
    if (this._promise === undefined) {
      this._makePromise();
      if (this._outcome === 1) this._resolvePromise(this._value);
      else if (this._outcome === 2) this._rejectPromise(this._value);
      // Its pipeline handles a rejection (as the `then` ioredis's pipeline adds to each command).
      if (this.pipeline !== undefined) this._promise.catch(noop);
    }
    return this._promise;
  }

  /** Replaces the promise (a script's, which retries on NOSCRIPT): see `replacedPromise`. */
  set promise(promise) {
    if (this._promise === undefined) this._makePromise();
    this._promise = promise;
    this.replacedPromise = true;
  }

  /** A queue entry is the command itself (ioredis queues `{ command, stream, select }`). */
  get command() {
    return this;
  }

  /** Whether a command (by name, case-insensitively) is in one of ioredis's groups. */
  static checkFlag(flagName, commandName) {
    return (flagsOf(commandName) & FLAG[flagName]) !== 0;
  }

  static setArgumentTransformer(name, fn) {
    argumentTransformers[name] = fn;
    transformerTables.version += 1;
  }

  static setReplyTransformer(name, fn) {
    replyTransformers[name] = fn;
    transformerTables.version += 1;
  }

  /** Transforms and stringifies the arguments and makes the promise (unless `lazy`). */
  initPromise(lazy = false) {
    if (!this.transformed) {
      this.transformed = true;
      const transform = argumentTransformers[this.name];
      if (transform) this.args = transform(this.args);
    }
    this.stringifyArguments();
    if (!lazy) this._makePromise();
  }

  _makePromise() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this._resolvePromise = resolve;
    this._rejectPromise = reject;
    this._promise = asCallback(promise, this.callback);
  }

  stringifyArguments() {
    const args = this.args;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === 'string') continue;
      if (platform.isBytes(arg)) this.bufferMode = true;
      else args[i] = toArg(arg);
    }
  }

  prefixKeys(prefix) {
    if (!isKnownCommand(this.name)) return;
    this.keys = [];
    const prefixIsBytes = platform.isBytes(prefix);
    for (const index of keyIndexes(this.name, this.args)) {
      const key = this.args[index];
      if (index >= this.args.length) continue;
      let prefixed;
      if (platform.isBytes(key) || prefixIsBytes) {
        const a = prefixIsBytes ? prefix : platform.bytesFromString(prefix);
        const b = platform.isBytes(key) ? key : platform.bytesFromString(String(key));
        const joined = new Uint8Array(a.length + b.length);
        joined.set(a, 0);
        joined.set(b, a.length);
        prefixed = platform.wrapBytes(joined);
        this.bufferMode = true;
      } else {
        prefixed = prefix + key;
      }
      this.args[index] = prefixed;
      this.keys.push(prefixed);
    }
  }

  getKeys() {
    return this.keys || keyIndexes(this.name, this.args).map((i) => this.args[i]);
  }

  /** The full argv sent to the server: name then arguments. */
  argv() {
    const args = this.args;
    const argv = new Array(args.length + 1);
    argv[0] = this.name;
    for (let i = 0; i < args.length; i++) argv[i + 1] = args[i];
    return argv;
  }

  /**
   * Converts a reply to the command's encoding and applies its reply transformer. `isBytes`
   * says whether bulk strings in `value` are bytes (else they are already strings).
   */
  transformReply(value, isBytes = false) {
    if (this.replyEncoding) {
      if (isBytes) value = toText(value);
    } else {
      value = toHostBytes(value);
    }
    const transform = this.replyTransform ? replyTransformers[this.name] : undefined;
    return transform ? transform(value) : value;
  }

  resolve(value, isBytes = false) {
    if (this._timer) this._clearTimer();
    let result;
    try {
      result = this.transformReply(value, isBytes);
    } catch (err) {
      this.reject(err);
      return this._promise;
    }
    this.isResolved = true;
    this._settle(1, result);
    return this._promise;
  }

  /** Settles the promise (or notes the outcome for a promise not made yet); tells the pipeline. */
  _settle(outcome, value) {
    if (this._outcome !== 0) return;
    this._outcome = outcome;
    if (this._promise !== undefined) {
      if (outcome === 1) this._resolvePromise(value);
      else if (this._noteAwaitSite(value)) this._resolvePromise(awaitSiteRejection(value));
      else this._rejectPromise(value);
    } else {
      this._value = value;
    }
    if (this.pipeline !== undefined) {
      this.pipeline.fillResult(outcome === 1 ? [null, value] : [value], this.pipelineIndex);
    }
  }

  /** Whether a rejection with `err` notes where the command is awaited (see `CALL_SITE`). */
  _noteAwaitSite(err) {
    return platform.captureCallSites && this.callSite === undefined && err !== null && typeof err === 'object' && !(CALL_SITE in err);
  }

  reject(err) {
    if (this._timer) this._clearTimer();
    if (this.errorStack !== undefined) err = friendlyStack(err, this.errorStack);
    if (this.callSite !== undefined && err !== null && typeof err === 'object' && !(CALL_SITE in err)) {
      try {
        Object.defineProperty(err, CALL_SITE, { value: this.callSite });
      } catch {
        // A frozen error keeps no call site; its own stack is all there is.
      }
    }
    this._settle(2, err);
  }

  /** `commandTimeout`: rejects with "Command timed out" if no reply comes in time. */
  setTimeout(ms) {
    if (this._timer) return;
    this._timer = platform.setTimeout(() => {
      if (!this.isResolved) this.reject(new Error('Command timed out'));
    }, ms);
  }

  _clearTimer() {
    if (this._timer) {
      platform.clearTimeout(this._timer);
      this._timer = undefined;
    }
  }
}
