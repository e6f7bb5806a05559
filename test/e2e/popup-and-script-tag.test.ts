/**
 * The demo in Chromium with a fake camera: popup mode from a real click, and the script-tag page that
 * loads the CDN build (dist/cdn/biometric-flow.iife.js) with a classic `<script>`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { ensureCdnBuild, type Demo } from '../../demo/server.js';
import {
  choose,
  expectFinished,
  flowFrame,
  launchChromium,
  openDemoPage,
  passFlow,
  startButton,
  startTestDemo,
  waitForLogged,
  type DemoPage,
} from '../support/e2e.js';

describe('demo: popup mode and the script-tag page', { timeout: 180_000 }, () => {
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    await ensureCdnBuild({ quiet: true });
    [demo, browser] = await Promise.all([startTestDemo(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  async function done({ page, errors }: DemoPage): Promise<void> {
    await page.context().close();
    assert.deepEqual(errors, [], 'no console errors');
  }

  it('passes a whole flow in a popup opened by a click, then closes the popup', { timeout: 60_000 }, async () => {
    const demoPage = await openDemoPage(browser, demo, 'module.html');
    const { page } = demoPage;
    await choose(page, { preset: 'Document Recognition + Face2Face', mode: 'Popup', locale: 'Қазақша' });

    const popupOpened = page.context().waitForEvent('page', { timeout: 15_000 });
    await startButton(page, 'Қазақша').click();
    const popup = await popupOpened;
    popup.setDefaultTimeout(15_000);
    const popupErrors: string[] = [];
    popup.on('pageerror', (error) => popupErrors.push(error.message));

    await waitForLogged(page, 'flow-loaded');
    assert.match(popup.url(), new RegExp(`^${demo.emulatorUrl}/flow/[0-9a-f-]{36}\\?web_view=true&locale=kz$`));
    assert.equal(await page.locator('#flow iframe').count(), 0, 'no frame on the page in popup mode');
    await passFlow(popup, ['LD', 'DR', 'F2F']);

    const finished = await expectFinished(page, demo);
    assert.deepEqual(finished.technologies, ['LD', 'DR', 'F2F']);
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 15_000 });
    assert.deepEqual(popupErrors, []);
    await done(demoPage);
  });

  it('runs the CDN build from a classic script tag: a whole flow inline', { timeout: 60_000 }, async () => {
    const demoPage = await openDemoPage(browser, demo, 'script-tag.html');
    const { page } = demoPage;
    const loaded = await page.evaluate(() => ({
      classic: [...document.scripts].some((script) => script.src.endsWith('/cdn/biometric-flow.iife.js') && !script.type),
      defined: customElements.get('biometric-flow')?.name,
      // The module page's source would arrive through Vite's module graph; the CDN page has none of it.
      sourceModules: performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/src/')).length,
    }));
    assert.equal(loaded.classic, true, 'a classic script of the CDN build');
    assert.ok(loaded.defined, 'the IIFE registered <biometric-flow>');
    assert.equal(loaded.sourceModules, 0, 'nothing of src/ was loaded');

    await choose(page, { preset: 'Default flow (Liveness + Face2Face)', mode: 'Inline' });
    await startButton(page).click();
    await passFlow(flowFrame(page), ['LD', 'F2F']);
    await expectFinished(page, demo);
    await done(demoPage);
  });
});
