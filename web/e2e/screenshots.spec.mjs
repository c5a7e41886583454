// Screenshots of the page's main states, written as test artifacts (PNG) into the git-ignored
// test-results/screenshots/: the console, the key browser with a value open, the timeline after
// activity, the dark theme, and the page at phone (360 px), tablet (768 px) and wide (1440 px)
// widths. Look at them after a change to the page; the spec checks only that each was written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { startHarness } from './harness.mjs';
import { EditorPanel, PlaygroundPage } from './playground-page.mjs';

const DIR = 'test-results/screenshots';
let harness;
before(async () => {
  mkdirSync(DIR, { recursive: true });
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

async function open(viewport = { width: 1280, height: 800 }, { dark = false } = {}) {
  const page = await new PlaygroundPage(await harness.open('', { viewport })).ready();
  const toggle = page.page.getByTestId('theme-toggle');
  if ((await toggle.getAttribute('aria-pressed')) !== String(dark)) await toggle.click();
  // The editor as a learner sees it once they reach for it (CodeMirror loads then).
  await new EditorPanel(page.page).ready();
  return page;
}

async function activity(page) {
  await page.pauseClock();
  for (const line of [
    'SET user:1 "{\\"name\\":\\"Ada\\"}" EX 60',
    'GET user:1',
    'GET user:2',
    'HSET profile:1 name Ada lang en city London',
    'RPUSH queue job:1 job:2 job:3',
    'ZADD leaderboard 120 alice 95 bob 143 carol',
    'INCR visits',
    'GET user:1',
  ]) {
    await page.run(line);
  }
}

async function shoot(page, name) {
  const path = `${DIR}/${name}.png`;
  await page.page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 1000, `${path} written`);
}

test('console', async () => {
  const page = await open();
  await activity(page);
  await page.run('HELP SET');
  await page.type('EXPIRE user:1 ');
  await shoot(page, 'console');
});

test('key browser with a value open', async () => {
  const page = await open();
  await activity(page);
  await page.page.getByTestId('key-list').locator('.key-row', { hasText: 'profile:1' }).click();
  await page.page.getByTestId('key-detail').waitFor();
  await shoot(page, 'key-browser');
});

test('timeline after activity', async () => {
  const page = await open();
  await activity(page);
  await page.advanceClock('+10 s');
  for (let i = 0; i < 6; i++) await page.run(i % 3 ? 'GET user:1' : 'GET missing');
  await page.advanceClock('+1 min');
  await page.run('GET user:1');
  await page.page.getByTestId('timeline').scrollIntoViewIfNeeded();
  await shoot(page, 'timeline');
});

test('dark theme', async () => {
  const page = await open({ width: 1280, height: 800 }, { dark: true });
  await activity(page);
  await page.page.getByTestId('key-list').locator('.key-row', { hasText: 'leaderboard' }).click();
  await shoot(page, 'dark');
  // A keyboard move shows the focus ring (:focus-visible).
  await page.separator('columns').focus();
  await page.page.keyboard.press('ArrowLeft');
  await shoot(page, 'dark-focus');
});

for (const [name, viewport] of [
  ['phone-360', { width: 360, height: 740 }],
  ['tablet-768', { width: 768, height: 1024 }],
  ['wide-1440', { width: 1440, height: 900 }],
]) {
  test(`${name}`, async () => {
    const page = await open(viewport);
    await activity(page);
    await shoot(page, name);
    if (name === 'phone-360') {
      await page.openReset();
      await shoot(page, 'phone-360-reset-dialog');
    }
  });
}
