/**
 * report/changes — "what changed across columns": the one table a kernel matrix (columns are
 * kernels) and a fleet (columns are hosts) lead with. From each column's probe report and its facts
 * (kernel, CPU model, CPU count, memory) it keeps only the items that differ, sorts each into a
 * kernel change, an environment difference (privileges, lockdown, sysctls: the host's setting, not
 * the kernel) or a machine difference, and gives each a one-line meaning; known noise (BTF size,
 * version strings) is named once and left out. Beside it: a table of ringbuf/perfbuf ratios per
 * column, where a column with one run per transport is "not judged".
 *
 * Pure functions over saved data: matrix/matrix-report.ts and fleet/fleet-report.ts render them.
 */
import type { Aggregate, ResultsFile } from '../results/schema.js';
import { esc } from './document.js';

/** One column: a kernel of a matrix, or a host of a fleet. */
export interface ChangeColumn {
  name: string;
  /** the probe's report (ringbench/probe@1), when one was saved */
  probe?: unknown;
  /** facts beside the probe, in display order (hosts: kernel, CPU model, CPU count, memory) */
  facts?: ColumnFact[];
  /** rates here are emulated (QEMU TCG): never shown on an axis with native ones */
  emulated?: boolean;
  results?: ResultsFile;
}

export interface ColumnFact {
  key: string;
  label: string;
  value: string | undefined;
  kind: ChangeKind;
  meaning: string;
}

/** kernel: the kernel itself; environment: how the host is set up; machine: the hardware. */
export type ChangeKind = 'kernel' | 'environment' | 'machine';

export interface Change {
  key: string;
  label: string;
  kind: ChangeKind;
  /** per column: the value shown, undefined when the column has no such item */
  values: (string | undefined)[];
  /** one line: what the difference means for the results */
  meaning: string;
}

export interface ChangeSummary {
  changes: Change[];
  /** items compared in all */
  compared: number;
  /** differing items left out as noise, with why (one entry per item) */
  noise: string[];
}

interface Cell {
  text: string;
  detail: string;
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
  const verdict = (probe as { verdict?: { canRun: boolean; reasons: string[] } } | undefined)?.verdict;
  if (verdict) cells.set('verdict.canRun', { text: verdict.canRun ? '✓' : '✗', detail: verdict.reasons.join('; ') || 'can run' });
  return cells;
}

/** Probe items that differ for reasons other than the kernel's or the host's behaviour. */
const NOISE: [RegExp, string][] = [
  [/^btfInfo\.sizeBytes$/, 'vmlinux BTF size: differs with every kernel build and config, says nothing about the ring buffer'],
  [/^btfInfo\.ringbufLock$/, 'the ring buffer lock capability: shown as its type instead'],
  [/^kernel\./, 'kernel release and arch: the column heads already name them'],
  [/^native$/, "the addon's count of probed items"],
];

/** Items that belong to the host's set-up, not to the kernel. */
const ENVIRONMENT = /^(privileges\.|bpfStats|jit\.|attach\.tracefs|libbpf\.|cpuCount$|verdict\.)/;
/** A refusal that a lockdown or LSM policy (or missing privileges) explains, not the kernel. */
const POLICY_REFUSAL = /lockdown|LSM|EPERM|not permitted|CAP_/i;

const KNOWN_MEANING: [RegExp, string][] = [
  [/^btfInfo\.ringbufLockType$/, "struct bpf_ringbuf's lock: rqspinlock_t (Linux 6.18+) lets a reserve that cannot take the lock in time fail, counted as a drop, where raw_spinlock_t spins"],
  [/^ringbufOverwrite$/, 'BPF_F_RB_OVERWRITE (Linux 6.19+): a ring buffer that overwrites its oldest records instead of refusing new ones'],
  [/^mapTypes\.ringbuf$/, 'BPF_MAP_TYPE_RINGBUF (Linux 5.8+): without it only perfbuf can run'],
  [/^mapTypes\.userRingbuf$/, 'BPF_MAP_TYPE_USER_RINGBUF (Linux 6.1+): user space to BPF; not used by the measurements'],
  [/Dynptr$/, 'dynptr ring buffer helpers (Linux 6.1+); not used by the measurements'],
  [/^attach\.fentry$/, 'fentry: the saturation load\'s preferred trigger; without it the load attaches to tp_btf/sys_enter, so ceilings are not like for like'],
  [/^attach\.btfTracepoint$|^progTypes\.tracing$|^btf$/, 'tp_btf needs vmlinux BTF; without it the storm attaches through raw_tp or tracefs'],
  [/^privileges\./, 'privileges of the user that ran it, not the kernel'],
  [/^bpfStats/, 'BPF run-time statistics: without them BPF CPU per event is not measured'],
  [/^jit\./, 'the BPF JIT sysctl (net.core.bpf_jit_enable): interpreted programs cost far more per event'],
  [/^libbpf\./, 'the libbpf ringbench was built against on that host'],
  [/^cpuCount$/, 'CPUs online: perfbuf allocates one buffer per CPU'],
  [/^verdict\.canRun$/, 'whether ringbench could run at all'],
];

const LABELS: Record<string, string> = {
  'btfInfo.ringbufLockType': 'ring buffer lock',
  ringbufOverwrite: 'ring buffer overwrite mode',
  'attach.fentry': 'fentry attachment',
  'verdict.canRun': 'can run',
};

/** "6.1-cloud, 6.12-rt: ✓; host: ✗" */
export function valuesByColumn(names: readonly string[], values: readonly (string | undefined)[]): string {
  const groups = new Map<string, string[]>();
  values.forEach((v, i) => {
    const key = v ?? '–';
    groups.set(key, [...(groups.get(key) ?? []), names[i]]);
  });
  return [...groups].map(([v, who]) => `${who.join(', ')}: ${v}`).join('; ');
}

/**
 * The items that differ between the columns (facts first, then probe items), each sorted into a
 * kind and given a meaning. An item is compared only where at least two columns have it.
 */
export function whatChanged(cols: readonly ChangeColumn[]): ChangeSummary {
  const changes: Change[] = [];
  const noise: string[] = [];
  let compared = 0;
  const factKeys: string[] = [];
  for (const c of cols) for (const f of c.facts ?? []) if (!factKeys.includes(f.key)) factKeys.push(f.key);
  for (const key of factKeys) {
    const facts = cols.map((c) => c.facts?.find((f) => f.key === key));
    const first = facts.find((f) => f)!;
    const values = facts.map((f) => f?.value);
    compared++;
    if (new Set(values.filter((v) => v !== undefined)).size > 1) changes.push({ key, label: first.label, kind: first.kind, values, meaning: first.meaning });
  }
  const flat = cols.map((c) => (c.probe ? flattenProbe(c.probe) : undefined));
  const keys: string[] = [];
  for (const f of flat) for (const k of f?.keys() ?? []) if (!keys.includes(k)) keys.push(k);
  for (const key of keys) {
    // facts already carry what the host knows about these
    if (factKeys.includes('cpuCount') && key === 'cpuCount') continue;
    const cells = flat.map((f) => f?.get(key));
    const present = cells.filter((c): c is Cell => !!c);
    if (present.length < 2) continue;
    compared++;
    if (new Set(present.map((c) => c.text)).size < 2) continue;
    const noisy = NOISE.find(([re]) => re.test(key));
    if (noisy) {
      noise.push(`${key} (${noisy[1]})`);
      continue;
    }
    const refused = present.filter((c) => c.text === '✗');
    const policy = refused.length > 0 && refused.every((c) => POLICY_REFUSAL.test(c.detail));
    const kind: ChangeKind = ENVIRONMENT.test(key) || policy ? 'environment' : 'kernel';
    const known = KNOWN_MEANING.find(([re]) => re.test(key))?.[1];
    let meaning = known ?? (refused.length ? 'available on some columns only' : 'differs');
    if (policy && !ENVIRONMENT.test(key)) {
      meaning = `refused by a policy of the host (lockdown, LSM or privileges), not by the kernel version: ${refused[0].detail}${known ? `. ${known}` : ''}`;
    } else if (refused.length && !known) {
      meaning = `missing where ✗: ${refused[0].detail}`;
    }
    changes.push({ key, label: LABELS[key] ?? key, kind, values: cells.map((c) => c?.text), meaning });
  }
  return { changes, compared, noise };
}

export const KIND_TITLE: Record<ChangeKind, string> = {
  kernel: 'Kernel changes',
  environment: 'Environment (the host\'s set-up, not the kernel)',
  machine: 'Machine',
};

/** ringbuf ÷ perfbuf of one metric in one scenario pair of one column. */
export interface RatioCell {
  ratio: number;
  /** smaller repeat count of the two sides */
  n: number;
  /** 'not judged' when a side has one run; else whether the 95% intervals overlap */
  judgement: 'not judged' | 'overlap' | 'ringbuf higher' | 'perfbuf higher';
}

export interface RatioRow {
  /** "<group>/<label>" */
  scenario: string;
  metric: string;
  title: string;
  cells: (RatioCell | undefined)[];
}

/** The metrics a ratio row is drawn for: rate, tail latency, consumer CPU. */
export const RATIO_METRICS: { name: string; title: string }[] = [
  { name: 'rates.deliveredPerSec', title: 'delivered/s' },
  { name: 'latencyNs.p99', title: 'p99 latency' },
  { name: 'cpu.consumerNsPerEvent', title: 'consumer CPU/event' },
];

function ratioCell(r: Aggregate | undefined, p: Aggregate | undefined): RatioCell | undefined {
  if (!r || !p || !(p.mean > 0) || !Number.isFinite(r.mean)) return undefined;
  const n = Math.min(r.n, p.n);
  let judgement: RatioCell['judgement'];
  if (n < 2) judgement = 'not judged';
  else if (r.ci95[0] > p.ci95[1]) judgement = 'ringbuf higher';
  else if (p.ci95[0] > r.ci95[1]) judgement = 'perfbuf higher';
  else judgement = 'overlap';
  return { ratio: r.mean / p.mean, n, judgement };
}

/** Rows of ringbuf/perfbuf ratios: every scenario both transports ran, in first-seen order. */
export function ratioRows(cols: readonly ChangeColumn[]): RatioRow[] {
  const pairKey = (id: string) => id.replace(/\/(ringbuf|perfbuf)$/, '');
  const scenarios: string[] = [];
  for (const c of cols) {
    for (const s of c.results?.scenarios ?? []) {
      const k = pairKey(s.id);
      if (s.transport === 'ringbuf' && c.results!.scenarios.some((o) => o.transport === 'perfbuf' && pairKey(o.id) === k) && !scenarios.includes(k)) scenarios.push(k);
    }
  }
  const rows: RatioRow[] = [];
  for (const scenario of scenarios) {
    for (const m of RATIO_METRICS) {
      const cells = cols.map((c) => {
        const find = (t: string) => c.results?.scenarios.find((s) => s.transport === t && pairKey(s.id) === scenario)?.aggregates[m.name];
        return ratioCell(find('ringbuf'), find('perfbuf'));
      });
      if (cells.some((c) => c)) rows.push({ scenario, metric: m.name, title: m.title, cells });
    }
  }
  return rows;
}

/** "3.1×", "0.52×": two or three significant digits. */
export function fmtRatio(x: number): string {
  return `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2)}×`;
}

/** A ratio cell's text: the ratio and a mark for how far it can be read. */
export function ratioText(c: RatioCell | undefined): string {
  if (!c) return '–';
  const mark = c.judgement === 'not judged' ? ' ¹' : c.judgement === 'overlap' ? ' ~' : '';
  return `${fmtRatio(c.ratio)}${mark}`;
}

export const RATIO_LEGEND =
  'ringbuf ÷ perfbuf of the mean, per column. ¹ one run per transport: not judged (a single run has no interval). ~ the 95% intervals overlap. No mark: the intervals are apart.';

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The "What changed" section: HTML and Markdown, `noun` naming the columns ("kernels", "hosts"). */
export function renderChanges(summary: ChangeSummary, names: readonly string[], noun: string, id = 'what-changed'): { html: string; md: string } {
  const h: string[] = [`<section id="${id}"><h2>What changed</h2>`];
  const md: string[] = ['## What changed', ''];
  const lead = summary.changes.length
    ? `${summary.changes.length} of ${summary.compared} items differ between the ${names.length} ${noun}; only those are listed, each with what it means.`
    : `Nothing differs between the ${names.length} ${noun} in the ${summary.compared} items compared.`;
  h.push(`<p>${esc(lead)}</p>`);
  md.push(lead, '');
  for (const kind of ['kernel', 'environment', 'machine'] as const) {
    const of = summary.changes.filter((c) => c.kind === kind);
    if (!of.length) continue;
    h.push(`<h3>${esc(KIND_TITLE[kind])}</h3><ul class="changes">`);
    md.push(`### ${KIND_TITLE[kind]}`, '');
    for (const c of of) {
      const vals = valuesByColumn(names, c.values);
      h.push(`<li><strong>${esc(c.label)}</strong> — ${esc(vals)}. <span class="meaning">${esc(c.meaning)}.</span></li>`);
      md.push(`- **${c.label}** — ${vals}. ${c.meaning}.`);
    }
    h.push('</ul>');
    md.push('');
  }
  if (summary.noise.length) {
    const line = `Also different, left out as noise: ${summary.noise.join('; ')}.`;
    h.push(`<p class="table-note">${esc(line)}</p>`);
    md.push(line, '');
  }
  h.push('</section>');
  return { html: h.join('\n'), md: md.join('\n') };
}

/**
 * The ratio table(s): native columns in one table, emulated ones in another (their rates are not
 * the kernel's, so they never share a table or an axis with native ones).
 */
export function renderRatios(cols: readonly ChangeColumn[], noun: string, id = 'ratios'): { html: string; md: string } {
  const h: string[] = [`<section id="${id}"><h2>ringbuf ÷ perfbuf by ${noun.replace(/s$/, '')}</h2>`];
  const md: string[] = [`## ringbuf ÷ perfbuf by ${noun.replace(/s$/, '')}`, ''];
  const parts = [
    { title: '', cols: cols.filter((c) => !c.emulated) },
    { title: 'Emulated (QEMU TCG): rates slowed unevenly by emulation; read each column alone, never against the native ones', cols: cols.filter((c) => c.emulated) },
  ].filter((p) => p.cols.length);
  let any = false;
  for (const part of parts) {
    const rows = ratioRows(part.cols);
    if (!rows.length) continue;
    any = true;
    const heads = part.cols.map((c) => `${c.name}${c.emulated ? ' *' : ''}`);
    if (part.title) {
      h.push(`<h3>${esc(part.title)}</h3>`);
      md.push(`### ${part.title}`, '');
    }
    h.push('<div class="table-scroll" style="overflow-x:auto;max-width:100%"><table class="ratios"><thead><tr><th>scenario</th><th>metric</th>' + heads.map((x) => `<th>${esc(x)}</th>`).join('') + '</tr></thead><tbody>');
    md.push(`| scenario | metric | ${heads.map(mdCell).join(' | ')} |`, `| --- | --- | ${heads.map(() => '---:').join(' | ')} |`);
    for (const r of rows) {
      h.push(`<tr><td>${esc(r.scenario)}</td><td>${esc(r.title)}</td>${r.cells.map((c) => `<td title="${esc(c ? `${c.judgement}, n=${c.n}` : 'not run')}">${esc(ratioText(c))}</td>`).join('')}</tr>`);
      md.push(`| ${mdCell(r.scenario)} | ${r.title} | ${r.cells.map((c) => ratioText(c)).join(' | ')} |`);
    }
    h.push('</tbody></table></div>');
    md.push('');
  }
  const legend = any ? RATIO_LEGEND + (cols.some((c) => c.emulated) ? ' * emulated.' : '') : `No ${noun.replace(/s$/, '')} ran both transports: no ratios.`;
  h.push(`<p class="table-note">${esc(legend)}</p></section>`);
  md.push(legend, '');
  return { html: h.join('\n'), md: md.join('\n') };
}
