//! The page's state and look, in Node: the page clock's `restore` (used by the saved-state
//! restore and by reset), and WCAG AA contrast of every text colour of web/css/app.css on the
//! backgrounds it is drawn on, in the light and the dark theme.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { PageClock } = await import(`${root}web/js/runner/clock.js`);

test('the page clock restores a saved state, going back if it must', () => {
  let wall = 5_000_000;
  const clock = new PageClock(() => wall);
  let changes = 0;
  clock.onChange(() => changes++);
  clock.advance(60_000);
  clock.restore({ time: 1_000, paused: true, speed: 10 });
  assert.equal(clock.now(), 1_000);
  assert.equal(clock.isPaused(), true);
  assert.equal(clock.speed(), 10);
  wall += 500;
  assert.equal(clock.now(), 1_000, 'paused');
  clock.resume();
  wall += 100;
  assert.equal(clock.now(), 2_000, 'live at ×10');
  clock.restore({ time: 7_000 });
  wall += 10;
  assert.equal(clock.now(), 7_010, 'live at ×1 by default');
  assert.equal(clock.isPaused(), false);
  assert.throws(() => clock.restore({ time: Number.NaN }), RangeError);
  assert.throws(() => clock.restore({ time: 1, speed: 0 }), RangeError);
  assert.equal(changes, 4);
});

// ---- contrast ----

/** The custom properties of each theme, read from the stylesheet. */
function themes() {
  const css = readFileSync(`${root}web/css/app.css`, 'utf8');
  const block = (selector) => {
    const at = css.indexOf(`${selector} {`);
    assert.ok(at >= 0, `no ${selector} block`);
    const body = css.slice(at, css.indexOf('}', at));
    return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1], m[2]]));
  };
  const light = block(':root');
  const dark = { ...light, ...block(':root[data-theme="dark"]') };
  // The system's dark scheme (no theme chosen) shares the dark block.
  const shared = ':root[data-system-theme="dark"]:not([data-theme="light"]),\n:root[data-theme="dark"] {';
  assert.ok(css.includes(shared), 'the system dark scheme uses the dark block');
  const system = dark;
  return { light, dark, system };
}

function luminance(hex) {
  const channel = (i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// [text colour, background, minimum ratio]: body text, muted labels, hints and the legend
// are text (AA: 4.5); the focus ring and separators' grips are UI (AA non-text: 3).
const PAIRS = [
  ['fg', 'bg', 4.5],
  ['fg', 'panel', 4.5],
  ['muted', 'panel', 4.5],
  ['muted', 'bg', 4.5],
  ['hint', 'panel', 4.5],
  ['hint', 'bg', 4.5],
  ['accent', 'panel', 4.5],
  ['accent-fg', 'accent', 4.5],
  ['danger-fg', 'danger', 4.5],
  ['hit', 'panel', 4.5],
  ['miss', 'panel', 4.5],
  ['write', 'panel', 4.5],
  ['expire', 'panel', 4.5],
  ['evict', 'panel', 4.5],
  ['evict', 'bg', 4.5],
  ['focus', 'panel', 3],
  ['focus', 'bg', 3],
  ['grip', 'bg', 3],
];

for (const [name, vars] of Object.entries(themes())) {
  test(`text in the ${name} theme meets WCAG AA contrast`, () => {
    const failures = [];
    for (const [fg, bg, min] of PAIRS) {
      assert.ok(vars[fg] && vars[bg], `--${fg} and --${bg} are defined`);
      const ratio = contrast(vars[fg], vars[bg]);
      if (ratio < min) failures.push(`--${fg} ${vars[fg]} on --${bg} ${vars[bg]}: ${ratio.toFixed(2)} < ${min}`);
    }
    assert.deepEqual(failures, []);
  });
}

test('the contrast formula gives the known extremes', () => {
  assert.equal(contrast('#000000', '#ffffff').toFixed(1), '21.0');
  assert.equal(contrast('#777777', '#777777'), 1);
});
