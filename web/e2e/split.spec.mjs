// The page build cuts rarely used engine code into wasm chunks (scripts/build-wasm.sh): a
// command family's chunk is fetched the first time one of its commands runs, from the console,
// a script, a lesson's setup or a share link, and the command answers as if it had always been
// there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';
import { PlaygroundPage, RunnerApi, openPlayground } from './playground-page.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

/** The wasm files a page fetched, by name (`split_stream.wasm`, `chunk_3.wasm`, …). */
function recordWasm(page) {
  const names = [];
  page.on('request', (r) => {
    const name = new URL(r.url()).pathname.split('/').pop();
    if (name.endsWith('.wasm')) names.push(name);
  });
  return names;
}

test('a first visit loads the main module only; XADD then XRANGE typed in the console fetch the stream chunk once and answer', async () => {
  const page = await harness.open();
  const fetched = recordWasm(page);
  const playground = await new PlaygroundPage(page).ready();
  assert.ok(!fetched.some((n) => n.startsWith('split_')), `no family chunk at start: ${fetched}`);
  await playground.run('XADD events 1-1 kind signup');
  assert.equal(await playground.lastReply(), '"1-1"\n');
  assert.ok(fetched.includes('split_stream.wasm'), `the stream chunk was fetched: ${fetched}`);
  await playground.run('XRANGE events - +');
  assert.equal(await playground.lastReply(), '1) 1) "1-1"\n   2) 1) "kind"\n      2) "signup"\n');
  assert.equal(fetched.filter((n) => n === 'split_stream.wasm').length, 1);
  // Nothing was shown twice, nothing refused: two lines, two exchanges.
  assert.equal(await playground.exchangeCount(), 2);
  assert.doesNotMatch(await playground.transcript(), /not loaded/);
  assert.deepEqual(harness.problems, []);
});

test('lines typed while a chunk is fetched run after it, in order', async () => {
  const playground = await openPlayground(harness);
  // Pasted lines run one after another without waiting: the first needs the geo chunk.
  await playground.page.evaluate(() => {
    const input = document.querySelector('[data-testid=console-input]');
    const data = new DataTransfer();
    data.setData('text', 'GEOADD places 13.361389 38.115556 Palermo\nSET after geo\nGEOPOS places Palermo\nGET after');
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await playground.consoleOutput.locator('.exchange').nth(3).waitFor();
  const replies = await playground.consoleOutput.locator('.exchange .reply').allTextContents();
  assert.deepEqual(replies, [
    '(integer) 1\n',
    'OK\n',
    '1) 1) "13.36138933897018433"\n   2) "38.11555639549629859"\n',
    '"geo"\n',
  ]);
  assert.deepEqual(harness.problems, []);
});

test('a script whose first command needs a chunk runs it transparently (XADD, XLEN, XRANGE from ioredis)', async () => {
  const page = await harness.open();
  const fetched = recordWasm(page);
  const runner = await new RunnerApi(page).ready();
  const result = await runner.run(`
import Redis from 'ioredis';
const redis = new Redis();
await redis.xadd('log', '5-1', 'level', 'info');
redis.xadd('log', '5-2', 'level', 'warn'); // not awaited: sent in the same batch as XLEN
console.log(await redis.xlen('log'));
console.log(JSON.stringify(await redis.xrange('log', '-', '+')));
console.log(await redis.pfadd('seen', 'a', 'b'), await redis.pfcount('seen'));
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(RunnerApi.texts(result), [
    '2',
    '[["5-1",["level","info"]],["5-2",["level","warn"]]]',
    '1 2',
  ]);
  assert.ok(fetched.includes('split_stream.wasm') && fetched.includes('split_hyperloglog.wasm'), String(fetched));
  assert.deepEqual(harness.problems, []);
});

test('a pipeline mixing chunks and main-module commands runs in order; a chunk that cannot be fetched leaves its command refused', async () => {
  const page = await harness.open();
  const fetched = recordWasm(page);
  const runner = await new RunnerApi(page).ready();
  await page.route('**/split_geo.wasm', (route) => route.abort());
  const result = await runner.run(`
import Redis from 'ioredis';
const redis = new Redis();
const replies = await redis
  .pipeline()
  .set('n', 1)
  .xadd('events', '1-1', 'kind', 'signup')
  .incr('n')
  .geoadd('shops', 13.36, 38.11, 'palermo')
  .pfadd('seen', 'a')
  .xlen('events')
  .get('n')
  .exec();
for (const [err, value] of replies) console.log(err ? 'error: ' + err.message.split(':')[0] : JSON.stringify(value));
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(RunnerApi.texts(result), [
    '"OK"',
    '"1-1"',
    '2',
    'error: ERR the code of this command (geo) is not loaded yet',
    '1',
    '1',
    '"2"',
  ]);
  assert.ok(fetched.includes('split_stream.wasm') && fetched.includes('split_hyperloglog.wasm'), String(fetched));
  // The failed fetch was reported on the console (by the chunk loader) and nothing else went wrong.
  const problems = harness.problems.splice(0);
  assert.ok(problems.length > 0 && problems.every((p) => p.startsWith('console error:')), problems.join('\n'));
});

test('a batch waiting for a slow chunk finishes when the clock moved on meanwhile: a sleep in it ends where it would have', async () => {
  const page = await harness.open();
  const runner = await new RunnerApi(page).ready();
  // The clock follows the wall clock: it moves past the sleep's end while the chunk comes.
  await page.route('**/split_stream.wasm', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    await route.continue();
  });
  const result = await runner.run(`
import Redis from 'ioredis';
const redis = new Redis();
await redis.ping(); // connected: the sleep and the XADD below go in one batch
const t0 = Date.now();
const slept = sleep(20);
const added = redis.xadd('slow', '1-1', 'f', 'v');
await slept;
console.log(await added, await redis.xlen('slow'), Date.now() - t0 >= 20);
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(RunnerApi.texts(result), ['1-1 1 true']);
  assert.deepEqual(harness.problems, []);
});

test('a transaction queued before its chunk is fetched runs at EXEC', async () => {
  const playground = await openPlayground(harness);
  for (const line of ['MULTI', 'SORT nums', 'RPUSH nums 3 1 2', 'SORT nums']) await playground.run(line);
  assert.equal(await playground.lastReply(), 'QUEUED\n');
  await playground.run('EXEC');
  assert.equal(await playground.lastReply(), '1) (empty array)\n2) (integer) 3\n3) 1) "1"\n   2) "2"\n   3) "3"\n');
  assert.deepEqual(harness.problems, []);
});

test('a saved playground holding a stream is restored after a reload (its reader is a chunk)', async () => {
  const playground = await openPlayground(harness);
  await playground.run('XADD kept 7-1 f v');
  await playground.run('SET plain yes');
  await playground.reload();
  await playground.run('GET plain');
  assert.equal(await playground.lastReply(), '"yes"\n');
  await playground.run('XLEN kept');
  assert.equal(await playground.lastReply(), '(integer) 1\n');
  assert.deepEqual(harness.problems, []);
});

test('CLIENT subcommands of a chunk: SETNAME and ID answer from the main module, CLIENT TRACKING on fetches the client_modes chunk and answers', async () => {
  const page = await harness.open();
  const fetched = recordWasm(page);
  const playground = await new PlaygroundPage(page).ready();
  // What client libraries send on connect stays in the main module.
  await playground.run('CLIENT SETNAME console');
  assert.equal(await playground.lastReply(), 'OK\n');
  await playground.run('CLIENT GETNAME');
  assert.equal(await playground.lastReply(), '"console"\n');
  assert.ok(!fetched.includes('split_client_modes.wasm'), `no client_modes chunk yet: ${fetched}`);
  await playground.run('CLIENT TRACKING on');
  assert.equal(await playground.lastReply(), 'OK\n');
  assert.ok(fetched.includes('split_client_modes.wasm'), `the client_modes chunk was fetched: ${fetched}`);
  // Replies as redis-cli --no-raw shows Redis 7.0.15's.
  await playground.run('CLIENT TRACKINGINFO');
  assert.equal(
    await playground.lastReply(),
    '1) "flags"\n2) 1) "on"\n3) "redirect"\n4) (integer) 0\n5) "prefixes"\n6) (empty array)\n',
  );
  await playground.run('CLIENT CACHING yes');
  assert.equal(
    await playground.lastReply(),
    '(error) ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\n',
  );
  await playground.run('CLIENT GETREDIR');
  assert.equal(await playground.lastReply(), '(integer) 0\n');
  assert.equal(fetched.filter((n) => n === 'split_client_modes.wasm').length, 1);
  assert.equal(await playground.exchangeCount(), 6);
  assert.doesNotMatch(await playground.transcript(), /not loaded/);
  assert.deepEqual(harness.problems, []);
});

test('a script using client tracking runs: the batch holding CLIENT TRACKING fetches its chunk first, invalidations arrive', async () => {
  const page = await harness.open();
  const fetched = recordWasm(page);
  const runner = await new RunnerApi(page).ready();
  const result = await runner.run(`
import Redis from 'ioredis';
const redis = new Redis();
const invalidations = new Redis();
const id = await invalidations.client('ID');
await invalidations.subscribe('__redis__:invalidate');
const invalidated = new Promise((resolve) => invalidations.on('message', (channel, key) => resolve(key)));
// Not awaited: sent in one batch, CLIENT TRACKING after a command of the main module.
redis.set('flag', 'off');
const on = redis.client('TRACKING', 'ON', 'REDIRECT', id);
const read = redis.get('flag');
console.log(await on, await read);
const info = await redis.client('TRACKINGINFO');
console.log(JSON.stringify(info.slice(0, 2)), info[3] === id);
await redis.set('flag', 'on');
console.log('invalidated:', await invalidated);
console.log(await redis.client('GETREDIR') === id);
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(RunnerApi.texts(result), ['OK off', '["flags",["on"]] true', 'invalidated: flag', 'true']);
  assert.ok(fetched.includes('split_client_modes.wasm'), String(fetched));
  assert.deepEqual(harness.problems, []);
});

test('DEBUG RELOAD typed in the console fetches the admin chunk, then the RDB loader, and answers once', async () => {
  const page = await harness.open();
  const fetched = recordWasm(page);
  const playground = await new PlaygroundPage(page).ready();
  await playground.run('SET kept yes');
  assert.ok(!fetched.includes('split_admin.wasm'), `no admin chunk yet: ${fetched}`);
  // Refused twice (its own family, then the loader DEBUG RELOAD needs), shown once.
  await playground.run('DEBUG RELOAD');
  assert.equal(await playground.lastReply(), 'OK\n');
  assert.ok(fetched.includes('split_admin.wasm') && fetched.includes('split_rdb.wasm'), String(fetched));
  await playground.run('GET kept');
  assert.equal(await playground.lastReply(), '"yes"\n');
  await playground.run('COMMAND GETKEYS SET k v');
  assert.equal(await playground.lastReply(), '1) "k"\n');
  assert.equal(await playground.exchangeCount(), 4);
  assert.doesNotMatch(await playground.transcript(), /not loaded/);
  assert.deepEqual(harness.problems, []);
});

test('a chunk that cannot be fetched leaves the command refused, and a later try fetches it', async () => {
  const page = await harness.open();
  const playground = await new PlaygroundPage(page).ready();
  await page.route('**/split_hyperloglog.wasm', (route) => route.abort());
  await playground.run('PFADD visitors alice');
  assert.match(await playground.lastReply(), /^\(error\) ERR the code of this command \(hyperloglog\) is not loaded yet/);
  await playground.run('SET still working');
  assert.equal(await playground.lastReply(), 'OK\n');
  await page.unroute('**/split_hyperloglog.wasm');
  await playground.run('PFADD visitors alice');
  assert.equal(await playground.lastReply(), '(integer) 1\n');
  // The failed fetch was reported on the console (by the chunk loader) and nothing else went wrong.
  const problems = harness.problems.splice(0);
  assert.ok(problems.length > 0 && problems.every((p) => p.startsWith('console error:')), problems.join('\n'));
});

test('Lua: EVAL typed in the console fetches the scripting chunk and answers; a runaway script is stopped and the console goes on', async () => {
  const page = await harness.open();
  const fetched = recordWasm(page);
  const playground = await new PlaygroundPage(page).ready();
  assert.ok(!fetched.includes('split_scripting.wasm'), `no scripting chunk at start: ${fetched}`);
  await playground.run(`EVAL "return redis.call('INCRBY', KEYS[1], ARGV[1])" 1 hits 5`);
  assert.equal(await playground.lastReply(), '(integer) 5\n');
  assert.ok(fetched.includes('split_scripting.wasm'), `the scripting chunk was fetched: ${fetched}`);
  await playground.run('EVAL "while true do end" 0');
  assert.match(await playground.lastReply(), /^\(error\) ERR Script stopped by the playground: it ran more than 20000000 Lua instructions/);
  await playground.run('GET hits');
  assert.equal(await playground.lastReply(), '"5"\n');
  assert.equal(fetched.filter((n) => n === 'split_scripting.wasm').length, 1);
  assert.deepEqual(harness.problems, []);
});

test('Lua from a learner script: a rate limiter defined with defineCommand runs EVAL then EVALSHA, atomically', async () => {
  const page = await harness.open();
  const runner = await new RunnerApi(page).ready();
  const result = await runner.run(`
import Redis from 'ioredis';
const redis = new Redis();
redis.defineCommand('allow', {
  numberOfKeys: 1,
  lua: "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n <= tonumber(ARGV[2]) and 1 or 0",
});
const answers = [];
for (let i = 0; i < 4; i++) answers.push(await redis.allow('rate:ada', 60, 3));
console.log(answers.join(' '), await redis.ttl('rate:ada'));
const [[, sha]] = await redis.pipeline().script('load', "return 'x'").exec();
console.log(sha.length, await redis.evalsha(sha, 0));
`);
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  assert.deepEqual(RunnerApi.texts(result), ['1 1 1 0 60', '40 x']);
  assert.deepEqual(harness.problems, []);
});
