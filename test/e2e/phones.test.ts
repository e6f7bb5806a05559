/**
 * Geometry at phone, tablet and desktop sizes: the demo's module page in Chromium, in every mode, locale
 * and colour scheme, with the flow on its second step. What is checked is where things are, not pixels:
 * every part of the element inside the viewport (inline: inside the page, with no horizontal overflow),
 * the status line below the frame and never over it, the close button on screen, the host page not
 * scrolled by the flow's own steps, and the element's texts in the locale's script only.
 *
 * One screenshot per case goes to a temp dir (kept, and named, when `SCREENSHOT_DIR` is set) for a person
 * to look at; nothing is compared with them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import type { Demo } from '../../demo/server.js';
import { ACTION_TIMEOUT_MS, choose, flowFrame, launchChromium, startButton, startTestDemo, waitForLogged, type Choice } from '../support/e2e.js';

const SIZES = [
  [320, 568],
  [375, 667],
  [390, 844],
  [768, 1024],
  [1280, 700],
  [1440, 900],
] as const;
const MODES = ['Inline', 'Modal', 'Popup'] as const;
const LOCALES = [
  { label: 'Русский', code: 'ru', step2: 'Шаг 2 из 2: Сравнение лица' },
  { label: 'Қазақша', code: 'kk', step2: 'Қадам 2/2: Бетті салыстыру' },
  { label: 'English', code: 'en', step2: 'Step 2 of 2: Face comparison' },
] as const;
const SCHEMES = ['light', 'dark'] as const;
const PRESET = 'Default flow (Liveness + Face2Face)';

/** Where a part of the element is, as the page sees it. */
interface Geometry {
  problems: string[];
  scrollTop: number;
  /** The element's visible text (its shadow root's), for the one-language check. */
  text: string;
}

/**
 * Runs in the page: every rendered part of `#flow` (and its default texts) against the viewport or the
 * page, the status line against the frame, and the page's own horizontal overflow.
 */
function measure(): Geometry {
  const problems: string[] = [];
  const page = document.scrollingElement!;
  const width = document.documentElement.clientWidth;
  const height = window.innerHeight;
  const host = document.getElementById('flow')!;
  const root = host.shadowRoot!;
  const slack = 0.5;
  const box = (r: DOMRect) => `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`;
  if (page.scrollWidth > width) problems.push(`the page scrolls sideways: ${page.scrollWidth} > ${width}`);
  const dialog = root.querySelector('dialog');
  const dialogRect = dialog?.open ? dialog.getBoundingClientRect() : undefined;
  const parts = [...root.querySelectorAll<HTMLElement>('[part], .message, button')];
  for (const node of parts) {
    if (node.getClientRects().length === 0) continue;
    const r = node.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const name = node.getAttribute('part') ?? node.className;
    if (node.closest('dialog')) {
      // In the dialog: on the screen, and not cut off by the dialog's own edges.
      if (r.left < -slack || r.top < -slack || r.right > width + slack || r.bottom > height + slack) {
        problems.push(`${name} leaves the viewport ${width}×${height}: ${box(r)}`);
      }
      if (node !== dialog && dialogRect) {
        const d = dialogRect;
        if (r.left < d.left - slack || r.top < d.top - slack || r.right > d.right + slack || r.bottom > d.bottom + slack) {
          problems.push(`${name} is cut off by the dialog ${box(d)}: ${box(r)}`);
        }
      }
    } else {
      // In the page: within its width, and within the page's height (it may be scrolled to).
      if (r.left < -slack || r.right > width + slack) problems.push(`${name} leaves the page's width ${width}: ${box(r)}`);
      if (r.top + page.scrollTop < -slack || r.bottom + page.scrollTop > page.scrollHeight + slack) {
        problems.push(`${name} leaves the page's height ${page.scrollHeight}: ${box(r)}`);
      }
    }
    if (node.scrollWidth > node.clientWidth + 1 && node.tagName !== 'IFRAME') {
      problems.push(`${name}'s content is wider than its box: ${node.scrollWidth} > ${node.clientWidth}`);
    }
  }
  const frame = root.querySelector('iframe[part~="frame"]');
  const status = root.querySelector('[part~="status"]');
  if (frame && status && status.textContent!.trim() !== '') {
    const f = frame.getBoundingClientRect();
    const s = status.getBoundingClientRect();
    if (s.top < f.bottom - slack && s.bottom > f.top + slack && s.left < f.right && s.right > f.left) {
      problems.push(`the status line ${box(s)} overlaps the frame ${box(f)}`);
    }
    if (s.top < f.bottom - slack) problems.push(`the status line ${box(s)} is not below the frame ${box(f)}`);
  }
  if (dialogRect && frame && frame.getBoundingClientRect().height < height / 2) {
    problems.push(`the dialog's frame is squeezed to ${Math.round(frame.getBoundingClientRect().height)} px of ${height}`);
  }
  const close = root.querySelector<HTMLElement>('[part~="close-button"]');
  if (dialogRect) {
    const c = close?.getBoundingClientRect();
    if (!c || c.width < 24 || c.height < 24) problems.push('the close button is missing or too small');
    else {
      // Reachable: the button itself is what a tap at its centre hits.
      const hit = root.elementFromPoint(c.left + c.width / 2, c.top + c.height / 2);
      if (!hit || !close!.contains(hit)) problems.push(`a tap at the close button's centre hits ${hit?.tagName ?? 'nothing'}`);
    }
  }
  const text = [...root.querySelectorAll<HTMLElement>('[part~="base"], dialog[open]')]
    .map((node) => `${node.innerText} ${[...node.querySelectorAll('[aria-label]')].map((n) => n.getAttribute('aria-label')).join(' ')}`)
    .join(' ');
  return { problems, scrollTop: page.scrollTop, text };
}

/** Latin letters in a Russian or Kazakh view, Cyrillic in an English one. */
function foreignScript(locale: string, text: string): string | undefined {
  const foreign = locale === 'en' ? /[\u0400-\u04ff]+/ : /[A-Za-z]+/;
  return foreign.exec(text)?.[0];
}

/** Two animation frames: a layout or scroll caused by what just happened has been applied. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/**
 * A person's click on a button of the flow: first they scroll down until it is at the top of the screen
 * (their own scroll; the top of the flow, where the next step's heading will be, is then above the
 * screen), then they click; what the page does after the click is the flow's, and must not scroll the
 * page. (A flow that focuses each step's heading without `preventScroll` scrolled the page back up.)
 *
 * @returns the page's scroll position just before the click.
 */
async function press(page: Page, flow: FrameLocator | Page, selector: string): Promise<number> {
  const target = flow.locator(selector);
  await target.and(flow.locator(':enabled')).waitFor(); // camera buttons wait for the camera
  await target.evaluate((button) => button.scrollIntoView({ block: 'start' }));
  await settle(page);
  const before = await page.evaluate(() => document.scrollingElement!.scrollTop);
  await target.click();
  return before;
}

describe('phones and desktops: geometry of every mode, locale and colour scheme', { timeout: 900_000 }, () => {
  let demo: Demo;
  let browser: Browser;
  const shots = process.env.SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'biometric-flow-geometry-'));

  before(async () => {
    mkdirSync(shots, { recursive: true });
    [demo, browser] = await Promise.all([startTestDemo(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
    if (!process.env.SCREENSHOT_DIR) rmSync(shots, { recursive: true, force: true });
  });

  for (const [width, height] of SIZES) {
    it(`${width}×${height}`, { timeout: 240_000 }, async (t) => {
      const context = await browser.newContext({ viewport: { width, height } });
      // tsx (esbuild, keepNames) wraps the named functions inside `measure` in `__name(...)` calls, which
      // run in the page: give the page a no-op of that name.
      await context.addInitScript({ content: 'globalThis.__name = (target) => target;' });
      const problems: string[] = [];
      const errors: string[] = [];
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(ACTION_TIMEOUT_MS);
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text());
        });
        await page.goto(new URL('module.html', demo.url).href);
        await page.locator('#flow-panel').waitFor({ state: 'visible' });

        for (const mode of MODES) {
          for (const locale of LOCALES) {
            const name = `${width}x${height}-${mode.toLowerCase()}-${locale.code}`;
            const report = (what: string) => problems.push(`${mode} ${locale.code}: ${what}`);
            await page.emulateMedia({ colorScheme: 'light' });
            await choose(page, { preset: PRESET, mode, locale: locale.label as Choice['locale'] });
            await page.locator('#clear-log').click();
            await page.evaluate(() => window.scrollTo(0, 0));

            const popupOpened = mode === 'Popup' ? page.context().waitForEvent('page') : undefined;
            await startButton(page, locale.label as Choice['locale']).click();
            const popup = await popupOpened;
            await waitForLogged(page, 'flow-loaded');
            const flow: FrameLocator | Page = popup ?? flowFrame(page);
            // Each step's start is the flow's doing: the page stays where the person's click left it.
            const stepScroll = async (what: string, start: number) => {
              await settle(page);
              const after = await page.evaluate(() => document.scrollingElement!.scrollTop);
              if (after !== start) report(`the flow scrolled the page from ${start} to ${after} when ${what}`);
            };
            let scrolled = await press(page, flow, '#start-button');
            await flow.locator('section#step[data-technology="LD"]').waitFor();
            await stepScroll('the first step started', scrolled);
            scrolled = await press(page, flow, '#capture-button');
            await flow.locator('section#step[data-technology="F2F"]').waitFor();
            if (mode !== 'Popup') {
              await page.locator('#flow').locator('[part~="status"]').filter({ hasText: locale.step2 }).waitFor();
            }
            await stepScroll('the second step started', scrolled);
            scrolled = (await page.evaluate(measure)).scrollTop;

            for (const scheme of SCHEMES) {
              await page.emulateMedia({ colorScheme: scheme });
              await settle(page);
              const geometry = await page.evaluate(measure);
              for (const problem of geometry.problems) report(`${scheme}: ${problem}`);
              if (geometry.scrollTop !== scrolled) report(`${scheme}: the flow scrolled the page from ${scrolled} to ${geometry.scrollTop}`);
              const foreign = foreignScript(locale.code, geometry.text);
              if (foreign) report(`${scheme}: "${foreign}" in the ${locale.code} view: ${geometry.text.trim().replace(/\s+/g, ' ')}`);
              await page.screenshot({ path: join(shots, `${name}-${scheme}.png`) });
              if (popup) {
                await popup.emulateMedia({ colorScheme: scheme });
                const inPopup = await popup.evaluate(() => {
                  const page = document.scrollingElement!;
                  const width = document.documentElement.clientWidth;
                  const step = document.querySelector('section#step')!.getBoundingClientRect();
                  const out: string[] = [];
                  if (page.scrollWidth > width) out.push(`the popup scrolls sideways: ${page.scrollWidth} > ${width}`);
                  if (step.left < 0 || step.right > width) out.push(`the popup's step leaves its width ${width}`);
                  return { out, size: `${innerWidth}×${innerHeight}` };
                });
                for (const problem of inPopup.out) report(`${scheme} popup ${inPopup.size}: ${problem}`);
                await popup.screenshot({ path: join(shots, `${name}-${scheme}-popup.png`) });
              }
            }
            await page.evaluate(() => (document.getElementById('flow') as HTMLElement & { reset(): void }).reset());
            if (popup && !popup.isClosed()) await popup.waitForEvent('close');
          }
        }
      } finally {
        await context.close();
      }
      t.diagnostic(`screenshots: ${shots}`);
      assert.deepEqual(problems, []);
      assert.deepEqual(errors, [], 'no console errors');
    });
  }
});
