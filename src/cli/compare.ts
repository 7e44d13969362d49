/**
 * compare-cli — the `ringbench compare BASE CANDIDATE` or `ringbench compare BASE… -- CANDIDATE…`
 * command, with [--noise FILE] [--threshold PCT] [--format text|md|json] [--github-benchmark PATH].
 * Runs are run directories (holding results.json) or results files; with two or more runs a side
 * the runs are the unit of the test, with one a side --noise FILE (from `ringbench noise`) gives
 * the machine's run-to-run spread. The comparison goes to stdout; problems go to stderr as one line.
 *
 * Exit codes: 0 no judged metric regressed; 1 a judged metric regressed beyond the threshold;
 * 2 a bad flag, or an input file that is missing, not a results file, of another schema version, or
 * shares no scenario with the other.
 *
 * --github-benchmark PATH writes two files for github-action-benchmark, because each of its steps
 * takes one tool and one JSON array: PATH minus a trailing ".json", plus ".bigger.json" (tool
 * "customBiggerIsBetter") and ".smaller.json" (tool "customSmallerIsBetter").
 */
import { OutputWriteError, writeOutputFile } from '../results/outdir.js';
import { comparisonExitCode, compareResults } from '../analysis/compare.js';
import { formatComparison } from '../report/compare-format.js';
import { toGithubActionBenchmark } from '../format/github.js';
import { loadResults, ResultsInputError } from '../results/load.js';
import type { ResultsFile } from '../results/schema.js';
import { loadNoise } from '../analysis/noise.js';

const FORMATS = ['text', 'md', 'json'] as const;
type Format = (typeof FORMATS)[number];
const DEFAULT_THRESHOLD_PCT = 5;

export async function compareCommand(
  base: string | string[],
  candidate: string | string[],
  opts: { threshold?: string; format?: string; githubBenchmark?: string; noise?: string; force?: boolean },
): Promise<number> {
  const thresholdPct = parseThreshold(opts.threshold);
  if (thresholdPct === undefined) {
    return fail(THRESHOLD_RULE(opts.threshold));
  }
  const format = (opts.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) {
    return fail(`--format must be one of ${FORMATS.join(', ')} (got "${opts.format}")`);
  }

  let comparison;
  try {
    const load = (side: string | string[]) => (Array.isArray(side) ? side : [side]).map((p) => loadResults(p));
    const noise = opts.noise === undefined ? undefined : loadNoise(opts.noise);
    const [b, c] = [load(base), load(candidate)];
    const refusal = b.flatMap((x) => c.map((y) => emulatedAcrossKernels(x, y))).find((r) => r !== null);
    if (refusal && !opts.force) return fail(refusal);
    comparison = compareResults(b, c, { thresholdPct, noise, noiseSource: opts.noise });
  } catch (err) {
    if (err instanceof ResultsInputError) return fail(err.message);
    throw err;
  }

  const color = format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
  // Wait for the write so that a caller's process.exit() cannot cut a piped comparison short.
  await new Promise<void>((resolve) => process.stdout.write(formatComparison(comparison, format, { color }), () => resolve()));

  if (opts.githubBenchmark) {
    const { biggerIsBetter, smallerIsBetter } = toGithubActionBenchmark(comparison);
    const stem = opts.githubBenchmark.replace(/\.json$/, '');
    const files: [string, unknown][] = [
      [`${stem}.bigger.json`, biggerIsBetter],
      [`${stem}.smaller.json`, smallerIsBetter],
    ];
    try {
      // never through a symlink, never into another user's directory (results/outdir.ts)
      for (const [file, entries] of files) writeOutputFile(file, JSON.stringify(entries, null, 2) + '\n', { flag: '--github-benchmark' });
    } catch (err) {
      process.stderr.write(`ringbench compare: ${(err as Error).message}\n`);
      return err instanceof OutputWriteError ? 1 : 2;
    }
    process.stderr.write(`ringbench compare: wrote ${files.map(([f]) => f).join(' and ')}\n`);
  }
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

/** "5", "2.5" or "5%" → 5; undefined when out of range or not a number. */
export const THRESHOLD_RULE = (raw: string | undefined) =>
  `--threshold must be a percentage greater than 0 and less than 1000 (got "${raw}")`;

/** `--threshold` as a percentage (default 5), or undefined when it is not one. */
export function parseThreshold(raw: string | undefined): number | undefined {
  if (raw === undefined) return DEFAULT_THRESHOLD_PCT;
  const text = raw.trim().replace(/%$/, '');
  const value = text === '' ? NaN : Number(text);
  return Number.isFinite(value) && value > 0 && value < 1000 ? value : undefined;
}

function fail(message: string): 2 {
  process.stderr.write(`ringbench compare: ${message}\n`);
  return 2;
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
