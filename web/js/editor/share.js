// Share links: `#share=<base64url of deflate-raw of JSON {v: 1, code, commands, lesson}>`.
// Compression is the platform's CompressionStream (no library); everything read from a link is
// checked (sizes before and after inflating, field types) and refused with a ShareError whose
// message can be shown to the learner as it is. Pure: runs in the page and in Node (tests).

/** The hash parameter that carries a shared playground. */
export const SHARE_PARAM = 'share';
/** Longest encoded payload accepted (browsers and chat apps cut longer URLs anyway). */
export const MAX_ENCODED_CHARS = 48 * 1024;
/** Largest JSON accepted after inflating (a small link cannot inflate into megabytes). */
export const MAX_JSON_BYTES = 256 * 1024;
/** Limits of the fields themselves. */
export const MAX_CODE_CHARS = 100_000;
export const MAX_COMMANDS = 200;
export const MAX_COMMAND_CHARS = 4096;
export const MAX_LESSON_CHARS = 200;

/** A link that cannot be opened; `message` is written for the learner. */
export class ShareError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ShareError';
  }
}

function toBase64Url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new ShareError('This share link is damaged (it is not valid base64url); ask for the link again.');
  }
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function deflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Inflates, refusing (without reading further) output beyond `limit` bytes. */
async function inflate(bytes, limit) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        throw new ShareError(`This share link holds more than ${Math.round(limit / 1024)} KB of text: too large to open.`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ShareError) throw err;
    throw new ShareError('This share link is damaged (its data does not decompress); ask for the link again.');
  } finally {
    reader.cancel().catch(() => {});
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Checks and normalizes a payload's fields: `{code, commands, lesson}`. */
export function validatePayload(payload) {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new ShareError('This share link does not describe a playground.');
  }
  if (payload.v !== 1) {
    throw new ShareError(`This share link was made by another version of the playground (format ${JSON.stringify(payload.v ?? null)}); it cannot be opened here.`);
  }
  const code = payload.code ?? '';
  if (typeof code !== 'string') throw new ShareError('This share link is damaged: its code is not text.');
  if (code.length > MAX_CODE_CHARS) throw new ShareError(`The code in this share link is longer than ${MAX_CODE_CHARS} characters: too large to open.`);
  const commands = payload.commands ?? [];
  if (!Array.isArray(commands) || commands.some((c) => typeof c !== 'string')) {
    throw new ShareError('This share link is damaged: its setup commands are not a list of lines.');
  }
  if (commands.length > MAX_COMMANDS || commands.some((c) => c.length > MAX_COMMAND_CHARS || /[\r\n]/.test(c))) {
    throw new ShareError(`This share link has too many or too long setup commands (at most ${MAX_COMMANDS} lines of ${MAX_COMMAND_CHARS} characters).`);
  }
  const lesson = payload.lesson ?? null;
  if (lesson !== null && (typeof lesson !== 'string' || lesson.length > MAX_LESSON_CHARS)) {
    throw new ShareError('This share link is damaged: its lesson is not a lesson name.');
  }
  return { code, commands: [...commands], lesson };
}

/** Encodes a playground as the text after `#share=`. */
export async function encodeShare({ code = '', commands = [], lesson = null } = {}) {
  const payload = validatePayload({ v: 1, code, commands, lesson });
  const json = JSON.stringify({ v: 1, ...payload });
  const encoded = toBase64Url(await deflate(new TextEncoder().encode(json)));
  if (encoded.length > MAX_ENCODED_CHARS) {
    throw new ShareError(`This playground is too large for a link (${Math.round(encoded.length / 1024)} KB compressed, at most ${MAX_ENCODED_CHARS / 1024} KB): shorten the code or the setup commands.`);
  }
  return encoded;
}

/** Decodes the text after `#share=` into `{code, commands, lesson}`; throws ShareError. */
export async function decodeShare(text) {
  if (typeof text !== 'string' || text.length === 0) throw new ShareError('This share link is empty.');
  if (text.length > MAX_ENCODED_CHARS) {
    throw new ShareError(`This share link is too long (${Math.round(text.length / 1024)} KB, at most ${MAX_ENCODED_CHARS / 1024} KB): it was probably not made here.`);
  }
  const bytes = await inflate(fromBase64Url(text), MAX_JSON_BYTES);
  let payload;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ShareError('This share link is damaged (its data is not JSON); ask for the link again.');
  }
  return validatePayload(payload);
}

/** The encoded payload of a location hash (`#share=…`), or null when the hash has none. */
export function shareParam(hash) {
  const text = String(hash ?? '').replace(/^#/, '');
  for (const part of text.split('&')) {
    if (part.startsWith(`${SHARE_PARAM}=`)) return part.slice(SHARE_PARAM.length + 1);
  }
  return null;
}

/** A link to `href` (its hash replaced) that opens the encoded playground. */
export function shareLink(href, encoded) {
  const base = String(href).split('#')[0];
  return `${base}#${SHARE_PARAM}=${encoded}`;
}
