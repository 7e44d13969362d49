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

/** The sustainable rate's name among a record's figures. */
export const SUSTAINABLE_FIGURE = 'sustainable rate';

export function precisionFigures(rec: ScenarioRecord): PrecisionFigure[] {
  const rates = RATES.filter(([m]) => rec.config?.consumer !== 'drain' || m !== 'rates.generatedPerSec');
  return [
    ...rates.map(([m, what]) => ({ what, aggregate: rec.aggregates[m], values: rec.repeats[m] ?? [] })),
    ...(rec.sustainable ? [{ what: SUSTAINABLE_FIGURE, aggregate: rec.sustainable.aggregate, values: rec.sustainable.perRepeat ?? [] }] : []),
  ];
}
