/**
 * report-verdicts.test (unit) — the report's verdicts (analysis/verdict.ts) from fixtures: they
 * follow the data, flip when it flips, and call nothing the repeats do not back. No root, no BPF.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeVerdicts } from '../../src/analysis/verdict.js';
import { fmtSi } from '../../src/format/units.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { makeResults, resultSet } from '../report-fixtures.js';

test('verdicts follow the data and flip when it flips', () => {
  const perfWorse = computeVerdicts(resultSet(makeResults({ perfbufDropsMore: true })));
  const ringWorse = computeVerdicts(resultSet(makeResults({ perfbufDropsMore: false })));
  const drops = (v: typeof perfWorse) => v.find((x) => x.question === 'Drops')!;
  const memory = (v: typeof perfWorse) => v.find((x) => x.question === 'Memory')!;
  assert.match(drops(perfWorse).text, /^perfbuf drops more/);
  assert.is(drops(perfWorse).favours, 'ringbuf');
  assert.match(drops(ringWorse).text, /^ringbuf drops more/);
  assert.is(drops(ringWorse).favours, 'perfbuf');
  assert.match(memory(perfWorse).text, /ringbuf stops dropping at 256 KiB, perfbuf stops dropping at 1 MiB/);
  assert.is(memory(ringWorse).favours, 'perfbuf');
  assert.equal(perfWorse.map((v) => v.question), ['Throughput', 'Drops', 'Memory', 'Ordering', 'Latency', 'CPU', 'Ceiling']);
  assert.match(perfWorse.find((v) => v.question === 'Ordering')!.text, /^perfbuf delivers more events out of sequence order at 4 producers/);
  assert.match(perfWorse.find((v) => v.question === 'Latency')!.text, /95% CI ±\d+%/);

  // Identical measurements for both transports: intervals overlap, nobody wins.
  const same = makeResults();
  for (const r of same.scenarios) {
    if (r.transport !== 'perfbuf') continue;
    const twin = same.scenarios.find((o) => o.transport === 'ringbuf' && o.group === r.group && o.x.value === r.x.value);
    if (!twin) continue; // wakeup-ceiling: each transport has strategies of its own
    r.repeats = twin.repeats;
    r.aggregates = twin.aggregates;
  }
  const tie = computeVerdicts(resultSet(same));
  for (const q of ['Throughput', 'Latency'] as const) {
    const v = tie.find((x) => x.question === q)!;
    assert.match(v.text, /no clear difference/, q);
    assert.is(v.favours, null);
  }
  // One repeat has no interval: the verdict must not call a winner however large the gap.
  const once = computeVerdicts(resultSet(makeResults({ repeats: 1 })));
  assert.ok(once.every((v) => v.question === 'Memory' || v.favours === null), 'no calls from single runs');
  assert.match(once[0].text, /a single run has no interval to judge by/);
});

test('Ceiling verdict: follows the data, flips with it, and calls nothing the repeats do not back', () => {
  const ceiling = (r: ResultsFile) => computeVerdicts(resultSet(r)).find((v) => v.question === 'Ceiling');
  const ring = ceiling(makeResults())!;
  const rec = (r: ResultsFile, id: string) => r.scenarios.find((x) => x.id === id)!;
  const base = makeResults();
  const rs = fmtSi(rec(base, 'ceilings/libbpf/ringbuf').sustainable!.ratePerSec);
  const ps = fmtSi(rec(base, 'ceilings/libbpf/perfbuf').sustainable!.ratePerSec);
  assert.match(ring.text, new RegExp(`^ringbuf sustains ${rs} events/s without a drop \\(libbpf reader\\), perfbuf ${ps} \\(\\d\\.\\d\\d×\\)`));
  assert.match(ring.text, /backed by the repeats: raw ceiling ringbuf .* \(\d\.\d\d×, 95% CI ±\d+%\)/);
  assert.match(ring.text, /With the custom reader: ringbuf sustains/);
  assert.is(ring.favours, 'ringbuf');

  const flipped = ceiling(makeResults({ ceilingFavours: 'perfbuf' }))!;
  assert.match(flipped.text, /^perfbuf sustains .* without a drop \(libbpf reader\), ringbuf /);
  assert.is(flipped.favours, 'perfbuf');

  // The same repeated measurements for both transports: the searches still differ, but one search
  // each has no interval, so no winner is called.
  const same = makeResults();
  for (const id of ['ceilings/libbpf/perfbuf', 'ceilings/custom/perfbuf']) {
    const twin = rec(same, id.replace('perfbuf', 'ringbuf'));
    Object.assign(rec(same, id), { repeats: twin.repeats, aggregates: twin.aggregates });
  }
  const unconfirmed = ceiling(same)!;
  assert.match(unconfirmed.text, /^ringbuf sustains .* one search each, and the repeats do not confirm it: raw ceiling .*the 95% intervals overlap/);
  assert.is(unconfirmed.favours, null);

  // No search: the raw ceiling alone decides, as any repeated metric would.
  const raw = ceiling(makeResults({ ceilingFavours: 'perfbuf', sustainable: false }))!;
  assert.match(raw.text, /^perfbuf has the higher raw ceiling .*no sustainable-rate search in these results/);
  assert.is(raw.favours, 'perfbuf');

  // Single runs: never a call.
  assert.is(ceiling(makeResults({ repeats: 1 }))!.favours, null);
  // No ceilings group: no Ceiling line at all, and the storm verdicts ignore saturation records.
  const storm = computeVerdicts(resultSet(makeResults({ groups: ['producers', 'memory', 'wakeup', 'event-size', 'latency', 'cpu'] })));
  assert.equal(storm.map((v) => v.question), ['Throughput', 'Drops', 'Memory', 'Ordering', 'Latency', 'CPU']);
  const drops = (r: ResultsFile) => computeVerdicts(resultSet(r)).find((v) => v.question === 'Drops')!.text;
  assert.not.match(drops(makeResults()), /ceiling/);
});

test.run();
