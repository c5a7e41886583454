import { readFileSync } from 'node:fs';
import { initSync, Engine } from '../../../target/npm/engine.js';
initSync({ module: readFileSync(new URL('../../../target/npm/engine_bg.wasm', import.meta.url)) });
const e = new Engine(); const c = e.connect();
for (let i = 0; i < 100; i++) e.call(c, ['set', `user:${i}`, 'v'], false);
const N = 2000000;
const t = performance.now();
for (let i = 0; i < N; i++) e.callPacked(c, '3:get6:user:1', false);
console.log(Math.round(N / (performance.now() - t) * 1000));
