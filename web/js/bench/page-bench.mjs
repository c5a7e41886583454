//! `make bench-page`: the script runner in headless Chromium against the built `dist/`.
//!
//! A learner script of 10,000 sequential awaited commands (SET then GET of 5,000 keys) runs
//! through `window.redisPlayground.runScript`, i.e. in the Web Worker, each command a round trip
//! to the page's engine. Prints, per run, the time measured in the page from `runScript()` to
//! `done` (worker already warm: the runner keeps one ready) and the time the script measured
//! around its loop; the target is ≤ 1 s. A first, smaller run warms the worker and the JIT.

import { serve } from '../../tools/static-server.mjs';
import { launchBrowser } from '../../e2e/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const COMMANDS = 10_000;

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

const server = await serve('dist');
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
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
    const { total, result } = await run(script(COMMANDS));
    if (result.status !== 'ok') throw new Error(`run failed: ${JSON.stringify(result.error)}`);
    const loop = Number(result.output[0].text);
    totals.push(total);
    console.log(
      `run ${i + 1}: ${COMMANDS} awaited GET/SET in ${total.toFixed(0)} ms (script loop ${loop.toFixed(0)} ms, ` +
        `${(loop / COMMANDS * 1000).toFixed(1)} µs per command)`,
    );
  }
  totals.sort((a, b) => a - b);
  const median = totals[Math.floor(totals.length / 2)];
  console.log(
    `bench-page: ${COMMANDS} sequential awaited GET/SET through the worker: median ${median.toFixed(0)} ms ` +
      `(target ≤ 1000 ms) — ${Math.round((COMMANDS / median) * 1000)} commands/s`,
  );
} finally {
  await browser.close();
  await server.close();
}
