//! The script editor, page side: installs `window.redisPlayground.editor`, which the editor
//! panel (crates/app/src/components/editor.rs) uses to mount CodeMirror and to make and read
//! share links, and to take code from a link in as an undoable change. This module loads with
//! the page and stays small: CodeMirror itself (`codemirror.js`, bundled by
//! scripts/build-editor.mjs) is imported when the learner first reaches for the editor, and the
//! share codec (`share.js`) when a link is made or opened.

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

export function installEditorHost() {
  const namespace = window.redisPlayground ?? (window.redisPlayground = {});
  if (namespace.editor) return namespace.editor;
  namespace.editor = {
    /**
     * Loads CodeMirror (once) and creates it in `parent`; the panel calls it when the learner
     * first reaches for the editor. Options as `createEditor` in web/editor/codemirror.js.
     * Resolves with the editor's handle (`getDoc`, `setDoc`, `focus`, `markErrorLine`, `destroy`).
     */
    async mount(parent, options = {}) {
      const { createEditor } = await loadEditor();
      return createEditor(parent, options);
    },
    /**
     * Replaces the whole text of a mounted editor (`handle` from `mount`) as one change of its
     * history of its own: Ctrl+Z brings back exactly the text it replaced. For code that comes
     * from outside the editor (a share link, the page's `code` parameter). The change calls the
     * editor's `onChange`, as an edit does.
     */
    replaceDoc(handle, text) {
      const view = handle?.view;
      if (!view) {
        handle?.setDoc?.(text);
        return;
      }
      if (view.state.doc.toString() === text) return;
      // A user event the history never merges with typing around it (only `input.type…` and
      // `delete…` merge), then a selection of its own, which closes the history event: typing
      // that follows at once is a separate step too.
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        selection: { anchor: 0 },
        userEvent: 'set.incoming',
        scrollIntoView: true,
      });
      view.dispatch({ selection: { anchor: 0 } });
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
