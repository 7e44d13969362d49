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
import { buildCharts, renderPng, renderSvg } from '../src/charts.js';
import { writeReport, loadResultSets } from '../src/report.js';
import type { ResultSet } from '../src/report-data.js';
import type { ResultsFile } from '../src/types.js';
import { computeVerdicts } from '../src/verdict.js';
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
    ['cpu-per-event', 'drops-memory', 'event-size', 'latency-percentiles', 'ordering-producers', 'storm-timeline', 'throughput-producers', 'wakeup-sweep'],
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

test('charts without data are left out with a reason, never drawn empty', () => {
  const { charts, skipped } = buildCharts([set(makeResults({ groups: ['producers'] }))]);
  const ids = charts.map((c) => c.id);
  assert.ok(ids.includes('throughput-producers') && ids.includes('ordering-producers'));
  assert.not.ok(ids.includes('drops-memory'));
  assert.not.ok(ids.includes('wakeup-sweep'));
  assert.ok(skipped.some((s) => s.why === 'no data for the memory group (drop rate vs buffer memory) in these results'));
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
  assert.equal(perfWorse.map((v) => v.question), ['Throughput', 'Drops', 'Memory', 'Ordering', 'Latency', 'CPU']);
  assert.match(perfWorse.find((v) => v.question === 'Ordering')!.text, /^perfbuf delivers more events out of sequence order at 4 producers/);
  assert.match(perfWorse.find((v) => v.question === 'Latency')!.text, /95% CI ±\d+%/);

  // Identical measurements for both transports: intervals overlap, nobody wins.
  const same = makeResults();
  for (const r of same.scenarios) {
    if (r.transport !== 'perfbuf') continue;
    const twin = same.scenarios.find((o) => o.transport === 'ringbuf' && o.group === r.group && o.x.value === r.x.value)!;
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
  assert.ok(existsSync(r.md) && r.charts.length === 16);

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
});

test('report.html opens in headless Chromium: no requests, no errors, every chart visible', async () => {
  const { r } = await mixedReport();
  const out = path.dirname(r.html);
  const md = await readFile(r.md, 'utf8');
  const pngs = md.match(/\(charts\/[a-z-]+\.png\)/g) ?? [];
  assert.is(pngs.length, 8);
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
    assert.is(await page.locator('.verdict').count(), 6);
    const figures = page.locator('figure');
    assert.is(await figures.count(), 8);
    for (let i = 0; i < 8; i++) {
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
