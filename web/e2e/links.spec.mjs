// Links into the learner's own playground (the full page, which restores their save): a link's
// setup commands (`?commands=`, share links) wait for the learner, and a link's code (`?code=`,
// `#share=`, on load or pasted into an open tab) never silently replaces theirs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';
import { EditorPanel, PlaygroundPage, RunnerApi } from './playground-page.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

/** Loads `path` afresh in the same tab (same browser storage), as the learner opening a link. */
async function openLink(page, path) {
  await page.goto('about:blank');
  await page.goto(path.startsWith('http') ? path : harness.url + path);
  return new PlaygroundPage(page).ready();
}

const MINE = "// mine <img src=x onerror=\"window.__injected = 1\">\nconsole.log('my own code');\n";
const SHARED = "// from a friend\nconsole.log('shared');\n";

test('a link with commands= does not run them on the saved playground: they are offered', async () => {
  const known = harness.problems.length;
  const page = await harness.open('');
  const playground = await new PlaygroundPage(page).ready();
  await playground.run('SET other precious');
  // The link an embed's "Open ↗" or anyone else may send.
  await openLink(page, '?panels=console&commands=FLUSHALL%0ASET%20a%201');
  const editor = new EditorPanel(page);
  await editor.offer.waitFor();
  assert.equal(await editor.offer.getAttribute('data-from'), 'page');
  assert.equal(await page.getByTestId('share-commands').textContent(), 'FLUSHALL\nSET a 1');
  // The editor panel is shown for the offer although `panels` names only the console.
  assert.equal(await editor.offer.isVisible(), true);
  assert.equal(await playground.exchangeCount(), 0, 'nothing ran in the console');
  assert.equal(await new RunnerApi(page).engine('GET', 'other'), 'precious');
  assert.equal(await new RunnerApi(page).engine('EXISTS', 'a'), 0);
  // Back on the learner's own page: the key is still there.
  await openLink(page, '');
  assert.deepEqual((await playground.keys()).map((k) => k.key), ['other']);
  // The learner may still choose to run them.
  await openLink(page, '?commands=SET%20a%201%0AINCR%20a');
  await page.getByTestId('share-run-setup').click();
  await page.getByText('Setup commands ran.').waitFor();
  assert.deepEqual(await editor.lines(), ['> SET a 1', 'OK', '> INCR a', '(integer) 2']);
  assert.equal(await editor.offer.count(), 0, 'done with, the offer goes');
  await page.getByTestId('key-count').getByText('2 keys', { exact: true }).waitFor();
  assert.deepEqual((await playground.keys()).map((k) => k.key).sort(), ['a', 'other']);
  assert.deepEqual(harness.problems.slice(known), []);
});

test("a share link's code goes in as an undoable change, and the notice brings the previous code back", async () => {
  const known = harness.problems.length;
  const page = await harness.open('');
  await new PlaygroundPage(page).ready();
  const editor = await new EditorPanel(page).ready();
  await editor.setCode(MINE);
  const link = await editor.shareLinkFor({ code: SHARED });
  await openLink(page, link);
  await editor.waitForCode(SHARED);
  const notice = editor.replacedNotice;
  await notice.waitFor();
  // Named as text: the learner's markup is shown, never run.
  assert.equal(
    await page.getByTestId('code-replaced-what').textContent(),
    '2 lines, beginning “// mine <img src=x onerror="window.__injected = 1">”',
  );
  assert.equal(await notice.locator('img').count(), 0);
  assert.equal(await page.evaluate(() => window.__injected), undefined);
  // CodeMirror loads only now, and still Ctrl+Z takes the link's code back.
  await editor.ready();
  assert.match(await editor.content.textContent(), /from a friend/);
  await editor.undo();
  await editor.waitForCode(MINE);
  // The notice's button does too, after a reload (the shared code was saved meanwhile).
  await openLink(page, link);
  await editor.waitForCode(SHARED);
  await page.reload();
  await new PlaygroundPage(page).ready();
  await editor.waitForCode(SHARED);
  await notice.waitFor();
  await page.getByTestId('code-restore').click();
  await editor.waitForCode(MINE);
  assert.equal(await notice.count(), 0);
  await page.reload();
  await new PlaygroundPage(page).ready();
  await editor.waitForCode(MINE);
  assert.equal(await notice.count(), 0, 'brought back, the copy is forgotten');
  assert.deepEqual(harness.problems.slice(known), []);
});

test('?code= on the full page is a change the learner can take back; "Keep the new code" forgets the old', async () => {
  const page = await harness.open('');
  await new PlaygroundPage(page).ready();
  const editor = await new EditorPanel(page).ready();
  await editor.setCode(MINE);
  await openLink(page, `?code=${encodeURIComponent(SHARED)}`);
  await editor.waitForCode(SHARED);
  await editor.replacedNotice.waitFor();
  await editor.ready();
  await editor.undo();
  await editor.waitForCode(MINE);
  // Again, and this time the learner keeps the link's code.
  await openLink(page, `?code=${encodeURIComponent(SHARED)}`);
  await editor.replacedNotice.waitFor();
  await page.getByTestId('code-keep-new').click();
  assert.equal(await editor.replacedNotice.count(), 0);
  await openLink(page, '');
  await editor.waitForCode(SHARED);
  assert.equal(await editor.replacedNotice.count(), 0);
});

test('replacing the first-visit example or an empty editor shows no notice', async () => {
  const page = await harness.open('');
  await new PlaygroundPage(page).ready();
  const editor = new EditorPanel(page);
  const link = await editor.shareLinkFor({ code: SHARED });
  await openLink(page, link);
  await editor.waitForCode(SHARED);
  await editor.offer.waitFor();
  assert.equal(await editor.replacedNotice.count(), 0);
  // Still undoable.
  await editor.ready();
  await editor.undo();
  await page.waitForFunction(() => document.querySelector('[data-testid=editor-fallback]').value.includes('Cache-aside'));
  await editor.setCode('');
  await openLink(page, link);
  await editor.waitForCode(SHARED);
  await editor.offer.waitFor();
  assert.equal(await editor.replacedNotice.count(), 0);
});

test('a share link pasted into an open tab (only the hash changes) opens like a fresh load', async () => {
  const known = harness.problems.length;
  const page = await harness.open('');
  await new PlaygroundPage(page).ready();
  const editor = await new EditorPanel(page).ready();
  await editor.setCode(MINE);
  const link = await editor.shareLinkFor({ code: SHARED, commands: ['SET pasted yes'] });
  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, link.slice(link.indexOf('#') + 1));
  await editor.waitForCode(SHARED);
  await editor.offer.waitFor();
  assert.equal(await editor.offer.getAttribute('data-from'), 'share');
  assert.equal(await page.getByTestId('share-commands').textContent(), 'SET pasted yes');
  assert.equal(await page.evaluate(() => window.location.hash), '', 'the link is read once');
  await editor.replacedNotice.waitFor();
  assert.match(await editor.content.textContent(), /from a friend/);
  await editor.undo();
  await editor.waitForCode(MINE);
  // Nothing ran.
  assert.equal(await new RunnerApi(page).engine('EXISTS', 'pasted'), 0);
  // Another hash (the header's Lessons link) is no share link.
  await page.getByTestId('lessons-link').click();
  await page.waitForTimeout(200);
  await editor.waitForCode(MINE);
  assert.deepEqual(harness.problems.slice(known), []);
});
