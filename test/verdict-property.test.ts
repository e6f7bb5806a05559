// Property: whatever the status endpoint answers while the element confirms an ending (PENDING,
// PROGRESS, FINISHED with or without a verdict, FAILED, `{}`, HTTP errors, network errors, answers that
// hang, come late or ignore the abort), and whatever the flow posts around its finish (progress,
// duplicates, finishes of another session), there is exactly one `finished`, with the outcome the first
// final answer the element got calls for, and nothing after it.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import fc from 'fast-check';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement, FinishedDetail } from '../src/index.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { OTHER_SESSION_ID, SESSION_ID, command, frameOf, json, record } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;
const CONFIRM_TIMEOUT_MS = 600;

type Kind =
  | 'pending'
  | 'progress'
  | 'passed'
  | 'failed-status'
  | 'failed-result'
  | 'finished-no-verdict'
  | 'empty'
  | 'http-401'
  | 'http-502'
  | 'http-503'
  | 'network'
  | 'hang';

interface Answer {
  kind: Kind;
  /** Milliseconds before it comes. */
  delay: number;
  /** Comes even after the element aborted the request, as a slow server's answer would. */
  ignoresAbort: boolean;
}

type FlowPost = 'progress' | 'finish' | 'finish-other-session' | 'finish-upper-case-id';

/** What each kind says of the verdict: `undefined` for a kind that is not final. */
const FINAL: Partial<Record<Kind, FinishedDetail['outcome']>> = {
  passed: 'passed',
  'failed-status': 'failed',
  'failed-result': 'failed',
  'finished-no-verdict': 'unconfirmed',
};

function responseFor(kind: Kind): Response {
  const status = (value: string, result?: unknown) => json({ session_id: SESSION_ID, status: value, ...(result === undefined ? {} : { result }) });
  switch (kind) {
    case 'pending':
      return status('PENDING');
    case 'progress':
      return status('PROGRESS');
    case 'passed':
      return status('FINISHED', { flow_session_result: true, failure_reasons: [] });
    case 'failed-status':
      return status('FAILED', { failure_reasons: [{ code: 'invalid-iin', text: 'Invalid IIN' }] });
    case 'failed-result':
      return status('FINISHED', { flow_session_result: false });
    case 'finished-no-verdict':
      return status('FINISHED');
    case 'empty':
      return json({});
    case 'http-401':
      return json({ error: { code: 'status-token-invalid', message: 'no' } }, 401);
    case 'http-502':
      return json({ error: { code: 'vendor-error', message: 'vendor' } }, 502);
    default:
      return json({ error: { code: 'server-busy', message: 'busy' } }, 503);
  }
}

const answerArbitrary: fc.Arbitrary<Answer> = fc.record({
  kind: fc.constantFrom<Kind>(
    'pending', 'progress', 'passed', 'failed-status', 'failed-result', 'finished-no-verdict', 'empty', 'http-401', 'http-502', 'http-503', 'network', 'hang',
  ),
  delay: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 250 }), fc.integer({ min: 550, max: 700 })),
  ignoresAbort: fc.boolean(),
});

const postsArbitrary: fc.Arbitrary<FlowPost[]> = fc
  .tuple(
    fc.array(fc.constantFrom<FlowPost>('progress', 'finish-other-session'), { maxLength: 3 }),
    fc.constantFrom<FlowPost>('finish', 'finish-upper-case-id'),
    fc.array(fc.constantFrom<FlowPost>('progress', 'finish', 'finish-other-session', 'finish-upper-case-id'), { maxLength: 3 }),
  )
  .map(([before, finish, after]) => [...before, finish, ...after]);

interface Served {
  answer: Answer;
  /** When the answer reached the element, if it did. */
  at?: number;
  settled: boolean;
}

describe('biometric-flow verdict: property-based interleavings of status answers and flow messages', () => {
  afterEach(() => sinon.restore());

  it('fires exactly one finished, with the outcome of the first final answer the element got', async function () {
    this.timeout(120_000);
    let answers: Answer[] = [];
    let served: Served[] = [];
    sinon.stub(window, 'fetch').callsFake(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const path = new URL(String(input), location.href).pathname;
      if (path === '/api/session') return json({ session_id: SESSION_ID, technologies: ['LD', 'ED'], status_token: 'v1.1.t' });
      const answer = answers[served.length] ?? { kind: 'pending', delay: 0, ignoresAbort: false };
      const entry: Served = { answer, settled: false };
      served.push(entry);
      const signal = init.signal!;
      return new Promise<Response>((resolve, reject) => {
        const abort = () => {
          clearTimeout(timer);
          entry.settled = true;
          reject(new DOMException('aborted', 'AbortError'));
        };
        const timer =
          answer.kind === 'hang'
            ? undefined
            : setTimeout(() => {
                entry.settled = true;
                entry.at = performance.now();
                if (answer.kind === 'network') reject(new TypeError('Failed to fetch'));
                else resolve(responseFor(answer.kind));
              }, answer.delay);
        if (answer.kind === 'hang' || !answer.ignoresAbort) signal.addEventListener('abort', abort, { once: true });
      });
    });

    const el = await fixture<BiometricFlowElement>(html`<biometric-flow
      locale="en"
      session-endpoint="/api/session"
      status-endpoint="/api/status"
      confirm-timeout=${CONFIRM_TIMEOUT_MS}
      flow-base-url=${flowOrigin}
    ></biometric-flow>`);
    const problems: string[] = [];
    const onError = (event: ErrorEvent | PromiseRejectionEvent) =>
      problems.push(String('reason' in event ? event.reason : event.message));
    addEventListener('error', onError);
    addEventListener('unhandledrejection', onError);

    try {
      await fc.assert(
        fc.asyncProperty(fc.array(answerArbitrary, { maxLength: 5 }), postsArbitrary, async (script, posts) => {
          answers = script;
          served = [];
          el.reset();
          const loaded = oneEvent(el, 'flow-loaded');
          void el.start();
          await loaded;
          const events = record(el, 'finished', 'cancelled', 'state-change');
          const flowErrors = record(el, 'flow-error');
          const finished = oneEvent(el, 'finished');
          let finishedAt = 0;
          el.addEventListener('finished', () => (finishedAt = performance.now()), { once: true });
          const sentAt = performance.now();
          for (const post of posts) {
            const data =
              post === 'progress'
                ? { event: 'technology.start', technology_code: 'ED' }
                : post === 'finish-other-session'
                  ? { event: 'flow.end', session_id: OTHER_SESSION_ID }
                  : post === 'finish-upper-case-id'
                    ? { event: 'flow.end', session_id: SESSION_ID.toUpperCase() }
                    : 'finished';
            if (frameOf(el)) command(el, { cmd: 'post', data });
          }
          const { detail } = await finished;

          // Every answer that will ever come has come; then nothing more may happen.
          await waitUntil(() => served.every((entry) => entry.settled || entry.answer.kind === 'hang'), 'late answers', { timeout: 3000 });
          await new Promise((resolve) => setTimeout(resolve, 20));
          await el.updateComplete;

          const finishedEvents = events.filter((event) => event.type === 'finished');
          expect(finishedEvents, 'exactly one finished').to.have.length(1);
          expect(events.filter((event) => event.type === 'cancelled')).to.have.length(0);
          expect(el.state).to.equal('finished');
          expect(events.at(-1)!.type, 'nothing after finished').to.equal('finished');
          expect(detail.via).to.equal('message');
          expect(flowErrors.length, 'status errors are reported at most once').to.be.at.most(1);
          for (const error of flowErrors) expect(error.detail.code).to.equal('status-request-failed');

          // The first final answer in the order the element asked (one request at a time).
          const firstFinal = served.find((entry) => FINAL[entry.answer.kind] !== undefined);
          const got = firstFinal?.at !== undefined && firstFinal.at <= finishedAt;
          if (detail.outcome === 'unconfirmed') {
            const allowed =
              firstFinal === undefined ||
              firstFinal.answer.kind === 'finished-no-verdict' ||
              // It came as the timeout fired: reading its body took the element past it.
              !got ||
              finishedAt - sentAt >= CONFIRM_TIMEOUT_MS - 5;
            expect(allowed, `unconfirmed although ${firstFinal?.answer.kind} came in time`).to.equal(true);
            if (firstFinal?.answer.kind !== 'finished-no-verdict') {
              expect(finishedAt - sentAt, 'unconfirmed only at confirm-timeout').to.be.at.least(CONFIRM_TIMEOUT_MS - 5);
            }
          } else {
            expect(firstFinal, 'a verdict needs a final answer').to.not.equal(undefined);
            expect(detail.outcome).to.equal(FINAL[firstFinal!.answer.kind]);
            expect(got, 'the verdict came before finished').to.equal(true);
          }
          expect(problems, 'no uncaught error').to.deep.equal([]);
        }),
        { numRuns: 30, seed: 0x5eed11, endOnFailure: true },
      );
    } finally {
      removeEventListener('error', onError);
      removeEventListener('unhandledrejection', onError);
    }
  });
});
