/**
 * loss.test (unit) — the loss curve without the kernel: the Wilson interval, the grid, the
 * sustainable rule and where more runs go, the shape sentences the report writes from a curve's
 * runs, the results loader's checks and the chart (test/unit/size.test.ts has the parts that
 * resolve scenario knobs, which load the addon when it is built).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { carriedRate, curveSustainable, lossGrid, lossPoint, lossShape, nextCandidate, runsForUpper, stallsExplain, wilson } from '../../src/analysis/loss.js';
import { shapeSentences, sustainableCell } from '../../src/report/sections/loss.js';
import { lossCurveChart } from '../../src/charts/loss.js';
import { validateResults } from '../../src/results/load.js';
import { fmtSi } from '../../src/format/units.js';
import type { LossCurveRecord, LossRun, ResultSet, ScenarioRecord } from '../../src/results/schema.js';

const run = (rate: number, dropped: number, stallNs: number, reach = 1): LossRun => ({ generatedPerSec: rate * reach, events: Math.round(rate * 0.3), droppedKernel: dropped, fill: dropped ? 1 : 0.3, stallNs });

/** A curve over 8 rates: (dropped, runs) per rate, each run's stall given by `stall(rate, i, drops)`. */
function curve(counts: [number, number][], stall: (rate: number, i: number, dropped: boolean) => number, over: Partial<LossCurveRecord> = {}): LossCurveRecord {
  const rates = lossGrid(2e6, 0.05, counts.length);
  return {
    seconds: 0.3, ceilingPerSec: 2e6, from: 0.05, bufferBytes: 512 * 1024, recordBytes: 72, stall: 'commit-to-read', maxDropUpper: 0.2, complete: true,
    points: rates.map((r, j) => lossPoint(r, Array.from({ length: counts[j][1] }, (_, i) => {
      const d = i < counts[j][0];
      return run(r, d ? Math.round(r * 0.3 * 0.01) : 0, stall(r, i, d));
    }))),
    ...over,
  };
}
/** ns the 512 KiB buffer holds at `rate` 72-byte records a second. */
const holds = (rate: number) => (512 * 1024 / 72 / rate) * 1e9;

test('Wilson interval: exact at 0 and n, symmetric, and the runs a bound needs', () => {
  assert.equal(wilson(0, 5).lo, 0);
  assert.ok(Math.abs(wilson(0, 5).hi - 0.4345) < 1e-3, String(wilson(0, 5).hi));
  assert.equal(wilson(5, 5).hi, 1);
  assert.ok(Math.abs(wilson(5, 5).lo - (1 - wilson(0, 5).hi)) < 1e-9);
  const h = wilson(3, 6);
  assert.ok(Math.abs(h.lo + h.hi - 1) < 1e-9 && h.lo < 0.5 && h.hi > 0.5);
  assert.is(runsForUpper(0.2), 16);
  assert.ok(wilson(0, 16).hi <= 0.2 && wilson(0, 15).hi > 0.2);
  assert.is(runsForUpper(0.1), 35);
  assert.equal(wilson(0, 0), { lo: 0, hi: 1 });
});

test('the grid is log-spaced from the share of the ceiling to the ceiling', () => {
  const g = lossGrid(3e6, 0.05, 8);
  assert.is(g.length, 8);
  assert.is(g[7], 3e6);
  assert.is(g[0], 150_000);
  const ratios = g.slice(1).map((x, i) => x / g[i]);
  for (const r of ratios) assert.ok(Math.abs(r - ratios[0]) < 1e-4, `${r} vs ${ratios[0]}`);
  assert.equal(lossGrid(0, 0.05, 8), []);
});

test('sustainable rule: the rate carried at the highest rate whose upper bound is within it; more runs go to the highest clean rate', () => {
  // 0 of 5 everywhere below the top three: none meets 20% yet, the highest clean one asks for runs
  const c = curve([[0, 5], [0, 5], [0, 5], [0, 5], [0, 5], [1, 5], [3, 5], [5, 5]], () => 1e5);
  assert.is(curveSustainable(c), undefined);
  assert.is(sustainableCell(c), `none met the rule (closest: ${fmtSi(c.points[4].rateCap)}/s, 0 of 5 runs dropped, P ≤ 43%)`);
  assert.is(nextCandidate(c)!.rateCap, c.points[4].rateCap);
  // 16 clean runs there meet it; nothing above is clean, so nothing is left to run
  c.points[4] = lossPoint(c.points[4].rateCap, Array.from({ length: 16 }, () => run(c.points[4].rateCap, 0, 1e5)));
  assert.is(curveSustainable(c)!.rateCap, c.points[4].rateCap);
  assert.is(nextCandidate(c), undefined);
  assert.match(sustainableCell(c), /0 of 16 runs dropped, P ≤ 19%/);
  // a point whose producer fell short of the rate gives the rate it carried, and says what was offered
  const rate = c.points[4].rateCap;
  c.points[4] = lossPoint(rate, Array.from({ length: 16 }, (_, i) => run(rate, 0, 1e5, i < 8 ? 0.8 : 0.82)));
  assert.is(curveSustainable(c)!.rateCap, rate);
  assert.ok(Math.abs(carriedRate(c.points[4]) - 0.81 * rate) < 1e-6 * rate);
  assert.match(sustainableCell(c), new RegExp(`, offered ${fmtSi(rate).replace('.', '\\.')}/s; 0 of 16 runs dropped`));
});

test('shape: drops by chance that follow the stalls, the host stalling at low rates too', () => {
  // every run stalls 6 ms at low rates; at the dropping rates, runs that dropped stalled past the buffer
  const c = curve([[0, 5], [0, 5], [0, 5], [0, 5], [1, 5], [2, 5], [3, 5], [5, 5]], (rate, _i, d) => (d ? holds(rate) * 1.5 : Math.min(15e6, holds(rate) * 0.5)));
  const s = lossShape(c);
  assert.is(s.onset, c.points[4].rateCap);
  assert.is(s.lastClean, c.points[3].rateCap);
  assert.equal(s.chance, { from: c.points[4].rateCap, to: c.points[6].rateCap, points: 3 });
  assert.is(s.allFrom, c.points[7].rateCap);
  assert.is(s.steady, 0);
  assert.ok(stallsExplain(s));
  const text = shapeSentences(c).join(' ');
  assert.match(text, /some runs dropped and others did not \(3 rates\)/);
  assert.match(text, /by chance/);
  assert.match(text, /Every run dropped from/);
  assert.match(text, /bursts/);
  assert.match(text, /The drops follow the stalls: at the rates with drops, 20 of 20 runs/);
  assert.match(text, /the stalls are the host's/);
});

test('shape: no drops; and drops the stalls do not explain, with steady losses', () => {
  const clean = curve([[0, 5], [0, 5], [0, 5]], () => 1e6);
  assert.match(shapeSentences(clean).join(' '), /^No run dropped at any rate up to the raw ceiling \(15 runs\)/);
  // short stalls, yet half the runs lose 20% of their records: a consumer slower than the rate
  const steady = curve([[0, 4], [2, 4], [4, 4]], () => 1e3);
  for (const p of steady.points) for (const r of p.samples) if (r.droppedKernel) r.droppedKernel = Math.round(r.events * 0.2);
  const s = lossShape(steady);
  assert.is(s.steady, 6);
  assert.not.ok(stallsExplain(s));
  const text = shapeSentences(steady).join(' ');
  assert.match(text, /6 of 6 runs that dropped lost more than 5.0% of their records \(up to 20%\)/);
  assert.match(text, /The stalls alone do not account for the drops: at the rates with drops, only 2 of 8 runs/);
  assert.not.match(text, /by chance/); // one rate with mixed runs is not a region
});

test('results: a loss curve loads, and a corrupt one is refused naming the field', () => {
  const rec = { id: 'ceilings/sampled/ringbuf', group: 'ceilings', label: 'sampled', transport: 'ringbuf', config: {}, repeats: {}, aggregates: {}, lossCurve: curve([[0, 2], [1, 2]], () => 1e6) };
  const file = { schema: 'ringbench/results@1', suite: 't', startedAt: '', complete: true, scenarios: [rec] };
  validateResults(JSON.parse(JSON.stringify(file)), 'r.json');
  const bad = JSON.parse(JSON.stringify(file));
  bad.scenarios[0].lossCurve.points[1].samples[0].stallNs = 'slow';
  assert.throws(() => validateResults(bad, 'r.json'), /r\.json: corrupt results file: scenarios\[0\]\.lossCurve\.points\[1\]\.samples\[0\]\.stallNs must be a number/);
  bad.scenarios[0].lossCurve.stall = 'guess';
  assert.throws(() => validateResults(bad, 'r.json'), /lossCurve\.stall must be one of commit-to-read, latency-max/);
});

test('chart: one line per transport and wake-up mode on a log rate axis', () => {
  const rec = (transport: 'ringbuf' | 'perfbuf', label: string): ScenarioRecord => ({ id: `ceilings/${label}/${transport}`, group: 'ceilings', label, x: { name: 'variant', value: 0 }, transport, config: { workers: 1, ringbufBytes: 512 * 1024 } as never, repeats: {}, aggregates: {}, warnings: [], lossCurve: curve([[0, 5], [1, 5], [5, 5]], () => 1e6) });
  const set = { file: 'r.json', label: 'host', tag: 'A', results: { scenarios: [rec('ringbuf', 'default'), rec('ringbuf', 'sampled'), rec('perfbuf', 'default'), rec('perfbuf', 'sampled')] } } as unknown as ResultSet;
  const d = lossCurveChart([set]);
  const json = JSON.stringify(d.spec);
  assert.match(json, /"type":"log"/);
  const names = new Set((JSON.parse(json).layer[0].data.values as { series: string }[]).map((r) => r.series));
  assert.equal([...names].sort(), ['perfbuf (default)', 'perfbuf (sampled)', 'ringbuf (default)', 'ringbuf (sampled)']);
  assert.equal(d.loss!.runsPerRate, [5, 5]);
  assert.equal(lossCurveChart([{ ...set, results: { ...set.results, scenarios: [] } } as unknown as ResultSet]).spec, undefined);
});

test.run();
