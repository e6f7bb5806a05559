import type { Session } from '../events.js';
import { fetchJson } from './fetch-json.js';

/** The header that carries the session's status token. */
export const STATUS_TOKEN_HEADER = 'Biometric-Status-Token';

/** A poll that has not answered by then is a failed poll; the next one is scheduled as usual. */
const STATUS_TIMEOUT_MS = 10_000;

/**
 * Asks the host's status endpoint about a session, with its status token (if any) in a header: never in
 * the URL, where logs and referrers would keep it. With `waitSeconds`, the endpoint may hold the request
 * until the status is final or that time has passed (its long poll; an endpoint that does not know
 * `wait` answers at once). The answer is checked by `statusOf` (src/status-poller.ts, in the session
 * chunk); the request stays in the core, beside the session request, so that the chunk imports no
 * module that loads chunks.
 *
 * @returns the answer's body, parsed JSON, not yet checked.
 * @throws {FlowError} `status-request-failed` for a network error or a non-2xx answer; an `AbortError`
 *   when `signal` aborted.
 */
export function requestStatus(
  endpoint: string,
  session: Session,
  init: RequestInit | undefined,
  signal: AbortSignal,
  waitSeconds?: number,
): Promise<unknown> {
  const url = new URL(endpoint, document.baseURI);
  url.searchParams.set('session_id', session.id);
  if (waitSeconds) url.searchParams.set('wait', String(waitSeconds));
  const code = 'status-request-failed';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session.statusToken !== undefined) headers[STATUS_TOKEN_HEADER] = session.statusToken;
  return fetchJson(url, { method: 'GET', body: null, headers }, init, STATUS_TIMEOUT_MS + (waitSeconds ?? 0) * 1000, signal, {
    unreachable: code,
    timeout: code,
    http: code,
    invalid: code,
  });
}
