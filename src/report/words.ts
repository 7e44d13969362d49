/**
 * report/words — the findings (analysis/findings) in words: ratios with 2–3 significant digits and
 * their interval, wake-up strategies, and contrasts that say when a gap is not significant. The
 * TL;DR and every section takeaway are built from these, so one number reads the same everywhere.
 */
import type { Contrast, Wakeup } from '../analysis/findings.js';
import { fmtAggregate, fmtBytes, fmtSi } from '../format/units.js';

/** 2 significant digits (14, 2.9, 1.0, 0.46; whole numbers from 100): no more than the interval supports. */
export function sig2(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toPrecision(2);
}

/** "14× (95% CI 12–16×)", or "14× (1 run, no interval)". */
export function ratioWords(c: Contrast): string {
  if (c.single) return `${sig2(c.ratio)}× (1 run, no interval)`;
  return `${sig2(c.ratio)}× (95% CI ${sig2(c.lo)}–${sig2(c.hi)}×)`;
}

/** "a wake-up per event", "a wake-up every 64 events", "adaptive wake-ups", "a wake-up every 35 KiB". */
export function wakeupWords(w: Wakeup): string {
  switch (w.kind) {
    case 'adaptive':
      return 'adaptive wake-ups';
    case 'every':
      return (w.n ?? 1) <= 1 ? 'a wake-up per event' : `a wake-up every ${w.n} events`;
    case 'sampled':
      return `sampled wake-ups (every ${fmtBytes(w.n ?? 0)})`;
    case 'watermark':
      return `a ${fmtBytes(w.n ?? 0)} watermark`;
  }
}

/** "ringbuf 1.2M ± 0.1M, perfbuf 900k ± 80k": both sides in the metric's format. */
export function bothWords(metric: string, c: Contrast): string {
  return `ringbuf ${fmtAggregate(metric, c.ring)}, perfbuf ${fmtAggregate(metric, c.perf)}`;
}

/** "the 95% intervals overlap" / "a single run has no interval": why no difference is called. */
export function notClearWords(c: Contrast): string {
  return c.single ? 'a single run has no interval' : 'the 95% intervals overlap, not significant';
}

/** "ringbuf lower" / "perfbuf higher" etc. for a metric direction, or "no clear difference". */
export function whoWords(c: Contrast, lower: boolean): string {
  if (c.overlap) return 'no clear difference';
  const ringLess = c.ring.mean < c.perf.mean;
  return `${(ringLess === lower) ? 'ringbuf' : 'perfbuf'} ${lower ? 'lower' : 'higher'}`;
}

export const events = (x: number) => `${fmtSi(x)} events/s`;
