/**
 * stalls — the stall record on the real kernel: how long records waited between their BPF
 * timestamp and the consumer's receipt (commit-to-read), and how long the consumer went without
 * starting a read while records were pending (pending gaps). A slow consumer must show up in both;
 * the maxima must cover every record, not only the latency histogram's sample.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runScenario } from '../src/harness/trial.js';
import type { TrialResult } from '../src/harness/types.js';

const DELAY_NS = 200_000;

function assertOrdered(r: TrialResult) {
  const g = r.stalls!.pendingGapNs;
  assert.ok(g.p50 <= g.p90 && g.p90 <= g.p99 && g.p99 <= g.max, `gap percentiles in order: ${JSON.stringify(g)}`);
  assert.is(g.max, r.stalls!.maxPendingGapNs);
  assert.is(r.stalls!.commitToReadNs.max, r.stalls!.maxCommitToReadNs);
  assert.is(r.stalls!.commitToReadNs.p99, r.latencyNs.p99, 'commit-to-read percentiles are the latency histogram');
  // a record cannot have waited longer than the trial lasted
  assert.ok(r.stalls!.maxCommitToReadNs < r.wallNs, `commit-to-read ${r.stalls!.maxCommitToReadNs} within wall ${r.wallNs}`);
}

for (const [transport, reader] of [['ringbuf', 'custom'], ['perfbuf', 'libbpf'], ['perfbuf', 'custom']] as const) {
  test(`${transport} ${reader} reader: a consumer slow by ${DELAY_NS / 1000} µs per record shows in both stall figures`, async () => {
    const r = await runScenario({ transport, reader, children: 1000, workers: 2, ringbufBytes: 4 << 20, consumerDelayNs: DELAY_NS });
    assert.is(r.counts.delivered, 1000);
    assertOrdered(r);
    // a read that takes one record or more lasts at least the delay; records that arrive meanwhile
    // wait for the next read (the custom reader takes what was there when it started; perf reads
    // one CPU after the other)
    assert.ok(r.stalls!.maxPendingGapNs >= DELAY_NS / 2, `maxPendingGapNs ${r.stalls!.maxPendingGapNs} reflects the ${DELAY_NS} ns delay`);
    assert.ok(r.stalls!.maxCommitToReadNs >= DELAY_NS, `maxCommitToReadNs ${r.stalls!.maxCommitToReadNs} >= the delay`);
    assert.ok(r.stalls!.maxCommitToReadNs >= r.latencyNs.p99);
  });
}

test('ringbuf libbpf reader: every record is timed in a storm, so the commit-to-read max is the latency max', async () => {
  const r = await runScenario({ transport: 'ringbuf', children: 1000, workers: 2, ringbufBytes: 4 << 20, consumerDelayNs: DELAY_NS });
  assertOrdered(r);
  assert.is(r.stalls!.maxCommitToReadNs, r.latencyNs.max);
  assert.ok(r.stalls!.maxCommitToReadNs >= DELAY_NS);
  assert.ok(r.stalls!.maxPendingGapNs > 0, 'at least one read found records waiting');
});

test('saturation times one record in 64, yet the commit-to-read max covers every record', async () => {
  const r = await runScenario({ transport: 'ringbuf', load: 'saturation', events: 200_000, ringbufBytes: 1 << 20, reader: 'custom' });
  assert.ok(r.config.latencyEvery > 1, 'saturation samples its latency');
  assertOrdered(r);
  assert.ok(r.stalls!.maxCommitToReadNs >= r.latencyNs.max, `max ${r.stalls!.maxCommitToReadNs} >= sampled max ${r.latencyNs.max}`);
  assert.ok(r.stalls!.maxPendingGapNs > 0 && r.stalls!.pendingGapNs.p50 > 0);
});

test('minimal records carry no time: commit-to-read is 0, gaps run from the previous read', async () => {
  const r = await runScenario({ transport: 'ringbuf', load: 'saturation', events: 200_000, record: 'minimal', ringbufBytes: 1 << 20 });
  assert.is(r.stalls!.maxCommitToReadNs, 0);
  assert.ok(r.stalls!.maxPendingGapNs > 0);
});

test.run();
