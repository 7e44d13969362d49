/**
 * charts/sharing — where the load lands: the skew group's drop rate with the storm on one CPU
 * against spread over all (bars per transport, equal total memory), and the contention group's
 * delivered rate against saturation producers, one line per buffer layout (shared ring, per-CPU
 * rings, perfbuf).
 */
import { isSkewed, layoutOf } from '../analysis/sharing.js';
import { metricAggregate, recordsOf } from '../analysis/groups.js';
import { DROP_RATE } from '../results/metrics.js';
import type { ResultSet } from '../results/schema.js';
import { ciFields, type Drawn, type Row, type Series } from './data.js';
import { groupedBars } from './bars.js';
import { colourEncoding, colourScale, SI_LABEL, SINGLE_H, SINGLE_W, top } from './theme.js';

const SKEWED = 'storm on one CPU';
const SPREAD = 'spread over all CPUs';

function series(sets: readonly ResultSet[], i: number, transport: Series['transport'], variant?: string): Series {
  let name: string = transport;
  if (variant) name += ` (${variant})`;
  if (sets.length > 1) name += ` · ${sets[i].label}`;
  return { name, transport, variant, setIndex: i };
}

/** Drop rate, storm on one CPU vs spread, per transport (and ring layout). */
export function skewChart(sets: readonly ResultSet[]): Drawn {
  const rows: Row[] = [];
  const all: Series[] = [];
  sets.forEach((set, i) => {
    const cpuCount = set.results.environment?.cpuCount || 0;
    for (const rec of recordsOf(set, 'skew')) {
      const a = metricAggregate(rec, DROP_RATE);
      if (!a) continue;
      const sharing = rec.transport === 'ringbuf' && (rec.config?.ringbufSharing ?? 'shared') !== 'shared' ? layoutOf(rec) : undefined;
      const s = series(sets, i, rec.transport, sharing);
      all.push(s);
      rows.push({ series: s.name, set: set.label, transport: rec.transport, x: 0, xPlot: 0, ...ciFields(DROP_RATE, a), category: isSkewed(rec, cpuCount) ? SKEWED : SPREAD });
    }
  });
  if (!rows.length) return {};
  const spec = groupedBars({
    title: 'Drop rate: skewed vs spread load, equal total memory',
    name: 'skew',
    rows,
    series: all,
    categories: [SKEWED, SPREAD],
    yAxis: { title: 'drop rate', format: '.0%' },
  });
  return { spec };
}

/** Delivered events/s against saturation producers, one line per buffer layout. */
export function contentionChart(sets: readonly ResultSet[]): Drawn {
  const rows: Row[] = [];
  const all: Series[] = [];
  sets.forEach((set, i) => {
    for (const rec of recordsOf(set, 'contention')) {
      const a = metricAggregate(rec, 'rates.deliveredPerSec');
      if (!a) continue;
      const layout = layoutOf(rec);
      const s = series(sets, i, rec.transport, layout === 'perfbuf' ? undefined : layout);
      all.push(s);
      const producers = rec.config?.workers ?? rec.x?.value ?? 0;
      rows.push({ series: s.name, set: set.label, transport: rec.transport, x: producers, xPlot: producers, ...ciFields('rates.deliveredPerSec', a) });
    }
  });
  if (!rows.length) return {};
  const colour = colourEncoding(all);
  const producers = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
  const xEnc = { field: 'x', type: 'ordinal', sort: producers, axis: { title: 'saturation producers', labelAngle: 0 } };
  const off = { field: 'series', type: 'nominal', sort: colourScale(all).domain };
  const spec = top('Delivered events/s vs producers, by buffer layout', {
    width: Math.min(SINGLE_W, Math.max(320, 90 * producers.length * Math.max(1, colourScale(all).domain.length) / 2)),
    height: SINGLE_H,
    data: { values: rows },
    layer: [
      { name: 'contention_bars', mark: { type: 'bar' }, encoding: { x: xEnc, xOffset: off, y: { field: 'mean', type: 'quantitative', axis: { title: 'delivered events/s', labelExpr: SI_LABEL } }, color: colour } },
      { name: 'contention_errorbars', mark: { type: 'rule', strokeWidth: 1.6, color: '#222' }, encoding: { x: xEnc, xOffset: off, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
  });
  return { spec };
}
