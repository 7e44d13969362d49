/**
 * compare.test (unit) — the regression comparison: injected changes are found in the right direction and
 * nothing else is, the threshold holds, bad input fails with the file named, and every output format
 * says what it should. Synthetic results only (compare reads files; it never touches the kernel).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareResults, comparisonExitCode, judgedNothing, type Comparison } from '../../src/analysis/compare.js';
import { comparisonSections, formatComparison } from '../../src/report/compare-format.js';
import { toGithubActionBenchmark } from '../../src/format/github.js';
import { loadResults } from '../../src/results/load.js';
import { compareCommand } from '../../src/cli/compare.js';
import { type ResultsFile } from '../../src/results/schema.js';
import { HIGHER_IS_BETTER } from '../../src/results/metrics.js';
import { makeResults, SCENARIO_IDS } from '../compare-fixtures.js';

const PERF2 = 'producers/workers=2/perfbuf';
const RING2 = 'producers/workers=2/ringbuf';
const tmp = mkdtempSync(path.join(tmpdir(), 'ringbench-compare-'));

function writeJson(name: string, data: unknown): string {
  const file = path.join(tmp, name);
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

function flagged(c: Comparison, verdict: string): string[] {
  return c.scenarios.flatMap((s) => s.metrics.filter((m) => m.verdict === verdict).map((m) => `${s.id} ${m.metric}`));
}

function metricOf(c: Comparison, id: string, metric: string) {
  const m = c.scenarios.find((s) => s.id === id)?.metrics.find((x) => x.metric === metric);
  assert.ok(m, `${id} ${metric} compared`);
  return m!;
}

/** Run compareCommand with stdout/stderr captured. */
async function runCommand(base: string, candidate: string, opts: Parameters<typeof compareCommand>[2]) {
  let stdout = '';
  let stderr = '';
  const capture = (append: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      append(String(chunk));
      (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
      return true;
    }) as typeof process.stdout.write;
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  try {
    const code = await compareCommand(base, candidate, opts);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

const base = makeResults({ seed: 1 });
const regressedCandidate = makeResults({
  seed: 2,
  factors: { [PERF2]: { 'rates.deliveredPerSec': 0.8 }, [RING2]: { 'latencyNs.p99': 1.3 } },
});

test('injected regressions are the only ones flagged, in the right direction, exit 1', () => {
  const c = compareResults(base, regressedCandidate, { thresholdPct: 5 });
  assert.equal(flagged(c, 'regressed').sort(), [`${PERF2} rates.deliveredPerSec`, `${RING2} latencyNs.p99`].sort());
  assert.equal(flagged(c, 'improved'), []);
  const rate = metricOf(c, PERF2, 'rates.deliveredPerSec');
  assert.ok(Math.abs(rate.change! + 0.2) < 0.02, `rate change ${rate.change}`);
  assert.ok(rate.changeCi95![1] < 0, 'rate interval below 0');
  const p99 = metricOf(c, RING2, 'latencyNs.p99');
  assert.ok(Math.abs(p99.change! - 0.3) < 0.02, `p99 change ${p99.change}`);
  assert.ok(p99.changeCi95![0] > 0, 'p99 interval above 0');
  assert.is(c.summary.regressed, 2);
  assert.is(comparisonExitCode(c), 1);
  // counts.generated is never compared; all-zero metrics (ringbuf drops) are skipped.
  assert.not.ok(c.scenarios.some((s) => s.metrics.some((m) => m.metric === 'counts.generated')));
  assert.not.ok(c.scenarios.some((s) => s.metrics.some((m) => m.metric === 'counts.droppedKernel')));
});

test('identical runs: nothing regressed, exit 0', () => {
  const c = compareResults(base, structuredClone(base), { thresholdPct: 5 });
  assert.is(c.summary.regressed, 0);
  assert.is(c.summary.improved, 0);
  assert.ok(c.scenarios.every((s) => s.metrics.every((m) => m.verdict === 'no change')));
  assert.is(comparisonExitCode(c), 0);
  assert.equal(c.environmentDiffs, []);
});

test('an injected improvement is flagged improved and exits 0', () => {
  const better = makeResults({ seed: 3, factors: { [PERF2]: { 'rates.deliveredPerSec': 1.25, 'cpu.consumerNsPerEvent': 0.7 } } });
  const c = compareResults(base, better, { thresholdPct: 5 });
  assert.equal(flagged(c, 'improved').sort(), [`${PERF2} cpu.consumerNsPerEvent`, `${PERF2} rates.deliveredPerSec`]);
  assert.equal(flagged(c, 'regressed'), []);
  assert.is(comparisonExitCode(c), 0);
});

test('threshold respected: −3% is within noise at 5% and 2.5%; at 1% its interval lies beyond, yet one marginal change among many metrics is not a discovery; −15% is', () => {
  const slower = makeResults({ seed: 4, factors: { [PERF2]: { 'rates.deliveredPerSec': 0.97 } } });
  const at5 = compareResults(base, slower, { thresholdPct: 5 });
  const m5 = metricOf(at5, PERF2, 'rates.deliveredPerSec');
  assert.ok(m5.changeCi95![1] < 0, 'the −3% is significant');
  assert.is(m5.verdict, 'within noise');
  assert.is(comparisonExitCode(at5), 0);
  // criterion's rule: the whole interval must lie beyond the threshold, not only the estimate
  const at25 = metricOf(compareResults(base, slower, { thresholdPct: 2.5 }), PERF2, 'rates.deliveredPerSec');
  assert.ok(at25.change! < -0.025 && at25.changeCi95![1] > -0.025, 'estimate beyond 2.5%, interval not wholly');
  assert.is(at25.verdict, 'within noise');
  const at1 = metricOf(compareResults(base, slower, { thresholdPct: 1 }), PERF2, 'rates.deliveredPerSec');
  assert.ok(at1.changeCi95![1] < -0.01, 'the whole interval lies beyond 1%');
  assert.ok(at1.p < 0.025, 'criterion alone would flag it');
  // Benjamini–Hochberg over every judged metric: a lone discovery needs p ≤ 2.5% / (judged metrics)
  const judged = compareResults(base, slower, { thresholdPct: 1 }).scenarios.flatMap((s) => s.metrics).filter((m) => m.judged).length;
  assert.is(at1.verdict, at1.p <= 0.025 / judged ? 'regressed' : 'within noise');
  const muchSlower = compareResults(base, makeResults({ seed: 4, factors: { [PERF2]: { 'rates.deliveredPerSec': 0.85 } } }), { thresholdPct: 5 });
  assert.is(metricOf(muchSlower, PERF2, 'rates.deliveredPerSec').verdict, 'regressed');
  assert.is(comparisonExitCode(muchSlower), 1);
});

test('a change hidden in noise is "within noise", not a regression', () => {
  const noisyBase = makeResults({ seed: 5, noise: 0.5 });
  const noisyCandidate = makeResults({ seed: 6, noise: 0.5, factors: { [PERF2]: { 'rates.deliveredPerSec': 0.9 } } });
  const m = metricOf(compareResults(noisyBase, noisyCandidate, { thresholdPct: 5 }), PERF2, 'rates.deliveredPerSec');
  assert.ok(m.changeCi95![0] < 0 && m.changeCi95![1] > 0, 'interval spans 0');
  assert.ok(m.verdict === 'within noise' || m.verdict === 'no change');
});

test('drops from 0 are a regression "from 0"', () => {
  const dropping = makeResults({ seed: 7, values: { [RING2]: { 'counts.droppedKernel': 500 } } });
  const c = compareResults(base, dropping, { thresholdPct: 5 });
  const drops = metricOf(c, RING2, 'counts.droppedKernel');
  assert.is(drops.verdict, 'regressed');
  assert.is(drops.change, null);
  assert.is(drops.note, 'from 0');
  assert.ok(drops.diffCi95![0] > 0);
  assert.match(formatComparison(c, 'text'), /from 0 \(\+/);
});

test('fewer than 3 repeats: shown, never judged, and a warning says so', () => {
  const one = makeResults({ seed: 1, repeats: 1 });
  const c = compareResults(one, makeResults({ seed: 2, repeats: 1, factors: { [PERF2]: { 'rates.deliveredPerSec': 0.8 } } }), {
    thresholdPct: 5,
  });
  const rate = metricOf(c, PERF2, 'rates.deliveredPerSec');
  assert.is(rate.diffCi95, null);
  assert.is(rate.verdict, 'within noise');
  assert.match(rate.note!, /no interval/);
  assert.match(rate.note!, /not judged: fewer than 3 repeats/);
  // nothing could be decided: the gate fails closed with its own exit code
  assert.is(rate.decided, false);
  assert.is(comparisonExitCode(c), 3);
  assert.match(judgedNothing(c)!, /^judged nothing: all \d+ judged metrics lack the data for an interval/);
  const two = (seed: number, factor: number) => makeResults({ seed, repeats: 2, factors: { [PERF2]: { 'rates.deliveredPerSec': factor } } });
  assert.is(metricOf(compareResults(two(1, 1), two(2, 0.5), { thresholdPct: 5 }), PERF2, 'rates.deliveredPerSec').verdict, 'within noise');
  assert.is(metricOf(compareResults(makeResults({ seed: 1, repeats: 3 }), makeResults({ seed: 2, repeats: 3, factors: { [PERF2]: { 'rates.deliveredPerSec': 0.5 } } }), { thresholdPct: 5 }), PERF2, 'rates.deliveredPerSec').verdict, 'regressed');
  assert.ok(c.warnings.some((w) => w.includes(PERF2) && /one repeat/.test(w)));
  // One repeat against five: the single side borrows the other side's spread, so an interval exists.
  const mixed = compareResults(one, base, { thresholdPct: 5 });
  assert.ok(metricOf(mixed, PERF2, 'rates.deliveredPerSec').diffCi95);
});

test('informational metrics never decide the exit code', () => {
  const c = compareResults(base, makeResults({ seed: 8, factors: { [PERF2]: { wallNs: 2, 'latencyNs.max': 3 } } }), {
    thresholdPct: 5,
  });
  assert.is(metricOf(c, PERF2, 'wallNs').verdict, 'regressed');
  assert.is(metricOf(c, PERF2, 'wallNs').judged, false);
  assert.is(c.summary.regressed, 0);
  assert.is(comparisonExitCode(c), 0);
});

test('scenario on one side only: listed as a warning, not fatal', () => {
  const fewer = makeResults({ seed: 2, ids: SCENARIO_IDS.slice(0, 3) });
  const c = compareResults(base, fewer, { thresholdPct: 5 });
  assert.equal(c.onlyInBase, [SCENARIO_IDS[3]]);
  assert.equal(c.onlyInCandidate, []);
  assert.ok(c.warnings.some((w) => w.includes(SCENARIO_IDS[3])));
  assert.is(c.scenarios.length, 3);
  assert.match(formatComparison(c, 'md'), SCENARIO_IDS[3]);
});

test('environment and configuration differences are summarised', () => {
  const other = makeResults({ seed: 2, kernel: '6.8.0-test' });
  other.scenarios[0].config.ringbufBytes = 524288;
  const c = compareResults(base, other, { thresholdPct: 5 });
  assert.equal(c.environmentDiffs, [{ field: 'kernel', base: '6.1.0-test', candidate: '6.8.0-test' }]);
  assert.ok(c.warnings.some((w) => w.includes(SCENARIO_IDS[0]) && w.includes('ringbufBytes 262144 → 524288')));
  assert.match(formatComparison(c, 'text'), 'kernel 6.1.0-test → 6.8.0-test');
});

test('loadResults: run directory or file; bad files are named', () => {
  const dir = path.join(tmp, 'run-a');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify(base));
  assert.is(loadResults(dir).scenarios.length, 4);

  const notJson = writeJson('garbage.json', '{ nope');
  assert.throws(() => loadResults(notJson), (e: Error) => e.message.includes(notJson) && /not JSON/.test(e.message));
  const notResults = writeJson('other.json', { hello: 'world' });
  assert.throws(() => loadResults(notResults), (e: Error) => e.message.includes(notResults) && /not a ringbench results file/.test(e.message));
  const future = writeJson('future.json', { ...base, schema: 'ringbench/results@2' });
  assert.throws(() => loadResults(future), (e: Error) => e.message.includes(future) && e.message.includes('ringbench/results@2'));
  const emptyDir = path.join(tmp, 'empty-run');
  mkdirSync(emptyDir);
  assert.throws(() => loadResults(emptyDir), (e: Error) => e.message.includes(emptyDir) && /no results.json/.test(e.message));
  const missing = path.join(tmp, 'missing.json');
  assert.throws(() => loadResults(missing), (e: Error) => e.message.includes(missing));
});

test('no scenarios in common: the error names both files', () => {
  const a = writeJson('a.json', base);
  const renamed: ResultsFile = structuredClone(base);
  renamed.scenarios.forEach((s) => (s.id = `renamed/${s.id}`));
  const b = writeJson('b.json', renamed);
  assert.throws(
    () => compareResults(loadResults(a), loadResults(b), { thresholdPct: 5 }),
    (e: Error) => e.message.includes(a) && e.message.includes(b) && /no scenarios in common/.test(e.message),
  );
});

test('md: summary line first, regressions sorted first; json parses; html is self-contained', () => {
  const c = compareResults(base, regressedCandidate, { thresholdPct: 5 });
  const md = formatComparison(c, 'md');
  const first = md.split('\n')[0];
  assert.match(first, /2 regressions, 0 improvements, \d+ unchanged \(threshold 5%; within-run noise only\)/);
  const verdictRows = md.split('\n').filter((l) => /^\| (🔴 regressed|🟢 improved|⚪ within noise|no change) \|/.test(l));
  assert.ok(verdictRows[0].includes('regressed') && verdictRows[1].includes('regressed'));
  // Within regressions the larger change comes first: +30% p99 before −20% rate.
  assert.ok(verdictRows[0].includes('latencyNs.p99'));
  assert.ok(verdictRows.slice(2).every((l) => !l.includes('regressed')));

  const parsed = JSON.parse(formatComparison(c, 'json'));
  assert.equal(parsed.summary, c.summary);
  assert.is(parsed.schema, 'ringbench/comparison@1');

  const text = formatComparison(c, 'text');
  assert.not.match(text, /\x1b\[/);
  assert.match(formatComparison(c, 'text', { color: true }), /\x1b\[1;31mregressed/);

  const { html, markdown } = comparisonSections(c);
  assert.is(markdown, md);
  assert.match(html, /<section class="rb-compare">/);
  assert.not.match(html, /(src|href)=|@import|url\(/);
});

test('github-action-benchmark export: candidate means split by direction', () => {
  const c = compareResults(base, regressedCandidate, { thresholdPct: 5 });
  const { biggerIsBetter, smallerIsBetter } = toGithubActionBenchmark(c);
  const metricName = (name: string) => name.split(' ')[1];
  assert.ok(biggerIsBetter.length > 0 && smallerIsBetter.length > 0);
  assert.ok(biggerIsBetter.every((e) => HIGHER_IS_BETTER.has(metricName(e.name))));
  assert.ok(smallerIsBetter.every((e) => !HIGHER_IS_BETTER.has(metricName(e.name))));
  const rate = biggerIsBetter.find((e) => e.name === `${PERF2} rates.deliveredPerSec`)!;
  assert.is(rate.value, metricOf(c, PERF2, 'rates.deliveredPerSec').candidate.mean);
  assert.is(rate.unit, 'events/s');
  assert.match(rate.range!, /^± /);
  assert.ok(smallerIsBetter.some((e) => e.name === `${RING2} latencyNs.p99` && e.unit === 'ns'));
  const names = [...biggerIsBetter, ...smallerIsBetter].map((e) => e.name);
  assert.is(new Set(names).size, names.length);
});

test('compareCommand: exit codes 0/1/2, one clear line for bad flags and files', async () => {
  const a = writeJson('cmd-base.json', base);
  const b = writeJson('cmd-candidate.json', regressedCandidate);

  for (const threshold of ['0', '-1', 'abc', '1000', '']) {
    const r = await runCommand(a, b, { threshold });
    assert.is(r.code, 2, `--threshold "${threshold}"`);
    assert.match(r.stderr, /--threshold must be a percentage greater than 0 and less than 1000/);
    assert.is(r.stderr.trim().split('\n').length, 1);
  }
  const badFormat = await runCommand(a, b, { format: 'xml' });
  assert.is(badFormat.code, 2);
  assert.match(badFormat.stderr, /--format must be one of text, md, json/);

  const badFile = await runCommand(a, path.join(tmp, 'nope.json'), {});
  assert.is(badFile.code, 2);
  assert.match(badFile.stderr, 'nope.json');
  assert.is(badFile.stderr.trim().split('\n').length, 1);

  assert.is((await runCommand(a, writeJson('cmd-base-copy.json', makeResults({ seed: 11 })), { threshold: '5%' })).code, 0);
  // one run on both sides (by content, whatever the path): refused
  const same = await runCommand(a, writeJson('cmd-base-again.json', base), {});
  assert.is(same.code, 2);
  assert.match(same.stderr, /cmd-base-again\.json is the same run as .*cmd-base\.json \(identical results\.json/);

  const benchDir = path.join(tmp, 'bench');
  const regressed = await runCommand(a, b, { format: 'md', githubBenchmark: benchDir });
  assert.is(regressed.code, 1);
  assert.match(regressed.stdout, /^\*\*ringbench compare:\*\* 2 regressions/);
  assert.equal(readdirSync(benchDir).sort(), ['bigger-is-better.json', 'smaller-is-better.json']);
  for (const file of ['bigger-is-better.json', 'smaller-is-better.json']) {
    const full = path.join(benchDir, file);
    assert.ok(existsSync(full), file);
    assert.ok(Array.isArray(JSON.parse(readFileSync(full, 'utf8'))));
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
