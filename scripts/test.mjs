// test — runs every uvu test file under dist/test against the real kernel, echoing uvu's output,
// and closes with the plain summary line "N passed, N failed".
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
const child = spawn(process.execPath, [uvu, 'dist/test', '\\.test\\.js$', ...process.argv.slice(2)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (d) => {
  out += d;
  process.stdout.write(d);
});
child.on('close', (code) => {
  // uvu prints "Total: N", "Passed: N", "Skipped: N" (with ANSI colours when on a TTY)
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const num = (label) => Number((plain.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? 0);
  const total = num('Total');
  const passed = num('Passed');
  const failed = total - passed - num('Skipped');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code !== 0 ? code || 1 : failed > 0 || total === 0 ? 1 : 0);
});
