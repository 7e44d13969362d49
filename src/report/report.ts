/**
 * report — turns one or more saved results files into a publishable report: charts (SVG + PNG),
 * a self-contained report.html (inline SVG and CSS, no network request of any kind) and a
 * report.md with the same content and PNG images, ready for a blog post or a pull request.
 *
 * The document is built once as a list of blocks, section by section (sections/), and rendered
 * twice (html.ts, markdown.ts), so both outputs always say the same thing.
 */
import path from 'node:path';
import { buildCharts, type SkippedChart } from '../charts/index.js';
import type { Block } from './document.js';
import { renderFigures } from './figures.js';
import { loadReportCss, renderHtmlPage } from './html.js';
import { loadResultSets } from '../results/load.js';
import { OutputDir } from '../results/outdir.js';
import type { ResultSet } from '../results/schema.js';
import { renderMarkdown } from './markdown.js';
import { ceilingsBlocks } from './sections/ceilings.js';
import { comparisonBlocks, type ComparisonSections } from './sections/comparison.js';
import { environmentBlocks } from './sections/environment.js';
import { headerBlocks, ledeBlocks, reportTitle } from './sections/header.js';
import { methodologyBlocks } from './sections/methodology.js';
import { qualityBlocks, type InputError } from './sections/quality.js';
import { reproduceBlocks } from './sections/reproduce.js';
import { resultsBlocks } from './sections/results.js';
import { appendixBlocks } from './sections/appendix.js';
import { bodyBlocks } from './sections/body.js';
import { findingTitles } from './sections/takeaways.js';
import { tldrBlocks } from './sections/tldr.js';
import { findingsOf } from '../analysis/findings.js';
import { warningsOf } from '../analysis/warnings.js';

export interface ReportOptions {
  /** the regression comparison of two runs (report/compare-format.ts comparisonSections), shown as a "Comparison" section */
  comparison?: ComparisonSections;
  log?: (line: string) => void;
  /** the output directory, already opened (a run passes its own); else outDir is opened here,
   *  created or verified and locked like every directory ringbench writes (results/outdir.ts) */
  output?: OutputDir;
}

export interface ReportOutput {
  html: string;
  md: string;
  charts: string[];
  skipped: SkippedChart[];
  errors: InputError[];
}

/** "Linux 6.18 · host · 5–24 repeats · bars: 95% CI": what an image lifted alone must carry. */
export function chartFooter(sets: readonly ResultSet[]): string {
  const ns = sets.flatMap((s) => s.results.scenarios.map((r) => r.repeats?.['wallNs']?.length ?? 0)).filter((n) => n > 0);
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  const repeats = ns.length ? `${lo === hi ? lo : `${lo}–${hi}`} repeats` : '';
  const where = sets.map((s) => [s.results.environment.kernel && `Linux ${s.results.environment.kernel}`, s.results.environment.hostname].filter(Boolean).join(', ')).join(' / ');
  return ['ringbench', where, repeats, 'intervals: 95% CI'].filter(Boolean).join(' · ');
}

/** Build charts, page and Markdown for the given results; returns what was written. */
export async function writeReport(inputs: string[], outDir: string, opts: ReportOptions = {}): Promise<ReportOutput> {
  const log = opts.log ?? (() => {});
  const { sets, errors } = await loadResultSets(inputs, log);
  if (!sets.length) {
    const why = errors.map((e) => `${e.file} (${e.error})`).join('; ');
    throw new Error(`report: no usable results file among ${inputs.length ? inputs.join(', ') : '(no inputs)'}${why ? `: ${why}` : ''}`);
  }
  const output = opts.output ?? OutputDir.open(outDir, { flag: '--out', mode: 'report', lock: true });
  try {
    return await writeInto(output, sets, errors, opts);
  } finally {
    if (!opts.output) output.release();
  }
}

async function writeInto(output: OutputDir, sets: ResultSet[], errors: InputError[], opts: ReportOptions): Promise<ReportOutput> {
  const log = opts.log ?? (() => {});
  // The findings come first: chart titles state them, the TL;DR and each section word them.
  const findings = findingsOf(sets[0]);
  const { charts, skipped } = buildCharts(sets, findingTitles(findings));
  const { figures, written } = await renderFigures(charts, output.subdir('charts'), skipped, log, chartFooter(sets));
  const warnings = warningsOf(sets, errors);

  // The reading order: the answer, the sections (body.ts SECTIONS), data quality, then the method.
  const blocks: Block[] = [
    ...headerBlocks(sets),
    ...tldrBlocks(sets, findings, figures),
    ...ledeBlocks(sets),
    ...comparisonBlocks(opts.comparison),
    ...bodyBlocks(sets, findings, figures),
    ...qualityBlocks(sets, warnings),
    ...appendixBlocks([
      ...methodologyBlocks(sets),
      ...ceilingsBlocks(sets, figures),
      // the body already shows these groups' tables
      ...resultsBlocks(sets, figures, skipped, ['latency', 'cpu', 'memory']),
      ...environmentBlocks(sets),
      ...reproduceBlocks(sets, output.path),
    ]),
  ];
  const title = reportTitle(sets);
  const sources = sets.map((s) => `${path.basename(path.dirname(path.resolve(s.file)))}/${path.basename(s.file)}`).join(', ');
  const footer = `Generated by ringbench ${String(sets[0].results.environment.ringbench ?? '')} from ${sources}.`;
  const html = renderHtmlPage({ title, blocks, footer, css: await loadReportCss() });

  const htmlFile = output.write('report.html', html);
  output.write('warnings.json', `${JSON.stringify(warnings, null, 2)}\n`);
  const mdFile = output.write('report.md', renderMarkdown({ title, blocks }));
  log(`report: wrote ${htmlFile}, ${mdFile} and ${figures.size} chart${figures.size === 1 ? '' : 's'}${skipped.length ? ` (${skipped.length} left out for lack of data)` : ''}`);
  return { html: htmlFile, md: mdFile, charts: written, skipped, errors };
}
