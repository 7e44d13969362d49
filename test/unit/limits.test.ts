/**
 * limits.test (unit) — the Ceilings section's sentences at the limits, each from fixtures built to
 * support it and to not support it: what bounds each figure (trigger, BPF program, reader,
 * transport, unknown), placement (threads that outnumber CPUs flagged, or not), sink cost (shown
 * when cpu.sinkNsPerEvent is in the results, said to be absent otherwise), the kernel-bench
 * calibration beside the ceilings (and its bad-input errors), per-repeat sustainable rates with an
 * interval, and that the old claim "held back by the transport" is gone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { boundOf, placementOf } from '../../src/analysis/bounds.js';
import { ceilingFindings } from '../../src/analysis/findings.js';
import { aggregate } from '../../src/analysis/stats.js';
import { CalibrationError, parseCalibration } from '../../src/results/calibration.js';
import { ceilingsBlocks } from '../../src/report/sections/ceilings.js';
import type { Figures } from '../../src/report/figures.js';
import type { ResultSet, ResultsFile, ScenarioRecord } from '../../src/results/schema.js';
import type { ScenarioConfig, Transport } from '../../src/harness/types.js';
import { defaultConfig, makeResults, resultSet } from '../report-fixtures.js';

const noFigures = { place: () => [] } as unknown as Figures;

/** A saturation record whose metrics take exactly these per-repeat values. */
function rec(group: string, label: string, transport: Transport, config: Partial<ScenarioConfig>, metrics: Record<string, number[]>): ScenarioRecord {
  const repeats = { ...metrics };
  return {
    id: `${group}/${label}/${transport}`,
    group,
    label,
    x: { name: 'variant', value: 0 },
    transport,
    config: defaultConfig(transport, { load: 'saturation', events: 500000, eventsPerCall: 500, workers: 1, reader: 'libbpf', ...config }),
    repeats,
    aggregates: Object.fromEntries(Object.entries(repeats).map(([m, v]) => [m, aggregate(v)])),
    warnings: [],
  };
}

/** Five repeats around `mean` (±2%). */
const five = (mean: number) => [0.98, 0.99, 1, 1.01, 1.02].map((f) => f * mean);
const zeros = [0, 0, 0, 0, 0];

/** A run with the given records, 2 CPUs, and control trials whose bare trigger loop makes
 *  `bare` calls/s per thread (2 workers), unless `bare` is undefined. */
function run(scenarios: ScenarioRecord[], bare?: number, extra: Partial<ResultsFile> = {}): ResultSet {
  const base = makeResults({ groups: ['producers'] });
  const results: ResultsFile = {
    ...base,
    environment: { ...base.environment, cpuCount: 2 },
    scenarios,
    ...(bare ? { control: { config: { stormChildren: 1000, triggerCalls: 300000, workers: 2 }, samples: { 'control.stormPerSec': [10000, 10000], 'control.triggerPerSec': [2 * bare, 2 * bare] } } } : {}),
    ...extra,
  };
  return resultSet(results);
}

const text = (set: ResultSet) => JSON.stringify(ceilingsBlocks([set], noFigures));

// delivered 1.0M/s against a drain rate of 1.1M/s: the reader; against 5M/s: the transport
const drain = (rate: number) => rec('reader-ceiling', 'libbpf', 'ringbuf', { consumer: 'drain' }, { 'rates.deliveredPerSec': five(rate), 'rates.generatedPerSec': five(2e6), 'counts.droppedKernel': zeros });
const dropping = rec('ceilings', 'default', 'ringbuf', {}, { 'rates.generatedPerSec': five(2e6), 'rates.deliveredPerSec': five(1e6), 'counts.droppedKernel': five(40000), 'counts.seenByBpf': five(500000) });
// 2M events/s at 500 per call = 4000 calls/s: the trigger when the bare loop makes 4500/s per
// thread, the program when it makes 1M/s (then 1/4000 s - 1/1M s = 249 µs per call, 498 ns per record)
const clean = rec('ceilings', 'default', 'perfbuf', {}, { 'rates.generatedPerSec': five(2e6), 'rates.deliveredPerSec': five(2e6), 'counts.droppedKernel': zeros, 'counts.seenByBpf': five(500000) });

test('bound: a scenario that dropped nothing is the trigger’s near the bare loop, else the program’s', () => {
  const trig = boundOf(run([clean], 4500), clean);
  assert.is(trig.kind, 'trigger');
  assert.ok(Math.abs(trig.share! - 4000 / 4500) < 0.01);
  const prog = boundOf(run([clean], 1e6), clean);
  assert.is(prog.kind, 'program');
  assert.ok(Math.abs(prog.programNsPerRecord! - 498) < 1, String(prog.programNsPerRecord));
  assert.match(text(run([clean], 4500)), /"the trigger \(syscall\)","0%","89% of bare loop"/);
  assert.match(text(run([clean], 1e6)), /"the BPF program \(\+498 ns\/record\)"/);
  // a sliver of drops (0.4%: a burst lost to a hiccup) leaves the pace to the producer
  const sliver = rec('ceilings', 'default', 'ringbuf', {}, { ...clean.repeats, 'counts.droppedKernel': five(2000) });
  assert.is(boundOf(run([sliver, drain(5e6)], 4500), sliver).kind, 'trigger');
  assert.match(text(run([sliver, drain(5e6)], 4500)), /"the trigger \(syscall\)","0\.40%"/);
  // no control trials: the producer side, said to be undecided between trigger and program
  const none = text(run([clean]));
  assert.match(none, /the producer side \(no control trials\)/);
  assert.not.match(none, /: the trigger\. |: the producer’s BPF program\. /);
});

test('bound: a scenario that dropped is the reader’s near its drain rate, else the transport’s hand-off', () => {
  assert.is(boundOf(run([dropping, drain(1.1e6)], 1e6), dropping).kind, 'reader');
  assert.is(boundOf(run([dropping, drain(5e6)], 1e6), dropping).kind, 'transport');
  const reader = text(run([dropping, drain(1.1e6)], 1e6));
  assert.match(reader, /"the reader","8\.0%","91% of drain rate"/);
  assert.not.match(reader, /"the hand-off \(/);
  const transport = text(run([dropping, drain(5e6)], 1e6));
  assert.match(transport, /"the hand-off","8\.0%","20% of drain rate"/);
  // with the consumer's CPU time in the results, how much of the load it ran
  const timed = rec('ceilings', 'default', 'ringbuf', {}, { ...dropping.repeats, 'cpu.consumerNsPerEvent': five(350) });
  assert.match(text(run([timed, drain(5e6)], 1e6)), /"the hand-off; consumer ran 35% of the load"/);
  // a drain scenario of another reader does not count
  const other = drain(1.1e6);
  other.config.reader = 'custom';
  assert.match(text(run([dropping, other], 1e6)), /the consumer side \(no drain scenario\)/);
  // the old unconditional claim is gone whatever the data
  for (const t of [reader, transport, text(run([clean], 4500))]) assert.not.match(t, /held back by the transport/);
});

test('the batch per call and the per-syscall group are described from the records', () => {
  const one = rec('syscall-ceiling', '1-per-call', 'ringbuf', { eventsPerCall: 1 }, clean.repeats);
  const t = text(run([clean, one], 4500));
  assert.match(t, /Each call emits 500 records in ceilings; one record in syscall-ceiling \(500 is the kernel benchmark’s batch\)\./);
  assert.match(t, /Per-syscall cost: one record per call/);
  const batched = text(run([clean], 4500));
  assert.match(batched, /Each call emits 500 records in ceilings \(500/);
  assert.not.match(batched, /one record in|Per-syscall cost/);
});

test('placement: threads that outnumber the CPUs are flagged, and only then', () => {
  const two = rec('ceilings', 'default', 'ringbuf', { workers: 2 }, { 'rates.generatedPerSec': five(2e6), 'rates.deliveredPerSec': five(2e6), 'counts.droppedKernel': zeros });
  const set = run([two, drain(1e6)], 4500);
  assert.equal(placementOf(set, two), { producers: 2, consumerConcurrent: true, threads: 3, cpus: 2, oversubscribed: true, consumerCpu: undefined, producerCpu: undefined });
  // a drain consumer reads after the load: one producer + drain fits 2 CPUs (and 1 CPU)
  assert.is(placementOf(set, set.results.scenarios[1])!.oversubscribed, false);
  const flagged = text(set);
  assert.match(flagged, /⚠ 1 scenario ran more threads at once than there are CPUs/);
  assert.match(flagged, /, in ceilings \(1\)\. Their threads took turns/);
  assert.match(flagged, /⚠ threads > CPUs/);
  const fine = text(run([clean], 4500));
  assert.not.match(fine, /⚠/);
  assert.match(fine, /No scenario ran more threads at once than there are CPUs/);
  // pinning as recorded: the consumer knob today, the producer knob when the results carry it
  const pinned = rec('ceilings', 'default', 'perfbuf', { consumerCpu: 0 }, clean.repeats);
  (pinned.config as unknown as Record<string, unknown>).producerCpu = 1;
  assert.match(text(run([pinned], 4500)), /1 producer \+ 1 consumer \(producer pinned to CPU 1, consumer pinned to CPU 0\)/);
  assert.match(fine, /1 producer \+ 1 consumer \(producer not pinned, consumer not pinned\)/);
});

test('sink cost: shown from cpu.sinkNsPerEvent, said to be unmeasured when the results lack it', () => {
  const withSink = rec('ceilings', 'default', 'ringbuf', {}, { ...clean.repeats, 'cpu.sinkNsPerEvent': five(12), 'cpu.consumerNsPerEvent': five(60) });
  const t = text(run([withSink], 4500));
  assert.match(t, /cost 12 ns per event in 1 saturation scenario, of the 60 ns of consumer CPU per event/);
  assert.not.match(t, /do not measure/);
  assert.match(text(run([clean], 4500)), /These results do not measure the consumer’s own per-event bookkeeping/);
});

/** What bench/kernel/calibrate.mjs --json writes (summary trimmed to two variants). */
const calibrationJson = () => ({
  schema: 'ringbench/kernel-calibration@1',
  kernel: '6.18.0',
  cpus: 2,
  options: { rounds: 3, duration: 3, variants: ['rb-libbpf', 'pb-libbpf'], wakeups: ['default'], pin: 'taskset' },
  kernelDefaults: { batch: 500, payloadBytes: 8, ringbufBytes: 524288, perfbufPagesPerCpu: 128 },
  summary: [
    { variant: 'rb-libbpf', wakeup: 'default', kernelMPerSec: { mean: 2.88, half: 0.95, n: 3 }, ringbenchMPerSec: { mean: 1.2, half: 1.13, n: 3 }, ratio: { mean: 0.42, half: 0.38, n: 3 }, ratios: [0.3, 0.4, 0.56], foreignCpus: 1.4, ringbenchDerived: false },
    { variant: 'pb-libbpf', wakeup: 'b2b', kernelMPerSec: { mean: 0.11, half: 0.08, n: 3 }, ringbenchMPerSec: { mean: 0.11, half: 0.02, n: 3 }, ratio: { mean: 1.15, half: 0.96, n: 3 }, ratios: [1, 1.1, 1.35], foreignCpus: 1.6, ringbenchDerived: true },
  ],
  trials: [{ round: 0 }],
});

test('calibration: parsed from bench:kernel --json and shown beside this run’s ceilings; absent, no section', () => {
  const cal = parseCalibration(calibrationJson(), '/tmp/kcal.json');
  assert.is(cal.rows.length, 2);
  assert.is(cal.rounds, 3);
  assert.is(cal.source, 'kcal.json');
  assert.not.ok('trials' in cal, 'only the summary is kept');
  const t = text(run([dropping, clean], 4500, { calibration: cal }));
  assert.match(t, /Beside the kernel’s ring buffer benchmark/);
  // rb-libbpf default ↔ this run's ceilings default/ringbuf (libbpf, adaptive): 1.00 M/s delivered
  assert.match(t, /"rb-libbpf","default","2\.88 ± 0\.95","1\.20 ± 1\.13","0\.42 ± 0\.38","1\.00 ± 0\.0\d \(default\)"/);
  // no b2b scenario in this run: a dash, and the derived figure marked
  assert.match(t, /"pb-libbpf","b2b\*","0\.11 ± 0\.08","0\.11 ± 0\.02","1\.15 ± 0\.96","—"/);
  assert.match(t, /Other work used 1\.40–1\.60 CPUs/);
  assert.not.match(text(run([dropping, clean], 4500)), /kernel’s ring buffer benchmark/);
});

test('calibration: a file that is not bench:kernel output is refused naming the file and field', () => {
  const cases: [unknown, RegExp][] = [
    [[], /kcal\.json: \(top level\) must be an object/],
    [{ ...calibrationJson(), schema: 'ringbench/ceilings@1' }, /kcal\.json: schema must be 'ringbench\/kernel-calibration@1'; got 'ringbench\/ceilings@1'/],
    [{ ...calibrationJson(), summary: [] }, /kcal\.json: summary must be a non-empty list/],
    [{ ...calibrationJson(), summary: [{ variant: 'rb-libbpf', wakeup: 'default', kernelMPerSec: 3 }] }, /kcal\.json: summary\[0\]\.kernelMPerSec must be \{mean, half, n\}/],
  ];
  for (const [data, message] of cases) {
    assert.throws(() => parseCalibration(data, 'kcal.json'), (e: unknown) => e instanceof CalibrationError && message.test((e as Error).message));
  }
});

test('sustainable rate per repeat: mean ± CI in the table, and the findings judge the intervals', () => {
  const withSearches = (t: Transport, rates: number[]) => {
    const r = rec('ceilings', 'default', t, {}, { ...dropping.repeats, 'latencyNs.p99': five(1000) });
    r.id = `ceilings/default/${t}`;
    r.sustainable = {
      ceilingPerSec: 2e6, ceilingDeliveredPerSec: 1e6, ratePerSec: rates[rates.length - 1],
      confirmation: { generatedPerSec: 0, droppedKernel: 0, delivered: 0 },
      steps: [{ rateCap: 0, generatedPerSec: 2e6, droppedKernel: 40000 }, { rateCap: 1e6, generatedPerSec: 1e6, droppedKernel: 0 }, { rateCap: 1.5e6, generatedPerSec: 1.5e6, droppedKernel: 10 }, { rateCap: 1.25e6, generatedPerSec: 1.25e6, droppedKernel: 0 }, { rateCap: 1.375e6, generatedPerSec: 1.375e6, droppedKernel: 5 }, { rateCap: 1.25e6, generatedPerSec: 1.25e6, droppedKernel: 0 }],
      perRepeat: rates,
      aggregate: aggregate(rates),
    };
    return r;
  };
  const set = run([withSearches('ringbuf', five(1.2e6)), withSearches('perfbuf', five(0.4e6))], 4500);
  const t = text(set);
  assert.match(t, /1\.20M ± 0\.024M \(5 searches\)/);
  assert.match(t, /It is searched after each repeat\./);
  // a precision round that found the sustainable rate already precise repeats without searching
  const moreRepeats = withSearches('ringbuf', five(1.2e6));
  moreRepeats.repeats = { ...moreRepeats.repeats, wallNs: Array(6).fill(1e9) }; // six repeats, five searches
  assert.match(text(run([moreRepeats, withSearches('perfbuf', five(0.4e6))], 4500)), /searched after each repeat \(precision rounds search only while its interval is the wide one: 1 of 2 scenarios searched less often\)/);
  assert.match(t, /\(4 steps, to 1\/16 of it\)/);
  const v = ceilingFindings(set)[0];
  assert.is(v.measure, 'sustainable');
  assert.is(v.ratio.favours, 'ringbuf');
  assert.ok(Math.abs(v.ratio.ratio - 3) < 1e-9, `ratio ${v.ratio.ratio}`);
  // overlapping intervals: no winner
  const close = run([withSearches('ringbuf', [1e6, 1.4e6, 0.8e6, 1.2e6, 1e6]), withSearches('perfbuf', [1.1e6, 0.9e6, 1.3e6, 1e6, 1e6])], 4500);
  const w = ceilingFindings(close)[0];
  assert.is(w.ratio.favours, null);
  assert.ok(w.ratio.overlap);
});

test.run();
