/**
 * report/sections/appendix — "Appendix: method", collapsed in HTML: how the loads and measurements
 * work, the ceilings' method (trigger, search, placement, precision, what bounds each figure,
 * calibration), every other group's table and chart, every warning once, the environment and how to
 * reproduce the run. The main body states findings; this is where a reader checks them.
 */
import type { Block } from '../document.js';

/** One heading level down (h2 → h3, h3 → h4 as h3), so the appendix nests under its own heading. */
export function demote(blocks: readonly Block[]): Block[] {
  return blocks.map((b) => {
    if ('h' in b) return { ...b, h: 3 as const, text: b.h === 3 ? `· ${b.text}` : b.text };
    if ('details' in b) return { details: { ...b.details, blocks: demote(b.details.blocks) } };
    return b;
  });
}

export const APPENDIX_TITLE = 'Appendix: method';

export function appendixBlocks(parts: readonly Block[]): Block[] {
  return [
    { h: 2, text: APPENDIX_TITLE, id: 'appendix' },
    { details: { summary: 'How it was measured, every table and figure, each warning once, environment and reproduce', blocks: demote(parts) } },
  ];
}
