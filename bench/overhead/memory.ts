/**
 * memory — the overhead benchmark's second section: the harness's resident memory after ringbuf
 * trials of growing size (10k, 50k, 200k children by default), after one warm-up trial. The
 * process RSS after each trial (after a full GC) and its peak during the trial (VmHWM, reset
 * before each) must stay flat, growing under 2 MiB from the smallest to the largest, since the
 * native consumer keeps histograms and a fixed bitmap and allocates nothing per event.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fmtBytes, fmtSi } from '../../src/format/units.js';
import { progress, table } from '../driver/machine.js';
import { trial } from '../driver/trial.js';

/** RSS growth from the smallest to the largest memory trial that still counts as flat. */
export const FLAT_RSS_BYTES = 2 * 1024 * 1024;

/** A full GC when we can get one (node flag set at run time), so RSS is not JS garbage. */
const gc: (() => void) | undefined = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

export interface MemoryPoint {
  children: number;
  rssBytes: number;
  /** highest RSS while the trial ran (undefined when the kernel cannot reset the mark) */
  peakRssBytes?: number;
  exitsPerSec: number;
  delivered: number;
  droppedKernel: number;
}

export interface MemorySummary {
  warmupChildren: number;
  points: MemoryPoint[];
  growthBytes: number;
  peakGrowthBytes?: number;
  limitBytes: number;
  gcBeforeReading: boolean;
  flat: boolean;
}

/** Current RSS, after a full GC when available so JS garbage does not count. */
function rssNow(): number {
  gc?.();
  return process.memoryUsage().rss;
}

/** Resets the peak RSS mark: writing 5 to /proc/self/clear_refs (Linux ≥ 4.0); false when refused. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS since the last reset: VmHWM from /proc/self/status. */
function peakRss(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The trials, smallest first, after one warm-up trial of the smallest size. */
export async function measureMemory(sizes: number[], workers: number, stopIfInterrupted: () => void): Promise<MemorySummary> {
  const warmupChildren = sizes[0];
  stopIfInterrupted();
  progress(`memory: warm-up · ringbuf · ${warmupChildren} children`);
  await trial({ transport: 'ringbuf', children: warmupChildren, workers });
  const points: MemoryPoint[] = [];
  for (const n of sizes) {
    stopIfInterrupted();
    progress(`memory: ringbuf · ${n} children`);
    rssNow(); // collect first, so the peak below is the trial's own
    const canReset = resetPeakRss();
    const r = await trial({ transport: 'ringbuf', children: n, workers });
    const peak = canReset ? peakRss() : undefined;
    points.push({
      children: n,
      rssBytes: rssNow(),
      peakRssBytes: peak,
      exitsPerSec: r.rates.generatedPerSec,
      delivered: r.counts.delivered,
      droppedKernel: r.counts.droppedKernel,
    });
  }
  progress('');
  const first = points[0];
  const last = points[points.length - 1];
  const growthBytes = last.rssBytes - first.rssBytes;
  const peakGrowthBytes =
    last.peakRssBytes !== undefined && first.peakRssBytes !== undefined ? last.peakRssBytes - first.peakRssBytes : undefined;
  return {
    warmupChildren,
    points,
    growthBytes,
    peakGrowthBytes,
    limitBytes: FLAT_RSS_BYTES,
    gcBeforeReading: !!gc,
    flat: growthBytes < FLAT_RSS_BYTES && (peakGrowthBytes ?? 0) < FLAT_RSS_BYTES,
  };
}

const signedBytes = (n: number) => (n === 0 ? '±0 B' : `${n < 0 ? '−' : '+'}${fmtBytes(Math.abs(n))}`);

export function formatMemory(m: MemorySummary, workers: number): string[] {
  const first = m.points[0];
  const last = m.points[m.points.length - 1];
  const hasPeak = m.peakGrowthBytes !== undefined;
  const lines = [
    `harness memory: process RSS around ringbuf trials of growing size, ${workers} worker${workers > 1 ? 's' : ''} ` +
      `(1 warm-up trial of ${m.warmupChildren} children discarded${m.gcBeforeReading ? '; full GC before each reading' : ''})`,
  ];
  const rows = [['children', 'RSS after', 'Δ vs first', ...(hasPeak ? ['peak during', 'Δ vs first'] : []), 'exits/s', 'delivered']];
  for (const p of m.points) {
    const d = (x: number | undefined, y: number | undefined) => (p === first ? '—' : signedBytes(x! - y!));
    rows.push([
      String(p.children),
      fmtBytes(p.rssBytes),
      d(p.rssBytes, first.rssBytes),
      ...(hasPeak ? [fmtBytes(p.peakRssBytes!), d(p.peakRssBytes, first.peakRssBytes)] : []),
      fmtSi(p.exitsPerSec),
      p.delivered === p.children ? '100%' : `${((100 * p.delivered) / p.children).toFixed(2)}%`,
    ]);
  }
  lines.push(...table(rows));
  const what = hasPeak ? 'RSS after and peak RSS during a trial' : 'RSS after a trial';
  const growth = `RSS ${signedBytes(m.growthBytes)}${hasPeak ? `, peak ${signedBytes(m.peakGrowthBytes!)}` : ''}`;
  lines.push(
    `target: ${what} grow less than ${fmtBytes(m.limitBytes)} from ${first.children} to ${last.children} children → ` +
      `${m.flat ? 'flat, PASS' : 'not flat, FAIL'} (${growth})`,
  );
  if (!hasPeak) lines.push('  note: peak RSS per trial is unavailable here (/proc/self/clear_refs could not reset it)');
  return lines;
}
