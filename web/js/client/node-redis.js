//! The node-redis v4 style (`import { createClient } from 'redis'`), over the same connections
//! as the ioredis-compatible client: `await client.connect()`, camelCase and UPPERCASE methods
//! whose arguments and replies follow node-redis 4 for the common commands (`hGetAll` → object,
//! `set(k, v, { EX: 60 })`, `zAdd(k, { score, value })`, `sIsMember` → boolean, `scan` →
//! `{ cursor, keys }`…), `multi()…exec()`, `subscribe(channel, listener)`, `quit()`,
//! `disconnect()`, scan iterators. Any other Redis command is there by its name, in upper and
//! lower case, with its arguments flattened and its reply untouched.

import { Redis } from './redis.js';
import { isDirectCommand } from './commander.js';
import { Command, CALL_SITE } from './command.js';
import { ReplyError } from './errors.js';
import { platform, initEmitter, emitterMixin } from './platform.js';
import { COMMANDS } from './commands.generated.js';

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

const OPTIONS = Symbol('command options');

/** `client.get(commandOptions({ returnBuffers: true }), key)`: options for one command. */
export function commandOptions(options) {
  return { ...options, [OPTIONS]: true };
}

const str = (v) => (typeof v === 'number' ? v.toString() : v);
const list = (v) => (Array.isArray(v) ? v : [v]);
const bool = (reply) => reply === 1;
const num = (reply) => {
  if (reply === null) return null;
  const text = reply.toString();
  if (text === '+inf' || text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(reply);
};
const tuplesObject = (reply) => {
  const out = Object.create(null);
  for (let i = 0; i < reply.length; i += 2) out[reply[i].toString()] = reply[i + 1];
  return out;
};
const withScores = (reply) => {
  const out = [];
  for (let i = 0; i < reply.length; i += 2) out.push({ value: reply[i], score: num(reply[i + 1]) });
  return out;
};
const seconds = (t) => (t instanceof Date ? Math.floor(t.getTime() / 1000).toString() : str(t));
const millis = (t) => (t instanceof Date ? t.getTime().toString() : str(t));
const infinity = (n) => (n === Infinity ? '+inf' : n === -Infinity ? '-inf' : str(n));

function scanArgs(args, cursor, options) {
  args.push(cursor.toString());
  if (options?.MATCH) args.push('MATCH', options.MATCH);
  if (options?.COUNT) args.push('COUNT', options.COUNT.toString());
  return args;
}

function setExpiry(args, o) {
  if (o?.EX !== undefined) args.push('EX', o.EX.toString());
  else if (o?.PX !== undefined) args.push('PX', o.PX.toString());
  else if (o?.EXAT !== undefined) args.push('EXAT', seconds(o.EXAT));
  else if (o?.PXAT !== undefined) args.push('PXAT', millis(o.PXAT));
  return args;
}

function pushPairs(args, value) {
  if (value instanceof Map) {
    for (const [k, v] of value) args.push(str(k), str(v));
  } else if (Array.isArray(value)) {
    for (const item of value.flat(Infinity)) args.push(str(item));
  } else {
    for (const k of Object.keys(value)) args.push(k, str(value[k]));
  }
  return args;
}

function zrangeArgs(name, key, min, max, o) {
  const args = [name, key, infinity(min), infinity(max)];
  if (o?.BY === 'SCORE') args.push('BYSCORE');
  else if (o?.BY === 'LEX') args.push('BYLEX');
  if (o?.REV) args.push('REV');
  if (o?.LIMIT) args.push('LIMIT', o.LIMIT.offset.toString(), o.LIMIT.count.toString());
  return args;
}

/**
 * node-redis 4's commands for which it shapes arguments or replies: UPPERCASE name →
 * [camelCase name, (…args) → argv, reply transformer?]. Others are sent as given.
 */
const SPECS = {
  SET: ['set', (key, value, o) => {
    const args = setExpiry(['SET', key, str(value)], o);
    if (o?.EX === undefined && o?.PX === undefined && o?.EXAT === undefined && o?.PXAT === undefined && o?.KEEPTTL) {
      args.push('KEEPTTL');
    }
    if (o?.NX) args.push('NX');
    else if (o?.XX) args.push('XX');
    if (o?.GET) args.push('GET');
    return args;
  }],
  SETEX: ['setEx', (key, s, value) => ['SETEX', key, s.toString(), str(value)]],
  PSETEX: ['pSetEx', (key, ms, value) => ['PSETEX', key, ms.toString(), str(value)]],
  SETNX: ['setNX', (key, value) => ['SETNX', key, str(value)], bool],
  GET: ['get', (key) => ['GET', key]],
  GETDEL: ['getDel', (key) => ['GETDEL', key]],
  GETEX: ['getEx', (key, mode) => {
    const args = setExpiry(['GETEX', key], mode);
    if (args.length === 2) args.push('PERSIST');
    return args;
  }],
  GETSET: ['getSet', (key, value) => ['GETSET', key, str(value)]],
  MGET: ['mGet', (keys) => ['MGET', ...keys]],
  MSET: ['mSet', (toSet) => pushPairs(['MSET'], toSet)],
  MSETNX: ['mSetNX', (toSet) => pushPairs(['MSETNX'], toSet), bool],
  APPEND: ['append', (key, value) => ['APPEND', key, str(value)]],
  STRLEN: ['strLen', (key) => ['STRLEN', key]],
  GETRANGE: ['getRange', (key, start, end) => ['GETRANGE', key, start.toString(), end.toString()]],
  SETRANGE: ['setRange', (key, offset, value) => ['SETRANGE', key, offset.toString(), str(value)]],
  INCR: ['incr', (key) => ['INCR', key]],
  INCRBY: ['incrBy', (key, n) => ['INCRBY', key, n.toString()]],
  INCRBYFLOAT: ['incrByFloat', (key, n) => ['INCRBYFLOAT', key, n.toString()]],
  DECR: ['decr', (key) => ['DECR', key]],
  DECRBY: ['decrBy', (key, n) => ['DECRBY', key, n.toString()]],
  DEL: ['del', (keys) => ['DEL', ...list(keys)]],
  UNLINK: ['unlink', (keys) => ['UNLINK', ...list(keys)]],
  EXISTS: ['exists', (keys) => ['EXISTS', ...list(keys)]],
  TOUCH: ['touch', (keys) => ['TOUCH', ...list(keys)]],
  EXPIRE: ['expire', (key, s, mode) => (mode ? ['EXPIRE', key, s.toString(), mode] : ['EXPIRE', key, s.toString()]), bool],
  PEXPIRE: ['pExpire', (key, ms, mode) => (mode ? ['PEXPIRE', key, ms.toString(), mode] : ['PEXPIRE', key, ms.toString()]), bool],
  EXPIREAT: ['expireAt', (key, t, mode) => (mode ? ['EXPIREAT', key, seconds(t), mode] : ['EXPIREAT', key, seconds(t)]), bool],
  PEXPIREAT: ['pExpireAt', (key, t, mode) => (mode ? ['PEXPIREAT', key, millis(t), mode] : ['PEXPIREAT', key, millis(t)]), bool],
  EXPIRETIME: ['expireTime', (key) => ['EXPIRETIME', key]],
  PERSIST: ['persist', (key) => ['PERSIST', key], bool],
  TTL: ['ttl', (key) => ['TTL', key]],
  PTTL: ['pTTL', (key) => ['PTTL', key]],
  TYPE: ['type', (key) => ['TYPE', key]],
  RENAME: ['rename', (key, newKey) => ['RENAME', key, newKey]],
  RENAMENX: ['renameNX', (key, newKey) => ['RENAMENX', key, newKey], bool],
  COPY: ['copy', (source, destination, o) => {
    const args = ['COPY', source, destination];
    if (o?.destinationDb) args.push('DB', o.destinationDb.toString());
    if (o?.replace) args.push('REPLACE');
    return args;
  }, bool],
  KEYS: ['keys', (pattern) => ['KEYS', pattern]],
  SCAN: ['scan', (cursor, o) => {
    const args = scanArgs(['SCAN'], cursor, o);
    if (o?.TYPE) args.push('TYPE', o.TYPE);
    return args;
  }, ([cursor, keys]) => ({ cursor: Number(cursor), keys })],
  RANDOMKEY: ['randomKey', () => ['RANDOMKEY']],
  DBSIZE: ['dbSize', () => ['DBSIZE']],
  FLUSHALL: ['flushAll', (mode) => (mode ? ['FLUSHALL', mode] : ['FLUSHALL'])],
  FLUSHDB: ['flushDb', (mode) => (mode ? ['FLUSHDB', mode] : ['FLUSHDB'])],
  PING: ['ping', (message) => (message === undefined ? ['PING'] : ['PING', message])],
  ECHO: ['echo', (message) => ['ECHO', message]],
  HSET: ['hSet', (key, value, fieldValue) => {
    if (typeof value === 'string' || typeof value === 'number' || platform.isBytes(value)) {
      return ['HSET', key, str(value), str(fieldValue)];
    }
    return pushPairs(['HSET', key], value);
  }],
  HSETNX: ['hSetNX', (key, field, value) => ['HSETNX', key, field, str(value)], bool],
  HGET: ['hGet', (key, field) => ['HGET', key, field]],
  HGETALL: ['hGetAll', (key) => ['HGETALL', key], tuplesObject],
  HMGET: ['hmGet', (key, fields) => ['HMGET', key, ...list(fields)]],
  HDEL: ['hDel', (key, fields) => ['HDEL', key, ...list(fields)]],
  HEXISTS: ['hExists', (key, field) => ['HEXISTS', key, field], bool],
  HINCRBY: ['hIncrBy', (key, field, n) => ['HINCRBY', key, field, n.toString()]],
  HINCRBYFLOAT: ['hIncrByFloat', (key, field, n) => ['HINCRBYFLOAT', key, field, n.toString()]],
  HKEYS: ['hKeys', (key) => ['HKEYS', key]],
  HVALS: ['hVals', (key) => ['HVALS', key]],
  HLEN: ['hLen', (key) => ['HLEN', key]],
  HSTRLEN: ['hStrLen', (key, field) => ['HSTRLEN', key, field]],
  HRANDFIELD: ['hRandField', (key) => ['HRANDFIELD', key]],
  HRANDFIELD_COUNT: ['hRandFieldCount', (key, count) => ['HRANDFIELD', key, count.toString()]],
  HRANDFIELD_COUNT_WITHVALUES: ['hRandFieldCountWithValues', (key, count) => ['HRANDFIELD', key, count.toString(), 'WITHVALUES'], tuplesObject],
  HSCAN: ['hScan', (key, cursor, o) => scanArgs(['HSCAN', key], cursor, o), ([cursor, raw]) => {
    const tuples = [];
    for (let i = 0; i < raw.length; i += 2) tuples.push({ field: raw[i], value: raw[i + 1] });
    return { cursor: Number(cursor), tuples };
  }],
  LPUSH: ['lPush', (key, elements) => ['LPUSH', key, ...list(elements).map(str)]],
  RPUSH: ['rPush', (key, elements) => ['RPUSH', key, ...list(elements).map(str)]],
  LPUSHX: ['lPushX', (key, elements) => ['LPUSHX', key, ...list(elements).map(str)]],
  RPUSHX: ['rPushX', (key, elements) => ['RPUSHX', key, ...list(elements).map(str)]],
  LPOP: ['lPop', (key) => ['LPOP', key]],
  RPOP: ['rPop', (key) => ['RPOP', key]],
  LPOP_COUNT: ['lPopCount', (key, count) => ['LPOP', key, count.toString()]],
  RPOP_COUNT: ['rPopCount', (key, count) => ['RPOP', key, count.toString()]],
  LRANGE: ['lRange', (key, start, stop) => ['LRANGE', key, start.toString(), stop.toString()]],
  LLEN: ['lLen', (key) => ['LLEN', key]],
  LINDEX: ['lIndex', (key, index) => ['LINDEX', key, index.toString()]],
  LSET: ['lSet', (key, index, element) => ['LSET', key, index.toString(), str(element)]],
  LREM: ['lRem', (key, count, element) => ['LREM', key, count.toString(), str(element)]],
  LTRIM: ['lTrim', (key, start, stop) => ['LTRIM', key, start.toString(), stop.toString()]],
  LINSERT: ['lInsert', (key, position, pivot, element) => ['LINSERT', key, position, str(pivot), str(element)]],
  LPOS: ['lPos', (key, element, o) => {
    const args = ['LPOS', key, str(element)];
    if (typeof o?.RANK === 'number') args.push('RANK', o.RANK.toString());
    if (typeof o?.MAXLEN === 'number') args.push('MAXLEN', o.MAXLEN.toString());
    return args;
  }],
  LMOVE: ['lMove', (source, destination, from, to) => ['LMOVE', source, destination, from, to]],
  BLPOP: ['blPop', (keys, timeout) => ['BLPOP', ...list(keys), timeout.toString()],
    (reply) => (reply === null ? null : { key: reply[0], element: reply[1] })],
  BRPOP: ['brPop', (keys, timeout) => ['BRPOP', ...list(keys), timeout.toString()],
    (reply) => (reply === null ? null : { key: reply[0], element: reply[1] })],
  BLMOVE: ['blMove', (source, destination, from, to, timeout) => ['BLMOVE', source, destination, from, to, timeout.toString()]],
  SADD: ['sAdd', (key, members) => ['SADD', key, ...list(members).map(str)]],
  SREM: ['sRem', (key, members) => ['SREM', key, ...list(members).map(str)]],
  SMEMBERS: ['sMembers', (key) => ['SMEMBERS', key]],
  SISMEMBER: ['sIsMember', (key, member) => ['SISMEMBER', key, str(member)], bool],
  SMISMEMBER: ['smIsMember', (key, members) => ['SMISMEMBER', key, ...members.map(str)], (r) => r.map(bool)],
  SCARD: ['sCard', (key) => ['SCARD', key]],
  SINTER: ['sInter', (keys) => ['SINTER', ...list(keys)]],
  SUNION: ['sUnion', (keys) => ['SUNION', ...list(keys)]],
  SDIFF: ['sDiff', (keys) => ['SDIFF', ...list(keys)]],
  SINTERSTORE: ['sInterStore', (destination, keys) => ['SINTERSTORE', destination, ...list(keys)]],
  SUNIONSTORE: ['sUnionStore', (destination, keys) => ['SUNIONSTORE', destination, ...list(keys)]],
  SDIFFSTORE: ['sDiffStore', (destination, keys) => ['SDIFFSTORE', destination, ...list(keys)]],
  SPOP: ['sPop', (key, count) => (count === undefined ? ['SPOP', key] : ['SPOP', key, count.toString()])],
  SRANDMEMBER: ['sRandMember', (key) => ['SRANDMEMBER', key]],
  SRANDMEMBER_COUNT: ['sRandMemberCount', (key, count) => ['SRANDMEMBER', key, count.toString()]],
  SMOVE: ['sMove', (source, destination, member) => ['SMOVE', source, destination, str(member)], bool],
  SSCAN: ['sScan', (key, cursor, o) => scanArgs(['SSCAN', key], cursor, o),
    ([cursor, members]) => ({ cursor: Number(cursor), members })],
  ZADD: ['zAdd', (key, members, o) => {
    const args = ['ZADD', key];
    if (o?.NX) args.push('NX');
    else {
      if (o?.XX) args.push('XX');
      if (o?.GT) args.push('GT');
      else if (o?.LT) args.push('LT');
    }
    if (o?.CH) args.push('CH');
    if (o?.INCR) args.push('INCR');
    for (const { score, value } of list(members)) args.push(infinity(score), str(value));
    return args;
  }, num],
  ZRANGE: ['zRange', (key, min, max, o) => zrangeArgs('ZRANGE', key, min, max, o)],
  ZRANGE_WITHSCORES: ['zRangeWithScores', (key, min, max, o) => [...zrangeArgs('ZRANGE', key, min, max, o), 'WITHSCORES'], withScores],
  ZRANGEBYSCORE: ['zRangeByScore', (key, min, max) => ['ZRANGEBYSCORE', key, infinity(min), infinity(max)]],
  ZSCORE: ['zScore', (key, member) => ['ZSCORE', key, str(member)], num],
  ZMSCORE: ['zmScore', (key, members) => ['ZMSCORE', key, ...list(members).map(str)], (r) => r.map(num)],
  ZINCRBY: ['zIncrBy', (key, n, member) => ['ZINCRBY', key, n.toString(), str(member)], num],
  ZREM: ['zRem', (key, members) => ['ZREM', key, ...list(members).map(str)]],
  ZCARD: ['zCard', (key) => ['ZCARD', key]],
  ZCOUNT: ['zCount', (key, min, max) => ['ZCOUNT', key, infinity(min), infinity(max)]],
  ZRANK: ['zRank', (key, member) => ['ZRANK', key, str(member)]],
  ZREVRANK: ['zRevRank', (key, member) => ['ZREVRANK', key, str(member)]],
  ZPOPMIN: ['zPopMin', (key) => ['ZPOPMIN', key], (r) => (r.length ? withScores(r)[0] : null)],
  ZPOPMAX: ['zPopMax', (key) => ['ZPOPMAX', key], (r) => (r.length ? withScores(r)[0] : null)],
  ZSCAN: ['zScan', (key, cursor, o) => scanArgs(['ZSCAN', key], cursor, o),
    ([cursor, raw]) => ({ cursor: Number(cursor), members: withScores(raw) })],
  PUBLISH: ['publish', (channel, message) => ['PUBLISH', channel, str(message)]],
  PFADD: ['pfAdd', (key, elements) => ['PFADD', key, ...list(elements ?? []).map(str)], bool],
  PFCOUNT: ['pfCount', (keys) => ['PFCOUNT', ...list(keys)]],
  WATCH: ['watch', (keys) => ['WATCH', ...list(keys)]],
  UNWATCH: ['unwatch', () => ['UNWATCH']],
  SELECT: ['select', (db) => ['SELECT', db.toString()]],
  CLIENT_ID: ['clientId', () => ['CLIENT', 'ID']],
  CLIENT_GETNAME: ['clientGetName', () => ['CLIENT', 'GETNAME']],
  CLIENT_SETNAME: ['clientSetName', (name) => ['CLIENT', 'SETNAME', name]],
  CLIENT_KILL: ['clientKill', (filter) => {
    if (typeof filter === 'string') return ['CLIENT', 'KILL', filter];
    const args = ['CLIENT', 'KILL'];
    if (filter?.filter === 'ID') args.push('ID', filter.id.toString());
    else if (filter?.filter === 'TYPE') args.push('TYPE', filter.type);
    else if (filter?.filter === 'ADDR') args.push('ADDR', filter.address);
    return args;
  }],
  TIME: ['time', () => ['TIME'], ([s, us]) => {
    const d = new Date(Number(s) * 1000 + Number(us) / 1000);
    d.microseconds = Number(us);
    return d;
  }],
};

function upperName(name) {
  return name.toUpperCase();
}

/**
 * The command methods: the table's, then every other command ioredis knows by its UPPER name
 * and its lower-case name (node-redis's name for one-word commands).
 */
function commandMethods() {
  const methods = {};
  for (const [upper, [camel, toArgs, toReply]] of Object.entries(SPECS)) {
    const method = function specCommand(...args) {
      const options = args.length && args[0] && args[0][OPTIONS] ? args.shift() : undefined;
      return this._run(toArgs(...args), options, toReply);
    };
    methods[upper] = method;
    methods[camel] = method;
  }
  for (const name of Object.keys(COMMANDS)) {
    const upper = upperName(name);
    if (methods[upper] || name.includes('|')) continue;
    const method = function genericCommand(...args) {
      const options = args.length && args[0] && args[0][OPTIONS] ? args.shift() : undefined;
      const argv = [upper];
      for (const a of args.flat()) argv.push(str(a));
      return this._run(argv, options);
    };
    methods[upper] = method;
    if (!methods[name]) methods[name] = method;
  }
  return methods;
}

const METHODS = commandMethods();

function toErrorReply(err) {
  if (err instanceof ReplyError) {
    const reply = new ErrorReply(err.message);
    if (err[CALL_SITE] !== undefined) Object.defineProperty(reply, CALL_SITE, { value: err[CALL_SITE] });
    return reply;
  }
  return err;
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
  }

  addCommand(args, toReply) {
    this._queue.push({ args: args.map(str), toReply });
    return this;
  }

  /** Runs the transaction: the replies, transformed; rejects on errors as node-redis 4 does. */
  async exec(execAsPipeline = false) {
    if (execAsPipeline) return this.execAsPipeline();
    const client = this._client;
    if (!client.isOpen) throw new ClientClosedError();
    const redis = client._inner;
    const pipeline = redis.pipeline();
    pipeline.call('MULTI');
    for (const { args } of this._queue) queueUntransformed(pipeline, args);
    pipeline.call('EXEC');
    const results = await pipeline.exec();
    // A command refused while queueing makes EXEC answer EXECABORT, which is what rejects.
    const [execError, replies] = results[results.length - 1];
    if (execError) throw toErrorReply(execError);
    if (replies === null) throw new WatchError();
    const errorIndexes = [];
    const out = replies.map((reply, i) => {
      if (reply instanceof Error) {
        errorIndexes.push(i);
        return toErrorReply(reply);
      }
      return transformReply(this._queue[i].toReply, reply);
    });
    if (errorIndexes.length) throw new MultiErrorReply(out, errorIndexes);
    return out;
  }

  /** The same commands as a plain pipeline (no MULTI). */
  async execAsPipeline() {
    const client = this._client;
    if (!client.isOpen) throw new ClientClosedError();
    if (this._queue.length === 0) return [];
    const pipeline = client._inner.pipeline();
    for (const { args } of this._queue) queueUntransformed(pipeline, args);
    const results = await pipeline.exec();
    return results.map(([err, reply], i) => {
      if (err) throw toErrorReply(err);
      return transformReply(this._queue[i].toReply, reply);
    });
  }
}

for (const [name, method] of Object.entries(METHODS)) {
  if (Object.prototype.hasOwnProperty.call(RedisMultiCommand.prototype, name)) continue;
  RedisMultiCommand.prototype[name] = function queue(...args) {
    // Reuse the client method's argument shaping, recording instead of sending.
    let recorded;
    method.apply(
      {
        _run: (argv, _options, toReply) => {
          recorded = [argv, toReply];
        },
      },
      args,
    );
    return this.addCommand(recorded[0], recorded[1]);
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
    const inner = new Redis({ ...parseClientOptions(this.options), lazyConnect: true, maxRetriesPerRequest: null });
    inner._nodeRedis = true;
    this._inner = inner;
    let connected = false;
    inner.on('connect', () => this.emit('connect'));
    inner.on('ready', () => {
      this.isReady = true;
      if (connected) this.emit('ready');
    });
    inner.on('close', () => {
      this.isReady = false;
      if (!this._quitting && this.isOpen && this.listenerCount('error') > 0) {
        this.emit('error', new SocketClosedUnexpectedlyError());
      }
    });
    inner.on('reconnecting', () => this.emit('reconnecting'));
    inner.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
    inner.on('messageBuffer', (channel, message) => this._dispatch('c', channel, channel, message));
    inner.on('pmessageBuffer', (pattern, channel, message) => this._dispatch('p', pattern, channel, message));
    inner.on('smessageBuffer', (channel, message) => this._dispatch('s', channel, channel, message));
    await inner.connect();
    connected = true;
    this.isReady = true;
    this.emit('ready');
    return this;
  }

  _run(argv, options, toReply) {
    if (!this.isOpen) return Promise.reject(new ClientClosedError());
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
      (reply) => transformReply(toReply, reply),
      (err) => {
        throw toErrorReply(err);
      },
    );
  }

  /** Sends a command given as an array of strings: `sendCommand(['SET', 'k', 'v'])`. */
  sendCommand(args, options) {
    return this._run(args.map(str), options);
  }

  multi() {
    return new RedisMultiCommand(this);
  }

  MULTI() {
    return this.multi();
  }

  async quit() {
    if (!this.isOpen) throw new ClientClosedError();
    this._quitting = true;
    const reply = await this._run(['QUIT']);
    this.isOpen = false;
    this.isReady = false;
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
    this._quitting = true;
    this.isOpen = false;
    this.isReady = false;
    this._inner.flushQueue(new DisconnectsClientError());
    this._inner.disconnect();
    this.emit('end');
  }

  duplicate(overrides) {
    return new RedisClient({ ...this.options, ...overrides });
  }

  _dispatch(kind, key, channel, message) {
    const name = typeof key === 'string' ? key : platform.bytesToString(key);
    const listeners = this._subscriptions.get(`${kind}:${name}`);
    if (!listeners) return;
    for (const { listener, buffers } of listeners) {
      if (buffers) listener(message, channel);
      else listener(platform.bytesToString(message), platform.bytesToString(channel));
    }
  }

  async _subscribe(kind, command, channels, listener, buffers) {
    if (!this.isOpen) throw new ClientClosedError();
    const names = list(channels);
    for (const name of names) {
      const key = `${kind}:${name}`;
      if (!this._subscriptions.has(key)) this._subscriptions.set(key, []);
      this._subscriptions.get(key).push({ listener, buffers: Boolean(buffers) });
    }
    await this._inner[command](...names).catch((err) => {
      throw toErrorReply(err);
    });
  }

  async _unsubscribe(kind, command, channels, listener) {
    if (!this.isOpen) throw new ClientClosedError();
    const names = channels === undefined ? [] : list(channels);
    const keys = names.length
      ? names.map((n) => `${kind}:${n}`)
      : [...this._subscriptions.keys()].filter((k) => k.startsWith(`${kind}:`));
    const leave = [];
    for (const key of keys) {
      const entries = this._subscriptions.get(key) || [];
      const rest = listener ? entries.filter((e) => e.listener !== listener) : [];
      if (rest.length) this._subscriptions.set(key, rest);
      else {
        this._subscriptions.delete(key);
        leave.push(key.slice(2));
      }
    }
    if (leave.length === 0 && names.length) return;
    await this._inner[command](...leave).catch((err) => {
      throw toErrorReply(err);
    });
  }

  subscribe(channels, listener, bufferMode) {
    return this._subscribe('c', 'subscribe', channels, listener, bufferMode);
  }

  unsubscribe(channels, listener) {
    return this._unsubscribe('c', 'unsubscribe', channels, listener);
  }

  pSubscribe(patterns, listener, bufferMode) {
    return this._subscribe('p', 'psubscribe', patterns, listener, bufferMode);
  }

  pUnsubscribe(patterns, listener) {
    return this._unsubscribe('p', 'punsubscribe', patterns, listener);
  }

  sSubscribe(channels, listener, bufferMode) {
    return this._subscribe('s', 'ssubscribe', channels, listener, bufferMode);
  }

  sUnsubscribe(channels, listener) {
    return this._unsubscribe('s', 'sunsubscribe', channels, listener);
  }

  async *scanIterator(options) {
    let cursor = 0;
    do {
      const reply = await this.scan(cursor, options);
      cursor = reply.cursor;
      for (const key of reply.keys) yield key;
    } while (cursor !== 0);
  }

  async *hScanIterator(key, options) {
    let cursor = 0;
    do {
      const reply = await this.hScan(key, cursor, options);
      cursor = reply.cursor;
      for (const tuple of reply.tuples) yield tuple;
    } while (cursor !== 0);
  }

  async *sScanIterator(key, options) {
    let cursor = 0;
    do {
      const reply = await this.sScan(key, cursor, options);
      cursor = reply.cursor;
      for (const member of reply.members) yield member;
    } while (cursor !== 0);
  }

  async *zScanIterator(key, options) {
    let cursor = 0;
    do {
      const reply = await this.zScan(key, cursor, options);
      cursor = reply.cursor;
      for (const member of reply.members) yield member;
    } while (cursor !== 0);
  }
}

for (const [name, method] of Object.entries(METHODS)) {
  if (!Object.prototype.hasOwnProperty.call(RedisClient.prototype, name)) {
    RedisClient.prototype[name] = method;
  }
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
