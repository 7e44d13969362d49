/**
 * matrix-fixtures — probe reports of the shape harness/probe.ts writes, varied where kernels differ
 * (the ring buffer lock, fentry under lockdown, BTF size), and a saved kernel matrix folder built
 * from them (matrix.json, kernels/<id>/probe.json and results.json) for the matrix report tests.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MATRIX_SCHEMA, type MatrixFile } from '../src/matrix/matrix-report.js';
import { makeResults } from './report-fixtures.js';

const cap = (available: boolean, reason: string) => ({ available, reason });

/** A probe report of the shape harness/probe.ts writes, with the items these tests vary. */
export function probe(o: { release: string; btfSize: number; lock: string; fentry: [boolean, string]; overwrite: boolean; jit?: boolean }) {
  return {
    schema: 'ringbench/probe@1',
    kernel: { release: o.release, version: '#1 SMP', arch: 'x86_64' },
    btf: cap(true, `/sys/kernel/btf/vmlinux present (${o.btfSize} bytes)`),
    btfInfo: { sizeBytes: o.btfSize, ringbufLockType: o.lock, ringbufLock: cap(true, o.lock) },
    native: cap(true, 'addon probed 41 items'),
    mapTypes: { ringbuf: cap(true, 'created'), perfEventArray: cap(true, 'created'), userRingbuf: cap(true, 'created') },
    ringbufOverwrite: cap(o.overwrite, o.overwrite ? 'created with BPF_F_RB_OVERWRITE' : 'kernel rejects flag BPF_F_RB_OVERWRITE (EINVAL); added in Linux 6.19'),
    attach: { btfTracepoint: cap(true, 'attached'), fentry: cap(o.fentry[0], o.fentry[1]) },
    privileges: { euid: 0, capBpf: cap(true, 'CAP_BPF in the effective set') },
    jit: { enabled: o.jit ?? true, value: o.jit === false ? 0 : 1 },
    cpuCount: 2,
    libbpf: { version: 'v1.1' },
    verdict: { canRun: true, reasons: [] },
  };
}

export const OLD = probe({ release: '6.1.0-cloud', btfSize: 5_100_000, lock: 'raw_spinlock_t', fentry: [false, 'cannot load an fentry program: EPERM (Operation not permitted) even as root (a lockdown or LSM policy)'], overwrite: false });
export const NEW = probe({ release: '6.18.4', btfSize: 5_482_429, lock: 'rqspinlock_t', fentry: [true, 'loaded'], overwrite: false });

/** A kernel matrix folder: an emulated 6.1 guest and the native host, one run each (smoke). */
export function writeMatrixFixture(ids: string[] = ['6.1-cloud', 'host']): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringbench-matrix-fixture-'));
  const kernels = ids.map((id, i) => ({ id, probe: i % 2 === 0 ? OLD : NEW, emulated: id !== 'host' }));
  for (const [i, k] of kernels.entries()) {
    mkdirSync(join(dir, 'kernels', k.id), { recursive: true });
    writeFileSync(join(dir, 'kernels', k.id, 'probe.json'), JSON.stringify(k.probe));
    const results = makeResults({ repeats: 1, groups: ['producers'], seed: 10 + i, hostname: 'vm', kernel: k.probe.kernel.release });
    writeFileSync(join(dir, 'kernels', k.id, 'results.json'), JSON.stringify(results));
  }
  const host = makeResults({ repeats: 1, groups: ['producers'] }).environment;
  const m: MatrixFile = {
    schema: MATRIX_SCHEMA, suite: 'smoke', suiteFile: 'bench/suites/smoke.json', accel: 'tcg', emulated: true, rounds: 1,
    startedAt: new Date(0).toISOString(), complete: true, command: `ringbench matrix --kernels ${ids.join(',')}`, host,
    kernels: kernels.map((k) => ({
      input: k.id, id: k.id, kind: k.id === 'host' ? 'host' : 'debian', dir: `kernels/${k.id}`, accel: k.emulated ? 'tcg' : 'host', emulated: k.emulated,
      prepareMs: 0, status: 'ok',
      // the first kernel's first boot panicked and was retried (matrix.ts BOOT_RETRIES)
      boots: [
        ...(k === kernels[0] ? [{ round: 1, exitStatus: null, bootMs: null, wallMs: 2100, failure: 'the guest kernel panicked (Fatal exception in interrupt)', retried: true, consoleLog: 'guest/console.boot-1-1.log' }] : []),
        { round: 1, exitStatus: 0, bootMs: 1000, wallMs: 2000 },
      ],
    })),
  };
  writeFileSync(join(dir, 'matrix.json'), JSON.stringify(m));
  return dir;
}
