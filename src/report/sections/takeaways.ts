/**
 * report/sections/takeaways — each question's finding (analysis/findings) as the sentences the
 * report prints: a TL;DR bullet with number, interval and condition, a takeaway of at most 30 words
 * for its section, and a chart title that states the finding. Every sentence follows from the
 * finding's values by the rules here; a finding the data cannot support yields nothing.
 */
import type { CeilingFinding, Contrast, Findings, LatencyFinding, MemoryFinding, OrderingFinding } from '../../analysis/findings.js';
import { DROP_RATE } from '../../results/metrics.js';
import { fmtAggregate, fmtBytes, fmtPct, fmtSi } from '../../format/units.js';
import type { Text } from '../document.js';
import { bothWords, notClearWords, ratioWords, sig2, wakeupWords } from '../words.js';

const measureVerb = (f: CeilingFinding) => (f.measure === 'sustainable' ? 'sustains' : 'delivers at full rate');
const lead = (c: Contrast) => (c.ratio >= 1 ? 'ringbuf' : 'perfbuf');
const other = (c: Contrast) => (c.ratio >= 1 ? 'perfbuf' : 'ringbuf');

/** "ringbuf sustains 14× (95% CI 12–16×) perfbuf's rate", or "no clear difference" with why. */
function ceilingClause(f: CeilingFinding): string {
  const c = f.ratio;
  if (c.overlap) return `neither is clearly faster (${sig2(c.ratio)}×, ${c.single ? 'single runs' : `95% CI ${sig2(c.lo)}–${sig2(c.hi)}×, not significant`})`;
  return c.ratio >= 1
    ? `ringbuf ${measureVerb(f)} ${ratioWords(c)} perfbuf's rate`
    : `perfbuf ${measureVerb(f)} ${ratioWords({ ...c, ratio: 1 / c.ratio, lo: 1 / c.hi, hi: c.lo > 0 ? 1 / c.lo : Infinity })} ringbuf's rate`;
}

function conditionWords(f: CeilingFinding): string {
  const r = wakeupWords(f.ringWakeup);
  const p = wakeupWords(f.perfWakeup);
  return r === p ? `${r} on both` : `ringbuf ${r}, perfbuf ${p}`;
}

/** Drops at full rate, when either side dropped: "at full rate ringbuf dropped 2.5% ± 0.4%, perfbuf none". */
function fullRateDrops(f: CeilingFinding): string {
  const side = (t: string, a: CeilingFinding['ringDrops']) => (!a ? `${t} —` : a.max === 0 ? `${t} none` : `${t} ${fmtAggregate(DROP_RATE, a)}`);
  if (!(f.ringDrops?.max || f.perfDrops?.max)) return '';
  return `; unthrottled, ${side('ringbuf', f.ringDrops)} dropped, ${side('perfbuf', f.perfDrops)}`;
}

export function ceilingBullet(fs: readonly CeilingFinding[]): Text | undefined {
  const def = fs.find((f) => f.condition === 'defaults');
  const equal = fs.filter((f) => f.condition === 'equal' && f.reader === (def?.reader ?? f.reader));
  if (!def && !equal.length) return undefined;
  const parts: string[] = [];
  if (def) parts.push(`At libbpf's defaults (${conditionWords(def)}) ${ceilingClause(def)}${fullRateDrops(def)}.`);
  if (equal.length) {
    const eq = equal.map((f) => `${ceilingClause(f)} with ${conditionWords(f)}`).join('; ');
    parts.push(`At equal wake-up batching: ${eq}.`);
  }
  return [{ strong: 'Ceiling. ' }, parts.join(' ')];
}

export function ceilingTakeaway(fs: readonly CeilingFinding[]): string | undefined {
  const def = fs.find((f) => f.condition === 'defaults');
  const eq = fs.filter((f) => f.condition === 'equal' && !f.ratio.overlap);
  if (!def) return undefined;
  if (def.ratio.overlap) return `At libbpf's defaults neither transport is clearly faster (${sig2(def.ratio.ratio)}×, intervals overlap).`;
  const eqWords = eq.length ? `; batching both sides' wake-ups narrows it to ${eq.map((f) => `${sig2(f.ratio.ratio)}×`).join(' or ')}` : '';
  return `${lead(def.ratio)} ${measureVerb(def)} ${sig2(def.ratio.ratio >= 1 ? def.ratio.ratio : 1 / def.ratio.ratio)}× ${other(def.ratio)}'s rate at libbpf's defaults${eqWords}.`;
}

export function orderingBullet(o: OrderingFinding): Text {
  if (o.allInOrder) return [{ strong: 'Ordering. ' }, 'Both transports delivered every event in sequence order at every producer count.'];
  const c = o.inversions;
  const disp = o.displacement ? `; max displacement (mean of each repeat's worst) ${bothWords('ordering.maxDisplacement', o.displacement)} positions` : '';
  const verdict = c.overlap ? `no clear difference (${notClearWords(c)})` : `${c.ring.mean > c.perf.mean ? 'ringbuf' : 'perfbuf'} delivers more events out of order`;
  return [{ strong: 'Ordering. ' }, `At ${o.at} producers ${verdict}: out of order ${bothWords('ordering.inversionRatio', c)}${disp}.`];
}

export function orderingTakeaway(o: OrderingFinding): string {
  if (o.allInOrder) return 'Both transports delivered every event in sequence order.';
  const c = o.inversions;
  if (c.overlap) return `At ${o.at} producers neither transport clearly reorders more events (${notClearWords(c)}).`;
  const worse = c.ring.mean > c.perf.mean ? 'ringbuf' : 'perfbuf';
  return `At ${o.at} producers ${worse} delivers more events out of sequence order: ${fmtPct(worse === 'ringbuf' ? c.ring.mean : c.perf.mean)} against ${fmtPct(worse === 'ringbuf' ? c.perf.mean : c.ring.mean)}.`;
}

/** "256 KiB (5 of 5 repeats clean at every size up)" or "never, up to 4 MiB". */
function zeroWords(m: MemoryFinding, t: 'ringbuf' | 'perfbuf'): string {
  const z = m.zeroFrom[t];
  const largest = m.points[m.points.length - 1].bytes;
  return z.bytes === null ? `${t} still drops at ${fmtBytes(largest)}` : `${t} drops nothing from ${fmtBytes(z.bytes)} up (all ${z.repeats} repeats per size)`;
}

/** Sizes where each side clearly drops less, else the statement that none differs. */
function memoryDirection(m: MemoryFinding): string {
  const clear = (t: 'ringbuf' | 'perfbuf') => m.points.filter((p) => p.drops.favours === t).map((p) => fmtBytes(p.bytes));
  const r = clear('ringbuf');
  const p = clear('perfbuf');
  const dropping = m.points.filter((x) => x.drops.ring.max > 0 || x.drops.perf.max > 0);
  if (!r.length && !p.length) {
    const means = dropping.map((x) => `${fmtBytes(x.bytes)} ${x.drops.ring.mean > x.drops.perf.mean ? 'perfbuf' : 'ringbuf'}`);
    return `no size where either clearly drops less (intervals overlap)${means.length ? `; lower mean: ${means.join(', ')}` : ''}`;
  }
  return [r.length ? `ringbuf drops clearly less at ${r.join(', ')}` : '', p.length ? `perfbuf drops clearly less at ${p.join(', ')}` : ''].filter(Boolean).join('; ');
}

export function memoryBullet(m: MemoryFinding): Text {
  const small = m.points.find((x) => x.drops.ring.max > 0 || x.drops.perf.max > 0);
  const at = small ? ` At ${fmtBytes(small.bytes)}: ${bothWords(DROP_RATE, small.drops)}.` : '';
  return [{ strong: 'Memory (slow consumer, equal memory). ' }, `${cap(memoryDirection(m))}.${at} ${cap(zeroWords(m, 'ringbuf'))}; ${zeroWords(m, 'perfbuf')}.`];
}

export function memoryTakeaway(m: MemoryFinding): string {
  const z = (t: 'ringbuf' | 'perfbuf') => (m.zeroFrom[t].bytes === null ? 'never' : fmtBytes(m.zeroFrom[t].bytes!));
  return `${cap(memoryDirection(m).replace(/; lower mean:.*$/, ''))}; drops stop at ${z('ringbuf')} for ringbuf and ${z('perfbuf')} for perfbuf.`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function pWords(name: string, c: Contrast): string {
  const call = c.overlap ? (c.single ? 'single runs, no interval' : 'overlapping, not significant') : `${c.favours} lower, ${ratioWords(c)}`;
  return `${name} ${bothWords('latencyNs.p99', c)} (${call})`;
}

/** "a 5k events/s cap" for the latency group, else the scenario's group and label. */
export function latencyWhere(l: LatencyFinding): string {
  if (l.group === 'latency' && l.x?.name === 'rateCap' && l.x.value > 0) return `a ${fmtSi(l.x.value)} events/s cap`;
  return `${l.group} ${l.label}`;
}

export function latencyBullet(l: LatencyFinding): Text {
  // p99.9 is always given when it disagrees with p99: another call, or the other side of 1.
  const tail = l.p999 ? `; p99.9 ${pWords('', l.p999).trim()}${l.tailDisagrees ? ', the other way from p99' : ''}` : '';
  return [{ strong: `Tail latency (${latencyWhere(l)}). ` }, `${pWords('p99', l.p99)}${tail}.`];
}

export function latencyTakeaway(l: LatencyFinding): string {
  const p99 = l.p99.overlap ? 'no clear p99 difference' : `${l.p99.favours} has the lower p99 (${sig2(l.p99.favours === 'ringbuf' ? l.p99.ratio : 1 / l.p99.ratio)}×)`;
  const tail = l.p999 && l.tailDisagrees ? `, but p99.9 disagrees: ${l.p999.ring.mean > l.p999.perf.mean ? 'ringbuf' : 'perfbuf'}'s is higher${l.p999.overlap ? ' (not significant)' : ''}` : '';
  return `At ${latencyWhere(l)} ${p99}${tail}.`;
}

export function cpuTakeaway(f: Findings['cpu']): string | undefined {
  if (!f?.consumer) return undefined;
  const c = f.consumer;
  const b = f.bpf?.favours ? f.bpf : undefined; // the same bars show the BPF program's side
  if (c.overlap && b) return `Per event, the BPF program costs less with ${b.favours} (${bothWords('cpu.bpfNsPerEvent', b)}); the consumer thread about the same (${c.single ? 'a single run' : 'intervals overlap'}).`;
  if (c.overlap) return `The consumer thread costs about the same per event on both transports (${notClearWords(c)}).`;
  if (!b) return `${c.favours}'s consumer thread spends less CPU per event: ${bothWords('cpu.consumerNsPerEvent', c)}.`;
  // both differ: the favoured side's value first, so it stays one sentence of at most 30 words
  const vs = (metric: string, x: Contrast) => (x.favours === 'ringbuf' ? [x.ring, x.perf] : [x.perf, x.ring]).map((a) => fmtAggregate(metric, a)).join(' vs ');
  const consumer = vs('cpu.consumerNsPerEvent', c);
  const bpf = vs('cpu.bpfNsPerEvent', b);
  if (b.favours === c.favours) return `${c.favours} costs less CPU per event in the consumer (${consumer}) and BPF program (${bpf}).`;
  return `${c.favours}'s consumer spends less CPU per event (${consumer}); ${b.favours}'s BPF program less (${bpf}).`;
}

/** The CPU chart's title: the consumer's verdict, and the BPF program's when it differs clearly. */
export function cpuChartTitle(f: Findings['cpu']): string | undefined {
  const c = f?.consumer;
  if (!c) return undefined;
  const consumer = c.overlap ? 'Consumer CPU per event: no clear difference' : `${c.favours}'s consumer spends less CPU per event`;
  const b = f.bpf?.favours;
  if (!b) return consumer;
  if (c.overlap) return `BPF program cheaper with ${b}; consumer CPU per event about the same`;
  return b === c.favours ? `${b} spends less CPU per event, consumer and BPF program` : `${c.favours}'s consumer and ${b}'s BPF program spend less CPU per event`;
}

export function cpuBullet(f: Findings['cpu']): Text | undefined {
  const t = cpuTakeaway(f);
  return t && f?.consumer && !f.consumer.overlap ? [{ strong: 'CPU. ' }, t] : undefined;
}

/** The storm line: bound by fork when both delivered (nearly) everything generated. */
export function stormLine(f: Findings): string | undefined {
  const s = f.storm;
  if (!s) return undefined;
  const d = f.drops.storms;
  const drops = !d.anyDrops
    ? `neither dropped an event in the ${d.pairs} paired storm scenarios`
    : d.ringbufMore + d.perfbufMore === 0
      ? `no clear drop difference in any of the ${d.pairs} paired storm scenarios`
      : `drop rates differ clearly in ${d.ringbufMore + d.perfbufMore} of ${d.pairs} paired storm scenarios (ringbuf drops more in ${d.ringbufMore})`;
  const bound = s.boundByStorm
    ? `Bound by fork and exit, not the transport: both delivered over ${fmtPct(0.99)} of generated events`
    : `Events/s: ringbuf clearly ahead at ${s.tally.ringbuf}, perfbuf at ${s.tally.perfbuf}, neither at ${s.tally.none} producer counts`;
  return `${bound}; ${drops}.`;
}

/** The clear differences (non-overlapping 95% intervals) each transport wins, as short phrases. */
export function clearWins(f: Findings): Record<'ringbuf' | 'perfbuf', string[]> {
  const wins: Record<'ringbuf' | 'perfbuf', string[]> = { ringbuf: [], perfbuf: [] };
  for (const c of f.ceilings) {
    const t = c.ratio.favours;
    if (t) wins[t].push(`${sig2(Math.max(c.ratio.ratio, 1 / c.ratio.ratio))}× the ${c.measure === 'sustainable' ? 'sustainable' : 'delivered'} rate with ${conditionWords(c)}`);
  }
  const o = f.ordering?.inversions;
  if (o?.favours) wins[o.favours].push(`fewer events out of order at ${f.ordering!.at} producers (${fmtPct(Math.min(o.ring.mean, o.perf.mean))} vs ${fmtPct(Math.max(o.ring.mean, o.perf.mean))})`);
  for (const p of f.memory?.points ?? []) if (p.drops.favours) wins[p.drops.favours].push(`fewer drops at ${fmtBytes(p.bytes)}`);
  const l = f.latency;
  if (l?.p99.favours) wins[l.p99.favours].push('lower p99 latency');
  if (l?.p999?.favours) wins[l.p999.favours].push('lower p99.9 latency');
  if (f.cpu?.consumer?.favours) wins[f.cpu.consumer.favours].push('less consumer CPU per event');
  if (f.cpu?.consumer && f.cpu.bpf?.favours) wins[f.cpu.bpf.favours].push('less BPF program CPU per event');
  return wins;
}

/** The answer in one line: which transport the clear differences favour, and where. */
export function bottomLine(f: Findings): string {
  const w = clearWins(f);
  // the first three (ceilings, ordering, memory come first), then how many more
  const list = (xs: string[]) => `${xs.slice(0, 3).join('; ')}${xs.length > 3 ? `; and ${xs.length - 3} more` : ''}`;
  const side = (t: 'ringbuf' | 'perfbuf') => (w[t].length ? `favour ${t}: ${list(w[t])}` : `none favours ${t}`);
  if (!w.ringbuf.length && !w.perfbuf.length) return 'No difference in this run is clear: every pair of 95% intervals overlaps.';
  const [first, second] = w.ringbuf.length >= w.perfbuf.length ? (['ringbuf', 'perfbuf'] as const) : (['perfbuf', 'ringbuf'] as const);
  return `Clear differences (non-overlapping 95% intervals) ${side(first)}. ${cap(side(second).replace(/^favour /, 'Others favour '))}.`;
}

/** "Use perfbuf when …", only from a clear perfbuf advantage in the data; else nothing. */
export function usePerfbufLine(f: Findings): string | undefined {
  const when: string[] = [];
  for (const c of f.ceilings) if (c.ratio.favours === 'perfbuf') when.push(`the wake-ups are ${conditionWords(c)} (ceiling ${sig2(1 / c.ratio.ratio)}× ringbuf's)`);
  const mem = f.memory?.points.filter((p) => p.drops.favours === 'perfbuf') ?? [];
  if (mem.length) when.push(`the buffer is ${mem.map((p) => fmtBytes(p.bytes)).join(' or ')} and the consumer is slow (it drops clearly less there)`);
  const l = f.latency;
  if (l?.p99.favours === 'perfbuf') when.push(`p99 latency at moderate rates matters (${bothWords('latencyNs.p99', l.p99)})`);
  else if (l?.p999?.favours === 'perfbuf') when.push(`p99.9 latency at moderate rates matters (${bothWords('latencyNs.p999', l.p999)})`);
  if (f.ordering && f.ordering.inversions.favours === 'perfbuf') when.push('sequence order matters (it reorders clearly fewer events)');
  if (f.cpu?.consumer?.favours === 'perfbuf') when.push(`consumer CPU per event matters (${bothWords('cpu.consumerNsPerEvent', f.cpu.consumer)})`);
  return when.length ? `Use perfbuf when ${when.join('; or when ')}.` : undefined;
}

/** Chart titles that state the finding, by chart id; a chart without one keeps its catalogue title. */
export function findingTitles(f: Findings): Record<string, string> {
  const t: Record<string, string> = {};
  const def = f.ceilings.find((c) => c.condition === 'defaults');
  if (def) {
    const eq = f.ceilings.find((c) => c.condition === 'equal' && c.group === 'ceilings');
    t.ceilings = def.ratio.overlap
      ? 'No clear ceiling difference at libbpf defaults'
      : `${lead(def.ratio)} ${def.measure === 'sustainable' ? 'sustains' : 'delivers'} ${sig2(Math.max(def.ratio.ratio, 1 / def.ratio.ratio))}× at libbpf defaults${eq && !eq.ratio.overlap ? `, ${sig2(Math.max(eq.ratio.ratio, 1 / eq.ratio.ratio))}× at equal batching` : ''}`;
  }
  const eq64 = f.ceilings.find((c) => c.group === 'wakeup-ceiling' && c.condition === 'equal');
  if (eq64) t['wakeup-ceiling'] = eq64.ratio.overlap ? 'Wake-up strategies: no clear gap at equal batching' : `At equal batching ${lead(eq64.ratio)} still delivers ${sig2(Math.max(eq64.ratio.ratio, 1 / eq64.ratio.ratio))}× ${other(eq64.ratio)}'s rate`;
  if (f.ordering) t['ordering-producers'] = orderingTakeaway(f.ordering).replace(/[.:].*$/, '');
  if (f.memory) {
    const z = (x: 'ringbuf' | 'perfbuf') => (f.memory!.zeroFrom[x].bytes === null ? 'never' : fmtBytes(f.memory!.zeroFrom[x].bytes!));
    t['drops-memory'] = `Drops stop at ${z('ringbuf')} (ringbuf) and ${z('perfbuf')} (perfbuf)`;
  }
  if (f.latency) {
    const l = f.latency;
    t['latency-cdf'] = l.tailDisagrees && l.p999
      ? l.p99.overlap && l.p999.overlap ? 'p99 and p99.9 lean different ways; neither gap is significant' : 'p99 and p99.9 disagree'
      : l.p99.overlap ? 'Latency: no clear p99 difference' : `${l.p99.favours} has the lower p99 latency`;
    t['latency-percentiles'] = t['latency-cdf'];
  }
  const cpu = cpuTakeaway(f.cpu);
  if (cpu && f.cpu?.consumer) t['cpu-per-event'] = cpuChartTitle(f.cpu)!;
  if (f.storm) t['throughput-producers'] = f.storm.boundByStorm ? 'Storm throughput is bound by fork, not the transport' : 'Delivered events/s vs producers';
  return t;
}

export { fmtSi };
