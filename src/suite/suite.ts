/**
 * suite — a suite is data: groups of scenarios, each group answering one question by sweeping one
 * knob (or listing variants), run on both transports with repeats. This module loads a built-in
 * suite (suites/NAME.json) or a user's file, validates every field before anything runs
 * (errors name the file and the field), and expands it into the list of scenarios to measure.
 * The format is documented in suites/README.md.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { InputFileError, readJsonInput } from '../results/input.js';
import { basename, join } from 'node:path';
import { ConfigError, didYouMean, resolveConfig } from '../harness/knobs.js';
import { ROOT } from '../harness/addon.js';
import { TRANSPORTS, type ScenarioConfig, type Transport } from '../harness/types.js';
import { type ScenarioRecord } from '../results/schema.js';

export const BUILTIN_SUITES = ['smoke', 'quick', 'standard', 'full'] as const;

export interface SuiteVariant {
  label: string;
  x?: number;
  transports?: Transport[];
  set: Record<string, unknown>;
}

export interface SuiteGroup {
  group: string;
  title?: string;
  transports?: Transport[];
  /** knobs fixed for the whole group */
  set?: Record<string, unknown>;
  /** exactly one knob and its values; a value may be relative to the CPU count ("ncpu",
   *  "ncpu/2"), resolved when the suite is planned (at least 1; duplicates dropped) */
  sweep?: Record<string, unknown[]>;
  /** instead of a sweep, or with one: the sweep then runs for each variant */
  variants?: SuiteVariant[];
  /** after the repeats, search each scenario's sustainable rate (saturation load only) */
  sustainable?: boolean;
  /** keep repeating the group's imprecise scenarios until their rates are this precise */
  precision?: Precision;
  /** after the repeats, a loss curve of each scenario (saturation load only) */
  lossCurve?: LossCurveSpec;
}

/**
 * A loss curve (suite/loss-curve.ts): `runs` capped runs of `seconds` at each of `rates`
 * log-spaced offered rates from `from` × the scenario's raw ceiling to the ceiling, interleaved
 * across rates and scenarios; then, for at most `maxSeconds`, more runs at the rate the
 * sustainable rule (Wilson upper bound on P(drop) at most `maxDropUpper`) still asks about.
 */
export interface LossCurveSpec {
  from: number;
  rates: number;
  runs: number;
  seconds: number;
  maxDropUpper: number;
  maxSeconds: number;
}

/**
 * A precision target, as criterion measures until its estimate settles: after the suite's repeats,
 * further rounds repeat the group's scenarios whose 95% interval is still wider than `relCi` of the
 * mean (in the figures analysis/precision names), round-robin, until each is
 * within it or a bound is hit: `maxRepeats` repeats of a scenario, `maxSeconds` for the extra rounds.
 */
export interface Precision {
  relCi: number;
  maxRepeats: number;
  maxSeconds: number;
}

export interface SuiteFile {
  name: string;
  description?: string;
  repeats: number;
  warmup: number;
  transports?: Transport[];
  /** knobs for every scenario of the suite */
  defaults?: Record<string, unknown>;
  groups: SuiteGroup[];
}

/** One scenario to measure: the identity its record will carry, and whether to search its
 *  sustainable rate after the repeats. */
export type PlannedScenario = Pick<ScenarioRecord, 'id' | 'group' | 'label' | 'x' | 'transport' | 'config'> & {
  sustainable: boolean;
  precision?: Precision;
  lossCurve?: LossCurveSpec;
};

export interface SuitePlan {
  name: string;
  /** where the suite came from: a built-in name or the file path */
  source: string;
  repeats: number;
  warmup: number;
  definition: SuiteFile;
  scenarios: PlannedScenario[];
}

/** A malformed suite: the message names the file and the field. */
export class SuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function label(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/** A sweep value relative to the CPU count: "ncpu" or "ncpu/K". */
const RELATIVE = /^ncpu(?:\/([1-9]\d*))?$/;

/** The value of a sweep entry on a machine of `cpuCount` CPUs: "ncpu/K" is floor(cpuCount / K),
 *  at least 1; any other value as it is. */
export function resolveRelative(value: unknown, cpuCount: number): unknown {
  const m = typeof value === 'string' ? RELATIVE.exec(value) : null;
  return m ? Math.max(1, Math.floor(cpuCount / Number(m[1] ?? 1))) : value;
}

/** Resolves `--suite`: a built-in name or a path to a JSON file. */
export function loadSuite(nameOrPath: string): SuitePlan {
  const builtin = (BUILTIN_SUITES as readonly string[]).includes(nameOrPath);
  const file = builtin ? join(ROOT, 'suites', `${nameOrPath}.json`) : nameOrPath;
  if (!builtin && !existsSync(file)) {
    throw new SuiteError(`--suite must be ${BUILTIN_SUITES.join(', ')} or a suite file; '${nameOrPath}' is neither`);
  }
  let parsed: unknown;
  // A suite is a page of JSON: a regular file of at most 1 MiB, counted while reading
  // (results/input), so /dev/zero or a FIFO is refused rather than read forever.
  const MAX_SUITE_BYTES = 1 << 20;
  try {
    parsed = readJsonInput(file, MAX_SUITE_BYTES).data;
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    throw new SuiteError(`${file}: ${e.message.startsWith('not JSON') ? e.message.replace('not JSON', 'not valid JSON') : e.message.replace('such a file', 'a suite file')}`);
  }
  return planSuite(parsed, builtin ? nameOrPath : file);
}

/** The fields each level of a suite file may have: a misspelt one would otherwise be ignored
 *  silently ("defualts" ran with the default 20000 children). */
const SUITE_FIELDS = ['name', 'description', 'repeats', 'warmup', 'transports', 'defaults', 'groups'] as const satisfies readonly (keyof SuiteFile)[];
const GROUP_FIELDS = ['group', 'title', 'transports', 'set', 'sweep', 'variants', 'sustainable', 'precision', 'lossCurve'] as const satisfies readonly (keyof SuiteGroup)[];
const VARIANT_FIELDS = ['label', 'x', 'transports', 'set'] as const satisfies readonly (keyof SuiteVariant)[];
const PRECISION_FIELDS = ['relCi', 'maxRepeats', 'maxSeconds'] as const satisfies readonly (keyof Precision)[];
const LOSS_CURVE_FIELDS = ['from', 'rates', 'runs', 'seconds', 'maxDropUpper', 'maxSeconds'] as const satisfies readonly (keyof LossCurveSpec)[];

/** Validates a parsed suite and expands it; `source` names it in errors. Sweep values relative to
 *  the CPU count resolve against `cpuCount` (this machine's by default). */
export function planSuite(parsed: unknown, source: string, cpuCount: number = cpus().length): SuitePlan {
  const where = basename(source);
  const fail = (field: string, what: string) => new SuiteError(`${where}: ${field} ${what}`);
  const onlyKnown = (o: Record<string, unknown>, known: readonly string[], at: string) => {
    for (const key of Object.keys(o)) {
      if (known.includes(key)) continue;
      const close = didYouMean(key, known);
      throw fail(`${at}${key}`, `is not a suite field; ${close ? `did you mean "${close}"? ` : ''}valid here: ${known.join(', ')}`);
    }
  };
  if (!isObject(parsed)) throw fail('(top level)', 'must be an object');
  onlyKnown(parsed, SUITE_FIELDS, '');
  const s = parsed as unknown as SuiteFile;
  if (typeof s.name !== 'string' || !s.name) throw fail('name', 'must be a non-empty string');
  for (const [field, min, max] of [['repeats', 1, 1000], ['warmup', 0, 100]] as const) {
    const v = (s as unknown as Record<string, unknown>)[field];
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw fail(field, `must be an integer in ${min}..${max}; got '${String(v)}'`);
  }
  const transportsOf = (v: unknown, field: string): Transport[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.length || !v.every((t) => (TRANSPORTS as readonly unknown[]).includes(t))) {
      throw fail(field, `must be a non-empty list of ${TRANSPORTS.join(', ')}`);
    }
    return v as Transport[];
  };
  const suiteTransports = transportsOf(s.transports, 'transports') ?? [...TRANSPORTS];
  if (s.defaults !== undefined && !isObject(s.defaults)) throw fail('defaults', 'must be an object of scenario knobs');
  if (!Array.isArray(s.groups) || !s.groups.length) throw fail('groups', 'must be a non-empty list');

  const scenarios: PlannedScenario[] = [];
  const ids = new Set<string>();
  s.groups.forEach((g, gi) => {
    const gf = `groups[${gi}]`;
    if (!isObject(g)) throw fail(gf, 'must be an object');
    onlyKnown(g as unknown as Record<string, unknown>, GROUP_FIELDS, `${gf}.`);
    if (typeof g.group !== 'string' || !/^[a-z0-9-]+$/.test(g.group)) throw fail(`${gf}.group`, "must be a name of lowercase letters, digits and '-'");
    if (g.set !== undefined && !isObject(g.set)) throw fail(`${gf}.set`, 'must be an object of scenario knobs');
    if (g.sustainable !== undefined && typeof g.sustainable !== 'boolean') throw fail(`${gf}.sustainable`, 'must be true or false');
    const precision = g.precision === undefined ? undefined : precisionOf(g.precision, `${gf}.precision`, s.repeats);
    const lossCurve = g.lossCurve === undefined ? undefined : lossCurveOf(g.lossCurve, `${gf}.lossCurve`);
    const groupTransports = transportsOf(g.transports, `${gf}.transports`) ?? suiteTransports;
    type Point = { label: string; x: { name: string; value: number; relative?: string }; transports: Transport[]; set: Record<string, unknown>; field: string };
    const sweepPoints: Point[] = [];
    const variantPoints: Point[] = [];
    if (g.sweep === undefined && g.variants === undefined) throw fail(gf, "needs 'sweep', 'variants' or both");
    if (g.sweep !== undefined) {
      if (!isObject(g.sweep) || Object.keys(g.sweep).length !== 1) throw fail(`${gf}.sweep`, 'must name exactly one knob: { "knob": [values…] }');
      const [knob, values] = Object.entries(g.sweep)[0];
      if (!Array.isArray(values) || !values.length) throw fail(`${gf}.sweep.${knob}`, 'must be a non-empty list of values');
      const seen = new Set<string>();
      values.forEach((v, vi) => {
        const value = resolveRelative(v, cpuCount);
        // "ncpu/2" and 1 are the same point on 2 CPUs: it runs once
        if (seen.has(label(value))) return;
        seen.add(label(value));
        const relative = value !== v ? { relative: String(v) } : {};
        sweepPoints.push({ label: `${knob}=${label(value)}`, x: { name: knob, value: NaN, ...relative }, transports: groupTransports, set: { [knob]: value }, field: `${gf}.sweep.${knob}[${vi}]` });
      });
    }
    if (g.variants !== undefined) {
      if (!Array.isArray(g.variants) || !g.variants.length) throw fail(`${gf}.variants`, 'must be a non-empty list');
      g.variants.forEach((v, vi) => {
        const vf = `${gf}.variants[${vi}]`;
        if (isObject(v)) onlyKnown(v, VARIANT_FIELDS, `${vf}.`);
        if (!isObject(v) || typeof v.label !== 'string' || !v.label) throw fail(`${vf}.label`, 'must be a non-empty string');
        if (!isObject(v.set)) throw fail(`${vf}.set`, 'must be an object of scenario knobs');
        if (v.x !== undefined && typeof v.x !== 'number') throw fail(`${vf}.x`, 'must be a number');
        variantPoints.push({ label: v.label, x: { name: 'variant', value: v.x ?? vi }, transports: transportsOf(v.transports, `${vf}.transports`) ?? groupTransports, set: v.set, field: `${vf}.set` });
      });
    }
    // Both: the sweep runs for each variant ("shared workers=2"), its x the swept value.
    const points: Point[] = !variantPoints.length ? sweepPoints : !sweepPoints.length ? variantPoints
      : variantPoints.flatMap((vp) => sweepPoints.map((sp) => {
        const clash = Object.keys(sp.set).find((k) => k in vp.set);
        if (clash) throw fail(`${vp.field}.${clash}`, `is the group's swept knob: a variant cannot set it too`);
        return { ...sp, label: `${vp.label} ${sp.label}`, transports: vp.transports, set: { ...vp.set, ...sp.set } };
      }));
    for (const [field, knobs] of [['defaults', s.defaults], [`${gf}.set`, g.set], ...points.map((p) => [p.field, p.set] as const)] as const) {
      if (knobs && 'transport' in knobs) throw fail(`${field.replace(/\[\d+\]$/, '')}.transport`, "cannot be set: list transports in 'transports' instead");
    }
    for (const p of points) {
      // Which field of the file a knob came from, for error messages.
      const fieldOf = (key: string) =>
        key in p.set ? (p.field.includes('.sweep.') ? p.field : `${p.field}.${key}`) : g.set && key in g.set ? `${gf}.set.${key}` : `defaults.${key}`;
      for (const transport of p.transports) {
        const input = { ...s.defaults, ...g.set, ...p.set, transport };
        let config: ScenarioConfig;
        try {
          config = resolveConfig(input, { naming: (key) => fieldOf(key), conflicts: 'suite' });
        } catch (e) {
          if (e instanceof ConfigError) throw new SuiteError(`${where}: ${e.message}`);
          throw e;
        }
        const x = Number.isNaN(p.x.value) ? { ...p.x, value: Number(config[p.x.name as keyof ScenarioConfig]) } : p.x;
        const id = `${g.group}/${p.label}/${transport}`;
        if (ids.has(id)) throw fail(p.field, `repeats scenario '${id}'`);
        ids.add(id);
        // a drain consumer reads nothing during the load, and a back-to-back one sets the pace
        // itself (it triggers after each poll): neither has a sustainable rate to find
        const sustainable = g.sustainable === true && config.consumer !== 'drain' && (config.consumer as string) !== 'b2b';
        if (sustainable && config.load !== 'saturation') throw fail(`${gf}.sustainable`, "needs load 'saturation'");
        // a loss curve caps the producers' rate: a drain or back-to-back consumer has none to cap
        const curve = lossCurve && config.consumer !== 'drain' && (config.consumer as string) !== 'b2b' ? lossCurve : undefined;
        if (curve && (config.load !== 'saturation' || config.rateCap !== 0)) throw fail(`${gf}.lossCurve`, "needs load 'saturation' with no rateCap (the curve sets the rates)");
        scenarios.push({ id, group: g.group, label: p.label, x, transport, config, sustainable, ...(precision ? { precision } : {}), ...(curve ? { lossCurve: curve } : {}) });
      }
    }
  });
  return { name: s.name, source, repeats: s.repeats, warmup: s.warmup, definition: s, scenarios };

  function lossCurveOf(v: unknown, at: string): LossCurveSpec {
    if (!isObject(v)) throw fail(at, `must be an object: { "from": 0.05, "rates": 8, "runs": 5, "seconds": 0.3, "maxDropUpper": 0.2, "maxSeconds": 20 }`);
    onlyKnown(v, LOSS_CURVE_FIELDS, `${at}.`);
    const c = v as unknown as LossCurveSpec;
    const fraction = (key: 'from' | 'maxDropUpper', what: string) => {
      if (typeof c[key] !== 'number' || !(c[key] > 0 && c[key] < 1)) throw fail(`${at}.${key}`, `must be ${what} between 0 and 1; got '${String(c[key])}'`);
    };
    fraction('from', 'the lowest rate as a share of the raw ceiling');
    fraction('maxDropUpper', 'a probability');
    for (const [key, min, max] of [['rates', 2, 64], ['runs', 1, 1000], ['maxSeconds', 0, 3600]] as const) {
      if (!Number.isInteger(c[key]) || c[key] < min || c[key] > max) throw fail(`${at}.${key}`, `must be an integer in ${min}..${max}; got '${String(c[key])}'`);
    }
    if (typeof c.seconds !== 'number' || !(c.seconds >= 0.05 && c.seconds <= 60)) throw fail(`${at}.seconds`, `must be a run length in seconds, 0.05..60; got '${String(c.seconds)}'`);
    return { from: c.from, rates: c.rates, runs: c.runs, seconds: c.seconds, maxDropUpper: c.maxDropUpper, maxSeconds: c.maxSeconds };
  }

  function precisionOf(v: unknown, at: string, repeats: number): Precision {
    if (!isObject(v)) throw fail(at, `must be an object: { "relCi": 0.15, "maxRepeats": 30, "maxSeconds": 60 }`);
    onlyKnown(v, PRECISION_FIELDS, `${at}.`);
    const { relCi, maxRepeats, maxSeconds } = v as unknown as Precision;
    if (typeof relCi !== 'number' || !(relCi > 0 && relCi < 1)) throw fail(`${at}.relCi`, `must be a fraction of the mean between 0 and 1 (0.15 = ±15%); got '${String(relCi)}'`);
    if (!Number.isInteger(maxRepeats) || maxRepeats < repeats || maxRepeats > 1000) throw fail(`${at}.maxRepeats`, `must be an integer in ${repeats}..1000 (at least the suite's repeats); got '${String(maxRepeats)}'`);
    if (!Number.isInteger(maxSeconds) || maxSeconds < 1 || maxSeconds > 3600) throw fail(`${at}.maxSeconds`, `must be an integer in 1..3600; got '${String(maxSeconds)}'`);
    return { relCi, maxRepeats, maxSeconds };
  }
}
