/**
 * verdict — one plain-language answer per question (throughput, drops, memory, ordering,
 * latency, CPU), computed from a result set's aggregates and stated with its uncertainty.
 * A difference is called only when the two transports' 95% intervals do not overlap; otherwise
 * the line says the intervals overlap. With a single repeat there is no interval, and it says so.
 */
import { groupSpec, isSaturation, metricAggregate, readerOf, recordsOf, wakeupVariant } from './groups.js';
import { DROP_RATE, metricSpec } from '../results/metrics.js';
import { fmtAggregate, fmtBytes, fmtNs, fmtPct, fmtSi } from '../format/units.js';
import { halfCi, intervalsOverlap } from './stats.js';
import type { Aggregate, ResultSet, ScenarioRecord } from '../results/schema.js';
import type { Transport } from '../harness/types.js';

export type Question = 'Throughput' | 'Drops' | 'Memory' | 'Ordering' | 'Latency' | 'CPU' | 'Ceiling';

export interface Verdict {
  question: Question;
  /** the sentence after "Question:" */
  text: string;
  /** which transport the data favours; null when no clear difference or no data */
  favours: Transport | null;
}

/** Pair of a ringbuf and a perfbuf record that ran the same scenario (same group and x). */
interface Pair {
  group: string;
  x: number;
  label: string;
  ringbuf: ScenarioRecord;
  perfbuf: ScenarioRecord;
}

/**
 * Pairs by group and x value. When one transport has several records at an x (the wakeup group's
 * ringbuf policies), the one whose policy matches perfbuf's (every-n) is the fair partner.
 */
function pairs(set: ResultSet, group?: string): Pair[] {
  const byKey = new Map<string, { ringbuf: ScenarioRecord[]; perfbuf: ScenarioRecord[] }>();
  for (const r of set.results.scenarios) {
    if (group && r.group !== group) continue;
    // Without a named group, storm scenarios only: the saturation load has its own verdict.
    if (!group && isSaturation(r)) continue;
    const key = `${r.group}\u0000${r.x?.value}`;
    if (!byKey.has(key)) byKey.set(key, { ringbuf: [], perfbuf: [] });
    byKey.get(key)![r.transport]?.push(r);
  }
  const out: Pair[] = [];
  for (const { ringbuf, perfbuf } of byKey.values()) {
    if (!ringbuf.length || !perfbuf.length) continue;
    const p = perfbuf[0];
    const r = ringbuf.find((x) => wakeupVariant(x) === wakeupVariant(p)) ?? ringbuf[0];
    out.push({ group: r.group, x: r.x?.value ?? 0, label: r.label, ringbuf: r, perfbuf: p });
  }
  return out.sort((a, b) => (a.group === b.group ? a.x - b.x : a.group < b.group ? -1 : 1));
}

interface Contrast {
  ring: Aggregate;
  perf: Aggregate;
  /** ringbuf mean / perfbuf mean */
  ratio: number;
  /** relative half-width of the ratio's 95% CI (first-order propagation of both intervals) */
  ratioRelCi: number;
  /** no call possible: the 95% intervals overlap, or a side has a single repeat */
  overlap: boolean;
  /** at least one side has a single repeat: no interval to judge by */
  single: boolean;
}

function contrast(p: Pair, metric: string): Contrast | undefined {
  const ring = metricAggregate(p.ringbuf, metric);
  const perf = metricAggregate(p.perfbuf, metric);
  if (!ring || !perf) return undefined;
  const rel = (a: Aggregate) => (a.mean !== 0 ? halfCi(a) / Math.abs(a.mean) : 0);
  return {
    ring,
    perf,
    ratio: ring.mean / perf.mean,
    ratioRelCi: Math.hypot(rel(ring), rel(perf)),
    // One repeat has no interval; a difference it shows could be noise, so it is never called.
    overlap: ring.n < 2 || perf.n < 2 || intervalsOverlap(ring, perf),
    single: ring.n < 2 || perf.n < 2,
  };
}

/** The transport the metric's better direction (results/metrics) favours; call on a clear contrast. */
function favoured(metric: string, c: Contrast): Transport {
  const higherIsBetter = metricSpec(metric)?.better === 'higher';
  return c.ring.mean > c.perf.mean === higherIsBetter ? 'ringbuf' : 'perfbuf';
}

function overlapWords(c: Contrast): string {
  return c.single ? 'a single run has no interval to judge by' : 'the 95% intervals overlap';
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function ciWords(c: Contrast): string {
  return c.single ? '1 run, no interval' : `95% CI ±${Math.max(1, Math.round(c.ratioRelCi * 100))}%`;
}

function at(p: Pair): string {
  return groupSpec(p.group)?.at?.(p.x) ?? `${p.group} ${p.label}`;
}

/** Pairs of the preferred group, else of any group that has the metric. */
function pairsFor(set: ResultSet, metric: string, preferred: string[]): { pairs: Pair[]; fallback: boolean } {
  for (const g of preferred) {
    const ps = pairs(set, g).filter((p) => contrast(p, metric));
    if (ps.length) return { pairs: ps, fallback: false };
  }
  return { pairs: pairs(set).filter((p) => contrast(p, metric)), fallback: true };
}

function verdictThroughput(set: ResultSet): Verdict {
  const metric = 'rates.deliveredPerSec';
  const { pairs: ps } = pairsFor(set, metric, ['producers']);
  if (!ps.length) return { question: 'Throughput', text: 'no data: no paired ringbuf/perfbuf scenarios with a delivery rate.', favours: null };
  // The headline is the heaviest load: where the transports differ most if they differ at all.
  const head = ps.reduce((a, b) => (b.x > a.x && b.group === a.group ? b : a));
  const c = contrast(head, metric)!;
  let ahead = { ringbuf: 0, perfbuf: 0, none: 0 };
  for (const p of ps.filter((q) => q.group === head.group)) {
    const k = contrast(p, metric)!;
    if (k.overlap) ahead.none++;
    else ahead[k.ring.mean > k.perf.mean ? 'ringbuf' : 'perfbuf']++;
  }
  const n = ahead.ringbuf + ahead.perfbuf + ahead.none;
  const tally = n > 1 ? ` Across ${n} ${head.group === 'producers' ? 'producer counts' : 'scenarios'}: ringbuf ahead in ${ahead.ringbuf}, perfbuf ahead in ${ahead.perfbuf}, no clear difference in ${ahead.none}.` : '';
  const values = `ringbuf ${fmtAggregate(metric, c.ring)}, perfbuf ${fmtAggregate(metric, c.perf)} events/s`;
  if (c.overlap) {
    return {
      question: 'Throughput',
      text: `no clear difference at ${at(head)}: ${overlapWords(c)} (${values}).${tally}`,
      favours: null,
    };
  }
  const [winner, loser, ratio] = favoured(metric, c) === 'ringbuf' ? ['ringbuf', 'perfbuf', c.ratio] : ['perfbuf', 'ringbuf', 1 / c.ratio];
  return {
    question: 'Throughput',
    text: `${winner} delivers ${ratio.toFixed(2)}× ${loser}'s events/s at ${at(head)} (${ciWords(c)}; ${values}).${tally}`,
    favours: winner as Transport,
  };
}

function verdictDrops(set: ResultSet): Verdict {
  const ps = pairs(set).filter((p) => contrast(p, DROP_RATE));
  if (!ps.length) return { question: 'Drops', text: 'no data: no paired scenarios with kernel drop counts.', favours: null };
  const cs = ps.map((p) => ({ p, c: contrast(p, DROP_RATE)! }));
  if (cs.every(({ c }) => c.ring.max === 0 && c.perf.max === 0)) {
    return { question: 'Drops', text: `neither transport dropped an event in any of the ${ps.length} paired scenarios.`, favours: null };
  }
  const ringMore = cs.filter(({ c }) => !c.overlap && c.ring.mean > c.perf.mean);
  const perfMore = cs.filter(({ c }) => !c.overlap && c.perf.mean > c.ring.mean);
  const gap = ({ c }: { c: Contrast }) => Math.abs(c.ring.mean - c.perf.mean);
  const worst = [...cs].sort((a, b) => gap(b) - gap(a))[0];
  const detail = (x: { p: Pair; c: Contrast }) =>
    `largest gap at ${at(x.p)}: perfbuf drops ${fmtAggregate(DROP_RATE, x.c.perf)}, ringbuf ${fmtAggregate(DROP_RATE, x.c.ring)}`;
  if (perfMore.length === ringMore.length) {
    const text = perfMore.length === 0
      ? `no clear difference: ${worst.c.single ? 'single runs have no intervals to judge by' : `the drop-rate intervals overlap in all ${ps.length} paired scenarios`} (${detail(worst)}).`
      : `mixed: perfbuf drops clearly more in ${perfMore.length} and ringbuf in ${ringMore.length} of ${ps.length} paired scenarios (${detail(worst)}).`;
    return { question: 'Drops', text, favours: null };
  }
  const [more, less, moreList, lessList] = perfMore.length > ringMore.length
    ? (['perfbuf', 'ringbuf', perfMore, ringMore] as const)
    : (['ringbuf', 'perfbuf', ringMore, perfMore] as const);
  const show = [...moreList].sort((a, b) => gap(b) - gap(a))[0];
  return {
    question: 'Drops',
    text: `${more} drops more: its drop rate is clearly higher in ${moreList.length} of ${ps.length} paired scenarios (${less} in ${lessList.length}); ${detail(show)}.`,
    favours: less,
  };
}

function verdictMemory(set: ResultSet): Verdict {
  const recs = recordsOf(set, 'memory');
  if (!recs.length) return { question: 'Memory', text: 'no data: no memory sweep in these results.', favours: null };
  // "Stops dropping": from this size up, the upper end of every drop-rate interval is under 0.1%.
  const limit = 0.001;
  const cutoff: Partial<Record<Transport, { bytes: number | null; worstAtMax: number; sizes: number }>> = {};
  for (const t of ['ringbuf', 'perfbuf'] as Transport[]) {
    const series = recs
      .filter((r) => r.transport === t)
      .map((r) => ({ x: r.x?.value ?? 0, a: metricAggregate(r, DROP_RATE) }))
      .filter((s): s is { x: number; a: Aggregate } => !!s.a)
      .sort((a, b) => a.x - b.x);
    if (!series.length) continue;
    let bytes: number | null = null;
    for (let i = series.length - 1; i >= 0 && series[i].a.ci95[1] < limit; i--) bytes = series[i].x;
    cutoff[t] = { bytes, worstAtMax: series[series.length - 1].a.mean, sizes: series.length };
  }
  const r = cutoff.ringbuf;
  const p = cutoff.perfbuf;
  if (!r || !p) return { question: 'Memory', text: 'no data: the memory sweep lacks one of the transports.', favours: null };
  const words = (t: Transport, c: NonNullable<typeof r>) =>
    c.bytes === null ? `${t} still drops ${fmtPct(c.worstAtMax)} at the largest size tried` : `${t} stops dropping at ${fmtBytes(c.bytes)}`;
  const lead = 'with the same total memory and a slow consumer, ';
  const tail = ` ("stops" = the 95% interval of the drop rate stays under ${fmtPct(limit)} from that size up).`;
  const rb = r.bytes ?? Infinity;
  const pb = p.bytes ?? Infinity;
  if (rb === pb) {
    const same = r.bytes === null ? 'both transports still drop at the largest size tried' : `both stop dropping at ${fmtBytes(rb)}`;
    return { question: 'Memory', text: `no difference in the buffer size needed: ${lead}${same}${tail}`, favours: null };
  }
  const better: Transport = rb < pb ? 'ringbuf' : 'perfbuf';
  return {
    question: 'Memory',
    text: `${better} needs less buffer: ${lead}${words('ringbuf', r)}, ${words('perfbuf', p)}${tail}`,
    favours: better,
  };
}

function verdictOrdering(set: ResultSet): Verdict {
  const metric = 'ordering.inversionRatio';
  const { pairs: ps } = pairsFor(set, metric, ['producers']);
  if (!ps.length) return { question: 'Ordering', text: 'no data: no paired scenarios with ordering counts.', favours: null };
  const cs = ps.map((p) => ({ p, c: contrast(p, metric)! }));
  if (cs.every(({ c }) => c.ring.max === 0 && c.perf.max === 0)) {
    return { question: 'Ordering', text: `both transports delivered every event in sequence order in all ${ps.length} paired scenarios.`, favours: null };
  }
  const head = ps.reduce((a, b) => (b.x > a.x && b.group === a.group ? b : a));
  const c = contrast(head, metric)!;
  const disp = (r: ScenarioRecord) => metricAggregate(r, 'ordering.maxDisplacement');
  const side = (t: Transport, a: Aggregate, r: ScenarioRecord) =>
    a.max === 0
      ? `${t} none`
      : `${t} ${fmtAggregate(metric, a)} (worst displacement ${fmtSi(disp(r)?.max ?? NaN)} positions)`;
  const both = `${side('ringbuf', c.ring, head.ringbuf)} vs ${side('perfbuf', c.perf, head.perfbuf)}`;
  if (c.overlap) {
    return { question: 'Ordering', text: `no clear difference at ${at(head)}: ${overlapWords(c)} (out of order: ${both}).`, favours: null };
  }
  const better = favoured(metric, c);
  const worse: Transport = better === 'ringbuf' ? 'perfbuf' : 'ringbuf';
  return {
    question: 'Ordering',
    text: `${worse} delivers more events out of sequence order at ${at(head)}: ${both}.`,
    favours: better,
  };
}

function verdictLatency(set: ResultSet): Verdict {
  const metric = 'latencyNs.p99';
  const { pairs: ps, fallback } = pairsFor(set, metric, ['latency']);
  if (!ps.length) return { question: 'Latency', text: 'no data: no paired scenarios with latency percentiles.', favours: null };
  // Outside the latency group, the lightest load is the closest to "moderate rate"; inside it,
  // with several rates, the middle one.
  const head = fallback ? ps.reduce((a, b) => (b.x < a.x ? b : a)) : ps[Math.floor((ps.length - 1) / 2)];
  const c = contrast(head, metric)!;
  const p50 = contrast(head, 'latencyNs.p50');
  const where = fallback ? ` (no latency group; taken from ${head.group} ${head.label})` : '';
  const atRate = !fallback && ps.length > 1 ? ` at ${head.label}` : '';
  const median = p50 ? `; medians ${fmtNs(p50.ring.mean)} and ${fmtNs(p50.perf.mean)}` : '';
  const values = `ringbuf ${fmtAggregate(metric, c.ring)}, perfbuf ${fmtAggregate(metric, c.perf)}`;
  if (c.overlap) {
    return { question: 'Latency', text: `no clear difference in p99 delivery latency${atRate}: ${overlapWords(c)} (${values}${median})${where}.`, favours: null };
  }
  const better = favoured(metric, c);
  const ratio = better === 'ringbuf' ? c.ratio : 1 / c.ratio;
  const worse = better === 'ringbuf' ? 'perfbuf' : 'ringbuf';
  return {
    question: 'Latency',
    text: `${better}'s p99 delivery latency is ${ratio.toFixed(2)}× ${worse}'s${atRate} (${ciWords(c)}; ${values}${median})${where}.`,
    favours: better,
  };
}

function verdictCpu(set: ResultSet): Verdict {
  const consumer = 'cpu.consumerNsPerEvent';
  const bpf = 'cpu.bpfNsPerEvent';
  const { pairs: ps, fallback } = pairsFor(set, consumer, ['cpu']);
  if (!ps.length) return { question: 'CPU', text: 'no data: no paired scenarios with CPU cost.', favours: null };
  const head = fallback ? ps.reduce((a, b) => (b.x < a.x ? b : a)) : ps[0];
  const part = (metric: string, name: string): { words: string; favours: Transport | null } => {
    const c = contrast(head, metric);
    if (!c || (c.ring.mean === 0 && c.perf.mean === 0)) return { words: `${name}: not measured`, favours: null };
    const values = `ringbuf ${fmtNs(c.ring.mean)}, perfbuf ${fmtNs(c.perf.mean)} per event`;
    if (c.overlap) return { words: `${name} no clear difference (${values}; ${overlapWords(c)})`, favours: null };
    return {
      words: `${name} ${values} (ratio ${c.ratio.toFixed(2)}×, ${ciWords(c)})`,
      favours: favoured(metric, c),
    };
  };
  const cons = part(consumer, 'consumer thread:');
  const prog = part(bpf, 'BPF program:');
  const where = fallback ? ` (no cpu group; taken from ${head.group} ${head.label})` : '';
  const scenario = !fallback && ps.length > 1 ? ` in the “${head.label}” scenario` : '';
  // The consumer is where the transports' designs differ most, so it decides the direction.
  const favours = cons.favours ?? prog.favours;
  const lead = favours ? `${favours} costs less CPU per event${scenario}. ` : `no clear difference in CPU per event${scenario}. `;
  return { question: 'CPU', text: `${lead}${cap(cons.words)}; ${prog.words}${where}.`, favours };
}

/**
 * Which transport goes faster before it drops? The sustainable rate (highest rate cap with zero
 * drops, confirmed) is the headline, but it comes from one search per scenario and has no
 * interval; so a winner is called only when a repeated measurement of the same scenario — the raw
 * ceiling or the delivered rate at full load — clearly (non-overlapping 95% intervals) agrees.
 */
/** "libbpf reader", or "default wake-ups, libbpf reader" when the suite's label names a variant. */
function pairName(p: Pair): string {
  const reader = readerOf(p.ringbuf);
  return p.label === reader ? `${reader} reader` : `${p.label} wake-ups, ${reader} reader`;
}

/** A sustainable rate in words: mean ± CI over per-repeat searches, or the single search's rate. */
function sustainedWords(r: ScenarioRecord): string {
  const a = r.sustainable?.aggregate;
  if (a && a.n > 1) return a.max > 0 ? fmtAggregate('rates.deliveredPerSec', a) : 'none';
  return fmtSi(r.sustainable!.ratePerSec);
}

function verdictCeiling(set: ResultSet): Verdict | undefined {
  const ps = pairs(set, 'ceilings');
  if (!recordsOf(set, 'ceilings').length) return undefined;
  if (!ps.length) return { question: 'Ceiling', text: 'no data: the ceilings group lacks one of the transports.', favours: null };
  // libbpf's reader is what most tools use: the headline (its first variant); the rest follow.
  const head = ps.find((p) => readerOf(p.ringbuf) === 'libbpf') ?? ps[0];
  const raw = contrast(head, 'rates.generatedPerSec');
  const del = contrast(head, 'rates.deliveredPerSec');
  const rs = head.ringbuf.sustainable;
  const psu = head.perfbuf.sustainable;
  const reader = ps.length > 1 || readerOf(head.ringbuf) !== 'libbpf' || head.label !== readerOf(head.ringbuf) ? ` (${pairName(head)})` : '';
  const clearly = (c: Contrast | undefined, metric: string): Transport | null => (c && !c.overlap ? favoured(metric, c) : null);
  const repeated = [clearly(raw, 'rates.generatedPerSec'), clearly(del, 'rates.deliveredPerSec')];
  // "raw ceiling ringbuf 1.81M ± 0.2M, perfbuf 1.06M ± 0.1M events/s (1.71×, 95% CI ±12%)"
  const words = (c: Contrast | undefined, metric: string, name: string) => {
    if (!c) return '';
    const values = `${name} ringbuf ${fmtAggregate(metric, c.ring)}, perfbuf ${fmtAggregate(metric, c.perf)} events/s`;
    const r = c.ratio >= 1 ? c.ratio : 1 / c.ratio;
    return `${values} (${c.overlap ? overlapWords(c) : `${r.toFixed(2)}×, ${ciWords(c)}`})`;
  };
  const rawText = words(raw, 'rates.generatedPerSec', 'raw ceiling');
  const delText = words(del, 'rates.deliveredPerSec', 'delivered at full rate');
  const others = ps
    .filter((p) => p !== head && p.ringbuf.sustainable && p.perfbuf.sustainable)
    .map((p) => ` With ${p.label === readerOf(p.ringbuf) ? 'the ' : ''}${pairName(p)}: ringbuf sustains ${sustainedWords(p.ringbuf)}, perfbuf ${sustainedWords(p.perfbuf)} events/s.`)
    .join('');

  if (!rs || !psu) {
    // No search: the raw ceiling alone, called as the other verdicts call a repeated metric.
    if (!raw) return { question: 'Ceiling', text: 'no data: the ceilings scenarios have neither a sustainable rate nor a raw ceiling.', favours: null };
    const w = clearly(raw, 'rates.generatedPerSec');
    const text = w
      ? `${w} has the higher raw ceiling${reader}: ${rawText}; no sustainable-rate search in these results.`
      : `no clear difference in the raw ceiling${reader}: ${rawText}; no sustainable-rate search in these results.`;
    return { question: 'Ceiling', text, favours: w };
  }
  // Since issue 11 searches follow repeats: judge the rates like any repeated metric.
  const ra = rs.aggregate;
  const pa = psu.aggregate;
  if (ra && pa && ra.n > 1 && pa.n > 1) {
    const metric = 'rates.deliveredPerSec';
    const side = (a: Aggregate) => (a.max > 0 ? `${fmtAggregate(metric, a)} events/s` : 'none (every search dropped even at the lowest rate it tried)');
    const values = `ringbuf ${side(ra)}, perfbuf ${side(pa)} without a drop (${ra.n === pa.n ? `${ra.n} searches each` : `${ra.n} and ${pa.n} searches`}, each right after a repeat)`;
    const support = [rawText, delText].filter(Boolean).join('; ');
    if (intervalsOverlap(ra, pa)) {
      return { question: 'Ceiling', text: `no clear difference in the sustainable rate${reader}: ${values}; the 95% intervals overlap. ${cap(support)}.${others}`, favours: null };
    }
    const w: Transport = ra.mean > pa.mean ? 'ringbuf' : 'perfbuf';
    const [wm, lm] = w === 'ringbuf' ? [ra.mean, pa.mean] : [pa.mean, ra.mean];
    const ratio = lm > 0 ? ` (${(wm / lm).toFixed(2)}×)` : '';
    return { question: 'Ceiling', text: `${w} sustains more${reader}${ratio}: ${values}; the 95% intervals do not overlap. ${cap(support)}.${others}`, favours: w };
  }
  const r = rs.ratePerSec;
  const p = psu.ratePerSec;
  const sustained = (t: Transport, v: number) => (v > 0 ? `${t} ${fmtSi(v)}` : `${t} none (it dropped even at the lowest rate tried)`);
  const support = [rawText, delText].filter(Boolean).join('; ');
  // Within 10% is inside the search's own back-off step: no difference worth a word.
  if (r === p || (r > 0 && p > 0 && Math.max(r, p) / Math.min(r, p) < 1.1)) {
    return {
      question: 'Ceiling',
      text: `about the same sustainable rate${reader}: ${sustained('ringbuf', r)}, ${sustained('perfbuf', p)} events/s without a drop (one search each, within the search's 10% back-off). ${cap(support)}.${others}`,
      favours: null,
    };
  }
  const [winner, loser, wv, lv] = r > p ? (['ringbuf', 'perfbuf', r, p] as const) : (['perfbuf', 'ringbuf', p, r] as const);
  const ratio = lv > 0 ? ` (${(wv / lv).toFixed(2)}×)` : '';
  const sustainText = `${winner} sustains ${fmtSi(wv)} events/s without a drop${reader}, ${loser} ${lv > 0 ? fmtSi(lv) : 'none (it dropped even at the lowest rate tried)'}${ratio}`;
  const agrees = repeated.includes(winner) && !repeated.includes(loser);
  if (agrees) {
    return {
      question: 'Ceiling',
      text: `${sustainText}; one search each, backed by the repeats: ${support}.${others}`,
      favours: winner,
    };
  }
  const why = repeated.includes(loser)
    ? `, but the repeats point the other way: ${support}`
    : ` — one search each, and the repeats do not confirm it: ${support}`;
  return { question: 'Ceiling', text: `${sustainText}${why}.${others}`, favours: null };
}

/** The verdicts for one result set, in Question order; Ceiling only when the results have the
 *  ceilings group (saturation load). */
export function computeVerdicts(set: ResultSet): Verdict[] {
  const ceiling = verdictCeiling(set);
  return [
    verdictThroughput(set),
    verdictDrops(set),
    verdictMemory(set),
    verdictOrdering(set),
    verdictLatency(set),
    verdictCpu(set),
    ...(ceiling ? [ceiling] : []),
  ];
}
