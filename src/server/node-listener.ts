import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './http.js';

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /** Where a handler crash is reported; default `console`. */
  logger?: Logger;
}

/** What Express (or any body-parsing middleware) adds to a request. */
interface ParsedRequest extends IncomingMessage {
  body?: unknown;
  originalUrl?: string;
}

function requestUrl(req: ParsedRequest): string {
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const host = req.headers.host ?? req.headers[':authority'] ?? 'localhost';
  const base = new URL(`${encrypted ? 'https' : 'http'}://${Array.isArray(host) ? host[0] : host}`);
  const target = req.originalUrl ?? req.url ?? '/';
  // An absolute-form target (`GET http://host/path`) keeps the Host header's origin: only its path counts.
  const path = target.startsWith('/') ? target : (() => {
    const url = new URL(target, base);
    return url.pathname + url.search;
  })();
  return new URL(path, base).href;
}

function requestHeaders(req: IncomingMessage, dropLength: boolean): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.startsWith(':')) continue;
    if (dropLength && /^(content-length|transfer-encoding)$/i.test(name)) continue;
    headers.append(name, raw[i + 1]!);
  }
  return headers;
}

/** Re-serialises a body that middleware already parsed; `undefined` when there is nothing to send. */
function parsedBody(body: unknown): BodyInit | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new Uint8Array(body);
  return JSON.stringify(body);
}

/** A Web stream over the request, pausing it when the consumer is behind. Cancelling leaves the socket alone. */
function requestStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let detach = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const onData = (chunk: Buffer | string) => {
        controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      };
      const onEnd = () => {
        detach();
        controller.close();
      };
      const onError = (error: Error) => {
        detach();
        controller.error(error);
      };
      detach = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
    },
    pull() {
      req.resume();
    },
    cancel() {
      // Node discards the unread rest; destroying the request would also kill the socket the answer needs.
      detach();
      req.resume();
    },
  });
}

/** Builds a Web `Request` from a Node request, honouring a body that middleware already read. */
function toRequest(req: ParsedRequest): Request {
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  if (!hasBody) return new Request(requestUrl(req), { method, headers: requestHeaders(req, false) });
  // Middleware that parsed the body has consumed the stream; what it parsed is all there is.
  if (req.readableEnded) {
    const body = parsedBody(req.body);
    return new Request(requestUrl(req), { method, headers: requestHeaders(req, true), ...(body === undefined ? {} : { body }) });
  }
  return new Request(requestUrl(req), {
    method,
    headers: requestHeaders(req, false),
    body: requestStream(req),
    duplex: 'half',
  } as RequestInit);
}

async function writeResponse(response: Response, res: ServerResponse, method: string): Promise<void> {
  res.statusCode = response.status;
  const cookies = response.headers.getSetCookie();
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (response.body === null || method === 'HEAD') {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve));
  }
  res.end();
}

/**
 * Adapts a Web handler (`createSessionHandler`, `createStatusHandler`) to `(req, res)` for node:http,
 * Express and Fastify (`reply.hijack()` then `listener(request.raw, reply.raw)` from an `onRequest`
 * hook, before Fastify reads the body).
 *
 * The URL comes from the `Host` header, `https` when the socket is TLS; with Express, `originalUrl` is
 * used so mounted routers see the full path. A body already parsed by middleware (`req.body` set and the
 * stream consumed) is re-serialised as JSON (strings and buffers as they are). A handler crash answers
 * 500 `internal-error` without details.
 *
 * @returns a listener that never throws and always ends the response.
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const logger = options.logger ?? console;
  return (req, res) => {
    const method = req.method ?? 'GET';
    void (async () => {
      let request: Request;
      try {
        request = toRequest(req);
      } catch {
        res.statusCode = 400;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ error: { code: 'bad-request', message: 'The request could not be read' } }));
        return;
      }
      const response = await handler(request);
      await writeResponse(response, res, method);
    })().catch((error: unknown) => {
      // Only the error's type reaches the log: a host handler's message could carry anything.
      logger.error(`[biometric-flow] handler failed: ${error instanceof Error ? error.name : typeof error}`);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Cache-Control', 'no-store');
        res.end(JSON.stringify({ error: { code: 'internal-error', message: 'Internal error' } }));
      } else {
        res.destroy();
      }
    });
  };
}
