//! Pipelines and MULTI transactions as ioredis builds them: commands are queued on the
//! pipeline and sent together by `exec()`, which resolves to `[[err, result], …]`. `multi()`
//! wraps the queue in MULTI … EXEC and unwraps EXEC's replies, applying each queued command's
//! reply transformer, or rejects with EXECABORT and the queueing errors in `previousErrors`.

import { Commander } from './commander.js';
import { Command } from './command.js';
import { asCallback } from './callback.js';

const noop = () => {};

/** ioredis's `wrapMultiResult`: EXEC's replies as `[err]` / `[null, value]` pairs. */
export function wrapMultiResult(arr) {
  if (!arr) return null;
  const result = [];
  for (const item of arr) {
    if (item instanceof Error) result.push([item]);
    else result.push([null, item]);
  }
  return result;
}

export class Pipeline extends Commander {
  constructor(redis) {
    super();
    this.redis = redis;
    this.isPipeline = true;
    this.isCluster = false;
    this.replyPending = 0;
    this._queue = [];
    this._result = [];
    this._transactions = 0;
    this.options = redis.options;
    for (const name of Object.keys(redis.scriptsSet)) {
      this[name] = redis[name];
      this[`${name}Buffer`] = redis[`${name}Buffer`];
    }
    for (const name of redis.addedBuiltinSet) {
      this[name] = redis[name];
      this[`${name}Buffer`] = redis[`${name}Buffer`];
    }
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get length() {
    return this._queue.length;
  }

  fillResult(value, position) {
    if (this._queue[position].name === 'exec' && Array.isArray(value[1])) {
      const execLength = value[1].length;
      for (let i = 0; i < execLength; i++) {
        if (value[1][i] instanceof Error) continue;
        const cmd = this._queue[position - (execLength - i)];
        try {
          value[1][i] = cmd.transformReply(value[1][i], true);
        } catch (err) {
          value[1][i] = err;
        }
      }
    }
    this._result[position] = value;
    if (--this.replyPending) return;
    let ignored = 0;
    for (let i = 0; i < this._queue.length - ignored; ++i) {
      if (this._queue[i + ignored].ignore) ignored += 1;
      this._result[i] = this._result[i + ignored];
    }
    this.resolve(this._result.slice(0, this._result.length - ignored));
  }

  sendCommand(command) {
    if (this._transactions > 0) command.inTransaction = true;
    const position = this._queue.length;
    command.pipelineIndex = position;
    if (!command.replacedPromise && (command._promise === undefined || typeof command.callback === 'function')) {
      // The command tells the pipeline its outcome as it settles (no promise, no job per
      // command): the commands' callbacks, queued as they settle, still run before the
      // pipeline's own reactions, as in ioredis, where the pipeline reads each command's promise.
      command.pipeline = this;
    } else {
      // A command with a promise of its own and no callback (a script's, whose result is that
      // of the promise that replaced the command's; one made elsewhere): the pipeline reads that
      // promise, which then has a handler for its rejection, as in ioredis.
      command.promise.then(
        (result) => this.fillResult([null, result], position),
        (error) => this.fillResult([error], position),
      );
    }
    this._queue.push(command);
    return this;
  }

  addBatch(commands) {
    for (const command of commands) {
      // `.apply`, as ioredis calls it: an unknown name fails as there ("Cannot read properties
      // of undefined (reading 'apply')").
      this[command[0]].apply(this, command.slice(1));
    }
    return this;
  }

  /** Sends the queued commands; resolves to one `[err, result]` per command. */
  exec(callback) {
    if (this._transactions > 0) {
      this._transactions -= 1;
      return this._queueExec();
    }
    const redis = this.redis;
    // A command whose name is not a string (`call(123)`) makes ioredis throw its TypeError here,
    // as the pipeline sends it; but the commands before it are then left waiting for replies
    // that never come, and the connection's later replies go to them. The same error is thrown
    // before anything is sent, which leaves the connection as it was (a waiting client starts
    // connecting first, as the first command sent makes it do).
    if (redis.status !== 'end') {
      for (const command of this._queue) {
        if (redis.status === 'wait') redis.connect().catch(noop);
        redis._checkCommandName(command.name);
      }
    }
    if (!this.nodeifiedPromise) {
      this.nodeifiedPromise = true;
      asCallback(this.promise, callback);
    }
    if (!this._queue.length) this.resolve([]);
    this.replyPending = this._queue.length;
    const stream = { isPipeline: true, destination: { redis } };
    for (const command of this._queue) {
      if (!redis._sendQueued(command, stream)) redis.sendCommand(command, stream);
    }
    return this.promise;
  }

  /** Pipeline#multi: queues MULTI and counts an open transaction. */
  multi(...args) {
    this._transactions += 1;
    return Commander.prototype.multi.apply(this, args);
  }

  /** Queues EXEC (the raw command, replies as bytes, transformed per queued command). */
  _queueExec() {
    return Commander.prototype.execBuffer.call(this);
  }

  execBuffer(...args) {
    if (this._transactions > 0) this._transactions -= 1;
    return Commander.prototype.execBuffer.apply(this, args);
  }
}

/** Adds `pipeline`, `multi` and the transaction-aware `exec` to the client prototype. */
export function addTransactionSupport(proto) {
  proto.pipeline = function pipeline(commands) {
    const p = new Pipeline(this);
    if (Array.isArray(commands)) p.addBatch(commands);
    return p;
  };

  const rawMulti = proto.multi;
  proto.multi = function multi(commands, options) {
    if (options === undefined && !Array.isArray(commands)) {
      options = commands;
      commands = null;
    }
    if (options && options.pipeline === false) return rawMulti.call(this);
    const p = new Pipeline(this);
    p.multi();
    if (Array.isArray(commands)) p.addBatch(commands);
    const pipelineExec = p.exec;
    p.exec = function exec(callback) {
      if (this._transactions > 0) pipelineExec.call(p);
      if (this.nodeifiedPromise) return pipelineExec.call(p);
      const promise = pipelineExec.call(p).then((result) => {
        const execResult = result[result.length - 1];
        if (execResult === undefined) {
          throw new Error(
            'Pipeline cannot be used to send any commands when the `exec()` has been called on it.',
          );
        }
        if (execResult[0]) {
          execResult[0].previousErrors = [];
          for (let i = 0; i < result.length - 1; ++i) {
            if (result[i][0]) execResult[0].previousErrors.push(result[i][0]);
          }
          throw execResult[0];
        }
        return wrapMultiResult(execResult[1]);
      });
      return asCallback(promise, callback);
    };
    const pipelineExecBuffer = p.execBuffer;
    p.execBuffer = function execBuffer(callback) {
      if (this._transactions > 0) pipelineExecBuffer.call(p);
      return p.exec(callback);
    };
    return p;
  };

  const rawExec = proto.exec;
  proto.exec = function exec(callback) {
    return asCallback(
      rawExec.call(this).then((results) => (Array.isArray(results) ? wrapMultiResult(results) : results)),
      callback,
    );
  };
}

export { Command };
