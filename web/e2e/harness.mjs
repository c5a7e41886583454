// Shared set-up for end-to-end specs: serve dist/ on loopback, launch Debian's Chromium
// headless, open the page, and record page errors and console errors.
import { chromium } from 'playwright-core';
import { serve } from '../tools/static-server.mjs';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium from the system (never a downloaded browser). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/**
 * Serves `dist/` and opens a browser. Call `open()` for a fresh page, `close()` at the end.
 * Every page's uncaught errors and console errors are collected in `problems`.
 */
export async function startHarness({ dist = 'dist' } = {}) {
  const server = await serve(dist);
  const browser = await launchBrowser();
  const problems = [];
  return {
    url: server.url,
    problems,
    async open(path = '', { viewport = { width: 1280, height: 800 }, init, base = server.url } = {}) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      // A script run in every frame before the page's own (e.g. to record events).
      if (init) await page.addInitScript(init);
      page.setDefaultTimeout(10_000);
      page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      await page.goto(base + path);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
