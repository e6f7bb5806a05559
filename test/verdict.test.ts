// The verdict as the element tells it: the status token, the confirming state, `outcome` and the views
// that say it in ru, kk and en, the host's error codes, and endings bound to their session and page.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/index.js';
import type { BiometricFlowElement, FinishedDetail, FlowErrorDetail } from '../src/index.js';
// @ts-expect-error -- a virtual module of the test server
import { FLOW_ORIGIN } from '/__test-env.js';
import { reasonText } from '../src/i18n/reasons.js';
import { OTHER_SESSION_ID, SESSION_ID, command, frameOf, json, record, startAndLoad, stubEndpoint, stubRoutes } from './support/helpers.js';

const flowOrigin = FLOW_ORIGIN as string;
const TOKEN = 'v1.1893456000.Zm9vYmFyLXRva2VuLXNpZ25hdHVyZQ';

function session(extra: Record<string, unknown> = { status_token: TOKEN }): Response {
  return json({ session_id: SESSION_ID, technologies: ['LD', 'ED'], ...extra });
}

function status(value: string, result?: unknown): Response {
  return json({ session_id: SESSION_ID, status: value, ...(result === undefined ? {} : { result }) });
}

async function element(options: { locale?: string; status?: boolean; base?: string; confirmTimeout?: number } = {}) {
  const { locale = 'en', status: withStatus = true, base = flowOrigin, confirmTimeout = 3000 } = options;
  return fixture<BiometricFlowElement>(html`<biometric-flow
    locale=${locale}
    session-endpoint="/api/session"
    status-endpoint=${withStatus ? '/api/status' : ''}
    confirm-timeout=${confirmTimeout}
    flow-base-url=${base}
  ></biometric-flow>`);
}

/** What the element shows, as one line of text. */
function shown(el: BiometricFlowElement): string {
  return el.shadowRoot!.querySelector('.base')!.textContent!.replace(/\s+/g, ' ').trim();
}

function liveRegion(el: BiometricFlowElement): string {
  return el.shadowRoot!.querySelector('[part~="status"]')?.textContent?.trim() ?? '';
}

/** Lets the flow say it ended, and waits for `finished`. */
async function finishByMessage(el: BiometricFlowElement, data: unknown = 'finished'): Promise<FinishedDetail> {
  const finished = oneEvent(el, 'finished');
  command(el, { cmd: 'post', data });
  return (await finished).detail;
}

/** Letters of the other scripts: Latin in ru/kk views, Cyrillic in en. */
function foreignLetters(locale: string, text: string): string[] {
  return text.match(locale === 'en' ? /[\u0400-\u04ff]/g : /[a-z]/gi) ?? [];
}

afterEach(() => sinon.restore());

describe('biometric-flow status token', () => {
  it('sends the session answer\'s status_token as Biometric-Status-Token on every status request, nowhere else', async () => {
    const routes = stubRoutes({
      '/api/session': [session()],
      '/api/status': [status('PROGRESS'), status('PROGRESS'), status('FINISHED', { flow_session_result: true })],
    });
    const el = await element();
    const events = record(el, 'session-created', 'flow-loaded', 'flow-message', 'finished', 'flow-error', 'state-change');
    await startAndLoad(el);
    expect(el.session?.statusToken).to.equal(TOKEN);
    const detail = await finishByMessage(el);
    expect(detail.outcome).to.equal('passed');
    expect(routes['/api/status']).to.have.length(3);
    for (const request of routes['/api/status']!) {
      expect(request.headers.get('Biometric-Status-Token')).to.equal(TOKEN);
      expect(request.url).to.not.include(TOKEN);
    }
    expect(routes['/api/session']![0]!.headers.has('Biometric-Status-Token')).to.equal(false);
    expect(JSON.stringify(events.map((event) => event.detail))).to.not.include(TOKEN);
  });

  it('uses the status-token attribute for a session given by session-id', async () => {
    const routes = stubRoutes({ '/api/session': [session()], '/api/status': [status('FAILED')] });
    const el = await fixture<BiometricFlowElement>(html`<biometric-flow
      locale="en"
      session-id=${SESSION_ID}
      status-token=${TOKEN}
      status-endpoint="/api/status"
      flow-base-url=${flowOrigin}
    ></biometric-flow>`);
    await startAndLoad(el);
    expect((await finishByMessage(el)).outcome).to.equal('failed');
    expect(routes['/api/session']).to.have.length(0);
    expect(routes['/api/status']![0]!.headers.get('Biometric-Status-Token')).to.equal(TOKEN);
  });

  it('sends no token header for a session without one (an older host)', async () => {
    const routes = stubRoutes({ '/api/session': [session({})], '/api/status': [status('FINISHED', { flow_session_result: true })] });
    const el = await element();
    await startAndLoad(el);
    expect((await finishByMessage(el)).outcome).to.equal('passed');
    expect(routes['/api/status']![0]!.headers.has('Biometric-Status-Token')).to.equal(false);
  });

  for (const [name, token] of [
    ['a token with a space', 'v1.1 abc'],
    ['a token with a newline', 'v1.1\nabc'],
    ['a 201-character token', 'x'.repeat(201)],
    ['a token that is a number', 12345],
    ['an empty token', ''],
  ] as const) {
    it(`refuses a session answer with ${name}: session-invalid-response`, async () => {
      stubEndpoint(session({ status_token: token }));
      const el = await element();
      const failed = oneEvent(el, 'flow-error');
      void el.start();
      expect((await failed).detail).to.include({ code: 'session-invalid-response', message: 'Not a valid session (status_token)' });
    });
  }

  it('refuses a status-token attribute that is not a token', async () => {
    const el = await fixture<BiometricFlowElement>(
      html`<biometric-flow session-id=${SESSION_ID} status-token="not a token" flow-base-url=${flowOrigin}></biometric-flow>`,
    );
    const failed = oneEvent(el, 'flow-error');
    void el.start();
    expect((await failed).detail.code).to.equal('session-invalid-response');
    expect(frameOf(el)).to.equal(null);
  });
});

const VIEWS = {
  en: {
    confirming: 'Checking your result…',
    passed: 'Verification passed',
    failed: 'Verification did not pass',
    unconfirmed: 'We are checking your result. The site will let you know.',
    retry: 'Try again',
  },
  ru: {
    confirming: 'Проверяем результат…',
    passed: 'Проверка пройдена',
    failed: 'Проверка не пройдена',
    unconfirmed: 'Проверяем результат. Сайт сообщит вам о нём.',
    retry: 'Попробовать снова',
  },
  kk: {
    confirming: 'Нәтиже тексерілуде…',
    passed: 'Тексеруден өттіңіз',
    failed: 'Тексеруден өтпедіңіз',
    unconfirmed: 'Нәтижеңіз тексерілуде. Сайт сізге хабарлайды.',
    retry: 'Қайталап көру',
  },
} as const;

describe('biometric-flow outcome and the finished view', () => {
  for (const [locale, texts] of Object.entries(VIEWS)) {
    describe(`in ${locale}`, () => {
      it('confirms first, saying so in the live region, then says the verification passed', async () => {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        stubRoutes({
          '/api/session': [session()],
          '/api/status': [async () => (await held, status('FINISHED', { flow_session_result: true, failure_reasons: [] }))],
        });
        const el = await element({ locale });
        await startAndLoad(el);
        const confirming = oneEvent(el, 'state-change');
        command(el, { cmd: 'post', data: 'finished' });
        expect((await confirming).detail).to.deep.equal({ state: 'confirming', previous: 'active' });
        await el.updateComplete;
        expect(el.getAttribute('state')).to.equal('confirming');
        expect(frameOf(el), 'the flow is taken down while confirming').to.equal(null);
        expect(liveRegion(el)).to.equal(texts.confirming);
        await expect(el).to.be.accessible();
        expect(el.shadowRoot!.querySelector('[part~="status"]')!.getAttribute('aria-live')).to.equal('polite');

        const finished = oneEvent(el, 'finished');
        release();
        expect((await finished).detail).to.include({ via: 'message', outcome: 'passed', status: 'FINISHED' });
        await el.updateComplete;
        expect(shown(el)).to.equal(texts.passed);
        expect(foreignLetters(locale, shown(el))).to.deep.equal([]);
      });

      it('says the verification did not pass, with what to do per reason once each, and Try again starts a new session', async () => {
        const routes = stubRoutes({
          '/api/session': [session()],
          '/api/status': [
            status('FAILED', {
              flow_session_result: false,
              failure_reasons: [
                { code: 'eyes-closed', technology: 'LD', text: 'Closed eyes' },
                { code: 'sms-code-wrong', technology: 'ED', text: 'Wrong code' },
                { code: 'eyes-closed', technology: 'LD', text: 'Closed eyes' },
                { code: 'no-such-code', text: '?' },
              ],
            }),
          ],
        });
        const el = await element({ locale });
        await startAndLoad(el);
        expect(await finishByMessage(el)).to.include({ outcome: 'failed', status: 'FAILED' });
        await el.updateComplete;
        const reasons = [...el.shadowRoot!.querySelectorAll('[part~="reasons"] li')].map((li) => li.textContent!.trim());
        const lang = locale as 'en' | 'ru' | 'kk';
        expect(reasons).to.deep.equal([reasonText(lang, 'eyes-closed'), reasonText(lang, 'sms-code-wrong'), reasonText(lang, 'vendor-error')]);
        expect(el.shadowRoot!.querySelector('.message')!.textContent!.trim()).to.equal(texts.failed);
        expect(el.shadowRoot!.querySelector('[part~="trigger"]')!.textContent!.trim()).to.equal(texts.retry);
        expect(foreignLetters(locale, shown(el))).to.deep.equal([]);
        expect(shown(el)).to.not.include(VIEWS.en.passed);
        await expect(el).to.be.accessible();

        const again = oneEvent(el, 'flow-loaded');
        el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="trigger"]')!.click();
        await again;
        expect(routes['/api/session']).to.have.length(2);
        expect(el.state).to.equal('active');
      });

      it('gives the next step and no Try again when a new try cannot help', async () => {
        stubRoutes({
          '/api/session': [session()],
          '/api/status': [
            status('FAILED', {
              flow_session_result: false,
              failure_reasons: [
                { code: 'poor-lighting', technology: 'LD', text: 'Illumination check failed' },
                { code: 'subject-not-found', technology: 'ED', text: 'Subject not found' },
              ],
            }),
          ],
        });
        const el = await element({ locale });
        await startAndLoad(el);
        expect(await finishByMessage(el)).to.include({ outcome: 'failed' });
        await el.updateComplete;
        const lang = locale as 'en' | 'ru' | 'kk';
        const reasons = [...el.shadowRoot!.querySelectorAll('[part~="reasons"] li')].map((li) => li.textContent!.trim());
        expect(reasons).to.deep.equal([reasonText(lang, 'poor-lighting'), reasonText(lang, 'subject-not-found')]);
        expect(el.shadowRoot!.querySelector('[part~="trigger"]'), 'no Try again').to.equal(null);
        await expect(el).to.be.accessible();
      });

      it('says the result is being checked when there is no status endpoint: unconfirmed at once', async () => {
        const routes = stubRoutes({ '/api/session': [session()], '/api/status': [status('FINISHED', { flow_session_result: true })] });
        const el = await element({ locale, status: false });
        await startAndLoad(el);
        const states = record(el, 'state-change');
        expect(await finishByMessage(el)).to.deep.equal({ sessionId: SESSION_ID, technologies: ['LD', 'ED'], via: 'message', outcome: 'unconfirmed' });
        expect(states.map((event) => event.detail.state)).to.deep.equal(['finished']);
        expect(routes['/api/status']).to.have.length(0);
        await el.updateComplete;
        expect(shown(el)).to.equal(texts.unconfirmed);
        expect(foreignLetters(locale, shown(el))).to.deep.equal([]);
      });
    });
  }

  it('keeps waiting through PENDING and PROGRESS, and passes on FINISHED within confirm-timeout', async () => {
    const routes = stubRoutes({
      '/api/session': [session()],
      '/api/status': [status('PENDING'), status('PROGRESS'), status('FINISHED', { flow_session_result: true })],
    });
    const el = await element({ confirmTimeout: 5000 });
    await startAndLoad(el);
    const detail = await finishByMessage(el);
    expect(detail).to.include({ outcome: 'passed', via: 'message' });
    expect(routes['/api/status']).to.have.length(3);
  });

  it('finishes unconfirmed after confirm-timeout when no final status comes, and asks no more', async () => {
    const routes = stubRoutes({ '/api/session': [session()], '/api/status': [status('PENDING')] });
    const el = await element({ confirmTimeout: 600 });
    await startAndLoad(el);
    const started = performance.now();
    const detail = await finishByMessage(el);
    const waited = performance.now() - started;
    expect(detail).to.deep.equal({ sessionId: SESSION_ID, technologies: ['LD', 'ED'], via: 'message', outcome: 'unconfirmed', status: 'PENDING' });
    expect(waited).to.be.within(550, 2000);
    // Backing off: at once, after 0.5 s, then not again before the timeout.
    expect(routes['/api/status']).to.have.length(2);
    await el.updateComplete;
    expect(shown(el)).to.equal(VIEWS.en.unconfirmed);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(routes['/api/status']).to.have.length(2);
  });

  it('takes FINISHED without a boolean result as unconfirmed, and never says passed', async () => {
    stubRoutes({ '/api/session': [session()], '/api/status': [status('FINISHED', { flow_session_result: 'yes' })] });
    const el = await element();
    await startAndLoad(el);
    expect(await finishByMessage(el)).to.include({ outcome: 'unconfirmed', status: 'FINISHED' });
    await el.updateComplete;
    expect(shown(el)).to.equal(VIEWS.en.unconfirmed);
  });

  it('takes FINISHED with flow_session_result false as failed', async () => {
    stubRoutes({ '/api/session': [session()], '/api/status': [status('FINISHED', { flow_session_result: false })] });
    const el = await element();
    await startAndLoad(el);
    expect((await finishByMessage(el)).outcome).to.equal('failed');
    await el.updateComplete;
    expect(shown(el)).to.equal(`${VIEWS.en.failed} ${VIEWS.en.retry}`);
  });

  it('keeps confirming through HTTP errors, reported once with serverCode, until a final status', async () => {
    const routes = stubRoutes({
      '/api/session': [session()],
      '/api/status': [
        json({ error: { code: 'server-busy', message: 'busy' } }, 503),
        json({ error: { code: 'vendor-timeout', message: 'slow' } }, 502),
        status('FINISHED', { flow_session_result: true }),
      ],
    });
    const el = await element({ confirmTimeout: 5000 });
    await startAndLoad(el);
    const errors = record(el, 'flow-error');
    const states = record(el, 'state-change');
    expect((await finishByMessage(el)).outcome).to.equal('passed');
    expect(routes['/api/status']).to.have.length(3);
    expect(errors).to.have.length(1);
    expect(errors[0]!.detail).to.include({ code: 'status-request-failed', status: 503, serverCode: 'server-busy', retryable: true });
    expect(states.map((event) => event.detail.state)).to.deep.equal(['confirming', 'finished']);
  });

  it('drops a status answer that comes after confirm-timeout: one finished, unconfirmed', async () => {
    let answer!: (response: Response) => void;
    const late = new Promise<Response>((resolve) => (answer = resolve));
    // A status answer that ignores the abort, as a late answer from a slow server would.
    sinon.stub(window, 'fetch').callsFake(async (input: RequestInfo | URL) =>
      new URL(String(input), location.href).pathname === '/api/session' ? session() : late,
    );
    const el = await element({ confirmTimeout: 300 });
    await startAndLoad(el);
    const finishedEvents = record(el, 'finished');
    expect((await finishByMessage(el)).outcome).to.equal('unconfirmed');
    answer(status('FINISHED', { flow_session_result: true }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(finishedEvents).to.have.length(1);
    expect(el.state).to.equal('finished');
    await el.updateComplete;
    expect(shown(el)).to.equal(VIEWS.en.unconfirmed);
  });
});

describe('biometric-flow confirming in modal mode', () => {
  it('closes the dialog, focuses the confirming message, then the verdict', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    stubRoutes({
      '/api/session': [session()],
      '/api/status': [async () => (await held, status('FINISHED', { flow_session_result: true }))],
    });
    const el = await fixture<BiometricFlowElement>(html`<biometric-flow
      mode="modal"
      locale="en"
      session-endpoint="/api/session"
      status-endpoint="/api/status"
      flow-base-url=${flowOrigin}
    ></biometric-flow>`);
    await startAndLoad(el);
    const confirming = oneEvent(el, 'state-change');
    command(el, { cmd: 'post', data: { event: 'flow.end' } });
    await confirming;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('dialog')).to.equal(null);
    expect(el.shadowRoot!.activeElement?.textContent?.trim()).to.equal(VIEWS.en.confirming);
    const finished = oneEvent(el, 'finished');
    release();
    await finished;
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement?.textContent?.trim()).to.equal(VIEWS.en.passed);
  });
});

describe('biometric-flow refused status requests', () => {
  it('reports a 401 status-token-invalid once and changes no state', async function () {
    this.timeout(15_000);
    const routes = stubRoutes({
      '/api/session': [session()],
      '/api/status': [json({ error: { code: 'status-token-invalid', message: 'no' } }, 401)],
    });
    const el = await element();
    await startAndLoad(el);
    const states = record(el, 'state-change');
    const failed = oneEvent(el, 'flow-error');
    const { detail } = await failed; // the first poll, 3 s after the flow loaded
    expect(detail).to.deep.include({ code: 'status-request-failed', status: 401, serverCode: 'status-token-invalid', retryable: false });
    expect(routes['/api/status']).to.have.length(1);
    expect(states).to.have.length(0);
    expect(el.state).to.equal('active');
    expect(frameOf(el)).to.exist;
  });
});

describe('biometric-flow serverCode', () => {
  const cases: Array<[string, () => Response, Partial<FlowErrorDetail>, string, boolean]> = [
    [
      '403 forbidden-origin',
      () => json({ error: { code: 'forbidden-origin', message: 'Origin not allowed' } }, 403),
      { code: 'session-http-error', status: 403, serverCode: 'forbidden-origin', retryable: false },
      'The site did not allow the verification to start. Contact the site.',
      false,
    ],
    [
      '502 vendor-timeout',
      () => json({ error: { code: 'vendor-timeout', message: 'slow' } }, 502),
      { code: 'session-http-error', status: 502, serverCode: 'vendor-timeout', retryable: true },
      'The verification service did not answer in time. Try again.',
      true,
    ],
    [
      '502 subscription-inactive',
      () => json({ error: { code: 'subscription-inactive', message: 'Client does not have subscription', vendorStatus: 400 } }, 502),
      { code: 'session-http-error', status: 502, serverCode: 'subscription-inactive', retryable: false },
      'This site cannot run the verification right now. It is not your fault: contact the site.',
      false,
    ],
    [
      '502 edocument-unavailable (eGov is down: come back later, no Try again)',
      () => json({ error: { code: 'edocument-unavailable', message: 'EDocument Service unavailable', vendorStatus: 400 } }, 502),
      { code: 'session-http-error', status: 502, serverCode: 'edocument-unavailable', retryable: false },
      'The eGov e-document service is not available right now. Come back to the verification later.',
      false,
    ],
    [
      '429 rate-limited',
      () => json({ error: { code: 'rate-limited', message: 'slow down' } }, 429),
      { code: 'session-http-error', status: 429, serverCode: 'rate-limited', retryable: true },
      'Too many attempts. Wait a minute and try again.',
      true,
    ],
    [
      '500 with an unknown code',
      () => json({ error: { code: 'something-new', message: '?' } }, 500),
      { code: 'session-http-error', status: 500, serverCode: 'something-new', retryable: true },
      'Could not start the verification.',
      true,
    ],
  ];
  for (const [name, answer, expected, text, retry] of cases) {
    it(`reports ${name} with its serverCode and shows its sentence`, async () => {
      stubEndpoint(answer());
      const el = await element();
      const failed = oneEvent(el, 'flow-error');
      void el.start();
      expect((await failed).detail).to.include(expected);
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent!.trim()).to.equal(text);
      expect(!!el.shadowRoot!.querySelector('[part~="trigger"]'), 'Try again').to.equal(retry);
    });
  }

  const noCode: Array<[string, () => Response]> = [
    ['a body over 16 KB', () => json({ error: { code: 'forbidden', message: 'x'.repeat(20_000) } }, 403)],
    ['a code that is not short', () => json({ error: { code: 'x'.repeat(65) } }, 403)],
    ['a code with spaces', () => json({ error: { code: 'not a code' } }, 403)],
    ['a code that is a number', () => json({ error: { code: 403 } }, 403)],
    ['an error that is a string', () => json({ error: 'forbidden' }, 403)],
    ['an HTML body', () => new Response('{"error":{"code":"forbidden"}}', { status: 403, headers: { 'content-type': 'text/html' } })],
  ];
  for (const [name, answer] of noCode) {
    it(`gives no serverCode for ${name}`, async () => {
      stubEndpoint(answer());
      const el = await element();
      const failed = oneEvent(el, 'flow-error');
      void el.start();
      const { detail } = await failed;
      expect(detail).to.include({ code: 'session-http-error', status: 403 });
      expect(detail).to.not.have.property('serverCode');
    });
  }

  it('does not wait for a JSON error body that never ends', async () => {
    stubEndpoint(
      () =>
        new Response(new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"error":')) }), {
          status: 503,
          headers: { 'content-type': 'application/json' },
        }),
    );
    const el = await element();
    el.timeout = 8_000;
    const failed = oneEvent(el, 'flow-error');
    const started = performance.now();
    void el.start();
    const { detail } = await failed;
    expect(performance.now() - started).to.be.below(3_000);
    expect(detail).to.include({ code: 'session-http-error', status: 503, retryable: true });
    expect(detail).to.not.have.property('serverCode');
  });
});

describe('biometric-flow endings bound to their session and page', () => {
  it('ignores a finish message naming another session; its own id in any case finishes', async () => {
    stubRoutes({ '/api/session': [session()] });
    const el = await element({ status: false });
    await startAndLoad(el);
    const events = record(el, 'flow-message', 'finished');
    command(el, { cmd: 'post', data: { event: 'flow.end', session_id: OTHER_SESSION_ID, status: 'FINISHED' } });
    const marker = oneEvent(el, 'flow-message');
    command(el, { cmd: 'post', data: { event: 'marker' } });
    await marker;
    expect(events.map((event) => event.type)).to.deep.equal(['flow-message']);
    expect(el.state).to.equal('active');
    const detail = await finishByMessage(el, { event: 'flow.end', session_id: SESSION_ID.toUpperCase() });
    expect(detail.outcome).to.equal('unconfirmed');
  });

  for (const path of ['/finished-help', '/kyc/finished', '/finished/more', '/finishedx']) {
    it(`does not take a message with url ${path} for the end`, async () => {
      stubRoutes({ '/api/session': [session()] });
      const el = await element({ status: false });
      await startAndLoad(el);
      const events = record(el, 'finished');
      const message = oneEvent(el, 'flow-message');
      command(el, { cmd: 'post', data: { url: `${flowOrigin}${path}` } });
      await message;
      expect(events).to.have.length(0);
      expect(el.state).to.equal('active');
    });
  }

  for (const path of ['/finished', '/finished/', '/finished?status=ok', '/finished/#done']) {
    it(`takes a message with url ${path} for the end`, async () => {
      stubRoutes({ '/api/session': [session()] });
      const el = await element({ status: false });
      await startAndLoad(el);
      expect((await finishByMessage(el, { href: `${flowOrigin}${path}` })).via).to.equal('message');
    });
  }

  it('does not end on a readable navigation to /finished-help', async () => {
    stubRoutes({ '/api/session': [session()] });
    const el = await element({ status: false, base: location.origin });
    await startAndLoad(el);
    const events = record(el, 'finished');
    const frame = frameOf(el)!;
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    command(el, { cmd: 'navigate', url: '/finished-help' });
    await loaded;
    await waitUntil(() => frame.contentWindow!.location.pathname === '/finished-help');
    expect(events).to.have.length(0);
    expect(el.state).to.equal('active');
  });

  it('ends on a readable navigation to /finished/ with a query', async () => {
    stubRoutes({ '/api/session': [session()] });
    const el = await element({ status: false, base: location.origin });
    await startAndLoad(el);
    const finished = oneEvent(el, 'finished');
    command(el, { cmd: 'navigate', url: '/finished/?x=1#y' });
    expect((await finished).detail).to.include({ via: 'navigation', outcome: 'unconfirmed' });
  });
});
