/**
 * saturation-knobs — the knobs that take a saturation scenario to the kernel benchmark's limits
 * (issue 11): minimal records, the back-to-back consumer, the producer CPU and automatic
 * placement, and latency sampling; how they are checked and derived, and where a scenario's
 * threads run. knobs.ts calls resolveSaturationKnobs() from resolveConfig() and re-exports the rest.
 */
import { cpus } from 'node:os';
import type { Placement, ScenarioConfig } from './types.js';

/** Latency sampling in saturation and drain (one record in N); storms keep per-event accounting. */
export const SATURATION_LATENCY_EVERY = 64;

/** The payload of a minimal record (struct rb_min_event: the sequence number). */
export const MINIMAL_RECORD_BYTES = 8;

/** Bytes of each record's payload a scenario sends (the ringbuf adds an 8-byte header). */
export function recordBytes(config: Pick<ScenarioConfig, 'record' | 'eventBytes'>): number {
  return config.record === 'minimal' ? MINIMAL_RECORD_BYTES : config.eventBytes;
}

/** Refuses a knob: `message` spells other knobs as {key}, which the caller names its own way. */
export type Refuse = (key: keyof ScenarioConfig, message: string) => never;

/**
 * Checks and derives the saturation knobs in a config whose values are already valid one by one:
 * b2b, a producer CPU and minimal records need the saturation load; minimal records keep the
 * default eventBytes (unused, so a resolved config resolves to itself); latencyEvery 0 becomes 1
 * for storms and SATURATION_LATENCY_EVERY otherwise; with pin auto and neither CPU given, a
 * saturation scenario whose threads each fit a CPU gets the consumer on CPU 0, producers on 1...
 */
export function resolveSaturationKnobs(out: ScenarioConfig, cpuCount: number, defaultEventBytes: number, refuse: Refuse): void {
  const saturation = out.load === 'saturation';
  const needsSaturation = (key: keyof ScenarioConfig, what: string) => refuse(key, `{${key}} ${what} needs {load} saturation`);
  if (!saturation && out.consumer === 'b2b') needsSaturation('consumer', 'b2b');
  if (!saturation && out.producerCpu >= 0) needsSaturation('producerCpu', String(out.producerCpu));
  if (out.record === 'minimal') {
    if (!saturation) needsSaturation('record', 'minimal');
    if (out.eventBytes !== defaultEventBytes) {
      refuse('eventBytes', `{eventBytes} does not apply to {record} minimal (its records are ${MINIMAL_RECORD_BYTES} bytes)`);
    }
  }
  const perEvent = out.load === 'storm' && out.consumer !== 'drain';
  if (out.latencyEvery === 0) out.latencyEvery = perEvent ? 1 : SATURATION_LATENCY_EVERY;
  else if (perEvent && out.latencyEvery !== 1) {
    refuse('latencyEvery', `{latencyEvery} must be 0 or 1 for a storm: storms keep per-event accounting; got '${out.latencyEvery}'`);
  }
  // one CPU for the consumer and one per producer thread (back to back: the consumer is the producer)
  const producers = out.consumer === 'b2b' ? 0 : out.workers;
  if (saturation && out.pin === 'auto' && out.consumerCpu < 0 && out.producerCpu < 0 && cpuCount >= producers + 1) {
    out.consumerCpu = 0;
    if (producers) out.producerCpu = 1;
  }
}

/** Where a resolved scenario's threads run. */
export function placementOf(config: ScenarioConfig, cpuCount: number = cpus().length): Placement {
  // a storm's workers are processes of their own: they compete for the CPUs all the same
  const producers = config.consumer === 'b2b' ? 0 : config.workers;
  const threads = config.load === 'saturation' ? producers : 0;
  const producerCpus = Array.from({ length: threads }, (_, i) => (config.producerCpu < 0 ? -1 : (config.producerCpu + i) % cpuCount));
  return { consumerCpu: config.consumerCpu, producerCpus, cpuCount, oversubscribed: producers + 1 > cpuCount };
}
