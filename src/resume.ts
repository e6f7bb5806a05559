// `resume`: the session kept in sessionStorage, so that a reload of the page shows the same session again
// instead of creating a new one (and, with E-Document, sending a new SMS). Loaded with the deferred module
// and only by an element with `resume`; it keeps and forgets the session by the element's own
// `state-change` events, so that the core file holds nothing of it but two calls.
import { FlowError } from './errors.js';
import type { Session, StateChangeDetail } from './events.js';
import { sessionOf } from './net/session.js';

/**
 * How long a session is taken to live when its answer has no `expires_at` (a host older than it, or one
 * that creates sessions its own way): 30 minutes from when the element got it. The vendor publishes no
 * session lifetime; a sister product documents 30 minutes (docs/vendor.md §1, §6), and the session handler
 * uses the same by default.
 */
export const DEFAULT_RESUME_TTL_MS = 30 * 60_000;

/** What an element with `resume` is, to this module. */
interface Resumable extends HTMLElement {
  readonly resume: boolean;
  readonly sessionEndpoint?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly session: Session | undefined;
}

/** What is kept: the session answer's fields, and the time the session stops being worth showing again. */
interface Kept {
  session_id: string;
  technologies: readonly string[];
  status_token?: string;
  /** Unix milliseconds. */
  expires: number;
}

/**
 * The storage key of an element's session: its session endpoint (resolved, so that two spellings of one
 * URL agree) and the page's path, so that two elements on two pages, or with two endpoints, never share;
 * `undefined` for an element that does not keep its session.
 */
export function resumeKey(element: Resumable): string | undefined {
  if (!element.resume || element.sessionId || !element.sessionEndpoint) return undefined;
  try {
    return `biometric-flow:resume ${new URL(element.sessionEndpoint, document.baseURI).href} ${location.pathname}`;
  } catch {
    return undefined;
  }
}

/** sessionStorage, or `undefined` where it cannot be used (blocked storage, an opaque origin). */
function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

function read(key: string): string | null | undefined {
  try {
    return storage()?.getItem(key);
  } catch {
    return undefined;
  }
}

/** Whether the element has a session kept, alive or not: a start then shows it again, or says it expired. */
export function isKept(element: Resumable): boolean {
  const key = resumeKey(element);
  return key !== undefined && !!read(key);
}

/**
 * The session kept under `key`: `expired` (and forgotten) when its time has passed; `undefined` when there
 * is none, or what is there is not a session (forgotten too).
 */
export function keptSession(key: string, now = Date.now()): Session | 'expired' | undefined {
  const text = read(key);
  if (!text) return undefined;
  try {
    const kept = JSON.parse(text) as Kept;
    const session = sessionOf({
      session_id: kept.session_id,
      technologies: kept.technologies,
      status_token: kept.status_token,
      expires_at: new Date(kept.expires).toISOString(),
    });
    if (!(kept.expires > now)) {
      forgetSession(key);
      return 'expired';
    }
    return session;
  } catch {
    forgetSession(key);
    return undefined;
  }
}

/** Keeps `session` under `key` until its `expires_at`, else for {@link DEFAULT_RESUME_TTL_MS}. */
export function keepSession(key: string, session: Session, now = Date.now()): void {
  const expiresAt = session.expiresAt === undefined ? Number.NaN : Date.parse(session.expiresAt);
  const kept: Kept = {
    session_id: session.id,
    technologies: session.technologies,
    expires: Number.isFinite(expiresAt) ? expiresAt : now + DEFAULT_RESUME_TTL_MS,
  };
  if (session.statusToken !== undefined) kept.status_token = session.statusToken;
  try {
    storage()?.setItem(key, JSON.stringify(kept));
  } catch {
    // Full or blocked: the flow goes on, it just cannot be resumed.
  }
}

export function forgetSession(key: string): void {
  try {
    storage()?.removeItem(key);
  } catch {
    // Blocked storage keeps nothing to forget.
  }
}

/** Elements whose session this module follows already. */
const followed = new WeakSet<Resumable>();

/**
 * Keeps the element's session while its flow shows, and forgets it when the flow ends in any way, when the
 * browser saw the end (`confirming`: the flow is over for the person) and on `reset()`; not when the element
 * is disconnected, which is what a page on its way to a reload does.
 */
function follow(element: Resumable): void {
  if (followed.has(element)) return;
  followed.add(element);
  element.addEventListener('state-change', (event) => {
    if (event.target !== element) return;
    const { state } = (event as CustomEvent<StateChangeDetail>).detail;
    const key = resumeKey(element);
    if (key === undefined || state === 'requesting' || state === 'active' || (state === 'idle' && !element.isConnected)) return;
    if (state === 'loading') {
      if (element.session) keepSession(key, element.session);
    } else {
      forgetSession(key);
    }
  });
}

/**
 * What a start with `resume` begins with: the session kept from before a reload, if it is still alive
 * (`undefined`: request a new one). From then on the element's session is kept and forgotten as its flow
 * goes (see {@link follow}).
 *
 * @throws {FlowError} `session-expired` for a kept session past its time (forgotten by then): the next
 *   start is a new one.
 */
export function resumed(element: Resumable): Session | undefined {
  follow(element);
  const key = resumeKey(element);
  const kept = key === undefined ? undefined : keptSession(key);
  if (kept === 'expired') throw new FlowError('session-expired', 'The session kept from before the reload expired: start again');
  return kept;
}
