/**
 * format/units — numbers in the units a reader expects (events/s, KiB, µs, %) and each metric's
 * display title and unit kind, read from the metric catalogue.
 */
import { halfCi } from '../analysis/stats.js';
import type { Aggregate } from '../results/schema.js';
import { metricSpec, type MetricUnit } from '../results/metrics.js';

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
