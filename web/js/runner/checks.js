//! A lesson's grader, run in the script worker after the learner's code (`runScript(code,
//! { checks })`).
//!
//! The grader is JavaScript that registers checks:
//!
//! ```js
//! check('the second read is a cache hit', 'Store the user after reading it from db.', async (t) => {
//!   const getUser = t.fn('getUser');
//!   await getUser(1);
//!   const mark = await t.mark();
//!   await getUser(1);
//!   const hits = await t.events(mark, { kind: 'hit', key: 'user:1' });
//!   t.assert(hits.length === 1, 'the second getUser(1) did not read user:1 from Redis');
//! });
//! ```
//!
//! `check(name, [hint], fn)`: checks run one after the other, each with its own context `t`
//! (below) and a wall-time limit; a check passes when `fn` returns, and fails with the message of
//! what it threw (`t.fail`, `t.assert`, `t.equal`, or any error), shown with the check's hint.
//! A check that does not finish within its limit fails saying so, naming the learner's function
//! whose call was still pending, and the checks after it are reported as not run (`notRun`):
//! that call may still be running, and each would wait out its limit in turn.
//!
//! The worker tells the page what the checks are doing (`runChecks`'s `ctx.report`): the list
//! of checks, each one's start and result, and each call of a learner's function (`t.fn`) and
//! its end. A learner's function stuck in a synchronous endless loop holds the worker, so only
//! the page can stop it: it then builds the results itself (`stoppedChecks`), naming the check and
//! the function that were running.
//!
//! The context `t`:
//! - `t.exports`: what the learner's code exported (ES `export` and CommonJS `module.exports`);
//!   `t.fn(name)` one exported function, or a failure naming it.
//! - `t.redis`: a fresh client of the page's engine (another connection than the learner's);
//!   `t.client()` one more. They are closed after the check.
//! - `t.db`: the learner's simulated database (`t.db.calls`, `t.db.callsTo('findUser')`, and its
//!   methods, counted like the learner's calls).
//! - `t.sleep(ms)`, `t.now()`: the virtual clock; `t.elapsed(fn)`: virtual ms an async call took.
//! - `t.crash()`: a simulated power cut and restart of the server (the script's `crash()`).
//! - `t.mark()`: a position in the engine's event log; `t.events(mark, {kind, key})`: the events
//!   after it (`{seq, time, client, db, kind, key, command}`, kind: hit, miss, write, del,
//!   expired, evicted), filtered.
//! - `t.printed`: the lines the learner's code printed.
//! - `t.roundTrips()`: how many round trips to the server the worker has made so far (commands
//!   sent in the same tick — a pipeline, `Promise.all` — travel together, as over a socket).
//! - `t.waitFor(condition, message, ms = 1000)`: waits (real time) until `condition()` holds, or
//!   fails with `message` (pub/sub messages arrive a moment after PUBLISH answers).
//! - `t.fail(message, hint)`, `t.assert(condition, message, hint)`, `t.equal(actual, expected,
//!   message, hint)` (compared as JSON).

/** Wall time one check may take before it fails (a call that never resolves). */
export const CHECK_TIMEOUT_MS = 2000;

/** A check's failure: its message for the learner and, optionally, a hint of its own. */
export class CheckFailure extends Error {
  constructor(message, hint = null) {
    super(message);
    this.name = 'CheckFailure';
    this.hint = hint;
  }
}

function show(value) {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}

/**
 * A learner's exported function, as a check calls it: each call is reported (`call`, `ended`)
 * so that the page can name the function if the worker has to be stopped in the middle of it,
 * and a check that runs out of time can name the call still pending.
 */
function tracked(name, f, calls) {
  return function called(...args) {
    const end = calls.start(name);
    let result;
    try {
      result = new.target ? Reflect.construct(f, args, new.target) : f.apply(this, args);
    } catch (err) {
      end();
      throw err;
    }
    let thenable = false;
    try {
      thenable = result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function';
      if (thenable) result.then(end, end);
    } catch {
      thenable = false;
    }
    if (!thenable) end();
    return result;
  };
}

/** The calls of the learner's functions still pending, reported as they start and end. */
function callLog(report) {
  const pending = new Map();
  let next = 1;
  return {
    start(name) {
      const id = next++;
      pending.set(id, name);
      report({ t: 'check-call', id, name });
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        pending.delete(id);
        report({ t: 'check-call', id, ended: true });
      };
    },
    /** The name of the latest call still pending, or null. */
    latest() {
      let name = null;
      for (const value of pending.values()) name = value;
      return name;
    },
  };
}

function makeContext(ctx, opened, calls) {
  const exports = ctx.exports();
  let redis = null;
  const client = () => {
    const c = new ctx.Redis();
    opened.push(c);
    return c;
  };
  const t = {
    exports,
    db: ctx.db,
    printed: ctx.printed.slice(),
    get redis() {
      redis ??= client();
      return redis;
    },
    client,
    fn(name) {
      const f = exports[name];
      if (typeof f !== 'function') {
        const found = Object.keys(exports);
        throw new CheckFailure(
          `Your code does not export a function named ${name}` +
            (found.length ? ` (it exports: ${found.join(', ')})` : ' (it exports nothing)'),
          `Write \`export async function ${name}(…) { … }\`.`,
        );
      }
      return tracked(name, f, calls);
    },
    sleep: (ms) => ctx.sleep(ms),
    crash: () => ctx.crash(),
    roundTrips: () => (ctx.roundTrips ? ctx.roundTrips() : 0),
    now: () => Date.now(),
    async elapsed(fn) {
      const start = Date.now();
      await fn();
      return Date.now() - start;
    },
    mark: () => new Promise((resolve) => ctx.ask(['seq']).then(resolve)),
    events(mark, { kind, key } = {}) {
      return new Promise((resolve) => ctx.ask(['events', mark]).then(resolve)).then((list) =>
        list.filter((e) => (kind === undefined || e.kind === kind) && (key === undefined || e.key === key)),
      );
    },
    async waitFor(condition, message, ms = 1000) {
      // Counted in real 10 ms steps: the worker's clocks follow the page's (maybe paused) one.
      for (let waited = 0; ; waited += 10) {
        if (await condition()) return;
        if (waited >= ms) throw new CheckFailure(message);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    fail(message, hint = null) {
      throw new CheckFailure(message, hint);
    },
    assert(condition, message, hint = null) {
      if (!condition) throw new CheckFailure(message, hint);
    },
    equal(actual, expected, message, hint = null) {
      if (show(actual) !== show(expected)) {
        throw new CheckFailure(`${message}: expected ${show(expected)}, got ${show(actual)}`, hint);
      }
    },
  };
  return t;
}

/** Thrown when a check runs out of time (see `withTimeout`). */
class CheckTimeout extends CheckFailure {}

function withTimeout(promise, ms, calls) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const name = calls.latest();
      const what = name
        ? `your ${name}(…) never finished: does it wait for a promise that never settles?`
        : 'does a call of yours never resolve?';
      reject(new CheckTimeout(`The check did not finish within ${seconds(ms)} of real time: ${what}`));
    }, ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function seconds(ms) {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The result of a check not run because an earlier one (`name`) did not finish. */
function notRun(check, name) {
  return {
    name: check.name,
    passed: false,
    notRun: true,
    message: `Not run: the check “${name}” did not finish (a call of yours may still be running).`,
    hint: null,
  };
}

/**
 * The results of checks whose worker the page had to stop (a learner's function held it in an
 * endless loop): those that ended (`results`), the one running (`running`: its index in
 * `plan`, `call`: the name of the learner's function pending, or null, `ms`: how long it ran),
 * then the rest as not run. `plan`: `[{name, hint}]`, every check in order.
 */
export function stoppedChecks(plan, results, { running, call, ms }) {
  const out = [];
  plan.forEach((check, i) => {
    if (i < running) {
      out.push(results[i] ?? { name: check.name, passed: false, message: 'No result came back.', hint: check.hint });
    } else if (i === running) {
      const inside = call ? `your ${call}(…) was still running` : 'it was still running';
      out.push({
        name: check.name,
        passed: false,
        message: `Stopped after ${seconds(ms)}: ${inside}, keeping the script busy (an endless loop?), so the page stopped the script.`,
        hint: check.hint,
      });
    } else {
      out.push(notRun(check, plan[running].name));
    }
  });
  return out;
}

/**
 * Runs a grader's checks; resolves with `[{name, passed, message, hint}]` (`notRun: true` on
 * those not run after one ran out of time). A grader that does not compile or registers nothing
 * gives one failed result saying so (an author's mistake). `ctx.report(message)`, if given,
 * hears `{t: 'check-plan', checks: [{name, hint}], limitMs}`, `{t: 'check-start', index}`,
 * `{t: 'check-call', id, name}` and `{t: 'check-call', id, ended: true}` for each call of a
 * learner's function, and `{t: 'check-result', index, result}`; `ctx.limitMs` replaces
 * `CHECK_TIMEOUT_MS` (tests).
 */
export async function runChecks(source, ctx) {
  const registered = [];
  const check = (name, hint, fn) => {
    if (typeof hint === 'function') [hint, fn] = [null, hint];
    if (typeof fn !== 'function') throw new TypeError(`check(${show(name)}) needs a function`);
    registered.push({ name: String(name), hint: hint == null ? null : String(hint), fn });
  };
  try {
    // Indirect eval: global scope; `checks.js` names the grader's frames.
    const define = (0, eval)(`(async function (check, CheckFailure) { "use strict";\n${source}\n})\n//# sourceURL=lesson-checks.js`);
    await define(check, CheckFailure);
  } catch (err) {
    return [{ name: "The lesson's checks", passed: false, message: `The lesson's checks could not run: ${err?.message ?? err}`, hint: null }];
  }
  if (registered.length === 0) {
    return [{ name: "The lesson's checks", passed: false, message: 'The lesson defines no checks.', hint: null }];
  }
  const report = typeof ctx.report === 'function' ? ctx.report : () => {};
  const limitMs = ctx.limitMs ?? CHECK_TIMEOUT_MS;
  report({ t: 'check-plan', checks: registered.map(({ name, hint }) => ({ name, hint })), limitMs });
  const calls = callLog(report);
  const results = [];
  // The check that ran out of time, if one did: the later ones are not run.
  let stuck = null;
  for (const [index, { name, hint, fn }] of registered.entries()) {
    if (stuck !== null) {
      results.push(notRun({ name }, stuck));
      report({ t: 'check-result', index, result: results[index] });
      continue;
    }
    const opened = [];
    report({ t: 'check-start', index });
    try {
      const t = makeContext(ctx, opened, calls);
      await withTimeout(Promise.resolve().then(() => fn(t)), limitMs, calls);
      results.push({ name, passed: true, message: 'Passed.', hint: null });
    } catch (err) {
      const failure = err instanceof CheckFailure;
      let message = failure ? err.message : `Threw ${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`;
      if (!failure && err?.name === 'ReplyError') message = `Redis replied with an error: ${err.message}`;
      results.push({ name, passed: false, message, hint: (failure && err.hint) || hint });
      if (err instanceof CheckTimeout) stuck = name;
    } finally {
      report({ t: 'check-result', index, result: results[index] });
      for (const c of opened) {
        try {
          c.disconnect();
        } catch {
          // Already closed.
        }
      }
    }
  }
  return results;
}
