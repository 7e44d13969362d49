/**
 * results/schema — the results file a run writes (ringbench/results@1): one record per scenario
 * with the raw value of every repeat and its aggregates, and the metric names it carries.
 */
import type { SearchStep } from '../harness/sustainable.js';
import type { KernelCalibration } from './calibration.js';
import type { Environment, LossRun, Placement, ScenarioConfig, SearchRun, SustainableRate, Timeline, Transport } from '../harness/types.js';

export type { LossRun };

/** Mean and spread of one metric over repeats. */
export interface Aggregate {
  n: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  median: number;
  /** 95% confidence interval of the mean (Student t) */
  ci95: [number, number];
  /** relative half-width of the CI: (hi - lo) / 2 / |mean| */
  relCi: number;
  /** repeats outside 1.5 IQR */
  outliers: number;
}

/** One scenario of a suite: its configuration, the raw value of every repeat, and aggregates. */
export interface ScenarioRecord {
  /** stable identity used to match scenarios across runs: "<group>/<label>/<transport>" */
  id: string;
  /** the question this scenario belongs to, e.g. "producers", "memory", "wakeup", "event-size" */
  group: string;
  /** the swept value, human-readable, e.g. "workers=2" */
  label: string;
  /** the swept parameter's name and numeric value, for charts; `relative`: the suite gave it
   *  relative to the CPU count ("ncpu/2"), resolved on the machine that ran it */
  x: { name: string; value: number; relative?: string };
  transport: Transport;
  config: ScenarioConfig;
  /** flattened dotted metric name -> one value per repeat, e.g. "rates.deliveredPerSec": [..] */
  repeats: Record<string, number[]>;
  /** flattened dotted metric name -> aggregate */
  aggregates: Record<string, Aggregate>;
  /** the timeline of the last repeat (for the storm timeline chart) */
  timeline?: Timeline;
  /** words about noise or accounting, shown in reports */
  warnings: string[];
  /** saturation scenarios: the raw ceiling and the highest rate cap with no drops */
  sustainable?: SustainableRecord;
  /** an interrupted sustainable-rate search: the runs it finished, which --resume replays */
  sustainableSearch?: SearchStep[];
  /** a group with a loss curve (suite `lossCurve`): capped runs on a grid of offered rates and the
   *  share of them that dropped; absent in other groups and in runs from before it */
  lossCurve?: LossCurveRecord;
  /** how the load's BPF program attached (TrialResult.attachedVia of the repeats), e.g. "fentry" or
   *  "tp_btf/sys_enter" for the saturation load; optional, reports fall back to generic words */
  attachedVia?: string;
  /** where the threads ran (TrialResult.placement of the last repeat); optional in older files */
  placement?: Placement;
  /** trials measured with the producer's and consumer's CPUs apart and run again (harness/cpu-pair),
   *  in run order; absent when none was */
  setAside?: SetAsideTrial[];
  /** a group with a precision target (suite PRECISION): the target and why its repeats stopped:
   *  'precise' (every judged figure within it), 'max-repeats' or 'max-seconds' (a bound came first),
   *  'out-of-reach' (left out of the rounds once its spread needed more of them than the time left) */
  precision?: {
    relCi: number; maxRepeats: number; maxSeconds: number;
    stoppedBy: 'precise' | 'max-repeats' | 'max-seconds' | 'out-of-reach';
    /** out-of-reach: the rounds its widest figure still needed at its spread, beyond the group's time */
    needed?: number;
  };
  /** statistics of the load-phase durations (ms) of the repeats measured by the run that wrote it
   *  (rme: the 95% margin of error in % of the mean). 'tinybench' in runs before issue 11, whose
   *  repeats tinybench scheduled; 'repeats' since the runner interleaves repeats itself. */
  timing?: { source: 'tinybench' | 'repeats'; loadPhaseMs: { mean: number; rme: number; min: number; max: number; p50: number; samples: number } };
}

/** The runs at one offered rate, and what share of them dropped. */
export interface LossPoint {
  rateCap: number;
  /** runs measured at this rate, and those with droppedKernel > 0 */
  runs: number;
  dropped: number;
  /** dropped / runs */
  share: number;
  /** P(a run of `seconds` drops): Wilson score 95% interval */
  pDrop: { lo: number; hi: number };
  samples: LossRun[];
}

/**
 * A loss curve (analysis/loss.ts reads it): capped runs of `seconds` each at `points.length`
 * log-spaced offered rates from `from` × the raw ceiling to the ceiling, and at the rate the
 * sustainable rule asks about, more runs while the group's time allows.
 */
export interface LossCurveRecord {
  /** how long each capped run lasts at its rate */
  seconds: number;
  /** the raw ceiling the grid was scaled to: the mean generated/s of the scenario's repeats */
  ceilingPerSec: number;
  /** the lowest offered rate as a share of the ceiling */
  from: number;
  /** the bytes of the buffer the producer writes into (the ring, or one CPU's perf buffer) and
   *  the bytes one record takes in it: the time it holds at a rate follows */
  bufferBytes: number;
  recordBytes: number;
  /** how stallNs was measured: the stall record's longest commit-to-read delay, or the longest
   *  sampled delivery latency (latencyNs.max) in runs from before it */
  stall: 'commit-to-read' | 'latency-max';
  /** the sustainable rule's bound on the Wilson upper limit of P(drop) (analysis/loss.ts) */
  maxDropUpper: number;
  points: LossPoint[];
  /** every planned run measured (the extra runs may have stopped at the group's time bound) */
  complete: boolean;
}

/** A measured repeat set aside because the host had the producer's and consumer's CPUs apart;
 *  `repeat` is the number of the repeat measured in its place. */
export interface SetAsideTrial {
  repeat: number;
  rateCap: number;
  cpuPairNs: number;
  generatedPerSec: number;
  droppedKernel: number;
}

/**
 * A scenario's sustainable rate. The top-level fields are the latest search's; since issue 11 a
 * run searches once per measured repeat, and `perRepeat` holds every search's answer (run order)
 * with `aggregate` their mean ± 95% CI. Runs before that searched once: no perRepeat.
 */
export interface SustainableRecord extends SustainableRate {
  perRepeat?: number[];
  aggregate?: Aggregate;
  /** every search's runs, in perRepeat's order (`steps` is the last); absent before they were kept */
  searches?: SearchRun[][];
}

/** The run's control trials (harness/control.ts): the machine measured with no BPF attached, one
 *  sample of each kind before every scenario. Optional: runs before issue 14 have none. */
export interface RunControl {
  /** the control trials' sizes */
  config: { stormChildren: number; triggerCalls: number; workers: number };
  /** "control.stormPerSec" and "control.triggerPerSec" (results/metrics CONTROL_METRICS): one value
   *  per scenario, in run order */
  samples: Record<string, number[]>;
}

export const RESULTS_SCHEMA = 'ringbench/results@1';

export interface ResultsFile {
  schema: typeof RESULTS_SCHEMA;
  suite: string;
  command: string;
  startedAt: string;
  finishedAt?: string;
  complete: boolean;
  environment: Environment;
  /** the suite as it was run (so --resume and readers know what was planned) */
  suiteDefinition?: unknown;
  /** sha256 of JSON.stringify(suiteDefinition): --resume refuses a definition edited since */
  suiteHash?: string;
  /** scenarios planned, and how many of them have every repeat */
  progress?: { planned: number; finished: number; repeats: number; warmup: number };
  scenarios: ScenarioRecord[];
  /** the machine measured with no BPF attached, interleaved with the scenarios */
  control?: RunControl;
  /** CPU time, summed over CPUs, while this run (and any --resume of it) ran: all of it, and what
   *  the hypervisor withheld from the VM (steal, /proc/stat). Optional: older runs have none. */
  machine?: { cpuSeconds: number; stealSeconds: number };
  /** the kernel's own ring buffer benchmark beside ringbench's closest configuration
   *  (bench/kernel/calibrate.mjs --json, attached by run --calibration); optional */
  calibration?: KernelCalibration;
}

/** One usable results file, labelled for display. */
export interface ResultSet {
  /** path of the results.json it came from */
  file: string;
  /** display label: "hostname · kernel", or the file name when those are identical across sets */
  label: string;
  /** short tag for narrow table headers: "A", "B", ... */
  tag: string;
  results: ResultsFile;
}

