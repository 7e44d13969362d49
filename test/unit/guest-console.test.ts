/**
 * guest-console.test (unit) — what `matrix` makes of a guest kernel's console when a boot fails
 * (matrix/qemu.ts kernelTrouble): the panic's reason, the first oops line and the function it
 * stopped in, from console text laid out as the kernel prints it; nothing from a clean boot or a
 * boot that only printed the init's lines. No root, no QEMU.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kernelTrouble, troubleWords } from '../../src/matrix/qemu.js';

// The shape of an oops in interrupt context on 6.12-rt under TCG (register lines as CI printed them).
const PANIC = [
  'ringbench-init: mounting the host',
  '[    2.041210] BUG: kernel NULL pointer dereference, address: 0000000000000000',
  '[    2.041300] #PF: supervisor read access in kernel mode',
  '[    2.041400] Oops: Oops: 0000 [#1] PREEMPT_RT SMP NOPTI',
  '[    2.041500] CPU: 1 UID: 0 PID: 0 Comm: swapper/1 Not tainted 6.12.118+deb12-rt-amd64 #1  Debian 6.12.118-1',
  '[    2.041600] RIP: 0010:update_cfs_group+0x5c/0xb0',
  '[    2.045140] R13: 0000000000000206 R14: ff30d9f4c13badf8 R15: 0000000000000088',
  '[    2.045179] PKRU: 55555554',
  '[    2.045332] Kernel panic - not syncing: Fatal exception in interrupt',
  '[    3.583158] Shutting down cpus with NMI',
];

test('a panic: its reason, the first oops line and the function, in one line; the excerpt starts at the oops', () => {
  const t = kernelTrouble(PANIC);
  assert.ok(t);
  assert.is(t!.panic, 'Fatal exception in interrupt');
  assert.is(t!.first, 'BUG: kernel NULL pointer dereference, address: 0000000000000000');
  assert.is(t!.rip, 'update_cfs_group+0x5c/0xb0');
  assert.is(t!.excerpt[0], PANIC[1]);
  assert.is(t!.excerpt.length, PANIC.length - 1);
  assert.is(troubleWords(t!), 'panicked (Fatal exception in interrupt): BUG: kernel NULL pointer dereference, address: 0000000000000000 in update_cfs_group+0x5c/0xb0');
});

test('a panic with no oops before it (e.g. no root): the reason alone', () => {
  const t = kernelTrouble(['[    0.9] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)']);
  assert.is(troubleWords(t!), 'panicked (VFS: Unable to mount root fs on unknown-block(0,0))');
});

test('a clean boot, or a user line that mentions BUG, is no trouble', () => {
  assert.is(kernelTrouble(['[    0.000000] Linux version 6.1.0', 'ringbench-init: running /x/command.sh', 'guest: BUG: not a kernel line', '[   10.29] reboot: Power down']), undefined);
});

test.run();
