// Page object for the playground: specs talk to panels through it, selecting by data-testid.

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

  /** Runs a command on the page's engine from JavaScript, as another client would. */
  async engineCall(...argv) {
    return this.page.evaluate((argv) => {
      const engine = window.redisPlayground.engine;
      window.__otherClient ??= engine.connect();
      return engine.call(window.__otherClient, argv, false);
    }, argv);
  }
}
