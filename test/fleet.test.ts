/**
 * fleet — `ringbench fleet` over loopback SSH: the test starts its own sshd on 127.0.0.1 on a free
 * high port (temporary host key and authorized key from ssh-keygen), and an inventory of two
 * aliases of 127.0.0.1 with distinct remote folders plus one host on a closed port. With --forks 1
 * and the smoke suite, both aliases ship this commit, run setup.sh and the suite, and their
 * results are fetched; the unreachable host is recorded and named, exit 1; the report opens with
 * "What changed"; `report` and `compare` take the folder and its hosts; and afterwards no sshd,
 * ansible or ringbench process of the test is left and the remote folders are gone. Bad input:
 * one line naming the flag or file, exit 2. Needs `bash scripts/setup.sh --fleet` (npm test's
 * setup runs it): this test fails, never skips, without Ansible or sshd.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesMentioning } from './kernel.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FleetFile } from '../src/fleet/fleet-report.js';
import { runCli } from './cli.js';

/** A port that was free a moment ago (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether a remote folder holds anything. */
const holdsAnything = (d: string) => existsSync(d) && readdirSync(d).length > 0;

const work = mkdtempSync(join(tmpdir(), 'ringbench-fleet-test-'));
let sshdPid: number | undefined;

function inventory(port: number, closedPort: number): string {
  const file = join(work, 'inventory.ini');
  writeFileSync(
    file,
    [
      '[bench]',
      `alpha ansible_host=127.0.0.1 ringbench_remote_dir=${join(work, 'remote-alpha')}`,
      `beta ansible_host=127.0.0.1 ringbench_remote_dir=${join(work, 'remote-beta')}`,
      `down ansible_host=127.0.0.1 ansible_port=${closedPort}`,
      '[all:vars]',
      `ansible_port=${port}`,
      'ansible_user=root',
      `ansible_ssh_private_key_file=${join(work, 'client_key')}`,
      `ansible_ssh_common_args='-o UserKnownHostsFile=${join(work, 'known_hosts')} -o StrictHostKeyChecking=yes -o ConnectTimeout=5'`,
      '',
    ].join('\n'),
  );
  return file;
}

async function startSshd(): Promise<number> {
  const port = await freePort();
  for (const key of ['host_key', 'client_key']) if (!existsSync(join(work, key))) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, key)]);
  rmSync(join(work, 'sshd.pid'), { force: true });
  writeFileSync(join(work, 'authorized_keys'), readFileSync(join(work, 'client_key.pub')), { mode: 0o600 });
  writeFileSync(join(work, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(join(work, 'host_key.pub'), 'utf8')}`);
  writeFileSync(
    join(work, 'sshd_config'),
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${join(work, 'host_key')}`,
      `AuthorizedKeysFile ${join(work, 'authorized_keys')}`,
      `PidFile ${join(work, 'sshd.pid')}`,
      'StrictModes no', // the keys live in a temporary folder under /tmp
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation folder
  execFileSync('/usr/sbin/sshd', ['-f', join(work, 'sshd_config'), '-E', join(work, 'sshd.log')]);
  for (let i = 0; i < 50 && !existsSync(join(work, 'sshd.pid')); i++) await new Promise((r) => setTimeout(r, 100));
  sshdPid = Number(readFileSync(join(work, 'sshd.pid'), 'utf8').trim());
  return port;
}

function stopSshd(): void {
  if (sshdPid === undefined) return;
  try {
    process.kill(sshdPid, 'SIGTERM');
  } catch {
    /* gone */
  }
  sshdPid = undefined;
}

test('bad input: one line naming the flag or file, exit 2', async () => {
  const bad = join(work, 'bad');
  mkdirSync(bad, { recursive: true });
  writeFileSync(join(bad, 'garbage.ini'), '[bench\nthis is = not [ an inventory\n');
  writeFileSync(join(bad, 'slash.ini'), 'bad/name ansible_host=127.0.0.1\n');
  writeFileSync(join(bad, 'ok.ini'), 'one ansible_host=127.0.0.1\n');
  writeFileSync(join(bad, 'reldir.ini'), 'one ansible_host=127.0.0.1 ringbench_remote_dir=relative/path\n');
  const out = join(bad, 'out');
  const cases: [string[], RegExp][] = [
    [['--out', out], /--inventory FILE is required/],
    [['--inventory', join(bad, 'missing.ini'), '--out', out], /--inventory .*missing\.ini: no such file/],
    [['--inventory', join(bad, 'garbage.ini'), '--out', out], /--inventory .*garbage\.ini: Ansible cannot parse it/],
    [['--inventory', join(bad, 'slash.ini'), '--out', out], /--inventory .*cannot parse it|host name 'bad\/name'/],
    [['--inventory', join(bad, 'ok.ini'), '--out', out, '--forks', '0'], /--forks must be an integer in 1\.\.64/],
    [['--inventory', join(bad, 'ok.ini'), '--out', out, '--limit', 'nomatch'], /--limit nomatch: matches no host/],
    [['--inventory', join(bad, 'ok.ini'), '--out', out, '--suite', 'nope'], /--suite/],
    [['--inventory', join(bad, 'reldir.ini'), '--out', out], /ringbench_remote_dir must be an absolute path/],
    [['--inventory', join(bad, 'ok.ini')], /--out DIR is required/],
    [['--resume', join(bad, 'nowhere')], /--resume .*no fleet\.json there/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['fleet', ...args], { timeoutMs: 60_000 });
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.not.ok(existsSync(out), 'nothing written on bad input');
});

test('loopback fleet: two aliases finish, the unreachable host is named, nothing is left behind', async () => {
  const port = await startSshd();
  const closedPort = await freePort();
  const inv = inventory(port, closedPort);
  // the hosts' folders under which the fleet makes (and removes) its own
  for (const d of ['remote-alpha', 'remote-beta']) mkdirSync(join(work, d), { mode: 0o700 });
  const out = join(work, 'out');
  const started = Date.now();
  const r = await runCli(['fleet', '--inventory', inv, '--forks', '1', '--suite', 'smoke', '--out', out], { timeoutMs: 20 * 60_000 });
  const wallS = (Date.now() - started) / 1000;
  process.stderr.write(`fleet test: two loopback hosts, smoke suite: ${wallS.toFixed(0)} s\n`);
  try {
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /1 of 3 hosts failed: down \(unreachable/, r.stderr);
    assert.match(r.stderr, /fleet: alpha: setup done/, 'progress per host');
    const fleet = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as FleetFile;
    assert.equal(fleet.hosts.map((h) => [h.name, h.status]), [['alpha', 'ok'], ['beta', 'ok'], ['down', 'unreachable']]);
    assert.match(fleet.hosts[2].reason ?? '', /ssh|connect/i);
    for (const name of ['alpha', 'beta']) {
      for (const f of ['results.json', 'results.csv', 'probe.json']) assert.ok(existsSync(join(out, 'hosts', name, f)), `${name}/${f}`);
      const results = JSON.parse(readFileSync(join(out, 'hosts', name, 'results.json'), 'utf8'));
      assert.is(results.suite, 'smoke');
      assert.ok(results.complete, `${name}: the suite finished`);
      assert.is(results.environment.gitCommit, `${fleet.commit}-archive`, `${name}: the shipped tree names its commit`);
      const h = fleet.hosts.find((x) => x.name === name)!;
      assert.ok((h.facts?.cpuCount ?? 0) > 0 && (h.facts?.memoryBytes ?? 0) > 0 && !!h.facts?.kernel, `${name}: facts ${JSON.stringify(h.facts)}`);
    }
    // the report opens with what differs between the hosts, then the ratios per host
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const sections = [...md.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    assert.is(sections[0], 'What changed', sections.join(' | '));
    assert.match(sections[1], /ringbuf ÷ perfbuf by host/);
    assert.match(md, /down \(unreachable/);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<section id="what-changed">/);
    // nothing left on the "remote" hosts
    for (const d of ['remote-alpha', 'remote-beta']) assert.not.ok(holdsAnything(join(work, d)), `${d} is empty`);

    // --resume runs only the host that did not finish (down: unreachable again); the others' files stay
    const before = statSync(join(out, 'hosts', 'alpha', 'results.json')).mtimeMs;
    const resumed = await runCli(['fleet', '--resume', out], { timeoutMs: 5 * 60_000 });
    assert.is(resumed.code, 1, resumed.stderr);
    assert.match(resumed.stderr, /fleet: 1 host \(down\)/);
    assert.match(resumed.stderr, /1 of 3 hosts failed: down \(unreachable/);
    assert.is(statSync(join(out, 'hosts', 'alpha', 'results.json')).mtimeMs, before);
    const again = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as FleetFile;
    assert.equal(again.hosts.map((h) => h.status), ['ok', 'ok', 'unreachable']);

    // downstream: the fleet folder and one host of it
    const rep = await runCli(['report', out], { timeoutMs: 120_000 });
    assert.is(rep.code, 0, rep.stderr);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /^## What changed$/m);
    const cmp = await runCli(['compare', join(out, 'hosts', 'alpha'), join(out, 'hosts', 'beta'), '--format', 'json'], { timeoutMs: 60_000 });
    // smoke runs have one repeat a side: the comparison is made, and the gate fails closed on it
    assert.is(cmp.code, 3, cmp.stderr);
    assert.match(cmp.stderr, /judged nothing/);
    const comparison = JSON.parse(cmp.stdout) as { summary: { undecided: number } };
    assert.ok(comparison.summary.undecided > 0, 'every judged metric undecided');
  } finally {
    stopSshd();
  }
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(processesMentioning(work, { cwd: true }), [], 'no sshd, ansible or ringbench process of the test left');
});

test('Ctrl-C during a host\'s setup: exit 130, the host recorded as interrupted, its setup stopped and its folder removed', async () => {
  const port = await startSshd();
  const inv = inventory(port, await freePort());
  const remote = join(work, 'remote-alpha');
  mkdirSync(remote, { recursive: true, mode: 0o700 });
  const out = join(work, 'out-interrupted');
  // Ctrl-C once the setup on alpha has started (its process group is recorded)
  const setupStarted = () => readdirSync(remote).some((d) => existsSync(join(remote, d, 'setup.pgid')));
  const r = await runCli(['fleet', '--inventory', inv, '--limit', 'alpha', '--out', out], { interruptWhen: setupStarted, timeoutMs: 10 * 60_000 });
  try {
    assert.is(r.code, 130, r.stderr);
    const fleet = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as FleetFile;
    assert.equal(fleet.hosts.map((h) => [h.name, h.status]), [['alpha', 'interrupted']]);
    assert.match(fleet.hosts[0].reason ?? '', /interrupted during setup/);
    assert.match(r.stderr, /--resume /);
    assert.not.ok(holdsAnything(remote), `nothing left in ${remote}: ${existsSync(remote) ? readdirSync(remote).join(', ') : ''}`);
  } finally {
    stopSshd();
  }
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(processesMentioning(work, { cwd: true }), [], 'no sshd, ansible, setup or ringbench process of the test left');
});

test.after(() => {
  stopSshd();
  rmSync(work, { recursive: true, force: true });
});

test.run();
