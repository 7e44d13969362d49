/**
 * report/sections/ceilings — the Ceilings section (saturation load): how far past a storm the load
 * goes, how the trigger attached and how many records a call emits, placement, sink cost and how
 * precise the figures are (sections/precision), the raw/delivered/sustainable table with a search
 * step by step, the per-syscall group, drain mode per reader, the wake-up strategies at full rate,
 * then what bounds each figure and the kernel calibration (sections/limits).
 */
import { CEILING_GROUPS, GROUP_TITLES, isSaturation, metricAggregate, readerOf, recordsOf, saturationAttach } from '../../analysis/groups.js';
import { ceilingSetup } from '../../charts/index.js';
import { fmtAggregate, fmtSi, metricFormat } from '../../format/units.js';
import { DROP_RATE } from '../../results/metrics.js';
import { recordsRuleWords, ruleOf } from '../../analysis/search.js';
import type { ResultSet, ScenarioRecord } from '../../results/schema.js';
import type { Block, Inline, TableSpec, Text } from '../document.js';
import type { Figures } from '../figures.js';
import { groupTable, isNoisy, isWide, NOISY_NOTE, repeatsWords, setTags } from '../tables.js';
import { boundsBlocks, calibrationBlocks, placementBlocks, sinkBlocks } from './limits.js';
import { precisionBlocks } from './precision.js';
import { lossBlocks, sustainableCell } from './loss.js';

type SustainableRate = NonNullable<ScenarioRecord['sustainable']>;
type SustainableRecord = SustainableRate;

/** How many times the search backed off because a confirmation run failed: the runs after the
 *  unthrottled one, the bisection and the first confirmation. */
function backOffs(s: SustainableRate): number {
  return Math.max(0, s.steps.length - 2 - bisectionSteps(s));
}

/** "898k ± 40k (5 searches)", "898k (1 search)", with a † when the interval is wider than ±10%. */
function sustainableWords(s: SustainableRecord | undefined): string {
  const a = s?.aggregate;
  if (!s || !a) return '— (not searched)';
  if (!(a.max > 0)) return 'none found (every rate tried dropped)';
  const none = s.perRepeat?.filter((x) => !(x > 0)).length ?? 0;
  const searches = `${a.n} search${a.n === 1 ? '' : 'es'}${none ? `, ${none} found none` : ''}`;
  return `${a.n > 1 ? fmtAggregate('rates.deliveredPerSec', a) : fmtSi(a.mean)} (${searches})${isWide(a) ? ' †' : ''}${a.n === 1 && backOffs(s) ? ' ‡' : ''}`;
}

/** The ceilings group as one table: transport, reader, raw ceiling, delivered, sustainable, drops. */
function ceilingsTable(sets: readonly ResultSet[]): TableSpec | undefined {
  const multi = sets.length > 1;
  const rows: Text[][] = [];
  const ns: number[] = [];
  let noisy = false;
  // Transport, then reader (in the suite's order), then result set: like rows sit together.
  const variants = [...new Set(sets.flatMap((st) => recordsOf(st, 'ceilings').map(variantOf)))];
  for (const t of ['ringbuf', 'perfbuf']) {
    for (const variant of variants) for (const [si, set] of sets.entries()) {
      for (const r of recordsOf(set, 'ceilings').filter((x) => x.transport === t && variantOf(x) === variant)) {
        const sustainable = (x: ScenarioRecord) => {
          const w = sustainableWords(x.sustainable);
          noisy ||= w.includes('†');
          return w;
        };
        const cell = (m: string) => {
          const a = metricAggregate(r, m);
          ns.push(a?.n ?? 0);
          // The raw ceiling is a rate like delivered/s: flag it by the same ±10% rule.
          const flag = m === 'rates.generatedPerSec' ? isWide(a) : isNoisy(m, r);
          noisy ||= flag;
          return fmtAggregate(m, a) + (flag ? ' †' : '');
        };
        rows.push([
          t,
          variant,
          ...(multi ? [sets[si].tag] : []),
          cell('rates.generatedPerSec'),
          cell('rates.deliveredPerSec'),
          !r.sustainable && r.lossCurve ? `${sustainableCell(r.lossCurve)} ¶` : sustainable(r),
          cell(DROP_RATE),
        ]);
      }
    }
  }
  if (!rows.length) return undefined;
  // "reader" when each variant is a reader (the label names it), else "variant" (default/sampled …).
  const first = sets.every((st) => recordsOf(st, 'ceilings').every((r) => r.label === readerOf(r))) ? 'reader' : 'variant';
  const rule = recordsRuleWords(sets.flatMap((st) => recordsOf(st, 'ceilings')));
  const head = ['transport', first, ...(multi ? ['set'] : []), 'raw ceiling', metricFormat('rates.deliveredPerSec').title, 'sustainable rate', metricFormat(DROP_RATE).title];
  const foot: Inline[] = [
    `Events/s, mean ± 95% CI over ${repeatsWords(ns)}; the first three columns unthrottled. ${rows.every((r) => String(r[r.length - 2]).endsWith('¶')) ? 'Sustainable: from the loss curve, by its rule (below).' : `Sustainable: the highest cap at which a run ${rule}, confirmed.`}`,
  ];
  if (rows.some((r) => String(r[r.length - 2]).endsWith('¶')) && !rows.every((r) => String(r[r.length - 2]).endsWith('¶'))) foot.push(' ¶ from the loss curve, by its rule (below).');
  if (rows.some((r) => String(r[r.length - 2]).endsWith('‡'))) foot.push(' ‡ backed off after a failed confirmation.');
  if (multi) foot.push(` Sets: ${setTags(sets)}.`);
  if (noisy) foot.push(NOISY_NOTE);
  return { head, numeric: head.map((h) => !['set', 'transport', first].includes(h)), rows, groupFirst: 1, footnote: foot, wide: Math.max(...rows.map((r) => String(r[r.length - 2]).length)) > 32 };
}

/** "default, libbpf reader" — the suite's label, and the reader when the label does not name it. */
function variantOf(r: ScenarioRecord): string {
  const reader = readerOf(r);
  return r.label === reader ? reader : `${r.label}, ${reader} reader`;
}

/** The bisection runs of a search, replayed: after the unthrottled run, each run whose cap is the
 *  midpoint of the bracket so far (the confirmation and back-offs are not). */
function bisectionSteps(s: SustainableRate): number {
  const carried = ruleOf(s);
  if (!s.steps[0] || carried(s.steps[0])) return 0;
  let lo = 0;
  let hi = s.ceilingPerSec;
  let n = 0;
  for (const step of s.steps.slice(1)) {
    const mid = Math.round((lo + hi) / 2);
    if (step.rateCap !== mid) break;
    n++;
    if (carried(step)) lo = mid;
    else hi = mid;
  }
  return n;
}

/** How the sustainable rate was searched, in two sentences, from the records' own searches. */
function searchWords(recs: readonly ScenarioRecord[]): string {
  const searched = recs.filter((r) => r.sustainable?.steps?.length);
  if (!searched.length) return '';
  const bisect = Math.max(0, ...searched.map((r) => bisectionSteps(r.sustainable!)));
  const rule = recordsRuleWords(recs);
  const fewer = searched.filter((r) => (r.sustainable!.perRepeat?.length ?? 0) < (r.repeats['wallNs']?.length ?? 0)).length;
  const seconds = [...new Set(searched.map((r) => r.sustainable!.trialSeconds).filter((x) => x !== undefined))];
  const length = seconds.length === 1 ? ` Each capped run lasts ${seconds[0]} s.` : '';
  return `The sustainable rate is the highest rate cap at which a run ${rule}: bisection between zero and the raw ceiling${bisect > 0 ? ` (${bisect} steps, to 1/${2 ** bisect} of it)` : ''}, then a confirming run, backing off if it fails. It is searched after each repeat${fewer ? ` (precision rounds search only while its interval is the wide one: ${fewer} of ${searched.length} scenarios searched less often)` : ''}.${length}`;
}

/** Each search, step by step, for readers who want to see how the rate was found. */
function searchSteps(sets: readonly ResultSet[]): Block[] {
  const items: Text[] = [];
  for (const [si, set] of sets.entries()) {
    for (const r of recordsOf(set, 'ceilings')) {
      const s = r.sustainable;
      if (!s?.steps?.length) continue;
      const carried = ruleOf(s);
      const step = (x: SustainableRate['steps'][number]) =>
        `${x.rateCap > 0 ? fmtSi(x.rateCap) : `unthrottled (${fmtSi(x.generatedPerSec)})`} ${
          x.droppedKernel > 0 ? `✗ ${x.droppedKernel.toLocaleString('en-US')} dropped` : carried(x) ? '✓' : `✗ reached ${fmtSi(x.generatedPerSec)}`}`;
      const who = `${sets.length > 1 ? `${sets[si].tag}: ` : ''}${r.transport}, ${r.label === readerOf(r) ? `${readerOf(r)} reader` : variantOf(r)}`;
      items.push([{ strong: who }, `: ${s.steps.map(step).join(' → ')}`]);
    }
  }
  if (!items.length) return [];
  return [{
    details: {
      summary: `How ${items.length > 1 ? 'each' : 'the'} search went${sets.some((st) => recordsOf(st, 'ceilings').some((r) => (r.sustainable?.perRepeat?.length ?? 0) > 1)) ? ' (the last repeat’s)' : ''}: rate cap per run (events/s), ✓ = carried (no drops, cap reached), ✗ = dropped or fell short; the last run is the confirmation.`,
      blocks: [{ ul: items }],
    },
  }];
}

/** How many records each getpgid() call emitted, per group, from the records' configurations. */
function batchWords(sets: readonly ResultSet[]): string {
  const byBatch = new Map<number, Set<string>>();
  for (const s of sets) {
    for (const r of s.results.scenarios.filter(isSaturation)) {
      const n = r.config?.eventsPerCall ?? 1;
      byBatch.set(n, (byBatch.get(n) ?? new Set()).add(r.group));
    }
  }
  if (!byBatch.size) return '';
  const part = ([n, groups]: [number, Set<string>]) => `${n === 1 ? 'one record' : `${n.toLocaleString('en-US')} records`} in ${[...groups].join(', ')}`;
  const parts = [...byBatch.entries()].sort((a, b) => b[0] - a[0]).map(part);
  const kernel = byBatch.has(500) ? ' (500 is the kernel benchmark’s batch)' : '';
  return ` Each call emits ${parts.join('; ')}${kernel}.`;
}

/** The trigger and how it attached, in words the reader can check against the kernel. */
function triggerWords(sets: readonly ResultSet[]): Inline[] {
  const { recorded, probe } = saturationAttach(sets);
  const named = recorded.map((w) => (w === 'fentry' ? 'fentry' : w.includes('sys_enter') ? 'the tp_btf/sys_enter fallback' : w));
  const used = recorded.length
    ? ` These results used ${named.join(' and ')}.`
    : probe?.available
      ? ' The runs do not record which one they used; the machine’s probe attached fentry to getpgid, so it was most likely fentry.'
      : probe
        ? ` The runs do not record which one they used; the machine’s probe could not use fentry — ${probe.reason.replace(/;\s*saturation uses.*$/, '').replace(/\.$/, '')} — so it was the tp_btf/sys_enter fallback.`
        : ' The results do not record which one a run used; this report calls it the getpgid trigger.';
  return [
    { strong: 'The saturation load. ' },
    'Instead of a storm, the harness’s own producer threads call ',
    { code: 'getpgid()' },
    ' in a tight loop; a BPF program on it emits the same event through the same transport code, attached with ',
    { code: 'fentry' },
    ' on the syscall where the kernel allows it (as the kernel’s own bench does), else to ',
    { code: 'tp_btf/sys_enter' },
    '.',
    used,
    batchWords(sets),
    ' “What bounds each figure” below says, from the run’s data, what set each figure’s pace.',
  ];
}

/** The Ceilings section; nothing when the results have no saturation group. */
export function ceilingsBlocks(sets: readonly ResultSet[], figures: Figures): Block[] {
  const has = (g: string) => sets.some((s) => recordsOf(s, g).length > 0);
  if (!CEILING_GROUPS.some(has)) return [];
  const blocks: Block[] = [{ h: 2, text: 'Ceilings', id: 'method-ceilings' }];
  // How far past a storm the saturation load goes, from the same results.
  // Every saturation group counts, so no table below shows a higher generated rate than this
  // sentence; drain-mode reading (a backlog, not a load) is named apart.
  const maxRate = (pick: (r: ScenarioRecord) => boolean, metric = 'rates.generatedPerSec') =>
    Math.max(0, ...sets.flatMap((s) => s.results.scenarios.filter(pick).map((r) => metricAggregate(r, metric)?.mean ?? 0)));
  const storm = maxRate((r) => !isSaturation(r));
  const sat = maxRate(isSaturation);
  const drained = maxRate((r) => r.group === 'reader-ceiling', 'rates.deliveredPerSec');
  const reach = storm > 0 && sat > storm * 1.5
    ? ` Here the saturation load generated up to ${fmtSi(sat)} events/s, ${Math.round(sat / storm)}× the fastest storm (${fmtSi(storm)} events/s)${drained > sat ? `; reading a stored backlog (drain mode) reached ${fmtSi(drained)} events/s` : ''}.`
    : '';
  blocks.push({
    p: `A fork storm is limited by fork long before either transport is, so these scenarios use a far lighter load.${reach}`,
  });
  blocks.push({ p: triggerWords(sets) });
  blocks.push(...placementBlocks(sets), ...sinkBlocks(sets), ...precisionBlocks(sets));

  if (has('ceilings')) {
    blocks.push({ h: 3, text: GROUP_TITLES.ceilings, id: 'group-ceilings' });
    const recs = sets.flatMap((s) => recordsOf(s, 'ceilings'));
    const readers = [...new Set(recs.map(readerOf))];
    blocks.push({
      p: [
        `The saturation load with ${ceilingSetup(recs).replace(', ', ' and a ')}, read by ${readers.length > 1 ? `each reader in turn (${readers.join(', ')})` : `the ${readers[0] ?? 'libbpf'} reader`}. The raw ceiling is what the unthrottled producers generate — events the transport drops included, and a failed reserve is cheaper than a delivered event — so delivered/s beside it is what actually reached user space. `,
        searchWords(recs),
      ],
    });
    blocks.push(...figures.place('ceilings'));
    const table = ceilingsTable(sets);
    if (table) blocks.push({ table });
    blocks.push(...searchSteps(sets));
    blocks.push(...lossBlocks(sets));
  }
  if (has('syscall-ceiling')) {
    blocks.push({ h: 3, text: GROUP_TITLES['syscall-ceiling'], id: 'group-syscall-ceiling' });
    const recs = sets.flatMap((s) => recordsOf(s, 'syscall-ceiling'));
    blocks.push({
      p: `The same load with one record per getpgid() call (${ceilingSetup(recs)}): every record pays for a whole syscall, its entry and the program’s run, so this is the per-syscall cost, not the transport’s ceiling.`,
    });
    blocks.push({ table: groupTable(sets, 'syscall-ceiling') });
  }
  if (has('reader-ceiling')) {
    blocks.push({ h: 3, text: GROUP_TITLES['reader-ceiling'], id: 'group-reader-ceiling' });
    const drainHeld = sets.every((st) => recordsOf(st, 'reader-ceiling').every((r) => metricAggregate(r, DROP_RATE)?.max === 0));
    blocks.push({
      p: [
        { strong: 'Drain mode. ' },
        `The consumer reads nothing while the load runs — ${drainHeld ? 'the buffer holds every event (none was dropped)' : 'the buffer is sized to hold every event'}, and wake-ups are all but switched off — and once the producers have stopped it reads the backlog as fast as it can. Delivered/s is then the backlog divided by the time it took to read: the reader’s own speed, with no sleeping, no wake-ups and no producers competing for the same cache lines. `,
        'The custom reader walks the mapped pages itself and publishes the consumer position once per batch.',
      ],
    });
    blocks.push(...figures.place('reader-ceiling'));
    blocks.push({ table: groupTable(sets, 'reader-ceiling') });
  }
  if (has('wakeup-ceiling')) {
    blocks.push({ h: 3, text: GROUP_TITLES['wakeup-ceiling'], id: 'group-wakeup-ceiling' });
    blocks.push({
      p: 'Each transport’s wake-up strategies at the full saturation rate. Queuing the consumer’s wake-up happens inside the BPF program’s run, so the table shows per strategy what got through, what was dropped, and what the program and the consumer spent.',
    });
    blocks.push(...figures.place('wakeup-ceiling'));
    blocks.push({ table: groupTable(sets, 'wakeup-ceiling') });
  }
  blocks.push(...boundsBlocks(sets), ...calibrationBlocks(sets));
  return blocks;
}
