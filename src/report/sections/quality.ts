/**
 * report/sections/quality — Data quality in words: unreadable inputs, incomplete runs and the
 * suite's own warnings, then wide intervals, then outlying repeats.
 */
import { metricAggregate } from '../../analysis/groups.js';
import { noiseWarning } from '../../analysis/stats.js';
import { metricFormat } from '../../format/units.js';
import { NOISE_CHECKED_METRICS } from '../../results/metrics.js';
import type { ResultSet } from '../../results/schema.js';
import type { Block, Text } from '../document.js';
import { isWide } from '../tables.js';

/** An input the report could not use, and why (results/load.ts loadResultSets). */
export interface InputError {
  file: string;
  error: string;
}

/**
 * Data quality in words: unreadable inputs, incomplete runs and the suite's own warnings first
 * (they can change a conclusion), then wide intervals, then outlying repeats — common with few
 * repeats, so summarised and listed in a collapsed section.
 */
export function qualityBlocks(sets: readonly ResultSet[], errors: readonly InputError[]): Block[] {
  const serious: Text[] = [];
  const wide: Text[] = [];
  const outliers: Text[] = [];
  let withOutliers = 0;
  let scenarios = 0;
  for (const e of errors) serious.push([{ strong: 'Not included: ' }, { code: e.file }, ` — ${e.error}.`]);
  for (const s of sets) {
    const who = sets.length > 1 ? `${s.tag}: ` : '';
    if (!s.results.complete) serious.push(`${who}The run did not finish; some scenarios may be missing.`);
    for (const r of s.results.scenarios) {
      scenarios++;
      for (const w of r.warnings ?? []) serious.push([who, { code: r.id }, `: ${w}`]);
      const wideWords: string[] = [];
      const outlierWords: string[] = [];
      for (const m of NOISE_CHECKED_METRICS) {
        const a = metricAggregate(r, m);
        if (!a) continue;
        const words = noiseWarning(metricFormat(m).title, a);
        if (!words) continue;
        if (isWide(a)) wideWords.push(words);
        else outlierWords.push(words);
      }
      if (wideWords.length) wide.push([who, { code: r.id }, `: ${wideWords.join('; ')}.`]);
      if (outlierWords.length) {
        withOutliers++;
        outliers.push([who, { code: r.id }, `: ${outlierWords.join('; ')}.`]);
      }
    }
  }
  const blocks: Block[] = [{ h: 2, text: 'Data quality' }];
  if (!serious.length && !wide.length && !outliers.length) {
    blocks.push({ p: 'No warnings: every interval shown is within ±10% of its mean, no repeat is an outlier, and every trial’s accounting added up.' });
    return blocks;
  }
  if (serious.length) blocks.push({ p: { strong: 'Warnings from the run' } }, { ul: serious });
  blocks.push(
    wide.length
      ? { p: [{ strong: 'Wide intervals. ' }, `In ${wide.length} scenario${wide.length === 1 ? '' : 's'} a 95% interval is wider than ±10% of the mean; more repeats would sharpen these:`] }
      : { p: [{ strong: 'Intervals. ' }, 'Every throughput, latency and CPU interval is within ±10% of its mean.'] },
  );
  if (wide.length) blocks.push({ ul: wide });
  if (outliers.length) {
    blocks.push({
      details: {
        summary: `Outlying repeats: ${withOutliers} of ${scenarios} scenarios have a repeat beyond 1.5 IQR in some metric (common with few repeats; the intervals above already include them).`,
        blocks: [{ ul: outliers }],
      },
    });
  }
  return blocks;
}
