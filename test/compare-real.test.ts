/**
 * compare-real — two real runs of the same build on this machine, compared as a user would in CI.
 * Nothing changed between them, so every "regressed" verdict is a false alarm.
 *
 * How often noise crosses the default 5% threshold here (a 2-vCPU VM): whole runs shift — the bare
 * fork storm alone varies by ±9 points from run to run — and back-to-back repeats inside one run
 * cannot see that. Over 10 pairs on a quiet machine 1 pair flagged 2 of ~73 judged metrics
 * (per-event CPU); in CI-like runs one pair flagged 5 (CPU, p90) and another 4 (perfbuf storm rate
 * −17…−20%). So on this machine a gate needs a threshold near 25%; the test checks that at 25%
 * throughput, drops, memory and ordering never false-alarm and CPU/latency rarely do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareResults } from '../src/analysis/compare.js';
import { loadResults } from '../src/results/load.js';
import { ROOT } from '../src/harness/addon.js';

const CLI = join(ROOT, 'dist', 'src', 'cli.js');
/** the threshold this VM's run-to-run noise calls for (see above) */
const GATE_PCT = 25;

const suite = {
  name: 'noise',
  repeats: 3,
  warmup: 1,
  defaults: { children: 3000 },
  groups: [
    { group: 'producers', sweep: { workers: [1, 2] } },
    { group: 'memory', set: { consumerDelayNs: 50000 }, sweep: { ringbufBytes: ['64K', '1M'] } },
  ],
};

let dir = '';
test.after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(`two real runs of the same build gated at ${GATE_PCT}%: no false regressions in throughput, drops, memory or ordering`, () => {
  dir = mkdtempSync(join(tmpdir(), 'ringbench-noise-'));
  writeFileSync(join(dir, 'suite.json'), JSON.stringify(suite));
  for (const run of ['a', 'b']) {
    const r = spawnSync(process.execPath, [CLI, 'run', '--suite', join(dir, 'suite.json'), '--out', join(dir, run), '--no-report'], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    assert.is(r.status, 0, r.stderr);
  }
  const c = compareResults(loadResults(join(dir, 'a')), loadResults(join(dir, 'b')), { thresholdPct: GATE_PCT });
  assert.is(c.onlyInBase.length + c.onlyInCandidate.length, 0);
  const judged = c.scenarios.flatMap((s) => s.metrics.filter((m) => m.judged).map((m) => ({ id: s.id, m })));
  assert.ok(judged.length >= 60, `${judged.length} judged comparisons`);
  const drifting = ({ m }: (typeof judged)[number]) => /^(cpu\.|latencyNs\.)/.test(m.metric);
  const describe = (xs: typeof judged) =>
    xs.map(({ id, m }) => `${id} ${m.metric} ${m.change === null ? 'from 0' : `${(m.change * 100).toFixed(0)}%`}`).join('; ');
  const robust = judged.filter((x) => !drifting(x));
  const robustRegressed = robust.filter(({ m }) => m.verdict === 'regressed');
  assert.equal(robustRegressed.length, 0, `false regressions in throughput/drops/memory/ordering: ${describe(robustRegressed)}`);
  const noisy = judged.filter(drifting);
  const noisyRegressed = noisy.filter(({ m }) => m.verdict === 'regressed');
  assert.ok(noisyRegressed.length <= 0.25 * noisy.length,
    `${noisyRegressed.length} of ${noisy.length} CPU/latency metrics regressed between identical runs: ${describe(noisyRegressed)}`);
  // what the runs agree on exactly must not differ at all
  for (const s of c.scenarios) {
    const buffer = s.metrics.find((m) => m.metric === 'memory.bufferBytes')!;
    assert.is(buffer.verdict, 'no change', s.id);
  }
});

test.run();
