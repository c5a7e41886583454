//! `console.log` formatting for learner scripts, following Node's `util.inspect` and
//! `util.format` with their defaults: depth 2 (deeper objects print as `[Object]`), lines of at
//! most 80 columns (an object fits on one line or gets one entry per line, arrays of more than six
//! short entries in aligned columns), strings quoted as Node quotes them, `<ref *1>` /
//! `[Circular *1]` for cycles, `Map(1) { 'a' => 1 }`, `Set(2) { 1, 2 }`, `[Function: f]`,
//! `[class A]`, class names before instances, `%s %d %i %f %j %o %O %c %%` in a first string.
//! Objects with a `Symbol.for('nodejs.util.inspect.custom')` method format themselves (the Buffer
//! of the worker does: `<Buffer 68 69>`). Errors print their name, message and the frames of the
//! learner's code (`errorFrames`), then their own properties. `formatTable` draws
//! `console.table`'s box as Node 20 does, measuring text in terminal cells (`stringWidth`).
//! The Node tests compare it with Node's own `util.inspect` on a corpus of values.

const CUSTOM = Symbol.for('nodejs.util.inspect.custom');
const BREAK_LENGTH = 80;
const COMPACT = 3;
const MAX_ARRAY_LENGTH = 100;
const MAX_STRING_LENGTH = 10000;
const MIN_LINE_WIDTH = 16;

const ARRAY_EXTRAS = 1;
const OBJECT_ENTRIES = 0;

const TypedArray = Object.getPrototypeOf(Uint8Array);

/** Escapes of control characters, quotes and backslashes, as Node writes them. */
function escapeChar(code) {
  switch (code) {
    case 8:
      return '\\b';
    case 9:
      return '\\t';
    case 10:
      return '\\n';
    case 12:
      return '\\f';
    case 13:
      return '\\r';
    case 39:
      return "\\'";
    case 92:
      return '\\\\';
    default:
      return `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
}

/** A string as a quoted literal: single quotes, or double or back quotes to avoid escaping `'`. */
export function quote(str) {
  let q = "'";
  if (str.includes("'")) {
    if (!str.includes('"')) q = '"';
    else if (!str.includes('`') && !str.includes('${')) q = '`';
  }
  let out = '';
  for (let i = 0; i < str.length; i++) {
    const code = str.charCodeAt(i);
    if (code < 0x20 || code === 0x5c || (code >= 0x7f && code <= 0x9f) || (code === 39 && q === "'")) {
      out += escapeChar(code);
    } else {
      out += str[i];
    }
  }
  return q + out + q;
}

const IDENTIFIER = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

function formatNumber(n) {
  return Object.is(n, -0) ? '-0' : `${n}`;
}

/** The name of the nearest constructor on the prototype chain; null for a null prototype. */
function constructorName(value) {
  let obj = value;
  while (obj !== null && obj !== undefined) {
    const descriptor = Object.getOwnPropertyDescriptor(obj, 'constructor');
    if (
      descriptor !== undefined &&
      typeof descriptor.value === 'function' &&
      descriptor.value.name !== '' &&
      value instanceof descriptor.value
    ) {
      return String(descriptor.value.name);
    }
    obj = Object.getPrototypeOf(obj);
  }
  return Object.getPrototypeOf(value) === null ? null : '';
}

function prefixOf(constructor, tag, fallback, size = '') {
  if (constructor === null) {
    if (tag !== '' && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
    return `[${fallback}${size}: null prototype] `;
  }
  if (tag !== '' && constructor !== tag) return `${constructor}${size} [${tag}] `;
  return `${constructor}${size} `;
}

function ownKeys(value) {
  const keys = Object.keys(value);
  for (const symbol of Object.getOwnPropertySymbols(value)) {
    if (Object.prototype.propertyIsEnumerable.call(value, symbol)) keys.push(symbol);
  }
  return keys;
}

function functionBase(value, constructor, tag) {
  let source = '';
  try {
    source = Function.prototype.toString.call(value);
  } catch {
    // A revoked proxy or the like: describe it as a plain function.
  }
  if (source.startsWith('class') && source.endsWith('}')) {
    let base = `[class ${value.name || '(anonymous)'}`;
    const parent = Object.getPrototypeOf(value);
    if (parent && parent.name) base += ` extends ${parent.name}`;
    if (constructor !== 'Function' && constructor !== null) base += ` [${constructor}]`;
    if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
    return `${base}]`;
  }
  let type = 'Function';
  const kind = constructor;
  if (kind === 'GeneratorFunction') type = 'GeneratorFunction';
  else if (kind === 'AsyncFunction') type = 'AsyncFunction';
  else if (kind === 'AsyncGeneratorFunction') type = 'AsyncGeneratorFunction';
  let base = `[${type}`;
  if (constructor === null) base += ' (null prototype)';
  base += value.name === '' ? ' (anonymous)' : `: ${value.name}`;
  base += ']';
  if (constructor !== type && constructor !== null) base += ` ${constructor}`;
  if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
  return base;
}

/** A numeric option of `inspect`: its default when missing, no limit for null, never negative. */
function limitOption(value, fallback) {
  if (value === undefined) return fallback;
  if (value === null) return Infinity;
  return Math.max(0, value);
}

class Context {
  constructor(options) {
    this.depth = options.depth === undefined ? 2 : options.depth === null ? Infinity : options.depth;
    this.maxArrayLength = limitOption(options.maxArrayLength, MAX_ARRAY_LENGTH);
    this.breakLength = limitOption(options.breakLength, BREAK_LENGTH);
    this.errorFrames = options.errorFrames || null;
    this.seen = [];
    this.circular = new Map();
    this.indentationLvl = 0;
    this.currentDepth = 0;
  }
}

function formatPrimitive(ctx, value) {
  switch (typeof value) {
    case 'string': {
      let trailer = '';
      let str = value;
      if (str.length > MAX_STRING_LENGTH) {
        const remaining = str.length - MAX_STRING_LENGTH;
        str = str.slice(0, MAX_STRING_LENGTH);
        trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
      }
      // Long strings with line breaks print one line per source line, joined by `+`.
      if (str.length > MIN_LINE_WIDTH && str.length > ctx.breakLength - ctx.indentationLvl - 4) {
        const lines = str.split(/(?<=\n)/);
        if (lines.length > 1) {
          const indent = ' '.repeat(ctx.indentationLvl);
          return lines.map(quote).join(` +\n${indent}  `) + trailer;
        }
      }
      return quote(str) + trailer;
    }
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return `${value}`;
    case 'symbol':
      return value.toString();
    default:
      return String(value);
  }
}

function formatValue(ctx, value, recurseTimes) {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(ctx, value);
  const custom = value[CUSTOM];
  if (typeof custom === 'function' && custom !== inspect) {
    const depth = ctx.depth - recurseTimes;
    const result = custom.call(value, depth, { depth, stylize: (s) => s }, inspect);
    if (result !== value) {
      if (typeof result !== 'string') return formatValue(ctx, result, recurseTimes);
      return result.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
    }
  }
  if (ctx.seen.includes(value)) {
    let index = ctx.circular.get(value);
    if (index === undefined) {
      index = ctx.circular.size + 1;
      ctx.circular.set(value, index);
    }
    return `[Circular *${index}]`;
  }
  return formatRaw(ctx, value, recurseTimes);
}

function formatRaw(ctx, value, recurseTimes) {
  let keys;
  const constructor = constructorName(value);
  let tag = value[Symbol.toStringTag];
  if (typeof tag !== 'string' || (tag !== '' && Object.prototype.propertyIsEnumerable.call(value, Symbol.toStringTag))) {
    tag = '';
  }
  let base = '';
  let formatter = () => [];
  let braces;
  let extrasType = OBJECT_ENTRIES;

  if (Array.isArray(value)) {
    const prefix = constructor !== 'Array' || tag !== '' ? prefixOf(constructor, tag, 'Array', `(${value.length})`) : '';
    keys = Object.keys(value).filter((k) => !/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= value.length);
    braces = [`${prefix}[`, ']'];
    if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
    extrasType = ARRAY_EXTRAS;
    formatter = formatArray;
  } else if (value instanceof Set) {
    keys = ownKeys(value);
    const prefix = prefixOf(constructor, tag, 'Set', `(${value.size})`);
    formatter = formatSet;
    if (value.size === 0 && keys.length === 0) return `${prefix}{}`;
    braces = [`${prefix}{`, '}'];
  } else if (value instanceof Map) {
    keys = ownKeys(value);
    const prefix = prefixOf(constructor, tag, 'Map', `(${value.size})`);
    formatter = formatMap;
    if (value.size === 0 && keys.length === 0) return `${prefix}{}`;
    braces = [`${prefix}{`, '}'];
  } else if (value instanceof TypedArray) {
    keys = Object.keys(value).filter((k) => !/^(0|[1-9][0-9]*)$/.test(k));
    const fallback = value[Symbol.toStringTag] || 'TypedArray';
    const prefix = prefixOf(constructor, tag === fallback ? '' : tag, fallback, `(${value.length})`);
    braces = [`${prefix}[`, ']'];
    if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
    formatter = formatTypedArray;
    extrasType = ARRAY_EXTRAS;
  } else {
    keys = ownKeys(value);
    braces = ['{', '}'];
    if (constructor === 'Object') {
      if (tag !== '') braces[0] = `${prefixOf(constructor, tag, 'Object')}{`;
      if (keys.length === 0) return `${braces[0]}}`;
    } else if (typeof value === 'function') {
      base = functionBase(value, constructor, tag);
      keys = keys.filter((k) => k !== 'prototype');
      if (keys.length === 0) return base;
    } else if (value instanceof RegExp) {
      base = RegExp.prototype.toString.call(value);
      const prefix = prefixOf(constructor, tag, 'RegExp');
      if (prefix !== 'RegExp ') base = `${prefix}${base}`;
      if (keys.length === 0) return base;
    } else if (value instanceof Date) {
      const time = value.getTime();
      base = Number.isNaN(time) ? 'Invalid Date' : value.toISOString();
      const prefix = prefixOf(constructor, tag, 'Date');
      if (prefix !== 'Date ') base = `${prefix}${base}`;
      if (keys.length === 0) return base;
    } else if (value instanceof Error) {
      base = formatError(ctx, value, constructor, tag, keys);
      if (keys.length === 0) return base;
    } else if (value instanceof Promise) {
      braces[0] = `${prefixOf(constructor, tag, 'Promise')}{`;
      formatter = () => ['<pending>'];
    } else if (value instanceof WeakMap || value instanceof WeakSet) {
      return `${prefixOf(constructor, tag, value instanceof WeakMap ? 'WeakMap' : 'WeakSet')}{ <items unknown> }`;
    } else if (value instanceof ArrayBuffer) {
      braces[0] = `${prefixOf(constructor, tag, 'ArrayBuffer')}{`;
      formatter = formatArrayBuffer;
    } else if (isBoxed(value)) {
      const type = typeof value.valueOf();
      const name = { string: 'String', number: 'Number', boolean: 'Boolean', bigint: 'BigInt', symbol: 'Symbol' }[type];
      base = `[${name}: ${formatPrimitive(new Context({}), value.valueOf())}]`;
      if (type === 'string') keys = keys.filter((k) => !/^(0|[1-9][0-9]*)$/.test(k));
      if (keys.length === 0) return base;
    } else {
      if (keys.length === 0) return `${prefixOf(constructor, tag, 'Object')}{}`;
      braces[0] = `${prefixOf(constructor, tag, 'Object')}{`;
    }
  }

  if (recurseTimes > ctx.depth) {
    const name = prefixOf(constructor, tag, Array.isArray(value) ? 'Array' : 'Object').slice(0, -1);
    return constructor !== null ? `[${name}]` : name;
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  let output;
  try {
    output = formatter(ctx, value, recurseTimes);
    for (const key of keys) output.push(formatProperty(ctx, value, recurseTimes, key, extrasType));
  } finally {
    ctx.seen.pop();
  }
  // An object a cycle comes back to is marked first; the mark counts in the line's length.
  const index = ctx.circular.get(value);
  if (index !== undefined) {
    const reference = `<ref *${index}>`;
    base = base === '' ? reference : `${reference} ${base}`;
  }
  return reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
}

function isBoxed(value) {
  return (
    value instanceof String ||
    value instanceof Number ||
    value instanceof Boolean ||
    (typeof BigInt === 'function' && value instanceof BigInt) ||
    value instanceof Symbol
  );
}

/** `Error.prototype.toString` of an error: `name: message`, or whichever of them is not empty. */
function errorToString(err) {
  const name = err.name === undefined ? 'Error' : String(err.name);
  const message = err.message === undefined ? '' : String(err.message);
  if (name === '') return message;
  return message === '' ? name : `${name}: ${message}`;
}

/**
 * Node's `improveStack`: an error whose class is not the one its name says is shown under its
 * class's name (`ErrorReply: …` for a class whose instances are named `Error`; `MyErr [Error]:
 * …` when the class's name does not contain the error's name).
 */
function improveHead(head, constructor, name, tag) {
  let len = name.length;
  if (
    constructor === null ||
    (name.endsWith('Error') && head.startsWith(name) && (head.length === len || head[len] === ':' || head[len] === '\n'))
  ) {
    let fallback = 'Error';
    if (constructor === null) {
      const start = /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n\s+at)/.exec(head) || /^([a-z_A-Z0-9-]*Error)$/.exec(head);
      fallback = (start && start[1]) || '';
      len = fallback.length;
      fallback = fallback || 'Error';
    }
    const prefix = prefixOf(constructor, tag, fallback).slice(0, -1);
    if (name !== prefix) {
      if (prefix.includes(name)) {
        head = len === 0 ? `${prefix}: ${head}` : `${prefix}${head.slice(len)}`;
      } else {
        head = `${prefix} [${name}]${head.slice(len)}`;
      }
    }
  }
  return head;
}

/**
 * An error as Node prints it: the head of its stack (`Name: message`, as the stack was captured;
 * `Error.prototype.toString` of an error without a stack) improved with its class's name, then
 * the frames of the learner's code; between brackets when its stack has no frames at all, as
 * Node does (`[ErrorReply: …]`, node-redis's errors have none). Its `name`, `message` and
 * `stack` properties are left out of `keys` when the printed text shows them.
 */
function formatError(ctx, err, constructor, tag, keys) {
  let name = 'Error';
  let message = '';
  let stack;
  try {
    name = err.name === undefined || err.name === null ? 'Error' : String(err.name);
    message = err.message === undefined || err.message === null ? '' : String(err.message);
    stack = err.stack;
  } catch {
    // Getters that throw: print what is known.
  }
  // V8's stack: its head (`Name: message` as it was when captured), then `\n    at …` frames.
  // Other engines' stacks hold only frames (`fn@url:1:2`): then the head is made as Node makes
  // it for an error without a stack.
  let head;
  let framed = false;
  if (typeof stack === 'string' && stack !== '') {
    let pos = message ? stack.indexOf(message) : -1;
    if (pos !== -1) pos += message.length;
    const framesAt = stack.indexOf('\n    at', pos);
    if (framesAt !== -1) {
      head = stack.slice(0, framesAt);
      framed = true;
    } else if (stack.split('\n').every((line) => /@.*:\d+:\d+$/.test(line) || line === '')) {
      head = errorToString(err);
      framed = true;
    } else {
      head = stack;
    }
  } else {
    try {
      head = errorToString(err);
    } catch {
      head = name;
    }
  }
  for (const key of ['name', 'message', 'stack']) {
    const index = keys.indexOf(key);
    try {
      if (index !== -1 && (typeof stack === 'string' ? stack : head).includes(err[key])) keys.splice(index, 1);
    } catch {
      // A getter that throws: the key stays.
    }
  }
  let text = improveHead(head, constructor, name, tag);
  if (!framed) {
    text = `[${text}]`;
  } else {
    const frames = ctx.errorFrames ? ctx.errorFrames(err) : [];
    if (frames.length) text += `\n${frames.join('\n')}`;
  }
  if (ctx.indentationLvl !== 0) {
    text = text.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
  }
  return text;
}

const INDEX = /^(0|[1-9][0-9]*)$/;

const emptyItems = (n) => `<${n} empty item${n > 1 ? 's' : ''}>`;
const moreItems = (n) => `... ${n} more item${n > 1 ? 's' : ''}`;

/**
 * An array's entries, at most `maxArrayLength` of them. As in Node, a run of holes is one entry
 * (`<2 empty items>`), and it counts against the limit like any other entry.
 */
function formatArray(ctx, value, recurseTimes) {
  const limit = Math.min(ctx.maxArrayLength, value.length);
  const output = [];
  let index = 0;
  while (index < limit && Object.prototype.hasOwnProperty.call(value, index)) {
    output.push(formatProperty(ctx, value, recurseTimes, index, ARRAY_EXTRAS));
    index++;
  }
  if (index < limit) {
    // A hole: the own indexes after it, in order, say where the next entries are (the array may
    // be huge and nearly empty, so the indexes in between are not visited).
    const keys = Object.keys(value);
    for (let k = index; k < keys.length && output.length < limit; k++) {
      const at = Number(keys[k]);
      if (!INDEX.test(keys[k]) || at > 2 ** 32 - 2) break;
      if (at !== index) {
        output.push(emptyItems(at - index));
        index = at;
        if (output.length === limit) break;
      }
      output.push(formatProperty(ctx, value, recurseTimes, at, ARRAY_EXTRAS));
      index++;
    }
    const remaining = value.length - index;
    if (remaining > 0) output.push(output.length === limit ? moreItems(remaining) : emptyItems(remaining));
    return output;
  }
  const remaining = value.length - index;
  if (remaining > 0) output.push(moreItems(remaining));
  return output;
}

function formatTypedArray(ctx, value) {
  const length = Math.min(ctx.maxArrayLength, value.length);
  const output = [];
  for (let i = 0; i < length; i++) {
    output.push(typeof value[i] === 'bigint' ? `${value[i]}n` : formatNumber(value[i]));
  }
  const remaining = value.length - length;
  if (remaining > 0) output.push(moreItems(remaining));
  return output;
}

function formatArrayBuffer(ctx, value) {
  const bytes = new Uint8Array(value);
  const shown = Math.min(ctx.maxArrayLength, bytes.length);
  let hex = [...bytes.subarray(0, shown)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const remaining = bytes.length - shown;
  if (remaining > 0) hex += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
  return [`[Uint8Contents]: <${hex}>`, `byteLength: ${value.byteLength}`];
}

function formatSet(ctx, value, recurseTimes) {
  const output = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const item of value) {
    if (i++ >= ctx.maxArrayLength) break;
    output.push(formatValue(ctx, item, recurseTimes));
  }
  const remaining = value.size - ctx.maxArrayLength;
  if (remaining > 0) output.push(moreItems(remaining));
  ctx.indentationLvl -= 2;
  return output;
}

function formatMap(ctx, value, recurseTimes) {
  const output = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const [k, v] of value) {
    if (i++ >= ctx.maxArrayLength) break;
    output.push(`${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`);
  }
  const remaining = value.size - ctx.maxArrayLength;
  if (remaining > 0) output.push(moreItems(remaining));
  ctx.indentationLvl -= 2;
  return output;
}

function formatProperty(ctx, value, recurseTimes, key, type) {
  let str;
  const desc = Object.getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
  if (desc.value !== undefined) {
    ctx.indentationLvl += 2;
    str = formatValue(ctx, desc.value, recurseTimes);
    ctx.indentationLvl -= 2;
  } else if (desc.get !== undefined) {
    str = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
  } else if (desc.set !== undefined) {
    str = '[Setter]';
  } else {
    str = 'undefined';
  }
  if (type === ARRAY_EXTRAS && typeof key === 'number') return str;
  let name;
  if (typeof key === 'symbol') name = `[${key.toString()}]`;
  else if (key === '__proto__') name = "['__proto__']";
  else if (IDENTIFIER.test(key)) name = key;
  else name = quote(key);
  return `${name}: ${str}`;
}

/** Groups many short array entries into aligned columns, as Node does for arrays over 6 items. */
function groupArrayElements(ctx, output, value) {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  // A trailing "... n more items" is not grouped. (Node tells it by the number of entries, so
  // an array's last extra property, past the limit, is left out of the columns too.)
  if (ctx.maxArrayLength < outputLength) outputLength--;
  const separatorSpace = 2;
  // Columns are measured in terminal cells (a CJK character takes two).
  const lengths = new Array(outputLength);
  for (let i = 0; i < outputLength; i++) {
    const len = stringWidth(output[i], false);
    lengths[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      COMPACT * 4,
      15,
    );
    if (columns <= 1) return output;
    const widths = [];
    for (let i = 0; i < columns; i++) {
      let width = 0;
      for (let j = i; j < output.length; j += columns) if (lengths[j] > width) width = lengths[j];
      widths.push(width + separatorSpace);
    }
    // Numbers align right, anything else left.
    let alignRight = value !== undefined;
    if (alignRight) {
      for (let i = 0; i < output.length; i++) {
        if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') {
          alignRight = false;
          break;
        }
      }
    }
    const rows = [];
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let row = '';
      let j = i;
      for (; j < max - 1; j++) {
        const cell = `${output[j]}, `;
        const padded = widths[j - i] + output[j].length - lengths[j];
        row += alignRight ? cell.padStart(padded, ' ') : cell.padEnd(padded, ' ');
      }
      const padded = widths[j - i] + output[j].length - lengths[j] - separatorSpace;
      row += alignRight ? output[j].padStart(padded, ' ') : output[j];
      rows.push(row);
    }
    if (outputLength < output.length) rows.push(output[outputLength]);
    return rows;
  }
  return output;
}

function isBelowBreakLength(ctx, output, start, base) {
  let totalLength = output.length + start;
  if (totalLength + output.length > ctx.breakLength) return false;
  for (const entry of output) {
    totalLength += entry.length;
    if (totalLength > ctx.breakLength) return false;
  }
  return base === '' || !base.includes('\n');
}

function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
  const entries = output.length;
  if (extrasType === ARRAY_EXTRAS && entries > 6) output = groupArrayElements(ctx, output, value);
  if (ctx.currentDepth - recurseTimes < COMPACT && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(ctx, output, start, base)) {
      const joined = output.join(', ');
      if (!joined.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
  return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}

/**
 * A value as Node's `util.inspect(value)` prints it. Options: `depth` (default 2, `null` for no
 * limit), `maxArrayLength` (entries shown of an array, typed array, Set or Map and bytes of an
 * ArrayBuffer; default 100), `breakLength` (default 80, `Infinity` keeps objects on one line),
 * `errorFrames(error)` (the stack frames to print under an error's message).
 */
export function inspect(value, options = {}) {
  return formatValue(new Context(options), value, 0);
}

/**
 * Whether `value`'s `toString` is a built-in one (Object's, Array's, Error's…), as Node checks
 * for `%s`: those values are inspected, others converted with their own `toString`.
 */
function hasBuiltInToString(value) {
  if (typeof value.toString !== 'function') return true;
  if (Object.prototype.hasOwnProperty.call(value, 'toString')) return false;
  let pointer = value;
  do {
    pointer = Object.getPrototypeOf(pointer);
  } while (pointer !== null && !Object.prototype.hasOwnProperty.call(pointer, 'toString'));
  if (pointer === null) return true;
  const descriptor = Object.getOwnPropertyDescriptor(pointer, 'constructor');
  const ctor = descriptor && descriptor.value;
  return typeof ctor === 'function' && ctor.name !== '' && globalThis[ctor.name] === ctor;
}

/** `console.log`'s arguments as one string, as Node's `util.format` joins them. */
export function formatArgs(args, options = {}) {
  const first = args[0];
  let index = 0;
  let out = '';
  if (typeof first === 'string') {
    if (args.length === 1) return first;
    index = 1;
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37) continue; // '%'
      const spec = first[i + 1];
      if (spec === '%') {
        out += first.slice(last, i) + '%';
        last = i + 2;
        i++;
        continue;
      }
      if (index >= args.length || !'sdifjoOc'.includes(spec)) continue;
      const arg = args[index];
      let piece;
      switch (spec) {
        case 's':
          if (typeof arg === 'bigint') piece = `${arg}n`;
          else if (typeof arg === 'number') piece = formatNumber(arg);
          else if (typeof arg === 'object' && arg !== null && hasBuiltInToString(arg)) {
            piece = inspect(arg, { ...options, depth: 0 });
          } else piece = String(arg);
          break;
        case 'd':
          piece =
            typeof arg === 'bigint' ? `${arg}n` : typeof arg === 'symbol' ? 'NaN' : formatNumber(Number(arg));
          break;
        case 'i':
          piece =
            typeof arg === 'bigint' ? `${arg}n` : typeof arg === 'symbol' ? 'NaN' : formatNumber(parseInt(arg, 10));
          break;
        case 'f':
          piece = typeof arg === 'symbol' ? 'NaN' : formatNumber(parseFloat(arg));
          break;
        case 'j':
          try {
            piece = JSON.stringify(arg);
          } catch {
            piece = '[Circular]';
          }
          break;
        case 'o':
          piece = inspect(arg, { ...options, depth: 4 });
          break;
        case 'O':
          piece = inspect(arg, options);
          break;
        default:
          piece = '';
      }
      out += first.slice(last, i) + piece;
      last = i + 2;
      i++;
      index++;
    }
    out += first.slice(last);
  }
  for (; index < args.length; index++) {
    const arg = args[index];
    if (out !== '' || index > 0) out += ' ';
    out += typeof arg === 'string' ? arg : inspect(arg, options);
  }
  return out;
}

// ---- console.table ---------------------------------------------------------------------------

/**
 * East Asian Wide and Fullwidth code points outside `Emoji_Presentation`, as inclusive pairs
 * (from the ICU data of Node 20): two terminal cells each. Not a JS regex property, so listed.
 */
const WIDE_RANGES = [
  0x1100, 0x115f, 0x2630, 0x2637, 0x268a, 0x268f, 0x2e80, 0x2e99, 0x2e9b, 0x2ef3, 0x2f00, 0x2fd5,
  0x2ff0, 0x303e, 0x3041, 0x3096, 0x3099, 0x30ff, 0x3105, 0x312f, 0x3131, 0x318e, 0x3190, 0x31e5,
  0x31ef, 0x321e, 0x3220, 0x3247, 0x3250, 0xa48c, 0xa490, 0xa4c6, 0xa960, 0xa97c, 0xac00, 0xd7a3,
  0xfa0e, 0xfaff, 0xfe10, 0xfe19, 0xfe30, 0xfe52, 0xfe54, 0xfe66, 0xfe68, 0xfe6b, 0xff01, 0xff60,
  0xffe0, 0xffe6, 0x16fe0, 0x16fe4, 0x16ff0, 0x16ff6, 0x17000, 0x18cd5, 0x18cff, 0x18d1e, 0x18d80,
  0x18df2, 0x1aff0, 0x1aff3, 0x1aff5, 0x1affb, 0x1affd, 0x1affe, 0x1b000, 0x1b122, 0x1b132, 0x1b132,
  0x1b150, 0x1b152, 0x1b155, 0x1b155, 0x1b164, 0x1b167, 0x1b170, 0x1b2fb, 0x1d300, 0x1d356, 0x1d360,
  0x1d376, 0x1f200, 0x1f200, 0x1f202, 0x1f202, 0x1f210, 0x1f219, 0x1f21b, 0x1f22e, 0x1f230, 0x1f231,
  0x1f237, 0x1f237, 0x1f23b, 0x1f23b, 0x1f240, 0x1f248, 0x1f260, 0x1f265, 0x20000, 0x2fffd, 0x30000,
  0x3fffd,
];
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
/** Marks, controls, format characters and skin-tone modifiers take no cell. */
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cc}\p{Cf}\p{Emoji_Modifier}]/u;

/**
 * Terminal escape sequences, which Node removes before measuring a string: ESC or CSI, then
 * either an OSC-like string ended by BEL, `ESC \` or ST, or a control sequence (numeric
 * parameters and a final character, as in `\x1b[31m`).
 */
const TERMINAL_ESCAPE = (() => {
  const start = '[\\u001B\\u009B][[\\]()#;?]*';
  const param = '[-a-zA-Z\\d/#&.:=?%@~_]';
  const text = `(?:(?:;${param}+)*|[a-zA-Z\\d]+(?:;${param}*)*)?(?:\\u0007|\\u001B\\u005C|\\u009C)`;
  const control = '(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PR-TZcf-nq-uy=><~]';
  return new RegExp(`${start}(?:${text}|${control})`, 'g');
})();

function codePointWidth(char) {
  const code = char.codePointAt(0);
  let low = 0;
  let high = WIDE_RANGES.length / 2 - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (code < WIDE_RANGES[2 * mid]) high = mid - 1;
    else if (code > WIDE_RANGES[2 * mid + 1]) low = mid + 1;
    else return 2;
  }
  if (EMOJI_PRESENTATION.test(char)) return 2;
  // The soft hyphen is a format character that terminals draw all the same.
  if (code !== 0xad && ZERO_WIDTH.test(char)) return 0;
  return 1;
}

/**
 * The terminal cells a string takes, as Node's `getStringWidth` counts them (with ICU): wide
 * and fullwidth characters and emoji take two, marks and controls none, every code point of an
 * emoji sequence its own. `stripEscapes`: leave escape sequences out first (as a table does).
 */
export function stringWidth(str, stripEscapes = true) {
  const text = stripEscapes ? str.replace(TERMINAL_ESCAPE, '') : str;
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 127) {
      // Node normalizes only from the first non-ASCII character on.
      for (const char of text.slice(i).normalize('NFC')) width += codePointWidth(char);
      break;
    }
    if (code >= 32) width += 1;
  }
  return width;
}

/** Node's way of naming a wrong argument in an `ERR_INVALID_ARG_TYPE` message. */
function describeReceived(value) {
  if (value === null || value === undefined) return String(value);
  switch (typeof value) {
    case 'bigint':
      return `type bigint (${value}n)`;
    case 'number':
      return `type number (${formatNumber(value)})`;
    case 'boolean':
    case 'symbol':
      return `type ${typeof value} (${String(value)})`;
    case 'string': {
      const shown = value.length > 28 ? `${value.slice(0, 25)}...` : value;
      return shown.includes("'") ? `type string (${JSON.stringify(shown)})` : `type string ('${shown}')`;
    }
    case 'function':
      return `function ${value.name}`;
    default:
      if (value.constructor && 'name' in value.constructor) return `an instance of ${value.constructor.name}`;
      return inspect(value, { depth: -1 });
  }
}

const INDEX_HEADER = '(index)';
const ITERATION_HEADER = '(iteration index)';
const KEY_HEADER = 'Key';
const VALUES_HEADER = 'Values';

/** Whether a cell value prints as a list: an array, a typed array, a Buffer. */
function isListLike(value) {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/**
 * One cell's text: inspected on one line with at most three entries of a list; an object that
 * is not list-like and has more than two keys shows only its name (`[Object]`), others their
 * first level.
 */
function formatCell(value, options) {
  const big = value !== null && typeof value === 'object' && !isListLike(value) && Object.keys(value).length > 2;
  return inspect(value, { ...options, depth: big ? -1 : 0, maxArrayLength: 3, breakLength: Infinity });
}

/**
 * The box drawing of a table: `head` the column titles, `columns` one array of cell texts per
 * column (a missing cell is empty). Cells are left-aligned and padded to the widest cell of
 * their column, measured in terminal cells.
 */
function drawTable(head, columns) {
  const widths = head.map((title) => stringWidth(title));
  const rowCount = Math.max(...columns.map((column) => column.length));
  const rows = [];
  for (let j = 0; j < rowCount; j++) {
    const row = columns.map((column) => (Object.prototype.hasOwnProperty.call(column, j) ? column[j] : ''));
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i], stringWidth(cell));
    });
    rows.push(row);
  }
  const line = (cells) => `│ ${cells.map((cell, i) => cell + ' '.repeat(widths[i] - stringWidth(cell))).join(' │ ')} │`;
  const rule = (left, middle, right) => left + widths.map((w) => '─'.repeat(w + 2)).join(middle) + right;
  return [rule('┌', '┬', '┐'), line(head), rule('├', '┼', '┤'), ...rows.map(line), rule('└', '┴', '┘')].join('\n');
}

/**
 * What `console.table(data, properties)` prints, as Node 20 draws it: a Map as `(iteration
 * index)`, `Key`, `Values`; a Set as `(iteration index)`, `Values`; any other object one row per
 * own key (`(index)`), one column per key of its rows (all rows' keys, in the order of a plain
 * object's keys), or the keys `properties` lists, and a `Values` column for rows that are not
 * objects. Anything that is not an object prints as `console.log` would print it. Throws Node's
 * `TypeError` when `properties` is not an array. Options: as `inspect`'s (`errorFrames`).
 */
export function formatTable(data, properties, options = {}) {
  if (properties !== undefined && !Array.isArray(properties)) {
    const err = new TypeError(
      `The "properties" argument must be an instance of Array. Received ${describeReceived(properties)}`,
    );
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
  if (data === null || typeof data !== 'object') return formatArgs([data], options);
  const cell = (value) => formatCell(value, options);
  const positions = (count) => Array.from({ length: count }, (_, i) => cell(i));

  if (data instanceof Map) {
    const keys = [];
    const values = [];
    for (const { 0: key, 1: value } of data) {
      keys.push(cell(key));
      values.push(cell(value));
    }
    return drawTable([ITERATION_HEADER, KEY_HEADER, VALUES_HEADER], [positions(keys.length), keys, values]);
  }
  if (data instanceof Set) {
    const values = [];
    for (const value of data) values.push(cell(value));
    return drawTable([ITERATION_HEADER, VALUES_HEADER], [positions(values.length), values]);
  }

  // Column name → its cells by row; a null prototype, so that names such as `__proto__` are
  // plain columns, and an object, so that columns come in the order of an object's keys
  // (integer-like names first), as Node's do.
  const byColumn = Object.create(null);
  const primitives = [];
  let hasPrimitives = false;
  const rowKeys = Object.keys(data);
  rowKeys.forEach((rowKey, i) => {
    const row = data[rowKey];
    const primitive = row === null || (typeof row !== 'object' && typeof row !== 'function');
    if (primitive && properties === undefined) {
      hasPrimitives = true;
      primitives[i] = cell(row);
      return;
    }
    for (const key of properties ?? Object.keys(row)) {
      byColumn[key] ??= [];
      byColumn[key][i] = primitive || !Object.prototype.hasOwnProperty.call(row, key) ? '' : cell(row[key]);
    }
  });
  const head = [INDEX_HEADER, ...Object.keys(byColumn)];
  const columns = [rowKeys, ...Object.values(byColumn)];
  if (hasPrimitives) {
    head.push(VALUES_HEADER);
    columns.push(primitives);
  }
  return drawTable(head, columns);
}
