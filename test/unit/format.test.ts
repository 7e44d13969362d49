/**
 * format.test (unit) — the pure helpers under compare and the report: Welch's interval (against
 * hand-computed values), the unit formatter in both styles, aligned tables, and the
 * github-action-benchmark export. No kernel, no files.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { intervalsOverlap, welchDiffInterval } from '../../src/analysis/stats.js';
import { aggregate, noiseWarning, tQuantile95 } from '../../src/results/aggregate.js';
import { fmtAggregate, fmtBytes, fmtChange, fmtCompact, fmtNs, fmtPct, fmtSi, signed } from '../../src/format/units.js';
import { alignColumns, columnWidths } from '../../src/format/table.js';
import { toGithubActionBenchmark, type BenchmarkSource } from '../../src/format/github.js';
import { repeatsWords } from '../../src/report/tables.js';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test("Welch's interval: hand-computed, one-sided repeats, exact differences, no interval", () => {
  // b: mean 2, var 1 (n 3); c: mean 5, var 4 (n 3): se² = 1/3 + 4/3, df = (5/3)² / ((1/3)²/2 + (4/3)²/2) = 2.94 → 2
  const [lo, hi] = welchDiffInterval([1, 2, 3], [3, 5, 7])!;
  const half = tQuantile95(2) * Math.sqrt(5 / 3);
  assert.ok(close(lo, 3 - half) && close(hi, 3 + half), `${lo}, ${hi}`);
  // One repeat on one side borrows the other side's spread.
  const one = welchDiffInterval([10], [11, 12, 13])!;
  assert.ok(one[0] < 2 && one[1] > 2 && close((one[0] + one[1]) / 2, 2));
  assert.equal(welchDiffInterval([4, 4], [6, 6]), [2, 2], 'no spread: the difference is exact');
  assert.is(welchDiffInterval([1], [2]), null, 'one repeat per side: no interval');
});

test('intervals overlap, and noisy aggregates are worded', () => {
  assert.ok(intervalsOverlap(aggregate([1, 2, 3]), aggregate([2.5, 3, 3.5])));
  assert.not.ok(intervalsOverlap(aggregate([1, 1.01, 0.99]), aggregate([2, 2.01, 1.99])));
  assert.is(noiseWarning('m', aggregate([10, 10.01, 9.99])), undefined);
  assert.match(noiseWarning('m', aggregate([1, 5, 9]))!, /^m: 95% CI is ±\d+% of the mean/);
});

test('report style: SI from 10k, binary bytes, time units, percentages, "—" for no value', () => {
  assert.is(fmtSi(9999), '9999');
  assert.is(fmtSi(41234), '41.2k');
  assert.is(fmtSi(2.5e6), '2.5M');
  assert.is(fmtSi(0.5), '0.5');
  assert.is(fmtBytes(16384), '16 KiB');
  assert.is(fmtBytes(1000), '1000 B');
  assert.is(fmtNs(41200), '41.2 µs');
  assert.is(fmtNs(1.5e9), '1.5 s');
  assert.is(fmtPct(0.0312), '3.1%');
  assert.is(fmtPct(0), '0%');
  for (const f of [fmtSi, fmtBytes, fmtNs, fmtPct]) assert.is(f(NaN), '—');
  assert.is(fmtAggregate('rates.deliveredPerSec', aggregate([39000, 39000, 39000])), '39k');
  assert.match(fmtAggregate('latencyNs.p99', aggregate([120000, 122000, 124000])), /^122 ± [\d.]+ µs$/);
  assert.is(fmtAggregate('latencyNs.p99', aggregate([5000])), '5 µs (1 run)');
  assert.is(fmtAggregate('latencyNs.p99', undefined), '—');
});

test('compact style: three significant digits, k from 1000, units compare names', () => {
  assert.is(fmtCompact(35000, 'events/s'), '35k/s');
  assert.is(fmtCompact(1500, 'events'), '1.5k');
  assert.is(fmtCompact(8, 'positions'), '8');
  assert.is(fmtCompact(150000, 'ns'), '150 µs');
  assert.is(fmtCompact(800, 'ns/event'), '800 ns/ev');
  assert.is(fmtCompact(262144, 'bytes'), '256 KiB');
  assert.is(fmtCompact(0.0059912, 'ratio'), '0.00599');
  assert.is(fmtChange(0.296), '+29.6%');
  assert.is(fmtChange(-0.0056), '-0.56%');
  assert.is(signed('3 µs', -3), '-3 µs');
  assert.is(signed('0', 0), '0');
});

test('aligned tables pad by code points and trim trailing blanks', () => {
  const rows = [['A', 'µs', 'x'], ['long cell', '→', '']];
  assert.equal(columnWidths(rows), [9, 2, 1]);
  assert.equal(alignColumns(rows), ['A          µs  x', 'long cell  →']);
  assert.equal(alignColumns(rows, ' | '), ['A         | µs | x', 'long cell | →  |']);
});

test('github-action-benchmark: judged metrics only, split by direction, range from the candidate', () => {
  const metric = (name: string, higherIsBetter: boolean, judged = true) => ({
    metric: name, unit: 'ns', judged, higherIsBetter,
    base: { mean: 100 }, candidate: { n: 3, mean: 110, stddev: 1 }, diff: 10, change: 0.1, verdict: 'regressed',
  });
  const c: BenchmarkSource = { scenarios: [{ id: 's', metrics: [metric('a', true), metric('b', false), metric('c', false, false)] }] };
  const { biggerIsBetter, smallerIsBetter } = toGithubActionBenchmark(c);
  assert.equal(biggerIsBetter.map((e) => e.name), ['s a']);
  assert.equal(smallerIsBetter.map((e) => e.name), ['s b']);
  assert.is(smallerIsBetter[0].range, `± ${Number((tQuantile95(2) / Math.sqrt(3)).toPrecision(3))}`);
  assert.is(smallerIsBetter[0].extra, 'n=3; base mean 100; change +10.0% (regressed)');
});

test('a table footnote counts repeats per scenario when precision rounds made them differ', () => {
  assert.is(repeatsWords([5, 5, 5]), '5 repeats');
  assert.is(repeatsWords([1]), '1 repeat');
  assert.is(repeatsWords([18, 5, 5, 9]), '5–18 repeats per scenario (precision rounds)');
  assert.is(repeatsWords([0, 5, 5]), '5 repeats', 'a scenario with no value for the metric is not counted');
});

test.run();
