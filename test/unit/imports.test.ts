/**
 * imports.test (unit) — no import cycle in src/: every import and re-export of src/**\/*.ts,
 * type-only ones included (a type-only circle still ties two modules' designs together), parsed
 * from the sources, resolved to files, and searched for a cycle. No root, no BPF.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative module specifiers of `import … from`, `export … from`, `import '…'` and `import('…')`. */
export function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = [
    ...code.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  return specs.filter((s) => s.startsWith('.'));
}

/** file → the files it imports (.js specifiers resolved to the .ts sources). */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((f) => [
      f,
      importsOf(readFileSync(f, 'utf8'))
        .map((s) => path.resolve(path.dirname(f), s).replace(/\.js$/, '.ts'))
        .filter((t) => known.has(t)),
    ]),
  );
}

/** Every cycle's members, one list per strongly connected component of more than one file (or a self-import). */
export function cycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('the parser sees value, type-only, re-export, side-effect and dynamic imports', () => {
  const text = [
    "import { a } from './a.js';",
    "import type { B } from '../b.js';",
    "export { c } from './c.js';",
    "export type { D } from './d.js';",
    "import {\n  e,\n  type E,\n} from './e.js';",
    "import './f.js';",
    "const g = await import('./g.js');",
    "import { readFileSync } from 'node:fs';",
    "// import { x } from './commented.js';",
  ].join('\n');
  assert.equal(importsOf(text), ['./a.js', '../b.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
});

test('the cycle search finds a circle and passes a tree', () => {
  const circle = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.equal(cycles(circle), [['a', 'b', 'c']]);
  assert.equal(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), []);
  assert.equal(cycles(new Map([['a', ['a']]])), [['a']]);
});

test('src/ has no import cycle', () => {
  const files = sourceFiles(SRC);
  assert.ok(files.length > 50, `found only ${files.length} sources under ${SRC}`);
  const graph = importGraph(files);
  assert.ok([...graph.values()].some((deps) => deps.length), 'no relative import resolved: the parser is broken');
  const found = cycles(graph).map((c) => c.map((f) => path.relative(SRC, f)).join(' ↔ '));
  assert.equal(found, [], `import cycles in src/:\n${found.join('\n')}`);
});

test.run();
