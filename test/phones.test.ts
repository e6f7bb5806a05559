import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement } from '../src/index.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { command, sessionAnswer, setViewport, startAndLoad, stubEndpoint } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;

afterEach(async () => {
  sinon.restore();
  await setViewport({ width: 800, height: 600 });
});

/** Where a rectangle is, for a failure message. */
function box(rect: DOMRect): string {
  return `${Math.round(rect.left)},${Math.round(rect.top)} ${Math.round(rect.width)}×${Math.round(rect.height)}`;
}

/** Whether `inner` lies within `outer`, half a pixel of rounding allowed. */
function within(inner: DOMRect, outer: { left: number; top: number; right: number; bottom: number }): boolean {
  return inner.left >= outer.left - 0.5 && inner.top >= outer.top - 0.5 && inner.right <= outer.right + 0.5 && inner.bottom <= outer.bottom + 0.5;
}

/** Starts `el` and has the flow report its second (last) technology, so that the status line shows. */
async function onSecondStep(el: BiometricFlowElement): Promise<HTMLElement> {
  await startAndLoad(el);
  const message = oneEvent(el, 'flow-message');
  command(el, { cmd: 'post', data: { event: 'technology.start', technology_code: 'F2F' } });
  await message;
  await el.updateComplete;
  return el.shadowRoot!.querySelector<HTMLElement>('[part~="status"]')!;
}

// The end-to-end geometry test (test/e2e/phones.test.ts) covers every size, mode, locale and colour
// scheme in Chromium; this one holds the dialog's layout to the same rules in every browser of the suite.
describe('biometric-flow on phones and short screens', () => {
  for (const [width, height] of [
    [320, 568],
    [375, 667],
    [1280, 700],
    [1440, 900],
  ] as const) {
    it(`modal at ${width}×${height}: the close button, the frame and the status line all on screen, one under the other`, async () => {
      await setViewport({ width, height });
      stubEndpoint(sessionAnswer());
      const el = await fixture<BiometricFlowElement>(
        html`<biometric-flow mode="modal" locale="ru" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
      );
      const status = await onSecondStep(el);
      expect(status.textContent!.trim()).to.equal('Шаг 2 из 2: Сравнение лица');
      const root = el.shadowRoot!;
      const viewport = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
      const dialog = root.querySelector('dialog')!.getBoundingClientRect();
      const frame = root.querySelector('[part~="frame"]')!.getBoundingClientRect();
      const close = root.querySelector('[part~="close-button"]')!;
      const closeBox = close.getBoundingClientRect();
      const line = status.getBoundingClientRect();
      expect(within(dialog, viewport), `dialog ${box(dialog)}`).to.equal(true);
      for (const [name, rect] of [
        ['close button', closeBox],
        ['frame', frame],
        ['status line', line],
      ] as const) {
        expect(within(rect, dialog), `${name} ${box(rect)} in the dialog ${box(dialog)}`).to.equal(true);
      }
      expect(line.top >= frame.bottom - 0.5, `status line ${box(line)} under the frame ${box(frame)}`).to.equal(true);
      expect(frame.height >= innerHeight / 2, `frame ${box(frame)}`).to.equal(true);
      const hit = root.elementFromPoint(closeBox.left + closeBox.width / 2, closeBox.top + closeBox.height / 2);
      expect(hit !== null && close.contains(hit), 'a tap on the close button reaches it').to.equal(true);
      if (width <= 600) {
        // The whole screen (no safe-area insets outside a phone's browser).
        expect(box(dialog)).to.equal(`0,0 ${innerWidth}×${innerHeight}`);
      }
    });
  }

  it('inline at 320×568: no sideways overflow, the status line under the frame', async () => {
    await setViewport({ width: 320, height: 568 });
    stubEndpoint(sessionAnswer());
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow locale="kk" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    const status = await onSecondStep(el);
    expect(status.textContent!.trim()).to.equal('Қадам 2/2: Бетті салыстыру');
    const frame = el.shadowRoot!.querySelector('[part~="frame"]')!.getBoundingClientRect();
    const line = status.getBoundingClientRect();
    expect(document.scrollingElement!.scrollWidth <= document.documentElement.clientWidth, 'no sideways scroll').to.equal(true);
    expect(frame.right <= innerWidth + 0.5 && line.right <= innerWidth + 0.5, `frame ${box(frame)}, status ${box(line)}`).to.equal(true);
    expect(line.top >= frame.bottom - 0.5, `status line ${box(line)} under the frame ${box(frame)}`).to.equal(true);
  });
});
