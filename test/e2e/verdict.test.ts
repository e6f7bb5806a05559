/**
 * The verdict as a person meets it in the demo (Chromium, fake camera, the emulator's result lagging 3 s
 * like the vendor's): the element waits in `confirming`, then says passed, did not pass (with the reason
 * in the person's language and a way to start again), or that the result is being checked — never
 * "complete" for what it does not know. And a vendor account that cannot run the flow is told as the
 * site's problem.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Demo } from '../../demo/server.js';
import { REASON_TEXTS } from '../../src/i18n/reasons.js';
import {
  choose,
  eventLog,
  flowFrame,
  launchChromium,
  openDemoPage,
  passFlow,
  startButton,
  startTestDemo,
  waitForLogged,
  type DemoPage,
} from '../support/e2e.js';

describe('demo: the verdict', { timeout: 180_000 }, () => {
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    [demo, browser] = await Promise.all([startTestDemo(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  const open = () => openDemoPage(browser, demo, 'module.html');
  const done = async ({ page, errors }: DemoPage) => {
    assert.deepEqual(errors, []);
    await page.context().close();
  };

  it('confirms while the result lags, then says passed', { timeout: 60_000 }, async () => {
    const demoPage = await open();
    const { page } = demoPage;
    await choose(page, { preset: 'Default flow (Liveness + Face2Face)', mode: 'Inline' });
    await startButton(page).click();
    await passFlow(flowFrame(page), ['LD', 'F2F']);

    // The flow's end message comes at once; the emulator's result is {} for 3 s after it.
    await page.locator('#flow[state="confirming"]').waitFor();
    assert.equal(await page.locator('#flow').getByText('Checking your result…').isVisible(), true);
    const finished = await waitForLogged(page, 'finished');
    assert.equal(finished.outcome, 'passed', JSON.stringify(finished));
    assert.equal(finished.via, 'message');
    assert.equal(await page.locator('#flow').getByText('Verification passed').isVisible(), true);
    const states = (await eventLog(page)).filter((entry) => entry.name === 'state-change').map((entry) => (entry.detail as { state: string }).state);
    assert.deepEqual(states.slice(-2), ['confirming', 'finished']);
    await done(demoPage);
  });

  it('says a verification with a vendor error did not pass, why and what to do, in Russian, with no Try again where it cannot help', { timeout: 60_000 }, async () => {
    const demoPage = await open();
    const { page } = demoPage;
    await choose(page, { preset: 'E-Document case 3: both editable', mode: 'Inline', locale: 'Русский' });
    await startButton(page, 'Русский').click();
    const frame = flowFrame(page);
    await frame.locator('#start-button').click();
    await frame.locator('#capture-button').click();
    await frame.locator('section#step[data-technology="ED"]').waitFor();
    await frame.locator('#simulate-vendor-error').selectOption('subject-not-found');
    await frame.locator('#simulate-vendor-error-button').click();

    const finished = await waitForLogged(page, 'finished');
    assert.equal(finished.outcome, 'failed', JSON.stringify(finished));
    assert.deepEqual(finished.result.failure_reasons, [{ code: 'subject-not-found', technology: 'ED', text: 'Subject not found in MCDB' }]);
    const flow = page.locator('#flow');
    assert.equal(await flow.getByText('Проверка не пройдена').isVisible(), true);
    assert.equal(await flow.getByText(REASON_TEXTS.ru['subject-not-found']).isVisible(), true);
    assert.equal(await flow.getByText('Subject not found in MCDB').count(), 0, "the vendor's raw English text is not shown");

    // Registering the phone fixes it, not a new try now.
    assert.equal(await flow.getByRole('button', { name: 'Попробовать снова' }).count(), 0);
    await done(demoPage);
  });

  it('says the result is being checked when there is no status endpoint to ask', { timeout: 60_000 }, async () => {
    const demoPage = await open();
    const { page } = demoPage;
    await choose(page, { preset: 'Default flow (Liveness + Face2Face)', mode: 'Inline' });
    await page.getByLabel('Confirm the result with the status endpoint').uncheck();
    assert.equal(await page.locator('#flow').getAttribute('status-endpoint'), null);
    await startButton(page).click();
    await passFlow(flowFrame(page), ['LD', 'F2F']);

    const finished = await waitForLogged(page, 'finished');
    assert.equal(finished.outcome, 'unconfirmed');
    assert.equal(finished.status, undefined);
    const flow = page.locator('#flow');
    assert.equal(await flow.getByText('We are checking your result', { exact: false }).isVisible(), true);
    assert.equal(await flow.getByText('Verification passed').count(), 0);
    await done(demoPage);
  });

  it("tells an account without a subscription as the site's problem, with no pointless retry", { timeout: 60_000 }, async () => {
    const demoPage = await open();
    const { page } = demoPage;
    await choose(page, { preset: 'Account without a subscription (emulator)', mode: 'Inline' });
    await startButton(page).click();

    const error = await waitForLogged(page, 'flow-error');
    assert.equal(error.code, 'session-http-error');
    assert.equal(error.status, 502);
    assert.equal(error.serverCode, 'subscription-inactive');
    assert.equal(error.retryable, false);
    const flow = page.locator('#flow');
    assert.match((await flow.getByRole('alert').textContent()) ?? '', /not you|site/i);
    assert.equal(await flow.getByRole('button', { name: 'Try again' }).count(), 0);
    // The element tells the developer of the account's state once, in the console, with the README's section.
    const told = demoPage.errors.filter((text) => text.includes('biometric-flow#subscription-inactive'));
    assert.equal(told.length, 1, demoPage.errors.join('\n'));
    assert.ok(told[0]!.startsWith('<biometric-flow id="flow">: session-endpoint (/api/session) answered HTTP 502 subscription-inactive'), told[0]);
    // The browser logs the failed request; nothing else.
    demoPage.errors.splice(0, demoPage.errors.length, ...demoPage.errors.filter((text) => !/502/.test(text)));
    await done(demoPage);
  });
});
