// The lesson and quiz panels in the built page: open a lesson from the picker, run its example,
// fail then pass its challenge, answer its quiz, find progress kept after a reload; lessons from
// an embedding page (load-lesson), broken ones, and HTML in lesson text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness } from './harness.mjs';
import { EditorPanel, PlaygroundPage } from './playground-page.mjs';
import { parseLesson } from '../js/lessons/parse.js';

const lessonFile = (file) => parseLesson(readFileSync(new URL(`../lessons/${file}`, import.meta.url), 'utf8'), file);
const keys = lessonFile('01-keys-and-values.md');

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

/** Records the lesson panels' window events in `window.__lessonEvents`. */
async function recordEvents(page) {
  await page.evaluate(() => {
    window.__lessonEvents = [];
    for (const type of ['challenge-result', 'quiz-answer', 'progress']) {
      window.addEventListener(`redis-playground:${type}`, (e) => window.__lessonEvents.push({ type, detail: e.detail }));
    }
  });
}
const events = (page, type) =>
  page.evaluate((t) => window.__lessonEvents.filter((e) => e.type === t).map((e) => e.detail), type);

async function openLesson(page, id) {
  await page.waitForSelector('[data-testid=lesson-picker] option[value=keys-and-values]', { state: 'attached' });
  await page.selectOption('[data-testid=lesson-picker]', id);
  await page.waitForSelector(`[data-testid=lesson][data-lesson=${id}] [data-testid=lesson-title]`);
}

async function setCode(page, code) {
  // The editor's signal (the temporary text area shows and edits the same text).
  await page.evaluate((c) => window.redisPlayground.editorCode.set(c), code);
}

async function check(page) {
  await page.click('[data-testid=challenge-check]');
  await page.waitForSelector('[data-testid=challenge-result][data-state=passed], [data-testid=challenge-result][data-state=failed]', { timeout: 20_000 });
  return page.getAttribute('[data-testid=challenge-result]', 'data-state');
}

test('open a lesson: its explanation, example and brief show; the starter goes into the editor', async () => {
  const page = await harness.open();
  await openLesson(page, 'keys-and-values');
  assert.equal(await page.textContent('[data-testid=lesson-title]'), 'Keys and values');
  assert.equal(await page.evaluate(() => window.redisPlayground.currentLesson()), 'keys-and-values');
  assert.match(await page.textContent('[data-testid=lesson-explanation]'), /Redis is a server that keeps a big dictionary/);
  // Markdown rendered: bold and code elements, lists.
  assert.ok((await page.$$('[data-testid=lesson-explanation] strong')).length > 0);
  assert.ok((await page.$$('[data-testid=lesson-explanation] li code')).length > 0);
  assert.match(await page.textContent('[data-testid=challenge-brief]'), /saveUser\(user\)/);
  assert.equal(await page.evaluate(() => window.redisPlayground.editorCode.get()), keys.challenge.starter);
  // The starter is in the script editor.
  assert.equal(await new EditorPanel(page).code(), keys.challenge.starter);
  // The quiz panel shows the lesson's questions.
  assert.equal((await page.$$('[data-testid=quiz] [data-testid=quiz-question]')).length, keys.quiz.length);
  assert.deepEqual(harness.problems, []);
});

test('run the example: its output shows in the lesson', async () => {
  const page = await harness.open();
  await openLesson(page, 'keys-and-values');
  await page.click('[data-testid=lesson-run-example]');
  await page.waitForFunction(() => /fr/.test(document.querySelector('[data-testid=lesson-example-output]').textContent));
  const out = await page.textContent('[data-testid=lesson-example-output]');
  assert.match(out, /hello/);
  assert.match(out, /null/);
  assert.deepEqual(harness.problems, []);
});

test('an example waiting for a message says so, shows its lines as they come, hears the console, and can be stopped', async () => {
  const page = await harness.open();
  const playground = await new PlaygroundPage(page).ready();
  await page.waitForSelector('[data-testid=lesson-picker]');
  const listening = {
    ...keys,
    id: 'listening-lesson',
    example: `import Redis from 'ioredis';
const sub = new Redis();
await sub.subscribe('news');
console.log('subscribed');
const text = await new Promise((resolve) => sub.on('message', (channel, message) => resolve(message)));
console.log('heard', text);
await sub.quit();
`,
  };
  await page.evaluate((lesson) => window.dispatchEvent(new CustomEvent('redis-playground:load-lesson', { detail: { lesson } })), listening);
  await page.waitForSelector('[data-testid=lesson][data-lesson=listening-lesson]');
  const output = page.getByTestId('lesson-example-output');
  const stop = page.getByTestId('lesson-stop-example');
  assert.equal(await stop.isVisible(), false);
  await page.click('[data-testid=lesson-run-example]');
  const waiting = page.locator('[data-testid=lesson-example-status][data-waiting=true]');
  await waiting.waitFor();
  assert.match(await waiting.textContent(), /^Listening: the example waits for messages \(try PUBLISH in the console\)/);
  assert.match(await output.textContent(), /^subscribed/);
  assert.equal(await stop.isVisible(), true);
  assert.equal(await page.isDisabled('[data-testid=lesson-run-example]'), true);
  await playground.run('PUBLISH news hello');
  assert.equal((await playground.lastReply()).trim(), '(integer) 1');
  await output.getByText('heard hello').waitFor();
  await page.waitForSelector('[data-testid=lesson-example-status]', { state: 'detached' });
  assert.equal(await output.textContent(), 'subscribedheard hello');
  assert.equal(await stop.isVisible(), false);

  // Again, and stopped while it listens: the lines so far stay, the panel is ready for a new run.
  await page.click('[data-testid=lesson-run-example]');
  await waiting.waitFor();
  await stop.click();
  await page.waitForSelector('[data-testid=lesson-example-status]', { state: 'detached' });
  assert.equal(await output.textContent(), 'subscribedStopped.');
  assert.equal(await page.isEnabled('[data-testid=lesson-run-example]'), true);
  await playground.run('PUBSUB NUMSUB news');
  assert.match(await playground.lastReply(), /2\) \(integer\) 0/);

  // Listening when another lesson opens: it ends with its panel.
  await page.click('[data-testid=lesson-run-example]');
  await waiting.waitFor();
  await openLesson(page, 'keys-and-values');
  await page.waitForFunction(() => {
    const { engine } = window.redisPlayground;
    const id = engine.connect();
    const subscribers = engine.exec(id, ['PUBSUB', 'NUMSUB', 'news'])[1];
    engine.disconnect(id);
    return subscribers === 0;
  });
  assert.deepEqual(harness.problems, []);
});

test('fail the challenge with the starter, then pass it with the reference solution typed in', async () => {
  const page = await harness.open();
  await recordEvents(page);
  await openLesson(page, 'keys-and-values');
  assert.equal(await check(page), 'failed');
  const failed = await page.$$('[data-testid=challenge-result] .check[data-passed=false]');
  assert.ok(failed.length > 0);
  assert.match(await page.textContent('[data-testid=challenge-result]'), /saveUser stores the user as JSON[\s\S]*Hint:/);
  let results = await events(page, 'challenge-result');
  assert.equal(results.length, 1);
  assert.equal(results[0].lesson, 'keys-and-values');
  assert.equal(results[0].passed, false);
  assert.ok(results[0].checks.some((c) => !c.passed && c.message));

  const editor = await new EditorPanel(page).ready();
  await editor.setCode(keys.challenge.solution);
  assert.equal(await page.evaluate(() => window.redisPlayground.editorCode.get()), keys.challenge.solution);
  assert.equal(await check(page), 'passed');
  assert.match(await page.textContent('[data-testid=challenge-result]'), /All 3 checks passed/);
  results = await events(page, 'challenge-result');
  assert.equal(results[1].passed, true);
  assert.ok(results[1].checks.every((c) => c.passed));
  const progress = await events(page, 'progress');
  assert.deepEqual(progress.at(-1), { lesson: 'keys-and-values', completed: false, challengePassed: true, quizCorrect: 0, quizTotal: keys.quiz.length });
  assert.deepEqual(harness.problems, []);
});

test('answer the quiz: explanations and score; progress is kept across a reload', async () => {
  const page = await harness.open();
  await recordEvents(page);
  await openLesson(page, 'keys-and-values');
  const question = (i) => `[data-testid=quiz] [data-testid=quiz-question]:nth-child(${i + 1})`;
  // A wrong answer first: the verdict and every option's explanation show.
  const wrong = keys.quiz[0].options.findIndex((o) => !o.correct);
  await page.check(`${question(0)} input[value="${wrong}"]`);
  await page.click(`${question(0)} [data-testid=quiz-check]`);
  assert.match(await page.textContent(`${question(0)} .quiz-verdict`), /Not quite/);
  assert.equal(await page.getAttribute(question(0), 'data-answered'), 'wrong');
  const shown = await page.$$eval(`${question(0)} [data-testid=quiz-explanation]`, (els) => els.filter((e) => !e.hidden).map((e) => e.textContent));
  // Rendered as inline Markdown: `code` loses its backticks.
  assert.deepEqual(shown, keys.quiz[0].options.map((o) => o.explanation.replaceAll('`', '')));
  // The answer is kept: the choices and the button are disabled, so the verdict cannot be
  // made to sit beside another choice; Retry starts the quiz afresh.
  const right = keys.quiz[0].options.findIndex((o) => o.correct);
  assert.equal(await page.isDisabled(`${question(0)} input[value="${right}"]`), true);
  assert.equal(await page.isDisabled(`${question(0)} [data-testid=quiz-check]`), true);
  await page.click('[data-testid=quiz-retry]');
  assert.equal(await page.getAttribute(question(0), 'data-answered'), null);
  assert.equal(await page.isDisabled(`${question(0)} input[value="${right}"]`), false);
  // Then every question right.
  for (const [i, q] of keys.quiz.entries()) {
    for (const [j, o] of q.options.entries()) {
      const input = `${question(i)} input[value="${j}"]`;
      if (o.correct) await page.check(input);
      else if (q.multiple) await page.uncheck(input);
    }
    await page.click(`${question(i)} [data-testid=quiz-check]`);
    assert.equal(await page.getAttribute(question(i), 'data-answered'), 'correct', `question ${i + 1}`);
  }
  assert.equal(await page.textContent('[data-testid=quiz-score]'), `Score: ${keys.quiz.length} / ${keys.quiz.length}`);
  const answers = await events(page, 'quiz-answer');
  assert.deepEqual(answers[0], { lesson: 'keys-and-values', question: 0, answer: [wrong], correct: false });
  assert.equal(answers.at(-1).correct, true);

  // Pass the challenge too: the lesson is complete, and the picker says so after a reload.
  await setCode(page, keys.challenge.solution);
  assert.equal(await check(page), 'passed');
  const progress = await events(page, 'progress');
  assert.equal(progress.at(-1).completed, true);

  await page.reload();
  await page.waitForSelector('[data-testid=lesson][data-lesson=keys-and-values] [data-testid=lesson-title]');
  const option = await page.$('[data-testid=lesson-picker] option[value=keys-and-values]');
  assert.equal(await option.getAttribute('data-complete'), 'true');
  assert.match(await option.textContent(), /^✓/);
  assert.equal(await page.textContent('[data-testid=quiz-score]'), `Score: ${keys.quiz.length} / ${keys.quiz.length}`);
  assert.match(await page.textContent('[data-testid=challenge-result]'), /passed this challenge before/);

  // Retry clears the quiz answers.
  await page.click('[data-testid=quiz-retry]');
  assert.equal(await page.textContent('[data-testid=quiz-score]'), `Score: 0 / ${keys.quiz.length} (${keys.quiz.length} to answer)`);
  assert.deepEqual(harness.problems, []);
});

test('each quiz question is a card: its number and text inside its border, above the choices', async () => {
  const page = await harness.open();
  await openLesson(page, 'keys-and-values');
  const layout = await page.$$eval('[data-testid=quiz] [data-testid=quiz-question]', (items) =>
    items.map((item) => {
      const box = item.querySelector('fieldset').getBoundingClientRect();
      const legend = item.querySelector('legend');
      const text = legend.getBoundingClientRect();
      const choices = item.querySelector('.quiz-options').getBoundingClientRect();
      return {
        inside: text.top > box.top && text.left > box.left && text.right < box.right,
        above: text.bottom <= choices.top,
        marker: getComputedStyle(item).listStyleType,
        number: getComputedStyle(legend, '::before').content,
      };
    }),
  );
  assert.equal(layout.length, keys.quiz.length);
  layout.forEach((question, i) => {
    // A legend straddles the border unless it is floated into the box; the number is the
    // legend's own, not a list marker beside the card.
    assert.deepEqual(question, { inside: true, above: true, marker: 'none', number: 'counter(quiz-question) ". "' }, `question ${i + 1}`);
  });
});

test('load-lesson opens a lesson object from an embedding page; HTML in it stays text', async () => {
  const page = await harness.open();
  await page.waitForSelector('[data-testid=lesson-picker]');
  const custom = {
    ...keys,
    id: 'custom-lesson',
    title: 'Custom <b>lesson</b>',
    explanation: 'Hello <img src=x onerror="window.__pwned=1"> **world** <script>window.__pwned=2</script>',
  };
  await page.evaluate((lesson) => window.dispatchEvent(new CustomEvent('redis-playground:load-lesson', { detail: { lesson } })), custom);
  await page.waitForSelector('[data-testid=lesson][data-lesson=custom-lesson]');
  assert.equal(await page.textContent('[data-testid=lesson-title]'), 'Custom <b>lesson</b>');
  assert.match(await page.textContent('[data-testid=lesson-explanation]'), /Hello <img src=x onerror="window.__pwned=1"> world <script>/);
  assert.equal((await page.$$('[data-testid=lesson] img, [data-testid=lesson] script, [data-testid=lesson-title] b')).length, 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(harness.problems, []);
});

test('each lesson keeps the code written for it: opening another puts that aside, with a note', async () => {
  const page = await harness.open();
  await openLesson(page, 'keys-and-values');
  const code = () => page.evaluate(() => window.redisPlayground.editorCode.get());
  assert.equal(await code(), keys.challenge.starter);
  await setCode(page, '// my keys-and-values work\n');
  await openLesson(page, 'leaderboard');
  const board = lessonFile('09-leaderboard.md');
  assert.equal(await code(), board.challenge.starter, 'the new lesson gets its own starter');
  assert.match(await page.textContent('[data-testid=lesson-note]'), /Your code for “Keys and values” is kept/);
  // Back: the work comes back; the leaderboard starter, untouched, is simply replaced.
  await openLesson(page, 'keys-and-values');
  assert.equal(await code(), '// my keys-and-values work\n');
  assert.equal(await page.$('[data-testid=lesson-note]'), null);
  // Kept across a reload too.
  await setCode(page, keys.challenge.starter);
  await openLesson(page, 'leaderboard');
  await setCode(page, '// my board\n');
  // Left at its starter, the first lesson's earlier work is not brought back.
  await openLesson(page, 'keys-and-values');
  assert.equal(await code(), keys.challenge.starter);
  await page.reload();
  await openLesson(page, 'leaderboard');
  assert.equal(await code(), '// my board\n');
  assert.deepEqual(harness.problems, []);
});

test('a lesson without a summary or a quick reference shows no stray text', async () => {
  const page = await harness.open();
  await page.waitForSelector('[data-testid=lesson-picker]');
  const bare = { ...keys, id: 'bare-lesson', summary: '', reference: '' };
  await page.evaluate((lesson) => window.dispatchEvent(new CustomEvent('redis-playground:load-lesson', { detail: { lesson } })), bare);
  await page.waitForSelector('[data-testid=lesson][data-lesson=bare-lesson] [data-testid=lesson-title]');
  // No text of its own directly in the lesson body (a null part would show as "null").
  const stray = await page.$eval('[data-testid=lesson] .lesson-body', (body) =>
    [...body.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '').map((n) => n.textContent),
  );
  assert.deepEqual(stray, []);
  assert.equal(await page.$('[data-testid=lesson-reference]'), null);
});

test('a lesson with a mistake shows a clear error and the page keeps working', async () => {
  const page = await harness.open();
  await page.waitForSelector('[data-testid=lesson-picker]');
  const broken = { ...keys, id: 'broken-one', quiz: [{ question: 'Which?', options: [{ text: 'a', explanation: 'x' }, { text: 'b', explanation: 'y' }] }] };
  await page.evaluate((lesson) => window.dispatchEvent(new CustomEvent('redis-playground:load-lesson', { detail: { lesson } })), broken);
  await page.waitForSelector('[data-testid=lesson-error]');
  assert.match(await page.textContent('[data-testid=lesson-error]'), /quiz question 1: no option is correct/);
  // Other lessons still open.
  await openLesson(page, 'ttl-and-expiry');
  assert.equal(await page.textContent('[data-testid=lesson-title]'), 'TTL and expiry');
  await page.evaluate(() => window.redisPlayground.openLesson('no-such-lesson'));
  assert.match(await page.textContent('[data-testid=lesson-error]'), /There is no lesson "no-such-lesson"/);
  assert.deepEqual(harness.problems, []);
});

test('the Lessons link in the header takes the learner to the lesson panel', async () => {
  const page = await harness.open();
  await page.setViewportSize({ width: 1280, height: 720 });
  const panel = page.getByTestId('lesson');
  const inView = () => panel.evaluate((el) => el.getBoundingClientRect().top < window.innerHeight);
  assert.equal(await inView(), false, 'below the fold at first');
  await page.getByTestId('lessons-link').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson]').getBoundingClientRect().top < window.innerHeight);
  assert.deepEqual(harness.problems, []);
});

test('a lesson asked for while another still loads wins, even when the other finishes later', async () => {
  // The learner last opened keys-and-values: the page reopens it at start-up.
  const page = await harness.open('', {
    init: "localStorage.setItem('redis-playground.v1.lessons.last', 'keys-and-values');",
  });
  // The built-in lesson files arrive late, so that reopening it ends after the next request.
  await page.route('**/lessons/*.md', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  const hosted = readFileSync(new URL('../lessons/03-cache-aside.md', import.meta.url), 'utf8');
  await page.route('**/hosted/cache-aside.md', (route) => route.fulfill({ contentType: 'text/markdown', body: hosted }));
  await page.reload();
  await page.waitForFunction(() => window.redisPlayground?.openLesson);
  // An embedding page asks for a hosted lesson file meanwhile.
  await page.evaluate((lesson) => {
    window.dispatchEvent(new CustomEvent('redis-playground:load-lesson', { detail: { lesson } }));
  }, `${harness.url}hosted/cache-aside.md`);
  await page.waitForSelector('[data-testid=lesson][data-lesson=cache-aside] [data-testid=lesson-title]');
  // Past the late lesson files (and a moment to draw), the asked lesson is still shown.
  await page.waitForTimeout(2500);
  assert.equal(await page.evaluate(() => window.redisPlayground.currentLesson()), 'cache-aside');
  assert.equal(await page.textContent('[data-testid=lesson-title]'), 'Cache-aside with a 50 ms database');
});

/** Clicks "Check my code" and waits for the result; resolves with it and the wall ms it took. */
async function timedCheck(page) {
  const started = Date.now();
  const state = await check(page);
  return { state, ms: Date.now() - started };
}

/** The graded checks as shown: `{ state, name, message }` each (state: pass, fail, not-run). */
function shownChecks(page) {
  return page.$$eval('[data-testid=challenge-result] .check', (items) =>
    items.map((item) => ({
      state: item.dataset.state,
      name: item.querySelector('.check-name').textContent,
      message: item.querySelector('.check-message')?.textContent ?? null,
    })),
  );
}

test('a check whose call never settles fails after its own 2 s, and the later checks show as not run', async () => {
  const page = await harness.open();
  await openLesson(page, 'cache-aside');
  await setCode(page, 'export async function getUser(id) {\n  return new Promise(() => {});\n}\n');
  const { state, ms } = await timedCheck(page);
  assert.equal(state, 'failed');
  // One check's limit, not the graded run's 10 s.
  assert.ok(ms < 6000, `the results took ${ms} ms`);
  const shown = await shownChecks(page);
  assert.equal(shown.length, 6);
  assert.equal(shown[0].state, 'fail');
  assert.equal(
    shown[0].message,
    'The check did not finish within 2 s of real time: your getUser(…) never finished: does it wait for a promise that never settles?',
  );
  for (const later of shown.slice(1)) {
    assert.equal(later.state, 'not-run', later.name);
    assert.match(later.message, /^Not run: the check “getUser answers the user” did not finish/);
  }
  assert.equal(await page.textContent('[data-testid=challenge-result] .check-summary'), '0 of 6 checks passed (5 not run).');
  assert.deepEqual(harness.problems, []);
});

test("a check's call in an endless loop: the page stops the worker and names the check and the function", async () => {
  const page = await harness.open();
  await openLesson(page, 'cache-aside');
  // The top-level code finishes; the loop starts when a check calls getUser.
  await setCode(page, 'export async function getUser(id) {\n  while (true) {}\n}\n');
  const { state, ms } = await timedCheck(page);
  assert.equal(state, 'failed');
  assert.ok(ms < 7000, `the results took ${ms} ms`);
  const shown = await shownChecks(page);
  assert.equal(shown.length, 6);
  assert.equal(shown[0].state, 'fail');
  assert.match(
    shown[0].message,
    /^Stopped after 3(\.\d)? s: your getUser\(…\) was still running, keeping the script busy \(an endless loop\?\), so the page stopped the script\.$/,
  );
  assert.ok(shown.slice(1).every((c) => c.state === 'not-run'), JSON.stringify(shown));
  // Not blamed on the script's top level.
  assert.doesNotMatch(await page.textContent('[data-testid=challenge-result]'), /did not run to the end/);
  assert.equal(await page.textContent('[data-testid=challenge-result] .check-summary'), '0 of 6 checks passed (5 not run).');
  // The next check starts afresh.
  await setCode(page, lessonFile('03-cache-aside.md').challenge.solution);
  assert.equal(await check(page), 'passed');
  assert.deepEqual(harness.problems, []);
});

test("after checks that moved the virtual clock, the lesson panel says how far: the learner's keys aged with it", async () => {
  const page = await harness.open();
  const playground = await new PlaygroundPage(page).ready();
  await playground.pauseClock();
  await playground.run('SET mine hello EX 600');
  await openLesson(page, 'ttl-and-expiry');
  await setCode(page, lessonFile('02-ttl-and-expiry.md').challenge.solution);
  assert.equal(await check(page), 'passed');
  const note = await page.textContent('[data-testid=challenge-clock]');
  const [, minutes, seconds] = note.match(/^The checks moved the virtual clock forward (\d+) min (\d+) s; keys with a TTL aged with it\.$/) ?? [];
  assert.ok(minutes, note);
  const moved = Number(minutes) * 60 + Number(seconds);
  // The check of an expired code sleeps 301 s; the database calls add a little.
  assert.ok(moved >= 301 && moved < 310, note);
  await playground.run('TTL mine');
  // (Both round to the second.)
  const ttl = Number((await playground.lastReply()).match(/^\(integer\) (\d+)/)[1]);
  assert.ok(Math.abs(ttl - (600 - moved)) <= 1, `TTL ${ttl} after the clock moved ${moved} s`);
  // A run that does not move the clock says nothing of it.
  await openLesson(page, 'keys-and-values');
  await setCode(page, keys.challenge.solution);
  assert.equal(await check(page), 'passed');
  assert.equal(await page.$('[data-testid=challenge-clock]'), null);
  assert.deepEqual(harness.problems, []);
});

test('the end of a lesson offers the next one: keyboard reachable, it opens the lesson as the picker does', async () => {
  const page = await harness.open();
  await openLesson(page, 'keys-and-values');
  const next = page.getByTestId('lesson-next');
  await next.waitFor();
  assert.equal(await next.textContent(), 'Next lesson: TTL and expiry →');
  // Under the quiz, its last part.
  const below = await page.evaluate(() => {
    const quiz = document.querySelector('[data-testid=quiz] .quiz-questions').getBoundingClientRect();
    return document.querySelector('[data-testid=lesson-next]').getBoundingClientRect().top >= quiz.bottom;
  });
  assert.equal(below, true);
  // Not complete yet: no "complete" line.
  assert.equal(await page.getByTestId('lesson-complete').isVisible(), false);
  // From the keyboard: Tab from the score's neighbour reaches it, Enter opens the next lesson.
  await page.focus('[data-testid=quiz] [data-testid=quiz-question]:last-child [data-testid=quiz-check]');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'lesson-next');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=lesson][data-lesson=ttl-and-expiry] [data-testid=lesson-title]');
  assert.equal(await page.inputValue('[data-testid=lesson-picker]'), 'ttl-and-expiry');
  assert.equal(await page.evaluate(() => window.redisPlayground.currentLesson()), 'ttl-and-expiry');
  // As the picker: the starter is in the editor, and the page reopens it after a reload.
  assert.equal(await page.evaluate(() => window.redisPlayground.editorCode.get()), lessonFile('02-ttl-and-expiry.md').challenge.starter);
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'lesson-title');
  await page.getByTestId('lesson-next').getByText('Next lesson: Cache-aside with a 50 ms database →').waitFor();
  await page.reload();
  await page.waitForSelector('[data-testid=lesson][data-lesson=ttl-and-expiry] [data-testid=lesson-title]');

  // The last lesson has none.
  await openLesson(page, 'client-side-caching');
  await page.waitForSelector('[data-testid=quiz] [data-testid=quiz-score]');
  await page.waitForTimeout(300);
  assert.equal(await page.$('[data-testid=lesson-next]'), null);
  // Nor has an embed: its course page leads on.
  const embed = await harness.open('?embed=1&panels=lesson,quiz&lesson=keys-and-values');
  await embed.waitForSelector('[data-testid=lesson][data-lesson=keys-and-values]');
  await embed.waitForSelector('[data-testid=quiz] [data-testid=quiz-score]');
  await embed.waitForTimeout(300);
  assert.equal(await embed.$('[data-testid=lesson-next]'), null);
  assert.deepEqual(harness.problems, []);
});

test('a completed lesson says so at its end, above the next lesson', async () => {
  const page = await harness.open();
  await openLesson(page, 'keys-and-values');
  const question = (i) => `[data-testid=quiz] [data-testid=quiz-question]:nth-child(${i + 1})`;
  for (const [i, q] of keys.quiz.entries()) {
    for (const [j, o] of q.options.entries()) if (o.correct) await page.check(`${question(i)} input[value="${j}"]`);
    await page.click(`${question(i)} [data-testid=quiz-check]`);
  }
  assert.equal(await page.getByTestId('lesson-complete').isVisible(), false, 'the challenge is not passed yet');
  await setCode(page, keys.challenge.solution);
  assert.equal(await check(page), 'passed');
  const done = page.getByTestId('lesson-complete');
  await done.waitFor();
  assert.equal(await done.textContent(), '✓ Lesson complete: challenge passed and every quiz answer right.');
  assert.equal(await page.getByTestId('lesson-next').isVisible(), true);
  assert.deepEqual(harness.problems, []);
});

test('quiz: a wrong answer points at the right one where it is (above); Retry shows once there is something to retry', async () => {
  const page = await harness.open();
  await openLesson(page, 'keys-and-values');
  const retry = page.getByTestId('quiz-retry');
  assert.equal(await retry.isVisible(), false, 'nothing answered yet');
  const question = '[data-testid=quiz] [data-testid=quiz-question]:nth-child(1)';
  const wrong = keys.quiz[0].options.findIndex((o) => !o.correct);
  const right = keys.quiz[0].options.findIndex((o) => o.correct);
  await page.check(`${question} input[value="${wrong}"]`);
  await page.click(`${question} [data-testid=quiz-check]`);
  const verdict = await page.textContent(`${question} .quiz-verdict`);
  assert.equal(verdict, 'Not quite: the right answer is marked ✓ above, and each choice says why.');
  const layout = await page.$eval(question, (item) => {
    const marks = [...item.querySelectorAll('.quiz-right')].filter((m) => !m.hidden);
    return {
      marked: marks.map((m) => Number(m.closest('.quiz-option').querySelector('input').value)),
      above: marks.every((m) => m.getBoundingClientRect().bottom <= item.querySelector('.quiz-verdict').getBoundingClientRect().top),
    };
  });
  assert.deepEqual(layout, { marked: [right], above: true });
  assert.equal(await retry.isVisible(), true);
  await retry.click();
  assert.equal(await page.getByTestId('quiz-retry').isVisible(), false);
  assert.deepEqual(harness.problems, []);
});
