// Writes web/lessons/index.json (the built-in lessons in course order: file, id, title, number
// of quiz questions) from the lesson files, after parsing each (a broken file stops it with its
// error). Files are ordered by name (01-…, 02-…). `node web/tools/lesson-index.mjs [--check]`:
// with --check, fails instead of writing when index.json is out of date.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLesson } from '../js/lessons/parse.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'lessons');

export function buildIndex() {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort();
  return files.map((file) => {
    const lesson = parseLesson(readFileSync(join(dir, file), 'utf8'), file);
    return { file, id: lesson.id, title: lesson.title, questions: lesson.quiz.length };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = `${JSON.stringify(buildIndex(), null, 2)}\n`;
  const path = join(dir, 'index.json');
  if (process.argv.includes('--check')) {
    if (readFileSync(path, 'utf8') !== text) {
      console.error('web/lessons/index.json is out of date: run node web/tools/lesson-index.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(path, text);
  }
}
