/**
 * changes.test (unit) — the "what changed across columns" table (report/changes.ts) that the kernel
 * matrix and the fleet reports lead with, on fixtures: only differing items, kernel changes apart
 * from the host's set-up (lockdown, privileges), BTF size as noise, the rqspinlock_t change named;
 * ratios where one run per transport is "not judged" and never "no clear difference"; emulated
 * columns in a table of their own; and `ringbench report MATRIX_DIR` re-rendering a saved matrix
 * folder that opens with "What changed". No root, no BPF.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ratioRows, ratioText, renderChanges, renderRatios, whatChanged, type ChangeColumn } from '../../src/report/changes.js';
import { FLEET_SCHEMA, hostFacts, type FleetFile, type FleetHost } from '../../src/fleet/fleet-report.js';
import { runCli } from '../cli.js';
import { makeResults } from '../report-fixtures.js';
import { NEW, OLD, probe, writeMatrixFixture } from '../matrix-fixtures.js';

test('what changed: only differing items; the lock is a kernel change, fentry under lockdown is the environment, BTF size is noise', () => {
  const s = whatChanged([{ name: '6.1', probe: OLD }, { name: '6.18', probe: NEW }]);
  const keys = s.changes.map((c) => c.key);
  assert.equal(keys.sort(), ['attach.fentry', 'btfInfo.ringbufLockType'].sort(), JSON.stringify(s.changes));
  const lock = s.changes.find((c) => c.key === 'btfInfo.ringbufLockType')!;
  assert.is(lock.kind, 'kernel');
  assert.equal(lock.values, ['raw_spinlock_t', 'rqspinlock_t']);
  assert.match(lock.meaning, /rqspinlock_t .*6\.18/);
  const fentry = s.changes.find((c) => c.key === 'attach.fentry')!;
  assert.is(fentry.kind, 'environment');
  assert.match(fentry.meaning, /not by the kernel version/);
  assert.ok(s.noise.some((n) => n.startsWith('btfInfo.sizeBytes')), s.noise.join('; '));
  assert.ok(s.compared > 10);

  const r = renderChanges(s, ['6.1', '6.18'], 'kernels');
  assert.match(r.md, /^## What changed/);
  assert.match(r.md, /### Kernel changes\n\n- \*\*ring buffer lock\*\* — 6\.1: raw_spinlock_t; 6\.18: rqspinlock_t\./);
  assert.match(r.md, /### Environment/);
  assert.not.match(r.md, /mapTypes/, 'identical items are not listed');
  assert.match(r.html, /<section id="what-changed">/);
});

test('what changed: a kernel refusing fentry for lack of support is a kernel change; a JIT setting is the environment', () => {
  const noFentry = probe({ release: '5.4', btfSize: 1, lock: 'raw_spinlock_t', fentry: [false, 'the kernel does not support BPF_PROG_TYPE_TRACING fentry (EINVAL)'], overwrite: false, jit: false });
  const s = whatChanged([{ name: 'a', probe: noFentry }, { name: 'b', probe: OLD.attach.fentry.available ? OLD : NEW }]);
  assert.is(s.changes.find((c) => c.key === 'attach.fentry')?.kind, 'kernel');
  assert.is(s.changes.find((c) => c.key === 'jit.enabled')?.kind, 'environment');
});

test('what changed across hosts: kernel, CPU model, CPU count and memory lead; equal facts are not listed', () => {
  const cols: ChangeColumn[] = [
    { name: 'lab-1', facts: hostFacts({ kernel: '6.1.0', cpuModel: 'EPYC 7763', cpuCount: 64, memoryBytes: 256 * 2 ** 30 }), probe: OLD },
    { name: 'lab-2', facts: hostFacts({ kernel: '6.1.0', cpuModel: 'Xeon 8375C', cpuCount: 8, memoryBytes: 256 * 2 ** 30 }), probe: OLD },
    { name: 'down', facts: hostFacts(undefined) },
  ];
  const s = whatChanged(cols);
  assert.equal(s.changes.map((c) => [c.label, c.kind]), [['CPU model', 'machine'], ['CPU count', 'machine']]);
  const md = renderChanges(s, cols.map((c) => c.name), 'hosts').md;
  assert.match(md, /lab-1: 64; lab-2: 8; down: –/);
});

test('ratios: one run per transport is not judged, never "no clear difference"; intervals apart or overlapping are marked', () => {
  const single = makeResults({ repeats: 1, groups: ['producers'], seed: 3 });
  const five = makeResults({ repeats: 5, groups: ['producers'], seed: 4 });
  const rows = ratioRows([{ name: 'one', results: single }, { name: 'five', results: five }]);
  assert.ok(rows.length > 0);
  for (const r of rows) {
    assert.is(r.cells[0]?.judgement, 'not judged', `${r.scenario} ${r.metric}`);
    assert.match(ratioText(r.cells[0]), /× ¹$/);
    assert.is.not(r.cells[1]?.judgement, 'not judged');
  }
  const rendered = renderRatios([{ name: 'one', results: single }], 'kernels');
  assert.not.match(rendered.md + rendered.html, /no clear difference/);
  assert.match(rendered.md, /one run per transport: not judged/);
});

test('ratios: emulated columns get a table of their own, never beside native ones', () => {
  const cols: ChangeColumn[] = [
    { name: 'host', results: makeResults({ repeats: 2, groups: ['producers'], seed: 5 }) },
    { name: '6.1-cloud', emulated: true, results: makeResults({ repeats: 2, groups: ['producers'], seed: 6 }) },
  ];
  const md = renderRatios(cols, 'kernels').md;
  const tables = md.split('\n').filter((l) => l.startsWith('| scenario'));
  assert.is(tables.length, 2, md);
  assert.match(tables[0], /\| host \|$/);
  assert.match(tables[1], /\| 6\.1-cloud \* \|$/);
  assert.match(md, /### Emulated/);
});

test('report MATRIX_DIR re-renders a saved matrix: "What changed" first, the capability table collapsed', async () => {
  const dir = writeMatrixFixture();
  try {
    const r = await runCli(['report', dir], { timeoutMs: 120_000 });
    assert.is(r.code, 0, r.stderr);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    const sections = [...md.matchAll(/^## (.*)$/gm)].map((x) => x[1]);
    assert.is(sections[0], 'What changed', sections.join(' | '));
    assert.match(sections[1], /ringbuf ÷ perfbuf by kernel/);
    assert.match(md, /ring buffer lock\*\* — 6\.1-cloud: raw_spinlock_t; host: rqspinlock_t/);
    assert.match(md, /\| 6\.1-cloud \|.*\| ok; 1 boot retried \|/, 'a retried boot stays in the runs table');
    assert.match(md, /Boots retried .*: 6\.1-cloud \*, round 1: the guest kernel panicked \(Fatal exception in interrupt\) \(console: kernels\/6\.1-cloud\/guest\/console\.boot-1-1\.log\)\./);
    const lead = md.slice(md.indexOf('## What changed'), md.indexOf('## Kernel capabilities'));
    assert.not.match(lead, /no clear difference/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.ok(html.indexOf('id="what-changed"') < html.indexOf('<details><summary>All'), 'what changed comes before the collapsed capability table');
    assert.match(html, /<details><summary>All \d+ probe items/);
    // a folder that is neither a run, a matrix nor a fleet is bad input
    writeFileSync(join(dir, 'matrix.json'), '{"schema":"nope"}');
    const bad = await runCli(['report', dir], { timeoutMs: 60_000 });
    assert.is(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /not a ringbench kernel matrix/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fleet report: what changed across hosts first, ratios per finished host, the failed host named with its reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ringbench-fleet-fixture-'));
  try {
    const hosts: FleetHost[] = [
      { name: 'epyc', status: 'ok', dir: 'hosts/epyc', facts: { kernel: '6.1.0', cpuModel: 'AMD EPYC 7763', cpuCount: 64, memoryBytes: 2 ** 38 } },
      { name: 'xeon', status: 'ok', dir: 'hosts/xeon', facts: { kernel: '6.12.1', cpuModel: 'Intel Xeon 8375C', cpuCount: 8, memoryBytes: 2 ** 35 } },
      { name: 'down', status: 'unreachable', dir: 'hosts/down', reason: 'unreachable: ssh: connect to host 127.0.0.1 port 1: Connection refused' },
    ];
    for (const [i, h] of hosts.entries()) {
      mkdirSync(join(dir, h.dir), { recursive: true });
      if (h.status !== 'ok') continue;
      writeFileSync(join(dir, h.dir, 'results.json'), JSON.stringify(makeResults({ repeats: 3, groups: ['producers'], seed: 20 + i, hostname: h.name, kernel: h.facts!.kernel })));
      writeFileSync(join(dir, h.dir, 'probe.json'), JSON.stringify(i === 0 ? OLD : NEW));
    }
    const fleet: FleetFile = { schema: FLEET_SCHEMA, suite: 'quick', inventory: '/lab.ini', forks: 1, commit: 'a'.repeat(40), dirty: false, command: 'ringbench fleet', startedAt: new Date(0).toISOString(), complete: false, hosts };
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify(fleet));
    const r = await runCli(['report', dir], { timeoutMs: 120_000 });
    assert.is(r.code, 0, r.stderr);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    const sections = [...md.matchAll(/^## (.*)$/gm)].map((x) => x[1]);
    assert.equal(sections.slice(0, 3), ['What changed', 'ringbuf ÷ perfbuf by host', 'Hosts'], sections.join(' | '));
    assert.match(md, /\*\*kernel\*\* — epyc: 6\.1\.0; xeon: 6\.12\.1/);
    assert.match(md, /\*\*CPU count\*\* — epyc: 64; xeon: 8/);
    assert.match(md, /\*\*memory\*\* — epyc: 256 GiB; xeon: 32 GiB/);
    assert.match(md, /ring buffer lock/);
    assert.not.match(md.slice(0, md.indexOf('## ringbuf')), /down: –/, 'a host with no data is not a column');
    assert.match(md, /1 host did not finish:\*\* down \(unreachable: unreachable: ssh/);
    assert.match(md, /\| scenario \| metric \| epyc \| xeon \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
