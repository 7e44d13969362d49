/**
 * fleet-report — fleet.json's shape, and the report of a fleet folder: report.html and report.md
 * in it. It leads with "What changed" between the hosts (report/changes.ts: kernel, CPU model,
 * CPU count, memory, then the probe items that differ), the ringbuf/perfbuf ratios per host and the
 * hosts' outcomes (a failed host with its reason); the ordinary report over every finished host's
 * results follows (report/lead.ts). `ringbench report FLEET_DIR` re-renders it (readFleetFile).
 */
import { existsSync } from 'node:fs';
import { MAX_FOLDER_JSON_BYTES, readJsonIfUsable, readJsonInput } from '../results/input.js';
import { join } from 'node:path';
import { fmtBytes } from '../format/units.js';
import { renderChanges, renderRatios, whatChanged, type ChangeColumn } from '../report/changes.js';
import { writeLeadReport } from '../report/lead.js';
import { esc } from '../report/document.js';
import { loadResultsIfUsable, ResultsInputError } from '../results/load.js';
import type { OutputDir } from '../results/outdir.js';

export const FLEET_SCHEMA = 'ringbench/fleet@1';

/** What Ansible's facts say about a host. */
export interface HostFacts {
  kernel?: string;
  cpuModel?: string;
  cpuCount?: number;
  memoryBytes?: number;
}

export type HostStatus = 'ok' | 'failed' | 'unreachable' | 'interrupted' | 'pending';

export interface FleetHost {
  /** inventory_hostname: also its folder, hosts/<name> */
  name: string;
  status: HostStatus;
  /** why it did not finish: "setup failed: …", SSH's words for an unreachable host, "interrupted during run" */
  reason?: string;
  /** the last playbook step it reached: facts, folder, ship, setup, probe, run, fetch, clean up */
  step?: string;
  facts?: HostFacts;
  /** relative to the fleet folder */
  dir: string;
  wallMs?: number;
}

export interface FleetFile {
  schema: typeof FLEET_SCHEMA;
  suite: string;
  /** the inventory as given (absolute) */
  inventory: string;
  limit?: string;
  forks: number;
  /** the commit shipped (git archive), and whether the checkout had uncommitted changes (not shipped) */
  commit: string;
  dirty: boolean;
  command: string;
  startedAt: string;
  finishedAt?: string;
  wallMs?: number;
  complete: boolean;
  hosts: FleetHost[];
}

/** The fleet.json of a folder, checked enough to render or resume; throws ResultsInputError naming it. */
export function readFleetFile(dir: string): FleetFile {
  const file = join(dir, 'fleet.json');
  let f: FleetFile | undefined;
  try {
    f = readJsonInput(file, MAX_FOLDER_JSON_BYTES).data as FleetFile;
  } catch (e) {
    throw new ResultsInputError(`${file}: cannot read it (${(e as Error).message})`);
  }
  if (!f || f.schema !== FLEET_SCHEMA || !Array.isArray(f.hosts)) throw new ResultsInputError(`${file}: not a ringbench fleet file (schema ${FLEET_SCHEMA})`);
  for (const h of f.hosts) {
    if (typeof h.name !== 'string' || !HOST_NAME.test(h.name) || h.dir !== `hosts/${h.name}`) throw new ResultsInputError(`${file}: host ${String(h.name)} has a folder other than hosts/<name>`);
  }
  return f;
}

/** A fleet folder's finished hosts' run folders (DIR/hosts/NAME with a results.json); `input`
 *  itself when it is not a fleet folder. compare takes a fleet folder as a side of several runs. */
export function fleetRunDirs(input: string): string[] {
  if (existsSync(join(input, 'results.json')) || !existsSync(join(input, 'fleet.json'))) return [input];
  const f = readFleetFile(input);
  const dirs = f.hosts.filter((h) => h.status === 'ok' && existsSync(join(input, h.dir, 'results.json'))).map((h) => join(input, h.dir));
  if (!dirs.length) throw new ResultsInputError(`${input}: a fleet folder with no finished host`);
  return dirs;
}

/** Inventory host names ringbench accepts: they become folder names. */
export const HOST_NAME = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;

/** The four facts that lead a fleet's "What changed", as report/changes.ts columns facts. */
export function hostFacts(f: HostFacts | undefined): ChangeColumn['facts'] {
  return [
    { key: 'kernel', label: 'kernel', value: f?.kernel, kind: 'kernel', meaning: 'a different kernel: its ring buffer and perf buffer code differ with it' },
    { key: 'cpuModel', label: 'CPU model', value: f?.cpuModel, kind: 'machine', meaning: 'rates and CPU costs per event are the CPU\'s as much as the transport\'s' },
    { key: 'cpuCount', label: 'CPU count', value: f?.cpuCount === undefined ? undefined : String(f.cpuCount), kind: 'machine', meaning: 'perfbuf allocates a buffer per CPU, and producers contend on ringbuf\'s one lock' },
    { key: 'memory', label: 'memory', value: f?.memoryBytes === undefined ? undefined : fmtBytes(f.memoryBytes), kind: 'machine', meaning: 'memory size: it bounds the buffer sizes a host can try' },
  ];
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The fleet's lead sections: what changed, ratios per host, and the hosts' outcomes. */
export function fleetSections(out: string, f: FleetFile): { html: string; md: string; runDirs: string[] } {
  const cols: ChangeColumn[] = f.hosts.map((h) => {
    const dir = join(out, h.dir);
    const results = h.status === 'ok' ? loadResultsIfUsable(dir) : undefined;
    return { name: h.name, facts: hostFacts(h.facts), probe: readJsonIfUsable(join(dir, 'probe.json')), results };
  });
  const finished = cols.filter((c) => c.results);
  // hosts that never answered have nothing to compare: they are named below, not columns of "–"
  const known = cols.filter((c, i) => c.probe !== undefined || f.hosts[i].facts !== undefined);
  const changes = renderChanges(whatChanged(known), known.map((c) => c.name), 'hosts');
  const ratios = renderRatios(finished, 'hosts');
  const failed = f.hosts.filter((h) => h.status !== 'ok');
  const meta = `suite ${f.suite} · ${f.hosts.length} hosts (${f.hosts.length - failed.length} finished) · commit ${f.commit.slice(0, 12)}${f.dirty ? ' (uncommitted changes were not shipped)' : ''} · forks ${f.forks}`;
  const head = ['host', 'status', 'kernel', 'CPU', 'memory', 'wall'];
  const rows = f.hosts.map((h) => [
    h.name,
    h.status === 'ok' ? 'ok' : `${h.status}${h.reason ? `: ${h.reason}` : ''}`,
    h.facts?.kernel ?? '–',
    h.facts?.cpuModel ? `${h.facts.cpuCount ?? '?'} × ${h.facts.cpuModel}` : '–',
    h.facts?.memoryBytes !== undefined ? fmtBytes(h.facts.memoryBytes) : '–',
    h.wallMs !== undefined ? `${(h.wallMs / 1000).toFixed(0)} s` : '–',
  ]);
  const html = [
    `<p class="meta">${esc(meta)}</p>`,
    failed.length ? `<p class="lede"><strong>${failed.length} host${failed.length === 1 ? '' : 's'} did not finish:</strong> ${esc(failed.map((h) => `${h.name} (${h.status}${h.reason ? `: ${h.reason}` : ''})`).join('; '))}.</p>` : '',
    changes.html,
    ratios.html,
    '<h2 id="fleet-hosts">Hosts</h2>',
    '<div class="table-wrap" style="overflow-x:auto;max-width:100%"><table><thead><tr>' + head.map((x) => `<th>${x}</th>`).join('') + '</tr></thead><tbody>',
    ...rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`),
    '</tbody></table></div>',
    `<p class="table-note">Per-host files: ${f.hosts.map((h) => `<a href="${esc(h.dir)}/">${esc(h.dir)}</a>`).join(', ')} (results.json, results.csv, probe.json).</p>`,
  ].filter(Boolean).join('\n');
  const md = [
    meta,
    '',
    ...(failed.length ? [`**${failed.length} host${failed.length === 1 ? '' : 's'} did not finish:** ${failed.map((h) => `${h.name} (${h.status}${h.reason ? `: ${h.reason}` : ''})`).join('; ')}.`, ''] : []),
    changes.md,
    ratios.md,
    '## Hosts',
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
    '',
    `Per-host files: ${f.hosts.map((h) => `[${h.dir}](${h.dir}/)`).join(', ')}.`,
  ].join('\n');
  const runDirs = f.hosts.filter((h, i) => cols[i].results).map((h) => join(out, h.dir));
  return { html, md, runDirs };
}

/** Writes report.html and report.md into the fleet folder. */
export async function writeFleetReport(output: OutputDir, f: FleetFile, log: (l: string) => void): Promise<{ html: string; md: string }> {
  const s = fleetSections(output.path, f);
  return writeLeadReport(output, s.runDirs, {
    title: `Fleet: BPF ring buffer vs perf buffer on ${f.hosts.length} hosts`,
    html: s.html,
    md: s.md,
    toc: [['what-changed', 'What changed'], ['ratios', 'ringbuf ÷ perfbuf'], ['fleet-hosts', 'Hosts']],
  }, log);
}
