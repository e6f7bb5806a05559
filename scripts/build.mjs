#!/usr/bin/env node
// `npm run build`: dist/ from nothing. The npm entries (plain ES modules + .d.ts, tsc), the two CDN files
// (Vite: every dependency inside, minified, Lit in production mode) and the custom-elements manifest are
// independent, so they are made at the same time. Prints what it wrote, with the CDN files' sizes.
import { spawn } from 'node:child_process';
import { chmod, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a tool; its output is shown only when it fails, so a good build prints just the summary. */
function run(label, command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        process.stderr.write(Buffer.concat(output));
        reject(new Error(`${label} failed (${signal ?? `exit code ${code}`})`));
      }
    });
  });
}

async function manifest() {
  // The analyzer's own CLI function, in this process: no npx, and the config file stays the one truth.
  const { cli } = await import('@custom-elements-manifest/analyzer/cli.js');
  await cli({ argv: ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'], cwd: root });
}

async function files(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const started = performance.now();
await rm(dist, { recursive: true, force: true });
await Promise.all([
  run('tsc', bin('tsc'), ['-p', 'tsconfig.build.json']),
  run('vite build', bin('vite'), ['build', '--logLevel', 'warn']),
  manifest(),
]);
// npm keeps the mode of packed files; the bins must be executable when run from a checkout, too.
await chmod(join(dist, 'emulator', 'cli.js'), 0o755);
await chmod(join(dist, 'doctor', 'cli.js'), 0o755);

const written = await files(dist);
const js = written.filter((file) => file.endsWith('.js') && !file.includes('/cdn/'));
const dts = written.filter((file) => file.endsWith('.d.ts'));
console.log(`dist/            ${js.length} ES modules, ${dts.length} .d.ts (tsc)`);
console.log(`dist/emulator/cli.js  executable (bin: biometric-flow-emulator)`);
console.log(`dist/doctor/cli.js    executable (bin: biometric-flow doctor <url>)`);
for (const name of ['biometric-flow.js', 'biometric-flow.iife.js']) {
  const file = join(dist, 'cdn', name);
  const content = await readFile(file);
  const map = await stat(`${file}.map`).then(() => ' + .map', () => '');
  console.log(`${relative(root, file).padEnd(32)} ${kb(content.length).padStart(9)}   gzip ${kb(gzipSync(content, { level: 9 }).length).padStart(8)}${map}`);
}
console.log(`custom-elements.json  (manifest)`);
console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
