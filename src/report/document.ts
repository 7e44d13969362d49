/**
 * report/document — the report's document model: inline text and blocks, built once and rendered
 * twice (html.ts, markdown.ts), so report.html and report.md always say the same thing.
 */

/** Inline text: plain, code, strong, emphasis or a link. */
export type Inline = string | { code: string } | { strong: string } | { em: string } | { link: string; href: string };
export type Text = Inline | Inline[];

export interface TableSpec {
  /** optional spanning header row above the column titles (multi-set tables) */
  spans?: { text: string; span: number }[];
  head: string[];
  /** which columns are numbers (right-aligned, tabular figures) */
  numeric: boolean[];
  rows: Text[][];
  /** columns that repeat the previous row's value are shown blank, for readability */
  groupFirst?: number;
  footnote?: Text;
  /** let the table extend past the text column (many columns) */
  wide?: boolean;
}

/** A rendered chart: its number is given when the report places it. */
export interface FigureSpec {
  n: number;
  id: string;
  title: string;
  caption: string;
  /** the finding in one sentence, for alt text (falls back to the title) */
  alt?: string;
  svg: string;
  /** charts/<id>.png and charts/<id>.svg, relative to the report */
  png: string;
  svgFile?: string;
}

/** One block of the document; `raw` carries pre-rendered HTML and Markdown (the comparison). */
export type Block =
  | { h: 2 | 3; text: string; id?: string }
  | { p: Text; cls?: string }
  | { ul: Text[] }
  | { table: TableSpec }
  | { figure: FigureSpec }
  | { pre: string }
  | { raw: { html: string; md: string } }
  | { details: { summary: Text; blocks: Block[] } }
  /** a block group with an id (HTML <section>; Markdown renders its blocks) */
  | { section: { id: string; blocks: Block[] } };

/** HTML-escape text and attribute values. */
export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function inlines(t: Text): Inline[] {
  return Array.isArray(t) ? t : [t];
}

/** An id for a heading: lower-case words joined by hyphens. */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
