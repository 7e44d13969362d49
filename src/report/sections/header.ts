/**
 * report/sections/header — the report's title, its meta line (machine, kernel, suite, date, or
 * the result sets' tags) and the lede that states the question.
 */
import { CEILING_GROUPS } from '../../analysis/groups.js';
import type { ResultSet } from '../../results/schema.js';
import type { Block, Inline } from '../document.js';

export function reportTitle(sets: readonly ResultSet[]): string {
  return sets.length > 1 ? `BPF ring buffer vs perf buffer: ${sets.length} result sets` : 'BPF ring buffer vs perf buffer';
}

/** The meta line: the first block, right under the title. */
export function headerBlocks(sets: readonly ResultSet[]): Block[] {
  return [metaBlock(sets)];
}

function metaBlock(sets: readonly ResultSet[]): Block {
  const first = sets[0].results;
  const meta = sets.length > 1
    ? sets.map((s) => `${s.tag}: ${s.label}`).join(' · ')
    : [
        first.environment.kernel && `Linux ${first.environment.kernel}`,
        first.environment.hostname,
        first.environment.cpuModel && `${first.environment.cpuModel} × ${first.environment.cpuCount}`,
        `suite ${first.suite}`,
        (first.environment.date || first.startedAt || '').slice(0, 10),
      ]
        .filter(Boolean)
        .join(' · ');
  return { p: meta, cls: 'meta' };
}

/** What the report compares and how, placed after the TL;DR and its chart. */
export function ledeBlocks(sets: readonly ResultSet[]): Block[] {
  return [
    {
      p: [
        'How do the BPF ring buffer (',
        { code: 'BPF_MAP_TYPE_RINGBUF' },
        ') and the BPF perf buffer (',
        { code: 'BPF_MAP_TYPE_PERF_EVENT_ARRAY' },
        ') compare when a storm of real process exits pushes events through them? Twin BPF programs differ only in the transport; everything below is measured, with 95% confidence intervals over repeats.',
        ...(sets.some((st) => st.results.scenarios.some((r) => CEILING_GROUPS.includes(r.group)))
          ? [' A second, synthetic load (a ', { code: 'getpgid()' }, ' trigger) pushes each transport to its ceiling.'] as Inline[]
          : []),
      ],
      cls: 'lede',
    },
  ];
}
