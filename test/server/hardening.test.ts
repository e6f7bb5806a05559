// Hardening cases the other server tests leave out: exact limits (depth, body size), content types that
// look like JSON but are not, Origin look-alikes and the order of the checks, a vendor that stalls after
// its headers, and the whole fault matrix over a real socket with the default `console` logger.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_JSON_DEPTH, createSessionHandler, createStatusHandler, toNodeListener } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, startFakeVendor, tokenHeader } from './fake-vendor.js';
import type { SessionHandlerOptions } from '../../src/server/index.js';
import type { FakeVendor, VendorBehaviour } from './fake-vendor.js';

const HOST = 'https://shop.example';
const KEY_FORMS = [API_KEY, encodeURIComponent(API_KEY), new URLSearchParams({ k: API_KEY }).toString().slice(2)];

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

function handler(options: Partial<SessionHandlerOptions> = {}) {
  return createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, timeoutMs: 2000, logger: capturingLogger(), ...options });
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request(`${HOST}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
}

async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

const nested = (depth: number) => `{"context":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe('server hardening: exact limits', () => {
  it(`accepts JSON nested exactly ${MAX_JSON_DEPTH} levels and refuses one more`, async () => {
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LD'] } });
    assert.equal((await handler()(post(nested(MAX_JSON_DEPTH)))).status, 200);
    const response = await handler()(post(nested(MAX_JSON_DEPTH + 1)));
    assert.equal(response.status, 400);
    assert.equal(await codeOf(response), 'json-too-deep');
  });

  it('counts nesting after a string that ends in an escaped backslash', async () => {
    const deep = `{"context":["\\\\",${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}]}`;
    assert.doesNotThrow(() => JSON.parse(deep));
    assert.equal(await codeOf(await handler()(post(deep))), 'json-too-deep');
  });

  it('accepts a body of exactly maxBodyBytes and refuses one byte more, without Content-Length', async () => {
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LD'] } });
    const limit = 100;
    const body = (size: number) => `{"context":"${'x'.repeat(size - 14)}"}`;
    assert.equal(body(limit).length, limit);
    const chunked = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of text.match(/.{1,7}/gs)!) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      });
    const send = (text: string) =>
      handler({ maxBodyBytes: limit })(
        new Request(`${HOST}/session`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: chunked(text),
          duplex: 'half',
        } as RequestInit),
      );
    assert.equal((await send(body(limit))).status, 200);
    const over = await send(body(limit + 1));
    assert.equal(over.status, 413);
    assert.equal(await codeOf(over), 'payload-too-large');
  });
});

describe('server hardening: content types', () => {
  it('reads the media type case-insensitively, with parameters and spaces', async () => {
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LD'] } });
    for (const type of ['Application/JSON', ' application/json ; charset=UTF-8', 'application/problem+json']) {
      assert.equal((await handler()(post('{}', { 'Content-Type': type }))).status, 200, type);
    }
  });

  it('answers 415 to types that only look like JSON', async () => {
    const before = vendor.requests.length;
    for (const type of ['application/jsonp', 'text/json', 'application/json-seq', 'application/x-json', 'json', '*/*']) {
      const response = await handler()(post('{}', { 'Content-Type': type }));
      assert.equal(response.status, 415, type);
      assert.equal(await codeOf(response), 'unsupported-media-type');
    }
    assert.equal(vendor.requests.length, before);
  });
});

describe('server hardening: Origin allow-list', () => {
  it('refuses look-alikes of an allowed origin: suffix, prefix, scheme, port, userinfo, path', async () => {
    const handle = handler({ allowedOrigins: ['https://app.example'] });
    for (const origin of [
      'https://app.example.evil.example',
      'https://evilapp.example',
      'http://app.example',
      'https://app.example:8443',
      'https://user@app.example',
      'https://app.example/',
      'https://APP.example',
      'https://app.example, https://evil.example',
    ]) {
      const response = await handle(post('{}', { Origin: origin }));
      assert.equal(response.status, 403, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  it('normalises an allowedOrigins entry given with a path or a trailing slash', async () => {
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LD'] } });
    const handle = handler({ allowedOrigins: ['https://app.example/checkout/', 'https://other.example:8443/'] });
    assert.equal((await handle(post('{}', { Origin: 'https://app.example' }))).status, 200);
    assert.equal((await handle(post('{}', { Origin: 'https://other.example:8443' }))).status, 200);
  });

  it('checks the Origin before the method, content type, size and JSON, and never reads a refused body', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode('['.repeat(1000)));
      },
    });
    const response = await handler({ maxBodyBytes: 10 })(
      new Request(`${HOST}/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', 'Content-Length': '99999', Origin: 'https://evil.example' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    assert.equal(response.status, 403);
    assert.ok(pulled <= 1, `pulled ${pulled} chunks of a refused body`);
  });

  it('checks the content type before the size, and the size before the JSON', async () => {
    const handle = handler({ maxBodyBytes: 10 });
    assert.equal((await handle(post('['.repeat(50), { 'Content-Type': 'text/plain' }))).status, 415);
    assert.equal((await handle(post('['.repeat(50)))).status, 413);
  });
});

describe('server hardening: vendor faults', () => {
  it('answers 504 vendor-timeout when the vendor sends its headers and then stalls the body', async () => {
    const stalling = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '200' });
      res.write('{"session_id":"');
    });
    servers.push(stalling);
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', () => resolve()));
    const apiBaseUrl = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
    const started = Date.now();
    const session = await handler({ apiBaseUrl, timeoutMs: 150 })(post('{}'));
    assert.equal(session.status, 504);
    assert.equal(await codeOf(session), 'vendor-timeout');
    const status = await createStatusHandler({ apiKey: API_KEY, apiBaseUrl, timeoutMs: 150, tokenSecret: TOKEN_SECRET, logger: capturingLogger() })(
      new Request(`${HOST}/status?session_id=${SESSION_ID}`, { headers: await tokenHeader() }),
    );
    assert.equal(status.status, 504);
    assert.equal(await codeOf(status), 'vendor-timeout');
    assert.ok(Date.now() - started < 2000);
  });

  it('maps every vendor 5xx, HTML error pages included, to 502 vendor-error with its status', async () => {
    for (const status of [500, 502, 503, 504]) {
      vendor.behave({ status, contentType: 'text/html', text: `<html><h1>${status} Bad Gateway</h1></html>` });
      const response = await handler()(post('{}'));
      assert.equal(response.status, 502, String(status));
      const text = await response.text();
      assert.deepEqual(JSON.parse(text).error, {
        code: 'vendor-error',
        message: `The identity service answered HTTP ${status}`,
        vendorStatus: status,
      });
      assert.ok(!text.includes('Bad Gateway'));
    }
  });
});

/** Raw bytes of an HTTP exchange, status line and headers included. */
function rawExchange(base: string, path: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<string>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      let text = `HTTP/${res.httpVersion} ${res.statusCode}\n${res.rawHeaders.join('\n')}\n\n`;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('server hardening: the key over the wire', () => {
  it('leaks into no answer on the socket and no console line, with the default logger, for every fault', async () => {
    const lines: string[] = [];
    const original = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
    for (const level of Object.keys(original) as (keyof typeof original)[]) {
      console[level] = (...args: unknown[]) =>
        lines.push(args.map((arg) => (arg instanceof Error ? `${arg.stack} ${String(arg.cause)}` : String(arg))).join(' '));
    }
    const answers: string[] = [];
    try {
      const common = { apiKey: API_KEY, apiBaseUrl: vendor.url, timeoutMs: 150, tokenSecret: TOKEN_SECRET };
      const sessionBase = await serveListener(toNodeListener(createSessionHandler({ ...common, maxBodyBytes: 256 })));
      // No reuse window: every fault below must reach the vendor.
      const statusBase = await serveListener(toNodeListener(createStatusHandler({ ...common, reuseMs: 0 })));
      const token = await tokenHeader();
      const faults: Record<string, VendorBehaviour> = {
        timeout: 'hang',
        drop: 'drop',
        'HTML 500': { status: 500, contentType: 'text/html', text: `<pre>${API_KEY}</pre>` },
        '401': { status: 401, json: { detail: `bad key ${API_KEY}` } },
        'invalid JSON': { text: `{"api_key":"${API_KEY}"` },
        'key as session_id': { json: { session_id: API_KEY, technologies: [API_KEY] } },
      };
      for (const behaviour of Object.values(faults)) {
        vendor.behave(behaviour);
        answers.push(await rawExchange(sessionBase, '/session', 'POST', { 'Content-Type': 'application/json' }, '{}'));
        answers.push(await rawExchange(statusBase, `/status?session_id=${SESSION_ID}`, 'GET', token));
      }
      answers.push(await rawExchange(sessionBase, '/session', 'POST', { 'Content-Type': 'application/json' }, JSON.stringify({ context: API_KEY.repeat(9) })));
      answers.push(await rawExchange(sessionBase, '/session', 'POST', { 'Content-Type': 'application/json' }, JSON.stringify({ locale: API_KEY })));
      answers.push(await rawExchange(sessionBase, '/session', 'POST', { 'Content-Type': 'application/json', Origin: 'https://evil.example' }, '{}'));
    } finally {
      Object.assign(console, original);
    }
    assert.equal(answers.length, 15);
    for (const answer of answers) {
      assert.match(answer, /^HTTP\/1\.1 (4|5)\d\d/);
      for (const form of KEY_FORMS) assert.ok(!answer.includes(form), `an answer contains the key: ${answer.slice(0, 300)}`);
    }
    assert.ok(lines.length >= 10, `the default logger wrote ${lines.length} lines`);
    for (const line of lines) {
      for (const form of KEY_FORMS) assert.ok(!line.includes(form), `a console line contains the key: ${line.slice(0, 300)}`);
    }
  });
});

async function serveListener(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
