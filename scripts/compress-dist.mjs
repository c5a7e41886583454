// Writes a brotli (q11, `.br`) and a gzip (-9, `.gz`) copy beside every text or wasm file of
// dist/ worth compressing, for servers that send precompressed files: web/tools/static-server.mjs
// (`make serve`, the e2e tests) does, when the browser accepts the encoding and the copy is not
// older than the file. `make dist` runs it after Trunk's build.
//   node scripts/compress-dist.mjs [dir]
import { readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.wasm', '.js', '.mjs', '.css', '.html', '.json', '.md', '.svg', '.txt', '.toml']);
/** Smaller files gain nothing worth a second request path. */
const MIN_SIZE = 1024;

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.has(extname(entry.name))) yield path;
  }
}

const dir = process.argv[2] ?? 'dist';
let count = 0;
for await (const file of files(dir)) {
  const body = await readFile(file);
  const copies = [
    ['.br', () => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })],
    ['.gz', () => gzipSync(body, { level: 9 })],
  ];
  for (const [ext, compress] of copies) {
    const copy = compress();
    if (body.length >= MIN_SIZE && copy.length < body.length) {
      await writeFile(file + ext, copy);
      count += 1;
    } else if (await stat(file + ext).catch(() => null)) {
      await unlink(file + ext);
    }
  }
}
console.log(`compress-dist: ${count} precompressed copies in ${dir}/`);
