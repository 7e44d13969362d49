/**
 * charts/cpu — CPU time per delivered event as bars: the consumer thread's own CPU clock and the
 * BPF program's run time, per transport (and consumer variant).
 */
import { metricAggregate } from '../analysis/groups.js';
import type { ResultSet } from '../results/schema.js';
import { ciFields, comparable, seriesOf, type Drawn, type Row, type Series } from './data.js';
import { groupedBars } from './bars.js';
import { NS_LABEL } from './theme.js';

/** Consumer and BPF CPU per event of the cpu group, else of the lightest load of a group that has them. */
export function cpuChart(sets: readonly ResultSet[]): Drawn {
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
  const spec = groupedBars({
    title: 'CPU time per delivered event',
    name: 'cpu',
    rows,
    series,
    categories: sides.map((s) => s[1]),
    yAxis: { title: 'CPU time per event', labelExpr: NS_LABEL },
  });
  return { spec, from };
}
