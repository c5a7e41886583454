//! The embed bridge, page side: when the playground runs in an iframe, it forwards the page's
//! window events (CONTRACT.md: `command`, `script-run`, `challenge-result`, `quiz-answer`,
//! `progress`, and `ready` once the app is up) to the parent frame, and turns the parent's
//! messages (`load-lesson`, `run`, `reset`, `set-theme`) into the page's window events after
//! checking them (`protocol.js`). Every message with an `id` is answered with `ack` or `error`.
//!
//! Who may talk to the playground: the origins in the `allow-origin` URL parameter (what the
//! `<redis-playground>` element passes: its `origins` attribute, else the host page's origin),
//! or, without it, only the parent's own origin. A message from any other origin or window is
//! ignored, and messages go out only to those origins.

import {
  FORWARDED,
  TO_PLAYGROUND,
  envelope,
  isProtocolMessage,
  outgoing,
  parseOrigins,
  validateIncoming,
} from './protocol.js';

/** The parent frame's origin as the browser reports it ('' if unknown). */
function parentOrigin() {
  const ancestors = window.location.ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0];
  try {
    return document.referrer ? new URL(document.referrer).origin : '';
  } catch {
    return '';
  }
}

/** Origins allowed to exchange messages with this page. */
export function allowedOrigins() {
  const param = new URLSearchParams(window.location.search).get('allow-origin');
  if (param !== null) return parseOrigins(param);
  return parseOrigins(parentOrigin());
}

/**
 * Whether the page can open a lesson: its lesson panel is built in and shown. A panel that
 * `panels` leaves out stays in the DOM, hidden; the app lists the shown ones in the root's
 * `data-panels` (absent: all), and a lesson opens in the lesson or the quiz panel (`params.rs`).
 */
function showsALesson() {
  if (!document.querySelector('[data-testid="lesson"]')) return false;
  const listed = document.documentElement.dataset.panels;
  if (listed === undefined) return true;
  const names = listed.split(' ');
  return names.includes('lesson') || names.includes('quiz');
}

/** A notice on the page (shown as text by the app's notices, `params.rs`). */
function notice(message) {
  window.dispatchEvent(new CustomEvent('redis-playground:notice', { detail: { message } }));
}

export function installBridge() {
  if (window.parent === window || window.redisPlaygroundBridge) return null;
  const origins = allowedOrigins();
  const post = (message) => {
    for (const origin of origins) {
      try {
        window.parent.postMessage(message, origin);
      } catch {
        // A closed or navigated parent: nothing to tell.
      }
    }
  };
  const reply = (id, ok, payload) => {
    if (id !== undefined) post(envelope(ok ? 'ack' : 'error', payload, id));
  };

  let ready = Boolean(window.redisPlayground?.ready);
  const pending = [];

  const handle = (data) => {
    const checked = validateIncoming(data);
    if (!checked.ok) {
      console.warn(`Redis Playground: message refused: ${checked.error}`);
      reply(checked.id, false, { message: checked.error });
      return;
    }
    if (checked.type === 'load-lesson' && !showsALesson()) {
      const message = 'This playground could not load the lesson sent by the page: it has no lesson panel.';
      notice(message);
      reply(checked.id, false, { message });
      return;
    }
    window.dispatchEvent(new CustomEvent(`redis-playground:${checked.type}`, { detail: checked.detail }));
    reply(checked.id, true, { type: checked.type });
  };

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || !origins.includes(event.origin)) return;
    if (!isProtocolMessage(event.data)) return;
    if (ready) handle(event.data);
    else if (pending.length < 50) pending.push(event.data);
  });

  for (const type of FORWARDED) {
    window.addEventListener(`redis-playground:${type}`, (event) => {
      const message = outgoing(type, event.detail);
      if (message) post(message);
      else console.warn(`Redis Playground: ${type} event not forwarded (not plain data, or too big)`);
    });
  }

  const announce = () => {
    if (ready && announce.done) return;
    ready = true;
    announce.done = true;
    const panels = document.documentElement.dataset.panels?.split(' ').filter(Boolean) ?? null;
    post(envelope('ready', { protocol: 1, accepts: [...TO_PLAYGROUND], panels }));
    for (const data of pending.splice(0)) handle(data);
  };
  if (ready) announce();
  else window.addEventListener('redis-playground:ready', announce, { once: true });

  const bridge = { origins, post };
  window.redisPlaygroundBridge = bridge;
  return bridge;
}

installBridge();
