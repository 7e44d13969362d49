/**
 * charts/theme — the look shared by every chart: fonts and sizes, axis and legend style, and
 * colours. Transports keep one hue everywhere (ringbuf blue, perfbuf orange); their variants stay
 * in that hue's family, and several result sets get lighter shades and dashed lines, so "which
 * transport" and "which machine" are both readable.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './fonts.js';
import type { Series, Transport } from './data.js';
import type { ResultSet } from '../results/schema.js';

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 10,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    titleColor: '#333',
    labelColor: '#444',
    gridColor: '#ececec',
    domainColor: '#999',
    tickColor: '#999',
    titlePadding: 8,
  },
  legend: {
    orient: 'bottom',
    direction: 'horizontal',
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    symbolStrokeWidth: 2.5,
    symbolSize: 90,
    labelLimit: 320,
    columnPadding: 18,
  },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', color: '#222', offset: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  line: { strokeWidth: 2 },
  point: { filled: true, size: 48, opacity: 1 },
  concat: { spacing: 40 },
} as const;

/** Base hue per transport and wake-up policy; variants of a transport stay in its family. */
// Okabe–Ito: distinguishable with every common colour-vision deficiency; shapes and dashes
// (SHAPE, dashEncoding) carry the transport too, so nothing rests on hue alone.
const HUES: Record<string, string> = {
  ringbuf: '#0072B2',
  'ringbuf/adaptive': '#0072B2',
  'ringbuf/every-n': '#56B4E9',
  'ringbuf/sampled': '#009E73',
  perfbuf: '#D55E00',
  'perfbuf/every-n': '#D55E00',
  'perfbuf/watermark': '#E69F00',
};
/** Further hues of each family for variants without a fixed colour (e.g. cpu: epoll, busy). */
const FAMILY: Record<Transport, string[]> = {
  ringbuf: ['#0072B2', '#56B4E9', '#009E73', '#004D7A'],
  perfbuf: ['#D55E00', '#E69F00', '#CC79A7', '#8F3E00'],
};

/** Point shape per transport, beside its hue: circle for ringbuf, square for perfbuf. */
export const SHAPE = { field: 'transport', type: 'nominal', scale: { domain: ['ringbuf', 'perfbuf'], range: ['circle', 'square'] }, legend: null } as const;
const DASHES = [[1, 0], [7, 4], [2, 3], [10, 3, 2, 3]];

/** Mix a hex colour with white: shade k of a set (k = 0 is the base colour). */
function shade(hex: string, k: number): string {
  if (k === 0) return hex;
  const f = Math.min(0.6, 0.38 * k);
  const n = parseInt(hex.slice(1), 16);
  const ch = [n >> 16, (n >> 8) & 255, n & 255].map((c) => Math.round(c + (255 - c) * f));
  return `#${ch.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** Colour scale whose domain lists the series in a stable order: transport, policy, set. */
export function colourScale(series: Series[]): { domain: string[]; range: string[] } {
  const uniq = [...new Map(series.map((s) => [s.name, s])).values()];
  // Variants keep the order the suite ran them in (epoll before busy, adaptive before every-n).
  const firstSeen = new Map<string, number>();
  series.forEach((s, i) => {
    if (!firstSeen.has(s.variant ?? '')) firstSeen.set(s.variant ?? '', i);
  });
  uniq.sort((a, b) =>
    a.transport !== b.transport
      ? (a.transport === 'ringbuf' ? -1 : 1)
      : (a.variant ?? '') !== (b.variant ?? '')
        ? firstSeen.get(a.variant ?? '')! - firstSeen.get(b.variant ?? '')!
        : a.setIndex - b.setIndex,
  );
  // Known policies keep fixed hues; other variants take the next free hue of their family.
  const hueOf = new Map<string, string>();
  for (const t of ['ringbuf', 'perfbuf'] as Transport[]) {
    const variants = [...new Set(uniq.filter((s) => s.transport === t && s.variant).map((s) => s.variant!))];
    const fixed = variants.filter((v) => HUES[`${t}/${v}`]);
    const free = FAMILY[t].filter((h) => !fixed.some((v) => HUES[`${t}/${v}`] === h));
    let next = 0;
    for (const v of variants) hueOf.set(`${t}/${v}`, HUES[`${t}/${v}`] ?? free[next++ % free.length]);
  }
  return {
    domain: uniq.map((s) => s.name),
    range: uniq.map((s) => shade((s.variant && hueOf.get(`${s.transport}/${s.variant}`)) || HUES[s.transport], s.setIndex)),
  };
}

export function colourEncoding(series: Series[], legend = true) {
  // With several result sets the labels are long: one legend row per transport, one column per set.
  const sets = new Set(series.map((s) => s.setIndex)).size;
  return {
    field: 'series',
    type: 'nominal',
    scale: colourScale(series),
    legend: legend ? { title: null, ...(sets > 1 ? { columns: sets } : {}) } : null,
  };
}

export function dashEncoding(sets: readonly ResultSet[]) {
  // One set: the dash tells the transports apart (solid ringbuf, dashed perfbuf), beside the hue.
  if (sets.length === 1) return { field: 'transport', type: 'nominal', scale: { domain: ['ringbuf', 'perfbuf'], range: [[1, 0], [6, 3]] }, legend: null };
  return {
    field: 'set',
    type: 'nominal',
    scale: { domain: sets.map((s) => s.label), range: sets.map((_, i) => DASHES[i % DASHES.length]) },
    legend: null,
  };
}

// Axis labels in vega's expression language (they run inside vega, so format/units cannot be
// called): byte sizes in binary units, and SI numbers with each tick formatted on its own.
export const BYTES_LABEL =
  "datum.value >= 1048576 ? format(datum.value / 1048576, '~g') + ' MiB' : datum.value >= 1024 ? format(datum.value / 1024, '~g') + ' KiB' : format(datum.value, '~g') + ' B'";

/** Nanoseconds in the readable unit per tick: 900 ns, 60 µs, 1.5 ms. */
export const NS_LABEL =
  "datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + ' ms' : datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + ' µs' : format(datum.value, '~g') + ' ns'";

export const SI_LABEL = "datum.value == 0 ? '0' : format(datum.value, '~s')";

/** Plot sizes in pixels: one chart across the text column, or half of it per panel. */
export const SINGLE_W = 640;
export const SINGLE_H = 290;
export const HALF_W = 300;
export const HALF_H = 240;

/** A top-level vega-lite spec with the shared look. */
export function top(title: string, body: Record<string, unknown>): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: CONFIG,
    ...body,
  } as unknown as TopLevelSpec;
}
