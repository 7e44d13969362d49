/**
 * cli/probe — `ringbench probe [--json]`: the harness's capability report (harness/probe.ts) as an
 * aligned table (section, item, status, reason) and a verdict line, or as JSON.
 */
import { alignColumns } from '../format/table.js';
import { HELPER_KEYS, PROG_KIND_KEYS, probe, type Capability, type HelperSet, type ProbeReport } from '../harness/probe.js';

type Row = [section: string, item: string, status: string, reason: string];

function capabilityRow(section: string, item: string, c: Capability): Row {
  return [section, item, c.available ? '✓ available' : '✗ missing', c.reason];
}

/** The report as an aligned table (section, item, status, reason) followed by the verdict line. */
export function formatProbe(r: ProbeReport): string {
  const rows: Row[] = [
    capabilityRow('btf', 'vmlinux BTF', r.btf),
    capabilityRow('btf', `struct bpf_ringbuf lock (${r.btfInfo.sizeBytes ?? '?'} B of BTF)`, r.btfInfo.ringbufLock),
    capabilityRow('native', 'addon', r.native),
    capabilityRow('maps', 'ringbuf', r.mapTypes.ringbuf),
    capabilityRow('maps', 'perf_event_array', r.mapTypes.perfEventArray),
    capabilityRow('maps', 'user_ringbuf', r.mapTypes.userRingbuf),
    capabilityRow('maps', 'ringbuf overwrite', r.ringbufOverwrite),
  ];
  for (const [key, progKind] of Object.entries(PROG_KIND_KEYS) as [keyof typeof PROG_KIND_KEYS, string][]) {
    rows.push(capabilityRow('programs', progKind, r.progTypes[key]));
  }
  for (const [key, progKind] of Object.entries(PROG_KIND_KEYS) as [keyof typeof PROG_KIND_KEYS, string][]) {
    for (const [helperKey, helper] of Object.entries(HELPER_KEYS) as [keyof HelperSet, string][]) {
      rows.push(capabilityRow(`helpers/${progKind}`, `bpf_${helper}`, r.helpers[key][helperKey]));
    }
  }
  rows.push(
    capabilityRow('attach', 'tp_btf sched_process_exit', r.attach.btfTracepoint),
    capabilityRow('attach', 'raw_tp sched_process_exit', r.attach.rawTracepoint),
    capabilityRow('attach', 'fentry getpgid (saturation)', r.attach.fentry),
    capabilityRow('attach', 'tracefs mounted', r.attach.tracefsMounted),
    capabilityRow('attach', 'tracefs mountable', r.attach.tracefsMountable),
    capabilityRow('privileges', 'CAP_BPF', r.privileges.capBpf),
    capabilityRow('privileges', 'CAP_PERFMON', r.privileges.capPerfmon),
    capabilityRow('privileges', 'CAP_SYS_ADMIN', r.privileges.capSysAdmin),
    capabilityRow('privileges', 'BPF memory limit', r.privileges.memlock),
    capabilityRow('stats', 'BPF_STATS_RUN_TIME', r.bpfStats),
  );

  const lines = [
    `kernel ${r.kernel.release} (${r.kernel.arch}), ${r.cpuCount} CPUs, libbpf ${r.libbpf.version ?? 'unknown'}, euid ${r.privileges.euid}`,
    `unprivileged_bpf_disabled=${r.privileges.unprivilegedBpfDisabled.value ?? '?'} (${r.privileges.unprivilegedBpfDisabled.meaning}), ` +
      `bpf_jit_enable=${r.jit.value ?? '?'}, bpf_stats_enabled=${r.bpfStats.sysctlEnabled === null ? '?' : Number(r.bpfStats.sysctlEnabled)}`,
    '',
    ...alignColumns(rows),
    '',
    r.verdict.canRun
      ? 'ringbench can run here: yes'
      : `ringbench can run here: no, because\n${r.verdict.reasons.map((reason) => `  - ${reason}`).join('\n')}`,
  ];
  return lines.join('\n');
}

/** `ringbench probe [--json]`: prints the report; exit code 0 when ringbench can run here, 1 otherwise. */
export async function probeCommand(opts: { json?: boolean }): Promise<number> {
  const report = probe();
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatProbe(report)}\n`);
  return report.verdict.canRun ? 0 : 1;
}
