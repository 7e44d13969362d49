#!/usr/bin/env node
// run.mjs — runs one variant of the kernel's ring buffer benchmark (built by build.sh) and prints
// one JSON line with its configuration and its per-second samples after warm-up.
//
//   node bench/kernel/run.mjs rb-custom sampled [--duration 5] [--warmup 1] [--prod-cpu 1]
//        [--cons-cpu 0] [--batch 500] [--attach auto|fentry|tp_btf] [--bench PATH] [--nice N]
//
// variant: rb-libbpf | rb-custom | pb-libbpf | pb-custom
// wakeup:  default (ringbuf: the kernel's adaptive wake-up; perfbuf: wakeup_events = 1)
//          sampled (ringbuf: forced wake-up once 500 records are unread; perfbuf: wakeup_events = 500)
//          b2b     (back-to-back: the consumer thread itself triggers the next batch after each poll)
//
// Plain JS on purpose: it depends on nothing in src/ and runs without a ringbench build.
// Exit codes: 0 ok, 1 the bench failed (one line on stderr), 2 bad arguments.
import { execFile, execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
export const VARIANTS = ['rb-libbpf', 'rb-custom', 'pb-libbpf', 'pb-custom'];
export const WAKEUPS = ['default', 'sampled', 'b2b'];

/** The benchmark's built-in defaults (bench_ringbufs.c `args`), which ringbench must match. */
export const KERNEL_DEFAULTS = Object.freeze({
  batch: 500, // --rb-batch-cnt: records per getpgid() trigger
  sampleRate: 500, // --rb-sample-rate: records per forced wake-up in sampled mode
  payloadBytes: 8, // one `long sample_val`
  ringbufBytes: 512 * 1024, // ringbuf data bytes
  perfbufPagesPerCpu: 128, // perf buffer data pages per CPU
});

const PAGE = 4096;

/** What one kernel variant is, in ringbench's terms. */
export function kernelConfig(variant, wakeup, batch = KERNEL_DEFAULTS.batch) {
  if (!VARIANTS.includes(variant)) throw new UsageError(`variant must be one of ${VARIANTS.join(', ')}; got '${variant}'`);
  if (!WAKEUPS.includes(wakeup)) throw new UsageError(`wakeup must be one of ${WAKEUPS.join(', ')}; got '${wakeup}'`);
  const transport = variant.startsWith('rb-') ? 'ringbuf' : 'perfbuf';
  const reader = variant.endsWith('-libbpf') ? 'libbpf' : 'custom';
  const ncpu = cpus().length;
  // ringbuf: 8-byte record header + 8-byte payload. perfbuf: perf_event_header (8) + u32 size +
  // payload, rounded up to 8 = 24.
  const recordBytes = transport === 'ringbuf' ? 16 : 24;
  const bufferBytes =
    transport === 'ringbuf' ? KERNEL_DEFAULTS.ringbufBytes : KERNEL_DEFAULTS.perfbufPagesPerCpu * PAGE * ncpu;
  let wakeupRule;
  if (transport === 'ringbuf') {
    wakeupRule =
      wakeup === 'sampled'
        ? `forced wake-up per record once >= ${KERNEL_DEFAULTS.sampleRate * 16} bytes unread, else none`
        : 'adaptive (kernel wakes when the consumer has caught up)';
  } else {
    wakeupRule = `wakeup_events = ${wakeup === 'sampled' ? KERNEL_DEFAULTS.sampleRate : 1}`;
  }
  return {
    variant,
    transport,
    reader,
    wakeup,
    wakeupRule,
    trigger:
      wakeup === 'b2b'
        ? 'back-to-back: the consumer thread calls getpgid() after each poll; the producer thread calls it once'
        : 'producer thread calls getpgid() in a tight loop',
    consumerWait: 'epoll_wait(-1) (ring_buffer__poll / perf_buffer__poll or epoll + page walk)',
    consumerWork: 'atomic increment of a shared counter per record',
    producers: 1,
    batch,
    sampleRate: KERNEL_DEFAULTS.sampleRate,
    payloadBytes: KERNEL_DEFAULTS.payloadBytes,
    recordBytes,
    bufferBytes,
    perfbufPagesPerCpu: transport === 'perfbuf' ? KERNEL_DEFAULTS.perfbufPagesPerCpu : undefined,
  };
}

export class UsageError extends Error {}

/** parseArgs takes "-10" for a flag: join "--nice -10" into "--nice=-10". */
export function joinNegative(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--nice' && /^-\d+$/.test(argv[i + 1] ?? '')) out.push(`--nice=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/** A nice level, -20..19 (negative needs root). */
export function niceValue(v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < -20 || n > 19) throw new UsageError(`--nice must be an integer -20..19; got '${v}'`);
  return n;
}

/** Builds (or finds, instantly when cached) the benchmark; returns its path. */
export function buildKernelBench() {
  try {
    return execFileSync('bash', [join(HERE, 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .pop();
  } catch {
    throw new Error('building the kernel benchmark failed (see the line above)');
  }
}

/**
 * Runs one variant. Resolves to the JSON-able result; rejects with a one-line Error.
 * opts: { variant, wakeup, duration = 5, warmup = 1, prodCpu = 1, consCpu = 0, batch, attach, bench,
 *         nice (run under `nice -n N`; unset: as this process) }
 */
export function runKernelBench(opts) {
  const o = { duration: 5, warmup: 1, prodCpu: 1, consCpu: 0, batch: KERNEL_DEFAULTS.batch, attach: 'auto', ...opts };
  const cfg = kernelConfig(o.variant, o.wakeup, o.batch);
  const bench = o.bench ?? buildKernelBench();
  const args = [
    '-w', String(o.warmup), '-d', String(o.duration), '-p', '1', '-c', '1',
    '--prod-affinity', String(o.prodCpu), '--cons-affinity', String(o.consCpu),
    o.variant, '--rb-batch-cnt', String(o.batch),
  ];
  if (o.wakeup === 'sampled') args.push('--rb-sampled');
  if (o.wakeup === 'b2b') args.push('--rb-b2b');
  const timeoutMs = (o.duration + o.warmup + 30) * 1000;
  const t0 = Date.now();
  const [cmd, argv] = o.nice === undefined ? [bench, args] : ['nice', ['-n', String(o.nice), bench, ...args]];
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      argv,
      { env: { ...process.env, KBENCH_ATTACH: o.attach }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        const lastErr = `${stderr}`.trim().split('\n').filter(Boolean).pop() ?? '';
        if (err) {
          const why = err.killed ? `timed out after ${timeoutMs / 1000} s` : `exit ${err.code}`;
          reject(new Error(`kernel bench ${o.variant} ${o.wakeup}: ${why}${lastErr ? `: ${lastErr}` : ''}`));
          return;
        }
        try {
          resolve({ ...cfg, ...parseBenchOutput(stdout, o.warmup), ...placement(o), command: [cmd, ...argv].join(' '), wallMs: Date.now() - t0 });
        } catch (e) {
          reject(new Error(`kernel bench ${o.variant} ${o.wakeup}: ${e.message}`));
        }
      },
    );
  });
}

function placement(o) {
  return { prodCpu: o.prodCpu, consCpu: o.consCpu, durationSec: o.duration, warmupSec: o.warmup };
}

/**
 * The bench prints one line per second (iteration 0 .. warmup + duration; the first `warmup`
 * are warm-up) and a summary:
 *   Iter   3 ( -4.807us): hits    3.406M/s (  3.406M/prod), drops    0.000M/s, total operations ...
 *   Summary: hits    4.023 ± 1.101M/s (  4.023M/prod), drops    0.000 ± 0.000M/s, ...
 * and, with ringbench's patches, "attach: fentry/getpgid" or "attach: tp_btf/sys_enter (...)".
 */
export function parseBenchOutput(stdout, warmup) {
  const mPerSec = [];
  const dropsMPerSec = [];
  let attach = null;
  let summary = null;
  for (const line of stdout.split('\n')) {
    let m;
    if ((m = /^attach: (.*)$/.exec(line))) attach = m[1].trim();
    else if ((m = /^Iter\s+(\d+)\s+\(.*?\):\s+hits\s+([\d.]+)M\/s.*?drops\s+([\d.]+)M\/s/.exec(line))) {
      if (Number(m[1]) >= warmup) {
        mPerSec.push(Number(m[2]));
        dropsMPerSec.push(Number(m[3]));
      }
    } else if ((m = /^Summary: hits\s+([\d.]+) ± ([\d.]+)M\/s.*?drops\s+([\d.]+) ± ([\d.]+)M\/s/.exec(line))) {
      summary = { hitsMPerSec: Number(m[1]), hitsStddev: Number(m[2]), dropsMPerSec: Number(m[3]), dropsStddev: Number(m[4]) };
    }
  }
  if (!mPerSec.length) throw new Error('no per-second samples in its output');
  const mean = mPerSec.reduce((a, b) => a + b, 0) / mPerSec.length;
  return { attach, mPerSec, dropsMPerSec, meanMPerSec: mean, summary };
}

async function main() {
  const { values, positionals } = parseArgs({
    args: joinNegative(process.argv.slice(2)),
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      'prod-cpu': { type: 'string', default: '1' },
      'cons-cpu': { type: 'string', default: '0' },
      batch: { type: 'string', default: String(KERNEL_DEFAULTS.batch) },
      attach: { type: 'string', default: 'auto' },
      bench: { type: 'string' },
      nice: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 2) {
    console.log('usage: node bench/kernel/run.mjs VARIANT WAKEUP [--duration S] [--warmup S] [--prod-cpu N] [--cons-cpu N] [--batch N] [--attach auto|fentry|tp_btf] [--bench PATH] [--nice N]');
    console.log(`  VARIANT: ${VARIANTS.join(' | ')}    WAKEUP: ${WAKEUPS.join(' | ')}`);
    process.exit(values.help ? 0 : 2);
  }
  const int = (name, min) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}; got '${values[name]}'`);
    return v;
  };
  if (!['auto', 'fentry', 'tp_btf'].includes(values.attach)) throw new UsageError(`--attach must be auto, fentry or tp_btf; got '${values.attach}'`);
  const opts = {
    variant: positionals[0],
    wakeup: positionals[1],
    duration: int('duration', 1),
    warmup: int('warmup', 1),
    prodCpu: int('prod-cpu', 0),
    consCpu: int('cons-cpu', 0),
    batch: int('batch', 1),
    attach: values.attach,
    bench: values.bench,
    nice: values.nice === undefined ? undefined : niceValue(values.nice),
  };
  kernelConfig(opts.variant, opts.wakeup, opts.batch); // validate before building
  console.log(JSON.stringify(await runKernelBench(opts)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`bench/kernel/run.mjs: ${e.message}`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
