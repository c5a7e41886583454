//! The node-redis v4 style (`import { createClient } from 'redis'`), over the same connections
//! as the ioredis-compatible client: `await client.connect()`, camelCase and UPPERCASE methods
//! for every command node-redis 4.7 has, with its arguments and reply shapes (`hGetAll` →
//! object, `set(k, v, { EX: 60 })`, `zAdd(k, { score, value })`, `sIsMember` → boolean, `scan`
//! → `{ cursor, keys }`, `xRange` → `{ id, message }`…: the table is `node-redis-commands.js`),
//! `multi()…exec()`, `subscribe(channel, listener)`, `quit()`, `disconnect()`, scan iterators.
//! Any other Redis command is there by its name, in upper and lower case, with its arguments
//! flattened and its reply untouched.

import { Redis } from './redis.js';
import { isDirectCommand } from './commander.js';
import { Command, CALL_SITE } from './command.js';
import { ReplyError } from './errors.js';
import { platform, initEmitter, emitterMixin } from './platform.js';
import { COMMANDS } from './commands.generated.js';
import { SPECS, str, list } from './node-redis-commands.js';
import { sha1Hex } from './sha1.js';

/** An error reply from the server, as node-redis 4 names it. */
export class ErrorReply extends Error {
  constructor(message) {
    super(message);
    this.stack = undefined;
  }
}

/** EXEC answered with some errors: `replies` holds every reply, `errorIndexes` where they failed. */
export class MultiErrorReply extends ErrorReply {
  constructor(replies, errorIndexes) {
    super(`${errorIndexes.length} commands failed, see .replies and .errorIndexes for more information`);
    this.replies = replies;
    this.errorIndexes = errorIndexes;
  }

  *errors() {
    for (const index of this.errorIndexes) yield this.replies[index];
  }
}

export class ClientClosedError extends Error {
  constructor() {
    super('The client is closed');
  }
}

export class DisconnectsClientError extends Error {
  constructor() {
    super('Disconnects client');
  }
}

export class SocketClosedUnexpectedlyError extends Error {
  constructor() {
    super('Socket closed unexpectedly');
  }
}

export class WatchError extends Error {
  constructor() {
    super('One (or more) of the watched keys has been changed');
  }
}

// node-redis 4's other error classes, for code that imports them (`instanceof` checks): no
// connection here times out, aborts, goes offline or gives up reconnecting, so none is thrown.
export class AbortError extends Error {
  constructor() {
    super('The command was aborted');
  }
}

export class ConnectionTimeoutError extends Error {
  constructor() {
    super('Connection timeout');
  }
}

export class ClientOfflineError extends Error {
  constructor() {
    super('The client is offline');
  }
}

export class RootNodesUnavailableError extends Error {
  constructor() {
    super('All the root nodes are unavailable');
  }
}

export class ReconnectStrategyError extends Error {
  constructor(originalError, socketError) {
    super(originalError.message);
    this.originalError = originalError;
    this.socketError = socketError;
  }
}

/** The names the `redis` package (node-redis 4) exports that this module answers. */
export const NODE_REDIS_EXPORTS = [
  'createClient',
  'defineScript',
  'commandOptions',
  'ErrorReply',
  'MultiErrorReply',
  'WatchError',
  'AbortError',
  'ConnectionTimeoutError',
  'ClientClosedError',
  'ClientOfflineError',
  'DisconnectsClientError',
  'SocketClosedUnexpectedlyError',
  'RootNodesUnavailableError',
  'ReconnectStrategyError',
];

const OPTIONS = Symbol('command options');

/** `client.get(commandOptions({ returnBuffers: true }), key)`: options for one command. */
export function commandOptions(options) {
  return { ...options, [OPTIONS]: true };
}

function upperName(name) {
  return name.toUpperCase();
}

/**
 * How each command method shapes its call: name → (args) → [command line, reply shape?]. The
 * table's commands (their UPPER and camelCase names), then every other command ioredis knows by
 * its UPPER name and its lower-case name (node-redis's name for one-word commands), its
 * arguments flattened and its reply untouched.
 */
function commandShapes() {
  const shapes = {};
  for (const [upper, [camel, toArgs, toReply]] of Object.entries(SPECS)) {
    const shape = (args) => {
      const argv = toArgs(...args);
      // A reply shaped by what was asked (GEOSEARCH's WITHDIST…) gets the request's choice.
      const { replyWith } = argv;
      return [argv, replyWith && toReply ? (reply) => toReply(reply, replyWith) : toReply];
    };
    shapes[upper] = shape;
    shapes[camel] = shape;
  }
  for (const name of Object.keys(COMMANDS)) {
    const upper = upperName(name);
    if (shapes[upper] || name.includes('|')) continue;
    const shape = (args) => {
      const argv = [upper];
      for (const a of args.flat()) argv.push(str(a));
      return [argv, undefined];
    };
    shapes[upper] = shape;
    if (!shapes[name]) shapes[name] = shape;
  }
  return shapes;
}

const SHAPES = commandShapes();

/** node-redis sends strings and bytes only: anything else fails the command, unsent. */
function invalidArgs(argv) {
  for (const arg of argv) if (typeof arg !== 'string' && !platform.isBytes(arg)) return true;
  return false;
}

const INVALID_ARGS = 'Invalid argument type';

function takeOptions(args) {
  return args.length && args[0] && args[0][OPTIONS] ? args.shift() : undefined;
}

/**
 * node-redis 4's `defineScript({ SCRIPT, NUMBER_OF_KEYS, transformArguments, transformReply })`:
 * the script with its digest, for `createClient({ scripts: { name: script } })`.
 */
export function defineScript(script) {
  return { ...script, SHA1: sha1Hex(script.SCRIPT) };
}

/**
 * A script's command line, as node-redis builds it: `name` (EVAL or EVALSHA) and the script's
 * text or digest, its number of keys when it declares one, then what `transformArguments`
 * made of the call's arguments (its `preserve`, for `transformReply`, is kept on the line).
 */
function scriptArgs(script, name, args) {
  const argv = [name, name === 'EVAL' ? script.SCRIPT : script.SHA1];
  if (script.NUMBER_OF_KEYS !== undefined) argv.push(script.NUMBER_OF_KEYS.toString());
  const own = script.transformArguments(...args);
  argv.push(...own);
  argv.preserve = own.preserve;
  return argv;
}

function scriptReply(script, preserve) {
  return script.transformReply ? (reply) => script.transformReply(reply, preserve) : undefined;
}

/** Gives `target` a method per script of `scripts` (not enumerable, as prototype methods are). */
function attachScripts(target, scripts, run) {
  if (!scripts) return;
  for (const [name, script] of Object.entries(scripts)) {
    Object.defineProperty(target, name, {
      value: (...args) => run(script, args),
      writable: true,
      configurable: true,
    });
  }
}

/**
 * node-redis 4's `functions` option, `{ library: { name: { NUMBER_OF_KEYS, IS_READ_ONLY,
 * transformArguments, transformReply } } }`: each library becomes an object of `target` with a
 * method per function, which `run(name, fn, args)` calls.
 */
function attachFunctions(target, functions, run) {
  if (!functions) return;
  for (const [library, fns] of Object.entries(functions)) {
    const namespace = {};
    for (const [name, fn] of Object.entries(fns)) namespace[name] = (...args) => run(name, fn, args);
    Object.defineProperty(target, library, { value: namespace, writable: true, configurable: true });
  }
}

/**
 * A function call's command line, as node-redis builds it: FCALL (FCALL_RO for a function
 * declared `IS_READ_ONLY`), the name, its number of keys when it declares one, then what
 * `transformArguments` made of the call's arguments.
 */
function functionArgs(name, fn, own) {
  const argv = [fn.IS_READ_ONLY ? 'FCALL_RO' : 'FCALL', name];
  if (fn.NUMBER_OF_KEYS !== undefined) argv.push(fn.NUMBER_OF_KEYS.toString());
  argv.push(...own);
  return argv;
}

function toErrorReply(err) {
  if (err instanceof ReplyError) {
    const reply = new ErrorReply(err.message);
    if (err[CALL_SITE] !== undefined) Object.defineProperty(reply, CALL_SITE, { value: err[CALL_SITE] });
    return reply;
  }
  return err;
}

/** Whether a reply is the word `pong` (text or bytes), as PING answers a subscribed connection. */
function isPong(value) {
  if (typeof value === 'string') return value === 'pong';
  return platform.isBytes(value) && value.length === 4 && platform.bytesToString(value) === 'pong';
}

function asText(value) {
  return typeof value === 'string' ? value : platform.bytesToString(value);
}

function transformReply(toReply, reply) {
  return toReply ? toReply(reply) : reply;
}

/** Queues a command on an ioredis pipeline without ioredis's transformers (see `_run`). */
function queueUntransformed(pipeline, args) {
  const options = { replyEncoding: 'utf8', untransformed: true, queued: true };
  pipeline.sendCommand(new Command(args[0], args.slice(1), options));
}

/** `client.multi()`: commands chained, sent as MULTI … EXEC by `exec()`. */
export class RedisMultiCommand {
  constructor(client) {
    this._client = client;
    this._queue = [];
    // node-redis sends a script's text with its first use in a transaction, then its digest.
    this._scriptsInUse = new Set();
    attachScripts(this, client.options.scripts, (script, args) => this.addScript(script, args));
    attachFunctions(this, client.options.functions, (name, fn, args) => this.addFunction(name, fn, args));
  }

  /**
   * Queues a function call (the chain's `client.multi().library.name(…)`). As in node-redis, the
   * `preserve` of `transformArguments` does not reach `transformReply` in a transaction.
   */
  addFunction(name, fn, args) {
    const argv = functionArgs(name, fn, fn.transformArguments(...args));
    return this.addCommand(argv, fn.transformReply ? (reply) => fn.transformReply(reply, undefined) : undefined);
  }

  /** Queues a script defined with `defineScript` (the chain's `client.multi().myScript(…)`). */
  addScript(script, args) {
    const first = !this._scriptsInUse.has(script.SHA1);
    this._scriptsInUse.add(script.SHA1);
    const argv = scriptArgs(script, first ? 'EVAL' : 'EVALSHA', args);
    return this.addCommand(argv, scriptReply(script, argv.preserve));
  }

  addCommand(args, toReply) {
    this._queue.push({ args, toReply });
    return this;
  }

  /** SELECT in the transaction: once it has run, the client's selected database (see `select`). */
  select(...args) {
    takeOptions(args);
    this._selectedDB = args[0];
    return this.addCommand(['SELECT', str(args[0])]);
  }

  SELECT(...args) {
    return this.select(...args);
  }

  /** Runs the transaction: the replies, transformed; rejects on errors as node-redis 4 does. */
  async exec(execAsPipeline = false) {
    if (execAsPipeline) return this.execAsPipeline();
    const client = this._client;
    if (!client.isOpen) throw new ClientClosedError();
    const redis = client._inner;
    const pipeline = redis.pipeline();
    pipeline.call('MULTI');
    // A command with an argument node-redis cannot send is left out and fails the whole exec()
    // (after the others ran, as node-redis's does).
    const queue = this._queue.filter(({ args }) => !invalidArgs(args));
    for (const { args } of queue) queueUntransformed(pipeline, args);
    pipeline.call('EXEC');
    const results = await pipeline.exec();
    if (queue.length !== this._queue.length) throw new TypeError(INVALID_ARGS);
    // A command refused while queueing makes EXEC answer EXECABORT, which is what rejects.
    // MULTI refused (a subscribed connection) is the first failure node-redis sees.
    const [multiError] = results[0];
    if (multiError) throw toErrorReply(multiError);
    const [execError, replies] = results[results.length - 1];
    if (execError) throw toErrorReply(execError);
    // node-redis notes the database as soon as the transaction went through, watched keys
    // changed or not.
    if (this._selectedDB !== undefined) client._selectDB(this._selectedDB);
    if (replies === null) throw new WatchError();
    const errorIndexes = [];
    const out = replies.map((reply, i) => {
      if (reply instanceof Error) {
        errorIndexes.push(i);
        return toErrorReply(reply);
      }
      return transformReply(queue[i].toReply, reply);
    });
    if (errorIndexes.length) throw new MultiErrorReply(out, errorIndexes);
    return out;
  }

  /** The same commands as a plain pipeline (no MULTI). */
  async execAsPipeline() {
    const client = this._client;
    if (!client.isOpen) throw new ClientClosedError();
    if (this._queue.length === 0) return [];
    const queue = this._queue.filter(({ args }) => !invalidArgs(args));
    const results = [];
    if (queue.length) {
      const pipeline = client._inner.pipeline();
      for (const { args } of queue) queueUntransformed(pipeline, args);
      results.push(...(await pipeline.exec()));
    }
    if (queue.length !== this._queue.length) throw new TypeError(INVALID_ARGS);
    const out = results.map(([err, reply], i) => {
      if (err) throw toErrorReply(err);
      return transformReply(queue[i].toReply, reply);
    });
    if (this._selectedDB !== undefined) client._selectDB(this._selectedDB);
    return out;
  }
}

/**
 * Readies `prototype` for the command methods, some 1,800 added one by one: V8 keeps a class's
 * prototype in a fast form in which every property added reshapes it, which cost 20 to 60 ms
 * per prototype at import. Deleting a property other than the last one added turns it into its
 * dictionary form, where additions are cheap (V8 turns it into that form anyway past about
 * 1,000 properties); calls measured as fast as before. (The ioredis-style `Commander` is left
 * as it is: its `get` and `set` measured slower from a prototype prepared so.)
 */
function prepareForManyMethods(prototype) {
  const first = Symbol('first');
  const second = Symbol('second');
  prototype[first] = undefined;
  prototype[second] = undefined;
  delete prototype[first];
  delete prototype[second];
}

prepareForManyMethods(RedisMultiCommand.prototype);
for (const [name, shape] of Object.entries(SHAPES)) {
  if (Object.prototype.hasOwnProperty.call(RedisMultiCommand.prototype, name)) continue;
  // Shaping errors throw at once, as node-redis's chain methods do.
  RedisMultiCommand.prototype[name] = function queue(...args) {
    takeOptions(args);
    const [argv, toReply] = shape(args);
    return this.addCommand(argv, toReply);
  };
}

function parseClientOptions(options = {}) {
  const out = {};
  if (options.url) {
    const url = new URL(options.url);
    if (url.hostname) out.host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.port) out.port = Number(url.port);
    if (url.username) out.username = decodeURIComponent(url.username);
    if (url.password) out.password = decodeURIComponent(url.password);
    if (url.pathname && url.pathname.length > 1) out.db = Number(url.pathname.slice(1));
  }
  const socket = options.socket || {};
  if (socket.host) out.host = socket.host;
  if (socket.port) out.port = socket.port;
  if (socket.path) out.path = socket.path;
  if (options.username) out.username = options.username;
  if (options.password) out.password = options.password;
  if (options.database !== undefined) out.db = options.database;
  if (options.name) out.connectionName = options.name;
  return out;
}

/**
 * A client tracking invalidation on `__redis__:invalidate` as node-redis 4 gives it to a string
 * listener: the array of keys as strings, or null (after FLUSHALL/FLUSHDB).
 */
function invalidatedKeys(message) {
  if (message === null || message === undefined) return null;
  if (!Array.isArray(message)) return platform.bytesToString(message);
  return message.map((key) => (key === null ? null : platform.bytesToString(key)));
}

/** A node-redis 4 style client (`createClient`). Not connected until `connect()`. */
export class RedisClient {
  constructor(options = {}) {
    initEmitter(this);
    this.options = options;
    this.isOpen = false;
    this.isReady = false;
    this._subscriptions = new Map();
    this._inner = null;
    this._quitting = false;
    // The database `select()` chose, which a new connection selects again (node-redis's
    // `#selectedDB`); until then the one of the options.
    this._selectedDB = undefined;
    // executeIsolated's connection (node-redis's pool holds one by default) and its queue.
    this._isolation = { open: true, client: null, turn: Promise.resolve() };
    attachScripts(this, options.scripts, (script, args) => this._runScript(script, args));
    attachFunctions(this, options.functions, (name, fn, args) => this._runFunction(name, fn, args));
  }

  /** Calls a function given in the `functions` option, as node-redis does. */
  async _runFunction(name, fn, args) {
    const options = takeOptions(args);
    const own = fn.transformArguments(...args);
    const reply = await this._run(functionArgs(name, fn, own), options);
    return fn.transformReply ? fn.transformReply(reply, own.preserve) : reply;
  }

  /**
   * Runs a script defined with `defineScript` as node-redis does: EVALSHA, and EVAL with the
   * script's text when the server answers NOSCRIPT.
   */
  async _runScript(script, args) {
    const options = takeOptions(args);
    const argv = scriptArgs(script, 'EVALSHA', args);
    let reply;
    try {
      reply = await this._run(argv, options);
    } catch (err) {
      if (!err?.message?.startsWith?.('NOSCRIPT')) throw err;
      argv[0] = 'EVAL';
      argv[1] = script.SCRIPT;
      reply = await this._run(argv, options);
    }
    return script.transformReply ? script.transformReply(reply, argv.preserve) : reply;
  }

  static commandOptions(options) {
    return commandOptions(options);
  }

  commandOptions(options) {
    return commandOptions(options);
  }

  get isPubSubActive() {
    return this._subscriptions.size > 0;
  }

  /** Opens the connection; resolves with the client once it is ready. */
  async connect() {
    if (this.isOpen) throw new Error('Socket already opened');
    this.isOpen = true;
    this._quitting = false;
    if (!this._isolation.open) this._isolation = { open: true, client: null, turn: Promise.resolve() };
    const options = parseClientOptions(this.options);
    if (this._selectedDB !== undefined) options.db = this._selectedDB;
    // node-redis sends no INFO before it is ready (a server asking for a password lets it
    // connect: its commands then get NOAUTH).
    const inner = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: null, enableReadyCheck: false });
    inner._nodeRedis = true;
    this._inner = inner;
    let connected = false;
    // Events of a connection this client has left (closed by `disconnect()` or `quit()`, maybe
    // after `connect()` made the next one) are not its own any more.
    const current = (handler) => (...args) => {
      if (this._inner === inner) handler(...args);
    };
    inner.on('connect', current(() => this.emit('connect')));
    inner.on(
      'ready',
      current(() => {
        this.isReady = true;
        if (connected) this.emit('ready');
      }),
    );
    inner.on(
      'close',
      current(() => {
        this.isReady = false;
        if (!this._quitting && this.isOpen && this.listenerCount('error') > 0) {
          this.emit('error', new SocketClosedUnexpectedlyError());
        }
      }),
    );
    inner.on('reconnecting', current(() => this.emit('reconnecting')));
    inner.on(
      'error',
      current((err) => {
        if (this.listenerCount('error') > 0) this.emit('error', err);
      }),
    );
    inner.on('messageBuffer', current((channel, message) => this._dispatch('c', channel, channel, message)));
    inner.on('pmessageBuffer', current((pattern, channel, message) => this._dispatch('p', pattern, channel, message)));
    inner.on('smessageBuffer', current((channel, message) => this._dispatch('s', channel, channel, message)));
    await inner.connect();
    // The channels and patterns listened to before `disconnect()`/`quit()` are subscribed
    // again before the client is ready, as node-redis's queue does.
    await this._resubscribe(inner);
    connected = true;
    this.isReady = true;
    this.emit('ready');
    return this;
  }

  /** Subscribes a new connection to every channel and pattern that has listeners. */
  async _resubscribe(inner) {
    const byKind = { c: [], p: [], s: [] };
    for (const key of this._subscriptions.keys()) byKind[key[0]].push(key.slice(2));
    const sends = [];
    if (byKind.c.length) sends.push(inner.subscribe(...byKind.c));
    if (byKind.p.length) sends.push(inner.psubscribe(...byKind.p));
    if (byKind.s.length) sends.push(inner.ssubscribe(...byKind.s));
    await Promise.all(sends).catch((err) => {
      throw toErrorReply(err);
    });
  }

  /**
   * SELECT as node-redis 4's `select(db)`: resolves with nothing, and a connection made later
   * (`connect()` after `disconnect()`, a reconnection) selects that database again.
   */
  async select(...args) {
    const options = takeOptions(args);
    const db = args[0];
    await this._run(['SELECT', str(db)], options);
    this._selectDB(db);
  }

  SELECT(...args) {
    return this.select(...args);
  }

  /** Remembers `db` as the selected database, for this connection's reconnections too. */
  _selectDB(db) {
    this._selectedDB = Number(db);
    if (this._inner) this._inner.condition.select = this._selectedDB;
  }

  _run(argv, options, toReply) {
    if (!this.isOpen) return Promise.reject(new ClientClosedError());
    return this._send(argv, options, toReply);
  }

  /** Sends a command on the connection, open or closing (QUIT); see `_run`. */
  _send(argv, options, toReply) {
    if (invalidArgs(argv)) return Promise.reject(new TypeError(INVALID_ARGS));
    const encoding = options && options.returnBuffers ? null : 'utf8';
    const inner = this._inner;
    const name = argv[0];
    // The inner client's direct path when it may take it (see `Redis#_sendDirect`), else a
    // `Command` on its general path; never with ioredis's argument and reply transformers
    // (`sendCommand(['hgetall', k])` answers the flat array, as node-redis does).
    const stream = isDirectCommand(name) ? inner._directStream() : null;
    const sent =
      stream !== null
        ? inner._sendDirect(stream, name, encoding, argv, undefined, undefined)
        : inner.sendCommand(new Command(name, argv.slice(1), { replyEncoding: encoding, untransformed: true }));
    return sent.then(
      (reply) => {
        // While the client listens, node-redis reads replies as bytes (QUIT answers a Buffer),
        // except PING's, a message-like array it answers as text ("pong" when PING had none).
        if (this._subscriptions.size !== 0) {
          if (Array.isArray(reply) && reply.length === 2 && isPong(reply[0])) {
            const text = reply[1].length === 0 ? reply[0] : reply[1];
            return encoding === null ? text : asText(text);
          }
          if (typeof reply === 'string') return platform.bytesFromString(reply);
        }
        return transformReply(toReply, reply);
      },
      (err) => {
        throw toErrorReply(err);
      },
    );
  }

  /** Sends a command given as an array of strings: `sendCommand(['SET', 'k', 'v'])`. */
  sendCommand(args, options) {
    return this._run(args, options);
  }

  multi() {
    return new RedisMultiCommand(this);
  }

  MULTI() {
    return this.multi();
  }

  /**
   * Runs `fn` with a connection of its own (for blocking commands, WATCH…), as node-redis's
   * isolation pool does with its default size of one: calls take turns on one duplicate.
   */
  executeIsolated(fn) {
    const isolation = this._isolation;
    if (!isolation.open) return Promise.reject(new ClientClosedError());
    const run = isolation.turn.then(async () => {
      if (!isolation.client) {
        const client = this.duplicate();
        client.on('error', (err) => {
          if (this.listenerCount('error') > 0) this.emit('error', err);
        });
        await client.connect();
        isolation.client = client;
      }
      return fn(isolation.client);
    });
    isolation.turn = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  _closeIsolation() {
    const isolation = this._isolation;
    isolation.open = false;
    if (isolation.client && isolation.client.isOpen) isolation.client.disconnect().catch(() => {});
  }

  async quit() {
    if (!this.isOpen) throw new ClientClosedError();
    this._closeIsolation();
    this._quitting = true;
    // Closed at once, as node-redis's socket is: commands sent from now fail with
    // ClientClosedError, while QUIT itself goes out.
    this.isOpen = false;
    let reply;
    try {
      reply = await this._send(['QUIT']);
    } finally {
      this.isReady = false;
    }
    await new Promise((resolve) => {
      if (this._inner.status === 'end') resolve();
      else this._inner.once('end', resolve);
    });
    this.emit('end');
    return reply;
  }

  QUIT() {
    return this.quit();
  }

  async disconnect() {
    if (!this.isOpen) throw new ClientClosedError();
    this._closeIsolation();
    this._quitting = true;
    this.isOpen = false;
    this.isReady = false;
    this._inner.flushQueue(new DisconnectsClientError());
    this._inner.disconnect();
    this.emit('end');
  }

  /** Open clients never keep Node alive here: `ref()` and `unref()` change nothing. */
  ref() {}

  unref() {}

  duplicate(overrides) {
    return new RedisClient({ ...this.options, ...overrides });
  }

  /**
   * Calls a channel's (or pattern's) listeners as node-redis 4 does: those that asked for
   * buffers first, with the message as received, then the others with text.
   */
  _dispatch(kind, key, channel, message) {
    const name = typeof key === 'string' ? key : platform.bytesToString(key);
    const sets = this._subscriptions.get(`${kind}:${name}`);
    if (!sets) return;
    for (const listener of sets.buffers) listener(message, channel);
    if (sets.strings.size === 0) return;
    const channelText = platform.bytesToString(channel);
    const messageText = channelText === '__redis__:invalidate' ? invalidatedKeys(message) : platform.bytesToString(message);
    for (const listener of sets.strings) listener(messageText, channelText);
  }

  /**
   * SUBSCRIBE (PSUBSCRIBE, SSUBSCRIBE) as node-redis 4 sends it: only the channels this client
   * has no listener on yet; once the server answers, `listener` joins the set of each channel
   * (a listener given twice is called once).
   */
  async _subscribe(kind, command, channels, listener, buffers) {
    if (!this.isOpen) throw new ClientClosedError();
    // Channels as given (bytes stay bytes on the wire); the listener map keys them as text.
    const names = list(channels);
    const fresh = names.filter((name) => {
      const sets = this._subscriptions.get(`${kind}:${name}`);
      return !sets || sets.unsubscribing;
    });
    if (fresh.length) {
      await this._inner[command](...fresh).catch((err) => {
        throw toErrorReply(err);
      });
    }
    for (const name of names) {
      const key = `${kind}:${name}`;
      let sets = this._subscriptions.get(key);
      if (!sets) {
        sets = { unsubscribing: false, buffers: new Set(), strings: new Set() };
        this._subscriptions.set(key, sets);
      }
      (buffers ? sets.buffers : sets.strings).add(listener);
    }
  }

  /**
   * UNSUBSCRIBE (…) as node-redis 4 sends it: without channels, all of them; without a listener,
   * the channels given; with a listener (of buffers when `buffers`), only the channels it was
   * the last listener of, and none at all if every channel keeps another.
   */
  async _unsubscribe(kind, command, channels, listener, buffers) {
    if (!this.isOpen) throw new ClientClosedError();
    const prefix = `${kind}:`;
    const send = async (names, then) => {
      await this._inner[command](...names).catch((err) => {
        throw toErrorReply(err);
      });
      then();
    };
    if (!channels) {
      return send([], () => {
        for (const key of [...this._subscriptions.keys()]) if (key.startsWith(prefix)) this._subscriptions.delete(key);
      });
    }
    const names = list(channels);
    if (!listener) {
      return send(names, () => {
        for (const name of names) this._subscriptions.delete(prefix + name);
      });
    }
    const leave = [];
    for (const name of names) {
      const sets = this._subscriptions.get(prefix + name);
      if (sets) {
        const [current, other] = buffers ? [sets.buffers, sets.strings] : [sets.strings, sets.buffers];
        const left = current.has(listener) ? current.size - 1 : current.size;
        if (left !== 0 || other.size !== 0) continue;
        sets.unsubscribing = true;
      }
      leave.push(name);
    }
    const forget = () => {
      for (const name of names) {
        const sets = this._subscriptions.get(prefix + name);
        if (!sets) continue;
        (buffers ? sets.buffers : sets.strings).delete(listener);
        if (sets.buffers.size === 0 && sets.strings.size === 0) this._subscriptions.delete(prefix + name);
      }
    };
    if (leave.length === 0) return forget();
    return send(leave, forget);
  }

  subscribe(channels, listener, bufferMode) {
    return this._subscribe('c', 'subscribe', channels, listener, bufferMode);
  }

  unsubscribe(channels, listener, bufferMode) {
    return this._unsubscribe('c', 'unsubscribe', channels, listener, bufferMode);
  }

  pSubscribe(patterns, listener, bufferMode) {
    return this._subscribe('p', 'psubscribe', patterns, listener, bufferMode);
  }

  pUnsubscribe(patterns, listener, bufferMode) {
    return this._unsubscribe('p', 'punsubscribe', patterns, listener, bufferMode);
  }

  sSubscribe(channels, listener, bufferMode) {
    return this._subscribe('s', 'ssubscribe', channels, listener, bufferMode);
  }

  sUnsubscribe(channels, listener, bufferMode) {
    return this._unsubscribe('s', 'sunsubscribe', channels, listener, bufferMode);
  }

  async *scanIterator(options) {
    yield* walkCursor((cursor) => this.scan(cursor, options), 'keys');
  }

  async *hScanIterator(key, options) {
    yield* walkCursor((cursor) => this.hScan(key, cursor, options), 'tuples');
  }

  async *hScanNoValuesIterator(key, options) {
    yield* walkCursor((cursor) => this.hScanNoValues(key, cursor, options), 'keys');
  }

  async *sScanIterator(key, options) {
    yield* walkCursor((cursor) => this.sScan(key, cursor, options), 'members');
  }

  async *zScanIterator(key, options) {
    yield* walkCursor((cursor) => this.zScan(key, cursor, options), 'members');
  }
}

/** A SCAN-family walk from cursor 0 back to 0: the items under `field` of each reply, in turn. */
async function* walkCursor(scan, field) {
  let cursor = 0;
  do {
    const reply = await scan(cursor);
    cursor = reply.cursor;
    yield* reply[field];
  } while (cursor !== 0);
}

prepareForManyMethods(RedisClient.prototype);
for (const [name, shape] of Object.entries(SHAPES)) {
  if (Object.prototype.hasOwnProperty.call(RedisClient.prototype, name)) continue;
  // Shaping errors (a missing argument…) reject, as node-redis's async command methods do.
  RedisClient.prototype[name] = function command(...args) {
    const options = takeOptions(args);
    let shaped;
    try {
      shaped = shape(args);
    } catch (err) {
      return Promise.reject(err);
    }
    return this._run(shaped[0], options, shaped[1]);
  };
}
for (const [upper, lower] of [
  ['SUBSCRIBE', 'subscribe'],
  ['UNSUBSCRIBE', 'unsubscribe'],
  ['PSUBSCRIBE', 'pSubscribe'],
  ['PUNSUBSCRIBE', 'pUnsubscribe'],
  ['SSUBSCRIBE', 'sSubscribe'],
  ['SUNSUBSCRIBE', 'sUnsubscribe'],
]) {
  RedisClient.prototype[upper] = RedisClient.prototype[lower];
}
emitterMixin(RedisClient);

/** node-redis 4's `createClient(options)`: `url`, `socket: { host, port }`, `database`, … */
export function createClient(options) {
  return new RedisClient(options);
}
