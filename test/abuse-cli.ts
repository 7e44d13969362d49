/**
 * abuse-cli — what the abuse tier's files share (test/output-safety, test/signals): the real
 * `ringbench` run as a child with signals sent when a condition holds, as an unprivileged user,
 * or with the file system read-only outside one directory; snapshots of a tree (owner, mode,
 * content hash, link target) to prove nothing changed; tiny suites. The hostile user is uid 65534.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { ROOT } from '../src/harness/addon.js';
import { type ResultsFile } from '../src/results/schema.js';
import { childrenOf, sleep } from './kernel.js';

export const CLI = join(ROOT, 'dist', 'src', 'cli.js');
export const NOBODY = 65534;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
  /** ms from the last signal sent to the exit */
  msAfterSignal?: number;
}

/** What a signal's condition sees of the running command. */
export interface Watch {
  stdout: string;
  stderr: string;
  pid: number;
  /** ms since the previous signal was sent (Infinity before the first) */
  sinceSignalMs: number;
}

export interface CliOptions {
  /** signals to send, each once its condition holds (checked every 20 ms, in order) */
  signals?: { signal: NodeJS.Signals; when: (now: Watch) => boolean }[];
  /** run as uid/gid 65534 with no capabilities */
  unprivileged?: boolean;
  /** run in a mount namespace where the root file system is read-only except this directory */
  readOnlyExcept?: string;
  /** working directory (default: this process's) */
  cwd?: string;
}

export function cli(args: string[], opts: CliOptions = {}): Promise<Exit> {
  let cmd = process.execPath;
  let argv = [CLI, ...args];
  if (opts.unprivileged) {
    argv = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--', cmd, ...argv];
    cmd = 'setpriv';
  } else if (opts.readOnlyExcept) {
    const script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro / && exec "$@"';
    argv = ['--mount', '--propagation', 'private', 'sh', '-c', script, opts.readOnlyExcept, cmd, ...argv];
    cmd = 'unshare';
  }
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd, env: { ...process.env, CI: 'true' } });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d) => (out.stdout += d));
    child.stderr.on('data', (d) => (out.stderr += d));
    const pending = [...(opts.signals ?? [])];
    let lastSignalAt: number | undefined;
    const timer = setInterval(() => {
      const now: Watch = { ...out, pid: child.pid!, sinceSignalMs: lastSignalAt ? Date.now() - lastSignalAt : Infinity };
      if (pending.length && pending[0].when(now)) {
        child.kill(pending.shift()!.signal);
        lastSignalAt = Date.now();
      }
    }, 20);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, ...out, pid: child.pid!, msAfterSignal: lastSignalAt && Date.now() - lastSignalAt });
    });
  });
}

/** Every entry under `root`: type, owner, mode, and the content's hash or the link's target. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    const st = lstatSync(p);
    const head = `${st.uid}:${st.gid} ${(st.mode & 0o177777).toString(8)}`;
    if (st.isSymbolicLink()) out[p] = `${head} -> ${readlinkSync(p)}`;
    else if (st.isFile()) out[p] = `${head} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    else if (st.isDirectory()) {
      out[p] = head;
      for (const e of readdirSync(p)) walk(join(p, e));
    } else out[p] = head;
  };
  walk(root);
  return out;
}

/** Real files only: no symlink anywhere under `root`, everything root's own. */
export function assertOnlyRealFiles(root: string): void {
  for (const [p, what] of Object.entries(snapshot(root))) {
    assert.not.match(what, / -> /, `${p} is a symlink`);
    assert.ok(what.startsWith('0:0 '), `${p} is not root's: ${what}`);
  }
}

/** `scenarios` scenarios (both transports when even, ringbuf alone for 1) of a tiny storm. */
export const tinySuite = (scenarios: number, children: number, repeats = 1) => ({
  name: 'abuse',
  repeats,
  warmup: 0,
  defaults: { children, ringbufBytes: '256K', workers: 1 },
  groups: [{ group: 'producers', sweep: { rateCap: Array.from({ length: Math.ceil(scenarios / 2) }, (_, i) => i * 1000000) } }],
  ...(scenarios === 1 ? { transports: ['ringbuf'] } : {}),
});

/** Writes `suite` as `<dir>/<name>.json` and returns its path. */
export function suiteFile(dir: string, name: string, suite: unknown): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(suite));
  return file;
}

export function readResults(dir: string): ResultsFile {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
}

export const trials = (r: ResultsFile) => r.scenarios.reduce((n, s) => n + s.repeats['wallNs'].length, 0);

export const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));


/** A condition that holds once the command's storm is running, remembering its pids. */
export function stormRunning(seen: Set<number>) {
  return (now: Watch) => {
    for (const p of childrenOf(now.pid)) seen.add(p);
    return seen.size > 0;
  };
}

export async function assertGone(pids: Set<number>): Promise<void> {
  for (let i = 0; i < 100 && [...pids].some(alive); i++) await sleep(30);
  assert.equal([...pids].filter(alive), [], 'storm processes left behind');
}
