// The embedding protocol's pure parts (web/js/embed/protocol.js): what the playground accepts
// from a parent frame, and what it sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_PAYLOAD,
  MAX_REPLY,
  envelope,
  isLessonId,
  outgoing,
  parseOrigins,
  validateIncoming,
} from '../embed/protocol.js';

const message = (type, payload, extra = {}) => ({ source: 'redis-playground', version: 1, type, payload, ...extra });

test('accepted messages become plain window-event details', () => {
  assert.deepEqual(validateIncoming(message('set-theme', { theme: 'dark' }, { id: 'a1' })), {
    ok: true,
    type: 'set-theme',
    id: 'a1',
    detail: { theme: 'dark' },
  });
  assert.deepEqual(validateIncoming(message('run', { anything: 1 })).detail, {});
  assert.deepEqual(validateIncoming(message('reset')).detail, {});
  const lesson = { id: 'mine', title: 'Mine', when: new Date(0) };
  const checked = validateIncoming(message('load-lesson', { lesson }));
  assert.equal(checked.ok, true);
  // Copied through JSON: plain data only (a Date becomes its string).
  assert.deepEqual(checked.detail, { lesson: { id: 'mine', title: 'Mine', when: '1970-01-01T00:00:00.000Z' } });
  assert.deepEqual(validateIncoming(message('load-lesson', { lesson: 'cache-aside' })).detail, { lesson: 'cache-aside' });
});

test('refused messages say why, keeping a valid id for the answer', () => {
  const refuse = (data) => {
    const checked = validateIncoming(data);
    assert.equal(checked.ok, false);
    return checked;
  };
  assert.match(refuse(message('eval', {}, { id: 7 })).error, /unknown message type "eval"/);
  assert.equal(refuse(message('eval', {}, { id: 7 })).id, 7);
  assert.match(refuse({ ...message('run'), version: 2 }).error, /unsupported protocol version 2/);
  assert.match(refuse(message('set-theme', { theme: 'pink' })).error, /light, dark, system/);
  assert.match(refuse(message('load-lesson', { lesson: 'https://x.example/l.md' })).error, /lesson object/);
  assert.match(refuse(message('load-lesson', { lesson: [1] })).error, /lesson object/);
  assert.match(refuse(message('run', 'text')).error, /payload must be an object/);
  assert.match(refuse(message('run', {}, { id: 'x'.repeat(101) })).error, /id must be/);
  const cyclic = {};
  cyclic.self = cyclic;
  assert.match(refuse(message('load-lesson', { lesson: cyclic })).error, /plain JSON/);
  assert.match(refuse(message('load-lesson', { lesson: { text: 'x'.repeat(MAX_PAYLOAD) } })).error, /at most/);
  assert.equal(refuse('a string').error, 'not a redis-playground message');
  assert.equal(refuse({ source: 'other', type: 'run' }).error, 'not a redis-playground message');
});

test('origins are exact origins', () => {
  assert.deepEqual(parseOrigins('https://course.example, http://localhost:8080  https://course.example/'), [
    'https://course.example',
    'http://localhost:8080',
  ]);
  assert.deepEqual(parseOrigins('https://course.example/path *  null javascript:alert(1) file:///x'), []);
  assert.deepEqual(parseOrigins(undefined), []);
});

test('outgoing messages carry plain data; long replies are cut', () => {
  assert.deepEqual(outgoing('command', { line: 'GET a', reply: '(nil)\n', extra: 1 }), envelope('command', { line: 'GET a', reply: '(nil)\n' }));
  const long = outgoing('command', { line: 'KEYS *', reply: 'k'.repeat(MAX_REPLY + 5) });
  assert.equal(long.payload.reply.length, MAX_REPLY);
  assert.equal(long.payload.truncated, true);
  assert.deepEqual(outgoing('progress', { lesson: 'a', completed: true }).payload, { lesson: 'a', completed: true });
  assert.equal(outgoing('progress', { big: 'x'.repeat(MAX_PAYLOAD) }), undefined);
  assert.equal(isLessonId('cache-aside'), true);
  assert.equal(isLessonId('../x'), false);
});
