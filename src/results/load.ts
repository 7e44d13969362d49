/**
 * results/load — the one results loader: reads a results.json (or the results.json of a run
 * directory), checks that it is a ringbench results file of the schema this version reads, and
 * remembers which file each loaded object came from so later errors can name it. `loadResults`
 * throws on the first problem (compare, run --resume); `loadResultSets` loads several inputs into
 * labelled ResultSets and turns bad files into error entries (report).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_SCHEMA, type ResultSet, type ResultsFile } from './schema.js';

/** An input problem the user can fix (bad file, incompatible runs); the message names the file. */
export class ResultsInputError extends Error {
  override name = 'ResultsInputError';
  /** the file (or input path) the problem is about, when there is one */
  readonly file?: string;
  /** the message without the leading "<file>: " */
  readonly reason: string;
  constructor(message: string, where?: { file: string; reason: string }) {
    super(message);
    this.file = where?.file;
    this.reason = where?.reason ?? message;
  }
}

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

/** Read a results file, or the results.json of a run directory; errors name the file. */
export function loadResults(pathOrDir: string): ResultsFile {
  let file = pathOrDir;
  try {
    if (statSync(pathOrDir).isDirectory()) file = path.join(pathOrDir, 'results.json');
  } catch (err) {
    throw fileError(pathOrDir, describeFsError(err));
  }
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_RESULTS_BYTES) {
      throw fileError(file, `${(size / 2 ** 20).toFixed(0)} MiB is larger than a results file can be (at most ${MAX_RESULTS_BYTES / 2 ** 20} MiB; a run writes a few MB)`);
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ResultsInputError) throw err;
    const missingInDir = file !== pathOrDir && (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw missingInDir
      ? fileError(pathOrDir, 'directory has no results.json (give a run directory or a results.json file)')
      : fileError(file, describeFsError(err));
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw fileError(file, `not JSON (${(err as Error).message})`);
  }
  validateResults(data, file);
  loadedFrom.set(data, file);
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
const got = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 40) ?? String(v));
const string: Check = (v) => (typeof v === 'string' ? undefined : `must be a string; got ${got(v)}`);
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : `must be true or false; got ${got(v)}`);
const finite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `must be a number; got ${got(v)}`);
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

const AGGREGATE = shaped({ n: finite, mean: numberOrNull, stddev: numberOrNull, min: numberOrNull, max: numberOrNull, median: numberOrNull, 'ci95?': listOf(numberOrNull), 'relCi?': numberOrNull, 'outliers?': finite });
const SCENARIO: Record<string, Check> = {
  id: string,
  group: string,
  label: string,
  transport: oneOf('ringbuf', 'perfbuf'),
  config: object,
  repeats: recordOf(listOf(finite)),
  aggregates: recordOf(AGGREGATE),
  'x?': shaped({ name: string, value: numberOrNull }), // null: a sweep over words (reader: libbpf)
  'warnings?': listOf(string),
  'attachedVia?': string,
  'precision?': shaped({ relCi: finite, maxRepeats: finite, maxSeconds: finite, stoppedBy: oneOf('precise', 'max-repeats', 'max-seconds', 'out-of-reach'), 'needed?': finite }),
  'setAside?': listOf(shaped({ repeat: finite, rateCap: finite, cpuPairNs: finite, generatedPerSec: finite, droppedKernel: finite })),
  'sustainable?': shaped({ 'searches?': listOf(listOf(shaped({ rateCap: finite, generatedPerSec: finite, droppedKernel: finite, 'events?': finite, 'fill?': finite }))) }),
  'lossCurve?': shaped({
    seconds: finite, ceilingPerSec: finite, from: finite, bufferBytes: finite, recordBytes: finite,
    stall: oneOf('commit-to-read', 'latency-max'), maxDropUpper: finite, complete: boolean,
    points: listOf(shaped({
      rateCap: finite, runs: finite, dropped: finite, share: finite, pDrop: shaped({ lo: finite, hi: finite }),
      samples: listOf(shaped({ generatedPerSec: finite, events: finite, droppedKernel: finite, fill: finite, stallNs: finite, 'pendingGapNs?': finite, 'cpuPairNs?': finite })),
    })),
  }),
};

/** Types, not just the schema string: a schema-valid file with strings for numbers would
 *  otherwise compare as "0 regressions". Returns "<field path> <why>" for the first bad field. */
function shapeProblem(data: Record<string, unknown>): string | undefined {
  const top = fieldsProblem(data, { suite: string, 'command?': string, startedAt: string, complete: boolean, 'environment?': object,
    'control?': shaped({ samples: recordOf(listOf(finite)) }), 'machine?': shaped({ cpuSeconds: finite, stealSeconds: finite }) }, '');
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
