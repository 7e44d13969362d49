/**
 * flags.test — the CLI plumbing (cli/flags) every command, matrix and the bench/ scripts share:
 * one integer rule, one threshold rule, commander's choices said in our one-line wording, and
 * the defaults named once (main.ts, noise, ab and matrix read DEFAULTS; no literal is left).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../../src/harness/addon.js';
import { commanderLine, DEFAULTS, intFlag, parseThreshold, UsageError } from '../../src/cli/flags.js';
import { intFlag as benchIntFlag, UsageError as BenchUsageError } from '../../bench/driver/machine.js';
import { NOISY_REL_CI } from '../../src/results/metrics.js';
import { kernelIds } from '../../src/matrix/matrix.js';

test('intFlag: decimal integers in range only, the flag and the value named', () => {
  assert.is(intFlag('--runs', '5', 2, 100), 5);
  for (const bad of ['0x10', '1e3', '2.0', ' 2', '', '1', '101', '99999999999999999999']) {
    assert.throws(() => intFlag('--runs', bad, 2, 100), (e: Error) => e instanceof UsageError && e.message === `--runs must be an integer in 2..100; got '${bad}'`);
  }
  // bench/ uses the same rule and the same error class
  assert.is(BenchUsageError, UsageError);
  assert.throws(() => benchIntFlag('rounds', '1e3', 5, 1, 1000), /--rounds must be an integer in 1\.\.1000; got '1e3'/);
  assert.is(benchIntFlag('rounds', undefined, 5, 1, 1000), 5);
});

test('threshold: default named once; commander wording becomes one ringbench line', () => {
  assert.is(parseThreshold(undefined), DEFAULTS.thresholdPct);
  assert.is(parseThreshold('2.5%'), 2.5);
  assert.is(parseThreshold('0'), undefined);
  assert.is(commanderLine("error: option '--accel <accel>' argument 'xen' is invalid. Allowed choices are auto, kvm, tcg.\n"), "ringbench: --accel must be one of auto, kvm, tcg; got 'xen'\n");
  assert.is(commanderLine("error: unknown option '--chidlren'\n(Did you mean --children?)\n"), "ringbench: unknown option '--chidlren'; did you mean --children?\n");
});

test("no command default or noisy threshold is spelled twice: main.ts has no '5' or 'quick' literal, bench/ no own NOISY_REL_CI", () => {
  const main = readFileSync(join(ROOT, 'src', 'cli', 'main.ts'), 'utf8');
  assert.not.match(main, /'5'|'quick'|'text'|'auto'/);
  for (const f of ['overhead/overhead.ts', 'ceilings/config.ts']) assert.not.match(readFileSync(join(ROOT, 'bench', f), 'utf8'), /NOISY_REL_CI = /, f);
  assert.is(NOISY_REL_CI, 0.1);
});

test('matrix kernel folders are unique whatever the file names (#25 item 5)', () => {
  const path = (p: string) => ({ kind: 'path' as const, input: `path:${p}`, vmlinuz: p });
  assert.equal(kernelIds([{ kind: 'host', input: 'host' }, path('/a/vmlinuz'), path('/b/vmlinuz'), path('/c/vmlinuz')]), ['host', 'path-vmlinuz', 'path-vmlinuz-2', 'path-vmlinuz-3']);
  // a file literally named like the second folder does not take it twice
  assert.equal(kernelIds([path('/a/vmlinuz'), path('/b/vmlinuz'), path('/c/vmlinuz-2')]), ['path-vmlinuz', 'path-vmlinuz-2', 'path-vmlinuz-2-2']);
});

test.run();
