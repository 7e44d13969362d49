/**
 * ceilings/summary — from the ceilings benchmark's per-round samples to per-variant aggregates,
 * the paired ratios the tables and targets read (a table of data: key, a, b, quantity), and the
 * two targets with their verdicts.
 */
import type { Aggregate } from '../../src/results/schema.js';
import { aggregateOf, fmtRatio, paired, samplesOf, type Sample } from '../driver/driver.js';
import { MIN_READER_GAIN, MIN_VS_REFERENCE, NOISY_REL_CI, WAKES, type Section } from './config.js';
import type { Measured } from './trials.js';

export interface VariantSummary {
  id: string;
  section: Section;
  rounds: number;
  deliveredPerSec: Aggregate;
  /** 1e9 / consumer CPU ns per event, per round */
  capacityPerSec: Aggregate;
  consumerNsPerEvent: Aggregate;
  /** reference only: ns inside the read calls per event */
  readNsPerEvent?: Aggregate;
  bpfNsPerEvent?: Aggregate;
  bpfRunsPerEvent?: number;
  /** ringbench only: mean share of out-of-order events, and the worst displacement of any round */
  inversionRatio?: number;
  maxDisplacement?: number;
  /** mean wall time of one trial, setup included */
  wallMs: number;
  generated: number;
  delivered: number;
  dropped: number;
  /** delivered / consumer wake-ups (or non-empty polls), all rounds */
  eventsPerWakeup: number;
  attachedVia: string[];
  noise: string[];
  notes: string[];
}

type Quantity = 'deliveredPerSec' | 'capacityPerSec' | 'readPerSec';

/** A paired comparison: per-round ratio a / b of one quantity. */
export interface Ratio {
  a: string;
  b: string;
  metric: Quantity;
  ratio: Aggregate;
}

export interface Target {
  name: string;
  rule: string;
  pass: boolean;
  detail: string;
}

export interface Summary {
  variants: Record<string, VariantSummary>;
  ratios: Record<string, Ratio>;
  targets: Target[];
}

/** Every paired ratio the output shows: [key, a, b, quantity]; "read" compares time in the read calls. */
const RATIOS: [string, string, string, Quantity][] = [
  ...WAKES.flatMap((w): [string, string, string, Quantity][] => [
    [`ceiling/${w}/ringbench-libbpf:ref`, `ceiling/${w}/ringbench-libbpf`, `ceiling/${w}/ref-libbpf`, 'deliveredPerSec'],
    [`ceiling/${w}/ringbench-custom:ref`, `ceiling/${w}/ringbench-custom`, `ceiling/${w}/ref-libbpf`, 'deliveredPerSec'],
    [`ceiling/${w}/ref-custom:ref`, `ceiling/${w}/ref-custom`, `ceiling/${w}/ref-libbpf`, 'deliveredPerSec'],
  ]),
  ...['ringbuf', 'perfbuf', 'ref'].map((t): [string, string, string, Quantity] => [`drain/${t}/custom:libbpf`, `drain/${t}/custom`, `drain/${t}/libbpf`, 'deliveredPerSec']),
  ['capacity/ringbuf/custom:libbpf', 'ceiling/every-64/ringbench-custom', 'ceiling/every-64/ringbench-libbpf', 'capacityPerSec'],
  ['capacity/perfbuf/custom:libbpf', 'capacity/perfbuf/custom', 'capacity/perfbuf/libbpf', 'capacityPerSec'],
  ['capacity/ref/custom:libbpf', 'ceiling/every-64/ref-custom', 'ceiling/every-64/ref-libbpf', 'capacityPerSec'],
  ['read/load/custom:libbpf', 'ceiling/every-64/ref-custom', 'ceiling/every-64/ref-libbpf', 'readPerSec'],
  ['read/drain/custom:libbpf', 'drain/ref/custom', 'drain/ref/libbpf', 'readPerSec'],
  ['contended/ringbuf/custom:libbpf', 'contended/ringbuf/custom', 'contended/ringbuf/libbpf', 'deliveredPerSec'],
];

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const capacity = (s: Measured) => (s.consumerNsPerEvent > 0 ? 1e9 / s.consumerNsPerEvent : NaN);
const RATIO_OF: Record<Quantity, (a: Measured, b: Measured) => number> = {
  deliveredPerSec: (a, b) => a.deliveredPerSec / b.deliveredPerSec,
  capacityPerSec: (a, b) => capacity(a) / capacity(b),
  readPerSec: (a, b) => (b.readNsPerEvent ?? NaN) / (a.readNsPerEvent ?? NaN),
};

/** "delivered/s ±21%, 1 outlier" when the metric that variant is about is noisy, else nothing. */
function noiseWords(metric: string, a: Aggregate): string[] {
  const w: string[] = [];
  if (a.relCi > NOISY_REL_CI) w.push(`±${(a.relCi * 100).toFixed(0)}%`);
  if (a.outliers > 0) w.push(`${a.outliers} outlier${a.outliers > 1 ? 's' : ''}`);
  return w.length ? [`${metric} ${w.join(', ')}`] : [];
}

/** Target 2's verdict on one view: a noisy 1.3× whose interval reaches 1 is no evidence either way. */
export function gainVerdict(a: Aggregate): 'meets' | 'inconclusive' | 'misses' {
  if (!(a.mean >= MIN_READER_GAIN)) return 'misses';
  return a.ci95[0] > 1 ? 'meets' : 'inconclusive';
}

export function summarize(variants: { id: string; section: Section }[], samples: Sample<Measured>[]): Summary {
  const variantsOut: Record<string, VariantSummary> = {};
  for (const v of variants) {
    const mine = samplesOf(samples, v.id);
    const agg = (f: (m: Measured) => number) => aggregateOf(samples, v.id, f);
    const has = (k: keyof Measured) => mine.some((s) => s[k] !== undefined);
    const delivered = sum(mine.map((s) => s.delivered));
    const out: VariantSummary = {
      id: v.id,
      section: v.section,
      rounds: mine.length,
      deliveredPerSec: agg((s) => s.deliveredPerSec),
      capacityPerSec: agg(capacity),
      consumerNsPerEvent: agg((s) => s.consumerNsPerEvent),
      readNsPerEvent: has('readNsPerEvent') ? agg((s) => s.readNsPerEvent ?? NaN) : undefined,
      inversionRatio: has('inversionRatio') ? agg((s) => s.inversionRatio ?? NaN).mean : undefined,
      maxDisplacement: has('maxDisplacement') ? Math.max(...mine.map((s) => s.maxDisplacement ?? 0)) : undefined,
      wallMs: agg((s) => s.wallMs).mean,
      generated: sum(mine.map((s) => s.generated)),
      delivered,
      dropped: sum(mine.map((s) => s.dropped)),
      eventsPerWakeup: delivered / Math.max(1, sum(mine.map((s) => s.wakeups))),
      attachedVia: [...new Set(mine.map((s) => s.attachedVia))],
      noise: [],
      notes: [...new Set(mine.flatMap((s) => s.notes))],
    };
    if (v.section === 'bpf') {
      out.bpfNsPerEvent = agg((s) => s.bpfNsPerEvent ?? NaN);
      out.bpfRunsPerEvent = agg((s) => s.bpfRunsPerEvent ?? NaN).mean;
      out.noise.push(...noiseWords('BPF time/run', out.bpfNsPerEvent));
    } else if (v.section === 'capacity') {
      out.noise.push(...noiseWords('capacity', out.capacityPerSec));
    } else {
      out.noise.push(...noiseWords('delivered/s', out.deliveredPerSec));
    }
    variantsOut[v.id] = out;
  }

  const ratios: Record<string, Ratio> = {};
  for (const [key, a, b, metric] of RATIOS) ratios[key] = { a, b, metric, ratio: paired(samples, a, b, RATIO_OF[metric]) };

  const targets: Target[] = [];
  // Target 1: not below the reference — the paired ratio's CI reaches MIN_VS_REFERENCE.
  const t1 = WAKES.map((w) => ({ w, r: ratios[`ceiling/${w}/ringbench-libbpf:ref`].ratio }));
  targets.push({
    name: 'ringbench (libbpf reader) vs C reference',
    rule: `paired ratio of delivered/s, ringbench / reference: its 95% CI reaches ${MIN_VS_REFERENCE} (not below the reference)`,
    pass: t1.every(({ r }) => r.ci95[1] >= MIN_VS_REFERENCE),
    detail: t1.map(({ w, r }) => `${w} ${fmtRatio(r)}`).join('; '),
  });
  // Target 2: custom ≥ MIN_READER_GAIN × libbpf in at least one of ringbench's views, and clearly
  // faster there.
  const drain = ratios['drain/ringbuf/custom:libbpf'].ratio;
  const cap = ratios['capacity/ringbuf/custom:libbpf'].ratio;
  const contended = ratios['contended/ringbuf/custom:libbpf'].ratio;
  targets.push({
    name: 'custom ring buffer reader vs libbpf reader',
    rule: `paired ratio custom / libbpf: mean ≥ ${MIN_READER_GAIN} with its 95% CI above 1, in the contended, drain or capacity view`,
    pass: [contended, drain, cap].some((r) => gainVerdict(r) === 'meets'),
    detail: `contended ${fmtRatio(contended)} ${gainVerdict(contended)}; drain ${fmtRatio(drain)} ${gainVerdict(drain)}; capacity ${fmtRatio(cap)} ${gainVerdict(cap)}`,
  });
  return { variants: variantsOut, ratios, targets };
}
