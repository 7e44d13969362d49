/**
 * initramfs — the guest's first user space: a gzip'd newc cpio archive holding static busybox, the
 * kernel's virtio/fuse/overlay modules and an /init script.
 *
 * /init inserts the modules, mounts the host's `/` (virtiofs tag `hostroot`, served read-only by
 * the host: see qemu.ts) read-only under an in-memory overlay (tmpfs upper, so the host's /tmp stays visible; plain read-only plus tmpfs on
 * /tmp and /run when the kernel has no overlayfs), mounts the output folder (virtiofs tag `out`, read-write) at the same absolute path
 * as on the host, then chroots into that root and runs `<out>/guest/command.sh` with /bin/sh. The
 * script itself records its exit status in `<out>/guest/exit-status`; /init then syncs and powers
 * the guest off. A failure before the command prints `ringbench-init: FAILED …` on the console.
 * The output path comes from the kernel command line (`ringbench.out=`).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUSYBOX = '/bin/busybox';

interface Entry {
  name: string;
  mode: number;
  data?: Buffer;
  rdev?: [number, number];
}

/** One newc ("070701") archive, as the kernel's initramfs unpacker reads it. */
export function newcArchive(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  let ino = 1;
  for (const e of [...entries, { name: 'TRAILER!!!', mode: 0 }]) {
    const data = 'data' in e && e.data ? e.data : Buffer.alloc(0);
    const rdev = ('rdev' in e && e.rdev) || [0, 0];
    const name = Buffer.from(`${e.name}\0`);
    const isDir = (e.mode & 0o170000) === 0o040000;
    const header =
      '070701' +
      [e.name === 'TRAILER!!!' ? 0 : ino++, e.mode, 0, 0, isDir ? 2 : 1, 0, data.length, 0, 0, rdev[0], rdev[1], name.length, 0].map(hex).join('');
    parts.push(Buffer.from(header), name, pad4(110 + name.length), data, pad4(data.length));
  }
  return Buffer.concat(parts);
}

/** The /init script (busybox sh). */
export function initScript(): string {
  return `#!/bin/busybox sh
B=/bin/busybox
fail() { echo "ringbench-init: FAILED: $*"; $B sync; $B poweroff -f; }
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
for m in $($B cat /modules/order); do $B insmod /modules/$m.ko || fail "insmod $m"; done
OUT=$($B sed -n 's/.*ringbench\\.out=\\([^ ]*\\).*/\\1/p' /proc/cmdline)
[ -n "$OUT" ] || fail "no ringbench.out= on the kernel command line"
R=/mnt/root
$B mkdir -p /mnt/lower /mnt/rw $R
$B mount -t virtiofs -o ro hostroot /mnt/lower || fail "mount virtiofs hostroot"
$B mount -t tmpfs -o mode=755 rw /mnt/rw
if $B mkdir -p /mnt/rw/upper /mnt/rw/work && $B mount -t overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work overlay $R 2>/dev/null; then :; else
  echo "ringbench-init: no overlayfs: the root stays read-only, with tmpfs on /tmp and /run"
  $B mount --bind /mnt/lower $R || fail "bind root"
  $B mount -t tmpfs run $R/run
  $B mount -t tmpfs tmp $R/tmp
fi
$B mount -t proc proc $R/proc
$B mount -t sysfs sys $R/sys
$B mount -t devtmpfs dev $R/dev
$B mount -t bpf bpf $R/sys/fs/bpf 2>/dev/null
# as systemd does on a normal boot, so the probe sees the tracefs state of a typical machine
$B mount -t tracefs nodev $R/sys/kernel/tracing 2>/dev/null
$B mkdir -p $R$OUT || fail "mkdir $OUT"
$B mount -t virtiofs out $R$OUT || fail "mount virtiofs out at $OUT"
$B hostname ringbench-guest
echo "ringbench-init: running $OUT/guest/command.sh"
$B chroot $R /bin/sh "$OUT/guest/command.sh"
$B sync
$B umount $R$OUT 2>/dev/null
$B poweroff -f
`;
}

/** The archive for a kernel: busybox, its modules (load order kept in /modules/order) and /init. */
export function buildInitramfs(modules: string[]): Buffer {
  const dir = (name: string): Entry => ({ name, mode: 0o040755 });
  const names = modules.map((m) => basename(m, '.ko'));
  const entries: Entry[] = [
    ...['bin', 'dev', 'proc', 'sys', 'mnt', 'modules', 'tmp'].map(dir),
    { name: 'dev/console', mode: 0o020600, rdev: [5, 1] },
    { name: 'bin/busybox', mode: 0o100755, data: readFileSync(BUSYBOX) },
    { name: 'init', mode: 0o100755, data: Buffer.from(initScript()) },
    { name: 'modules/order', mode: 0o100644, data: Buffer.from(names.join('\n') + '\n') },
    ...modules.map((m, i) => ({ name: `modules/${names[i]}.ko`, mode: 0o100644, data: readFileSync(m) })),
  ];
  return gzipSync(newcArchive(entries), { level: 1 });
}
