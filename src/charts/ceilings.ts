/**
 * charts/ceilings — the saturation load's charts (getpgid trigger): raw, delivered and sustainable
 * events/s per transport and reader; the drain rate per reader; and each wake-up strategy's
 * throughput and BPF cost at full rate.
 */
import type { TopLevelSpec } from 'vega-lite';
import { metricAggregate, readerOf, recordsOf } from '../analysis/groups.js';
import { recordsRuleWords } from '../analysis/search.js';
import { fmtBytes } from '../format/units.js';
import type { ResultSet, ScenarioRecord } from '../results/schema.js';
import { ciFields, readerSeries, seriesOf, type Drawn, type Row, type Series, type Transport } from './data.js';
import { measureText } from './fonts.js';
import { colourEncoding, colourScale, NS_LABEL, SI_LABEL, SINGLE_H, SINGLE_W, top } from './theme.js';

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
function barLayers(name: string, xEnc: Record<string, unknown>, off: Record<string, unknown>, yTitle: string, colour: unknown, rows: readonly Row[] = []) {
  // Values spanning more than 10×: a log axis, so the smaller transport's bar stays visible.
  const pos = rows.map((r) => r.mean).filter((v) => v > 0);
  const log = pos.length > 1 && Math.max(...pos) / Math.min(...pos) > 10;
  const foot = 10 ** Math.floor(Math.log10(Math.min(...pos) / 2));
  const scale = log ? { type: 'log', domainMin: foot } : { zero: true };
  for (const r of log ? rows : []) if (!(r.lo > foot)) r.lo = foot;
  return [
    {
      name: `${name}_bars`,
      mark: { type: 'bar' },
      // a log axis has no zero: the bars rise from the foot of the axis
      encoding: { x: xEnc, xOffset: off, y: { field: 'mean', type: 'quantitative', scale, axis: { title: log ? `${yTitle} (log scale)` : yTitle, labelExpr: SI_LABEL } }, ...(log ? { y2: { datum: foot } } : {}), color: colour },
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

/** Raw ceiling, delivered/s and sustainable rate per transport and reader. */
export function ceilingsChart(sets: readonly ResultSet[]): Drawn {
  const recs = sets.flatMap((s) => recordsOf(s, 'ceilings'));
  return { spec: ceilingsSpec(sets), setup: ceilingSetup(recs), sustainedPerRepeat: recs.some((r) => (r.sustainable?.aggregate?.n ?? 0) > 1), ...(recs.some((r) => r.sustainable) ? { searchRule: recordsRuleWords(recs) } : {}) };
}

function ceilingsSpec(sets: readonly ResultSet[]): TopLevelSpec | undefined {
  const rows: Row[] = [];
  const series: Series[] = [];
  sets.forEach((set, i) => {
    for (const rec of recordsOf(set, 'ceilings')) {
      // One series per reader; per suite label too when the label names a variant (default/sampled).
      const s = rec.label === readerOf(rec) ? readerSeries(sets, i, rec) : seriesOf(sets, i, rec, { byLabel: true });
      const base = { series: s.name, set: set.label, transport: rec.transport, x: rec.x?.value ?? 0, xPlot: 0 };
      const push = (category: string, f: Pick<Row, 'mean' | 'lo' | 'hi' | 'n'>) => {
        series.push(s);
        rows.push({ ...base, ...f, category });
      };
      const raw = metricAggregate(rec, 'rates.generatedPerSec');
      if (raw) push(CEILING_MEASURES[0], ciFields('rates.generatedPerSec', raw));
      const del = metricAggregate(rec, 'rates.deliveredPerSec');
      if (del) push(CEILING_MEASURES[1], ciFields('rates.deliveredPerSec', del));
      // One search per repeat (results/load.ts upgrades a single search to an aggregate of one).
      const searched = rec.sustainable?.aggregate;
      if (searched && Number.isFinite(searched.mean)) push(CEILING_MEASURES[2], ciFields('rates.deliveredPerSec', searched));
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
    layer: barLayers('ceilings', xEnc, off, 'events/s', colour, rows),
  });
}

/** Drain mode: events read per second of draining a backlog, per reader. */
export function readerCeilingChart(sets: readonly ResultSet[]): Drawn {
  return { spec: readerCeilingSpec(sets), setup: ceilingSetup(sets.flatMap((s) => recordsOf(s, 'reader-ceiling'))) };
}

function readerCeilingSpec(sets: readonly ResultSet[]): TopLevelSpec | undefined {
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

/** Delivered/s and BPF ns per event of each wake-up strategy at full rate. */
export function wakeupCeilingChart(sets: readonly ResultSet[]): Drawn {
  return { spec: wakeupCeilingSpec(sets), setup: ceilingSetup(sets.flatMap((s) => recordsOf(s, 'wakeup-ceiling'))) };
}

function wakeupCeilingSpec(sets: readonly ResultSet[]): TopLevelSpec | undefined {
  const panels = [
    ['rates.deliveredPerSec', 'delivered events/s', 1],
    ['cpu.bpfNsPerEvent', 'BPF program CPU per event', 1],
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
    // Values spanning more than 10×: a log axis with bars from its foot, as in the ceilings chart.
    const mine = rows.filter((r) => r.panel === metric);
    const pos = mine.map((r) => r.mean).filter((v) => v > 0);
    const log = pos.length > 1 && Math.max(...pos) / Math.min(...pos) > 10;
    const foot = log ? 10 ** Math.floor(Math.log10(Math.min(...pos) / 2)) : 0;
    for (const r of log ? mine : []) if (!(r.lo > foot)) r.lo = foot;
    const scale = log ? { type: 'log', domainMin: foot } : { zero: true };
    const labelExpr = metric.startsWith('cpu.') ? NS_LABEL : SI_LABEL;
    return {
      width,
      height,
      transform: [{ filter: { field: 'panel', equal: metric } }],
      layer: [
        {
          name: `w${i}_bars`,
          mark: { type: 'bar' },
          encoding: { y: y(i === 0), ...off, x: { field: 'mean', type: 'quantitative', scale, axis: { title: log ? `${title} (log)` : title, labelExpr, tickCount: 4 } }, ...(log ? { x2: { datum: foot } } : {}), color: colour },
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
