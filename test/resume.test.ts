// `resume`: the session kept in sessionStorage. A reload is a new element on the same page path with the
// same session endpoint; test/e2e/resume.test.ts does it across a real page reload.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement, FlowErrorDetail } from '../src/index.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { OTHER_SESSION_ID, SESSION_ID, frameOf, json, record, sessionAnswer, stubRoutes } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;
const PREFIX = 'biometric-flow:resume ';

/** The keys `resume` keeps sessions under, in this tab. */
function keptKeys(): string[] {
  return Object.keys(sessionStorage).filter((key) => key.startsWith(PREFIX));
}

function keptEntry(endpoint = '/api/session'): { session_id: string; status_token?: string; expires: number } | undefined {
  const text = sessionStorage.getItem(`${PREFIX}${new URL(endpoint, document.baseURI).href} ${location.pathname}`);
  return text ? JSON.parse(text) : undefined;
}

function answer(id = SESSION_ID, expiresAt?: string): Response {
  const body: Record<string, unknown> = { session_id: id, technologies: ['LDHP', 'ED'], status_token: 'v1.123.token' };
  if (expiresAt !== undefined) body.expires_at = expiresAt;
  return json(body);
}

function element(options: { resume?: boolean; endpoint?: string; mode?: string; autostart?: boolean } = {}): Promise<BiometricFlowElement> {
  return fixture<BiometricFlowElement>(html`<biometric-flow
    ?resume=${options.resume ?? true}
    ?autostart=${options.autostart ?? false}
    mode=${options.mode ?? 'inline'}
    locale="en"
    session-endpoint=${options.endpoint ?? '/api/session'}
    flow-base-url=${flowOrigin}
  ></biometric-flow>`);
}

/** Starts `el` and waits until its flow loaded. */
async function startToLoaded(el: BiometricFlowElement): Promise<void> {
  const loaded = oneEvent(el, 'flow-loaded');
  void el.start();
  await loaded;
}

describe('biometric-flow resume', () => {
  beforeEach(() => keptKeys().forEach((key) => sessionStorage.removeItem(key)));
  afterEach(() => {
    sinon.restore();
    keptKeys().forEach((key) => sessionStorage.removeItem(key));
  });

  it('keeps the session, its token and its expires_at while the flow shows', async () => {
    const expiresAt = new Date(Date.now() + 20 * 60_000).toISOString();
    stubRoutes({ '/api/session': [answer(SESSION_ID, expiresAt)] });
    const el = await element();
    await startToLoaded(el);
    const kept = keptEntry()!;
    expect(kept.session_id).to.equal(SESSION_ID);
    expect(kept.status_token).to.equal('v1.123.token');
    expect(kept.expires).to.equal(Date.parse(expiresAt));
    expect(keptKeys()).to.have.length(1);
  });

  it('shows the kept session again in a new element on the same page, at once and with no session request', async () => {
    const routes = stubRoutes({ '/api/session': [answer(SESSION_ID), answer(OTHER_SESSION_ID)] });
    const first = await element();
    await startToLoaded(first);
    first.remove(); // what a reload does to the element: it keeps its session
    expect(keptEntry()?.session_id).to.equal(SESSION_ID);

    const created = new Promise<CustomEvent>((resolve) => document.addEventListener('session-created', (e) => resolve(e as CustomEvent), { once: true }));
    const second = await element();
    const { detail } = await created;
    expect(detail).to.deep.equal({ sessionId: SESSION_ID, technologies: ['LDHP', 'ED'], resumed: true });
    await waitUntil(() => second.state === 'active', 'the resumed flow loads');
    expect(routes['/api/session']).to.have.length(1);
    expect(frameOf(second)!.src).to.equal(`${flowOrigin}/flow/${SESSION_ID}?web_view=true&locale=en`);
    expect(second.session?.statusToken).to.equal('v1.123.token');
  });

  it('shows the kept session again when resume is set after the element was connected', async () => {
    const routes = stubRoutes({ '/api/session': [answer(SESSION_ID)] });
    const first = await element();
    await startToLoaded(first);
    first.remove();
    const late = await element({ resume: false });
    expect(late.state).to.equal('idle');
    const created = oneEvent(late, 'session-created');
    late.resume = true; // as a framework or a page that reads its settings first does
    expect((await created).detail).to.deep.equal({ sessionId: SESSION_ID, technologies: ['LDHP', 'ED'], resumed: true });
    expect(routes['/api/session']).to.have.length(1);
  });

  it('without a start button click in popup mode: the kept session waits for the click', async () => {
    stubRoutes({ '/api/session': [answer(SESSION_ID)] });
    const first = await element();
    await startToLoaded(first);
    first.remove();
    const popup = await element({ mode: 'popup' });
    await popup.updateComplete;
    expect(popup.state).to.equal('idle');
    expect(keptEntry()?.session_id).to.equal(SESSION_ID);
  });

  it('an expired session: flow-error session-expired, its entry gone, and the next start is a new session', async () => {
    sessionStorage.setItem(
      `${PREFIX}${new URL('/api/session', document.baseURI).href} ${location.pathname}`,
      JSON.stringify({ session_id: SESSION_ID, technologies: ['LDHP'], expires: Date.now() - 1000 }),
    );
    const routes = stubRoutes({ '/api/session': [answer(OTHER_SESSION_ID)] });
    const failed = new Promise<CustomEvent<FlowErrorDetail>>((resolve) =>
      document.addEventListener('flow-error', (e) => resolve(e as CustomEvent<FlowErrorDetail>), { once: true }),
    );
    const el = await element();
    const { detail } = await failed;
    expect(detail).to.include({ code: 'session-expired', retryable: true });
    expect(el.state).to.equal('error');
    expect(keptEntry()).to.equal(undefined);
    expect(routes['/api/session']).to.have.length(0);
    await el.updateComplete;
    const text = el.shadowRoot!.querySelector('[role="alert"]')!.textContent!.trim();
    expect(text).to.equal('The verification you started has expired. Start again.');

    const retry = el.shadowRoot!.querySelector<HTMLButtonElement>('button[part~="trigger"]')!;
    expect(retry.textContent!.trim()).to.equal('Try again');
    const created = oneEvent(el, 'session-created');
    retry.click();
    expect((await created).detail).to.deep.equal({ sessionId: OTHER_SESSION_ID, technologies: ['LDHP', 'ED'] });
    expect(routes['/api/session']).to.have.length(1);
    expect(keptEntry()?.session_id).to.equal(OTHER_SESSION_ID);
  });

  it('says session-expired in every locale', async () => {
    const texts: string[] = [];
    for (const locale of ['ru', 'kk', 'en']) {
      sessionStorage.setItem(
        `${PREFIX}${new URL('/api/session', document.baseURI).href} ${location.pathname}`,
        JSON.stringify({ session_id: SESSION_ID, technologies: ['LDHP'], expires: 0 }),
      );
      const el = await fixture<BiometricFlowElement>(html`<biometric-flow resume locale=${locale} session-endpoint="/api/session"></biometric-flow>`);
      await waitUntil(() => el.state === 'error');
      await el.updateComplete;
      texts.push(el.shadowRoot!.querySelector('[role="alert"]')!.textContent!.trim());
      el.remove();
    }
    expect(texts).to.deep.equal([
      'Время начатой проверки истекло. Начните заново.',
      'Басталған тексерудің уақыты өтіп кетті. Қайтадан бастаңыз.',
      'The verification you started has expired. Start again.',
    ]);
  });

  it('takes 30 minutes for a session answer without expires_at', async () => {
    stubRoutes({ '/api/session': [answer(SESSION_ID)] });
    const el = await element();
    const before = Date.now();
    await startToLoaded(el);
    const expires = keptEntry()!.expires;
    expect(expires >= before + 30 * 60_000 && expires <= Date.now() + 30 * 60_000, String(expires - before)).to.equal(true);
  });

  for (const [ending, end] of [
    ['cancel()', (el: BiometricFlowElement) => el.cancel()],
    ['reset()', (el: BiometricFlowElement) => el.reset()],
    ['a finish message', (el: BiometricFlowElement) => frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: { event: 'flow.end', session_id: SESSION_ID } }, '*')],
  ] as const) {
    it(`forgets the session on ${ending}`, async () => {
      stubRoutes({ '/api/session': [answer(SESSION_ID)] });
      const el = await element();
      await startToLoaded(el);
      expect(keptEntry()?.session_id).to.equal(SESSION_ID);
      end(el);
      await waitUntil(() => keptEntry() === undefined, 'the entry is removed');
      expect(['cancelled', 'idle', 'finished']).to.include(el.state);
    });
  }

  it('keeps two elements with two endpoints apart', async () => {
    stubRoutes({ '/api/session': [answer(SESSION_ID)], '/api/other-session': [answer(OTHER_SESSION_ID)] });
    const one = await element();
    const two = await element({ endpoint: '/api/other-session' });
    await Promise.all([startToLoaded(one), startToLoaded(two)]);
    expect(keptEntry('/api/session')?.session_id).to.equal(SESSION_ID);
    expect(keptEntry('/api/other-session')?.session_id).to.equal(OTHER_SESSION_ID);
    one.cancel();
    expect(keptEntry('/api/session')).to.equal(undefined);
    expect(keptEntry('/api/other-session')?.session_id).to.equal(OTHER_SESSION_ID);
  });

  it('keeps nothing without resume, or for a session-id the page gives', async () => {
    stubRoutes({ '/api/session': [sessionAnswer()] });
    const el = await element({ resume: false });
    await startToLoaded(el);
    const given = await fixture<BiometricFlowElement>(
      html`<biometric-flow resume session-id=${OTHER_SESSION_ID} flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    const events = record(given, 'flow-error');
    await startToLoaded(given);
    expect(keptKeys()).to.deep.equal([]);
    expect(events).to.have.length(0);
  });
});
