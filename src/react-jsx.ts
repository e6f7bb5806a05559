/**
 * `biometric-flow/react-jsx`: types `<biometric-flow>` in React 19's JSX, where custom elements need no
 * wrapper. Types only; load it once, e.g. `import type {} from 'biometric-flow/react-jsx';` next to
 * `import 'biometric-flow';`.
 *
 * How React 19 treats a custom element's props, and so how they are typed here:
 * - a prop whose name the element has as a property (`context`, `requestInit`, `timeout`, ...) is set as
 *   that property once the element is defined; any other (`session-endpoint`, ...) becomes an attribute.
 *   Kebab-case attribute names therefore work before the element is upgraded and in server rendering,
 *   and objects and functions go through the camelCase properties.
 * - a prop that starts with `on` and holds a function is an event listener for the rest of its name,
 *   exactly as written: `onfinished` listens to `finished`, `onflow-error` to `flow-error`. React's own
 *   camelCase handlers (`onClick`) keep going through its synthetic events, so `onFinished` would not
 *   listen to anything: the event props here are spelt like the events.
 *
 * ```tsx
 * <biometric-flow session-endpoint="/api/biometric/session" mode="modal"
 *   onfinished={(event) => checkResult(event.detail.sessionId)} />
 * ```
 *
 * Only for React that renders in the browser alone. On a page rendered on the server and hydrated
 * (Next.js, React Router in framework mode, Remix), React 19 does not attach these `on…` listeners
 * (https://github.com/facebook/react/issues/35446): `onfinished` never fires. Use `BiometricFlow` from
 * `biometric-flow/react` there, which adds its listeners itself. Types cannot tell a server-rendered
 * component from another, so this is said on each event prop rather than refused.
 *
 * @module
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { BiometricFlowElement, FlowMode } from './biometric-flow-element.js';
import type { FinishMessageRecogniser } from './completion.js';
import type { HandoffSetting } from './configuration.js';
import type { BiometricFlowEventMap } from './events.js';

/**
 * `on<event>` props of `<biometric-flow>`, one per event, each with its typed `CustomEvent`.
 *
 * Not attached on a server-rendered page that React hydrates (Next.js, Remix): use `BiometricFlow` from
 * `biometric-flow/react` there (facebook/react#35446).
 */
export type BiometricFlowEventProps = {
  /**
   * Listens to the event of the same name, in React that renders in the browser only. Never fires on a
   * server-rendered page that React 19 hydrates (Next.js, Remix; facebook/react#35446): use
   * `BiometricFlow` from `biometric-flow/react` there.
   */
  [K in keyof BiometricFlowEventMap as `on${K}`]?: (event: BiometricFlowEventMap[K]) => void;
};

/** Attributes and properties of `<biometric-flow>` as React 19 passes them. */
export interface BiometricFlowJsxProps
  extends DetailedHTMLProps<HTMLAttributes<BiometricFlowElement>, BiometricFlowElement>,
    BiometricFlowEventProps {
  'session-endpoint'?: string;
  'session-id'?: string;
  /** With `session-id`: that session's `status_token`. */
  'status-token'?: string;
  'status-endpoint'?: string;
  /** Milliseconds a finish seen in the browser waits for a final status. */
  'confirm-timeout'?: number;
  mode?: FlowMode;
  locale?: string;
  'flow-base-url'?: string;
  'finished-url'?: string;
  autostart?: boolean;
  /** Keep the session until it ends or expires: a reload of the page shows it again. */
  resume?: boolean;
  timeout?: number;
  'popup-fallback'?: 'modal' | 'none';
  /** A small URL of the flow's origin loaded while the session is requested; `none` for no warm-up. */
  'warm-url'?: string;
  /** Host URL of a `createHandoffHandler` endpoint: enables continuing on a phone. */
  'handoff-endpoint'?: string;
  handoff?: HandoffSetting;
  /** JSON-able value sent to the session endpoint (property only). */
  context?: unknown;
  /** Merged into the session request's `fetch` options (property only). */
  requestInit?: RequestInit;
  /** Replaces the default recogniser of finish messages (property only). */
  isFinishMessage?: FinishMessageRecogniser;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'biometric-flow': BiometricFlowJsxProps;
    }
  }
}
