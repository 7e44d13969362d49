/**
 * probe.test — `ringbench probe` against the real kernel: the JSON has its full, stable shape and
 * says yes on this (root, BTF) machine; the native probe leaks no fds; and the same probe run with
 * every BPF-relevant capability dropped says no and names the missing capability.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { probe, PROBE_SCHEMA, type ProbeReport } from '../src/harness/probe.js';
import { formatProbe } from '../src/cli/probe.js';
import { ROOT } from '../src/harness/addon.js';

const HELPER_KEYS = ['ringbufReserve', 'ringbufSubmit', 'ringbufOutput', 'ringbufQuery', 'perfEventOutput', 'ringbufReserveDynptr', 'ringbufSubmitDynptr', 'ringbufDiscardDynptr', 'userRingbufDrain'];

/** The report's key layout: a nested object lists its keys; 'cap' marks a {available, reason} entry. */
const SHAPE = {
  schema: 'string',
  kernel: { release: 'string', version: 'string', arch: 'string' },
  btf: 'cap',
  btfInfo: { sizeBytes: 'number|null', ringbufLockType: 'string|null', ringbufLock: 'cap' },
  native: 'cap',
  mapTypes: { ringbuf: 'cap', perfEventArray: 'cap', userRingbuf: 'cap' },
  ringbufOverwrite: 'cap',
  progTypes: { tracepoint: 'cap', rawTracepoint: 'cap', tracing: 'cap' },
  helpers: {
    tracepoint: Object.fromEntries(HELPER_KEYS.map((k) => [k, 'cap'])),
    rawTracepoint: Object.fromEntries(HELPER_KEYS.map((k) => [k, 'cap'])),
    tracing: Object.fromEntries(HELPER_KEYS.map((k) => [k, 'cap'])),
  },
  attach: { tracefsMounted: 'cap', tracefsMountable: 'cap', rawTracepoint: 'cap', btfTracepoint: 'cap', fentry: 'cap' },
  privileges: {
    euid: 'number',
    capBpf: 'cap',
    capPerfmon: 'cap',
    capSysAdmin: 'cap',
    memlock: 'cap',
    unprivilegedBpfDisabled: { value: 'number|null', meaning: 'string' },
  },
  bpfStats: { available: 'boolean', reason: 'string', sysctlEnabled: 'boolean|null' },
  jit: { enabled: 'boolean|null', value: 'number|null' },
  cpuCount: 'number',
  libbpf: { version: 'string|null' },
  verdict: { canRun: 'boolean', reasons: 'array' },
} as const;

type Shape = string | { readonly [key: string]: Shape };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Exactly the keys of `shape`, each of the stated type, recursively; returns the mismatches. */
function shapeErrors(value: unknown, shape: Shape, path = 'report'): string[] {
  if (shape === 'cap') return shapeErrors(value, { available: 'boolean', reason: 'string' }, path);
  if (typeof shape === 'string') {
    return shape.split('|').includes(typeName(value)) ? [] : [`${path}: ${typeName(value)}, expected ${shape}`];
  }
  if (typeName(value) !== 'object') return [`${path}: ${typeName(value)}, expected object`];
  const record = value as Record<string, unknown>;
  const errors: string[] = [];
  const expected = Object.keys(shape);
  for (const key of Object.keys(record)) {
    if (!expected.includes(key)) errors.push(`${path}.${key}: unexpected key`);
  }
  for (const key of expected) errors.push(...shapeErrors(record[key], shape[key], `${path}.${key}`));
  return errors;
}

function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

test('probe JSON has every field, and ringbench can run here', () => {
  const fdsBefore = openFdCount();
  const report = probe();
  const fdsAfter = openFdCount();

  // Through JSON, as consumers see it.
  const json: ProbeReport = JSON.parse(JSON.stringify(report));
  assert.equal(shapeErrors(json, SHAPE), []);
  assert.is(json.schema, PROBE_SCHEMA);
  assert.ok(json.native.available, `native addon: ${json.native.reason}`);
  assert.equal(json.verdict, { canRun: true, reasons: [] });

  // What this machine is known to have (DESIGN.md: root, BTF, CAP_BPF/CAP_PERFMON, raw_tp and fentry).
  assert.ok(json.btf.available, json.btf.reason);
  assert.ok(json.mapTypes.ringbuf.available, json.mapTypes.ringbuf.reason);
  assert.ok(json.mapTypes.perfEventArray.available, json.mapTypes.perfEventArray.reason);
  assert.ok(json.attach.rawTracepoint.available, json.attach.rawTracepoint.reason);
  assert.ok(json.attach.btfTracepoint.available, json.attach.btfTracepoint.reason);
  assert.ok(json.helpers.tracing.ringbufReserve.available, json.helpers.tracing.ringbufReserve.reason);
  assert.ok(json.bpfStats.available, json.bpfStats.reason);
  assert.is(json.privileges.euid, 0);
  assert.is(typeof json.libbpf.version, 'string');
  assert.ok(json.cpuCount >= 1);

  // Every map, program, link and stats fd the native probe opened is closed again.
  assert.is(fdsAfter, fdsBefore, 'the native probe leaked file descriptors');

  const text = formatProbe(report);
  assert.match(text, /ringbench can run here: yes$/);
  assert.match(text, /✓ available/);
});

test('probe without CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN says no and names the missing capability', () => {
  const nodeArgs = [join(ROOT, 'dist', 'src', 'cli.js'), 'probe', '--json'];
  // Drop the capabilities everywhere they could come back from (bounding, inheritable, ambient)
  // and leave root, whose uid change clears the permitted and effective sets.
  const child = spawnSync(
    'setpriv',
    [
      '--inh-caps=-all',
      '--ambient-caps=-all',
      '--bounding-set=-bpf,-perfmon,-sys_admin',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      ...nodeArgs,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  assert.is(child.error, undefined, `setpriv could not run: ${child.error?.message}`);
  assert.is(child.status, 1, `exit code ${child.status}; stderr: ${child.stderr}`);

  const report: ProbeReport = JSON.parse(child.stdout);
  assert.equal(shapeErrors(report, SHAPE), []);
  assert.is(report.privileges.euid, 65534);
  assert.not.ok(report.privileges.capBpf.available);
  assert.not.ok(report.privileges.capPerfmon.available);
  assert.not.ok(report.privileges.capSysAdmin.available);
  assert.is(report.verdict.canRun, false);
  const why = report.verdict.reasons.join('\n');
  assert.match(why, /CAP_BPF/);
  assert.match(why, /CAP_PERFMON/);
  // safe advice: root, or capabilities for ringbench's own process; never setcap on node
  assert.match(why, /run as root \(sudo ringbench …\), or start ringbench alone with CAP_BPF\+CAP_PERFMON: sudo setpriv /);
  assert.not.match(why, /setcap cap_/);
  // The kernel did refuse: the native checks report EPERM rather than guessing.
  if (report.native.available) assert.match(report.mapTypes.ringbuf.reason, /EPERM/);
});

test.run();
