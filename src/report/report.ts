/**
 * report — turns one or more saved results files into a publishable report: charts (SVG + PNG),
 * a self-contained report.html (inline SVG and CSS, no network request of any kind) and a
 * report.md with the same content and PNG images, ready for a blog post or a pull request.
 *
 * The document is built once as a small list of blocks and rendered twice (HTML, Markdown),
 * so both outputs always say the same thing.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCharts, ceilingSetup, renderPng, renderSvg, type SkippedChart } from '../charts/charts.js';
import { CEILING_GROUPS, GROUP_TITLES, groupsIn, isSaturation, metricAggregate, readerOf, recordsOf, saturationAttach, wakeupVariant } from '../analysis/groups.js';
import { DROP_RATE, NOISE_CHECKED_METRICS } from '../results/metrics.js';
import { fmtAggregate, fmtSi, metricFormat } from '../format/units.js';
import { type ResultSet } from '../results/schema.js';
import { noiseWarning } from '../analysis/stats.js';
import { RESULTS_SCHEMA, type ResultsFile, type ScenarioRecord } from '../results/schema.js';
import { type SustainableRate } from '../harness/types.js';
import { computeVerdicts, type Verdict } from '../analysis/verdict.js';

export interface ReportOptions {
  /** output of the compare module; shown as a "Comparison" section ({ markdown, html } expected) */
  comparison?: unknown;
  log?: (line: string) => void;
}

export interface ReportOutput {
  html: string;
  md: string;
  charts: string[];
  skipped: SkippedChart[];
  errors: { file: string; error: string }[];
}

// ---------------------------------------------------------------------------------------------
// Loading

/** Read every input (a results.json or a run directory holding one); bad files become errors. */
export async function loadResultSets(
  inputs: readonly string[],
  log: (line: string) => void = () => {},
): Promise<{ sets: ResultSet[]; errors: { file: string; error: string }[] }> {
  const loaded: { file: string; results: ResultsFile }[] = [];
  const errors: { file: string; error: string }[] = [];
  const fail = (file: string, error: string) => {
    errors.push({ file, error });
    log(`report: skipping ${file}: ${error}`);
  };
  for (const input of inputs) {
    let file = input;
    try {
      if ((await stat(input)).isDirectory()) file = path.join(input, 'results.json');
    } catch {
      fail(input, 'no such file or directory');
      continue;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      fail(file, `cannot read: ${(e as Error).message}`);
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      fail(file, `not valid JSON (${(e as Error).message})`);
      continue;
    }
    const schema = (data as { schema?: unknown } | null)?.schema;
    if (schema !== RESULTS_SCHEMA) {
      fail(file, `schema is ${JSON.stringify(schema ?? null)}, expected "${RESULTS_SCHEMA}"`);
      continue;
    }
    const r = data as ResultsFile;
    if (!Array.isArray(r.scenarios)) {
      fail(file, 'has no "scenarios" array');
      continue;
    }
    r.environment ??= {} as ResultsFile['environment'];
    loaded.push({ file, results: r });
  }
  return { sets: labelSets(loaded), errors };
}

/** "hostname · kernel" per set; when two sets share it, the file names tell them apart. */
function labelSets(loaded: { file: string; results: ResultsFile }[]): ResultSet[] {
  const envLabel = (r: ResultsFile) =>
    [r.environment.hostname, r.environment.kernel].filter(Boolean).join(' · ') || 'unknown host';
  const fileLabel = (f: string) => {
    const base = path.basename(f);
    return base === 'results.json' ? `${path.basename(path.dirname(path.resolve(f)))}/${base}` : base;
  };
  const count = (labels: string[], l: string) => labels.filter((x) => x === l).length;
  const env = loaded.map((l) => envLabel(l.results));
  const byFile = loaded.map((l) => fileLabel(l.file));
  return loaded.map((l, i) => {
    let label = env[i];
    if (count(env, label) > 1) label = count(byFile, byFile[i]) > 1 ? path.relative(process.cwd(), l.file) || l.file : byFile[i];
    return { file: l.file, results: l.results, label, tag: String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '') };
  });
}

// ---------------------------------------------------------------------------------------------
// Document model: inline text and blocks, rendered to HTML and Markdown

type Inline = string | { code: string } | { strong: string } | { em: string } | { link: string; href: string };
type Text = Inline | Inline[];

interface TableSpec {
  /** optional spanning header row above the column titles (multi-set tables) */
  spans?: { text: string; span: number }[];
  head: string[];
  /** which columns are numbers (right-aligned, tabular figures) */
  numeric: boolean[];
  rows: Text[][];
  /** columns that repeat the previous row's value are shown blank, for readability */
  groupFirst?: number;
  footnote?: Text;
  /** let the table extend past the text column (many columns) */
  wide?: boolean;
}

interface FigureSpec {
  n: number;
  id: string;
  title: string;
  caption: string;
  svg: string;
  png: string;
}

type Block =
  | { h: 2 | 3; text: string; id?: string }
  | { p: Text; cls?: string }
  | { ul: Text[] }
  | { verdicts: { set?: string; items: Verdict[] }[] }
  | { table: TableSpec }
  | { figure: FigureSpec }
  | { pre: string }
  | { raw: { html: string; md: string } }
  | { details: { summary: Text; blocks: Block[] } };

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
// Underscores inside a word (wakeup_events) never start emphasis in CommonMark: leave them bare.
const mdEsc = (s: string) => s.replace(/([\\`*[\]<>|])/g, '\\$1').replace(/(^|[^A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (m) => m.replace('_', '\\_'));

/** **x** only binds when no space sits inside the markers: move edge spaces outside. */
function mdWrap(marker: string, text: string): string {
  const m = /^(\s*)(.*?)(\s*)$/s.exec(text)!;
  return m[2] ? `${m[1]}${marker}${mdEsc(m[2])}${marker}${m[3]}` : text;
}

function inlines(t: Text): Inline[] {
  return Array.isArray(t) ? t : [t];
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

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function renderHtmlBlock(b: Block): string {
  if ('h' in b) return `<h${b.h} id="${esc(b.id ?? slug(b.text))}">${esc(b.text)}</h${b.h}>`;
  if ('p' in b) return `<p${b.cls ? ` class="${b.cls}"` : ''}>${htmlText(b.p)}</p>`;
  if ('ul' in b) return `<ul>${b.ul.map((i) => `<li>${htmlText(i)}</li>`).join('')}</ul>`;
  if ('verdicts' in b) {
    return `<section class="verdicts">${b.verdicts
      .map(
        (v) =>
          `${v.set ? `<h4>${esc(v.set)}</h4>` : ''}<dl>${v.items
            .map((i) => `<div class="verdict ${i.favours ?? 'none'}"><dt>${esc(i.question)}</dt><dd>${esc(i.text)}</dd></div>`)
            .join('')}</dl>`,
      )
      .join('')}</section>`;
  }
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
    // Scale charts up to the text column (their text would be small at 1:1), but not past 1.35×;
    // on phones, scroll sideways rather than shrink the text below legibility.
    const w = Number(/^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(f.svg)?.[1] ?? 640);
    const svg = f.svg.replace(/^<svg /, `<svg role="img" aria-label="${esc(f.title)}" style="max-width:${Math.round(w * 1.35)}px;min-width:${Math.round(Math.min(w, 540))}px" `);
    return `<figure id="fig-${esc(f.id)}"><div class="chart">${svg}</div><figcaption><strong>Figure ${f.n}. ${esc(f.title)}.</strong> ${esc(f.caption)}</figcaption></figure>`;
  }
  if ('pre' in b) return `<pre><code>${esc(b.pre)}</code></pre>`;
  if ('details' in b) return `<details><summary>${htmlText(b.details.summary)}</summary>${b.details.blocks.map(renderHtmlBlock).join('')}</details>`;
  return b.raw.html;
}

function renderMdBlock(b: Block): string {
  if ('h' in b) return `${'#'.repeat(b.h)} ${b.text}`;
  if ('p' in b) return mdText(b.p);
  if ('ul' in b) return b.ul.map((i) => `- ${mdText(i)}`).join('\n');
  if ('verdicts' in b) {
    return b.verdicts
      .map((v) => `${v.set ? `**${mdEsc(v.set)}**\n\n` : ''}${v.items.map((i) => `- **${i.question}:** ${mdEsc(i.text)}`).join('\n')}`)
      .join('\n\n');
  }
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
    return `![Figure ${f.n}. ${f.title}](${f.png})\n\n*Figure ${f.n}. ${mdEsc(f.title)}.* ${mdEsc(f.caption)}`;
  }
  if ('pre' in b) return '```sh\n' + b.pre + '\n```';
  // GitHub, GitLab and most static-site generators render raw <details>; others show the list.
  if ('details' in b) return `<details>\n<summary>${esc(inlines(b.details.summary).map((i) => (typeof i === 'string' ? i : Object.values(i)[0])).join(''))}</summary>\n\n${b.details.blocks.map(renderMdBlock).join('\n\n')}\n\n</details>`;
  return b.raw.md;
}

// ---------------------------------------------------------------------------------------------
// Content

/** The metrics each group's table shows: the ones its question is about. */
const TABLE_METRICS: Record<string, string[]> = {
  producers: ['rates.deliveredPerSec', DROP_RATE, 'ordering.inversionRatio', 'ordering.maxDisplacement'],
  memory: ['memory.bufferBytes', DROP_RATE, 'memory.peakOccupancyBytes', 'rates.deliveredPerSec'],
  wakeup: ['rates.deliveredPerSec', 'cpu.consumerNsPerEvent', 'cpu.wakeups', DROP_RATE],
  'event-size': ['rates.deliveredPerSec', DROP_RATE, 'latencyNs.p99', 'cpu.consumerNsPerEvent'],
  latency: ['latencyNs.p50', 'latencyNs.p90', 'latencyNs.p99', 'latencyNs.p999'],
  cpu: ['cpu.consumerNsPerEvent', 'cpu.bpfNsPerEvent', 'cpu.wakeups', 'rates.deliveredPerSec'],
  'reader-ceiling': ['rates.deliveredPerSec', 'cpu.consumerNsPerEvent', 'rates.generatedPerSec', DROP_RATE],
  'wakeup-ceiling': ['rates.deliveredPerSec', DROP_RATE, 'cpu.bpfNsPerEvent', 'cpu.consumerNsPerEvent', 'cpu.wakeups'],
};

/** Per-group table layout: the first column's title, column titles that differ, row order. */
const TABLE_LAYOUT: Record<string, { rowTitle?: string; titles?: Record<string, string>; transportFirst?: boolean }> = {
  'reader-ceiling': { rowTitle: 'reader', titles: { 'rates.deliveredPerSec': 'drained/s', 'rates.generatedPerSec': 'generated/s (load)' } },
  // Each transport has its own strategies: list them per transport.
  'wakeup-ceiling': { rowTitle: 'wake-up strategy', transportFirst: true },
};
const DEFAULT_TABLE_METRICS = ['rates.deliveredPerSec', DROP_RATE, 'latencyNs.p99', 'cpu.consumerNsPerEvent'];

/** Metrics whose spread is worth warning about; ratios near zero always have wide relative CIs. */
const NOISE_METRICS = NOISE_CHECKED_METRICS;

/** Which group section each chart belongs to; charts without one get their own section. */
const CHART_HOME: Record<string, string> = {
  'throughput-producers': 'producers',
  'ordering-producers': 'producers',
  'drops-memory': 'memory',
  'wakeup-sweep': 'wakeup',
  'event-size': 'event-size',
  'latency-percentiles': 'latency',
  'cpu-per-event': 'cpu',
};

/** Charts of the Ceilings section (placed there, not under Results). */
const CEILING_CHARTS = ['ceilings', 'reader-ceiling', 'wakeup-ceiling'];

function rowKey(r: ScenarioRecord): string {
  return `${r.label}\u0000${r.transport}${r.group === 'wakeup' ? `\u0000${wakeupVariant(r)}` : ''}`;
}

/** Wider than ±10% of the mean: worth a mark next to the number. Outliers alone are not. */
function isNoisy(metric: string, r: ScenarioRecord): boolean {
  if (!NOISE_METRICS.includes(metric)) return false;
  const a = metricAggregate(r, metric);
  return !!a && a.n > 1 && a.relCi > 0.1;
}

/** A group's table: one row per scenario and transport, metric columns (× result set). */
function groupTable(sets: readonly ResultSet[], group: string): TableSpec {
  const metrics = TABLE_METRICS[group] ?? DEFAULT_TABLE_METRICS;
  const rowsByKey = new Map<string, { x: number; label: string; transport: string; recs: (ScenarioRecord | undefined)[] }>();
  sets.forEach((set, si) => {
    for (const r of recordsOf(set, group)) {
      const key = rowKey(r);
      if (!rowsByKey.has(key)) rowsByKey.set(key, { x: r.x?.value ?? 0, label: r.label, transport: r.transport, recs: sets.map(() => undefined) });
      rowsByKey.get(key)!.recs[si] ??= r;
    }
  });
  const layout = TABLE_LAYOUT[group] ?? {};
  const byTransport = (a: { transport: string }, b: { transport: string }) => (a.transport === b.transport ? 0 : a.transport === 'ringbuf' ? -1 : 1);
  const ordered = [...rowsByKey.values()].sort((a, b) =>
    layout.transportFirst
      ? byTransport(a, b) || a.x - b.x || (a.label < b.label ? -1 : 1)
      : a.x - b.x || (a.transport === b.transport ? (a.label < b.label ? -1 : 1) : byTransport(a, b)),
  );
  let noisy = false;
  const rows: Text[][] = ordered.map((o) => {
    const cells: Text[] = layout.transportFirst ? [o.transport, o.label] : [o.label, o.transport];
    for (const m of metrics) {
      for (const r of o.recs) {
        if (!r) {
          cells.push('—');
          continue;
        }
        const flag = isNoisy(m, r);
        noisy ||= flag;
        cells.push(fmtAggregate(m, metricAggregate(r, m)) + (flag ? ' †' : ''));
      }
    }
    return cells;
  });
  const multi = sets.length > 1;
  const rowTitle = layout.rowTitle ?? 'scenario';
  const head = layout.transportFirst ? ['transport', rowTitle] : [rowTitle, 'transport'];
  const numeric = [false, false];
  const title = (m: string) => layout.titles?.[m] ?? metricFormat(m).title;
  for (const m of metrics) {
    for (const s of sets) {
      head.push(multi ? s.tag : title(m));
      numeric.push(true);
    }
  }
  const spans = multi ? [{ text: '', span: 2 }, ...metrics.map((m) => ({ text: title(m), span: sets.length }))] : undefined;
  const n = Math.max(0, ...sets.flatMap((s) => recordsOf(s, group).map((r) => metricAggregate(r, metrics[0])?.n ?? 0)));
  const foot: Inline[] = [`Mean ± half-width of the 95% confidence interval over ${n} repeat${n === 1 ? '' : 's'}.`];
  if (multi) foot.push(` Columns ${sets.map((s) => `${s.tag} = ${s.label}`).join(', ')}.`);
  if (noisy) foot.push(' † noisy: the interval is wider than ±10% of the mean (see Data quality).');
  return { spans, head, numeric, rows, groupFirst: 1, footnote: foot, wide: head.length > 6 };
}

function environmentTable(sets: readonly ResultSet[]): TableSpec {
  const fields: [string, (r: ResultsFile) => string][] = [
    ['host', (r) => r.environment.hostname],
    ['kernel', (r) => r.environment.kernel],
    ['CPU', (r) => `${r.environment.cpuModel ?? '?'} × ${r.environment.cpuCount ?? '?'}`],
    ['libbpf', (r) => r.environment.libbpf],
    ['clang', (r) => r.environment.clang],
    ['bpftool', (r) => r.environment.bpftool],
    ['Node.js', (r) => r.environment.node],
    ['ringbench', (r) => `${r.environment.ringbench ?? '?'}${r.environment.gitCommit ? ` (${String(r.environment.gitCommit).slice(0, 12)})` : ''}`],
    ['date', (r) => r.environment.date ?? r.startedAt],
    ['suite', (r) => `${r.suite}${r.complete ? '' : ' (incomplete run)'}`],
    ['scenarios', (r) => String(r.scenarios.length)],
  ];
  const multi = sets.length > 1;
  return {
    head: ['', ...sets.map((s) => (multi ? `${s.tag}: ${s.label}` : ''))],
    numeric: [false, ...sets.map(() => false)],
    rows: fields.map(([name, get]) => [{ strong: name }, ...sets.map((s) => String(get(s.results) ?? '—'))]),
  };
}

/**
 * Data quality in words: unreadable inputs, incomplete runs and the suite's own warnings first
 * (they can change a conclusion), then wide intervals, then outlying repeats — common with few
 * repeats, so summarised and listed in a collapsed section.
 */
function qualityBlocks(sets: readonly ResultSet[], errors: { file: string; error: string }[]): Block[] {
  const serious: Text[] = [];
  const wide: Text[] = [];
  const outliers: Text[] = [];
  let withOutliers = 0;
  let scenarios = 0;
  for (const e of errors) serious.push([{ strong: 'Not included: ' }, { code: e.file }, ` — ${e.error}.`]);
  for (const s of sets) {
    const who = sets.length > 1 ? `${s.tag}: ` : '';
    if (!s.results.complete) serious.push(`${who}The run did not finish; some scenarios may be missing.`);
    for (const r of s.results.scenarios) {
      scenarios++;
      for (const w of r.warnings ?? []) serious.push([who, { code: r.id }, `: ${w}`]);
      const wideWords: string[] = [];
      const outlierWords: string[] = [];
      for (const m of NOISE_METRICS) {
        const a = metricAggregate(r, m);
        if (!a) continue;
        const words = noiseWarning(metricFormat(m).title, a);
        if (!words) continue;
        if (a.n > 1 && a.relCi > 0.1) wideWords.push(words);
        else outlierWords.push(words);
      }
      if (wideWords.length) wide.push([who, { code: r.id }, `: ${wideWords.join('; ')}.`]);
      if (outlierWords.length) {
        withOutliers++;
        outliers.push([who, { code: r.id }, `: ${outlierWords.join('; ')}.`]);
      }
    }
  }
  const blocks: Block[] = [{ h: 2, text: 'Data quality' }];
  if (!serious.length && !wide.length && !outliers.length) {
    blocks.push({ p: 'No warnings: every interval shown is within ±10% of its mean, no repeat is an outlier, and every trial’s accounting added up.' });
    return blocks;
  }
  if (serious.length) blocks.push({ p: { strong: 'Warnings from the run' } }, { ul: serious });
  blocks.push(
    wide.length
      ? { p: [{ strong: 'Wide intervals. ' }, `In ${wide.length} scenario${wide.length === 1 ? '' : 's'} a 95% interval is wider than ±10% of the mean; more repeats would sharpen these:`] }
      : { p: [{ strong: 'Intervals. ' }, 'Every throughput, latency and CPU interval is within ±10% of its mean.'] },
  );
  if (wide.length) blocks.push({ ul: wide });
  if (outliers.length) {
    blocks.push({
      details: {
        summary: `Outlying repeats: ${withOutliers} of ${scenarios} scenarios have a repeat beyond 1.5 IQR in some metric (common with few repeats; the intervals above already include them).`,
        blocks: [{ ul: outliers }],
      },
    });
  }
  return blocks;
}

function methodology(sets: readonly ResultSet[]): Block[] {
  const configs = sets.flatMap((s) => s.results.scenarios.map((r) => r.config).filter(Boolean));
  const modes = [...new Set(configs.map((c) => c.stormMode))].join(', ') || 'vfork';
  const children = configs.map((c) => c.children).filter((n) => n > 0);
  const childWords = children.length
    ? Math.min(...children) === Math.max(...children)
      ? `${Math.min(...children).toLocaleString('en-US')} children per trial`
      : `${Math.min(...children).toLocaleString('en-US')} to ${Math.max(...children).toLocaleString('en-US')} children per trial`
    : 'a fixed number of children per trial';
  const repeats = Math.max(0, ...sets.flatMap((s) => s.results.scenarios.map((r) => r.aggregates?.['rates.deliveredPerSec']?.n ?? 0)));
  return [
    { h: 2, text: 'Methodology' },
    {
      p: [
        { strong: 'The load. ' },
        'A storm is a bounded burst of real process exits made by a native generator: worker threads create children with ',
        { code: modes },
        ` (${childWords}), and each child exits immediately. Each exit fires the `,
        { code: 'sched/sched_process_exit' },
        ' tracepoint, where one of two twin BPF programs builds the event. The storm is bounded by a child count and a timeout, and all children are reaped before the trial ends.',
      ],
    },
    {
      p: [
        { strong: 'The twins. ' },
        'Both programs attach to the same tracepoint, apply the same filters (thread exits ignored; only the storm’s processes count) and fill the same event with the same routine: pid, ppid, exit code, duration, comm, a global sequence number, a ',
        { code: 'bpf_ktime_get_ns()' },
        ' timestamp, the CPU and padding up to the configured event size. Only the transport differs: ',
        { code: 'bpf_ringbuf_reserve/submit' },
        ' into one ',
        { code: 'BPF_MAP_TYPE_RINGBUF' },
        ' shared by all CPUs, or ',
        { code: 'bpf_perf_event_output' },
        ' into the per-CPU buffers of a ',
        { code: 'BPF_MAP_TYPE_PERF_EVENT_ARRAY' },
        '.',
      ],
    },
    {
      p: [
        { strong: 'Equal memory. ' },
        'Scenarios are paired at equal memory: the perf buffer’s data bytes summed over all CPUs equal the ring buffer’s data bytes, so neither side wins by simply having more room. Buffer memory is reported as the kernel allocates it: ring buffer = data bytes + its metadata pages (consumer and producer positions); perf buffer = ',
        { code: 'ncpu × (pages + 1) × page size' },
        ' (one metadata page per CPU).',
      ],
    },
    {
      ul: [
        [{ strong: 'Counts and drops' }, ' come from kernel-side per-CPU counters in the BPF programs: events that passed the filter, and reserve (ringbuf) or output (perfbuf) failures. User space never infers drops; the drop rate is failures ÷ events seen, per repeat. The accounting identity delivered + dropped = seen is checked for every trial.'],
        [{ strong: 'Throughput' }, ' is events delivered to the consumer per second of the load phase.'],
        [{ strong: 'Ordering' }, ' uses the global sequence number taken in BPF: an inversion is an event whose number is lower than one already delivered; displacement is how many positions from its place in sequence order an event was delivered.'],
        [{ strong: 'Latency' }, ' is the consumer’s ', { code: 'CLOCK_MONOTONIC' }, ' receive time minus the event’s ', { code: 'bpf_ktime_get_ns()' }, ' (the same clock), as percentiles over all delivered events.'],
        [{ strong: 'CPU' }, ' is the consumer thread’s own CPU clock (', { code: 'CLOCK_THREAD_CPUTIME_ID' }, ') divided by delivered events, and the BPF program’s run time from ', { code: 'bpf_stats' }, ' (', { code: 'BPF_ENABLE_STATS' }, ') divided by its runs.'],
        ...(sets.some((st) => st.results.scenarios.some(isSaturation))
          ? [[{ strong: 'Ceilings' }, ' use a different load, a ', { code: 'getpgid()' }, ' trigger instead of process exits; it, the drain mode and the sustainable-rate search are described in the ', { link: 'Ceilings', href: '#ceilings' }, ' section.'] as Text]
          : []),
        [{ strong: 'Statistics' }, `: each scenario was repeated ${repeats || 'several'} time${repeats === 1 ? '' : 's'}; tables show the mean ± the half-width of its 95% confidence interval (Student t). A verdict calls a difference only when the two intervals do not overlap.`],
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Ceilings (saturation load)

/** How many times the search backed off 10% because a confirmation run dropped. */
function backOffs(s: SustainableRate): number {
  let n = 0;
  for (let i = 1; i < s.steps.length; i++) {
    const prev = s.steps[i - 1];
    if (prev.droppedKernel > 0 && prev.rateCap > 0 && s.steps[i].rateCap === Math.floor(prev.rateCap * 0.9)) n++;
  }
  return n;
}

/** "898k (confirmed: 0 dropped)", with what happened on the way when it matters. */
function sustainableWords(s: SustainableRate | undefined): string {
  if (!s) return '— (not searched)';
  if (!(s.ratePerSec > 0)) return 'none found (every rate tried dropped)';
  const notes: string[] = [];
  if (s.ratePerSec >= Math.floor(s.ceilingPerSec)) notes.push('no drops even unthrottled');
  notes.push(`confirmed: ${s.confirmation.droppedKernel.toLocaleString('en-US')} dropped`);
  // A back-off is told in the footnote: the cell stays short.
  return `${fmtSi(s.ratePerSec)} (${notes.join(', ')})${backOffs(s) ? ' ‡' : ''}`;
}

/** The ceilings group as one table: transport, reader, raw ceiling, delivered, sustainable, drops. */
function ceilingsTable(sets: readonly ResultSet[]): TableSpec | undefined {
  const multi = sets.length > 1;
  const rows: Text[][] = [];
  let n = 0;
  let noisy = false;
  // Transport, then reader (in the suite's order), then result set: like rows sit together.
  const readers = [...new Set(sets.flatMap((st) => recordsOf(st, 'ceilings').map(readerOf)))];
  for (const t of ['ringbuf', 'perfbuf']) {
    for (const reader of readers) for (const [si, set] of sets.entries()) {
      for (const r of recordsOf(set, 'ceilings').filter((x) => x.transport === t && readerOf(x) === reader)) {
        const cell = (m: string) => {
          const a = metricAggregate(r, m);
          n = Math.max(n, a?.n ?? 0);
          // The raw ceiling is a rate like delivered/s: flag it by the same ±10% rule.
          const flag = m === 'rates.generatedPerSec' ? !!a && a.n > 1 && a.relCi > 0.1 : isNoisy(m, r);
          noisy ||= flag;
          return fmtAggregate(m, a) + (flag ? ' †' : '');
        };
        rows.push([
          t,
          reader,
          ...(multi ? [sets[si].tag] : []),
          cell('rates.generatedPerSec'),
          cell('rates.deliveredPerSec'),
          sustainableWords(r.sustainable),
          cell(DROP_RATE),
        ]);
      }
    }
  }
  if (!rows.length) return undefined;
  const head = ['transport', 'reader', ...(multi ? ['set'] : []), 'raw ceiling', 'delivered/s', 'sustainable rate', 'drop rate'];
  const foot: Inline[] = [
    `Events/s. Raw ceiling (events generated per second), delivered/s and drop rate: the unthrottled load at full rate, mean ± half-width of the 95% confidence interval over ${n} repeat${n === 1 ? '' : 's'}. `,
    'Sustainable rate: the highest rate cap at which a run dropped nothing, from one bisection search per scenario, confirmed by a further run at that cap; a single search has no interval.',
  ];
  if (rows.some((r) => String(r[r.length - 2]).endsWith('‡'))) foot.push(' ‡ the first confirmation run dropped events: the rate was backed off by 10% and confirmed again.');
  if (multi) foot.push(` Sets: ${sets.map((s) => `${s.tag} = ${s.label}`).join(', ')}.`);
  if (noisy) foot.push(' † noisy: the interval is wider than ±10% of the mean (see Data quality).');
  return { head, numeric: head.map((h) => !['set', 'transport', 'reader'].includes(h)), rows, groupFirst: 1, footnote: foot, wide: Math.max(...rows.map((r) => String(r[r.length - 2]).length)) > 32 };
}

/** Each search, step by step, for readers who want to see how the rate was found. */
function searchSteps(sets: readonly ResultSet[]): Block[] {
  const items: Text[] = [];
  for (const [si, set] of sets.entries()) {
    for (const r of recordsOf(set, 'ceilings')) {
      const s = r.sustainable;
      if (!s?.steps?.length) continue;
      const step = (x: SustainableRate['steps'][number]) =>
        `${x.rateCap > 0 ? fmtSi(x.rateCap) : `unthrottled (${fmtSi(x.generatedPerSec)})`} ${x.droppedKernel > 0 ? `✗ ${x.droppedKernel.toLocaleString('en-US')} dropped` : '✓'}`;
      const who = `${sets.length > 1 ? `${sets[si].tag}: ` : ''}${r.transport}, ${readerOf(r)} reader`;
      items.push([{ strong: who }, `: ${s.steps.map(step).join(' → ')}`]);
    }
  }
  if (!items.length) return [];
  return [{
    details: {
      summary: 'How each search went: rate cap per run (events/s), ✓ = no drops, ✗ = dropped; the last run is the confirmation.',
      blocks: [{ ul: items }],
    },
  }];
}

/** The trigger and how it attached, in words the reader can check against the kernel. */
function triggerWords(sets: readonly ResultSet[]): Inline[] {
  const { recorded, probe } = saturationAttach(sets);
  const named = recorded.map((w) => (w === 'fentry' ? 'fentry' : w.includes('sys_enter') ? 'the tp_btf/sys_enter fallback' : w));
  const used = recorded.length
    ? ` These results used ${named.join(' and ')}.`
    : probe?.available
      ? ' The runs do not record which one they used; the machine’s probe attached fentry to getpgid, so it was most likely fentry.'
      : probe
        ? ` The runs do not record which one they used; the machine’s probe could not use fentry — ${probe.reason.replace(/;\s*saturation uses.*$/, '').replace(/\.$/, '')} — so it was the tp_btf/sys_enter fallback.`
        : ' The results do not record which one a run used; this report calls it the getpgid trigger.';
  return [
    { strong: 'The saturation load. ' },
    'Instead of a storm, the harness’s own producer threads call ',
    { code: 'getpgid()' },
    ' in a tight loop, and a BPF program on that syscall emits the same event as the exit programs, through the same transport code, once per call. It attaches with ',
    { code: 'fentry' },
    ' on the syscall where the kernel allows it (a trampoline, as the kernel’s own ring buffer benchmark does), and otherwise to the raw syscall-entry tracepoint ',
    { code: 'tp_btf/sys_enter' },
    ', which rejects every other syscall with one compare.',
    used,
    ' The trigger is cheap: getpgid does almost no work, and the program keeps only calls from the harness’s own process, so the producers are held back by the transport rather than by the load.',
  ];
}

function ceilingsBlocks(sets: readonly ResultSet[], figure: (id: string) => Block[]): Block[] {
  const has = (g: string) => sets.some((s) => recordsOf(s, g).length > 0);
  if (!CEILING_GROUPS.some(has)) return [];
  const blocks: Block[] = [{ h: 2, text: 'Ceilings' }];
  // How far past a storm the saturation load goes, from the same results.
  const maxRate = (pick: (r: ScenarioRecord) => boolean) =>
    Math.max(0, ...sets.flatMap((s) => s.results.scenarios.filter(pick).map((r) => metricAggregate(r, 'rates.generatedPerSec')?.mean ?? 0)));
  const storm = maxRate((r) => !isSaturation(r));
  const sat = maxRate((r) => r.group === 'ceilings' || r.group === 'wakeup-ceiling');
  const reach = storm > 0 && sat > storm * 1.5
    ? ` Here the saturation load generated up to ${fmtSi(sat)} events/s, ${Math.round(sat / storm)}× the fastest storm (${fmtSi(storm)} events/s).`
    : '';
  blocks.push({
    p: `How fast can each transport go before it starts dropping events? A fork storm is limited by how fast the kernel can create and reap processes, long before either transport is; these scenarios replace it with a load cheap enough to find the transports’ own limits.${reach}`,
  });
  blocks.push({ p: triggerWords(sets) });

  if (has('ceilings')) {
    blocks.push({ h: 3, text: GROUP_TITLES.ceilings, id: 'group-ceilings' });
    const recs = sets.flatMap((s) => recordsOf(s, 'ceilings'));
    const readers = [...new Set(recs.map(readerOf))];
    blocks.push({
      p: [
        `The saturation load with ${ceilingSetup(recs).replace(', ', ' and a ')}, read by ${readers.length > 1 ? `each reader in turn (${readers.join(', ')})` : `the ${readers[0] ?? 'libbpf'} reader`}. The raw ceiling is what the unthrottled producers generate — events the transport drops included, and a failed reserve is cheaper than a delivered event — so delivered/s beside it is what actually reached user space. `,
        'The sustainable rate is the highest rate the transport carries without dropping anything. It is searched by bisection on the producers’ rate cap, between zero and the raw ceiling, for 7 steps (to within 1/128 of the ceiling), keeping the highest cap whose run dropped nothing; a final run at that cap must confirm it with zero drops, and if it drops the rate backs off by 10% and is confirmed again.',
      ],
    });
    blocks.push(...figure('ceilings'));
    const table = ceilingsTable(sets);
    if (table) blocks.push({ table });
    blocks.push(...searchSteps(sets));
  }
  if (has('reader-ceiling')) {
    blocks.push({ h: 3, text: GROUP_TITLES['reader-ceiling'], id: 'group-reader-ceiling' });
    const drainHeld = sets.every((st) => recordsOf(st, 'reader-ceiling').every((r) => metricAggregate(r, DROP_RATE)?.max === 0));
    blocks.push({
      p: [
        { strong: 'Drain mode. ' },
        `The consumer reads nothing while the load runs — ${drainHeld ? 'the buffer holds every event (none was dropped)' : 'the buffer is sized to hold every event'}, and wake-ups are all but switched off — and once the producers have stopped it reads the backlog as fast as it can. Delivered/s is then the backlog divided by the time it took to read: the reader’s own speed, with no sleeping, no wake-ups and no producers competing for the same cache lines. `,
        'The custom reader walks the mapped pages itself and publishes the consumer position once per batch.',
      ],
    });
    blocks.push(...figure('reader-ceiling'));
    blocks.push({ table: groupTable(sets, 'reader-ceiling') });
  }
  if (has('wakeup-ceiling')) {
    blocks.push({ h: 3, text: GROUP_TITLES['wakeup-ceiling'], id: 'group-wakeup-ceiling' });
    blocks.push({
      p: 'Each transport’s wake-up strategies at the full saturation rate. Queuing the consumer’s wake-up happens inside the BPF program’s run, so a strategy that wakes the consumer less often should cost the program less per event — and let more events through before the buffer fills.',
    });
    blocks.push(...figure('wakeup-ceiling'));
    blocks.push({ table: groupTable(sets, 'wakeup-ceiling') });
  }
  return blocks;
}

function comparisonBlocks(comparison: unknown): Block[] {
  if (comparison === undefined || comparison === null) return [];
  const c = comparison as { html?: unknown; markdown?: unknown };
  let html: string;
  let md: string;
  if (typeof comparison === 'string') {
    md = comparison;
    html = `<pre><code>${esc(comparison)}</code></pre>`;
  } else if (typeof c.html === 'string' || typeof c.markdown === 'string') {
    md = typeof c.markdown === 'string' ? c.markdown : '';
    html = typeof c.html === 'string' ? c.html : `<pre><code>${esc(md)}</code></pre>`;
  } else {
    const json = JSON.stringify(comparison, null, 2);
    md = '```json\n' + json + '\n```';
    html = `<pre><code>${esc(json)}</code></pre>`;
  }
  return [{ h: 2, text: 'Comparison' }, { raw: { html: `<div class="comparison">${html}</div>`, md } }];
}

// ---------------------------------------------------------------------------------------------
// Page

const CSS = `
:root { --ink:#1d232b; --muted:#5b6470; --rule:#e3e6ea; --accent:#1f63b5; --ring:#1f63b5; --perf:#dd6218; --bg-soft:#f6f7f9; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink); font: 17px/1.65 Charter, "Bitstream Charter", "Sitka Text", Cambria, "DejaVu Serif", Georgia, serif; }
main { max-width: 860px; margin: 0 auto; padding: 48px 24px 96px; }
h1, h2, h3, h4, .lede, figcaption, table, dl, .meta, .table-note, nav { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
h1 { font-size: 2.1rem; line-height: 1.2; margin: 0 0 .3em; letter-spacing: -.01em; }
h2 { font-size: 1.45rem; margin: 2.4em 0 .6em; padding-top: .2em; border-top: 1px solid var(--rule); }
h3 { font-size: 1.15rem; margin: 2em 0 .5em; }
h4 { font-size: .95rem; margin: 1.2em 0 .4em; color: var(--muted); }
p, ul { margin: 0 0 1em; }
li { margin: .3em 0; }
a { color: var(--accent); }
code { font: .86em/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; background: var(--bg-soft); padding: .08em .3em; border-radius: 3px; }
pre { background: #0f1720; color: #e6edf3; padding: 14px 16px; border-radius: 6px; overflow-x: auto; font-size: .85rem; }
pre code { background: none; color: inherit; padding: 0; }
.meta { color: var(--muted); font-size: .92rem; margin-bottom: 1.6em; }
.lede { font-size: 1.08rem; color: #333; }
.verdicts { background: var(--bg-soft); border: 1px solid var(--rule); border-radius: 8px; padding: 6px 20px 10px; margin: 1.2em 0 1.6em; }
.verdicts dl { margin: 0; font-size: .95rem; line-height: 1.5; }
.verdict { display: grid; grid-template-columns: 7.5em 1fr; gap: 12px; padding: 9px 0; border-bottom: 1px solid var(--rule); }
.verdict:last-child { border-bottom: none; }
.verdict dt { font-weight: 700; white-space: nowrap; }
.verdict dt::before { content: ""; display: inline-block; width: .6em; height: .6em; border-radius: 50%; margin-right: .45em; background: #b8bec6; vertical-align: .05em; }
.verdict.ringbuf dt::before { background: var(--ring); }
.verdict.perfbuf dt::before { background: var(--perf); }
.verdict dd { margin: 0; }
figure { margin: 1.8em 0 2.2em; }
figure .chart { overflow-x: auto; }
figure svg { display: block; width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: .88rem; color: var(--muted); line-height: 1.5; margin-top: .7em; padding: 0 .5em; }
figcaption strong { color: var(--ink); }
.table-wrap { overflow-x: auto; margin: 1em 0 .4em; }
.table-wrap.wide { width: min(1160px, calc(100vw - 32px)); position: relative; left: 50%; transform: translateX(-50%); }
.table-wrap.wide table { font-size: .8rem; }
table { border-collapse: collapse; font-size: .84rem; line-height: 1.4; width: 100%; }
th, td { padding: 6px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--rule); white-space: nowrap; }
thead th { font-weight: 600; color: #333; border-bottom: 2px solid #c9ced4; }
tr.spans th { border-bottom: 1px solid var(--rule); text-align: center; }
tr.spans th.span { border-bottom: 2px solid #c9ced4; }
tr.group-start td { border-top: 1px solid #c9ced4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #fafbfc; }
.table-note { font-size: .8rem; color: var(--muted); margin: .2em 0 1.4em; }
details { margin: .4em 0 1.2em; font-size: .92rem; }
summary { cursor: pointer; color: var(--muted); font-family: -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
details ul { margin-top: .6em; }
.comparison { border-left: 3px solid var(--accent); padding-left: 16px; }
nav.toc { font-size: .9rem; color: var(--muted); margin: 0 0 1.4em; }
nav.toc a { color: var(--muted); margin-right: .9em; text-decoration: none; border-bottom: 1px dotted #aab; }
footer { margin-top: 4em; font-size: .8rem; color: var(--muted); font-family: -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
@media (max-width: 640px) { body { font-size: 16px; } .verdict { grid-template-columns: 1fr; gap: 2px; } }
`;

function relLink(outDir: string, file: string): string {
  return path.relative(path.resolve(outDir), path.resolve(file)).split(path.sep).join('/') || path.basename(file);
}

/** Build charts, page and Markdown for the given results; returns what was written. */
export async function writeReport(inputs: string[], outDir: string, opts: ReportOptions = {}): Promise<ReportOutput> {
  const log = opts.log ?? (() => {});
  const { sets, errors } = await loadResultSets(inputs, log);
  if (!sets.length) {
    const why = errors.map((e) => `${e.file} (${e.error})`).join('; ');
    throw new Error(`report: no usable results file among ${inputs.length ? inputs.join(', ') : '(no inputs)'}${why ? `: ${why}` : ''}`);
  }
  const chartDir = path.join(outDir, 'charts');
  await mkdir(chartDir, { recursive: true });

  // Charts: SVG for the page, PNG for Markdown.
  const { charts, skipped } = buildCharts(sets);
  const figures = new Map<string, FigureSpec>();
  const written: string[] = [];
  let n = 0;
  for (const c of charts) {
    try {
      const svg = await renderSvg(c.spec, c.id);
      const svgFile = path.join(chartDir, `${c.id}.svg`);
      const pngFile = path.join(chartDir, `${c.id}.png`);
      await writeFile(svgFile, svg);
      await writeFile(pngFile, renderPng(svg).png);
      written.push(svgFile, pngFile);
      figures.set(c.id, { n: 0, id: c.id, title: c.title, caption: c.caption, svg, png: `charts/${c.id}.png` });
    } catch (e) {
      // A chart that fails to render must not take the report down with it.
      skipped.push({ chart: c.title, why: `could not be rendered: ${(e as Error).message}` });
      log(`report: chart ${c.id} failed: ${(e as Error).message}`);
    }
  }
  const figure = (id: string): Block[] => {
    const f = figures.get(id);
    if (!f) return [];
    f.n = ++n;
    return [{ figure: f }];
  };

  const multi = sets.length > 1;
  const first = sets[0].results;
  const title = multi ? `BPF ring buffer vs perf buffer: ${sets.length} result sets` : 'BPF ring buffer vs perf buffer';
  const blocks: Block[] = [];
  const meta = multi
    ? sets.map((s) => `${s.tag}: ${s.label}`).join(' · ')
    : [
        first.environment.kernel && `Linux ${first.environment.kernel}`,
        first.environment.hostname,
        first.environment.cpuModel && `${first.environment.cpuModel} × ${first.environment.cpuCount}`,
        `suite ${first.suite}`,
        (first.environment.date || first.startedAt || '').slice(0, 10),
      ]
        .filter(Boolean)
        .join(' · ');
  blocks.push({ p: meta, cls: 'meta' });
  blocks.push({
    p: [
      'How do the BPF ring buffer (',
      { code: 'BPF_MAP_TYPE_RINGBUF' },
      ') and the BPF perf buffer (',
      { code: 'BPF_MAP_TYPE_PERF_EVENT_ARRAY' },
      ') compare when a storm of real process exits pushes events through them? Twin BPF programs differ only in the transport; everything below is measured, with 95% confidence intervals over repeats.',
      ...(sets.some((st) => st.results.scenarios.some((r) => CEILING_GROUPS.includes(r.group)))
        ? [' A second, synthetic load then pushes each transport to its ceiling (see ', { link: 'Ceilings', href: '#ceilings' }, ').'] as Inline[]
        : []),
    ],
    cls: 'lede',
  });

  // Verdicts
  blocks.push({ h: 2, text: 'Verdict' });
  blocks.push({ verdicts: sets.map((s) => ({ set: multi ? `${s.tag}: ${s.label}` : undefined, items: computeVerdicts(s) })) });

  blocks.push(...comparisonBlocks(opts.comparison));

  // Environment
  blocks.push({ h: 2, text: 'Environment' });
  blocks.push({ table: environmentTable(sets) });

  // Results per group
  blocks.push({ h: 2, text: 'Results' });
  // The saturation groups answer a different question: their own section follows.
  const groups = groupsIn(sets).filter((g) => !CEILING_GROUPS.includes(g));
  const placed = new Set<string>(CEILING_CHARTS);
  for (const g of groups) {
    blocks.push({ h: 3, text: GROUP_TITLES[g] ?? g, id: `group-${slug(g)}` });
    for (const [id, home] of Object.entries(CHART_HOME)) {
      if (home === g && figures.has(id)) {
        blocks.push(...figure(id));
        placed.add(id);
      }
    }
    blocks.push({ table: groupTable(sets, g) });
  }
  const rest = [...figures.keys()].filter((id) => !placed.has(id));
  if (rest.length) {
    blocks.push({ h: 3, text: rest.length === 1 && rest[0] === 'storm-timeline' ? 'A storm, window by window' : 'More views' });
    for (const id of rest) blocks.push(...figure(id));
  }
  if (skipped.length) {
    blocks.push({ p: [{ strong: 'Not shown.' }, ' These charts were left out rather than drawn empty:'] });
    blocks.push({ ul: skipped.map((s) => [{ em: s.chart }, ` — ${s.why}.`]) });
  }

  blocks.push(...ceilingsBlocks(sets, figure));

  blocks.push(...qualityBlocks(sets, errors));

  blocks.push(...methodology(sets));

  // Reproduce
  blocks.push({ h: 2, text: 'Reproduce' });
  for (const s of sets) {
    if (multi) blocks.push({ p: { strong: `${s.tag}: ${s.label}` } });
    blocks.push({ pre: s.results.command || '(command not recorded)' });
    const links: Inline[] = ['Raw data: ', { link: 'results.json', href: relLink(outDir, s.file) }];
    const csv = path.join(path.dirname(s.file), 'results.csv');
    if (existsSync(csv)) links.push(' · ', { link: 'results.csv', href: relLink(outDir, csv) });
    blocks.push({ p: links });
  }
  blocks.push({ p: 'Regenerate this report from the saved results:' });
  blocks.push({ pre: `ringbench report ${sets.map((s) => relLink(process.cwd(), s.file)).join(' ')} --out ${relLink(process.cwd(), outDir)}` });

  // Render
  const toc = blocks
    .filter((b): b is { h: 2; text: string; id?: string } => 'h' in b && b.h === 2)
    .map((b) => `<a href="#${esc(b.id ?? slug(b.text))}">${esc(b.text)}</a>`)
    .join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
${renderHtmlBlock(blocks[0])}
<nav class="toc">${toc}</nav>
${blocks.slice(1).map(renderHtmlBlock).join('\n')}
<footer>Generated by ringbench ${esc(String(first.environment.ringbench ?? ''))} from ${sets.map((s) => esc(path.basename(path.dirname(path.resolve(s.file))) + '/' + path.basename(s.file))).join(', ')}.</footer>
</main>
</body>
</html>
`;
  const md = `# ${title}\n\n${blocks.map(renderMdBlock).join('\n\n')}\n`;

  await mkdir(outDir, { recursive: true });
  const htmlFile = path.join(outDir, 'report.html');
  const mdFile = path.join(outDir, 'report.md');
  await writeFile(htmlFile, html);
  await writeFile(mdFile, md);
  log(`report: wrote ${htmlFile}, ${mdFile} and ${figures.size} chart${figures.size === 1 ? '' : 's'}${skipped.length ? ` (${skipped.length} left out for lack of data)` : ''}`);
  return { html: htmlFile, md: mdFile, charts: written, skipped, errors };
}
