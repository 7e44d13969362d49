/**
 * report/figures — renders each chart once to charts/<id>.svg (inlined in the page) and
 * charts/<id>.png (linked from the Markdown), and numbers figures in the order the report places
 * them.
 */
import type { OutputDir } from '../results/outdir.js';
import { renderPng, renderSvg, type ChartSpec, type SkippedChart } from '../charts/index.js';
import type { Block, FigureSpec } from './document.js';

/** The rendered charts, in build order, each placed at most once as a numbered figure. */
export class Figures {
  private placed = 0;

  constructor(private readonly rendered: Map<string, { figure: FigureSpec; group?: string }>) {}

  get size(): number {
    return this.rendered.size;
  }

  ids(): string[] {
    return [...this.rendered.keys()];
  }

  /** The suite group a chart belongs to (its section), if any. */
  groupOf(id: string): string | undefined {
    return this.rendered.get(id)?.group;
  }

  /** Whether the chart was drawn and is not yet placed. */
  has(id: string): boolean {
    const r = this.rendered.get(id);
    return !!r && r.figure.n === 0;
  }

  /** The chart as the next numbered figure, with the finding it shows as alt text; nothing when
   *  it was not drawn or is already placed. */
  /** The title the chart was drawn with: a finding, or the catalogue's title when it has none. */
  titleOf(id: string): string | undefined {
    return this.rendered.get(id)?.figure.title;
  }

  place(id: string, alt?: string): Block[] {
    const r = this.rendered.get(id);
    if (!r || r.figure.n > 0) return [];
    r.figure.n = ++this.placed;
    if (alt) r.figure.alt = alt;
    return [{ figure: r.figure }];
  }
}

/**
 * Render every chart into chartDir. A chart that fails to render must not take the report down
 * with it: it joins `skipped` with the reason.
 */
export async function renderFigures(
  charts: readonly ChartSpec[],
  chartDir: OutputDir,
  skipped: SkippedChart[],
  log: (line: string) => void,
  footer = '',
): Promise<{ figures: Figures; written: string[] }> {
  const rendered = new Map<string, { figure: FigureSpec; group?: string }>();
  const written: string[] = [];
  for (const c of charts) {
    let svg: string;
    let png: Uint8Array;
    try {
      svg = withFooter(await renderSvg(c.spec, c.id), footer);
      png = renderPng(svg).png;
    } catch (e) {
      skipped.push({ chart: c.title, why: `could not be rendered: ${(e as Error).message}` });
      log(`report: chart ${c.id} failed: ${(e as Error).message}`);
      continue;
    }
    // A failed write (a full disk) is not a rendering problem: it stops the report, naming the file.
    written.push(chartDir.write(`${c.id}.svg`, svg), chartDir.write(`${c.id}.png`, png));
    rendered.set(c.id, { figure: { n: 0, id: c.id, title: c.title, caption: c.caption, svg, png: `charts/${c.id}.png`, svgFile: `charts/${c.id}.svg` }, group: c.group });
  }
  return { figures: new Figures(rendered), written };
}

/**
 * The chart's provenance inside the image (kernel, host, repeats, "95% CI"), so a figure lifted
 * alone still says where it came from: the SVG grows by one line at the bottom.
 */
export function withFooter(svg: string, footer: string): string {
  if (!footer) return svg;
  const m = /^<svg([^>]*)\swidth="(\d+(?:\.\d+)?)"\s+height="(\d+(?:\.\d+)?)"([^>]*)viewBox="([^"]*)"/.exec(svg);
  if (!m) return svg;
  const w = Number(m[2]);
  const h = Number(m[3]);
  const line = 18;
  const vb = m[5].split(/\s+/).map(Number);
  const head = `<svg${m[1]} width="${w}" height="${h + line}"${m[4]}viewBox="${vb[0]} ${vb[1]} ${vb[2]} ${vb[3] + line}"`;
  const esc = footer.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const text = `<text x="${vb[0] + 10}" y="${vb[1] + h + line - 6}" font-family="DejaVu Sans" font-size="10" fill="#666">${esc}</text>`;
  return head + svg.slice(m[0].length).replace(/<\/svg>\s*$/, `${text}</svg>`);
}
