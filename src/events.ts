import type { FlowErrorCode } from './errors.js';

/** The element's states; `state` reflects the current one. */
export type FlowState = 'idle' | 'requesting' | 'loading' | 'active' | 'confirming' | 'finished' | 'cancelled' | 'error';

/** A session as the element knows it: the id that goes into the flow URL and its technologies in order. */
export interface Session {
  readonly id: string;
  readonly technologies: readonly string[];
  /**
   * The session endpoint's `status_token`, or the `status-token` attribute: sent as the header
   * `Biometric-Status-Token` with every status request, and nowhere else.
   */
  readonly statusToken?: string;
  /** The session answer's `expires_at` (ISO 8601), when the host sent one: until when `resume` keeps the session. */
  readonly expiresAt?: string;
}

export interface SessionCreatedDetail {
  sessionId: string;
  technologies: readonly string[];
  /** `true` when `resume` showed a session kept from before a reload: no session request was made. */
  resumed?: boolean;
}

export interface FlowLoadedDetail {
  sessionId: string;
  url: string;
}

export interface FlowMessageDetail {
  /** The message's data after validation. */
  data: unknown;
  origin: string;
}

/** How the element learned that the flow ended; `handoff`: the flow ran on a phone (see `handoff-endpoint`), its end came by status. */
export type FinishedVia = 'message' | 'navigation' | 'status' | 'handoff';

/**
 * What is known of the verdict when `finished` fires: `passed` (final status `FINISHED` with
 * `result.flow_session_result` true), `failed` (`FAILED`, or `flow_session_result` false), `unconfirmed`
 * (no status endpoint, no final status within `confirm-timeout`, or `FINISHED` without a boolean result).
 */
export type FinishedOutcome = 'passed' | 'failed' | 'unconfirmed';

export interface FinishedDetail {
  sessionId: string;
  technologies: readonly string[];
  via: FinishedVia;
  outcome: FinishedOutcome;
  /** The host status endpoint's `status` (`FINISHED`, `FAILED`, ...), when it answered. */
  status?: string;
  /** The host status endpoint's `result`, when it answered. */
  result?: unknown;
}

export type CancelReason = 'close-button' | 'escape' | 'popup-closed' | 'api';

export interface CancelledDetail {
  sessionId?: string;
  reason: CancelReason;
}

export interface FlowErrorDetail {
  code: FlowErrorCode;
  message: string;
  /** Whether the same start may succeed if tried again. */
  retryable: boolean;
  /** HTTP status of the endpoint's answer, for `session-http-error` and `status-request-failed`. */
  status?: number;
  /** The host's `error.code` from the JSON body of an HTTP error answer, when it is a short string. */
  serverCode?: string;
  cause?: unknown;
}

export interface StateChangeDetail {
  state: FlowState;
  previous: FlowState;
}

/** Every event the element dispatches, by name. */
export interface BiometricFlowEventMap {
  'session-created': CustomEvent<SessionCreatedDetail>;
  'flow-loaded': CustomEvent<FlowLoadedDetail>;
  'flow-message': CustomEvent<FlowMessageDetail>;
  finished: CustomEvent<FinishedDetail>;
  cancelled: CustomEvent<CancelledDetail>;
  'flow-error': CustomEvent<FlowErrorDetail>;
  'state-change': CustomEvent<StateChangeDetail>;
}

type DetailOf<K extends keyof BiometricFlowEventMap> =
  BiometricFlowEventMap[K] extends CustomEvent<infer D> ? D : never;

/**
 * Dispatches one of the element's events: a `CustomEvent` that bubbles and crosses shadow roots, so a
 * host listens on the element or anywhere above it.
 */
export function emit<K extends keyof BiometricFlowEventMap>(target: EventTarget, name: K, detail: DetailOf<K>): void {
  target.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail }));
}

declare global {
  interface GlobalEventHandlersEventMap extends BiometricFlowEventMap {}
}
