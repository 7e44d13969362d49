/**
 * charts — vega-lite specs built from result sets, rendered to SVG and PNG. Every chart shows the
 * mean of the repeats with its 95% confidence interval. This is the folder's public face; see
 * README.md for what lives where.
 */
export { buildCharts, CHARTS, type ChartSpec, type SkippedChart } from './build.js';
export { ceilingSetup } from './ceilings.js';
export { CHART_FONT, CHART_FONT_FILES, measureText } from './fonts.js';
export { renderPng, renderSvg, type PngOptions } from './render.js';
