//! The ioredis-compatible client (`Redis`). It follows ioredis 5's own state machine (status
//! values and events, the offline queue, the command queue matched against replies, subscriber
//! mode, reconnection with resubscription), but talks to a server through a transport (see
//! README's architecture section) instead of a socket: `platform.transport.server(options)`
//! gives the server for these options, whose `open()` gives a connection with
//! `call(argv, buffers)` (replies, or a promise of them), `setListener({output, closed})` and
//! `close()`.

import { Commander, isDirectCommand } from './commander.js';
import { Command, FLAG, flagsOf } from './command.js';
import { Deque } from './deque.js';
import { ReplyError, AbortError, MaxRetriesPerRequestError, CONNECTION_CLOSED_ERROR_MSG, toReplyErrors } from './errors.js';
import { platform, initEmitter, emitterMixin, toHostBytes } from './platform.js';
import { addTransactionSupport, Pipeline } from './pipeline.js';
import { createScanStream, ScanStream } from './scan-stream.js';
import { SubscriptionSet } from './subscription-set.js';
import { parseURL, defaults, isInt } from './url.js';
import { isLoadingCommand } from './keys.js';

const noop = () => {};

/**
 * ioredis's callback that prints its outcome: `redis.get('k', print)` logs `Reply: v`, or
 * `Error: ` and the error. The strings are joined with `+`, as ioredis joins them.
 */
export function print(err, reply) {
  if (err) console.log('Error: ' + err);
  else console.log('Reply: ' + reply);
}

/**
 * The TypeError ioredis throws for a command whose name is not a string (`call(123)`, a name
 * given as bytes): it lower-cases the name as it sends the command, which fails there,
 * synchronously, for anything without a `toLowerCase` method.
 */
function commandNameError(name) {
  return new TypeError(
    name === null || name === undefined
      ? `Cannot read properties of ${name} (reading 'toLowerCase')`
      : 'commandName.toLowerCase is not a function',
  );
}

/** The ioredis version this client follows (sent as CLIENT SETINFO LIB-VER, as ioredis does). */
const IOREDIS_VERSION = '5.11.1';

/** ioredis 5's default options. Those about sockets, TLS and Sentinel are accepted and unused. */
export const DEFAULT_REDIS_OPTIONS = {
  port: 6379,
  host: 'localhost',
  family: 0,
  connectTimeout: 10000,
  disconnectTimeout: 2000,
  retryStrategy(times) {
    return Math.min(times * 50, 2000);
  },
  keepAlive: 0,
  noDelay: true,
  connectionName: null,
  disableClientInfo: false,
  clientInfoTag: undefined,
  sentinels: null,
  name: null,
  role: 'master',
  sentinelRetryStrategy(times) {
    return Math.min(times * 10, 1000);
  },
  sentinelReconnectStrategy() {
    return 60000;
  },
  natMap: null,
  enableTLSForSentinelMode: false,
  updateSentinels: true,
  failoverDetector: false,
  username: null,
  password: null,
  db: 0,
  enableOfflineQueue: true,
  enableReadyCheck: true,
  autoResubscribe: true,
  autoResendUnfulfilledCommands: true,
  lazyConnect: false,
  keyPrefix: '',
  reconnectOnError: null,
  readOnly: false,
  stringNumbers: false,
  maxRetriesPerRequest: 20,
  maxLoadingRetryTime: 10000,
  enableAutoPipelining: false,
  autoPipeliningIgnoredCommands: [],
  sentinelMaxConnections: 10,
  blockingTimeoutGrace: 100,
};

const remainingReplies = new WeakMap();

/** Counts the replies of a SUBSCRIBE with several channels; resolves it with the last count. */
function fillSubCommand(command, count) {
  let remaining = remainingReplies.has(command) ? remainingReplies.get(command) : command.args.length;
  remaining -= 1;
  if (remaining <= 0) {
    command.resolve(count);
    remainingReplies.delete(command);
    return true;
  }
  remainingReplies.set(command, remaining);
  return false;
}

/** The same for UNSUBSCRIBE; without arguments it waits for the reply whose count is 0. */
function fillUnsubCommand(command, count) {
  let remaining = remainingReplies.has(command) ? remainingReplies.get(command) : command.args.length;
  if (remaining === 0) {
    if (Number(count) === 0) {
      remainingReplies.delete(command);
      command.resolve(count);
      return true;
    }
    return false;
  }
  remaining -= 1;
  if (remaining <= 0) {
    command.resolve(count);
    return true;
  }
  remainingReplies.set(command, remaining);
  return false;
}

/**
 * A reply as ioredis reads it with `stringNumbers`: integers as their decimal text, also inside
 * arrays (transactions' and scripts' replies). The in-process transport gives them so already,
 * exact past 2^53 too; from a transport that gives numbers they are exact up to 2^53 (past it
 * a number was rounded as a JS RESP parser rounds it).
 */
function numbersAsStrings(reply) {
  if (typeof reply === 'number') return String(reply);
  return Array.isArray(reply) ? reply.map(numbersAsStrings) : reply;
}

/**
 * A reply part as ioredis's `toString()` of it: bytes decoded, an array (the keys of a client
 * tracking invalidation message) as `Array#toString` joins it, with commas, `null` items empty.
 */
function text(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => (item === null || item === undefined ? '' : text(item))).join(',');
  if (typeof value === 'number') return String(value);
  return platform.bytesToString(value);
}

/** A reply part as ioredis hands it to `…Buffer` events: bytes, arrays of them, or null. */
function bytes(value) {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(bytes);
  if (typeof value === 'number') return platform.bytesFromString(String(value));
  return typeof value === 'string' ? platform.bytesFromString(value) : platform.wrapBytes(value);
}

function abortError(command) {
  const err = new AbortError('Command aborted due to connection close');
  err.command = { name: command.name, args: command.args };
  return err;
}

/** Pipelined commands whose first replies were already read cannot be resent: abort them. */
function abortIncompletePipelines(commandQueue) {
  let expectedIndex = 0;
  for (let i = 0; i < commandQueue.length; ) {
    const command = commandQueue.peekAt(i).command;
    const { pipelineIndex } = command;
    if (pipelineIndex === undefined || pipelineIndex === 0) expectedIndex = 0;
    if (pipelineIndex !== undefined && pipelineIndex !== expectedIndex++) {
      commandQueue.remove(i, 1);
      command.reject(abortError(command));
      continue;
    }
    i++;
  }
}

/** Parts of a transaction left in the offline queue cannot run alone: abort them. */
function abortTransactionFragments(commandQueue) {
  for (let i = 0; i < commandQueue.length; ) {
    const command = commandQueue.peekAt(i).command;
    if (command.name === 'multi') break;
    if (command.name === 'exec') {
      commandQueue.remove(i, 1);
      command.reject(abortError(command));
      break;
    }
    if (command.inTransaction) {
      commandQueue.remove(i, 1);
      command.reject(abortError(command));
    } else {
      i++;
    }
  }
}

/** Opens connections to the server the options name, through the installed transport. */
class Connector {
  constructor(options) {
    this.options = options;
    this.connecting = false;
    this.stream = null;
  }

  connect() {
    this.connecting = true;
    return new Promise((resolve, reject) => {
      platform.nextTick(() => {
        if (!this.connecting) {
          reject(new Error(CONNECTION_CLOSED_ERROR_MSG));
          return;
        }
        try {
          if (!platform.transport) throw new Error('No Redis server transport is installed');
          const opened = platform.transport
            .server(this.options)
            .open({ stringNumbers: this.options.stringNumbers === true });
          Promise.resolve(opened).then((stream) => {
            this.stream = stream;
            resolve(stream);
          }, reject);
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  disconnect() {
    this.connecting = false;
    if (this.stream) this.stream.close();
  }
}

export class Redis extends Commander {
  constructor(arg1, arg2, arg3) {
    super();
    this.status = 'wait';
    this.isCluster = false;
    this.reconnectTimeout = null;
    this.connectionEpoch = 0;
    this.retryAttempts = 0;
    this.manuallyClosing = false;
    this._inbox = [];
    this._flushScheduled = false;
    this._blocked = false;
    this._pendingWrites = [];
    this._flush = this._flush.bind(this);
    this.parseOptions(arg1, arg2, arg3);
    initEmitter(this);
    this.resetCommandQueue();
    this.resetOfflineQueue();
    this.connector = new Connector(this.options);
    if (this.options.scripts) {
      for (const [name, definition] of Object.entries(this.options.scripts)) {
        this.defineCommand(name, definition);
      }
    }
    if (platform.onClientCreated) platform.onClientCreated(this);
    if (this.options.lazyConnect) this.setStatus('wait');
    else this.connect().catch(noop);
  }

  /** The same as `new Redis(...)`, for node-redis compatibility. */
  static createClient(...args) {
    return new Redis(...args);
  }

  get autoPipelineQueueSize() {
    return 0;
  }

  /**
   * Connects (done by the constructor unless `lazyConnect`); resolves once `ready`. Rejects if
   * already connecting or connected.
   */
  connect(callback) {
    const promise = new Promise((resolve, reject) => {
      if (this.status === 'connecting' || this.status === 'connect' || this.status === 'ready') {
        reject(new Error('Redis is already connecting/connected'));
        return;
      }
      this.connectionEpoch += 1;
      this.setStatus('connecting');
      const { options } = this;
      this.condition = {
        select: options.db,
        auth: options.username ? [options.username, options.password] : options.password,
        subscriber: false,
      };
      this.connector.connect().then(
        (stream) => {
          this.stream = stream;
          this._blocked = false;
          this._pendingWrites = [];
          stream.setListener({
            output: (replies) => this._onOutput(stream, replies),
            closed: () => this._onStreamClose(stream),
          });
          // The socket connects in a later turn of the event loop.
          platform.setImmediate(() => {
            if (this.stream === stream && !stream.closed) this._connectHandler();
          });
          const onReady = () => {
            this.removeListener('close', onClose);
            resolve();
          };
          const onClose = () => {
            this.removeListener('ready', onReady);
            reject(new Error(CONNECTION_CLOSED_ERROR_MSG));
          };
          this.once('ready', onReady);
          this.once('close', onClose);
        },
        (err) => {
          this.flushQueue(err);
          this.silentEmit('error', err);
          reject(err);
          this.setStatus('end');
        },
      );
    });
    if (typeof callback === 'function') {
      promise.then(() => callback(null), (err) => callback(err));
    }
    return promise;
  }

  /** Closes the connection at once (pending commands fail); `reconnect` reopens it. */
  disconnect(reconnect = false) {
    if (!reconnect) this.manuallyClosing = true;
    if (this.reconnectTimeout && !reconnect) {
      platform.clearTimeout(this.reconnectTimeout);
      this.reconnectTimeout = null;
    }
    if (this.status === 'wait') this._closeHandler();
    else this.connector.disconnect();
  }

  /** @deprecated ioredis's old name for `disconnect()`. */
  end() {
    this.disconnect();
  }

  /** Another client with the same options (so the same server); `override` changes some. */
  duplicate(override) {
    return new Redis({ ...this.options, ...override });
  }

  get mode() {
    if (this.options.monitor) return 'monitor';
    return this.condition && this.condition.subscriber ? 'subscriber' : 'normal';
  }

  /**
   * MONITOR on a new connection (a duplicate of this client), as ioredis does: resolves with that
   * client once it is in monitoring mode; it then emits `monitor` with `(time, args, source,
   * database)` for every command the server runs, and refuses every command but MONITOR and AUTH.
   */
  monitor(callback) {
    const monitorInstance = this.duplicate({ monitor: true, lazyConnect: false });
    const promise = new Promise((resolve, reject) => {
      monitorInstance.once('error', reject);
      monitorInstance.once('monitoring', () => resolve(monitorInstance));
    });
    if (typeof callback === 'function') promise.then((m) => callback(null, m), (err) => callback(err));
    return promise;
  }

  /** Sends a command (queued while not connected), as ioredis's `sendCommand`. */
  sendCommand(command, stream) {
    if (this.status === 'wait') this.connect().catch(noop);
    if (this.status === 'end') {
      command.reject(new Error(CONNECTION_CLOSED_ERROR_MSG));
      return command.promise;
    }
    this._checkCommandName(command.name);
    const flags = flagsOf(command.name);
    command._flags = flags;
    if (
      this.condition &&
      this.condition.subscriber &&
      !(flags & FLAG.VALID_IN_SUBSCRIBER_MODE) &&
      !this._nodeRedis
    ) {
      command.reject(new Error('Connection in subscriber mode, only subscriber commands may be used'));
      return command.promise;
    }
    if (typeof this.options.commandTimeout === 'number') command.setTimeout(this.options.commandTimeout);
    let writable =
      this.status === 'ready' ||
      (!stream &&
        this.status === 'connect' &&
        (command.isReadyCheck ||
          (flags & FLAG.HANDSHAKE_COMMANDS) !== 0 ||
          isLoadingCommand(command.name)));
    if (!this.stream || this.stream.closed) writable = false;

    if (!writable) {
      if (!this.options.enableOfflineQueue) {
        command.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
        return command.promise;
      }
      if (command.name === 'quit' && this.offlineQueue.length === 0) {
        this.disconnect();
        command.resolve('OK');
        return command.promise;
      }
      command.stream = stream;
      command.select = this.condition.select;
      this.offlineQueue.push(command);
    } else {
      // The command is its own queue entry (`entry.command` is itself): no object per command.
      command.stream = stream;
      command.select = this.condition.select;
      this.commandQueue.push(command);
      if (flags & FLAG.WILL_DISCONNECT) this.manuallyClosing = true;
      this._write(command);
    }

    if (command.name === 'select' && isInt(command.args[0])) {
      const db = parseInt(command.args[0], 10);
      if (this.condition.select !== db) {
        this.condition.select = db;
        this.emit('select', db);
      }
    }
    return command.promise;
  }

  /**
   * Throws ioredis's TypeError for a command name that is not a string (see `commandNameError`),
   * where ioredis throws it: as the command is sent, on any status but `end`. The node-redis
   * style's client takes Buffer names, as node-redis does.
   */
  _checkCommandName(name) {
    if (typeof name !== 'string' && !this._nodeRedis) throw commandNameError(name);
  }

  /**
   * The direct path of the command methods (`get(k)`, `set(k, v)`, …; see `Commander`): on a
   * ready connection in normal mode with nothing queued or waiting, no key prefix, command
   * timeout, callback, friendly error stack or replaced `sendCommand`, a command is written at once
   * and, when the connection answers it synchronously with one reply that is not an error,
   * its promise is made already settled with the transformed reply: no `Command`, no queue
   * entry, one promise. That is what `sendCommand` would do, in the same order. Anything else
   * (an error reply, no reply yet, several, an asynchronous connection) continues on the
   * general path from the same point, with a `Command` made of the prepared arguments.
   *
   * `_directStream()` answers the connection when the direct path may be taken, else `null`.
   */
  _directStream() {
    const stream = this.stream;
    const options = this.options;
    if (
      this.status !== 'ready' ||
      this.sendCommand !== generalSendCommand ||
      this._blocked ||
      this.commandQueue.length !== 0 ||
      this.offlineQueue.length !== 0 ||
      this._inbox.length !== 0 ||
      this.condition.subscriber !== false ||
      !stream ||
      stream.closed ||
      options.keyPrefix ||
      options.stringNumbers ||
      options.showFriendlyErrorStack ||
      typeof options.commandTimeout === 'number'
    ) {
      return null;
    }
    return stream;
  }

  /**
   * Sends `argv` (the name, then the method's arguments as given) on the direct path; `transform`
   * and `transformReply` are the command's transformers (or `undefined`).
   */
  _sendDirect(stream, name, encoding, argv, transform, transformReply) {
    // The arguments as `Command` makes them: flattened once, transformed, stringified.
    const n = argv.length;
    let nested = false;
    for (let i = 1; i < n; i++) {
      if (Array.isArray(argv[i])) {
        nested = true;
        break;
      }
    }
    if (nested || transform !== undefined) {
      let list = argv.slice(1);
      if (nested) list = list.flat();
      if (transform !== undefined) list = transform(list);
      argv = new Array(list.length + 1);
      argv[0] = name;
      for (let i = 0; i < list.length; i++) argv[i + 1] = list[i];
    }
    for (let i = 1; i < argv.length; i++) {
      const arg = argv[i];
      if (typeof arg !== 'string' && !platform.isBytes(arg)) {
        argv[i] = arg === null || arg === undefined ? '' : String(arg);
      }
    }
    const buffers = encoding === null;
    const replies = stream.call(argv, buffers);
    if (Array.isArray(replies) && replies.length === 1) {
      let reply = replies[0];
      if (!(reply instanceof Error)) {
        if (buffers) reply = toHostBytes(reply);
        if (transformReply !== undefined) {
          try {
            reply = transformReply(reply);
          } catch (err) {
            return Promise.reject(err);
          }
        }
        return Promise.resolve(reply);
      }
    }
    // The general path from here, with a `Command` made of the prepared arguments.
    const command = new Command(name, argv.slice(1), { replyEncoding: encoding, argsReady: true });
    command._flags = flagsOf(name);
    command.select = this.condition.select;
    this._continueGeneral(stream, command, replies, buffers);
    return command.promise;
  }

  /**
   * Sends a pipeline's queued command (`stream`: the pipeline's marker, as `sendCommand` takes
   * it) on the direct path, when the client may take it (see `_directStream`): a command the
   * connection answers at once with one reply that is not an error is settled with it, without
   * entering the command queue; other replies continue on the general path. Either way as
   * `sendCommand` would have settled it, in the same order. Answers whether the command was
   * sent (if not, `sendCommand` must send it).
   */
  _sendQueued(command, stream) {
    const conn = this._directStream();
    if (conn === null || command.beforeWrite || !isDirectCommand(command.name)) return false;
    command._flags = flagsOf(command.name);
    command.stream = stream;
    command.select = this.condition.select;
    const buffers = command.replyEncoding == null;
    const replies = conn.call(command.argv(), buffers);
    if (Array.isArray(replies) && replies.length === 1 && !(replies[0] instanceof Error)) {
      command.resolve(replies[0], buffers);
    } else {
      this._continueGeneral(conn, command, replies, buffers);
    }
    return true;
  }

  /**
   * The general path of a command written on a direct path, for replies that path does not
   * handle (an error, several, none yet, a promise of them): the command enters the queue as
   * `sendCommand` leaves it, and the replies are read as `_write` reads them.
   */
  _continueGeneral(conn, command, replies, buffers) {
    this.commandQueue.push(command);
    if (replies && typeof replies.then === 'function') {
      replies.then(
        (r) => this._onReplies(conn, r, buffers),
        (err) => this._onData(conn, [err], buffers),
      );
    } else {
      this._onReplies(conn, replies, buffers, false);
    }
  }

  /**
   * Hands a command to the connection. A reply that is the only one awaited is handled at once
   * (its promise settles in a microtask, as always); otherwise replies wait in the inbox, read in
   * a microtask, so that commands written in the same tick all reach the server first (as with
   * a socket: `subscribe('c'); get('k')` sends GET before the client knows it subscribed).
   * While a blocking command waits, later commands wait in the client, as the server would
   * hold them.
   */
  _write(command) {
    if (this._blocked) {
      this._pendingWrites.push(command);
      return;
    }
    const stream = this.stream;
    if (command.beforeWrite) command.beforeWrite(stream);
    const subscriberish =
      this.condition.subscriber !== false ||
      (command._flags & (FLAG.ENTER_SUBSCRIBER_MODE | FLAG.EXIT_SUBSCRIBER_MODE)) !== 0;
    const buffers = command.replyEncoding == null || subscriberish;
    const replies = stream.call(command.argv(), buffers);
    if (replies && typeof replies.then === 'function') {
      replies.then(
        (r) => this._onReplies(stream, r, buffers),
        (err) => this._onData(stream, [err], buffers),
      );
      return;
    }
    this._onReplies(stream, replies, buffers, subscriberish);
  }

  _onReplies(stream, replies, isBytes, subscriberish = true) {
    if (stream !== this.stream) return;
    if (this.options.stringNumbers) replies = replies.map(numbersAsStrings);
    if (replies.length === 0) {
      // A blocking command waits: its reply will come as output.
      this._blocked = true;
      return;
    }
    if (
      !subscriberish &&
      replies.length === 1 &&
      this._inbox.length === 0 &&
      this.commandQueue.length === 1
    ) {
      const reply = replies[0];
      if (reply instanceof Error) this._returnError(reply);
      else this._returnReply(reply, isBytes);
      return;
    }
    this._onData(stream, replies, isBytes);
  }

  /** What the connection received later: messages, a blocking command's reply. */
  _onOutput(stream, replies) {
    if (stream !== this.stream) return;
    this._onData(stream, this.options.stringNumbers ? replies.map(numbersAsStrings) : replies, true);
    if (this._blocked) {
      this._blocked = false;
      const pending = this._pendingWrites;
      this._pendingWrites = [];
      for (let i = 0; i < pending.length; i++) {
        if (this._blocked) this._pendingWrites.push(pending[i]);
        else this._write(pending[i]);
      }
    }
  }

  /** Replies (and pushed messages) arrived from the connection: read them in a microtask. */
  _onData(stream, replies, isBytes) {
    if (stream !== this.stream || replies.length === 0) return;
    const inbox = this._inbox;
    for (let i = 0; i < replies.length; i++) inbox.push(replies[i], isBytes);
    if (!this._flushScheduled) {
      this._flushScheduled = true;
      queueMicrotask(this._flush);
    }
  }

  _flush() {
    this._flushScheduled = false;
    const inbox = this._inbox;
    this._inbox = [];
    for (let i = 0; i < inbox.length; i += 2) {
      const reply = inbox[i];
      if (reply instanceof Error) this._returnError(reply);
      else this._returnReply(reply, inbox[i + 1]);
    }
  }

  _shiftCommand(reply) {
    const item = this.commandQueue.shift();
    if (!item) {
      const last = reply instanceof Error ? ` Last error: ${reply.message}` : ` Last reply: ${String(reply)}`;
      this.emit(
        'error',
        new Error(`Command queue state error. If you can reproduce this, please report it.${last}`),
      );
      return null;
    }
    return item;
  }

  _returnError(raw) {
    const err = raw instanceof ReplyError ? raw : new ReplyError(raw.message);
    const item = this._shiftCommand(err);
    if (!item) return;
    err.command = { name: item.command.name, args: item.command.args };
    this.handleReconnection(err, item);
  }

  _returnReply(reply, isBytes) {
    if (this.status === 'monitoring' && this._handleMonitorReply(reply)) return;
    if (this.condition.subscriber !== false && this._handleSubscriberReply(reply, isBytes)) return;
    const command = this._shiftCommand(reply);
    if (!command) return;
    const flags = command._flags;
    if (flags & FLAG.ENTER_SUBSCRIBER_MODE) {
      this.condition.subscriber = new SubscriptionSet();
      this.condition.subscriber.add(command.name, text(reply[1]));
      if (!fillSubCommand(command, reply[2])) this.commandQueue.unshift(command);
    } else if (flags & FLAG.EXIT_SUBSCRIBER_MODE) {
      if (!fillUnsubCommand(command, reply[2])) this.commandQueue.unshift(command);
    } else {
      if (Array.isArray(reply) && command.name.toLowerCase() === 'exec') toReplyErrors(reply);
      command.resolve(reply, isBytes);
    }
  }

  /**
   * In monitoring mode every reply but `OK` (the answer of MONITOR and AUTH, the only commands
   * allowed) is a line of the server's feed, `<time> [<db> <source>] "arg" "arg" …`, split the way
   * ioredis splits it (arguments keep the server's escapes, except `\"`, which becomes `"`).
   */
  _handleMonitorReply(reply) {
    const line = typeof reply === 'string' || reply instanceof Uint8Array ? text(reply) : String(reply);
    if (line === 'OK') return false;
    const space = line.indexOf(' ');
    const time = line.slice(0, space);
    const quote = line.indexOf('"');
    const args = line
      .slice(quote + 1, -1)
      .split('" "')
      .map((arg) => arg.replace(/\\"/g, '"'));
    const [database, source] = line.slice(space + 2, quote - 2).split(' ');
    this.emit('monitor', time, args, source, database);
    return true;
  }

  _handleSubscriberReply(reply, isBytes) {
    const subscriber = this.condition && this.condition.subscriber;
    if (!subscriber) return false;
    const replyType = Array.isArray(reply) ? text(reply[0]) : null;
    switch (replyType) {
      case 'message':
        if (this.listeners('message').length > 0) {
          this.emit('message', text(reply[1]), reply[2] ? text(reply[2]) : '');
        }
        this.emit('messageBuffer', bytes(reply[1]), bytes(reply[2]));
        break;
      case 'pmessage': {
        const pattern = text(reply[1]);
        if (this.listeners('pmessage').length > 0) {
          this.emit('pmessage', pattern, text(reply[2]), text(reply[3]));
        }
        this.emit('pmessageBuffer', pattern, bytes(reply[2]), bytes(reply[3]));
        break;
      }
      case 'smessage':
        if (this.listeners('smessage').length > 0) {
          this.emit('smessage', text(reply[1]), reply[2] ? text(reply[2]) : '');
        }
        this.emit('smessageBuffer', bytes(reply[1]), bytes(reply[2]));
        break;
      case 'ssubscribe':
      case 'subscribe':
      case 'psubscribe': {
        subscriber.add(replyType, text(reply[1]));
        const item = this._shiftCommand(reply);
        if (!item) return true;
        if (!fillSubCommand(item.command, reply[2])) this.commandQueue.unshift(item);
        break;
      }
      case 'sunsubscribe':
      case 'unsubscribe':
      case 'punsubscribe': {
        const channel = reply[1] ? text(reply[1]) : null;
        if (channel) subscriber.del(replyType, channel);
        const count = reply[2];
        if (Number(count) === 0) this.condition.subscriber = false;
        const item = this._shiftCommand(reply);
        if (!item) return true;
        if (!fillUnsubCommand(item.command, count)) this.commandQueue.unshift(item);
        break;
      }
      default: {
        const item = this._shiftCommand(reply);
        if (!item) return true;
        item.command.resolve(reply, isBytes);
      }
    }
    return true;
  }

  /** ioredis's `reconnectOnError`: 1/true reconnects, 2 reconnects and resends the command. */
  handleReconnection(err, item) {
    let needReconnect = false;
    if (
      this.options.reconnectOnError &&
      !Command.checkFlag('IGNORE_RECONNECT_ON_ERROR', item.command.name)
    ) {
      needReconnect = this.options.reconnectOnError(err);
    }
    switch (needReconnect) {
      case 1:
      case true:
        if (this.status !== 'reconnecting') this.disconnect(true);
        item.command.reject(err);
        break;
      case 2:
        if (this.status !== 'reconnecting') this.disconnect(true);
        if (this.condition && this.condition.select !== item.select && item.command.name !== 'select') {
          this.select(item.select);
        }
        this.sendCommand(item.command);
        break;
      default:
        item.command.reject(err);
    }
  }

  /** The connection is established: authenticate, select, name it, then become ready. */
  _connectHandler() {
    this.setStatus('connect');
    this.resetCommandQueue();
    let flushed = false;
    const { connectionEpoch } = this;
    if (this.condition.auth) {
      this.auth(this.condition.auth, (err) => {
        if (connectionEpoch !== this.connectionEpoch) return;
        if (!err) return;
        if (err.message.indexOf('no password is set') !== -1) {
          platform.warn('[WARN] Redis server does not require a password, but a password was supplied.');
        } else if (err.message.indexOf('without any password configured for the default user') !== -1) {
          platform.warn(
            "[WARN] This Redis server's `default` user does not require a password, but a password was supplied",
          );
        } else if (err.message.indexOf("wrong number of arguments for 'auth' command") !== -1) {
          platform.warn(
            `[ERROR] The server returned "wrong number of arguments for 'auth' command". You are probably passing both username and password to Redis version 5 or below. You should only pass the 'password' option for Redis version 5 and under.`,
          );
        } else {
          flushed = true;
          this.recoverFromFatalError(err, err);
        }
      });
    }
    if (this.condition.select) {
      this.select(this.condition.select).catch((err) => this.silentEmit('error', err));
    }
    const clientCommands = [];
    if (this.options.connectionName) {
      clientCommands.push(this.client('setname', this.options.connectionName).catch(noop));
    }
    if (!this.options.disableClientInfo) {
      // ioredis names itself with CLIENT SETINFO (Redis 7.2); a 7.0 server answers an error that
      // ioredis ignores, but which counts in INFO's error statistics, so it is sent here too.
      // ioredis reads its version from its package.json first: LIB-VER goes after LIB-NAME.
      clientCommands.push(
        Promise.resolve().then(() => this.client('SETINFO', 'LIB-VER', IOREDIS_VERSION).catch(noop)),
      );
      const tag = this.options.clientInfoTag;
      clientCommands.push(this.client('SETINFO', 'LIB-NAME', tag ? `ioredis(${tag})` : 'ioredis').catch(noop));
    }
    Promise.all(clientCommands)
      .catch(noop)
      .finally(() => {
        if (!this.options.enableReadyCheck) {
          platform.setImmediate(() => {
            if (connectionEpoch === this.connectionEpoch) this._readyHandler();
          });
          return;
        }
        this._readyCheck((err) => {
          if (connectionEpoch !== this.connectionEpoch) return;
          if (err) {
            if (!flushed) this.recoverFromFatalError(new Error(`Ready check failed: ${err.message}`), err);
          } else {
            this._readyHandler();
          }
        });
      });
  }

  /**
   * Asks INFO whether the server still loads its data (`loading:1`), as ioredis does, and tries
   * again after the announced time if so. A NOPERM answer skips the check with ioredis's warning.
   */
  _readyCheck(callback) {
    const command = new Command('info', [], { replyEncoding: 'utf8' });
    command.isReadyCheck = true;
    // Its reply is read from the network in ioredis: handle it in a later macrotask too, so
    // that `ready` is emitted before the replies of the commands queued meanwhile.
    command.promise.then(
      (res) => platform.setImmediate(() => this._readyCheckReply(res, callback)),
      (err) => platform.setImmediate(() => this._readyCheckReply(err, callback)),
    );
    this.sendCommand(command);
  }

  _readyCheckReply(res, callback) {
    if (res instanceof Error) {
      if (res.message && res.message.includes('NOPERM')) {
        platform.warn(
          `Skipping the ready check because INFO command fails: "${res.message}". You can disable ready check with "enableReadyCheck". More: https://github.com/luin/ioredis/wiki/Disable-ready-check.`,
        );
        callback(null, {});
      } else {
        callback(res);
      }
      return;
    }
    if (typeof res !== 'string') {
      callback(null, res);
      return;
    }
    const info = {};
    for (const line of res.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon !== -1 && colon < line.length - 1) info[line.slice(0, colon)] = line.slice(colon + 1);
    }
    if (!info.loading || info.loading === '0') {
      callback(null, info);
      return;
    }
    const etaMs = (info.loading_eta_seconds || 1) * 1000;
    const { maxLoadingRetryTime } = this.options;
    const retryTime = maxLoadingRetryTime && maxLoadingRetryTime < etaMs ? maxLoadingRetryTime : etaMs;
    platform.setTimeout(() => this._readyCheck(callback), retryTime);
  }

  _readyHandler() {
    this.setStatus('ready');
    this.retryAttempts = 0;
    if (this.options.monitor) {
      this.call('monitor').then(
        () => this.setStatus('monitoring'),
        (error) => this.emit('error', error),
      );
      // Until the connection closes, only MONITOR and AUTH may be sent; the offline queue is
      // left as it is (ioredis never sends it on a monitor).
      const { sendCommand } = this;
      this.sendCommand = function monitorSendCommand(command) {
        this._checkCommandName(command.name);
        if (Command.checkFlag('VALID_IN_MONITOR_MODE', command.name)) return sendCommand.call(this, command);
        command.reject(new Error("Connection is in monitoring mode, can't process commands."));
        return command.promise;
      };
      this.once('close', () => {
        delete this.sendCommand;
      });
      return;
    }
    const finalSelect = this.prevCondition ? this.prevCondition.select : this.condition.select;
    if (this.options.readOnly) this.readonly().catch(noop);
    if (this.prevCondition) {
      const condition = this.prevCondition;
      this.prevCondition = null;
      if (condition.subscriber && this.options.autoResubscribe) {
        if (this.condition.select !== finalSelect) this.select(finalSelect);
        const channels = condition.subscriber.channels('subscribe');
        if (channels.length) this.subscribe(channels);
        const patterns = condition.subscriber.channels('psubscribe');
        if (patterns.length) this.psubscribe(patterns);
        for (const channel of condition.subscriber.channels('ssubscribe')) this.ssubscribe(channel);
      }
    }
    if (this.prevCommandQueue) {
      if (this.options.autoResendUnfulfilledCommands) {
        while (this.prevCommandQueue.length > 0) {
          const item = this.prevCommandQueue.shift();
          if (item.select !== this.condition.select && item.command.name !== 'select') {
            this.select(item.select);
          }
          this.sendCommand(item.command, item.stream);
        }
      } else {
        this.prevCommandQueue = null;
      }
    }
    if (this.offlineQueue.length) {
      const offlineQueue = this.offlineQueue;
      this.resetOfflineQueue();
      while (offlineQueue.length > 0) {
        const item = offlineQueue.shift();
        if (item.select !== this.condition.select && item.command.name !== 'select') {
          this.select(item.select);
        }
        this.sendCommand(item.command, item.stream);
      }
    }
    if (this.condition.select !== finalSelect) this.select(finalSelect);
  }

  _onStreamClose(stream) {
    if (stream !== this.stream) return;
    // Replies read before the close are handled first, as a socket's data precedes its close.
    if (this._inbox.length) this._flush();
    this._closeHandler();
  }

  /** The connection closed: end, or reconnect as `retryStrategy` says. */
  _closeHandler() {
    const prevStatus = this.status;
    this.setStatus('close');
    if (this.commandQueue.length) abortIncompletePipelines(this.commandQueue);
    if (this.offlineQueue.length) abortTransactionFragments(this.offlineQueue);
    if (prevStatus === 'ready') {
      if (!this.prevCondition) this.prevCondition = this.condition;
      if (this.commandQueue.length) this.prevCommandQueue = this.commandQueue;
    }
    if (this.manuallyClosing) {
      this.manuallyClosing = false;
      this._close();
      return;
    }
    if (typeof this.options.retryStrategy !== 'function') {
      this._close();
      return;
    }
    const retryDelay = this.options.retryStrategy(++this.retryAttempts);
    if (typeof retryDelay !== 'number') {
      this._close();
      return;
    }
    this.setStatus('reconnecting', retryDelay);
    this.reconnectTimeout = platform.setTimeout(() => {
      this.reconnectTimeout = null;
      this.connect().catch(noop);
    }, retryDelay);
    const { maxRetriesPerRequest } = this.options;
    if (typeof maxRetriesPerRequest === 'number' && maxRetriesPerRequest >= 0) {
      if (this.retryAttempts % (maxRetriesPerRequest + 1) === 0) {
        this.flushQueue(new MaxRetriesPerRequestError(maxRetriesPerRequest));
      }
    }
  }

  _close() {
    this.setStatus('end');
    this.flushQueue(new Error(CONNECTION_CLOSED_ERROR_MSG));
  }

  scanStream(options) {
    return this.createScanStream('scan', { options });
  }

  scanBufferStream(options) {
    return this.createScanStream('scanBuffer', { options });
  }

  sscanStream(key, options) {
    return this.createScanStream('sscan', { key, options });
  }

  sscanBufferStream(key, options) {
    return this.createScanStream('sscanBuffer', { key, options });
  }

  hscanStream(key, options) {
    return this.createScanStream('hscan', { key, options });
  }

  hscanBufferStream(key, options) {
    return this.createScanStream('hscanBuffer', { key, options });
  }

  zscanStream(key, options) {
    return this.createScanStream('zscan', { key, options });
  }

  zscanBufferStream(key, options) {
    return this.createScanStream('zscanBuffer', { key, options });
  }

  createScanStream(command, { key, options = {} }) {
    return createScanStream({ objectMode: true, key, redis: this, command, ...options });
  }

  /** Emits only when someone listens; an unheard error is printed, as ioredis does. */
  silentEmit(eventName, arg) {
    let error;
    if (eventName === 'error') {
      error = arg;
      if (this.status === 'end') return undefined;
      if (this.manuallyClosing && error instanceof Error) {
        if (
          error.message === CONNECTION_CLOSED_ERROR_MSG ||
          error.syscall === 'connect' ||
          error.syscall === 'read'
        ) {
          return undefined;
        }
      }
    }
    if (this.listeners(eventName).length > 0) return this.emit(eventName, arg);
    if (error && error instanceof Error) platform.printError('[ioredis] Unhandled error event:', error.stack);
    return false;
  }

  recoverFromFatalError(_commandError, err, options) {
    this.flushQueue(err, options);
    this.silentEmit('error', err);
    this.disconnect(true);
  }

  resetCommandQueue() {
    this.commandQueue = new Deque();
  }

  resetOfflineQueue() {
    this.offlineQueue = new Deque();
  }

  parseOptions(...args) {
    const options = {};
    let isTls = false;
    for (const arg of args) {
      if (arg === null || arg === undefined) continue;
      if (typeof arg === 'object') {
        defaults(options, arg);
      } else if (typeof arg === 'string') {
        defaults(options, parseURL(arg));
        if (arg.startsWith('rediss://')) isTls = true;
      } else if (typeof arg === 'number') {
        options.port = arg;
      } else {
        throw new Error(`Invalid argument ${arg}`);
      }
    }
    if (isTls) defaults(options, { tls: true });
    defaults(options, Redis.defaultOptions);
    if (typeof options.port === 'string') options.port = parseInt(options.port, 10);
    if (typeof options.db === 'string') options.db = parseInt(options.db, 10);
    this.options = options;
  }

  /** Changes `status` and emits the event of that name on the next tick. */
  setStatus(status, arg) {
    this.status = status;
    platform.nextTick(() => this.emit(status, arg));
  }

  /** Fails the queued commands (offline and/or sent) with `error`. */
  flushQueue(error, options) {
    options = defaults({}, options, { offlineQueue: true, commandQueue: true });
    let item;
    if (options.offlineQueue) {
      while ((item = this.offlineQueue.shift())) item.command.reject(error);
    }
    if (options.commandQueue && this.commandQueue.length > 0) {
      while ((item = this.commandQueue.shift())) item.command.reject(error);
    }
  }
}

/** Redis Cluster needs several servers and slot routing, which this in-process server lacks. */
export class Cluster {
  constructor() {
    throw new Error('Redis Cluster is not available here: use a standalone Redis');
  }
}

/** The client's own `sendCommand`: the direct path steps aside when it has been replaced. */
const generalSendCommand = Redis.prototype.sendCommand;

// ioredis's CommonJS entry is the class itself, with its named exports on it: its default
// export (`import Redis from 'ioredis'`) has them all as properties. The page's `ioredis` module
// is built from these.
Redis.defaultOptions = DEFAULT_REDIS_OPTIONS;
Redis.default = Redis;
Redis.Redis = Redis;
Redis.Command = Command;
Redis.ReplyError = ReplyError;
Redis.Pipeline = Pipeline;
Redis.Cluster = Cluster;
Redis.ScanStream = ScanStream;
Redis.print = print;
emitterMixin(Redis);
addTransactionSupport(Redis.prototype);

export default Redis;
