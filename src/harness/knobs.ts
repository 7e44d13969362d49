/**
 * knobs — every scenario knob in one table: its CLI flag, its valid values, its default. The CLI,
 * suite files and runScenario all validate through here, so a bad value gets the same one-line
 * message (naming the flag or field and what is valid) wherever it comes from. The only defaults
 * of the native configs are here too: the addon requires every field.
 */
import { cpus } from 'node:os';
import {
  CONSUMER_CONFIG_KEYS, STORM_PATH, TRANSPORT_CONFIG_KEYS, TRIAL_CONFIG_KEYS, loadAddon, pickKeys,
  type NativeStormConfig, type NativeTracerConfig, type NativeTrialConfig,
} from './addon.js';
import type { Placement, ScenarioConfig } from './types.js';

/** The limits validation needs, never copied: the running machine's page size (sysconf: 16K or
 *  64K on some arm64) and bpf/common/event.h's event and batch limits. */
export interface Limits {
  pageSize: number;
  minEventBytes: number;
  maxEventBytes: number;
  maxSaturationBatch: number;
}

let cachedLimits: Limits | undefined;

/** The limits, read from the addon on first use, so that importing this module (DEFAULTS, flag
 *  names) loads nothing; throws loadAddon()'s reason when the addon cannot load. */
export function limits(): Limits {
  if (!cachedLimits) {
    const addon = loadAddon();
    cachedLimits = {
      pageSize: addon.PAGE_SIZE,
      minEventBytes: addon.MIN_EVENT_BYTES,
      maxEventBytes: addon.MAX_EVENT_BYTES,
      maxSaturationBatch: addon.MAX_SATURATION_BATCH,
    };
  }
  return cachedLimits;
}

/** A bad knob: `field` is the config key, `flag` its CLI spelling. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly flag: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Knob =
  | { key: keyof ScenarioConfig; kind: 'enum'; values: readonly string[]; doc: string }
  | { key: keyof ScenarioConfig; kind: 'int' | 'bytes'; min: number; max: number; doc: string; pow2?: boolean }
  | { key: keyof ScenarioConfig; kind: 'bool'; doc: string };

const M = 1_000_000;

/** The knob table. `bytes` knobs accept K/M/G (binary) suffixes: 256K, 1M, 4MiB. */
export const KNOBS: readonly Knob[] = [
  { key: 'transport', kind: 'enum', values: ['ringbuf', 'perfbuf'], doc: 'transport under test' },
  { key: 'load', kind: 'enum', values: ['storm', 'saturation'], doc: 'storm: process exits; saturation: getpgid() calls emitting the same event (transport ceiling)' },
  { key: 'stormMode', kind: 'enum', values: ['vfork', 'fork', 'exec'], doc: 'how storm children are made' },
  { key: 'children', kind: 'int', min: 1, max: 10 * M, doc: 'storm children in total' },
  { key: 'events', kind: 'int', min: 1, max: 1000 * M, doc: 'events in total (saturation load)' },
  { key: 'eventsPerCall', kind: 'int', min: 1, get max() { return limits().maxSaturationBatch; }, doc: 'saturation: records emitted per getpgid() trigger (a batch, as in the kernel benchmark)' },
  { key: 'workers', kind: 'int', min: 1, max: 64, doc: 'parallel producers (storm or saturation threads)' },
  { key: 'rateCap', kind: 'int', min: 0, max: 100 * M, doc: 'children (or events) per second over all workers (0 = unlimited)' },
  { key: 'ringbufBytes', kind: 'bytes', get min() { return limits().pageSize; }, max: 1 << 30, pow2: true, doc: 'ring buffer data bytes (power of two, at least a page)' },
  { key: 'perfbufPages', kind: 'int', min: 1, max: 1 << 16, pow2: true, doc: 'perf buffer data pages per CPU (power of two)' },
  { key: 'memory', kind: 'enum', values: ['equal', 'per-cpu'], doc: 'equal: perfbuf total = ringbuf bytes; per-cpu: use --perfbuf-pages' },
  { key: 'eventBytes', kind: 'bytes', get min() { return limits().minEventBytes; }, get max() { return limits().maxEventBytes; }, doc: 'bytes per event record, padding included (multiple of 8)' },
  { key: 'ringbufSubmit', kind: 'enum', values: ['reserve', 'output'], doc: 'ringbuf: reserve/submit, or output of a staged copy' },
  { key: 'ringbufWakeup', kind: 'enum', values: ['adaptive', 'every-n', 'sampled'], doc: 'ringbuf wake-up policy' },
  { key: 'wakeupEvery', kind: 'int', min: 1, max: M, doc: 'ringbuf every-n: force a wake-up every N events' },
  { key: 'wakeupBytes', kind: 'bytes', min: 1, max: 1 << 30, doc: 'ringbuf sampled: wake at this many unread bytes' },
  { key: 'perfbufWakeupEvents', kind: 'int', min: 1, max: M, doc: 'perfbuf: wake the consumer every N events' },
  { key: 'perfbufWatermarkBytes', kind: 'bytes', min: 0, max: 1 << 30, doc: 'perfbuf: wake at this many bytes instead (0 = off)' },
  { key: 'consumer', kind: 'enum', values: ['epoll', 'busy', 'drain', 'b2b'], doc: 'consumer: sleep in epoll until woken, busy poll, drain (read nothing during the load, then the backlog flat out: the reader ceiling), or b2b (saturation: the consumer triggers the next batch after each poll, like the kernel bench --rb-b2b)' },
  { key: 'reader', kind: 'enum', values: ['libbpf', 'custom'], doc: "libbpf's reader, or the custom one that reads mapped pages and advances once per batch" },
  { key: 'consumerDelayNs', kind: 'int', min: 0, max: 10 * M, doc: 'busy-wait per event in the consumer (a slow consumer)' },
  { key: 'consumerCpu', kind: 'int', min: -1, max: 4095, doc: 'pin the consumer thread to this CPU (-1 = no pinning)' },
  { key: 'producerCpu', kind: 'int', min: -1, max: 4095, doc: 'saturation: pin producer i to CPU producer-cpu + i (-1 = no pinning)' },
  { key: 'pin', kind: 'enum', values: ['auto', 'off'], doc: 'auto: saturation with neither CPU given pins the consumer to CPU 0 and producers to 1.. when each can have its own CPU; off: pin only what is given' },
  { key: 'record', kind: 'enum', values: ['full', 'minimal'], doc: "saturation: full events, or minimal 8-byte records (the sequence number alone, the kernel ringbuf benchmark's record; no latency)" },
  { key: 'latencyEvery', kind: 'int', min: 0, max: 1 << 16, doc: 'time one record in N for latency (0 = auto: every record in storms, 1 in 64 in saturation and drain)' },
  { key: 'attach', kind: 'enum', values: ['auto', 'tp_btf', 'raw_tp', 'tp'], doc: 'attach via BTF tracepoint, raw tracepoint or tracefs tracepoint' },
  { key: 'timeoutMs', kind: 'int', min: 100, max: 3_600_000, doc: 'hard bound on the load phase' },
  { key: 'windowMs', kind: 'int', min: 1, max: 60_000, doc: 'timeline window width' },
  { key: 'bpfStats', kind: 'bool', doc: 'measure BPF run time through BPF_ENABLE_STATS' },
];

export const DEFAULTS: ScenarioConfig = {
  transport: 'ringbuf',
  load: 'storm',
  stormMode: 'vfork',
  children: 20_000,
  events: 1_000_000,
  eventsPerCall: 1,
  workers: 2,
  rateCap: 0,
  ringbufBytes: 256 * 1024,
  perfbufPages: 0, // derived from ringbufBytes under equal memory
  memory: 'equal',
  eventBytes: 64,
  ringbufSubmit: 'reserve',
  ringbufWakeup: 'adaptive',
  wakeupEvery: 32,
  wakeupBytes: 64 * 1024,
  perfbufWakeupEvents: 1,
  perfbufWatermarkBytes: 0,
  consumer: 'epoll',
  reader: 'libbpf',
  consumerDelayNs: 0,
  consumerCpu: -1,
  producerCpu: -1,
  pin: 'auto',
  record: 'full',
  latencyEvery: 0,
  attach: 'auto',
  timeoutMs: 120_000,
  windowMs: 50,
  bpfStats: true,
};

/** "--ringbuf-bytes" for "ringbufBytes". */
export function flagOf(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

function fmtNum(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

/** Parses "256K", "1MiB", "4096", 4096 into bytes; NaN when it is not a size. */
export function parseBytes(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  const m = /^\s*(\d+)\s*(k|ki|kib|kb|m|mi|mib|mb|g|gi|gib|gb)?\s*$/i.exec(v);
  if (!m) return NaN;
  const unit = (m[2] ?? '').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1 << 20 : unit === 'g' ? 1 << 30 : 1;
  return Number(m[1]) * mult;
}

function describe(k: Knob): string {
  if (k.kind === 'enum') return `one of ${k.values.join(', ')}`;
  if (k.kind === 'bool') return 'true or false';
  const range = `${fmtNum(k.min)}..${fmtNum(k.max)}`;
  if (k.key === 'ringbufBytes') return `a power-of-two multiple of the ${limits().pageSize}-byte page, ${range}`;
  if (k.key === 'eventBytes') return `a multiple of 8 in ${range}`;
  return k.pow2 ? `a power of two in ${range}` : `an integer in ${range}`;
}

function knobValue(k: Knob, raw: unknown, where: (k: Knob) => string): ScenarioConfig[keyof ScenarioConfig] {
  const bad = () => new ConfigError(k.key, flagOf(k.key), `${where(k)} must be ${describe(k)}; got '${String(raw)}'`);
  if (k.kind === 'enum') {
    if (typeof raw !== 'string' || !k.values.includes(raw)) throw bad();
    return raw as never;
  }
  if (k.kind === 'bool') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    throw bad();
  }
  const n = k.kind === 'bytes' ? parseBytes(raw) : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < k.min || n > k.max) throw bad();
  if (k.pow2 && !isPow2(n)) throw bad();
  if (k.key === 'ringbufBytes' && n % limits().pageSize !== 0) throw bad();
  if (k.key === 'eventBytes' && n % 8 !== 0) throw bad();
  return n;
}

export interface ResolveOptions {
  /** how errors name a field: CLI flags ("--children") or suite fields ("scenarios[2].children") */
  naming?: (key: string) => string;
  /** online CPUs, for equal-memory pairing (default: this machine's) */
  cpuCount?: number;
}

/** Perf buffer pages per CPU so that all CPUs together hold as many data bytes as the ring buffer
 *  (rounded down to a power of two, at least one page). */
export function equalMemoryPages(ringbufBytes: number, cpuCount: number): number {
  const pages = Math.max(1, Math.floor(ringbufBytes / cpuCount / limits().pageSize));
  return 2 ** Math.floor(Math.log2(pages));
}

/**
 * Validates a partial configuration, fills defaults and derives dependent values. Unknown keys
 * and bad values throw ConfigError. `perfbufPages` given explicitly implies memory 'per-cpu'
 * unless memory is set too.
 */
export function resolveConfig(input: Record<string, unknown>, opts: ResolveOptions = {}): ScenarioConfig {
  const naming = opts.naming ?? flagOf;
  const where = (k: Knob) => naming(k.key);
  const known = new Map(KNOBS.map((k) => [k.key as string, k]));
  const out: ScenarioConfig = { ...DEFAULTS };
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    const k = known.get(key);
    if (!k) {
      const valid = KNOBS.map((x) => (naming === flagOf ? flagOf(x.key) : x.key)).join(', ');
      throw new ConfigError(key, naming(key), `${naming(key)} is not a scenario knob; valid: ${valid}`);
    }
    (out as unknown as Record<string, unknown>)[key] = knobValue(k, raw, where);
  }
  if (input.perfbufPages !== undefined && input.memory === undefined) out.memory = 'per-cpu';
  const cpuCount = opts.cpuCount ?? cpus().length;
  if (out.memory === 'equal' || !out.perfbufPages) {
    out.perfbufPages = equalMemoryPages(out.ringbufBytes, cpuCount);
  }
  for (const key of ['consumerCpu', 'producerCpu'] as const) {
    if (out[key] >= cpuCount) {
      throw new ConfigError(key, naming(key), `${naming(key)} must be -1 or a CPU in 0..${cpuCount - 1}; got '${out[key]}'`);
    }
  }
  resolveSaturationKnobs(input, out, naming, cpuCount);
  const perfBufferBytes = out.perfbufPages * limits().pageSize;
  if (out.perfbufWatermarkBytes >= perfBufferBytes) {
    throw new ConfigError('perfbufWatermarkBytes', naming('perfbufWatermarkBytes'),
      `${naming('perfbufWatermarkBytes')} must be below the per-CPU perf buffer (${perfBufferBytes} bytes); got '${out.perfbufWatermarkBytes}'`);
  }
  if (out.events % out.eventsPerCall !== 0) {
    throw new ConfigError('events', naming('events'), `${naming('events')} (${out.events}) must be a multiple of ${naming('eventsPerCall')} (${out.eventsPerCall})`);
  }
  if (out.transport === 'ringbuf' && out.eventBytes + 8 > out.ringbufBytes / 2) {
    throw new ConfigError('eventBytes', naming('eventBytes'), `${naming('eventBytes')} (${out.eventBytes}) does not fit the ring buffer: raise ${naming('ringbufBytes')}`);
  }
  return out;
}

/** The latency sampling a load mode gets by default: storms keep per-event accounting. */
export const SATURATION_LATENCY_EVERY = 64;

/** The payload of a minimal record (struct rb_min_event: the sequence number). */
export const MINIMAL_RECORD_BYTES = 8;

/** Bytes of each record's payload a scenario sends (the ringbuf adds an 8-byte header). */
export function recordBytes(config: Pick<ScenarioConfig, 'record' | 'eventBytes'>): number {
  return config.record === 'minimal' ? MINIMAL_RECORD_BYTES : config.eventBytes;
}

/** Checks and derives the saturation-only knobs: b2b, producer CPU, minimal records, latency
 *  sampling and automatic placement. */
function resolveSaturationKnobs(input: Record<string, unknown>, out: ScenarioConfig, naming: (key: string) => string,
  cpuCount: number): void {
  const saturation = out.load === 'saturation';
  const needsSaturation = (key: keyof ScenarioConfig, what: string) =>
    new ConfigError(key, naming(key), `${naming(key)} ${what} needs ${naming('load')} saturation`);
  if (!saturation && out.consumer === 'b2b') throw needsSaturation('consumer', 'b2b');
  if (!saturation && out.producerCpu >= 0) throw needsSaturation('producerCpu', String(out.producerCpu));
  if (out.record === 'minimal') {
    if (!saturation) throw needsSaturation('record', 'minimal');
    // eventBytes stays at its default (unused), so a resolved config resolves to itself
    if (out.eventBytes !== DEFAULTS.eventBytes) {
      throw new ConfigError('eventBytes', naming('eventBytes'), `${naming('eventBytes')} does not apply to ${naming('record')} minimal (its records are ${MINIMAL_RECORD_BYTES} bytes)`);
    }
  }
  const perEvent = out.load === 'storm' && out.consumer !== 'drain';
  if (out.latencyEvery === 0) out.latencyEvery = perEvent ? 1 : SATURATION_LATENCY_EVERY;
  else if (perEvent && out.latencyEvery !== 1) {
    throw new ConfigError('latencyEvery', naming('latencyEvery'), `${naming('latencyEvery')} must be 0 or 1 for a storm: storms keep per-event accounting; got '${out.latencyEvery}'`);
  }
  // one CPU for the consumer and one per producer thread (back to back: the consumer is the producer)
  const producers = out.consumer === 'b2b' ? 0 : out.workers;
  if (saturation && out.pin === 'auto' && out.consumerCpu < 0 && out.producerCpu < 0 && cpuCount >= producers + 1) {
    out.consumerCpu = 0;
    if (producers) out.producerCpu = 1;
  }
}

/** Where a resolved scenario's threads run. */
export function placementOf(config: ScenarioConfig, cpuCount: number = cpus().length): Placement {
  // a storm's workers are processes of their own: they compete for the CPUs all the same
  const producers = config.consumer === 'b2b' ? 0 : config.workers;
  const threads = config.load === 'saturation' ? producers : 0;
  const producerCpus = Array.from({ length: threads }, (_, i) => (config.producerCpu < 0 ? -1 : (config.producerCpu + i) % cpuCount));
  return { consumerCpu: config.consumerCpu, producerCpus, cpuCount, oversubscribed: producers + 1 > cpuCount };
}

/** runTrial's config for a resolved scenario: exactly the keys the addon reads. */
export function trialConfig(config: ScenarioConfig, stormPath: string = STORM_PATH): NativeTrialConfig {
  return pickKeys({ ...config, stormPath }, TRIAL_CONFIG_KEYS);
}

/** A Storm's config: the scenario defaults, overridden by `given`. */
export function stormConfig(given: Partial<NativeStormConfig> = {}): NativeStormConfig {
  const { stormMode, children, workers, rateCap, timeoutMs } = DEFAULTS;
  return { stormPath: STORM_PATH, stormMode, children, workers, rateCap, timeoutMs, ...given };
}

/** A Tracer's config: the scenario defaults (equal-memory perf pages), the whole system, exits only,
 *  no minimum lifetime; overridden by `given`. */
export function tracerConfig(given: Partial<NativeTracerConfig> = {}): NativeTracerConfig {
  return {
    ...pickKeys(DEFAULTS, TRANSPORT_CONFIG_KEYS),
    perfbufPages: equalMemoryPages(DEFAULTS.ringbufBytes, cpus().length),
    ...pickKeys(DEFAULTS, CONSUMER_CONFIG_KEYS),
    targetTgid: 0,
    traceExec: false,
    minDurationNs: 0,
    ...given,
  };
}
