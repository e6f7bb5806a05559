import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionHandler, createStatusHandler, toNodeListener, verifyStatusToken } from '../../src/server/index.js';
import type { SessionHandlerOptions } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, startFakeVendor, tokenHeader } from './fake-vendor.js';
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
  vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LDHP', 'F2F'] } });
});

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One exchange over a real socket, with what `fetch` would not send: any Host, methods, repeated headers. */
function send(base: string, path: string, options: { method?: string; headers?: OutgoingHttpHeaders; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const postJson = (body: string, headers: OutgoingHttpHeaders = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body,
});

const errorCode = (answer: Answer) => (JSON.parse(answer.text) as { error: { code: string } }).error.code;

type WebHandler = (request: Request) => Promise<Response>;

/**
 * The two ways `toNodeListener` serves a handler: the package's own handlers straight from the Node
 * request, and any other function (here a host's wrapper) through a Web `Request`. Every case below runs
 * on both and must answer the same.
 */
const PATHS: Record<string, (handler: WebHandler) => RequestListener> = {
  'the Node path': (handler) => toNodeListener(handler),
  'the Web Request path': (handler) => toNodeListener((request) => handler(request)),
};

interface SeenRequest {
  context: unknown;
  url: string;
  method: string;
  cookie: string | null;
}

for (const [pathName, listen] of Object.entries(PATHS)) {
  describe(`toNodeListener, ${pathName}`, () => {
    let seen: SeenRequest[] = [];
    const sessionHandler = (options: Partial<SessionHandlerOptions> = {}) =>
      createSessionHandler({
        apiKey: API_KEY,
        apiBaseUrl: vendor.url,
        timeoutMs: 2000,
        tokenSecret: TOKEN_SECRET,
        logger: capturingLogger(),
        metadata: ({ context, request }) => {
          seen.push({ context, url: request.url, method: request.method, cookie: request.headers.get('cookie') });
          return undefined;
        },
        ...options,
      });
    const serveSession = (options: Partial<SessionHandlerOptions> = {}) => serve(listen(sessionHandler(options)));
    beforeEach(() => {
      seen = [];
    });

    it('creates a session, with the answer headers and the request the metadata callback sees', async () => {
      const base = await serveSession();
      const answer = await send(base, '/api/session?x=1', postJson(JSON.stringify({ locale: 'ru', context: { cart: [1, 2] } }), { Origin: base, Cookie: 'sid=7' }));
      assert.equal(answer.status, 200);
      const { status_token: token, expires_at: expiresAt, ...session } = JSON.parse(answer.text);
      assert.ok(Date.parse(expiresAt) > Date.now(), `expires_at ${expiresAt}`);
      assert.deepEqual(session, {
        session_id: SESSION_ID,
        technologies: ['LDHP', 'F2F'],
        flow_url: `https://remote.biometric.kz/flow/${SESSION_ID}?web_view=true&locale=ru`,
      });
      assert.equal(await verifyStatusToken({ tokenSecret: TOKEN_SECRET, sessionId: SESSION_ID, token }), true);
      assert.match(answer.headers['content-type'] ?? '', /^application\/json; charset=utf-8$/i);
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers.vary, 'Origin');
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
      assert.deepEqual(seen, [{ context: { cart: [1, 2] }, url: `${base}/api/session?x=1`, method: 'POST', cookie: 'sid=7' }]);
      assert.deepEqual(JSON.parse(vendor.requests[0]!.text), { api_key: API_KEY });
    });

    it('refuses a foreign Origin, and repeated Origin headers read as one joined value', async () => {
      const base = await serveSession({ allowedOrigins: ['https://app.example'] });
      const foreign = await send(base, '/session', postJson('{}', { Origin: 'https://evil.example' }));
      assert.equal(foreign.status, 403);
      assert.equal(errorCode(foreign), 'forbidden-origin');
      assert.equal(foreign.headers['access-control-allow-origin'], undefined);
      const twice = await send(base, '/session', postJson('{}', { Origin: ['https://app.example', 'https://app.example'] }));
      assert.equal(twice.status, 403);
      assert.equal(vendor.requests.length, 0);
    });

    it('takes the origin from the Host header, never from a path that looks like an authority', async () => {
      const base = await serveSession();
      for (const path of ['//evil.example/session', '/\\evil.example/session']) {
        const answer = await send(base, path, postJson('{}', { Origin: 'http://evil.example' }));
        assert.equal(answer.status, 403, path);
      }
      assert.equal(vendor.requests.length, 0);
      assert.equal((await send(base, '//evil.example/session', postJson('{}', { Origin: base }))).status, 200);
      assert.equal(seen[0]!.url, `${base}//evil.example/session`);
    });

    it('grants an allowed cross origin CORS, on the answer and on a preflight', async () => {
      const base = await serveSession({ allowedOrigins: ['https://app.example'] });
      const answer = await send(base, '/session', postJson('{}', { Origin: 'https://app.example' }));
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(answer.headers['access-control-allow-credentials'], 'true');
      const preflight = await send(base, '/session', {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, x-csrf-token' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.text, '');
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(preflight.headers['access-control-allow-headers'], 'content-type, x-csrf-token');
      assert.equal(preflight.headers['access-control-max-age'], '600');
      assert.equal(preflight.headers.allow, 'POST, OPTIONS');
    });

    it('trusts X-Forwarded-Proto and X-Forwarded-Host only with trustProxy', async () => {
      const forwarded = postJson('{}', { Origin: 'https://shop.example', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'shop.example' });
      assert.equal((await send(await serveSession(), '/session', forwarded)).status, 403);
      assert.equal((await send(await serveSession({ trustProxy: true }), '/session', forwarded)).status, 200);
    });

    it('answers 405 with Allow to other methods, without a body to HEAD', async () => {
      const base = await serveSession();
      const get = await send(base, '/session');
      assert.equal(get.status, 405);
      assert.equal(get.headers.allow, 'POST, OPTIONS');
      assert.equal(errorCode(get), 'method-not-allowed');
      const head = await send(base, '/session', { method: 'HEAD' });
      assert.equal(head.status, 405);
      assert.equal(head.text, '');
    });

    it('answers 400 bad-request to a method a Web Request refuses and to a Host that makes no URL', async () => {
      const base = await serveSession();
      for (const options of [{ method: 'TRACE' }, { method: 'POST', headers: { Host: 'bad host', 'Content-Type': 'application/json' }, body: '{}' }]) {
        const answer = await send(base, '/session', options);
        assert.equal(answer.status, 400, options.method);
        assert.equal(errorCode(answer), 'bad-request');
      }
      assert.equal(vendor.requests.length, 0);
    });

    it('answers 415, 400 invalid-json, json-too-deep and invalid-request like the Web handler', async () => {
      const base = await serveSession();
      const cases: [string, OutgoingHttpHeaders, number, string][] = [
        ['{}', { 'Content-Type': 'text/plain' }, 415, 'unsupported-media-type'],
        ['{"locale":', {}, 400, 'invalid-json'],
        [`{"context":${'['.repeat(40)}${']'.repeat(40)}}`, {}, 400, 'json-too-deep'],
        ['{"locale":"kz"}', {}, 400, 'invalid-request'],
        ['[]', {}, 400, 'invalid-request'],
      ];
      for (const [body, headers, status, code] of cases) {
        const answer = await send(base, '/session', postJson(body, headers));
        assert.equal(answer.status, status, code);
        assert.equal(errorCode(answer), code);
      }
      const invalidUtf8 = await new Promise<Answer>((resolve, reject) => {
        const req = httpRequest(`${base}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        });
        req.on('error', reject);
        req.end(Buffer.from([0x7b, 0xff, 0x7d]));
      });
      assert.equal(invalidUtf8.status, 400);
      assert.equal(errorCode(invalidUtf8), 'invalid-json');
      assert.equal(vendor.requests.length, 0);
    });

    it('answers 413 to an honest Content-Length over the limit', async () => {
      const base = await serveSession({ maxBodyBytes: 64 });
      const answer = await send(base, '/session', postJson(JSON.stringify({ context: 'x'.repeat(100) })));
      assert.equal(answer.status, 413);
      assert.equal(errorCode(answer), 'payload-too-large');
    });

    it('counts the bytes of a body whose Content-Length lies', async () => {
      const listener = listen(sessionHandler({ maxBodyBytes: 64 }));
      const base = await serve((req, res) => {
        const index = req.rawHeaders.findIndex((name) => name.toLowerCase() === 'content-length');
        req.rawHeaders[index + 1] = '10';
        req.headers['content-length'] = '10';
        listener(req, res);
      });
      const answer = await send(base, '/session', postJson(JSON.stringify({ context: 'x'.repeat(200) })));
      assert.equal(answer.status, 413);
      assert.equal(errorCode(answer), 'payload-too-large');
      assert.equal(vendor.requests.length, 0);
    });

    it('answers 413 to a chunked upload that grows past the limit and still delivers the answer', async () => {
      const base = await serveSession({ maxBodyBytes: 1024 });
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${base}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.write('{"context":"');
        let sent = 0;
        const timer = setInterval(() => {
          if (sent++ > 40 || req.destroyed) {
            clearInterval(timer);
            req.end('"}');
            return;
          }
          req.write('x'.repeat(512));
        }, 1);
      });
      assert.equal(status, 413);
      assert.equal(JSON.parse(body).error.code, 'payload-too-large');
    });

    it('keeps serving after a client leaves in the middle of its body', async () => {
      const logger = capturingLogger();
      const base = await serve(listen(sessionHandler({ logger, authorize: () => true })));
      await new Promise<void>((resolve) => {
        const req = httpRequest(`${base}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': '1000' } });
        req.on('error', () => resolve());
        req.write('{"context":"', () => setTimeout(() => req.destroy(), 20));
      });
      assert.equal((await send(base, '/session', postJson('{}'))).status, 200);
      // The half-sent request is a refusal like any other: one warning, and no error.
      assert.deepEqual(logger.lines, ['warn [biometric-flow] session request refused (400): invalid-body: The request body could not be read']);
    });

    it('maps vendor failures to 502 with vendorStatus and a timeout to 504', async () => {
      const base = await serveSession({ timeoutMs: 150 });
      vendor.behave({ status: 500, contentType: 'text/html', text: '<h1>oops</h1>' });
      const failed = await send(base, '/session', postJson('{}'));
      assert.equal(failed.status, 502);
      assert.deepEqual(JSON.parse(failed.text).error, { code: 'vendor-error', message: 'The identity service answered HTTP 500', vendorStatus: 500 });
      vendor.behave('hang');
      const slow = await send(base, '/session', postJson('{}'));
      assert.equal(slow.status, 504);
      assert.equal(errorCode(slow), 'vendor-timeout');
    });

    describe('with a body that Express-style middleware already parsed', () => {
      /** Reads the body like `express.json()` would, sets `req.body` and a mounted router's `originalUrl`. */
      const parsing = (listener: RequestListener, parse: (text: string) => unknown) => (req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          Object.assign(req, { body: parse(Buffer.concat(chunks).toString('utf8')), originalUrl: `/mounted${req.url}` });
          listener(req, res);
        });
      };

      it('re-serialises it, and the callback sees the full URL', async () => {
        const base = await serve(parsing(listen(sessionHandler()), JSON.parse));
        const answer = await send(base, '/session', postJson(JSON.stringify({ context: { parsed: true } })));
        assert.equal(answer.status, 200);
        assert.deepEqual(seen, [{ context: { parsed: true }, url: `${base}/mounted/session`, method: 'POST', cookie: null }]);
      });

      it('applies the size limit to what was parsed', async () => {
        const base = await serve(parsing(listen(sessionHandler({ maxBodyBytes: 64 })), JSON.parse));
        const answer = await send(base, '/session', postJson(JSON.stringify({ context: 'x'.repeat(100) })));
        assert.equal(answer.status, 413);
        assert.equal(vendor.requests.length, 0);
      });

      it('takes a parsed text body sent without Content-Type as JSON, like any body without one', async () => {
        const base = await serve(parsing(listen(sessionHandler()), (text) => text));
        const answer = await send(base, '/session', { method: 'POST', body: '{"locale":"en","context":7}' });
        assert.equal(answer.status, 200);
        assert.equal(seen[0]!.context, 7);
      });
    });

    it('serves GET through the status handler, and 405 to HEAD', async () => {
      vendor.behave({ json: { status: 'FINISHED', flow_session_result: true } });
      const base = await serve(
        listen(createStatusHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger() })),
      );
      const token = await tokenHeader();
      assert.equal(errorCode(await send(base, `/status?session_id=${SESSION_ID}`)), 'status-token-invalid');
      const answer = await send(base, `/status?session_id=${SESSION_ID}`, { headers: token });
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.text), {
        session_id: SESSION_ID,
        status: 'FINISHED',
        result: { flow_session_result: true, failure_reasons: [] },
      });
      assert.equal(errorCode(await send(base, '/status?session_id=nope')), 'invalid-session-id');
      const head = await send(base, `/status?session_id=${SESSION_ID}`, { method: 'HEAD', headers: token });
      assert.equal(head.status, 405);
      assert.equal(head.text, '');
    });
  });
}

describe('toNodeListener', () => {
  it('serves the package\'s handlers without a Web Response, and a wrapper through one', async () => {
    const handler = createSessionHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger() });
    assert.deepEqual(Object.keys(handler), [], 'what toNodeListener looks for is not enumerable');
    const direct = await send(await serve(toNodeListener(handler)), '/session', postJson('{}'));
    const wrapped = await send(await serve(toNodeListener((request) => handler(request))), '/session', postJson('{}'));
    assert.equal(direct.text, wrapped.text);
    // A Web Response's body is streamed (chunked); the plain answer is written whole, with its length.
    assert.equal(direct.headers['content-length'], String(Buffer.byteLength(direct.text)));
    assert.equal(wrapped.headers['transfer-encoding'], 'chunked');
  });

  it('writes status, multiple Set-Cookie headers and the body of any handler', async () => {
    const base = await serve(
      toNodeListener(async () => {
        const headers = new Headers({ 'X-Test': 'yes' });
        headers.append('Set-Cookie', 'a=1');
        headers.append('Set-Cookie', 'b=2');
        return new Response('created', { status: 201, headers });
      }),
    );
    const response = await fetch(base);
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-test'), 'yes');
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(await response.text(), 'created');
  });

  it('answers 500 without details when the handler throws, and logs no message', async () => {
    const logger = capturingLogger();
    const base = await serve(
      toNodeListener(async () => {
        throw new Error(`leaky ${API_KEY}`);
      }, { logger }),
    );
    const response = await fetch(base, { method: 'POST', body: 'x' });
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.equal(JSON.parse(text).error.code, 'internal-error');
    assert.ok(!text.includes('leaky'));
    assert.equal(logger.lines.length, 1);
    assert.ok(!logger.lines[0]!.includes(API_KEY));
  });
});
