import { FlowError } from '../errors.js';
import type { Session } from '../events.js';
import { fetchJson } from './fetch-json.js';
import type { Locale } from '../locales.js';
import { parseFields, sessionResponseShape } from '../schemas.js';

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
 * POSTs `{ locale, context }` to the host's session endpoint and validates the answer, `status_token`
 * included when there is one.
 *
 * @returns the session, once the endpoint answered with a valid one.
 * @throws {FlowError} for every failure the element reports; a `DOMException` named `AbortError`
 *   when `signal` aborted (the caller is gone and wants no event).
 */
export async function requestSession(request: SessionRequest): Promise<Session> {
  const { endpoint, locale, context, requestInit, timeoutMs, signal } = request;
  const body = await fetchJson(
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
  return sessionOf(body);
}

/**
 * A session from the fields of a session answer, checked as the endpoint's answer is: also for a
 * session the page gives with `session-id` and `status-token`.
 *
 * @throws {FlowError} `session-invalid-response`, naming the fields that failed.
 */
export function sessionOf(fields: unknown): Session {
  const parsed = parseFields(fields, sessionResponseShape);
  if (!parsed.success) throw new FlowError('session-invalid-response', `Not a valid session (${parsed.failed.join(', ')})`);
  const { session_id: id, technologies, status_token: statusToken, expires_at: expiresAt } = parsed.data;
  const session: { id: string; technologies: readonly string[]; statusToken?: string; expiresAt?: string } = { id, technologies };
  if (statusToken !== undefined) session.statusToken = statusToken;
  // Not checked here: only `resume` reads it, and takes a date that does not parse for none.
  if (typeof expiresAt === 'string') session.expiresAt = expiresAt;
  return session;
}
