/**
 * No import circle in src/: a module that reaches itself through its imports (the element ↔ a feature
 * typed against it, a chunk's module ↔ the presenters it re-exports) ties modules that should know
 * nothing of each other, and makes evaluation order depend on which one a page imports first.
 *
 * Read from the text (the project's TypeScript 7 has no compiler API to walk with), comments taken out
 * first: `import`/`export … from`, `import type` and `typeof import('…')` count (a type-only edge still
 * ties a feature to what it names); a dynamic `import()` does not: it is a load, not a dependency, and
 * src/lazy.ts is the one module that makes them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** `import … from`, `export … from`, a bare `import '…'`, and the type `typeof import('…')`. */
const EDGES = [
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/g,
  /\btypeof\s+import\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The relative specifiers a module depends on, resolved to files of src/. */
export function dependencies(file: string, text: string): string[] {
  // Comments out, so that an example in a doc comment is no edge; strings stay (specifiers are strings).
  const code = text.replace(/\/\*[^]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specifiers = EDGES.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]!));
  return specifiers.filter((specifier) => specifier.startsWith('.')).map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
}

/** The strongly connected groups of more than one module (or a module importing itself): Tarjan's algorithm. */
export function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || graph.get(node)!.includes(node)) found.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return found;
}

export function sourceGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    graph.set(file, dependencies(file, readFileSync(file, 'utf8')));
  }
  return graph;
}

