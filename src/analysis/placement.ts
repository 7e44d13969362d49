/**
 * analysis/placement — where the host put a run's producer and consumer CPUs (harness/cpu-pair):
 * the round trips its saturation repeats measured, the closest placement, which repeats ran with
 * the CPUs apart, and which of those the run set aside and ran again.
 */
import { apart } from '../harness/placement-rule.js';
import { quantileSorted } from '../results/aggregate.js';
import type { ResultsFile } from '../results/schema.js';

export interface PlacementSummary {
  /** the lowest round trip measured (ns): the host's closest placement of the pair */
  lowestNs: number;
  /** the median round trip of the kept repeats: the placement the figures describe */
  medianNs: number;
  /** round trips of the trials kept with the CPUs together, and of every trial measured apart */
  together: { lo: number; hi: number; n: number };
  apart?: { lo: number; hi: number };
  /** repeats measured apart, set aside and run again */
  setAsideRepeats: number;
  /** repeats kept although measured apart (cpu-pair's bounds on re-runs and waiting came first) */
  keptApart: number;
}

const span = (xs: number[]) => ({ lo: Math.min(...xs), hi: Math.max(...xs) });

/** What a run's trials say about its CPU placement; undefined when none measured it. */
export function placementSummary(results: Pick<ResultsFile, 'scenarios'>): PlacementSummary | undefined {
  const kept = results.scenarios.flatMap((s) => (s.repeats['host.cpuPairNs'] ?? []).filter((ns) => ns > 0));
  const aside = results.scenarios.flatMap((s) => s.setAside ?? []);
  const all = [...kept, ...aside.map((t) => t.cpuPairNs).filter((ns) => ns > 0)];
  if (!kept.length) return undefined;
  const lowestNs = Math.min(...all);
  const isApart = (ns: number) => apart(ns, lowestNs);
  // the lowest is a kept repeat's unless a set-aside trial measured lower; then the span is its alone
  const together = kept.filter((ns) => !isApart(ns));
  const apartNs = all.filter(isApart);
  return {
    lowestNs,
    medianNs: quantileSorted([...kept].sort((a, b) => a - b), 0.5),
    together: { ...span(together.length ? together : [lowestNs]), n: together.length },
    ...(apartNs.length ? { apart: span(apartNs) } : {}),
    setAsideRepeats: aside.length,
    keptApart: kept.filter(isApart).length,
  };
}

/** Said when two runs' figures describe different placements: their median round trips are over
 *  FAR_FACTOR apart, so their saturation figures differ by where the host put the CPUs. */
export function placementDiffers(base: Pick<ResultsFile, 'scenarios'>, candidate: Pick<ResultsFile, 'scenarios'>): string | undefined {
  const b = placementSummary(base);
  const c = placementSummary(candidate);
  if (!b || !c || !apart(Math.max(b.medianNs, c.medianNs), Math.min(b.medianNs, c.medianNs))) return undefined;
  return `the host placed the producer's and consumer's CPUs differently in the two runs (a cache line's round trip between them: ` +
    `median ${Math.round(b.medianNs)} ns in the base, ${Math.round(c.medianNs)} ns in the candidate): saturation figures differ by that as well as by the transport`;
}
