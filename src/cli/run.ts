/**
 * run-cli — `ringbench run [--suite quick|standard|full|FILE] [--out DIR | --resume DIR] [--force]`:
 * the main job. Validates the suite, the output directory and the privileges before anything is
 * created; never replaces a finished run unless --force; shows progress (a bar with ETA on a
 * terminal, plain lines otherwise); stops cleanly on Ctrl-C or SIGTERM with every finished trial
 * saved, and ends with the report.
 */
import { lstatSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { loadResults } from '../results/load.js';
import { ROOT } from '../harness/addon.js';
import { probe, type ProbeReport } from '../harness/probe.js';
import { fmtSi } from '../format/units.js';
import { checkOutputPath, OutputDir } from '../results/outdir.js';
import { planOf, runSuite, trialsLeft } from '../suite/run.js';
import { loadSuite, type PlannedScenario, type SuitePlan } from '../suite/suite.js';
import type { ResultsFile } from '../results/schema.js';
import { readCalibration, type KernelCalibration } from '../results/calibration.js';
import { EXIT, reportError, UsageError, cannotRun } from './errors.js';
import { onInterrupt } from './signals.js';

export interface RunCommandOptions {
  suite?: string;
  out?: string;
  resume?: string;
  force?: boolean;
  report?: boolean;
  /** a bench:kernel --json file to attach as results.calibration */
  calibration?: string;
}

/** reports/20261122-021500-host */
function defaultOutDir(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return join(ROOT, 'reports', `${stamp}-${os.hostname()}`);
}

interface Prepared {
  plan: SuitePlan;
  previous?: ResultsFile;
  /** the directory as given, and the flag it came from */
  dir: string;
  flag: '--out' | '--resume';
  calibration?: KernelCalibration;
}

/** Flags, suite and output path, checked without creating or loading anything. */
function prepare(opts: RunCommandOptions): Prepared {
  if (opts.resume !== undefined) {
    if (opts.suite !== undefined) throw new UsageError('--resume continues the suite recorded in that run; drop --suite');
    if (opts.out !== undefined) throw new UsageError('--resume writes into the run it continues; drop --out');
    if (opts.force) throw new UsageError('--resume continues a run and --force replaces it; choose one');
    const abs = checkOutputPath(opts.resume, '--resume');
    if (!lstatSync(join(abs, 'results.json'), { throwIfNoEntry: false })?.isFile()) throw new UsageError(`--resume ${opts.resume}: no results.json there`);
    const previous = loadResults(abs);
    return { plan: planOf(previous, abs), previous, dir: opts.resume, flag: '--resume' };
  }
  const plan = loadSuite(opts.suite ?? 'standard');
  const dir = opts.out ?? defaultOutDir();
  checkOutputPath(dir, '--out');
  return { plan, dir, flag: '--out' };
}

/** Plain progress for logs; a live bar on a terminal. */
function progressView(total: number) {
  const tty = process.stderr.isTTY && !process.env.CI;
  if (!tty) {
    return {
      scenario: () => {},
      trial: (done: number, total: number, phase: string, line: string) => process.stderr.write(`[${phase || `${done}/${total}`}] ${line}\n`),
      note: (line: string) => process.stderr.write(`${line}\n`),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {value}/{total} trials | ETA {eta_formatted} | {phase}{scenario}', etaBuffer: 20, hideCursor: true, stream: process.stderr, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { scenario: '', phase: '' });
  return {
    scenario: (name: string, done: number) => bar.update(done, { scenario: name }),
    // the planned trials fill the bar; a precision round is a phase of its own, named beside it
    trial: (done: number, _total: number, phase: string, line: string) => bar.update(done, { scenario: line, phase: phase ? `${phase} | ` : '' }),
    note: (line: string) => bar.update({ scenario: line }),
    stop: () => bar.stop(),
  };
}

export async function runCommand(opts: RunCommandOptions): Promise<number> {
  let prepared: Prepared;
  let capabilities: ProbeReport;
  let out: OutputDir;
  try {
    prepared = prepare(opts);
    if (opts.calibration !== undefined) prepared.calibration = readCalibration(opts.calibration);
    // Privileges and kernel first: a run that cannot load BPF creates nothing.
    capabilities = probe();
    const refused = cannotRun(capabilities);
    if (refused !== undefined) return refused;
    const mode = prepared.previous ? 'resume' : opts.force ? 'force' : 'new';
    out = OutputDir.open(prepared.dir, { flag: prepared.flag, mode, lock: true });
  } catch (e) {
    return reportError(e);
  }
  try {
    return await runIn(out, prepared, capabilities, opts);
  } catch (e) {
    return reportError(e);
  } finally {
    out.release();
  }
}

async function runIn(out: OutputDir, { plan, previous, calibration }: Prepared, capabilities: ProbeReport, opts: RunCommandOptions): Promise<number> {
  const total = trialsLeft(plan, previous);
  let run: ReturnType<typeof runSuite> | undefined;
  const interrupts = onInterrupt(() => run?.stop(), 'stopping the current trial; finished trials are kept');
  process.stderr.write(`ringbench: suite '${plan.name}': ${plan.scenarios.length} scenarios × ${plan.repeats} repeats (+${plan.warmup} warm-up), ${total} trials → ${out.path}\n`);
  const view = progressView(total);
  const command = ['ringbench', 'run', ...process.argv.slice(3)].join(' ');
  run = runSuite(plan, {
    out,
    command,
    previous,
    capabilities,
    calibration,
    onScenarioStart: (s, done) => view.scenario(s.id, done),
    onSearch: (s) => view.note(`${s.id}: searching the sustainable rate`),
    onLossRun: (() => {
      const started = new Set<string>();
      return (s: PlannedScenario) => {
        if (!started.has(s.id)) view.note(`${s.id}: loss curve (capped runs at a grid of offered rates)`);
        started.add(s.id);
      };
    })(),
    onTrial: (p) => {
      const r = p.result;
      const what = p.warmup ? 'warm-up' : p.precision ? `repeat ${p.repeat}` : `repeat ${p.repeat}/${plan.repeats}`;
      const drops = r.counts.droppedKernel ? `, ${r.counts.droppedKernel} dropped` : '';
      // the pause before a re-run is the wait for the CPUs to come together: say so
      const n = p.setAsideNs.length;
      const aside = n ? ` (after ${n} run${n === 1 ? '' : 's'} set aside with the CPUs apart: ${p.setAsideNs.map((ns) => `${ns} ns`).join(', ')})` : '';
      const phase = p.precision ? `${p.precision.group} precision round ${p.precision.round}: ${p.precision.done}/${p.precision.total}` : '';
      view.trial(p.done, p.total, phase, `${p.scenario.id} ${what}: ${fmtSi(r.rates.deliveredPerSec)} delivered/s${drops}${aside}`);
    },
  });
  try {
    let results;
    try {
      results = await run.done;
    } finally {
      view.stop();
    }
    process.stderr.write(`ringbench: wrote ${join(out.path, 'results.json')} and results.csv\n`);
    if (!results.complete) {
      process.stderr.write(`ringbench: the run is incomplete; continue it with: ringbench run --resume ${out.path}\n`);
    }
    if (opts.report !== false && results.scenarios.length) {
      const { writeReport } = await import('../report/report.js'); // loaded only when needed: ~1 s
      const report = await writeReport([out.path], out.path, { output: out, log: (l) => process.stderr.write(`${l}\n`) });
      process.stderr.write(`ringbench: report: ${report.html}\n`);
    }
    return interrupts.exitCode ?? EXIT.ok;
  } finally {
    interrupts.dispose();
  }
}
