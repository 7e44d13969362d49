/**
 * report-claims.test (unit) — the eight claim errors of issue 21 that a run report made, each on a
 * fixture that would have caught it: the sentences (report/sections/takeaways, methodology,
 * ceilings) must follow from the values the tables show. No root, no BPF.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findingsOf, latencyFinding, memoryFinding, orderingFinding } from '../../src/analysis/findings.js';
import { aggregate } from '../../src/analysis/stats.js';
import { warningsOf } from '../../src/analysis/warnings.js';
import { fmtAggregate, fmtSi } from '../../src/format/units.js';
import { upgradeResults } from '../../src/results/load.js';
import type { Block } from '../../src/report/document.js';
import { Figures } from '../../src/report/figures.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { bodyBlocks } from '../../src/report/sections/body.js';
import { ceilingsBlocks } from '../../src/report/sections/ceilings.js';
import { methodologyBlocks } from '../../src/report/sections/methodology.js';
import { qualityBlocks } from '../../src/report/sections/quality.js';
import { bottomLine, ceilingBullet, clearWins, cpuChartTitle, cpuTakeaway, latencyBullet, memoryBullet, orderingBullet, stormLine, usePerfbufLine } from '../../src/report/sections/takeaways.js';
import type { ResultsFile, ScenarioRecord } from '../../src/results/schema.js';
import { makeResults, resultSet } from '../report-fixtures.js';

const md = (blocks: Block[]) => renderMarkdown({ title: 't', blocks });
const text = (t: unknown) => JSON.stringify(t);
const noFigures = () => new Figures(new Map());

/** Set a record's per-repeat values (and its aggregate) for a metric. */
function setRepeats(r: ScenarioRecord, metric: string, xs: number[]) {
  r.repeats[metric] = xs;
  r.aggregates[metric] = aggregate(xs);
}
/** Drops per repeat as shares of 10,000 events seen. */
function setDrops(r: ScenarioRecord, shares: number[]) {
  setRepeats(r, 'counts.seenByBpf', shares.map(() => 10000));
  setRepeats(r, 'counts.droppedKernel', shares.map((s) => Math.round(s * 10000)));
}
const rec = (res: ResultsFile, group: string, t: string, x?: number) =>
  res.scenarios.find((r) => r.group === group && r.transport === t && (x === undefined || r.x.value === x))!;

test('1. memory: the whole curve, overlapping sizes not called, zero from the size every repeat is clean', () => {
  const res = makeResults();
  const sizes = [...new Set(res.scenarios.filter((r) => r.group === 'memory').map((r) => r.x.value))].sort((a, b) => a - b);
  for (const [i, x] of sizes.entries()) {
    // ringbuf drops more at the small sizes (overlapping), perfbuf drops in 2 of 5 repeats at the third
    setDrops(rec(res, 'memory', 'ringbuf', x), i === 0 ? [0.3, 0.2, 0.25, 0.18, 0.27] : i === 1 ? [0.2, 0.1, 0.12, 0.25, 0.13] : [0, 0, 0, 0, 0]);
    setDrops(rec(res, 'memory', 'perfbuf', x), i === 0 ? [0.1, 0.25, 0.05, 0.2, 0.1] : i === 1 ? [0.05, 0.2, 0.1, 0.15, 0.02] : i === 2 ? [0, 0.03, 0, 0.015, 0] : [0, 0, 0, 0, 0]);
  }
  const m = memoryFinding(resultSet(res))!;
  assert.is(m.zeroFrom.ringbuf.bytes, sizes[2]);
  assert.is(m.zeroFrom.perfbuf.bytes, sizes[3], 'drops in 2 of 5 repeats is not "stopped"');
  const words = text(memoryBullet(m));
  assert.not.match(words, /needs less buffer/);
  assert.match(words, /No size where either clearly drops less/);
  assert.match(words, /lower mean: [^;]*perfbuf/);
});

test('2. methodology: the repeat count is the range the scenarios had, not the largest', () => {
  const res = makeResults();
  res.scenarios.slice(0, 3).forEach((r) => setRepeats(r, 'rates.deliveredPerSec', Array.from({ length: 24 }, (_, i) => 1e5 + i)));
  const words = md(methodologyBlocks([resultSet(res)]));
  assert.not.match(words, /repeated 24 times/);
  assert.match(words, /repeated \d+–24 times/);
});

test('3. ceilings intro: no table shows a generated rate above the one the intro names', () => {
  const res = makeResults();
  const words = md(ceilingsBlocks([resultSet(res)], noFigures()));
  const max = Math.max(...res.scenarios.filter((r) => r.config.load === 'saturation').map((r) => r.aggregates['rates.generatedPerSec']?.mean ?? 0));
  assert.match(words, new RegExp(`generated up to ${fmtSi(max).replace('.', '\\.')} events/s`));
  const drained = Math.max(...res.scenarios.filter((r) => r.group === 'reader-ceiling').map((r) => r.aggregates['rates.deliveredPerSec'].mean));
  if (drained > max) assert.match(words, new RegExp(`drain mode\\) reached ${fmtSi(drained).replace('.', '\\.')}`));
});

test('4. ceiling ratio: at libbpf defaults and at equal batching, 2 significant digits, drops at full rate', () => {
  const res = makeResults({ groups: ['ceilings', 'wakeup-ceiling'] });
  const f = findingsOf(resultSet(res));
  assert.ok(f.ceilings.some((c) => c.condition === 'defaults') && f.ceilings.some((c) => c.condition === 'equal'), 'both conditions');
  const words = text(ceilingBullet(f.ceilings));
  assert.match(words, /libbpf's defaults/);
  assert.match(words, /equal wake-up batching/);
  assert.not.match(words, /\d\.\d\d+×/, 'no more than 2 significant digits');
  // the perfbuf every-64 strategy dropped 2% in the fixture: said beside the equal-batching ratio's table
  const table = md(bodyBlocks([resultSet(res)], f, noFigures()));
  assert.match(table, /drops unthrottled/);
  assert.match(table, /2\.\d% ± /);
});

test('5. latency: p99.9 is reported when it disagrees with p99', () => {
  const res = makeResults();
  const r = rec(res, 'latency', 'ringbuf');
  const p = rec(res, 'latency', 'perfbuf');
  setRepeats(r, 'latencyNs.p99', [100e3, 110e3, 105e3, 95e3, 100e3]);
  setRepeats(p, 'latencyNs.p99', [300e3, 310e3, 290e3, 305e3, 300e3]);
  setRepeats(r, 'latencyNs.p999', [1.5e6, 1.6e6, 1.55e6, 1.5e6, 1.6e6]);
  setRepeats(p, 'latencyNs.p999', [280e3, 270e3, 290e3, 280e3, 275e3]);
  const l = latencyFinding(resultSet(res))!;
  assert.ok(l.tailDisagrees);
  const words = text(latencyBullet(l));
  assert.match(words, /p99\.9 ringbuf 1\.55 ± /);
  assert.match(words, /the other way from p99/);
});

test('6. ordering: the verdict names the statistic the table shows, with its value', () => {
  const res = makeResults();
  const o = orderingFinding(resultSet(res))!;
  const words = text(orderingBullet(o));
  assert.match(words, /max displacement \(mean of each repeat's worst\)/);
  assert.ok(words.includes(fmtAggregate('ordering.maxDisplacement', o.displacement!.perf)), 'the table value');
  assert.not.match(words, /worst displacement \d/);
  const table = md(bodyBlocks([resultSet(res)], findingsOf(resultSet(res)), noFigures()));
  assert.match(table, /\| max displacement \|/);
});

test('7. drops: the storm line counts storm pairs only, and says so', () => {
  const res = makeResults();
  const set = resultSet(res);
  const f = findingsOf(set);
  const line = stormLine(f)!;
  assert.match(line, new RegExp(`${f.drops.storms.pairs} paired storm scenarios`));
  assert.ok(f.drops.ceilings.pairs > 0 && f.drops.storms.pairs !== f.drops.storms.pairs + f.drops.ceilings.pairs);
});

test('8. a sustainable rate wider than ±10% carries a † in the ceilings table', () => {
  const res = makeResults();
  const r = rec(res, 'ceilings', 'ringbuf', 0);
  r.sustainable!.perRepeat = [1e6, 1.5e6, 0.6e6, 1.2e6, 0.8e6];
  r.sustainable!.aggregate = aggregate(r.sustainable!.perRepeat);
  const words = md(ceilingsBlocks([resultSet(upgradeResults(res))], noFigures()));
  assert.ok(words.includes(`${fmtAggregate('rates.deliveredPerSec', r.sustainable!.aggregate)} (5 searches) †`), 'marked');
  assert.match(words, /† noisy: interval wider/);
});

test('the bottom line and "use perfbuf when" come only from clear differences, and flip with the data', () => {
  const ring = findingsOf(resultSet(makeResults()));
  assert.match(bottomLine(ring), /favour ringbuf: .*× the delivered rate with a wake-up every 64 events on both/);
  assert.match(bottomLine(ring), /; and \d+ more\. None favours perfbuf\.$/);
  // a single search has no interval: the defaults' sustainable rate is never a clear win
  assert.not.ok(clearWins(ring).ringbuf.some((w) => /sustainable rate/.test(w)));
  const perf = findingsOf(resultSet(makeResults({ perfbufDropsMore: false })));
  assert.ok(clearWins(perf).perfbuf.some((w) => /fewer drops at 16 KiB/.test(w)));
  assert.match(usePerfbufLine(perf) ?? '', /^Use perfbuf when the buffer is 16 KiB .* and the consumer is slow/);
  assert.match(bottomLine(perf), /Others favour perfbuf: fewer drops at 16 KiB/);
  // identical transports: nothing is clear, nothing is recommended
  const same = makeResults();
  for (const r of same.scenarios.filter((x) => x.transport === 'perfbuf')) {
    const twin = same.scenarios.find((o) => o.transport === 'ringbuf' && o.group === r.group && o.x.value === r.x.value && o.config.reader === r.config.reader);
    if (!twin) continue;
    r.repeats = twin.repeats;
    r.aggregates = twin.aggregates;
    if (twin.sustainable) r.sustainable = twin.sustainable;
  }
  const none = findingsOf(resultSet(same));
  assert.is(usePerfbufLine(none), undefined);
  assert.not.match(bottomLine(none), /favour perfbuf:/);
});

test('old results upgrade on load: one search becomes a list of one, stored noise notes go, accounting stays', () => {
  const res = makeResults();
  const r = rec(res, 'ceilings', 'ringbuf', 0);
  delete r.sustainable!.perRepeat;
  delete r.sustainable!.aggregate;
  r.warnings = ['rates.deliveredPerSec: 95% CI is ±35% of the mean', 'cpu.bpfNsPerEvent: 1 of 5 repeats are outliers (beyond 1.5 IQR)', 'repeat 3: delivered + dropped != seen'];
  upgradeResults(res);
  assert.equal(r.sustainable!.perRepeat, [r.sustainable!.ratePerSec]);
  assert.is(r.sustainable!.aggregate!.n, 1);
  assert.equal(r.warnings, ['repeat 3: delivered + dropped != seen']);
  const again = JSON.stringify(res);
  upgradeResults(res);
  assert.is(JSON.stringify(res), again, 'idempotent');
  // each warning once, typed
  const ws = warningsOf([resultSet(res)]);
  assert.is(ws.filter((w) => w.kind === 'accounting' && w.scenario === r.id).length, 1);
  const keys = ws.map((w) => `${w.kind} ${w.scenario} ${w.metric}`);
  assert.is(new Set(keys).size, keys.length, 'no warning twice');
});

test('every section takeaway is one sentence of at most 30 words; every table footnote at most 40', async () => {
  for (const res of [makeResults(), makeResults({ perfbufDropsMore: false }), makeResults({ ceilingFavours: 'perfbuf' }), makeResults({ repeats: 1 })]) {
    const set = resultSet(res);
    const blocks = bodyBlocks([set], findingsOf(set), noFigures());
    const takeaways = blocks.filter((b): b is { p: { strong: string }; cls: string } => 'p' in b && b.cls === 'takeaway').map((b) => b.p.strong);
    assert.ok(takeaways.length >= 5, `${takeaways.length} takeaways`);
    for (const t of takeaways) assert.ok(t.split(/\s+/).length <= 30, `${t.split(/\s+/).length} words: ${t}`);
  }
  const words = md([...ceilingsBlocks([resultSet(makeResults())], noFigures()), ...bodyBlocks([resultSet(makeResults())], findingsOf(resultSet(makeResults())), noFigures())]);
  const lines = words.split('\n');
  lines.forEach((l, i) => {
    if (i > 1 && lines[i - 1] === '' && lines[i - 2].startsWith('|') && l && !l.startsWith('|') && !l.startsWith('#')) assert.ok(l.split(/\s+/).length <= 40, `footnote of ${l.split(/\s+/).length} words: ${l}`);
  });
});

test('CPU: a clear BPF program difference is said beside a consumer that does not differ', () => {
  const res = makeResults();
  setRepeats(rec(res, 'cpu', 'ringbuf'), 'cpu.consumerNsPerEvent', [3400, 3500, 3600, 3450, 3550]);
  setRepeats(rec(res, 'cpu', 'perfbuf'), 'cpu.consumerNsPerEvent', [3500, 3600, 3700, 3550, 3650]);
  setRepeats(rec(res, 'cpu', 'ringbuf'), 'cpu.bpfNsPerEvent', [7200, 7400, 7300, 7350, 7250]);
  setRepeats(rec(res, 'cpu', 'perfbuf'), 'cpu.bpfNsPerEvent', [10500, 10600, 10700, 10550, 10650]);
  const f = findingsOf(resultSet(res)).cpu;
  assert.ok(f?.consumer?.overlap && f.bpf?.favours === 'ringbuf', JSON.stringify(f));
  const t = cpuTakeaway(f)!;
  assert.match(t, /^Per event, the BPF program costs less with ringbuf \(ringbuf 7\.3\d* ± [\d.]+ µs, perfbuf 10\.6\d* ± [\d.]+ µs\); the consumer thread about the same \(intervals overlap\)\.$/);
  assert.ok(t.split(/\s+/).length <= 30, t);
  assert.is(cpuChartTitle(f), 'BPF program cheaper with ringbuf; consumer CPU per event about the same');
  assert.ok(clearWins(findingsOf(resultSet(res))).ringbuf.includes('less BPF program CPU per event'));
  // neither differs: the consumer's verdict alone, as before
  setRepeats(rec(res, 'cpu', 'perfbuf'), 'cpu.bpfNsPerEvent', [7200, 7400, 7300, 7350, 7250]);
  const none = findingsOf(resultSet(res)).cpu;
  assert.is(cpuChartTitle(none), 'Consumer CPU per event: no clear difference');
  assert.not.match(cpuTakeaway(none)!, /BPF/);
});

test('9. single runs: Data quality never calls an interval that does not exist narrow', () => {
  const single = resultSet(makeResults({ repeats: 1 }));
  const md = renderMarkdown({ title: 'T', blocks: qualityBlocks([single], warningsOf([single])) });
  assert.not.match(md, /within ±/);
  assert.match(md, /no interval \(1 repeat\)/);
  const five = resultSet(makeResults());
  assert.not.match(renderMarkdown({ title: 'T', blocks: qualityBlocks([five], warningsOf([five])) }), /no interval/);
});

test.run();
