import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import {
  InvalidMetadataError,
  VendorError,
  createMemoryStore,
  createSession,
  createStatusHandler,
  getSessionResult,
} from '../../src/server/index.js';
import type { StatusHandlerOptions } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, deadUrl, startFakeVendor, tokenHeader } from './fake-vendor.js';
import type { FakeVendor } from './fake-vendor.js';

const ENDPOINT = 'https://shop.example/api/biometric/status';

const FINISHED = {
  id: SESSION_ID,
  status: 'FINISHED',
  flow_session_result: true,
  flow_session_failure_reasons: [],
  technologies: [{ code: 'ED', name: 'E-Document', description: '' }],
  edocument_result: { iin: '900101300005', full_name: 'Private Person' },
};

let vendor: FakeVendor;
/** A valid `Biometric-Status-Token` header for SESSION_ID. */
let token: Record<string, string>;
before(async () => {
  vendor = await startFakeVendor();
  token = await tokenHeader();
});
after(() => vendor.close());
beforeEach(() => {
  vendor.requests.length = 0;
  vendor.behave({ json: FINISHED });
});

function handler(options: Partial<StatusHandlerOptions> = {}) {
  return createStatusHandler({
    apiKey: API_KEY,
    apiBaseUrl: vendor.url,
    timeoutMs: 2000,
    tokenSecret: TOKEN_SECRET,
    logger: capturingLogger(),
    ...options,
  });
}

/** A status request for `query`, with SESSION_ID's token unless `init.headers` says otherwise. */
const get = (query: string, init: RequestInit = {}) => new Request(`${ENDPOINT}${query}`, { headers: token, ...init });

describe('createStatusHandler', () => {
  it('asks the vendor with the session id and key, and answers a privacy-preserving summary', async () => {
    const response = await handler()(get(`?session_id=${SESSION_ID}`));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const text = await response.text();
    assert.deepEqual(JSON.parse(text), {
      session_id: SESSION_ID,
      status: 'FINISHED',
      result: { flow_session_result: true, flow_session_failure_reasons: [], failure_reasons: [] },
    });
    assert.ok(!text.includes('900101300005'), 'no personal data by default');

    const sent = vendor.requests[0]!;
    assert.equal(sent.method, 'GET');
    assert.equal(sent.url.pathname, '/api/v1/flows/session/result/');
    assert.equal(sent.url.searchParams.get('session_id'), SESSION_ID);
    assert.equal(sent.url.searchParams.get('flow_api_key'), API_KEY);
  });

  it('passes FAILED and other vendor statuses through', async () => {
    vendor.behave({ json: { status: 'FAILED', flow_session_result: false, flow_session_failure_reasons: ['face mismatch'] } });
    assert.deepEqual(await (await handler()(get(`?session_id=${SESSION_ID}`))).json(), {
      session_id: SESSION_ID,
      status: 'FAILED',
      result: {
        flow_session_result: false,
        flow_session_failure_reasons: ['face mismatch'],
        failure_reasons: [{ code: 'vendor-error', text: 'face mismatch' }],
      },
    });
    vendor.behave({ json: { status: 'PROGRESS' } });
    assert.deepEqual(await (await handler()(get(`?session_id=${SESSION_ID}`))).json(), {
      session_id: SESSION_ID,
      status: 'PROGRESS',
      result: { failure_reasons: [] },
    });
  });

  it('answers PENDING without a result while the vendor answers {}', async () => {
    vendor.behave({ json: {} });
    let called = false;
    const response = await handler({ mapResult: () => (called = true) })(get(`?session_id=${SESSION_ID}`));
    assert.deepEqual(await response.json(), { session_id: SESSION_ID, status: 'PENDING' });
    assert.equal(called, false);
  });

  it('lets mapResult choose what the browser sees', async () => {
    const response = await handler({ mapResult: (result) => ({ name: (result.edocument_result as { full_name: string }).full_name }) })(
      get(`?session_id=${SESSION_ID}`),
    );
    assert.deepEqual((await response.json()).result, { name: 'Private Person' });
    const without = await handler({ mapResult: () => undefined })(get(`?session_id=${SESSION_ID}`));
    assert.deepEqual(await without.json(), { session_id: SESSION_ID, status: 'FINISHED' });
  });

  it('answers 400 naming session_id when it is missing or not a UUID, without calling the vendor', async () => {
    for (const query of ['', '?session_id=', '?session_id=abc', `?session_id=${SESSION_ID}%26flow_api_key%3Dx`]) {
      const response = await handler()(get(query));
      assert.equal(response.status, 400, query);
      const error = (await response.json()).error;
      assert.equal(error.code, 'invalid-session-id');
      assert.equal(error.issues[0].path, 'session_id');
    }
    assert.equal(vendor.requests.length, 0);
  });

  it('answers 404 when the vendor does not know the session', async () => {
    vendor.behave({ status: 404, json: { detail: 'Not found' } });
    const response = await handler()(get(`?session_id=${SESSION_ID}`));
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, 'session-not-found');
  });

  it('maps vendor failures like the session handler', async () => {
    const cases: [Parameters<FakeVendor['behave']>[0], number, string][] = [
      [{ status: 500, contentType: 'text/html', text: '<h1>oops</h1>' }, 502, 'vendor-error'],
      [{ text: 'not json' }, 502, 'vendor-invalid-response'],
      [{ json: { status: 42 } }, 502, 'vendor-invalid-response'],
      [{ json: [] }, 502, 'vendor-invalid-response'],
      ['hang', 504, 'vendor-timeout'],
    ];
    for (const [behaviour, status, code] of cases) {
      vendor.behave(behaviour);
      // Only the hanging vendor needs a short limit: the others answer at once, and a loaded machine
      // (the whole suite on 2 cores) can take longer than 100 ms to carry an answer across loopback.
      const timeoutMs = behaviour === 'hang' ? 300 : 10_000;
      const response = await handler({ timeoutMs })(get(`?session_id=${SESSION_ID}`));
      assert.equal(response.status, status, code);
      assert.equal((await response.json()).error.code, code);
    }
    const down = await handler({ apiBaseUrl: await deadUrl() })(get(`?session_id=${SESSION_ID}`));
    assert.equal(down.status, 502);
    assert.equal((await down.json()).error.code, 'vendor-unreachable');
  });

  it('reads a result carrying photos (megabytes), and answers 502 to one over 32 MiB', async () => {
    const photo = 'A'.repeat(3 << 20);
    vendor.behave({ chunks: ['{"status":"FINISHED","photo":"', photo, '"}'] });
    // Megabytes take a while on a busy machine: a time limit that only the size check can beat.
    const read = await handler({ timeoutMs: 30_000 })(get(`?session_id=${SESSION_ID}`));
    assert.equal(read.status, 200);
    assert.equal((await read.json()).status, 'FINISHED');
    const sixteen = 'A'.repeat(16 << 20);
    vendor.behave({ chunks: ['{"status":"FINISHED","photo":"', sixteen, sixteen, sixteen, '"}'] });
    const refused = await handler({ timeoutMs: 30_000 })(get(`?session_id=${SESSION_ID}`));
    assert.equal(refused.status, 502);
    assert.equal((await refused.json()).error.code, 'vendor-invalid-response');
  });

  it('answers 405 to POST and 403 to a foreign origin', async () => {
    const post = await handler()(new Request(ENDPOINT, { method: 'POST', body: '{}' }));
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, OPTIONS');
    const foreign = await handler()(get(`?session_id=${SESSION_ID}`, { headers: { Origin: 'https://evil.example' } }));
    assert.equal(foreign.status, 403);
    assert.equal(vendor.requests.length, 0);
  });

  it('answers 500 without details when mapResult throws', async () => {
    const response = await handler({
      mapResult: () => {
        throw new Error('host bug');
      },
    })(get(`?session_id=${SESSION_ID}`));
    assert.equal(response.status, 500);
    assert.ok(!(await response.text()).includes('host bug'));
  });
});

describe('createSession and getSessionResult', () => {
  it('resolve with the vendor answer', async () => {
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LD'] } });
    assert.deepEqual(await createSession({ apiKey: API_KEY, apiBaseUrl: vendor.url }), {
      session_id: SESSION_ID,
      technologies: ['LD'],
    });
    vendor.behave({ json: FINISHED });
    const outcome = await getSessionResult({ apiKey: API_KEY, apiBaseUrl: vendor.url }, SESSION_ID);
    assert.equal(outcome.status, 'FINISHED');
    assert.deepEqual(outcome.result, FINISHED);
  });

  it('reject with a typed VendorError carrying code, status and vendorStatus', async () => {
    vendor.behave({ status: 403, json: { detail: 'bad key' } });
    await assert.rejects(createSession({ apiKey: API_KEY, apiBaseUrl: vendor.url }), (error: unknown) => {
      assert.ok(error instanceof VendorError);
      assert.equal(error.code, 'vendor-error');
      assert.equal(error.status, 502);
      assert.equal(error.vendorStatus, 403);
      return true;
    });
    vendor.behave('hang');
    await assert.rejects(createSession({ apiKey: API_KEY, apiBaseUrl: vendor.url, timeoutMs: 50 }), {
      name: 'VendorError',
      code: 'vendor-timeout',
      status: 504,
    });
  });

  it('refuse invalid metadata and a non-UUID session id before sending anything', async () => {
    await assert.rejects(
      createSession({ apiKey: API_KEY, apiBaseUrl: vendor.url }, { edocument: { skip_input: true } }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidMetadataError);
        assert.deepEqual(error.issues.map((issue) => issue.path), ['edocument.skip_input']);
        return true;
      },
    );
    await assert.rejects(getSessionResult({ apiKey: API_KEY, apiBaseUrl: vendor.url }, 'x&flow_api_key=y'), TypeError);
    assert.equal(vendor.requests.length, 0);
  });

  it('use an injected fetch, called without a receiver', async () => {
    const calls: string[] = [];
    const fetch: typeof globalThis.fetch = async function (this: unknown, input) {
      assert.equal(this, undefined);
      calls.push(String(input));
      return new Response(JSON.stringify({ session_id: SESSION_ID, technologies: [] }), { status: 200 });
    };
    const session = await createSession({ apiKey: API_KEY, apiBaseUrl: 'https://vendor.invalid/base/', fetch });
    assert.deepEqual(session, { session_id: SESSION_ID, technologies: [] });
    assert.deepEqual(calls, ['https://vendor.invalid/base/api/v1/flows/session/create/']);
  });
});

/** Waits, a macrotask at a time, until `check()` holds; fails after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A vendor fetch that counts its calls and answers each only when released. */
function heldFetch(body: unknown = FINISHED) {
  const calls: URL[] = [];
  const held: (() => void)[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    calls.push(new URL(String(input)));
    await new Promise<void>((resolve) => held.push(resolve));
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch, calls, release: () => held.splice(0).forEach((resolve) => resolve()) };
}

/** A token in the documented format, signed here with node:crypto: any expiry, any secret. */
function craftedToken(sessionId: string, expires: number, secret = TOKEN_SECRET): string {
  const mac = createHmac('sha256', secret).update(`v1.${sessionId.toLowerCase()}.${expires}`).digest('base64url');
  return `v1.${expires}.${mac}`;
}

describe('createStatusHandler: who may ask', () => {
  it('answers 401 status-token-invalid to a missing, forged, expired, other-session or foreign-secret token, before any vendor call', async () => {
    const valid = token['Biometric-Status-Token']!;
    const [, expires, mac] = valid.split('.');
    const forgedMac = `${mac!.slice(0, 20)}${mac![20] === 'A' ? 'B' : 'A'}${mac!.slice(21)}`;
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, Record<string, string>> = {
      missing: {},
      empty: { 'Biometric-Status-Token': '' },
      garbage: { 'Biometric-Status-Token': 'not a token' },
      'too long': { 'Biometric-Status-Token': `${valid}${'A'.repeat(300)}` },
      'forged MAC': { 'Biometric-Status-Token': `v1.${expires}.${forgedMac}` },
      'later expiry, same MAC': { 'Biometric-Status-Token': `v1.${Number(expires) + 3600}.${mac}` },
      expired: { 'Biometric-Status-Token': craftedToken(SESSION_ID, now - 5) },
      'other session': await tokenHeader(randomUUID()),
      'other secret': await tokenHeader(SESSION_ID, 'another-secret-of-the-right-length-0123456789'),
    };
    const handle = handler();
    for (const [name, headers] of Object.entries(cases)) {
      const response = await handle(get(`?session_id=${SESSION_ID}`, { headers }));
      assert.equal(response.status, 401, name);
      assert.equal((await response.json()).error.code, 'status-token-invalid', name);
    }
    const inUrl = await handle(get(`?session_id=${SESSION_ID}&status_token=${encodeURIComponent(valid)}`, { headers: {} }));
    assert.equal(inUrl.status, 401, 'a token in the URL is not looked at');
    assert.equal(vendor.requests.length, 0);

    assert.equal((await handle(get(`?session_id=${SESSION_ID}`, { headers: { 'Biometric-Status-Token': craftedToken(SESSION_ID, now + 60) } }))).status, 200);
    assert.equal((await handle(get(`?session_id=${SESSION_ID.toUpperCase()}`))).status, 200, 'the session id in either case');
  });

  it('lets authorize decide alone: false is 403 forbidden before any vendor call, true needs no token', async () => {
    const seen: [string, string][] = [];
    const refusing = handler({
      authorize: (request, sessionId) => {
        seen.push([request.headers.get('cookie') ?? '', sessionId]);
        return false;
      },
    });
    const refused = await refusing(get(`?session_id=${SESSION_ID}`, { headers: { ...token, Cookie: 'sid=1' } }));
    assert.equal(refused.status, 403);
    assert.equal((await refused.json()).error.code, 'forbidden');
    assert.deepEqual(seen, [['sid=1', SESSION_ID]]);
    assert.equal(vendor.requests.length, 0);

    const allowing = handler({ authorize: async () => true });
    const allowed = await allowing(get(`?session_id=${SESSION_ID}`, { headers: {} }));
    assert.equal(allowed.status, 200);
    assert.equal(vendor.requests.length, 1);
  });

  it('writes no token to a log line, whatever fails', async () => {
    const logger = capturingLogger();
    const valid = token['Biometric-Status-Token']!;
    vendor.behave({ status: 500, json: { detail: 'database exploded' } });
    assert.equal((await handler({ logger, reuseMs: 0 })(get(`?session_id=${SESSION_ID}`))).status, 502);
    assert.equal((await handler({ logger })(get(`?session_id=${SESSION_ID}`, { headers: { 'Biometric-Status-Token': `${valid}x` } }))).status, 401);
    const throwing = handler({
      logger,
      authorize: (request) => {
        throw new Error(`no user for ${request.headers.get('biometric-status-token')}`);
      },
    });
    assert.equal((await throwing(get(`?session_id=${SESSION_ID}`))).status, 500);
    assert.ok(logger.lines.length >= 2, logger.lines.join('\n'));
    assert.ok(logger.lines.some((line) => line.includes('database exploded')), 'the vendor text is logged');
    for (const line of logger.lines) assert.ok(!line.includes(valid.split('.')[2]!), `a log line holds the token: ${line}`);
  });

  it('lets a cross-origin page send the token header', async () => {
    const handle = handler({ allowedOrigins: ['https://app.example'] });
    const preflight = (headers: Record<string, string>) =>
      handle(new Request(ENDPOINT, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET', ...headers } }));
    assert.match((await preflight({})).headers.get('access-control-allow-headers') ?? '', /(^|, )Biometric-Status-Token(,|$)/);
    assert.equal(
      (await preflight({ 'Access-Control-Request-Headers': 'biometric-status-token' })).headers.get('access-control-allow-headers'),
      'biometric-status-token',
    );
  });
});

describe('createStatusHandler: no amplification', () => {
  it('makes one vendor call for concurrent requests about one session', { timeout: 10_000 }, async () => {
    const vendorFetch = heldFetch();
    let entered = 0;
    const handle = handler({
      fetch: vendorFetch.fetch,
      reuseMs: 0,
      authorize: () => {
        entered++;
        return true;
      },
    });
    const answers = Array.from({ length: 20 }, () => handle(get(`?session_id=${SESSION_ID}`)));
    await until(() => entered === 20 && vendorFetch.calls.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    vendorFetch.release();
    const bodies = await Promise.all(answers.map(async (answer) => [(await answer).status, await (await answer).text()]));
    assert.equal(vendorFetch.calls.length, 1);
    assert.ok(bodies.every(([status, body]) => status === 200 && body === bodies[0]![1]));
  });

  it('reuses an answer for reuseMs through the store, across handlers sharing it, and a final one for longer', async () => {
    let now = Date.now();
    const store = createMemoryStore({ now: () => now });
    const first = handler({ store });
    const second = handler({ store });
    vendor.behave({ json: {} });
    const a = await (await first(get(`?session_id=${SESSION_ID}`))).text();
    assert.equal(vendor.requests.length, 1);
    vendor.behave({ json: { ...FINISHED, flow_session_result: false } });
    const b = await (await second(get(`?session_id=${SESSION_ID}`))).text();
    assert.equal(vendor.requests.length, 1, 'the second instance reused the first one\'s answer');
    assert.equal(b, a);
    // The default window: 1 s. The answer is kept for 1 s after the vendor gave it, by the real clock, less
    // the real milliseconds the handler took to write it (2 ms on a loaded machine once made a step to 999
    // ms miss it): a margin on either side.
    now += 900;
    await first(get(`?session_id=${SESSION_ID}`));
    assert.equal(vendor.requests.length, 1);
    now += 200;
    const c = await (await second(get(`?session_id=${SESSION_ID}`))).json();
    assert.equal(vendor.requests.length, 2, 'asked again once the window is over');
    assert.equal(c.result.flow_session_result, false);
    // A final status no longer changes: kept well past the window.
    vendor.behave({ json: FINISHED });
    now += 5 * 60_000;
    const d = await (await first(get(`?session_id=${SESSION_ID}`))).json();
    assert.equal(vendor.requests.length, 2, 'the final answer was reused');
    assert.deepEqual(d, c);
  });

  it('caps concurrent vendor calls, and answers 503 server-busy with Retry-After when the queue wait is over', { timeout: 10_000 }, async () => {
    const vendorFetch = heldFetch();
    const handle = handler({ fetch: vendorFetch.fetch, maxConcurrentVendorCalls: 2, queueTimeoutMs: 100 });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const requests = await Promise.all(ids.map(async (id) => get(`?session_id=${id}`, { headers: await tokenHeader(id) })));
    const pending = requests.map((request) => handle(request));
    await until(() => vendorFetch.calls.length === 2);
    // Whichever request came third waited in the queue, and is the first to be answered.
    const busy = await Promise.race(pending);
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get('retry-after'), '1');
    assert.equal((await busy.json()).error.code, 'server-busy');
    assert.equal(vendorFetch.calls.length, 2);
    vendorFetch.release();
    const statuses = await Promise.all(pending.map(async (answer) => (await answer).status));
    assert.deepEqual(statuses.sort(), [200, 200, 503]);
  });

  it('serves a queued request as soon as a call is free', { timeout: 10_000 }, async () => {
    const vendorFetch = heldFetch();
    let entered = 0;
    const handle = handler({
      fetch: vendorFetch.fetch,
      maxConcurrentVendorCalls: 1,
      queueTimeoutMs: 5000,
      authorize: () => {
        entered++;
        return true;
      },
    });
    const pending = [randomUUID(), randomUUID()].map((id) => handle(get(`?session_id=${id}`)));
    await until(() => entered === 2 && vendorFetch.calls.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(vendorFetch.calls.length, 1, 'the second waits for the first');
    vendorFetch.release();
    await until(() => vendorFetch.calls.length === 2);
    vendorFetch.release();
    assert.deepEqual(await Promise.all(pending.map(async (answer) => (await answer).status)), [200, 200]);
  });
});

describe('createStatusHandler: the summary', () => {
  it('adds failure_reasons with stable codes and technologies, and forwards no photo or document', async () => {
    const reasons = [
      'Subject not found in MCDB',
      'ED: invalid_otp',
      { technology: 'ED', text: 'Government service error' },
      { technology_code: 'LDHP', reason: 'spoof detected' },
      42,
    ];
    vendor.behave({
      json: {
        status: 'FAILED',
        flow_session_result: false,
        flow_session_failure_reasons: reasons,
        face_photo: 'PHOTO'.repeat(100),
        document_pdf: 'PDF'.repeat(100),
        edocument_result: { document_image: 'IMAGE'.repeat(100), iin: '900101300005' },
      },
    });
    const response = await handler()(get(`?session_id=${SESSION_ID}`));
    const text = await response.text();
    assert.deepEqual(JSON.parse(text).result, {
      flow_session_result: false,
      flow_session_failure_reasons: reasons,
      failure_reasons: [
        { code: 'subject-not-found', text: 'Subject not found in MCDB' },
        { code: 'sms-code-wrong', technology: 'ED', text: 'invalid_otp' },
        { code: 'government-service-error', technology: 'ED', text: 'Government service error' },
        { code: 'vendor-error', technology: 'LDHP', text: 'spoof detected' },
      ],
    });
    for (const heavy of ['PHOTO', 'PDF', 'IMAGE', '900101300005']) assert.ok(!text.includes(heavy), heavy);
  });

  it('answers a known vendor error text with its code, keeping vendorStatus and not the raw text', async () => {
    vendor.behave({ status: 400, json: { detail: 'EDocument for this session has already been received' } });
    const response = await handler()(get(`?session_id=${SESSION_ID}`));
    assert.equal(response.status, 502);
    const text = await response.text();
    const error = JSON.parse(text).error;
    assert.equal(error.code, 'session-already-used');
    assert.equal(error.vendorStatus, 400);
    assert.ok(!text.includes('has already been received'));
  });
});
