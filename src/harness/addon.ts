/**
 * addon — loads the N-API addon (build/Release/ringbench.node, built by cmake-js) and declares
 * its contract: the config objects it takes and the raw output it returns, key for key. The addon
 * reads each config through one field table (native/addon/fields.h): every key required, unknown
 * keys and unknown enum strings rejected. The key lists below are checked by the compiler against
 * these interfaces and by test/contract.test.ts against the addon's own tables. Defaults are not
 * here: they live in knobs.ts. Nothing above the harness touches the addon directly.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioConfig } from './types.js';

/** The repository root, whether running from src/ (ts) or dist/src/ (compiled). */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('ringbench: cannot find the package root');
    dir = up;
  }
  return dir;
})();

export const ADDON_PATH = join(ROOT, 'build', 'Release', 'ringbench.node');
export const STORM_PATH = join(ROOT, 'build', 'Release', 'ringbench-storm');

/**
 * The list of T's keys, each once: a key T lacks does not compile, and neither does a list that
 * misses one of T's keys (the error names it as `missingKeys`).
 */
function keysOf<T>() {
  return <const K extends readonly (keyof T)[]>(
    keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missingKeys: Exclude<keyof T, K[number]> }),
  ): K => keys;
}

/** The buffer and its wake-up policy (native TransportConfig), read by runTrial and Tracer. */
export type NativeTransportConfig = Pick<ScenarioConfig, 'transport' | 'ringbufBytes' | 'perfbufPages' |
  'perfbufWakeupEvents' | 'perfbufWatermarkBytes' | 'attach' | 'eventBytes' | 'ringbufWakeup' | 'wakeupEvery' |
  'wakeupBytes' | 'ringbufSubmit'> & {
  /** ringbufSharing as BPF takes it: 0 = the one shared ring, N = a ring per N CPUs (cpu / N) */
  ringCpus: number;
  /** ringCpus > 0: each ring's data bytes (cpus.ts ringBytesOf) */
  ringBytes: number;
};

/** The reading thread (native ConsumerOptions), read by runTrial and Tracer. */
export type NativeConsumerConfig = Pick<ScenarioConfig, 'consumer' | 'consumerCpu' | 'reader'>;

/** A storm generator process (native StormOptions): the Storm class. */
export interface NativeStormConfig extends Pick<ScenarioConfig, 'stormMode' | 'children' | 'workers' | 'rateCap' | 'timeoutMs' | 'stormCpus'> {
  /** the ringbench-storm executable (STORM_PATH) */
  stormPath: string;
}

/** One measured trial (native TrialConfig): every scenario knob but `memory`, which only derives
 *  perfbufPages, and `pin`, already applied to the CPUs; plus the storm executable. The trial
 *  filters on its own load's tgid. */
export interface NativeTrialConfig extends NativeTransportConfig, NativeConsumerConfig,
  Pick<ScenarioConfig, 'load' | 'stormMode' | 'stormCpus' | 'children' | 'events' | 'eventsPerCall' | 'workers' | 'rateCap' |
    'timeoutMs' | 'consumerDelayNs' | 'windowMs' | 'bpfStats' | 'record' | 'latencyEvery' | 'producerCpu'> {
  stormPath: string;
}

/** A live trace (the Tracer class): a transport with the trace filter instead of a load. */
export interface NativeTracerConfig extends NativeTransportConfig, NativeConsumerConfig {
  /** count only children of this process; 0 = the whole system */
  targetTgid: number;
  /** emit exec events too (needs tp_btf or raw_tp) */
  traceExec: boolean;
  /** drop exits of processes younger than this */
  minDurationNs: number;
}

/** What runTrial resolves to: the native TrialOutput, flat; trial.ts shapes it into a TrialResult. */
export interface NativeTrialOutput {
  /** tp_btf | raw_tp | tp, or fentry | tp_btf/sys_enter for saturation */
  attachedVia: string;
  generated: number;
  stormFailed: number;
  seenByBpf: number;
  delivered: number;
  droppedKernel: number;
  lostReported: number;
  /** records shorter than an event header */
  malformed: number;
  /** records left when the drain's bound hit (Ctrl-C, SIGTERM, --timeout-ms): read out, not measured */
  notDrained: number;
  /** sum of delivered sequence numbers: 0 + 1 + ... + (n-1) when each arrived once */
  seqSum: number;
  loadPhaseNs: number;
  wallNs: number;
  /** last delivery, since the load started */
  lastDeliveryNs: number;
  /** drain consumer: time to read the backlog */
  drainNs: number;
  inversions: number;
  maxDisplacement: number;
  maxTimeRegressionNs: number;
  displacementTruncated: boolean;
  latP50: number;
  latP90: number;
  latP99: number;
  latP999: number;
  latMax: number;
  /** stalls: the longest BPF-timestamp-to-receive time over every timed record (native/core/sink.h) */
  commitToReadMax: number;
  /** stalls: per read that found records, from the previous read's start (or the oldest record's
   *  BPF timestamp, if later) to this read's start */
  pendingGapP50: number;
  pendingGapP90: number;
  pendingGapP99: number;
  pendingGapMax: number;
  bufferBytes: number;
  mapMemlockBytes: number;
  /** the fullest the buffer got: positions read as records were consumed, and (ringbuf) BPF's
   *  bpf_ringbuf_query at a failed reserve */
  peakOccupancyBytes: number;
  /** the fullest single buffer (perfbuf: one CPU's; ringbuf: as peakOccupancyBytes) */
  peakCpuOccupancyBytes: number;
  /** ringbuf: most unread bytes at a failed reserve, seen in BPF (0 without drops, and for perfbuf) */
  bpfPeakUnreadBytes: number;
  /** the buffers read: rings (1 shared, or one per N CPUs) or perf's CPU buffers */
  buffers: number;
  /** data bytes of each buffer */
  bufferDataBytes: number;
  /** records read from each buffer (perfbuf: by CPU; rings: by ring) */
  perBufferRead: number[];
  /** the measuring sink's own CPU per record, calibrated after the load */
  sinkNsPerEvent: number;
  /** saturation pinned apart: the producer↔consumer CPUs' cache-line round trip before and after
   *  the load (0 = not measured) */
  cpuPairBeforeNs: number;
  cpuPairAfterNs: number;
  consumerCpuNs: number;
  bpfRunTimeNs: number;
  bpfRunCnt: number;
  bpfStatsEnabled: boolean;
  wakeups: number;
  /** errno the consumer stopped on; 0 = none */
  consumerError: number;
  windowNs: number;
  timelineDelivered: number[];
  timelineOccupancy: number[];
  /** done | deadline | signal | aborted | killed */
  stormStopped: string;
  aborted: boolean;
}

export const TRANSPORT_CONFIG_KEYS = keysOf<NativeTransportConfig>()(['transport', 'ringbufBytes', 'perfbufPages',
  'perfbufWakeupEvents', 'perfbufWatermarkBytes', 'attach', 'eventBytes', 'ringbufWakeup', 'wakeupEvery',
  'wakeupBytes', 'ringbufSubmit', 'ringCpus', 'ringBytes']);
export const CONSUMER_CONFIG_KEYS = keysOf<NativeConsumerConfig>()(['consumer', 'consumerCpu', 'reader']);
export const STORM_CONFIG_KEYS = keysOf<NativeStormConfig>()(['stormPath', 'stormMode', 'children', 'workers',
  'rateCap', 'timeoutMs', 'stormCpus']);
export const TRIAL_CONFIG_KEYS = keysOf<NativeTrialConfig>()([...TRANSPORT_CONFIG_KEYS, ...CONSUMER_CONFIG_KEYS,
  'load', 'stormPath', 'stormMode', 'stormCpus', 'children', 'events', 'eventsPerCall', 'workers', 'rateCap', 'timeoutMs',
  'consumerDelayNs', 'windowMs', 'bpfStats', 'record', 'latencyEvery', 'producerCpu']);
export const TRACER_CONFIG_KEYS = keysOf<NativeTracerConfig>()([...TRANSPORT_CONFIG_KEYS, 'targetTgid', 'traceExec',
  'minDurationNs', ...CONSUMER_CONFIG_KEYS]);
export const TRIAL_OUTPUT_KEYS = keysOf<NativeTrialOutput>()(['attachedVia', 'generated', 'stormFailed', 'seenByBpf',
  'delivered', 'droppedKernel', 'lostReported', 'malformed', 'notDrained', 'seqSum', 'loadPhaseNs', 'wallNs', 'lastDeliveryNs',
  'drainNs', 'inversions', 'maxDisplacement', 'maxTimeRegressionNs', 'displacementTruncated', 'latP50', 'latP90',
  'latP99', 'latP999', 'latMax', 'commitToReadMax', 'pendingGapP50', 'pendingGapP90', 'pendingGapP99',
  'pendingGapMax', 'bufferBytes', 'mapMemlockBytes', 'peakOccupancyBytes', 'peakCpuOccupancyBytes',
  'bpfPeakUnreadBytes', 'buffers', 'bufferDataBytes', 'perBufferRead', 'sinkNsPerEvent', 'cpuPairBeforeNs', 'cpuPairAfterNs', 'consumerCpuNs',
  'bpfRunTimeNs', 'bpfRunCnt', 'bpfStatsEnabled', 'wakeups', 'consumerError', 'windowNs', 'timelineDelivered',
  'timelineOccupancy', 'stormStopped', 'aborted']);

/** What Storm.wait() returns. */
export interface NativeStormOutcome {
  generated: number;
  failed: number;
  elapsedNs: number;
  /** done | deadline | signal | aborted | killed */
  stopped: string;
}

/** Exactly `keys` of `from`: what the strict addon accepts, taken from a wider object. */
export function pickKeys<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = from[k];
  return out;
}

export interface ProbeItem {
  name: string;
  available: boolean;
  reason: string;
}

export interface NativeTracerEvent {
  kind: 'exit' | 'exec';
  seq: number;
  tsNs: number;
  durationNs: number;
  pid: number;
  ppid: number;
  exitCode: number;
  exitSignal: number;
  cpu: number;
  comm: string;
  filename: string;
}

export interface NativeTracer {
  /** decoded events captured since the last call (at most `max`, required) */
  take(max: number): NativeTracerEvent[];
  /** counters so far: delivered, seenByBpf, droppedKernel, lostReported, captureOverflow */
  stats(): Record<string, number>;
  close(): void;
}

/** A storm held at its start line until go(); kill() (or garbage) kills its process group. */
export interface NativeStorm {
  readonly pid: number;
  go(): void;
  /** blocks until the storm exits or `limitMs` passes (then kills it); `limitMs` is required */
  wait(limitMs: number): NativeStormOutcome;
  kill(): void;
}

export interface Addon {
  probeKernel(): ProbeItem[];
  libbpfVersion(): string;
  /** a cache line's median round trip between two CPUs, probed as a trial probes them (0 = not measurable) */
  cpuPairNs(cpuA: number, cpuB: number): number;
  /** throws (synchronously) on a missing, unknown or mistyped field; rejects when the kernel refuses */
  runTrial(config: NativeTrialConfig): Promise<NativeTrialOutput>;
  abortAll(): void;
  Tracer: new (config: NativeTracerConfig) => NativeTracer;
  Storm: new (config: NativeStormConfig) => NativeStorm;
  /** the keys of each native field table, for the contract test */
  trialConfigKeys(): string[];
  trialOutputKeys(): string[];
  tracerConfigKeys(): string[];
  stormConfigKeys(): string[];
  tracerEventKeys(): string[];
  stormOutcomeKeys(): string[];
  /** sysconf(_SC_PAGESIZE): 4 KiB on x86, 4, 16 or 64 KiB on arm64 */
  readonly PAGE_SIZE: number;
  /** sizeof(struct rb_event): the smallest record */
  readonly MIN_EVENT_BYTES: number;
  /** RB_MAX_EVENT_BYTES (bpf/common/event.h) */
  readonly MAX_EVENT_BYTES: number;
  /** RB_MAX_SATURATION_BATCH (bpf/common/event.h): records per saturation trigger at most */
  readonly MAX_SATURATION_BATCH: number;
}

export const TRACER_EVENT_KEYS = keysOf<NativeTracerEvent>()(['kind', 'seq', 'tsNs', 'durationNs', 'pid', 'ppid',
  'exitCode', 'exitSignal', 'cpu', 'comm', 'filename']);
export const STORM_OUTCOME_KEYS = keysOf<NativeStormOutcome>()(['generated', 'failed', 'elapsedNs', 'stopped']);

let cached: Addon | undefined;

/** The addon, or undefined when it cannot load (loadAddon() then says why). */
export function tryLoadAddon(): Addon | undefined {
  try {
    return loadAddon();
  } catch {
    return undefined;
  }
}

export function loadAddon(): Addon {
  if (cached) return cached;
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`ringbench: native addon not built (${ADDON_PATH} missing); run: npm run setup`);
  }
  const require = createRequire(import.meta.url);
  cached = require(ADDON_PATH) as Addon;
  return cached;
}
