// Handlers made where the environment is missing (`next build`, a Docker build), the origin allow-list
// from the environment, a Next.js-style `request.url`, and the one log line each refusal leaves.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSession, createSessionHandler, createStatusHandler, createWebhookHandler, getSessionResult } from '../../src/server/index.js';
import type { SessionHandlerOptions } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, startFakeVendor, testEnvironment, tokenHeader } from './fake-vendor.js';
import type { FakeVendor } from './fake-vendor.js';

let vendor: FakeVendor;
before(async () => {
  vendor = await startFakeVendor();
});
after(() => vendor.close());
beforeEach(() => {
  vendor.requests.length = 0;
  vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LDHP'] } });
});

/** Environment variables set for one test; `afterEach` puts them back. */
const environment = testEnvironment();
const setEnvironment = environment.set;
afterEach(() => environment.restore());

const sessionRequest = (url = 'https://shop.example/api/biometric/session', headers: Record<string, string> = {}) =>
  new Request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });

async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('handlers made without their environment', () => {
  it('do not throw at creation without an API key, as a route module loaded by `next build` makes them', () => {
    setEnvironment('BIOMETRIC_TOKEN_SECRET', undefined);
    const apiKey = process.env.BIOMETRIC_API_KEY_THAT_IS_NOT_SET as string;
    assert.doesNotThrow(() => createSessionHandler({ apiKey }));
    assert.doesNotThrow(() => createStatusHandler({ apiKey }));
    assert.doesNotThrow(() => createWebhookHandler({ apiKey, pathToken: process.env.NOT_SET, onEvent: () => {} }));
    assert.doesNotThrow(() => createSessionHandler({ apiKey, apiBaseUrl: 'not a url', tokenSecret: 'short', allowedOrigins: ['not an origin'] }));
  });

  it('answer 500 configuration-error and log the cause once per handler, never the key', async () => {
    const cases: [Partial<SessionHandlerOptions>, RegExp][] = [
      [{ apiKey: undefined as unknown as string }, /apiKey must be a non-empty string/],
      [{ apiKey: '   ' }, /apiKey must be a non-empty string/],
      [{ apiBaseUrl: 'ftp://vendor.example' }, /apiBaseUrl must be an absolute http\(s\) URL/],
      [{ tokenSecret: 'short' }, /tokenSecret must be a string of at least 32 characters/],
      [{ allowedOrigins: ['shop.example'] }, /allowedOrigins entry "shop.example" is not an origin/],
    ];
    for (const [options, reason] of cases) {
      for (const create of [createSessionHandler, createStatusHandler]) {
        const logger = capturingLogger();
        const handle = create({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger, ...options });
        for (let i = 0; i < 3; i++) {
          const response = await handle(sessionRequest());
          assert.equal(response.status, 500, `${create.name} ${JSON.stringify(options)}`);
          assert.equal(await codeOf(response), 'configuration-error');
        }
        assert.equal(logger.lines.length, 1, `one line for three requests: ${logger.lines.join('\n')}`);
        assert.match(logger.lines[0]!, new RegExp(`^error \\[biometric-flow\\] ${create.name} is not configured: `));
        assert.match(logger.lines[0]!, reason);
        assert.ok(!logger.lines[0]!.includes(API_KEY), 'never the key');
      }
    }
    assert.equal(vendor.requests.length, 0);
  });

  it('work once the environment is there, without being made again', async () => {
    setEnvironment('BIOMETRIC_TOKEN_SECRET', undefined);
    const logger = capturingLogger();
    // authorize: nothing here is about the default rate limit and its warning.
    const handle = createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, authorize: () => true, logger });
    setEnvironment('BIOMETRIC_TOKEN_SECRET', 'short');
    assert.equal((await handle(sessionRequest())).status, 500);
    setEnvironment('BIOMETRIC_TOKEN_SECRET', TOKEN_SECRET);
    assert.equal((await handle(sessionRequest())).status, 200);
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0]!, /BIOMETRIC_TOKEN_SECRET must be at least 32 characters/);
  });

  it('still throw at creation for options that are wrong in any environment', () => {
    assert.throws(() => createSessionHandler({ apiKey: undefined as unknown as string, authorize: true as never }), /authorize must be a function/);
    assert.throws(() => createSessionHandler({ apiKey: API_KEY, rateLimit: { limit: 0, windowMs: 1000 } }), /rateLimit.limit/);
    assert.throws(() => createStatusHandler({ apiKey: API_KEY, reuseMs: -1 }), /reuseMs/);
    assert.throws(() => createStatusHandler({ apiKey: API_KEY, mapResult: {} as never }), /mapResult must be a function/);
  });
});

describe('allowed origins from BIOMETRIC_ALLOWED_ORIGINS', () => {
  const handler = (options: Partial<SessionHandlerOptions> = {}) =>
    createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger(), ...options });

  it('takes the comma-separated list when allowedOrigins is not given', async () => {
    setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', ' https://shop.example , https://app.example:8443 ');
    const handle = handler();
    const app = await handle(sessionRequest('http://localhost:3000/api/biometric/session', { Origin: 'https://app.example:8443' }));
    assert.equal(app.status, 200);
    assert.equal(app.headers.get('access-control-allow-origin'), 'https://app.example:8443');
    assert.equal((await handle(sessionRequest('http://localhost:3000/api/biometric/session', { Origin: 'https://shop.example' }))).status, 200);
    assert.equal((await handle(sessionRequest('http://localhost:3000/api/biometric/session', { Origin: 'https://evil.example' }))).status, 403);
  });

  it('gives way to allowedOrigins, and counts as unset when empty', async () => {
    setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', 'https://app.example');
    const listed = handler({ allowedOrigins: ['https://shop.example'] });
    assert.equal((await listed(sessionRequest(undefined, { Origin: 'https://app.example' }))).status, 403);
    setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', ' ');
    const own = handler();
    assert.equal((await own(sessionRequest(undefined, { Origin: 'https://shop.example' }))).status, 200, 'the own origin, as without the variable');
  });

  it('answers configuration-error for an entry that is not an origin, naming the variable', async () => {
    setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', 'https://shop.example,shop.example');
    const logger = capturingLogger();
    const response = await handler({ logger })(sessionRequest());
    assert.equal(response.status, 500);
    assert.match(logger.lines.join('\n'), /"shop.example" \(from BIOMETRIC_ALLOWED_ORIGINS\) is not an origin/);
  });
});

describe('a framework that reports request.url as localhost (Next.js under next dev and next start)', () => {
  const NEXT_URL = 'http://localhost:3000/api/biometric/session';

  it('refuses a forged localhost Origin when allowedOrigins is set, and serves the real one', async () => {
    for (const create of [createSessionHandler, createStatusHandler]) {
      const handle = create({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, allowedOrigins: ['https://shop.example'], logger: capturingLogger() });
      for (const forged of ['http://localhost:3000', 'http://localhost', 'http://127.0.0.1:3000']) {
        const response = await handle(sessionRequest(NEXT_URL, { Origin: forged }));
        assert.equal(response.status, 403, `${create.name}: ${forged}`);
        assert.equal(await codeOf(response), 'forbidden-origin');
      }
    }
    const handle = createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, allowedOrigins: ['https://shop.example'], logger: capturingLogger() });
    assert.equal((await handle(sessionRequest(NEXT_URL, { Origin: 'https://shop.example' }))).status, 200);
  });

  it('refuses the forged Origin when the list comes from BIOMETRIC_ALLOWED_ORIGINS', async () => {
    setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', 'https://shop.example');
    const handle = createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger() });
    assert.equal((await handle(sessionRequest(NEXT_URL, { Origin: 'http://localhost:3000' }))).status, 403);
    assert.equal((await handle(sessionRequest(NEXT_URL, { Origin: 'https://shop.example' }))).status, 200);
  });

  it('says in the log what to set when the real page is refused for want of a list', async () => {
    setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', undefined);
    const logger = capturingLogger();
    const handle = createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger });
    assert.equal((await handle(sessionRequest(NEXT_URL, { Origin: 'https://shop.example' }))).status, 403);
    assert.deepEqual(logger.lines, [
      "warn [biometric-flow] session request refused (403): forbidden-origin: got https://shop.example, allowed only the request's own origin http://localhost:3000 (set allowedOrigins or BIOMETRIC_ALLOWED_ORIGINS)",
    ]);
  });

  it('with trustProxy, takes the own origin from X-Forwarded-Host and -Proto', async () => {
    setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', undefined);
    const handle = createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, trustProxy: true, logger: capturingLogger() });
    const forwarded = { 'X-Forwarded-Host': 'shop.example', 'X-Forwarded-Proto': 'https' };
    assert.equal((await handle(sessionRequest(NEXT_URL, { ...forwarded, Origin: 'https://shop.example' }))).status, 200);
    assert.equal((await handle(sessionRequest(NEXT_URL, { ...forwarded, Origin: 'http://localhost:3000' }))).status, 403);
  });
});

describe('one log line per refused request', () => {
  beforeEach(() => setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', undefined));

  it('names the reason of each refusal of the session handler, and logs nothing for an allowed request', async () => {
    const logger = capturingLogger();
    const handle = createSessionHandler({
      apiKey: API_KEY,
      apiBaseUrl: vendor.url,
      tokenSecret: TOKEN_SECRET,
      allowedOrigins: ['https://shop.example'],
      maxBodyBytes: 80,
      authorize: () => true,
      logger,
    });
    const url = 'https://shop.example/api/biometric/session';
    const shop = { Origin: 'https://shop.example', 'Content-Type': 'application/json' };
    const refusals: [Request, string][] = [
      [sessionRequest(url, { Origin: 'https://evil.example' }), 'forbidden-origin: got https://evil.example, allowed https://shop.example'],
      [new Request(url, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } }), 'forbidden-origin: got https://evil.example'],
      [new Request(url, { headers: { Origin: 'https://shop.example' } }), 'method-not-allowed: method "GET"'],
      [new Request(url, { method: 'POST', headers: { ...shop, 'Content-Type': 'text/plain' }, body: '{}' }), 'unsupported-media-type: content type text/plain'],
      [new Request(url, { method: 'POST', headers: shop, body: 'x'.repeat(81) }), 'payload-too-large'],
      [new Request(url, { method: 'POST', headers: shop, body: '{' }), 'invalid-json: the body is not JSON'],
      [new Request(url, { method: 'POST', headers: shop, body: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' }), 'json-too-deep'],
      [new Request(url, { method: 'POST', headers: shop, body: '{"locale":"de"}' }), 'invalid-request: wrong at locale'],
    ];
    for (const [request, reason] of refusals) {
      logger.lines.length = 0;
      const response = await handle(request);
      assert.ok(response.status >= 400 && response.status < 500, `${reason}: ${response.status}`);
      assert.equal(logger.lines.length, 1, `${reason}: ${logger.lines.join('\n')}`);
      assert.match(logger.lines[0]!, /^warn \[biometric-flow\] session request refused \(4\d\d\): /);
      assert.ok(logger.lines[0]!.includes(reason), `${logger.lines[0]} names ${reason}`);
    }
    logger.lines.length = 0;
    assert.equal((await handle(sessionRequest(url, shop))).status, 200);
    assert.deepEqual(logger.lines, []);
  });

  it('names authorize and the rate limit', async () => {
    const logger = capturingLogger();
    let allowed = false;
    const handle = createSessionHandler({
      apiKey: API_KEY,
      apiBaseUrl: vendor.url,
      tokenSecret: TOKEN_SECRET,
      authorize: () => allowed,
      rateLimit: { limit: 1, windowMs: 60_000, key: () => 'one client' },
      logger,
    });
    await handle(sessionRequest());
    allowed = true;
    await handle(sessionRequest());
    await handle(sessionRequest());
    assert.deepEqual(logger.lines, [
      'warn [biometric-flow] session request refused (403): forbidden: authorize said no',
      'warn [biometric-flow] session request refused (429): rate-limited: over 1 per 60000 ms for this client',
    ]);
  });

  it('names the reason of each refusal of the status handler, never the token', async () => {
    const logger = capturingLogger();
    const handle = createStatusHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger });
    const url = `https://shop.example/api/biometric/status?session_id=${SESSION_ID}`;
    const otherToken = (await tokenHeader('0f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f'))['Biometric-Status-Token']!;
    const refusals: [Request, string][] = [
      [new Request(url, { headers: { Origin: 'https://evil.example' } }), "forbidden-origin: got https://evil.example, allowed only the request's own origin https://shop.example"],
      [new Request(url, { method: 'POST' }), 'method-not-allowed: method "POST"'],
      [new Request('https://shop.example/api/biometric/status?session_id=..%2Fadmin'), 'invalid-session-id: session_id ../admin is not a UUID'],
      [new Request(url), `status-token-invalid: no Biometric-Status-Token for session ${SESSION_ID}`],
      [new Request(url, { headers: { 'Biometric-Status-Token': otherToken } }), 'status-token-invalid: a forged, expired or other-session Biometric-Status-Token'],
    ];
    for (const [request, reason] of refusals) {
      logger.lines.length = 0;
      const response = await handle(request);
      assert.ok(response.status >= 400 && response.status < 500, reason);
      assert.equal(logger.lines.length, 1, `${reason}: ${logger.lines.join('\n')}`);
      assert.match(logger.lines[0]!, /^warn \[biometric-flow\] status request refused \(4\d\d\): /);
      assert.ok(logger.lines[0]!.includes(reason), `${logger.lines[0]} names ${reason}`);
      assert.ok(!logger.lines[0]!.includes(otherToken), 'never the token');
    }
  });

  it('keeps a hostile Origin on one line, and short', async () => {
    const logger = capturingLogger();
    const handle = createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger });
    // Headers cannot carry a newline; a long value and other control characters are what a client can send.
    const origin = `https://evil.example/${'a'.repeat(500)}\u0001`;
    await handle(sessionRequest(undefined, { Origin: origin }));
    assert.equal(logger.lines.length, 1);
    assert.ok(logger.lines[0]!.length < 500, `${logger.lines[0]!.length} characters`);
    assert.doesNotMatch(logger.lines[0]!, /[\u0000-\u001f]/);
  });
});

describe('the vendor URL from BIOMETRIC_API_BASE_URL', () => {
  const pathToken = 't'.repeat(40);
  const webhookEvent = () =>
    new Request(`https://shop.example/hooks/${pathToken}`, {
      method: 'POST',
      body: JSON.stringify({
        id: `evt-${Math.random()}`,
        event: 'flow.end',
        session_id: SESSION_ID,
        created: Math.floor(Date.now() / 1000),
        data: { session_result: { status: 'FINISHED', session_id: SESSION_ID } },
      }),
    });

  it('is the default of apiBaseUrl in every handler and vendor call that talks to the vendor', async () => {
    setEnvironment('BIOMETRIC_API_BASE_URL', vendor.url);
    const logger = capturingLogger();
    const session = createSessionHandler({ apiKey: API_KEY, tokenSecret: TOKEN_SECRET, authorize: () => true, logger });
    assert.equal((await session(sessionRequest())).status, 200);
    vendor.behave({ json: { status: 'FINISHED', flow_session_result: true } });
    const status = createStatusHandler({ apiKey: API_KEY, tokenSecret: TOKEN_SECRET, logger });
    const url = `https://shop.example/api/biometric/status?session_id=${SESSION_ID}`;
    assert.equal((await status(new Request(url, { headers: await tokenHeader() }))).status, 200);
    const delivered: unknown[] = [];
    const webhook = createWebhookHandler({ apiKey: API_KEY, pathToken, onEvent: ({ verdict }) => void delivered.push(verdict?.outcome), logger });
    assert.equal((await webhook(webhookEvent())).status, 200);
    assert.deepEqual(delivered, ['passed']);
    assert.equal((await getSessionResult({ apiKey: API_KEY }, SESSION_ID)).status, 'FINISHED');
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LDHP'] } });
    assert.equal((await createSession({ apiKey: API_KEY })).session_id, SESSION_ID);
    assert.deepEqual(
      vendor.requests.map((request) => request.url.pathname),
      ['/api/v1/flows/session/create/', '/api/v1/flows/session/result/', '/api/v1/flows/session/result/', '/api/v1/flows/session/result/', '/api/v1/flows/session/create/'],
    );
    assert.deepEqual(logger.lines, []);
  });

  it('gives way to apiBaseUrl', async () => {
    setEnvironment('BIOMETRIC_API_BASE_URL', 'http://127.0.0.1:9/not-here');
    const handle = createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, authorize: () => true, logger: capturingLogger() });
    assert.equal((await handle(sessionRequest())).status, 200);
    assert.equal(vendor.requests.length, 1);
  });

  it('is checked at the first request: a wrong value answers 500 configuration-error, with one log line naming the variable', async () => {
    for (const value of ['not a url', 'ftp://vendor.example']) {
      setEnvironment('BIOMETRIC_API_BASE_URL', value);
      const handlers: Array<[string, (request: Request) => Promise<Response>, () => Request]> = [];
      const logger = capturingLogger();
      assert.doesNotThrow(() => {
        handlers.push(['createSessionHandler', createSessionHandler({ apiKey: API_KEY, tokenSecret: TOKEN_SECRET, logger }), () => sessionRequest()]);
        handlers.push(['createStatusHandler', createStatusHandler({ apiKey: API_KEY, tokenSecret: TOKEN_SECRET, logger }), () => sessionRequest()]);
        handlers.push(['createWebhookHandler', createWebhookHandler({ apiKey: API_KEY, pathToken, onEvent: () => {}, logger }), webhookEvent]);
      });
      for (const [name, handle, request] of handlers) {
        logger.lines.length = 0;
        for (let i = 0; i < 3; i++) {
          const response = await handle(request());
          assert.equal(response.status, 500, `${name} ${value}`);
          assert.equal(await codeOf(response), 'configuration-error');
        }
        assert.equal(logger.lines.length, 1, logger.lines.join('\n'));
        assert.match(logger.lines[0]!, new RegExp(`^error \\[biometric-flow\\] ${name} is not configured: apiBaseUrl \\(from BIOMETRIC_API_BASE_URL\\) must be an absolute http\\(s\\) URL`));
      }
      await assert.rejects(getSessionResult({ apiKey: API_KEY }, SESSION_ID), /getSessionResult: apiBaseUrl \(from BIOMETRIC_API_BASE_URL\)/);
    }
    assert.equal(vendor.requests.length, 0);
  });
});

describe('the vendor calls given something other than an options object', () => {
  it('say that an options object is expected, not that the key is missing', async () => {
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['getSessionResult', () => getSessionResult(API_KEY as never, SESSION_ID)],
      ['createSession', () => createSession(API_KEY as never)],
      ['getSessionResult', () => getSessionResult(null as never, SESSION_ID)],
      ['createSession', () => createSession(undefined as never)],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, new RegExp(`^${name}: expected an options object \\(\\{ apiKey, apiBaseUrl\\?, \\.\\.\\. \\}\\) as the first argument, got (string|null|undefined)$`));
        assert.doesNotMatch(error.message, /non-empty string/);
        assert.ok(!error.message.includes(API_KEY), 'never the key');
        return true;
      });
    }
    assert.equal(vendor.requests.length, 0);
  });
});
