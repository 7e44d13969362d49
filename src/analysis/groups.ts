/**
 * analysis/groups — the group registry (GROUPS: each question a suite asks, in presentation order,
 * with its title, whether it is a ceiling group, its report table and how verdicts name a point of
 * its sweep) and what charts, verdicts and tables share about a scenario: its group, whether it ran
 * the saturation load, its reader and wake-up variant, and metric look-up including the derived
 * drop rate.
 */
import { aggregate } from './stats.js';
import { DROP_RATE, metricSpec } from '../results/metrics.js';
import { fmtBytes } from '../format/units.js';
import type { Aggregate, ResultSet, ScenarioRecord } from '../results/schema.js';

/** How a group's table shows its results: the metrics its question is about, the first column's
 *  title, column titles that differ from the catalogue's, and whether rows go transport first. */
export interface GroupTable {
  metrics: string[];
  rowTitle?: string;
  titles?: Record<string, string>;
  transportFirst?: boolean;
}

/** One question a suite asks: a group of scenarios sweeping one knob. */
export interface GroupSpec {
  id: string;
  /** section heading in reports */
  title: string;
  /**
   * Run with the saturation load (getpgid trigger): it answers "how fast can it go?", not "how does
   * it behave under a storm", so the report gives it the Ceilings section and storm verdicts leave
   * it out.
   */
  ceiling: boolean;
  /** its report table; absent: throughput, drops, p99 latency and consumer CPU */
  table?: GroupTable;
  /** one point of its sweep in words, for verdicts: "2 producers", "16 KiB of buffer" */
  at?: (x: number) => string;
  /** reported in a section of its own (report/sections/sharing), not under Results */
  ownSection?: boolean;
}

const DEFAULT_TABLE: GroupTable = { metrics: ['rates.deliveredPerSec', DROP_RATE, 'latencyNs.p99', 'cpu.consumerNsPerEvent'] };

/** The group registry, in presentation order; groups not listed follow alphabetically. */
export const GROUPS: readonly GroupSpec[] = [
  {
    id: 'producers',
    title: 'Parallel producers',
    ceiling: false,
    table: { metrics: ['rates.deliveredPerSec', DROP_RATE, 'ordering.inversionRatio', 'ordering.maxDisplacement'] },
    at: (x) => `${x} producer${x === 1 ? '' : 's'}`,
  },
  {
    id: 'memory',
    title: 'Buffer memory (slow consumer)',
    ceiling: false,
    table: { metrics: ['memory.bufferBytes', DROP_RATE, 'memory.peakOccupancyBytes', 'rates.deliveredPerSec'] },
    at: (x) => `${fmtBytes(x)} of buffer`,
  },
  {
    id: 'wakeup',
    title: 'Wake-up policy',
    ceiling: false,
    table: { metrics: ['rates.deliveredPerSec', 'cpu.consumerNsPerEvent', 'cpu.wakeups', DROP_RATE] },
    at: (x) => `wake-up every ${x}`,
  },
  {
    id: 'event-size',
    title: 'Event size',
    ceiling: false,
    table: { metrics: ['rates.deliveredPerSec', DROP_RATE, 'latencyNs.p99', 'cpu.consumerNsPerEvent'] },
    at: (x) => `${fmtBytes(x)} events`,
  },
  {
    id: 'latency',
    title: 'Delivery latency (moderate rate)',
    ceiling: false,
    table: { metrics: ['latencyNs.p50', 'latencyNs.p90', 'latencyNs.p99', 'latencyNs.p999'] },
  },
  {
    id: 'cpu',
    title: 'CPU cost',
    ceiling: false,
    table: { metrics: ['cpu.consumerNsPerEvent', 'cpu.bpfNsPerEvent', 'cpu.wakeups', 'rates.deliveredPerSec'] },
  },
  {
    id: 'skew',
    title: 'Skewed load: one CPU vs all',
    ceiling: false,
    ownSection: true,
    table: { metrics: [DROP_RATE, 'memory.peakCpuOccupancyBytes', 'stalls.maxCommitToReadNs', 'rates.deliveredPerSec'], rowTitle: 'storm' },
  },
  {
    id: 'contention',
    title: 'Producer contention: shared ring, per-CPU rings, perfbuf',
    ceiling: false,
    ownSection: true,
    table: { metrics: ['rates.deliveredPerSec', 'rates.generatedPerSec', DROP_RATE, 'cpu.bpfNsPerEvent'], rowTitle: 'layout and producers', transportFirst: true },
    at: (x) => `${x} producer${x === 1 ? '' : 's'}`,
  },
  { id: 'ceilings', title: 'Raw ceiling and sustainable rate', ceiling: true },
  {
    id: 'syscall-ceiling',
    title: 'Per-syscall cost: one record per call',
    ceiling: true,
    table: {
      metrics: ['rates.generatedPerSec', 'rates.deliveredPerSec', DROP_RATE, 'cpu.bpfNsPerEvent', 'cpu.consumerNsPerEvent'],
      rowTitle: 'trigger',
    },
  },
  {
    id: 'reader-ceiling',
    title: 'Reader ceiling: draining a backlog',
    ceiling: true,
    table: {
      metrics: ['rates.deliveredPerSec', 'cpu.consumerNsPerEvent', 'rates.generatedPerSec', DROP_RATE],
      rowTitle: 'reader',
      titles: { 'rates.deliveredPerSec': 'drained/s', 'rates.generatedPerSec': 'generated/s (load)' },
    },
  },
  {
    id: 'wakeup-ceiling',
    title: 'Wake-up strategies at full rate',
    ceiling: true,
    // Each transport has its own strategies: list them per transport.
    table: { metrics: ['rates.deliveredPerSec', DROP_RATE, 'cpu.bpfNsPerEvent', 'cpu.consumerNsPerEvent', 'cpu.wakeups'], rowTitle: 'wake-up strategy', transportFirst: true },
  },
];

const BY_ID = new Map(GROUPS.map((g) => [g.id, g]));

/** The registry entry of a group; undefined for a group it does not know. */
export function groupSpec(group: string): GroupSpec | undefined {
  return BY_ID.get(group);
}

/** Order in which suite groups are presented; unknown groups follow alphabetically. */
export const GROUP_ORDER: readonly string[] = GROUPS.map((g) => g.id);

/** Groups run with the saturation load (see GroupSpec.ceiling). */
export const CEILING_GROUPS: readonly string[] = GROUPS.filter((g) => g.ceiling).map((g) => g.id);

/** Groups reported in a section of their own (GroupSpec.ownSection). */
export const OWN_SECTION_GROUPS: readonly string[] = GROUPS.filter((g) => g.ownSection).map((g) => g.id);

export const GROUP_TITLES: Readonly<Record<string, string>> = Object.fromEntries(GROUPS.map((g) => [g.id, g.title]));

/** The groups that have a table of their own, by id. */
export const GROUP_TABLES: Readonly<Record<string, GroupTable>> = Object.fromEntries(
  GROUPS.flatMap((g) => (g.table ? [[g.id, g.table] as const] : [])),
);

/** The table of a group; groups without one show throughput, drops, p99 latency and consumer CPU. */
export function groupTableOf(group: string): GroupTable {
  return BY_ID.get(group)?.table ?? DEFAULT_TABLE;
}

/** A record of the saturation load (its own question), rather than a storm scenario. */
export function isSaturation(rec: ScenarioRecord): boolean {
  return rec.config?.load === 'saturation' || CEILING_GROUPS.includes(rec.group);
}

/** The reader a record ran with: libbpf's ring_buffer/perf_buffer or the custom batch reader. */
export function readerOf(rec: ScenarioRecord): string {
  return rec.config?.reader ?? rec.label;
}

/**
 * Mean and 95% CI of a metric for one scenario. The drop rate is computed per repeat and then
 * aggregated, so its interval reflects repeat-to-repeat spread rather than a ratio of means.
 */
export function metricAggregate(rec: ScenarioRecord, metric: string): Aggregate | undefined {
  if (metric === DROP_RATE) {
    const dropped = rec.repeats?.['counts.droppedKernel'];
    const seen = rec.repeats?.['counts.seenByBpf'];
    if (dropped?.length && seen?.length === dropped.length) {
      const a = aggregate(dropped.map((d, i) => (seen[i] > 0 ? d / seen[i] : NaN)));
      return a.n > 0 ? a : undefined;
    }
    const d = rec.aggregates?.['counts.droppedKernel'];
    const s = rec.aggregates?.['counts.seenByBpf'];
    // Only aggregates were kept: a ratio of means, with no interval to offer.
    if (d && s && s.mean > 0) return aggregate([d.mean / s.mean]);
    return undefined;
  }
  const a = rec.aggregates?.[metric];
  if (a && Number.isFinite(a.mean)) return a;
  const r = rec.repeats?.[metric];
  if (r?.length) {
    const b = aggregate(r);
    return b.n > 0 ? b : undefined;
  }
  return undefined;
}

/**
 * The 95% interval as drawn: every metric ringbench records is a count, rate, duration, size or
 * share, so none can be negative, and a share cannot exceed 100%. A symmetric Student-t interval
 * from few noisy repeats can reach past those limits (a drop rate of 36% ± 460%); the drawn bar is
 * cut at the limit and `clippedLow`/`clippedHigh` say so, so a caption can tell the reader. Tables keep the
 * symmetric "mean ± half-width", which is what the numbers are.
 */
export function displayInterval(metric: string, a: Aggregate): { lo: number; hi: number; clippedLow: boolean; clippedHigh: boolean } {
  const [lo, hi] = a.ci95;
  // Ratios in the catalogue are shares of events: they cannot exceed 1.
  const top = metricSpec(metric)?.unit === 'ratio' ? 1 : Infinity;
  return { lo: Math.max(0, lo), hi: Math.min(top, hi), clippedLow: lo < 0, clippedHigh: hi > top };
}

export function groupsIn(sets: readonly ResultSet[]): string[] {
  const seen = new Set<string>();
  for (const s of sets) for (const r of s.results.scenarios) seen.add(r.group);
  const known = GROUP_ORDER.filter((g) => seen.has(g));
  const other = [...seen].filter((g) => !GROUP_ORDER.includes(g)).sort();
  return [...known, ...other];
}

export function recordsOf(set: ResultSet, group: string): ScenarioRecord[] {
  return set.results.scenarios.filter((r) => r.group === group);
}

/**
 * The wake-up policy a record ran with, for the wakeup group where one transport may appear
 * with several policies at the same N. The label is what the suite wrote, so it wins.
 */
export function wakeupVariant(rec: ScenarioRecord): string {
  const l = (rec.label ?? '').toLowerCase();
  if (rec.transport === 'ringbuf') {
    for (const p of ['adaptive', 'every-n', 'sampled']) if (l.includes(p)) return p;
    if (l.includes('every')) return 'every-n';
    return rec.config?.ringbufWakeup ?? 'adaptive';
  }
  if (l.includes('watermark') || (rec.config?.perfbufWatermarkBytes ?? 0) > 0) return 'watermark';
  return 'every-n';
}

/**
 * How the saturation trigger attached: `recorded` lists what the saturation records say
 * (ScenarioRecord.attachedVia); `probe` is the machine's probe of fentry on getpgid (capabilities.attach.fentry),
 * the trigger's first choice, for when nothing was recorded per run.
 */
export function saturationAttach(sets: readonly ResultSet[]): { recorded: string[]; probe?: { available: boolean; reason: string } } {
  const ways = new Set<string>();
  const probes: { available: boolean; reason: string }[] = [];
  for (const s of sets) {
    const env = s.results.environment as unknown as Record<string, unknown> | undefined;
    for (const r of s.results.scenarios) {
      if (isSaturation(r) && typeof r.attachedVia === 'string' && r.attachedVia) ways.add(r.attachedVia);
    }
    const fentry = (env?.capabilities as { attach?: { fentry?: { available?: unknown; reason?: unknown } } } | undefined)?.attach?.fentry;
    if (fentry && typeof fentry.available === 'boolean') probes.push({ available: fentry.available, reason: String(fentry.reason ?? '') });
  }
  // Several machines that disagree: no single statement to make.
  const probe = probes.length && probes.every((p) => p.available === probes[0].available) ? probes[0] : undefined;
  return { recorded: [...ways], ...(probe ? { probe } : {}) };
}

