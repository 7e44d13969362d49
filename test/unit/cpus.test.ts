/**
 * cpus.test (unit) — CPU lists (--storm-cpus) and ring layouts (--ringbuf-sharing): parsing, the
 * kernel's spelling, the equal-memory split, and the one-line refusals that name the flag.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allowedCpus, formatCpuList, parseCpuList, ringBytesOf, ringCountOf, ringCpusOf, stormCpusOf } from '../../src/harness/cpus.js';
import { ConfigError, resolveConfig, ringLayout, trialConfig } from '../../src/harness/knobs.js';

test('CPU lists parse as the kernel writes them, and are written back that way', () => {
  assert.equal(parseCpuList('0'), [0]);
  assert.equal(parseCpuList('0,1'), [0, 1]);
  assert.equal(parseCpuList('3,0-1,1'), [0, 1, 3]);
  for (const bad of ['', 'x', '1-0', '0,', ' 0', '-1', '0x1', '0;1']) assert.is(parseCpuList(bad), undefined, bad);
  assert.is(formatCpuList([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
  assert.is(formatCpuList([3]), '3');
});

test('--storm-cpus: allowed CPUs only, "all" resolved to the list, the flag named when refused', () => {
  const all = allowedCpus();
  assert.is(stormCpusOf('all'), formatCpuList(all));
  assert.is(stormCpusOf(String(all[0])), String(all[0]));
  assert.is(stormCpusOf(String(Math.max(...all) + 1)), undefined);
  assert.is(resolveConfig({ stormCpus: 'all' }).stormCpus, formatCpuList(all));
  assert.is(resolveConfig({}).stormCpus, '', 'unpinned by default');
  for (const bad of ['4096', 'x', '1-0']) {
    try {
      resolveConfig({ stormCpus: bad });
      assert.unreachable(bad);
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.match((e as Error).message, /^--storm-cpus must be a list of allowed CPUs \(.+ here\)/);
      assert.not.match((e as Error).message, /\n/);
    }
  }
  assert.throws(() => resolveConfig({ load: 'saturation', stormCpus: '0' }, { conflicts: 'flags' }), /--storm-cpus applies to --load storm only/);
});

test('--ringbuf-sharing: shared, per-cpu or N; the rings split the memory in power-of-two pages', () => {
  assert.is(ringCpusOf('shared'), 0);
  assert.is(ringCpusOf('per-cpu'), 1);
  assert.is(ringCpusOf('3'), 3);
  assert.is(ringCountOf(0, 8), 1);
  assert.is(ringCountOf(1, 8), 8);
  assert.is(ringCountOf(3, 8), 3);
  assert.is(ringBytesOf(1 << 20, 2, 4096), 512 << 10);
  assert.is(ringBytesOf(1 << 20, 3, 4096), 256 << 10, 'rounded down to a power of two: at most the total');
  assert.is(ringBytesOf(4096, 4, 4096), 4096, 'at least a page each');
  assert.equal(ringLayout({ ringbufSharing: 'per-cpu', ringbufBytes: 1 << 20 }, 4), { ringCpus: 1, rings: 4, ringBytes: 256 << 10 });
  assert.equal(ringLayout({ ringbufSharing: 'shared', ringbufBytes: 1 << 20 }, 4), { ringCpus: 0, rings: 1, ringBytes: 1 << 20 });
  assert.is(resolveConfig({ ringbufSharing: 2 }).ringbufSharing, '2', 'a suite may give N as a number');
  for (const bad of ['0', 'all', '-1', '1.5', '5000']) {
    assert.throws(() => resolveConfig({ ringbufSharing: bad }), (e: Error) => e instanceof ConfigError && /^--ringbuf-sharing must be shared, per-cpu, or N CPUs per ring/.test(e.message), bad);
  }
  assert.throws(() => resolveConfig({ transport: 'perfbuf', ringbufSharing: 'per-cpu' }, { conflicts: 'flags' }), /--ringbuf-sharing applies to ringbuf only/);
  assert.throws(() => resolveConfig({ ringbufSharing: 'per-cpu', ringbufBytes: '8K', eventBytes: 4096 }, { cpuCount: 2 }), /does not fit/);
  // perfbuf never gets rings, whatever the knob says
  assert.is(trialConfig(resolveConfig({ transport: 'perfbuf' })).ringCpus, 0);
  assert.is(trialConfig(resolveConfig({ ringbufSharing: 'per-cpu' })).ringCpus, 1);
});

test.run();
