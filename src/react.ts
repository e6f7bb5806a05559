'use client';
/**
 * `biometric-flow/react`: `<BiometricFlow>`, a React component over `<biometric-flow>` made with
 * `@lit/react`. It sets properties (`context`, `requestInit`, `isFinishMessage` included) instead of
 * attributes and turns the element's events into typed `on…` props, whose listeners it adds itself in a
 * layout effect. That makes it the recipe for every React 17–19 setup, and the only one for pages rendered
 * on the server and hydrated (Next.js, React Router in framework mode, Remix): there React 19 does not
 * attach a bare custom element's `on…` listeners (https://github.com/facebook/react/issues/35446), while
 * this component's are there once it has mounted. React 19 in the browser alone may also take the bare
 * element (see `biometric-flow/react-jsx`).
 *
 * `'use client'` above: the component uses hooks, so under React Server Components (Next.js App Router)
 * it must be a client module; a Server Component may then import and render it.
 *
 * ```tsx
 * import { BiometricFlow } from 'biometric-flow/react';
 *
 * <BiometricFlow sessionEndpoint="/api/biometric/session" mode="modal"
 *   onFinished={(event) => checkResult(event.detail.sessionId)} />
 * ```
 *
 * @module
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
// Through the package entry, so that importing the wrapper registers the tag.
import { BiometricFlowElement } from './index.js';
import { EVENT_PROPS, type EventProps } from './event-props.js';
import type { BiometricFlowEventMap } from './events.js';

/** `<biometric-flow>` as a React component; every event is an `on…` prop whose handler gets the typed `CustomEvent`. */
export const BiometricFlow = createComponent({
  tagName: 'biometric-flow',
  elementClass: BiometricFlowElement,
  react: React,
  events: EVENT_PROPS as { [P in keyof EventProps]: EventName<BiometricFlowEventMap[EventProps[P]]> },
  displayName: 'BiometricFlow',
});

/** Props of {@link BiometricFlow}. */
export type BiometricFlowProps = React.ComponentProps<typeof BiometricFlow>;

export { BiometricFlowElement };
export type {
  CancelledDetail,
  FinishedDetail,
  FlowErrorDetail,
  FlowLoadedDetail,
  FlowMessageDetail,
  SessionCreatedDetail,
  StateChangeDetail,
} from './events.js';
