/**
 * The demo's module page (the package source imported as a module) in Chromium with a fake camera:
 * whole flows inline and in the modal dialog, the E-Document skip case, and a foreign frame that tries
 * to end the flow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import type { Demo } from '../../demo/server.js';
import { TEST_IIN, TEST_PHONE } from '../../demo/presets.js';
import {
  choose,
  eventLog,
  expectFinished,
  flowFrame,
  launchChromium,
  openDemoPage,
  passFlow,
  startButton,
  startTestDemo,
  waitForLogged,
  type DemoPage,
} from '../support/e2e.js';

/** A page on an origin of its own that posts finish messages to the window on top of it. */
async function startForeignOrigin(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>foreign</title><script>
      top.postMessage({ event: 'flow.end', status: 'FINISHED' }, '*');
      top.postMessage('finished', '*');
      top.postMessage({ event: 'foreign-done' }, '*');
    </script>`);
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

describe('demo: module page', { timeout: 180_000 }, () => {
  let demo: Demo;
  let browser: Browser;
  let foreign: Awaited<ReturnType<typeof startForeignOrigin>>;

  before(async () => {
    [demo, browser, foreign] = await Promise.all([startTestDemo(), launchChromium(), startForeignOrigin()]);
  });
  after(async () => {
    await browser?.close();
    await foreign?.close();
    await demo?.close();
  });

  async function open(): Promise<DemoPage> {
    return openDemoPage(browser, demo, 'module.html');
  }

  async function done({ page, errors }: DemoPage): Promise<void> {
    await page.context().close();
    assert.deepEqual(errors, [], 'no console errors');
  }

  it('passes LDHP + Face2Face inline, and the server says FINISHED', { timeout: 60_000 }, async () => {
    const demoPage = await open();
    const { page } = demoPage;
    await choose(page, { preset: 'Liveness Head Position + Face2Face', mode: 'Inline' });
    assert.equal(await page.locator('#preset-flow').textContent(), 'LDHP + F2F: LDHP → F2F');

    const started = performance.now();
    await startButton(page).click();
    const created = await waitForLogged(page, 'session-created');
    assert.deepEqual(created.technologies, ['LDHP', 'F2F']);
    await passFlow(flowFrame(page), ['LDHP', 'F2F']);
    const finished = await expectFinished(page, demo);
    const duration = Math.round(performance.now() - started);
    console.log(`e2e flow duration: ${duration} ms`);

    assert.equal(finished.sessionId, created.sessionId);
    assert.deepEqual(finished.technologies, ['LDHP', 'F2F']);
    const names = (await eventLog(page)).map((entry) => entry.name);
    assert.ok(names.indexOf('session-created') < names.indexOf('flow-loaded'));
    assert.ok(names.includes('flow-message'));
    // The emulator confirms the session was made with the LDHP flow's key and no metadata.
    const session = demo.emulator!.sessions.get(created.sessionId)!;
    assert.equal(session.flowName, 'LDHP + F2F');
    assert.equal(session.metadata, null);
    assert.equal(await page.locator('#flow iframe').count(), 0, 'the frame is gone after the flow');
    await done(demoPage);
  });

  it('goes straight to the SMS code in E-Document case 1 (skip input)', { timeout: 60_000 }, async () => {
    const demoPage = await open();
    const { page } = demoPage;
    await choose(page, { preset: 'E-Document case 1: both fixed, input skipped', mode: 'Inline' });
    assert.equal(await page.locator('#preset-flow').textContent(), 'LD + ED + F2F: LD → ED → F2F');
    await startButton(page).click();
    const frame = flowFrame(page);
    await frame.locator('#start-button').click();
    await frame.locator('#capture-button').click();

    await frame.locator('#otp-input').waitFor();
    assert.equal(await frame.locator('#iin-input').count(), 0, 'no IIN field: the input step is skipped');
    // A fixed value reaches the flow page masked: only the session's own window sees even that much.
    assert.match((await frame.locator('#otp-sent').textContent()) ?? '', /\+7701\*{5}67/);
    await frame.locator('#otp-input').fill('123456');
    await frame.locator('#otp-submit').click();
    await frame.locator('#compare-button').click();

    const finished = await expectFinished(page, demo);
    const session = demo.emulator!.sessions.get(finished.sessionId)!;
    assert.equal(session.flowName, 'LD + ED + F2F');
    assert.deepEqual(
      session.outcomes.map((outcome) => [outcome.code, outcome.success]),
      [
        ['LD', true],
        ['ED', true],
        ['F2F', true],
      ],
    );
    assert.deepEqual(session.metadata?.edocument, {
      iin: { value: TEST_IIN, changeable: false },
      phone: { value: TEST_PHONE, changeable: false },
      skip_input: true,
    });
    await done(demoPage);
  });

  it('keeps a fixed IIN read-only in E-Document case 2, and reports FAILED for the code 000000', { timeout: 60_000 }, async () => {
    const demoPage = await open();
    const { page } = demoPage;
    await choose(page, { preset: 'E-Document case 2: IIN fixed, phone editable', mode: 'Inline' });
    await startButton(page).click();
    const frame = flowFrame(page);
    await frame.locator('#start-button').click();
    await frame.locator('#capture-button').click();

    const iin = frame.getByLabel('IIN');
    const phone = frame.getByLabel('Phone number');
    await iin.waitFor();
    assert.equal(await iin.inputValue(), `********${TEST_IIN.slice(-4)}`, 'the fixed IIN is shown masked');
    assert.equal(await iin.isEditable(), false, 'the fixed IIN cannot be changed');
    assert.equal(await phone.inputValue(), TEST_PHONE);
    await phone.fill('77071234567');
    await frame.locator('#edocument-submit').click();
    await frame.locator('#otp-input').fill('000000');
    // The flow's flow.end message ends it at once: the element does not wait for the failure page's button.
    await frame.locator('#otp-submit').click();

    const finished = await waitForLogged(page, 'finished');
    assert.equal(finished.status, 'FAILED', 'the verdict comes from the server');
    assert.equal(finished.outcome, 'failed');
    assert.deepEqual(finished.result, {
      flow_session_result: false,
      flow_session_failure_reasons: ['ED: invalid_otp'],
      failure_reasons: [{ code: 'sms-code-wrong', technology: 'ED', text: 'invalid_otp' }],
    });
    // The person is told the truth, with a way to try again: never "complete".
    const flow = page.locator('#flow');
    assert.equal(await flow.getByText('Verification did not pass').isVisible(), true);
    assert.equal(await flow.getByRole('button', { name: 'Try again' }).isVisible(), true);
    const session = demo.emulator!.sessions.get(finished.sessionId)!;
    assert.deepEqual(session.outcomes.at(-1)!.details, { iin: TEST_IIN, phone: '77071234567' });
    await done(demoPage);
  });

  it('ignores a finish message from a frame of another origin', { timeout: 60_000 }, async () => {
    const demoPage = await open();
    const { page } = demoPage;
    await choose(page, { preset: 'Default flow (Liveness + Face2Face)', mode: 'Inline' });
    await startButton(page).click();
    await waitForLogged(page, 'flow-loaded');
    await flowFrame(page).locator('#start-button').waitFor();
    assert.equal(await page.locator('#flow').getAttribute('state'), 'active');

    // The page's own listener runs after the element's (added later), so once it has seen the
    // foreign frame's last message, the element has already judged all of them.
    const delivered = await page.evaluate(
      (src) =>
        new Promise<string[]>((resolve, reject) => {
          const seen: string[] = [];
          const timer = setTimeout(() => reject(new Error(`only saw ${JSON.stringify(seen)}`)), 10_000);
          addEventListener('message', (event) => {
            if (event.origin !== new URL(src).origin) return;
            seen.push(JSON.stringify(event.data));
            if ((event.data as { event?: string })?.event === 'foreign-done') {
              clearTimeout(timer);
              resolve(seen);
            }
          });
          const frame = document.createElement('iframe');
          frame.title = 'foreign';
          frame.src = src;
          document.body.append(frame);
        }),
      foreign.url,
    );
    assert.equal(delivered.length, 3, 'the foreign messages reached the page');

    assert.equal(await page.locator('#flow').getAttribute('state'), 'active');
    const log = await eventLog(page);
    assert.deepEqual(log.filter((entry) => entry.name === 'finished'), []);
    assert.deepEqual(
      log.filter((entry) => entry.name === 'flow-message' && entry.detail.origin !== new URL(demo.emulatorUrl!).origin),
      [],
    );
    assert.equal(await flowFrame(page).locator('#start-button').isVisible(), true, 'the flow is still there');
    await done(demoPage);
  });

  it('passes a whole flow in the modal dialog (Russian), and returns focus to the page', { timeout: 60_000 }, async () => {
    const demoPage = await open();
    const { page } = demoPage;
    await choose(page, { preset: 'Face2Face with photo1', mode: 'Modal', locale: 'Русский' });
    await startButton(page, 'Русский').click();

    const dialog = page.locator('#flow dialog[part~="dialog"]');
    await dialog.waitFor();
    assert.equal(await dialog.evaluate((node) => (node as HTMLDialogElement).open && node.matches(':modal')), true);
    const frame = flowFrame(page);
    await frame.locator('#start-button').click();
    assert.equal(await frame.locator('#step-indicator').textContent(), 'Шаг 1 из 2');
    await frame.locator('#capture-button').click();
    // photo1 from the server is the reference: no document photo is asked for.
    await frame.locator('#f2f-reference').waitFor();
    assert.match((await frame.locator('#f2f-reference').getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    await frame.locator('#compare-button').click();

    await expectFinished(page, demo);
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.locator('#flow').getByText('Проверка пройдена').isVisible(), true);
    const focused = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent?.trim());
    assert.equal(focused, 'Проверка пройдена', 'focus lands on the outcome, not on <body>');
    await done(demoPage);
  });
});
