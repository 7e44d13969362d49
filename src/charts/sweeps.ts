/**
 * charts/sweeps — the sweep family: a metric against a swept parameter on a log x axis (producers,
 * buffer memory, wake-up N, event size), means joined by lines with their 95% intervals, one or
 * two panels side by side.
 */
import type { TopLevelSpec } from 'vega-lite';
import { recordsOf } from '../analysis/groups.js';
import { DROP_RATE } from '../results/metrics.js';
import type { ResultSet } from '../results/schema.js';
import { rowsFor, type Drawn, type Row, type Series, type SeriesOptions } from './data.js';
import { BYTES_LABEL, colourEncoding, colourScale, dashEncoding, HALF_H, HALF_W, NS_LABEL, SHAPE, SI_LABEL, SINGLE_H, SINGLE_W, top } from './theme.js';

interface SweepAxis {
  title: string;
  /** label x ticks as byte sizes */
  bytes?: boolean;
}

interface PanelOptions {
  title?: string;
  yTitle: string;
  yFormat?: string;
  yLabelExpr?: string;
  yZero?: boolean;
  yLog?: boolean;
  width: number;
  height: number;
}

/**
 * Spread series sideways on a log x axis by a fixed number of pixels, converted to octaves
 * from the plot width, so the nudge looks the same whatever the swept range.
 */
function dodgeLog(rows: Row[], domain: [number, number], widthPx: number, series: string[], px = 7): void {
  const octaves = Math.log2(domain[1] / domain[0]);
  const step = (px / widthPx) * octaves;
  const m = series.length;
  for (const r of rows) {
    const i = series.indexOf(r.series);
    r.xPlot = r.x * 2 ** ((i - (m - 1) / 2) * step);
  }
}

/** Log-x sweep domain with room either side, and the tick values (the swept values themselves). */
function sweepDomain(rows: Row[]): { domain: [number, number]; values: number[] } {
  const values = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
  const lo = values[0];
  const hi = values[values.length - 1];
  const pad = Math.max(1.25, (hi / lo) ** 0.06);
  return { domain: [lo / pad, hi * pad], values };
}

/** One sweep panel: error-bar rules, connecting lines and mean points, on a log x axis. */
function sweepPanel(
  rows: Row[],
  series: Series[],
  sets: readonly ResultSet[],
  x: SweepAxis,
  xDomain: { domain: [number, number]; values: number[] },
  p: PanelOptions,
  names: string,
  references: string[] = [],
) {
  const xEnc = {
    field: 'xPlot',
    type: 'quantitative',
    scale: { type: 'log', domain: xDomain.domain, nice: false },
    axis: {
      title: x.title,
      values: xDomain.values,
      grid: false,
      ...(x.bytes ? { labelExpr: BYTES_LABEL } : { format: '~s' }),
      labelOverlap: false,
    },
  };
  const yAxis: Record<string, unknown> = { title: p.yTitle };
  // vega's tick formatter gives every SI tick the largest tick's prefix ("0k"); format each alone.
  if (p.yFormat === '~s') yAxis.labelExpr = SI_LABEL;
  else if (p.yFormat) yAxis.format = p.yFormat;
  if (p.yLabelExpr) yAxis.labelExpr = p.yLabelExpr;
  const yScale = p.yLog ? { type: 'log' } : { zero: p.yZero ?? true, nice: true };
  const colour = colourEncoding(series);
  return {
    width: p.width,
    height: p.height,
    data: { values: rows },
    layer: [
      {
        name: `${names}_errorbars`,
        mark: { type: 'rule', strokeWidth: 1.6 },
        encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', scale: yScale, axis: yAxis }, y2: { field: 'hi' }, color: colour },
      },
      {
        name: `${names}_lines`,
        mark: { type: 'line', strokeWidth: 2, opacity: 0.85 },
        encoding: {
          x: xEnc,
          y: { field: 'mean', type: 'quantitative' },
          color: colour,
          strokeDash: dashEncoding(sets),
          detail: { field: 'series' },
        },
      },
      {
        name: `${names}_means`,
        mark: { type: 'point', filled: true, size: 46, opacity: 1 },
        encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative' }, color: colour, shape: SHAPE },
      },
      // A series measured at one x only (ringbuf's adaptive wake-up has no N) is a reference
      // level for the whole sweep: a dashed line across the plot says so better than a lone dot.
      ...(references.length
        ? [{
            name: `${names}_reference`,
            transform: [{ filter: { field: 'series', oneOf: references } }],
            mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5, opacity: 0.9 },
            encoding: { y: { field: 'mean', type: 'quantitative' }, color: colour },
          }]
        : []),
      // Panel heading as a text mark pinned above the plot area: a group title would float with
      // the axis labels' overhang and sit at different heights in neighbouring panels.
      ...(p.title
        ? [{
            name: `${names}_heading`,
            data: { values: [{}] },
            mark: { type: 'text', align: 'left', baseline: 'bottom', fontSize: 12, color: '#444' },
            encoding: { x: { value: 0 }, y: { value: -12 }, text: { value: p.title } },
          }]
        : []),
    ],
  };
}

/** Sweep panels over the same records, side by side (one per metric), sharing the x axis. */
function sweepChart(
  sets: readonly ResultSet[],
  group: string,
  title: string,
  x: SweepAxis,
  panels: { metric: string; opts: Omit<PanelOptions, 'width' | 'height'>; scale?: number }[],
  o: SeriesOptions = {},
  notes: string[] = [],
): TopLevelSpec | undefined {
  const built = panels.map((p) => rowsFor(sets, (s) => recordsOf(s, group).filter((r) => r.x && r.x.value > 0), p.metric, { ...o, scale: p.scale }));
  const all = built.flatMap((b) => b.rows);
  if (!all.length) return undefined;
  const xDomain = sweepDomain(all);
  const allSeries = built.flatMap((b) => b.series);
  const order = colourScale(allSeries).domain;
  const single = panels.length === 1;
  const width = single ? SINGLE_W : HALF_W;
  const specs = built
    .map((b, i) => {
      // A panel where every value is zero (no drops anywhere) carries no point: left out, unless
      // it is the chart's only panel (then the flat line at zero is the finding).
      if (!b.rows.length || (panels.length > 1 && b.rows.every((r) => r.mean === 0 && r.hi === 0))) return undefined;
      dodgeLog(b.rows, xDomain.domain, width, order);
      const counts = new Map<string, number>();
      for (const r of b.rows) counts.set(r.series, (counts.get(r.series) ?? 0) + 1);
      const references = xDomain.values.length >= 3 ? [...counts].filter(([, n]) => n === 1).map(([name]) => name) : [];
      for (const r of references) if (!notes.includes(r)) notes.push(r);
      return sweepPanel(b.rows, allSeries, sets, x, xDomain, { ...panels[i].opts, width, height: single ? SINGLE_H : HALF_H }, `p${i}`, references);
    })
    .filter((s) => s);
  return single || specs.length === 1 ? top(title, specs[0]!) : top(title, { hconcat: specs, resolve: { scale: { y: 'independent' } } });
}

/** Delivered events/s against the number of storm workers. */
export function throughputChart(sets: readonly ResultSet[]): Drawn {
  return { spec: sweepChart(sets, 'producers', 'Delivered events/s vs parallel producers', { title: 'producers (storm worker threads)' }, [
    { metric: 'rates.deliveredPerSec', opts: { yTitle: 'delivered events/s', yFormat: '~s', yZero: true } },
  ]) };
}

/** Kernel drop rate against buffer memory, with a deliberately slow consumer. */
export function dropsMemoryChart(sets: readonly ResultSet[]): Drawn {
  return { spec: sweepChart(sets, 'memory', 'Kernel drop rate vs buffer memory (slow consumer)', { title: 'buffer memory, same total for both transports (log scale)', bytes: true }, [
    { metric: DROP_RATE, opts: { yTitle: 'events dropped in the kernel', yFormat: '~%' } },
  ]) };
}

/** Out-of-order share and worst displacement against the number of storm workers. */
export function orderingChart(sets: readonly ResultSet[]): Drawn {
  return { spec: sweepChart(sets, 'producers', 'Ordering vs parallel producers', { title: 'producers' }, [
    { metric: 'ordering.inversionRatio', opts: { title: 'events delivered out of order', yTitle: 'share of events', yFormat: '~%' } },
    { metric: 'ordering.maxDisplacement', opts: { title: 'max displacement (mean of repeats)', yTitle: 'positions', yFormat: '~s' } },
  ]) };
}

/** Throughput and consumer CPU against N, the events per wake-up; policies without an N become reference levels. */
export function wakeupChart(sets: readonly ResultSet[]): Drawn {
  const references: string[] = [];
  const spec = sweepChart(
    sets,
    'wakeup',
    'Wake-up sweep: consumer woken every N events',
    { title: 'N (events per wake-up)' },
    [
      { metric: 'rates.deliveredPerSec', opts: { title: 'throughput', yTitle: 'delivered events/s', yFormat: '~s', yZero: false } },
      { metric: 'cpu.consumerNsPerEvent', opts: { title: 'consumer CPU per event', yTitle: 'CPU per event', yLabelExpr: NS_LABEL } },
    ],
    { byVariant: true },
    references,
  );
  return { spec, references };
}

/** Throughput and drop rate as each event record grows. */
export function eventSizeChart(sets: readonly ResultSet[]): Drawn {
  return { spec: sweepChart(sets, 'event-size', 'Event size sweep', { title: 'event size (log scale)', bytes: true }, [
    { metric: 'rates.deliveredPerSec', opts: { title: 'throughput', yTitle: 'delivered events/s', yFormat: '~s', yZero: false } },
    { metric: DROP_RATE, opts: { title: 'kernel drop rate', yTitle: 'events dropped', yFormat: '~%' } },
  ]) };
}
