/**
 * abuse.test — the fault and abuse tier (issue 12), on the real kernel as root: a hostile user's
 * directories and planted symlinks are left byte-for-byte unchanged; a finished run is never
 * replaced silently; two runs into one directory end with one refused and nothing lost; signals
 * and --timeout-ms end every command with the exit code README's table gives; a full disk names
 * the file and leaves no temp file; an unprivileged run creates nothing; a run writes nothing
 * outside --out. The hostile user is uid 65534, as in probe.test. Storms are small (hundreds to a
 * few thousand children) so the tier takes well under a minute.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, chownSync, existsSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync,
  rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../src/harness/addon.js';
import { searchRunOf } from '../src/harness/sustainable.js';
import { OutputDirError, writeOutputFile } from '../src/results/outdir.js';
import { type ResultsFile } from '../src/results/schema.js';
import { childrenOf, sleep } from './kernel.js';

const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const NOBODY = 65534;
/** A root-only place for the secrets a hostile user would like root to overwrite. */
const base = mkdtempSync('/tmp/ringbench-abuse-');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
  /** ms from the last signal sent to the exit */
  msAfterSignal?: number;
}

/** What a signal's condition sees of the running command. */
interface Watch {
  stdout: string;
  stderr: string;
  pid: number;
  /** ms since the previous signal was sent (Infinity before the first) */
  sinceSignalMs: number;
}

interface CliOptions {
  /** signals to send, each once its condition holds (checked every 20 ms, in order) */
  signals?: { signal: NodeJS.Signals; when: (now: Watch) => boolean }[];
  /** run as uid/gid 65534 with no capabilities */
  unprivileged?: boolean;
  /** run in a mount namespace where the root file system is read-only except this directory */
  readOnlyExcept?: string;
}

function cli(args: string[], opts: CliOptions = {}): Promise<Exit> {
  let cmd = process.execPath;
  let argv = [CLI, ...args];
  if (opts.unprivileged) {
    argv = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--', cmd, ...argv];
    cmd = 'setpriv';
  } else if (opts.readOnlyExcept) {
    const script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro / && exec "$@"';
    argv = ['--mount', '--propagation', 'private', 'sh', '-c', script, opts.readOnlyExcept, cmd, ...argv];
    cmd = 'unshare';
  }
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d) => (out.stdout += d));
    child.stderr.on('data', (d) => (out.stderr += d));
    const pending = [...(opts.signals ?? [])];
    let lastSignalAt: number | undefined;
    const timer = setInterval(() => {
      const now: Watch = { ...out, pid: child.pid!, sinceSignalMs: lastSignalAt ? Date.now() - lastSignalAt : Infinity };
      if (pending.length && pending[0].when(now)) {
        child.kill(pending.shift()!.signal);
        lastSignalAt = Date.now();
      }
    }, 20);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, ...out, pid: child.pid!, msAfterSignal: lastSignalAt && Date.now() - lastSignalAt });
    });
  });
}

/** Every entry under `root`: type, owner, mode, and the content's hash or the link's target. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    const st = lstatSync(p);
    const head = `${st.uid}:${st.gid} ${(st.mode & 0o177777).toString(8)}`;
    if (st.isSymbolicLink()) out[p] = `${head} -> ${readlinkSync(p)}`;
    else if (st.isFile()) out[p] = `${head} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    else if (st.isDirectory()) {
      out[p] = head;
      for (const e of readdirSync(p)) walk(join(p, e));
    } else out[p] = head;
  };
  walk(root);
  return out;
}

/** Real files only: no symlink anywhere under `root`, everything root's own. */
function assertOnlyRealFiles(root: string): void {
  for (const [p, what] of Object.entries(snapshot(root))) {
    assert.not.match(what, / -> /, `${p} is a symlink`);
    assert.ok(what.startsWith('0:0 '), `${p} is not root's: ${what}`);
  }
}

/** `scenarios` scenarios (both transports when even, ringbuf alone for 1) of a tiny storm. */
const tinySuite = (scenarios: number, children: number, repeats = 1) => ({
  name: 'abuse',
  repeats,
  warmup: 0,
  defaults: { children, ringbufBytes: '256K', workers: 1 },
  groups: [{ group: 'producers', sweep: { rateCap: Array.from({ length: Math.ceil(scenarios / 2) }, (_, i) => i * 1000000) } }],
  ...(scenarios === 1 ? { transports: ['ringbuf'] } : {}),
});

function suiteFile(name: string, suite: unknown): string {
  const file = join(base, `${name}.json`);
  writeFileSync(file, JSON.stringify(suite));
  return file;
}

function readResults(dir: string): ResultsFile {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
}

const trials = (r: ResultsFile) => r.scenarios.reduce((n, s) => n + s.repeats['wallNs'].length, 0);

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

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
// 3. signals

/** A condition that holds once the command's storm is running, remembering its pids. */
function stormRunning(seen: Set<number>) {
  return (now: Watch) => {
    for (const p of childrenOf(now.pid)) seen.add(p);
    return seen.size > 0;
  };
}

async function assertGone(pids: Set<number>): Promise<void> {
  for (let i = 0; i < 100 && [...pids].some(alive); i++) await sleep(30);
  assert.equal([...pids].filter(alive), [], 'storm processes left behind');
}

test('SIGTERM to scenario prints the partial result and exits 143; nothing is left running', async () => {
  const storm = new Set<number>();
  const r = await cli(['scenario', '--children', '3000', '--rate-cap', '1000', '--workers', '1', '--json'], {
    signals: [{ signal: 'SIGTERM', when: stormRunning(storm) }],
  });
  assert.is(r.code, 143, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.ok(result.aborted && result.counts.generated < 3000);
  assert.match(result.accounting.notes.join(' '), /it was stopped after \d+ of 3000 children/);
  assert.is(result.counts.delivered + result.counts.droppedKernel, result.counts.seenByBpf);
  await assertGone(storm);
});

test('--timeout-ms is a normal outcome: exit 0 and a note in the result', async () => {
  const r = await cli(['scenario', '--children', '10000000', '--timeout-ms', '300', '--workers', '1', '--json']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.ok(result.aborted);
  assert.match(result.accounting.notes.join(' '), /the load did not finish: it hit --timeout-ms 300 after \d+ of 10000000 children/);
});

test('trace exits 130 on Ctrl-C and 143 on SIGTERM', async () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const r = await cli(['trace'], { signals: [{ signal, when: (o) => o.stderr.includes('Ctrl-C to stop') }] });
    assert.is(r.code, code, `${signal}: ${r.stderr}`);
    assert.match(r.stderr, /ringbench trace: \d+ events? shown/);
  }
});

test('a second Ctrl-C exits at once, without waiting for a slow consumer; the storm goes with it', async () => {
  // 10 ms per event: draining what half a second of storm made would take many seconds
  const storm = new Set<number>();
  const running = stormRunning(storm);
  let seenAt = 0;
  const r = await cli(['scenario', '--children', '4000', '--consumer-delay-ns', '10000000', '--ringbuf-bytes', '1M', '--workers', '1'], {
    signals: [
      { signal: 'SIGINT', when: (o) => running(o) && Date.now() - (seenAt ||= Date.now()) > 500 },
      { signal: 'SIGINT', when: (o) => o.sinceSignalMs > 200 },
    ],
  });
  // ended by the second SIGINT itself (a shell shows 130), not after the drain
  assert.is(r.signal, 'SIGINT', `${r.code} ${r.stderr}`);
  assert.match(r.stderr, /second SIGINT: exiting now/);
  assert.is(r.stdout, '', 'it did not wait for the drain to print a result');
  await assertGone(storm);
  process.stderr.write(`    (second Ctrl-C to exit: ${r.msAfterSignal} ms)\n`);
});

test('Ctrl-C during a slow drain: 130 within 2 s, the partial result with what was left as counts.notDrained', async () => {
  // 10 ms per event: 2000 events take 20 s to drain; the storm itself is over in a fraction of a second
  const storm = new Set<number>();
  const running = stormRunning(storm);
  const r = await cli(['scenario', '--children', '2000', '--consumer-delay-ns', '10000000', '--workers', '1', '--json'], {
    // once the storm has come and gone: the load is over, the consumer is draining
    signals: [{ signal: 'SIGINT', when: (o) => running(o) && childrenOf(o.pid).length === 0 }],
  });
  assert.is(r.code, 130, r.stderr);
  assert.ok(r.msAfterSignal! < 2000, `Ctrl-C to exit: ${r.msAfterSignal} ms`);
  const result = JSON.parse(r.stdout);
  const c = result.counts;
  assert.is(c.generated, 2000, 'the load had finished');
  assert.ok(c.notDrained > 0 && c.delivered > 0, JSON.stringify(c));
  assert.is(c.delivered + c.notDrained + c.droppedKernel, c.seenByBpf);
  assert.ok(result.accounting.kernelBalanced);
  assert.match(result.accounting.notes.join(' '), /stopped while draining.*the drain was cut short \(1 s after the stop\): \d+ records were left unread/);
  await assertGone(storm);
  process.stderr.write(`    (Ctrl-C during the drain to exit: ${r.msAfterSignal} ms; ${c.notDrained} not drained)\n`);
});

test('--timeout-ms bounds the drain too: a slow consumer ends 1 s past it, exit 0, the rest counted as notDrained', async () => {
  const r = await cli(['scenario', '--transport', 'perfbuf', '--children', '1000', '--consumer-delay-ns', '10000000', '--workers', '1', '--timeout-ms', '300', '--json']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  const c = result.counts;
  assert.ok(c.notDrained > 0, JSON.stringify(c));
  assert.is(c.delivered + c.notDrained + c.droppedKernel, c.seenByBpf);
  // the trial's own clock: load phase up to 300 ms, the drain at most 1 s past that (the
  // unbounded drain would take ~10 s at 10 ms per event)
  assert.ok(result.wallNs < 3e9, `wall ${result.wallNs / 1e6} ms`);
  assert.match(result.accounting.notes.join(' '), /the drain was cut short \(1 s after the --timeout-ms bound\)/);
});

test('SIGTERM to run keeps finished trials (exit 143); an interrupted sustainable-rate search keeps its finished steps and --resume replays them', async () => {
  const suite = suiteFile('search', {
    name: 'search',
    repeats: 1,
    warmup: 0,
    defaults: { load: 'saturation', events: 50000, ringbufBytes: '16K', consumerDelayNs: 1000, workers: 1 },
    groups: [{ group: 'ceilings', sustainable: true, sweep: { reader: ['libbpf'] } }],
    transports: ['ringbuf'],
  });
  const out = join(base, 'search');
  // stop shortly after the search starts: its first step (the repeat's own unthrottled trial) is
  // already finished, and its rate-capped steps take longer than 0.2 s each
  const first = await cli(['run', '--suite', suite, '--out', out, '--no-report'], {
    signals: [{ signal: 'SIGTERM', when: (o) => /searching the sustainable rate/.test(o.stderr) && (searchStart ??= Date.now()) < Date.now() - 200 }],
  });
  assert.is(first.code, 143, first.stderr);
  assert.match(first.stderr, /continue it with: ringbench run --resume/);
  const partial = readResults(out);
  assert.is(partial.complete, false);
  const rec = partial.scenarios[0];
  assert.is(trials(partial), 1, 'the measured repeat is kept');
  assert.is(rec.sustainable, undefined);
  const kept = rec.sustainableSearch ?? [];
  assert.ok(kept.length >= 1, `finished steps kept: ${kept.length}`);

  const second = await cli(['run', '--resume', out, '--no-report']);
  assert.is(second.code, 0, second.stderr);
  const full = readResults(out);
  assert.ok(full.complete);
  const s = full.scenarios[0];
  assert.ok(s.sustainable, 'the search finished');
  assert.is(s.sustainableSearch, undefined);
  // the kept steps were replayed, not measured again: their numbers are identical
  assert.equal(s.sustainable!.steps.slice(0, kept.length), kept.map(searchRunOf));
  assert.is(trials(full), 1);
});
let searchStart: number | undefined;

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

test.after(() => {
  rmSync(base, { recursive: true, force: true });
});

test.run();
