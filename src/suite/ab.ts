/**
 * ab — the paired mode (`ringbench ab`): two variants of every scenario of a suite, A and B, run
 * interleaved trial by trial (A B, then B A, …), so whatever the machine does meanwhile lands on
 * both alike; compare then judges B against A from the paired differences (compare's 'paired'
 * basis). A side is knobs laid over the suite's scenarios ('consumerDelayNs=1000,ringbufBytes=1M'),
 * or a suite file of its own whose scenarios are matched by id. A measured saturation trial that
 * ran with the producer's and consumer's CPUs apart is run again, as in a suite (harness/cpu-pair).
 */
import { existsSync } from 'node:fs';
import { HostPlacement } from '../harness/cpu-pair.js';
import { captureEnvironment } from '../harness/env.js';
import { ConfigError, flagOf, resolveConfig } from '../harness/knobs.js';
import { probe, type ProbeReport } from '../harness/probe.js';
import { abortScenarios } from '../harness/trial.js';
import type { TrialResult } from '../harness/types.js';
import { RESULTS_SCHEMA, type ResultsFile } from '../results/schema.js';
import { addSetAside, addTrial, newRecord } from '../results/write.js';
import { BUILTIN_SUITES, loadSuite, SuiteError, type PlannedScenario, type SuitePlan } from './suite.js';

/** One scenario measured both ways. */
export interface AbPair {
  id: string;
  a: PlannedScenario;
  b: PlannedScenario;
}

export interface AbPlan {
  name: string;
  repeats: number;
  warmup: number;
  /** how each side was given, for the results' command line */
  sides: { a: string; b: string };
  pairs: AbPair[];
  /** scenarios one side has and the other lacks */
  warnings: string[];
}

const isSuiteName = (raw: string) => (BUILTIN_SUITES as readonly string[]).includes(raw) || raw.endsWith('.json') || (raw.includes('/') && existsSync(raw));

/** "consumerDelayNs=1000,ringbuf-bytes=1M" → { consumerDelayNs: '1000', ringbufBytes: '1M' }. */
export function parseKnobs(raw: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new SuiteError(`${flag} must be knob=value pairs separated by commas (e.g. consumerDelayNs=1000,ringbufBytes=1M) or a suite; got '${part}'`);
    const key = part.slice(0, eq).trim().replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (key === 'transport') throw new SuiteError(`${flag}: transport cannot be a knob here (both sides run the suite's transports)`);
    out[key] = part.slice(eq + 1).trim();
  }
  return out;
}

/** The scenarios of one side: the suite's, with the side's knobs laid over each. */
function sideScenarios(base: SuitePlan, raw: string, flag: string): SuitePlan['scenarios'] {
  if (isSuiteName(raw)) return loadSuite(raw).scenarios;
  const knobs = parseKnobs(raw, flag);
  return base.scenarios.map((s) => {
    try {
      const config = resolveConfig({ ...s.config, ...knobs }, { naming: (k) => `${flag} ${k in knobs ? k : flagOf(k)}` });
      return { ...s, config };
    } catch (e) {
      if (e instanceof ConfigError) throw new SuiteError(e.message);
      throw e;
    }
  });
}

/** The pairs to run: every scenario id both sides have (bad knobs or suites throw SuiteError). */
export function planAb(suite: string, a: string, b: string): AbPlan {
  const base = loadSuite(suite);
  const sa = sideScenarios(base, a, '--a');
  const sb = new Map(sideScenarios(base, b, '--b').map((s) => [s.id, s]));
  const warnings: string[] = [];
  const pairs = sa.filter((s) => sb.has(s.id)).map((s) => ({ id: s.id, a: s, b: sb.get(s.id)! }));
  const onlyA = sa.filter((s) => !sb.has(s.id)).map((s) => s.id);
  const onlyB = [...sb.keys()].filter((id) => !sa.some((s) => s.id === id));
  if (onlyA.length) warnings.push(`only in A, not run: ${onlyA.join(', ')}`);
  if (onlyB.length) warnings.push(`only in B, not run: ${onlyB.join(', ')}`);
  if (!pairs.length) throw new SuiteError('--a and --b share no scenario (scenarios are matched by group/label/transport)');
  return { name: base.name, repeats: base.repeats, warmup: base.warmup, sides: { a, b }, pairs, warnings };
}

export interface AbProgress {
  done: number;
  total: number;
  id: string;
  side: 'a' | 'b';
  warmup: boolean;
  result: TrialResult;
}

/** Runs the pairs; `a` and `b` are results files whose repeat i of a scenario form pair i. */
export function runAb(plan: AbPlan, opts: { capabilities?: ProbeReport; command: string; onTrial?: (p: AbProgress) => void }) {
  let stopped = false;
  const stop = () => {
    stopped = true;
    abortScenarios();
  };
  const done = (async () => {
    const environment = captureEnvironment(opts.capabilities ?? probe());
    const file = (side: 'a' | 'b'): ResultsFile => ({
      schema: RESULTS_SCHEMA,
      suite: `${plan.name} (${side.toUpperCase()}: ${plan.sides[side] || 'as is'})`,
      command: opts.command,
      startedAt: new Date().toISOString(),
      complete: false,
      environment,
      scenarios: [],
    });
    const out = { a: file('a'), b: file('b') };
    // a pair's two trials in the same host placement of the CPU pair, as in a suite run
    const placement = new HostPlacement();
    const total = plan.pairs.length * (plan.repeats + plan.warmup) * 2;
    let done = 0;
    for (const pair of plan.pairs) {
      const rec = { a: newRecord(pair.a), b: newRecord(pair.b) };
      for (let i = 0; i < plan.warmup + plan.repeats && !stopped; i++) {
        const results: Partial<Record<'a' | 'b', TrialResult>> = {};
        const aside: Record<'a' | 'b', TrialResult[]> = { a: [], b: [] };
        // A B, then B A: neither side always runs first (after the other's teardown, on a warmer cache)
        for (const side of i % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
          if (stopped) break;
          const { kept: r, setAside } = await placement.trial(pair[side].config, { rerun: i >= plan.warmup });
          if (r.aborted && stopped) break;
          results[side] = r;
          aside[side] = setAside;
          opts.onTrial?.({ done: ++done, total, id: pair.id, side, warmup: i < plan.warmup, result: r });
        }
        // a pair counts only whole: both sides of the same round
        if (results.a && results.b && i >= plan.warmup) {
          addTrial(rec.a, results.a);
          addTrial(rec.b, results.b);
          addSetAside(rec.a, aside.a);
          addSetAside(rec.b, aside.b);
        }
      }
      if (rec.a.repeats['wallNs']?.length) {
        out.a.scenarios.push(rec.a);
        out.b.scenarios.push(rec.b);
      }
      if (stopped) break;
    }
    const finishedAt = new Date().toISOString();
    for (const f of [out.a, out.b]) Object.assign(f, { complete: !stopped, finishedAt });
    return out;
  })();
  return { done, stop };
}
