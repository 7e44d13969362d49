/**
 * guest — what `ringbench matrix` runs on each kernel, in one node process: the probe, then the
 * suite (no report: rendering happens on the host), then the checks of a working kernel. Run as
 * `node dist/src/matrix/guest.js --out DIR --suite FILE --repeats N [--host-env FILE] [--accel A]`
 * inside a QEMU guest, or directly on the host for the `host` column.
 *
 * It writes into DIR: probe.json, results.json/results.csv (continued across rounds: --repeats is
 * the number of repeats wanted after this round), and guest.json with timings and checks. Exit 0
 * when every check passed, 1 when one failed, 3 when the probe says ringbench cannot run.
 *
 * The environment is built here without tool look-ups (clang, bpftool, git are the host's, taken
 * from --host-env): under emulation `clang --version` alone takes longer than the probe's limit.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { loadResults } from '../results/load.js';
import { loadAddon } from '../harness/addon.js';
import { probe, type ProbeReport } from '../harness/probe.js';
import { runSuite } from '../suite/run.js';
import { OutputDir } from '../results/outdir.js';
import { loadSuite } from '../suite/suite.js';
import { RESULTS_SCHEMA, type ResultsFile } from '../results/schema.js';
import type { Environment } from '../harness/types.js';

export const GUEST_SCHEMA = 'ringbench/matrix-guest@1';

export interface GuestCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface GuestReport {
  schema: typeof GUEST_SCHEMA;
  kernel: string;
  accel: string;
  round: number;
  probeMs: number;
  suiteMs: number;
  canRun: boolean;
  checks: GuestCheck[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function writeJson(file: string, data: unknown): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function environment(report: ProbeReport, hostEnvFile: string | undefined, accel: string): Environment {
  let host: Partial<Environment> = {};
  if (hostEnvFile && existsSync(hostEnvFile)) host = JSON.parse(readFileSync(hostEnvFile, 'utf8')) as Partial<Environment>;
  let libbpf = 'unavailable';
  try {
    libbpf = loadAddon().libbpfVersion();
  } catch {
    /* unavailable */
  }
  const env: Environment & { matrix?: unknown } = {
    kernel: os.release(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
    libbpf,
    clang: host.clang ?? 'unavailable',
    bpftool: host.bpftool ?? 'unavailable',
    node: process.version,
    ringbench: host.ringbench ?? 'unknown',
    gitCommit: host.gitCommit ?? 'unknown',
    hostname: accel === 'host' ? os.hostname() : `guest (${accel === 'tcg' ? 'emulated' : 'kvm'})`,
    date: new Date().toISOString(),
    capabilities: report,
    matrix: { accel, emulated: accel === 'tcg' },
  };
  return env;
}

/** Trial notes that say something true about the run but are no accounting failure. */
const INFORMATIONAL = /perf reported \d+ lost samples|maxDisplacement exceeded|run-time stats could not be enabled/;

/** The checks of a working kernel, from the probe and the finished results. */
export function smokeChecks(report: ProbeReport, results: ResultsFile): GuestCheck[] {
  const checks: GuestCheck[] = [
    { name: 'probe verdict', ok: report.verdict.canRun, detail: report.verdict.canRun ? 'can run' : report.verdict.reasons.join('; ') },
  ];
  for (const s of results.scenarios) {
    const notes = s.warnings.filter((w) => w.startsWith('repeat '));
    const bad = notes.filter((w) => !INFORMATIONAL.test(w));
    const info = notes.filter((w) => INFORMATIONAL.test(w));
    const n = s.repeats['wallNs']?.length ?? 0;
    const detail = n === 0 ? 'no finished repeat' : bad.length ? bad.join('; ') : `exact over ${n} repeat${n === 1 ? '' : 's'}${info.length ? ` (${info.join('; ')})` : ''}`;
    checks.push({ name: `accounting ${s.id}`, ok: n > 0 && bad.length === 0, detail });
    if (s.config.load !== 'saturation' && s.config.attach !== 'auto') {
      const ok = s.attachedVia === s.config.attach;
      checks.push({ name: `attach ${s.id}`, ok, detail: `asked ${s.config.attach}, attached via ${s.attachedVia ?? 'unknown'}` });
    }
    if (s.config.load === 'saturation') {
      // fentry when the probe says the kernel allows it; the tp_btf fallback otherwise
      const want = report.attach.fentry.available ? 'fentry' : 'tp_btf/sys_enter';
      checks.push({ name: `saturation trigger ${s.id}`, ok: s.attachedVia === want, detail: `attached via ${s.attachedVia ?? 'unknown'}, expected ${want} (fentry ${report.attach.fentry.available ? 'available' : 'refused'})` });
    }
  }
  return checks;
}

async function main(): Promise<number> {
  const out = arg('--out');
  const suite = arg('--suite');
  const repeats = Number(arg('--repeats') ?? '0');
  const accel = arg('--accel') ?? 'host';
  const round = Number(arg('--round') ?? '1');
  if (!out || !suite) {
    process.stderr.write('guest: --out DIR and --suite FILE are required\n');
    return 2;
  }
  process.stdout.write(`guest: node up after ${process.uptime().toFixed(1)} s\n`);
  const t0 = Date.now();
  const report = probe();
  const probeMs = Date.now() - t0;
  writeJson(join(out, 'probe.json'), report);
  process.stdout.write(`guest: ${os.release()}: probe ${(probeMs / 1000).toFixed(1)} s, ${report.verdict.canRun ? 'can run' : 'cannot run'}\n`);
  const guest: GuestReport = { schema: GUEST_SCHEMA, kernel: os.release(), accel, round, probeMs, suiteMs: 0, canRun: report.verdict.canRun, checks: [] };
  if (!report.verdict.canRun) {
    guest.checks = [{ name: 'probe verdict', ok: false, detail: report.verdict.reasons.join('; ') }];
    writeJson(join(out, 'guest.json'), guest);
    return 3;
  }

  const plan = loadSuite(suite);
  const target = repeats > 0 ? repeats : plan.repeats;
  const resultsFile = join(out, 'results.json');
  const previous: ResultsFile = existsSync(resultsFile)
    ? loadResults(resultsFile)
    : {
        schema: RESULTS_SCHEMA,
        suite: plan.name,
        command: `ringbench matrix (suite ${plan.name}, kernel ${os.release()}, ${accel})`,
        startedAt: new Date().toISOString(),
        complete: false,
        environment: environment(report, arg('--host-env'), accel),
        suiteDefinition: plan.definition,
        scenarios: [],
      };
  const t1 = Date.now();
  // The guest's share of the matrix folder holds guest files beside the run's: 'report' mode
  // accepts them, and the lock keeps a second guest out.
  const outDir = OutputDir.open(out, { flag: '--out', mode: 'report', lock: true });
  // Precision rounds (a group's target) belong after the last round's repeats, not each round's.
  const scenarios = target < plan.repeats ? plan.scenarios.map(({ precision: _, ...p }) => p) : plan.scenarios;
  const run = runSuite({ ...plan, repeats: target, scenarios }, {
    out: outDir,
    control: false, // rates under emulation are not the kernel's anyway; keep guest time for the suite
    command: previous.command,
    previous,
    onTrial: (p) => process.stdout.write(`guest: [${p.done}/${p.total}] ${p.scenario.id}: ${Math.round(p.result.rates.deliveredPerSec)} delivered/s, ${p.result.counts.droppedKernel} dropped\n`),
  });
  const stop = () => run.stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const results = await run.done;
  guest.suiteMs = Date.now() - t1;
  guest.checks = smokeChecks(report, results);
  writeJson(join(out, 'guest.json'), guest);
  const failed = guest.checks.filter((c) => !c.ok);
  process.stdout.write(`guest: suite ${(guest.suiteMs / 1000).toFixed(1)} s, ${guest.checks.length - failed.length}/${guest.checks.length} checks passed${failed.length ? `; failed: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}` : ''}\n`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`guest: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
