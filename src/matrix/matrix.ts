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
 * Outputs go through results/outdir like every writer's: --out must be a new (empty) real
 * directory of this user's, it is locked for the run (a second matrix there is refused naming the
 * PID), and every file is written O_EXCL|O_NOFOLLOW then renamed. Flags, tools and privileges are
 * all checked before anything is created. Signals are cli/signals': the first stops the current
 * guest and keeps finished kernels, a second ends the process at once.
 *
 * Exit: 0 every kernel booted and passed its checks; 1 a kernel failed (or the machine cannot boot
 * guests, or privileges are missing); 2 bad input (one line naming the flag); 130 SIGINT, 143
 * SIGTERM (finished work is kept).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { captureEnvironment } from '../harness/env.js';
import { ROOT } from '../harness/addon.js';
import { probe } from '../harness/probe.js';
import { OutputDir, checkOutputPath, openOutDir } from '../results/outdir.js';
import { BUILTIN_SUITES, loadSuite, SuiteError } from '../suite/suite.js';
import { cannotRun, EXIT, reportError } from '../cli/errors.js';
import { ACCELS, DEFAULTS, intFlag, UsageError } from '../cli/flags.js';
import { onInterrupt } from '../cli/signals.js';
import { KernelFetchError, KernelListError, parseKernelList, prepareDebianKernel, preparePathKernel, resolvePackage, type KernelSpec, type PreparedKernel } from './kernels.js';
import { writeMatrixReport, MATRIX_SCHEMA, type MatrixFile, type MatrixKernel } from './matrix-report.js';
import { bootAndRun, kvmProblem, missingTools, troubleWords, type Accel, type BootResult } from './qemu.js';

/** Boots of one kernel in one round that may fail before the guest command starts and be tried
 *  again. Under TCG a kernel that ran many times here panicked once at boot on another machine;
 *  a retry keeps that kernel's column, and the failed boot stays in matrix.json, the report and
 *  its own console log. A failure once the command runs is data and is never retried. */
export const BOOT_RETRIES = 1;

/** The guest never reached its command (a panic, an init failure), and no one stopped it. */
const bootFailedEarly = (r: BootResult) => r.exitStatus === null && r.bootMs === null && !r.timedOut && !r.aborted;

export interface MatrixOptions {
  kernels?: string;
  suite?: string;
  out?: string;
  rounds?: string;
  accel?: string;
  timeout?: string;
  report?: boolean;
}

const GUEST_JS = join(ROOT, 'dist', 'src', 'matrix', 'guest.js');

function defaultOut(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join(ROOT, 'reports', `matrix-${stamp}`);
}

/** --out checked without creating anything: outdir's rules, and no white space (the path goes on
 *  the guest's kernel command line). */
function checkMatrixOut(raw: string): string {
  const abs = checkOutputPath(raw, '--out');
  if (/\s/.test(abs)) throw new UsageError(`--out ${raw}: the path must not contain white space (it goes on the guest's kernel command line)`);
  return abs;
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

/** One folder name per kernel, unique whatever the inputs' file names: two path: kernels both
 *  called vmlinuz become path-vmlinuz and path-vmlinuz-2 (a shared folder lost one's results). */
export function kernelIds(specs: readonly KernelSpec[]): string[] {
  const taken = new Set<string>();
  return specs.map((spec) => {
    const id = kernelId(spec);
    let unique = id;
    for (let n = 2; taken.has(unique.toLowerCase()); n++) unique = `${id}-${n}`;
    taken.add(unique.toLowerCase());
    return unique;
  });
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function guestArgs(dir: string, suite: string, repeats: number, accel: string, round: number, hostEnv: string): string[] {
  return [GUEST_JS, '--out', dir, '--suite', suite, '--repeats', String(repeats), '--accel', accel, '--round', String(round), '--host-env', hostEnv];
}

/** The `host` column: guest.ts as a child of this process, reaped by PID, same timeout rules. */
function runOnHost(args: string[], guestDir: OutputDir, timeoutMs: number, signal: AbortSignal, onLine: (l: string) => void): Promise<BootResult> {
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
      guestDir.write('output.log', `${tail.join('\n')}\n`);
      const failure = timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : signal.aborted ? 'interrupted' : undefined;
      done({ exitStatus: failure ? null : code, timedOut, aborted: signal.aborted, bootMs: null, wallMs: Date.now() - started, failure, consoleTail: tail });
    });
  });
}

export async function matrixCommand(opts: MatrixOptions): Promise<number> {
  const log = (l: string) => process.stderr.write(`ringbench matrix: ${l}\n`);
  let specs: KernelSpec[];
  let outPath: string;
  let rounds: number;
  let accel: Accel;
  let suite: string;
  let repeats: number;
  let timeoutMs: number;
  try {
    specs = parseKernelList(opts.kernels);
    const accelFlag = opts.accel ?? DEFAULTS.accel;
    if (!(ACCELS as readonly string[]).includes(accelFlag)) throw new UsageError(`--accel must be one of ${ACCELS.join(', ')}; got '${accelFlag}'`);
    suite = suiteFile(opts.suite ?? DEFAULTS.matrixSuite);
    const plan = loadSuite(suite);
    repeats = plan.repeats;
    rounds = opts.rounds === undefined ? 1 : intFlag('--rounds', opts.rounds, 1, repeats);
    const timeoutSec = opts.timeout === undefined ? undefined : intFlag('--timeout', opts.timeout, 10, 86400);
    outPath = checkMatrixOut(opts.out ?? defaultOut());
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
    const needsGuest = specs.some((s) => s.kind !== 'host');
    // Tools and privileges before anything is created (the output tree, the kernel cache).
    if (needsGuest) {
      const missing = missingTools();
      if (missing) {
        log(missing);
        return EXIT.failed;
      }
    }
    if (!existsSync(GUEST_JS)) {
      log(`${GUEST_JS} is missing; build first: npm run setup`);
      return EXIT.failed;
    }
    const refused = matrixPrivileges(specs);
    if (refused !== undefined) return refused;
    const kvm = accelFlag === 'tcg' || !needsGuest ? 'not tried' : await kvmProblem();
    if (accelFlag === 'kvm' && kvm !== null) {
      log(`--accel kvm: ${kvm}; use --accel tcg or auto`);
      return EXIT.failed;
    }
    accel = accelFlag === 'tcg' || kvm !== null ? 'tcg' : 'kvm';
    if (accelFlag === 'auto' && needsGuest && kvm !== null) log(`KVM unusable (${kvm}): guests run under TCG emulation`);
    const smoke = plan.name === 'smoke';
    timeoutMs = (timeoutSec ?? (accel === 'tcg' ? (smoke ? 300 : 3600) : smoke ? 120 : 1800)) * 1000;
  } catch (e) {
    if (e instanceof KernelListError || e instanceof SuiteError) {
      process.stderr.write(`ringbench matrix: ${e.message}\n`);
      return EXIT.usage;
    }
    return reportError(e);
  }
  let outDir: OutputDir;
  try {
    outDir = openOutDir(outPath, { kind: 'matrix', notEmptyHint: 'a kernel matrix is not resumed or replaced: choose a new folder' });
  } catch (e) {
    return reportError(e);
  }
  const out = outDir.path;

  const stopper = new AbortController();
  const interrupts = onInterrupt(() => stopper.abort(), 'stopping the current guest; finished kernels are kept');
  try {
    const started = Date.now();
    const hostEnv = captureEnvironment();
    const hostEnvFile = outDir.write('host-environment.json', `${JSON.stringify(hostEnv, null, 2)}\n`);

    // Fetch (or find in the cache) the kernels one after another in the background: the first
    // boots while the next downloads. A kernel that cannot be fetched fails alone.
    const kernels: { spec: KernelSpec; prepared?: PreparedKernel; ready: Promise<void>; entry: MatrixKernel; guestDir: OutputDir }[] = [];
    const kernelsDir = outDir.subdir('kernels');
    let chain: Promise<void> = Promise.resolve();
    const ids = kernelIds(specs);
    for (const [i, spec] of specs.entries()) {
      const id = ids[i];
      const kernelDir = kernelsDir.subdir(id);
      const guestDir = kernelDir.subdir('guest');
      const dir = kernelDir.path;
      const entry: MatrixKernel = {
        input: spec.input, id, kind: spec.kind, dir: `kernels/${id}`, release: spec.kind === 'host' ? hostEnv.kernel : undefined,
        accel: spec.kind === 'host' ? 'host' : accel, emulated: spec.kind !== 'host' && accel === 'tcg', prepareMs: 0, boots: [], status: 'pending',
      };
      const k: (typeof kernels)[number] = { spec, entry, guestDir, ready: Promise.resolve() };
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
    const save = () => outDir.write('matrix.json', `${JSON.stringify(matrix, null, 2)}\n`);
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
          result = await runOnHost(args, k.guestDir, timeoutMs, stopper.signal, onLine);
        } else {
          const script = `#!/bin/sh\n# written by ringbench matrix; runs inside the guest, chrooted into the host's files\ncd ${q(ROOT)}\n{ ${[process.execPath, ...args].map(q).join(' ')}; echo $? > ${q(join(dir, 'guest', 'exit-status'))}; } 2>&1 | tee -a ${q(join(dir, 'guest', 'output.log'))}\n`;
          k.guestDir.write('command.sh', script, { mode: 0o755 });
          for (let attempt = 1; ; attempt++) {
            result = await bootAndRun({ kernel: k.prepared!, outDir: dir, accel, timeoutMs, onConsole: onLine, signal: stopper.signal });
            if (!bootFailedEarly(result) || attempt > BOOT_RETRIES || stopper.signal.aborted) break;
            // Kept apart: the next boot starts a new console.log.
            let consoleLog: string | undefined = `guest/console.boot-${round}-${attempt}.log`;
            try {
              renameSync(join(dir, 'guest', 'console.log'), join(dir, consoleLog));
            } catch {
              consoleLog = undefined; // the guest removed it; the failure and the excerpt still say what happened
            }
            k.entry.boots.push({ round, exitStatus: null, bootMs: null, wallMs: result.wallMs, failure: result.failure, kernelTrouble: result.trouble && troubleWords(result.trouble), retried: true, consoleLog });
            log(`${k.entry.id}: boot failed before the guest command started (${result.failure}); console in ${consoleLog ?? 'no file (removed by the guest)'}; booting once more`);
            if (result.trouble) log(`${k.entry.id}: ${result.trouble.excerpt.slice(0, 12).join('\n  ')}`);
          }
        }
        const guestFile = join(dir, 'guest.json');
        const guest = existsSync(guestFile) ? JSON.parse(readFileSync(guestFile, 'utf8')) : undefined;
        k.entry.boots.push({ round, exitStatus: result.exitStatus, bootMs: result.bootMs, wallMs: result.wallMs, probeMs: guest?.probeMs, suiteMs: guest?.suiteMs, failure: result.failure, kernelTrouble: result.trouble && troubleWords(result.trouble) });
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
          if (result.trouble) log(`${k.entry.id}: the kernel's account (guest/console.log):\n  ${result.trouble.excerpt.join('\n  ')}`);
          else if (result.failure && result.consoleTail.length) log(`${k.entry.id}: last console lines:\n  ${result.consoleTail.slice(-8).join('\n  ')}`);
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
      const report = await writeMatrixReport(outDir.path, matrix, log, outDir);
      log(`report: ${report.html}`);
    }
    log(`wrote ${join(out, 'matrix.json')} in ${(matrix.wallMs / 1000).toFixed(0)} s`);
    if (interrupts.exitCode !== undefined) return interrupts.exitCode;
    return kernels.every((k) => k.entry.status === 'ok') ? EXIT.ok : EXIT.failed;
  } catch (e) {
    return reportError(e);
  } finally {
    interrupts.dispose();
    outDir.release();
  }
}

/**
 * What this user lacks for the kernels asked for, said before anything is created (exit 1), or
 * undefined. Guests need root: virtiofsd serves the host's files and QEMU opens /dev/kvm and the
 * per-kernel shares; the `host` column needs what `run` needs (the probe's verdict).
 */
function matrixPrivileges(specs: readonly KernelSpec[]): number | undefined {
  const euid = typeof process.geteuid === 'function' ? process.geteuid() : 0;
  if (euid !== 0 && specs.some((s) => s.kind !== 'host')) {
    process.stderr.write(`ringbench matrix: cannot run here: booting kernels in guests needs root (virtiofsd serves the host's files to the guest as root); run it with sudo, or use --kernels host\n`);
    return EXIT.failed;
  }
  return specs.some((s) => s.kind === 'host') ? cannotRun(probe()) : undefined;
}
