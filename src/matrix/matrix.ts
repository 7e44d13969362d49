/**
 * matrix — `ringbench matrix --kernels LIST [--suite smoke|quick|FILE] [--out DIR] [--rounds N]
 * [--accel auto|kvm|tcg] [--timeout SEC]`: one suite on several kernels, one report.
 *
 * Each Debian kernel is fetched into the per-user cache (kernels.ts), booted in a QEMU guest that
 * sees the host's files (qemu.ts), and runs guest.ts there: probe plus suite in one node process,
 * writing into <out>/kernels/<id>/. `host` runs guest.ts directly on this machine. With --rounds N
 * every round boots every kernel once (A, B, C, A, B, C) and adds its share of the suite's repeats,
 * so drift of the host hits every kernel alike. The report is rendered on the host at the end
 * (matrix-report.ts). Results from TCG are labelled emulated throughout.
 *
 * Exit: 0 every kernel booted and passed its checks; 1 a kernel failed (or the machine cannot boot
 * guests); 2 bad input (one line naming the flag); 130 interrupted (finished work is kept).
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { captureEnvironment } from '../harness/env.js';
import { ROOT } from '../harness/addon.js';
import { BUILTIN_SUITES, loadSuite, SuiteError } from '../suite/suite.js';
import { KernelFetchError, KernelListError, parseKernelList, prepareDebianKernel, preparePathKernel, resolvePackage, type KernelSpec, type PreparedKernel } from './kernels.js';
import { writeMatrixReport, MATRIX_SCHEMA, type MatrixFile, type MatrixKernel } from './matrix-report.js';
import { bootAndRun, kvmProblem, missingTools, type Accel, type BootResult } from './qemu.js';

export interface MatrixOptions {
  kernels?: string;
  suite?: string;
  out?: string;
  rounds?: string;
  accel?: string;
  timeout?: string;
  report?: boolean;
}

class UsageError extends Error {}

const GUEST_JS = join(ROOT, 'dist', 'src', 'matrix', 'guest.js');

function defaultOut(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join(ROOT, 'reports', `matrix-${stamp}`);
}

/** Creates dir (and missing parents) refusing any symlink on the way; returns its absolute path. */
export function safeDir(dir: string, flag: string): string {
  const abs = resolve(dir);
  if (/\s/.test(abs)) throw new UsageError(`${flag} ${dir}: the path must not contain white space (it goes on the guest's kernel command line)`);
  const missing: string[] = [];
  let d = abs;
  for (; !existsSync(d); d = dirname(d)) missing.unshift(d);
  if (realpathSync(d) !== d) throw new UsageError(`${flag} ${dir}: ${d} is or passes through a symlink; give the real path`);
  if (!lstatSync(d).isDirectory()) throw new UsageError(`${flag} ${dir}: ${d} is not a directory`);
  try {
    for (const m of missing) mkdirSync(m);
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: cannot create it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return abs;
}

function parseInteger(raw: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new UsageError(`${flag} must be an integer in ${min}..${max}; got '${raw}'`);
  return n;
}

function suiteFile(name: string): string {
  if ((BUILTIN_SUITES as readonly string[]).includes(name)) return join(ROOT, 'suites', `${name}.json`);
  return resolve(name);
}

/** The per-kernel folder name: the input without the linux-image- prefix, file-name safe. */
function kernelId(spec: KernelSpec): string {
  if (spec.kind === 'host') return 'host';
  if (spec.kind === 'path') return `path-${spec.vmlinuz.split('/').pop()!.replace(/[^A-Za-z0-9._+-]/g, '_')}`;
  return spec.input.replace(/^linux-image-/, '').replace(/[^A-Za-z0-9._+-]/g, '_');
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function guestArgs(dir: string, suite: string, repeats: number, accel: string, round: number, hostEnv: string): string[] {
  return [GUEST_JS, '--out', dir, '--suite', suite, '--repeats', String(repeats), '--accel', accel, '--round', String(round), '--host-env', hostEnv];
}

/** The `host` column: guest.ts as a child of this process, reaped by PID, same timeout rules. */
function runOnHost(args: string[], dir: string, timeoutMs: number, signal: AbortSignal, onLine: (l: string) => void): Promise<BootResult> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    const tail: string[] = [];
    const onData = (d: Buffer) => {
      for (const l of d.toString('utf8').split('\n').filter(Boolean)) {
        tail.push(l);
        if (tail.length > 40) tail.shift();
        onLine(l);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    signal.addEventListener('abort', kill, { once: true });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', kill);
      writeFileSync(join(dir, 'guest', 'output.log'), `${tail.join('\n')}\n`);
      const failure = timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : signal.aborted ? 'interrupted' : undefined;
      done({ exitStatus: failure ? null : code, timedOut, aborted: signal.aborted, bootMs: null, wallMs: Date.now() - started, failure, consoleTail: tail });
    });
  });
}

export async function matrixCommand(opts: MatrixOptions): Promise<number> {
  const log = (l: string) => process.stderr.write(`ringbench matrix: ${l}\n`);
  let specs: KernelSpec[];
  let out: string;
  let rounds: number;
  let accel: Accel;
  let suite: string;
  let repeats: number;
  let timeoutMs: number;
  try {
    specs = parseKernelList(opts.kernels);
    // An unknown package name is bad input: ask apt before anything starts.
    for (const spec of specs) {
      if (spec.kind !== 'debian') continue;
      try {
        resolvePackage(spec.pkg);
      } catch (e) {
        if (e instanceof KernelFetchError) throw new UsageError(`--kernels ${spec.input}: ${e.message}`);
        throw e;
      }
    }
    const accelFlag = opts.accel ?? 'auto';
    if (!['auto', 'kvm', 'tcg'].includes(accelFlag)) throw new UsageError(`--accel must be auto, kvm or tcg; got '${accelFlag}'`);
    suite = suiteFile(opts.suite ?? 'smoke');
    const plan = loadSuite(suite);
    repeats = plan.repeats;
    rounds = parseInteger(opts.rounds, '--rounds', 1, repeats, 1);
    const needsGuest = specs.some((s) => s.kind !== 'host');
    const kvm = accelFlag === 'tcg' || !needsGuest ? 'not tried' : await kvmProblem();
    if (accelFlag === 'kvm' && kvm !== null) {
      log(`--accel kvm: ${kvm}; use --accel tcg or auto`);
      return 1;
    }
    accel = accelFlag === 'tcg' || kvm !== null ? 'tcg' : 'kvm';
    if (accelFlag === 'auto' && needsGuest && kvm !== null) log(`KVM unusable (${kvm}): guests run under TCG emulation`);
    const smoke = plan.name === 'smoke';
    const defaultTimeout = accel === 'tcg' ? (smoke ? 300 : 3600) : smoke ? 120 : 1800;
    timeoutMs = parseInteger(opts.timeout, '--timeout', 10, 86400, defaultTimeout) * 1000;
    out = safeDir(opts.out ?? defaultOut(), '--out');
    if (existsSync(join(out, 'matrix.json')) || existsSync(join(out, 'kernels')))
      throw new UsageError(`--out ${opts.out}: already holds a kernel matrix; choose a new folder (a matrix is not resumed)`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof KernelListError || e instanceof SuiteError) {
      process.stderr.write(`ringbench matrix: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (specs.some((s) => s.kind !== 'host')) {
    const missing = missingTools();
    if (missing) {
      log(missing);
      return 1;
    }
  }
  if (!existsSync(GUEST_JS)) {
    log(`${GUEST_JS} is missing; build first: npm run setup`);
    return 1;
  }

  const stopper = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    log('interrupted: stopping the current guest; finished kernels are kept');
    stopper.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const started = Date.now();
    const hostEnv = captureEnvironment();
    const hostEnvFile = join(out, 'host-environment.json');
    writeFileSync(hostEnvFile, `${JSON.stringify(hostEnv, null, 2)}\n`);

    // Fetch (or find in the cache) the kernels one after another in the background: the first
    // boots while the next downloads. A kernel that cannot be fetched fails alone.
    const kernels: { spec: KernelSpec; prepared?: PreparedKernel; ready: Promise<void>; entry: MatrixKernel }[] = [];
    const kernelsDir = safeDir(join(out, 'kernels'), '--out');
    let chain: Promise<void> = Promise.resolve();
    for (const spec of specs) {
      const id = kernelId(spec);
      const dir = safeDir(join(kernelsDir, id), '--out');
      safeDir(join(dir, 'guest'), '--out');
      const entry: MatrixKernel = {
        input: spec.input, id, kind: spec.kind, dir: `kernels/${id}`, release: spec.kind === 'host' ? hostEnv.kernel : undefined,
        accel: spec.kind === 'host' ? 'host' : accel, emulated: spec.kind !== 'host' && accel === 'tcg', prepareMs: 0, boots: [], status: 'pending',
      };
      const k: (typeof kernels)[number] = { spec, entry, ready: Promise.resolve() };
      chain = chain.then(async () => {
        if (stopper.signal.aborted) return;
        const t = Date.now();
        try {
          if (spec.kind === 'debian') k.prepared = await prepareDebianKernel(spec, log, stopper.signal);
          else if (spec.kind === 'path') k.prepared = preparePathKernel(spec, join(dir, 'guest'));
        } catch (e) {
          if (!(e instanceof KernelFetchError)) throw e;
          entry.status = 'failed';
          entry.error = e.message;
          log(`${id}: ${e.message}`);
        }
        Object.assign(entry, { pkg: k.prepared?.pkg, version: k.prepared?.version, release: entry.release ?? k.prepared?.release, prepareMs: Date.now() - t });
      });
      k.ready = chain;
      kernels.push(k);
    }

    const matrix: MatrixFile = {
      schema: MATRIX_SCHEMA, suite: loadSuite(suite).name, suiteFile: suite, accel, emulated: accel === 'tcg' && kernels.some((k) => k.spec.kind !== 'host'),
      rounds, startedAt: new Date(started).toISOString(), complete: false, command: ['ringbench', ...process.argv.slice(2)].join(' '),
      host: hostEnv, kernels: kernels.map((k) => k.entry),
    };
    const save = () => writeFileSync(join(out, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
    save();

    for (let round = 1; round <= rounds && !stopper.signal.aborted; round++) {
      const target = Math.ceil((repeats * round) / rounds);
      for (const k of kernels) {
        await k.ready;
        if (stopper.signal.aborted || k.entry.status === 'failed') continue;
        const dir = join(out, k.entry.dir);
        const args = guestArgs(dir, suite, target, k.entry.accel, round, hostEnvFile);
        const onLine = (l: string) => {
          if (l.startsWith('guest:') || l.startsWith('ringbench-init:')) log(`${k.entry.id}: ${l.replace(/^guest: /, '')}`);
        };
        log(`round ${round}/${rounds}: ${k.entry.id}${k.spec.kind === 'host' ? ' (this machine)' : ` (${k.entry.release}, ${accel === 'tcg' ? 'TCG, emulated' : 'KVM'})`}`);
        let result: BootResult;
        if (k.spec.kind === 'host') {
          result = await runOnHost(args, dir, timeoutMs, stopper.signal, onLine);
        } else {
          const script = `#!/bin/sh\n# written by ringbench matrix; runs inside the guest, chrooted into the host's files\ncd ${q(ROOT)}\n{ ${[process.execPath, ...args].map(q).join(' ')}; echo $? > ${q(join(dir, 'guest', 'exit-status'))}; } 2>&1 | tee -a ${q(join(dir, 'guest', 'output.log'))}\n`;
          writeFileSync(join(dir, 'guest', 'command.sh'), script, { mode: 0o755 });
          result = await bootAndRun({ kernel: k.prepared!, outDir: dir, accel, timeoutMs, onConsole: onLine, signal: stopper.signal });
        }
        const guestFile = join(dir, 'guest.json');
        const guest = existsSync(guestFile) ? JSON.parse(readFileSync(guestFile, 'utf8')) : undefined;
        k.entry.boots.push({ round, exitStatus: result.exitStatus, bootMs: result.bootMs, wallMs: result.wallMs, probeMs: guest?.probeMs, suiteMs: guest?.suiteMs, failure: result.failure });
        k.entry.checks = guest?.checks;
        if (guest?.kernel) k.entry.release = guest.kernel; // what the guest's uname says (path: kernels)
        if (result.aborted) {
          k.entry.status = 'interrupted';
          k.entry.error = 'interrupted (Ctrl-C or SIGTERM) before the guest finished';
          log(`${k.entry.id}: interrupted`);
        } else if (result.exitStatus !== 0) {
          k.entry.status = 'failed';
          const output = existsSync(join(dir, 'guest', 'output.log')) ? readFileSync(join(dir, 'guest', 'output.log'), 'utf8').trim().split('\n') : [];
          k.entry.error =
            result.failure ??
            (result.exitStatus === 3
              ? 'the probe says ringbench cannot run on this kernel'
              : guest?.round === round
                ? `checks failed: ${(guest.checks as { ok: boolean; name: string; detail: string }[]).filter((c) => !c.ok).map((c) => `${c.name} (${c.detail})`).join('; ')}`
                : `the guest command exited ${result.exitStatus} without a report: ${output.filter((l) => /error/i.test(l))[0] ?? output.pop() ?? 'no output'}`);
          log(`${k.entry.id}: FAILED: ${k.entry.error}`);
          if (result.failure && result.consoleTail.length) log(`${k.entry.id}: last console lines:\n  ${result.consoleTail.slice(-8).join('\n  ')}`);
        } else {
          k.entry.status = round === rounds ? 'ok' : 'pending';
          log(`${k.entry.id}: done in ${(result.wallMs / 1000).toFixed(1)} s${result.bootMs ? ` (boot ${(result.bootMs / 1000).toFixed(1)} s)` : ''}`);
        }
        save();
      }
    }
    await chain.catch(() => {}); // a fetch still running after an interrupt has been killed
    matrix.complete = !stopper.signal.aborted;
    matrix.finishedAt = new Date().toISOString();
    matrix.wallMs = Date.now() - started;
    save();
    if (opts.report !== false) {
      const report = await writeMatrixReport(out, matrix, log);
      log(`report: ${report.html}`);
    }
    log(`wrote ${join(out, 'matrix.json')} in ${(matrix.wallMs / 1000).toFixed(0)} s`);
    if (interrupted) return 130;
    return kernels.every((k) => k.entry.status === 'ok') ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
