/**
 * charts/data — the flat rows every spec plots and the series they belong to: one series per
 * transport (and wake-up policy, reader or scenario variant, and result set), each row a mean
 * with the interval drawn for it. Also which records a one-off comparison (latency, CPU) uses.
 */
import type { TopLevelSpec } from 'vega-lite';
import { displayInterval, isSaturation, metricAggregate, readerOf, recordsOf, wakeupVariant } from '../analysis/groups.js';
import type { Aggregate, ResultSet, ScenarioRecord } from '../results/schema.js';

export type Transport = ScenarioRecord['transport'];

/** What a chart family draws: its spec (none without data) and what its caption must mention. */
export interface Drawn {
  spec?: TopLevelSpec;
  /** scenarios borrowed from another group because the results have no dedicated one */
  from?: string[];
  /** series measured at one x only, drawn as a reference level across a sweep */
  references?: string[];
  /** "2 producer threads, 64 KiB buffer": the saturation setup of the records drawn */
  setup?: string;
  /** the sustainable rates drawn come from one search per repeat (mean ± CI), not one per scenario */
  sustainedPerRepeat?: boolean;
  /** when a search's run carried its rate, in words (analysis/search ruleWords) */
  searchRule?: string;
  /** a loss curve: its runs' length, the fewest and most runs at a rate, the sustainable rule */
  loss?: { seconds: number; runsPerRate: [number, number]; rule: string };
}

export interface Series {
  name: string;
  transport: Transport;
  variant?: string;
  setIndex: number;
}

export interface SeriesOptions {
  /** split ringbuf/perfbuf by wake-up policy (wakeup group) */
  byVariant?: boolean;
  /** split by scenario label (several variants of one scenario, e.g. cpu: epoll vs busy) */
  byLabel?: boolean;
}

export function seriesOf(sets: readonly ResultSet[], setIndex: number, rec: ScenarioRecord, o: SeriesOptions): Series {
  const variant = o.byVariant ? wakeupVariant(rec) : o.byLabel ? rec.label : undefined;
  let name: string = rec.transport;
  if (variant) name += ` (${variant})`;
  if (sets.length > 1) name += ` · ${sets[setIndex].label}`;
  return { name, transport: rec.transport, variant, setIndex };
}

export interface Row {
  series: string;
  set: string;
  transport: Transport;
  x: number;
  /** x nudged sideways per series so error bars at the same x stay visible */
  xPlot: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
  panel?: string;
  category?: string;
  /** the drawn interval was cut at zero / at 100%, limits the metric cannot pass (displayInterval) */
  clippedLow?: boolean;
  clippedHigh?: boolean;
}

/** Mean and drawn interval of an aggregate, scaled for display (µs from ns, ...). */
export function ciFields(metric: string, a: Aggregate, k = 1): Pick<Row, 'mean' | 'lo' | 'hi' | 'n' | 'clippedLow' | 'clippedHigh'> {
  const { lo, hi, clippedLow, clippedHigh } = displayInterval(metric, a);
  return { mean: a.mean * k, lo: lo * k, hi: hi * k, n: a.n, ...(clippedLow ? { clippedLow } : {}), ...(clippedHigh ? { clippedHigh } : {}) };
}

export function rowsFor(
  sets: readonly ResultSet[],
  pick: (set: ResultSet) => ScenarioRecord[],
  metric: string,
  o: SeriesOptions & { scale?: number; panel?: string } = {},
): { rows: Row[]; series: Series[] } {
  const rows: Row[] = [];
  const series: Series[] = [];
  const k = o.scale ?? 1;
  sets.forEach((set, i) => {
    for (const rec of pick(set)) {
      const a = metricAggregate(rec, metric);
      if (!a || !Number.isFinite(a.mean)) continue;
      const s = seriesOf(sets, i, rec, o);
      series.push(s);
      rows.push({
        series: s.name,
        set: set.label,
        transport: rec.transport,
        x: rec.x?.value,
        xPlot: rec.x?.value,
        ...ciFields(metric, a, k),
        panel: o.panel,
      });
    }
  });
  return { rows, series };
}

/** A ceilings series: transport and reader (libbpf's, or the custom batch reader), and set. */
export function readerSeries(sets: readonly ResultSet[], setIndex: number, rec: ScenarioRecord): Series {
  const variant = `${readerOf(rec)} reader`;
  let name = `${rec.transport} (${variant})`;
  if (sets.length > 1) name += ` · ${sets[setIndex].label}`;
  return { name, transport: rec.transport, variant, setIndex };
}

/**
 * Records for a one-off comparison (latency, CPU): the preferred group, else the lightest load
 * of the first group that has the metric — the closest thing to a moderate rate.
 */
function pickComparable(set: ResultSet, preferred: string, metric: string): { recs: ScenarioRecord[]; from?: string } {
  const own = recordsOf(set, preferred).filter((r) => metricAggregate(r, metric));
  if (own.length) return { recs: own };
  // Storm scenarios only: a saturation run is no moderate rate.
  const withMetric = set.results.scenarios.filter((r) => !isSaturation(r) && metricAggregate(r, metric)?.mean);
  if (!withMetric.length) return { recs: [] };
  const group = withMetric[0].group;
  const inGroup = withMetric.filter((r) => r.group === group);
  const lightest = Math.min(...inGroup.map((r) => r.x?.value ?? 0));
  const recs = inGroup.filter((r) => (r.x?.value ?? 0) === lightest);
  return { recs, from: `${group} ${recs[0].label}` };
}

/** Scenarios per set for a one-off comparison, and whether they span several labels. */
export function comparable(sets: readonly ResultSet[], group: string, metric: string) {
  const from: string[] = [];
  const picked = sets.map((set) => {
    const { recs, from: f } = pickComparable(set, group, metric);
    if (f) from.push(sets.length > 1 ? `${set.label}: ${f}` : f);
    return recs;
  });
  const labels = [...new Map(picked.flat().map((r) => [r.label, r.x?.value ?? 0])).entries()]
    .sort((a, b) => a[1] - b[1])
    .map(([l]) => l);
  return { picked, from, labels };
}
