#!/usr/bin/env node
// Assembles the npm package in target/npm (after wasm-bindgen wrote engine.js and
// engine_bg.wasm there): the client sources, the Node entry, TypeScript types, package.json.
// Run by `make js`.
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}target/npm`;
const rootPkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

rmSync(`${out}/client`, { recursive: true, force: true });
mkdirSync(`${out}/client`, { recursive: true });
for (const file of readdirSync(`${root}web/js/client`)) {
  if (file.endsWith('.js')) cpSync(`${root}web/js/client/${file}`, `${out}/client/${file}`);
}
for (const file of readdirSync(`${root}web/js/node`)) {
  cpSync(`${root}web/js/node/${file}`, `${out}/${file}`);
}

const pkg = {
  name: 'redis-playground',
  version: rootPkg.version,
  description:
    'An ioredis-compatible (and node-redis v4 style) client over an in-process Redis 7.0 engine compiled to WebAssembly.',
  type: 'module',
  main: './index.js',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    './redis': { types: './redis.d.ts', default: './redis.js' },
    './engine': './engine.js',
    './client/*': './client/*',
  },
  engines: { node: '>=20' },
  license: 'MIT',
  sideEffects: true,
};
writeFileSync(`${out}/package.json`, `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`assembled ${out}`);
