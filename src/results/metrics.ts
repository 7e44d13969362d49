/**
 * results/metrics — the metric catalogue: every metric a trial reports, in CSV column order, with
 * its unit, display title, which way is better, whether compare judges it, whether run checks it
 * for noise, and a one-line doc. Results writing, CSV columns, compare, verdicts and report tables
 * all read this table; the README's "What is measured" table is checked against it by a test.
 */

/** How a value is shown: events or counts (SI suffixes), bytes, nanoseconds, or a share of 1. */
export type MetricUnit = 'count' | 'events/s' | 'bytes' | 'ns' | 'ns/event' | 'ratio';

export interface MetricSpec {
  /** dotted name: the JSON path in a trial result and the CSV column */
  name: string;
  unit: MetricUnit;
  /** short title for table headers and chart axes */
  title: string;
  /** which way is better; 'none' for sizes of the workload itself */
  better: 'higher' | 'lower' | 'none';
  /** decides compare verdicts and its exit code (the others are shown for information) */
  judged: boolean;
  /** run warns when its repeats are noisy */
  noiseChecked: boolean;
  /** one line for the README and tooltips */
  doc: string;
  /** compare leaves it out (false only for counts.generated: the workload's own size) */
  compared?: boolean;
  /** for unit 'count': what is counted, as compare and github-action-benchmark name the unit
   *  (default "events") */
  counts?: string;
}

const m = (
  name: string,
  unit: MetricUnit,
  title: string,
  better: MetricSpec['better'],
  judged: boolean,
  noiseChecked: boolean,
  doc: string,
  extra: Pick<MetricSpec, 'compared' | 'counts'> = {},
): MetricSpec => ({ name, unit, title, better, judged, noiseChecked, doc, ...extra });

/*
 * Why some metrics are shown but not judged: counts.seenByBpf and counts.delivered follow from the
 * workload size (loss is judged through droppedKernel and missing, 0 when all is well);
 * lostReported is perfbuf's user-space echo of droppedKernel; inversions scale with the event count
 * (inversionRatio is the normalised form); maxDisplacement, maxTimeRegressionNs, p99.9, max latency
 * and peak occupancy are single worst cases, too noisy over a few repeats to gate on; wake-ups are
 * a consequence of the wake-up policy (their cost is judged via consumerNsPerEvent); wallNs includes
 * setup and teardown. generatedPerSec is judged: the exit program runs in the exiting task, so a
 * costlier transport slows the producers themselves.
 */
export const METRICS: readonly MetricSpec[] = [
  m('counts.generated', 'count', 'generated', 'none', false, false, 'children the storm created and reaped (ground truth)', { compared: false }),
  m('counts.seenByBpf', 'count', 'seen by BPF', 'none', false, false, 'program runs that passed the filter (per-CPU counter in BPF)'),
  m('counts.delivered', 'count', 'delivered', 'higher', false, false, 'events the consumer received'),
  m('counts.droppedKernel', 'count', 'dropped in kernel', 'lower', true, false, 'reserve (ringbuf) or output (perfbuf) failures counted in BPF'),
  m('counts.lostReported', 'count', 'lost reported', 'lower', false, false, 'perfbuf lost-sample records reported to user space (0 for ringbuf)'),
  m('counts.missing', 'count', 'missing', 'lower', true, false, '`generated - delivered`'),
  m('rates.generatedPerSec', 'events/s', 'generated/s', 'higher', true, false, 'events generated per second over the load phase'),
  m('rates.deliveredPerSec', 'events/s', 'delivered/s', 'higher', true, true, 'events delivered per second over the load phase, until the last event arrived'),
  m('ordering.inversions', 'count', 'inversions', 'lower', false, false, 'events numbered lower than one already delivered'),
  m('ordering.inversionRatio', 'ratio', 'out of order', 'lower', true, false, "inversions' share of delivered events"),
  m('ordering.maxDisplacement', 'count', 'max displacement', 'lower', false, false, 'the most already-delivered events that overtook one event', { counts: 'positions' }),
  m('ordering.maxTimeRegressionNs', 'ns', 'max time step back', 'lower', false, false, 'the largest timestamp step back between consecutive deliveries'),
  m('latencyNs.p50', 'ns', 'p50 latency', 'lower', true, true, 'median of receive time (CLOCK_MONOTONIC) minus `bpf_ktime_get_ns()` at fill, from a log-linear histogram (±1.6%)'),
  m('latencyNs.p90', 'ns', 'p90 latency', 'lower', true, false, '90th percentile of the delivery latency'),
  m('latencyNs.p99', 'ns', 'p99 latency', 'lower', true, true, '99th percentile of the delivery latency'),
  m('latencyNs.p999', 'ns', 'p99.9 latency', 'lower', false, false, '99.9th percentile of the delivery latency'),
  m('latencyNs.max', 'ns', 'max latency', 'lower', false, false, 'the largest delivery latency'),
  m('memory.bufferBytes', 'bytes', 'buffer memory', 'lower', true, false, 'ringbuf: data + 3 metadata pages; perfbuf: CPUs × (pages + 1) × page'),
  m('memory.peakOccupancyBytes', 'bytes', 'peak unread', 'none', false, false, 'most unread bytes seen at any consumer wake-up'),
  m('cpu.consumerNsPerEvent', 'ns/event', 'consumer CPU/event', 'lower', true, true, 'consumer thread CPU time per event'),
  m('cpu.bpfNsPerEvent', 'ns/event', 'BPF CPU/event', 'lower', true, true, 'exit program run time per run (bpf_stats)'),
  m('cpu.wakeups', 'count', 'wake-ups', 'none', false, false, 'consumer wake-ups', { counts: 'wakeups' }),
  m('wallNs', 'ns', 'wall time', 'none', false, false, "the trial's wall time"),
];

/** Dotted metric names in CSV column order. */
export const METRIC_NAMES: readonly string[] = METRICS.map((s) => s.name);

const BY_NAME = new Map(METRICS.map((s) => [s.name, s]));

/** Drop rate = counts.droppedKernel / counts.seenByBpf, per repeat; derived, not stored in results. */
export const DROP_RATE = 'derived.dropRate';
const DROP_RATE_SPEC = m(DROP_RATE, 'ratio', 'drop rate', 'lower', false, false, 'droppedKernel / seenByBpf, per repeat');

/** The catalogue entry of a metric (the derived drop rate included); undefined when unknown. */
export function metricSpec(name: string): MetricSpec | undefined {
  return name === DROP_RATE ? DROP_RATE_SPEC : BY_NAME.get(name);
}

export const JUDGED_METRICS: readonly string[] = METRICS.filter((s) => s.judged).map((s) => s.name);
export const NOISE_CHECKED_METRICS: readonly string[] = METRICS.filter((s) => s.noiseChecked).map((s) => s.name);
/** Metrics compare looks at (judged or shown), in catalogue order. */
export const COMPARED_METRICS: readonly string[] = METRICS.filter((s) => s.compared !== false).map((s) => s.name);
export const HIGHER_IS_BETTER: ReadonlySet<string> = new Set(METRICS.filter((s) => s.better === 'higher').map((s) => s.name));

/** The unit's name as compare and github-action-benchmark show it: "events/s", "ns", "bytes",
 *  "ratio", or for counts what is counted ("events", "positions", "wakeups"). */
export function unitName(metric: string): string {
  const spec = metricSpec(metric);
  if (!spec) return 'events';
  return spec.unit === 'count' ? (spec.counts ?? 'events') : spec.unit;
}
