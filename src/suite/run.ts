/**
 * run — runs a suite: every planned scenario, warm-up repeats first (discarded), then measured
 * repeats through tinybench, writing results.json and results.csv after every finished trial so
 * an interrupted run loses nothing it had finished, the finished runs of a sustainable-rate search
 * included. A run can be resumed from its directory.
 */
import { Bench } from 'tinybench';
import { findSustainableRate, SearchInterrupted } from '../harness/sustainable.js';
import { CONTROL_CONFIG, runControl } from '../harness/control.js';
import { captureEnvironment } from '../harness/env.js';
import { probe, type ProbeReport } from '../harness/probe.js';
import { type OutputDir } from '../results/outdir.js';
import { addTrial, newRecord, repeatsDone, writeResults } from '../results/write.js';
import { abortScenarios, runScenario } from '../harness/trial.js';
import { planSuite, type PlannedScenario, type SuitePlan } from './suite.js';
import { RESULTS_SCHEMA, type ResultsFile, type ScenarioRecord } from '../results/schema.js';
import { type TrialResult } from '../harness/types.js';

export interface TrialProgress {
  /** trials finished so far, warm-ups included, and the total planned */
  done: number;
  total: number;
  scenario: PlannedScenario;
  warmup: boolean;
  /** measured repeat number (1-based); 0 for a warm-up */
  repeat: number;
  result: TrialResult;
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
  /** false: skip the control trials (harness/control.ts) run before every scenario */
  control?: boolean;
}

/** Trials still to run for a plan, warm-ups included, given what a previous run finished. */
export function trialsLeft(plan: SuitePlan, previous?: ResultsFile): number {
  const done = new Map(previous?.scenarios.map((s) => [s.id, repeatsDone(s)]));
  return plan.scenarios.reduce((n, s) => {
    const left = Math.max(0, plan.repeats - (done.get(s.id) ?? 0));
    return n + (left ? left + plan.warmup : 0);
  }, 0);
}

/** The plan an earlier, interrupted run was following. */
export function planOf(previous: ResultsFile, dir: string): SuitePlan {
  if (!previous.suiteDefinition) throw new Error(`${dir}/results.json does not record its suite; it cannot be resumed`);
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
          scenarios: [],
        };
    const byId = new Map(results.scenarios.map((s) => [s.id, s]));
    // A scenario is done when it has every repeat and, if asked for, its sustainable rate.
    const isDone = (p: PlannedScenario) => {
      const r = byId.get(p.id);
      return !!r && repeatsDone(r) >= plan.repeats && (!p.sustainable || !!r.sustainable);
    };
    const total = trialsLeft(plan, opts.previous);
    let finished = 0;
    const save = () => {
      results.progress = {
        planned: plan.scenarios.length,
        finished: plan.scenarios.filter(isDone).length,
        repeats: plan.repeats,
        warmup: plan.warmup,
      };
      writeResults(opts.out, results);
    };
    save();

    for (const planned of plan.scenarios) {
      if (stopper.signal.aborted) break;
      if (isDone(planned)) continue;
      let rec = byId.get(planned.id);
      const left = plan.repeats - (rec ? repeatsDone(rec) : 0);
      if (!rec) {
        rec = newRecord(planned);
        byId.set(planned.id, rec);
        results.scenarios.push(rec);
      }
      const record = rec;
      opts.onScenarioStart?.(planned, finished, total);
      if (left > 0 && opts.control !== false) await measureControl();
      if (left > 0) await runRepeats(planned, record, left);
      if (planned.sustainable && !record.sustainable && !stopper.signal.aborted) {
        opts.onSearch?.(planned);
        try {
          record.sustainable = await findSustainableRate(planned.config, { signal: stopper.signal, done: record.sustainableSearch });
          delete record.sustainableSearch;
        } catch (e) {
          if (!(e instanceof SearchInterrupted)) throw e;
          record.sustainableSearch = e.steps;
        }
        save();
      }
    }
    results.complete = !stopper.signal.aborted && plan.scenarios.every(isDone);
    results.finishedAt = new Date().toISOString();
    save();
    return results;

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

    // tinybench schedules warm-up and measured iterations; each iteration is one real trial and
    // reports the trial's own load-phase duration, so tinybench's statistics describe the load,
    // not the setup around it.
    async function runRepeats(planned: PlannedScenario, record: ScenarioRecord, left: number): Promise<void> {
      let phase: 'warmup' | 'run' = 'run';
      // tinybench never removes the abort listeners it adds, so each scenario gets a signal of its
      // own (one listener on the run's stopper, removed after) instead of piling them on the stopper.
      const scenarioStop = new AbortController();
      const relay = () => scenarioStop.abort();
      stopper.signal.addEventListener('abort', relay, { once: true });
      const bench = new Bench({ iterations: left, time: 0, warmup: plan.warmup > 0, warmupIterations: plan.warmup, warmupTime: 0, throws: true, signal: scenarioStop.signal });
      bench.add(planned.id, async () => {
        const result = await runScenario(planned.config);
        if (result.aborted && stopper.signal.aborted) return { overriddenDuration: result.loadPhaseNs / 1e6 }; // cut short: not a finished trial
        finished++;
        if (phase === 'run') {
          addTrial(record, result);
          save();
        }
        opts.onTrial?.({ done: finished, total, scenario: planned, warmup: phase === 'warmup', repeat: phase === 'run' ? repeatsDone(record) : 0, result });
        return { overriddenDuration: result.loadPhaseNs / 1e6 };
      }, { beforeEach(mode) { phase = mode ?? 'run'; } });
      try {
        await bench.run();
      } finally {
        stopper.signal.removeEventListener('abort', relay);
      }
      const r = bench.tasks[0]?.result as { latency?: { mean: number; rme: number; min: number; max: number; p50: number; samplesCount: number } } | undefined;
      if (r?.latency && !stopper.signal.aborted) {
        const l = r.latency;
        record.timing = { source: 'tinybench', loadPhaseMs: { mean: l.mean, rme: l.rme, min: l.min, max: l.max, p50: l.p50, samples: l.samplesCount } };
        save();
      }
    }
  })();
  return { done, stop };
}
