/**
 * analysis/compare-basis — the evidence for one metric on the comparison's noise basis (paired
 * trials, runs as units, a noise record, or repeats within one run), and the control's drift
 * judged the same way. compare.ts decides the basis; compare-judge.ts turns evidence into verdicts.
 */
import { mean, pairedDiffInterval, welchStandardError } from './stats.js';
import { judgeAll, measureChange, type Evidence, type MetricInput } from './compare-judge.js';
import { controlSamples } from './samples.js';
import { pairStandardError } from './noise.js';
import type { ResultsFile } from '../results/schema.js';
import { CONTROL_METRICS, isJudged, notJudgedReason, type LoadMode } from '../results/metrics.js';
import type { CompareOptions, ControlComparison, NoiseBasisKind } from './compare-types.js';

/** Repeats (or pairs) each side needs before a change can be called improved or regressed. */
export const MIN_JUDGED_REPEATS = 3;

export const NO_NOISE = 'no spread recorded: within-run noise only';

/** The values and evidence of one metric of one scenario, by the comparison's noise basis. */
export function metricInput(
  metric: string,
  mode: LoadMode,
  bValues: Map<string, number[]>[],
  cValues: Map<string, number[]>[],
  kind: NoiseBasisKind,
  opts: CompareOptions,
  id: string,
): MetricInput | undefined {
  const reason = notJudgedReason(metric, mode);
  const judged = isJudged(metric, mode);
  const input = (base: number[], candidate: number[], evidence: Evidence | null, tooFew: string | null, note: string | null = reason ?? null): MetricInput =>
    ({ metric, judged, base, candidate, evidence, tooFew, note });
  if (kind === 'runs') {
    const bm = bValues.map((v) => v.get(metric)).filter((v): v is number[] => !!v?.length).map(mean);
    const cm = cValues.map((v) => v.get(metric)).filter((v): v is number[] => !!v?.length).map(mean);
    if (!bm.length || !cm.length) return undefined;
    const w = welchStandardError(bm, cm);
    const few = Math.min(bm.length, cm.length) < 2 ? 'not judged: fewer than 2 runs a side measured it' : null;
    return input(bm, cm, w ? { diff: mean(cm) - mean(bm), ...w } : null, few);
  }
  const bv = bValues[0].get(metric) ?? [];
  const cv = cValues[0].get(metric) ?? [];
  if (!bv.length || !cv.length) return undefined;
  if (kind === 'paired') {
    const pd = pairedDiffInterval(bv, cv);
    const few = Math.min(bv.length, cv.length) < MIN_JUDGED_REPEATS ? `not judged: fewer than ${MIN_JUDGED_REPEATS} pairs` : null;
    return input(bv, cv, pd, few);
  }
  const w = welchStandardError(bv, cv);
  const within: Evidence | null = w ? { diff: mean(cv) - mean(bv), ...w } : null;
  if (kind === 'noise') {
    const pair = pairStandardError(opts.noise?.scenarios[id]?.[metric], mean(bv));
    if (pair) {
      // The recorded spread, unless this pair's own repeats are noisier still: a rare event the
      // record never saw move (drops 0 in every run) must not turn 0, 0, 161 into a regression.
      const evidence = within && within.se > pair.se ? within : { diff: mean(cv) - mean(bv), ...pair };
      return input(bv, cv, evidence, null);
    }
    const few = Math.min(bv.length, cv.length) < MIN_JUDGED_REPEATS ? `not judged: fewer than ${MIN_JUDGED_REPEATS} repeats` : null;
    return input(bv, cv, within, few, reason ?? NO_NOISE);
  }
  const few = Math.min(bv.length, cv.length) < MIN_JUDGED_REPEATS ? `not judged: fewer than ${MIN_JUDGED_REPEATS} repeats` : null;
  return input(bv, cv, within, few);
}

/** The control's drift between the sides, on the comparison's noise basis. */
export function compareControl(bases: readonly ResultsFile[], candidates: readonly ResultsFile[], kind: NoiseBasisKind, opts: CompareOptions): ControlComparison[] {
  const bs = bases.map(controlSamples);
  const cs = candidates.map(controlSamples);
  const out: ControlComparison[] = [];
  for (const { name } of CONTROL_METRICS) {
    if (!bs.every((m) => m.has(name)) || !cs.every((m) => m.has(name))) continue;
    const asMap = (sides: Map<string, number[]>[]) => sides.map((m) => new Map([[name, m.get(name)!]]));
    const input = metricInput(name, 'storm', asMap(bs), asMap(cs), kind, {
      ...opts,
      noise: opts.noise && { ...opts.noise, scenarios: { control: opts.noise.control } },
    }, 'control');
    if (!input) continue;
    input.judged = true; // judged here for the machine, never counted in the summary
    const comparison = measureChange(input, opts.thresholdPct);
    judgeAll([comparison]);
    out.push({ metric: name, comparison, moved: comparison.verdict === 'regressed' || comparison.verdict === 'improved' });
  }
  return out;
}

