/**
 * metrics.test (unit) — the metric catalogue against the README: the "What is measured" table lists
 * exactly the catalogue's metrics (order aside), each with the catalogue's doc line; and the
 * catalogue's own invariants that compare and the writer rely on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMPARED_METRICS, JUDGED_METRICS, METRIC_NAMES, METRICS, metricSpec, NOISE_CHECKED_METRICS, unitName } from '../../src/results/metrics.js';

// dist/test/unit/metrics.test.js → the repository root
const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md');

/** The rows of the README's "What is measured" table: field → meaning. */
function readmeFields(): Map<string, string> {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('## What is measured');
  assert.ok(start >= 0, 'README has a "What is measured" section');
  const section = text.slice(start).split(/\n## /)[0];
  const rows = section.split('\n').filter((l) => l.startsWith('|')).slice(2); // after header and rule
  assert.ok(rows.length > 0, 'the section has a table');
  const fields = new Map<string, string>();
  for (const row of rows) {
    const cells = row.slice(1, -1).split(' | ').map((c) => c.trim());
    assert.is(cells.length, 2, `two cells in: ${row}`);
    const name = /^`([^`]+)`$/.exec(cells[0])?.[1];
    assert.ok(name, `one field name in backticks per row: ${row}`);
    assert.not.ok(fields.has(name!), `${name} is listed once`);
    fields.set(name!, cells[1]);
  }
  return fields;
}

test('README field table lists exactly the catalogue metrics', () => {
  const documented = [...readmeFields().keys()].sort();
  const catalogue = [...METRIC_NAMES].sort();
  const missing = catalogue.filter((m) => !documented.includes(m));
  const unknown = documented.filter((m) => !catalogue.includes(m));
  assert.equal(missing, [], 'catalogue metrics missing from the README');
  assert.equal(unknown, [], 'README fields not in the catalogue');
});

test("README meanings are the catalogue's doc lines", () => {
  const fields = readmeFields();
  for (const spec of METRICS) assert.is(fields.get(spec.name), spec.doc, spec.name);
});

test('catalogue invariants: unique names, judged metrics have a direction, lists derive from it', () => {
  assert.is(new Set(METRIC_NAMES).size, METRIC_NAMES.length);
  for (const spec of METRICS) {
    assert.ok(spec.doc.length > 0 && spec.title.length > 0, spec.name);
    if (spec.judged) assert.is.not(spec.better, 'none', `${spec.name} is judged, so it needs a better direction`);
    assert.is(metricSpec(spec.name), spec);
  }
  assert.equal(JUDGED_METRICS, METRICS.filter((s) => s.judged).map((s) => s.name));
  assert.equal(NOISE_CHECKED_METRICS, METRICS.filter((s) => s.noiseChecked).map((s) => s.name));
  assert.ok(!COMPARED_METRICS.includes('counts.generated'), 'the workload size is not compared');
  assert.is(COMPARED_METRICS.length, METRIC_NAMES.length - 1);
});

test('unit names as compare shows them', () => {
  assert.is(unitName('rates.deliveredPerSec'), 'events/s');
  assert.is(unitName('counts.droppedKernel'), 'events');
  assert.is(unitName('ordering.maxDisplacement'), 'positions');
  assert.is(unitName('cpu.wakeups'), 'wakeups');
  assert.is(unitName('cpu.bpfNsPerEvent'), 'ns/event');
  assert.is(unitName('memory.bufferBytes'), 'bytes');
  assert.is(unitName('ordering.inversionRatio'), 'ratio');
  assert.is(unitName('wallNs'), 'ns');
});

test.run();
