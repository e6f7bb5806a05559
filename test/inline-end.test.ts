// The end of an inline flow as a phone shows it (390×844): the flow's frame, where the person's focus was,
// goes; focus goes on to "Checking your result…" in its place and then to the verdict, and the verdict is
// brought into view when the box's shrinking left it above the screen, without moving a page that shows it.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement } from '../src/index.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { SESSION_ID, command, frameOf, json, sessionAnswer, setViewport, startAndLoad, stubRoutes } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;

afterEach(async () => {
  sinon.restore();
  scrollTo(0, 0);
  await setViewport({ width: 800, height: 600 });
});

/** A host page with a header above the element and a long page below it. */
async function tallPage(): Promise<BiometricFlowElement> {
  const page = await fixture<HTMLElement>(html`<div>
    <div style="block-size: 900px">Header</div>
    <biometric-flow locale="en" session-endpoint="/api/session" status-endpoint="/api/status" flow-base-url=${flowOrigin}></biometric-flow>
    <div style="block-size: 2000px">Footer</div>
  </div>`);
  return page.querySelector('biometric-flow')!;
}

/** What has focus inside the element. */
const focused = (el: BiometricFlowElement) => el.shadowRoot!.activeElement;

function inView(target: Element): boolean {
  const rect = target.getBoundingClientRect();
  return rect.top >= -0.5 && rect.bottom <= innerHeight + 0.5;
}

/** Starts, lets the person click into the flow at scroll position `y`, and ends it with a held status answer. */
async function endFromTheFlow(el: BiometricFlowElement, y: (box: DOMRect) => number): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  stubRoutes({
    '/api/session': [sessionAnswer()],
    '/api/status': [
      async () => (
        await held,
        json({ session_id: SESSION_ID, status: 'FAILED', result: { flow_session_result: false, failure_reasons: [{ code: 'eyes-closed', technology: 'LDHP' }] } })
      ),
    ],
  });
  await startAndLoad(el);
  const box = el.shadowRoot!.querySelector('.frame-box')!.getBoundingClientRect();
  scrollTo(0, scrollY + y(box));
  frameOf(el)!.focus();
  expect(focused(el), 'the frame has focus').to.equal(frameOf(el));
  const confirming = oneEvent(el, 'state-change');
  command(el, { cmd: 'post', data: 'finished' });
  expect((await confirming).detail.state).to.equal('confirming');
  return release;
}

describe('biometric-flow inline: the end of the flow at 390×844', () => {
  beforeEach(() => setViewport({ width: 390, height: 844 }));

  it('moves focus from the frame to "Checking your result…", then to the verdict, and brings the verdict into view', async () => {
    const el = await tallPage();
    // Scrolled down to the flow's last buttons: the box's top 200 px above the screen.
    const release = await endFromTheFlow(el, (box) => box.top + 200);

    const status = el.shadowRoot!.querySelector<HTMLElement>('[part~="status"]')!;
    await waitUntil(() => focused(el) === status, 'focus on "Checking your result…"');
    expect(status.textContent!.trim()).to.equal('Checking your result…');
    expect(el.shadowRoot!.querySelector('.frame-box'), 'the box gave its place to the status line').to.equal(null);
    expect(inView(status), 'the status line in view').to.equal(true);
    await expect(el).to.be.accessible();

    const finished = oneEvent(el, 'finished');
    release();
    expect((await finished).detail.outcome).to.equal('failed');
    await el.updateComplete;
    const verdict = el.shadowRoot!.querySelector<HTMLElement>('[data-focus-after-dialog]')!;
    await waitUntil(() => focused(el) === verdict, 'focus on the verdict');
    expect(verdict.textContent!.trim()).to.equal('Verification did not pass');
    expect(inView(verdict), `the verdict in view (top ${Math.round(verdict.getBoundingClientRect().top)})`).to.equal(true);
    expect(inView(el.shadowRoot!.querySelector('[part~="trigger"]')!), 'Try again in view').to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('does not scroll a page that shows the verdict already', async () => {
    const el = await tallPage();
    // The box's top a little under the screen's top: where the verdict comes is in view.
    const release = await endFromTheFlow(el, (box) => box.top - 40);
    const before = scrollY;
    const finished = oneEvent(el, 'finished');
    release();
    await finished;
    await el.updateComplete;
    const verdict = el.shadowRoot!.querySelector<HTMLElement>('[data-focus-after-dialog]')!;
    await waitUntil(() => focused(el) === verdict, 'focus on the verdict');
    expect(scrollY).to.equal(before);
    expect(inView(verdict)).to.equal(true);
  });

  it('shows a passed verdict with the same bar as a failed one, in the accent colour', async () => {
    stubRoutes({
      '/api/session': [sessionAnswer()],
      '/api/status': [json({ session_id: SESSION_ID, status: 'FINISHED', result: { flow_session_result: true } })],
    });
    const el = await tallPage();
    el.style.setProperty('--biometric-flow-accent', 'rgb(0, 128, 0)');
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'post', data: 'finished' });
    expect((await finished).detail.outcome).to.equal('passed');
    await el.updateComplete;
    const verdict = el.shadowRoot!.querySelector<HTMLElement>('[data-focus-after-dialog]')!;
    const style = getComputedStyle(verdict);
    expect(style.borderInlineStartWidth).to.equal('3px');
    expect(style.borderInlineStartColor).to.equal('rgb(0, 128, 0)');
    await expect(el).to.be.accessible();
  });
});

describe('biometric-flow inline on a short screen (320×568)', () => {
  it('fits the box and its step line on the screen', async () => {
    await setViewport({ width: 320, height: 568 });
    stubRoutes({ '/api/session': [sessionAnswer()] });
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow locale="ru" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    await startAndLoad(el);
    const message = oneEvent(el, 'flow-message');
    command(el, { cmd: 'post', data: { event: 'technology.start', technology_code: 'F2F' } });
    await message;
    await el.updateComplete;
    const box = el.shadowRoot!.querySelector('.frame-box')!.getBoundingClientRect();
    const line = el.shadowRoot!.querySelector('[part~="status"]')!.getBoundingClientRect();
    expect(line.height, 'a step line').to.be.above(0);
    expect(line.bottom - box.top, `box ${Math.round(box.height)} px and its line`).to.be.at.most(innerHeight);
  });
});
