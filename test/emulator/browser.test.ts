/**
 * The hosted flow in a real Chromium with a fake camera, framed by a page of another origin, the way a
 * host embeds it: the messages it posts, its navigation to /finished and the verdict of the result
 * endpoint.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { DEFAULT_FLOWS, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/browsers.mjs';
import { PNG_BASE64, VALID_IIN, VALID_PHONE, createSession, getJson, resultUrl } from './helpers.js';


const SKIP_INPUT = {
  edocument: {
    iin: { value: VALID_IIN, changeable: false },
    phone: { value: VALID_PHONE, changeable: false },
    skip_input: true,
  },
};

interface Recorded {
  origin: string;
  fromFrame: boolean;
  data: { event: string; technology_code?: string; success?: boolean; session_id?: string; status?: string };
}

/** A host page on its own origin: frames `?src=` with `allow="camera"` and records the messages. */
async function startHost(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const src = new URL(request.url ?? '/', 'http://host').searchParams.get('src') ?? 'about:blank';
    const attribute = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>host</title>
<script>
  window.__messages = [];
  addEventListener('message', (event) => {
    const frame = document.getElementById('flow');
    window.__messages.push({ origin: event.origin, fromFrame: event.source === frame.contentWindow, data: event.data });
  });
</script>
<iframe id="flow" title="flow" allow="camera" width="420" height="640" src="${attribute}"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('hosted flow in Chromium', { timeout: 120_000 }, () => {
  let emulator: Emulator;
  let host: Awaited<ReturnType<typeof startHost>>;
  let browser: Browser;
  /** Console errors and uncaught exceptions of every page and frame (CSP violations land here too). */
  const consoleErrors: string[] = [];

  before(async () => {
    // The three default flows, then one that fails its liveness step (a flow failure preset).
    emulator = await startEmulator({ flows: [...DEFAULT_FLOWS, { name: 'eyes closed', technologies: ['LD', 'F2F'], failWith: 'eyes-closed' }] });
    host = await startHost();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await host?.close();
    await emulator?.close();
  });

  /** Opens the host page framing the flow of a new session; returns the page and the flow's frame. */
  async function open(metadata: unknown, flowIndex: number): Promise<{ page: Page; frame: Frame; id: string; key: string }> {
    const created = await createSession(emulator, metadata, flowIndex);
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id: string = created.body.session_id;
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    const flowUrl = `${emulator.url}/flow/${id}?web_view=true&locale=ru`;
    await page.goto(`${host.url}?src=${encodeURIComponent(flowUrl)}`);
    const frame = await (await page.waitForSelector('iframe#flow')).contentFrame();
    assert.ok(frame);
    await frame.waitForSelector('#start-button');
    return { page, frame, id, key: emulator.flows[flowIndex]!.apiKey };
  }

  async function messages(page: Page, until: string): Promise<Recorded[]> {
    await page.waitForFunction((event) => (window as any).__messages.some((m: Recorded) => m.data?.event === event), until);
    return page.evaluate(() => (window as any).__messages as Recorded[]);
  }

  const summary = (recorded: Recorded[]) =>
    recorded.map(({ data }) =>
      data.event === 'flow.end' ? `flow.end ${data.status}` : `${data.event} ${data.technology_code}${'success' in data ? ` ${data.success}` : ''}`,
    );

  it('walks LD + F2F (photo1) to FINISHED and lands on /finished', async () => {
    const { page, frame, id, key } = await open({ face2face: { photo1: PNG_BASE64 } }, 0);
    try {
      assert.equal(await frame.textContent('#technology-list'), 'Проверка живостиСравнение лица');
      await frame.click('#start-button');
      await frame.waitForSelector('video#camera-preview');
      assert.equal(await frame.textContent('#step-indicator'), 'Шаг 1 из 2');
      await frame.click('#capture-button');
      await frame.waitForSelector('#compare-button');
      assert.equal(await frame.getAttribute('#f2f-reference', 'src'), `data:image/png;base64,${PNG_BASE64}`);
      assert.match((await frame.getAttribute('#f2f-face', 'src')) ?? '', /^data:image\/jpeg;base64,/);
      await frame.click('#compare-button');

      const recorded = await messages(page, 'flow.end');
      assert.deepEqual(summary(recorded), [
        'technology.start LD',
        'technology.end LD true',
        'technology.start F2F',
        'technology.end F2F true',
        'flow.end FINISHED',
      ]);
      assert.ok(recorded.every((m) => m.origin === emulator.url && m.fromFrame));
      assert.equal(recorded.at(-1)!.data.session_id, id);
      await frame.waitForURL(/\/finished\?locale=ru$/);
      assert.match((await frame.textContent('h1')) ?? '', /Проверка завершена/);

      const result = await getJson(resultUrl(emulator, id, key));
      assert.equal(result.body.status, 'FINISHED');
      assert.equal(result.body.face2face_result.compared_with, 'photo1');
      assert.deepEqual(consoleErrors, []);
    } finally {
      await page.close();
    }
  });

  it('walks LD + ED (skip_input, code 123456) + F2F to FINISHED', async () => {
    const { page, frame, id, key } = await open(SKIP_INPUT, 1);
    try {
      await frame.click('#start-button');
      await frame.click('#capture-button');
      // skip_input: straight to the SMS code, no IIN or phone fields.
      await frame.waitForSelector('#otp-input');
      assert.equal(await frame.$('#iin-input'), null);
      // The phone the host fixed is shown masked; the full number never reaches the page.
      assert.match((await frame.textContent('#otp-sent')) ?? '', /\+7701\*{5}67/);
      assert.ok(!(await frame.content()).includes(VALID_PHONE));
      // The eGov Mobile link: not http, for a native web view to hand to the system; in a frame it may
      // only ever take the frame itself (no target), never the host page. It is not clicked here: after a
      // trusted click on a scheme with no handler, headless Chromium delivered one more mouse click, then
      // none for the 3.7 s measured, framed or top level (test/e2e/native-app.test.ts catches the link
      // at the tap, as an app does).
      const egov = await frame.$eval('#egov-mobile-link', (link) => ({ href: link.getAttribute('href'), target: link.getAttribute('target') }));
      assert.deepEqual(egov, { href: 'egov-mobile-emulated://open', target: null });
      await frame.fill('#otp-input', '123456');
      await frame.click('#otp-submit');
      await frame.click('#compare-button');

      const recorded = await messages(page, 'flow.end');
      assert.deepEqual(summary(recorded), [
        'technology.start LD',
        'technology.end LD true',
        'technology.start ED',
        'technology.end ED true',
        'technology.start F2F',
        'technology.end F2F true',
        'flow.end FINISHED',
      ]);
      await frame.waitForURL(/\/finished/);
      const result = await getJson(resultUrl(emulator, id, key));
      assert.equal(result.body.status, 'FINISHED');
      assert.equal(result.body.edocument_result.iin, VALID_IIN);
      assert.equal(result.body.edocument_result.phone, VALID_PHONE);
      assert.equal(result.body.face2face_result.compared_with, 'edocument');

      // Single use: the same session cannot be opened again.
      const again = await page.goto(`${emulator.url}/flow/${id}`);
      assert.equal(again?.status(), 410);
    } finally {
      await page.close();
    }
  });

  it('walks LD + DR (file upload) + F2F, comparing with the document photo', async () => {
    const { page, frame, id, key } = await open(undefined, 2);
    try {
      await frame.click('#start-button');
      await frame.click('#capture-button');
      await frame.setInputFiles('#document-file', {
        name: 'id-card.png',
        mimeType: 'image/png',
        buffer: Buffer.from(PNG_BASE64, 'base64'),
      });
      await frame.waitForSelector('#compare-button');
      assert.equal(await frame.getAttribute('#f2f-reference', 'src'), `data:image/png;base64,${PNG_BASE64}`);
      await frame.click('#compare-button');
      assert.equal((await messages(page, 'flow.end')).at(-1)!.data.status, 'FINISHED');
      const result = await getJson(resultUrl(emulator, id, key));
      assert.equal(result.body.document_recognition_result.result, true);
      assert.equal(result.body.face2face_result.compared_with, 'document');
    } finally {
      await page.close();
    }
  });

  it('prefills the E-Document form and keeps a fixed IIN read-only and masked', async () => {
    const metadata = { edocument: { iin: { value: VALID_IIN, changeable: false }, phone: { value: VALID_PHONE } } };
    const { page, frame, id, key } = await open(metadata, 1);
    try {
      await frame.click('#start-button');
      await frame.click('#capture-button');
      await frame.waitForSelector('#edocument-form');
      assert.equal(await frame.inputValue('#iin-input'), '********0017');
      assert.equal(await frame.getAttribute('#iin-input', 'readonly'), '');
      assert.equal(await frame.inputValue('#phone-input'), VALID_PHONE);
      assert.equal(await frame.getAttribute('#phone-input', 'readonly'), null);
      await frame.fill('#phone-input', '87011234567');
      await frame.click('#edocument-submit');
      assert.match((await frame.textContent('#phone-input-error')) ?? '', /77/);
      await frame.fill('#phone-input', VALID_PHONE);
      await frame.click('#edocument-submit');
      await frame.waitForSelector('#otp-input');
      assert.match((await frame.textContent('#otp-sent')) ?? '', new RegExp(`\\+${VALID_PHONE}`));
      await frame.fill('#otp-input', '123456');
      await frame.click('#otp-submit');
      await frame.waitForSelector('#compare-button');
      const result = await getJson(resultUrl(emulator, id, key));
      assert.equal(result.body.edocument_result.iin, VALID_IIN);
      assert.equal(result.body.edocument_result.phone, VALID_PHONE);
    } finally {
      await page.close();
    }
  });

  it('fails the flow on the SMS code 000000 and reports FAILED', async () => {
    const { page, frame, id, key } = await open(SKIP_INPUT, 1);
    try {
      await frame.click('#start-button');
      await frame.click('#capture-button');
      await frame.fill('#otp-input', '000000');
      await frame.click('#otp-submit');

      const recorded = await messages(page, 'flow.end');
      assert.deepEqual(summary(recorded), [
        'technology.start LD',
        'technology.end LD true',
        'technology.start ED',
        'technology.end ED false',
        'flow.end FAILED',
      ]);
      await frame.waitForSelector('#flow-failure-reason');
      assert.match((await frame.textContent('#flow-failure-reason')) ?? '', /Неверный код/);
      await frame.click('#finish-button');
      await frame.waitForURL(/\/finished/);

      const result = await getJson(resultUrl(emulator, id, key));
      assert.equal(result.body.status, 'FAILED');
      assert.deepEqual(result.body.flow_session_failure_reasons, ['ED: invalid_otp']);
    } finally {
      await page.close();
    }
  });

  it('fails the E-Document step with the vendor error chosen in "fail with", and reports its raw text', async () => {
    const { page, frame, id, key } = await open(undefined, 1);
    try {
      await frame.click('#start-button');
      await frame.click('#capture-button');
      await frame.waitForSelector('#edocument-form');
      assert.equal(await frame.textContent('label[for="simulate-vendor-error"]'), 'Эмулятор: провалить с ошибкой сервиса');
      await frame.selectOption('#simulate-vendor-error', 'subject-not-found');
      await frame.click('#simulate-vendor-error-button');

      assert.deepEqual(summary(await messages(page, 'flow.end')), [
        'technology.start LD',
        'technology.end LD true',
        'technology.start ED',
        'technology.end ED false',
        'flow.end FAILED',
      ]);
      await frame.waitForSelector('#flow-failure-reason');
      assert.equal(await frame.textContent('#flow-failure-reason'), 'Сервис ответил ошибкой: Subject not found in MCDB');
      const result = await getJson(resultUrl(emulator, id, key));
      assert.equal(result.body.status, 'FAILED');
      assert.equal(result.body.flow_session_result, false);
      assert.deepEqual(result.body.flow_session_failure_reasons, ['Subject not found in MCDB']);
    } finally {
      await page.close();
    }
  });

  it("fails the step of a flow's failure preset that the person passed, and ends as failed", async () => {
    const { page, frame, id, key } = await open(undefined, 3);
    try {
      await frame.click('#start-button');
      await frame.click('#capture-button');
      await frame.waitForSelector('#flow-failure-reason');
      assert.deepEqual(summary(await messages(page, 'flow.end')), [
        'technology.start LD',
        'technology.end LD false',
        'flow.end FAILED',
      ]);
      const result = await getJson(resultUrl(emulator, id, key));
      assert.deepEqual(result.body.flow_session_failure_reasons, ['Closed eyes']);
      assert.deepEqual(result.body.liveness_result.failure_reason, { type: 'CALC_RESULT', detail: 'Closed eyes' });
    } finally {
      await page.close();
    }
  });

  it('fails a camera step when the camera is refused', async () => {
    const { page, frame, id, key } = await open(undefined, 0);
    try {
      await frame.evaluate(() => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
      });
      await frame.click('#start-button');
      await frame.waitForSelector('#flow-failure-reason');
      assert.match((await frame.textContent('#flow-failure-reason')) ?? '', /Доступ к камере запрещён/);
      assert.deepEqual(summary(await messages(page, 'flow.end')), [
        'technology.start LD',
        'technology.end LD false',
        'flow.end FAILED',
      ]);
      const result = await getJson(resultUrl(emulator, id, key));
      assert.deepEqual(result.body.flow_session_failure_reasons, ['LD: camera_denied']);
    } finally {
      await page.close();
    }
  });
});
