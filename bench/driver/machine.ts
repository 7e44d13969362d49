/**
 * machine — what the benchmark driver (driver.ts) and the benchmarks need beside the measurement:
 * how busy the machine was with work that is not ours while they ran (so a noisy number can be
 * blamed on the right thing), progress on a terminal, aligned text tables, and flag errors that
 * name the flag and its valid range. The table helper stays here until src/format has a shared one.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { alignColumns } from '../../src/format/table.js';
import { intFlag as parseIntFlag, UsageError } from '../../src/cli/flags.js';
import { CLOCK_TICKS_PER_SECOND, cpuTimes } from '../../src/harness/env.js';

/** Other work of at least this many CPUs on average makes a run "not quiet". */
export const BUSY_FOREIGN_CPUS = 0.25;

/**
 * How busy the machine was with work that is not ours while a section ran: CPU time in /proc/stat
 * (user + nice + system) minus this process's own time and that of its reaped children (the
 * storms and their children). Hypervisor steal is reported on its own. Interrupt time is left
 * out on both sides: it is where the transports' wake-ups land.
 */
export interface CpuSnapshot {
  busy: number;
  steal: number;
  total: number;
  self: number;
}

/** The machine's CPU times (src/harness/env cpuTimes) and this process's own, in seconds. */
export function cpuSnapshot(): CpuSnapshot | undefined {
  const machine = cpuTimes();
  if (!machine) return undefined;
  try {
    // /proc/self/stat: fields after "(comm)"; utime stime cutime cstime are 14..17 overall
    const st = readFileSync('/proc/self/stat', 'utf8');
    const rest = st.slice(st.lastIndexOf(')') + 2).split(' ').map(Number);
    const self = (rest[11] + rest[12] + rest[13] + rest[14]) / CLOCK_TICKS_PER_SECOND;
    return { busy: machine.busySeconds, steal: machine.stealSeconds, total: machine.totalSeconds, self };
  } catch {
    return undefined;
  }
}

export interface MachineLoad {
  /** CPUs' worth of time used by other processes, on average */
  foreignCpus: number;
  /** share of all CPU time stolen by the hypervisor */
  stealShare: number;
  cpuCount: number;
}

export function machineLoad(a: CpuSnapshot | undefined, b: CpuSnapshot | undefined): MachineLoad | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  const n = cpus().length;
  const total = b.total - a.total;
  const foreign = Math.max(0, b.busy - a.busy - (b.self - a.self));
  return { foreignCpus: (foreign / total) * n, stealShare: (b.steal - a.steal) / total, cpuCount: n };
}

/** Words when other work competed for the CPUs, or nothing. */
export function loadWords(l: MachineLoad | undefined): string | undefined {
  if (!l) return undefined;
  const parts: string[] = [];
  if (l.foreignCpus >= BUSY_FOREIGN_CPUS) {
    parts.push(`work outside this benchmark (other processes, kernel threads) used ${l.foreignCpus.toFixed(2)} of ${l.cpuCount} CPUs on average`);
  }
  if (l.stealShare >= 0.02) parts.push(`the hypervisor stole ${(l.stealShare * 100).toFixed(0)}% of CPU time`);
  return parts.length ? `the machine was not quiet: ${parts.join(', ')}` : undefined;
}

/** Progress on stderr, one rewritten line, only for a terminal. */
export function progress(text: string): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r\x1b[2K${text}`);
}

/** Rows of cells as aligned text lines (the first row sets nothing special: it is the header). */
export function table(rows: string[][]): string[] {
  return alignColumns(rows, '   ');
}

/** A bad flag: one line for the user, exit 2 (the CLI's own, src/cli/flags). */
export { UsageError };

/** `--name` as an integer in min..max (src/cli/flags' rule), or `fallback` when not given. */
export function intFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  return raw === undefined ? fallback : parseIntFlag(`--${name}`, raw, min, max);
}
