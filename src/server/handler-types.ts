/**
 * What a handler's core reads of a request and what it answers (see handler-core.ts): types only, so that
 * the request helpers (http.ts) and the cores that use them name them without importing each other.
 *
 * @module
 */
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
  /**
   * Aborts when the client went away before the answer (a Web `Request`'s own `signal`; under
   * `toNodeListener`, the response closing unfinished): a request the status handler holds open ends then.
   */
  readonly signal?: AbortSignal | undefined;
}

/** What a core answers: the status, the headers, and a text body (`null` for none). */
export interface HandlerAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}
