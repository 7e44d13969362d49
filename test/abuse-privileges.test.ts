/**
 * abuse-privileges.test — the fault and abuse tier, privileges (issue 12 §4): `probe` and the
 * commands that load BPF agree for root, for a user holding only CAP_BPF + CAP_PERFMON, and for an
 * unprivileged user: when the probe says "can run", the storm and the saturation load run on both
 * transports (the saturation trigger falls back from fentry to tp_btf/sys_enter, which this kernel
 * requires even for root), and when it says "cannot", they exit 1 naming what is missing. The
 * probe's advice never suggests setcap on the node binary. The users are uid 65534 under setpriv,
 * as in probe.test.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../src/harness/addon.js';
import type { ProbeReport } from '../src/harness/probe.js';

const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const NOBODY = 65534;

/** setpriv arguments for each identity; root runs node directly. */
const IDENTITIES: Record<string, string[] | null> = {
  root: null,
  'CAP_BPF + CAP_PERFMON': [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all,+bpf,+perfmon',
    '--ambient-caps=-all,+bpf,+perfmon', '--bounding-set=-all,+bpf,+perfmon'],
  unprivileged: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'],
};

function cliAs(identity: string, args: string[]) {
  const setpriv = IDENTITIES[identity];
  const [cmd, argv] = setpriv ? ['setpriv', [...setpriv, '--', process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
  const r = spawnSync(cmd, argv, { cwd: '/', encoding: 'utf8', timeout: 120_000 });
  assert.is(r.error, undefined, `${identity}: ${r.error?.message}`);
  return r;
}

const LOADS: [string, string[]][] = [
  ['storm/ringbuf', ['--children', '300', '--workers', '1']],
  ['storm/perfbuf', ['--transport', 'perfbuf', '--children', '300', '--workers', '1']],
  ['saturation/ringbuf', ['--load', 'saturation', '--events', '20000', '--workers', '1']],
  ['saturation/perfbuf', ['--transport', 'perfbuf', '--load', 'saturation', '--events', '20000', '--workers', '1']],
];

for (const identity of Object.keys(IDENTITIES)) {
  test(`probe and the loads agree: ${identity}`, () => {
    const p = cliAs(identity, ['probe', '--json']);
    const report: ProbeReport = JSON.parse(p.stdout);
    assert.is(p.status, report.verdict.canRun ? 0 : 1, p.stderr);
    assert.is(report.verdict.canRun, identity !== 'unprivileged', report.verdict.reasons.join('; '));
    for (const [name, args] of LOADS) {
      const r = cliAs(identity, ['scenario', ...args, '--json']);
      if (report.verdict.canRun) {
        assert.is(r.status, 0, `${identity} ${name}: the probe said it can run, the load said: ${r.stderr}`);
        const result = JSON.parse(r.stdout);
        assert.ok(result.accounting.kernelBalanced, `${name}: ${result.accounting.notes.join('; ')}`);
        if (name.startsWith('saturation')) {
          // fentry where the kernel allows it, else the tp_btf fallback (EPERM here, even for root)
          assert.ok(['fentry', 'tp_btf/sys_enter'].includes(result.attachedVia), result.attachedVia);
          if (!report.attach.fentry.available) assert.is(result.attachedVia, 'tp_btf/sys_enter');
        }
      } else {
        assert.is(r.status, 1, `${identity} ${name}: the probe said it cannot run, the load exited ${r.status}: ${r.stderr}`);
        assert.match(r.stderr, /^ringbench: could not load the (ringbuf|perfbuf) (exit|saturation trigger) program .*ringbench needs root, or CAP_BPF \+ CAP_PERFMON/);
        // named for what it is: the saturation load's program is not the exit program
        if (name.startsWith('saturation')) assert.match(r.stderr, /saturation trigger program/);
      }
    }
    if (!report.verdict.canRun) {
      const why = report.verdict.reasons.join('\n');
      assert.match(why, /missing privileges: CAP_BPF and CAP_PERFMON/);
      assert.match(why, /sudo setpriv .*--ambient-caps=\+bpf,\+perfmon/);
      assert.not.match(why, /setcap cap_/, 'no setcap advice: it would give every Node script BPF rights');
    }
  });
}

test('a CAP_BPF + CAP_PERFMON user runs a whole suite with the saturation load into its own directory', () => {
  const home = mkdtempSync('/tmp/ringbench-caps-');
  try {
    chownSync(home, NOBODY, NOBODY);
    const suite = join(home, 'suite.json');
    const write = spawnSync('setpriv', [...IDENTITIES['CAP_BPF + CAP_PERFMON']!, '--', process.execPath, '-e',
      `require('fs').writeFileSync(${JSON.stringify(suite)}, JSON.stringify({ name: 'caps', repeats: 1, warmup: 0,
        defaults: { load: 'saturation', events: 20000, workers: 1 }, groups: [{ group: 'ceilings', sweep: { reader: ['libbpf'] } }] }))`]);
    assert.is(write.status, 0, String(write.stderr));
    const r = cliAs('CAP_BPF + CAP_PERFMON', ['run', '--suite', suite, '--out', join(home, 'out'), '--no-report']);
    assert.is(r.status, 0, r.stderr);
    // BPF run-time stats need CAP_SYS_ADMIN: a note, not a failure
    assert.not.match(r.stderr, /could not load/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('matrix as an unprivileged user fails before it creates anything, naming what it needs (exit 1, no raw EACCES)', () => {
  const home = mkdtempSync('/tmp/ringbench-matrix-nobody-');
  try {
    chmodSync(home, 0o755);
    writeFileSync(join(home, 'vmlinuz'), 'not a kernel\n');
    chownSync(home, NOBODY, NOBODY);
    for (const [kernels, message] of [
      [`path:${join(home, 'vmlinuz')}`, /^ringbench matrix: cannot run here: booting kernels in guests needs root .*run it with sudo/],
      ['host', /^ringbench: cannot run here:\n\s+- missing privileges/],
    ] as [string, RegExp][]) {
      const out = join(home, 'out');
      const r = cliAs('unprivileged', ['matrix', '--kernels', kernels, '--accel', 'tcg', '--out', out]);
      assert.is(r.status, 1, `${kernels}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.not.match(r.stderr, /EACCES/);
      assert.not.ok(existsSync(out), `${out} was created`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test.run();
