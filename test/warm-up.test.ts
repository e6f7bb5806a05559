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

describe('warm-up: a press on the start button', () => {
  const trigger = (el: BiometricFlowElement) => el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="trigger"]')!;
  const press = (target: Element, init: PointerEventInit = {}) =>
    target.dispatchEvent(new PointerEvent('pointerdown', { button: 0, bubbles: true, composed: true, ...init }));
  const key = (target: Element, init: KeyboardEventInit) => target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, composed: true, ...init }));

  it('puts the warm frame in at pointer-down, and the start that follows goes on with that frame', async () => {
    let answer!: (response: Response) => void;
    stubEndpoint(() => new Promise<Response>((resolve) => (answer = resolve)));
    const el = await element();
    const watch = watchWarmFrames(el);
    press(trigger(el));
    const ahead = warmFrame(el);
    expect(ahead?.src, 'a warm frame before the click').to.equal(`${flowOrigin}/kyc/favicon.ico`);
    expect(el.state, 'nothing started yet').to.equal('idle');
    trigger(el).click();
    await waitUntil(() => answer !== undefined, 'the session request');
    await nextTask();
    expect(watch.made.length, 'warm frames made').to.equal(1);
    expect(warmFrame(el) === ahead, 'the start kept the frame the press put in').to.equal(true);
    const loaded = oneEvent(el, 'flow-loaded');
    answer(sessionAnswer());
    await loaded;
    expect(warmFrame(el) === null, 'gone once the flow loaded').to.equal(true);
    watch.stop();
  });

  it('warms for a held Space or Enter and for a slotted button of the host, not for other keys, other buttons or a repeat', async () => {
    const el = await element();
    key(trigger(el), { key: 'a' });
    key(trigger(el), { key: ' ', repeat: true });
    press(trigger(el), { button: 2 });
    expect(warmFrame(el) === null, 'no frame for another key, a repeat or a right button').to.equal(true);
    key(trigger(el), { key: ' ' });
    expect(warmFrame(el) !== null, 'a frame for Space').to.equal(true);
    el.remove();
    const enter = await element();
    key(trigger(enter), { key: 'Enter' });
    expect(warmFrame(enter) !== null, 'a frame for Enter').to.equal(true);
    const slotted = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin}><button slot="trigger">Verify</button></biometric-flow>`,
    );
    press(slotted.querySelector('button')!);
    expect(warmFrame(slotted) !== null, 'a frame for the host’s own button').to.equal(true);
  });

  it('takes the frame out after 10 s without a start, and when the element leaves the page', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const el = await element();
    press(trigger(el));
    press(trigger(el));
    expect(el.shadowRoot!.querySelectorAll('iframe').length, 'one frame for two presses').to.equal(1);
    clock.tick(9_999);
    expect(warmFrame(el) !== null, 'still there at 9.999 s').to.equal(true);
    clock.tick(1);
    expect(warmFrame(el) === null, 'gone at 10 s').to.equal(true);
    press(trigger(el));
    expect(warmFrame(el) !== null, 'a new press, a new frame').to.equal(true);
    el.remove();
    expect(warmFrame(el) === null, 'gone with the element').to.equal(true);
    expect(clock.countTimers(), 'no timer left').to.equal(0);
  });

  it('replaces a frame put in for another flow base when the start comes', async () => {
    stubEndpoint(never);
    const el = await element();
    press(trigger(el));
    const ahead = warmFrame(el)!;
    el.flowBaseUrl = `${flowOrigin}/other`;
    await el.updateComplete;
    trigger(el).click();
    await waitUntil(() => warmFrame(el)?.src === `${flowOrigin}/other/favicon.ico`, 'the warm frame of the new base');
    expect(ahead.isConnected, 'the old frame is out').to.equal(false);
    el.cancel();
  });

  it('puts nothing in for a popup, a given session-id, warm-url="none", a bad flow-base-url or a start under way', async () => {
    const cases = [
      html`<biometric-flow mode="popup" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
      html`<biometric-flow session-id="3f2b8c1e-4a5d-4e6f-8a7b-9c0d1e2f3a4b" flow-base-url=${flowOrigin}></biometric-flow>`,
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin} warm-url="none"></biometric-flow>`,
      html`<biometric-flow session-endpoint="/api/session" flow-base-url="http://flow.example"></biometric-flow>`,
    ];
    for (const template of cases) {
      const el = await fixture<BiometricFlowElement>(template);
      press(trigger(el));
      expect(warmFrame(el) === null, el.outerHTML).to.equal(true);
    }
    stubEndpoint(never);
    const el = await element();
    const watch = watchWarmFrames(el);
    void el.start();
    await nextTask();
    // The start's own frame only: a press while a start is under way adds none (the button is gone by
    // then; the template's handler is called as it would be).
    el.pressed(new PointerEvent('pointerdown', { button: 0 }));
    expect(watch.made.length).to.equal(1);
    el.cancel();
    watch.stop();
  });
});
