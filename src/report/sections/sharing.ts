/**
 * report/sections/sharing — where the load lands: the skew group (storm on one CPU vs spread,
 * equal total memory) and the contention group (saturation producers 1..nCPU into a shared ring,
 * per-CPU rings and perfbuf), as two body.ts SECTIONS entries: a takeaway, a table and a note.
 * Every sentence follows from analysis/sharing's values by the rules below (skewWords,
 * contentionWords), whichever way the run went.
 */
import { type ContentionPoint, contentionPoints, type SkewFinding, skewFindings } from '../../analysis/sharing.js';
import { recordsOf } from '../../analysis/groups.js';
import { fmtPct, fmtSi } from '../../format/units.js';
import type { ResultSet } from '../../results/schema.js';
import type { TableSpec } from '../document.js';

/** What a body section shows (body.ts SectionContent, spelled here so the two import no circle). */
interface SectionContent {
  takeaway: string;
  table?: TableSpec;
  note?: string;
}
import { groupTable } from '../tables.js';

const nameOf = (f: SkewFinding) => (f.transport === 'perfbuf' ? 'perfbuf' : f.sharing && f.sharing !== 'shared' ? `the ring buffer (${f.sharing === 'per-cpu' ? 'a ring per CPU' : `a ring per ${f.sharing} CPUs`})` : 'the shared ring buffer');

/**
 * The skew group in words. Per transport: its drop rate on one CPU and spread. Then one takeaway:
 * nothing dropped anywhere → the run says nothing about skew; skew raised (intervals apart) the
 * drops of some transports → which, and by how many points; else → no clear difference.
 */
export function skewWords(findings: readonly SkewFinding[]): string[] {
  if (!findings.length) return [];
  const facts = findings.map((f) => `${nameOf(f)} dropped ${fmtPct(f.skewed.mean)} of its records with the storm on one CPU and ${fmtPct(f.spread.mean)} with it spread over all CPUs`);
  const out = [`At the same total memory, ${facts.join('; ')}.`];
  if (findings.every((f) => f.skewed.max === 0 && f.spread.max === 0)) {
    out.push('No transport dropped a record either way: at this memory the consumer kept up, so this run shows no effect of skew.');
    return out;
  }
  const raised = findings.filter((f) => f.skew === 'higher');
  const lowered = findings.filter((f) => f.skew === 'lower');
  const points = (f: SkewFinding) => `${((f.skewed.mean - f.spread.mean) * 100).toFixed(0)} points`;
  if (raised.length === findings.length) {
    out.push(`On this host, skewing the storm onto one CPU raised the drops of every transport: ${raised.map((f) => `${nameOf(f)} by ${points(f)}`).join(', ')}.`);
  } else if (raised.length) {
    const spared = findings.filter((f) => f.skew !== 'higher');
    out.push(`On this host, skewing the storm onto one CPU raised the drops of ${raised.map((f) => `${nameOf(f)} (by ${points(f)})`).join(' and ')}, but not of ${spared.map(nameOf).join(' or ')} (${spared.map((f) => (f.skew === 'lower' ? 'lower' : 'the intervals overlap')).join('; ')}).`);
    if (raised.some((f) => f.transport === 'perfbuf') && spared.some((f) => f.transport === 'ringbuf' && (f.sharing ?? 'shared') === 'shared')) {
      out.push("That is the shared ring buffer's case: a perf buffer is one per CPU, so a storm on one CPU can fill only that CPU's share of the memory.");
    }
  } else if (lowered.length) {
    out.push(`On this host, skewing the storm onto one CPU did not raise any transport's drops; it lowered those of ${lowered.map(nameOf).join(' and ')} (a storm on fewer CPUs also leaves the consumer a CPU of its own).`);
  } else {
    out.push('On this host, skewing the storm onto one CPU made no clear difference to any transport: the 95% intervals of the drop rates overlap.');
  }
  // the offered rate moved too: say so, or the drops read as the buffer's alone
  const faster = findings.filter((f) => f.stormRate?.direction === 'higher');
  const slower = findings.filter((f) => f.stormRate?.direction === 'lower');
  const rate = (f: SkewFinding) => `${fmtSi(f.stormRate!.skewed.mean)}/s against ${fmtSi(f.stormRate!.spread.mean)}/s`;
  if (faster.length) out.push(`The storm itself ran faster on one CPU (${faster.map((f) => `${f.transport === 'perfbuf' ? 'perfbuf' : 'ring buffer'} runs: ${rate(f)}`).join('; ')}): with its CPU to itself it offered the buffer more records per second, which accounts for part of the difference.`);
  if (slower.length) out.push(`The storm ran slower on one CPU (${slower.map((f) => `${f.transport === 'perfbuf' ? 'perfbuf' : 'ring buffer'} runs: ${rate(f)}`).join('; ')}), so it offered the buffer fewer records per second there.`);
  return out;
}

/**
 * The contention group in words. Per layout: delivered events/s at the fewest and the most
 * producers. Then: the producer counts at which the consumer shared a CPU with the producers (the
 * placement recorded with each scenario), and at the most producers, per-CPU rings against the one
 * shared ring (intervals apart or not).
 */
export function contentionWords(points: readonly ContentionPoint[], cpuCount: number): string[] {
  if (!points.length) return [];
  const out: string[] = [];
  const layouts = [...new Set(points.map((p) => p.layout))];
  const most = Math.max(...points.map((p) => p.producers));
  const fewest = Math.min(...points.map((p) => p.producers));
  const at = (layout: string, n: number) => points.find((p) => p.layout === layout && p.producers === n);
  const facts = layouts.map((l) => {
    const lo = at(l, fewest);
    const hi = at(l, most);
    const name = l === 'perfbuf' ? 'perfbuf' : `the ${l}`;
    if (lo && hi && fewest !== most) return `${name} delivered ${fmtSi(lo.delivered.mean)}/s with ${fewest} producer${fewest === 1 ? '' : 's'} and ${fmtSi(hi.delivered.mean)}/s with ${most}`;
    const p = hi ?? lo!;
    return `${name} delivered ${fmtSi(p.delivered.mean)}/s with ${p.producers} producer${p.producers === 1 ? '' : 's'}`;
  });
  out.push(`${facts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase()));
  const shared = [...new Set(points.filter((p) => p.consumerShares).map((p) => p.producers))].sort((a, b) => a - b);
  if (shared.length) {
    out.push(`With ${shared.join(' and ')} producer${shared.length === 1 && shared[0] === 1 ? '' : 's'} the consumer shares a CPU with them (more threads than the host's ${cpuCount || 'few'} CPUs): ${shared.length === 1 ? 'that point measures' : 'those points measure'} how the scheduler splits a CPU as much as the transport.`);
  } else {
    out.push('At every point each producer and the consumer had a CPU of its own.');
  }
  const ring = at('shared ring', most);
  const perCpu = at('per-CPU rings', most);
  if (ring && perCpu && ring.delivered.n > 0 && perCpu.delivered.n > 0) {
    const d = perCpu.delivered.ci95[0] > ring.delivered.ci95[1] ? 'more than' : perCpu.delivered.ci95[1] < ring.delivered.ci95[0] ? 'less than' : 'no clearly different rate from';
    out.push(`At ${most} producer${most === 1 ? '' : 's'}, per-CPU rings delivered ${d} the one shared ring${d.startsWith('no') ? ' (the 95% intervals overlap)' : ''}.`);
  }
  return out;
}

/** The skewed-load section (body.ts SECTIONS): the verdict as takeaway, the per-transport facts and the offered rate as a note. */
export function skewSection(sets: readonly ResultSet[]): SectionContent | undefined {
  if (!sets.some((s) => recordsOf(s, 'skew').length > 0)) return undefined;
  const [facts, verdict, ...rest] = skewWords(skewFindings(sets[0]));
  if (!facts) return undefined;
  // the per-transport facts are the table's drop-rate column: the note keeps only what it lacks
  return { takeaway: verdict ?? facts, table: groupTable(sets, 'skew'), note: rest.join(' ') || undefined };
}

/** The producer-contention section (full suite): per-CPU rings against the shared ring as takeaway, the rates and the placement as a note. */
export function contentionSection(sets: readonly ResultSet[]): SectionContent | undefined {
  if (!sets.some((s) => recordsOf(s, 'contention').length > 0)) return undefined;
  const words = contentionWords(contentionPoints(sets[0]), sets[0].results.environment?.cpuCount || 0);
  if (!words.length) return undefined;
  // the answer to "one ring or one per CPU" when the run has both at the most producers; else the rates
  const answer = words.findIndex((w) => /per-CPU rings delivered .* the one shared ring/.test(w));
  const takeaway = answer >= 0 ? words[answer] : words[0];
  // the rates per layout are the table's: the note keeps where the consumer shared a CPU
  return { takeaway, table: groupTable(sets, 'contention'), note: words.filter((w) => w !== takeaway && w !== words[0]).join(' ') || undefined };
}
