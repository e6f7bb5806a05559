import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement, FinishedDetail, FlowErrorDetail } from '../src/index.js';
// Served by the test runner's flow-origin plugin: a second loopback origin with a steerable flow page.
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import {
  SESSION_ID,
  OTHER_SESSION_ID,
  command,
  frameOf,
  json,
  never,
  record,
  sessionAnswer,
  startAndLoad,
  stubEndpoint,
  testFlowFrame,
} from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;

async function element(): Promise<BiometricFlowElement> {
  return fixture<BiometricFlowElement>(
    html`<biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
  );
}

/** Resolves with the first flow-message whose data has the given `event`. */
function flowMessage(el: BiometricFlowElement, name: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const listener = (event: Event) => {
      const data = (event as CustomEvent).detail.data;
      if (data && typeof data === 'object' && data.event === name) {
        el.removeEventListener('flow-message', listener);
        resolve(data);
      }
    };
    el.addEventListener('flow-message', listener);
  });
}

afterEach(() => sinon.restore());

describe('biometric-flow: the session request', () => {
  it('POSTs JSON { locale, context } to the session endpoint with requestInit merged in', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await element();
    el.locale = 'kk';
    el.context = { orderId: 42 };
    el.requestInit = { headers: { 'x-csrf-token': 'abc' }, credentials: 'include' };
    await el.start();

    expect(endpoint.requests).to.have.length(1);
    const [request] = endpoint.requests;
    expect(request!.url).to.equal('/api/session');
    expect(request!.init.method).to.equal('POST');
    expect(request!.body).to.deep.equal({ locale: 'kk', context: { orderId: 42 } });
    expect(request!.headers.get('content-type')).to.equal('application/json');
    expect(request!.headers.get('x-csrf-token')).to.equal('abc');
    expect(request!.init.credentials).to.equal('include');
  });

  it('takes the locale from the nearest lang when none is set', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const wrapper = await fixture<HTMLElement>(
      html`<div lang="en-GB"><biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow></div>`,
    );
    const el = wrapper.querySelector('biometric-flow')!;
    await el.start();
    expect((endpoint.requests[0]!.body as { locale: string }).locale).to.equal('en');
    expect(new URL(frameOf(el)!.src).searchParams.get('locale')).to.equal('en');
  });

  it('fires session-created with the session and resolves start() with it', async () => {
    stubEndpoint(sessionAnswer(SESSION_ID, ['LDHP', 'F2F']));
    const el = await element();
    const created = oneEvent(el, 'session-created');
    const session = await el.start();
    const event = await created;
    expect(event.detail).to.deep.equal({ sessionId: SESSION_ID, technologies: ['LDHP', 'F2F'] });
    expect(session).to.deep.equal({ id: SESSION_ID, technologies: ['LDHP', 'F2F'] });
    expect(el.session).to.deep.equal(session);
  });

  it('makes one request for two start() calls while the first is under way', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await element();
    const first = el.start();
    const second = el.start();
    expect(second).to.equal(first);
    await first;
    expect(endpoint.requests).to.have.length(1);
  });

  it('aborts the request when the element is removed mid-request, and shows no frame', async () => {
    const endpoint = stubEndpoint(never);
    const el = await element();
    const started = el.start();
    await waitUntil(() => endpoint.requests.length === 1);
    const signal = endpoint.requests[0]!.init.signal!;
    el.remove();
    expect(signal.aborted).to.equal(true);
    expect(await started).to.equal(undefined);
    expect(frameOf(el) === null, 'no frame is rendered').to.equal(true);
    expect(el.state).to.equal('idle');
  });

  it('makes a new session on start() after reset()', async () => {
    const endpoint = stubEndpoint(sessionAnswer(SESSION_ID), sessionAnswer(OTHER_SESSION_ID));
    const el = await element();
    await el.start();
    el.reset();
    expect(el.state).to.equal('idle');
    const second = await el.start();
    expect(endpoint.requests).to.have.length(2);
    expect(second?.id).to.equal(OTHER_SESSION_ID);
  });

  it('uses session-id without any request', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-id=${SESSION_ID} flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    const created = oneEvent(el, 'session-created');
    await el.start();
    expect((await created).detail.sessionId).to.equal(SESSION_ID);
    expect(endpoint.requests).to.have.length(0);
    await el.updateComplete;
    expect(frameOf(el)!.src).to.contain(`/flow/${SESSION_ID}`);
  });
});

describe('biometric-flow: bad answers', () => {
  const cases: Array<[string, () => Response, Partial<FlowErrorDetail>]> = [
    [
      'HTTP 500 with an HTML body',
      () => new Response('<html><body>Internal error</body></html>', { status: 500, headers: { 'content-type': 'text/html' } }),
      { code: 'session-http-error', status: 500, retryable: true },
    ],
    ['HTTP 403', () => json({ error: 'forbidden' }, 403), { code: 'session-http-error', status: 403, retryable: false }],
    ['a body that is not JSON', () => new Response('session please', { status: 200 }), { code: 'session-invalid-response' }],
    [
      'JSON without session_id',
      () => json({ technologies: ['LD'] }),
      { code: 'session-invalid-response', message: 'Not a valid session (session_id)' },
    ],
    ['a JSON array', () => json([SESSION_ID, ['LD']]), { code: 'session-invalid-response', message: 'Not a valid session (session_id, technologies)' }],
    ['65 technologies', () => json({ session_id: SESSION_ID, technologies: Array(65).fill('LD') }), { code: 'session-invalid-response' }],
    ['session_id "../../evil"', () => json({ session_id: '../../evil', technologies: ['LD'] }), { code: 'session-invalid-response' }],
    ['technologies that are not an array', () => json({ session_id: SESSION_ID, technologies: 'LD' }), { code: 'session-invalid-response' }],
    ['lowercase technology codes', () => json({ session_id: SESSION_ID, technologies: ['ld'] }), { code: 'session-invalid-response' }],
  ];
  for (const [name, answer, expected] of cases) {
    it(`turns ${name} into flow-error ${expected.code} and shows no frame`, async () => {
      stubEndpoint(answer());
      const el = await element();
      const failed = oneEvent(el, 'flow-error');
      const result = await el.start();
      const { detail } = await failed;
      expect(detail).to.include(expected);
      expect(result).to.equal(undefined);
      expect(el.state).to.equal('error');
      await el.updateComplete;
      expect(frameOf(el) === null, 'no frame is rendered').to.equal(true);
      expect(el.shadowRoot!.querySelector('[role="alert"]')).to.exist;
    });
  }

  it('turns a request that never answers into session-timeout', async () => {
    stubEndpoint(never);
    const el = await element();
    el.timeout = 150;
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    const { detail } = await failed;
    expect(detail.code).to.equal('session-timeout');
    expect(detail.retryable).to.equal(true);
    await el.updateComplete;
    expect(frameOf(el) === null, 'no frame is rendered').to.equal(true);
  });

  it('reports an HTTP error without waiting for its body', async () => {
    // A 503 whose body never ends: the status is all the element needs.
    stubEndpoint(() => new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), { status: 503 }));
    const el = await element();
    el.timeout = 1_000; // waiting for the body would end in session-timeout
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    const { detail } = await failed;
    expect(detail).to.include({ code: 'session-http-error', status: 503, retryable: true });
  });

  it('turns a network failure into session-request-failed', async () => {
    stubEndpoint(() => Promise.reject(new TypeError('Failed to fetch')));
    const el = await element();
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    expect((await failed).detail.code).to.equal('session-request-failed');
  });

  it('refuses an api-key attribute with api-key-exposed and sends nothing', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" api-key="TTpme201NiUMBA-secret"></biometric-flow>`,
    );
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    expect((await failed).detail.code).to.equal('api-key-exposed');
    expect(endpoint.requests).to.have.length(0);
  });

  it('refuses an apiKey property with api-key-exposed and sends nothing', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await element();
    (el as unknown as { apiKey: string }).apiKey = 'TTpme201NiUMBA-secret';
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    expect((await failed).detail.code).to.equal('api-key-exposed');
    expect(endpoint.requests).to.have.length(0);
  });

  it('reports missing-endpoint when neither session-endpoint nor session-id is set', async () => {
    const el = await fixture<BiometricFlowElement>(html`<biometric-flow></biometric-flow>`);
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    expect((await failed).detail.code).to.equal('missing-endpoint');
  });

  it('refuses an http: flow-base-url off loopback with flow-url-invalid, before any request', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url="http://flow.example.com"></biometric-flow>`,
    );
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    expect((await failed).detail.code).to.equal('flow-url-invalid');
    expect(endpoint.requests).to.have.length(0);
  });

  it('checks flow-base-url and finished-url again when they change between starts', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await element();
    await startAndLoad(el);
    el.reset();
    el.finishedUrl = 'http://flow.example.com/finished';
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    expect((await failed).detail.code).to.equal('flow-url-invalid');
    el.reset();
    el.finishedUrl = undefined;
    el.flowBaseUrl = 'http://flow.example.com';
    const failedAgain = oneEvent(el, 'flow-error');
    void el.start();
    expect((await failedAgain).detail.code).to.equal('flow-url-invalid');
    expect(endpoint.requests).to.have.length(1);
  });
});

describe('biometric-flow: the frame', () => {
  it('frames <flow-base-url>/flow/<id>?web_view=true&locale=… with camera delegation', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    el.locale = 'kk';
    await startAndLoad(el);
    const frame = frameOf(el)!;
    const src = new URL(frame.src);
    expect(src.origin).to.equal(flowOrigin);
    expect(src.pathname).to.equal(`/flow/${SESSION_ID}`);
    expect(src.searchParams.get('web_view')).to.equal('true');
    expect(src.searchParams.get('locale')).to.equal('kz');
    expect(frame.getAttribute('allow')).to.equal('camera; microphone; fullscreen; clipboard-write');
    expect(frame.getAttribute('referrerpolicy')).to.equal('strict-origin-when-cross-origin');
    expect(frame.title).to.equal('Жеке басты тексеру');
    expect(el.state).to.equal('active');
  });

  it('fires flow-loaded with the session and URL once the frame loaded', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    const loaded = oneEvent(el, 'flow-loaded');
    void el.start();
    const { detail } = await loaded;
    expect(detail.sessionId).to.equal(SESSION_ID);
    expect(detail.url).to.equal(frameOf(el)!.src);
  });

  it('keeps the box at its full height from the request on, and the same frame until the end', async () => {
    let answer!: () => void;
    stubEndpoint(() => new Promise<Response>((resolve) => (answer = () => resolve(sessionAnswer()))));
    const el = await element();
    void el.start();
    await el.updateComplete;
    expect(el.state).to.equal('requesting');
    const box = () => el.shadowRoot!.querySelector<HTMLElement>('.frame-box')!;
    const requestingHeight = box().getBoundingClientRect().height;
    // 640 px, or less on a screen too short for it and its step line (3rem of 16 px under it).
    expect(requestingHeight, 'the box height while requesting').to.equal(Math.min(640, innerHeight - 48));
    expect(frameOf(el) === null, 'no frame before the session').to.equal(true);

    // The frame's own load events, counted from its insertion: flow-loaded fires once per start whatever
    // happens (and may come from the flow's first message, before the frame's load event), but a frame
    // that is moved in the DOM loads again.
    let loads = 0;
    const counted = new Set<HTMLIFrameElement>();
    const inserted = new MutationObserver(() => {
      const shown = frameOf(el);
      if (shown && !counted.has(shown)) {
        counted.add(shown);
        shown.addEventListener('load', () => loads++);
      }
    });
    inserted.observe(el.shadowRoot!, { childList: true, subtree: true });
    answer();
    await waitUntil(() => el.state === 'active', 'the flow is shown');
    const frame = frameOf(el)!;
    expect(box().getBoundingClientRect().height).to.equal(requestingHeight);
    expect(frame.getBoundingClientRect().height).to.equal(requestingHeight);
    expect(el.shadowRoot!.querySelectorAll('iframe').length, 'frames').to.equal(1);
    // Steps and texts re-render the template around the frame; the frame stays and does not load again.
    el.locale = 'ru';
    command(el, { cmd: 'post', data: { event: 'technology.start', technology_code: 'F2F' } });
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="status"]')!.textContent !== '', 'the step is shown');
    await el.updateComplete;
    expect(frameOf(el) === frame, 'the same frame').to.equal(true);
    expect(frame.title).to.equal('Проверка личности');
    await waitUntil(() => loads > 0, 'the flow page loaded');
    await new Promise((resolve) => setTimeout(resolve, 100));
    inserted.disconnect();
    expect(loads, 'loads of the frame: the flow, and no other').to.equal(1);
  });

  it('shows slotted loading content over the box while the session is requested', async () => {
    let answer!: () => void;
    stubEndpoint(() => new Promise<Response>((resolve) => (answer = () => resolve(sessionAnswer()))));
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin}
        ><p slot="loading">Connecting to the bank…</p></biometric-flow
      >`,
    );
    const slot = () => el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="loading"]');
    expect(slot() === null, 'no loading slot while idle').to.equal(true);
    void el.start();
    await el.updateComplete;
    expect(slot()!.assignedElements().map((node) => node.textContent)).to.deep.equal(['Connecting to the bank…']);
    expect(slot()!.closest('.frame-box') !== null, 'inside the box').to.equal(true);
    expect(el.querySelector('p')!.getBoundingClientRect().height, 'rendered').to.be.greaterThan(0);
    answer();
    await waitUntil(() => el.state === 'loading' || el.state === 'active', 'the session arrived');
    await el.updateComplete;
    expect(slot() === null, 'gone once the session arrived').to.equal(true);
  });

  it('starts the frame before session-created, and a listener that cancels removes it', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    let frameAtEvent: HTMLIFrameElement | null | undefined;
    el.addEventListener('session-created', () => {
      frameAtEvent = el.shadowRoot!.querySelector('iframe');
      el.cancel();
    });
    const result = await el.start();
    expect(frameAtEvent?.src.startsWith(`${flowOrigin}/flow/`), 'a frame with the flow URL at session-created').to.equal(true);
    expect(frameAtEvent!.isConnected, 'removed at once by cancel()').to.equal(false);
    expect(result).to.equal(undefined);
    expect(el.state).to.equal('cancelled');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('iframe') === null, 'no frame').to.equal(true);
  });

  it('shows the flow in the locale the session was requested in, even if it changes meanwhile', async () => {
    let answer!: () => void;
    const endpoint = stubEndpoint(() => new Promise<Response>((resolve) => (answer = () => resolve(sessionAnswer()))));
    const el = await element();
    el.locale = 'en';
    await el.updateComplete;
    void el.start();
    el.locale = 'kk';
    answer();
    await waitUntil(() => frameOf(el) !== null, 'the frame');
    expect(endpoint.requests[0]!.body).to.include({ locale: 'en' });
    expect(new URL(frameOf(el)!.src).searchParams.get('locale')).to.equal('en');
  });

  it('lets the cross-origin flow use the camera', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    await startAndLoad(el);
    const result = flowMessage(el, 'camera-result');
    command(el, { cmd: 'camera' });
    const data = await result;
    expect(data, JSON.stringify(data)).to.include({ ok: true });
    expect(data.tracks).to.deep.equal(['live']);
  });
});

describe('biometric-flow: the end of the flow', () => {
  it('fires finished on a finish message from its frame', async () => {
    stubEndpoint(sessionAnswer(SESSION_ID, ['LD', 'F2F']));
    const el = await element();
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'post', data: { event: 'flow.end', session_id: SESSION_ID, status: 'FINISHED' } });
    const { detail } = await finished;
    expect(detail).to.deep.equal({ sessionId: SESSION_ID, technologies: ['LD', 'F2F'], via: 'message', outcome: 'unconfirmed' });
    expect(el.state).to.equal('finished');
    await el.updateComplete;
    expect(frameOf(el) === null, 'no frame is rendered').to.equal(true);
  });

  it('re-emits accepted messages as flow-message with their origin', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    await startAndLoad(el);
    const message = oneEvent(el, 'flow-message');
    command(el, { cmd: 'post', data: { event: 'technology.start', technology_code: 'LDHP' } });
    const { detail } = await message;
    expect(detail).to.deep.equal({ data: { event: 'technology.start', technology_code: 'LDHP' }, origin: flowOrigin });
  });

  it('ignores a finish message from another origin', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    await startAndLoad(el);
    const events = record(el, 'finished', 'flow-message');
    // This page's own origin is not the flow's: a frame of it posting "finished" must not count.
    const intruder = await testFlowFrame(`/flow/${SESSION_ID}`);
    intruder.contentWindow!.postMessage({ cmd: 'post', data: { event: 'flow.end' } }, '*');
    window.postMessage('finished', '*');
    // A later message from the real flow marks the point by which the intruder's have been handled.
    const pong = flowMessage(el, 'pong');
    command(el, { cmd: 'post', data: { event: 'pong' } });
    await pong;
    intruder.remove();
    expect(events.map((e) => e.type)).to.deep.equal(['flow-message']);
    expect(el.state).to.equal('active');
  });

  it('ignores a finish message from the right origin but another window', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    await startAndLoad(el);
    const events = record(el, 'finished', 'flow-message');
    const twin = await testFlowFrame(`${flowOrigin}/flow/${SESSION_ID}`);
    twin.contentWindow!.postMessage({ cmd: 'post', data: { event: 'flow.end' } }, '*');
    twin.contentWindow!.postMessage({ cmd: 'post', data: 'finished' }, '*');
    const pong = flowMessage(el, 'pong');
    command(el, { cmd: 'post', data: { event: 'pong' } });
    await pong;
    twin.remove();
    expect(events.map((e) => e.type)).to.deep.equal(['flow-message']);
    expect(el.state).to.equal('active');
  });

  it('fires finished on a same-origin navigation to the finished URL', async () => {
    stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${location.origin}></biometric-flow>`,
    );
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'navigate', url: '/finished' });
    const { detail } = await finished;
    expect(detail.via).to.equal('navigation');
    expect(detail.sessionId).to.equal(SESSION_ID);
  });

  it('honours a finished-url of its own', async () => {
    stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow
        session-endpoint="/api/session"
        flow-base-url=${location.origin}
        finished-url="${location.origin}/finished?done"
      ></biometric-flow>`,
    );
    await startAndLoad(el);
    const events = record(el, 'finished');
    const landed = oneEvent(el, 'flow-message');
    command(el, { cmd: 'navigate', url: '/finished' });
    // The default finished URL is not this element's: the flow goes on.
    expect((await landed).detail.data).to.deep.include({ event: 'test-flow-ready' });
    expect(el.state).to.equal('active');
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'navigate', url: '/finished?done' });
    await finished;
    expect(events).to.have.length(1);
  });

  it('fires finished once for a message, a second message and a navigation', async () => {
    stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${location.origin}></biometric-flow>`,
    );
    await startAndLoad(el);
    const events = record(el, 'finished');
    const frameWindow = frameOf(el)!.contentWindow!;
    const finished = oneEvent(el, 'finished');
    frameWindow.postMessage({ cmd: 'post', data: 'finished' }, '*');
    frameWindow.postMessage({ cmd: 'post', data: { type: 'finish' } }, '*');
    frameWindow.postMessage({ cmd: 'navigate', url: '/finished' }, '*');
    await finished;
    // The frame is gone with the flow; its later messages and loads have nowhere to go.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).to.have.length(1);
  });

  it('lets a host recognise its own finish message', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    el.isFinishMessage = (data) => typeof data === 'object' && data !== null && (data as { done?: unknown }).done === true;
    await startAndLoad(el);
    const events = record(el, 'flow-message', 'finished');
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'post', data: { event: 'flow.end' } });
    command(el, { cmd: 'post', data: { done: true } });
    const { detail } = await finished;
    expect(detail.via).to.equal('message');
    // flow.end went by as a plain message; only the host's own shape ended the flow.
    expect(events.map((e) => e.type)).to.deep.equal(['flow-message', 'flow-message', 'finished']);
  });

  it('cancel() stops the flow with reason api and removes the frame', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    await startAndLoad(el);
    const cancelled = oneEvent(el, 'cancelled');
    el.cancel();
    expect((await cancelled).detail).to.deep.equal({ sessionId: SESSION_ID, reason: 'api' });
    expect(el.state).to.equal('cancelled');
    await el.updateComplete;
    expect(frameOf(el) === null, 'no frame is rendered').to.equal(true);
  });

  it('fires state-change for every transition of a whole flow', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    const changes: string[] = [];
    el.addEventListener('state-change', (event) => changes.push(`${event.detail.previous}>${event.detail.state}`));
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'post', data: 'finished' });
    await finished;
    expect(changes).to.deep.equal(['idle>requesting', 'requesting>loading', 'loading>active', 'active>finished']);
    expect(el.getAttribute('state')).to.equal('finished');
  });
});

describe('biometric-flow: start button and texts', () => {
  it('shows a localized start button that starts the flow', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow locale="en" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="trigger"]')!;
    expect(button.textContent!.trim()).to.equal('Verify your identity');
    const created = oneEvent(el, 'session-created');
    button.click();
    await created;
    expect(endpoint.requests).to.have.length(1);
  });

  it('starts from a slotted trigger', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin}
        ><button slot="trigger">Go</button></biometric-flow
      >`,
    );
    const created = oneEvent(el, 'session-created');
    el.querySelector('button')!.click();
    await created;
    expect(endpoint.requests).to.have.length(1);
  });

  it('starts by itself with autostart', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow autostart session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    await waitUntil(() => el.state === 'loading' || el.state === 'active');
    expect(endpoint.requests).to.have.length(1);
  });

  it('starts by itself when autostart is set right after insertion, as @lit/react does', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = document.createElement('biometric-flow');
    el.sessionEndpoint = '/api/session';
    el.flowBaseUrl = flowOrigin;
    document.body.append(el);
    el.autostart = true;
    try {
      await waitUntil(() => endpoint.requests.length === 1, 'the session is requested');
    } finally {
      el.remove();
    }
  });

  it('renders its texts in the locale and re-renders when it changes', async () => {
    const el = await fixture<BiometricFlowElement>(html`<biometric-flow locale="ru"></biometric-flow>`);
    const label = () => el.shadowRoot!.querySelector('[part~="trigger"]')!.textContent!.trim();
    expect(label()).to.equal('Пройти проверку личности');
    el.locale = 'kk';
    await el.updateComplete;
    expect(label()).to.equal('Жеке басты тексеруден өту');
  });

  it('is accessible when idle, requesting, and in error', async () => {
    const el = await element();
    await expect(el).to.be.accessible();
    let giveUp!: () => void;
    stubEndpoint(() => new Promise<Response>((_resolve, reject) => (giveUp = () => reject(new TypeError('offline')))));
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    await el.updateComplete;
    expect(el.state).to.equal('requesting');
    await expect(el).to.be.accessible();
    giveUp();
    await failed;
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('is accessible with the flow open', async () => {
    stubEndpoint(sessionAnswer());
    const el = await element();
    await startAndLoad(el);
    await expect(el).to.be.accessible();
  });
});

describe('biometric-flow: finished detail types', () => {
  it('carries the technologies of the session', async () => {
    stubEndpoint(sessionAnswer(SESSION_ID, ['LD', 'ED', 'F2F']));
    const el = await element();
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'post', data: { name: 'finished' } });
    const detail: FinishedDetail = (await finished).detail;
    expect(detail.technologies).to.deep.equal(['LD', 'ED', 'F2F']);
  });
});

// Last in this file: its final step loads the handoff's decision chunk into the page.
describe('biometric-flow: the handoff chunk loads only once a handoff can matter', () => {
  /** Whether the page fetched the handoff's decision chunk (src/handoff/handoff.ts) so far. */
  const handoffLoaded = () => performance.getEntriesByType('resource').some((entry) => /\/src\/handoff\/handoff\.(ts|js)/.test(entry.name));

  it('not on a desktop browser without handoff-endpoint, nor with handoff="off"; at once with handoff-endpoint', async () => {
    // This test's browser is a desktop one: no in-app browser could be it.
    expect(/Mobi|Android|iP(hone|ad)/.test(navigator.userAgent)).to.equal(false);
    stubEndpoint(sessionAnswer());
    const plain = await element();
    const off = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin} handoff="off" handoff-endpoint="/api/handoff" status-endpoint="/api/status"></biometric-flow>`,
    );
    await off.updateComplete;
    // A whole start (a session request and the flow's load) later, a chunk asked for at connection would be there.
    await startAndLoad(plain);
    plain.cancel();
    expect(handoffLoaded()).to.equal(false);
    // The same check sees the chunk once it can matter.
    off.removeAttribute('handoff');
    await waitUntil(handoffLoaded, 'the decision chunk loads', { timeout: 5000 });
  });
});
