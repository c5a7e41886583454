// The static server (web/tools/static-server.mjs): precompressed copies are sent to browsers
// that accept them, never when stale, and the file itself otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { accepts, serve } from '../../tools/static-server.mjs';

function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

test('accepts() reads Accept-Encoding with q-values and *', () => {
  assert.equal(accepts('gzip, deflate, br', 'br'), true);
  assert.equal(accepts('gzip;q=1.0, br;q=0', 'br'), false);
  assert.equal(accepts('gzip;q=0.5', 'gzip'), true);
  assert.equal(accepts('*', 'gzip'), true);
  assert.equal(accepts('identity', 'gzip'), false);
  assert.equal(accepts(undefined, 'br'), false);
});

test('a precompressed copy is served when accepted and fresh', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'static-server-'));
  const text = 'console.log("hello");\n'.repeat(100);
  writeFileSync(join(dir, 'app.js'), text);
  writeFileSync(join(dir, 'app.js.br'), brotliCompressSync(text));
  writeFileSync(join(dir, 'app.js.gz'), gzipSync(text));
  const server = await serve(dir);
  try {
    const br = await get(`${server.url}app.js`, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(br.headers.vary, 'accept-encoding');
    assert.equal(brotliDecompressSync(br.body).toString(), text);
    const gz = await get(`${server.url}app.js`, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), text);
    const plain = await get(`${server.url}app.js`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), text);
    // A copy older than its file (the file was rebuilt without compressing) is not used.
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'app.js.br'), past, past);
    const stale = await get(`${server.url}app.js`, { 'accept-encoding': 'br' });
    assert.equal(stale.headers['content-encoding'], undefined);
    assert.equal(stale.body.toString(), text);
    assert.equal((await get(`${server.url}missing.js`, { 'accept-encoding': 'br' })).status, 404);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
