//! `make bench-page`: the built `dist/` in headless Chromium.
//!
//! First the page itself: its weight as a first visit loads it (every response up to an
//! interactive console, compressed here with gzip -9 and brotli q11; the goal is ≤ 350 KB), and
//! the time from navigation to an interactive console — the console input present and enabled
//! and a PING typed into it answered — the median of several fresh visits (goal ≤ 300 ms).
//!
//! Then the script runner:
//! A learner script of 10,000 sequential awaited commands (SET then GET of 5,000 keys) runs
//! through `window.redisPlayground.runScript`, i.e. in the Web Worker, each command a round trip
//! to the page's engine. Prints, per run, the time measured in the page from `runScript()` to
//! `done` and the time the script measured around its loop; the target is ≤ 1 s. A first,
//! smaller run warms the JIT. Each run starts a second after the previous one ended, as a
//! learner's next run does: the worker is then already warm (the runner loads the next one when
//! a run ends, which takes about 0.1 s; a run started at once would wait for it). Last, the
//! floor in the same page: a bare worker↔page ping-pong of messages shaped as the runner's, with
//! no other work (what a round trip costs the browser on this machine at this time).

import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { serve } from '../../tools/static-server.mjs';
import { launchBrowser } from '../../e2e/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const VISITS = Number(process.env.BENCH_VISITS || 9);
const COMMANDS = 10_000;
/** Between two runs, as a learner reads the output: the runner's next worker is ready by then. */
const PAUSE_MS = 1000;

const script = (n) => `import Redis from 'ioredis';
const redis = new Redis();
await redis.ping();
const started = performance.now();
for (let i = 0; i < ${n / 2}; i++) {
  await redis.set(\`bench:\${i}\`, \`value \${i}\`);
  const value = await redis.get(\`bench:\${i}\`);
  if (value !== \`value \${i}\`) throw new Error('wrong value for ' + i);
}
console.log(performance.now() - started);
`;

// Runs in the page before its own scripts: as soon as the console input exists and is
// enabled, types PING and presses Enter; records when PONG shows (ms since navigation start).
const INTERACTIVE_PROBE = () => {
  window.__interactive = null;
  let typed = false;
  const check = () => {
    const input = document.querySelector('[data-testid=console-input]');
    if (!typed && input && !input.disabled) {
      typed = true;
      input.value = 'PING';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    }
    const output = document.querySelector('[data-testid=console-output]');
    if (typed && window.__interactive === null && output && output.textContent.includes('PONG')) {
      window.__interactive = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** One fresh visit (new context: empty cache and storage): the responses and the time. */
async function visit(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const responses = [];
  page.on('response', (response) => responses.push(response));
  await page.addInitScript(INTERACTIVE_PROBE);
  await page.goto(url);
  await page.waitForFunction(() => window.__interactive !== null, null, { timeout: 20_000 });
  const ms = await page.evaluate(() => window.__interactive);
  await page.waitForLoadState('networkidle');
  const files = [];
  for (const response of responses) {
    const body = await response.body().catch(() => null);
    if (body === null) continue;
    files.push({
      name: new URL(response.url()).pathname.replace(/^\//, '') || 'index.html',
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  }
  await context.close();
  return { ms, files };
}

async function benchPage(browser, url) {
  const visits = [];
  for (let i = 0; i < VISITS; i++) visits.push(await visit(browser, url));
  const { files } = visits[0];
  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`${'loaded on a first visit'.padEnd(36)} ${'raw KB'.padStart(9)} ${'gzip KB'.padStart(9)} ${'brotli KB'.padStart(10)}`);
  for (const f of files) {
    console.log(`${f.name.padEnd(36)} ${kb(f.raw).padStart(9)} ${kb(f.gzip).padStart(9)} ${kb(f.brotli).padStart(10)}`);
  }
  const sum = (k) => files.reduce((total, f) => total + f[k], 0);
  console.log(`${'total'.padEnd(36)} ${kb(sum('raw')).padStart(9)} ${kb(sum('gzip')).padStart(9)} ${kb(sum('brotli')).padStart(10)}`);
  const times = visits.map((v) => v.ms);
  console.log(
    `page weight: ${kb(sum('gzip'))} KB gzip, ${kb(sum('brotli'))} KB brotli, ${files.length} files (goal ≤ 350 KB compressed)`,
  );
  console.log(
    `navigation to an interactive console (PING answered): median ${median(times).toFixed(0)} ms of ${VISITS} fresh visits ` +
      `(min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}; goal ≤ 300 ms)`,
  );
}

const server = await serve('dist');
const browser = await launchBrowser();
try {
  await benchPage(browser, server.url);
  if (!process.env.BENCH_PAGE_ONLY) await benchRunner(browser, server.url);
} finally {
  await browser.close();
  await server.close();
}

/** The script runner: 10,000 sequential awaited GET/SET through the worker. */
async function benchRunner(browser, url) {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.redisPlayground && window.redisPlayground.engine && window.redisPlayground.runScript);
  const run = (code) =>
    page.evaluate(async (source) => {
      const started = performance.now();
      const result = await window.redisPlayground.runScript(source, { timeoutMs: 60_000 }).done;
      return { total: performance.now() - started, result };
    }, code);
  const warm = await run(script(1000));
  if (warm.result.status !== 'ok') throw new Error(`warm-up failed: ${JSON.stringify(warm.result.error)}`);
  const totals = [];
  for (let i = 0; i < RUNS; i++) {
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const { total, result } = await run(script(COMMANDS));
    if (result.status !== 'ok') throw new Error(`run failed: ${JSON.stringify(result.error)}`);
    const loop = Number(result.output[0].text);
    totals.push(total);
    console.log(
      `run ${i + 1}: ${COMMANDS} awaited GET/SET in ${total.toFixed(0)} ms (script loop ${loop.toFixed(0)} ms, ` +
        `${(loop / COMMANDS * 1000).toFixed(1)} µs per command)`,
    );
  }
  const middle = median(totals);
  // The floor, in the same page and minutes: a worker and the page passing messages shaped as a
  // batch of one GET and its answer back and forth, with no other work; with both sides asleep
  // between messages, and kept awake for 1 ms after each as the runner keeps them (keep-awake.js).
  for (const awake of [false, true]) {
    const floors = await page.evaluate(pingPong, { rounds: 3, trips: COMMANDS, awake });
    console.log(
      `floor: a bare worker↔page ping-pong of the same messages, ${awake ? 'kept awake' : 'asleep between messages'}: ` +
        `${floors.map((us) => us.toFixed(1)).join(', ')} µs per round trip (${((median(floors) * COMMANDS) / 1000).toFixed(0)} ms for ${COMMANDS})`,
    );
  }
  console.log(
    `bench-page: ${COMMANDS} sequential awaited GET/SET through the worker: median ${middle.toFixed(0)} ms ` +
      `(target ≤ 1000 ms) — ${Math.round((COMMANDS / middle) * 1000)} commands/s`,
  );
  await page.close();
}

/**
 * Runs in the page: µs per round trip of `trips` ping-pongs with a fresh worker, `rounds` times;
 * with `awake`, each side keeps itself awake for 1 ms after each message as keep-awake.js does.
 */
async function pingPong({ rounds, trips, awake }) {
  const keepAwake = `(() => {
    let until = 0;
    let spinning = false;
    const spin = () => {
      if (performance.now() < until) scheduler.postTask(spin, { priority: 'background' });
      else spinning = false;
    };
    return () => {
      if (!${awake}) return;
      until = performance.now() + 1;
      if (!spinning) {
        spinning = true;
        scheduler.postTask(spin, { priority: 'background' });
      }
    };
  })()`;
  const source = `const extend = ${keepAwake};
  onmessage = (event) => {
    const m = event.data;
    postMessage([m[0] + 1, 1, 'call', 5, 1, false, 'get', 'bench:1']);
    extend();
  };`;
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  // eslint-disable-next-line no-eval
  const extend = (0, eval)(keepAwake);
  const perTrip = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    await new Promise((resolve) => {
      worker.onmessage = (event) => {
        const id = event.data[0];
        if (id >= trips) resolve();
        else {
          worker.postMessage([id, null, null, null, ['value 1']]);
          extend();
        }
      };
      worker.postMessage([0, null, null, null, ['OK']]);
    });
    perTrip.push(((performance.now() - started) / trips) * 1000);
  }
  worker.terminate();
  return perTrip;
}
