/**
 * analysis/findings — what one result set says about each question, as values (no sentences):
 * ceiling ratios at libbpf's default wake-ups and at equal wake-up batching, ordering, memory per
 * buffer size, tail latency (p99 and p99.9), CPU per event, storm throughput and what bounds it,
 * and drops. A difference is "clear" only when the two 95% intervals do not overlap; a side with a
 * single repeat is never clear. report/sections turns these values into the TL;DR and takeaways.
 */
import { isSaturation, metricAggregate, readerOf, recordsOf, wakeupVariant } from './groups.js';
import { halfCi, intervalsOverlap } from './stats.js';
import { DROP_RATE, metricSpec } from '../results/metrics.js';
import type { Aggregate, ResultSet, ScenarioRecord } from '../results/schema.js';
import type { Transport } from '../harness/types.js';

/** ringbuf against perfbuf on one metric: both aggregates and their ratio with its 95% interval. */
export interface Contrast {
  metric: string;
  ring: Aggregate;
  perf: Aggregate;
  /** ringbuf mean / perfbuf mean */
  ratio: number;
  /** the ratio's 95% interval (first-order propagation of both relative half-widths) */
  lo: number;
  hi: number;
  /** the intervals overlap, or a side has one repeat: no difference is called */
  overlap: boolean;
  single: boolean;
  /** the transport the metric's better direction favours; null when not clear */
  favours: Transport | null;
}

export function contrastOf(metric: string, ring: Aggregate | undefined, perf: Aggregate | undefined): Contrast | undefined {
  if (!ring || !perf || !Number.isFinite(ring.mean) || !Number.isFinite(perf.mean)) return undefined;
  const rel = (a: Aggregate) => (a.n > 1 && a.mean !== 0 ? halfCi(a) / Math.abs(a.mean) : 0);
  const ratio = perf.mean !== 0 ? ring.mean / perf.mean : Infinity;
  const w = Math.hypot(rel(ring), rel(perf));
  const single = ring.n < 2 || perf.n < 2;
  const overlap = single || intervalsOverlap(ring, perf);
  const higherIsBetter = metricSpec(metric)?.better !== 'lower';
  const favours: Transport | null = overlap ? null : ring.mean > perf.mean === higherIsBetter ? 'ringbuf' : 'perfbuf';
  return { metric, ring, perf, ratio, lo: Math.max(0, ratio * (1 - w)), hi: ratio * (1 + w), overlap, single, favours };
}

const contrast = (metric: string, r: ScenarioRecord, p: ScenarioRecord) => contrastOf(metric, metricAggregate(r, metric), metricAggregate(p, metric));

/** How a side wakes its reader, as values: the report words them. */
export interface Wakeup {
  kind: 'adaptive' | 'every' | 'sampled' | 'watermark';
  /** events per wake-up (every), bytes (sampled, watermark) */
  n?: number;
}

export function wakeupOf(r: ScenarioRecord): Wakeup {
  const v = wakeupVariant(r);
  if (r.transport === 'ringbuf') {
    if (v === 'sampled') return { kind: 'sampled', n: r.config?.wakeupBytes };
    if (v === 'every-n') return { kind: 'every', n: r.config?.wakeupEvery ?? 1 };
    return { kind: 'adaptive' };
  }
  if (v === 'watermark') return { kind: 'watermark', n: r.config?.perfbufWatermarkBytes };
  return { kind: 'every', n: r.config?.perfbufWakeupEvents ?? 1 };
}

/** libbpf's defaults: ringbuf adaptive, perfbuf a wake-up per event. */
function atDefaults(r: ScenarioRecord, p: ScenarioRecord): boolean {
  const pw = wakeupOf(p);
  return wakeupOf(r).kind === 'adaptive' && pw.kind === 'every' && (pw.n ?? 1) <= 1;
}
/** Both sides batch their wake-ups (neither adaptive, nor a wake-up per event). */
function batchedBoth(r: ScenarioRecord, p: ScenarioRecord): boolean {
  const rw = wakeupOf(r);
  const pw = wakeupOf(p);
  return rw.kind !== 'adaptive' && !(rw.kind === 'every' && (rw.n ?? 1) <= 1) && !(pw.kind === 'every' && (pw.n ?? 1) <= 1);
}

export interface CeilingFinding {
  condition: 'defaults' | 'equal';
  group: string;
  label: string;
  reader: string;
  ringWakeup: Wakeup;
  perfWakeup: Wakeup;
  /** the sustainable rate where both sides were searched, else delivered/s at full rate */
  measure: 'sustainable' | 'delivered';
  ratio: Contrast;
  /** each side's drop rate at full (unthrottled) rate */
  ringDrops?: Aggregate;
  perfDrops?: Aggregate;
}

/** Pairs of a group: the ringbuf and perfbuf records at the same x (and reader). */
function pairsOf(set: ResultSet, group: string): { r: ScenarioRecord; p: ScenarioRecord }[] {
  const recs = recordsOf(set, group);
  const out: { r: ScenarioRecord; p: ScenarioRecord }[] = [];
  for (const r of recs.filter((x) => x.transport === 'ringbuf')) {
    const p = recs.find((x) => x.transport === 'perfbuf' && x.x?.value === r.x?.value && readerOf(x) === readerOf(r));
    if (p) out.push({ r, p });
  }
  return out;
}

/** The ceiling ratios: ceilings-group pairs (sustainable rate), then wakeup-ceiling pairs (delivered/s). */
export function ceilingFindings(set: ResultSet): CeilingFinding[] {
  const out: CeilingFinding[] = [];
  const add = (group: string, r: ScenarioRecord, p: ScenarioRecord) => {
    const condition = atDefaults(r, p) ? 'defaults' : batchedBoth(r, p) ? 'equal' : undefined;
    if (!condition) return;
    const ra = r.sustainable?.aggregate;
    const pa = p.sustainable?.aggregate;
    const searched = !!ra && !!pa;
    const ratio = searched ? contrastOf('rates.deliveredPerSec', ra, pa) : contrast('rates.deliveredPerSec', r, p);
    if (!ratio) return;
    out.push({
      condition, group, label: r.label, reader: readerOf(r), ringWakeup: wakeupOf(r), perfWakeup: wakeupOf(p),
      measure: searched ? 'sustainable' : 'delivered', ratio, ringDrops: metricAggregate(r, DROP_RATE), perfDrops: metricAggregate(p, DROP_RATE),
    });
  };
  for (const { r, p } of pairsOf(set, 'ceilings')) add('ceilings', r, p);
  // wakeup-ceiling: ringbuf and perfbuf strategies pair at the same N (x)
  for (const { r, p } of pairsOf(set, 'wakeup-ceiling')) add('wakeup-ceiling', r, p);
  // libbpf's reader first (what most tools use), defaults before equal batching
  const rank = (f: CeilingFinding) => (f.reader === 'libbpf' ? 0 : 1) * 10 + (f.condition === 'defaults' ? 0 : 1) + (f.group === 'ceilings' ? 0 : 2);
  return out.sort((a, b) => rank(a) - rank(b));
}

export interface OrderingFinding {
  at: number;
  inversions: Contrast;
  /** the mean of the repeats' largest displacement: the statistic the producers table shows */
  displacement?: Contrast;
  /** every repeat of both delivered in order */
  allInOrder: boolean;
}

export function orderingFinding(set: ResultSet): OrderingFinding | undefined {
  const ps = pairsOf(set, 'producers').filter(({ r, p }) => contrast('ordering.inversionRatio', r, p));
  if (!ps.length) return undefined;
  const allInOrder = ps.every(({ r, p }) => metricAggregate(r, 'ordering.inversionRatio')!.max === 0 && metricAggregate(p, 'ordering.inversionRatio')!.max === 0);
  const head = ps.reduce((a, b) => ((b.r.x?.value ?? 0) > (a.r.x?.value ?? 0) ? b : a));
  return { at: head.r.x?.value ?? 0, inversions: contrast('ordering.inversionRatio', head.r, head.p)!, displacement: contrast('ordering.maxDisplacement', head.r, head.p), allInOrder };
}

export interface MemoryPoint {
  bytes: number;
  drops: Contrast;
  /** repeats that dropped anything, of all */
  ringDropped: number;
  perfDropped: number;
}
export interface MemoryFinding {
  points: MemoryPoint[];
  /** the consumer's artificial delay per event in the sweep (ns), when it had one */
  delayNs?: number;
  /** smallest size from which every repeat at every size up dropped nothing; null: none */
  zeroFrom: Record<Transport, { bytes: number | null; repeats: number }>;
}

const droppedRepeats = (r: ScenarioRecord) => (r.repeats?.['counts.droppedKernel'] ?? []).filter((d) => d > 0).length;

export function memoryFinding(set: ResultSet): MemoryFinding | undefined {
  const points: MemoryPoint[] = [];
  const delayNs = recordsOf(set, 'memory').map((r) => r.config?.consumerDelayNs).find((d) => (d ?? 0) > 0);
  for (const { r, p } of pairsOf(set, 'memory')) {
    const drops = contrast(DROP_RATE, r, p);
    if (drops) points.push({ bytes: r.x?.value ?? 0, drops, ringDropped: droppedRepeats(r), perfDropped: droppedRepeats(p) });
  }
  if (!points.length) return undefined;
  points.sort((a, b) => a.bytes - b.bytes);
  const zero = (t: Transport) => {
    let bytes: number | null = null;
    let repeats = 0;
    for (let i = points.length - 1; i >= 0; i--) {
      const pt = points[i];
      if ((t === 'ringbuf' ? pt.ringDropped : pt.perfDropped) > 0) break;
      bytes = pt.bytes;
      repeats = (t === 'ringbuf' ? pt.drops.ring : pt.drops.perf).n;
    }
    return { bytes, repeats };
  };
  return { points, delayNs, zeroFrom: { ringbuf: zero('ringbuf'), perfbuf: zero('perfbuf') } };
}

export interface LatencyFinding {
  /** the scenario: its group, label and swept value (latency: the rate cap) */
  group: string;
  label: string;
  x?: { name: string; value: number };
  p50?: Contrast;
  p99: Contrast;
  p999?: Contrast;
  /** p99.9 tells another story than p99: another clear winner, or the ratio on the other side of 1 */
  tailDisagrees: boolean;
}

export function latencyFinding(set: ResultSet): LatencyFinding | undefined {
  let ps = pairsOf(set, 'latency');
  if (!ps.length) ps = pairsOf(set, 'producers').slice(0, 1);
  ps = ps.filter(({ r, p }) => contrast('latencyNs.p99', r, p));
  if (!ps.length) return undefined;
  const head = ps[Math.floor((ps.length - 1) / 2)];
  const p99 = contrast('latencyNs.p99', head.r, head.p)!;
  const p999 = contrast('latencyNs.p999', head.r, head.p);
  const tailDisagrees = !!p999 && (p999.favours !== p99.favours || (p99.ratio - 1) * (p999.ratio - 1) < 0);
  return { x: head.r.x, group: head.r.group, label: head.r.label, p50: contrast('latencyNs.p50', head.r, head.p), p99, p999, tailDisagrees };
}

export interface CpuFinding {
  label: string;
  consumer?: Contrast;
  bpf?: Contrast;
}

export function cpuFinding(set: ResultSet): CpuFinding | undefined {
  const ps = pairsOf(set, 'cpu');
  const head = ps[0] ?? pairsOf(set, 'producers')[0];
  if (!head) return undefined;
  const consumer = contrast('cpu.consumerNsPerEvent', head.r, head.p);
  const bpf = contrast('cpu.bpfNsPerEvent', head.r, head.p);
  if (!consumer && !bpf) return undefined;
  return { label: head.r.label, consumer, bpf };
}

export interface StormFinding {
  at: number;
  delivered: Contrast;
  /** producer counts where ringbuf / perfbuf delivered clearly more, and where neither did */
  tally: { ringbuf: number; perfbuf: number; none: number };
  /** share of generated events delivered at the heaviest load, per side: ≈ 1 means the storm
   *  (fork and exit), not the transport, set the pace */
  deliveredShare: { ringbuf: number; perfbuf: number };
  boundByStorm: boolean;
}

/** At or above this share of generated events delivered, the storm generator sets the pace. */
export const STORM_BOUND_SHARE = 0.99;

export function stormFinding(set: ResultSet): StormFinding | undefined {
  const ps = pairsOf(set, 'producers').filter(({ r, p }) => contrast('rates.deliveredPerSec', r, p));
  if (!ps.length) return undefined;
  const tally = { ringbuf: 0, perfbuf: 0, none: 0 };
  for (const { r, p } of ps) tally[contrast('rates.deliveredPerSec', r, p)!.favours ?? 'none']++;
  const head = ps.reduce((a, b) => ((b.r.x?.value ?? 0) > (a.r.x?.value ?? 0) ? b : a));
  const share = (x: ScenarioRecord) => {
    const g = metricAggregate(x, 'counts.generated')?.mean ?? 0;
    const d = metricAggregate(x, 'counts.delivered')?.mean ?? 0;
    return g > 0 ? d / g : NaN;
  };
  const deliveredShare = { ringbuf: share(head.r), perfbuf: share(head.p) };
  const boundByStorm = ps.every(({ r, p }) => share(r) >= STORM_BOUND_SHARE && share(p) >= STORM_BOUND_SHARE);
  return { at: head.r.x?.value ?? 0, delivered: contrast('rates.deliveredPerSec', head.r, head.p)!, tally, deliveredShare, boundByStorm };
}

export interface DropsFinding {
  /** the paired storm scenarios and how many clearly favour each side */
  storms: { pairs: number; ringbufMore: number; perfbufMore: number; anyDrops: boolean };
  /** the paired saturation scenarios, likewise */
  ceilings: { pairs: number; ringbufMore: number; perfbufMore: number; anyDrops: boolean };
}

export function dropsFinding(set: ResultSet): DropsFinding {
  const tally = (saturation: boolean) => {
    const groups = [...new Set(set.results.scenarios.filter((r) => isSaturation(r) === saturation).map((r) => r.group))];
    const cs = groups.flatMap((g) => pairsOf(set, g)).map(({ r, p }) => contrast(DROP_RATE, r, p)).filter((c): c is Contrast => !!c);
    return {
      pairs: cs.length,
      ringbufMore: cs.filter((c) => !c.overlap && c.ring.mean > c.perf.mean).length,
      perfbufMore: cs.filter((c) => !c.overlap && c.perf.mean > c.ring.mean).length,
      anyDrops: cs.some((c) => c.ring.max > 0 || c.perf.max > 0),
    };
  };
  return { storms: tally(false), ceilings: tally(true) };
}

/** Every finding of a set. */
export interface Findings {
  ceilings: CeilingFinding[];
  ordering?: OrderingFinding;
  memory?: MemoryFinding;
  latency?: LatencyFinding;
  cpu?: CpuFinding;
  storm?: StormFinding;
  drops: DropsFinding;
}

export function findingsOf(set: ResultSet): Findings {
  return {
    ceilings: ceilingFindings(set),
    ordering: orderingFinding(set),
    memory: memoryFinding(set),
    latency: latencyFinding(set),
    cpu: cpuFinding(set),
    storm: stormFinding(set),
    drops: dropsFinding(set),
  };
}
