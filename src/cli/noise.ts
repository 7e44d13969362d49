/**
 * noise-cli — `ringbench noise --suite S --runs N --out FILE` (or `ringbench noise --out FILE
 * RUN…` from finished runs): this machine's run-to-run spread, for `compare --noise FILE`. The
 * suite runs N times back to back, as identical work (A/A); each run goes to a private temporary
 * directory (mkdtemp) that is removed once the record is written. The record (analysis/noise.ts)
 * is written once, to a new file, through results/outdir: never over an existing one, never
 * through a symlink, in a directory of the user's own or a root-owned sticky one (/tmp), as `run`
 * accepts. The same run given twice (by content) is refused: it would record zero spread.
 *
 * Exit codes: 0 written; 1 a run failed; 2 bad flags or inputs; 130/143 interrupted (nothing
 * written).
 */
import { lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { buildNoise } from '../analysis/noise.js';
import { probe } from '../harness/probe.js';
import { loadResults, refuseRepeatedRuns } from '../results/load.js';
import { checkOutputPath, OutputDir, openOutputFileDir } from '../results/outdir.js';
import type { ResultsFile } from '../results/schema.js';
import { runSuite } from '../suite/run.js';
import { loadSuite } from '../suite/suite.js';
import { EXIT, reportError, cannotRun } from './errors.js';
import { DEFAULTS, intFlag, UsageError } from './flags.js';
import { onInterrupt } from './signals.js';

export interface NoiseOptions {
  out: string;
  suite?: string;
  runs?: string;
}

/** The output file's directory (checked, created if missing) and name; the file must be new. */
function noiseTarget(raw: string): { dir: OutputDir; name: string } {
  const dir = openOutputFileDir(raw, '--out');
  const name = basename(resolve(raw));
  return { dir, name };
}

/** Written once, never over an existing file (a name that appeared meanwhile is refused). */
function writeRecord(target: { dir: OutputDir; name: string }, raw: string, text: string): string {
  try {
    return target.dir.write(target.name, text, { replace: false });
  } catch (e) {
    if ((e as Error).message.endsWith('ringbench does not replace it')) throw new UsageError(`--out ${raw}: already exists; a noise record is never overwritten: choose a new name or remove it`);
    throw e;
  }
}

export async function noiseCommand(inputs: string[], opts: NoiseOptions): Promise<number> {
  let target: { dir: OutputDir; name: string };
  let runs: number;
  try {
    runs = intFlag('--runs', opts.runs ?? String(DEFAULTS.noiseRuns), 2, 100);
    if (inputs.length) {
      if (inputs.length < 2) throw new UsageError('a noise record needs at least two runs of the same suite');
      const loaded = inputs.map((p) => loadResults(p));
      // the same run twice would record zero spread, and every later A/A pair would "regress"
      refuseRepeatedRuns(loaded, inputs);
      const suites = new Set(loaded.map((r) => r.suite));
      if (suites.size > 1) throw new UsageError(`the runs are of different suites (${[...suites].join(', ')}): a noise record is of one suite`);
      target = noiseTarget(opts.out);
      const out = writeRecord(target, opts.out, JSON.stringify(buildNoise(loaded, inputs), null, 2) + '\n');
      process.stderr.write(`ringbench noise: wrote ${out} from ${inputs.length} runs\n`);
      return EXIT.ok;
    }
    // checked now, created only once the probe says the suite can run here
    if (opts.out.trim() === '' || opts.out.endsWith('/')) throw new UsageError(`--out must name a file; got '${opts.out}'`);
    checkOutputPath(dirname(resolve(opts.out)), '--out', true);
    if (lstatSync(resolve(opts.out), { throwIfNoEntry: false })) throw new UsageError(`--out ${opts.out}: already exists; a noise record is never overwritten: choose a new name or remove it`);
  } catch (e) {
    return reportError(e);
  }

  let plan;
  try {
    plan = loadSuite(opts.suite ?? DEFAULTS.suite);
  } catch (e) {
    return reportError(e);
  }
  const capabilities = probe();
  const refused = cannotRun(capabilities);
  if (refused !== undefined) return refused;
  try {
    target = noiseTarget(opts.out);
  } catch (e) {
    return reportError(e);
  }
  const work = mkdtempSync(join(tmpdir(), 'ringbench-noise-'));
  let current: ReturnType<typeof runSuite> | undefined;
  const interrupts = onInterrupt(() => current?.stop(), 'stopping; no noise record is written');
  const results: ResultsFile[] = [];
  try {
    for (let i = 1; i <= runs && interrupts.received === undefined; i++) {
      const dir = OutputDir.open(join(work, `run-${i}`), { flag: '--out', mode: 'new', lock: true });
      try {
        process.stderr.write(`ringbench noise: run ${i}/${runs} of suite '${plan.name}' (${plan.scenarios.length} scenarios × ${plan.repeats} repeats)\n`);
        current = runSuite(plan, { out: dir, command: `ringbench noise --suite ${opts.suite ?? DEFAULTS.suite} --runs ${runs} (run ${i})`, capabilities });
        const r = await current.done;
        if (r.complete) results.push(r);
      } finally {
        dir.release();
      }
    }
    if (interrupts.exitCode !== undefined) return interrupts.exitCode;
    const out = writeRecord(target, opts.out, JSON.stringify(buildNoise(results, results.map((_, i) => `${basename(work)}/run-${i + 1}`)), null, 2) + '\n');
    process.stderr.write(`ringbench noise: wrote ${out} (${runs} runs of '${plan.name}')\n`);
    return EXIT.ok;
  } catch (e) {
    return reportError(e);
  } finally {
    interrupts.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}
