/**
 * analysis/bounds — what set the pace of a ceiling figure, decided from the run's own data only:
 *
 * - no material drops (at most the catalogue's 20-event floor in every repeat, or under 1% of the
 *   events: bursts lost to a scheduling hiccup): the consumer kept up, so the producer side set
 *   the pace. With control trials in the results, the producer's getpgid()
 *   calls per second are set against the bare trigger loop's per-thread rate: at ≥ 80% of it the
 *   syscall itself (the trigger) bounds the figure; below, the BPF program's work per call (filling
 *   and submitting the records) does, and the difference per record is that work's cost.
 * - drops: the consumer side fell behind. Delivered/s is set against the drain-mode rate of the
 *   same transport, reader and event size (the reader-ceiling group): at ≥ 80% of it the reader's
 *   own speed bounds the figure; below, the reader could have gone faster, so the hand-off between
 *   producer and consumer does: the transport's wake-ups and shared positions, or the consumer
 *   waiting for a CPU (the run cannot tell those apart; its CPU time over the load is given).
 * - anything the data cannot tell is said to be unknown, with what is missing.
 *
 * Placement: a scenario whose threads (producers + a consumer that reads during the load) outnumber
 * the machine's CPUs is flagged, because its threads take turns and no figure is then the
 * transport's alone.
 */
import { metricAggregate, recordsOf } from './groups.js';
import { DROP_RATE, floorOf } from '../results/metrics.js';
import type { ResultSet, ScenarioRecord } from '../results/schema.js';

/** The share of a reference rate at or above which the reference is what bounds the figure. */
export const BOUND_SHARE = 0.8;

/** The drop rate from which the consumer side, not the producer, is taken to set the pace. */
export const MATERIAL_DROPS = 0.01;

export type BoundKind = 'trigger' | 'program' | 'reader' | 'transport' | 'unknown';

export interface Bound {
  kind: BoundKind;
  /** whether the repeats dropped materially (≥ MATERIAL_DROPS of the events, beyond the count
   *  floor); undefined when the results lack drop counts */
  dropped?: boolean;
  /** mean drop rate (share of the events the program saw) */
  dropShare?: number;
  /** producer getpgid() calls per second per thread, and the bare loop's per thread */
  callsPerSec?: number;
  bareCallsPerSec?: number;
  /** ns per record the producer spent beyond the bare syscall (program bound only) */
  programNsPerRecord?: number;
  /** delivered/s and the same reader's drain rate */
  deliveredPerSec?: number;
  drainPerSec?: number;
  /** share of the reference (bare loop or drain rate) the figure reached */
  share?: number;
  /** the consumer thread's CPU time over the load phase (consumer ns/event × delivered/s) */
  consumerBusy?: number;
}

/** Producer threads of a scenario, and whether its consumer thread runs during the load. */
export interface Placement {
  producers: number;
  /** the consumer reads while the producers run (not drain mode) */
  consumerConcurrent: boolean;
  threads: number;
  cpus: number;
  /** threads that run at once outnumber CPUs */
  oversubscribed: boolean;
  /** CPU of the consumer / of the producers when pinned (undefined: not pinned) */
  consumerCpu?: number;
  producerCpu?: number;
}

const pinned = (v: unknown): number | undefined => (typeof v === 'number' && v >= 0 ? v : undefined);

/** Where the scenario's threads ran, as far as its configuration and the environment say. */
export function placementOf(set: ResultSet, rec: ScenarioRecord): Placement | undefined {
  const cpus = set.results.environment?.cpuCount;
  // back-to-back (b2b): the consumer thread triggers after each poll; there is no producer thread
  const b2b = (rec.config?.consumer as string) === 'b2b';
  const producers = b2b ? 0 : rec.config?.workers;
  if (!(cpus > 0) || !(producers >= 0) || (!b2b && !(producers > 0))) return undefined;
  const consumerConcurrent = rec.config.consumer !== 'drain';
  const threads = producers + (consumerConcurrent ? 1 : 0);
  // producerCpu: the producer pinning knob; absent in results from before it (not pinned).
  const producerCpu = pinned((rec.config as unknown as Record<string, unknown>).producerCpu);
  return { producers, consumerConcurrent, threads, cpus, oversubscribed: threads > cpus, consumerCpu: pinned(rec.config.consumerCpu), producerCpu };
}

/** The bare trigger loop's calls per second per thread, from the run's control trials. */
export function bareTriggerPerThread(set: ResultSet): number | undefined {
  const c = set.results.control;
  const xs = c?.samples?.['control.triggerPerSec']?.filter((x) => Number.isFinite(x) && x > 0);
  const workers = c?.config?.workers ?? 0;
  if (!xs?.length || !(workers > 0)) return undefined;
  return xs.reduce((a, b) => a + b, 0) / xs.length / workers;
}

/** The drain-mode rate of the reader this scenario used (same transport, reader, event size). */
export function drainRateFor(set: ResultSet, rec: ScenarioRecord): number | undefined {
  const match = recordsOf(set, 'reader-ceiling').find(
    (d) => d.transport === rec.transport && d.config?.reader === rec.config?.reader && d.config?.eventBytes === rec.config?.eventBytes && d.config?.consumer === 'drain',
  );
  const a = match && metricAggregate(match, 'rates.deliveredPerSec');
  return a && a.mean > 0 ? a.mean : undefined;
}

/** What bounds one saturation scenario's figure (see the module comment). */
export function boundOf(set: ResultSet, rec: ScenarioRecord): Bound {
  const drops = metricAggregate(rec, 'counts.droppedKernel');
  const generated = metricAggregate(rec, 'rates.generatedPerSec');
  const delivered = metricAggregate(rec, 'rates.deliveredPerSec');
  if (!drops || !generated || !delivered) return { kind: 'unknown' };
  // back-to-back: one thread triggers, fills and reads in turn, so the figure is the round trip of
  // all three; no single side can be named from the run's data.
  if ((rec.config?.consumer as string) === 'b2b') return { kind: 'unknown' };
  // Drops that are a sliver of the events (bursts lost to a scheduling hiccup) leave the pace to
  // the producer: the consumer kept up on the whole.
  const rate = metricAggregate(rec, DROP_RATE);
  const dropShare = rate?.mean ?? 0;
  const dropped = drops.max > floorOf('counts.droppedKernel') && dropShare >= MATERIAL_DROPS;
  if (!dropped) {
    const perCall = Math.max(1, rec.config?.eventsPerCall ?? 1);
    const callsPerSec = generated.mean / perCall / Math.max(1, rec.config?.workers ?? 1);
    const bare = bareTriggerPerThread(set);
    if (!bare) return { kind: 'unknown', dropped, dropShare, callsPerSec };
    const share = callsPerSec / bare;
    if (share >= BOUND_SHARE) return { kind: 'trigger', dropped, dropShare, callsPerSec, bareCallsPerSec: bare, share };
    const programNsPerRecord = (1e9 / callsPerSec - 1e9 / bare) / perCall;
    return { kind: 'program', dropped, dropShare, callsPerSec, bareCallsPerSec: bare, share, programNsPerRecord };
  }
  const drainPerSec = drainRateFor(set, rec);
  if (!drainPerSec) return { kind: 'unknown', dropped, dropShare, deliveredPerSec: delivered.mean };
  const share = delivered.mean / drainPerSec;
  const cons = metricAggregate(rec, 'cpu.consumerNsPerEvent');
  const consumerBusy = cons && cons.mean > 0 ? (cons.mean * delivered.mean) / 1e9 : undefined;
  return { kind: share >= BOUND_SHARE ? 'reader' : 'transport', dropped, dropShare, deliveredPerSec: delivered.mean, drainPerSec, share, consumerBusy };
}
