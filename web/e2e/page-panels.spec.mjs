// The clock, the key browser and the timeline in the built page.
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

test('the key browser counts a TTL down as the clock advances, then the key expires', async () => {
  const page = await open();
  await page.pauseClock();
  await page.run('SET session:1 alice EX 15');
  assert.deepEqual(await page.keys(), [{ key: 'session:1', type: 'string', ttl: '15 s' }]);
  await page.advanceClock('+10 s');
  await page.page.getByTestId('key-ttl').getByText('5 s').waitFor();
  await page.advanceClock('+10 s');
  await page.page.getByTestId('key-count').getByText('0 keys').waitFor();
  await page.run('GET session:1');
  assert.equal(await page.lastReply(), '(nil)\n');
});

test('the key browser filters by pattern and shows values per type', async () => {
  const page = await open();
  await page.run('HSET user:1 name Ada lang en');
  await page.run('RPUSH queue a b');
  await page.run('ZADD board 3 x 1 y');
  await page.page.getByTestId('key-filter').fill('user:*');
  assert.deepEqual((await page.keys()).map((k) => k.key), ['user:1']);
  await page.page.getByTestId('key-list').locator('.key-row').first().click();
  const detail = page.page.getByTestId('key-detail');
  assert.match(await detail.textContent(), /hash · listpack/);
  assert.equal(await detail.locator('tbody tr').count(), 2);
  await page.page.getByTestId('key-filter').fill('');
  await page.page.getByTestId('key-list').locator('.key-row', { hasText: 'board' }).click();
  assert.deepEqual(await detail.locator('tbody td').allTextContents(), ['y', '1', 'x', '3']);
});

test('the key browser counts "1 key", "2 keys", "0 keys"', async () => {
  const page = await open();
  const count = page.page.getByTestId('key-count');
  await count.getByText('0 keys', { exact: true }).waitFor();
  await page.run('SET a 1');
  await count.getByText('1 key', { exact: true }).waitFor();
  await page.run('SET b 2');
  await count.getByText('2 keys', { exact: true }).waitFor();
  await page.page.getByTestId('key-filter').fill('a');
  await count.getByText('1 key', { exact: true }).waitFor();
  await page.page.getByTestId('key-filter').fill('');
  await page.run('DEL a b');
  await count.getByText('0 keys', { exact: true }).waitFor();
});

test('the timeline counts hits and misses exactly as INFO does', async () => {
  const page = await open();
  await page.run('SET user:1 alice');
  await page.run('GET user:1');
  await page.run('GET user:1');
  await page.run('GET user:2');
  await page.run('EXISTS user:3');
  await page.page.getByTestId('hit-rate').getByText('● 2 hits').waitFor();
  const totals = await page.page.getByTestId('hit-rate').textContent();
  await page.run('INFO stats');
  const info = await page.lastReply();
  const hits = info.match(/keyspace_hits:(\d+)/)[1];
  const misses = info.match(/keyspace_misses:(\d+)/)[1];
  assert.equal(totals, `● ${hits} hits  ✕ ${misses} misses  hit rate 50.0 %`);
});

test('the clock pauses, advances by a custom amount, and TIME follows it', async () => {
  const page = await open();
  await page.pauseClock();
  await page.run('TIME');
  const before = Number((await page.lastReply()).match(/1\) "(\d+)"/)[1]);
  await page.page.getByTestId('clock-custom').fill('2h');
  await page.page.getByTestId('clock-custom-go').click();
  await page.run('TIME');
  const after = Number((await page.lastReply()).match(/1\) "(\d+)"/)[1]);
  assert.equal(after - before, 7200);
});

test('a custom advance that is not a duration says what to type and moves nothing', async () => {
  const page = await open();
  await page.pauseClock();
  const time = async () => {
    await page.run('TIME');
    return Number((await page.lastReply()).match(/1\) "(\d+)"/)[1]);
  };
  const before = await time();
  const field = page.page.getByTestId('clock-custom');
  await field.fill('soon');
  await page.page.getByTestId('clock-custom-go').click();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match(await field.evaluate((input) => input.validationMessage), /duration such as 500ms, 90s, 5m/);
  assert.equal(await time(), before);
  // Typing again clears the complaint; a good value then advances.
  await field.fill('90s');
  assert.equal(await field.evaluate((input) => input.validationMessage), '');
  await field.press('Enter');
  assert.equal(await field.getAttribute('aria-invalid'), 'false');
  assert.equal((await time()) - before, 90);
  // Parts add up; a slip of the keyboard cannot throw the clock (which never goes back) a
  // thousand years ahead.
  await field.fill('1h30m');
  await field.press('Enter');
  assert.equal((await time()) - before, 90 + 5400);
  await field.fill('999999d');
  await field.press('Enter');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match(await field.evaluate((input) => input.validationMessage), /up to 10 years/);
  assert.equal((await time()) - before, 90 + 5400);
});

test('the header keeps the clock and the page actions on one line at 1280 px', async () => {
  const page = await open({ width: 1280, height: 800 });
  // On one line, every item starts above the title's bottom edge; a wrapped item starts below it.
  const wrapped = await page.page.evaluate(() => {
    const bar = document.querySelector('.topbar');
    const title = bar.querySelector('h1').getBoundingClientRect();
    return [...bar.children]
      .filter((item) => item.offsetHeight > 0 && item.getBoundingClientRect().top >= title.bottom)
      .map((item) => item.className);
  });
  assert.deepEqual(wrapped, []);
});

test('the page works on a 360 px wide phone', async () => {
  const page = await open({ width: 360, height: 740 });
  await page.run('SET phone yes');
  assert.equal(await page.lastReply(), 'OK\n');
  const overflow = await page.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, 'no horizontal scrolling');
  assert.deepEqual(harness.problems, []);
});

test('without a chosen theme the page follows the system colour scheme, live', async () => {
  const page = await open();
  const background = () => page.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.page.emulateMedia({ colorScheme: 'dark' });
  await page.page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(20, 22, 27)');
  assert.equal(await page.page.evaluate(() => document.documentElement.dataset.theme), undefined);
  await page.page.emulateMedia({ colorScheme: 'light' });
  await page.page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(246, 247, 249)');
  // A chosen theme wins over the system's.
  await page.page.emulateMedia({ colorScheme: 'dark' });
  await page.page.evaluate(() => {
    document.documentElement.dataset.theme = 'light';
  });
  assert.equal(await background(), 'rgb(246, 247, 249)');
  assert.deepEqual(harness.problems, []);
});

test('the theme toggle switches and remembers the theme', async () => {
  const page = await open();
  const toggle = page.page.getByTestId('theme-toggle');
  const first = await toggle.getAttribute('aria-pressed');
  await toggle.click();
  assert.notEqual(await toggle.getAttribute('aria-pressed'), first);
  const theme = await page.page.evaluate(() => document.documentElement.dataset.theme);
  await page.page.reload();
  await page.ready();
  assert.equal(await page.page.evaluate(() => document.documentElement.dataset.theme), theme);
});
