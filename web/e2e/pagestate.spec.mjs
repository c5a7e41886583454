// The page's state across reloads, reset, and the resizable layout (issue #7).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';
import { openPlayground } from './playground-page.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

function open(viewport) {
  return openPlayground(harness, viewport);
}

test('a reload keeps keys, TTLs, configuration, the paused clock and the console history', async () => {
  const page = await open();
  const intro = page.page.getByTestId('console-intro');
  assert.match(await intro.textContent(), /^Welcome! This is redis-cli/, 'a first visit is welcomed');
  await page.pauseClock();
  await page.run('SET plain hello');
  assert.equal(await intro.count(), 0, 'the opening line goes once a line runs');
  await page.run('SET session alice EX 100');
  await page.run('HSET user:1 name Ada');
  await page.run('CONFIG SET maxmemory-policy allkeys-lru');
  await page.run('SELECT 2');
  await page.run('RPUSH elsewhere a b');
  await page.advanceClock('+10 s');
  const time = await page.clockNow();
  await page.reload();
  // The console says the playground came back, and what it holds.
  assert.equal(
    await intro.textContent(),
    'Your playground is as you left it in this browser: 3 keys in database 0 and 1 key in database 2, ' +
      'the clock where it was. Reset (at the top) starts afresh.',
  );
  // The history has the lines typed before the reload.
  await page.press('ArrowUp');
  assert.equal(await page.consoleInput.inputValue(), 'RPUSH elsewhere a b');
  await page.press('Escape');
  await page.type('');
  assert.equal(await page.page.getByTestId('clock-toggle').getAttribute('aria-pressed'), 'true', 'still paused');
  assert.equal(await page.clockNow(), time, 'the clock is where it was');
  assert.deepEqual(await page.keys(), [
    { key: 'plain', type: 'string', ttl: '—' },
    { key: 'session', type: 'string', ttl: '1 min 30 s' },
    { key: 'user:1', type: 'hash', ttl: '—' },
  ]);
  await page.run('TTL session');
  assert.equal(await page.lastReply(), '(integer) 90\n');
  await page.run('CONFIG GET maxmemory-policy');
  assert.equal(await page.lastReply(), '1) "maxmemory-policy"\n2) "allkeys-lru"\n');
  await page.run('SELECT 2');
  await page.run('LRANGE elsewhere 0 -1');
  assert.equal(await page.lastReply(), '1) "a"\n2) "b"\n');
  assert.equal(await page.stateNote(), null);
  assert.deepEqual(harness.problems, []);
});

test('a live clock keeps running across a reload: TTLs count down', async () => {
  const page = await open();
  await page.run('SET soon x PX 60000');
  const before = await page.clockNow();
  await page.page.waitForTimeout(300);
  await page.reload();
  assert.equal(await page.page.getByTestId('clock-toggle').getAttribute('aria-pressed'), 'false');
  assert.ok((await page.clockNow()) >= before + 300, 'virtual time went on while away');
  await page.run('PTTL soon');
  const pttl = Number((await page.lastReply()).match(/\d+/)[0]);
  assert.ok(pttl <= 59_700 && pttl > 50_000, `PTTL ${pttl}`);
});

test('a save from another version of the page is not restored: a fresh start, and a note says so', async () => {
  const page = await open();
  await page.run('SET old 1');
  await page.page.evaluate(() => {
    // The page saves again when it is left: replace the save afterwards, as an old page would.
    const old = () => localStorage.setItem('redis-playground.v1.state', 'RPSTATE 99 0 1 0 0\nAAAA');
    window.addEventListener('pagehide', old);
    window.addEventListener('visibilitychange', old);
  });
  await page.reload();
  assert.match(await page.stateNote(), /another version of the page/);
  assert.deepEqual(await page.keys(), []);
  await page.run('PING');
  assert.equal(await page.lastReply(), 'PONG\n');
});

test('reset asks first, then empties everything; a reload stays empty', async () => {
  const page = await open();
  await page.run('SET a 1');
  await page.run('CONFIG SET maxmemory 1mb');
  await page.pauseClock();
  await page.advanceClock('+1 min');
  await page.openReset();
  const dialog = page.resetDialog;
  assert.match(await dialog.textContent(), /Every key in every database/);
  await page.page.getByTestId('reset-confirm').click();
  await dialog.waitFor({ state: 'hidden' });
  assert.deepEqual(await page.keys(), []);
  assert.equal(await page.exchangeCount(), 0, 'the transcript is cleared');
  assert.equal(await page.page.getByTestId('clock-toggle').getAttribute('aria-pressed'), 'false', 'live again');
  const lag = (await page.page.evaluate(() => Date.now())) - (await page.clockNow());
  assert.ok(Math.abs(lag) < 1000, `the clock is back at the wall clock (${lag} ms)`);
  await page.run('CONFIG GET maxmemory');
  // Back to the page's own default (64 MB under noeviction), not the learner's 1mb.
  assert.equal(await page.lastReply(), '1) "maxmemory"\n2) "67108864"\n');
  await page.reload();
  assert.deepEqual(await page.keys(), []);
  await page.press('ArrowUp');
  await page.press('ArrowUp');
  assert.equal(await page.consoleInput.inputValue(), 'CONFIG GET maxmemory', 'older history is gone');
  assert.deepEqual(harness.problems, []);
});

test('cancelling the reset (button or Escape) keeps everything', async () => {
  const page = await open();
  await page.run('SET keep me');
  await page.openReset();
  await page.page.getByTestId('reset-cancel').click();
  await page.resetDialog.waitFor({ state: 'hidden' });
  await page.openReset();
  await page.page.keyboard.press('Escape');
  await page.resetDialog.waitFor({ state: 'hidden' });
  assert.deepEqual((await page.keys()).map((k) => k.key), ['keep']);
  assert.equal(await page.exchangeCount(), 1);
});

test('the reset window event resets without asking', async () => {
  const page = await open();
  await page.run('SET gone soon');
  await page.page.evaluate(() => window.dispatchEvent(new CustomEvent('redis-playground:reset', { detail: {} })));
  await page.page.getByTestId('key-count').getByText('0 keys', { exact: true }).waitFor();
  assert.equal(await page.resetDialog.isVisible(), false);
});

test('panels resize with the keyboard, and the sizes survive a reload and a reset', async () => {
  const page = await open({ width: 1440, height: 900 });
  const columns = page.separator('columns');
  assert.equal(await columns.getAttribute('role'), 'separator');
  assert.equal(await page.separatorValue('columns'), 60);
  const consoleWidth = () => page.page.locator('.panel.console').evaluate((el) => el.getBoundingClientRect().width);
  const before = await consoleWidth();
  await columns.focus();
  await page.page.keyboard.press('ArrowRight');
  await page.page.keyboard.press('ArrowRight');
  await page.page.keyboard.press('Shift+ArrowRight');
  assert.equal(await page.separatorValue('columns'), 74);
  assert.equal(await columns.getAttribute('aria-valuetext'), '74 % of the width');
  assert.ok((await consoleWidth()) > before + 150, 'the console grew');
  await page.separator('rows').focus();
  await page.page.keyboard.press('ArrowUp');
  assert.equal(await page.separatorValue('rows'), 56);
  await page.reload();
  assert.equal(await page.separatorValue('columns'), 74);
  assert.equal(await page.separatorValue('rows'), 56);
  await page.reset();
  assert.equal(await page.separatorValue('columns'), 74);
  await page.separator('columns').focus();
  await page.page.keyboard.press('End');
  assert.equal(await page.separatorValue('columns'), 75);
});

test('the separators follow the pointer too', async () => {
  const page = await open({ width: 1440, height: 900 });
  const box = await page.separator('columns').boundingBox();
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.page.mouse.move(x, y);
  await page.page.mouse.down();
  await page.page.mouse.move(x - 200, y, { steps: 5 });
  await page.page.mouse.up();
  const value = await page.separatorValue('columns');
  assert.ok(value >= 43 && value <= 47, `dragged 200 px left of 60 %: ${value}`);
});

test('an idle page does not rewrite its save', async () => {
  const page = await open();
  await page.run('SET idle yes');
  const saved = () => page.page.evaluate(() => localStorage.getItem('redis-playground.v1.state'));
  await page.page.waitForFunction(() => localStorage.getItem('redis-playground.v1.state') !== null);
  await page.page.waitForTimeout(800);
  const first = await saved();
  await page.page.waitForTimeout(2500);
  assert.equal(await saved(), first);
});

test('at 360 px nothing scrolls sideways, with a long key open and with the reset dialog', async () => {
  const page = await open({ width: 360, height: 740 });
  await page.run(`HSET ${'user:profile:'.repeat(8)}1 name Ada bio ${'x'.repeat(200)}`);
  await page.page.getByTestId('key-list').locator('.key-row').first().click();
  await page.page.getByTestId('key-detail').waitFor();
  assert.equal(await page.hasHorizontalScroll(), false);
  await page.openReset();
  assert.equal(await page.hasHorizontalScroll(), false);
  const box = await page.resetDialog.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, 'the dialog fits');
  await page.page.keyboard.press('Escape');
  assert.deepEqual(harness.problems, []);
});
