/**
 * results/load — the one results loader: reads a results.json (or the results.json of a run
 * directory), checks that it is a ringbench results file of the schema this version reads, and
 * remembers which file each loaded object came from so later errors can name it. `loadResults`
 * throws on the first problem (compare, run --resume); `loadResultSets` loads several inputs into
 * labelled ResultSets and turns bad files into error entries (report).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputFileError, readJsonInput } from './input.js';
import { aggregate } from './aggregate.js';
import { ResultsInputError } from './errors.js';
import { RESULTS_SCHEMA, type ResultSet, type ResultsFile } from './schema.js';

export { ResultsInputError } from './errors.js';

/** "<file>: <reason>", keeping both parts for callers that list errors per file. */
function fileError(file: string, reason: string): ResultsInputError {
  return new ResultsInputError(`${file}: ${reason}`, { file, reason });
}

/** Where each loaded results object came from, so later errors can name the file. */
const loadedFrom = new WeakMap<object, string>();

/** The file a results object was loaded from, or `fallback` when it did not come from loadResults. */
export function sourceOf(r: ResultsFile, fallback: string): string {
  return loadedFrom.get(r) ?? fallback;
}

/** The largest results file read: a run writes a few MB at most (the full suite with timelines);
 *  a larger one is refused with one line rather than failing inside JSON.parse. */
export const MAX_RESULTS_BYTES = 256 * 1024 * 1024;

/** Read a results file, or the results.json of a run directory; errors name the file. Only a
 *  regular file is read, with MAX_RESULTS_BYTES counted while reading (results/input). */
export function loadResults(pathOrDir: string): ResultsFile {
  let file = pathOrDir;
  try {
    if (statSync(pathOrDir).isDirectory()) file = path.join(pathOrDir, 'results.json');
  } catch (err) {
    throw fileError(pathOrDir, describeFsError(err));
  }
  let read: { data: unknown; hash: string };
  try {
    read = readJsonInput(file, MAX_RESULTS_BYTES);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    const missingInDir = file !== pathOrDir && err.message === 'no such file or directory';
    throw missingInDir
      ? fileError(pathOrDir, 'directory has no results.json (give a run directory or a results.json file)')
      : fileError(file, err.message.replace(/^(.*) is larger than such a file can be/, '$1 is larger than a results file can be').replace(/\)$/, '; a run writes a few MB)'));
  }
  const data = read.data;
  validateResults(data, file);
  upgradeResults(data);
  loadedFrom.set(data, file);
  contentHashes.set(data, read.hash);
  return data;
}

/** sha256 of each loaded results file's bytes: one run, whatever path it was given by. */
const contentHashes = new WeakMap<object, string>();

/** The content hash of a loaded results file (undefined when it did not come from loadResults). */
export function contentHashOf(r: ResultsFile): string | undefined {
  return contentHashes.get(r);
}

/**
 * Refuses the same run given twice (by content, whatever the paths): on one side it would count
 * twice as an independent run, on both sides it compares a run with itself.
 */
export function refuseRepeatedRuns(runs: readonly ResultsFile[], inputs: readonly string[]): void {
  const seen = new Map<string, number>();
  runs.forEach((r, i) => {
    const hash = contentHashOf(r);
    if (hash === undefined) return;
    const first = seen.get(hash);
    if (first !== undefined) {
      throw new ResultsInputError(`${inputs[i]} is the same run as ${inputs[first]} (identical results.json, sha256 ${hash.slice(0, 12)}); give each run once: a run counted twice looks like two runs that agree exactly`);
    }
    seen.set(hash, i);
  });
}

/**
 * Bring results written by earlier versions of the current schema to today's shape, in one place,
 * so analysis, charts and the report read one shape:
 * - a single sustainable-rate search (before searches followed every repeat) becomes a search list
 *   of one: `perRepeat` [rate] and an `aggregate` with n = 1 (no interval);
 * - the run's stored noise notes ("<metric>: 95% CI is ±…", "… outliers") are dropped: they are
 *   derived from the aggregates, which analysis/warnings reads as typed values; the accounting
 *   notes ("repeat N: …") stay.
 * Idempotent: current results pass through unchanged.
 */
export function upgradeResults(data: ResultsFile): ResultsFile {
  for (const r of data.scenarios) {
    const s = r.sustainable;
    if (s && !s.aggregate && Number.isFinite(s.ratePerSec)) {
      s.perRepeat ??= [s.ratePerSec];
      s.aggregate = aggregate(s.perRepeat);
    }
    if (Array.isArray(r.warnings)) r.warnings = r.warnings.filter((w) => !/: (95% CI is ±|\d+ of \d+ repeats are outliers)/.test(w));
  }
  return data;
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return (err as Error).message;
}

/** Throws ResultsInputError naming `name` unless `data` is a results file of RESULTS_SCHEMA. */
export function validateResults(data: unknown, name: string): asserts data is ResultsFile {
  const notResults = (why: string) => fileError(name, `not a ringbench results file (${why})`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw notResults('the top level is not a JSON object');
  }
  const schema = (data as { schema?: unknown }).schema;
  if (schema === undefined) throw notResults(`no "schema" field; expected "${RESULTS_SCHEMA}"`);
  if (typeof schema === 'string' && schema.startsWith('ringbench/results@') && schema !== RESULTS_SCHEMA) {
    throw fileError(name, `results schema "${schema}" is not supported; this ringbench reads "${RESULTS_SCHEMA}"`);
  }
  if (schema !== RESULTS_SCHEMA) throw notResults(`schema ${JSON.stringify(schema)}, expected "${RESULTS_SCHEMA}"`);
  const scenarios = (data as { scenarios?: unknown }).scenarios;
  if (!Array.isArray(scenarios)) throw notResults('no "scenarios" list');
  const problem = shapeProblem(data as Record<string, unknown>);
  if (problem) throw fileError(name, `corrupt results file: ${problem}`);
}

type Check = (v: unknown) => string | undefined;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A nested path continues the field ("[0]", ".mean"); words follow after a space. */
const joined = (why: string) => (why.startsWith('[') || why.startsWith('.') ? why : ` ${why}`);
/** The value as the file holds it: Infinity is "Infinity" (JSON.stringify would say null). */
const got = (v: unknown) => (v === undefined ? 'nothing' : typeof v === 'number' ? String(v) : JSON.stringify(v)?.slice(0, 40) ?? String(v));
const string: Check = (v) => (typeof v === 'string' ? undefined : `must be a string; got ${got(v)}`);
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : `must be true or false; got ${got(v)}`);
const finite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `must be a number; got ${got(v)}`);
/** Counts, rates, times and sizes: every measured value ringbench records is ≥ 0. */
const nonNegative: Check = (v) => finite(v) ?? ((v as number) < 0 ? `must be a number ≥ 0; got ${got(v)}` : undefined);
const nonNegativeOrNull: Check = (v) => (v === null ? undefined : nonNegative(v));
/** Aggregates may hold null where JSON could not write a number (relCi of a zero mean). */
const numberOrNull: Check = (v) => (v === null ? undefined : finite(v));
const object: Check = (v) => (isRecord(v) ? undefined : `must be an object; got ${got(v)}`);
const oneOf = (...values: string[]): Check => (v) => (values.includes(v as string) ? undefined : `must be one of ${values.join(', ')}; got ${got(v)}`);

/** The first field of `o` that `fields` refuses, as "<path> <why>"; optional fields end in "?". */
function fieldsProblem(o: unknown, fields: Record<string, Check>, at: string): string | undefined {
  if (!isRecord(o)) return `${at || 'the top level'} must be an object; got ${got(o)}`;
  for (const [spec, check] of Object.entries(fields)) {
    const optional = spec.endsWith('?');
    const key = optional ? spec.slice(0, -1) : spec;
    if (optional && o[key] === undefined) continue;
    const why = check(o[key]);
    if (why) return `${at ? `${at}.` : ''}${key}${joined(why)}`;
  }
  return undefined;
}

/** Every value of a record passes `check` (named `at["key"]`). */
const recordOf = (check: Check): Check => (v) => {
  if (!isRecord(v)) return `must be an object; got ${got(v)}`;
  for (const [k, x] of Object.entries(v)) {
    const why = check(x);
    if (why) return `[${JSON.stringify(k)}]${joined(why)}`;
  }
  return undefined;
};
const listOf = (check: Check): Check => (v) => {
  if (!Array.isArray(v)) return `must be a list; got ${got(v)}`;
  for (let i = 0; i < v.length; i++) {
    const why = check(v[i]);
    if (why) return `[${i}]${joined(why)}`;
  }
  return undefined;
};
const shaped = (fields: Record<string, Check>): Check => (v) => {
  const why = fieldsProblem(v, fields, '');
  return why === undefined ? undefined : isRecord(v) ? `.${why}` : why;
};

const AGGREGATE = shaped({ n: nonNegative, mean: nonNegativeOrNull, stddev: nonNegativeOrNull, min: nonNegativeOrNull, max: nonNegativeOrNull, median: nonNegativeOrNull, 'ci95?': listOf(numberOrNull), 'relCi?': nonNegativeOrNull, 'outliers?': nonNegative });
const SCENARIO: Record<string, Check> = {
  id: string,
  group: string,
  label: string,
  transport: oneOf('ringbuf', 'perfbuf'),
  config: object,
  repeats: recordOf(listOf(nonNegative)),
  aggregates: recordOf(AGGREGATE),
  'x?': shaped({ name: string, value: numberOrNull }), // null: a sweep over words (reader: libbpf)
  'warnings?': listOf(string),
  'attachedVia?': string,
  'precision?': shaped({ relCi: finite, maxRepeats: finite, maxSeconds: finite, stoppedBy: oneOf('precise', 'max-repeats', 'max-seconds', 'out-of-reach'), 'needed?': finite }),
  'setAside?': listOf(shaped({ repeat: nonNegative, rateCap: nonNegative, cpuPairNs: nonNegative, generatedPerSec: nonNegative, droppedKernel: nonNegative })),
  'sustainable?': shaped({ 'searches?': listOf(listOf(shaped({ rateCap: nonNegative, generatedPerSec: nonNegative, droppedKernel: nonNegative, 'events?': nonNegative, 'fill?': nonNegative }))) }),
  'lossCurve?': shaped({
    seconds: nonNegative, ceilingPerSec: nonNegative, from: nonNegative, bufferBytes: nonNegative, recordBytes: nonNegative,
    stall: oneOf('commit-to-read', 'latency-max'), maxDropUpper: nonNegative, complete: boolean,
    points: listOf(shaped({
      rateCap: nonNegative, runs: nonNegative, dropped: nonNegative, share: nonNegative, pDrop: shaped({ lo: nonNegative, hi: nonNegative }),
      samples: listOf(shaped({ generatedPerSec: nonNegative, events: nonNegative, droppedKernel: nonNegative, fill: nonNegative, stallNs: nonNegative, 'pendingGapNs?': nonNegative, 'cpuPairNs?': nonNegative })),
    })),
  }),
};

/** Types, not just the schema string: a schema-valid file with strings for numbers would
 *  otherwise compare as "0 regressions". Returns "<field path> <why>" for the first bad field. */
function shapeProblem(data: Record<string, unknown>): string | undefined {
  const top = fieldsProblem(data, { suite: string, 'suiteHash?': string, 'command?': string, startedAt: string, complete: boolean, 'environment?': object,
    'control?': shaped({ samples: recordOf(listOf(nonNegative)) }), 'machine?': shaped({ cpuSeconds: nonNegative, stealSeconds: nonNegative }) }, '');
  if (top) return top;
  const scenarios = data.scenarios as unknown[];
  for (let i = 0; i < scenarios.length; i++) {
    const why = fieldsProblem(scenarios[i], SCENARIO, `scenarios[${i}]`);
    if (why) return why;
  }
  return undefined;
}

/**
 * Load every input (a results.json or a run directory holding one) into labelled sets; a bad input
 * becomes an error entry `{ file, error }` (error = the reason, without the file name) and is also
 * passed to `log`. The others still load.
 */
export async function loadResultSets(
  inputs: readonly string[],
  log: (line: string) => void = () => {},
): Promise<{ sets: ResultSet[]; errors: { file: string; error: string }[] }> {
  const loaded: { file: string; results: ResultsFile }[] = [];
  const errors: { file: string; error: string }[] = [];
  for (const input of inputs) {
    try {
      const results = loadResults(input);
      // Old or hand-made files may lack the environment; readers label sets by it.
      results.environment ??= {} as ResultsFile['environment'];
      loaded.push({ file: sourceOf(results, input), results });
    } catch (e) {
      if (!(e instanceof ResultsInputError)) throw e;
      const error = { file: e.file ?? input, error: e.reason };
      errors.push(error);
      log(`report: skipping ${error.file}: ${error.error}`);
    }
  }
  return { sets: labelSets(loaded), errors };
}

/** "hostname · kernel" per set; when two sets share it, the file names tell them apart. */
function labelSets(loaded: readonly { file: string; results: ResultsFile }[]): ResultSet[] {
  const envLabel = (r: ResultsFile) =>
    [r.environment?.hostname, r.environment?.kernel].filter(Boolean).join(' · ') || 'unknown host';
  const fileLabel = (f: string) => {
    const base = path.basename(f);
    return base === 'results.json' ? `${path.basename(path.dirname(path.resolve(f)))}/${base}` : base;
  };
  const count = (labels: string[], l: string) => labels.filter((x) => x === l).length;
  const env = loaded.map((l) => envLabel(l.results));
  const byFile = loaded.map((l) => fileLabel(l.file));
  return loaded.map((l, i) => {
    let label = env[i];
    if (count(env, label) > 1) label = count(byFile, byFile[i]) > 1 ? path.relative(process.cwd(), l.file) || l.file : byFile[i];
    return { file: l.file, results: l.results, label, tag: String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '') };
  });
}

/** A run folder's results, or undefined when it has none or they are unusable (a folder of runs
 *  reports the runs it can: a matrix's kernels, a fleet's hosts). */
export function loadResultsIfUsable(dir: string): ResultsFile | undefined {
  if (!existsSync(path.join(dir, 'results.json'))) return undefined;
  try {
    return loadResults(dir);
  } catch (e) {
    if (e instanceof ResultsInputError) return undefined;
    throw e;
  }
}
