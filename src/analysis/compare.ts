/**
 * compare — regression comparison of two ringbench runs (`ringbench compare BASE CANDIDATE`).
 *
 * Scenarios are matched by their stable `id`. For every metric both runs measured, the change of the
 * candidate's mean against the base's mean gets a 95% confidence interval from the per-repeat values
 * and a criterion-style verdict: improved, regressed, no change, or within noise. Outputs: a terminal
 * table, a pull-request comment (markdown), stable JSON, github-action-benchmark entries, and
 * markdown/HTML sections for the report. The exit code is 1 when a judged metric regressed.
 *
 * Statistics: Welch's t interval on the difference of means (candidate − base), divided by the base
 * mean to express it relative. Why not a bootstrap of the ratio of means: runs have 3–10 repeats, and
 * a percentile bootstrap over 5 values can only reshuffle those 5 values — its interval is
 * systematically too narrow (roughly 80–85% real coverage at n = 5), which would turn noise into
 * "regressions". Welch's t widens the interval for few repeats through the t quantile, allows the two
 * runs different variances (two kernels, two machines), needs no seed, and works on the difference,
 * so a base mean of 0 (no drops → 500 drops) still gets an interval. Dividing by the base mean ignores
 * the base mean's own uncertainty in the *relative* interval's width, but whether the interval
 * excludes 0 — the decision that matters — is exactly Welch's two-sided test at 5%.
 *
 * Verdicts follow criterion: "no change" when the interval holds 0; "improved"/"regressed" only when
 * the whole interval lies beyond the threshold; otherwise "within noise".
 */
import { mean, stddev, tQuantile95 } from './stats.js';
import { type ResultsFile, type ScenarioRecord } from '../results/schema.js';
import { ResultsInputError, sourceOf, validateResults } from '../results/load.js';

/** Re-exported while callers move to results/load. */
export { loadResults, ResultsInputError } from '../results/load.js';
import { HIGHER_IS_BETTER, JUDGED_METRICS, METRIC_NAMES } from '../results/metrics.js';
import { type Environment } from '../harness/types.js';

export const COMPARISON_SCHEMA = 'ringbench/comparison@1';

export type ChangeVerdict = 'regressed' | 'improved' | 'within noise' | 'no change';

/** Mean and spread of one metric on one side. */
export interface SideSummary {
  n: number;
  mean: number;
  stddev: number;
}

export interface MetricComparison {
  metric: string;
  unit: string;
  /** counted in the summary and the exit code; false = shown for information only */
  judged: boolean;
  higherIsBetter: boolean;
  base: SideSummary;
  candidate: SideSummary;
  /** candidate mean − base mean */
  diff: number;
  /** 95% interval of diff (Welch); null when neither side has two repeats */
  diffCi95: [number, number] | null;
  /** candidate mean / base mean − 1; null when the base mean is 0 (see diff) */
  change: number | null;
  /** diffCi95 relative to the base mean; null when either is unavailable */
  changeCi95: [number, number] | null;
  verdict: ChangeVerdict;
  /** e.g. "from 0", or why there is no interval */
  note: string | null;
}

export interface ScenarioComparison {
  id: string;
  group: string;
  label: string;
  transport: string;
  metrics: MetricComparison[];
}

export interface RunSummary {
  /** the file it was loaded from, or a description when the object did not come from loadResults */
  source: string;
  suite: string;
  startedAt: string;
  complete: boolean;
  environment: Omit<Environment, 'capabilities'>;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  thresholdPct: number;
  method: string;
  base: RunSummary;
  candidate: RunSummary;
  /** environment fields that differ between the runs (date excluded) */
  environmentDiffs: { field: string; base: string; candidate: string }[];
  /** scenarios present in both runs, in the base run's order */
  scenarios: ScenarioComparison[];
  onlyInBase: string[];
  onlyInCandidate: string[];
  /** plain-language caveats: one-sided scenarios, configuration differences, incomplete runs */
  warnings: string[];
  /** verdicts of judged metrics, and how many informational metrics were compared */
  summary: { regressed: number; improved: number; noChange: number; withinNoise: number; informational: number };
}

/** Judged metrics: see the catalogue (results/metrics.ts) for which and why. */
const JUDGED: ReadonlySet<string> = new Set(JUDGED_METRICS);
const NOT_COMPARED: ReadonlySet<string> = new Set(['counts.generated']);
/** Repeats each side needs before a change can be called improved or regressed. */
export const MIN_JUDGED_REPEATS = 3;

const ENVIRONMENT_FIELDS = [
  'kernel',
  'cpuModel',
  'cpuCount',
  'hostname',
  'libbpf',
  'clang',
  'bpftool',
  'node',
  'ringbench',
  'gitCommit',
] as const;

const METHOD =
  "Welch's t 95% interval on the difference of means over repeats, relative to the base mean; " +
  'regressed/improved only when the whole interval lies beyond the noise threshold (criterion)';

// ---------------------------------------------------------------------------------------------
// Comparing

/** Compare two runs scenario by scenario; see the module comment for the statistics. */
export function compareResults(
  base: ResultsFile,
  candidate: ResultsFile,
  opts: { thresholdPct: number },
): Comparison {
  if (!(opts.thresholdPct > 0 && Number.isFinite(opts.thresholdPct))) {
    throw new RangeError(`thresholdPct must be a positive number, got ${opts.thresholdPct}`);
  }
  const baseName = sourceOf(base, 'the base run');
  const candidateName = sourceOf(candidate, 'the candidate run');
  validateResults(base, baseName);
  validateResults(candidate, candidateName);

  const warnings: string[] = [];
  const baseById = indexById(base, baseName, warnings);
  const candidateById = indexById(candidate, candidateName, warnings);
  const onlyInBase = [...baseById.keys()].filter((id) => !candidateById.has(id));
  const onlyInCandidate = [...candidateById.keys()].filter((id) => !baseById.has(id));
  const commonIds = [...baseById.keys()].filter((id) => candidateById.has(id));
  if (commonIds.length === 0) {
    throw new ResultsInputError(
      `no scenarios in common between ${baseName} (${baseById.size} scenarios, suite "${base.suite}") ` +
        `and ${candidateName} (${candidateById.size} scenarios, suite "${candidate.suite}")`,
    );
  }
  if (onlyInBase.length) {
    warnings.push(`${onlyInBase.length} scenario(s) only in the base run, not compared: ${onlyInBase.join(', ')}`);
  }
  if (onlyInCandidate.length) {
    warnings.push(
      `${onlyInCandidate.length} scenario(s) only in the candidate run, not compared: ${onlyInCandidate.join(', ')}`,
    );
  }
  if (base.complete === false) warnings.push(`the base run is incomplete (${baseName})`);
  if (candidate.complete === false) warnings.push(`the candidate run is incomplete (${candidateName})`);

  const scenarios: ScenarioComparison[] = [];
  for (const id of commonIds) {
    const b = baseById.get(id)!;
    const c = candidateById.get(id)!;
    const configDiffs = diffConfig(b.config, c.config);
    if (configDiffs.length) {
      // Same id but different knobs (e.g. a changed suite default): the numbers compare different things.
      warnings.push(`${id}: configuration differs (${configDiffs.join(', ')})`);
    }
    const metrics: MetricComparison[] = [];
    let singleRepeat = false;
    for (const metric of METRIC_NAMES) {
      if (NOT_COMPARED.has(metric)) continue;
      const bv = finiteValues(b.repeats[metric]);
      const cv = finiteValues(c.repeats[metric]);
      if (!bv.length || !cv.length) continue;
      if (bv.every((v) => v === 0) && cv.every((v) => v === 0)) continue;
      const m = compareMetric(metric, bv, cv, opts.thresholdPct);
      if (m.diffCi95 === null) singleRepeat = true;
      metrics.push(m);
    }
    if (singleRepeat) {
      warnings.push(`${id}: one repeat per side, so no confidence interval; verdicts rest on the threshold alone`);
    }
    scenarios.push({ id, group: c.group, label: c.label, transport: c.transport, metrics });
  }

  const summary = { regressed: 0, improved: 0, noChange: 0, withinNoise: 0, informational: 0 };
  for (const s of scenarios) {
    for (const m of s.metrics) {
      if (!m.judged) summary.informational++;
      else if (m.verdict === 'regressed') summary.regressed++;
      else if (m.verdict === 'improved') summary.improved++;
      else if (m.verdict === 'no change') summary.noChange++;
      else summary.withinNoise++;
    }
  }

  return {
    schema: COMPARISON_SCHEMA,
    thresholdPct: opts.thresholdPct,
    method: METHOD,
    base: runSummary(base, baseName),
    candidate: runSummary(candidate, candidateName),
    environmentDiffs: diffEnvironment(base.environment, candidate.environment),
    scenarios,
    onlyInBase,
    onlyInCandidate,
    warnings,
    summary,
  };
}

function indexById(r: ResultsFile, name: string, warnings: string[]): Map<string, ScenarioRecord> {
  const byId = new Map<string, ScenarioRecord>();
  for (const s of r.scenarios) {
    if (byId.has(s.id)) warnings.push(`${name}: scenario id "${s.id}" appears twice; the last one is used`);
    byId.set(s.id, s);
  }
  return byId;
}

function finiteValues(xs: readonly number[] | undefined): number[] {
  return Array.isArray(xs) ? xs.filter((v) => typeof v === 'number' && Number.isFinite(v)) : [];
}

function compareMetric(metric: string, bv: number[], cv: number[], thresholdPct: number): MetricComparison {
  const higherIsBetter = HIGHER_IS_BETTER.has(metric);
  const baseMean = mean(bv);
  const diff = mean(cv) - baseMean;
  const diffCi95 = welchDiffInterval(bv, cv);
  const change = baseMean !== 0 ? diff / Math.abs(baseMean) : null;
  const changeCi95: [number, number] | null =
    diffCi95 && baseMean !== 0 ? [diffCi95[0] / Math.abs(baseMean), diffCi95[1] / Math.abs(baseMean)] : null;

  // Criterion's rule. No significant difference (the interval holds 0): no change. Significant and
  // the whole interval beyond the noise threshold on one side: improved or regressed. Significant
  // but the interval reaches inside the threshold: within noise. Requiring the whole interval, not
  // just the point estimate, beyond the threshold is what keeps two runs of the same build from
  // flagging each other on a noisy machine.
  // Without an interval (one repeat per side) the point estimate stands in for it; such a run has
  // too few repeats to be judged anyway, and a note says so.
  const excludesZero = diffCi95 === null || diffCi95[0] > 0 || diffCi95[1] < 0;
  const t = thresholdPct / 100;
  // From a base of 0 there is no relative change: a significant move away from 0 counts as beyond.
  const wholeBeyond = change === null
    ? diff !== 0
    : changeCi95 === null
      ? Math.abs(change) >= t
      : changeCi95[0] >= t || changeCi95[1] <= -t;
  const better = higherIsBetter ? diff > 0 : diff < 0;
  // Two repeats give a variance estimate with one degree of freedom: an interval from it says
  // little about run-to-run noise, so such a side is shown but never judged.
  const tooFew = Math.min(bv.length, cv.length) < MIN_JUDGED_REPEATS;
  let verdict: ChangeVerdict;
  if (!excludesZero) verdict = 'no change';
  else if (!wholeBeyond || tooFew) verdict = 'within noise';
  else verdict = better ? 'improved' : 'regressed';

  let note: string | null = null;
  if (change === null && diff !== 0) note = 'from 0';
  if (diffCi95 === null) note = note ? `${note}; no interval (one repeat)` : 'no interval (one repeat)';
  if (tooFew && excludesZero && wholeBeyond) {
    note = `${note ? `${note}; ` : ''}not judged: fewer than ${MIN_JUDGED_REPEATS} repeats`;
  }

  return {
    metric,
    unit: unitOf(metric),
    judged: JUDGED.has(metric),
    higherIsBetter,
    base: { n: bv.length, mean: baseMean, stddev: stddev(bv) },
    candidate: { n: cv.length, mean: mean(cv), stddev: stddev(cv) },
    diff,
    diffCi95,
    change,
    changeCi95,
    verdict,
    note,
  };
}

/**
 * Welch's 95% interval for mean(c) − mean(b). The Welch–Satterthwaite degrees of freedom are rounded
 * down (a slightly wider, conservative interval) because the t table is indexed by whole numbers.
 */
function welchDiffInterval(b: number[], c: number[]): [number, number] | null {
  const nb = b.length;
  const nc = c.length;
  if (nb < 2 && nc < 2) return null;
  let varB = stddev(b) ** 2;
  let varC = stddev(c) ** 2;
  // A side with a single repeat has no spread of its own: assume it shares the other side's.
  if (nb < 2) varB = varC;
  if (nc < 2) varC = varB;
  const seB = varB / nb;
  const seC = varC / nc;
  const d = mean(c) - mean(b);
  const se = Math.sqrt(seB + seC);
  if (se === 0) return [d, d]; // deterministic metric (e.g. buffer bytes): the difference is exact
  const df =
    (seB + seC) ** 2 / ((nb > 1 ? seB ** 2 / (nb - 1) : 0) + (nc > 1 ? seC ** 2 / (nc - 1) : 0));
  const t = tQuantile95(Math.max(1, Math.floor(df)));
  return [d - t * se, d + t * se];
}

function diffConfig(a: object | undefined, b: object | undefined): string[] {
  if (!a || !b) return [];
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])];
  return keys
    .filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]))
    .map((k) => `${k} ${JSON.stringify(ra[k])} → ${JSON.stringify(rb[k])}`);
}

function diffEnvironment(a: Partial<Environment> | undefined, b: Partial<Environment> | undefined) {
  return ENVIRONMENT_FIELDS.map((field) => ({
    field,
    base: String(a?.[field] ?? 'unknown'),
    candidate: String(b?.[field] ?? 'unknown'),
  })).filter((d) => d.base !== d.candidate);
}

function runSummary(r: ResultsFile, source: string): RunSummary {
  const { capabilities: _probe, ...environment } = r.environment ?? ({} as Environment);
  return { source, suite: r.suite, startedAt: r.startedAt, complete: r.complete, environment };
}

/** 1 when any judged metric regressed beyond the threshold, else 0. */
export function comparisonExitCode(c: Comparison): 0 | 1 {
  return c.summary.regressed > 0 ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Values and units

export function unitOf(metric: string): string {
  if (metric.startsWith('rates.')) return 'events/s';
  if (metric === 'ordering.inversionRatio') return 'ratio';
  if (metric === 'ordering.maxDisplacement') return 'positions';
  if (metric.startsWith('memory.')) return 'bytes';
  if (metric.endsWith('NsPerEvent')) return 'ns/event';
  if (metric === 'cpu.wakeups') return 'wakeups';
  if (metric.startsWith('latencyNs.') || metric.endsWith('Ns')) return 'ns';
  return 'events';
}

function formatValue(v: number, unit: string): string {
  const a = Math.abs(v);
  if (unit === 'ns' || unit === 'ns/event') {
    const per = unit === 'ns/event' ? '/ev' : '';
    if (a >= 1e9) return `${sig(v / 1e9)} s${per}`;
    if (a >= 1e6) return `${sig(v / 1e6)} ms${per}`;
    if (a >= 1e3) return `${sig(v / 1e3)} µs${per}`;
    return `${sig(v)} ns${per}`;
  }
  if (unit === 'bytes') {
    if (a >= 2 ** 30) return `${sig(v / 2 ** 30)} GiB`;
    if (a >= 2 ** 20) return `${sig(v / 2 ** 20)} MiB`;
    if (a >= 2 ** 10) return `${sig(v / 2 ** 10)} KiB`;
    return `${sig(v)} B`;
  }
  if (unit === 'ratio') return sig(v);
  const perSec = unit === 'events/s' ? '/s' : '';
  if (a >= 1e9) return `${sig(v / 1e9)}G${perSec}`;
  if (a >= 1e6) return `${sig(v / 1e6)}M${perSec}`;
  if (a >= 1e3) return `${sig(v / 1e3)}k${perSec}`;
  return `${sig(v)}${perSec}`;
}

/** Three significant digits without exponent noise: 35.2, 0.00612, 512. */
function sig(v: number): string {
  if (v === 0) return '0';
  return String(Number(v.toPrecision(3)));
}

function signed(text: string, v: number): string {
  return v > 0 ? `+${text}` : v < 0 ? `-${text.replace(/^-/, '')}` : text;
}

/** Signed percent; two decimals below 1% so small intervals stay readable. */
function pct(x: number): string {
  const p = Math.abs(x) * 100;
  return signed(`${p.toFixed(p < 1 ? 2 : 1)}%`, x);
}

// ---------------------------------------------------------------------------------------------
// Rows shared by every format

interface Row {
  scenario: string;
  metric: MetricComparison;
}

const SEVERITY: Record<ChangeVerdict, number> = { regressed: 0, improved: 1, 'within noise': 2, 'no change': 3 };

/** Regressions first (largest first), then improvements; the rest keep scenario order. */
function sortedRows(c: Comparison, judged: boolean): Row[] {
  const rows = c.scenarios.flatMap((s) =>
    s.metrics.filter((m) => m.judged === judged).map((metric) => ({ scenario: s.id, metric })),
  );
  const size = (m: MetricComparison) => (m.change === null ? Infinity : Math.abs(m.change));
  return rows.sort((a, b) => {
    const bySeverity = SEVERITY[a.metric.verdict] - SEVERITY[b.metric.verdict];
    if (bySeverity !== 0 || SEVERITY[a.metric.verdict] > 1) return bySeverity;
    return size(b.metric) - size(a.metric);
  });
}

const COLUMNS = ['verdict', 'scenario', 'metric', 'base', 'candidate', 'change', '95% CI'] as const;

function rowCells(r: Row): string[] {
  const m = r.metric;
  const value = (v: number) => formatValue(v, m.unit);
  let change: string;
  let interval: string;
  if (m.change !== null) {
    change = pct(m.change);
    interval = m.changeCi95 ? `[${pct(m.changeCi95[0])}, ${pct(m.changeCi95[1])}]` : 'n/a';
  } else {
    change = m.diff === 0 ? '0' : `from 0 (${signed(value(m.diff), m.diff)})`;
    interval = m.diffCi95
      ? `[${signed(value(m.diffCi95[0]), m.diffCi95[0])}, ${signed(value(m.diffCi95[1]), m.diffCi95[1])}]`
      : 'n/a';
  }
  return [m.verdict, r.scenario, m.metric, value(m.base.mean), value(m.candidate.mean), change, interval];
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2 regressions, 1 improvement, 40 unchanged (threshold 5%)" */
export function summaryLine(c: Comparison): string {
  const s = c.summary;
  return (
    `${plural(s.regressed, 'regression', 'regressions')}, ${plural(s.improved, 'improvement', 'improvements')}, ` +
    `${s.noChange + s.withinNoise} unchanged (threshold ${c.thresholdPct}%)`
  );
}

function runLine(r: RunSummary): string {
  return `${r.source} (suite ${r.suite}, started ${r.startedAt}${r.complete === false ? ', incomplete' : ''})`;
}

function environmentLine(c: Comparison, quote: (s: string) => string): string {
  if (!c.environmentDiffs.length) {
    const e = c.base.environment;
    return `same environment: kernel ${quote(String(e.kernel))}, ${e.cpuModel} × ${e.cpuCount}, host ${e.hostname}`;
  }
  return (
    'environment differs: ' +
    c.environmentDiffs.map((d) => `${d.field} ${quote(d.base)} → ${quote(d.candidate)}`).join('; ')
  );
}

// ---------------------------------------------------------------------------------------------
// Formats

/** Render a comparison; `color` adds ANSI colour to the text format (use only on a TTY). */
export function formatComparison(
  c: Comparison,
  format: 'text' | 'md' | 'json',
  opts: { color?: boolean } = {},
): string {
  if (format === 'json') return JSON.stringify(c, null, 2) + '\n';
  if (format === 'md') return comparisonMarkdown(c);
  return comparisonText(c, opts.color === true);
}

const ANSI: Record<ChangeVerdict, string> = {
  regressed: '\x1b[1;31m',
  improved: '\x1b[32m',
  'within noise': '\x1b[33m',
  'no change': '\x1b[2m',
};

function comparisonText(c: Comparison, color: boolean): string {
  const paint = (v: ChangeVerdict, s: string) => (color ? `${ANSI[v]}${s}\x1b[0m` : s);
  const lines = [
    `ringbench compare: ${summaryLine(c)}`,
    `  base:      ${runLine(c.base)}`,
    `  candidate: ${runLine(c.candidate)}`,
    `  ${environmentLine(c, (s) => s)}`,
    '',
  ];
  const table = (rows: Row[]) => {
    const cells = rows.map(rowCells);
    const header = COLUMNS.map((h) => h.toUpperCase());
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
    const pad = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
    lines.push(pad(header));
    rows.forEach((row, i) => {
      const text = pad(cells[i]);
      // Colour only the verdict word, after padding, so the columns stay aligned.
      lines.push(paint(row.metric.verdict, text.slice(0, widths[0])) + text.slice(widths[0]));
    });
  };
  table(sortedRows(c, true));
  const flaggedInfo = sortedRows(c, false).filter((r) => SEVERITY[r.metric.verdict] <= 1);
  if (flaggedInfo.length) {
    lines.push('', 'Informational metrics beyond the threshold (not judged):');
    table(flaggedInfo);
  }
  if (c.warnings.length) {
    lines.push('', 'Warnings:', ...c.warnings.map((w) => `  - ${w}`));
  }
  return lines.join('\n') + '\n';
}

const MD_VERDICT: Record<ChangeVerdict, string> = {
  regressed: '🔴 regressed',
  improved: '🟢 improved',
  'within noise': '⚪ within noise',
  'no change': 'no change',
};
// A GitHub comment holds 65,536 characters; the unchanged table is cut well before that.
const MD_MAX_UNCHANGED_ROWS = 300;

function comparisonMarkdown(c: Comparison): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  const table = (rows: Row[]) => [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((_, i) => (i >= 3 ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((r) => {
      const cells = rowCells(r).map(esc);
      cells[0] = MD_VERDICT[r.metric.verdict];
      return `| ${cells.join(' | ')} |`;
    }),
  ];
  const judged = sortedRows(c, true);
  const flagged = judged.filter((r) => SEVERITY[r.metric.verdict] <= 1);
  const unchanged = judged.filter((r) => SEVERITY[r.metric.verdict] > 1);
  const lines = [
    `**ringbench compare:** ${summaryLine(c)}`,
    '',
    `Base ${code(c.base.source)} → candidate ${code(c.candidate.source)}; ${environmentLine(c, code)}.`,
    '',
  ];
  if (flagged.length) lines.push(...table(flagged), '');
  if (unchanged.length) {
    const shown = unchanged.slice(0, MD_MAX_UNCHANGED_ROWS);
    lines.push(`<details><summary>${unchanged.length} unchanged metrics</summary>`, '', ...table(shown), '');
    if (shown.length < unchanged.length) {
      lines.push(`… ${unchanged.length - shown.length} more rows: see \`--format json\`.`, '');
    }
    lines.push('</details>', '');
  }
  const flaggedInfo = sortedRows(c, false).filter((r) => SEVERITY[r.metric.verdict] <= 1);
  if (flaggedInfo.length) {
    lines.push(
      `<details><summary>${flaggedInfo.length} informational metrics beyond the threshold (not judged)</summary>`,
      '',
      ...table(flaggedInfo),
      '',
      '</details>',
      '',
    );
  }
  if (c.warnings.length) lines.push('**Warnings**', '', ...c.warnings.map((w) => `- ${esc(w)}`), '');
  lines.push(`<sub>${c.method}; verdict needs the interval to exclude 0 and the change to reach ${c.thresholdPct}%.</sub>`);
  return lines.join('\n') + '\n';
}

const HTML_STYLE = `
.rb-compare table{border-collapse:collapse;font:13px/1.4 system-ui,sans-serif;margin:.5em 0}
.rb-compare th,.rb-compare td{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left}
.rb-compare td.num{text-align:right;font-variant-numeric:tabular-nums}
.rb-compare .regressed{color:#b00020;font-weight:600}
.rb-compare .improved{color:#1b7f3b;font-weight:600}
.rb-compare .within-noise{color:#8a6d00}
.rb-compare .no-change{color:#777}`;

function comparisonHtml(c: Comparison): string {
  const esc = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const table = (rows: Row[]) => {
    const head = `<tr>${COLUMNS.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
    const body = rows
      .map((r) => {
        const cells = rowCells(r);
        const cls = r.metric.verdict.replace(' ', '-');
        return (
          `<tr><td class="${cls}">${esc(cells[0])}</td>` +
          cells.slice(1).map((cell, i) => `<td${i >= 2 ? ' class="num"' : ''}>${esc(cell)}</td>`).join('') +
          '</tr>'
        );
      })
      .join('\n');
    return `<table><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
  };
  const parts = [
    `<section class="rb-compare">`,
    `<style>${HTML_STYLE}\n</style>`,
    `<p><strong>${esc(summaryLine(c))}</strong></p>`,
    `<p>Base <code>${esc(c.base.source)}</code> → candidate <code>${esc(c.candidate.source)}</code>; ` +
      `${esc(environmentLine(c, (s) => s))}.</p>`,
    table(sortedRows(c, true)),
  ];
  const info = sortedRows(c, false);
  if (info.length) {
    parts.push(`<details><summary>Informational metrics (not judged)</summary>${table(info)}</details>`);
  }
  if (c.warnings.length) parts.push(`<ul>${c.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  parts.push(`<p><small>${esc(c.method)}.</small></p>`, `</section>`);
  return parts.join('\n') + '\n';
}

/** Markdown and self-contained HTML (inline style, no external resources) for the report to embed. */
export function comparisonSections(c: Comparison): { markdown: string; html: string } {
  return { markdown: comparisonMarkdown(c), html: comparisonHtml(c) };
}

// ---------------------------------------------------------------------------------------------
// github-action-benchmark

/** One entry of github-action-benchmark's customBiggerIsBetter / customSmallerIsBetter JSON. */
export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/**
 * The candidate run's means of the judged metrics of compared scenarios, split by direction:
 * `biggerIsBetter` feeds tool "customBiggerIsBetter", `smallerIsBetter` "customSmallerIsBetter".
 * range = ± half-width of the candidate mean's 95% interval (Student t), when it has 2+ repeats.
 */
export function toGithubActionBenchmark(c: Comparison): {
  biggerIsBetter: BenchmarkEntry[];
  smallerIsBetter: BenchmarkEntry[];
} {
  const biggerIsBetter: BenchmarkEntry[] = [];
  const smallerIsBetter: BenchmarkEntry[] = [];
  for (const s of c.scenarios) {
    for (const m of s.metrics) {
      if (!m.judged) continue;
      const { n, mean: value, stddev: sd } = m.candidate;
      const entry: BenchmarkEntry = { name: `${s.id} ${m.metric}`, unit: m.unit, value };
      if (n > 1) entry.range = `± ${Number(((tQuantile95(n - 1) * sd) / Math.sqrt(n)).toPrecision(3))}`;
      const change = m.change === null ? (m.diff === 0 ? '0' : 'from 0') : pct(m.change);
      entry.extra = `n=${n}; base mean ${Number(m.base.mean.toPrecision(6))}; change ${change} (${m.verdict})`;
      (m.higherIsBetter ? biggerIsBetter : smallerIsBetter).push(entry);
    }
  }
  return { biggerIsBetter, smallerIsBetter };
}
