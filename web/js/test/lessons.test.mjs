// The lesson format: the parser on the built-in lessons and on broken files (each mistake names
// the file, the field and the line), the index, and the Markdown renderer's escaping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseLesson, validateLesson, LessonError } from '../lessons/parse.js';
import { renderMarkdown, renderInline } from '../lessons/markdown.js';
import { buildIndex } from '../../tools/lesson-index.mjs';

const dir = new URL('../../lessons/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
const read = (file) => readFileSync(new URL(file, dir), 'utf8');

test('every built-in lesson parses, with a graded challenge and a quiz of at least 5 questions', () => {
  assert.ok(files.length > 0);
  const ids = new Set();
  for (const file of files) {
    const lesson = parseLesson(read(file), file);
    assert.ok(!ids.has(lesson.id), `${file}: duplicate id ${lesson.id}`);
    ids.add(lesson.id);
    assert.ok(lesson.explanation.length > 200, `${file}: explanation`);
    assert.ok(lesson.example.trim(), `${file}: example`);
    assert.ok(lesson.challenge.starter.trim() && lesson.challenge.solution.trim(), `${file}: starter and solution`);
    assert.ok(lesson.challenge.hints.length >= 1, `${file}: hints`);
    assert.ok(lesson.challenge.wrong.length >= 1, `${file}: at least one typical wrong solution`);
    assert.ok(lesson.quiz.length >= 5, `${file}: ${lesson.quiz.length} quiz questions`);
    for (const w of lesson.challenge.wrong) {
      const named = [`check('${w.fails}'`, `check("${w.fails}"`].some((s) => lesson.challenge.checks.includes(s));
      assert.ok(named, `${file}: wrong solution "${w.name}" names an unknown check "${w.fails}"`);
    }
  }
});

test('index.json lists every lesson file in order, with its id and title', () => {
  const index = JSON.parse(read('index.json'));
  assert.deepEqual(index, buildIndex());
});

const GOOD = `---
id: sample
title: Sample
---
# Explanation
Some *text*.

# Example
\`\`\`js
console.log(1);
\`\`\`

# Challenge
Do it.

## Starter
\`\`\`js
// start
\`\`\`

## Checks
\`\`\`js
check('ok', async () => {});
\`\`\`

## Solution
\`\`\`js
// done
\`\`\`

# Quiz

## Yes?
- [x] yes
  Because.
- [ ] no
  Because not.
`;

test('a minimal lesson parses into the documented shape', () => {
  const lesson = parseLesson(GOOD, 'sample.md');
  assert.equal(lesson.id, 'sample');
  assert.equal(lesson.example, 'console.log(1);');
  assert.deepEqual(lesson.setup, []);
  assert.equal(lesson.challenge.brief, 'Do it.');
  assert.deepEqual(lesson.quiz, [
    {
      question: 'Yes?',
      body: '',
      multiple: false,
      options: [
        { text: 'yes', correct: true, explanation: 'Because.' },
        { text: 'no', correct: false, explanation: 'Because not.' },
      ],
    },
  ]);
  // What an embedding page sends back validates to the same lesson, minus the hidden parts.
  const again = validateLesson(JSON.parse(JSON.stringify(lesson)), 'sample.md');
  assert.equal(again.challenge.checks, lesson.challenge.checks);
  assert.equal(again.challenge.solution, '');
});

function mistake(text, file = 'broken.md') {
  try {
    parseLesson(text, file);
  } catch (err) {
    assert.ok(err instanceof LessonError, String(err));
    return err;
  }
  assert.fail('the lesson parsed');
}

test('mistakes name the file, the field and the line', () => {
  let err = mistake(GOOD.replace('id: sample', 'id: Not OK'));
  assert.equal(err.file, 'broken.md');
  assert.equal(err.field, 'id');
  assert.equal(err.line, 2);
  assert.match(err.message, /^broken\.md:2: id: "Not OK" must be lowercase/);

  err = mistake(GOOD.replace('- [x] yes', '- [ ] yes'));
  assert.equal(err.field, 'quiz question 1');
  assert.match(err.message, /no option is marked correct/);

  err = mistake(GOOD.replace('  Because not.\n', ''));
  assert.equal(err.field, 'quiz question 1 option 2');
  assert.equal(err.line, GOOD.split('\n').indexOf('- [ ] no') + 1);

  err = mistake(GOOD.replace('## Checks', '## Check'));
  assert.equal(err.field, 'challenge');
  assert.match(err.message, /unknown part "## Check"/);

  err = mistake(GOOD.replace('# Example', '# Examples'));
  assert.match(err.message, /unknown section "# Examples"/);

  err = mistake(GOOD.replace('// done\n```', '// done'));
  assert.equal(err.field, 'solution');
  assert.equal(err.line, GOOD.split('\n').indexOf('## Solution') + 2);
  assert.match(err.message, /the code block opened here is never closed/);

  err = mistake(GOOD.replace('title: Sample\n', ''));
  assert.equal(err.field, 'title');

  err = mistake(GOOD.replace('---\nid', 'id'));
  assert.equal(err.field, 'front matter');

  err = mistake(GOOD.replace('## Solution\n```js\n// done\n```\n', ''));
  assert.equal(err.field, 'challenge solution');
  assert.match(err.message, /is missing/);

  err = mistake(GOOD.replace('console.log(1);\n```', 'console.log(1);\n```\nstray words'));
  assert.equal(err.field, 'example');
  assert.match(err.message, /unexpected text outside the code block: "stray words"/);
});

test('a heading inside a code block is code, not a section', () => {
  const lesson = parseLesson(GOOD.replace('console.log(1);', '# not a section\nconsole.log(1);'), 'x.md');
  assert.equal(lesson.example, '# not a section\nconsole.log(1);');
});

test('validateLesson refuses malformed objects with the field named', () => {
  assert.throws(() => validateLesson({ id: 'x' }), (e) => e instanceof LessonError && e.field === 'title');
  const lesson = parseLesson(GOOD, 'sample.md');
  assert.throws(
    () => validateLesson({ ...lesson, quiz: [{ question: 'q', options: [{ text: 'a', correct: false }, { text: 'b' }] }] }),
    (e) => e.field === 'quiz question 1',
  );
});

test('Markdown: HTML in lesson text is escaped, only safe tags come out', () => {
  const html = renderMarkdown('<script>alert(1)</script> **bold** `<b>`\n\n- a <img src=x onerror=alert(1)>\n\n```js\n</pre><script>x</script>\n```');
  assert.ok(!html.includes('<script>'));
  assert.ok(!html.includes('<img'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('<strong>bold</strong>'));
  assert.ok(html.includes('<code>&lt;b&gt;</code>'));
  assert.ok(html.includes('<pre data-lang="js"><code>&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;</code></pre>'));
  assert.equal(renderInline('[x](javascript:alert(1))'), '[x](javascript:alert(1))');
  assert.equal(renderInline('[docs](https://redis.io/"onmouseover=x)'), '<a href="https://redis.io/&quot;onmouseover=x" target="_blank" rel="noopener noreferrer">docs</a>');
  assert.equal(renderInline('key `` `user:${id}` `` here'), 'key <code>`user:${id}`</code> here');
  assert.equal(renderInline('keyspace_hits and _em_'), 'keyspace_hits and <em>em</em>');
});

test('the grader: each check passes or fails with its message and hint', async () => {
  const { runChecks } = await import('../runner/checks.js');
  const ctx = {
    exports: () => ({ double: async (n) => n * 2 }),
    Redis: class {},
    db: { calls: 0 },
    sleep: async () => {},
    printed: [],
    ask: () => ({ then: (f) => f([]) }),
  };
  const results = await runChecks(
    `
check('passes', async (t) => { t.equal(await t.fn('double')(2), 4, 'double(2)'); });
check('fails with the hint', 'Multiply by two.', async (t) => { t.equal(await t.fn('double')(3), 7, 'double(3)'); });
check('a missing export', async (t) => { t.fn('triple'); });
check('its own hint wins', 'general', async (t) => { t.assert(false, 'nope', 'specific'); });
check('a thrown error', async () => { null.x; });
`,
    ctx,
  );
  assert.deepEqual(results.map((r) => [r.name, r.passed]), [
    ['passes', true],
    ['fails with the hint', false],
    ['a missing export', false],
    ['its own hint wins', false],
    ['a thrown error', false],
  ]);
  assert.equal(results[1].message, 'double(3): expected 7, got 6');
  assert.equal(results[1].hint, 'Multiply by two.');
  assert.match(results[2].message, /does not export a function named triple \(it exports: double\)/);
  assert.equal(results[3].hint, 'specific');
  assert.match(results[4].message, /^Threw TypeError: /);
  const broken = await runChecks('check(', ctx);
  assert.equal(broken.length, 1);
  assert.match(broken[0].message, /The lesson's checks could not run/);
});

test('a check whose call never settles fails with its own limit, promptly; the checks after it are not run', async () => {
  const { runChecks } = await import('../runner/checks.js');
  const news = [];
  const ctx = {
    exports: () => ({ getUser: async () => new Promise(() => {}), ok: () => 1 }),
    Redis: class {},
    db: { calls: 0 },
    sleep: async () => {},
    printed: [],
    ask: () => ({ then: (f) => f([]) }),
    report: (message) => news.push(message),
    limitMs: 300,
  };
  const started = Date.now();
  const results = await runChecks(
    `
check('first passes', async (t) => { t.equal(t.fn('ok')(), 1, 'ok()'); });
check('a read', 'Return what you read.', async (t) => { await t.fn('getUser')(1); });
check('a second read', async (t) => { await t.fn('getUser')(2); });
check('a third', async () => {});
`,
    ctx,
  );
  const took = Date.now() - started;
  // One limit, not one per check: the learner sees the results at once.
  assert.ok(took < 1000, `took ${took} ms`);
  assert.deepEqual(results.map((r) => [r.name, r.passed, Boolean(r.notRun)]), [
    ['first passes', true, false],
    ['a read', false, false],
    ['a second read', false, true],
    ['a third', false, true],
  ]);
  assert.equal(
    results[1].message,
    'The check did not finish within 0.3 s of real time: your getUser(…) never finished: does it wait for a promise that never settles?',
  );
  assert.equal(results[1].hint, 'Return what you read.');
  assert.match(results[2].message, /^Not run: the check “a read” did not finish/);
  // What the page hears, to name the check and the function if it has to stop the worker.
  assert.deepEqual(news[0], { t: 'check-plan', checks: [
    { name: 'first passes', hint: null }, { name: 'a read', hint: 'Return what you read.' }, { name: 'a second read', hint: null }, { name: 'a third', hint: null },
  ], limitMs: 300 });
  assert.deepEqual(
    news.slice(1).map((m) => [m.t, m.index ?? m.name ?? m.id, m.ended ?? m.result?.passed ?? null]),
    [
      ['check-start', 0, null], ['check-call', 'ok', null], ['check-call', 1, true], ['check-result', 0, true],
      ['check-start', 1, null], ['check-call', 'getUser', null], ['check-result', 1, false],
      ['check-result', 2, false], ['check-result', 3, false],
    ],
  );
});

test('checks stopped by the page (an endless loop held the worker) name the check and the function', async () => {
  const { stoppedChecks } = await import('../runner/checks.js');
  const plan = [{ name: 'one', hint: null }, { name: 'two', hint: 'Loop less.' }, { name: 'three', hint: null }];
  const done = [{ name: 'one', passed: true, message: 'Passed.', hint: null }];
  const results = stoppedChecks(plan, done, { running: 1, call: 'getUser', ms: 3012 });
  assert.deepEqual(results[0], done[0]);
  assert.deepEqual(results[1], {
    name: 'two',
    passed: false,
    message: 'Stopped after 3 s: your getUser(…) was still running, keeping the script busy (an endless loop?), so the page stopped the script.',
    hint: 'Loop less.',
  });
  assert.equal(results[2].notRun, true);
  assert.match(results[2].message, /^Not run: the check “two” did not finish/);
  assert.match(stoppedChecks(plan, done, { running: 1, call: null, ms: 3000 })[1].message, /^Stopped after 3 s: it was still running/);
});

test('the lesson panel says how far a graded run moved the virtual clock', async () => {
  const { formatDuration, clockNote } = await import('../lessons/lessons.js');
  assert.equal(formatDuration(350), '350 ms');
  assert.equal(formatDuration(1_054), '1.05 s');
  assert.equal(formatDuration(301_000), '5 min 1 s');
  assert.equal(formatDuration(400_000), '6 min 40 s');
  assert.equal(formatDuration(391_740), '6 min 32 s');
  assert.equal(formatDuration(3_600_000), '1 h');
  assert.equal(formatDuration(3_661_000), '1 h 1 min 1 s');
  assert.equal(formatDuration(59_999), '1 min');
  assert.equal(clockNote({ clockAdvancedMs: 0, checksClockAdvancedMs: 0 }), null);
  // A few database calls' latency goes unsaid.
  assert.equal(clockNote({ clockAdvancedMs: 350, checksClockAdvancedMs: 350 }), null);
  assert.equal(
    clockNote({ clockAdvancedMs: 400_000, checksClockAdvancedMs: 400_000 }),
    'The checks moved the virtual clock forward 6 min 40 s; keys with a TTL aged with it.',
  );
  assert.match(clockNote({ clockAdvancedMs: 301_050, checksClockAdvancedMs: 301_000 }), /^Your code and the checks moved the virtual clock forward 5 min 1 s;/);
  assert.match(clockNote({ clockAdvancedMs: 2_500, checksClockAdvancedMs: 0 }), /^Your code moved the virtual clock forward 2.5 s;/);
});

test('learner code: ES exports are handed to the grader without moving lines', async () => {
  const { compileSource } = await import('../runner/learner-code.js');
  const { source, exported } = compileSource('export async function getUser() {}\nexport const a = 1;\nconst b = 2;\nexport { b as c };\n');
  assert.deepEqual(exported, ['getUser', 'a', 'c: b']);
  const lines = source.split('\n');
  assert.match(lines[0], /__exportsOf\(\(\) => \(\{ getUser, a, c: b \}\)\)/);
  assert.equal(lines[1].trim(), 'async function getUser() {}');
});

test('lesson text renders without stray backticks (nested template literals need ``double`` backticks)', () => {
  for (const file of files) {
    const lesson = parseLesson(read(file), file);
    const texts = [lesson.explanation, lesson.challenge.brief, lesson.reference, ...lesson.challenge.hints];
    for (const q of lesson.quiz) texts.push(q.question, q.body, ...q.options.flatMap((o) => [o.text, o.explanation]));
    for (const text of texts) {
      const html = renderMarkdown(text).replace(/<pre[\s\S]*?<\/pre>/g, '').replace(/<code>[^<]*<\/code>/g, '');
      assert.ok(!html.includes('`'), `${file}: a stray backtick in ${JSON.stringify(text.slice(0, 80))}`);
    }
  }
});
