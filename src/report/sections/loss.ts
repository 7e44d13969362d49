/**
 * report/sections/loss — the loss curve: in the body, per transport and wake-up mode, the
 * sustainable rate the curve gives and its rule; in the appendix, what shapes each curve, in sentences that follow from the run's
 * own runs by the rules of analysis/loss (where drops start, a chance region, bursts against a
 * steady shortfall, stalls against the time the buffer holds).
 */
import { bufferNs, carriedRate, curveSustainable, fellShort, lossShape, ruleWords, stallsExplain, BURST_SHARE, STALL_AGREEMENT } from '../../analysis/loss.js';
import { fmtBytes, fmtNs, fmtPct, fmtSi } from '../../format/units.js';
import type { LossCurveRecord, ResultSet, ScenarioRecord } from '../../results/schema.js';
import type { Block, TableSpec, Text } from '../document.js';

const withCurve = (set: ResultSet) => set.results.scenarios.filter((r) => r.lossCurve?.points.some((p) => p.runs > 0));

/** "ringbuf, sampled" (and the set when there are several). */
function nameOf(rec: ScenarioRecord, set: ResultSet, multi: boolean): string {
  return `${rec.transport}, ${rec.label}${multi ? ` (${set.tag})` : ''}`;
}

const of = (k: number, n: number) => `${k} of ${n}`;

/** The sustainable rate in a table cell: the rate, its share of the ceiling and the runs behind it. */
export function sustainableCell(c: LossCurveRecord): string {
  const best = curveSustainable(c);
  if (!best) {
    // the closest the runs came: the highest rate with no drop, and the bound its runs reached
    const clean = c.points.filter((p) => p.runs > 0 && p.dropped === 0).sort((a, b) => b.rateCap - a.rateCap)[0];
    return clean ? `none met the rule (closest: ${fmtSi(clean.rateCap)}/s, 0 of ${clean.runs} runs dropped, P ≤ ${fmtPct(clean.pDrop.hi)})` : 'none met the rule';
  }
  const offered = fellShort(best) ? `, offered ${fmtSi(best.rateCap)}/s` : '';
  return `${fmtSi(carriedRate(best))}/s (${fmtPct(carriedRate(best) / c.ceilingPerSec)} of the ceiling${offered}; ${of(best.dropped, best.runs)} runs dropped, P ≤ ${fmtPct(best.pDrop.hi)})`;
}

/** What shapes one curve, in sentences that follow from its runs (analysis/loss lossShape). */
export function shapeSentences(c: LossCurveRecord): string[] {
  const s = lossShape(c);
  const wait = c.stall === 'commit-to-read' ? 'longest wait between commit and read' : 'longest sampled delivery latency';
  const out: string[] = [];
  if (s.onset === undefined) {
    out.push(`No run dropped at any rate up to the raw ceiling (${s.runs} runs). The ${wait} was ${fmtNs(s.stall.maxNs)} over all runs and ${fmtNs(s.stall.topMaxNs)} at ${fmtSi(s.stall.topRate)}/s, where the ${fmtBytes(c.bufferBytes)} buffer holds ${fmtNs(bufferNs(c, s.stall.topRate))} of records.`);
    return out;
  }
  out.push(`Drops start at ${fmtSi(s.onset)}/s${s.lastClean !== undefined ? ` (none at ${fmtSi(s.lastClean)}/s)` : ', the lowest rate tried'}, where the ${fmtBytes(c.bufferBytes)} buffer holds ${fmtNs(s.onsetBufferNs!)} of records.`);
  if (s.chance && s.chance.points >= 2) {
    out.push(`From ${fmtSi(s.chance.from)} to ${fmtSi(s.chance.to)}/s some runs dropped and others did not (${s.chance.points} rates): a run there drops by chance.`);
  }
  if (s.allFrom !== undefined) out.push(`Every run dropped from ${fmtSi(s.allFrom)}/s up.`);
  out.push(s.steady === 0
    ? `Dropping runs lost at most ${fmtPct(s.worstLoss)} of their records: bursts, the consumer briefly away.`
    : `${of(s.steady, s.dropped)} runs that dropped lost more than ${fmtPct(BURST_SHARE)} of their records (up to ${fmtPct(s.worstLoss)}): there the consumer is slower than the rate, not just late.`);
  const a = s.agreement!;
  if (stallsExplain(s)) {
    const host = s.stall.lowRatesMaxNs >= s.onsetBufferNs!
      ? ` Waits as long occur at the lowest rates too (up to ${fmtNs(s.stall.lowRatesMaxNs)}): the stalls are the host's, not the load's.`
      : '';
    out.push(`The drops follow the stalls: at the rates with drops, ${of(a.agree, a.runs)} runs dropped exactly when their ${wait} outlasted what the buffer holds (median ${fmtNs(s.stall.medianNs)}, longest ${fmtNs(s.stall.maxNs)}).${host}`);
  } else {
    out.push(`The stalls alone do not account for the drops: at the rates with drops, only ${of(a.agree, a.runs)} runs dropped exactly when their ${wait} outlasted the buffer (${Math.round(STALL_AGREEMENT * 100)}% would)${a.underDropped ? `; ${of(a.underDropped, a.under)} with a shorter wait dropped anyway` : ''}.`);
  }
  return out;
}

/** What a body section shows (body.ts SectionContent, spelled here so the two import no circle). */
interface SectionContent {
  takeaway: string;
  table?: TableSpec;
  note?: string;
}

/** Per transport, the highest rate a curve sustained by its rule, and in which wake-up mode. */
function bestByTransport(recs: readonly { rec: ScenarioRecord; curve: LossCurveRecord }[]): { transport: string; rate: number; label: string }[] {
  const best = new Map<string, { transport: string; rate: number; label: string }>();
  for (const { rec, curve } of recs) {
    const p = curveSustainable(curve);
    const rate = p ? carriedRate(p) : 0;
    const had = best.get(rec.transport);
    if (!had || rate > had.rate) best.set(rec.transport, { transport: rec.transport, rate, label: rec.label });
  }
  return [...best.values()];
}

/**
 * The zero-loss section of the body (body.ts SECTIONS): per transport, the best rate its curves
 * sustained by the rule (or that none met it), the curves' table, and the rule as a note. The
 * first result set's curves speak; the table shows every set's.
 */
export function lossSection(sets: readonly ResultSet[]): SectionContent | undefined {
  const recs = sets.flatMap((set) => withCurve(set).map((rec) => ({ set, rec, curve: rec.lossCurve! })));
  if (!recs.length) return undefined;
  const multi = sets.length > 1;
  const first = recs[0].curve;
  const own = recs.filter((r) => r.set === sets[0]);
  const facts = bestByTransport(own).map((b) => (b.rate > 0 ? `${b.transport} carries up to ${fmtSi(b.rate)}/s (${b.label})` : `${b.transport} met it at no rate tried`));
  const takeaway = `With at most ${Math.round(first.maxDropUpper * 100)}% of ${fmtSeconds(first.seconds)} runs dropping (95% bound), ${facts.join(' and ')}.`;
  const rows: Text[][] = recs.map(({ set, rec, curve }) => [nameOf(rec, set, multi), fmtSi(curve.ceilingPerSec), sustainableCell(curve), String(curve.points.reduce((n, p) => n + p.runs, 0))]);
  return {
    takeaway,
    table: { head: ['scenario', 'raw ceiling/s', 'sustainable rate', 'runs'], numeric: [false, true, false, true], rows, footnote: 'P: the Wilson 95% upper bound on the chance that a run drops.' },
    note: `Sustainable rate: ${ruleWords(first)}. It replaces a single bisection search, which lands high or low by chance on a host that stalls its consumer; the appendix explains each curve.`,
  };
}

const fmtSeconds = (s: number) => `${Number(s.toFixed(2))} s`;

/** The appendix's loss-curve part: what shapes each curve, and its runs per rate; nothing without a curve. */
export function lossBlocks(sets: readonly ResultSet[]): Block[] {
  // the first set's curves: another set's are in its own report (the body's table shows them all)
  const recs = sets.slice(0, 1).flatMap((set) => withCurve(set).map((rec) => ({ set, rec, curve: rec.lossCurve! })));
  if (!recs.length) return [];
  const multi = sets.length > 1;
  const first = recs[0].curve;
  const blocks: Block[] = [{ h: 3, text: 'Loss curves', id: 'loss-curve' }];
  for (const { set, rec, curve } of recs) {
    blocks.push({ p: [{ strong: `${nameOf(rec, set, multi)}.` }, ' ', shapeSentences(curve).join(' ')] });
  }
  blocks.push({ p: [`Every run at every rate, with its drops, fill and longest wait, is in results.json (`, { code: 'lossCurve.points' }, ').'] });
  if (first.stall === 'latency-max') {
    blocks.push({ p: 'Waits are the longest sampled delivery latency of each run (one record in 64 timed): these results carry no stall record.' });
  }
  return blocks;
}
