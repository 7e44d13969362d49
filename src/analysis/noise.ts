/**
 * analysis/noise — this machine's run-to-run spread (`ringbench noise`): the same suite run N times
 * (A/A), and for every scenario × metric the mean and standard deviation of the N run means, plus
 * the same for the control. compare --noise FILE judges a single pair of runs against it: two runs
 * of one build differ by about √2 × that spread, which repeats inside one run cannot see (a whole
 * run shifts together).
 */
import { mean, stddev } from './stats.js';
import { controlSamples, scenarioValues } from './samples.js';
import type { ResultsFile } from '../results/schema.js';
import { MAX_RESULTS_BYTES, ResultsInputError } from '../results/load.js';
import { InputFileError, readJsonInput } from '../results/input.js';

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

/** A noise file is smaller than the results it was built from. */
const MAX_NOISE_BYTES = MAX_RESULTS_BYTES;

/** Reads a noise file; a missing, malformed or forged one is a ResultsInputError naming it. Only a
 *  regular file is read (results/input); every spread must be finite and ≥ 0 with n ≥ 2, and
 *  `runs` at least 2: a negative or infinite spread would make any change "within noise". */
export function loadNoise(path: string): NoiseFile {
  let data: unknown;
  try {
    data = readJsonInput(path, MAX_NOISE_BYTES).data;
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    throw new ResultsInputError(`--noise ${path}: ${e.message}`);
  }
  const d = data as Partial<NoiseFile> | null;
  if (!d || typeof d !== 'object' || d.schema !== NOISE_SCHEMA || typeof d.scenarios !== 'object' || d.scenarios === null || typeof d.runs !== 'number') {
    throw new ResultsInputError(`--noise ${path}: not a ringbench noise file (expected schema "${NOISE_SCHEMA}"; make one with: ringbench noise --suite S --runs 5 --out FILE)`);
  }
  const problem = noiseProblem(d);
  if (problem) throw new ResultsInputError(`--noise ${path}: corrupt noise record: ${problem}`);
  return d as NoiseFile;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

/** The first field of a noise record that cannot be a measured spread, or undefined. */
function noiseProblem(d: Partial<NoiseFile>): string | undefined {
  if (!Number.isInteger(d.runs) || d.runs! < 2) return `runs must be an integer ≥ 2 (a spread needs two runs); got ${shown(d.runs)}`;
  if (typeof d.suite !== 'string') return `suite must be a string; got ${shown(d.suite)}`;
  if (d.environment !== undefined && !isObject(d.environment)) return `environment must be an object; got ${shown(d.environment)}`;
  const spread = (s: unknown, at: string): string | undefined => {
    if (!isObject(s)) return `${at} must be an object; got ${shown(s)}`;
    if (!Number.isInteger(s.n) || (s.n as number) < 2 || (s.n as number) > d.runs!) return `${at}.n must be an integer in 2..${d.runs} (the runs); got ${shown(s.n)}`;
    if (typeof s.mean !== 'number' || !Number.isFinite(s.mean) || s.mean < 0) return `${at}.mean must be a finite number ≥ 0; got ${shown(s.mean)}`;
    if (typeof s.sd !== 'number' || !Number.isFinite(s.sd) || s.sd < 0) return `${at}.sd must be a finite number ≥ 0; got ${shown(s.sd)}`;
    return undefined;
  };
  const metrics = (m: unknown, at: string): string | undefined => {
    if (!isObject(m)) return `${at} must be an object; got ${shown(m)}`;
    for (const [k, v] of Object.entries(m)) {
      const why = spread(v, `${at}[${JSON.stringify(k)}]`);
      if (why) return why;
    }
    return undefined;
  };
  for (const [id, m] of Object.entries(d.scenarios as Record<string, unknown>)) {
    const why = metrics(m, `scenarios[${JSON.stringify(id)}]`);
    if (why) return why;
  }
  return d.control === undefined ? undefined : metrics(d.control, 'control');
}

/**
 * What differs between a noise record and the runs it would judge: another suite, host, kernel
 * or CPU makes its spread another machine's. Empty when it fits.
 */
export function noiseMismatch(noise: NoiseFile, runs: readonly ResultsFile[]): string[] {
  const diffs: string[] = [];
  const e = noise.environment ?? {};
  for (const r of runs) {
    if (r.suite !== noise.suite) diffs.push(`suite '${noise.suite}' in the record, '${r.suite}' in the run`);
    const re = r.environment ?? ({} as ResultsFile['environment']);
    for (const key of ['hostname', 'kernel', 'cpuModel', 'cpuCount'] as const) {
      if (e[key] !== undefined && re[key] !== undefined && e[key] !== re[key]) diffs.push(`${key} ${String(e[key])} in the record, ${String(re[key])} in the run`);
    }
  }
  return [...new Set(diffs)];
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
