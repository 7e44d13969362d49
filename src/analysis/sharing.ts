/**
 * analysis/sharing — what the skew and contention groups measured, as values the report words:
 * per transport, the drop rate with the storm on one CPU against spread over every CPU, and whether
 * the two 95% intervals are apart; per sharing layout (shared ring, per-CPU rings, perfbuf), the
 * delivered rate at each producer count, and where the consumer had to share a CPU with them.
 */
import { metricAggregate, recordsOf } from './groups.js';
import { DROP_RATE } from '../results/metrics.js';
import type { Aggregate, ResultSet, ScenarioRecord } from '../results/schema.js';

/** Which way a difference between two intervals goes: apart (higher or lower) or overlapping. */
export type Direction = 'higher' | 'lower' | 'overlap';

/** a's interval against b's: 'higher' when a's lies wholly above b's, 'lower' below, else 'overlap'. */
export function directionOf(a: Aggregate, b: Aggregate): Direction {
  if (a.ci95[0] > b.ci95[1]) return 'higher';
  if (a.ci95[1] < b.ci95[0]) return 'lower';
  // one repeat each (no interval): only identical values count as no difference
  if (a.n < 2 && b.n < 2 && a.mean !== b.mean) return a.mean > b.mean ? 'higher' : 'lower';
  return 'overlap';
}

/** A skew scenario's storm placement: on fewer CPUs than the host has, or on all of them. */
export function isSkewed(rec: ScenarioRecord, cpuCount: number): boolean {
  const cpus = rec.config?.stormCpus ?? '';
  if (!cpus) return false;
  const n = cpus.split(',').reduce((k, item) => {
    const [lo, hi = lo] = item.split('-').map(Number);
    return k + (hi - lo + 1);
  }, 0);
  return n < cpuCount;
}

export interface SkewFinding {
  transport: ScenarioRecord['transport'];
  /** the ring layout of a ringbuf record ('shared', 'per-cpu', 'N'); absent for perfbuf */
  sharing?: string;
  skewed: Aggregate;
  spread: Aggregate;
  /** the skewed drop rate against the spread one */
  skew: Direction;
}

/** Per transport (and ring layout) of the skew group: drop rates skewed and spread. */
export function skewFindings(set: ResultSet): SkewFinding[] {
  const cpuCount = set.results.environment?.cpuCount || 0;
  const recs = recordsOf(set, 'skew');
  const out: SkewFinding[] = [];
  const keyOf = (r: ScenarioRecord) => `${r.transport}/${r.transport === 'ringbuf' ? (r.config?.ringbufSharing ?? 'shared') : ''}`;
  for (const key of [...new Set(recs.map(keyOf))]) {
    const mine = recs.filter((r) => keyOf(r) === key);
    const skewedRec = mine.find((r) => isSkewed(r, cpuCount));
    const spreadRec = mine.find((r) => !isSkewed(r, cpuCount));
    const skewed = skewedRec && metricAggregate(skewedRec, DROP_RATE);
    const spread = spreadRec && metricAggregate(spreadRec, DROP_RATE);
    if (!skewed || !spread) continue;
    const t = mine[0].transport;
    out.push({ transport: t, ...(t === 'ringbuf' ? { sharing: mine[0].config?.ringbufSharing ?? 'shared' } : {}), skewed, spread, skew: directionOf(skewed, spread) });
  }
  return out;
}

export interface ContentionPoint {
  /** shared ring, per-CPU rings or perfbuf's per-CPU buffers */
  layout: 'shared ring' | 'per-CPU rings' | 'ring per N CPUs' | 'perfbuf';
  producers: number;
  delivered: Aggregate;
  dropRate?: Aggregate;
  /** producers + the consumer outnumber the CPUs: the consumer shares a CPU with them */
  consumerShares: boolean;
}

/** The layout a contention record measured. */
export function layoutOf(rec: ScenarioRecord): ContentionPoint['layout'] {
  if (rec.transport === 'perfbuf') return 'perfbuf';
  const sharing = rec.config?.ringbufSharing ?? 'shared';
  return sharing === 'shared' ? 'shared ring' : sharing === 'per-cpu' || sharing === '1' ? 'per-CPU rings' : 'ring per N CPUs';
}

/** Every measured point of the contention group, ordered by layout then producers. */
export function contentionPoints(set: ResultSet): ContentionPoint[] {
  const cpuCount = set.results.environment?.cpuCount || 0;
  const points: ContentionPoint[] = [];
  for (const r of recordsOf(set, 'contention')) {
    const delivered = metricAggregate(r, 'rates.deliveredPerSec');
    if (!delivered) continue;
    const producers = r.config?.workers ?? r.x?.value ?? 0;
    // the record's own placement when it has one; else producers + consumer against the CPUs
    const consumerShares = r.placement ? r.placement.oversubscribed : producers + 1 > cpuCount;
    const dropRate = metricAggregate(r, DROP_RATE);
    points.push({ layout: layoutOf(r), producers, delivered, ...(dropRate ? { dropRate } : {}), consumerShares });
  }
  const order = ['shared ring', 'per-CPU rings', 'ring per N CPUs', 'perfbuf'];
  return points.sort((a, b) => order.indexOf(a.layout) - order.indexOf(b.layout) || a.producers - b.producers);
}
