/**
 * report/sections/comparison — the regression comparison of two runs, as `ringbench compare`
 * renders it (report/compare-format.ts comparisonSections), placed in the report as it is.
 */
import type { Block } from '../document.js';

/** A comparison already rendered for both outputs. */
export interface ComparisonSections {
  markdown: string;
  html: string;
}

export function comparisonBlocks(comparison: ComparisonSections | undefined): Block[] {
  if (!comparison) return [];
  return [{ h: 2, text: 'Comparison' }, { raw: { html: `<div class="comparison">${comparison.html}</div>`, md: comparison.markdown } }];
}
