#!/usr/bin/env node
// calibrate.mjs — `npm run bench:kernel`: ringbench beside the kernel's own ring buffer benchmark
// (tools/testing/selftests/bpf/benchs/bench_ringbufs.c, built by build.sh), variant by variant,
// alternating the two in rounds so the machine's drift hits both alike. Prints, per variant,
// ringbench/kernel as a ratio with a 95% CI, and the machine load.
//
//   npm run bench:kernel -- [--rounds 3] [--duration 3] [--variants rb-custom,pb-libbpf]
//                           [--wakeups default,sampled,b2b] [--record minimal|full] [--pin cpu|none]
//                           [--json FILE]
//
// ringbench's equivalent of a kernel variant (node dist/src/cli.js scenario):
//   --load saturation --workers 1 --events-per-call 500 (the kernel's --rb-batch-cnt) --reader
//   libbpf|custom --record minimal (8 B payload: 16 B ringbuf / 24 B perf records, as the kernel's)
//   --producer-cpu 1 --consumer-cpu 0 (the kernel bench's --prod-affinity 1 --cons-affinity 0)
//   --no-bpf-stats, and
//   ringbuf: --ringbuf-bytes 512K; default: --ringbuf-wakeup adaptive; sampled: --ringbuf-wakeup
//            sampled --wakeup-bytes <500 records of the record size>
//   perfbuf: --perfbuf-pages 128 (per CPU); default: --perfbuf-wakeup-events 1; sampled: 500
//   consumer: --consumer epoll; b2b: --consumer b2b (the consumer triggers after each poll, as
//            the kernel's --rb-b2b) with the default wake-ups
//   timing:  --timeout-ms (1 + duration + 1) s with more --events than it can make, --window-ms
//            1000: the rate is the mean of the 1 s windows after the first. The kernel bench with
//            -w 1 -d S averages the S + 1 per-second samples after its warm-up, and so does this.
// --record full measures the full 64 B exit event (72 B / 80 B records) instead: the gap between
// the two is the cost of ringbench's own event (see bench/kernel/README.md). --pin none leaves
// both threads to the scheduler.
//
// A measurement, not a test: exit 0 when every trial ran, 1 when one failed, 2 bad flags.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildKernelBench, kernelConfig, KERNEL_DEFAULTS, joinNegative, niceValue, runKernelBench, UsageError, VARIANTS, WAKEUPS } from './run.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const PROD_CPU = 1;
const CONS_CPU = 0;
/** seconds discarded at the start of each run, on both sides (the kernel bench's -w) */
const WARMUP_SEC = 1;
/** Per-second samples the kernel bench averages for `-d S`: it stops after the sample numbered
 * warm-up + S, so S + 1 follow the warm-up (its own summary averages them all). */
const kernelSamples = (duration) => duration + 1;
/** ringbench's --events bound; its time bound ends the run first */
const MAX_EVENTS = 1000e6;
/** ringbench's payload per record mode; its record in a ringbuf (+8 header) and in a perf buffer (+8 header +4 size, to 8). */
const PAYLOAD = { minimal: 8, full: 64 };
const ringbufRecord = (record) => PAYLOAD[record] + 8;
const perfRecord = (record) => Math.ceil((PAYLOAD[record] + 12) / 8) * 8;

// ---------------------------------------------------------------------------------------------
// statistics

const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

function meanCi(xs) {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  if (!n) return { mean: NaN, half: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, half: NaN, n };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, half: (T95[Math.min(n - 1, 30)] * sd) / Math.sqrt(n), n };
}

// ---------------------------------------------------------------------------------------------
// ringbench side

function ringbenchArgs(cfg, wakeup, events, o) {
  const a = ['scenario', '--load', 'saturation', '--transport', cfg.transport, '--workers', '1',
    '--events', String(events), '--events-per-call', String(cfg.batch), '--reader', cfg.reader,
    '--record', o.record, '--consumer', wakeup === 'b2b' ? 'b2b' : 'epoll', '--no-bpf-stats', '--json'];
  a.push(...(o.pin === 'cpu' ? ['--producer-cpu', String(PROD_CPU), '--consumer-cpu', String(CONS_CPU)] : ['--pin', 'off']));
  if (cfg.transport === 'ringbuf') {
    a.push('--ringbuf-bytes', String(KERNEL_DEFAULTS.ringbufBytes));
    if (wakeup === 'sampled') a.push('--ringbuf-wakeup', 'sampled', '--wakeup-bytes', String(cfg.sampleRate * ringbufRecord(o.record)));
    else a.push('--ringbuf-wakeup', 'adaptive');
  } else {
    a.push('--perfbuf-pages', String(KERNEL_DEFAULTS.perfbufPagesPerCpu),
      '--perfbuf-wakeup-events', String(wakeup === 'sampled' ? cfg.sampleRate : 1));
  }
  return a;
}

function ringbenchCommand(args, o) {
  let argv = [process.execPath, CLI, ...args];
  if (o.nice !== undefined) argv = ['nice', '-n', String(o.nice), ...argv];
  return argv;
}

function shown(args, o) {
  return ringbenchCommand(args, o).join(' ').replace(`${process.execPath} ${CLI}`, 'node dist/src/cli.js');
}

function runRingbench(args, o) {
  const [cmd, ...argv] = ringbenchCommand(args, o);
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: 180000, killSignal: 'SIGKILL', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const last = `${stderr}`.trim().split('\n').filter(Boolean).pop() ?? '';
        reject(new Error(`ringbench ${args.join(' ')}: ${err.killed ? 'timed out' : `exit ${err.code}`}${last ? `: ${last}` : ''}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch (e) {
        reject(new Error(`ringbench printed no JSON: ${e.message}`));
      }
    });
  });
}

/**
 * One ringbench measurement of a variant, timed as the kernel bench times itself: the load runs for
 * WARMUP_SEC plus as many seconds as the kernel bench samples (--timeout-ms, with more events than
 * it can make), and the rate is the mean of the 1 s timeline windows after the warm-up, so a
 * start-up transient counts on neither side.
 */
async function ringbenchTrial(cfg, wakeup, o) {
  const events = Math.floor(MAX_EVENTS / cfg.batch) * cfg.batch;
  const samples = kernelSamples(o.duration);
  const args = [...ringbenchArgs(cfg, wakeup, events, o), '--timeout-ms', String((WARMUP_SEC + samples) * 1000), '--window-ms', '1000'];
  const r = await runRingbench(args, o);
  const windows = r.timeline.delivered.slice(WARMUP_SEC, WARMUP_SEC + samples);
  if (windows.length < samples) throw new Error(`ringbench ran ${r.timeline.delivered.length} s, not ${WARMUP_SEC + samples} s`);
  const samplesMPerSec = windows.map((n) => n / 1e6);
  return {
    mPerSec: samplesMPerSec.reduce((a, b) => a + b, 0) / samplesMPerSec.length,
    samplesMPerSec,
    generated: r.counts.generated,
    dropped: r.counts.droppedKernel,
    wakeups: r.cpu.wakeups,
    consumerNsPerEvent: r.cpu.consumerNsPerEvent,
    sinkNsPerEvent: r.cpu.sinkNsPerEvent,
    placement: r.placement,
    attach: r.attachedVia,
    command: shown(args, o),
  };
}

// ---------------------------------------------------------------------------------------------

const USAGE = `usage: npm run bench:kernel -- [options]     (or: node bench/kernel/calibrate.mjs [options])
  --rounds N          alternating rounds per variant (default 3)
  --duration S        the kernel bench's -d S: S + 1 one-second samples after 1 s of warm-up, on
                      both sides (default 3)
  --variants LIST     of ${VARIANTS.join(',')} (default all)
  --wakeups LIST      of ${WAKEUPS.join(',')} (default all)
  --record minimal|full  ringbench's record: minimal 8 B payloads like the kernel's (default), or
                      its full 64 B exit event (the gap between the two is ringbench's own event)
  --pin cpu|none      pin ringbench's producer to CPU ${PROD_CPU} and consumer to CPU ${CONS_CPU} as the
                      kernel bench's are (default), or leave both to the scheduler
  --nice N            run both benchmarks under nice -n N (e.g. -10 on a shared machine: both
                      sides get the same priority; negative needs root)
  --json FILE         also write every trial and the summary as JSON`;

function options() {
  const { values } = parseArgs({
    args: joinNegative(process.argv.slice(2)),
    options: {
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '3' },
      variants: { type: 'string', default: VARIANTS.join(',') },
      wakeups: { type: 'string', default: WAKEUPS.join(',') },
      pin: { type: 'string', default: 'cpu' },
      record: { type: 'string', default: 'minimal' },
      json: { type: 'string' },
      nice: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (k, min, max) => {
    const v = Number(values[k]);
    if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${k} must be an integer ${min}..${max}; got '${values[k]}'`);
    return v;
  };
  const list = (k, valid) => {
    const v = values[k].split(',').map((s) => s.trim()).filter(Boolean);
    for (const x of v) if (!valid.includes(x)) throw new UsageError(`--${k}: '${x}' is not one of ${valid.join(', ')}`);
    if (!v.length) throw new UsageError(`--${k} is empty`);
    return v;
  };
  if (!['cpu', 'none'].includes(values.pin)) throw new UsageError(`--pin must be cpu or none; got '${values.pin}'`);
  if (!(values.record in PAYLOAD)) throw new UsageError(`--record must be minimal or full; got '${values.record}'`);
  return {
    rounds: int('rounds', 1, 30),
    duration: int('duration', 1, 60),
    variants: list('variants', VARIANTS),
    wakeups: list('wakeups', WAKEUPS),
    pin: values.pin,
    record: values.record,
    json: values.json,
    nice: values.nice === undefined ? undefined : niceValue(values.nice),
  };
}

const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const fmtCi = (c, d = 2) => `${fmt(c.mean, d)}${Number.isFinite(c.half) ? ` ± ${fmt(c.half, d)}` : ''}`;

function table(rows) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ')).join('\n');
}

async function main() {
  const o = options();
  if (process.getuid && process.getuid() !== 0) throw new Error('needs root (BPF), as ringbench does');
  if (cpus().length < 2) throw new Error('needs 2 CPUs: producer on CPU 1, consumer on CPU 0');
  if (!existsSync(CLI)) throw new Error(`ringbench is not built (${CLI} missing): run npm run setup`);
  // CPUs used outside this process tree (children counted once reaped): the benches' own measure
  const { cpuSnapshot, machineLoad } = await import('../../dist/bench/driver/machine.js');
  const foreignCpus = (a, b) => machineLoad(a, b)?.foreignCpus ?? NaN;
  const bench = buildKernelBench();
  const pairs = [];
  for (const v of o.variants) for (const w of o.wakeups) pairs.push([v, w]);
  const trials = [];
  for (let round = 0; round < o.rounds; round++) {
    for (const [variant, wakeup] of pairs) {
      const cfg = kernelConfig(variant, wakeup);
      const key = `${variant} ${wakeup}`;
      // alternate which side goes first
      const order = round % 2 === 0 ? ['kernel', 'ringbench'] : ['ringbench', 'kernel'];
      for (const side of order) {
        process.stderr.write(`round ${round + 1}/${o.rounds}: ${key}: ${side}…\n`);
        const a = cpuSnapshot();
        let res;
        try {
          res =
            side === 'kernel'
              ? await runKernelBench({ variant, wakeup, duration: o.duration, warmup: WARMUP_SEC, prodCpu: PROD_CPU, consCpu: CONS_CPU, bench, nice: o.nice })
              : await ringbenchTrial(cfg, wakeup, o);
        } catch (e) {
          process.stderr.write(`  failed: ${e.message}\n`);
          trials.push({ round, variant, wakeup, side, error: e.message });
          continue;
        }
        const b = cpuSnapshot();
        const rec = { round, variant, wakeup, side, ...res, foreignCpus: foreignCpus(a, b) };
        if (side === 'kernel') {
          rec.samplesMPerSec = res.mPerSec; // per-second samples after warm-up
          rec.mPerSec = res.meanMPerSec;
        }
        trials.push(rec);
      }
    }
  }

  // summary: per variant, kernel and ringbench means, and the ratio per round (paired)
  const rows = [['variant', 'wake-up', 'kernel M/s', 'ringbench M/s', 'ringbench/kernel (95% CI)', 'sink ns/ev', 'consumer ns/ev', 'other CPUs']];
  const summary = [];
  let failed = trials.some((t) => t.error);
  for (const [variant, wakeup] of pairs) {
    const of = (side) => trials.filter((t) => t.variant === variant && t.wakeup === wakeup && t.side === side && !t.error);
    const k = of('kernel');
    const r = of('ringbench');
    const ratios = [];
    for (let round = 0; round < o.rounds; round++) {
      const kr = k.find((t) => t.round === round);
      const rr = r.find((t) => t.round === round);
      if (kr && rr && kr.mPerSec > 0) ratios.push(rr.mPerSec / kr.mPerSec);
    }
    const kc = meanCi(k.map((t) => t.mPerSec));
    const rc = meanCi(r.map((t) => t.mPerSec));
    const qc = meanCi(ratios);
    const load = meanCi([...k, ...r].map((t) => t.foreignCpus));
    const sink = meanCi(r.map((t) => t.sinkNsPerEvent));
    const consumer = meanCi(r.map((t) => t.consumerNsPerEvent));
    summary.push({ variant, wakeup, kernelMPerSec: kc, ringbenchMPerSec: rc, ratio: qc, ratios, sinkNsPerEvent: sink.mean, consumerNsPerEvent: consumer.mean, foreignCpus: load.mean });
    rows.push([variant, wakeup, fmtCi(kc), fmtCi(rc), fmtCi(qc), fmt(sink.mean, 1), fmt(consumer.mean, 1), fmt(load.mean)]);
  }
  console.log(`\nringbench vs the kernel's ring buffer benchmark (${release()}, ${cpus().length} CPUs, ${o.rounds} rounds; producer on CPU ${PROD_CPU}, consumer on CPU ${CONS_CPU}; ringbench pin: ${o.pin}${o.nice !== undefined ? `; both under nice ${o.nice}` : ''})`);
  const kAttach = trials.find((t) => t.side === 'kernel' && t.attach)?.attach;
  const rAttach = trials.find((t) => t.side === 'ringbench' && t.attach)?.attach;
  console.log(`kernel bench: batch ${KERNEL_DEFAULTS.batch} records/getpgid(), ${KERNEL_DEFAULTS.payloadBytes} B payload (16 B ringbuf / 24 B perf records), ringbuf ${KERNEL_DEFAULTS.ringbufBytes / 1024} KiB, perfbuf ${KERNEL_DEFAULTS.perfbufPagesPerCpu} pages/CPU; attach: ${kAttach ?? '?'}`);
  console.log(`ringbench:    batch ${KERNEL_DEFAULTS.batch} (--events-per-call), --record ${o.record}: ${PAYLOAD[o.record]} B payload (${ringbufRecord(o.record)} B ringbuf / ${perfRecord(o.record)} B perf records), same buffer sizes, epoll consumer (b2b: --consumer b2b); attach: ${rAttach ?? '?'}\n`);
  console.log(table(rows));
  console.log('\nsink ns/ev: ringbench\'s own per-record work (calibrated); consumer ns/ev: its consumer thread\'s CPU per record (b2b: includes the BPF program it triggers).');
  const busy = summary.filter((s) => s.foreignCpus >= 0.25);
  if (busy.length) console.log(`\nthe machine was not quiet: other work used up to ${fmt(Math.max(...busy.map((s) => s.foreignCpus)))} CPUs during some trials; ratios are paired by round, absolute rates are not comparable to a quiet machine.`);
  if (o.json) {
    writeFileSync(o.json, JSON.stringify({ schema: 'ringbench/kernel-calibration@1', kernel: release(), cpus: cpus().length, options: o, kernelDefaults: KERNEL_DEFAULTS, summary, trials }, null, 2));
    console.log(`\nwrote ${o.json}`);
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(`bench:kernel: ${e.message}`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
