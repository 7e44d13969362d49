// test — runs the uvu test tiers from dist/test and closes with the plain summary line
// "N passed, N failed" over every tier run.
//   unit:   dist/test/unit — the pure modules (stats, compare, verdicts, suites, formatting, chart
//           specs, report rendering from fixtures); no root, no BPF, seconds.
//   kernel: every other dist/test file — the real twin programs on the real kernel (root).
// `node scripts/test.mjs` runs both; `--unit` or `--kernel` runs one; further arguments go to uvu.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
const args = process.argv.slice(2);
const only = args.find((a) => a === '--unit' || a === '--kernel');
const extra = args.filter((a) => a !== only);

const TIERS = [
  { name: 'unit', dir: 'dist/test/unit', ignore: [] },
  { name: 'kernel', dir: 'dist/test', ignore: ['^unit/'] },
].filter((t) => !only || `--${t.name}` === only);

function runTier(tier) {
  return new Promise((resolve) => {
    if (!existsSync(join(root, tier.dir))) {
      console.log(`${tier.name} tier: ${tier.dir} is missing (build first)`);
      resolve({ passed: 0, failed: 1, total: 0, code: 1 });
      return;
    }
    const ignore = tier.ignore.flatMap((p) => ['--ignore', p]);
    const child = spawn(process.execPath, [uvu, tier.dir, '\\.test\\.js$', ...ignore, ...extra], {
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
      resolve({ passed, failed: total - passed - num('Skipped'), total, code: code ?? 1 });
    });
  });
}

let passed = 0;
let failed = 0;
let bad = false;
for (const tier of TIERS) {
  console.log(`\n== ${tier.name} tier ==`);
  const r = await runTier(tier);
  passed += r.passed;
  failed += r.failed;
  // A tier that ran nothing, or whose runner failed without counting a failure, fails the run.
  if (r.code !== 0 || r.total === 0) bad = true;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(bad || failed > 0 ? 1 : 0);
