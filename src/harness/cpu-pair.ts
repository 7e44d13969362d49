/**
 * cpu-pair — where the host put a saturation trial's producer and consumer CPUs, and what a
 * measured run does about it.
 *
 * A VM's host may move its vCPUs. On this repo's 2-vCPU KVM guest (AMD EPYC) a cache line between
 * the two comes back in ~110 ns while they share a last-level cache and in ~450 ns while they do
 * not, for seconds at a time, and the transports' ceilings follow: the ring buffer with sampled
 * wake-ups carries ~7 M/s in the first placement and ~3 M/s in the second. A run that mixes the
 * two measures the host's scheduling, not the transport. So a trial measured with its CPUs apart
 * (placement-rule.ts: a round trip over FAR_FACTOR times the lowest this run has seen) is set
 * aside and run again once the host has brought them back together, within bounds; the run
 * records what it set aside.
 */
import { loadAddon } from './addon.js';
import { apart, NEAR_WAIT_MS, RERUNS, WAIT_BUDGET_MS } from './placement-rule.js';
import { runScenario } from './trial.js';
import type { ScenarioConfig, TrialResult } from './types.js';

const PROBE_EVERY_MS = 100;

/** The CPUs a saturation trial pinned its first producer and its consumer to, when they differ. */
export function cpuPairOf(config: Pick<ScenarioConfig, 'load' | 'consumer' | 'producerCpu' | 'consumerCpu'>): [number, number] | undefined {
  if (config.load !== 'saturation' || config.consumer === 'b2b') return undefined;
  if (config.producerCpu < 0 || config.consumerCpu < 0 || config.producerCpu === config.consumerCpu) return undefined;
  return [config.producerCpu, config.consumerCpu];
}

/** Measures the pair's round trip now (ns; 0 = not measurable). */
export type PairProbe = (pair: [number, number]) => number;

const probeNow: PairProbe = ([a, b]) => loadAddon().cpuPairNs(a, b);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One run's view of the host's placement: the closest it has seen, and its waiting so far. */
export class HostPlacement {
  /** the lowest round trip measured in this run: the host's closest placement of the pair */
  lowest = Infinity;
  /** waiting spent so far (ms), against WAIT_BUDGET_MS */
  waitedMs = 0;

  constructor(private readonly probe: PairProbe = probeNow, private readonly budgetMs = WAIT_BUDGET_MS) {}

  /** Notes a measured round trip (0 = none measured). */
  see(ns: number): void {
    if (ns > 0) this.lowest = Math.min(this.lowest, ns);
  }

  /** Whether a measured round trip shows the CPUs apart. */
  far(ns: number): boolean {
    return apart(ns, this.lowest);
  }

  /** Probes the pair until it is close again, NEAR_WAIT_MS pass or the run's budget is spent:
   *  whether it is close. */
  async waitNear(pair: [number, number], signal?: AbortSignal): Promise<boolean> {
    const start = Date.now();
    const end = start + Math.min(NEAR_WAIT_MS, this.budgetMs - this.waitedMs);
    try {
      for (;;) {
        const ns = this.probe(pair);
        this.see(ns);
        if (!this.far(ns)) return true;
        if (signal?.aborted || Date.now() + PROBE_EVERY_MS > end) return false;
        await sleep(PROBE_EVERY_MS);
      }
    } finally {
      this.waitedMs += Date.now() - start;
    }
  }

  /**
   * Runs one trial (`run`) and, while it was measured with the CPUs apart, waits for them to
   * come together and runs it again: at most RERUNS times, and only when they did come together
   * within the wait and the run's budget. Resolves with the run kept and those set aside.
   */
  async measure<T>(pair: [number, number] | undefined, run: () => Promise<T>, pairNs: (t: T) => number,
    signal?: AbortSignal): Promise<{ kept: T; setAside: T[] }> {
    const setAside: T[] = [];
    let kept = await run();
    this.see(pairNs(kept));
    while (pair && setAside.length < RERUNS && this.far(pairNs(kept))) {
      if (signal?.aborted || this.waitedMs >= this.budgetMs) break;
      if (!(await this.waitNear(pair, signal)) || signal?.aborted) break;
      setAside.push(kept);
      kept = await run();
      this.see(pairNs(kept));
    }
    return { kept, setAside };
  }

  /** A trial of `config` (runScenario), measured as `measure` does; with rerun false (a warm-up)
   *  it runs once, and its round trip still tells the run where the CPUs can be. */
  trial(config: ScenarioConfig, opts: { rerun: boolean; signal?: AbortSignal }): Promise<{ kept: TrialResult; setAside: TrialResult[] }> {
    return this.measure(opts.rerun ? cpuPairOf(config) : undefined, () => runScenario(config), (r) => r.host?.cpuPairNs ?? 0, opts.signal);
  }
}
