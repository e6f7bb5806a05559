import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionHandler, createStatusHandler, toNodeListener } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, capturingLogger, startFakeVendor } from './fake-vendor.js';
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

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const sessionHandler = (maxBodyBytes?: number) =>
  createSessionHandler({
    apiKey: API_KEY,
    apiBaseUrl: vendor.url,
    logger: capturingLogger(),
    ...(maxBodyBytes ? { maxBodyBytes } : {}),
    metadata: ({ context, request }) => {
      seen.push({ context, url: request.url });
      return undefined;
    },
  });
let seen: { context: unknown; url: string }[] = [];

describe('toNodeListener', () => {
  it('serves a POST with a JSON body through node:http, same-origin check included', async () => {
    seen = [];
    const base = await serve(toNodeListener(sessionHandler()));
    const response = await fetch(`${base}/api/session?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: base },
      body: JSON.stringify({ locale: 'ru', context: { cart: [1, 2] } }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), { session_id: SESSION_ID, technologies: ['LDHP', 'F2F'] });
    assert.deepEqual(seen, [{ context: { cart: [1, 2] }, url: `${base}/api/session?x=1` }]);
    const foreign = await fetch(`${base}/api/session`, { method: 'POST', headers: { Origin: 'https://evil.example' }, body: '{}' });
    assert.equal(foreign.status, 403);
  });

  it('answers 413 to a chunked upload that grows past the limit and still delivers the answer', async () => {
    const base = await serve(toNodeListener(sessionHandler(1024)));
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

  it('re-serialises a body that Express-style middleware already parsed', async () => {
    seen = [];
    const listener = toNodeListener(sessionHandler());
    const base = await serve((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        Object.assign(req, { body: JSON.parse(Buffer.concat(chunks).toString('utf8')), originalUrl: '/mounted/session' });
        listener(req, res);
      });
    });
    const response = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ context: { parsed: true } }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(seen, [{ context: { parsed: true }, url: `${base}/mounted/session` }]);
  });

  it('serves GET through the status handler', async () => {
    vendor.behave({ json: { status: 'FINISHED', flow_session_result: true } });
    const base = await serve(toNodeListener(createStatusHandler({ apiKey: API_KEY, apiBaseUrl: vendor.url, logger: capturingLogger() })));
    const response = await fetch(`${base}/status?session_id=${SESSION_ID}`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { session_id: SESSION_ID, status: 'FINISHED', result: { flow_session_result: true } });
    vendor.behave({ json: { session_id: SESSION_ID, technologies: ['LDHP', 'F2F'] } });
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
