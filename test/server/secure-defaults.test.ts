// Secure by default (issue 21, item 6): a session handler nobody guards is still rate-limited, a body
// sent a byte at a time is not awaited for ever, a repeated id in the query is refused, and production
// without an origin allow-list says so.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  createHandoffHandler,
  createSessionHandler,
  createStatusHandler,
  createWebhookHandler,
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_RATE_LIMIT,
  DEFAULT_WEBHOOK_BODY_TIMEOUT_MS,
  toNodeListener,
} from '../../src/server/index.js';
import type { SessionHandlerOptions } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, startFakeVendor, testEnvironment, tokenHeader } from './fake-vendor.js';
import type { FakeVendor } from './fake-vendor.js';

let vendor: FakeVendor;
const servers: Server[] = [];
before(async () => {
  vendor = await startFakeVendor();
});
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await vendor.close();
});
beforeEach(() => {
  vendor.requests.length = 0;
  vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LDHP'] } });
});

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const sessionHandler = (options: Partial<SessionHandlerOptions> = {}) =>
  createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger(), ...options });

const sessionRequest = () => new Request('https://shop.example/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });

async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

/** A body that sends its first bytes, then nothing, and never ends: what a slow-body client does. */
function stalledBody(first = '{"con'): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
  });
}

const stalledPost = (url: string, headers: Record<string, string> = {}) =>
  new Request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: stalledBody(), duplex: 'half' } as RequestInit);

describe('the session handler without authorize, reference or rateLimit', () => {
  it('limits each client address to 20 sessions a minute, with one warning that says what to set', async () => {
    const logger = capturingLogger();
    const base = await serve(toNodeListener(sessionHandler({ logger })));
    const post = () => fetch(`${base}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const statuses: number[] = [];
    for (let i = 0; i < DEFAULT_RATE_LIMIT.limit + 1; i++) statuses.push((await post()).status);
    assert.deepEqual(statuses, [...new Array<number>(DEFAULT_RATE_LIMIT.limit).fill(200), 429]);
    const refused = await post();
    assert.equal(await codeOf(refused), 'rate-limited');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal(vendor.requests.length, DEFAULT_RATE_LIMIT.limit, 'nothing over the limit was billed');
    const warnings = logger.lines.filter((line) => line.includes('neither authorize, reference nor rateLimit'));
    assert.equal(warnings.length, 1, logger.lines.join('\n'));
    assert.match(warnings[0]!, /^warn .*Set authorize .*rateLimit/);
    assert.deepEqual(DEFAULT_RATE_LIMIT, { limit: 20, windowMs: 60_000 });
  });

  it('does not count requests whose client address is unknown (one shared bucket would lock everyone out)', async () => {
    const logger = capturingLogger();
    const handle = sessionHandler({ logger });
    for (let i = 0; i < DEFAULT_RATE_LIMIT.limit + 5; i++) assert.equal((await handle(sessionRequest())).status, 200);
    assert.equal(logger.lines.length, 1, logger.lines.join('\n'));
    assert.match(logger.lines[0]!, /neither authorize, reference nor rateLimit.*address is unknown.*not counted/);
  });

  it('has no default limit and no warning once authorize, reference or rateLimit is given', async () => {
    for (const options of [{ authorize: () => true }, { reference: () => 'user-1' }, { rateLimit: { limit: 100, windowMs: 60_000 } }]) {
      const logger = capturingLogger();
      const base = await serve(toNodeListener(sessionHandler({ logger, ...options })));
      for (let i = 0; i < DEFAULT_RATE_LIMIT.limit + 2; i++) {
        const response = await fetch(`${base}/s`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        assert.equal(response.status, 200, JSON.stringify(Object.keys(options)));
      }
      assert.deepEqual(logger.lines, []);
    }
  });
});

describe('a body sent too slowly', () => {
  it('is answered 408 body-timeout after bodyTimeoutMs, closing the connection, by the session handler', async () => {
    const logger = capturingLogger();
    const handle = sessionHandler({ authorize: () => true, bodyTimeoutMs: 200, logger });
    const started = Date.now();
    const response = await handle(stalledPost('https://shop.example/api/session'));
    assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`);
    assert.equal(response.status, 408);
    assert.equal(response.headers.get('connection'), 'close');
    assert.equal(await codeOf(response), 'body-timeout');
    assert.deepEqual(logger.lines, ['warn [biometric-flow] session request refused (408): body-timeout: The request body did not arrive within 200 ms']);
    assert.equal(vendor.requests.length, 0);
  });

  it('is answered 408 on a real socket sending a byte every 100 ms, and the socket is closed', async () => {
    const base = new URL(await serve(toNodeListener(sessionHandler({ authorize: () => true, bodyTimeoutMs: 300 }))));
    const socket = connect(Number(base.port), base.hostname);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
    const drip = setInterval(() => socket.writable && socket.write(' '), 100);
    const started = Date.now();
    try {
      await closed;
    } finally {
      clearInterval(drip);
    }
    assert.ok(Date.now() - started < 3000, `closed after ${Date.now() - started} ms`);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, /"code":"body-timeout"/);
  });

  it('is bounded in the handoff and webhook handlers too, and the defaults are 10 s and 30 s', async () => {
    const handoff = createHandoffHandler({ tokenSecret: TOKEN_SECRET, bodyTimeoutMs: 150, logger: capturingLogger() });
    const handoffAnswer = await handoff(stalledPost('https://shop.example/api/handoff', await tokenHeader()));
    assert.equal(handoffAnswer.status, 408);
    assert.equal(await codeOf(handoffAnswer), 'body-timeout');

    const logger = capturingLogger();
    const pathToken = 'p'.repeat(40);
    const webhook = createWebhookHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, pathToken, onEvent: () => {}, bodyTimeoutMs: 150, logger });
    const webhookAnswer = await webhook(stalledPost(`https://shop.example/hooks/${pathToken}`));
    assert.equal(webhookAnswer.status, 408);
    assert.equal(await codeOf(webhookAnswer), 'body-timeout');
    assert.match(logger.lines.at(-1)!, /webhook refused \(408 body-timeout\)/);

    assert.equal(DEFAULT_BODY_TIMEOUT_MS, 10_000);
    assert.equal(DEFAULT_WEBHOOK_BODY_TIMEOUT_MS, 30_000);
  });

  it('refuses a bodyTimeoutMs that is not a positive number at creation', () => {
    assert.throws(() => sessionHandler({ bodyTimeoutMs: 0 }), /bodyTimeoutMs must be a positive number/);
    assert.throws(() => createHandoffHandler({ bodyTimeoutMs: -1 }), /bodyTimeoutMs/);
    assert.throws(() => createWebhookHandler({ apiKey: API_KEY, onEvent: () => {}, bodyTimeoutMs: Number.NaN }), /bodyTimeoutMs/);
  });
});

describe('a repeated id in the query', () => {
  it('is refused by the status handler with 400, before any vendor call', async () => {
    const logger = capturingLogger();
    const handle = createStatusHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger });
    const other = '0f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f';
    for (const query of [`session_id=${SESSION_ID}&session_id=${other}`, `session_id=${SESSION_ID}&session_id=${SESSION_ID}`]) {
      const response = await handle(new Request(`https://shop.example/status?${query}`, { headers: await tokenHeader() }));
      assert.equal(response.status, 400, query);
      const body = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
      assert.equal(body.error.code, 'invalid-session-id');
      assert.deepEqual(body.error.issues.map((issue) => issue.path), ['session_id']);
    }
    assert.equal(vendor.requests.length, 0);
    assert.match(logger.lines.at(-1)!, /status request refused \(400\): invalid-session-id: session_id given more than once/);
    vendor.behave({ json: { status: 'PROGRESS' } });
    const once = await handle(new Request(`https://shop.example/status?session_id=${SESSION_ID}`, { headers: await tokenHeader() }));
    assert.equal(once.status, 200, 'given once, it is read');
    assert.equal(vendor.requests.length, 1);
  });

  it('is refused by the handoff page with 400 and the invalid-link page', async () => {
    const handle = createHandoffHandler({ tokenSecret: TOKEN_SECRET, logger: capturingLogger() });
    const response = await handle(new Request('https://shop.example/api/handoff?handoff=aaaaaaaaaaaaaaaaaaaaaa&handoff=bbbbbbbbbbbbbbbbbbbbbb', {
      headers: { 'Accept-Language': 'en' },
    }));
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type')!, /^text\/html/);
    assert.match(await response.text(), /data-kind="invalid">This link is not valid</);
  });
});

describe('production without an origin allow-list', () => {
  const environment = testEnvironment();
  const setEnvironment = environment.set;
  afterEach(() => environment.restore());
  const dnsRebinding = /NODE_ENV is production and neither allowedOrigins nor BIOMETRIC_ALLOWED_ORIGINS is set.*Host.*DNS-rebinding/;

  it('logs one warning per handler a browser calls, at its first request', async () => {
    setEnvironment('NODE_ENV', 'production');
    setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', undefined);
    const logger = capturingLogger();
    const session = sessionHandler({ authorize: () => true, logger });
    const status = createStatusHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger });
    const handoff = createHandoffHandler({ tokenSecret: TOKEN_SECRET, logger });
    assert.deepEqual(logger.lines, [], 'nothing before the first request');
    for (let i = 0; i < 3; i++) {
      await session(sessionRequest());
      await status(new Request(`https://shop.example/status?session_id=${SESSION_ID}`, { headers: await tokenHeader() }));
      await handoff(new Request('https://shop.example/api/handoff', { method: 'PUT' }));
    }
    const warnings = logger.lines.filter((line) => dnsRebinding.test(line));
    assert.equal(warnings.length, 3, logger.lines.join('\n'));
    assert.deepEqual(warnings.map((line) => /\] (\w+):/.exec(line)![1]), ['createSessionHandler', 'createStatusHandler', 'createHandoffHandler']);
  });

  it('says nothing with allowedOrigins, with BIOMETRIC_ALLOWED_ORIGINS, or outside production', async () => {
    const cases: Array<[string | undefined, string | undefined, string[] | undefined]> = [
      ['production', undefined, ['https://shop.example']],
      ['production', 'https://shop.example', undefined],
      ['development', undefined, undefined],
      [undefined, undefined, undefined],
    ];
    for (const [nodeEnv, variable, allowedOrigins] of cases) {
      setEnvironment('NODE_ENV', nodeEnv);
      setEnvironment('BIOMETRIC_ALLOWED_ORIGINS', variable);
      const logger = capturingLogger();
      const handle = sessionHandler({ authorize: () => true, logger, ...(allowedOrigins ? { allowedOrigins } : {}) });
      assert.equal((await handle(sessionRequest())).status, 200);
      assert.deepEqual(logger.lines, [], JSON.stringify([nodeEnv, variable, allowedOrigins]));
    }
  });
});
