/**
 * report/load — reads the report's inputs (a results.json, or a run directory holding one) into
 * labelled result sets; a file that cannot be used becomes a named error, not a crash.
 * (Kept here until the shared results loader, src/results/load.ts, exists.)
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { RESULTS_SCHEMA, type ResultSet, type ResultsFile } from '../results/schema.js';

/** An input the report could not use, and why. */
export interface InputError {
  file: string;
  error: string;
}

/** Read every input (a results.json or a run directory holding one); bad files become errors. */
export async function loadResultSets(
  inputs: readonly string[],
  log: (line: string) => void = () => {},
): Promise<{ sets: ResultSet[]; errors: InputError[] }> {
  const loaded: { file: string; results: ResultsFile }[] = [];
  const errors: InputError[] = [];
  const fail = (file: string, error: string) => {
    errors.push({ file, error });
    log(`report: skipping ${file}: ${error}`);
  };
  for (const input of inputs) {
    let file = input;
    try {
      if ((await stat(input)).isDirectory()) file = path.join(input, 'results.json');
    } catch {
      fail(input, 'no such file or directory');
      continue;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      fail(file, `cannot read: ${(e as Error).message}`);
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      fail(file, `not valid JSON (${(e as Error).message})`);
      continue;
    }
    const schema = (data as { schema?: unknown } | null)?.schema;
    if (schema !== RESULTS_SCHEMA) {
      fail(file, `schema is ${JSON.stringify(schema ?? null)}, expected "${RESULTS_SCHEMA}"`);
      continue;
    }
    const r = data as ResultsFile;
    if (!Array.isArray(r.scenarios)) {
      fail(file, 'has no "scenarios" array');
      continue;
    }
    r.environment ??= {} as ResultsFile['environment'];
    loaded.push({ file, results: r });
  }
  return { sets: labelSets(loaded), errors };
}

/** "hostname · kernel" per set; when two sets share it, the file names tell them apart. */
function labelSets(loaded: { file: string; results: ResultsFile }[]): ResultSet[] {
  const envLabel = (r: ResultsFile) =>
    [r.environment.hostname, r.environment.kernel].filter(Boolean).join(' · ') || 'unknown host';
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
