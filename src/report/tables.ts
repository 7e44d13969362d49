/**
 * report/tables — a group's results table (one row per scenario and transport, the group's
 * metrics as columns, × result set), and what every results table shares: the noise mark and the
 * footnote words for it and for the set tags.
 */
import { groupTableOf, metricAggregate, recordsOf, wakeupVariant } from '../analysis/groups.js';
import { fmtAggregate, metricFormat } from '../format/units.js';
import { NOISE_CHECKED_METRICS, NOISY_REL_CI } from '../results/metrics.js';
import type { Aggregate, ResultSet, ScenarioRecord } from '../results/schema.js';
import type { Inline, TableSpec, Text } from './document.js';

/** Wider than ±10% of the mean: worth a mark next to the number. Outliers alone are not. */
export function isWide(a: Aggregate | undefined): boolean {
  return !!a && a.n > 1 && a.relCi > NOISY_REL_CI;
}

/** A noise-checked metric (the catalogue says which: ratios near zero always have wide relative CIs) with a wide interval. */
export function isNoisy(metric: string, r: ScenarioRecord): boolean {
  return NOISE_CHECKED_METRICS.includes(metric) && isWide(metricAggregate(r, metric));
}

/** Footnote for the † a noisy cell carries. */
export const NOISY_NOTE = ` † noisy: interval wider than ±${NOISY_REL_CI * 100}% of the mean.`;

/** "A = host · kernel, B = …": what the set tags in narrow headers stand for. */
export function setTags(sets: readonly ResultSet[]): string {
  return sets.map((s) => `${s.tag} = ${s.label}`).join(', ');
}

/** "5 repeats", or "5–18 repeats (per scenario)" when precision rounds repeated some more. */
export function repeatsWords(ns: readonly number[]): string {
  const counted = ns.filter((n) => n > 0);
  const lo = Math.min(...counted);
  const hi = Math.max(0, ...counted);
  if (!counted.length || lo === hi) return `${hi} repeat${hi === 1 ? '' : 's'}`;
  return `${lo}–${hi} repeats per scenario (precision rounds)`;
}

function rowKey(r: ScenarioRecord): string {
  return `${r.label}\u0000${r.transport}${r.group === 'wakeup' ? `\u0000${wakeupVariant(r)}` : ''}`;
}

/** A group's table: one row per scenario and transport, metric columns (× result set). */
export function groupTable(sets: readonly ResultSet[], group: string, only?: readonly string[]): TableSpec {
  const layout = groupTableOf(group);
  const metrics = only ? [...only] : layout.metrics;
  const rowsByKey = new Map<string, { x: number; label: string; transport: string; recs: (ScenarioRecord | undefined)[] }>();
  sets.forEach((set, si) => {
    for (const r of recordsOf(set, group)) {
      const key = rowKey(r);
      if (!rowsByKey.has(key)) rowsByKey.set(key, { x: r.x?.value ?? 0, label: r.label, transport: r.transport, recs: sets.map(() => undefined) });
      rowsByKey.get(key)!.recs[si] ??= r;
    }
  });
  const byTransport = (a: { transport: string }, b: { transport: string }) => (a.transport === b.transport ? 0 : a.transport === 'ringbuf' ? -1 : 1);
  const ordered = [...rowsByKey.values()].sort((a, b) =>
    layout.transportFirst
      ? byTransport(a, b) || a.x - b.x || (a.label < b.label ? -1 : 1)
      : a.x - b.x || (a.transport === b.transport ? (a.label < b.label ? -1 : 1) : byTransport(a, b)),
  );
  let noisy = false;
  const rows: Text[][] = ordered.map((o) => {
    const cells: Text[] = layout.transportFirst ? [o.transport, o.label] : [o.label, o.transport];
    for (const m of metrics) {
      for (const r of o.recs) {
        if (!r) {
          cells.push('—');
          continue;
        }
        const flag = isNoisy(m, r);
        noisy ||= flag;
        cells.push(fmtAggregate(m, metricAggregate(r, m)) + (flag ? ' †' : ''));
      }
    }
    return cells;
  });
  const multi = sets.length > 1;
  const rowTitle = layout.rowTitle ?? 'scenario';
  const head = layout.transportFirst ? ['transport', rowTitle] : [rowTitle, 'transport'];
  const numeric = [false, false];
  const title = (m: string) => layout.titles?.[m] ?? metricFormat(m).title;
  for (const m of metrics) {
    for (const s of sets) {
      head.push(multi ? s.tag : title(m));
      numeric.push(true);
    }
  }
  const spans = multi ? [{ text: '', span: 2 }, ...metrics.map((m) => ({ text: title(m), span: sets.length }))] : undefined;
  const ns = sets.flatMap((s) => recordsOf(s, group).map((r) => metricAggregate(r, metrics[0])?.n ?? 0));
  const foot: Inline[] = [`Mean ± half-width of the 95% confidence interval over ${repeatsWords(ns)}.`];
  if (multi) foot.push(` Columns ${setTags(sets)}.`);
  if (noisy) foot.push(NOISY_NOTE);
  return { spans, head, numeric, rows, groupFirst: 1, footnote: foot, wide: head.length > 6 };
}
