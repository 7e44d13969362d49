/**
 * matrix-guest — what a guest can do to the host, and the kernel cache checking itself.
 *
 * A real Debian kernel (6.1 cloud, fetched into a private cache for this test) boots under QEMU TCG
 * with a command that, as the guest's root, tries to write a folder of the host: through the
 * original share, after remounting it read-write, and through a second read-write mount of it.
 * Nothing may appear on the host, the guest must have seen each write refused, and no QEMU,
 * virtiofsd or mount is left behind, and what it plants in its own share (a symlink, a FIFO, a
 * set-user-ID file, a folder for another user) is removed or made harmless before the host goes on, also when `ringbench matrix` is killed outright while a guest
 * runs. Then a cached kernel file is truncated: preparing the kernel
 * names the file in one line, removes the entry and fetches it again.
 * Fails, never skips, when the machine cannot boot guests (bash scripts/setup.sh --test).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesMentioning } from './kernel.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cacheEntryProblem, prepareDebianKernel, type PreparedKernel } from '../src/matrix/kernels.js';
import { bootAndRun, HOSTROOT_SETUP, missingTools } from '../src/matrix/qemu.js';
import { CLI } from './cli.js';

/** A private kernel cache: never disturbs the user's (other runs may be booting from it). */
const cache = mkdtempSync(join(tmpdir(), 'ringbench-kcache-'));
const spec = { input: '6.1-cloud', pkg: 'linux-image-cloud-amd64' };
let kernel: PreparedKernel | undefined;

/** The kernel from the private cache (the variable is set only around the call: uvu runs every file in one process). */
async function prepare(log: string[]): Promise<PreparedKernel> {
  const saved = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = cache;
  try {
    return await prepareDebianKernel(spec, (l) => log.push(l));
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
}

const mountPoints = () => readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n').map((l) => l.split(' ')[4]);

test('the read-only view of /: every reachable mount read-only, fail closed, nothing on the host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ringbench-rootview-'));
  const view = join(dir, 'view');
  mkdirSync(view);
  const mountsBefore = mountPoints();
  try {
    const ns = ['--mount', '--propagation', 'private', '--'];
    const r = spawnSync('unshare', [...ns, 'sh', '-c', HOSTROOT_SETUP, 'sh', view, 'cat', '/proc/self/mountinfo'], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => l.split(' ')).filter((f) => f[4] === view || f[4].startsWith(`${view}/`));
    assert.ok(rows.length >= mountsBefore.length, `${rows.length} mounts in the view, ${mountsBefore.length} on the host`);
    const at = new Map(rows.map((f) => [f[0], f[4]]));
    const hidden = new Set(rows.filter((f) => at.get(f[1]) === f[4]).map((f) => f[1]));
    const writable = rows.filter((f) => !hidden.has(f[0]) && !/^ro(,|$)/.test(f[5])).map((f) => f[4]);
    assert.equal(writable, []);
    const write = spawnSync('unshare', [...ns, 'sh', '-c', HOSTROOT_SETUP, 'sh', view, 'sh', '-c', `echo x > ${view}${dir}/written`], { encoding: 'utf8' });
    assert.match(write.stderr, /Read-only file system/);
    // a mount point the setup cannot name safely stops it before the command runs
    const odd = spawnSync('unshare', [...ns, 'sh', '-c', 'mkdir "$1" && mount -t tmpfs odd "$1" && exec sh -c "$2" sh "$3" echo started', 'sh', join(dir, 'with space'), HOSTROOT_SETUP, view], { encoding: 'utf8' });
    assert.is(odd.status, 1, odd.stderr);
    assert.match(odd.stderr, /cannot make mount point .*with\\040space read-only/);
    assert.not.match(odd.stdout, /started/);
    assert.equal(readdirSync(dir).sort(), ['view', 'with space']);
    assert.equal(readdirSync(view), []);
    assert.equal(mountPoints().filter((m) => m.startsWith(dir)), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a guest root process cannot write the host: not through the share, a remount or a second mount', async () => {
  assert.is(missingTools(), null);
  kernel = await prepare([]);
  const out = mkdtempSync(join(tmpdir(), 'ringbench-guest-'));
  // the target on the host: a folder the guest can see, holding only a marker the guest reads back
  const target = join(tmpdir(), `ringbench-escape-${randomBytes(6).toString('hex')}`);
  mkdirSync(target, { mode: 0o755 });
  const marker = randomBytes(8).toString('hex');
  writeFileSync(join(target, 'marker'), marker);
  const mountsBefore = mountPoints();
  try {
    mkdirSync(join(out, 'guest'));
    const log = join(out, 'escape.log');
    // /proc/1/root is the initramfs, where /init mounted the share (read-only) at /mnt/lower.
    const lower = '/proc/1/root/mnt/lower';
    writeFileSync(
      join(out, 'guest', 'command.sh'),
      `#!/bin/sh
T=${target}
try() { what=$1; shift; if err=$("$@" 2>&1); then echo "$what: ok $err" >> ${log}; else echo "$what: refused: $err" >> ${log}; fi; }
try read cat $T/marker
try original-write sh -c 'echo original > ${lower}${target}/original'
mkdir -p /run/second
try second-mount mount -t virtiofs -o rw hostroot /run/second
try second-write sh -c 'echo second > /run/second${target}/second'
try second-chmod chmod 777 /run/second${target}
try remount mount -o remount,rw ${lower}
try remount-write sh -c 'echo remount > ${lower}${target}/remount'
try remount-mkdir mkdir ${lower}${target}/remount-dir
try after-remount-second-write sh -c 'echo second > /run/second${target}/second'
grep virtiofs /proc/mounts >> ${log}
# traps in its own share for the host's next reads and writes there
ln -s $T/planted ${out}/results.json
mkfifo ${out}/fifo
cp /bin/true ${out}/suid && chmod 4755 ${out}/suid
mkdir ${out}/open && chmod 1777 ${out}/open && chown 65534:65534 ${out}/open
echo 0 > ${out}/guest/exit-status
`,
      { mode: 0o755 },
    );
    const r = await bootAndRun({ kernel, outDir: out, accel: 'tcg', timeoutMs: 180_000 });
    assert.is(r.exitStatus, 0, `${r.failure}\n${r.consoleTail.join('\n')}`);
    const seen = readFileSync(log, 'utf8');
    const line = (what: string) => seen.split('\n').find((l) => l.startsWith(`${what}:`)) ?? `${what}: (no line)`;
    // the guest reached the very folder it was aimed at
    assert.is(line('read'), `read: ok ${marker}`, seen);
    // the guest's own mount operations may succeed; every write is refused on the host's side
    for (const what of ['original-write', 'second-write', 'second-chmod', 'remount-write', 'remount-mkdir', 'after-remount-second-write']) {
      assert.match(line(what), /refused: .*Read-only file system/, seen);
    }
    // and the host has nothing new
    assert.equal(readdirSync(target), ['marker']);
    assert.is(statSync(target).mode & 0o777, 0o755);
    assert.equal(processesMentioning(out), [], 'QEMU, unshare or virtiofsd left running');
    const mountsAfter = mountPoints();
    assert.equal(mountsAfter.filter((m) => m.includes('ringbench-') && !mountsBefore.includes(m)), [], 'a mount left behind');
    // the traps are gone: no link, no FIFO, no set-user-ID bit, no folder of another user's
    assert.equal(readdirSync(out).sort(), ['escape.log', 'guest', 'open', 'suid']);
    assert.is(statSync(join(out, 'suid')).mode & 0o7777, 0o755);
    const open = statSync(join(out, 'open'));
    assert.equal([open.uid, open.mode & 0o7777], [process.getuid!(), 0o755]);
    assert.equal(new Set(r.sanitized), new Set(['results.json', 'fifo', 'suid', 'open'].map((n) => join(out, n))));
    assert.equal(readdirSync(join(out, 'guest')).sort(), ['command.sh', 'console.log', 'exit-status'], 'the scratch folder is removed');
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
  }
});

test('ringbench matrix killed outright (SIGKILL) leaves no QEMU, virtiofsd or mount behind', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'ringbench-guest-kill-')), 'm');
  const mountsBefore = mountPoints();
  const child = spawn(process.execPath, [CLI, 'matrix', '--kernels', spec.input, '--accel', 'tcg', '--out', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, XDG_CACHE_HOME: cache },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((done) => child.on('close', done));
  try {
    const isQemu = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('qemu-system');
      } catch {
        return false; // gone
      }
    };
    const qemuUp = () => processesMentioning(out).some(isQemu);
    const end = Date.now() + 120_000;
    while (Date.now() < end && child.exitCode === null && !qemuUp()) await new Promise((r) => setTimeout(r, 100));
    assert.ok(qemuUp(), `QEMU never started: ${stderr}`);
    assert.ok(processesMentioning(out).length >= 3, 'QEMU and two virtiofsd');
    child.kill('SIGKILL');
    await exited;
    // the kernel delivers the parent-death signal at once; give the processes a moment to go
    const gone = Date.now() + 15_000;
    while (Date.now() < gone && processesMentioning(out).length) await new Promise((r) => setTimeout(r, 50));
    assert.equal(processesMentioning(out), [], 'QEMU, unshare or virtiofsd outlived ringbench');
    assert.equal(mountPoints().filter((m) => m.includes('ringbench-') && !mountsBefore.includes(m)), [], 'a mount left behind');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of processesMentioning(out)) process.kill(pid, 'SIGKILL');
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
});

test('a truncated cached kernel is named, removed and fetched again', async () => {
  kernel ??= await prepare([]);
  assert.ok(kernel.cacheDir?.startsWith(cache), kernel.cacheDir);
  assert.is(cacheEntryProblem(kernel.cacheDir!), null);
  const size = statSync(kernel.vmlinuz).size;
  truncateSync(kernel.vmlinuz, Math.floor(size / 2));
  assert.match(cacheEntryProblem(kernel.cacheDir!) ?? '', /vmlinuz is \d+ bytes, its manifest says \d+/);
  const log: string[] = [];
  const again = await prepare(log);
  const named = log.filter((l) => l.includes('bad kernel cache entry'));
  assert.is(named.length, 1, log.join('\n'));
  assert.ok(named[0].includes(kernel.vmlinuz), named[0]);
  assert.ok(log.some((l) => /downloading/.test(l)), log.join('\n'));
  assert.is(statSync(again.vmlinuz).size, size);
  assert.is(cacheEntryProblem(again.cacheDir!), null);

  // a module edited in place (same size) is caught by its hash; an old manifest without hashes too
  const ko = again.modules[0];
  const bytes = readFileSync(ko);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(ko, bytes);
  assert.match(cacheEntryProblem(again.cacheDir!) ?? '', new RegExp(`${ko.replace(/[.+]/g, '\\$&')} has sha256`));
  const manifest = JSON.parse(readFileSync(join(again.cacheDir!, 'manifest.json'), 'utf8'));
  delete manifest.files;
  writeFileSync(join(again.cacheDir!, 'manifest.json'), JSON.stringify(manifest));
  assert.match(cacheEntryProblem(again.cacheDir!) ?? '', /records no file sizes and hashes/);
  // the cache holds the entry only, no leftovers of the bad one or of the fetch
  assert.equal(readdirSync(join(cache, 'ringbench', 'kernels')).filter((n) => n.startsWith('.')), []);
});

test.after(() => rmSync(cache, { recursive: true, force: true }));

test.run();
