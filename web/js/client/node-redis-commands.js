//! The node-redis 4 command table: for each command node-redis 4.7 knows, its UPPER name, its
//! camelCase name, how its arguments become the command line and how its reply is shaped
//! (objects, booleans, numbers, `{ value, score }`, stream entries `{ id, message }`…).
//! Commands the engine lacks (Lua, FUNCTION, CLUSTER, ACL…) are here too: sent as node-redis
//! sends them, they answer the server's unknown-command error, as against a server without them.

import { platform } from './platform.js';

/**
 * A number as its decimal text, anything else as it is. node-redis converts numbers only in a
 * few places (SET's value, HSET's fields and values, range bounds…); elsewhere a value must be a
 * string or bytes, and anything else fails the command with `TypeError: Invalid argument type`.
 */
export const str = (v) => (typeof v === 'number' ? v.toString() : v);
/** One value or an array of them. */
export const list = (v) => (Array.isArray(v) ? v : [v]);
const text = (v) => v.toString();
/** Appends one value or each of an array of values. */
const spread = (args, v) => {
  for (const item of list(v)) args.push(item);
  return args;
};
/** Appends how many values follow, then the values (`numkeys key [key …]`). */
const counted = (args, v) => {
  const items = list(v);
  args.push(items.length.toString());
  for (const item of items) args.push(item);
  return args;
};
/** A score or range bound: `Infinity` is `+inf`, other numbers their text, strings as given. */
const bound = (v) => (v === Infinity ? '+inf' : v === -Infinity ? '-inf' : str(v));
const seconds = (t) => (t instanceof Date ? Math.floor(t.getTime() / 1000).toString() : text(t));
const millis = (t) => (t instanceof Date ? t.getTime().toString() : text(t));

// Reply shapes.
const bool = (reply) => reply === 1;
const bools = (reply) => reply.map(bool);
// Redis 7.0 writes an infinite score as `inf`, which node-redis reads as NaN (it knows only
// `+inf` and `-inf`): so does this.
const number = (reply) => {
  const t = reply.toString();
  if (t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  return Number(reply);
};
const numberOrNull = (reply) => (reply === null ? null : number(reply));
/** `[k1, v1, k2, v2…]` → an object without prototype (a field may be named `__proto__`). */
export const tuplesObject = (reply) => {
  const out = Object.create(null);
  for (let i = 0; i < reply.length; i += 2) out[reply[i].toString()] = reply[i + 1];
  return out;
};
const member = (reply) => ({ value: reply[0], score: number(reply[1]) });
const memberOrNull = (reply) => (reply.length ? member(reply) : null);
const withScores = (reply) => {
  const out = [];
  for (let i = 0; i < reply.length; i += 2) out.push({ value: reply[i], score: number(reply[i + 1]) });
  return out;
};
const entry = ([id, fields]) => ({ id, message: tuplesObject(fields) });
const entryOrNull = (reply) => (reply === null ? null : entry(reply));
const entries = (reply) => reply.map(entry);
const streams = (reply) => (reply === null ? null : reply.map(([name, raw]) => ({ name, messages: entries(raw) })));
/** A reply that must be an integer (node-redis refuses the arrays of old servers). */
const integerOr = (message) => (reply) => {
  if (typeof reply !== 'number') throw new TypeError(message);
  return reply;
};
/**
 * `[name1, v1, name2, v2…]` → `{ prop: v }`, in the reply's order, for the names `props` knows
 * (a Map: name → [prop, shape?]); other names are left out.
 */
const renamed = (props) => (reply) => {
  const out = {};
  for (let i = 0; i < reply.length; i += 2) {
    const prop = props.get(reply[i]);
    if (prop) out[prop[0]] = prop[1] ? prop[1](reply[i + 1]) : reply[i + 1];
  }
  return out;
};

// Arguments shared by several commands.
function scanArgs(args, cursor, o) {
  args.push(cursor.toString());
  if (o?.MATCH) args.push('MATCH', o.MATCH);
  if (o?.COUNT) args.push('COUNT', o.COUNT.toString());
  return args;
}

/** SET's expiry: as node-redis, a Date for EXAT or PXAT goes as its text (which Redis refuses). */
function setExpiry(args, o) {
  if (o?.EX !== undefined) args.push('EX', o.EX.toString());
  else if (o?.PX !== undefined) args.push('PX', o.PX.toString());
  else if (o?.EXAT !== undefined) args.push('EXAT', o.EXAT.toString());
  else if (o?.PXAT !== undefined) args.push('PXAT', o.PXAT.toString());
  else return false;
  return true;
}

/** GETEX's mode, told apart by which option it names; none of them means PERSIST. */
function getexMode(args, mode) {
  if ('EX' in mode) args.push('EX', mode.EX.toString());
  else if ('PX' in mode) args.push('PX', mode.PX.toString());
  else if ('EXAT' in mode) args.push('EXAT', seconds(mode.EXAT));
  else if ('PXAT' in mode) args.push('PXAT', millis(mode.PXAT));
  else args.push('PERSIST');
  return args;
}

/** MSET's pairs: from an array of pairs (or a flat array), or an object's own keys. */
function msetPairs(args, toSet) {
  if (Array.isArray(toSet)) args.push(...toSet.flat());
  else for (const k of Object.keys(toSet)) args.push(k, toSet[k]);
  return args;
}

/** HSET's field-value pairs from an object, a Map or (nested) arrays, numbers as text. */
function hashPairs(args, value) {
  if (value instanceof Map) {
    for (const [k, v] of value) args.push(str(k), str(v));
  } else if (Array.isArray(value)) {
    for (const item of value.flat(Infinity)) args.push(str(item));
  } else {
    for (const k of Object.keys(value)) args.push(k, str(value[k]));
  }
  return args;
}

function rangeOptions(args, o) {
  if (o?.BY === 'SCORE') args.push('BYSCORE');
  else if (o?.BY === 'LEX') args.push('BYLEX');
  if (o?.REV) args.push('REV');
  return limit(args, o);
}

function limit(args, o) {
  if (o?.LIMIT) args.push('LIMIT', o.LIMIT.offset.toString(), o.LIMIT.count.toString());
  return args;
}

function combine(args, o) {
  if (o?.WEIGHTS) args.push('WEIGHTS', ...o.WEIGHTS.map(text));
  if (o?.AGGREGATE) args.push('AGGREGATE', o.AGGREGATE);
  return args;
}

function popArgs(args, keys, side, o) {
  counted(args, keys).push(side);
  if (o?.COUNT) args.push('COUNT', o.COUNT.toString());
  return args;
}

function sortArgs(args, o) {
  if (o?.BY) args.push('BY', o.BY);
  limit(args, o);
  if (o?.GET) for (const pattern of list(o.GET)) args.push('GET', pattern);
  if (o?.DIRECTION) args.push(o.DIRECTION);
  if (o?.ALPHA) args.push('ALPHA');
  return args;
}

function evalArgs(args, o) {
  if (o?.keys) args.push(o.keys.length.toString(), ...o.keys);
  else args.push('0');
  if (o?.arguments) args.push(...o.arguments);
  return args;
}

function geoCount(args, count) {
  if (typeof count === 'number') args.push('COUNT', count.toString());
  else if (count) {
    args.push('COUNT', count.value.toString());
    if (count.ANY) args.push('ANY');
  }
  return args;
}

function geoSort(args, o) {
  if (o?.SORT) args.push(o.SORT);
  return geoCount(args, o?.COUNT);
}

/** GEOSEARCH's `FROMMEMBER m | FROMLONLAT lon lat`, `BYRADIUS r | BYBOX w h`, unit, options. */
function geoSearchArgs(args, key, from, by, o) {
  args.push(key);
  if (typeof from === 'string') args.push('FROMMEMBER', from);
  else args.push('FROMLONLAT', from.longitude.toString(), from.latitude.toString());
  if ('radius' in by) args.push('BYRADIUS', by.radius.toString());
  else args.push('BYBOX', by.width.toString(), by.height.toString());
  args.push(by.unit);
  return geoSort(args, o);
}

/** GEORADIUS's center (a member name or `{ longitude, latitude }`), radius, unit, options. */
function geoRadiusArgs(args, key, from, radius, unit, o) {
  args.push(key);
  if (typeof from === 'string') args.push(from);
  else args.push(from.longitude.toString(), from.latitude.toString());
  args.push(radius.toString(), unit);
  return geoSort(args, o);
}

function geoRadiusStore(name) {
  return (key, from, radius, unit, destination, o) => {
    const args = geoRadiusArgs([name], key, from, radius, unit, o);
    args.push(o?.STOREDIST ? 'STOREDIST' : 'STORE', destination);
    return args;
  };
}

/** A `…_WITH` variant: the base arguments plus the `WITH…` tokens, kept for the reply. */
function geoWith(base, at) {
  return (...params) => {
    const replyWith = params.splice(at, 1)[0];
    const args = base(...params);
    args.push(...replyWith);
    args.replyWith = replyWith;
    return args;
  };
}

/** Geo members with what was asked (`WITHDIST`, `WITHHASH`, `WITHCOORD`, in Redis's order). */
function geoMembers(reply, replyWith) {
  const asked = new Set(replyWith);
  let at = 0;
  const dist = asked.has('WITHDIST') ? ++at : 0;
  const hash = asked.has('WITHHASH') ? ++at : 0;
  const coord = asked.has('WITHCOORD') ? ++at : 0;
  return reply.map((item) => {
    const out = { member: item[0] };
    if (dist) out.distance = item[dist];
    if (hash) out.hash = item[hash];
    if (coord) out.coordinates = { longitude: item[coord][0], latitude: item[coord][1] };
    return out;
  });
}

function streamsArgs(args, requested) {
  const all = list(requested);
  args.push('STREAMS');
  for (const s of all) args.push(s.key);
  for (const s of all) args.push(s.id);
  return args;
}

function readOptions(args, o) {
  if (o?.COUNT) args.push('COUNT', o.COUNT.toString());
  if (typeof o?.BLOCK === 'number') args.push('BLOCK', o.BLOCK.toString());
  return args;
}

function xclaimArgs(key, group, consumer, minIdleTime, id, o) {
  const args = spread(['XCLAIM', key, group, consumer, minIdleTime.toString()], id);
  if (o?.IDLE) args.push('IDLE', o.IDLE.toString());
  if (o?.TIME) args.push('TIME', millis(o.TIME));
  if (o?.RETRYCOUNT) args.push('RETRYCOUNT', o.RETRYCOUNT.toString());
  if (o?.FORCE) args.push('FORCE');
  return args;
}

function xautoclaimArgs(key, group, consumer, minIdleTime, start, o) {
  const args = ['XAUTOCLAIM', key, group, consumer, minIdleTime.toString(), start];
  if (o?.COUNT) args.push('COUNT', o.COUNT.toString());
  return args;
}

function clientKillFilter(args, f) {
  if (typeof f === 'string') {
    args.push(f);
    return;
  }
  args.push(f.filter);
  if (f.filter === 'ADDR') args.push(f.address);
  else if (f.filter === 'LADDR') args.push(f.localAddress);
  else if (f.filter === 'ID') args.push(str(f.id));
  else if (f.filter === 'TYPE') args.push(f.type);
  else if (f.filter === 'USER') args.push(f.username);
  else if (f.filter === 'SKIPME') args.push(f.skipMe ? 'yes' : 'no');
  else if (f.filter === 'MAXAGE') args.push(f.maxAge.toString());
}

/** One line of CLIENT LIST / CLIENT INFO (`id=3 addr=… flags=N …`) as node-redis shapes it. */
function clientInfo(line) {
  const f = {};
  for (const [, name, value] of line.matchAll(/([^\s=]+)=(\S*)/g)) f[name] = value;
  const out = {
    id: Number(f.id), addr: f.addr, fd: Number(f.fd), name: f.name, age: Number(f.age),
    idle: Number(f.idle), flags: f.flags, db: Number(f.db), sub: Number(f.sub), psub: Number(f.psub),
    multi: Number(f.multi), qbuf: Number(f.qbuf), qbufFree: Number(f['qbuf-free']),
    argvMem: Number(f['argv-mem']), obl: Number(f.obl), oll: Number(f.oll), omem: Number(f.omem),
    totMem: Number(f['tot-mem']), events: f.events, cmd: f.cmd, user: f.user,
    libName: f['lib-name'], libVer: f['lib-ver'],
  };
  if (f.laddr !== undefined) out.laddr = f.laddr;
  if (f.redir !== undefined) out.redir = Number(f.redir);
  if (f.ssub !== undefined) out.ssub = Number(f.ssub);
  if (f['multi-mem'] !== undefined) out.multiMem = Number(f['multi-mem']);
  if (f.resp !== undefined) out.resp = Number(f.resp);
  return out;
}

const clientList = (reply) => {
  const lines = reply.split('\n');
  lines.pop();
  return lines.map(clientInfo);
};

const commandInfo = ([name, arity, flags, firstKeyIndex, lastKeyIndex, step, categories]) => ({
  name, arity, flags: new Set(flags), firstKeyIndex, lastKeyIndex, step, categories: new Set(categories),
});

/** MEMORY STATS's names → node-redis's; a name it does not know lands on `undefined`. */
const MEMORY_STATS = {
  'peak.allocated': 'peakAllocated', 'total.allocated': 'totalAllocated',
  'startup.allocated': 'startupAllocated', 'replication.backlog': 'replicationBacklog',
  'clients.slaves': 'clientsReplicas', 'clients.normal': 'clientsNormal', 'aof.buffer': 'aofBuffer',
  'lua.caches': 'luaCaches', 'overhead.total': 'overheadTotal', 'keys.count': 'keysCount',
  'keys.bytes-per-key': 'keysBytesPerKey', 'dataset.bytes': 'datasetBytes',
  'dataset.percentage': 'datasetPercentage', 'peak.percentage': 'peakPercentage',
  'allocator.allocated': 'allocatorAllocated', 'allocator.active': 'allocatorActive',
  'allocator.resident': 'allocatorResident',
  'allocator-fragmentation.ratio': 'allocatorFragmentationRatio',
  'allocator-fragmentation.bytes': 'allocatorFragmentationBytes',
  'allocator-rss.ratio': 'allocatorRssRatio', 'allocator-rss.bytes': 'allocatorRssBytes',
  'rss-overhead.ratio': 'rssOverheadRatio', 'rss-overhead.bytes': 'rssOverheadBytes',
  fragmentation: 'fragmentation', 'fragmentation.bytes': 'fragmentationBytes',
};
const MEMORY_STATS_DB = {
  'overhead.hashtable.main': 'overheadHashtableMain',
  'overhead.hashtable.expires': 'overheadHashtableExpires',
};

function memoryStats(reply) {
  const out = { db: {} };
  for (let i = 0; i < reply.length; i += 2) {
    const name = reply[i];
    if (name.startsWith('db.')) {
      const db = {};
      const fields = reply[i + 1];
      for (let j = 0; j < fields.length; j += 2) db[MEMORY_STATS_DB[fields[j]]] = fields[j + 1];
      out.db[name.slice(3)] = db;
    } else {
      out[MEMORY_STATS[name]] = Number(reply[i + 1]);
    }
  }
  return out;
}

const functionLibrary = (lib) => ({
  libraryName: lib[1],
  engine: lib[3],
  functions: lib[5].map((fn) => ({ name: fn[1], description: fn[3], flags: fn[5] })),
});

function functionStats(reply) {
  const engines = Object.create(null);
  const raw = reply[3];
  for (let i = 0; i < raw.length; i += 2) {
    engines[raw[i]] = { librariesCount: raw[i + 1][1], functionsCount: raw[i + 1][3] };
  }
  const running = reply[1];
  return {
    runningScript: running === null ? null : { name: running[1], command: running[3], durationMs: running[5] },
    engines,
  };
}

function role(reply) {
  if (reply[0] === 'master') {
    return {
      role: 'master',
      replicationOffest: reply[1],
      replicas: reply[2].map(([ip, port, offset]) => ({ ip, port: Number(port), replicationOffest: Number(offset) })),
    };
  }
  if (reply[0] === 'slave') {
    return { role: 'slave', master: { ip: reply[1], port: reply[2] }, state: reply[3], dataReceived: reply[4] };
  }
  if (reply[0] === 'sentinel') return { role: 'sentinel', masterNames: reply[1] };
  return undefined;
}

const clusterValue = (line) => line.substring(line.indexOf(':') + 1);

function clusterInfo(reply) {
  const v = reply.split('\r\n').map(clusterValue);
  return {
    state: v[0],
    slots: { assigned: Number(v[1]), ok: Number(v[2]), pfail: Number(v[3]), fail: Number(v[4]) },
    knownNodes: Number(v[5]),
    size: Number(v[6]),
    currentEpoch: Number(v[7]),
    myEpoch: Number(v[8]),
    stats: { messagesSent: Number(v[9]), messagesReceived: Number(v[10]) },
  };
}

function clusterAddress(address) {
  const colon = address.lastIndexOf(':');
  const at = address.indexOf('@', colon);
  const host = address.substring(0, colon);
  if (at === -1) return { host, port: Number(address.substring(colon + 1)), cport: null };
  return { host, port: Number(address.substring(colon + 1, at)), cport: Number(address.substring(at + 1)) };
}

/** CLUSTER NODES: the masters, each with its slots and replicas. */
function clusterNodes(reply) {
  const lines = reply.split('\n');
  lines.pop();
  const masters = new Map();
  const replicas = new Map();
  const replicasOf = (id) => {
    if (!replicas.has(id)) replicas.set(id, []);
    return replicas.get(id);
  };
  for (const line of lines) {
    const [id, address, flags, masterId, pingSent, pongRecv, configEpoch, linkState, ...slots] = line.split(' ');
    const node = {
      id, address, ...clusterAddress(address), flags: flags.split(','), pingSent: Number(pingSent),
      pongRecv: Number(pongRecv), configEpoch: Number(configEpoch), linkState,
    };
    if (masterId === '-') {
      const slotRanges = slots.map((slot) => {
        const [from, to] = slot.split('-', 2);
        return { from: Number(from), to: to ? Number(to) : Number(from) };
      });
      masters.set(id, { ...node, slots: slotRanges, replicas: replicasOf(id) });
    } else {
      replicasOf(masterId).push(node);
    }
  }
  return [...masters.values()];
}

function slotRanges(args, ranges) {
  for (const r of list(ranges)) args.push(r.start.toString(), r.end.toString());
  return args;
}

const clusterNode = ([ip, port, id]) => ({ ip, port, id });

const onOff = (on) => (on ? 'ON' : 'OFF');
const optional = (args, value) => {
  if (value) args.push(value);
  return args;
};
const sub = (container, name) => (...rest) => [container, name, ...rest];

/**
 * The table: UPPER name → [camelCase name, (…args) → command line, reply shape?]. Every other
 * command ioredis knows is there too, by its UPPER and lower-case name, with its arguments
 * flattened and its reply untouched (see `node-redis.js`).
 */
export const SPECS = {
  // Strings.
  SET: ['set', (key, value, o) => {
    const args = ['SET', key, str(value)];
    if (!setExpiry(args, o) && o?.KEEPTTL) args.push('KEEPTTL');
    if (o?.NX) args.push('NX');
    else if (o?.XX) args.push('XX');
    if (o?.GET) args.push('GET');
    return args;
  }],
  SETEX: ['setEx', (key, s, value) => ['SETEX', key, s.toString(), value]],
  PSETEX: ['pSetEx', (key, ms, value) => ['PSETEX', key, ms.toString(), value]],
  SETNX: ['setNX', (key, value) => ['SETNX', key, value], bool],
  GET: ['get', (key) => ['GET', key]],
  GETDEL: ['getDel', (key) => ['GETDEL', key]],
  GETEX: ['getEx', (key, mode) => getexMode(['GETEX', key], mode)],
  GETSET: ['getSet', (key, value) => ['GETSET', key, value]],
  MGET: ['mGet', (keys) => ['MGET', ...keys]],
  MSET: ['mSet', (toSet) => msetPairs(['MSET'], toSet)],
  MSETNX: ['mSetNX', (toSet) => msetPairs(['MSETNX'], toSet), bool],
  APPEND: ['append', (key, value) => ['APPEND', key, value]],
  STRLEN: ['strLen', (key) => ['STRLEN', key]],
  GETRANGE: ['getRange', (key, start, end) => ['GETRANGE', key, start.toString(), end.toString()]],
  SETRANGE: ['setRange', (key, offset, value) => ['SETRANGE', key, offset.toString(), value]],
  INCR: ['incr', (key) => ['INCR', key]],
  INCRBY: ['incrBy', (key, n) => ['INCRBY', key, n.toString()]],
  INCRBYFLOAT: ['incrByFloat', (key, n) => ['INCRBYFLOAT', key, n.toString()]],
  DECR: ['decr', (key) => ['DECR', key]],
  DECRBY: ['decrBy', (key, n) => ['DECRBY', key, n.toString()]],
  LCS: ['lcs', (key1, key2) => ['LCS', key1, key2]],
  LCS_LEN: ['lcsLen', (key1, key2) => ['LCS', key1, key2, 'LEN']],
  LCS_IDX: ['lcsIdx', (key1, key2) => ['LCS', key1, key2, 'IDX'], (reply) => ({
    matches: reply[1].map(([a, b]) => ({ key1: { start: a[0], end: a[1] }, key2: { start: b[0], end: b[1] } })),
    length: reply[3],
  })],
  LCS_IDX_WITHMATCHLEN: ['lcsIdxWithMatchLen', (key1, key2) => ['LCS', key1, key2, 'IDX', 'WITHMATCHLEN'], (reply) => ({
    matches: reply[1].map(([a, b, length]) => ({
      key1: { start: a[0], end: a[1] }, key2: { start: b[0], end: b[1] }, length,
    })),
    length: reply[3],
  })],

  // Bitmaps.
  SETBIT: ['setBit', (key, offset, value) => ['SETBIT', key, offset.toString(), value.toString()]],
  GETBIT: ['getBit', (key, offset) => ['GETBIT', key, offset.toString()]],
  BITCOUNT: ['bitCount', (key, range) => {
    const args = ['BITCOUNT', key];
    if (range) {
      args.push(range.start.toString(), range.end.toString());
      if (range.mode) args.push(range.mode);
    }
    return args;
  }],
  BITOP: ['bitOp', (operation, destKey, keys) => spread(['BITOP', operation, destKey], keys)],
  BITPOS: ['bitPos', (key, bit, start, end, mode) => {
    const args = ['BITPOS', key, bit.toString()];
    if (typeof start === 'number') args.push(start.toString());
    if (typeof end === 'number') args.push(end.toString());
    if (mode) args.push(mode);
    return args;
  }],
  BITFIELD: ['bitField', (key, operations) => {
    const args = ['BITFIELD', key];
    for (const op of operations) {
      if (op.operation === 'GET') args.push('GET', op.encoding, op.offset.toString());
      else if (op.operation === 'SET') args.push('SET', op.encoding, op.offset.toString(), op.value.toString());
      else if (op.operation === 'INCRBY') args.push('INCRBY', op.encoding, op.offset.toString(), op.increment.toString());
      else if (op.operation === 'OVERFLOW') args.push('OVERFLOW', op.behavior);
    }
    return args;
  }],
  BITFIELD_RO: ['bitFieldRo', (key, operations) => {
    const args = ['BITFIELD_RO', key];
    for (const op of operations) args.push('GET', op.encoding, op.offset.toString());
    return args;
  }],

  // Keys.
  DEL: ['del', (keys) => spread(['DEL'], keys)],
  UNLINK: ['unlink', (keys) => spread(['UNLINK'], keys)],
  EXISTS: ['exists', (keys) => spread(['EXISTS'], keys)],
  TOUCH: ['touch', (keys) => spread(['TOUCH'], keys)],
  EXPIRE: ['expire', (key, s, mode) => optional(['EXPIRE', key, s.toString()], mode), bool],
  PEXPIRE: ['pExpire', (key, ms, mode) => optional(['PEXPIRE', key, ms.toString()], mode), bool],
  EXPIREAT: ['expireAt', (key, t, mode) => optional(['EXPIREAT', key, seconds(t)], mode), bool],
  PEXPIREAT: ['pExpireAt', (key, t, mode) => optional(['PEXPIREAT', key, millis(t)], mode), bool],
  EXPIRETIME: ['expireTime', (key) => ['EXPIRETIME', key]],
  PEXPIRETIME: ['pExpireTime', (key) => ['PEXPIRETIME', key]],
  PERSIST: ['persist', (key) => ['PERSIST', key], bool],
  TTL: ['ttl', (key) => ['TTL', key]],
  PTTL: ['pTTL', (key) => ['PTTL', key]],
  TYPE: ['type', (key) => ['TYPE', key]],
  RENAME: ['rename', (key, newKey) => ['RENAME', key, newKey]],
  RENAMENX: ['renameNX', (key, newKey) => ['RENAMENX', key, newKey], bool],
  MOVE: ['move', (key, db) => ['MOVE', key, db.toString()], bool],
  COPY: ['copy', (source, destination, o) => {
    const args = ['COPY', source, destination];
    if (o?.destinationDb) args.push('DB', o.destinationDb.toString());
    if (o?.replace) args.push('REPLACE');
    return args;
  }, bool],
  DUMP: ['dump', (key) => ['DUMP', key]],
  RESTORE: ['restore', (key, ttl, serializedValue, o) => {
    const args = ['RESTORE', key, ttl.toString(), serializedValue];
    if (o?.REPLACE) args.push('REPLACE');
    if (o?.ABSTTL) args.push('ABSTTL');
    if (o?.IDLETIME) args.push('IDLETIME', o.IDLETIME.toString());
    if (o?.FREQ) args.push('FREQ', o.FREQ.toString());
    return args;
  }],
  MIGRATE: ['migrate', (host, port, key, destinationDb, timeout, o) => {
    const many = Array.isArray(key);
    const args = ['MIGRATE', host, port.toString(), many ? '' : key, destinationDb.toString(), timeout.toString()];
    if (o?.COPY) args.push('COPY');
    if (o?.REPLACE) args.push('REPLACE');
    if (o?.AUTH) {
      if (o.AUTH.username) args.push('AUTH2', o.AUTH.username, o.AUTH.password);
      else args.push('AUTH', o.AUTH.password);
    }
    if (many) args.push('KEYS', ...key);
    return args;
  }],
  KEYS: ['keys', (pattern) => ['KEYS', pattern]],
  SCAN: ['scan', (cursor, o) => {
    const args = scanArgs(['SCAN'], cursor, o);
    if (o?.TYPE) args.push('TYPE', o.TYPE);
    return args;
  }, ([cursor, keys]) => ({ cursor: Number(cursor), keys })],
  RANDOMKEY: ['randomKey', () => ['RANDOMKEY']],
  SORT: ['sort', (key, o) => sortArgs(['SORT', key], o)],
  SORT_RO: ['sortRo', (key, o) => sortArgs(['SORT_RO', key], o)],
  SORT_STORE: ['sortStore', (source, destination, o) => [...sortArgs(['SORT', source], o), 'STORE', destination]],
  OBJECT_ENCODING: ['objectEncoding', (key) => ['OBJECT', 'ENCODING', key]],
  OBJECT_FREQ: ['objectFreq', (key) => ['OBJECT', 'FREQ', key]],
  OBJECT_IDLETIME: ['objectIdleTime', (key) => ['OBJECT', 'IDLETIME', key]],
  OBJECT_REFCOUNT: ['objectRefCount', (key) => ['OBJECT', 'REFCOUNT', key]],

  // Hashes.
  HSET: ['hSet', (key, value, fieldValue) => {
    if (typeof value === 'string' || typeof value === 'number' || platform.isBytes(value)) {
      return ['HSET', key, str(value), str(fieldValue)];
    }
    return hashPairs(['HSET', key], value);
  }],
  HSETNX: ['hSetNX', (key, field, value) => ['HSETNX', key, field, value], bool],
  HGET: ['hGet', (key, field) => ['HGET', key, field]],
  HGETALL: ['hGetAll', (key) => ['HGETALL', key], tuplesObject],
  HMGET: ['hmGet', (key, fields) => spread(['HMGET', key], fields)],
  HDEL: ['hDel', (key, fields) => spread(['HDEL', key], fields)],
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
  HSCAN_NOVALUES: ['hScanNoValues', (key, cursor, o) => [...scanArgs(['HSCAN', key], cursor, o), 'NOVALUES'],
    ([cursor, keys]) => ({ cursor: Number(cursor), keys })],
  // Field expiry (Redis 7.4): a Redis 7.0 server answers its unknown-command error.
  HEXPIRE: ['hExpire', (key, fields, s, mode) => counted([...optional(['HEXPIRE', key, s.toString()], mode), 'FIELDS'], fields)],
  HPEXPIRE: ['hpExpire', (key, fields, ms, mode) => counted([...optional(['HPEXPIRE', key, ms.toString()], mode), 'FIELDS'], fields)],
  HEXPIREAT: ['hExpireAt', (key, fields, t, mode) => counted([...optional(['HEXPIREAT', key, seconds(t)], mode), 'FIELDS'], fields)],
  HPEXPIREAT: ['hpExpireAt', (key, fields, t, mode) => counted([...optional(['HPEXPIREAT', key, millis(t)], mode), 'FIELDS'], fields)],
  HEXPIRETIME: ['hExpireTime', (key, fields) => counted(['HEXPIRETIME', key, 'FIELDS'], fields)],
  HPEXPIRETIME: ['hpExpireTime', (key, fields) => counted(['HPEXPIRETIME', key, 'FIELDS'], fields)],
  HTTL: ['hTTL', (key, fields) => counted(['HTTL', key, 'FIELDS'], fields)],
  HPTTL: ['hpTTL', (key, fields) => counted(['HPTTL', key, 'FIELDS'], fields)],
  HPERSIST: ['hPersist', (key, fields) => counted(['HPERSIST', key, 'FIELDS'], fields)],

  // Lists.
  LPUSH: ['lPush', (key, elements) => spread(['LPUSH', key], elements)],
  RPUSH: ['rPush', (key, elements) => spread(['RPUSH', key], elements)],
  LPUSHX: ['lPushX', (key, elements) => spread(['LPUSHX', key], elements)],
  RPUSHX: ['rPushX', (key, elements) => spread(['RPUSHX', key], elements)],
  LPOP: ['lPop', (key) => ['LPOP', key]],
  RPOP: ['rPop', (key) => ['RPOP', key]],
  LPOP_COUNT: ['lPopCount', (key, count) => ['LPOP', key, count.toString()]],
  RPOP_COUNT: ['rPopCount', (key, count) => ['RPOP', key, count.toString()]],
  LRANGE: ['lRange', (key, start, stop) => ['LRANGE', key, start.toString(), stop.toString()]],
  LLEN: ['lLen', (key) => ['LLEN', key]],
  LINDEX: ['lIndex', (key, index) => ['LINDEX', key, index.toString()]],
  LSET: ['lSet', (key, index, element) => ['LSET', key, index.toString(), element]],
  LREM: ['lRem', (key, count, element) => ['LREM', key, count.toString(), element]],
  LTRIM: ['lTrim', (key, start, stop) => ['LTRIM', key, start.toString(), stop.toString()]],
  LINSERT: ['lInsert', (key, position, pivot, element) => ['LINSERT', key, position, pivot, element]],
  LPOS: ['lPos', (key, element, o) => {
    const args = ['LPOS', key, element];
    if (typeof o?.RANK === 'number') args.push('RANK', o.RANK.toString());
    if (typeof o?.MAXLEN === 'number') args.push('MAXLEN', o.MAXLEN.toString());
    return args;
  }],
  LPOS_COUNT: ['lPosCount', (key, element, count, o) => {
    const args = ['LPOS', key, element];
    if (typeof o?.RANK === 'number') args.push('RANK', o.RANK.toString());
    args.push('COUNT', count.toString());
    if (typeof o?.MAXLEN === 'number') args.push('MAXLEN', o.MAXLEN.toString());
    return args;
  }],
  LMOVE: ['lMove', (source, destination, from, to) => ['LMOVE', source, destination, from, to]],
  BLMOVE: ['blMove', (source, destination, from, to, timeout) => ['BLMOVE', source, destination, from, to, timeout.toString()]],
  RPOPLPUSH: ['rPopLPush', (source, destination) => ['RPOPLPUSH', source, destination]],
  BRPOPLPUSH: ['brPopLPush', (source, destination, timeout) => ['BRPOPLPUSH', source, destination, timeout.toString()]],
  LMPOP: ['lmPop', (keys, side, o) => popArgs(['LMPOP'], keys, side, o)],
  BLMPOP: ['blmPop', (timeout, keys, side, o) => popArgs(['BLMPOP', timeout.toString()], keys, side, o)],
  BLPOP: ['blPop', (keys, timeout) => [...spread(['BLPOP'], keys), timeout.toString()],
    (reply) => (reply === null ? null : { key: reply[0], element: reply[1] })],
  BRPOP: ['brPop', (keys, timeout) => [...spread(['BRPOP'], keys), timeout.toString()],
    (reply) => (reply === null ? null : { key: reply[0], element: reply[1] })],

  // Sets.
  SADD: ['sAdd', (key, members) => spread(['SADD', key], members)],
  SREM: ['sRem', (key, members) => spread(['SREM', key], members)],
  SMEMBERS: ['sMembers', (key) => ['SMEMBERS', key]],
  SISMEMBER: ['sIsMember', (key, m) => ['SISMEMBER', key, m], bool],
  SMISMEMBER: ['smIsMember', (key, members) => ['SMISMEMBER', key, ...members], bools],
  SCARD: ['sCard', (key) => ['SCARD', key]],
  SINTER: ['sInter', (keys) => spread(['SINTER'], keys)],
  SUNION: ['sUnion', (keys) => spread(['SUNION'], keys)],
  SDIFF: ['sDiff', (keys) => spread(['SDIFF'], keys)],
  SINTERSTORE: ['sInterStore', (destination, keys) => spread(['SINTERSTORE', destination], keys)],
  SUNIONSTORE: ['sUnionStore', (destination, keys) => spread(['SUNIONSTORE', destination], keys)],
  SDIFFSTORE: ['sDiffStore', (destination, keys) => spread(['SDIFFSTORE', destination], keys)],
  SINTERCARD: ['sInterCard', (keys, lim) => {
    const args = counted(['SINTERCARD'], keys);
    if (lim) args.push('LIMIT', lim.toString());
    return args;
  }],
  SPOP: ['sPop', (key, count) => (typeof count === 'number' ? ['SPOP', key, count.toString()] : ['SPOP', key])],
  SRANDMEMBER: ['sRandMember', (key) => ['SRANDMEMBER', key]],
  SRANDMEMBER_COUNT: ['sRandMemberCount', (key, count) => ['SRANDMEMBER', key, count.toString()]],
  SMOVE: ['sMove', (source, destination, m) => ['SMOVE', source, destination, m], bool],
  SSCAN: ['sScan', (key, cursor, o) => scanArgs(['SSCAN', key], cursor, o),
    ([cursor, members]) => ({ cursor: Number(cursor), members })],

  // Sorted sets.
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
    for (const { score, value } of list(members)) args.push(bound(score), value);
    return args;
  }, number],
  ZRANGE: ['zRange', (key, min, max, o) => rangeOptions(['ZRANGE', key, bound(min), bound(max)], o)],
  ZRANGE_WITHSCORES: ['zRangeWithScores', (key, min, max, o) =>
    [...rangeOptions(['ZRANGE', key, bound(min), bound(max)], o), 'WITHSCORES'], withScores],
  ZRANGESTORE: ['zRangeStore', (dst, src, min, max, o) => {
    const args = rangeOptions(['ZRANGESTORE', dst, src, bound(min), bound(max)], o);
    if (o?.WITHSCORES) args.push('WITHSCORES');
    return args;
  }, integerOr('Upgrade to Redis 6.2.5 and up (https://github.com/redis/redis/pull/9089)')],
  ZRANGEBYSCORE: ['zRangeByScore', (key, min, max, o) => limit(['ZRANGEBYSCORE', key, bound(min), bound(max)], o)],
  ZRANGEBYSCORE_WITHSCORES: ['zRangeByScoreWithScores', (key, min, max, o) =>
    [...limit(['ZRANGEBYSCORE', key, bound(min), bound(max)], o), 'WITHSCORES'], withScores],
  ZRANGEBYLEX: ['zRangeByLex', (key, min, max, o) => limit(['ZRANGEBYLEX', key, bound(min), bound(max)], o)],
  ZLEXCOUNT: ['zLexCount', (key, min, max) => ['ZLEXCOUNT', key, min, max]],
  ZSCORE: ['zScore', (key, m) => ['ZSCORE', key, m], numberOrNull],
  ZMSCORE: ['zmScore', (key, members) => spread(['ZMSCORE', key], members), (r) => r.map(numberOrNull)],
  ZINCRBY: ['zIncrBy', (key, n, m) => ['ZINCRBY', key, bound(n), m], number],
  ZREM: ['zRem', (key, members) => spread(['ZREM', key], members)],
  ZREMRANGEBYRANK: ['zRemRangeByRank', (key, start, stop) => ['ZREMRANGEBYRANK', key, start.toString(), stop.toString()]],
  ZREMRANGEBYSCORE: ['zRemRangeByScore', (key, min, max) => ['ZREMRANGEBYSCORE', key, bound(min), bound(max)]],
  ZREMRANGEBYLEX: ['zRemRangeByLex', (key, min, max) => ['ZREMRANGEBYLEX', key, bound(min), bound(max)]],
  ZCARD: ['zCard', (key) => ['ZCARD', key]],
  ZCOUNT: ['zCount', (key, min, max) => ['ZCOUNT', key, bound(min), bound(max)]],
  ZRANK: ['zRank', (key, m) => ['ZRANK', key, m]],
  ZREVRANK: ['zRevRank', (key, m) => ['ZREVRANK', key, m]],
  ZPOPMIN: ['zPopMin', (key) => ['ZPOPMIN', key], memberOrNull],
  ZPOPMAX: ['zPopMax', (key) => ['ZPOPMAX', key], memberOrNull],
  ZPOPMIN_COUNT: ['zPopMinCount', (key, count) => ['ZPOPMIN', key, count.toString()], withScores],
  ZPOPMAX_COUNT: ['zPopMaxCount', (key, count) => ['ZPOPMAX', key, count.toString()], withScores],
  BZPOPMIN: ['bzPopMin', (keys, timeout) => [...spread(['BZPOPMIN'], keys), timeout.toString()],
    (reply) => (reply ? { key: reply[0], value: reply[1], score: number(reply[2]) } : null)],
  BZPOPMAX: ['bzPopMax', (keys, timeout) => [...spread(['BZPOPMAX'], keys), timeout.toString()],
    (reply) => (reply ? { key: reply[0], value: reply[1], score: number(reply[2]) } : null)],
  ZMPOP: ['zmPop', (keys, side, o) => popArgs(['ZMPOP'], keys, side, o),
    (reply) => (reply === null ? null : { key: reply[0], elements: reply[1].map(member) })],
  BZMPOP: ['bzmPop', (timeout, keys, side, o) => popArgs(['BZMPOP', timeout.toString()], keys, side, o),
    (reply) => (reply === null ? null : { key: reply[0], elements: reply[1].map(member) })],
  ZRANDMEMBER: ['zRandMember', (key) => ['ZRANDMEMBER', key]],
  ZRANDMEMBER_COUNT: ['zRandMemberCount', (key, count) => ['ZRANDMEMBER', key, count.toString()]],
  ZRANDMEMBER_COUNT_WITHSCORES: ['zRandMemberCountWithScores', (key, count) =>
    ['ZRANDMEMBER', key, count.toString(), 'WITHSCORES'], withScores],
  ZDIFF: ['zDiff', (keys) => counted(['ZDIFF'], keys)],
  ZDIFF_WITHSCORES: ['zDiffWithScores', (keys) => [...counted(['ZDIFF'], keys), 'WITHSCORES'], withScores],
  ZDIFFSTORE: ['zDiffStore', (destination, keys) => counted(['ZDIFFSTORE', destination], keys)],
  ZINTER: ['zInter', (keys, o) => combine(counted(['ZINTER'], keys), o)],
  ZINTER_WITHSCORES: ['zInterWithScores', (keys, o) => [...combine(counted(['ZINTER'], keys), o), 'WITHSCORES'], withScores],
  ZINTERSTORE: ['zInterStore', (destination, keys, o) => combine(counted(['ZINTERSTORE', destination], keys), o)],
  ZINTERCARD: ['zInterCard', (keys, lim) => {
    const args = counted(['ZINTERCARD'], keys);
    if (lim) args.push('LIMIT', lim.toString());
    return args;
  }],
  ZUNION: ['zUnion', (keys, o) => combine(counted(['ZUNION'], keys), o)],
  ZUNION_WITHSCORES: ['zUnionWithScores', (keys, o) => [...combine(counted(['ZUNION'], keys), o), 'WITHSCORES'], withScores],
  ZUNIONSTORE: ['zUnionStore', (destination, keys, o) => combine(counted(['ZUNIONSTORE', destination], keys), o)],
  ZSCAN: ['zScan', (key, cursor, o) => scanArgs(['ZSCAN', key], cursor, o),
    ([cursor, raw]) => ({ cursor: Number(cursor), members: withScores(raw) })],

  // HyperLogLog.
  PFADD: ['pfAdd', (key, elements) => spread(['PFADD', key], elements), bool],
  PFCOUNT: ['pfCount', (keys) => spread(['PFCOUNT'], keys)],
  PFMERGE: ['pfMerge', (destination, sources) => spread(['PFMERGE', destination], sources)],

  // Geo.
  GEOADD: ['geoAdd', (key, toAdd, o) => {
    const args = ['GEOADD', key];
    if (o?.NX) args.push('NX');
    else if (o?.XX) args.push('XX');
    if (o?.CH) args.push('CH');
    for (const { longitude, latitude, member: m } of list(toAdd)) args.push(longitude.toString(), latitude.toString(), m);
    return args;
  }],
  GEODIST: ['geoDist', (key, m1, m2, unit) => optional(['GEODIST', key, m1, m2], unit), (r) => (r === null ? null : Number(r))],
  GEOHASH: ['geoHash', (key, members) => spread(['GEOHASH', key], members)],
  GEOPOS: ['geoPos', (key, members) => spread(['GEOPOS', key], members),
    (reply) => reply.map((c) => (c === null ? null : { longitude: c[0], latitude: c[1] }))],
  GEOSEARCH: ['geoSearch', (key, from, by, o) => geoSearchArgs(['GEOSEARCH'], key, from, by, o)],
  GEOSEARCH_WITH: ['geoSearchWith', geoWith((key, from, by, o) => geoSearchArgs(['GEOSEARCH'], key, from, by, o), 3), geoMembers],
  GEOSEARCHSTORE: ['geoSearchStore', (destination, source, from, by, o) => {
    const args = geoSearchArgs(['GEOSEARCHSTORE', destination], source, from, by, o);
    if (o?.STOREDIST) args.push('STOREDIST');
    return args;
  }, integerOr('https://github.com/redis/redis/issues/9261')],
  GEORADIUS: ['geoRadius', (...a) => geoRadiusArgs(['GEORADIUS'], ...a)],
  GEORADIUS_RO: ['geoRadiusRo', (...a) => geoRadiusArgs(['GEORADIUS_RO'], ...a)],
  GEORADIUS_WITH: ['geoRadiusWith', geoWith((...a) => geoRadiusArgs(['GEORADIUS'], ...a), 4), geoMembers],
  GEORADIUS_RO_WITH: ['geoRadiusRoWith', geoWith((...a) => geoRadiusArgs(['GEORADIUS_RO'], ...a), 4), geoMembers],
  GEORADIUSSTORE: ['geoRadiusStore', geoRadiusStore('GEORADIUS')],
  GEORADIUSBYMEMBER: ['geoRadiusByMember', (...a) => geoRadiusArgs(['GEORADIUSBYMEMBER'], ...a)],
  GEORADIUSBYMEMBER_RO: ['geoRadiusByMemberRo', (...a) => geoRadiusArgs(['GEORADIUSBYMEMBER_RO'], ...a)],
  GEORADIUSBYMEMBER_WITH: ['geoRadiusByMemberWith', geoWith((...a) => geoRadiusArgs(['GEORADIUSBYMEMBER'], ...a), 4), geoMembers],
  GEORADIUSBYMEMBER_RO_WITH: ['geoRadiusByMemberRoWith', geoWith((...a) => geoRadiusArgs(['GEORADIUSBYMEMBER_RO'], ...a), 4), geoMembers],
  GEORADIUSBYMEMBERSTORE: ['geoRadiusByMemberStore', geoRadiusStore('GEORADIUSBYMEMBER')],

  // Streams.
  XADD: ['xAdd', (key, id, message, o) => {
    const args = ['XADD', key];
    if (o?.NOMKSTREAM) args.push('NOMKSTREAM');
    if (o?.TRIM) {
      if (o.TRIM.strategy) args.push(o.TRIM.strategy);
      if (o.TRIM.strategyModifier) args.push(o.TRIM.strategyModifier);
      args.push(o.TRIM.threshold.toString());
      if (o.TRIM.limit) args.push('LIMIT', o.TRIM.limit.toString());
    }
    args.push(id);
    for (const [field, value] of Object.entries(message)) args.push(field, value);
    return args;
  }],
  XLEN: ['xLen', (key) => ['XLEN', key]],
  XDEL: ['xDel', (key, ids) => spread(['XDEL', key], ids)],
  XTRIM: ['xTrim', (key, strategy, threshold, o) => {
    const args = ['XTRIM', key, strategy];
    if (o?.strategyModifier) args.push(o.strategyModifier);
    args.push(threshold.toString());
    if (o?.LIMIT) args.push('LIMIT', o.LIMIT.toString());
    return args;
  }],
  XRANGE: ['xRange', (key, start, end, o) => {
    const args = ['XRANGE', key, start, end];
    if (o?.COUNT) args.push('COUNT', o.COUNT.toString());
    return args;
  }, entries],
  XREVRANGE: ['xRevRange', (key, start, end, o) => {
    const args = ['XREVRANGE', key, start, end];
    if (o?.COUNT) args.push('COUNT', o.COUNT.toString());
    return args;
  }, entries],
  XREAD: ['xRead', (keys, o) => streamsArgs(readOptions(['XREAD'], o), keys), streams],
  XREADGROUP: ['xReadGroup', (group, consumer, keys, o) => {
    const args = readOptions(['XREADGROUP', 'GROUP', group, consumer], o);
    if (o?.NOACK) args.push('NOACK');
    return streamsArgs(args, keys);
  }, streams],
  XSETID: ['xSetId', (key, lastId, o) => {
    const args = ['XSETID', key, lastId];
    if (o?.ENTRIESADDED) args.push('ENTRIESADDED', o.ENTRIESADDED.toString());
    if (o?.MAXDELETEDID) args.push('MAXDELETEDID', o.MAXDELETEDID);
    return args;
  }],
  XACK: ['xAck', (key, group, ids) => spread(['XACK', key, group], ids)],
  XGROUP_CREATE: ['xGroupCreate', (key, group, id, o) => {
    const args = ['XGROUP', 'CREATE', key, group, id];
    if (o?.MKSTREAM) args.push('MKSTREAM');
    return args;
  }],
  XGROUP_CREATECONSUMER: ['xGroupCreateConsumer', sub('XGROUP', 'CREATECONSUMER'), bool],
  XGROUP_DELCONSUMER: ['xGroupDelConsumer', sub('XGROUP', 'DELCONSUMER')],
  XGROUP_DESTROY: ['xGroupDestroy', sub('XGROUP', 'DESTROY'), bool],
  XGROUP_SETID: ['xGroupSetId', sub('XGROUP', 'SETID')],
  XPENDING: ['xPending', (key, group) => ['XPENDING', key, group], (reply) => ({
    pending: reply[0],
    firstId: reply[1],
    lastId: reply[2],
    consumers: reply[3] === null ? null : reply[3].map(([name, count]) => ({ name, deliveriesCounter: Number(count) })),
  })],
  XPENDING_RANGE: ['xPendingRange', (key, group, start, end, count, o) => {
    const args = ['XPENDING', key, group];
    if (o?.IDLE) args.push('IDLE', o.IDLE.toString());
    args.push(start, end, count.toString());
    if (o?.consumer) args.push(o.consumer);
    return args;
  }, (reply) => reply.map(([id, owner, millisecondsSinceLastDelivery, deliveriesCounter]) => ({
    id, owner, millisecondsSinceLastDelivery, deliveriesCounter,
  }))],
  XCLAIM: ['xClaim', xclaimArgs, (reply) => reply.map(entryOrNull)],
  XCLAIM_JUSTID: ['xClaimJustId', (...a) => [...xclaimArgs(...a), 'JUSTID']],
  XAUTOCLAIM: ['xAutoClaim', xautoclaimArgs, (reply) => ({ nextId: reply[0], messages: reply[1].map(entryOrNull) })],
  XAUTOCLAIM_JUSTID: ['xAutoClaimJustId', (...a) => [...xautoclaimArgs(...a), 'JUSTID'],
    (reply) => ({ nextId: reply[0], messages: reply[1] })],
  XINFO_STREAM: ['xInfoStream', sub('XINFO', 'STREAM'), renamed(new Map([
    ['length', ['length']],
    ['radix-tree-keys', ['radixTreeKeys']],
    ['radix-tree-nodes', ['radixTreeNodes']],
    ['groups', ['groups']],
    ['last-generated-id', ['lastGeneratedId']],
    ['first-entry', ['firstEntry', entryOrNull]],
    ['last-entry', ['lastEntry', entryOrNull]],
  ]))],
  XINFO_GROUPS: ['xInfoGroups', sub('XINFO', 'GROUPS'),
    (reply) => reply.map((g) => ({ name: g[1], consumers: g[3], pending: g[5], lastDeliveredId: g[7] }))],
  XINFO_CONSUMERS: ['xInfoConsumers', sub('XINFO', 'CONSUMERS'),
    (reply) => reply.map((c) => ({ name: c[1], pending: c[3], idle: c[5], inactive: c[7] }))],

  // Pub/sub.
  PUBLISH: ['publish', (channel, message) => ['PUBLISH', channel, message]],
  SPUBLISH: ['sPublish', (channel, message) => ['SPUBLISH', channel, message]],
  PUBSUB_CHANNELS: ['pubSubChannels', (pattern) => optional(['PUBSUB', 'CHANNELS'], pattern)],
  PUBSUB_SHARDCHANNELS: ['pubSubShardChannels', (pattern) => optional(['PUBSUB', 'SHARDCHANNELS'], pattern)],
  PUBSUB_NUMPAT: ['pubSubNumPat', () => ['PUBSUB', 'NUMPAT']],
  PUBSUB_NUMSUB: ['pubSubNumSub', (channels) => (channels ? spread(['PUBSUB', 'NUMSUB'], channels) : ['PUBSUB', 'NUMSUB']), tuplesObject],
  PUBSUB_SHARDNUMSUB: ['pubSubShardNumSub', (channels) =>
    (channels ? spread(['PUBSUB', 'SHARDNUMSUB'], channels) : ['PUBSUB', 'SHARDNUMSUB']), tuplesObject],

  // Transactions and connection.
  WATCH: ['watch', (keys) => spread(['WATCH'], keys)],
  UNWATCH: ['unwatch', () => ['UNWATCH']],
  DISCARD: ['discard', () => ['DISCARD']],
  SELECT: ['select', (db) => ['SELECT', db.toString()]],
  PING: ['ping', (message) => optional(['PING'], message)],
  ECHO: ['echo', (message) => ['ECHO', message]],
  AUTH: ['auth', ({ username, password }) => (username ? ['AUTH', username, password] : ['AUTH', password])],
  HELLO: ['hello', (o) => {
    const args = ['HELLO'];
    if (o) {
      args.push(o.protover.toString());
      if (o.auth) args.push('AUTH', o.auth.username, o.auth.password);
      if (o.clientName) args.push('SETNAME', o.clientName);
    }
    return args;
  }, (reply) => ({
    server: reply[1], version: reply[3], proto: reply[5], id: reply[7], mode: reply[9], role: reply[11], modules: reply[13],
  })],
  ASKING: ['asking', () => ['ASKING']],
  READONLY: ['readonly', () => ['READONLY']],
  READWRITE: ['readwrite', () => ['READWRITE']],
  CLIENT_ID: ['clientId', () => ['CLIENT', 'ID']],
  CLIENT_INFO: ['clientInfo', () => ['CLIENT', 'INFO'], clientInfo],
  CLIENT_LIST: ['clientList', (filter) => {
    const args = ['CLIENT', 'LIST'];
    if (filter?.TYPE !== undefined) args.push('TYPE', filter.TYPE);
    else if (filter) {
      args.push('ID');
      spread(args, filter.ID);
    }
    return args;
  }, clientList],
  CLIENT_GETNAME: ['clientGetName', () => ['CLIENT', 'GETNAME']],
  CLIENT_SETNAME: ['clientSetName', (name) => ['CLIENT', 'SETNAME', name]],
  CLIENT_KILL: ['clientKill', (filters) => {
    const args = ['CLIENT', 'KILL'];
    if (Array.isArray(filters)) for (const f of filters) clientKillFilter(args, f);
    else clientKillFilter(args, filters);
    return args;
  }],
  CLIENT_CACHING: ['clientCaching', (value) => ['CLIENT', 'CACHING', value ? 'YES' : 'NO']],
  CLIENT_GETREDIR: ['clientGetRedir', () => ['CLIENT', 'GETREDIR']],
  'CLIENT_NO-EVICT': ['clientNoEvict', (value) => ['CLIENT', 'NO-EVICT', onOff(value)]],
  'CLIENT_NO-TOUCH': ['clientNoTouch', (value) => ['CLIENT', 'NO-TOUCH', onOff(value)]],
  CLIENT_PAUSE: ['clientPause', (timeout, mode) => optional(['CLIENT', 'PAUSE', timeout.toString()], mode)],
  CLIENT_UNPAUSE: ['clientUnpause', () => ['CLIENT', 'UNPAUSE']],
  CLIENT_TRACKING: ['clientTracking', (mode, o) => {
    const args = ['CLIENT', 'TRACKING', onOff(mode)];
    if (!mode) return args;
    if (o?.REDIRECT) args.push('REDIRECT', o.REDIRECT.toString());
    if (o?.BCAST === true) {
      args.push('BCAST');
      if (o.PREFIX) for (const prefix of list(o.PREFIX)) args.push('PREFIX', prefix);
    } else if (o?.OPTIN === true) args.push('OPTIN');
    else if (o?.OPTOUT === true) args.push('OPTOUT');
    if (o?.NOLOOP) args.push('NOLOOP');
    return args;
  }],
  CLIENT_TRACKINGINFO: ['clientTrackingInfo', () => ['CLIENT', 'TRACKINGINFO'],
    (reply) => ({ flags: new Set(reply[1]), redirect: reply[3], prefixes: reply[5] })],

  // Server.
  DBSIZE: ['dbSize', () => ['DBSIZE']],
  FLUSHALL: ['flushAll', (mode) => optional(['FLUSHALL'], mode)],
  FLUSHDB: ['flushDb', (mode) => optional(['FLUSHDB'], mode)],
  SWAPDB: ['swapDb', (a, b) => ['SWAPDB', a.toString(), b.toString()]],
  INFO: ['info', (section) => optional(['INFO'], section)],
  TIME: ['time', () => ['TIME'], ([s, us]) => {
    const d = new Date(Number(s) * 1000 + Number(us) / 1000);
    d.microseconds = Number(us);
    return d;
  }],
  // node-redis reads LASTSAVE's seconds as milliseconds: the Date is in January 1970.
  LASTSAVE: ['lastSave', () => ['LASTSAVE'], (reply) => new Date(reply)],
  SAVE: ['save', () => ['SAVE']],
  BGSAVE: ['bgSave', (o) => (o?.SCHEDULE ? ['BGSAVE', 'SCHEDULE'] : ['BGSAVE'])],
  BGREWRITEAOF: ['bgRewriteAof', () => ['BGREWRITEAOF']],
  SHUTDOWN: ['shutdown', (mode) => optional(['SHUTDOWN'], mode)],
  WAIT: ['wait', (replicas, timeout) => ['WAIT', replicas.toString(), timeout.toString()]],
  LOLWUT: ['lolwut', (version, ...rest) =>
    (version ? ['LOLWUT', 'VERSION', version.toString(), ...rest.map(String)] : ['LOLWUT'])],
  ROLE: ['role', () => ['ROLE'], role],
  REPLICAOF: ['replicaOf', (host, port) => ['REPLICAOF', host, port.toString()]],
  'RESTORE-ASKING': ['restoreAsking', () => ['RESTORE-ASKING']],
  FAILOVER: ['failover', (o) => {
    const args = ['FAILOVER'];
    if (o?.TO) {
      args.push('TO', o.TO.host, o.TO.port.toString());
      if (o.TO.FORCE) args.push('FORCE');
    }
    if (o?.ABORT) args.push('ABORT');
    if (o?.TIMEOUT) args.push('TIMEOUT', o.TIMEOUT.toString());
    return args;
  }],
  CONFIG_GET: ['configGet', (parameter) => ['CONFIG', 'GET', parameter], tuplesObject],
  CONFIG_SET: ['configSet', (parameterOrConfig, value) => {
    const args = ['CONFIG', 'SET'];
    if (typeof parameterOrConfig === 'string') args.push(parameterOrConfig, value);
    else for (const [k, v] of Object.entries(parameterOrConfig)) args.push(k, v);
    return args;
  }],
  // node-redis's name, with its typo.
  CONFIG_RESETASTAT: ['configResetStat', () => ['CONFIG', 'RESETSTAT']],
  CONFIG_REWRITE: ['configRewrite', () => ['CONFIG', 'REWRITE']],
  COMMAND: ['command', () => ['COMMAND'], (reply) => reply.map(commandInfo)],
  COMMAND_COUNT: ['commandCount', () => ['COMMAND', 'COUNT']],
  COMMAND_INFO: ['commandInfo', (names) => ['COMMAND', 'INFO', ...names],
    (reply) => reply.map((c) => (c ? commandInfo(c) : null))],
  COMMAND_LIST: ['commandList', (filter) =>
    (filter ? ['COMMAND', 'LIST', 'FILTERBY', filter.filterBy, filter.value] : ['COMMAND', 'LIST'])],
  COMMAND_GETKEYS: ['commandGetKeys', (args) => ['COMMAND', 'GETKEYS', ...args]],
  COMMAND_GETKEYSANDFLAGS: ['commandGetKeysAndFlags', (args) => ['COMMAND', 'GETKEYSANDFLAGS', ...args],
    (reply) => reply.map(([key, flags]) => ({ key, flags }))],
  MEMORY_USAGE: ['memoryUsage', (key, o) => {
    const args = ['MEMORY', 'USAGE', key];
    if (o?.SAMPLES) args.push('SAMPLES', o.SAMPLES.toString());
    return args;
  }],
  MEMORY_STATS: ['memoryStats', () => ['MEMORY', 'STATS'], memoryStats],
  MEMORY_DOCTOR: ['memoryDoctor', () => ['MEMORY', 'DOCTOR']],
  'MEMORY_MALLOC-STATS': ['memoryMallocStats', () => ['MEMORY', 'MALLOC-STATS']],
  MEMORY_PURGE: ['memoryPurge', () => ['MEMORY', 'PURGE']],
  LATENCY_DOCTOR: ['latencyDoctor', () => ['LATENCY', 'DOCTOR']],
  LATENCY_GRAPH: ['latencyGraph', (event) => ['LATENCY', 'GRAPH', event]],
  LATENCY_HISTORY: ['latencyHistory', (event) => ['LATENCY', 'HISTORY', event]],
  LATENCY_LATEST: ['latencyLatest', () => ['LATENCY', 'LATEST']],
  MODULE_LIST: ['moduleList', () => ['MODULE', 'LIST']],
  MODULE_LOAD: ['moduleLoad', (path, moduleArgs) => ['MODULE', 'LOAD', path, ...(moduleArgs ?? [])]],
  MODULE_UNLOAD: ['moduleUnload', (name) => ['MODULE', 'UNLOAD', name]],

  // ACL.
  ACL_CAT: ['aclCat', (category) => optional(['ACL', 'CAT'], category)],
  ACL_DELUSER: ['aclDelUser', (usernames) => spread(['ACL', 'DELUSER'], usernames)],
  ACL_DRYRUN: ['aclDryRun', (username, command) => ['ACL', 'DRYRUN', username, ...command]],
  ACL_GENPASS: ['aclGenPass', (bits) => (bits ? ['ACL', 'GENPASS', bits.toString()] : ['ACL', 'GENPASS'])],
  ACL_GETUSER: ['aclGetUser', (username) => ['ACL', 'GETUSER', username], (reply) => ({
    flags: reply[1], passwords: reply[3], commands: reply[5], keys: reply[7], channels: reply[9], selectors: reply[11],
  })],
  ACL_LIST: ['aclList', () => ['ACL', 'LIST']],
  ACL_LOAD: ['aclLoad', () => ['ACL', 'LOAD']],
  ACL_LOG: ['aclLog', (count) => (count ? ['ACL', 'LOG', count.toString()] : ['ACL', 'LOG']), (reply) => reply.map((log) => ({
    count: log[1], reason: log[3], context: log[5], object: log[7], username: log[9],
    ageSeconds: Number(log[11]), clientInfo: log[13],
  }))],
  ACL_LOG_RESET: ['aclLogReset', () => ['ACL', 'LOG', 'RESET']],
  ACL_SAVE: ['aclSave', () => ['ACL', 'SAVE']],
  ACL_SETUSER: ['aclSetUser', (username, rules) => spread(['ACL', 'SETUSER', username], rules)],
  ACL_USERS: ['aclUsers', () => ['ACL', 'USERS']],
  ACL_WHOAMI: ['aclWhoAmI', () => ['ACL', 'WHOAMI']],

  // Lua scripts and functions.
  EVAL: ['eval', (script, o) => evalArgs(['EVAL', script], o)],
  EVAL_RO: ['evalRo', (script, o) => evalArgs(['EVAL_RO', script], o)],
  EVALSHA: ['evalSha', (sha1, o) => evalArgs(['EVALSHA', sha1], o)],
  EVALSHA_RO: ['evalShaRo', (sha1, o) => evalArgs(['EVALSHA_RO', sha1], o)],
  FCALL: ['fCall', (fn, o) => evalArgs(['FCALL', fn], o)],
  FCALL_RO: ['fCallRo', (fn, o) => evalArgs(['FCALL_RO', fn], o)],
  SCRIPT_LOAD: ['scriptLoad', (script) => ['SCRIPT', 'LOAD', script]],
  SCRIPT_EXISTS: ['scriptExists', (sha1) => spread(['SCRIPT', 'EXISTS'], sha1), bools],
  SCRIPT_FLUSH: ['scriptFlush', (mode) => optional(['SCRIPT', 'FLUSH'], mode)],
  SCRIPT_KILL: ['scriptKill', () => ['SCRIPT', 'KILL']],
  SCRIPT_DEBUG: ['scriptDebug', (mode) => ['SCRIPT', 'DEBUG', mode]],
  FUNCTION_LOAD: ['functionLoad', (code, o) => (o?.REPLACE ? ['FUNCTION', 'LOAD', 'REPLACE', code] : ['FUNCTION', 'LOAD', code])],
  FUNCTION_DELETE: ['functionDelete', (library) => ['FUNCTION', 'DELETE', library]],
  FUNCTION_DUMP: ['functionDump', () => ['FUNCTION', 'DUMP']],
  FUNCTION_RESTORE: ['functionRestore', (dump, mode) => optional(['FUNCTION', 'RESTORE', dump], mode)],
  FUNCTION_FLUSH: ['functionFlush', (mode) => optional(['FUNCTION', 'FLUSH'], mode)],
  FUNCTION_KILL: ['functionKill', () => ['FUNCTION', 'KILL']],
  FUNCTION_LIST: ['functionList', (pattern) => optional(['FUNCTION', 'LIST'], pattern), (reply) => reply.map(functionLibrary)],
  FUNCTION_LIST_WITHCODE: ['functionListWithCode', (pattern) => [...optional(['FUNCTION', 'LIST'], pattern), 'WITHCODE'],
    (reply) => reply.map((lib) => ({ ...functionLibrary(lib), libraryCode: lib[7] }))],
  FUNCTION_STATS: ['functionStats', () => ['FUNCTION', 'STATS'], functionStats],

  // Cluster (a standalone server answers these with errors).
  CLUSTER_ADDSLOTS: ['clusterAddSlots', (slots) => ['CLUSTER', 'ADDSLOTS', ...list(slots).map(text)]],
  CLUSTER_ADDSLOTSRANGE: ['clusterAddSlotsRange', (ranges) => slotRanges(['CLUSTER', 'ADDSLOTSRANGE'], ranges)],
  CLUSTER_BUMPEPOCH: ['clusterBumpEpoch', () => ['CLUSTER', 'BUMPEPOCH']],
  CLUSTER_COUNT_FAILURE_REPORTS: ['clusterCountFailureReports', (nodeId) => ['CLUSTER', 'COUNT-FAILURE-REPORTS', nodeId]],
  CLUSTER_COUNTKEYSINSLOT: ['clusterCountKeysInSlot', (slot) => ['CLUSTER', 'COUNTKEYSINSLOT', slot.toString()]],
  CLUSTER_DELSLOTS: ['clusterDelSlots', (slots) => ['CLUSTER', 'DELSLOTS', ...list(slots).map(text)]],
  CLUSTER_DELSLOTSRANGE: ['clusterDelSlotsRange', (ranges) => slotRanges(['CLUSTER', 'DELSLOTSRANGE'], ranges)],
  CLUSTER_FAILOVER: ['clusterFailover', (mode) => optional(['CLUSTER', 'FAILOVER'], mode)],
  CLUSTER_FLUSHSLOTS: ['clusterFlushSlots', () => ['CLUSTER', 'FLUSHSLOTS']],
  CLUSTER_FORGET: ['clusterForget', (nodeId) => ['CLUSTER', 'FORGET', nodeId]],
  CLUSTER_GETKEYSINSLOT: ['clusterGetKeysInSlot', (slot, count) => ['CLUSTER', 'GETKEYSINSLOT', slot.toString(), count.toString()]],
  CLUSTER_INFO: ['clusterInfo', () => ['CLUSTER', 'INFO'], clusterInfo],
  CLUSTER_KEYSLOT: ['clusterKeySlot', (key) => ['CLUSTER', 'KEYSLOT', key]],
  CLUSTER_LINKS: ['clusterLinks', () => ['CLUSTER', 'LINKS'], (reply) => reply.map((link) => ({
    direction: link[1], node: link[3], createTime: Number(link[5]), events: link[7],
    sendBufferAllocated: Number(link[9]), sendBufferUsed: Number(link[11]),
  }))],
  CLUSTER_MEET: ['clusterMeet', (ip, port) => ['CLUSTER', 'MEET', ip, port.toString()]],
  CLUSTER_MYID: ['clusterMyId', () => ['CLUSTER', 'MYID']],
  CLUSTER_MYSHARDID: ['clusterMyShardId', () => ['CLUSTER', 'MYSHARDID']],
  CLUSTER_NODES: ['clusterNodes', () => ['CLUSTER', 'NODES'], clusterNodes],
  CLUSTER_REPLICAS: ['clusterReplicas', (nodeId) => ['CLUSTER', 'REPLICAS', nodeId], clusterNodes],
  CLUSTER_REPLICATE: ['clusterReplicate', (nodeId) => ['CLUSTER', 'REPLICATE', nodeId]],
  CLUSTER_RESET: ['clusterReset', (mode) => optional(['CLUSTER', 'RESET'], mode)],
  CLUSTER_SAVECONFIG: ['clusterSaveConfig', () => ['CLUSTER', 'SAVECONFIG']],
  CLUSTER_SET_CONFIG_EPOCH: ['clusterSetConfigEpoch', (epoch) => ['CLUSTER', 'SET-CONFIG-EPOCH', epoch.toString()]],
  CLUSTER_SETSLOT: ['clusterSetSlot', (slot, state, nodeId) => optional(['CLUSTER', 'SETSLOT', slot.toString(), state], nodeId)],
  CLUSTER_SLOTS: ['clusterSlots', () => ['CLUSTER', 'SLOTS'], (reply) => reply.map(([from, to, master, ...replicas]) => ({
    from, to, master: clusterNode(master), replicas: replicas.map(clusterNode),
  }))],
};
