/**
 * ab-cli — `ringbench ab --suite S --a KNOBS|SUITE --b KNOBS|SUITE [--threshold PCT]
 * [--format text|md|json] [--out DIR]`: the paired mode (suite/ab.ts). A and B run interleaved
 * trial by trial and B is judged against A from the paired differences; the recommended way to
 * test a change that needs no reboot (a knob, a wake-up policy, a consumer). The comparison goes to
 * stdout, progress to stderr; with --out both sides are also written as runs (DIR/a, DIR/b) that
 * `compare` and `report` read.
 *
 * Exit codes: 0 nothing judged regressed in B; 1 a judged metric regressed (or the kernel refused);
 * 2 bad flags, knobs or suites; 3 no judged metric could be decided (too few pairs); 130/143 interrupted (the pairs finished so far are compared).
 */
import { join } from 'node:path';
import { compareResults, comparisonExitCode, judgedNothing } from '../analysis/compare.js';
import { formatComparison } from '../report/compare-format.js';
import { fmtSi } from '../format/units.js';
import { probe } from '../harness/probe.js';
import { checkOutputPath, OutputDir } from '../results/outdir.js';
import { writeResults } from '../results/write.js';
import { planAb, runAb } from '../suite/ab.js';
import { EXIT, reportError, cannotRun } from './errors.js';
import { DEFAULTS, formatFlag, thresholdFlag, type Format } from './flags.js';
import { onInterrupt } from './signals.js';

export interface AbOptions {
  suite?: string;
  a: string;
  b: string;
  threshold?: string;
  format?: string;
  out?: string;
}

export async function abCommand(opts: AbOptions): Promise<number> {
  let plan;
  let thresholdPct: number;
  let format: Format;
  try {
    thresholdPct = thresholdFlag(opts.threshold);
    format = formatFlag(opts.format);
    plan = planAb(opts.suite ?? DEFAULTS.suite, opts.a, opts.b);
    if (opts.out !== undefined) checkOutputPath(opts.out, '--out');
  } catch (e) {
    return reportError(e);
  }
  const capabilities = probe();
  const refused = cannotRun(capabilities);
  if (refused !== undefined) return refused;
  // Taken before the pairs run (never after: a refused directory would lose them), locked.
  let out: OutputDir | undefined;
  try {
    if (opts.out !== undefined) out = OutputDir.open(opts.out, { flag: '--out', mode: 'new', lock: true });
  } catch (e) {
    return reportError(e);
  }
  for (const w of plan.warnings) process.stderr.write(`ringbench ab: ${w}\n`);
  process.stderr.write(`ringbench ab: ${plan.pairs.length} scenarios × ${plan.repeats} pairs (+${plan.warmup} warm-up), A and B interleaved\n`);
  const command = ['ringbench', 'ab', ...process.argv.slice(3)].join(' ');
  const run = runAb(plan, {
    capabilities,
    command,
    onTrial: (p) => process.stderr.write(`[${p.done}/${p.total}] ${p.id} ${p.side.toUpperCase()}${p.warmup ? ' warm-up' : ''}: ${fmtSi(p.result.rates.deliveredPerSec)} delivered/s\n`),
  });
  const interrupts = onInterrupt(() => run.stop(), 'stopping the current trial; finished pairs are compared');
  try {
    const { a, b } = await run.done;
    if (out) {
      for (const [side, results] of [['a', a], ['b', b]] as const) writeResults(out.subdir(side), results);
      process.stderr.write(`ringbench ab: wrote ${join(out.path, 'a')} and ${join(out.path, 'b')}\n`);
    }
    if (!a.scenarios.length) {
      process.stderr.write('ringbench ab: no pair finished: nothing to compare\n');
      return interrupts.exitCode ?? EXIT.failed;
    }
    const comparison = compareResults(a, b, { thresholdPct, paired: true });
    comparison.warnings.unshift(...plan.warnings);
    const color = format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
    await new Promise<void>((resolve) => process.stdout.write(formatComparison(comparison, format, { color }), () => resolve()));
    const nothing = judgedNothing(comparison);
    if (nothing && comparison.summary.regressed === 0 && interrupts.exitCode === undefined) process.stderr.write(`ringbench ab: ${nothing}\n`);
    return interrupts.exitCode ?? comparisonExitCode(comparison);
  } catch (e) {
    return reportError(e);
  } finally {
    interrupts.dispose();
    out?.release();
  }
}
