/**
 * compare-types — the shapes a comparison is made of (analysis/compare.ts builds them; the
 * noise basis, report/compare-format.ts and the CLI read them), in a module of their own so
 * none of those imports compare.ts for a type.
 */
import type { MetricComparison } from './compare-judge.js';
import type { NoiseFile } from './noise.js';
import type { LoadMode } from '../results/metrics.js';
import type { Environment } from '../harness/types.js';

export type { ChangeVerdict, MetricComparison, SideSummary } from './compare-judge.js';

export const COMPARISON_SCHEMA = 'ringbench/comparison@1';

export interface ScenarioComparison {
  id: string;
  group: string;
  label: string;
  transport: string;
  mode: LoadMode;
  metrics: MetricComparison[];
}

export interface RunSummary {
  /** the file it was loaded from (several, comma-separated, with runs as units) */
  source: string;
  suite: string;
  startedAt: string;
  complete: boolean;
  environment: Omit<Environment, 'capabilities'>;
}

/** What the intervals know about: see the module comment. */
export type NoiseBasisKind = 'paired' | 'runs' | 'noise' | 'within-run';

export interface NoiseBasis {
  kind: NoiseBasisKind;
  /** one line for people: the method and what it covers */
  text: string;
  /** runs per side */
  runs: { base: number; candidate: number };
  /** with kind 'noise': the noise file and how many runs it holds */
  noiseFile?: string;
  noiseRuns?: number;
}

/** The machine itself, measured with no BPF attached (a run's control). */
export interface ControlComparison {
  metric: string;
  comparison: MetricComparison;
  /** moved beyond the threshold and its noise */
  moved: boolean;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  thresholdPct: number;
  method: string;
  basis: NoiseBasis;
  base: RunSummary;
  candidate: RunSummary;
  /** environment fields that differ between the runs (date excluded) */
  environmentDiffs: { field: string; base: string; candidate: string }[];
  /** the control's drift; empty when either side has no control */
  control: ControlComparison[];
  /** the control moved beyond its noise (see the module comment) */
  machineChanged: boolean;
  /** scenarios present on both sides, in the base run's order */
  scenarios: ScenarioComparison[];
  onlyInBase: string[];
  onlyInCandidate: string[];
  /** scenarios on both sides whose configuration differs: shown, never judged */
  notComparable: { id: string; diffs: string[] }[];
  /** plain-language caveats: one-sided scenarios, configuration differences, incomplete runs */
  warnings: string[];
  /** verdicts of judged metrics, and how many informational metrics were compared */
  /** undecided: judged metrics without enough data for an interval (also counted in their verdict) */
  summary: { regressed: number; improved: number; noChange: number; withinNoise: number; informational: number; undecided: number };
}

export interface CompareOptions {
  thresholdPct: number;
  /** a noise record (`ringbench noise`) for a single pair of runs */
  noise?: NoiseFile;
  /** where the noise record came from, for the basis line */
  noiseSource?: string;
  /** the two sides ran interleaved trial by trial: repeat i of each side form a pair */
  paired?: boolean;
}
