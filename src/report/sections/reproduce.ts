/**
 * report/sections/reproduce — each run's command, links to its raw data, and the command that
 * regenerates this report. Links are relative, so the output folder can move as a whole.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ResultSet } from '../../results/schema.js';
import type { Block, Inline } from '../document.js';

/** `file` relative to `dir`, with forward slashes (a link or a command argument). */
export function relLink(dir: string, file: string): string {
  return path.relative(path.resolve(dir), path.resolve(file)).split(path.sep).join('/') || path.basename(file);
}

export function reproduceBlocks(sets: readonly ResultSet[], outDir: string): Block[] {
  const blocks: Block[] = [{ h: 2, text: 'Reproduce' }];
  for (const s of sets) {
    if (sets.length > 1) blocks.push({ p: { strong: `${s.tag}: ${s.label}` } });
    blocks.push({ pre: s.results.command || '(command not recorded)' });
    const links: Inline[] = ['Raw data: ', { link: 'results.json', href: relLink(outDir, s.file) }];
    const csv = path.join(path.dirname(s.file), 'results.csv');
    if (existsSync(csv)) links.push(' · ', { link: 'results.csv', href: relLink(outDir, csv) });
    blocks.push({ p: links });
  }
  blocks.push({ p: 'Regenerate this report from the saved results:' });
  blocks.push({ pre: `ringbench report ${sets.map((s) => relLink(process.cwd(), s.file)).join(' ')} --out ${relLink(process.cwd(), outDir)}` });
  return blocks;
}
