// The package as npm would publish it: build, `npm pack`, then lint the tarball (publint), check its
// types per entry (@arethetypeswrong/core), look at what it ships, import every entry of the unpacked
// copy in Node and type-check a small consumer against it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { checkPackage, createPackageFromTarballData, type Problem, type ResolutionKind } from '@arethetypeswrong/core';
import { problemAffectsResolutionKind, problemKindInfo } from '@arethetypeswrong/core/problems';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const SUBPATHS = ['.', './react', './react-jsx', './vue', './server', './emulator'];
const ENTRIES = SUBPATHS.map((subpath) => `biometric-flow${subpath.slice(1)}`);
const CDN_FILES = ['dist/cdn/biometric-flow.js', 'dist/cdn/biometric-flow.iife.js'];
/**
 * The package is ESM only, so it is judged as attw's `esm-only` profile does: by how Node 16+ ESM and
 * bundlers resolve it. `node10` cannot see subpath exports at all, and `node16-cjs` is told that the
 * entries are ES modules ("dynamic import only"): both are what ESM-only means, not defects.
 */
const CHECKED_RESOLUTIONS: ResolutionKind[] = ['node16-esm', 'bundler'];

let work: string;
let tarball: Buffer;
let packed: string[];
/** The unpacked tarball, installed as node_modules/biometric-flow of a consumer folder. */
let consumer: string;
let installed: string;
/**
 * The build rewrites custom-elements.json in the tree; it is put back afterwards, so that this test
 * cannot hide a stale committed manifest from scripts/check-manifest.mjs.
 */
const manifestPath = join(root, 'custom-elements.json');
let manifestBefore: string | undefined;

before(
  async () => {
    work = mkdtempSync(join(tmpdir(), 'biometric-flow-package-'));
    manifestBefore = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : undefined;
    await run(process.execPath, ['scripts/build.mjs'], { cwd: root, timeout: 60_000 });
    // The build just ran; --ignore-scripts keeps `prepack` from running it again.
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: root,
      timeout: 60_000,
    });
    const [info] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
    packed = info.files.map((file) => file.path).sort();
    const tarballPath = join(work, info.filename);
    tarball = readFileSync(tarballPath);

    consumer = join(work, 'consumer');
    mkdirSync(join(consumer, 'node_modules', '@types'), { recursive: true });
    await run('tar', ['-xzf', tarballPath, '-C', join(consumer, 'node_modules')]);
    installed = join(consumer, 'node_modules', 'biometric-flow');
    renameSync(join(consumer, 'node_modules', 'package'), installed);
    // `npm install` would need the registry; the project's own copies of the dependencies (and the
    // optional peers a consumer would add) stand in for it.
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), '@types/node']) {
      const link = join(consumer, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), link, 'dir');
    }
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  },
  { timeout: 120_000 },
);

after(() => {
  if (manifestBefore === undefined) rmSync(manifestPath, { force: true });
  else if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== manifestBefore) writeFileSync(manifestPath, manifestBefore);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  test('ships the ES modules, the CDN files, the manifest and the licence, and no tests, demo or sources', () => {
    const expected = [
      ...['package.json', 'LICENSE', 'custom-elements.json', 'dist/index.js', 'dist/index.d.ts', 'dist/define.js'],
      // The vendor notes the types cite (`docs/vendor.md §5`), so the citations resolve in node_modules.
      'docs/vendor.md',
      ...['dist/react.js', 'dist/server/index.js', 'dist/emulator/index.js', 'dist/emulator/cli.js'],
      ...CDN_FILES,
      ...CDN_FILES.map((file) => `${file}.map`),
    ];
    for (const file of expected) {
      assert.ok(packed.includes(file), `${file} is in the tarball`);
    }
    const unwanted = packed.filter(
      (file) => /^(src|test|demo|scripts|\.ci)\//.test(file) || /\.test\.|\.tsbuildinfo$|^tsconfig|config\.(m?js|ts)$/.test(file),
    );
    assert.deepEqual(unwanted, []);
  });

  test('has no publint findings, suggestions included', async () => {
    const { messages, pkg } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) as ArrayBuffer },
      level: 'suggestion',
      strict: true,
    });
    assert.equal(pkg.name, 'biometric-flow', 'publint read the packed package.json');
    assert.deepEqual(
      messages.map((message) => `${message.type} ${message.code}: ${formatMessage(message, pkg, { color: false })}`),
      [],
    );
  });

  test('has types that resolve for every entry under Node 16+ ESM and bundlers (attw, esm-only profile)', async () => {
    const result = await checkPackage(createPackageFromTarballData(new Uint8Array(tarball)));
    assert.ok(result.types, 'attw finds types in the package');
    const entrypoints = Object.keys(result.entrypoints).sort();
    assert.deepEqual(entrypoints, [...SUBPATHS, './custom-elements.json', './package.json'].sort());
    const problems = result.problems.filter((problem: Problem) =>
      CHECKED_RESOLUTIONS.some((kind) => problemAffectsResolutionKind(problem, kind, result)),
    );
    assert.deepEqual(
      problems.map((problem) => `${problemKindInfo[problem.kind].title}: ${JSON.stringify(problem)}`),
      [],
    );
    for (const entry of SUBPATHS) {
      for (const kind of CHECKED_RESOLUTIONS) {
        const resolution = result.entrypoints[entry]!.resolutions[kind];
        assert.ok(resolution.resolution?.isTypeScript, `${entry} resolves to .d.ts under ${kind}`);
      }
    }
  });

  test('marks only the modules that register the tag as having side effects', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { sideEffects: string[] };
    assert.deepEqual(
      [...manifest.sideEffects].sort(),
      ['./dist/define.js', './dist/index.js', ...CDN_FILES.map((file) => `./${file}`)].sort(),
    );
  });

  test('imports every entry of the unpacked package in Node without throwing', async () => {
    const script = `
      const out = {};
      for (const entry of ${JSON.stringify(ENTRIES)}) out[entry] = Object.keys(await import(entry)).sort();
      const manifest = (await import('biometric-flow/custom-elements.json', { with: { type: 'json' } })).default;
      out.tags = manifest.modules.flatMap((m) => m.declarations ?? []).map((d) => d.tagName).filter(Boolean);
      console.log(JSON.stringify(out));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], { cwd: consumer, timeout: 30_000 });
    const exports = JSON.parse(stdout) as Record<string, string[]>;
    assert.ok(exports['biometric-flow']!.includes('BiometricFlowElement'));
    assert.ok(exports['biometric-flow']!.includes('defineBiometricFlow'));
    assert.ok(exports['biometric-flow/react']!.includes('BiometricFlow'));
    assert.deepEqual(exports['biometric-flow/react-jsx'], []);
    assert.deepEqual(exports['biometric-flow/vue'], []);
    assert.ok(exports['biometric-flow/server']!.includes('createSessionHandler'));
    assert.ok(exports['biometric-flow/emulator']!.includes('startEmulator'));
    assert.deepEqual(exports.tags, ['biometric-flow']);
  });

  test("starts the React wrapper's module with 'use client', so that a Server Component may render it", () => {
    // Next.js looks for the directive before anything else but comments; tsc keeps it as the first line.
    const wrapper = readFileSync(join(installed, 'dist', 'react.js'), 'utf8');
    assert.match(wrapper, /^'use client';\n/);
  });

  test('installs an executable emulator CLI', async () => {
    const cli = join(installed, 'dist', 'emulator', 'cli.js');
    assert.ok((statSync(cli).mode & 0o111) !== 0, 'dist/emulator/cli.js is executable');
    const { stdout } = await run(cli, ['--help'], { cwd: consumer, timeout: 30_000 });
    assert.match(stdout, /Usage: biometric-flow-emulator/);
  });

  test('installs an executable biometric-flow command (doctor)', async () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const cli = join(installed, manifest.bin['biometric-flow']!);
    assert.ok((statSync(cli).mode & 0o111) !== 0, `${manifest.bin['biometric-flow']} is executable`);
    const { stdout } = await run(cli, ['--help'], { cwd: consumer, timeout: 30_000 });
    assert.match(stdout, /Usage: biometric-flow doctor <url>/);
  });

  test('types a consumer: React wrapper events, React 19 JSX, Vue templates, server and emulator', async () => {
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'DOM', 'DOM.Iterable'],
          types: ['node'],
          jsx: 'react-jsx',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ['app.tsx'],
      }),
    );
    writeFileSync(join(consumer, 'app.tsx'), CONSUMER_SOURCE);
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['-p', consumer], { cwd: consumer, timeout: 60_000 }).catch((error: { stdout: string }) => error);
    assert.equal(result.stdout.trim(), '', 'the consumer type-checks, every @ts-expect-error included');
  });

  test('reports the CDN files with their gzip sizes; they carry Lit\'s production build', () => {
    for (const file of CDN_FILES) {
      const content = readFileSync(join(installed, file));
      const gzip = gzipSync(content, { level: 9 }).length;
      console.log(`${file}: ${(content.length / 1024).toFixed(1)} KB, ${(gzip / 1024).toFixed(1)} KB gzip`);
      assert.ok(content.length > 0);
      assert.match(content.toString('utf8'), /biometric-flow/);
      // Lit's development build warns at load; the CDN files carry the production one.
      assert.doesNotMatch(content.toString('utf8'), /Lit is in dev mode/);
    }
  });
});

/** A host app against the published types; each `@ts-expect-error` proves a typing is in force. */
const CONSUMER_SOURCE = `
import 'biometric-flow';
import type {} from 'biometric-flow/react-jsx';
import type {} from 'biometric-flow/vue';
import { BiometricFlowElement, type FinishedDetail } from 'biometric-flow';
import { BiometricFlow } from 'biometric-flow/react';
import { createSessionHandler, toNodeListener } from 'biometric-flow/server';
import { startEmulator } from 'biometric-flow/emulator';
import type { GlobalComponents } from 'vue';

// React 18: the @lit/react wrapper, properties and typed event details.
export const wrapped = (
  <BiometricFlow
    sessionEndpoint="/api/session"
    mode="modal"
    context={{ orderId: 1 }}
    requestInit={{ credentials: 'include' }}
    onFinished={(event) => event.detail.sessionId.toUpperCase()}
    onFlowError={(event) => event.detail.code satisfies string}
    onStateChange={(event) => event.detail.previous}
  />
);
// @ts-expect-error: the detail of 'finished' has no 'verdict'
export const wrongDetail = <BiometricFlow onFinished={(event) => event.detail.verdict} />;

// React 19: the plain element; listeners are spelt like the events.
export const plain = (
  <biometric-flow
    session-endpoint="/api/session"
    mode="popup"
    autostart
    resume
    handoff-endpoint="/api/handoff"
    handoff="offer"
    timeout={5000}
    context={{ orderId: 1 }}
    onfinished={(event) => event.detail.via}
    onflow-error={(event) => event.detail.retryable}
    onsession-created={(event) => event.detail.technologies.join()}
  />
);
// @ts-expect-error: not a mode
export const wrongMode = <biometric-flow mode="sideways" />;
// @ts-expect-error: not a handoff setting
export const wrongHandoffJsx = <biometric-flow handoff="always" />;
// @ts-expect-error: the detail of 'cancelled' has no 'via'
export const wrongEvent = <biometric-flow oncancelled={(event) => event.detail.via} />;

// Vue 3: the global component's props.
type VueProps = InstanceType<GlobalComponents['biometric-flow']>['$props'];
export const vueProps: VueProps = {
  sessionEndpoint: '/api/session',
  popupFallback: 'none',
  resume: true,
  handoffEndpoint: '/api/handoff',
  handoff: 'offer',
  onFinished: (event) => event.detail.sessionId,
};
// @ts-expect-error: not a popup fallback
export const wrongVue: VueProps = { popupFallback: 'popup' };
// @ts-expect-error: not a handoff setting
export const wrongHandoff: VueProps = { handoff: 'always' };

export const element: BiometricFlowElement = document.createElement('biometric-flow');
element.addEventListener('finished', (event) => {
  const detail: FinishedDetail = event.detail;
  return detail;
});
export const handler = toNodeListener(createSessionHandler({ apiKey: 'key' }));
export const emulator = startEmulator({ port: 0 });
`;
