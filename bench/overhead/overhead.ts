/**
 * overhead — `npm run bench`: what does attaching a transport cost the workload it observes?
 *
 * Section 1, storm overhead: the same vfork storm runs bare (no BPF attached), with the ring
 * buffer and with the perf buffer — three variants, run by the driver (driver.ts) interleaved round
 * by round — and each variant's exits/s is taken from the storm's own clock (generated / elapsed,
 * measured inside ringbench-storm). The table shows mean ± 95% CI per variant and the cost
 * relative to the bare storm of the same round; the target is that a transport costs at most 15%
 * of the bare rate.
 *
 * Section 2, harness memory (memory.ts): RSS after ringbuf trials of growing size must stay flat.
 *
 * This is a measurement, not a test: numbers depend on the kernel, the CPU and what else runs.
 * Exit codes: 0 targets met; 1 a target missed (or the kernel refused to run a trial), so CI can
 * gate on it; 2 bad flags; 130 interrupted.
 */
import { ConfigError, DEFAULTS, limits, resolveConfig, stormConfig } from '../../src/harness/knobs.js';
import { loadAddon } from '../../src/harness/addon.js';
import { fmtAggregate, fmtBytes, fmtNs } from '../../src/format/units.js';
import { halfCi } from '../../src/analysis/stats.js';
import type { Aggregate } from '../../src/results/schema.js';
import type { ScenarioConfig } from '../../src/harness/types.js';
import { aggregateOf, BenchError, paired, runBench, samplesOf, type Bench, type Run, type Sample, type Variant } from '../driver/driver.js';
import { formatMemory, measureMemory, type MemorySummary } from './memory.js';
import { intFlag, loadWords, table, UsageError } from '../driver/machine.js';
// noisy beyond this relative CI half-width (or with any outlier): the catalogue's one threshold
import { NOISY_REL_CI } from '../../src/results/metrics.js';
import { abortScenarios, trial } from '../driver/trial.js';

/** A transport may cost at most this share of the bare storm's exit rate. */
const MAX_OVERHEAD = 0.15;

interface Options {
  children: number;
  workers: number;
  memoryChildren: number[];
}

/** One storm: bare or with a transport attached. */
interface Measured {
  /** children / storm elapsed time, from the storm's own clock */
  exitsPerSec: number;
  generated: number;
  elapsedNs: number;
  /** transports only */
  delivered?: number;
  droppedKernel?: number;
  lostReported?: number;
  wakeups?: number;
  bpfNsPerEvent?: number;
  consumerNsPerEvent?: number;
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// The variants: the bare storm, and the storm with each twin attached

/** The bare baseline: the same storm binary and spawn path, no BPF program loaded. */
function bareStorm(o: Options): Measured {
  const storm = new (loadAddon().Storm)(stormConfig({ children: o.children, workers: o.workers }));
  let out;
  try {
    storm.go();
    out = storm.wait(DEFAULTS.timeoutMs + 5000);
  } finally {
    storm.kill();
  }
  if (out.stopped !== 'done' || out.generated !== o.children) {
    throw new BenchError(`the bare storm stopped (${out.stopped}) after ${out.generated} of ${o.children} children`);
  }
  return {
    exitsPerSec: (out.generated * 1e9) / out.elapsedNs,
    generated: out.generated,
    elapsedNs: out.elapsedNs,
    notes: out.failed ? [`${out.failed} vfork calls failed`] : [],
  };
}

/** The same storm with a twin attached; `set` adds scenario knobs (a variant's own settings). */
async function transportStorm(transport: 'ringbuf' | 'perfbuf', o: Options, set: Partial<ScenarioConfig> = {}): Promise<Measured> {
  const r = await trial({ ...set, transport, children: o.children, workers: o.workers });
  return {
    // loadPhaseNs is the storm's own elapsed time, exactly as in the bare case
    exitsPerSec: r.rates.generatedPerSec,
    generated: r.counts.generated,
    elapsedNs: r.loadPhaseNs,
    delivered: r.counts.delivered,
    droppedKernel: r.counts.droppedKernel,
    lostReported: r.counts.lostReported,
    wakeups: r.cpu.wakeups,
    bpfNsPerEvent: r.cpu.bpfNsPerEvent,
    consumerNsPerEvent: r.cpu.consumerNsPerEvent,
    notes: r.accounting.notes,
  };
}

const variants = (o: Options): Variant<Measured>[] => [
  { id: 'bare', run: () => bareStorm(o) },
  { id: 'ringbuf', run: () => transportStorm('ringbuf', o) },
  { id: 'perfbuf', run: () => transportStorm('perfbuf', o) },
];

// ---------------------------------------------------------------------------------------------
// Flags

/** Validates a storm size and worker count through the knob table, naming our own flags. */
function checkKnobs(children: number, workers: number, flag: string): void {
  try {
    resolveConfig({ children, workers }, { naming: (k) => (k === 'children' ? flag : `--${k}`) });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

function validate(raw: Record<string, string | undefined>): Options {
  const children = intFlag('children', raw.children, 20_000, 1, 10_000_000);
  const workers = intFlag('workers', raw.workers, 2, 1, 64);
  checkKnobs(children, workers, '--children');
  let memoryChildren = [10_000, 50_000, 200_000];
  const list = raw.memoryChildren;
  if (list !== undefined) {
    const parts = list.split(',').map((s) => s.trim());
    const nums = parts.map(Number);
    if (parts.some((s) => s === '') || nums.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000_000)) {
      throw new UsageError(`--memory-children must be a comma-separated list of integers in 1..10000000; got '${list}'`);
    }
    memoryChildren = [...new Set(nums)].sort((a, b) => a - b);
    if (memoryChildren.length < 2) {
      throw new UsageError(`--memory-children needs at least two different sizes to show growth; got '${list}'`);
    }
    for (const n of memoryChildren) checkKnobs(n, workers, '--memory-children');
  }
  return { children, workers, memoryChildren };
}

// ---------------------------------------------------------------------------------------------
// Summary

interface VariantSummary {
  variant: string;
  /** exits/s of each measured round */
  exitsPerSec: number[];
  aggregate: Aggregate;
  /** per-round rate / the same round's bare rate, minus 1 (bare: undefined) */
  vsBare?: Aggregate;
  generated: number;
  delivered?: number;
  droppedKernel?: number;
  lostReported?: number;
  wakeupsPerEvent?: number;
  bpfNsPerEvent?: number;
  consumerNsPerEvent?: number;
  /** the cost stays within MAX_OVERHEAD (transports only) */
  pass?: boolean;
  noise: string[];
  notes: string[];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function noiseWords(a: Aggregate): string[] {
  const w: string[] = [];
  if (a.relCi > NOISY_REL_CI) w.push(`95% CI is ±${(a.relCi * 100).toFixed(1)}% of the mean`);
  if (a.outliers > 0) w.push(`${a.outliers} of ${a.n} rounds ${a.outliers === 1 ? 'is an outlier' : 'are outliers'} (beyond 1.5 IQR)`);
  return w;
}

function summarize(o: Options, samples: Sample<Measured>[]): VariantSummary[] {
  return variants(o).map(({ id }) => {
    const mine = samplesOf(samples, id);
    const agg = aggregateOf(samples, id, (s) => s.exitsPerSec);
    const out: VariantSummary = {
      variant: id,
      exitsPerSec: mine.map((s) => s.exitsPerSec),
      aggregate: agg,
      generated: sum(mine.map((s) => s.generated)),
      noise: noiseWords(agg),
      notes: [...new Set(mine.flatMap((s) => s.notes))],
    };
    if (id !== 'bare') {
      const rel = paired(samples, id, 'bare', (s, b) => s.exitsPerSec / b.exitsPerSec - 1);
      const delivered = sum(mine.map((s) => s.delivered ?? 0));
      out.vsBare = rel;
      out.delivered = delivered;
      out.droppedKernel = sum(mine.map((s) => s.droppedKernel ?? 0));
      out.lostReported = sum(mine.map((s) => s.lostReported ?? 0));
      out.wakeupsPerEvent = delivered ? sum(mine.map((s) => s.wakeups ?? 0)) / delivered : 0;
      out.bpfNsPerEvent = aggregateOf(samples, id, (s) => s.bpfNsPerEvent ?? NaN).mean;
      out.consumerNsPerEvent = aggregateOf(samples, id, (s) => s.consumerNsPerEvent ?? NaN).mean;
      out.pass = -rel.mean <= MAX_OVERHEAD;
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Output

/** A signed relative change with its CI half-width: −3.6 ± 1.2%. */
function fmtChange(a: Aggregate): string {
  const sign = a.mean < 0 ? '−' : a.mean > 0 ? '+' : '±';
  return `${sign}${Math.abs(a.mean * 100).toFixed(1)} ± ${(halfCi(a) * 100).toFixed(1)}%`;
}

function verdictWord(v: VariantSummary): string {
  const cost = -v.vsBare!.mean;
  const [lo, hi] = [-v.vsBare!.ci95[1], -v.vsBare!.ci95[0]];
  const word = v.pass ? 'PASS' : 'FAIL';
  // Say when the interval reaches across the line: more rounds would be needed to be sure.
  const straddles = lo <= MAX_OVERHEAD && hi > MAX_OVERHEAD;
  return straddles ? `${v.variant} ${word} (cost ${(cost * 100).toFixed(1)}%, but its CI spans the line)` : `${v.variant} ${word}`;
}

function formatOverhead(run: Run<Options, Measured, MemorySummary>, cfg: ScenarioConfig, s: VariantSummary[]): string[] {
  const { opts, load } = run;
  const lines = [
    `storm exits/s, ${opts.children} children x ${opts.workers} worker${opts.workers > 1 ? 's' : ''}, ${cfg.stormMode}, default buffers, ` +
      `${opts.rounds} rounds (${opts.warmup ? `${opts.warmup} warm-up discarded` : 'no warm-up'})`,
  ];
  const rows = [['variant', 'exits/s (mean ± 95% CI)', 'vs bare', 'delivered', 'drops']];
  for (const v of s) {
    const rate = fmtAggregate('rates.generatedPerSec', v.aggregate);
    if (!v.vsBare) {
      rows.push([v.variant, rate, '—', '—', '—']);
      continue;
    }
    const deliveredPct = v.generated ? (100 * v.delivered!) / v.generated : 0;
    const deliveredText = v.delivered === v.generated ? '100%' : `${deliveredPct.toFixed(deliveredPct >= 99 ? 2 : 1)}%`;
    rows.push([v.variant, rate, fmtChange(v.vsBare), deliveredText, String(v.droppedKernel)]);
  }
  lines.push(...table(rows));
  const transports = s.filter((v) => v.vsBare);
  lines.push(
    `  vs bare: each round against that round's bare storm, mean ± 95% CI. drops: reserve/output failures counted in BPF, all rounds.`,
    `  buffers: ringbuf ${fmtBytes(cfg.ringbufBytes)}; perfbuf ${cfg.perfbufPages} pages (${fmtBytes(cfg.perfbufPages * limits().pageSize)}) per CPU, equal memory. ` +
      `Wake-ups: ringbuf ${cfg.ringbufWakeup}, perfbuf every ${cfg.perfbufWakeupEvents} event${cfg.perfbufWakeupEvents > 1 ? 's' : ''}.`,
    '  cost per event:',
    ...table([
      ['    variant', 'BPF program', 'consumer CPU', 'consumer wake-ups'],
      ...transports.map((v) => [`    ${v.variant}`, fmtNs(v.bpfNsPerEvent!), fmtNs(v.consumerNsPerEvent!), v.wakeupsPerEvent!.toFixed(2)]),
    ]),
    `target: attaching a transport costs at most ${MAX_OVERHEAD * 100}% of the bare storm rate → ${transports.map(verdictWord).join(', ')}`,
  );
  for (const v of s) {
    if (v.noise.length) lines.push(`  noisy: ${v.variant}: ${v.noise.join('; ')}`);
    for (const n of v.notes) lines.push(`  note: ${v.variant}: ${n}`);
  }
  const busy = loadWords(load);
  if (busy) lines.push(`  noisy: ${busy}`);
  else if (load) {
    lines.push(
      `  machine: quiet (work outside this benchmark used ${load.foreignCpus.toFixed(2)} of ${load.cpuCount} CPUs, ` +
        `steal ${(load.stealShare * 100).toFixed(1)}%)${s.some((v) => v.noise.length) ? ': the spread comes from the storms themselves' : ''}`,
    );
  }
  if (busy || s.some((v) => v.noise.length)) lines.push('  → treat these numbers with care; rerun with more --rounds on a quiet machine');
  const wakeHeavy = transports.filter((v) => !v.pass && v.wakeupsPerEvent! > 0.25);
  if (wakeHeavy.length) {
    lines.push(
      `  hint: ${wakeHeavy.map((v) => v.variant).join(' and ')} woke the consumer for most events; each wake-up is an irq_work`,
      `        self-interrupt inside the BPF program plus a consumer context switch on a CPU the storm workers need.`,
      `        Compare: ringbench scenario --ringbuf-wakeup every-n, or --transport perfbuf --perfbuf-wakeup-events 32`,
    );
  }
  return lines;
}

function footer(s: VariantSummary[], m: MemorySummary): string {
  const missed: string[] = [];
  const over = s.filter((v) => v.pass === false);
  if (over.length) missed.push(`overhead over ${MAX_OVERHEAD * 100}% for ${over.map((v) => v.variant).join(' and ')}`);
  if (!m.flat) missed.push('harness memory not flat');
  const caveat = 'These are measurements on this machine, not a correctness test.';
  return missed.length ? `exit 1 (for CI gating): ${missed.join('; ')}. ${caveat}` : `exit 0: both targets met. ${caveat}`;
}

function report(run: Run<Options, Measured, MemorySummary>) {
  const { opts, samples, load, after: memory } = run;
  const cfg = resolveConfig({ children: opts.children, workers: opts.workers });
  const summary = summarize(opts, samples);
  const overheadPass = summary.every((v) => v.pass !== false);
  const scenario = (({ stormMode, ringbufBytes, perfbufPages, ringbufWakeup, perfbufWakeupEvents }) =>
    ({ stormMode, ringbufBytes, perfbufPages, ringbufWakeup, perfbufWakeupEvents }))(cfg);
  return {
    lines: [...formatOverhead(run, cfg, summary), '', ...formatMemory(memory, opts.workers), '', footer(summary, memory)],
    json: {
      scenario,
      overhead: { maxOverhead: MAX_OVERHEAD, noisyRelCi: NOISY_REL_CI, pass: overheadPass, machineLoad: load, variants: summary, samples },
      memory,
    },
    pass: overheadPass && memory.flat,
  };
}

// ---------------------------------------------------------------------------------------------

const overheadBench: Bench<Options, Measured, MemorySummary> = {
  name: 'bench',
  short: 'overhead',
  script: 'dist/bench/overhead/overhead.js',
  schema: 'ringbench/overhead@2',
  rounds: { default: 5, min: 2 },
  flags: [
    ['--children <n>', 'storm children per trial (default 20000)'],
    ['--workers <n>', 'storm worker threads (default 2)'],
    ['--memory-children <list>', 'ringbuf trial sizes for the memory check, comma-separated (default 10000,50000,200000)'],
  ],
  validate,
  variants,
  headline: { title: 'exits/s', metric: 'rates.generatedPerSec', value: (m) => m.exitsPerSec, baseline: 'bare' },
  after: (o, { stopIfInterrupted }) => measureMemory(o.memoryChildren, o.workers, stopIfInterrupted),
  abort: abortScenarios,
  report,
};

process.exitCode = await runBench(overheadBench);
