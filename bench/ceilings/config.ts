/**
 * ceilings/config — the ceilings benchmark's fixed settings and the scenario each variant runs:
 * the saturation load at its ceiling, drains, perf buffer capacity, the contended reader view and
 * BPF cost, plus the matching command lines for the C reference (bench/reference/ringbuf_ref.c).
 * Data only: ceilings.ts lists the variants built from these.
 */
import { cpus } from 'node:os';
import type { ScenarioConfig, Transport } from '../../src/harness/types.js';

/** Section 1: ringbench with libbpf's reader must not fall below this share of the C reference. */
export const MIN_VS_REFERENCE = 1;
/** Section 2: the custom ring buffer reader must reach this multiple of libbpf's reader. */
export const MIN_READER_GAIN = 1.3;
/** An aggregate is called noisy beyond this relative CI half-width (or with any outlier): the
 *  catalogue's one threshold (src/results/metrics). */
export { NOISY_REL_CI } from '../../src/results/metrics.js';

export const WORKERS = 2;
export const CEILING_RING_BYTES = 1 << 20;
export const BATCH = 64;
/** Bytes a 64-byte event takes in the perf buffer (header + size + data, 8-aligned): the larger. */
const PERF_RECORD_BYTES = 80;
const MAX_RING_BYTES = 1 << 30;
/** Records per trigger in the contended view: the kernel benchmark's regime, where producing is
 *  cheap enough that the reader is the bottleneck. */
export const CONTENDED_PER_CALL = 200;

export type Wake = 'adaptive' | 'every-64';
export type Reader = 'libbpf' | 'custom';
export type Section = 'ceiling' | 'drain' | 'capacity' | 'contended' | 'bpf';
export const WAKES: readonly Wake[] = ['adaptive', 'every-64'];
export const READERS: readonly Reader[] = ['libbpf', 'custom'];

export interface Options {
  events: number;
  /** ring buffer drain trials: events, and a ring big enough to hold them all */
  drainEvents: number;
  drainRingBytes: number;
  /** perf buffer drain trials: a smaller backlog (see drainSizing) */
  perfDrainEvents: number;
  perfDrainRingBytes: number;
}

/** The smallest power-of-two size (at least 1 MiB) of at least `bytes`, at most 1 GiB. */
const ringFor = (bytes: number) => Math.min(MAX_RING_BYTES, 2 ** Math.ceil(Math.log2(Math.max(bytes, CEILING_RING_BYTES))));

/**
 * Drain backlogs. The ring holds the whole backlog with room to spare. The perf buffer's backlog is
 * smaller: ringbench's ordering tracker pays for every late event in proportion to how late it is
 * (it counts the numbers delivered in between), and a drain reads one CPU's buffer after the
 * other, so half the events arrive up to half a backlog late and the cost grows with the square of
 * the backlog (1M events: ~10 s per trial). Equal memory: each CPU's perf buffer gets
 * ring / CPUs, sized to hold the whole backlog should one CPU produce all of it.
 */
export function drainSizing(events: number): Omit<Options, 'events'> {
  const ncpu = Math.max(1, cpus().length);
  const drainEvents = Math.min(events, 4_000_000);
  const perfDrainEvents = Math.max(1000, Math.min(Math.floor(events / 20), 50_000));
  return {
    drainEvents,
    drainRingBytes: ringFor(drainEvents * PERF_RECORD_BYTES * 1.5),
    perfDrainEvents,
    perfDrainRingBytes: ringFor(perfDrainEvents * PERF_RECORD_BYTES * 1.25 * ncpu),
  };
}

/** Section 1: the ring at its ceiling, epoll consumer, bpf_stats off (as the kernel's benchmark). */
export function ceilingConfig(wake: Wake, reader: Reader, o: Pick<Options, 'events'>): Partial<ScenarioConfig> {
  return {
    transport: 'ringbuf',
    load: 'saturation',
    events: o.events,
    workers: WORKERS,
    ringbufBytes: CEILING_RING_BYTES,
    ringbufWakeup: wake === 'adaptive' ? 'adaptive' : 'every-n',
    wakeupEvery: BATCH,
    consumer: 'epoll',
    reader,
    bpfStats: false,
  };
}

/** Section 2a: nothing read during the load, then the backlog read flat out. */
export function drainConfig(transport: Transport, reader: Reader, o: Omit<Options, 'events'>): Partial<ScenarioConfig> {
  const perf = transport === 'perfbuf';
  return {
    transport,
    load: 'saturation',
    events: perf ? o.perfDrainEvents : o.drainEvents,
    workers: WORKERS,
    ringbufBytes: perf ? o.perfDrainRingBytes : o.drainRingBytes,
    memory: 'equal',
    consumer: 'drain',
    reader,
    bpfStats: false,
  };
}

/** Section 2b, perf buffer under concurrent load: wake-ups batched every 64 events, like the ring's every-64. */
export function perfCapacityConfig(reader: Reader, o: Pick<Options, 'events'>): Partial<ScenarioConfig> {
  return {
    transport: 'perfbuf',
    load: 'saturation',
    events: o.events,
    workers: WORKERS,
    ringbufBytes: CEILING_RING_BYTES,
    memory: 'equal',
    perfbufWakeupEvents: BATCH,
    consumer: 'epoll',
    reader,
    bpfStats: false,
  };
}

/** Section 2d, the reader as the bottleneck: one producer emitting CONTENDED_PER_CALL records per
 *  getpgid(), no wake-ups, a busy-polling reader. libbpf's reader publishes consumer_pos after
 *  every record, and every reserve on the producer's CPU reads that line; the custom reader
 *  publishes once per batch. */
export function contendedConfig(reader: Reader, o: Pick<Options, 'events'>): Partial<ScenarioConfig> {
  const events = Math.max(CONTENDED_PER_CALL, Math.round((o.events * 4) / CONTENDED_PER_CALL) * CONTENDED_PER_CALL);
  return {
    transport: 'ringbuf',
    load: 'saturation',
    events,
    eventsPerCall: CONTENDED_PER_CALL,
    workers: 1,
    ringbufBytes: 4 << 20,
    ringbufWakeup: 'every-n',
    wakeupEvery: 1_000_000,
    consumer: 'busy',
    // the reader on a CPU of its own: left to the scheduler, reader and producer sometimes share
    // one CPU and the trial measures that instead
    consumerCpu: cpus().length - 1,
    reader,
    bpfStats: false,
  };
}

/** Section 3: libbpf's reader, bpf_stats on; "per-event" is adaptive (ringbuf) or every event (perfbuf). */
export function bpfCostConfig(transport: Transport, batched: boolean, o: Pick<Options, 'events'>): Partial<ScenarioConfig> {
  return {
    transport,
    load: 'saturation',
    events: o.events,
    workers: WORKERS,
    ringbufBytes: CEILING_RING_BYTES,
    memory: 'equal',
    ringbufWakeup: batched ? 'every-n' : 'adaptive',
    wakeupEvery: BATCH,
    perfbufWakeupEvents: batched ? BATCH : 1,
    consumer: 'epoll',
    reader: 'libbpf',
    bpfStats: true,
  };
}

/** The C reference at section 1's ceiling. */
export function refCeilingArgs(wake: Wake, reader: Reader, o: Options): string[] {
  return ['--events', String(o.events), '--workers', String(WORKERS), '--ringbuf-bytes', String(CEILING_RING_BYTES),
    '--wakeup', wake === 'adaptive' ? 'adaptive' : 'every-n', '--wakeup-every', String(BATCH), '--reader', reader];
}

/** The C reference draining section 2a's ring buffer backlog. */
export function refDrainArgs(reader: Reader, o: Options): string[] {
  return ['--events', String(o.drainEvents), '--workers', String(WORKERS), '--ringbuf-bytes', String(o.drainRingBytes),
    '--drain', '--reader', reader];
}
