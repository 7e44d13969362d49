/**
 * gate — `npm run bench:gate`: does regression gating cry wolf on this machine, and does it still
 * catch real changes? Everything goes through the `ringbench` CLI, as a CI job would use it, and
 * counts exit codes.
 *
 * Variants, one of each per round (driver.ts interleaves them):
 * - aa: two back-to-back runs of the suite (default quick), judged with `compare --noise` against a
 *   noise record made first (`ringbench noise`, --noise-runs runs; or --noise FILE). Target: at
 *   most 1 pair in 10 with any judged regression.
 * - stress: a candidate run while `stress-ng --cpu 1` loads one of the CPUs, against the latest aa
 *   base, with the same noise record: a real slowdown of the machine. Target: caught (exit 1) in
 *   at least 9 of 10.
 * - paired: `ringbench ab` on a reader-ceiling suite (drain consumer, both transports) with B's
 *   consumer 10% slower than A's (--consumer-delay-ns raised by 10% of the consumer's measured
 *   CPU time per event). Target: flagged in at least 9 of 10.
 * - paired-aa: the same `ringbench ab` with identical sides. Target: at most 1 in 10 flagged.
 *
 * --pairs N is the number of rounds (default 10); --stress-pairs M limits the stress variant to
 * the first M rounds (each costs a whole run). Exit codes as every benchmark: 0 targets met, 1 a
 * target missed or a run failed, 2 bad flags, 130 interrupted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/harness/addon.js';
import { BenchError, runBench, samplesOf, type Bench, type Run, type Sample } from '../driver/driver.js';
import { intFlag, loadWords, table, UsageError } from '../driver/machine.js';
import { DEFAULTS, thresholdFlag } from '../../src/cli/flags.js';
import { trial } from '../driver/trial.js';

const CLI = join(ROOT, 'dist', 'src', 'cli.js');

interface Options {
  suite: string;
  noiseRuns: number;
  noise?: string;
  stressPairs: number;
  thresholdPct: number;
}

interface Measured {
  /** the CLI's exit code of the verdict step: 1 = a judged regression */
  exitCode: number;
  regressed: number;
  judged: number;
  machineChanged: boolean;
  /** up to 5 "scenario metric change" of the regressions */
  flagged: string[];
  seconds: number;
  skipped: boolean;
}

// The paired check: a reader ceiling (drain consumer: the consumer's own speed sets the rate).
const PAIRED_BASE_DELAY_NS = 1000;
const PAIRED_SUITE = {
  name: 'gate-paired',
  description: 'bench:gate paired check: drain a backlog with a consumer that costs ~1 µs per event',
  repeats: 10,
  warmup: 1,
  defaults: { load: 'saturation', events: 50000, workers: 1, ringbufBytes: '16M', consumer: 'drain', ringbufWakeup: 'every-n', wakeupEvery: 1000000, perfbufWakeupEvents: 1000000 },
  groups: [{ group: 'reader-ceiling', variants: [{ label: 'libbpf', x: 0, set: { reader: 'libbpf' } }] }],
};

let work = '';
let current: ChildProcess | undefined;
let stress: ChildProcess | undefined;
let noiseFile: string | undefined;
let lastBase: string | undefined;
let runCount = 0;
let stressDone = 0;
let slowDelayNs = 0;

/** Runs the CLI; resolves with its exit code and stdout. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      current = undefined;
      resolve({ code: code ?? (signal === 'SIGINT' ? 130 : 1), stdout, stderr });
    });
  });
}

async function newRun(): Promise<string> {
  const dir = join(work, `run-${++runCount}`);
  const r = await cli(['run', '--suite', suiteArg, '--no-report', '--out', dir]);
  if (r.code !== 0) throw new BenchError(`ringbench run --suite ${suiteArg} exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  return dir;
}
let suiteArg: string = DEFAULTS.suite;

async function ensureNoise(o: Options): Promise<string> {
  if (noiseFile) return noiseFile;
  const file = join(work, 'noise.json');
  const r = await cli(['noise', '--suite', o.suite, '--runs', String(o.noiseRuns), '--out', file]);
  if (r.code !== 0) throw new BenchError(`ringbench noise exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  noiseFile = file;
  return file;
}

interface ComparisonJson {
  summary: { regressed: number; improved: number; noChange: number; withinNoise: number };
  machineChanged: boolean;
  scenarios: { id: string; metrics: { metric: string; judged: boolean; verdict: string; change: number | null }[] }[];
}

/** The verdict step's outcome, from its JSON comparison. */
function measured(code: number, stdout: string, started: number): Measured {
  if (code !== 0 && code !== 1) throw new BenchError(`the verdict step exited ${code}`);
  const c = JSON.parse(stdout) as ComparisonJson;
  const s = c.summary;
  const flagged = c.scenarios.flatMap((sc) =>
    sc.metrics.filter((m) => m.judged && m.verdict === 'regressed').map((m) => `${sc.id} ${m.metric} ${m.change === null ? 'from 0' : `${(m.change * 100).toFixed(1)}%`}`),
  );
  return {
    exitCode: code,
    regressed: s.regressed,
    judged: s.regressed + s.improved + s.noChange + s.withinNoise,
    machineChanged: c.machineChanged,
    flagged: flagged.slice(0, 5),
    seconds: (Date.now() - started) / 1000,
    skipped: false,
  };
}

async function compareRuns(o: Options, base: string, candidate: string, started: number): Promise<Measured> {
  const noise = o.noise ?? (await ensureNoise(o));
  const r = await cli(['compare', '--noise', noise, '--threshold', String(o.thresholdPct), '--format', 'json', base, candidate]);
  return measured(r.code, r.stdout, started);
}

async function aa(o: Options): Promise<Measured> {
  await (o.noise ? Promise.resolve() : ensureNoise(o));
  const started = Date.now();
  const base = await newRun();
  const candidate = await newRun();
  lastBase = base;
  return compareRuns(o, base, candidate, started);
}

function stopStress(): void {
  if (stress?.pid) {
    try {
      process.kill(-stress.pid, 'SIGKILL'); // its own process group: the workers too
    } catch {
      /* already gone */
    }
  }
  stress = undefined;
}

async function underStress(o: Options): Promise<Measured> {
  if (stressDone >= o.stressPairs) return { exitCode: 0, regressed: 0, judged: 0, machineChanged: false, flagged: [], seconds: 0, skipped: true };
  stressDone++;
  await (o.noise ? Promise.resolve() : ensureNoise(o));
  const started = Date.now();
  const base = lastBase ?? (await newRun());
  stress = spawn('stress-ng', ['--cpu', '1', '--quiet'], { stdio: 'ignore', detached: true });
  let candidate: string;
  try {
    candidate = await newRun();
  } finally {
    stopStress();
  }
  return compareRuns(o, base, candidate, started);
}

/** B's extra delay: 10% of the consumer's CPU time per event at the base delay (ringbuf and perfbuf). */
async function calibrate(): Promise<number> {
  if (slowDelayNs) return slowDelayNs;
  const d = PAIRED_SUITE.defaults;
  const cost: number[] = [];
  for (const transport of ['ringbuf', 'perfbuf'] as const) {
    for (let i = 0; i < 2; i++) {
      const r = await trial({ ...d, events: d.events, consumer: 'drain', load: 'saturation', ringbufWakeup: 'every-n', ringbufBytes: 16 << 20, transport, consumerDelayNs: PAIRED_BASE_DELAY_NS });
      cost.push(r.cpu.consumerNsPerEvent);
    }
  }
  slowDelayNs = Math.round(0.1 * (cost.reduce((a, b) => a + b, 0) / cost.length));
  return slowDelayNs;
}

async function paired(o: Options, slower: boolean): Promise<Measured> {
  const extra = await calibrate();
  const started = Date.now();
  const suite = join(work, 'gate-paired.json');
  const a = `consumerDelayNs=${PAIRED_BASE_DELAY_NS}`;
  const b = `consumerDelayNs=${PAIRED_BASE_DELAY_NS + (slower ? extra : 0)}`;
  const r = await cli(['ab', '--suite', suite, '--a', a, '--b', b, '--threshold', String(o.thresholdPct), '--format', 'json']);
  return measured(r.code, r.stdout, started);
}

// ---------------------------------------------------------------------------------------------
// Report

interface Target {
  id: string;
  what: string;
  /** this many tries flagged, at most (false alarms) or at least (real changes) */
  limit: (tries: number) => number;
  kind: 'at most' | 'at least';
}

const TARGETS: Target[] = [
  { id: 'aa', what: 'A/A pairs of runs (compare --noise)', limit: (n) => Math.max(1, Math.floor(n / 10)), kind: 'at most' },
  { id: 'stress', what: 'candidate under stress-ng --cpu 1 (compare --noise)', limit: (n) => Math.ceil(0.9 * n), kind: 'at least' },
  { id: 'paired', what: 'ab: B consumer 10% slower (paired)', limit: (n) => Math.ceil(0.9 * n), kind: 'at least' },
  { id: 'paired-aa', what: 'ab: identical sides (paired)', limit: (n) => Math.max(1, Math.floor(n / 10)), kind: 'at most' },
];

function report(run: Run<Options, Measured, undefined>): { lines: string[]; json: Record<string, unknown>; pass: boolean } {
  const rows = [['check', 'tries', 'flagged (exit 1)', 'target', 'judged metrics/try', 'machine changed', 'minutes/try', 'pass']];
  const results: Record<string, unknown>[] = [];
  let pass = true;
  const examples: string[] = [];
  for (const t of TARGETS) {
    const s = samplesOf(run.samples, t.id).filter((x) => !x.skipped);
    if (!s.length) continue;
    const flagged = s.filter((x) => x.exitCode === 1).length;
    const limit = t.limit(s.length);
    const ok = t.kind === 'at most' ? flagged <= limit : flagged >= limit;
    pass &&= ok;
    const avg = (f: (x: Sample<Measured>) => number) => s.reduce((a, x) => a + f(x), 0) / s.length;
    rows.push([t.what, String(s.length), String(flagged), `${t.kind} ${limit}`, avg((x) => x.judged).toFixed(0), String(s.filter((x) => x.machineChanged).length), (avg((x) => x.seconds) / 60).toFixed(1), ok ? 'yes' : 'NO']);
    if (t.kind === 'at most') for (const x of s.filter((y) => y.exitCode === 1)) examples.push(`  ${t.id} round ${x.round}: ${x.flagged.join('; ')}`);
    results.push({ id: t.id, what: t.what, tries: s.length, flagged, target: `${t.kind} ${limit}`, pass: ok });
  }
  const load = loadWords(run.load);
  const lines = [
    `ringbench bench:gate: suite ${run.opts.suite}, threshold ${run.opts.thresholdPct}%, noise record from ${run.opts.noise ?? `${run.opts.noiseRuns} runs`}; paired slowdown: +${slowDelayNs} ns on a ${PAIRED_BASE_DELAY_NS} ns consumer delay (10% of its CPU per event)`,
    ...table(rows),
    ...(examples.length ? ['false alarms:', ...examples] : []),
    ...(load ? [load] : []),
  ];
  return { lines, json: { results, slowDelayNs, baseDelayNs: PAIRED_BASE_DELAY_NS }, pass };
}

const gate: Bench<Options, Measured> = {
  name: 'bench:gate',
  short: 'gate',
  script: 'dist/bench/gate/gate.js',
  schema: 'ringbench/gate@1',
  rounds: { default: 10, min: 1, note: 'also --pairs' },
  flags: [
    ['--pairs <n>', 'rounds: A/A pairs, stressed candidates, paired tries (default 10; same as --rounds)'],
    ['--suite <suite>', 'the suite of the A/A and stress runs (default quick)'],
    ['--noise-runs <n>', 'runs of the noise record made first (default 5)'],
    ['--noise <file>', 'use this noise record instead of making one'],
    ['--stress-pairs <n>', 'stressed candidates in the first N rounds only (default: every round)'],
    ['--threshold <pct>', `compare threshold in percent (default ${DEFAULTS.thresholdPct})`],
  ],
  validate(raw) {
    const threshold = thresholdFlag(raw.threshold);
    return {
      suite: raw.suite ?? DEFAULTS.suite,
      noiseRuns: intFlag('noise-runs', raw.noiseRuns, DEFAULTS.noiseRuns, 2, 100),
      noise: raw.noise,
      stressPairs: intFlag('stress-pairs', raw.stressPairs, 1000, 0, 1000),
      thresholdPct: threshold,
    };
  },
  preflight(o) {
    work = mkdtempSync(join(tmpdir(), 'ringbench-gate-'));
    writeFileSync(join(work, 'gate-paired.json'), JSON.stringify(PAIRED_SUITE));
    suiteArg = o.suite;
    process.on('exit', () => {
      stopStress();
      rmSync(work, { recursive: true, force: true });
    });
    if (o.stressPairs > 0 && spawnCheck('stress-ng') !== 0) return 'stress-ng is not installed (npm run setup installs it), or pass --stress-pairs 0';
    return undefined;
  },
  variants: (o) => [
    { id: 'aa', run: () => aa(o) },
    { id: 'stress', run: () => underStress(o) },
    { id: 'paired', run: () => paired(o, true) },
    { id: 'paired-aa', run: () => paired(o, false) },
  ],
  headline: { title: 'exit code', metric: 'counts.missing', value: (m) => m.exitCode },
  abort() {
    current?.kill('SIGINT');
    stopStress();
  },
  report,
};

function spawnCheck(cmd: string): number {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status ?? 1;
}

// --pairs is the driver's --rounds; A/A pairs need no warm-up round
const argv = process.argv.slice(2).map((a) => (a === '--pairs' ? '--rounds' : a.startsWith('--pairs=') ? a.replace('--pairs=', '--rounds=') : a));
if (!argv.some((a) => a === '--warmup' || a.startsWith('--warmup='))) argv.push('--warmup', '0');
process.exitCode = await runBench(gate, argv);
