/**
 * Builds the framework apps with Vite against the **packed** package, the way a consumer gets it:
 * `npm pack`, the tarball unpacked into `node_modules/biometric-flow` of a folder of its own, its
 * dependencies there as links to this project's copies (what `npm install` would put there; the
 * registry is not needed), and a copy of this folder next to it. Every `import 'biometric-flow…'` of an
 * app then goes through the tarball's `exports`; nothing of `src/` is reachable.
 *
 * ```
 * <work>/consumer/node_modules/biometric-flow   the unpacked tarball
 * <work>/consumer/node_modules/{lit,zod,…}       links: the package's dependencies, React 19, Vue, Vite
 * <work>/consumer/frameworks/                    a copy of demo/frameworks
 * <work>/consumer/frameworks/react18/node_modules/{react,react-dom}   links to React 18
 * ```
 *
 * The React apps are built in development mode, where StrictMode runs every effect twice; the Vue app
 * as for production.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type Rolldown } from 'vite';
import { cdnBuildIsStale } from '../server.js';

const run = promisify(execFile);
const FRAMEWORKS_DIR = fileURLToPath(new URL('.', import.meta.url));
const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** What the apps import from dist/; a build is made when one is missing. */
const NEEDED_DIST_FILES = ['dist/index.js', 'dist/react.js', 'dist/react-jsx.d.ts', 'dist/vue.d.ts'];

export const FRAMEWORK_APPS = ['react18', 'react19', 'vue3'] as const;
export type FrameworkApp = (typeof FRAMEWORK_APPS)[number];

const MODES: Record<FrameworkApp, 'development' | 'production'> = {
  react18: 'development',
  react19: 'development',
  vue3: 'production',
};

/** Packages linked into the consumer's node_modules, besides the package's own dependencies. */
const CONSUMER_LINKS = ['react', 'react-dom', '@types/react', '@types/react-dom', 'vue', 'vite', '@vitejs/plugin-react', '@vitejs/plugin-vue'];
/** React 18 for the react18 app only, from this project's npm aliases. */
const REACT_18_LINKS = { react: 'react-18', 'react-dom': 'react-dom-18' };

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

/**
 * Runs `npm run build` (scripts/build.mjs) when dist/ is missing or older than src/. The build rewrites
 * custom-elements.json; it is put back, so that a stale committed manifest still fails
 * scripts/check-manifest.mjs.
 *
 * @returns whether it built.
 */
export async function ensurePackageBuild(): Promise<boolean> {
  const missing = NEEDED_DIST_FILES.some((file) => !existsSync(join(PROJECT_DIR, file)));
  if (!missing && !cdnBuildIsStale()) return false;
  const manifestPath = join(PROJECT_DIR, 'custom-elements.json');
  const manifest = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : undefined;
  try {
    await run(process.execPath, [join(PROJECT_DIR, 'scripts', 'build.mjs')], { cwd: PROJECT_DIR, timeout: 90_000 });
  } finally {
    if (manifest !== undefined) writeFileSync(manifestPath, manifest);
  }
  return true;
}

/**
 * `npm pack` of the current dist/ (no `prepack` build: {@link ensurePackageBuild} decides about that).
 *
 * @returns the tarball's path.
 */
export async function packPackage(destination: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
    cwd: PROJECT_DIR,
    timeout: 60_000,
  });
  const [info] = JSON.parse(stdout) as [{ filename: string }];
  return join(destination, info.filename);
}

/**
 * A consumer folder: the tarball unpacked as node_modules/biometric-flow, the dependencies linked, and
 * a copy of demo/frameworks.
 *
 * @returns the consumer folder.
 */
export async function prepareConsumer(tarball: string, workDir: string): Promise<string> {
  const consumer = join(workDir, 'consumer');
  const nodeModules = join(consumer, 'node_modules');
  mkdirSync(nodeModules, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', nodeModules]);
  const installed = join(nodeModules, 'biometric-flow');
  renameSync(join(nodeModules, 'package'), installed);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of new Set([...Object.keys(manifest.dependencies), ...CONSUMER_LINKS])) {
    link(join(PROJECT_DIR, 'node_modules', name), join(nodeModules, name));
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));

  const frameworks = join(consumer, 'frameworks');
  cpSync(FRAMEWORKS_DIR, frameworks, { recursive: true });
  for (const [name, alias] of Object.entries(REACT_18_LINKS)) {
    link(join(PROJECT_DIR, 'node_modules', alias), join(frameworks, 'react18', 'node_modules', name));
  }
  return consumer;
}

export interface BuiltApp {
  app: FrameworkApp;
  outDir: string;
  /** Every module in the bundle, by its real path. */
  moduleIds: string[];
  milliseconds: number;
}

/**
 * Builds one app of a consumer folder with its own vite.config.ts.
 *
 * @returns where it went and what it is made of.
 */
export async function buildApp(consumer: string, app: FrameworkApp, outDir: string): Promise<BuiltApp> {
  const started = performance.now();
  const root = join(consumer, 'frameworks', app);
  // `vite build` takes React's and Vue's development or production code from NODE_ENV alone (`--mode`
  // does not change it), and sets it for the whole process when it is unset: it is set for the build,
  // as `NODE_ENV=development vite build` would, and put back afterwards.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = MODES[app];
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      root,
      configFile: join(root, 'vite.config.ts'),
      mode: MODES[app],
      cacheDir: join(consumer, '.vite', app),
      logLevel: 'warn',
      // Development builds of React are large by nature; the warning says nothing here.
      build: { outDir, emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const moduleIds = outputs.flatMap((output) =>
    output.output.flatMap((item) => (item.type === 'chunk' ? item.moduleIds : [])),
  );
  return { app, outDir, moduleIds, milliseconds: performance.now() - started };
}
