//! The package's entry in Node (≥ 20): loads the engine's wasm from disk, installs Node's
//! EventEmitter, Buffer, process.nextTick and Readable as the client's platform, and the
//! in-process servers as its transport. `import Redis from '<package>'` then works as ioredis.

import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { initSync, Engine } from './engine.js';
import { setPlatform } from './client/platform.js';
import { createLocalTransport, clock } from './client/local-server.js';
import { Redis, Cluster, print } from './client/redis.js';
import { Command } from './client/command.js';
import { Pipeline } from './client/pipeline.js';
import { ScanStream } from './client/scan-stream.js';
import { ReplyError, RedisError, AbortError } from './client/errors.js';

initSync({ module: readFileSync(new URL('./engine_bg.wasm', import.meta.url)) });

const transport = createLocalTransport(Engine);

setPlatform({
  EventEmitter,
  nextTick: process.nextTick,
  setImmediate: (fn) => setImmediate(fn),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t),
  bytesFromString: (s) => Buffer.from(s),
  wrapBytes: (u8) => (Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength)),
  bytesToString: (b) =>
    (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString(),
  isBytes: (v) => v instanceof Uint8Array,
  memoryCodec: (arrayBuffer) => {
    const b = Buffer.from(arrayBuffer);
    // Buffer's own slice and write methods, where Node has them, skip the argument checks and
    // encoding dispatch of toString/write: for a 100-byte reply, a tenth of a wire call.
    if (typeof b.latin1Slice === 'function' && typeof b.utf8Slice === 'function' && typeof b.utf8Write === 'function') {
      return {
        latin1: (start, end) => b.latin1Slice(start, end),
        utf8: (start, end) => b.utf8Slice(start, end),
        write: (string, offset, max) => b.utf8Write(string, offset, max),
        bytes,
      };
    }
    return {
      latin1: (start, end) => b.toString('latin1', start, end),
      utf8: (start, end) => b.toString('utf8', start, end),
      write: (string, offset, max) => b.write(string, offset, max, 'utf8'),
      bytes,
    };
    // A copy as a Buffer from Node's pool: a `Uint8Array` sliced from the memory, wrapped as a
    // Buffer afterwards, cost some 0.6 µs more (a backing store of its own for each).
    function bytes(start, end) {
      const out = Buffer.allocUnsafe(end - start);
      b.copy(out, 0, start, end);
      return out;
    }
  },
  Readable,
  transport,
});

export default Redis;
// ioredis's named exports, but for its connectors (`AbstractConnector`, `SentinelConnector`,
// `SentinelIterator`): connections here are to in-process servers, without sockets or Sentinel.
export {
  Redis,
  Cluster,
  Command,
  Pipeline,
  ScanStream,
  ReplyError,
  print,
  RedisError,
  AbortError,
  clock,
  Engine,
  transport,
};
// The node-redis 4 style and its error classes (node-redis's `AbortError` only from `redis.js`:
// ioredis's has the name here).
export {
  createClient,
  defineScript,
  ErrorReply,
  commandOptions,
  MultiErrorReply,
  WatchError,
  ConnectionTimeoutError,
  ClientClosedError,
  ClientOfflineError,
  DisconnectsClientError,
  SocketClosedUnexpectedlyError,
  RootNodesUnavailableError,
  ReconnectStrategyError,
} from './client/node-redis.js';
