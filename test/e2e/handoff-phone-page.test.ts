/**
 * The handoff's phone pages in Chromium at a phone's size (390×844): every page (confirm, used, finished,
 * expired, invalid) in every language passes axe, its language links are touch targets of at least 44 px,
 * and the code is read with its label.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHandoffHandler, toNodeListener } from '../../src/server/index.js';
import type { HandoffLink } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, startFakeVendor, tokenHeader } from '../server/fake-vendor.js';
import type { FakeVendor } from '../server/fake-vendor.js';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/e2e.js';

const LANGUAGES = ['ru', 'kk', 'en'] as const;
/** WCAG 2.5.5's target size, which the platforms' guidelines (44 pt, 48 dp) also ask for. */
const TOUCH_TARGET_PX = 44;

describe('handoff phone pages at 390×844', { timeout: 90_000 }, () => {
  let vendor: FakeVendor;
  let server: Server;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;

  before(async () => {
    vendor = await startFakeVendor();
    vendor.behave({ json: { status: 'FINISHED', flow_session_result: true } });
    // Two handlers on one server: with apiKey a used link's page says the session is finished.
    const plain = toNodeListener(createHandoffHandler({ tokenSecret: TOKEN_SECRET, flowBaseUrl: 'https://flow.example', logger: capturingLogger() }));
    const knowing = toNodeListener(
      createHandoffHandler({ tokenSecret: TOKEN_SECRET, flowBaseUrl: 'https://flow.example', apiKey: API_KEY, apiBaseUrl: vendor.url, logger: capturingLogger() }),
    );
    server = createServer((request, response) => (request.url?.startsWith('/knowing') ? knowing : plain)(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await vendor?.close();
  });

  async function makeLink(path: string): Promise<HandoffLink> {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await tokenHeader()) },
      body: JSON.stringify({ session_id: SESSION_ID }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as HandoffLink;
  }

  async function used(path: string): Promise<string> {
    const link = await makeLink(path);
    const confirmed = await fetch(link.url, { method: 'POST', redirect: 'manual' });
    assert.equal(confirmed.status, 303);
    return link.url;
  }

  /** Opens `url` in `lang`, checks axe and the language links, and gives the page back. */
  async function check(url: string, lang: string, what: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${url}&lang=${lang}`);
    assert.deepEqual(await axeViolations(page), [], `${what} (${lang})`);
    return page;
  }

  async function languageLinkBoxes(page: Page) {
    const links = page.locator('nav a');
    assert.equal(await links.count(), 2);
    return Promise.all((await links.all()).map(async (link) => ({ text: await link.textContent(), box: (await link.boundingBox())! })));
  }

  it('the confirmation page: axe clean, language links of 44 px, the code read with its label', async () => {
    const link = await makeLink('/plain');
    for (const lang of LANGUAGES) {
      const page = await check(link.url, lang, 'the confirmation page');
      try {
        for (const { text, box } of await languageLinkBoxes(page)) {
          assert.ok(box.height >= TOUCH_TARGET_PX && box.width >= TOUCH_TARGET_PX, `${lang} "${text}": ${box.width}×${box.height}`);
        }
        const codeLine = page.locator('#handoff-code-line');
        assert.equal(await codeLine.evaluate((node) => node.tagName), 'P');
        assert.equal((await codeLine.textContent())?.replace(/\s+/g, ' '), `${lang === 'en' ? 'Code' : 'Код'}: ${link.code}`);
        const whole = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
        assert.ok(whole, `${lang}: nothing wider than the phone`);
      } finally {
        await page.close();
      }
    }
  });

  it('the used, finished, expired and invalid pages: axe clean in every language', async () => {
    const usedUrl = await used('/plain');
    const finishedUrl = await used('/knowing');
    const replaced = await makeLink('/plain');
    await makeLink('/plain'); // a new code: the earlier link is expired
    const pages: [string, string, string][] = [
      [usedUrl, 'used', 'the used-link page'],
      [finishedUrl, 'finished', 'the finished page'],
      [replaced.url, 'expired', 'the expired-link page'],
      [`${base}/plain?handoff=${'A'.repeat(22)}`, 'invalid', 'the invalid-link page'],
    ];
    for (const [url, kind, what] of pages) {
      for (const lang of LANGUAGES) {
        const page = await check(url, lang, what);
        try {
          assert.equal(await page.locator('#handoff-message').getAttribute('data-kind'), kind, `${what} (${lang})`);
        } finally {
          await page.close();
        }
      }
    }
  });
});
