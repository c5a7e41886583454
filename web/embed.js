/*! Redis Playground embed: <redis-playground> for course pages. README "Embedding".
 *
 *   <script src="https://your.host/playground/embed.js" defer></script>
 *   <redis-playground lesson="cache-aside" panels="lesson,editor,console" height="600"></redis-playground>
 *
 * Attributes: lesson, panels, height, theme, code, commands, clock, origins, src, title.
 * Each element renders an iframe of the playground page (index.html next to this script, or
 * `src`), created only when the element comes near the viewport, so embeds never block the host
 * page and each has its own engine. The iframe talks to the element with the versioned
 * postMessage protocol ({source: 'redis-playground', version: 1, type, id?, payload}); the
 * element re-dispatches what arrives as events on itself (playground-ready, command,
 * script-run, challenge-result, quiz-answer, progress) and offers run(), reset(),
 * loadLesson(lesson), setTheme(theme), each returning a promise of the playground's answer.
 * A classic script with no dependencies; it never evaluates anything it receives.
 */
(() => {
  'use strict';
  if (typeof window === 'undefined' || !window.customElements || customElements.get('redis-playground')) return;

  const SOURCE = 'redis-playground';
  const VERSION = 1;
  const FROM_PLAYGROUND = ['command', 'script-run', 'challenge-result', 'quiz-answer', 'progress'];
  const PARAMS = ['lesson', 'panels', 'theme', 'code', 'commands', 'clock'];
  const ANSWER_TIMEOUT_MS = 15000;

  // Where this script was loaded from: the playground page sits next to it.
  const scriptUrl =
    (document.currentScript && document.currentScript.src) ||
    Array.from(document.scripts, (s) => s.src).find((src) => /\/embed\.js([?#]|$)/.test(src)) ||
    window.location.href;

  const isPlainObject = (v) => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

  function cssHeight(value) {
    const text = String(value || '').trim();
    if (/^\d{1,5}$/.test(text)) return `${text}px`;
    if (/^\d{1,5}(\.\d{1,3})?(px|vh|svh|dvh|rem|em)$/.test(text)) return text;
    return '480px';
  }

  function origins(text) {
    const out = [];
    for (const item of String(text || '').split(/[\s,]+/)) {
      try {
        const origin = new URL(item).origin;
        if (item && origin === item.replace(/\/$/, '') && /^https?:/.test(origin)) out.push(origin);
      } catch {
        // not an origin: dropped
      }
    }
    return out;
  }

  const STYLE = `
    :host { display: block; position: relative; border: 1px solid #d0d4dc; border-radius: 8px;
            overflow: hidden; background: #f6f7f9; color: #1f2430; max-width: 100%; }
    .frame { display: block; width: 100%; height: 100%; border: 0; }
    .placeholder { position: absolute; inset: 0; display: flex; flex-direction: column; gap: .5rem;
                   align-items: center; justify-content: center; font: 15px/1.4 system-ui, sans-serif; }
    .placeholder button { font: inherit; padding: .4rem 1rem; border-radius: 6px; border: 1px solid #b52a1c;
                          background: #d82c20; color: #fff; cursor: pointer; }
    .placeholder[hidden] { display: none; }
    @media (prefers-color-scheme: dark) {
      :host { background: #16181d; color: #e6e8ee; border-color: #343843; }
    }`;

  let nextId = 1;

  class RedisPlaygroundElement extends HTMLElement {
    static get observedAttributes() {
      return [...PARAMS, 'height', 'origins', 'src', 'title'];
    }

    constructor() {
      super();
      this._iframe = null;
      this._origin = '';
      this._ready = false;
      this._queue = [];
      this._waiting = new Map();
      this._observer = null;
      this._onMessage = (event) => this._receive(event);
      const root = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = STYLE;
      this._placeholder = document.createElement('div');
      this._placeholder.className = 'placeholder';
      const label = document.createElement('span');
      label.textContent = 'Redis Playground';
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Load the playground';
      button.addEventListener('click', () => this.load());
      this._placeholder.append(label, button);
      root.append(style, this._placeholder);
    }

    /** Whether the playground in the iframe has said `ready`. */
    get ready() {
      return this._ready;
    }

    /** The iframe's URL (the playground page with this element's options as parameters). */
    get pageUrl() {
      const url = new URL(this.getAttribute('src') || 'index.html', scriptUrl);
      for (const name of PARAMS) {
        const value = this.getAttribute(name);
        if (value !== null && value !== '') url.searchParams.set(name, value);
      }
      url.searchParams.set('embed', '1');
      const allowed = this.hasAttribute('origins') ? origins(this.getAttribute('origins')) : origins(window.location.origin);
      if (allowed.length > 0) url.searchParams.set('allow-origin', allowed.join(' '));
      return url;
    }

    connectedCallback() {
      this.style.height = cssHeight(this.getAttribute('height'));
      window.addEventListener('message', this._onMessage);
      if (this._iframe) return;
      if ('IntersectionObserver' in window) {
        this._observer = new IntersectionObserver(
          (entries) => {
            if (entries.some((e) => e.isIntersecting)) this.load();
          },
          { rootMargin: '200px' },
        );
        this._observer.observe(this);
      } else {
        setTimeout(() => this.load(), 0);
      }
    }

    disconnectedCallback() {
      window.removeEventListener('message', this._onMessage);
      if (this._observer) this._observer.disconnect();
      this._observer = null;
    }

    attributeChangedCallback(name, old, value) {
      if (old === value) return;
      if (name === 'height') {
        this.style.height = cssHeight(value);
      } else if (name === 'theme' && this._ready) {
        this.setTheme(value || 'system').catch(() => {});
      } else if (name === 'title' && this._iframe) {
        this._iframe.title = value || 'Redis Playground';
      } else if (this._iframe) {
        this._reload();
      }
    }

    /** Creates the iframe now (it is otherwise created when the element nears the viewport). */
    load() {
      if (this._iframe) return;
      if (this._observer) this._observer.disconnect();
      this._observer = null;
      const iframe = document.createElement('iframe');
      iframe.className = 'frame';
      iframe.title = this.getAttribute('title') || 'Redis Playground';
      iframe.setAttribute(
        'sandbox',
        'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-downloads',
      );
      iframe.setAttribute('allow', 'clipboard-read; clipboard-write');
      const url = this.pageUrl;
      this._origin = url.origin;
      iframe.src = url.href;
      this._iframe = iframe;
      this._placeholder.hidden = true;
      this.shadowRoot.append(iframe);
    }

    _reload() {
      this._ready = false;
      const url = this.pageUrl;
      this._origin = url.origin;
      this._iframe.src = url.href;
    }

    /** Runs the editor's code, as its Run button does. */
    run() {
      return this._send('run', {});
    }

    /** Resets the playground (its data and panels) without asking the learner. */
    reset() {
      return this._send('reset', {});
    }

    /** Opens a lesson: a lesson object (as a parsed lesson file) or a built-in lesson id. */
    loadLesson(lesson) {
      return this._send('load-lesson', { lesson });
    }

    /** Switches the theme: 'light', 'dark' or 'system'. */
    setTheme(theme) {
      return this._send('set-theme', { theme });
    }

    _send(type, payload) {
      return new Promise((resolve, reject) => {
        const id = `m${nextId++}`;
        const timer = setTimeout(() => {
          this._waiting.delete(id);
          reject(new Error(`Redis Playground: no answer to ${type}`));
        }, ANSWER_TIMEOUT_MS);
        this._waiting.set(id, { resolve, reject, timer });
        this._queue.push({ source: SOURCE, version: VERSION, type, id, payload });
        this.load();
        this._flush();
      });
    }

    _flush() {
      if (!this._ready || !this._iframe || !this._iframe.contentWindow) return;
      for (const message of this._queue.splice(0)) this._iframe.contentWindow.postMessage(message, this._origin);
    }

    _receive(event) {
      if (!this._iframe || event.source !== this._iframe.contentWindow) return;
      if (event.origin !== this._origin) return;
      const data = event.data;
      if (!isPlainObject(data) || data.source !== SOURCE || data.version !== VERSION || typeof data.type !== 'string') return;
      const payload = isPlainObject(data.payload) ? data.payload : {};
      if (data.type === 'ack' || data.type === 'error') {
        const waiting = this._waiting.get(data.id);
        if (!waiting) return;
        this._waiting.delete(data.id);
        clearTimeout(waiting.timer);
        if (data.type === 'ack') waiting.resolve(payload);
        else waiting.reject(new Error(String(payload.message || 'refused')));
        return;
      }
      if (data.type === 'ready') {
        this._ready = true;
        this._emit('playground-ready', payload);
        this._flush();
      } else if (FROM_PLAYGROUND.includes(data.type)) {
        this._emit(data.type, payload);
      }
    }

    _emit(name, detail) {
      this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
    }
  }

  customElements.define('redis-playground', RedisPlaygroundElement);
})();
