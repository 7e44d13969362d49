/**
 * output-safety.test — the abuse tier's output half, on the real kernel as root: a hostile user's
 * directories and planted symlinks are left byte-for-byte unchanged by every writer (run, report,
 * matrix, noise --out, compare --github-benchmark); a finished run is never replaced silently; two
 * runs (or matrices) into one directory end with one refused naming the other's PID; a full disk
 * names the file and leaves no temp file; an unprivileged run creates nothing; a run writes nothing
 * outside --out. The hostile user is uid 65534, as in probe.test. Matrix output checks all happen
 * before any guest boots, so they cost no boot. Storms are small (hundreds to a few thousand
 * children) so the file takes well under a minute.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, existsSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync,
  rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../src/harness/addon.js';
import { OutputDir, OutputDirError, writeOutputFile } from '../src/results/outdir.js';
import { makeResults } from './compare-fixtures.js';
import { assertOnlyRealFiles, cli, NOBODY, readResults, snapshot, suiteFile as writeSuite, tinySuite, trials } from './abuse-cli.js';

/** A root-only place for the secrets a hostile user would like root to overwrite. */
const base = mkdtempSync('/tmp/ringbench-abuse-');
const suiteFile = (name: string, suite: unknown) => writeSuite(base, name, suite);

// ---------------------------------------------------------------------------------------------
// 1. output safety

test('a hostile directory and its planted symlinks are left byte-for-byte unchanged', async () => {
  // Root-only secrets: a 0600 file and a 0700 directory.
  const secrets = join(base, 'secrets');
  mkdirSync(secrets, { mode: 0o700 });
  const secret = join(secrets, 'shadow');
  writeFileSync(secret, 'root only\n', { mode: 0o600 });
  const rootDir = join(secrets, 'rootdir');
  mkdirSync(rootDir, { mode: 0o700 });
  writeFileSync(join(rootDir, 'keep'), 'keep\n', { mode: 0o600 });

  // Another user's sticky, world-writable directory (like /tmp), with an output directory that
  // user prepared: symlinks at every name ringbench writes, its temp names and the lock.
  const hostile = join(base, 'hostile');
  mkdirSync(hostile);
  chownSync(hostile, NOBODY, NOBODY);
  chmodSync(hostile, 0o1777);
  const trap = join(hostile, 'out');
  mkdirSync(trap);
  const plant = (dir: string) => {
    for (const name of ['results.json', 'results.csv', 'report.html', 'report.md', '.ringbench.lock', '.results.json.0123456789abcdef.tmp', `results.json.tmp-${process.pid + 1}`]) {
      symlinkSync(secret, join(dir, name));
      lchownSync(join(dir, name), NOBODY, NOBODY);
    }
    symlinkSync(rootDir, join(dir, 'charts'));
    lchownSync(join(dir, 'charts'), NOBODY, NOBODY);
  };
  plant(trap);
  chownSync(trap, NOBODY, NOBODY);
  chmodSync(trap, 0o777);
  symlinkSync(secrets, join(hostile, 'link'));
  lchownSync(join(hostile, 'link'), NOBODY, NOBODY);

  const suite = suiteFile('hostile', tinySuite(2, 100));
  const before = { ...snapshot(hostile), ...snapshot(secrets) };
  const refusals: [string[], RegExp][] = [
    [['--out', trap], /belongs to uid 65534/],
    [['--out', trap, '--force'], /belongs to uid 65534/],
    [['--out', hostile], /belongs to uid 65534/],
    [['--out', join(hostile, 'fresh')], /hostile belongs to uid 65534, .*another user could swap/],
    [['--out', join(hostile, 'link')], /is a symlink to .*secrets; ringbench writes only to real paths/],
    [['--out', join(hostile, 'link', 'rootdir')], /is a symlink/],
    [['--resume', trap], /belongs to uid 65534/],
  ];
  const exits = await Promise.all(refusals.map(([flags]) => cli(['run', ...(flags[0] === '--resume' ? [] : ['--suite', suite]), ...flags])));
  refusals.forEach(([flags, message], i) => {
    const r = exits[i];
    assert.is(r.code, 2, `${flags.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
  assert.equal({ ...snapshot(hostile), ...snapshot(secrets) }, before, 'the hostile tree and the secrets are unchanged');
  assert.not.ok(existsSync(join(hostile, 'fresh')), 'nothing was created');

  // root's own sticky, world-writable directory, where the hostile user planted the same links:
  // a new run refuses it (not empty); --force removes the links (never following them) and
  // writes only real files; the secrets stay unchanged.
  const sticky = join(base, 'sticky');
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  plant(sticky);
  const refused = await cli(['run', '--suite', suite, '--out', sticky]);
  assert.is(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /is not empty .*--resume .* --force/);
  const forced = await cli(['run', '--suite', suite, '--out', sticky, '--force']);
  assert.is(forced.code, 0, forced.stderr);
  assert.equal(snapshot(secrets), Object.fromEntries(Object.entries(before).filter(([p]) => p.startsWith(secrets))));
  const left = readdirSync(sticky).sort();
  assert.ok(left.includes('results.json') && left.includes('report.html') && left.includes('charts'), left.join(' '));
  // planted names ringbench does not write (old-style temp names) are left alone, as links
  for (const name of left.filter((n) => !['results.json', 'results.csv', 'report.html', 'report.md', 'warnings.json', 'charts'].includes(n))) {
    assert.is(name, `results.json.tmp-${process.pid + 1}`);
    rmSync(join(sticky, name));
  }
  assertOnlyRealFiles(sticky);
  assert.is(readResults(sticky).scenarios.length, 2);
});

// ---------------------------------------------------------------------------------------------
// 2. no lost work

test('a finished run is never replaced: rerun exits 2 and leaves it intact; --force replaces it whole', async () => {
  const suite = suiteFile('finished', tinySuite(2, 100));
  const out = join(base, 'finished');
  const first = await cli(['run', '--suite', suite, '--out', out]);
  assert.is(first.code, 0, first.stderr);
  const before = snapshot(out);
  for (const again of await Promise.all([['--out', out], ['--out', out + '/']].map((args) => cli(['run', '--suite', suite, ...args])))) {
    assert.is(again.code, 2, again.stderr);
    assert.match(again.stderr, new RegExp(`--out ${out}/? is not empty .*continue it with --resume ${out}/?, or replace it with --force`));
  }
  assert.equal(snapshot(out), before);

  // --force --no-report: the new results, and no report of the old run left beside them
  const forced = await cli(['run', '--suite', suite, '--out', out, '--force', '--no-report']);
  assert.is(forced.code, 0, forced.stderr);
  assert.equal(readdirSync(out).sort(), ['results.csv', 'results.json']);

  for (const [args, message] of [
    [['run', '--suite', suite, '--out', ''], /^ringbench: --out must name a directory; got ''$/],
    [['run', '--resume', out, '--force'], /--resume continues a run and --force replaces it; choose one/],
    [['run', '--resume', out, '--out', out], /--resume writes into the run it continues; drop --out/],
  ] as [string[], RegExp][]) {
    const r = await cli(args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), message);
  }
  assert.not.ok(existsSync(join(process.cwd(), 'results.json')), "--out '' wrote nothing into the current directory");
});

test('two runs into one directory: one is refused naming the other\'s PID, and no result is lost', async () => {
  // 12 scenarios: also the suite size that made tinybench warn about abort listeners
  const suite = suiteFile('concurrent', tinySuite(12, 150));
  const out = join(base, 'concurrent');
  const [a, b] = await Promise.all([cli(['run', '--suite', suite, '--out', out, '--no-report']), cli(['run', '--suite', suite, '--out', out, '--no-report'])]);
  const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
  assert.is(winner.code, 0, winner.stderr);
  assert.is(loser.code, 2, loser.stderr);
  assert.match(loser.stderr, new RegExp(`^ringbench: --out ${out} is in use by another ringbench \\(PID ${winner.pid}\\)`));
  const results = readResults(out);
  assert.ok(results.complete);
  assert.is(trials(results), 12);
  assert.not.ok(existsSync(join(out, '.ringbench.lock')), 'the lock is gone after the run');
  // no warnings on a normal run (MaxListenersExceededWarning was printed on every suite run)
  assert.not.match(winner.stderr, /Warning/);

  // A lock whose process is gone (or whose PID now belongs to another process) is taken over.
  const stale = join(base, 'stale');
  mkdirSync(stale);
  writeFileSync(join(stale, '.ringbench.lock'), `${process.pid} 1 0123456789abcdef\n`);
  const taken = await cli(['run', '--suite', suiteFile('stale', tinySuite(2, 100)), '--out', stale, '--no-report']);
  assert.is(taken.code, 0, taken.stderr);
  assert.not.ok(existsSync(join(stale, '.ringbench.lock')));
});


// ---------------------------------------------------------------------------------------------
// 6. smaller: a full disk, an unprivileged run, writes outside --out

test('a full disk: the failing file is named, no temp file is left, the last results.json is whole (exit 1)', async () => {
  const disk = join(base, 'disk');
  mkdirSync(disk, { mode: 0o755 });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', disk]);
  assert.is(mounted.status, 0, `mount a 64 KiB tmpfs: ${mounted.stderr}`);
  try {
    const r = await cli(['run', '--suite', suiteFile('disk', tinySuite(12, 100)), '--out', join(disk, 'out'), '--no-report']);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^ringbench: cannot write ${disk}/out/results\\.(json|csv): ENOSPC \\(no space left on device\\)$`, 'm'));
    assert.equal(readdirSync(join(disk, 'out')).filter((n) => !['results.json', 'results.csv'].includes(n)), [], 'no temp or lock file left');
    const last = readResults(join(disk, 'out'));
    assert.is(last.complete, false);
    assert.ok(trials(last) < 12, 'the disk filled before the end');
  } finally {
    spawnSync('umount', [disk]);
  }
});

test('an unprivileged run fails before it creates anything, saying what is missing (exit 1)', async () => {
  const home = mkdtempSync('/tmp/ringbench-abuse-nobody-');
  try {
    chownSync(home, NOBODY, NOBODY);
    const out = join(home, 'out');
    const r = await cli(['run', '--suite', 'quick', '--out', out], { unprivileged: true });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /^ringbench: cannot run here:\n\s+- missing privileges/);
    assert.not.ok(existsSync(out), `${out} was created`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('a run writes nothing outside --out: it succeeds with the rest of the file system read-only', async () => {
  const out = join(base, 'confined');
  mkdirSync(out);
  const r = await cli(['run', '--suite', suiteFile('confined', tinySuite(1, 100)), '--out', out], { readOnlyExcept: out });
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(join(out, 'report.html')) && existsSync(join(out, 'charts')));
  // the namespace really was read-only outside --out
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount -o remount,bind,ro / && touch ${join(base, 'touched')}`]);
  assert.is.not(probe.status, 0);
  assert.not.ok(existsSync(join(base, 'touched')));
});

test("reading the git commit takes no lock in the checkout (strace: no .git/index.lock, nothing opened for writing)", () => {
  const log = join(base, 'git.strace');
  const script = `import { captureEnvironment } from '${join(ROOT, 'dist', 'src', 'harness', 'env.js')}'; console.log(captureEnvironment().gitCommit);`;
  const r = spawnSync('strace', ['-f', '-qq', '-e', 'signal=none', '-o', log, '-e', 'trace=open,openat,creat,mkdir,rename,renameat,renameat2,link,linkat,unlink,unlinkat',
    '--', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{40}(-dirty)?$/m, 'the commit was read');
  const trace = readFileSync(log, 'utf8');
  assert.match(trace, /execve|openat/, 'strace saw the process');
  assert.not.match(trace, /index\.lock/);
  const writes = trace.split('\n').filter((l) => /(O_WRONLY|O_RDWR|O_CREAT)/.test(l) && !/"\/dev\/null"/.test(l) && !/= -1 /.test(l));
  assert.equal(writes, []);
});

test('report into a hostile directory is refused; into a symlinked charts/ never written through', async () => {
  const hostile = join(base, 'hostile');
  const run = join(base, 'finished');
  const before = snapshot(hostile);
  for (const r of await Promise.all([join(hostile, 'out'), join(hostile, 'report')].map((outDir) => cli(['report', run, '--out', outDir])))) {
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /belongs to uid 65534/);
  }
  assert.equal(snapshot(hostile), before);
  // in a directory of root's own, a symlink at charts/ is refused, not followed
  const own = join(base, 'own-report');
  mkdirSync(own);
  const target = join(base, 'secrets', 'rootdir');
  const beforeTarget = snapshot(target);
  symlinkSync(target, join(own, 'charts'));
  const r = await cli(['report', run, '--out', own]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /charts is a symlink: ringbench writes only into real directories of its own/);
  assert.equal(snapshot(target), beforeTarget);
});

test('one-file outputs (writeOutputFile): a planted symlink is replaced, never followed; replace: false never overwrites', () => {
  const dir = join(base, 'one-file');
  mkdirSync(dir);
  const secret = join(base, 'secrets', 'shadow');
  const before = readFileSync(secret, 'utf8');
  symlinkSync(secret, join(dir, 'bench.json'));
  assert.throws(() => writeOutputFile(join(dir, 'bench.json'), 'new\n', { flag: '--x', replace: false }), (e: Error) => e instanceof OutputDirError && /exists; ringbench does not replace it/.test(e.message));
  writeOutputFile(join(dir, 'bench.json'), 'new\n', { flag: '--x' });
  assert.ok(lstatSync(join(dir, 'bench.json')).isFile());
  assert.is(readFileSync(join(dir, 'bench.json'), 'utf8'), 'new\n');
  assert.is(readFileSync(secret, 'utf8'), before);
  assert.equal(readdirSync(dir), ['bench.json'], 'no temp file left');
  assert.throws(() => writeOutputFile(join(base, 'hostile', 'x.json'), 'x', { flag: '--x' }), /belongs to uid 65534/);
  assert.throws(() => writeOutputFile('', 'x', { flag: '--x' }), /--x must name a file/);
});

// ---------------------------------------------------------------------------------------------
// 7. every other writer: matrix, compare --github-benchmark, noise --out (issue 25)

/** A run directory holding synthetic results (test/compare-fixtures), readable by anyone. */
function runDir(name: string, seed: number, repeats = 5): string {
  const dir = join(base, 'runs', name);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(makeResults({ seed, repeats })), { mode: 0o644 });
  return dir;
}

test("matrix --out: another user's directory, a world-writable one, '' and planted symlinks are refused before anything is created (exit 2)", async () => {
  const hostile = join(base, 'hostile');
  const secret = join(base, 'secrets', 'shadow');
  // another user's output directory with a planted host-environment.json (#25 item 2)
  const trap = join(hostile, 'matrix');
  mkdirSync(trap);
  symlinkSync(secret, join(trap, 'host-environment.json'));
  lchownSync(join(trap, 'host-environment.json'), NOBODY, NOBODY);
  chownSync(trap, NOBODY, NOBODY);
  const worldWritable = join(base, 'world-writable');
  mkdirSync(worldWritable);
  chmodSync(worldWritable, 0o777);
  // our own directory with a dangling matrix.json symlink pointing outside it
  const own = join(base, 'own-matrix');
  mkdirSync(own);
  const outside = join(base, 'outside-matrix.json');
  symlinkSync(outside, join(own, 'matrix.json'));
  const cwd = mkdtempSync(join(base, 'cwd-'));
  const before = { ...snapshot(hostile), ...snapshot(join(base, 'secrets')), ...snapshot(worldWritable) };
  const cases: [string, RegExp][] = [
    [trap, /--out .*matrix: the directory belongs to uid 65534/],
    [join(hostile, 'fresh'), /hostile belongs to uid 65534, .*another user could swap/],
    [worldWritable, /world-writable: the directory is writable by every user/],
    [own, /--out .*own-matrix is not empty \(matrix\.json\); a kernel matrix is not resumed or replaced/],
    ['', /^ringbench: --out must name a directory; got ''$/],
  ];
  for (const [out, message] of cases) {
    const r = await cli(['matrix', '--kernels', 'host', '--no-report', '--out', out], { cwd });
    assert.is(r.code, 2, `--out '${out}' → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr.trim(), message);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.equal({ ...snapshot(hostile), ...snapshot(join(base, 'secrets')), ...snapshot(worldWritable) }, before, 'nothing changed');
  assert.not.ok(existsSync(outside), 'nothing was created through the dangling symlink');
  assert.equal(readdirSync(cwd), [], "--out '' wrote nothing into the current directory");
  assert.equal(readdirSync(own), ['matrix.json']);
});

test("a second matrix into a locked --out is refused naming the holder's PID; nothing is written (exit 2)", async () => {
  const out = join(base, 'matrix-locked');
  const held = OutputDir.open(out, { flag: '--out', mode: 'new', lock: true });
  try {
    const r = await cli(['matrix', '--kernels', 'host', '--no-report', '--out', out]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^ringbench: --out ${out} is in use by another ringbench \\(PID ${process.pid}\\)`));
    assert.equal(readdirSync(out), ['.ringbench.lock']);
  } finally {
    held.release();
  }
});

test('compare --github-benchmark writes exactly its two files inside a safe directory; /dev/null, a file and another user\'s directory are refused', async () => {
  const [a, b] = [runDir('gb-a', 21), runDir('gb-b', 22)];
  const parent = join(base, 'gb');
  mkdirSync(parent);
  const dir = join(parent, 'bench');
  const r = await cli(['compare', a, b, '--github-benchmark', dir]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.equal(readdirSync(parent), ['bench'], 'no sibling of the path');
  assert.equal(readdirSync(dir).sort(), ['bigger-is-better.json', 'smaller-is-better.json']);
  for (const f of readdirSync(dir)) assert.ok(Array.isArray(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
  const file = join(parent, 'file.json');
  writeFileSync(file, '[]');
  const hostileBefore = snapshot(join(base, 'hostile'));
  try {
    for (const [path, message] of [
      ['/dev/null', /--github-benchmark \/dev\/null: the directory is not a directory/],
      [file, /file\.json: the directory is not a directory/],
      [join(base, 'hostile', 'gb'), /hostile belongs to uid 65534/],
    ] as [string, RegExp][]) {
      const refused = await cli(['compare', a, b, '--github-benchmark', path]);
      assert.is(refused.code, 2, `${path}: ${refused.stderr}`);
      assert.match(refused.stderr, message);
      assert.is(refused.stdout, '', 'refused before the comparison is printed');
    }
    assert.not.ok(existsSync('/dev/null.bigger.json') || existsSync('/dev/null.smaller.json'), 'no sibling of /dev/null');
    assert.equal(readdirSync(parent).sort(), ['bench', 'file.json']);
    assert.equal(snapshot(join(base, 'hostile')), hostileBefore);
  } finally {
    for (const f of ['/dev/null.bigger.json', '/dev/null.smaller.json']) rmSync(f, { force: true });
  }
});

test('noise --out: a root-owned sticky directory (like /tmp) is accepted for an unprivileged user, as run accepts it; a record is never overwritten', async () => {
  const sticky = mkdtempSync('/tmp/ringbench-sticky-');
  try {
    chmodSync(sticky, 0o1777);
    const [a, b] = [runDir('noise-a', 31), runDir('noise-b', 32)];
    chmodSync(base, 0o755); // let uid 65534 read the runs
    const out = join(sticky, 'noise.json');
    const r = await cli(['noise', '--out', out, a, b], { unprivileged: true });
    assert.is(r.code, 0, r.stderr);
    assert.is(lstatSync(out).uid, NOBODY);
    assert.is(JSON.parse(readFileSync(out, 'utf8')).runs, 2);
    const before = readFileSync(out, 'utf8');
    const again = await cli(['noise', '--out', out, a, b]);
    assert.is(again.code, 2, again.stderr);
    assert.match(again.stderr, /--out .*noise\.json: already exists; a noise record is never overwritten/);
    assert.is(readFileSync(out, 'utf8'), before);
    assert.equal(readdirSync(sticky), ['noise.json'], 'no temp file left');
  } finally {
    chmodSync(base, 0o700);
    rmSync(sticky, { recursive: true, force: true });
  }
});

test.after(() => {
  rmSync(base, { recursive: true, force: true });
});

test.run();
