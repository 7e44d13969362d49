/**
 * report/sections/results — Results: one subsection per storm group (its charts, then its table),
 * the charts that belong to no group, and the charts left out and why. The saturation groups have
 * their own section (ceilings.ts).
 */
import { CEILING_GROUPS, GROUP_TITLES, groupsIn, OWN_SECTION_GROUPS } from '../../analysis/groups.js';
import type { SkippedChart } from '../../charts/index.js';
import type { ResultSet } from '../../results/schema.js';
import { slug, type Block } from '../document.js';
import type { Figures } from '../figures.js';
import { groupTable } from '../tables.js';

export function resultsBlocks(sets: readonly ResultSet[], figures: Figures, skipped: readonly SkippedChart[]): Block[] {
  const blocks: Block[] = [{ h: 2, text: 'Results' }];
  // ceiling groups and groups with their own section are placed there
  const elsewhere = [...CEILING_GROUPS, ...OWN_SECTION_GROUPS];
  const isCeiling = (id: string) => elsewhere.includes(figures.groupOf(id) ?? '');
  const groups = groupsIn(sets).filter((g) => !elsewhere.includes(g));
  const placed = new Set(figures.ids().filter(isCeiling));
  for (const g of groups) {
    blocks.push({ h: 3, text: GROUP_TITLES[g] ?? g, id: `group-${slug(g)}` });
    for (const id of figures.ids()) {
      if (figures.groupOf(id) === g) {
        blocks.push(...figures.place(id));
        placed.add(id);
      }
    }
    blocks.push({ table: groupTable(sets, g) });
  }
  const rest = figures.ids().filter((id) => !placed.has(id));
  if (rest.length) {
    blocks.push({ h: 3, text: rest.length === 1 && rest[0] === 'storm-timeline' ? 'A storm, window by window' : 'More views' });
    for (const id of rest) blocks.push(...figures.place(id));
  }
  if (skipped.length) {
    blocks.push({ p: [{ strong: 'Not shown.' }, ' These charts were left out rather than drawn empty:'] });
    blocks.push({ ul: skipped.map((s) => [{ em: s.chart }, ` — ${s.why}.`]) });
  }
  return blocks;
}
