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
 * same worker. Answers `{ passed, status, error, checks: [{name, passed, message, hint,
 * notRun}], output, clockAdvancedMs, checksClockAdvancedMs }`. When the code itself fails (a
 * syntax error, an uncaught error), the checks do not run and `error` says why. The two clock
 * figures are the virtual ms the run's `sleep` and `db` calls moved the page's one clock, in all
 * and by the checks (see `runScript`): every key's TTL aged with it.
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
  return {
    passed,
    status: result.status,
    error: result.error,
    checks,
    output: result.output,
    clockAdvancedMs: result.clockAdvancedMs ?? 0,
    checksClockAdvancedMs: result.checksClockAdvancedMs ?? 0,
  };
}

/**
 * A span of virtual time as the lesson panel says it: `350 ms`, `1.05 s`, `5 min 1 s`,
 * `1 h 2 min` (to 10 ms under a minute, to the second above).
 */
export function formatDuration(ms) {
  const total = Math.max(0, ms >= 60_000 ? Math.round(ms / 1000) * 1000 : Math.round(ms / 10) * 10);
  if (total < 1000) return `${total} ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = (total % 60_000) / 1000;
  const parts = [];
  if (hours) parts.push(`${hours} h`);
  if (minutes) parts.push(`${minutes} min`);
  if (seconds) parts.push(`${seconds} s`);
  return parts.join(' ');
}

/** Below this, a graded run's move of the clock goes unsaid (a few `db` calls' latency). */
const CLOCK_NOTE_MIN_MS = 1000;

/**
 * What the lesson panel says after a graded run that moved the page's one virtual clock by a
 * second or more (a check's `t.sleep`, `sleep` in the learner's code, `db` latency), else null:
 * every key with a TTL, the learner's own too, aged with it.
 */
export function clockNote({ clockAdvancedMs = 0, checksClockAdvancedMs = 0 }) {
  if (!(clockAdvancedMs >= CLOCK_NOTE_MIN_MS)) return null;
  const byCode = clockAdvancedMs - checksClockAdvancedMs > 0;
  const who = checksClockAdvancedMs > 0 ? (byCode ? 'Your code and the checks' : 'The checks') : 'Your code';
  return `${who} moved the virtual clock forward ${formatDuration(clockAdvancedMs)}; keys with a TTL aged with it.`;
}
