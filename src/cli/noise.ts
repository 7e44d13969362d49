/**
 * noise-cli — `ringbench noise --suite S --runs N --out FILE` (or `ringbench noise --out FILE
 * RUN…` from finished runs): this machine's run-to-run spread, for `compare --noise FILE`. The
 * suite runs N times back to back, as identical work (A/A); each run goes to a private temporary
 * directory (mkdtemp) that is removed once the record is written. The record (analysis/noise.ts)
 * is written once, to a new file: never over an existing one, never through a symlink.
 *
 * Exit codes: 0 written; 1 a run failed; 2 bad flags or inputs; 130/143 interrupted (nothing
 * written).
 */
import { closeSync, constants, lstatSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { buildNoise } from '../analysis/noise.js';
import { probe } from '../harness/probe.js';
import { loadResults } from '../results/load.js';
import { checkOutputPath, OutputDir } from '../results/outdir.js';
import type { ResultsFile } from '../results/schema.js';
import { runSuite } from '../suite/run.js';
import { loadSuite } from '../suite/suite.js';
import { EXIT, reportError, UsageError, cannotRun } from './errors.js';
import { onInterrupt } from './signals.js';

export interface NoiseOptions {
  out: string;
  suite?: string;
  runs?: string;
}

/** The output file: absolute, new, in a safe existing directory. */
function checkNoisePath(raw: string): string {
  if (raw.trim() === '') throw new UsageError('--out needs a file name');
  const abs = resolve(raw);
  if (lstatSync(abs, { throwIfNoEntry: false })) {
    throw new UsageError(`--out ${raw}: already exists; a noise record is never overwritten: choose a new name or remove it`);
  }
  checkOutputPath(dirname(abs), '--out');
  if (!lstatSync(dirname(abs), { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--out ${raw}: the directory ${dirname(abs)} does not exist`);
  return abs;
}

/** O_EXCL|O_NOFOLLOW: nothing that appeared at the path since the check is written through. */
function writeNewFile(path: string, text: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export async function noiseCommand(inputs: string[], opts: NoiseOptions): Promise<number> {
  let out: string;
  let runs: number;
  try {
    out = checkNoisePath(opts.out);
    runs = Number(opts.runs ?? '5');
    if (!Number.isInteger(runs) || runs < 2 || runs > 100) throw new UsageError(`--runs must be an integer in 2..100 (got "${opts.runs}")`);
    if (inputs.length) {
      if (inputs.length < 2) throw new UsageError('a noise record needs at least two runs of the same suite');
      const loaded = inputs.map((p) => loadResults(p));
      const suites = new Set(loaded.map((r) => r.suite));
      if (suites.size > 1) throw new UsageError(`the runs are of different suites (${[...suites].join(', ')}): a noise record is of one suite`);
      writeNewFile(out, JSON.stringify(buildNoise(loaded, inputs), null, 2) + '\n');
      process.stderr.write(`ringbench noise: wrote ${out} from ${inputs.length} runs\n`);
      return EXIT.ok;
    }
  } catch (e) {
    return reportError(e);
  }

  let plan;
  try {
    plan = loadSuite(opts.suite ?? 'quick');
  } catch (e) {
    return reportError(e);
  }
  const capabilities = probe();
  const refused = cannotRun(capabilities);
  if (refused !== undefined) return refused;
  const work = mkdtempSync(join(tmpdir(), 'ringbench-noise-'));
  let current: ReturnType<typeof runSuite> | undefined;
  const interrupts = onInterrupt(() => current?.stop(), 'stopping; no noise record is written');
  const results: ResultsFile[] = [];
  try {
    for (let i = 1; i <= runs && interrupts.received === undefined; i++) {
      const dir = OutputDir.open(join(work, `run-${i}`), { flag: '--out', mode: 'new', lock: true });
      try {
        process.stderr.write(`ringbench noise: run ${i}/${runs} of suite '${plan.name}' (${plan.scenarios.length} scenarios × ${plan.repeats} repeats)\n`);
        current = runSuite(plan, { out: dir, command: `ringbench noise --suite ${opts.suite ?? 'quick'} --runs ${runs} (run ${i})`, capabilities });
        const r = await current.done;
        if (r.complete) results.push(r);
      } finally {
        dir.release();
      }
    }
    if (interrupts.exitCode !== undefined) return interrupts.exitCode;
    writeNewFile(out, JSON.stringify(buildNoise(results, results.map((_, i) => `${basename(work)}/run-${i + 1}`)), null, 2) + '\n');
    process.stderr.write(`ringbench noise: wrote ${out} (${runs} runs of '${plan.name}')\n`);
    return EXIT.ok;
  } catch (e) {
    return reportError(e);
  } finally {
    interrupts.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}
