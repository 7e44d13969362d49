/**
 * gate — regression gating as CI uses it, on the real kernel, through the CLI: a noise record of
 * this machine (`ringbench noise`, 3 A/A runs of a tiny suite), then `compare --noise` of a fresh
 * A/A pair (exit 0: identical work is not a regression) and `ringbench ab` of a clearly degraded
 * B (exit 1). The degradation is large on purpose, so the test is not a coin toss: a consumer that
 * spends 200 µs per event turns a storm of ~20k exits/s into a backlog, so delivery falls to
 * ~5k/s and the delivery latency grows from tens of microseconds to tens of milliseconds. The A/A
 * pair is judged with the catalogue's floors and the recorded noise, as the gate is.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../src/harness/addon.js';

const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'ringbench-gate-test-'));

const suite = {
  name: 'gate-tiny',
  repeats: 3,
  warmup: 0,
  transports: ['ringbuf'],
  defaults: { children: 1000, workers: 2, ringbufBytes: '256K' },
  groups: [{ group: 'producers', sweep: { workers: [2] } }],
};
writeFileSync(join(dir, 'suite.json'), JSON.stringify(suite));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(name: string, suiteFile: string): string {
  const out = join(dir, name);
  const r = cli(['run', '--suite', join(dir, suiteFile), '--out', out, '--no-report']);
  assert.is(r.code, 0, r.stderr);
  return out;
}

test('noise record, then an A/A pair passes (exit 0) and a degraded candidate fails (exit 1)', () => {
  const noise = join(dir, 'noise.json');
  const n = cli(['noise', '--suite', join(dir, 'suite.json'), '--runs', '3', '--out', noise]);
  assert.is(n.code, 0, n.stderr);

  const a = run('a', 'suite.json');
  const a2 = run('a2', 'suite.json');
  const aa = cli(['compare', '--noise', noise, '--format', 'json', a, a2]);
  const aaJson = JSON.parse(aa.stdout);
  const flagged = aaJson.scenarios.flatMap((s: { id: string; metrics: { metric: string; judged: boolean; verdict: string }[] }) =>
    s.metrics.filter((m) => m.judged && m.verdict === 'regressed').map((m) => `${s.id} ${m.metric}`));
  assert.is(aa.code, 0, `A/A flagged: ${flagged.join(', ')}`);
  assert.is(aaJson.basis.kind, 'noise');
  assert.ok(aaJson.control.length === 2, 'both runs carry the control');

  // A configuration change is judged by the paired mode (compare refuses runs whose knobs differ)
  const ab = cli(['ab', '--suite', join(dir, 'suite.json'), '--a', '', '--b', 'consumerDelayNs=200000']);
  assert.is(ab.code, 1, ab.stdout + ab.stderr);
  assert.match(ab.stdout, /regressed\s+producers\/workers=2\/ringbuf\s+(cpu\.consumerNsPerEvent|latencyNs\.p\d+|rates\.deliveredPerSec)/);
  assert.match(ab.stdout, /noise basis: paired trials/);
  assert.match(cli(['compare', '--noise', noise, a, a2]).stdout, /noise basis: between-run noise from .*noise\.json \(3 A\/A runs\)/);

  // without the record, the output says what the verdict does not cover
  const plain = cli(['compare', a, a2]);
  assert.match(plain.stdout, /within-run noise only: the verdict does not cover run-to-run drift/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
