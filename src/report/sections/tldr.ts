/**
 * report/sections/tldr — the answer first: 3–5 quotable bullets (number, interval, condition), a
 * "use perfbuf when…" line only when the data give one, then the hero chart right below.
 */
import type { Findings } from '../../analysis/findings.js';
import type { ResultSet } from '../../results/schema.js';
import type { Block, Text } from '../document.js';
import type { Figures } from '../figures.js';
import { bottomLine, ceilingTakeaway, ceilingBullet, cpuBullet, latencyBullet, memoryBullet, orderingBullet, stormLine, usePerfbufLine } from './takeaways.js';

/** The chart placed right below the TL;DR. */
export const HERO_CHART = 'ceilings';

/** The TL;DR bullets, most important first, at most 5. */
export function tldrBullets(f: Findings): Text[] {
  const bullets: (Text | undefined)[] = [
    ceilingBullet(f.ceilings),
    f.ordering && orderingBullet(f.ordering),
    f.memory && memoryBullet(f.memory),
    f.latency && latencyBullet(f.latency),
    cpuBullet(f.cpu),
  ];
  const out = bullets.filter((b): b is Text => !!b);
  // With no saturation results the storm line is the answer it has.
  if (out.length < 3) {
    const storm = stormLine(f);
    if (storm) out.push([{ strong: 'Storms. ' }, storm]);
  }
  return out.slice(0, 5);
}

/** The hero chart's alt text: the ceiling finding, or the catalogue title when there is none. */
function heroAlt(f: Findings): string | undefined {
  return ceilingTakeaway(f.ceilings);
}

export function tldrBlocks(sets: readonly ResultSet[], findings: Findings, figures: Figures): Block[] {
  const from = sets.length > 1 ? [{ p: `From ${sets[0].tag}: ${sets[0].label}.` } as Block] : [];
  const perf = usePerfbufLine(findings);
  return [
    {
      section: {
        id: 'tldr',
        blocks: [
          { h: 2, text: 'TL;DR' },
          ...from,
          { p: { strong: bottomLine(findings) } },
          { ul: tldrBullets(findings) },
          ...(perf ? [{ p: [{ strong: perf }] } as Block] : []),
        ],
      },
    },
    ...figures.place(HERO_CHART, heroAlt(findings)),
  ];
}
