/**
 * knobs — every scenario knob in one table: its CLI flag, its valid values, its default. The CLI,
 * suite files and runScenario all validate through here, so a bad value gets the same one-line
 * message (naming the flag or field and what is valid) wherever it comes from. The only defaults
 * of the native configs are here too: the addon requires every field.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  CONSUMER_CONFIG_KEYS, ROOT, STORM_PATH, TRANSPORT_CONFIG_KEYS, TRIAL_CONFIG_KEYS, loadAddon, pickKeys,
  type NativeStormConfig, type NativeTracerConfig, type NativeTrialConfig,
} from './addon.js';
import type { ScenarioConfig } from './types.js';
import { resolveSaturationKnobs } from './saturation-knobs.js';
import { allowedCpus, formatCpuList, ringBytesOf, ringCountOf, ringCpusOf, stormCpusOf } from './cpus.js';

export { MINIMAL_RECORD_BYTES, SATURATION_LATENCY_EVERY, placementOf, recordBytes } from './saturation-knobs.js';

/** The limits validation needs, never copied: the running machine's page size (sysconf: 16K or
 *  64K on some arm64) and bpf/common/event.h's event and batch limits. */
export interface Limits {
  pageSize: number;
  minEventBytes: number;
  maxEventBytes: number;
  maxSaturationBatch: number;
}

let cachedLimits: Limits | undefined;

/** The limits, read on first use (importing this module — DEFAULTS, flag names — loads nothing):
 *  from the addon when it is built, else from the OS (getconf PAGESIZE) and event.h's defines, so
 *  suites and knobs validate in the unit tier without a native build. */
export function limits(): Limits {
  if (!cachedLimits) {
    try {
      const addon = loadAddon();
      cachedLimits = {
        pageSize: addon.PAGE_SIZE,
        minEventBytes: addon.MIN_EVENT_BYTES,
        maxEventBytes: addon.MAX_EVENT_BYTES,
        maxSaturationBatch: addon.MAX_SATURATION_BATCH,
      };
    } catch (e) {
      cachedLimits = limitsFromSources(e as Error);
    }
  }
  return cachedLimits;
}

function limitsFromSources(addonError: Error): Limits {
  const header = readFileSync(join(ROOT, 'bpf', 'common', 'event.h'), 'utf8');
  const define = (name: string) => Number(new RegExp(`#define ${name} (\\d+)`).exec(header)?.[1]);
  const pageSize = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
  const l = {
    pageSize,
    minEventBytes: define('RB_EVENT_HEADER_BYTES'),
    maxEventBytes: define('RB_MAX_EVENT_BYTES'),
    maxSaturationBatch: define('RB_MAX_SATURATION_BATCH'),
  };
  if (!Object.values(l).every((v) => Number.isInteger(v) && v > 0)) throw addonError;
  return l;
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
  /** a value with its own spelling: `parse` returns its canonical form, or undefined; `valid` says what is */
  | { key: keyof ScenarioConfig; kind: 'text'; doc: string; valid: () => string; parse: (raw: string) => string | undefined }
  | { key: keyof ScenarioConfig; kind: 'int' | 'bytes'; min: number; max: number; doc: string; pow2?: boolean }
  | { key: keyof ScenarioConfig; kind: 'bool'; doc: string };

const M = 1_000_000;

/** The knob table. `bytes` knobs accept K/M/G (binary) suffixes: 256K, 1M, 4MiB. */
export const KNOBS: readonly Knob[] = [
  { key: 'transport', kind: 'enum', values: ['ringbuf', 'perfbuf'], doc: 'transport under test' },
  { key: 'load', kind: 'enum', values: ['storm', 'saturation'], doc: 'storm: process exits; saturation: getpgid() calls emitting the same event (transport ceiling)' },
  { key: 'stormMode', kind: 'enum', values: ['vfork', 'fork', 'exec'], doc: 'how storm children are made' },
  { key: 'children', kind: 'int', min: 1, max: 10 * M, doc: 'storm children in total' },
  { key: 'stormCpus', kind: 'text', doc: 'storm: pin its workers and children to these CPUs (0, 0,1, 0-1 or all): skewed load; unpinned by default',
    valid: () => `a list of allowed CPUs (${formatCpuList(allowedCpus())} here) such as 0, 0,1 or 0-1, or all`, parse: stormCpusOf },
  { key: 'events', kind: 'int', min: 1, max: 1000 * M, doc: 'events in total (saturation load)' },
  { key: 'eventsPerCall', kind: 'int', min: 1, get max() { return limits().maxSaturationBatch; }, doc: 'saturation: records emitted per getpgid() trigger (a batch, as in the kernel benchmark)' },
  { key: 'workers', kind: 'int', min: 1, max: 64, doc: 'parallel producers (storm or saturation threads)' },
  { key: 'rateCap', kind: 'int', min: 0, max: 100 * M, doc: 'children (or events) per second over all workers (0 = unlimited)' },
  { key: 'ringbufBytes', kind: 'bytes', get min() { return limits().pageSize; }, max: 1 << 30, pow2: true, doc: 'ring buffer data bytes (power of two, at least a page)' },
  { key: 'ringbufSharing', kind: 'text', doc: 'ringbuf: shared (one ring), per-cpu (a ring per CPU) or N (a ring per N CPUs), chosen by CPU in BPF; the rings split --ringbuf-bytes (each a power-of-two number of pages)',
    valid: () => 'shared, per-cpu, or N CPUs per ring (an integer in 1..4096)', parse: (raw) => (raw === 'shared' || raw === 'per-cpu' ? raw : /^[1-9]\d{0,3}$/.test(raw) && Number(raw) <= 4096 ? raw : undefined) },
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
  { key: 'timeoutMs', kind: 'int', min: 100, max: 3_600_000, doc: 'hard bound on the load phase (the drain ends at most 1 s after it)' },
  { key: 'windowMs', kind: 'int', min: 1, max: 60_000, doc: 'timeline window width' },
  { key: 'bpfStats', kind: 'bool', doc: 'measure BPF run time through BPF_ENABLE_STATS' },
];

export const DEFAULTS: ScenarioConfig = {
  transport: 'ringbuf',
  load: 'storm',
  stormMode: 'vfork',
  children: 20_000,
  stormCpus: '',
  events: 1_000_000,
  eventsPerCall: 1,
  workers: 2,
  rateCap: 0,
  ringbufBytes: 256 * 1024,
  ringbufSharing: 'shared',
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

/** Parses "256K", "1MiB", "4096", 4096 into bytes; NaN when it is not a size: decimal digits and
 *  an optional binary suffix, nothing else (no spaces, signs, hex, exponents or fractions). */
export function parseBytes(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  const m = /^(\d+)(k|ki|kib|kb|m|mi|mib|mb|g|gi|gib|gb)?$/i.exec(v);
  if (!m) return NaN;
  const unit = (m[2] ?? '').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1 << 20 : unit === 'g' ? 1 << 30 : 1;
  return Number(m[1]) * mult;
}

function describe(k: Knob): string {
  if (k.kind === 'enum') return `one of ${k.values.join(', ')}`;
  if (k.kind === 'bool') return 'true or false';
  if (k.kind === 'text') return k.valid();
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
  if (k.kind === 'text') {
    const v = typeof raw === 'string' || typeof raw === 'number' ? k.parse(String(raw)) : undefined;
    if (v === undefined) throw bad();
    return v;
  }
  // A count is a decimal integer: '0x10', '1e3', '2.0' and ' 4' are refused, not read as numbers.
  const n = k.kind === 'bytes' ? parseBytes(raw) : typeof raw === 'string' ? (/^-?\d+$/.test(raw) ? Number(raw) : NaN) : raw;
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
  /** refuse knobs given together that cannot both take effect (see checkConflicts); off for
   *  configurations that are already resolved (they carry every knob) */
  conflicts?: 'flags' | 'suite';
}

/** Perf buffer pages per CPU so that all CPUs together hold as many data bytes as the ring buffer
 *  (rounded down to a power of two, at least one page). */
export function equalMemoryPages(ringbufBytes: number, cpuCount: number): number {
  const pages = Math.max(1, Math.floor(ringbufBytes / cpuCount / limits().pageSize));
  return 2 ** Math.floor(Math.log2(pages));
}

/** Bytes of the buffer a producer writes into: the ring buffer, or one CPU's perf buffer (each
 *  producer writes into its own CPU's). Drops happen when this one is full. */
export function producerBufferBytes(config: Pick<ScenarioConfig, 'transport' | 'ringbufBytes' | 'perfbufPages'>): number {
  return config.transport === 'ringbuf' ? config.ringbufBytes : config.perfbufPages * limits().pageSize;
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
      const names = KNOBS.map((x) => (naming === flagOf ? flagOf(x.key) : x.key));
      const close = didYouMean(naming === flagOf ? flagOf(key) : key, names);
      const hint = close ? `did you mean '${close}'? ` : '';
      throw new ConfigError(key, naming(key), `${naming(key)} is not a scenario knob; ${hint}valid: ${names.join(', ')}`);
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
  resolveSaturationKnobs(out, cpuCount, DEFAULTS.eventBytes, (key, message) => {
    throw new ConfigError(key, naming(key), message.replace(/\{(\w+)\}/g, (_, k: string) => naming(k)));
  });
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
  const ring = ringLayout(out, cpuCount);
  if (out.transport === 'ringbuf' && ring.ringCpus && out.eventBytes + 8 > ring.ringBytes / 2) {
    throw new ConfigError('eventBytes', naming('eventBytes'), `${naming('eventBytes')} (${out.eventBytes}) does not fit one of the ${ring.rings} rings of ${ring.ringBytes} bytes (${naming('ringbufSharing')} ${out.ringbufSharing}): raise ${naming('ringbufBytes')}`);
  }
  // A perf sample is its header (8 bytes), the raw size (4) and the record, 8-aligned; one larger
  // than a CPU's buffer is dropped every time.
  if (out.transport === 'perfbuf' && out.eventBytes + 16 > perfBufferBytes) {
    const raise = out.memory === 'equal' ? naming('ringbufBytes') : naming('perfbufPages');
    throw new ConfigError('eventBytes', naming('eventBytes'),
      `${naming('eventBytes')} (${out.eventBytes}) does not fit a per-CPU perf buffer (${perfBufferBytes} bytes, each sample carries 16 more): raise ${raise}`);
  }
  if (opts.conflicts) checkConflicts(input, out, naming, opts.conflicts);
  return out;
}

const PERFBUF_ONLY = ['perfbufPages', 'perfbufWakeupEvents', 'perfbufWatermarkBytes', 'memory'] as const;
const RINGBUF_ONLY = ['ringbufSubmit', 'ringbufWakeup', 'wakeupEvery', 'wakeupBytes', 'ringbufSharing'] as const;
const STORM_ONLY = ['children', 'stormMode', 'attach', 'stormCpus'] as const;
const SATURATION_ONLY = ['events', 'eventsPerCall'] as const;

/**
 * Knobs given together that cannot both take effect: one would be silently overridden or ignored.
 * 'flags' (one scenario from the command line) also refuses knobs of the other transport or load;
 * 'suite' checks only what conflicts within one scenario whatever its transport (a suite's
 * defaults serve both transports and every load).
 */
function checkConflicts(given: Record<string, unknown>, c: ScenarioConfig, naming: (key: string) => string, scope: 'flags' | 'suite'): void {
  const has = (key: keyof ScenarioConfig) => given[key] !== undefined;
  const conflict = (key: string, why: string) => new ConfigError(key, naming(key), `${naming(key)} ${why}`);
  if (has('perfbufPages') && c.memory === 'equal' && has('memory')) {
    throw conflict('perfbufPages', `sets the per-CPU size, which ${naming('memory')} equal derives from ${naming('ringbufBytes')}: give one (${naming('memory')} per-cpu to use ${naming('perfbufPages')})`);
  }
  if (has('perfbufWatermarkBytes') && has('perfbufWakeupEvents') && c.perfbufWatermarkBytes > 0) {
    throw conflict('perfbufWatermarkBytes', `replaces ${naming('perfbufWakeupEvents')} (perf wakes on one or the other): give one`);
  }
  if (scope === 'suite') return;
  if (has('wakeupEvery') && c.ringbufWakeup !== 'every-n') throw conflict('wakeupEvery', `applies to ${naming('ringbufWakeup')} every-n only; got ${c.ringbufWakeup}`);
  if (has('wakeupBytes') && c.ringbufWakeup !== 'sampled') throw conflict('wakeupBytes', `applies to ${naming('ringbufWakeup')} sampled only; got ${c.ringbufWakeup}`);
  const other = c.transport === 'ringbuf' ? PERFBUF_ONLY : RINGBUF_ONLY;
  for (const key of other) if (has(key)) throw conflict(key, `applies to ${c.transport === 'ringbuf' ? 'perfbuf' : 'ringbuf'} only; got ${naming('transport')} ${c.transport}`);
  const otherLoad = c.load === 'storm' ? SATURATION_ONLY : STORM_ONLY;
  for (const key of otherLoad) if (has(key)) throw conflict(key, `applies to ${naming('load')} ${c.load === 'storm' ? 'saturation' : 'storm'} only; got ${naming('load')} ${c.load}`);
}

/** The candidate closest to `name` when it is a likely typo (edit distance ≤ 2, or ≤ a third of its
 *  length for long names; transpositions count once), else undefined. */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.length][b.length];
  };
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(name, c);
    if (!best || d < best.d) best = { c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.c : undefined;
}

/** The rings a ringbuf scenario writes into: CPUs per ring (0 = the one shared ring), how many,
 *  and each one's data bytes (the whole of ringbufBytes for the shared ring). */
export function ringLayout(config: Pick<ScenarioConfig, 'ringbufSharing' | 'ringbufBytes'>, cpuCount: number = cpus().length): { ringCpus: number; rings: number; ringBytes: number } {
  const ringCpus = ringCpusOf(config.ringbufSharing);
  const rings = ringCountOf(ringCpus, cpuCount);
  return { ringCpus, rings, ringBytes: ringCpus ? ringBytesOf(config.ringbufBytes, rings, limits().pageSize) : config.ringbufBytes };
}

/** runTrial's config for a resolved scenario: exactly the keys the addon reads. */
export function trialConfig(config: ScenarioConfig, stormPath: string = STORM_PATH): NativeTrialConfig {
  const { ringCpus, ringBytes } = ringLayout(config);
  return pickKeys({ ...config, stormPath, ringCpus: config.transport === 'ringbuf' ? ringCpus : 0, ringBytes }, TRIAL_CONFIG_KEYS);
}

/** A Storm's config: the scenario defaults, overridden by `given`. */
export function stormConfig(given: Partial<NativeStormConfig> = {}): NativeStormConfig {
  const { stormMode, children, workers, rateCap, timeoutMs, stormCpus } = DEFAULTS;
  return { stormPath: STORM_PATH, stormMode, children, workers, rateCap, timeoutMs, stormCpus, ...given };
}

/** A Tracer's config: the scenario defaults (equal-memory perf pages), the whole system, exits only,
 *  no minimum lifetime; overridden by `given`. */
export function tracerConfig(given: Partial<NativeTracerConfig> = {}): NativeTracerConfig {
  return {
    ...pickKeys({ ...DEFAULTS, ringCpus: 0, ringBytes: 0 }, TRANSPORT_CONFIG_KEYS),
    perfbufPages: equalMemoryPages(DEFAULTS.ringbufBytes, cpus().length),
    ...pickKeys(DEFAULTS, CONSUMER_CONFIG_KEYS),
    targetTgid: 0,
    traceExec: false,
    minDurationNs: 0,
    ...given,
  };
}
