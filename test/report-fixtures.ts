/**
 * report-fixtures — synthetic but realistic ResultsFile objects for the report tests: both
 * transports over every suite group (producers, memory, wakeup, event-size, latency, cpu, and the
 * saturation groups ceilings, reader-ceiling, wakeup-ceiling) with seeded noise, so charts, tables
 * and verdicts have something plausible to chew on. Also a tiny PNG decoder, because the tests must
 * look at pixels and no image library is installed, and helpers that write runs and reports into a
 * temporary directory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { aggregate } from '../src/analysis/stats.js';
import { RESULTS_SCHEMA, type ResultSet, type ResultsFile, type ScenarioRecord } from '../src/results/schema.js';
import { writeReport } from '../src/report/report.js';
import { upgradeResults } from '../src/results/load.js';
import { METRIC_NAMES } from '../src/results/metrics.js';
import { type ScenarioConfig, type SustainableRate, type Timeline, type Transport } from '../src/harness/types.js';
import { DEFAULTS } from '../src/harness/knobs.js';
import { seededRandom } from './compare-fixtures.js';
import { lossGrid, lossPoint } from '../src/analysis/loss.js';

export interface FixtureOptions {
  hostname?: string;
  kernel?: string;
  /** true: perfbuf is the transport that drops more; false: ringbuf does (the verdict must flip) */
  perfbufDropsMore?: boolean;
  /** repeats per scenario */
  repeats?: number;
  seed?: number;
  /** which groups to include; all by default */
  groups?: string[];
  /** the transport with the higher raw ceiling and sustainable rate (the Ceiling verdict must flip) */
  ceilingFavours?: Transport;
  /** false: the ceilings records have no sustainable-rate search */
  sustainable?: boolean;
}

/** The harness's defaults (harness/knobs DEFAULTS) with the smaller, every-record-timed trials
 *  these fixtures describe. */
export function defaultConfig(transport: Transport, over: Partial<ScenarioConfig> = {}): ScenarioConfig {
  return {
    ...DEFAULTS,
    transport,
    events: 0,
    workers: 1,
    perfbufPages: 32,
    eventBytes: 128,
    wakeupEvery: 1,
    wakeupBytes: 0,
    latencyEvery: 1,
    timeoutMs: 30000,
    windowMs: 10,
    ...over,
  };
}

/** Means of one scenario's metrics; everything else is derived from these. */
interface Shape {
  generatedPerSec: number;
  dropRate: number;
  inversionRatio: number;
  maxDisplacement: number;
  latencyUs: [number, number, number, number, number];
  consumerNs: number;
  bpfNs: number;
  eventsPerWakeup: number;
  bufferBytes: number;
  /** relative noise of each repeat */
  noise: number;
  /** delivered/s when it is not the generated rate less drops (a drain consumer's reading speed) */
  deliveredPerSec?: number;
}

function record(
  rand: () => number,
  repeats: number,
  group: string,
  label: string,
  x: { name: string; value: number },
  transport: Transport,
  config: ScenarioConfig,
  s: Shape,
  withTimeline: boolean,
): ScenarioRecord {
  const per: Record<string, number[]> = Object.fromEntries(METRIC_NAMES.map((m) => [m, [] as number[]]));
  const jitter = () => 1 + (rand() * 2 - 1) * s.noise;
  for (let r = 0; r < repeats; r++) {
    const generated = config.load === 'saturation' ? config.events : config.children;
    const seen = generated;
    const drop = Math.min(1, Math.max(0, s.dropRate * jitter()));
    const dropped = Math.round(seen * drop);
    const delivered = seen - dropped;
    const genRate = s.generatedPerSec * jitter();
    const wallNs = (generated / genRate) * 1e9;
    const inv = Math.round(delivered * s.inversionRatio * jitter());
    const lat = s.latencyUs.map((u) => u * 1000 * jitter()).sort((a, b) => a - b);
    let peak = 0; // set in place below: the jitter() calls keep their order, so the fixtures do not move
    const v: Record<string, number> = {
      'counts.generated': generated,
      'counts.seenByBpf': seen,
      'counts.delivered': delivered,
      'counts.droppedKernel': dropped,
      'counts.lostReported': transport === 'perfbuf' ? dropped : 0,
      'counts.notDrained': 0,
      'counts.missing': generated - delivered,
      'rates.generatedPerSec': genRate,
      'rates.deliveredPerSec': s.deliveredPerSec !== undefined ? s.deliveredPerSec * jitter() : genRate * (delivered / generated),
      'ordering.inversions': inv,
      'ordering.inversionRatio': inv / Math.max(1, delivered),
      'ordering.maxDisplacement': Math.round(s.maxDisplacement * jitter()),
      'ordering.maxTimeRegressionNs': s.inversionRatio > 0 ? 40000 * jitter() : 0,
      'latencyNs.p50': lat[0],
      'latencyNs.p90': lat[1],
      'latencyNs.p99': lat[2],
      'latencyNs.p999': lat[3],
      'latencyNs.max': lat[4],
      'stalls.maxCommitToReadNs': lat[4],
      'stalls.maxPendingGapNs': lat[4] / 2,
      'stalls.pendingGapNs.p50': lat[0] / 2,
      'stalls.pendingGapNs.p90': lat[1] / 2,
      'stalls.pendingGapNs.p99': lat[2] / 2,
      'stalls.pendingGapNs.max': lat[4] / 2,
      'stalls.commitToReadNs.p50': lat[0],
      'stalls.commitToReadNs.p99': lat[2],
      'stalls.commitToReadNs.p999': lat[3],
      'stalls.commitToReadNs.max': lat[4],
      'memory.bufferBytes': s.bufferBytes,
      'memory.peakOccupancyBytes': (peak = Math.min(s.bufferBytes, s.bufferBytes * (0.2 + s.dropRate * 3) * jitter())),
      'memory.peakCpuOccupancyBytes': peak,
      'memory.rings': transport === 'perfbuf' ? 2 : 1,
      'memory.bytesPerRing': transport === 'perfbuf' ? s.bufferBytes / 2 : s.bufferBytes,
      'cpu.consumerNsPerEvent': s.consumerNs * jitter(),
      'cpu.bpfNsPerEvent': s.bpfNs * jitter(),
      'cpu.sinkNsPerEvent': 10,
      'host.cpuPairNs': 0, // not measured: the report's placement sentence is checked in test/unit/report.test.ts
      'cpu.wakeups': Math.round(delivered / s.eventsPerWakeup),
      wallNs,
    };
    for (const m of METRIC_NAMES) per[m].push(v[m]);
  }
  const aggregates = Object.fromEntries(METRIC_NAMES.map((m) => [m, aggregate(per[m])]));
  let timeline: Timeline | undefined;
  if (withTimeline) {
    const windows = Math.round(aggregates.wallNs.mean / 10e6);
    const perWindow = (aggregates['rates.deliveredPerSec'].mean * 10e6) / 1e9;
    timeline = { windowNs: 10e6, delivered: [], occupancyBytes: [] };
    for (let w = 0; w < windows; w++) {
      const ramp = Math.min(1, (w + 1) / 5) * Math.min(1, (windows - w) / 3);
      timeline.delivered.push(Math.round(perWindow * ramp * (0.85 + 0.3 * rand())));
      const occ = s.bufferBytes * (0.15 + s.dropRate * 2) * (0.5 + rand());
      timeline.occupancyBytes.push(Math.round(Math.min(s.bufferBytes, occ * ramp)));
    }
  }
  return {
    id: `${group}/${label}/${transport}`,
    group,
    label,
    x,
    transport,
    config,
    repeats: per,
    aggregates,
    timeline,
    warnings: [],
  };
}

const KiB = 1024;
const ALL_GROUPS = ['producers', 'memory', 'wakeup', 'event-size', 'latency', 'cpu', 'ceilings', 'syscall-ceiling', 'reader-ceiling', 'wakeup-ceiling', 'skew', 'contention'];

/**
 * A sustainable-rate search as ceiling.ts runs it: the unthrottled run, 7 bisection steps on the
 * rate cap (a run drops when its cap is above `threshold`), then a confirmation at the answer —
 * which drops once when `backOff` is set, so the rate is backed off 10% and confirmed again.
 */
/**
 * A loss curve over 8 rates up to `ceiling`: no run drops below `threshold`, then more of each
 * rate's 5 runs drop (bursts of 1% of a run); a run drops exactly when its stall outlasts what the
 * 64 KiB buffer holds at its rate, and the lowest rate got 16 runs (the rule's extra runs).
 */
export function lossCurveFixture(ceiling: number, threshold: number): NonNullable<ScenarioRecord['lossCurve']> {
  const bufferBytes = 64 * 1024;
  const recordBytes = 72;
  const rates = lossGrid(ceiling, 0.05, 8);
  let above = 0;
  return {
    seconds: 0.3, ceilingPerSec: ceiling, from: 0.05, bufferBytes, recordBytes, stall: 'commit-to-read', maxDropUpper: 0.2, complete: true,
    points: rates.map((rate, j) => {
      const holds = (bufferBytes / recordBytes / rate) * 1e9;
      const drops = rate < threshold ? 0 : Math.min(5, ++above);
      const n = j === 0 ? 16 : 5;
      return lossPoint(rate, Array.from({ length: n }, (_, i) => {
        const events = Math.round(rate * 0.3);
        return { generatedPerSec: rate * 0.995, events, droppedKernel: i < drops ? Math.ceil(events / 100) : 0, fill: i < drops ? 1 : 0.4, stallNs: i < drops ? holds * 1.4 : holds * 0.3 };
      }));
    }),
  };
}

export function searchFixture(ceiling: number, delivered: number, threshold: number, backOff = false): SustainableRate {
  const steps: SustainableRate['steps'] = [];
  const run = (rateCap: number, dropsAnyway = false) => {
    const rate = rateCap || ceiling;
    const droppedKernel = dropsAnyway || rate > threshold ? Math.max(1, Math.round((rate - threshold) / 50)) : 0;
    steps.push({ rateCap, generatedPerSec: rate * 0.9998, droppedKernel });
    return droppedKernel;
  };
  run(0);
  let lo = 0;
  let hi = ceiling;
  for (let i = 0; i < 7; i++) {
    const mid = Math.round((lo + hi) / 2);
    if (run(mid) === 0) lo = mid;
    else hi = mid;
  }
  let best = lo;
  if (backOff) {
    run(best, true);
    best = Math.floor(best * 0.9);
  }
  run(best);
  return {
    ceilingPerSec: ceiling,
    ceilingDeliveredPerSec: delivered,
    ratePerSec: best,
    confirmation: { generatedPerSec: best * 0.9998, droppedKernel: 0, delivered: Math.round(best * 0.3) },
    steps,
    trialSeconds: 0.3,
  };
}

/** A complete two-transport results file. */
export function makeResults(opts: FixtureOptions = {}): ResultsFile {
  const rand = seededRandom(opts.seed ?? 42);
  const repeats = opts.repeats ?? 5;
  const perfWorse = opts.perfbufDropsMore ?? true;
  const groups = new Set(opts.groups ?? ALL_GROUPS);
  const ncpu = 2;
  const out: ScenarioRecord[] = [];
  // Drop-rate curve of the transport that drops more vs the one that drops less, by pressure 0..1.
  const drops = (t: Transport, pressure: number) => {
    const worse = (t === 'perfbuf') === perfWorse;
    return worse ? Math.max(0, 0.45 * pressure ** 1.3 - 0.005) : Math.max(0, 0.2 * pressure ** 2.2 - 0.02);
  };
  const base = (t: Transport): Shape => ({
    generatedPerSec: 36000,
    dropRate: 0,
    inversionRatio: t === 'perfbuf' ? 0.01 : 0,
    maxDisplacement: t === 'perfbuf' ? 60 : 0,
    latencyUs: t === 'perfbuf' ? [24, 61, 190, 870, 2400] : [18, 42, 125, 590, 1900],
    consumerNs: t === 'perfbuf' ? 345 : 262,
    bpfNs: t === 'perfbuf' ? 238 : 214,
    eventsPerWakeup: t === 'perfbuf' ? 1 : 3.5,
    bufferBytes: t === 'perfbuf' ? 256 * KiB + ncpu * 4096 : 256 * KiB + 2 * 4096,
    noise: 0.04,
  });
  const both: Transport[] = ['ringbuf', 'perfbuf'];

  if (groups.has('producers')) {
    for (const workers of [1, 2, 4]) {
      for (const t of both) {
        const s = base(t);
        s.generatedPerSec = [30500, 38800, 42100][Math.log2(workers)] * (t === 'perfbuf' ? 0.97 : 1);
        s.dropRate = drops(t, [0.02, 0.08, 0.2][Math.log2(workers)]);
        s.inversionRatio = t === 'perfbuf' ? [0.004, 0.021, 0.043][Math.log2(workers)] : 0;
        s.maxDisplacement = t === 'perfbuf' ? [12, 140, 410][Math.log2(workers)] : 0;
        const cfg = defaultConfig(t, { workers });
        out.push(record(rand, repeats, 'producers', `workers=${workers}`, { name: 'workers', value: workers }, t, cfg, s, workers === 4));
      }
    }
  }
  if (groups.has('memory')) {
    for (const bytes of [16, 64, 256, 1024, 4096].map((k) => k * KiB)) {
      for (const t of both) {
        const s = base(t);
        s.bufferBytes = t === 'perfbuf' ? bytes + ncpu * 4096 : bytes + 2 * 4096;
        s.dropRate = drops(t, Math.max(0, 1 - Math.log2(bytes / (16 * KiB)) / 6));
        s.generatedPerSec = 33000;
        s.noise = 0.06;
        const cfg = defaultConfig(t, { ringbufBytes: bytes, perfbufPages: bytes / ncpu / 4096, consumerDelayNs: 20000 });
        out.push(record(rand, repeats, 'memory', `buffer=${bytes / KiB}KiB`, { name: 'bufferBytes', value: bytes }, t, cfg, s, false));
      }
    }
  }
  if (groups.has('wakeup')) {
    // As the real suites do: ringbuf adaptive once (it has no N), every-N for both transports.
    const variants: [Transport, 'adaptive' | 'every-n', number][] = [['ringbuf', 'adaptive', 1]];
    for (const n of [1, 8, 32, 128]) variants.push(['ringbuf', 'every-n', n], ['perfbuf', 'every-n', n]);
    for (const [t, policy, n] of variants) {
      const s = base(t);
      const amortised = policy === 'adaptive' ? 1 : 1 / Math.sqrt(n);
      s.consumerNs = (t === 'perfbuf' ? 180 : 140) + 420 * amortised;
      s.eventsPerWakeup = policy === 'adaptive' ? 3.5 : n;
      s.generatedPerSec = 34000 + (policy === 'adaptive' ? 0 : (2500 * Math.log2(n)) / 7);
      const cfg = defaultConfig(t, {
        ringbufWakeup: t === 'ringbuf' ? policy : 'adaptive',
        wakeupEvery: n,
        perfbufWakeupEvents: n,
        ringbufBytes: 1024 * KiB,
      });
      const label = policy === 'adaptive' ? 'adaptive' : `every-${n}`;
      out.push(record(rand, repeats, 'wakeup', label, { name: 'variant', value: n }, t, cfg, s, false));
    }
  }
  if (groups.has('event-size')) {
    for (const bytes of [64, 256, 1024, 4096]) {
      for (const t of both) {
        const s = base(t);
        s.generatedPerSec = 36000 * (1 - Math.log2(bytes / 64) * 0.03);
        s.dropRate = drops(t, Math.log2(bytes / 64) / 9);
        s.consumerNs = base(t).consumerNs + bytes * 0.05;
        const cfg = defaultConfig(t, { eventBytes: bytes });
        out.push(record(rand, repeats, 'event-size', `event=${bytes}B`, { name: 'eventBytes', value: bytes }, t, cfg, s, false));
      }
    }
  }
  if (groups.has('latency')) {
    for (const rate of [2000, 10000]) {
      for (const t of both) {
        const s = base(t);
        s.generatedPerSec = rate;
        s.noise = 0.05;
        if (rate < 5000) s.latencyUs = s.latencyUs.map((u) => u * 0.8) as Shape['latencyUs'];
        const cfg = defaultConfig(t, { rateCap: rate, children: 2500 });
        out.push(record(rand, repeats, 'latency', `rateCap=${rate}`, { name: 'rateCap', value: rate }, t, cfg, s, false));
      }
    }
  }
  if (groups.has('cpu')) {
    for (const [vi, consumer] of (['epoll', 'busy'] as const).entries()) {
      for (const t of both) {
        const s = base(t);
        s.noise = 0.03;
        if (consumer === 'busy') s.consumerNs *= 0.7;
        const cfg = defaultConfig(t, { consumer });
        out.push(record(rand, repeats, 'cpu', consumer, { name: 'variant', value: vi }, t, cfg, s, false));
      }
    }
  }
  // Saturation groups (getpgid trigger): the transport with the higher ceiling is a choice.
  const fast = opts.ceilingFavours ?? 'ringbuf';
  const saturation = (t: Transport, over: Partial<ScenarioConfig>) =>
    defaultConfig(t, { load: 'saturation', children: 0, events: 100000, workers: 2, ...over });
  if (groups.has('ceilings')) {
    for (const [vi, reader] of (['libbpf', 'custom'] as const).entries()) {
      for (const t of both) {
        const s = base(t);
        const speed = reader === 'custom' ? 1.1 : 1;
        s.generatedPerSec = (t === fast ? 1.9e6 : 1.1e6) * speed;
        s.dropRate = t === fast ? 0.35 : 0.6;
        s.consumerNs = t === fast ? 420 : 610;
        s.bpfNs = t === fast ? 180 : 260;
        s.bufferBytes = 64 * KiB + (t === 'perfbuf' ? ncpu : 2) * 4096;
        s.noise = 0.03;
        const cfg = saturation(t, { ringbufBytes: 64 * KiB, perfbufPages: 8, reader });
        const rec = record(rand, repeats, 'ceilings', reader, { name: 'variant', value: vi }, t, cfg, s, false);
        if (opts.sustainable !== false) {
          const threshold = (t === fast ? 9e5 : 4.5e5) * speed;
          rec.sustainable = searchFixture(s.generatedPerSec, s.generatedPerSec * (1 - s.dropRate), threshold, t !== fast && reader === 'libbpf');
        }
        rec.lossCurve = lossCurveFixture(s.generatedPerSec, (t === fast ? 9e5 : 4.5e5) * speed);
        out.push(rec);
      }
    }
  }
  if (groups.has('syscall-ceiling')) {
    // One record per getpgid() call: the syscall, not the transport, sets the pace.
    for (const t of both) {
      const s = base(t);
      s.generatedPerSec = t === fast ? 2.1e5 : 1.6e5;
      s.dropRate = 0;
      s.consumerNs = t === fast ? 900 : 1400;
      s.bpfNs = t === fast ? 350 : 420;
      s.noise = 0.04;
      const cfg = saturation(t, { workers: 1, ringbufBytes: 512 * KiB, eventsPerCall: 1 });
      out.push(record(rand, repeats, 'syscall-ceiling', '1-per-call', { name: 'variant', value: 1 }, t, cfg, s, false));
    }
  }
  if (groups.has('reader-ceiling')) {
    for (const [vi, reader] of (['libbpf', 'custom'] as const).entries()) {
      for (const t of both) {
        const s = base(t);
        s.generatedPerSec = 1.7e6;
        s.deliveredPerSec = (t === fast ? 15e6 : 12e6) * (reader === 'custom' ? 1.25 : 1);
        s.consumerNs = 1e9 / s.deliveredPerSec;
        s.eventsPerWakeup = 1e5;
        s.bufferBytes = 64 * 1024 * KiB;
        s.noise = 0.05;
        const cfg = saturation(t, { workers: 1, ringbufBytes: 64 * 1024 * KiB, perfbufPages: 8192, consumer: 'drain', reader, ringbufWakeup: 'every-n', wakeupEvery: 1e6, perfbufWakeupEvents: 1e6 });
        out.push(record(rand, repeats, 'reader-ceiling', reader, { name: 'variant', value: vi }, t, cfg, s, false));
      }
    }
  }
  if (groups.has('wakeup-ceiling')) {
    const strategies: [Transport, string, number, Partial<ScenarioConfig>, number, number][] = [
      // transport, label, x, config, BPF ns/event, events per wake-up
      ['ringbuf', 'adaptive', 0, { ringbufWakeup: 'adaptive' }, 520, 20],
      ['ringbuf', 'every-64', 64, { ringbufWakeup: 'every-n', wakeupEvery: 64 }, 240, 64],
      ['ringbuf', 'sampled-64K', 65536, { ringbufWakeup: 'sampled', wakeupBytes: 64 * KiB }, 230, 480],
      ['perfbuf', 'every-1', 1, { perfbufWakeupEvents: 1 }, 1400, 1],
      ['perfbuf', 'every-64', 64, { perfbufWakeupEvents: 64 }, 330, 64],
      ['perfbuf', 'watermark-64K', 65536, { perfbufWatermarkBytes: 64 * KiB }, 310, 480],
    ];
    for (const [t, label, x, over, bpfNs, perWake] of strategies) {
      const s = base(t);
      s.bpfNs = bpfNs;
      s.eventsPerWakeup = perWake;
      s.consumerNs = 120 + 4000 / perWake;
      s.generatedPerSec = 1e9 / (bpfNs + 250);
      s.dropRate = label === 'every-64' && t === 'perfbuf' ? 0.02 : 0;
      s.bufferBytes = 1024 * KiB + (t === 'perfbuf' ? ncpu : 2) * 4096;
      s.noise = 0.05;
      const cfg = saturation(t, { ringbufBytes: 1024 * KiB, perfbufPages: 128, ...over });
      out.push(record(rand, repeats, 'wakeup-ceiling', label, { name: 'variant', value: x }, t, cfg, s, false));
    }
  }
  // Generated last, so the groups above keep their seeded values.
  if (groups.has('skew')) {
    // A slow consumer at 64 KiB: perfbuf's share on the storm's one CPU fills, the shared ring does not.
    for (const [label, stormCpus] of [['one-cpu', '0'], ['all-cpus', '0-1']] as const) {
      for (const t of both) {
        const s = base(t);
        s.dropRate = t === 'perfbuf' ? (label === 'one-cpu' ? 0.6 : 0.3) : 0.1;
        s.generatedPerSec = label === 'one-cpu' ? 24000 : 11000;
        s.noise = 0.05;
        const cfg = defaultConfig(t, { ringbufBytes: 64 * KiB, perfbufPages: 8, consumerDelayNs: 50000, stormCpus } as Partial<ScenarioConfig>);
        out.push(record(rand, repeats, 'skew', label, { name: 'variant', value: label === 'one-cpu' ? 1 : 2 }, t, cfg, s, false));
      }
    }
  }
  if (groups.has('contention')) {
    for (const workers of [1, 2]) {
      for (const [t, sharing] of [['ringbuf', 'shared'], ['ringbuf', 'per-cpu'], ['perfbuf', 'shared']] as const) {
        const s = base(t);
        s.generatedPerSec = (t === 'perfbuf' ? 2.5e6 : sharing === 'shared' ? 6e6 : 6.5e6) * (workers === 2 ? 0.8 : 1);
        s.noise = 0.03;
        const cfg = saturation(t, { workers, ringbufBytes: 1024 * KiB, perfbufPages: 128, ringbufSharing: sharing } as Partial<ScenarioConfig>);
        out.push(record(rand, repeats, 'contention', `${sharing === 'per-cpu' ? 'per-cpu' : t}-workers=${workers}`, { name: 'workers', value: workers }, t, cfg, s, workers === 2));
      }
    }
  }
  return {
    schema: RESULTS_SCHEMA,
    suite: 'standard',
    command: 'sudo npx ringbench run --suite standard --out reports/2025-01-01',
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:14:12.000Z',
    complete: true,
    environment: {
      kernel: opts.kernel ?? '6.1.0-28-amd64',
      cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
      cpuCount: ncpu,
      libbpf: '1.1.0',
      clang: '14.0.6',
      bpftool: 'v7.1.0',
      node: 'v20.20.2',
      ringbench: '0.1.0',
      gitCommit: '0123456789abcdef0123456789abcdef01234567',
      hostname: opts.hostname ?? 'bench-a',
      date: '2025-01-01T10:00:00.000Z',
    },
    scenarios: out,
  };
}

/** Decoded RGBA pixels of a non-interlaced 8-bit PNG (what resvg and Chromium write). */
export function decodePng(buf: Buffer): { width: number; height: number; rgba: Uint8Array } {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => buf[i] === b)) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs');
      colorType = data[9];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : colorType === 4 ? 2 : 1;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const cur = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= channels ? cur[y * stride + i - channels] : 0;
      const b = y > 0 ? cur[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? cur[(y - 1) * stride + i - channels] : 0;
      let v: number;
      if (filter === 0) v = x;
      else if (filter === 1) v = x + a;
      else if (filter === 2) v = x + b;
      else if (filter === 3) v = x + ((a + b) >> 1);
      else {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      cur[y * stride + i] = v & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    if (channels >= 3) {
      rgba[p * 4] = cur[s];
      rgba[p * 4 + 1] = cur[s + 1];
      rgba[p * 4 + 2] = cur[s + 2];
      rgba[p * 4 + 3] = channels === 4 ? cur[s + 3] : 255;
    } else {
      rgba[p * 4] = rgba[p * 4 + 1] = rgba[p * 4 + 2] = cur[s];
      rgba[p * 4 + 3] = channels === 2 ? cur[s + 1] : 255;
    }
  }
  return { width, height, rgba };
}

/** Number of distinct RGBA colours in an image (1 = blank). */
export function distinctColours(rgba: Uint8Array): number {
  const seen = new Set<number>();
  for (let i = 0; i < rgba.length; i += 4) {
    seen.add(((rgba[i] << 24) | (rgba[i + 1] << 16) | (rgba[i + 2] << 8) | rgba[i + 3]) >>> 0);
    if (seen.size > 1000) break;
  }
  return seen.size;
}

/** One result set as the report labels it, upgraded as results/load.ts upgrades a loaded file. */
export function resultSet(results: ResultsFile, label = 'bench-a · 6.1'): ResultSet {
  return { file: 'results.json', label, tag: 'A', results: upgradeResults(results) };
}

/** The items of one named vega mark inside an SVG string (-1: no such mark). */
export function markItems(svg: string, markName: string, element: string): number {
  const m = new RegExp(`<g class="mark-[a-z]+ role-mark ${markName}"[^>]*>(.*?)</g>`).exec(svg);
  if (!m) return -1;
  return (m[1].match(new RegExp(`<${element}\\b`, 'g')) ?? []).length;
}

/** Write `results` (an object, or raw text for corrupt files) as <dir>/<name>/results.json; returns the run directory. */
export async function writeRun(dir: string, name: string, results: unknown): Promise<string> {
  const run = path.join(dir, name);
  await mkdir(run, { recursive: true });
  await writeFile(path.join(run, 'results.json'), typeof results === 'string' ? results : JSON.stringify(results));
  return run;
}

/** A report from a good run (with its CSV) plus a corrupt and a wrong-schema file. */
export async function writeMixedReport(dir: string, log?: (line: string) => void) {
  // as a standard run records it today: the ceilings' sustainable rate from loss curves, no searches
  const good = await writeRun(dir, 'good', makeResults({ sustainable: false }));
  await writeFile(path.join(good, 'results.csv'), 'id\n');
  const corrupt = await writeRun(dir, 'corrupt', '{"schema": "ringbench/results@1", "scenarios": [');
  const wrong = await writeRun(dir, 'wrong', { ...makeResults(), schema: 'ringbench/results@0' });
  const r = await writeReport([good, corrupt, wrong], path.join(dir, 'mixed-report'), { log });
  return { r, good, corrupt, wrong };
}
