/**
 * analysis/samples — the values compare and noise read from a run: per scenario, each compared
 * metric's per-repeat values in catalogue order, followed by the rates normalised to the run's
 * control (results/metrics NORMALISED_RATES); and the run's control samples.
 */
import { mean } from './stats.js';
import { COMPARED_METRICS, CONTROL_METRICS, controlFor, loadModeOf, NORMALISED_RATES } from '../results/metrics.js';
import type { ResultsFile, ScenarioRecord } from '../results/schema.js';

/** Finite numbers only (a missing metric or a NaN from an aborted trial is left out). */
export function finiteValues(xs: readonly number[] | undefined): number[] {
  return Array.isArray(xs) ? xs.filter((v) => typeof v === 'number' && Number.isFinite(v)) : [];
}

/** The run's mean control rate per control metric; undefined for runs without a control. */
export function controlMeans(run: ResultsFile): Record<string, number> | undefined {
  const samples = run.control?.samples;
  if (!samples) return undefined;
  const out: Record<string, number> = {};
  for (const { name } of CONTROL_METRICS) {
    const v = finiteValues(samples[name]);
    if (v.length) out[name] = mean(v);
  }
  return Object.keys(out).length ? out : undefined;
}

/** The control's samples per control metric (empty when the run has none). */
export function controlSamples(run: ResultsFile): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const { name } of CONTROL_METRICS) {
    const v = finiteValues(run.control?.samples?.[name]);
    if (v.length) out.set(name, v);
  }
  return out;
}

/**
 * Metric → per-repeat values for one scenario of one run: the compared metrics (in catalogue
 * order, each normalised rate right after its raw rate when the run has a control). A scenario
 * with a rate cap has no normalised rates: the cap sets its rate, so dividing by the control
 * would turn the machine's drift into a change of a rate that did not move (exactly 5000/s on
 * both sides, "−5.9%" with a zero-width interval).
 */
export function scenarioValues(run: ResultsFile, rec: ScenarioRecord): Map<string, number[]> {
  const capped = Number(rec.config?.rateCap) > 0;
  const control = capped ? undefined : controlMeans(run)?.[controlFor(loadModeOf(rec.config))];
  const out = new Map<string, number[]>();
  for (const metric of COMPARED_METRICS) {
    const v = finiteValues(rec.repeats[metric]);
    if (!v.length) continue;
    out.set(metric, v);
    const normalised = NORMALISED_RATES.get(metric);
    if (normalised && control) out.set(normalised, v.map((x) => x / control));
  }
  return out;
}
