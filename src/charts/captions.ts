/**
 * charts/captions — the caption catalogue: each chart's figure title, the caption that tells a
 * reader what was measured and how to read it, and what is missing when the data cannot support
 * the chart. Captions mention what the drawing borrowed or cut, so a sentence never outruns the data.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Drawn } from './data.js';

export interface ChartWords {
  /** figure title */
  title: string;
  caption: (d: Drawn) => string;
  /** what the results lack when the chart is left out: "no data for <missing> in these results" */
  missing: string;
}

const CI = 'Points are means over repeats; vertical bars are 95% confidence intervals of the mean.';
const NUDGE = 'Points at the same x are nudged sideways so their intervals do not hide each other.';
const BARS = 'Bars: means over repeats; lines: 95% CI.';
const borrowed = (d: Drawn) => (d.from?.length ? ` Taken from ${d.from.join('; ')} because these results have no dedicated group.` : '');

export const CHART_WORDS: Record<string, ChartWords> = {
  'throughput-producers': {
    title: 'Delivered events/s vs producers',
    caption: () => `Events delivered to user space per second of load, by the number of parallel storm workers. ${CI} ${NUDGE}`,
    missing: 'the producers group (delivered events/s vs producers)',
  },
  'drops-memory': {
    title: 'Drop rate vs buffer memory',
    caption: () =>
      `Share of events the BPF program could not place in the buffer (kernel-side reserve/output failures ÷ events seen), against the total buffer memory, with a deliberately slow consumer. Where a line reaches zero, that transport has stopped dropping. ${CI}`,
    missing: 'the memory group (drop rate vs buffer memory)',
  },
  'skew-memory': {
    title: 'Skewed vs spread load',
    caption: () =>
      `Drop rate with the storm on one CPU and spread over all (--storm-cpus), equal total memory, a slow consumer. A storm on one CPU can fill only that CPU's perf buffer. ${BARS}`,
    missing: 'the skew group (drop rate, storm on one CPU vs all)',
  },
  contention: {
    title: 'Producer contention',
    caption: () =>
      `Saturation load: delivered events/s as more producers write at once into one shared ring, a ring per CPU (--ringbuf-sharing per-cpu, same total memory) and perfbuf. ${BARS}`,
    missing: 'the contention group (delivered events/s vs producers)',
  },
  'latency-cdf': {
    title: 'Delivery latency distribution',
    caption: (d) =>
      `Share of events delivered within a given latency (BPF timestamp to user-space receipt), through p50, p90, p99 and p99.9; the y axis is in "nines" so the tail gets the room. Log x. Horizontal bars: 95% CI.${borrowed(d)}`,
    missing: 'latency percentiles',
  },
  'latency-percentiles': {
    title: 'Delivery latency percentiles',
    caption: (d) =>
      `Time from bpf_ktime_get_ns() in the BPF program to CLOCK_MONOTONIC on receipt in the consumer thread, at p50/p90/p99/p99.9. Log scale. ${CI}${borrowed(d)}`,
    missing: 'latency percentiles',
  },
  'ordering-producers': {
    title: 'Ordering vs producers',
    caption: () =>
      `Left: share of events delivered after an event with a higher BPF sequence number. Right: the worst positional distance of an out-of-order event. ${CI}`,
    missing: 'the producers group (ordering vs producers)',
  },
  'wakeup-sweep': {
    title: 'Wake-up sweep',
    caption: (d) =>
      `Consumer woken every N events (perfbuf: wakeup_events = N; ringbuf: BPF_RB_NO_WAKEUP with a forced wake-up every N, or the kernel's adaptive policy). Left: throughput; right: consumer CPU per event. ${CI}` +
      (d.references?.length ? ` Measured once, not per N: ${d.references.join(', ')} — drawn as a dashed level across the sweep.` : ''),
    missing: 'the wakeup group (throughput and consumer CPU vs N)',
  },
  'cpu-per-event': {
    title: 'CPU per event',
    caption: (d) =>
      `CPU time per delivered event: the consumer thread's own CPU clock, and the BPF program's run time from bpf_stats. ${BARS}${borrowed(d)}`,
    missing: 'CPU cost per event',
  },
  'event-size': {
    title: 'Event size sweep',
    caption: () => `Throughput (left) and kernel drop rate (right) as each event record grows from 64 B to 4 KiB. ${CI} ${NUDGE}`,
    missing: 'the event-size group (throughput and drops vs event bytes)',
  },
  ceilings: {
    title: 'Transport ceilings',
    caption: (d) =>
      `getpgid() trigger, ${d.setup ?? ''}. Raw: events/s generated unthrottled (drops included); delivered: what reached user space${d.searchRule ? `; sustainable: the highest cap at which a run ${d.searchRule}` : ' (no sustainable-rate search: see the loss curve)'}. Black lines: 95% CI${!d.searchRule || d.sustainedPerRepeat ? '' : ' (none for a single search)'}.`,
    missing: 'the ceilings group (raw, delivered and sustainable events/s)',
  },
  'loss-curve': {
    title: 'Loss curve',
    caption: (d) =>
      `Saturation load (getpgid trigger, ${d.setup ?? ''}): the share of ${d.loss?.seconds ?? '?'} s capped runs that dropped, per offered rate (log scale), ${d.loss ? (d.loss.runsPerRate[0] === d.loss.runsPerRate[1] ? d.loss.runsPerRate[0] : `${d.loss.runsPerRate[0]}–${d.loss.runsPerRate[1]}`) : '?'} runs a rate. Bars: Wilson 95% intervals; a ring marks the sustainable rate.`,
    missing: 'a loss curve (capped runs at a grid of offered rates)',
  },
  'reader-ceiling': {
    title: 'Reader ceiling',
    caption: (d) =>
      `Drain mode (${d.setup ?? ''}): the consumer read nothing while the producers ran, then read the whole backlog as fast as it could. Events read per second of draining, by reader — no wake-ups and no producers competing, so this is the reader's own speed. ${BARS}`,
    missing: 'the reader-ceiling group (drain rate per reader)',
  },
  'wakeup-ceiling': {
    title: 'Wake-up strategies at full rate',
    caption: (d) =>
      `Saturation load (${d.setup ?? ''}) with each transport's wake-up strategies: ringbuf adaptive (the kernel decides), forced every N events, or sampled by unread bytes; perfbuf every N events or a byte watermark. Left: events delivered per second; right: the BPF program's run time per event (bpf_stats), where the cost of waking the consumer is paid. ${BARS}`,
    missing: 'the wakeup-ceiling group (wake-up strategies at full rate)',
  },
  'storm-timeline': {
    title: 'Storm timeline',
    caption: (d) =>
      `One storm, window by window (last repeat): events delivered per second (top) and the buffer's peak occupancy in each window (bottom).${d.from?.length ? ` Scenario: ${d.from.join('; ')}.` : ''}`,
    missing: 'a storm timeline',
  },
};

/**
 * The caption's footnote when a drawn interval was cut at a limit (see displayInterval): the
 * symmetric t-interval of a few noisy repeats can reach below zero, which no count, rate, time
 * or share can; the tables keep the unclipped "mean ± half-width".
 */
export function clippedNote(spec: TopLevelSpec | undefined): string {
  const json = spec ? JSON.stringify(spec) : '';
  if (json.includes('"clippedHigh":true')) return ' Intervals are cut at zero, and shares of events at 100%, where they would pass those limits: no quantity here can go beyond them.';
  if (json.includes('"clippedLow":true')) return ' Intervals that would reach below zero are cut at zero: none of these quantities can be negative.';
  return '';
}
