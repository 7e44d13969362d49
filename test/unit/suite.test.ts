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

test('unknown suite fields are refused at every level, with "did you mean" when one is close', () => {
  const group = { group: 'producers', sweep: { workers: [1] } };
  const cases: [unknown, RegExp][] = [
    [minimal({ defualts: { children: 5 } }), /^s\.json: defualts is not a suite field; did you mean "defaults"\? valid here: name, description/],
    [minimal({ colour: 'red' }), /^s\.json: colour is not a suite field; valid here: /],
    [minimal({ groups: [{ ...group, titel: 'x' }] }), /^s\.json: groups\[0\]\.titel is not a suite field; did you mean "title"\?/],
    [minimal({ groups: [{ group: 'g', variants: [{ label: 'a', sett: {} }] }] }), /^s\.json: groups\[0\]\.variants\[0\]\.sett is not a suite field; did you mean "set"\?/],
    [minimal({ defaults: { chidlren: 5 } }), /^s\.json: defaults\.chidlren is not a scenario knob; did you mean 'children'\?/],
    [minimal({ groups: [{ group: 'g', sweep: { worker: [1] } }] }), /^s\.json: groups\[0\]\.sweep\.worker\[0\] is not a scenario knob; did you mean 'workers'\?/],
  ];
  for (const [suite, message] of cases) {
    assert.throws(() => planSuite(suite, 'dir/s.json'), (e: Error) => e instanceof SuiteError && message.test(e.message), String(message));
  }
});

test('counts are decimal integers (sizes: with a K/M/G suffix), nothing else', () => {
  for (const bad of ['0x10', '1e3', '2.0', ' 4', '4 ', '+4', '1_000', '', '4K']) {
    assert.throws(() => resolveConfig({ children: bad }), (e: Error) => e instanceof ConfigError && e.flag === '--children', `children '${bad}'`);
  }
  for (const bad of ['4 K', '4K ', '0x1000', '1e6', '64.0K', '-4K']) {
    assert.throws(() => resolveConfig({ ringbufBytes: bad }), (e: Error) => e instanceof ConfigError && e.flag === '--ringbuf-bytes', `ringbufBytes '${bad}'`);
  }
  assert.is(resolveConfig({ children: '16' }).children, 16);
  assert.is(resolveConfig({ consumerCpu: '-1' }).consumerCpu, -1);
  assert.is(resolveConfig({ ringbufBytes: '64K' }).ringbufBytes, 65536);
  assert.is(resolveConfig({ ringbufBytes: '1MiB' }).ringbufBytes, 1 << 20);
});

test('conflicting flags are refused; a suite refuses only what conflicts whatever the transport', () => {
  const flags = (input: Record<string, unknown>) => resolveConfig(input, { conflicts: 'flags' });
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ memory: 'equal', perfbufPages: '4', transport: 'perfbuf' }, /^--perfbuf-pages sets the per-CPU size, which --memory equal derives from --ringbuf-bytes/],
    [{ perfbufPages: '4' }, /^--perfbuf-pages applies to perfbuf only; got --transport ringbuf$/],
    [{ transport: 'ringbuf', perfbufWakeupEvents: '8' }, /^--perfbuf-wakeup-events applies to perfbuf only/],
    [{ transport: 'ringbuf', memory: 'per-cpu' }, /^--memory applies to perfbuf only/],
    [{ transport: 'perfbuf', ringbufWakeup: 'sampled' }, /^--ringbuf-wakeup applies to ringbuf only; got --transport perfbuf$/],
    [{ transport: 'perfbuf', wakeupEvery: '8' }, /^--wakeup-every applies to --ringbuf-wakeup every-n only/],
    [{ ringbufWakeup: 'every-n', wakeupBytes: '4K' }, /^--wakeup-bytes applies to --ringbuf-wakeup sampled only; got every-n$/],
    [{ transport: 'perfbuf', perfbufWakeupEvents: '4', perfbufWatermarkBytes: '1K' }, /^--perfbuf-watermark-bytes replaces --perfbuf-wakeup-events/],
    [{ events: '100' }, /^--events applies to --load saturation only; got --load storm$/],
    [{ load: 'saturation', children: '5' }, /^--children applies to --load storm only/],
    [{ load: 'saturation', attach: 'tp' }, /^--attach applies to --load storm only/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => flags(input), (e: Error) => e instanceof ConfigError && message.test(e.message), `${JSON.stringify(input)}: ${message}`);
  }
  // what each of them means on its own still resolves
  assert.is(flags({ transport: 'perfbuf', perfbufPages: '4' }).memory, 'per-cpu');
  assert.is(flags({ transport: 'perfbuf', memory: 'per-cpu', perfbufPages: '4' }).perfbufPages, 4);
  assert.is(flags({ ringbufWakeup: 'every-n', wakeupEvery: '8' }).wakeupEvery, 8);
  // a resolved configuration (every knob present) is not a conflict
  const resolved = flags({ transport: 'perfbuf' });
  assert.equal(resolveConfig(resolved as unknown as Record<string, unknown>), resolved);
  // suites: defaults serve both transports and loads, so only real conflicts are refused
  assert.ok(planSuite(minimal({ defaults: { perfbufWakeupEvents: 4, children: 100 }, groups: [{ group: 'producers', set: { load: 'saturation' }, sweep: { workers: [1] } }] }), 's.json'));
  assert.throws(() => planSuite(minimal({ defaults: { memory: 'equal', perfbufPages: 4 } }), 's.json'), /^s\.json: defaults\.perfbufPages sets the per-CPU size/);
});

test('a record larger than the buffer can hold is refused for both transports', () => {
  assert.throws(() => resolveConfig({ transport: 'ringbuf', ringbufBytes: '4K', eventBytes: '4096' }), /^--event-bytes \(4096\) does not fit the ring buffer: raise --ringbuf-bytes$/);
  // perfbuf: one CPU's buffer (equal memory: 8K over 2 CPUs = one 4K page each)
  assert.throws(() => resolveConfig({ transport: 'perfbuf', ringbufBytes: '8K', eventBytes: '4096' }, { cpuCount: 2 }), /^--event-bytes \(4096\) does not fit a per-CPU perf buffer \(4096 bytes, each sample carries 16 more\): raise --ringbuf-bytes$/);
  assert.throws(() => resolveConfig({ transport: 'perfbuf', perfbufPages: '1', eventBytes: '4096' }), /does not fit a per-CPU perf buffer .*: raise --perfbuf-pages$/);
  assert.is(resolveConfig({ transport: 'perfbuf', perfbufPages: '2', eventBytes: '4096' }).eventBytes, 4096);
});

test.run();
