/**
 * report/html — renders the document as one self-contained page: inline SVG and CSS, a
 * Content-Security-Policy that forbids every request, so report.html opens the same anywhere.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../harness/addon.js';
import { esc, inlines, slug, type Block, type Text } from './document.js';

/** The page's CSS, a file of its own (src/report/report.css, shipped with the package). */
export const CSS_FILE = path.join(ROOT, 'src', 'report', 'report.css');

/** report.css without its leading comment, which is for people editing it, not for the page. */
export async function loadReportCss(): Promise<string> {
  return (await readFile(CSS_FILE, 'utf8')).replace(/^\/\*[\s\S]*?\*\/\n/, '');
}

function htmlText(t: Text): string {
  return inlines(t)
    .map((i) => {
      if (typeof i === 'string') return esc(i);
      if ('code' in i) return `<code>${esc(i.code)}</code>`;
      if ('strong' in i) return `<strong>${esc(i.strong)}</strong>`;
      if ('em' in i) return `<em>${esc(i.em)}</em>`;
      return `<a href="${esc(i.href)}">${esc(i.link)}</a>`;
    })
    .join('');
}

export function renderHtmlBlock(b: Block): string {
  if ('h' in b) return `<h${b.h} id="${esc(b.id ?? slug(b.text))}">${esc(b.text)}</h${b.h}>`;
  if ('p' in b) return `<p${b.cls ? ` class="${b.cls}"` : ''}>${htmlText(b.p)}</p>`;
  if ('ul' in b) return `<ul>${b.ul.map((i) => `<li>${htmlText(i)}</li>`).join('')}</ul>`;
  if ('table' in b) {
    const t = b.table;
    const cls = (c: number) => (t.numeric[c] ? ' class="num"' : '');
    let head = '';
    if (t.spans) head += `<tr class="spans">${t.spans.map((s) => `<th colspan="${s.span}"${s.text ? ' class="span"' : ''}>${esc(s.text)}</th>`).join('')}</tr>`;
    head += `<tr>${t.head.map((h, c) => `<th${cls(c)}>${esc(h)}</th>`).join('')}</tr>`;
    const rows = t.rows.map((r, ri) => {
      const newGroup = t.groupFirst !== undefined && ri > 0 && JSON.stringify(r[0]) !== JSON.stringify(t.rows[ri - 1][0]);
      return `<tr${newGroup ? ' class="group-start"' : ''}>${r
        .map((c, ci) => {
          const repeat = t.groupFirst !== undefined && ci < t.groupFirst && ri > 0 && JSON.stringify(c) === JSON.stringify(t.rows[ri - 1][ci]);
          return `<td${cls(ci)}>${repeat ? '' : htmlText(c)}</td>`;
        })
        .join('')}</tr>`;
    });
    const foot = t.footnote ? `<p class="table-note">${htmlText(t.footnote)}</p>` : '';
    return `<div class="table-wrap${t.wide ? ' wide' : ''}"><table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>${foot}`;
  }
  if ('figure' in b) {
    const f = b.figure;
    // Charts scale to the column (and down to a phone's width): the SVG keeps its aspect ratio.
    const alt = f.alt ?? f.title;
    const svg = f.svg.replace(/^<svg /, `<svg role="img" aria-label="${esc(alt)}" preserveAspectRatio="xMidYMid meet" `);
    const links = `<a class="permalink" href="#fig-${esc(f.id)}" aria-label="Link to figure ${f.n}">¶</a> <a href="${esc(f.svgFile ?? f.png.replace(/\.png$/, '.svg'))}">SVG</a> · <a href="${esc(f.png)}">PNG</a>`;
    return `<figure id="fig-${esc(f.id)}"><div class="chart">${svg}</div><figcaption><strong>Figure ${f.n}. ${esc(f.title)}.</strong> ${esc(f.caption)} <span class="fig-links">${links}</span></figcaption></figure>`;
  }
  if ('pre' in b) return `<pre><code>${esc(b.pre)}</code></pre>`;
  if ('details' in b) return `<details><summary>${htmlText(b.details.summary)}</summary>${b.details.blocks.map(renderHtmlBlock).join('')}</details>`;
  if ('section' in b) return `<section id="${esc(b.section.id)}">${b.section.blocks.map(renderHtmlBlock).join('')}</section>`;
  return b.raw.html;
}


/** The whole page: title, the first block (the meta line), the TL;DR and its chart, a table of
 *  contents before the first section heading, the rest, a footer. */
export function renderHtmlPage(doc: { title: string; blocks: Block[]; footer: string; css: string }): string {
  const { title, blocks } = doc;
  const toc = blocks
    .filter((b): b is { h: 2; text: string; id?: string } => 'h' in b && b.h === 2)
    .map((b) => `<a href="#${esc(b.id ?? slug(b.text))}">${esc(b.text)}</a>`)
    .join('');
  const firstH2 = blocks.findIndex((b) => 'h' in b && b.h === 2);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>
${doc.css}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
${blocks.map((b, i) => (i === firstH2 ? `<nav class="toc">${toc}</nav>\n` : '') + renderHtmlBlock(b)).join('\n')}
<footer>${esc(doc.footer)}</footer>
</main>
</body>
</html>
`;
}
