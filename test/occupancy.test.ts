/**
 * occupancy — memory.peakOccupancyBytes is the fullest the buffer really got (issue 11): on the
 * real kernel, small buffers and a slow consumer make trials drop, and every trial that drops must
 * report a peak of the dropping buffer within two records of its capacity, on both transports,
 * with both readers, for storms and for saturation (full and minimal records). The ring buffer's
 * peak is its one buffer; the perf buffer's dropping buffer is one CPU's (peakCpuOccupancyBytes).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { limits, recordBytes } from '../src/harness/knobs.js';
import { runScenario } from '../src/harness/trial.js';
import { TRANSPORTS, type ScenarioConfig, type TrialResult } from '../src/harness/types.js';

const up8 = (n: number) => Math.ceil(n / 8) * 8;

/** Bytes one record takes in the dropping buffer, and that buffer's capacity. */
function dropping(r: TrialResult): { record: number; capacity: number; peak: number } {
  const payload = recordBytes(r.config);
  if (r.config.transport === 'ringbuf') {
    // an 8-byte header per record; one ring
    return { record: up8(payload + 8), capacity: r.config.ringbufBytes, peak: r.memory.peakOccupancyBytes };
  }
  // perf_event_header (8) + the sample's size field (4) + payload, to 8; drops happen per CPU
  return {
    record: up8(payload + 12),
    capacity: r.config.perfbufPages * limits().pageSize,
    peak: r.memory.peakCpuOccupancyBytes ?? NaN,
  };
}

// Consumers far slower than any producer here (a producer fills a record in about 2 µs at worst),
// so the 16 KiB buffers fill and drop on a quiet machine as on a busy one.
const LOADS: { name: string; knobs: Partial<ScenarioConfig> }[] = [
  { name: 'storm', knobs: { load: 'storm', children: 3000, workers: 2, consumerDelayNs: 200_000 } },
  { name: 'saturation', knobs: { load: 'saturation', events: 60_000, workers: 1, consumerDelayNs: 10_000 } },
  { name: 'saturation, minimal records', knobs: { load: 'saturation', record: 'minimal', events: 60_000, workers: 1, consumerDelayNs: 10_000 } },
];

for (const transport of TRANSPORTS) {
  test(`${transport}: every trial that drops reports a peak within two records of the capacity`, async () => {
    let dropped = 0;
    for (const reader of ['libbpf', 'custom'] as const) {
      for (const load of LOADS) {
        const r = await runScenario({ transport, reader, ringbufBytes: 16 * 1024, timeoutMs: 30_000, bpfStats: false, ...load.knobs });
        const what = `${transport}/${reader}/${load.name}`;
        assert.is(r.counts.delivered + r.counts.droppedKernel, r.counts.seenByBpf, `${what}: accounting`);
        const d = dropping(r);
        assert.ok(d.peak <= d.capacity, `${what}: peak ${d.peak} cannot exceed the capacity ${d.capacity}`);
        assert.ok(r.memory.peakOccupancyBytes <= r.memory.bufferBytes, `${what}: total peak within the buffer`);
        if (!r.counts.droppedKernel) continue;
        dropped++;
        assert.ok(d.peak >= d.capacity - 2 * d.record,
          `${what}: dropped ${r.counts.droppedKernel}, so the buffer was full, but the peak is ${d.peak} of ${d.capacity} (records of ${d.record} B)`);
        // the timeline's occupancy comes from the same positions
        const timelinePeak = Math.max(0, ...r.timeline.occupancyBytes);
        assert.ok(timelinePeak > 0 && timelinePeak <= r.memory.peakOccupancyBytes, `${what}: timeline peak ${timelinePeak}`);
      }
    }
    // the property is vacuous without drops: the small buffer and the slow consumer must make them
    assert.ok(dropped >= 4, `${transport}: only ${dropped} of ${2 * LOADS.length} trials dropped`);
  });
}

test('a trial that never fills its buffer reports a peak below the capacity', async () => {
  const r = await runScenario({ load: 'saturation', events: 20_000, workers: 1, ringbufBytes: 16 << 20, bpfStats: false });
  assert.is(r.counts.droppedKernel, 0);
  assert.ok(r.memory.peakOccupancyBytes > 0, 'something was unread at some point');
  assert.ok(r.memory.peakOccupancyBytes <= 20_000 * 72, `peak ${r.memory.peakOccupancyBytes} is at most the whole run`);
});

test.run();
