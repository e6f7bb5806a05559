/**
 * A native app's way through a verification, played in a phone-sized Chromium the way docs/native.md's
 * code does it, with the React Native example's own URL decisions (examples/react-native/flow-links.ts):
 * the app asks its backend (biometric-flow/server behind the app's sign-in, no Origin header) for a
 * session, opens `flow_url` top level, grants the camera to the flow's origin only, hands the non-http
 * eGov Mobile link to "the system" instead of following it, sees the end by the finished URL, and asks
 * its backend for the verdict. Chromium runs without --use-fake-ui-for-media-stream here, so that a
 * camera is had only where it was granted. The backend binds each session to the app's user with the
 * verdict ledger (`reference`), which delivers every session's verdict for that user once, whether or
 * not the app comes back to ask.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  createMemoryStore,
  createSessionHandler,
  createStatusHandler,
  createVerdictLedger,
  toNodeListener,
  type Verdict as LedgerVerdict,
  type VerdictLedger,
} from '../../src/server/index.js';
import {
  decideNavigation,
  flowPlaces,
  parseFlowSession,
  verdictOf,
  type FlowPlaces,
  type FlowSession,
  type NavigationDecision,
  type Verdict,
} from '../../examples/react-native/flow-links.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/browsers.mjs';
import { ACTION_TIMEOUT_MS } from '../support/e2e.js';

const TOKEN_SECRET = 'native-app-test-secret-'.padEnd(40, 'x');
/** The app's own sign-in: what its requests carry, and whom the backend's `reference` reads from it. */
const APP_USER_TOKEN = 'Bearer app-user-7';
const APP_USER = 'app-user-7';
/** How long a session is worth opening (the answer's expires_at): short, so an abandoned one expires here. */
const SESSION_TTL_SECONDS = 20;
/** An Android web view's user agent (`; wv`). */
const WEB_VIEW_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.0.0 Mobile Safari/537.36';
/** The flow with every kind of step: LD, ED (with the eGov Mobile link), F2F. */
const FLOW_NAME = 'Флоу для физ. лиц';

let emulator: Emulator;
let backend: Server;
let backendUrl: string;
let browser: Browser;
let ledger: VerdictLedger;
/** What the ledger delivered to the "host's database". */
const delivered: LedgerVerdict[] = [];

before(async () => {
  // The vendor's result lags the end of the flow (docs/vendor.md §6): the app must ask until it knows.
  emulator = await startEmulator({ port: 0, resultDelayMs: 1500 });
  const apiKey = emulator.flows.find((flow) => flow.name === FLOW_NAME)!.apiKey;
  const logger = { info() {}, warn() {}, error() {} };
  ledger = createVerdictLedger({
    apiKey,
    apiBaseUrl: emulator.url,
    store: createMemoryStore(),
    onVerdict: (verdict) => void delivered.push(verdict),
    sweepIntervalMs: 250,
    graceSeconds: 1,
    logger,
  });
  ledger.start();
  // The app's sign-in names its user; nobody signed in gets nothing (403), and a status only its owner.
  const reference = ({ request }: { request: Request }) => (request.headers.get('authorization') === APP_USER_TOKEN ? APP_USER : undefined);
  const options = { apiKey, apiBaseUrl: emulator.url, tokenSecret: TOKEN_SECRET, verdicts: ledger, reference, logger };
  // The host's web origin only: an app sends no Origin and must pass all the same.
  const session = toNodeListener(
    createSessionHandler({ ...options, flowBaseUrl: emulator.url, allowedOrigins: ['https://bank.example'], sessionTtlSeconds: SESSION_TTL_SECONDS }),
  );
  const status = toNodeListener(createStatusHandler(options));
  backend = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://backend').pathname;
    if (path === '/api/biometric/session') return session(req, res);
    if (path === '/api/biometric/status') return status(req, res);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Bank</title><p>The bank’s own site</p>');
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});

// A browser of its own for each app run: after a tap on a link with an unknown scheme, headless Chromium
// has been seen to lose later input in the same browser, and one run's quirk must not hang the next.
beforeEach(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream'),
    timeout: 30_000,
  });
});

afterEach(async () => {
  await bounded(browser?.close(), 'close of the browser');
});

after(async () => {
  await ledger?.stop();
  await new Promise((resolve) => backend?.close(resolve));
  await emulator?.close();
});

/** The app's first request: its own sign-in, its locale, no Origin (it is not a page). */
async function createAppSession(headers: Record<string, string> = { Authorization: APP_USER_TOKEN }): Promise<Response> {
  return fetch(`${backendUrl}/api/biometric/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ locale: 'en' }),
    signal: AbortSignal.timeout(ACTION_TIMEOUT_MS),
  });
}

/** Asks the backend until the verdict is final, as the example's askVerdict does (faster here). */
async function askVerdict(session: FlowSession, untilMs = 15_000): Promise<Verdict> {
  const deadline = Date.now() + untilMs;
  for (;;) {
    const response = await fetch(`${backendUrl}/api/biometric/status?session_id=${session.session_id}`, {
      headers: { Authorization: APP_USER_TOKEN, 'Biometric-Status-Token': session.status_token },
      signal: AbortSignal.timeout(ACTION_TIMEOUT_MS),
    });
    assert.equal(response.status, 200);
    const verdict = verdictOf((await response.json()) as Parameters<typeof verdictOf>[0]);
    if (verdict !== 'pending' || Date.now() > deadline) return verdict;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface AppWebView {
  context: BrowserContext;
  page: Page;
  places: FlowPlaces;
  /** Each main-frame navigation and what the app decided about it. */
  navigations: { url: string; decision: NavigationDecision }[];
  /** Links handed to the system (not followed). */
  handedToSystem: string[];
  /** Resolves with the finished URL once the app has seen it. */
  finished: Promise<string>;
}

/**
 * The app's web view: a phone-sized context whose camera is granted to the flow's origin only, whose
 * main-frame navigations go through `decideNavigation` (the `onShouldStartLoadWithRequest` /
 * `shouldOverrideUrlLoading` / `decidePolicyFor` of the guides), and whose non-http links, which no
 * network route sees, are caught at the tap and handed over instead of followed.
 */
async function openWebView(session: FlowSession, viewport: { width: number; height: number }): Promise<AppWebView> {
  const places = flowPlaces(session.flow_url);
  const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 3, userAgent: WEB_VIEW_UA });
  await context.grantPermissions(['camera', 'microphone'], { origin: places.origin });
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const navigations: AppWebView['navigations'] = [];
  const handedToSystem: string[] = [];
  let seeFinished!: (url: string) => void;
  const finished = new Promise<string>((resolve) => (seeFinished = resolve));
  await page.route('**/*', async (route) => {
    const request = route.request();
    if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return route.continue();
    const decision = decideNavigation(request.url(), places);
    navigations.push({ url: request.url(), decision });
    if (decision === 'system') {
      handedToSystem.push(request.url());
      return route.abort();
    }
    // The finished page loads too: the vendor's guide watches it start (onPageStarted); the app closes then.
    // Seen once the route is let go, so that a test closing the app at once does not close it under a
    // handler still at work (a CI run hung in context.close() so).
    await route.continue();
    if (decision === 'finished') seeFinished(request.url());
  });
  await page.exposeBinding('handToSystem', (_source, url: string) => {
    navigations.push({ url, decision: decideNavigation(url, places) });
    handedToSystem.push(url);
  });
  await page.addInitScript(() => {
    document.addEventListener(
      'click',
      (event) => {
        const link = (event.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
        if (!link || link.protocol === 'http:' || link.protocol === 'https:') return;
        event.preventDefault();
        (window as unknown as { handToSystem(url: string): void }).handToSystem(link.href);
      },
      true,
    );
  });
  await page.goto(session.flow_url);
  return { context, page, places, navigations, handedToSystem, finished };
}

/** Waits for `step` at most `withinMs`, else fails naming it: no hook or close waits without end. */
async function bounded<T>(step: Promise<T> | undefined, name: string, withinMs = 20_000): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${name} within ${withinMs} ms`)), withinMs);
  });
  try {
    return await Promise.race([step, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The app closes its web view: route handlers let go first, the close bounded. */
async function closeApp(app: AppWebView): Promise<void> {
  await bounded(app.page.unrouteAll({ behavior: 'ignoreErrors' }), 'release of the routes');
  await bounded(app.context.close(), 'close of the web view');
}

/** The finished URL the app saw, or a failure naming what it saw instead (never a wait without end). */
async function seenFinished(app: AppWebView, withinMs = 30_000): Promise<string> {
  // Named lazily: the navigations as they are when the wait fails.
  const seen = await bounded(app.finished, 'the finished URL', withinMs).catch((error: Error) => {
    throw new Error(`${error.message}; navigations: ${JSON.stringify(app.navigations)}`);
  });
  return seen!;
}

async function startSession(): Promise<FlowSession> {
  const response = await createAppSession();
  assert.equal(response.status, 200);
  return parseFlowSession(await response.json());
}

/** Waits for the ledger's one delivery of a session, and checks it is the only one. */
async function deliveredFor(session: FlowSession, untilMs = 20_000): Promise<LedgerVerdict> {
  const deadline = Date.now() + untilMs;
  const mine = () => delivered.filter((verdict) => verdict.sessionId === session.session_id);
  while (mine().length === 0) {
    if (Date.now() > deadline) throw new Error(`the ledger delivered nothing for ${session.session_id}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // One more sweep interval or two: nothing is delivered twice.
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(mine().length, 1, JSON.stringify(mine()));
  return mine()[0]!;
}

/** The flow's page fits the phone: nothing wider than the screen. */
async function assertFits(page: Page): Promise<void> {
  const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scrollWidth <= innerWidth, `the page is ${scrollWidth} px wide on a ${innerWidth} px screen`);
}

async function takeLivenessPhoto(page: Page): Promise<void> {
  await page.locator('#start-button').tap();
  await page.locator('section#step[data-technology="LD"]').waitFor();
  // The fake camera plays only where the camera was granted: the flow's origin.
  await page.locator('#capture-button:enabled').waitFor();
  await assertFits(page);
  await page.locator('#capture-button').tap();
}

describe('a native app', { timeout: 180_000 }, () => {
  it("gets flow_url from its backend with its own sign-in and no Origin, and nothing without it", async () => {
    const refused = await createAppSession({});
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'forbidden');
    const session = await startSession();
    assert.equal(session.flow_url, `${new URL(emulator.url).origin}/flow/${session.session_id}?web_view=true&locale=en`);
  });

  it('passes: camera on the flow origin only, the eGov Mobile link handed to the system, the end seen, the verdict from the backend', async () => {
    const session = await startSession();
    const app = await openWebView(session, { width: 390, height: 844 });
    const { page, places } = app;
    try {
      await takeLivenessPhoto(page);

      await page.locator('#edocument-submit').waitFor();
      await page.locator('#iin-input').fill('900101300017');
      await page.locator('#phone-input').fill('77011234567');
      await page.locator('#edocument-submit').tap();
      await page.locator('#otp-input').waitFor();
      const onCodeStep = page.url();
      await page.locator('#egov-mobile-link').tap();
      await waitUntil(() => app.handedToSystem.length > 0); // the binding's call arrives asynchronously
      assert.deepEqual(app.handedToSystem, ['egov-mobile-emulated://open']);
      assert.equal(decideNavigation('egov-mobile-emulated://open', places), 'system');
      assert.equal(page.url(), onCodeStep, 'the web view did not follow it');
      assert.ok(await page.locator('#otp-input').isVisible(), 'the flow goes on where it was');
      await assertFits(page);

      await page.locator('#otp-input').fill('123456');
      await page.locator('#otp-submit').tap();
      await page.locator('#compare-button').tap();
      const finishedUrl = await seenFinished(app);
      const seen = new URL(finishedUrl);
      assert.equal(seen.origin, places.origin);
      assert.equal(seen.pathname, '/finished');
      assert.deepEqual(
        app.navigations.map((navigation) => navigation.decision),
        ['load', 'system', 'finished'],
        JSON.stringify(app.navigations),
      );

      // The camera is the flow's alone: the bank's own page in the same web view has none.
      const other = await app.context.newPage();
      await other.goto(backendUrl);
      const camera = await other.evaluate(async () => ({
        permission: (await navigator.permissions.query({ name: 'camera' as PermissionName })).state,
        stream: await navigator.mediaDevices.getUserMedia({ video: true }).then(
          () => 'granted',
          (error: Error) => error.name,
        ),
      }));
      assert.deepEqual(camera, { permission: 'prompt', stream: 'NotAllowedError' });
      const flowCamera = await page.evaluate(async () => (await navigator.permissions.query({ name: 'camera' as PermissionName })).state);
      assert.equal(flowCamera, 'granted');

      assert.equal(await askVerdict(session), 'passed');
      const verdict = await deliveredFor(session);
      assert.equal(verdict.reference, APP_USER);
      assert.equal(verdict.outcome, 'passed');
    } finally {
      await closeApp(app);
    }
  });

  it("closes at the finished URL without asking: the ledger delivers the verdict for the app's user all the same", async () => {
    const session = await startSession();
    const app = await openWebView(session, { width: 390, height: 844 });
    try {
      await takeLivenessPhoto(app.page);
      await app.page.locator('#edocument-submit').waitFor();
      await app.page.locator('#iin-input').fill('900101300017');
      await app.page.locator('#phone-input').fill('77011234567');
      await app.page.locator('#edocument-submit').tap();
      await app.page.locator('#otp-input').fill('123456');
      await app.page.locator('#otp-submit').tap();
      await app.page.locator('#compare-button').tap();
      await seenFinished(app);
    } finally {
      await closeApp(app); // the app is gone: no status request ever
    }
    const verdict = await deliveredFor(session);
    assert.deepEqual({ reference: verdict.reference, outcome: verdict.outcome, via: verdict.via }, { reference: APP_USER, outcome: 'passed', via: 'sweep' });
  });

  it('fails: the failed flow ends on the finished URL too, and only the backend says it failed', async () => {
    const session = await startSession();
    const app = await openWebView(session, { width: 360, height: 740 });
    const { page } = app;
    try {
      await page.locator('#start-button').tap();
      await page.locator('#capture-button:enabled').waitFor();
      await page.locator('#simulate-failure-button').tap();
      await page.locator('#finish-button').tap();
      const seen = new URL(await seenFinished(app));
      assert.equal(`${seen.origin}${seen.pathname}`, `${app.places.origin}/finished`);
      assert.equal(await askVerdict(session), 'failed');
      const verdict = await deliveredFor(session);
      assert.deepEqual({ reference: verdict.reference, outcome: verdict.outcome }, { reference: APP_USER, outcome: 'failed' });
    } finally {
      await closeApp(app);
    }
  });

  it('is abandoned: the user goes back mid-flow, no end is seen, and the backend has no verdict for it', async () => {
    const session = await startSession();
    const app = await openWebView(session, { width: 390, height: 844 });
    try {
      await takeLivenessPhoto(app.page);
      await app.page.locator('#edocument-submit').waitFor();
    } finally {
      // Back or close: the app cancels by closing its web view.
      await closeApp(app);
    }
    assert.equal(app.navigations.some((navigation) => navigation.decision === 'finished'), false);
    assert.equal(await askVerdict(session, 2500), 'pending', 'not passed, not failed: the session is left to expire');
    // Past expires_at and the grace, the ledger says so to the app's user, once.
    const verdict = await deliveredFor(session, (SESSION_TTL_SECONDS + 10) * 1000);
    assert.deepEqual({ reference: verdict.reference, outcome: verdict.outcome }, { reference: APP_USER, outcome: 'expired' });
  });
});

/** Polls `condition` for up to the action timeout. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + ACTION_TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the app was not given the link');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
