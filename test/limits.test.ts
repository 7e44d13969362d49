/**
 * limits — the knobs that take ringbench to the kernel benchmark's limits (issue 11), on the real
 * kernel: minimal records, the back-to-back consumer, automatic placement, the batch sink and its
 * calibrated cost, BPF cost per record; and the one-line refusals of combinations that make no sense.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpus } from 'node:os';
import { ConfigError, resolveConfig, SATURATION_LATENCY_EVERY } from '../src/harness/knobs.js';
import { runScenario } from '../src/harness/trial.js';
import { TRANSPORTS } from '../src/harness/types.js';

const triangular = (n: number) => (n * (n - 1)) / 2;

for (const transport of TRANSPORTS) {
  test(`${transport}: minimal records deliver every number exactly once, and carry no time`, async () => {
    const events = 50_000;
    const r = await runScenario({ transport, load: 'saturation', record: 'minimal', events, eventsPerCall: 100, workers: 1, ringbufBytes: 8 << 20, perfbufPages: 1024 });
    assert.is(r.counts.delivered, events);
    assert.is(r.integrity.malformed, 0, '8-byte records are valid in minimal mode');
    assert.is(r.integrity.seqSum, triangular(events));
    assert.is(r.latencyNs.p50, 0, 'no time in the record: no latency');
  });

  test(`${transport}: back to back, the consumer alone triggers and reads every batch`, async () => {
    const events = 20_000;
    const r = await runScenario({ transport, load: 'saturation', consumer: 'b2b', events, eventsPerCall: 100, workers: 1, ringbufBytes: 1 << 20 });
    assert.is(r.counts.generated, events);
    assert.is(r.counts.delivered, events);
    assert.is(r.integrity.seqSum, triangular(events));
    assert.equal(r.placement?.producerCpus, [], 'no producer threads');
    // one trigger's records are read before the next is made: never more than a batch or two unread
    assert.ok(r.memory.peakOccupancyBytes <= 2 * 100 * 80, `peak ${r.memory.peakOccupancyBytes}`);
  });
}

test('saturation pins the consumer and the producer to distinct CPUs by default, and records it', async () => {
  const r = await runScenario({ load: 'saturation', events: 10_000, workers: 1 });
  if (cpus().length >= 2) {
    assert.is(r.config.consumerCpu, 0);
    assert.is(r.config.producerCpu, 1);
    assert.equal(r.placement, { consumerCpu: 0, producerCpus: [1], cpuCount: cpus().length, oversubscribed: false });
    // where the host put the two CPUs: a cache line's round trip between them, tens to thousands of ns
    const ns = r.host?.cpuPairNs ?? 0;
    assert.ok(ns > 10 && ns < 1e5, `CPU pair round trip ${ns} ns`);
  }
  const off = await runScenario({ load: 'saturation', events: 10_000, workers: 1, pin: 'off' });
  assert.equal(off.placement?.producerCpus, [-1]);
  assert.is(off.placement?.consumerCpu, -1);
  assert.is(off.host?.cpuPairNs, 0, 'nothing pinned: no pair to measure');
  const crowded = resolveConfig({ load: 'saturation', workers: cpus().length });
  assert.is(crowded.consumerCpu, -1, 'not enough CPUs for each thread: nothing pinned');
});

test('the sink samples latency in saturation, stays per event in storms, and reports its own cost', async () => {
  const sat = await runScenario({ load: 'saturation', events: 50_000, eventsPerCall: 50, workers: 1, ringbufBytes: 8 << 20, consumer: 'drain', reader: 'custom' });
  assert.is(sat.config.latencyEvery, SATURATION_LATENCY_EVERY);
  assert.is(sat.counts.delivered, 50_000, 'counts stay exact');
  assert.ok(sat.latencyNs.p50 > 0, 'sampled latency is still measured');
  const ns = sat.cpu.sinkNsPerEvent ?? NaN;
  assert.ok(ns > 0 && ns < sat.cpu.consumerNsPerEvent * 10, `sink ${ns} ns/event`);
  const storm = await runScenario({ children: 300, workers: 1 });
  assert.is(storm.config.latencyEvery, 1);
  assert.is(storm.host?.cpuPairNs, 0, 'a storm has no CPU pair');
  assert.ok((storm.cpu.sinkNsPerEvent ?? 0) > 0);
});

test('BPF cost is per record, not per run: batching amortises the trigger over the records', async () => {
  const cost = async (eventsPerCall: number) => {
    const r = await runScenario({ load: 'saturation', events: 50_000, eventsPerCall, workers: 1, ringbufBytes: 8 << 20 });
    return r.kernel.bpfRunCount ? r.cpu.bpfNsPerEvent : NaN;
  };
  const single = await cost(1);
  const batched = await cost(100);
  if (Number.isNaN(single)) return; // bpf_stats refused: trial.ts notes it
  // per run, a 100-record batch would cost ~100 times one record; per record it costs less
  assert.ok(batched > 0 && batched < single, `per record: ${batched} ns batched, ${single} ns one per call`);
});

test('the saturation-only knobs are refused elsewhere, with one line naming the flag', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ record: 'minimal' }, /--record minimal needs --load saturation/],
    [{ consumer: 'b2b' }, /--consumer b2b needs --load saturation/],
    [{ producerCpu: 0 }, /--producer-cpu 0 needs --load saturation/],
    [{ latencyEvery: 8 }, /--latency-every must be 0 or 1 for a storm/],
    [{ load: 'saturation', record: 'minimal', eventBytes: 128 }, /--event-bytes does not apply to --record minimal/],
    [{ load: 'saturation', producerCpu: 4096 }, /--producer-cpu must be/],
  ];
  for (const [input, message] of cases) {
    try {
      resolveConfig(input);
      assert.unreachable(`accepted ${JSON.stringify(input)}`);
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.match((e as Error).message, message);
      assert.not.match((e as Error).message, /\n/);
    }
  }
});

test.run();
