/**
 * ceilings/trials — the ceilings benchmark's two measure functions: a ringbench trial
 * (through the harness) and a run of the standalone C reference consumer
 * (build/Release/ringbench-ref), both reduced to the same Measured shape so they sit side by side.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../src/harness/addon.js';
import type { ScenarioConfig } from '../../src/harness/types.js';
import { BenchError } from '../driver/driver.js';
import { abortScenarios, trial } from '../driver/trial.js';

export const REF_PATH = join(ROOT, 'build', 'Release', 'ringbench-ref');

export interface Measured {
  deliveredPerSec: number;
  generatedPerSec: number;
  generated: number;
  delivered: number;
  dropped: number;
  consumerNsPerEvent: number;
  /** consumer wake-ups (ringbench) or non-empty polls (reference) */
  wakeups: number;
  bpfNsPerEvent?: number;
  /** program runs per event that passed the filter (sys_enter runs for every syscall) */
  bpfRunsPerEvent?: number;
  /** reference only: time inside the read calls per event (the reader's own cost, no wake-ups) */
  readNsPerEvent?: number;
  /** ringbench only: share of events delivered out of sequence order, and the worst distance */
  inversionRatio?: number;
  maxDisplacement?: number;
  /** wall time of the whole trial, setup included */
  wallMs: number;
  attachedVia: string;
  notes: string[];
}

export async function ringbench(config: Partial<ScenarioConfig>): Promise<Measured> {
  const t0 = Date.now();
  const r = await trial(config);
  return {
    deliveredPerSec: r.rates.deliveredPerSec,
    generatedPerSec: r.rates.generatedPerSec,
    generated: r.counts.generated,
    delivered: r.counts.delivered,
    dropped: r.counts.droppedKernel,
    consumerNsPerEvent: r.cpu.consumerNsPerEvent,
    wakeups: r.cpu.wakeups,
    bpfNsPerEvent: config.bpfStats ? r.cpu.bpfNsPerEvent : undefined,
    bpfRunsPerEvent: config.bpfStats && r.counts.seenByBpf ? r.kernel.bpfRunCount / r.counts.seenByBpf : undefined,
    inversionRatio: r.ordering.inversionRatio,
    maxDisplacement: r.ordering.maxDisplacement,
    wallMs: Date.now() - t0,
    attachedVia: r.attachedVia,
    // a drain that could not hold every event drops some: its rate is still delivered / drain time
    notes: r.accounting.notes.filter((n) => !n.startsWith('perf reported')),
  };
}

/** What ringbench-ref prints: one JSON object. */
interface RefOutput {
  attachedVia: string;
  generated: number;
  seenByBpf: number;
  delivered: number;
  dropped: number;
  generatedPerSec: number;
  deliveredPerSec: number;
  consumerNsPerEvent: number;
  readNsPerEvent: number;
  polls: number;
}

const refChildren = new Set<AbortController>();

export function reference(args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const ac = new AbortController();
    const t0 = Date.now();
    refChildren.add(ac);
    execFile(REF_PATH, args, { encoding: 'utf8', signal: ac.signal, timeout: 300_000 }, (err, stdout, stderr) => {
      refChildren.delete(ac);
      if (err) {
        const why = stderr.trim().split('\n').pop() || err.message;
        reject(new BenchError(why.startsWith('ringbench-ref') ? why : `ringbench-ref ${args.join(' ')}: ${why}`));
        return;
      }
      let j: RefOutput;
      try {
        j = JSON.parse(stdout) as RefOutput;
      } catch {
        reject(new BenchError(`ringbench-ref printed something that is not JSON: ${stdout.slice(0, 200)}`));
        return;
      }
      const notes: string[] = [];
      if (j.delivered + j.dropped !== j.seenByBpf) {
        notes.push(`reference accounting does not add up: delivered ${j.delivered} + dropped ${j.dropped} ≠ seen ${j.seenByBpf}`);
      }
      resolve({
        deliveredPerSec: j.deliveredPerSec,
        generatedPerSec: j.generatedPerSec,
        generated: j.generated,
        delivered: j.delivered,
        dropped: j.dropped,
        consumerNsPerEvent: j.consumerNsPerEvent,
        readNsPerEvent: j.readNsPerEvent,
        wakeups: j.polls,
        wallMs: Date.now() - t0,
        attachedVia: j.attachedVia,
        notes,
      });
    });
  });
}

/** Ctrl-C: stop harness trials and reference children in flight. */
export function abortAll(): void {
  abortScenarios();
  for (const ac of refChildren) ac.abort();
}
