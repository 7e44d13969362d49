/**
 * cpus — the CPUs a scenario may name: this process's allowed CPUs (/proc/self/status
 * Cpus_allowed_list, what sched_setaffinity will accept), CPU lists as the kernel writes them
 * ("0", "0,2-3"), and the ring layout --ringbuf-sharing gives (a ring per N CPUs, BPF picks ring
 * cpu / N).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The CPUs in a list such as "0", "0,1" or "0-1,3" (sorted, each once); undefined when it is not one. */
export function parseCpuList(text: string): number[] | undefined {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) return undefined;
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [lo, hi = lo] = item.split('-').map(Number);
    if (hi < lo || hi > 4095) return undefined;
    for (let c = lo; c <= hi; c++) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** "0,1,2,5" → "0-2,5": the kernel's own spelling. */
export function formatCpuList(list: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < list.length; ) {
    let j = i;
    while (j + 1 < list.length && list[j + 1] === list[j] + 1) j++;
    parts.push(j === i ? String(list[i]) : `${list[i]}-${list[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

let allowed: number[] | undefined;

/** The CPUs this process may run on (what a child's sched_setaffinity can ask for). */
export function allowedCpus(): number[] {
  if (!allowed) {
    const line = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    allowed = (line && parseCpuList(line)) || cpus().map((_, i) => i);
  }
  return allowed;
}

/** A --storm-cpus value: "all" (every allowed CPU) or a list of allowed CPUs, as the kernel spells
 *  it; undefined when it is neither. "" stays "" (not pinned). */
export function stormCpusOf(raw: string): string | undefined {
  if (raw === '') return '';
  const list = raw === 'all' ? allowedCpus() : parseCpuList(raw);
  if (!list || !list.every((c) => allowedCpus().includes(c))) return undefined;
  return formatCpuList(list);
}

/** CPUs per ring for --ringbuf-sharing: 0 for the one shared ring, 1 per CPU, or N. */
export function ringCpusOf(sharing: string): number {
  return sharing === 'shared' ? 0 : sharing === 'per-cpu' ? 1 : Number(sharing);
}

/** Rings over `cpuCount` CPUs at N CPUs per ring (0: the one shared ring). */
export function ringCountOf(ringCpus: number, cpuCount: number): number {
  return ringCpus ? Math.ceil(cpuCount / ringCpus) : 1;
}

/** Each ring's data bytes: the total split evenly and rounded down to a power-of-two number of
 *  pages (at least one), so the rings together hold at most what the one shared ring would. */
export function ringBytesOf(totalBytes: number, rings: number, pageSize: number): number {
  const pages = Math.max(1, Math.floor(totalBytes / rings / pageSize));
  return 2 ** Math.floor(Math.log2(pages)) * pageSize;
}
