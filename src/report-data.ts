/**
 * report-data — what charts, verdicts and tables share: a loaded result set with its display
 * label, metric look-up (including the derived drop rate), scenario grouping and number
 * formatting in the units a reader expects (events/s, KiB, µs, %).
 */
import { aggregate } from './stats.js';
import type { Aggregate, ResultsFile, ScenarioRecord, Transport } from './types.js';

/** One usable results file, labelled for display. */
export interface ResultSet {
  /** path of the results.json it came from */
  file: string;
  /** display label: "hostname · kernel", or the file name when those are identical across sets */
  label: string;
  /** short tag for narrow table headers: "A", "B", ... */
  tag: string;
  results: ResultsFile;
}

/** Drop rate = counts.droppedKernel / counts.seenByBpf, per repeat; not stored in results. */
export const DROP_RATE = 'derived.dropRate';

/** Order in which suite groups are presented; unknown groups follow alphabetically. */
export const GROUP_ORDER = ['producers', 'memory', 'wakeup', 'event-size', 'latency', 'cpu', 'ceilings', 'reader-ceiling', 'wakeup-ceiling'];

/**
 * Groups run with the saturation load (getpgid trigger): they answer "how fast can it go?", not
 * "how does it behave under a storm", so the report gives them their own Ceilings section and the
 * storm verdicts leave them out.
 */
export const CEILING_GROUPS = ['ceilings', 'reader-ceiling', 'wakeup-ceiling'];

export const GROUP_TITLES: Record<string, string> = {
  producers: 'Parallel producers',
  memory: 'Buffer memory (slow consumer)',
  wakeup: 'Wake-up policy',
  'event-size': 'Event size',
  latency: 'Delivery latency (moderate rate)',
  cpu: 'CPU cost',
  ceilings: 'Raw ceiling and sustainable rate',
  'reader-ceiling': 'Reader ceiling: draining a backlog',
  'wakeup-ceiling': 'Wake-up strategies at full rate',
};

/** A record of the saturation load (its own question), rather than a storm scenario. */
export function isSaturation(rec: ScenarioRecord): boolean {
  return rec.config?.load === 'saturation' || CEILING_GROUPS.includes(rec.group);
}

/** The reader a record ran with: libbpf's ring_buffer/perf_buffer or the custom batch reader. */
export function readerOf(rec: ScenarioRecord): string {
  return rec.config?.reader ?? rec.label;
}

/**
 * Mean and 95% CI of a metric for one scenario. The drop rate is computed per repeat and then
 * aggregated, so its interval reflects repeat-to-repeat spread rather than a ratio of means.
 */
export function metricAggregate(rec: ScenarioRecord, metric: string): Aggregate | undefined {
  if (metric === DROP_RATE) {
    const dropped = rec.repeats?.['counts.droppedKernel'];
    const seen = rec.repeats?.['counts.seenByBpf'];
    if (dropped?.length && seen?.length === dropped.length) {
      const a = aggregate(dropped.map((d, i) => (seen[i] > 0 ? d / seen[i] : NaN)));
      return a.n > 0 ? a : undefined;
    }
    const d = rec.aggregates?.['counts.droppedKernel'];
    const s = rec.aggregates?.['counts.seenByBpf'];
    // Only aggregates were kept: a ratio of means, with no interval to offer.
    if (d && s && s.mean > 0) return aggregate([d.mean / s.mean]);
    return undefined;
  }
  const a = rec.aggregates?.[metric];
  if (a && Number.isFinite(a.mean)) return a;
  const r = rec.repeats?.[metric];
  if (r?.length) {
    const b = aggregate(r);
    return b.n > 0 ? b : undefined;
  }
  return undefined;
}

/** Ratios that cannot exceed 1 (a share of events). */
const UNIT_INTERVAL = new Set([DROP_RATE, 'ordering.inversionRatio']);

/**
 * The 95% interval as drawn: every metric ringbench records is a count, rate, duration, size or
 * share, so none can be negative, and a share cannot exceed 100%. A symmetric Student-t interval
 * from few noisy repeats can reach past those limits (a drop rate of 36% ± 460%); the drawn bar is
 * cut at the limit and `clippedLow`/`clippedHigh` say so, so a caption can tell the reader. Tables keep the
 * symmetric "mean ± half-width", which is what the numbers are.
 */
export function displayInterval(metric: string, a: Aggregate): { lo: number; hi: number; clippedLow: boolean; clippedHigh: boolean } {
  const [lo, hi] = a.ci95;
  const top = UNIT_INTERVAL.has(metric) ? 1 : Infinity;
  return { lo: Math.max(0, lo), hi: Math.min(top, hi), clippedLow: lo < 0, clippedHigh: hi > top };
}

/** Half-width of the 95% interval. */
export function halfCi(a: Aggregate): number {
  return (a.ci95[1] - a.ci95[0]) / 2;
}

export function intervalsOverlap(a: Aggregate, b: Aggregate): boolean {
  return a.ci95[0] <= b.ci95[1] && b.ci95[0] <= a.ci95[1];
}

export function groupsIn(sets: readonly ResultSet[]): string[] {
  const seen = new Set<string>();
  for (const s of sets) for (const r of s.results.scenarios) seen.add(r.group);
  const known = GROUP_ORDER.filter((g) => seen.has(g));
  const other = [...seen].filter((g) => !GROUP_ORDER.includes(g)).sort();
  return [...known, ...other];
}

export function recordsOf(set: ResultSet, group: string): ScenarioRecord[] {
  return set.results.scenarios.filter((r) => r.group === group);
}

/**
 * The wake-up policy a record ran with, for the wakeup group where one transport may appear
 * with several policies at the same N. The label is what the suite wrote, so it wins.
 */
export function wakeupVariant(rec: ScenarioRecord): string {
  const l = (rec.label ?? '').toLowerCase();
  if (rec.transport === 'ringbuf') {
    for (const p of ['adaptive', 'every-n', 'sampled']) if (l.includes(p)) return p;
    if (l.includes('every')) return 'every-n';
    return rec.config?.ringbufWakeup ?? 'adaptive';
  }
  if (l.includes('watermark') || (rec.config?.perfbufWatermarkBytes ?? 0) > 0) return 'watermark';
  return 'every-n';
}

export function otherTransport(t: Transport): Transport {
  return t === 'ringbuf' ? 'perfbuf' : 'ringbuf';
}

/**
 * How the saturation trigger attached: `recorded` lists what the records (attachedVia) or the
 * environment say; `probe` is the machine's probe of fentry on getpgid (capabilities.attach.fentry),
 * the trigger's first choice, for when nothing was recorded per run.
 */
export function saturationAttach(sets: readonly ResultSet[]): { recorded: string[]; probe?: { available: boolean; reason: string } } {
  const ways = new Set<string>();
  const probes: { available: boolean; reason: string }[] = [];
  for (const s of sets) {
    const env = s.results.environment as unknown as Record<string, unknown> | undefined;
    for (const k of ['saturationAttachedVia', 'attachedVia']) if (typeof env?.[k] === 'string' && env[k]) ways.add(String(env[k]));
    for (const r of s.results.scenarios) {
      const via = (r as { attachedVia?: unknown }).attachedVia;
      if (isSaturation(r) && typeof via === 'string' && via) ways.add(via);
    }
    const fentry = (env?.capabilities as { attach?: { fentry?: { available?: unknown; reason?: unknown } } } | undefined)?.attach?.fentry;
    if (fentry && typeof fentry.available === 'boolean') probes.push({ available: fentry.available, reason: String(fentry.reason ?? '') });
  }
  // Several machines that disagree: no single statement to make.
  const probe = probes.length && probes.every((p) => p.available === probes[0].available) ? probes[0] : undefined;
  return { recorded: [...ways], ...(probe ? { probe } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Number formatting

function trim(n: number, digits: number): string {
  return Number(n.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** 41234 -> "41.2k" (SI suffix, 3 significant digits). */
export function fmtSi(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim(n / 1e9, digits)}G`;
  if (abs >= 1e6) return `${trim(n / 1e6, digits)}M`;
  if (abs >= 1e4) return `${trim(n / 1e3, digits)}k`;
  if (abs >= 100 || abs === 0) return `${Math.round(n)}`;
  return trim(n, digits);
}

/** Bytes in binary units: 16384 -> "16 KiB". */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1024 ** 3) return `${trim(n / 1024 ** 3, 3)} GiB`;
  if (abs >= 1024 ** 2) return `${trim(n / 1024 ** 2, 3)} MiB`;
  if (abs >= 1024) return `${trim(n / 1024, 3)} KiB`;
  return `${Math.round(n)} B`;
}

/** Nanoseconds in the most readable unit: 41200 -> "41.2 µs". */
export function fmtNs(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim(n / 1e9, 3)} s`;
  if (abs >= 1e6) return `${trim(n / 1e6, 3)} ms`;
  if (abs >= 1e3) return `${trim(n / 1e3, 3)} µs`;
  return `${trim(n, 3)} ns`;
}

/** A ratio in [0, 1] as a percentage with sensible precision: 0.0312 -> "3.1%". */
export function fmtPct(f: number): string {
  if (!Number.isFinite(f)) return '—';
  const p = f * 100;
  if (p === 0) return '0%';
  const abs = Math.abs(p);
  if (abs >= 10) return `${p.toFixed(0)}%`;
  if (abs >= 1) return `${p.toFixed(1)}%`;
  if (abs >= 0.01) return `${p.toFixed(2)}%`;
  return `${p.toPrecision(1)}%`;
}

/** How each metric is shown: a short column title and the kind of unit it carries. */
export interface MetricFormat {
  title: string;
  kind: 'si' | 'bytes' | 'ns' | 'pct';
  fmt: (n: number) => string;
}

const KIND_FMT = { si: fmtSi, bytes: fmtBytes, ns: fmtNs, pct: fmtPct } as const;

const METRIC_KINDS: Record<string, [string, MetricFormat['kind']]> = {
  [DROP_RATE]: ['drop rate', 'pct'],
  'rates.deliveredPerSec': ['delivered/s', 'si'],
  'rates.generatedPerSec': ['generated/s', 'si'],
  'ordering.inversionRatio': ['out of order', 'pct'],
  'ordering.maxDisplacement': ['max displacement', 'si'],
  'ordering.maxTimeRegressionNs': ['max time step back', 'ns'],
  'latencyNs.p50': ['p50 latency', 'ns'],
  'latencyNs.p90': ['p90 latency', 'ns'],
  'latencyNs.p99': ['p99 latency', 'ns'],
  'latencyNs.p999': ['p99.9 latency', 'ns'],
  'latencyNs.max': ['max latency', 'ns'],
  'memory.bufferBytes': ['buffer memory', 'bytes'],
  'memory.peakOccupancyBytes': ['peak unread', 'bytes'],
  'cpu.consumerNsPerEvent': ['consumer CPU/event', 'ns'],
  'cpu.bpfNsPerEvent': ['BPF CPU/event', 'ns'],
  'cpu.wakeups': ['wake-ups', 'si'],
  wallNs: ['wall time', 'ns'],
};

export function metricFormat(metric: string): MetricFormat {
  const [title, kind] = METRIC_KINDS[metric] ?? [metric, 'si'];
  return { title, kind, fmt: KIND_FMT[kind] };
}

/** The unit a value is shown in (divisor and suffix), chosen by magnitude as the fmt* helpers do. */
function unitOf(kind: MetricFormat['kind'], n: number): [number, string] {
  const abs = Math.abs(n);
  // [threshold, divisor, suffix]: SI switches to "k" only from 10k, like fmtSi.
  const pick = (steps: [number, number, string][]) => {
    const [, div, suffix] = steps.find(([t]) => abs >= t) ?? steps[steps.length - 1];
    return [div, suffix] as [number, string];
  };
  switch (kind) {
    case 'bytes':
      return pick([[1024 ** 3, 1024 ** 3, ' GiB'], [1024 ** 2, 1024 ** 2, ' MiB'], [1024, 1024, ' KiB'], [0, 1, ' B']]);
    case 'ns':
      return pick([[1e9, 1e9, ' s'], [1e6, 1e6, ' ms'], [1e3, 1e3, ' µs'], [0, 1, ' ns']]);
    case 'pct':
      return [0.01, '%'];
    default:
      return pick([[1e9, 1e9, 'G'], [1e6, 1e6, 'M'], [1e4, 1e3, 'k'], [0, 1, '']]);
  }
}

/**
 * "41.2k ± 1.3k", "122 ± 6.1 µs", "19% ± 0.88%": mean and CI half-width in the mean's unit;
 * just the mean when every repeat agreed, and "(1 run)" when there is no interval.
 */
export function fmtAggregate(metric: string, a: Aggregate | undefined): string {
  if (!a || !Number.isFinite(a.mean)) return '—';
  const { kind, fmt } = metricFormat(metric);
  if (a.n < 2) return `${fmt(a.mean)} (1 run)`;
  const half = halfCi(a);
  if (half === 0) return fmt(a.mean);
  if (kind === 'pct') return `${fmtPct(a.mean)} ± ${fmtPct(half)}`;
  const [div, unit] = unitOf(kind, a.mean);
  const m = a.mean / div;
  // Keep trailing zeros on the mean (39.0k, not 39k): they say how precise it is.
  const mean = Math.abs(m) >= 100 ? Math.round(m).toLocaleString('en-US') : m.toPrecision(3);
  return kind === 'si' ? `${mean}${unit} ± ${trim(half / div, 2)}${unit}` : `${mean} ± ${trim(half / div, 2)}${unit}`;
}
