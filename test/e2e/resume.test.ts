/**
 * `resume` across a real page reload, in Chromium with a fake camera, on the demo's module page with its
 * "Resume after a reload" setting: a reload at the SMS step shows the same session where it was (no new
 * session request, no new SMS), and the flow goes on to `finished`; a session past its time gives
 * `session-expired` and the next start is a new session.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Demo } from '../../demo/server.js';
import { eventLog, expectFinished, flowFrame, launchChromium, openAppPage, startButton, startTestDemo, waitForLogged, type AppPage } from '../support/e2e.js';

const PAGE = 'module.html?preset=edocument-editable&mode=inline&locale=en&resume=on';

describe('demo: resume across a page reload', { timeout: 180_000 }, () => {
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    [demo, browser] = await Promise.all([startTestDemo(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  /** The demo's module page with resume on; its session requests are counted across its reloads. */
  const open = (): Promise<AppPage> => openAppPage(browser, new URL(PAGE, demo.url).href);

  /** The element's session id, as the page sees it. */
  const sessionIdOf = (page: Page) =>
    page.evaluate(() => (document.getElementById('flow') as HTMLElement & { session?: { id: string } }).session?.id);

  /** What `resume` keeps, as the page's sessionStorage has it. */
  const keptOf = (page: Page) =>
    page.evaluate(() => {
      const key = Object.keys(sessionStorage).find((name) => name.startsWith('biometric-flow:resume '));
      return key === undefined ? undefined : { key, value: JSON.parse(sessionStorage.getItem(key)!) as { session_id: string; expires: number } };
    });

  it('shows the same session at the SMS step after a reload, with no new session and no new SMS, and finishes', { timeout: 90_000 }, async () => {
    const { page, errors, sessionRequests } = await open();
    await startButton(page).click();
    const flow = flowFrame(page);
    await flow.locator('#start-button').click();
    await flow.locator('section#step[data-technology="LD"]').waitFor();
    await flow.locator('#capture-button').click();
    await flow.locator('#edocument-submit').click();
    await flow.locator('#otp-input').waitFor();
    const sessionId = await sessionIdOf(page);
    assert.match(sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal((await keptOf(page))?.value.session_id, sessionId);

    await page.reload();
    await page.locator('#flow-panel').waitFor({ state: 'visible' });
    const created = await waitForLogged(page, 'session-created');
    assert.deepEqual(created, { sessionId, technologies: ['LD', 'ED', 'F2F'], resumed: true });
    assert.equal(await sessionIdOf(page), sessionId);
    // The flow is where it was: the code already sent is asked for, no new one is sent.
    await flow.locator('#otp-input').waitFor();
    assert.equal(await flow.locator('#edocument-form').count(), 0, 'no new SMS request form');
    assert.match(await flow.locator('#otp-sent').textContent() ?? '', /\d/);
    assert.equal(sessionRequests.length, 1, 'the session endpoint was called once');
    assert.equal(await page.locator('#flow iframe[part~="frame"]').count(), 1);

    await flow.locator('#otp-input').fill('123456');
    await flow.locator('#otp-submit').click();
    const compare = flow.locator('#compare-button');
    const capture = flow.locator('#capture-button');
    await compare.or(capture).first().waitFor();
    if (await capture.isVisible()) await capture.click();
    await compare.click();
    const finished = await expectFinished(page, demo);
    assert.equal(finished.sessionId, sessionId);
    assert.equal(await keptOf(page), undefined, 'a finished flow is not kept');
    assert.equal(sessionRequests.length, 1);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('gives session-expired for a session past its time, and the next start is a new session', { timeout: 60_000 }, async () => {
    const { page, sessionRequests } = await open();
    await startButton(page).click();
    await waitForLogged(page, 'flow-loaded');
    const first = await sessionIdOf(page);
    const kept = await keptOf(page);
    assert.equal(kept?.value.session_id, first);
    // The session answer's expires_at, 30 minutes away: as if they had passed.
    assert.ok(kept!.value.expires > Date.now() + 25 * 60_000 && kept!.value.expires <= Date.now() + 30 * 60_000, String(kept!.value.expires));
    await page.evaluate(({ key, value }) => sessionStorage.setItem(key, JSON.stringify({ ...value, expires: Date.now() - 1000 })), kept!);

    await page.reload();
    await page.locator('#flow-panel').waitFor({ state: 'visible' });
    const error = await waitForLogged(page, 'flow-error');
    assert.equal(error.code, 'session-expired');
    assert.equal(error.retryable, true);
    assert.equal(await page.locator('#flow-state').textContent(), 'error');
    await page.locator('#flow').getByRole('alert').filter({ hasText: 'The verification you started has expired. Start again.' }).waitFor();
    assert.equal(await keptOf(page), undefined, 'the expired entry is removed');
    assert.equal(sessionRequests.length, 1, 'no request for the expired session');
    assert.deepEqual((await eventLog(page)).map((entry) => entry.name).filter((name) => name === 'session-created'), []);

    await page.locator('#flow').getByRole('button', { name: 'Try again', exact: true }).click();
    const created = await waitForLogged(page, 'session-created');
    assert.notEqual(created.sessionId, first);
    assert.equal(created.resumed, undefined);
    await waitForLogged(page, 'flow-loaded');
    assert.equal(sessionRequests.length, 2);
    assert.equal((await keptOf(page))?.value.session_id, created.sessionId);
    await page.context().close();
  });
  it('in popup mode, takes the window the flow is in after a reload instead of opening a second one', { timeout: 90_000 }, async () => {
    const { page, errors, sessionRequests } = await openAppPage(browser, new URL(PAGE.replace('mode=inline', 'mode=popup'), demo.url).href);
    const popupOpened = page.waitForEvent('popup');
    await startButton(page).click();
    const popup = await popupOpened;
    await popup.locator('#start-button').click();
    await popup.locator('section#step[data-technology="LD"]').waitFor();
    await popup.locator('#capture-button').click();
    await popup.locator('#edocument-submit').click();
    await popup.locator('#otp-input').waitFor();
    const sessionId = await sessionIdOf(page);

    await page.reload();
    await page.locator('#flow-panel').waitFor({ state: 'visible' });
    assert.equal(popup.isClosed(), false, 'the flow\'s window outlived the reload');
    let opened = 0;
    page.context().on('page', () => (opened += 1));
    await startButton(page).click();
    const created = await waitForLogged(page, 'session-created');
    assert.deepEqual(created, { sessionId, technologies: ['LD', 'ED', 'F2F'], resumed: true });
    // The same window shows the same session's flow again, where it was: no second window, no new SMS.
    await popup.waitForURL((url) => url.pathname.endsWith(`/flow/${sessionId}`));
    await popup.locator('#otp-input').waitFor();
    assert.equal(opened, 0, 'no second window');
    assert.equal(page.context().pages().length, 2);
    assert.equal(sessionRequests.length, 1);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
