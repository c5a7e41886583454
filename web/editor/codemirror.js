// The script editor: CodeMirror 6 set up for learner scripts. Bundled by esbuild
// (scripts/build-editor.mjs) into dist/js/editor/codemirror.js, which the page imports only
// when the editor panel first becomes visible (web/js/editor/editor-host.js).
//
// Colours come from the page's CSS custom properties (--panel, --fg, --code-*), so the editor
// follows the page's light or dark theme without being told.

import { EditorState, Compartment } from '@codemirror/state';
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  drawSelection,
  dropCursor,
  rectangularSelection,
  Decoration,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  bracketMatching,
  indentOnInput,
  syntaxHighlighting,
  HighlightStyle,
  foldGutter,
  foldKeymap,
} from '@codemirror/language';
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  completionStatus,
} from '@codemirror/autocomplete';
import { javascript, javascriptLanguage } from '@codemirror/lang-javascript';
import { tags as t } from '@lezer/highlight';

/** Syntax colours, as CSS variables the page's light and dark themes define. */
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], color: 'var(--code-keyword)' },
  { tag: [t.string, t.special(t.string), t.regexp], color: 'var(--code-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--code-number)' },
  { tag: [t.lineComment, t.blockComment], color: 'var(--code-comment)', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: 'var(--code-function)' },
  { tag: [t.definition(t.variableName), t.className], color: 'var(--code-definition)' },
  { tag: t.propertyName, color: 'var(--code-property)' },
  { tag: t.invalid, color: 'var(--miss)' },
]);

const theme = EditorView.theme({
  '&': {
    color: 'var(--fg)',
    backgroundColor: 'var(--bg)',
    border: '1px solid var(--border)',
    borderRadius: '6px',
    fontSize: '14px',
  },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection':
    { backgroundColor: 'var(--code-selection)' },
  '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--code-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--code-active-line)', color: 'var(--fg)' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--code-bracket)', outline: '1px solid var(--muted)' },
  '&.cm-focused .cm-nonmatchingBracket': { color: 'var(--miss)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--focus)', color: 'var(--panel)' },
  '.cm-completionDetail': { color: 'var(--muted)', fontStyle: 'normal', marginLeft: '0.8em' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected] .cm-completionDetail': { color: 'inherit' },
  '.cm-completionInfo': { maxWidth: '40ch' },
  '.cm-errorLine': { backgroundColor: 'var(--code-error-line)' },
});

/** Names a script's Redis client goes by: `redis`, and any `x = new Redis(...)`/`createClient(...)`. */
export function clientNames(text) {
  const names = new Set(['redis']);
  const pattern = /\b([A-Za-z_$][\w$]*)\s*=\s*(?:await\s+)?(?:new\s+(?:Redis|IORedis)\b|createClient\b|[A-Za-z_$][\w$]*\.duplicate\b)/g;
  for (const match of text.matchAll(pattern)) names.add(match[1]);
  return names;
}

/** The helpers in scope (README "script runner"): `db.…` and bare names. */
const DB_METHODS = [
  { label: 'findUser', detail: '(id)', info: 'A user by id (1–50), after the simulated latency.' },
  { label: 'updateUser', detail: '(id, changes)', info: 'Changes a user, after the simulated latency.' },
  { label: 'query', detail: '(name, fn)', info: 'Runs fn({ users }) as a named query, after the simulated latency.' },
  { label: 'calls', detail: 'number', info: 'How many db calls this run made.' },
  { label: 'latencyMs', detail: 'number', info: 'The virtual cost of each db call.' },
];
const CLIENT_EXTRAS = [
  { label: 'pipeline', detail: '()', info: 'Queues commands; exec() sends them together.' },
  { label: 'multi', detail: '()', info: 'A MULTI/EXEC transaction.' },
  { label: 'duplicate', detail: '()', info: 'Another connection to the same server.' },
  { label: 'quit', detail: '()', info: 'Closes the connection politely.' },
  { label: 'disconnect', detail: '()', info: 'Closes the connection at once.' },
  { label: 'call', detail: '(command, ...args)', info: 'Any command by name.' },
];

/**
 * Completion of `redis.<method>` from the engine's command table (`commands`: `{label, detail,
 * info}` with lowercase labels, as ioredis names its methods), and of the runner's `db.` helpers.
 */
export function memberCompletions(commands) {
  const methods = [
    ...commands.map((c) => ({ ...c, type: 'method', boost: 1 })),
    ...CLIENT_EXTRAS.map((c) => ({ ...c, type: 'method' })),
  ];
  const dbOptions = DB_METHODS.map((c) => ({ ...c, type: c.detail.startsWith('(') ? 'method' : 'property' }));
  return (context) => {
    const member = context.matchBefore(/[A-Za-z_$][\w$]*\.[\w$]*$/);
    if (!member) return null;
    const dot = member.text.indexOf('.');
    const object = member.text.slice(0, dot);
    const from = member.from + dot + 1;
    if (object === 'db') return { from, options: dbOptions, validFor: /^[\w$]*$/ };
    const names = clientNames(context.state.doc.toString());
    if (!names.has(object)) return null;
    return { from, options: methods, validFor: /^[\w$]*$/ };
  };
}

const GLOBALS = ['sleep', 'db', 'console', 'Redis', 'require', 'Buffer', 'process'].map((label) => ({
  label,
  type: label === 'sleep' || label === 'require' ? 'function' : 'variable',
}));

/**
 * Creates the editor in `parent`. Options: `doc` (the text), `commands` (completion entries),
 * `onChange(text)`, `onRun()` (Ctrl/Cmd+Enter), `onEscape()` (Escape with no completion open:
 * the page moves focus out, so the editor never traps the keyboard), `label` (accessible name).
 * Returns a handle: `getDoc()`, `setDoc(text)`, `focus()`, `markErrorLine(line|null)`, `destroy()`.
 */
export function createEditor(parent, options = {}) {
  const onChange = options.onChange ?? (() => {});
  const onRun = options.onRun ?? (() => {});
  const onEscape = options.onEscape ?? (() => {});
  const errorLine = new Compartment();
  let settingDoc = false;
  let errorMarked = false;

  const runKeys = keymap.of([
    { key: 'Mod-Enter', preventDefault: true, run: () => (onRun(), true) },
    {
      key: 'Escape',
      run: (view) => {
        if (completionStatus(view.state) !== null) return false;
        onEscape();
        return true;
      },
    },
  ]);

  const state = EditorState.create({
    doc: options.doc ?? '',
    extensions: [
      runKeys,
      lineNumbers(),
      highlightActiveLineGutter(),
      foldGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      dropCursor(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      syntaxHighlighting(highlight),
      bracketMatching(),
      closeBrackets(),
      autocompletion({ activateOnTyping: true }),
      rectangularSelection(),
      highlightActiveLine(),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...foldKeymap, ...completionKeymap, indentWithTab]),
      javascript(),
      javascriptLanguage.data.of({ autocomplete: memberCompletions(options.commands ?? []) }),
      javascriptLanguage.data.of({
        autocomplete: (context) => {
          const word = context.matchBefore(/[A-Za-z_$][\w$]*$/);
          if (!word || (word.from === word.to && !context.explicit)) return null;
          const before = context.state.sliceDoc(Math.max(0, word.from - 1), word.from);
          if (before === '.') return null;
          return { from: word.from, options: GLOBALS, validFor: /^[\w$]*$/ };
        },
      }),
      theme,
      errorLine.of([]),
      EditorView.contentAttributes.of({ 'aria-label': options.label ?? 'Script editor' }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        // An error's line highlight belongs to the text that failed: an edit clears it.
        if (errorMarked) queueMicrotask(() => handle.markErrorLine(null));
        if (!settingDoc) onChange(update.state.doc.toString());
      }),
    ],
  });
  const view = new EditorView({ state, parent });

  const handle = {
    view,
    getDoc: () => view.state.doc.toString(),
    setDoc(text) {
      if (text === view.state.doc.toString()) return;
      settingDoc = true;
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      } finally {
        settingDoc = false;
      }
    },
    focus: () => view.focus(),
    /** Highlights a 1-based line (an error's), or clears the highlight with null. */
    markErrorLine(line) {
      const valid = Number.isInteger(line) && line >= 1 && line <= view.state.doc.lines;
      if (!valid && !errorMarked) return;
      errorMarked = valid;
      const extension = valid
        ? EditorView.decorations.of(
            Decoration.set([Decoration.line({ class: 'cm-errorLine' }).range(view.state.doc.line(line).from)]),
          )
        : [];
      view.dispatch({ effects: errorLine.reconfigure(extension) });
    },
    destroy: () => view.destroy(),
  };
  return handle;
}
