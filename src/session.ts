import { FlowError } from './errors.js';
import type { Session } from './events.js';
import type { Locale } from './locales.js';
import { sessionResponseSchema } from './schemas.js';

export interface SessionRequest {
  endpoint: string;
  locale: Locale;
  context: unknown;
  requestInit: RequestInit | undefined;
  timeoutMs: number;
  /** Aborts the request without an error: the caller went away. */
  signal: AbortSignal;
}

/** Headers of `requestInit` laid over ours, so a host can add or replace any of them. */
function mergeHeaders(own: Record<string, string>, extra: HeadersInit | undefined): Headers {
  const headers = new Headers(own);
  new Headers(extra).forEach((value, name) => headers.set(name, value));
  return headers;
}

/**
 * POSTs `{ locale, context }` to the host's session endpoint and validates the answer.
 *
 * @returns the session, once the endpoint answered with a valid one.
 * @throws {FlowError} for every failure the element reports; a `DOMException` named `AbortError`
 *   when `signal` aborted (the caller is gone and wants no event).
 */
export async function requestSession(request: SessionRequest): Promise<Session> {
  const { endpoint, locale, context, requestInit, timeoutMs, signal } = request;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const onAbort = () => timeout.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (requestInit?.signal) requestInit.signal.addEventListener('abort', onAbort, { once: true, signal });

  let response: Response;
  let text: string;
  try {
    response = await fetch(endpoint, {
      credentials: 'same-origin',
      ...requestInit,
      method: 'POST',
      headers: mergeHeaders({ 'content-type': 'application/json', accept: 'application/json' }, requestInit?.headers),
      body: JSON.stringify({ locale, context }),
      signal: timeout.signal,
    });
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw new DOMException('The start was abandoned', 'AbortError');
    if (requestInit?.signal?.aborted) {
      throw new FlowError('session-request-failed', 'The session request was aborted by requestInit.signal', {
        cause: requestInit.signal.reason,
      });
    }
    if (timeout.signal.aborted) {
      throw new FlowError('session-timeout', `The session endpoint did not answer within ${timeoutMs} ms`);
    }
    throw new FlowError('session-request-failed', 'The session endpoint could not be reached', { cause: error });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    requestInit?.signal?.removeEventListener('abort', onAbort);
  }

  if (!response.ok) {
    throw new FlowError('session-http-error', `The session endpoint answered HTTP ${response.status}`, {
      status: response.status,
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new FlowError('session-invalid-response', 'The session endpoint did not answer JSON', { cause: error });
  }
  const parsed = sessionResponseSchema.safeParse(body);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new FlowError('session-invalid-response', `The session endpoint's answer is not a valid session (${where})`, {
      cause: parsed.error,
    });
  }
  return { id: parsed.data.session_id, technologies: parsed.data.technologies };
}
