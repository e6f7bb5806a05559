// Every vendor error text of docs/vendor.md §6, produced by the emulator on demand and read by the real
// handlers over HTTP: a session-create refusal answers the stable code, and a flow that failed with the
// text gives the status summary's `failure_reasons` that code. The emulator's table says which code each
// text should get; the server's own table (vendor-reasons.ts) was written separately, so the two check
// each other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, VENDOR_ERRORS, VENDOR_ERROR_NAMES } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { createSessionHandler, createStatusHandler } from '../../src/server/index.js';
import { sendEvent } from '../emulator/helpers.js';
import { TOKEN_SECRET, capturingLogger } from './fake-vendor.js';

const SITE = 'https://shop.example';
const NORMAL = 'LD + ED';

describe('vendor error codes end to end (emulator → handlers)', () => {
  let emulator: Emulator;

  before(async () => {
    emulator = await startEmulator({
      port: 0,
      flows: [
        { name: NORMAL, technologies: ['LD', 'ED'] },
        ...VENDOR_ERROR_NAMES.map((name) => ({ name, technologies: ['LD', 'ED'], createError: name })),
      ],
    });
  });
  after(() => emulator?.close());

  const keyOf = (name: string) => emulator.flows.find((flow) => flow.name === name)!.apiKey;
  const sessionHandler = (name: string) =>
    createSessionHandler({ apiKey: keyOf(name), apiBaseUrl: emulator.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger() });
  const create = (name: string) =>
    sessionHandler(name)(
      new Request(`${SITE}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"locale":"en"}' }),
    );

  for (const name of VENDOR_ERROR_NAMES) {
    const { status, text, code } = VENDOR_ERRORS[name];

    it(`answers a refused session create (${status} "${text}") with 502 ${code}`, async () => {
      const response = await create(name);
      assert.equal(response.status, 502);
      const body = (await response.json()) as { error: { code: string; vendorStatus?: number; message: string } };
      assert.equal(body.error.code, code);
      assert.equal(body.error.vendorStatus, status);
      assert.ok(!body.error.message.includes(keyOf(name)), 'no key in the answer');
    });

    it(`summarises a flow that failed with "${text}" as failure reason ${code}`, async () => {
      const created = (await (await create(NORMAL)).json()) as { session_id: string; status_token: string };
      const id = created.session_id;
      for (const event of [
        { type: 'technology.start', technology_code: 'LD' },
        { type: 'technology.end', technology_code: 'LD', success: true },
        { type: 'technology.start', technology_code: 'ED' },
        { type: 'technology.end', technology_code: 'ED', success: false, vendor_error: name },
        { type: 'flow.end' },
      ]) {
        const answer = await sendEvent(emulator, id, event);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
      }
      const statusHandler = createStatusHandler({ apiKey: keyOf(NORMAL), apiBaseUrl: emulator.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger() });
      const response = await statusHandler(
        new Request(`${SITE}/status?session_id=${id}`, { headers: { 'Biometric-Status-Token': created.status_token } }),
      );
      assert.equal(response.status, 200);
      const body = (await response.json()) as { status: string; result: { flow_session_result: boolean; failure_reasons: { code: string; text: string }[] } };
      assert.equal(body.status, 'FAILED');
      assert.equal(body.result.flow_session_result, false);
      assert.deepEqual(body.result.failure_reasons.map((reason) => [reason.code, reason.text]), [[code, text]]);
    });
  }
});
