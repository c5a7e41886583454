//! Lesson files: Markdown with a small front matter, parsed into the lesson object the panels
//! show and the `load-lesson` event carries. The format is documented in README ("Writing
//! lessons"); in short:
//!
//! ```text
//! ---
//! id: cache-aside                 front matter: `key: value` lines (id, title, summary)
//! title: Cache-aside
//! ---
//! # Explanation                   Markdown
//! # Setup                         optional: a ```redis block, one command a line
//! # Example                       a ```js block the learner can run
//! # Challenge                     the brief (Markdown), then:
//! ## Starter                        ```js block put in the editor
//! ## Checks                         ```js block: the grader (web/js/runner/checks.js)
//! ## Hints                          optional: a Markdown list, one hint an item
//! ## Solution                       ```js block: the reference solution (never shown)
//! ## Wrong: no TTL                  optional, repeatable: a typical mistake for the tests,
//!                                   `Fails: <check name>` then a ```js block (never shown)
//! # Quick reference               optional: Markdown
//! # Quiz                          questions, each `## Question?`, optional Markdown, then
//!                                   `- [x] right answer` / `- [ ] wrong answer`, each followed
//!                                   by its explanation on indented lines
//! ```
//!
//! Every mistake is a `LessonError` naming the file, the field and the line.

/** A mistake in a lesson file. */
export class LessonError extends Error {
  constructor(file, line, field, message) {
    super(`${file}${line ? `:${line}` : ''}: ${field}: ${message}`);
    this.name = 'LessonError';
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = message;
  }
}

const SECTIONS = ['Explanation', 'Setup', 'Example', 'Challenge', 'Quick reference', 'Quiz'];
const CHALLENGE_PARTS = ['Starter', 'Checks', 'Hints', 'Solution'];
const FRONT_KEYS = ['id', 'title', 'summary'];
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Lines with their 1-based numbers. */
function numbered(text) {
  return text.replace(/\r\n?/g, '\n').split('\n').map((text, i) => ({ text, line: i + 1 }));
}

/**
 * Splits lines into blocks under headings of one level (`# ` or `## `), skipping fenced code.
 * Returns `{ before, blocks: [{ title, line, lines }] }`.
 */
function splitHeadings(lines, level) {
  const mark = `${'#'.repeat(level)} `;
  const before = [];
  const blocks = [];
  let fence = null;
  for (const entry of lines) {
    const trimmed = entry.text.trimStart();
    if (fence !== null) {
      if (trimmed.startsWith(fence) && trimmed.slice(fence.length).trim() === '') fence = null;
    } else {
      const open = /^(`{3,}|~{3,})/.exec(trimmed);
      if (open) fence = open[1];
      else if (entry.text.startsWith(mark)) {
        blocks.push({ title: entry.text.slice(mark.length).trim(), line: entry.line, lines: [] });
        continue;
      }
    }
    (blocks.length ? blocks[blocks.length - 1].lines : before).push(entry);
  }
  return { before, blocks };
}

/** An unclosed code fence would swallow the rest of the file: name it where it opens. */
function checkFences(lines, file) {
  let fence = null;
  let heading = 'front matter';
  for (const { text, line } of lines) {
    const trimmed = text.trimStart();
    if (fence !== null) {
      if (trimmed.startsWith(fence.mark) && trimmed.slice(fence.mark.length).trim() === '') fence = null;
      continue;
    }
    const open = /^(`{3,}|~{3,})/.exec(trimmed);
    if (open) fence = { mark: open[1], line, heading };
    else if (/^#{1,2} /.test(text)) heading = text.replace(/^#+ /, '').trim();
  }
  if (fence !== null) {
    throw new LessonError(file, fence.line, fence.heading.toLowerCase(), `the code block opened here is never closed (${fence.mark})`);
  }
}

const join = (lines) => lines.map((l) => l.text).join('\n').trim();

/**
 * The one fenced code block of a section: `{ lang, code }`. Text other than blank lines (and,
 * with `allow`, lines matching it) outside the block is an error, so nothing an author wrote is
 * silently dropped.
 */
function codeBlock(lines, file, field, headingLine, allow = null) {
  let found = null;
  let fence = null;
  let body = [];
  let lang = '';
  const extra = [];
  for (const entry of lines) {
    const trimmed = entry.text.trimStart();
    if (fence !== null) {
      if (trimmed.startsWith(fence) && trimmed.slice(fence.length).trim() === '') {
        fence = null;
        found = { lang, code: body.join('\n'), line: found.line };
      } else {
        body.push(entry.text);
      }
      continue;
    }
    const open = /^(`{3,}|~{3,})\s*([\w-]*)\s*$/.exec(trimmed);
    if (open) {
      if (found) throw new LessonError(file, entry.line, field, 'has more than one code block (expected one)');
      fence = open[1];
      lang = open[2];
      body = [];
      found = { line: entry.line };
      continue;
    }
    if (entry.text.trim() === '') continue;
    if (allow && allow.test(entry.text.trim())) {
      extra.push(entry);
      continue;
    }
    throw new LessonError(file, entry.line, field, `unexpected text outside the code block: "${entry.text.trim().slice(0, 60)}"`);
  }
  if (fence !== null) throw new LessonError(file, found.line, field, 'the code block is never closed (```)');
  if (!found) throw new LessonError(file, headingLine, field, 'needs a fenced code block (```js … ```)');
  return { ...found, extra };
}

function parseFrontMatter(lines, file) {
  const meta = {};
  if (lines.length === 0 || lines[0].text.trim() !== '---') {
    throw new LessonError(file, 1, 'front matter', 'the file must start with a front matter block (--- id: …, title: … ---)');
  }
  let end = -1;
  for (let i = 1; i < lines.length; i++) {
    const { text, line } = lines[i];
    if (text.trim() === '---') {
      end = i;
      break;
    }
    if (text.trim() === '' || text.trim().startsWith('#')) continue;
    const m = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/.exec(text);
    if (!m) throw new LessonError(file, line, 'front matter', `expected "key: value", found "${text.trim().slice(0, 60)}"`);
    const key = m[1];
    if (!FRONT_KEYS.includes(key)) {
      throw new LessonError(file, line, key, `unknown front matter key (known: ${FRONT_KEYS.join(', ')})`);
    }
    if (key in meta) throw new LessonError(file, line, key, 'given twice');
    let value = m[2].trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    }
    meta[key] = { value, line };
  }
  if (end === -1) throw new LessonError(file, 1, 'front matter', 'is never closed (a line with ---)');
  return { meta, rest: lines.slice(end + 1) };
}

function parseHints(lines, file) {
  const hints = [];
  for (const entry of lines) {
    const m = /^\s*[-*]\s+(.*)$/.exec(entry.text);
    if (m) hints.push(m[1].trim());
    else if (entry.text.trim() === '') continue;
    else if (/^\s{2,}\S/.test(entry.text) && hints.length) hints[hints.length - 1] += ` ${entry.text.trim()}`;
    else throw new LessonError(file, entry.line, 'challenge hints', 'hints are a Markdown list: one "- hint" a line');
  }
  return hints;
}

function parseQuestion(block, file, index) {
  const field = `quiz question ${index + 1}`;
  const question = block.title;
  if (!question) throw new LessonError(file, block.line, field, 'the question is empty');
  const body = [];
  const options = [];
  let fence = null;
  for (const entry of block.lines) {
    const trimmed = entry.text.trimStart();
    if (fence !== null) {
      if (trimmed.startsWith(fence) && trimmed.slice(fence.length).trim() === '') fence = null;
      body.push(entry);
      continue;
    }
    const m = /^[-*]\s+\[( |x|X)\]\s+(.*)$/.exec(entry.text);
    if (m) {
      if (!m[2].trim()) throw new LessonError(file, entry.line, field, 'an option has no text');
      options.push({ text: m[2].trim(), correct: m[1] !== ' ', explanation: [], line: entry.line });
      continue;
    }
    if (options.length) {
      if (entry.text.trim() === '') continue;
      if (/^\s{2,}\S/.test(entry.text)) {
        options[options.length - 1].explanation.push(entry.text.trim());
        continue;
      }
      throw new LessonError(
        file,
        entry.line,
        field,
        'after the options only indented explanation lines may follow (indent them by two spaces)',
      );
    }
    const open = /^(`{3,}|~{3,})/.exec(trimmed);
    if (open) fence = open[1];
    body.push(entry);
  }
  if (options.length < 2) throw new LessonError(file, block.line, field, 'needs at least two options ("- [x] …" / "- [ ] …")');
  const correct = options.filter((o) => o.correct).length;
  if (correct === 0) throw new LessonError(file, block.line, field, 'no option is marked correct with [x]');
  for (const [i, o] of options.entries()) {
    if (o.explanation.length === 0) {
      throw new LessonError(file, o.line, `${field} option ${i + 1}`, 'needs an explanation: indented lines under the option');
    }
  }
  return {
    question,
    body: join(body),
    multiple: correct > 1,
    options: options.map((o) => ({ text: o.text, correct: o.correct, explanation: o.explanation.join(' ') })),
  };
}

function parseChallenge(block, file) {
  const { before, blocks } = splitHeadings(block.lines, 2);
  const challenge = { brief: join(before), starter: '', checks: '', hints: [], solution: '', wrong: [] };
  if (!challenge.brief) throw new LessonError(file, block.line, 'challenge brief', 'is empty: describe the task under "# Challenge"');
  const seen = new Set();
  for (const part of blocks) {
    const wrong = /^Wrong:\s*(.+)$/.exec(part.title);
    if (wrong) {
      const field = `challenge wrong solution "${wrong[1]}"`;
      const { code, extra } = codeBlock(part.lines, file, field, part.line, /^Fails:/);
      const fails = extra.map((e) => e.text.trim().replace(/^Fails:\s*/, '')).filter(Boolean);
      if (fails.length !== 1) throw new LessonError(file, part.line, field, 'needs one "Fails: <check name>" line');
      challenge.wrong.push({ name: wrong[1].trim(), fails: fails[0], code });
      continue;
    }
    if (!CHALLENGE_PARTS.includes(part.title)) {
      throw new LessonError(file, part.line, 'challenge', `unknown part "## ${part.title}" (known: ${CHALLENGE_PARTS.join(', ')}, Wrong: <name>)`);
    }
    if (seen.has(part.title)) throw new LessonError(file, part.line, `challenge ${part.title.toLowerCase()}`, 'given twice');
    seen.add(part.title);
    const field = `challenge ${part.title.toLowerCase()}`;
    if (part.title === 'Hints') challenge.hints = parseHints(part.lines, file);
    else challenge[part.title.toLowerCase()] = codeBlock(part.lines, file, field, part.line).code;
  }
  for (const name of ['Starter', 'Checks', 'Solution']) {
    if (!seen.has(name)) throw new LessonError(file, block.line, `challenge ${name.toLowerCase()}`, `is missing: add "## ${name}" with a code block`);
  }
  if (!challenge.checks.trim()) throw new LessonError(file, block.line, 'challenge checks', 'the code block is empty');
  return challenge;
}

/**
 * Parses a lesson file; throws a `LessonError` on the first mistake. `file` names it in errors.
 * Returns `{ id, title, summary, explanation, setup, example, challenge: { brief, starter,
 * checks, hints, solution, wrong }, reference, quiz: [{ question, body, multiple, options:
 * [{ text, correct, explanation }] }], file }`.
 */
export function parseLesson(text, file = 'lesson.md') {
  if (typeof text !== 'string') throw new LessonError(file, 0, 'file', 'is not text');
  const lines = numbered(text);
  checkFences(lines, file);
  const { meta, rest } = parseFrontMatter(lines, file);
  for (const key of ['id', 'title']) {
    if (!meta[key] || !meta[key].value) throw new LessonError(file, 1, key, 'is missing from the front matter');
  }
  if (!ID.test(meta.id.value)) {
    throw new LessonError(file, meta.id.line, 'id', `"${meta.id.value}" must be lowercase letters, digits and dashes`);
  }
  const { before, blocks } = splitHeadings(rest, 1);
  const stray = before.find((l) => l.text.trim() !== '');
  if (stray) throw new LessonError(file, stray.line, 'sections', 'text before the first section (# Explanation)');
  const sections = new Map();
  for (const block of blocks) {
    if (!SECTIONS.includes(block.title)) {
      throw new LessonError(file, block.line, 'sections', `unknown section "# ${block.title}" (known: ${SECTIONS.join(', ')})`);
    }
    if (sections.has(block.title)) throw new LessonError(file, block.line, block.title.toLowerCase(), 'given twice');
    sections.set(block.title, block);
  }
  for (const name of ['Explanation', 'Example', 'Challenge', 'Quiz']) {
    if (!sections.has(name)) throw new LessonError(file, 0, name.toLowerCase(), `section "# ${name}" is missing`);
  }
  const explanation = join(sections.get('Explanation').lines);
  if (!explanation) throw new LessonError(file, sections.get('Explanation').line, 'explanation', 'is empty');
  let setup = [];
  if (sections.has('Setup')) {
    const block = sections.get('Setup');
    setup = codeBlock(block.lines, file, 'setup', block.line)
      .code.split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  }
  const exampleBlock = sections.get('Example');
  const example = codeBlock(exampleBlock.lines, file, 'example', exampleBlock.line).code;
  const challenge = parseChallenge(sections.get('Challenge'), file);
  const reference = sections.has('Quick reference') ? join(sections.get('Quick reference').lines) : '';
  const quizBlock = sections.get('Quiz');
  const questions = splitHeadings(quizBlock.lines, 2);
  const intro = questions.before.find((l) => l.text.trim() !== '');
  if (intro) throw new LessonError(file, intro.line, 'quiz', 'each question starts with "## " (text before the first one)');
  if (questions.blocks.length === 0) throw new LessonError(file, quizBlock.line, 'quiz', 'has no questions ("## Question?")');
  const quiz = questions.blocks.map((b, i) => parseQuestion(b, file, i));
  return {
    id: meta.id.value,
    title: meta.title.value,
    summary: meta.summary?.value ?? '',
    explanation,
    setup,
    example,
    challenge,
    reference,
    quiz,
    file,
  };
}

const isString = (v) => typeof v === 'string';

/**
 * Checks a lesson object from outside (the `load-lesson` event): the shape `parseLesson`
 * returns. Returns the lesson (normalised) or throws a `LessonError`.
 */
export function validateLesson(value, file = 'loaded lesson') {
  const need = (cond, field, message) => {
    if (!cond) throw new LessonError(file, 0, field, message);
  };
  need(value && typeof value === 'object', 'lesson', 'is not an object');
  need(isString(value.id) && ID.test(value.id), 'id', 'must be lowercase letters, digits and dashes');
  need(isString(value.title) && value.title.trim(), 'title', 'is missing');
  need(isString(value.explanation) && value.explanation.trim(), 'explanation', 'is missing');
  need(isString(value.example ?? ''), 'example', 'must be a string');
  const setup = value.setup ?? [];
  need(Array.isArray(setup) && setup.every(isString), 'setup', 'must be a list of command lines');
  const c = value.challenge;
  need(c && typeof c === 'object', 'challenge', 'is missing');
  need(isString(c.brief) && c.brief.trim(), 'challenge brief', 'is missing');
  need(isString(c.starter ?? ''), 'challenge starter', 'must be a string');
  need(isString(c.checks) && c.checks.trim(), 'challenge checks', 'are missing');
  const hints = c.hints ?? [];
  need(Array.isArray(hints) && hints.every(isString), 'challenge hints', 'must be a list of strings');
  need(Array.isArray(value.quiz) && value.quiz.length > 0, 'quiz', 'needs at least one question');
  const quiz = value.quiz.map((q, i) => {
    const field = `quiz question ${i + 1}`;
    need(q && isString(q.question) && q.question.trim(), field, 'has no question text');
    need(Array.isArray(q.options) && q.options.length >= 2, field, 'needs at least two options');
    const options = q.options.map((o, j) => {
      need(o && isString(o.text) && isString(o.explanation ?? ''), `${field} option ${j + 1}`, 'needs text and an explanation');
      return { text: o.text, correct: Boolean(o.correct), explanation: o.explanation ?? '' };
    });
    const correct = options.filter((o) => o.correct).length;
    need(correct > 0, field, 'no option is correct');
    return { question: q.question, body: isString(q.body) ? q.body : '', multiple: correct > 1, options };
  });
  return {
    id: value.id,
    title: value.title,
    summary: isString(value.summary) ? value.summary : '',
    explanation: value.explanation,
    setup,
    example: value.example ?? '',
    challenge: { brief: c.brief, starter: c.starter ?? '', checks: c.checks, hints, solution: '', wrong: [] },
    reference: isString(value.reference) ? value.reference : '',
    quiz,
    file,
  };
}
