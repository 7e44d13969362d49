/**
 * search-rule — when a run of the sustainable-rate search (sustainable.ts) carried its rate. Pure,
 * so a report can replay a recorded search without loading the addon.
 */

/** A capped run carried its cap when it reached this share of it (pacing is within ~1%). */
export const CAP_REACHED = 0.97;

/** Whether a run carried its rate: no drops, and (when capped) the cap reached. With adaptive
 *  wake-ups the wake-up work slows the producer itself, so "no drops" alone would credit a rate
 *  nobody produced. */
export function sustained(step: { rateCap: number; generatedPerSec: number; droppedKernel: number }): boolean {
  return step.droppedKernel === 0 && (step.rateCap === 0 || step.generatedPerSec >= CAP_REACHED * step.rateCap);
}
