import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookHandler, toNodeListener } from '../../src/server/index.js';
import type { WebhookDelivery, WebhookHandlerOptions } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/server/store.js';
import type { FlowStore } from '../../src/server/store.js';
import { startEmulator } from '../../src/emulator/index.js';
import { createSession as emulatorSession, walkSession } from '../emulator/helpers.js';
import { API_KEY, SESSION_ID, capturingLogger, deadUrl, startFakeVendor } from './fake-vendor.js';
import type { FakeVendor } from './fake-vendor.js';

const TOKEN = 'f3a9c1d27b8e4056a1b2c3d4e5f60718293a4b5c6d7e8f90';
const ENDPOINT = `https://shop.example/api/biometric/webhook/${TOKEN}`;
const OTHER_SESSION = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const FINISHED = { id: SESSION_ID, status: 'FINISHED', flow_session_result: true, flow_session_failure_reasons: [] };
const FAILED = { id: SESSION_ID, status: 'FAILED', flow_session_result: false, flow_session_failure_reasons: ['face mismatch'] };

let vendor: FakeVendor;
before(async () => {
  vendor = await startFakeVendor();
});
after(() => vendor.close());
beforeEach(() => {
  vendor.requests.length = 0;
  vendor.behave({ json: FINISHED });
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

function technologyStart(fields: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    event: 'technology.start',
    session_id: SESSION_ID,
    created: nowSeconds(),
    success: true,
    flow_name: 'Flow',
    metadata: {},
    data: { technology_code: 'LD', technology_name: 'Liveness' },
    ...fields,
  };
}

/** A `flow.end` whose body claims a success, whatever the vendor says. */
function flowEnd(fields: Record<string, unknown> = {}, sessionResult: Record<string, unknown> = {}) {
  return {
    ...technologyStart(),
    event: 'flow.end',
    data: { session_result: { status: 'FINISHED', session_id: SESSION_ID, flow_session_result: true, ...sessionResult } },
    ...fields,
  };
}

function setup(options: Partial<WebhookHandlerOptions> = {}) {
  const deliveries: WebhookDelivery[] = [];
  const logger = capturingLogger();
  const handler = createWebhookHandler({
    apiKey: API_KEY,
    apiBaseUrl: vendor.url,
    timeoutMs: 2000,
    pathToken: TOKEN,
    logger,
    onEvent: (delivery) => {
      deliveries.push(delivery);
    },
    ...options,
  });
  return { handler, deliveries, logger };
}

const post = (body: unknown, url = ENDPOINT, headers: Record<string, string> = {}) =>
  new Request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  });

/** Waits for `promise`, failing after `ms` so that a test cleans up after itself. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function answer(response: Response): Promise<{ status: number; body: any }> {
  return { status: response.status, body: await response.json() };
}

describe('createWebhookHandler', { timeout: 30_000 }, () => {
  it('throws at creation only for programming errors', () => {
    const base = { apiKey: API_KEY, onEvent: () => {}, pathToken: TOKEN };
    assert.throws(() => createWebhookHandler({ ...base, maxAgeSeconds: 0 }), /maxAgeSeconds/);
    assert.throws(() => createWebhookHandler({ ...base, confirmWaitMs: -1 }), /confirmWaitMs/);
    assert.throws(() => createWebhookHandler({ ...base, timeoutMs: 0 }), /timeoutMs/);
    assert.throws(() => createWebhookHandler({ apiKey: API_KEY, pathToken: TOKEN } as WebhookHandlerOptions), /onEvent/);
    // What a build without secrets lacks does not throw: `next build` loads the route module.
    assert.doesNotThrow(() => createWebhookHandler({ onEvent: () => {}, apiKey: undefined as unknown as string, pathToken: undefined }));
  });

  it('answers 500 configuration-error, logging the cause once, without a key, a path token or an address allow-list, or with malformed ones', async () => {
    const base = { apiKey: API_KEY, onEvent: () => {} };
    const cases: [Partial<WebhookHandlerOptions>, RegExp][] = [
      [{}, /pathToken, allowedAddresses or both/],
      [{ pathToken: 'short' }, /pathToken must be 32 to 256/],
      [{ pathToken: `${TOKEN}/x` }, /pathToken must be/],
      [{ allowedAddresses: [] }, /non-empty array/],
      [{ apiKey: '', pathToken: TOKEN }, /apiKey must be a non-empty string/],
      [{ apiKey: undefined as unknown as string, pathToken: TOKEN }, /apiKey must be a non-empty string/],
      ...['10.0.0.256', '10.0.0.0/33', '2001:db8::/129', '1.2.3', '01.2.3.4', 'host.example', '1::2::3'].map(
        (entry): [Partial<WebhookHandlerOptions>, RegExp] => [{ allowedAddresses: [entry] }, /is not an IP address or range/],
      ),
    ];
    for (const [options, reason] of cases) {
      const logger = capturingLogger();
      const webhook = createWebhookHandler({ ...base, logger, ...options });
      for (let i = 0; i < 2; i++) {
        const response = await webhook(new Request(`https://shop.example/hook/${TOKEN}`, { method: 'POST', body: '{}' }), { clientAddress: '10.0.0.1' });
        assert.equal(response.status, 500, JSON.stringify(options));
        assert.equal((await response.json()).error.code, 'configuration-error');
      }
      assert.equal(logger.lines.length, 1, `one line for two requests: ${logger.lines.join('\n')}`);
      assert.match(logger.lines[0]!, /^error \[biometric-flow\] createWebhookHandler is not configured: /);
      assert.match(logger.lines[0]!, reason, JSON.stringify(options));
      assert.ok(!logger.lines[0]!.includes(TOKEN.slice(0, 16)), 'never the path token');
    }
  });

  it('delivers a valid event once, without a verdict and without asking the vendor', async () => {
    const { handler, deliveries, logger } = setup();
    const event = technologyStart();
    assert.deepEqual(await answer(await handler(post(event))), { status: 200, body: { ok: true } });
    assert.equal(deliveries.length, 1);
    assert.deepEqual(deliveries[0], { event });
    assert.equal(vendor.requests.length, 0);
    assert.deepEqual(logger.lines, []);
  });

  it('passes an unknown event name through with only its envelope checked', async () => {
    const { handler, deliveries } = setup();
    const event = { ...technologyStart(), event: 'session.expired', data: { anything: 1 } };
    assert.equal((await handler(post(event))).status, 200);
    assert.deepEqual(deliveries, [{ event }]);
  });

  describe('who may post', () => {
    it('refuses a wrong or missing path token before reading the body, with one log line', async () => {
      const { handler, deliveries, logger } = setup();
      const wrong = TOKEN.slice(0, -1) + (TOKEN.endsWith('0') ? '1' : '0');
      const cases = [
        `https://shop.example/api/biometric/webhook/${wrong}`,
        'https://shop.example/api/biometric/webhook',
        `https://shop.example/api/biometric/webhook?token=${TOKEN}`,
        `https://shop.example/api/biometric/webhook/${TOKEN}/extra`,
        `https://shop.example/api/biometric/webhook/${TOKEN}x`,
      ];
      for (const url of cases) {
        const request = post(technologyStart(), url);
        assert.deepEqual((await answer(await handler(request))).status, 403, url);
        assert.equal(request.bodyUsed, false, 'the body is not read for a refused client');
      }
      assert.equal(deliveries.length, 0);
      assert.equal(logger.lines.length, cases.length);
      for (const line of logger.lines) assert.match(line, /webhook refused \(403 forbidden\): the path token is wrong or missing/);
    });

    it('accepts the token with a trailing slash', async () => {
      const { handler, deliveries } = setup();
      assert.equal((await handler(post(technologyStart(), `${ENDPOINT}/`))).status, 200);
      assert.equal(deliveries.length, 1);
    });

    it('checks the client address given by the host against exact addresses and ranges', async () => {
      const { handler, deliveries, logger } = setup({
        pathToken: undefined,
        allowedAddresses: ['203.0.113.7', '198.51.100.0/24', '2001:db8:abcd::/48'],
      });
      const url = 'https://shop.example/api/biometric/webhook';
      const allowedCases = ['203.0.113.7', '198.51.100.200', '::ffff:198.51.100.1', '2001:db8:abcd:12::1', '[2001:db8:abcd::5]:443', '203.0.113.7:5555'];
      for (const clientAddress of allowedCases) {
        assert.equal((await handler(post(technologyStart(), url), { clientAddress })).status, 200, clientAddress);
      }
      const refusedCases = ['203.0.113.8', '198.51.101.1', '2001:db8:abce::1', '::1', 'not-an-address', '203.0.113.7.1'];
      for (const clientAddress of refusedCases) {
        assert.equal((await handler(post(technologyStart(), url), { clientAddress })).status, 403, clientAddress);
      }
      assert.equal(deliveries.length, allowedCases.length);
      assert.equal(logger.lines.length, refusedCases.length);
      assert.match(logger.lines[0]!, /the address "203\.0\.113\.8" is not allowed/);
    });

    it('with trustProxy, takes the address the proxy appended, not the one the client wrote', async () => {
      const { handler, deliveries } = setup({ pathToken: undefined, allowedAddresses: ['10.1.2.3'], trustProxy: true });
      const url = 'https://shop.example/hook';
      assert.equal((await handler(post(technologyStart(), url, { 'X-Forwarded-For': '10.1.2.3, 192.0.2.44' }))).status, 403);
      assert.equal((await handler(post(technologyStart(), url))).status, 403, 'no header, no address');
      assert.equal((await handler(post(technologyStart(), url, { 'X-Forwarded-For': '192.0.2.44, 10.1.2.3' }))).status, 200);
      assert.equal(deliveries.length, 1);
    });

    it('answers configuration-error when an allow-list has no way to learn the address', async () => {
      const { handler, deliveries, logger } = setup({ pathToken: undefined, allowedAddresses: ['10.1.2.3'] });
      const response = await answer(await handler(post(technologyStart(), ENDPOINT, { 'X-Forwarded-For': '10.1.2.3' })));
      assert.equal(response.status, 500);
      assert.equal(response.body.error.code, 'configuration-error');
      assert.equal(deliveries.length, 0);
      assert.match(logger.lines.join('\n'), /pass \{ clientAddress \}.*or set trustProxy/);
    });

    it('with both a token and an allow-list, requires both', async () => {
      const { handler, deliveries } = setup({ allowedAddresses: ['10.1.2.3'] });
      assert.equal((await handler(post(technologyStart()), { clientAddress: '10.9.9.9' })).status, 403);
      assert.equal((await handler(post(technologyStart(), 'https://shop.example/hook'), { clientAddress: '10.1.2.3' })).status, 403);
      assert.equal((await handler(post(technologyStart()), { clientAddress: '10.1.2.3' })).status, 200);
      assert.equal(deliveries.length, 1);
    });
  });

  describe('what is refused', () => {
    it('refuses each bad request with its status and code, one log line naming the reason, and delivers nothing', async () => {
      const { handler, deliveries, logger } = setup({ maxBodyBytes: 4096 });
      const cases: Array<[string, Request, number, string, RegExp]> = [
        ['GET', new Request(ENDPOINT), 405, 'method-not-allowed', /method "GET"/],
        ['too large', post({ ...technologyStart(), pad: 'x'.repeat(5000) }), 413, 'payload-too-large', /at most 4096 bytes/],
        ['not JSON', post('{"id":'), 400, 'invalid-webhook', /invalid envelope at \(root\)/],
        ['not UTF-8', post(new Uint8Array([0x7b, 0xff, 0x7d])), 400, 'invalid-webhook', /not UTF-8/],
        ['too deep', post('['.repeat(100) + ']'.repeat(100)), 400, 'invalid-webhook', /nests too deep/],
        ['no session_id', post({ ...technologyStart(), session_id: undefined }), 400, 'invalid-webhook', /invalid envelope at session_id/],
        ['bad flow.end data', post({ ...flowEnd(), data: { session_result: {} } }), 400, 'invalid-webhook', /data\.session_result\.status/],
        [
          'flow.end naming another session',
          post(flowEnd({}, { session_id: OTHER_SESSION })),
          400,
          'session-mismatch',
          new RegExp(`the data names session "${OTHER_SESSION}"`),
        ],
        [
          'flow.end whose data names another session beside its own result',
          post({ ...flowEnd(), data: { session_id: OTHER_SESSION, session_result: { status: 'FINISHED', session_id: SESSION_ID } } }),
          400,
          'session-mismatch',
          /the data names session/,
        ],
        [
          'data naming another session',
          post(technologyStart({ data: { technology_code: 'LD', session_id: OTHER_SESSION } })),
          400,
          'session-mismatch',
          /the data names session/,
        ],
        ['older than the window', post(technologyStart({ created: nowSeconds() - 601 })), 422, 'event-too-old', /created 60\d s ago/],
        ['from the future', post(technologyStart({ created: nowSeconds() + 120 })), 422, 'event-from-future', /in the future/],
      ];
      for (const [name, request, status, code, reason] of cases) {
        const before = logger.lines.length;
        const response = await answer(await handler(request));
        assert.equal(response.status, status, name);
        assert.equal(response.body.error.code, code, name);
        assert.equal(logger.lines.length, before + 1, `${name}: one log line`);
        assert.match(logger.lines.at(-1)!, reason, name);
        assert.match(logger.lines.at(-1)!, new RegExp(`webhook refused \\(${status} ${code}\\)`), name);
      }
      assert.equal(deliveries.length, 0);
      assert.equal(vendor.requests.length, 0, 'nothing refused reached the vendor');
    });

    it('names the wrong fields of an invalid envelope', async () => {
      const { handler } = setup();
      const { body } = await answer(await handler(post({ ...technologyStart(), created: 'yesterday' })));
      assert.deepEqual(body.error.issues.map((issue: { path: string }) => issue.path), ['created']);
    });

    it('accepts the inner session id in another letter case, and events inside the window', async () => {
      const { handler, deliveries } = setup({ maxAgeSeconds: 60 });
      assert.equal((await handler(post(flowEnd({}, { session_id: SESSION_ID.toUpperCase() })))).status, 200);
      assert.equal((await handler(post(technologyStart({ created: nowSeconds() - 50 })))).status, 200);
      assert.equal((await handler(post(technologyStart({ created: nowSeconds() + 30 })))).status, 200);
      assert.equal((await handler(post(technologyStart({ created: nowSeconds() - 70 })))).status, 422);
      assert.equal(deliveries.length, 3);
    });

    it('never logs the API key or the path token', async () => {
      const { handler, logger } = setup({ apiBaseUrl: await deadUrl(), allowedAddresses: ['10.0.0.1'] });
      await handler(post(technologyStart(), ENDPOINT.replace(TOKEN, `${TOKEN}0`)), { clientAddress: '10.0.0.1' });
      await handler(post(technologyStart()), { clientAddress: '10.0.0.2' });
      await handler(post(flowEnd()), { clientAddress: '10.0.0.1' });
      await handler(post(technologyStart({ created: 1 })), { clientAddress: '10.0.0.1' });
      assert.equal(logger.lines.length, 4);
      for (const line of logger.lines) {
        assert.ok(!line.includes(API_KEY) && !line.includes(encodeURIComponent(API_KEY)), line);
        assert.ok(!line.includes(TOKEN), line);
      }
    });
  });

  describe('once per event id', () => {
    it('delivers a repeated event once and answers the repeat 200 duplicate', async () => {
      const { handler, deliveries, logger } = setup();
      const event = technologyStart();
      assert.deepEqual(await answer(await handler(post(event))), { status: 200, body: { ok: true } });
      assert.deepEqual(await answer(await handler(post(event))), { status: 200, body: { ok: true, duplicate: true } });
      assert.deepEqual(await answer(await handler(post({ ...event, data: { technology_code: 'F2F' } }))), {
        status: 200,
        body: { ok: true, duplicate: true },
      });
      assert.equal(deliveries.length, 1);
      assert.deepEqual(logger.lines, [], 'a duplicate is not a refusal');
    });

    it('delivers 20 concurrent copies once; the others are told to retry, then are duplicates', { timeout: 5000 }, async () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const { handler, deliveries } = setup({
        onEvent: async (delivery) => {
          deliveries.push(delivery);
          await gate;
        },
      });
      const event = flowEnd();
      const pending = Array.from({ length: 20 }, () => handler(post(event)).then(answer));
      // While the first delivery is held in onEvent, the 19 others answer.
      const settled: Array<{ status: number; body: any }> = [];
      const othersAnswered = new Promise<void>((resolve) => {
        for (const promise of pending) {
          void promise.then((value) => {
            if (settled.push(value) === 19) resolve();
          });
        }
      });
      await within(othersAnswered, 4000, 'the answers to the 19 copies');
      for (const other of settled) {
        assert.equal(other.status, 409);
        assert.equal(other.body.error.code, 'delivery-in-progress');
      }
      open();
      const all = await Promise.all(pending);
      assert.equal(all.filter((one) => one.status === 200 && one.body.duplicate === undefined).length, 1);
      assert.equal(deliveries.length, 1);
      assert.equal(vendor.requests.length, 1, 'one confirmation');
      assert.deepEqual(await answer(await handler(post(event))), { status: 200, body: { ok: true, duplicate: true } });
      assert.equal(deliveries.length, 1);
    });

    it('delivers once across two handler instances that share a store, sequentially and concurrently', async () => {
      const store = createMemoryStore();
      const a = setup({ store });
      const b = setup({ store });
      const first = technologyStart();
      assert.equal((await a.handler(post(first))).status, 200);
      assert.deepEqual(await answer(await b.handler(post(first))), { status: 200, body: { ok: true, duplicate: true } });
      const second = technologyStart();
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).handler(post(second))));
      assert.equal(a.deliveries.length + b.deliveries.length, 2);
      assert.deepEqual(
        [...a.deliveries, ...b.deliveries].map((delivery) => delivery.event.id).sort(),
        [first.id, second.id].sort(),
      );
      const separate = setup();
      assert.equal((await separate.handler(post(first))).status, 200, 'a handler with its own store delivers again');
    });

    it('keeps a delivered id in the store at least as long as the age window', async () => {
      const store = createMemoryStore();
      const ttls: number[] = [];
      const spy: FlowStore = { ...store, set: (key, value, ttlMs) => (key.startsWith('bf:webhook:') && ttls.push(ttlMs), store.set(key, value, ttlMs)) };
      const { handler } = setup({ store: spy, maxAgeSeconds: 900 });
      await handler(post(technologyStart()));
      assert.equal(ttls.length, 1);
      assert.ok(ttls[0]! >= 900_000, `ttl ${ttls[0]}`);
    });

    it('answers 500 when onEvent throws, and delivers the retry', async () => {
      let failures = 1;
      const deliveries: WebhookDelivery[] = [];
      const { handler, logger } = setup({
        onEvent: (delivery) => {
          deliveries.push(delivery);
          if (failures-- > 0) throw new Error('database down: 900101300005');
        },
      });
      const event = technologyStart();
      const failed = await answer(await handler(post(event)));
      assert.equal(failed.status, 500);
      assert.equal(failed.body.error.code, 'delivery-failed');
      assert.match(logger.lines.join('\n'), /onEvent failed: Error/);
      assert.ok(!logger.lines.join('\n').includes('900101300005'), "the host's message is not logged");
      assert.deepEqual(await answer(await handler(post(event))), { status: 200, body: { ok: true } });
      assert.deepEqual(await answer(await handler(post(event))), { status: 200, body: { ok: true, duplicate: true } });
      assert.equal(deliveries.length, 2);
    });

    it('answers 503 when the store fails, and delivers nothing', async () => {
      const broken: FlowStore = { ...createMemoryStore(), add: () => Promise.reject(new Error('ECONNREFUSED')) };
      const { handler, deliveries, logger } = setup({ store: broken });
      const response = await answer(await handler(post(technologyStart())));
      assert.equal(response.status, 503);
      assert.equal(response.body.error.code, 'store-unavailable');
      assert.equal(deliveries.length, 0);
      assert.match(logger.lines.join('\n'), /webhook store failed/);
    });
  });

  describe('flow.end is confirmed with the vendor', () => {
    it('delivers a forged success as the vendor\'s FAILED verdict', async () => {
      vendor.behave({ json: FAILED });
      const { handler, deliveries } = setup();
      const event = flowEnd({ success: true });
      assert.equal((await handler(post(event))).status, 200);
      assert.equal(deliveries.length, 1);
      assert.deepEqual(deliveries[0]!.verdict, {
        status: 'FAILED',
        outcome: 'failed',
        result: FAILED,
        reasons: [{ code: 'vendor-error', text: 'face mismatch' }],
      });
      assert.equal(deliveries[0]!.event.id, event.id);
      const asked = vendor.requests[0]!;
      assert.equal(asked.url.pathname, '/api/v1/flows/session/result/');
      assert.equal(asked.url.searchParams.get('session_id'), SESSION_ID);
      assert.equal(asked.url.searchParams.get('flow_api_key'), API_KEY);
    });

    it('gives outcome passed only for FINISHED with flow_session_result true, else unconfirmed or failed', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [FINISHED, 'passed'],
        [{ status: 'FINISHED' }, 'unconfirmed'],
        [{ status: 'FINISHED', flow_session_result: false }, 'failed'],
        [{ status: 'FAILED', flow_session_result: true }, 'failed'],
      ];
      for (const [result, outcome] of cases) {
        vendor.behave({ json: result });
        const { handler, deliveries } = setup();
        assert.equal((await handler(post(flowEnd()))).status, 200);
        assert.equal(deliveries[0]!.verdict!.outcome, outcome, JSON.stringify(result));
        assert.equal(deliveries[0]!.verdict!.status, result.status);
      }
    });

    it('takes a status other than FINISHED and FAILED for not final, as the element does: no verdict, 503 result-pending', async () => {
      // The webhook used to deliver these as final (EXPIRED → unconfirmed, a false result → failed) while
      // the element kept waiting for the same status.
      for (const result of [{ status: 'EXPIRED' }, { status: 'EXPIRED', flow_session_result: false }, { status: 'PROGRESS', flow_session_result: false }]) {
        vendor.behave({ json: result });
        const { handler, deliveries, logger } = setup({ confirmWaitMs: 0 });
        const response = await handler(post(flowEnd()));
        assert.equal(response.status, 503, JSON.stringify(result));
        assert.equal((await response.json()).error.code, 'result-pending');
        assert.equal(deliveries.length, 0, JSON.stringify(result));
        assert.match(logger.lines.at(-1)!, new RegExp(`still ${result.status} after 0 ms`));
      }
    });

    it('waits briefly while the vendor answers {} or PROGRESS, then delivers the final result', async () => {
      let calls = 0;
      vendor.behave(() => ({ json: ++calls === 1 ? {} : calls === 2 ? { status: 'PROGRESS' } : FINISHED }));
      const { handler, deliveries } = setup({ confirmWaitMs: 3000 });
      assert.equal((await handler(post(flowEnd()))).status, 200);
      assert.equal(calls, 3);
      assert.deepEqual(deliveries[0]!.verdict, { status: 'FINISHED', outcome: 'passed', result: FINISHED, reasons: [] });
    });

    it('answers 503 result-pending after confirmWaitMs, unmarked, logged as a retry (info), so the vendor\'s retry is confirmed and delivered', async () => {
      vendor.behave({ json: {} });
      const { handler, deliveries, logger } = setup({ confirmWaitMs: 300 });
      const event = flowEnd();
      const started = Date.now();
      const response = await handler(post(event));
      assert.ok(Date.now() - started < 1500, 'bounded by confirmWaitMs');
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '5');
      assert.equal((await response.json()).error.code, 'result-pending');
      assert.equal(deliveries.length, 0);
      // A lag is not a refusal: one info line that says the vendor will retry, no warning.
      assert.equal(logger.lines.length, 1);
      assert.match(logger.lines[0]!, /^info .*still PENDING after 300 ms; answered 503 result-pending so that the vendor retries/);
      vendor.behave({ json: FAILED });
      assert.equal((await handler(post(event))).status, 200);
      assert.equal(deliveries[0]!.verdict!.outcome, 'failed');
    });

    it('answers 503 at once with confirmWaitMs 0', async () => {
      vendor.behave({ json: { status: 'PROGRESS' } });
      const { handler } = setup({ confirmWaitMs: 0 });
      assert.equal((await handler(post(flowEnd()))).status, 503);
      assert.equal(vendor.requests.length, 1);
    });

    it('refuses a flow.end for a session the vendor does not know', async () => {
      vendor.behave({ status: 404, json: { detail: 'Not found.' } });
      const { handler, deliveries, logger } = setup();
      const response = await answer(await handler(post(flowEnd())));
      assert.equal(response.status, 422);
      assert.equal(response.body.error.code, 'session-not-found');
      assert.equal(deliveries.length, 0);
      assert.match(logger.lines[0]!, /the vendor does not know the session/);
    });

    it('answers 503 when the vendor cannot be reached, and delivers the retry once it can', async () => {
      const { handler, deliveries, logger } = setup({ apiBaseUrl: await deadUrl() });
      const event = flowEnd();
      const response = await answer(await handler(post(event)));
      assert.equal(response.status, 503);
      assert.equal(response.body.error.code, 'confirmation-unavailable');
      assert.match(logger.lines[0]!, /vendor-unreachable/);
      const healthy = createWebhookHandler({
        apiKey: API_KEY,
        apiBaseUrl: vendor.url,
        pathToken: TOKEN,
        logger: capturingLogger(),
        onEvent: (delivery) => void deliveries.push(delivery),
      });
      assert.equal((await healthy(post(event))).status, 200);
      assert.equal(deliveries.length, 1);
    });
  });

  describe('served by toNodeListener', () => {
    const servers: Server[] = [];
    after(async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
    async function serve(listener: ReturnType<typeof toNodeListener>): Promise<string> {
      const server = createServer(listener);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }

    it('delivers, dedupes and refuses the same way over a real socket', async () => {
      const { handler, deliveries } = setup({ allowedAddresses: ['127.0.0.1'], trustProxy: true });
      const base = await serve(toNodeListener(handler));
      const send = (body: unknown, path = `/hooks/${TOKEN}`, forwardedFor = '127.0.0.1') =>
        fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
          body: JSON.stringify(body),
        }).then(answer);
      vendor.behave({ json: FAILED });
      const event = flowEnd();
      assert.deepEqual(await send(event), { status: 200, body: { ok: true } });
      assert.deepEqual(await send(event), { status: 200, body: { ok: true, duplicate: true } });
      assert.equal((await send(technologyStart(), '/hooks/wrong')).status, 403);
      assert.equal((await send(technologyStart(), `/hooks/${TOKEN}`, '10.0.0.1')).status, 403);
      assert.equal((await send(technologyStart({ created: 0 }))).status, 422);
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0]!.verdict!.outcome, 'failed');
    });

    it('delivers what the emulator sends, the flow.end confirmed from its result', { timeout: 25_000 }, async () => {
      const deliveries: WebhookDelivery[] = [];
      let ended!: () => void;
      const flowEnded = new Promise<void>((resolve) => (ended = resolve));
      let listener: ReturnType<typeof toNodeListener> = () => {};
      const base = await serve((req, res) => listener(req, res));
      const emulator = await startEmulator({ webhooks: [`${base}/hooks/${TOKEN}`] });
      const logger = capturingLogger();
      listener = toNodeListener(
        createWebhookHandler({
          apiKey: emulator.flows[0]!.apiKey,
          apiBaseUrl: emulator.url,
          pathToken: TOKEN,
          logger,
          onEvent: (delivery) => {
            deliveries.push(delivery);
            if (delivery.event.event === 'flow.end') ended();
          },
        }),
      );
      try {
        const id = (await emulatorSession(emulator)).body.session_id as string;
        await walkSession(emulator, id, ['LD', 'F2F'], 'F2F');
        await within(flowEnded, 15_000, 'the flow.end delivery');
        assert.deepEqual(
          deliveries.map((delivery) => delivery.event.event),
          ['flow.start', 'technology.start', 'technology.end', 'technology.start', 'technology.end', 'flow.end'],
        );
        const end = deliveries[5]!;
        assert.equal(end.event.session_id, id);
        assert.equal(end.verdict!.status, 'FAILED');
        assert.equal(end.verdict!.outcome, 'failed');
        assert.deepEqual(logger.lines, []);
      } finally {
        await emulator.close();
      }
    });
    it("answers the emulator 503 while its result is processing, and delivers the emulator's retry", { timeout: 25_000 }, async () => {
      const deliveries: WebhookDelivery[] = [];
      let ended!: () => void;
      const flowEnded = new Promise<void>((resolve) => (ended = resolve));
      let listener: ReturnType<typeof toNodeListener> = () => {};
      const base = await serve((req, res) => listener(req, res));
      const emulator = await startEmulator({
        webhooks: [`${base}/hooks/${TOKEN}`],
        resultDelayMs: 1500,
        webhookRetry: { attempts: 8, baseDelayMs: 200 },
        // flow.end as the flow ends, while the result endpoint still answers {} (SERVICE.md §8).
        faults: { earlyFlowEndRate: 1 },
      });
      const logger = capturingLogger();
      listener = toNodeListener(
        createWebhookHandler({
          apiKey: emulator.flows[0]!.apiKey,
          apiBaseUrl: emulator.url,
          pathToken: TOKEN,
          confirmWaitMs: 0,
          logger,
          onEvent: (delivery) => {
            deliveries.push(delivery);
            if (delivery.event.event === 'flow.end') ended();
          },
        }),
      );
      try {
        const id = (await emulatorSession(emulator)).body.session_id as string;
        await walkSession(emulator, id, ['LD', 'F2F']);
        await within(flowEnded, 15_000, 'the flow.end delivery');
        assert.equal(deliveries.filter((delivery) => delivery.event.event === 'flow.end').length, 1);
        assert.deepEqual(deliveries.at(-1)!.verdict!.outcome, 'passed');
        assert.ok(logger.lines.length >= 1, 'at least one 503 before the result was ready');
        for (const line of logger.lines) assert.match(line, /^info .*answered 503 result-pending so that the vendor retries/);
      } finally {
        await emulator.close();
      }
    });
  });
});
