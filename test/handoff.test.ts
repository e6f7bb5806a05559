import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement } from '../src/index.js';
import { clock, parseHandoffAnswer, qrPath } from '../src/handoff/handoff-view.js';
import { cameraUnavailable } from '../src/handoff/handoff.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { SESSION_ID, frameOf, json, record, stubRoutes } from './support/helpers.js';


const flowOrigin = FLOW_ORIGIN as string;
const TOKEN = 'v1.9999999999.' + 'A'.repeat(43);
const LINK = 'https://shop.example/api/handoff?handoff=AAAAAAAAAAAAAAAAAAAAAA';

function session(): Response {
  return json({ session_id: SESSION_ID, technologies: ['LDHP', 'F2F'], status_token: TOKEN });
}

function link(code = '482915', url = LINK, ms = 600_000): Response {
  return json({ url, code, expires_at: new Date(Date.now() + ms).toISOString() });
}

function status(value: string, result?: unknown): Response {
  return json({ session_id: SESSION_ID, status: value, ...(result === undefined ? {} : { result }) });
}

/** This browser's camera as the handoff sees it: `devices` from enumerateDevices, no permission denied. */
function camera(present: boolean): void {
  const devices = present ? [{ kind: 'videoinput', deviceId: '', groupId: '', label: '' }] : [{ kind: 'audioinput', deviceId: '', groupId: '', label: '' }];
  sinon.stub(navigator.mediaDevices, 'enumerateDevices').resolves(devices as MediaDeviceInfo[]);
  if (navigator.permissions) sinon.stub(navigator.permissions, 'query').resolves({ state: 'prompt' } as PermissionStatus);
}

async function element(attributes: { handoff?: string; status?: boolean; endpoint?: boolean; locale?: string } = {}): Promise<BiometricFlowElement> {
  const el = await fixture<BiometricFlowElement>(html`<biometric-flow
    locale=${attributes.locale ?? 'en'}
    session-endpoint="/api/session"
    flow-base-url=${flowOrigin}
  ></biometric-flow>`);
  if (attributes.status !== false) el.setAttribute('status-endpoint', '/api/status');
  if (attributes.endpoint !== false) el.setAttribute('handoff-endpoint', '/api/handoff');
  if (attributes.handoff) el.setAttribute('handoff', attributes.handoff);
  return el;
}

const root = (el: BiometricFlowElement) => el.shadowRoot!;
const view = (el: BiometricFlowElement) => root(el).querySelector<HTMLElement>('.handoff');
const liveText = (el: BiometricFlowElement) => view(el)?.querySelector('[data-handoff-status]')?.textContent?.trim() ?? '';

async function waitForCode(el: BiometricFlowElement): Promise<void> {
  await waitUntil(() => !!view(el)?.querySelector('[data-handoff-code]'), 'the code is shown', { timeout: 5000 });
}

let userAgent: PropertyDescriptor | undefined;

afterEach(() => {
  sinon.restore();
  if (userAgent) {
    delete (navigator as unknown as Record<string, unknown>).userAgent;
    userAgent = undefined;
  }
});

describe('handoff: auto on a device without a camera', () => {
  it('shows the QR code, the code and the link instead of the flow, and finishes via handoff by status', async function () {
    // The element's own schedule for a flow out of sight: PENDING at 3 s, FINISHED at 7.5 s, real time.
    this.timeout(20_000);
    camera(false);
    const routes = stubRoutes({
      '/api/session': [session()],
      '/api/handoff': [link()],
      '/api/status': [status('PENDING'), status('FINISHED', { flow_session_result: true })],
    });
    const el = await element();
    const events = record(el, 'flow-error', 'flow-loaded');
    const finished = oneEvent(el, 'finished');
    void el.start();
    await waitForCode(el);

    // The view sits in the flow's box, where the frame would: no iframe, no flow on this device.
    expect(root(el).querySelector('.frame-box > [part="handoff"]') === view(el)).to.equal(true);
    expect(root(el).querySelector('iframe') === null).to.equal(true);
    const [request] = routes['/api/handoff']!;
    expect(request!.init.method).to.equal('POST');
    expect(request!.headers.get('biometric-status-token')).to.equal(TOKEN);
    expect(request!.body).to.deep.equal({ session_id: SESSION_ID, locale: 'en' });

    const svg = view(el)!.querySelector('svg')!;
    expect(svg.getAttribute('role')).to.equal('img');
    expect(svg.getAttribute('aria-label')).to.equal('QR code of the link below');
    expect(svg.querySelector('path')!.getAttribute('d')!.length).to.be.greaterThan(100);
    expect(view(el)!.querySelector('[data-handoff-code]')!.textContent).to.equal('482915');
    expect(view(el)!.querySelector<HTMLInputElement>('#handoff-link')!.value).to.equal(LINK);
    expect(view(el)!.querySelector('label[for="handoff-link"]')!.textContent).to.equal('Link');
    expect(liveText(el)).to.equal('Waiting for your phone…');
    expect(view(el)!.textContent).to.match(/The code is valid for (10:00|9:5\d)/);
    expect(el.state).to.equal('active');
    await expect(el).to.be.accessible();

    const { detail } = await finished;
    expect(detail).to.deep.equal({
      sessionId: SESSION_ID,
      technologies: ['LDHP', 'F2F'],
      via: 'handoff',
      outcome: 'passed',
      status: 'FINISHED',
      result: { flow_session_result: true },
    });
    expect(el.state).to.equal('finished');
    expect(view(el) === null).to.equal(true);
    expect(events.filter((event) => event.type === 'flow-error')).to.have.length(0);
    expect(events.filter((event) => event.type === 'flow-loaded')).to.have.length(1);
  });

  it('gives the same verdict logic: FAILED is outcome failed', async () => {
    camera(false);
    stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('FAILED')] });
    const el = await element();
    const finished = oneEvent(el, 'finished');
    void el.start();
    const { detail } = await finished;
    expect(detail.via).to.equal('handoff');
    expect(detail.outcome).to.equal('failed');
  });

  it('shows the texts in the element locale', async () => {
    camera(false);
    stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const el = await element({ locale: 'kk' });
    void el.start();
    await waitForCode(el);
    expect(view(el)!.querySelector('h2')!.textContent).to.equal('Телефонда жалғастырыңыз');
    expect(liveText(el)).to.equal('Телефонда аяқталуын күтудеміз…');
    el.cancel();
  });

  it('counts down to expiry, then offers a new code that replaces the link', async () => {
    camera(false);
    const routes = stubRoutes({
      '/api/session': [session()],
      '/api/handoff': [link('111111', LINK, 1500), link('222222', `${LINK}B`)],
      '/api/status': [status('PENDING')],
    });
    const el = await element();
    void el.start();
    await waitForCode(el);
    await waitUntil(() => liveText(el) === 'The code has expired.', 'the code expires', { timeout: 5000 });
    expect(view(el)!.querySelector('svg') === null).to.equal(true); // an expired QR code is not shown
    expect(view(el)!.querySelector('[data-handoff-code]') === null).to.equal(true);
    await expect(el).to.be.accessible();
    view(el)!.querySelector<HTMLButtonElement>('[data-handoff-new]')!.click();
    await waitUntil(() => view(el)?.querySelector('[data-handoff-code]')?.textContent === '222222', 'the new code', { timeout: 5000 });
    expect(routes['/api/handoff']).to.have.length(2);
    expect(view(el)!.querySelector<HTMLInputElement>('#handoff-link')!.value).to.equal(`${LINK}B`);
    expect(liveText(el)).to.equal('Waiting for your phone…');
    el.cancel();
  });

  it('says to go on on the phone once the phone opened the link: no QR code, code, countdown or "New code" then', async function () {
    // It waits up to 10 s for the element's own poll schedule (real time): more than the default test time.
    this.timeout(20_000);
    camera(false);
    let asked = 0;
    const routes = stubRoutes({
      '/api/session': [session()],
      '/api/handoff': [(request) => (request.init.method === 'POST' ? link() : json({ opened: ++asked >= 2 }))],
      '/api/status': [status('PENDING')],
    });
    const el = await element();
    void el.start();
    await waitForCode(el);
    await waitUntil(() => liveText(el) === 'The link is open on your phone. Go on there.', 'opened', { timeout: 10_000 });
    const gets = routes['/api/handoff']!.filter((request) => request.init.method !== 'POST');
    expect(gets).to.have.length(2);
    expect(new URL(gets[0]!.url, location.href).searchParams.get('session_id')).to.equal(SESSION_ID);
    expect(gets[0]!.headers.get('Biometric-Status-Token')).to.equal(TOKEN);
    const shown = view(el)!;
    expect(shown.querySelector('h2')!.textContent).to.equal('Continue on your phone');
    for (const gone of ['svg', '[data-handoff-code]', '[data-handoff-new]', 'input']) expect(shown.querySelector(gone), gone).to.equal(null);
    expect(shown.textContent).to.not.match(/valid for/);
    await expect(el).to.be.accessible();
    el.cancel();
  });

  it('says "Link copied" for a moment, then again what it waits for', async () => {
    camera(false);
    stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const writeText = sinon.stub().resolves();
    sinon.stub(navigator, 'clipboard').get(() => ({ writeText }));
    const el = await element();
    void el.start();
    await waitForCode(el);
    view(el)!.querySelector<HTMLButtonElement>('.row button')!.click();
    await waitUntil(() => liveText(el) === 'Link copied', 'copied');
    expect(writeText.calledOnceWith(LINK)).to.equal(true);
    await waitUntil(() => liveText(el) === 'Waiting for your phone…', 'back to waiting', { timeout: 5000 });
    el.cancel();
  });

  it('reports a failed handoff request once, says so, and tries again on "New code"', async () => {
    camera(false);
    stubRoutes({
      '/api/session': [session()],
      '/api/handoff': [json({ error: { code: 'status-token-invalid', message: 'no' } }, 401), link('333333')],
      '/api/status': [status('PENDING')],
    });
    const el = await element();
    const errors = record(el, 'flow-error');
    void el.start();
    await waitUntil(() => liveText(el) === 'Could not get a code.', 'the failure is said', { timeout: 5000 });
    expect(errors).to.have.length(1);
    expect(errors[0]!.detail.code).to.equal('handoff-request-failed');
    expect(errors[0]!.detail.status).to.equal(401);
    expect(el.state).to.equal('active');
    await expect(el).to.be.accessible();
    view(el)!.querySelector<HTMLButtonElement>('[data-handoff-new]')!.click();
    await waitUntil(() => view(el)?.querySelector('[data-handoff-code]')?.textContent === '333333', 'the code after a retry', { timeout: 5000 });
    el.cancel();
    expect(el.state).to.equal('cancelled');
    expect(view(el) === null).to.equal(true);
  });

  it('shows the view in the dialog in modal mode, with its close button', async () => {
    camera(false);
    stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const el = await element();
    el.mode = 'modal';
    const cancelled = oneEvent(el, 'cancelled');
    void el.start();
    await waitForCode(el);
    expect(root(el).querySelector('dialog .handoff') !== null).to.equal(true);
    root(el).querySelector<HTMLButtonElement>('[part~="close-button"]')!.click();
    expect((await cancelled).detail.reason).to.equal('close-button');
  });

  it('leaves a device with a camera to the flow', async () => {
    camera(true);
    const routes = stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const el = await element();
    const loaded = oneEvent(el, 'flow-loaded');
    void el.start();
    await loaded;
    expect(frameOf(el)!.tagName).to.equal('IFRAME');
    expect(routes['/api/handoff']).to.have.length(0);
    el.cancel();
  });

  it('never hands off with handoff="off"', async () => {
    camera(false);
    const routes = stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const el = await element({ handoff: 'off' });
    const loaded = oneEvent(el, 'flow-loaded');
    void el.start();
    await loaded;
    expect(frameOf(el)!.tagName).to.equal('IFRAME');
    expect(routes['/api/handoff']).to.have.length(0);
    el.cancel();
  });

  it('is a clear configuration error without status-endpoint: said once in the console, a flow-error at a start, and no session spent', async () => {
    camera(true);
    const routes = stubRoutes({ '/api/session': [session()] });
    const consoleError = sinon.stub(console, 'error');
    const el = await element({ status: false });
    const said = () => consoleError.getCalls().filter((call) => String(call.args[0]).includes('handoff-endpoint but no status-endpoint'));
    // Before any start: as soon as the element has both attributes looked at.
    await waitUntil(() => said().length === 1, 'the console says it', { timeout: 5000 });
    expect(String(said()[0]!.args[0])).to.contain('#continue-on-a-phone');
    const error = oneEvent(el, 'flow-error');
    void el.start();
    const { detail } = await error;
    expect(detail.code).to.equal('missing-endpoint');
    expect(detail.message).to.contain('status-endpoint');
    expect(el.state).to.equal('error');
    expect(routes['/api/session']).to.have.length(0);
    await el.updateComplete;
    expect(said()).to.have.length(1); // once per element and cause
  });

  it('decides at once in popup mode once its chunk is there: a popup start that hands off opens no window', async () => {
    camera(true);
    stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const open = sinon.spy(window, 'open');
    const el = await element({ handoff: 'offer' });
    el.mode = 'popup';
    // The offer's button is there once the decision chunk is: its click is decided within the click.
    await waitUntil(() => root(el).querySelector('[part~="handoff-offer"]') !== null, 'the offer is shown', { timeout: 5000 });
    root(el).querySelector<HTMLButtonElement>('[part~="handoff-offer"]')!.click();
    await waitForCode(el);
    expect(open.callCount).to.equal(0);
    expect(root(el).querySelector('dialog .handoff') !== null).to.equal(true);
    el.cancel();
  });

  it('in popup mode before the decision is known, opens the window inside the click and closes it when the handoff takes the start', async () => {
    camera(false);
    stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const windows: Window[] = [];
    const realOpen = window.open.bind(window);
    sinon.stub(window, 'open').callsFake((...args: Parameters<typeof window.open>) => {
      const opened = realOpen(...args);
      if (opened) windows.push(opened);
      return opened;
    });
    const el = await element();
    el.mode = 'popup';
    void el.start(); // in the same task as the attributes: the decision chunk is not there yet
    expect(windows).to.have.length(1);
    await waitForCode(el);
    expect(windows[0]!.closed).to.equal(true);
    expect(root(el).querySelector('dialog .handoff') !== null).to.equal(true);
    el.cancel();
  });
});

describe('handoff="offer"', () => {
  const offerButton = (el: BiometricFlowElement) =>
    [...root(el).querySelectorAll<HTMLButtonElement>('button')].find((button) => button.textContent?.trim() === 'Continue on my phone');

  it('puts "Continue on my phone" beside the start button; it hands off even with a camera', async () => {
    camera(true);
    const routes = stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const el = await element({ handoff: 'offer' });
    await waitUntil(() => offerButton(el) !== undefined, 'the offer is shown', { timeout: 5000 });
    expect(root(el).querySelector('[part~="trigger"]')!.textContent!.trim()).to.equal('Verify your identity');
    await expect(el).to.be.accessible();
    offerButton(el)!.click();
    await waitForCode(el);
    expect(routes['/api/handoff']).to.have.length(1);
    el.cancel();
  });

  it('leaves the normal start to the flow on this device', async () => {
    camera(false);
    const routes = stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const el = await element({ handoff: 'offer' });
    await waitUntil(() => offerButton(el) !== undefined, 'the offer is shown', { timeout: 5000 });
    const loaded = oneEvent(el, 'flow-loaded');
    root(el).querySelector<HTMLButtonElement>('button[part="trigger"]')!.click();
    await loaded;
    expect(frameOf(el)!.tagName).to.equal('IFRAME');
    expect(routes['/api/handoff']).to.have.length(0);
    el.cancel();
  });

  it('takes the offer away when the attribute goes, and follows the locale', async () => {
    camera(true);
    const el = await element({ handoff: 'offer', locale: 'ru' });
    const texts = () => [...root(el).querySelectorAll('button')].map((button) => button.textContent!.trim());
    await waitUntil(() => texts().includes('Продолжить на телефоне'), 'the Russian offer', { timeout: 5000 });
    el.setAttribute('handoff', 'off');
    await waitUntil(() => !texts().includes('Продолжить на телефоне'), 'the offer goes', { timeout: 5000 });
  });
});

describe('handoff: in-app browsers', () => {
  function inApp(): void {
    userAgent = { value: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 290.0.0.13.76' };
    Object.defineProperty(navigator, 'userAgent', { ...userAgent, configurable: true });
  }

  it('hands off from an in-app browser even with a camera', async () => {
    inApp();
    camera(true);
    const routes = stubRoutes({ '/api/session': [session()], '/api/handoff': [link()], '/api/status': [status('PENDING')] });
    const el = await element();
    void el.start();
    await waitForCode(el);
    expect(routes['/api/handoff']).to.have.length(1);
    el.cancel();
  });

  it('without handoff-endpoint, offers the page link to open in the browser instead of the camera step', async () => {
    inApp();
    camera(true);
    const routes = stubRoutes({ '/api/session': [session()], '/api/status': [status('PENDING')] });
    const el = await element({ endpoint: false });
    void el.start();
    await waitUntil(() => !!view(el)?.querySelector('#handoff-page-link'), 'the open-in-browser view', { timeout: 5000 });
    expect([...root(el).querySelectorAll('iframe')].map((f) => f.outerHTML).join()).to.equal('');
    expect(view(el)!.querySelector('h2')!.textContent).to.equal('Open in your browser');
    expect(view(el)!.querySelector<HTMLInputElement>('#handoff-page-link')!.value).to.equal(location.href);
    await expect(el).to.be.accessible();
    // Decided before the session request: a start that goes to another browser spends no session.
    expect(routes['/api/session']).to.have.length(0);
    expect(el.state).to.equal('active');
    el.cancel();
  });
});

describe('handoff helpers', () => {
  it('cameraUnavailable: no videoinput, or a denied camera permission', async () => {
    camera(false);
    expect(await cameraUnavailable()).to.equal(true);
    sinon.restore();
    camera(true);
    expect(await cameraUnavailable()).to.equal(false);
    sinon.restore();
    sinon.stub(navigator.mediaDevices, 'enumerateDevices').resolves([{ kind: 'videoinput' }] as MediaDeviceInfo[]);
    if (navigator.permissions) {
      sinon.stub(navigator.permissions, 'query').resolves({ state: 'denied' } as PermissionStatus);
      expect(await cameraUnavailable()).to.equal(true);
    }
  });

  it('parseHandoffAnswer takes only { url (http/https), code, expires_at (a date) }', () => {
    const good = { url: LINK, code: '123456', expires_at: '2030-01-01T00:00:00Z' };
    expect(parseHandoffAnswer(good)).to.deep.equal(good);
    expect(String(parseHandoffAnswer({ ...good, url: 'javascript:alert(1)' }))).to.equal('undefined');
    expect(String(parseHandoffAnswer({ ...good, code: '' }))).to.equal('undefined');
    expect(String(parseHandoffAnswer({ ...good, expires_at: 'soon' }))).to.equal('undefined');
    expect(String(parseHandoffAnswer(null))).to.equal('undefined');
  });

  it('qrPath gives a square QR code with the finder pattern in its corner; clock gives m:ss', () => {
    const { size, path } = qrPath(LINK);
    expect(size).to.be.greaterThan(20);
    expect(path.startsWith('M0 0h1v1h-1z')).to.equal(true);
    expect(clock(600_000)).to.equal('10:00');
    expect(clock(61_001)).to.equal('1:02');
    expect(clock(-5)).to.equal('0:00');
  });
});
