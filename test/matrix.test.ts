/**
 * matrix — `ringbench matrix` boots two Debian kernels (6.1 cloud, 6.12 rt) in QEMU guests (KVM
 * when it answers, else TCG emulation) and runs the smoke suite in each: every check passes,
 * matrix.json / report.html / report.md hold the capability table, nothing is left running, and
 * `compare` of two emulated kernels refuses without --force. Kernel downloads stay in the per-user
 * cache, so only the first run on a machine downloads. This test fails, never skips, when the
 * machine cannot boot the guests (run `bash scripts/setup.sh --test` to install QEMU and friends).
 * Also: bad flags are one line naming the flag, exit 2; the smoke suite validates; a guest that
 * fails before its command (here an image QEMU refuses) is booted once more and both boots are kept.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { processesMentioning } from './kernel.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseKernelList, KernelListError } from '../src/matrix/kernels.js';
import { capabilityRows } from '../src/matrix/matrix-report.js';
import type { MatrixFile } from '../src/matrix/matrix-report.js';
import { loadSuite } from '../src/suite/suite.js';
import { runCli } from './cli.js';

const cli = (args: string[], timeoutMs = 60_000) => runCli(args, { timeoutMs });

test('bad input: one line naming the flag, exit 2', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ringbench-matrix-bad-'));
  try {
    const cases: [string[], RegExp][] = [
      [['--kernels', 'linux-image-6.1-nope!'], /--kernels: 'linux-image-6.1-nope!' is not a Debian kernel package/],
      [['--kernels', 'path:/nonexistent/vmlinuz'], /--kernels path:\/nonexistent\/vmlinuz: no kernel image file/],
      [['--kernels', 'host,host'], /'host' is listed twice/],
      [['--kernels', 'linux-image-9.99-nope-amd64'], /--kernels linux-image-9.99-nope-amd64: kernel package linux-image-9.99-nope-amd64: apt does not know it/],
      [['--kernels', 'host', '--accel', 'xen'], /--accel must be one of auto, kvm, tcg; got 'xen'/],
      [['--kernels', 'host', '--rounds', '0'], /--rounds must be an integer in 1\.\.1/],
      [['--kernels', 'host', '--suite', 'nope'], /--suite must be smoke, quick, standard, full or a suite file/],
      [['--kernels', 'host', '--timeout', 'x'], /--timeout must be an integer/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['matrix', ...args, '--out', out]);
      assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    // never through a symlink, never over an earlier matrix
    symlinkSync(out, join(out, 'link'));
    const linked = await cli(['matrix', '--kernels', 'host', '--out', join(out, 'link', 'm')]);
    assert.is(linked.code, 2, linked.stderr);
    assert.match(linked.stderr, /--out .*symlink/);
    writeFileSync(join(out, 'matrix.json'), '{}');
    const again = await cli(['matrix', '--kernels', 'host', '--out', out]);
    assert.is(again.code, 2, again.stderr);
    assert.match(again.stderr, /is not empty \(.*matrix\.json.*\); a kernel matrix is not resumed or replaced/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('kernel list: aliases, meta packages, host, path', () => {
  const specs = parseKernelList('6.1-cloud,linux-image-6.12-rt-amd64,host');
  assert.equal(specs.map((s) => s.kind), ['debian', 'debian', 'host']);
  assert.is((specs[0] as { pkg: string }).pkg, 'linux-image-cloud-amd64');
  assert.throws(() => parseKernelList(''), (e: unknown) => e instanceof KernelListError);
  assert.throws(() => parseKernelList('6.1-cloud,,host'), /empty item/);
});

test('the smoke suite validates: both transports, a storm and a saturation run', () => {
  const plan = loadSuite('smoke');
  assert.equal(new Set(plan.scenarios.map((s) => s.transport)), new Set(['ringbuf', 'perfbuf']));
  assert.ok(plan.scenarios.some((s) => s.config.load === 'saturation'));
  assert.ok(plan.scenarios.some((s) => s.config.load === 'storm' && s.config.attach === 'tp_btf'));
});

test('a guest that fails before its command is booted once more; both boots are recorded', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ringbench-matrix-retry-'));
  const junk = join(mkdtempSync(join(tmpdir(), 'ringbench-junk-')), 'vmlinuz-junk');
  writeFileSync(junk, Buffer.alloc(64 * 1024, 0x5a)); // not a kernel: QEMU refuses it at once
  try {
    const r = await cli(['matrix', '--kernels', `path:${junk}`, '--accel', 'tcg', '--suite', 'smoke', '--out', join(out, 'm')], 120_000);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /boot failed before the guest command started \(qemu exited with 1: .*\); console in guest\/console\.boot-1-1\.log; booting once more/);
    const m = JSON.parse(readFileSync(join(out, 'm', 'matrix.json'), 'utf8')) as MatrixFile;
    const k = m.kernels[0];
    assert.is(k.status, 'failed');
    assert.equal(k.boots.map((b) => [b.round, !!b.retried, b.exitStatus]), [[1, true, null], [1, false, null]]);
    assert.ok(existsSync(join(out, 'm', k.dir, 'guest', 'console.boot-1-1.log')));
    assert.match(readFileSync(join(out, 'm', 'report.md'), 'utf8'), /Boots retried .*vmlinuz-junk \*, round 1: qemu exited with 1: .*console: kernels\/path-vmlinuz-junk\/guest\/console\.boot-1-1\.log/);
    assert.equal(processesMentioning(out), [], 'QEMU or virtiofsd left running');
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(dirname(junk), { recursive: true, force: true });
  }
});

test('two kernels boot in QEMU and pass the smoke suite; the report has the capability table', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ringbench-matrix-'));
  try {
    const r = await cli(['matrix', '--kernels', '6.1-cloud,6.12-rt', '--suite', 'smoke', '--out', out], 600_000);
    assert.is(r.code, 0, `ringbench matrix failed (exit ${r.code}); stderr:\n${r.stderr}`);
    const m = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')) as MatrixFile;
    assert.is(m.schema, 'ringbench/matrix@1');
    assert.is(m.complete, true);
    assert.equal(m.kernels.map((k) => k.status), ['ok', 'ok'], JSON.stringify(m.kernels.map((k) => k.error)));
    assert.match(m.kernels[0].release ?? '', /^6\.1\./);
    assert.match(m.kernels[1].release ?? '', /^6\.12\..*-rt-/);
    for (const k of m.kernels) {
      assert.is(k.emulated, m.accel === 'tcg');
      assert.ok(k.checks!.length >= 5 && k.checks!.every((c) => c.ok), JSON.stringify(k.checks));
      const probe = JSON.parse(readFileSync(join(out, k.dir, 'probe.json'), 'utf8'));
      assert.is(probe.kernel.release, k.release);
      assert.is(probe.verdict.canRun, true);
      assert.is(probe.btfInfo.ringbufLockType, 'raw_spinlock_t');
      assert.is(probe.helpers.tracing.ringbufReserveDynptr.available, true);
      assert.is(probe.helpers.tracing.userRingbufDrain.available, true);
      const results = JSON.parse(readFileSync(join(out, k.dir, 'results.json'), 'utf8'));
      assert.is(results.environment.kernel, k.release);
      assert.is(results.environment.matrix.emulated, k.emulated);
    }
    const rows = capabilityRows(m.kernels.map((k) => JSON.parse(readFileSync(join(out, k.dir, 'probe.json'), 'utf8'))));
    assert.ok(rows.find((row) => row.item === 'sizeBytes')?.differs, 'BTF sizes of 6.1 and 6.12 differ');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(md, /## Kernel capabilities/);
    assert.is([...md.matchAll(/^## (.*)$/gm)][0]?.[1], 'What changed', 'the report leads with what changed between the kernels');
    assert.match(md, /\| section \| item \| 6\.1-cloud/);
    assert.match(md, /ringbufLockType/);
    assert.ok(existsSync(join(out, 'report.html')));
    assert.equal(processesMentioning(out), [], 'QEMU or virtiofsd left running');

    if (m.accel === 'tcg') {
      const [a, b] = m.kernels.map((k) => join(out, k.dir));
      const refused = await cli(['compare', a, b]);
      assert.is(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /emulat.*--force/);
      const forced = await cli(['compare', a, b, '--force']);
      // 3: smoke runs one repeat, so nothing can be decided (the gate fails closed)
      assert.ok(forced.code === 0 || forced.code === 1 || forced.code === 3, forced.stderr);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
