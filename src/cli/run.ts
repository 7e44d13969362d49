/**
 * run-cli — `ringbench run [--suite quick|standard|full|FILE] [--out DIR] [--resume DIR]`: the
 * main job. Validates the suite and the output directory before any trial, shows progress (a bar
 * with ETA on a terminal, plain lines otherwise), stops cleanly on Ctrl-C with every finished
 * trial saved, and ends with the report.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { loadResults, ResultsInputError } from '../analysis/compare.js';
import { ROOT } from '../harness/addon.js';
import { fmtSi } from '../format/units.js';
import { writeReport } from '../report/report.js';
import { planOf, runSuite, trialsLeft } from '../suite/run.js';
import { loadSuite, SuiteError, type SuitePlan } from '../suite/suite.js';

export interface RunCommandOptions {
  suite?: string;
  out?: string;
  resume?: string;
  report?: boolean;
}

/** reports/20261122-0215-host */
function defaultOutDir(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return join(ROOT, 'reports', `${stamp}-${os.hostname()}`);
}

class UsageError extends Error {}

/** mkdir -p one level at a time: Node's recursive mkdir can spin forever on pseudo file systems
 *  such as /proc, where creating a child fails with ENOENT under an existing parent. */
function makeDirs(abs: string): void {
  const missing: string[] = [];
  for (let d = abs; !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d);
}

function prepareOutDir(dir: string, flag: string): string {
  const abs = resolve(dir);
  try {
    makeDirs(abs);
    accessSync(abs, constants.W_OK);
    const probe = join(abs, `.ringbench-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return abs;
}

/** Plain progress for logs; a live bar on a terminal. */
function progressView(total: number) {
  const tty = process.stderr.isTTY && !process.env.CI;
  if (!tty) {
    return {
      scenario: () => {},
      trial: (done: number, line: string) => process.stderr.write(`[${done}/${total}] ${line}\n`),
      note: (line: string) => process.stderr.write(`${line}\n`),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {value}/{total} trials | ETA {eta_formatted} | {scenario}', etaBuffer: 20, hideCursor: true, stream: process.stderr, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { scenario: '' });
  return {
    scenario: (name: string, done: number) => bar.update(done, { scenario: name }),
    trial: (done: number, line: string) => bar.update(done, { scenario: line }),
    note: (line: string) => bar.update({ scenario: line }),
    stop: () => bar.stop(),
  };
}

export async function runCommand(opts: RunCommandOptions): Promise<number> {
  let plan: SuitePlan;
  let outDir: string;
  let previous;
  try {
    if (opts.resume) {
      if (opts.suite) throw new UsageError('--resume continues the suite recorded in that run; drop --suite');
      const dir = resolve(opts.resume);
      if (!existsSync(join(dir, 'results.json'))) throw new UsageError(`--resume ${opts.resume}: no results.json there`);
      previous = loadResults(dir);
      plan = planOf(previous, dir);
      outDir = prepareOutDir(dir, '--resume');
    } else {
      plan = loadSuite(opts.suite ?? 'standard');
      outDir = prepareOutDir(opts.out ?? defaultOutDir(), '--out');
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof SuiteError || e instanceof ResultsInputError) {
      process.stderr.write(`ringbench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const total = trialsLeft(plan, previous);
  process.stderr.write(`ringbench: suite '${plan.name}': ${plan.scenarios.length} scenarios × ${plan.repeats} repeats (+${plan.warmup} warm-up), ${total} trials → ${outDir}\n`);
  const view = progressView(total);
  const command = ['ringbench', 'run', ...process.argv.slice(3)].join(' ');
  const run = runSuite(plan, {
    outDir,
    command,
    previous,
    onScenarioStart: (s, done) => view.scenario(s.id, done),
    onSearch: (s) => view.note(`${s.id}: searching the sustainable rate`),
    onTrial: (p) => {
      const r = p.result;
      const what = p.warmup ? 'warm-up' : `repeat ${p.repeat}/${plan.repeats}`;
      const drops = r.counts.droppedKernel ? `, ${r.counts.droppedKernel} dropped` : '';
      view.trial(p.done, `${p.scenario.id} ${what}: ${fmtSi(r.rates.deliveredPerSec)} delivered/s${drops}`);
    },
  });
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write('\nringbench: interrupted — stopping the current trial; finished trials are kept\n');
    run.stop();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let results;
  try {
    results = await run.done;
  } catch (e) {
    view.stop();
    process.stderr.write(`ringbench: ${(e as Error).message.replace(/^ringbench: /, '')}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  view.stop();
  process.stderr.write(`ringbench: wrote ${join(outDir, 'results.json')} and results.csv\n`);
  if (!results.complete) {
    process.stderr.write(`ringbench: the run is incomplete; continue it with: ringbench run --resume ${outDir}\n`);
  }
  if (opts.report !== false && results.scenarios.length) {
    const report = await writeReport([outDir], outDir, { log: (l) => process.stderr.write(`${l}\n`) });
    process.stderr.write(`ringbench: report: ${report.html}\n`);
  }
  return interrupted ? 130 : 0;
}
