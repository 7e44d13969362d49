/**
 * report/sections/precision — how precise the ceiling figures are: a group with a precision target
 * (suite `precision`) repeats its scenarios until each rate's 95% interval is within the target;
 * this paragraph says which reached it, with how many repeats, and, for those a bound stopped,
 * how wide they stayed and how their repeats spread (two clusters are named: a mean describes
 * neither); and the machine under the figures: hypervisor steal, and where the host put the
 * producer's and consumer's CPUs (analysis/placement).
 */
import { readerOf } from '../../analysis/groups.js';
import { placementSummary } from '../../analysis/placement.js';
import { precisionFigures, SUSTAINABLE_FIGURE, type PrecisionFigure } from '../../analysis/precision.js';
import { FAR_FACTOR, NEAR_WAIT_MS, RERUNS, WAIT_BUDGET_MS } from '../../harness/placement-rule.js';
import { twoClusters } from '../../analysis/stats.js';
import { fmtSi } from '../../format/units.js';
import type { ResultSet, ScenarioRecord } from '../../results/schema.js';
import type { Block, Inline } from '../document.js';

/** The widest of a record's judged figures. */
function widest(rec: ScenarioRecord): PrecisionFigure | undefined {
  return precisionFigures(rec)
    .filter((f) => Number.isFinite(f.aggregate?.relCi))
    .sort((a, b) => b.aggregate!.relCi - a.aggregate!.relCi)[0];
}

const pct = (x: number) => `±${Math.round(x * 100)}%`;
/** A width that missed `target`, never rounded onto it: ±15.1% against ±15%, not "±15%". */
const missedPct = (x: number, target: number) => (Math.round(x * 100) <= Math.round(target * 100) ? `±${(Math.ceil(x * 1000) / 10).toFixed(1)}%` : pct(x));

/** "5–18 repeats", or "5 repeats" when all are alike. */
function range(xs: number[], unit: string): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? `${lo}${unit}` : `${lo}–${hi}${unit}`;
}

const nsSpan = ({ lo, hi }: { lo: number; hi: number }) => range([Math.round(lo), Math.round(hi)], ' ns');
const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Where the host put a run's producer and consumer CPUs, and what the run set aside for it. */
function placementWords(set: ResultSet, multi: boolean): string[] {
  const p = placementSummary(set.results);
  if (!p) return [];
  const tag = multi ? `${set.tag}: ` : '';
  if (!p.apart) return [` ${tag}The producer's and consumer's CPUs stayed together: a cache line between them came back in ${nsSpan(p.together)}.`];
  const redone = p.setAsideRepeats
    ? ` ${count(p.setAsideRepeats, 'repeat')} measured with the CPUs apart ${p.setAsideRepeats === 1 ? 'was' : 'were'} set aside and run again once they were together.`
    : '';
  const kept = p.keptApart
    ? ` ${count(p.keptApart, 'repeat')} measured apart ${p.keptApart === 1 ? 'was' : 'were'} kept (re-runs are bounded: ${RERUNS} a repeat, ${NEAR_WAIT_MS / 1000} s of waiting before each, ${WAIT_BUDGET_MS / 1000} s a run): ${p.keptApart === 1 ? 'it is' : 'they are'} in the figures.`
    : '';
  return [` ${tag}The host moved this machine's CPUs: a cache line between the producer's and the consumer's CPU came back in ${nsSpan(p.together)} in ${count(p.together.n, 'kept repeat')}, and in ${nsSpan(p.apart)} while the CPUs were apart (over ${FAR_FACTOR}× the closest).${redone}${kept}`];
}

/** The Ceilings section's precision paragraph; nothing when no record carries a target. */
export function precisionBlocks(sets: readonly ResultSet[]): Block[] {
  const multi = sets.length > 1;
  const recs = sets.flatMap((set) => set.results.scenarios.filter((r) => r.precision).map((rec) => ({ set, rec })));
  if (!recs.length) return [];
  const targets = [...new Set(recs.map(({ rec }) => rec.precision!.relCi))];
  const repeats = recs.map(({ rec }) => rec.repeats['wallNs']?.length ?? 0);
  const met = recs.filter(({ rec }) => rec.precision!.stoppedBy === 'precise');
  const bounds = `at most ${range(recs.map(({ rec }) => rec.precision!.maxRepeats), ' repeats')} a scenario, and ${range(recs.map(({ rec }) => rec.precision!.maxSeconds), ' s')} of extra rounds a group`;
  const text: Inline[] = [
    { strong: 'Precision. ' },
    `The ceiling groups repeat each scenario, round-robin, until the 95% interval of each of its figures (raw ceiling, delivered/s, and the sustainable rate where searched) is within ${targets.map(pct).join(' / ')} of the mean, or a bound comes first (${bounds}). `,
    `${met.length} of ${recs.length} scenarios reached it, with ${range(repeats, ' repeats')}.`,
  ];
  // Host contention the VM cannot see otherwise: a vCPU the hypervisor does not run stalls the
  // pinned consumer for milliseconds, which at millions of records a second is drops.
  const stolen = sets.filter((set) => (set.results.machine?.stealSeconds ?? 0) >= 0.01);
  if (stolen.length) {
    const words = stolen.map((set) => {
      const m = set.results.machine!;
      const share = m.cpuSeconds > 0 ? ` (${((100 * m.stealSeconds) / m.cpuSeconds).toFixed(m.stealSeconds / m.cpuSeconds < 0.001 ? 2 : 1)}% of its CPUs' time)` : '';
      return `${multi ? `${set.tag}: ` : ''}${m.stealSeconds.toFixed(1)} s${share}`;
    });
    text.push(` While the run lasted, the hypervisor withheld CPU time from this machine (steal): ${words.join('; ')}.`);
  }
  for (const set of sets) text.push(...placementWords(set, multi));
  const missed = recs.filter(({ rec }) => rec.precision!.stoppedBy !== 'precise');
  const items = missed.map(({ set, rec }) => {
    const w = widest(rec);
    const n = rec.repeats['wallNs']?.length ?? 0;
    const p = rec.precision!;
    // the sustainable rate's values are searches, fewer than the repeats in precision rounds
    const searches = w?.what === SUSTAINABLE_FIGURE ? `${w.values.length} searches in ` : '';
    const by = p.stoppedBy === 'max-repeats' ? `${searches}${n} repeats (the bound)`
      : p.stoppedBy === 'out-of-reach' ? `${searches}${n} repeats: at its spread it needed about ${p.needed ?? '?'} more rounds, more than what was left of the group's ${p.maxSeconds} s, which went to the other scenarios`
      : `${searches}${n} repeats, when the group's ${p.maxSeconds} s ran out`;
    const name = `${multi ? `${set.tag}: ` : ''}${rec.group} ${rec.label}, ${rec.transport}, ${readerOf(rec)} reader`;
    if (!w) return [{ strong: name }, `: stopped after ${by}.`] as Inline[];
    const c = twoClusters(w.values);
    const its = w.what === SUSTAINABLE_FIGURE ? 'Its searches' : 'Its repeats';
    const spread = c
      ? ` ${its} fall into two clusters, ${c.low.length} around ${fmtSi(c.low[Math.floor(c.low.length / 2)])}/s and ${c.high.length} around ${fmtSi(c.high[Math.floor(c.high.length / 2)])}/s: the mean describes neither, and more repeats would narrow the interval only slowly.`
      : ` ${its} ranged ${fmtSi(Math.min(...w.values))}–${fmtSi(Math.max(...w.values))}/s.`;
    return [{ strong: name }, `: the ${w.what} stayed at ${missedPct(w.aggregate!.relCi, p.relCi)} after ${by}.${spread}`] as Inline[];
  });
  return [{ p: text }, ...(items.length ? [{ ul: items }] : [])];
}
