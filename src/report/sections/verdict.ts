/**
 * report/sections/verdict — the verdicts (analysis/verdict.ts) per result set, each sentence
 * following from that set's data.
 */
import { computeVerdicts } from '../../analysis/verdict.js';
import type { ResultSet } from '../../results/schema.js';
import type { Block } from '../document.js';

export function verdictBlocks(sets: readonly ResultSet[]): Block[] {
  const multi = sets.length > 1;
  return [
    { h: 2, text: 'Verdict' },
    { verdicts: sets.map((s) => ({ set: multi ? `${s.tag}: ${s.label}` : undefined, items: computeVerdicts(s) })) },
  ];
}
