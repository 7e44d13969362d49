/**
 * report/sections/limits — the parts of the Ceilings section that say what the figures mean at
 * the limits, each sentence from the run's own data: what bounds each figure (analysis/bounds),
 * where the threads ran and whether they outnumber the CPUs, the sink's own cost per event when
 * the results carry it, and, when a kernel-bench calibration is attached, ringbench beside the
 * kernel's own ring buffer benchmark.
 */
import { boundOf, BOUND_SHARE, MATERIAL_DROPS, placementOf, type Bound, type Placement } from '../../analysis/bounds.js';
import { metricAggregate, readerOf, recordsOf } from '../../analysis/groups.js';
import { BURST_LOSS, searchMisses, type SearchMisses } from '../../analysis/search.js';
import { fmtNs, fmtPct, fmtSi } from '../../format/units.js';
import type { CalibrationRow, MeanCi } from '../../results/calibration.js';
import type { ResultSet, ScenarioRecord } from '../../results/schema.js';
import type { Block, Inline, Text } from '../document.js';

/** The groups whose figures are ceilings under a concurrent consumer (drain is the reader's own). */
const BOUNDED_GROUPS = ['ceilings', 'syscall-ceiling', 'wakeup-ceiling'] as const;

const SINK = 'cpu.sinkNsPerEvent';

function who(set: ResultSet, rec: ScenarioRecord, multi: boolean): string {
  return `${multi ? `${set.tag}: ` : ''}${rec.group} ${rec.label}, ${rec.transport}, ${readerOf(rec)} reader`;
}

/** ", consumer ran 35% of the load" when its CPU time is known. */
function ran(b: Bound): string {
  return b.consumerBusy !== undefined && Number.isFinite(b.consumerBusy) ? `; consumer ran ${fmtPct(Math.min(1, b.consumerBusy))} of the load` : '';
}

/** Why a sustainable rate sits below the raw ceiling, when its searches' runs say (searchMisses). */
export function missSentence(m: SearchMisses, rec: ScenarioRecord): string {
  const s = rec.sustainable!;
  const runs = `capped ${s.trialSeconds !== undefined ? `${s.trialSeconds} s ` : ''}runs`;
  const parts: string[] = [];
  const bursts = m.dropped && m.dropped.worstLoss < BURST_LOSS;
  if (m.dropped) {
    const d = m.dropped;
    parts.push(`${d.n} of the searches’ ${m.capped} ${runs} dropped at a rate below the ${fmtSi(m.deliveredPerSec)}/s the unthrottled runs delivered on average (from ${fmtSi(d.lowestCap)}/s), ${d.n === 1 ? 'losing' : bursts ? 'losing at most' : 'one losing'} ${fmtPct(d.worstLoss)} of ${d.n === 1 || !bursts ? 'its' : 'their'} records${
      bursts ? ': the consumer kept the rate on average but fell behind by more than the buffer holds for a moment (a late wake-up, or its CPU taken away)' : ': a loss that large means the consumer fell behind for much of the run'}`);
  }
  if (m.short) {
    const its = m.short.n === 1 ? 'its' : 'their';
    const where = m.dropped ? `more fell short of ${its} cap at such rates without a drop` : `of the searches’ ${m.capped} ${runs} fell short of ${its} cap without a drop at a rate below the ${fmtSi(m.deliveredPerSec)}/s the unthrottled runs delivered on average`;
    // the reach rounded down to a tenth of a percent: 96.97% is short of a 97% rule, "97.0%" would not read so
    const adaptive = rec.transport === 'ringbuf' && rec.config?.ringbufWakeup === 'adaptive' ? ' (with adaptive wake-ups the wake-up work slows it)' : '';
    parts.push(`${m.short.n} ${where} (reaching as little as ${(Math.floor(m.short.lowestReach * 1000) / 10).toFixed(1)}% of it): the producer ran slower in some runs than in others${adaptive}`);
  }
  const fill = m.carriedFill !== undefined ? ` Runs that carried filled the producer’s buffer up to ${fmtPct(m.carriedFill)}.` : '';
  const sus = s.aggregate?.relCi;
  const raw = metricAggregate(rec, 'rates.generatedPerSec')?.relCi;
  const varies = sus !== undefined && raw !== undefined && sus > raw
    ? `, which is why the sustainable rate varies more between searches (±${fmtPct(sus)}) than the raw ceiling between repeats (±${fmtPct(raw)})`
    : '';
  const what = [bursts ? 'bursts' : m.dropped ? 'the consumer falling behind' : '', m.short ? 'a producer slower in some runs' : ''].filter(Boolean).join(' and ');
  const steady = m.dropped && !bursts ? '' : ', not a steady rate the transport cannot carry';
  const chance = bursts || m.short ? ` Whether a run meets them is partly chance${varies}.` : '';
  return `${what}${steady}. ${parts.join('; ')}.${fill}${chance}`;
}

/** What set the pace, in a table cell: "trigger", "BPF program (+120 ns/record)", "reader". */
function boundCell(b: Bound): string {
  switch (b.kind) {
    case 'trigger': return 'the trigger (syscall)';
    case 'program': return `the BPF program (+${fmtNs(b.programNsPerRecord!)}/record)`;
    case 'reader': return `the reader${ran(b)}`;
    case 'transport': return `the hand-off${ran(b)}`;
    default: return b.dropped === false ? 'the producer side (no control trials)' : b.dropped === true ? 'the consumer side (no drain scenario)' : 'not known';
  }
}

/** "What bounds each figure": one table row per ceiling scenario; why sustainable rates fall short, collapsed. */
export function boundsBlocks(sets: readonly ResultSet[]): Block[] {
  const multi = sets.length > 1;
  const rows: Text[][] = [];
  const misses: Text[] = [];
  for (const set of sets) {
    for (const g of BOUNDED_GROUPS) {
      for (const rec of recordsOf(set, g)) {
        if (rec.config?.consumer === 'drain') continue;
        const b = boundOf(set, rec);
        const place = placementOf(set, rec);
        const ref = b.share === undefined ? '—' : b.bareCallsPerSec ? `${fmtPct(b.share)} of bare loop` : `${fmtPct(b.share)} of drain rate`;
        rows.push([who(set, rec, multi), boundCell(b) + (place?.oversubscribed ? ' ⚠ threads > CPUs' : ''), b.dropShare === undefined ? '—' : fmtPct(b.dropShare), ref]);
        const m = searchMisses(rec);
        if (m) misses.push([{ strong: `${who(set, rec, multi)}, sustainable rate` }, `: ${missSentence(m, rec)}`]);
      }
    }
  }
  if (!rows.length) return [];
  const share = fmtPct(BOUND_SHARE);
  return [
    { h: 3, text: 'What bounds each figure', id: 'ceiling-bounds' },
    {
      table: {
        head: ['scenario', 'paced by', 'dropped', 'reached'],
        numeric: [false, false, true, true],
        rows,
        footnote: `Under ${fmtPct(MATERIAL_DROPS)} dropped: the producer paced it (trigger at ≥ ${share} of a bare getpgid() loop, else the program). More: the consumer (reader at ≥ ${share} of its drain rate, else the hand-off: wake-ups or CPU waits).`,
      },
    },
    ...(misses.length ? [{ details: { summary: 'Why some sustainable rates sit below the raw ceiling', blocks: [{ ul: misses }] } } as Block] : []),
  ];
}

function pinWords(cpu: number | undefined, what: string): string {
  return cpu === undefined ? `${what} not pinned` : `${what} pinned to CPU ${cpu}`;
}

/** Where the threads ran; flags every scenario whose threads outnumber the CPUs. */
export function placementBlocks(sets: readonly ResultSet[]): Block[] {
  const multi = sets.length > 1;
  const over: string[] = [];
  const shapes = new Set<string>();
  let cpus = 0;
  let any = false;
  for (const set of sets) {
    for (const rec of set.results.scenarios.filter((r) => r.config?.load === 'saturation')) {
      const p = placementOf(set, rec);
      if (!p) continue;
      any = true;
      cpus = p.cpus;
      const threads = `${p.producers} producer${p.producers === 1 ? '' : 's'}${p.consumerConcurrent ? ' + 1 consumer' : ', then a drain consumer'}`;
      shapes.add(`${threads} (${pinWords(p.producerCpu, p.producers === 1 ? 'producer' : 'producers')}, ${pinWords(p.consumerCpu, 'consumer')})`);
      if (p.oversubscribed) over.push(`${multi ? `${set.tag}: ` : ''}${rec.group}`);
    }
  }
  if (!any) return [];
  const lead: Inline[] = [{ strong: 'Placement. ' }, `${cpus} CPUs; the ceiling scenarios ran ${[...shapes].join('; ')}. `];
  if (over.length) {
    lead.push({ strong: `⚠ ${over.length} scenario${over.length === 1 ? '' : 's'} ran more threads at once than there are CPUs` });
    // by group: the scenarios themselves are in warnings.json
    const groups = [...new Set(over)].map((g) => `${g} (${over.filter((x) => x === g).length})`);
    lead.push(`, in ${groups.join(', ')}. Their threads took turns, so those figures are partly the scheduler’s, not the transport’s.`);
  } else {
    lead.push('No scenario ran more threads at once than there are CPUs (a drain consumer reads only after the load).');
  }
  return [{ p: lead }];
}

/** The sink's own cost per event, when the results carry it. */
export function sinkBlocks(sets: readonly ResultSet[]): Block[] {
  const recs = sets.flatMap((s) => s.results.scenarios.filter((r) => r.config?.load === 'saturation'));
  if (!recs.length) return [];
  const measured = recs.flatMap((r) => {
    const sink = metricAggregate(r, SINK);
    const cons = metricAggregate(r, 'cpu.consumerNsPerEvent');
    return sink && Number.isFinite(sink.mean) ? [{ r, sink: sink.mean, cons: cons?.mean }] : [];
  });
  if (!measured.length) {
    return [{ p: [{ strong: 'Sink cost. ' }, 'These results do not measure the consumer’s own per-event bookkeeping (', { code: SINK }, '), so the consumer CPU per event includes it.'] }];
  }
  const range = (xs: number[]) => {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return Math.abs(hi - lo) < 0.05 * Math.max(1, hi) ? fmtNs(lo) : `${fmtNs(lo)}–${fmtNs(hi)}`;
  };
  const cons = measured.map((m) => m.cons).filter((x): x is number => x !== undefined && Number.isFinite(x));
  const against = cons.length ? `, of the ${range(cons)} of consumer CPU per event in the same scenarios` : '';
  return [{
    p: [{ strong: 'Sink cost. ' }, `The consumer’s own per-event bookkeeping (`, { code: SINK }, `) cost ${range(measured.map((m) => m.sink))} per event in ${measured.length} saturation scenario${measured.length === 1 ? '' : 's'}${against}; subtract it for the transport’s and the reader’s own cost.`],
  }];
}

const fmtCi = (c: MeanCi, d = 2) => `${c.mean.toFixed(d)}${c.half !== null && Number.isFinite(c.half) ? ` ± ${c.half.toFixed(d)}` : ''}`;

/** The suite scenario that matches a calibration row: same transport, reader and wake-up mode. */
function matching(set: ResultSet, row: CalibrationRow): ScenarioRecord | undefined {
  const transport = row.variant.startsWith('rb-') ? 'ringbuf' : row.variant.startsWith('pb-') ? 'perfbuf' : undefined;
  const reader = row.variant.split('-')[1];
  const modeOf = (r: ScenarioRecord) => {
    if (r.config.consumer === ('b2b' as string)) return 'b2b';
    if (r.transport === 'ringbuf') return r.config.ringbufWakeup === 'sampled' ? 'sampled' : r.config.ringbufWakeup === 'adaptive' ? 'default' : undefined;
    return r.config.perfbufWakeupEvents === 1 && !r.config.perfbufWatermarkBytes ? 'default' : r.config.perfbufWakeupEvents > 1 ? 'sampled' : undefined;
  };
  return recordsOf(set, 'ceilings').find((r) => r.transport === transport && r.config?.reader === reader && modeOf(r) === row.wakeup);
}

/** ringbench beside the kernel's own benchmark, when a calibration is attached. */
export function calibrationBlocks(sets: readonly ResultSet[]): Block[] {
  const out: Block[] = [];
  for (const set of sets) {
    const cal = set.results.calibration;
    if (!cal?.rows?.length) continue;
    const rows: Text[][] = cal.rows.map((row) => {
      const rec = matching(set, row);
      const del = rec && metricAggregate(rec, 'rates.deliveredPerSec');
      return [
        row.variant,
        row.wakeup + (row.ringbenchDerived ? '*' : ''),
        fmtCi(row.kernelMPerSec),
        fmtCi(row.ringbenchMPerSec),
        fmtCi(row.ratio),
        del ? `${(del.mean / 1e6).toFixed(2)} ± ${((del.ci95[1] - del.ci95[0]) / 2 / 1e6).toFixed(2)} (${rec!.label})` : '—',
      ];
    });
    const batch = cal.kernelDefaults.batch;
    const load = cal.rows.map((r) => r.foreignCpus).filter(Number.isFinite);
    // The how goes above the table; the footnote keeps to units and marks (at most 40 words).
    const how: Inline[] = [
      `bench:kernel alternates the two benchmarks round by round${typeof batch === 'number' ? ` with the kernel bench’s batch of ${batch} records per call` : ''}; the ratio is paired by round. `,
      '“This run” is delivered/s of this suite’s ceilings scenario with the same transport, reader and wake-up mode; it ran at another time, with its own record size and batch, so only the calibration columns compare like with like.',
    ];
    const side = [cal.record ? `${cal.record} records` : '', cal.pin ? `producer pinning: ${cal.pin}` : ''].filter(Boolean);
    if (side.length) how.push(` ringbench’s side of the calibration: ${side.join(', ')}.`);
    const sinks = cal.rows.map((r) => r.sinkNsPerEvent).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (sinks.length) how.push(` Its sink cost: ${fmtNs(Math.min(...sinks))}–${fmtNs(Math.max(...sinks))} per event.`);
    if (load.length) how.push(` Other work used ${Math.min(...load).toFixed(2)}–${Math.max(...load).toFixed(2)} CPUs during the calibration’s trials.`);
    const foot: Inline[] = [`M events/s, mean ± 95% CI over ${Number.isFinite(cal.rounds) ? `${cal.rounds} rounds` : 'the rounds'} (${cal.source}, kernel ${cal.kernel || 'unrecorded'}).`];
    if (cal.rows.some((r) => r.ringbenchDerived)) foot.push(' * derived from a drain trial (no back-to-back mode).');
    if (sets.length > 1) out.push({ p: { strong: `Set ${set.tag}` } });
    out.push({ p: how });
    out.push({
      table: {
        head: ['variant', 'wake-up', 'kernel bench', 'ringbench (calibration)', 'ringbench / kernel', 'this run'],
        numeric: [false, false, true, true, true, true],
        rows,
        footnote: foot,
      },
    });
  }
  if (!out.length) return [];
  return [
    { h: 3, text: 'Beside the kernel’s ring buffer benchmark', id: 'kernel-calibration' },
    { p: 'The kernel’s own benchmark (tools/testing/selftests/bpf/benchs/bench_ringbufs.c) against ringbench’s closest configuration, from the calibration attached to these results (ringbench run --calibration).' },
    ...out,
  ];
}
