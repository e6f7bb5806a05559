/**
 * Shared helpers of the end-to-end tests: the demo on free ports, Chromium with a fake camera, and a
 * person's way through the demo page and the hosted flow.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve as resolvePath, sep } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { startDemo, type Demo } from '../../demo/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browsers.mjs';

export { CHROMIUM_ARGS };


/** Per-action limit: a step that takes longer than this is broken, not slow. */
export const ACTION_TIMEOUT_MS = 15_000;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

const silent = { info() {}, warn() {}, error() {} };

/** The demo on free ports with a Vite cache of its own and no file watching; `close()` removes the cache. */
export async function startTestDemo(options: { handoffTtlSeconds?: number } = {}): Promise<Demo> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'biometric-flow-e2e-vite-'));
  const demo = await startDemo({ port: 0, emulatorPort: 0, cacheDir, watch: false, logger: silent, viteLogLevel: 'error', ...options });
  const close = demo.close;
  demo.close = async () => {
    await close();
    rmSync(cacheDir, { recursive: true, force: true });
  };
  return demo;
}

export interface DemoPage {
  page: Page;
  /** Console errors and uncaught exceptions of the page and its frames. */
  errors: string[];
}

/** Opens a demo page (`module.html`, `script-tag.html`) once its controls are ready. */
export async function openDemoPage(browser: Browser, demo: Demo, path: string): Promise<DemoPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(new URL(path, demo.url).href);
  await page.locator('#flow-panel').waitFor({ state: 'visible' });
  return { page, errors };
}

export interface Choice {
  /** Visible label of the preset's radio button. */
  preset: string;
  mode: 'Inline' | 'Modal' | 'Popup';
  locale?: 'Русский' | 'Қазақша' | 'English';
}

/** Picks preset, mode and locale with the page's own controls. */
export async function choose(page: Page, choice: Choice): Promise<void> {
  await page.getByRole('group', { name: 'Preset' }).getByRole('radio', { name: choice.preset, exact: true }).check();
  await page.getByRole('radio', { name: choice.mode }).check();
  await page.getByRole('radio', { name: choice.locale ?? 'English' }).check();
}

/** The element's start button label in each locale of the demo's switch. */
const START_LABELS: Record<NonNullable<Choice['locale']>, string> = {
  Русский: 'Пройти проверку личности',
  Қазақша: 'Жеке басты тексеруден өту',
  English: 'Verify your identity',
};

/** The element's own start button (in its shadow root), found by its text as a person would. */
export function startButton(page: Page, locale: Choice['locale'] = 'English') {
  return page.locator('#flow').getByRole('button', { name: START_LABELS[locale], exact: true });
}

/** The flow's frame, inline or in the modal dialog. */
export function flowFrame(page: Page): FrameLocator {
  return page.frameLocator('#flow iframe[part~="frame"]');
}

/** The hosted flow, in a frame or in a popup page. */
type FlowSurface = FrameLocator | Page;

export interface PassOptions {
  /** E-Document: the SMS code to enter. Default 123456. */
  otp?: string;
}

/**
 * Walks the hosted flow the way a person does: Start, then each technology's buttons in order. Camera
 * steps wait for the (fake) camera to play before the capture button can be clicked.
 */
export async function passFlow(flow: FlowSurface, technologies: readonly string[], options: PassOptions = {}): Promise<void> {
  await flow.locator('#start-button').click();
  for (const code of technologies) {
    await flow.locator(`section#step[data-technology="${code}"]`).waitFor();
    switch (code) {
      case 'LD':
      case 'LDHP':
      case 'LDD':
        await flow.locator('#capture-button').click();
        break;
      case 'ED': {
        const iin = flow.locator('#iin-input');
        const otp = flow.locator('#otp-input');
        await iin.or(otp).first().waitFor();
        if (await iin.isVisible()) await flow.locator('#edocument-submit').click();
        await otp.fill(options.otp ?? '123456');
        await flow.locator('#otp-submit').click();
        break;
      }
      case 'DR':
        await takeDocumentPhoto(flow);
        break;
      case 'F2F': {
        const compare = flow.locator('#compare-button');
        const capture = flow.locator('#capture-button');
        const document = flow.locator('#document-camera-button');
        await compare.or(capture).or(document).first().waitFor();
        if (await capture.isVisible()) await capture.click();
        await compare.or(document).first().waitFor();
        if (await document.isVisible()) await takeDocumentPhoto(flow);
        await compare.click();
        break;
      }
      default:
        await flow.locator('#continue-button').click();
    }
  }
}

async function takeDocumentPhoto(flow: FlowSurface): Promise<void> {
  await flow.locator('#document-camera-button').click();
  await flow.locator('#document-capture-button').click();
}

export interface LoggedEvent {
  name: string;
  detail: any;
}

/** The page's event log, oldest first. */
export async function eventLog(page: Page): Promise<LoggedEvent[]> {
  const entries = await page.locator('#event-log li').evaluateAll((items) =>
    items.map((item) => ({
      name: item.getAttribute('data-event') ?? '',
      detail: item.querySelector('.log-detail')?.textContent ?? '',
    })),
  );
  return entries.reverse().map((entry) => ({ name: entry.name, detail: JSON.parse(entry.detail) }));
}

/** Waits until the log shows `name`, and returns that entry's detail. */
export async function waitForLogged(page: Page, name: string, timeout = ACTION_TIMEOUT_MS): Promise<any> {
  const entry = page.locator(`#event-log li[data-event="${name}"]`).first();
  await entry.waitFor({ timeout });
  return JSON.parse((await entry.locator('.log-detail').textContent()) ?? 'null');
}

/** Asks the demo's status endpoint, as the host's own server code would. */
export async function serverStatus(
  demo: Demo,
  sessionId: string,
  statusToken: string,
): Promise<{ session_id: string; status: string; result?: unknown }> {
  const response = await fetch(new URL(`/api/status?session_id=${sessionId}`, demo.url), {
    headers: { 'Biometric-Status-Token': statusToken },
  });
  assert.equal(response.status, 200);
  return (await response.json()) as { session_id: string; status: string; result?: unknown };
}

/**
 * The checks every finished flow must pass: one `finished` whose status came from the server, with the
 * outcome `passed`, and the server agrees when asked with the page's status token.
 *
 * @returns the `finished` detail.
 */
export async function expectFinished(page: Page, demo: Demo): Promise<any> {
  const finished = await waitForLogged(page, 'finished');
  assert.equal(finished.status, 'FINISHED', JSON.stringify(finished));
  assert.equal(finished.outcome, 'passed', JSON.stringify(finished));
  const token = await page.evaluate(() => (document.getElementById('flow') as HTMLElement & { session?: { statusToken?: string } }).session?.statusToken);
  assert.ok(token, 'the page holds a status token for its session');
  assert.equal((await serverStatus(demo, finished.sessionId, token)).status, 'FINISHED');
  const log = await eventLog(page);
  assert.equal(log.filter((entry) => entry.name === 'finished').length, 1, 'finished fires once');
  assert.deepEqual(log.filter((entry) => entry.name === 'flow-error'), []);
  assert.equal(await page.locator('#flow-state').textContent(), 'finished');
  return finished;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticSite {
  /** The site's URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Built or plain files as they are, with no dev server in between, next to the demo's backend: a path
 * under one of `mounts` (`'/react18/'` → a folder) is a file of that folder (`index.html` for the
 * folder itself); `/api/*` goes to the demo with the Host header kept, so that the backend sees the
 * page's requests as coming from its own origin, as in production.
 */
export async function startStaticSite(demo: Pick<Demo, 'url'>, mounts: Record<string, string>): Promise<StaticSite> {
  const backend = new URL(demo.url);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    if (path.startsWith('/api/')) {
      const upstream = request(
        { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
      return;
    }
    const mount = Object.keys(mounts).find((prefix) => path.startsWith(prefix));
    const folder = mount === undefined ? undefined : resolvePath(mounts[mount]!);
    const file = folder && resolvePath(folder, decodeURIComponent(path.slice(mount!.length)) || 'index.html');
    if (!file || !file.startsWith(folder + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Not found: ${path}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, backend.hostname, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${backend.hostname}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface AppPage extends DemoPage {
  /** Every `POST /api/session` the page (or a frame of it) made, from the moment it was opened. */
  sessionRequests: string[];
}

/**
 * Opens a page in a context of its own, counting its session requests from before the first byte,
 * and waits for `#flow-panel` (shown once the page knows where the flow lives).
 */
export async function openAppPage(browser: Browser, url: string): Promise<AppPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  const errors: string[] = [];
  const sessionRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (sent) => {
    if (sent.method() === 'POST' && new URL(sent.url()).pathname === '/api/session') sessionRequests.push(sent.url());
  });
  await page.goto(url);
  await page.locator('#flow-panel').waitFor({ state: 'visible' });
  return { page, errors, sessionRequests };
}
