/**
 * trace.test — the live trace view on the real kernel, system-wide: exit events (code, signal,
 * pid, ppid) through both transports, exec events with the executed file, the in-BPF
 * --min-duration filter, the CLI's text and JSON output, stopping by SIGINT and by --duration with
 * a summary and nothing left loaded, and one-line refusals for bad flags and missing privileges.
 * Children are spawned with spawnSync, so each is a direct child of this process (ppid = our pid).
 *
 * Other sessions may run ringbench benches on this machine at the same time, so "nothing stays
 * loaded" is checked for the programs and maps this trace held (their ids, read from the tracing
 * process's fdinfo while it ran), not for every ringbench object on the kernel.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../src/harness/addon.js';
import { formatTraceLine, formatTraceSummary, startTrace, TRACE_HEADER, type TraceOptions, type TraceRecord, type TraceSession } from '../src/harness/trace.js';
import { loadedRingbenchObjects, settle, sleep } from './kernel.js';

const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const JSON_KEYS = ['time', 'event', 'comm', 'pid', 'ppid', 'exitCode', 'signal', 'durationMs', 'filename', 'transport', 'cpu', 'seq'];

/** BPF program and map ids that process `pid` holds open ("prog 12", "map 34"), from fdinfo. */
function heldBpfIds(pid: number | 'self'): Set<string> {
  const ids = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info = '';
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed meanwhile
    }
    for (const m of info.matchAll(/^(prog|map)_id:\s*(\d+)$/gm)) ids.add(`${m[1]} ${m[2]}`);
  }
  return ids;
}

/** The ringbench programs and maps (as loadedRingbenchObjects() names them) that `pid` holds. */
function ringbenchObjectsHeldBy(pid: number | 'self'): string[] {
  const held = heldBpfIds(pid);
  return loadedRingbenchObjects().filter((o) => held.has(o.replace(/ \S+#/, ' ')));
}

/** Asserts that the trace's own programs and maps are all gone (after a short settle). */
async function assertFreed(held: string[], when: string): Promise<void> {
  assert.ok(held.some((o) => o.startsWith('prog ')), `the trace held its programs: ${held.join(', ')}`);
  const left = await settle(() => loadedRingbenchObjects().filter((o) => held.includes(o)));
  assert.equal(left, [], `programs and maps are freed ${when}`);
}

/** Polls the session until `found` holds for some collected record (or 3 s pass); returns all. */
async function collectUntil(session: TraceSession, found: (r: TraceRecord) => boolean, ms = 3000): Promise<TraceRecord[]> {
  const all: TraceRecord[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    all.push(...session.poll());
    if (all.some(found)) break;
    await sleep(30);
  }
  return all;
}

/** Runs `fn` with a started session and always stops it; then nothing may stay loaded. */
async function withTrace(options: Partial<TraceOptions>, fn: (s: TraceSession) => Promise<void>): Promise<void> {
  const session = startTrace({ transport: 'ringbuf', exec: false, minDurationMs: 0, ...options });
  const held = ringbenchObjectsHeldBy('self');
  try {
    await fn(session);
  } finally {
    session.stop();
  }
  await assertFreed(held, 'after stop()');
}

/** A CLI run in the background, with its output so far and its exit. */
function spawnCli(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'trace', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { child, stdout: '', stderr: '', exit: new Promise<number | null>((r) => child.on('close', (code) => r(code))) };
  child.stdout!.on('data', (d) => (run.stdout += d));
  child.stderr!.on('data', (d) => (run.stderr += d));
  return run;
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(30);
  }
}

for (const transport of ['ringbuf', 'perfbuf'] as const) {
  test(`${transport}: exit code, signal, pid and ppid of children`, async () => {
    await withTrace({ transport }, async (session) => {
      const coded = spawnSync('sh', ['-c', 'exit 7']);
      const killed = spawnSync('sh', ['-c', 'kill -9 $$']);
      assert.is(coded.status, 7);
      const seen = await collectUntil(session, (r) => r.pid === killed.pid);
      const exit = seen.find((r) => r.pid === coded.pid && r.event === 'exit');
      assert.ok(exit, `an exit event for sh pid ${coded.pid} (${seen.length} events seen)`);
      assert.is(exit.exitCode, 7);
      assert.is(exit.signal, null);
      assert.is(exit.ppid, process.pid);
      assert.is(exit.comm, 'sh');
      assert.is(exit.transport, transport);
      assert.is(exit.filename, null);
      assert.ok(exit.durationMs !== null && exit.durationMs >= 0 && exit.durationMs < 5000, `lifetime ${exit.durationMs} ms`);
      assert.ok(Math.abs(Date.parse(exit.time) - Date.now()) < 10_000, `wall-clock time ${exit.time}`);
      const byKill = seen.find((r) => r.pid === killed.pid);
      assert.ok(byKill);
      assert.is(byKill.signal, 9);
      assert.is(byKill.exitCode, null);
      assert.match(formatTraceLine(byKill), /\[signal 9\] \(\d+ms\)$/);
      // times come from the BPF timestamps, so they keep the order in which the children ran
      assert.ok(Date.parse(exit.time) <= Date.parse(byKill.time));
    });
  });
}

test('exec events carry the executed file name', async () => {
  await withTrace({ exec: true }, async (session) => {
    const child = spawnSync('/bin/true');
    assert.is(child.status, 0);
    const seen = await collectUntil(session, (r) => r.pid === child.pid && r.event === 'exit');
    const exec = seen.find((r) => r.pid === child.pid && r.event === 'exec');
    assert.ok(exec, `an exec event for pid ${child.pid}`);
    assert.match(exec.filename ?? '', /\/true$/);
    assert.is(exec.ppid, process.pid);
    assert.is(exec.exitCode, null);
    assert.is(exec.durationMs, null);
    assert.match(formatTraceLine(exec), new RegExp(`^\\d\\d:\\d\\d:\\d\\d EXEC  true +${child.pid} +${process.pid} +/\\S*true$`));
  });
});

test('--min-duration hides short-lived processes in BPF and shows long-lived ones', async () => {
  await withTrace({ minDurationMs: 150 }, async (session) => {
    const short = spawnSync('sh', ['-c', 'exit 0']);
    const long = spawnSync('sh', ['-c', 'sleep 0.3']);
    const seen = await collectUntil(session, (r) => r.pid === long.pid);
    const longExit = seen.find((r) => r.pid === long.pid);
    assert.ok(longExit, 'the 300 ms child is shown');
    assert.ok(longExit.durationMs! >= 150, `lifetime ${longExit.durationMs} ms`);
    seen.push(...session.stop());
    assert.not.ok(seen.some((r) => r.pid === short.pid), 'the short child is hidden');
    assert.ok(seen.every((r) => r.durationMs! >= 150), 'no exit younger than 150 ms passes');
    const summary = session.summary();
    assert.ok(summary.filtered >= 1, `filtered ${summary.filtered}`);
    assert.match(formatTraceSummary(summary), /filtered by --min-duration 150ms/);
  });
});

test('CLI: text view until SIGINT, then a summary, exit 130 and nothing loaded', async () => {
  const run = spawnCli(['--exec']);
  let held: string[] = [];
  try {
    await waitFor(() => run.stderr.includes('Ctrl-C to stop'), 5000, `the tracer to load (stderr: ${run.stderr})`);
    held = ringbenchObjectsHeldBy(run.child.pid!);
    let line: RegExp | undefined;
    await waitFor(() => {
      // repeat until the view shows one: the first child may exit while the header is written
      if (!line || !line.test(run.stdout)) {
        const child = spawnSync('sh', ['-c', 'exit 7']);
        line = new RegExp(`^\\d\\d:\\d\\d:\\d\\d EXIT  sh +${child.pid} +${process.pid} +\\[7\\] \\(\\d+ms\\)$`, 'm');
      }
      return line.test(run.stdout);
    }, 4000, 'the exit line');
    assert.match(run.stdout, /EXEC  sh +\d+ +\d+ +\/\S*sh$/m);
    run.child.kill('SIGINT');
    assert.is(await run.exit, 130, `stderr: ${run.stderr}`);
  } finally {
    run.child.kill('SIGKILL');
  }
  assert.ok(run.stdout.startsWith(TRACE_HEADER + '\n'));
  assert.is(TRACE_HEADER, 'TIME     EVENT COMM             PID     PPID    FILENAME/EXIT CODE');
  assert.match(run.stderr, /^ringbench trace: \d+ events? shown, ringbuf via \w+, 0 dropped in kernel/m);
  await assertFreed(held, 'after SIGINT');
});

test('CLI: --json --duration on perfbuf prints one stable object per line and stops by itself', async () => {
  const run = spawnCli(['--json', '--transport', 'perfbuf', '--duration', '1.2']);
  let held: string[] = [];
  try {
    await waitFor(() => run.stderr.includes('Ctrl-C to stop'), 5000, `the tracer to load (stderr: ${run.stderr})`);
    held = ringbenchObjectsHeldBy(run.child.pid!);
    const child = spawnSync('sh', ['-c', 'exit 7']);
    assert.is(await run.exit, 0, `stderr: ${run.stderr}`);
    const records = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    for (const r of records) assert.equal(Object.keys(r), JSON_KEYS);
    const exit = records.find((r) => r.pid === child.pid);
    assert.ok(exit, `an exit for ${child.pid} among ${records.length} lines`);
    assert.equal(
      { event: exit.event, exitCode: exit.exitCode, signal: exit.signal, ppid: exit.ppid, transport: exit.transport },
      { event: 'exit', exitCode: 7, signal: null, ppid: process.pid, transport: 'perfbuf' },
    );
  } finally {
    run.child.kill('SIGKILL');
  }
  assert.match(run.stderr, /events? shown, perfbuf via \w+, \d+ dropped in kernel, \d+ lost reported/);
  await assertFreed(held, 'after --duration');
});

test('CLI: bad flag values exit 2 with one line naming the flag, before anything loads', () => {
  const cases: [string[], RegExp][] = [
    [['--transport', 'bogus'], /^ringbench: --transport must be one of ringbuf, perfbuf; got 'bogus'$/],
    [['--min-duration', '-1'], /^ringbench: --min-duration must be a non-negative number of milliseconds/],
    [['--min-duration', '10ms'], /^ringbench: --min-duration must be a non-negative number of milliseconds/],
    [['--duration', '0'], /^ringbench: --duration must be a positive number of seconds/],
  ];
  for (const [args, message] of cases) {
    const r = spawnSync(process.execPath, [CLI, 'trace', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
    assert.is(r.status, 2, `${args.join(' ')}: exit ${r.status}`);
    assert.is(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.is(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], message);
  }
});

test('CLI: without privileges, one line with the reason and exit 1', () => {
  // the same capability drop as the probe test: no CAP_BPF, CAP_PERFMON or CAP_SYS_ADMIN anywhere
  const r = spawnSync(
    'setpriv',
    ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-bpf,-perfmon,-sys_admin', '--reuid=65534', '--regid=65534',
      '--clear-groups', process.execPath, CLI, 'trace', '--duration', '1'],
    { cwd: ROOT, encoding: 'utf8', timeout: 10_000 },
  );
  assert.is(r.error, undefined, `setpriv could not run: ${r.error?.message}`);
  assert.is(r.status, 1, `exit ${r.status}; stderr: ${r.stderr}`);
  assert.is(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], /^ringbench: .*(root|CAP_BPF)/);
});

test('text lines escape control characters in names', () => {
  const line = formatTraceLine({
    time: new Date().toISOString(), event: 'exec', comm: 'evil\x1b[2J', pid: 1, ppid: 0, exitCode: null, signal: null,
    durationMs: null, filename: '/tmp/a\nb', transport: 'ringbuf', cpu: 0, seq: 0,
  });
  assert.not.match(line, /[\x00-\x1f]/);
  assert.match(line, /evil\\x1b\[2J/);
  assert.match(line, /\/tmp\/a\\x0ab$/);
});

test.run();
