//! Learner code as the script worker runs it.
//!
//! The code is written for Node: ES module imports (`import Redis from 'ioredis'`), CommonJS
//! `require('ioredis')`, top-level `await`. The worker runs it as the body of an async function
//! compiled with indirect `eval`, named `script.js` (`//# sourceURL`) so that stack frames point
//! into it. Static `import` declarations become `const` declarations reading the worker's module
//! table (`__import('ioredis')`) on the same line, `import(…)` becomes `__dynamicImport(…)`,
//! `export` keywords are blanked; everything else is left byte for byte, so line numbers in the
//! compiled source are the learner's plus the one header line. A small scanner skips strings,
//! template literals, comments and regular expressions, so that `import` inside them is left
//! alone.

/** The name stack frames of learner code carry. */
export const SCRIPT_NAME = 'script.js';

/** Lines the compiled source has before the learner's first line. */
export const HEADER_LINES = 1;

/** The names the learner's code sees as parameters of its function (shadowing globals). */
export const SCRIPT_PARAMS = [
  'require',
  'module',
  'exports',
  '__filename',
  '__dirname',
  '__import',
  '__dynamicImport',
  '__importMeta',
  'sleep',
  'db',
  'crash',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  '__exportsOf',
];

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

const isIdentStart = (c) => /[A-Za-z_$\u0080-\uffff]/.test(c);
const isIdentPart = (c) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
const isSpace = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff' || c === '\u2028' || c === '\u2029';

/** A cursor over source text that knows how to skip JavaScript's non-code parts. */
class Scanner {
  constructor(text) {
    this.text = text;
    this.pos = 0;
  }

  get done() {
    return this.pos >= this.text.length;
  }

  peek(offset = 0) {
    return this.text[this.pos + offset];
  }

  /** Skips whitespace and comments. */
  skipTrivia() {
    const { text } = this;
    for (;;) {
      const c = text[this.pos];
      if (c !== undefined && isSpace(c)) {
        this.pos++;
      } else if (c === '/' && text[this.pos + 1] === '/') {
        while (this.pos < text.length && text[this.pos] !== '\n') this.pos++;
      } else if (c === '/' && text[this.pos + 1] === '*') {
        const end = text.indexOf('*/', this.pos + 2);
        this.pos = end === -1 ? text.length : end + 2;
      } else {
        return;
      }
    }
  }

  /** Reads a quoted string starting at the cursor; returns its raw text. */
  readString() {
    const { text } = this;
    const quote = text[this.pos];
    const start = this.pos++;
    while (this.pos < text.length) {
      const c = text[this.pos++];
      if (c === '\\') this.pos++;
      else if (c === quote || c === '\n') break;
    }
    return text.slice(start, this.pos);
  }

  /** Reads an identifier at the cursor ('' if none). */
  readIdent() {
    const { text } = this;
    const start = this.pos;
    if (this.pos < text.length && isIdentStart(text[this.pos])) {
      this.pos++;
      while (this.pos < text.length && isIdentPart(text[this.pos])) this.pos++;
    }
    return text.slice(start, this.pos);
  }

  /** Reads a regular expression literal at the cursor (`/…/flags`). */
  readRegex() {
    const { text } = this;
    this.pos++;
    let inClass = false;
    while (this.pos < text.length) {
      const c = text[this.pos++];
      if (c === '\\') this.pos++;
      else if (c === '\n') break;
      else if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
    }
    while (this.pos < text.length && isIdentPart(text[this.pos])) this.pos++;
  }

  /**
   * Reads template text from the cursor (just after a backtick or a closing `}` of a
   * substitution) up to the closing backtick (returns 'end') or a `${` (returns 'substitution').
   */
  readTemplateText() {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text[this.pos++];
      if (c === '\\') this.pos++;
      else if (c === '`') return 'end';
      else if (c === '$' && text[this.pos] === '{') {
        this.pos++;
        return 'substitution';
      }
    }
    return 'end';
  }
}

/** The module specifier of a string literal's raw text (quotes and simple escapes removed). */
function specifierOf(raw) {
  return raw.slice(1, -1).replace(/\\(.)/g, '$1');
}

function countNewlines(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Parses an import declaration's clause and source from just after `import`; returns the
 * replacement text, or null when the text is not one it understands (left to the compiler).
 */
function parseImport(scanner) {
  scanner.skipTrivia();
  const c = scanner.peek();
  const call = (spec) => `__import(${JSON.stringify(spec)})`;
  if (c === '"' || c === "'") {
    const spec = specifierOf(scanner.readString());
    skipImportAttributes(scanner);
    return `${call(spec)};`;
  }
  let defaultName = null;
  let namespace = null;
  let named = null;
  if (c !== '{' && c !== '*') {
    defaultName = scanner.readIdent();
    if (!defaultName) return null;
    scanner.skipTrivia();
    if (scanner.peek() === ',') {
      scanner.pos++;
      scanner.skipTrivia();
    }
  }
  if (scanner.peek() === '*') {
    scanner.pos++;
    scanner.skipTrivia();
    if (scanner.readIdent() !== 'as') return null;
    scanner.skipTrivia();
    namespace = scanner.readIdent();
    if (!namespace) return null;
  } else if (scanner.peek() === '{') {
    scanner.pos++;
    named = [];
    for (;;) {
      scanner.skipTrivia();
      if (scanner.peek() === '}') {
        scanner.pos++;
        break;
      }
      let imported;
      const q = scanner.peek();
      if (q === '"' || q === "'") imported = JSON.stringify(specifierOf(scanner.readString()));
      else imported = scanner.readIdent();
      if (!imported) return null;
      scanner.skipTrivia();
      let local = imported;
      const save = scanner.pos;
      if (scanner.readIdent() === 'as') {
        scanner.skipTrivia();
        local = scanner.readIdent();
        if (!local) return null;
      } else {
        scanner.pos = save;
      }
      named.push(local === imported ? local : `${imported}: ${local}`);
      scanner.skipTrivia();
      if (scanner.peek() === ',') scanner.pos++;
      else if (scanner.peek() !== '}') return null;
    }
  }
  scanner.skipTrivia();
  if (scanner.readIdent() !== 'from') return null;
  scanner.skipTrivia();
  const q = scanner.peek();
  if (q !== '"' && q !== "'") return null;
  const spec = specifierOf(scanner.readString());
  skipImportAttributes(scanner);
  const parts = [];
  if (defaultName) parts.push(`${defaultName} = ${call(spec)}.default`);
  if (namespace) parts.push(`${namespace} = ${call(spec)}`);
  if (named) parts.push(`{ ${named.join(', ')} } = ${call(spec)}`);
  return `const ${parts.join(', ')};`;
}

/** Skips `with { type: 'json' }` / `assert { … }` and a final semicolon. */
function skipImportAttributes(scanner) {
  const save = scanner.pos;
  scanner.skipTrivia();
  const word = scanner.readIdent();
  if (word === 'with' || word === 'assert') {
    scanner.skipTrivia();
    if (scanner.peek() === '{') {
      const end = scanner.text.indexOf('}', scanner.pos);
      scanner.pos = end === -1 ? scanner.text.length : end + 1;
    }
  } else {
    scanner.pos = save;
  }
  const beforeSemicolon = scanner.pos;
  scanner.skipTrivia();
  if (scanner.peek() === ';') scanner.pos++;
  else scanner.pos = beforeSemicolon;
}

/**
 * Rewrites module syntax for the worker; returns `{ code, isModule }` (`isModule`: the code used
 * `import`/`export` declarations, so it is an ES module and runs in strict mode).
 */
export function rewriteModuleSyntax(code) {
  const s = new Scanner(code);
  let out = '';
  let copied = 0;
  let isModule = false;
  const exported = [];
  // What came last, to tell a regular expression from a division: 'value' (an identifier,
  // number, string, `)` or `]`) or 'operator' (anything after which an expression starts).
  let last = 'operator';
  let lastWord = '';
  const templateDepth = []; // open `${` substitutions: braces opened inside each
  const replace = (start, end, text) => {
    out += code.slice(copied, start) + text;
    copied = end;
  };
  while (!s.done) {
    const c = s.peek();
    if (isSpace(c) || (c === '/' && (s.peek(1) === '/' || s.peek(1) === '*'))) {
      s.skipTrivia();
      continue;
    }
    if (c === '"' || c === "'") {
      s.readString();
      last = 'value';
      lastWord = '';
      continue;
    }
    if (c === '`') {
      s.pos++;
      if (s.readTemplateText() === 'substitution') templateDepth.push(0);
      last = 'value';
      lastWord = '';
      continue;
    }
    if (c === '{') {
      s.pos++;
      if (templateDepth.length) templateDepth[templateDepth.length - 1]++;
      last = 'operator';
      lastWord = '';
      continue;
    }
    if (c === '}') {
      s.pos++;
      if (templateDepth.length) {
        const top = templateDepth.length - 1;
        if (templateDepth[top] === 0) {
          templateDepth.pop();
          if (s.readTemplateText() === 'substitution') templateDepth.push(0);
          last = 'value';
          continue;
        }
        templateDepth[top]--;
      }
      last = 'operator';
      continue;
    }
    if (c === '/') {
      if (last === 'operator' || KEYWORDS_BEFORE_EXPRESSION.has(lastWord)) {
        s.readRegex();
        last = 'value';
      } else {
        s.pos++;
        last = 'operator';
      }
      lastWord = '';
      continue;
    }
    if (isIdentStart(c)) {
      const start = s.pos;
      const word = s.readIdent();
      const afterDot = code[start - 1] === '.' && code[start - 2] !== '.';
      if (word === 'import' && !afterDot) {
        const save = s.pos;
        s.skipTrivia();
        const next = s.peek();
        if (next === '(') {
          replace(start, save, '__dynamicImport');
          s.pos = save;
        } else if (next === '.') {
          const dot = s.pos;
          s.pos++;
          s.skipTrivia();
          if (s.readIdent() === 'meta') replace(start, s.pos, '__importMeta');
          else s.pos = dot;
        } else if (next === '{' || next === '*' || next === '"' || next === "'" || isIdentStart(next ?? '')) {
          const replacement = parseImport(s);
          if (replacement !== null) {
            isModule = true;
            replace(start, s.pos, replacement + '\n'.repeat(countNewlines(code.slice(start, s.pos))));
          } else {
            s.pos = save;
          }
        } else {
          s.pos = save;
        }
        last = 'value';
        lastWord = '';
        continue;
      }
      if (word === 'export' && !afterDot) {
        const save = s.pos;
        s.skipTrivia();
        const next = s.peek();
        if (next === '{' || next === '*') {
          // `export { a, b as c }`, `export * from 'x'`: nothing to declare here.
          if (next === '{') {
            const end = code.indexOf('}', s.pos);
            s.pos = end === -1 ? code.length : end + 1;
            exported.push(...exportListNames(code.slice(save, s.pos)));
          } else {
            s.pos++;
          }
          const afterList = s.pos;
          s.skipTrivia();
          if (s.readIdent() === 'from') {
            s.skipTrivia();
            if (s.peek() === '"' || s.peek() === "'") s.readString();
          } else {
            s.pos = afterList;
          }
          const beforeSemicolon = s.pos;
          s.skipTrivia();
          if (s.peek() === ';') s.pos++;
          else s.pos = beforeSemicolon;
          isModule = true;
          replace(start, s.pos, code.slice(start, s.pos).replace(/[^\n]/g, ' '));
          last = 'operator';
          lastWord = '';
          continue;
        }
        if (isIdentStart(next ?? '')) {
          isModule = true;
          const wordStart = s.pos;
          const following = s.readIdent();
          const declared = declaredName(code, s.pos, following);
          if (declared) exported.push(declared);
          if (following === 'default') replace(start, s.pos, ' '.repeat(s.pos - start));
          else {
            replace(start, save, ' '.repeat(save - start));
            s.pos = wordStart;
          }
          last = 'operator';
          lastWord = '';
          continue;
        }
        s.pos = save;
      }
      last = 'value';
      lastWord = word;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s.peek(1) ?? ''))) {
      s.pos++;
      while (!s.done && /[0-9A-Za-z_.]/.test(s.peek())) s.pos++;
      last = 'value';
      lastWord = '';
      continue;
    }
    s.pos++;
    last = c === ')' || c === ']' ? 'value' : 'operator';
    lastWord = '';
  }
  out += code.slice(copied);
  return { code: out, isModule, exported: [...new Set(exported)] };
}

/** The local names of `export { a, b as c }` (the exported name → the local one). */
function exportListNames(list) {
  const names = [];
  const inner = list.replace(/^[\s{]+|[\s}]+$/g, '');
  for (const part of inner.split(',')) {
    const m = /^\s*([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?\s*$/.exec(part);
    if (m) names.push(m[2] && m[2] !== m[1] ? `${m[2]}: ${m[1]}` : m[1]);
  }
  return names;
}

/**
 * The name an `export` declaration declares (`export async function f`, `export const x`,
 * `export class C`, `export default function f`), or null (destructuring, anonymous defaults).
 */
function declaredName(code, pos, keyword) {
  const rest = code.slice(pos, pos + 200);
  if (keyword === 'default') {
    const m = /^\s+(?:async\s+)?(?:function\s*\*?|class)\s*([A-Za-z_$][\w$]*)/.exec(rest);
    return m ? `default: ${m[1]}` : null;
  }
  if (keyword === 'async') {
    const m = /^\s+function\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(rest);
    return m ? m[1] : null;
  }
  if (keyword === 'function' || keyword === 'class' || keyword === 'const' || keyword === 'let' || keyword === 'var') {
    const m = /^\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(rest);
    return m ? m[1] : null;
  }
  return null;
}

/**
 * The source the worker compiles: an async function expression taking `SCRIPT_PARAMS`, whose
 * body is a block holding the rewritten learner code, named `script.js` for stack traces.
 */
export function compileSource(code) {
  // A `#!` line (scripts made executable for Node) is a comment here.
  const text = code.startsWith('#!') ? `//${code.slice(2)}` : code;
  const { code: body, isModule, exported } = rewriteModuleSyntax(text);
  const strict = isModule ? '"use strict"; ' : '';
  // The learner's code sits in a block of its own, so that it may declare names the helpers
  // have (`const sleep = …` is common) instead of failing to redeclare a parameter. Its ES
  // exports are handed out as a closure over the block's names (on the header line, so line
  // numbers stay the learner's; called only after the code has run, past any TDZ).
  const exportsOf = exported.length ? `__exportsOf(() => ({ ${exported.join(', ')} })); ` : '';
  const source =
    `(async function (${SCRIPT_PARAMS.join(', ')}) { ${strict}{ ${exportsOf}\n` +
    `${body}\n} })\n//# sourceURL=${SCRIPT_NAME}`;
  return { source, isModule, exported };
}

/**
 * The learner's line and column of the first stack frame in `script.js`, or null. Frames read
 * `at … (script.js:LINE:COLUMN)` or `at script.js:LINE:COLUMN` in V8.
 */
export function learnerLocation(stack) {
  if (typeof stack !== 'string') return null;
  const escaped = SCRIPT_NAME.replace(/\./g, '\\.');
  const match = new RegExp(`(?:^|[\\s(])${escaped}:(\\d+):(\\d+)`).exec(stack);
  if (!match) return null;
  const line = Number(match[1]) - HEADER_LINES;
  if (line < 1) return null;
  return { line, column: Number(match[2]) };
}

/**
 * The frames of `stack` that are in the learner's code, with the learner's line numbers, as Node
 * prints frames: `    at script.js:LINE:COLUMN` or `    at name (script.js:LINE:COLUMN)` (the
 * worker's own frames are not the learner's business).
 */
export function learnerFrames(stack) {
  if (typeof stack !== 'string') return [];
  const frames = [];
  for (const line of stack.split('\n')) {
    if (!/^\s*at /.test(line)) continue;
    const location = learnerLocation(line);
    if (!location) continue;
    const where = `${SCRIPT_NAME}:${location.line}:${location.column}`;
    const named = /^\s*at (async )?(\S+) \(/.exec(line);
    const name = named ? named[2] : '';
    // The script's own body runs as an anonymous function V8 calls `eval`.
    const anonymous = !name || name === 'eval' || name === 'Object.eval' || name.endsWith('.<anonymous>');
    frames.push(anonymous ? `    at ${named && named[1] ? 'async ' : ''}${where}` : `    at ${named[1] || ''}${name} (${where})`);
  }
  return frames;
}
