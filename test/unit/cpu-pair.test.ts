/**
 * cpu-pair — when a run sets a trial aside because the host had its producer's and consumer's CPUs
 * apart, and when it keeps it. The trials and the pair probe are scripted with round trips of the
 * sizes this repo's VM shows (~110 ns together, ~450 ns apart); the real probe is checked in
 * test/limits.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { placementDiffers, placementSummary } from '../../src/analysis/placement.js';
import { cpuPairOf, HostPlacement } from '../../src/harness/cpu-pair.js';
import { FAR_FACTOR, RERUNS } from '../../src/harness/placement-rule.js';
import type { ScenarioRecord } from '../../src/results/schema.js';
import type { ScenarioConfig } from '../../src/harness/types.js';

const PAIR: [number, number] = [1, 0];

/** A placement whose probe answers from `probes` in turn (the last one repeats). */
function placement(probes: number[], budgetMs?: number): HostPlacement {
  let i = 0;
  return new HostPlacement(() => probes[Math.min(i++, probes.length - 1)], budgetMs);
}

/** Trials that measure the given round trips in turn; each resolves with its own index. */
function trials(roundTrips: number[]) {
  let i = 0;
  return { run: async () => i++, pairNs: (k: number) => roundTrips[k], ran: () => i };
}

test('a trial measured with the CPUs apart is run again once they are together, and set aside', async () => {
  const p = placement([450, 115]);
  p.see(110);
  const t = trials([460, 120]);
  const { kept, setAside } = await p.measure(PAIR, t.run, t.pairNs);
  assert.is(kept, 1);
  assert.equal(setAside, [0]);
});

test(`at most ${RERUNS} re-runs: the last is kept whatever its placement`, async () => {
  const p = placement([110]);
  p.see(110);
  const t = trials([450, 460, 470, 120]);
  const { kept, setAside } = await p.measure(PAIR, t.run, t.pairNs);
  assert.is(setAside.length, RERUNS);
  assert.is(kept, RERUNS);
  assert.is(t.ran(), RERUNS + 1);
});

test('no re-run when the CPUs do not come back together within the wait', async () => {
  const p = placement([450], 250);
  p.see(110);
  const t = trials([460, 120]);
  const { kept, setAside } = await p.measure(PAIR, t.run, t.pairNs);
  assert.is(kept, 0, 'the far trial is kept (its round trip says where it ran)');
  assert.is(setAside.length, 0);
  assert.ok(p.waitedMs >= 200, `waited ${p.waitedMs} ms of a 250 ms budget`);
  // the budget is spent: the next far trial is kept without waiting
  const again = await p.measure(PAIR, t.run, () => 460);
  assert.is(again.setAside.length, 0);
});

test('a trial with no CPU pair (a storm, b2b, nothing pinned) is never re-run', async () => {
  const p = placement([110]);
  p.see(110);
  const t = trials([450, 450]);
  assert.is((await p.measure(undefined, t.run, t.pairNs)).setAside.length, 0);
  assert.is(t.ran(), 1);
});

test(`"apart" is relative to the lowest round trip this run has seen (${FAR_FACTOR}×)`, async () => {
  const p = new HostPlacement(() => 0);
  assert.not.ok(p.far(450), 'the first measurement is the lowest so far');
  p.see(450);
  p.see(110);
  assert.ok(p.far(FAR_FACTOR * 110 + 1));
  assert.not.ok(p.far(FAR_FACTOR * 110));
  assert.not.ok(p.far(0), '0: not measured');
});

test('the pair: saturation with the first producer and the consumer pinned to different CPUs', () => {
  const sat = { load: 'saturation', consumer: 'epoll', producerCpu: 1, consumerCpu: 0 } as ScenarioConfig;
  assert.equal(cpuPairOf(sat), [1, 0]);
  assert.is(cpuPairOf({ ...sat, load: 'storm' }), undefined);
  assert.is(cpuPairOf({ ...sat, consumer: 'b2b' }), undefined);
  assert.is(cpuPairOf({ ...sat, producerCpu: -1 }), undefined);
  assert.is(cpuPairOf({ ...sat, producerCpu: 0 }), undefined);
});

const run = (...roundTrips: number[][]) => ({ scenarios: roundTrips.map((ns) => ({ repeats: { 'host.cpuPairNs': ns } }) as unknown as ScenarioRecord) });

test('a run\'s placement: the closest round trip, the kept repeats measured apart, and none for storms alone', () => {
  assert.is(placementSummary(run([0, 0, 0])), undefined, 'storms measure no pair');
  const p = placementSummary(run([0, 0], [120, 135, 480], [110, 118]))!;
  assert.is(p.lowestNs, 110);
  assert.equal(p.together, { lo: 110, hi: 135, n: 4 });
  assert.equal(p.apart, { lo: 480, hi: 480 });
  assert.is(p.keptApart, 1);
  assert.is(p.medianNs, 120);
});

test('compare says so when two runs\' figures describe different placements', () => {
  const together = run([120, 130, 125]);
  assert.is(placementDiffers(together, run([110, 140, 135])), undefined);
  assert.match(placementDiffers(together, run([450, 470, 130]))!, /median 125 ns in the base, 450 ns in the candidate/);
  assert.is(placementDiffers(together, run([0])), undefined, 'a side without the measurement: nothing to say');
});

test.run();
