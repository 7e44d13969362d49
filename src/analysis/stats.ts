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
 * Welch's standard error and degrees of freedom for mean(c) − mean(b); null when neither side has
 * two values; se 0 for a deterministic metric (e.g. buffer bytes), whose difference is exact. The
 * Welch–Satterthwaite degrees of freedom are rounded down (a slightly wider, conservative interval)
 * because the t table is indexed by whole numbers.
 */
export function welchStandardError(b: readonly number[], c: readonly number[]): { se: number; df: number } | null {
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
  const se = Math.sqrt(seB + seC);
  if (se === 0) return { se: 0, df: Infinity };
  const df = (seB + seC) ** 2 / ((nb > 1 ? seB ** 2 / (nb - 1) : 0) + (nc > 1 ? seC ** 2 / (nc - 1) : 0));
  return { se, df: Math.max(1, Math.floor(df)) };
}

/** Welch's 95% interval for mean(c) − mean(b); null when neither side has two values. */
export function welchDiffInterval(b: readonly number[], c: readonly number[]): [number, number] | null {
  const w = welchStandardError(b, c);
  if (!w) return null;
  const d = mean(c) - mean(b);
  if (w.se === 0) return [d, d];
  const t = tQuantile95(w.df);
  return [d - t * w.se, d + t * w.se];
}

/**
 * 95% interval for the mean of paired differences c[i] − b[i] (Student t); null with fewer than two
 * pairs. Pairing (A and B interleaved trial by trial) takes the drift both saw out of the spread.
 */
export function pairedDiffInterval(b: readonly number[], c: readonly number[]): { diff: number; se: number; df: number } | null {
  const n = Math.min(b.length, c.length);
  if (n < 2) return null;
  const d = Array.from({ length: n }, (_, i) => c[i] - b[i]);
  return { diff: mean(d), se: stddev(d) / Math.sqrt(n), df: n - 1 };
}

// ln Γ(x), Lanczos (g = 7, n = 9): enough for t-distribution tail probabilities.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

// Regularised incomplete beta I_x(a, b) by its continued fraction (Lentz), as in Numerical Recipes.
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x)) / a;
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let f = d;
  for (let m = 1; m <= 300; m++) {
    for (const num of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-12) break;
  }
  return front * f;
}

/** P(T > t) for Student's t with `df` degrees of freedom (df = Infinity: the normal). */
export function tUpperTail(t: number, df: number): number {
  if (!Number.isFinite(df)) return 0.5 * erfc(t / Math.SQRT2);
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

function erfc(x: number): number {
  // Abramowitz–Stegun 7.1.26 on |x|, reflected; |error| < 1.5e-7
  const z = Math.abs(x);
  const k = 1 / (1 + 0.3275911 * z);
  const y = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? y : 2 - y;
}

/**
 * Benjamini–Hochberg at level q: which of the p-values are discoveries. With every hypothesis true
 * (an A/A comparison) the chance of any discovery is at most q, whatever the number of metrics;
 * with real changes it flags far more than a Bonferroni cut would.
 */
export function benjaminiHochberg(p: readonly number[], q: number): boolean[] {
  const order = p.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  let cut = -1;
  order.forEach(([v], rank) => {
    if (v <= (q * (rank + 1)) / p.length) cut = rank;
  });
  const out = p.map(() => false);
  for (let r = 0; r <= cut; r++) out[order[r][1]] = true;
  return out;
}

/**
 * Two clusters, when the values fall into two: the widest gap between neighbouring sorted values
 * is at least half the whole range and each side holds at least a fifth of the values (and two).
 * A mean ± CI of such values describes neither cluster, so a report says so. Undefined otherwise.
 */
export function twoClusters(values: readonly number[]): { low: number[]; high: number[] } | undefined {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length < 5) return undefined;
  let at = 1; // the widest gap is between v[at - 1] and v[at]
  for (let i = 2; i < v.length; i++) if (v[i] - v[i - 1] > v[at] - v[at - 1]) at = i;
  const range = v[v.length - 1] - v[0];
  const minSide = Math.max(2, Math.ceil(v.length / 5));
  if (!(range > 0) || v[at] - v[at - 1] < range / 2 || at < minSide || v.length - at < minSide) return undefined;
  return { low: v.slice(0, at), high: v.slice(at) };
}
