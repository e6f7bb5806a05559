/**
 * Continue on a phone, end to end: the demo page on a desktop without a camera shows a QR code, a short
 * code and a link; a phone-sized second browser context (with the fake camera) opens the link, sees the
 * site and the code, confirms, and passes the emulator's flow; the desktop hears of the end by status
 * (`finished` with `via: 'handoff'`). Also: a used link, an expired one and its new code, a link of
 * another session (the relay case: the phone shows whose site and whose code), and axe in every state.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Demo } from '../../demo/server.js';
import { axeViolations } from '../support/axe.js';
import { ACTION_TIMEOUT_MS, choose, launchChromium, passFlow, startTestDemo, waitForLogged } from '../support/e2e.js';

/** Short, so that the expiry test waits little; every other step opens its link well within it. */
const TTL_SECONDS = 12;
const PRESET = 'Liveness Head Position + Face2Face';
const TECHNOLOGIES = ['LDHP', 'F2F'];
const PHONE_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';

/** A desktop without a camera: the same Chromium, its media devices overridden before any page script. */
async function desktop(browser: Browser, demo: Demo): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    const media = navigator.mediaDevices;
    media.enumerateDevices = async () => [];
    media.getUserMedia = async () => {
      throw new DOMException('Requested device not found', 'NotFoundError');
    };
  });
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(new URL('module.html', demo.url).href);
  await page.locator('#flow-panel').waitFor({ state: 'visible' });
  await choose(page, { preset: PRESET, mode: 'Inline' });
  return { page, errors };
}

/** A phone-sized context with the fake camera of the test Chromium. */
async function phone(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    userAgent: PHONE_UA,
    locale: 'en-US',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return { context, page };
}

/** Starts the element and waits for its handoff view: the code and the link it shows. */
async function startHandoff(page: Page): Promise<{ code: string; link: string }> {
  await page.locator('#flow').getByRole('button', { name: 'Verify your identity', exact: true }).click();
  return readHandoff(page);
}

async function readHandoff(page: Page, notCode?: string): Promise<{ code: string; link: string }> {
  const code = page.locator('#flow [data-handoff-code]');
  await code.waitFor();
  if (notCode !== undefined) await page.waitForFunction((old) => {
    const element = document.getElementById('flow')?.shadowRoot?.querySelector('[data-handoff-code]');
    return element !== null && element !== undefined && element.textContent !== old;
  }, notCode);
  return { code: (await code.textContent())!.trim(), link: await page.locator('#flow #handoff-link').inputValue() };
}

describe('handoff: continue on a phone, end to end', { timeout: 240_000 }, () => {
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    [demo, browser] = await Promise.all([startTestDemo({ handoffTtlSeconds: TTL_SECONDS }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('a desktop without a camera hands off; the phone confirms the code and passes the flow; finished via handoff', { timeout: 120_000 }, async () => {
    const { page, errors } = await desktop(browser, demo);
    const { context, page: phonePage } = await phone(browser);
    try {
      const { code, link } = await startHandoff(page);
      assert.match(code, /^\d{6}$/);
      assert.equal(new URL(link).pathname, '/api/handoff');
      assert.equal(await page.locator('#flow iframe[part~="frame"]').count(), 0, 'no flow on the desktop');
      assert.equal(await page.locator('#flow [data-handoff-status]').textContent(), 'Waiting for your phone…');
      assert.equal(await page.locator('#flow svg[role="img"]').getAttribute('aria-label'), 'QR code of the link below');

      // The phone: whose site, which code, then confirm.
      await phonePage.goto(link);
      assert.equal((await phonePage.locator('#handoff-code').textContent())?.trim(), code, 'the phone shows the desktop code');
      const site = await phonePage.locator('#handoff-site').textContent();
      assert.ok(site?.includes(`biometric-flow demo (${new URL(demo.url).origin})`), site ?? '');
      assert.deepEqual(await axeViolations(phonePage), [], 'the phone page');
      await phonePage.getByRole('button', { name: 'The codes match, continue' }).click();
      await phonePage.waitForURL((url) => url.pathname.startsWith('/flow/'));
      const flowUrl = new URL(phonePage.url());
      assert.equal(flowUrl.origin, new URL(demo.emulatorUrl!).origin);
      assert.equal(flowUrl.searchParams.get('locale'), 'en');
      assert.equal(flowUrl.searchParams.has('web_view'), false, 'the phone runs the flow as its own page');
      const created = await waitForLogged(page, 'session-created');
      assert.equal(flowUrl.pathname, `/flow/${created.sessionId}`);
      await phonePage.locator('#start-button').waitFor();
      assert.equal(
        await phonePage.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
        true,
        'the flow fits the phone: nothing runs off the side',
      );

      // The desktop, waiting meanwhile, is axe clean.
      assert.deepEqual(await axeViolations(page), [], 'the desktop handoff view');

      await passFlow(phonePage, TECHNOLOGIES);
      await phonePage.waitForURL((url) => url.pathname === '/finished');
      const finished = await waitForLogged(page, 'finished', 30_000);
      assert.equal(finished.via, 'handoff');
      assert.equal(finished.outcome, 'passed');
      assert.equal(finished.status, 'FINISHED');
      assert.equal(finished.sessionId, created.sessionId);
      assert.equal(await page.locator('#flow-state').textContent(), 'finished');
      assert.deepEqual(await axeViolations(page), [], 'the desktop finished view');

      // The link was used up: opening it again says so.
      await phonePage.goto(link);
      assert.equal(await phonePage.locator('#handoff-message').getAttribute('data-kind'), 'used');
      assert.equal((await phonePage.locator('h1').textContent())?.trim(), 'This link was already used');
      assert.deepEqual(await axeViolations(phonePage), [], 'the used-link page');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await page.context().close();
    }
  });

  it('an expired link shows the expired page; "New code" gives a link that works', { timeout: 90_000 }, async () => {
    const { page } = await desktop(browser, demo);
    const { context, page: phonePage } = await phone(browser);
    try {
      const first = await startHandoff(page);
      const expired = page.locator('#flow [data-handoff-status]', { hasText: 'The code has expired.' });
      await expired.waitFor({ timeout: (TTL_SECONDS + 10) * 1000 });
      assert.equal(await page.locator('#flow svg[role="img"]').count(), 0, 'no QR code of an expired link');
      assert.deepEqual(await axeViolations(page), [], 'the expired state');

      await phonePage.goto(first.link);
      assert.equal(await phonePage.locator('#handoff-message').getAttribute('data-kind'), 'expired');
      assert.equal((await phonePage.locator('h1').textContent())?.trim(), 'This link has expired');
      assert.deepEqual(await axeViolations(phonePage), [], 'the expired-link page');

      await page.locator('#flow').getByRole('button', { name: 'New code' }).click();
      const second = await readHandoff(page, first.code);
      assert.notEqual(second.link, first.link);
      await phonePage.goto(second.link);
      assert.equal((await phonePage.locator('#handoff-code').textContent())?.trim(), second.code);
    } finally {
      await context.close();
      await page.context().close();
    }
  });

  it("a link of another session (the relay case): the phone names the site and shows that session's code, not the one on this screen", { timeout: 90_000 }, async () => {
    const mine = await desktop(browser, demo);
    const theirs = await desktop(browser, demo);
    const { context, page: phonePage } = await phone(browser);
    try {
      const own = await startHandoff(mine.page);
      const relayed = await startHandoff(theirs.page);
      assert.notEqual(relayed.link, own.link);
      await phonePage.goto(relayed.link, { waitUntil: 'load' });
      const shown = (await phonePage.locator('#handoff-code').textContent())?.trim();
      assert.equal(shown, relayed.code, 'the phone shows the code of the session the link is for');
      assert.notEqual(shown, own.code, 'which is not the code on this screen: the person can tell');
      const site = await phonePage.locator('#handoff-site').textContent();
      assert.ok(site?.includes(new URL(demo.url).origin), site ?? '');
      assert.match(await phonePage.locator('.warning').textContent() ?? '', /codes differ, close this page/);
    } finally {
      await context.close();
      await mine.page.context().close();
      await theirs.page.context().close();
    }
  });

  it('keyboard: focus goes to the view heading, then the link, "Copy link" (which copies it) and "New code"', { timeout: 60_000 }, async () => {
    const { page } = await desktop(browser, demo);
    try {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(demo.url).origin });
      const { link } = await startHandoff(page);
      const focused = () =>
        page.evaluate(() => {
          let active = document.activeElement;
          while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
          return `${active?.localName}${active?.id ? `#${active.id}` : ''} ${active?.textContent?.trim() ?? ''}`.trim();
        });
      assert.equal(await focused(), 'h2 Continue on your phone', 'the view takes focus from the start button that went away');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'input#handoff-link');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'button Copy link');
      await page.keyboard.press('Enter');
      await page.locator('#flow [data-handoff-status]', { hasText: 'Link copied' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'button New code');
    } finally {
      await page.context().close();
    }
  });

  it('offer: "Continue on my phone" beside the start button, axe clean, and in Russian on a Russian page', { timeout: 60_000 }, async () => {
    const { page } = await desktop(browser, demo);
    try {
      await page.getByRole('radio', { name: 'Offer “Continue on my phone”' }).check();
      const offer = page.locator('#flow').getByRole('button', { name: 'Continue on my phone' });
      await offer.waitFor();
      assert.equal(await page.locator('#flow').getByRole('button', { name: 'Verify your identity', exact: true }).count(), 1);
      assert.deepEqual(await axeViolations(page), [], 'the offer');
      await page.getByRole('radio', { name: 'Русский' }).check();
      await page.locator('#flow').getByRole('button', { name: 'Продолжить на телефоне' }).click();
      await page.locator('#flow [data-handoff-code]').waitFor();
      assert.equal(await page.locator('#flow .handoff h2').textContent(), 'Продолжите на телефоне');
      assert.deepEqual(await axeViolations(page), [], 'the Russian handoff view');
    } finally {
      await page.context().close();
    }
  });
});
