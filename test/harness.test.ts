/**
 * harness — the twin programs and the native harness on the real kernel: accounting, drops,
 * identical payloads, ordering, memory, and cleanup on every exit path. Storms are small.
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { limits, resolveConfig, stormConfig, tracerConfig, trialConfig } from '../src/harness/knobs.js';
import { loadAddon, ROOT, type NativeTracerEvent } from '../src/harness/addon.js';
import { runScenario } from '../src/harness/trial.js';
import type { TrialResult } from '../src/harness/types.js';
import { childrenOf, loadedRingbenchObjects, settle, stormProcesses } from './kernel.js';

const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const NCPU = cpus().length;
const PAGE_SIZE = limits().pageSize;

function assertKernelBalanced(r: TrialResult) {
  assert.is(r.counts.delivered + r.counts.droppedKernel, r.counts.seenByBpf,
    `${r.config.transport}: delivered + droppedKernel must equal seenByBpf (${JSON.stringify(r.counts)})`);
  assert.ok(r.accounting.kernelBalanced);
}

for (const transport of ['ringbuf', 'perfbuf'] as const) {
  test(`${transport}: 5000 children with generous buffers are all delivered`, async () => {
    const r = await runScenario({ transport, children: 5000, workers: 2, ringbufBytes: 4 << 20 });
    assert.is(r.counts.generated, 5000);
    assert.is(r.counts.seenByBpf, 5000);
    assert.is(r.counts.delivered, 5000);
    assert.is(r.counts.droppedKernel, 0);
    assert.is(r.counts.missing, 0);
    assert.ok(r.accounting.filterBalanced && r.accounting.kernelBalanced);
    assert.is(r.accounting.notes.length, 0, r.accounting.notes.join('; '));
    assert.ok(r.rates.deliveredPerSec > 0);
    assert.ok(r.latencyNs.p50 > 0 && r.latencyNs.p50 <= r.latencyNs.p99 && r.latencyNs.p99 <= r.latencyNs.max);
    assert.ok(r.cpu.consumerNsPerEvent > 0 && r.cpu.bpfNsPerEvent > 0 && r.cpu.wakeups > 0);
    assert.is(r.timeline.delivered.reduce((a, b) => a + b, 0), 5000, 'timeline windows add up to delivered');
  });
}

test('ringbuf: a tiny buffer and a slow consumer drop, and the accounting adds up', async () => {
  const r = await runScenario({ transport: 'ringbuf', children: 3000, workers: 2, ringbufBytes: 4096, consumerDelayNs: 100_000 });
  assert.ok(r.counts.droppedKernel > 0, 'expected drops with a 4 KiB ring and a 100 µs/event consumer');
  assertKernelBalanced(r);
  assert.is(r.counts.lostReported, 0, 'ringbuf has no lost-sample records');
  assert.is(r.counts.seenByBpf, r.counts.generated);
  assert.is(r.counts.missing, r.counts.droppedKernel);
  assert.ok(r.memory.peakOccupancyBytes > 0 && r.memory.peakOccupancyBytes <= 4096);
});

test('perfbuf: a tiny buffer and a slow consumer drop; lost-sample records never exceed the kernel count', async () => {
  const r = await runScenario({ transport: 'perfbuf', children: 3000, workers: 2, memory: 'per-cpu', perfbufPages: 1, consumerDelayNs: 100_000 });
  assert.ok(r.counts.droppedKernel > 0, 'expected drops with one page per CPU and a 100 µs/event consumer');
  assertKernelBalanced(r);
  // Each failed bpf_perf_event_output() bumps the perf event's lost counter; the kernel reports the
  // count in a PERF_RECORD_LOST only when the next sample fits. So lostReported trails the kernel
  // count by at most the losses after the last successful sample on each CPU.
  assert.ok(r.counts.lostReported > 0, 'perf reported lost samples');
  assert.ok(r.counts.lostReported <= r.counts.droppedKernel, `lostReported ${r.counts.lostReported} > droppedKernel ${r.counts.droppedKernel}`);
});

test('the twins emit identical payloads for the same children', async () => {
  const addon = loadAddon();
  const storm = new addon.Storm(stormConfig({ children: 300, workers: 2, stormMode: 'vfork', timeoutMs: 20000 }));
  const stormPid = storm.pid;
  const common = { targetTgid: stormPid, ringbufBytes: 1 << 20, perfbufPages: 64 };
  const ring = new addon.Tracer(tracerConfig({ ...common, transport: 'ringbuf' }));
  const perf = new addon.Tracer(tracerConfig({ ...common, transport: 'perfbuf' }));
  try {
    storm.go();
    const outcome = storm.wait(20000);
    assert.is(outcome.generated, 300);
  } finally {
    ring.close();
    perf.close();
    storm.kill();
  }
  const key = (e: NativeTracerEvent) => JSON.stringify([e.pid, e.ppid, e.exitCode, e.exitSignal, e.comm, e.kind]);
  const ringEvents = ring.take(10_000);
  const perfEvents = perf.take(10_000);
  assert.is(ringEvents.length, 300);
  assert.is(perfEvents.length, 300);
  assert.equal([...ringEvents.map(key)].sort(), [...perfEvents.map(key)].sort());
  assert.ok(ringEvents.every((e) => e.ppid === stormPid), 'every child reports the storm as its parent');
  assert.ok(new Set(ringEvents.map((e) => e.exitCode)).size > 50, 'children exit with varied codes');
});

test('ordering: perfbuf reorders across CPUs; ringbuf stays within reservation order', async () => {
  const perf = await runScenario({ transport: 'perfbuf', children: 5000, workers: 2, ringbufBytes: 1 << 20 });
  const ring = await runScenario({ transport: 'ringbuf', children: 5000, workers: 2, ringbufBytes: 1 << 20 });
  assert.ok(perf.ordering.inversions > 0, 'per-CPU perf buffers are read one CPU at a time: some events arrive late');
  assert.ok(perf.ordering.maxDisplacement > 0 && perf.ordering.maxTimeRegressionNs > 0);
  // The ring buffer hands records over in reservation order. The sequence number is taken right
  // after a successful reserve, with preemption off, so two records can only swap when another CPU
  // reserves and numbers its record inside that window of a few instructions: at most one record
  // per other CPU, hence a displacement of at most NCPU - 1.
  assert.ok(ring.ordering.maxDisplacement <= NCPU - 1, `ringbuf displacement ${ring.ordering.maxDisplacement} > ${NCPU - 1}`);
  assert.ok(ring.ordering.inversionRatio < perf.ordering.inversionRatio);
});

test('memory.bufferBytes follows the formula for both transports and several sizes', async () => {
  const structBytes = new Set<number>();
  for (const bytes of [16 * 1024, 256 * 1024, 2 << 20]) {
    const r = await runScenario({ transport: 'ringbuf', children: 20, ringbufBytes: bytes });
    // ring buffer: data pages plus three metadata pages (header, consumer and producer positions)
    assert.is(r.memory.bufferBytes, bytes + 3 * PAGE_SIZE);
    // The kernel's own accounting (fdinfo memlock) is those pages, a page-pointer array that maps
    // the data twice (3 + 2 x data pages pointers), and the map struct: a constant, small remainder.
    const pointers = (3 + (2 * bytes) / PAGE_SIZE) * 8;
    structBytes.add(r.kernel.mapMemlockBytes - r.memory.bufferBytes - pointers);
  }
  assert.is(structBytes.size, 1, `memlock beyond the formula should be one constant: ${[...structBytes]}`);
  const [rest] = structBytes;
  assert.ok(rest >= 0 && rest < 1024, `map struct of ${rest} bytes`);
  for (const pages of [1, 8, 64]) {
    const r = await runScenario({ transport: 'perfbuf', children: 20, memory: 'per-cpu', perfbufPages: pages });
    assert.is(r.memory.bufferBytes, NCPU * (pages + 1) * PAGE_SIZE);
  }
  // equal memory: perfbuf data over all CPUs equals the ring buffer's data
  const eq = await runScenario({ transport: 'perfbuf', children: 20, ringbufBytes: 256 * 1024 });
  assert.is(eq.config.perfbufPages * PAGE_SIZE * NCPU, 256 * 1024);
});

test('nothing stays loaded after a scenario, a native failure midway, or a timeout', async () => {
  await runScenario({ transport: 'ringbuf', children: 200 });
  assert.equal(await settle(loadedRingbenchObjects), []);
  assert.equal(await settle(stormProcesses), []);

  // perf_buffer__new_raw rejects 3 pages after the program is loaded and attached
  const addon = loadAddon();
  let failed = '';
  try {
    await addon.runTrial({ ...trialConfig(resolveConfig({ transport: 'perfbuf', children: 100 })), perfbufPages: 3 });
  } catch (e) {
    failed = (e as Error).message;
  }
  assert.match(failed, /perf buffer/);
  assert.equal(await settle(loadedRingbenchObjects), []);
  assert.equal(await settle(stormProcesses), []);

  const r = await runScenario({ transport: 'ringbuf', children: 10_000_000, timeoutMs: 300 });
  assert.ok(r.aborted, 'a storm cut by its timeout is reported as aborted');
  assert.ok(r.counts.generated > 0 && r.counts.generated < 10_000_000);
  assertKernelBalanced(r);
  assert.equal(await settle(loadedRingbenchObjects), []);
  assert.equal(await settle(stormProcesses), []);
});

function runCli(args: string[], signalAfterMs?: { signal: NodeJS.Signals; ms: number }) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Signal once the time is up and the storm runs: a loaded machine can take longer than the
    // delay to start Node, and a signal before the command's handler is installed just kills it.
    const t0 = Date.now();
    const timer = signalAfterMs && setInterval(() => {
      if (Date.now() - t0 < signalAfterMs.ms || !childrenOf(child.pid!).length) return;
      child.kill(signalAfterMs.signal);
      clearInterval(timer);
    }, 20);
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('Ctrl-C stops the storm, drains, prints the partial result and leaves nothing behind', async () => {
  const r = await runCli(['scenario', '--children', '10000000', '--timeout-ms', '30000', '--json'], { signal: 'SIGINT', ms: 1500 });
  assert.is(r.code, 130, r.stderr);
  const result = JSON.parse(r.stdout) as TrialResult;
  assert.ok(result.aborted && result.counts.generated > 0);
  assert.is(result.counts.delivered + result.counts.droppedKernel, result.counts.seenByBpf);
  assert.equal(await settle(loadedRingbenchObjects), []);
  assert.equal(await settle(stormProcesses), []);
});

test('a killed harness takes its storm with it and the kernel frees its programs', async () => {
  const r = await runCli(['scenario', '--children', '10000000', '--timeout-ms', '30000'], { signal: 'SIGKILL', ms: 1500 });
  assert.is(r.signal, 'SIGKILL');
  assert.equal(await settle(stormProcesses), []);
  assert.equal(await settle(loadedRingbenchObjects), []);
});

test('bad input: one line naming the flag and what is valid, exit 2, nothing loaded', async () => {
  const cases: [string[], RegExp][] = [
    [['--ringbuf-bytes', '5000'], /--ringbuf-bytes must be a power-of-two multiple of the 4096-byte page/],
    [['--ringbuf-bytes', '12K'], /--ringbuf-bytes must be a power-of-two/],
    [['--perfbuf-pages', '3'], /--perfbuf-pages must be a power of two/],
    [['--children', '0'], /--children must be an integer in 1\.\./],
    [['--workers', '-2'], /--workers must be an integer in 1\.\.64/],
    [['--event-bytes', '8192'], /--event-bytes must be a multiple of 8 in 64\.\.4K/],
    [['--transport', 'pipe'], /--transport must be one of ringbuf, perfbuf/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['scenario', ...args]);
    assert.is(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
  }
  assert.equal(loadedRingbenchObjects(), []);
  assert.equal(stormProcesses(), []);
});

test('without CAP_BPF the harness says what is missing and how to fix it', async () => {
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
      process.execPath, CLI, 'scenario', '--children', '10'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.is(r.code, 1);
  assert.match(r.stderr, /needs root, or CAP_BPF \+ CAP_PERFMON/);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.equal(await settle(stormProcesses), []);
});

test.run();
