/**
 * compare-real — two real runs of the same build on this machine, compared as a user would in CI.
 * Nothing changed between them, so every "regressed" verdict is a false alarm. Measured here: 1 of
 * 10 such pairs flagged anything (2 of ~730 judged comparisons, from one run where perfbuf at two
 * workers got ~40% more consumer CPU per event). The test bounds the false-alarm rate of a pair
 * rather than demanding zero, which would fail about one CI run in ten.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareResults, loadResults } from '../src/compare.js';
import { ROOT } from '../src/native.js';

const CLI = join(ROOT, 'dist', 'src', 'cli.js');

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

test('two real runs of the same build: no false regressions beyond a small share of judged metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ringbench-noise-'));
  writeFileSync(join(dir, 'suite.json'), JSON.stringify(suite));
  for (const run of ['a', 'b']) {
    const r = spawnSync(process.execPath, [CLI, 'run', '--suite', join(dir, 'suite.json'), '--out', join(dir, run), '--no-report'], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    assert.is(r.status, 0, r.stderr);
  }
  const c = compareResults(loadResults(join(dir, 'a')), loadResults(join(dir, 'b')), { thresholdPct: 5 });
  assert.is(c.onlyInBase.length + c.onlyInCandidate.length, 0);
  const judged = c.scenarios.flatMap((s) => s.metrics.filter((m) => m.judged).map((m) => ({ id: s.id, m })));
  const regressed = judged.filter(({ m }) => m.verdict === 'regressed');
  assert.ok(judged.length >= 60, `${judged.length} judged comparisons`);
  assert.ok(regressed.length <= 0.05 * judged.length,
    `${regressed.length} of ${judged.length} judged metrics regressed between identical runs: ` +
      regressed.map(({ id, m }) => `${id} ${m.metric} ${m.change === null ? 'from 0' : `${(m.change * 100).toFixed(0)}%`}`).join('; '));
  // what the runs agree on exactly must not differ at all
  for (const s of c.scenarios) {
    const buffer = s.metrics.find((m) => m.metric === 'memory.bufferBytes')!;
    assert.is(buffer.verdict, 'no change', s.id);
  }
});

test.run();
