import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'reports', '.git']);
const SOURCE = /\.(ts|mts|js|mjs)$/;
// Static imports and re-exports (type-only ones too: a cycle of types still ties two modules together),
// side-effect imports and dynamic imports of a literal path.
const SPECIFIERS = [/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return SKIPPED_FOLDERS.has(entry.name) ? [] : sourceFiles(path);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The project's own import graph: file → the project files it imports (paths relative to root). */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const pattern of SPECIFIERS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1] ?? '';
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier);
        if (existsSync(target)) targets.add(relative(root, target));
      }
    }
    graph.set(relative(root, file), [...targets].sort());
  }
  return graph;
}

/** Every strongly connected group of more than one module (or a module importing itself), as one cycle through it. */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) visit(next);
      if (stack.includes(next)) low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
    }
    if (low.get(file) !== index.get(file)) return;
    const group = stack.splice(stack.indexOf(file));
    if (group.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(cycleThrough(graph, new Set(group)));
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return cycles;
}

/** A shortest path from the group's first module back to itself, staying inside the group. */
function cycleThrough(graph: Map<string, string[]>, group: Set<string>): string[] {
  const start = [...group].sort()[0] ?? '';
  const previous = new Map<string, string>();
  const queue = [start];
  for (const file of queue) {
    for (const next of graph.get(file) ?? []) {
      if (next === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(previous.get(path[0] ?? '') ?? start);
        return [...path, start];
      }
      if (group.has(next) && !previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return [start];
}

describe('import cycles', () => {
  const graph = importGraph(ROOT);

  it("reads the project's imports: the CLI reaches the run command, and run reaches the report", () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get(join('harness', 'cli.ts'))).toContain(join('harness', 'commands', 'run.ts'));
    expect(graph.get(join('harness', 'commands', 'run.ts'))).toContain(join('harness', 'commands', 'report.ts'));
  });

  it('no module of the project imports itself through others (each cycle printed as a path)', () => {
    expect(importCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  // The layers of ARCHITECTURE.md: the numerics library knows no plug-in and no harness (its training loop only
  // the contract's types), the plug-ins and their contract know no harness, corpora know only errors.
  const FORBIDDEN: readonly (readonly [from: string, to: readonly string[]])[] = [
    ['numerics', ['harness', 'corpora', 'examples', 'models']],
    ['models', ['harness', 'examples']],
    ['corpora', ['harness', 'models', 'numerics', 'examples']],
    ['errors', ['harness', 'models', 'numerics', 'corpora', 'examples']],
  ];
  const ALLOWED = new Set([`${join('numerics', 'training', 'fit.ts')} → ${join('models', 'types.ts')}`]);

  it('imports go one way between the folders (numerics ← models ← harness), as ARCHITECTURE.md says', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const folder = file.split(/[\\/]/)[0] ?? '';
      const forbidden = FORBIDDEN.find(([from]) => from === folder)?.[1] ?? [];
      for (const target of targets) {
        const edge = `${file} → ${target}`;
        if (forbidden.includes(target.split(/[\\/]/)[0] ?? '') && !ALLOWED.has(edge)) wrong.push(edge);
      }
    }
    expect(wrong).toEqual([]);
  });

  describe('on a folder of its own', () => {
    const folder = mkdtempSync(join(tmpdir(), 'import-cycles-'));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it('finds a cycle through a type-only import and a multi-line re-export, and not a shared dependency', () => {
      mkdirSync(join(folder, 'sub'));
      writeFileSync(join(folder, 'a.ts'), "import type { B } from './sub/b.ts';\nimport { c } from './c.ts';\n");
      writeFileSync(join(folder, 'sub', 'b.ts'), "export {\n  a,\n  z,\n} from '../a.ts';\nimport '../c.ts';\n");
      writeFileSync(join(folder, 'c.ts'), "export const c = await import('node:fs');\n");
      writeFileSync(join(folder, 'd.ts'), "const late = import('./d.ts');\n");
      const found = importCycles(importGraph(folder));
      expect(found).toEqual([
        ['a.ts', join('sub', 'b.ts'), 'a.ts'],
        ['d.ts', 'd.ts'],
      ]);
    });
  });
});
