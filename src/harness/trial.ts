/**
 * trial — runScenario(config): one trial on the real kernel, shaped into a TrialResult with the
 * metric names of DESIGN.md. The native addon does the work off the JavaScript thread; this module
 * validates the configuration first (nothing is loaded for a bad one), derives rates and ratios,
 * and checks the accounting identities, saying in words when they do not hold.
 */
import { placementOf, resolveConfig, trialConfig } from './knobs.js';
import { loadAddon, type NativeTrialOutput } from './addon.js';
import type { ScenarioConfig, TrialResult } from './types.js';

export class TrialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrialError';
  }
}

const perSec = (n: number, ns: number) => (ns > 0 ? (n * 1e9) / ns : 0);

/** Shapes the addon's flat output into the result contract and audits it. */
export function shapeTrial(config: ScenarioConfig, r: NativeTrialOutput): TrialResult {
  const notes: string[] = [];
  const counts = {
    generated: r.generated,
    seenByBpf: r.seenByBpf,
    delivered: r.delivered,
    droppedKernel: r.droppedKernel,
    lostReported: r.lostReported,
    notDrained: r.notDrained,
    missing: r.generated - r.delivered,
    ...(config.transport === 'perfbuf' ? { perCpuDelivered: r.perBufferRead } : { perRingDelivered: r.perBufferRead }),
  };
  const kernelBalanced = counts.delivered + counts.notDrained + counts.droppedKernel === counts.seenByBpf;
  const filterBalanced = counts.seenByBpf === counts.generated;
  if (!kernelBalanced) {
    const gap = counts.seenByBpf - counts.delivered - counts.notDrained - counts.droppedKernel;
    const notDrained = counts.notDrained ? ` + notDrained ${counts.notDrained}` : '';
    notes.push(`accounting does not add up: delivered ${counts.delivered}${notDrained} + droppedKernel ${counts.droppedKernel} ≠ seenByBpf ${counts.seenByBpf} (${gap > 0 ? gap + ' unaccounted for' : -gap + ' more delivered than accepted'})`);
  }
  if (!filterBalanced) {
    notes.push(config.load === 'storm'
      ? `the BPF filter saw ${counts.seenByBpf} exits but the storm reaped ${counts.generated} children`
      : `the BPF filter saw ${counts.seenByBpf} calls but the producers made ${counts.generated}`);
  }
  if (config.transport === 'perfbuf' && counts.lostReported !== counts.droppedKernel) {
    notes.push(`perf reported ${counts.lostReported} lost samples for ${counts.droppedKernel} failed outputs (losses are reported only when a later sample fits)`);
  }
  if (r.malformed) notes.push(`${r.malformed} records were shorter than an event header and ignored`);
  if (r.consumerError) notes.push(`the consumer stopped on error ${r.consumerError}`);
  if (r.displacementTruncated) notes.push('ordering.maxDisplacement exceeded the 2^20 tracking window: it is a lower bound');
  if (!r.bpfStatsEnabled && config.bpfStats) notes.push('BPF run-time stats could not be enabled: cpu.bpfNsPerEvent is 0');
  if (r.aborted && r.stormStopped === 'done') {
    notes.push('it was stopped while draining: the load had finished');
  } else if (r.aborted) {
    const planned = config.load === 'storm' ? `${config.children} children` : `${config.events} events`;
    notes.push(`the load did not finish: ${r.stormStopped === 'deadline' ? `it hit --timeout-ms ${config.timeoutMs}` : 'it was stopped'} after ${counts.generated} of ${planned}`);
  }
  if (counts.notDrained) {
    notes.push(`the drain was cut short (1 s after ${r.aborted && r.stormStopped !== 'deadline' ? 'the stop' : 'the --timeout-ms bound'}): ${counts.notDrained} records were left unread (counts.notDrained), not measured`);
  }
  if (config.record === 'minimal') notes.push('minimal records carry no time: latency is not measured (0)');
  if (r.stormFailed) notes.push(`${r.stormFailed} fork/vfork calls failed in the storm`);

  // Delivery ends when the last event arrives, which a slow consumer pushes past the storm's end;
  // a drain consumer's rate is its reading speed alone.
  const deliveryNs = config.consumer === 'drain' ? r.drainNs : Math.max(r.loadPhaseNs, r.lastDeliveryNs);
  return {
    config,
    counts,
    rates: { generatedPerSec: perSec(counts.generated, r.loadPhaseNs), deliveredPerSec: perSec(counts.delivered, deliveryNs) },
    ordering: {
      inversions: r.inversions,
      inversionRatio: counts.delivered ? r.inversions / counts.delivered : 0,
      maxDisplacement: r.maxDisplacement,
      maxTimeRegressionNs: r.maxTimeRegressionNs,
    },
    latencyNs: { p50: r.latP50, p90: r.latP90, p99: r.latP99, p999: r.latP999, max: r.latMax },
    stalls: {
      maxCommitToReadNs: r.commitToReadMax,
      maxPendingGapNs: r.pendingGapMax,
      pendingGapNs: { p50: r.pendingGapP50, p90: r.pendingGapP90, p99: r.pendingGapP99, max: r.pendingGapMax },
      commitToReadNs: { p50: r.latP50, p99: r.latP99, p999: r.latP999, max: r.commitToReadMax },
    },
    memory: {
      bufferBytes: r.bufferBytes, peakOccupancyBytes: r.peakOccupancyBytes, peakCpuOccupancyBytes: r.peakCpuOccupancyBytes,
      rings: r.buffers, bytesPerRing: r.bufferDataBytes,
    },
    cpu: {
      consumerNsPerEvent: counts.delivered ? r.consumerCpuNs / counts.delivered : 0,
      // per record the program emitted (its hit counter), not per run: a tp_btf/sys_enter trigger
      // runs on every syscall on the machine, and a batch emits many records per run
      bpfNsPerEvent: counts.seenByBpf ? r.bpfRunTimeNs / counts.seenByBpf : 0,
      wakeups: r.wakeups,
      sinkNsPerEvent: r.sinkNsPerEvent,
    },
    host: { cpuPairNs: Math.max(r.cpuPairBeforeNs, r.cpuPairAfterNs) },
    placement: placementOf(config),
    wallNs: r.wallNs,
    accounting: { kernelBalanced, filterBalanced, notes },
    attachedVia: r.attachedVia,
    loadPhaseNs: r.loadPhaseNs,
    timeline: { windowNs: r.windowNs, delivered: r.timelineDelivered, occupancyBytes: r.timelineOccupancy },
    aborted: r.aborted,
    kernel: { mapMemlockBytes: r.mapMemlockBytes, bpfRunCount: r.bpfRunCnt },
    integrity: { seqSum: r.seqSum, malformed: r.malformed },
  };
}

/**
 * Runs one trial. `input` may be partial; it is validated (ConfigError) before anything loads.
 * Rejects with TrialError when the kernel refuses (privileges, missing features), with one line
 * that says what is missing and how to fix it.
 */
export async function runScenario(input: Partial<ScenarioConfig> | Record<string, unknown>): Promise<TrialResult> {
  const config = resolveConfig(input as Record<string, unknown>);
  const addon = loadAddon();
  let native: NativeTrialOutput;
  try {
    native = await addon.runTrial(trialConfig(config));
  } catch (e) {
    throw new TrialError(`ringbench: ${(e as Error).message}`);
  }
  return shapeTrial(config, native);
}

/** Stops every running trial (Ctrl-C): storms are told to stop, buffers drained, programs freed. */
export function abortScenarios(): void {
  try {
    loadAddon().abortAll();
  } catch {
    /* nothing is running if the addon cannot load */
  }
}
