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
}
