/**
 * matrix-report — matrix.json's shape, and the report of a kernel matrix: report.html and
 * report.md in the matrix folder, rendered on the host.
 *
 * The report leads with "What changed" between the kernels (report/changes.ts: only the items
 * that differ, kernel changes apart from the host's set-up, each with its meaning), then the
 * ringbuf/perfbuf ratios per kernel (emulated kernels in a table of their own), the full
 * capability table (collapsed) and the runs; the ordinary report over every kernel's results
 * follows (report/lead.ts; with emulated and native kernels both, its charts cover the native
 * ones). `ringbench report MATRIX_DIR` re-renders it from the folder (readMatrixFile).
 */
import { readJsonIfUsable } from '../results/input.js';
import { isAbsolute, join } from 'node:path';
import { flattenProbe, renderChanges, renderRatios, whatChanged, type ChangeColumn } from '../report/changes.js';
import { writeLeadReport } from '../report/lead.js';
import { esc } from '../report/document.js';
import { loadResultsIfUsable, ResultsInputError } from '../results/load.js';
import { OutputDir } from '../results/outdir.js';
import type { ResultsFile } from '../results/schema.js';
import type { Environment } from '../harness/types.js';

export const MATRIX_SCHEMA = 'ringbench/matrix@1';

export interface MatrixBoot {
  round: number;
  exitStatus: number | null;
  bootMs: number | null;
  wallMs: number;
  probeMs?: number;
  suiteMs?: number;
  failure?: string;
  /** the guest kernel oopsed or panicked (qemu.ts troubleWords) */
  kernelTrouble?: string;
  /** this boot failed before the guest command started and the round booted the kernel again */
  retried?: boolean;
  /** a retried boot's console log, relative to the kernel's folder (absent when the guest removed it) */
  consoleLog?: string;
}

export interface MatrixKernel {
  input: string;
  id: string;
  kind: 'debian' | 'host' | 'path';
  /** relative to the matrix folder */
  dir: string;
  pkg?: string;
  version?: string;
  release?: string;
  accel: 'kvm' | 'tcg' | 'host';
  emulated: boolean;
  prepareMs: number;
  boots: MatrixBoot[];
  checks?: { name: string; ok: boolean; detail: string }[];
  /** pending: not (or not every round) run yet */
  status: 'ok' | 'failed' | 'interrupted' | 'pending';
  error?: string;
}

export interface MatrixFile {
  schema: typeof MATRIX_SCHEMA;
  suite: string;
  suiteFile: string;
  accel: 'kvm' | 'tcg';
  emulated: boolean;
  rounds: number;
  startedAt: string;
  finishedAt?: string;
  wallMs?: number;
  complete: boolean;
  command: string;
  /** the host's environment, recorded once */
  host: Environment;
  kernels: MatrixKernel[];
}

interface Cell {
  text: string;
  detail: string;
}

interface Row {
  section: string;
  item: string;
  cells: (Cell | undefined)[];
  differs: boolean;
}

export { flattenProbe };

export function capabilityRows(probes: (unknown | undefined)[]): Row[] {
  const flat = probes.map((p) => (p ? flattenProbe(p) : undefined));
  const keys: string[] = [];
  for (const f of flat) for (const k of f?.keys() ?? []) if (!keys.includes(k)) keys.push(k);
  return keys.map((key) => {
    const cells = flat.map((f) => f?.get(key));
    const present = cells.filter((c): c is Cell => !!c);
    // kernel.release differs by definition; cpuCount and euid are the guest's, not the kernel's
    const informative = !/^(kernel\.|cpuCount|privileges\.euid)/.test(key);
    const differs = informative && present.length > 1 && new Set(present.map((c) => c.text)).size > 1;
    const dot = key.lastIndexOf('.');
    return { section: dot > 0 ? key.slice(0, dot) : '', item: dot > 0 ? key.slice(dot + 1) : key, cells, differs };
  });
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** Short column heads: the input without linux-image-; * marks an emulated guest, † a KVM one. */
function columnName(k: MatrixKernel): string {
  return `${k.input.replace(/^linux-image-/, '')}${k.emulated ? ' *' : k.accel === 'kvm' ? ' †' : ''}`;
}

const LEGEND = 'Columns: * emulated (QEMU TCG), † QEMU KVM, neither: this machine.';

/** The matrix's columns for report/changes.ts: probe, results and whether emulated. */
export function matrixColumns(m: MatrixFile, probes: (unknown | undefined)[], results: (ResultsFile | undefined)[]): ChangeColumn[] {
  return m.kernels.map((k, i) => ({ name: columnName(k).replace(/ [*†]$/, ''), probe: probes[i], emulated: k.emulated, results: results[i] }));
}

/** The matrix's lead sections, as HTML and Markdown: what changed, the ratios, the full
 *  capability table (collapsed in HTML) and the runs. */
export function matrixSections(m: MatrixFile, probes: (unknown | undefined)[], results: (ResultsFile | undefined)[] = []): { html: string; md: string } {
  const rows = capabilityRows(probes);
  const differing = rows.filter((r) => r.differs);
  const heads = m.kernels.map(columnName);
  const cols = matrixColumns(m, probes, results);
  const changes = renderChanges(whatChanged(cols), cols.map((c) => c.name), 'kernels');
  const ratios = renderRatios(cols, 'kernels');
  const emulatedNote = m.emulated
    ? 'Guests ran under QEMU TCG: their results are emulated. Capabilities, accounting and ordering carry over to real hardware; rates, drops, latencies and CPU costs do not (emulation slows producers more than consumers). Compare kernels on rates only with KVM.'
    : '';
  const runRows = m.kernels.map((k) => {
    const b = k.boots.filter((x) => !x.retried); // the retried ones are in the note below the table
    const retries = k.boots.length - b.length;
    const checks = k.checks ?? [];
    return [
      columnName(k),
      k.pkg ? `${k.pkg} ${k.version ?? ''}` : k.kind === 'host' ? 'this machine' : k.input,
      k.release ?? '–',
      b.length ? b.map((x) => secs(x.bootMs)).join(', ') : '–',
      b.length ? b.map((x) => secs(x.probeMs)).join(', ') : '–',
      b.length ? b.map((x) => secs(x.suiteMs)).join(', ') : '–',
      b.length ? b.map((x) => secs(x.wallMs)).join(', ') : '–',
      checks.length ? `${checks.filter((c) => c.ok).length}/${checks.length}` : '–',
      `${k.status === 'ok' ? 'ok' : `${k.status}${k.error ? `: ${k.error}` : ''}`}${retries ? `; ${retries} boot${retries === 1 ? '' : 's'} retried` : ''}`,
    ];
  });
  // boots that failed before the guest command and were booted again (matrix.ts BOOT_RETRIES)
  const retried = m.kernels.flatMap((k) =>
    k.boots
      .filter((x) => x.retried)
      .map((x) => `${columnName(k)}, round ${x.round}: ${x.failure ?? 'no reason recorded'}${x.consoleLog ? ` (console: ${k.dir}/${x.consoleLog})` : ''}`),
  );
  const retriedNote = retried.length ? `Boots retried (a failure before the guest command starts is booted once more): ${retried.join('; ')}.` : '';
  const runHead = ['kernel', 'package', 'release', 'boot', 'probe', 'suite', 'wall', 'checks', 'status'];
  const meta = `suite ${m.suite} · ${m.kernels.length} kernels · ${m.rounds} round${m.rounds === 1 ? '' : 's'} · ${m.accel === 'tcg' ? 'QEMU TCG (emulated)' : 'QEMU KVM'} · host ${m.host.hostname} (${m.host.kernel})`;

  // HTML
  const h: string[] = [];
  h.push(changes.html, ratios.html);
  h.push('<h2 id="kernel-capabilities">Kernel capabilities</h2>');
  h.push(`<p class="meta">${esc(meta)}. ${esc(LEGEND)}</p>`);
  if (emulatedNote) h.push(`<p class="lede"><strong>Emulated.</strong> ${esc(emulatedNote)}</p>`);
  h.push(`<details><summary>All ${rows.length} probe items (${differing.length} differ, highlighted; hover a cell for the probe's reason)</summary>`);
  h.push('<div class="table-wrap" style="overflow-x:auto;max-width:100%"><table class="matrix"><thead><tr><th>section</th><th>item</th>' + heads.map((x) => `<th>${esc(x)}</th>`).join('') + '</tr></thead><tbody>');
  for (const r of rows) {
    h.push(`<tr${r.differs ? ' style="background:#fff4d6;font-weight:600"' : ''}><td>${esc(r.section)}</td><td>${esc(r.item)}</td>${r.cells.map((c) => `<td title="${esc(c?.detail ?? '')}">${esc(c?.text ?? '–')}</td>`).join('')}</tr>`);
  }
  h.push('</tbody></table></div></details>');
  h.push('<h2 id="kernel-runs">Kernel runs</h2>');
  h.push('<div class="table-wrap" style="overflow-x:auto;max-width:100%"><table><thead><tr>' + runHead.map((x) => `<th>${x}</th>`).join('') + '</tr></thead><tbody>');
  for (const r of runRows) h.push(`<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  h.push('</tbody></table></div>');
  if (retriedNote) h.push(`<p class="table-note">${esc(retriedNote)}</p>`);
  h.push(`<p class="table-note">Per round: boot = QEMU start to the guest command; probe and suite inside the guest; wall = the whole boot, node's start-up and power-off included. Per-kernel files: ${m.kernels.map((k) => `<a href="${esc(k.dir)}/">${esc(k.dir)}</a>`).join(', ')} (probe.json, results.json, guest.json, guest/console.log).</p>`);

  // Markdown
  const md: string[] = [];
  md.push(changes.md, ratios.md);
  md.push('## Kernel capabilities', '');
  md.push(`${meta}. ${LEGEND}`, '');
  if (emulatedNote) md.push(`**Emulated.** ${emulatedNote}`, '');
  md.push(`All ${rows.length} probe items; the ${differing.length} that differ are in **bold** and marked ◆.`, '');
  md.push(`| section | item | ${heads.map(mdCell).join(' | ')} |`, `| --- | --- | ${heads.map(() => '---').join(' | ')} |`);
  for (const r of rows) {
    const b = (s: string) => (r.differs ? `**${s}**` : s);
    md.push(`| ${b(mdCell(r.section))} | ${b(mdCell(r.item))}${r.differs ? ' ◆' : ''} | ${r.cells.map((c) => b(mdCell(c?.text ?? '–'))).join(' | ')} |`);
  }
  md.push('', '## Kernel runs', '', `| ${runHead.join(' | ')} |`, `| ${runHead.map(() => '---').join(' | ')} |`);
  for (const r of runRows) md.push(`| ${r.map(mdCell).join(' | ')} |`);
  if (retriedNote) md.push('', retriedNote);
  md.push('', `Per round: boot = QEMU start to the guest command; probe and suite inside the guest; wall = the whole boot, node's start-up and power-off included. Per-kernel files: ${m.kernels.map((k) => `[${k.dir}](${k.dir}/)`).join(', ')}.`);
  return { html: h.join('\n'), md: md.join('\n') };
}

/** The matrix.json of a folder, checked enough to render; throws ResultsInputError naming it. */
export function readMatrixFile(dir: string): MatrixFile {
  const file = join(dir, 'matrix.json');
  const m = readJsonIfUsable(file) as MatrixFile | undefined;
  if (!m || m.schema !== MATRIX_SCHEMA || !Array.isArray(m.kernels)) throw new ResultsInputError(`${file}: not a ringbench kernel matrix (schema ${MATRIX_SCHEMA})`);
  for (const k of m.kernels) {
    if (typeof k.dir !== 'string' || isAbsolute(k.dir) || k.dir.split(/[\\/]/).includes('..')) throw new ResultsInputError(`${file}: kernel ${String(k.id)} has a folder outside the matrix (${String(k.dir)})`);
  }
  return m;
}

/** Writes report.html and report.md into the matrix folder; returns their paths. With `output`
 *  (an OutputDir of the folder) the caller's lock is used, else the folder is opened here. */
export async function writeMatrixReport(out: string, m: MatrixFile, log: (l: string) => void, output?: OutputDir): Promise<{ html: string; md: string }> {
  const probes = m.kernels.map((k) => readJsonIfUsable(join(out, k.dir, 'probe.json')));
  const results = m.kernels.map((k) => loadResultsIfUsable(join(out, k.dir)));
  const sections = matrixSections(m, probes, results);
  const withResults = m.kernels.map((k, i) => (results[i] ? join(out, k.dir) : undefined)).filter((d): d is string => !!d);
  // Emulated and native rates never share an axis: with both, the charts cover the native kernels.
  const native = withResults.filter((d) => !m.kernels.find((k) => join(out, k.dir) === d)?.emulated);
  const charted = native.length && native.length < withResults.length ? native : withResults;
  const dir = output ?? OutputDir.open(out, { flag: 'matrix', mode: 'report', lock: true });
  try {
    return await writeLeadReport(dir, charted, {
      title: `Kernel matrix: BPF ring buffer vs perf buffer on ${m.kernels.length} kernels`,
      html: sections.html,
      md: sections.md,
      toc: [['what-changed', 'What changed'], ['ratios', 'ringbuf ÷ perfbuf'], ['kernel-capabilities', 'Kernel capabilities'], ['kernel-runs', 'Kernel runs']],
    }, log);
  } finally {
    if (!output) dir.release();
  }
}
