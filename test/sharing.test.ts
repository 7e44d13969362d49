/**
 * sharing — where records go, on the real kernel: a storm pinned to CPUs (--storm-cpus) puts its
 * records in those CPUs' perf buffers, and --ringbuf-sharing splits the ring buffer into a ring per
 * CPU (or per N CPUs) chosen in BPF, read as one, with the memory split and ordering measured
 * across rings.
 */
import { cpus } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { limits } from '../src/harness/knobs.js';
import { runScenario } from '../src/harness/trial.js';
import type { TrialResult } from '../src/harness/types.js';
import { loadedRingbenchObjects, settle } from './kernel.js';

const NCPU = cpus().length;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function assertBalanced(r: TrialResult) {
  assert.is(r.counts.delivered + r.counts.droppedKernel, r.counts.seenByBpf, JSON.stringify(r.counts));
}

test('perfbuf with --storm-cpus 0: at least 95% of the records are in CPU 0\'s buffer', async () => {
  const r = await runScenario({ transport: 'perfbuf', children: 2000, workers: 2, stormCpus: '0', ringbufBytes: 1 << 20 });
  assert.is(r.config.stormCpus, '0');
  const per = r.counts.perCpuDelivered!;
  assert.is(per.length, NCPU, 'one count per CPU buffer');
  assert.is(sum(per), r.counts.delivered);
  assert.ok(per[0] >= 0.95 * r.counts.delivered, `CPU 0 holds ${per[0]} of ${r.counts.delivered}: ${JSON.stringify(per)}`);
});

test('--storm-cpus all pins to every allowed CPU and records the list', async () => {
  const r = await runScenario({ transport: 'perfbuf', children: 500, workers: 2, stormCpus: 'all' });
  assert.is(r.config.stormCpus, NCPU > 1 ? `0-${NCPU - 1}` : '0');
  assert.is(sum(r.counts.perCpuDelivered!), r.counts.delivered);
});

test('--ringbuf-sharing per-cpu: a storm goes into one ring per CPU holding an equal share of the memory', async () => {
  const total = 1 << 20;
  const r = await runScenario({ transport: 'ringbuf', ringbufSharing: 'per-cpu', children: 2000, workers: 2, ringbufBytes: total });
  assertBalanced(r);
  assert.is(r.counts.delivered, 2000);
  assert.is(r.memory.rings, NCPU);
  const pages = Math.max(1, Math.floor(total / NCPU / limits().pageSize));
  assert.is(r.memory.bytesPerRing, 2 ** Math.floor(Math.log2(pages)) * limits().pageSize, 'total / rings, rounded down to a power-of-two number of pages');
  assert.ok(r.memory.rings! * r.memory.bytesPerRing! <= total, 'the rings together hold no more than the shared ring');
  assert.is(r.memory.bufferBytes, r.memory.rings! * (r.memory.bytesPerRing! + 3 * limits().pageSize));
  assert.is(r.counts.perRingDelivered!.length, NCPU);
  assert.is(sum(r.counts.perRingDelivered!), r.counts.delivered);
  assert.ok(Number.isInteger(r.ordering.inversions) && r.ordering.inversionRatio >= 0);
  assert.equal(await settle(loadedRingbenchObjects), [], 'the rings are freed with the program');
});

test('--ringbuf-sharing per-cpu with the storm on CPU 0: its ring takes the records', async () => {
  const r = await runScenario({ transport: 'ringbuf', ringbufSharing: 'per-cpu', children: 1000, workers: 2, stormCpus: '0', ringbufBytes: 1 << 20 });
  const per = r.counts.perRingDelivered!;
  assert.ok(per[0] >= 0.95 * r.counts.delivered, JSON.stringify(per));
});

for (const reader of ['libbpf', 'custom'] as const) {
  test(`--ringbuf-sharing per-cpu saturation (${reader} reader): producers on every CPU fill every ring; ordering is measured across rings`, async () => {
    // drain: the backlog is read ring after ring, so producers that overlapped in time at all
    // leave records in a later ring older than the end of an earlier one
    const r = await runScenario({
      transport: 'ringbuf', ringbufSharing: 'per-cpu', reader, load: 'saturation', events: 100_000, eventsPerCall: 100,
      workers: NCPU, producerCpu: 0, ringbufBytes: 16 << 20, consumer: 'drain', ringbufWakeup: 'every-n', wakeupEvery: 1_000_000,
    });
    assertBalanced(r);
    assert.is(r.counts.droppedKernel, 0, 'each ring holds its producer\'s backlog');
    assert.is(r.memory.rings, NCPU);
    const per = r.counts.perRingDelivered!;
    assert.is(sum(per), r.counts.delivered);
    assert.ok(per.every((n) => n > 0), `every CPU's ring was written: ${JSON.stringify(per)}`);
    if (NCPU > 1) assert.ok(r.ordering.inversions > 0, 'records of one ring overtake older ones of another');
    assert.ok((r.memory.peakCpuOccupancyBytes ?? 0) <= r.memory.bytesPerRing!, 'one ring never holds more than its size');
  });
}

test('--ringbuf-sharing per-cpu saturation with an epoll consumer carries records and counts them per ring', async () => {
  const r = await runScenario({ transport: 'ringbuf', ringbufSharing: 'per-cpu', load: 'saturation', events: 100_000, eventsPerCall: 100, workers: NCPU, producerCpu: 0, ringbufBytes: 4 << 20 });
  assertBalanced(r);
  assert.is(sum(r.counts.perRingDelivered!), r.counts.delivered);
  assert.ok(r.counts.delivered > 0);
});

test('--ringbuf-sharing N: a ring per N CPUs', async () => {
  const r = await runScenario({ transport: 'ringbuf', ringbufSharing: String(NCPU), children: 300, workers: 1, ringbufBytes: 256 << 10 });
  assert.is(r.memory.rings, 1, `${NCPU} CPUs per ring over ${NCPU} CPUs: one ring in the array`);
  assert.is(r.counts.delivered, 300);
});

test.run();
