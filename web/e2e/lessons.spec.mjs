// Every built-in challenge, graded where graders really run: in the built page, through
// window.redisPlayground.runScript with the lesson's checks (the lessons module's grade()).
// For each lesson: the untouched starter fails, the reference solution passes every check, and
// each typical wrong solution written in the lesson file fails the check it names, with a
// message and a hint. The example runs without an error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { startHarness } from './harness.mjs';
import { RunnerApi } from './playground-page.mjs';
import { parseLesson } from '../js/lessons/parse.js';

const dir = new URL('../lessons/', import.meta.url);
const only = process.env.LESSON ?? '';
const lessons = readdirSync(dir)
  .filter((f) => f.endsWith('.md') && f.includes(only))
  .sort()
  .map((file) => parseLesson(readFileSync(new URL(file, dir), 'utf8'), file));

let harness;
let page;
before(async () => {
  harness = await startHarness();
  page = await harness.open();
  await new RunnerApi(page).ready();
  await page.waitForFunction(() => window.redisPlayground.loadLessons);
});
after(async () => {
  await harness?.close();
});

function grade(lesson, code) {
  return page.evaluate(
    async ([l, c]) => {
      const { grade } = await window.redisPlayground.loadLessons();
      return grade(l, c);
    },
    [lesson, code],
  );
}

function runExample(lesson) {
  return page.evaluate(async (l) => {
    const { runExample } = await window.redisPlayground.loadLessons();
    return runExample(l);
  }, lesson);
}

const describeChecks = (graded) =>
  JSON.stringify({ status: graded.status, error: graded.error, checks: graded.checks, output: graded.output.slice(-5) }, null, 1);

for (const lesson of lessons) {
  describe(lesson.file, () => {
    test('the example runs', async () => {
      const result = await runExample(lesson);
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.ok(result.output.length > 0);
      assert.ok(!result.output.some((o) => o.stream === 'error'), JSON.stringify(result.output));
    });

    test('the untouched starter fails', async () => {
      const graded = await grade(lesson, lesson.challenge.starter);
      assert.equal(graded.passed, false, describeChecks(graded));
      assert.equal(graded.status, 'ok', describeChecks(graded));
      assert.ok(graded.checks.some((c) => !c.passed && c.message && c.hint), describeChecks(graded));
    });

    test('the reference solution passes every check', async () => {
      const graded = await grade(lesson, lesson.challenge.solution);
      assert.equal(graded.passed, true, describeChecks(graded));
      assert.ok(graded.checks.length >= 2);
    });

    for (const wrong of lesson.challenge.wrong) {
      test(`a typical mistake fails its check: ${wrong.name}`, async () => {
        const graded = await grade(lesson, wrong.code);
        assert.equal(graded.passed, false, describeChecks(graded));
        const failed = graded.checks.find((c) => c.name === wrong.fails);
        assert.ok(failed, `no check named "${wrong.fails}": ${describeChecks(graded)}`);
        assert.equal(failed.passed, false, describeChecks(graded));
        assert.ok(failed.message.length > 10 && failed.hint, describeChecks(graded));
      });
    }

    // The page's engine starts with maxmemory 64mb under noeviction (crates/app/src/lib.rs,
    // page_config): a lesson that changes them puts those back, not Redis's own defaults.
    test("the page's memory limit and policy are as the page sets them afterwards", async () => {
      const config = await page.evaluate(async () => {
        const { engine } = window.redisPlayground;
        const client = engine.connect();
        try {
          const lines = ['CONFIG GET maxmemory', 'CONFIG GET maxmemory-policy'];
          // CONFIG's code may not be loaded yet in the page build (Engine.loadFor).
          if (typeof engine.loadFor === 'function') await engine.loadFor(client, lines);
          return lines.map((line) => engine.execLine(client, line));
        } finally {
          engine.disconnect(client);
        }
      });
      assert.deepEqual(config, ['1) "maxmemory"\n2) "67108864"\n', '1) "maxmemory-policy"\n2) "noeviction"\n']);
    });
  });
}

test('no page errors', () => {
  assert.deepEqual(harness.problems, []);
});
