/**
 * charts/loss — the loss curve: the share of capped runs that dropped against the offered rate
 * (log scale), one line per transport and wake-up mode, with each rate's Wilson 95% interval on
 * P(a run drops), and the sustainable rate the curve gives (analysis/loss) marked on each line.
 */
import type { TopLevelSpec } from 'vega-lite';
import { curveSustainable, ruleWords } from '../analysis/loss.js';
import type { ResultSet, ScenarioRecord } from '../results/schema.js';
import { ceilingSetup } from './ceilings.js';
import { seriesOf, type Drawn, type Series } from './data.js';
import { colourEncoding, dashEncoding, SINGLE_H, SINGLE_W, top } from './theme.js';

/** Every record with a loss curve, in the sets' order. */
export function lossRecords(set: ResultSet): ScenarioRecord[] {
  return set.results.scenarios.filter((r) => r.lossCurve?.points.some((p) => p.runs > 0));
}

export function lossCurveChart(sets: readonly ResultSet[]): Drawn {
  const rows: Record<string, unknown>[] = [];
  const marks: Record<string, unknown>[] = [];
  const series: Series[] = [];
  const recs: ScenarioRecord[] = [];
  sets.forEach((set, i) => {
    for (const rec of lossRecords(set)) {
      const curve = rec.lossCurve!;
      recs.push(rec);
      const s = seriesOf(sets, i, rec, { byLabel: true });
      series.push(s);
      for (const p of curve.points.filter((x) => x.runs > 0)) {
        rows.push({ series: s.name, set: set.label, x: p.rateCap, share: p.share, lo: p.pDrop.lo, hi: p.pDrop.hi, runs: p.runs, dropped: p.dropped });
      }
      const best = curveSustainable(curve);
      if (best) marks.push({ series: s.name, set: set.label, x: best.rateCap, share: best.share });
    }
  });
  if (!rows.length) return {};
  const xs = rows.map((r) => r.x as number);
  const lo = Math.min(...xs) / 1.25;
  const hi = Math.max(...xs) * 1.25;
  const x = { field: 'x', type: 'quantitative', scale: { type: 'log', domain: [lo, hi], nice: false }, axis: { title: 'offered rate, events/s (log scale)', format: '~s', grid: false } };
  const colour = colourEncoding(series);
  const spec = top('Loss curve: share of capped runs that dropped, by offered rate', {
    width: SINGLE_W,
    height: SINGLE_H,
    layer: [
      {
        data: { values: rows },
        layer: [
          { mark: { type: 'rule', strokeWidth: 1.4, opacity: 0.55 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { domain: [0, 1] }, axis: { title: 'runs that dropped (Wilson 95% interval)', format: '~%' } }, y2: { field: 'hi' }, color: colour } },
          { mark: { type: 'line', strokeWidth: 2, opacity: 0.85 }, encoding: { x, y: { field: 'share', type: 'quantitative' }, color: colour, strokeDash: dashEncoding(sets), detail: { field: 'series' } } },
          { mark: { type: 'point', filled: true, size: 46 }, encoding: { x, y: { field: 'share', type: 'quantitative' }, color: colour, tooltip: [{ field: 'series' }, { field: 'x', format: '~s' }, { field: 'dropped' }, { field: 'runs' }] } },
        ],
      },
      // The sustainable rate each curve gives: a hollow ring around its point.
      ...(marks.length ? [{ data: { values: marks }, mark: { type: 'point', shape: 'circle', size: 260, strokeWidth: 2, filled: false }, encoding: { x, y: { field: 'share', type: 'quantitative' }, color: colour } }] : []),
    ],
  });
  const runs = recs.flatMap((r) => r.lossCurve!.points.map((p) => p.runs)).filter((n) => n > 0);
  return { spec, setup: ceilingSetup(recs), loss: { seconds: recs[0].lossCurve!.seconds, runsPerRate: [Math.min(...runs), Math.max(...runs)], rule: ruleWords(recs[0].lossCurve!) } };
}
