/**
 * analysis/compare-judge — one metric's change and its verdict, whatever the noise basis: the
 * evidence (difference of means, its standard error and degrees of freedom) comes from paired
 * trials, from runs as units, from a noise record, or from repeats within one run; the verdict
 * from criterion's rule, made safe for hundreds of metrics at once.
 *
 * The rule. "no change" when the 95% interval of the difference holds 0. "regressed"/"improved"
 * only when the change is shown to lie beyond the threshold (and beyond the catalogue's absolute
 * floor): the one-sided p-value of "the change is no bigger than the threshold" is a discovery under
 * Benjamini–Hochberg at 2.5% over every judged metric of the comparison. For a single metric that is
 * exactly "the whole interval lies beyond the threshold"; over 300 metrics of two identical runs it
 * keeps the chance of any false regression at 2.5% instead of letting 300 chances add up.
 * Otherwise "within noise".
 */
import { benjaminiHochberg, mean, stddev, tQuantile95, tUpperTail } from './stats.js';
import { floorOf, metricSpec, unitName } from '../results/metrics.js';

export type ChangeVerdict = 'regressed' | 'improved' | 'within noise' | 'no change';

/** Mean and spread of one metric on one side (over repeats, or over run means with runs as units). */
export interface SideSummary {
  n: number;
  mean: number;
  stddev: number;
}

/** The difference candidate − base with its standard error; se 0 = exact (deterministic metric). */
export interface Evidence {
  diff: number;
  se: number;
  df: number;
}

export interface MetricComparison {
  metric: string;
  unit: string;
  /** counted in the summary and the exit code; false = shown for information only */
  judged: boolean;
  /** judged and with enough data for an interval: its verdict can go either way (a gate that
   *  decided nothing fails closed, see comparisonExitCode) */
  decided: boolean;
  higherIsBetter: boolean;
  base: SideSummary;
  candidate: SideSummary;
  /** candidate mean − base mean */
  diff: number;
  /** 95% interval of diff; null when there is no estimate of the noise */
  diffCi95: [number, number] | null;
  /** candidate mean / base mean − 1; null when the base mean is 0 (see diff) */
  change: number | null;
  /** diffCi95 relative to the base mean; null when either is unavailable */
  changeCi95: [number, number] | null;
  verdict: ChangeVerdict;
  /** one-sided p-value that the change is no bigger than the threshold (and floor); 1 without evidence */
  p: number;
  /** e.g. "from 0", "below the floor", or why it is not judged */
  note: string | null;
}

/** What compare hands over for one metric before the verdicts of the whole comparison are made. */
export interface MetricInput {
  metric: string;
  judged: boolean;
  base: number[];
  candidate: number[];
  evidence: Evidence | null;
  /** true when there is too little to judge on (a note says why) */
  tooFew: string | null;
  note: string | null;
}

/** The interval, change and one-sided p-value of one metric (verdict left for judgeAll). */
export function measureChange(input: MetricInput, thresholdPct: number): MetricComparison {
  const spec = metricSpec(input.metric);
  const higherIsBetter = spec?.better === 'higher';
  const baseMean = mean(input.base);
  const candMean = mean(input.candidate);
  const e = input.evidence;
  const diff = e ? e.diff : candMean - baseMean;
  const half = e ? (e.se === 0 ? 0 : tQuantile95(Math.max(1, Math.floor(Math.min(e.df, 1e6)))) * e.se) : NaN;
  const diffCi95: [number, number] | null = e ? [diff - half, diff + half] : null;
  const change = baseMean !== 0 ? diff / Math.abs(baseMean) : null;
  const changeCi95: [number, number] | null =
    diffCi95 && baseMean !== 0 ? [diffCi95[0] / Math.abs(baseMean), diffCi95[1] / Math.abs(baseMean)] : null;

  const floor = floorOf(input.metric);
  const margin = Math.max((thresholdPct / 100) * Math.abs(baseMean), floor);
  const notes: string[] = [];
  if (change === null && diff !== 0) notes.push('from 0');
  if (input.note) notes.push(input.note);
  let p = 1;
  if (!input.tooFew && e) {
    const beyond = Math.abs(diff) - margin;
    // From a base of 0 with no floor, any move away from 0 counts as beyond.
    if (e.se === 0) p = beyond > 0 || (margin === 0 && diff !== 0) ? 0 : 1;
    else p = tUpperTail(beyond / e.se, e.df);
    if (floor > 0 && Math.abs(diff) < floor && Math.abs(diff) >= (thresholdPct / 100) * Math.abs(baseMean)) {
      notes.push(`below the floor (${floor} ${unitName(input.metric)})`);
    }
  }
  if (!e) notes.push('no interval (one repeat)');
  if (input.tooFew) notes.push(input.tooFew);
  return {
    metric: input.metric,
    unit: unitName(input.metric),
    judged: input.judged,
    decided: input.judged && !!e && !input.tooFew,
    higherIsBetter,
    base: { n: input.base.length, mean: baseMean, stddev: stddev(input.base) },
    candidate: { n: input.candidate.length, mean: candMean, stddev: stddev(input.candidate) },
    diff,
    diffCi95,
    change,
    changeCi95,
    verdict: 'no change',
    p,
    note: notes.length ? notes.join('; ') : null,
  };
}

/** One-sided false-discovery level of the regressed/improved verdicts (= a 95% two-sided interval for one metric). */
export const DISCOVERY_LEVEL = 0.025;

/** Verdicts for every metric of a comparison at once (the judged metrics' discoveries are made jointly). */
export function judgeAll(metrics: MetricComparison[]): void {
  const judged = metrics.filter((m) => m.judged);
  const found = benjaminiHochberg(judged.map((m) => m.p), DISCOVERY_LEVEL);
  const discovered = new Set(judged.filter((_, i) => found[i]));
  for (const m of metrics) {
    const excludesZero = m.diffCi95 === null ? m.diff !== 0 : m.diffCi95[0] > 0 || m.diffCi95[1] < 0;
    // Informational metrics are flagged on their own interval (they never decide the exit code).
    const beyond = m.judged ? discovered.has(m) : m.p < DISCOVERY_LEVEL;
    if (beyond) m.verdict = (m.higherIsBetter ? m.diff > 0 : m.diff < 0) ? 'improved' : 'regressed';
    else m.verdict = excludesZero ? 'within noise' : 'no change';
  }
}
