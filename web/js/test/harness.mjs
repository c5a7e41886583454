//! Shared helpers of the Node tests: where the built package is, how to compare replies and
//! errors (Buffers as hex, errors as name/message/command), and small waiting helpers.

import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The built package (`make js`), or the one NPM_DIR names. */
export const packageDir = process.env.NPM_DIR || `${root}target/npm`;

export async function loadPackage() {
  return import(`${packageDir}/index.js`);
}

/** A value as plain data that `deepStrictEqual` compares meaningfully across both clients. */
export function norm(value) {
  if (value instanceof Error) {
    const out = { error: value.name, message: value.message };
    if (value.command) out.command = norm(value.command);
    if (value.previousErrors) out.previousErrors = value.previousErrors.map(norm);
    return out;
  }
  if (Buffer.isBuffer(value)) return { buffer: value.toString('hex') };
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('hex') };
  if (Array.isArray(value)) return value.map(norm);
  if (value instanceof Map) return { map: [...value].map(norm) };
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    const out = { proto: proto === Object.prototype ? 'Object' : proto === null ? 'null' : 'other' };
    out.entries = Object.getOwnPropertyNames(value).map((k) => [k, norm(value[k])]);
    return out;
  }
  if (value === undefined) return { undefined: true };
  return value;
}

/** Settles a promise into `{ ok }` or `{ err }` (normalized), never throwing. */
export async function settle(promise) {
  try {
    return { ok: norm(await promise) };
  } catch (err) {
    return { err: norm(err) };
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the arguments of the next `event` of `emitter`. */
export function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

/** Waits until `predicate()` is true (polling), or fails after `ms`. */
export async function until(predicate, ms = 2000) {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await sleep(5);
  }
}
