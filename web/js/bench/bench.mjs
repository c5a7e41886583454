//! `make bench-js`: the same workloads through this client (in-process wasm engine) and through
//! ioredis-mock, in one run; prints ops/s and the ratio (and in brackets the ratio of ops per
//! second of CPU time, steadier when other processes share the machine).
//!
//! W1: 200,000 awaited cache-aside reads over 100,000 keys, 90 % hits: key i is
//!     `user:{(i·7919) mod 100000}` (each key read twice), 80 % of the keys are cached
//!     beforehand; a miss (GET → nil) stores the value with SET … EX 3600, so its second read
//!     hits (180,000 hits of 200,000).
//! W2: W1 in pipelines of 1,000 reads, each followed by one pipeline of the misses' SETs.
//! W3: 100,000 awaited mixed commands in turn over 1,000 keys per type: HSET, HGETALL, LPUSH,
//!     LRANGE 0 9, (ZADD, ZREVRANGE 0 9 WITHSCORES: only when the engine has sorted sets),
//!     INCR, EXPIRE 60, TTL, TTL.
//! Then W1 through the node-redis style (`createClient`), the floor (the same commands straight
//! into the engine, through the wire convention the client's transport uses, and through
//! `Engine.call` for comparison) and the client's own share
//! (the client over a stub server answering at once), to show where an awaited command's time
//! goes; and two bounds no client answering through a promise can pass: W1 over a bare JS `Map`
//! with an `await` per command, and W3's loop with its `await`s but no work.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import RedisMock from 'ioredis-mock';
import { loadPackage, packageDir } from '../test/harness.mjs';

const { default: Redis, Engine, transport } = await loadPackage();
const { setPlatform } = await import(`${packageDir}/client/platform.js`);
const { createWire } = await import(`${packageDir}/client/wire.js`);
const wire = createWire(Engine);

// The machine may be shared: each client runs each workload ROUNDS times, alternating with the
// other, and its best round counts.
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const KEYS = 100_000;
const W1_OPS = 200_000;
const W3_OPS = 100_000;
const value = 'x'.repeat(100);

const keyOf = (i) => `user:${(i * 7919) % KEYS}`;

async function preload(client) {
  let pipeline = client.pipeline();
  for (let k = 0; k < KEYS; k++) {
    if (k % 5 !== 0) pipeline.set(`user:${k}`, value);
    if (pipeline.length === 1000 || k === KEYS - 1) {
      await pipeline.exec();
      pipeline = client.pipeline();
    }
  }
}

async function w1(client) {
  let hits = 0;
  for (let i = 0; i < W1_OPS; i++) {
    const key = keyOf(i);
    const cached = await client.get(key);
    if (cached !== null) hits++;
    else await client.set(key, value, 'EX', 3600);
  }
  return hits;
}

async function w2(client) {
  let hits = 0;
  for (let start = 0; start < W1_OPS; start += 1000) {
    const reads = client.pipeline();
    for (let i = start; i < start + 1000; i++) reads.get(keyOf(i));
    const results = await reads.exec();
    const writes = client.pipeline();
    for (let j = 0; j < results.length; j++) {
      if (results[j][1] !== null) hits++;
      else writes.set(keyOf(start + j), value, 'EX', 3600);
    }
    if (writes.length) await writes.exec();
  }
  return hits;
}

const W3_COMMANDS = [
  (c, k) => c.hset(`hash:${k}`, 'field', k),
  (c, k) => c.hgetall(`hash:${k}`),
  (c, k) => c.lpush(`list:${k}`, k),
  (c, k) => c.lrange(`list:${k}`, 0, 9),
  (c, k) => c.incr(`counter:${k}`),
  (c, k) => c.expire(`counter:${k}`, 60),
  (c, k) => c.ttl(`counter:${k}`),
  (c, k) => c.ttl(`hash:${k}`),
];
const hasSortedSets = Engine.commands().some((c) => c.name === 'zadd');
if (hasSortedSets) {
  W3_COMMANDS.splice(
    4,
    0,
    (c, k) => c.zadd(`zset:${k}`, k, `member:${k % 10}`),
    (c, k) => c.zrevrange(`zset:${k}`, 0, 9, 'WITHSCORES'),
  );
}

async function w3(client) {
  const n = W3_COMMANDS.length;
  for (let i = 0; i < W3_OPS; i++) {
    await W3_COMMANDS[i % n](client, Math.floor(i / n) % 1000);
  }
  return W3_OPS;
}

/**
 * The client's own share: the same workloads through the client over a stub server that answers
 * at once what the engine would (no engine, no transport work), so only the client's JS runs.
 */
let stubGets = 0;
const STUB_REPLIES = {
  // One read in ten misses, as in W1.
  get: () => [++stubGets % 10 === 0 ? null : value],
  set: () => ['OK'],
  hset: () => [1],
  hgetall: () => [['field', '1']],
  lpush: () => [1],
  lrange: () => [['1', '0']],
  zadd: () => [1],
  zrevrange: () => [['member:1', '1']],
  incr: () => [1],
  expire: () => [1],
  ttl: () => [60],
  info: () => ['loading:0\r\n'],
};
const stubConnection = {
  closed: false,
  setListener() {},
  call: (argv) => (STUB_REPLIES[argv[0]] ? STUB_REPLIES[argv[0]]() : ['OK']),
  close() {},
};
async function clientOnly(workload, ops) {
  setPlatform({ transport: { server: () => ({ open: () => stubConnection }) } });
  {
    let best = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const client = new Redis();
      await client.ping();
      // CPU time of this process: the machine may be busy with others.
      const start = process.cpuUsage();
      await workload(client);
      const used = process.cpuUsage(start);
      best = Math.min(best, (used.user + used.system) / 1000);
      client.disconnect();
    }
    return (best * 1000) / ops;
  }
}

if (process.argv[2] === '--client-only') {
  const clientW1 = await clientOnly(w1, W1_OPS);
  const clientW3 = await clientOnly(w3, W3_OPS);
  console.log(JSON.stringify({ clientW1, clientW3 }));
  process.exit(0);
}
async function measure(label, makeClient, workload, ops, prepare) {
  const client = makeClient();
  if (prepare) await prepare(client);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await workload(client);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  client.disconnect();
  // Each round has a server of its own: free it, so that later rounds do not run in the memory
  // of earlier ones.
  if (client instanceof Redis) transport.release(client.options);
  // Ops per second of this process's CPU time too: less moved by other work on a shared machine
  // than wall time (GC helper threads count in it, for both clients alike).
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { label, opsPerSec: (ops / ms) * 1000, opsPerCpuSec: (ops / cpuMs) * 1000, ms, result };
}

let port = 17000;
const ours = () => new Redis({ port: port++ });
const mock = () => {
  const m = new RedisMock({ port: port++ });
  return m;
};

const rows = [];
for (const [name, workload, ops, prepare, check] of [
  ['W1 cache-aside, awaited', w1, W1_OPS, preload, (hits) => `${((hits / W1_OPS) * 100).toFixed(1)} % hits`],
  ['W2 cache-aside, pipelines of 1,000', w2, W1_OPS, preload, (hits) => `${((hits / W1_OPS) * 100).toFixed(1)} % hits`],
  ['W3 mixed commands, awaited', w3, W3_OPS, null, () => (hasSortedSets ? 'with ZADD/ZREVRANGE' : 'no sorted sets here yet')],
]) {
  let a = null;
  let b = null;
  let aCpu = 0;
  let bCpu = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const ra = await measure('redis-playground', ours, workload, ops, prepare);
    const rb = await measure('ioredis-mock', mock, workload, ops, prepare);
    if (!a || ra.opsPerSec > a.opsPerSec) a = ra;
    if (!b || rb.opsPerSec > b.opsPerSec) b = rb;
    aCpu = Math.max(aCpu, ra.opsPerCpuSec);
    bCpu = Math.max(bCpu, rb.opsPerCpuSec);
  }
  rows.push({ name, a, b, cpuRatio: aCpu / bCpu, note: check(a.result) });
}

/**
 * W1 through the node-redis 4 style (`createClient`, `set(k, v, { EX })`) on a server of its own:
 * ops per second of its best round, to compare with the ioredis style's W1 above.
 */
const { createClient } = await import(`${packageDir}/redis.js`);
async function nodeRedisW1() {
  const client = createClient({ socket: { port: port++ } });
  await client.connect();
  for (let k = 0; k < KEYS; k++) if (k % 5 !== 0) await client.set(`user:${k}`, value);
  const start = performance.now();
  let hits = 0;
  for (let i = 0; i < W1_OPS; i++) {
    const key = keyOf(i);
    const cached = await client.get(key);
    if (cached !== null) hits++;
    else await client.set(key, value, { EX: 3600 });
  }
  const ms = performance.now() - start;
  await client.disconnect();
  transport.release({ port: port - 1 });
  if (hits !== (W1_OPS * 9) / 10) throw new Error(`node-redis W1: ${hits} hits`);
  return (W1_OPS / ms) * 1000;
}
let nodeRedis = 0;
for (let round = 0; round < ROUNDS; round++) nodeRedis = Math.max(nodeRedis, await nodeRedisW1());

/** A call straight into an engine: through the wire (as the client's transport), or `Engine.call`. */
const viaWire = (engine, id, argv) => wire.call(engine, id, argv, false);
const viaCall = (engine, id, argv) => engine.call(id, argv, false);

/** The floor: W1's commands straight into the engine, without any client. */
function rawEngineW1(call) {
  const engine = new Engine();
  const id = engine.connect();
  engine.setTime(Date.now());
  for (let k = 0; k < KEYS; k++) if (k % 5 !== 0) call(engine, id, ['SET', `user:${k}`, value]);
  const start = performance.now();
  for (let i = 0; i < W1_OPS; i++) {
    const key = keyOf(i);
    const [cached] = call(engine, id, ['GET', key]);
    if (cached === null) call(engine, id, ['SET', key, value, 'EX', '3600']);
  }
  const ms = performance.now() - start;
  engine.free();
  return (W1_OPS / ms) * 1000;
}
let raw = 0;
let rawCall = 0;
for (let round = 0; round < ROUNDS; round++) {
  raw = Math.max(raw, rawEngineW1(viaWire));
  rawCall = Math.max(rawCall, rawEngineW1(viaCall));
}

/** W3's commands as the client sends them, straight into `Engine.call`: its floor. */
const W3_RAW = [
  (k) => ['hset', `hash:${k}`, 'field', String(k)],
  (k) => ['hgetall', `hash:${k}`],
  (k) => ['lpush', `list:${k}`, String(k)],
  (k) => ['lrange', `list:${k}`, '0', '9'],
  (k) => ['incr', `counter:${k}`],
  (k) => ['expire', `counter:${k}`, '60'],
  (k) => ['ttl', `counter:${k}`],
  (k) => ['ttl', `hash:${k}`],
];
if (hasSortedSets) {
  W3_RAW.splice(4, 0, (k) => ['zadd', `zset:${k}`, String(k), `member:${k % 10}`], (k) => [
    'zrevrange',
    `zset:${k}`,
    '0',
    '9',
    'WITHSCORES',
  ]);
}
function rawEngineW3(call) {
  const engine = new Engine();
  const id = engine.connect();
  engine.setTime(Date.now());
  const n = W3_RAW.length;
  const start = performance.now();
  for (let i = 0; i < W3_OPS; i++) call(engine, id, W3_RAW[i % n](Math.floor(i / n) % 1000));
  const ms = performance.now() - start;
  engine.free();
  return (W3_OPS / ms) * 1000;
}
let raw3 = 0;
let raw3Call = 0;
for (let round = 0; round < ROUNDS; round++) {
  raw3 = Math.max(raw3, rawEngineW3(viaWire));
  raw3Call = Math.max(raw3Call, rawEngineW3(viaCall));
}

/**
 * Below any in-process client: W1 with one `await` per command over a bare JS `Map` (no client,
 * no engine, no reply to build: the stored string itself is the answer), and W3's loop with its
 * `await`s and key strings but no work at all. Their ratios to ioredis-mock bound what a client
 * answering through a promise per command can reach on this machine.
 */
async function bareMapW1() {
  const map = new Map();
  for (let k = 0; k < KEYS; k++) if (k % 5 !== 0) map.set(`user:${k}`, value);
  const start = performance.now();
  let hits = 0;
  for (let i = 0; i < W1_OPS; i++) {
    const key = keyOf(i);
    const cached = await map.get(key);
    if (cached !== undefined) hits++;
    else await map.set(key, value);
  }
  const ms = performance.now() - start;
  if (hits !== (W1_OPS * 9) / 10) throw new Error(`bare map W1: ${hits} hits`);
  return (W1_OPS / ms) * 1000;
}
async function awaitsW3() {
  const names = ['hash', 'hash', 'list', 'list', 'zset', 'zset', 'counter', 'counter', 'counter', 'hash'];
  let length = 0;
  const start = performance.now();
  for (let i = 0; i < W3_OPS; i++) {
    length += (await `${names[i % names.length]}:${Math.floor(i / names.length) % 1000}`).length;
  }
  const ms = performance.now() - start;
  if (length === 0) throw new Error('no keys');
  return (W3_OPS / ms) * 1000;
}
let bareW1 = 0;
let bareW3 = 0;
for (let round = 0; round < ROUNDS; round++) {
  bareW1 = Math.max(bareW1, await bareMapW1());
  bareW3 = Math.max(bareW3, await awaitsW3());
}

// Measured in a process of its own, so that the client's code is compiled for the stub alone.
const { clientW1, clientW3 } = JSON.parse(
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--client-only'], { encoding: 'utf8' }),
);

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log('workload                                 redis-playground   ioredis-mock   ratio (CPU time)');
for (const { name, a, b, cpuRatio, note } of rows) {
  console.log(
    `${name.padEnd(40)} ${fmt(a.opsPerSec).padStart(12)} op/s ${fmt(b.opsPerSec).padStart(10)} op/s ${(
      a.opsPerSec / b.opsPerSec
    )
      .toFixed(2)
      .padStart(6)}× (${cpuRatio.toFixed(2)}×)  ${note}`,
  );
}
for (const [label, opsPerSec, row] of [
  ['W1 through the node-redis style', nodeRedis, rows[0]],
  ['W1 floor: engine alone (wire), no client', raw, rows[0]],
  ['W1 floor: Engine.call alone, no client', rawCall, rows[0]],
  ['W1 bound: a JS Map and an await, no more', bareW1, rows[0]],
  ['W3 bound: an await per command, no work', bareW3, rows[2]],
]) {
  console.log(
    `${label.padEnd(40)} ${fmt(opsPerSec).padStart(12)} op/s ${''.padStart(15)} ${(opsPerSec / row.b.opsPerSec)
      .toFixed(2)
      .padStart(6)}×`,
  );
}

// Where an awaited command's time goes: the engine's call through the wire (wasm, argument and
// reply conversion included), the client's JS, and the rest (the in-process transport and clock,
// promise jobs, GC).
const perOp = (opsPerSec) => 1e6 / opsPerSec;
for (const [name, row, floor, client, floorCall] of [
  ['W1', rows[0], raw, clientW1, rawCall],
  ['W3', rows[2], raw3, clientW3, raw3Call],
]) {
  const total = perOp(row.a.opsPerSec);
  const engineShare = perOp(floor);
  console.log(
    `${name} per awaited command: ${total.toFixed(2)} µs = engine call ${engineShare.toFixed(2)} µs + client JS ` +
      `${client.toFixed(2)} µs + the rest ${(total - engineShare - client).toFixed(2)} µs ` +
      `(ioredis-mock: ${perOp(row.b.opsPerSec).toFixed(2)} µs; Engine.call instead of the wire: ` +
      `${perOp(floorCall).toFixed(2)} µs)`,
  );
}
