/**
 * cli/errors — the exit codes of every command, and the one place that turns an error into one
 * line on stderr and its code. README "Exit codes" documents the same table; the abuse tier
 * (test/output-safety, signals, abuse-input) holds the commands to it.
 */
import { ResultsInputError } from '../results/load.js';
import { ConfigError } from '../harness/knobs.js';
import { OutputDirError } from '../results/outdir.js';
import { SuiteError } from '../suite/suite.js';
import type { ProbeReport } from '../harness/probe.js';
import { InputFileError } from '../results/input.js';
import { GATE_EXIT } from '../analysis/gate-exit.js';
import { UsageError } from './flags.js';

export const EXIT = {
  /** the command did its job (a --timeout-ms bound is a normal outcome: a note says so) */
  ok: 0,
  /** the kernel, the machine or a write refused; `compare`: a judged metric regressed */
  failed: 1,
  /** bad input: a flag, field, file or output directory; nothing was loaded or written */
  usage: 2,
  /** `compare`, `ab`: no judged metric could be decided (too few repeats or runs): the gate fails closed */
  judgedNothing: GATE_EXIT.judgedNothing,
  /** stopped by SIGINT (Ctrl-C): finished work is kept, partial results printed or saved */
  sigint: 130,
  /** stopped by SIGTERM: as SIGINT */
  sigterm: 143,
} as const;

export { UsageError };

/** Errors that mean "bad input": the message names what is wrong and what is valid. */
export function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || e instanceof ConfigError || e instanceof SuiteError || e instanceof ResultsInputError || e instanceof OutputDirError || e instanceof InputFileError;
}

/** One line, starting with "ringbench: ", whatever the message looked like. */
export function oneLine(message: string): string {
  const flat = message.replace(/\s*\n\s*/g, ' ').trim();
  return flat.startsWith('ringbench') ? flat : `ringbench: ${flat}`;
}

/** Prints the error as one line and returns its exit code: 2 for bad input, 1 for anything else. */
export function reportError(e: unknown): number {
  process.stderr.write(oneLine(e instanceof Error ? e.message : String(e)) + '\n');
  return isUsageError(e) ? EXIT.usage : EXIT.failed;
}

/** The probe said no: prints why (each reason names the fix) and returns the exit code; undefined
 *  when ringbench can run here. Commands check this before creating anything. */
export function cannotRun(report: ProbeReport): number | undefined {
  if (report.verdict.canRun) return undefined;
  process.stderr.write(`ringbench: cannot run here:\n${report.verdict.reasons.map((r) => `  - ${r}`).join('\n')}\n`);
  return EXIT.failed;
}
