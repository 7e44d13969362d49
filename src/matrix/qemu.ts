/**
 * qemu — boots one kernel in a QEMU guest that sees the host's files, runs one command there and
 * brings back its exit status.
 *
 * Two virtiofsd processes serve the guest: the host's `/` (tag `hostroot`) and the output folder
 * (tag `out`, read-write, mounted at the same path). virtiofsd runs as root and Debian 12's has no
 * read-only mode, so the guest's own `ro` mount option protects nothing: a guest root process could
 * remount the share read-write or mount it again. The `hostroot` virtiofsd therefore starts in a
 * private mount namespace (`unshare --mount --propagation private`) and serves a recursive bind of
 * `/` in which every mount is remounted read-only (HOSTROOT_SETUP); the host's mount table never
 * sees it, and the namespace goes when virtiofsd does. The guest's /init puts an in-memory overlay
 * on top. The command is `<out>/guest/command.sh`, written by the caller; it records its exit
 * status in `<out>/guest/exit-status`. The serial console goes to `<out>/guest/console.log`.
 *
 * KVM with `-cpu host` when /dev/kvm can be opened, otherwise TCG emulation (`-cpu max`). Every
 * process started here is tracked by PID and reaped: on normal exit, on the per-boot timeout, on
 * abort (Ctrl-C / SIGTERM through the AbortSignal), as a last resort on process exit, and by the
 * kernel (parent-death signal) when this process is killed outright.
 * Temporary files (vhost-user sockets, the initramfs) live in <out>/guest/vm (or, when that path is
 * too long for a socket, a private folder under the system's temporary one) and are removed after.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, closeSync, createWriteStream, lchownSync, lstatSync, readdirSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { buildInitramfs } from './initramfs.js';
import type { PreparedKernel } from './kernels.js';

export type Accel = 'kvm' | 'tcg';

export interface BootOptions {
  kernel: PreparedKernel;
  /** absolute output folder of this kernel; guest/command.sh must be in it */
  outDir: string;
  accel: Accel;
  timeoutMs: number;
  memoryMb?: number;
  cpus?: number;
  /** each console line as it arrives */
  onConsole?: (line: string) => void;
  signal?: AbortSignal;
}

export interface BootResult {
  /** the command's exit status, or null when it never reported one */
  exitStatus: number | null;
  timedOut: boolean;
  aborted: boolean;
  /** from QEMU's start to the command's start (the init's "running" line) */
  bootMs: number | null;
  wallMs: number;
  /** why the boot failed, in one line, when exitStatus is null */
  failure?: string;
  consoleTail: string[];
  /** the kernel's own account when it oopsed or panicked (kernelTrouble), from the whole console */
  trouble?: KernelTrouble;
  /** what the guest left in its share that the host removed or changed (sanitizeGuestShare) */
  sanitized?: string[];
}

/** A guest kernel's oops or panic, as its console told it. */
export interface KernelTrouble {
  /** "Kernel panic - not syncing: …" without its prefix, when it panicked */
  panic?: string;
  /** the first "BUG: …", "Oops: …" or "general protection fault …" line */
  first?: string;
  /** the RIP line of the first oops: the function it stopped in */
  rip?: string;
  /** up to 24 console lines from the first sign of trouble, for the log */
  excerpt: string[];
}

/** An oops's first line; trouble starts at one, or at a warning or a panic. */
const OOPS = /^\[\s*[\d.]+\] (BUG: |Oops: |general protection fault|kernel BUG at )/;
const startsTrouble = (l: string) => OOPS.test(l) || /^\[\s*[\d.]+\] (WARNING: CPU: |Kernel panic - not syncing)/.test(l);

/** What a kernel said when it oopsed or panicked, from its console lines (timestamps kept), or
 *  undefined when it said nothing of the kind. */
export function kernelTrouble(lines: readonly string[]): KernelTrouble | undefined {
  const start = lines.findIndex(startsTrouble);
  if (start < 0) return undefined;
  const body = (l: string) => l.replace(/^\[\s*[\d.]+\]\s*/, '');
  const panicLine = lines.find((l) => / Kernel panic - not syncing: /.test(l));
  const firstOops = lines.slice(start).find((l) => OOPS.test(l));
  const rip = lines.slice(start).find((l) => /\] RIP: 0010:/.test(l));
  return {
    panic: panicLine ? body(panicLine).replace(/^Kernel panic - not syncing: /, '') : undefined,
    first: firstOops ? body(firstOops) : undefined,
    rip: rip ? body(rip).replace(/^RIP: 0010:/, '').split(' ')[0] : undefined,
    excerpt: lines.slice(start, start + 24),
  };
}

/** One line for a kernel's trouble: "panicked (Fatal exception in interrupt): BUG: … in f+0x1/0x2". */
export function troubleWords(t: KernelTrouble): string {
  const what = t.panic ? `panicked (${t.panic})` : 'oopsed';
  const cause = [t.first, t.rip ? `in ${t.rip}` : ''].filter(Boolean).join(' ');
  return cause ? `${what}: ${cause}` : what;
}

const QEMU = 'qemu-system-x86_64';
const VIRTIOFSD_PATHS = ['/usr/libexec/virtiofsd', '/usr/lib/qemu/virtiofsd'];

/**
 * Starts cmd so that the kernel SIGKILLs it when this process dies, however it dies (SIGKILL
 * included, where no exit handler runs): `setpriv --pdeathsig KILL` execs cmd, the PID stays.
 */
function spawnBound(cmd: string, args: string[], options: SpawnOptions): ChildProcess {
  return spawn('setpriv', ['--pdeathsig', 'KILL', '--', cmd, ...args], options);
}

/** Every child process started here that has not been reaped yet. */
const live = new Set<ChildProcess>();

/** Last resort (process exit, second Ctrl-C): SIGKILL every tracked child by its PID. */
export function killAllNow(): void {
  for (const c of live) {
    try {
      if (c.pid) process.kill(c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
process.on('exit', killAllNow);

/**
 * Does KVM answer? /dev/kvm must open, and a KVM guest with `-cpu host` must start executing:
 * the firmware's banner on the serial console within a few seconds. (Some nested set-ups expose a
 * /dev/kvm on which QEMU aborts setting MSRs, or runs nothing at all.) Returns why not, or null.
 */
export async function kvmProblem(): Promise<string | null> {
  try {
    closeSync(openSync('/dev/kvm', 'r+'));
  } catch (e) {
    return `/dev/kvm cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  const child = spawnBound(QEMU, ['-accel', 'kvm', '-cpu', 'host', '-m', '64M', '-display', 'none', '-nodefaults', '-no-reboot', '-serial', 'stdio', '-monitor', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = track(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const end = Date.now() + 5000;
  while (Date.now() < end && live.has(child) && !/SeaBIOS|Booting/.test(out)) await new Promise((r) => setTimeout(r, 50));
  const ran = /SeaBIOS|Booting/.test(out);
  await reap(child, exited, 500);
  if (ran) return null;
  const why = err.trim().split('\n').filter((l) => !/terminating on signal/.test(l))[0];
  return `/dev/kvm opens, but a KVM guest with -cpu host ${why ? `fails: ${why}` : 'runs nothing within 5 s'}`;
}

export function findVirtiofsd(): string | null {
  for (const p of VIRTIOFSD_PATHS) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v virtiofsd'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** What is missing to boot guests, one line, or null when all is there. */
export function missingTools(): string | null {
  const missing: string[] = [];
  if (spawnSync(QEMU, ['--version'], { stdio: 'ignore' }).status !== 0) missing.push('qemu-system-x86_64 (apt-get install qemu-system-x86)');
  for (const tool of ['unshare', 'setpriv']) if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) missing.push(`${tool} (apt-get install util-linux)`);
  if (!findVirtiofsd()) missing.push('virtiofsd (apt-get install qemu-system-x86 on Debian 12, virtiofsd on newer)');
  if (!staticBusybox())
    missing.push('a static busybox at /bin/busybox (apt-get install busybox-static)');
  if (spawnSync('modinfo', ['--version'], { stdio: 'ignore' }).status !== 0) missing.push('modinfo (apt-get install kmod)');
  return missing.length ? `cannot boot guests: missing ${missing.join('; ')}; or run: bash scripts/setup.sh --test` : null;
}

/** /bin/busybox exists and has no ELF interpreter (a dynamic one cannot run in the initramfs). */
function staticBusybox(): boolean {
  try {
    return !readFileSync('/bin/busybox').subarray(0, 4096).includes('/lib64/ld-linux');
  } catch {
    return false;
  }
}

function virtiofsdArgs(bin: string, socket: string, source: string, cache: 'always' | 'auto'): string[] {
  const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
  if (/--shared-dir/.test(`${help.stdout}${help.stderr}`)) {
    // The Rust virtiofsd (Debian 13+)
    return [`--socket-path=${socket}`, `--shared-dir=${source}`, '--sandbox=chroot', `--cache=${cache}`];
  }
  return [`--socket-path=${socket}`, '-o', `source=${source}`, '-o', 'sandbox=chroot', '-o', `cache=${cache}`, '-f'];
}

/**
 * Run by `sh -c` in a fresh private mount namespace, as `sh -c HOSTROOT_SETUP sh DIR CMD…`: binds
 * the host's `/` recursively at DIR, remounts every mount there read-only (a recursive bind keeps
 * the submounts writable, and util-linux 2.38 cannot set `ro` recursively), checks the result in
 * /proc/self/mountinfo, then execs CMD (virtiofsd, serving DIR; its PID stays the one we track).
 * A mount stacked under another at the same path is hidden from virtiofsd and may stay writable.
 * Anything it cannot make read-only (a mount point with an escaped character, a refused remount)
 * stops it before virtiofsd starts: fail closed.
 */
export const HOSTROOT_SETUP = `set -ef
X=$1; shift
mount --rbind / "$X"
under() { X=$X awk 'BEGIN { x = ENVIRON["X"] } $5 == x || index($5, x "/") == 1' /proc/self/mountinfo; }
[ -n "$(under)" ] || { printf '%s\\n' "ringbench: the bind of / at $X is not in /proc/self/mountinfo" >&2; exit 1; }
for mp in $(under | awk '{ print $5 }'); do
  case $mp in *\\\\*) printf 'ringbench: cannot make mount point %s read-only (a name mountinfo escapes)\\n' "$mp" >&2; exit 1;; esac
  mount -o remount,bind,ro -- "$mp" || { printf '%s\\n' "ringbench: cannot make $mp read-only" >&2; exit 1; }
done
rw=$(under | awk '{ id[NR] = $1; parent[NR] = $2; mp[NR] = $5; opts[NR] = $6; at[$1] = $5 }
  END { for (i = 1; i <= NR; i++) if (at[parent[i]] == mp[i]) hidden[parent[i]] = 1
        for (i = 1; i <= NR; i++) if (!hidden[id[i]] && opts[i] !~ /^ro(,|$)/) s = s " " mp[i]; print s }')
[ -z "$rw" ] || { printf 'ringbench: still writable after remount:%s\\n' "$rw" >&2; exit 1; }
exec "$@"
`;

/** How to start virtiofsd for a share: the host's root goes through the read-only namespace. */
function virtiofsdCommand(bin: string, socket: string, source: string, cache: 'always' | 'auto', readOnlyRoot?: string): [string, string[]] {
  const args = virtiofsdArgs(bin, socket, readOnlyRoot ?? source, cache);
  if (!readOnlyRoot) return [bin, args];
  return ['unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', HOSTROOT_SETUP, 'sh', readOnlyRoot, bin, ...args]];
}

function track(child: ChildProcess): Promise<number | null> {
  live.add(child);
  return new Promise((done) => {
    child.on('error', () => {
      live.delete(child);
      done(null);
    });
    child.on('exit', (code, signal) => {
      live.delete(child);
      done(code ?? (signal ? 128 : null));
    });
  });
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
async function reap(child: ChildProcess, exited: Promise<number | null>, graceMs = 2000): Promise<void> {
  if (!live.has(child)) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function waitForFile(path: string, ms: number, stillAlive: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && stillAlive()) {
    if (existsSync(path)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return existsSync(path);
}

/**
 * After a boot, makes what the guest left in its share safe for the host, which reads and writes
 * there next (the exit status, the next round's command.sh): a guest root process could have
 * planted a symlink for a later write to follow out of --out, a device node, a set-user-ID file,
 * or handed a folder to another user. Removes every symlink, device, FIFO and socket; gives every
 * file and folder back to this process's user; clears set-ID bits and write access for others.
 * Returns the paths it removed or changed. Runs only once QEMU and virtiofsd are gone.
 */
export function sanitizeGuestShare(dir: string): string[] {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const changed: string[] = [];
  const dev = lstatSync(dir).dev;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (!st.isFile() && !st.isDirectory()) {
        rmSync(p, { force: true });
        changed.push(p);
        continue;
      }
      // lstat said file or folder and nothing else writes here now: chown/chmod reach this entry
      const mode = st.mode & 0o7777 & ~0o7022;
      if (st.uid !== uid || st.gid !== gid || (st.mode & 0o7777) !== mode) {
        lchownSync(p, uid, gid);
        chmodSync(p, mode);
        changed.push(p);
      }
      if (st.isDirectory() && st.dev === dev) walk(p); // never into another file system
    }
  };
  walk(dir);
  return changed;
}

/**
 * Removes the scratch folder, unless the read-only view of / is mounted at hostRoot in this mount
 * namespace (it never should be: it lives only in virtiofsd's): a recursive remove would then walk
 * the host's whole tree.
 */
function removeScratch(tmp: string, hostRoot: string): void {
  try {
    if (lstatSync(tmp).isSymbolicLink()) return rmSync(tmp); // planted by the guest: the link only
    if (existsSync(hostRoot) && statSync(hostRoot).dev !== statSync(tmp).dev) return;
  } catch {
    return;
  }
  rmSync(tmp, { recursive: true, force: true });
}

/** Boots the kernel, runs <outDir>/guest/command.sh, and returns when the guest is gone. */
export async function bootAndRun(o: BootOptions): Promise<BootResult> {
  const started = Date.now();
  const guestDir = join(o.outDir, 'guest');
  const statusFile = join(guestDir, 'exit-status');
  // (recursive: the previous round's guest may have left a folder by these names)
  rmSync(statusFile, { recursive: true, force: true });
  rmSync(join(guestDir, 'console.log'), { recursive: true, force: true });
  // Sockets and the initramfs go into the output folder, unless the socket path would be too long
  // for a Unix socket (108 bytes): then into a private folder under the system's temporary one.
  let tmp = join(guestDir, 'vm');
  if (join(tmp, 'hostroot.sock').length > 100) tmp = mkdtempSync(join(os.tmpdir(), 'ringbench-vm-'));
  else mkdirSync(tmp, { recursive: true });
  let hostRoot = join(tmp, 'hostroot');
  const consoleLog = createWriteStream(join(guestDir, 'console.log'));
  consoleLog.on('error', () => {}); // a lost console copy must not end the run; tail keeps the end
  const tail: string[] = [];
  // the first oops or panic and what follows it, kept whole (tail only holds the last 40 lines)
  const troubleLines: string[] = [];
  let bootMs: number | null = null;
  let failure: string | undefined;
  let timedOut = false;
  let sanitized: string[] = [];
  let unsafe: string | undefined;
  const children: { child: ChildProcess; exited: Promise<number | null> }[] = [];
  try {
    const initrd = join(tmp, 'initramfs.cpio.gz');
    writeFileSync(initrd, buildInitramfs(o.kernel.modules));
    const virtiofsd = findVirtiofsd();
    if (!virtiofsd) throw new Error('virtiofsd not found');
    // The mount point of the read-only view of /: an empty folder here, a mount only inside the
    // namespace of its virtiofsd.
    mkdirSync(hostRoot);
    hostRoot = realpathSync(hostRoot); // as /proc/self/mountinfo will name it
    const shares = [
      { tag: 'hostroot', source: '/', cache: 'always' as const, readOnlyRoot: hostRoot },
      { tag: 'out', source: o.outDir, cache: 'auto' as const, readOnlyRoot: undefined },
    ];
    for (const s of shares) {
      const socket = join(tmp, `${s.tag}.sock`);
      const [cmd, cmdArgs] = virtiofsdCommand(virtiofsd, socket, s.source, s.cache, s.readOnlyRoot);
      const child = spawnBound(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr?.on('data', (d) => (err = (err + d).slice(-2000)));
      const exited = track(child);
      children.push({ child, exited });
      if (!(await waitForFile(socket, 10_000, () => live.has(child)))) {
        throw new Error(`virtiofsd for ${s.source} did not start: ${err.trim().split('\n').pop() ?? 'no message'}`);
      }
    }
    const mem = o.memoryMb ?? 2048;
    const args = [
      '-accel', o.accel,
      '-cpu', o.accel === 'kvm' ? 'host' : 'max',
      '-smp', String(o.cpus ?? 2),
      '-m', `${mem}M`,
      '-object', `memory-backend-memfd,id=mem,size=${mem}M,share=on`,
      '-numa', 'node,memdev=mem',
      '-kernel', o.kernel.vmlinuz,
      '-initrd', initrd,
      '-append', `console=ttyS0 quiet panic=-1 mitigations=off ringbench.out=${o.outDir}`,
      ...shares.flatMap((s, i) => ['-chardev', `socket,id=fs${i},path=${join(tmp, `${s.tag}.sock`)}`, '-device', `vhost-user-fs-pci,chardev=fs${i},tag=${s.tag}`]),
      '-display', 'none', '-nodefaults', '-no-reboot', '-serial', 'stdio', '-monitor', 'none',
      // QEMU runs as root and emulates a guest that may be hostile: a seccomp filter refuses it
      // set*id, fork/exec, obsolete and scheduling calls. (No -runas: a change of user clears the
      // parent-death signal, and QEMU would outlive a killed ringbench.)
      '-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
    ];
    const qemu = spawnBound(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const qemuExited = track(qemu);
    children.push({ child: qemu, exited: qemuExited });
    let qemuErr = '';
    qemu.stderr?.on('data', (d) => (qemuErr = (qemuErr + d).slice(-2000)));
    let partial = '';
    qemu.stdout?.on('data', (d: Buffer) => {
      consoleLog.write(d);
      const lines = (partial + d.toString('utf8')).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1bc|\r/g, '').trimEnd();
        if (!line) continue;
        if (bootMs === null && line.startsWith('ringbench-init: running')) bootMs = Date.now() - started;
        if (line.startsWith('ringbench-init: FAILED')) failure = `guest init: ${line.slice('ringbench-init: FAILED: '.length)}`;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (troubleLines.length ? troubleLines.length < 200 : startsTrouble(line)) troubleLines.push(line);
        o.onConsole?.(line);
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      qemu.kill('SIGKILL');
    }, o.timeoutMs);
    const onAbort = () => qemu.kill('SIGKILL');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) onAbort();
    const code = await qemuExited;
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    if (code !== 0 && !timedOut && !o.signal?.aborted && !failure) failure = `qemu exited with ${code}: ${qemuErr.trim().split('\n').pop() ?? ''}`;
  } catch (e) {
    failure = (e as Error).message;
  } finally {
    for (const c of children) await reap(c.child, c.exited);
    await new Promise<void>((r) => consoleLog.end(r));
    removeScratch(tmp, hostRoot);
    try {
      sanitized = sanitizeGuestShare(o.outDir);
    } catch (e) {
      unsafe = `cannot check what the guest left in ${o.outDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    }
  }
  let exitStatus: number | null = null;
  if (!unsafe && existsSync(statusFile) && statSync(statusFile).isFile()) {
    const head = Buffer.alloc(32);
    const fd = openSync(statusFile, 'r');
    const n = Number.parseInt(head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8').trim(), 10);
    closeSync(fd);
    exitStatus = Number.isNaN(n) ? null : n;
  }
  if (unsafe) failure = unsafe;
  const aborted = !!o.signal?.aborted;
  const trouble = kernelTrouble(troubleLines);
  if (exitStatus === null && !failure && trouble) failure = `the guest kernel ${troubleWords(trouble)}`;
  if (exitStatus === null && !failure) {
    failure = timedOut
      ? `timed out after ${Math.round(o.timeoutMs / 1000)} s`
      : aborted
        ? 'interrupted'
        : 'the guest stopped without reporting an exit status';
  }
  return { exitStatus, timedOut, aborted, bootMs, wallMs: Date.now() - started, failure: exitStatus === null ? failure : undefined, consoleTail: tail, trouble, sanitized };
}
