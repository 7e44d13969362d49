/**
 * analysis/groups — the group registry and what charts, verdicts and tables share about a
 * scenario: which question (group) it answers and in what order, whether it ran the saturation
 * load, its reader and wake-up variant, and metric look-up including the derived drop rate.
 */
import { aggregate } from './stats.js';
import { DROP_RATE } from '../results/metrics.js';
import type { Aggregate, ResultSet, ScenarioRecord } from '../results/schema.js';


/** Order in which suite groups are presented; unknown groups follow alphabetically. */
export const GROUP_ORDER = ['producers', 'memory', 'wakeup', 'event-size', 'latency', 'cpu', 'ceilings', 'reader-ceiling', 'wakeup-ceiling'];

/**
 * Groups run with the saturation load (getpgid trigger): they answer "how fast can it go?", not
 * "how does it behave under a storm", so the report gives them their own Ceilings section and the
 * storm verdicts leave them out.
 */
export const CEILING_GROUPS = ['ceilings', 'reader-ceiling', 'wakeup-ceiling'];

export const GROUP_TITLES: Record<string, string> = {
  producers: 'Parallel producers',
  memory: 'Buffer memory (slow consumer)',
  wakeup: 'Wake-up policy',
  'event-size': 'Event size',
  latency: 'Delivery latency (moderate rate)',
  cpu: 'CPU cost',
  ceilings: 'Raw ceiling and sustainable rate',
  'reader-ceiling': 'Reader ceiling: draining a backlog',
  'wakeup-ceiling': 'Wake-up strategies at full rate',
};

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

/** Ratios that cannot exceed 1 (a share of events). */
const UNIT_INTERVAL = new Set([DROP_RATE, 'ordering.inversionRatio']);

/**
 * The 95% interval as drawn: every metric ringbench records is a count, rate, duration, size or
 * share, so none can be negative, and a share cannot exceed 100%. A symmetric Student-t interval
 * from few noisy repeats can reach past those limits (a drop rate of 36% ± 460%); the drawn bar is
 * cut at the limit and `clippedLow`/`clippedHigh` say so, so a caption can tell the reader. Tables keep the
 * symmetric "mean ± half-width", which is what the numbers are.
 */
export function displayInterval(metric: string, a: Aggregate): { lo: number; hi: number; clippedLow: boolean; clippedHigh: boolean } {
  const [lo, hi] = a.ci95;
  const top = UNIT_INTERVAL.has(metric) ? 1 : Infinity;
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
 * How the saturation trigger attached: `recorded` lists what the records (attachedVia) or the
 * environment say; `probe` is the machine's probe of fentry on getpgid (capabilities.attach.fentry),
 * the trigger's first choice, for when nothing was recorded per run.
 */
export function saturationAttach(sets: readonly ResultSet[]): { recorded: string[]; probe?: { available: boolean; reason: string } } {
  const ways = new Set<string>();
  const probes: { available: boolean; reason: string }[] = [];
  for (const s of sets) {
    const env = s.results.environment as unknown as Record<string, unknown> | undefined;
    for (const k of ['saturationAttachedVia', 'attachedVia']) if (typeof env?.[k] === 'string' && env[k]) ways.add(String(env[k]));
    for (const r of s.results.scenarios) {
      const via = (r as { attachedVia?: unknown }).attachedVia;
      if (isSaturation(r) && typeof via === 'string' && via) ways.add(via);
    }
    const fentry = (env?.capabilities as { attach?: { fentry?: { available?: unknown; reason?: unknown } } } | undefined)?.attach?.fentry;
    if (fentry && typeof fentry.available === 'boolean') probes.push({ available: fentry.available, reason: String(fentry.reason ?? '') });
  }
  // Several machines that disagree: no single statement to make.
  const probe = probes.length && probes.every((p) => p.available === probes[0].available) ? probes[0] : undefined;
  return { recorded: [...ways], ...(probe ? { probe } : {}) };
}

/**
 * How a group's table shows its results: the metrics its question is about, the first column's
 * title, column titles that differ from the catalogue's, and whether rows go transport first.
 */
export interface GroupTable {
  metrics: string[];
  rowTitle?: string;
  titles?: Record<string, string>;
  transportFirst?: boolean;
}

export const GROUP_TABLES: Record<string, GroupTable> = {
  producers: { metrics: ['rates.deliveredPerSec', DROP_RATE, 'ordering.inversionRatio', 'ordering.maxDisplacement'] },
  memory: { metrics: ['memory.bufferBytes', DROP_RATE, 'memory.peakOccupancyBytes', 'rates.deliveredPerSec'] },
  wakeup: { metrics: ['rates.deliveredPerSec', 'cpu.consumerNsPerEvent', 'cpu.wakeups', DROP_RATE] },
  'event-size': { metrics: ['rates.deliveredPerSec', DROP_RATE, 'latencyNs.p99', 'cpu.consumerNsPerEvent'] },
  latency: { metrics: ['latencyNs.p50', 'latencyNs.p90', 'latencyNs.p99', 'latencyNs.p999'] },
  cpu: { metrics: ['cpu.consumerNsPerEvent', 'cpu.bpfNsPerEvent', 'cpu.wakeups', 'rates.deliveredPerSec'] },
  'reader-ceiling': {
    metrics: ['rates.deliveredPerSec', 'cpu.consumerNsPerEvent', 'rates.generatedPerSec', DROP_RATE],
    rowTitle: 'reader',
    titles: { 'rates.deliveredPerSec': 'drained/s', 'rates.generatedPerSec': 'generated/s (load)' },
  },
  // Each transport has its own strategies: list them per transport.
  'wakeup-ceiling': { metrics: ['rates.deliveredPerSec', DROP_RATE, 'cpu.bpfNsPerEvent', 'cpu.consumerNsPerEvent', 'cpu.wakeups'], rowTitle: 'wake-up strategy', transportFirst: true },
};

/** The table of a group; groups without an entry show throughput, drops, p99 latency and consumer CPU. */
export function groupTableOf(group: string): GroupTable {
  return GROUP_TABLES[group] ?? { metrics: ['rates.deliveredPerSec', DROP_RATE, 'latencyNs.p99', 'cpu.consumerNsPerEvent'] };
}
