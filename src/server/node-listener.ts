import type { IncomingMessage, ServerResponse } from 'node:http';
import { coreOf } from './handler-core.js';
import type { HandlerAnswer, HandlerInput } from './handler-core.js';
import { BodyError, bodyTimeout, checkDeclaredLength, tooLarge } from './http.js';
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

/** The methods a Web `Request` refuses; the Node path refuses them the same way. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

// The last scheme and Host seen and their origin: nearly every request repeats them, and a URL parse is
// a noticeable part of what a request costs here.
let lastAuthority = '';
let lastOrigin = '';

/**
 * The request's origin, from the `Host` header, `https` when the socket is TLS.
 *
 * @throws {TypeError} when the Host makes no URL.
 */
function requestOrigin(req: IncomingMessage): string {
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const host = req.headers.host ?? req.headers[':authority'] ?? 'localhost';
  const authority = `${encrypted ? 'https' : 'http'}://${Array.isArray(host) ? host[0] : host}`;
  if (authority !== lastAuthority) {
    lastOrigin = new URL(authority).origin;
    lastAuthority = authority;
  }
  return lastOrigin;
}

function requestTarget(req: ParsedRequest): string {
  return req.originalUrl ?? req.url ?? '/';
}

/**
 * The absolute request URL. The path is appended to the origin, never resolved against it: resolved,
 * `//evil.example/x` (or `/\evil.example`) would be a URL on another host, and the Origin check would
 * take that host for the handler's own. An absolute-form target (`GET http://host/path`) keeps the Host
 * header's origin too: only its path counts. After a valid origin, a path cannot make the parse fail.
 */
function requestUrl(req: ParsedRequest, origin: string): string {
  const target = requestTarget(req);
  if (target.startsWith('/')) return new URL(origin + target).href;
  const url = new URL(target, origin);
  return new URL(origin + url.pathname + url.search).href;
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

/**
 * Re-serialises a body that middleware already parsed: JSON, strings and buffers as they are. Bytes, so a
 * Web `Request` made from them adds no `Content-Type` of its own. `undefined` when there is nothing to send.
 */
function parsedBody(body: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (body === undefined || body === null) return undefined;
  if (body instanceof Uint8Array) return new Uint8Array(body);
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
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
  const url = requestUrl(req, requestOrigin(req));
  if (!hasBody) return new Request(url, { method, headers: requestHeaders(req, false) });
  // Middleware that parsed the body has consumed the stream; what it parsed is all there is.
  if (req.readableEnded) {
    const body = parsedBody(req.body);
    return new Request(url, { method, headers: requestHeaders(req, true), ...(body === undefined ? {} : { body }) });
  }
  return new Request(url, {
    method,
    headers: requestHeaders(req, false),
    body: requestStream(req),
    duplex: 'half',
  } as RequestInit);
}

/**
 * Reads a Node request's body, counting bytes as they arrive and within `timeoutMs` for all of it, as
 * `readBodyBytes` does for a Web one.
 */
function readNodeBody(req: IncomingMessage, declaredLength: string | null, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    checkDeclaredLength(declaredLength, maxBytes);
    // The answer (408, `Connection: close`) ends the connection; the rest is not waited for.
    const timer = setTimeout(() => {
      detach();
      reject(bodyTimeout(timeoutMs));
    }, timeoutMs);
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      total += bytes.byteLength;
      if (total > maxBytes) {
        detach();
        // Node discards the unread rest; destroying the request would also kill the socket the answer needs.
        req.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      detach();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    // `close` before `end`: the client went away or the request was destroyed. No `error` listener: with
    // none, Node destroys the request without emitting one, and `close` follows either way.
    const onClose = () => {
      detach();
      reject(new BodyError(400, 'invalid-body', 'The request body could not be read'));
    };
    const detach = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.resume();
  });
}

/**
 * A Node request as a handler core's input, answering what a Web `Request` made by `toRequest` would: the
 * same URL, the raw headers (repeated ones joined with `, `), a body already parsed by middleware.
 */
class NodeInput implements HandlerInput {
  readonly method: string;
  readonly clientAddress: string | undefined;
  readonly #req: ParsedRequest;
  readonly #origin: string;
  readonly #hasBody: boolean;
  readonly #bodyParsed: boolean;
  readonly #res: ServerResponse | undefined;
  #url: string | undefined;
  #request: Request | undefined;
  #signal: AbortSignal | undefined;

  /** @throws {TypeError} where `toRequest` would: a Host that makes no URL, a method a `Request` refuses. */
  constructor(req: ParsedRequest, res?: ServerResponse) {
    this.method = req.method ?? 'GET';
    this.#res = res;
    if (FORBIDDEN_METHODS.has(this.method.toUpperCase())) throw new TypeError(`${this.method} is not a request method`);
    this.#req = req;
    this.clientAddress = req.socket?.remoteAddress;
    this.#origin = requestOrigin(req);
    // Only an absolute-form target can make the URL fail after a valid origin: it is checked now, the
    // common path-only URL is built when first read.
    if (!requestTarget(req).startsWith('/')) this.#url = requestUrl(req, this.#origin);
    this.#hasBody = this.method !== 'GET' && this.method !== 'HEAD';
    // Middleware that parsed the body has consumed the stream; what it parsed is all there is.
    this.#bodyParsed = this.#hasBody && req.readableEnded;
  }

  get url(): string {
    this.#url ??= requestUrl(this.#req, this.#origin);
    return this.#url;
  }

  header(name: string): string | null {
    if (this.#bodyParsed && (name === 'content-length' || name === 'transfer-encoding')) return null;
    const raw = this.#req.rawHeaders;
    let value: string | null = null;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = raw[i]!;
      if (key.length === name.length && key.toLowerCase() === name) value = value === null ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
    }
    return value;
  }

  readBody(maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
    if (!this.#hasBody) return Promise.resolve(new Uint8Array(0));
    if (!this.#bodyParsed) return readNodeBody(this.#req, this.header('content-length'), maxBytes, timeoutMs);
    const bytes = parsedBody(this.#req.body) ?? new Uint8Array(0);
    return bytes.byteLength > maxBytes ? Promise.reject(tooLarge(maxBytes)) : Promise.resolve(bytes);
  }

  /** Made on first use (only a held request needs it): aborts when the response closes before it finished. */
  get signal(): AbortSignal | undefined {
    const res = this.#res;
    if (!res || this.#signal) return this.#signal;
    const controller = new AbortController();
    this.#signal = controller.signal;
    if (res.closed && !res.writableFinished) controller.abort();
    else {
      res.once('close', () => {
        if (!res.writableFinished) controller.abort();
      });
    }
    return this.#signal;
  }

  get request(): Request {
    this.#request ??= new Request(this.url, { method: this.method, headers: requestHeaders(this.#req, this.#bodyParsed) });
    return this.#request;
  }
}

function writeAnswer(answer: HandlerAnswer, res: ServerResponse, method: string): void {
  if (answer.body === null || method === 'HEAD') {
    res.writeHead(answer.status, answer.headers);
    res.end();
    return;
  }
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
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
 * Adapts a Web handler (`createSessionHandler`, `createStatusHandler`) to `(req, res)` for node:http and
 * Express (register it with `app.all`, so that the CORS preflight reaches it). For Fastify,
 * `fastifyRoutes` uses it from each route's `onRequest` hook, before Fastify reads the body.
 *
 * The URL comes from the `Host` header, `https` when the socket is TLS; with Express, `originalUrl` is
 * used so mounted routers see the full path. A body already parsed by middleware (`req.body` set and the
 * stream consumed) is re-serialised as JSON (strings and buffers as they are). A handler crash answers
 * 500 `internal-error` without details.
 *
 * The socket's remote address is the client address the session handler's `rateLimit` counts by (with
 * `trustProxy`, the last `X-Forwarded-For`); a host's wrapper gets a plain Web `Request`, which has none.
 *
 * The handlers of this package are served straight from the Node request, without Web `Request` and
 * `Response` objects (the same checks and answers, for less CPU); any other function, a host's wrapper
 * around them included, gets a Web `Request`.
 *
 * @returns a listener that never throws and always ends the response.
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const logger = options.logger ?? console;
  const core = coreOf(handler);
  const badRequest = (res: ServerResponse) => {
    res.statusCode = 400;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ error: { code: 'bad-request', message: 'The request could not be read' } }));
  };
  const fail = (res: ServerResponse, error: unknown) => {
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
  };

  if (core) {
    return (req, res) => {
      const method = req.method ?? 'GET';
      let input: HandlerInput;
      try {
        input = new NodeInput(req, res);
      } catch {
        badRequest(res);
        return;
      }
      core(input)
        .then((answer) => writeAnswer(answer, res, method))
        .catch((error: unknown) => fail(res, error));
    };
  }

  return (req, res) => {
    const method = req.method ?? 'GET';
    void (async () => {
      let request: Request;
      try {
        request = toRequest(req);
      } catch {
        badRequest(res);
        return;
      }
      const response = await handler(request);
      await writeResponse(response, res, method);
    })().catch((error: unknown) => fail(res, error));
  };
}
