//! The lesson and quiz panels (loaded by `host.js` when a lesson is first opened).
//!
//! Everything a lesson file puts on screen goes through `markdown.js` (which escapes all HTML)
//! or `textContent`. The editor's text is read and written through
//! `window.redisPlayground.editorCode` ({get, set}: the app's `editor_code` signal).
//!
//! Window events (CONTRACT.md): `redis-playground:challenge-result` {lesson, passed, checks},
//! `redis-playground:quiz-answer` {lesson, question, answer, correct},
//! `redis-playground:progress` {lesson, completed, challengePassed, quizCorrect, quizTotal}.

import { renderMarkdown } from './markdown.js';
import { builtInLessons, clockNote, grade, parseLesson, startExample, validateLesson } from './lessons.js';
import { PROGRESS_KEY, loadProgress, drawPicker, openLesson } from './host.js';

let current = null; // the open lesson
let exampleRun = null; // the open lesson's example while it runs (see `renderLesson`)
const starters = new Set(); // starter code of every lesson opened (safe to replace in the editor)

function ns() {
  return window.redisPlayground ?? {};
}

function emit(type, detail) {
  window.dispatchEvent(new CustomEvent(`redis-playground:${type}`, { detail }));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'html') node.innerHTML = value; // only ever renderMarkdown's (escaped) output
    else if (key === 'testid') node.setAttribute('data-testid', value);
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const markdown = (source, attrs = {}) => el('div', { ...attrs, class: `md ${attrs.class ?? ''}`.trim(), html: renderMarkdown(source) });

// ---- progress --------------------------------------------------------------------------------

function saveProgress(progress) {
  try {
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(progress));
  } catch {
    // Private mode or a full quota: progress stays for this visit only.
  }
}

function lessonProgress(id) {
  const all = loadProgress();
  const entry = all[id] && typeof all[id] === 'object' ? all[id] : {};
  const progress = { challengePassed: Boolean(entry.challengePassed), quiz: entry.quiz && typeof entry.quiz === 'object' ? entry.quiz : {} };
  // The learner's code for the lesson, kept when another lesson took the editor.
  if (typeof entry.draft === 'string') progress.draft = entry.draft;
  return progress;
}

/** The most a kept draft may weigh (characters); a larger one is not kept. */
const DRAFT_MAX = 200_000;

/** Keeps `code` as the learner's code for `lesson` (no progress event: nothing was achieved). */
function saveDraft(lesson, code) {
  if (code.length > DRAFT_MAX) return false;
  const all = loadProgress();
  all[lesson.id] = { ...lessonProgress(lesson.id), draft: code };
  saveProgress(all);
  return true;
}

/** Forgets the learner's kept code for `lesson`, if any. */
function dropDraft(lesson) {
  const all = loadProgress();
  if (!all[lesson.id] || typeof all[lesson.id] !== 'object' || !('draft' in all[lesson.id])) return;
  const { draft, ...rest } = all[lesson.id];
  all[lesson.id] = rest;
  saveProgress(all);
}

function updateProgress(lesson, change) {
  const all = loadProgress();
  const entry = lessonProgress(lesson.id);
  change(entry);
  all[lesson.id] = entry;
  saveProgress(all);
  const quizCorrect = lesson.quiz.filter((_, i) => entry.quiz[i]?.correct).length;
  const detail = {
    lesson: lesson.id,
    completed: entry.challengePassed && quizCorrect === lesson.quiz.length,
    challengePassed: entry.challengePassed,
    quizCorrect,
    quizTotal: lesson.quiz.length,
  };
  emit('progress', detail);
  drawPicker(lesson.id);
  if (endOfLesson?.lesson === lesson) endOfLesson.redraw();
  return detail;
}

// ---- editor ----------------------------------------------------------------------------------

function editorCode() {
  const bridge = ns().editorCode;
  return bridge && typeof bridge.get === 'function' ? String(bridge.get() ?? '') : '';
}

function setEditorCode(text) {
  const bridge = ns().editorCode;
  if (bridge && typeof bridge.set === 'function') bridge.set(text);
}

/**
 * Gives the editor to the lesson opened after `previous` (null: the first one opened): the code
 * the learner wrote for it before, else its starter. What the editor held stays when it is
 * the learner's own code and no lesson was open, or the same lesson opens again; the code
 * written for the previous lesson is kept as that lesson's, to come back when it opens again.
 * Answers a note for the learner when their code was put aside, else null.
 */
function offerStarter(lesson, previous) {
  const code = editorCode();
  starters.add(lesson.challenge.starter);
  // Replaceable: nothing, a lesson's starter, or the editor's first-visit example.
  const replaceable = code.trim() === '' || starters.has(code) || code === ns().editorExample;
  const mine = lessonProgress(lesson.id).draft;
  if (replaceable) {
    // The previous lesson was left with no code of the learner's (back at its starter, say):
    // a draft kept from earlier would bring back code they put away.
    if (previous !== null && previous.id !== lesson.id) dropDraft(previous);
    setEditorCode(mine ?? lesson.challenge.starter);
    return null;
  }
  if (previous === null || previous.id === lesson.id || code === mine) return null;
  if (!saveDraft(previous, code)) return null;
  setEditorCode(mine ?? lesson.challenge.starter);
  return `Your code for “${previous.title}” is kept: it comes back in the editor when you open that lesson again.`;
}

// ---- the lesson panel ------------------------------------------------------------------------

function lessonBody() {
  return document.querySelector('[data-testid="lesson"] .lesson-body');
}

function quizMount() {
  return document.querySelector('[data-testid="quiz"] .quiz-mount');
}

function showError(message) {
  const body = lessonBody();
  if (body) body.replaceChildren(el('p', { class: 'lesson-error', testid: 'lesson-error', role: 'alert', text: message }));
  const quiz = quizMount();
  if (quiz) quiz.replaceChildren();
}

function outputView(result) {
  const lines = result.output.map((o) => el('div', { class: `out-${o.stream}`, text: o.text }));
  if (lines.length === 0) lines.push(el('div', { class: 'out-info', text: `(no output; the run ended: ${result.status})` }));
  return lines;
}

function checkView(check) {
  const state = check.passed ? 'pass' : check.notRun ? 'not-run' : 'fail';
  return el(
    'li',
    { class: `check ${state}`, 'data-passed': String(check.passed), 'data-state': state },
    el('span', { class: 'check-mark', 'aria-hidden': 'true', text: { pass: '✓', fail: '✗', 'not-run': '–' }[state] }),
    el('span', { class: 'check-name', text: check.name }),
    check.passed ? null : el('div', { class: 'check-message', text: check.message }),
    !check.passed && check.hint ? el('div', { class: 'check-hint', text: `Hint: ${check.hint}` }) : null,
  );
}

function renderLesson(lesson, note = null) {
  const body = lessonBody();
  if (!body) return;
  const progress = lessonProgress(lesson.id);

  // An example still running (one listening for messages runs until stopped) ends with its
  // lesson's panel.
  exampleRun?.stop();
  const exampleOut = el('div', { class: 'lesson-output', testid: 'lesson-example-output', 'aria-live': 'polite' });
  // While the example runs: its lines as they come, then what it is doing, and Stop.
  const stopButton = el('button', {
    type: 'button',
    testid: 'lesson-stop-example',
    text: 'Stop',
    hidden: '',
    onclick: () => exampleRun?.stop(),
  });
  const runButton = el('button', {
    type: 'button',
    testid: 'lesson-run-example',
    text: 'Run example',
    onclick: async () => {
      runButton.disabled = true;
      const lines = el('div');
      const status = el('div', { class: 'out-info', testid: 'lesson-example-status', text: 'Running…' });
      exampleOut.replaceChildren(lines, status);
      let run = null;
      try {
        run = await startExample(lesson, {
          onOutput: (o) => lines.append(el('div', { class: `out-${o.stream}`, text: o.text })),
          // Waiting, idle, for what its subscribers receive (a PUBLISH typed in the console).
          onWaiting: (idle, info) => {
            const text = info?.text ?? 'Listening: the script waits for messages (try PUBLISH in the console). Stop ends it.';
            status.textContent = idle ? text.replace('the script', 'the example') : 'Running…';
            status.dataset.waiting = String(idle);
          },
        });
        exampleRun = run;
        stopButton.hidden = false;
        const result = await run.done;
        exampleOut.replaceChildren(...outputView(result));
      } catch (err) {
        exampleOut.replaceChildren(el('div', { class: 'out-error', text: String(err.message ?? err) }));
      } finally {
        if (exampleRun === run) exampleRun = null;
        stopButton.hidden = true;
        runButton.disabled = false;
      }
    },
  });

  const result = el('div', { class: 'challenge-result', testid: 'challenge-result', 'aria-live': 'polite' });
  if (progress.challengePassed) result.append(el('p', { class: 'check-summary pass', text: 'You passed this challenge before.' }));
  const checkButton = el('button', {
    type: 'button',
    class: 'primary',
    testid: 'challenge-check',
    text: 'Check my code',
    onclick: async () => {
      checkButton.disabled = true;
      result.dataset.state = 'running';
      result.replaceChildren(el('p', { class: 'check-summary', text: 'Checking…' }));
      let graded;
      try {
        graded = await grade(lesson, editorCode());
      } catch (err) {
        graded = { passed: false, status: 'error', error: { message: String(err.message ?? err) }, checks: [] };
      }
      checkButton.disabled = false;
      const notRun = graded.checks.filter((c) => c.notRun).length;
      const summary = graded.passed
        ? `All ${graded.checks.length} checks passed. Well done!`
        : graded.checks.length
          ? `${graded.checks.filter((c) => c.passed).length} of ${graded.checks.length} checks passed${notRun ? ` (${notRun} not run)` : ''}.`
          : `Your code did not run to the end (${graded.status}): ${graded.error?.message ?? ''}${graded.error?.line ? ` (line ${graded.error.line})` : ''}`;
      // The page has one engine and one clock: the checks' virtual waits aged the learner's keys.
      const moved = clockNote(graded);
      result.dataset.state = graded.passed ? 'passed' : 'failed';
      result.replaceChildren(
        ...[
          el('p', { class: `check-summary ${graded.passed ? 'pass' : 'fail'}`, text: summary }),
          moved ? el('p', { class: 'check-clock', testid: 'challenge-clock', text: moved }) : null,
          el('ul', { class: 'checks' }, ...graded.checks.map(checkView)),
        ].filter((part) => part !== null),
      );
      const checks = graded.checks.map(({ name, passed, message }) => ({ name, passed, message }));
      emit('challenge-result', { lesson: lesson.id, passed: graded.passed, checks });
      if (graded.passed) updateProgress(lesson, (p) => (p.challengePassed = true));
    },
  });

  const hintList = el('ol', { class: 'hints', testid: 'lesson-hints' });
  let shown = 0;
  const hintButton = el('button', {
    type: 'button',
    testid: 'lesson-hint',
    text: 'Show a hint',
    onclick: () => {
      if (shown < lesson.challenge.hints.length) hintList.append(el('li', { html: renderMarkdown(lesson.challenge.hints[shown++]) }));
      if (shown >= lesson.challenge.hints.length) hintButton.disabled = true;
    },
  });
  if (lesson.challenge.hints.length === 0) hintButton.disabled = true;

  // (`replaceChildren` would show a null as the text "null": a lesson without a summary or a
  // quick reference leaves it out.)
  const parts = [
    note ? el('p', { class: 'lesson-note', testid: 'lesson-note', role: 'status', text: note }) : null,
    el('h2', { class: 'lesson-title', testid: 'lesson-title', text: lesson.title }),
    lesson.summary ? el('p', { class: 'lesson-summary', text: lesson.summary }) : null,
    markdown(lesson.explanation, { testid: 'lesson-explanation' }),
    el(
      'section',
      { class: 'lesson-example', 'aria-label': 'Example' },
      el('h3', { text: 'Example' }),
      lesson.setup.length ? el('p', { class: 'lesson-setup', text: `Runs first: ${lesson.setup.join(' · ')}` }) : null,
      el('pre', { class: 'lesson-code' }, el('code', { text: lesson.example })),
      el('div', { class: 'lesson-actions' }, runButton, stopButton),
      exampleOut,
    ),
    el(
      'section',
      { class: 'lesson-challenge', 'aria-label': 'Challenge' },
      el('h3', { text: 'Challenge' }),
      markdown(lesson.challenge.brief, { testid: 'challenge-brief' }),
      el(
        'div',
        { class: 'lesson-actions' },
        el('button', {
          type: 'button',
          testid: 'challenge-starter',
          text: 'Put the starter code in the editor',
          onclick: () => setEditorCode(lesson.challenge.starter),
        }),
        checkButton,
        hintButton,
      ),
      hintList,
      result,
    ),
    lesson.reference
      ? el('details', { class: 'lesson-reference', testid: 'lesson-reference', open: '' }, el('summary', { text: 'Quick reference' }), markdown(lesson.reference))
      : null,
  ];
  body.replaceChildren(...parts.filter((part) => part !== null));
}

// ---- the quiz panel --------------------------------------------------------------------------

function renderQuiz(lesson) {
  const mount = quizMount();
  if (!mount) return;
  const saved = lessonProgress(lesson.id).quiz;
  const score = el('p', { class: 'quiz-score', testid: 'quiz-score', 'aria-live': 'polite' });
  const updateScore = () => {
    const quiz = lessonProgress(lesson.id).quiz;
    const correct = lesson.quiz.filter((_, i) => quiz[i]?.correct).length;
    const answered = lesson.quiz.filter((_, i) => quiz[i]).length;
    score.textContent = `Score: ${correct} / ${lesson.quiz.length}${answered < lesson.quiz.length ? ` (${lesson.quiz.length - answered} to answer)` : ''}`;
    retry.hidden = answered === 0;
  };
  const questions = lesson.quiz.map((q, qi) => {
    const name = `quiz-${lesson.id}-${qi}`;
    const inputs = [];
    const explanations = [];
    const verdict = el('p', { class: 'quiz-verdict', 'aria-live': 'polite' });
    const options = q.options.map((option, oi) => {
      const input = el('input', { type: q.multiple ? 'checkbox' : 'radio', name, value: String(oi) });
      inputs.push(input);
      const explanation = el('p', { class: 'quiz-explanation', testid: 'quiz-explanation', html: renderMarkdownInline(option.explanation), hidden: '' });
      explanations.push(explanation);
      // Shown on the right options once the question is answered.
      const right = el('span', { class: 'quiz-right', text: ' ✓ right answer', hidden: '' });
      return el('li', { class: 'quiz-option' }, el('label', {}, input, ' ', el('span', { html: renderMarkdownInline(option.text) }), right), explanation);
    });
    const show = (answer, correct) => {
      answer.forEach((i) => inputs[i] && (inputs[i].checked = true));
      q.options.forEach((option, oi) => {
        explanations[oi].hidden = false;
        const item = explanations[oi].parentElement;
        item.dataset.correct = String(option.correct);
        // Only where the learner missed it: a right answer needs no pointing at.
        item.querySelector('.quiz-right').hidden = correct || !option.correct;
      });
      // The verdict sits under the choices.
      verdict.textContent = correct
        ? 'Correct.'
        : `Not quite: the right answer${q.multiple ? 's are' : ' is'} marked ✓ above, and each choice says why.`;
      verdict.className = `quiz-verdict ${correct ? 'pass' : 'fail'}`;
      item.dataset.answered = correct ? 'correct' : 'wrong';
      // An answered question keeps its answer (its verdict would no longer match a changed
      // choice, and the right one is shown): "Retry the quiz" starts it afresh.
      for (const input of inputs) input.disabled = true;
      checkButton.disabled = true;
    };
    const checkButton = el('button', {
      type: 'button',
      testid: 'quiz-check',
      text: 'Check answer',
      onclick: () => {
        const answer = inputs.map((input, i) => (input.checked ? i : -1)).filter((i) => i >= 0);
        if (answer.length === 0) {
          verdict.textContent = 'Choose an answer first.';
          verdict.className = 'quiz-verdict';
          return;
        }
        const correct = q.options.every((o, i) => o.correct === answer.includes(i));
        show(answer, correct);
        emit('quiz-answer', { lesson: lesson.id, question: qi, answer, correct });
        updateProgress(lesson, (p) => (p.quiz[qi] = { answer, correct }));
        updateScore();
      },
    });
    const item = el(
      'li',
      { class: 'quiz-question', testid: 'quiz-question' },
      el(
        'fieldset',
        {},
        el('legend', { html: renderMarkdownInline(q.question) }),
        q.multiple && !/all that apply/i.test(q.question) ? el('p', { class: 'quiz-note', text: 'Choose all that apply.' }) : null,
        q.body ? markdown(q.body) : null,
        el('ul', { class: 'quiz-options' }, ...options),
        checkButton,
        verdict,
      ),
    );
    if (saved[qi] && Array.isArray(saved[qi].answer)) show(saved[qi].answer, Boolean(saved[qi].correct));
    return item;
  });
  // Only once there is something to retry (see `updateScore`).
  const retry = el('button', {
    type: 'button',
    testid: 'quiz-retry',
    text: 'Retry the quiz',
    hidden: '',
    onclick: () => {
      updateProgress(lesson, (p) => (p.quiz = {}));
      renderQuiz(lesson);
    },
  });
  const end = el('nav', { class: 'lesson-end', testid: 'lesson-end', 'aria-label': 'End of the lesson', hidden: '' });
  mount.replaceChildren(el('h2', { text: `Quiz: ${lesson.title}` }), el('ol', { class: 'quiz-questions' }, ...questions), score, retry, end);
  updateScore();
  showEnd(lesson, end);
}

/** Redraws the end of the open lesson when its progress changes (see `showEnd`). */
let endOfLesson = null;

/**
 * The end of the lesson (the quiz is its last part): says when the lesson is complete, and
 * offers the lesson after it in the course, opened as the picker opens it (not on the last
 * lesson, nor on one that is not in the course, nor in an embed).
 */
async function showEnd(lesson, nav) {
  const done = el('p', { class: 'lesson-complete', testid: 'lesson-complete', role: 'status' });
  const redraw = () => {
    const progress = lessonProgress(lesson.id);
    const complete = progress.challengePassed && lesson.quiz.every((_, i) => progress.quiz[i]?.correct);
    done.textContent = complete ? `✓ Lesson complete: challenge passed and every quiz answer right.` : '';
    done.hidden = !complete;
    nav.hidden = !complete && nav.querySelector('button') === null;
  };
  nav.replaceChildren(done);
  endOfLesson = { lesson, redraw };
  redraw();
  let all;
  try {
    all = await builtInLessons();
  } catch {
    return;
  }
  const at = all.findIndex((entry) => entry.lesson?.id === lesson.id);
  const following = at >= 0 ? all[at + 1] : undefined;
  if (!following || !following.lesson || current !== lesson || !nav.isConnected) return;
  // An embed shows the lesson its course page chose; the page leads on to the next.
  if (document.documentElement.hasAttribute('data-embed')) return;
  const target = following.lesson;
  const button = el('button', {
    type: 'button',
    class: 'primary',
    testid: 'lesson-next',
    text: `Next lesson: ${target.title} →`,
    onclick: async () => {
      button.disabled = true;
      const opened = await openLesson(target.id);
      button.disabled = false;
      // The learner is at the end of the quiz: take them (and the keyboard focus) to the
      // new lesson's title.
      if (opened && current === opened) {
        const title = document.querySelector('[data-testid="lesson-title"]');
        if (title) {
          title.setAttribute('tabindex', '-1');
          title.focus();
        }
      }
    },
  });
  nav.append(button);
  redraw();
}

/** Inline Markdown (one line: question and option texts). */
function renderMarkdownInline(text) {
  const html = renderMarkdown(text);
  return html.startsWith('<p>') && html.endsWith('</p>') ? html.slice(3, -4) : html;
}

// ---- opening ---------------------------------------------------------------------------------

function open(lesson) {
  const previous = current;
  current = lesson;
  const note = offerStarter(lesson, previous);
  renderLesson(lesson, note);
  renderQuiz(lesson);
  const panel = document.querySelector('[data-testid="lesson"]');
  if (panel) panel.dataset.lesson = lesson.id;
  return lesson;
}

/** Whether a request is still the one to show (see `openLesson` in host.js); always by default. */
const always = () => true;

/**
 * Opens a built-in lesson by id; shows an error (never throws) if it is missing or broken.
 * `isCurrent()`: whether the request still stands once the lessons are loaded (a later request
 * wins; this one then shows nothing).
 */
export async function openBuiltIn(id, isCurrent = always) {
  let all;
  try {
    all = await builtInLessons();
  } catch (err) {
    if (isCurrent()) showError(`The lessons could not be loaded: ${err.message}`);
    return null;
  }
  if (!isCurrent()) return null;
  const found = all.find((entry) => entry.lesson?.id === id || entry.file === id);
  if (!found) {
    const broken = all.filter((e) => e.error).map((e) => e.error);
    showError(`There is no lesson "${id}".${broken.length ? ` Broken lesson files: ${broken.join('; ')}` : ''}`);
    return null;
  }
  if (found.error) {
    showError(`This lesson has a mistake and cannot be shown: ${found.error}`);
    return null;
  }
  return open(found.lesson);
}

/** Opens a lesson object (from an embedding page); shows its mistake instead if it has one. */
export async function openObject(value) {
  try {
    return open(validateLesson(value, value?.file ?? 'loaded lesson'));
  } catch (err) {
    showError(`The lesson could not be opened: ${err.message}`);
    return null;
  }
}

/** The most a hosted lesson file may weigh. */
const MAX_LESSON_BYTES = 256 * 1024;

/**
 * Opens a lesson file an author hosts (the `lesson` URL parameter or embed attribute): fetched,
 * parsed as a built-in file is; a file that cannot be fetched or has a mistake shows why.
 * `isCurrent()` as for `openBuiltIn`.
 */
export async function openUrl(url, isCurrent = always) {
  const file = (() => {
    try {
      return decodeURIComponent(new URL(url).pathname.split('/').pop() || url);
    } catch {
      return url;
    }
  })();
  let text;
  try {
    const response = await fetch(url, { credentials: 'omit' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (err) {
    if (!isCurrent()) return null;
    showError(
      `The lesson file ${url} could not be loaded (${err.message}). Its server must allow this page to fetch it (CORS).`,
    );
    return null;
  }
  if (!isCurrent()) return null;
  if (text.length > MAX_LESSON_BYTES) {
    showError(`The lesson file ${url} is too large (over ${MAX_LESSON_BYTES / 1024} KB).`);
    return null;
  }
  try {
    return open(parseLesson(text, file));
  } catch (err) {
    showError(`This lesson has a mistake and cannot be shown: ${err.message}`);
    return null;
  }
}

/** The open lesson (tests, the embed bridge). */
export function currentLesson() {
  return current;
}
