import { VendorError, createRedactor, describeError } from './errors.js';
import { webHandler } from './handler-core.js';
import type { HandlerAnswer, HandlerInput } from './handler-core.js';
import {
  corsHeaders,
  createOriginPolicy,
  errorAnswer,
  forbiddenOrigin,
  jsonAnswer,
  methodNotAllowed,
  preflightAnswer,
  vendorErrorAnswer,
} from './http.js';
import type { Logger, OriginOptions } from './http.js';
import { sessionIdSchema } from './metadata.js';
import { getSessionResultWith, resolveVendorOptions } from './vendor.js';
import type { VendorOptions, VendorSessionResult } from './vendor.js';

/** Options of {@link createStatusHandler}. */
export interface StatusHandlerOptions extends VendorOptions, OriginOptions {
  /**
   * Chooses what of the vendor's result the browser sees (JSON-able; `undefined` omits `result`). The
   * vendor's result holds personal data, so the default is only {@link summarizeResult}'s
   * `{ flow_session_result, flow_session_failure_reasons }`. Not called while the result is pending.
   */
  mapResult?: (result: VendorSessionResult) => unknown;
  /** Where problems are reported (redacted); default `console`. */
  logger?: Logger;
}

/** The status answer: `status` is the vendor's (`FINISHED`, `FAILED`, `PROGRESS`, ...) or `PENDING`. */
export interface StatusAnswer {
  /** The session asked about. */
  session_id: string;
  /** The vendor's status string, or `PENDING` while the vendor answers `{}`. */
  status: string;
  /** What `mapResult` made of the vendor's result; absent while pending. */
  result?: unknown;
}

/**
 * The default, privacy-preserving view of a result: the verdict and failure reasons, nothing personal.
 *
 * @returns `{ flow_session_result?, flow_session_failure_reasons? }`, each only when the vendor sent it.
 */
export function summarizeResult(result: VendorSessionResult): {
  flow_session_result?: boolean;
  flow_session_failure_reasons?: unknown[];
} {
  const summary: { flow_session_result?: boolean; flow_session_failure_reasons?: unknown[] } = {};
  if (typeof result.flow_session_result === 'boolean') summary.flow_session_result = result.flow_session_result;
  if (Array.isArray(result.flow_session_failure_reasons)) {
    summary.flow_session_failure_reasons = result.flow_session_failure_reasons;
  }
  return summary;
}

const ALLOWED_METHODS = 'GET, OPTIONS';

/**
 * Creates the endpoint the element's `status-endpoint` points at: `GET ?session_id=<uuid>` →
 * `200 { session_id, status, result? }` (`Cache-Control: no-store`).
 *
 * A session id is a bearer capability here: whoever knows it can ask. Wrap the handler with your own
 * authorisation if that is not enough, and keep `mapResult` minimal.
 *
 * Errors: missing or non-UUID `session_id` → 400 `invalid-session-id`; vendor 404 → 404
 * `session-not-found`; otherwise as `createSessionHandler` (403, 405, 502, 504).
 *
 * @returns a `(request: Request) => Promise<Response>`.
 * @throws {TypeError} at creation, for a missing key or malformed options.
 */
export function createStatusHandler(options: StatusHandlerOptions): (request: Request) => Promise<Response> {
  const vendor = resolveVendorOptions(options, 'createStatusHandler');
  const originPolicy = createOriginPolicy(options, 'createStatusHandler');
  const logger = options.logger ?? console;
  const redact = createRedactor(options.apiKey);
  const mapResult = options.mapResult ?? summarizeResult;

  return webHandler(async (input: HandlerInput): Promise<HandlerAnswer> => {
    const decision = originPolicy(input);
    if (decision.kind === 'forbidden') return forbiddenOrigin();
    if (input.method === 'OPTIONS') return preflightAnswer(decision, input, ALLOWED_METHODS);
    const cors = corsHeaders(decision);
    if (input.method !== 'GET') return methodNotAllowed(ALLOWED_METHODS, cors);

    const sessionId = new URL(input.url).searchParams.get('session_id');
    if (sessionId === null || !sessionIdSchema.safeParse(sessionId).success) {
      return errorAnswer(
        400,
        {
          code: 'invalid-session-id',
          message: 'session_id must be a UUID',
          issues: [{ path: 'session_id', message: sessionId === null ? 'Required' : 'Expected a UUID session id' }],
        },
        cors,
      );
    }

    try {
      const outcome = await getSessionResultWith(vendor, sessionId);
      const answer: StatusAnswer = { session_id: sessionId, status: outcome.status };
      if (outcome.result !== undefined) {
        const result = mapResult(outcome.result);
        if (result !== undefined) answer.result = result;
      }
      return jsonAnswer(200, answer, cors);
    } catch (error) {
      if (error instanceof VendorError) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        if (error.code !== 'session-not-found') {
          logger.warn(redact(`[biometric-flow] session result failed: ${error.code}: ${error.message}${cause}`));
        }
        return vendorErrorAnswer(error, cors);
      }
      logger.error(`[biometric-flow] session result failed unexpectedly: ${redact(describeError(error))}`);
      return errorAnswer(500, { code: 'internal-error', message: 'The session status could not be read' }, cors);
    }
  });
}
