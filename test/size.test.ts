/**
 * size — `ringbench size` on the real kernel, kept to a few seconds: the JSON carries the advice
 * and both checks' counts, the advised buffer is valid (a power of two pages; perfbuf per CPU and
 * in total) and follows the percentile rule from the stalls it reports, the ladder counts the runs
 * each size would have dropped; bad input exits 2 with one line naming the flag and leaves nothing
 * loaded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpus } from 'node:os';
import { runCli } from './cli.js';
import { loadedRingbenchObjects, settle } from './kernel.js';
import { limits } from '../src/harness/knobs.js';

const page = limits().pageSize;
const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** The advice for a short saturation load; checks the fields every transport has. */
async function advise(transport: string) {
  const r = await runCli(['size', '--transport', transport, '--rate', '200k', '--json', '--runs', '2', '--measure-runs', '4', '--seconds', '0.1']);
  assert.is(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.is(a.transport, transport);
  assert.is(a.rate, 200_000);
  assert.is(a.eventBytes, 64);
  assert.ok(a.stallNs > 0 && a.waitNs > 0, `stallNs ${a.stallNs}, waitNs ${a.waitNs}`);
  assert.is(a.stallNs, Math.max(...a.stallsNs));
  assert.is(a.stallsNs.length, 4);
  // each run's stall is the most unread bytes as time at the rate
  const asNs = (bytes: number) => (bytes / a.recordBytes / (a.rate * a.busiestShare)) * 1e9;
  const stall = asNs(a.peakBytes);
  assert.ok(Math.abs(a.stallNs - stall) <= 1e-6 * stall, `${a.stallNs} vs ${stall}`);
  // the advice holds the 85th percentile (nearest rank: the 4th of 4 here) run's unread bytes, rounded
  // up to a power of two pages; the ladder's counts are the runs that left more than each size holds
  const peaks = a.stallsNs.map((ns: number) => (ns / 1e9) * a.rate * a.busiestShare * a.recordBytes).sort((x: number, y: number) => x - y);
  assert.is(a.coverage, 0.85);
  assert.ok(Math.abs(a.coveredBytes - peaks[Math.ceil(0.85 * peaks.length) - 1]) < 1, `${a.coveredBytes} vs ${peaks}`);
  assert.ok(isPow2(a.recommendedBytes) && a.recommendedBytes % page === 0, `recommendedBytes ${a.recommendedBytes}`);
  assert.ok(a.recommendedBytes >= a.coveredBytes && (a.recommendedBytes < 2 * a.coveredBytes || a.recommendedBytes <= 2 * page), `${a.recommendedBytes} for ${a.coveredBytes}`);
  assert.ok(a.everyRunBytes >= a.recommendedBytes && a.everyRunBytes >= a.peakBytes);
  assert.ok(a.ladder.length >= 1 && a.ladder.at(-1).bytes === a.everyRunBytes && a.ladder.at(-1).runsOver === 0, JSON.stringify(a.ladder));
  for (const l of a.ladder) assert.is(l.runsOver, peaks.filter((p: number) => p > l.bytes + 0.5).length, JSON.stringify(l));
  assert.ok(a.measureBytes >= a.peakBytes, `the measuring buffer (${a.measureBytes}) held the longest stall (${a.peakBytes})`);
  for (const [check, bytes] of [[a.confirm, a.recommendedBytes], [a.quarter, Math.max(page, a.recommendedBytes / 4)]] as const) {
    assert.is(check.runs, 2);
    assert.ok(Number.isInteger(check.carried) && check.carried >= 0 && check.carried <= 2);
    assert.is(check.carried, check.dropped.filter((d: number) => d === 0).length);
    assert.is(check.bytes, bytes);
  }
  return a;
}

test('size --json: ringbuf advice, valid and checked at its size and a quarter', async () => {
  const a = await advise('ringbuf');
  assert.is(a.totalBytes, a.recommendedBytes);
  assert.is(a.busiestShare, 1);
  assert.is(a.flags, `--ringbuf-bytes ${a.recommendedBytes}`);
});

test('size --json: perfbuf advice per CPU and in total', async () => {
  const a = await advise('perfbuf');
  assert.is(a.cpus, cpus().length);
  assert.is(a.totalBytes, a.recommendedBytes * a.cpus);
  assert.is(a.flags, `--memory per-cpu --perfbuf-pages ${a.recommendedBytes / page}`);
});

test('size --json: a storm sizes for the rate it reached', async () => {
  const r = await runCli(['size', '--transport', 'ringbuf', '--children', '400', '--workers', '1', '--json', '--runs', '1', '--measure-runs', '1']);
  assert.is(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.is(a.load, 'storm');
  assert.ok(a.rate > 0 && a.stallNs > 0, `rate ${a.rate}, stall ${a.stallNs}`);
  assert.ok(isPow2(a.recommendedBytes) && a.recommendedBytes % page === 0);
  assert.is(a.confirm.runs, 1);
  assert.is(a.quarter.runs, 1);
});

test('size: bad input is one line naming the flag, exit 2, nothing loaded', async () => {
  for (const [args, flag] of [
    [['--rate', 'fast'], /--rate must be events per second/],
    [['--rate', '1M', '--children', '100'], /--rate sets a saturation load and --children a storm/],
    [[], /size needs a load: --rate N/],
    [['--rate', '1M', '--runs', '0'], /--runs must be an integer in 1\.\.100/],
    [['--rate', '1M', '--transport', 'pipe'], /--transport must be one of ringbuf, perfbuf/],
    [['--rate', '1M', '--event-bytes', '65'], /--event-bytes must be a multiple of 8/],
    [['--rate', '1M', '--bogus'], /unknown option '--bogus'/],
  ] as const) {
    const r = await runCli(['size', ...args]);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, flag);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.is(r.stdout, '');
  }
  assert.equal(await settle(loadedRingbenchObjects), []);
});

test.run();
