/**
 * Every vendor error text of docs/vendor.md §6, produced on demand: as the answer of a session create or a
 * result request (the vendor's status and `{ detail }`), and as the failure of a step (the raw text in
 * the result and the `flow.end` webhook).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VENDOR_ERRORS, startEmulator, type Emulator, type VendorErrorName } from '../../src/emulator/index.js';
import { createSession, getJson, resultUrl, sendEvent, startReceiver } from './helpers.js';

/** docs/vendor.md §6, copied by hand: the emulator's catalogue is checked against it, not against itself. */
const TABLE: ReadonlyArray<[VendorErrorName, number, string]> = [
  ['subject-not-found', 404, 'Subject not found in MCDB'],
  ['edocument-unavailable', 503, "Can't connect to e-document service"],
  ['edocument-unavailable-now', 503, 'EDocument service is not available now'],
  ['edocument-timeout', 504, 'Could not send request to e-document service'],
  ['government-service-error', 424, 'Government service error'],
  ['profile-not-found', 404, 'Profile is not found'],
  ['invalid-iin', 400, 'Invalid IIN'],
  ['session-already-used', 400, 'EDocument for this session has already been received'],
  ['session-already-requested', 400, 'You have already requested a document for this session'],
  ['edocument-not-requested', 400, 'You have not sent a request for access to an e-document'],
  ['subscription-inactive', 400, 'Client does not have access to E-Document technology'],
  ['subscription-not-started', 400, 'Subscription has not started'],
  ['subscription-none-active', 400, 'No active or future subscription for technology'],
  ['subscription-missing', 400, 'Client does not have subscription'],
];

const CREATE = '/api/v1/flows/session/create/';

describe('vendor errors on demand', { timeout: 30_000 }, () => {
  let emulator: Emulator;
  const flowOf = (name: string) => emulator.flows.find((flow) => flow.name === name)!;

  before(async () => {
    emulator = await startEmulator({
      flows: [
        { name: 'LD + ED', technologies: ['LD', 'ED'] },
        ...TABLE.map(([name]) => ({ name: `create ${name}`, technologies: ['LD'], createError: name })),
        ...TABLE.map(([name]) => ({ name: `result ${name}`, technologies: ['LD'], resultError: name })),
      ],
    });
  });
  after(() => emulator.close());

  it('knows exactly the texts and statuses of docs/vendor.md §6', () => {
    assert.deepEqual(
      Object.entries(VENDOR_ERRORS).map(([name, { status, text }]) => [name, status, text]),
      TABLE,
    );
  });

  for (const [name, status, text] of TABLE) {
    it(`fails a session create with ${status} "${text}" for a flow with createError: '${name}'`, async () => {
      const before = emulator.sessions.list().length;
      const response = await fetch(emulator.url + CREATE, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api_key: flowOf(`create ${name}`).apiKey }),
      });
      assert.equal(response.status, status);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(await response.text(), JSON.stringify({ detail: text }));
      assert.equal(emulator.sessions.list().length, before);
    });
  }

  it('still checks the key first for a flow with createError', async () => {
    const response = await fetch(emulator.url + CREATE, { method: 'POST', body: JSON.stringify({ api_key: 'z'.repeat(48) }) });
    assert.equal(response.status, 401);
    await response.body?.cancel();
  });

  for (const [name, status, text] of TABLE) {
    it(`answers a result request with ${status} "${text}" for a flow with resultError: '${name}'`, async () => {
      const flow = flowOf(`result ${name}`);
      const id = (await createSession(emulator, undefined, emulator.flows.indexOf(flow))).body.session_id;
      const result = await getJson(resultUrl(emulator, id, flow.apiKey));
      assert.equal(result.status, status);
      assert.deepEqual(result.body, { detail: text });
    });
  }

  for (const [name, status, text] of TABLE) {
    it(`fails a session whose E-Document step ends with vendor_error '${name}', with the raw text in the result`, async () => {
      const id = (await createSession(emulator)).body.session_id;
      await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'LD' });
      await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'LD', success: true });
      await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'ED' });
      const failed = await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'ED', success: false, vendor_error: name });
      assert.equal(failed.status, 200, JSON.stringify(failed.body));
      assert.equal((await sendEvent(emulator, id, { type: 'flow.end' })).body.status, 'FAILED');

      const result = await getJson(resultUrl(emulator, id));
      assert.equal(result.body.status, 'FAILED');
      assert.equal(result.body.flow_session_result, false);
      assert.deepEqual(result.body.flow_session_failure_reasons, [text]);
      assert.equal(result.body.edocument_result.result, false);
      // The service's own failures (5xx, 424) are SERVICE_ERROR; the rest were refused requests.
      const type = status >= 500 || status === 424 ? 'SERVICE_ERROR' : 'REQUEST_ERROR';
      assert.deepEqual(result.body.edocument_result.failure_reason, { type, detail: text });
    });
  }

  it('keeps the emulator’s own reasons, named by their step', async () => {
    for (const reason of ['invalid_otp', 'emulated_failure']) {
      const id = (await createSession(emulator)).body.session_id;
      await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'LD' });
      await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'LD', success: true });
      await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'ED' });
      await sendEvent(emulator, id, { type: 'technology.end', technology_code: 'ED', success: false, failure_reason: reason });
      await sendEvent(emulator, id, { type: 'flow.end' });
      const result = await getJson(resultUrl(emulator, id));
      assert.equal(result.body.status, 'FAILED');
      assert.deepEqual(result.body.flow_session_failure_reasons, [`ED: ${reason}`]);
    }
  });

  it('refuses a vendor error on a step that succeeded, and a name it does not know', async () => {
    const id = (await createSession(emulator)).body.session_id;
    await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'LD' });
    const succeeded = await sendEvent(emulator, id, {
      type: 'technology.end',
      technology_code: 'LD',
      success: true,
      vendor_error: 'invalid-iin',
    });
    assert.equal(succeeded.status, 400);
    assert.ok(succeeded.body.errors.some((error: { path: string }) => error.path === 'vendor_error'), JSON.stringify(succeeded.body));
    const unknown = await sendEvent(emulator, id, {
      type: 'technology.end',
      technology_code: 'LD',
      success: false,
      vendor_error: 'Invalid IIN',
    });
    assert.equal(unknown.status, 400);
    assert.equal(emulator.sessions.get(id)!.outcomes.length, 0);
  });
});

describe('vendor errors in webhooks', { timeout: 20_000 }, () => {
  it('carries the raw text in technology.end and flow.end, as the failure_reason { type, detail } of the step', async () => {
    const receiver = await startReceiver();
    const emulator = await startEmulator({ webhooks: [receiver.url], flows: [{ name: 'ED', technologies: ['ED'] }] });
    try {
      const id = (await createSession(emulator)).body.session_id;
      await sendEvent(emulator, id, { type: 'technology.start', technology_code: 'ED' });
      await sendEvent(emulator, id, {
        type: 'technology.end',
        technology_code: 'ED',
        success: false,
        vendor_error: 'government-service-error',
      });
      await sendEvent(emulator, id, { type: 'flow.end' });
      await receiver.waitFor(4);
      const [, , technologyEnd, flowEnd] = receiver.accepted.map((webhook) => webhook.body);
      assert.equal(technologyEnd.event, 'technology.end');
      assert.equal(technologyEnd.success, false);
      const failureReason = { type: 'SERVICE_ERROR', detail: 'Government service error' };
      assert.deepEqual(technologyEnd.data.edocument_result.failure_reason, failureReason);
      assert.equal(flowEnd.event, 'flow.end');
      assert.equal(flowEnd.success, false);
      assert.equal(flowEnd.data.session_result.status, 'FAILED');
      assert.equal(flowEnd.data.session_result.flow_session_result, false);
      assert.deepEqual(flowEnd.data.session_result.edocument_result.failure_reason, failureReason);
    } finally {
      await emulator.close();
      await receiver.close();
    }
  });
});
