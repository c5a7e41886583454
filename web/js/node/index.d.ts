// Types of the package's entry (index.js and redis.js). Command methods are typed loosely: one
// per Redis command, as in ioredis, returning promises of the reply.

import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';

export type Callback<T = unknown> = (err?: Error | null, result?: T) => void;
export type Arg = string | number | Buffer | Uint8Array | null | undefined | Arg[];

export interface RedisOptions {
  port?: number;
  host?: string;
  path?: string;
  username?: string | null;
  password?: string | null;
  db?: number;
  keyPrefix?: string;
  lazyConnect?: boolean;
  connectionName?: string | null;
  enableOfflineQueue?: boolean;
  enableReadyCheck?: boolean;
  autoResubscribe?: boolean;
  autoResendUnfulfilledCommands?: boolean;
  retryStrategy?: (times: number) => number | void | null;
  reconnectOnError?: ((err: Error) => boolean | 1 | 2) | null;
  maxRetriesPerRequest?: number | null;
  commandTimeout?: number;
  showFriendlyErrorStack?: boolean;
  [option: string]: unknown;
}

/** An error reply of the server: `message` is Redis's text. */
export class ReplyError extends Error {
  command?: { name: string; args: unknown[] };
  previousErrors?: Error[];
}
export class RedisError extends Error {}
export class AbortError extends RedisError {}

export interface ScanStreamOptions {
  match?: string;
  type?: string;
  count?: number;
  noValues?: boolean;
}

/**
 * The stream behind `scanStream()` and friends, as ioredis exports it: one `data` event per
 * batch of the scan. Made directly, it needs `objectMode: true` (batches are arrays).
 */
export class ScanStream extends Readable {
  constructor(
    options: ScanStreamOptions & {
      redis: Redis;
      /** The method that scans: `scan`, `sscan`, `hscan`, `zscan` or their `…Buffer` twin. */
      command: string;
      /** The key, for SSCAN, HSCAN and ZSCAN. */
      key?: Arg;
      objectMode?: boolean;
      [option: string]: unknown;
    },
  );
  /** Ends the stream after the batch in flight. */
  close(): void;
}

/** ioredis's printing callback: logs `Reply: <reply>` or `Error: <err>`. */
export function print(err: Error | null | undefined, reply?: unknown): void;

export class Pipeline {
  readonly length: number;
  exec(callback?: Callback<[Error | null, unknown][]>): Promise<[Error | null, unknown][]>;
  [command: string]: any;
}

export class Redis extends EventEmitter {
  constructor(options?: RedisOptions);
  constructor(port: number, options?: RedisOptions);
  constructor(port: number, host: string, options?: RedisOptions);
  constructor(url: string, options?: RedisOptions);
  static createClient(...args: unknown[]): Redis;
  static ReplyError: typeof ReplyError;
  static Cluster: new (...args: unknown[]) => never;
  static Command: typeof Command;
  static Pipeline: typeof Pipeline;
  static ScanStream: typeof ScanStream;
  static print: typeof print;
  static Redis: typeof Redis;
  static default: typeof Redis;
  static defaultOptions: RedisOptions;
  status: 'wait' | 'connecting' | 'connect' | 'ready' | 'close' | 'reconnecting' | 'end';
  options: RedisOptions;
  readonly mode: 'normal' | 'subscriber' | 'monitor';
  connect(callback?: Callback<void>): Promise<void>;
  disconnect(reconnect?: boolean): void;
  quit(callback?: Callback<'OK'>): Promise<'OK'>;
  duplicate(override?: RedisOptions): Redis;
  pipeline(commands?: unknown[][]): Pipeline;
  multi(commands?: unknown[][] | { pipeline: false }, options?: { pipeline: boolean }): Pipeline;
  /** A command by name; a name that is not a string throws a TypeError, as in ioredis. */
  call(command: string, ...args: (Arg | Callback)[]): Promise<unknown>;
  callBuffer(command: string, ...args: (Arg | Callback)[]): Promise<unknown>;
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number; readOnly?: boolean }): void;
  scanStream(options?: ScanStreamOptions): ScanStream;
  scanBufferStream(options?: ScanStreamOptions): ScanStream;
  sscanStream(key: Arg, options?: ScanStreamOptions): ScanStream;
  sscanBufferStream(key: Arg, options?: ScanStreamOptions): ScanStream;
  hscanStream(key: Arg, options?: ScanStreamOptions): ScanStream;
  hscanBufferStream(key: Arg, options?: ScanStreamOptions): ScanStream;
  zscanStream(key: Arg, options?: ScanStreamOptions): ScanStream;
  zscanBufferStream(key: Arg, options?: ScanStreamOptions): ScanStream;
  get(key: Arg, callback?: Callback<string | null>): Promise<string | null>;
  set(key: Arg, value: Arg, ...args: (Arg | Callback)[]): Promise<'OK' | string | null>;
  hgetall(key: Arg, callback?: Callback<Record<string, string>>): Promise<Record<string, string>>;
  [command: string]: any;
}

/** The virtual clock of every in-process server (Unix milliseconds). */
export const clock: {
  now(): number;
  isPaused(): boolean;
  pause(): void;
  resume(): void;
  advance(ms: number): void;
  set(ms: number): void;
};

export class Cluster {
  constructor(...args: unknown[]);
}
export class Command {
  constructor(name: string, args?: unknown[], options?: { replyEncoding?: string | null; keyPrefix?: string }, callback?: Callback);
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
}

/** node-redis 4 style. */
export class ErrorReply extends Error {}
/** node-redis 4's error classes (exported by `redis-playground/redis`). */
export class MultiErrorReply extends ErrorReply {
  replies: unknown[];
  errorIndexes: number[];
  errors(): IterableIterator<ErrorReply>;
}
export class WatchError extends Error {}
export class ClientClosedError extends Error {}
export class ClientOfflineError extends Error {}
export class DisconnectsClientError extends Error {}
export class SocketClosedUnexpectedlyError extends Error {}
export class ConnectionTimeoutError extends Error {}
export class RootNodesUnavailableError extends Error {}
export class ReconnectStrategyError extends Error {
  originalError: unknown;
  socketError: unknown;
}
export interface RedisClientOptions {
  url?: string;
  socket?: { host?: string; port?: number; path?: string; [option: string]: unknown };
  username?: string;
  password?: string;
  name?: string;
  database?: number;
  [option: string]: unknown;
}
export interface RedisClient extends EventEmitter {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<RedisClient>;
  quit(): Promise<string>;
  disconnect(): Promise<void>;
  duplicate(overrides?: RedisClientOptions): RedisClient;
  sendCommand(args: (string | Buffer)[], options?: { returnBuffers?: boolean }): Promise<unknown>;
  multi(): any;
  subscribe(channels: string | string[], listener: (message: any, channel: any) => void, bufferMode?: boolean): Promise<void>;
  unsubscribe(channels?: string | string[], listener?: (message: any, channel: any) => void): Promise<void>;
  pSubscribe(patterns: string | string[], listener: (message: any, channel: any) => void, bufferMode?: boolean): Promise<void>;
  pUnsubscribe(patterns?: string | string[], listener?: (message: any, channel: any) => void): Promise<void>;
  scanIterator(options?: { MATCH?: string; COUNT?: number; TYPE?: string }): AsyncIterable<string>;
  executeIsolated<T>(fn: (isolated: RedisClient) => Promise<T>): Promise<T>;
  /** Every node-redis 4.7 command, in camelCase and UPPERCASE (`zRangeWithScores`, `XADD`…). */
  [command: string]: any;
}
export function createClient(options?: RedisClientOptions): RedisClient;
export function commandOptions(options: { returnBuffers?: boolean }): object;
/** node-redis 4's `defineScript({ SCRIPT, NUMBER_OF_KEYS, transformArguments, transformReply })`. */
export function defineScript<S extends object>(script: S): S & { SHA1: string };

export { Redis as default };
export const Engine: any;
export const transport: any;
