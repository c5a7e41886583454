//! Lessons in the page (loaded on first use by `host.js`): the built-in lesson files shipped in
//! `dist/lessons/` (listed, in order, by `lessons/index.json`, which
//! `web/tools/lesson-index.mjs` writes), parsed with `parse.js`; running
//! a lesson's setup and example; grading a learner's code with the lesson's checks through
//! `window.redisPlayground.runScript(code, { checks })`.

import { parseLesson, validateLesson, LessonError } from './parse.js';

export { parseLesson, validateLesson, LessonError };

const BASE = new URL('../../lessons/', import.meta.url);

/** Wall-time limit of a graded run (the learner's code and the checks together). */
const GRADE_TIMEOUT_MS = 10_000;

let builtIn = null;

/**
 * The built-in lessons, in course order: `[{ file, lesson }]` or `[{ file, error }]` for a
 * file that does not parse (shown as an error; the other lessons work).
 */
export function builtInLessons() {
  builtIn ??= (async () => {
    const response = await fetch(new URL('index.json', BASE));
    if (!response.ok) throw new Error(`lessons/index.json: HTTP ${response.status}`);
    const entries = await response.json();
    return Promise.all(
      entries.map(async ({ file }) => {
        try {
          const r = await fetch(new URL(file, BASE));
          if (!r.ok) throw new LessonError(file, 0, 'file', `could not be loaded (HTTP ${r.status})`);
          return { file, lesson: parseLesson(await r.text(), file) };
        } catch (err) {
          return { file, error: err instanceof LessonError ? err.message : `${file}: ${err.message}` };
        }
      }),
    );
  })();
  return builtIn;
}

function namespace() {
  return window.redisPlayground ?? {};
}

async function engineReady() {
  for (let i = 0; i < 200 && !namespace().engine; i++) await new Promise((r) => setTimeout(r, 25));
  const { engine } = namespace();
  if (!engine) throw new Error('the engine is not ready');
  return engine;
}

/** Runs a lesson's setup commands on a connection of their own; answers `[{line, reply}]`. */
export async function runSetup(lesson) {
  if (!lesson.setup || lesson.setup.length === 0) return [];
  const engine = await engineReady();
  const client = engine.connect();
  try {
    // The page build fetches the code of rarely used commands on first use (Engine.loadFor).
    if (typeof engine.loadFor === 'function') await engine.loadFor(client, lesson.setup);
    return lesson.setup.map((line) => ({ line, reply: engine.execLine(client, line) }));
  } finally {
    engine.disconnect(client);
  }
}

/**
 * Starts a lesson's example (after its setup) with the runner's `options`; answers the run's
 * handle (`{ done, stop }`, see `runScript`).
 */
export async function startExample(lesson, options = {}) {
  await runSetup(lesson);
  return namespace().runScript(lesson.example, options);
}

/** Runs a lesson's example (after its setup); answers the run's result. */
export async function runExample(lesson, options = {}) {
  return (await startExample(lesson, options)).done;
}

/**
 * Grades `code` against the lesson's challenge: setup, then the code, then the checks in the
 * same worker. Answers `{ passed, status, error, checks: [{name, passed, message, hint}],
 * output }`. When the code itself fails (a syntax error, an uncaught error), the checks do not
 * run and `error` says why.
 */
export async function grade(lesson, code, options = {}) {
  await runSetup(lesson);
  const result = await namespace().runScript(code, {
    timeoutMs: GRADE_TIMEOUT_MS,
    ...options,
    checks: lesson.challenge.checks,
  }).done;
  const checks = Array.isArray(result.checks) ? result.checks : [];
  const passed = result.status === 'ok' && checks.length > 0 && checks.every((c) => c.passed);
  return { passed, status: result.status, error: result.error, checks, output: result.output };
}
