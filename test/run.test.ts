/**
 * run — suites validate, a tiny custom suite runs end to end on the real kernel and its JSON and
 * CSV agree, Ctrl-C keeps every finished trial in valid files and --resume finishes only the rest,
 * and non-TTY output is plain lines.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_SUITES, loadSuite, planSuite, SuiteError } from '../src/suite/suite.js';
import { JUDGE_VALUES } from '../src/suite/run.js';
import { type ResultsFile } from '../src/results/schema.js';
import { METRIC_NAMES } from '../src/results/metrics.js';
import { loadedRingbenchObjects, settle, sleep, stormProcesses } from './kernel.js';
import { ROOT } from '../src/harness/addon.js';
import { runCli } from './cli.js';

const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ringbench-run-'));
  made.push(dir);
  return dir;
};
test.after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const cli = runCli;

/** Splits one CSV line, honouring quotes (our values have no embedded newlines). */
function csvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

function readCsv(path: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = csvLine(head);
  return rows.map((r) => Object.fromEntries(csvLine(r).map((v, i) => [cols[i], v])));
}

const tinySuite = (repeats: number, children: number) => ({
  name: 'tiny',
  repeats,
  warmup: 1,
  defaults: { children, ringbufBytes: '256K' },
  groups: [
    { group: 'producers', sweep: { workers: [1, 2] } },
    { group: 'memory', set: { consumerDelayNs: 20000 }, sweep: { ringbufBytes: ['16K', '1M'] } },
  ],
});

test('built-in suites validate and cover every question on both transports', () => {
  for (const name of BUILTIN_SUITES.filter((n) => n !== 'smoke')) { // smoke: a does-it-work check, see matrix.test
    const plan = loadSuite(name);
    const groups = new Set(plan.scenarios.map((s) => s.group));
    for (const g of ['producers', 'memory', 'wakeup', 'event-size', 'latency', 'cpu']) assert.ok(groups.has(g), `${name} lacks ${g}`);
    for (const s of plan.scenarios.filter((s) => s.group === 'memory')) {
      // equal memory: perfbuf data over all CPUs equals the ringbuf's
      assert.ok(s.config.memory === 'equal');
    }
    assert.equal(new Set(plan.scenarios.map((s) => s.transport)), new Set(['ringbuf', 'perfbuf']));
  }
});

test('malformed suites are rejected naming the file and field', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...tinySuite(1, 10), repeats: 0 }, /my\.json: repeats must be an integer in 1\.\.1000/],
    [{ ...tinySuite(1, 10), groups: [{ group: 'x', sweep: { workers: [1, 0] } }] }, /my\.json: groups\[0\]\.sweep\.workers\[1\] must be an integer in 1\.\.64; got '0'/],
    [{ ...tinySuite(1, 10), groups: [{ group: 'x', set: { ringbufBytes: '3K' }, sweep: { workers: [1] } }] }, /groups\[0\]\.set\.ringbufBytes must be a power-of-two multiple/],
    [{ ...tinySuite(1, 10), groups: [{ group: 'x', sweep: { wrokers: [1] } }] }, /groups\[0\]\.sweep\.wrokers\[0\] is not a scenario knob; did you mean 'workers'\? valid: transport, load/],
    [{ ...tinySuite(1, 10), groups: [{ group: 'x' }] }, /groups\[0\] needs 'sweep', 'variants' or both/],
    [{ ...tinySuite(1, 10), defaults: { transport: 'pipe' } }, /my\.json: defaults\.transport cannot be set: list transports in 'transports' instead/],
    [{ ...tinySuite(1, 10), transports: ['pipe'] }, /my\.json: transports must be a non-empty list of ringbuf, perfbuf/],
    [{ ...tinySuite(3, 10), groups: [{ group: 'x', sweep: { workers: [1] }, precision: { relCi: 15, maxRepeats: 9, maxSeconds: 9 } }] }, /groups\[0\]\.precision\.relCi must be a fraction of the mean between 0 and 1 \(0\.15 = ±15%\); got '15'/],
    [{ ...tinySuite(3, 10), groups: [{ group: 'x', sweep: { workers: [1] }, precision: { relCi: 0.1, maxRepeats: 2, maxSeconds: 9 } }] }, /groups\[0\]\.precision\.maxRepeats must be an integer in 3\.\.1000/],
    [{ ...tinySuite(3, 10), groups: [{ group: 'x', sweep: { workers: [1] }, precision: { relCi: 0.1, maxRepeats: 9, maxSecond: 9 } }] }, /groups\[0\]\.precision\.maxSecond is not a suite field; did you mean "maxSeconds"\?/],
  ];
  for (const [suite, message] of cases) {
    try {
      planSuite(suite, '/somewhere/my.json');
      assert.unreachable(`accepted ${JSON.stringify(suite)}`);
    } catch (e) {
      assert.instance(e, SuiteError);
      assert.match((e as Error).message, message);
    }
  }
});

test('bad run input exits 2 before any trial', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'broken.json'), '{ "name": ');
  const cases: [string[], RegExp][] = [
    [['run', '--suite', 'nightly'], /--suite must be smoke, quick, standard, full or a suite file; 'nightly' is neither/],
    [['run', '--suite', join(dir, 'broken.json')], /broken\.json: not valid JSON/],
    [['run', '--suite', 'quick', '--out', '/proc/ringbench'], /--out \/proc\/ringbench: cannot write there/],
    [['run', '--resume', dir], /--resume .*: no results\.json there/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.is(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.equal(loadedRingbenchObjects(), []);
});

test('a tiny suite runs end to end; results.json and results.csv agree; CI output is plain lines', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tinySuite(2, 300)));
  const out = join(dir, 'out');
  const r = await cli(['run', '--suite', join(dir, 'tiny.json'), '--out', out, '--no-report']);
  assert.is(r.code, 0, r.stderr);
  // 8 scenarios × (2 repeats + 1 warm-up)
  assert.match(r.stderr, /\[24\/24\] /);
  assert.not.match(r.stderr, /\r|\x1b\[/, 'no carriage returns or ANSI codes when not on a TTY');
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  assert.is(results.schema, 'ringbench/results@1');
  assert.ok(results.complete);
  assert.is(results.scenarios.length, 8);
  assert.ok(results.environment.kernel && results.environment.libbpf && results.environment.gitCommit);
  // which libbpf the addon links, as scripts/build.sh was told (RINGBENCH_LIBBPF, default system)
  assert.is(results.environment.libbpfSource, readFileSync(join(ROOT, 'build', 'libbpf-choice'), 'utf8').split(' ')[0]);
  const rows = readCsv(join(out, 'results.csv'));
  assert.is(rows.length, results.scenarios.length);
  for (const s of results.scenarios) {
    assert.is(s.repeats['counts.delivered'].length, 2);
    const row = rows.find((x) => x.id === s.id);
    assert.ok(row, `CSV row for ${s.id}`);
    assert.is(row!.transport, s.transport);
    assert.is(Number(row!['config.ringbufBytes']), s.config.ringbufBytes);
    for (const m of METRIC_NAMES) {
      assert.ok(`${m}.mean` in row!, `column ${m}.mean`);
      assert.ok(Math.abs(Number(row![`${m}.mean`]) - s.aggregates[m].mean) <= 1e-9 * Math.max(1, Math.abs(s.aggregates[m].mean)), `${s.id} ${m}`);
    }
    // the kernel's accounting holds in every repeat
    s.repeats['counts.delivered'].forEach((d, i) => assert.is(d + s.repeats['counts.droppedKernel'][i], s.repeats['counts.seenByBpf'][i]));
  }
});

test('Ctrl-C keeps finished trials in valid files; repeats interleave; --resume finishes only what was missing', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tinySuite(3, 2000)));
  const out = join(dir, 'out');
  const resultsPath = join(out, 'results.json');
  const finishedTrials = () => {
    try {
      const r = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
      return r.scenarios.reduce((n, s) => n + s.repeats['wallNs'].length, 0);
    } catch {
      return 0;
    }
  };
  const first = await cli(['run', '--suite', join(dir, 'tiny.json'), '--out', out, '--no-report'], { interruptWhen: () => finishedTrials() >= 4 });
  assert.is(first.code, 130, first.stderr);
  assert.match(first.stderr, /--resume/);
  const partial = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
  assert.is(partial.complete, false);
  const started = partial.scenarios.filter((s) => s.repeats['wallNs'].length > 0);
  assert.ok(started.length >= 1 && partial.scenarios.some((s) => s.repeats['wallNs'].length < 3), `${started.length} scenarios started before Ctrl-C`);
  // Round-robin within a group: no scenario of the first group is more than one repeat ahead of another.
  const firstGroup = partial.scenarios.filter((s) => s.group === 'producers').map((s) => s.repeats['wallNs'].length);
  assert.is(firstGroup.length, 4);
  assert.ok(Math.max(...firstGroup) - Math.min(...firstGroup) <= 1, `repeats per scenario at Ctrl-C: ${firstGroup.join(', ')}`);
  assert.is(readCsv(join(out, 'results.csv')).length, partial.scenarios.length);
  assert.equal(await settle(loadedRingbenchObjects), []);
  assert.equal(await settle(stormProcesses), []);

  const second = await cli(['run', '--resume', out, '--no-report']);
  assert.is(second.code, 0, second.stderr);
  const full = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
  assert.ok(full.complete);
  assert.is(full.scenarios.length, 8);
  for (const s of full.scenarios) assert.is(s.repeats['wallNs'].length, 3, s.id);
  for (const d of started) {
    // finished repeats were not run again: they are the untouched start of each metric's values
    const after = full.scenarios.find((s) => s.id === d.id)!.repeats;
    for (const [m, values] of Object.entries(d.repeats)) assert.equal(after[m].slice(0, values.length), values, `${d.id} ${m}`);
  }
  assert.ok(existsSync(join(out, 'results.csv')));
  await sleep(0);
});

test('precision rounds: more repeats until the target, each bound stops them, and the report says which', async () => {
  const dir = tmp();
  // forced wake-ups every 64 records: the steadiest ceiling (adaptive ones switch between regimes)
  const load = { load: 'saturation', events: 100000, eventsPerCall: 100, workers: 1, ringbufBytes: '1M', ringbufWakeup: 'every-n', wakeupEvery: 64 };
  const group = (name: string, precision: object) => ({ group: name, set: load, precision, variants: [{ label: 'every-64', set: {} }] });
  const suite = {
    name: 'tiny-precision',
    repeats: 3,
    warmup: 0,
    transports: ['ringbuf'],
    groups: [
      group('ceilings', { relCi: 0.99, maxRepeats: 10, maxSeconds: 60 }), // met by the repeats alone
      group('wakeup-ceiling', { relCi: 0.0001, maxRepeats: 4, maxSeconds: 60 }), // unreachable: the repeat bound
      // unreachable: the time bound, with trials of 2M records (~0.4 s unthrottled here) the 1 s
      // ends long before the JUDGE_VALUES repeats out-of-reach needs (a paced load would not do:
      // its rates come out the same every time, and precise)
      { ...group('slow-rounds', { relCi: 0.0001, maxRepeats: 1000, maxSeconds: 1 }), set: { ...load, events: 2_000_000 } },
      // unreachable, said by its spread once it has JUDGE_VALUES repeats: left out, not run to
      // either bound
      group('hopeless', { relCi: 0.0001, maxRepeats: 1000, maxSeconds: 60 }),
    ],
  };
  writeFileSync(join(dir, 'p.json'), JSON.stringify(suite));
  const out = join(dir, 'out');
  const r = await cli(['run', '--suite', join(dir, 'p.json'), '--out', out]);
  assert.is(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  const rec = (g: string) => res.scenarios.find((s) => s.group === g)!;
  const n = (g: string) => rec(g).repeats['wallNs'].length;
  assert.is(rec('ceilings').precision?.stoppedBy, 'precise');
  assert.is(n('ceilings'), 3, 'precise after the suite’s repeats: no extra round');
  assert.is(rec('wakeup-ceiling').precision?.stoppedBy, 'max-repeats');
  assert.is(n('wakeup-ceiling'), 4);
  assert.is(rec('slow-rounds').precision?.stoppedBy, 'max-seconds');
  assert.ok(n('slow-rounds') > 3, 'at least one extra round ran before the time bound');
  assert.is(rec('hopeless').precision?.stoppedBy, 'out-of-reach');
  assert.is(n('hopeless'), JUDGE_VALUES, 'judged once it had enough repeats, and left out then');
  assert.ok(rec('hopeless').precision!.needed! > 1000, JSON.stringify(rec('hopeless').precision));
  for (const s of res.scenarios) for (const m of METRIC_NAMES) assert.is(s.repeats[m].length, s.repeats['wallNs'].length, `${s.id} ${m}`);
  // progress: the planned trials keep their total; the precision rounds are a phase of their own
  const totals = new Set([...r.stderr.matchAll(/^\[\d+\/(\d+)\]/gm)].map((m) => m[1]));
  assert.equal([...totals], [String(suite.groups.length * suite.repeats)], 'the planned total stays put');
  assert.match(r.stderr, /^\[wakeup-ceiling precision round 1: 1\/1\] wakeup-ceiling\/every-64\/ringbuf repeat 4:/m);
  // the run's CPU time and steal (/proc/stat): at most its wall time on every CPU
  const wallSeconds = (Date.parse(res.finishedAt!) - Date.parse(res.startedAt)) / 1000;
  assert.ok(res.machine && res.machine.cpuSeconds > 0 && res.machine.cpuSeconds <= (wallSeconds + 1) * cpus().length, JSON.stringify(res.machine));
  assert.ok(res.machine.stealSeconds >= 0 && res.machine.stealSeconds <= res.machine.cpuSeconds);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(md, /\*\*Precision\.\*\* /);
  assert.match(md, /1 of 4 scenarios reached it/);
  assert.match(md, /wakeup-ceiling every-64, ringbuf, libbpf reader\*\*: the .* stayed at ±[\d.]+% after 4 repeats \(the bound\)/);
  assert.match(md, /hopeless every-64, ringbuf, libbpf reader\*\*: the .* stayed at ±[\d.]+% after 10 repeats: at its spread it needed about \d+ more rounds, more than what was left of the group's 60 s/);
});

test('per-repeat sustainable searches: Ctrl-C keeps the finished ones, --resume adds only the missing ones', async () => {
  const dir = tmp();
  const suite = {
    name: 'tiny-sustainable',
    repeats: 2,
    warmup: 0,
    transports: ['ringbuf'],
    groups: [{
      group: 'ceilings',
      set: { load: 'saturation', events: 20000, eventsPerCall: 100, workers: 1, ringbufBytes: '16K' },
      sustainable: true,
      variants: [{ label: 'adaptive', set: { ringbufWakeup: 'adaptive' } }, { label: 'every-64', set: { ringbufWakeup: 'every-n', wakeupEvery: 64 } }],
    }],
  };
  writeFileSync(join(dir, 'sus.json'), JSON.stringify(suite));
  const out = join(dir, 'out');
  const resultsPath = join(out, 'results.json');
  const searched = () => {
    try {
      const r = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
      return r.scenarios.reduce((n, s) => n + (s.sustainable?.perRepeat?.length ?? 0), 0);
    } catch {
      return 0;
    }
  };
  const first = await cli(['run', '--suite', join(dir, 'sus.json'), '--out', out, '--no-report'], { interruptWhen: () => searched() >= 1 });
  assert.is(first.code, 130, first.stderr);
  const partial = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
  assert.is(partial.complete, false);
  const kept = partial.scenarios.filter((s) => s.sustainable?.perRepeat?.length);
  assert.ok(kept.length >= 1);
  // each search belongs to a finished repeat, so a record never has more searches than repeats
  for (const s of partial.scenarios) assert.ok((s.sustainable?.perRepeat?.length ?? 0) <= s.repeats['wallNs'].length, s.id);

  const second = await cli(['run', '--resume', out, '--no-report']);
  assert.is(second.code, 0, second.stderr);
  const full = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
  assert.ok(full.complete);
  for (const s of full.scenarios) {
    assert.is(s.repeats['wallNs'].length, 2, s.id);
    assert.is(s.sustainable?.perRepeat?.length, 2, s.id);
    assert.is(s.sustainable!.aggregate!.n, 2, s.id);
    assert.is(s.sustainableSearch, undefined, `${s.id}: no interrupted search left`);
    // a search's answer is a rate its confirmation ran without a drop, or 0 when none was found
    assert.ok(s.sustainable!.ratePerSec === 0 || s.sustainable!.confirmation.droppedKernel === 0, s.id);
    // every search keeps its runs (the report's "bursts" reading needs them), the last is `steps`
    const searches = s.sustainable!.searches ?? [];
    assert.is(searches.length, 2, `${s.id}: both searches' runs kept`);
    assert.equal(searches.at(-1), s.sustainable!.steps);
    for (const r of searches.flat().filter((x) => x.rateCap > 0)) {
      assert.ok(r.events! > 0 && r.fill! >= 0 && r.fill! <= 1, `${s.id}: capped run ${JSON.stringify(r)}`);
      // a run that dropped filled its buffer (occupancy.test.ts: within two records)
      if (r.droppedKernel > 0) assert.ok(r.fill! > 0.9, `${s.id}: dropped ${r.droppedKernel} at fill ${r.fill}`);
    }
  }
  for (const k of kept) {
    const after = full.scenarios.find((s) => s.id === k.id)!;
    assert.equal(after.sustainable!.perRepeat!.slice(0, k.sustainable!.perRepeat!.length), k.sustainable!.perRepeat, `${k.id}: finished searches kept`);
  }
});


test('a loss curve: capped runs at every rate of its grid, kept in results that load, and its report section', async () => {
  const dir = tmp();
  const suite = {
    name: 'curve', repeats: 1, warmup: 0, transports: ['ringbuf'],
    groups: [{
      group: 'ceilings', set: { load: 'saturation', events: 100000, eventsPerCall: 500, workers: 1, ringbufBytes: '64K' },
      variants: [{ label: 'sampled', set: { ringbufWakeup: 'sampled', wakeupBytes: 8000 } }],
      lossCurve: { from: 0.1, rates: 3, runs: 2, seconds: 0.05, maxDropUpper: 0.5, maxSeconds: 1 },
    }],
  };
  writeFileSync(join(dir, 'curve.json'), JSON.stringify(suite));
  const out = join(dir, 'out');
  const r = await cli(['run', '--suite', join(dir, 'curve.json'), '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /ceilings\/sampled\/ringbuf: loss curve/);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  assert.ok(results.complete);
  const [rec] = results.scenarios;
  const c = rec.lossCurve!;
  assert.ok(c && c.complete, 'the curve finished');
  assert.is(c.ceilingPerSec, rec.repeats['rates.generatedPerSec'][0]);
  assert.is(c.points.length, 3);
  assert.is(c.points[2].rateCap, Math.floor(c.ceilingPerSec));
  assert.ok(Math.abs(c.points[0].rateCap / c.ceilingPerSec - 0.1) < 1e-3);
  for (const p of c.points) {
    assert.ok(p.runs >= 2 && p.runs === p.samples.length, `${p.rateCap}: ${p.runs} runs`);
    assert.is(p.dropped, p.samples.filter((x) => x.droppedKernel > 0).length);
    assert.ok(p.pDrop.lo <= p.share && p.share <= p.pDrop.hi);
    // a capped run makes at least 16 calls of 500 records; it produced records and timed them
    for (const x of p.samples) assert.ok(x.events >= 8000 && x.generatedPerSec > 0 && x.stallNs > 0, JSON.stringify(x));
  }
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(md, /\n## Zero-loss rate\n/);
  assert.match(md, /### · Loss curves/);
  assert.match(md, /Sustainable rate: the rate carried \(median of the runs' rates\) at the highest offered rate at which the 95% upper bound \(Wilson\)/);
  assert.ok(existsSync(join(out, 'charts', 'loss-curve.svg')));
  assert.equal(await settle(loadedRingbenchObjects), []);
});

test.run();
