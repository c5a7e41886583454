//! ioredis's argument and reply transformers, as a table keyed by the command name exactly as
//! the method passes it (ioredis matches case-sensitively: `call('HGETALL')` is not
//! transformed). Adding a transformer for a new command is one entry here.

function mapToArray(map) {
  const out = [];
  map.forEach((value, key) => {
    out.push(key, value);
  });
  return out;
}

function objectToArray(obj) {
  const out = [];
  for (const key of Object.keys(obj)) out.push(key, obj[key]);
  return out;
}

/** `mset({a: 1})`, `mset(new Map(...))`: one object argument becomes key value pairs. */
function msetArguments(args) {
  if (args.length === 1) {
    if (args[0] instanceof Map) return mapToArray(args[0]);
    if (typeof args[0] === 'object' && args[0] !== null) return objectToArray(args[0]);
  }
  return args;
}

/** `hset(key, {f: v})`, `hset(key, new Map(...))`. */
function hsetArguments(args) {
  if (args.length === 2) {
    if (args[1] instanceof Map) return [args[0], ...mapToArray(args[1])];
    if (typeof args[1] === 'object' && args[1] !== null) {
      return [args[0], ...objectToArray(args[1])];
    }
  }
  return args;
}

/**
 * HGETALL's flat reply as an object. A field named like a special property (`__proto__`,
 * `constructor`) is defined as an own property, never assigned through the prototype.
 */
function hgetallReply(result) {
  if (!Array.isArray(result)) return result;
  const obj = {};
  for (let i = 0; i < result.length; i += 2) {
    const key = result[i];
    const value = result[i + 1];
    if (key in obj) {
      Object.defineProperty(obj, key, {
        value,
        configurable: true,
        enumerable: true,
        writable: true,
      });
    } else {
      obj[key] = value;
    }
  }
  return obj;
}

/**
 * Bumped whenever a transformer is set (`Command.setArgumentTransformer`, `…ReplyTransformer`):
 * the command methods keep the transformers of their command until it changes.
 */
export const transformerTables = { version: 0 };

export const argumentTransformers = {
  mset: msetArguments,
  msetnx: msetArguments,
  hset: hsetArguments,
  hmset: hsetArguments,
};

export const replyTransformers = {
  hgetall: hgetallReply,
};
