// Configuration mistakes told in the console (issue 12, item 4): one console.error per cause and element,
// naming the element, what is wrong, the fix and the README's section; nothing for what the person does.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement } from '../src/index.js';
import { explain } from '../src/diagnostics/explain.js';
import { FlowError } from '../src/errors.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { SESSION_ID, command, json, never, sessionAnswer, startAndLoad, stubEndpoint, stubRoutes } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;
const README = 'https://www.npmjs.com/package/biometric-flow#';

let consoleError: sinon.SinonStub;

beforeEach(() => {
  consoleError = sinon.stub(console, 'error');
});

afterEach(() => sinon.restore());

/** The first arguments of the console.error calls so far, as strings. */
function logged(): string[] {
  return consoleError.getCalls().map((call) => String(call.args[0]));
}

/** Whether every call so far passed `el` itself along, for the developer to inspect. */
function allNamed(el: Element): boolean {
  return consoleError.getCalls().every((call) => call.args[1] === el);
}

/**
 * Waits until everything the element may still log has been logged: its deferred module loaded, then a
 * task, after which the promise callbacks chained on it (and on the error report) have run.
 */
async function settled(el: BiometricFlowElement): Promise<void> {
  await el.updateComplete;
  await new Promise((resolve) => setTimeout(resolve, 0));
  await el.updateComplete;
}

/** Starts the element and waits for its flow-error; returns its code. */
async function failedStart(el: BiometricFlowElement): Promise<string> {
  const failed = oneEvent(el, 'flow-error');
  void el.start();
  const { code } = (await failed).detail;
  await settled(el);
  return code;
}

/** Starts twice (a reset between) and expects one log, of the given README anchor, naming `el`. */
async function expectOneLogForTwoStarts(el: BiometricFlowElement, code: string, anchor: string): Promise<string> {
  expect(await failedStart(el)).to.equal(code);
  await waitUntil(() => consoleError.callCount >= 1, 'the mistake is logged', { timeout: 5000 });
  el.reset();
  expect(await failedStart(el)).to.equal(code);
  const lines = logged();
  expect(lines.length, lines.join('\n---\n')).to.equal(1);
  const [line] = lines;
  expect(line!.startsWith(`<biometric-flow id="${el.id}">: `), line).to.equal(true);
  expect(line!.includes('\nFix: '), line).to.equal(true);
  expect(line!.endsWith(`\nSee ${README}${anchor}`), line).to.equal(true);
  expect(allNamed(el)).to.equal(true);
  return line!;
}

describe('biometric-flow: configuration mistakes in the console', function () {
  // Several starts each, waiting on events only: room for a loaded machine running every browser at once.
  this.timeout(30_000);
  it('missing-endpoint: once per element, for each element', async () => {
    const first = await fixture<BiometricFlowElement>(html`<biometric-flow id="one"></biometric-flow>`);
    await expectOneLogForTwoStarts(first, 'missing-endpoint', 'missing-endpoint');
    const second = await fixture<BiometricFlowElement>(html`<biometric-flow id="two"></biometric-flow>`);
    expect(await failedStart(second)).to.equal('missing-endpoint');
    await waitUntil(() => consoleError.callCount >= 2, 'the second element logs too', { timeout: 5000 });
    await settled(first);
    expect(logged().length).to.equal(2);
    expect(logged()[1]!.startsWith('<biometric-flow id="two">: ')).to.equal(true);
    expect(consoleError.secondCall.args[1] === second).to.equal(true);
  });

  it('missing-endpoint: logged even when the host replaces the error view with the error slot', async () => {
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow id="slotted"><p slot="error">Something went wrong.</p></biometric-flow>`,
    );
    await expectOneLogForTwoStarts(el, 'missing-endpoint', 'missing-endpoint');
  });

  it('api-key-exposed, without the key in the message', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow id="key" session-endpoint="/api/session" api-key="TTpme201NiUMBA-secret"></biometric-flow>`,
    );
    const line = await expectOneLogForTwoStarts(el, 'api-key-exposed', 'api-key-exposed');
    expect(line.includes('TTpme201NiUMBA')).to.equal(false);
    expect(endpoint.requests.length).to.equal(0);
  });

  // insecure-context is told in a real insecure context: test/e2e/cdn-plain.test.ts. Faking
  // window.isSecureContext here did not hold in WebKit once the page had run the element's checks often.

  it('camera-blocked-by-policy', async () => {
    stubEndpoint(sessionAnswer());
    const policy = { allowsFeature: (feature: string) => feature !== 'camera' };
    // Own properties of the document, over the prototype's (where there are any): deleting them restores those.
    Object.defineProperty(document, 'permissionsPolicy', { value: policy, configurable: true });
    Object.defineProperty(document, 'featurePolicy', { value: policy, configurable: true });
    try {
      const el = await fixture<BiometricFlowElement>(html`<biometric-flow id="policy" session-endpoint="/api/session"></biometric-flow>`);
      const line = await expectOneLogForTwoStarts(el, 'camera-blocked-by-policy', 'camera-blocked-by-policy');
      expect(line.includes('Permissions-Policy')).to.equal(true);
    } finally {
      delete (document as { permissionsPolicy?: unknown }).permissionsPolicy;
      delete (document as { featurePolicy?: unknown }).featurePolicy;
    }
  });

  it('flow-url-invalid: flow-base-url and finished-url are causes of their own', async () => {
    stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow id="urls" session-endpoint="/api/session" flow-base-url="http://flow.example"></biometric-flow>`,
    );
    const line = await expectOneLogForTwoStarts(el, 'flow-url-invalid', 'flow-url-invalid');
    expect(line.includes('flow-base-url')).to.equal(true);
    el.flowBaseUrl = flowOrigin;
    el.finishedUrl = 'http://shop.example/done';
    el.reset();
    expect(await failedStart(el)).to.equal('flow-url-invalid');
    await waitUntil(() => consoleError.callCount >= 2, 'finished-url is logged', { timeout: 5000 });
    el.reset();
    expect(await failedStart(el)).to.equal('flow-url-invalid');
    expect(logged().length).to.equal(2);
    expect(logged()[1]!.includes('finished-url')).to.equal(true);
  });

  for (const [name, answer, anchor] of [
    ['403 forbidden-origin', () => json({ error: { code: 'forbidden-origin', message: 'This origin may not use this endpoint' } }, 403), 'forbidden-origin'],
    ['500 configuration-error', () => json({ error: { code: 'configuration-error', message: 'not configured' } }, 500), 'configuration-error'],
    ['502 subscription-inactive', () => json({ error: { code: 'subscription-inactive', message: 'inactive' } }, 502), 'subscription-inactive'],
    ['404 without a body', () => new Response('Not Found', { status: 404 }), 'endpoint-not-found'],
    ['405 method-not-allowed', () => json({ error: { code: 'method-not-allowed', message: 'Use POST' } }, 405), 'endpoint-not-found'],
  ] as const) {
    it(`a session endpoint answering ${name}`, async () => {
      stubEndpoint(answer);
      const el = await fixture<BiometricFlowElement>(html`<biometric-flow id="http" session-endpoint="/api/session"></biometric-flow>`);
      const line = await expectOneLogForTwoStarts(el, 'session-http-error', anchor);
      expect(line.includes('session-endpoint (/api/session) answered HTTP')).to.equal(true);
      if (anchor === 'forbidden-origin') expect(line.includes(location.origin)).to.equal(true);
    });
  }

  it('session-invalid-response: an HTML page where the session should be', async () => {
    stubEndpoint(() => new Response('<!doctype html><title>App</title>', { status: 200, headers: { 'content-type': 'text/html' } }));
    const el = await fixture<BiometricFlowElement>(html`<biometric-flow id="html" session-endpoint="/api/session"></biometric-flow>`);
    await expectOneLogForTwoStarts(el, 'session-invalid-response', 'session-invalid-response');
  });

  it('an endpoint URL the browser cannot fetch', async () => {
    // No stub: the real fetch refuses these before any request.
    const el = await fixture<BiometricFlowElement>(html`<biometric-flow id="bad-url" session-endpoint="http://[oops/api"></biometric-flow>`);
    const line = await expectOneLogForTwoStarts(el, 'session-request-failed', 'endpoint-url-invalid');
    expect(line.includes('is not a URL')).to.equal(true);
    const other = await fixture<BiometricFlowElement>(html`<biometric-flow id="ftp" session-endpoint="ftp://files.example/session"></biometric-flow>`);
    expect(await failedStart(other)).to.equal('session-request-failed');
    await waitUntil(() => consoleError.callCount >= 2, 'the second element logs', { timeout: 5000 });
    expect(logged()[1]!.includes('uses ftp:')).to.equal(true);
  });

  it('a status endpoint answering 403 forbidden-origin, once for many polls', async () => {
    stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [json({ error: { code: 'forbidden-origin', message: 'no' } }, 403)],
    });
    const el = await fixture<BiometricFlowElement>(html`<biometric-flow
      id="status"
      session-endpoint="/api/session"
      status-endpoint="/api/status"
      flow-base-url=${flowOrigin}
    ></biometric-flow>`);
    const failed = oneEvent(el, 'flow-error');
    await startAndLoad(el);
    expect((await failed).detail.serverCode).to.equal('forbidden-origin');
    await waitUntil(() => consoleError.callCount >= 1, 'the mistake is logged', { timeout: 5000 });
    // A second start reports the status error again (once per start); the console heard of it already.
    el.reset();
    const again = oneEvent(el, 'flow-error');
    await startAndLoad(el);
    await again;
    await settled(el);
    expect(logged().length).to.equal(1);
    expect(logged()[0]!.includes('status-endpoint (/api/status) answered HTTP 403 forbidden-origin')).to.equal(true);
    expect(logged()[0]!.endsWith(`${README}forbidden-origin`)).to.equal(true);
  });

  it('status-token-invalid for a session-id without its status-token, not for a token that was refused', async () => {
    stubRoutes({
      '/api/session': [json({ session_id: SESSION_ID, technologies: ['LD'], status_token: 'v1.1893456000.Zm9vYmFyLXRva2VuLXNpZ25hdHVyZQ' })],
      '/api/status': [json({ error: { code: 'status-token-invalid', message: 'no' } }, 401)],
    });
    const withToken = await fixture<BiometricFlowElement>(html`<biometric-flow
      id="with-token"
      session-endpoint="/api/session"
      status-endpoint="/api/status"
      flow-base-url=${flowOrigin}
    ></biometric-flow>`);
    const refused = oneEvent(withToken, 'flow-error');
    await startAndLoad(withToken);
    expect((await refused).detail.serverCode).to.equal('status-token-invalid');
    await settled(withToken);
    expect(logged().length).to.equal(0);

    const withoutToken = await fixture<BiometricFlowElement>(html`<biometric-flow
      id="no-token"
      session-id=${SESSION_ID}
      status-endpoint="/api/status"
      flow-base-url=${flowOrigin}
    ></biometric-flow>`);
    const failed = oneEvent(withoutToken, 'flow-error');
    await startAndLoad(withoutToken);
    expect((await failed).detail.serverCode).to.equal('status-token-invalid');
    await waitUntil(() => consoleError.callCount >= 1, 'the mistake is logged', { timeout: 5000 });
    await settled(withoutToken);
    expect(logged().length).to.equal(1);
    expect(logged()[0]!.startsWith('<biometric-flow id="no-token">: ')).to.equal(true);
    expect(logged()[0]!.endsWith(`${README}status-token-invalid`)).to.equal(true);
  });
});

describe('biometric-flow: nothing in the console for what the person does', function () {
  this.timeout(30_000);
  /**
   * Ends with a configuration mistake on the same element, so that the element is shown to log at all:
   * that one log must then be the only one.
   */
  async function expectOnlyTheSentinel(el: BiometricFlowElement): Promise<void> {
    await settled(el);
    el.reset();
    el.removeAttribute('session-endpoint');
    el.removeAttribute('session-id');
    el.sessionEndpoint = undefined;
    el.sessionId = undefined;
    expect(await failedStart(el)).to.equal('missing-endpoint');
    await waitUntil(() => consoleError.callCount >= 1, 'the sentinel mistake is logged', { timeout: 5000 });
    const lines = logged();
    expect(lines.length, lines.join('\n---\n')).to.equal(1);
    expect(lines[0]!.endsWith(`${README}missing-endpoint`)).to.equal(true);
  }

  it('a cancel while the session is requested, and one while the flow shows', async () => {
    const endpoint = stubEndpoint(never, sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow id="cancel" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    void el.start();
    await waitUntil(() => endpoint.requests.length === 1, 'the session is requested', { timeout: 5000 });
    el.cancel();
    expect(el.state).to.equal('cancelled');
    await startAndLoad(el);
    const cancelled = oneEvent(el, 'cancelled');
    el.cancel();
    await cancelled;
    await expectOnlyTheSentinel(el);
  });

  it('a popup the person closes', async () => {
    stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow id="popup" mode="popup" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    const open = sinon.spy(window, 'open');
    const loaded = oneEvent(el, 'flow-loaded');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="trigger"]')!.click();
    await loaded;
    const popup = open.firstCall.returnValue!;
    const cancelled = oneEvent(el, 'cancelled');
    popup.close();
    expect((await cancelled).detail.reason).to.equal('popup-closed');
    await expectOnlyTheSentinel(el);
  });

  it('a verification that did not pass', async () => {
    stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [json({ session_id: SESSION_ID, status: 'FAILED', result: { failure_reasons: [{ code: 'vendor-error' }] } })],
    });
    const el = await fixture<BiometricFlowElement>(html`<biometric-flow
      id="failed"
      session-endpoint="/api/session"
      status-endpoint="/api/status"
      flow-base-url=${flowOrigin}
    ></biometric-flow>`);
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'post', data: 'finished' });
    expect((await finished).detail.outcome).to.equal('failed');
    await expectOnlyTheSentinel(el);
  });

  it('a lost connection, a refusal by the host, a busy server', async () => {
    stubEndpoint(
      () => Promise.reject(new TypeError('Failed to fetch')),
      json({ error: { code: 'forbidden', message: 'You may not start a verification' } }, 403),
      json({ error: { code: 'rate-limited', message: 'later' } }, 429),
      new Response('Bad Gateway', { status: 502 }),
    );
    const el = await fixture<BiometricFlowElement>(html`<biometric-flow id="network" session-endpoint="/api/session"></biometric-flow>`);
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      el.reset();
      codes.push(await failedStart(el));
    }
    expect(codes).to.deep.equal(['session-request-failed', 'session-http-error', 'session-http-error', 'session-http-error']);
    await expectOnlyTheSentinel(el);
  });
});

describe('biometric-flow: the console help is keyed by code and attribute, never by the words of a message', () => {
  it('tells the same help for a reworded message', () => {
    // Not connected: the element's own handoff check (which tells the same cause) does not run.
    const el = document.createElement('biometric-flow') as BiometricFlowElement;
    el.id = 'reworded';
    el.handoffEndpoint = '/api/handoff';
    explain(el, new FlowError('missing-endpoint', 'Worded in some new way'));
    el.finishedUrl = 'ftp://example.com/done';
    explain(el, new FlowError('flow-url-invalid', 'Another wording'));
    explain(el, new FlowError('flow-url-invalid', 'Once more, otherwise worded'));
    el.flowBaseUrl = 'http://example.com/';
    explain(el, new FlowError('flow-url-invalid', 'A third wording'));
    const lines = logged();
    expect(lines.map((line) => line.slice(line.lastIndexOf('#')))).to.deep.equal(['#continue-on-a-phone', '#flow-url-invalid', '#flow-url-invalid']);
    expect(lines[0]).to.include('no status-endpoint');
    // finished-url and flow-base-url are causes of their own: told once each, whatever the words.
    expect(lines[1]).to.include('Another wording.');
    expect(lines[2]).to.include('A third wording.');
  });
});
