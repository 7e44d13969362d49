/**
 * matrix-report — matrix.json's shape, and the report of a kernel matrix: report.html and
 * report.md in the matrix folder, rendered on the host.
 *
 * The report is the ordinary ringbench report over every kernel's results.json (kernels as the
 * series; report.ts), with two sections put in front of its verdict: the capability table (probe
 * items as rows, kernels as columns, rows that differ between kernels highlighted and explained)
 * and the runs (per kernel: package, release, emulated or not, boot/probe/suite times, checks).
 * When no kernel produced results, the report holds those two sections alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { OutputDir } from '../results/outdir.js';
import { join } from 'node:path';
import { writeReport } from '../report/report.js';
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

const isCapability = (v: unknown): v is { available: boolean; reason: string } =>
  typeof v === 'object' && v !== null && typeof (v as { available?: unknown }).available === 'boolean' && typeof (v as { reason?: unknown }).reason === 'string';

/** Every capability ({available, reason}) and informative value of a probe report, by dotted path. */
export function flattenProbe(probe: unknown): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  const walk = (v: unknown, path: string) => {
    if (isCapability(v)) {
      cells.set(path, { text: v.available ? '✓' : '✗', detail: v.reason });
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) if (k !== 'verdict' && k !== 'schema') walk(x, path ? `${path}.${k}` : k);
    } else if (['string', 'number', 'boolean'].includes(typeof v) && !/reason$|meaning$|^kernel\.version$/.test(path)) {
      cells.set(path, { text: String(v), detail: '' });
    }
  };
  walk(probe, '');
  const verdict = (probe as { verdict?: { canRun: boolean; reasons: string[] } }).verdict;
  if (verdict) cells.set('verdict.canRun', { text: verdict.canRun ? '✓' : '✗', detail: verdict.reasons.join('; ') || 'can run' });
  return cells;
}

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

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** Short column heads: the input without linux-image-; * marks an emulated guest, † a KVM one. */
function columnName(k: MatrixKernel): string {
  return `${k.input.replace(/^linux-image-/, '')}${k.emulated ? ' *' : k.accel === 'kvm' ? ' †' : ''}`;
}

const LEGEND = 'Columns: * emulated (QEMU TCG), † QEMU KVM, neither: this machine.';

/** The two matrix sections, as HTML and Markdown. */
export function matrixSections(m: MatrixFile, probes: (unknown | undefined)[]): { html: string; md: string } {
  const rows = capabilityRows(probes);
  const differing = rows.filter((r) => r.differs);
  const heads = m.kernels.map(columnName);
  const emulatedNote = m.emulated
    ? 'Guests ran under QEMU TCG: their results are emulated. Capabilities, accounting and ordering carry over to real hardware; rates, drops, latencies and CPU costs do not (emulation slows producers more than consumers). Compare kernels on rates only with KVM.'
    : '';
  const runRows = m.kernels.map((k) => {
    const b = k.boots;
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
      k.status === 'ok' ? 'ok' : `${k.status}${k.error ? `: ${k.error}` : ''}`,
    ];
  });
  const runHead = ['kernel', 'package', 'release', 'boot', 'probe', 'suite', 'wall', 'checks', 'status'];

  // HTML
  const h: string[] = [];
  h.push('<h2 id="kernel-capabilities">Kernel capabilities</h2>');
  h.push(`<p class="meta">${esc(`suite ${m.suite} · ${m.kernels.length} kernels · ${m.rounds} round${m.rounds === 1 ? '' : 's'} · ${m.accel === 'tcg' ? 'QEMU TCG (emulated)' : 'QEMU KVM'} · host ${m.host.hostname} (${m.host.kernel})`)}</p>`);
  if (emulatedNote) h.push(`<p class="lede"><strong>Emulated.</strong> ${esc(emulatedNote)}</p>`);
  h.push(`<p>${differing.length} of ${rows.length} probe items differ between the kernels; they are highlighted. Hover a cell for the probe's reason. ${LEGEND}</p>`);
  h.push('<div style="overflow-x:auto"><table class="matrix"><thead><tr><th>section</th><th>item</th>' + heads.map((x) => `<th>${esc(x)}</th>`).join('') + '</tr></thead><tbody>');
  for (const r of rows) {
    h.push(`<tr${r.differs ? ' style="background:#fff4d6;font-weight:600"' : ''}><td>${esc(r.section)}</td><td>${esc(r.item)}</td>${r.cells.map((c) => `<td title="${esc(c?.detail ?? '')}">${esc(c?.text ?? '–')}</td>`).join('')}</tr>`);
  }
  h.push('</tbody></table></div>');
  if (differing.length) {
    h.push('<h3 id="capability-differences">Differences, with the probe\'s reasons</h3><ul>');
    for (const r of differing) h.push(`<li><strong>${esc(`${r.section}.${r.item}`)}</strong>: ${r.cells.map((c, i) => `${esc(heads[i])}: ${esc(c?.text ?? '–')}${c?.detail ? ` (${esc(c.detail)})` : ''}`).join('; ')}</li>`);
    h.push('</ul>');
  }
  h.push('<h2 id="kernel-runs">Kernel runs</h2>');
  h.push('<div style="overflow-x:auto"><table><thead><tr>' + runHead.map((x) => `<th>${x}</th>`).join('') + '</tr></thead><tbody>');
  for (const r of runRows) h.push(`<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  h.push('</tbody></table></div>');
  h.push(`<p class="table-note">Per round: boot = QEMU start to the guest command; probe and suite inside the guest; wall = the whole boot, node's start-up and power-off included. Per-kernel files: ${m.kernels.map((k) => `<a href="${esc(k.dir)}/">${esc(k.dir)}</a>`).join(', ')} (probe.json, results.json, guest.json, guest/console.log).</p>`);

  // Markdown
  const md: string[] = [];
  md.push('## Kernel capabilities', '');
  md.push(`suite ${m.suite} · ${m.kernels.length} kernels · ${m.rounds} round${m.rounds === 1 ? '' : 's'} · ${m.accel === 'tcg' ? 'QEMU TCG (emulated)' : 'QEMU KVM'} · host ${m.host.hostname} (${m.host.kernel})`, '');
  if (emulatedNote) md.push(`**Emulated.** ${emulatedNote}`, '');
  md.push(`${differing.length} of ${rows.length} probe items differ between the kernels; they are in **bold** and marked ◆. ${LEGEND}`, '');
  md.push(`| section | item | ${heads.map(mdCell).join(' | ')} |`, `| --- | --- | ${heads.map(() => '---').join(' | ')} |`);
  for (const r of rows) {
    const b = (s: string) => (r.differs ? `**${s}**` : s);
    md.push(`| ${b(mdCell(r.section))} | ${b(mdCell(r.item))}${r.differs ? ' ◆' : ''} | ${r.cells.map((c) => b(mdCell(c?.text ?? '–'))).join(' | ')} |`);
  }
  if (differing.length) {
    md.push('', '### Differences, with the probe\'s reasons', '');
    for (const r of differing) md.push(`- **${r.section}.${r.item}**: ${r.cells.map((c, i) => `${heads[i]}: ${c?.text ?? '–'}${c?.detail ? ` (${c.detail})` : ''}`).join('; ')}`);
  }
  md.push('', '## Kernel runs', '', `| ${runHead.join(' | ')} |`, `| ${runHead.map(() => '---').join(' | ')} |`);
  for (const r of runRows) md.push(`| ${r.map(mdCell).join(' | ')} |`);
  md.push('', `Per round: boot = QEMU start to the guest command; probe and suite inside the guest; wall = the whole boot, node's start-up and power-off included. Per-kernel files: ${m.kernels.map((k) => `[${k.dir}](${k.dir}/)`).join(', ')}.`);
  return { html: h.join('\n'), md: md.join('\n') };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes report.html and report.md into the matrix folder (through results/outdir, like every
 *  writer: never through a planted symlink); returns their paths. */
export async function writeMatrixReport(output: OutputDir, m: MatrixFile, log: (l: string) => void): Promise<{ html: string; md: string }> {
  const out = output.path;
  const probes = m.kernels.map((k) => readJson(join(out, k.dir, 'probe.json')));
  const sections = matrixSections(m, probes);
  const withResults = m.kernels.map((k) => join(out, k.dir)).filter((d) => existsSync(join(d, 'results.json')));
  const html = join(out, 'report.html');
  const md = join(out, 'report.md');
  if (withResults.length) {
    await writeReport(withResults, out, { output, log: (l) => log(l) });
    // Put the matrix sections in front of the verdict, and into the table of contents.
    const page = readFileSync(html, 'utf8');
    const at = page.indexOf('<h2 ');
    const toc = '<a href="#kernel-capabilities">Kernel capabilities</a><a href="#kernel-runs">Kernel runs</a>';
    output.write('report.html', (at > 0 ? `${page.slice(0, at)}${sections.html}\n${page.slice(at)}` : page).replace('<nav class="toc">', `<nav class="toc">${toc}`).replace(/<title>[^<]*<\/title>/, '<title>Kernel matrix: BPF ring buffer vs perf buffer</title>').replace(/<h1>[^<]*<\/h1>/, `<h1>Kernel matrix: BPF ring buffer vs perf buffer on ${m.kernels.length} kernels</h1>`));
    const text = readFileSync(md, 'utf8');
    const mdAt = text.indexOf('\n## ');
    output.write('report.md', (mdAt > 0 ? `${text.slice(0, mdAt)}\n${sections.md}\n${text.slice(mdAt)}` : `${text}\n${sections.md}\n`).replace(/^# .*$/m, '# Kernel matrix: BPF ring buffer vs perf buffer'));
  } else {
    output.write('report.html', `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Kernel matrix</title></head><body><main><h1>Kernel matrix</h1>\n<p>No kernel produced results.</p>\n${sections.html}\n</main></body></html>\n`);
    output.write('report.md', `# Kernel matrix\n\nNo kernel produced results.\n\n${sections.md}\n`);
  }
  return { html, md };
}
