import { loadPackage } from '../test/harness.mjs';
const { default: Redis } = await loadPackage();
const c = new Redis({ port: 9999 });
const value = 'x'.repeat(100);
let p = c.pipeline();
for (let k = 0; k < 100000; k++) { if (k % 5) p.set(`user:${k}`, value); if (p.length === 1000) { await p.exec(); p = c.pipeline(); } }
await p.exec();
const t = performance.now();
for (let i = 0; i < 200000; i++) { const key = `user:${(i * 7919) % 100000}`; const v = await c.get(key); if (v === null) await c.set(key, value, 'EX', 3600); }
console.log((200000 / (performance.now() - t) * 1000) | 0);
c.disconnect();
