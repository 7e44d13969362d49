/**
 * results/aggregate — the summary a results file stores per metric: mean, spread, a 95% confidence
 * interval of the mean (Student t, because repeats are few) and Tukey outliers, plus the words run
 * and report use for a noisy one. Comparisons between aggregates live in analysis/stats.
 */
import type { Aggregate } from './schema.js';
import { NOISY_REL_CI } from './metrics.js';

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; beyond 30 the normal value.
const T975 = [
  NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16,
  2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052,
  2.048, 2.045, 2.042,
];

/** t quantile for a two-sided 95% interval with `df` degrees of freedom. */
export function tQuantile95(df: number): number {
  if (df < 1) return NaN;
  return df < T975.length ? T975[df] : 1.96;
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

export function stddev(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) * (x - m), 0) / (xs.length - 1));
}

/** Linear-interpolated quantile of sorted data, q in [0, 1]. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function aggregate(values: readonly number[]): Aggregate {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  const sorted = [...xs].sort((a, b) => a - b);
  const m = mean(xs);
  const sd = stddev(xs);
  const half = n > 1 ? (tQuantile95(n - 1) * sd) / Math.sqrt(n) : 0;
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const fence = 1.5 * (q3 - q1);
  const outliers = n >= 4 ? xs.filter((x) => x < q1 - fence || x > q3 + fence).length : 0;
  return {
    n,
    mean: m,
    stddev: sd,
    min: n ? sorted[0] : NaN,
    max: n ? sorted[n - 1] : NaN,
    median: quantileSorted(sorted, 0.5),
    ci95: [m - half, m + half],
    relCi: m !== 0 && Number.isFinite(m) ? half / Math.abs(m) : 0,
    outliers,
  };
}

/** Words for a noisy aggregate, or nothing when it is tight; used by run and report alike. */
export function noiseWarning(metric: string, a: Aggregate, relThreshold = NOISY_REL_CI): string | undefined {
  const parts: string[] = [];
  if (a.n > 1 && a.relCi > relThreshold) {
    parts.push(`95% CI is ±${(a.relCi * 100).toFixed(0)}% of the mean`);
  }
  if (a.outliers > 0) parts.push(`${a.outliers} of ${a.n} repeats are outliers (beyond 1.5 IQR)`);
  return parts.length ? `${metric}: ${parts.join('; ')}` : undefined;
}

/** Half-width of the 95% interval. */
export function halfCi(a: Aggregate): number {
  return (a.ci95[1] - a.ci95[0]) / 2;
}
