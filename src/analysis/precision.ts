/**
 * analysis/precision — which of a record's figures a precision target (suite `precision`) judges:
 * its rates, except a drain consumer's load rate (the figure there is the reader's rate), and its
 * sustainable rate when searched. The runner repeats until these are precise; the report names
 * the ones that stayed wide.
 */
import type { Aggregate, ScenarioRecord } from '../results/schema.js';

export interface PrecisionFigure {
  what: string;
  aggregate?: Aggregate;
  values: number[];
}

/** The rates a precision target is judged on (a ceiling group's figures). */
const RATES = [
  ['rates.generatedPerSec', 'raw ceiling'],
  ['rates.deliveredPerSec', 'delivered/s'],
] as const;

/** More values a figure needs for its 95% interval to reach `target` (relative half-width) at its
 *  present spread: a half-width narrows as 1/√n, so n·(now / target)² in all, less the n it has
 *  (the t quantile shrinking too makes this an overestimate). Undefined below 3 values. */
export function valuesToTarget(aggregate: Aggregate | undefined, target: number): number | undefined {
  const rel = aggregate?.relCi;
  if (!aggregate || aggregate.n < 3 || typeof rel !== 'number' || !Number.isFinite(rel)) return undefined;
  return Math.max(0, Math.ceil(aggregate.n * (rel / target) ** 2) - aggregate.n);
}

/** The sustainable rate's name among a record's figures. */
export const SUSTAINABLE_FIGURE = 'sustainable rate';

export function precisionFigures(rec: ScenarioRecord): PrecisionFigure[] {
  const rates = RATES.filter(([m]) => rec.config?.consumer !== 'drain' || m !== 'rates.generatedPerSec');
  return [
    ...rates.map(([m, what]) => ({ what, aggregate: rec.aggregates[m], values: rec.repeats[m] ?? [] })),
    ...(rec.sustainable ? [{ what: SUSTAINABLE_FIGURE, aggregate: rec.sustainable.aggregate, values: rec.sustainable.perRepeat ?? [] }] : []),
  ];
}

/** A record's figures whose 95% interval is wider than `relCi` of the mean (or not known yet). */
export function wideFigures(rec: ScenarioRecord, relCi: number): PrecisionFigure[] {
  return precisionFigures(rec).filter((f) => !(f.aggregate && f.aggregate.relCi <= relCi));
}
