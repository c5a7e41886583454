//! The script editor, page side: installs `window.redisPlayground.editor`, which the editor
//! panel (crates/app/src/components/editor.rs) uses to mount CodeMirror and to make and read
//! share links. This module loads with the page and stays small: CodeMirror itself
//! (`codemirror.js`, bundled by scripts/build-editor.mjs) is imported when the editor's surface
//! first becomes visible, and the share codec (`share.js`) when a link is made or opened.

let codemirror = null;
/** The editor bundle, imported once. */
function loadEditor() {
  codemirror ??= import('./codemirror.js');
  return codemirror;
}

let share = null;
function loadShare() {
  share ??= import('./share.js');
  return share;
}

/** Resolves once `element` is (even partly) on screen, or at once where that cannot be observed. */
function whenVisible(element) {
  return new Promise((resolve) => {
    if (typeof IntersectionObserver !== 'function') {
      resolve();
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe(element);
  });
}

export function installEditorHost() {
  const namespace = window.redisPlayground ?? (window.redisPlayground = {});
  if (namespace.editor) return namespace.editor;
  namespace.editor = {
    /**
     * Creates CodeMirror in `parent` once it is visible (or at once with `{eager: true}`, when the
     * learner has started typing). Options as `createEditor` in web/editor/codemirror.js.
     * Resolves with the editor's handle (`getDoc`, `setDoc`, `focus`, `markErrorLine`, `destroy`).
     */
    async mount(parent, options = {}, { eager = false } = {}) {
      if (!eager) await whenVisible(parent);
      const { createEditor } = await loadEditor();
      return createEditor(parent, options);
    },
    /** Starts loading the bundle (the learner is about to use the editor). */
    preload() {
      return loadEditor().then(() => true);
    },
    /** Encodes `{code, commands, lesson}` and resolves with a link to this page that opens it. */
    async shareLink(playground) {
      const { encodeShare, shareLink } = await loadShare();
      return shareLink(window.location.href, await encodeShare(playground));
    },
    /** The shared playground in this page's URL: null without one; rejects with a ShareError. */
    async sharedFromUrl() {
      const { shareParam, decodeShare } = await loadShare();
      const encoded = shareParam(window.location.hash);
      return encoded === null ? null : decodeShare(encoded);
    },
    /** Whether this page's URL carries a share link (without decoding it). */
    hasShare() {
      return /(^#|&)share=/.test(window.location.hash);
    },
    /** Removes the share link from the address bar (after it was read), keeping the rest. */
    forgetShare() {
      const url = new URL(window.location.href);
      url.hash = '';
      history.replaceState(history.state, '', url.href.replace(/#$/, ''));
    },
  };
  return namespace.editor;
}

installEditorHost();
