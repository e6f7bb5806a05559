import { FlowError, type FlowErrorCode } from './errors.js';

/** The codes a failed request is reported with. */
export interface FailureCodes {
  unreachable: FlowErrorCode;
  timeout: FlowErrorCode;
  http: FlowErrorCode;
  invalid: FlowErrorCode;
}

/**
 * Fetches JSON from a host endpoint with `init` (the host's `requestInit`) laid over ours, headers merged.
 *
 * @returns the parsed body of a 2xx answer.
 * @throws {FlowError} with one of `codes`; a `DOMException` named `AbortError` when `signal` aborted (the
 *   caller is gone and wants no event).
 */
export async function fetchJson(
  url: string | URL,
  ours: RequestInit,
  init: RequestInit | undefined,
  timeoutMs: number,
  signal: AbortSignal,
  codes: FailureCodes,
): Promise<unknown> {
  const timeout = AbortSignal.timeout(timeoutMs);
  // Merged only when the host gives headers of its own: two Headers objects per request are measurable
  // on the way to the session request.
  let headers = ours.headers;
  if (init?.headers !== undefined) {
    const merged = new Headers(ours.headers);
    new Headers(init.headers).forEach((value, name) => merged.set(name, value));
    headers = merged;
  }
  const signals = [signal, timeout, init?.signal].filter((s): s is AbortSignal => !!s);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      ...init,
      ...ours,
      headers,
      signal: AbortSignal.any(signals),
    });
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw new DOMException('abandoned', 'AbortError');
    if (timeout.aborted) throw new FlowError(codes.timeout, `No answer from ${url} within ${timeoutMs} ms`);
    throw new FlowError(codes.unreachable, `${url} could not be reached`, { cause: error });
  }
  if (!response.ok) {
    throw new FlowError(codes.http, `${url} answered HTTP ${response.status}`, { status: response.status });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FlowError(codes.invalid, `${url} did not answer JSON`, { cause: error });
  }
}
