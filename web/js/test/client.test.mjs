//! The client against the wasm engine alone: what the differential test cannot show (the
//! in-process servers, the virtual clock and its handle, Lua's absence, the method table, the
//! platform layer), and package-level checks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadPackage, packageDir, sleep, once } from './harness.mjs';

const pkg = await loadPackage();
const { default: Redis, clock, ReplyError, Engine, createClient } = pkg;
const root = fileURLToPath(new URL('../../../', import.meta.url));

let nextPort = 30000;
/** A client on a fresh in-process server (its own port). */
function fresh(options = {}) {
  return new Redis({ port: nextPort++, ...options });
}

test('default and named exports; Redis.ReplyError; the redis entry', async () => {
  assert.equal(pkg.default, pkg.Redis);
  assert.equal(Redis.ReplyError, ReplyError);
  const r = fresh();
  const err = await r.call('nosuch').catch((e) => e);
  assert.ok(err instanceof ReplyError);
  assert.equal(err.name, 'ReplyError');
  const redisEntry = await import(`${packageDir}/redis.js`);
  assert.equal(typeof redisEntry.createClient, 'function');
  r.disconnect();
});

test("ioredis 5's named exports, and on the default export, but for its socket and Sentinel connectors", async () => {
  // Connections here go to in-process servers: ioredis's connector classes have nothing to do.
  const connectors = ['AbstractConnector', 'SentinelConnector', 'SentinelIterator'];
  const ioredis = await import('ioredis');
  const names = Object.keys(ioredis).filter((name) => name !== '__esModule' && !connectors.includes(name));
  assert.deepEqual(names.filter((name) => !(name in pkg)), []);
  const statics = Object.keys(ioredis.default).filter((name) => !connectors.includes(name));
  assert.deepEqual(statics.filter((name) => !(name in Redis)), []);
  for (const name of names) {
    if (name !== 'default') assert.equal(Redis[name], pkg[name], name);
  }
  assert.equal(Redis.default, Redis);
  assert.throws(() => new pkg.Cluster([{ port: 7000 }]), /Redis Cluster is not available here/);
});

test('a pipeline holding a command named by a number throws at exec() before sending any of its commands', async () => {
  const r = fresh();
  const pipeline = r.pipeline().set('a', '1').call(123).incr('n');
  assert.throws(() => pipeline.exec(), {
    name: 'TypeError',
    message: 'commandName.toLowerCase is not a function',
  });
  // ioredis would have left SET waiting for a reply that never comes, GET's reply going to it.
  assert.equal(await r.get('a'), null);
  const transaction = r.multi().set('a', '1').callBuffer(Buffer.from('get'), 'a');
  assert.throws(() => transaction.exec(), TypeError);
  assert.deepEqual(await r.multi().set('b', '2').get('b').exec(), [
    [null, 'OK'],
    [null, '2'],
  ]);
  assert.equal(await r.dbsize(), 1);
  // The node-redis style takes Buffer command names, as node-redis does.
  const c = createClient({ socket: { port: nextPort++ } });
  await c.connect();
  assert.equal(await c.sendCommand([Buffer.from('PING')]), 'PONG');
  assert.deepEqual(await c.multi().addCommand([Buffer.from('SET'), 'k', 'v']).exec(), ['OK']);
  await c.disconnect();
  r.disconnect();
});

test('a method and a Buffer twin for every Redis 7.0 command; missing ones answer unknown command', async () => {
  const r = fresh();
  for (const name of Engine.redisCommandNames()) {
    if (name === 'monitor') continue;
    assert.equal(typeof r[name], 'function', name);
    assert.equal(typeof r[`${name}Buffer`], 'function', `${name}Buffer`);
  }
  const implemented = new Set(Engine.commands().map((c) => c.name));
  const missing = Engine.redisCommandNames().find((n) => !implemented.has(n) && n !== 'monitor');
  if (missing) {
    const err = await r[missing]('a', 'b').catch((e) => e);
    assert.equal(err.message, `ERR unknown command '${missing}', with args beginning with: 'a' 'b' `);
    assert.deepEqual(err.command, { name: missing, args: ['a', 'b'] });
  }
  r.disconnect();
});

test('the generated command table is up to date with @ioredis/commands', () => {
  execFileSync('node', [`${root}scripts/gen-js-commands.mjs`, '--check']);
});

test('the shared core imports nothing from node: (it must run in a Web Worker)', () => {
  const dir = `${root}web/js/client`;
  for (const file of readdirSync(dir)) {
    const text = readFileSync(`${dir}/${file}`, 'utf8');
    assert.doesNotMatch(text, /from ['"]node:|\brequire\(|\bprocess\.|\bBuffer\./, file);
  }
});

test('clients of one host and port share a server; another port is another server', async () => {
  const port = nextPort++;
  const a = new Redis({ port });
  const b = new Redis(port, '127.0.0.1');
  const c = new Redis(`redis://localhost:${port}`);
  const other = new Redis({ port: nextPort++ });
  await a.set('shared', 'yes');
  assert.equal(await b.get('shared'), 'yes');
  assert.equal(await c.get('shared'), 'yes');
  assert.equal(await a.duplicate().get('shared'), 'yes');
  assert.equal(await other.get('shared'), null);
  const ids = await Promise.all([a, b, c].map((x) => x.client('ID')));
  assert.equal(new Set(ids).size, 3);
  for (const x of [a, b, c, other]) x.disconnect();
});

test('the command methods answer at once on an idle connection, yet go through a replaced sendCommand and new transformers', async () => {
  const r = fresh();
  await r.ping();
  const { Command } = pkg;
  // Replies in order whichever path each command takes (idle, queued behind others).
  const order = [];
  await Promise.all([
    r.set('k', 'v').then((x) => order.push(['set', x])),
    r.get('k').then((x) => order.push(['get', x])),
    r.incr('k').catch((err) => order.push(['incr', err.name, err.command])),
    r.getBuffer('k').then((x) => order.push(['getBuffer', Buffer.isBuffer(x), String(x)])),
  ]);
  assert.deepEqual(order, [
    ['set', 'OK'],
    ['get', 'v'],
    ['incr', 'ReplyError', { name: 'incr', args: ['k'] }],
    ['getBuffer', true, 'v'],
  ]);
  const err = await r.hset('k', { f: 1 }).catch((e) => e);
  assert.deepEqual(err.command, { name: 'hset', args: ['k', 'f', '1'] });
  // Instrumentation that replaces sendCommand (as tracing libraries do) sees every command.
  const seen = [];
  const { sendCommand } = r;
  r.sendCommand = function traced(command, stream) {
    seen.push(command.name);
    return sendCommand.call(this, command, stream);
  };
  assert.equal(await r.get('k'), 'v');
  delete r.sendCommand;
  assert.deepEqual(seen, ['get']);
  // A transformer set after a method was used applies to it from then on.
  assert.equal(await r.echo('x'), 'x');
  Command.setReplyTransformer('echo', (reply) => `<${reply}>`);
  Command.setArgumentTransformer('echo', (args) => args.map((a) => `${a}!`));
  try {
    assert.equal(await r.echo('x'), '<x!>');
    Command.setReplyTransformer('echo', () => {
      throw new Error('bad reply');
    });
    await assert.rejects(r.echo('y'), /bad reply/);
  } finally {
    Command.setReplyTransformer('echo', undefined);
    Command.setArgumentTransformer('echo', undefined);
  }
  assert.equal(await r.echo('z'), 'z');
  r.disconnect();
});

test('virtual time follows the wall clock: PX expiry and blocking timeouts', async () => {
  const r = fresh();
  await r.set('short', 'v', 'PX', 100);
  assert.equal(await r.get('short'), 'v');
  await sleep(150);
  assert.equal(await r.get('short'), null);
  const start = Date.now();
  assert.equal(await r.blpop('nothing', 0.2), null);
  const waited = Date.now() - start;
  assert.ok(waited >= 190 && waited < 1000, `waited ${waited} ms`);
  const [seconds] = await r.time();
  assert.ok(Math.abs(Number(seconds) - Date.now() / 1000) < 5);
  r.disconnect();
});

test('clock handle: pause, advance, set, resume', async () => {
  const r = fresh();
  const other = r.duplicate();
  clock.pause();
  try {
    const t0 = clock.now();
    await r.set('k', 'v', 'EX', 10);
    await sleep(30);
    assert.equal(clock.now(), t0, 'a paused clock does not move');
    assert.equal(await r.ttl('k'), 10);
    clock.advance(9500);
    assert.equal(await r.pttl('k'), 500);
    clock.advance(500);
    assert.equal(await r.get('k'), 'v', 'Redis expires a key once time is past its expiry');
    clock.advance(1);
    assert.equal(await r.get('k'), null);

    // A blocked command times out only when virtual time passes its deadline.
    const pending = other.blpop('q', 5);
    let settled = false;
    pending.then(() => {
      settled = true;
    });
    await sleep(50);
    assert.equal(settled, false);
    clock.advance(4999);
    await sleep(10);
    assert.equal(settled, false);
    clock.advance(1);
    assert.equal(await pending, null);

    clock.set(t0 + 86_400_000);
    const [seconds] = await r.time();
    assert.equal(Number(seconds), Math.floor((t0 + 86_400_000) / 1000));
    assert.throws(() => clock.set(t0), /cannot go back/);
    assert.throws(() => clock.advance(-1), RangeError);
    await r.set('exat', 'v', 'PXAT', clock.now() + 1000);
    assert.equal(await r.pttl('exat'), 1000);
  } finally {
    clock.resume();
  }
  const before = clock.now();
  await sleep(20);
  assert.ok(clock.now() >= before + 15, 'resumed: follows the wall clock again');
  r.disconnect();
  other.disconnect();
});

test('commands sent while a blocking command waits run after it, in order', async () => {
  const r = fresh();
  const pusher = r.duplicate();
  const order = [];
  const a = r.blpop('q', 0).then((v) => order.push(['blpop', v]));
  const b = r.get('k').then((v) => order.push(['get', v]));
  const c = r.set('k', 'v').then((v) => order.push(['set', v]));
  await sleep(20);
  assert.deepEqual(order, []);
  await pusher.rpush('q', 'x');
  await Promise.all([a, b, c]);
  assert.deepEqual(order, [['blpop', ['q', 'x']], ['get', null], ['set', 'OK']]);
  r.disconnect();
  pusher.disconnect();
});

test('a publisher goes on before its subscribers hear, as it usually does against Redis', async () => {
  // Redis writes the publisher's reply before the subscribers' messages; Node usually reads it
  // first (see the differential test of the subscribers' order).
  const publisher = fresh();
  const subscriber = publisher.duplicate();
  const order = [];
  subscriber.on('message', (channel, message) => order.push(`heard ${message}`));
  await subscriber.subscribe('news');
  await publisher.publish('news', 'one').then((n) => order.push(`published to ${n}`));
  order.push('after the await');
  await sleep(10);
  // Messages published in one turn reach the subscriber together, after that turn.
  publisher.publish('news', 'two');
  publisher.publish('news', 'three');
  order.push('sent two');
  await sleep(10);
  assert.deepEqual(order, ['published to 1', 'after the await', 'heard one', 'sent two', 'heard two', 'heard three']);
  publisher.disconnect();
  subscriber.disconnect();
});

test('Lua: eval, evalsha and defineCommand (EVALSHA, then EVAL on NOSCRIPT) run scripts', async () => {
  const r = fresh();
  assert.equal(await r.eval('return 1', 0), 1);
  assert.deepEqual(await r.eval('return {KEYS[1], ARGV[1]}', 1, 'k', 'a'), ['k', 'a']);
  const err = await r.eval('return x', 0).catch((e) => e);
  assert.equal(err.name, 'ReplyError');
  assert.match(err.message, /^ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: [0-9a-f]{40}, on @user_script:1\.$/);
  r.defineCommand('echoKey', { numberOfKeys: 1, lua: 'return KEYS[1]' });
  assert.equal(await r.echoKey('k'), 'k');
  assert.equal(await r.echoKey('k2'), 'k2');
  const results = await r.pipeline().echoKey('k').get('k').exec();
  assert.deepEqual(results, [[null, 'k'], [null, null]]);
  const runaway = await r.eval('while true do end', 0).catch((e) => e);
  assert.match(runaway.message, /^ERR Script stopped by the playground: it ran more than 20000000 Lua instructions/);
  assert.equal(await r.eval("return redis.call('set', KEYS[1], 'v')", 1, 'after'), 'OK');
  r.disconnect();
});

test('monitor(): a duplicate in monitoring mode emits each command on the virtual clock; Cluster is refused', async () => {
  const r = fresh({ db: 1 });
  await r.ping();
  const monitor = await r.monitor();
  assert.equal(monitor.status, 'monitoring');
  assert.equal(monitor.mode, 'monitor');
  const seen = [];
  monitor.on('monitor', (...args) => seen.push(args));
  const wasPaused = clock.isPaused();
  clock.pause();
  try {
    const at = clock.now();
    await r.set('k', 'say "hi" é');
    await r.get('k');
    const expected = (at / 1000).toFixed(6);
    await sleep(10);
    assert.deepEqual(seen.map(([time]) => time), [expected, expected]);
    assert.deepEqual(seen.map(([, args]) => args), [['set', 'k', 'say "hi" \\xc3\\xa9'], ['get', 'k']]);
    assert.match(seen[0][2], /^127\.0\.0\.1:\d+$/);
    assert.equal(seen[0][3], '1');
  } finally {
    if (!wasPaused) clock.resume();
  }
  const refused = await monitor.get('k').catch((e) => e);
  assert.equal(refused.message, "Connection is in monitoring mode, can't process commands.");
  monitor.disconnect();
  assert.throws(() => new Redis.Cluster([{ port: 7000 }]), /Cluster is not available/);
  r.disconnect();
});

test('password against a server without requirepass: ioredis warns and goes on', async () => {
  const warnings = [];
  const original = console.warn;
  console.warn = (...args) => warnings.push(args.join(' '));
  try {
    const r = fresh({ password: 'secret' });
    await once(r, 'ready');
    assert.equal(await r.ping(), 'PONG');
    await sleep(10);
    assert.deepEqual(warnings, [
      "[WARN] This Redis server's `default` user does not require a password, but a password was supplied",
    ]);
    r.disconnect();
  } finally {
    console.warn = original;
  }
});

test('password and username against requirepass', async () => {
  const admin = fresh();
  assert.equal(await admin.config('SET', 'requirepass', 'pw'), 'OK');
  const { port } = admin.options;
  const good = new Redis({ port, password: 'pw' });
  assert.equal(await good.ping(), 'PONG');
  const user = new Redis(`redis://default:pw@localhost:${port}`);
  assert.equal(await user.ping(), 'PONG');
  const none = new Redis({ port, retryStrategy: () => null });
  const errors = [];
  none.on('error', (e) => errors.push(e.message));
  await once(none, 'end');
  // ioredis emits the INFO error itself (its "Ready check failed: …" error is built but unused).
  assert.deepEqual(errors, ['NOAUTH Authentication required.']);
  const bad = new Redis({ port, password: 'nope', retryStrategy: () => null });
  const badErrors = [];
  bad.on('error', (e) => badErrors.push(e.message));
  await once(bad, 'end');
  assert.match(badErrors[0], /^WRONGPASS/);
  for (const c of [good, user]) c.disconnect();
  admin.disconnect();
});

test('keyPrefix with Buffer keys, scanBufferStream, hgetallBuffer', async () => {
  const r = fresh({ keyPrefix: 'p:' });
  await r.set(Buffer.from([0xff]), 'v');
  const plain = fresh({ port: r.options.port });
  assert.deepEqual(await plain.keys('*'), ['p:\ufffd']);
  const raw = await plain.keysBuffer('*');
  assert.deepEqual([...raw[0]], [0x70, 0x3a, 0xff]);
  r.disconnect();
  plain.disconnect();
});

test('CLIENT KILL of the connection itself: reconnects and keeps working', async () => {
  const r = fresh();
  await r.ping();
  const statuses = [];
  for (const s of ['close', 'reconnecting', 'connecting', 'connect', 'ready']) r.on(s, () => statuses.push(s));
  const id = await r.client('ID');
  assert.equal(await r.client('KILL', 'ID', id), 0, 'SKIPME yes by default');
  assert.equal(await r.client('KILL', 'ID', id, 'SKIPME', 'no'), 1);
  await once(r, 'ready');
  assert.deepEqual(statuses, ['close', 'reconnecting', 'connecting', 'connect', 'ready']);
  assert.equal(await r.ping(), 'PONG');
  r.disconnect();
});

test('without a stream module the scan stream is an emitter and an async iterable', async () => {
  const { ScanEmitter } = await import(`${packageDir}/client/scan-stream.js`);
  const r = fresh();
  await r.mset(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])));
  const viaEvents = await new Promise((resolve, reject) => {
    const all = [];
    const s = new ScanEmitter({ redis: r, command: 'scan', count: 7 });
    s.on('data', (batch) => all.push(...batch));
    s.on('end', () => resolve(all));
    s.on('error', reject);
  });
  assert.equal(new Set(viaEvents).size, 50);
  const viaIterator = [];
  for await (const batch of new ScanEmitter({ redis: r, command: 'scan', match: 'k1*' })) {
    viaIterator.push(...batch);
  }
  assert.equal(viaIterator.length, 11);
  r.disconnect();
});

test('the neutral emitter: on, once, off, emit order, error without listener throws', async () => {
  const { Emitter } = await import(`${packageDir}/client/emitter.js`);
  const e = new Emitter();
  const seen = [];
  const a = (x) => seen.push(['a', x]);
  e.on('ev', a);
  e.once('ev', (x) => seen.push(['once', x]));
  e.prependListener('ev', (x) => seen.push(['first', x]));
  assert.equal(e.emit('ev', 1), true);
  e.off('ev', a);
  e.emit('ev', 2);
  assert.deepEqual(seen, [['first', 1], ['a', 1], ['once', 1], ['first', 2]]);
  assert.equal(e.listenerCount('ev'), 1);
  assert.throws(() => e.emit('error', new Error('boom')), /boom/);
  assert.equal(e.emit('nobody'), false);
});

test('node-redis style: createClient with url and database, duplicate, isolation of servers', async () => {
  const port = nextPort++;
  const c = createClient({ url: `redis://localhost:${port}/2` });
  await c.connect();
  await c.set('k', 'v');
  const plain = new Redis({ port, db: 2 });
  assert.equal(await plain.get('k'), 'v');
  const dup = c.duplicate();
  assert.equal(dup.isOpen, false);
  await dup.connect();
  assert.equal(await dup.get('k'), 'v');
  await dup.quit();
  await c.disconnect();
  plain.disconnect();
});
