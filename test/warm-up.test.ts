import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement } from '../src/index.js';
import { warmUrl } from '../src/warm-up.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { frameOf, json, never, sessionAnswer, stubEndpoint } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;

async function element(warm?: string): Promise<BiometricFlowElement> {
  return fixture<BiometricFlowElement>(
    html`<biometric-flow
      session-endpoint="/api/session"
      flow-base-url=${`${flowOrigin}/kyc`}
      locale="en"
      warm-url=${warm ?? (undefined as unknown as string)}
    ></biometric-flow>`,
  );
}

function warmFrame(el: BiometricFlowElement): HTMLIFrameElement | null {
  return el.shadowRoot!.querySelector('iframe:not([part~="frame"])');
}

/** Every frame other than the flow's that is ever put in the element's shadow root. */
function watchWarmFrames(el: BiometricFlowElement): { made: HTMLIFrameElement[]; stop: () => void } {
  const made: HTMLIFrameElement[] = [];
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node instanceof HTMLIFrameElement && node.getAttribute('part') !== 'frame') made.push(node);
      }
    }
  });
  observer.observe(el.shadowRoot!, { childList: true, subtree: true });
  return { made, stop: () => observer.disconnect() };
}

/** Waits one task: anything a start puts in later than its own would show by then. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve));

afterEach(() => sinon.restore());

describe('warm-up: the URL', () => {
  const base = new URL('https://flow.example/kyc/');
  const documentBase = 'https://shop.example/checkout';

  it('defaults to favicon.ico under the flow base', () => {
    expect(warmUrl(undefined, base, documentBase)?.href).to.equal('https://flow.example/kyc/favicon.ico');
    expect(warmUrl('', base, documentBase)?.href).to.equal('https://flow.example/kyc/favicon.ico');
  });

  it('takes a URL of the flow origin, and nothing for none, another origin or a malformed URL', () => {
    expect(warmUrl('https://flow.example/ping', base, documentBase)?.href).to.equal('https://flow.example/ping');
    expect(warmUrl('none', base, 'https://flow.example/page')?.href, 'none, even where it resolves on the flow origin').to.equal(undefined);
    expect(warmUrl('/ping', base, documentBase)?.href, 'relative to the page: another origin').to.equal(undefined);
    expect(warmUrl('https://other.example/favicon.ico', base, documentBase)?.href).to.equal(undefined);
    expect(warmUrl('https://[', base, documentBase)?.href).to.equal(undefined);
  });
});

describe('warm-up: the hidden frame', () => {
  it('loads the warm URL in a hidden, inert frame while the session is requested', async () => {
    stubEndpoint(never);
    const el = await element();
    void el.start();
    await waitUntil(() => warmFrame(el) !== null, 'a warm frame while the session is requested');
    const frame = warmFrame(el)!;
    expect(el.state).to.equal('requesting');
    expect(frame.src).to.equal(`${flowOrigin}/kyc/favicon.ico`);
    expect(frame.hasAttribute('allow'), 'no allow').to.equal(false);
    expect(frame.referrerPolicy).to.equal('strict-origin-when-cross-origin');
    // Out of sight, of the accessibility tree and of the focus order (visibility: hidden does all three).
    const box = frame.getBoundingClientRect();
    expect([box.width, box.height]).to.deep.equal([0, 0]);
    expect(getComputedStyle(frame).visibility).to.equal('hidden');
    frame.focus();
    expect(el.shadowRoot!.activeElement).to.not.equal(frame);
    await expect(el).to.be.accessible();
    el.cancel();
  });

  it('loads warm-url when it is set', async () => {
    stubEndpoint(never);
    const el = await element(`${flowOrigin}/warm`);
    void el.start();
    await waitUntil(() => warmFrame(el) !== null);
    expect(warmFrame(el)!.src).to.equal(`${flowOrigin}/warm`);
    el.cancel();
  });

  it('stays until the flow has loaded, then is gone', async () => {
    let answer!: (response: Response) => void;
    stubEndpoint(() => new Promise<Response>((resolve) => (answer = resolve)));
    const el = await element();
    const started = el.start();
    await waitUntil(() => answer !== undefined && warmFrame(el) !== null);
    answer(sessionAnswer());
    const loaded = oneEvent(el, 'flow-loaded');
    await started;
    // Booleans: a failing assertion that carries a cross-origin frame hangs the test runner's reporter.
    expect(frameOf(el) !== null, 'the flow frame is there').to.equal(true);
    // Firefox drops a connection still being opened along with the frame that asked for it.
    expect(warmFrame(el) !== null, 'the warm frame stays while the flow loads').to.equal(true);
    await loaded;
    expect(warmFrame(el) === null, 'the warm frame is gone once the flow loaded').to.equal(true);
  });

  it('is gone on cancel, on an error and when the element leaves the page', async () => {
    const ends: Array<[string, (el: BiometricFlowElement, fail: () => void) => void]> = [
      ['cancel', (el) => el.cancel()],
      ['error', (_el, fail) => fail()],
      ['disconnect', (el) => el.remove()],
    ];
    for (const [name, end] of ends) {
      let fail!: () => void;
      stubEndpoint(() => new Promise<Response>((resolve) => (fail = () => resolve(json({ error: { code: 'x' } }, 500)))));
      const el = await element();
      const error = oneEvent(el, 'flow-error');
      void el.start();
      await waitUntil(() => fail !== undefined && warmFrame(el) !== null, `${name}: a warm frame first`);
      end(el, fail);
      if (name === 'error') await error;
      expect(warmFrame(el) === null, `${name}: the warm frame is gone`).to.equal(true);
      sinon.restore();
    }
  });

  // The frame goes in within start(), right after the session request: a request rejected at once (a
  // refused one) takes it out again before the page renders.
  it('leaves no warm frame when the session request fails at once', async () => {
    stubEndpoint(() => Promise.reject(new TypeError('Failed to fetch')));
    const el = await element();
    const watch = watchWarmFrames(el);
    const error = oneEvent(el, 'flow-error');
    await el.start();
    expect((await error).detail.code).to.equal('session-request-failed');
    watch.stop();
    expect(watch.made.map((frame) => frame.isConnected), 'warm frames made, and whether each is still in').to.deep.equal([false]);
    expect(warmFrame(el) === null, 'no warm frame').to.equal(true);
  });

  it('makes nothing with warm-url="none", nor for a flow on the page’s own origin', async () => {
    for (const el of [
      await element('none'),
      await fixture<BiometricFlowElement>(html`<biometric-flow session-endpoint="/api/session" flow-base-url=${location.origin}></biometric-flow>`),
    ]) {
      let answer!: (response: Response) => void;
      stubEndpoint(() => new Promise<Response>((resolve) => (answer = resolve)));
      const watch = watchWarmFrames(el);
      const started = el.start();
      await waitUntil(() => answer !== undefined);
      await nextTask();
      await nextTask();
      answer(sessionAnswer());
      await started;
      watch.stop();
      expect(watch.made, 'warm frames made').to.have.length(0);
      sinon.restore();
    }
  });
});

describe('warm-up: popups', () => {
  // A popup is a top-level document of the flow's site: neither a frame in this page nor this page's
  // preconnect opens a connection it uses (npm run bench -- --network measured both).
  it('makes neither a warm frame nor a preconnect for a popup', async () => {
    stubEndpoint(never);
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow mode="popup" locale="en" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    const watch = watchWarmFrames(el);
    const links = () => document.head.querySelectorAll('link[rel="preconnect"]').length;
    const open = sinon.spy(window, 'open');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="trigger"]')!.click();
    await waitUntil(() => el.state === 'requesting');
    await nextTask();
    await nextTask();
    expect(open.callCount, 'the popup opened').to.equal(1);
    expect(watch.made, 'warm frames made').to.have.length(0);
    expect(links(), 'preconnect links').to.equal(0);
    el.cancel();
    watch.stop();
  });
});
