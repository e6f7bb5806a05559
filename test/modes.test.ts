import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement } from '../src/index.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { OTHER_SESSION_ID, SESSION_ID, frameOf, json, never, record, sessionAnswer, setViewport, stubEndpoint } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;

function dialogOf(el: BiometricFlowElement): HTMLDialogElement | null {
  return el.shadowRoot!.querySelector('[part~="dialog"]');
}

function triggerOf(el: BiometricFlowElement): HTMLButtonElement {
  return el.shadowRoot!.querySelector('[part~="trigger"]')!;
}

async function modal(base = flowOrigin): Promise<BiometricFlowElement> {
  return fixture<BiometricFlowElement>(
    html`<biometric-flow mode="modal" locale="en" session-endpoint="/api/session" flow-base-url=${base}></biometric-flow>`,
  );
}

async function popupElement(base = flowOrigin, fallback = 'modal'): Promise<BiometricFlowElement> {
  return fixture<BiometricFlowElement>(
    html`<biometric-flow
      mode="popup"
      locale="en"
      popup-fallback=${fallback}
      session-endpoint="/api/session"
      flow-base-url=${base}
    ></biometric-flow>`,
  );
}

/** Clicks the start button of a popup-mode element and waits until the flow loaded in the popup. */
async function clickToPopup(el: BiometricFlowElement): Promise<Window> {
  const open = sinon.spy(window, 'open');
  const loaded = oneEvent(el, 'flow-loaded');
  // The test flow listens for commands once its script has run, which may be after the element saw the
  // window leave about:blank (flow-loaded): a command sent sooner is lost (seen in Firefox under load).
  const readyFrom = new Set<MessageEventSource | null>();
  const onMessage = (event: MessageEvent) => event.data?.event === 'test-flow-ready' && readyFrom.add(event.source);
  addEventListener('message', onMessage);
  try {
    triggerOf(el).click();
    await loaded;
    const popup = open.firstCall.returnValue!;
    await waitUntil(() => readyFrom.has(popup), 'the test flow in the popup is ready');
    return popup;
  } finally {
    removeEventListener('message', onMessage);
  }
}

afterEach(async () => {
  sinon.restore();
  await setViewport({ width: 800, height: 600 });
});

describe('biometric-flow mode="modal"', () => {
  it('shows the flow in a native modal dialog', async () => {
    stubEndpoint(sessionAnswer());
    const el = await modal();
    const loaded = oneEvent(el, 'flow-loaded');
    triggerOf(el).click();
    await loaded;
    const dialog = dialogOf(el)!;
    expect(dialog.open).to.equal(true);
    expect(dialog.matches(':modal')).to.equal(true);
    expect(dialog.contains(frameOf(el))).to.equal(true);
    expect(dialog.getAttribute('aria-label')).to.equal('Identity verification');
    await expect(el).to.be.accessible();
  });

  it('cancels with reason close-button and returns focus to the trigger', async () => {
    stubEndpoint(sessionAnswer());
    const el = await modal();
    triggerOf(el).focus();
    const loaded = oneEvent(el, 'flow-loaded');
    triggerOf(el).click();
    await loaded;
    const close = el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="close-button"]')!;
    expect(close.getAttribute('aria-label')).to.equal('Close');
    const cancelled = oneEvent(el, 'cancelled');
    close.click();
    expect((await cancelled).detail).to.deep.equal({ sessionId: SESSION_ID, reason: 'close-button' });
    await el.updateComplete;
    expect(dialogOf(el)).to.equal(null);
    // Compared by identity: chai's diff of two DOM nodes can take minutes.
    expect(el.shadowRoot!.activeElement === triggerOf(el), 'focus is back on the trigger').to.equal(true);
  });

  it('cancels with reason escape on the Escape key', async () => {
    stubEndpoint(sessionAnswer());
    const el = await modal();
    const loaded = oneEvent(el, 'flow-loaded');
    triggerOf(el).click();
    await loaded;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="close-button"]')!.focus();
    const cancelled = oneEvent(el, 'cancelled');
    await sendKeys({ press: 'Escape' });
    expect((await cancelled).detail.reason).to.equal('escape');
    expect(el.state).to.equal('cancelled');
    await el.updateComplete;
    expect(dialogOf(el)).to.equal(null);
  });

  it('locks page scroll while open and restores it after', async () => {
    stubEndpoint(sessionAnswer());
    document.documentElement.style.overflow = 'scroll';
    try {
      const el = await modal();
      const loaded = oneEvent(el, 'flow-loaded');
      void el.start();
      await loaded;
      expect(document.documentElement.style.overflow).to.equal('hidden');
      el.cancel();
      await el.updateComplete;
      expect(document.documentElement.style.overflow).to.equal('scroll');
    } finally {
      document.documentElement.style.overflow = '';
    }
  });

  it('closes the dialog and moves focus to the result when the flow finishes', async () => {
    stubEndpoint(sessionAnswer());
    const el = await modal();
    const loaded = oneEvent(el, 'flow-loaded');
    triggerOf(el).click();
    await loaded;
    const finished = oneEvent(el, 'finished');
    frameOf(el)!.contentWindow!.postMessage({ cmd: 'post', data: { event: 'flow.end' } }, '*');
    await finished;
    await el.updateComplete;
    expect(dialogOf(el)).to.equal(null);
    // No status endpoint: the verdict is not known, and the view says so.
    expect(el.shadowRoot!.activeElement?.textContent?.trim()).to.equal('We are checking your result. The site will let you know.');
  });

  it('works with the keyboard alone: Enter starts, Tab reaches close, Enter cancels', async () => {
    stubEndpoint(sessionAnswer());
    const el = await modal();
    triggerOf(el).focus();
    const loaded = oneEvent(el, 'flow-loaded');
    await sendKeys({ press: 'Enter' });
    await loaded;
    // The dialog takes focus to its first control, the close button.
    await waitUntil(() => el.shadowRoot!.activeElement?.getAttribute('part') === 'close-button');
    const cancelled = oneEvent(el, 'cancelled');
    await sendKeys({ press: 'Enter' });
    expect((await cancelled).detail.reason).to.equal('close-button');
    await el.updateComplete;
    // Compared by identity: chai's diff of two DOM nodes can take minutes.
    expect(el.shadowRoot!.activeElement === triggerOf(el), 'focus is back on the trigger').to.equal(true);
  });

  it('fills a narrow viewport', async () => {
    await setViewport({ width: 390, height: 700 });
    stubEndpoint(sessionAnswer());
    const el = await modal();
    const loaded = oneEvent(el, 'flow-loaded');
    void el.start();
    await loaded;
    const box = dialogOf(el)!.getBoundingClientRect();
    expect(Math.round(box.width)).to.equal(390);
    expect(Math.round(box.height)).to.equal(700);
  });

  it('lays out for the viewport of now after it changed with no element connected', async () => {
    // A sheet's media queries were last evaluated at 800 px, with an element connected; none is when the
    // viewport narrows (WebKit then kept the old results for the next element), nor when it widens again.
    const widths: number[] = [];
    for (const width of [800, 390, 800]) {
      await setViewport({ width, height: 700 });
      stubEndpoint(sessionAnswer());
      const el = await modal();
      const loaded = oneEvent(el, 'flow-loaded');
      void el.start();
      await loaded;
      widths.push(Math.round(dialogOf(el)!.getBoundingClientRect().width));
      el.remove();
      sinon.restore();
    }
    expect(widths).to.deep.equal([560, 390, 560]);
  });

  it('applies a mode change made while open to the next start only', async () => {
    stubEndpoint(sessionAnswer());
    const el = await modal();
    const loaded = oneEvent(el, 'flow-loaded');
    void el.start();
    await loaded;
    el.mode = 'inline';
    await el.updateComplete;
    expect(dialogOf(el)!.open).to.equal(true);
    el.cancel();
    const again = oneEvent(el, 'flow-loaded');
    void el.start();
    await again;
    expect(dialogOf(el)).to.equal(null);
    expect(frameOf(el)).to.exist;
  });
});

describe('biometric-flow mode="popup"', () => {
  it('opens the popup in the same task as the click, then navigates it to the flow', async () => {
    stubEndpoint(sessionAnswer());
    const el = await popupElement();
    const open = sinon.spy(window, 'open');
    const loaded = oneEvent(el, 'flow-loaded');
    triggerOf(el).click();
    // No await between the click and this line: the window must already be open.
    expect(open.calledOnce).to.equal(true);
    // Empty and named: a window a start of this page left open (a reload) is taken as it is, not a second one.
    expect(open.firstCall.args.slice(0, 2)).to.deep.equal(['', 'biometric-flow']);
    expect(String(open.firstCall.args[2])).to.match(/popup=yes,width=\d+,height=\d+,left=\d+,top=\d+/);
    const popup = open.firstCall.returnValue!;
    const { detail } = await loaded;
    expect(detail.url).to.equal(`${flowOrigin}/flow/${SESSION_ID}?web_view=true&locale=en`);
    expect(el.state).to.equal('active');
    el.cancel();
    await waitUntil(() => popup.closed, 'the popup closes on cancel');
  });

  // Making a window takes a browser long (npm run bench -- --network: Firefox 300 ms, Chromium 70 ms),
  // and the session request need not wait for it.
  it('asks for the session before it opens the window, both within the click', async () => {
    const endpoint = stubEndpoint(never);
    const el = await popupElement();
    const open = sinon.spy(window, 'open');
    triggerOf(el).click();
    expect(open.callCount, 'the popup opened').to.equal(1);
    expect(endpoint.requests, 'session requests').to.have.length(1);
    expect(endpoint.stub.calledBefore(open), 'the session request first').to.equal(true);
    el.cancel();
  });

  it('finishes on a message from the popup and closes it', async () => {
    stubEndpoint(sessionAnswer());
    const el = await popupElement();
    const popup = await clickToPopup(el);
    const finished = oneEvent(el, 'finished');
    popup.postMessage({ cmd: 'post', data: { event: 'flow.end', session_id: SESSION_ID } }, '*');
    expect((await finished).detail.via).to.equal('message');
    await waitUntil(() => popup.closed, 'the popup closes on finished');
  });

  it('finishes when the popup comes back to a readable finished URL', async () => {
    stubEndpoint(sessionAnswer());
    const el = await popupElement(location.origin);
    const popup = await clickToPopup(el);
    const finished = oneEvent(el, 'finished');
    popup.postMessage({ cmd: 'navigate', url: '/finished' }, '*');
    expect((await finished).detail.via).to.equal('navigation');
    await waitUntil(() => popup.closed);
  });

  it('reports cancelled with reason popup-closed when the user closes the popup', async () => {
    stubEndpoint(sessionAnswer());
    const el = await popupElement();
    const popup = await clickToPopup(el);
    const cancelled = oneEvent(el, 'cancelled');
    popup.close();
    expect((await cancelled).detail).to.deep.equal({ sessionId: SESSION_ID, reason: 'popup-closed' });
  });

  it('cancels a popup closed while the session is requested, before any session-created', async () => {
    let answer!: (response: Response) => void;
    stubEndpoint(() => new Promise<Response>((resolve) => (answer = resolve)));
    const el = await popupElement();
    const open = sinon.spy(window, 'open');
    const events = record(el, 'session-created', 'cancelled', 'flow-loaded');
    triggerOf(el).click();
    const popup = open.firstCall.returnValue!;
    popup.close();
    await waitUntil(() => popup.closed);
    const cancelled = oneEvent(el, 'cancelled');
    answer(sessionAnswer());
    await cancelled;
    expect(events.map((event) => event.type)).to.deep.equal(['cancelled']);
    expect(events[0]!.detail).to.deep.equal({ sessionId: SESSION_ID, reason: 'popup-closed' });
  });

  it('takes the window a start of this page left open (as after a reload) rather than opening a second', async () => {
    const left = window.open(`${flowOrigin}/flow/${OTHER_SESSION_ID}?web_view=true&locale=en`, 'biometric-flow', 'popup=yes,width=400,height=600')!;
    try {
      stubEndpoint(sessionAnswer());
      const el = await popupElement();
      const popup = await clickToPopup(el);
      expect(popup, 'the same window').to.equal(left);
      expect(el.session!.id).to.equal(SESSION_ID);
      el.cancel();
      await waitUntil(() => left.closed, 'the window closes on cancel');
    } finally {
      left.close();
    }
  });

  it('does not flash a window for a refused session: it says why, and closes once the person is back or after a few seconds', async () => {
    stubEndpoint(json({ error: { code: 'forbidden-origin', message: 'Origin not allowed' } }, 403));
    const el = await popupElement();
    await el.updateComplete; // the deferred chunk, which a popup start loads at once, has the sentence
    const open = sinon.spy(window, 'open');
    const failed = oneEvent(el, 'flow-error');
    triggerOf(el).click();
    const opened = performance.now();
    const popup = open.firstCall.returnValue!;
    expect((await failed).detail.code).to.equal('session-http-error');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(popup.closed, 'still open 300 ms after the refusal').to.equal(false);
    expect(popup.document.body.textContent).to.equal('The site did not allow the verification to start. Contact the site.');
    await waitUntil(() => popup.closed, 'closed after a few seconds', { timeout: 8000 });
    expect(performance.now() - opened).to.be.within(300, 7000);
  });

  it('closes a refused session\'s window as soon as the person is back on the page', async () => {
    stubEndpoint(json({ error: { code: 'forbidden-origin', message: 'Origin not allowed' } }, 403));
    const el = await popupElement();
    await el.updateComplete;
    const open = sinon.spy(window, 'open');
    const failed = oneEvent(el, 'flow-error');
    triggerOf(el).click();
    const popup = open.firstCall.returnValue!;
    await failed;
    expect(popup.closed).to.equal(false);
    window.dispatchEvent(new FocusEvent('focus'));
    await waitUntil(() => popup.closed, 'closed on the page\'s focus', { timeout: 1000 });
  });

  it('falls back to the modal dialog when the popup is blocked', async () => {
    stubEndpoint(sessionAnswer());
    const el = await popupElement();
    sinon.stub(window, 'open').returns(null);
    const events = record(el, 'flow-error', 'flow-loaded');
    const loaded = oneEvent(el, 'flow-loaded');
    triggerOf(el).click();
    await loaded;
    expect(events[0]!.type).to.equal('flow-error');
    expect(events[0]!.detail).to.include({ code: 'popup-blocked', retryable: true });
    expect(dialogOf(el)!.open).to.equal(true);
    expect(el.state).to.equal('active');
  });

  it('stops with popup-blocked when popup-fallback is none', async () => {
    const endpoint = stubEndpoint(sessionAnswer());
    const el = await popupElement(flowOrigin, 'none');
    sinon.stub(window, 'open').returns(null);
    const failed = oneEvent(el, 'flow-error');
    triggerOf(el).click();
    expect((await failed).detail.code).to.equal('popup-blocked');
    expect(el.state).to.equal('error');
    expect(endpoint.requests).to.have.length(0);
  });
});

/**
 * Runs `body` with the camera-blocked fixture page (a Permissions-Policy that refuses the camera) loaded
 * in a frame at `query`, and the reports it posts so far; takes the frame out after.
 */
async function withCameraBlockedPage(
  query: string,
  body: (reports: Array<Record<string, unknown>>, frame: HTMLIFrameElement) => Promise<void>,
  style = '',
): Promise<void> {
  const reports: Array<Record<string, unknown>> = [];
  const listener = (event: MessageEvent) => {
    if (event.data?.fixture === 'camera-blocked') reports.push(event.data);
  };
  addEventListener('message', listener);
  const frame = document.createElement('iframe');
  frame.src = `/__fixtures/camera-blocked.html${query}`;
  frame.style.cssText = style;
  document.body.append(frame);
  try {
    await body(reports, frame);
  } finally {
    removeEventListener('message', listener);
    frame.remove();
  }
}

describe('biometric-flow preflight', () => {
  it('reports camera-blocked-by-policy on a page whose Permissions-Policy forbids the camera', async () => {
    await withCameraBlockedPage('?auto', async (reports) => {
      await waitUntil(() => reports.some((report) => report.code), 'the fixture reports an error', { timeout: 5000 });
      const report = reports.find((r) => r.code)!;
      const chromium = navigator.userAgent.includes('Chrome/');
      expect(report.canTell, 'Chromium can tell the policy, Firefox and WebKit cannot').to.equal(chromium);
      if (report.canTell) {
        // Chromium tells; a start without a click has no popup to fall back to.
        expect(report).to.include({ code: 'camera-blocked-by-policy', state: 'error' });
      } else {
        // Firefox and WebKit cannot tell; the element goes on to the (here missing) endpoint.
        expect(report.code).to.equal('session-http-error');
      }
    });
  });

  it('asks for no session for a popup start without a click whose window is blocked, where a frame could not have the camera either', async () => {
    await withCameraBlockedPage('?auto&popup', async (reports) => {
      const chromium = navigator.userAgent.includes('Chrome/');
      // Chromium can tell the policy: the blocked window has nothing to fall back on, and the start ends
      // there. Firefox and WebKit cannot: the start falls back to the dialog, and asks (the endpoint is missing).
      await waitUntil(() => reports.some((report) => report.code === (chromium ? 'popup-blocked' : 'session-http-error')), 'the start ends', { timeout: 5000 });
      const last = reports.filter((report) => report.code).at(-1)!;
      if (chromium) {
        expect(last).to.include({ code: 'popup-blocked', state: 'error', opened: 1, fetches: 0 });
      } else {
        expect(last).to.include({ code: 'session-http-error', opened: 1, fetches: 1 });
      }
    });
  });

  it('falls back to a popup when a click starts it on such a page', async function () {
    await withCameraBlockedPage('', async (reports, frame) => {
      await waitUntil(() => reports.some((report) => report.ready), 'the fixture is ready', { timeout: 5000 });
      const trigger = frame.contentDocument!.querySelector('biometric-flow')!.shadowRoot!.querySelector('[part~="trigger"]')!;
      const box = trigger.getBoundingClientRect();
      // A real click, with user activation, as a person's would be.
      await sendMouse({ type: 'click', position: [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)] });
      await waitUntil(() => reports.filter((report) => report.code).length >= 2 || reports.some((r) => r.code === 'session-http-error'), 'the start ends', { timeout: 5000 });
      const codes = reports.filter((report) => report.code).map((report) => report.code);
      if (navigator.userAgent.includes('Chrome/')) {
        expect(codes).to.deep.equal(['camera-blocked-by-policy', 'session-http-error']);
        // The first report came before the popup was opened, the last after it.
        expect(reports.filter((report) => report.code).map((report) => report.opened)).to.deep.equal([0, 1]);
      } else {
        expect(codes).to.deep.equal(['session-http-error']);
      }
    }, 'position: fixed; left: 0; top: 0; width: 400px; height: 200px; border: 0');
  });

  it('does not ask about the camera on a page that allows it', async () => {
    stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    const events = record(el, 'flow-error');
    await el.start();
    expect(events).to.have.length(0);
  });
});
