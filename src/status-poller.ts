import { FlowError } from './errors.js';
import { fetchJson } from './fetch-json.js';
import { parseFields, statusResponseShape, type StatusResponse } from './schemas.js';

/** Statuses that mean the flow ended. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['FINISHED', 'FAILED']);

/** A poll that has not answered by then is a failed poll; the next one is scheduled as usual. */
const STATUS_TIMEOUT_MS = 10_000;

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
  const code = 'status-request-failed';
  const body = await fetchJson(url, { method: 'GET', body: null, headers: { accept: 'application/json' } }, init, STATUS_TIMEOUT_MS, signal, {
    unreachable: code,
    timeout: code,
    http: code,
    invalid: code,
  });
  const parsed = parseFields(body, statusResponseShape);
  if (!parsed.success) throw new FlowError(code, `Not a valid status (${parsed.failed.join(', ')})`);
  if (parsed.data.session_id.toLowerCase() !== sessionId.toLowerCase()) {
    throw new FlowError(code, 'Not a status of this session');
  }
  return parsed.data;
}

/** Poll delays: 3 s, then ×1.5 each time, up to 15 s. */
export function nextPollDelay(previous: number | undefined): number {
  return previous === undefined ? 3_000 : Math.min(15_000, Math.round(previous * 1.5));
}
