/**
 * sharing.test (unit) — the skew and contention groups in the report: their values
 * (analysis/sharing), the rule behind every sentence (skewWords, contentionWords) whichever way a
 * run goes, their charts, and the section that holds them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contentionPoints, directionOf, isSkewed, skewFindings } from '../../src/analysis/sharing.js';
import { aggregate } from '../../src/results/aggregate.js';
import { buildCharts } from '../../src/charts/index.js';
import { contentionWords, sharingBlocks, skewWords } from '../../src/report/sections/sharing.js';
import { Figures } from '../../src/report/figures.js';
import type { ResultSet, ScenarioRecord } from '../../src/results/schema.js';

/** A record whose repeats drop `drops[i]` of 1000 records and deliver `rate` events/s. */
function rec(group: string, label: string, transport: 'ringbuf' | 'perfbuf', config: Record<string, unknown>, drops: number[], rate = 1e6, oversubscribed?: boolean): ScenarioRecord {
  const repeats: Record<string, number[]> = {
    'counts.droppedKernel': drops,
    'counts.seenByBpf': drops.map(() => 1000),
    'rates.deliveredPerSec': drops.map((_, i) => rate * (1 + 0.01 * i)),
  };
  return {
    id: `${group}/${label}/${transport}`, group, label, x: { name: 'workers', value: Number(config.workers ?? 0) }, transport,
    config: { ringbufSharing: 'shared', stormCpus: '', workers: 2, ...config } as never,
    repeats, aggregates: Object.fromEntries(Object.entries(repeats).map(([k, v]) => [k, aggregate(v)])), warnings: [],
    ...(oversubscribed === undefined ? {} : { placement: { consumerCpu: -1, producerCpus: [], cpuCount: 2, oversubscribed } }),
  };
}

function set(scenarios: ScenarioRecord[]): ResultSet {
  return { file: 'r.json', label: 'host', tag: 'A', results: { schema: 'ringbench/results@1', suite: 's', command: '', startedAt: '', complete: true, environment: { cpuCount: 2 } as never, scenarios } };
}

const skew = (ringOne: number[], ringAll: number[], perfOne: number[], perfAll: number[]) => set([
  rec('skew', 'one-cpu', 'ringbuf', { stormCpus: '0' }, ringOne),
  rec('skew', 'all-cpus', 'ringbuf', { stormCpus: '0-1' }, ringAll),
  rec('skew', 'one-cpu', 'perfbuf', { stormCpus: '0' }, perfOne),
  rec('skew', 'all-cpus', 'perfbuf', { stormCpus: '0-1' }, perfAll),
]);

test('skewed means pinned to fewer CPUs than the host has; intervals decide a direction', () => {
  const r = rec('skew', 'x', 'ringbuf', { stormCpus: '0' }, [0]);
  assert.ok(isSkewed(r, 2));
  assert.not.ok(isSkewed({ ...r, config: { ...r.config, stormCpus: '0-1' } }, 2));
  assert.not.ok(isSkewed({ ...r, config: { ...r.config, stormCpus: '' } }, 2), 'unpinned is spread');
  assert.is(directionOf(aggregate([10, 11, 12]), aggregate([1, 2, 3])), 'higher');
  assert.is(directionOf(aggregate([1, 2, 3]), aggregate([10, 11, 12])), 'lower');
  assert.is(directionOf(aggregate([1, 5, 9]), aggregate([2, 4, 6])), 'overlap');
});

test('skew: perfbuf hurt, the shared ring not → said, with why', () => {
  const f = skewFindings(skew([300, 320, 310], [290, 330, 300], [700, 720, 710], [400, 420, 410]));
  assert.equal(f.map((x) => [x.transport, x.skew]), [['ringbuf', 'overlap'], ['perfbuf', 'higher']]);
  const words = skewWords(f).join(' ');
  assert.match(words, /the shared ring buffer dropped 31% of its records with the storm on one CPU and 31% with it spread/);
  assert.match(words, /raised the drops of perfbuf \(by 30 points\), but not of the shared ring buffer \(the intervals overlap\)/);
  assert.match(words, /a perf buffer is one per CPU/);
});

test('skew: every way the run can go has its sentence', () => {
  assert.match(skewWords(skewFindings(skew([600, 610, 620], [300, 310, 320], [700, 710, 720], [400, 410, 420]))).join(' '), /raised the drops of every transport: the shared ring buffer by 30 points, perfbuf by 30 points/);
  assert.match(skewWords(skewFindings(skew([0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]))).join(' '), /No transport dropped a record either way/);
  assert.match(skewWords(skewFindings(skew([1, 5, 9], [2, 4, 6], [1, 5, 9], [2, 4, 6]))).join(' '), /made no clear difference to any transport/);
  const lower = skewWords(skewFindings(skew([100, 101, 102], [300, 301, 302], [1, 5, 9], [2, 4, 6]))).join(' ');
  assert.match(lower, /did not raise any transport's drops; it lowered those of the shared ring buffer/);
  const ringOnly = skewWords(skewFindings(skew([600, 610, 620], [300, 310, 320], [1, 5, 9], [2, 4, 6]))).join(' ');
  assert.match(ringOnly, /raised the drops of the shared ring buffer \(by 30 points\), but not of perfbuf/);
  assert.not.match(ringOnly, /a perf buffer is one per CPU/, 'the why is said only when it is what happened');
  assert.equal(skewWords([]), []);
});

const contention = (oversubscribedAt2: boolean, perCpuRate: number) => set([
  rec('contention', 'shared workers=1', 'ringbuf', { workers: 1 }, [0, 0, 0], 5e6, false),
  rec('contention', 'shared workers=2', 'ringbuf', { workers: 2 }, [0, 0, 0], 4e6, oversubscribedAt2),
  rec('contention', 'per-cpu workers=1', 'ringbuf', { workers: 1, ringbufSharing: 'per-cpu' }, [0, 0, 0], 5e6, false),
  rec('contention', 'per-cpu workers=2', 'ringbuf', { workers: 2, ringbufSharing: 'per-cpu' }, [0, 0, 0], perCpuRate, oversubscribedAt2),
  rec('contention', 'per-cpu workers=1', 'perfbuf', { workers: 1 }, [0, 0, 0], 3e6, false),
  rec('contention', 'per-cpu workers=2', 'perfbuf', { workers: 2 }, [0, 0, 0], 3e6, oversubscribedAt2),
]);

test('contention: rates per layout, where the consumer shares a CPU, per-CPU rings against the shared ring', () => {
  const points = contentionPoints(contention(true, 8e6));
  assert.equal(points.map((p) => `${p.layout}@${p.producers}`), ['shared ring@1', 'shared ring@2', 'per-CPU rings@1', 'per-CPU rings@2', 'perfbuf@1', 'perfbuf@2']);
  const words = contentionWords(points, 2).join(' ');
  assert.match(words, /^The shared ring delivered 5(\.\d+)?M\/s with 1 producer and 4(\.\d+)?M\/s with 2; the per-CPU rings delivered/);
  assert.match(words, /With 2 producers the consumer shares a CPU with them \(more threads than the host's 2 CPUs\): that point measures/);
  assert.match(words, /At 2 producers, per-CPU rings delivered more than the one shared ring\./);
  const apart = contentionWords(contentionPoints(contention(false, 2e6)), 64).join(' ');
  assert.match(apart, /At every point each producer and the consumer had a CPU of its own/);
  assert.match(apart, /per-CPU rings delivered less than the one shared ring/);
  const same = contentionWords(contentionPoints(contention(false, 4e6)), 64).join(' ');
  assert.match(same, /no clearly different rate from the one shared ring \(the 95% intervals overlap\)/);
});

test('charts and section: drawn from the groups, nothing without them', () => {
  const both = set([...skew([300, 320, 310], [290, 330, 300], [700, 720, 710], [400, 420, 410]).results.scenarios, ...contention(true, 8e6).results.scenarios]);
  const { charts } = buildCharts([both]);
  const ids = charts.map((c) => c.id);
  assert.ok(ids.includes('skew-memory') && ids.includes('contention'), ids.join(', '));
  const figures = new Figures(new Map());
  const blocks = sharingBlocks([both], figures);
  assert.ok(blocks.some((b) => 'h' in b && b.text === 'Where the load lands'));
  assert.is(blocks.filter((b) => 'table' in b).length, 2);
  assert.equal(sharingBlocks([set([rec('producers', 'workers=1', 'ringbuf', {}, [0])])], figures), []);
});

test.run();
