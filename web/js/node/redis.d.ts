// Types of the `redis-playground/redis` entry: the node-redis v4 style.
export {
  createClient,
  defineScript,
  commandOptions,
  clock,
  ErrorReply,
  MultiErrorReply,
  WatchError,
  ConnectionTimeoutError,
  ClientClosedError,
  ClientOfflineError,
  DisconnectsClientError,
  SocketClosedUnexpectedlyError,
  RootNodesUnavailableError,
  ReconnectStrategyError,
  RedisClient,
  RedisClientOptions,
} from './index.js';
/** node-redis 4's: never thrown here (no command is aborted). */
export class AbortError extends Error {}
