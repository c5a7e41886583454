//! A small Markdown renderer for lesson text, safe by construction: every character of the
//! source is HTML-escaped first, and only the tags below are ever produced, so HTML in a lesson
//! file shows as text. Supported: paragraphs, `#`–`####` headings, `-`/`*` and `1.` lists,
//! fenced code blocks, `>` quotes, `inline code` (and ``` ``with `backticks` inside`` ```), **bold**, *italic*, [links](https://…)
//! (http, https and relative `#` links only; others stay text).

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Inline Markdown of one (already joined) paragraph; input raw, output safe HTML. */
export function renderInline(text) {
  // ``code with `backticks` inside`` or `code`.
  const parts = String(text).split(/(``[^\n]+?``|`[^`\n]+`)/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) {
        const inner = part.startsWith('``') ? part.slice(2, -2).trim() : part.slice(1, -1);
        return `<code>${escapeHtml(inner)}</code>`;
      }
      let html = escapeHtml(part);
      html = html.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (whole, label, href) => {
        // `href` is escaped already; allow only web and in-page links.
        if (!/^(https?:\/\/|#)/i.test(href)) return whole;
        return `<a href="${href}" target="_blank" rel="noopener noreferrer">${label}</a>`;
      });
      html = html.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
      html = html.replace(/(^|[^\w*])\*([^*\n]+)\*(?!\w)/g, '$1<em>$2</em>');
      html = html.replace(/(^|[^\w])_([^_\n]+)_(?!\w)/g, '$1<em>$2</em>');
      return html;
    })
    .join('');
}

/** Renders Markdown to safe HTML. */
export function renderMarkdown(source) {
  const lines = String(source ?? '').replace(/\r\n?/g, '\n').split('\n');
  const out = [];
  let i = 0;
  const isBlank = (l) => l.trim() === '';
  const startsBlock = (l) => /^(#{1,4}\s|[-*]\s|\d+[.)]\s|>|```|~~~)/.test(l.trimStart());
  while (i < lines.length) {
    const line = lines[i];
    const trimmed = line.trimStart();
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(trimmed);
    if (fence) {
      const body = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence[1])) body.push(lines[i++]);
      i++; // the closing fence (or the end)
      const lang = fence[2] ? ` data-lang="${escapeHtml(fence[2])}"` : '';
      out.push(`<pre${lang}><code>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(trimmed);
    if (heading) {
      // Lesson text sits under the panel's own title: its headings start at h3.
      const level = Math.min(heading[1].length + 2, 6);
      out.push(`<h${level}>${renderInline(heading[2])}</h${level}>`);
      i++;
      continue;
    }
    if (trimmed.startsWith('>')) {
      const body = [];
      while (i < lines.length && lines[i].trimStart().startsWith('>')) body.push(lines[i++].trimStart().replace(/^>\s?/, ''));
      out.push(`<blockquote>${renderMarkdown(body.join('\n'))}</blockquote>`);
      continue;
    }
    const bullet = /^([-*]|\d+[.)])\s+/;
    if (bullet.test(trimmed)) {
      const ordered = /^\d/.test(trimmed);
      const items = [];
      while (i < lines.length) {
        const l = lines[i];
        const m = bullet.exec(l.trimStart());
        if (m && /^\d/.test(m[1]) === ordered && l.length - l.trimStart().length < 2) {
          items.push(l.trimStart().slice(m[0].length));
          i++;
        } else if (!isBlank(l) && /^\s{2,}/.test(l) && items.length) {
          items[items.length - 1] += ` ${l.trim()}`;
          i++;
        } else {
          break;
        }
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((item) => `<li>${renderInline(item)}</li>`).join('')}</${tag}>`);
      continue;
    }
    const para = [];
    while (i < lines.length && !isBlank(lines[i]) && !(para.length && startsBlock(lines[i]))) para.push(lines[i++].trim());
    out.push(`<p>${renderInline(para.join(' '))}</p>`);
  }
  return out.join('\n');
}
