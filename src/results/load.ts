/**
 * results/load — the one results loader: reads a results.json (or the results.json of a run
 * directory), checks that it is a ringbench results file of the schema this version reads, and
 * remembers which file each loaded object came from so later errors can name it. `loadResults`
 * throws on the first problem (compare, run --resume); `loadResultSets` loads several inputs into
 * labelled ResultSets and turns bad files into error entries (report).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_SCHEMA, type ResultSet, type ResultsFile, type ScenarioRecord } from './schema.js';

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
    text = readFileSync(file, 'utf8');
  } catch (err) {
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
  scenarios.forEach((s: Partial<ScenarioRecord> | null, i) => {
    if (typeof s?.id !== 'string' || typeof s.repeats !== 'object' || s.repeats === null) {
      throw notResults(`scenario #${i + 1} has no "id" or no "repeats"`);
    }
  });
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
