import { FlowError, type FlowErrorCode } from '../errors.js';
import { lazy } from '../lazy.js';

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
 * @throws {FlowError} with one of `codes` (an HTTP error with the host's `error.code` as `serverCode`); a `DOMException` named `AbortError` when `signal` aborted (the
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
  const failed = (error: unknown): Error => {
    if (signal.aborted) return new DOMException('abandoned', 'AbortError');
    if (timeout.aborted) return new FlowError(codes.timeout, `No answer from ${url} within ${timeoutMs} ms`);
    return new FlowError(codes.unreachable, `${url} could not be reached`, { cause: error });
  };
  let response: Response;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      ...init,
      ...ours,
      headers,
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    throw failed(error);
  }
  if (!response.ok) {
    // Read by the deferred module, which the error view needs next anyway; without it, no serverCode.
    const deferred = await lazy('deferred').catch(() => void response.body?.cancel().catch(() => {}));
    const serverCode = await deferred?.errorCode(response);
    if (signal.aborted) throw failed(undefined);
    throw new FlowError(codes.http, `${url} answered HTTP ${response.status}`, {
      status: response.status,
      serverCode,
      retryable: deferred?.retryable(serverCode),
    });
  }
  try {
    // json() reads and parses in one step: a body that is not JSON rejects with a SyntaxError (in WebKit a
    // DOMException of that name, not the JS error), a body that breaks off (or is aborted) with something else.
    return (await response.json()) as unknown;
  } catch (error) {
    if ((error as Error | null)?.name === 'SyntaxError' && !signal.aborted && !timeout.aborted) {
      throw new FlowError(codes.invalid, `${url} did not answer JSON`, { cause: error });
    }
    throw failed(error);
  }
}
