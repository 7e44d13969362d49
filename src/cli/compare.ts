/**
 * compare-cli — the `ringbench compare BASE CANDIDATE` or `ringbench compare BASE… -- CANDIDATE…`
 * command, with [--noise FILE] [--threshold PCT] [--format text|md|json] [--github-benchmark PATH].
 * Runs are run directories (holding results.json) or results files; with two or more runs a side
 * the runs are the unit of the test, with one a side --noise FILE (from `ringbench noise`) gives
 * the machine's run-to-run spread. The comparison goes to stdout; problems go to stderr as one line.
 *
 * Exit codes: 0 no judged metric regressed; 1 a judged metric regressed beyond the threshold;
 * 2 a bad flag, or an input file that is missing, not a results file, of another schema version,
 * the same run given twice, a --noise record of another suite or host (without --force), or one
 * that shares no scenario with the other; 3 no judged metric could be decided (the gate fails
 * closed: two 1-repeat runs are not a pass).
 *
 * --github-benchmark DIR writes two files into DIR (an output directory under results/outdir's
 * rules) for github-action-benchmark, because each of its steps takes one tool and one JSON
 * array: bigger-is-better.json (tool "customBiggerIsBetter") and smaller-is-better.json (tool
 * "customSmallerIsBetter").
 */
import { OutputDir, OutputWriteError } from '../results/outdir.js';
import { comparisonExitCode, compareResults, judgedNothing } from '../analysis/compare.js';
import { formatComparison } from '../report/compare-format.js';
import { toGithubActionBenchmark } from '../format/github.js';
import { loadResults, refuseRepeatedRuns } from '../results/load.js';
import type { ResultsFile } from '../results/schema.js';
import { loadNoise, noiseMismatch } from '../analysis/noise.js';
import { EXIT, isUsageError } from './errors.js';
import { formatFlag, thresholdFlag } from './flags.js';
import { fleetRunDirs } from '../fleet/fleet-report.js';

/** The files `--github-benchmark DIR` writes (README "Commands"), one per github-action-benchmark tool. */
export const GITHUB_BENCHMARK_FILES = { biggerIsBetter: 'bigger-is-better.json', smallerIsBetter: 'smaller-is-better.json' } as const;

export async function compareCommand(
  base: string | string[],
  candidate: string | string[],
  opts: { threshold?: string; format?: string; githubBenchmark?: string; noise?: string; force?: boolean },
): Promise<number> {
  let comparison;
  let format;
  try {
    const thresholdPct = thresholdFlag(opts.threshold);
    format = formatFlag(opts.format);
    // a fleet folder stands for its finished hosts' runs
    const paths = (side: string | string[]) => (Array.isArray(side) ? side : [side]).flatMap(fleetRunDirs);
    const load = (side: string | string[]) => paths(side).map((p) => loadResults(p));
    const noise = opts.noise === undefined ? undefined : loadNoise(opts.noise);
    const [b, c] = [load(base), load(candidate)];
    // one run given twice (either side, or both): by content, whatever the paths
    refuseRepeatedRuns([...b, ...c], [...paths(base), ...paths(candidate)]);
    const refusal = b.flatMap((x) => c.map((y) => emulatedAcrossKernels(x, y))).find((r) => r !== null);
    if (refusal && !opts.force) return fail(refusal);
    if (noise) {
      const diffs = noiseMismatch(noise, [...b, ...c]);
      if (diffs.length && !opts.force) return fail(`--noise ${opts.noise} was recorded for other runs (${diffs.join('; ')}); its spread is not these runs' noise: record one with ringbench noise for this suite and host, or pass --force`);
      if (diffs.length) process.stderr.write(`ringbench compare: --force: judging against --noise ${opts.noise} although ${diffs.join('; ')}\n`);
    }
    comparison = compareResults(b, c, { thresholdPct, noise, noiseSource: opts.noise });
  } catch (err) {
    if (isUsageError(err)) return fail((err as Error).message);
    throw err;
  }

  // The directory is checked before anything is printed, so a refused path leaves stdout empty.
  let benchDir: OutputDir | undefined;
  if (opts.githubBenchmark !== undefined) {
    try {
      benchDir = OutputDir.open(opts.githubBenchmark, { flag: '--github-benchmark', mode: 'report', lock: true });
    } catch (err) {
      process.stderr.write(`ringbench compare: ${(err as Error).message}\n`);
      return err instanceof OutputWriteError ? EXIT.failed : EXIT.usage;
    }
  }
  try {
    const color = format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
    // Wait for the write so that a caller's process.exit() cannot cut a piped comparison short.
    await new Promise<void>((resolve) => process.stdout.write(formatComparison(comparison, format, { color }), () => resolve()));

    if (benchDir) {
      const entries = toGithubActionBenchmark(comparison);
      try {
        // never through a symlink, never into another user's directory (results/outdir.ts)
        const written = Object.entries(GITHUB_BENCHMARK_FILES).map(([kind, name]) => benchDir!.write(name, JSON.stringify(entries[kind as keyof typeof GITHUB_BENCHMARK_FILES], null, 2) + '\n'));
        process.stderr.write(`ringbench compare: wrote ${written.join(' and ')}\n`);
      } catch (err) {
        process.stderr.write(`ringbench compare: ${(err as Error).message}\n`);
        return err instanceof OutputWriteError ? EXIT.failed : EXIT.usage;
      }
    }
  } finally {
    benchDir?.release();
  }
  const nothing = judgedNothing(comparison);
  if (nothing && comparison.summary.regressed === 0) process.stderr.write(`ringbench compare: ${nothing}\n`);
  return comparisonExitCode(comparison);
}

/**
 * `compare` operands: two runs (base, candidate), or runs split by `--` (base runs before it,
 * candidate runs after). `afterSeparator` is how many operands followed `--` on the command line.
 */
export function splitRuns(runs: string[], afterSeparator: number | undefined): { base: string[]; candidate: string[] } | string {
  if (afterSeparator === undefined) {
    if (runs.length !== 2) return `give two runs (BASE CANDIDATE), or several a side split by --: BASE1 BASE2 -- CAND1 CAND2 (got ${runs.length} without --)`;
    return { base: [runs[0]], candidate: [runs[1]] };
  }
  const base = runs.slice(0, runs.length - afterSeparator);
  const candidate = runs.slice(runs.length - afterSeparator);
  if (!base.length || !candidate.length) return `give at least one run on each side of -- (got ${base.length} before and ${candidate.length} after); options go before --`;
  return { base, candidate };
}

function fail(message: string): number {
  process.stderr.write(`ringbench compare: ${message}\n`);
  return EXIT.usage;
}

/**
 * Runs of two different kernels from an emulated kernel matrix (QEMU TCG guests, marked by
 * `ringbench matrix` in environment.matrix) cannot be compared on rates: emulation slows producers
 * more than consumers, so the numbers are not the kernels'. Returns the refusal, or null.
 */
export function emulatedAcrossKernels(base: ResultsFile, candidate: ResultsFile): string | null {
  const emulated = (r: ResultsFile) => (r.environment as { matrix?: { emulated?: boolean } }).matrix?.emulated === true;
  if (!emulated(base) && !emulated(candidate)) return null;
  if (base.environment.kernel === candidate.environment.kernel) return null;
  const who = [emulated(base) ? 'the base' : '', emulated(candidate) ? 'the candidate' : ''].filter(Boolean).join(' and ');
  return `refusing to compare kernels ${base.environment.kernel} and ${candidate.environment.kernel}: ${who} ran emulated (QEMU TCG in ringbench matrix), and rates under emulation are not the kernel's; pass --force to compare anyway, or rerun the matrix with KVM`;
}
