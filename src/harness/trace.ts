/**
 * trace — the live exitsnoop/bootstrap view as a library: validate the trace flags, load one
 * transport system-wide (targetTgid 0), and turn the addon's decoded events into display records
 * (wall-clock time, exit code or signal, lifetime) and their text or JSON lines.
 *
 * The CLI loop (trace-cli.ts) only polls a TraceSession on a timer and writes what it returns; the
 * tests drive the same session directly. Unlike the measured path, every event crosses into
 * JavaScript here — that is the point of a trace view, and it is never used for measurements.
 */
import { cpus } from 'node:os';
import { ConfigError, equalMemoryPages, tracerConfig } from './knobs.js';
import { loadAddon, type NativeTracer, type NativeTracerEvent } from './addon.js';
import { TRANSPORTS, type Transport } from './types.js';

/** The ring buffer size of the trace view; the perf buffer gets the same total (equal memory). */
export const TRACE_RINGBUF_BYTES = 1 << 20;

/** Largest --min-duration: keeps minDurationNs well inside what the BPF side's u64 can take. */
export const MAX_MIN_DURATION_MS = 1e9;

/** Largest --duration: setTimeout cannot wait longer than 2^31-1 ms. */
export const MAX_TRACE_DURATION_SEC = 2_000_000;

/** How many events one poll takes from the native queue at most (the queue holds 65536). */
const TAKE_PER_POLL = 16_384;

export interface TraceOptions {
  transport: Transport;
  /** also show exec events (needs tp_btf or raw_tp attachment, which 'auto' prefers) */
  exec: boolean;
  /** exits of processes that lived less than this are dropped in BPF (bootstrap's -d) */
  minDurationMs: number;
  /** stop after this many seconds; undefined = until stopped */
  durationSec?: number;
}

/** Flags as commander hands them over (strings, booleans, or absent). */
export interface TraceFlags {
  transport?: unknown;
  exec?: unknown;
  minDuration?: unknown;
  duration?: unknown;
}

/**
 * One displayed event; also exactly the `--json` line (stable keys, in this order). Fields that do
 * not apply to the event kind are null rather than absent, so every line has the same keys.
 */
export interface TraceRecord {
  /** wall-clock time of the event, ISO 8601 (UTC) */
  time: string;
  event: 'exec' | 'exit';
  comm: string;
  pid: number;
  ppid: number;
  /** exit status 0..255; null for exec and for exits by signal */
  exitCode: number | null;
  /** the signal that killed the process; null when it exited normally, and for exec */
  signal: number | null;
  /** process lifetime in ms (µs precision); null for exec */
  durationMs: number | null;
  /** the path given to execve; null for exit */
  filename: string | null;
  transport: Transport;
  cpu: number;
  /** the global sequence number taken in BPF (shared by exec and exit events) */
  seq: number;
}

/** Counters of a session, for the closing summary line. */
export interface TraceSummary {
  transport: Transport;
  attachedVia: string;
  /** records returned by poll()/stop() so far */
  shown: number;
  /** events the native consumer received */
  delivered: number;
  /** reserve (ringbuf) or output (perfbuf) failures counted in BPF: the kernel's drop count */
  droppedKernel: number;
  /** perfbuf lost-sample records reported to user space (always 0 for ringbuf) */
  lostReported: number;
  /** events dropped because the native queue was full (JavaScript fell behind) */
  captureOverflow: number;
  /** exits hidden in BPF by --min-duration */
  filtered: number;
  minDurationMs: number;
}

function bad(field: string, flag: string, valid: string, raw: unknown): ConfigError {
  return new ConfigError(field, flag, `${flag} must be ${valid}; got '${String(raw)}'`);
}

/** A decimal number from a flag string ("150", "0.5"); NaN for anything else ("", "1e", "10ms"). */
function parseNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string' || !/^\s*\d+(\.\d+)?\s*$/.test(raw)) return NaN;
  return Number(raw);
}

/** Validates the trace flags; a bad one throws ConfigError naming the flag and what is valid. */
export function traceOptionsFrom(flags: TraceFlags): TraceOptions {
  const transport = flags.transport ?? 'ringbuf';
  if (typeof transport !== 'string' || !(TRANSPORTS as readonly string[]).includes(transport)) {
    throw bad('transport', '--transport', `one of ${TRANSPORTS.join(', ')}`, transport);
  }
  const minDurationMs = flags.minDuration === undefined ? 0 : parseNumber(flags.minDuration);
  if (!(minDurationMs >= 0 && minDurationMs <= MAX_MIN_DURATION_MS)) {
    throw bad('minDuration', '--min-duration', `a non-negative number of milliseconds (at most ${MAX_MIN_DURATION_MS})`, flags.minDuration);
  }
  let durationSec: number | undefined;
  if (flags.duration !== undefined) {
    durationSec = parseNumber(flags.duration);
    if (!(durationSec > 0 && durationSec <= MAX_TRACE_DURATION_SEC)) {
      throw bad('duration', '--duration', `a positive number of seconds (at most ${MAX_TRACE_DURATION_SEC})`, flags.duration);
    }
  }
  return { transport: transport as Transport, exec: flags.exec === true, minDurationMs, durationSec };
}

/** Lifetime in ms rounded to µs, so JSON stays short without losing anything a reader needs. */
const nsToMs = (ns: number) => Math.round(ns / 1e3) / 1e3;

/** A running trace: poll() returns what arrived, stop() closes and returns the rest. */
export class TraceSession {
  readonly options: TraceOptions;
  readonly attachedVia: string;
  private tracer: NativeTracer;
  private closed = false;
  private shown = 0;
  /** wall-clock ns minus CLOCK_MONOTONIC ns: BPF timestamps (bpf_ktime_get_ns) are monotonic,
   *  and so is process.hrtime on Linux, so one offset taken at start dates every event. */
  private readonly wallOffsetNs: number;

  /** Loads and attaches the programs; throws the addon's one-line reason when the kernel refuses. */
  constructor(options: TraceOptions) {
    this.options = options;
    const addon = loadAddon();
    this.wallOffsetNs = Date.now() * 1e6 - Number(process.hrtime.bigint());
    this.tracer = new addon.Tracer(tracerConfig({
      transport: options.transport,
      targetTgid: 0,
      traceExec: options.exec,
      minDurationNs: Math.round(options.minDurationMs * 1e6),
      ringbufBytes: TRACE_RINGBUF_BYTES,
      perfbufPages: equalMemoryPages(TRACE_RINGBUF_BYTES, cpus().length),
      attach: 'auto',
      consumer: 'epoll',
    }));
    this.attachedVia = String(this.tracer.stats().attachedVia ?? '');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Events that arrived since the last call, oldest first. */
  poll(): TraceRecord[] {
    const raw: NativeTracerEvent[] = [];
    for (;;) {
      const batch = this.tracer.take(TAKE_PER_POLL);
      for (const e of batch) raw.push(e);
      if (batch.length < TAKE_PER_POLL) break;
    }
    // The perf buffer hands events over per CPU, one CPU's batch after another, so raw arrival
    // order jumps back in time; the ring buffer is already in commit order. Sorting each batch by
    // the BPF timestamp makes the view roughly chronological for both — not strictly: an event
    // can still arrive in a later batch than a younger one from another CPU.
    raw.sort((a, b) => a.tsNs - b.tsNs);
    this.shown += raw.length;
    return raw.map((e) => this.toRecord(e));
  }

  /** Stops tracing (the addon drains the buffer and frees the programs) and returns the rest. */
  stop(): TraceRecord[] {
    if (!this.closed) {
      this.closed = true;
      this.tracer.close();
    }
    return this.poll();
  }

  summary(): TraceSummary {
    const s = this.tracer.stats();
    const n = (k: string) => Number(s[k] ?? 0);
    return {
      transport: this.options.transport,
      attachedVia: this.attachedVia,
      shown: this.shown,
      delivered: n('delivered'),
      droppedKernel: n('droppedKernel'),
      lostReported: n('lostReported'),
      captureOverflow: n('captureOverflow'),
      filtered: n('filtered'),
      minDurationMs: this.options.minDurationMs,
    };
  }

  private toRecord(e: NativeTracerEvent): TraceRecord {
    const exit = e.kind === 'exit';
    return {
      time: new Date((e.tsNs + this.wallOffsetNs) / 1e6).toISOString(),
      event: e.kind,
      comm: e.comm,
      pid: e.pid,
      ppid: e.ppid,
      exitCode: exit && !e.exitSignal ? e.exitCode : null,
      signal: exit && e.exitSignal ? e.exitSignal : null,
      durationMs: exit ? nsToMs(e.durationNs) : null,
      filename: exit ? null : e.filename,
      transport: this.options.transport,
      cpu: e.cpu,
      seq: e.seq,
    };
  }
}

/** Starts tracing; see TraceSession's constructor. */
export function startTrace(options: TraceOptions): TraceSession {
  return new TraceSession(options);
}

// --- text and JSON lines -------------------------------------------------------------------------

/** The column header of the text view (bootstrap's layout). */
export const TRACE_HEADER = `${'TIME'.padEnd(8)} ${'EVENT'.padEnd(5)} ${'COMM'.padEnd(16)} ${'PID'.padEnd(7)} ${'PPID'.padEnd(7)} FILENAME/EXIT CODE`;

/** comm and filenames are chosen by whoever runs the process: escape control characters so a
 *  hostile name cannot move the cursor or recolour the terminal. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const two = (n: number) => String(n).padStart(2, '0');

/** One text line (no newline): local HH:MM:SS, EXEC/EXIT, comm, pid, ppid, then filename or
 *  `[code]` / `[signal N]` and the lifetime. */
export function formatTraceLine(r: TraceRecord): string {
  const d = new Date(r.time);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const head = `${time.padEnd(8)} ${r.event.toUpperCase().padEnd(5)} ${printable(r.comm).padEnd(16)} ${String(r.pid).padEnd(7)} ${String(r.ppid).padEnd(7)}`;
  if (r.event === 'exec') return `${head} ${printable(r.filename ?? '')}`;
  const status = r.signal !== null ? `[signal ${r.signal}]` : `[${r.exitCode}]`;
  return `${head} ${status} (${Math.floor(r.durationMs ?? 0)}ms)`;
}

/** One `--json` line (no newline). */
export function formatTraceJson(r: TraceRecord): string {
  return JSON.stringify(r);
}

/** The closing line: what was shown and every way an event could have gone missing. */
export function formatTraceSummary(s: TraceSummary): string {
  const parts = [
    `${s.shown} event${s.shown === 1 ? '' : 's'} shown`,
    `${s.transport} via ${s.attachedVia || '?'}`,
    `${s.droppedKernel} dropped in kernel`,
  ];
  // lost-sample records exist only on the perf buffer; the ring buffer has nothing to report
  if (s.transport === 'perfbuf') parts.push(`${s.lostReported} lost reported`);
  if (s.captureOverflow > 0) parts.push(`${s.captureOverflow} dropped by a full trace queue`);
  if (s.minDurationMs > 0) parts.push(`${s.filtered} filtered by --min-duration ${s.minDurationMs}ms`);
  return `ringbench trace: ${parts.join(', ')}`;
}
