/**
 * capped — one capped run at an offered rate for a fixed time, reduced to what a loss curve and
 * `ringbench size` keep (LossRun): the rate reached, the drops, how full the producer's buffer got
 * and the longest a record waited. Also the bytes one record takes in that buffer, from which the
 * time a buffer holds at a rate follows.
 */
import { producerBufferBytes, recordBytes } from './knobs.js';
import { runScenario } from './trial.js';
import type { LossRun, ScenarioConfig, TrialResult } from './types.js';

/** Bytes one record takes in the producer's buffer: the ring buffer's 8-byte header plus the
 *  record, 8-aligned; a perf sample's header (8) and raw size (4) plus the record, 8-aligned. */
export function bufferRecordBytes(config: Pick<ScenarioConfig, 'transport' | 'record' | 'eventBytes'>): number {
  const payload = recordBytes(config);
  const align = (n: number) => Math.ceil(n / 8) * 8;
  return config.transport === 'ringbuf' ? align(8 + payload) : align(12 + payload);
}

/** How a run's stall was measured: the stall record's longest commit-to-read delay (every record),
 *  or, in a trial without one, the longest sampled delivery latency (one record in latencyEvery). */
export type StallSource = 'commit-to-read' | 'latency-max';

/** The longest a record of this trial waited between commit and read, and how that was measured. */
export function stallOf(r: TrialResult): { ns: number; source: StallSource; pendingGapNs?: number } {
  const s = r.stalls;
  if (s) return { ns: s.maxCommitToReadNs, source: 'commit-to-read', pendingGapNs: s.maxPendingGapNs };
  return { ns: r.latencyNs.max, source: 'latency-max' };
}

/** The fewest trigger calls a capped saturation run makes: a run of n calls paced at the rate
 *  spans n − 1 periods, so with few calls its measured rate overshoots the cap (2 calls: 2×). */
export const MIN_CALLS = 16;

/** The config of a run at `rate` lasting about `seconds`: saturation events (a whole number of
 *  batches, at least MIN_CALLS of them: a slow rate with big batches runs longer), or storm
 *  children, at the rate cap. */
export function cappedConfig(base: ScenarioConfig, rate: number, seconds: number): ScenarioConfig {
  const n = Math.max(1, Math.round(rate * seconds));
  if (base.load === 'storm') return { ...base, rateCap: rate, children: n };
  const batch = Math.max(1, base.eventsPerCall);
  return { ...base, rateCap: rate, events: Math.max(MIN_CALLS, Math.ceil(n / batch)) * batch };
}

/** A finished trial as a loss curve keeps it. */
export function lossRunOf(config: ScenarioConfig, r: TrialResult): LossRun & { stallSource: StallSource } {
  const stall = stallOf(r);
  const peak = r.memory.peakCpuOccupancyBytes ?? r.memory.peakOccupancyBytes;
  return {
    generatedPerSec: r.rates.generatedPerSec,
    events: r.counts.generated,
    droppedKernel: r.counts.droppedKernel,
    fill: Math.min(1, peak / producerBufferBytes(config)),
    stallNs: stall.ns,
    ...(stall.pendingGapNs !== undefined ? { pendingGapNs: stall.pendingGapNs } : {}),
    ...(r.host?.cpuPairNs ? { cpuPairNs: r.host.cpuPairNs } : {}),
    stallSource: stall.source,
  };
}

/** One capped run of `base` at `rate` for about `seconds`; `aborted` when a stop cut it short. */
export async function cappedRun(base: ScenarioConfig, rate: number, seconds: number): Promise<{ run: LossRun & { stallSource: StallSource }; result: TrialResult }> {
  const config = cappedConfig(base, rate, seconds);
  const result = await runScenario(config);
  return { run: lossRunOf(result.config, result), result };
}
