//! The embedding protocol (README "Embedding"): messages between the playground in an iframe and
//! the page around it, `{ source: 'redis-playground', version: 1, type, id?, payload }`. Pure
//! functions, shared by the page's bridge (`bridge.js`) and tested in Node.
//!
//! Nothing in a message is ever executed or rendered as HTML: messages are checked against this
//! list of types and shapes, copied through JSON (so only plain data reaches the page), and
//! handed on as window events (`redis-playground:<type>`, CONTRACT.md).

export const SOURCE = 'redis-playground';
export const VERSION = 1;

/** Types the playground sends to its parent. */
export const TO_PARENT = Object.freeze([
  'ready',
  'command',
  'script-run',
  'challenge-result',
  'quiz-answer',
  'progress',
  'ack',
  'error',
]);

/** Window events of the page forwarded to the parent (CONTRACT.md). */
export const FORWARDED = Object.freeze(['command', 'script-run', 'challenge-result', 'quiz-answer', 'progress']);

/** Types the playground accepts from its parent. */
export const TO_PLAYGROUND = Object.freeze(['load-lesson', 'run', 'reset', 'set-theme']);

/** Largest message payload accepted or sent, as JSON text. */
export const MAX_PAYLOAD = 256 * 1024;
/** Longest reply text a `command` message carries (longer ones are cut, with `truncated`). */
export const MAX_REPLY = 16 * 1024;
/** Longest message id. */
export const MAX_ID = 100;

export const THEMES = Object.freeze(['light', 'dark', 'system']);

function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A lesson id as the `lesson` URL parameter accepts it (`cache-aside`). */
export function isLessonId(text) {
  return typeof text === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(text);
}

/**
 * Origins from an `allow-origin` parameter or an `origins` attribute: separated by spaces or
 * commas, each exactly an origin (`https://course.example`, no path); others are dropped.
 */
export function parseOrigins(text) {
  if (typeof text !== 'string') return [];
  const origins = [];
  for (const item of text.split(/[\s,]+/)) {
    if (!item || item.length > 200) continue;
    let origin;
    try {
      origin = new URL(item).origin;
    } catch {
      continue;
    }
    if (origin === item.replace(/\/$/, '') && /^https?:/.test(origin) && !origins.includes(origin)) {
      origins.push(origin);
    }
  }
  return origins.slice(0, 10);
}

/** Plain data only, at most `limit` characters of JSON; `undefined` if not JSON-able or too big. */
export function plainCopy(value, limit = MAX_PAYLOAD) {
  let json;
  try {
    json = JSON.stringify(value ?? {});
  } catch {
    return undefined;
  }
  if (typeof json !== 'string' || json.length > limit) return undefined;
  return JSON.parse(json);
}

/** A message in the protocol's envelope. */
export function envelope(type, payload = {}, id) {
  const message = { source: SOURCE, version: VERSION, type, payload };
  if (id !== undefined) message.id = id;
  return message;
}

/** Whether `data` claims to be one of our messages (others on the channel are not ours). */
export function isProtocolMessage(data) {
  return isPlainObject(data) && data.source === SOURCE;
}

function validId(id) {
  return (
    id === undefined ||
    (typeof id === 'string' && id.length <= MAX_ID) ||
    (typeof id === 'number' && Number.isFinite(id))
  );
}

/**
 * Checks a message from the parent. Returns `{ ok: true, type, id, detail }` (detail: the window
 * event's plain-data detail) or `{ ok: false, id, error }`.
 */
export function validateIncoming(data) {
  if (!isProtocolMessage(data)) return { ok: false, id: undefined, error: 'not a redis-playground message' };
  const id = validId(data.id) ? data.id : undefined;
  const fail = (error) => ({ ok: false, id, error });
  if (!validId(data.id)) return fail(`id must be a string of at most ${MAX_ID} characters or a number`);
  if (data.version !== VERSION) return fail(`unsupported protocol version ${String(data.version).slice(0, 20)} (this playground speaks ${VERSION})`);
  if (typeof data.type !== 'string' || !TO_PLAYGROUND.includes(data.type)) {
    return fail(`unknown message type ${JSON.stringify(String(data.type).slice(0, 40))} (accepted: ${TO_PLAYGROUND.join(', ')})`);
  }
  if (data.payload !== undefined && !isPlainObject(data.payload)) return fail('payload must be an object');
  const payload = plainCopy(data.payload ?? {});
  if (payload === undefined) return fail(`payload must be plain JSON data of at most ${MAX_PAYLOAD} characters`);
  switch (data.type) {
    case 'set-theme':
      if (!THEMES.includes(payload.theme)) return fail(`set-theme needs theme: ${THEMES.join(', ')}`);
      return { ok: true, type: data.type, id, detail: { theme: payload.theme } };
    case 'load-lesson':
      if (isLessonId(payload.lesson) || isPlainObject(payload.lesson)) {
        return { ok: true, type: data.type, id, detail: { lesson: payload.lesson } };
      }
      return fail('load-lesson needs lesson: a lesson object (as a parsed lesson file) or a built-in lesson id');
    default:
      return { ok: true, type: data.type, id, detail: {} };
  }
}

/**
 * The message for a page event forwarded to the parent, or `undefined` if its detail is not
 * plain data within the limit. A `command`'s reply is cut to `MAX_REPLY` characters.
 */
export function outgoing(type, detail) {
  let payload = detail;
  if (type === 'command' && isPlainObject(detail)) {
    const reply = typeof detail.reply === 'string' ? detail.reply : '';
    const line = typeof detail.line === 'string' ? detail.line.slice(0, MAX_REPLY) : '';
    payload =
      reply.length > MAX_REPLY
        ? { line, reply: reply.slice(0, MAX_REPLY), truncated: true }
        : { line, reply };
  }
  const copy = plainCopy(payload);
  return copy === undefined ? undefined : envelope(type, copy);
}
