/**
 * results/outdir — the only way ringbench writes files. ringbench usually runs as root, often into
 * a directory such as /tmp/quick, so an output directory is trusted only when it is a real
 * directory (no symlink anywhere in its path, unless the user gave the resolved path), owned by the
 * invoking user and not writable by anyone else (unless sticky); its ancestors belong to root or
 * the user. Every file is written to an unpredictable temp name created with O_EXCL | O_NOFOLLOW,
 * then renamed over its final name within the directory, so no planted symlink is ever followed
 * and an interrupted write leaves the old file whole. A lock file holding the run's PID keeps two
 * runs out of one directory.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync, constants, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync,
  realpathSync, renameSync, rmSync, unlinkSync, writeFileSync, type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** The output directory cannot be used: bad input (exit 2). */
export class OutputDirError extends Error {
  override name = 'OutputDirError';
}

/** Writing a file failed (ENOSPC, EIO, …): the message names the file (exit 1). */
export class OutputWriteError extends Error {
  override name = 'OutputWriteError';
}

/**
 * new: the directory must be missing or empty (a finished run is never replaced silently);
 * force: files ringbench wrote before are removed first; resume: it must hold a results.json;
 * report: anything may be there (the report's own files are replaced).
 */
export type OutputMode = 'new' | 'force' | 'resume' | 'report';

export interface OutputDirOptions {
  /** the flag the path came from, for messages: "--out", "--resume" */
  flag: string;
  mode: OutputMode;
  /** take the directory's lock file (run does; report does too, so it never writes beside a live run) */
  lock?: boolean;
  /** a root-owned sticky directory (/tmp) is acceptable as the directory itself: for one-file
   *  outputs (writeOutputFile), whose names are created O_EXCL and never followed */
  stickyRootOk?: boolean;
  /** what a `new` directory that is not empty should say to do instead (default: run's hint) */
  notEmptyHint?: string;
}

export const LOCK_FILE = '.ringbench.lock';
/** What `run` and `report` write: --force removes these and nothing else. */
export const RUN_FILES = ['results.json', 'results.csv', 'report.html', 'report.md', 'warnings.json', 'charts'];
const TEMP_NAME = /^\..+\.[0-9a-f]{16}\.tmp$/;

const euid = () => (typeof process.geteuid === 'function' ? process.geteuid() : 0);
const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Why a directory is not safe to write into as this user, or undefined when it is. */
function unsafeDir(st: Stats, ownerOk: (uid: number) => boolean): string | undefined {
  if (st.isSymbolicLink()) return 'is a symlink';
  if (!st.isDirectory()) return 'is not a directory';
  if (!ownerOk(st.uid)) return `belongs to uid ${st.uid}, not to uid ${euid()}`;
  const sticky = (st.mode & 0o1000) !== 0; // S_ISVTX
  if ((st.mode & 0o022) !== 0 && !sticky) return `is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}

/**
 * Checks an output path without creating anything and returns it absolute: not empty, no symlink
 * on the way (unless given resolved), ancestors owned by root or this user and not writable by
 * others unless sticky, and the directory itself (if it exists) this user's own.
 */
export function checkOutputPath(raw: string, flag: string, stickyRootOk = false): string {
  if (raw.trim() === '') throw new OutputDirError(`${flag} must name a directory; got ''`);
  try {
    return checkPath(resolve(raw), raw, flag, stickyRootOk);
  } catch (e) {
    if (e instanceof OutputDirError) throw e;
    throw new OutputDirError(`${flag} ${raw}: cannot look at it (${describeErrno(e)})`);
  }
}

/** The owner test for the output directory itself: this user's, or (stickyRootOk) root's sticky one. */
function ownDir(stickyRootOk: boolean): (uid: number, st: Stats) => boolean {
  const me = euid();
  return (uid, st) => uid === me || (stickyRootOk && uid === 0 && (st.mode & 0o1000) !== 0);
}

function checkPath(abs: string, raw: string, flag: string, stickyRootOk: boolean): string {
  let existing = abs;
  let st = lstatOrUndefined(existing);
  while (!st) {
    existing = dirname(existing);
    st = lstatOrUndefined(existing);
  }
  const real = realpathSync(existing);
  if (real !== existing) {
    const resolved = real + abs.slice(existing.length);
    throw new OutputDirError(`${flag} ${raw}: ${existing} is a symlink to ${real}; ringbench writes only to real paths: pass ${resolved} if that is meant`);
  }
  const me = euid();
  if (existing === abs) {
    const own = ownDir(stickyRootOk);
    const why = unsafeDir(st, (uid) => own(uid, st!));
    if (why) throw new OutputDirError(`${flag} ${raw}: the directory ${why}; use a directory of your own that no other user can write`);
  }
  for (let d = existing === abs ? dirname(abs) : existing; ; d = dirname(d)) {
    const why = unsafeDir(lstatSync(d), (uid) => uid === 0 || uid === me);
    if (why) throw new OutputDirError(`${flag} ${raw}: ${d} ${why}; another user could swap the output directory: choose a path whose every parent is yours or root's`);
    if (d === dirname(d)) break;
  }
  return abs;
}

/** pid and start time (clock ticks since boot) identify a process across pid reuse. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Reads a small file without following a symlink; undefined when it is missing or not a file. */
function readNoFollow(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(256);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The live ringbench process holding a lock file, if any (a dead or reused PID is stale). */
function lockHolder(lockPath: string): number | undefined {
  const m = /^(\d+) (\d+) /.exec(readNoFollow(lockPath) ?? '');
  if (!m) return undefined;
  const pid = Number(m[1]);
  return processStart(pid) === m[2] ? pid : undefined;
}

/** A directory ringbench writes into safely; see the module comment. */
export class OutputDir {
  private lockToken?: string;
  private readonly releaseOnExit = () => this.release();

  private constructor(readonly path: string, private readonly flag: string) {}

  /** Creates or verifies `raw` for `opts.mode`, taking its lock when asked. */
  static open(raw: string, opts: OutputDirOptions): OutputDir {
    const abs = checkOutputPath(raw, opts.flag, opts.stickyRootOk);
    precheckContents(abs, raw, opts);
    // Create what is missing one level at a time (recursive mkdir can spin on /proc-like file
    // systems); a directory that appears meanwhile is verified like any existing one.
    const missing: string[] = [];
    for (let d = abs; !lstatOrUndefined(d); d = dirname(d)) missing.unshift(d);
    for (const d of missing) {
      try {
        mkdirSync(d, { mode: 0o755 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputDirError(`${opts.flag} ${raw}: cannot write there: creating ${d} failed (${code(e)})`);
      }
    }
    const own = ownDir(!!opts.stickyRootOk);
    const st = lstatSync(abs);
    const why = unsafeDir(st, (uid) => own(uid, st));
    if (why) throw new OutputDirError(`${opts.flag} ${raw}: the directory ${why}`);
    const dir = new OutputDir(abs, opts.flag);
    if (opts.lock) dir.lock(raw);
    try {
      precheckContents(abs, raw, opts);
      if (opts.mode === 'force') dir.removeRunFiles();
    } catch (e) {
      dir.release();
      throw e;
    }
    return dir;
  }

  /** Writes `name` (a plain file name) atomically: temp file (O_EXCL, O_NOFOLLOW), fsync, rename.
   *  With `replace: false` an existing `name` is never replaced (OutputDirError): the temp file is
   *  hard-linked into place, which fails when the name is taken. */
  write(name: string, data: string | Uint8Array, { replace = true, mode = 0o644 }: { replace?: boolean; mode?: number } = {}): string {
    if (name.includes(sep) || name.startsWith('.')) throw new Error(`OutputDir.write: '${name}' is not a plain file name`);
    const final = join(this.path, name);
    const tmp = join(this.path, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
    try {
      createExclusive(tmp, data, mode);
    } catch (e) {
      throw new OutputWriteError(`cannot write ${final}: ${describeErrno(e)}`);
    }
    try {
      if (replace) renameSync(tmp, final);
      else linkSync(tmp, final);
    } catch (e) {
      removeQuietly(tmp);
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new OutputDirError(`${final} exists; ringbench does not replace it`);
      throw new OutputWriteError(`cannot write ${final}: ${describeErrno(e)}`);
    }
    if (!replace) removeQuietly(tmp);
    return final;
  }

  /** Whether `name` exists here (as anything, a symlink included). */
  exists(name: string): boolean {
    return lstatOrUndefined(join(this.path, name)) !== undefined;
  }

  /** write() under the name the other writers' API uses (openOutDir). */
  writeFile(name: string, data: string | Uint8Array, opts: { replace?: boolean; mode?: number } = {}): string {
    return this.write(name, data, opts);
  }

  /** subdir() under the name the other writers' API uses (openOutDir). */
  mkdir(name: string): OutputDir {
    return this.subdir(name);
  }

  /** The lock this handle holds (its token), or undefined: subdirectories share their parent's. */
  get locked(): boolean {
    return this.lockToken !== undefined;
  }

  /** A subdirectory (created if missing, else verified as a real, private directory of ours). */
  subdir(name: string): OutputDir {
    const p = join(this.path, name);
    try {
      mkdirSync(p, { mode: 0o755 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputWriteError(`cannot create ${p}: ${describeErrno(e)}`);
      const me = euid();
      const why = unsafeDir(lstatSync(p), (uid) => uid === me);
      if (why) throw new OutputDirError(`${p} ${why}: ringbench writes only into real directories of its own`);
    }
    return new OutputDir(p, this.flag);
  }

  /** Frees the lock (also done at process exit); a no-op without one. */
  release(): void {
    if (!this.lockToken) return;
    const lockPath = join(this.path, LOCK_FILE);
    if (readNoFollow(lockPath)?.endsWith(` ${this.lockToken}\n`)) removeQuietly(lockPath);
    this.lockToken = undefined;
    process.off('exit', this.releaseOnExit);
  }

  /** Takes the lock file: written whole under a temp name, then hard-linked into place (which
   *  fails when the name is taken). */
  private lock(raw: string): void {
    const token = randomBytes(8).toString('hex');
    const lockPath = join(this.path, LOCK_FILE);
    const tmp = `${lockPath}.${token}`;
    try {
      createExclusive(tmp, `${process.pid} ${processStart(process.pid) ?? 0} ${token}\n`);
    } catch (e) {
      throw new OutputWriteError(`cannot create ${tmp}: ${describeErrno(e)}`);
    }
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(tmp, lockPath);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputWriteError(`cannot create ${lockPath}: ${describeErrno(e)}`);
        }
        const holder = lockHolder(lockPath);
        if (holder !== undefined || attempt > 0) throw inUse(this.flag, raw, holder);
        // Stale: its process is gone. Take it over (a second taker then finds ours alive).
        removeQuietly(lockPath);
      }
    } finally {
      removeQuietly(tmp);
    }
    this.lockToken = token;
    process.on('exit', this.releaseOnExit);
  }

  /** --force: remove what an earlier run wrote (symlinks are removed, never followed). */
  private removeRunFiles(): void {
    for (const entry of readdirSync(this.path)) {
      if (!RUN_FILES.includes(entry) && !TEMP_NAME.test(entry)) continue;
      const p = join(this.path, entry);
      try {
        rmSync(p, { recursive: true, force: true });
      } catch (e) {
        throw new OutputDirError(`${this.flag}: cannot remove ${p} to replace it (${code(e)})`);
      }
    }
  }
}

/** What a writer is: decides the mode with force/resume (report: files there are replaced). */
export type OutputKind = 'run' | 'report' | 'matrix' | 'fleet' | 'ab' | 'github-benchmark';

export interface OpenOutDirOptions {
  /** the flag the path came from, for messages (default "--out") */
  flag?: string;
  /** replace what ringbench wrote there before (run's --force) */
  force?: boolean;
  /** continue the run there (run's --resume) */
  resume?: boolean;
  kind?: OutputKind;
  /** hint for a directory that is not empty (kind run: --resume / --force) */
  notEmptyHint?: string;
}

/**
 * The one entry point for a command's output directory (run, report, matrix, ab, fleet,
 * --github-benchmark): checks ownership, mode and symlinks of the path and its parents, refuses
 * '', creates it, and takes its lock (another live ringbench there is refused, naming its PID).
 * A new directory must be empty unless `force` (ringbench's own files are then removed) or
 * `resume`; kind 'report' and 'github-benchmark' replace their own files in any directory of
 * ours. The handle writes with writeFile(name, data) (O_EXCL|O_NOFOLLOW temp file, renamed into
 * place), makes subdirectories with mkdir(name), and release() frees the lock (also at exit).
 */
export function openOutDir(path: string, opts: OpenOutDirOptions = {}): OutputDir {
  const replacing = opts.kind === 'report' || opts.kind === 'github-benchmark';
  const mode: OutputMode = opts.resume ? 'resume' : opts.force ? 'force' : replacing ? 'report' : 'new';
  return OutputDir.open(path, { flag: opts.flag ?? '--out', mode, lock: true, notEmptyHint: opts.notEmptyHint });
}

/**
 * Writes one file the safe way wherever a command is told to put it (`--github-benchmark PATH`,
 * `noise --out FILE`): its directory is verified (created if missing) like any output directory,
 * the file written by OutputDir.write. Returns the file's absolute path.
 */
export function writeOutputFile(path: string, data: string | Uint8Array, opts: { flag: string; replace?: boolean }): string {
  const dir = openOutputFileDir(path, opts.flag);
  return dir.write(basename(resolve(path)), data, { replace: opts.replace });
}

/**
 * The directory a one-file output goes into, checked (and created if missing) before any work:
 * the rules of an output directory, except that a root-owned sticky one (/tmp) is accepted as
 * `run` accepts it as a parent. The path must name a file: not '', not a directory.
 */
export function openOutputFileDir(path: string, flag: string): OutputDir {
  if (path.trim() === '' || path.endsWith(sep)) throw new OutputDirError(`${flag} must name a file; got '${path}'`);
  const abs = resolve(path);
  const st = lstatOrUndefined(abs);
  if (st?.isDirectory()) throw new OutputDirError(`${flag} ${path} is a directory; give a file name`);
  if (st && !st.isFile() && !st.isSymbolicLink()) throw new OutputDirError(`${flag} ${path} is not a regular file; give a file name in a directory of your own`);
  if (basename(abs).startsWith('.')) throw new OutputDirError(`${flag} ${path}: the file name must not start with '.'`);
  return OutputDir.open(dirname(abs), { flag, mode: 'report', stickyRootOk: true });
}

/** Checks what the directory holds against the mode: refuses a live lock and, for new, any content. */
function precheckContents(abs: string, raw: string, opts: OutputDirOptions): void {
  const st = lstatOrUndefined(abs);
  if (!st) {
    if (opts.mode === 'resume') throw new OutputDirError(`${opts.flag} ${raw}: no such directory`);
    return;
  }
  const holder = lockHolder(join(abs, LOCK_FILE));
  if (opts.lock && holder !== undefined && holder !== process.pid) {
    throw inUse(opts.flag, raw, holder);
  }
  const entries = readdirSync(abs).filter((e) => !e.startsWith(LOCK_FILE));
  if (opts.mode === 'new' && entries.length) {
    const hint = opts.notEmptyHint ?? (entries.includes('results.json') ? `continue it with --resume ${raw}, or replace it with --force` : 'choose an empty directory, or replace its run files with --force');
    throw new OutputDirError(`${opts.flag} ${raw} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); ${hint}`);
  }
  if (opts.mode === 'resume') {
    const results = lstatOrUndefined(join(abs, 'results.json'));
    if (!results) throw new OutputDirError(`${opts.flag} ${raw}: no results.json there`);
    if (!results.isFile()) throw new OutputDirError(`${opts.flag} ${raw}: results.json is not a regular file`);
  }
}

function inUse(flag: string, raw: string, holder: number | undefined): OutputDirError {
  return new OutputDirError(`${flag} ${raw} is in use by another ringbench (PID ${holder ?? 'unknown'}); wait for it to end or choose another directory`);
}

/** Creates a new file (never through a symlink, never over an existing name) holding `data`. */
function createExclusive(path: string, data: string | Uint8Array, mode = 0o644): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    removeQuietly(path);
    throw e;
  }
  closeSync(fd);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* never created, or gone already */
  }
}

/** "ENOSPC (no space left on device)". */
function describeErrno(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (!err.code) return err.message;
  const detail = /^[A-Z]+: ([^,]+)/.exec(err.message)?.[1];
  return detail ? `${err.code} (${detail})` : err.code;
}
