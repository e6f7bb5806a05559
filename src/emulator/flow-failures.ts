/**
 * The flow's own failure reasons (docs/vendor.md §8) the emulator produces on demand: one preset per reason
 * code of `biometric-flow/server`, named by what happens. A flow with `failWith: <name>` fails every
 * session at the preset's step, whatever the page did there: the step's result carries
 * `failure_reason: { type, detail }` and the result's `flow_session_failure_reasons` the detail.
 *
 * The guide lists the types and these details but not which detail comes with which type, nor any
 * detail for a missing camera, a timeout, a service or request error, or a mistyped SMS code: those types
 * are the emulator's reading, and those details its own words (`invalid_otp` is the flow page's own
 * reason for a wrong SMS code).
 *
 * @module
 */
import type { FailureType } from '../server/vendor-reasons.js';

/** Where a preset fails: the flow's liveness step (LD, LDHP or LDD), its E-Document step, or its first step. */
export type FlowFailureStep = 'liveness' | 'edocument' | 'first';

/** One failure reason: its type and detail as the vendor sends them, and the code the server gives it. */
export interface FlowFailureSpec {
  type: FailureType;
  detail: string;
  step: FlowFailureStep;
  /** The stable code `biometric-flow/server` gives this reason (`ReasonCode`). */
  code: string;
}

/** Every failure reason the emulator can produce, by name: the guide's details first, then the types alone. */
export const FLOW_FAILURES = Object.freeze({
  'flow-aborted': { type: 'CLIENT', detail: 'Operation aborted by user', step: 'first', code: 'flow-aborted' },
  'liveness-exists': {
    type: 'REQUEST_ERROR',
    detail: 'Liveness result for this session already exists',
    step: 'liveness',
    code: 'session-already-used',
  },
  'eyes-closed': { type: 'CALC_RESULT', detail: 'Closed eyes', step: 'liveness', code: 'eyes-closed' },
  'low-prediction': { type: 'CALC_RESULT', detail: 'Low prediction', step: 'liveness', code: 'liveness-low-score' },
  'low-overall-prediction': { type: 'CALC_RESULT', detail: 'Low overall prediction', step: 'liveness', code: 'liveness-low-score' },
  'incorrect-image-hash': { type: 'CALC_RESULT', detail: 'Incorrect image hash', step: 'liveness', code: 'check-failed' },
  'medical-mask': { type: 'CALC_RESULT', detail: 'Medical mask check failed', step: 'liveness', code: 'mask-on' },
  'mask-attack': { type: 'CALC_RESULT', detail: 'Mask Attack', step: 'liveness', code: 'check-failed' },
  illumination: { type: 'CALC_RESULT', detail: 'Illumination check failed', step: 'liveness', code: 'poor-lighting' },
  'subscription-no-access': {
    type: 'REQUEST_ERROR',
    detail: 'Subscription does not have access to technology',
    step: 'first',
    code: 'subscription-inactive',
  },
  'no-camera': { type: 'NO_CAM', detail: 'Camera is not available', step: 'liveness', code: 'camera-unavailable' },
  timeout: { type: 'TIMEOUT', detail: 'Step time is over', step: 'first', code: 'flow-timeout' },
  'sms-code-wrong': { type: 'CLIENT', detail: 'invalid_otp', step: 'edocument', code: 'sms-code-wrong' },
  'service-error': { type: 'SERVICE_ERROR', detail: 'Internal service error', step: 'first', code: 'service-error' },
  'request-error': { type: 'REQUEST_ERROR', detail: 'Request could not be processed', step: 'first', code: 'request-error' },
  other: { type: 'OTHER', detail: 'Unexpected failure', step: 'first', code: 'vendor-error' },
} as const satisfies Record<string, FlowFailureSpec>);

/** The name of a failure reason the emulator can produce. */
export type FlowFailureName = keyof typeof FLOW_FAILURES;

/** Every {@link FlowFailureName}, in the order of {@link FLOW_FAILURES}. */
export const FLOW_FAILURE_NAMES = Object.freeze(Object.keys(FLOW_FAILURES)) as readonly [FlowFailureName, ...FlowFailureName[]];

const LIVENESS: ReadonlySet<string> = new Set(['LD', 'LDHP', 'LDD']);

/**
 * The technology a preset fails among a flow's technologies.
 *
 * @returns its code, or `undefined` when the flow has no such step.
 */
export function failingTechnology(name: FlowFailureName, technologies: readonly string[]): string | undefined {
  switch (FLOW_FAILURES[name].step) {
    case 'liveness':
      return technologies.find((code) => LIVENESS.has(code));
    case 'edocument':
      return technologies.find((code) => code === 'ED');
    case 'first':
      return technologies[0];
  }
}
