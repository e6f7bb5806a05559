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
import type { HandlerAnswer, HandlerInput } from './handler-types.js';
import { readBodyBytes } from './http.js';

export type { HandlerAnswer, HandlerInput };

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
    signal: request.signal,
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
