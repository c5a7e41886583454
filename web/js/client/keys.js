//! Which arguments of a command are keys, as ioredis finds them for `keyPrefix`: the command
//! table's first/last/step, and the rules ioredis has for commands whose keys move (a count of
//! keys, `STREAMS`, `SORT … BY/GET/STORE`).

import { COMMANDS } from './commands.generated.js';

/** Whether ioredis knows the command (its table; case-insensitive). */
export function isKnownCommand(name) {
  return Object.prototype.hasOwnProperty.call(COMMANDS, String(name).toLowerCase());
}

function countedKeys(args, at) {
  const out = [];
  const n = Number(args[at]);
  for (let i = 0; i < n; i++) out.push(at + 1 + i);
  return out;
}

function keyAfterToken(args, from, token) {
  for (let i = from; i < args.length - 1; i++) {
    if (String(args[i]).toLowerCase() === token) return i + 1;
  }
  return null;
}

/** Indexes (into `args`, the arguments after the name) of the keys of a command. */
export function keyIndexes(name, args) {
  const lower = String(name).toLowerCase();
  const entry = COMMANDS[lower];
  if (!entry) return [];
  switch (lower) {
    case 'zunionstore':
    case 'zinterstore':
    case 'zdiffstore':
      return [0, ...countedKeys(args, 1)];
    case 'eval':
    case 'evalsha':
    case 'eval_ro':
    case 'evalsha_ro':
    case 'fcall':
    case 'fcall_ro':
    case 'blmpop':
    case 'bzmpop':
      return countedKeys(args, 1);
    case 'sintercard':
    case 'lmpop':
    case 'zunion':
    case 'zinter':
    case 'zmpop':
    case 'zintercard':
    case 'zdiff':
      return countedKeys(args, 0);
    case 'msetex': {
      const out = [];
      const n = Number(args[0]);
      for (let i = 0; i < n; i++) out.push(1 + i * 2);
      return out;
    }
    case 'georadius':
    case 'georadiusbymember': {
      const from = lower === 'georadius' ? 5 : 4;
      const out = [0];
      const store = keyAfterToken(args, from, 'store');
      if (store) out.push(store);
      const dist = keyAfterToken(args, from, 'storedist');
      if (dist) out.push(dist);
      return out;
    }
    case 'sort':
    case 'sort_ro': {
      const out = [0];
      for (let i = 1; i < args.length - 1; i++) {
        const arg = args[i];
        if (typeof arg !== 'string') continue;
        const directive = arg.toUpperCase();
        if (directive === 'GET') {
          i += 1;
          if (args[i] !== '#') out.push(i);
        } else if (directive === 'BY' || directive === 'STORE') {
          i += 1;
          out.push(i);
        }
      }
      return out;
    }
    case 'migrate': {
      if (args[2] !== '') return [2];
      for (let i = 5; i < args.length - 1; i++) {
        const arg = args[i];
        if (typeof arg === 'string' && arg.toUpperCase() === 'KEYS') {
          const out = [];
          for (let j = i + 1; j < args.length; j++) out.push(j);
          return out;
        }
      }
      return [];
    }
    case 'xread':
    case 'xreadgroup': {
      for (let i = lower === 'xread' ? 0 : 3; i < args.length - 1; i++) {
        if (String(args[i]).toUpperCase() === 'STREAMS') {
          const out = [];
          for (let j = i + 1; j <= i + (args.length - 1 - i) / 2; j++) out.push(j);
          return out;
        }
      }
      return [];
    }
    default: {
      const [start, stop, step] = entry;
      if (step <= 0) return [];
      const out = [];
      const last = stop > 0 ? stop : args.length + stop + 1;
      for (let i = start - 1; i < last; i += step) out.push(i);
      return out;
    }
  }
}

/** Whether the server accepts a command while loading (ioredis sends those before `ready`). */
export function isLoadingCommand(name) {
  const entry = COMMANDS[String(name).toLowerCase()];
  return Boolean(entry && entry[3]);
}
