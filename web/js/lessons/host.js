//! Lessons, page side, loaded with the page and kept small: draws the lesson picker from
//! `lessons/index.json` (ids and titles, with completion from saved progress) into the lesson
//! panel the app renders (`[data-testid=lesson] .lesson-mount`), and loads the panels themselves
//! (`panel.js`: Markdown, parser, grader, quiz) only when a lesson is opened.
//!
//! Installs on `window.redisPlayground`: `openLesson(id)`, `currentLesson()` (the open lesson's
//! id or null), `loadLessons()` (the lessons module: parse, grade, run examples). Listens to `redis-playground:load-lesson` ({lesson}: a lesson
//! object as `parseLesson` returns, from an embedding page) and opens it.

const INDEX_URL = new URL('../../lessons/index.json', import.meta.url);
export const PROGRESS_KEY = 'redis-playground.v1.lessons.progress';
const LAST_KEY = 'redis-playground.v1.lessons.last';

/** Saved progress: `{ [lessonId]: { challengePassed, quiz: { [question]: { answer, correct } } } }`. */
export function loadProgress() {
  try {
    const value = JSON.parse(localStorage.getItem(PROGRESS_KEY) ?? '{}');
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

let index = null;
function lessonIndex() {
  index ??= fetch(INDEX_URL)
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
    .catch((err) => {
      index = null;
      throw err;
    });
  return index;
}

let panel = null;
function loadPanel() {
  panel ??= import('./panel.js');
  return panel;
}

function mountPoint() {
  return document.querySelector('[data-testid="lesson"] .lesson-mount');
}

/** Waits (bounded) for the app to render the lesson panel. */
async function mounted() {
  for (let i = 0; i < 400; i++) {
    const el = mountPoint();
    if (el) return el;
    await new Promise((r) => setTimeout(r, 25));
  }
  return null;
}

function isComplete(entry, total) {
  if (!entry || !entry.challengePassed) return false;
  const answers = Object.values(entry.quiz ?? {});
  return typeof total === 'number' && answers.filter((a) => a.correct).length >= total;
}

/** Draws (or redraws) the picker: a select of the lessons with ✓ on completed ones. */
export async function drawPicker(selected = null) {
  const mount = await mounted();
  if (!mount) return;
  let picker = mount.querySelector('.lesson-picker');
  if (!picker) {
    picker = document.createElement('div');
    picker.className = 'lesson-picker';
    const label = document.createElement('label');
    label.textContent = 'Lesson ';
    const select = document.createElement('select');
    select.setAttribute('data-testid', 'lesson-picker');
    select.addEventListener('change', () => {
      if (select.value) openLesson(select.value);
    });
    label.append(select);
    picker.append(label);
    const body = document.createElement('div');
    body.className = 'lesson-body';
    const intro = document.createElement('p');
    intro.className = 'lesson-intro';
    intro.textContent =
      'Pick a lesson: each explains one caching idea, lets you run an example, grades a challenge and ends with a quiz.';
    body.append(intro);
    mount.replaceChildren(picker, body);
  }
  const select = picker.querySelector('select');
  let entries;
  try {
    entries = await lessonIndex();
  } catch (err) {
    select.replaceChildren(new Option(`Lessons could not be loaded: ${err.message}`, ''));
    return;
  }
  const progress = loadProgress();
  const current = selected ?? select.value;
  const options = [new Option('Choose a lesson…', '')];
  entries.forEach((entry, i) => {
    const done = isComplete(progress[entry.id], entry.questions);
    const option = new Option(`${done ? '✓ ' : ''}${i + 1}. ${entry.title}`, entry.id);
    option.dataset.complete = String(done);
    options.push(option);
  });
  if (current && !entries.some((e) => e.id === current)) options.push(new Option(`(loaded) ${current}`, current));
  select.replaceChildren(...options);
  select.value = current ?? '';
}

/**
 * The number of the latest request to open a lesson. Opening takes fetches, so requests may
 * overlap (the last lesson reopened at start-up while the page's `?lesson=` one arrives; a
 * learner picking twice quickly): the latest one wins, and an earlier one that finishes after it
 * shows nothing.
 */
let latestRequest = 0;

/** Opens a built-in lesson by id (the `?lesson=` parameter, the picker, the app's signal). */
export async function openLesson(id) {
  const request = ++latestRequest;
  const isCurrent = () => request === latestRequest;
  if (/^https?:\/\//i.test(id)) {
    // A lesson file an author hosts (validated by the app's URL parameters).
    // The picker first: it waits until the panel's mount is on the page.
    const [module] = await Promise.all([loadPanel(), drawPicker()]);
    const opened = await module.openUrl(id, isCurrent);
    if (isCurrent()) await drawPicker(opened?.id);
    return opened;
  }
  const [module] = await Promise.all([loadPanel(), drawPicker(id)]);
  if (!isCurrent()) return null;
  try {
    localStorage.setItem(LAST_KEY, id);
  } catch {
    // Unsaved: fine.
  }
  return module.openBuiltIn(id, isCurrent);
}

/** Opens a lesson object given by an embedding page. */
async function openGiven(lesson) {
  const request = ++latestRequest;
  const module = await loadPanel();
  if (request !== latestRequest) return;
  const opened = await module.openObject(lesson);
  if (opened) await drawPicker(opened.id);
}

export function installLessons() {
  const ns = window.redisPlayground ?? (window.redisPlayground = {});
  if (ns.openLesson) return ns;
  ns.openLesson = openLesson;
  // The open lesson's id (share links, the embed bridge), or null.
  ns.currentLesson = () => document.querySelector('[data-testid="lesson"]')?.dataset.lesson ?? null;
  ns.loadLessons = () => import('./lessons.js');
  window.addEventListener('redis-playground:load-lesson', (event) => {
    const lesson = event.detail?.lesson;
    if (typeof lesson === 'string') openLesson(lesson);
    else openGiven(lesson);
  });
  const start = () => {
    const pending = ns.pendingLesson;
    delete ns.pendingLesson;
    let last = null;
    try {
      last = localStorage.getItem(LAST_KEY);
    } catch {
      last = null;
    }
    if (pending) openLesson(pending);
    else if (last) openLesson(last);
    else drawPicker();
  };
  start();
  return ns;
}

installLessons();
