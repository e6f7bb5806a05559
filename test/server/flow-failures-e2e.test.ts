// Every flow failure preset of the emulator (docs/vendor.md §8), acted out by a page that passes every step,
// and read by the real handlers over HTTP: the status summary's `failure_reasons` carries the preset's
// code, and so does the `flow.end` webhook's `session_result`. The emulator's table says which code each
// reason should get; the server's mapping (vendor-reasons.ts) was written separately, so the two check
// each other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FLOW_FAILURES, FLOW_FAILURE_NAMES, startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { REASON_CODES, createSessionHandler, createStatusHandler, resultFailureReasons } from '../../src/server/index.js';
import { sendEvent, startReceiver } from '../emulator/helpers.js';
import { TOKEN_SECRET, capturingLogger } from './fake-vendor.js';

const SITE = 'https://shop.example';
const TECHNOLOGIES = ['LD', 'ED', 'F2F'];

describe('flow failure presets end to end (emulator → handlers)', { timeout: 60_000 }, () => {
  let emulator: Emulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    receiver = await startReceiver();
    emulator = await startEmulator({
      port: 0,
      webhooks: [receiver.url],
      flows: FLOW_FAILURE_NAMES.map((name) => ({ name, technologies: TECHNOLOGIES, failWith: name })),
    });
  });
  after(async () => {
    await emulator?.close();
    await receiver?.close();
  });

  const keyOf = (name: string) => emulator.flows.find((flow) => flow.name === name)!.apiKey;

  it('has a preset for every code a failure type or detail can get', () => {
    const codes: ReadonlySet<string> = new Set(FLOW_FAILURE_NAMES.map((name) => FLOW_FAILURES[name].code));
    const vendorErrorsOnly = ['subject-not-found', 'edocument-unavailable', 'edocument-timeout', 'government-service-error', 'profile-not-found', 'invalid-iin', 'edocument-not-requested'];
    assert.deepEqual(
      REASON_CODES.filter((code) => !codes.has(code)),
      vendorErrorsOnly,
      'every other code has a preset (the vendor error texts have theirs in VENDOR_ERRORS)',
    );
  });

  for (const name of FLOW_FAILURE_NAMES) {
    const { type, detail, code } = FLOW_FAILURES[name];

    it(`fails a session of a flow with failWith ${name} as ${type} "${detail}", summarised as ${code}`, async () => {
      const handler = createSessionHandler({ apiKey: keyOf(name), apiBaseUrl: emulator.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger() });
      const created = (await (
        await handler(new Request(`${SITE}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"locale":"en"}' }))
      ).json()) as { session_id: string; status_token: string };
      const id = created.session_id;
      // The page passes every step it is asked; the emulator fails the preset's step, and says so.
      let failedAt: string | undefined;
      for (const technology of TECHNOLOGIES) {
        assert.equal((await sendEvent(emulator, id, { type: 'technology.start', technology_code: technology })).status, 200);
        const end = await sendEvent(emulator, id, { type: 'technology.end', technology_code: technology, success: true });
        assert.equal(end.status, 200, JSON.stringify(end.body));
        if (end.body.success === false) {
          failedAt = technology;
          break;
        }
      }
      assert.equal(failedAt, FLOW_FAILURES[name].step === 'edocument' ? 'ED' : 'LD');
      assert.equal((await sendEvent(emulator, id, { type: 'flow.end' })).body.status, 'FAILED');

      const statusHandler = createStatusHandler({ apiKey: keyOf(name), apiBaseUrl: emulator.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger() });
      const response = await statusHandler(
        new Request(`${SITE}/status?session_id=${id}`, { headers: { 'Biometric-Status-Token': created.status_token } }),
      );
      assert.equal(response.status, 200);
      const body = (await response.json()) as { status: string; result: { failure_reasons: unknown[] } };
      assert.equal(body.status, 'FAILED');
      assert.deepEqual(body.result.failure_reasons, [{ code, technology: failedAt, text: detail }]);

      await emulator.webhooksIdle();
      const flowEnd = receiver.accepted.map((webhook) => webhook.body).find((envelope) => envelope.event === 'flow.end' && envelope.data.session_result.session_id === id);
      assert.ok(flowEnd, 'a flow.end webhook');
      assert.deepEqual(resultFailureReasons(flowEnd.data.session_result), [{ code, technology: failedAt, text: detail }]);
    });
  }

  it('refuses a preset whose step the flow does not have', async () => {
    await assert.rejects(startEmulator({ flows: [{ name: 'LD only', technologies: ['LD', 'F2F'], failWith: 'sms-code-wrong' }] }), {
      name: 'TypeError',
      message: /failWith sms-code-wrong fails a step this flow does not have/,
    });
    await assert.rejects(startEmulator({ flows: [{ name: 'DR', technologies: ['DR'], failWith: 'eyes-closed' }] }), TypeError);
    await assert.rejects(startEmulator({ flows: [{ name: 'x', technologies: ['LD'], failWith: 'nope' as 'other' }] }), TypeError);
  });
});
