/**
 * run — runs a suite: group by group, every scenario's warm-up trials first (discarded), then the
 * measured repeats round-robin across the group's scenarios (A1 B1 C1 A2 B2 C2 …), so the machine's
 * drift lands on each scenario alike. A scenario with a sustainable-rate search searches once per
 * repeat, right after that repeat (whose unthrottled run is the search's first step), so the rate
 * has a mean and an interval like any metric. results.json and results.csv are written after every
 * finished trial and search, the finished runs of an interrupted search included, so an
 * interrupted run loses nothing it had finished; --resume runs only what is missing.
 * A group with a precision target (suite.ts Precision) then keeps repeating its scenarios whose
 * intervals are still too wide, round-robin among them, until each is precise or a bound is hit;
 * such a round searches the sustainable rate only while that figure is one of the wide ones.
 * A group with a loss curve runs it last, scaled to the raw ceilings measured (suite/loss-curve).
 * A saturation repeat measured while the host had the producer's and consumer's CPUs apart is run
 * again once they are together (harness/cpu-pair), and recorded as set aside.
 */
import { fillOf, findSustainableRate, SearchInterrupted, type SearchStep } from '../harness/sustainable.js';
import { CONTROL_CONFIG, runControl } from '../harness/control.js';
import { HostPlacement } from '../harness/cpu-pair.js';
import { captureEnvironment, cpuTimes } from '../harness/env.js';
import { probe, type ProbeReport } from '../harness/probe.js';
import { aggregate, mean, quantileSorted } from '../results/aggregate.js';
import { type OutputDir } from '../results/outdir.js';
import { contentHash } from '../results/input.js';
import { ResultsInputError } from '../results/load.js';
import { addSetAside, addTrial, newRecord, repeatsDone, writeResults } from '../results/write.js';
import { abortScenarios } from '../harness/trial.js';
import { planSuite, type PlannedScenario, type Precision, type SuitePlan } from './suite.js';
import { SUSTAINABLE_FIGURE, valuesToTarget, wideFigures } from '../analysis/precision.js';
import { RESULTS_SCHEMA, type ResultsFile, type ScenarioRecord } from '../results/schema.js';
import { type TrialResult } from '../harness/types.js';
import { type KernelCalibration } from '../results/calibration.js';
import { runLossCurves } from './loss-curve.js';

/** Bisection steps of each per-repeat search: within 1/16 of the raw ceiling. Five searches are
 *  averaged, and seven steps per repeat would cost more than the rest of a ceiling group. */
export const SEARCH_STEPS = 4;
/** The values a wide figure needs before the precision rounds judge whether it is out of reach. */
export const JUDGE_VALUES = 10;

export interface TrialProgress {
  /** planned trials (warm-ups and repeats) finished so far, and their total, fixed at the start */
  done: number;
  total: number;
  /** a trial of a group's precision rounds, a phase of its own outside the planned total: which
   *  round, and the trials of that round done and in it */
  precision?: { group: string; round: number; done: number; total: number };
  scenario: PlannedScenario;
  warmup: boolean;
  /** measured repeat number (1-based); 0 for a warm-up */
  repeat: number;
  result: TrialResult;
  /** the round trips of the runs of this repeat set aside before it (measured with the CPUs apart) */
  setAsideNs: number[];
}

export interface RunOptions {
  out: OutputDir;
  command: string;
  /** the probe report the caller already took (else the run probes) */
  capabilities?: ProbeReport;
  /** the results of an interrupted run of the same suite, to continue */
  previous?: ResultsFile;
  onTrial?: (p: TrialProgress) => void;
  onScenarioStart?: (s: PlannedScenario, done: number, total: number) => void;
  /** a sustainable-rate search starts (it runs several short trials of its own) */
  onSearch?: (s: PlannedScenario) => void;
  /** a loss curve's capped run finished (suite/loss-curve.ts) */
  onLossRun?: (s: PlannedScenario, rate: number, dropped: boolean) => void;
  /** false: skip the control trials (harness/control.ts) run before every scenario */
  control?: boolean;
  /** a kernel-bench calibration to record as results.calibration (replaces a resumed run's) */
  calibration?: KernelCalibration;
}

/** Trials still to run for a plan, warm-ups included, given what a previous run finished. */
export function trialsLeft(plan: SuitePlan, previous?: ResultsFile): number {
  const done = new Map(previous?.scenarios.map((s) => [s.id, repeatsDone(s)]));
  return plan.scenarios.reduce((n, s) => {
    const left = Math.max(0, plan.repeats - (done.get(s.id) ?? 0));
    return n + (left ? left + plan.warmup : 0);
  }, 0);
}

/** Searches a record holds: one per repeat since issue 11 (precision rounds skip them once the
 *  sustainable rate is precise); a record from an older run with a (single) search counts as
 *  fully searched. */
export function searchesDone(rec: ScenarioRecord, repeats: number): number {
  return rec.sustainable?.perRepeat?.length ?? (rec.sustainable ? repeats : 0);
}

/** Load-phase statistics of one session's repeats, in the shape tinybench reported them. */
function timingOf(ms: readonly number[]): NonNullable<ScenarioRecord['timing']> {
  const a = aggregate(ms);
  const sorted = [...ms].sort((x, y) => x - y);
  return { source: 'repeats', loadPhaseMs: { mean: mean(ms), rme: a.relCi * 100, min: a.min, max: a.max, p50: quantileSorted(sorted, 0.5), samples: a.n } };
}

/** sha256 of the suite definition as results.json records it (JSON key order is kept by a
 *  write and read), so --resume can tell an edited definition from the one the run began with. */
export function suiteHashOf(definition: unknown): string {
  return contentHash(JSON.stringify(definition));
}

/** The plan an earlier, interrupted run was following; refused when its recorded definition no
 *  longer matches the hash recorded beside it (edited after the run began). */
export function planOf(previous: ResultsFile, dir: string): SuitePlan {
  if (!previous.suiteDefinition) throw new Error(`${dir}/results.json does not record its suite; it cannot be resumed`);
  if (previous.suiteHash !== undefined && previous.suiteHash !== suiteHashOf(previous.suiteDefinition)) {
    throw new ResultsInputError(`${dir}/results.json: suiteDefinition does not match its recorded suiteHash (it was edited after the run began); the rest of the suite would run with other knobs under the same name: start a new run instead`);
  }
  return planSuite(previous.suiteDefinition, `${dir}/results.json`);
}

/**
 * Runs the plan. Resolves with the results file as last written; `complete` is false when the
 * run was interrupted (stop() was called), and every trial finished before that is in it.
 */
export function runSuite(plan: SuitePlan, opts: RunOptions): { done: Promise<ResultsFile>; stop: () => void } {
  const stopper = new AbortController();
  const stop = () => {
    stopper.abort();
    abortScenarios();
  };
  const done = (async () => {
    const results: ResultsFile = opts.previous
      ? { ...opts.previous, complete: false, finishedAt: undefined }
      : {
          schema: RESULTS_SCHEMA,
          suite: plan.name,
          command: opts.command,
          startedAt: new Date().toISOString(),
          complete: false,
          environment: captureEnvironment(opts.capabilities ?? probe()),
          suiteDefinition: plan.definition,
          suiteHash: suiteHashOf(plan.definition),
          scenarios: [],
        };
    if (opts.calibration) results.calibration = opts.calibration;
    // The host's closest placement of the CPU pair, as far as this run (and a resumed one) saw it.
    const placement = new HostPlacement();
    for (const s of results.scenarios) for (const ns of s.repeats['host.cpuPairNs'] ?? []) placement.see(ns);
    const byId = new Map(results.scenarios.map((s) => [s.id, s]));
    // A scenario is done when it has every repeat and, if asked for, a search per repeat.
    const isDone = (p: PlannedScenario) => {
      const r = byId.get(p.id);
      return !!r && repeatsDone(r) >= plan.repeats && (!p.sustainable || searchesDone(r, plan.repeats) >= plan.repeats) && (!p.precision || !!r.precision)
        && (!p.lossCurve || !!r.lossCurve?.complete);
    };
    // the planned trials; precision rounds are counted apart (precisionRound)
    const total = trialsLeft(plan, opts.previous);
    let finished = 0;
    let precisionRound: TrialProgress['precision'];
    // CPU time and steal over this session, added to a resumed run's
    const before = { ...(results.machine ?? { cpuSeconds: 0, stealSeconds: 0 }) };
    const cpu0 = cpuTimes();
    const save = () => {
      const cpu = cpuTimes();
      if (cpu0 && cpu) {
        results.machine = {
          cpuSeconds: before.cpuSeconds + cpu.totalSeconds - cpu0.totalSeconds,
          stealSeconds: before.stealSeconds + cpu.stealSeconds - cpu0.stealSeconds,
        };
      }
      results.progress = {
        planned: plan.scenarios.length,
        finished: plan.scenarios.filter(isDone).length,
        repeats: plan.repeats,
        warmup: plan.warmup,
      };
      writeResults(opts.out, results);
    };
    save();

    const groups = new Map<string, PlannedScenario[]>();
    for (const p of plan.scenarios) groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
    for (const members of groups.values()) {
      const pending = members.filter((p) => !isDone(p));
      // This session's load-phase durations per scenario, for record.timing.
      const loadMs = new Map<string, number[]>();
      for (const planned of pending) {
        if (stopper.signal.aborted) break;
        const record = recordOf(planned);
        opts.onScenarioStart?.(planned, finished, total);
        if (repeatsDone(record) >= plan.repeats) continue; // only its searches are missing
        if (opts.control !== false) await measureControl();
        for (let i = 0; i < plan.warmup && !stopper.signal.aborted; i++) await trial(planned, record, 0);
      }
      for (let round = 1; round <= plan.repeats; round++) {
        for (const planned of pending) {
          if (stopper.signal.aborted) break;
          const record = recordOf(planned);
          if (repeatsDone(record) < round) {
            const ms = await trial(planned, record, round);
            if (ms !== undefined) loadMs.set(planned.id, [...(loadMs.get(planned.id) ?? []), ms]);
          }
          if (planned.sustainable && repeatsDone(record) >= round && searchesDone(record, plan.repeats) < round && !stopper.signal.aborted) {
            await search(planned, record);
          }
        }
      }
      const target = pending.find((p) => p.precision)?.precision;
      if (target && !stopper.signal.aborted) await untilPrecise(pending.filter((p) => p.precision), target, loadMs);
      // The loss curves scale their grid to the raw ceilings the repeats (and rounds) measured.
      const curves = pending.filter((p) => p.lossCurve);
      if (curves.length && !stopper.signal.aborted) {
        await runLossCurves(curves.map((p) => ({ planned: p, record: recordOf(p) })), { signal: stopper.signal, save, onRun: opts.onLossRun });
      }
      if (stopper.signal.aborted) break;
      for (const [id, ms] of loadMs) byId.get(id)!.timing = timingOf(ms);
      save();
    }
    results.complete = !stopper.signal.aborted && plan.scenarios.every(isDone);
    results.finishedAt = new Date().toISOString();
    save();
    return results;

    function recordOf(planned: PlannedScenario): ScenarioRecord {
      let rec = byId.get(planned.id);
      if (!rec) {
        rec = newRecord(planned);
        byId.set(planned.id, rec);
        results.scenarios.push(rec);
      }
      return rec;
    }

    // The machine, measured with no BPF attached next to every scenario (issue 14): compare tells a
    // machine that moved from a transport that did by these samples' drift.
    async function measureControl(): Promise<void> {
      const control = (results.control ??= { config: { ...CONTROL_CONFIG }, samples: { 'control.stormPerSec': [], 'control.triggerPerSec': [] } });
      const storm = await runControl('storm', stopper.signal);
      const trigger = await runControl('trigger', stopper.signal);
      if (stopper.signal.aborted) return;
      control.samples['control.stormPerSec'].push(storm);
      control.samples['control.triggerPerSec'].push(trigger);
    }

    /** Whether any of a record's figures (analysis/precision) is still wider than the target; a
     *  scenario to be searched that has no search yet is. */
    function imprecise(planned: PlannedScenario, record: ScenarioRecord, target: Precision): boolean {
      if (planned.sustainable && !record.sustainable?.aggregate) return true;
      return wideFigures(record, target.relCi).length > 0;
    }

    /** The precision rounds of a group: one more repeat of each imprecise scenario per round (and a
     *  search while its sustainable rate is wide), until none is left or a bound is hit; each
     *  record says which it was. */
    async function untilPrecise(members: PlannedScenario[], target: Precision, loadMs: Map<string, number[]>): Promise<void> {
      const started = Date.now();
      const roundMs = new Map<string, number[]>(); // each precision round's cost, per scenario
      const needs = new Map<string, number>(); // the rounds a scenario left out still needed
      // Out of reach: the rounds its wide figures still need at their spread (valuesToTarget), at
      // its rounds' mean cost, take more than the group has left; its time goes to the scenarios
      // a few rounds still settle. Judged only from JUDGE_VALUES values on: with fewer, one
      // outlier moves the width, and the estimate with it, several-fold.
      const outOfReach = (p: PlannedScenario): boolean => {
        const costs = roundMs.get(p.id);
        if (!costs?.length) return false;
        const ms = mean(costs);
        const wide = wideFigures(recordOf(p), target.relCi);
        if (wide.some((f) => f.values.length < JUDGE_VALUES)) return false;
        const need = Math.max(0, ...wide.map((f) => valuesToTarget(f.aggregate, target.relCi) ?? 0));
        const left = target.maxSeconds * 1000 - (Date.now() - started);
        // with less than a round left it is the time running out (max-seconds), not the spread
        const out = left >= ms && need * ms > left;
        if (out) needs.set(p.id, need);
        return out;
      };
      const open = () => members.filter((p) => imprecise(p, recordOf(p), target) && repeatsDone(recordOf(p)) < target.maxRepeats && !needs.has(p.id) && !outOfReach(p));
      let n = 0;
      for (let round = open(); round.length && Date.now() - started < target.maxSeconds * 1000; round = open()) {
        precisionRound = { group: members[0].group, round: ++n, done: 0, total: round.length };
        for (const planned of round) {
          if (stopper.signal.aborted) {
            precisionRound = undefined;
            return; // unmarked: --resume continues the precision rounds
          }
          const roundStarted = Date.now();
          const record = recordOf(planned);
          // A search costs several trials, a raw repeat one: a round searches only while the
          // sustainable rate is itself wide and the repeats' own figures are not (their repeats
          // come first: on a VM the zero-loss rate can stay wide for more searches than the
          // group's time allows, and must not starve the figures a few more repeats settle).
          const wide = wideFigures(record, target.relCi);
          const searchWide = (!record.sustainable?.aggregate || wide.length > 0) && wide.every((f) => f.what === SUSTAINABLE_FIGURE);
          const ms = await trial(planned, record, repeatsDone(record) + 1);
          if (ms !== undefined) loadMs.set(planned.id, [...(loadMs.get(planned.id) ?? []), ms]);
          if (planned.sustainable && searchWide && searchesDone(record, plan.repeats) < repeatsDone(record) && !stopper.signal.aborted) await search(planned, record);
          roundMs.set(planned.id, [...(roundMs.get(planned.id) ?? []), Date.now() - roundStarted]);
        }
      }
      precisionRound = undefined;
      if (stopper.signal.aborted) return;
      for (const planned of members) {
        const record = recordOf(planned);
        const need = needs.get(planned.id);
        const stoppedBy = !imprecise(planned, record, target) ? 'precise'
          : repeatsDone(record) >= target.maxRepeats ? 'max-repeats'
          : need !== undefined ? 'out-of-reach' : 'max-seconds';
        record.precision = { ...target, stoppedBy, ...(stoppedBy === 'out-of-reach' ? { needed: need } : {}) };
      }
      save();
    }

    /** One trial: a warm-up (repeat 0, discarded) or measured repeat `repeat`; resolves with its
     *  load-phase duration in ms, undefined when the stop cut it short. */
    async function trial(planned: PlannedScenario, record: ScenarioRecord, repeat: number): Promise<number | undefined> {
      const { kept: result, setAside } = await placement.trial(planned.config, { rerun: repeat > 0, signal: stopper.signal });
      if (result.aborted && stopper.signal.aborted) return undefined; // cut short: not a finished trial
      if (precisionRound) precisionRound.done++;
      else finished++;
      if (repeat > 0) {
        addTrial(record, result);
        addSetAside(record, setAside);
        save();
      }
      opts.onTrial?.({ done: finished, total, ...(precisionRound ? { precision: { ...precisionRound } } : {}), scenario: planned, warmup: repeat === 0, repeat: repeat > 0 ? repeatsDone(record) : 0, result, setAsideNs: setAside.map((r) => r.host?.cpuPairNs ?? 0) });
      return result.loadPhaseNs / 1e6;
    }

    /** The sustainable-rate search of the record's next repeat without one. That repeat's own
     *  unthrottled trial is the search's first step; an interrupted search keeps its finished steps. */
    async function search(planned: PlannedScenario, record: ScenarioRecord): Promise<void> {
      opts.onSearch?.(planned);
      const k = searchesDone(record, plan.repeats);
      const value = (m: string) => record.repeats[m]?.[k] ?? NaN;
      const peak = value('memory.peakCpuOccupancyBytes');
      const unthrottled: SearchStep[] = planned.config.rateCap === 0
        ? [{
            rateCap: 0,
            events: planned.config.events,
            generatedPerSec: value('rates.generatedPerSec'),
            deliveredPerSec: value('rates.deliveredPerSec'),
            delivered: value('counts.delivered'),
            droppedKernel: value('counts.droppedKernel'),
            cpuPairNs: value('host.cpuPairNs'),
            ...(Number.isFinite(peak) ? { fill: fillOf(planned.config, peak) } : {}),
          }]
        : [];
      try {
        const s = await findSustainableRate(planned.config, { signal: stopper.signal, steps: SEARCH_STEPS, done: record.sustainableSearch ?? unthrottled });
        const perRepeat = [...(record.sustainable?.perRepeat ?? []), s.ratePerSec];
        const searches = [...(record.sustainable?.searches ?? []), s.steps];
        record.sustainable = { ...s, perRepeat, aggregate: aggregate(perRepeat), searches };
        delete record.sustainableSearch;
      } catch (e) {
        if (!(e instanceof SearchInterrupted)) throw e;
        record.sustainableSearch = e.steps;
      }
      save();
    }
  })();
  return { done, stop };
}
