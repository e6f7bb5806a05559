/**
 * What the three framework apps share: the demo backend's routes, the preset they ask for, and the
 * event log's format. The log is the same as the demo pages' (`#event-log`, newest first, one
 * `li[data-event]` with its detail as JSON in `.log-detail`), so the end-to-end helpers read all of them.
 *
 * No import of `biometric-flow` here: each app imports the package its own way.
 *
 * @module
 */

/** The demo backend's routes (demo/server.ts), on the page's own origin. */
export const SESSION_ENDPOINT = '/api/session';
export const STATUS_ENDPOINT = '/api/status';

/** Sent with the session request: the demo backend picks the flow of this preset. */
export const FLOW_CONTEXT = { preset: 'default' } as const;

/** Every event of the element, in the order a flow usually fires them. */
export const FLOW_EVENTS = [
  'state-change',
  'session-created',
  'flow-loaded',
  'flow-message',
  'finished',
  'cancelled',
  'flow-error',
] as const;

export type FlowEventName = (typeof FLOW_EVENTS)[number];

export interface LoggedEvent {
  /** Increasing, for stable keys in the frameworks' lists. */
  id: number;
  name: FlowEventName;
  /** The detail as JSON text. */
  detail: string;
}

let nextId = 0;

/** A log entry for an event; an error in a detail (`cause`) becomes its name and message. */
export function logEntry(name: FlowEventName, detail: unknown): LoggedEvent {
  const json = JSON.stringify(detail, (_key, item: unknown) =>
    item instanceof Error ? { name: item.name, message: item.message } : item,
  );
  return { id: nextId++, name, detail: json };
}

/**
 * The flow's base URL from the demo backend's `/api/config`: the emulator's URL, or `undefined` with a
 * real vendor key (then the element's default applies).
 *
 * @returns resolves once the backend answered; rejects when it cannot be asked.
 */
export async function loadFlowBaseUrl(signal?: AbortSignal): Promise<string | undefined> {
  const response = await fetch('/api/config', signal ? { signal } : {});
  if (!response.ok) throw new Error(`/api/config answered ${response.status}`);
  const config = (await response.json()) as { flowBaseUrl?: unknown };
  return typeof config.flowBaseUrl === 'string' ? config.flowBaseUrl : undefined;
}

/** `?autostart` in the address: the element starts as soon as it is on the page, with no click. */
export function wantsAutostart(): boolean {
  return new URLSearchParams(location.search).has('autostart');
}
