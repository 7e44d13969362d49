/**
 * kernel — what the tests ask the real kernel and process table: which ringbench programs and maps
 * are loaded, and whether any storm process is alive. Used to prove that every exit path cleans up.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const PROGRAM_NAMES = new Set(['exit_btf', 'exit_raw', 'exit_tp', 'exec_btf', 'exec_raw']);
const MAP_NAMES = /^(events|rings|counters|staging|ringbuf_\.|perfbuf_\.)/;

function bpftoolJson(kind: 'prog' | 'map'): { name?: string; id: number }[] {
  return JSON.parse(execFileSync('bpftool', ['-j', kind, 'show'], { encoding: 'utf8' }) || '[]');
}

/** Loaded programs and maps that belong to ringbench (by their names in the twin objects). */
export function loadedRingbenchObjects(): string[] {
  const progs = bpftoolJson('prog').filter((p) => p.name && PROGRAM_NAMES.has(p.name)).map((p) => `prog ${p.name}#${p.id}`);
  const maps = bpftoolJson('map').filter((m) => m.name && MAP_NAMES.test(m.name)).map((m) => `map ${m.name}#${m.id}`);
  return [...progs, ...maps];
}

/** pids of live ringbench-storm processes (and their children, which carry the same name). */
export function stormProcesses(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (comm.startsWith('ringbench-stor') && state !== 'Z') pids.push(Number(entry));
    } catch {
      /* exited while we looked */
    }
  }
  return pids;
}

/** pids of the live child processes of `pid` (a trial's storm is one). */
export function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') kids.push(Number(entry));
    } catch {
      /* exited while we looked */
    }
  }
  return kids;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns an empty list or the time is up; returns the last list. */
export async function settle(check: () => string[] | number[], ms = 3000): Promise<(string | number)[]> {
  const until = Date.now() + ms;
  let left = check();
  while (left.length && Date.now() < until) {
    await sleep(50);
    left = check();
  }
  return left;
}

/**
 * PIDs of processes (other than this one) whose command line mentions `needle` (QEMU, unshare and
 * virtiofsd name the output folder), or with `cwd` whose working folder is under it (a fleet
 * host's npm and compilers run in its remote folder).
 */
export function processesMentioning(needle: string, { cwd = false } = {}): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle)) pids.push(Number(p));
      else if (cwd && readlinkSync(`/proc/${p}/cwd`).startsWith(needle)) pids.push(Number(p));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}
