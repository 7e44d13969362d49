/**
 * js — `npm run bench:js`: how the TypeScript side's cost grows with its input, and the native
 * boundary's fixed cost per trial, measured with tinybench (one task's iterations back to back,
 * wall clock: right here, where nothing loads BPF between iterations; wrong for trials, which
 * bench/overhead and bench/ceilings interleave themselves).
 *
 * - Input growth: load + validate a results file, compare two runs, and write the report (charts,
 *   HTML, Markdown) for results of 1×, 10× and 100× a standard run. The standard run is the
 *   report tests' fixture (test/report-fixtures.ts: every standard-suite group, 57 scenarios ×
 *   5 repeats, with timelines, about 0.45 MB); 10× and 100× replicate its scenarios under new
 *   labels. A fleet of 50 hosts: load 50 host result sets, compare 50 against 50.
 * - Growth factor per 10× of input: mean(10×) / mean(1×) and mean(100×) / mean(10×); 10 is
 *   linear, more is worse than linear.
 * - Native boundary (root, BPF): one open / BTF / load (verifier) / attach / destroy of each
 *   transport's exit program per iteration (addon loadPhases), the phases' means beside tinybench's.
 * - The clock is this process's CPU time (user + system, process.cpuUsage), not wall time: on a
 *   shared machine a task's wall time is mostly the time it waits for a CPU (`--clock wall` to
 *   see it anyway). The phases are the calling thread's CPU time.
 *
 *   npm run bench:js [-- --sizes 1,10,100] [--time MS] [--hosts N] [--clock cpu|wall] [--no-native] [--no-report]
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { Bench, type BenchOptions, type Task } from 'tinybench';
import { compareResults } from '../../src/analysis/compare.js';
import { loadAddon, type LoadPhases } from '../../src/harness/addon.js';
import type { Transport } from '../../src/harness/types.js';
import { loadResults, loadResultSets } from '../../src/results/load.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { writeReport } from '../../src/report/report.js';
import { makeResults } from '../../test/report-fixtures.js';

interface Options {
  sizes: number[];
  time: number;
  native: boolean;
  report: boolean;
  hosts: number;
  clock: 'cpu' | 'wall';
}

function parseOptions(argv: string[]): Options {
  const sizes = (v: string) => {
    const list = v.split(',').map(Number);
    if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1 || n > 1000)) {
      throw new InvalidArgumentError('a comma-separated list of integers 1..1000');
    }
    return list;
  };
  const int = (lo: number, hi: number) => (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidArgumentError(`an integer ${lo}..${hi}`);
    return n;
  };
  const o = new Command('bench:js')
    .description("tinybench: the TypeScript side's cost as inputs grow, the native boundary's fixed cost per trial")
    .option('--sizes <list>', 'input sizes, multiples of a standard run', sizes, [1, 10, 100])
    .option('--time <ms>', 'time budget per task (at least 3 iterations run)', int(10, 60_000), 500)
    .option('--hosts <n>', 'fleet size', int(2, 1000), 50)
    .option('--clock <clock>', 'cpu: this process\'s CPU time (default); wall: elapsed time', (v: string) => {
      if (v !== 'cpu' && v !== 'wall') throw new InvalidArgumentError('cpu or wall');
      return v;
    }, 'cpu')
    .option('--no-native', 'skip the native boundary (it needs root and BPF)')
    .option('--no-report', 'skip writing the report (charts make it the slowest task: about 10 s of CPU at 100x)')
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2))
    .parse(argv, { from: 'user' })
    .opts<Options>();
  return o;
}

/** `results` with its scenarios replicated `k` times under new labels (ids stay unique). */
function replicate(results: ResultsFile, k: number): ResultsFile {
  if (k === 1) return results;
  const scenarios = [];
  for (let i = 0; i < k; i++) {
    for (const s of results.scenarios) {
      const label = i ? `${s.label} #${i}` : s.label;
      scenarios.push({ ...s, label, id: `${s.group}/${label}/${s.transport}` });
    }
  }
  return { ...results, scenarios };
}

const standardRun = (seed: number, hostname = 'bench-js') => {
  const r = makeResults({ seed, repeats: 5 });
  r.environment = { ...r.environment, hostname };
  return r;
};

function writeRun(dir: string, name: string, results: ResultsFile): string {
  const run = path.join(dir, name);
  mkdirSync(run, { recursive: true });
  writeFileSync(path.join(run, 'results.json'), JSON.stringify(results));
  return run;
}

/** tinybench's clock: ms of this process's CPU time, or of wall time */
const clockOf = (o: Options): Pick<BenchOptions, 'now'> => {
  if (o.clock === 'wall') return {};
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  return { now: cpuMs }; // tinybench times every sample with it
};

const ms = (x: number) => (x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(0));

function printTable(title: string, bench: Bench): void {
  console.log(`\n${title}`);
  console.table(bench.table());
}

/** mean latency (ms) of a finished task */
const meanMs = (t: Task | undefined) => t?.result && 'latency' in t.result ? t.result.latency.mean : NaN;

function printGrowth(bench: Bench, families: string[], sizes: number[]): void {
  const rows = families.map((family) => {
    const row: Record<string, string> = { task: family };
    sizes.forEach((n, i) => {
      const m = meanMs(bench.getTask(`${family} ${n}x`));
      row[`${n}x ms`] = ms(m);
      if (i) {
        const prev = meanMs(bench.getTask(`${family} ${sizes[i - 1]}x`));
        const per10 = (m / prev) ** (1 / Math.log10(n / sizes[i - 1]));
        row[`×${sizes[i - 1]}→${n}`] = `${(m / prev).toFixed(1)} (per 10×: ${per10.toFixed(1)})`;
      }
    });
    return row;
  });
  console.log('\ngrowth per 10× of input (10 = linear)');
  console.table(rows);
}

async function inputGrowth(o: Options, dir: string): Promise<void> {
  const base = standardRun(1);
  const cand = standardRun(2);
  const bench = new Bench({ name: 'input growth', ...clockOf(o), time: o.time, iterations: 3, warmupIterations: 1, throws: true });
  // a report costs seconds of CPU at 10x: two timed iterations after one warm-up
  const reports = new Bench({ name: 'report', ...clockOf(o), time: 0, iterations: 2, warmupIterations: 1, throws: true });
  for (const n of o.sizes) {
    const b = replicate(base, n);
    const c = replicate(cand, n);
    const file = path.join(writeRun(dir, `base-${n}x`, b), 'results.json');
    bench.add(`load+validate ${n}x`, () => {
      loadResults(file);
    });
    bench.add(`compare ${n}x`, () => {
      compareResults(b, c, { thresholdPct: 5 });
    });
    let i = 0;
    reports.add(`report ${n}x`, async () => {
      const out = path.join(dir, `report-${n}x-${i++}`);
      await writeReport([path.dirname(file)], out);
      rmSync(out, { recursive: true, force: true });
    });
  }
  await bench.run();
  console.log(`clock: ${o.clock === 'cpu' ? 'this process\'s CPU time (user + system)' : 'wall time'}`);
  const sizes = o.sizes.map((n) => `${n}×`).join(', ');
  printTable(`TypeScript side, results of ${sizes} a standard run (57 scenarios × 5 repeats each)`, bench);
  printGrowth(bench, ['load+validate', 'compare'], o.sizes);
  if (o.report) {
    await reports.run();
    printTable(`the report (charts as SVG and PNG, report.html, report.md) of ${sizes} a standard run`, reports);
    printGrowth(reports, ['report'], o.sizes);
  }
}

async function fleet(o: Options, dir: string): Promise<void> {
  const few = Math.max(1, Math.round(o.hosts / 10));
  const runsA = Array.from({ length: o.hosts }, (_, h) => writeRun(dir, `fleet-a-${h}`, standardRun(100 + h, `host-${h}`)));
  const runsB = Array.from({ length: o.hosts }, (_, h) => writeRun(dir, `fleet-b-${h}`, standardRun(200 + h, `host-${h}`)));
  const a = runsA.map((r) => loadResults(r));
  const b = runsB.map((r) => loadResults(r));
  const bench = new Bench({ name: 'fleet', ...clockOf(o), time: o.time, iterations: 3, warmupIterations: 1, throws: true });
  for (const n of [few, o.hosts]) {
    bench.add(`load ${n}x`, async () => {
      await loadResultSets(runsA.slice(0, n));
    });
  }
  // two or more runs a side: compare takes the runs as units (one host's run against another's)
  for (const n of [few, o.hosts]) {
    bench.add(`compare ${n}x`, () => {
      compareResults(a.slice(0, n), b.slice(0, n), { thresholdPct: 5 });
    });
  }
  await bench.run();
  printTable(`a fleet: ${few} and ${o.hosts} hosts, one standard run each (the host result sets a fleet folder holds, loaded and compared ${o.hosts} against ${o.hosts} as compare does with two fleet folders)`, bench);
  printGrowth(bench, ['load', 'compare'], [few, o.hosts]);
}

async function nativeBoundary(o: Options): Promise<void> {
  const addon = loadAddon();
  const bench = new Bench({ name: 'native boundary', ...clockOf(o), time: o.time, iterations: 10, warmupIterations: 2, throws: true });
  const phases: Record<string, LoadPhases[]> = { ringbuf: [], perfbuf: [] };
  for (const t of ['ringbuf', 'perfbuf'] as Transport[]) {
    bench.add(`open+load+attach+destroy ${t}`, () => {
      phases[t].push(addon.loadPhases(t));
    });
  }
  await bench.run();
  printTable(`native boundary, per trial (libbpf ${addon.libbpfVersion()}, ${addon.libbpfSource}): the exit program through tp_btf`, bench);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length / 1e6;
  console.log('\nphases, mean ms of the thread\'s CPU time (BTF: the kernel BTF parsed alone, as the load does first; verify: the verifier\'s own time, part of load)');
  console.table(
    Object.entries(phases).map(([t, ps]) => ({
      transport: t,
      iterations: ps.length,
      open: ms(mean(ps.map((p) => p.openNs))),
      BTF: ms(mean(ps.map((p) => p.btfNs))),
      load: ms(mean(ps.map((p) => p.loadNs))),
      verify: ms(mean(ps.map((p) => p.verifyNs))),
      attach: ms(mean(ps.map((p) => p.attachNs))),
      destroy: ms(mean(ps.map((p) => p.destroyNs))),
    })),
  );
}

const o = parseOptions(process.argv.slice(2));
const dir = mkdtempSync(path.join(tmpdir(), 'ringbench-bench-js-'));
try {
  await inputGrowth(o, dir);
  await fleet(o, dir);
  if (o.native) await nativeBoundary(o);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
