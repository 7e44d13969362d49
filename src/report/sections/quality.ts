/**
 * report/sections/quality — Data quality in a few lines: one table row per group (repeats, widest
 * interval, outlying repeats), the serious warnings (unreadable inputs, an unfinished run, accounting
 * notes) counted, and every warning listed once in warnings.json (written beside the report). The warnings are typed values (analysis/warnings), computed once.
 */
import { CEILING_GROUPS, groupsIn } from '../../analysis/groups.js';
import { WIDE_REL_CI, type Warning } from '../../analysis/warnings.js';
import { metricFormat } from '../../format/units.js';
import type { ResultSet } from '../../results/schema.js';
import type { Block, Text } from '../document.js';

/** An input the report could not use, and why (results/load.ts loadResultSets). */
export interface InputError {
  file: string;
  error: string;
}

const range = (xs: number[]) => (!xs.length ? '—' : Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}–${Math.max(...xs)}`);

/** The Data quality section: one table, one line. */
export function qualityBlocks(sets: readonly ResultSet[], warnings: readonly Warning[]): Block[] {
  const rows: Text[][] = [];
  // The saturation groups share one row: one load, one question (how fast).
  const storms = groupsIn(sets).filter((g) => !CEILING_GROUPS.includes(g)).map((g) => ({ name: g, groups: [g] }));
  const sat = groupsIn(sets).filter((g) => CEILING_GROUPS.includes(g));
  const rowsOf = sat.length ? [...storms, { name: 'ceilings (saturation)', groups: sat }] : storms;
  for (const { name, groups } of rowsOf) {
    const recs = sets.flatMap((s) => s.results.scenarios.filter((r) => groups.includes(r.group)));
    const repeats = recs.map((r) => r.repeats?.['wallNs']?.length ?? Object.values(r.repeats ?? {})[0]?.length ?? 0);
    const mine = warnings.filter((w) => groups.includes(w.group ?? ''));
    const wide = mine.filter((w) => w.kind === 'wide-interval').sort((a, b) => b.figure! - a.figure!)[0];
    const outliers = mine.filter((w) => w.kind === 'outliers').reduce((n, w) => n + (w.figure ?? 0), 0);
    rows.push([
      name,
      range(repeats),
      // single runs have no interval at all: say so rather than call them narrow
      wide ? `±${Math.round(wide.figure! * 100)}% (${metricFormat(wide.metric!).title}, ${wide.scenario!})` : repeats.every((n) => n < 2) ? 'no interval (1 repeat)' : `all within ±${WIDE_REL_CI * 100}%`,
      String(outliers),
    ]);
  }
  const serious = warnings.filter((w) => w.kind === 'input' || w.kind === 'incomplete' || w.kind === 'accounting');
  const inputs = warnings.filter((w) => w.kind === 'input');
  const note: Text = [
    ...inputs.flatMap((w, i) => [i ? '; ' : { strong: 'Not included: ' }, { code: w.file ?? '' }, ` (${w.text})`]),
    ...(inputs.length ? ['. '] : []),
    serious.length ? { strong: `${serious.length} run warning${serious.length === 1 ? '' : 's'} (unreadable input, unfinished run or accounting). ` } : 'No run warnings: every trial’s accounting added up. ',
    `All ${warnings.length} warnings, each once: `,
    { link: 'warnings.json', href: 'warnings.json' },
    '.',
  ];
  return [
    { h: 2, text: 'Data quality' },
    { table: { head: ['group', 'repeats', 'widest 95% interval', 'outlying repeats'], numeric: [false, true, false, true], rows } },
    { p: note, cls: 'table-note' },
  ];
}
