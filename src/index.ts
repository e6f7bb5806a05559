// Importing the package registers <biometric-flow>; the class and types come along for hosts and frameworks.
export { defineBiometricFlow, TAG_NAME } from './define.js';
export { BiometricFlowElement, type FlowMode } from './biometric-flow-element.js';
export { defaultIsFinishMessage, type FinishMessageRecogniser } from './completion.js';
export { FlowError, type FlowErrorCode } from './errors.js';
export type {
  BiometricFlowEventMap,
  CancelReason,
  CancelledDetail,
  FinishedDetail,
  FinishedOutcome,
  FinishedVia,
  FlowErrorDetail,
  FlowLoadedDetail,
  FlowMessageDetail,
  FlowState,
  Session,
  SessionCreatedDetail,
  StateChangeDetail,
} from './events.js';
export type { Locale } from './locales.js';
