// The check itself is in ../support/import-graph.ts (it says what counts as an import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { circles, dependencies, sourceGraph } from '../support/import-graph.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

test('no module of src/ reaches itself through its imports', () => {
  const graph = sourceGraph(SRC);
  assert.ok(graph.size > 50, `read ${graph.size} modules`);
  const named = circles(graph).map((group) => group.map((file) => relative(SRC, file)));
  assert.deepEqual(named, []);
});

test('the check sees a circle, a type-only one included, and not a dynamic import', () => {
  const a = join(SRC, 'a.ts');
  const b = join(SRC, 'b.ts');
  const c = join(SRC, 'c.ts');
  const graph = new Map([
    [a, dependencies(a, "import { b } from './b.js';\nexport const a = 1;")],
    [b, dependencies(b, "import type { A } from './a.js';\nexport type C = typeof import('./c.js');")],
    [c, dependencies(c, "export const load = () => import('./a.js');")],
  ]);
  assert.deepEqual(circles(graph), [[a, b]]);
});
