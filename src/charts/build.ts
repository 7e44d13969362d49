/**
 * charts/build — every chart the data supports, in the order a report shows them, each with its
 * caption from the catalogue, and a reason for each chart the data cannot support.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultSet } from '../results/schema.js';
import { CHART_WORDS, clippedNote } from './captions.js';
import { ceilingsChart, readerCeilingChart, wakeupCeilingChart } from './ceilings.js';
import { cpuChart } from './cpu.js';
import type { Drawn } from './data.js';
import { latencyCdfChart, latencyChart } from './latency.js';
import { lossCurveChart } from './loss.js';
import { dropsMemoryChart, eventSizeChart, orderingChart, throughputChart, wakeupChart } from './sweeps.js';
import { timelineChart } from './timeline.js';
import { contentionChart, skewChart } from './sharing.js';

/** A chart ready to render: its file stem, figure caption and vega-lite spec. */
export interface ChartSpec {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
  /** the suite group whose question the chart answers (its report section); none: a view of its own */
  group?: string;
}

export interface SkippedChart {
  chart: string;
  why: string;
}

/** The charts in presentation order: file stem, home group, and the family function that draws it. */
export const CHARTS: readonly { id: string; group?: string; draw: (sets: readonly ResultSet[]) => Drawn }[] = [
  { id: 'throughput-producers', group: 'producers', draw: throughputChart },
  { id: 'drops-memory', group: 'memory', draw: dropsMemoryChart },
  { id: 'skew-memory', group: 'skew', draw: skewChart },
  { id: 'contention', group: 'contention', draw: contentionChart },
  { id: 'latency-cdf', group: 'latency', draw: latencyCdfChart },
  { id: 'latency-percentiles', group: 'latency', draw: latencyChart },
  { id: 'ordering-producers', group: 'producers', draw: orderingChart },
  { id: 'wakeup-sweep', group: 'wakeup', draw: wakeupChart },
  { id: 'cpu-per-event', group: 'cpu', draw: cpuChart },
  { id: 'event-size', group: 'event-size', draw: eventSizeChart },
  { id: 'ceilings', group: 'ceilings', draw: ceilingsChart },
  { id: 'loss-curve', group: 'ceilings', draw: lossCurveChart },
  { id: 'reader-ceiling', group: 'reader-ceiling', draw: readerCeilingChart },
  { id: 'wakeup-ceiling', group: 'wakeup-ceiling', draw: wakeupCeilingChart },
  { id: 'storm-timeline', draw: timelineChart },
];

/** Every chart the data supports, and a reason for each one it does not. `titles` (by chart id)
 *  replace the catalogue's titles, in the image and the caption: the report passes the finding. */
export function buildCharts(sets: readonly ResultSet[], titles: Readonly<Record<string, string>> = {}): { charts: ChartSpec[]; skipped: SkippedChart[] } {
  const charts: ChartSpec[] = [];
  const skipped: SkippedChart[] = [];
  for (const { id, group, draw } of CHARTS) {
    const drawn = draw(sets);
    const words = CHART_WORDS[id];
    const title = titles[id] ?? words.title;
    if (drawn.spec && titles[id]) (drawn.spec as { title?: unknown }).title = { text: title, subtitle: words.title };
    if (drawn.spec) charts.push({ id, title, caption: words.caption(drawn) + clippedNote(drawn.spec), spec: drawn.spec, ...(group ? { group } : {}) });
    else skipped.push({ chart: words.title, why: `no data for ${words.missing} in these results` });
  }
  return { charts, skipped };
}
