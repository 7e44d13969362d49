/**
 * charts/bars — bars grouped by category, one bar per series in its colour, each with its 95%
 * interval as a rule: the shape the CPU-per-event and skewed-load charts share.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Row, Series } from './data.js';
import { colourEncoding, colourScale, SINGLE_H, SINGLE_W, top } from './theme.js';

export interface GroupedBars {
  title: string;
  /** mark names are `${name}_bars` and `${name}_errorbars` (tests find the marks by them) */
  name: string;
  /** rows with `category`, `series`, `mean`, `lo`, `hi` */
  rows: Row[];
  series: Series[];
  /** the categories along x, in order */
  categories: readonly string[];
  /** the y axis: its title and label format */
  yAxis: Record<string, unknown>;
}

export function groupedBars(o: GroupedBars): TopLevelSpec {
  const order = colourScale(o.series).domain;
  const x = { field: 'category', type: 'nominal', sort: o.categories, axis: { title: null, labelAngle: 0, labelFontSize: 12 } };
  const xOffset = { field: 'series', type: 'nominal', sort: order, scale: { paddingInner: 0.15 } };
  return top(o.title, {
    width: Math.min(SINGLE_W, Math.max(320, 70 * 2 * order.length)),
    height: SINGLE_H - 30,
    data: { values: o.rows },
    layer: [
      { name: `${o.name}_bars`, mark: { type: 'bar' }, encoding: { x, xOffset, y: { field: 'mean', type: 'quantitative', axis: o.yAxis }, color: colourEncoding(o.series) } },
      { name: `${o.name}_errorbars`, mark: { type: 'rule', strokeWidth: 1.6, color: '#222' }, encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
  });
}
