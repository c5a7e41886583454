//! `make bench-js`: the same workloads through this client (in-process wasm engine) and through
//! ioredis-mock, in one run; prints ops/s and the ratio.
//!
//! W1: 200,000 awaited cache-aside reads over 100,000 keys, 90 % hits: key i is
//!     `user:{(i·7919) mod 100000}` (each key read twice), 80 % of the keys are cached
//!     beforehand; a miss (GET → nil) stores the value with SET … EX 3600, so its second read
//!     hits (180,000 hits of 200,000).
//! W2: W1 in pipelines of 1,000 reads, each followed by one pipeline of the misses' SETs.
//! W3: 100,000 awaited mixed commands in turn over 1,000 keys per type: HSET, HGETALL, LPUSH,
//!     LRANGE 0 9, (ZADD, ZREVRANGE 0 9 WITHSCORES: only when the engine has sorted sets),
//!     INCR, EXPIRE 60, TTL, TTL.

import RedisMock from 'ioredis-mock';
import { loadPackage } from '../test/harness.mjs';

const { default: Redis, Engine } = await loadPackage();

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

async function measure(label, makeClient, workload, ops, prepare) {
  const client = makeClient();
  if (prepare) await prepare(client);
  const start = performance.now();
  const result = await workload(client);
  const ms = performance.now() - start;
  client.disconnect();
  return { label, opsPerSec: (ops / ms) * 1000, ms, result };
}

let port = 17000;
const ours = () => new Redis({ port: port++ });
const mock = () => {
  const m = new RedisMock({ port: port++ });
  return m;
};

// The machine may be shared: each client runs each workload ROUNDS times, alternating with the
// other, and its best round counts.
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const rows = [];
for (const [name, workload, ops, prepare, check] of [
  ['W1 cache-aside, awaited', w1, W1_OPS, preload, (hits) => `${((hits / W1_OPS) * 100).toFixed(1)} % hits`],
  ['W2 cache-aside, pipelines of 1,000', w2, W1_OPS, preload, (hits) => `${((hits / W1_OPS) * 100).toFixed(1)} % hits`],
  ['W3 mixed commands, awaited', w3, W3_OPS, null, () => (hasSortedSets ? 'with ZADD/ZREVRANGE' : 'no sorted sets here yet')],
]) {
  let a = null;
  let b = null;
  for (let round = 0; round < ROUNDS; round++) {
    const ra = await measure('redis-playground', ours, workload, ops, prepare);
    const rb = await measure('ioredis-mock', mock, workload, ops, prepare);
    if (!a || ra.opsPerSec > a.opsPerSec) a = ra;
    if (!b || rb.opsPerSec > b.opsPerSec) b = rb;
  }
  rows.push({ name, a, b, note: check(a.result) });
}

/** The floor: W1's commands straight into `Engine.call`, without any client. */
function rawEngineW1() {
  const engine = new Engine();
  const id = engine.connect();
  engine.setTime(Date.now());
  for (let k = 0; k < KEYS; k++) if (k % 5 !== 0) engine.call(id, ['SET', `user:${k}`, value], false);
  const start = performance.now();
  for (let i = 0; i < W1_OPS; i++) {
    const key = keyOf(i);
    const [cached] = engine.call(id, ['GET', key], false);
    if (cached === null) engine.call(id, ['SET', key, value, 'EX', '3600'], false);
  }
  const ms = performance.now() - start;
  engine.free();
  return (W1_OPS / ms) * 1000;
}
let raw = 0;
for (let round = 0; round < ROUNDS; round++) raw = Math.max(raw, rawEngineW1());

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log('workload                                 redis-playground   ioredis-mock   ratio');
for (const { name, a, b, note } of rows) {
  console.log(
    `${name.padEnd(40)} ${fmt(a.opsPerSec).padStart(12)} op/s ${fmt(b.opsPerSec).padStart(10)} op/s ${(
      a.opsPerSec / b.opsPerSec
    )
      .toFixed(2)
      .padStart(6)}×  ${note}`,
  );
}
console.log(
  `${'W1 floor: Engine.call alone, no client'.padEnd(40)} ${fmt(raw).padStart(12)} op/s ${''.padStart(15)} ${(
    raw / rows[0].b.opsPerSec
  )
    .toFixed(2)
    .padStart(6)}×`,
);
