/**
 * report.test (unit) — writing reports from fixtures: the Ceilings section, bad inputs named while a
 * good file still reports, several result sets, the CSS file, group tables from the registry, and
 * that none of it loads the native addon. No root, no BPF; the browser check is in test/report.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { writeReport } from '../../src/report/report.js';
import { loadResultSets } from '../../src/results/load.js';
import { CSS_FILE, loadReportCss, renderHtmlBlock } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { groupTable } from '../../src/report/tables.js';
import { precisionBlocks } from '../../src/report/sections/precision.js';
import { boundsBlocks } from '../../src/report/sections/limits.js';
import { GROUP_TABLES } from '../../src/analysis/groups.js';
import { ROOT } from '../../src/harness/addon.js';
import { fmtPct, fmtSi, metricFormat } from '../../src/format/units.js';
import { makeResults, markItems, resultSet, writeMixedReport, writeRun as writeRunIn } from '../report-fixtures.js';

let tmp = '';
test.before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ringbench-report-unit-'));
});
test.after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const writeRun = (name: string, results: unknown) => writeRunIn(tmp, name, results);

/** One mixed report shared by the tests that read it (rendering takes seconds on a loaded machine). */
let mixed: ReturnType<typeof mixedReportOnce> | undefined;
async function mixedReportOnce() {
  const lines: string[] = [];
  return { ...(await writeMixedReport(tmp, (l) => lines.push(l))), lines };
}
function mixedReport() {
  mixed ??= mixedReportOnce();
  return mixed;
}

test('Ceilings section: table with the sustainable rate, methodology, and no section without the data', async () => {
  // a run with sustainable-rate searches (the quick suite's; the mixed report has loss curves)
  const r = await writeReport([await writeRunIn(tmp, 'searched', makeResults())], path.join(tmp, 'searched-report'));
  const md = await readFile(r.md, 'utf8');
  const html = await readFile(r.html, 'utf8');
  const results = makeResults();
  const sus = (id: string) => fmtSi(results.scenarios.find((x) => x.id === id)!.sustainable!.ratePerSec);
  // The ceilings' method lives in the appendix; the body's "Ceilings and wake-ups" has the findings.
  assert.match(md, /\n### Ceilings\n/);
  assert.ok(html.includes('<h3 id="method-ceilings">Ceilings</h3>'));
  assert.ok(html.includes('<h2 id="ceilings">Ceilings and wake-ups</h2>'));
  assert.ok(md.includes('| transport | reader | raw ceiling | delivered/s | sustainable rate | drop rate |'), 'ceilings table header');
  assert.ok(md.includes(`| ringbuf | libbpf | `) && md.includes(`| ${sus('ceilings/libbpf/ringbuf')} (1 search) |`), 'ringbuf sustainable rate');
  // perfbuf/libbpf's first confirmation dropped in the fixture: backed off 10%, marked and explained.
  assert.ok(md.includes(`| ${sus('ceilings/libbpf/perfbuf')} (1 search) ‡ |`), 'back-off marked');
  assert.match(md, /‡ backed off after a failed confirmation\./);
  assert.ok(html.includes(`${sus('ceilings/custom/perfbuf')} (1 search)`));
  assert.match(md, /call `getpgid\(\)` in a tight loop/);
  assert.match(md, /`fentry` on the syscall where the kernel allows it.*`tp_btf\/sys\_enter`|`fentry` on the syscall where the kernel allows it.*`tp_btf\/sys_enter`/);
  assert.match(md, /The results do not record which one a run used; this report calls it the getpgid trigger/);
  assert.match(md, /\*\*Drain mode\.\*\* The consumer reads nothing while the load runs/);
  assert.match(md, /bisection between zero and the raw ceiling \(7 steps, to 1\/128 of it\), then a confirming run, backing off if it fails/);
  assert.match(md, /Each capped run lasts 0\.3 s\./);
  assert.match(md, /\| transport \| wake-up strategy \| delivered\/s \| drop rate \| BPF CPU\/event \|/);
  assert.match(md, /\| reader \| transport \| drained\/s \|/);
  // The ceiling groups live in their section, not again under Results.
  assert.is(md.split('### · Raw ceiling and sustainable rate').length, 2);
  assert.not.match(md, /### reader-ceiling|### wakeup-ceiling|### ceilings/);

  // How the trigger attached, when the results record it.
  const attached = makeResults();
  for (const x of attached.scenarios) if (x.config.load === 'saturation') x.attachedVia = 'tp_btf/sys_enter';
  const a = await writeReport([await writeRun('attached', attached)], path.join(tmp, 'attached-report'));
  assert.match(await readFile(a.md, 'utf8'), /These results used the tp_btf\/sys\\?_enter fallback\./);

  // Nothing recorded per run, but the machine's probe says fentry on getpgid cannot work.
  const probed = makeResults();
  probed.environment.capabilities = { attach: { fentry: { available: false, reason: 'vmlinux BTF has no function __x64_sys_getpgid' } } };
  const pr = await writeReport([await writeRun('probed', probed)], path.join(tmp, 'probed-report'));
  assert.match(await readFile(pr.md, 'utf8'), /the machine’s probe could not use fentry — vmlinux BTF has no function \\?_\\?_x64\\?_sys\\?_getpgid — so it was the tp\\?_btf\/sys\\?_enter fallback/);

  // Without the saturation groups: no section, no Ceiling verdict, and the note lists the charts.
  const storm = await writeRun('storm-only', makeResults({ groups: ['producers', 'memory'] }));
  const s = await writeReport([storm], path.join(tmp, 'storm-report'));
  const smd = await readFile(s.md, 'utf8');
  assert.not.match(smd, /## Ceilings|\*\*Ceiling:\*\*/);
  assert.match(smd, /\*Transport ceilings\* — no data for the ceilings group/);
  assert.match(smd, /\*Reader ceiling\* — no data for the reader-ceiling group/);
  assert.match(smd, /\*Wake-up strategies at full rate\* — no data for the wakeup-ceiling group/);
});

test('corrupt file and wrong schema are reported by name while a good file still reports', async () => {
  const { r, lines, corrupt, wrong } = await mixedReport();
  assert.is(r.errors.length, 2);
  const corruptFile = path.join(corrupt, 'results.json');
  const wrongFile = path.join(wrong, 'results.json');
  assert.is(r.errors[0].file, corruptFile);
  assert.match(r.errors[0].error, /^not JSON \(/);
  assert.is(r.errors[1].file, wrongFile);
  assert.match(r.errors[1].error, /results schema "ringbench\/results@0" is not supported; this ringbench reads "ringbench\/results@1"/);
  assert.ok(lines.some((l) => l.includes(corruptFile)) && lines.some((l) => l.includes(wrongFile)), 'logged by name');
  const html = await readFile(r.html, 'utf8');
  assert.ok(html.includes(corruptFile) && html.includes(wrongFile), 'the report names what it left out');
  assert.ok(existsSync(r.md) && r.charts.length === 30, `${r.charts.length} chart files`);
  assert.ok(existsSync(path.join(path.dirname(r.md), 'warnings.json')), 'warnings.json beside the report');
  // Pasted 800 px wide, a PNG (drawn at 2×) shows its text at least at the chart's own size (11–14 px).
  for (const png of r.charts.filter((f) => f.endsWith('.png'))) {
    const width = (await readFile(png)).readUInt32BE(16);
    assert.ok(width <= 1600, `${path.basename(png)} is ${width} px wide`);
  }

  try {
    await writeReport([corrupt, wrong, path.join(tmp, 'missing')], path.join(tmp, 'none'));
    assert.unreachable('no usable file must throw');
  } catch (e) {
    const msg = (e as Error).message;
    assert.ok(msg.includes(corruptFile) && msg.includes(wrongFile) && msg.includes(path.join(tmp, 'missing')), msg);
  }
});

test('several result sets: labelled by host and kernel, or by file when those match', async () => {
  const a = await writeRun('kernel-a', makeResults({ kernel: '6.1.0' }));
  const b = await writeRun('kernel-b', makeResults({ kernel: '6.12.9', seed: 9 }));
  const c = await writeRun('again-a', makeResults({ kernel: '6.1.0', seed: 3 }));
  const { sets } = await loadResultSets([a, b]);
  assert.equal(sets.map((s) => s.label), ['bench-a · 6.1.0', 'bench-a · 6.12.9']);
  const same = await loadResultSets([a, c]);
  assert.equal(same.sets.map((s) => s.label), ['kernel-a/results.json', 'again-a/results.json']);

  const out = path.join(tmp, 'multi-report');
  const r = await writeReport([a, b], out, { comparison: { markdown: '**compare says hi**', html: '<p id="compare-hook">compare says hi</p>' } });
  const html = await readFile(r.html, 'utf8');
  const md = await readFile(r.md, 'utf8');
  assert.ok(html.includes('A: bench-a · 6.1.0') && html.includes('B: bench-a · 6.12.9'));
  assert.ok(html.includes('<p id="compare-hook">') && md.includes('**compare says hi**'), 'comparison section');
  const svg = await readFile(path.join(out, 'charts', 'throughput-producers.svg'), 'utf8');
  assert.is(markItems(svg, 'p0_means_marks', 'path'), 12, '2 sets × 2 transports × 3 producer counts');
  assert.ok(svg.includes('>ringbuf · bench-a · 6.12.9</text>'), 'legend names the set');
  assert.match(md, /\| delivered\/s \(A\) \| delivered\/s \(B\) \|/);
  assert.ok(md.includes('| transport | reader | set | raw ceiling |'), 'ceilings table: one row per set');
  const ceil = await readFile(path.join(out, 'charts', 'ceilings.svg'), 'utf8');
  assert.is(markItems(ceil, 'ceilings_bars_marks', 'path'), 24, '2 sets × 2 transports × 2 readers × 3 measures');
});

test('the page inlines report.css, a file that ships with the package', async () => {
  assert.ok(CSS_FILE.endsWith(path.join('src', 'report', 'report.css')) && existsSync(CSS_FILE), CSS_FILE);
  const css = await loadReportCss();
  assert.not.match(css, /^\/\*/, 'the editing comment is left out');
  assert.match(css, /^:root \{/);
  const { r } = await mixedReport();
  const html = await readFile(r.html, 'utf8');
  assert.ok(html.includes(`<style>\n${css}</style>`), 'the CSS file, as it is, in the page');
  const pkg = JSON.parse(await readFile(path.join(path.dirname(CSS_FILE), '..', '..', 'package.json'), 'utf8'));
  assert.ok(!pkg.files || pkg.files.some((f: string) => 'src/report/report.css'.startsWith(f.replace(/\/?\*.*$/, ''))), 'package.json "files" ships src/');
});

test('group tables take their metrics and titles from the group registry and the catalogue', () => {
  const results = makeResults();
  for (const [group, layout] of Object.entries(GROUP_TABLES)) {
    const t = groupTable([resultSet(results)], group);
    const titles = layout.metrics.map((m) => layout.titles?.[m] ?? metricFormat(m).title);
    assert.equal(t.head.slice(2), titles, group);
    assert.ok(t.rows.length > 0, `${group} has rows`);
  }
});

test('one document, two renderings: escaping, tables and figures agree', () => {
  const blocks = [
    { p: 'meta', cls: 'meta' },
    { p: ['a <b> & ', { code: 'wakeup_events' }, ' ', { strong: ' bold ' }, ' ', { link: 'raw data', href: '../a b/results.json' }] },
    { table: { head: ['x', 'n'], numeric: [false, true], rows: [['a|b', '1'], ['a|b', '2']], groupFirst: 1, footnote: 'foot' } },
  ] as Parameters<typeof renderMarkdown>[0]['blocks'];
  const md = renderMarkdown({ title: 'T', blocks });
  assert.ok(md.startsWith('# T\n\nmeta\n\n'));
  // Edge spaces move outside the markers, or **x** would not bind.
  assert.ok(md.includes('a \\<b\\> & `wakeup_events`  **bold**  [raw data](../a%20b/results.json)'), md);
  assert.ok(md.includes('| x | n |\n| :--- | ---: |\n| a\\|b | 1 |\n| a\\|b | 2 |\n\nfoot'), md);
  const html = renderHtmlBlock(blocks[2]);
  assert.ok(html.includes('<td class="num">1</td>') && html.includes('<tr><td></td><td class="num">2</td></tr>'), 'repeated first cell left blank');
  assert.ok(renderHtmlBlock(blocks[1]).includes('a &lt;b&gt; &amp; <code>wakeup_events</code>'));
});

test('the presentation layer does not load the native addon', () => {
  // Importing ROOT (for report.css) must not pull in build/Release/ringbench.node: this tier runs
  // without it. A fresh process, so what other unit files loaded (knobs reads limits from the
  // addon when it is built) does not count.
  const probe = `import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'src', 'report', 'report.js')).href)}).then(() => console.log(JSON.stringify(Object.keys((await import('node:module')).createRequire(import.meta.url).cache))))`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe.replace('.then(() =>', '.then(async () =>')], { encoding: 'utf8' });
  const loaded = (JSON.parse(out) as string[]).filter((k) => k.startsWith(path.join(ROOT, 'build')));
  assert.equal(loaded, []);
});

test('the Precision paragraph says how much CPU time the hypervisor withheld during the run, when it did', () => {
  const results = makeResults({ groups: ['ceilings'] });
  results.scenarios[0].precision = { relCi: 0.15, maxRepeats: 30, maxSeconds: 40, stoppedBy: 'precise' };
  const md = () => renderMarkdown({ title: 'T', blocks: precisionBlocks([resultSet(results)]) });
  assert.match(md(), /1 of 1 scenarios reached it, with 5 repeats\./);
  assert.not.match(md(), /withheld/, 'a run without the record says nothing of it');
  results.machine = { cpuSeconds: 554, stealSeconds: 4.26 };
  assert.match(md(), /the hypervisor withheld CPU time from this machine \(steal\): 4\.3 s \(0\.8% of its CPUs' time\)\./);
  results.machine = { cpuSeconds: 554, stealSeconds: 0 };
  assert.not.match(md(), /withheld/, 'none withheld: nothing to say');
});

test('the Precision paragraph says where the host put the CPU pair, and what the run set aside for it', () => {
  const results = makeResults({ groups: ['ceilings'] });
  const [rec] = results.scenarios;
  rec.precision = { relCi: 0.15, maxRepeats: 30, maxSeconds: 40, stoppedBy: 'precise' };
  const md = () => renderMarkdown({ title: 'T', blocks: precisionBlocks([resultSet(results)]) });
  assert.not.match(md(), /cache line/, 'not measured (0): nothing to say');
  rec.repeats['host.cpuPairNs'] = [118, 131, 125, 122, 140];
  assert.match(md(), /The producer's and consumer's CPUs stayed together: a cache line between them came back in 118–140 ns\./);
  rec.repeats['host.cpuPairNs'] = [118, 131, 470, 122, 140];
  rec.setAside = [
    { repeat: 2, rateCap: 0, cpuPairNs: 455, generatedPerSec: 3.1e6, droppedKernel: 9000 },
    { repeat: 3, rateCap: 0, cpuPairNs: 490, generatedPerSec: 3e6, droppedKernel: 0 },
  ];
  assert.match(md(), /The host moved this machine's CPUs: a cache line between the producer's and the consumer's CPU came back in 118–140 ns in 4 kept repeats, and in 455–490 ns while the CPUs were apart \(over 3× the closest\)\./);
  assert.match(md(), / 2 repeats measured with the CPUs apart were set aside and run again once they were together\./);
  assert.match(md(), / 1 repeat measured apart was kept \(re-runs are bounded: 2 a repeat, 2 s of waiting before each, 20 s a run\): it is in the figures\./);
});

test('What bounds each figure: a sustainable rate set by bursts or a slower producer, from every search\'s capped runs', () => {
  const results = makeResults({ groups: ['ceilings'] });
  const rec = results.scenarios.find((r) => r.sustainable)!;
  const md = () => renderMarkdown({ title: 'T', blocks: boundsBlocks([resultSet(results)]) });
  assert.not.match(md(), /sustainable rate/, 'no searches with their runs kept: nothing to say');
  const delivered = rec.aggregates['rates.deliveredPerSec'].mean!;
  const run = (share: number, droppedKernel: number, fill: number, reached = 1) =>
    ({ rateCap: delivered * share, generatedPerSec: delivered * share * reached, droppedKernel, events: delivered * share * 0.3, fill });
  const unthrottled = { rateCap: 0, generatedPerSec: delivered, droppedKernel: 10 };
  rec.sustainable!.searches = [
    [unthrottled, run(0.5, 0, 0.4), run(0.75, 300, 1), run(0.6, 0, 0.93)],
    [unthrottled, run(0.5, 120, 1), run(0.25, 0, 0.2)],
  ];
  assert.match(md(), /sustainable rate\*\*: bursts, not a steady rate the transport cannot carry\. 2 of the searches’ 5 capped 0\.3 s runs dropped at a rate below the .*\/s the unthrottled runs delivered on average/);
  assert.ok(md().includes(`losing at most ${fmtPct(300 / (delivered * 0.75 * 0.3))} of their records`), 'the worst loss among the runs that dropped below the delivered rate');
  assert.match(md(), /Runs that carried filled the producer’s buffer up to 93%\. Whether a run meets them is partly chance/);
  // a run that fell short of its cap without a drop: the wake-up regime (under the rule that
  // asks for the cap; results from before it judged by drops alone)
  rec.sustainable!.searches[0][1] = run(0.5, 0, 0.3, 0.63);
  assert.not.match(md(), /fell short/);
  rec.sustainable!.capReached = 0.97;
  assert.match(md(), /: bursts and a producer slower in some runs, not a steady rate .*; 1 more fell short of its cap at such rates without a drop \(reaching as little as 63\.0% of it\): the producer ran slower in some runs than in others \(with adaptive wake-ups the wake-up work slows it\)\./);
  // a run that lost a large share: the consumer fell behind, no claim of chance
  rec.sustainable!.searches[1][1] = run(0.5, Math.round(delivered * 0.5 * 0.3 * 0.2), 1);
  assert.match(md(), /: the consumer falling behind and a producer slower in some runs\. .* one losing 20% of its records: a loss that large/);
  // every failed run above the delivered rate: nothing to say
  rec.sustainable!.searches = [[unthrottled, run(1.1, 50, 1), run(0.5, 0, 0.3)]];
  assert.not.match(md(), /sustainable rate/);
});

test.run();
