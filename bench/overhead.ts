/**
 * overhead — `npm run bench`: what does attaching a transport cost the workload it observes?
 *
 * Section 1, storm overhead: the same vfork storm runs bare (no BPF attached), with the ring
 * buffer and with the perf buffer, interleaved round by round, and each variant's exits/s is taken
 * from the storm's own clock (generated / elapsed, measured inside ringbench-storm). The table
 * shows mean ± 95% CI per variant and the cost relative to the bare storm of the same round;
 * the target is that a transport costs at most 15% of the bare rate.
 *
 * Section 2, harness memory: ringbuf trials of growing size (10k, 50k, 200k children by default)
 * after one warm-up trial. The process RSS after each trial (after a full GC) and its peak during
 * the trial (VmHWM, reset before each) must stay flat, growing under 2 MiB from the smallest to
 * the largest, since the native consumer keeps histograms and a fixed bitmap and allocates
 * nothing per event.
 *
 * This is a measurement, not a test: numbers depend on the kernel, the CPU and what else runs.
 * Exit codes: 0 targets met; 1 a target missed (or the kernel refused to run a trial), so CI can
 * gate on it; 2 bad flags.
 *
 * Why not tinybench: tinybench runs all iterations of one task before the next task, so slow drift
 * (thermal, page cache, other tenants) would land on one variant; it also times each iteration by
 * wall clock, which here would include loading and attaching the BPF programs and draining the
 * buffer, while the quantity of interest is the storm's own exit rate. The loop below is what
 * tinybench would contribute (warm-up, repeated runs) plus the interleaving it cannot do.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULTS, PAGE_SIZE, resolveConfig, stormConfig } from '../src/harness/knobs.js';
import { captureEnvironment } from '../src/harness/env.js';
import { loadAddon } from '../src/harness/addon.js';
import { fmtBytes, fmtSi } from '../src/format/units.js';
import { abortScenarios, runScenario, TrialError } from '../src/harness/trial.js';
import { aggregate } from '../src/analysis/stats.js';
import type { Aggregate } from '../src/results/schema.js';
import type { ScenarioConfig, TrialResult } from '../src/harness/types.js';
import { cpuSnapshot, intFlag, loadWords, machineLoad, progress, table, UsageError, type MachineLoad } from './machine.js';

/** A transport may cost at most this share of the bare storm's exit rate. */
const MAX_OVERHEAD = 0.15;
/** RSS growth from the smallest to the largest memory trial that still counts as flat. */
const FLAT_RSS_BYTES = 2 * 1024 * 1024;
/** An aggregate is called noisy beyond this relative CI half-width (or with any outlier). */
const NOISY_REL_CI = 0.05;
/**
 * The machine counts as busy when work outside this process used this many CPUs on average.
 * Not zero: a storm's own kernel housekeeping (RCU callbacks freeing tasks in ksoftirqd,
 * kworkers) shows up as about 0.1 CPU on a quiet 2-core VM.
 */

const VARIANTS = ['bare', 'ringbuf', 'perfbuf'] as const;
type Variant = (typeof VARIANTS)[number];

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  children: number;
  workers: number;
  rounds: number;
  warmup: number;
  memoryChildren: number[];
  json: boolean;
}

const USAGE = `usage: npm run bench -- [options]     (or: node dist/bench/overhead.js [options])
  --children N             storm children per trial (default 20000)
  --workers N              storm worker threads (default 2)
  --rounds N               measured rounds, each runs bare, ringbuf and perfbuf once (default 5, at least 2)
  --warmup N               warm-up rounds run first and discarded (default 1)
  --memory-children A,B,…  ringbuf trial sizes for the memory check (default 10000,50000,200000)
  --json                   print the results as JSON on stdout
  -h, --help               this text`;


/** Validates a storm size and worker count through the knob table, naming our own flags. */
function checkKnobs(children: number, workers: number, flag: string): void {
  try {
    resolveConfig({ children, workers }, { naming: (k) => (k === 'children' ? flag : `--${k}`) });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

function parseOptions(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        children: { type: 'string' },
        workers: { type: 'string' },
        rounds: { type: 'string' },
        warmup: { type: 'string' },
        'memory-children': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    // node's messages are multi-line ("... To specify a positional argument ..."): keep the first
    throw new UsageError(String((e as Error).message).split(/\.(\s|$)/)[0]);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const children = intFlag('children', v.children, 20_000, 1, 10_000_000);
  const workers = intFlag('workers', v.workers, 2, 1, 64);
  checkKnobs(children, workers, '--children');
  const rounds = intFlag('rounds', v.rounds, 5, 2, 1000);
  const warmup = intFlag('warmup', v.warmup, 1, 0, 100);
  let memoryChildren = [10_000, 50_000, 200_000];
  if (v['memory-children'] !== undefined) {
    const parts = v['memory-children'].split(',').map((s) => s.trim());
    const nums = parts.map(Number);
    if (parts.some((s) => s === '') || nums.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000_000)) {
      throw new UsageError(`--memory-children must be a comma-separated list of integers in 1..10000000; got '${v['memory-children']}'`);
    }
    memoryChildren = [...new Set(nums)].sort((a, b) => a - b);
    if (memoryChildren.length < 2) {
      throw new UsageError(`--memory-children needs at least two different sizes to show growth; got '${v['memory-children']}'`);
    }
    for (const n of memoryChildren) checkKnobs(n, workers, '--memory-children');
  }
  return { children, workers, rounds, warmup, memoryChildren, json: !!v.json };
}

// ---------------------------------------------------------------------------------------------
// Measurement

/** One storm: bare or with a transport attached. */
interface Sample {
  variant: Variant;
  round: number;
  warmup: boolean;
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

class MeasureError extends Error {}

/**
 * Set by Ctrl-C. Trials in flight are told to stop (abortScenarios) and report aborted; a bare
 * storm blocks the JS thread in wait(), so Ctrl-C takes effect when it finishes. Either way no
 * further storm starts.
 */
let interrupted = false;
function stopIfInterrupted(): void {
  if (interrupted) throw new MeasureError('interrupted');
}

/** The bare baseline: the same storm binary and spawn path, no BPF program loaded. */
function bareStorm(opts: Options, round: number, warmup: boolean): Sample {
  const addon = loadAddon();
  const storm = new addon.Storm(stormConfig({ children: opts.children, workers: opts.workers }));
  let out;
  try {
    storm.go();
    out = storm.wait(DEFAULTS.timeoutMs + 5000);
  } finally {
    storm.kill();
  }
  if (out.stopped !== 'done' || out.generated !== opts.children) {
    throw new MeasureError(`the bare storm stopped (${out.stopped}) after ${out.generated} of ${opts.children} children`);
  }
  return {
    variant: 'bare',
    round,
    warmup,
    exitsPerSec: (out.generated * 1e9) / out.elapsedNs,
    generated: out.generated,
    elapsedNs: out.elapsedNs,
    notes: out.failed ? [`${out.failed} vfork calls failed`] : [],
  };
}

async function trial(transport: 'ringbuf' | 'perfbuf', children: number, workers: number): Promise<TrialResult> {
  const r = await runScenario({ transport, children, workers });
  if (r.aborted) throw new MeasureError(`the ${transport} trial did not finish: ${r.accounting.notes.join('; ')}`);
  return r;
}

async function transportStorm(transport: 'ringbuf' | 'perfbuf', opts: Options, round: number, warmup: boolean): Promise<Sample> {
  const r = await trial(transport, opts.children, opts.workers);
  return {
    variant: transport,
    round,
    warmup,
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


/**
 * Warm-up rounds, then measured rounds. Within a round every variant runs once; the starting
 * variant rotates from round to round so that no variant always follows the same neighbour
 * (e.g. a BPF teardown) or always sits at the same point of a drifting machine.
 */
async function measureOverhead(opts: Options): Promise<Sample[]> {
  const samples: Sample[] = [];
  const total = opts.warmup + opts.rounds;
  for (let i = 0; i < total; i++) {
    const warmup = i < opts.warmup;
    const round = warmup ? i - opts.warmup : i - opts.warmup + 1; // warm-ups are ≤ 0
    const order = VARIANTS.map((_, k) => VARIANTS[(k + i) % VARIANTS.length]);
    for (const v of order) {
      stopIfInterrupted();
      progress(`overhead: ${warmup ? 'warm-up' : `round ${round}/${opts.rounds}`} · ${v} · ${opts.children} children`);
      samples.push(v === 'bare' ? bareStorm(opts, round, warmup) : await transportStorm(v, opts, round, warmup));
    }
  }
  return samples;
}

/** A full GC when we can get one (node flag set at run time), so RSS is not JS garbage. */
const gc: (() => void) | undefined = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

interface MemoryPoint {
  children: number;
  rssBytes: number;
  /** highest RSS while the trial ran (undefined when the kernel cannot reset the mark) */
  peakRssBytes?: number;
  exitsPerSec: number;
  delivered: number;
  droppedKernel: number;
}

/** Current RSS, after a full GC when available so JS garbage does not count. */
function rssNow(): number {
  gc?.();
  return process.memoryUsage().rss;
}

/**
 * Peak RSS since the last reset: VmHWM from /proc/self/status, reset by writing 5 to
 * /proc/self/clear_refs (Linux ≥ 4.0). Undefined when either is unavailable.
 */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function peakRss(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function measureMemory(opts: Options): Promise<{ warmupChildren: number; points: MemoryPoint[] }> {
  const warmupChildren = opts.memoryChildren[0];
  stopIfInterrupted();
  progress(`memory: warm-up · ringbuf · ${warmupChildren} children`);
  await trial('ringbuf', warmupChildren, opts.workers);
  const points: MemoryPoint[] = [];
  for (const n of opts.memoryChildren) {
    stopIfInterrupted();
    progress(`memory: ringbuf · ${n} children`);
    rssNow(); // collect first, so the peak below is the trial's own
    const canReset = resetPeakRss();
    const r = await trial('ringbuf', n, opts.workers);
    const peak = canReset ? peakRss() : undefined;
    points.push({
      children: n,
      rssBytes: rssNow(),
      peakRssBytes: peak,
      exitsPerSec: r.rates.generatedPerSec,
      delivered: r.counts.delivered,
      droppedKernel: r.counts.droppedKernel,
    });
  }
  return { warmupChildren, points };
}

// ---------------------------------------------------------------------------------------------
// Analysis

interface VariantSummary {
  variant: Variant;
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

function summarize(samples: Sample[]): VariantSummary[] {
  const measured = samples.filter((s) => !s.warmup);
  const bareByRound = new Map(measured.filter((s) => s.variant === 'bare').map((s) => [s.round, s.exitsPerSec]));
  return VARIANTS.map((variant) => {
    const mine = measured.filter((s) => s.variant === variant);
    const rates = mine.map((s) => s.exitsPerSec);
    const agg = aggregate(rates);
    const notes = [...new Set(mine.flatMap((s) => s.notes))];
    const out: VariantSummary = {
      variant,
      exitsPerSec: rates,
      aggregate: agg,
      generated: sum(mine.map((s) => s.generated)),
      noise: noiseWords(agg),
      notes,
    };
    if (variant !== 'bare') {
      const rel = aggregate(mine.map((s) => s.exitsPerSec / bareByRound.get(s.round)! - 1));
      const delivered = sum(mine.map((s) => s.delivered ?? 0));
      out.vsBare = rel;
      out.delivered = delivered;
      out.droppedKernel = sum(mine.map((s) => s.droppedKernel ?? 0));
      out.lostReported = sum(mine.map((s) => s.lostReported ?? 0));
      out.wakeupsPerEvent = delivered ? sum(mine.map((s) => s.wakeups ?? 0)) / delivered : 0;
      out.bpfNsPerEvent = aggregate(mine.map((s) => s.bpfNsPerEvent ?? NaN)).mean;
      out.consumerNsPerEvent = aggregate(mine.map((s) => s.consumerNsPerEvent ?? NaN)).mean;
      out.pass = -rel.mean <= MAX_OVERHEAD;
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Output

/** A signed relative change: −3.6%, +1.2%. */
const pct = (f: number, digits = 1) => `${f < 0 ? '−' : f > 0 ? '+' : '±'}${Math.abs(f * 100).toFixed(digits)}%`;

/** "33.1k ± 0.4k": the half-width in the mean's unit so the two read together. */
function fmtRate(a: Aggregate): string {
  const half = (a.ci95[1] - a.ci95[0]) / 2;
  if (Math.abs(a.mean) >= 1e4) return `${(a.mean / 1e3).toFixed(1)}k ± ${(half / 1e3).toFixed(1)}k`;
  return `${fmtSi(a.mean)} ± ${fmtSi(half)}`;
}

/** Per-event costs side by side read best in one unit: 2.90 µs. */
const fmtUs = (ns: number) => (Number.isFinite(ns) ? `${(ns / 1000).toFixed(2)} µs` : '—');

/** Left-aligned columns, three spaces apart. */

function verdictWord(v: VariantSummary): string {
  const cost = -v.vsBare!.mean;
  const [lo, hi] = [-v.vsBare!.ci95[1], -v.vsBare!.ci95[0]];
  const word = v.pass ? 'PASS' : 'FAIL';
  // Say when the interval reaches across the line: more rounds would be needed to be sure.
  const straddles = lo <= MAX_OVERHEAD && hi > MAX_OVERHEAD;
  return straddles ? `${v.variant} ${word} (cost ${(cost * 100).toFixed(1)}%, but its CI spans the line)` : `${v.variant} ${word}`;
}

function formatOverhead(opts: Options, cfg: ScenarioConfig, s: VariantSummary[], load: MachineLoad | undefined): string[] {
  const lines = [
    `storm exits/s, ${opts.children} children x ${opts.workers} worker${opts.workers > 1 ? 's' : ''}, ${cfg.stormMode}, default buffers, ` +
      `${opts.rounds} rounds (${opts.warmup ? `${opts.warmup} warm-up discarded` : 'no warm-up'})`,
  ];
  const rows = [['variant', 'exits/s (mean ± 95% CI)', 'vs bare', 'delivered', 'drops']];
  for (const v of s) {
    if (v.variant === 'bare') {
      rows.push([v.variant, fmtRate(v.aggregate), '—', '—', '—']);
      continue;
    }
    const vb = v.vsBare!;
    const half = (vb.ci95[1] - vb.ci95[0]) / 2;
    const deliveredPct = v.generated ? (100 * v.delivered!) / v.generated : 0;
    const deliveredText = v.delivered === v.generated ? '100%' : `${deliveredPct.toFixed(deliveredPct >= 99 ? 2 : 1)}%`;
    rows.push([v.variant, fmtRate(v.aggregate), `${pct(vb.mean).slice(0, -1)} ± ${(half * 100).toFixed(1)}%`, deliveredText, String(v.droppedKernel)]);
  }
  lines.push(...table(rows));
  const transports = s.filter((v) => v.variant !== 'bare');
  lines.push(
    `  vs bare: each round against that round's bare storm, mean ± 95% CI. drops: reserve/output failures counted in BPF, all rounds.`,
    `  buffers: ringbuf ${fmtBytes(cfg.ringbufBytes)}; perfbuf ${cfg.perfbufPages} pages (${fmtBytes(cfg.perfbufPages * PAGE_SIZE)}) per CPU, equal memory. ` +
      `Wake-ups: ringbuf ${cfg.ringbufWakeup}, perfbuf every ${cfg.perfbufWakeupEvents} event${cfg.perfbufWakeupEvents > 1 ? 's' : ''}.`,
    '  cost per event:',
    ...table([
      ['    variant', 'BPF program', 'consumer CPU', 'consumer wake-ups'],
      ...transports.map((v) => [`    ${v.variant}`, fmtUs(v.bpfNsPerEvent!), fmtUs(v.consumerNsPerEvent!), v.wakeupsPerEvent!.toFixed(2)]),
    ]),
  );
  lines.push(
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

interface MemorySummary {
  warmupChildren: number;
  points: MemoryPoint[];
  growthBytes: number;
  peakGrowthBytes?: number;
  limitBytes: number;
  gcBeforeReading: boolean;
  flat: boolean;
}

function summarizeMemory(m: { warmupChildren: number; points: MemoryPoint[] }): MemorySummary {
  const first = m.points[0];
  const last = m.points[m.points.length - 1];
  const growthBytes = last.rssBytes - first.rssBytes;
  const peakGrowthBytes =
    last.peakRssBytes !== undefined && first.peakRssBytes !== undefined ? last.peakRssBytes - first.peakRssBytes : undefined;
  return {
    ...m,
    growthBytes,
    peakGrowthBytes,
    limitBytes: FLAT_RSS_BYTES,
    gcBeforeReading: !!gc,
    flat: growthBytes < FLAT_RSS_BYTES && (peakGrowthBytes ?? 0) < FLAT_RSS_BYTES,
  };
}

const signedBytes = (n: number) => (n === 0 ? '±0 B' : `${n < 0 ? '−' : '+'}${fmtBytes(Math.abs(n))}`);

function formatMemory(m: MemorySummary, workers: number): string[] {
  const first = m.points[0];
  const last = m.points[m.points.length - 1];
  const hasPeak = m.peakGrowthBytes !== undefined;
  const lines = [
    `harness memory: process RSS around ringbuf trials of growing size, ${workers} worker${workers > 1 ? 's' : ''} ` +
      `(1 warm-up trial of ${m.warmupChildren} children discarded${m.gcBeforeReading ? '; full GC before each reading' : ''})`,
  ];
  const rows = [['children', 'RSS after', 'Δ vs first', ...(hasPeak ? ['peak during', 'Δ vs first'] : []), 'exits/s', 'delivered']];
  for (const p of m.points) {
    const d = (x: number | undefined, y: number | undefined) => (p === first ? '—' : signedBytes(x! - y!));
    rows.push([
      String(p.children),
      fmtBytes(p.rssBytes),
      d(p.rssBytes, first.rssBytes),
      ...(hasPeak ? [fmtBytes(p.peakRssBytes!), d(p.peakRssBytes, first.peakRssBytes)] : []),
      fmtSi(p.exitsPerSec),
      p.delivered === p.children ? '100%' : `${((100 * p.delivered) / p.children).toFixed(2)}%`,
    ]);
  }
  lines.push(...table(rows));
  const what = hasPeak ? 'RSS after and peak RSS during a trial' : 'RSS after a trial';
  const growth = `RSS ${signedBytes(m.growthBytes)}${hasPeak ? `, peak ${signedBytes(m.peakGrowthBytes!)}` : ''}`;
  lines.push(
    `target: ${what} grow less than ${fmtBytes(m.limitBytes)} from ${first.children} to ${last.children} children → ` +
      `${m.flat ? 'flat, PASS' : 'not flat, FAIL'} (${growth})`,
  );
  if (!hasPeak) lines.push('  note: peak RSS per trial is unavailable here (/proc/self/clear_refs could not reset it)');
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

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`ringbench bench: ${e.message} (see --help)\n`);
      return 2;
    }
    throw e;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const cfg = resolveConfig({ children: opts.children, workers: opts.workers });

  const onSigint = () => {
    interrupted = true;
    process.stderr.write('\nringbench bench: interrupted, stopping the storm…\n');
    abortScenarios();
  };
  process.on('SIGINT', onSigint);

  const startedAt = new Date().toISOString();
  let samples: Sample[];
  let memory: MemorySummary;
  let load: MachineLoad | undefined;
  try {
    const before = cpuSnapshot();
    samples = await measureOverhead(opts);
    load = machineLoad(before, cpuSnapshot());
    memory = summarizeMemory(await measureMemory(opts));
  } catch (e) {
    progress('');
    if (interrupted) return 130;
    if (e instanceof TrialError || e instanceof MeasureError) {
      process.stderr.write(`${e.message.startsWith('ringbench') ? '' : 'ringbench bench: '}${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress('');

  const summary = summarize(samples);
  const overheadPass = summary.every((v) => v.pass !== false);
  const pass = overheadPass && memory.flat;

  if (opts.json) {
    const env = captureEnvironment();
    process.stdout.write(
      JSON.stringify(
        {
          schema: 'ringbench/overhead@1',
          startedAt,
          finishedAt: new Date().toISOString(),
          environment: env,
          options: opts,
          scenario: {
            stormMode: cfg.stormMode,
            ringbufBytes: cfg.ringbufBytes,
            perfbufPages: cfg.perfbufPages,
            ringbufWakeup: cfg.ringbufWakeup,
            perfbufWakeupEvents: cfg.perfbufWakeupEvents,
          },
          overhead: { maxOverhead: MAX_OVERHEAD, noisyRelCi: NOISY_REL_CI, pass: overheadPass, machineLoad: load, variants: summary, samples },
          memory,
          pass,
        },
        null,
        2,
      ) + '\n',
    );
    return pass ? 0 : 1;
  }

  const out = [
    ...formatOverhead(opts, cfg, summary, load),
    '',
    ...formatMemory(memory, opts.workers),
    '',
    footer(summary, memory),
  ];
  process.stdout.write(out.join('\n') + '\n');
  return pass ? 0 : 1;
}

process.exitCode = await main();
