import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement } from '../src/index.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { frameOf, json, sessionAnswer, startAndLoad, stubEndpoint } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;

function label(el: BiometricFlowElement): string {
  return el.shadowRoot!.querySelector('[part~="trigger"]')!.textContent!.trim();
}

afterEach(() => sinon.restore());

describe('biometric-flow language', () => {
  it('follows a change of the page language when locale is not set', async () => {
    const wrapper = await fixture<HTMLElement>(html`<section lang="ru"><biometric-flow></biometric-flow></section>`);
    const el = wrapper.querySelector('biometric-flow')!;
    expect(label(el)).to.equal('Пройти проверку личности');
    wrapper.setAttribute('lang', 'kk');
    await new Promise((resolve) => setTimeout(resolve)); // mutation observers run after this task's microtasks
    await el.updateComplete;
    expect(label(el)).to.equal('Жеке басты тексеруден өту');
    wrapper.setAttribute('lang', 'en-US');
    await new Promise((resolve) => setTimeout(resolve));
    await el.updateComplete;
    expect(label(el)).to.equal('Verify your identity');
  });

  it('keeps its own locale over the page language', async () => {
    const wrapper = await fixture<HTMLElement>(html`<section lang="ru"><biometric-flow locale="en"></biometric-flow></section>`);
    const el = wrapper.querySelector('biometric-flow')!;
    wrapper.setAttribute('lang', 'kk');
    await new Promise((resolve) => setTimeout(resolve));
    await el.updateComplete;
    expect(label(el)).to.equal('Verify your identity');
  });

  it('falls back to ru for a language it does not have', async () => {
    const wrapper = await fixture<HTMLElement>(html`<section lang="de"><biometric-flow></biometric-flow></section>`);
    expect(label(wrapper.querySelector('biometric-flow')!)).to.equal('Пройти проверку личности');
  });
});

describe('biometric-flow accessibility in every state and mode', () => {
  for (const mode of ['inline', 'modal', 'popup'] as const) {
    it(`${mode}: active, then finished`, async () => {
      stubEndpoint(sessionAnswer());
      const el = await fixture<BiometricFlowElement>(
        html`<biometric-flow mode=${mode} locale="en" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
      );
      const open = sinon.spy(window, 'open');
      await startAndLoad(el);
      await expect(el).to.be.accessible();
      const finished = oneEvent(el, 'finished');
      const flow = mode === 'popup' ? open.firstCall.returnValue! : frameOf(el)!.contentWindow!;
      flow.postMessage({ cmd: 'post', data: 'finished' }, '*');
      await finished;
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });

    it(`${mode}: cancelled`, async () => {
      stubEndpoint(sessionAnswer());
      const el = await fixture<BiometricFlowElement>(
        html`<biometric-flow mode=${mode} locale="kk" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
      );
      await startAndLoad(el);
      el.cancel();
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });
  }

  it('error with a retry button', async () => {
    stubEndpoint(json({ error: 'busy' }, 503));
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow locale="ru" session-endpoint="/api/session" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    await failed;
    await el.updateComplete;
    const retry = el.shadowRoot!.querySelector('[part~="trigger"]')!;
    expect(retry.textContent!.trim()).to.equal('Попробовать снова');
    await expect(el).to.be.accessible();
  });
});
