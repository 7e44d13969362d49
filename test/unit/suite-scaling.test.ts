/**
 * suite-scaling.test (unit) — suites that scale with the machine: sweep values relative to the CPU
 * count ("ncpu", "ncpu/2") resolved when planned and recorded, duplicates dropped; and a sweep run
 * for each variant (the contention group's layout).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadSuite, planSuite, resolveRelative, SuiteError } from '../../src/suite/suite.js';

const suite = (groups: unknown[]) => ({ name: 't', repeats: 1, warmup: 0, groups });

test('"ncpu" and "ncpu/K" resolve against the CPU count, at least 1; other values pass through', () => {
  assert.is(resolveRelative('ncpu', 64), 64);
  assert.is(resolveRelative('ncpu/2', 64), 32);
  assert.is(resolveRelative('ncpu/4', 2), 1);
  assert.is(resolveRelative('ncpu/3', 8), 2);
  assert.is(resolveRelative(4, 2), 4);
  assert.is(resolveRelative('256K', 2), '256K');
  assert.is(resolveRelative('ncpu/0', 2), 'ncpu/0', 'not relative: the knob check refuses it');
});

test('a relative sweep plans per machine: 1..nCPU is 1, 2 on 2 CPUs and four points on 64; the expression is recorded', () => {
  const s = suite([{ group: 'producers', transports: ['ringbuf'], sweep: { workers: [1, 'ncpu/4', 'ncpu/2', 'ncpu'] } }]);
  const two = planSuite(s, 's.json', 2).scenarios;
  assert.equal(two.map((p) => p.label), ['workers=1', 'workers=2']);
  assert.equal(two.map((p) => p.config.workers), [1, 2]);
  assert.equal(two[1].x, { name: 'workers', value: 2, relative: 'ncpu' });
  assert.is(two[0].x.relative, undefined, 'a literal value is not relative');
  const big = planSuite(s, 's.json', 64).scenarios;
  assert.equal(big.map((p) => p.config.workers), [1, 16, 32, 64]);
  assert.equal(big.map((p) => p.x.relative), [undefined, 'ncpu/4', 'ncpu/2', 'ncpu']);
  assert.throws(() => planSuite(suite([{ group: 'g', sweep: { workers: ['ncpu/0'] } }]), 's.json', 2), (e: Error) => e instanceof SuiteError && /groups\[0\]\.sweep\.workers\[0\] must be an integer/.test(e.message));
});

test('sweep and variants together: the sweep runs for each variant, on its transports', () => {
  const s = suite([{
    group: 'contention', set: { load: 'saturation', events: 1000 },
    sweep: { workers: [1, 'ncpu'] },
    variants: [
      { label: 'shared', transports: ['ringbuf', 'perfbuf'], set: {} },
      { label: 'per-cpu', transports: ['ringbuf'], set: { ringbufSharing: 'per-cpu' } },
    ],
  }]);
  const plan = planSuite(s, 's.json', 2).scenarios;
  assert.equal(plan.map((p) => p.id), [
    'contention/shared workers=1/ringbuf', 'contention/shared workers=1/perfbuf',
    'contention/shared workers=2/ringbuf', 'contention/shared workers=2/perfbuf',
    'contention/per-cpu workers=1/ringbuf', 'contention/per-cpu workers=2/ringbuf',
  ]);
  assert.equal(plan.map((p) => p.x.value), [1, 1, 2, 2, 1, 2]);
  assert.ok(plan.filter((p) => p.label.startsWith('per-cpu')).every((p) => p.config.ringbufSharing === 'per-cpu'));
  const clash = suite([{ group: 'g', sweep: { workers: [1] }, variants: [{ label: 'v', set: { workers: 2 } }] }]);
  assert.throws(() => planSuite(clash, 's.json', 2), /groups\[0\]\.variants\[0\]\.set\.workers is the group's swept knob/);
  assert.throws(() => planSuite(suite([{ group: 'g' }]), 's.json', 2), /groups\[0\] needs 'sweep', 'variants' or both/);
});

test('the built-in suites carry the skew and contention groups', () => {
  for (const name of ['standard', 'full'] as const) {
    const plan = loadSuite(name);
    const skew = plan.scenarios.filter((p) => p.group === 'skew');
    assert.ok(skew.some((p) => p.config.stormCpus === '0') && skew.some((p) => p.config.stormCpus !== '0'), `${name}: skewed and spread`);
    assert.ok(skew.every((p) => p.config.consumerDelayNs > 0), `${name}: a slow consumer`);
    const mem = new Set(skew.map((p) => p.config.ringbufBytes));
    assert.is(mem.size, 1, `${name}: equal total memory`);
  }
  const full = loadSuite('full').scenarios.filter((p) => p.group === 'contention');
  assert.ok(full.some((p) => p.transport === 'perfbuf'));
  assert.ok(full.some((p) => p.config.ringbufSharing === 'per-cpu') && full.some((p) => p.transport === 'ringbuf' && p.config.ringbufSharing === 'shared'));
  assert.ok(full.every((p) => p.config.load === 'saturation'));
});

test.run();
