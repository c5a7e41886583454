// The console's redis-cli habits in the built page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';
import { openPlayground } from './playground-page.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

function openConsole() {
  return openPlayground(harness);
}

test('the prompt shows the selected database and (TX) inside MULTI', async () => {
  const page = await openConsole();
  assert.equal(await page.prompt(), '127.0.0.1:6379>');
  await page.run('SELECT 2');
  assert.equal(await page.prompt(), '127.0.0.1:6379[2]>');
  await page.run('MULTI');
  assert.equal(await page.prompt(), '127.0.0.1:6379[2](TX)>');
  await page.run('SET k v');
  assert.equal(await page.lastReply(), 'QUEUED\n');
  await page.run('EXEC');
  assert.equal(await page.prompt(), '127.0.0.1:6379[2]>');
  assert.deepEqual(harness.problems, []);
});

test('arrow up recalls earlier lines, also after a reload', async () => {
  const page = await openConsole();
  await page.run('SET recall me');
  await page.run('GET recall');
  await page.press('ArrowUp');
  assert.equal(await page.consoleInput.inputValue(), 'GET recall');
  await page.press('ArrowUp');
  assert.equal(await page.consoleInput.inputValue(), 'SET recall me');
  await page.press('ArrowDown');
  assert.equal(await page.consoleInput.inputValue(), 'GET recall');
  await page.page.reload();
  await page.ready();
  await page.press('ArrowUp');
  assert.equal(await page.consoleInput.inputValue(), 'GET recall');
});

// Tab as in redis-cli 7.0 (linenoise): each press shows the next completion of the whole
// line in its place, then the typed text again (with a bell); Esc gives back the typed text;
// another key keeps the completion shown and acts on it.

/** The console line's text. */
function line(page) {
  return page.consoleInput.inputValue();
}

/** Presses Tab `n` times and answers the line after each press. */
async function tabs(page, n) {
  const seen = [];
  for (let i = 0; i < n; i++) {
    await page.press('Tab');
    seen.push(await line(page));
  }
  return seen;
}

/** Whether the console's input has the focus. */
function focused(page) {
  return page.consoleInput.evaluate((el) => el === document.activeElement);
}

/** The bell's class on the console line (`bell-odd`, `bell-even`), or '' before it rang. */
async function bell(page) {
  const field = page.page.locator('.console-field');
  return ((await field.getAttribute('class')).match(/bell-\w+/) ?? [''])[0];
}

test('each Tab shows the next completion in place of the line, then the typed text', async () => {
  const page = await openConsole();
  await page.type('get');
  await page.press('Tab');
  assert.equal(await line(page), 'GET');
  assert.equal(await page.hint(), ' key');
  await page.press('Tab');
  assert.equal(await line(page), 'GETBIT');
  assert.equal(await page.hint(), ' key offset', 'the hint follows the completion shown');
  assert.deepEqual(await tabs(page, 6), ['GETDEL', 'GETEX', 'GETRANGE', 'GETSET', 'get', 'GET']);
  assert.ok(await focused(page));
});

test('Tab completes the whole line in the command table\'s case, with no space after', async () => {
  const page = await openConsole();
  await page.type('client k');
  assert.deepEqual(await tabs(page, 2), ['CLIENT KILL', 'client k']);
  await page.type('hgeta');
  assert.deepEqual(await tabs(page, 3), ['HGETALL', 'hgeta', 'HGETALL']);
});

test('Tab after a container command offers its subcommands', async () => {
  const page = await openConsole();
  await page.type('CONFIG G');
  assert.deepEqual(await tabs(page, 2), ['CONFIG GET', 'CONFIG G']);
  await page.type('config');
  assert.deepEqual(await tabs(page, 2), ['CONFIG', 'CONFIG GET']);
  await page.type('CONFIG ');
  assert.deepEqual(await tabs(page, 2), ['CONFIG GET', 'CONFIG HELP']);
});

test('Tab on an empty line leaves the console (no trap for the keyboard); after a letter it completes in order', async () => {
  const page = await openConsole();
  await page.consoleInput.focus();
  await page.press('Tab');
  assert.ok(!(await focused(page)), 'Tab on an empty line moves on to the next control');
  assert.equal(await page.page.getByTestId('console-candidates').count(), 0);
  await page.consoleInput.focus();
  await page.type('s');
  const [first, second] = await tabs(page, 2);
  assert.match(first, /^S[A-Z]*$/);
  assert.ok(second > first, `${second} after ${first}`);
  const candidates = page.page.getByTestId('console-candidates');
  const position = await candidates.locator('.candidate-position').textContent();
  const [, total] = position.match(/^2\/(\d+)$/);
  assert.ok(Number(total) > 20, position);
  // The way out is written where the eyes are.
  assert.match(await candidates.textContent(), /Esc, Esc, Tab: leave the console/);
  await page.press('Escape');
  await page.press('Escape');
  await page.press('Tab');
  assert.ok(!(await focused(page)));
});

test('Tab where nothing completes rings the bell and keeps the focus', async () => {
  const page = await openConsole();
  await page.type('GET key');
  assert.equal(await bell(page), '');
  await page.press('Tab');
  assert.equal(await line(page), 'GET key');
  assert.ok(await focused(page));
  assert.equal(await bell(page), 'bell-odd');
  await page.press('Tab');
  assert.equal(await bell(page), 'bell-even', 'each ring flashes again');
  assert.equal(await page.page.getByTestId('console-candidates').count(), 0);
});

test('Esc gives back what was typed and the next key goes on from it', async () => {
  const page = await openConsole();
  await page.type('get');
  assert.deepEqual(await tabs(page, 2), ['GET', 'GETBIT']);
  await page.press('Escape');
  assert.equal(await line(page), 'get');
  await page.press('x');
  assert.equal(await line(page), 'getx');
  assert.equal(await page.page.getByTestId('console-candidates').count(), 0);
});

test('another key keeps the completion shown and acts on it', async () => {
  const page = await openConsole();
  await page.type('get');
  await tabs(page, 2);
  await page.press('Space');
  assert.equal(await line(page), 'GETBIT ');
  assert.equal(await page.page.getByTestId('console-candidates').count(), 0);
  await page.press('Tab');
  assert.equal(await line(page), 'GETBIT ', 'a new Tab completes the new line: nothing');
  await page.type('get');
  await tabs(page, 2);
  await page.press('Backspace');
  assert.equal(await line(page), 'GETBI');
  await page.type('ech');
  await page.press('Tab');
  await page.press('Enter');
  await page.consoleOutput.locator('.exchange').first().waitFor();
  assert.equal(await page.lastReply(), "(error) ERR wrong number of arguments for 'echo' command\n");
  assert.equal(await line(page), '');
});

test('an arrow key ends the cycle with the typed text, then moves, as in redis-cli', async () => {
  const page = await openConsole();
  await page.type('get');
  assert.deepEqual(await tabs(page, 2), ['GET', 'GETBIT']);
  await page.press('ArrowLeft');
  assert.equal(await line(page), 'get');
  assert.equal(await page.consoleInput.evaluate((el) => el.selectionStart), 2);
});

test('Shift+Tab steps back through the completions, and outside them leaves the console', async () => {
  const page = await openConsole();
  await page.type('get');
  await tabs(page, 2);
  await page.press('Shift+Tab');
  assert.equal(await line(page), 'GET');
  await page.press('Shift+Tab');
  assert.equal(await line(page), 'get');
  await page.press('Shift+Tab');
  assert.equal(await line(page), 'GETSET');
  await page.press('Escape');
  assert.ok(await focused(page));
  await page.press('Shift+Tab');
  assert.ok(!(await focused(page)), 'Shift+Tab is the keyboard\'s way out of the console');
});

test('Esc then Tab leaves the console, so the keyboard is never trapped', async () => {
  const page = await openConsole();
  await page.type('get');
  assert.deepEqual(await tabs(page, 1), ['GET']);
  await page.press('Escape');
  assert.equal(await line(page), 'get', 'the first Esc gives back the typed text');
  await page.press('Tab');
  assert.equal(await line(page), 'GET', 'Tab completes again: Esc ended the cycle');
  await page.press('Escape');
  await page.press('Escape');
  await page.press('Tab');
  assert.ok(!(await focused(page)));
  assert.equal(await line(page), 'get');
});

test('after help, Tab offers help topics and keeps what was typed before them', async () => {
  const page = await openConsole();
  await page.type('help @stri');
  assert.deepEqual(await tabs(page, 1), ['help @string']);
  await page.type('HELP  config g');
  assert.deepEqual(await tabs(page, 1), ['HELP  CONFIG GET']);
});

test('while Tab cycles, the completions are listed under the line with the current one marked', async () => {
  const page = await openConsole();
  await page.type('get');
  await tabs(page, 2);
  const list = page.page.getByTestId('console-candidates');
  assert.deepEqual(await list.locator('.candidate').allTextContents(), ['GET', 'GETBIT', 'GETDEL', 'GETEX', 'GETRANGE', 'GETSET']);
  assert.deepEqual(await list.locator('.current').allTextContents(), ['GETBIT']);
  assert.equal(await list.locator('.candidate-position').textContent(), '2/6');
  await tabs(page, 5);
  assert.equal(await list.locator('.current').count(), 0, 'the typed text is shown: no completion marked');
  assert.match(await list.locator('.candidate-position').textContent(), /as typed/);
});

test('the remaining arguments are hinted while typing', async () => {
  const page = await openConsole();
  await page.type('SET k');
  assert.match(await page.hint(), /^ value \[NX\|XX\] \[GET\]/);
  await page.type('EXPIRE k 10 ');
  assert.equal(await page.hint(), '[NX|XX|GT|LT]');
});

test('HELP describes a command and a group', async () => {
  const page = await openConsole();
  await page.run('HELP SET');
  const help = await page.consoleOutput.locator('.help-entry').first().textContent();
  assert.match(help, /^SET key value/);
  assert.match(help, /group: string/);
  await page.run('HELP @hash');
  assert.ok((await page.consoleOutput.locator('.help-entry').count()) > 10);
});

test('clear empties the transcript', async () => {
  const page = await openConsole();
  await page.run('PING');
  await page.type('clear');
  await page.press('Enter');
  await page.consoleOutput.locator('.exchange').first().waitFor({ state: 'detached' });
  assert.equal(await page.exchangeCount(), 0);
});

test('subscribed mode shows messages as they arrive; Ctrl+C leaves it as redis-cli does, on a new connection to the same database', async () => {
  const page = await openConsole();
  await page.pauseClock();
  await page.run('SELECT 3');
  await page.run('CLIENT SETNAME listener');
  await page.run('CLIENT ID');
  const id = await page.lastReply();
  await page.run('SUBSCRIBE news');
  assert.match(await page.lastReply(), /Reading messages/);
  // Published by another connection while the clock is paused (nothing else changes): it
  // still shows.
  await page.engineCall('PUBLISH', 'news', 'hello <b>world</b>');
  await page.consoleOutput.getByText('hello <b>world</b>').waitFor();
  await page.run('GET x');
  assert.match(await page.lastReply(), /only \(P\|S\)SUBSCRIBE/);
  await page.advanceClock('+10 s');
  await page.press('Control+c');
  await page.consoleOutput.getByText('(left subscribed mode)').waitFor();
  assert.equal(await page.lastReply(), '(left subscribed mode)\n(10.00s)\n');
  await page.run('PING');
  assert.equal(await page.lastReply(), 'PONG\n');
  // redis-cli 7.0.15 in a terminal: `CLIENT ID` is a new one, `CLIENT GETNAME` is (nil), the
  // prompt keeps [3]; nobody hears on the channel any more.
  await page.run('CLIENT ID');
  assert.notEqual(await page.lastReply(), id);
  await page.run('CLIENT GETNAME');
  assert.equal(await page.lastReply(), '(nil)\n');
  assert.equal(await page.prompt(), '127.0.0.1:6379[3]>');
  await page.run('PUBSUB NUMSUB news');
  assert.equal(await page.lastReply(), '1) "news"\n2) (integer) 0\n');
});

test('MONITOR shows what other clients and scripts run; Ctrl+C leaves it, keeping the database', async () => {
  const page = await openConsole();
  await page.pauseClock();
  await page.run('SELECT 2');
  await page.run('SET here 1');
  await page.run('MONITOR');
  assert.equal(await page.lastReply(), 'OK\n');
  await page.consoleOutput.getByText('Ctrl+C leaves monitor mode').waitFor();
  // Another connection's command and a script's appear as they run, in Redis's format.
  await page.engineCall('SET', 'other', 'x');
  await page.consoleOutput.getByText(/^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "other" "x"$/m).waitFor();
  const run = await page.page.evaluate(
    () =>
      window.redisPlayground.runScript(
        "import Redis from 'ioredis';\nconst redis = new Redis();\nawait redis.get('from-script');\nawait redis.quit();",
        { timeoutMs: 5000 },
      ).done,
  );
  assert.equal(run.status, 'ok');
  await page.consoleOutput.getByText(/\[0 127\.0\.0\.1:\d+\] "get" "from-script"$/m).waitFor();
  // redis-cli reads no command while monitoring: a line typed now waits (on a monitor
  // connection it would get "Replica can't interact with the keyspace").
  const shown = await page.exchangeCount();
  await page.consoleInput.fill('FLUSHDB');
  await page.consoleInput.press('Enter');
  await page.page.getByTestId('console-held').getByText('1 line typed meanwhile waits; Ctrl+C discards it.').waitFor();
  assert.equal(await page.exchangeCount(), shown);
  // Ctrl+C leaves monitor mode, as redis-cli does (a new connection, same database), and
  // prints how long MONITOR ran; the terminal discards what was typed meanwhile.
  await page.advanceClock('+10 s');
  await page.press('Control+c');
  await page.consoleOutput.getByText('(left monitor mode)').waitFor();
  assert.equal(await page.lastReply(), '(left monitor mode)\n(10.00s)\n');
  assert.equal(await page.page.getByTestId('console-held').count(), 0);
  assert.equal(await page.exchangeCount(), shown + 1);
  assert.equal(await page.consoleOutput.getByText('Ctrl+C leaves monitor mode').count(), 0);
  assert.equal(await page.prompt(), '127.0.0.1:6379[2]>');
  await page.run('DBSIZE');
  assert.equal(await page.lastReply(), '(integer) 1\n');
  await page.run('KEYS *');
  assert.equal(await page.lastReply(), '1) "here"\n');
  await page.run('CLIENT INFO');
  assert.match(await page.lastReply(), / flags=N db=2 /);
  // Commands run elsewhere no longer reach the console.
  const before = await page.exchangeCount();
  await page.engineCall('SET', 'later', 'y');
  await page.run('PING');
  assert.equal(await page.exchangeCount(), before + 1);
  assert.equal(await page.lastReply(), 'PONG\n');
  assert.doesNotMatch(await page.transcript(), /Replica can't interact/);
  assert.deepEqual(harness.problems, []);
});

test('a blocking command waits until another client serves it', async () => {
  const page = await openConsole();
  await page.pauseClock();
  await page.run('BLPOP jobs 0');
  assert.equal(await page.lastReply(), '');
  await page.engineCall('RPUSH', 'jobs', 'job-1');
  await page.consoleOutput.getByText('"job-1"').waitFor();
  assert.equal(await page.lastReply(), '1) "jobs"\n2) "job-1"\n');
});

test('a command that took half a second or more is followed by its duration, as redis-cli prints it', async () => {
  const page = await openConsole();
  // A timeout on the live clock: exactly the timeout, however late the console notices it.
  await page.run('BLPOP k 1');
  await page.consoleOutput.getByText('(nil)').waitFor();
  assert.equal(await page.lastReply(), '(nil)\n(1.00s)\n');
  await page.pauseClock();
  // DEBUG SLEEP moves the virtual clock; a quicker command prints no duration.
  await page.run('DEBUG SLEEP 0.5');
  assert.equal(await page.lastReply(), 'OK\n(0.50s)\n');
  await page.run('DEBUG SLEEP 0.4');
  assert.equal(await page.lastReply(), 'OK\n');
  await page.run('PING');
  assert.equal(await page.lastReply(), 'PONG\n');
  // The clock jumping past a timeout: BLPOP answered when its 2 seconds were up, as the same
  // 10 seconds passing in real time would have shown.
  await page.run('BLPOP k 2');
  await page.advanceClock('+10 s');
  await page.consoleOutput.locator('.exchange .reply').last().getByText('(nil)').waitFor();
  assert.equal(await page.lastReply(), '(nil)\n(2.00s)\n');
  // Served by another client after a minute.
  await page.run('BLPOP jobs 0');
  await page.advanceClock('+1 min');
  await page.engineCall('RPUSH', 'jobs', 'job-1');
  await page.consoleOutput.getByText('"job-1"').waitFor();
  assert.equal(await page.lastReply(), '1) "jobs"\n2) "job-1"\n(60.00s)\n');
  assert.deepEqual(harness.problems, []);
});

test('lines typed while a command blocks wait their turn, as a terminal keeps them', async () => {
  const page = await openConsole();
  await page.pauseClock();
  await page.run('BLPOP jobs 0');
  // Typed while BLPOP waits: neither runs (its RPUSH would otherwise fail on a blocked
  // connection), and the console says they wait.
  for (const line of ['RPUSH jobs mine', 'LLEN jobs']) {
    await page.consoleInput.fill(line);
    await page.consoleInput.press('Enter');
  }
  await page.page
    .getByTestId('console-held')
    .getByText('2 lines typed meanwhile run after it; Ctrl+C discards them.')
    .waitFor();
  assert.equal(await page.exchangeCount(), 1);
  assert.deepEqual(await page.engineCall('LLEN', 'jobs'), [0]);
  // Served by another client; then the held lines run in order.
  await page.engineCall('RPUSH', 'jobs', 'theirs');
  await page.consoleOutput.locator('.exchange').nth(2).waitFor();
  const replies = await page.consoleOutput.locator('.exchange .reply').allTextContents();
  assert.deepEqual(replies, ['1) "jobs"\n2) "theirs"\n', '(integer) 1\n', '(integer) 1\n']);
  assert.equal(await page.page.getByTestId('console-held').count(), 0);
  // A timeout on the virtual clock releases them too.
  await page.run('BLPOP none 1');
  await page.consoleInput.fill('GET after');
  await page.consoleInput.press('Enter');
  await page.advanceClock('+1 s');
  await page.consoleOutput.locator('.exchange').nth(4).waitFor();
  assert.equal(await page.lastReply(), '(nil)\n');
  assert.equal(await page.consoleOutput.locator('.exchange .reply').nth(3).textContent(), '(nil)\n(1.00s)\n');
  assert.equal(await page.consoleOutput.locator('.exchange .typed').last().textContent(), '127.0.0.1:6379> GET after');
  assert.deepEqual(harness.problems, []);
});

test('Ctrl+C while a command blocks drops the connection and what was typed meanwhile, as redis-cli quits', async () => {
  const page = await openConsole();
  await page.run('SELECT 2');
  await page.run('BLPOP jobs 0');
  await page.consoleInput.fill('RPUSH jobs mine');
  await page.consoleInput.press('Enter');
  await page.page.getByTestId('console-held').waitFor();
  // redis-cli 7.0 exits on Ctrl+C here: the terminal shows ^C and discards what was typed
  // meanwhile, and the server forgets the wait with the connection. The console connects
  // again, to the same database.
  await page.press('Control+c');
  await page.page.getByTestId('console-held').waitFor({ state: 'detached' });
  const replies = await page.consoleOutput.locator('.exchange .reply').allTextContents();
  assert.deepEqual(replies, [
    'OK\n',
    '^C\n',
    '(redis-cli quits on Ctrl+C during a blocking command; the console connected again)\n',
  ]);
  assert.equal(await page.page.getByTestId('console-held').count(), 0);
  assert.equal(await page.prompt(), '127.0.0.1:6379[2]>');
  // Nobody waits on the list any more, and the line typed meanwhile never ran.
  const [clients] = await page.engineCall('CLIENT', 'LIST');
  assert.doesNotMatch(clients, /cmd=blpop/);
  await page.engineCall('SELECT', '2');
  assert.deepEqual(await page.engineCall('RPUSH', 'jobs', 'theirs'), [1]);
  await page.run('LRANGE jobs 0 -1');
  assert.equal(await page.lastReply(), '1) "theirs"\n');
  await page.run('CLIENT INFO');
  assert.match(await page.lastReply(), / db=2 .* cmd=client\|info /);
  assert.deepEqual(harness.problems, []);
});

test('a reset drops the lines typed while a command blocked or while monitoring', async () => {
  const page = await openConsole();
  for (const first of ['BLPOP jobs 0', 'MONITOR']) {
    await page.run(first);
    await page.consoleInput.fill('SET stale 1');
    await page.consoleInput.press('Enter');
    await page.page.getByTestId('console-held').waitFor();
    await page.openReset();
    await page.page.getByTestId('reset-confirm').click();
    await page.resetDialog.waitFor({ state: 'hidden' });
    await page.run('DBSIZE');
    assert.equal(await page.transcript(), '127.0.0.1:6379> DBSIZE(integer) 0\n', `after ${first}`);
    assert.equal(await page.page.getByTestId('console-held').count(), 0);
  }
  assert.deepEqual(harness.problems, []);
});

test('after SHUTDOWN the prompt says not connected until the next line reconnects, as redis-cli', async () => {
  const page = await openConsole();
  await page.run('SET k v');
  await page.run('SHUTDOWN NOSAVE');
  assert.equal(await page.prompt(), 'not connected>');
  await page.run('PING');
  assert.equal(await page.consoleOutput.locator('.exchange .typed').last().textContent(), 'not connected> PING');
  assert.equal(await page.lastReply(), 'PONG\n');
  assert.equal(await page.prompt(), '127.0.0.1:6379>');
  assert.deepEqual(harness.problems, []);
});

test('pasting several lines runs each of them', async () => {
  const page = await openConsole();
  await page.consoleInput.focus();
  await page.page.evaluate(() => {
    const input = document.querySelector('[data-testid=console-input]');
    const data = new DataTransfer();
    data.setData('text', 'SET a 1\nINCR a\nGET a');
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await page.consoleOutput.getByText('"2"').waitFor();
  assert.equal(await page.exchangeCount(), 3);
});

test('keys and values are shown as text, never as markup', async () => {
  const page = await openConsole();
  await page.run('SET "<img src=x onerror=alert(1)>" "<script>alert(2)</script>"');
  const rows = await page.keys();
  assert.equal(rows[0].key, '<img src=x onerror=alert(1)>');
  assert.equal(await page.page.locator('img').count(), 0);
  await page.page.getByTestId('key-list').locator('.key-row').first().click();
  assert.equal(await page.page.getByTestId('key-detail').locator('.value-string').textContent(), '<script>alert(2)</script>');
  assert.deepEqual(harness.problems, []);
});

test('a command can be run with the keyboard alone', async () => {
  const page = await openConsole();
  // From the top of the page, Tab reaches the console input.
  await page.page.keyboard.press('Tab');
  for (let i = 0; i < 20 && !(await page.consoleInput.evaluate((el) => el === document.activeElement)); i++) {
    await page.page.keyboard.press('Tab');
  }
  assert.ok(await page.consoleInput.evaluate((el) => el === document.activeElement));
  await page.page.keyboard.type('ECHO keyboard');
  await page.page.keyboard.press('Enter');
  await page.consoleOutput.getByText('"keyboard"').waitFor();
});
