/**
 * The CDN build from plain HTML files with no build step (demo/cdn-plain): served as they are, next to
 * the demo's backend, in Chromium with a fake camera. One page loads dist/cdn/biometric-flow.iife.js with
 * a classic script, the other dist/cdn/biometric-flow.js with a module script; each passes a whole flow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/browsers.mjs';
import { ensureCdnBuild, type Demo } from '../../demo/server.js';
import {
  eventLog,
  expectFinished,
  flowFrame,
  launchChromium,
  openAppPage,
  passFlow,
  startButton,
  startStaticSite,
  startTestDemo,
  waitForLogged,
  type AppPage,
  type StaticSite,
} from '../support/e2e.js';

const PLAIN_DIR = fileURLToPath(new URL('../../demo/cdn-plain/', import.meta.url));
const CDN_DIR = fileURLToPath(new URL('../../dist/cdn/', import.meta.url));
const TECHNOLOGIES = ['LD', 'F2F'];

/** What the page loaded: its scripts, and whether anything came from a dev server or the sources. */
function loadedScripts(page: Page) {
  return page.evaluate(() => ({
    scripts: [...document.scripts].filter((script) => script.src).map((script) => ({ path: new URL(script.src).pathname, type: script.type })),
    devServerOrSources: performance
      .getEntriesByType('resource')
      .map((entry) => new URL(entry.name).pathname)
      .filter((path) => path.startsWith('/@') || path.includes('/src/') || path.includes('/node_modules/')),
  }));
}

describe('the CDN build in plain HTML, no build step', { timeout: 120_000 }, () => {
  let demo: Demo;
  let site: StaticSite;
  let browser: Browser;

  before(
    async () => {
      await ensureCdnBuild({ quiet: true });
      [demo, browser] = await Promise.all([startTestDemo(), launchChromium()]);
      // The same paths as under `npm start`, where the demo's Vite serves demo/ and /cdn.
      site = await startStaticSite(demo, { '/cdn-plain/': PLAIN_DIR, '/cdn/': CDN_DIR });
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await browser?.close();
    await site?.close();
    await demo?.close();
  });

  async function passAndFinish(appPage: AppPage): Promise<void> {
    const { page, errors, sessionRequests } = appPage;
    await startButton(page).click();
    await passFlow(flowFrame(page), TECHNOLOGIES);
    const finished = await expectFinished(page, demo);
    assert.deepEqual(finished.technologies, TECHNOLOGIES);
    assert.equal(sessionRequests.length, 1, 'one session request');
    await page.context().close();
    assert.deepEqual(errors, [], 'no console errors');
  }

  it('runs from a classic script (biometric-flow.iife.js): a whole flow ends in finished', { timeout: 60_000 }, async () => {
    const appPage = await openAppPage(browser, new URL('cdn-plain/classic.html', site.url).href);
    const { page } = appPage;
    const loaded = await loadedScripts(page);
    assert.deepEqual(loaded.scripts, [
      { path: '/cdn/biometric-flow.iife.js', type: '' },
      { path: '/cdn-plain/page.js', type: '' },
    ]);
    assert.deepEqual(loaded.devServerOrSources, []);
    const global = await page.evaluate(
      () => (window as { BiometricFlow?: { BiometricFlowElement?: unknown } }).BiometricFlow?.BiometricFlowElement === customElements.get('biometric-flow'),
    );
    assert.equal(global, true, 'window.BiometricFlow.BiometricFlowElement is the registered class');
    await passAndFinish(appPage);
  });

  it('runs from a module script (biometric-flow.js): a whole flow ends in finished', { timeout: 60_000 }, async () => {
    const appPage = await openAppPage(browser, new URL('cdn-plain/module.html', site.url).href);
    const { page } = appPage;
    const loaded = await loadedScripts(page);
    assert.deepEqual(loaded.scripts, [
      { path: '/cdn/biometric-flow.js', type: 'module' },
      { path: '/cdn-plain/page.js', type: '' },
    ]);
    assert.deepEqual(loaded.devServerOrSources, []);
    const exported = await page.evaluate(async () => {
      const module = (await import('/cdn/biometric-flow.js' as string)) as { BiometricFlowElement?: unknown };
      return {
        registered: module.BiometricFlowElement === customElements.get('biometric-flow'),
        global: 'BiometricFlow' in window,
      };
    });
    assert.deepEqual(exported, { registered: true, global: false }, 'the module exports the registered class and sets no global');
    await passAndFinish(appPage);
  });

  it('on a page that is not a secure context (http: on a host name): flow-error insecure-context, told once in the console, no session', { timeout: 60_000 }, async () => {
    // A real insecure context: Chromium treats http://127.0.0.1 as secure, a host name over http: as not.
    const insecure = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP plain-http.test 127.0.0.1'],
      timeout: 30_000,
    });
    try {
      const url = new URL('cdn-plain/classic.html', site.url);
      url.hostname = 'plain-http.test';
      const page = await insecure.newPage();
      const errors: string[] = [];
      const sessionRequests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('request', (sent) => {
        if (new URL(sent.url()).pathname === '/api/session') sessionRequests.push(sent.url());
      });
      await page.goto(url.href);
      assert.equal(await page.evaluate(() => window.isSecureContext), false);
      // An element of its own (the page's panel waits for its backend, which refuses this host name).
      const codes = await page.evaluate(async () => {
        const el = document.createElement('biometric-flow') as HTMLElement & {
          start(): Promise<unknown>;
          reset(): void;
          updateComplete: Promise<boolean>;
        };
        el.setAttribute('session-endpoint', '/api/session');
        document.body.append(el);
        const seen: string[] = [];
        el.addEventListener('flow-error', (event) => seen.push((event as CustomEvent<{ code: string }>).detail.code));
        await el.start();
        await el.updateComplete;
        el.reset();
        await el.start();
        await el.updateComplete;
        return seen;
      });
      assert.deepEqual(codes, ['insecure-context', 'insecure-context']);
      const told = () => errors.filter((text) => text.includes('biometric-flow#insecure-context'));
      await page.waitForFunction(() => true); // one more round trip to the page: its console messages are in
      assert.equal(told().length, 1, `one console error for two starts: ${JSON.stringify(errors)}`);
      assert.ok(told()[0]!.includes('http://plain-http.test:'), told()[0]);
      assert.deepEqual(sessionRequests, []);
    } finally {
      await insecure.close();
    }
  });

  it('tells the developer, in the console, when the module is served without its deferred chunk', { timeout: 60_000 }, async () => {
    const lonely = mkdtempSync(join(tmpdir(), 'biometric-flow-cdn-alone-'));
    // The session chunk checks the session answer: without it no start gets as far as the flow (see below).
    for (const name of ['biometric-flow.js', 'biometric-flow-session.js']) copyFileSync(join(CDN_DIR, name), join(lonely, name));
    const alone = await startStaticSite(demo, { '/cdn-plain/': PLAIN_DIR, '/cdn/': lonely });
    try {
      const { page, errors } = await openAppPage(browser, new URL('cdn-plain/module.html', alone.url).href);
      await startButton(page).click();
      await passFlow(flowFrame(page), TECHNOLOGIES);
      // The events do not need the texts: the host still learns the outcome.
      const finished = await expectFinished(page, demo);
      assert.equal(finished.outcome, 'passed');
      assert.ok(
        errors.some((text) => text.includes('biometric-flow-deferred.js') && text.includes('serve that file beside biometric-flow.js')),
        JSON.stringify(errors),
      );
      // In place of the finished view the chunk would have shown: the core's own sentence, not a blank box.
      await page.locator('#flow').getByRole('alert').getByText('The verification did not load.').waitFor();
      await page.context().close();
    } finally {
      await alone.close();
      rmSync(lonely, { recursive: true, force: true });
    }
  });

  it('a handoff whose view file is missing fails its start with chunk-load-failed, and the error view says so', { timeout: 60_000 }, async () => {
    const partial = mkdtempSync(join(tmpdir(), 'biometric-flow-cdn-no-view-'));
    for (const name of ['biometric-flow.js', 'biometric-flow-session.js', 'biometric-flow-deferred.js', 'biometric-flow-handoff.js']) {
      copyFileSync(join(CDN_DIR, name), join(partial, name));
    }
    const site = await startStaticSite(demo, { '/cdn-plain/': PLAIN_DIR, '/cdn/': partial });
    try {
      const { page, errors } = await openAppPage(browser, new URL('cdn-plain/module.html', site.url).href);
      await page.locator('#flow').evaluate((flow) => {
        flow.setAttribute('handoff', 'offer');
        flow.setAttribute('handoff-endpoint', '/api/handoff');
      });
      await page.locator('#flow').getByRole('button', { name: 'Continue on my phone' }).click();
      const detail = await waitForLogged(page, 'flow-error');
      assert.equal(detail.code, 'chunk-load-failed');
      await page.locator('#flow[state="error"]').waitFor();
      await page.locator('#flow').getByRole('alert').getByText('Could not start the verification.').waitFor();
      assert.ok(errors.some((text) => text.includes('biometric-flow-handoff-view.js did not load')), JSON.stringify(errors));
      await page.context().close();
    } finally {
      await site.close();
      rmSync(partial, { recursive: true, force: true });
    }
  });

  // The module alone: every start needs the session chunk (it checks the session answer, and loads while
  // the session request is in flight), a modal or popup start the deferred chunk for its presenter too.
  for (const mode of ['inline', 'modal', 'popup'] as const) {
    it(`${mode === 'inline' ? 'an' : 'a'} ${mode} element served without its chunks fails its start with chunk-load-failed and says so in its box`, { timeout: 60_000 }, async () => {
      const lonely = mkdtempSync(join(tmpdir(), 'biometric-flow-cdn-alone-'));
      copyFileSync(join(CDN_DIR, 'biometric-flow.js'), join(lonely, 'biometric-flow.js'));
      const alone = await startStaticSite(demo, { '/cdn-plain/': PLAIN_DIR, '/cdn/': lonely });
      try {
        const { page, errors } = await openAppPage(browser, new URL('cdn-plain/module.html', alone.url).href);
        await page.locator('#flow').evaluate((flow, value) => flow.setAttribute('mode', value), mode);
        await startButton(page).click();
        const detail = await waitForLogged(page, 'flow-error');
        assert.equal(detail.code, 'chunk-load-failed');
        assert.equal(detail.retryable, false);
        await page.locator('#flow[state="error"]').waitFor();
        const flowErrors = (await eventLog(page)).filter((entry) => entry.name === 'flow-error').map((entry) => entry.detail.code);
        assert.deepEqual(flowErrors, ['chunk-load-failed'], 'no session-request-failed: no session request failed');
        await page.locator('#flow').getByRole('alert').getByText('The verification did not load.').waitFor();
        assert.equal(page.context().pages().length, 1, 'no popup window left open');
        assert.ok(errors.some((text) => text.includes('biometric-flow-session.js did not load')), JSON.stringify(errors));
        if (mode !== 'inline') assert.ok(errors.some((text) => text.includes('biometric-flow-deferred.js did not load')), JSON.stringify(errors));
        assert.ok(!(await eventLog(page)).some((entry) => entry.name === 'session-created'), 'no flow shown from an unchecked answer');
        await page.context().close();
      } finally {
        await alone.close();
        rmSync(lonely, { recursive: true, force: true });
      }
    });
  }
});
