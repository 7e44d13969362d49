/**
 * charts/render — a vega-lite spec compiled with vega-lite and rendered to SVG by vega's View in
 * Node (renderer 'none', toSVG), and SVG rasterised to PNG by resvg with the DejaVu fonts loaded
 * explicitly (no system font lookup, so text renders the same on every machine).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_FONT, CHART_FONT_FILES, installTextMetrics } from './fonts.js';

/**
 * Compile and render a spec to SVG. `idPrefix` makes any element ids (clip paths, gradients)
 * unique, because several charts are inlined into one HTML document.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix = 'chart'): Promise<string> {
  installTextMetrics();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg
      .replace(/\bid="([^"]+)"/g, `id="${idPrefix}-$1"`)
      .replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`)
      .replace(/href="#([^"]+)"/g, `href="#${idPrefix}-$1"`);
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** device pixels per SVG pixel (2 = crisp on high-density screens) */
  scale?: number;
  /** load the DejaVu fonts (default); false renders without any font, so text is not drawn */
  fonts?: boolean;
}

/** Rasterise an SVG with resvg. Fonts are given explicitly: no system lookup, same result everywhere. */
export function renderPng(svg: string, opts: PngOptions = {}): { png: Buffer; width: number; height: number; pixels: Buffer } {
  const fonts = opts.fonts ?? true;
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    background: 'white',
    font: {
      fontFiles: fonts ? CHART_FONT_FILES : [],
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
  });
  const img = r.render();
  return { png: img.asPng(), width: img.width, height: img.height, pixels: img.pixels };
}
