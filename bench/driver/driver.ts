/**
 * driver — the one loop every benchmark runs through, after the kernel's `struct bench`
 * (tools/testing/selftests/bpf/benchs/bench.h): a benchmark is a small table — its flags, a
 * validate step, a list of variants each with one `run` callback that measures one trial, and a
 * report callback that turns the per-round samples into text lines, a JSON object and a verdict.
 *
 * The driver owns everything else, once for all benchmarks:
 * - flags, parsed with commander: --rounds, --warmup, --json FILE, -h, plus the benchmark's own;
 *   a bad one prints one line naming it and exits 2;
 * - rounds: warm-up rounds first (samples kept but marked, never summarised), then measured
 *   rounds; every variant runs once per round and the starting variant rotates from round to
 *   round, so slow drift (thermal, page cache, other tenants) lands on every variant alike and
 *   comparisons can be paired by round;
 * - the machine-load meter around the rounds (machine.ts), and a progress line on a terminal;
 * - Ctrl-C: trials in flight are told to stop, the rounds that finished are printed side by side,
 *   exit 130 (no JSON: a file is only written for a run that finished);
 * - the JSON file, written once at the end, never over an existing file or through a symlink;
 * - exit codes: 0 targets met, 1 a target missed or a trial failed, 2 bad flags, 130 interrupted.
 *
 * Why not tinybench: it runs all iterations of one task before the next (no interleaving) and
 * times each by wall clock, which here would include loading and attaching BPF; the quantities of
 * interest come from the trial itself.
 */
import { openOutputFileDir, writeOutputFile } from '../../src/results/outdir.js';
import { onInterrupt } from '../../src/cli/signals.js';
import { basename, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { captureEnvironment } from '../../src/harness/env.js';
import { TrialError } from '../../src/harness/trial.js';
import { aggregate } from '../../src/analysis/stats.js';
import { fmtAggregate } from '../../src/format/units.js';
import type { Aggregate } from '../../src/results/schema.js';
import { cpuSnapshot, intFlag, machineLoad, progress, table, UsageError, type MachineLoad } from './machine.js';

/** A trial that could not be measured (stopped early, refused, printed garbage): exit 1. */
export class BenchError extends Error {}

/** One variant: an id that names it in tables and JSON, and the callback that measures one trial. */
export interface Variant<M> {
  id: string;
  run: () => Promise<M> | M;
}

/** One trial's measurement, with where it ran: round ≤ 0 are warm-ups. */
export type Sample<M> = M & { id: string; round: number; warmup: boolean };

/** Flags every benchmark has. */
export interface CommonOptions {
  rounds: number;
  warmup: number;
  /** where the JSON goes ('-' for stdout), or undefined */
  json?: string;
}

/** What the driver hands to `report`. */
export interface Run<O, M, A> {
  opts: O & CommonOptions;
  /** every sample, warm-ups included, in the order they ran */
  samples: Sample<M>[];
  /** other work on the machine during the rounds */
  load: MachineLoad | undefined;
  /** the benchmark's `after` phase result */
  after: A;
  startedAt: string;
  startedMs: number;
}

export interface Bench<O, M, A = undefined> {
  /** the npm script: `bench`, `bench:ceilings`; messages start with `ringbench NAME:` */
  name: string;
  /** short word for the progress line */
  short: string;
  /** the compiled script, for the usage line */
  script: string;
  /** JSON schema name, e.g. ringbench/overhead@1 */
  schema: string;
  rounds: { default: number; min: number; note?: string };
  /** the benchmark's own flags: commander syntax and help text (say the default in it) */
  flags: [flags: string, help: string][];
  /** raw flag strings (camelCase keys) to options; throws UsageError naming the flag */
  validate: (raw: Record<string, string | undefined>) => O;
  /** a reason it cannot run here (missing binary…), printed with exit 1 */
  preflight?: (opts: O) => string | undefined;
  variants: (opts: O) => Variant<M>[];
  /** what the interrupted-run table shows per variant */
  headline: { title: string; metric: string; value: (m: M) => number; baseline?: string };
  /** work after the rounds, outside the load meter (e.g. memory growth) */
  after?: (opts: O, ctx: { stopIfInterrupted: () => void }) => Promise<A>;
  /** Ctrl-C: tell trials in flight to stop */
  abort: () => void;
  report: (run: Run<O, M, A>) => { lines: string[]; json: Record<string, unknown>; pass: boolean };
}

// ---------------------------------------------------------------------------------------------
// Flags

function parseFlags<O, M, A>(b: Bench<O, M, A>, argv: string[]): (O & CommonOptions) | 'help' {
  const cmd = new Command()
    .name(`npm run ${b.name} --`)
    .usage(`[options]     (or: node ${b.script} [options])`)
    .exitOverride()
    .allowExcessArguments(false)
    .helpOption('-h, --help', 'this text')
    .configureOutput({ writeErr: () => undefined, writeOut: (s) => process.stdout.write(s) })
    .option('--rounds <n>', `measured rounds; each runs every variant once (default ${b.rounds.default}, at least ${b.rounds.min}${b.rounds.note ? `; ${b.rounds.note}` : ''})`)
    .option('--warmup <n>', 'warm-up rounds run first and discarded (default 1)')
    .option('--json <file>', 'also write the results as JSON to FILE (- for stdout), once, at the end; never over an existing file');
  for (const [flags, help] of b.flags) cmd.option(flags, help);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 'help';
      throw new UsageError(e.message.replace(/^error: /, ''));
    }
    throw e;
  }
  const raw = cmd.opts() as Record<string, string | undefined>;
  const rounds = intFlag('rounds', raw.rounds, b.rounds.default, b.rounds.min, 1000);
  const warmup = intFlag('warmup', raw.warmup, 1, 0, 100);
  const json = raw.json === undefined ? undefined : checkJsonPath(raw.json);
  return { ...b.validate(raw), rounds, warmup, json };
}

/** The JSON file must be new, in a safe directory (results/outdir: created if missing), and no
 *  symlink may stand in its place. */
function checkJsonPath(p: string): string {
  if (p === '-') return p;
  if (p.trim() === '') throw new UsageError(`--json needs a file name (or - for stdout)`);
  // through npm the working directory is the package's; INIT_CWD is where the user typed
  const abs = resolve(process.env.INIT_CWD ?? process.cwd(), p);
  if (openOutputFileDir(abs, '--json').exists(basename(abs))) {
    throw new UsageError(`--json ${p}: already exists; finished results are never overwritten: choose a new name or remove it`);
  }
  return abs;
}

/** Written once through results/outdir (O_EXCL|O_NOFOLLOW temp file, linked into place: a name
 *  that appeared since the check is never written through or replaced). */
function writeJson(path: string, value: unknown): void {
  const text = JSON.stringify(value, null, 2) + '\n';
  if (path === '-') {
    process.stdout.write(text);
    return;
  }
  writeOutputFile(path, text, { flag: '--json', replace: false });
}

// ---------------------------------------------------------------------------------------------
// Rounds

/**
 * Warm-up rounds, then measured rounds. Within a round every variant runs once; the starting
 * variant moves on by `stride` each round (at least 1, more when there are many variants and few
 * rounds), so none always follows the same neighbour (e.g. a BPF teardown) or always sits at the
 * same point of a drifting machine.
 */
async function runRounds<M>(short: string, vs: Variant<M>[], rounds: number, warmups: number, samples: Sample<M>[], stop: () => void): Promise<void> {
  const total = warmups + rounds;
  const stride = Math.max(1, Math.floor(vs.length / Math.max(2, total)));
  for (let i = 0; i < total; i++) {
    const warmup = i < warmups;
    const round = warmup ? i - warmups : i - warmups + 1;
    const shift = (i * stride) % vs.length;
    const order = vs.map((_, k) => vs[(k + shift) % vs.length]);
    for (const [k, v] of order.entries()) {
      stop();
      progress(`${short}: ${warmup ? 'warm-up' : `round ${round}/${rounds}`} · ${k + 1}/${vs.length} · ${v.id}`);
      const m = await v.run();
      samples.push({ ...m, id: v.id, round, warmup });
    }
  }
}

/** The benchmark's process exit code; call as `process.exitCode = await runBench(b)`. */
export async function runBench<O, M, A>(b: Bench<O, M, A>, argv = process.argv.slice(2)): Promise<number> {
  const prefix = `ringbench ${b.name}: `;
  let opts: (O & CommonOptions) | 'help';
  try {
    opts = parseFlags(b, argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${prefix}${e.message} (see --help)\n`);
      return 2;
    }
    throw e;
  }
  if (opts === 'help') return 0;
  const why = b.preflight?.(opts);
  if (why) {
    process.stderr.write(`${prefix}${why}\n`);
    return 1;
  }

  // A bare storm blocks the JS thread while it waits, so Ctrl-C takes effect when it returns;
  // trials through the addon stop at once. Either way no further trial starts.
  // cli/signals: the first SIGINT/SIGTERM stops after the current trial, a second ends at once
  const interrupts = onInterrupt(() => {
    process.stderr.write(`\n${prefix}interrupted, stopping…\n`);
    b.abort();
  });
  const stopIfInterrupted = () => {
    if (interrupts.received) throw new BenchError('interrupted');
  };

  const startedAt = new Date().toISOString();
  const startedMs = Date.now();
  const vs = b.variants(opts);
  const samples: Sample<M>[] = [];
  let load: MachineLoad | undefined;
  let after: A;
  try {
    const before = cpuSnapshot();
    await runRounds(b.short, vs, opts.rounds, opts.warmup, samples, stopIfInterrupted);
    load = machineLoad(before, cpuSnapshot());
    after = (await b.after?.(opts, { stopIfInterrupted })) as A;
  } catch (e) {
    progress('');
    if (interrupts.exitCode !== undefined) {
      process.stdout.write(interruptedLines(b, vs, samples, opts.rounds).join('\n') + '\n');
      return interrupts.exitCode;
    }
    if (e instanceof TrialError || e instanceof BenchError) {
      process.stderr.write(`${e.message.startsWith('ringbench') ? '' : prefix}${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    interrupts.dispose();
  }
  progress('');

  const out = b.report({ opts, samples, load, after, startedAt, startedMs });
  if (opts.json) {
    writeJson(opts.json, {
      schema: b.schema,
      startedAt,
      finishedAt: new Date().toISOString(),
      environment: captureEnvironment(),
      options: opts,
      ...out.json,
      pass: out.pass,
    });
  }
  if (opts.json !== '-') process.stdout.write(out.lines.join('\n') + '\n');
  return out.pass ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// Summaries shared by the benchmarks

/** The measured samples of one variant (warm-ups left out). */
export function samplesOf<M>(samples: Sample<M>[], id: string): Sample<M>[] {
  return samples.filter((s) => !s.warmup && s.id === id);
}

/** Mean ± 95% CI of one quantity over a variant's measured rounds. */
export function aggregateOf<M>(samples: Sample<M>[], id: string, value: (m: M) => number): Aggregate {
  return aggregate(samplesOf(samples, id).map(value));
}

/**
 * A paired comparison: f(a's sample, b's sample of the same round) for every measured round both
 * finished, as mean ± 95% CI. Pairing by round takes the drift both saw out of the comparison.
 */
export function paired<M>(samples: Sample<M>[], a: string, b: string, f: (x: M, y: M) => number): Aggregate {
  const other = new Map(samplesOf(samples, b).map((s) => [s.round, s]));
  return aggregate(samplesOf(samples, a).filter((s) => other.has(s.round)).map((s) => f(s, other.get(s.round)!)));
}

/** "0.97× (0.90–1.04)": a ratio with its 95% CI. */
export function fmtRatio(a: Aggregate): string {
  if (!Number.isFinite(a.mean)) return '—';
  return `${a.mean.toFixed(2)}× (${a.ci95[0].toFixed(2)}–${a.ci95[1].toFixed(2)})`;
}

/**
 * Variants side by side: one quantity as mean ± 95% CI per variant, and with a baseline its
 * paired ratio to it with CI. `metric` names the catalogue entry that picks the unit.
 */
export function sideBySide<M>(samples: Sample<M>[], ids: string[], h: Bench<unknown, M>['headline']): string[] {
  const rows = [['variant', `${h.title} (mean ± 95% CI)`, ...(h.baseline ? [`÷ ${h.baseline} (paired, 95% CI)`] : []), 'rounds']];
  for (const id of ids) {
    const a = aggregateOf(samples, id, h.value);
    const ratio = h.baseline ? [id === h.baseline ? '—' : fmtRatio(paired(samples, id, h.baseline, (x, y) => h.value(x) / h.value(y)))] : [];
    rows.push([id, fmtAggregate(h.metric, a), ...ratio, String(a.n)]);
  }
  return table(rows);
}

function interruptedLines<O, M, A>(b: Bench<O, M, A>, vs: Variant<M>[], samples: Sample<M>[], rounds: number): string[] {
  const done = samples.filter((s) => !s.warmup);
  const full = Math.floor(done.length / vs.length);
  if (!done.length) return ['interrupted before any measured trial finished (warm-ups are not shown): nothing to show'];
  return [
    `interrupted: ${full} of ${rounds} measured rounds finished${done.length % vs.length ? ` (and part of the next)` : ''}; what finished:`,
    ...sideBySide(samples, vs.map((v) => v.id), b.headline as Bench<unknown, M>['headline']),
    `no targets judged and no JSON written for an interrupted run`,
  ];
}
