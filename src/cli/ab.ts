/**
 * ab-cli — `ringbench ab --suite S --a KNOBS|SUITE --b KNOBS|SUITE [--threshold PCT]
 * [--format text|md|json] [--out DIR]`: the paired mode (suite/ab.ts). A and B run interleaved
 * trial by trial and B is judged against A from the paired differences; the recommended way to
 * test a change that needs no reboot (a knob, a wake-up policy, a consumer). The comparison goes to
 * stdout, progress to stderr; with --out both sides are also written as runs (DIR/a, DIR/b) that
 * `compare` and `report` read.
 *
 * Exit codes: 0 nothing judged regressed in B; 1 a judged metric regressed (or the kernel refused);
 * 2 bad flags, knobs or suites; 130/143 interrupted (the pairs finished so far are compared).
 */
import { join } from 'node:path';
import { compareResults, comparisonExitCode } from '../analysis/compare.js';
import { formatComparison } from '../report/compare-format.js';
import { fmtSi } from '../format/units.js';
import { probe } from '../harness/probe.js';
import { checkOutputPath, OutputDir } from '../results/outdir.js';
import { writeResults } from '../results/write.js';
import { planAb, runAb } from '../suite/ab.js';
import { parseThreshold, THRESHOLD_RULE } from './compare.js';
import { EXIT, reportError, UsageError, cannotRun } from './errors.js';
import { onInterrupt } from './signals.js';

export interface AbOptions {
  suite?: string;
  a: string;
  b: string;
  threshold?: string;
  format?: string;
  out?: string;
}

const FORMATS = ['text', 'md', 'json'] as const;

export async function abCommand(opts: AbOptions): Promise<number> {
  let plan;
  let thresholdPct: number;
  try {
    const t = parseThreshold(opts.threshold);
    if (t === undefined) throw new UsageError(THRESHOLD_RULE(opts.threshold));
    thresholdPct = t;
    if (!(FORMATS as readonly string[]).includes(opts.format ?? 'text')) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${opts.format}")`);
    plan = planAb(opts.suite ?? 'quick', opts.a, opts.b);
    if (opts.out !== undefined) checkOutputPath(opts.out, '--out');
  } catch (e) {
    return reportError(e);
  }
  const capabilities = probe();
  const refused = cannotRun(capabilities);
  if (refused !== undefined) return refused;
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
    if (opts.out !== undefined) {
      for (const [side, results] of [['a', a], ['b', b]] as const) {
        const dir = OutputDir.open(join(opts.out, side), { flag: '--out', mode: 'new', lock: true });
        try {
          writeResults(dir, results);
        } finally {
          dir.release();
        }
      }
      process.stderr.write(`ringbench ab: wrote ${join(opts.out, 'a')} and ${join(opts.out, 'b')}\n`);
    }
    if (!a.scenarios.length) {
      process.stderr.write('ringbench ab: no pair finished: nothing to compare\n');
      return interrupts.exitCode ?? EXIT.failed;
    }
    const comparison = compareResults(a, b, { thresholdPct, paired: true });
    comparison.warnings.unshift(...plan.warnings);
    const format = (opts.format ?? 'text') as (typeof FORMATS)[number];
    const color = format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
    await new Promise<void>((resolve) => process.stdout.write(formatComparison(comparison, format, { color }), () => resolve()));
    return interrupts.exitCode ?? comparisonExitCode(comparison);
  } catch (e) {
    return reportError(e);
  } finally {
    interrupts.dispose();
  }
}
