// The status handler's long poll (`?wait=<seconds>`): a request held until the answer is final or the
// wait is over, one vendor call per interval whoever waits, and nothing left behind by a client that left.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryStore, createStatusHandler, toNodeListener } from '../../src/server/index.js';
import type { StatusHandlerOptions } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, startFakeVendor, tokenHeader, until } from './fake-vendor.js';
import type { FakeVendor } from './fake-vendor.js';

const ENDPOINT = 'https://shop.example/api/biometric/status';
const PASSED = { status: 'FINISHED', flow_session_result: true };

let vendor: FakeVendor;
let token: Record<string, string>;
/** When each vendor call arrived (ms since the epoch), and what the vendor answers now. */
let calls: number[];
let answer: unknown;
before(async () => {
  vendor = await startFakeVendor();
  token = await tokenHeader();
});
after(() => vendor.close());
beforeEach(() => {
  calls = [];
  answer = {};
  vendor.behave(() => {
    calls.push(Date.now());
    return { json: answer };
  });
});

function handler(options: Partial<StatusHandlerOptions> = {}) {
  return createStatusHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, timeoutMs: 2000, tokenSecret: TOKEN_SECRET, logger: capturingLogger(), ...options });
}

const get = (query: string, init: RequestInit = {}) => new Request(`${ENDPOINT}?session_id=${SESSION_ID}${query}`, { headers: token, ...init });

/** The answer's status and the time it took, in ms. */
async function timed(pending: Promise<Response>): Promise<{ status: string; ms: number; code: number }> {
  const started = Date.now();
  const response = await pending;
  const body = (await response.json()) as { status: string };
  return { status: body.status, ms: Date.now() - started, code: response.status };
}

describe('createStatusHandler: wait (long poll)', () => {
  it('answers a plain GET at once, and a wait as soon as the result is final, with one vendor call per second', { timeout: 10_000 }, async () => {
    const handle = handler();
    const plain = await timed(handle(get('')));
    assert.equal(plain.status, 'PENDING');
    assert.ok(plain.ms < 500, `a plain GET is not held (${plain.ms} ms)`);

    const held = handle(get('&wait=5'));
    // The plain GET's answer is kept for the second: the held request asks again once it runs out.
    await until(() => calls.length === 2, 3000);
    answer = PASSED;
    const started = Date.now();
    const final = await timed(held);
    assert.equal(final.status, 'FINISHED');
    assert.ok(Date.now() - started <= 1300, `final within the next call's interval (${Date.now() - started} ms)`);
    assert.ok(final.ms >= 1000 && final.ms < 4000, `held ${final.ms} ms`);
    for (let i = 1; i < calls.length; i++) assert.ok(calls[i]! - calls[i - 1]! >= 990, `vendor calls ${calls[i]! - calls[i - 1]!} ms apart`);
  });

  it('answers the current status when the wait is over, and cuts a wait to maxWaitMs', { timeout: 10_000 }, async () => {
    const short = await timed(handler()(get('&wait=0.3')));
    assert.equal(short.status, 'PENDING');
    assert.ok(short.ms >= 290 && short.ms < 1500, `held ${short.ms} ms`);
    const cut = await timed(handler({ maxWaitMs: 200 })(get('&wait=30')));
    assert.equal(cut.status, 'PENDING');
    assert.ok(cut.ms >= 190 && cut.ms < 1500, `held ${cut.ms} ms`);
    const off = await timed(handler({ maxWaitMs: 0 })(get('&wait=30')));
    assert.ok(off.ms < 500, `maxWaitMs 0 holds nothing (${off.ms} ms)`);
  });

  it('answers an error at once instead of holding it', async () => {
    vendor.behave(() => ({ status: 404, json: { detail: 'Not found.' } }));
    const missing = await timed(handler()(get('&wait=5')));
    assert.equal(missing.code, 404);
    assert.ok(missing.ms < 1000, `held ${missing.ms} ms`);
  });

  it('refuses a wait that is not a number of seconds, before any vendor call', async () => {
    for (const query of ['&wait=soon', '&wait=-1', '&wait=1&wait=2', '&wait=']) {
      const response = await handler()(get(query));
      assert.equal(response.status, 400, query);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'invalid-wait', query);
    }
    assert.equal(calls.length, 0);
  });

  it('makes one vendor call per second for 20 held requests on two instances sharing a store', { timeout: 15_000 }, async () => {
    const store = createMemoryStore();
    const instances = [handler({ store }), handler({ store })];
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => timed(instances[i % 2]!(get('&wait=2.5')))));
    assert.ok(answers.every((held) => held.status === 'PENDING' && held.ms >= 2400), 'every request held to the end of its wait');
    const seconds = (Date.now() - started) / 1000;
    assert.ok(calls.length >= 2 && calls.length <= Math.ceil(seconds) + 1, `${calls.length} vendor calls in ${seconds} s`);
    for (let i = 1; i < calls.length; i++) assert.ok(calls[i]! - calls[i - 1]! >= 990, `vendor calls ${calls[i]! - calls[i - 1]!} ms apart`);
  });

  it('stops asking for a client that went away (Web Request signal)', { timeout: 10_000 }, async () => {
    const controller = new AbortController();
    const pending = handler()(get('&wait=10', { signal: controller.signal }));
    await until(() => calls.length === 1);
    controller.abort();
    const ended = await timed(pending);
    assert.ok(ended.ms < 500, `the held request ended ${ended.ms} ms after its client left`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(calls.length, 1, 'no vendor call after the client left');
  });

  it('stops asking for a client that went away (toNodeListener)', { timeout: 10_000 }, async () => {
    let finished = 0;
    const listener = toNodeListener(handler());
    const server = createServer((req, res) => {
      res.on('finish', () => finished++);
      res.on('close', () => finished++);
      listener(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const request = httpRequest({ host: '127.0.0.1', port, path: `/status?session_id=${SESSION_ID}&wait=10`, headers: token });
      request.on('error', () => {});
      request.end();
      await until(() => calls.length === 1);
      request.destroy();
      await until(() => finished > 0);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(calls.length, 1, 'no vendor call after the client left');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
