// Embedding: the <redis-playground> element (dist/embed.js), the demo course page, the
// postMessage protocol between an embed and its host page, URL parameters, and dist/ served
// from a sub-path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHarness } from './harness.mjs';
import { readFileSync } from 'node:fs';
import { EditorPanel, PlaygroundPage, RunnerApi } from './playground-page.mjs';
import { parseLesson } from '../js/lessons/parse.js';
import { serve } from '../tools/static-server.mjs';

const cacheAside = parseLesson(
  readFileSync(new URL('../lessons/03-cache-aside.md', import.meta.url), 'utf8'),
  '03-cache-aside.md',
);

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

// Records, in the host page, every event the embeds dispatch on themselves.
const RECORD_EVENTS = () => {
  window.__embedEvents = [];
  for (const type of ['playground-ready', 'command', 'script-run', 'challenge-result', 'quiz-answer', 'progress']) {
    document.addEventListener(type, (event) => {
      if (event.target.localName === 'redis-playground') {
        window.__embedEvents.push({ id: event.target.id, type, detail: event.detail });
      }
    });
  }
};

async function openDemo(options = {}) {
  return harness.open('course-demo.html', { init: RECORD_EVENTS, ...options });
}

/** Waits until the host page has recorded an event matching `match`; returns it. */
async function hostEvent(page, match) {
  const handle = await page.waitForFunction(
    ({ id, type, line }) =>
      window.__embedEvents.find((e) => e.id === id && e.type === type && (line === undefined || e.detail.line === line)),
    match,
    { timeout: 10_000 },
  );
  return handle.jsonValue();
}

async function hostEvents(page) {
  return page.evaluate(() => window.__embedEvents);
}

/** The playground inside an embed: scrolls to it, waits for its `playground-ready`. */
async function embedFrame(page, id) {
  const element = page.locator(`#${id}`);
  await element.scrollIntoViewIfNeeded();
  await hostEvent(page, { id, type: 'playground-ready' });
  const frame = await (await element.locator('iframe').elementHandle()).contentFrame();
  return { frame, console: new PlaygroundPage(frame) };
}

/** Adds an embed to the host page (attributes as given) and waits for it. */
async function addEmbed(page, id, attributes) {
  await page.evaluate(
    ({ id, attributes }) => {
      const element = document.createElement('redis-playground');
      element.id = id;
      for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
      document.body.prepend(element);
    },
    { id, attributes },
  );
  return embedFrame(page, id);
}

test('the demo course page loads its embeds lazily, each reporting ready', async () => {
  const page = await openDemo();
  await hostEvent(page, { id: 'try-it', type: 'playground-ready' });
  // The quiz is far below the fold: no iframe until the learner scrolls there.
  assert.equal(await page.locator('#quiz iframe').count(), 0);
  const { frame } = await embedFrame(page, 'quiz');
  assert.equal(await frame.evaluate(() => document.documentElement.hasAttribute('data-embed')), true);
  const ready = (await hostEvents(page)).find((e) => e.id === 'quiz' && e.type === 'playground-ready');
  assert.deepEqual(ready.detail.accepts, ['load-lesson', 'run', 'reset', 'set-theme']);
  assert.deepEqual(ready.detail.panels, ['quiz']);
  assert.deepEqual(harness.problems, []);
});

test('two embeds on one page each have their own engine', async () => {
  const page = await openDemo();
  const first = await embedFrame(page, 'try-it');
  // The setup command from the `commands` attribute ran and shows in the transcript.
  assert.match(await first.console.transcript(), /SET greeting "Hello from the course"/);
  await first.console.run('GET greeting');
  assert.equal(await first.console.lastReply(), '"Hello from the course"\n');
  await first.console.run('SET only-here 1');
  const second = await embedFrame(page, 'challenge');
  await second.console.run('GET only-here');
  assert.equal(await second.console.lastReply(), '(nil)\n');
  await second.console.run('GET greeting');
  assert.equal(await second.console.lastReply(), '(nil)\n');
});

test('a line typed in an embed reaches the host page as a command event', async () => {
  const page = await openDemo();
  const { console: shell } = await embedFrame(page, 'try-it');
  await shell.run('INCRBY visits 5');
  const event = await hostEvent(page, { id: 'try-it', type: 'command', line: 'INCRBY visits 5' });
  assert.deepEqual(event.detail, { line: 'INCRBY visits 5', reply: '(integer) 5\n' });
  // Setup commands are not reported: only what the learner typed.
  const lines = (await hostEvents(page)).filter((e) => e.type === 'command').map((e) => e.detail.line);
  assert.deepEqual(lines, ['INCRBY visits 5']);
});

test('setTheme() switches the embedded page theme; a bad theme is refused', async () => {
  const page = await openDemo();
  const { frame } = await embedFrame(page, 'try-it');
  const theme = () => frame.evaluate(() => document.documentElement.getAttribute('data-theme'));
  assert.deepEqual(await page.evaluate(() => document.getElementById('try-it').setTheme('dark')), { type: 'set-theme' });
  assert.equal(await theme(), 'dark');
  assert.equal(await frame.getByTestId('theme-toggle').getAttribute('aria-pressed'), 'true');
  await page.evaluate(() => document.getElementById('try-it').setTheme('system'));
  assert.equal(await theme(), null);
  const refused = await page.evaluate(() =>
    document.getElementById('try-it').setTheme('pink').then(
      () => 'accepted',
      (err) => err.message,
    ),
  );
  assert.match(refused, /set-theme needs theme: light, dark, system/);
  // The theme attribute, changed later, follows too.
  await page.evaluate(() => document.getElementById('try-it').setAttribute('theme', 'dark'));
  await frame.waitForFunction(() => document.documentElement.getAttribute('data-theme') === 'dark');
});

test('run() runs the editor code of an embed', async () => {
  const page = await openDemo();
  const { frame } = await addEmbed(page, 'runner', {
    panels: 'editor,console',
    code: "import Redis from 'ioredis';\nconst redis = new Redis();\nawait redis.set('from-run', 'yes');\nawait redis.quit();",
    height: '400',
  });
  await frame.evaluate(() => {
    window.__runs = 0;
    window.addEventListener('redis-playground:run', () => window.__runs++);
  });
  await page.evaluate(() => document.getElementById('runner').run());
  assert.equal(await frame.evaluate(() => window.__runs), 1);
  // With the editor panel (editor branch) the run really happens and reports script-run.
  if ((await frame.getByTestId('editor').count()) > 0) {
    const event = await hostEvent(page, { id: 'runner', type: 'script-run' });
    assert.equal(event.detail.status, 'ok');
    await frame.getByTestId('console-input').fill('GET from-run');
    await frame.getByTestId('console-input').press('Enter');
    await frame.getByTestId('console-output').getByText('"yes"').waitFor();
  }
});

test('a challenge passed inside an embed reaches the host page', async () => {
  const page = await openDemo();
  const { frame } = await embedFrame(page, 'challenge');
  assert.equal(await frame.evaluate(() => new URLSearchParams(location.search).get('lesson')), 'cache-aside');
  // The learner opens the lesson's challenge in the embed, writes the solution and checks it.
  await frame.waitForSelector('[data-testid=lesson][data-lesson=cache-aside] [data-testid=challenge-check]');
  const editor = await new EditorPanel(frame).ready();
  await editor.setCode(cacheAside.challenge.solution);
  await frame.click('[data-testid=challenge-check]');
  const event = await hostEvent(page, { id: 'challenge', type: 'challenge-result' });
  assert.equal(event.detail.passed, true);
  assert.ok(event.detail.checks.length > 0 && event.detail.checks.every((c) => c.passed));
  assert.equal(event.detail.lesson, 'cache-aside');
  assert.equal(await page.getByTestId('host-challenge-status').textContent(), 'Challenge passed ✓');
});

test('a message from a foreign origin is ignored', async () => {
  // The host page is on localhost; one embed allows only 127.0.0.1 (a different origin), the
  // other its host's origin (the default). The same message goes to both.
  const foreignBase = harness.url.replace('127.0.0.1', 'localhost');
  const page = await openDemo({ base: foreignBase });
  const trusted = await addEmbed(page, 'trusted', { panels: 'console', height: '200' });
  await page.evaluate((origin) => {
    const element = document.createElement('redis-playground');
    element.id = 'strict';
    element.setAttribute('origins', origin);
    element.setAttribute('height', '200');
    document.body.prepend(element);
    element.load();
  }, harness.url.replace(/\/$/, ''));
  const strictFrame = await (await page.locator('#strict iframe').elementHandle()).contentFrame();
  const strict = await new PlaygroundPage(strictFrame).ready();
  await strictFrame.waitForFunction(() => window.redisPlayground?.ready === true);
  await page.evaluate(() => {
    for (const id of ['strict', 'trusted']) {
      const frame = document.getElementById(id).shadowRoot.querySelector('iframe');
      frame.contentWindow.postMessage({ source: 'redis-playground', version: 1, type: 'set-theme', payload: { theme: 'dark' } }, '*');
    }
  });
  await trusted.frame.waitForFunction(() => document.documentElement.getAttribute('data-theme') === 'dark');
  await page.waitForTimeout(300);
  assert.notEqual(await strict.page.evaluate(() => document.documentElement.getAttribute('data-theme')), 'dark');
  // And the strict embed never announced itself to this origin.
  assert.equal((await hostEvents(page)).some((e) => e.id === 'strict'), false);
});

test('a plain iframe with URL parameters says ready to its parent, and only to it', async () => {
  const page = await harness.open('course-demo.html');
  const ready = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const frame = document.createElement('iframe');
        frame.src = 'index.html?embed=1&panels=console';
        window.addEventListener('message', (event) => {
          if (event.source === frame.contentWindow) resolve({ origin: event.origin, data: event.data });
        });
        setTimeout(() => reject(new Error('no ready message')), 8000);
        document.body.append(frame);
      }),
  );
  assert.equal(ready.origin, harness.url.replace(/\/$/, ''));
  assert.equal(ready.data.source, 'redis-playground');
  assert.equal(ready.data.version, 1);
  assert.equal(ready.data.type, 'ready');
  assert.deepEqual(ready.data.payload.panels, ['console']);
});

test('panels=console shows only the console; panels keeps the given order', async () => {
  const page = await harness.open('index.html?panels=console&embed=1');
  const playground = await new PlaygroundPage(page).ready();
  await playground.run('PING');
  assert.equal(await page.getByTestId('key-browser').isVisible(), false);
  assert.equal(await page.getByTestId('timeline').isVisible(), false);
  assert.equal(await page.getByRole('heading', { name: 'Redis Playground' }).isVisible(), false);
  // The embed's link to the full page: every panel there, so no `panels`.
  assert.equal(await page.getByTestId('open-full').getAttribute('href'), `${harness.url}index.html`);
  const ordered = await harness.open('index.html?panels=keys,console,nonsense');
  await new PlaygroundPage(ordered).ready();
  const keys = await ordered.getByTestId('key-browser').boundingBox();
  const consoleBox = await ordered.getByTestId('console-output').boundingBox();
  assert.ok(keys.y + keys.x < consoleBox.y + consoleBox.x, 'keys come before the console');
  assert.equal(await ordered.getByTestId('timeline').isVisible(), false);
});

test('URL parameters: an embed runs its setup commands once, the clock starts paused', async () => {
  const commands = encodeURIComponent('SET a 1\nINCR a');
  const page = await harness.open(`index.html?commands=${commands}&clock=paused&embed=1`);
  const playground = await new PlaygroundPage(page).ready();
  assert.equal(await playground.exchangeCount(), 2);
  assert.equal(await playground.lastReply(), '(integer) 2\n');
  assert.equal(await page.getByTestId('clock-toggle').getAttribute('aria-pressed'), 'true');
});

test("the embed's Open ↗ link opens the full page with every panel; its setup commands are offered there", async () => {
  const known = harness.problems.length;
  const query =
    'embed=1&panels=console&theme=dark&clock=paused&commands=SET%20a%201&lesson=cache-aside&code=%2F%2F%20hi&allow-origin=https%3A%2F%2Fcourse.example';
  const page = await harness.open(`index.html?${query}`);
  const embed = await new PlaygroundPage(page).ready();
  // In the embed (a fresh engine) the commands ran at once.
  assert.match(await embed.transcript(), /SET a 1/);
  const href = await page.getByTestId('open-full').getAttribute('href');
  assert.equal(href, `${harness.url}index.html?commands=SET%20a%201&lesson=cache-aside&code=%2F%2F%20hi`);
  const full = await harness.open(href.slice(harness.url.length));
  const playground = await new PlaygroundPage(full).ready();
  for (const id of ['console-input', 'key-browser', 'editor', 'timeline', 'lesson', 'quiz']) {
    assert.equal(await full.getByTestId(id).isVisible(), true, `${id} is shown`);
  }
  assert.equal(await full.getByTestId('lessons-link').isVisible(), true);
  await full.waitForSelector('[data-testid=lesson][data-lesson=cache-aside] [data-testid=lesson-title]');
  // Nothing ran on the learner's playground: the commands wait for them.
  await full.getByTestId('share-offer').waitFor();
  assert.equal(await full.getByTestId('share-commands').textContent(), 'SET a 1');
  assert.equal(await playground.exchangeCount(), 0);
  assert.equal(await new RunnerApi(full).engine('EXISTS', 'a'), 0);
  assert.deepEqual(harness.problems.slice(known), []);
});

test('a lesson asked for without a lesson panel is not opened, and says so; no link to a hidden panel', async () => {
  const known = harness.problems.length;
  const page = await harness.open('index.html?panels=console&lesson=cache-aside');
  await new PlaygroundPage(page).ready();
  const notice = page.getByTestId('page-notice');
  await notice.waitFor();
  assert.match(await notice.textContent(), /Lesson "cache-aside" not opened: this playground has no lesson panel\./);
  // The lesson did not open unseen (it would have put its starter into the editor).
  await page.waitForTimeout(500);
  assert.equal(await page.locator('[data-testid=lesson][data-lesson]').count(), 0);
  assert.match(await page.getByTestId('editor-fallback').inputValue(), /Cache-aside: look in Redis first/);
  // The header's "Lessons" link would lead to the hidden panel: it is not there.
  assert.equal(await page.getByTestId('lessons-link').isVisible(), false);
  // Listed, the quiz panel is enough to open the lesson (it shows its quiz).
  const quiz = await harness.open('index.html?panels=quiz&lesson=cache-aside');
  await quiz.waitForSelector('[data-testid=quiz] fieldset');
  assert.equal(await quiz.getByTestId('page-notice').count(), 0);
  assert.deepEqual(harness.problems.slice(known), []);
});

test('an embed whose panels hold no lesson refuses a lesson sent by the page, visibly', async () => {
  const page = await openDemo();
  const { frame } = await addEmbed(page, 'console-only', { panels: 'console', height: '300' });
  const refused = await page.evaluate(() =>
    document
      .getElementById('console-only')
      .loadLesson('cache-aside')
      .then(
        () => 'accepted',
        (err) => err.message,
      ),
  );
  assert.match(refused, /no lesson panel/);
  await frame.getByTestId('page-notice').getByText('could not load the lesson sent by the page').waitFor();
  assert.equal(await frame.locator('[data-testid=lesson][data-lesson]').count(), 0);
});

test('a bad lesson URL shows a clear error in the embed, as text', async () => {
  const page = await openDemo();
  const { frame } = await addEmbed(page, 'bad-lesson', { lesson: 'javascript:alert(1)<img src=x>', height: '300' });
  const notice = frame.getByTestId('page-notice');
  assert.match(await notice.textContent(), /Lesson "javascript:alert\(1\)<img src=x>" not loaded: give a lesson id/);
  assert.equal(await notice.locator('img').count(), 0);
  // A lesson object sent by the page: without a lesson panel the embed says so visibly (with
  // the lessons branch the panel opens it or shows the file's mistakes itself).
  if ((await frame.getByTestId('lesson').count()) === 0) {
    const refused = await page.evaluate(() =>
      document
        .getElementById('bad-lesson')
        .loadLesson({ id: 'x', title: 'X' })
        .then(
          () => 'accepted',
          (err) => err.message,
        ),
    );
    assert.match(refused, /no lesson panel/);
    await notice.getByText('could not load the lesson sent by the page').waitFor();
  }
});

test('dist/ works from a sub-path: the demo page and the playground under /sub/path/', async () => {
  const root = await mkdtemp(join(tmpdir(), 'embed-subpath-'));
  await mkdir(join(root, 'sub'));
  await symlink(resolve('dist'), join(root, 'sub', 'path'));
  const server = await serve(root);
  const failed = [];
  try {
    const base = `${server.url}sub/path/`;
    const page = await openDemo({ base });
    page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
    const { frame, console: shell } = await embedFrame(page, 'try-it');
    assert.ok(frame.url().startsWith(`${base}index.html?`), frame.url());
    await shell.run('GET greeting');
    assert.equal(await shell.lastReply(), '"Hello from the course"\n');
    const direct = await harness.open('index.html', { base });
    await new PlaygroundPage(direct).ready();
    assert.deepEqual(failed, []);
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
});

test('a hosted lesson file opens in the embed; one with a mistake shows the mistake, as text', async () => {
  const page = await openDemo();
  await page.route('**/hosted/broken-lesson.md', (route) =>
    route.fulfill({ contentType: 'text/markdown', body: '---\nid: Not An Id<img src=x>\ntitle: Broken\n---\n' }),
  );
  const good = await addEmbed(page, 'hosted-good', { lesson: `${harness.url}lessons/03-cache-aside.md`, panels: 'lesson', height: '400' });
  await good.frame.waitForSelector('[data-testid=lesson][data-lesson=cache-aside] [data-testid=lesson-title]');
  const bad = await addEmbed(page, 'hosted-bad', { lesson: `${harness.url}hosted/broken-lesson.md`, panels: 'lesson', height: '400' });
  const error = bad.frame.getByTestId('lesson-error');
  await error.waitFor();
  assert.match(await error.textContent(), /has a mistake[\s\S]*broken-lesson\.md:2: id/);
  assert.equal(await bad.frame.locator('[data-testid=lesson] img').count(), 0);
  const missing = await addEmbed(page, 'hosted-missing', { lesson: `${harness.url}hosted/nowhere.md`, panels: 'lesson', height: '400' });
  await missing.frame.getByTestId('lesson-error').getByText(/could not be loaded \(HTTP 404\)/).waitFor();
});

/**
 * The layout of a playground frame: the frame's size, the workspace's top, and each shown
 * panel's box with its title's (the panel's first heading).
 */
function embedLayout(frame) {
  return frame.evaluate(() => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
    };
    const workspace = document.querySelector('.workspace');
    const panels = [...workspace.children].filter((el) => getComputedStyle(el).display !== 'none');
    const input = document.querySelector('[data-testid="console-input"]');
    return {
      width: innerWidth,
      height: innerHeight,
      scrollHeight: document.documentElement.scrollHeight,
      top: workspace.getBoundingClientRect().top,
      input: input && input.offsetParent !== null ? box(input) : null,
      panels: panels.map((el) => ({
        name: el.getAttribute('aria-label'),
        box: box(el),
        title: el.querySelector('h2') && box(el.querySelector('h2')),
      })),
    };
  });
}

/**
 * Asserts that the embed's panels fill its frame: each at least `minHeight` high with its title
 * inside it, together covering most of the frame under the bar, with no empty space below
 * them. With `fits`, all of it on screen (the frame does not scroll); without, the frame is too
 * short for every panel at a usable height and scrolls, the panels covering what it scrolls.
 */
async function assertFillsFrame(frame, { count, minHeight = 150, fits = true }) {
  const layout = await embedLayout(frame);
  const text = JSON.stringify(layout);
  const bottom = fits ? layout.height : layout.scrollHeight;
  assert.equal(layout.panels.length, count, text);
  let area = 0;
  for (const { name, box, title } of layout.panels) {
    assert.ok(box.height >= minHeight, `${name} is ${Math.round(box.height)} px high: ${text}`);
    assert.ok(box.bottom <= bottom + 1, `${name} ends below the frame: ${text}`);
    assert.ok(title, `${name} has a title`);
    assert.ok(title.bottom <= box.bottom && title.top >= box.top, `${name}'s title is cut: ${text}`);
    area += box.width * box.height;
  }
  const lowest = Math.max(...layout.panels.map((p) => p.box.bottom));
  assert.ok(lowest >= bottom - 16, `empty space under the panels: ${text}`);
  const room = layout.width * (bottom - layout.top);
  assert.ok(area >= 0.85 * room, `the panels cover ${Math.round((100 * area) / room)} % of the frame: ${text}`);
  if (fits) assert.ok(layout.scrollHeight <= layout.height + 1, `the frame scrolls: ${text}`);
  // The console (when shown) can be typed into: its input is inside its panel, on screen when
  // the frame fits.
  if (layout.input) {
    const panel = layout.panels.find((p) => p.name === 'Redis console').box;
    assert.ok(layout.input.top >= panel.top && layout.input.bottom <= panel.bottom, `console input cut: ${text}`);
  }
  // The timeline (when shown) has room to draw its lanes.
  const canvas = await frame.evaluate(() => document.querySelector('[data-testid="timeline"]').getBoundingClientRect().height);
  if (layout.panels.some((p) => p.name.startsWith('Timeline'))) {
    assert.ok(canvas >= 120, `the timeline is ${canvas} px high`);
  }
  return layout;
}

test("the demo's embeds share their frame's height among their panels, every title visible", async () => {
  const known = harness.problems.length;
  const page = await openDemo();
  const challenge = await embedFrame(page, 'challenge');
  await challenge.frame.waitForSelector('[data-testid=lesson][data-lesson=cache-aside] [data-testid=lesson-title]');
  const layout = await assertFillsFrame(challenge.frame, { count: 3 });
  const consoleBox = layout.panels.find((p) => p.name === 'Redis console').box;
  assert.ok(consoleBox.height >= 200, `the console is ${consoleBox.height} px high`);
  const quiz = await embedFrame(page, 'quiz');
  await quiz.frame.waitForSelector('[data-testid=quiz] fieldset');
  await assertFillsFrame(quiz.frame, { count: 1 });
  const tryIt = await embedFrame(page, 'try-it');
  await assertFillsFrame(tryIt.frame, { count: 1 });
  assert.deepEqual(harness.problems.slice(known), []);
});

test('an embed fills its frame at 390 px and 1280 px wide, and with three panels', async () => {
  const known = harness.problems.length;
  for (const [path, viewport, fits] of [
    ['index.html?lesson=cache-aside&panels=lesson,editor,console&embed=1', { width: 390, height: 720 }, true],
    ['index.html?lesson=cache-aside&panels=lesson,editor,console&embed=1', { width: 1280, height: 720 }, true],
    ['index.html?panels=console,keys,timeline&embed=1', { width: 830, height: 720 }, true],
    ['index.html?panels=editor,console&embed=1', { width: 390, height: 560 }, true],
    // Too short for three panels: the timeline keeps room to draw, the frame scrolls a little.
    ['index.html?panels=console,keys,timeline&embed=1', { width: 830, height: 400 }, false],
  ]) {
    const page = await harness.open(path, { viewport });
    await new PlaygroundPage(page).ready();
    const count = new URLSearchParams(path.split('?')[1]).get('panels').split(',').length;
    await assertFillsFrame(page, { count, fits });
    await page.context().close();
  }
  assert.deepEqual(harness.problems.slice(known), []);
});

test('chosen panels on a page of their own: every row as high as the first', async () => {
  const page = await harness.open('index.html?lesson=cache-aside&panels=lesson,editor,console', {
    viewport: { width: 1000, height: 800 },
  });
  await new PlaygroundPage(page).ready();
  const layout = await embedLayout(page);
  const heights = layout.panels.map((p) => Math.round(p.box.height));
  assert.deepEqual(heights, [464, 464, 464], JSON.stringify(layout));
});
