/**
 * Every failure reason the emulator acts out (its `fails-<name>` presets, picked with the demo page's "Fail on
 * purpose" select), through the real element, server and flow in Chromium: the person walks the flow, the
 * emulator fails the preset's step, and the element's failed view gives that reason's own advice, with
 * "Try again" only where a new try can help.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import type { Demo } from '../../demo/server.js';
import { FLOW_FAILURES, FLOW_FAILURE_NAMES } from '../../src/emulator/index.js';
import { reasonText } from '../../src/i18n/reasons.js';
import { REASON_ADVICE, type ReasonCode } from '../../src/reason-codes.js';
import { flowFrame, launchChromium, openDemoPage, startButton, startTestDemo, waitForLogged } from '../support/e2e.js';

/** Walks the flow, whatever step it shows, until the element has seen its end. */
async function walkUntilEnd(page: Page, flow: FrameLocator): Promise<void> {
  await flow.locator('#start-button').click();
  const deadline = Date.now() + 40_000;
  const next = flow.locator('#capture-button:visible, #edocument-submit:visible, #otp-submit:visible, #compare-button:visible, #continue-button:visible').first();
  while (Date.now() < deadline) {
    const state = await page.locator('#flow').getAttribute('state');
    if (state !== 'loading' && state !== 'active') return;
    try {
      const otp = flow.locator('#otp-input:visible');
      if ((await otp.count()) > 0 && (await otp.inputValue()) === '') await otp.fill('123456');
      await next.click({ timeout: 1000 });
    } catch {
      // Between steps, or the frame went at the end: look again.
    }
  }
  assert.fail('the flow did not end within 40 s');
}

describe('demo: each failure reason gives its own advice', { timeout: 600_000 }, () => {
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    [demo, browser] = await Promise.all([startTestDemo(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('shows every preset\'s reason sentence, and "Try again" only where a retry helps', { timeout: 540_000 }, async () => {
    const { page, errors } = await openDemoPage(browser, demo, 'module.html?mode=inline&locale=en');
    // The select lists every preset.
    const options = await page.locator('#fails-select option').evaluateAll((nodes) => nodes.map((node) => (node as HTMLOptionElement).value));
    assert.deepEqual(options, ['', ...FLOW_FAILURE_NAMES.map((name) => `fails-${name}`)]);
    const seen: string[] = [];
    for (const name of FLOW_FAILURE_NAMES) {
      const code = FLOW_FAILURES[name].code as ReasonCode;
      await page.locator('#fails-select').selectOption(`fails-${name}`);
      await page.locator('#reset-button').click();
      await page.locator('#clear-log').click();
      await startButton(page).click();
      await walkUntilEnd(page, flowFrame(page));
      const finished = await waitForLogged(page, 'finished', 30_000);
      assert.equal(finished.outcome, 'failed', `${name}: ${JSON.stringify(finished)}`);
      const element = page.locator('#flow');
      const reasons = await element.locator('[part~="reasons"] li').allTextContents();
      assert.deepEqual(
        reasons.map((text) => text.trim()),
        [reasonText('en', code)],
        name,
      );
      const retry = await element.getByRole('button', { name: 'Try again', exact: true }).count();
      assert.equal(retry, REASON_ADVICE[code].retry ? 1 : 0, `${name}: Try again`);
      seen.push(code);
    }
    assert.equal(new Set(seen).size, new Set(FLOW_FAILURE_NAMES.map((name) => FLOW_FAILURES[name].code)).size);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
