/**
 * charts.test (unit) — chart specs from fixtures: they compile and render to SVG with the marks the
 * data calls for, intervals are clipped where a quantity cannot go, charts without data are left
 * out with a reason, and the PNG has its text drawn. No root, no BPF.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildCharts, CHARTS, renderPng, renderSvg } from '../../src/charts/index.js';
import { CHART_WORDS } from '../../src/charts/captions.js';
import { displayInterval, GROUP_ORDER, metricAggregate } from '../../src/analysis/groups.js';
import { DROP_RATE } from '../../src/results/metrics.js';
import { aggregate } from '../../src/analysis/stats.js';
import { decodePng, distinctColours, makeResults, markItems, resultSet } from '../report-fixtures.js';

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

test('specs compile and render to SVG with the expected marks', async () => {
  const { charts, skipped } = buildCharts([resultSet(makeResults())]);
  assert.equal(skipped, [], 'a complete result set supports every chart');
  assert.equal(
    charts.map((c) => c.id).sort(),
    ['ceilings', 'contention', 'cpu-per-event', 'drops-memory', 'event-size', 'latency-cdf', 'latency-percentiles', 'loss-curve', 'ordering-producers', 'reader-ceiling', 'skew-memory', 'storm-timeline', 'throughput-producers', 'wakeup-ceiling', 'wakeup-sweep'],
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
  const { charts } = buildCharts([resultSet(makeResults())]);
  const chart = async (id: string) => {
    const c = charts.find((x) => x.id === id)!;
    return { c, svg: await renderSvg(c.spec, c.id) };
  };
  const ceil = await chart('ceilings');
  // 3 measures × 2 transports × 2 readers; the sustainable rate (one search, upgraded on load to
  // an aggregate of one) has no interval.
  assert.is(markItems(ceil.svg, 'ceilings_bars_marks', 'path'), 12);
  assert.is(markItems(ceil.svg, 'ceilings_errorbars_marks', 'line'), 8, 'CI rules for raw and delivered only');
  for (const label of ['raw ceiling (generated/s)', 'delivered/s at full rate', 'sustainable rate (0 drops)', 'ringbuf (libbpf reader)', 'perfbuf (custom reader)']) {
    assert.ok(ceil.svg.includes(`>${label}</text>`), label);
  }
  assert.match(ceil.c.caption, /getpgid\(\) trigger, 2 producer threads, 64 KiB buffer/);
  assert.match(ceil.c.caption, /none for a single search/);
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
  for (const label of ['ringbuf · adaptive', 'ringbuf · sampled-64K', 'perfbuf · every-1', 'perfbuf · watermark-64K', 'delivered events/s', 'BPF program CPU per event']) {
    assert.ok(wake.svg.includes(`>${label}</text>`), label);
  }
});

test('values spanning more than 10× get a log axis; a finding replaces the catalogue title', async () => {
  const res = makeResults();
  for (const r of res.scenarios.filter((x) => x.group === 'ceilings' && x.transport === 'perfbuf')) {
    for (const m of ['rates.generatedPerSec', 'rates.deliveredPerSec']) {
      r.repeats[m] = r.repeats[m].map((v) => v / 50);
      r.aggregates[m] = aggregate(r.repeats[m]);
    }
  }
  const { charts } = buildCharts([resultSet(res)], { ceilings: 'ringbuf sustains 50× perfbuf' });
  const c = charts.find((x) => x.id === 'ceilings')!;
  const svg = await renderSvg(c.spec, c.id);
  assert.ok(svg.includes('>events/s (log scale)</text>'), 'log axis');
  assert.is(c.title, 'ringbuf sustains 50× perfbuf');
  assert.ok(svg.includes('>ringbuf sustains 50× perfbuf</text>') && svg.includes('>Transport ceilings</text>'), 'finding as title, catalogue title below');
  const { charts: plain } = buildCharts([resultSet(makeResults())]);
  assert.not.ok((await renderSvg(plain.find((x) => x.id === 'ceilings')!.spec, 'c2')).includes('(log scale)'), 'no log axis within 10×');
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

  const { charts } = buildCharts([resultSet(noisy)]);
  const values = (id: string) => JSON.stringify(charts.find((c) => c.id === id)!.spec).match(/"lo":-?[\d.e+-]+/g) ?? [];
  for (const id of ['drops-memory', 'cpu-per-event']) {
    const los = values(id).map((v) => Number(v.slice(5)));
    assert.ok(los.length > 0 && los.every((v) => v >= 0), `${id}: no drawn interval below zero`);
    assert.match(charts.find((c) => c.id === id)!.caption, /cut at zero/);
  }
  // A clean result set draws every interval as it is, with no footnote.
  const clean = buildCharts([resultSet(makeResults())]).charts;
  assert.not.match(clean.find((c) => c.id === 'throughput-producers')!.caption, /cut at/);
});

test('charts without data are left out with a reason, never drawn empty', () => {
  const { charts, skipped } = buildCharts([resultSet(makeResults({ groups: ['producers'] }))]);
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
  const { charts } = buildCharts([resultSet(makeResults())]);
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

test('every chart has its words in the caption catalogue and a known home group', () => {
  for (const c of CHARTS) {
    assert.ok(CHART_WORDS[c.id], `${c.id} has a caption entry`);
    if (c.group) assert.ok(GROUP_ORDER.includes(c.group), `${c.id}: ${c.group} is a registered group`);
  }
  assert.equal(Object.keys(CHART_WORDS).sort(), CHARTS.map((c) => c.id).sort(), 'no caption without a chart');
  const { charts } = buildCharts([resultSet(makeResults())]);
  assert.equal(charts.map((c) => c.id), CHARTS.map((c) => c.id), 'charts come in presentation order');
});

test.run();
