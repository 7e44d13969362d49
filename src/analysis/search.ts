/**
 * analysis/search — reading a recorded sustainable-rate search: which rule judged its runs (the
 * harness's search-rule, or no drops alone in results from before it) and that rule in words.
 */
import { sustained } from '../harness/search-rule.js';
import type { ScenarioRecord } from '../results/schema.js';

type Step = Parameters<typeof sustained>[0];

/** The rule a recorded search was judged by: this one, or (results without `capReached`, from
 *  before it) no drops alone. */
export function ruleOf(search: { capReached?: number }): (step: Step) => boolean {
  return search.capReached !== undefined ? sustained : (step) => step.droppedKernel === 0;
}

/** The rule in words, for reports: "dropped nothing and reached at least 97% of its cap". */
export function ruleWords(search: { capReached?: number }): string {
  return search.capReached !== undefined ? `dropped nothing and reached at least ${Math.round(search.capReached * 100)}% of its cap` : 'dropped nothing';
}

/** The rule the records' searches used, in words (the newer rule when results mix both). */
export function recordsRuleWords(recs: readonly ScenarioRecord[]): string {
  const searches = recs.map((r) => r.sustainable).filter((x) => x !== undefined);
  return ruleWords(searches.find((x) => x.capReached !== undefined) ?? searches[0] ?? {});
}

/** The share of its records a capped run may lose and still count as having lost a burst: a
 *  consumer away for S loses at most S of a run's time, so 5% of a 0.3 s run is a 15 ms stall (this
 *  VM's drops were 4–8 ms long: 0.04–2.3% of such runs). */
export const BURST_LOSS = 0.05;

/** What a scenario's searches show about why its sustainable rate sits below its raw ceiling: the
 *  capped runs that failed at a rate below what the unthrottled runs delivered on average. Those
 *  that dropped a small share of their records lost a burst: the consumer kept the rate on
 *  average but fell behind by more than the buffer holds for a moment. Those that fell short of
 *  their cap without a drop ran in a slower regime (adaptive wake-ups: the wake-up work slows the
 *  producer). Either way a 0.3 s run meets it or not by chance. */
export interface SearchMisses {
  /** capped runs of all searches that record their events */
  capped: number;
  /** the raw ceiling's mean delivered rate (the unthrottled runs) */
  deliveredPerSec: number;
  /** runs below deliveredPerSec that dropped: how many, the worst share of its records one lost,
   *  and the lowest cap among them */
  dropped?: { n: number; worstLoss: number; lowestCap: number };
  /** runs below deliveredPerSec that fell short of their cap without a drop: how many, and the
   *  smallest share of its cap one reached */
  short?: { n: number; lowestReach: number };
  /** the fullest a capped run that carried got its buffer (share of its bytes), when recorded */
  carriedFill?: number;
}

/** Undefined when the record keeps no searches with their runs' events, or no run failed below. */
export function searchMisses(rec: ScenarioRecord): SearchMisses | undefined {
  const s = rec.sustainable;
  const deliveredPerSec = rec.aggregates?.['rates.deliveredPerSec']?.mean;
  if (!s?.searches?.length || !(typeof deliveredPerSec === 'number' && deliveredPerSec > 0)) return undefined;
  const carried = ruleOf(s);
  const capped = s.searches.flat().filter((r) => r.rateCap > 0 && (r.events ?? 0) > 0);
  const below = capped.filter((r) => !carried(r) && r.rateCap < deliveredPerSec);
  const dropped = below.filter((r) => r.droppedKernel > 0);
  const short = below.filter((r) => r.droppedKernel === 0);
  if (!below.length) return undefined;
  const fills = capped.filter((r) => carried(r) && r.fill !== undefined).map((r) => r.fill!);
  return {
    capped: capped.length,
    deliveredPerSec,
    ...(dropped.length ? {
      dropped: {
        n: dropped.length,
        worstLoss: Math.max(...dropped.map((r) => r.droppedKernel / r.events!)),
        lowestCap: Math.min(...dropped.map((r) => r.rateCap)),
      },
    } : {}),
    ...(short.length ? { short: { n: short.length, lowestReach: Math.min(...short.map((r) => r.generatedPerSec / r.rateCap)) } } : {}),
    ...(fills.length ? { carriedFill: Math.max(...fills) } : {}),
  };
}
