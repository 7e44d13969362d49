/**
 * signals.test — the abuse tier's signal half, on the real kernel as root: SIGINT and SIGTERM end
 * every command with the exit code README's table gives (130, 143), keep finished work, and leave
 * no storm process behind; a second signal ends the command at once; --timeout-ms is a normal
 * outcome; `matrix` follows the same rules (cli/signals), checked while its first guest is starting.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchRunOf } from '../src/harness/sustainable.js';
import { assertGone, cli, readResults, stormRunning, suiteFile as writeSuite, trials } from './abuse-cli.js';
import { childrenOf } from './kernel.js';

const base = mkdtempSync('/tmp/ringbench-signals-');
const suiteFile = (name: string, suite: unknown) => writeSuite(base, name, suite);


test('SIGTERM to scenario prints the partial result and exits 143; nothing is left running', async () => {
  const storm = new Set<number>();
  const r = await cli(['scenario', '--children', '3000', '--rate-cap', '1000', '--workers', '1', '--json'], {
    signals: [{ signal: 'SIGTERM', when: stormRunning(storm) }],
  });
  assert.is(r.code, 143, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.ok(result.aborted && result.counts.generated < 3000);
  assert.match(result.accounting.notes.join(' '), /it was stopped after \d+ of 3000 children/);
  assert.is(result.counts.delivered + result.counts.droppedKernel, result.counts.seenByBpf);
  await assertGone(storm);
});

test('--timeout-ms is a normal outcome: exit 0 and a note in the result', async () => {
  const r = await cli(['scenario', '--children', '10000000', '--timeout-ms', '300', '--workers', '1', '--json']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.ok(result.aborted);
  assert.match(result.accounting.notes.join(' '), /the load did not finish: it hit --timeout-ms 300 after \d+ of 10000000 children/);
});

test('trace exits 130 on Ctrl-C and 143 on SIGTERM', async () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const r = await cli(['trace'], { signals: [{ signal, when: (o) => o.stderr.includes('Ctrl-C to stop') }] });
    assert.is(r.code, code, `${signal}: ${r.stderr}`);
    assert.match(r.stderr, /ringbench trace: \d+ events? shown/);
  }
});

test('a second Ctrl-C exits at once, without waiting for a slow consumer; the storm goes with it', async () => {
  // 10 ms per event: draining what half a second of storm made would take many seconds
  const storm = new Set<number>();
  const running = stormRunning(storm);
  let seenAt = 0;
  const r = await cli(['scenario', '--children', '4000', '--consumer-delay-ns', '10000000', '--ringbuf-bytes', '1M', '--workers', '1'], {
    signals: [
      { signal: 'SIGINT', when: (o) => running(o) && Date.now() - (seenAt ||= Date.now()) > 500 },
      { signal: 'SIGINT', when: (o) => o.sinceSignalMs > 200 },
    ],
  });
  // ended by the second SIGINT itself (a shell shows 130), not after the drain
  assert.is(r.signal, 'SIGINT', `${r.code} ${r.stderr}`);
  assert.match(r.stderr, /second SIGINT: exiting now/);
  assert.is(r.stdout, '', 'it did not wait for the drain to print a result');
  await assertGone(storm);
  process.stderr.write(`    (second Ctrl-C to exit: ${r.msAfterSignal} ms)\n`);
});

test('Ctrl-C during a slow drain: 130 within 2 s, the partial result with what was left as counts.notDrained', async () => {
  // 10 ms per event: 2000 events take 20 s to drain; the storm itself is over in a fraction of a second
  const storm = new Set<number>();
  const running = stormRunning(storm);
  const r = await cli(['scenario', '--children', '2000', '--consumer-delay-ns', '10000000', '--workers', '1', '--json'], {
    // once the storm has come and gone: the load is over, the consumer is draining
    signals: [{ signal: 'SIGINT', when: (o) => running(o) && childrenOf(o.pid).length === 0 }],
  });
  assert.is(r.code, 130, r.stderr);
  assert.ok(r.msAfterSignal! < 2000, `Ctrl-C to exit: ${r.msAfterSignal} ms`);
  const result = JSON.parse(r.stdout);
  const c = result.counts;
  assert.is(c.generated, 2000, 'the load had finished');
  assert.ok(c.notDrained > 0 && c.delivered > 0, JSON.stringify(c));
  assert.is(c.delivered + c.notDrained + c.droppedKernel, c.seenByBpf);
  assert.ok(result.accounting.kernelBalanced);
  assert.match(result.accounting.notes.join(' '), /stopped while draining.*the drain was cut short \(1 s after the stop\): \d+ records were left unread/);
  await assertGone(storm);
  process.stderr.write(`    (Ctrl-C during the drain to exit: ${r.msAfterSignal} ms; ${c.notDrained} not drained)\n`);
});

test('--timeout-ms bounds the drain too: a slow consumer ends 1 s past it, exit 0, the rest counted as notDrained', async () => {
  const r = await cli(['scenario', '--transport', 'perfbuf', '--children', '1000', '--consumer-delay-ns', '10000000', '--workers', '1', '--timeout-ms', '300', '--json']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  const c = result.counts;
  assert.ok(c.notDrained > 0, JSON.stringify(c));
  assert.is(c.delivered + c.notDrained + c.droppedKernel, c.seenByBpf);
  // the trial's own clock: load phase up to 300 ms, the drain at most 1 s past that (the
  // unbounded drain would take ~10 s at 10 ms per event)
  assert.ok(result.wallNs < 3e9, `wall ${result.wallNs / 1e6} ms`);
  assert.match(result.accounting.notes.join(' '), /the drain was cut short \(1 s after the --timeout-ms bound\)/);
});

test('SIGTERM to run keeps finished trials (exit 143); an interrupted sustainable-rate search keeps its finished steps and --resume replays them', async () => {
  const suite = suiteFile('search', {
    name: 'search',
    repeats: 1,
    warmup: 0,
    defaults: { load: 'saturation', events: 50000, ringbufBytes: '16K', consumerDelayNs: 1000, workers: 1 },
    groups: [{ group: 'ceilings', sustainable: true, sweep: { reader: ['libbpf'] } }],
    transports: ['ringbuf'],
  });
  const out = join(base, 'search');
  // stop shortly after the search starts: its first step (the repeat's own unthrottled trial) is
  // already finished, and its rate-capped steps take longer than 0.2 s each
  const first = await cli(['run', '--suite', suite, '--out', out, '--no-report'], {
    signals: [{ signal: 'SIGTERM', when: (o) => /searching the sustainable rate/.test(o.stderr) && (searchStart ??= Date.now()) < Date.now() - 200 }],
  });
  assert.is(first.code, 143, first.stderr);
  assert.match(first.stderr, /continue it with: ringbench run --resume/);
  const partial = readResults(out);
  assert.is(partial.complete, false);
  const rec = partial.scenarios[0];
  assert.is(trials(partial), 1, 'the measured repeat is kept');
  assert.is(rec.sustainable, undefined);
  const kept = rec.sustainableSearch ?? [];
  assert.ok(kept.length >= 1, `finished steps kept: ${kept.length}`);

  const second = await cli(['run', '--resume', out, '--no-report']);
  assert.is(second.code, 0, second.stderr);
  const full = readResults(out);
  assert.ok(full.complete);
  const s = full.scenarios[0];
  assert.ok(s.sustainable, 'the search finished');
  assert.is(s.sustainableSearch, undefined);
  // the kept steps were replayed, not measured again: their numbers are identical
  assert.equal(s.sustainable!.steps.slice(0, kept.length), kept.map(searchRunOf));
  assert.is(trials(full), 1);
});
let searchStart: number | undefined;

test('matrix: SIGTERM exits 143 and SIGINT 130 (cli/signals: a second one ends it at once); two path: kernels of one file name get a folder each', async () => {
  // two "kernels" both called vmlinuz; the host column boots nothing and runs first, so the
  // signal arrives while it runs, before any guest starts
  const kernels = ['k1', 'k2'].map((d) => {
    mkdirSync(join(base, d));
    writeFileSync(join(base, d, 'vmlinuz'), 'not a kernel\n');
    return `path:${join(base, d, 'vmlinuz')}`;
  });
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    const out = join(base, `matrix-${signal}`);
    const r = await cli(['matrix', '--kernels', ['host', ...kernels].join(','), '--accel', 'tcg', '--no-report', '--out', out], {
      signals: [{ signal, when: (o) => /round 1\/1: host/.test(o.stderr) }],
    });
    assert.is(r.code, code, `${signal}: ${r.stderr}`);
    assert.match(r.stderr, /stopping the current guest; finished kernels are kept \(again to exit at once\)/);
    const m = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')) as { complete: boolean; kernels: { dir: string; input: string; status: string }[] };
    assert.is(m.complete, false);
    assert.equal(m.kernels.map((k) => k.dir), ['kernels/host', 'kernels/path-vmlinuz', 'kernels/path-vmlinuz-2']);
    assert.equal(readdirSync(join(out, 'kernels')).sort(), ['host', 'path-vmlinuz', 'path-vmlinuz-2']);
    assert.is(m.kernels[0].status, 'interrupted');
    assert.not.ok(existsSync(join(out, '.ringbench.lock')), 'the lock is gone');
    assert.equal(childrenOf(r.pid), [], 'nothing left running');
  }
});

test.after(() => {
  rmSync(base, { recursive: true, force: true });
});

test.run();
