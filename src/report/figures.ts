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

  /** The chart as the next numbered figure; nothing when it was not drawn. */
  place(id: string): Block[] {
    const r = this.rendered.get(id);
    if (!r) return [];
    r.figure.n = ++this.placed;
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
): Promise<{ figures: Figures; written: string[] }> {
  const rendered = new Map<string, { figure: FigureSpec; group?: string }>();
  const written: string[] = [];
  for (const c of charts) {
    let svg: string;
    let png: Uint8Array;
    try {
      svg = await renderSvg(c.spec, c.id);
      png = renderPng(svg).png;
    } catch (e) {
      skipped.push({ chart: c.title, why: `could not be rendered: ${(e as Error).message}` });
      log(`report: chart ${c.id} failed: ${(e as Error).message}`);
      continue;
    }
    // A failed write (a full disk) is not a rendering problem: it stops the report, naming the file.
    written.push(chartDir.write(`${c.id}.svg`, svg), chartDir.write(`${c.id}.png`, png));
    rendered.set(c.id, { figure: { n: 0, id: c.id, title: c.title, caption: c.caption, svg, png: `charts/${c.id}.png` }, group: c.group });
  }
  return { figures: new Figures(rendered), written };
}
