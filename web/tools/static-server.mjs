// A small static file server for dist/: what `make serve` and the end-to-end tests use. It sends
// a file's precompressed .br or .gz copy (scripts/compress-dist.mjs) to browsers that accept it.
// Usage: node web/tools/static-server.mjs <dir> [port] [host]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.toml': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Precompressed copies (scripts/compress-dist.mjs writes them), in order of preference. */
const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
];

/** Whether an Accept-Encoding header accepts `coding` (named, or `*`, and not with q=0). */
export function accepts(header, coding) {
  return String(header ?? '')
    .split(',')
    .map((part) => part.trim().split(';'))
    .some(([name, ...params]) => {
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return (name.trim().toLowerCase() === coding || name.trim() === '*') && (!q || Number(q.slice(2)) > 0);
    });
}

/**
 * The body to send for `file`: its precompressed copy when the request accepts that encoding
 * and the copy is not older than the file (a rebuild without compression leaves stale copies
 * behind, which must not be served), else the file itself.
 */
async function body(file, info, acceptEncoding) {
  for (const [coding, ext] of ENCODINGS) {
    if (!accepts(acceptEncoding, coding)) continue;
    const copy = await stat(file + ext).catch(() => null);
    if (copy?.isFile() && copy.mtimeMs >= info.mtimeMs) return { data: await readFile(file + ext), coding };
  }
  return { data: await readFile(file), coding: null };
}

/** Serves `dir` on host:port (port 0 picks a free one). Resolves to { url, close }. */
export function serve(dir, { port = 0, host = '127.0.0.1' } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const { data, coding } = await body(file, info, req.headers['accept-encoding']);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        vary: 'accept-encoding',
        'content-length': data.length,
        ...(coding ? { 'content-encoding': coding } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : data);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({
        url: `http://${host}:${actual}/`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir = 'dist', port = '8080', host = '127.0.0.1'] = process.argv.slice(2);
  const { url } = await serve(dir, { port: Number(port), host });
  console.log(`Redis Playground: serving ${dir}/ on ${url} (Ctrl+C stops)`);
}
