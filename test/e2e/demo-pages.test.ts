/**
 * What a first visit to the demo shows, in Chromium at a phone's and a desktop's width: whole preset
 * labels, snippets that show the chosen settings, and no emulator wording when a real key is set.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startDemo, type Demo } from '../../demo/server.js';
import { ACTION_TIMEOUT_MS, choose, launchChromium, startTestDemo } from '../support/e2e.js';

const silent = { info() {}, warn() {}, error() {} };
const SIZES = [
  { width: 375, height: 700 },
  { width: 1280, height: 800 },
];

async function openPage(browser: Browser, url: string, size: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  await page.goto(url);
  return page;
}

/** The labels of the preset choices that do not show whole: cut off, or out of the viewport. */
function cutLabels(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLLabelElement>('#preset-choices label')]
      .filter((label) => {
        const box = label.getBoundingClientRect();
        return label.scrollWidth > label.clientWidth || box.left < 0 || box.right > document.documentElement.clientWidth;
      })
      .map((label) => label.textContent ?? ''),
  );
}

describe('demo pages at first sight', { timeout: 120_000 }, () => {
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    [demo, browser] = await Promise.all([startTestDemo(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  for (const size of SIZES) {
    it(`shows every preset's whole label at ${size.width}×${size.height}`, async () => {
      const page = await openPage(browser, new URL('module.html', demo.url).href, size);
      try {
        await page.locator('#flow-panel').waitFor({ state: 'visible' });
        const labels = await page.locator('#preset-choices label').allTextContents();
        assert.equal(labels.length, 8);
        assert.ok(labels.includes('E-Document case 1: both fixed, input skipped'), labels.join(' | '));
        assert.deepEqual(await cutLabels(page), []);
      } finally {
        await page.context().close();
      }
    });
  }

  for (const path of ['module.html', 'script-tag.html']) {
    it(`/${path}: the snippet shows the chosen preset, mode and locale`, async () => {
      const page = await openPage(browser, new URL(path, demo.url).href, SIZES[0]!);
      try {
        await page.locator('#flow-panel').waitFor({ state: 'visible' });
        const snippet = page.locator('.snippet');
        assert.match((await snippet.textContent()) ?? '', /preset: 'default'/);
        await choose(page, { preset: 'Face2Face with photo1', mode: 'Modal', locale: 'Қазақша' });
        const text = (await snippet.textContent()) ?? '';
        assert.match(text, /preset: 'photo1'/);
        assert.equal(text.includes("'default'"), false, text);
        assert.match(text, path === 'module.html' ? /flow\.mode = 'modal';/ : /mode="modal"/);
        assert.match(text, path === 'module.html' ? /flow\.locale = 'kk';/ : /locale="kk"/);
      } finally {
        await page.context().close();
      }
    });
  }

  it('says "emulator" on the home page only with the emulator', async () => {
    const page = await openPage(browser, demo.url, SIZES[1]!);
    try {
      await page.locator('#preset-rows th').first().waitFor();
      assert.equal(await page.getByRole('heading', { name: 'Emulator test inputs' }).isVisible(), true);
      assert.equal(await page.getByText("Each uses one of the emulator's flows.").isVisible(), true);
    } finally {
      await page.context().close();
    }
  });
});

describe('demo pages with a real API key', { timeout: 120_000 }, () => {
  // A stand-in "vendor": the emulator, reached as apiBaseUrl the way the real service would be.
  let vendor: Emulator;
  let demo: Demo;
  let browser: Browser;
  let cacheDir: string;

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'biometric-flow-e2e-vite-'));
    vendor = await startEmulator({ flows: [{ name: 'real', technologies: ['LD', 'F2F'] }] });
    [demo, browser] = await Promise.all([
      startDemo({ port: 0, apiKey: vendor.flows[0]!.apiKey, apiBaseUrl: vendor.url, cacheDir, watch: false, logger: silent, viteLogLevel: 'error' }),
      launchChromium(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
    await vendor?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  for (const path of ['', 'module.html', 'script-tag.html']) {
    for (const size of SIZES) {
      it(`/${path} shows no emulator wording at ${size.width}×${size.height}`, async () => {
        const page = await openPage(browser, new URL(path, demo.url).href, size);
        try {
          await page.locator(path === '' ? '#preset-rows th' : '#flow-panel:not([hidden])').first().waitFor();
          const visible = await page.evaluate(() => document.body.innerText);
          assert.equal(/emulator/i.test(visible), false, visible);
          assert.match(visible, /the real Biometric\.Vision service/);
          if (path !== '') assert.deepEqual(await cutLabels(page), []);
        } finally {
          await page.context().close();
        }
      });
    }
  }
});
