//! Error classes as ioredis (through `redis-errors`) defines them: a reply error's `name` is
//! `ReplyError` and its `message` the server's exact text; ioredis adds `.command`.

/** Base class of every error that comes from Redis or the connection. */
export class RedisError extends Error {
  get name() {
    return this.constructor.name;
  }
}

/** An error reply from the server (`-ERR …`, `-WRONGTYPE …`). */
export class ReplyError extends RedisError {
  constructor(message) {
    // As redis-errors does: a short stack, since the origin is the server, not this code.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 2;
    super(message);
    Error.stackTraceLimit = limit;
  }

  get name() {
    return this.constructor.name;
  }
}

/** A command dropped because its connection closed before the reply came. */
export class AbortError extends RedisError {
  get name() {
    return this.constructor.name;
  }
}

/** ioredis's error when commands waited through too many reconnections. */
export class MaxRetriesPerRequestError extends AbortError {
  constructor(maxRetriesPerRequest) {
    super(
      `Reached the max retries per request limit (which is ${maxRetriesPerRequest}). Refer to "maxRetriesPerRequest" option for details.`,
    );
  }

  get name() {
    return this.constructor.name;
  }
}

export const CONNECTION_CLOSED_ERROR_MSG = 'Connection is closed.';

/**
 * Turns what the transport gave for an error reply (an `Error` or `{ message }`) into a
 * `ReplyError`, recursively inside arrays (EXEC's replies).
 */
export function toReplyErrors(value) {
  if (value instanceof Error) {
    return value instanceof ReplyError ? value : new ReplyError(value.message);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item !== null && typeof item === 'object') value[i] = toReplyErrors(item);
    }
  }
  return value;
}
