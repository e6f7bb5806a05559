/** Every `flow-error` code. New codes may be added; existing ones keep their meaning. */
export type FlowErrorCode =
  | 'missing-endpoint'
  | 'api-key-exposed'
  | 'insecure-context'
  | 'session-request-failed'
  | 'session-http-error'
  | 'session-timeout'
  | 'session-invalid-response'
  | 'flow-url-invalid'
  | 'popup-blocked'
  | 'popup-severed'
  | 'session-expired'
  | 'camera-blocked-by-policy'
  | 'status-request-failed'
  /** The handoff endpoint gave no link (network, HTTP error, invalid answer); the handoff view offers a new try. */
  | 'handoff-request-failed'
  /** The page's Content-Security-Policy (`frame-src`) refuses frames of the flow's origin (`flow-base-url`). */
  | 'flow-blocked-by-policy'
  /** A split-off file (`biometric-flow-session.js`, `-deferred.js`, `-handoff.js`, `-handoff-view.js`) did not load. */
  | 'chunk-load-failed';

/** Codes worth a "try again": the same start may succeed a moment later. */
const RETRYABLE: ReadonlySet<FlowErrorCode> = new Set<FlowErrorCode>([
  'session-request-failed',
  'session-timeout',
  'status-request-failed',
  'popup-blocked',
  'session-expired',
]);

/**
 * An error the element reports through `flow-error`. It is never thrown at the host: internal code
 * throws it and the element turns it into an event.
 */
export class FlowError extends Error {
  readonly code: FlowErrorCode;
  readonly retryable: boolean;
  /** HTTP status of the endpoint's answer, for `session-http-error` and `status-request-failed`. */
  readonly status: number | undefined;
  /** The host's `error.code` from a JSON error body, when it sent a short one. */
  readonly serverCode: string | undefined;

  /** `retryable` overrides what the code and status say (the host's code may know better). */
  constructor(
    code: FlowErrorCode,
    message: string,
    options: { status?: number; serverCode?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlowError';
    this.code = code;
    this.status = options.status;
    this.serverCode = options.serverCode;
    // A 5xx or 429 from the host may pass on a retry; any other status will not.
    this.retryable =
      options.retryable ??
      (code === 'session-http-error'
        ? options.status !== undefined && (options.status >= 500 || options.status === 429)
        : RETRYABLE.has(code));
  }
}
