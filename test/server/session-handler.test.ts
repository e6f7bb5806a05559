import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryStore, createSessionHandler, toNodeListener, verifyStatusToken } from '../../src/server/index.js';
import type { SessionHandlerOptions, SessionMetadataContext } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, deadUrl, startFakeVendor } from './fake-vendor.js';
import type { FakeVendor } from './fake-vendor.js';

const HOST = 'https://shop.example';
const ENDPOINT = `${HOST}/api/biometric/session`;

let vendor: FakeVendor;
before(async () => {
  vendor = await startFakeVendor();
});
after(() => vendor.close());
beforeEach(() => {
  vendor.requests.length = 0;
  vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LDHP', 'F2F'] } });
});

function handler(options: Partial<SessionHandlerOptions> = {}) {
  const logger = capturingLogger();
  const handle = createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, timeoutMs: 2000, tokenSecret: TOKEN_SECRET, logger, ...options });
  return { handle, logger };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}, init: RequestInit = {}): Request {
  return new Request(ENDPOINT, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
    ...init,
  });
}

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: { code: string; message: string; issues?: { path: string }[]; vendorStatus?: number } };
  return body.error;
}

describe('createSessionHandler: happy path', () => {
  it('creates a vendor session with the key and the metadata, and passes the answer on', async () => {
    const seen: SessionMetadataContext[] = [];
    const { handle } = handler({
      metadata: (ctx) => {
        seen.push(ctx);
        return { edocument: { phone: { value: '77011234567', changeable: false } } };
      },
    });
    const before = Date.now();
    const response = await handle(post(JSON.stringify({ locale: 'kk', context: { orderId: 42 } })));

    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const { status_token: token, expires_at: expiresAt, ...session } = await response.json();
    // The vendor session's lifetime as far as it is known (30 minutes), in whole seconds.
    const expires = Date.parse(expiresAt);
    assert.ok(expires >= before + 1800_000 - 1000 && expires <= Date.now() + 1800_000, `expires_at ${expiresAt}`);
    assert.equal(expires % 1000, 0);
    assert.deepEqual(session, {
      session_id: SESSION_ID,
      technologies: ['LDHP', 'F2F'],
      flow_url: `https://remote.biometric.kz/flow/${SESSION_ID}?web_view=true&locale=kz`,
    });
    assert.equal(await verifyStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: SESSION_ID, token }), true, 'the status token is for this session');

    assert.equal(vendor.requests.length, 1);
    const sent = vendor.requests[0]!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.url.pathname, '/api/v1/flows/session/create/');
    assert.match(sent.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(sent.text), {
      api_key: API_KEY,
      metadata: { edocument: { phone: { value: '77011234567', changeable: false } } },
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.locale, 'kk');
    assert.deepEqual(seen[0]!.context, { orderId: 42 });
    assert.ok(seen[0]!.request instanceof Request);
  });

  it('sends no metadata field when there is no callback or it returns undefined', async () => {
    for (const options of [{}, { metadata: () => undefined }]) {
      vendor.requests.length = 0;
      const response = await handler(options).handle(post('{}'));
      assert.equal(response.status, 200);
      assert.deepEqual(JSON.parse(vendor.requests[0]!.text), { api_key: API_KEY });
    }
  });

  it('drops vendor fields the element does not need and passes unknown technology codes through', async () => {
    vendor.behave({ json: { session_id: SESSION_ID.toUpperCase(), technologies: ['NEW_TECH'], extra: 'x' } });
    const response = await handler().handle(post('{}'));
    const { status_token: token, expires_at: _expiresAt, ...session } = await response.json();
    assert.deepEqual(session, {
      session_id: SESSION_ID.toUpperCase(),
      technologies: ['NEW_TECH'],
      flow_url: `https://remote.biometric.kz/flow/${SESSION_ID.toUpperCase()}?web_view=true&locale=ru`,
    });
    assert.equal(typeof token, 'string');
  });

  it('says until when the session can be shown again: the sooner of sessionTtlSeconds and the token lifetime', async () => {
    const expiresIn = async (options: Partial<SessionHandlerOptions>) => {
      const before = Date.now();
      const { expires_at: expiresAt } = await (await handler(options).handle(post('{}'))).json();
      return (Date.parse(expiresAt) - before) / 1000;
    };
    const near = (seconds: number, expected: number) => assert.ok(seconds > expected - 2 && seconds < expected + 1, `${seconds} s, not about ${expected}`);
    near(await expiresIn({ sessionTtlSeconds: 600 }), 600);
    near(await expiresIn({ sessionTtlSeconds: 7200 }), 3600);
    near(await expiresIn({ tokenTtlSeconds: 300 }), 300);
    assert.throws(() => createSessionHandler({ apiKey: API_KEY, tokenSecret: TOKEN_SECRET, sessionTtlSeconds: 0 }), TypeError);
    assert.throws(() => createSessionHandler({ apiKey: API_KEY, tokenSecret: TOKEN_SECRET, sessionTtlSeconds: Number.NaN }), TypeError);
  });

  it('appends the paths to a base URL with a trailing slash', async () => {
    const response = await handler({ apiBaseUrl: `${vendor.url}/` }).handle(post('{}'));
    assert.equal(response.status, 200);
    assert.equal(vendor.requests[0]!.url.pathname, '/api/v1/flows/session/create/');
  });

  it('accepts an empty body and a body without Content-Type', async () => {
    const { handle } = handler();
    assert.equal((await handle(post(''))).status, 200);
    const bare = new Request(ENDPOINT, { method: 'POST', body: new Blob(['{"locale":"en"}']) });
    assert.equal(bare.headers.get('content-type'), null);
    assert.equal((await handle(bare)).status, 200);
  });

  it('ignores unknown body fields', async () => {
    assert.equal((await handler().handle(post('{"locale":"ru","future":1}'))).status, 200);
  });
});

describe('createSessionHandler: origins and methods', () => {
  it('answers 405 with Allow to other methods', async () => {
    const response = await handler().handle(new Request(ENDPOINT, { method: 'GET' }));
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST, OPTIONS');
    assert.equal((await errorOf(response)).code, 'method-not-allowed');
    assert.equal(vendor.requests.length, 0);
  });

  it('refuses a foreign Origin with 403 and never calls the vendor', async () => {
    const response = await handler().handle(post('{}', { Origin: 'https://evil.example' }));
    assert.equal(response.status, 403);
    assert.equal((await errorOf(response)).code, 'forbidden-origin');
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.equal(vendor.requests.length, 0);
  });

  it('refuses the opaque origin "null"', async () => {
    assert.equal((await handler().handle(post('{}', { Origin: 'null' }))).status, 403);
  });

  it('lets a request without Origin pass (server to server)', async () => {
    assert.equal((await handler().handle(post('{}'))).status, 200);
  });

  it('lets the same origin pass without CORS grants', async () => {
    const response = await handler().handle(post('{}', { Origin: HOST }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  it('with allowedOrigins, grants listed cross origins CORS with credentials and refuses the rest', async () => {
    const { handle } = handler({ allowedOrigins: ['https://app.example/'] });
    const allowed = await handle(post('{}', { Origin: 'https://app.example' }));
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    assert.equal((await handle(post('{}', { Origin: 'https://other.example' }))).status, 403);
    assert.equal((await handle(post('{}', { Origin: HOST }))).status, 403, 'the list replaces the same-origin default');
  });

  it('answers a preflight from an allowed origin with 204 and the grants', async () => {
    const { handle } = handler({ allowedOrigins: ['https://app.example'] });
    const response = await handle(
      new Request(ENDPOINT, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://app.example',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type, x-csrf-token',
        },
      }),
    );
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal(response.headers.get('access-control-allow-headers'), 'content-type, x-csrf-token');
    assert.equal(vendor.requests.length, 0);
  });

  it('refuses a preflight from a foreign origin', async () => {
    const response = await handler({ allowedOrigins: ['https://app.example'] }).handle(
      new Request(ENDPOINT, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } }),
    );
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  it('ignores X-Forwarded-* unless trustProxy is set', async () => {
    const behindProxy = (extra: Record<string, string>) =>
      new Request('http://127.0.0.1:3000/api/biometric/session', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Origin: HOST,
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': 'shop.example',
          ...extra,
        },
        body: '{}',
      });
    assert.equal((await handler().handle(behindProxy({}))).status, 403);
    assert.equal((await handler({ trustProxy: true }).handle(behindProxy({}))).status, 200);
    const response = await handler({ trustProxy: true }).handle(behindProxy({ 'X-Forwarded-Host': 'other.example' }));
    assert.equal(response.status, 403);
  });

  it('rejects options that are programming errors at creation (environment settings: test/server/configuration.test.ts)', () => {
    assert.throws(() => createSessionHandler({ apiKey: API_KEY, timeoutMs: 0 }), /timeoutMs/);
    assert.throws(() => createSessionHandler({ apiKey: API_KEY, maxBodyBytes: -1 }), /maxBodyBytes/);
    assert.throws(() => createSessionHandler({ apiKey: API_KEY, metadata: 'iin' as never }), /metadata must be a function/);
    assert.throws(() => createSessionHandler({ apiKey: API_KEY, tokenSecret: TOKEN_SECRET, tokenTtlSeconds: 0 }), TypeError);
    for (const rateLimit of [{ limit: 0, windowMs: 1000 }, { limit: 1, windowMs: -1 }, { limit: 1.5, windowMs: 1000 }]) {
      assert.throws(() => createSessionHandler({ apiKey: API_KEY, tokenSecret: TOKEN_SECRET, rateLimit }), TypeError, JSON.stringify(rateLimit));
    }
  });
});

describe('createSessionHandler: bodies', () => {
  it('answers 415 to non-JSON content types, text/plain included', async () => {
    const { handle } = handler();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await handle(post('{}', { 'Content-Type': type }));
      assert.equal(response.status, 415, type);
      assert.equal((await errorOf(response)).code, 'unsupported-media-type');
    }
    assert.equal((await handle(post('{}', { 'Content-Type': 'application/json; charset=utf-8' }))).status, 200);
    assert.equal((await handle(post('{}', { 'Content-Type': 'application/vnd.api+json' }))).status, 200);
    assert.equal(vendor.requests.length, 2);
  });

  it('answers 413 to an honest Content-Length over the limit', async () => {
    // The body itself is tiny: only the declared length can make this a 413.
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('{}'));
        controller.close();
      },
    });
    const response = await handler({ maxBodyBytes: 64 }).handle(
      post(stream, { 'Content-Length': '65' }, { duplex: 'half' } as RequestInit),
    );
    assert.equal(response.status, 413);
    assert.equal((await errorOf(response)).code, 'payload-too-large');
  });

  it('answers 413 to a chunked body that grows past the limit, counting bytes as they arrive', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 1000) controller.close();
        else controller.enqueue(new TextEncoder().encode('[1,2,3,4,5,6,7,8,9]'));
      },
    });
    const response = await handler({ maxBodyBytes: 100 }).handle(
      post(stream, { 'Content-Length': '10' }, { duplex: 'half' } as RequestInit),
    );
    assert.equal(response.status, 413);
    assert.ok(pulled < 20, `stopped reading early (pulled ${pulled} chunks)`);
    assert.equal(vendor.requests.length, 0);
  });

  it('answers 400 json-too-deep to deeply nested JSON', async () => {
    const deep = `{"context":${'['.repeat(40)}${']'.repeat(40)}}`;
    const response = await handler().handle(post(deep));
    assert.equal(response.status, 400);
    assert.equal((await errorOf(response)).code, 'json-too-deep');
    const fine = `{"context":${'['.repeat(30)}${']'.repeat(30)}}`;
    assert.equal((await handler().handle(post(fine))).status, 200);
  });

  it('does not count brackets inside strings as nesting', async () => {
    const response = await handler().handle(post(JSON.stringify({ context: '['.repeat(100) + '\\"{' })));
    assert.equal(response.status, 200);
  });

  it('answers 400 invalid-json to malformed JSON and invalid UTF-8', async () => {
    for (const body of ['{"locale":', 'nope', new Uint8Array([0x7b, 0xff, 0x7d])]) {
      const response = await handler().handle(post(body));
      assert.equal(response.status, 400);
      assert.equal((await errorOf(response)).code, 'invalid-json');
    }
  });

  it('answers 400 with an issue naming locale for an unknown locale', async () => {
    const response = await handler().handle(post('{"locale":"kz"}'));
    assert.equal(response.status, 400);
    const error = await errorOf(response);
    assert.equal(error.code, 'invalid-request');
    assert.deepEqual(error.issues?.map((issue) => issue.path), ['locale']);
  });

  it('answers 400 to a body that is not an object', async () => {
    for (const body of ['[]', 'null', '"x"']) {
      const response = await handler().handle(post(body));
      assert.equal(response.status, 400, body);
      assert.equal((await errorOf(response)).code, 'invalid-request');
    }
  });
});

describe('createSessionHandler: metadata callback', () => {
  it('answers 500 invalid-metadata without values, logging only field paths and messages', async () => {
    const badIin = '900101000001';
    const { handle, logger } = handler({ metadata: () => ({ edocument: { iin: { value: badIin } } }), authorize: () => true });
    const response = await handle(post('{}'));
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.equal(JSON.parse(text).error.code, 'invalid-metadata');
    assert.ok(!text.includes(badIin));
    assert.ok(!text.includes('edocument'), 'the answer does not describe the host data');
    assert.equal(vendor.requests.length, 0);
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0]!, /edocument\.iin\.value/);
    assert.ok(!logger.lines[0]!.includes(badIin));
  });

  it('answers 500 metadata-callback-failed when the callback throws or rejects', async () => {
    for (const metadata of [
      () => {
        throw new Error('db down');
      },
      async () => Promise.reject(new Error('db down')),
    ]) {
      const { handle, logger } = handler({ metadata });
      const response = await handle(post('{}'));
      assert.equal(response.status, 500);
      const text = await response.text();
      assert.equal(JSON.parse(text).error.code, 'metadata-callback-failed');
      assert.ok(!text.includes('db down'));
      assert.match(logger.lines.join('\n'), /db down/);
    }
    assert.equal(vendor.requests.length, 0);
  });

  it('awaits an async callback', async () => {
    const { handle } = handler({ metadata: async () => ({ general: { interchangeable_tech: ['LD', 'LDHP'] } }) });
    assert.equal((await handle(post('{}'))).status, 200);
    assert.deepEqual(JSON.parse(vendor.requests[0]!.text).metadata, { general: { interchangeable_tech: ['LD', 'LDHP'] } });
  });
});

describe('createSessionHandler: vendor failures', () => {
  it('answers 504 vendor-timeout when the vendor never answers', async () => {
    vendor.behave('hang');
    const started = Date.now();
    const response = await handler({ timeoutMs: 100 }).handle(post('{}'));
    assert.equal(response.status, 504);
    assert.equal((await errorOf(response)).code, 'vendor-timeout');
    assert.ok(Date.now() - started < 1500);
  });

  it('answers 502 vendor-unreachable when nothing listens', async () => {
    const response = await handler({ apiBaseUrl: await deadUrl() }).handle(post('{}'));
    assert.equal(response.status, 502);
    assert.equal((await errorOf(response)).code, 'vendor-unreachable');
  });

  it('answers 502 vendor-unreachable when the vendor drops the connection', async () => {
    vendor.behave('drop');
    const response = await handler().handle(post('{}'));
    assert.equal(response.status, 502);
    assert.equal((await errorOf(response)).code, 'vendor-unreachable');
  });

  it('answers 502 vendor-error with vendorStatus to a vendor 500 HTML page, without its body', async () => {
    vendor.behave({ status: 500, contentType: 'text/html', text: '<html><body>Server Error secret-trace</body></html>' });
    const response = await handler().handle(post('{}'));
    assert.equal(response.status, 502);
    const text = await response.text();
    const error = JSON.parse(text).error;
    assert.equal(error.code, 'vendor-error');
    assert.equal(error.vendorStatus, 500);
    assert.ok(!text.includes('secret-trace'));
  });

  it('answers 502 vendor-error to a vendor 401 and does not follow redirects', async () => {
    vendor.behave({ status: 401, json: { detail: 'Invalid key' } });
    assert.equal((await errorOf(await handler().handle(post('{}')))).vendorStatus, 401);
    // Redirects, to the vendor itself so that following one would show: refused, and not followed. (On
    // Node they are refused by fetch, so the answer has no vendorStatus; with redirect: 'manual' it would.)
    for (const [status, location] of [[301, '/elsewhere'], [302, '/elsewhere'], [303, '/elsewhere'], [307, '/elsewhere'], [308, '/elsewhere'], [307, undefined]] as const) {
      vendor.requests.length = 0;
      vendor.behave((request) =>
        request.url.pathname === '/elsewhere'
          ? { json: { session_id: SESSION_ID, technologies: ['LD'] } }
          : { status, text: '', ...(location ? { location: `${vendor.url}${location}` } : {}) },
      );
      const redirected = await handler().handle(post('{}'));
      assert.equal(redirected.status, 502, String(status));
      assert.equal((await errorOf(redirected)).code, 'vendor-error', String(status));
      assert.deepEqual(
        vendor.requests.map((request) => request.url.pathname),
        ['/api/v1/flows/session/create/'],
        `${status}: only the create endpoint was asked`,
      );
    }
  });

  it('answers 502 vendor-invalid-response to a 200 HTML page, invalid JSON, or a bad session_id', async () => {
    const answers = [
      { contentType: 'text/html', text: '<!doctype html><title>Maintenance</title>' },
      { text: '{"session_id":' },
      { json: { session_id: '../../steal', technologies: ['LD'] } },
      { json: { session_id: SESSION_ID, technologies: ['ld'] } },
      { json: { session_id: SESSION_ID } },
    ];
    for (const answer of answers) {
      vendor.behave(answer);
      const response = await handler().handle(post('{}'));
      assert.equal(response.status, 502, JSON.stringify(answer));
      assert.equal((await errorOf(response)).code, 'vendor-invalid-response');
    }
  });

  it('answers 502 vendor-invalid-response to an answer over 1 MiB, with or without a Content-Length', async () => {
    // Valid sessions but for their size: only the limit can refuse them.
    const megabyte = 'x'.repeat(1 << 20);
    const start = `{"session_id":"${SESSION_ID}","technologies":["LD"],"padding":"`;
    for (const answer of [{ text: `${start}${megabyte}"}` }, { chunks: [start, megabyte, megabyte, '"}'] }]) {
      vendor.behave(answer);
      const response = await handler().handle(post('{}'));
      assert.equal(response.status, 502, Object.keys(answer)[0]);
      assert.equal((await errorOf(response)).code, 'vendor-invalid-response');
    }
    // Just under the limit, a long but valid answer (extra fields are dropped) still makes a session.
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LD'], padding: 'x'.repeat((1 << 20) - 200) } });
    assert.equal((await handler().handle(post('{}'))).status, 200);
  });

  it('keeps CORS grants on error answers so an allowed page can read them', async () => {
    vendor.behave({ status: 500, text: 'x' });
    const response = await handler({ allowedOrigins: ['https://app.example'] }).handle(post('{}', { Origin: 'https://app.example' }));
    assert.equal(response.status, 502);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.example');
  });
});

describe('createSessionHandler: who may create sessions, and how many', () => {
  it('answers 403 forbidden when authorize says no, before the metadata callback or the vendor', async () => {
    let metadataCalls = 0;
    const seen: string[] = [];
    const { handle } = handler({
      authorize: async (request) => {
        seen.push(request.headers.get('cookie') ?? '');
        return request.headers.get('cookie') === 'sid=ok';
      },
      metadata: () => {
        metadataCalls++;
        return undefined;
      },
    });
    const refused = await handle(post('{}', { Cookie: 'sid=nope' }));
    assert.equal(refused.status, 403);
    assert.equal((await errorOf(refused)).code, 'forbidden');
    assert.equal(vendor.requests.length, 0);
    assert.equal(metadataCalls, 0);
    assert.equal((await handle(post('{}', { Cookie: 'sid=ok' }))).status, 200);
    assert.deepEqual(seen, ['sid=nope', 'sid=ok']);
    assert.equal(vendor.requests.length, 1);
  });

  it('answers 500 internal-error when authorize throws, and creates nothing', async () => {
    const { handle, logger } = handler({
      authorize: () => {
        throw new Error('auth backend down');
      },
    });
    const response = await handle(post('{}'));
    assert.equal(response.status, 500);
    assert.equal((await errorOf(response)).code, 'internal-error');
    assert.equal(vendor.requests.length, 0);
    assert.ok(logger.lines.some((line) => line.includes('auth backend down')));
  });

  it('answers 429 rate-limited with Retry-After past the limit, per key, and bills nothing more', async () => {
    const { handle } = handler({ rateLimit: { limit: 2, windowMs: 60_000, key: (request) => request.headers.get('x-user') ?? 'anonymous' } });
    for (let i = 0; i < 2; i++) assert.equal((await handle(post('{}', { 'X-User': 'a' }))).status, 200);
    const limited = await handle(post('{}', { 'X-User': 'a' }));
    assert.equal(limited.status, 429);
    assert.equal((await errorOf(limited)).code, 'rate-limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.equal(vendor.requests.length, 2);
    assert.equal((await handle(post('{}', { 'X-User': 'b' }))).status, 200, 'another key has its own bucket');
  });

  it('counts a refused authorize in no bucket', async () => {
    const { handle } = handler({
      authorize: (request) => request.headers.get('x-ok') === '1',
      rateLimit: { limit: 1, windowMs: 60_000, key: () => 'everyone' },
    });
    for (let i = 0; i < 3; i++) assert.equal((await handle(post('{}'))).status, 403);
    assert.equal((await handle(post('{}', { 'X-Ok': '1' }))).status, 200);
  });

  it('counts by the socket address under toNodeListener, by the last X-Forwarded-For with trustProxy', async () => {
    const serveWith = async (options: Partial<SessionHandlerOptions>) => {
      const server = createServer(toNodeListener(handler({ ...options, store: createMemoryStore() }).handle));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/session` };
    };
    const send = (url: string, forwardedFor?: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {}) },
        body: '{}',
      }).then(async (response) => {
        await response.body?.cancel();
        return response.status;
      });
    const direct = await serveWith({ rateLimit: { limit: 1, windowMs: 60_000 } });
    const proxied = await serveWith({ rateLimit: { limit: 1, windowMs: 60_000 }, trustProxy: true });
    try {
      assert.deepEqual([await send(direct.url, '10.0.0.1'), await send(direct.url, '10.0.0.2')], [200, 429], 'X-Forwarded-For is ignored without trustProxy');
      assert.deepEqual(
        [
          await send(proxied.url, '10.0.0.9, 10.0.0.1'),
          await send(proxied.url, '10.0.0.2'),
          // The same client with another forged first entry: the proxy's entry still names it.
          await send(proxied.url, '10.0.0.7, 10.0.0.1'),
        ],
        [200, 200, 429],
      );
    } finally {
      for (const { server } of [direct, proxied]) {
        server.closeAllConnections();
        server.close();
      }
    }
  });

  it('puts requests without a known address in one shared bucket, with one warning', async () => {
    const { handle, logger } = handler({ rateLimit: { limit: 2, windowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await handle(post('{}'))).status);
    assert.deepEqual(statuses, [200, 200, 429, 429]);
    const warnings = logger.lines.filter((line) => line.includes('rateLimit.key'));
    assert.equal(warnings.length, 1);
  });

  it('shares a rate limit between two handlers sharing a store', async () => {
    const store = createMemoryStore();
    const rateLimit = { limit: 3, windowMs: 60_000, key: () => 'one client' };
    const first = handler({ store, rateLimit }).handle;
    const second = handler({ store, rateLimit }).handle;
    const statuses = [];
    for (const handle of [first, second, first, second]) statuses.push((await handle(post('{}'))).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });
});

describe('createSessionHandler: vendor error codes', () => {
  it('answers a known vendor text with its stable code and vendorStatus, logging the text and not answering it', async () => {
    const cases: [Parameters<FakeVendor['behave']>[0], string, number][] = [
      [{ status: 400, json: { detail: 'Invalid IIN' } }, 'invalid-iin', 400],
      [{ status: 404, json: { detail: 'Subject not found in MCDB' } }, 'subject-not-found', 404],
      [{ status: 400, json: 'Client does not have subscription' }, 'subscription-inactive', 400],
      [{ status: 503, contentType: 'text/plain', text: "Can't connect to e-document service" }, 'edocument-unavailable', 503],
      [{ status: 400, json: { detail: 'Something nobody has seen' } }, 'vendor-error', 400],
    ];
    for (const [behaviour, code, vendorStatus] of cases) {
      vendor.behave(behaviour);
      const { handle, logger } = handler();
      const response = await handle(post('{}'));
      assert.equal(response.status, 502, code);
      const text = await response.text();
      const error = JSON.parse(text).error;
      assert.equal(error.code, code);
      assert.equal(error.vendorStatus, vendorStatus);
      for (const raw of ['Invalid IIN', 'MCDB', 'does not have', "Can't connect", 'nobody has seen']) {
        assert.ok(!text.includes(raw), `${code}: the answer holds the vendor's text`);
      }
      assert.ok(logger.lines.some((line) => line.includes('[vendor: ')), `${code}: the vendor's text is logged`);
    }
  });
});

describe('createSessionHandler: flow_url and native apps', () => {
  const flowUrlOf = async (response: Response) => ((await response.json()) as { flow_url?: string }).flow_url;

  it('builds flow_url from flowBaseUrl with web_view=true and the locale as the vendor spells it', async () => {
    const { handle } = handler({ flowBaseUrl: 'https://flow.example/kyc' });
    for (const [locale, spelled] of [['ru', 'ru'], ['kk', 'kz'], ['en', 'en']]) {
      assert.equal(await flowUrlOf(await handle(post(JSON.stringify({ locale })))), `https://flow.example/kyc/flow/${SESSION_ID}?web_view=true&locale=${spelled}`);
    }
    assert.equal(await flowUrlOf(await handle(post(''))), `https://flow.example/kyc/flow/${SESSION_ID}?web_view=true&locale=ru`, 'no locale: the element\'s default');
    assert.equal(
      await flowUrlOf(await handler({ flowBaseUrl: 'http://127.0.0.1:8790/' }).handle(post('{}'))),
      `http://127.0.0.1:8790/flow/${SESSION_ID}?web_view=true&locale=ru`,
      'plain http on loopback, as the element allows for the emulator',
    );
  });

  it('takes BIOMETRIC_FLOW_BASE_URL without flowBaseUrl, the option first; a bad variable is a configuration error naming it', async () => {
    const saved = process.env.BIOMETRIC_FLOW_BASE_URL;
    try {
      process.env.BIOMETRIC_FLOW_BASE_URL = 'http://127.0.0.1:8790';
      assert.equal(await flowUrlOf(await handler().handle(post('{}'))), `http://127.0.0.1:8790/flow/${SESSION_ID}?web_view=true&locale=ru`);
      assert.equal(
        await flowUrlOf(await handler({ flowBaseUrl: 'https://flow.example' }).handle(post('{}'))),
        `https://flow.example/flow/${SESSION_ID}?web_view=true&locale=ru`,
      );
      process.env.BIOMETRIC_FLOW_BASE_URL = 'http://flow.example';
      const { handle, logger } = handler();
      const response = await handle(post('{}'));
      assert.equal((await errorOf(response)).code, 'configuration-error');
      assert.match(logger.lines.join('\n'), /flowBaseUrl \(from BIOMETRIC_FLOW_BASE_URL\) must be an absolute https: URL/);
      assert.equal(vendor.requests.length, 2);
    } finally {
      if (saved === undefined) delete process.env.BIOMETRIC_FLOW_BASE_URL;
      else process.env.BIOMETRIC_FLOW_BASE_URL = saved;
    }
  });

  it('answers 500 configuration-error for a flowBaseUrl the element would refuse, before any vendor call', async () => {
    for (const flowBaseUrl of ['http://flow.example', 'javascript:alert(1)', '/relative/flow', 'not a url']) {
      const { handle, logger } = handler({ flowBaseUrl });
      const response = await handle(post('{}'));
      assert.equal(response.status, 500, flowBaseUrl);
      assert.equal((await errorOf(response)).code, 'configuration-error', flowBaseUrl);
      assert.match(logger.lines.join('\n'), /flowBaseUrl must be an absolute https: URL/, flowBaseUrl);
    }
    assert.equal(vendor.requests.length, 0);
  });

  it('builds no flow_url from a vendor session id that is not a UUID', async () => {
    vendor.behave({ json: { session_id: '../../evil?x=', technologies: ['LD'] } });
    const response = await handler().handle(post('{}'));
    assert.equal(response.status, 502);
    const text = await response.text();
    assert.equal(JSON.parse(text).error.code, 'vendor-invalid-response');
    assert.equal(text.includes('flow'), false);
  });

  it('lets an app without an Origin header through allowedOrigins, and leaves who it is to authorize', async () => {
    const { handle } = handler({
      allowedOrigins: ['https://shop.example'],
      authorize: (request) => request.headers.get('authorization') === 'Bearer app-user-7',
    });
    const signedIn = await handle(post('{"locale":"en"}', { Authorization: 'Bearer app-user-7' }));
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.headers.get('access-control-allow-origin'), null);
    assert.equal(await flowUrlOf(signedIn), `https://remote.biometric.kz/flow/${SESSION_ID}?web_view=true&locale=en`);
    const anonymous = await handle(post('{"locale":"en"}'));
    assert.equal(anonymous.status, 403);
    assert.equal((await errorOf(anonymous)).code, 'forbidden');
    assert.equal(vendor.requests.length, 1);
  });

  it("answers an app's refused body with the same typed errors as a page's", async () => {
    const { handle } = handler({ maxBodyBytes: 256 });
    const bodies: [string, string, Record<string, string>?][] = [
      ['invalid-json', '{"locale":'],
      ['invalid-request', '{"locale":"kz"}'],
      ['invalid-request', '[]'],
      ['json-too-deep', '['.repeat(40) + ']'.repeat(40)],
      ['payload-too-large', JSON.stringify({ context: 'x'.repeat(300) })],
      ['unsupported-media-type', '{}', { 'Content-Type': 'text/plain' }],
    ];
    for (const [code, body, headers] of bodies) {
      const fromApp = await handle(post(body, headers));
      const fromPage = await handle(post(body, { Origin: HOST, ...headers }));
      assert.equal(fromApp.status, fromPage.status, code);
      assert.ok(fromApp.status >= 400 && fromApp.status < 500, `${code}: ${fromApp.status}`);
      const appError = await errorOf(fromApp);
      assert.equal(appError.code, code);
      assert.deepEqual(appError, await errorOf(fromPage), code);
    }
    assert.equal(vendor.requests.length, 0);
  });
});
