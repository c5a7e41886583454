// Share links (web/js/editor/share.js): round trips, and every way a link can be bad.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ShareError,
  decodeShare,
  encodeShare,
  shareLink,
  shareParam,
  MAX_ENCODED_CHARS,
} from '../editor/share.js';

async function deflateRaw(text) {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return Buffer.from(await new Response(stream).arrayBuffer()).toString('base64url');
}

test('a playground survives encoding: code, setup commands, lesson, any characters', async () => {
  const shared = {
    code: "const x = `é ☃ 𝄞 <script>alert(1)</script>`;\nconsole.log(x);\n",
    commands: ['SET user:1 "Ada Lovelace"', 'HSET h f v'],
    lesson: 'cache-aside',
  };
  const encoded = await encodeShare(shared);
  assert.match(encoded, /^[A-Za-z0-9_-]+$/, 'base64url, no padding');
  assert.deepEqual(await decodeShare(encoded), shared);
  assert.deepEqual(await decodeShare(await encodeShare({ code: '' })), { code: '', commands: [], lesson: null });
});

test('the format is deflate-raw of JSON {v:1, code, commands, lesson} in base64url', async () => {
  const encoded = await encodeShare({ code: 'let a = 1;', commands: ['PING'] });
  const json = await new Response(
    new Blob([Buffer.from(encoded, 'base64url')]).stream().pipeThrough(new DecompressionStream('deflate-raw')),
  ).text();
  assert.deepEqual(JSON.parse(json), { v: 1, code: 'let a = 1;', commands: ['PING'], lesson: null });
  // And a link written by hand in that format opens.
  const byHand = await deflateRaw(JSON.stringify({ v: 1, code: 'x', commands: [], lesson: null }));
  assert.deepEqual(await decodeShare(byHand), { code: 'x', commands: [], lesson: null });
});

test('links: the hash parameter is found and the page URL keeps its query', () => {
  assert.equal(shareParam('#share=abc'), 'abc');
  assert.equal(shareParam('#x=1&share=abc'), 'abc');
  assert.equal(shareParam('#shared=abc'), null);
  assert.equal(shareParam(''), null);
  assert.equal(shareLink('http://h/p/?lesson=a#old', 'xyz'), 'http://h/p/?lesson=a#share=xyz');
});

async function refused(text, pattern) {
  await assert.rejects(decodeShare(text), (err) => {
    assert.ok(err instanceof ShareError, `a ShareError, not ${err}`);
    assert.match(err.message, pattern);
    return true;
  });
}

test('bad links are refused with a message for the learner, never a crash', async () => {
  await refused('', /empty/);
  await refused('not base64!', /not valid base64url/);
  await refused('A', /not valid base64url/);
  await refused('AAAA', /does not decompress|not JSON/);
  await refused(Buffer.from('plain text, not deflated').toString('base64url'), /does not decompress|not JSON/);
  await refused(await deflateRaw('{"v":1,'), /not JSON/);
  await refused(await deflateRaw('[1,2]'), /does not describe a playground/);
  await refused(await deflateRaw('{"v":2,"code":""}'), /another version/);
  await refused(await deflateRaw('{"v":1,"code":42}'), /code is not text/);
  await refused(await deflateRaw('{"v":1,"code":"","commands":"SET a 1"}'), /not a list of lines/);
  await refused(await deflateRaw('{"v":1,"code":"","commands":["SET a 1\\nFLUSHALL"]}'), /too many or too long/);
  await refused(await deflateRaw('{"v":1,"code":"","lesson":{"x":1}}'), /not a lesson name/);
});

test('oversized links are refused before and after inflating', async () => {
  await refused('A'.repeat(MAX_ENCODED_CHARS + 4), /too long/);
  // A tiny link that inflates into megabytes (a zip bomb) stops at the limit.
  const bomb = await deflateRaw(JSON.stringify({ v: 1, code: ' '.repeat(4_000_000) }));
  assert.ok(bomb.length < 20_000);
  await refused(bomb, /too large to open/);
  await assert.rejects(encodeShare({ code: 'x'.repeat(100_001) }), ShareError);
});
