/**
 * analysis/loss — reading a loss curve (results/schema LossCurveRecord): the grid of offered rates,
 * P(a run drops) with its Wilson interval, the sustainable rate the curve gives by a stated rule,
 * which rate more runs would settle, and the facts that explain the curve's shape from the run's
 * own data (bursts against a steady shortfall, stalls against the time the buffer holds). Pure:
 * the suite runner, `ringbench size`, the chart and the report all use it.
 */
import { CAP_REACHED } from '../harness/search-rule.js';
import type { LossCurveRecord, LossPoint, LossRun } from '../results/schema.js';

/** z of a two-sided 95% interval. */
const Z95 = 1.959964;

/** Wilson score interval of a proportion k/n (95%): honest at 0 and n, unlike the normal one. */
export function wilson(k: number, n: number, z = Z95): { lo: number; hi: number } {
  if (!(n > 0)) return { lo: 0, hi: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // k = 0 and k = n are exact bounds; rounding must not move them off 0 and 1
  return { lo: k === 0 ? 0 : Math.max(0, centre - half), hi: k === n ? 1 : Math.min(1, centre + half) };
}

/** The fewest runs, all carried, whose Wilson upper bound is at most `upper`: n ≥ z²(1 − u)/u. */
export function runsForUpper(upper: number, z = Z95): number {
  return Math.ceil((z * z * (1 - upper)) / upper);
}

/** `count` offered rates, log-spaced from `from` × ceiling to the ceiling, as whole events/s. */
export function lossGrid(ceilingPerSec: number, from: number, count: number): number[] {
  if (!(ceilingPerSec > 0) || count < 2) return ceilingPerSec > 0 ? [Math.floor(ceilingPerSec)] : [];
  return Array.from({ length: count }, (_, i) => Math.max(1, Math.floor(ceilingPerSec * from ** (1 - i / (count - 1)))));
}

/** A point's counts and interval from its runs. */
export function lossPoint(rateCap: number, samples: LossRun[]): LossPoint {
  const dropped = samples.filter((r) => r.droppedKernel > 0).length;
  const runs = samples.length;
  return { rateCap, runs, dropped, share: runs ? dropped / runs : 0, pDrop: wilson(dropped, runs), samples };
}

/** The default bound of the sustainable rule: P(drop) at most 20% at 95% confidence; 0 of 16
 *  runs meets it, a budget a 5-minute suite has (10% would take 35 runs a rate). */
export const MAX_DROP_UPPER = 0.2;

/** The median share of its cap a point's runs reached. */
export function medianReach(p: Pick<LossPoint, 'rateCap' | 'samples'>): number {
  const reach = p.samples.map((r) => r.generatedPerSec / p.rateCap).sort((a, b) => a - b);
  if (!reach.length) return 0;
  const m = reach.length >> 1;
  return reach.length % 2 ? reach[m] : (reach[m - 1] + reach[m]) / 2;
}

/** Whether a point meets the sustainable rule: the Wilson 95% upper bound on P(drop) at most the
 *  curve's bound. */
export function meetsRule(p: LossPoint, maxDropUpper: number): boolean {
  return p.runs > 0 && p.pDrop.hi <= maxDropUpper + 1e-12;
}

/** The rule in words, for reports and `--json`. */
export function ruleWords(c: Pick<LossCurveRecord, 'seconds' | 'maxDropUpper'>): string {
  return `the rate carried (median of the runs' rates) at the highest offered rate at which the 95% upper bound (Wilson) on the chance that a ${fmtSeconds(c.seconds)} run drops is at most ${Math.round(c.maxDropUpper * 100)}%`;
}

/** The median rate a point's runs produced (a producer can fall short of the offered rate: adaptive
 *  wake-ups slow it, and so does a busy host). */
export function carriedRate(p: Pick<LossPoint, 'rateCap' | 'samples'>): number {
  return medianReach(p) * p.rateCap;
}

/** Whether a point's runs fell short of its offered rate (median below CAP_REACHED of it). */
export const fellShort = (p: Pick<LossPoint, 'rateCap' | 'samples'>) => medianReach(p) < CAP_REACHED;

const fmtSeconds = (s: number) => `${Number(s.toFixed(2))} s`;

/** The curve's sustainable rate: the highest point that meets the rule, or undefined. */
export function curveSustainable(c: LossCurveRecord): LossPoint | undefined {
  const met = c.points.filter((p) => meetsRule(p, c.maxDropUpper));
  return met.length ? met.reduce((a, b) => (b.rateCap > a.rateCap ? b : a)) : undefined;
}

/**
 * The rate more runs would settle the rule at: the highest point with no drop so far that does
 * not meet the rule yet, above the highest point that does. Undefined when
 * none is left: the rule is as settled as more runs at these rates can make it.
 */
export function nextCandidate(c: LossCurveRecord): LossPoint | undefined {
  const best = curveSustainable(c)?.rateCap ?? 0;
  const open = c.points.filter((p) => p.rateCap > best && p.runs > 0 && p.dropped === 0 && !meetsRule(p, c.maxDropUpper));
  return open.length ? open.reduce((a, b) => (b.rateCap > a.rateCap ? b : a)) : undefined;
}

/** How long the producer's buffer holds records arriving at `rate`, in ns. */
export function bufferNs(c: Pick<LossCurveRecord, 'bufferBytes' | 'recordBytes'>, rate: number): number {
  return rate > 0 ? (c.bufferBytes / c.recordBytes / rate) * 1e9 : Infinity;
}

/** The share of its records a dropping run may lose and still read as a burst: the consumer away
 *  for a moment, not slower than the rate (same bound as a search's, analysis/search BURST_LOSS). */
export const BURST_SHARE = 0.05;

/** Stalls agree with drops when at least this share of the runs at rates with drops do. */
export const STALL_AGREEMENT = 0.8;

/** What explains a curve's shape, from its own runs. */
export interface LossShape {
  runs: number;
  dropped: number;
  /** the lowest offered rate at which a run dropped, and the highest below it at which none did */
  onset?: number;
  lastClean?: number;
  /** points where some but not all runs dropped: a chance region, lowest and highest rate */
  chance?: { from: number; to: number; points: number };
  /** the lowest rate from which every run at it and above dropped */
  allFrom?: number;
  /** the worst share of its records a dropping run lost; runs losing more than BURST_SHARE */
  worstLoss: number;
  steady: number;
  /** the longest stalls: over all runs, and at the lowest three rates (where no buffer overflows);
   *  the highest rate's longest, and what the buffer holds there */
  stall: { maxNs: number; medianNs: number; lowRatesMaxNs: number; topMaxNs: number; topRate: number };
  /** at the rates with drops: runs whose longest stall exceeded the time the buffer holds at their
   *  rate, and how many of them dropped; of the others, how many dropped */
  agreement?: { runs: number; agree: number; overDropped: number; over: number; underDropped: number; under: number };
  /** the time the buffer holds at the onset rate */
  onsetBufferNs?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
};

export function lossShape(c: LossCurveRecord): LossShape {
  const points = [...c.points].filter((p) => p.runs > 0).sort((a, b) => a.rateCap - b.rateCap);
  const all = points.flatMap((p) => p.samples);
  const droppingRuns = points.flatMap((p) => p.samples.filter((r) => r.droppedKernel > 0));
  const onsetIdx = points.findIndex((p) => p.dropped > 0);
  const chancePts = points.filter((p) => p.dropped > 0 && p.dropped < p.runs);
  let allFromIdx = points.length;
  while (allFromIdx > 0 && points[allFromIdx - 1].dropped === points[allFromIdx - 1].runs) allFromIdx--;
  const losses = droppingRuns.map((r) => r.droppedKernel / Math.max(1, r.events));
  const low = points.slice(0, 3).flatMap((p) => p.samples.map((r) => r.stallNs));
  const shape: LossShape = {
    runs: all.length,
    dropped: droppingRuns.length,
    worstLoss: losses.length ? Math.max(...losses) : 0,
    steady: losses.filter((l) => l > BURST_SHARE).length,
    stall: {
      maxNs: Math.max(0, ...all.map((r) => r.stallNs)),
      medianNs: median(all.map((r) => r.stallNs)),
      lowRatesMaxNs: Math.max(0, ...low),
      topMaxNs: Math.max(0, ...(points.at(-1)?.samples.map((r) => r.stallNs) ?? [])),
      topRate: points.at(-1)?.rateCap ?? 0,
    },
  };
  if (onsetIdx >= 0) {
    shape.onset = points[onsetIdx].rateCap;
    if (onsetIdx > 0) shape.lastClean = points[onsetIdx - 1].rateCap;
    shape.onsetBufferNs = bufferNs(c, shape.onset);
    // the time the buffer holds at the rate the run produced: a producer short of its cap fills slower
    const atDrops = points.filter((p) => p.dropped > 0).flatMap((p) => p.samples.map((r) => ({ r, over: r.stallNs >= bufferNs(c, Math.min(p.rateCap, r.generatedPerSec)) })));
    const over = atDrops.filter((x) => x.over);
    const under = atDrops.filter((x) => !x.over);
    const overDropped = over.filter((x) => x.r.droppedKernel > 0).length;
    const underDropped = under.filter((x) => x.r.droppedKernel > 0).length;
    shape.agreement = { runs: atDrops.length, agree: overDropped + (under.length - underDropped), overDropped, over: over.length, underDropped, under: under.length };
  }
  if (chancePts.length) shape.chance = { from: chancePts[0].rateCap, to: chancePts[chancePts.length - 1].rateCap, points: chancePts.length };
  if (allFromIdx < points.length) shape.allFrom = points[allFromIdx].rateCap;
  return shape;
}

/** Whether the drops follow the stalls: at the rates with drops, a run dropped exactly when its
 *  longest stall outlasted the buffer, in at least STALL_AGREEMENT of the runs. */
export function stallsExplain(s: LossShape): boolean {
  return !!s.agreement && s.agreement.runs > 0 && s.agreement.agree / s.agreement.runs >= STALL_AGREEMENT;
}
