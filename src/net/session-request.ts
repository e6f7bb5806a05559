import type { Locale } from '../locales.js';
import { fetchJson } from './fetch-json.js';

export interface SessionRequest {
  endpoint: string;
  locale: Locale;
  context: unknown;
  requestInit: RequestInit | undefined;
  timeoutMs: number;
  /** Aborts the request without an error: the caller went away. */
  signal: AbortSignal;
}

/**
 * POSTs `{ locale, context }` to the host's session endpoint. The answer is checked by `sessionOf`
 * (./session.ts), which comes with the session chunk: it loads while this request is in flight, so the
 * core file carries no schema and the start waits for nothing more.
 *
 * @returns the answer's body, parsed JSON, not yet checked.
 * @throws {FlowError} for every failure the element reports; a `DOMException` named `AbortError`
 *   when `signal` aborted (the caller is gone and wants no event).
 */
export function requestSession(request: SessionRequest): Promise<unknown> {
  const { endpoint, locale, context, requestInit, timeoutMs, signal } = request;
  return fetchJson(
    endpoint,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ locale, context }),
    },
    requestInit,
    timeoutMs,
    signal,
    {
      unreachable: 'session-request-failed',
      timeout: 'session-timeout',
      http: 'session-http-error',
      invalid: 'session-invalid-response',
    },
  );
}
