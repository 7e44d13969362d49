/**
 * abuse-input.test — the fault and abuse tier, inputs that used to pass (issue 12 §5), through the
 * CLI as a user types them: each bad input exits 2 with one line naming the flag, field or file and
 * what is valid, and loads nothing; `report` and `compare` take a results file or its directory;
 * a corrupt, minimal or oversized results file is refused naming the field or the size; compare
 * judges only scenarios whose configuration matches and exits 2 when none does. Inputs are data,
 * not only shapes (issue 25): forged noise records, one run given twice, devices and FIFOs,
 * negative values, an edited suite under --resume are refused; a comparison that judged nothing
 * exits 3. Results files are synthetic (test/compare-fixtures), except the one real tiny run the
 * --resume case needs; knob refusals run unprivileged, so that exit 2 rather than 1 proves
 * nothing reached bpf().
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../src/harness/addon.js';
import type { ResultsFile } from '../src/results/schema.js';
import { makeResults } from './compare-fixtures.js';

const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const base = mkdtempSync('/tmp/ringbench-abuse-input-');

/** Runs the CLI; `unprivileged`: as uid 65534 with no capabilities, where any bpf() call would
 *  fail with exit 1, so an exit 2 proves the input was refused before anything was loaded. */
function cli(args: string[], unprivileged = false) {
  const argv = [CLI, ...args];
  const r = unprivileged
    ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--', process.execPath, ...argv], { cwd: '/', encoding: 'utf8', timeout: 60_000 })
    : spawnSync(process.execPath, argv, { cwd: base, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2, one line on stderr matching `message`, nothing on stdout. */
function assertRefused(args: string[], message: RegExp, unprivileged = false): void {
  const r = cli(args, unprivileged);
  assert.is(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
  assert.match(r.stderr.trim(), message, args.join(' '));
  assert.is(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
  assert.is(r.stdout, '');
}

function file(name: string, content: unknown): string {
  const path = join(base, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** A run directory holding `results`. */
function runDir(name: string, results: ResultsFile): string {
  const dir = join(base, name);
  mkdirSync(dir, { mode: 0o700 });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
  return dir;
}

test('knob values and combinations that used to pass exit 2 naming the flag, before anything loads', () => {
  const cases: [string[], RegExp][] = [
    [['--children', '0x10'], /^ringbench: --children must be an integer in 1\.\.10000000; got '0x10'$/],
    [['--children', '1e3'], /--children must be an integer .*got '1e3'/],
    [['--children', '2.0'], /--children must be an integer .*got '2\.0'/],
    [['--workers', ' 2'], /--workers must be an integer .*got ' 2'/],
    [['--ringbuf-bytes', '4 K'], /--ringbuf-bytes must be a power-of-two multiple .*got '4 K'/],
    [['--ringbuf-bytes', '0x1000'], /--ringbuf-bytes must be a power-of-two multiple .*got '0x1000'/],
    [['--transport', 'perfbuf', '--memory', 'equal', '--perfbuf-pages', '4'], /--perfbuf-pages sets the per-CPU size, which --memory equal derives from --ringbuf-bytes: give one/],
    [['--transport', 'ringbuf', '--perfbuf-pages', '4'], /^ringbench: --perfbuf-pages applies to perfbuf only; got --transport ringbuf$/],
    [['--perfbuf-wakeup-events', '8'], /--perfbuf-wakeup-events applies to perfbuf only; got --transport ringbuf/],
    [['--transport', 'perfbuf', '--ringbuf-wakeup', 'every-n'], /--ringbuf-wakeup applies to ringbuf only; got --transport perfbuf/],
    [['--wakeup-every', '8'], /--wakeup-every applies to --ringbuf-wakeup every-n only; got adaptive/],
    [['--events', '1000'], /--events applies to --load saturation only; got --load storm/],
    [['--load', 'saturation', '--children', '10'], /--children applies to --load storm only; got --load saturation/],
    // a record larger than a buffer: refused for both transports (perfbuf: a per-CPU buffer)
    [['--transport', 'perfbuf', '--memory', 'per-cpu', '--perfbuf-pages', '1', '--event-bytes', '4096'], /--event-bytes \(4096\) does not fit a per-CPU perf buffer \(4096 bytes/],
    [['--ringbuf-bytes', '4K', '--event-bytes', '4096'], /--event-bytes \(4096\) does not fit the ring buffer/],
    // a misspelt flag: commander's suggestion on the same line
    [['--chidlren', '5'], /^ringbench: unknown option '--chidlren'; did you mean --children\?$/],
  ];
  // unprivileged: a load attempt would exit 1 ("needs root"), so exit 2 means refused before bpf()
  for (const [args, message] of cases) assertRefused(['scenario', ...args], message, true);
  // and the privileged command says the same
  assertRefused(['scenario', '--children', '0x10'], /--children must be an integer/);
});

test('suites: unknown fields at every level are named, with "did you mean"; nothing runs, nothing is created', () => {
  const ok = { name: 's', repeats: 1, warmup: 0, groups: [{ group: 'producers', sweep: { workers: [1] } }] };
  const cases: [unknown, RegExp][] = [
    [{ ...ok, defualts: { children: 100 } }, /^ringbench: defualts\.json: defualts is not a suite field; did you mean "defaults"\? valid here: /],
    [{ ...ok, groups: [{ group: 'producers', swep: { workers: [1] } }] }, /groups\[0\]\.swep is not a suite field; did you mean "sweep"\?/],
    [{ ...ok, groups: [{ group: 'g', variants: [{ label: 'a', set: {}, trasnports: ['ringbuf'] }] }] }, /groups\[0\]\.variants\[0\]\.trasnports is not a suite field; did you mean "transports"\?/],
    [{ ...ok, defaults: { chidlren: 100 } }, /defaults\.chidlren is not a scenario knob; did you mean 'children'\?/],
    [{ ...ok, defaults: { memory: 'equal', perfbufPages: 4 } }, /defaults\.perfbufPages sets the per-CPU size/],
  ];
  cases.forEach(([suite, message], i) => {
    const out = join(base, `never-${i}`);
    const name = i === 0 ? 'defualts' : `suite-${i}`;
    assertRefused(['run', '--suite', file(`${name}.json`, suite), '--out', out], message);
    assert.equal(readdirSync(base).filter((n) => n === `never-${i}`), [], `${out} was created`);
  });
});

test('report and compare take a results file or its directory', () => {
  const a = runDir('a', makeResults({ seed: 1 }));
  const b = runDir('b', makeResults({ seed: 2 }));
  for (const [x, y] of [[a, b], [join(a, 'results.json'), join(b, 'results.json')], [a, join(b, 'results.json')]]) {
    const r = cli(['compare', x, y]);
    assert.is(r.code, 0, `compare ${x} ${y}: ${r.stderr}`);
  }
  // report FILE.json writes beside the file (it was ENOTDIR)
  const r = cli(['report', join(a, 'results.json')]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(readdirSync(a).includes('report.html'), readdirSync(a).join(' '));
});

test('corrupt, minimal and oversized results files exit 2 naming the field or the size', () => {
  const good = makeResults({ seed: 3 });
  const corrupt = structuredClone(good) as unknown as { scenarios: { repeats: Record<string, unknown[]> }[] };
  corrupt.scenarios[1].repeats['rates.deliveredPerSec'][2] = 'fast';
  const aggregate = structuredClone(good) as unknown as { scenarios: { aggregates: Record<string, Record<string, unknown>> }[] };
  aggregate.scenarios[0].aggregates['latencyNs.p99'].mean = null;
  aggregate.scenarios[0].aggregates['latencyNs.p99'].n = '5';
  const goodFile = file('good.json', good);
  const cases: [string, RegExp][] = [
    [file('corrupt.json', corrupt), /corrupt\.json: corrupt results file: scenarios\[1\]\.repeats\["rates\.deliveredPerSec"\]\[2\] must be a number; got "fast"$/],
    [file('aggregate.json', aggregate), /aggregate\.json: corrupt results file: scenarios\[0\]\.aggregates\["latencyNs\.p99"\]\.n must be a number; got "5"$/],
    [file('minimal.json', { schema: 'ringbench/results@1', scenarios: [{ id: 'x', repeats: {} }] }), /minimal\.json: corrupt results file: suite must be a string; got nothing$/],
    [file('scenario.json', { ...good, scenarios: [{ id: 'x', repeats: {} }] }), /scenario\.json: corrupt results file: scenarios\[0\]\.group must be a string; got nothing$/],
    [file('array.json', []), /array\.json: not a ringbench results file \(the top level is not a JSON object\)$/],
  ];
  for (const [path, message] of cases) {
    assertRefused(['compare', goodFile, path], message);
    assertRefused(['compare', path, goodFile], message);
  }
  // report: an unusable input is named; with nothing usable, exit 2
  assertRefused(['report', cases[0][0], '--out', join(base, 'no-report')], /corrupt results file: scenarios\[1\]/);

  // larger than a results file can be: refused before reading (a sparse file; it was "Cannot create a string longer than…")
  const huge = join(base, 'huge.json');
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, 300 * 2 ** 20);
  closeSync(fd);
  assertRefused(['compare', goodFile, huge], /huge\.json: 300 MiB is larger than a results file can be \(at most 256 MiB/);
});

test('compare judges only scenarios whose configuration matches; nothing comparable exits 2', () => {
  const base20 = makeResults({ seed: 4 });
  const candidate = makeResults({ seed: 5, factors: { 'producers/workers=1/ringbuf': { 'rates.deliveredPerSec': 0.5 } } });
  // one scenario of the candidate ran with other knobs (a 20-children suite): shown as not comparable, not judged
  candidate.scenarios[0].config = { ...candidate.scenarios[0].config, children: 20 };
  const r = cli(['compare', file('cfg-base.json', base20), file('cfg-cand.json', candidate), '--format', 'json']);
  assert.is(r.code, 0, `the halved rate is in the not-comparable scenario: ${r.stderr}`);
  const json = JSON.parse(r.stdout);
  assert.equal(json.notComparable.map((n: { id: string }) => n.id), ['producers/workers=1/ringbuf']);
  assert.match(json.notComparable[0].diffs.join(' '), /children 20000 → 20/);
  assert.not.ok(json.scenarios.some((s: { id: string }) => s.id === 'producers/workers=1/ringbuf'));
  assert.match(cli(['compare', file('cfg-base.json', base20), file('cfg-cand.json', candidate)]).stdout, /producers\/workers=1\/ringbuf: not comparable, configuration differs \(children 20000 → 20\)/);

  // every scenario differs: nothing to judge, exit 2 (a CI gate must not pass on it)
  for (const s of candidate.scenarios) s.config = { ...s.config, children: 20 };
  assertRefused(['compare', file('cfg-base.json', base20), file('cfg-all.json', candidate)],
    /^ringbench compare: nothing comparable between .*cfg-base\.json and .*cfg-all\.json: all 4 scenarios in common differ in configuration \(producers\/workers=1\/ringbuf: children 20000 → 20\)$/);
});

// ---------------------------------------------------------------------------------------------
// Inputs validated as data (issue 25): forged noise records, one run given twice, devices and
// FIFOs, negative values, a comparison that judged nothing, an edited suite under --resume.

/** A noise record built by the real command from two synthetic runs of one suite. */
function noiseRecord(name: string): { path: string; record: Record<string, unknown> } {
  const a = runDir(`${name}-n1`, makeResults({ seed: 41 }));
  const b = runDir(`${name}-n2`, makeResults({ seed: 42 }));
  const path = join(base, `${name}.json`);
  const r = cli(['noise', '--out', path, a, b]);
  assert.is(r.code, 0, r.stderr);
  return { path, record: JSON.parse(readFileSync(path, 'utf8')) };
}

test('forged --noise records exit 2 naming the field: negative or infinite spread, runs 1, prototype keys; another suite or host needs --force, which says what differs', () => {
  const { record } = noiseRecord('noise-good');
  const base1 = runDir('forge-base', makeResults({ seed: 43 }));
  // the candidate's rates halved: an infinite spread used to call this "0 regressions", exit 0
  const halved = runDir('forge-halved', makeResults({ seed: 44, factors: Object.fromEntries(makeResults({ seed: 44 }).scenarios.map((s) => [s.id, { 'rates.deliveredPerSec': 0.5 }])) }));
  const id = Object.keys(record.scenarios as object)[0];
  const forge = (name: string, edit: (r: any) => void, raw?: (text: string) => string) => {
    const r = structuredClone(record);
    edit(r);
    const text = JSON.stringify(r);
    return file(`${name}.json`, raw ? raw(text) : text);
  };
  const cases: [string, RegExp][] = [
    [forge('neg-sd', (r) => (r.scenarios[id]['rates.deliveredPerSec'].sd = -0.5)), /corrupt noise record: scenarios\[".*"\]\["rates\.deliveredPerSec"\]\.sd must be a finite number ≥ 0; got -0\.5$/],
    [forge('inf-sd', () => {}, (t) => t.replace(/("rates\.deliveredPerSec":\{"n":2,"mean":[^,]+,"sd":)[^}]+/, '$11e999')), /\.sd must be a finite number ≥ 0; got Infinity$/],
    [forge('runs-1', (r) => (r.runs = 1)), /corrupt noise record: runs must be an integer ≥ 2 \(a spread needs two runs\); got 1$/],
    [forge('proto', () => {}, (t) => t.replace('"scenarios":{', '"scenarios":{"__proto__":{"x":{"n":2,"mean":1,"sd":0}},')), /holds a "__proto__" key, which no ringbench file has$/],
    [forge('other-suite', (r) => (r.suite = 'standard')), /--noise .*other-suite\.json was recorded for other runs \(suite 'standard' in the record, 'quick' in the run\).*pass --force$/],
    [forge('other-host', (r) => (r.environment.hostname = 'elsewhere')), /was recorded for other runs \(hostname elsewhere in the record, testhost in the run\)/],
  ];
  for (const [noise, message] of cases) assertRefused(['compare', '--noise', noise, base1, halved], message);
  // --force judges against another host's record, and says what differs
  const forced = cli(['compare', '--noise', cases[5][0], '--force', base1, halved]);
  assert.is(forced.code, 1, forced.stderr);
  assert.match(forced.stderr, /--force: judging against --noise .*other-host\.json although hostname elsewhere in the record, testhost in the run/);
});

test('the same run twice is refused, by content whatever the path: noise --out F s1 s1, compare s1 s1 -- s2 s3, compare s1 copy-of-s1', () => {
  const s1 = runDir('twice-1', makeResults({ seed: 51 }));
  const s2 = runDir('twice-2', makeResults({ seed: 52 }));
  const s3 = runDir('twice-3', makeResults({ seed: 53 }));
  const copy = file('twice-copy.json', readFileSync(join(s1, 'results.json'), 'utf8'));
  const out = join(base, 'twice-noise.json');
  assertRefused(['noise', '--out', out, s1, s1], /twice-1 is the same run as .*twice-1 \(identical results\.json, sha256 [0-9a-f]{12}\)/);
  assert.not.ok(readdirSync(base).includes('twice-noise.json'), 'no record written');
  assertRefused(['compare', s1, s1, '--', s2, s3], /^ringbench compare: .*twice-1 is the same run as .*twice-1 /);
  assertRefused(['compare', s1, copy], /twice-copy\.json is the same run as .*twice-1/);
  assertRefused(['compare', s1, s2, '--', s3, copy], /twice-copy\.json is the same run as .*twice-1/);
});

test('devices and FIFOs are refused at once, never read: compare, --noise, --calibration, --suite (exit 2, one line)', () => {
  const good = runDir('dev-good', makeResults({ seed: 61 }));
  const fifo = join(base, 'fifo.json');
  assert.is(spawnSync('mkfifo', [fifo]).status, 0);
  const cases: [string[], RegExp][] = [
    [['compare', good, '/dev/zero'], /^ringbench compare: \/dev\/zero: a character device, not a regular file: ringbench reads only regular files$/],
    [['compare', good, fifo], /fifo\.json: a FIFO, not a regular file/],
    [['compare', '--noise', '/dev/zero', good, runDir('dev-other', makeResults({ seed: 62 }))], /--noise \/dev\/zero: a character device, not a regular file/],
    [['run', '--suite', 'smoke', '--out', join(base, 'never-cal'), '--calibration', '/dev/zero'], /--calibration \/dev\/zero: cannot be used: a character device, not a regular file/],
    [['run', '--suite', fifo, '--out', join(base, 'never-suite')], /fifo\.json: a FIFO, not a regular file/],
    [['report', '/dev/zero', '--out', join(base, 'never-report')], /\/dev\/zero \(a character device, not a regular file/],
  ];
  for (const [args, message] of cases) {
    const started = Date.now();
    assertRefused(args, message);
    assert.ok(Date.now() - started < 30_000, `${args.join(' ')} returned`); // a FIFO used to hang for ever
  }
  assert.not.ok(['never-cal', 'never-suite', 'never-report'].some((d) => readdirSync(base).includes(d)), 'nothing created');
});

test('negative counts and rates are refused naming the real value; Infinity is "Infinity", not "null"', () => {
  const good = file('neg-good.json', makeResults({ seed: 71 }));
  const negRate = makeResults({ seed: 72 });
  negRate.scenarios[1].repeats['rates.deliveredPerSec'][0] = -1000;
  const negCount = makeResults({ seed: 73 });
  negCount.scenarios[0].repeats['counts.droppedKernel'][2] = -5;
  const negMean = makeResults({ seed: 74 });
  negMean.scenarios[0].aggregates['rates.generatedPerSec'].mean = -1;
  const inf = JSON.stringify(makeResults({ seed: 75 })).replace(/("rates\.deliveredPerSec":\[)[0-9.e+]+/, '$11e999');
  const cases: [string, RegExp][] = [
    [file('neg-rate.json', negRate), /neg-rate\.json: corrupt results file: scenarios\[1\]\.repeats\["rates\.deliveredPerSec"\]\[0\] must be a number ≥ 0; got -1000$/],
    [file('neg-count.json', negCount), /scenarios\[0\]\.repeats\["counts\.droppedKernel"\]\[2\] must be a number ≥ 0; got -5$/],
    [file('neg-mean.json', negMean), /scenarios\[0\]\.aggregates\["rates\.generatedPerSec"\]\.mean must be a number ≥ 0; got -1$/],
    [file('inf.json', inf), /scenarios\[0\]\.repeats\["rates\.deliveredPerSec"\]\[0\] must be a number; got Infinity$/],
    // prototype keys are refused in results files as in noise records
    [file('proto.json', JSON.stringify(makeResults({ seed: 76 })).replace('{', '{"constructor":{"prototype":{}},')), /proto\.json: holds a "(constructor|prototype)" key, which no ringbench file has$/],
  ];
  for (const [path, message] of cases) assertRefused(['compare', good, path], message);
  // --resume reads through the same loader
  const dir = runDir('neg-resume', negRate);
  assertRefused(['run', '--resume', dir], /neg-resume\/results\.json: corrupt results file: .* must be a number ≥ 0; got -1000$/);
});

test('a comparison that judged nothing fails closed: two 1-repeat runs with rates 60% lower exit 3 and say so in one line', () => {
  const factors = Object.fromEntries(makeResults({ seed: 81 }).scenarios.map((s) => [s.id, { 'rates.deliveredPerSec': 0.4, 'rates.generatedPerSec': 0.4 }]));
  const a = file('one-a.json', makeResults({ seed: 81, repeats: 1 }));
  const b = file('one-b.json', makeResults({ seed: 82, repeats: 1, factors }));
  const r = cli(['compare', a, b]);
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr.trim(), /^ringbench compare: judged nothing: all \d+ judged metrics lack the data for an interval .*the gate fails closed \(exit 3\)/);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  // with enough repeats the same change is judged (exit 1)
  const five = cli(['compare', file('five-a.json', makeResults({ seed: 81 })), file('five-b.json', makeResults({ seed: 82, factors }))]);
  assert.is(five.code, 1, five.stderr);
});

test('--resume refuses a run whose recorded suiteDefinition was edited after it began (it no longer matches suiteHash)', () => {
  const dir = join(base, 'resume-edited');
  const suite = file('resume-suite.json', { name: 'edited', repeats: 1, warmup: 0, defaults: { children: 100, workers: 1 }, groups: [{ group: 'producers', sweep: { workers: [1] } }], transports: ['ringbuf'] });
  const first = cli(['run', '--suite', suite, '--out', dir, '--no-report']);
  assert.is(first.code, 0, first.stderr);
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  assert.match(results.suiteHash, /^[0-9a-f]{64}$/);
  results.complete = false;
  results.suiteDefinition.defaults.children = 5000;
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  const before = readFileSync(join(dir, 'results.json'), 'utf8');
  assertRefused(['run', '--resume', dir, '--no-report'], /resume-edited\/results\.json: suiteDefinition does not match its recorded suiteHash \(it was edited after the run began\)/);
  assert.is(readFileSync(join(dir, 'results.json'), 'utf8'), before, 'the run is untouched');
});

test.after(() => {
  rmSync(base, { recursive: true, force: true });
});

test.run();
