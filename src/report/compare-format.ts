/**
 * report/compare-format — a Comparison rendered for people: a terminal table (text), a
 * pull-request comment (md), stable JSON, and the markdown/HTML sections the report embeds. Every
 * format shares the same rows: judged metrics, regressions first (largest first), then improvements,
 * the rest in scenario order; informational metrics only when they moved beyond the threshold.
 */
import { alignColumns, columnWidths } from '../format/table.js';
import { fmtChange, fmtCompact, signed } from '../format/units.js';
import type { ChangeVerdict, Comparison, MetricComparison, RunSummary } from '../analysis/compare-types.js';
import { metricSpec } from '../results/metrics.js';


interface Row {
  scenario: string;
  metric: MetricComparison;
}

const SEVERITY: Record<ChangeVerdict, number> = { regressed: 0, improved: 1, 'within noise': 2, 'no change': 3 };

/** Regressions first (largest first), then improvements; the rest keep scenario order. */
function sortedRows(c: Comparison, judged: boolean): Row[] {
  const rows = c.scenarios.flatMap((s) =>
    s.metrics.filter((m) => m.judged === judged).map((metric) => ({ scenario: s.id, metric })),
  );
  const size = (m: MetricComparison) => (m.change === null ? Infinity : Math.abs(m.change));
  return rows.sort((a, b) => {
    const bySeverity = SEVERITY[a.metric.verdict] - SEVERITY[b.metric.verdict];
    if (bySeverity !== 0 || SEVERITY[a.metric.verdict] > 1) return bySeverity;
    return size(b.metric) - size(a.metric);
  });
}

const COLUMNS = ['verdict', 'scenario', 'metric', 'base', 'candidate', 'change', '95% CI'] as const;

function rowCells(r: Row): string[] {
  const m = r.metric;
  const value = (v: number) => fmtCompact(v, m.unit);
  let change: string;
  let interval: string;
  if (m.change !== null) {
    change = fmtChange(m.change);
    interval = m.changeCi95 ? `[${fmtChange(m.changeCi95[0])}, ${fmtChange(m.changeCi95[1])}]` : 'n/a';
  } else {
    change = m.diff === 0 ? '0' : `from 0 (${signed(value(m.diff), m.diff)})`;
    interval = m.diffCi95
      ? `[${signed(value(m.diffCi95[0]), m.diffCi95[0])}, ${signed(value(m.diffCi95[1]), m.diffCi95[1])}]`
      : 'n/a';
  }
  return [m.verdict, r.scenario, m.metric, value(m.base.mean), value(m.candidate.mean), change, interval];
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2 regressions, 1 improvement, 40 unchanged (threshold 5%)" */
function summaryLine(c: Comparison): string {
  const s = c.summary;
  return (
    `${plural(s.regressed, 'regression', 'regressions')}, ${plural(s.improved, 'improvement', 'improvements')}, ` +
    `${s.noChange + s.withinNoise} unchanged (threshold ${c.thresholdPct}%; ${c.basis.kind === 'within-run' ? 'within-run noise only' : c.basis.kind === 'noise' ? 'against recorded run-to-run noise' : c.basis.kind === 'runs' ? 'runs as units' : 'paired'})`
  );
}

/** "bare storm −2.1% [−4.0%, −0.2%] (within noise)" per control metric. */
function controlLine(c: Comparison): string | undefined {
  if (!c.control.length) return undefined;
  return c.control
    .map(({ metric, comparison: m, moved }) => {
      const title = metricSpec(metric)?.title ?? metric;
      const ci = m.changeCi95 ? ` [${fmtChange(m.changeCi95[0])}, ${fmtChange(m.changeCi95[1])}]` : '';
      return `${title} ${m.change === null ? 'n/a' : fmtChange(m.change)}${ci} (${moved ? 'moved beyond its noise' : m.verdict})`;
    })
    .join('; ');
}

/** Said instead of blaming the transport when the control moved beyond its noise. */
const MACHINE_CHANGED =
  'the machine changed: its control (no BPF attached) moved beyond its noise, so raw rates, latency and CPU per event ' +
  'moved with it and are not the transport\'s doing; the rates normalised to the control (normalised.*) say whether the ' +
  'transport moved beyond the machine: rerun on a quiet machine, or use ringbench ab';

/** The lines every format opens with after the summary: basis, control, machine. */
function basisLines(c: Comparison): string[] {
  const control = controlLine(c);
  return [
    `noise basis: ${c.basis.text}`,
    ...(control ? [`control (the machine, no BPF): ${control}`] : []),
    ...(c.machineChanged ? [MACHINE_CHANGED] : []),
  ];
}

function runLine(r: RunSummary): string {
  return `${r.source} (suite ${r.suite}, started ${r.startedAt}${r.complete === false ? ', incomplete' : ''})`;
}

function environmentLine(c: Comparison, quote: (s: string) => string): string {
  if (!c.environmentDiffs.length) {
    const e = c.base.environment;
    return `same environment: kernel ${quote(String(e.kernel))}, ${e.cpuModel} × ${e.cpuCount}, host ${e.hostname}`;
  }
  return (
    'environment differs: ' +
    c.environmentDiffs.map((d) => `${d.field} ${quote(d.base)} → ${quote(d.candidate)}`).join('; ')
  );
}

// ---------------------------------------------------------------------------------------------
// Formats

/** Render a comparison; `color` adds ANSI colour to the text format (use only on a TTY). */
export function formatComparison(
  c: Comparison,
  format: 'text' | 'md' | 'json',
  opts: { color?: boolean } = {},
): string {
  if (format === 'json') return JSON.stringify(c, null, 2) + '\n';
  if (format === 'md') return comparisonMarkdown(c);
  return comparisonText(c, opts.color === true);
}

const ANSI: Record<ChangeVerdict, string> = {
  regressed: '\x1b[1;31m',
  improved: '\x1b[32m',
  'within noise': '\x1b[33m',
  'no change': '\x1b[2m',
};

function comparisonText(c: Comparison, color: boolean): string {
  const paint = (v: ChangeVerdict, s: string) => (color ? `${ANSI[v]}${s}\x1b[0m` : s);
  const lines = [
    `ringbench compare: ${summaryLine(c)}`,
    `  base:      ${runLine(c.base)}`,
    `  candidate: ${runLine(c.candidate)}`,
    `  ${environmentLine(c, (s) => s)}`,
    ...basisLines(c).map((l) => `  ${l}`),
    '',
  ];
  const table = (rows: Row[]) => {
    const cells = [COLUMNS.map((h) => h.toUpperCase()), ...rows.map(rowCells)];
    const [verdictWidth] = columnWidths(cells);
    const [header, ...body] = alignColumns(cells);
    lines.push(header);
    // Colour only the verdict word, after padding, so the columns stay aligned.
    body.forEach((text, i) => lines.push(paint(rows[i].metric.verdict, text.slice(0, verdictWidth)) + text.slice(verdictWidth)));
  };
  table(sortedRows(c, true));
  const flaggedInfo = sortedRows(c, false).filter((r) => SEVERITY[r.metric.verdict] <= 1);
  if (flaggedInfo.length) {
    lines.push('', 'Informational metrics beyond the threshold (not judged):');
    table(flaggedInfo);
  }
  if (c.warnings.length) {
    lines.push('', 'Warnings:', ...c.warnings.map((w) => `  - ${w}`));
  }
  return lines.join('\n') + '\n';
}

const MD_VERDICT: Record<ChangeVerdict, string> = {
  regressed: '🔴 regressed',
  improved: '🟢 improved',
  'within noise': '⚪ within noise',
  'no change': 'no change',
};
// A GitHub comment holds 65,536 characters; the unchanged table is cut well before that.
const MD_MAX_UNCHANGED_ROWS = 300;

function comparisonMarkdown(c: Comparison): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  const table = (rows: Row[]) => [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((_, i) => (i >= 3 ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((r) => {
      const cells = rowCells(r).map(esc);
      cells[0] = MD_VERDICT[r.metric.verdict];
      return `| ${cells.join(' | ')} |`;
    }),
  ];
  const judged = sortedRows(c, true);
  const flagged = judged.filter((r) => SEVERITY[r.metric.verdict] <= 1);
  const unchanged = judged.filter((r) => SEVERITY[r.metric.verdict] > 1);
  const lines = [
    `**ringbench compare:** ${summaryLine(c)}`,
    '',
    `Base ${code(c.base.source)} → candidate ${code(c.candidate.source)}; ${environmentLine(c, code)}.`,
    '',
    ...basisLines(c).flatMap((l) => [esc(l), '']),
  ];
  if (flagged.length) lines.push(...table(flagged), '');
  if (unchanged.length) {
    const shown = unchanged.slice(0, MD_MAX_UNCHANGED_ROWS);
    lines.push(`<details><summary>${unchanged.length} unchanged metrics</summary>`, '', ...table(shown), '');
    if (shown.length < unchanged.length) {
      lines.push(`… ${unchanged.length - shown.length} more rows: see \`--format json\`.`, '');
    }
    lines.push('</details>', '');
  }
  const flaggedInfo = sortedRows(c, false).filter((r) => SEVERITY[r.metric.verdict] <= 1);
  if (flaggedInfo.length) {
    lines.push(
      `<details><summary>${flaggedInfo.length} informational metrics beyond the threshold (not judged)</summary>`,
      '',
      ...table(flaggedInfo),
      '',
      '</details>',
      '',
    );
  }
  if (c.warnings.length) lines.push('**Warnings**', '', ...c.warnings.map((w) => `- ${esc(w)}`), '');
  lines.push(`<sub>${c.method}.</sub>`);
  return lines.join('\n') + '\n';
}

const HTML_STYLE = `
.rb-compare table{border-collapse:collapse;font:13px/1.4 system-ui,sans-serif;margin:.5em 0}
.rb-compare th,.rb-compare td{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left}
.rb-compare td.num{text-align:right;font-variant-numeric:tabular-nums}
.rb-compare .regressed{color:#b00020;font-weight:600}
.rb-compare .improved{color:#1b7f3b;font-weight:600}
.rb-compare .within-noise{color:#8a6d00}
.rb-compare .no-change{color:#777}`;

function comparisonHtml(c: Comparison): string {
  const esc = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const table = (rows: Row[]) => {
    const head = `<tr>${COLUMNS.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
    const body = rows
      .map((r) => {
        const cells = rowCells(r);
        const cls = r.metric.verdict.replace(' ', '-');
        return (
          `<tr><td class="${cls}">${esc(cells[0])}</td>` +
          cells.slice(1).map((cell, i) => `<td${i >= 2 ? ' class="num"' : ''}>${esc(cell)}</td>`).join('') +
          '</tr>'
        );
      })
      .join('\n');
    return `<table><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
  };
  const parts = [
    `<section class="rb-compare">`,
    `<style>${HTML_STYLE}\n</style>`,
    `<p><strong>${esc(summaryLine(c))}</strong></p>`,
    `<p>Base <code>${esc(c.base.source)}</code> → candidate <code>${esc(c.candidate.source)}</code>; ` +
      `${esc(environmentLine(c, (s) => s))}.</p>`,
    ...basisLines(c).map((l) => `<p>${esc(l)}</p>`),
    table(sortedRows(c, true)),
  ];
  const info = sortedRows(c, false);
  if (info.length) {
    parts.push(`<details><summary>Informational metrics (not judged)</summary>${table(info)}</details>`);
  }
  if (c.warnings.length) parts.push(`<ul>${c.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  parts.push(`<p><small>${esc(c.method)}.</small></p>`, `</section>`);
  return parts.join('\n') + '\n';
}

/** Markdown and self-contained HTML (inline style, no external resources) for the report to embed. */
export function comparisonSections(c: Comparison): { markdown: string; html: string } {
  return { markdown: comparisonMarkdown(c), html: comparisonHtml(c) };
}

