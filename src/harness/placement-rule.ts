/**
 * placement-rule — when a saturation trial's cache-line round trip between its producer's and
 * consumer's CPUs (cpu-pair.ts) means the host had them apart, and the bounds on re-running such a
 * trial. Pure, so reports and compare can judge recorded round trips without loading the addon.
 */

/** A round trip over this many times the run's lowest means the CPUs are apart. 3, not 2: this
 *  repo's VM shows ~110 ns with the two on one last-level cache, ~450 ns apart, and at times
 *  ~70 ns (hyperthreads of one core, presumably), beside which ~140 ns is still a shared cache. */
export const FAR_FACTOR = 3;

/** Whether round trip `ns` shows the CPUs apart, given the lowest the run has seen (0 = not measured). */
export function apart(ns: number, lowestNs: number): boolean {
  return ns > 0 && ns > FAR_FACTOR * lowestNs;
}

/** How many times one trial is run again; the last run is kept whatever its placement. */
export const RERUNS = 2;
/** How long to wait, probing, for the CPUs to come back together before a re-run. */
export const NEAR_WAIT_MS = 2000;
/** A run's waiting in all, so that a host that keeps the CPUs apart cannot stretch it unboundedly. */
export const WAIT_BUDGET_MS = 20000;
