/**
 * The demo pages are usable without a mouse and pass axe-core's checks (WCAG 2.x A/AA rules).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { ensureCdnBuild, type Demo } from '../../demo/server.js';
import { expectFinished, flowFrame, launchChromium, openDemoPage, startTestDemo, waitForLogged } from '../support/e2e.js';

// axe-core comes with @open-wc/testing (chai-a11y-axe), which the element tests use.
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return result.violations as Violation[];
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('demo: accessibility', { timeout: 120_000 }, () => {
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

  for (const path of ['', 'module.html', 'script-tag.html']) {
    it(`/${path} has no axe violations`, { timeout: 30_000 }, async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        await page.goto(new URL(path, demo.url).href);
        await page.locator(path === '' ? '#preset-rows th' : '#flow-panel:not([hidden])').first().waitFor();
        assert.deepEqual(await axeViolations(page), []);
      } finally {
        await context.close();
      }
    });
  }

  it('runs a whole flow from the keyboard: settings, start and every step', { timeout: 60_000 }, async () => {
    const { page, errors } = await openDemoPage(browser, demo, 'module.html');
    try {
      // Preset by keyboard: the arrow keys move through the radio buttons (and wrap around).
      const presets = page.getByRole('group', { name: 'Preset' });
      const checked = () => presets.locator('input:checked').inputValue();
      await presets.getByRole('radio', { checked: true }).focus();
      assert.equal(await checked(), 'default');
      await page.keyboard.press('ArrowUp'); // from the first to the last: the account without a subscription
      assert.equal(await checked(), 'no-subscription');
      await page.keyboard.press('ArrowDown'); // back to the default flow
      assert.equal(await checked(), 'default');
      assert.equal(new URL(page.url()).searchParams.get('preset'), 'default');

      // Tab from the last settings control to the element's start button, and press Enter.
      await page.getByLabel('Confirm the result with the status endpoint').focus();
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('part'));
      assert.equal(focused, 'trigger', 'Tab reaches the start button');
      await page.keyboard.press('Enter');
      await waitForLogged(page, 'flow-loaded');

      const frame = flowFrame(page);
      const press = async (selector: string) => {
        const target = frame.locator(selector);
        await target.and(frame.locator(':enabled')).waitFor(); // camera buttons wait for the camera
        await target.focus();
        await page.keyboard.press('Enter');
      };
      await press('#start-button');
      await press('#capture-button');
      await press('#document-camera-button');
      await press('#document-capture-button');
      await press('#compare-button');
      await expectFinished(page, demo);
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
});
