/**
 * analysis/stats — statistics that compare: whether two aggregates' 95% intervals overlap (verdicts)
 * and Welch's t interval on the difference of two sets of repeats (compare). The per-metric summary
 * itself (mean, spread, CI, outliers) is results/aggregate, re-exported here for callers of analysis.
 */
import type { Aggregate } from '../results/schema.js';
import { mean, stddev, tQuantile95 } from '../results/aggregate.js';

export { aggregate, halfCi, mean, noiseWarning, quantileSorted, stddev, tQuantile95 } from '../results/aggregate.js';

export function intervalsOverlap(a: Aggregate, b: Aggregate): boolean {
  return a.ci95[0] <= b.ci95[1] && b.ci95[0] <= a.ci95[1];
}

/**
 * Welch's 95% interval for mean(c) − mean(b); null when neither side has two values. The
 * Welch–Satterthwaite degrees of freedom are rounded down (a slightly wider, conservative interval)
 * because the t table is indexed by whole numbers.
 */
export function welchDiffInterval(b: readonly number[], c: readonly number[]): [number, number] | null {
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
