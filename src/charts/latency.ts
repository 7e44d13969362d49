/**
 * charts/latency — delivery latency percentiles (p50 to p99.9) per transport on a log axis, one
 * panel per rate when the latency group swept several.
 */
import { metricAggregate } from '../analysis/groups.js';
import type { ResultSet } from '../results/schema.js';
import { ciFields, comparable, seriesOf, type Drawn, type Row, type Series } from './data.js';
import { colourEncoding, colourScale, dashEncoding, NS_LABEL, SHAPE, SI_LABEL, SINGLE_H, SINGLE_W, top } from './theme.js';

const PERCENTILES = [
  ['latencyNs.p50', 'p50'],
  ['latencyNs.p90', 'p90'],
  ['latencyNs.p99', 'p99'],
  ['latencyNs.p999', 'p99.9'],
] as const;

/** Latency percentiles of the latency group, else of the lightest load of a group that has them. */
export function latencyChart(sets: readonly ResultSet[]): Drawn {
  const rows: Row[] = [];
  const series: Series[] = [];
  const { picked, from, labels } = comparable(sets, 'latency', 'latencyNs.p99');
  picked.forEach((recs, i) => {
    for (const rec of recs) {
      const s = seriesOf(sets, i, rec, {});
      for (const [metric, name] of PERCENTILES) {
        const a = metricAggregate(rec, metric);
        if (!a) continue;
        series.push(s);
        rows.push({ series: s.name, set: sets[i].label, transport: rec.transport, x: rec.x?.value ?? 0, xPlot: 0, ...ciFields(metric, a, 1e-3), category: name, panel: rec.label });
      }
    }
  });
  if (!rows.length) return { from };
  const colour = colourEncoding(series);
  const order = colourScale(series).domain;
  const xEnc = {
    field: 'category',
    type: 'ordinal',
    sort: PERCENTILES.map((p) => p[1]),
    scale: { paddingInner: 0.55, paddingOuter: 0.3 },
    axis: { title: 'percentile', labelAngle: 0, labelFontSize: 12 },
  };
  const off = { field: 'series', type: 'nominal', sort: order };
  // 1-2-5 ticks across the data's decades: readable on a log axis without crowding.
  const lo = Math.min(...rows.flatMap((r) => [r.lo, r.mean]).filter((v) => v > 0));
  const hi = Math.max(...rows.map((r) => r.hi));
  // A log axis has no zero: an interval cut at zero runs to the foot of the plot (the decade
  // below the smallest value, where the niced domain starts) instead of vanishing.
  const foot = 10 ** Math.floor(Math.log10(lo));
  const toFoot = rows.filter((r) => !(r.lo > 0));
  for (const r of toFoot) r.lo = foot;
  const tickLo = toFoot.length ? foot : lo / 2;
  const ticks: number[] = [];
  for (let d = foot; d <= hi * 10; d *= 10) for (const m of [1, 2, 5]) if (d * m >= tickLo && d * m <= hi * 2) ticks.push(d * m);
  const yScale = { type: 'log', nice: true };
  const layer = [
    {
      name: 'latency_errorbars',
      mark: { type: 'rule', strokeWidth: 1.6 },
      encoding: { x: xEnc, xOffset: off, y: { field: 'lo', type: 'quantitative', scale: yScale, axis: { title: 'latency (µs, log scale)', labelExpr: SI_LABEL, values: ticks } }, y2: { field: 'hi' }, color: colour },
    },
    {
      name: 'latency_means',
      mark: { type: 'point', filled: true, size: 70, shape: 'diamond' },
      encoding: { x: xEnc, xOffset: off, y: { field: 'mean', type: 'quantitative' }, color: colour },
    },
  ];
  const title = 'Delivery latency percentiles (BPF timestamp → user-space receive)';
  // Several rates (or other variants): one panel each, same y axis, left to right by x.
  const spec =
    labels.length > 1
      ? top(title, {
          data: { values: rows },
          facet: { column: { field: 'panel', type: 'ordinal', sort: labels, title: null, header: { labelFontSize: 12, labelColor: '#444' } } },
          spec: { width: Math.max(170, Math.floor((SINGLE_W - 24 * (labels.length - 1)) / labels.length)), height: SINGLE_H, layer },
          spacing: 24,
        })
      : top(title, { width: SINGLE_W, height: SINGLE_H, data: { values: rows }, layer });
  return { spec, from };
}

/** Percentile on the "nines" axis: p50 → 0.3, p90 → 1, p99 → 2, p99.9 → 3. */
const nines = (p: number) => -Math.log10(1 - p);
const CDF_POINTS = [
  ['latencyNs.p50', 0.5],
  ['latencyNs.p90', 0.9],
  ['latencyNs.p99', 0.99],
  ['latencyNs.p999', 0.999],
] as const;

/**
 * The latency distribution as a CDF through the percentiles the results keep (p50 … p99.9; the run
 * stores percentiles, not the histogram): latency on a log x axis, the share of events at or below
 * it on a "nines" y axis, so the tail is as wide as the body. Horizontal bars are 95% CIs.
 */
export function latencyCdfChart(sets: readonly ResultSet[]): Drawn {
  const rows: (Row & { nines: number })[] = [];
  const series: Series[] = [];
  const { picked, from } = comparable(sets, 'latency', 'latencyNs.p99');
  picked.forEach((recs, i) => {
    // One rate per chart: the middle one, as the takeaway (analysis/findings latencyFinding) uses.
    const xs = [...new Set(recs.map((r) => r.x?.value ?? 0))].sort((a, b) => a - b);
    const mid = xs[Math.floor((xs.length - 1) / 2)];
    for (const rec of recs.filter((r) => (r.x?.value ?? 0) === mid)) {
      const s = seriesOf(sets, i, rec, {});
      for (const [metric, p] of CDF_POINTS) {
        const a = metricAggregate(rec, metric);
        if (!a || !(a.mean > 0)) continue;
        series.push(s);
        const f = ciFields(metric, a);
        rows.push({ series: s.name, set: sets[i].label, transport: rec.transport, x: 0, xPlot: 0, ...f, lo: Math.max(f.lo, a.mean / 100), nines: nines(p) });
      }
    }
  });
  if (rows.length < 2) return { from };
  const colour = colourEncoding(series);
  // 1-2-5 ticks over the data's decades: a log axis labelled without crowding.
  const lo = Math.min(...rows.map((r) => r.lo));
  const hi = Math.max(...rows.map((r) => r.hi));
  const values: number[] = [];
  for (let d = 10 ** Math.floor(Math.log10(lo)); d <= hi * 10; d *= 10) for (const m of [1, 3]) if (d * m >= lo / 1.5 && d * m <= hi * 1.5) values.push(d * m);
  const x = { field: 'mean', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'delivery latency (log scale)', labelExpr: NS_LABEL, values } };
  const y = {
    field: 'nines',
    type: 'quantitative',
    scale: { domain: [0, 3.2] },
    axis: { title: 'share of events at or below', values: CDF_POINTS.map(([, p]) => nines(p)), labelExpr: "datum.value < 0.5 ? '50%' : datum.value < 1.5 ? '90%' : datum.value < 2.5 ? '99%' : '99.9%'" },
  };
  const spec = top('Delivery latency distribution', {
    width: SINGLE_W,
    height: SINGLE_H - 40,
    data: { values: rows },
    layer: [
      { name: 'cdf_ci', mark: { type: 'rule', strokeWidth: 1.4, opacity: 0.7 }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color: colour } },
      { name: 'cdf_lines', mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color: colour, strokeDash: dashEncoding(sets), detail: { field: 'series' } } },
      { name: 'cdf_points', mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y, color: colour, shape: SHAPE } },
    ],
  });
  return { spec, from };
}
