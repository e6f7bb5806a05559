import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement } from '../src/index.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { SESSION_ID, frameOf, json, record, sessionAnswer, startAndLoad, stubRoutes } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;

function status(value: string, result?: unknown): Response {
  return json({ session_id: SESSION_ID, status: value, ...(result === undefined ? {} : { result }) });
}

async function element(base = flowOrigin): Promise<BiometricFlowElement> {
  return fixture<BiometricFlowElement>(html`<biometric-flow
    locale="en"
    session-endpoint="/api/session"
    status-endpoint="/api/status"
    flow-base-url=${base}
  ></biometric-flow>`);
}

let clock: sinon.SinonFakeTimers | undefined;

/**
 * Waits, in real time, until `predicate` holds. With setTimeout faked, waitUntil would never wake, and
 * reading a response body takes real tasks: this yields one animation frame at a time (at most ~5 s).
 */
async function untilReal(predicate: () => boolean, what: string): Promise<void> {
  for (let frame = 0; frame < 300; frame += 1) {
    if (predicate()) return;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  throw new Error(`timed out waiting until ${what}`);
}

afterEach(() => {
  clock?.restore();
  clock = undefined;
  sinon.restore();
});

describe('biometric-flow status-endpoint', () => {
  it('polls while the flow is open and finishes via status on FINISHED', async () => {
    const routes = stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [status('PROGRESS'), status('FINISHED', { flow_session_result: true })],
    });
    const el = await element();
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await startAndLoad(el);
    expect(routes['/api/status']).to.have.length(0);

    await clock.tickAsync(3_000);
    expect(routes['/api/status']).to.have.length(1);
    await untilReal(() => clock!.countTimers() === 1, 'the next poll is scheduled');
    expect(new URL(routes['/api/status']![0]!.url, location.href).searchParams.get('session_id')).to.equal(SESSION_ID);
    expect(el.state).to.equal('active');

    const finished = oneEvent(el, 'finished');
    // Backing off: the second poll comes 4.5 s after the first, not 3 s.
    await clock.tickAsync(3_000);
    expect(routes['/api/status']).to.have.length(1);
    await clock.tickAsync(1_500);
    const { detail } = await finished;
    expect(detail).to.deep.equal({
      sessionId: SESSION_ID,
      technologies: ['LDHP', 'F2F'],
      via: 'status',
      outcome: 'passed',
      status: 'FINISHED',
      result: { flow_session_result: true },
    });
  });

  it('finishes via status on FAILED too', async () => {
    stubRoutes({ '/api/session': [sessionAnswer()], '/api/status': [status('FAILED')] });
    const el = await element();
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    await clock.tickAsync(3_000);
    expect((await finished).detail).to.include({ via: 'status', status: 'FAILED' });
  });

  it('polls at once on a frame load after the first', async () => {
    const routes = stubRoutes({ '/api/session': [sessionAnswer()], '/api/status': [status('FINISHED')] });
    const el = await element(location.origin);
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    // The flow moves on to another page of its own: the second load asks the status endpoint.
    frameOf(el)!.contentWindow!.postMessage({ cmd: 'navigate', url: `/flow/${SESSION_ID}-next` }, '*');
    const { detail } = await finished;
    expect(detail.via).to.equal('status');
    expect(routes['/api/status']).to.have.length(1);
  });

  it('adds the status and result to a finish seen by message', async () => {
    stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [status('FINISHED', { flow_session_result: true, flow_session_failure_reasons: [] })],
    });
    const el = await element();
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: { event: 'flow.end' } }, '*');
    const { detail } = await finished;
    expect(detail).to.deep.include({
      via: 'message',
      status: 'FINISHED',
      result: { flow_session_result: true, flow_session_failure_reasons: [] },
    });
  });

  it('once the end is seen, asks at once with wait (a long poll), and again at once after a held answer', async () => {
    const asked: number[] = [];
    let heldUntil = 0;
    const routes = stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [
        async () => {
          asked.push(performance.now());
          // The endpoint held the request past HELD_MS, then answered a status that is not final yet.
          await new Promise((resolve) => setTimeout(resolve, 1_100));
          heldUntil = performance.now();
          return status('PENDING');
        },
        () => {
          asked.push(performance.now());
          return status('FINISHED', { flow_session_result: true });
        },
      ],
    });
    const el = await element();
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    const sent = performance.now();
    frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: { event: 'flow.end' } }, '*');
    const { detail } = await finished;
    expect(detail).to.deep.include({ via: 'message', status: 'FINISHED', outcome: 'passed' });
    expect(routes['/api/status']!.map((request) => new URL(request.url, location.href).searchParams.get('wait'))).to.deep.equal(['8', '8']);
    expect(asked[0]! - sent).to.be.below(450, 'the first request goes when the end is seen, not after the 500 ms schedule');
    expect(asked[1]! - heldUntil).to.be.below(450, 'the next request goes when the held one answered');
  });

  it('keeps the confirm schedule (0.5 s, 1 s, ...) with an endpoint that answers wait at once', async () => {
    let answerFirst!: (response: Response) => void;
    const routes = stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [() => new Promise<Response>((resolve) => (answerFirst = resolve)), status('PENDING'), status('FINISHED', { flow_session_result: true })],
    });
    const el = await element();
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: 'finished' }, '*');
    await untilReal(() => routes['/api/status']!.length === 1, 'the status is asked when the end is seen');
    // Timers while the first request is open (the confirm timeout, and whatever the browser's presenter keeps).
    const before = clock.countTimers();
    answerFirst(status('PENDING'));
    await untilReal(() => clock!.countTimers() === before + 1, 'the answer came at once and the next poll is scheduled');
    await clock.tickAsync(490);
    expect(routes['/api/status']).to.have.length(1);
    await clock.tickAsync(20);
    await untilReal(() => routes['/api/status']!.length === 2, 'the second poll, 0.5 s later');
    // The third follows on the schedule (1 s later); its answer is final.
    for (let step = 0; step < 60 && routes['/api/status']!.length < 3; step++) {
      await clock.tickAsync(50);
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    expect((await finished).detail.outcome).to.equal('passed');
  });

  it('asks again at once, with wait, when a poll under way since before the end answers', async () => {
    let answerOpenPoll!: (response: Response) => void;
    const routes = stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [() => new Promise<Response>((resolve) => (answerOpenPoll = resolve)), status('FINISHED', { flow_session_result: true })],
    });
    const el = await element();
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await startAndLoad(el);
    await clock.tickAsync(3_000);
    expect(routes['/api/status']).to.have.length(1);
    const finished = oneEvent(el, 'finished');
    frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: 'finished' }, '*');
    await untilReal(() => el.state === 'confirming', 'the end is seen');
    answerOpenPoll(status('PROGRESS'));
    // No timer moves: the second request goes as soon as the first answered.
    await untilReal(() => routes['/api/status']!.length === 2, 'the status is asked again');
    expect(new URL(routes['/api/status']![1]!.url, location.href).searchParams.get('wait')).to.equal('8');
    expect(new URL(routes['/api/status']![0]!.url, location.href).searchParams.has('wait')).to.equal(false);
    expect((await finished).detail.status).to.equal('FINISHED');
  });

  it('gives up confirming a status endpoint that hangs after confirm-timeout: finished, unconfirmed', async () => {
    const routes = stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [
        (_request, signal) =>
          new Promise<Response>((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
          ),
      ],
    });
    const el = await element();
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await startAndLoad(el);
    const events = record(el, 'finished');
    const finished = oneEvent(el, 'finished');
    frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: 'finished' }, '*');
    await untilReal(() => routes['/api/status']!.length === 1, 'the status is asked');
    expect(el.state).to.equal('confirming');
    await clock.tickAsync(9_900);
    expect(events).to.have.length(0);
    await clock.tickAsync(200);
    const { detail } = await finished;
    expect(detail).to.deep.equal({ sessionId: SESSION_ID, technologies: ['LDHP', 'F2F'], via: 'message', outcome: 'unconfirmed' });
  });

  it('reports a failing status endpoint once and keeps the flow open', async () => {
    const routes = stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [json({ error: 'down' }, 503)],
    });
    const el = await element();
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await startAndLoad(el);
    const errors = record(el, 'flow-error');
    for (const [delay, count] of [[3_000, 1], [4_500, 2], [6_750, 3]] as const) {
      await clock.tickAsync(delay);
      expect(routes['/api/status']).to.have.length(count);
      await untilReal(() => clock!.countTimers() === 1, 'the next poll is scheduled');
    }
    expect(errors).to.have.length(1);
    expect(errors[0]!.detail).to.include({ code: 'status-request-failed', retryable: true, status: 503 });
    expect(el.state).to.equal('active');
  });

  const invalidAnswers: Array<[string, () => Response, string]> = [
    ['another session\'s status', () => json({ session_id: '00000000-0000-4000-8000-000000000000', status: 'FINISHED' }), 'Not a status of this session'],
    ['a status that is a number', () => json({ session_id: SESSION_ID, status: 1 }), 'Not a valid status (status)'],
    ['an empty status', () => json({ session_id: SESSION_ID, status: '' }), 'Not a valid status (status)'],
    ['a JSON array', () => json([SESSION_ID, 'FINISHED']), 'Not a valid status (session_id, status)'],
  ];
  for (const [name, answer, message] of invalidAnswers) {
    it(`does not finish on ${name}: status-request-failed, once`, async () => {
      const routes = stubRoutes({ '/api/session': [sessionAnswer()], '/api/status': [answer()] });
      const el = await element();
      clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      await startAndLoad(el);
      const errors = record(el, 'flow-error');
      await clock.tickAsync(3_000);
      await untilReal(() => clock!.countTimers() === 1, 'the next poll is scheduled');
      await clock.tickAsync(4_500);
      await untilReal(() => routes['/api/status']!.length === 2 && clock!.countTimers() === 1, 'the second poll is done');
      expect(errors).to.have.length(1);
      expect(errors[0]!.detail).to.include({ code: 'status-request-failed', message });
      expect(el.state).to.equal('active');
    });
  }

  const endings: Array<[string, (el: BiometricFlowElement) => void]> = [
    ['finished', (el) => frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: 'finished' }, '*')],
    ['cancel()', (el) => el.cancel()],
    ['reset()', (el) => el.reset()],
    ['removal', (el) => el.remove()],
  ];
  for (const [name, end] of endings) {
    it(`stops polling after ${name}`, async () => {
      const routes = stubRoutes({ '/api/session': [sessionAnswer()], '/api/status': [status('PROGRESS')] });
      const el = await element();
      clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      await startAndLoad(el);
      await clock.tickAsync(3_000);
      expect(routes['/api/status']).to.have.length(1);
      await untilReal(() => clock!.countTimers() === 1, 'the next poll is scheduled');
      end(el);
      await untilReal(() => el.state !== 'active', 'the flow ends');
      // A finish seen in the browser confirms first, asking on until confirm-timeout.
      if (el.state === 'confirming') await clock.tickAsync(10_000);
      expect(el.state).to.be.oneOf(['finished', 'cancelled', 'idle']);
      const before = routes['/api/status']!.length;
      await clock.tickAsync(120_000);
      expect(routes['/api/status']!.length).to.equal(before);
      expect(clock.countTimers(), 'timers left behind').to.equal(0);
    });
  }
});

describe('biometric-flow progress', () => {
  it('shows the step from technology.start messages in a polite live region', async () => {
    stubRoutes({ '/api/session': [sessionAnswer(SESSION_ID, ['LD', 'ED', 'F2F'])] });
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow locale="en" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    await startAndLoad(el);
    const region = el.shadowRoot!.querySelector('[part~="status"]')!;
    expect(region.getAttribute('role')).to.equal('status');
    expect(region.getAttribute('aria-live')).to.equal('polite');
    expect(region.textContent!.trim()).to.equal('');

    const message = oneEvent(el, 'flow-message');
    frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: { event: 'technology.start', technology_code: 'ED' } }, '*');
    await message;
    await el.updateComplete;
    expect(region.textContent!.trim()).to.equal('Step 2 of 3: E-Document');

    el.locale = 'ru';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part~="status"]')!.textContent!.trim()).to.equal('Шаг 2 из 3: Электронный документ');
    el.locale = 'kk';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part~="status"]')!.textContent!.trim()).to.equal('Қадам 2/3: Электрондық құжат');
  });

  it('ignores progress for a technology the session does not have', async () => {
    stubRoutes({ '/api/session': [sessionAnswer(SESSION_ID, ['LD', 'F2F'])] });
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow locale="en" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    await startAndLoad(el);
    const message = oneEvent(el, 'flow-message');
    frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: { event: 'technology.start', technology_code: 'DR' } }, '*');
    await message;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part~="status"]')!.textContent!.trim()).to.equal('');
  });
});
