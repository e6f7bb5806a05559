/**
 * The framework apps of demo/frameworks — React 18 with `biometric-flow/react`, React 19 with the plain
 * element, Vue 3 — built with Vite against the packed package (demo/frameworks/build.ts), served as
 * built files next to the demo's backend, and run in Chromium with a fake camera. The React apps run in
 * StrictMode in a development build, where React mounts every effect twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import type { Demo } from '../../demo/server.js';
import {
  FRAMEWORK_APPS,
  buildApp,
  ensurePackageBuild,
  packPackage,
  prepareConsumer,
  type BuiltApp,
  type FrameworkApp,
} from '../../demo/frameworks/build.js';
import {
  expectFinished,
  flowFrame,
  launchChromium,
  openAppPage,
  passFlow,
  startButton,
  startStaticSite,
  startTestDemo,
  type AppPage,
  type StaticSite,
} from '../support/e2e.js';

const run = promisify(execFile);
const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The demo's `default` preset, which every app asks for. */
const TECHNOLOGIES = ['LD', 'F2F'];

const LABELS: Record<FrameworkApp, string> = {
  react18: 'React 18 with biometric-flow/react',
  react19: 'React 19 with the plain element',
  vue3: 'Vue 3',
};

describe('framework apps built against the packed package', { timeout: 300_000 }, () => {
  let work: string;
  let consumer: string;
  const built = new Map<FrameworkApp, BuiltApp>();
  let buildSeconds: number;
  let demo: Demo;
  let site: StaticSite;
  let browser: Browser;

  before(
    async () => {
      work = mkdtempSync(join(tmpdir(), 'biometric-flow-frameworks-'));
      await ensurePackageBuild();
      const started = performance.now();
      consumer = await prepareConsumer(await packPackage(work), work);
      for (const app of FRAMEWORK_APPS) built.set(app, await buildApp(consumer, app, join(work, 'site', app)));
      buildSeconds = (performance.now() - started) / 1000;
      [demo, browser] = await Promise.all([startTestDemo(), launchChromium()]);
      site = await startStaticSite(demo, Object.fromEntries(FRAMEWORK_APPS.map((app) => [`/${app}/`, built.get(app)!.outDir])));
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await browser?.close();
    await site?.close();
    await demo?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function done({ page, errors }: AppPage): Promise<void> {
    await page.context().close();
    assert.deepEqual(errors, [], 'no console errors');
  }

  // Speed is the bench's to judge, not a test's (a loaded CI machine is no measure): the time is printed.
  it('packs and builds the three apps', (t) => {
    assert.equal(built.size, FRAMEWORK_APPS.length);
    t.diagnostic(`pack and three builds: ${buildSeconds.toFixed(1)} s`);
  });

  it('bundles the package from the tarball: its dist/ modules, nothing of src/', () => {
    const installed = join(consumer, 'node_modules', 'biometric-flow') + '/';
    for (const { app, moduleIds } of built.values()) {
      const fromPackage = moduleIds.filter((id) => id.startsWith(installed));
      assert.ok(fromPackage.length > 0, `${app} bundles modules of the unpacked tarball`);
      assert.deepEqual(fromPackage.filter((id) => !id.startsWith(`${installed}dist/`)), [], `${app}: only dist/ of the tarball`);
      assert.deepEqual(moduleIds.filter((id) => id.startsWith(join(PROJECT_DIR, 'src'))), [], `${app}: nothing of src/`);
    }
    assert.ok(built.get('react18')!.moduleIds.some((id) => id.endsWith('/dist/react.js')), 'React 18 uses biometric-flow/react');
  });

  it('bundles React 18 (development build) into the React 18 app and React 19 into the React 19 app', () => {
    const reactFiles = (app: FrameworkApp, folder: string) =>
      built.get(app)!.moduleIds.filter((id) => id.startsWith(join(PROJECT_DIR, 'node_modules', folder) + '/'));
    assert.ok(reactFiles('react18', 'react-18').some((id) => id.endsWith('react.development.js')));
    assert.ok(reactFiles('react18', 'react-dom-18').some((id) => id.endsWith('react-dom.development.js')));
    assert.deepEqual([...reactFiles('react18', 'react'), ...reactFiles('react18', 'react-dom')], [], 'no React 19 in the React 18 app');
    assert.ok(reactFiles('react19', 'react').some((id) => id.endsWith('react.development.js')));
    assert.ok(reactFiles('react19', 'react-dom').some((id) => id.endsWith('react-dom-client.development.js')));
    assert.deepEqual([...reactFiles('react19', 'react-18'), ...reactFiles('react19', 'react-dom-18')], [], 'no React 18 in the React 19 app');
  });

  it('type-checks the apps against the packed package’s types', { timeout: 60_000 }, async () => {
    const tsc = join(PROJECT_DIR, 'node_modules', '.bin', 'tsc');
    await run(tsc, ['--noEmit', '-p', join(consumer, 'frameworks', 'tsconfig.json')], { timeout: 50_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => assert.fail(`tsc failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`),
    );
  });

  for (const app of FRAMEWORK_APPS) {
    const label = LABELS[app];
    const strict = app === 'vue3' ? '' : ' under StrictMode';

    async function open(query = ''): Promise<AppPage> {
      const appPage = await openAppPage(browser, new URL(`${app}/${query}`, site.url).href);
      if (app !== 'vue3') {
        assert.equal(await appPage.page.locator('#mount-effects').textContent(), '2', 'StrictMode ran the mount effects twice');
      }
      return appPage;
    }

    it(`${label}: a click${strict} makes one session request, and the flow ends in finished`, { timeout: 60_000 }, async () => {
      const appPage = await open();
      const { page } = appPage;
      await startButton(page).click();
      await passFlow(flowFrame(page), TECHNOLOGIES);
      const finished = await expectFinished(page, demo);
      assert.deepEqual(finished.technologies, TECHNOLOGIES);
      assert.equal(appPage.sessionRequests.length, 1, 'one session request');
      await done(appPage);
    });

    // @lit/react sets properties (autostart too) in a layout effect, after the element is in the document.
    it(`${label}: autostart${strict} makes one session request, and the flow ends in finished`, { timeout: 60_000 }, async () => {
      const appPage = await open('?autostart');
      const { page } = appPage;
      await passFlow(flowFrame(page), TECHNOLOGIES);
      const finished = await expectFinished(page, demo);
      assert.deepEqual(finished.technologies, TECHNOLOGIES);
      assert.equal(appPage.sessionRequests.length, 1, 'one session request');
      await done(appPage);
    });
  }
});
