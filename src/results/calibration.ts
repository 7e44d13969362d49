/**
 * results/calibration — a calibration against the kernel's own ring buffer benchmark
 * (bench/kernel/calibrate.mjs --json, schema ringbench/kernel-calibration@1), attached to a run's
 * results as the optional `calibration` field (`ringbench run --calibration FILE`), so the report
 * can show ringbench's figures beside the kernel's. Only the summary is kept: per variant and
 * wake-up mode, the kernel's and ringbench's M events/s and their paired ratio, each mean ± 95% CI
 * half-width over the rounds.
 */
import { InputFileError, readJsonInput } from './input.js';
import { basename } from 'node:path';
import { ResultsInputError } from './errors.js';

export const CALIBRATION_SCHEMA = 'ringbench/kernel-calibration@1';

/** Mean and 95% CI half-width over the calibration's rounds (half is NaN → null with one round). */
export interface MeanCi {
  mean: number;
  half: number | null;
  n: number;
}

export interface CalibrationRow {
  /** rb-libbpf, rb-custom, pb-libbpf, pb-custom */
  variant: string;
  /** default, sampled, b2b */
  wakeup: string;
  kernelMPerSec: MeanCi;
  ringbenchMPerSec: MeanCi;
  /** ringbench / kernel, paired by round */
  ratio: MeanCi;
  /** CPUs other work used while the trials ran */
  foreignCpus: number;
  /** ringbench's figure was derived from a drain trial (no back-to-back mode) */
  ringbenchDerived: boolean;
  /** ringbench's sink cost per event in those trials, when calibrate.mjs recorded it */
  sinkNsPerEvent?: number;
}

export interface KernelCalibration {
  schema: typeof CALIBRATION_SCHEMA;
  /** the file it was read from (base name) */
  source: string;
  kernel: string;
  cpus: number;
  rounds: number;
  /** the kernel bench's configuration (batch, payload, buffer sizes) as calibrate.mjs records it */
  kernelDefaults: Record<string, unknown>;
  /** ringbench's side: its record mode (e.g. 'minimal') and how its producer was pinned, when recorded */
  record?: string;
  pin?: string;
  rows: CalibrationRow[];
}

/** A calibration file that cannot be used (bad input, exit 2): the message names the file and the field. */
export class CalibrationError extends ResultsInputError {
  override name = 'CalibrationError';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function meanCi(v: unknown, field: string, fail: (f: string, what: string) => CalibrationError): MeanCi {
  if (!isObj(v) || typeof v.mean !== 'number' || !Number.isInteger(v.n)) throw fail(field, 'must be {mean, half, n}');
  const half = typeof v.half === 'number' && Number.isFinite(v.half) ? v.half : null;
  return { mean: v.mean, half, n: v.n as number };
}

/** Checks parsed calibrate.mjs output and keeps its summary. */
export function parseCalibration(data: unknown, file: string): KernelCalibration {
  const where = basename(file);
  const fail = (field: string, what: string) => new CalibrationError(`${file}: ${field} ${what} (expected the --json output of npm run bench:kernel)`);
  if (!isObj(data)) throw fail('(top level)', 'must be an object');
  if (data.schema !== CALIBRATION_SCHEMA) throw fail('schema', `must be '${CALIBRATION_SCHEMA}'; got '${String(data.schema)}'`);
  if (!Array.isArray(data.summary) || !data.summary.length) throw fail('summary', 'must be a non-empty list');
  const rows = data.summary.map((s, i): CalibrationRow => {
    const f = `summary[${i}]`;
    if (!isObj(s) || typeof s.variant !== 'string' || typeof s.wakeup !== 'string') throw fail(f, 'must name its variant and wakeup');
    return {
      variant: s.variant,
      wakeup: s.wakeup,
      kernelMPerSec: meanCi(s.kernelMPerSec, `${f}.kernelMPerSec`, fail),
      ringbenchMPerSec: meanCi(s.ringbenchMPerSec, `${f}.ringbenchMPerSec`, fail),
      ratio: meanCi(s.ratio, `${f}.ratio`, fail),
      foreignCpus: typeof s.foreignCpus === 'number' ? s.foreignCpus : NaN,
      ringbenchDerived: s.ringbenchDerived === true,
      ...(typeof s.sinkNsPerEvent === 'number' ? { sinkNsPerEvent: s.sinkNsPerEvent } : {}),
    };
  });
  const options = isObj(data.options) ? data.options : {};
  return {
    schema: CALIBRATION_SCHEMA,
    source: where,
    kernel: typeof data.kernel === 'string' ? data.kernel : '',
    cpus: typeof data.cpus === 'number' ? data.cpus : NaN,
    rounds: typeof options.rounds === 'number' ? options.rounds : NaN,
    kernelDefaults: isObj(data.kernelDefaults) ? data.kernelDefaults : {},
    ...(typeof options.record === 'string' ? { record: options.record } : {}),
    ...(typeof options.pin === 'string' ? { pin: options.pin } : {}),
    rows,
  };
}

/** A calibration file is a page of JSON (bench:kernel --json); 16 MiB is far beyond one. */
const MAX_CALIBRATION_BYTES = 16 * 2 ** 20;

/** Reads `--calibration FILE` (a regular file, bounded: results/input); errors name the file. */
export function readCalibration(file: string): KernelCalibration {
  let data: unknown;
  try {
    data = readJsonInput(file, MAX_CALIBRATION_BYTES).data;
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    throw new CalibrationError(`--calibration ${file}: ${e.message.startsWith('not JSON') ? e.message : `cannot be used: ${e.message}`}`);
  }
  return parseCalibration(data, `--calibration ${file}`);
}
