/**
 * size-cli — `ringbench size`: how big must the buffer be here for this load to drop nothing?
 * Measures this host's stalls with short runs, advises the smallest valid buffer that holds what
 * 85% of them left unread (harness/size.ts), and checks the advice with capped runs at that
 * size and at a quarter of it. Bad flags exit 2 before anything loads; a kernel that refuses
 * exits 1; Ctrl-C stops the run under way and exits 130 (143 for SIGTERM) with nothing printed.
 */
import { resolveConfig } from '../harness/knobs.js';
import { adviseSize, SizeInterrupted, type SizeAdvice } from '../harness/size.js';
import { abortScenarios } from '../harness/trial.js';
import { fmtBytes, fmtNs, fmtSi } from '../format/units.js';
import { EXIT, reportError, UsageError } from './errors.js';
import { DEFAULTS, intFlag } from './flags.js';
import { onInterrupt } from './signals.js';

/** The scenario knobs `size` passes through (their parsing and checks are the scenario's). */
export const SIZE_KNOBS = [
  'transport', 'eventBytes', 'eventsPerCall', 'workers', 'children', 'stormMode',
  'ringbufWakeup', 'wakeupEvery', 'wakeupBytes', 'perfbufWakeupEvents', 'perfbufWatermarkBytes',
  'consumer', 'reader', 'consumerDelayNs',
] as const;

/** Records per getpgid() call when --rate is given without --events-per-call: one producer
 *  reaches 1 M/s here with batches of 16, not one record per syscall. */
export const SIZE_EVENTS_PER_CALL = 16;

/** "1M", "250k", "1500000" → events/s (decimal suffixes: a rate, not a size); NaN otherwise. */
export function parseRate(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const m = /^(\d+(?:\.\d+)?)([kmg])?$/i.exec(v);
  if (!m) return NaN;
  const mult = { k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

/** What the command will run, from its flags; UsageError or ConfigError on bad input. */
export function sizeRequestOf(opts: Record<string, unknown>) {
  const storm = opts.children !== undefined || opts.stormMode !== undefined;
  if (opts.rate !== undefined && storm) throw new UsageError(`--rate sets a saturation load and --${opts.children !== undefined ? 'children' : 'storm-mode'} a storm: give one`);
  if (opts.rate === undefined && !storm) throw new UsageError('size needs a load: --rate N (events/s, e.g. 1M) or --children N [--workers N] (a storm)');
  const input: Record<string, unknown> = {};
  for (const k of SIZE_KNOBS) if (opts[k] !== undefined) input[k] = opts[k];
  if (!storm) {
    const rate = parseRate(opts.rate);
    if (!(rate >= 1 && rate <= 100e6)) throw new UsageError(`--rate must be events per second, 1..100M, digits with an optional k, M or G (1M = 1,000,000); got '${String(opts.rate)}'`);
    input.load = 'saturation';
    input.rateCap = rate;
    input.eventsPerCall ??= String(SIZE_EVENTS_PER_CALL);
  } else if (opts.eventsPerCall !== undefined) {
    throw new UsageError('--events-per-call applies to --rate (a saturation load) only');
  }
  const seconds = opts.seconds === undefined ? 0.5 : /^\d+(\.\d+)?$/.test(String(opts.seconds)) ? Number(opts.seconds) : NaN;
  if (!(seconds >= 0.05 && seconds <= 10)) throw new UsageError(`--seconds must be a run length in seconds, 0.05..10; got '${String(opts.seconds)}'`);
  const base = resolveConfig(input, { conflicts: 'flags' });
  return {
    base,
    seconds,
    measureRuns: opts.measureRuns === undefined ? DEFAULTS.sizeMeasureRuns : intFlag('--measure-runs', String(opts.measureRuns), 1, 100),
    confirmRuns: opts.runs === undefined ? DEFAULTS.sizeRuns : intFlag('--runs', String(opts.runs), 1, 100),
  };
}

/** The percentile rule in words: "17 of 20 runs" (nearest rank), or "all 20 runs" when it is the longest. */
function coveredRuns(a: SizeAdvice): string {
  const n = a.stallsNs.length;
  return a.coveredRuns === n ? `all ${n} runs` : `${a.coveredRuns} of ${n} runs`;
}

export function formatAdvice(a: SizeAdvice, seconds: number): string {
  const per = a.transport === 'perfbuf' ? ' per CPU' : '';
  const load = a.load === 'saturation' ? `saturation at ${fmtSi(a.rate)} events/s` : `a storm reaching ${fmtSi(a.rate)} exits/s`;
  const wait = a.waitSource === 'commit-to-read' ? 'between commit and read' : 'delivery latency, sampled';
  const runs = (c: SizeAdvice['confirm']) => `${c.carried} of ${c.runs} runs carried every record`;
  const sorted = [...a.stallsNs].sort((x, y) => x - y);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return [
    `${a.transport} · ${load} · ${a.eventBytes} B events (${a.recordBytes} B in the buffer)`,
    `  stalls      ${sorted.length} runs${a.load === 'saturation' ? ` of ${seconds} s` : ''}: the consumer fell behind by ${fmtNs(median)} at the median, at most ${fmtNs(a.coveredStallNs)} in ${coveredRuns(a)}, ${fmtNs(a.stallNs)} in the longest (${fmtBytes(a.peakBytes)} unread${per})`,
    `              longest wait ${fmtNs(a.waitNs)} (${wait}): longer when the whole VM was held off, which fills no buffer`,
    `  would drop  ${a.ladder.map((l) => `${fmtBytes(l.bytes)}: ${l.runsOver} of ${sorted.length} runs`).join(' · ')}`,
    `  advice      ${fmtBytes(a.recommendedBytes)}${per}${a.transport === 'perfbuf' ? `, ${fmtBytes(a.totalBytes)} over ${a.cpus} CPUs` : ''} (${a.flags})`,
    `              the smallest valid buffer holding what ${coveredRuns(a)} left unread (${fmtBytes(a.coveredBytes)}${per}), rounded up to a power of two pages${a.transport === 'perfbuf' ? `; the busiest CPU took ${Math.round(a.busiestShare * 100)}% of the rate (${a.busiestFrom})` : ''}`,
    ...(a.everyRunBytes > a.recommendedBytes ? [`              every run: ${fmtBytes(a.everyRunBytes)}${per}; a longer run meets longer stalls: measure it with --seconds`] : []),
    `  check       at ${fmtBytes(a.confirm.bytes)}${per}: ${runs(a.confirm)}`,
    `              at a quarter, ${fmtBytes(a.quarter.bytes)}${per}${a.quarter.clamped ? ' (the smallest valid buffer)' : ''}: ${runs(a.quarter)}`,
    ...(a.measureDropped ? [`  note        ${a.measureDropped} measuring run${a.measureDropped === 1 ? '' : 's'} filled the measuring buffer: each counts as just over what it held, a lower bound`] : []),
  ].join('\n');
}

export async function sizeCommand(opts: Record<string, unknown>): Promise<number> {
  const stopper = new AbortController();
  const interrupts = onInterrupt(() => {
    stopper.abort();
    abortScenarios();
  }, 'stopping the run under way');
  try {
    const req = sizeRequestOf(opts);
    const advice = await adviseSize({ ...req, signal: stopper.signal, onProgress: opts.json ? undefined : (line) => process.stderr.write(`ringbench size: ${line}\n`) });
    const json = { ...advice, seconds: req.seconds, rule: `the smallest valid buffer (a power of two pages) holding the most unread bytes that ${coveredRuns(advice)} left in the busiest buffer (the ${advice.coverage * 100}th percentile, nearest rank)` };
    await new Promise<void>((resolve) => process.stdout.write((opts.json ? JSON.stringify(json, null, 2) : formatAdvice(advice, req.seconds)) + '\n', () => resolve()));
    return interrupts.exitCode ?? EXIT.ok;
  } catch (e) {
    if (e instanceof SizeInterrupted) return interrupts.exitCode ?? EXIT.sigint;
    return reportError(e);
  } finally {
    interrupts.dispose();
  }
}
