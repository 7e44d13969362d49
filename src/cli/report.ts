/**
 * report-cli — `ringbench report RESULTS… [--out DIR] [--threshold PCT]`: charts, report.html and
 * report.md from saved results. Given exactly two runs, the report also carries the regression
 * comparison (the same verdicts as `ringbench compare`). Unusable inputs are named and skipped.
 * One kernel matrix or fleet folder re-renders that folder's own report (matrix-report.ts,
 * fleet-report.ts); one host of a fleet (DIR/hosts/NAME) is an ordinary run directory.
 */
import { compareResults, loadResults, ResultsInputError } from '../analysis/compare.js';
import { comparisonSections } from '../report/compare-format.js';
import { parseThreshold, THRESHOLD_RULE } from './flags.js';
import { writeReport } from '../report/report.js';
import { OutputDir, OutputDirError, OutputWriteError } from '../results/outdir.js';
import { readFleetFile, writeFleetReport } from '../fleet/fleet-report.js';
import { readMatrixFile, writeMatrixReport } from '../matrix/matrix-report.js';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A run directory as given, or the directory of a results file. */
function runDirectoryOf(input: string): string {
  try {
    return statSync(input).isDirectory() ? input : dirname(input);
  } catch {
    return input; // the loader names what is wrong with it
  }
}

/** `report MATRIX_DIR` or `report FLEET_DIR`: that folder's own report, re-rendered in place. */
async function folderReport(dir: string): Promise<number> {
  const log = (l: string) => process.stderr.write(`ringbench: ${l}\n`);
  try {
    const output = OutputDir.open(dir, { flag: 'report', mode: 'report', lock: true });
    try {
      const out = existsSync(join(output.path, 'fleet.json'))
        ? await writeFleetReport(output, readFleetFile(output.path), log)
        : await writeMatrixReport(output.path, readMatrixFile(output.path), log, output);
      process.stdout.write(`${out.html}\n${out.md}\n`);
      return 0;
    } finally {
      output.release();
    }
  } catch (e) {
    process.stderr.write(`ringbench: ${(e as Error).message}\n`);
    return e instanceof OutputWriteError || !(e instanceof ResultsInputError || e instanceof OutputDirError) ? 1 : 2;
  }
}

/** A fleet folder or a kernel matrix folder (not a run: no results.json of its own). */
export function isFolderOfRuns(input: string): boolean {
  try {
    return statSync(input).isDirectory() && !existsSync(join(input, 'results.json')) && (existsSync(join(input, 'fleet.json')) || existsSync(join(input, 'matrix.json')));
  } catch {
    return false;
  }
}

export async function reportCommand(inputs: string[], opts: { out?: string; threshold?: string }): Promise<number> {
  if (inputs.length === 1 && opts.out === undefined && isFolderOfRuns(inputs[0])) return folderReport(inputs[0]);
  const threshold = parseThreshold(opts.threshold);
  if (threshold === undefined) {
    process.stderr.write(`ringbench: ${THRESHOLD_RULE(opts.threshold)}\n`);
    return 2;
  }
  // one input: the report goes beside it, in the run directory given or the one holding the file
  const outDir = opts.out ?? (inputs.length === 1 ? runDirectoryOf(inputs[0]) : 'reports/report');
  let comparison: ReturnType<typeof comparisonSections> | undefined;
  if (inputs.length === 2) {
    try {
      comparison = comparisonSections(compareResults(loadResults(inputs[0]), loadResults(inputs[1]), { thresholdPct: threshold }));
    } catch (e) {
      if (!(e instanceof ResultsInputError)) throw e;
      process.stderr.write(`ringbench: no comparison section: ${e.message}\n`);
    }
  }
  // Held until the report is written: when it is not, the one error line names every input.
  const logged: string[] = [];
  try {
    const out = await writeReport(inputs, outDir, { comparison, log: (l) => logged.push(`ringbench: ${l}\n`) });
    process.stderr.write(logged.join(''));
    process.stdout.write(`${out.html}\n${out.md}\n`);
    return out.errors.length ? 1 : 0;
  } catch (e) {
    process.stderr.write(`ringbench: ${(e as Error).message}\n`);
    return e instanceof OutputWriteError ? 1 : 2; // a full disk is not bad input
  }
}
