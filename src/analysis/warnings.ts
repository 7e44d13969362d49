/**
 * analysis/warnings — every warning about a result set as a typed value (kind, scenario, metric,
 * figure), computed once: inputs the report could not read, an unfinished run, the run's own
 * accounting notes, 95% intervals wider than ±10% of the mean, and outlying repeats. The report
 * renders each once (report/sections/quality) and writes the list to warnings.json.
 */
import { metricAggregate } from './groups.js';
import { NOISE_CHECKED_METRICS, NOISY_REL_CI } from '../results/metrics.js';
import type { ResultSet } from '../results/schema.js';

/** Wider than this share of the mean, an interval earns a † and a warning. */
/** A 95% interval wider than this share of the mean is called wide: the catalogue's one threshold. */
export const WIDE_REL_CI = NOISY_REL_CI;

export type WarningKind = 'input' | 'incomplete' | 'accounting' | 'wide-interval' | 'outliers';

export interface Warning {
  kind: WarningKind;
  /** the result set's tag (A, B, …) */
  set?: string;
  /** group and scenario id it is about */
  group?: string;
  scenario?: string;
  metric?: string;
  /** wide-interval: the relative half-width (0.35 = ±35%); outliers: how many repeats */
  figure?: number;
  /** outliers: of how many repeats */
  of?: number;
  /** input and accounting: the text the loader or the run gave */
  text?: string;
  file?: string;
}

export function warningsOf(sets: readonly ResultSet[], errors: readonly { file: string; error: string }[] = []): Warning[] {
  const out: Warning[] = errors.map((e) => ({ kind: 'input', file: e.file, text: e.error }));
  for (const s of sets) {
    const set = sets.length > 1 ? s.tag : undefined;
    if (!s.results.complete) out.push({ kind: 'incomplete', set });
    for (const r of s.results.scenarios) {
      const at = { set, group: r.group, scenario: r.id };
      // The run stores accounting notes ("repeat 3: …"); its noise notes are recomputed below from
      // the aggregates, so the stored copies are not read (results/load.ts drops them on load).
      for (const w of r.warnings ?? []) out.push({ kind: 'accounting', ...at, text: w });
      for (const m of NOISE_CHECKED_METRICS) {
        const a = metricAggregate(r, m);
        if (!a) continue;
        if (a.n > 1 && a.relCi > WIDE_REL_CI) out.push({ kind: 'wide-interval', ...at, metric: m, figure: a.relCi });
        if (a.outliers > 0) out.push({ kind: 'outliers', ...at, metric: m, figure: a.outliers, of: a.n });
      }
    }
  }
  return out;
}
