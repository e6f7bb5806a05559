// `fastifyRoutes` against a stand-in for Fastify's router (Fastify itself is not installed here): it
// matches method and path without the query, runs a route's `onRequest` hook before reading any body,
// and reads the body only when the hook calls `done`, as Fastify's lifecycle does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHandoffHandler, createSessionHandler, createStatusHandler, createWebhookHandler, fastifyRoutes } from '../../src/server/index.js';
import type { FastifyRouteLike } from '../../src/server/index.js';
import { API_KEY, SESSION_ID, TOKEN_SECRET, capturingLogger, startFakeVendor, tokenHeader } from './fake-vendor.js';
import type { FakeVendor } from './fake-vendor.js';

const WEBHOOK_TOKEN = 'fastify-webhook-token-' + 'q9'.repeat(8);

/** Fastify's routing and hook order, no more: enough to show what the routes depend on. */
function standInFastify() {
  const routes: FastifyRouteLike[] = [];
  const events: string[] = [];
  const match = (method: string, path: string) =>
    routes.find((route) => {
      if (!route.method.includes(method as never)) return false;
      const pattern = new RegExp(`^${route.url.replace(/:[a-z]+/g, '[^/]+')}$`);
      return pattern.test(path);
    });
  const server = createServer((raw: IncomingMessage, res: ServerResponse) => {
    const path = (raw.url ?? '/').split('?')[0]!;
    const route = match(raw.method ?? 'GET', path);
    if (!route) {
      res.statusCode = 404;
      res.end();
      return;
    }
    let hijacked = false;
    route.onRequest({ raw }, { raw: res, hijack: () => (hijacked = true) }, () => {
      // What Fastify does next: parse the body, then run the handler (unless the reply was hijacked).
      events.push('done called');
      raw.resume();
      if (!hijacked) route.handler();
    });
    events.push(hijacked ? 'hijacked' : 'not hijacked');
  });
  return { app: { route: (route: FastifyRouteLike) => routes.push(route) }, routes, events, server };
}

let vendor: FakeVendor;
let fastify: ReturnType<typeof standInFastify>;
let base: string;
const delivered: string[] = [];

before(async () => {
  vendor = await startFakeVendor();
  vendor.behave((request) =>
    request.url.pathname.includes('/result/')
      ? { json: { status: 'FINISHED', flow_session_result: true } }
      : { json: { session_id: SESSION_ID, technologies: ['LDHP'] } },
  );
  const common = { apiKey: API_KEY, apiBaseUrl: vendor.url, tokenSecret: TOKEN_SECRET, logger: capturingLogger() };
  fastify = standInFastify();
  fastifyRoutes(fastify.app, {
    session: createSessionHandler({ ...common, allowedOrigins: ['https://shop.example'] }),
    status: createStatusHandler(common),
    webhook: createWebhookHandler({
      apiKey: API_KEY,
      apiBaseUrl: vendor.url,
      pathToken: WEBHOOK_TOKEN,
      logger: capturingLogger(),
      onEvent: ({ event }) => {
        delivered.push(event.event);
      },
    }),
  });
  await new Promise<void>((resolve) => fastify.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => (fastify.server as Server).close(resolve));
  await vendor.close();
});

describe('fastifyRoutes', () => {
  it('registers the session, status and webhook routes under the default prefix, with their methods', () => {
    assert.deepEqual(
      fastify.routes.map((route) => `${route.method.join(',')} ${route.url}`),
      ['POST,OPTIONS /api/biometric/session', 'GET,OPTIONS /api/biometric/status', 'POST /api/biometric/webhook/:token'],
    );
    for (const route of fastify.routes) assert.equal(route.onRequest.length, 3, 'a callback hook, as Fastify wants it when it is not async');
  });

  it('creates a session from the onRequest hook, before a body parser, and never hands on to Fastify', async () => {
    fastify.events.length = 0;
    const response = await fetch(`${base}/api/biometric/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'https://shop.example' },
      body: JSON.stringify({ locale: 'en', context: { orderId: 7 } }),
    });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).session_id, SESSION_ID);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example');
    assert.deepEqual(fastify.events, ['hijacked']);
  });

  it('answers the CORS preflight of the session route', async () => {
    const response = await fetch(`${base}/api/biometric/session`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example');
  });

  it('serves the status route, whose URL carries a query', async () => {
    const response = await fetch(`${base}/api/biometric/status?session_id=${SESSION_ID}`, { headers: await tokenHeader() });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      session_id: SESSION_ID,
      status: 'FINISHED',
      result: { flow_session_result: true, failure_reasons: [] },
    });
  });

  it('serves the webhook at a URL ending with its path token', async () => {
    const event = { id: 'evt-1', event: 'flow.start', session_id: SESSION_ID, created: Math.floor(Date.now() / 1000), success: true, data: {} };
    const response = await fetch(`${base}/api/biometric/webhook/${WEBHOOK_TOKEN}`, { method: 'POST', body: JSON.stringify(event) });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(delivered, ['flow.start']);
    assert.equal((await fetch(`${base}/api/biometric/webhook/wrong-token`, { method: 'POST', body: '{}' })).status, 403);
  });

  it('registers the handoff route for the element\'s POST, the phone\'s GET and its confirmation', () => {
    const routes: FastifyRouteLike[] = [];
    fastifyRoutes({ route: (route) => routes.push(route) }, { handoff: createHandoffHandler({ tokenSecret: TOKEN_SECRET }) });
    assert.deepEqual(routes.map((route) => `${[route.method].flat().join(',')} ${route.url}`), ['GET,POST,OPTIONS /api/biometric/handoff']);
  });

  it('takes a prefix, registers only the handlers given, and refuses what is not a Fastify instance or a handler', () => {
    const routes: FastifyRouteLike[] = [];
    fastifyRoutes({ route: (route) => routes.push(route) }, { prefix: '/kyc/', status: createStatusHandler({ apiKey: API_KEY }) });
    assert.deepEqual(routes.map((route) => route.url), ['/kyc/status']);
    assert.throws(() => fastifyRoutes({} as never, {}), /Fastify instance/);
    assert.throws(() => fastifyRoutes({ route: () => undefined }, { session: 'handler' as never }), /session must be a handler function/);
    assert.throws(() => fastifyRoutes({ route: () => undefined }, { prefix: 'api' }), /prefix must start with/);
  });
});
