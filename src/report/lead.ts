/**
 * report/lead — a report over several runs with sections put in front of it: the kernel matrix
 * and the fleet lead with "What changed" and their ratio table (report/changes.ts), then the
 * ordinary report over every column's results (report.ts). Without any results the page holds the
 * lead sections alone. Everything is written through the OutputDir given (results/outdir.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputDir } from '../results/outdir.js';
import { esc } from './document.js';
import { writeReport } from './report.js';

export interface LeadSections {
  /** page title and h1 */
  title: string;
  html: string;
  md: string;
  /** table-of-contents entries for the lead sections: [anchor id, text] */
  toc: [string, string][];
}


/** Writes report.html and report.md into `output`: the lead sections, then the report over `runDirs`. */
export async function writeLeadReport(output: OutputDir, runDirs: string[], lead: LeadSections, log: (l: string) => void): Promise<{ html: string; md: string }> {
  if (!runDirs.length) {
    const style = 'body{font-family:system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:0 12px;overflow-wrap:anywhere}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}';
    const html = output.write('report.html', `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(lead.title)}</title><style>${style}</style></head><body><main><h1>${esc(lead.title)}</h1>\n<p>No results to report.</p>\n${lead.html}\n</main></body></html>\n`);
    const md = output.write('report.md', `# ${lead.title}\n\nNo results to report.\n\n${lead.md}\n`);
    return { html, md };
  }
  await writeReport(runDirs, output.path, { output, log });
  const page = readFileSync(join(output.path, 'report.html'), 'utf8');
  const at = page.indexOf('<h2 ');
  // the lead's lists and tables wrap or scroll in their own box: nothing wider than a phone
  const wrapped = `<div class="lead" style="overflow-wrap:anywhere;max-width:100%">\n${lead.html}\n</div>`;
  const toc = lead.toc.map(([id, text]) => `<a href="#${id}">${esc(text)}</a>`).join('');
  const html = output.write(
    'report.html',
    (at > 0 ? `${page.slice(0, at)}${wrapped}\n${page.slice(at)}` : page)
      .replace('<nav class="toc">', `<nav class="toc">${toc}`)
      .replace(/<title>[^<]*<\/title>/, `<title>${esc(lead.title)}</title>`)
      .replace(/<h1>[^<]*<\/h1>/, `<h1>${esc(lead.title)}</h1>`),
  );
  const text = readFileSync(join(output.path, 'report.md'), 'utf8');
  const mdAt = text.indexOf('\n## ');
  const md = output.write('report.md', (mdAt > 0 ? `${text.slice(0, mdAt)}\n${lead.md}\n${text.slice(mdAt)}` : `${text}\n${lead.md}\n`).replace(/^# .*$/m, `# ${lead.title}`));
  return { html, md };
}
