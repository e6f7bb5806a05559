// What a feature (the handoff, the console's help) may read of the element: a small read-only view, so
// that no feature imports the element's class, and the element is the one module that knows them all.
import type { Session } from './events.js';
import type { Locale } from './locales.js';

/** How the flow is shown. */
export type FlowMode = 'inline' | 'modal' | 'popup';

/** The values of the `handoff` attribute; anything else counts as `auto`. */
export type HandoffSetting = 'auto' | 'offer' | 'off';

/**
 * The element as a feature sees it: its configuration, its locale and session, and the element itself as
 * the target of its events (and the host of its focus).
 */
export interface FlowConfig extends HTMLElement {
  readonly sessionEndpoint?: string;
  readonly statusEndpoint?: string;
  readonly handoffEndpoint?: string;
  readonly handoff?: HandoffSetting;
  readonly flowBaseUrl?: string;
  readonly requestInit?: RequestInit;
  /** The element's locale now: `locale`, else the nearest `lang`, else `ru`. */
  readonly resolvedLocale: Locale;
  /** The current session, once there is one. */
  readonly session: Session | undefined;
}
