//! The conformance scripts (crates/engine/tests/conformance/*.redis, each command's edge cases
//! as recorded from the real server) replayed through both client stacks: real ioredis against
//! the real redis-server (REDIS_PORT, started by scripts/with-redis.sh), and this client against
//! its in-process wasm engine. Each line becomes the ioredis method call a learner would write
//! (`redis.zadd('z', '1', 'a')`), so argument handling and every reply transformer (HGETALL to
//! an object, Buffers, errors with their command) are compared on thousands of commands.
//! Scripts that need what a method call cannot express here (blocking reads, transactions,
//! subscriptions, connection state) are left to the other differential tests. Skipped when
//! REDIS_PORT is not set.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import RealRedis from 'ioredis';
import { loadPackage, settle } from './harness.mjs';

const PORT = Number(process.env.REDIS_PORT);
const skip = PORT ? false : 'REDIS_PORT is not set (run under scripts/with-redis.sh)';
const { default: OurRedis } = await loadPackage();
const DIR = fileURLToPath(new URL('../../../crates/engine/tests/conformance/', import.meta.url));

/** Commands whose scripts stay with the dedicated tests (state a method call does not carry). */
const SCRIPT_LEFT_OUT = new Set([
  'multi', 'exec', 'discard', 'watch', 'unwatch', 'subscribe', 'psubscribe', 'ssubscribe',
  'unsubscribe', 'punsubscribe', 'sunsubscribe', 'monitor', 'quit', 'reset', 'hello', 'client',
  'auth', 'swapdb', 'blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop', 'bzpopmin', 'bzpopmax',
  'bzmpop', 'wait', 'shutdown', 'debug', 'eval',
  'evalsha', 'script', 'function', 'fcall', 'save', 'bgsave', 'bgrewriteaof', 'config', 'spop',
  'readonly', 'readwrite',
]);

/** Commands skipped where they stand: they change nothing, and their replies depend on the
 * moment, the process or chance. */
const LINE_LEFT_OUT = new Set([
  'info', 'memory', 'slowlog', 'object', 'latency', 'command', 'acl', 'lolwut', 'time',
  'randomkey', 'srandmember', 'hrandfield', 'zrandmember', 'lastsave', 'pubsub',
]);

/** Splits a redis-cli line into arguments: spaces, "double" quotes with \x escapes, 'single'. */
function splitLine(line) {
  const args = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    const bytes = [];
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) {
          const c = line[i + 1];
          if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
            bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
            continue;
          }
          const map = { n: 10, r: 13, t: 9, b: 8, a: 7 };
          bytes.push(map[c] ?? c.charCodeAt(0));
          i += 2;
          continue;
        }
        bytes.push(...Buffer.from(line[i]));
        i++;
      }
      i++;
    } else if (line[i] === "'") {
      i++;
      while (i < line.length && line[i] !== "'") {
        if (line[i] === '\\' && line[i + 1] === "'") {
          bytes.push(39);
          i += 2;
          continue;
        }
        bytes.push(...Buffer.from(line[i]));
        i++;
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ' ') {
        bytes.push(...Buffer.from(line[i]));
        i++;
      }
    }
    args.push(Buffer.from(bytes));
  }
  return args;
}

/** A script as steps `{ conn, args, order }`, or null when it is left out. */
function parse(text) {
  const steps = [];
  let order = 'exact';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#!')) {
      if (/unordered-pairs/.test(line)) order = 'pairs';
      else if (/unordered/.test(line)) order = 'unordered';
      else if (/ignore/.test(line)) order = 'ignore';
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^\[([^\]]+)\]\s*(.*)$/.exec(line);
    const conn = m ? m[1] : 'main';
    const rest = m ? m[2] : line;
    if (rest.startsWith(':')) return null;
    const args = splitLine(rest);
    if (args.length === 0) continue;
    const name = args[0].toString().toLowerCase();
    if (SCRIPT_LEFT_OUT.has(name)) return null;
    if (args.some((a) => a.toString().toLowerCase() === 'block')) return null;
    if (!LINE_LEFT_OUT.has(name)) steps.push({ conn, args, order });
    order = 'exact';
  }
  return steps;
}

/** A value with its arrays sorted, at every depth; with `pairs`, a flat array of
 * field/value (or member/score) pairs sorted as pairs. */
function sortedDeep(value, pairs) {
  const key = (v) => JSON.stringify(v);
  const byKey = (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  if (Array.isArray(value)) {
    const items = value.map((v) => sortedDeep(v, pairs));
    if (pairs && items.length % 2 === 0 && items.every((v) => !Array.isArray(v))) {
      const chunks = [];
      for (let i = 0; i < items.length; i += 2) chunks.push([items[i], items[i + 1]]);
      return chunks.sort(byKey).flat();
    }
    return items.sort(byKey);
  }
  if (value && Array.isArray(value.entries)) {
    return { ...value, entries: [...value.entries].sort(byKey) };
  }
  return value;
}

/** A settled reply made comparable as the script's directive says (an order Redis leaves to
 * its hash tables is not compared). */
function ordered(result, order) {
  if (order === 'exact' || !('ok' in result)) return result;
  return { ok: sortedDeep(result.ok, order === 'pairs') };
}

/** Runs a script's steps through one client stack; resolves with what each step answered. */
async function replay(Redis, port, steps) {
  const clients = new Map();
  const client = (conn) => {
    if (!clients.has(conn)) clients.set(conn, new Redis({ port, host: '127.0.0.1' }));
    return clients.get(conn);
  };
  const out = [];
  try {
    for (const { conn, args, order } of steps) {
      const r = client(conn);
      const name = args[0].toString().toLowerCase();
      // ASCII arguments as strings, as a learner writes them; other bytes as Buffers.
      const rest = args.slice(1).map((a) => (a.every((byte) => byte < 0x80) ? a.toString() : a));
      const call = typeof r[name] === 'function' ? r[name](...rest) : r.call(name, ...rest);
      const result = await settle(call);
      out.push(order === 'ignore' ? 'ignored' : ordered(result, order));
    }
  } finally {
    for (const c of clients.values()) c.disconnect();
  }
  return out;
}

const scripts = readdirSync(DIR)
  .filter((f) => f.endsWith('.redis'))
  .sort()
  .map((file) => ({ file, steps: parse(readFileSync(DIR + file, 'utf8')) }))
  .filter((s) => s.steps !== null && s.steps.length > 0);

test('conformance scripts replayed through real ioredis and through this client agree', { skip, timeout: 300_000 }, async () => {
  assert.ok(scripts.length > 80, `only ${scripts.length} scripts replayable`);
  const admin = new RealRedis({ port: PORT, host: '127.0.0.1' });
  const initial = await admin.config('GET', '*');
  const failures = [];
  let compared = 0;
  try {
    for (const [n, { file, steps }] of scripts.entries()) {
      // Back to the state a script starts from: the real server's keys and parameters, and a
      // fresh in-process engine (another port is another server).
      await admin.flushall();
      const now = await admin.config('GET', '*');
      for (let i = 0; i < initial.length; i += 2) {
        const at = now.indexOf(initial[i]);
        if (at >= 0 && now[at + 1] !== initial[i + 1] && initial[i] !== 'save') {
          await admin.config('SET', initial[i], initial[i + 1]);
        }
      }
      const real = await replay(RealRedis, PORT, steps);
      const ours = await replay(OurRedis, 40000 + n, steps);
      compared += steps.length;
      for (let i = 0; i < steps.length; i++) {
        try {
          assert.deepStrictEqual(ours[i], real[i]);
        } catch {
          failures.push(`${file}: ${steps[i].args.map(String).join(' ')}\n  ioredis + redis-server: ${JSON.stringify(real[i])}\n  this client:            ${JSON.stringify(ours[i])}`);
          break;
        }
      }
    }
  } finally {
    admin.disconnect();
  }
  console.log(`conformance replay: ${compared} commands from ${scripts.length} scripts`);
  assert.deepStrictEqual(failures, []);
});
