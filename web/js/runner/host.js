//! The script runner, page side: installs `window.redisPlayground.runScript(code, options)` and
//! the page's clock (`window.redisPlayground.clock`, `clock.js`), which drives the engine's time:
//! it follows the wall clock (synced every 50 ms) unless paused, and jumps with scripts' `sleep`
//! and `db` calls.
//!
//! This module loads with the page and stays small; the runs themselves (`script-run.js`: workers,
//! batches, output, limits) load on the first `runScript`, or earlier on `prepareRunner()`, which
//! the editor panel calls when the learner first reaches for the editor or the Run button. Each run gets a fresh Web Worker
//! (`worker.js`) whose Redis connections are connections of the page's one engine
//! (`window.redisPlayground.engine`), so scripts share the keyspace with the console and panels.

import { PageClock } from './clock.js';

/** How often the engine's time is synced and the running scripts' connections polled. */
const TICK_MS = 50;

/** The page's engine and clock, as every run shares them. */
export class EngineHost {
  constructor(engine, clock) {
    this.engine = engine;
    this.clock = clock;
    this.time = -Infinity;
    this.runs = new Set();
    this.deadlineTimer = null;
    const engineNow = engine.now();
    if (engineNow > clock.now()) clock.advance(engineNow - clock.now());
    clock.onChange(() => this.clockMoved());
    this.sync();
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  /**
   * Brings the engine's clock to the page's (it never goes back). Time the engine took by itself
   * (`DEBUG SLEEP`, the clock bar's advance buttons) moves the page clock along first, so the two
   * never drift apart. Returns the page clock's time.
   */
  sync() {
    const t = this.clock.now();
    const ahead = this.engine.now() - t;
    if (ahead > 0) {
      this.clock.advance(ahead);
      return this.clock.now(); // the clock's listener (clockMoved) synced
    }
    // `!==`, not `>`: a restored or reset clock may have gone back (the engine went with it).
    if (t !== this.time) {
      this.time = t;
      this.engine.setTime(t);
    }
    return t;
  }

  clockMoved() {
    this.sync();
    for (const run of this.runs) run.poll();
    this.scheduleDeadline();
  }

  tick() {
    this.sync();
    for (const run of this.runs) run.poll();
  }

  /** Wakes up when the next blocked command times out (while the clock follows wall time). */
  scheduleDeadline() {
    if (this.deadlineTimer !== null) {
      clearTimeout(this.deadlineTimer);
      this.deadlineTimer = null;
    }
    if (this.clock.isPaused() || this.runs.size === 0) return;
    const deadline = this.engine.nextDeadline();
    if (deadline === null || deadline === undefined) return;
    const delay = Math.max(1, deadline - this.clock.now());
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = null;
      this.clockMoved();
    }, delay);
  }
}

/** Resolves with the page's engine once the Leptos app has published it. */
function engineOf(namespace) {
  return new Promise((resolve) => {
    if (namespace.engine) {
      resolve(namespace.engine);
      return;
    }
    const check = () => {
      if (!namespace.engine) return;
      window.removeEventListener('redis-playground:engine', check);
      clearInterval(poll);
      resolve(namespace.engine);
    };
    window.addEventListener('redis-playground:engine', check);
    const poll = setInterval(check, 50);
  });
}

/**
 * Installs the runner and the clock on `window.redisPlayground` (created if missing). The clock
 * drives the engine as soon as the app publishes it; `runScript` loads the runs' module on first
 * use and returns at once `{ done, stop, output, events }` (see `Runner.run`); `prepareRunner()`
 * loads it and starts a worker ahead of a first run.
 */
export function installRunner() {
  const namespace = window.redisPlayground ?? (window.redisPlayground = {});
  if (namespace.runScript) return namespace;
  const clock = new PageClock();
  // The app restored a saved playground before this module ran: its clock state waits here.
  if (namespace.initialClock) clock.restore(namespace.initialClock);
  const hostReady = engineOf(namespace).then((engine) => new EngineHost(engine, clock));
  let runner = null;
  const loadRunner = () => {
    runner ??= import('./script-run.js').then(({ Runner }) => new Runner(hostReady));
    return runner;
  };
  namespace.clock = clock;
  // The learner reached for the editor or the Run button: load the runner and start a worker
  // now, so that the first run does not wait for them (later runs find a spare worker anyway).
  namespace.prepareRunner = () => {
    loadRunner().then(
      (loaded) => loaded.warmUp(),
      () => {},
    );
  };
  namespace.runScript = (code, options) => {
    let handle = null;
    let stopped = false;
    const done = loadRunner().then((loaded) => {
      handle = loaded.run(code, options);
      if (stopped) handle.stop();
      return handle.done;
    });
    return {
      done,
      stop() {
        stopped = true;
        if (handle) handle.stop();
      },
      get output() {
        return handle ? handle.output : [];
      },
      get events() {
        return handle ? handle.events : [];
      },
    };
  };
  return namespace;
}

installRunner();
