/**
 * sustainable — the search's decisions, replayed from recorded runs (a search is a fixed sequence
 * given its runs' outcomes, which is also how an interrupted search resumes). Every run below is
 * replayed, so no BPF is loaded: a search that asked for a run not in the list would try to load
 * the addon and fail the test.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findSustainableRate, type SearchStep } from '../../src/harness/sustainable.js';
import type { ScenarioConfig } from '../../src/harness/types.js';

const base = { load: 'saturation', events: 500_000, eventsPerCall: 500 } as ScenarioConfig;
/** a probing run's events: 0.3 s at its rate (the search's default), at least 5000, in whole 500-record calls */
const eventsAt = (rate: number) => Math.ceil(Math.max(5000, rate * 0.3) / 500) * 500;
const step = (rateCap: number, generatedPerSec: number, droppedKernel = 0, events = eventsAt(rateCap)): SearchStep => ({
  rateCap, events, generatedPerSec, deliveredPerSec: generatedPerSec, delivered: 1, droppedKernel,
});

test('back-offs that run out end in a bisection below the last failed cap, not in "none found"', async () => {
  const done = [
    step(0, 3_900_000, 0, 500_000), // unthrottled, in the fast regime: carried
    step(0, 3_700_000, 120, eventsAt(3_900_000)), // its confirmation drops
    step(3_510_000, 1_900_000), // back-off 1: 10% lower, fell short (the slow regime now)
    step(1_805_000, 1_800_000, 40), // back-off 2: just under what that run carried; dropped
    step(1_624_500, 1_600_000, 7), // back-off 3: 10% lower; dropped
    step(812_250, 812_000), // bisection below 1,624,500: carried
    step(1_218_375, 1_200_000, 3), // dropped
    step(1_015_313, 1_015_000), // carried
    step(1_116_844, 1_000_000), // fell short
    step(1_015_313, 1_014_000), // the confirmation
  ];
  const s = await findSustainableRate(base, { steps: 4, done });
  assert.is(s.steps.length, done.length, 'every recorded run was replayed, none measured');
  assert.is(s.ratePerSec, 1_015_313);
  assert.is(s.confirmation.droppedKernel, 0);
});

test('the bisection after the back-offs still finds none when nothing below the failed cap holds', async () => {
  const done = [
    step(0, 2_000_000, 10, 500_000), // unthrottled: dropped
    step(1_000_000, 1_000_000), // bisection of [0, 2M]: carried
    step(1_500_000, 1_500_000, 5),
    step(1_250_000, 1_240_000),
    step(1_375_000, 1_300_000),
    step(1_250_000, 1_250_000, 9), // confirmation fails
    step(1_125_000, 1_125_000, 2), // back-off 1
    step(1_012_500, 1_012_000, 2), // back-off 2
    step(911_250, 911_000, 2), // back-off 3
    step(455_625, 455_000, 1), // bisection below 911,250: every run drops
    step(227_813, 227_000, 1),
    step(113_907, 113_000, 1),
    step(56_954, 56_000, 1),
    step(28_477, 28_000, 1), // halvings below the lowest cap tried: they drop too
    step(14_238, 14_000, 1),
    step(7_119, 7_000, 1),
  ];
  const s = await findSustainableRate(base, { steps: 4, done });
  assert.is(s.steps.length, done.length);
  assert.is(s.ratePerSec, 0, 'no cap held down to an eighth of the lowest tried: none found');
});

test('a failed confirmation after that bisection steps down through the caps it carried, not to "none found"', async () => {
  // recorded on this repo's VM (perf buffer, sampled wake-ups): the bisection carried 0.91-1.71 M/s,
  // then the confirmation at 1.71 dropped; the search used to end in 0
  const done = [
    step(0, 2_500_000, 0, 500_000), // unthrottled: carried
    step(0, 2_470_000, 2442, eventsAt(2_500_000)), // its confirmation drops
    step(2_250_000, 2_250_000, 724), // back-offs
    step(2_025_000, 2_000_000, 217),
    step(1_822_500, 1_822_000, 60),
    step(911_250, 911_000), // bisection below 1,822,500
    step(1_366_875, 1_366_000),
    step(1_594_688, 1_594_000),
    step(1_708_594, 1_708_000),
    step(1_708_594, 1_630_000, 3224), // its confirmation drops
    step(1_594_688, 1_594_000), // the next lower carried cap: confirmed
  ];
  const s = await findSustainableRate(base, { steps: 4, done });
  assert.is(s.steps.length, done.length, 'every recorded run was replayed, none measured');
  assert.is(s.ratePerSec, 1_594_688);
  assert.is(s.confirmation.droppedKernel, 0);
});

test('when the carried caps fail their confirmations too, the search halves below the lowest cap tried', async () => {
  // recorded on this repo's VM (perf buffer, sampled wake-ups, standard suite): every carried cap
  // failed its confirmation, down to 0.90 M/s, and the search reported none found (0 in the mean)
  const done = [
    step(0, 2_473_744, 0, 500_000),
    step(0, 2_278_774, 8653, 742_500),
    step(2_226_369, 2_226_538, 724), // back-offs
    step(2_003_732, 2_004_164, 553),
    step(1_803_358, 1_802_642, 690),
    step(901_679, 895_682), // bisection below 1,803,358
    step(1_352_519, 1_353_338),
    step(1_577_939, 1_568_392),
    step(1_690_649, 1_600_948, 3782),
    step(1_577_939, 1_578_660, 1224), // confirmation
    step(1_352_519, 1_351_418, 1224), // the carried caps, stepping down
    step(901_679, 895_858, 724),
    step(450_839, 450_800), // half the lowest cap tried: carried
    step(450_839, 450_700), // and confirmed
  ];
  const s = await findSustainableRate(base, { steps: 4, done });
  assert.is(s.steps.length, done.length, 'every recorded run was replayed, none measured');
  assert.is(s.ratePerSec, 450_839);
});

test.run();
