/**
 * report/markdown — renders the document as CommonMark with GitHub tables, PNG images and raw
 * <details>, ready for a blog post or a pull request.
 */
import { esc, inlines, type Block, type Text } from './document.js';

// Underscores inside a word (wakeup_events) never start emphasis in CommonMark: leave them bare.
export const mdEsc = (s: string) => s.replace(/([\\`*[\]<>|])/g, '\\$1').replace(/(^|[^A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (m) => m.replace('_', '\\_'));

/** **x** only binds when no space sits inside the markers: move edge spaces outside. */
function mdWrap(marker: string, text: string): string {
  const m = /^(\s*)(.*?)(\s*)$/s.exec(text)!;
  return m[2] ? `${m[1]}${marker}${mdEsc(m[2])}${marker}${m[3]}` : text;
}

function mdText(t: Text): string {
  return inlines(t)
    .map((i) => {
      if (typeof i === 'string') return mdEsc(i);
      if ('code' in i) return `\`${i.code.replace(/`/g, "'")}\``;
      if ('strong' in i) return mdWrap('**', i.strong);
      if ('em' in i) return mdWrap('*', i.em);
      return `[${mdEsc(i.link)}](${i.href.replace(/ /g, '%20')})`;
    })
    .join('');
}

function renderMdBlock(b: Block): string {
  if ('h' in b) return `${'#'.repeat(b.h)} ${b.text}`;
  if ('p' in b) return mdText(b.p);
  if ('ul' in b) return b.ul.map((i) => `- ${mdText(i)}`).join('\n');
  if ('table' in b) {
    const t = b.table;
    // Markdown has no spanning headers: fold the span into each column title.
    const titles = t.head.map((h) => h);
    if (t.spans) {
      let c = 0;
      for (const s of t.spans) {
        for (let k = 0; k < s.span; k++, c++) if (s.text) titles[c] = `${s.text} (${t.head[c]})`;
      }
    }
    const cell = (s: string) => s.replace(/\n/g, ' ');
    const lines = [
      `| ${titles.map((h) => cell(mdEsc(h))).join(' | ')} |`,
      `| ${t.numeric.map((n) => (n ? '---:' : ':---')).join(' | ')} |`,
      ...t.rows.map((r) => `| ${r.map((c) => cell(mdText(c))).join(' | ')} |`),
    ];
    return lines.join('\n') + (t.footnote ? `\n\n${mdText(t.footnote)}` : '');
  }
  if ('figure' in b) {
    const f = b.figure;
    const svg = f.svgFile ?? f.png.replace(/\.png$/, '.svg');
    return `<a id="fig-${f.id}"></a>\n![${mdEsc(f.alt ?? f.title).replace(/\n/g, ' ')}](${f.png})\n\n*Figure ${f.n}. ${mdEsc(f.title)}.* ${mdEsc(f.caption)} [¶](#fig-${f.id}) · [SVG](${svg}) · [PNG](${f.png})`;
  }
  if ('pre' in b) return '```sh\n' + b.pre + '\n```';
  // GitHub, GitLab and most static-site generators render raw <details>; others show the list.
  if ('details' in b) return `<details>\n<summary>${esc(inlines(b.details.summary).map((i) => (typeof i === 'string' ? i : Object.values(i)[0])).join(''))}</summary>\n\n${b.details.blocks.map(renderMdBlock).join('\n\n')}\n\n</details>`;
  if ('section' in b) return b.section.blocks.map(renderMdBlock).join('\n\n');
  return b.raw.md;
}


/** The whole document: the title, then every block. */
export function renderMarkdown(doc: { title: string; blocks: Block[] }): string {
  return `# ${doc.title}\n\n${doc.blocks.map(renderMdBlock).join('\n\n')}\n`;
}
