import type { FlowErrorCode } from './errors.js';

/** The element's states; `state` reflects the current one. */
export type FlowState = 'idle' | 'requesting' | 'loading' | 'active' | 'finished' | 'cancelled' | 'error';

/** A session as the element knows it: the id that goes into the flow URL and its technologies in order. */
export interface Session {
  readonly id: string;
  readonly technologies: readonly string[];
}

export interface SessionCreatedDetail {
  sessionId: string;
  technologies: readonly string[];
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

/** How the element learned that the flow ended. */
export type FinishedVia = 'message' | 'navigation' | 'status';

export interface FinishedDetail {
  sessionId: string;
  technologies: readonly string[];
  via: FinishedVia;
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
  /** HTTP status of the endpoint's answer, for `session-http-error`. */
  status?: number;
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
