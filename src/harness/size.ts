/**
 * size — buffer sizing advice from this host's stalls (`ringbench size`): short runs of the load
 * with a buffer far too big to fill measure how far the consumer fell behind the producer (the
 * most unread bytes, as time at the rate: the stall the buffer had to absorb) and the longest a
 * record waited between commit and read; the advice is the smallest valid buffer that holds the
 * longest stall's records times a headroom; then the advice is checked with capped runs at that
 * size and at a quarter of it, counting the runs that carried every record.
 */
import { cpus } from 'node:os';
import { bufferRecordBytes, cappedConfig, stallOf, type StallSource } from './capped.js';
import { limits } from './knobs.js';
import { runScenario } from './trial.js';
import type { ScenarioConfig, TrialResult } from './types.js';

/** The headroom over the longest stall seen: a buffer for 1.5× its records, rounded up to the next
 *  valid size (a power of two pages), so the advice holds 1.5–3× what that stall needed. A longer
 *  run than the measured ones can meet a longer stall; on this host 1.5× carried 15 of 15 checks
 *  while a quarter of it still dropped, and 2× (with the rounding, up to 4×) was oversized. */
export const HEADROOM = 1.5;

/** The measuring runs' buffer: too big for any stall at the rates ringbench reaches to fill (32 MiB
 *  hold about 450 ms at 1 M records of 72 bytes a second). */
export const MEASURE_BYTES = 32 << 20;

export interface SizeRequest {
  /** the load, resolved (transport, wake-ups, event size; saturation: the rate cap) */
  base: ScenarioConfig;
  /** saturation: how long each run lasts (its events follow from the rate); a storm runs its children */
  seconds: number;
  /** runs that measure the stalls, and runs at each of the two checked sizes */
  measureRuns: number;
  confirmRuns: number;
  signal?: AbortSignal;
  /** a phase starts or a run finished, for progress on stderr */
  onProgress?: (line: string) => void;
}

export interface SizeCheck {
  /** the buffer: ring bytes, or perf bytes per CPU */
  bytes: number;
  runs: number;
  /** runs that dropped nothing */
  carried: number;
  /** each run's kernel drops, in order */
  dropped: number[];
  /** the quarter was clamped up to the smallest valid buffer */
  clamped?: boolean;
}

export interface SizeAdvice {
  transport: ScenarioConfig['transport'];
  load: ScenarioConfig['load'];
  /** the offered rate (saturation), or the rate the storm reached in the measuring runs */
  rate: number;
  eventBytes: number;
  /** bytes a record takes in the buffer (header included) */
  recordBytes: number;
  /** the longest stall the buffer had to absorb: the most unread bytes of a measuring run, as time
   *  at the busiest buffer's rate; and each measuring run's */
  stallNs: number;
  stallsNs: number[];
  /** the most unread bytes one buffer held in the measuring runs */
  peakBytes: number;
  /** the longest a record waited between commit and read, and how that was measured: longer than
   *  the stall when the whole VM (the producer too) was held off, which fills no buffer */
  waitNs: number;
  waitSource: StallSource;
  /** the share of the records the busiest buffer took (perfbuf: one CPU's; ringbuf: 1), and why */
  busiestShare: number;
  busiestFrom: 'one ring' | 'per-CPU counts' | 'producers pinned apart' | 'all on one CPU (assumed)';
  headroom: number;
  /** the longest stall's records (the most unread bytes seen) × headroom */
  neededBytes: number;
  /** the advice: ring bytes, or perf bytes per CPU; and what all buffers take together */
  recommendedBytes: number;
  totalBytes: number;
  cpus: number;
  /** the flags that set it */
  flags: string;
  /** measuring runs that dropped even so (a stall longer than the measuring buffer) */
  measureDropped: number;
  confirm: SizeCheck;
  quarter: SizeCheck;
}

const nextPow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** The smallest valid buffer holding `bytes`: a power of two pages, and room for one record
 *  (ringbuf: twice the record and its header; perfbuf: one sample per CPU buffer). */
export function validBufferBytes(transport: ScenarioConfig['transport'], bytes: number, eventBytes: number): number {
  const page = limits().pageSize;
  const fit = transport === 'ringbuf' ? 2 * (eventBytes + 8) : eventBytes + 16;
  return Math.max(page, nextPow2(Math.max(bytes, fit)));
}

/** The config of a run with the buffer at `bytes` (ring bytes, or perf bytes per CPU). */
export function withBuffer(base: ScenarioConfig, bytes: number): ScenarioConfig {
  if (base.transport === 'ringbuf') return { ...base, ringbufBytes: bytes };
  return { ...base, memory: 'per-cpu', perfbufPages: Math.max(1, bytes / limits().pageSize) };
}

/** A run's config: saturation at the rate for `seconds`, or the storm as given. */
function runConfig(req: SizeRequest, bytes: number): ScenarioConfig {
  const sized = withBuffer(req.base, bytes);
  return req.base.load === 'saturation' ? cappedConfig(sized, req.base.rateCap, req.seconds) : sized;
}

/** The share of the records the busiest per-CPU buffer took, from per-CPU counts when the trial
 *  has them; else producers pinned to distinct CPUs split the rate evenly; else one CPU takes all. */
function busiest(base: ScenarioConfig, results: TrialResult[], ncpu: number): Pick<SizeAdvice, 'busiestShare' | 'busiestFrom'> {
  if (base.transport === 'ringbuf') return { busiestShare: 1, busiestFrom: 'one ring' };
  const shares = results.map((r) => (r.counts as { perCpuDelivered?: number[] }).perCpuDelivered).filter((c): c is number[] => Array.isArray(c) && c.length > 0)
    .map((c) => Math.max(...c) / Math.max(1, c.reduce((a, b) => a + b, 0)));
  if (shares.length) return { busiestShare: Math.max(...shares), busiestFrom: 'per-CPU counts' };
  if (base.load === 'saturation' && base.producerCpu >= 0 && base.workers > 1 && base.workers <= ncpu) return { busiestShare: 1 / base.workers, busiestFrom: 'producers pinned apart' };
  return { busiestShare: 1, busiestFrom: 'all on one CPU (assumed)' };
}

export class SizeInterrupted extends Error {
  constructor() {
    super('the sizing was stopped before it finished');
    this.name = 'SizeInterrupted';
  }
}

/** Measures, advises and checks; throws SizeInterrupted when the signal aborts. */
export async function adviseSize(req: SizeRequest): Promise<SizeAdvice> {
  const ncpu = cpus().length;
  const say = req.onProgress ?? (() => {});
  const one = async (config: ScenarioConfig): Promise<TrialResult> => {
    if (req.signal?.aborted) throw new SizeInterrupted();
    const r = await runScenario(config);
    if (req.signal?.aborted) throw new SizeInterrupted();
    return r;
  };
  const measureBytes = req.base.transport === 'ringbuf' ? MEASURE_BYTES : MEASURE_BYTES / ncpu;
  const measured: TrialResult[] = [];
  for (let i = 0; i < req.measureRuns; i++) {
    const r = await one(runConfig(req, measureBytes));
    measured.push(r);
    say(`measure ${i + 1}/${req.measureRuns}: ${Math.round(r.rates.generatedPerSec)}/s, ${r.memory.peakCpuOccupancyBytes ?? r.memory.peakOccupancyBytes} bytes unread at most, longest wait ${(stallOf(r).ns / 1e6).toFixed(2)} ms`);
  }
  const waits = measured.map(stallOf);
  const rate = req.base.load === 'saturation' ? req.base.rateCap : Math.max(...measured.map((r) => r.rates.generatedPerSec));
  const recordBytes = bufferRecordBytes(req.base);
  const share = busiest(req.base, measured, ncpu);
  const peaks = measured.map((r) => r.memory.peakCpuOccupancyBytes ?? r.memory.peakOccupancyBytes);
  const peakBytes = Math.max(...peaks);
  // the time the busiest buffer's records took to pile up that far: how long the consumer was behind
  const asTime = (bytes: number) => (bytes / recordBytes / (rate * share.busiestShare)) * 1e9;
  const neededBytes = Math.ceil(peakBytes * HEADROOM);
  const recommendedBytes = validBufferBytes(req.base.transport, neededBytes, req.base.eventBytes);
  const quarterWanted = recommendedBytes / 4;
  const quarterBytes = validBufferBytes(req.base.transport, quarterWanted, req.base.eventBytes);

  const check = async (bytes: number, what: string): Promise<SizeCheck> => {
    const dropped: number[] = [];
    for (let i = 0; i < req.confirmRuns; i++) {
      const r = await one(runConfig(req, bytes));
      dropped.push(r.counts.droppedKernel);
      say(`${what} ${i + 1}/${req.confirmRuns}: ${r.counts.droppedKernel} dropped`);
    }
    return { bytes, runs: dropped.length, carried: dropped.filter((d) => d === 0).length, dropped };
  };
  const confirm = await check(recommendedBytes, `at ${recommendedBytes} bytes`);
  const quarter = await check(quarterBytes, `at a quarter, ${quarterBytes} bytes`);
  if (quarterBytes > quarterWanted) quarter.clamped = true;
  const page = limits().pageSize;
  return {
    transport: req.base.transport,
    load: req.base.load,
    rate,
    eventBytes: req.base.eventBytes,
    recordBytes,
    stallNs: asTime(peakBytes),
    stallsNs: peaks.map(asTime),
    peakBytes,
    waitNs: Math.max(...waits.map((s) => s.ns)),
    waitSource: waits.some((s) => s.source === 'latency-max') ? 'latency-max' : 'commit-to-read',
    ...share,
    headroom: HEADROOM,
    neededBytes,
    recommendedBytes,
    totalBytes: req.base.transport === 'ringbuf' ? recommendedBytes : recommendedBytes * ncpu,
    cpus: ncpu,
    flags: req.base.transport === 'ringbuf' ? `--ringbuf-bytes ${recommendedBytes}` : `--memory per-cpu --perfbuf-pages ${recommendedBytes / page}`,
    measureDropped: measured.filter((r) => r.counts.droppedKernel > 0).length,
    confirm,
    quarter,
  };
}
