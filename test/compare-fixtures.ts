/**
 * compare-fixtures — synthetic results files for the compare tests: four scenarios with fixed
 * plausible metric values, a small seeded multiplicative noise on every repeat, and injected changes.
 * Nothing here touches the kernel; compare only reads files.
 */
import { DEFAULTS } from '../src/harness/knobs.js';
import { aggregate } from '../src/analysis/stats.js';
import { RESULTS_SCHEMA, type ResultsFile, type ScenarioRecord } from '../src/results/schema.js';
import { METRIC_NAMES } from '../src/results/metrics.js';
import { type ScenarioConfig, type Transport } from '../src/harness/types.js';

/** Small deterministic PRNG (mulberry32) so noisy fixtures are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE_VALUES: Record<string, number> = {
  'counts.generated': 20000,
  'counts.seenByBpf': 20000,
  'counts.delivered': 20000,
  'counts.droppedKernel': 0,
  'counts.lostReported': 0,
  'counts.notDrained': 0,
  'counts.missing': 0,
  'rates.generatedPerSec': 35000,
  'rates.deliveredPerSec': 35000,
  'ordering.inversions': 120,
  'ordering.inversionRatio': 0.006,
  'ordering.maxDisplacement': 8,
  'ordering.maxTimeRegressionNs': 4000,
  'latencyNs.p50': 20000,
  'latencyNs.p90': 60000,
  'latencyNs.p99': 150000,
  'latencyNs.p999': 400000,
  'latencyNs.max': 900000,
  'stalls.maxCommitToReadNs': 900000,
  'stalls.maxPendingGapNs': 300000,
  'stalls.pendingGapNs.p50': 10000,
  'stalls.pendingGapNs.p90': 40000,
  'stalls.pendingGapNs.p99': 120000,
  'stalls.pendingGapNs.max': 300000,
  'stalls.commitToReadNs.p50': 20000,
  'stalls.commitToReadNs.p99': 150000,
  'stalls.commitToReadNs.p999': 400000,
  'stalls.commitToReadNs.max': 900000,
  'memory.bufferBytes': 262144,
  'memory.peakOccupancyBytes': 65536,
  'memory.peakCpuOccupancyBytes': 65536,
  'memory.rings': 1,
  'memory.bytesPerRing': 262144,
  'cpu.consumerNsPerEvent': 800,
  'cpu.bpfNsPerEvent': 300,
  'cpu.sinkNsPerEvent': 10,
  'cpu.wakeups': 5000,
  'wallNs': 1.2e9,
  'host.cpuPairNs': 120,
};

export const SCENARIO_IDS = [
  'producers/workers=1/ringbuf',
  'producers/workers=1/perfbuf',
  'producers/workers=2/ringbuf',
  'producers/workers=2/perfbuf',
];

function config(transport: Transport, workers: number): ScenarioConfig {
  return { ...DEFAULTS, transport, workers, events: 0, perfbufPages: 32, wakeupEvery: 0, wakeupBytes: 0, timeoutMs: 60000, windowMs: 10 };
}

export interface FixtureOptions {
  seed: number;
  repeats?: number;
  /** relative noise amplitude per repeat, uniform in ±noise (default 0.01) */
  noise?: number;
  /** scenario id → metric → factor applied to the base value (0.8 = −20%) */
  factors?: Record<string, Record<string, number>>;
  /** scenario id → metric → base value replacing the default (e.g. drops from 0 to 500) */
  values?: Record<string, Record<string, number>>;
  /** keep only these scenarios (default: all of SCENARIO_IDS) */
  ids?: string[];
  kernel?: string;
}

export function makeResults(opts: FixtureOptions): ResultsFile {
  const random = seededRandom(opts.seed);
  const repeats = opts.repeats ?? 5;
  const noise = opts.noise ?? 0.01;
  const scenarios: ScenarioRecord[] = (opts.ids ?? SCENARIO_IDS).map((id) => {
    const [group, label, transport] = id.split('/') as [string, string, Transport];
    const workers = Number(label.split('=')[1]);
    const record: ScenarioRecord = {
      id,
      group,
      label,
      x: { name: 'workers', value: workers },
      transport,
      config: config(transport, workers),
      repeats: {},
      aggregates: {},
      warnings: [],
    };
    for (const metric of METRIC_NAMES) {
      const value =
        (opts.values?.[id]?.[metric] ?? BASE_VALUES[metric]) * (opts.factors?.[id]?.[metric] ?? 1);
      // Buffer size is set by the configuration: no noise on it.
      const amplitude = metric === 'memory.bufferBytes' ? 0 : noise;
      // The CPU pair and the stalls came after the seeded tests were written: they draw nothing, so
      // theirs stay put.
      const drawsNothing = metric === 'host.cpuPairNs' || metric.startsWith('stalls.') || metric === 'memory.rings' || metric === 'memory.bytesPerRing';
      const xs = Array.from({ length: repeats }, () => (drawsNothing ? value : value * (1 + amplitude * (2 * random() - 1))));
      record.repeats[metric] = xs;
      record.aggregates[metric] = aggregate(xs);
    }
    return record;
  });
  return {
    schema: RESULTS_SCHEMA,
    suite: 'quick',
    command: 'ringbench run --suite quick',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:05:00.000Z',
    complete: true,
    environment: {
      kernel: opts.kernel ?? '6.1.0-test',
      cpuModel: 'Test CPU',
      cpuCount: 2,
      libbpf: '1.1.0',
      clang: '16.0.6',
      bpftool: '7.1.0',
      node: 'v20.0.0',
      ringbench: '0.1.0',
      gitCommit: 'abc1234',
      hostname: 'testhost',
      date: '2025-01-01T00:00:00.000Z',
    },
    scenarios,
  };
}
