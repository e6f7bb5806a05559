/**
 * The handlers' cores: their whole logic, on a small request interface and a plain answer, so that
 * `toNodeListener` can serve a Node request without building Web `Request`/`Response` objects (which
 * cost more CPU than everything the handler checks). The public handlers wrap a core in a
 * `(request: Request) => Promise<Response>` and carry it under {@link HANDLER_CORE}.
 *
 * Internal: nothing here is exported from `biometric-flow/server`.
 *
 * @module
 */
import { readBodyBytes } from './http.js';

/** What a core reads of a request. Both sources (a Web `Request`, a Node request) give the same answers. */
export interface HandlerInput {
  /** The request method, as sent (`POST`). */
  readonly method: string;
  /** The absolute request URL. */
  readonly url: string;
  /** A header by lower-case name, repeated headers joined with `, ` (as `Headers.get`); `null` when absent. */
  header(name: string): string | null;
  /**
   * Reads the whole body, counting bytes as they arrive (see `readBodyBytes`), within `timeoutMs` for
   * all of it. Called at most once.
   *
   * @throws {BodyError} 413 `payload-too-large`, 408 `body-timeout`, or 400 `invalid-body` when the
   *   stream fails.
   */
  readBody(maxBytes: number, timeoutMs: number): Promise<Uint8Array>;
  /** The request as a Web `Request` for host callbacks; on the Node path it is built on first use, without a body. */
  readonly request: Request;
  /**
   * The peer's address (the TCP socket's remote address) where the runtime tells it: under
   * `toNodeListener`. A plain Web `Request` carries none.
   */
  readonly clientAddress?: string | undefined;
}

/** What a core answers: the status, the headers, and a text body (`null` for none). */
export interface HandlerAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** A handler's logic without Web `Request`/`Response` objects. */
export type HandlerCore = (input: HandlerInput) => Promise<HandlerAnswer>;

/**
 * The key under which a handler made by `createSessionHandler` or `createStatusHandler` carries its core
 * (non-enumerable). `Symbol.for`, so two copies of this package in one process still find each other's;
 * versioned, so that a copy whose `HandlerInput` differs does not (bump it when the interface changes).
 */
export const HANDLER_CORE = Symbol.for('biometric-flow.handler-core.v3');

type WebHandler = (request: Request) => Promise<Response>;

/** A Web request as a core's input. */
export function inputFromRequest(request: Request): HandlerInput {
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name),
    readBody: (maxBytes, timeoutMs) => readBodyBytes(request, maxBytes, timeoutMs),
    request,
  };
}

/** A core's answer as a Web `Response`. */
export function answerToResponse(answer: HandlerAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/**
 * Wraps a core in the public `(request: Request) => Promise<Response>` and attaches the core to it.
 *
 * @returns the Web handler.
 */
export function webHandler(core: HandlerCore): WebHandler {
  const handler: WebHandler = async (request) => answerToResponse(await core(inputFromRequest(request)));
  Object.defineProperty(handler, HANDLER_CORE, { value: core });
  return handler;
}

/**
 * The core of a handler made by this package, or `undefined` for any other function (a host's wrapper,
 * for example, which must see every request).
 *
 * @returns the core, when there is one.
 */
export function coreOf(handler: WebHandler): HandlerCore | undefined {
  const core = (handler as WebHandler & { [HANDLER_CORE]?: unknown })[HANDLER_CORE];
  return typeof core === 'function' ? (core as HandlerCore) : undefined;
}
