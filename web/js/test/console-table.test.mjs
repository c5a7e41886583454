//! `console.table` in the script runner, compared byte for byte with Node's own: the runner's
//! `formatTable` (inspect.js) on a corpus of arguments, the width of characters it measures, and
//! the script worker itself (worker.js, run in a Node worker thread) printing the same corpus.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const runnerDir = `${root}web/js/runner`;
const { formatTable, inspect } = await import(`${runnerDir}/inspect.js`);
const { decodeBatch } = await import(`${runnerDir}/worker-transport.js`);

/**
 * The arguments of each `console.table` call, as source: the worker evaluates the same text in
 * the learner's code (with its own `Buffer`, `Date`…), the test in Node.
 */
const CASES = [
  // Rows as a database gives them: every row has the same columns.
  `[{ id: 1, name: 'Ada', email: 'ada@example.com', visits: 12 }, { id: 2, name: 'Bob', email: 'bob@example.com', visits: 3 }]`,
  // Primitive rows: the Values column; mixed with an object row.
  `[1, 'two', true, null, undefined, 10n, -0, NaN, Symbol('s')]`,
  `[1, 'two', { a: 1 }, [5]]`,
  // An object of objects: its keys index the rows.
  `{ alice: { age: 36, city: 'London' }, bob: { age: 41, country: 'NZ' } }`,
  // Arrays of arrays: the positions are the columns.
  `[[1, 2], [3, 4, 5], []]`,
  // Missing columns stay empty; columns are all rows' keys, integer-like names first.
  `[{ a: 1, b: 'x' }, { a: 2, c: true }, { z: 0, 10: 'ten', 2: 'two', a: 3 }]`,
  // properties: chosen columns, in their order, even missing ones; rows that are not objects.
  `[{ a: 1, b: 2, c: 3 }, { b: 4 }, 7], ['c', 'a', 'missing']`,
  `[{ a: 1 }], []`,
  `['x', 'y'], ['length']`,
  // Maps and Sets: (iteration index), Key, Values.
  `new Map([['user:1', { name: 'Ada', age: 36 }], [{ k: 1 }, [1, 2, 3, 4]], [3, 'three']])`,
  `new Set([1, 'two', { three: 3 }, [4]])`,
  `new Map()`,
  `new Set()`,
  // Cells: one level deep, at most three entries of a list, an object of three keys by its name.
  `[{ nested: { a: { b: { c: 1 } } }, list: [1, 2, 3, 4, 5], wide: { p: 1, q: 2, r: 3 }, pair: { x: 1, y: 2 } }]`,
  `[{ m: new Map([[1, { a: 1 }], [2, 2], [3, 3], [4, 4]]), s: new Set([1, 2, 3, 4]), e: [[1, [2]]], none: [], obj: {} }]`,
  `[{ typed: new Uint8Array([1, 2, 3, 4, 5]), bytes: new ArrayBuffer(5), extra: Object.assign([1, 2, 3], { x: 1, y: 2, z: 3, w: 4 }) }]`,
  `[{ sparse: [1, , , , 5], holes: [, , , , 1], tail: [1, , ] }]`,
  `[{ fn: function named() {}, arrow: () => 1, cls: class K {}, re: /re+/gi, date: new Date(0), boxed: new String('b') }]`,
  `[{ buf: Buffer.from('hello'), big: Buffer.from('a longer buffer than three bytes') }]`,
  `[{ proto: Object.create(null), classy: new (class Point { constructor() { this.x = 1; this.y = 2; this.z = 3; } })() }]`,
  // Strings: quoted as inspect quotes them, escapes, long strings stay on one line.
  `[{ s: "it's", d: 'say "hi"', both: \`'"\`, nl: 'line one\\nline two', tab: 'a\\tb', long: 'x'.repeat(100) + '\\n' + 'y'.repeat(20) }]`,
  // Wide characters take two cells: CJK, Hangul, fullwidth forms, emoji; marks none.
  `[{ name: '日本語', greeting: '안녕하세요', full: 'ＡＢＣ' }, { name: 'café', greeting: 'e\\u0301', full: '🎉 party' }]`,
  `{ '日本': { 値: 1 }, 'plain': { 値: 22 } }`,
  `[{ family: '👨‍👩‍👧', thumbs: '👍🏽', flag: '🇫🇷', heart: '❤️' }]`,
  // Keys that are not identifiers, and __proto__ as a plain key.
  `[{ 'with space': 1, 'dash-key': 2, __proto__: { inherited: 1 } }, JSON.parse('{"__proto__": 5}')]`,
  // Escape sequences in a header take no room.
  `{ '\\u001b[31mred\\u001b[0m': { v: 1 } }`,
  // An array with extra properties and holes: its own keys are the rows.
  `Object.assign([1, , 3], { extra: 'yes' })`,
  // Typed arrays and a Buffer as the data: one row per byte.
  `new Uint8Array([7, 8])`,
  // Empty data.
  `[]`,
  `{}`,
  // Not objects: printed as console.log prints them.
  `'a string'`,
  `'100%s done'`,
  `42`,
  `undefined`,
  `null`,
  `true`,
  `() => 1`,
  `Symbol('alone')`,
  `10n`,
  // properties that is not an array: Node's TypeError.
  `[1], 'a'`,
  `[1], 5`,
  `[1], { a: 1 }`,
  `[1], "it's a long string that gets cut here"`,
  `'not an object', 'bad'`,
];

const evaluate = (source) => new Function(`return [${source}];`)();

/** What Node's console.table prints (without the final newline), or the error it throws. */
function nodeTable(args) {
  let out = '';
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      out += chunk;
      done();
    },
  });
  try {
    new Console({ stdout, colorMode: false }).table(...args);
  } catch (err) {
    return { error: { name: err.name, code: err.code, message: err.message } };
  }
  return { text: out.replace(/\n$/, '') };
}

function runnerTable(args) {
  try {
    return { text: formatTable(args[0], args[1]) };
  } catch (err) {
    return { error: { name: err.name, code: err.code, message: err.message } };
  }
}

test("formatTable draws console.table's box exactly as Node's console.table does", () => {
  for (const source of CASES) {
    const expected = nodeTable(evaluate(source));
    const actual = runnerTable(evaluate(source));
    assert.deepEqual(actual, expected, `console.table(${source})\n${expected.text ?? expected.error.message}`);
  }
});

test('table cells are measured in terminal cells as Node measures them, over the whole of Unicode', () => {
  // One table whose index column holds one code point a row (every 11th, and whole ranges where
  // widths change): a width measured differently pads a row differently.
  const points = [];
  for (let cp = 0x7f; cp <= 0x10ffff; cp += 11) points.push(cp);
  for (const [from, to] of [
    [0x300, 0x36f], [0x1100, 0x1160], [0x2e80, 0x3250], [0xfe00, 0xff70], [0x1f1e6, 0x1f1ff],
    [0x1f300, 0x1f6ff], [0x1f900, 0x1f9ff], [0x200b, 0x200f], [0xad, 0xad],
  ]) {
    for (let cp = from; cp <= to; cp++) points.push(cp);
  }
  const rows = {};
  for (const cp of points) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    rows[`k${String.fromCodePoint(cp)}`] = { w: 1 };
  }
  const expected = nodeTable([rows]).text;
  const actual = formatTable(rows);
  if (actual !== expected) {
    const a = actual.split('\n');
    const e = expected.split('\n');
    const at = e.findIndex((line, i) => line !== a[i]);
    assert.fail(`first different line ${at}: ${JSON.stringify(a[at])} vs Node ${JSON.stringify(e[at])}`);
  }
});

test("inspect's maxArrayLength and breakLength options follow util.inspect's", () => {
  const values = [
    [1, 2, 3, 4, 5], [1, , , , 5], [, , , , 1], Array.from({ length: 30 }, (_, i) => `item ${i}`),
    new Set([1, 2, 3, 4]), new Map([[1, 2], [3, 4], [5, 6], [7, 8]]), new Uint8Array(10), new ArrayBuffer(10),
    { long: 'a'.repeat(200), nested: { deeper: ['x'.repeat(50), 'y'.repeat(50)] } }, 'a\n'.repeat(60),
    Object.assign([1, 2, 3], { x: 1, y: 2, z: 3, w: 4 }),
  ];
  for (const value of values) {
    for (const options of [{ maxArrayLength: 3 }, { maxArrayLength: 0 }, { breakLength: Infinity }, { maxArrayLength: 3, breakLength: Infinity, depth: 0 }]) {
      assert.equal(inspect(value, options), util.inspect(value, options), `${util.inspect(value)} ${util.inspect(options)}`);
    }
  }
});

/**
 * Runs `code` in the script worker (worker.js in a Node worker thread, with the few globals of
 * a Web Worker it uses) and gives what it printed, `[stream, text]` each, and its `done` error.
 */
async function runInWorker(code) {
  const shim = `
    const { parentPort } = require('node:worker_threads');
    globalThis.self = globalThis;
    self.postMessage = (message) => parentPort.postMessage(message);
    self.addEventListener = () => {};
    parentPort.on('message', (data) => self.onmessage({ data }));
    import(${JSON.stringify(pathToFileURL(`${runnerDir}/worker.js`).href)}).catch((err) => {
      parentPort.postMessage({ t: 'load-failed', message: String(err && err.stack) });
    });
  `;
  const worker = new Worker(shim, { eval: true });
  const printed = [];
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker did not finish')), 10_000);
      worker.on('error', reject);
      worker.on('message', (message) => {
        if (Array.isArray(message)) {
          for (const op of decodeBatch(message).ops) if (op[0] === 'log') printed.push([op[1], op[2]]);
        } else if (message.t === 'ready') {
          worker.postMessage({ t: 'run', code });
        } else if (message.t === 'done') {
          clearTimeout(timer);
          resolve({ printed, error: message.error });
        } else if (message.t === 'load-failed') {
          clearTimeout(timer);
          reject(new Error(message.message));
        }
      });
    });
  } finally {
    await worker.terminate();
  }
}

test("the script worker's console.table prints what Node's prints, in a group too", async () => {
  const ok = CASES.filter((source) => nodeTable(evaluate(source)).text !== undefined);
  const code = [
    ...ok.map((source) => `console.table(${source});`),
    "console.group('in a group');",
    `console.table(${CASES[0]});`,
    'console.groupEnd();',
  ].join('\n');
  const { printed, error } = await runInWorker(code);
  assert.equal(error, null);

  // Node's console writes each line it prints in one write.
  const expected = [];
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      expected.push(String(chunk).replace(/\n$/, ''));
      done();
    },
  });
  new Function('console', code)(new Console({ stdout, colorMode: false }));
  assert.equal(printed.length, expected.length);
  printed.forEach(([stream, text], i) => {
    assert.equal(stream, 'log');
    assert.equal(text, expected[i], `line ${i + 1} of the script`);
  });
});

test("the script worker's console.table fails as Node's does when properties is not an array", async () => {
  const { printed, error } = await runInWorker("console.log('before');\nconsole.table([{ a: 1 }], 'a');");
  assert.deepEqual(printed, [['log', 'before']]);
  assert.deepEqual(
    { name: error.name, message: error.message, line: error.line },
    { name: 'TypeError', message: nodeTable([[{ a: 1 }], 'a']).error.message, line: 2 },
  );
});
