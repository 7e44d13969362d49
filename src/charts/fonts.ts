/**
 * charts/fonts — text measurement from the DejaVu font files the charts render with, so layout
 * is exact and the PNGs draw the same text on every machine (no system font lookup).
 */
import { readFileSync } from 'node:fs';
import * as vega from 'vega';

export const CHART_FONT = 'DejaVu Sans';
const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const CHART_FONT_FILES = [`${FONT_DIR}/DejaVuSans.ttf`, `${FONT_DIR}/DejaVuSans-Bold.ttf`];

// Text measurement. Without a canvas, vega guesses every glyph at 0.8 em, which pads charts with
// blank space and hides axis labels that would fit. Reading advance widths from the DejaVu font
// files we render with gives exact layout. This replaces vega's process-wide textMetrics.width
// (vega's documented hook for custom measurement), which is fine: reports are the only renderer.

interface FontMetrics {
  unitsPerEm: number;
  advance: Map<number, number>;
  fallback: number;
}

function parseFontMetrics(buf: Buffer): FontMetrics {
  const tables = new Map<string, number>();
  const numTables = buf.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    tables.set(buf.toString('ascii', rec, rec + 4), buf.readUInt32BE(rec + 8));
  }
  const head = tables.get('head')!;
  const hhea = tables.get('hhea')!;
  const hmtx = tables.get('hmtx')!;
  const cmap = tables.get('cmap')!;
  const unitsPerEm = buf.readUInt16BE(head + 18);
  const numberOfHMetrics = buf.readUInt16BE(hhea + 34);
  const glyphAdvance = (g: number) => buf.readUInt16BE(hmtx + 4 * Math.min(g, numberOfHMetrics - 1));
  // cmap format 4 (Unicode BMP) subtable: segments mapping code points to glyph ids.
  let sub = -1;
  for (let i = 0, n = buf.readUInt16BE(cmap + 2); i < n; i++) {
    const platform = buf.readUInt16BE(cmap + 4 + i * 8);
    const encoding = buf.readUInt16BE(cmap + 6 + i * 8);
    const offset = buf.readUInt32BE(cmap + 8 + i * 8);
    if ((platform === 3 && encoding === 1) || platform === 0) {
      if (buf.readUInt16BE(cmap + offset) === 4) sub = cmap + offset;
    }
  }
  const advance = new Map<number, number>();
  if (sub >= 0) {
    const segX2 = buf.readUInt16BE(sub + 6);
    const ends = sub + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const rangeOffsets = deltas + segX2;
    for (let s = 0; s < segX2 / 2; s++) {
      const end = buf.readUInt16BE(ends + 2 * s);
      const start = buf.readUInt16BE(starts + 2 * s);
      const delta = buf.readUInt16BE(deltas + 2 * s);
      const ro = buf.readUInt16BE(rangeOffsets + 2 * s);
      // Only the ranges a chart label can plausibly use: Latin, punctuation, symbols.
      for (let c = start; c <= Math.min(end, 0x2fff) && c !== 0xffff; c++) {
        let g: number;
        if (ro === 0) g = (c + delta) & 0xffff;
        else {
          const at = rangeOffsets + 2 * s + ro + 2 * (c - start);
          g = buf.readUInt16BE(at);
          if (g !== 0) g = (g + delta) & 0xffff;
        }
        if (g !== 0) advance.set(c, glyphAdvance(g));
      }
    }
  }
  return { unitsPerEm, advance, fallback: advance.get(0x78) ?? unitsPerEm * 0.6 };
}

let fontMetrics: { regular: FontMetrics; bold: FontMetrics } | null | undefined;

function loadFontMetrics(): typeof fontMetrics {
  if (fontMetrics === undefined) {
    try {
      fontMetrics = {
        regular: parseFontMetrics(readFileSync(CHART_FONT_FILES[0])),
        bold: parseFontMetrics(readFileSync(CHART_FONT_FILES[1])),
      };
    } catch {
      fontMetrics = null; // fonts missing: keep vega's estimate
    }
  }
  return fontMetrics;
}

/** Width in pixels of `text` set in DejaVu Sans at `size`, bold or not. */
export function measureText(text: string, size: number, bold = false): number {
  const m = loadFontMetrics();
  if (!m) return 0.6 * text.length * size;
  const f = bold ? m.bold : m.regular;
  let units = 0;
  for (const ch of text) units += f.advance.get(ch.codePointAt(0)!) ?? f.fallback;
  return (units / f.unitsPerEm) * size;
}

/** Make vega measure text with the DejaVu metrics (once per process is enough; repeats are harmless). */
export function installTextMetrics(): void {
  const tm = (vega as unknown as { textMetrics?: { width: (item: Record<string, unknown>, text?: unknown) => number } }).textMetrics;
  if (!tm || !loadFontMetrics()) return;
  tm.width = (item, text) => {
    const t = text ?? item.text;
    const lines = Array.isArray(t) ? t.map(String) : [String(t ?? '')];
    const size = Number(item.fontSize ?? 11);
    const w = item.fontWeight;
    const bold = w === 'bold' || w === 'bolder' || Number(w) >= 600;
    return Math.max(0, ...lines.map((l) => measureText(l, size, bold)));
  };
}
