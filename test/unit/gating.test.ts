/**
 * gating.test (unit) — what keeps regression gating from crying wolf (issue 14), on synthetic
 * results: the catalogue's per-mode judging and floors, runs as units, a noise record, paired
 * trials, the control ("the machine changed"), Benjamini–Hochberg over many metrics, and the
 * method in every output and in the github-action-benchmark export.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareResults, comparisonExitCode, type Comparison } from '../../src/analysis/compare.js';
import { formatComparison } from '../../src/report/compare-format.js';
import { buildNoise } from '../../src/analysis/noise.js';
import { benjaminiHochberg, tUpperTail } from '../../src/analysis/stats.js';
import { toGithubActionBenchmark } from '../../src/format/github.js';
import { floorOf, isJudged, loadModeOf } from '../../src/results/metrics.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { splitRuns } from '../../src/cli/compare.js';
import { makeResults, seededRandom } from '../compare-fixtures.js';

const RING2 = 'producers/workers=2/ringbuf';

function metricOf(c: Comparison, id: string, metric: string) {
  const m = c.scenarios.find((s) => s.id === id)?.metrics.find((x) => x.metric === metric);
  assert.ok(m, `${id} ${metric} compared`);
  return m!;
}

/** A run whose every value is shifted by `shift` (a whole run that moved), with a control. */
function shiftedRun(seed: number, shift: number, control?: { storm: number; trigger: number }, opts: Parameters<typeof makeResults>[0] = { seed }): ResultsFile {
  const r = makeResults({ ...opts, seed });
  for (const s of r.scenarios) for (const k of Object.keys(s.repeats)) if (k !== 'memory.bufferBytes') s.repeats[k] = s.repeats[k].map((v) => v * shift);
  if (control) {
    const random = seededRandom(seed + 1000);
    const jitter = () => 1 + 0.01 * (2 * random() - 1);
    r.control = {
      config: { stormChildren: 1000, triggerCalls: 300000, workers: 2 },
      samples: {
        'control.stormPerSec': Array.from({ length: 8 }, () => control.storm * jitter()),
        'control.triggerPerSec': Array.from({ length: 8 }, () => control.trigger * jitter()),
      },
    };
  }
  return r;
}

test('catalogue: drain latency and wallNs are never judged; floors exist for ratios and counts', () => {
  assert.is(loadModeOf({ load: 'saturation', consumer: 'drain' }), 'drain');
  assert.is(loadModeOf({ load: 'saturation', consumer: 'epoll' }), 'saturation');
  assert.is(loadModeOf({ load: 'storm', consumer: 'busy' }), 'storm');
  assert.ok(isJudged('latencyNs.p50', 'storm'));
  assert.not.ok(isJudged('latencyNs.p50', 'drain'));
  assert.ok(isJudged('rates.deliveredPerSec', 'drain'), 'a drain consumer\'s rate is its reading speed: judged');
  for (const mode of ['storm', 'saturation', 'drain'] as const) assert.not.ok(isJudged('wallNs', mode));
  assert.is(floorOf('ordering.inversionRatio'), 0.01);
  assert.ok(floorOf('counts.droppedKernel') >= 5);
});

test('a tiny ratio moving 0.10% → 0.33% is below the 1-point floor: not a regression', () => {
  const base = makeResults({ seed: 1, values: { [RING2]: { 'ordering.inversionRatio': 0.001 } } });
  const cand = makeResults({ seed: 2, values: { [RING2]: { 'ordering.inversionRatio': 0.0033 } } });
  const m = metricOf(compareResults(base, cand, { thresholdPct: 5 }), RING2, 'ordering.inversionRatio');
  assert.ok(m.change! > 2, '+230% relative');
  assert.not.equal(m.verdict, 'regressed');
  // the same move across the floor (1% → 5%) is one
  const big = metricOf(compareResults(
    makeResults({ seed: 1, values: { [RING2]: { 'ordering.inversionRatio': 0.01 } } }),
    makeResults({ seed: 2, values: { [RING2]: { 'ordering.inversionRatio': 0.05 } } }), { thresholdPct: 5 }), RING2, 'ordering.inversionRatio');
  assert.is(big.verdict, 'regressed');
});

test('drain-mode latency is shown with a note, never judged', () => {
  const drain = (seed: number, latency: number) => {
    const r = makeResults({ seed, ids: [RING2], factors: { [RING2]: { 'latencyNs.p50': latency } } });
    r.scenarios[0].config = { ...r.scenarios[0].config, load: 'saturation', consumer: 'drain' };
    return r;
  };
  const c = compareResults(drain(1, 1), drain(2, 1.3), { thresholdPct: 5 });
  const m = metricOf(c, RING2, 'latencyNs.p50');
  assert.is(m.judged, false);
  assert.match(m.note!, /backlog's age/);
  assert.is(comparisonExitCode(c), 0);
});

test('a whole run that shifted: within-run noise calls it a regression, runs as units and a noise record do not', () => {
  const base = shiftedRun(1, 1);
  const shifted = shiftedRun(2, 0.85); // the whole candidate run 15% lower: every repeat alike
  const within = compareResults(base, shifted, { thresholdPct: 5 });
  assert.ok(within.summary.regressed > 0, 'repeats cannot see a whole-run shift');
  assert.is(within.basis.kind, 'within-run');
  assert.match(formatComparison(within, 'text'), /within-run noise only: the verdict does not cover run-to-run drift/);

  // Five A/A runs that themselves moved by ±15% from run to run: the machine's spread
  const aa = [1, 0.85, 1.12, 0.9, 1.05].map((s, i) => shiftedRun(10 + i, s));
  const noise = buildNoise(aa, aa.map((_, i) => `run${i}`));
  assert.is(noise.runs, 5);
  assert.ok(noise.scenarios[RING2]['rates.deliveredPerSec'].sd > 0);
  const judged = compareResults(base, shifted, { thresholdPct: 5, noise, noiseSource: 'noise.json' });
  assert.is(judged.basis.kind, 'noise');
  assert.is(judged.summary.regressed, 0);
  assert.match(formatComparison(judged, 'text'), /noise basis: between-run noise from noise\.json \(5 A\/A runs\)/);

  // runs as units: 3 runs a side, spread like the machine's
  const runs = compareResults([base, shiftedRun(3, 1.1), shiftedRun(4, 0.9)], [shifted, shiftedRun(5, 1.05), shiftedRun(6, 0.95)], { thresholdPct: 5 });
  assert.is(runs.basis.kind, 'runs');
  assert.is(runs.summary.regressed, 0);
  assert.is(metricOf(runs, RING2, 'rates.deliveredPerSec').base.n, 3, 'run means are the observations');
  // …and a real 40% loss in every candidate run still is one
  const slow = compareResults([base, shiftedRun(3, 1.02), shiftedRun(4, 0.98)], [shiftedRun(5, 0.6), shiftedRun(6, 0.62), shiftedRun(7, 0.58)], { thresholdPct: 5 });
  assert.ok(slow.summary.regressed > 0);
});

test('paired trials: a 10% slowdown hidden in drift shared by both sides is found from the differences', () => {
  const drift = [1, 0.8, 1.2, 0.9, 1.1, 0.85, 1.15, 0.95];
  const side = (seed: number, factor: number) => {
    const r = makeResults({ seed, ids: [RING2], repeats: drift.length, noise: 0.002 });
    const s = r.scenarios[0];
    s.repeats['cpu.consumerNsPerEvent'] = s.repeats['cpu.consumerNsPerEvent'].map((v, i) => v * drift[i] * factor);
    return r;
  };
  const a = side(1, 1);
  const b = side(2, 1.1);
  const unpaired = metricOf(compareResults(a, b, { thresholdPct: 5 }), RING2, 'cpu.consumerNsPerEvent');
  assert.not.equal(unpaired.verdict, 'regressed', 'the drift hides it from Welch');
  const paired = compareResults(a, b, { thresholdPct: 5, paired: true });
  assert.is(paired.basis.kind, 'paired');
  assert.is(metricOf(paired, RING2, 'cpu.consumerNsPerEvent').verdict, 'regressed');
  assert.match(formatComparison(paired, 'md'), /paired: A and B interleaved trial by trial/);
});

test('the machine changed: control and rates move together → said so; raw rates regress, normalised rates do not', () => {
  const base = shiftedRun(1, 1, { storm: 20000, trigger: 3e6 });
  const slowMachine = shiftedRun(2, 1, { storm: 14000, trigger: 2.1e6 });
  for (const s of slowMachine.scenarios) for (const k of ['rates.generatedPerSec', 'rates.deliveredPerSec']) s.repeats[k] = s.repeats[k].map((v) => v * 0.7);
  const c = compareResults(base, slowMachine, { thresholdPct: 5 });
  assert.ok(c.machineChanged);
  assert.ok(c.control.find((x) => x.metric === 'control.stormPerSec')!.moved);
  const raw = metricOf(c, RING2, 'rates.deliveredPerSec');
  assert.is(raw.verdict, 'regressed', 'a slower machine is a slower result: the gate fails');
  assert.match(raw.note!, /the machine changed: compare normalised\.deliveredPerSec/);
  assert.is(metricOf(c, RING2, 'normalised.deliveredPerSec').verdict, 'no change');
  assert.is(comparisonExitCode(c), 1);
  assert.match(formatComparison(c, 'text'), /the machine changed: its control \(no BPF attached\) moved beyond its noise/);
  // the transport itself slower on an unchanged machine: normalised and raw both regress
  const slowTransport = shiftedRun(3, 1, { storm: 20000, trigger: 3e6 });
  for (const s of slowTransport.scenarios) s.repeats['rates.deliveredPerSec'] = s.repeats['rates.deliveredPerSec'].map((v) => v * 0.7);
  const t = compareResults(base, slowTransport, { thresholdPct: 5 });
  assert.not.ok(t.machineChanged);
  assert.is(metricOf(t, RING2, 'rates.deliveredPerSec').verdict, 'regressed');
  assert.is(metricOf(t, RING2, 'normalised.deliveredPerSec').verdict, 'regressed');
});

test('a capped rate is not normalised: the machine drifting does not move a rate the cap set', () => {
  const base = shiftedRun(1, 1, { storm: 20000, trigger: 3e6 });
  const cand = shiftedRun(1, 1, { storm: 18800, trigger: 2.82e6 }); // the same values; the control −6%
  for (const run of [base, cand]) {
    const s = run.scenarios.find((x) => x.id === RING2)!;
    s.config = { ...s.config, rateCap: 5000 };
    for (const k of ['rates.generatedPerSec', 'rates.deliveredPerSec']) s.repeats[k] = s.repeats[k].map(() => 5000);
  }
  const c = compareResults(base, cand, { thresholdPct: 5 });
  const metrics = c.scenarios.find((s) => s.id === RING2)!.metrics.map((m) => m.metric);
  assert.ok(metrics.includes('rates.deliveredPerSec'));
  assert.not.ok(metrics.some((m) => m.startsWith('normalised.')), metrics.join(' '));
  assert.is(metricOf(c, RING2, 'rates.deliveredPerSec').verdict, 'no change');
  // an uncapped scenario of the same runs still has them
  assert.ok(c.scenarios.some((s) => s.id !== RING2 && s.metrics.some((m) => m.metric === 'normalised.deliveredPerSec')));
});

test('Benjamini–Hochberg keeps 300 null metrics from adding up; t tails are right', () => {
  assert.ok(Math.abs(tUpperTail(2.776, 4) - 0.025) < 1e-3);
  assert.ok(Math.abs(tUpperTail(1.96, Infinity) - 0.025) < 1e-3);
  const random = seededRandom(7);
  let anyFalse = 0;
  for (let trial = 0; trial < 200; trial++) {
    const p = Array.from({ length: 300 }, () => random());
    if (benjaminiHochberg(p, 0.025).some(Boolean)) anyFalse++;
  }
  assert.ok(anyFalse <= 12, `${anyFalse} of 200 all-null families had a discovery`);
  assert.equal(benjaminiHochberg([0.001, 0.2, 0.01, 0.9], 0.025), [true, false, true, false]);
});

test('the github-action-benchmark export carries the method and noise basis', () => {
  const c = compareResults(makeResults({ seed: 1 }), makeResults({ seed: 2 }), { thresholdPct: 5 });
  const { biggerIsBetter } = toGithubActionBenchmark(c);
  assert.match(biggerIsBetter[0].extra!, /method within-run: within-run noise only/);
});

test('compare operands: two runs, or sides split by --', () => {
  assert.equal(splitRuns(['a', 'b'], undefined), { base: ['a'], candidate: ['b'] });
  assert.equal(splitRuns(['a1', 'a2', 'a3', 'b1', 'b2'], 2), { base: ['a1', 'a2', 'a3'], candidate: ['b1', 'b2'] });
  assert.type(splitRuns(['a', 'b', 'c'], undefined), 'string');
  assert.type(splitRuns(['a', 'b'], 0), 'string');
});

test.run();
