import { FlowError } from './errors.js';
import { statusResponseSchema, type StatusResponse } from './schemas.js';

/** Statuses that mean the flow ended. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['FINISHED', 'FAILED']);

/**
 * Asks the host's status endpoint about a session.
 *
 * @returns the validated answer.
 * @throws {FlowError} `status-request-failed` for a network error, a non-2xx answer or an invalid body;
 *   an `AbortError` when `signal` aborted.
 */
export async function fetchStatus(
  endpoint: string,
  sessionId: string,
  init: RequestInit | undefined,
  signal: AbortSignal,
): Promise<StatusResponse> {
  const url = new URL(endpoint, document.baseURI);
  url.searchParams.set('session_id', sessionId);
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      ...init,
      method: 'GET',
      body: undefined,
      headers: { ...Object.fromEntries(new Headers(init?.headers)), accept: 'application/json' },
      signal,
    });
    body = response.ok ? await response.json() : undefined;
  } catch (error) {
    if (signal.aborted) throw new DOMException('The flow ended', 'AbortError');
    throw new FlowError('status-request-failed', 'The status endpoint could not be reached', { cause: error });
  }
  if (!response.ok) {
    throw new FlowError('status-request-failed', `The status endpoint answered HTTP ${response.status}`, {
      status: response.status,
    });
  }
  const parsed = statusResponseSchema.safeParse(body);
  if (!parsed.success || parsed.data.session_id.toLowerCase() !== sessionId.toLowerCase()) {
    throw new FlowError('status-request-failed', 'The status endpoint did not answer a status for this session', {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Poll delays: 3 s, then ×1.5 each time, up to 15 s. */
export function nextPollDelay(previous: number | undefined): number {
  return previous === undefined ? 3_000 : Math.min(15_000, Math.round(previous * 1.5));
}
