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
  /** load modes in which a judged metric is shown but not judged (see MODE_EXCEPTIONS) */
  notJudgedIn?: readonly LoadMode[];
  /** absolute floor: a change smaller than this (in the metric's unit) is never a regression or an
   *  improvement, however large relative to a tiny base (0.10% → 0.33% inversions is not "+219%") */
  floor?: number;
}

/** How a scenario loads the transport, as far as judging goes: a fork storm, the saturation
 *  trigger, or a drain consumer (reads nothing during the load, then the backlog flat out). */
export type LoadMode = 'storm' | 'saturation' | 'drain';

/** The judging mode of a scenario configuration. */
export function loadModeOf(config: { load?: string; consumer?: string } | undefined): LoadMode {
  if (config?.consumer === 'drain') return 'drain';
  return config?.load === 'saturation' ? 'saturation' : 'storm';
}

const m = (
  name: string,
  unit: MetricUnit,
  title: string,
  better: MetricSpec['better'],
  judged: boolean,
  noiseChecked: boolean,
  doc: string,
  extra: Pick<MetricSpec, 'compared' | 'counts' | 'notJudgedIn' | 'floor'> = {},
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
 *
 * Per mode: a drain consumer reads nothing until the load ends, so its "latency" is the backlog's
 * age (how long the load ran), not a delivery latency: never judged in drain mode.
 *
 * Floors (absolute, in the metric's unit): a change below them is noise whatever its relative size.
 * Counts of lost events: 20 events (a handful of drops is a scheduling accident). Ratios: 1 point
 * (0.01). Latency: 2 µs (the histogram's resolution and the scheduler's tick noise at these rates).
 * CPU per event: 5 ns. Rates: 1% of nothing, so none — a rate is never tiny.
 */
const LATENCY = { notJudgedIn: ['drain'] as const, floor: 2000 };

export const METRICS: readonly MetricSpec[] = [
  m('counts.generated', 'count', 'generated', 'none', false, false, 'children the storm created and reaped (ground truth)', { compared: false }),
  m('counts.seenByBpf', 'count', 'seen by BPF', 'none', false, false, 'program runs that passed the filter (per-CPU counter in BPF)'),
  m('counts.delivered', 'count', 'delivered', 'higher', false, false, 'events the consumer received'),
  m('counts.droppedKernel', 'count', 'dropped in kernel', 'lower', true, false, 'reserve (ringbuf) or output (perfbuf) failures counted in BPF', { floor: 20 }),
  m('counts.lostReported', 'count', 'lost reported', 'lower', false, false, 'perfbuf lost-sample records reported to user space (0 for ringbuf)'),
  m('counts.notDrained', 'count', 'not drained', 'lower', false, false, 'records still in the buffer when the drain was cut short (1 s after Ctrl-C, SIGTERM or `--timeout-ms`): read out, not measured; 0 in a whole run'),
  m('counts.missing', 'count', 'missing', 'lower', true, false, '`generated - delivered`', { floor: 20 }),
  m('rates.generatedPerSec', 'events/s', 'generated/s', 'higher', true, false, 'events generated per second over the load phase'),
  m('rates.deliveredPerSec', 'events/s', 'delivered/s', 'higher', true, true, 'events delivered per second over the load phase, until the last event arrived'),
  m('ordering.inversions', 'count', 'inversions', 'lower', false, false, 'events numbered lower than one already delivered'),
  m('ordering.inversionRatio', 'ratio', 'out of order', 'lower', true, false, "inversions' share of delivered events", { floor: 0.01 }),
  m('ordering.maxDisplacement', 'count', 'max displacement', 'lower', false, false, 'the most already-delivered events that overtook one event', { counts: 'positions' }),
  m('ordering.maxTimeRegressionNs', 'ns', 'max time step back', 'lower', false, false, 'the largest timestamp step back between consecutive deliveries'),
  m('latencyNs.p50', 'ns', 'p50 latency', 'lower', true, true, 'median of receive time (CLOCK_MONOTONIC) minus `bpf_ktime_get_ns()` at fill, from a log-linear histogram (±1.6%)', LATENCY),
  m('latencyNs.p90', 'ns', 'p90 latency', 'lower', true, false, '90th percentile of the delivery latency', LATENCY),
  m('latencyNs.p99', 'ns', 'p99 latency', 'lower', true, true, '99th percentile of the delivery latency', LATENCY),
  m('latencyNs.p999', 'ns', 'p99.9 latency', 'lower', false, false, '99.9th percentile of the delivery latency'),
  m('latencyNs.max', 'ns', 'max latency', 'lower', false, false, 'the largest delivery latency'),
  m('stalls.maxCommitToReadNs', 'ns', 'longest commit-to-read', 'lower', false, false, "the longest time from a record's BPF timestamp to the consumer's receipt, over every timed record (read at the first clock reading after receipt: at most `--latency-every` records late); 0 for minimal records"),
  m('stalls.maxPendingGapNs', 'ns', 'longest read gap', 'lower', false, false, "the longest gap before a consumer read that found records: from the previous read's start (or the oldest record's BPF timestamp, if later) to this read's start"),
  m('stalls.pendingGapNs.p50', 'ns', 'read gap p50', 'lower', false, false, 'median of those gaps, one per read that found records (log-linear histogram, ±1.6%)'),
  m('stalls.pendingGapNs.p90', 'ns', 'read gap p90', 'lower', false, false, '90th percentile of the read gaps'),
  m('stalls.pendingGapNs.p99', 'ns', 'read gap p99', 'lower', false, false, '99th percentile of the read gaps'),
  m('stalls.pendingGapNs.max', 'ns', 'read gap max', 'lower', false, false, 'the longest read gap (= `stalls.maxPendingGapNs`)'),
  m('stalls.commitToReadNs.p50', 'ns', 'commit-to-read p50', 'lower', false, false, 'median commit-to-read: the latency histogram (one record in `--latency-every`)'),
  m('stalls.commitToReadNs.p99', 'ns', 'commit-to-read p99', 'lower', false, false, '99th percentile commit-to-read (the latency histogram)'),
  m('stalls.commitToReadNs.p999', 'ns', 'commit-to-read p99.9', 'lower', false, false, '99.9th percentile commit-to-read (the latency histogram)'),
  m('stalls.commitToReadNs.max', 'ns', 'commit-to-read max', 'lower', false, false, 'the longest commit-to-read (= `stalls.maxCommitToReadNs`)'),
  m('memory.bufferBytes', 'bytes', 'buffer memory', 'lower', true, false, 'ringbuf: data + 3 metadata pages; perfbuf: CPUs × (pages + 1) × page'),
  m('memory.peakOccupancyBytes', 'bytes', 'peak unread', 'none', false, false, 'the fullest the buffer got: producer minus consumer position just before each consumer publication (perfbuf: all CPUs together), and for ringbuf `bpf_ringbuf_query` at a failed reserve'),
  m('memory.peakCpuOccupancyBytes', 'bytes', 'peak unread, one CPU', 'none', false, false, "perfbuf: the fullest single CPU buffer, measured the same way (ringbuf: its one buffer's peak)"),
  m('memory.rings', 'count', 'buffers', 'none', false, false, 'the buffers records go into: 1 shared ring, one ring per N CPUs (`--ringbuf-sharing`), or perfbuf\'s one per CPU', { counts: 'buffers' }),
  m('memory.bytesPerRing', 'bytes', 'bytes per buffer', 'none', false, false, 'data bytes of each of those buffers (rings split `--ringbuf-bytes`, each rounded down to a power-of-two number of pages)'),
  m('cpu.consumerNsPerEvent', 'ns/event', 'consumer CPU/event', 'lower', true, true, 'consumer thread CPU time per event', { floor: 5 }),
  m('cpu.bpfNsPerEvent', 'ns/event', 'BPF CPU/event', 'lower', true, true, 'program run time (bpf_stats) per record it emitted (the BPF hit counter): runs the filter rejected count in the time, not the divisor', { floor: 5 }),
  m('cpu.sinkNsPerEvent', 'ns/event', 'sink CPU/event', 'lower', false, false, "the measuring sink's own CPU per record (counts, ordering, sampled latency), calibrated after the load on synthetic records of the trial's size: subtract it from consumer CPU/event"),
  m('cpu.wakeups', 'count', 'wake-ups', 'none', false, false, 'consumer wake-ups', { counts: 'wakeups' }),
  m('wallNs', 'ns', 'wall time', 'none', false, false, "the trial's wall time"),
  m('host.cpuPairNs', 'ns', 'CPU pair round trip', 'none', false, false, "where the host put the producer's and consumer's CPUs: a cache line's round trip between them (median of ~3 ms of bouncing), the larger of just before and just after the load; saturation with the two pinned apart, 0 otherwise"),
];

/** Dotted metric names in CSV column order. */
export const METRIC_NAMES: readonly string[] = METRICS.map((s) => s.name);

const BY_NAME = new Map(METRICS.map((s) => [s.name, s]));

/** Drop rate = counts.droppedKernel / counts.seenByBpf, per repeat; derived, not stored in results. */
export const DROP_RATE = 'derived.dropRate';
const DROP_RATE_SPEC = m(DROP_RATE, 'ratio', 'drop rate', 'lower', false, false, 'droppedKernel / seenByBpf, per repeat');

/*
 * The control: trials with no BPF attached that a run interleaves with its scenarios, one of each
 * kind before every scenario, to measure the machine rather than the transport. Recorded at the
 * run level (ResultsFile.control), never judged themselves: compare shows their drift and, when
 * the machine moved beyond its noise, says so instead of blaming the transport.
 */
export const CONTROL_METRICS: readonly MetricSpec[] = [
  m('control.stormPerSec', 'events/s', 'bare storm', 'higher', false, false, 'the storm binary with no BPF attached: children created and reaped per second'),
  m('control.triggerPerSec', 'events/s', 'bare trigger loop', 'higher', false, false, "getpgid() calls per second from the storm binary's trigger loop, no BPF attached"),
];

/*
 * Rates normalised to the control: the scenario's rate divided by its run's mean control rate
 * (the storm control for storm scenarios, the trigger loop for the others). Judged beside the raw
 * rate: a machine that got slower moves both the rate and its control, and leaves the ratio.
 */
const NORMALISED_SPECS: readonly MetricSpec[] = [
  m('normalised.generatedPerSec', 'ratio', 'generated/s ÷ control', 'higher', true, false, 'rates.generatedPerSec over the run\'s mean control rate'),
  m('normalised.deliveredPerSec', 'ratio', 'delivered/s ÷ control', 'higher', true, false, 'rates.deliveredPerSec over the run\'s mean control rate'),
];
/** Raw rate → its normalised form. */
export const NORMALISED_RATES: ReadonlyMap<string, string> = new Map([
  ['rates.generatedPerSec', 'normalised.generatedPerSec'],
  ['rates.deliveredPerSec', 'normalised.deliveredPerSec'],
]);
/** The control metric a scenario of this mode is normalised by. */
export function controlFor(mode: LoadMode): 'control.stormPerSec' | 'control.triggerPerSec' {
  return mode === 'storm' ? 'control.stormPerSec' : 'control.triggerPerSec';
}
const EXTRA_SPECS = new Map([...CONTROL_METRICS, ...NORMALISED_SPECS].map((s) => [s.name, s]));

/** The catalogue entry of a metric (derived, control and normalised included); undefined when unknown. */
export function metricSpec(name: string): MetricSpec | undefined {
  return name === DROP_RATE ? DROP_RATE_SPEC : BY_NAME.get(name) ?? EXTRA_SPECS.get(name);
}

/** Whether compare judges `metric` in a scenario of this mode (catalogue judged, not excepted). */
export function isJudged(metric: string, mode: LoadMode): boolean {
  const spec = metricSpec(metric);
  return spec?.judged === true && !spec.notJudgedIn?.includes(mode);
}

/** Why a judged metric is not judged in this mode, for compare's note; undefined when it is. */
export function notJudgedReason(metric: string, mode: LoadMode): string | undefined {
  if (!metricSpec(metric)?.notJudgedIn?.includes(mode)) return undefined;
  return mode === 'drain' ? "not judged: a drain consumer's latency is the backlog's age" : `not judged in ${mode} mode`;
}

/** The metric's absolute floor (0 when it has none). */
export function floorOf(metric: string): number {
  return metricSpec(metric)?.floor ?? 0;
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
