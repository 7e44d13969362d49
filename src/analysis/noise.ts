/**
 * analysis/noise — this machine's run-to-run spread (`ringbench noise`): the same suite run N times
 * (A/A), and for every scenario × metric the mean and standard deviation of the N run means, plus
 * the same for the control. compare --noise FILE judges a single pair of runs against it: two runs
 * of one build differ by about √2 × that spread, which repeats inside one run cannot see (a whole
 * run shifts together).
 */
import { readFileSync, statSync } from 'node:fs';
import { mean, stddev } from './stats.js';
import { controlSamples, scenarioValues } from './samples.js';
import type { ResultsFile } from '../results/schema.js';
import { MAX_RESULTS_BYTES, ResultsInputError } from '../results/load.js';

export const NOISE_SCHEMA = 'ringbench/noise@1';

/** One metric's spread over the noise runs: mean and standard deviation of the run means. */
export interface Spread {
  /** runs that measured it */
  n: number;
  mean: number;
  sd: number;
}

export interface NoiseFile {
  schema: typeof NOISE_SCHEMA;
  suite: string;
  createdAt: string;
  /** the runs it was built from (result files or directories) */
  sources: string[];
  runs: number;
  /** where the runs ran (of the first run) */
  environment: { hostname?: string; kernel?: string; cpuModel?: string; cpuCount?: number; gitCommit?: string };
  /** scenario id → metric → spread of run means */
  scenarios: Record<string, Record<string, Spread>>;
  /** control metric → spread of run means */
  control: Record<string, Spread>;
}

function spreadOf(runMeans: number[]): Spread {
  return { n: runMeans.length, mean: mean(runMeans), sd: runMeans.length > 1 ? stddev(runMeans) : 0 };
}

/** The noise record of N runs of one suite (N ≥ 2). */
export function buildNoise(runs: ResultsFile[], sources: string[]): NoiseFile {
  if (runs.length < 2) throw new RangeError('a noise record needs at least two runs');
  const perScenario = new Map<string, Map<string, number[]>>();
  const control = new Map<string, number[]>();
  for (const run of runs) {
    for (const rec of run.scenarios) {
      const metrics = perScenario.get(rec.id) ?? new Map<string, number[]>();
      perScenario.set(rec.id, metrics);
      for (const [metric, values] of scenarioValues(run, rec)) {
        metrics.set(metric, [...(metrics.get(metric) ?? []), mean(values)]);
      }
    }
    for (const [metric, values] of controlSamples(run)) control.set(metric, [...(control.get(metric) ?? []), mean(values)]);
  }
  const e = runs[0].environment ?? ({} as ResultsFile['environment']);
  const spreads = (m: Map<string, number[]>) =>
    Object.fromEntries([...m].filter(([, v]) => v.length >= 2).map(([k, v]) => [k, spreadOf(v)]));
  return {
    schema: NOISE_SCHEMA,
    suite: runs[0].suite,
    createdAt: new Date().toISOString(),
    sources,
    runs: runs.length,
    environment: { hostname: e.hostname, kernel: e.kernel, cpuModel: e.cpuModel, cpuCount: e.cpuCount, gitCommit: e.gitCommit },
    scenarios: Object.fromEntries([...perScenario].map(([id, m]) => [id, spreads(m)])),
    control: spreads(control),
  };
}

/** Reads a noise file; a missing or malformed one is a ResultsInputError naming it. */
export function loadNoise(path: string): NoiseFile {
  let data: unknown;
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    /* read below names the problem */
  }
  if (size > MAX_RESULTS_BYTES) {
    throw new ResultsInputError(`--noise ${path}: ${(size / 2 ** 20).toFixed(0)} MiB is larger than a noise file can be (at most ${MAX_RESULTS_BYTES / 2 ** 20} MiB)`);
  }
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a noise file' : (e as Error).message;
    throw new ResultsInputError(`--noise ${path}: ${why}`);
  }
  const d = data as Partial<NoiseFile> | null;
  if (!d || d.schema !== NOISE_SCHEMA || typeof d.scenarios !== 'object' || typeof d.runs !== 'number') {
    throw new ResultsInputError(`--noise ${path}: not a ringbench noise file (expected schema "${NOISE_SCHEMA}"; make one with: ringbench noise --suite S --runs 5 --out FILE)`);
  }
  return d as NoiseFile;
}

/**
 * The standard error of (candidate run mean − base run mean) for a single pair, from the recorded
 * spread, scaled to this base mean (a spread of 3% stays 3% at another level); with its degrees of
 * freedom (runs − 1). undefined when the noise record lacks the metric.
 */
export function pairStandardError(s: Spread | undefined, baseMean: number): { se: number; df: number } | undefined {
  if (!s || s.n < 2) return undefined;
  const sd = s.mean !== 0 ? (s.sd / Math.abs(s.mean)) * Math.abs(baseMean) : s.sd;
  return { se: Math.SQRT2 * sd, df: s.n - 1 };
}
