/**
 * probe — `ringbench probe`: can ringbench run on this machine, and if not, why not and how to fix it.
 *
 * Two sources are combined into one report with a stable JSON shape (schema `ringbench/probe@1`):
 *  - the native probe (addon `probeKernel()`, native/core/probe.cc), which *tries* what ringbench
 *    needs: create the maps, load programs calling the transport helpers, attach raw_tp / tp_btf to
 *    sched_process_exit, enable BPF run-time stats;
 *  - what /proc and /sys say: kernel release, BTF, effective capabilities, sysctls, tracefs.
 * When the addon cannot be loaded or its probe throws, the report is still produced: every native
 * item is marked missing with that failure as its reason, and the verdict says so.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { loadAddon, type Addon, type ProbeItem } from './addon.js';

export const PROBE_SCHEMA = 'ringbench/probe@1';

/** The common shape of everything that is a capability: present or not, and why. */
export interface Capability {
  available: boolean;
  reason: string;
}

/** The transport helpers, as called from one program type. */
export interface HelperSet {
  ringbufReserve: Capability;
  ringbufSubmit: Capability;
  ringbufOutput: Capability;
  ringbufQuery: Capability;
  perfEventOutput: Capability;
  /** dynptr ring buffer helpers (5.19+) and the user ring buffer drain (6.1+) */
  ringbufReserveDynptr: Capability;
  ringbufSubmitDynptr: Capability;
  ringbufDiscardDynptr: Capability;
  userRingbufDrain: Capability;
}

export interface ProbeReport {
  schema: typeof PROBE_SCHEMA;
  kernel: { release: string; version: string; arch: string };
  /** vmlinux BTF: needed for tp_btf attachment and CO-RE */
  btf: Capability;
  /** vmlinux BTF facts: its size, and the lock type of struct bpf_ringbuf (raw_spinlock_t, rqspinlock_t) */
  btfInfo: { sizeBytes: number | null; ringbufLockType: string | null; ringbufLock: Capability };
  /** the N-API addon that runs the native checks */
  native: Capability;
  mapTypes: { ringbuf: Capability; perfEventArray: Capability; userRingbuf: Capability };
  /** BPF_F_RB_OVERWRITE (Linux 6.19+): optional, not part of the verdict */
  ringbufOverwrite: Capability;
  progTypes: { tracepoint: Capability; rawTracepoint: Capability; tracing: Capability };
  helpers: { tracepoint: HelperSet; rawTracepoint: HelperSet; tracing: HelperSet };
  attach: {
    tracefsMounted: Capability;
    tracefsMountable: Capability;
    rawTracepoint: Capability;
    btfTracepoint: Capability;
    /** fentry on getpgid: the saturation load's preferred trigger; optional (it falls back to tp_btf/sys_enter) */
    fentry: Capability;
  };
  privileges: {
    euid: number;
    capBpf: Capability;
    capPerfmon: Capability;
    capSysAdmin: Capability;
    /** BPF memory: memcg-charged (Linux 5.11+), or RLIMIT_MEMLOCK is unlimited, or CAP_SYS_RESOURCE lets libbpf raise it */
    memlock: Capability;
    /** /proc/sys/kernel/unprivileged_bpf_disabled (null when unreadable) and what it means */
    unprivilegedBpfDisabled: { value: number | null; meaning: string };
  };
  /** BPF_STATS_RUN_TIME can be enabled (cpu.bpfNsPerEvent needs it); sysctlEnabled is its current state */
  bpfStats: Capability & { sysctlEnabled: boolean | null };
  jit: { enabled: boolean | null; value: number | null };
  cpuCount: number;
  libbpf: { version: string | null };
  verdict: { canRun: boolean; reasons: string[] };
}

// Capability bit numbers from include/uapi/linux/capability.h.
const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

const TRACEFS_MOUNT_POINTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

// Capabilities go to ringbench's own process, never to the node binary: `setcap` on node would
// give every Node script on the machine BPF rights.
const FIX_PRIVILEGES =
  'run as root (sudo ringbench …), or start ringbench alone with CAP_BPF+CAP_PERFMON: sudo setpriv --reuid=$(id -u) ' +
  '--regid=$(id -g) --init-groups --inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon -- npx ringbench … ' +
  '(not setcap on the node binary, which would give every Node script BPF rights)';
const FIX_MEMLOCK = 'add CAP_SYS_RESOURCE (+sys_resource in the setpriv line), or raise the limit: ulimit -l unlimited';
const FIX_TRACEFS = 'mount tracefs: mount -t tracefs nodev /sys/kernel/tracing';
const FIX_BTF = 'kernel lacks BTF: use a kernel built with CONFIG_DEBUG_INFO_BTF=y';
const FIX_ADDON = 'build the native addon: npm run setup';

export const HELPER_KEYS: Record<keyof HelperSet, string> = {
  ringbufReserve: 'ringbuf_reserve',
  ringbufSubmit: 'ringbuf_submit',
  ringbufOutput: 'ringbuf_output',
  ringbufQuery: 'ringbuf_query',
  perfEventOutput: 'perf_event_output',
  ringbufReserveDynptr: 'ringbuf_reserve_dynptr',
  ringbufSubmitDynptr: 'ringbuf_submit_dynptr',
  ringbufDiscardDynptr: 'ringbuf_discard_dynptr',
  userRingbufDrain: 'user_ringbuf_drain',
};

export const PROG_KIND_KEYS = {
  tracepoint: 'tracepoint',
  rawTracepoint: 'raw_tracepoint',
  tracing: 'tracing',
} as const;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function readInt(path: string): number | null {
  const text = readText(path);
  if (text === null) return null;
  const value = Number.parseInt(text.trim(), 10);
  return Number.isNaN(value) ? null : value;
}

/** CapEff of this process as a bit set, or null when /proc/self/status has none (not Linux). */
function effectiveCapabilities(): bigint | null {
  const status = readText('/proc/self/status');
  const match = status?.match(/^CapEff:\s*([0-9a-f]+)$/m);
  return match ? BigInt(`0x${match[1]}`) : null;
}

function capability(capEff: bigint | null, bit: number, name: string): Capability {
  if (capEff === null) return { available: false, reason: 'cannot read CapEff from /proc/self/status' };
  const held = (capEff >> BigInt(bit)) & 1n;
  return held
    ? { available: true, reason: `${name} in the effective set` }
    : { available: false, reason: `${name} not in the effective set` };
}

function unprivilegedBpfMeaning(value: number | null): string {
  switch (value) {
    case null:
      return 'unknown (sysctl unreadable)';
    case 0:
      return 'unprivileged bpf() allowed';
    case 1:
      return 'unprivileged bpf() disabled until reboot';
    case 2:
      return 'unprivileged bpf() disabled (an admin can re-enable it)';
    default:
      return `unknown value ${value}`;
  }
}

function probeBtf(): Capability {
  if (!existsSync(VMLINUX_BTF)) {
    return { available: false, reason: `${VMLINUX_BTF} missing (CONFIG_DEBUG_INFO_BTF not set)` };
  }
  const size = statSync(VMLINUX_BTF).size;
  return { available: true, reason: `${VMLINUX_BTF} present (${size} bytes)` };
}

function probeTracefs(euid: number, capSysAdmin: Capability) {
  const mounts = readText('/proc/mounts') ?? '';
  const tracefsAt = mounts
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields[2] === 'tracefs' && TRACEFS_MOUNT_POINTS.includes(fields[1]))
    .map((fields) => fields[1]);
  const tracefsMounted: Capability = tracefsAt.length
    ? { available: true, reason: `tracefs mounted at ${tracefsAt.join(', ')}` }
    : { available: false, reason: `tracefs not mounted at ${TRACEFS_MOUNT_POINTS.join(' or ')}` };

  const kernelKnowsTracefs = /\stracefs$/m.test(readText('/proc/filesystems') ?? '');
  const mayMount = euid === 0 || capSysAdmin.available;
  let tracefsMountable: Capability;
  if (!kernelKnowsTracefs) {
    tracefsMountable = { available: false, reason: 'tracefs not in /proc/filesystems (CONFIG_TRACING off)' };
  } else if (!mayMount) {
    tracefsMountable = { available: false, reason: 'mounting needs root or CAP_SYS_ADMIN' };
  } else {
    tracefsMountable = {
      available: true,
      reason: tracefsMounted.available ? 'already mounted' : `could run: ${FIX_TRACEFS.replace('mount tracefs: ', '')}`,
    };
  }
  return { tracefsMounted, tracefsMountable };
}

/** Native results by item name; a name the addon did not report becomes a missing capability. */
type NativeLookup = (name: string) => Capability;

function runNativeProbe(loader: () => Addon): {
  native: Capability;
  lookup: NativeLookup;
  libbpfVersion: string | null;
} {
  let addon: Addon;
  try {
    addon = loader();
  } catch (error) {
    const why = `native addon not loadable: ${(error as Error).message}`;
    return {
      native: { available: false, reason: why },
      lookup: () => ({ available: false, reason: why }),
      libbpfVersion: null,
    };
  }
  let libbpfVersion: string | null = null;
  try {
    libbpfVersion = addon.libbpfVersion();
  } catch {
    // The version is informational; the items below still say what works.
  }
  let items: ProbeItem[];
  try {
    items = addon.probeKernel();
  } catch (error) {
    const why = `native probe failed: ${(error as Error).message}`;
    return { native: { available: false, reason: why }, lookup: () => ({ available: false, reason: why }), libbpfVersion };
  }
  const byName = new Map(items.map((item) => [item.name, item]));
  return {
    native: { available: true, reason: `addon probed ${items.length} items` },
    lookup: (name) => {
      const item = byName.get(name);
      return item
        ? { available: Boolean(item.available), reason: String(item.reason) }
        : { available: false, reason: `not reported by the native probe (${name})` };
    },
    libbpfVersion,
  };
}

function helperSet(lookup: NativeLookup, progKind: string): HelperSet {
  const set = {} as HelperSet;
  for (const [key, helper] of Object.entries(HELPER_KEYS) as [keyof HelperSet, string][]) {
    set[key] = lookup(`helper.${progKind}.${helper}`);
  }
  return set;
}

const CAP_SYS_RESOURCE = 24;

/** Before Linux 5.11 BPF maps and programs count against RLIMIT_MEMLOCK, which libbpf raises only
 *  with CAP_SYS_RESOURCE (root has it): a CAP_BPF + CAP_PERFMON process needs it too, or a high limit. */
function probeMemlock(euid: number, capEff: bigint | null): Capability {
  const [major, minor] = os.release().split('.').map((n) => Number.parseInt(n, 10));
  if (major > 5 || (major === 5 && minor >= 11)) return { available: true, reason: `Linux ${major}.${minor} charges BPF memory to the memory cgroup, not RLIMIT_MEMLOCK` };
  if (euid === 0 || capability(capEff, CAP_SYS_RESOURCE, 'CAP_SYS_RESOURCE').available) {
    return { available: true, reason: 'CAP_SYS_RESOURCE: libbpf raises RLIMIT_MEMLOCK' };
  }
  const limit = /^Max locked memory\s+(\S+)/m.exec(readText('/proc/self/limits') ?? '')?.[1];
  if (limit === 'unlimited') return { available: true, reason: 'RLIMIT_MEMLOCK is unlimited' };
  return { available: false, reason: `Linux ${major}.${minor} charges BPF memory to RLIMIT_MEMLOCK (${limit ?? 'unknown'} bytes here) and CAP_SYS_RESOURCE is missing to raise it` };
}

/** Denied for lack of privilege rather than lacking in the kernel: the privileges line explains it. */
function isPermissionDenial(c: Capability): boolean {
  return /\bE(PERM|ACCES)\b/.test(c.reason);
}

function decideVerdict(r: Omit<ProbeReport, 'verdict'>): ProbeReport['verdict'] {
  const reasons: string[] = [];
  const privileged =
    (r.privileges.capBpf.available && r.privileges.capPerfmon.available) || r.privileges.capSysAdmin.available;
  if (!privileged) {
    const lacking = [
      r.privileges.capBpf.available ? null : 'CAP_BPF',
      r.privileges.capPerfmon.available ? null : 'CAP_PERFMON',
    ].filter(Boolean);
    reasons.push(
      `missing privileges: ${lacking.join(' and ')} (or CAP_SYS_ADMIN), euid ${r.privileges.euid} — fix: ${FIX_PRIVILEGES}`,
    );
  }
  if (privileged && r.privileges.memlock.available === false) reasons.push(`${r.privileges.memlock.reason} — fix: ${FIX_MEMLOCK}`);
  if (!r.btf.available) reasons.push(`no BTF: ${r.btf.reason} — fix: ${FIX_BTF}`);
  if (!r.native.available) {
    // The loader's own message may already say how to build it.
    reasons.push(r.native.reason.includes('npm run setup') ? r.native.reason : `${r.native.reason} — fix: ${FIX_ADDON}`);
  } else {
    for (const [label, map] of [
      ['BPF_MAP_TYPE_RINGBUF', r.mapTypes.ringbuf],
      ['BPF_MAP_TYPE_PERF_EVENT_ARRAY', r.mapTypes.perfEventArray],
    ] as const) {
      if (map.available) continue;
      // Under missing privileges an EPERM here is a consequence, already explained above.
      if (!privileged && isPermissionDenial(map)) continue;
      const fix = isPermissionDenial(map) ? FIX_PRIVILEGES : 'kernel too old: BPF ring buffer needs Linux 5.8+';
      reasons.push(`map type ${label} unavailable: ${map.reason} — fix: ${fix}`);
    }
  }
  const attachWays = [r.attach.btfTracepoint, r.attach.rawTracepoint, r.attach.tracefsMounted, r.attach.tracefsMountable];
  if (!attachWays.some((way) => way.available)) {
    const details = `tp_btf: ${r.attach.btfTracepoint.reason}; raw_tp: ${r.attach.rawTracepoint.reason}; tracefs: ${r.attach.tracefsMounted.reason}, ${r.attach.tracefsMountable.reason}`;
    const fixes = [privileged ? null : FIX_PRIVILEGES, FIX_TRACEFS, r.btf.available ? null : FIX_BTF].filter(Boolean);
    reasons.push(`no way to attach to sched_process_exit (${details}) — fix: ${fixes.join('; or ')}`);
  }
  return { canRun: reasons.length === 0, reasons };
}

/**
 * Probe this machine. `loader` exists for tests and tools that bring their own addon; the CLI uses
 * the default (build/Release/ringbench.node).
 */
export function probe(loader: () => Addon = loadAddon): ProbeReport {
  const euid = typeof process.geteuid === 'function' ? process.geteuid() : -1;
  const capEff = effectiveCapabilities();
  const capSysAdmin = capability(capEff, CAP_SYS_ADMIN, 'CAP_SYS_ADMIN');
  const { native, lookup, libbpfVersion } = runNativeProbe(loader);

  // The file says BTF is there; the native probe says libbpf can also parse it.
  let btf = probeBtf();
  const nativeBtf = lookup('btf.vmlinux');
  if (btf.available && native.available && !nativeBtf.available) btf = nativeBtf;

  const unprivilegedValue = readInt('/proc/sys/kernel/unprivileged_bpf_disabled');
  const jitValue = readInt('/proc/sys/net/core/bpf_jit_enable');
  const statsValue = readInt('/proc/sys/kernel/bpf_stats_enabled');

  const ringbufLock = lookup('btf.ringbuf_lock');
  // The map creation decides; whether the kernel's BTF knows the uapi flag is said beside it.
  const overwrite = lookup('map.ringbuf_overwrite');
  const overwriteEnum = lookup('btf.rb_overwrite_enum');
  if (native.available) overwrite.reason += `; ${overwriteEnum.reason}`;
  const report: Omit<ProbeReport, 'verdict'> = {
    schema: PROBE_SCHEMA,
    kernel: { release: os.release(), version: os.version(), arch: os.machine() },
    btf,
    btfInfo: {
      sizeBytes: existsSync(VMLINUX_BTF) ? statSync(VMLINUX_BTF).size : null,
      ringbufLockType: ringbufLock.available ? ringbufLock.reason : null,
      ringbufLock,
    },
    native,
    mapTypes: {
      ringbuf: lookup('map.ringbuf'),
      perfEventArray: lookup('map.perf_event_array'),
      userRingbuf: lookup('map.user_ringbuf'),
    },
    ringbufOverwrite: overwrite,
    progTypes: {
      tracepoint: lookup(`prog.${PROG_KIND_KEYS.tracepoint}`),
      rawTracepoint: lookup(`prog.${PROG_KIND_KEYS.rawTracepoint}`),
      tracing: lookup(`prog.${PROG_KIND_KEYS.tracing}`),
    },
    helpers: {
      tracepoint: helperSet(lookup, PROG_KIND_KEYS.tracepoint),
      rawTracepoint: helperSet(lookup, PROG_KIND_KEYS.rawTracepoint),
      tracing: helperSet(lookup, PROG_KIND_KEYS.tracing),
    },
    attach: {
      ...probeTracefs(euid, capSysAdmin),
      rawTracepoint: lookup('attach.raw_tracepoint'),
      btfTracepoint: lookup('attach.tp_btf'),
      fentry: lookup('attach.fentry'),
    },
    privileges: {
      euid,
      capBpf: capability(capEff, CAP_BPF, 'CAP_BPF'),
      capPerfmon: capability(capEff, CAP_PERFMON, 'CAP_PERFMON'),
      capSysAdmin,
      memlock: probeMemlock(euid, capEff),
      unprivilegedBpfDisabled: { value: unprivilegedValue, meaning: unprivilegedBpfMeaning(unprivilegedValue) },
    },
    bpfStats: { ...lookup('stats.run_time'), sysctlEnabled: statsValue === null ? null : statsValue !== 0 },
    // bpf_jit_enable: 0 interpreter, 1 JIT, 2 JIT with debug output.
    jit: { enabled: jitValue === null ? null : jitValue !== 0, value: jitValue },
    cpuCount: os.cpus().length,
    libbpf: { version: libbpfVersion },
  };
  return { ...report, verdict: decideVerdict(report) };
}
