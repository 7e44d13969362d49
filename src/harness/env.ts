/**
 * env — the environment a result was measured in: kernel, CPU, tool versions, the project's git
 * commit. Recorded with every results file so two runs can be told apart and reproduced.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { loadAddon, ROOT } from './addon.js';
import type { Environment } from './types.js';

/** First line a command prints, or 'unavailable'. */
function firstLine(cmd: string, args: string[]): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return out.split('\n')[0].trim() || 'unavailable';
  } catch {
    return 'unavailable';
  }
}

/** USER_HZ: the unit of /proc/stat and /proc/<pid>/stat times, 100 a second on Linux. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time since boot, summed over CPUs, in seconds, from /proc/stat: busy (user + nice +
 *  system), what the hypervisor withheld (steal), and all of it (user .. steal; guest time is
 *  already in user). Undefined where /proc/stat is unreadable. */
export function cpuTimes(): { busySeconds: number; stealSeconds: number; totalSeconds: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    if (f.length < 8 || !f.every(Number.isFinite)) return undefined;
    const [user, nice, system] = f;
    const s = (ticks: number) => ticks / CLOCK_TICKS_PER_SECOND;
    return { busySeconds: s(user + nice + system), stealSeconds: s(f[7]), totalSeconds: s(f.reduce((a, b) => a + b, 0)) };
  } catch {
    return undefined;
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** HEAD of the checkout, "-dirty" when tracked files changed. Read-only: --no-optional-locks keeps
 *  `git status` from refreshing the index (which takes .git/index.lock, a write outside --out). */
function gitCommit(): string {
  const git = (args: string[]) => execFileSync('git', ['--no-optional-locks', '-C', ROOT, ...args], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
  }).trim();
  try {
    const sha = git(['rev-parse', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no']);
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return archivedCommit() ?? 'unknown';
  }
}

/** The commit a `git archive` tree was packed from (scripts/commit, filled in by export-subst), as
 *  `ringbench fleet` ships it to hosts that have no .git; undefined in a checkout or elsewhere. */
function archivedCommit(): string | undefined {
  try {
    const line = readFileSync(join(ROOT, 'scripts', 'commit'), 'utf8').split('\n').find((l) => l && !l.startsWith('#'));
    return line && /^[0-9a-f]{40}$/.test(line.trim()) ? `${line.trim()}-archive` : undefined;
  } catch {
    return undefined;
  }
}

export function captureEnvironment(capabilities?: unknown): Environment {
  let libbpf = 'unavailable';
  let libbpfSource = 'unavailable';
  try {
    const addon = loadAddon();
    libbpf = addon.libbpfVersion();
    libbpfSource = addon.libbpfSource;
  } catch {
    /* reported as unavailable */
  }
  return {
    kernel: os.release(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
    libbpf,
    libbpfSource,
    clang: firstLine('clang', ['--version']),
    bpftool: firstLine('bpftool', ['version']),
    node: process.version,
    ringbench: packageVersion(),
    gitCommit: gitCommit(),
    hostname: os.hostname(),
    date: new Date().toISOString(),
    capabilities,
  };
}
