/**
 * Fastify routes for the handlers, typed by shape: this package does not depend on Fastify.
 *
 * Why not a plain route handler: Fastify reads and parses a body before the route handler runs, and the
 * handlers must read it themselves (size limits, depth, content type). So each route answers from its
 * own `onRequest` hook, which runs before any body is read: `reply.hijack()`, then the Node listener on
 * the raw request. The router matches paths without the query, so `GET /status?session_id=…` is found
 * (a global hook that compares `request.url` misses it).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './http.js';
import { toNodeListener } from './node-listener.js';
import type { WebhookHandler } from './webhook-handler.js';

/** The methods `fastifyRoutes` registers. */
export type FastifyRouteMethod = 'GET' | 'POST' | 'OPTIONS';

/** The part of Fastify's `request` the routes use. */
export interface FastifyRequestLike {
  /** The Node request, body unread. */
  raw: IncomingMessage;
}

/** The part of Fastify's `reply` the routes use. */
export interface FastifyReplyLike {
  /** The Node response. */
  raw: ServerResponse;
  /** Tells Fastify that the route answers on its own. */
  hijack(): unknown;
}

/** A route as `fastifyRoutes` registers it, in the form Fastify's `route()` takes. */
export interface FastifyRouteLike {
  method: FastifyRouteMethod[];
  url: string;
  onRequest: (request: FastifyRequestLike, reply: FastifyReplyLike, done: (error?: Error) => void) => void;
  handler: () => void;
}

/** The part of a Fastify instance `fastifyRoutes` uses: its `route()` method. */
export interface FastifyLike {
  route(route: FastifyRouteLike): unknown;
}

/** Options of {@link fastifyRoutes}. */
export interface FastifyRoutesOptions {
  /** Where the routes go: `<prefix>/session`, `<prefix>/status`, `<prefix>/handoff`, `<prefix>/webhook/:token`. Default `/api/biometric`. */
  prefix?: string;
  /** A `createSessionHandler` handler: `POST` and `OPTIONS <prefix>/session`. */
  session?: (request: Request) => Promise<Response>;
  /** A `createStatusHandler` handler: `GET` and `OPTIONS <prefix>/status`. */
  status?: (request: Request) => Promise<Response>;
  /**
   * A `createHandoffHandler` handler: `GET`, `POST` and `OPTIONS <prefix>/handoff` (the element's POST,
   * the phone's page and its confirmation).
   */
  handoff?: (request: Request) => Promise<Response>;
  /**
   * A `createWebhookHandler` handler: `POST <prefix>/webhook/:token` (the URL ends with its `pathToken`).
   * Its client address comes from `X-Forwarded-For` with `trustProxy`, as under `toNodeListener`.
   */
  webhook?: WebhookHandler;
  /** Where a handler crash is reported (see `toNodeListener`); default `console`. */
  logger?: Logger;
}

/**
 * Registers the handlers as Fastify routes (Fastify 4 and 5). Each answers from a route-level `onRequest`
 * hook, before Fastify reads the body, and the handler answers every method it is registered for, CORS
 * preflights (`OPTIONS`) included.
 *
 * ```ts
 * fastifyRoutes(app, { session, status });   // POST /api/biometric/session, GET /api/biometric/status
 * ```
 *
 * @throws {TypeError} when `app` has no `route` method, a handler is not a function, or `prefix` does not
 *   start with `/`.
 */
export function fastifyRoutes(app: FastifyLike, options: FastifyRoutesOptions): void {
  if (typeof app?.route !== 'function') throw new TypeError('fastifyRoutes: the first argument must be a Fastify instance');
  const prefix = (options.prefix ?? '/api/biometric').replace(/\/+$/, '');
  if (prefix !== '' && !prefix.startsWith('/')) throw new TypeError('fastifyRoutes: prefix must start with "/"');
  const routes: [string, FastifyRouteMethod[], ((request: Request) => Promise<Response>) | undefined][] = [
    ['session', ['POST', 'OPTIONS'], options.session],
    ['status', ['GET', 'OPTIONS'], options.status],
    ['handoff', ['GET', 'POST', 'OPTIONS'], options.handoff],
    ['webhook/:token', ['POST'], options.webhook],
  ];
  for (const [path, method, handler] of routes) {
    if (handler === undefined) continue;
    if (typeof handler !== 'function') throw new TypeError(`fastifyRoutes: ${path.split('/')[0]} must be a handler function`);
    const listener = toNodeListener(handler, options.logger === undefined ? {} : { logger: options.logger });
    app.route({
      method,
      url: `${prefix}/${path}`,
      // Three parameters and not async: Fastify then waits for `done`, which a hijacked reply never needs.
      onRequest: (request, reply, _done) => {
        reply.hijack();
        listener(request.raw, reply.raw);
      },
      handler: () => undefined,
    });
  }
}
