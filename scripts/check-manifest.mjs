#!/usr/bin/env node
// Fails when custom-elements.json is not what the element's JSDoc makes now: the manifest is the API
// reference that editors and docs tools read, so a stale one misleads them. Regenerates it into a
// temporary folder (the tree is left alone), compares, and shows the first lines that differ.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '@custom-elements-manifest/analyzer/cli.js';

const root = new URL('..', import.meta.url).pathname;
const committedPath = join(root, 'custom-elements.json');
const work = mkdtempSync(join(tmpdir(), 'biometric-flow-manifest-'));

try {
  // noWrite: the analyzer would join even an absolute outdir onto cwd; the text is written as its CLI does.
  const manifest = await cli({
    argv: ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'],
    cwd: root,
    noWrite: true,
  });
  const fresh = `${JSON.stringify(manifest, null, 2)}\n`;
  const freshPath = join(work, 'custom-elements.json');
  writeFileSync(freshPath, fresh);

  let committed;
  try {
    committed = readFileSync(committedPath, 'utf8');
  } catch {
    console.error('custom-elements.json is missing. Run `npm run build` (or `npm run analyze`) and commit it.');
    process.exit(1);
  }

  if (committed === fresh) {
    console.log('custom-elements.json is up to date.');
  } else {
    const diff = spawnSync('git', ['diff', '--no-index', '--no-color', '--unified=2', committedPath, freshPath], {
      encoding: 'utf8',
    }).stdout;
    const lines = (diff ?? '').split('\n').slice(4);
    console.error('custom-elements.json is stale: the element\'s JSDoc or API changed since it was generated.');
    console.error('Run `npm run analyze` (or `npm run build`) and commit custom-elements.json.\n');
    console.error(`--- committed\n+++ generated now`);
    console.error(lines.slice(0, 60).join('\n'));
    if (lines.length > 60) console.error(`… ${lines.length - 60} more diff lines`);
    process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
