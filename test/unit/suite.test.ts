/**
 * suite.test (unit) — suite files and scenario knobs without the kernel: every built-in suite
 * plans, a bad knob or field is named in one line, and equal-memory pairing derives perfbuf pages.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_SUITES, loadSuite, planSuite, SuiteError } from '../../src/suite/suite.js';
import { ConfigError, DEFAULTS, equalMemoryPages, resolveConfig } from '../../src/harness/knobs.js';

const minimal = (over: Record<string, unknown> = {}) => ({
  name: 't',
  repeats: 3,
  warmup: 0,
  groups: [{ group: 'producers', sweep: { workers: [1, 2] } }],
  ...over,
});

test('every built-in suite plans, with unique ids and both transports', () => {
  for (const name of BUILTIN_SUITES) {
    const plan = loadSuite(name);
    assert.ok(plan.scenarios.length > 0, name);
    assert.is(new Set(plan.scenarios.map((s) => s.id)).size, plan.scenarios.length, `${name}: ids unique`);
    assert.ok(plan.scenarios.some((s) => s.transport === 'perfbuf') && plan.scenarios.some((s) => s.transport === 'ringbuf'), name);
  }
});

test('a sweep expands to one scenario per value and transport, knobs resolved', () => {
  const plan = planSuite(minimal(), 'x.json');
  assert.equal(plan.scenarios.map((s) => s.id), [
    'producers/workers=1/ringbuf',
    'producers/workers=1/perfbuf',
    'producers/workers=2/ringbuf',
    'producers/workers=2/perfbuf',
  ]);
  assert.is(plan.scenarios[2].config.workers, 2);
  assert.is(plan.scenarios[2].x.value, 2);
});

test('a bad knob value in a suite names the file and the field', () => {
  const bad = minimal({ groups: [{ group: 'producers', sweep: { workers: [1, 0] } }] });
  assert.throws(() => planSuite(bad, 'dir/bad.json'), (e: Error) => e instanceof SuiteError && /^bad\.json: groups\[0\]\.sweep\.workers\[1\] must be an integer in 1\.\.64; got '0'$/.test(e.message));
  assert.throws(() => planSuite(minimal({ repeats: 0 }), 'r.json'), (e: Error) => /^r\.json: repeats must be an integer in 1\.\.1000/.test(e.message));
});

test('a bad CLI knob names the flag and what is valid', () => {
  assert.throws(() => resolveConfig({ transport: 'ringbuff' }), (e: Error) => e instanceof ConfigError && e.message === "--transport must be one of ringbuf, perfbuf; got 'ringbuff'");
  assert.throws(() => resolveConfig({ ringbufBytes: '3K' }), (e: Error) => e instanceof ConfigError && /^--ringbuf-bytes must be a power-of-two multiple/.test(e.message));
  assert.throws(() => resolveConfig({ nonsense: 1 }), (e: Error) => e instanceof ConfigError && /^--nonsense is not a scenario knob; valid: --transport/.test(e.message));
});

test('equal memory: perfbuf pages per CPU hold the ring buffer bytes over all CPUs', () => {
  const c = resolveConfig({ ringbufBytes: '1M' }, { cpuCount: 4 });
  assert.is(c.memory, 'equal');
  assert.is(c.perfbufPages * 4 * 4096, 1 << 20);
  assert.is(equalMemoryPages(64 * 1024, 3), 4); // 5.33 pages per CPU rounds down to a power of two
  assert.is(resolveConfig({}).children, DEFAULTS.children);
});

test.run();
