// The timeline panel as drawn: the hit-rate line inside the lanes, time labels inside the canvas,
// the filter's placeholder readable, and "Follow" following the clock. The canvas is read back
// as pixels through the page object (TimelinePanel).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';
import { openPlayground, TimelinePanel } from './playground-page.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

async function open(viewport) {
  const page = await openPlayground(harness, viewport);
  await page.pauseClock();
  const timeline = new TimelinePanel(page.page);
  await timeline.canvas.scrollIntoViewIfNeeded();
  return { page, timeline };
}

test('the hit-rate line is drawn inside the lanes, 0 % along their bottom', async () => {
  const { page, timeline } = await open({ width: 1280, height: 800 });
  // Two misses 10 s apart, then 10 s more: a 0 % rate from the first miss to now, which the
  // view (60 s wide, following) shows over its last third.
  await page.run('GET missing');
  await page.advanceClock('+10 s');
  await page.run('GET missing');
  await page.advanceClock('+10 s');
  const { width, height, plotTop, hit } = await timeline.pixelsWhen(
    (p) => p.hit && p.hit.columns >= p.width * 0.25,
  );
  assert.ok(plotTop > 0, 'the lanes start below the time labels');
  assert.ok(hit, 'the hit-rate line is drawn');
  assert.ok(hit.top >= plotTop, `the line (top ${hit.top}) lies below the lanes' top edge (${plotTop})`);
  assert.ok(hit.bottom <= height && hit.right <= width, 'the line lies within the canvas');
  assert.ok(hit.top >= height - 8, `at 0 % the line runs along the bottom (top ${hit.top} of ${height})`);
  assert.ok(hit.columns >= width * 0.25, `the line runs from the first read to now (${hit.columns} of ${width} px)`);
  // Hits lift it: its highest point rises, still within the lanes.
  await page.run('SET user:1 Ada');
  for (let i = 0; i < 3; i++) await page.run('GET user:1');
  const after = await timeline.pixelsWhen((p) => p.hit && p.hit.top < height - 30);
  assert.ok(after.hit.top < height - 30, `the rate rose (line top ${after.hit.top})`);
  assert.ok(after.hit.top >= after.plotTop, "the line stays below the lanes' top edge");
});

test('the last time label is never clipped at the right edge', async () => {
  const { page, timeline } = await open({ width: 1440, height: 900 });
  // Put a tick 1 s before the view's right edge (the view ends 5 % of its 60 s past now), where
  // a label right of its tick would run past the edge.
  const now = await page.page.evaluate(() => window.redisPlayground.engine.now());
  const by = (((8_000 - (now % 10_000)) % 10_000) + 10_000) % 10_000 || 10_000;
  await page.page.getByTestId('clock-custom').fill(`${by}ms`);
  await page.page.getByTestId('clock-custom-go').click();
  assert.equal((await page.page.evaluate(() => window.redisPlayground.engine.now())) % 10_000, 8_000);
  const { width, plotTop } = await timeline.pixels();
  const axis = { y0: 0, y1: plotTop - 5 };
  // The label band's last 3 px stay blank, and the last tick's label is there, left of them.
  const edge = await timeline.pixelsWhen((p) => !p.ink, { ...axis, x0: width - 3 });
  assert.equal(edge.ink, null, `nothing drawn in the labels' last 3 px: ${JSON.stringify(edge.ink)}`);
  const last = await timeline.pixels({ ...axis, x0: width - 80, x1: width - 3 });
  assert.ok(last.ink, 'the last tick keeps its label');
});

test("the filter's placeholder fits its field at every width", async () => {
  for (const viewport of [
    { width: 360, height: 740 },
    { width: 768, height: 1024 },
    { width: 1280, height: 800 },
    { width: 1440, height: 900 },
  ]) {
    const { page, timeline } = await open(viewport);
    // An input's scrollWidth ignores its placeholder: measure the text in the field's font.
    const { text, room } = await timeline.filter.evaluate((input) => {
      const style = getComputedStyle(input);
      const context = document.createElement('canvas').getContext('2d');
      context.font = style.font;
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return { text: context.measureText(input.placeholder).width, room };
    });
    assert.ok(text <= room, `at ${viewport.width} px the placeholder needs ${text} px, has ${room}`);
    // The controls stay inside the panel.
    const outside = await page.page.evaluate(() => {
      const panel = document.querySelector('.timeline').getBoundingClientRect();
      return [...document.querySelectorAll('.timeline-controls > *')]
        .filter((el) => el.getBoundingClientRect().right > panel.right + 0.5)
        .map((el) => el.className || el.tagName);
    });
    assert.deepEqual(outside, [], `at ${viewport.width} px`);
    assert.equal(await page.hasHorizontalScroll(), false);
    await page.page.context().close();
  }
});

test('following, the view moves with the clock; moved by hand, it stays', async () => {
  const { page, timeline } = await open({ width: 1280, height: 800 });
  assert.equal(await timeline.follow.textContent(), 'Following now');
  await page.run('GET missing');
  assert.ok((await timeline.pixelsWhen((p) => p.miss)).miss, 'the miss is drawn');
  // +1 min: the present moves on and the view with it; the miss (60 s ago) leaves it.
  await page.advanceClock('+1 min');
  assert.equal((await timeline.pixelsWhen((p) => !p.miss)).miss, null, 'the view followed the clock');
  assert.equal(await timeline.follow.textContent(), 'Following now');
  // Dragged a little: no longer following; the clock moves, the view stays.
  await page.run('GET missing');
  await timeline.pixelsWhen((p) => p.miss);
  await timeline.canvas.scrollIntoViewIfNeeded();
  const box = await timeline.canvas.boundingBox();
  await page.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.page.mouse.down();
  await page.page.mouse.move(box.x + box.width / 2 - 20, box.y + box.height / 2);
  await page.page.mouse.up();
  assert.equal(await timeline.follow.textContent(), 'Follow now');
  await page.advanceClock('+1 min');
  await page.page.waitForTimeout(300);
  assert.ok((await timeline.pixels()).miss, 'the view stayed where it was moved');
  // "Follow now" brings the present back.
  await timeline.follow.click();
  assert.equal((await timeline.pixelsWhen((p) => !p.miss)).miss, null, 'the view caught up with the clock');
});
