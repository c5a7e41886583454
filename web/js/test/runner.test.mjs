//! The script runner's plain parts in Node: console formatting compared with Node's own
//! util.inspect / util.format, the rewriting of learner code (imports, exports, line numbers),
//! stack-frame mapping, the worker's Buffer compared with Node's, the simulated database, the
//! page clock and the batching of the worker transport. The runner itself (worker, page, engine)
//! is tested in the browser (web/e2e/runner.spec.mjs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { until } from './harness.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const runnerDir = `${root}web/js/runner`;
const { inspect, formatArgs } = await import(`${runnerDir}/inspect.js`);
const { rewriteModuleSyntax, compileSource, learnerLocation, learnerFrames, SCRIPT_PARAMS } = await import(
  `${runnerDir}/learner-code.js`
);
const { Buffer: WorkerBuffer } = await import(`${runnerDir}/buffer.js`);
const { createDatabase, seedUsers } = await import(`${runnerDir}/sim-db.js`);
const { PageClock } = await import(`${runnerDir}/clock.js`);
const { HostLink, createWorkerTransport, encodeBatch, decodeBatch, ANSWER_HEAD } = await import(
  `${runnerDir}/worker-transport.js`
);
const { KeepAwake } = await import(`${runnerDir}/keep-awake.js`);

test('the runner modules import nothing from Node (they run in a page and a Web Worker)', () => {
  for (const file of readdirSync(runnerDir)) {
    const text = readFileSync(`${runnerDir}/${file}`, 'utf8');
    assert.ok(!/from ['"]node:|import\(['"]node:/.test(text), file);
  }
});

class Foo {
  constructor() {
    this.a = 1;
    this.b = [1, 2];
  }
}
class Bar extends Foo {}

function corpus() {
  const circ = { name: 'c' };
  circ.self = circ;
  circ.list = [circ, { inner: circ }];
  const twoRefs = { a: {}, b: {} };
  twoRefs.a.back = twoRefs;
  twoRefs.b.me = twoRefs.b;
  const nullProto = Object.create(null);
  nullProto.x = 1;
  const arr = [1, 2, 3];
  arr.extra = 'yes';
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [1, , 3];
  sparse[9] = 10;
  const sparseLong = [];
  sparseLong[3] = 2;
  sparseLong[150] = 1;
  return [
    1, -0, 1.5, NaN, Infinity, -Infinity, 10n, true, undefined, null, Symbol('s'), 'str', "it's", `it's "x"`,
    'a\nb\tc\x00\x7f\\', 'x'.repeat(100) + '\n' + 'y'.repeat(10), { s: 'line one is long enough\nline two\n' },
    [], {}, [1, 2, 3], [1, 2, 3, 4, 5, 6, 7], Array.from({ length: 26 }, (_, i) => i * 3),
    Array.from({ length: 30 }, (_, i) => `item${i}`), Array.from({ length: 120 }, (_, i) => i),
    Array.from({ length: 101 }, () => 'x'), ['a', 'b'], { a: 1, b: 'two', c: [3], 'd-e': null, __proto__x: 1 },
    { a: { b: { c: { d: { e: 1 } } } } }, { a: { b: { c: {} } } }, { a: [[[[1]]]] }, [[[[[]]]]],
    new Foo(), new Bar(), circ, twoRefs, nullProto, arr, sparse,
    new Map([['a', 1], ['b', { c: 2 }]]), new Set([1, 'two', [3]]), new Map(), new Set(),
    function named() {}, () => {}, async function af() {}, class K {}, class L extends Foo {}, function* gen() {},
    /re+/gi, new Date(0), new Date(NaN), new Uint8Array([1, 2, 3]), new Float64Array(2), new Uint8Array(0),
    new Int32Array(200), new BigInt64Array(2),
    { [Symbol('k')]: 1, 'with space': 2, 3: 'num' },
    { long: 'a'.repeat(70), other: 1 }, { key1: 'value number one', key2: 'value number two', key3: 'value number three' },
    // eslint-disable-next-line accessor-pairs
    { get g() { return 1; }, set s(v) {}, get gs() { return 1; }, set gs(v) {} },
    [{ a: 1, b: 2 }, { a: 3, b: 4 }], { users: [{ id: 1, name: 'Ada', tags: ['x', 'y'] }, { id: 2, name: 'Bob', tags: [] }] },
    new String('boxed'), new Number(3), Object(1n), [undefined, null], { u: undefined },
    Array.from({ length: 8 }, (_, i) => ({ i })), [['a', 1], ['b', 2]], { nested: new Map([[{ k: 1 }, new Set([1])]]) },
    new ArrayBuffer(4), [-0, 1, -1], [1.5, 22.25, 333], ['a', 1, 'bb', 22, 'ccc', 333, 'dddd'],
    { 'quote\'s': "it's", dq: 'say "hi"', both: `'"`, tick: "'\"`" },
    Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
    { fn: function inner() {}, arrow: () => 1, cls: class {} },
    Array.from({ length: 7 }, (_, i) => 'word'.repeat(i)),
    { hgetall: { name: 'Ada', email: 'ada@example.com', visits: '12', plan: 'pro', city: 'London' } },
    // Up to 100 bytes of an ArrayBuffer; columns of wide characters measured in terminal cells; a
    // run of holes is one entry of the 100; an array's last extra key past 100 entries.
    new ArrayBuffer(60), ['日本語', '中国', '한국어', 'ｆｕｌｌ', 'abc', 'de', 'f', 'ghij'], sparseLong,
    Object.assign(Array.from({ length: 100 }, (_, i) => i), { extra: 1 }),
  ];
}

test("inspect prints values as Node's util.inspect does", () => {
  for (const value of corpus()) {
    assert.equal(inspect(value), util.inspect(value), util.inspect(value));
  }
  assert.equal(inspect({ a: { b: { c: { d: 1 } } } }, { depth: 0 }), util.inspect({ a: { b: { c: { d: 1 } } } }, { depth: 0 }));
  assert.equal(inspect({ a: { b: { c: { d: 1 } } } }, { depth: null }), util.inspect({ a: { b: { c: { d: 1 } } } }, { depth: null }));
});

test("formatArgs joins console.log's arguments as Node's util.format does", () => {
  const cases = [
    ['%s is %d', 'x', 42], ['%o', { a: 1 }], ['%O', { a: { b: { c: { d: 1 } } } }], ['%j', { a: [1] }], ['100%%', 1],
    ['%s', { a: 1 }], ['a', { b: 2 }, 'c'], [{ a: 1 }, 'x'], ['%i %f', '42.5', '1.5'], ['%c styled', 'color: red'],
    ['', 1], ['%s', 10n], ['%d', '0x10'], ['%s %s', 'only'], ['%x %s', 'y'], [1, 2, 3], ['%s', null], ['%d', {}],
    ['no specifiers'], ['%s', [1, [2, [3, [4]]]]], ['%s', new Error('e').message], ['%s', new Map([[1, 2]])],
    ['%s', { toString: () => 'custom' }], ['%s', new (class Point { toString() { return 'P'; } })()],
    ['%s', new (class Plain {})()], ['%s', Object.create(null)], ['%s', -0], ['%d', -0], ['%s', Symbol('q')],
  ];
  for (const args of cases) assert.equal(formatArgs(args), util.format(...args), util.inspect(args));
});

test('errors print their name, message and only the learner frames, mapped to its lines', () => {
  const err = new Error('boom');
  err.stack = [
    'Error: boom',
    '    at helper (script.js:4:11)',
    '    at eval (script.js:8:3)',
    '    at async run (http://127.0.0.1:8080/js/runner/worker.js:431:5)',
  ].join('\n');
  err.code = 'E_BOOM';
  assert.equal(
    inspect(err, { errorFrames: (e) => learnerFrames(e.stack) }),
    "Error: boom\n    at helper (script.js:3:11)\n    at script.js:7:3 {\n  code: 'E_BOOM'\n}",
  );
  assert.deepEqual(learnerLocation(err.stack), { line: 3, column: 11 });
  assert.equal(learnerLocation('Error\n    at worker.js:1:1'), null);
});

test("errors without stack frames print as Node prints them: in brackets, under their class's name", () => {
  class MyErr extends Error {}
  class Named extends Error {
    constructor(m) {
      super(m);
      this.name = 'Custom';
    }
  }
  // As node-redis's ErrorReply: no stack at all.
  class ErrorReply extends Error {
    constructor(m) {
      super(m);
      this.stack = undefined;
    }
  }
  const without = (e, stack = undefined) => {
    e.stack = stack;
    return e;
  };
  const withProps = new ErrorReply('1 commands failed');
  withProps.replies = ['OK', new ErrorReply('WRONGTYPE x')];
  withProps.errorIndexes = [1];
  const renamed = without(new Error('x'), 'Error: x');
  renamed.name = 'Other';
  const coded = without(new RangeError('r'), 'RangeError: r');
  coded.code = 'E_R';
  const values = [
    new ErrorReply('WRONGTYPE x'), [new ErrorReply('in an array')], withProps, without(new MyErr('hi')),
    without(new Named('n')), without(new Error('plain')), without(new Error('')), without(new Error('s'), 'Error: s'),
    without(new Named('n2'), 'Custom: n2'), without(new MyErr('m'), 'Error: m'), renamed, { err: coded },
  ];
  for (const value of values) assert.equal(inspect(value), util.inspect(value), util.inspect(value));
});

test('imports become const declarations on the same lines; strings, comments, templates and regexes are left alone', () => {
  const source = [
    "import Redis from 'ioredis';",
    "import { createClient, ErrorReply as E } from \"redis\";",
    "import * as io from 'ioredis';",
    "import Def, { Cluster } from 'ioredis';",
    "import Both, * as ns from 'ioredis';",
    "import 'redis';",
    'import {',
    '  a,',
    '  b as c,',
    "} from 'x';",
    "const s = \"import x from 'y'\";",
    '// import y from "z"',
    '/* import z from "w" */',
    'const t = `import ${"a"} from ${`import q from "r"`}`;',
    "const re = /import a from 'b'/g;",
    'const ratio = 4 / 2; const m = await import("ioredis");',
    'console.log(import.meta.url, obj.import, { import: 1 });',
    "export const exported = 1; export default 42; export { exported as other };",
    'export function f() {}',
  ].join('\n');
  const { code, isModule } = rewriteModuleSyntax(source);
  assert.equal(isModule, true);
  const lines = code.split('\n');
  assert.equal(lines.length, source.split('\n').length);
  assert.deepEqual(lines.slice(0, 6), [
    'const Redis = __import("ioredis").default;',
    'const { createClient, ErrorReply: E } = __import("redis");',
    'const io = __import("ioredis");',
    'const Def = __import("ioredis").default, { Cluster } = __import("ioredis");',
    'const Both = __import("ioredis").default, ns = __import("ioredis");',
    '__import("redis");',
  ]);
  assert.equal(lines[6], 'const { a, b: c } = __import("x");');
  assert.deepEqual(lines.slice(7, 10), ['', '', '']);
  assert.deepEqual(lines.slice(10, 15), source.split('\n').slice(10, 15));
  assert.equal(lines[15], 'const ratio = 4 / 2; const m = await __dynamicImport("ioredis");');
  assert.equal(lines[16], 'console.log(__importMeta.url, obj.import, { import: 1 });');
  assert.equal(
    lines[17],
    source
      .split('\n')[17]
      .replace('export { exported as other };', ' '.repeat(29))
      .replace('export default', ' '.repeat(14))
      .replace('export', ' '.repeat(6)),
  );
  assert.equal(lines[18], '       function f() {}');
  const cjs = rewriteModuleSyntax("const Redis = require('ioredis');\nawait x;");
  assert.equal(cjs.isModule, false);
  assert.equal(cjs.code, "const Redis = require('ioredis');\nawait x;");
});

test('the compiled source is an async function over the helpers, learner line n at line n + 1', async () => {
  const { source, isModule } = compileSource("import R from 'ioredis';\nreturn [R, sleep, await db];");
  assert.equal(isModule, true);
  // eslint-disable-next-line no-eval
  const fn = (0, eval)(source);
  const args = Object.fromEntries(SCRIPT_PARAMS.map((name) => [name, undefined]));
  args.__import = () => ({ default: 'the client' });
  args.sleep = 'sleep';
  args.db = Promise.resolve('db');
  assert.deepEqual(await fn(...SCRIPT_PARAMS.map((name) => args[name])), ['the client', 'sleep', 'db']);
  const thrower = (0, eval)(compileSource('const a = 1;\n\nnull.x;').source);
  const err = await thrower().catch((e) => e);
  assert.deepEqual(learnerLocation(err.stack), { line: 3, column: 6 });
  // The learner may declare the helpers' names itself; a `#!` line is a comment.
  const own = (0, eval)(
    compileSource("#!/usr/bin/env node\nconst sleep = (ms) => ms * 2;\nlet db = 1;\nfunction setTimeout() {}\nreturn sleep(db);").source,
  );
  assert.equal(await own(...SCRIPT_PARAMS.map(() => undefined)), 2);
  // ES modules are strict; CommonJS code is not.
  const strict = (0, eval)(compileSource("import x from 'y';\nundeclared = 1;").source);
  assert.match(String(await strict(...SCRIPT_PARAMS.map(() => () => ({}))).catch((e) => e)), /ReferenceError/);
});

test("the worker's Buffer encodes and decodes as Node's", () => {
  for (const [text, encoding] of [
    ['héllo €😀', 'utf8'], ['68656c6c6f', 'hex'], ['aGVsbG8gd29ybGQ=', 'base64'], ['aGk_-w', 'base64url'],
    ['ÿabc', 'latin1'], ['hi', 'utf16le'],
  ]) {
    const ours = WorkerBuffer.from(text, encoding);
    const node = Buffer.from(text, encoding);
    assert.deepEqual([...ours], [...node], `${encoding} from`);
    for (const out of ['utf8', 'hex', 'base64', 'base64url', 'latin1']) {
      assert.equal(ours.toString(out), node.toString(out), `${encoding} → ${out}`);
    }
  }
  const bytes = WorkerBuffer.from([1, 2, 255, 256]);
  assert.deepEqual([...bytes], [1, 2, 255, 0]);
  assert.equal(inspect(WorkerBuffer.from('hi')), util.inspect(Buffer.from('hi')));
  assert.equal(inspect({ b: WorkerBuffer.alloc(60, 1) }), util.inspect({ b: Buffer.alloc(60, 1) }));
  assert.equal(WorkerBuffer.concat([WorkerBuffer.from('a'), WorkerBuffer.from('bc')]).toString(), 'abc');
  assert.ok(WorkerBuffer.isBuffer(WorkerBuffer.from('x').subarray(0, 1)));
  assert.deepEqual(JSON.stringify(WorkerBuffer.from('hi')), JSON.stringify(Buffer.from('hi')));
});

test('the simulated database: seeded users, copies, updates, queries, one wait per call', async () => {
  assert.deepEqual(seedUsers(), seedUsers());
  const waits = [];
  const db = createDatabase({ latencyMs: 50, wait: (name) => (waits.push(name), Promise.resolve()) });
  const ada = await db.findUser(1);
  assert.deepEqual(Object.keys(ada), ['id', 'name', 'email', 'city', 'plan', 'visits']);
  assert.equal(ada.name, 'Ada Lovelace');
  ada.name = 'changed';
  assert.equal((await db.findUser('1')).name, 'Ada Lovelace');
  assert.equal(await db.findUser(51), null);
  assert.equal((await db.updateUser(2, { plan: 'team', id: 99 })).plan, 'team');
  assert.equal((await db.findUser(2)).id, 2);
  assert.equal(await db.query('count', ({ users }) => users.length), 50);
  await assert.rejects(db.query('broken', () => { throw new Error('bad query'); }), /bad query/);
  assert.equal(db.calls, 7);
  assert.deepEqual(waits, ['findUser', 'findUser', 'findUser', 'updateUser', 'findUser', 'count', 'broken']);
});

test('the page clock: follows the wall clock, pauses, advances, never goes back, notifies', () => {
  let wall = 1_000_000;
  const clock = new PageClock(() => wall);
  let changes = 0;
  clock.onChange(() => changes++);
  assert.equal(clock.now(), 1_000_000);
  wall += 10;
  assert.equal(clock.now(), 1_000_010);
  clock.advance(500);
  assert.equal(clock.now(), 1_000_510);
  clock.pause();
  wall += 1000;
  assert.equal(clock.now(), 1_000_510);
  clock.set(2_000_000);
  assert.equal(clock.now(), 2_000_000);
  assert.throws(() => clock.set(1), /cannot go back/);
  assert.throws(() => clock.advance(-1), RangeError);
  clock.resume();
  wall += 5;
  assert.equal(clock.now(), 2_000_005);
  assert.equal(changes, 4);
  assert.equal(clock.changes(), 4, 'the count the runner compares to resend the clock');
  wall += 1000;
  clock.advance(0);
  clock.resume();
  assert.equal(clock.changes(), 4, 'following the wall clock, or no move at all, is no change');
});

test('the page clock runs at a speed: time does not jump when the speed changes', () => {
  let wall = 1_000_000;
  const clock = new PageClock(() => wall);
  clock.setSpeed(10);
  assert.equal(clock.speed(), 10);
  wall += 100;
  assert.equal(clock.now(), 1_001_000);
  clock.setSpeed(60);
  assert.equal(clock.now(), 1_001_000);
  wall += 1000;
  assert.equal(clock.now(), 1_061_000);
  clock.pause();
  wall += 1000;
  assert.equal(clock.now(), 1_061_000);
  clock.resume();
  wall += 10;
  assert.equal(clock.now(), 1_061_600);
  clock.advance(400);
  assert.equal(clock.now(), 1_062_000);
  assert.throws(() => clock.setSpeed(0), RangeError);
  assert.throws(() => clock.setSpeed(Number.NaN), RangeError);
});

test('the worker transport batches the calls of one tick into one message and settles answers in order', async () => {
  const posted = [];
  const link = new HostLink((message) => posted.push(message));
  const transport = createWorkerTransport(link, { setImmediate: (fn) => setTimeout(fn, 0) });
  const server = transport.server({ port: 1234 });
  assert.equal(transport.server({ port: 9999 }), server, 'every host and port is the page engine');
  const a = server.open();
  const b = server.open({ stringNumbers: true });
  const outputs = [];
  a.setListener({ output: (r) => outputs.push(['a', r]), closed: () => outputs.push(['a closed']) });
  const order = [];
  a.call(['SUBSCRIBE', 'c'], true).then((r) => order.push(['a', r]));
  b.call(['PUBLISH', 'c', 'm'], false).then((r) => order.push(['b', r]));
  link.send(['log', 'log', 'hi']);
  assert.equal(posted.length, 0, 'nothing goes before the tick ends');
  await Promise.resolve();
  assert.equal(posted.length, 1);
  const batch = decodeBatch(posted[0]);
  assert.deepEqual(batch.ops, [
    ['open', 1, false],
    ['open', 2, true],
    ['call', 1, ['SUBSCRIBE', 'c'], true],
    ['call', 2, ['PUBLISH', 'c', 'm'], false],
    ['log', 'log', 'hi'],
  ]);
  assert.equal(batch.reply, true);
  assert.equal(link.inFlight, 1);
  // The answer: [id, outputs, closed, clock, …results].
  link.receive([batch.id, [[1, [['message', 'c', 'm']]]], [1], null, null, null, [['subscribe', 'c', 1]], [1], null]);
  // Answers first, in op order, then the outputs, in a later turn: a connection sees its
  // replies in order, and the publisher goes on before its subscriber hears.
  assert.deepEqual(order, [['a', [['subscribe', 'c', 1]]], ['b', [1]]]);
  assert.deepEqual(outputs, []);
  assert.equal(link.inFlight, 0);
  // (Three turns: the message, the closing, the client hearing of it.)
  await until(() => outputs.length === 2);
  assert.deepEqual(outputs, [['a', [['message', 'c', 'm']]], ['a closed']]);
  assert.deepEqual(a.call(['PING'], false), [], 'a closed connection answers nothing');
  const fireAndForget = new HostLink((message) => posted.push(message));
  fireAndForget.send(['log', 'log', 'x']);
  await Promise.resolve();
  assert.equal(decodeBatch(posted.at(-1)).reply, false);
});

test('the worker transport hands output over one connection a turn, after the answers, and all of it before a later answer', async () => {
  const posted = [];
  const link = new HostLink((message) => posted.push(message));
  const transport = createWorkerTransport(link, { setImmediate: (fn) => setTimeout(fn, 0) });
  const server = transport.server({});
  const [a, b, publisher] = [server.open(), server.open(), server.open()];
  const log = [];
  for (const [name, conn] of [['a', a], ['b', b]]) {
    conn.setListener({
      output: (replies) => {
        log.push(`${name} ${replies[0][2]}`);
        Promise.resolve().then(() => log.push(`${name} then`));
      },
      closed() {},
    });
  }
  // Answers the latest batch: `replies` for its calls in turn (its other ops answer null).
  const answer = async (replies, outputs = null) => {
    await Promise.resolve();
    const batch = decodeBatch(posted.at(-1));
    const results = batch.ops.map((op) => (op[0] === 'call' ? replies.shift() : null));
    link.receive([batch.id, outputs, null, null, ...results]);
  };
  publisher.call(['PUBLISH', 'c', 'one'], false).then((r) => log.push(`published to ${r[0]}`));
  // The page sends the outputs in Redis's order: b subscribed last.
  await answer([[2]], [[2, [['message', 'c', 'one']]], [1, [['message', 'c', 'one']]]]);
  assert.deepEqual(log, ['published to 2']);
  await until(() => log.length === 5);
  assert.deepEqual(log, ['published to 2', 'b one', 'b then', 'a one', 'a then']);
  log.length = 0;
  link.receive({ t: 'out', outputs: [[1, [['message', 'c', 'two']]], [2, [['message', 'c', 'two']]]], closed: null, clock: null });
  publisher.call(['PING'], false).then(() => log.push('pong'));
  await answer([['PONG']]);
  assert.deepEqual(log, ['a two', 'b two', 'pong', 'a then', 'b then']);
});

test('the worker transport says while it still hands output over (a sleep ends after it, as real time would)', async () => {
  const posted = [];
  const link = new HostLink((message) => posted.push(message));
  const transport = createWorkerTransport(link, { setImmediate: (fn) => setTimeout(fn, 0) });
  const [a, b, publisher] = [transport.server().open(), transport.server().open(), transport.server().open()];
  const heard = [];
  for (const conn of [a, b]) conn.setListener({ output: (replies) => heard.push(replies[0][2]), closed() {} });
  publisher.call(['PUBLISH', 'c', 'one'], false);
  await Promise.resolve();
  const batch = decodeBatch(posted.at(-1));
  assert.equal(transport.delivering, false);
  link.receive([batch.id, [[1, [['message', 'c', 'one']]], [2, [['message', 'c', 'two']]]], null, null, [2]]);
  assert.equal(transport.delivering, true);
  await until(() => !transport.delivering);
  assert.deepEqual(heard, ['one', 'two']);
});

test('a console line goes to the page at once, with what was queued before it: an endless loop next cannot keep it', async () => {
  const posted = [];
  const link = new HostLink((message) => posted.push(message));
  link.ask(['sleep', 5]);
  link.sendNow(['log', 'log', 'start']);
  assert.equal(posted.length, 1, 'posted before the tick ends');
  assert.deepEqual(decodeBatch(posted[0]).ops, [['sleep', 5], ['log', 'log', 'start']]);
  assert.equal(decodeBatch(posted[0]).reply, true);
  assert.equal(link.inFlight, 1);
  link.sendNow(['log', 'warn', 'alone']);
  // A lone line: the shape the page reads without decoding the batch (script-run.js).
  assert.deepEqual(posted[1].slice(1), [false, 'log', 2, 'warn', 'alone']);
  link.send(['log', 'log', 'later']);
  assert.equal(posted.length, 2);
  await Promise.resolve();
  assert.equal(posted.length, 3);
  assert.deepEqual(decodeBatch(posted[2]).ops, [['log', 'log', 'later']]);
  await Promise.resolve();
  assert.equal(posted.length, 3, 'no empty batches');
});

test('batches and answers are flat arrays; ops read back as queued, the clock only when sent', () => {
  const ops = [
    ['open', 1, true],
    ['call', 1, ['SET', 'k', new Uint8Array([0, 255])], false],
    ['call', 1, ['PING'], true],
    ['sleep', 50],
    ['db', 'findUser', 50],
    ['crash'],
    ['log', 'log', 'hi'],
    ['events', 7],
  ];
  const message = encodeBatch(3, true, ops);
  assert.ok(message.every((part) => !Array.isArray(part)), 'one array, nothing nested');
  assert.deepEqual(decodeBatch(message), { id: 3, reply: true, ops });
  assert.deepEqual(decodeBatch(encodeBatch(4, false, [])), { id: 4, reply: false, ops: [] });
  assert.equal(decodeBatch({ t: 'done' }), null);
  assert.deepEqual(decodeBatch([5, true, 'call', -3, 'x']).ops, [], 'a bad count ends the batch');
  assert.equal(ANSWER_HEAD, 4);

  const clocks = [];
  const link = new HostLink(() => {});
  link.onClock = (now, paused, speed) => clocks.push([now, paused, speed]);
  const answer = link.ask(['sleep', 10]);
  link.flush();
  let settled = null;
  answer.then((value) => {
    settled = value;
  });
  link.receive([1, null, null, null, [100, 110]]);
  assert.deepEqual(settled, [100, 110]);
  assert.deepEqual(clocks, [], 'no clock: the worker keeps extrapolating');
  link.receive({ t: 'out', outputs: [], closed: [], clock: [200, true, 1] });
  assert.deepEqual(clocks, [[200, true, 1]]);
});

test('keep-awake: a thread spins in tasks for its window after each message, then sleeps', async () => {
  const counted = (keep) => {
    const spin = keep.spin.bind(keep);
    keep.spins = 0;
    keep.spin = () => {
      keep.spins += 1;
      spin();
    };
    return keep;
  };
  // Node has no scheduler.postTask: without the channel fallback the thread never spins.
  const none = counted(new KeepAwake({ windowMs: 5 }));
  none.extend();
  assert.equal(none.spinning, false);
  const off = counted(new KeepAwake({ windowMs: 0, channelFallback: true }));
  off.extend();
  assert.equal(off.spinning, false);

  const keep = counted(new KeepAwake({ windowMs: 20, channelFallback: true }));
  const started = performance.now();
  keep.extend();
  assert.equal(keep.spinning, true);
  assert.equal(keep.spins, 0, 'spins in later tasks, not at once');
  await until(() => !keep.spinning);
  assert.ok(performance.now() - started >= 20, 'awake for the window');
  assert.ok(keep.spins > 1, `spun ${keep.spins} times`);
  // Asleep: nothing more runs until the next message.
  const spins = keep.spins;
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(keep.spins, spins);
  keep.extend();
  keep.extend();
  await until(() => !keep.spinning);
  assert.ok(keep.spins > spins + 1, 'the next message wakes it again');
});
