/**
 * ceilings/format — the ceilings benchmark's text output: a header, one block per section
 * (ring buffer ceiling, reader ceiling in four views, BPF cost), the targets, noise and load
 * notes, and the footer with the exit code. Every sentence is computed from this run's numbers.
 */
import { cpus, release } from 'node:os';
import { limits, resolveConfig } from '../../src/harness/knobs.js';
import { fmtAggregate, fmtBytes } from '../../src/format/units.js';
import type { Aggregate } from '../../src/results/schema.js';
import { fmtRatio, type CommonOptions } from '../driver/driver.js';
import { loadWords, table, type MachineLoad } from '../driver/machine.js';
import {
  BATCH, CEILING_RING_BYTES, CONTENDED_PER_CALL, drainConfig, MIN_READER_GAIN, MIN_VS_REFERENCE, NOISY_REL_CI, READERS, WAKES, WORKERS,
  type Options,
} from './config.js';
import { gainVerdict, type Summary, type VariantSummary } from './summary.js';

/** "1.82M ± 0.11M": events/s, mean and 95% CI half-width in one unit. */
const fmtRate = (a: Aggregate) => fmtAggregate('rates.deliveredPerSec', a);
/** "412 ± 9.3 ns": CPU per event. */
const fmtNsAgg = (a: Aggregate) => fmtAggregate('cpu.consumerNsPerEvent', a);

function dropShare(v: VariantSummary): string {
  if (!v.generated) return '—';
  if (v.dropped === 0) return '0';
  const p = (100 * v.dropped) / v.generated;
  return `${p.toFixed(p < 1 ? 2 : 1)}%`;
}


const LABEL: Record<string, string> = {
  'ringbench-libbpf': 'ringbench, libbpf reader',
  'ringbench-custom': 'ringbench, custom reader',
  'ref-libbpf': 'C reference, libbpf reader',
  'ref-custom': 'C reference, custom reader',
};

function formatCeiling(opts: Options, s: Summary): string[] {
  const lines = [
    `1. ring buffer ceiling — delivered events/s, ${fmtBytes(CEILING_RING_BYTES)} ring, ${opts.events} events per trial, epoll consumer`,
  ];
  const rows = [['wake-ups', 'consumer', 'delivered/s (mean ± 95% CI)', 'vs C ref, libbpf (paired)', 'drops', 'consumer CPU/event', 'events/wake-up']];
  for (const wake of WAKES) {
    for (const [k, key] of ['ringbench-libbpf', 'ringbench-custom', 'ref-libbpf', 'ref-custom'].entries()) {
      const v = s.variants[`ceiling/${wake}/${key}`];
      const r = s.ratios[`ceiling/${wake}/${key}:ref`];
      rows.push([
        k === 0 ? (wake === 'adaptive' ? 'adaptive' : `every ${BATCH}`) : '',
        LABEL[key],
        fmtRate(v.deliveredPerSec),
        r ? fmtRatio(r.ratio) : '—',
        dropShare(v),
        fmtNsAgg(v.consumerNsPerEvent),
        v.eventsPerWakeup.toFixed(1),
      ]);
    }
  }
  lines.push(...table(rows));
  lines.push(
    `  The C reference (build/Release/ringbench-ref) loads the same object with the same load; its callback only counts, while`,
    `  ringbench's consumer times, histograms and orders every event. drops: reserve failures / events, all rounds.`,
  );
  return lines;
}

function formatReader(opts: Options, s: Summary): string[] {
  const V = s.variants;
  const R = s.ratios;
  const perfPerCpu = resolveConfig(drainConfig('perfbuf', 'libbpf', opts) as Record<string, unknown>).perfbufPages * limits().pageSize;
  const lines = [
    `2. reader ceiling`,
    `(a) drain: nothing read during the load, then the backlog read flat out (delivered / drain time). Ring buffer: ${opts.drainEvents} events`,
    `    in a ${fmtBytes(opts.drainRingBytes)} ring; perf buffer: ${opts.perfDrainEvents} events, ${fmtBytes(perfPerCpu)} per CPU (equal memory).`,
  ];
  const rows = [['consumer', 'ringbuf delivered/s', 'CPU/event', 'perfbuf delivered/s', 'CPU/event']];
  for (const r of READERS) {
    const rb = V[`drain/ringbuf/${r}`];
    const pb = V[`drain/perfbuf/${r}`];
    rows.push([`ringbench, ${r} reader`, fmtRate(rb.deliveredPerSec), fmtNsAgg(rb.consumerNsPerEvent), fmtRate(pb.deliveredPerSec), fmtNsAgg(pb.consumerNsPerEvent)]);
  }
  rows.push(['  custom / libbpf (paired)', fmtRatio(R['drain/ringbuf/custom:libbpf'].ratio), '', fmtRatio(R['drain/perfbuf/custom:libbpf'].ratio), '']);
  for (const r of READERS) {
    const ref = V[`drain/ref/${r}`];
    rows.push([`C reference, ${r} reader`, fmtRate(ref.deliveredPerSec), fmtNsAgg(ref.consumerNsPerEvent), 'n/a', '']);
  }
  rows.push(['  custom / libbpf (paired)', fmtRatio(R['drain/ref/custom:libbpf'].ratio), '', '', '']);
  lines.push(...table(rows).map((l) => '    ' + l));
  const pl = V['drain/perfbuf/libbpf'];
  if (pl.inversionRatio !== undefined && pl.inversionRatio > 0.01) {
    lines.push(
      `    The perf buffer rows time ringbench's ordering tracker more than either reader: a drain reads one CPU's buffer after the`,
      `    other, so ${(pl.inversionRatio * 100).toFixed(0)}% of events arrived out of sequence, up to ${pl.maxDisplacement} places late, and the tracker's cost for a`,
      `    late event grows with how late it is (it counts the numbers delivered in between). Hence the small backlog.`,
    );
  }

  lines.push(
    `(b) consumer capacity under concurrent load: 1e9 / consumer CPU per event while ${WORKERS} producers run`,
    `    (ringbuf: section 1's every-${BATCH} trials; perf buffer: wake-up every ${BATCH} events, ${fmtBytes(CEILING_RING_BYTES)} in all)`,
  );
  const cap = (id: string) => V[id];
  const rows2 = [['consumer', 'ringbuf events/s of CPU', 'CPU/event', 'events/wake-up', 'perfbuf events/s of CPU', 'CPU/event', 'events/wake-up']];
  for (const r of READERS) {
    const rb = cap(`ceiling/every-64/ringbench-${r}`);
    const pb = cap(`capacity/perfbuf/${r}`);
    rows2.push([`ringbench, ${r} reader`, fmtRate(rb.capacityPerSec), fmtNsAgg(rb.consumerNsPerEvent), rb.eventsPerWakeup.toFixed(1),
      fmtRate(pb.capacityPerSec), fmtNsAgg(pb.consumerNsPerEvent), pb.eventsPerWakeup.toFixed(1)]);
  }
  rows2.push(['  custom / libbpf (paired)', fmtRatio(R['capacity/ringbuf/custom:libbpf'].ratio), '', '', fmtRatio(R['capacity/perfbuf/custom:libbpf'].ratio), '', '']);
  lines.push(...table(rows2).map((l) => '    ' + l));

  lines.push(`(c) the reader alone: the C reference (count-only callback), ring buffer; time inside the read calls per event`);
  const rows3 = [['reader', `consumer CPU/event, load (every ${BATCH})`, 'of it in read calls', 'events/wake-up', 'read calls, drain']];
  for (const r of READERS) {
    const l = V[`ceiling/every-64/ref-${r}`];
    const d = V[`drain/ref/${r}`];
    rows3.push([`C reference, ${r}`, fmtNsAgg(l.consumerNsPerEvent), fmtNsAgg(l.readNsPerEvent!), l.eventsPerWakeup.toFixed(1), fmtNsAgg(d.readNsPerEvent!)]);
  }
  rows3.push(['  custom speed-up (paired)', fmtRatio(R['capacity/ref/custom:libbpf'].ratio), fmtRatio(R['read/load/custom:libbpf'].ratio), '', fmtRatio(R['read/drain/custom:libbpf'].ratio)]);
  lines.push(...table(rows3).map((l) => '    ' + l));

  const rowsC = [['consumer', 'ringbuf delivered/s', 'CPU/event', 'events/poll']];
  for (const r of READERS) {
    const c = V[`contended/ringbuf/${r}`];
    rowsC.push([`ringbench, ${r} reader`, fmtRate(c.deliveredPerSec), fmtNsAgg(c.consumerNsPerEvent), c.eventsPerWakeup.toFixed(1)]);
  }
  rowsC.push(['  custom / libbpf (paired)', fmtRatio(R['contended/ringbuf/custom:libbpf'].ratio), '', '']);
  lines.push(
    `(d) contended: the reader as the bottleneck, as in the kernel's benchmark — 1 producer emitting ${CONTENDED_PER_CALL} records per getpgid(),`,
    `    no wake-ups, a busy-polling reader pinned to the last CPU, 4 MiB ring. libbpf publishes consumer_pos after every record, and the producer's`,
    `    every reserve reads that cache line; the custom reader publishes it once per batch.`,
  );
  lines.push(...table(rowsC).map((l) => '    ' + l));

  // Why the views differ, in this run's own numbers.
  const m = (a: Aggregate | undefined) => (a && Number.isFinite(a.mean) ? a.mean : NaN);
  const rbDrainNs = m(V['drain/ringbuf/libbpf'].consumerNsPerEvent);
  const readDrainL = m(V['drain/ref/libbpf'].readNsPerEvent);
  const readDrainC = m(V['drain/ref/custom'].readNsPerEvent);
  const sinkNs = rbDrainNs - readDrainL;
  // even a reader that cost nothing could only save libbpf's read time from ringbench's drain
  const bound = rbDrainNs / (rbDrainNs - readDrainL);
  const loadL = V['ceiling/every-64/ref-libbpf'];
  const loadC = V['ceiling/every-64/ref-custom'];
  const rbLoad = V['ceiling/every-64/ringbench-libbpf'];
  const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '—');
  const rl = R['read/load/custom:libbpf'].ratio;
  const readLoadWords =
    rl.ci95[0] > 1 ? `custom ${rl.mean.toFixed(2)}× faster` : rl.ci95[1] < 1 ? `custom ${(1 / rl.mean).toFixed(2)}× slower` : `${rl.mean.toFixed(2)}×; its CI reaches 1: no clear difference on this machine`;
  lines.push(
    `    why the views differ:`,
    `    - drain: ringbench spends ${f0(rbDrainNs)} ns of CPU per event; libbpf's read call alone takes ${f0(readDrainL)} ns, the custom one ${f0(readDrainC)} ns.`,
    `      The other ~${f0(sinkNs)} ns are ringbench's measuring sink (clock read, latency histogram, ordering bitmap, timeline slot), the`,
    `      same for both readers: even a reader that cost nothing could raise ringbench's drain rate by at most ${Number.isFinite(bound) ? bound.toFixed(2) : '—'}×.`,
    `      Reading a ${fmtBytes(opts.drainRingBytes)} backlog is mostly memory traffic for either reader, and with the producers done libbpf's`,
    `      store to consumer_pos after every record hits a cache line no other CPU touches.`,
    `    - under load: every producer's bpf_ringbuf_reserve reads consumer_pos, so libbpf's store after every record pulls that line`,
    `      away from the producers' CPUs each time; the custom reader stores it once per batch. In the read calls alone: libbpf`,
    `      ${f0(m(loadL.readNsPerEvent))} ns, custom ${f0(m(loadC.readNsPerEvent))} ns per event (${readLoadWords}).`,
    `      The consumer's CPU per event is mostly its wake-up loop, though: the ring's epoll is level-triggered, so the consumer is`,
    `      back as soon as any record is there and reads ~${loadL.eventsPerWakeup.toFixed(0)} records per wake-up (ringbench ~${rbLoad.eventsPerWakeup.toFixed(0)}); the loop costs ~${f0(m(loadL.consumerNsPerEvent) - m(loadL.readNsPerEvent))} ns`,
    `      per event besides the read, and ringbench adds its sink. The batch size a trial happens to get moves CPU per event more`,
    `      than the reader does: with one record per trigger, each record costs a syscall, a tracepoint and a program run, and`,
    `      ${WORKERS} producers sharing ${cpus().length} CPUs with the consumer cap the rate long before the reader does.`,
    `    - contended (d): with ${CONTENDED_PER_CALL} records per trigger and no wake-ups the reader is the bottleneck, as in the kernel's`,
    `      benchmark (500 records per trigger, 1.4–1.8× there); this is where publishing the position once per batch shows.`,
  );
  return lines;
}

function formatBpf(s: Summary): string[] {
  const lines = [
    `3. BPF program cost per run (bpf_stats on), saturation, ${WORKERS} producers, ${fmtBytes(CEILING_RING_BYTES)} buffers (equal memory), libbpf reader`,
  ];
  const rows = [['transport', 'wake-ups', 'BPF time/run (mean ± 95% CI)', 'runs/event', 'delivered/s', 'drops', 'events/wake-up']];
  for (const t of ['ringbuf', 'perfbuf'] as const) {
    for (const b of ['per-event', 'batched'] as const) {
      const v = s.variants[`bpf/${t}/${b}`];
      const wake = b === 'batched' ? `every ${BATCH} (batched)` : t === 'ringbuf' ? 'adaptive' : 'every event';
      rows.push([t, wake, fmtNsAgg(v.bpfNsPerEvent!), (v.bpfRunsPerEvent ?? NaN).toFixed(3), fmtRate(v.deliveredPerSec), dropShare(v), v.eventsPerWakeup.toFixed(1)]);
    }
  }
  lines.push(...table(rows));
  const via = [...new Set(Object.values(s.variants).flatMap((v) => v.attachedVia))];
  const ns = (t: string, b: string) => `${(s.variants[`bpf/${t}/${b}`].bpfNsPerEvent?.mean ?? NaN).toFixed(0)} ns`;
  lines.push(
    `  BPF time/run: run time / run count from BPF_ENABLE_STATS, including its own two clock reads per run. runs/event > 1: the`,
    `  ${via.includes('tp_btf/sys_enter') ? 'sys_enter tracepoint runs for every syscall while attached and rejects non-getpgid ones in one compare' : 'program also ran for calls it filtered out'}, which pulls the mean down a little.`,
    `  A wake-up is an irq_work queued from inside the program. The perf buffer queues one every wakeup_events samples, so batching`,
    `  every ${BATCH} takes it from ${ns('perfbuf', 'per-event')} to ${ns('perfbuf', 'batched')} per run. The adaptive ring buffer wakes only a consumer that has`,
    `  caught up, which a consumer under saturation rarely has, so it gains less from batching: ${ns('ringbuf', 'per-event')} → ${ns('ringbuf', 'batched')}.`,
  );
  return lines;
}

function formatTargets(s: Summary): string[] {
  const [t1, t2] = s.targets;
  const lines = [`targets`];
  const refWords = (a: Aggregate) =>
    a.ci95[0] > MIN_VS_REFERENCE ? 'above the reference' : a.ci95[1] < MIN_VS_REFERENCE ? `below the reference by ${((1 - a.mean) * 100).toFixed(0)}%` : 'indistinguishable from it';
  lines.push(`  1. ${t1.name}: ${t1.rule} → ${t1.pass ? 'PASS' : 'FAIL'}`);
  lines.push(`     ${WAKES.map((w) => {
    const r = s.ratios[`ceiling/${w}/ringbench-libbpf:ref`].ratio;
    return `${w === 'adaptive' ? 'adaptive' : `every ${BATCH}`} ${fmtRatio(r)} ${refWords(r)}`;
  }).join('; ')}`);
  const drain = s.ratios['drain/ringbuf/custom:libbpf'].ratio;
  const cap = s.ratios['capacity/ringbuf/custom:libbpf'].ratio;
  const words = (a: Aggregate) => {
    const v = gainVerdict(a);
    if (v === 'meets') return 'meets it';
    if (v === 'inconclusive') return 'reaches it on average, but its CI reaches 1: no evidence either way';
    return a.ci95[1] >= MIN_READER_GAIN ? 'misses it (its CI reaches the line)' : 'misses it';
  };
  const contended = s.ratios['contended/ringbuf/custom:libbpf'].ratio;
  lines.push(
    `  2. ${t2.name}: ${t2.rule} → ${t2.pass ? 'PASS' : 'FAIL'}`,
    `     contended view ${fmtRatio(contended)} ${words(contended)}; drain view ${fmtRatio(drain)} ${words(drain)}; capacity view ${fmtRatio(cap)} ${words(cap)}`,
    `     for context, the reader alone (C reference, read calls): under load ${fmtRatio(s.ratios['read/load/custom:libbpf'].ratio)}, ` +
      `drain ${fmtRatio(s.ratios['read/drain/custom:libbpf'].ratio)}`,
  );
  return lines;
}

function formatNoise(s: Summary, load: MachineLoad | undefined): string[] {
  const lines: string[] = [];
  const all = Object.values(s.variants);
  const noisy = all.filter((v) => v.noise.length);
  if (noisy.length) {
    lines.push(
      `  noisy: ${noisy.length} of ${all.length} variants have a 95% CI wider than ±${NOISY_REL_CI * 100}% of the mean, or outlier rounds (beyond 1.5 IQR):`,
      ...wrap(noisy.map((v) => `${v.id} (${v.noise.join('; ')})`), 124).map((l) => `    ${l}`),
    );
  }
  for (const v of all) for (const n of v.notes) lines.push(`  note: ${v.id}: ${n}`);
  const vias = [...new Set(Object.values(s.variants).flatMap((v) => v.attachedVia))];
  if (vias.length > 1) lines.push(`  note: the trigger attached as ${vias.join(' and ')} in different trials: rates across them are not comparable`);
  const busy = loadWords(load);
  if (busy) lines.push(`  noisy: ${busy}`);
  else if (load) {
    lines.push(`  machine: quiet (work outside this benchmark used ${load.foreignCpus.toFixed(2)} of ${load.cpuCount} CPUs, steal ${(load.stealShare * 100).toFixed(1)}%)`);
  }
  if (busy || noisy.length) {
    lines.push(
      `  → ${WORKERS} producers and a consumer share ${cpus().length} CPUs, so the scheduler decides much of each trial; treat single`,
      `    numbers with care and rerun with more --rounds${busy ? ' on a quiet machine' : ''}`,
    );
  }
  return lines;
}

/** Items joined by ", " into lines of at most `width` characters. */
function wrap(items: string[], width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const it of items) {
    const next = cur ? `${cur}, ${it}` : it;
    if (cur && next.length > width) {
      out.push(cur + ',');
      cur = it;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out;
}

function header(opts: Options & CommonOptions, s: Summary): string[] {
  const vias = [...new Set(Object.values(s.variants).flatMap((v) => v.attachedVia))].join(' / ');
  return [
    `ringbench ceilings — saturation load: ${WORKERS} threads calling getpgid(), one 64-byte event per call (trigger: ${vias}),`,
    `${opts.rounds} rounds of every variant, interleaved (${opts.warmup ? `${opts.warmup} warm-up round${opts.warmup > 1 ? 's' : ''} discarded` : 'no warm-up'}), ` +
      `kernel ${release()}, ${cpus().length} CPUs. bpf_stats off except in section 3.`,
    `This is a measurement on this machine, not a correctness test.`,
  ];
}

function footer(s: Summary): string {
  const missed = s.targets.filter((t) => !t.pass).map((t) => t.name);
  const caveat = 'These are measurements on this machine, not a correctness test.';
  return missed.length ? `exit 1 (for CI gating): missed ${missed.join('; ')}. ${caveat}` : `exit 0: both targets met. ${caveat}`;
}

// ---------------------------------------------------------------------------------------------

/** The whole text output, top to bottom. */
export function formatCeilings(opts: Options & CommonOptions, s: Summary, load: MachineLoad | undefined, tookMs: number): string[] {
  return [
    ...header(opts, s),
    '',
    ...formatCeiling(opts, s),
    '',
    ...formatReader(opts, s),
    '',
    ...formatBpf(s),
    '',
    ...formatTargets(s),
    ...formatNoise(s, load),
    `  took ${(tookMs / 1000).toFixed(0)} s`,
    '',
    footer(s),
  ];
}
