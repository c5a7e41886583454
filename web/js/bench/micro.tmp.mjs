import { readFileSync } from 'node:fs';
import { initSync, Engine } from '../../../target/npm/engine.js';
initSync({ module: readFileSync(new URL('../../../target/npm/engine_bg.wasm', import.meta.url)) });
const e = new Engine(); const c = e.connect();
const value = 'x'.repeat(100);
for (let k = 0; k < 100000; k++) e.call(c, ['set', `user:${k}`, value], false);
const N = 300000;
function bench(name, f) { f(20000); const t = performance.now(); f(N); console.log(name, Math.round(N / (performance.now() - t) * 1000)); }
for (let round = 0; round < 2; round++) {
bench('call get', (n) => { for (let i = 0; i < n; i++) e.call(c, ['get', `user:${(i * 7919) % 100000}`], false); });
bench('packed get', (n) => { for (let i = 0; i < n; i++) { const k = `user:${(i * 7919) % 100000}`; e.callPacked(c, `3:get${k.length}:${k}`, false); } });
bench('call ping', (n) => { for (let i = 0; i < n; i++) e.call(c, ['ping'], false); });
bench('packed ping', (n) => { for (let i = 0; i < n; i++) e.callPacked(c, '4:ping', false); });
bench('call set', (n) => { for (let i = 0; i < n; i++) e.call(c, ['set', `user:${(i * 7919) % 100000}`, value], false); });
bench('packed set', (n) => { for (let i = 0; i < n; i++) { const k = `user:${(i * 7919) % 100000}`; e.callPacked(c, `3:set${k.length}:${k}100:${value}`, false); } });
bench('call get small', (n) => { for (let i = 0; i < n; i++) e.call(c, ['get', `user:${i % 100}`], false); });
}
