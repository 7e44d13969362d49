/**
 * results/write — a run's files: results.json (versioned schema, per-repeat raw values, aggregates,
 * environment) and results.csv (one row per scenario × transport, dotted column names that match
 * the JSON). Both are written through OutputDir (temp file + rename, never through a symlink), so
 * an interrupted run always leaves valid files.
 */
import { stringify } from 'csv-stringify/sync';
import { aggregate, noiseWarning } from './aggregate.js';
import { type ResultsFile, type ScenarioRecord } from './schema.js';
import { METRIC_NAMES, NOISE_CHECKED_METRICS } from './metrics.js';
import { type TrialResult } from '../harness/types.js';
import { type OutputDir } from './outdir.js';

export function metricValue(r: TrialResult, dotted: string): number {
  let v: unknown = r;
  for (const part of dotted.split('.')) v = (v as Record<string, unknown>)?.[part];
  return typeof v === 'number' ? v : NaN;
}

/** What a record takes from the planned scenario (suite's PlannedScenario has these fields). */
export type ScenarioIdentity = Pick<ScenarioRecord, 'id' | 'group' | 'label' | 'x' | 'transport' | 'config'>;

/** An empty record for a planned scenario; trials are added with addTrial. */
export function newRecord(p: ScenarioIdentity): ScenarioRecord {
  return {
    id: p.id,
    group: p.group,
    label: p.label,
    x: p.x,
    transport: p.transport,
    config: p.config,
    repeats: Object.fromEntries(METRIC_NAMES.map((m) => [m, [] as number[]])),
    aggregates: {},
    warnings: [],
  };
}

/** Adds one measured repeat and refreshes aggregates and warnings. */
export function addTrial(rec: ScenarioRecord, r: TrialResult): void {
  for (const m of METRIC_NAMES) (rec.repeats[m] ??= []).push(metricValue(r, m));
  rec.timeline = r.timeline;
  rec.attachedVia = r.attachedVia;
  if (r.placement) rec.placement = r.placement;
  rec.aggregates = Object.fromEntries(METRIC_NAMES.map((m) => [m, aggregate(rec.repeats[m])]));
  const accounting = new Set(rec.warnings.filter((w) => w.startsWith('repeat ')));
  const n = rec.repeats['wallNs'].length;
  for (const note of r.accounting.notes) accounting.add(`repeat ${n}: ${note}`);
  const noise = NOISE_CHECKED_METRICS.map((m) => noiseWarning(m, rec.aggregates[m])).filter((w): w is string => !!w);
  rec.warnings = [...accounting, ...noise];
}

/** Records the trials set aside (harness/cpu-pair) for the repeat addTrial just added. */
export function addSetAside(rec: ScenarioRecord, trials: readonly TrialResult[]): void {
  const repeat = repeatsDone(rec);
  for (const r of trials) {
    (rec.setAside ??= []).push({ repeat, rateCap: r.config.rateCap, cpuPairNs: r.host?.cpuPairNs ?? 0, generatedPerSec: r.rates.generatedPerSec, droppedKernel: r.counts.droppedKernel });
  }
}

export function repeatsDone(rec: ScenarioRecord): number {
  return rec.repeats['wallNs']?.length ?? 0;
}

function flatten(prefix: string, v: unknown, out: Record<string, unknown>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
  } else {
    out[prefix] = v;
  }
}

/** One row per scenario: identity, config.*, and for each metric mean / ci95 bounds / stddev / n. */
export function csvRows(results: ResultsFile): Record<string, unknown>[] {
  return results.scenarios.map((s) => {
    const row: Record<string, unknown> = { id: s.id, group: s.group, label: s.label, transport: s.transport, 'x.name': s.x.name, 'x.value': s.x.value };
    flatten('config', s.config, row);
    for (const m of METRIC_NAMES) {
      const a = s.aggregates[m];
      row[`${m}.mean`] = a?.mean;
      row[`${m}.ci95.lo`] = a?.ci95[0];
      row[`${m}.ci95.hi`] = a?.ci95[1];
      row[`${m}.stddev`] = a?.stddev;
      row[`${m}.n`] = a?.n ?? 0;
    }
    row.warnings = s.warnings.join(' | ');
    return row;
  });
}

export function writeResults(dir: OutputDir, results: ResultsFile): void {
  dir.write('results.json', JSON.stringify(results, null, 2) + '\n');
  const rows = csvRows(results);
  dir.write('results.csv', rows.length ? stringify(rows, { header: true, columns: Object.keys(rows[0]) }) : '');
}
