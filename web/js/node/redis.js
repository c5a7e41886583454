//! The package answering as `redis` (node-redis v4 style): `import { createClient } from …`,
//! with node-redis's error classes (`WatchError`, `ClientClosedError`, …).
export {
  createClient,
  defineScript,
  ErrorReply,
  commandOptions,
  clock,
  MultiErrorReply,
  WatchError,
  ConnectionTimeoutError,
  ClientClosedError,
  ClientOfflineError,
  DisconnectsClientError,
  SocketClosedUnexpectedlyError,
  RootNodesUnavailableError,
  ReconnectStrategyError,
} from './index.js';
// node-redis's own, which the main entry's ioredis-style `AbortError` would hide.
export { AbortError } from './client/node-redis.js';
