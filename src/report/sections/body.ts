/**
 * report/sections/body — the main body: one section per question, in the order of SECTIONS. Each
 * section is a takeaway sentence (at most 30 words, sections/takeaways), one chart and one small
 * table. A new section is one SECTIONS entry: its heading, its chart id and a function that returns
 * its takeaway and table from the findings (nothing when the results lack its data).
 */
import type { CeilingFinding, Findings, MemoryFinding } from '../../analysis/findings.js';
import { recordsOf } from '../../analysis/groups.js';
import { DROP_RATE } from '../../results/metrics.js';
import { fmtAggregate, fmtBytes, fmtNs } from '../../format/units.js';
import type { Aggregate, ResultSet } from '../../results/schema.js';
import type { Block, TableSpec, Text } from '../document.js';
import type { Figures } from '../figures.js';
import { CHART_WORDS } from '../../charts/captions.js';
import { groupTable, isWide, NOISY_NOTE } from '../tables.js';
import { ratioWords, wakeupWords } from '../words.js';
import { lossSection } from './loss.js';
import { contentionSection, skewSection } from './sharing.js';
import { ceilingTakeaway, cpuTakeaway, latencyTakeaway, memoryTakeaway, orderingTakeaway, stormLine } from './takeaways.js';

/** What a section shows; undefined when the results lack its data. */
export interface SectionContent {
  takeaway: string;
  table?: TableSpec;
  /** a short paragraph after the table: the facts behind the takeaway that the table does not carry */
  note?: string;
}

export interface SectionSpec {
  id: string;
  title: string;
  /** the chart placed under the takeaway (charts/build.ts id); none for a one-line section */
  chart?: string;
  build: (sets: readonly ResultSet[], f: Findings) => SectionContent | undefined;
}

/** The main body's sections, in reading order. */
export const SECTIONS: readonly SectionSpec[] = [
  { id: 'ceilings', title: 'Ceilings and wake-ups', chart: 'wakeup-ceiling', build: (_s, f) => (ceilingTakeaway(f.ceilings) ? { takeaway: ceilingTakeaway(f.ceilings)!, table: ceilingTable(f.ceilings) } : undefined) },
  { id: 'loss', title: 'Zero-loss rate', chart: 'loss-curve', build: (s) => lossSection(s) },
  { id: 'contention', title: 'Producer contention', chart: 'contention', build: (s) => contentionSection(s) },
  { id: 'ordering', title: 'Ordering', chart: 'ordering-producers', build: (s, f) => f.ordering && { takeaway: orderingTakeaway(f.ordering), table: groupTable(s, 'producers', ['ordering.inversionRatio', 'ordering.maxDisplacement']) } },
  { id: 'memory', title: 'Memory', chart: 'drops-memory', build: (_s, f) => f.memory && { takeaway: memoryTakeaway(f.memory), table: memoryTable(f.memory) } },
  { id: 'skew', title: 'Skewed load', chart: 'skew-memory', build: (s) => skewSection(s) },
  { id: 'latency', title: 'Latency', chart: 'latency-cdf', build: (s, f) => f.latency && { takeaway: latencyTakeaway(f.latency), table: tableIfAny(s, 'latency') } },
  { id: 'cpu', title: 'CPU', chart: 'cpu-per-event', build: (s, f) => (cpuTakeaway(f.cpu) ? { takeaway: cpuTakeaway(f.cpu)!, table: tableIfAny(s, 'cpu') } : undefined) },
  { id: 'storms', title: 'Storm throughput', build: (_s, f) => (stormLine(f) ? { takeaway: stormLine(f)! } : undefined) },
];

function tableIfAny(sets: readonly ResultSet[], group: string): TableSpec | undefined {
  return sets.some((s) => recordsOf(s, group).length) ? groupTable(sets, group) : undefined;
}

/** "6.8M ± 0.9M †": a rate with the noise mark when its interval is wider than ±10%. */
function rateCell(a: Aggregate, mark: { noisy: boolean }): string {
  const wide = isWide(a);
  mark.noisy ||= wide;
  return fmtAggregate('rates.deliveredPerSec', a) + (wide ? ' †' : '');
}

/** The ceiling findings: one row per condition, the numbers the TL;DR quotes. */
function ceilingTable(fs: readonly CeilingFinding[]): TableSpec {
  const mark = { noisy: false };
  const drops = (a?: Aggregate) => (!a ? '—' : a.max === 0 ? '0' : fmtAggregate(DROP_RATE, a));
  const rows: Text[][] = fs.map((f) => [
    f.condition === 'defaults' ? 'libbpf defaults' : 'equal batching',
    `${wakeupWords(f.ringWakeup)} / ${wakeupWords(f.perfWakeup)}`,
    `${f.measure === 'sustainable' ? 'sustained' : 'delivered'}: ${rateCell(f.ratio.ring, mark)}`,
    rateCell(f.ratio.perf, mark),
    ratioWords(f.ratio),
    `${drops(f.ringDrops)} / ${drops(f.perfDrops)}`,
  ]);
  return {
    head: ['condition', 'wake-ups (ringbuf / perfbuf)', 'ringbuf events/s', 'perfbuf events/s', 'ringbuf ÷ perfbuf', 'drops unthrottled (r / p)'],
    numeric: [false, false, true, true, true, true],
    rows,
    footnote: `Sustained: highest rate without a drop, one search per repeat; delivered: unthrottled. Mean ± 95% CI.${mark.noisy ? NOISY_NOTE : ''}`,
  };
}

/** Drop rate per buffer size, with how many repeats dropped and who drops clearly less. */
function memoryTable(m: MemoryFinding): TableSpec {
  const who = (p: MemoryFinding['points'][number]) => p.drops.favours ?? (p.drops.ring.max === 0 && p.drops.perf.max === 0 ? 'both none' : 'overlap');
  return {
    head: ['buffer', 'ringbuf drops', 'perfbuf drops', 'repeats that dropped (r / p)', 'clearly lower'],
    numeric: [true, true, true, true, false],
    rows: m.points.map((p) => [fmtBytes(p.bytes), fmtAggregate(DROP_RATE, p.drops.ring), fmtAggregate(DROP_RATE, p.drops.perf), `${p.ringDropped}/${p.drops.ring.n} / ${p.perfDropped}/${p.drops.perf.n}`, who(p)]),
    footnote: `Equal total memory${m.delayNs ? `, consumer slowed to ${fmtNs(m.delayNs)}/event` : ''}. Mean ± 95% CI of the per-repeat drop rate.`,
  };
}

export function bodyBlocks(sets: readonly ResultSet[], findings: Findings, figures: Figures): Block[] {
  const blocks: Block[] = [];
  for (const s of SECTIONS) {
    const c = s.build(sets, findings);
    if (!c) continue;
    blocks.push({ h: 2, text: s.title, id: s.id }, { p: { strong: c.takeaway }, cls: 'takeaway' });
    // the chart's alt text is its own finding (its title); a chart drawn without one (its
    // catalogue title) shows this section's finding, so the alt text states one either way
    if (s.chart) blocks.push(...figures.place(s.chart, figures.titleOf(s.chart) === CHART_WORDS[s.chart]?.title ? c.takeaway : undefined));
    if (c.table) blocks.push({ table: c.table });
    if (c.note) blocks.push({ p: c.note });
  }
  return blocks;
}
