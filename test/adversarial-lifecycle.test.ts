// Adversarial lifecycle: random sequences of start, cancel, reset, removal, re-insertion, attribute
// changes and late answers. Invariants: one session request per start at most, no finished after
// cancelled, nothing from an ended start, and at the end nothing left: no window listener, no timer,
// no open popup, no pending request.
import {
  closeAllPopups,
  fetchCalls,
  flowOrigin,
  liveTimers,
  liveWindowListeners,
  nextTask,
  openPopups,
  pendingFetches,
  restoreFetch,
  sleep,
  stubFetch,
  takeProblems,
  type FetchCall,
} from './support/adversarial.js';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import fc from 'fast-check';
import '../src/index.js';
import { SESSION_ID, frameOf, json } from './support/helpers.js';

type Command =
  | { do: 'start' | 'cancel' | 'reset' | 'remove' | 'insert' | 'move' | 'click' | 'finish-message' | 'close-popup' }
  | { do: 'answer'; with: 'valid' | 'invalid' | '500' | 'network' }
  | { do: 'attr'; name: string; value: string | null }
  | { do: 'wait'; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Command>({ do: 'start' }) },
  { weight: 3, arbitrary: fc.constantFrom<Command>({ do: 'cancel' }, { do: 'reset' }, { do: 'remove' }, { do: 'insert' }, { do: 'move' }, { do: 'click' }) },
  { weight: 2, arbitrary: fc.constantFrom<Command>({ do: 'finish-message' }, { do: 'close-popup' }) },
  { weight: 4, arbitrary: fc.constantFrom('valid', 'valid', 'invalid', '500', 'network').map((w) => ({ do: 'answer', with: w }) as Command) },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constantFrom('inline', 'modal', 'popup', 'bogus', null).map((value) => ({ do: 'attr', name: 'mode', value }) as Command),
      fc.constantFrom(null, SESSION_ID, 'not-a-uuid').map((value) => ({ do: 'attr', name: 'session-id', value }) as Command),
      fc.constantFrom('', null).map((value) => ({ do: 'attr', name: 'autostart', value }) as Command),
      fc.constantFrom('/api/status', null).map((value) => ({ do: 'attr', name: 'status-endpoint', value }) as Command),
      fc.constantFrom(flowOrigin, location.origin, 'http://evil.example', 'javascript:alert(1)').map((value) => ({ do: 'attr', name: 'flow-base-url', value }) as Command),
      fc.constantFrom('15000', '30', '0', 'NaN').map((value) => ({ do: 'attr', name: 'timeout', value }) as Command),
      fc.constantFrom('modal', 'none').map((value) => ({ do: 'attr', name: 'popup-fallback', value }) as Command),
      fc.constantFrom('/api/session', null).map((value) => ({ do: 'attr', name: 'session-endpoint', value }) as Command),
    ),
  },
  { weight: 3, arbitrary: fc.constantFrom(0, 0, 1, 30, 120).map((ms) => ({ do: 'wait', ms }) as Command) },
);

interface Pending {
  call: FetchCall;
  resolve: (response: Response) => void;
  reject: (error: unknown) => void;
}

type Entry =
  | { kind: 'event'; type: string; detail: unknown }
  | { kind: 'start'; fresh: boolean; requests: number }
  | { kind: 'end-by-host'; what: string };

/** Checks the log: one request per fresh start, nothing after an ending, at most one end per start. */
function checkLog(log: Entry[]): string[] {
  const problems: string[] = [];
  let ended = true;
  let endings: string[] = [];
  // #fail sets the error state, then reports: one flow-error may follow the state-change.
  let errorReport = false;
  for (const [index, entry] of log.entries()) {
    const at = `#${index} ${JSON.stringify(entry).slice(0, 160)}`;
    if (entry.kind === 'start') {
      if (entry.requests > (entry.fresh ? 1 : 0)) problems.push(`${at}: ${entry.requests} session requests for one start`);
      if (entry.fresh) {
        ended = false;
        endings = [];
      }
      continue;
    }
    if (entry.kind === 'end-by-host') {
      ended = true;
      continue;
    }
    const { type, detail } = entry;
    if (type === 'finished' || type === 'cancelled') {
      if (endings.length > 0) problems.push(`${at}: ${type} after ${endings.join(', ')}`);
      endings.push(type);
    }
    if (errorReport && type === 'flow-error') {
      errorReport = false;
      continue;
    }
    errorReport = false;
    if (ended && type !== 'state-change') problems.push(`${at}: ${type} from a start that had ended`);
    if (ended && type === 'state-change' && (detail as { state: string }).state !== 'idle') {
      problems.push(`${at}: state-change from a start that had ended`);
    }
    if (type === 'finished' || type === 'cancelled') ended = true;
    if (type === 'state-change' && (detail as { state: string }).state === 'error' && !ended) {
      ended = true;
      errorReport = true;
    }
  }
  return problems;
}

let pending: Pending[] = [];

function answerFor(kind: string, call: FetchCall): Response | Error {
  if (kind === 'network') return new TypeError('Failed to fetch');
  if (kind === '500') return json({ error: 'boom' }, 500);
  if (call.url.pathname === '/api/status') {
    return kind === 'valid' ? json({ session_id: SESSION_ID, status: 'FINISHED', result: { ok: true } }) : json({ status: 7 });
  }
  return kind === 'valid' ? json({ session_id: SESSION_ID, technologies: ['LD'] }) : json({ session_id: '../evil', technologies: ['LD'] });
}

afterEach(() => {
  closeAllPopups();
  restoreFetch();
  takeProblems();
});

async function runSequences(allowDetachedStart: boolean, numRuns: number, seed: number): Promise<void> {
  {
    const container = await fixture<HTMLDivElement>(html`<div></div>`);
    const overflow = document.documentElement.style.overflow;

    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        pending = [];
        stubFetch((call) => new Promise<Response>((resolve, reject) => pending.push({ call, resolve, reject })));
        const el = document.createElement('biometric-flow');
        el.setAttribute('session-endpoint', '/api/session');
        el.setAttribute('flow-base-url', flowOrigin);
        el.setAttribute('locale', 'en');
        const log: Entry[] = [];
        for (const name of ['session-created', 'flow-loaded', 'flow-message', 'finished', 'cancelled', 'flow-error', 'state-change']) {
          el.addEventListener(name, (event) => log.push({ kind: 'event', type: name, detail: (event as CustomEvent).detail }));
        }
        const rejections: unknown[] = [];
        const realStart = el.start.bind(el);
        let lastPromise: Promise<unknown> | undefined;
        el.start = () => {
          const before = fetchCalls.filter((call) => call.url.pathname === '/api/session').length;
          const entry: Entry = { kind: 'start', fresh: false, requests: 0 };
          log.push(entry);
          const promise = realStart();
          entry.fresh = promise !== lastPromise;
          entry.requests = fetchCalls.filter((call) => call.url.pathname === '/api/session').length - before;
          lastPromise = promise;
          promise.catch((error: unknown) => rejections.push(error));
          return promise;
        };
        container.append(el);
        await el.updateComplete;

        try {
          for (const cmd of commands) {
            switch (cmd.do) {
              case 'start':
                if (allowDetachedStart || el.isConnected) void el.start();
                break;
              case 'click':
                el.shadowRoot?.querySelector<HTMLElement>('[part~="trigger"]')?.click();
                break;
              case 'cancel':
                el.cancel();
                log.push({ kind: 'end-by-host', what: 'cancel' });
                break;
              case 'reset':
                el.reset();
                log.push({ kind: 'end-by-host', what: 'reset' });
                break;
              case 'remove':
                if (el.isConnected) {
                  el.remove();
                  log.push({ kind: 'end-by-host', what: 'remove' });
                }
                break;
              case 'insert':
                if (!el.isConnected) container.append(el);
                break;
              case 'move':
                if (el.isConnected) {
                  container.prepend(document.createElement('span'));
                  container.append(el);
                  log.push({ kind: 'end-by-host', what: 'move' });
                }
                break;
              case 'finish-message': {
                const frame = frameOf(el);
                const target = frame?.contentWindow ?? openPopups().at(-1);
                target?.postMessage({ cmd: 'post', data: { event: 'flow.end' } }, '*');
                break;
              }
              case 'close-popup':
                openPopups().at(-1)?.close();
                break;
              case 'answer': {
                const next = pending.shift();
                if (next) {
                  const answer = answerFor(cmd.with, next.call);
                  if (answer instanceof Error) next.reject(answer);
                  else next.resolve(answer as Response);
                }
                break;
              }
              case 'attr':
                if (cmd.value === null) el.removeAttribute(cmd.name);
                else el.setAttribute(cmd.name, cmd.value);
                break;
              case 'wait':
                await (cmd.ms === 0 ? nextTask() : sleep(cmd.ms));
                break;
            }
            // Resources belong to a start under way only.
            await nextTask();
            if (!['requesting', 'loading', 'active'].includes(el.state)) {
              expect(liveWindowListeners(), `no window listener in state ${el.state}`).to.deep.equal([]);
              expect(liveTimers(), `no timer in state ${el.state}`).to.deep.equal([]);
              expect(openPopups().length, `no open popup in state ${el.state}`).to.equal(0);
              expect(pendingFetches(), `no pending request in state ${el.state}`).to.deep.equal([]);
            }
            expect(el.getAttribute('state')).to.equal(el.state);
          }

          // The end: the element leaves the page.
          if (el.isConnected) {
            el.remove();
            log.push({ kind: 'end-by-host', what: 'remove' });
          }
          for (const next of pending.splice(0)) next.resolve(answerFor('valid', next.call) as Response);
          await sleep(30);
          await nextTask();
          expect(takeProblems(), 'no uncaught error or unhandled rejection').to.deep.equal([]);
          expect(rejections, 'start() never rejects').to.deep.equal([]);
          expect(checkLog(log)).to.deep.equal([]);
          expect(liveWindowListeners(), 'no window listener at the end').to.deep.equal([]);
          expect(liveTimers(), 'no timer at the end').to.deep.equal([]);
          expect(openPopups().length, 'no open popup at the end').to.equal(0);
          expect(pendingFetches(), 'no pending request at the end').to.deep.equal([]);
          expect(document.head.querySelectorAll('link[rel="preconnect"]').length, 'no preconnect left').to.equal(0);
          expect(el.shadowRoot!.querySelectorAll('iframe:not([part~="frame"])').length, 'no warm frame left').to.equal(0);
          expect(document.documentElement.style.overflow, 'page scroll restored').to.equal(overflow);
        } finally {
          el.remove();
          el.reset();
          closeAllPopups();
          restoreFetch();
        }
      }),
      { numRuns, seed, includeErrorInReport: true },
    );
  }
}

describe('adversarial lifecycle', () => {
  it('random sequences, starts only while connected, keep the invariants and leave nothing behind', async function () {
    this.timeout(120_000);
    await runSequences(false, 60, 0x11fec7c1);
  });

  // FAILS until start() on a disconnected element is handled: such a start runs with nothing to end it.
  it('random sequences with starts at any time keep the invariants and leave nothing behind', async function () {
    this.timeout(120_000);
    await runSequences(true, 60, 0x11fec7c2);
  });

  it('start() on a removed element leaves no listener, request or popup behind (inline)', async () => {
    stubFetch(() => json({ session_id: SESSION_ID, technologies: ['LD'] }));
    const el = await fixture<HTMLElement & { start(): Promise<unknown>; state: string }>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    el.remove();
    await el.start();
    await sleep(50);
    expect(liveWindowListeners(), `state ${el.state}`).to.deep.equal([]);
  });

  it('start() on a removed element in modal mode throws nothing out of the element', async () => {
    stubFetch(() => json({ session_id: SESSION_ID, technologies: ['LD'] }));
    const el = await fixture<HTMLElement & { start(): Promise<unknown>; reset(): void }>(
      html`<biometric-flow mode="modal" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    el.remove();
    await el.start();
    await sleep(50);
    el.reset();
    expect(takeProblems()).to.deep.equal([]);
  });

  it('reset() and start() in one task with session-id loads the flow again', async () => {
    const el = await fixture<HTMLElement & { start(): Promise<unknown>; reset(): void; state: string }>(
      html`<biometric-flow session-id=${SESSION_ID} flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    await el.start();
    await waitUntil(() => el.state === 'active', 'first load');
    el.reset();
    void el.start();
    await waitUntil(() => el.state === 'active', 'the restarted flow becomes active', { timeout: 3000 }).catch(() => undefined);
    expect(el.state).to.equal('active');
    expect(el.shadowRoot!.querySelectorAll('iframe').length, 'one frame: the first one is gone').to.equal(1);
  });
});
