/**
 * format/github — a comparison as github-action-benchmark input: the candidate run's means of the
 * judged metrics, split by direction into the customBiggerIsBetter and customSmallerIsBetter tools'
 * JSON arrays. The input is described structurally (analysis/compare's Comparison fits it), so this
 * layer does not import analysis.
 */
import { tQuantile95 } from '../results/aggregate.js';
import { fmtChange } from './units.js';

/** One entry of github-action-benchmark's customBiggerIsBetter / customSmallerIsBetter JSON. */
export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** What the export reads of a comparison. */
export interface BenchmarkSource {
  /** the noise basis: kind (paired, runs, noise, within-run) and its line for people */
  basis?: { kind: string; text: string };
  scenarios: readonly {
    id: string;
    metrics: readonly {
      metric: string;
      unit: string;
      judged: boolean;
      higherIsBetter: boolean;
      base: { mean: number };
      candidate: { n: number; mean: number; stddev: number };
      diff: number;
      change: number | null;
      verdict: string;
    }[];
  }[];
}

/**
 * The candidate run's means of the judged metrics of compared scenarios, split by direction,
 * each entry's `extra` carrying the verdict, the method and the noise basis behind it:
 * `biggerIsBetter` feeds tool "customBiggerIsBetter", `smallerIsBetter` "customSmallerIsBetter".
 * range = ± half-width of the candidate mean's 95% interval (Student t), when it has 2+ repeats.
 */
export function toGithubActionBenchmark(c: BenchmarkSource): {
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
      const change = m.change === null ? (m.diff === 0 ? '0' : 'from 0') : fmtChange(m.change);
      entry.extra = `n=${n}; base mean ${Number(m.base.mean.toPrecision(6))}; change ${change} (${m.verdict})` +
        (c.basis ? `; method ${c.basis.kind}: ${c.basis.text}` : '');
      (m.higherIsBetter ? biggerIsBetter : smallerIsBetter).push(entry);
    }
  }
  return { biggerIsBetter, smallerIsBetter };
}
