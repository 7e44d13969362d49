/**
 * size.test (unit) — what resolves scenario knobs (and so loads the addon's limits when it is
 * built, which the presentation tests before it must not see): the suite's lossCurve field, and
 * `ringbench size`'s input parsing and buffer arithmetic, without running a trial.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadSuite, planSuite, SuiteError } from '../../src/suite/suite.js';
import { parseRate, sizeRequestOf } from '../../src/cli/size.js';
import { UsageError } from '../../src/cli/errors.js';
import { ConfigError, limits } from '../../src/harness/knobs.js';
import { validBufferBytes } from '../../src/harness/size.js';
import { bufferRecordBytes, cappedConfig, MIN_CALLS } from '../../src/harness/capped.js';

test('suite: lossCurve is validated and the standard suite runs curves instead of searches in its ceilings group', () => {
  const std = loadSuite('standard');
  const ceilings = std.scenarios.filter((s) => s.group === 'ceilings');
  assert.is(ceilings.length, 4);
  for (const s of ceilings) {
    assert.ok(s.lossCurve && s.lossCurve.rates >= 8 && s.lossCurve.runs >= 5 && s.lossCurve.from <= 0.05, s.id);
    assert.not.ok(s.sustainable, s.id);
  }
  const group = (lossCurve: unknown, set: Record<string, unknown> = { load: 'saturation' }) => ({ name: 't', repeats: 1, warmup: 0, groups: [{ group: 'ceilings', set, sweep: { reader: ['libbpf'] }, lossCurve }] });
  const bad = (lc: unknown, field: RegExp, set?: Record<string, unknown>) => {
    try {
      planSuite(group(lc, set), 'x.json');
      assert.unreachable(`accepted ${JSON.stringify(lc)}`);
    } catch (e) {
      assert.instance(e, SuiteError);
      assert.match((e as Error).message, field);
    }
  };
  const ok = { from: 0.05, rates: 8, runs: 5, seconds: 0.3, maxDropUpper: 0.2, maxSeconds: 10 };
  assert.is(planSuite(group(ok), 'x.json').scenarios[0].lossCurve!.rates, 8);
  bad({ ...ok, from: 1.5 }, /^x\.json: groups\[0\]\.lossCurve\.from must be/);
  bad({ ...ok, rates: 1 }, /lossCurve\.rates must be an integer in 2\.\.64/);
  bad({ ...ok, seconds: 0 }, /lossCurve\.seconds must be a run length/);
  bad({ ...ok, rats: 8 }, /lossCurve\.rats is not a suite field; did you mean "rates"/);
  bad(ok, /lossCurve needs load 'saturation'/, {});
});

test('size: rates parse with decimal suffixes; bad input names the flag', () => {
  assert.is(parseRate('1M'), 1_000_000);
  assert.is(parseRate('250k'), 250_000);
  assert.is(parseRate('1.5M'), 1_500_000);
  assert.is(parseRate('1500000'), 1_500_000);
  for (const b of ['', 'fast', '-1', '1e6', '1 M', '0x10']) assert.ok(Number.isNaN(parseRate(b)), b);
  const req = sizeRequestOf({ transport: 'ringbuf', rate: '1M' });
  assert.is(req.base.rateCap, 1_000_000);
  assert.is(req.base.load, 'saturation');
  assert.is(req.confirmRuns, 5);
  const refused = (opts: Record<string, unknown>, what: RegExp, type: unknown = UsageError) => {
    try {
      sizeRequestOf(opts);
      assert.unreachable(JSON.stringify(opts));
    } catch (e) {
      assert.instance(e, type as never);
      assert.match((e as Error).message, what);
      assert.not.match((e as Error).message, /\n/);
    }
  };
  refused({ rate: 'fast' }, /^--rate must be events per second/);
  refused({ rate: '0' }, /^--rate must be/);
  refused({}, /--rate N .* or --children N/);
  refused({ rate: '1M', children: '100' }, /--rate sets a saturation load and --children a storm: give one/);
  refused({ rate: '1M', runs: '0' }, /^--runs must be an integer in 1\.\.100; got '0'/);
  refused({ rate: '1M', seconds: '1e3' }, /^--seconds must be/);
  refused({ children: '100', eventsPerCall: '4' }, /^--events-per-call applies to --rate/);
  refused({ rate: '1M', transport: 'pipe' }, /^--transport must be one of ringbuf, perfbuf; got 'pipe'/, ConfigError);
  refused({ rate: '1M', transport: 'ringbuf', perfbufWakeupEvents: '8' }, /^--perfbuf-wakeup-events applies to perfbuf only/, ConfigError);
});

test('size: valid buffers are power-of-two pages with room for a record; capped runs make at least MIN_CALLS calls', () => {
  const page = limits().pageSize;
  assert.is(validBufferBytes('ringbuf', 1, 64), page);
  assert.is(validBufferBytes('ringbuf', 600_000, 64), 1 << 20);
  assert.is(validBufferBytes('perfbuf', page + 1, 64), 2 * page);
  assert.is(bufferRecordBytes({ transport: 'ringbuf', record: 'full', eventBytes: 64 }), 72);
  assert.is(bufferRecordBytes({ transport: 'perfbuf', record: 'full', eventBytes: 64 }), 80);
  const base = sizeRequestOf({ rate: '1M' }).base;
  assert.is(cappedConfig({ ...base, eventsPerCall: 500 }, 1000, 0.3).events, MIN_CALLS * 500);
  assert.is(cappedConfig(base, 1e6, 0.3).events, 300_000);
});

test.run();
