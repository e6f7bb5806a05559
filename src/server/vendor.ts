/**
 * The two vendor calls (docs/vendor.md §1 and §5), as plain functions for hosts that build their own routes.
 * The handlers use them too.
 *
 * @module
 */
import { z } from 'zod';
import { environmentVariable } from './configuration.js';
import { InvalidMetadataError, VendorError, createRedactor, describeError } from './errors.js';
import { formatIssues, sessionIdSchema, sessionMetadataSchema, technologyCodeSchema } from './metadata.js';
import type { SessionMetadata } from './metadata.js';
import { readUpTo } from './http.js';
import { VENDOR_REASON_MESSAGES, vendorErrorText, vendorReasonCode } from './vendor-reasons.js';

/** The vendor's production API. */
export const DEFAULT_API_BASE_URL = 'https://kyc.biometric.kz';
/** The environment variable read when no `apiBaseUrl` is given (the emulator's URL in development). */
export const API_BASE_URL_VARIABLE = 'BIOMETRIC_API_BASE_URL';
/** Default time limit for one vendor call, in ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Largest session-create answer read, in bytes: a real one is a few hundred. */
export const MAX_CREATE_ANSWER_BYTES = 1 << 20;
/** Largest result answer read, in bytes: a result may carry photos, as base64. */
export const MAX_RESULT_ANSWER_BYTES = 32 << 20;

/** How to reach the vendor. */
export interface VendorOptions {
  /** The flow's API key. Secret: it never leaves the server and is redacted from every error. */
  apiKey: string;
  /**
   * Scheme and host (a path prefix is kept); the paths are appended. Default: env
   * `BIOMETRIC_API_BASE_URL` (the emulator's URL in development), else `https://kyc.biometric.kz`.
   */
  apiBaseUrl?: string;
  /** Time limit for the whole call, body included, in ms; default 10000. */
  timeoutMs?: number;
  /** The fetch to use; default `globalThis.fetch`, looked up at call time. */
  fetch?: typeof globalThis.fetch;
}

/** The vendor's answer to a session-create request, reduced to what the element needs. */
export interface CreatedSession {
  /** One-time session id (a UUID). */
  session_id: string;
  /** The flow's technologies, in order; unknown uppercase codes pass through. */
  technologies: string[];
}

/** Schema of the vendor's session-create answer; extra fields are dropped. */
export const createdSessionSchema = z.object({
  session_id: sessionIdSchema,
  technologies: z.array(technologyCodeSchema),
});

/**
 * Schema of a finished or running session's result. Only `status` is required: the rest of the shape is
 * known from third-party integrations only (docs/vendor.md §5) and passes through untouched.
 */
export const vendorSessionResultSchema = z.looseObject({
  status: z.string().min(1).max(64),
  flow_session_result: z.boolean().nullish(),
  flow_session_failure_reasons: z.array(z.unknown()).nullish(),
});

/** A session result as the vendor sends it. It holds personal data (IIN, photos, names): keep it server-side. */
export type VendorSessionResult = z.infer<typeof vendorSessionResultSchema>;

/** What `getSessionResult` resolves with. */
export type SessionResult =
  | { status: 'PENDING'; result?: undefined }
  | { status: string; result: VendorSessionResult };

/** Validated, normalised vendor options. */
export interface ResolvedVendorOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  fetch: typeof globalThis.fetch | undefined;
  redact: (text: string) => string;
}

/**
 * Checks `timeoutMs`, a programming error wherever it happens (the handlers check it at creation).
 *
 * @returns the timeout, default {@link DEFAULT_TIMEOUT_MS}.
 * @throws {TypeError} when it is not a positive number.
 */
export function checkTimeoutMs(value: number | undefined, caller: string): number {
  const timeoutMs = value ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError(`${caller}: timeoutMs must be a positive number`);
  return timeoutMs;
}

/**
 * Checks vendor options once; throws a `TypeError` (without the key) on a programming error or a wrong
 * setting. `apiBaseUrl` defaults to env `BIOMETRIC_API_BASE_URL`, read here: the handlers resolve on their
 * first request, so a wrong value is their configuration error.
 */
export function resolveVendorOptions(options: VendorOptions, caller: string): ResolvedVendorOptions {
  if (typeof options !== 'object' || options === null) {
    // `getSessionResult(key, id)`: the key where the options go.
    throw new TypeError(`${caller}: expected an options object ({ apiKey, apiBaseUrl?, ... }) as the first argument, got ${options === null ? 'null' : typeof options}`);
  }
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new TypeError(`${caller}: apiKey must be a non-empty string (the vendor's API key, e.g. from BIOMETRIC_API_KEY)`);
  }
  const fromEnvironment = options.apiBaseUrl === undefined ? environmentVariable(API_BASE_URL_VARIABLE) : undefined;
  const base = options.apiBaseUrl ?? fromEnvironment ?? DEFAULT_API_BASE_URL;
  const invalid = () =>
    new TypeError(`${caller}: apiBaseUrl${fromEnvironment === undefined ? '' : ` (from ${API_BASE_URL_VARIABLE})`} must be an absolute http(s) URL`);
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw invalid();
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid();
  const timeoutMs = checkTimeoutMs(options.timeoutMs, caller);
  return {
    apiKey: options.apiKey,
    baseUrl: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`,
    timeoutMs,
    fetch: options.fetch,
    redact: createRedactor(options.apiKey),
  };
}

interface VendorAnswer {
  status: number;
  text: string;
}

// A redirect is never followed: it would carry the key (in the body or the URL) to another place.
let redirectErrorSupported: boolean | undefined;

/**
 * How the vendor calls treat redirects. Where the runtime takes `redirect: 'error'` (Node, Deno, Bun; not
 * Cloudflare Workers), they use it with `window: null`: the Fetch standard then sends the request as it is,
 * where any other mode first copies it, body included, to be able to replay it after a redirect. That
 * copy was about a sixth of the CPU a session request costs on Node. Elsewhere, `'manual'`: a redirect
 * comes back as a non-2xx answer.
 */
function redirectMode(): Pick<RequestInit, 'redirect' | 'window'> {
  redirectErrorSupported ??= (() => {
    try {
      new Request('http://127.0.0.1/', { redirect: 'error', window: null });
      return true;
    } catch {
      return false;
    }
  })();
  return redirectErrorSupported ? { redirect: 'error', window: null } : { redirect: 'manual' };
}

/** Whether a failed fetch is the refusal of a redirect (`redirect: 'error'`), by its message or its cause's. */
function isRefusedRedirect(error: unknown): boolean {
  return error instanceof TypeError && /redirect/i.test(describeError(error));
}

/**
 * The answer's text, at most `maxBytes` of it. A `Content-Length` bounds what the HTTP client reads, so
 * such a body is read whole once its length is checked; one without (chunked) is counted as it arrives.
 *
 * @returns `undefined` when the answer is longer than `maxBytes` (the rest is not read).
 */
async function readAnswer(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = response.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > maxBytes) {
      await response.body?.cancel();
      return undefined;
    }
    return response.text();
  }
  const bytes = await readUpTo(response.body, maxBytes);
  return bytes && new TextDecoder().decode(bytes);
}

/**
 * One vendor call with a time limit over the whole exchange and a size limit on the answer; every
 * failure becomes a redacted `VendorError`.
 */
async function callVendor(
  options: ResolvedVendorOptions,
  url: string,
  init: RequestInit,
  maxAnswerBytes: number,
): Promise<VendorAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeout = () =>
    new VendorError('vendor-timeout', `The identity service did not answer within ${options.timeoutMs} ms`, { status: 504 });
  try {
    let response: Response;
    try {
      response = await fetchImpl(url, { ...init, ...redirectMode(), signal: controller.signal });
    } catch (error) {
      if (timedOut) throw timeout();
      if (isRefusedRedirect(error)) {
        throw new VendorError('vendor-error', 'The identity service answered with a redirect, which is not followed', {
          status: 502,
        });
      }
      throw new VendorError('vendor-unreachable', 'The identity service could not be reached', {
        status: 502,
        cause: new Error(options.redact(describeError(error))),
      });
    }
    let text: string | undefined;
    try {
      text = await readAnswer(response, maxAnswerBytes);
    } catch (error) {
      if (timedOut) throw timeout();
      throw new VendorError('vendor-unreachable', 'The identity service connection failed while answering', {
        status: 502,
        vendorStatus: response.status,
        cause: new Error(options.redact(describeError(error))),
      });
    }
    if (text === undefined) {
      throw new VendorError(
        'vendor-invalid-response',
        `The identity service's answer is longer than ${maxAnswerBytes} bytes`,
        { status: 502, vendorStatus: response.status },
      );
    }
    return { status: response.status, text };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A non-2xx answer as a `VendorError`: `vendor-error`, or the stable code of a known text (docs/vendor.md §6)
 * with a fixed message. The vendor's own text is kept in `vendorText` (redacted), for logs only.
 */
function vendorHttpError(answer: VendorAnswer, redact: (text: string) => string): VendorError {
  const raw = vendorErrorText(answer.text);
  const vendorText = raw === undefined ? undefined : redact(raw);
  const code = vendorReasonCode(vendorText);
  const message =
    code === 'vendor-error'
      ? `The identity service answered HTTP ${answer.status}`
      : `${VENDOR_REASON_MESSAGES[code]} (HTTP ${answer.status})`;
  return new VendorError(code, message, {
    status: 502,
    vendorStatus: answer.status,
    ...(vendorText === undefined ? {} : { vendorText }),
  });
}

function parseJson(answer: VendorAnswer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    throw new VendorError('vendor-invalid-response', 'The identity service answered something that is not JSON', {
      status: 502,
      vendorStatus: answer.status,
    });
  }
}

/**
 * Creates a vendor session: `POST <apiBaseUrl>/api/v1/flows/session/create/` with `{ api_key, metadata? }`.
 * The metadata is validated first.
 *
 * @returns the new session's id and technologies.
 * @throws {InvalidMetadataError} when `metadata` fails `sessionMetadataSchema` (nothing is sent).
 * @throws {VendorError} `vendor-timeout` (504), `vendor-unreachable`, `vendor-error` (non-2xx, with
 *   `vendorStatus`; a redirect, never followed, without it where fetch refuses it itself), the stable code
 *   of a known vendor error text (`invalid-iin`, `subject-not-found`... see `VENDOR_REASON_CODES`; 502
 *   with `vendorStatus` and `vendorText`) or `vendor-invalid-response` (502).
 */
export async function createSession(options: VendorOptions, metadata?: SessionMetadata): Promise<CreatedSession> {
  return createSessionWith(resolveVendorOptions(options, 'createSession'), metadata);
}

/** `createSession` with options already resolved (the handlers resolve theirs once). */
export async function createSessionWith(resolved: ResolvedVendorOptions, metadata?: SessionMetadata): Promise<CreatedSession> {
  let body: { api_key: string; metadata?: SessionMetadata } = { api_key: resolved.apiKey };
  if (metadata !== undefined) {
    const parsed = sessionMetadataSchema.safeParse(metadata);
    if (!parsed.success) throw new InvalidMetadataError(formatIssues(parsed.error));
    body = { ...body, metadata: parsed.data };
  }
  const answer = await callVendor(
    resolved,
    `${resolved.baseUrl}/api/v1/flows/session/create/`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    },
    MAX_CREATE_ANSWER_BYTES,
  );
  if (answer.status < 200 || answer.status > 299) throw vendorHttpError(answer, resolved.redact);
  const parsed = createdSessionSchema.safeParse(parseJson(answer));
  if (!parsed.success) {
    throw new VendorError(
      'vendor-invalid-response',
      `The identity service's session answer is invalid at ${formatIssues(parsed.error).map((issue) => issue.path || '(root)').join(', ')}`,
      { status: 502, vendorStatus: answer.status },
    );
  }
  return { session_id: parsed.data.session_id, technologies: parsed.data.technologies };
}

/**
 * Reads a session's result: `GET <apiBaseUrl>/api/v1/flows/session/result/?session_id=<id>&flow_api_key=<key>`.
 * The vendor answers `{}` while the result is being processed; that resolves as `{ status: 'PENDING' }`.
 *
 * @returns the vendor's status and full result (personal data: do not send it to a browser as is).
 * @throws {TypeError} when `sessionId` is not a UUID (nothing is sent).
 * @throws {VendorError} `session-not-found` (vendor 404), else as `createSession`.
 */
export async function getSessionResult(options: VendorOptions, sessionId: string): Promise<SessionResult> {
  return getSessionResultWith(resolveVendorOptions(options, 'getSessionResult'), sessionId);
}

/** `getSessionResult` with options already resolved. */
export async function getSessionResultWith(resolved: ResolvedVendorOptions, sessionId: string): Promise<SessionResult> {
  if (!sessionIdSchema.safeParse(sessionId).success) throw new TypeError('getSessionResult: sessionId must be a UUID');
  const query = new URLSearchParams({ session_id: sessionId, flow_api_key: resolved.apiKey });
  const answer = await callVendor(
    resolved,
    `${resolved.baseUrl}/api/v1/flows/session/result/?${query}`,
    { method: 'GET', headers: { Accept: 'application/json' } },
    MAX_RESULT_ANSWER_BYTES,
  );
  if (answer.status === 404) {
    throw new VendorError('session-not-found', 'The identity service does not know this session', {
      status: 404,
      vendorStatus: 404,
    });
  }
  if (answer.status < 200 || answer.status > 299) throw vendorHttpError(answer, resolved.redact);
  const json = parseJson(answer);
  // A result may be tens of megabytes: the text goes as soon as it is parsed, not when this call returns.
  answer.text = '';
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && Object.keys(json).length === 0) {
    return { status: 'PENDING' };
  }
  const parsed = vendorSessionResultSchema.safeParse(json);
  if (!parsed.success) {
    throw new VendorError('vendor-invalid-response', "The identity service's result answer has no valid status", {
      status: 502,
      vendorStatus: answer.status,
    });
  }
  return { status: parsed.data.status, result: parsed.data };
}
