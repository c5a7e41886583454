//! The wire convention (web/js/client/wire.js over the bindings' wireCall) answers exactly what
//! `Engine.call` and `Engine.takeOutput` answer: the same commands run on two engines, one
//! through each, and every reply is compared, as text and as bytes, with Node's codec and with
//! the neutral one (TextEncoder/TextDecoder).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPackage, packageDir } from './harness.mjs';

const { Engine } = await loadPackage();
const { createWire } = await import(`${packageDir}/client/wire.js`);

const long = (n, c = 'x') => c.repeat(n);
const bytes = (...b) => Uint8Array.from(b);

/** Commands run in order; `[name, ...]` on the first connection, `{ on: 1, argv }` on the second. */
const SCRIPT = [
  ['PING'],
  ['SET', 'k', 'v'],
  ['GET', 'k'],
  ['GET', 'missing'],
  ['SET', 'empty', ''],
  ['GET', 'empty'],
  ...[1, 2, 3, 4, 5, 7, 8, 9, 16, 23, 24, 25, 100, 1000].flatMap((n) => [
    ['SET', `len:${n}`, long(n, 'a')],
    ['GET', `len:${n}`],
  ]),
  ['SET', 'utf8', 'héllo wörld, 😀 and more than twenty-four characters'],
  ['GET', 'utf8'],
  ['SET', 'utf8short', 'é'],
  ['GET', 'utf8short'],
  // Short strings are written four code units at a time: non-ASCII in a group of four, in
  // the last group, in the tail after it, and surrogate pairs across a group's edge.
  ...['héllo', 'abcé', 'abcdé', 'abcdefgé', 'ab😀cd', 'abc😀', '😀😀', 'aé', 'Ωmega-ish key'].flatMap((v) => [
    ['SET', v, v],
    ['GET', v],
    ['STRLEN', v],
  ]),
  ['SET', 'lone', 'a\ud800b'],
  ['GET', 'lone'],
  ['STRLEN', 'lone'],
  ['SET', 'lonelong', `${long(30)}\udc00${long(30)}`],
  ['STRLEN', 'lonelong'],
  ['SET', 'bin', bytes(0, 255, 128, 0xc3)],
  ['GET', 'bin'],
  ['SET', 'binlong', Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256)],
  ['GET', 'binlong'],
  ['SET', 'badutf8', bytes(0x61, 0xe2, 0x82, 0x62, 0xf0, 0x9f, 0x98, 0xff, 0xed, 0xa0, 0x80)],
  ['GET', 'badutf8'],
  ['ECHO', long(2_000_000)],
  ['SET', 'big', long(3_000_000, 'é')],
  ['STRLEN', 'big'],
  ['GETRANGE', 'big', '0', '5'],
  ['APPEND', 'k', 1234],
  ['GET', 'k'],
  ['SET', 'n', '2147483646'],
  ['INCR', 'n'],
  ['INCR', 'n'],
  ['SET', 'm', '-2147483647'],
  ['DECR', 'm'],
  ['DECR', 'm'],
  ['SET', 'huge', '9007199254740993'],
  ['INCR', 'huge'],
  ['SET', 'max', '9223372036854775806'],
  ['INCR', 'max'],
  ['INCR', 'max'],
  ['DECRBY', 'neg', '9223372036854775807'],
  ['DECR', 'neg'],
  ['INCRBYFLOAT', 'f', '1.5'],
  ['NOSUCH', 'a'],
  ['GET'],
  ['LPUSH', 'k', 'x'],
  ['RPUSH', 'l', 'a', 'b', 'c', 'd'],
  ['LRANGE', 'l', '0', '-1'],
  ['LRANGE', 'nolist', '0', '-1'],
  ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
  ['HGETALL', 'h'],
  ['ZADD', 'z', '1.5', 'a', '-2', 'b', 'inf', 'c'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
  ['ZSCORE', 'z', 'a'],
  ['SADD', 's', 'x', 'y'],
  ['SMEMBERS', 's'],
  ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
  ['GEOPOS', 'g', 'Palermo', 'nowhere'],
  ['GEODIST', 'g', 'Palermo', 'Catania'],
  ['XADD', 'st', '1-1', 'a', '1', 'b', '2'],
  ['XRANGE', 'st', '-', '+'],
  ['MULTI'],
  ['INCR', 'tx'],
  ['LPUSH', 'tx', 'a'],
  ['GET', 'k'],
  ['EXEC'],
  ['COMMAND', 'INFO', 'get'],
  ['SUBSCRIBE', 'chan', 'other'],
  { on: 1, argv: ['PUBLISH', 'chan', 'hello'] },
  { on: 1, argv: ['PUBLISH', 'other', bytes(0xff, 0)] },
  { output: 0 },
  ['UNSUBSCRIBE'],
  { on: 1, argv: ['BLPOP', 'bl', '0'] },
  ['LPUSH', 'bl', 'served'],
  { output: 1 },
  { output: 1 },
  ['HELLO', '3'],
  ['HGETALL', 'h'],
  ['SMEMBERS', 's'],
  ['ZSCORE', 'z', 'a'],
  ['ZSCORE', 'z', 'c'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
  ['GEOPOS', 'g', 'Palermo'],
  ['SISMEMBER', 's', 'x'],
  ['CONFIG', 'GET', 'maxmemory*'],
  ['GET', 'missing'],
  ['XINFO', 'STREAM', 'st'],
  ['SUBSCRIBE', 'chan'],
  { on: 1, argv: ['PUBLISH', 'chan', 'resp3'] },
  { output: 0 },
  ['PING', 'in subscriber mode'],
  [],
  ['QUIT'],
];

function runOld(engine, ids, step, buffers) {
  if (step.output !== undefined) return engine.takeOutput(ids[step.output], buffers);
  const [id, argv] = step.on !== undefined ? [ids[step.on], step.argv] : [ids[0], step];
  // Engine.call throws on numbers (the client stringifies them first); the wire takes their
  // string form.
  const strings = argv.map((a) => (typeof a === 'number' ? String(a) : a));
  return engine.call(id, strings, buffers);
}

function runWire(wire, engine, ids, step, buffers) {
  if (step.output !== undefined) return wire.takeOutput(engine, ids[step.output], buffers);
  const [id, argv] = step.on !== undefined ? [ids[step.on], step.argv] : [ids[0], step];
  return wire.call(engine, id, argv, buffers);
}

/**
 * Errors compared by class and message (their stacks differ), byte strings by their bytes and
 * type: `as`, when given, is the type the wire answers them as (for `Engine.call`'s replies,
 * plain `Uint8Array`s), as the codec copies them out.
 */
function plain(value, as = null) {
  if (value instanceof Error) return { error: value.constructor.name, message: value.message };
  if (value instanceof Uint8Array) {
    return { bytes: Buffer.from(value).toString('hex'), type: as ?? value.constructor.name };
  }
  if (Array.isArray(value)) return value.map((item) => plain(item, as));
  return value;
}

// Node's codec copies byte strings out as Buffers from Node's pool; the neutral one as plain
// `Uint8Array`s, as `Engine.call` answers them.
for (const [label, options, bytesType] of [
  ["Node's codec", {}, 'Buffer'],
  ['the neutral codec', { memoryCodec: null }, 'Uint8Array'],
]) {
  test(`wire calls answer what Engine.call answers (${label})`, () => {
    const wire = createWire(Engine, options);
    assert.ok(wire, 'the Engine has the wire methods');
    const old = new Engine();
    const fast = new Engine();
    old.setTime(1_700_000_000_000);
    fast.setTime(1_700_000_000_000);
    const oldIds = [old.connect(), old.connect()];
    const fastIds = [fast.connect(), fast.connect()];
    for (const buffers of [false, true]) {
      for (const step of SCRIPT) {
        const want = plain(runOld(old, oldIds, step, buffers), bytesType);
        const got = plain(runWire(wire, fast, fastIds, step, buffers));
        assert.deepEqual(got, want, `${JSON.stringify(step).slice(0, 80)} (buffers: ${buffers})`);
      }
      // QUIT closed the first connection: open another for the second pass.
      oldIds[0] = old.connect();
      fastIds[0] = fast.connect();
    }
    old.free();
    fast.free();
  });
}

test('a busy wire refuses instead of answering garbage; an Engine without wire methods gets none', () => {
  assert.equal(createWire(class {}), null);
  assert.equal(createWire(null), null);
  const wire = createWire(Engine);
  const engine = new Engine();
  const id = engine.connect();
  assert.deepEqual(wire.call(engine, id, ['SET', 'a', '1']), ['OK']);
  // A length past what was written is malformed: the engine refuses it.
  assert.equal(engine.wireCall(id, 0xffff_fff0, false), 0xffff_ffff);
  assert.deepEqual(wire.call(engine, id, ['GET', 'a']), ['1']);
  assert.deepEqual(wire.call(engine, id, ['GET', 'a'], true), [Buffer.from([0x31])]);
  engine.free();
});

test('several wires over one module share its buffers safely, as they move', () => {
  const a = createWire(Engine);
  const b = createWire(Engine, { memoryCodec: null });
  const engine = new Engine();
  const id = engine.connect();
  for (const size of [10, 5000, 300_000, 3_000_000, 20]) {
    const value = `${size}:${'v'.repeat(size)}`;
    assert.deepEqual(a.call(engine, id, ['SET', `k${size}`, value]), ['OK']);
    assert.deepEqual(b.call(engine, id, ['STRLEN', `k${size}`]), [value.length]);
    assert.deepEqual(b.call(engine, id, ['APPEND', `k${size}`, 'é'.repeat(size)]), [value.length + 2 * size]);
    assert.deepEqual(a.call(engine, id, ['GETRANGE', `k${size}`, '0', '9']), [value.slice(0, 10)]);
  }
  engine.free();
});

test('random commands with random bytes and strings answer alike through both conventions', () => {
  // A small deterministic generator (xorshift), so that a failure reproduces.
  let seed = 0x9e3779b9;
  const rand = (n) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const pieces = ['a', 'é', '😀', '\ud800', '\x00', 'xyz', '1', '-7', '3.5', ' ', '\n', 'ÿ'];
  const value = () => {
    switch (rand(4)) {
      case 0:
        return Uint8Array.from({ length: rand(40) }, () => rand(256));
      case 1:
        return String(rand(2 ** 31) - 2 ** 30);
      default: {
        let s = '';
        for (let i = rand(40); i > 0; i--) s += pieces[rand(pieces.length)];
        return s;
      }
    }
  };
  const key = () => `k${rand(8)}`;
  const commands = [
    () => ['SET', key(), value()],
    () => ['GET', key()],
    () => ['APPEND', key(), value()],
    () => ['GETRANGE', key(), String(rand(10) - 5), String(rand(10) - 5)],
    () => ['INCRBY', key(), value()],
    () => ['RPUSH', key(), value(), value()],
    () => ['LRANGE', key(), '0', '-1'],
    () => ['HSET', key(), value(), value()],
    () => ['HGETALL', key()],
    () => ['ZADD', key(), String(rand(100) / 8), value()],
    () => ['ZRANGE', key(), '0', '-1', 'WITHSCORES'],
    () => ['SADD', key(), value()],
    () => ['SINTER', key(), key()],
    () => ['TYPE', key()],
    () => ['DEL', key(), key()],
    () => ['ECHO', value()],
    () => [value(), value()],
    () => ['MGET', key(), key(), key()],
  ];
  const wire = createWire(Engine);
  const old = new Engine();
  const fast = new Engine();
  old.setTime(1_700_000_000_000);
  fast.setTime(1_700_000_000_000);
  const oldId = old.connect();
  const fastId = fast.connect();
  for (let i = 0; i < 3000; i++) {
    const argv = commands[rand(commands.length)]();
    const buffers = rand(2) === 1;
    const want = plain(old.call(oldId, argv, buffers), 'Buffer');
    const got = plain(wire.call(fast, fastId, argv, buffers));
    assert.deepEqual(got, want, `command ${i}: ${JSON.stringify(argv)}`);
  }
  old.free();
  fast.free();
});
