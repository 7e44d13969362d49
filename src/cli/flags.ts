/**
 * cli/flags — the one place for a command's bad-input error (UsageError, exit 2), its flag
 * parsers (integers, the --threshold percentage) and the command defaults, so that `ringbench`,
 * `matrix` and the bench/ scripts say "--runs must be an integer in 2..100; got 'x'" the same way.
 * Fixed sets of words (--format, --accel) are commander's `.choices()`; main.ts turns commander's
 * wording into the same one line. Every default is named once here, for commander's help and for
 * the commands' own fallbacks.
 */
import { InvalidArgumentError } from 'commander';

/** A flag or argument the command cannot use: one line for the user, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Every command default that more than one place needs. */
export const DEFAULTS = {
  /** compare, report, ab: the noise threshold in percent */
  thresholdPct: 5,
  /** noise: runs of the suite */
  noiseRuns: 5,
  /** run */
  runSuite: 'standard',
  /** noise and ab */
  suite: 'quick',
  /** matrix */
  matrixSuite: 'smoke',
  format: 'text',
  accel: 'auto',
  /** size: capped runs at the advised size and at a quarter of it */
  sizeRuns: 5,
  /** size: runs that measure the stalls (20: the advice holds 17 of them, its 85th percentile) */
  sizeMeasureRuns: 20,
} as const;

export const FORMATS = ['text', 'md', 'json'] as const;
export type Format = (typeof FORMATS)[number];
export const ACCELS = ['auto', 'kvm', 'tcg'] as const;

/** A decimal integer in min..max (no 0x, 1e3, 2.0 or blanks), else UsageError naming the flag. */
export function intFlag(flag: string, raw: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer in ${min}..${max}; got '${raw}'`);
  return n;
}

/** intFlag as a commander argParser (commander reports it; main.ts keeps the message as is). */
export function intArg(flag: string, min: number, max: number): (raw: string) => number {
  return (raw) => {
    try {
      return intFlag(flag, raw, min, max);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
}

export const THRESHOLD_RULE = (raw: string | undefined) => `--threshold must be a percentage greater than 0 and less than 1000 (got "${raw}")`;

/** `--threshold` ("5", "2.5" or "5%") as a percentage (default DEFAULTS.thresholdPct); undefined
 *  when it is not one. */
export function parseThreshold(raw: string | undefined): number | undefined {
  if (raw === undefined) return DEFAULTS.thresholdPct;
  const text = raw.trim().replace(/%$/, '');
  const value = text === '' ? NaN : Number(text);
  return Number.isFinite(value) && value > 0 && value < 1000 ? value : undefined;
}

/** parseThreshold, or UsageError. */
export function thresholdFlag(raw: string | undefined): number {
  const t = parseThreshold(raw);
  if (t === undefined) throw new UsageError(THRESHOLD_RULE(raw));
  return t;
}

/** `--format`, or UsageError (commander checks it on the command line; callers in code too). */
export function formatFlag(raw: string | undefined): Format {
  const f = raw ?? DEFAULTS.format;
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got '${raw}'`);
  return f as Format;
}

/**
 * Commander's wording for a refused flag value, as ringbench's one line: "option '--accel
 * <accel>' argument 'xen' is invalid. Allowed choices are auto, kvm, tcg." becomes "--accel must
 * be one of auto, kvm, tcg; got 'xen'"; an argParser's own message is kept alone.
 */
export function commanderLine(s: string): string {
  return s
    .replace(/^error: /, 'ringbench: ')
    .replace(/option '(--[\w-]+)[^']*' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/m, "$1 must be one of $3; got '$2'")
    .replace(/option '--[\w-]+[^']*' argument '.*' is invalid\. /m, '')
    .replace(/\n\(Did you mean (.*)\)$/m, '; did you mean $1');
}
