/**
 * compare — regression comparison of two ringbench runs (`ringbench compare BASE CANDIDATE`).
 *
 * Scenarios are matched by their stable `id`. For every metric both runs measured, the change of the
 * candidate's mean against the base's mean gets a 95% confidence interval from the per-repeat values
 * and a criterion-style verdict: improved, regressed, no change, or within noise. The exit code is 1
 * when a judged metric regressed. Which metrics are compared and judged, and which way is better,
 * is the catalogue's word (results/metrics). Renderers (text, markdown, JSON, the report's sections)
 * are in compare-format.ts; the github-action-benchmark export in format/github.ts.
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
import { mean, stddev, welchDiffInterval } from './stats.js';
import { type ResultsFile, type ScenarioRecord } from '../results/schema.js';
import { ResultsInputError, sourceOf, validateResults } from '../results/load.js';
import { COMPARED_METRICS, metricSpec, unitName } from '../results/metrics.js';
import { type Environment } from '../harness/types.js';

// Kept for cli/report.ts and cli/run.ts until they import from compare-format and results/load.
export { comparisonSections } from './compare-format.js';
export { loadResults, ResultsInputError } from '../results/load.js';

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
    for (const metric of COMPARED_METRICS) {
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
  // Which metrics are judged, and which way is better: see the catalogue (results/metrics.ts).
  const spec = metricSpec(metric);
  const higherIsBetter = spec?.better === 'higher';
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
    unit: unitName(metric),
    judged: spec?.judged === true,
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
