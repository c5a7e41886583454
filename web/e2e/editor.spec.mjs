// The script editor in the built page: CodeMirror loaded when visible, Run/Stop, output with
// the learner's line numbers, the timeline's script lane, persistence, share links, completion.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness } from './harness.mjs';
import { EditorPanel, PlaygroundPage, RunnerApi, timelineRecent } from './playground-page.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

async function openEditor(path = '', options) {
  const page = await harness.open(path, options);
  await new PlaygroundPage(page).ready();
  return { page, editor: await new EditorPanel(page).ready() };
}

test('the starter cache-aside script runs: a miss, then hits, and 50 ms db spans on the timeline', async () => {
  const { page, editor } = await openEditor();
  // Paused, virtual time moves only by the script's database calls and sleeps, whatever the
  // wall time the run takes on a busy machine.
  await new PlaygroundPage(page).pauseClock();
  assert.match(await editor.code(), /Cache-aside/);
  assert.equal(await editor.run(), 'ok');
  const lines = await editor.lines();
  assert.equal(lines[0], 'miss user:1: asking the database');
  assert.deepEqual(
    lines.filter((l) => l.startsWith('hit')),
    ['hit  user:1', 'hit  user:1'],
  );
  assert.equal(lines.at(-1), 'db calls: 1');
  assert.match(await editor.summary(), /^Finished: 1 db call, 3\d\d ms of virtual time/);
  await page.getByTestId('hit-rate').getByText(/^● 2 hits {2}✕ 1 miss {2}hit rate/).waitFor();
  const recent = await timelineRecent(page);
  const index = (pattern) => recent.findIndex((t) => pattern.test(t));
  const miss = index(/^miss GET user:1 — client \d+$/);
  const span = index(/^db\.findUser 50 ms — script$/);
  const write = index(/^write SET user:1/);
  const hit = index(/^hit GET user:1/);
  assert.ok(miss >= 0 && miss < span && span < write && write < hit, recent.join('\n'));
  assert.equal(recent.filter((t) => t.startsWith('hit GET user:1')).length, 2, recent.join('\n'));
  // The timeline shows the run whole (it stops following the present until asked).
  assert.equal(await page.getByTestId('timeline-follow').textContent(), 'Follow now');
  // The source filter: console only hides the script's events and spans.
  await page.getByTestId('timeline-source').selectOption('console');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=timeline-recent] li').length === 0);
  assert.deepEqual(harness.problems, []);
});

test('errors name the learner\'s line; Stop ends a runaway script', async () => {
  const { page, editor } = await openEditor();
  await editor.setCode("const a = 1;\nconsole.log('before');\nnull.boom;\n");
  assert.equal(await editor.run(), 'error');
  assert.match(await editor.summary(), /^Error on line 3: Cannot read properties of null/);
  const lines = await editor.lines();
  assert.equal(lines[0], 'before');
  assert.match(lines[1], /\(line 3\)$/);
  assert.equal(await editor.root.locator('.cm-errorLine').textContent(), 'null.boom;');

  await editor.setCode('while (true) {}\n');
  const n = await editor.lastRun();
  await editor.runButton.click();
  await editor.stopButton.click();
  assert.equal(await editor.finished(n + 1), 'stopped');
  assert.deepEqual(await editor.lines(), ['Stopped.']);
  assert.equal(await page.getByTestId('run-button').isEnabled(), true);
});

test('a line printed before an endless loop shows at once, and Stop keeps it', async () => {
  const { editor } = await openEditor();
  await editor.setCode("console.log('start');\nwhile (true) {}\n");
  const n = await editor.lastRun();
  await editor.runButton.click();
  // While the loop runs: the line reached the page before it.
  await editor.output.locator('.output-line', { hasText: 'start' }).waitFor({ timeout: 3000 });
  await editor.stopButton.click();
  assert.equal(await editor.finished(n + 1), 'stopped');
  assert.deepEqual(await editor.lines(), ['start', 'Stopped.']);
  assert.deepEqual(harness.problems, []);
});

test('a script blocked in BLPOP waits past the time limit, says so, and an RPUSH typed in the console serves it', async () => {
  const { page, editor } = await openEditor();
  const playground = new PlaygroundPage(page);
  await editor.setCode(`import Redis from 'ioredis';
const r = new Redis();
console.log('got', await r.blpop('jobs', 0));
`);
  const n = await editor.lastRun();
  await editor.runButton.click();
  const started = Date.now();
  const waiting = page.locator('[data-testid=run-status][data-waiting=true]');
  await waiting.waitFor();
  assert.match(await waiting.textContent(), /Stop ends it\.$/);
  // Past the editor's limit of 5 s: still waiting, not stopped as an endless loop.
  await page.waitForTimeout(Math.max(0, 5500 - (Date.now() - started)));
  assert.equal(await waiting.count(), 1);
  await playground.run('RPUSH jobs job1');
  assert.equal((await playground.lastReply()).trim(), '(integer) 1');
  assert.equal(await editor.finished(n + 1), 'ok');
  assert.deepEqual(await editor.lines(), ["got [ 'jobs', 'job1' ]"]);
  await playground.run('LLEN jobs');
  assert.equal((await playground.lastReply()).trim(), '(integer) 0');
  assert.deepEqual(harness.problems, []);
});

test('while a script sends command after command, the console answers and Stop keeps what it wrote', async () => {
  const { page, editor } = await openEditor();
  const playground = new PlaygroundPage(page);
  await editor.setCode("import Redis from 'ioredis';\nconst redis = new Redis();\nwhile (true) await redis.incr('busy:n');\n");
  const n = await editor.lastRun();
  await editor.runButton.click();
  // Typed while the script runs (both threads keep themselves awake between its commands).
  let during = 0;
  for (let tries = 0; tries < 50 && during === 0; tries++) {
    await playground.run('GET busy:n');
    during = Number((await playground.lastReply()).trim().replace(/^"|"$/g, '')) || 0;
  }
  assert.ok(during > 0, 'the console read what the running script wrote');
  await editor.stopButton.click();
  assert.equal(await editor.finished(n + 1), 'stopped');
  await playground.run('GET busy:n');
  const after = Number((await playground.lastReply()).trim().replace(/^"|"$/g, ''));
  assert.ok(after >= during, `kept after Stop: ${after} >= ${during}`);
  assert.deepEqual(harness.problems, []);
});

test('a script waiting for messages says so; a PUBLISH typed in the console reaches it', async () => {
  const { page, editor } = await openEditor();
  const playground = new PlaygroundPage(page);
  await editor.setCode(`import Redis from 'ioredis';
const sub = new Redis();
await sub.subscribe('orders');
console.log('subscribed');
const text = await new Promise((resolve) => sub.on('message', (channel, message) => resolve(message)));
console.log('received', text);
await sub.quit();
`);
  const n = await editor.lastRun();
  await editor.runButton.click();
  const waiting = page.locator('[data-testid=run-status][data-waiting=true]');
  await waiting.waitFor();
  assert.match(await waiting.textContent(), /^Listening: the script waits for messages \(try PUBLISH in the console\)/);
  assert.deepEqual(await editor.lines(), ['subscribed']);
  assert.equal(await editor.stopButton.isEnabled(), true);
  await playground.run('PUBLISH orders first');
  assert.equal((await playground.lastReply()).trim(), '(integer) 1');
  assert.equal(await editor.finished(n + 1), 'ok');
  assert.deepEqual(await editor.lines(), ['subscribed', 'received first']);
  assert.equal(await page.locator('[data-testid=run-status][data-waiting]').count(), 0);
  assert.deepEqual(harness.problems, []);
});

test('a subscriber left open keeps listening after the code, as in Node: the console publishes to it, Stop ends it', async () => {
  const { page, editor } = await openEditor();
  const playground = new PlaygroundPage(page);
  await editor.setCode(`import Redis from 'ioredis';
const redis = new Redis();
const sub = new Redis();
sub.subscribe('orders');
sub.on('message', async (channel, message) => {
  console.log('order', message);
  await redis.incr('orders:seen');
});
console.log('code over');
`);
  const n = await editor.lastRun();
  await editor.runButton.click();
  const waiting = page.locator('[data-testid=run-status][data-waiting=true]');
  await waiting.waitFor();
  assert.deepEqual(await editor.lines(), ['code over']);
  await playground.run('PUBLISH orders 41');
  assert.equal((await playground.lastReply()).trim(), '(integer) 1');
  await page.getByTestId('script-output').getByText('order 41').waitFor();
  await waiting.waitFor();
  await playground.run('PUBLISH orders 42');
  await page.getByTestId('script-output').getByText('order 42').waitFor();
  await editor.stopButton.click();
  assert.equal(await editor.finished(n + 1), 'stopped');
  assert.deepEqual(await editor.lines(), ['code over', 'order 41', 'order 42', 'Stopped.']);
  await playground.run('GET orders:seen');
  assert.equal((await playground.lastReply()).trim(), '"2"');
  await playground.run('PUBLISH orders 43');
  assert.equal((await playground.lastReply()).trim(), '(integer) 0');
  assert.deepEqual(harness.problems, []);
});

test('the output follows its end, so a long run shows its last lines and its status, until the learner scrolls up', async () => {
  const { page, editor } = await openEditor();
  const output = page.getByTestId('script-output');
  const atEnd = () => output.evaluate((el) => el.scrollHeight > el.clientHeight && el.scrollTop + el.clientHeight >= el.scrollHeight - 4);
  const prelude = "import Redis from 'ioredis';\nconst redis = new Redis();\nfor (let i = 1; i <= 60; i++) console.log('line ' + i);\n";
  await editor.setCode(`${prelude}await redis.set('x', 'y');\nawait redis.incr('x');\n`);
  assert.equal(await editor.run(), 'error');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=script-output]');
    return el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
  });
  assert.equal(await atEnd(), true);
  // The status at the bottom of the panel is in view.
  const box = await output.boundingBox();
  const status = await editor.status.boundingBox();
  assert.ok(status.y + status.height <= box.y + box.height + 1, JSON.stringify({ box, status }));

  // Scrolled up, the output stays where the learner reads while a run prints more…
  // (A line every 100 ms of real time, over two seconds: waiting on a timer, the run is idle,
  // so a loaded machine cannot push it past the runaway limit.)
  await editor.setCode(`${prelude}for (let i = 0; i < 20; i++) {\n  await new Promise((resolve) => setTimeout(resolve, 100));\n  await redis.ping();\n  console.log('more ' + i);\n}\n`);
  const n = await editor.lastRun();
  await editor.runButton.click();
  await page.waitForFunction(() => [...document.querySelectorAll('.output-line')].some((l) => l.textContent === 'more 0'));
  await output.evaluate((el) => el.scrollTo(0, 0));
  assert.equal(await editor.finished(n + 1), 'ok');
  assert.equal(await output.evaluate((el) => el.scrollTop), 0);
  // …and the next run follows its end again.
  assert.equal(await editor.run(), 'ok');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=script-output]');
    return el.scrollTop > 0 && el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
  });
  assert.deepEqual(harness.problems, []);
});

test('Ctrl+Enter runs from the editor; Escape leaves it for the Run button', async () => {
  const { page, editor } = await openEditor();
  await editor.setCode("console.log('via keys');\n");
  const n = await editor.lastRun();
  await editor.content.press('Control+Enter');
  assert.equal(await editor.finished(n + 1), 'ok');
  assert.deepEqual(await editor.lines(), ['via keys']);
  assert.equal(await editor.code(), "console.log('via keys');\n", 'Ctrl+Enter inserts nothing');
  await editor.content.click();
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'run-button');
});

test('the editor text survives a reload', async () => {
  const { page, editor } = await openEditor();
  const text = "// mine\nconsole.log('kept');\n";
  await editor.setCode(text);
  await page.reload();
  const again = await new EditorPanel(page).ready();
  assert.equal(await again.code(), text);
  assert.match(await again.content.textContent(), /console\.log\('kept'\);/);
});

test('completion offers redis.hgetall from the command table', async () => {
  const { page, editor } = await openEditor();
  await editor.setCode("import Redis from 'ioredis';\nconst redis = new Redis();\n");
  await editor.typeAtEnd('redis.hget');
  const options = page.locator('.cm-tooltip-autocomplete li');
  await options.first().waitFor();
  const labels = await options.locator('.cm-completionLabel').allTextContents();
  assert.ok(labels.includes('hgetall'), labels.join(', '));
  await page.keyboard.press('Escape'); // closes the list, stays in the editor
  assert.equal(await page.locator('.cm-tooltip-autocomplete').count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('cm-content')), true);
});

test('a share link opens the code in a new page, runs nothing, and offers the setup commands', async () => {
  const { page, editor } = await openEditor();
  const code = "import Redis from 'ioredis';\nconst redis = new Redis();\nawait redis.set('shared:ran', 'yes');\nconsole.log('<b>ran</b>');\n";
  await editor.setCode(code);
  await editor.share();
  await page.getByTestId('share-setup').fill('SET setup:key "from the link"\nRPUSH setup:list a b');
  await page.getByTestId('share-update').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=share-link]').value.length > 0);
  const link = await editor.share();
  assert.match(link, /#share=[A-Za-z0-9_-]+$/);

  const other = await harness.open(link.slice(link.indexOf('#')));
  const shared = await new EditorPanel(other).ready();
  await other.getByTestId('share-offer').waitFor();
  await other.waitForFunction(
    (expected) => document.querySelector('[data-testid=editor-fallback]')?.value === expected,
    code,
  );
  assert.equal(await other.getByTestId('share-commands').textContent(), 'SET setup:key "from the link"\nRPUSH setup:list a b');
  assert.equal(await other.evaluate(() => window.location.hash), '', 'the link is read once');
  const runner = await new RunnerApi(other).ready();
  assert.equal(await runner.engine('GET', 'shared:ran'), null, 'nothing ran');
  assert.equal(await runner.engine('EXISTS', 'setup:key'), 0, 'setup commands wait for the learner');
  assert.deepEqual(await shared.lines(), []);
  await other.getByTestId('share-run-setup').click();
  await other.getByText('Setup commands ran.').waitFor();
  assert.equal(await runner.engine('GET', 'setup:key'), 'from the link');
  assert.deepEqual(await shared.lines(), ['> SET setup:key "from the link"', 'OK', '> RPUSH setup:list a b', '(integer) 2']);
  assert.equal(await shared.run(), 'ok');
  assert.deepEqual(await shared.lines(), ['<b>ran</b>']);
  assert.deepEqual(harness.problems, []);
});

test('a damaged or oversized share link shows a message and the page keeps working', async () => {
  const { page } = await openEditor('#share=%%%not-base64');
  await page.getByTestId('share-error').getByText(/damaged/).waitFor();
  const huge = await harness.open(`#share=${'A'.repeat(60_000)}`);
  await huge.getByTestId('share-error').getByText(/too long/).waitFor();
  const console = await new PlaygroundPage(huge).ready();
  await console.run('PING');
  assert.equal(await console.lastReply(), 'PONG\n');
  assert.deepEqual(harness.problems, []);
});

test('the run event runs the editor; script-run reports each run', async () => {
  const { page, editor } = await openEditor();
  await editor.setCode("console.log('from the event');\nconsole.error('oops');\n");
  const detail = await page.evaluate(
    () =>
      new Promise((resolve) => {
        window.addEventListener('redis-playground:script-run', (e) => resolve(e.detail), { once: true });
        window.dispatchEvent(new CustomEvent('redis-playground:run', { detail: {} }));
      }),
  );
  assert.deepEqual(detail, {
    status: 'ok',
    error: null,
    output: [
      { stream: 'log', text: 'from the event' },
      { stream: 'error', text: 'oops' },
    ],
  });
});

test('CodeMirror is not part of the first load: it loads when the learner reaches for the editor', async () => {
  const page = await harness.open('', { viewport: { width: 1280, height: 800 } });
  await new PlaygroundPage(page).ready();
  const surface = page.getByTestId('editor').locator('.editor-surface');
  assert.equal(await surface.isVisible(), true, 'the editor is on screen from the start');
  await page.waitForTimeout(300);
  const loaded = () =>
    page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/js/editor/codemirror.js')));
  assert.equal(await loaded(), false);
  assert.equal(await page.locator('.cm-editor').count(), 0);
  assert.match(await page.getByTestId('editor-fallback').inputValue(), /import Redis from 'ioredis'/);
  await surface.hover();
  await page.locator('.cm-editor').waitFor();
  assert.equal(await loaded(), true);
  assert.equal(await page.getByTestId('editor-fallback').isVisible(), false);
});

test('keyboard focus on the plain editor brings CodeMirror, which keeps the focus', async () => {
  const page = await harness.open('', { viewport: { width: 1280, height: 800 } });
  await new PlaygroundPage(page).ready();
  await page.getByTestId('editor-fallback').focus();
  await page.locator('.cm-editor').waitFor();
  await page.waitForFunction(() => document.activeElement?.classList.contains('cm-content'));
  await page.keyboard.type('// typed');
  await page.waitForFunction(() => document.querySelector('[data-testid=editor-fallback]')?.value.includes('// typed'));
});

test('the script worker starts when the learner reaches for the editor or Run, not with the page', async () => {
  for (const reach of ['editor', 'run']) {
    const page = await harness.open('', { viewport: { width: 1280, height: 800 } });
    const workers = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    await new PlaygroundPage(page).ready();
    await page.waitForTimeout(300);
    const scriptWorkers = () => workers.filter((url) => url.endsWith('/js/runner/worker.js'));
    assert.deepEqual(scriptWorkers(), [], 'a visit without a script starts no worker');
    if (reach === 'editor') await page.getByTestId('editor').locator('.editor-surface').hover();
    else await page.getByTestId('run-button').hover();
    await page.waitForFunction(() =>
      performance.getEntriesByType('resource').some((e) => e.name.endsWith('/js/runner/script-run.js')),
    );
    for (let i = 0; i < 100 && scriptWorkers().length === 0; i++) await page.waitForTimeout(50);
    assert.equal(scriptWorkers().length, 1, `one worker started on reaching for the ${reach}`);
    // The run takes that worker and works.
    assert.equal(await new EditorPanel(page).run(), 'ok');
    await page.close();
  }
});

const repo = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `code` in Node with the real ioredis against a private redis-server
 * (`scripts/with-redis.sh`), `prelude` first (what the playground has in scope: `sleep`, `db`,
 * as real time would run them); resolves with `{ stdout, stderr, code }`.
 */
function runInNode(code, prelude) {
  const dir = mkdtempSync(join(tmpdir(), 'playground-node-'));
  // The script finds ioredis as a script in the repository would.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'script.mjs'), `${prelude}\n${code}`);
  return new Promise((resolve) => {
    execFile(join(repo, 'scripts/with-redis.sh'), ['node', join(dir, 'script.mjs')], { timeout: 20_000 }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ stdout, stderr, code: err ? (err.code ?? 'killed') : 0 });
    });
  });
}

/** Runs the editor's code and resolves with the run's `{status, error, output}` (script-run). */
function runEditor(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        window.addEventListener('redis-playground:script-run', (e) => resolve(e.detail), { once: true });
        window.dispatchEvent(new CustomEvent('redis-playground:run', { detail: {} }));
      }),
  );
}

test('a forgotten await: the failed command ends the run at once, before what follows a sleep or a db call, as Node with ioredis and Redis', async (t) => {
  const probe = await new Promise((resolve) => execFile('redis-server', ['--version'], (err) => resolve(!err)));
  if (!probe) {
    t.skip('redis-server is not installed: no Node run to compare with');
    return;
  }
  const { page, editor } = await openEditor();
  const head = "import Redis from 'ioredis';\nconst redis = new Redis(Number(process.env.REDIS_PORT ?? 6379));\n";
  // In Node, a real 10 ms timer and a 50 ms query; replies come back in well under that.
  const prelude =
    'const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));\n' +
    'const db = { findUser: (id) => new Promise((resolve) => setTimeout(() => resolve({ id }), 50)) };';
  // (Node's timers are real: the waits are long enough for its replies even on a busy machine.)
  const cases = [
    // INCR of a string rejects, nothing awaits it; sent while the client connects.
    `${head}redis.set('s', 'x');\nredis.incr('s');\nawait sleep(100);\nconsole.log('done');\n`,
    // The same once connected, and with a database call.
    `${head}await redis.ping();\nredis.set('s', 'x');\nredis.incr('s');\nawait sleep(50);\nconsole.log('done');\n`,
    `${head}await redis.ping();\nredis.set('s', 'x');\nredis.incr('s');\nconst user = await db.findUser(1);\nconsole.log('done', user.id);\n`,
    // Awaited: both go on.
    `${head}await redis.set('s', 'x');\nawait sleep(10);\nconsole.log('done', await redis.get('s'));\nredis.disconnect();\n`,
    // A message published before a sleep is heard during it.
    `${head}const sub = new Redis(Number(process.env.REDIS_PORT ?? 6379));\nsub.on('message', (channel, message) => console.log('heard', message));\nawait sub.subscribe('news');\nredis.publish('news', 'hi');\nawait sleep(10);\nconsole.log('after');\nsub.disconnect();\nredis.disconnect();\n`,
  ];
  for (const code of cases) {
    const node = await runInNode(code, prelude);
    await editor.setCode(code);
    const page_ = await runEditor(page);
    const printed = page_.output.filter((o) => o.stream === 'log').map((o) => o.text);
    assert.deepEqual(printed, node.stdout.split('\n').filter(Boolean), `${code}\nNode's stderr: ${node.stderr}`);
    if (node.code === 0) {
      assert.equal(page_.status, 'ok', JSON.stringify(page_.error));
    } else {
      // Node (≥ 15) stops at the unhandled rejection with its error, exit code 1.
      assert.equal(node.code, 1, node.stderr);
      assert.match(node.stderr, /ReplyError: ERR value is not an integer or out of range/);
      assert.equal(page_.status, 'error');
      assert.deepEqual(page_.error, { message: 'ERR value is not an integer or out of range', line: null });
      assert.equal(page_.output.at(-1).stream, 'error');
      assert.match(page_.output.at(-1).text, /^Uncaught ReplyError: ERR value is not an integer or out of range \(nothing awaited/);
    }
  }
  assert.deepEqual(harness.problems, []);
});

test('an unhandled rejection ends the run with its line; nothing after it runs or prints', async () => {
  const { page, editor } = await openEditor();
  await editor.setCode("console.log('before');\nPromise.reject(new Error('boom'));\nawait sleep(10);\nconsole.log('after');\n");
  const run = await runEditor(page);
  assert.equal(run.status, 'error');
  assert.deepEqual(run.error, { message: 'boom', line: 2 });
  assert.deepEqual(run.output.map((o) => o.text), ['before', 'Uncaught Error: boom (line 2)']);
  assert.deepEqual(harness.problems, []);
});
