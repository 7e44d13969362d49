/**
 * report-cli — `ringbench report RESULTS… [--out DIR] [--threshold PCT]`: charts, report.html and
 * report.md from saved results. Given exactly two runs, the report also carries the regression
 * comparison (the same verdicts as `ringbench compare`). Unusable inputs are named and skipped.
 */
import { compareResults, loadResults, ResultsInputError } from '../analysis/compare.js';
import { comparisonSections } from '../report/compare-format.js';
import { parseThreshold, THRESHOLD_RULE } from './compare.js';
import { writeReport } from '../report/report.js';
import { OutputWriteError } from '../results/outdir.js';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/** A run directory as given, or the directory of a results file. */
function runDirectoryOf(input: string): string {
  try {
    return statSync(input).isDirectory() ? input : dirname(input);
  } catch {
    return input; // the loader names what is wrong with it
  }
}

export async function reportCommand(inputs: string[], opts: { out?: string; threshold?: string }): Promise<number> {
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
