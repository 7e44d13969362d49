/**
 * charts/timeline — one storm window by window: the delivery rate and the occupancy of the
 * buffer over time, from the timeline the last repeat recorded.
 */
import { isSaturation } from '../analysis/groups.js';
import type { ResultSet, ScenarioRecord } from '../results/schema.js';
import { seriesOf, type Drawn, type Series, type Transport } from './data.js';
import { colourEncoding, dashEncoding, SI_LABEL, SINGLE_W, top } from './theme.js';

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

/** Delivery rate and occupancy over one storm, per transport and result set. */
export function timelineChart(sets: readonly ResultSet[]): Drawn {
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
  const spec = top('Storm timeline: delivery rate and buffer occupancy', {
    data: { values: rows },
    vconcat: [
      panel('timeline_delivered', 'rate', 'delivered events/s', { labelExpr: SI_LABEL }, false),
      panel('timeline_occupancy', 'occupancy', `occupancy, ${unitName}`, { labelExpr: SI_LABEL }, true),
    ],
    spacing: 18,
  });
  return { spec, from };
}
