/**
 * fleet — `ringbench fleet --inventory FILE [--limit PATTERN] [--forks N] [--suite S] --out DIR
 * [--keep] [--resume DIR]`: one suite on every host of an Ansible inventory, one report across them.
 *
 * ringbench checks its flags and the inventory (ansible-inventory parses it), packs this
 * checkout's commit with `git archive` (uncommitted changes are not shipped: a line says so and
 * fleet.json records it), and runs fleet/playbook.yml with fleet/callback_plugins/ringbench.py
 * printing one JSON line per task result, which becomes the per-host progress and each host's
 * status in fleet.json. Results land in DIR/hosts/<inventory_hostname>/; the report leads with what
 * differs between the hosts (fleet-report.ts). A host that fails is recorded with its reason and
 * the others are kept; Ctrl-C (or SIGTERM) stops the playbook, stops and removes what it started on
 * the hosts (fleet/cleanup.yml, unless --keep), keeps what was fetched and exits 130 (143);
 * --resume DIR runs the hosts that did not finish.
 *
 * Exit: 0 every host finished; 1 a host failed (named), or Ansible is missing; 2 bad input (one
 * line naming the flag or file); 130/143 interrupted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../harness/addon.js';
import { OutputDir } from '../results/outdir.js';
import { BUILTIN_SUITES, loadSuite } from '../suite/suite.js';
import { FLEET_SCHEMA, HOST_NAME, readFleetFile, writeFleetReport, type FleetFile, type FleetHost, type HostFacts } from './fleet-report.js';

export interface FleetOptions {
  inventory?: string;
  limit?: string;
  forks?: string;
  suite?: string;
  out?: string;
  keep?: boolean;
  resume?: string;
  report?: boolean;
}

/** Bad input: one line, exit 2. */
export class FleetUsageError extends Error {
  override name = 'FleetUsageError';
}

/** The controller cannot run a fleet (no Ansible, no git checkout): exit 1, with the fix. */
export class FleetSetupError extends Error {
  override name = 'FleetSetupError';
}

const PLAYBOOK = join(ROOT, 'fleet', 'playbook.yml');
const CLEANUP = join(ROOT, 'fleet', 'cleanup.yml');
const CALLBACKS = join(ROOT, 'fleet', 'callback_plugins');

/** The environment every ansible command of a fleet runs with. */
function ansibleEnv(localTemp: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ANSIBLE_STDOUT_CALLBACK: 'ringbench',
    ANSIBLE_CALLBACK_PLUGINS: CALLBACKS,
    ANSIBLE_LOAD_CALLBACK_PLUGINS: '1',
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'true',
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_PIPELINING: 'true',
    // no SSH master left running after the fleet (ControlPersist would keep one per host)
    ANSIBLE_SSH_ARGS: '-o ControlMaster=no',
    ANSIBLE_LOCAL_TEMP: localTemp,
    ANSIBLE_PYTHON_INTERPRETER: process.env.ANSIBLE_PYTHON_INTERPRETER ?? 'auto_silent',
    ANSIBLE_DEPRECATION_WARNINGS: 'false',
  };
}

function need(cmd: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new FleetSetupError(`fleet needs ${cmd} (ansible-core) on this machine; install it with: bash scripts/setup.sh --fleet`);
}

/** Integer flag in [lo, hi]. */
function intFlag(raw: string | undefined, flag: string, lo: number, hi: number, dflt: number): number {
  if (raw === undefined) return dflt;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < lo || n > hi) throw new FleetUsageError(`${flag} must be an integer in ${lo}..${hi}; got '${raw}'`);
  return n;
}

/** The hosts an inventory (and --limit) names, checked: parseable, at least one host, names usable as folders. */
export function inventoryHosts(inventory: string, limit: string | undefined, env: NodeJS.ProcessEnv): { hosts: string[]; vars: Record<string, Record<string, unknown>> } {
  const abs = resolve(inventory);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new FleetUsageError(`--inventory ${inventory}: no such file`);
  }
  if (!st.isFile()) throw new FleetUsageError(`--inventory ${inventory}: not a file (give an Ansible inventory, INI or YAML)`);
  const parsed = spawnSync('ansible-inventory', ['-i', abs, '--list'], { encoding: 'utf8', env, timeout: 60_000 });
  if (parsed.status !== 0) {
    const why = (parsed.stderr || parsed.stdout || '').split('\n').map((l) => l.replace(/^\[(ERROR|WARNING)\]:\s*/, '').trim()).filter((l) => l && !/^to see the full traceback/i.test(l));
    throw new FleetUsageError(`--inventory ${inventory}: Ansible cannot parse it as an inventory (INI or YAML): ${why.slice(0, 2).join(' ') || `exit ${parsed.status}`}`);
  }
  let list: { _meta?: { hostvars?: Record<string, Record<string, unknown>> } };
  try {
    list = JSON.parse(parsed.stdout);
  } catch {
    throw new FleetUsageError(`--inventory ${inventory}: ansible-inventory printed no JSON`);
  }
  const vars = list._meta?.hostvars ?? {};
  const args = ['all', '-i', abs, '--list-hosts'];
  if (limit !== undefined) {
    if (limit.trim() === '') throw new FleetUsageError("--limit must be an Ansible host pattern; got ''");
    args.push('--limit', limit);
  }
  const listed = spawnSync('ansible', args, { encoding: 'utf8', env, timeout: 60_000 });
  const hosts = listed.status === 0 ? listed.stdout.split('\n').slice(1).map((l) => l.trim()).filter(Boolean) : [];
  if (!hosts.length) throw new FleetUsageError(limit !== undefined ? `--limit ${limit}: matches no host of ${inventory}` : `--inventory ${inventory}: holds no host`);
  for (const h of hosts) {
    if (!HOST_NAME.test(h)) throw new FleetUsageError(`--inventory ${inventory}: host name '${h}' cannot be a folder name (use letters, digits, '.', '_' and '-'; set ansible_host for the address)`);
    const dir = vars[h]?.ringbench_remote_dir;
    if (dir !== undefined && (typeof dir !== 'string' || !dir.startsWith('/') || /\s|\.\./.test(dir))) {
      throw new FleetUsageError(`--inventory ${inventory}: host ${h}: ringbench_remote_dir must be an absolute path without white space or '..'; got '${String(dir)}'`);
    }
  }
  return { hosts, vars };
}

/** This checkout's commit, and whether it has uncommitted changes to tracked files. */
function checkoutCommit(): { commit: string; dirty: boolean } {
  const head = spawnSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) throw new FleetSetupError(`fleet ships this checkout's commit with git archive, and ${ROOT} is not a git checkout; run it from a clone of ringbench`);
  const status = spawnSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}

interface Prepared {
  fleet: FleetFile;
  /** the hosts this invocation runs */
  run: string[];
  env: NodeJS.ProcessEnv;
  suiteFile?: string;
  out: OutputDir;
  temp: string;
}

function prepare(opts: FleetOptions): Prepared {
  need('ansible-playbook');
  const temp = mkdtempSync(join(tmpdir(), 'ringbench-fleet-'));
  try {
    const env = ansibleEnv(temp);
    const forks = intFlag(opts.forks, '--forks', 1, 64, 1);
    let fleet: FleetFile;
    let run: string[];
    let out: OutputDir;
    let suiteFile: string | undefined;
    if (opts.resume !== undefined) {
      for (const [flag, v] of [['--out', opts.out], ['--suite', opts.suite], ['--inventory', opts.inventory], ['--limit', opts.limit]] as const) {
        if (v !== undefined) throw new FleetUsageError(`--resume continues the fleet recorded in ${opts.resume}/fleet.json; drop ${flag}`);
      }
      if (!existsSync(join(resolve(opts.resume), 'fleet.json'))) throw new FleetUsageError(`--resume ${opts.resume}: no fleet.json there`);
      out = OutputDir.open(opts.resume, { flag: '--resume', mode: 'report', lock: true });
      try {
        fleet = readFleetFile(out.path);
        const { hosts } = inventoryHosts(fleet.inventory, undefined, env);
        run = fleet.hosts.filter((h) => h.status !== 'ok' && hosts.includes(h.name)).map((h) => h.name);
        fleet.forks = opts.forks !== undefined ? forks : fleet.forks;
        if (!BUILTIN_SUITES.includes(fleet.suite as (typeof BUILTIN_SUITES)[number])) suiteFile = resolve(fleet.suite);
      } catch (e) {
        out.release();
        throw e;
      }
    } else {
      if (opts.inventory === undefined) throw new FleetUsageError('--inventory FILE is required (an Ansible inventory, INI or YAML)');
      if (opts.out === undefined) throw new FleetUsageError('--out DIR is required (the fleet folder: fleet.json, hosts/<name>/, the report)');
      const suite = opts.suite ?? 'smoke';
      loadSuite(suite); // a SuiteError names the flag
      if (!BUILTIN_SUITES.includes(suite as (typeof BUILTIN_SUITES)[number])) suiteFile = resolve(suite);
      const { hosts } = inventoryHosts(opts.inventory, opts.limit, env);
      const { commit, dirty } = checkoutCommit();
      out = OutputDir.open(opts.out, { flag: '--out', mode: 'new', lock: true });
      run = hosts;
      fleet = {
        schema: FLEET_SCHEMA,
        suite: suiteFile ?? suite,
        inventory: resolve(opts.inventory),
        limit: opts.limit,
        forks,
        commit,
        dirty,
        command: ['ringbench', 'fleet', ...process.argv.slice(3)].join(' '),
        startedAt: new Date().toISOString(),
        complete: false,
        hosts: hosts.map((name) => ({ name, status: 'pending', dir: `hosts/${name}` })),
      };
    }
    return { fleet, run, env, suiteFile, out, temp };
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
}

/** One line of the callback plugin. */
interface PlayEvent {
  event: 'task' | 'ok' | 'failed' | 'ignored' | 'unreachable' | 'skipped' | 'end';
  host?: string;
  task?: string;
  msg?: string;
  facts?: Record<string, unknown>;
}

/** Runs a playbook; each JSON line goes to onEvent. Resolves with its exit code (or signal). */
function runPlaybook(args: string[], env: NodeJS.ProcessEnv, onEvent: (e: PlayEvent) => void, onStart: (stop: () => void) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('ansible-playbook', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        onEvent(JSON.parse(line) as PlayEvent);
      } catch {
        /* not ours: Ansible's own notices */
      }
    });
    onStart(() => child.kill('SIGINT'));
    child.on('close', (code) => done({ code, stderr }));
  });
}

function factsOf(raw: Record<string, unknown> | undefined): HostFacts | undefined {
  if (!raw) return undefined;
  const num = (v: unknown) => (v === undefined || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
  return { kernel: raw.kernel ? String(raw.kernel) : undefined, cpuModel: raw.cpuModel ? String(raw.cpuModel) : undefined, cpuCount: num(raw.cpuCount), memoryBytes: num(raw.memoryBytes) };
}

/** Runs the fleet; returns the exit code. Errors thrown are the CLI's to report (usage: exit 2). */
export async function fleetCommand(opts: FleetOptions, log: (line: string) => void, onInterrupt: (stop: () => void) => { exitCode: number | undefined; dispose(): void }): Promise<number> {
  const p = prepare(opts);
  const { fleet, out, env, temp } = p;
  const started = Date.now();
  const save = () => out.write('fleet.json', JSON.stringify(fleet, null, 2) + '\n');
  let stopPlaybook: (() => void) | undefined;
  let interrupted = false;
  const interrupts = onInterrupt(() => {
    interrupted = true;
    stopPlaybook?.();
  });
  try {
    if (fleet.dirty) log(`fleet: shipping commit ${fleet.commit.slice(0, 12)}; uncommitted changes in ${ROOT} are not shipped (commit them to measure them)`);
    const hostsDir = out.subdir('hosts');
    for (const h of fleet.hosts) hostsDir.subdir(h.name);
    save();
    if (!p.run.length) {
      log('fleet: every host has finished already; nothing to run');
    } else {
      const archive = join(temp, `ringbench-${fleet.commit.slice(0, 12)}.tar.gz`);
      const packed = spawnSync('git', ['-C', ROOT, 'archive', '--format=tar.gz', '--prefix=src/', '-o', archive, fleet.commit], { encoding: 'utf8' });
      if (packed.status !== 0) throw new FleetSetupError(`git archive of ${fleet.commit} failed: ${packed.stderr.trim().split('\n').pop()}`);
      const runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
      const vars = { ringbench_archive: archive, ringbench_out_hosts: hostsDir.path, ringbench_run_id: runId, ringbench_suite: fleet.suite, ringbench_keep: !!opts.keep, ...(p.suiteFile ? { ringbench_suite_file: p.suiteFile } : {}) };
      const varsFile = join(temp, 'vars.json');
      writeFileSync(varsFile, JSON.stringify(vars), { mode: 0o600 });
      const byName = new Map(fleet.hosts.map((h) => [h.name, h] as const));
      const began = new Map<string, number>();
      const touched = new Set<string>(); // hosts whose remote folder may exist
      for (const name of p.run) {
        Object.assign(byName.get(name)!, { status: 'pending', reason: undefined, step: undefined });
        // a host run again starts without the files of its earlier attempt
        for (const f of ['results.json', 'results.csv', 'probe.json']) rmSync(join(hostsDir.path, name, f), { force: true });
      }
      log(`fleet: ${p.run.length} host${p.run.length === 1 ? '' : 's'} (${p.run.join(', ')}), suite ${fleet.suite}, forks ${fleet.forks}, commit ${fleet.commit.slice(0, 12)} → ${out.path}`);
      const onEvent = (e: PlayEvent) => {
        // a task starts on every host still going (the linear strategy: one task at a time)
        if (e.event === 'task' && e.task) for (const name of p.run) if (byName.get(name)!.status === 'pending' && began.has(name)) byName.get(name)!.step = e.task;
        const h = e.host ? byName.get(e.host) : undefined;
        if (!h || !e.task) return;
        if (!began.has(h.name)) began.set(h.name, Date.now());
        h.wallMs = Date.now() - began.get(h.name)!;
        h.step = e.task;
        if (e.task === 'folder' && e.event === 'ok') touched.add(h.name);
        if (e.event === 'ok' && e.task === 'host') {
          h.facts = factsOf(e.facts);
          log(`fleet: ${h.name}: ${h.facts?.kernel ?? '?'}, ${h.facts?.cpuCount ?? '?'} × ${h.facts?.cpuModel ?? '?'}`);
        } else if (e.event === 'ok' && ['ship', 'setup', 'probe', 'run'].includes(e.task)) {
          log(`fleet: ${h.name}: ${e.task} done (${(h.wallMs / 1000).toFixed(0)} s)`);
        } else if (e.event === 'unreachable') {
          h.status = 'unreachable';
          h.reason = e.msg || 'no SSH connection';
          log(`fleet: ${h.name}: ${h.reason}`);
        } else if (e.event === 'failed' && h.status === 'pending') {
          h.status = 'failed';
          h.reason = `${e.task} failed${e.msg ? `: ${e.msg}` : ''}`;
          log(`fleet: ${h.name}: ${h.reason}`);
        }
        if (e.event === 'ok' && e.task === 'clean up') touched.delete(h.name);
        if (e.event !== 'task') save();
      };
      const args = ['-i', fleet.inventory, PLAYBOOK, '--forks', String(fleet.forks), '--limit', p.run.join(','), '-e', `@${varsFile}`];
      const result = await runPlaybook(args, env, onEvent, (stop) => {
        stopPlaybook = stop;
        if (interrupted) stop();
      });
      stopPlaybook = undefined;
      for (const name of p.run) {
        const h = byName.get(name)!;
        if (h.status !== 'pending') continue;
        const fetched = ['results.json', 'results.csv', 'probe.json'].every((f) => existsSync(join(hostsDir.path, name, f)));
        if (!interrupted && fetched) h.status = 'ok';
        else if (interrupted) Object.assign(h, { status: 'interrupted', reason: `interrupted during ${h.step ?? 'start'}` });
        else {
          const why = result.stderr.split('\n').map((l) => l.replace(/^\[(ERROR|WARNING)\]:\s*/, '').trim()).filter(Boolean).pop();
          Object.assign(h, { status: 'failed', reason: `the playbook ended (exit ${result.code}) before this host finished${why ? `: ${why}` : ''}` });
        }
      }
      const leftovers = [...touched].filter((n) => byName.get(n)!.status !== 'unreachable');
      if (interrupted && leftovers.length) {
        log(`fleet: stopping and ${opts.keep ? 'keeping' : 'removing'} what was started on ${leftovers.join(', ')}`);
        const cleanup = await runPlaybook(['-i', fleet.inventory, CLEANUP, '--forks', String(Math.max(fleet.forks, leftovers.length)), '--limit', leftovers.join(','), '-e', `@${varsFile}`], env, () => {}, () => {});
        if (cleanup.code !== 0) log(`fleet: cleanup exited ${cleanup.code}: check ${leftovers.join(', ')} for ringbench-fleet-${runId}`);
      }
    }
    fleet.complete = fleet.hosts.every((h) => h.status === 'ok');
    fleet.finishedAt = new Date().toISOString();
    fleet.wallMs = (fleet.wallMs ?? 0) + (Date.now() - started);
    save();
    if (opts.report !== false) {
      const report = await writeFleetReport(out, fleet, (l) => log(l));
      log(`fleet: report: ${report.html}`);
    }
    const failed = fleet.hosts.filter((h) => h.status !== 'ok');
    if (interrupted) {
      log(`fleet: interrupted; continue with: ringbench fleet --resume ${out.path}`);
      return interrupts.exitCode ?? 130;
    }
    if (failed.length) {
      log(`fleet: ${failed.length} of ${fleet.hosts.length} hosts failed: ${failed.map((h) => `${h.name} (${h.status}${h.reason ? `: ${h.reason}` : ''})`).join('; ')}; rerun them with: ringbench fleet --resume ${out.path}`);
      return 1;
    }
    log(`fleet: all ${fleet.hosts.length} hosts finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    interrupts.dispose();
    out.release();
    rmSync(temp, { recursive: true, force: true });
  }
}
