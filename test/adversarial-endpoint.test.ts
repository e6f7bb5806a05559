// Adversarial tests of the session and status endpoints' answers: whatever they say, the element ends
// in a typed flow-error or a valid session, and frames only a validated URL.
import {
  flowOrigin,
  liveTimers,
  liveWindowListeners,
  nextTask,
  pendingFetches,
  restoreFetch,
  stubFetch,
  takeProblems,
  type FetchCall,
} from './support/adversarial.js';
import { expect, fixture, html } from '@open-wc/testing';
import fc from 'fast-check';
import '../src/index.js';
import type { BiometricFlowElement, FlowErrorDetail } from '../src/index.js';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const CODE = /^[A-Z][A-Z0-9_]*$/;
const CODES = new Set([
  'missing-endpoint', 'api-key-exposed', 'insecure-context', 'session-request-failed', 'session-http-error', 'session-timeout',
  'session-invalid-response', 'flow-url-invalid', 'popup-blocked', 'camera-blocked-by-policy', 'status-request-failed',
]);

type Answer =
  | { kind: 'http'; status: number; body: string; delay: number }
  | { kind: 'network' | 'hang' | 'broken-body' };

/** The session the contract makes of an answer, or the flow-error code it must become. */
function expectedOf(answer: Answer): { session?: { id: string; technologies: string[] }; code?: string; status?: number } {
  if (answer.kind === 'network' || answer.kind === 'broken-body') return { code: 'session-request-failed' };
  if (answer.kind === 'hang') return { code: 'session-timeout' };
  if (answer.kind !== 'http') throw new Error('unreachable');
  if (answer.status < 200 || answer.status > 299) return { code: 'session-http-error', status: answer.status };
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return { code: 'session-invalid-response' };
  }
  const b = body as { session_id?: unknown; technologies?: unknown };
  const valid =
    typeof body === 'object' && body !== null && !Array.isArray(body) &&
    typeof b.session_id === 'string' && GUID.test(b.session_id) &&
    Array.isArray(b.technologies) && b.technologies.length <= 64 &&
    b.technologies.every((code) => typeof code === 'string' && code.length <= 32 && CODE.test(code));
  return valid ? { session: { id: b.session_id as string, technologies: b.technologies as string[] } } : { code: 'session-invalid-response' };
}

function respond(answer: Answer, call: FetchCall): Promise<Response> | Response {
  switch (answer.kind) {
    case 'network':
      return Promise.reject(new TypeError('Failed to fetch'));
    case 'hang':
      return new Promise<Response>(() => {});
    case 'broken-body':
      return new Response(new ReadableStream({ pull: (controller) => controller.error(new TypeError('connection reset')) }), { status: 200 });
    case 'http': {
      const nullBody = [204, 205, 304].includes(answer.status);
      const response = new Response(nullBody ? null : answer.body, { status: answer.status, headers: { 'content-type': 'application/json' } });
      return answer.delay > 0 ? new Promise((resolve) => setTimeout(() => resolve(response), answer.delay)) : response;
    }
  }
  void call;
}

const uuid = fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] });
const sessionId = fc.oneof(
  { weight: 4, arbitrary: uuid },
  { weight: 1, arbitrary: uuid.map((u) => u.toUpperCase()) },
  { weight: 3, arbitrary: fc.oneof(
    uuid.map((u) => `${u}\n`), uuid.map((u) => ` ${u}`), uuid.map((u) => u.slice(1)), uuid.map((u) => `${u}/../../evil`),
    uuid.map((u) => `${u}?x=1#y`), uuid.map((u) => u.replace(/-/g, '')), uuid.map((u) => `{${u}}`), uuid.map((u) => u.replace(/[0-9]/, 'g')),
    fc.constantFrom('../../evil', 'javascript:alert(1)', '', '%2e%2e%2f', '00000000-0000-0000-0000-00000000000\u0660'),
    fc.string(), fc.integer(), fc.constant(null), fc.constant([]),
  ) },
);
const technologies = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/), { maxLength: 5 }) },
  { weight: 2, arbitrary: fc.oneof(
    fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('LD', null, {}, ['ld'], ['LD '], ['1LD'], ['A'.repeat(32)], ['A'.repeat(33)], ['LD', 7]),
    fc.integer({ min: 64, max: 66 }).map((n) => Array.from({ length: n }, () => 'LD')),
  ) },
);
const body = fc.oneof(
  { weight: 5, arbitrary: fc.record({ session_id: sessionId, technologies, extra: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value) ?? '') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.tuple(uuid, fc.integer({ min: 1, max: 40 })).map(([id, cut]) => JSON.stringify({ session_id: id, technologies: ['LD'] }).slice(0, -cut)) },
  { weight: 1, arbitrary: uuid.map((id) => `{"__proto__": {"session_id": "${id}", "technologies": ["LD"]}}`) },
  { weight: 1, arbitrary: uuid.map((id) => `{"constructor": {"prototype": {"session_id": "${id}"}}, "session_id": "${id}", "technologies": []}`) },
  { weight: 1, arbitrary: uuid.map((id) => JSON.stringify({ session_id: id, technologies: ['LD'], padding: 'x'.repeat(1 << 20) })) },
);
const status = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(200, 201) }, { weight: 3, arbitrary: fc.integer({ min: 200, max: 599 }) });
const answer: fc.Arbitrary<Answer> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('http' as const), status, body, delay: fc.constantFrom(0, 0, 5) }) },
  { weight: 1, arbitrary: fc.constantFrom<Answer>({ kind: 'network' }, { kind: 'hang' }, { kind: 'broken-body' }) },
);

afterEach(() => {
  restoreFetch();
  takeProblems();
});

describe('adversarial endpoint answers', () => {
  it('become a typed flow-error or a valid session; a frame only ever shows a validated flow URL', async function () {
    this.timeout(60_000);
    let current: Answer = { kind: 'network' };
    stubFetch((call) => respond(current, call));
    // Long enough that a 5 ms answer on a loaded CI machine is never taken for a timeout; the few hung
    // answers each cost this much.
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin} timeout="500"></biometric-flow>`,
    );
    // The flow's frames, and apart from them the warm-up's (which may only ever load the warm URL).
    const frames: string[] = [];
    const warmFrames: string[] = [];
    new MutationObserver(() => {
      for (const frame of el.shadowRoot!.querySelectorAll('iframe')) {
        const seen = frame.matches('[part~="frame"]') ? frames : warmFrames;
        if (!seen.includes(frame.src)) seen.push(frame.src);
      }
    }).observe(el.shadowRoot!, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
    const events: Array<{ type: string; detail: unknown }> = [];
    for (const name of ['session-created', 'flow-error', 'finished', 'cancelled'] as const) {
      el.addEventListener(name, (event) => events.push({ type: name, detail: (event as CustomEvent).detail }));
    }

    await fc.assert(
      fc.asyncProperty(answer, async (given) => {
        current = given;
        el.reset();
        await el.updateComplete;
        events.length = 0;
        frames.length = 0;
        warmFrames.length = 0;
        const expected = expectedOf(given);
        let rejected: unknown;
        const result = await el.start().catch((error: unknown) => (rejected = error ?? 'rejected'));
        await el.updateComplete;
        await nextTask();
        expect(rejected, 'start() never rejects').to.equal(undefined);
        expect(takeProblems(), 'no uncaught error or unhandled rejection').to.deep.equal([]);
        for (const src of warmFrames) expect(src).to.equal(`${flowOrigin}/favicon.ico`);
        for (const src of frames) {
          const url = new URL(src);
          expect(url.origin, src).to.equal(flowOrigin);
          expect(url.pathname, src).to.match(/^\/flow\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
          expect([...url.searchParams.keys()], src).to.deep.equal(['web_view', 'locale']);
        }
        if (expected.session) {
          expect(result).to.deep.equal(expected.session);
          expect(events.map((event) => event.type)).to.deep.equal(['session-created']);
          expect(frames).to.deep.equal([`${flowOrigin}/flow/${expected.session.id}?web_view=true&locale=ru`]);
        } else {
          expect(result).to.equal(undefined);
          expect(events.map((event) => event.type)).to.deep.equal(['flow-error']);
          const detail = events[0]!.detail as FlowErrorDetail;
          expect(CODES.has(detail.code), detail.code).to.equal(true);
          expect(detail.code).to.equal(expected.code);
          expect(detail.message).to.be.a('string');
          expect(detail.retryable).to.be.a('boolean');
          if (expected.status !== undefined) {
            expect(detail.status).to.equal(expected.status);
            expect(detail.retryable).to.equal(expected.status >= 500 || expected.status === 429);
          }
          expect(frames).to.deep.equal([]);
          expect(el.state).to.equal('error');
          expect(liveWindowListeners()).to.deep.equal([]);
          expect(liveTimers()).to.deep.equal([]);
          expect(pendingFetches()).to.deep.equal([]);
        }
      }),
      { numRuns: 120, seed: 0x5e55_1011 },
    );
    el.remove();
    await nextTask();
    expect(liveWindowListeners()).to.deep.equal([]);
    expect(liveTimers()).to.deep.equal([]);
  });
});
