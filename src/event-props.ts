// The element's events as framework props (`session-created` → `onSessionCreated`): React's wrapper
// (biometric-flow/react) takes them at run time, Vue's template types (biometric-flow/vue) name them.
import type { BiometricFlowEventMap } from './events.js';

/** Each event's prop. */
export const EVENT_PROPS = {
  onSessionCreated: 'session-created',
  onFlowLoaded: 'flow-loaded',
  onFlowMessage: 'flow-message',
  onFinished: 'finished',
  onCancelled: 'cancelled',
  onFlowError: 'flow-error',
  onStateChange: 'state-change',
} as const satisfies Record<string, keyof BiometricFlowEventMap>;

export type EventProps = typeof EVENT_PROPS;

/** A listener prop for each event; the handler gets the typed `CustomEvent`. */
export type EventListenerProps = { [P in keyof EventProps]?: (event: BiometricFlowEventMap[EventProps[P]]) => void };
