//! The method table shared by clients and pipelines: one method per command ioredis knows (and
//! its `…Buffer` twin), `call`/`callBuffer`, and `defineCommand`. Each method builds a
//! `Command` and hands it to `this.sendCommand`, which a client runs and a pipeline queues.

import { COMMANDS } from './commands.generated.js';
import { Command, FLAG, flagsOf } from './command.js';
import { asCallback } from './callback.js';
import { sha1Hex } from './sha1.js';
import { argumentTransformers, replyTransformers, transformerTables } from './transformers.js';

/** The command methods, as ioredis lists them: its table without `monitor`, plus `sentinel`. */
export const commandNames = Object.keys(COMMANDS).filter((name) => name !== 'monitor');
commandNames.push('sentinel');

/**
 * Commands the client treats specially when it sends them or reads their reply: they always
 * take the general path (`sendCommand`). SELECT (the db it tracks), EXEC (its errors), and the
 * groups of ioredis's flags that matter on a ready connection in normal mode.
 */
const SPECIAL_FLAGS =
  FLAG.ENTER_SUBSCRIBER_MODE |
  FLAG.EXIT_SUBSCRIBER_MODE |
  FLAG.VALID_IN_SUBSCRIBER_MODE |
  FLAG.VALID_IN_MONITOR_MODE |
  FLAG.WILL_DISCONNECT |
  FLAG.HANDSHAKE_COMMANDS |
  FLAG.IGNORE_RECONNECT_ON_ERROR |
  FLAG.BLOCKING_COMMANDS;

const directByName = new Map();

/** Whether a command may take the client's direct path (see `Redis#_sendDirect`). */
export function isDirectCommand(name) {
  let direct = directByName.get(name);
  if (direct === undefined) {
    const lower = String(name).toLowerCase();
    direct = (flagsOf(name) & SPECIAL_FLAGS) === 0 && lower !== 'select' && lower !== 'exec' && lower !== 'shutdown';
    if (directByName.size < 10000) directByName.set(name, direct);
  }
  return direct;
}

function generateFunction(functionName, commandName, encoding) {
  if (encoding === undefined) {
    encoding = commandName;
    commandName = null;
  }
  function general(...args) {
    const name = commandName || args.shift();
    let callback = args[args.length - 1];
    if (typeof callback === 'function') args.pop();
    else callback = undefined;
    const options = {
      keyPrefix: this.options.keyPrefix,
      replyEncoding: encoding,
      queued: this.isPipeline === true,
      errorStack: this.options.showFriendlyErrorStack ? new Error() : undefined,
    };
    return this.sendCommand(new Command(name, args, options, callback));
  }
  // Whether a client may run this command on its direct path (see `Redis#_sendDirect`): only
  // commands whose sending and reply handling nothing in the client treats specially.
  if (commandName === null || !isDirectCommand(commandName)) return general;
  // The command's transformers, looked up again only when one was set.
  let version = -1;
  let transformArgs;
  let transformReply;
  return function redisCommand() {
    // The argv is made straight from `arguments` (no array of the arguments alone).
    const n = arguments.length;
    if (n === 0 || typeof arguments[n - 1] !== 'function') {
      const stream = this._directStream();
      if (stream !== null) {
        const argv = new Array(n + 1);
        argv[0] = commandName;
        for (let i = 0; i < n; i++) argv[i + 1] = arguments[i];
        if (version !== transformerTables.version) {
          transformArgs = argumentTransformers[commandName];
          transformReply = replyTransformers[commandName];
          version = transformerTables.version;
        }
        return this._sendDirect(stream, commandName, encoding, argv, transformArgs, transformReply);
      }
    }
    return general.apply(this, arguments);
  };
}

/** A Lua script defined with `defineCommand`: EVAL the first time on a connection, then EVALSHA. */
export class Script {
  constructor(lua, numberOfKeys = null, keyPrefix = '', readOnly = false) {
    this.lua = lua;
    this.numberOfKeys = numberOfKeys;
    this.keyPrefix = keyPrefix;
    this.readOnly = readOnly;
    this.sha = sha1Hex(lua);
    this.loadedOn = new WeakSet();
  }

  command(args, options) {
    const script = this;
    const command = new Command('evalsha', [this.sha, ...args], options);
    // Called by the client when it writes the command on connection `conn`.
    command.beforeWrite = function beforeWrite(conn) {
      const reject = this.reject;
      this.reject = (err) => {
        if (err.message.indexOf('NOSCRIPT') !== -1) script.loadedOn.delete(conn);
        reject.call(this, err);
      };
      if (!script.loadedOn.has(conn)) {
        script.loadedOn.add(conn);
        this.name = 'eval';
        this.args[0] = script.lua;
      } else if (this.name === 'eval') {
        this.name = 'evalsha';
        this.args[0] = script.sha;
      }
    };
    return command;
  }

  execute(container, args, options, callback) {
    if (typeof this.numberOfKeys === 'number') args.unshift(this.numberOfKeys);
    if (this.keyPrefix) options.keyPrefix = this.keyPrefix;
    const evalsha = this.command(args, options);
    evalsha.promise = evalsha.promise.catch((err) => {
      if (err.message.indexOf('NOSCRIPT') === -1) throw err;
      const client = container.isPipeline ? container.redis : container;
      return client.sendCommand(this.command(args, options));
    });
    asCallback(evalsha.promise, callback);
    return container.sendCommand(evalsha);
  }
}

function generateScriptingFunction(script, encoding) {
  return function scriptCommand(...args) {
    const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    const options = { replyEncoding: encoding };
    if (this.options.showFriendlyErrorStack) options.errorStack = new Error();
    return script.execute(this, args, options, callback);
  };
}

export class Commander {
  constructor() {
    this.options = {};
    this.scriptsSet = {};
    this.addedBuiltinSet = new Set();
  }

  /** The names of the built-in command methods. */
  getBuiltinCommands() {
    return commandNames.slice(0);
  }

  createBuiltinCommand(commandName) {
    return {
      string: generateFunction(null, commandName, 'utf8'),
      buffer: generateFunction(null, commandName, null),
    };
  }

  addBuiltinCommand(commandName) {
    this.addedBuiltinSet.add(commandName);
    this[commandName] = generateFunction(commandName, commandName, 'utf8');
    this[`${commandName}Buffer`] = generateFunction(`${commandName}Buffer`, commandName, null);
  }

  /**
   * Defines a command running a Lua script, `name` and `nameBuffer`: as ioredis 5, its first
   * call on a connection sends EVAL with the script's text, later ones EVALSHA, and a call
   * answered NOSCRIPT is sent again (see `Script`).
   */
  defineCommand(name, definition) {
    const script = new Script(
      definition.lua,
      definition.numberOfKeys,
      this.options.keyPrefix,
      definition.readOnly,
    );
    this.scriptsSet[name] = script;
    this[name] = generateScriptingFunction(script, 'utf8');
    this[`${name}Buffer`] = generateScriptingFunction(script, null);
  }

  sendCommand() {
    throw new Error('"sendCommand" is not implemented');
  }

  /**
   * The connection a command may be sent on at once, on the direct path (see
   * `Redis#_sendDirect`), or `null` when it must go through `sendCommand`. Only clients have a
   * direct path.
   */
  _directStream() {
    return null;
  }
}

for (const name of commandNames) {
  Commander.prototype[name] = generateFunction(name, name, 'utf8');
  Commander.prototype[`${name}Buffer`] = generateFunction(`${name}Buffer`, name, null);
}
Commander.prototype.call = generateFunction('call', 'utf8');
Commander.prototype.callBuffer = generateFunction('callBuffer', null);
Commander.prototype.send_command = Commander.prototype.call;
