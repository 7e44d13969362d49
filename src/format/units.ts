/**
 * format/units — the one place numbers get their units: events/s, KiB, µs, %. One scale table per
 * kind of unit (SI, bytes, nanoseconds) serves two styles: the report style (fmtSi, fmtBytes, fmtNs,
 * fmtPct, fmtAggregate; SI switches to "k" from 10k so 4-digit counts stay whole) and the compact
 * style of `compare` tables (fmtCompact, fmtChange; three significant digits, "k" from 1k).
 * Each metric's display title and unit kind come from the catalogue (results/metrics).
 */
import { halfCi } from '../results/aggregate.js';
import type { Aggregate } from '../results/schema.js';
import { metricSpec, type MetricUnit } from '../results/metrics.js';

/** [from magnitude, divisor, suffix], largest first; the last step catches everything below. */
type Step = readonly [from: number, divisor: number, suffix: string];

const SCALES = {
  si: [[1e9, 1e9, 'G'], [1e6, 1e6, 'M'], [1e4, 1e3, 'k'], [0, 1, '']],
  /** compact SI: "k" from 1000, for tables where every value has three significant digits */
  siCompact: [[1e9, 1e9, 'G'], [1e6, 1e6, 'M'], [1e3, 1e3, 'k'], [0, 1, '']],
  bytes: [[1024 ** 3, 1024 ** 3, ' GiB'], [1024 ** 2, 1024 ** 2, ' MiB'], [1024, 1024, ' KiB'], [0, 1, ' B']],
  ns: [[1e9, 1e9, ' s'], [1e6, 1e6, ' ms'], [1e3, 1e3, ' µs'], [0, 1, ' ns']],
} as const satisfies Record<string, readonly Step[]>;

/** The divisor and suffix for a value of magnitude |n|. */
function scale(steps: readonly Step[], n: number): [divisor: number, suffix: string] {
  const abs = Math.abs(n);
  const [, div, suffix] = steps.find(([from]) => abs >= from) ?? steps[steps.length - 1];
  return [div, suffix];
}

function trim(n: number, digits: number): string {
  return Number(n.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** 41234 -> "41.2k" (SI suffix, 3 significant digits). */
export function fmtSi(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return '—';
  const [div, suffix] = scale(SCALES.si, n);
  if (div > 1) return `${trim(n / div, digits)}${suffix}`;
  return Math.abs(n) >= 100 || n === 0 ? `${Math.round(n)}` : trim(n, digits);
}

/** Bytes in binary units: 16384 -> "16 KiB". */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const [div, suffix] = scale(SCALES.bytes, n);
  return div > 1 ? `${trim(n / div, 3)}${suffix}` : `${Math.round(n)}${suffix}`;
}

/** Nanoseconds in the most readable unit: 41200 -> "41.2 µs". */
export function fmtNs(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const [div, suffix] = scale(SCALES.ns, n);
  return `${trim(n / div, 3)}${suffix}`;
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

const UNIT_KIND: Record<MetricUnit, MetricFormat['kind']> = {
  count: 'si',
  'events/s': 'si',
  bytes: 'bytes',
  ns: 'ns',
  'ns/event': 'ns',
  ratio: 'pct',
};

/** A metric's display title and formatter, from the catalogue (unknown names: SI numbers). */
export function metricFormat(metric: string): MetricFormat {
  const spec = metricSpec(metric);
  const kind = spec ? UNIT_KIND[spec.unit] : 'si';
  return { title: spec?.title ?? metric, kind, fmt: KIND_FMT[kind] };
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
  const [div, unit] = scale(SCALES[kind], a.mean);
  const m = a.mean / div;
  // Keep trailing zeros on the mean (39.0k, not 39k): they say how precise it is.
  const mean = Math.abs(m) >= 100 ? Math.round(m).toLocaleString('en-US') : m.toPrecision(3);
  return kind === 'si' ? `${mean}${unit} ± ${trim(half / div, 2)}${unit}` : `${mean} ± ${trim(half / div, 2)}${unit}`;
}

// ---------------------------------------------------------------------------------------------
// Compact style (compare tables)

/** Three significant digits without exponent noise: 35.2, 0.00612, 512. */
function sig(v: number): string {
  if (v === 0) return '0';
  return String(Number(v.toPrecision(3)));
}

/**
 * A value in the unit compare names it by (results/metrics `unitName`): "150 µs", "800 ns/ev",
 * "256 KiB", "35k/s", "0.00599" for a ratio, "8" for counts of events, positions or wake-ups.
 */
export function fmtCompact(v: number, unit: string): string {
  if (unit === 'ns' || unit === 'ns/event') {
    const [div, suffix] = scale(SCALES.ns, v);
    return `${sig(v / div)}${suffix}${unit === 'ns/event' ? '/ev' : ''}`;
  }
  if (unit === 'bytes') {
    const [div, suffix] = scale(SCALES.bytes, v);
    return `${sig(v / div)}${suffix}`;
  }
  if (unit === 'ratio') return sig(v);
  const [div, suffix] = scale(SCALES.siCompact, v);
  return `${sig(v / div)}${suffix}${unit === 'events/s' ? '/s' : ''}`;
}

/** `text` with the sign of v in front: "+3 µs", "-3 µs", "0". */
export function signed(text: string, v: number): string {
  return v > 0 ? `+${text}` : v < 0 ? `-${text.replace(/^-/, '')}` : text;
}

/** A relative change as a signed percent; two decimals below 1% so small intervals stay readable. */
export function fmtChange(x: number): string {
  const p = Math.abs(x) * 100;
  return signed(`${p.toFixed(p < 1 ? 2 : 1)}%`, x);
}
