// Page object for the playground: specs talk to panels through it, selecting by data-testid.

/** A fresh page of the playground from `harness`, ready for input; `viewport` {width, height}. */
export async function openPlayground(harness, viewport) {
  return new PlaygroundPage(await harness.open('', viewport ? { viewport } : undefined)).ready();
}

export class PlaygroundPage {
  constructor(page) {
    this.page = page;
    this.consoleInput = page.getByTestId('console-input');
    this.consoleOutput = page.getByTestId('console-output');
  }

  /** Waits until the console accepts input (the wasm app has mounted). */
  async ready() {
    await this.consoleInput.waitFor({ state: 'visible' });
    return this;
  }

  /** Types a line into the console and presses Enter; resolves once the line is echoed. */
  async run(line) {
    const before = await this.consoleOutput.locator('.exchange').count();
    await this.consoleInput.fill(line);
    await this.consoleInput.press('Enter');
    await this.consoleOutput.locator('.exchange').nth(before).waitFor();
  }

  /** The printed reply of the last line run, exactly as shown. */
  async lastReply() {
    return this.consoleOutput.locator('.exchange .reply').last().textContent();
  }

  /** Number of exchanges shown in the transcript. */
  async exchangeCount() {
    return this.consoleOutput.locator('.exchange').count();
  }

  /** The whole transcript's text. */
  async transcript() {
    return this.consoleOutput.textContent();
  }

  /** The console prompt, e.g. `127.0.0.1:6379[2](TX)>`. */
  async prompt() {
    return this.page.getByTestId('console-prompt').textContent();
  }

  /** The greyed hint after what is typed. */
  async hint() {
    return this.page.getByTestId('console-hint').textContent();
  }

  /** Types into the console without running. */
  async type(text) {
    await this.consoleInput.fill(text);
  }

  /** Presses a key (or chord, e.g. `Control+c`) in the console. */
  async press(key) {
    await this.consoleInput.press(key);
  }

  /** Moves the virtual clock with one of the clock's buttons (`+1 s`, `+10 s`, `+1 min`). */
  async advanceClock(label) {
    await this.page.getByTestId('clock-advance').getByRole('button', { name: label, exact: true }).click();
  }

  /** Pauses the virtual clock (it starts live). */
  async pauseClock() {
    const toggle = this.page.getByTestId('clock-toggle');
    if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  }

  /** The key browser's rows: `{ key, type, ttl }`. */
  async keys() {
    const rows = this.page.getByTestId('key-list').locator('.key-row');
    return rows.evaluateAll((els) =>
      els.map((el) => ({
        key: el.querySelector('.key-name').textContent,
        type: el.querySelector('.type-badge').textContent,
        ttl: el.querySelector('.key-ttl').textContent,
      })),
    );
  }

  /** Reloads the page (saving its state on the way out) and waits for the console. */
  async reload() {
    await this.page.reload();
    return this.ready();
  }

  /** The reset button in the header. */
  get resetButton() {
    return this.page.getByTestId('reset-button');
  }

  /** The reset confirmation dialog. */
  get resetDialog() {
    return this.page.getByRole('dialog', { name: 'Reset the playground?' });
  }

  /** Opens the reset dialog and waits for it. */
  async openReset() {
    await this.resetButton.click();
    await this.resetDialog.waitFor({ state: 'visible' });
  }

  /** Resets through the dialog (asks, confirms) and waits until the keys are gone. */
  async reset() {
    await this.openReset();
    await this.page.getByTestId('reset-confirm').click();
    await this.resetDialog.waitFor({ state: 'hidden' });
    await this.page.getByTestId('key-count').getByText('0 keys', { exact: true }).waitFor();
  }

  /** The note about saving or restoring the playground, or null. */
  async stateNote() {
    const note = this.page.getByTestId('state-note');
    return (await note.count()) ? note.textContent() : null;
  }

  /** A panel separator (`columns` or `rows`). */
  separator(name) {
    return this.page.getByTestId(`split-${name}`);
  }

  /** A separator's value (aria-valuenow), as a number. */
  async separatorValue(name) {
    return Number(await this.separator(name).getAttribute('aria-valuenow'));
  }

  /** The page clock's virtual time (Unix ms), once it has caught up with the engine's. */
  async clockNow() {
    await this.page.waitForFunction(() => {
      const { clock, engine } = window.redisPlayground;
      return clock && engine && clock.now() >= engine.now();
    });
    return this.page.evaluate(() => window.redisPlayground.clock.now());
  }

  /** Whether the document scrolls sideways. */
  hasHorizontalScroll() {
    return this.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  }

  /** Runs a command on the page's engine from JavaScript, as another client would. */
  async engineCall(...argv) {
    return this.page.evaluate((argv) => {
      const engine = window.redisPlayground.engine;
      window.__otherClient ??= engine.connect();
      return engine.call(window.__otherClient, argv, false);
    }, argv);
  }
}

/**
 * The script runner's page API (`window.redisPlayground.runScript`), driven without any editor
 * UI: scripts go in through `page.evaluate`, results come back as plain data.
 */
export class RunnerApi {
  constructor(page) {
    this.page = page;
  }

  /** Waits until the app has published the engine and the runner is installed. */
  async ready() {
    await this.page.waitForFunction(
      () => window.redisPlayground && window.redisPlayground.engine && window.redisPlayground.runScript,
    );
    return this;
  }

  /** Runs a script to its end; resolves with the run's result (status, error, output, events…). */
  run(code, options = {}) {
    return this.page.evaluate(
      ([source, opts]) => window.redisPlayground.runScript(source, opts).done,
      [code, options],
    );
  }

  /** Starts a script, stops it after `afterMs` of wall time, resolves with its result. */
  runAndStop(code, afterMs, options = {}) {
    return this.page.evaluate(
      ([source, ms, opts]) => {
        const run = window.redisPlayground.runScript(source, opts);
        setTimeout(() => run.stop(), ms);
        return run.done;
      },
      [code, afterMs, options],
    );
  }

  /** Runs a command on the page's engine on a connection of its own; error replies as `{error}`. */
  engine(...argv) {
    return this.page.evaluate((args) => {
      const { engine } = window.redisPlayground;
      if (window.__testClient === undefined) window.__testClient = engine.connect();
      const reply = engine.exec(window.__testClient, args);
      return reply instanceof Error ? { error: reply.message } : reply;
    }, argv);
  }

  /** The page clock's virtual time (Unix ms). */
  now() {
    return this.page.evaluate(() => window.redisPlayground.clock.now());
  }

  /** Just the printed text of a result, one entry per line printed. */
  static texts(result, stream) {
    return result.output.filter((o) => !stream || o.stream === stream).map((o) => o.text);
  }
}

/**
 * The script editor panel: CodeMirror (loaded when the pointer or focus first reaches the
 * editor; a plain text area until then), Run/Stop, the
 * output, share links. The editor's text is read from the panel's fallback text area, which
 * always mirrors it (`Playground::editor_code`).
 */
export class EditorPanel {
  /** @param page a Page, or a Frame (an embed's iframe) whose page's keyboard types */
  constructor(page) {
    this.page = page;
    this.keyboard = page.keyboard ?? page.page().keyboard;
    this.root = page.getByTestId('editor');
    this.content = this.root.locator('.cm-content');
    this.output = page.getByTestId('script-output');
    this.runButton = page.getByTestId('run-button');
    this.stopButton = page.getByTestId('stop-button');
    this.status = page.getByTestId('run-status');
  }

  /** Points at the editor, as a learner about to edit does, and waits for CodeMirror. */
  async ready() {
    await this.root.scrollIntoViewIfNeeded();
    await this.root.locator('.editor-surface').hover();
    await this.content.waitFor();
    return this;
  }

  /** The editor's text. */
  code() {
    return this.page.getByTestId('editor-fallback').inputValue();
  }

  /** Replaces the editor's text as a paste would (no auto-closing or re-indenting). */
  async setCode(text) {
    await this.content.click();
    await this.keyboard.press('ControlOrMeta+a');
    await this.keyboard.press('Delete');
    await this.keyboard.insertText(text);
    await this.page.waitForFunction(
      (expected) => document.querySelector('[data-testid=editor-fallback]')?.value === expected,
      text,
    );
  }

  /** Types at the end of the text, key by key, as a learner does. */
  async typeAtEnd(text) {
    await this.content.click();
    await this.keyboard.press('ControlOrMeta+End');
    await this.keyboard.type(text);
  }

  /** The number of the last run that ended (0 before any). */
  async lastRun() {
    const ended = this.page.locator('[data-testid=run-status][data-run]');
    return (await ended.count()) ? Number(await ended.getAttribute('data-run')) : 0;
  }

  /** Clicks Run and waits for the run to end; resolves with its status (ok, error, …). */
  async run() {
    const n = await this.lastRun();
    await this.runButton.click();
    return this.finished(n + 1);
  }

  /** Waits until run number `n` has ended; resolves with its status. */
  async finished(n) {
    const ended = this.page.locator(`[data-testid=run-status][data-run="${n}"]`);
    await ended.waitFor({ timeout: 15_000 });
    return ended.getAttribute('data-status');
  }

  /** The run's one-line summary. */
  summary() {
    return this.status.textContent();
  }

  /** The printed lines of the last run, in order. */
  lines() {
    return this.output.locator('.output-line').allTextContents();
  }

  /**
   * A share link to this page for `{code, commands, lesson}`, made by the page's own codec (as
   * Share makes it) without touching the panel.
   */
  shareLinkFor({ code = '', commands = [], lesson = null } = {}) {
    return this.page.evaluate((payload) => window.redisPlayground.editor.shareLink(payload), { code, commands, lesson });
  }

  /** Waits until the editor's text is `text`. */
  async waitForCode(text) {
    await this.page.waitForFunction(
      (expected) => document.querySelector('[data-testid=editor-fallback]')?.value === expected,
      text,
    );
  }

  /** Presses Ctrl+Z (⌘+Z) in CodeMirror, as a learner taking back the last change. */
  async undo() {
    await this.content.click();
    await this.keyboard.press('ControlOrMeta+z');
  }

  /** The notice that a link replaced the learner's code (`code-replaced`). */
  get replacedNotice() {
    return this.page.getByTestId('code-replaced');
  }

  /** The offer of setup commands from a link (`share-offer`). */
  get offer() {
    return this.page.getByTestId('share-offer');
  }

  /** Clicks Share and resolves with the link shown. */
  async share() {
    await this.page.getByTestId('share-button').click();
    const field = this.page.getByTestId('share-link');
    await field.waitFor();
    await this.page.waitForFunction(() => document.querySelector('[data-testid=share-link]')?.value.includes('#share='));
    return field.inputValue();
  }
}

/** The timeline's latest events as text (its screen-reader list), oldest first. */
export function timelineRecent(page) {
  return page.getByTestId('timeline-recent').locator('li').allTextContents();
}

/**
 * The timeline panel. Its drawing is a canvas, so what it shows is read back as pixels, sorted
 * into kinds by colour (light theme): `ink` (anything drawn), `hit` (the hits' green: hit marks
 * and the hit-rate line) and `miss` (the misses' red).
 */
export class TimelinePanel {
  constructor(page) {
    this.page = page;
    this.canvas = page.getByTestId('timeline');
    this.follow = page.getByTestId('timeline-follow');
    this.filter = page.getByTestId('timeline-filter');
  }

  /**
   * The canvas in CSS px: `width`, `height`, `plotTop` (the first row drawn across the whole
   * width: the top edge of the lanes, below the time axis's labels) and, per kind, the box
   * `{ left, right, top, bottom }` of its pixels within `region` (all of the canvas unless
   * given as `{ x0, x1, y0, y1 }`, ends excluded) and the number of `columns` holding them
   * (`null` when there are none).
   */
  async pixels(region = {}) {
    return this.canvas.evaluate((canvas, region) => {
      const scale = canvas.width / canvas.clientWidth;
      const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const at = (x, y) => data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4);
      const kinds = {
        ink: (r, g, b, a) => a > 0,
        hit: (r, g, b, a) => a > 60 && g > r + 40 && g > b + 25,
        miss: (r, g, b, a) => a > 60 && r > g + 80 && r > b + 80,
      };
      let plotTop = null;
      for (let y = 0; y < height && plotTop === null; y++) {
        let inked = 0;
        for (let x = 0; x < width; x++) if (at(x, y)[3] > 0) inked++;
        if (inked >= width * 0.95) plotTop = y / scale;
      }
      const [x0, x1] = [Math.max(0, Math.round((region.x0 ?? 0) * scale)), Math.min(width, Math.round((region.x1 ?? width) * scale))];
      const [y0, y1] = [Math.max(0, Math.round((region.y0 ?? 0) * scale)), Math.min(height, Math.round((region.y1 ?? height) * scale))];
      const found = { width: canvas.clientWidth, height: canvas.clientHeight, plotTop };
      for (const [kind, test] of Object.entries(kinds)) {
        let box = null;
        const columns = new Set();
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            if (!test(...at(x, y))) continue;
            columns.add(x);
            box ??= { left: x, right: x, top: y, bottom: y };
            box.left = Math.min(box.left, x);
            box.right = Math.max(box.right, x);
            box.bottom = y;
          }
        }
        found[kind] = box && {
          left: box.left / scale,
          right: (box.right + 1) / scale,
          top: box.top / scale,
          bottom: (box.bottom + 1) / scale,
          columns: columns.size / scale,
        };
      }
      return found;
    }, region);
  }

  /**
   * Reads `pixels(region)` until `ok(pixels)` holds (the drawing follows the engine a moment
   * later) or 3 s pass, and returns the last reading either way.
   */
  async pixelsWhen(ok, region) {
    const until = Date.now() + 3_000;
    for (;;) {
      const found = await this.pixels(region);
      if (ok(found) || Date.now() > until) return found;
      await this.page.waitForTimeout(50);
    }
  }
}
