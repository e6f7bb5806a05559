import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidMetadataError,
  VendorError,
  createSession,
  createStatusHandler,
  getSessionResult,
} from '../../src/server/index.js';
import type { StatusHandlerOptions } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, capturingLogger, deadUrl, startFakeVendor } from './fake-vendor.js';
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
before(async () => {
  vendor = await startFakeVendor();
});
after(() => vendor.close());
beforeEach(() => {
  vendor.requests.length = 0;
  vendor.behave({ json: FINISHED });
});

function handler(options: Partial<StatusHandlerOptions> = {}) {
  return createStatusHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, timeoutMs: 2000, logger: capturingLogger(), ...options });
}

const get = (query: string, init: RequestInit = {}) => new Request(`${ENDPOINT}${query}`, init);

describe('createStatusHandler', () => {
  it('asks the vendor with the session id and key, and answers a privacy-preserving summary', async () => {
    const response = await handler()(get(`?session_id=${SESSION_ID}`));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const text = await response.text();
    assert.deepEqual(JSON.parse(text), {
      session_id: SESSION_ID,
      status: 'FINISHED',
      result: { flow_session_result: true, flow_session_failure_reasons: [] },
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
      result: { flow_session_result: false, flow_session_failure_reasons: ['face mismatch'] },
    });
    vendor.behave({ json: { status: 'PROGRESS' } });
    assert.deepEqual(await (await handler()(get(`?session_id=${SESSION_ID}`))).json(), {
      session_id: SESSION_ID,
      status: 'PROGRESS',
      result: {},
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
      const response = await handler({ timeoutMs: 100 })(get(`?session_id=${SESSION_ID}`));
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
    const read = await handler()(get(`?session_id=${SESSION_ID}`));
    assert.equal(read.status, 200);
    assert.equal((await read.json()).status, 'FINISHED');
    const sixteen = 'A'.repeat(16 << 20);
    vendor.behave({ chunks: ['{"status":"FINISHED","photo":"', sixteen, sixteen, sixteen, '"}'] });
    const refused = await handler()(get(`?session_id=${SESSION_ID}`));
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
