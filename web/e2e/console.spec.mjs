// The console in the built page answers as redis-cli does.
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

function openConsole() {
  return openPlayground(harness);
}

test('SET then GET answers OK and the quoted value', async () => {
  const page = await openConsole();
  await page.run('SET foo bar');
  assert.equal(await page.lastReply(), 'OK\n');
  await page.run('GET foo');
  assert.equal(await page.lastReply(), '"bar"\n');
  assert.deepEqual(harness.problems, []);
});

test('an unknown command gets Redis 7 error text', async () => {
  const page = await openConsole();
  await page.run('FOO a b');
  assert.equal(await page.lastReply(), "(error) ERR unknown command 'FOO', with args beginning with: 'a' 'b' \n");
  assert.deepEqual(harness.problems, []);
});

test('an empty line prints nothing', async () => {
  const page = await openConsole();
  await page.run('');
  assert.equal(await page.lastReply(), '');
  await page.run('PING');
  assert.equal(await page.lastReply(), 'PONG\n');
  assert.deepEqual(harness.problems, []);
});

test('unbalanced quotes get redis-cli\'s error and run nothing', async () => {
  const page = await openConsole();
  await page.run('SET k "unterminated');
  assert.equal(await page.lastReply(), 'Invalid argument(s)\n');
  await page.run('GET k');
  assert.equal(await page.lastReply(), '(nil)\n');
  assert.deepEqual(harness.problems, []);
});
