/**
 * report tests — charts, verdicts, bad input and the finished page in a real headless Chromium.
 * Everything runs on synthetic results (report-fixtures.ts); no kernel access is needed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { buildCharts, renderPng, renderSvg } from '../src/charts/charts.js';
import { writeReport, loadResultSets } from '../src/report/report.js';
import { displayInterval, metricAggregate } from '../src/analysis/groups.js';
import { DROP_RATE } from '../src/results/metrics.js';
import { fmtSi } from '../src/format/units.js';
import { type ResultSet } from '../src/results/schema.js';
import type { ResultsFile } from '../src/results/schema.js';
import { computeVerdicts } from '../src/analysis/verdict.js';
import { decodePng, distinctColours, makeResults } from './report-fixtures.js';

const set = (results: ResultsFile, label = 'bench-a · 6.1'): ResultSet => ({ file: 'results.json', label, tag: 'A', results });

/** The items of one named vega mark inside an SVG string. */
function markItems(svg: string, markName: string, element: string): number {
  const m = new RegExp(`<g class="mark-[a-z]+ role-mark ${markName}"[^>]*>(.*?)</g>`).exec(svg);
  if (!m) return -1;
  return (m[1].match(new RegExp(`<${element}\\b`, 'g')) ?? []).length;
}

/** Pixels dark enough to be text (axis lines and series colours are lighter). */
function darkPixels(px: Uint8Array | Buffer): number {
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] < 300) n++;
  return n;
}

/**
 * Error bars that miss the centre of their bar, by category and series (vega-lite centres a
 * band-fraction bar with the wrong band when there is an xOffset; a regression would show here).
 */
function misalignedErrorBars(svg: string, bars: string, rules: string): string[] {
  const group = (name: string) => new RegExp(`<g class="mark-[a-z]+ role-mark ${name}"[^>]*>(.*?)</g>`).exec(svg)?.[1] ?? '';
  const key = (label: string) => `${/category: ([^;]+)/.exec(label)?.[1]}|${/series: ([^;"]+)/.exec(label)?.[1]}`;
  const centres = new Map<string, number>();
  for (const m of group(bars).matchAll(/aria-label="([^"]+)"[^>]*\sd="M([\d.-]+),[\d.-]+h([\d.-]+)/g)) centres.set(key(m[1]), Number(m[2]) + Number(m[3]) / 2);
  const off: string[] = [];
  for (const m of group(rules).matchAll(/aria-label="([^"]+)"[^>]*transform="translate\(([\d.-]+),/g)) {
    const c = centres.get(key(m[1]));
    if (c === undefined || Math.abs(c - Number(m[2])) > 0.5) off.push(`${key(m[1])}: rule at ${m[2]}, bar centre ${c}`);
  }
  return off;
}

let tmp = '';
test.before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ringbench-report-'));
});
test.after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function writeRun(name: string, results: unknown): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'results.json'), typeof results === 'string' ? results : JSON.stringify(results));
  return dir;
}

test('specs compile and render to SVG with the expected marks', async () => {
  const { charts, skipped } = buildCharts([set(makeResults())]);
  assert.equal(skipped, [], 'a complete result set supports every chart');
  assert.equal(
    charts.map((c) => c.id).sort(),
    ['ceilings', 'cpu-per-event', 'drops-memory', 'event-size', 'latency-percentiles', 'ordering-producers', 'reader-ceiling', 'storm-timeline', 'throughput-producers', 'wakeup-ceiling', 'wakeup-sweep'],
  );
  const tp = charts.find((c) => c.id === 'throughput-producers')!;
  const svg = await renderSvg(tp.spec, tp.id);
  // 3 producer counts × 2 transports: one mean point and one CI rule each, one line per transport.
  assert.is(markItems(svg, 'p0_means_marks', 'path'), 6);
  assert.is(markItems(svg, 'p0_errorbars_marks', 'line'), 6);
  assert.is(svg.split('role-mark p0_lines_marks').length - 1, 2, 'one line per transport');
  assert.ok(svg.includes('>delivered events/s</text>'), 'y axis title');
  assert.ok(svg.includes('>producers (storm worker threads)</text>'), 'x axis title');
  assert.ok(svg.includes('>ringbuf</text>') && svg.includes('>perfbuf</text>'), 'legend names both transports');
  assert.ok(svg.includes('font-family="DejaVu Sans"'), 'chart font is set');

  const mem = charts.find((c) => c.id === 'drops-memory')!;
  const memSvg = await renderSvg(mem.spec, mem.id);
  assert.is(markItems(memSvg, 'p0_means_marks', 'path'), 10, '5 buffer sizes × 2 transports');
  for (const label of ['16 KiB', '64 KiB', '256 KiB', '1 MiB', '4 MiB']) assert.ok(memSvg.includes(`>${label}</text>`), `x tick ${label}`);
  // ringbuf's adaptive wake-up is measured once, not per N: a dashed reference level, not a lone dot.
  const wk = charts.find((c) => c.id === 'wakeup-sweep')!;
  const wkSvg = await renderSvg(wk.spec, wk.id);
  assert.is(markItems(wkSvg, 'p0_reference_marks', 'line'), 1);
  assert.match(wk.caption, /Measured once, not per N: ringbuf \(adaptive\)/);
  // Every other chart is rendered by the report tests below.
});

test('ceilings charts: raw, delivered and sustainable bars; drain rate; wake-up strategies', async () => {
  const { charts } = buildCharts([set(makeResults())]);
  const chart = async (id: string) => {
    const c = charts.find((x) => x.id === id)!;
    return { c, svg: await renderSvg(c.spec, c.id) };
  };
  const ceil = await chart('ceilings');
  // 3 measures × 2 transports × 2 readers; the sustainable rate (one search) has no interval.
  assert.is(markItems(ceil.svg, 'ceilings_bars_marks', 'path'), 12);
  assert.is(markItems(ceil.svg, 'ceilings_errorbars_marks', 'line'), 8, 'CI rules for raw and delivered only');
  for (const label of ['raw ceiling (generated/s)', 'delivered/s at full rate', 'sustainable rate (0 drops)', 'ringbuf (libbpf reader)', 'perfbuf (custom reader)']) {
    assert.ok(ceil.svg.includes(`>${label}</text>`), label);
  }
  assert.match(ceil.c.caption, /getpgid trigger, 2 producer threads, 64 KiB buffer/);
  assert.match(ceil.c.caption, /one search per scenario, so it has no interval/);
  // The sustainable bars are the searches' answers, not some other number.
  const rows = (ceil.c.spec as unknown as { data: { values: { category: string; series: string; mean: number }[] } }).data.values;
  const sus = rows.filter((r) => r.category === 'sustainable rate (0 drops)');
  const rec = makeResults().scenarios.find((r) => r.id === 'ceilings/libbpf/perfbuf')!;
  assert.is(sus.find((r) => r.series === 'perfbuf (libbpf reader)')!.mean, rec.sustainable!.ratePerSec);

  assert.equal(misalignedErrorBars(ceil.svg, 'ceilings_bars_marks', 'ceilings_errorbars_marks'), [], 'each interval sits on its bar');
  const cpu = await chart('cpu-per-event');
  assert.equal(misalignedErrorBars(cpu.svg, 'cpu_bars_marks', 'cpu_errorbars_marks'), []);

  const reader = await chart('reader-ceiling');
  assert.is(markItems(reader.svg, 'reader_bars_marks', 'path'), 4, '2 readers × 2 transports');
  assert.is(markItems(reader.svg, 'reader_errorbars_marks', 'line'), 4);
  assert.equal(misalignedErrorBars(reader.svg, 'reader_bars_marks', 'reader_errorbars_marks'), []);
  assert.ok(reader.svg.includes('>libbpf reader</text>') && reader.svg.includes('>custom reader</text>'));
  assert.ok(reader.svg.includes('draining a 64 MiB backlog'), 'title names the backlog');

  const wake = await chart('wakeup-ceiling');
  for (const panel of ['w0', 'w1']) {
    assert.is(markItems(wake.svg, `${panel}_bars_marks`, 'path'), 6, `${panel}: 3 strategies per transport`);
    assert.is(markItems(wake.svg, `${panel}_errorbars_marks`, 'line'), 6);
  }
  for (const label of ['ringbuf · adaptive', 'ringbuf · sampled-64K', 'perfbuf · every-1', 'perfbuf · watermark-64K', 'delivered events/s', 'BPF program ns per event']) {
    assert.ok(wake.svg.includes(`>${label}</text>`), label);
  }
});

test('intervals are drawn clipped at zero (and shares at 100%), and the caption says so', () => {
  const noisy = makeResults();
  // Drops in one repeat out of five: a symmetric t-interval reaching far below zero.
  const rec = noisy.scenarios.find((r) => r.id === 'memory/buffer=256KiB/perfbuf')!;
  rec.repeats['counts.droppedKernel'] = [0, 0, 0, 0, 18000];
  const cpu = noisy.scenarios.find((r) => r.id === 'cpu/epoll/ringbuf')!;
  cpu.aggregates['cpu.consumerNsPerEvent'] = { ...cpu.aggregates['cpu.consumerNsPerEvent'], ci95: [-120, 640] };
  const a = metricAggregate(rec, DROP_RATE)!;
  assert.ok(a.ci95[0] < 0, 'the raw interval does reach below zero');
  assert.equal(displayInterval(DROP_RATE, { ...a, ci95: [-0.2, 1.3] }), { lo: 0, hi: 1, clippedLow: true, clippedHigh: true });
  assert.equal(displayInterval('rates.deliveredPerSec', { ...a, ci95: [-5, 1e9] }), { lo: 0, hi: 1e9, clippedLow: true, clippedHigh: false });

  const { charts } = buildCharts([set(noisy)]);
  const values = (id: string) => JSON.stringify(charts.find((c) => c.id === id)!.spec).match(/"lo":-?[\d.e+-]+/g) ?? [];
  for (const id of ['drops-memory', 'cpu-per-event']) {
    const los = values(id).map((v) => Number(v.slice(5)));
    assert.ok(los.length > 0 && los.every((v) => v >= 0), `${id}: no drawn interval below zero`);
    assert.match(charts.find((c) => c.id === id)!.caption, /cut at zero/);
  }
  // A clean result set draws every interval as it is, with no footnote.
  const clean = buildCharts([set(makeResults())]).charts;
  assert.not.match(clean.find((c) => c.id === 'throughput-producers')!.caption, /cut at/);
});

test('charts without data are left out with a reason, never drawn empty', () => {
  const { charts, skipped } = buildCharts([set(makeResults({ groups: ['producers'] }))]);
  const ids = charts.map((c) => c.id);
  assert.ok(ids.includes('throughput-producers') && ids.includes('ordering-producers'));
  assert.not.ok(ids.includes('drops-memory'));
  assert.not.ok(ids.includes('wakeup-sweep'));
  assert.ok(skipped.some((s) => s.why === 'no data for the memory group (drop rate vs buffer memory) in these results'));
  for (const [id, why] of [
    ['ceilings', 'the ceilings group (raw, delivered and sustainable events/s)'],
    ['reader-ceiling', 'the reader-ceiling group (drain rate per reader)'],
    ['wakeup-ceiling', 'the wakeup-ceiling group (wake-up strategies at full rate)'],
  ]) {
    assert.not.ok(ids.includes(id), id);
    assert.ok(skipped.some((s) => s.why === `no data for ${why} in these results`), id);
  }
  // Latency and CPU fall back to the lightest producers scenario rather than disappearing.
  assert.ok(ids.includes('latency-percentiles') && ids.includes('cpu-per-event'));
  assert.match(charts.find((c) => c.id === 'latency-percentiles')!.caption, /producers workers=1/);
});

test('PNG is a valid image with its text drawn', async () => {
  const { charts } = buildCharts([set(makeResults())]);
  const tp = charts.find((c) => c.id === 'throughput-producers')!;
  const svg = await renderSvg(tp.spec, tp.id);
  const withText = renderPng(svg);
  assert.equal([...withText.png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  assert.ok(withText.png.length > 20_000, `non-trivial size (${withText.png.length} bytes)`);
  const decoded = decodePng(withText.png);
  const svgWidth = Number(/width="(\d+)"/.exec(svg)![1]);
  assert.is(decoded.width, svgWidth * 2, 'rendered at 2× for sharp images');
  assert.ok(distinctColours(decoded.rgba) > 50, 'not blank');
  // The same SVG rendered with no font at all: text vanishes. With DejaVu loaded, it must be there.
  const noText = renderPng(svg, { fonts: false });
  const dark = darkPixels(decoded.rgba);
  assert.ok(dark > 3000, `dark text pixels with fonts: ${dark}`);
  assert.ok(darkPixels(noText.pixels) < dark / 10, 'the difference is the text');
});

test('verdicts follow the data and flip when it flips', () => {
  const perfWorse = computeVerdicts(set(makeResults({ perfbufDropsMore: true })));
  const ringWorse = computeVerdicts(set(makeResults({ perfbufDropsMore: false })));
  const drops = (v: typeof perfWorse) => v.find((x) => x.question === 'Drops')!;
  const memory = (v: typeof perfWorse) => v.find((x) => x.question === 'Memory')!;
  assert.match(drops(perfWorse).text, /^perfbuf drops more/);
  assert.is(drops(perfWorse).favours, 'ringbuf');
  assert.match(drops(ringWorse).text, /^ringbuf drops more/);
  assert.is(drops(ringWorse).favours, 'perfbuf');
  assert.match(memory(perfWorse).text, /ringbuf stops dropping at 256 KiB, perfbuf stops dropping at 1 MiB/);
  assert.is(memory(ringWorse).favours, 'perfbuf');
  assert.equal(perfWorse.map((v) => v.question), ['Throughput', 'Drops', 'Memory', 'Ordering', 'Latency', 'CPU', 'Ceiling']);
  assert.match(perfWorse.find((v) => v.question === 'Ordering')!.text, /^perfbuf delivers more events out of sequence order at 4 producers/);
  assert.match(perfWorse.find((v) => v.question === 'Latency')!.text, /95% CI ±\d+%/);

  // Identical measurements for both transports: intervals overlap, nobody wins.
  const same = makeResults();
  for (const r of same.scenarios) {
    if (r.transport !== 'perfbuf') continue;
    const twin = same.scenarios.find((o) => o.transport === 'ringbuf' && o.group === r.group && o.x.value === r.x.value);
    if (!twin) continue; // wakeup-ceiling: each transport has strategies of its own
    r.repeats = twin.repeats;
    r.aggregates = twin.aggregates;
  }
  const tie = computeVerdicts(set(same));
  for (const q of ['Throughput', 'Latency'] as const) {
    const v = tie.find((x) => x.question === q)!;
    assert.match(v.text, /no clear difference/, q);
    assert.is(v.favours, null);
  }
  // One repeat has no interval: the verdict must not call a winner however large the gap.
  const once = computeVerdicts(set(makeResults({ repeats: 1 })));
  assert.ok(once.every((v) => v.question === 'Memory' || v.favours === null), 'no calls from single runs');
  assert.match(once[0].text, /a single run has no interval to judge by/);
});

test('Ceiling verdict: follows the data, flips with it, and calls nothing the repeats do not back', () => {
  const ceiling = (r: ResultsFile) => computeVerdicts(set(r)).find((v) => v.question === 'Ceiling');
  const ring = ceiling(makeResults())!;
  const rec = (r: ResultsFile, id: string) => r.scenarios.find((x) => x.id === id)!;
  const base = makeResults();
  const rs = fmtSi(rec(base, 'ceilings/libbpf/ringbuf').sustainable!.ratePerSec);
  const ps = fmtSi(rec(base, 'ceilings/libbpf/perfbuf').sustainable!.ratePerSec);
  assert.match(ring.text, new RegExp(`^ringbuf sustains ${rs} events/s without a drop \\(libbpf reader\\), perfbuf ${ps} \\(\\d\\.\\d\\d×\\)`));
  assert.match(ring.text, /backed by the repeats: raw ceiling ringbuf .* \(\d\.\d\d×, 95% CI ±\d+%\)/);
  assert.match(ring.text, /With the custom reader: ringbuf sustains/);
  assert.is(ring.favours, 'ringbuf');

  const flipped = ceiling(makeResults({ ceilingFavours: 'perfbuf' }))!;
  assert.match(flipped.text, /^perfbuf sustains .* without a drop \(libbpf reader\), ringbuf /);
  assert.is(flipped.favours, 'perfbuf');

  // The same repeated measurements for both transports: the searches still differ, but one search
  // each has no interval, so no winner is called.
  const same = makeResults();
  for (const id of ['ceilings/libbpf/perfbuf', 'ceilings/custom/perfbuf']) {
    const twin = rec(same, id.replace('perfbuf', 'ringbuf'));
    Object.assign(rec(same, id), { repeats: twin.repeats, aggregates: twin.aggregates });
  }
  const unconfirmed = ceiling(same)!;
  assert.match(unconfirmed.text, /^ringbuf sustains .* one search each, and the repeats do not confirm it: raw ceiling .*the 95% intervals overlap/);
  assert.is(unconfirmed.favours, null);

  // No search: the raw ceiling alone decides, as any repeated metric would.
  const raw = ceiling(makeResults({ ceilingFavours: 'perfbuf', sustainable: false }))!;
  assert.match(raw.text, /^perfbuf has the higher raw ceiling .*no sustainable-rate search in these results/);
  assert.is(raw.favours, 'perfbuf');

  // Single runs: never a call.
  assert.is(ceiling(makeResults({ repeats: 1 }))!.favours, null);
  // No ceilings group: no Ceiling line at all, and the storm verdicts ignore saturation records.
  const storm = computeVerdicts(set(makeResults({ groups: ['producers', 'memory', 'wakeup', 'event-size', 'latency', 'cpu'] })));
  assert.equal(storm.map((v) => v.question), ['Throughput', 'Drops', 'Memory', 'Ordering', 'Latency', 'CPU']);
  const drops = (r: ResultsFile) => computeVerdicts(set(r)).find((v) => v.question === 'Drops')!.text;
  assert.not.match(drops(makeResults()), /ceiling/);
});

test('Ceilings section: table with the sustainable rate, methodology, and no section without the data', async () => {
  const { r } = await mixedReport();
  const md = await readFile(r.md, 'utf8');
  const html = await readFile(r.html, 'utf8');
  const results = makeResults();
  const sus = (id: string) => fmtSi(results.scenarios.find((x) => x.id === id)!.sustainable!.ratePerSec);
  assert.match(md, /\n## Ceilings\n/);
  assert.ok(html.includes('<h2 id="ceilings">Ceilings</h2>'));
  assert.ok(md.includes('| transport | reader | raw ceiling | delivered/s | sustainable rate | drop rate |'), 'ceilings table header');
  assert.ok(md.includes(`| ringbuf | libbpf | `) && md.includes(`| ${sus('ceilings/libbpf/ringbuf')} (confirmed: 0 dropped) |`), 'ringbuf sustainable rate');
  // perfbuf/libbpf's first confirmation dropped in the fixture: backed off 10%, marked and explained.
  assert.ok(md.includes(`| ${sus('ceilings/libbpf/perfbuf')} (confirmed: 0 dropped) ‡ |`), 'back-off marked');
  assert.match(md, /‡ the first confirmation run dropped events: the rate was backed off by 10% and confirmed again/);
  assert.ok(html.includes(`${sus('ceilings/custom/perfbuf')} (confirmed: 0 dropped)`));
  // Methodology in words: the trigger, why it is cheap, drain mode, the search.
  assert.match(md, /call `getpgid\(\)` in a tight loop/);
  assert.match(md, /`fentry` on the syscall where the kernel allows it.*`tp_btf\/sys\_enter`|`fentry` on the syscall where the kernel allows it.*`tp_btf\/sys_enter`/);
  assert.match(md, /The results do not record which one a run used; this report calls it the getpgid trigger/);
  assert.match(md, /\*\*Drain mode\.\*\* The consumer reads nothing while the load runs/);
  assert.match(md, /bisection on the producers’ rate cap, between zero and the raw ceiling, for 7 steps/);
  assert.match(md, /backs off by 10% and is confirmed again/);
  assert.match(md, /\| transport \| wake-up strategy \| delivered\/s \| drop rate \| BPF CPU\/event \|/);
  assert.match(md, /\| reader \| transport \| drained\/s \|/);
  // The ceiling groups live in their section, not again under Results.
  assert.is(md.split('### Raw ceiling and sustainable rate').length, 2);
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

/**
 * One report from a good run plus a corrupt and a wrong-schema file, shared by the bad-input
 * test and the browser test (rendering a report takes seconds on a loaded 2-core machine).
 */
let mixed: Promise<{ r: Awaited<ReturnType<typeof writeReport>>; lines: string[]; good: string; corrupt: string; wrong: string }> | undefined;
function mixedReport() {
  mixed ??= (async () => {
    const good = await writeRun('good', makeResults());
    await writeFile(path.join(good, 'results.csv'), 'id\n');
    const corrupt = await writeRun('corrupt', '{"schema": "ringbench/results@1", "scenarios": [');
    const wrong = await writeRun('wrong', { ...makeResults(), schema: 'ringbench/results@0' });
    const lines: string[] = [];
    const r = await writeReport([good, corrupt, wrong], path.join(tmp, 'mixed-report'), { log: (l) => lines.push(l) });
    return { r, lines, good, corrupt, wrong };
  })();
  return mixed;
}

test('corrupt file and wrong schema are reported by name while a good file still reports', async () => {
  const { r, lines, corrupt, wrong } = await mixedReport();
  assert.is(r.errors.length, 2);
  const corruptFile = path.join(corrupt, 'results.json');
  const wrongFile = path.join(wrong, 'results.json');
  assert.is(r.errors[0].file, corruptFile);
  assert.match(r.errors[0].error, /not valid JSON/);
  assert.is(r.errors[1].file, wrongFile);
  assert.match(r.errors[1].error, /schema is "ringbench\/results@0", expected "ringbench\/results@1"/);
  assert.ok(lines.some((l) => l.includes(corruptFile)) && lines.some((l) => l.includes(wrongFile)), 'logged by name');
  const html = await readFile(r.html, 'utf8');
  assert.ok(html.includes(corruptFile) && html.includes(wrongFile), 'the report names what it left out');
  assert.ok(existsSync(r.md) && r.charts.length === 22, `${r.charts.length} chart files`);

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

test('report.html opens in headless Chromium: no requests, no errors, every chart visible', async () => {
  const { r } = await mixedReport();
  const out = path.dirname(r.html);
  const md = await readFile(r.md, 'utf8');
  const pngs = md.match(/\(charts\/[a-z-]+\.png\)/g) ?? [];
  assert.is(pngs.length, 11);
  for (const png of pngs) assert.ok(existsSync(path.join(out, png.slice(1, -1))), png);
  assert.ok(md.includes('](../good/results.json)') && md.includes('](../good/results.csv)'), 'relative links to the raw data');

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (q) => requests.push(q.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const url = pathToFileURL(r.html).href;
    await page.goto(url, { waitUntil: 'load' });
    assert.equal(requests, [url], 'the page fetches nothing but itself');
    assert.equal(problems, []);
    assert.is(await page.locator('.verdict').count(), 7);
    const figures = page.locator('figure');
    assert.is(await figures.count(), 11);
    for (let i = 0; i < 11; i++) {
      const fig = figures.nth(i).locator('.chart');
      assert.ok(await fig.isVisible());
      const box = (await fig.boundingBox())!;
      assert.ok(box.width > 300 && box.height > 200, `figure ${i} is ${box.width}×${box.height}`);
      const shot = decodePng(await fig.screenshot());
      assert.ok(distinctColours(shot.rgba) > 20, `figure ${i} is not a single colour`);
    }
  } finally {
    await browser.close();
  }
});

test.run();
