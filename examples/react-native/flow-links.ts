// What the app decides about the flow's URLs. No React Native import: the project's end-to-end test
// (test/e2e/native-app.test.ts) plays the app in a browser with these same functions.

/** What the app's backend (biometric-flow/server's session handler) answers. */
export interface FlowSession {
  session_id: string;
  /** `<flow base>/flow/<id>?web_view=true&locale=ru|kz|en`: what the web view opens. */
  flow_url: string;
  /** Sent back as the `Biometric-Status-Token` header when the app asks for the verdict. */
  status_token: string;
  /** ISO 8601: after this, start a new session instead of showing this one again. */
  expires_at: string;
}

/** Where the flow lives and ends, worked out once from `flow_url`. */
export interface FlowPlaces {
  /** The only origin the web view shows, and the only one given the camera. */
  origin: string;
  /** The page the flow ends on: `<flow base>/finished`. */
  finished: URL;
}

/** What to do with a navigation of the web view's main frame. */
export type NavigationDecision = 'load' | 'finished' | 'system';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `https:`, or `http:` on a loopback host (the local emulator): the same rule as the web element's. */
function isAllowedFlowUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/**
 * Checks the backend's answer before anything of it is used.
 *
 * @throws {Error} when a field is missing or `flow_url` is not an `https:` flow URL.
 */
export function parseFlowSession(json: unknown): FlowSession {
  const value = (json ?? {}) as Partial<Record<keyof FlowSession, unknown>>;
  const { session_id, flow_url, status_token, expires_at } = value;
  if (typeof session_id !== 'string' || typeof flow_url !== 'string' || typeof status_token !== 'string' || typeof expires_at !== 'string') {
    throw new Error('The session answer lacks session_id, flow_url, status_token or expires_at');
  }
  const url = new URL(flow_url);
  if (!isAllowedFlowUrl(url) || !url.pathname.endsWith(`/flow/${session_id}`)) throw new Error('flow_url is not a flow URL');
  return { session_id, flow_url, status_token, expires_at };
}

/** The flow's origin and its finished page (`/flow/<id>` → `/finished` beside `/flow`). */
export function flowPlaces(flowUrl: string): FlowPlaces {
  const url = new URL(flowUrl);
  return { origin: url.origin, finished: new URL('../finished', url) };
}

/**
 * The end is the finished page of the flow's own origin, matched on origin and exact path (a trailing
 * `/`, a query and a hash allowed). Not "the URL contains finished", as the vendor's iOS SDK checks: a
 * page could put that word in any URL.
 */
export function isFinishedUrl(url: string, places: FlowPlaces): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const path = parsed.pathname.length > 1 && parsed.pathname.endsWith('/') ? parsed.pathname.slice(0, -1) : parsed.pathname;
  return parsed.origin === places.origin && path === places.finished.pathname;
}

/**
 * The flow's own pages load in the web view; its finished page ends it; everything else (the eGov
 * Mobile app's link, any other scheme, any other site) goes to the system, so that no other page
 * ever runs in the web view that holds the camera.
 */
export function decideNavigation(url: string, places: FlowPlaces): NavigationDecision {
  if (isFinishedUrl(url, places)) return 'finished';
  if (url === 'about:blank') return 'load';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'system';
  }
  return parsed.origin === places.origin && (parsed.protocol === 'https:' || parsed.protocol === 'http:') ? 'load' : 'system';
}

/** The verdict as the app's backend says it; the app shows it and decides nothing itself. */
export type Verdict = 'passed' | 'failed' | 'pending';

/**
 * Reads the status endpoint's answer `{ status, result: { flow_session_result } }` as the server package
 * defines it: passed only with `FINISHED` and a true result; anything not final (the vendor lags its
 * result, docs/vendor.md §6) is `pending`.
 */
export function verdictOf(answer: { status?: unknown; result?: { flow_session_result?: unknown } }): Verdict {
  const result = answer.result?.flow_session_result;
  if (answer.status === 'FAILED' || result === false) return 'failed';
  if (answer.status === 'FINISHED' && result === true) return 'passed';
  return 'pending';
}
