/**
 * contract — the N-API contract between src/harness/addon.ts and native/addon: the addon's field
 * tables hold exactly the keys of the TypeScript interfaces, each config field is required,
 * unknown fields and enum strings are refused (naming the field) before anything loads, the enum
 * spellings are the knobs', and the limits TypeScript validates against are the addon's.
 */
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  loadAddon, STORM_CONFIG_KEYS, STORM_OUTCOME_KEYS, TRACER_CONFIG_KEYS, TRACER_EVENT_KEYS, TRIAL_CONFIG_KEYS,
  TRIAL_OUTPUT_KEYS,
} from '../src/harness/addon.js';
import {
  KNOBS, limits, resolveConfig, stormConfig, tracerConfig, trialConfig,
} from '../src/harness/knobs.js';
import { childrenOf, loadedRingbenchObjects, settle } from './kernel.js';

const addon = loadAddon();
const sorted = (xs: readonly string[]) => [...xs].sort();

/** The message a synchronous addon call throws ('' when it does not). */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

test('the addon reads and writes exactly the keys of the TypeScript interfaces', () => {
  const pairs: [string, string[], readonly string[]][] = [
    ['runTrial config', addon.trialConfigKeys(), TRIAL_CONFIG_KEYS],
    ['runTrial output', addon.trialOutputKeys(), TRIAL_OUTPUT_KEYS],
    ['Tracer config', addon.tracerConfigKeys(), TRACER_CONFIG_KEYS],
    ['Storm config', addon.stormConfigKeys(), STORM_CONFIG_KEYS],
    ['Tracer event', addon.tracerEventKeys(), TRACER_EVENT_KEYS],
    ['Storm outcome', addon.stormOutcomeKeys(), STORM_OUTCOME_KEYS],
  ];
  for (const [what, native, ts] of pairs) {
    assert.is(new Set(native).size, native.length, `${what}: a native key listed twice`);
    assert.equal(sorted(native), sorted(ts), what);
  }
});

test('limits come from the addon: the page size is the OS page size, event sizes are event.h', () => {
  const { pageSize: PAGE_SIZE, minEventBytes: MIN_EVENT_BYTES, maxEventBytes: MAX_EVENT_BYTES, maxSaturationBatch: MAX_SATURATION_BATCH } = limits();
  assert.is(PAGE_SIZE, Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()));
  assert.is(MIN_EVENT_BYTES, 64, 'struct rb_event is 64 bytes');
  assert.ok(MAX_EVENT_BYTES >= MIN_EVENT_BYTES && MAX_SATURATION_BATCH >= 1);
  const knob = (key: string) => KNOBS.find((k) => k.key === key) as { min: number; max: number };
  assert.equal([knob('eventBytes').min, knob('eventBytes').max], [MIN_EVENT_BYTES, MAX_EVENT_BYTES]);
  assert.is(knob('eventsPerCall').max, MAX_SATURATION_BATCH);
  assert.is(knob('ringbufBytes').min, PAGE_SIZE);
});

test('every config field is required, unknown ones are refused, each error names the field', () => {
  // other sessions may load ringbench programs meanwhile: compare with what was there before
  const before = new Set(loadedRingbenchObjects());
  const config = trialConfig(resolveConfig({ children: 10 }));
  for (const key of TRIAL_CONFIG_KEYS) {
    const { [key]: _, ...without } = config;
    assert.match(thrown(() => addon.runTrial(without as never)), `field '${key}' is missing`, key);
  }
  assert.match(thrown(() => addon.runTrial({ ...config, memory: 'equal' } as never)), "unknown field 'memory'");
  assert.match(thrown(() => addon.runTrial({ ...config, children: 1.5 })), "field 'children' must be an integer");
  assert.match(thrown(() => addon.runTrial({ ...config, bpfStats: 'yes' } as never)), "field 'bpfStats' must be a boolean");
  const tracer = tracerConfig();
  const { targetTgid: _t, ...noTarget } = tracer;
  assert.match(thrown(() => new addon.Tracer(noTarget as never)), "Tracer: field 'targetTgid' is missing");
  assert.match(thrown(() => new addon.Tracer({ ...tracer, children: 1 } as never)), "Tracer: unknown field 'children'");
  const { rateCap: _r, ...noRate } = stormConfig();
  assert.match(thrown(() => new addon.Storm(noRate as never)), "Storm: field 'rateCap' is missing");
  // refused while reading the config: nothing was loaded or spawned
  assert.equal(loadedRingbenchObjects().filter((o) => !before.has(o)), []);
  assert.equal(childrenOf(process.pid), []);
});

test('an unknown enum string is refused, and the addon spells each enum as the knobs do', () => {
  const config = trialConfig(resolveConfig({ children: 10 }));
  const enums = KNOBS.filter((k) => k.kind === 'enum' && (TRIAL_CONFIG_KEYS as readonly string[]).includes(k.key));
  assert.ok(enums.length >= 8, 'transport, load, stormMode, ringbufSubmit, ringbufWakeup, consumer, reader, attach');
  for (const k of enums) {
    const message = thrown(() => addon.runTrial({ ...config, [k.key]: 'perfbuff' }));
    const valid = /must be one of (.*); got 'perfbuff'/.exec(message)?.[1];
    assert.ok(valid, `${k.key}: ${message}`);
    assert.equal(valid.split(', '), (k as { values: readonly string[] }).values, k.key);
  }
});

test('a real trial, storm and trace return exactly the output keys', async () => {
  const out = await addon.runTrial(trialConfig(resolveConfig({ children: 50, workers: 1 })));
  assert.equal(sorted(Object.keys(out)), sorted(TRIAL_OUTPUT_KEYS));
  assert.is(out.generated, 50);
  assert.is(out.delivered + out.droppedKernel, out.seenByBpf);

  const storm = new addon.Storm(stormConfig({ children: 20, workers: 1, timeoutMs: 20000 }));
  const tracer = new addon.Tracer(tracerConfig({ targetTgid: storm.pid }));
  let outcome;
  try {
    storm.go();
    outcome = storm.wait(20000);
  } finally {
    tracer.close();
    storm.kill();
  }
  assert.equal(sorted(Object.keys(outcome)), sorted(STORM_OUTCOME_KEYS));
  const events = tracer.take(100);
  assert.is(events.length, 20);
  assert.equal(sorted(Object.keys(events[0])), sorted(TRACER_EVENT_KEYS));
  assert.equal(await settle(loadedRingbenchObjects), []);
  assert.equal(await settle(() => childrenOf(process.pid)), []);
});

test.run();
