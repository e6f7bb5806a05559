// One start's states and transitions (src/run/): which state may follow which, driven through the element's
// public surface, and that a start another one replaced cannot write to the element.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement, FlowState } from '../src/index.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { OTHER_SESSION_ID, SESSION_ID, command, json, never, record, sessionAnswer, startAndLoad, stubRoutes } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;

/**
 * Which state may follow which. A start goes request → show (`loading`) → loaded (`active`) → saw the end
 * (`confirming`, with a status endpoint) → settled (`finished`, `cancelled` or `error`); it may settle from
 * any state on the way, `reset()` and a disconnect go back to `idle` from anywhere, and a new start may
 * follow a settled one. A start with `session-id` shows at once (no `requesting`); a popup cut off by its
 * opener's policy waits by status from `loading`. Kept here, in the test, not in the runtime.
 */
const MAY_FOLLOW: Record<FlowState, readonly FlowState[]> = {
  idle: ['requesting', 'loading', 'active', 'error', 'cancelled'],
  requesting: ['loading', 'error', 'cancelled', 'idle'],
  loading: ['active', 'finished', 'error', 'cancelled', 'idle'],
  active: ['confirming', 'finished', 'error', 'cancelled', 'idle'],
  confirming: ['finished', 'cancelled', 'idle'],
  finished: ['idle', 'requesting', 'loading', 'active', 'error', 'cancelled'],
  cancelled: ['idle', 'requesting', 'loading', 'active', 'error', 'cancelled'],
  error: ['idle', 'requesting', 'loading', 'active', 'error', 'cancelled'],
};

function status(value: string, result?: unknown): Response {
  return json({ session_id: SESSION_ID, status: value, ...(result === undefined ? {} : { result }) });
}

async function element(statusEndpoint?: string): Promise<BiometricFlowElement> {
  return fixture<BiometricFlowElement>(html`<biometric-flow
    locale="en"
    session-endpoint="/api/session"
    status-endpoint=${statusEndpoint ?? ''}
    flow-base-url=${flowOrigin}
  ></biometric-flow>`);
}

/** The element's transitions from now on, each checked against {@link MAY_FOLLOW} as it comes. */
function transitions(el: BiometricFlowElement): FlowState[] {
  const seen: FlowState[] = [];
  el.addEventListener('state-change', (event) => {
    const { state, previous } = event.detail;
    expect(MAY_FOLLOW[previous], `${previous} → ${state}`).to.include(state);
    seen.push(state);
  });
  return seen;
}

afterEach(() => sinon.restore());

describe('biometric-flow: one start, state by state', () => {
  it('request → show → loaded → saw the end → confirming → finished, with a status endpoint', async () => {
    stubRoutes({ '/api/session': [sessionAnswer()], '/api/status': [status('FINISHED', { flow_session_result: true })] });
    const el = await element('/api/status');
    const seen = transitions(el);
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'post', data: { event: 'flow.end', session_id: SESSION_ID } });
    expect((await finished).detail.outcome).to.equal('passed');
    expect(seen).to.deep.equal(['requesting', 'loading', 'active', 'confirming', 'finished']);
  });

  it('settles at once when the browser sees the end without a status endpoint; reset() goes back to idle', async () => {
    stubRoutes({ '/api/session': [sessionAnswer()] });
    const el = await element();
    const seen = transitions(el);
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'post', data: { event: 'flow.end' } });
    expect((await finished).detail.outcome).to.equal('unconfirmed');
    el.reset();
    expect(seen).to.deep.equal(['requesting', 'loading', 'active', 'finished', 'idle']);
  });

  it('settles from requesting: cancelled by cancel(), error on a failed request, and a new start follows either', async () => {
    stubRoutes({ '/api/session': [never, json({ error: { code: 'server-busy' } }, 503)] });
    const el = await element();
    const seen = transitions(el);
    void el.start();
    await waitUntil(() => el.state === 'requesting');
    el.cancel();
    const failed = oneEvent(el, 'flow-error');
    expect(await el.start()).to.equal(undefined);
    expect((await failed).detail.code).to.equal('session-http-error');
    expect(seen).to.deep.equal(['requesting', 'cancelled', 'requesting', 'error']);
  });

  it('a start replaced by another cannot write: its late session answer makes no event and no state', async () => {
    let answerFirst!: (response: Response) => void;
    const routes = stubRoutes({
      '/api/session': [() => new Promise<Response>((resolve) => (answerFirst = resolve)), sessionAnswer(OTHER_SESSION_ID)],
    });
    const el = await element();
    const events = record(el, 'session-created', 'flow-error', 'cancelled', 'finished');
    const first = el.start();
    await waitUntil(() => routes['/api/session']!.length === 1);
    el.reset();
    const seen = transitions(el);
    const second = await el.start();
    expect(second?.id).to.equal(OTHER_SESSION_ID);
    // The first start's answer comes after it was replaced.
    answerFirst(sessionAnswer(SESSION_ID));
    expect(await first).to.equal(undefined);
    await el.updateComplete;
    expect(el.session?.id).to.equal(OTHER_SESSION_ID);
    expect(events.map((event) => `${event.type} ${(event.detail as { sessionId?: string }).sessionId}`)).to.deep.equal([
      `session-created ${OTHER_SESSION_ID}`,
    ]);
    expect(seen).to.deep.equal(['requesting', 'loading']);
    expect(el.state).to.equal('loading');
  });

  it('an ended start cannot write: a status answer that comes after cancel() settles nothing', async () => {
    let answerStatus!: (response: Response) => void;
    const routes = stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [() => new Promise<Response>((resolve) => (answerStatus = resolve))],
    });
    const el = await element('/api/status');
    await startAndLoad(el);
    command(el, { cmd: 'post', data: { event: 'flow.end', session_id: SESSION_ID } });
    await waitUntil(() => routes['/api/status']!.length === 1, 'the status is asked for');
    expect(el.state).to.equal('confirming');
    el.cancel();
    const seen = transitions(el);
    const events = record(el, 'finished', 'flow-error', 'cancelled');
    answerStatus(status('FINISHED', { flow_session_result: true }));
    await new Promise((resolve) => setTimeout(resolve));
    await el.updateComplete;
    expect(events).to.deep.equal([]);
    expect(seen).to.deep.equal([]);
    expect(el.state).to.equal('cancelled');
  });
});
