// Adversarial tests of how <biometric-flow> hears the end of the flow: who may talk to it, when, and
// with what. The instrumentation must load before the element.
import {
  closeAllPopups,
  expectedFor,
  flowOrigin,
  liveTimers,
  liveWindowListeners,
  messageFrom,
  nextTask,
  openPopups,
  prototypeKeys,
  restoreFetch,
  scriptUrl,
  stubFetch,
  takeProblems,
} from './support/adversarial.js';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import fc from 'fast-check';
import '../src/index.js';
import type { BiometricFlowElement } from '../src/index.js';
import { OTHER_SESSION_ID, SESSION_ID, frameOf, json } from './support/helpers.js';

const EVENTS = ['session-created', 'flow-loaded', 'flow-message', 'finished', 'cancelled', 'flow-error'] as const;
const OTHER_ORIGIN = location.origin;

type Mode = 'inline' | 'popup';

interface Open {
  el: BiometricFlowElement;
  /** The window the flow runs in: the frame's or the popup. */
  flow: Window;
  /** Element events since the flow loaded (state-change left out). */
  events: Array<{ type: string; detail: unknown }>;
}

function sessionFetch(): void {
  stubFetch((call) => (call.url.pathname === '/api/session' ? json({ session_id: SESSION_ID, technologies: ['LDHP', 'F2F'] }) : json({}, 404)));
}

/**
 * Starts `el` and resolves once the test flow page has loaded and said it is ready: its frame's load event
 * may come before that message (WebKit) or after it (Chromium). Both are in before a test records events.
 */
async function startAndReady(el: BiometricFlowElement): Promise<void> {
  const loaded = oneEvent(el, 'flow-loaded');
  const ready = new Promise<void>((resolve) => {
    el.addEventListener('flow-message', function listener(event) {
      if ((event.detail.data as { event?: string }).event !== 'test-flow-ready') return;
      el.removeEventListener('flow-message', listener);
      resolve();
    });
  });
  void el.start();
  await Promise.all([loaded, ready]);
  await el.updateComplete;
}

/** A started element whose flow page, at `base`, has loaded in a frame or a popup. */
async function openFlow(base: string, mode: Mode = 'inline'): Promise<Open> {
  sessionFetch();
  const el = await fixture<BiometricFlowElement>(
    html`<biometric-flow session-endpoint="/api/session" flow-base-url=${base} mode=${mode}></biometric-flow>`,
  );
  const before = window.open;
  let popup: Window | null = null;
  window.open = (...args) => (popup = before.apply(window, args));
  const started = startAndReady(el);
  window.open = before;
  await started;
  const flow = mode === 'popup' ? popup! : frameOf(el)!.contentWindow!;
  const events: Open['events'] = [];
  for (const name of EVENTS) el.addEventListener(name, (event) => events.push({ type: name, detail: (event as CustomEvent).detail }));
  return { el, flow, events };
}

/** Tells a test flow page to post `data` to its parent or opener. */
function tell(target: Window, data: unknown): void {
  target.postMessage({ cmd: 'post', data }, '*');
}

/** Runs `code` inside a test flow page (same origin or not) through a `javascript:` navigation. */
function runIn(target: Window, code: string): void {
  target.postMessage({ cmd: 'navigate', url: scriptUrl(code) }, '*');
}

/** A test flow page at `url` in a frame of this page, once it said it is ready. */
async function pageFrame(url: string): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  frame.src = url;
  const ready = messageFrom(() => frame.contentWindow);
  document.body.append(frame);
  await ready;
  return frame;
}

/** Marks the point by which everything the flow window posted before has been handled. */
async function sync(open: Open): Promise<void> {
  const pong = messageFrom(() => open.flow, (data) => (data as { event?: string })?.event === 'pong');
  tell(open.flow, { event: 'pong' });
  await pong;
  const last = open.events.pop();
  expect(last?.type, 'the pong came back as a flow-message').to.equal('flow-message');
}

let protoBefore: Record<string, string[]>;

before(() => {
  protoBefore = prototypeKeys();
});

afterEach(async () => {
  closeAllPopups();
  restoreFetch();
  for (const frame of document.querySelectorAll('body > iframe')) frame.remove();
  await nextTask();
  takeProblems();
});

after(() => {
  expect(prototypeKeys(), 'built-in prototypes are unchanged').to.deep.equal(protoBefore);
  expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
});

describe('adversarial messages: who may end the flow', () => {
  const FINISH = { event: 'flow.end', session_id: SESSION_ID, status: 'FINISHED' };

  for (const mode of ['inline', 'popup'] as const) {
    for (const [where, base, other] of [
      ['a cross-origin flow', flowOrigin, OTHER_ORIGIN],
      ['a same-origin flow', OTHER_ORIGIN, flowOrigin],
    ] as const) {
      it(`${mode}, ${where}: only the flow window on the flow origin is heard`, async function () {
        this.timeout(20_000);
        const open = await openFlow(base, mode);
        const { el, flow, events } = open;
        const parentOf = mode === 'popup' ? 'parent.opener' : 'parent.parent';
        const rejected: string[] = [];
        const expectUnheard = async (name: string) => {
          await sync(open);
          if (events.length > 0 || el.state !== 'active') rejected.push(`${name}: ${JSON.stringify(events)} state ${el.state}`);
          events.length = 0;
        };

        // Wrong source, this page's origin (right origin when the flow is same-origin).
        let heard = messageFrom(() => window);
        window.postMessage(FINISH, '*');
        window.postMessage('finished', '*');
        await heard;
        await expectUnheard('window itself');

        // Right origin, wrong source: a twin flow page at the flow origin.
        const twin = await pageFrame(`${base}/flow/${SESSION_ID}`);
        heard = messageFrom(() => twin.contentWindow, (data) => data === 'finished');
        tell(twin.contentWindow!, FINISH);
        tell(twin.contentWindow!, 'finished');
        await heard;
        await expectUnheard('a twin frame at the flow origin');

        // Wrong origin, wrong source.
        const stranger = await pageFrame(`${other}/flow/${SESSION_ID}`);
        heard = messageFrom(() => stranger.contentWindow, (data) => data === 'finished');
        tell(stranger.contentWindow!, FINISH);
        tell(stranger.contentWindow!, 'finished');
        await heard;
        await expectUnheard('a frame at another origin');

        // Right origin, wrong source: a frame nested in the flow window, posting to the page.
        const nested = (code: string, sandbox = false) => {
          runIn(
            flow,
            `const f = document.createElement('iframe');
             ${sandbox ? "f.sandbox = 'allow-scripts';" : ''}
             f.srcdoc = '<script>${code}<\\/script>';
             document.body.append(f);`,
          );
        };
        heard = messageFrom(() => flow.frames[0] ?? null, (data) => data === 'finished');
        nested(`${parentOf}.postMessage(${JSON.stringify(JSON.stringify(FINISH)).slice(1, -1)}, "*"); ${parentOf}.postMessage("finished", "*");`);
        await heard;
        await expectUnheard('a frame nested in the flow window');

        // Wrong origin, nested: a sandboxed (opaque-origin) frame in the flow window.
        heard = messageFrom(() => flow.frames[1] ?? null, (data) => data === 'finished');
        nested(`${parentOf}.postMessage("finished", "*");`, true);
        const opaque = await heard;
        expect(opaque.origin).to.equal('null');
        await expectUnheard('an opaque-origin frame nested in the flow window');

        if (mode === 'inline') {
          // The nested frame aiming at top rather than its parent's parent.
          heard = messageFrom(() => flow.frames[2] ?? null, (data) => data === 'finished');
          nested('top.postMessage({ type: "finish" }, "*"); top.postMessage("finished", "*");');
          await heard;
          await expectUnheard('a nested frame posting to top');
        }

        // Right source, wrong origin: the flow window itself, moved to another origin.
        heard = messageFrom(() => flow, (data) => (data as { event?: string })?.event === 'test-flow-ready');
        flow.postMessage({ cmd: 'navigate', url: `${other}/flow/${SESSION_ID}?moved` }, '*');
        const moved = await heard;
        expect(moved.origin).to.equal(other);
        heard = messageFrom(() => flow, (data) => data === 'finished');
        tell(flow, FINISH);
        tell(flow, 'finished');
        await heard;
        if (events.some((event) => event.type !== 'flow-loaded') || el.state !== 'active') {
          rejected.push(`the flow window on another origin: ${JSON.stringify(events)} state ${el.state}`);
        }
        events.length = 0;

        expect(rejected, 'messages that were heard although they must not be').to.deep.equal([]);

        // Back on the flow origin, the flow window is heard again, and ends the flow once.
        heard = messageFrom(() => flow, (data) => (data as { event?: string })?.event === 'test-flow-ready');
        flow.postMessage({ cmd: 'navigate', url: `${base}/flow/${SESSION_ID}` }, '*');
        await heard;
        events.length = 0;
        const finished = oneEvent(el, 'finished');
        tell(flow, FINISH);
        await finished;
        expect(events.map((event) => event.type)).to.deep.equal(['flow-message', 'finished']);
        expect(takeProblems()).to.deep.equal([]);
      });
    }
  }
});

describe('adversarial messages: before the flow is there, and after it ended', () => {
  it('hears nothing while the session is requested, and has no window listener then', async () => {
    let answer!: (response: Response) => void;
    stubFetch(() => new Promise<Response>((resolve) => (answer = resolve)));
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${OTHER_ORIGIN}></biometric-flow>`,
    );
    const events: string[] = [];
    for (const name of EVENTS) el.addEventListener(name, () => events.push(name));
    void el.start();
    await waitUntil(() => answer !== undefined);
    expect(el.state).to.equal('requesting');
    expect(liveWindowListeners(), 'no message listener before there is a flow').to.deep.equal([]);
    // Same origin as the flow here: only the source check stands between these and a finish.
    const twin = await pageFrame(`${OTHER_ORIGIN}/flow/${SESSION_ID}`);
    const heard = messageFrom(() => twin.contentWindow, (data) => data === 'finished');
    tell(twin.contentWindow!, 'finished');
    window.postMessage('finished', '*');
    await heard;
    expect(events).to.deep.equal([]);
    const loaded = oneEvent(el, 'flow-loaded');
    answer(json({ session_id: SESSION_ID, technologies: ['LD'] }));
    await loaded;
    expect(events).to.deep.equal(['session-created', 'flow-message', 'flow-loaded']);
    expect(el.state).to.equal('active');
  });

  const endings: Array<[string, (el: BiometricFlowElement) => void, string[]]> = [
    ['cancel()', (el) => el.cancel(), ['cancelled']],
    ['reset()', (el) => el.reset(), []],
    ['removal', (el) => el.remove(), []],
  ];
  for (const [name, end, expected] of endings) {
    it(`ignores finish messages already on their way when ${name} ends the flow`, async () => {
      const open = await openFlow(flowOrigin);
      let recognised = 0;
      open.el.isFinishMessage = (data) => {
        if (data === 'marker') return false;
        recognised += 1;
        return true;
      };
      // The flow posts a marker and three finishes in one task: when the marker arrives the finishes are
      // queued already, and the flow ends right then.
      const ended = new Promise<void>((resolve) => {
        addEventListener('message', function listener(event) {
          if (event.source === open.flow && event.data === 'marker') {
            removeEventListener('message', listener);
            end(open.el);
            resolve();
          }
        });
      });
      // Firefox drops what a removed frame posted; Chromium delivers it. Either way, wait for it a while.
      const flowWindow = open.flow;
      const last = Promise.race([
        messageFrom(() => flowWindow, (data) => data === 'finish', 1000).catch(() => undefined),
        messageFrom(() => null, (data) => data === 'finish', 1000).catch(() => undefined),
      ]);
      runIn(open.flow, `for (const d of ['marker', 'finished', {event: 'flow.end'}, 'finish']) parent.postMessage(d, '*');`);
      await ended;
      await last;
      // The element's listener came before ours: it heard the marker, then nothing more.
      expect(open.events.map((event) => event.type)).to.deep.equal(['flow-message', ...expected]);
      expect(recognised, 'isFinishMessage is not asked after the end').to.equal(0);
      expect(liveWindowListeners()).to.deep.equal([]);
    });
  }

  it('fires finished once for a burst of finish messages, and hears nothing after', async () => {
    const open = await openFlow(OTHER_ORIGIN);
    const last = messageFrom(() => window, (data) => data === 'after');
    runIn(open.flow, `for (const d of ['finished', {event: 'flow.end'}, {type: 'finish'}, {url: location.origin + '/finished'}]) parent.postMessage(d, '*');`);
    await oneEvent(open.el, 'finished');
    // The frame is gone with the flow; the page and a twin at the flow origin still talk.
    const twin = await pageFrame(`${OTHER_ORIGIN}/flow/${SESSION_ID}`);
    tell(twin.contentWindow!, 'finished');
    window.postMessage('after', '*');
    await last;
    await messageFrom(() => twin.contentWindow, () => true).catch(() => undefined);
    expect(open.events.map((event) => event.type)).to.deep.equal(['flow-message', 'finished']);
    expect(open.el.state).to.equal('finished');
    expect(liveWindowListeners()).to.deep.equal([]);
    expect(liveTimers()).to.deep.equal([]);
  });

  it('closes the popup on cancel, and a message from the closing popup changes nothing', async () => {
    const open = await openFlow(flowOrigin, 'popup');
    runIn(open.flow, `opener.postMessage('finished', '*')`);
    open.el.cancel();
    expect(open.flow.closed, 'the popup closes at once').to.equal(true);
    await nextTask();
    await nextTask();
    expect(open.events.map((event) => event.type)).to.deep.equal(['cancelled']);
    expect(openPopups()).to.deep.equal([]);
    expect(liveTimers()).to.deep.equal([]);
    expect(liveWindowListeners()).to.deep.equal([]);
  });
});

/** Values that survive structured cloning but are not plain JSON. */
function exoticArbitrary(finishedHref: string): fc.Arbitrary<unknown> {
  const word = fc.constantFrom('finished', 'finish', 'flow.end', 'FINISHED', ' finished', 'finished\u0000', 'flow.End', '');
  return fc.oneof(
    fc.date({ noInvalidDate: false }),
    fc.tuple(word, word).map(([a, b]) => new Map<unknown, unknown>([['event', a], [b, { event: a }]])),
    word.map((w) => new Set([w, { event: w }])),
    word.map((w) => new RegExp(w.replace(/[^a-z]/g, ''))),
    fc.integer({ min: 0, max: 64 }).map((n) => new Uint8Array(n)),
    fc.integer({ min: 0, max: 64 }).map((n) => new ArrayBuffer(n)),
    word.map((w) => new Blob(['x'], { type: w })),
    word.map((w) => Object.assign(new Error(w), { event: w })),
    fc.bigInt().map((n) => ({ event: n })),
    word.map((w) => new String(w)),
    word.map((w) => [w, { event: w }]),
    word.map((w) => Object.assign(Object.create(null) as object, { event: w })),
    // Getters run in the sender and are flattened into plain values.
    word.map((w) => Object.defineProperty({}, 'event', { get: () => w, enumerable: true })),
    word.map((w) => Object.defineProperty({}, 'event', { get: () => w, enumerable: false })),
    word.map((w) => new (class Flow { event = w; url = finishedHref; })()),
    fc.constantFrom(NaN, -0, Infinity, undefined, null, true, 0),
  );
}

/** Objects whose keys try to reach a prototype. Built with JSON.parse so `__proto__` is an own key. */
function pollutingArbitrary(finishedHref: string): fc.Arbitrary<unknown> {
  const inner = fc.constantFrom(
    { polluted: 'yes', event: 'finished' },
    { polluted: 'yes', url: finishedHref },
    { prototype: { polluted: 'yes', event: 'flow.end' } },
    { type: 'finish', href: finishedHref },
  );
  const key = fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf');
  return fc
    .tuple(key, inner, fc.boolean(), fc.constantFrom('', '"event": "technology.start", '))
    .map(([k, v, nest, prefix]) => {
      const body = `{${prefix}${JSON.stringify(k)}: ${JSON.stringify(v)}}`;
      return JSON.parse(nest ? `{"event": "x", "nested": ${body}, "__proto__": ${body}}` : body) as unknown;
    });
}

/** Objects with the recogniser's fields, each from a list of near misses. */
function fieldsArbitrary(finishedHref: string): fc.Arbitrary<Record<string, unknown>> {
  const huge = fc.constantFrom(2047, 2048, 2049, 70_000).chain((n) =>
    fc.constantFrom('finished'.padEnd(n, ' '), finishedHref.padEnd(n, 'x'), 'x'.repeat(n)),
  );
  const value = fc.oneof(
    fc.constantFrom('finished', 'finish', 'flow.end', 'Finished', 'finish ', 'flow.end.', 'flow', 'technology.end', 'LDHP'),
    fc.constantFrom(
      finishedHref,
      `${finishedHref}?x=1`,
      `${finishedHref}/../flow`,
      finishedHref.toUpperCase(),
      ` ${finishedHref}`,
      finishedHref.slice(0, -1),
      finishedHref.replace('http:', 'https:'),
      'javascript:alert(1)',
      `${finishedHref}-help`,
      `${finishedHref}/`,
      `${finishedHref}/more`,
      `${finishedHref}#done`,
      new URL('/kyc/finished', finishedHref).href,
    ),
    huge,
    fc.string({ maxLength: 12 }),
    fc.constantFrom(undefined, null, 0, 1, true, NaN),
    fc.constantFrom(['finished'], { toString: 'finished' }, [finishedHref]),
  );
  return fc.record(
    {
      event: value,
      type: value,
      name: value,
      url: value,
      href: value,
      session_id: fc.oneof(fc.constantFrom(SESSION_ID, SESSION_ID.toUpperCase(), OTHER_SESSION_ID), value),
      status: value,
      technology_code: value,
      extra: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  );
}

/** Nested `depth` levels deep, with a finish only at the bottom. */
function deepArbitrary(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.boolean()).map(([depth, arrays]) => {
    let value: unknown = { event: 'finished' };
    for (let level = 0; level < depth; level += 1) value = arrays ? [value] : { event: value, nested: value === null };
    return value;
  });
}

function payloadArbitrary(finishedHref: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.jsonValue(),
    fc.anything({
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withBigInt: true,
      withNullPrototype: true,
      withBoxedValues: true,
      maxDepth: 3,
    }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fieldsArbitrary(finishedHref),
    pollutingArbitrary(finishedHref),
    exoticArbitrary(finishedHref),
    deepArbitrary(),
    fc.constantFrom('finished', 'finish', 'flow.end', 'Finished', 'finished '.trim() + '\n'),
  );
}

describe('adversarial messages: property-based payloads from the flow window', () => {
  it('accepts by the contract, finishes only on a finish message, never throws, pollutes nothing', async function () {
    this.timeout(60_000);
    const open = await openFlow(flowOrigin);
    const finishedHref = new URL('/finished', flowOrigin).href;
    let current = open;
    const failures: string[] = [];

    await fc.assert(
      fc.asyncProperty(fc.array(payloadArbitrary(finishedHref), { minLength: 1, maxLength: 5 }), async (payloads) => {
        for (const payload of payloads) {
          if (current.el.state !== 'active') {
            // The last payload ended the flow: start another one for the next.
            current.el.reset();
            await startAndReady(current.el);
            current = { ...current, flow: frameOf(current.el)!.contentWindow! };
          }
          current.events.length = 0;
          const delivered = messageFrom(() => current.flow, () => true);
          tell(current.flow, payload);
          const { data } = await delivered;
          const expected = expectedFor(data, finishedHref, SESSION_ID);
          const types = current.events.map((event) => event.type);
          const accepted = types.includes('flow-message');
          const finished = types.includes('finished');
          const problems = takeProblems();
          expect(problems, 'no uncaught error or unhandled rejection').to.deep.equal([]);
          if (expected.accepted !== undefined) expect(accepted, 'flow-message iff the contract accepts it').to.equal(expected.accepted);
          expect(finished, 'finished iff the contract says finish').to.equal(expected.finishes);
          expect(types.filter((type) => type === 'finished').length).to.be.at.most(1);
          if (accepted) {
            const seen = (current.events.find((event) => event.type === 'flow-message')!.detail as { data: unknown }).data;
            if (typeof seen === 'object' && seen !== null) {
              expect(Object.getPrototypeOf(seen) === Object.prototype, 'flow-message data has the plain prototype').to.equal(true);
              for (const key of ['event', 'type', 'name', 'url', 'href']) {
                const own = typeof data === 'object' && data !== null && Object.hasOwn(data, key) ? (data as Record<string, unknown>)[key] : undefined;
                if (expected.accepted) expect((seen as Record<string, unknown>)[key], `flow-message data.${key}`).to.equal(own);
              }
            }
          }
          expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
          if (!finished) expect(current.el.state).to.equal('active');
        }
      }),
      { numRuns: 60, seed: 0x0b10f10e, endOnFailure: false },
    ).catch((error: unknown) => failures.push(String(error)));
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });

  it('is not disturbed when the sender cannot clone what it posts', async () => {
    const open = await openFlow(flowOrigin);
    const pong = messageFrom(() => open.flow, (data) => data === 'pong');
    runIn(
      open.flow,
      `const failed = [];
       const getterThrows = Object.defineProperty({}, 'event', { get() { throw new Error('getter'); }, enumerable: true });
       const cases = [() => ({ event: 'finished', fn() {} }), () => Symbol('finished'), () => ({ event: 'flow.end', node: document.body }),
         () => new Proxy({ event: 'finished' }, {}), () => ({ event: 'finished', weak: new WeakMap() }), () => getterThrows,
         () => ({ event: 'finished', promise: Promise.resolve() }), () => [{ event: 'finished' }, () => 1]];
       for (const make of cases) {
         try { parent.postMessage(make(), '*'); failed.push('posted'); } catch (error) { failed.push(error.name); }
       }
       parent.postMessage({ event: 'sender-failed', names: failed.join(',') }, '*');
       parent.postMessage('pong', '*');`,
    );
    await pong;
    const types = open.events.map((event) => event.type);
    expect(types).to.deep.equal(['flow-message', 'flow-message']);
    const names = ((open.events[0]!.detail as { data: { names: string } }).data.names).split(',');
    expect(names, 'every case failed in the sender').to.not.include('posted');
    expect(open.el.state).to.equal('active');
    expect(takeProblems()).to.deep.equal([]);
    open.events.length = 0;
    // The test side fails the same way, and the element does not notice either.
    expect(() => tell(open.flow, { event: 'finished', fn: () => 1 })).to.throw();
    await sync(open);
    expect(open.events).to.deep.equal([]);
    const finished = oneEvent(open.el, 'finished');
    tell(open.flow, 'finished');
    await finished;
  });

  it("a host recogniser's answer counts only when it is exactly true, and its throw stays inside", async () => {
    const open = await openFlow(flowOrigin);
    const answers: Array<() => unknown> = [() => 1, () => 'true', () => ({}), () => [true], () => { throw new Error('host bug'); }, () => undefined, () => true];
    const realError = console.error;
    console.error = () => {};
    try {
      for (const [index, answer] of answers.entries()) {
        open.el.isFinishMessage = answer as () => boolean;
        open.events.length = 0;
        const delivered = messageFrom(() => open.flow, () => true);
        tell(open.flow, { event: 'custom', index });
        await delivered;
        const finished = open.events.some((event) => event.type === 'finished');
        expect(finished, `answer ${index}`).to.equal(index === answers.length - 1);
      }
    } finally {
      console.error = realError;
    }
    expect(takeProblems()).to.deep.equal([]);
  });
});

describe('adversarial messages: objects that are not plain', () => {
  // schemas.ts promises "a plain object ... Anything else is ignored"; a Blob's `type` is a getter on
  // its prototype, so a Blob typed "finished" must not end the flow.
  it('ignores a Blob typed "finished", a Map, a Date and a String object', async () => {
    const open = await openFlow(flowOrigin);
    for (const value of [new Map([['event', 'finished']]), new Date(0), new String('finished'), new Blob(['x'], { type: 'finished' })]) {
      const delivered = messageFrom(() => open.flow, () => true);
      tell(open.flow, value);
      await delivered;
    }
    expect(open.events.map((event) => `${event.type} ${JSON.stringify((event.detail as { data?: unknown }).data)}`)).to.deep.equal([]);
    expect(open.el.state).to.equal('active');
  });
});
