/**
 * charts — vega-lite specs built from ScenarioRecords, compiled with vega-lite, rendered to SVG
 * by vega's View in Node (renderer 'none', toSVG) and to PNG by resvg with DejaVu fonts loaded
 * explicitly (no system font lookup, so text renders the same on every machine).
 *
 * Every chart shows the mean of the repeats with its 95% confidence interval. Transports keep
 * one hue everywhere (ringbuf blue, perfbuf orange); several result sets get shades of that hue
 * and dashed lines, so "which transport" and "which machine" are both readable.
 */
import { readFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { displayInterval, isSaturation, metricAggregate, readerOf, recordsOf, wakeupVariant } from '../analysis/groups.js';
import { DROP_RATE } from '../results/metrics.js';
import { fmtBytes } from '../format/units.js';
import { type ResultSet } from '../results/schema.js';
import type { Aggregate, ScenarioRecord } from '../results/schema.js';
import type { Transport } from '../harness/types.js';

export const CHART_FONT = 'DejaVu Sans';
const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const CHART_FONT_FILES = [`${FONT_DIR}/DejaVuSans.ttf`, `${FONT_DIR}/DejaVuSans-Bold.ttf`];

// ---------------------------------------------------------------------------------------------
// Text measurement. Without a canvas, vega guesses every glyph at 0.8 em, which pads charts with
// blank space and hides axis labels that would fit. Reading advance widths from the DejaVu font
// files we render with gives exact layout. This replaces vega's process-wide textMetrics.width
// (vega's documented hook for custom measurement), which is fine: reports are the only renderer.

interface FontMetrics {
  unitsPerEm: number;
  advance: Map<number, number>;
  fallback: number;
}

function parseFontMetrics(buf: Buffer): FontMetrics {
  const tables = new Map<string, number>();
  const numTables = buf.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    tables.set(buf.toString('ascii', rec, rec + 4), buf.readUInt32BE(rec + 8));
  }
  const head = tables.get('head')!;
  const hhea = tables.get('hhea')!;
  const hmtx = tables.get('hmtx')!;
  const cmap = tables.get('cmap')!;
  const unitsPerEm = buf.readUInt16BE(head + 18);
  const numberOfHMetrics = buf.readUInt16BE(hhea + 34);
  const glyphAdvance = (g: number) => buf.readUInt16BE(hmtx + 4 * Math.min(g, numberOfHMetrics - 1));
  // cmap format 4 (Unicode BMP) subtable: segments mapping code points to glyph ids.
  let sub = -1;
  for (let i = 0, n = buf.readUInt16BE(cmap + 2); i < n; i++) {
    const platform = buf.readUInt16BE(cmap + 4 + i * 8);
    const encoding = buf.readUInt16BE(cmap + 6 + i * 8);
    const offset = buf.readUInt32BE(cmap + 8 + i * 8);
    if ((platform === 3 && encoding === 1) || platform === 0) {
      if (buf.readUInt16BE(cmap + offset) === 4) sub = cmap + offset;
    }
  }
  const advance = new Map<number, number>();
  if (sub >= 0) {
    const segX2 = buf.readUInt16BE(sub + 6);
    const ends = sub + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const rangeOffsets = deltas + segX2;
    for (let s = 0; s < segX2 / 2; s++) {
      const end = buf.readUInt16BE(ends + 2 * s);
      const start = buf.readUInt16BE(starts + 2 * s);
      const delta = buf.readUInt16BE(deltas + 2 * s);
      const ro = buf.readUInt16BE(rangeOffsets + 2 * s);
      // Only the ranges a chart label can plausibly use: Latin, punctuation, symbols.
      for (let c = start; c <= Math.min(end, 0x2fff) && c !== 0xffff; c++) {
        let g: number;
        if (ro === 0) g = (c + delta) & 0xffff;
        else {
          const at = rangeOffsets + 2 * s + ro + 2 * (c - start);
          g = buf.readUInt16BE(at);
          if (g !== 0) g = (g + delta) & 0xffff;
        }
        if (g !== 0) advance.set(c, glyphAdvance(g));
      }
    }
  }
  return { unitsPerEm, advance, fallback: advance.get(0x78) ?? unitsPerEm * 0.6 };
}

let fontMetrics: { regular: FontMetrics; bold: FontMetrics } | null | undefined;

function loadFontMetrics(): typeof fontMetrics {
  if (fontMetrics === undefined) {
    try {
      fontMetrics = {
        regular: parseFontMetrics(readFileSync(CHART_FONT_FILES[0])),
        bold: parseFontMetrics(readFileSync(CHART_FONT_FILES[1])),
      };
    } catch {
      fontMetrics = null; // fonts missing: keep vega's estimate
    }
  }
  return fontMetrics;
}

/** Width in pixels of `text` set in DejaVu Sans at `size`, bold or not. */
export function measureText(text: string, size: number, bold = false): number {
  const m = loadFontMetrics();
  if (!m) return 0.6 * text.length * size;
  const f = bold ? m.bold : m.regular;
  let units = 0;
  for (const ch of text) units += f.advance.get(ch.codePointAt(0)!) ?? f.fallback;
  return (units / f.unitsPerEm) * size;
}

function installTextMetrics(): void {
  const tm = (vega as unknown as { textMetrics?: { width: (item: Record<string, unknown>, text?: unknown) => number } }).textMetrics;
  if (!tm || !loadFontMetrics()) return;
  tm.width = (item, text) => {
    const t = text ?? item.text;
    const lines = Array.isArray(t) ? t.map(String) : [String(t ?? '')];
    const size = Number(item.fontSize ?? 11);
    const w = item.fontWeight;
    const bold = w === 'bold' || w === 'bolder' || Number(w) >= 600;
    return Math.max(0, ...lines.map((l) => measureText(l, size, bold)));
  };
}

/** A chart ready to render: its file stem, figure caption and vega-lite spec. */
export interface ChartSpec {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

export interface SkippedChart {
  chart: string;
  why: string;
}

// ---------------------------------------------------------------------------------------------
// Look

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 10,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    titleColor: '#333',
    labelColor: '#444',
    gridColor: '#ececec',
    domainColor: '#999',
    tickColor: '#999',
    titlePadding: 8,
  },
  legend: {
    orient: 'bottom',
    direction: 'horizontal',
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    symbolStrokeWidth: 2.5,
    symbolSize: 90,
    labelLimit: 320,
    columnPadding: 18,
  },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', color: '#222', offset: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  line: { strokeWidth: 2 },
  point: { filled: true, size: 48, opacity: 1 },
  concat: { spacing: 40 },
} as const;

/** Base hue per transport and wake-up policy; variants of a transport stay in its family. */
const HUES: Record<string, string> = {
  ringbuf: '#1f63b5',
  'ringbuf/adaptive': '#1f63b5',
  'ringbuf/every-n': '#12a0a0',
  'ringbuf/sampled': '#6a4fb0',
  perfbuf: '#dd6218',
  'perfbuf/every-n': '#dd6218',
  'perfbuf/watermark': '#b5322a',
};
/** Further hues of each family for variants without a fixed colour (e.g. cpu: epoll, busy). */
const FAMILY: Record<Transport, string[]> = {
  ringbuf: ['#1f63b5', '#12a0a0', '#6a4fb0', '#4c9be0'],
  perfbuf: ['#dd6218', '#b5322a', '#c79a16', '#e8894a'],
};
const DASHES = [[1, 0], [7, 4], [2, 3], [10, 3, 2, 3]];

/** Mix a hex colour with white: shade k of a set (k = 0 is the base colour). */
function shade(hex: string, k: number): string {
  if (k === 0) return hex;
  const f = Math.min(0.6, 0.38 * k);
  const n = parseInt(hex.slice(1), 16);
  const ch = [n >> 16, (n >> 8) & 255, n & 255].map((c) => Math.round(c + (255 - c) * f));
  return `#${ch.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

// ---------------------------------------------------------------------------------------------
// Series: one line per transport (and wake-up policy, and result set)

interface Series {
  name: string;
  transport: Transport;
  variant?: string;
  setIndex: number;
}

interface SeriesOptions {
  /** split ringbuf/perfbuf by wake-up policy (wakeup group) */
  byVariant?: boolean;
  /** split by scenario label (several variants of one scenario, e.g. cpu: epoll vs busy) */
  byLabel?: boolean;
}

function seriesOf(sets: readonly ResultSet[], setIndex: number, rec: ScenarioRecord, o: SeriesOptions): Series {
  const variant = o.byVariant ? wakeupVariant(rec) : o.byLabel ? rec.label : undefined;
  let name: string = rec.transport;
  if (variant) name += ` (${variant})`;
  if (sets.length > 1) name += ` · ${sets[setIndex].label}`;
  return { name, transport: rec.transport, variant, setIndex };
}

/** Colour scale whose domain lists the series in a stable order: transport, policy, set. */
function colourScale(series: Series[]): { domain: string[]; range: string[] } {
  const uniq = [...new Map(series.map((s) => [s.name, s])).values()];
  // Variants keep the order the suite ran them in (epoll before busy, adaptive before every-n).
  const firstSeen = new Map<string, number>();
  series.forEach((s, i) => {
    if (!firstSeen.has(s.variant ?? '')) firstSeen.set(s.variant ?? '', i);
  });
  uniq.sort((a, b) =>
    a.transport !== b.transport
      ? (a.transport === 'ringbuf' ? -1 : 1)
      : (a.variant ?? '') !== (b.variant ?? '')
        ? firstSeen.get(a.variant ?? '')! - firstSeen.get(b.variant ?? '')!
        : a.setIndex - b.setIndex,
  );
  // Known policies keep fixed hues; other variants take the next free hue of their family.
  const hueOf = new Map<string, string>();
  for (const t of ['ringbuf', 'perfbuf'] as Transport[]) {
    const variants = [...new Set(uniq.filter((s) => s.transport === t && s.variant).map((s) => s.variant!))];
    const fixed = variants.filter((v) => HUES[`${t}/${v}`]);
    const free = FAMILY[t].filter((h) => !fixed.some((v) => HUES[`${t}/${v}`] === h));
    let next = 0;
    for (const v of variants) hueOf.set(`${t}/${v}`, HUES[`${t}/${v}`] ?? free[next++ % free.length]);
  }
  return {
    domain: uniq.map((s) => s.name),
    range: uniq.map((s) => shade((s.variant && hueOf.get(`${s.transport}/${s.variant}`)) || HUES[s.transport], s.setIndex)),
  };
}

function colourEncoding(series: Series[], legend = true) {
  // With several result sets the labels are long: one legend row per transport, one column per set.
  const sets = new Set(series.map((s) => s.setIndex)).size;
  return {
    field: 'series',
    type: 'nominal',
    scale: colourScale(series),
    legend: legend ? { title: null, ...(sets > 1 ? { columns: sets } : {}) } : null,
  };
}

function dashEncoding(sets: readonly ResultSet[]) {
  return {
    field: 'set',
    type: 'nominal',
    scale: { domain: sets.map((s) => s.label), range: sets.map((_, i) => DASHES[i % DASHES.length]) },
    legend: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Rows: the flat data every spec plots

interface Row {
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
function ciFields(metric: string, a: Aggregate, k = 1): Pick<Row, 'mean' | 'lo' | 'hi' | 'n' | 'clippedLow' | 'clippedHigh'> {
  const { lo, hi, clippedLow, clippedHigh } = displayInterval(metric, a);
  return { mean: a.mean * k, lo: lo * k, hi: hi * k, n: a.n, ...(clippedLow ? { clippedLow } : {}), ...(clippedHigh ? { clippedHigh } : {}) };
}

/**
 * The caption's footnote when a drawn interval was cut at a limit (see displayInterval): the
 * symmetric t-interval of a few noisy repeats can reach below zero, which no count, rate, time
 * or share can; the tables keep the unclipped "mean ± half-width".
 */
function clippedNote(spec: TopLevelSpec | undefined): string {
  const json = spec ? JSON.stringify(spec) : '';
  if (json.includes('"clippedHigh":true')) return ' Intervals are cut at zero, and shares of events at 100%, where they would pass those limits: no quantity here can go beyond them.';
  if (json.includes('"clippedLow":true')) return ' Intervals that would reach below zero are cut at zero: none of these quantities can be negative.';
  return '';
}

function rowsFor(
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

const BYTES_LABEL =
  "datum.value >= 1048576 ? format(datum.value / 1048576, '~g') + ' MiB' : datum.value >= 1024 ? format(datum.value / 1024, '~g') + ' KiB' : format(datum.value, '~g') + ' B'";

const SI_LABEL = "datum.value == 0 ? '0' : format(datum.value, '~s')";

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
        encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative' }, color: colour },
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

const SINGLE_W = 640;
const SINGLE_H = 290;
const HALF_W = 300;
const HALF_H = 240;

function top(title: string, body: Record<string, unknown>): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: CONFIG,
    ...body,
  } as unknown as TopLevelSpec;
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
      if (!b.rows.length) return undefined;
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

// ---------------------------------------------------------------------------------------------
// The charts

function throughputChart(sets: readonly ResultSet[]): TopLevelSpec | undefined {
  return sweepChart(sets, 'producers', 'Delivered events/s vs parallel producers', { title: 'producers (storm worker threads)' }, [
    { metric: 'rates.deliveredPerSec', opts: { yTitle: 'delivered events/s', yFormat: '~s', yZero: false } },
  ]);
}

function dropsMemoryChart(sets: readonly ResultSet[]): TopLevelSpec | undefined {
  return sweepChart(sets, 'memory', 'Kernel drop rate vs buffer memory (slow consumer)', { title: 'buffer memory, same total for both transports (log scale)', bytes: true }, [
    { metric: DROP_RATE, opts: { yTitle: 'events dropped in the kernel', yFormat: '~%' } },
  ]);
}

function orderingChart(sets: readonly ResultSet[]): TopLevelSpec | undefined {
  return sweepChart(sets, 'producers', 'Ordering vs parallel producers', { title: 'producers' }, [
    { metric: 'ordering.inversionRatio', opts: { title: 'events delivered out of order', yTitle: 'share of events', yFormat: '~%' } },
    { metric: 'ordering.maxDisplacement', opts: { title: 'worst displacement', yTitle: 'positions', yFormat: '~s' } },
  ]);
}

function wakeupChart(sets: readonly ResultSet[], references: string[]): TopLevelSpec | undefined {
  return sweepChart(
    sets,
    'wakeup',
    'Wake-up sweep: consumer woken every N events',
    { title: 'N (events per wake-up)' },
    [
      { metric: 'rates.deliveredPerSec', opts: { title: 'throughput', yTitle: 'delivered events/s', yFormat: '~s', yZero: false } },
      { metric: 'cpu.consumerNsPerEvent', opts: { title: 'consumer CPU per event', yTitle: 'ns per event', yFormat: '~s' } },
    ],
    { byVariant: true },
    references,
  );
}

function eventSizeChart(sets: readonly ResultSet[]): TopLevelSpec | undefined {
  return sweepChart(sets, 'event-size', 'Event size sweep', { title: 'event size (log scale)', bytes: true }, [
    { metric: 'rates.deliveredPerSec', opts: { title: 'throughput', yTitle: 'delivered events/s', yFormat: '~s', yZero: false } },
    { metric: DROP_RATE, opts: { title: 'kernel drop rate', yTitle: 'events dropped', yFormat: '~%' } },
  ]);
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

const PERCENTILES = [
  ['latencyNs.p50', 'p50'],
  ['latencyNs.p90', 'p90'],
  ['latencyNs.p99', 'p99'],
  ['latencyNs.p999', 'p99.9'],
] as const;

/** Scenarios per set for a one-off comparison, and whether they span several labels. */
function comparable(sets: readonly ResultSet[], group: string, metric: string) {
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

function latencyChart(sets: readonly ResultSet[]): { spec?: TopLevelSpec; from: string[] } {
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

function cpuChart(sets: readonly ResultSet[]): { spec?: TopLevelSpec; from: string[] } {
  const rows: Row[] = [];
  const series: Series[] = [];
  const sides = [
    ['cpu.consumerNsPerEvent', 'consumer thread'],
    ['cpu.bpfNsPerEvent', 'BPF program'],
  ] as const;
  const { picked, from, labels } = comparable(sets, 'cpu', 'cpu.consumerNsPerEvent');
  // Several consumer variants (epoll, busy): each is its own bar, named in the legend.
  const byLabel = labels.length > 1;
  picked.forEach((recs, i) => {
    for (const rec of recs) {
      const s = seriesOf(sets, i, rec, { byLabel });
      for (const [metric, side] of sides) {
        const a = metricAggregate(rec, metric);
        if (!a) continue;
        series.push(s);
        rows.push({ series: s.name, set: sets[i].label, transport: rec.transport, x: 0, xPlot: 0, ...ciFields(metric, a), category: side });
      }
    }
  });
  if (!rows.length) return { from };
  const colour = colourEncoding(series);
  const order = colourScale(series).domain;
  const xEnc = { field: 'category', type: 'nominal', sort: sides.map((s) => s[1]), axis: { title: null, labelAngle: 0, labelFontSize: 12 } };
  const off = { field: 'series', type: 'nominal', sort: order, scale: { paddingInner: 0.15 } };
  const spec = top('CPU time per delivered event', {
    width: Math.min(SINGLE_W, Math.max(320, 70 * 2 * order.length)),
    height: SINGLE_H - 30,
    data: { values: rows },
    layer: [
      {
        name: 'cpu_bars',
        mark: { type: 'bar' },
        encoding: { x: xEnc, xOffset: off, y: { field: 'mean', type: 'quantitative', axis: { title: 'ns per event' } }, color: colour },
      },
      {
        name: 'cpu_errorbars',
        mark: { type: 'rule', strokeWidth: 1.6, color: '#222' },
        encoding: { x: xEnc, xOffset: off, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
    ],
  });
  return { spec, from };
}

/**
 * The storm timeline comes from one scenario per transport and set: the heaviest producers
 * scenario when there is one (the fullest storm), else any scenario both transports ran.
 */
function timelineRecords(set: ResultSet): ScenarioRecord[] {
  const has = (r: ScenarioRecord) => (r.timeline?.delivered?.length ?? 0) > 0 && (r.timeline?.windowNs ?? 0) > 0;
  const recs = set.results.scenarios.filter((r) => has(r) && !isSaturation(r));
  if (!recs.length) return [];
  const preference = ['storm', 'timeline', 'producers'];
  const byKey = new Map<string, ScenarioRecord[]>();
  for (const r of recs) {
    const key = `${r.group}\u0000${r.x?.value}`;
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const candidates = [...byKey.values()].sort((a, b) => {
    const both = (l: ScenarioRecord[]) => (new Set(l.map((r) => r.transport)).size > 1 ? 0 : 1);
    const pref = (l: ScenarioRecord[]) => {
      const i = preference.indexOf(l[0].group);
      return i < 0 ? preference.length : i;
    };
    return both(a) - both(b) || pref(a) - pref(b) || (b[0].x?.value ?? 0) - (a[0].x?.value ?? 0);
  });
  const chosen = candidates[0];
  const one = new Map<Transport, ScenarioRecord>();
  for (const r of chosen) if (!one.has(r.transport)) one.set(r.transport, r);
  return [...one.values()];
}

function timelineChart(sets: readonly ResultSet[]): { spec?: TopLevelSpec; from: string[] } {
  const rows: Record<string, unknown>[] = [];
  const series: Series[] = [];
  const from: string[] = [];
  sets.forEach((set, i) => {
    const recs = timelineRecords(set);
    if (recs.length) from.push(`${sets.length > 1 ? `${set.label}: ` : ''}${recs[0].group} ${recs[0].label}`);
    for (const rec of recs) {
      const s = seriesOf(sets, i, rec, {});
      series.push(s);
      const t = rec.timeline!;
      const perSec = 1e9 / t.windowNs;
      t.delivered.forEach((d, w) => {
        rows.push({ series: s.name, set: set.label, tMs: ((w + 1) * t.windowNs) / 1e6, rate: d * perSec, occupancy: t.occupancyBytes?.[w] ?? null });
      });
    }
  });
  if (!rows.length) return { from };
  // Occupancy in a binary unit picked from its peak, so ticks land on round numbers.
  const peak = Math.max(0, ...rows.map((r) => Number(r.occupancy ?? 0)));
  const [unit, unitName] = peak >= 2 * 1024 * 1024 ? [1024 * 1024, 'MiB'] : peak >= 4096 ? [1024, 'KiB'] : [1, 'bytes'];
  for (const r of rows) if (r.occupancy !== null) r.occupancy = Number(r.occupancy) / unit;
  const colour = colourEncoding(series);
  const x = { field: 'tMs', type: 'quantitative', axis: { title: 'time since the load phase started (ms)', tickCount: 8 }, scale: { nice: false } };
  const panel = (name: string, field: string, title: string, axis: Record<string, unknown>, showX: boolean) => ({
    name,
    width: SINGLE_W,
    height: 150,
    mark: { type: 'line', strokeWidth: 1.8, interpolate: 'step-after' },
    transform: [{ filter: `isValid(datum.${field})` }],
    encoding: {
      x: showX ? x : { ...x, axis: { ...x.axis, title: null } },
      y: { field, type: 'quantitative', axis: { title, ...axis } },
      color: colour,
      strokeDash: dashEncoding(sets),
    },
  });
  const spec = top('Storm timeline: delivery rate and unread bytes in the buffer', {
    data: { values: rows },
    vconcat: [
      panel('timeline_delivered', 'rate', 'delivered events/s', { labelExpr: SI_LABEL }, false),
      panel('timeline_occupancy', 'occupancy', `unread ${unitName} in buffer`, { labelExpr: SI_LABEL }, true),
    ],
    spacing: 18,
  });
  return { spec, from };
}

// ---------------------------------------------------------------------------------------------
// Ceilings: the saturation load (getpgid trigger)

/** A ceilings series: transport and reader (libbpf's, or the custom batch reader), and set. */
function readerSeries(sets: readonly ResultSet[], setIndex: number, rec: ScenarioRecord): Series {
  const variant = `${readerOf(rec)} reader`;
  let name = `${rec.transport} (${variant})`;
  if (sets.length > 1) name += ` · ${sets[setIndex].label}`;
  return { name, transport: rec.transport, variant, setIndex };
}

/** "2 producers, 64 KiB buffers" from the records' configurations (ranges when they differ). */
export function ceilingSetup(recs: readonly ScenarioRecord[]): string {
  const uniq = (xs: number[]) => [...new Set(xs.filter((x) => Number.isFinite(x)))].sort((a, b) => a - b);
  const workers = uniq(recs.map((r) => r.config?.workers));
  const bytes = uniq(recs.map((r) => r.config?.ringbufBytes));
  const parts: string[] = [];
  if (workers.length) parts.push(`${workers.join('/')} producer thread${workers.length === 1 && workers[0] === 1 ? '' : 's'}`);
  if (bytes.length) parts.push(`${bytes.map(fmtBytes).join('/')} buffer${bytes.length > 1 ? 's' : ''}`);
  return parts.join(', ');
}

/**
 * Bars with black 95% CI rules, grouped by category. Bars fill their offset band (spacing comes
 * from the offset scale's padding): vega-lite centres a band-fraction bar (width: { band: 0.8 })
 * by the x band's width, not the offset band's, which moves it off its error bar.
 */
function barLayers(name: string, xEnc: Record<string, unknown>, off: Record<string, unknown>, yTitle: string, colour: unknown) {
  return [
    {
      name: `${name}_bars`,
      mark: { type: 'bar' },
      encoding: { x: xEnc, xOffset: off, y: { field: 'mean', type: 'quantitative', axis: { title: yTitle, labelExpr: SI_LABEL } }, color: colour },
    },
    {
      // Only values with repeats have an interval (a sustainable rate is one search).
      name: `${name}_errorbars`,
      transform: [{ filter: 'datum.n > 1' }],
      mark: { type: 'rule', strokeWidth: 1.6, color: '#222' },
      encoding: { x: xEnc, xOffset: off, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    },
  ];
}

const CEILING_MEASURES = ['raw ceiling (generated/s)', 'delivered/s at full rate', 'sustainable rate (0 drops)'] as const;

function ceilingsChart(sets: readonly ResultSet[]): TopLevelSpec | undefined {
  const rows: Row[] = [];
  const series: Series[] = [];
  sets.forEach((set, i) => {
    for (const rec of recordsOf(set, 'ceilings')) {
      const s = readerSeries(sets, i, rec);
      const base = { series: s.name, set: set.label, transport: rec.transport, x: rec.x?.value ?? 0, xPlot: 0 };
      const push = (category: string, f: Pick<Row, 'mean' | 'lo' | 'hi' | 'n'>) => {
        series.push(s);
        rows.push({ ...base, ...f, category });
      };
      const raw = metricAggregate(rec, 'rates.generatedPerSec');
      if (raw) push(CEILING_MEASURES[0], ciFields('rates.generatedPerSec', raw));
      const del = metricAggregate(rec, 'rates.deliveredPerSec');
      if (del) push(CEILING_MEASURES[1], ciFields('rates.deliveredPerSec', del));
      const rate = rec.sustainable?.ratePerSec;
      // One search per scenario: a value without an interval (n = 1 draws no rule).
      if (rate !== undefined && Number.isFinite(rate)) push(CEILING_MEASURES[2], { mean: rate, lo: rate, hi: rate, n: 1 });
    }
  });
  if (!rows.length) return undefined;
  const colour = colourEncoding(series);
  const order = colourScale(series).domain;
  const xEnc = {
    field: 'category',
    type: 'nominal',
    sort: [...CEILING_MEASURES],
    scale: { paddingInner: 0.2, paddingOuter: 0.1 },
    axis: { title: null, labelAngle: 0, labelFontSize: 12 },
  };
  const off = { field: 'series', type: 'nominal', sort: order, scale: { paddingInner: 0.15 } };
  const measures = new Set(rows.map((r) => r.category)).size;
  return top('Transport ceilings: raw, delivered and sustainable events/s', {
    width: Math.min(SINGLE_W, Math.max(480, 60 * measures * order.length)),
    height: SINGLE_H,
    data: { values: rows },
    layer: barLayers('ceilings', xEnc, off, 'events/s', colour),
  });
}

function readerCeilingChart(sets: readonly ResultSet[]): TopLevelSpec | undefined {
  const metric = 'rates.deliveredPerSec';
  const rows: Row[] = [];
  const series: Series[] = [];
  const readers: string[] = [];
  const recs: ScenarioRecord[] = [];
  sets.forEach((set, i) => {
    for (const rec of recordsOf(set, 'reader-ceiling')) {
      const a = metricAggregate(rec, metric);
      if (!a) continue;
      const s = seriesOf(sets, i, rec, {});
      const reader = `${readerOf(rec)} reader`;
      if (!readers.includes(reader)) readers.push(reader);
      series.push(s);
      recs.push(rec);
      rows.push({ series: s.name, set: set.label, transport: rec.transport, x: rec.x?.value ?? 0, xPlot: 0, ...ciFields(metric, a), category: reader });
    }
  });
  if (!rows.length) return undefined;
  const colour = colourEncoding(series);
  const order = colourScale(series).domain;
  const xEnc = { field: 'category', type: 'nominal', sort: readers, scale: { paddingInner: 0.3, paddingOuter: 0.2 }, axis: { title: null, labelAngle: 0, labelFontSize: 12 } };
  const off = { field: 'series', type: 'nominal', sort: order, scale: { paddingInner: 0.15 } };
  const bytes = [...new Set(recs.map((r) => r.config?.ringbufBytes).filter((b) => b > 0))];
  const backlog = bytes.length === 1 ? `a ${fmtBytes(bytes[0])} backlog` : 'a backlog';
  return top(`Reader ceiling: draining ${backlog} flat out`, {
    width: Math.min(SINGLE_W, Math.max(400, 75 * readers.length * order.length)),
    height: SINGLE_H - 30,
    data: { values: rows },
    layer: barLayers('reader', xEnc, off, 'events read per second', colour),
  });
}

function wakeupCeilingChart(sets: readonly ResultSet[]): TopLevelSpec | undefined {
  const panels = [
    ['rates.deliveredPerSec', 'delivered events/s', 1],
    ['cpu.bpfNsPerEvent', 'BPF program ns per event', 1],
  ] as const;
  const rows: Row[] = [];
  const series: Series[] = [];
  const cats: { name: string; transport: Transport; x: number }[] = [];
  sets.forEach((set, i) => {
    for (const rec of recordsOf(set, 'wakeup-ceiling')) {
      const s = seriesOf(sets, i, rec, {});
      const category = `${rec.transport} · ${rec.label}`;
      for (const [metric] of panels) {
        const a = metricAggregate(rec, metric);
        if (!a) continue;
        if (!cats.some((c) => c.name === category)) cats.push({ name: category, transport: rec.transport, x: rec.x?.value ?? 0 });
        series.push(s);
        rows.push({ series: s.name, set: set.label, transport: rec.transport, x: rec.x?.value ?? 0, xPlot: 0, ...ciFields(metric, a), category, panel: metric });
      }
    }
  });
  if (!rows.length) return undefined;
  // ringbuf's strategies, then perfbuf's, each from the most frequent wake-ups to the fewest.
  const sort = cats
    .sort((a, b) => (a.transport !== b.transport ? (a.transport === 'ringbuf' ? -1 : 1) : a.x - b.x))
    .map((c) => c.name);
  const colour = colourEncoding(series);
  const height = Math.max(120, 30 * sort.length * Math.max(1, sets.length * 0.7));
  const labelW = Math.ceil(Math.max(...sort.map((c) => measureText(c, 12)))) + 12;
  const width = Math.floor((SINGLE_W - labelW - 30) / 2);
  const y = (first: boolean) => ({
    field: 'category',
    type: 'nominal',
    sort,
    scale: { paddingInner: 0.3, paddingOuter: 0.15 },
    axis: first ? { title: null, labelFontSize: 12, labelLimit: labelW + 20 } : { title: null, labels: false, ticks: false, domain: true },
  });
  // Each row is one transport already: only several result sets need side-by-side bars.
  const off = sets.length > 1 ? { yOffset: { field: 'set', type: 'nominal', sort: sets.map((x) => x.label), scale: { paddingInner: 0.1 } } } : {};
  const panel = (i: number) => {
    const [metric, title] = panels[i];
    return {
      width,
      height,
      transform: [{ filter: { field: 'panel', equal: metric } }],
      layer: [
        {
          name: `w${i}_bars`,
          mark: { type: 'bar' },
          encoding: { y: y(i === 0), ...off, x: { field: 'mean', type: 'quantitative', axis: { title, labelExpr: SI_LABEL, tickCount: 4 } }, color: colour },
        },
        {
          name: `w${i}_errorbars`,
          transform: [{ filter: 'datum.n > 1' }],
          mark: { type: 'rule', strokeWidth: 1.6, color: '#222' },
          encoding: { y: y(i === 0), ...off, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } },
        },
      ],
    };
  };
  return top('Wake-up strategies at full rate (saturation load)', {
    data: { values: rows },
    hconcat: [panel(0), panel(1)],
    spacing: 30,
    resolve: { scale: { x: 'independent' } },
  });
}

/** Every chart the data supports, and a reason for each one it does not. */
export function buildCharts(sets: readonly ResultSet[]): { charts: ChartSpec[]; skipped: SkippedChart[] } {
  const charts: ChartSpec[] = [];
  const skipped: SkippedChart[] = [];
  const ci = 'Points are means over repeats; vertical bars are 95% confidence intervals of the mean.';
  const nudge = 'Points at the same x are nudged sideways so their intervals do not hide each other.';
  const add = (id: string, title: string, spec: TopLevelSpec | undefined, caption: string, missing: string) => {
    if (spec) charts.push({ id, title, caption: caption + clippedNote(spec), spec });
    else skipped.push({ chart: title, why: `no data for ${missing} in these results` });
  };
  const from = (f: string[]) => (f.length ? ` Taken from ${f.join('; ')} because these results have no dedicated group.` : '');

  add('throughput-producers', 'Delivered events/s vs producers', throughputChart(sets),
    `Events delivered to user space per second of load, by the number of parallel storm workers. ${ci} ${nudge}`,
    'the producers group (delivered events/s vs producers)');
  add('drops-memory', 'Drop rate vs buffer memory', dropsMemoryChart(sets),
    `Share of events the BPF program could not place in the buffer (kernel-side reserve/output failures ÷ events seen), against the total buffer memory, with a deliberately slow consumer. Where a line reaches zero, that transport has stopped dropping. ${ci}`,
    'the memory group (drop rate vs buffer memory)');
  const lat = latencyChart(sets);
  add('latency-percentiles', 'Delivery latency percentiles', lat.spec,
    `Time from bpf_ktime_get_ns() in the BPF program to CLOCK_MONOTONIC on receipt in the consumer thread, at p50/p90/p99/p99.9. Log scale. ${ci}${from(lat.from)}`,
    'latency percentiles');
  add('ordering-producers', 'Ordering vs producers', orderingChart(sets),
    `Left: share of events delivered after an event with a higher BPF sequence number. Right: the worst positional distance of an out-of-order event. ${ci}`,
    'the producers group (ordering vs producers)');
  const references: string[] = [];
  const wakeup = wakeupChart(sets, references);
  const refWords = references.length ? ` Measured once, not per N: ${references.join(', ')} — drawn as a dashed level across the sweep.` : '';
  add('wakeup-sweep', 'Wake-up sweep', wakeup,
    `Consumer woken every N events (perfbuf: wakeup_events = N; ringbuf: BPF_RB_NO_WAKEUP with a forced wake-up every N, or the kernel's adaptive policy). Left: throughput; right: consumer CPU per event. ${ci}${refWords}`,
    'the wakeup group (throughput and consumer CPU vs N)');
  const cpu = cpuChart(sets);
  add('cpu-per-event', 'CPU per event', cpu.spec,
    `CPU time per delivered event: the consumer thread's own CPU clock, and the BPF program's run time from bpf_stats. Bars are means over repeats; black lines are 95% confidence intervals of the mean.${from(cpu.from)}`,
    'CPU cost per event');
  add('event-size', 'Event size sweep', eventSizeChart(sets),
    `Throughput (left) and kernel drop rate (right) as each event record grows from 64 B to 4 KiB. ${ci} ${nudge}`,
    'the event-size group (throughput and drops vs event bytes)');
  const bars = 'Bars are means over repeats; black lines are 95% confidence intervals of the mean.';
  const ceilingRecs = sets.flatMap((s) => recordsOf(s, 'ceilings'));
  add('ceilings', 'Transport ceilings', ceilingsChart(sets),
    `Saturation load (getpgid trigger, ${ceilingSetup(ceilingRecs)}), per transport and reader. Raw ceiling: events/s the unthrottled producers generated, dropped ones included; delivered: events/s that reached user space in those runs; sustainable: the highest rate cap at which a run dropped nothing, confirmed by a final run — one search per scenario, so it has no interval. ${bars}`,
    'the ceilings group (raw, delivered and sustainable events/s)');
  const readerRecs = sets.flatMap((s) => recordsOf(s, 'reader-ceiling'));
  add('reader-ceiling', 'Reader ceiling', readerCeilingChart(sets),
    `Drain mode (${ceilingSetup(readerRecs)}): the consumer read nothing while the producers ran, then read the whole backlog as fast as it could. Events read per second of draining, by reader — no wake-ups and no producers competing, so this is the reader's own speed. ${bars}`,
    'the reader-ceiling group (drain rate per reader)');
  const wakeRecs = sets.flatMap((s) => recordsOf(s, 'wakeup-ceiling'));
  add('wakeup-ceiling', 'Wake-up strategies at full rate', wakeupCeilingChart(sets),
    `Saturation load (${ceilingSetup(wakeRecs)}) with each transport's wake-up strategies: ringbuf adaptive (the kernel decides), forced every N events, or sampled by unread bytes; perfbuf every N events or a byte watermark. Left: events delivered per second; right: the BPF program's run time per event (bpf_stats), where the cost of waking the consumer is paid. ${bars}`,
    'the wakeup-ceiling group (wake-up strategies at full rate)');
  const tl = timelineChart(sets);
  add('storm-timeline', 'Storm timeline', tl.spec,
    `One storm, window by window (last repeat): events delivered per second (top) and the most unread bytes seen in the buffer (bottom).${tl.from.length ? ` Scenario: ${tl.from.join('; ')}.` : ''}`,
    'a storm timeline');
  return { charts, skipped };
}

// ---------------------------------------------------------------------------------------------
// Rendering

/**
 * Compile and render a spec to SVG. `idPrefix` makes any element ids (clip paths, gradients)
 * unique, because several charts are inlined into one HTML document.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix = 'chart'): Promise<string> {
  installTextMetrics();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg
      .replace(/\bid="([^"]+)"/g, `id="${idPrefix}-$1"`)
      .replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`)
      .replace(/href="#([^"]+)"/g, `href="#${idPrefix}-$1"`);
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** device pixels per SVG pixel (2 = crisp on high-density screens) */
  scale?: number;
  /** load the DejaVu fonts (default); false renders without any font, so text is not drawn */
  fonts?: boolean;
}

/** Rasterise an SVG with resvg. Fonts are given explicitly: no system lookup, same result everywhere. */
export function renderPng(svg: string, opts: PngOptions = {}): { png: Buffer; width: number; height: number; pixels: Buffer } {
  const fonts = opts.fonts ?? true;
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    background: 'white',
    font: {
      fontFiles: fonts ? CHART_FONT_FILES : [],
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
  });
  const img = r.render();
  return { png: img.asPng(), width: img.width, height: img.height, pixels: img.pixels };
}
