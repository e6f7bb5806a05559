/**
 * `biometric-flow/vue`: types `<biometric-flow>` in Vue 3 templates (Volar / vue-tsc). Types only; load
 * it once, e.g. `import type {} from 'biometric-flow/vue';` next to `import 'biometric-flow';`, and tell
 * Vue's compiler the tag is a custom element (`compilerOptions.isCustomElement`).
 *
 * Vue sets a binding as a property when the element has one (`:context`, `:request-init`, `:timeout`)
 * and as an attribute otherwise; `@finished` and `@flow-error` listen to the events of those names.
 *
 * @module
 */
import type { DefineComponent } from 'vue';
import type { FlowMode } from './biometric-flow-element.js';
import type { FinishMessageRecogniser } from './completion.js';
import type { EventListenerProps } from './event-props.js';

/** Props and event listeners of `<biometric-flow>` in a Vue template (kebab-case there, as usual). */
export interface BiometricFlowVueProps extends EventListenerProps {
  sessionEndpoint?: string;
  sessionId?: string;
  /** With `session-id`: that session's `status_token`. */
  statusToken?: string;
  statusEndpoint?: string;
  /** Milliseconds a finish seen in the browser waits for a final status. */
  confirmTimeout?: number;
  mode?: FlowMode;
  locale?: string;
  flowBaseUrl?: string;
  finishedUrl?: string;
  autostart?: boolean;
  timeout?: number;
  popupFallback?: 'modal' | 'none';
  /** A small URL of the flow's origin loaded while the session is requested; `none` for no warm-up. */
  warmUrl?: string;
  /** JSON-able value sent to the session endpoint; bind it: `:context="..."`. */
  context?: unknown;
  /** Merged into the session request's `fetch` options; bind it: `:request-init="..."`. */
  requestInit?: RequestInit;
  /** Replaces the default recogniser of finish messages. */
  isFinishMessage?: FinishMessageRecogniser;
}

declare module 'vue' {
  interface GlobalComponents {
    'biometric-flow': DefineComponent<BiometricFlowVueProps>;
  }
}
