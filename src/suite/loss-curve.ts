/**
 * loss-curve — runs a group's loss curves (suite LossCurveSpec): per scenario, capped runs at a
 * log-spaced grid of offered rates scaled to the raw ceiling its repeats measured, pass by pass
 * (each pass visits every rate of every scenario once, alternately upwards and downwards, so the
 * machine's drift lands on each rate alike); then, while the group's time allows, more runs at
 * the rate the sustainable rule still asks about (analysis/loss nextCandidate). Every finished
 * run is saved at once; --resume continues from the runs kept.
 */
import { mean } from '../results/aggregate.js';
import { lossGrid, lossPoint, nextCandidate } from '../analysis/loss.js';
import { bufferRecordBytes, cappedRun } from '../harness/capped.js';
import { producerBufferBytes } from '../harness/knobs.js';
import type { LossCurveRecord, ScenarioRecord } from '../results/schema.js';
import type { LossCurveSpec, PlannedScenario } from './suite.js';

export interface LossCurveHooks {
  signal: AbortSignal;
  /** write the results file (after every finished run) */
  save: () => void;
  /** a curve run finished */
  onRun?: (s: PlannedScenario, rate: number, dropped: boolean) => void;
}

/** A fresh curve for a record whose repeats measured its raw ceiling. */
export function newLossCurve(planned: PlannedScenario, record: ScenarioRecord, spec: LossCurveSpec): LossCurveRecord {
  const ceilingPerSec = mean(record.repeats['rates.generatedPerSec'] ?? []);
  return {
    seconds: spec.seconds,
    ceilingPerSec,
    from: spec.from,
    bufferBytes: producerBufferBytes(planned.config),
    recordBytes: bufferRecordBytes(planned.config),
    stall: 'latency-max',
    maxDropUpper: spec.maxDropUpper,
    points: lossGrid(ceilingPerSec, spec.from, spec.rates).map((rate) => lossPoint(rate, [])),
    complete: false,
  };
}

/** Runs (or finishes) the curves of a group's scenarios; returns early when the signal aborts. */
export async function runLossCurves(members: readonly { planned: PlannedScenario; record: ScenarioRecord }[], hooks: LossCurveHooks): Promise<void> {
  const todo = members.filter((m) => m.planned.lossCurve && !m.record.lossCurve?.complete);
  if (!todo.length) return;
  for (const m of todo) m.record.lossCurve ??= newLossCurve(m.planned, m.record, m.planned.lossCurve!);
  const spec = todo[0].planned.lossCurve!;

  /** One run of member m at point i; false when the stop cut it short. */
  const measure = async (m: (typeof todo)[number], i: number): Promise<boolean> => {
    const curve = m.record.lossCurve!;
    const point = curve.points[i];
    const { run, result } = await cappedRun(m.planned.config, point.rateCap, curve.seconds);
    if (result.aborted && hooks.signal.aborted) return false;
    const { stallSource, ...kept } = run;
    curve.stall = stallSource;
    curve.points[i] = lossPoint(point.rateCap, [...point.samples, kept]);
    hooks.save();
    hooks.onRun?.(m.planned, point.rateCap, kept.droppedKernel > 0);
    return true;
  };

  for (let pass = 0; pass < spec.runs; pass++) {
    const count = Math.max(...todo.map((m) => m.record.lossCurve!.points.length));
    const order = Array.from({ length: count }, (_, i) => (pass % 2 ? count - 1 - i : i));
    for (const i of order) {
      for (const m of todo) {
        if (hooks.signal.aborted) return;
        const point = m.record.lossCurve!.points[i];
        if (point && point.runs <= pass && !(await measure(m, i))) return;
      }
    }
  }
  // More runs where the rule is still open, round-robin across the scenarios, within the time.
  const started = Date.now();
  while (Date.now() - started < spec.maxSeconds * 1000) {
    let ran = false;
    for (const m of todo) {
      if (hooks.signal.aborted) return;
      if (Date.now() - started >= spec.maxSeconds * 1000) break;
      const curve = m.record.lossCurve!;
      const next = nextCandidate(curve);
      if (!next) continue;
      if (!(await measure(m, curve.points.indexOf(next)))) return;
      ran = true;
    }
    if (!ran) break;
  }
  for (const m of todo) m.record.lossCurve!.complete = true;
  hooks.save();
}
