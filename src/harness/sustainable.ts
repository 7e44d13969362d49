/**
 * ceiling — how fast can a transport go? The raw ceiling is what an unthrottled saturation load
 * achieves; the sustainable rate is the highest rate cap at which a run drops nothing, found by
 * bisection on the rate cap and confirmed by one more run at the answer.
 */
import { runScenario } from './trial.js';
import type { ScenarioConfig, SustainableRate, TrialResult } from './types.js';

export type { SustainableRate };

export interface SearchOptions {
  /** how long each probing run lasts at its rate (default 0.3 s) */
  trialSeconds?: number;
  /** bisection steps (default 7: within 1/128 of the ceiling) */
  steps?: number;
  /** events of the unthrottled run (default: the config's) */
  events?: number;
}

const MIN_EVENTS = 5000;

/** Searches the sustainable rate of a saturation-load configuration. */
export async function findSustainableRate(base: ScenarioConfig, opts: SearchOptions = {}): Promise<SustainableRate> {
  if (base.load !== 'saturation') throw new Error('the sustainable-rate search needs --load saturation');
  const trialSeconds = opts.trialSeconds ?? 0.3;
  const steps: SustainableRate['steps'] = [];
  const run = async (rateCap: number, events: number): Promise<TrialResult> => {
    const r = await runScenario({ ...base, rateCap, events });
    steps.push({ rateCap, generatedPerSec: r.rates.generatedPerSec, droppedKernel: r.counts.droppedKernel });
    if (r.aborted) throw new Error('the sustainable-rate search was interrupted');
    return r;
  };
  const eventsAt = (rate: number) => Math.max(MIN_EVENTS, Math.round(rate * trialSeconds));

  const unthrottled = await run(0, opts.events ?? base.events);
  const ceiling = unthrottled.rates.generatedPerSec;
  let best = unthrottled.counts.droppedKernel === 0 ? Math.floor(ceiling) : 0;
  if (best === 0) {
    let lo = 0;
    let hi = ceiling;
    for (let i = 0; i < (opts.steps ?? 7); i++) {
      const mid = Math.round((lo + hi) / 2);
      const r = await run(mid, eventsAt(mid));
      if (r.counts.droppedKernel === 0) lo = mid;
      else hi = mid;
    }
    best = lo;
  }
  // Confirm; a drop here means the boundary was noise: back off 10% and try again.
  let confirmation = best > 0 ? await run(best === Math.floor(ceiling) ? 0 : best, eventsAt(best)) : undefined;
  for (let tries = 0; confirmation && confirmation.counts.droppedKernel > 0 && tries < 3; tries++) {
    best = Math.floor(best * 0.9);
    confirmation = await run(best, eventsAt(best));
  }
  if (confirmation && confirmation.counts.droppedKernel > 0) best = 0;
  return {
    ceilingPerSec: ceiling,
    ceilingDeliveredPerSec: unthrottled.rates.deliveredPerSec,
    ratePerSec: best,
    confirmation: {
      generatedPerSec: confirmation?.rates.generatedPerSec ?? 0,
      droppedKernel: confirmation?.counts.droppedKernel ?? 0,
      delivered: confirmation?.counts.delivered ?? 0,
    },
    steps,
  };
}
