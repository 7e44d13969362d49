/**
 * compare — regression comparison of ringbench runs (`ringbench compare BASE… -- CANDIDATE…`, and
 * the paired `ringbench ab`).
 *
 * Scenarios are matched by their stable `id`. For every metric both sides measured, the change of
 * the candidate's mean against the base's mean gets a 95% interval and a verdict (compare-judge.ts):
 * improved, regressed, no change, or within noise. The exit code is 1 when a judged metric
 * regressed. Which metrics are judged, in which load mode, which way is better and below which
 * absolute floor a change is noise, is the catalogue's word (results/metrics). Renderers are in
 * report/compare-format.ts; the github-action-benchmark export in format/github.ts.
 *
 * The noise basis — what the interval knows about — is stated with every comparison:
 * - paired: A and B ran interleaved trial by trial (`ringbench ab`); differences of pairs, so the
 *   machine's drift hits both sides alike (the strongest basis);
 * - runs: several runs a side; each run's mean is one observation, so whole-run shifts are noise;
 * - noise: one run a side, judged against this machine's run-to-run spread (`ringbench noise`);
 * - within-run: one run a side, repeats only; a whole run that shifted (another tenant, a
 *   different boot) is not covered, and the output says so.
 * Runs with a control (harness/control.ts) also show the machine's own drift, and rates are judged
 * both raw and normalised to the control. When the control moved beyond its noise the comparison
 * says "the machine changed": raw rates stay judged (a slower machine gives slower results, and a
 * gate should fail), but the text points at the normalised rates, which tell whether the
 * transport moved beyond the machine.
 *
 * Statistics: Welch's t interval on the difference of means (candidate − base), divided by the base
 * mean to express it relative. Why not a bootstrap of the ratio of means: runs have 3–10 repeats, and
 * a percentile bootstrap over 5 values can only reshuffle those 5 values — its interval is
 * systematically too narrow (roughly 80–85% real coverage at n = 5), which would turn noise into
 * "regressions". Welch's t widens the interval for few repeats through the t quantile, allows the two
 * runs different variances (two kernels, two machines), needs no seed, and works on the difference,
 * so a base mean of 0 (no drops → 500 drops) still gets an interval. Dividing by the base mean ignores
 * the base mean's own uncertainty in the *relative* interval's width, but whether the interval
 * excludes 0 — the decision that matters — is exactly Welch's two-sided test at 5%.
 *
 * Verdicts follow criterion: "no change" when the interval holds 0; "improved"/"regressed" only when
 * the whole interval lies beyond the threshold; otherwise "within noise".
 */
import { judgeAll, measureChange, type MetricComparison } from './compare-judge.js';
import { GATE_EXIT } from './gate-exit.js';
import { compareControl, metricInput, NO_NOISE } from './compare-basis.js';
import { scenarioValues } from './samples.js';
import { placementDiffers } from './placement.js';
import { type ResultsFile, type ScenarioRecord } from '../results/schema.js';
import { ResultsInputError, sourceOf, validateResults } from '../results/load.js';
import { controlFor, loadModeOf, NORMALISED_RATES, type LoadMode } from '../results/metrics.js';
import { type Environment } from '../harness/types.js';
import { DEFAULTS } from '../harness/knobs.js';

export type { ChangeVerdict, MetricComparison, SideSummary } from './compare-judge.js';
import { COMPARISON_SCHEMA, type CompareOptions, type Comparison, type ControlComparison, type NoiseBasis, type NoiseBasisKind, type RunSummary, type ScenarioComparison } from './compare-types.js';
export { loadResults, ResultsInputError } from '../results/load.js';

export { COMPARISON_SCHEMA } from './compare-types.js';
export type { CompareOptions, Comparison, ControlComparison, NoiseBasis, NoiseBasisKind, RunSummary, ScenarioComparison } from './compare-types.js';

export { MIN_JUDGED_REPEATS } from './compare-basis.js';

const ENVIRONMENT_FIELDS = [
  'kernel',
  'cpuModel',
  'cpuCount',
  'hostname',
  'libbpf',
  'clang',
  'bpftool',
  'node',
  'ringbench',
  'gitCommit',
] as const;

const METHODS: Record<NoiseBasisKind, string> = {
  paired: 'paired: A and B interleaved trial by trial; Student t 95% interval on the mean of the paired differences',
  runs: "runs as units: Welch's t 95% interval on the difference of the run means",
  noise: "single pair against this machine's run-to-run spread (ringbench noise): 95% interval from √2 × the spread of run means",
  'within-run': "single pair, within-run noise only: Welch's t 95% interval on the difference of means over repeats",
};
const VERDICT_RULE =
  'regressed/improved only when the change is shown beyond the threshold and the absolute floor ' +
  '(Benjamini–Hochberg at 2.5% over all judged metrics; for one metric: the whole interval beyond the threshold)';

function basisOf(kind: NoiseBasisKind, runs: { base: number; candidate: number }, opts: CompareOptions): NoiseBasis {
  const texts: Record<NoiseBasisKind, string> = {
    paired: `paired trials (A and B interleaved), ${runs.base} run`,
    runs: `between-run noise from ${runs.base} base and ${runs.candidate} candidate runs (runs are the unit)`,
    noise: `between-run noise from ${opts.noiseSource ?? 'a noise file'} (${opts.noise?.runs} A/A runs)`,
    'within-run':
      'within-run noise only: the verdict does not cover run-to-run drift (record it with `ringbench noise` and pass --noise, or give several runs a side)',
  };
  return {
    kind,
    text: kind === 'paired' ? 'paired trials (A and B interleaved trial by trial)' : texts[kind],
    runs,
    ...(kind === 'noise' ? { noiseFile: opts.noiseSource, noiseRuns: opts.noise?.runs } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Comparing

const asList = (r: ResultsFile | readonly ResultsFile[]) => (Array.isArray(r) ? (r as readonly ResultsFile[]) : [r as ResultsFile]);

/** Compare runs scenario by scenario; see the module comment for the noise bases. */
export function compareResults(
  baseIn: ResultsFile | readonly ResultsFile[],
  candidateIn: ResultsFile | readonly ResultsFile[],
  opts: CompareOptions,
): Comparison {
  if (!(opts.thresholdPct > 0 && Number.isFinite(opts.thresholdPct))) {
    throw new RangeError(`thresholdPct must be a positive number, got ${opts.thresholdPct}`);
  }
  const bases = asList(baseIn);
  const candidates = asList(candidateIn);
  if (!bases.length || !candidates.length) throw new RangeError('compare needs at least one run a side');
  const baseNames = bases.map((r, i) => sourceOf(r, bases.length > 1 ? `base run ${i + 1}` : 'the base run'));
  const candidateNames = candidates.map((r, i) => sourceOf(r, candidates.length > 1 ? `candidate run ${i + 1}` : 'the candidate run'));
  bases.forEach((r, i) => validateResults(r, baseNames[i]));
  candidates.forEach((r, i) => validateResults(r, candidateNames[i]));
  const runs = { base: bases.length, candidate: candidates.length };
  const kind: NoiseBasisKind = opts.paired
    ? 'paired'
    : runs.base >= 2 && runs.candidate >= 2
      ? 'runs'
      : opts.noise
        ? 'noise'
        : 'within-run';
  const warnings: string[] = [];
  if (!opts.paired && (runs.base >= 2) !== (runs.candidate >= 2)) {
    warnings.push(`runs are the unit only with at least 2 runs a side (${runs.base} base, ${runs.candidate} candidate): the first run of each side is compared`);
  }
  const sideRuns = kind === 'runs' ? { bases, candidates } : { bases: bases.slice(0, 1), candidates: candidates.slice(0, 1) };
  if (kind === 'runs' && opts.noise) warnings.push('--noise is not used: with several runs a side the runs themselves give the noise');

  const baseById = indexById(sideRuns.bases, baseNames[0], warnings);
  const candidateById = indexById(sideRuns.candidates, candidateNames[0], warnings);
  const onlyInBase = [...baseById.keys()].filter((id) => !candidateById.has(id));
  const onlyInCandidate = [...candidateById.keys()].filter((id) => !baseById.has(id));
  const commonIds = [...baseById.keys()].filter((id) => candidateById.has(id));
  if (commonIds.length === 0) {
    throw new ResultsInputError(
      `no scenarios in common between ${baseNames[0]} (${baseById.size} scenarios, suite "${bases[0].suite}") ` +
        `and ${candidateNames[0]} (${candidateById.size} scenarios, suite "${candidates[0].suite}")`,
    );
  }
  if (onlyInBase.length) {
    warnings.push(`${onlyInBase.length} scenario(s) only in the base run, not compared: ${onlyInBase.join(', ')}`);
  }
  if (onlyInCandidate.length) {
    warnings.push(
      `${onlyInCandidate.length} scenario(s) only in the candidate run, not compared: ${onlyInCandidate.join(', ')}`,
    );
  }
  sideRuns.bases.forEach((r, i) => r.complete === false && warnings.push(`the base run is incomplete (${baseNames[i]})`));
  sideRuns.candidates.forEach((r, i) => r.complete === false && warnings.push(`the candidate run is incomplete (${candidateNames[i]})`));

  const placement = placementDiffers(sideRuns.bases[0], sideRuns.candidates[0]);
  if (placement) warnings.push(placement);

  const control = kind === 'paired' ? [] : compareControl(sideRuns.bases, sideRuns.candidates, kind, opts);
  const moved = new Set(control.filter((c) => c.moved).map((c) => c.metric));

  const scenarios: ScenarioComparison[] = [];
  const notComparable: Comparison['notComparable'] = [];
  const missingNoise = new Set<string>();
  for (const id of commonIds) {
    const b = baseById.get(id)!;
    const c = candidateById.get(id)!;
    const configDiffs = diffConfig(b[0].rec.config, c[0].rec.config);
    if (configDiffs.length && opts.paired) {
      // ringbench ab: the knobs that differ are the treatment under test
      warnings.push(`${id}: configuration differs (${configDiffs.join(', ')})`);
    } else if (configDiffs.length) {
      // Same id but different knobs (e.g. a changed suite default): the numbers measure different
      // things, so no verdict; said so.
      notComparable.push({ id, diffs: configDiffs });
      warnings.push(`${id}: not comparable, configuration differs (${configDiffs.join(', ')}); not judged`);
      continue;
    }
    const mode = loadModeOf(c[0].rec.config);
    const machineMoved = moved.has(controlFor(mode));
    const bValues = b.map((x) => scenarioValues(x.run, x.rec));
    const cValues = c.map((x) => scenarioValues(x.run, x.rec));
    const metrics: MetricComparison[] = [];
    let singleRepeat = false;
    for (const metric of bValues[0].keys()) {
      if (!cValues[0].has(metric)) continue;
      const input = metricInput(metric, mode, bValues, cValues, kind, opts, id);
      if (!input) continue;
      if (input.base.every((v) => v === 0) && input.candidate.every((v) => v === 0)) continue;
      if (machineMoved && NORMALISED_RATES.has(metric)) {
        // Still judged (a slower machine is a slower result), but said to move with the machine.
        input.note = `the machine changed: compare ${NORMALISED_RATES.get(metric)}`;
      }
      if (kind === 'noise' && input.note === NO_NOISE) missingNoise.add(id);
      if (input.evidence === null) singleRepeat = true;
      metrics.push(measureChange(input, opts.thresholdPct));
    }
    if (singleRepeat) {
      warnings.push(`${id}: one repeat per side, so no confidence interval; not judged`);
    }
    scenarios.push({ id, group: c[0].rec.group, label: c[0].rec.label, transport: c[0].rec.transport, mode, metrics });
  }
  if (!scenarios.length) {
    const first = notComparable[0];
    throw new ResultsInputError(
      `nothing comparable between ${baseNames[0]} and ${candidateNames[0]}: all ${notComparable.length} scenarios in common differ in configuration ` +
        `(${first.id}: ${first.diffs.slice(0, 3).join(', ')}${first.diffs.length > 3 ? ', …' : ''})`,
    );
  }
  if (missingNoise.size) {
    warnings.push(`${missingNoise.size} scenario(s) have no spread in the noise file and are judged on within-run noise: ${[...missingNoise].join(', ')}`);
  }
  judgeAll(scenarios.flatMap((s) => s.metrics));

  const summary = { regressed: 0, improved: 0, noChange: 0, withinNoise: 0, informational: 0, undecided: 0 };
  for (const s of scenarios) {
    for (const m of s.metrics) {
      if (m.judged && !m.decided) summary.undecided++;
      if (!m.judged) summary.informational++;
      else if (m.verdict === 'regressed') summary.regressed++;
      else if (m.verdict === 'improved') summary.improved++;
      else if (m.verdict === 'no change') summary.noChange++;
      else summary.withinNoise++;
    }
  }

  return {
    schema: COMPARISON_SCHEMA,
    thresholdPct: opts.thresholdPct,
    method: `${METHODS[kind]}; ${VERDICT_RULE}`,
    basis: basisOf(kind, runs, opts),
    base: runSummary(sideRuns.bases, baseNames),
    candidate: runSummary(sideRuns.candidates, candidateNames),
    environmentDiffs: diffEnvironment(bases[0].environment, candidates[0].environment),
    control,
    machineChanged: moved.size > 0,
    scenarios,
    onlyInBase,
    onlyInCandidate,
    notComparable,
    warnings,
    summary,
  };
}

interface Located {
  run: ResultsFile;
  rec: ScenarioRecord;
}

/** Scenario id → its record in each run of one side (in run order; runs lacking it are skipped). */
function indexById(runs: readonly ResultsFile[], name: string, warnings: string[]): Map<string, Located[]> {
  const byId = new Map<string, Located[]>();
  runs.forEach((run, i) => {
    const seen = new Map<string, ScenarioRecord>();
    for (const s of run.scenarios) {
      if (seen.has(s.id)) warnings.push(`${i ? `run ${i + 1} of ${name}'s side` : name}: scenario id "${s.id}" appears twice; the last one is used`);
      seen.set(s.id, s);
    }
    for (const [id, rec] of seen) byId.set(id, [...(byId.get(id) ?? []), { run, rec }]);
  });
  return byId;
}

/** The knobs that differ. A knob one side's version did not have counts as its default; perf
 *  pages derived under equal memory follow the CPU count and are not a choice (the environment
 *  difference says the machines differ). */
function diffConfig(a: object | undefined, b: object | undefined): string[] {
  if (!a || !b) return [];
  const defaults = DEFAULTS as unknown as Record<string, unknown>;
  const ra = { ...defaults, ...(a as Record<string, unknown>) };
  const rb = { ...defaults, ...(b as Record<string, unknown>) };
  const derived = (k: string) => k === 'perfbufPages' && ra.memory === 'equal' && rb.memory === 'equal';
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])];
  return keys
    .filter((k) => !derived(k) && JSON.stringify(ra[k]) !== JSON.stringify(rb[k]))
    .map((k) => `${k} ${JSON.stringify(ra[k])} → ${JSON.stringify(rb[k])}`);
}

function diffEnvironment(a: Partial<Environment> | undefined, b: Partial<Environment> | undefined) {
  return ENVIRONMENT_FIELDS.map((field) => ({
    field,
    base: String(a?.[field] ?? 'unknown'),
    candidate: String(b?.[field] ?? 'unknown'),
  })).filter((d) => d.base !== d.candidate);
}

function runSummary(runs: readonly ResultsFile[], sources: string[]): RunSummary {
  const r = runs[0];
  const { capabilities: _probe, ...environment } = r.environment ?? ({} as Environment);
  return { source: sources.slice(0, runs.length).join(', '), suite: r.suite, startedAt: r.startedAt, complete: runs.every((x) => x.complete !== false), environment };
}

/** 1 when any judged metric regressed beyond the threshold; 3 when no judged metric could be
 *  decided (judgedNothing); else 0. */
export function comparisonExitCode(c: Comparison): number {
  if (c.summary.regressed > 0) return GATE_EXIT.regressed;
  return judgedNothing(c) === undefined ? GATE_EXIT.pass : GATE_EXIT.judgedNothing;
}

/** One line saying that the comparison decided nothing (and why), or undefined when it decided
 *  something. Two 1-repeat runs have no interval: "within noise" there is not a pass. */
export function judgedNothing(c: Comparison): string | undefined {
  const s = c.summary;
  const judged = s.regressed + s.improved + s.noChange + s.withinNoise;
  if (judged > s.undecided) return undefined;
  const why = judged === 0 ? 'no judged metric in common' : `all ${judged} judged metrics lack the data for an interval (too few repeats or runs a side)`;
  return `judged nothing: ${why}; the gate fails closed (exit ${GATE_EXIT.judgedNothing}): give runs with at least 2 repeats, several runs a side, or --noise`;
}
