// The script runner in the built page: learner code in a Web Worker against the page's engine,
// through window.redisPlayground.runScript (no editor UI involved).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';
import { PlaygroundPage, RunnerApi } from './playground-page.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

async function openRunner() {
  const page = await harness.open();
  return { runner: await new RunnerApi(page).ready(), page };
}

const { texts } = RunnerApi;

test('imports: ESM ioredis, CommonJS require, node-redis createClient — all reach the page engine', async () => {
  const { runner } = await openRunner();
  const esm = await runner.run(`
import Redis from 'ioredis';
import { Redis as Named, ReplyError } from 'ioredis';
const redis = new Redis();
await redis.set('style:esm', 'ok');
console.log(await redis.get('style:esm'), Named === Redis, typeof ReplyError);
`);
  assert.equal(esm.status, 'ok', JSON.stringify(esm.error));
  assert.deepEqual(texts(esm), ['ok true function']);

  const cjs = await runner.run(`
const Redis = require('ioredis');
const { Redis: Same } = require('ioredis');
const redis = new Redis(6379, 'localhost');
await redis.set('style:cjs', 'ok');
console.log(await redis.get('style:cjs'), Same === Redis);
`);
  assert.equal(cjs.status, 'ok', JSON.stringify(cjs.error));
  assert.deepEqual(texts(cjs), ['ok true']);

  const nodeRedis = await runner.run(`
import { createClient } from 'redis';
const client = createClient();
client.on('error', (err) => console.error('client error', err));
await client.connect();
await client.set('style:node-redis', 'ok', { EX: 60 });
await client.hSet('user:1', { name: 'Ada', visits: 1 });
console.log(await client.get('style:node-redis'), await client.ttl('style:node-redis'), await client.hGetAll('user:1'));
await client.quit();
`);
  assert.equal(nodeRedis.status, 'ok', JSON.stringify(nodeRedis.error));
  assert.deepEqual(texts(nodeRedis), ["ok 60 [Object: null prototype] { name: 'Ada', visits: '1' }"]);

  assert.equal(await runner.engine('GET', 'style:esm'), 'ok');
  assert.equal(await runner.engine('GET', 'style:cjs'), 'ok');
  const missing = await runner.run(`import x from 'lodash';`);
  assert.equal(missing.status, 'error');
  assert.equal(missing.error.line, 1);
  assert.match(missing.error.message, /^Cannot find module 'lodash'/);
  assert.deepEqual(harness.problems, []);
});

test('sleep(ms) moves the virtual clock, not the wall clock: keys expire, TIME jumps', async () => {
  const { runner } = await openRunner();
  const result = await runner.run(`
const Redis = require('ioredis');
const redis = new Redis();
const [before] = await redis.time();
const dateBefore = Date.now();
await redis.set('short', 'lived', 'PX', 1500);
await sleep(60_000);
const [after] = await redis.time();
console.log(Number(after) - Number(before) >= 60, await redis.get('short'), Date.now() - dateBefore >= 60_000);
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(texts(result), ['true null true']);
  assert.ok(result.wallMs < 5000, `wall time ${result.wallMs}`);
  assert.ok(result.virtualEnd - result.virtualStart >= 60_000);
  const sleeps = result.events.filter((e) => e.kind === 'sleep');
  assert.equal(sleeps.length, 1);
  assert.equal(sleeps[0].end - sleeps[0].start, 60_000);
  assert.deepEqual(harness.problems, []);
});

test('db calls cost 50 ms of virtual time each, are counted and reported as events', async () => {
  const { runner } = await openRunner();
  const result = await runner.run(`
const a = await db.findUser(1);
const b = await db.updateUser(1, { plan: 'pro' });
const [c, d] = await Promise.all([db.findUser(2), db.findUser(999)]);
const top = await db.query('topVisitors', ({ users }) => users.filter((u) => u.visits > 900).length);
const started = Date.now();
console.log(a.name, b.plan, (await db.findUser(1)).plan, c.id, d, typeof top, db.calls, db.latencyMs);
console.log('a call takes', Date.now() - started >= 50 ? 'at least 50 ms' : 'less');
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(texts(result), ['Ada Lovelace pro pro 2 null number 6 50', 'a call takes at least 50 ms']);
  assert.equal(result.dbCalls, 6);
  const calls = result.events.filter((e) => e.kind === 'db');
  assert.deepEqual(
    calls.map((e) => e.name),
    ['findUser', 'updateUser', 'findUser', 'findUser', 'topVisitors', 'findUser'],
  );
  for (const e of calls) assert.equal(e.end - e.start, 50);
  // Sequential calls follow each other (the clock also follows the wall clock between them);
  // the two in Promise.all overlap.
  assert.ok(calls[1].start >= calls[0].end);
  assert.equal(calls[2].start, calls[3].start);
  assert.ok(calls[4].start >= calls[3].end);
  assert.ok(result.virtualEnd - result.virtualStart >= 250);

  const slow = await runner.run(`await db.findUser(3); await db.findUser(4);`, { dbLatencyMs: 200 });
  assert.deepEqual(
    slow.events.map((e) => e.end - e.start),
    [200, 200],
  );
  assert.equal(slow.dbCalls, 2);
  assert.deepEqual(harness.problems, []);
});

test('console.log and console.error are captured, objects pretty-printed as Node prints them', async () => {
  const { runner } = await openRunner();
  const result = await runner.run(`
const user = { id: 1, name: 'Ada', tags: ['a', 'b'], deep: { a: { b: { c: { d: 1 } } } } };
const cycle = { name: 'loop' };
cycle.self = cycle;
console.log('user', user);
console.log(cycle);
console.log(new Map([['k', 1]]), new Set([1, 2]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
console.log('%s has %d visits (%o)', 'Ada', 42, { x: 1 });
console.error('oops', new Error('bad thing'));
console.warn(Buffer.from('hi'), null, undefined, 10n);
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(result.output, [
    {
      stream: 'log',
      text: "user {\n  id: 1,\n  name: 'Ada',\n  tags: [ 'a', 'b' ],\n  deep: { a: { b: [Object] } }\n}",
    },
    { stream: 'log', text: "<ref *1> { name: 'loop', self: [Circular *1] }" },
    {
      stream: 'log',
      text: "Map(1) { 'k' => 1 } Set(2) { 1, 2 } [\n  1, 2, 3, 4,  5,\n  6, 7, 8, 9, 10\n]",
    },
    { stream: 'log', text: 'Ada has 42 visits ({ x: 1 })' },
    { stream: 'error', text: 'oops Error: bad thing\n    at script.js:9:23' },
    { stream: 'warn', text: '<Buffer 68 69> null undefined 10n' },
  ]);
  assert.deepEqual(harness.problems, []);
});

test('errors show the message and the line in the learner code', async () => {
  const { runner } = await openRunner();
  const thrown = await runner.run(`const a = 1;\n\nif (a) {\n  throw new TypeError('no way');\n}\n`);
  assert.equal(thrown.status, 'error');
  assert.deepEqual(
    { name: thrown.error.name, message: thrown.error.message, line: thrown.error.line },
    { name: 'TypeError', message: 'no way', line: 4 },
  );
  assert.deepEqual(texts(thrown, 'error'), ['Uncaught TypeError: no way (line 4)']);

  const reply = await runner.run(`import Redis from 'ioredis';
const redis = new Redis();
await redis.set('str', 'v');

const value = await redis.hgetall('str');
`);
  assert.equal(reply.error.name, 'ReplyError');
  assert.equal(reply.error.message, 'WRONGTYPE Operation against a key holding the wrong kind of value');
  assert.equal(reply.error.line, 5);

  const syntax = await runner.run(`const ok = 1;\nconst broken = ;\n`);
  assert.equal(syntax.error.name, 'SyntaxError');
  assert.equal(syntax.error.line, 2);

  const later = await runner.run(`setTimeout(() => {\n  null.boom;\n}, 10);\n`);
  assert.equal(later.error.name, 'TypeError');
  assert.equal(later.error.line, 2);

  // A failed command nothing awaits has no line (as in Node, its error's stack shows only the
  // client) unless the client has ioredis's showFriendlyErrorStack; the output says so.
  const unhandled = await runner.run(`const Redis = require('ioredis');
const r = new Redis();
r.call('nosuchcommand');
`);
  assert.equal(unhandled.error.name, 'ReplyError');
  assert.equal(unhandled.error.line, null);
  assert.match(unhandled.error.message, /^ERR unknown command 'nosuchcommand'/);
  assert.match(texts(unhandled, 'error')[0], /^Uncaught ReplyError: ERR unknown command 'nosuchcommand'.* \(nothing awaited the failed command itself, so its line is unknown: await it, or create the client with `showFriendlyErrorStack: true`/);
  const friendly = await runner.run(`const Redis = require('ioredis');
const r = new Redis({ showFriendlyErrorStack: true });
r.call('nosuchcommand');
`);
  assert.equal(friendly.error.line, 3);
  assert.deepEqual(texts(friendly, 'error'), [`Uncaught ReplyError: ${friendly.error.message} (line 3)`]);
  // Awaited inside a helper, or through Promise.all: the line where the learner awaits it.
  const nested = await runner.run(`import Redis from 'ioredis';
const redis = new Redis();
await redis.set('str', 'v');
async function load(key) {
  return await redis.lpop(key);
}
await Promise.all([load('str')]);
`);
  assert.equal(nested.error.message, 'WRONGTYPE Operation against a key holding the wrong kind of value');
  assert.equal(nested.error.line, 5);

  // A caught reply error prints where its command was awaited, and the learner may declare the
  // helpers' names itself.
  const caught = await runner.run(`import Redis from 'ioredis';
const redis = new Redis();
await redis.set('s', 'v');
try {
  await redis.hgetall('s');
} catch (err) {
  console.log(err);
}
const sleep = (ms) => 'mine';
console.log(sleep(), typeof db);
`);
  assert.equal(caught.status, 'ok', JSON.stringify(caught.error));
  assert.deepEqual(texts(caught), [
    "ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value\n    at async script.js:5:3 {\n  command: { name: 'hgetall', args: [ 's' ] }\n}",
    'mine object',
  ]);
  assert.deepEqual(harness.problems, []);
});

test('a runaway script is stopped after the limit; the engine keeps its data; the next run works', async () => {
  const { runner } = await openRunner();
  const busy = await runner.run(`const Redis = require('ioredis');
const redis = new Redis();
await redis.set('before-loop', 'kept');
while (true) {}
`, { timeoutMs: 1000 });
  assert.equal(busy.status, 'timeout');
  assert.match(busy.error.message, /still running after 1 s/);
  assert.equal(texts(busy, 'error').length, 1);

  const awaiting = await runner.run(`const Redis = require('ioredis');
const redis = new Redis();
while (true) await redis.incr('spins');
`, { timeoutMs: 1000 });
  assert.equal(awaiting.status, 'timeout');
  const spins = Number(await runner.engine('GET', 'spins'));
  assert.ok(spins > 100, `spins: ${spins}`);

  assert.equal(await runner.engine('GET', 'before-loop'), 'kept');
  // The stopped runs' connections are closed: only the test's own is left.
  const clients = (await runner.engine('CLIENT', 'LIST')).trim().split('\n');
  assert.ok(clients.every((line) => !line.includes('cmd=incr')), clients.join('\n'));

  const next = await runner.run(`const Redis = require('ioredis');
const redis = new Redis();
console.log(await redis.get('before-loop'), Number(await redis.get('spins')) === ${spins});
`);
  assert.equal(next.status, 'ok', JSON.stringify(next.error));
  assert.deepEqual(texts(next), ['kept true']);

  const stopped = await runner.runAndStop(`for (;;) { await new Promise((r) => setTimeout(r, 1)); }`, 300);
  assert.equal(stopped.status, 'stopped');
  assert.deepEqual(texts(stopped, 'error'), ['Stopped.']);
  assert.deepEqual(harness.problems, []);
});

test('a top-level await that nothing can settle ends the run as Node stops on it; a subscriber waiting for the console pauses the time limit', async () => {
  const { runner, page } = await openRunner();
  // A callback-style call wrapped in a promise that is never resolved: nothing is left pending.
  const stuck = await runner.run(`import Redis from 'ioredis';
const redis = new Redis();
await redis.set('stuck', 1);
await new Promise((resolve) => {
  redis.get('stuck', (err, value) => console.log('got', value));
});
console.log('never');
`);
  // Ended by the check, not by the time limit (that would be status 'timeout').
  assert.equal(stuck.status, 'error', JSON.stringify(stuck.error));
  assert.match(stuck.error.message, /^Detected unsettled top-level await: .* as Node does \(exit code 13\)\.$/);
  assert.deepEqual(texts(stuck, 'log'), ['got 1']);
  assert.deepEqual(texts(stuck, 'error'), [stuck.error.message]);

  // A subscriber awaiting a message: the run waits, idle, until the console publishes, and the
  // time limit (1 s here) does not count while it waits…
  const publishLater = ([source, ms]) => {
    const run = window.redisPlayground.runScript(source, { timeoutMs: 1000 });
    const { engine } = window.redisPlayground;
    const id = engine.connect();
    const sleep = (t) => new Promise((r) => setTimeout(r, t));
    return (async () => {
      while (engine.exec(id, ['PUBSUB', 'NUMSUB', 'orders'])[1] === 0) await sleep(20);
      await sleep(ms);
      const receivers = engine.exec(id, ['PUBLISH', 'orders', 'first']);
      engine.disconnect(id);
      return { receivers, result: await run.done };
    })();
  };
  const listener = `import Redis from 'ioredis';
const sub = new Redis();
await sub.subscribe('orders');
const message = await new Promise((resolve) => sub.on('message', (channel, text) => resolve(text)));
console.log('received', message);
`;
  const waited = await page.evaluate(publishLater, [`${listener}await sub.quit();\n`, 2500]);
  assert.equal(waited.receivers, 1);
  assert.equal(waited.result.status, 'ok', JSON.stringify(waited.result.error));
  assert.deepEqual(texts(waited.result), ['received first']);

  // …but once the message wakes it, an endless loop is stopped by the limit again.
  const looped = await page.evaluate(publishLater, [
    `${listener}await new Promise((resolve) => setTimeout(resolve, 10));\nwhile (true) {}\n`,
    1500,
  ]);
  assert.equal(looped.receivers, 1);
  assert.equal(looped.result.status, 'timeout');
  assert.deepEqual(texts(looped.result, 'log'), ['received first']);
  assert.deepEqual(harness.problems, []);
});

test('keepListening: a subscriber left open keeps the run listening, as a Node process, until it quits; not without it, nor with checks', async () => {
  const { runner, page } = await openRunner();
  // ioredis's own example: subscribe, a handler, no await; this one quits after two messages.
  const listener = `import Redis from 'ioredis';
const sub = new Redis();
let heard = 0;
sub.subscribe('news', (err, count) => console.log('subscribed', count));
sub.on('message', (channel, text) => {
  console.log('got', channel, text);
  if (++heard === 2) sub.quit();
});
`;
  // Without the option the run ends with the code, as before.
  const plain = await runner.run(listener);
  assert.equal(plain.status, 'ok', JSON.stringify(plain.error));
  assert.deepEqual(texts(plain), ['subscribed 1']);

  // With it, the run goes on hearing what the console publishes; the time limit (1 s) does not
  // count while it waits; the run ends when the code quits its subscriber.
  const listened = await page.evaluate(
    ([source]) => {
      const waiting = [];
      const run = window.redisPlayground.runScript(source, {
        timeoutMs: 1000,
        keepListening: true,
        onWaiting: (idle) => waiting.push(idle),
      });
      const { engine } = window.redisPlayground;
      const id = engine.connect();
      const sleep = (t) => new Promise((r) => setTimeout(r, t));
      return (async () => {
        // (At most 5 s: a run that ended at once has no subscriber left to wait for.)
        for (let t = 0; t < 250 && engine.exec(id, ['PUBSUB', 'NUMSUB', 'news'])[1] === 0; t++) await sleep(20);
        await sleep(1500);
        const first = engine.exec(id, ['PUBLISH', 'news', 'one']);
        await sleep(1500);
        const second = engine.exec(id, ['PUBLISH', 'news', 'two']);
        const result = await run.done;
        const after = engine.exec(id, ['PUBSUB', 'NUMSUB', 'news'])[1];
        engine.disconnect(id);
        return { first, second, after, waiting, result };
      })();
    },
    [listener],
  );
  assert.equal(listened.result.status, 'ok', JSON.stringify(listened.result.error));
  assert.deepEqual(texts(listened.result), ['subscribed 1', 'got news one', 'got news two']);
  assert.deepEqual([listened.first, listened.second, listened.after], [1, 1, 0]);
  assert.deepEqual(listened.waiting.slice(0, 3), [true, false, true]);

  // Unsubscribed when the code is over: nothing to listen for, the run ends.
  const done = await runner.run(`${listener}await sub.unsubscribe();
`, { keepListening: true });
  assert.equal(done.status, 'ok', JSON.stringify(done.error));

  // A lesson's checks run once the code is over, and the run ends after them.
  const graded = await runner.run(listener, {
    keepListening: true,
    checks: "check('runs', 'none', async (t) => { t.assert(true, 'never'); });",
  });
  assert.equal(graded.status, 'ok', JSON.stringify(graded.error));
  assert.deepEqual(
    graded.checks.map((c) => [c.name, c.passed]),
    [['runs', true]],
  );
  assert.deepEqual(harness.problems, []);
});

/**
 * Runs a script with `options` in the page, recording `onWaiting` (with the wall time since the
 * start) and what `onOutput` had before the run ended; `feed` (`[ms, argv]`): a command the page
 * runs on a connection of its own `ms` after the start, as the console would; `stopAfter`: ms
 * after which the run is stopped, `stopOn`: a line whose arrival at `onOutput` stops it.
 */
function runInPage(page, source, { feed = null, stopAfter = null, stopOn = null, ...options } = {}) {
  return page.evaluate(
    ([source, options, feed, stopAfter, stopOn]) => {
      const start = performance.now();
      const waiting = [];
      const shown = [];
      let run = null;
      run = window.redisPlayground.runScript(source, {
        ...options,
        onWaiting: (idle, info) => waiting.push({ idle, info: info ?? null, at: performance.now() - start }),
        onOutput: ({ text }) => {
          shown.push(text);
          if (stopOn !== null && text === stopOn) setTimeout(() => run.stop(), 0);
        },
      });
      if (feed !== null) {
        setTimeout(() => {
          const { engine } = window.redisPlayground;
          const id = engine.connect();
          engine.exec(id, feed[1]);
          engine.disconnect(id);
        }, feed[0]);
      }
      if (stopAfter !== null) setTimeout(() => run.stop(), stopAfter);
      return run.done.then((result) => ({ result, waiting, shown, wallMs: performance.now() - start }));
    },
    [source, options, feed, stopAfter, stopOn],
  );
}

test('a script blocked in BLPOP or XREAD BLOCK, or waiting for a timer, is idle: the time limit pauses and onWaiting says what it waits for', async () => {
  const { runner, page } = await openRunner();
  // Served by the console after 1.5 s, past the limit of 1 s: the limit did not count.
  const served = await runInPage(page, `import Redis from 'ioredis';
const r = new Redis();
console.log('got', await r.blpop('jobs', 0));
`, { timeoutMs: 1000, feed: [1500, ['RPUSH', 'jobs', 'job1']] });
  assert.equal(served.result.status, 'ok', JSON.stringify(served.result.error));
  assert.deepEqual(texts(served.result), ["got [ 'jobs', 'job1' ]"]);
  assert.deepEqual(served.waiting.map((w) => w.idle), [true, false]);
  assert.deepEqual(served.waiting[0].info, {
    reason: 'blocked',
    command: ['BLPOP', 'jobs', '0'],
    text: 'Waiting: the script is blocked in BLPOP jobs 0 until an element arrives (try RPUSH jobs hello in the console). Stop ends it.',
  });

  // A finite timeout answers null after its time, as in Redis, and the run goes on.
  const timedOut = await runInPage(page, `import Redis from 'ioredis';
const r = new Redis();
console.log('got', await r.blpop('nothing', 1.5));
console.log('after');
`, { timeoutMs: 1000 });
  assert.equal(timedOut.result.status, 'ok', JSON.stringify(timedOut.result.error));
  assert.deepEqual(texts(timedOut.result), ['got null', 'after']);
  assert.ok(timedOut.wallMs >= 1500, `ran ${timedOut.wallMs} ms`);

  // XREAD BLOCK, with node-redis too, and the command's words in the status.
  const stream = await runInPage(page, `import { createClient } from 'redis';
const client = createClient();
await client.connect();
const [{ messages }] = await client.xRead({ key: 'events', id: '$' }, { BLOCK: 0 });
console.log(messages.map((m) => m.message));
await client.quit();
`, { timeoutMs: 1000, feed: [1500, ['XADD', 'events', '*', 'kind', 'signup']] });
  assert.equal(stream.result.status, 'ok', JSON.stringify(stream.result.error));
  assert.deepEqual(texts(stream.result), ["[ [Object: null prototype] { kind: 'signup' } ]"]);
  assert.match(stream.waiting[0].info.text, /^Waiting: the script is blocked in XREAD BLOCK 0 STREAMS events \$ until an entry arrives \(try XADD events \* field value in the console\)\. Stop ends it\.$/);

  // A timer of 1.5 s: Node would wait for it, and so does the run (the worker is idle meanwhile).
  const timer = await runInPage(page, `await new Promise((resolve) => setTimeout(resolve, 1500));
console.log('woke');
`, { timeoutMs: 1000 });
  assert.equal(timer.result.status, 'ok', JSON.stringify(timer.result.error));
  assert.deepEqual(texts(timer.result), ['woke']);
  assert.equal(timer.waiting[0].info.reason, 'timer');
  assert.match(timer.waiting[0].info.text, /^Waiting: the script waits for a timer/);

  // Busy again, the limit counts again: an endless loop after the timer, or after a served
  // BLPOP, is stopped; and so are loops that never leave the worker idle for long.
  const loops = [
    ['await new Promise((resolve) => setTimeout(resolve, 1200));\nwhile (true) {}\n', {}],
    [`import Redis from 'ioredis';
const r = new Redis();
await r.blpop('jobs', 0);
while (true) {}
`, { feed: [1200, ['RPUSH', 'jobs', 'job2']] }],
    [`import Redis from 'ioredis';
const r = new Redis();
for (;;) await r.blpop('never', 0.01);
`, {}],
    ['for (;;) await new Promise((resolve) => setTimeout(resolve, 5));\n', {}],
  ];
  for (const [source, options] of loops) {
    const looped = await runInPage(page, source, { timeoutMs: 1000, ...options });
    assert.equal(looped.result.status, 'timeout', source);
    assert.match(looped.result.error.message, /still running after 1 s/);
  }
  // A BLPOP left waiting when the code is over keeps the run going, as its socket keeps Node.
  const later = await runInPage(page, `import Redis from 'ioredis';
const r = new Redis();
r.blpop('later', 0).then((job) => {
  console.log('got', job);
  r.quit();
});
`, { timeoutMs: 1000, feed: [1500, ['RPUSH', 'later', 'x']] });
  assert.equal(later.result.status, 'ok', JSON.stringify(later.result.error));
  assert.deepEqual(texts(later.result), ["got [ 'later', 'x' ]"]);
  assert.equal(await runner.engine('EXISTS', 'jobs'), 0);
  assert.deepEqual(harness.problems, []);
});

test('what a script printed before an endless loop is shown: at once, and when the loop is stopped', async () => {
  const { page } = await openRunner();
  // Stopped by the time limit, with or without a command before the line.
  for (const prelude of ['', "import Redis from 'ioredis';\nconst redis = new Redis();\nawait redis.set('k', 1);\n"]) {
    const looped = await runInPage(page, `${prelude}console.log('start');\nwhile (true) {}\n`, { timeoutMs: 1000 });
    assert.equal(looped.result.status, 'timeout');
    assert.deepEqual(texts(looped.result, 'log'), ['start']);
  }
  // Stopped once the line arrived: it reached the page while the loop ran.
  const stopped = await runInPage(page, "console.log('start');\nwhile (true) {}\n", { stopOn: 'start' });
  assert.equal(stopped.result.status, 'stopped');
  assert.deepEqual(stopped.shown, ['start', 'Stopped.']);
  // Many lines, the last ones just before the loop, and a command sent in the same tick.
  const many = await runInPage(page, `import Redis from 'ioredis';
const redis = new Redis();
await redis.ping();
for (let i = 1; i <= 300; i++) console.log('line', i);
redis.set('sent-before-the-loop', 'yes');
console.error('last');
while (true) {}
`, { stopAfter: 1500 });
  assert.equal(many.result.status, 'stopped');
  assert.equal(many.shown.length, 302);
  assert.deepEqual(many.shown.slice(-3), ['line 300', 'last', 'Stopped.']);
  assert.deepEqual(texts(many.result), many.shown);
  assert.equal(await new RunnerApi(page).engine('GET', 'sent-before-the-loop'), 'yes');
  assert.deepEqual(harness.problems, []);
});

test('pipelines and transactions through the worker: results, errors inside, callbacks before exec resumes', async () => {
  const { runner } = await openRunner();
  const result = await runner.run(`
import Redis from 'ioredis';
const redis = new Redis();
const seen = [];
const results = await redis
  .pipeline()
  .set('pl:a', 1)
  .incr('pl:a', (err, n) => seen.push('incr ' + n))
  .call('nosuch', (err) => seen.push('nosuch ' + err.name))
  .hgetall('pl:a', (err) => seen.push('hgetall ' + err.message.split(' ')[0]))
  .get('pl:a', (err, value) => seen.push('get ' + value))
  .exec();
seen.push('exec');
console.log(JSON.stringify(results.map(([err, value]) => (err ? err.message : value))));
console.log(seen.join(' | '));
console.log(JSON.stringify(await redis.multi().incr('pl:a').get('pl:a').exec()));
const aborted = await redis.multi().set('pl:b').get('pl:a').exec().catch((err) => err);
console.log(aborted.message, aborted.previousErrors.length);
const strings = new Redis({ stringNumbers: true });
console.log(JSON.stringify([await strings.incr('pl:a'), await strings.multi().incr('pl:a').exists('pl:a').exec()]));
await redis.set('pl:big', '9223372036854775806');
console.log(JSON.stringify([await strings.incr('pl:big'), await strings.multi().decr('pl:big').exec(), await redis.incr('pl:big')]));
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(texts(result), [
    '["OK",2,"ERR unknown command \'nosuch\', with args beginning with: ","WRONGTYPE Operation against a key holding the wrong kind of value","2"]',
    'incr 2 | nosuch ReplyError | hgetall WRONGTYPE | get 2 | exec',
    '[[null,3],[null,"3"]]',
    'EXECABORT Transaction discarded because of previous errors. 1',
    '["4",[[null,"5"],[null,"1"]]]',
    // Past 2^53: exact with stringNumbers; without, as a JS RESP parser reads the digits.
    '["9223372036854775807",[[null,"9223372036854775806"]],9223372036854778000]',
  ]);
});

test('pub/sub between clients of one script: the publisher goes on first, then the last subscriber hears first, as with ioredis and Redis', async () => {
  const { runner } = await openRunner();
  const result = await runner.run(`import Redis from 'ioredis';
const sub = new Redis();
const second = new Redis();
const pub = new Redis();
sub.on('message', (channel, message) => {
  console.log('message', channel, message);
  Promise.resolve().then(() => console.log('then'));
});
second.on('message', (channel, message) => console.log('second', channel, message));
sub.on('pmessage', (pattern, channel, message) => console.log('pmessage', pattern, channel, message));
console.log('subscribed', await sub.subscribe('news', 'alerts'));
await second.subscribe('news');
await sub.psubscribe('user:*');
console.log('receivers', await pub.publish('news', 'hello'));
await pub.publish('user:1', 'logged in');
await pub.publish('nobody', 'x');
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(texts(result), [
    'subscribed 2',
    'receivers 2',
    'second news hello',
    'message news hello',
    'then',
    'pmessage user:* user:1 logged in',
  ]);
  assert.deepEqual(harness.problems, []);
});

test('a blocking BLPOP is served by another client; a timed-out one answers null', async () => {
  const { runner } = await openRunner();
  const result = await runner.run(`const Redis = require('ioredis');
const worker = new Redis();
const producer = new Redis();
const waiting = worker.blpop('jobs', 0);
await sleep(10);
await producer.rpush('jobs', 'job-1');
console.log('served', await waiting);
console.log('timed out', await worker.blpop('empty', 0.2));
const later = worker.brpop('queue', 30);
await sleep(31_000);
console.log('virtual timeout', await later);
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(texts(result), ["served [ 'jobs', 'job-1' ]", 'timed out null', 'virtual timeout null']);
  assert.ok(result.wallMs < 5000);
  assert.deepEqual(harness.problems, []);
});

test('a served BLPOP settles before the command that served it, as with ioredis and Redis', async () => {
  const { runner } = await openRunner();
  const result = await runner.run(`import Redis from 'ioredis';
const producer = new Redis();
const worker = new Redis();
const log = [];
await worker.ping();
(async () => {
  for (let i = 0; i < 2; i++) {
    const [, job] = await worker.blpop('queue', 0);
    log.push('got ' + job);
  }
})();
await sleep(10);
await producer.rpush('queue', 'a');
log.push('pushed a');
await sleep(10);
await producer.rpush('queue', 'b');
log.push('pushed b');
const first = new Redis();
const second = new Redis();
await Promise.all([first.ping(), second.ping()]);
const both = [
  first.blpop('pair', 0).then(([, v]) => log.push('first ' + v)),
  second.blpop('pair', 0).then(([, v]) => log.push('second ' + v)),
];
await sleep(10);
await producer.rpush('pair', 'x', 'y');
log.push('pushed pair');
await Promise.all(both);
console.log(log.join(', '));
// Waiting and served within one batch of the worker: the client learns that it waits first.
const same = worker.blpop('same', 0);
const pushed = producer.rpush('same', 'z');
console.log(await same, await pushed, await worker.ping());
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  // The order of the differential test against redis-server (web/js/test/differential.test.mjs).
  assert.deepEqual(texts(result), [
    'got a, pushed a, got b, pushed b, second y, first x, pushed pair',
    "[ 'same', 'z' ] 1 PONG",
  ]);
  assert.deepEqual(harness.problems, []);
});

test('the keyspace is shared with the console and the page engine', async () => {
  const { runner, page } = await openRunner();
  const consolePanel = await new PlaygroundPage(page).ready();
  await consolePanel.run('SET typed:in-console "from the console"');
  const result = await runner.run(`import Redis from 'ioredis';
const redis = new Redis();
console.log(await redis.get('typed:in-console'));
await redis.set('set:by-script', 'from the script');
await redis.hset('user:42', { name: 'Grace' });
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(texts(result), ['from the console']);
  assert.equal(await runner.engine('GET', 'set:by-script'), 'from the script');
  assert.deepEqual(await runner.engine('HGETALL', 'user:42'), ['name', 'Grace']);
  await consolePanel.run('GET set:by-script');
  assert.equal(await consolePanel.lastReply(), '"from the script"\n');
  assert.deepEqual(harness.problems, []);
});

test('one clock: the clock bar drives the page clock scripts see, and DEBUG SLEEP moves both', async () => {
  const { runner, page } = await openRunner();
  const consolePanel = await new PlaygroundPage(page).ready();
  const clockState = () =>
    page.evaluate(() => {
      const { clock, engine } = window.redisPlayground;
      return { paused: clock.isPaused(), speed: clock.speed(), clock: clock.now(), engine: engine.now() };
    });
  await page.getByTestId('clock-speed').selectOption('60');
  await page.waitForFunction(() => window.redisPlayground.clock.speed() === 60);
  await page.getByTestId('clock-toggle').click();
  await page.waitForFunction(() => window.redisPlayground.clock.isPaused());
  // A script that pauses the clock is reflected in the bar.
  await page.evaluate(() => window.redisPlayground.clock.resume());
  await page.waitForFunction(() => document.querySelector('[data-testid=clock-toggle]').getAttribute('aria-pressed') === 'false');
  await page.evaluate(() => window.redisPlayground.clock.pause());
  await page.waitForFunction(() => document.querySelector('[data-testid=clock-toggle]').getAttribute('aria-pressed') === 'true');
  const before = await clockState();
  await consolePanel.run('DEBUG SLEEP 100');
  await page.waitForFunction((t) => window.redisPlayground.clock.now() >= t + 100_000, before.clock);
  const after = await clockState();
  assert.ok(after.engine - before.engine >= 100_000, JSON.stringify({ before, after }));
  assert.ok(Math.abs(after.engine - after.clock) < 1000, JSON.stringify(after));
  // A script's Date follows the same clock.
  const result = await runner.run(`console.log(Date.now() >= ${after.clock})`);
  assert.deepEqual(texts(result), ['true']);
  assert.deepEqual(harness.problems, []);
});

test('crash() simulates a power cut: AOF everysec keeps what was fsynced, RDB what was saved; clients and the console reconnect', async () => {
  const { runner, page } = await openRunner();
  const consolePanel = await new PlaygroundPage(page).ready();
  // Paused, virtual time moves only by the script's sleep: how long the run takes on a busy
  // machine cannot let an everysec fsync fall between the two writes.
  await consolePanel.pauseClock();
  const result = await runner.run(`import Redis from 'ioredis';
const redis = new Redis();
await redis.config('SET', 'appendonly', 'yes');
await sleep(1000); // the first rewrite ends
await redis.set('kept', 'fsynced');
await redis.set('lost', 'same second, not fsynced yet');
const restart = await crash();
console.log(restart.source, await redis.get('kept'), await redis.get('lost'));
await redis.config('SET', 'appendonly', 'no');
await redis.save();
await redis.set('after-save', 'x');
const again = await crash();
console.log(again.source, await redis.get('kept'), await redis.get('after-save'));
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(texts(result), ['aof fsynced null', 'rdb fsynced null']);
  // The console's connection was closed by the crash too: its next command reconnects.
  await consolePanel.run('GET kept');
  assert.equal(await consolePanel.lastReply(), '"fsynced"\n');
  assert.deepEqual(harness.problems, []);
});
