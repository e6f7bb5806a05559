/**
 * The response headers a page that holds `<biometric-flow>` needs, so that the host's own policies do
 * not block the flow: most camera failures in embedded verification come from them. `securityHeaders()`
 * gives them ready to send; `cspDirectives()` and `mergeContentSecurityPolicy()` fit them into a policy
 * the host already has. No Node APIs: it runs wherever the handlers do.
 *
 * What the element needs, and only that:
 * - `frame-src` the flow's origin: the inline and modal frames (and the modal a blocked popup falls back
 *   to, `popup-fallback="modal"` by default, so popup mode needs it too).
 * - `connect-src 'self'` and the origins of the session and status endpoints when they are absolute:
 *   the element's only requests. Its styles are constructable stylesheets (Lit's `adoptedStyleSheets`),
 *   its icon an inline `<svg>` and its inline styles set through the CSSOM, so neither `style-src
 *   'unsafe-inline'` nor `img-src` is needed.
 * - A `Permissions-Policy` that keeps the camera, microphone and fullscreen for the page itself and
 *   delegates them to the flow's origin: a frame gets a feature only if the page's policy allows it for
 *   the page **and** for the frame's origin, whatever its `allow` attribute says.
 * - For popups, `Cross-Origin-Opener-Policy: same-origin-allow-popups`: under `same-origin` the browser
 *   cuts the link to the popup as soon as it leaves for the flow's origin.
 *
 * @module
 */
import { DEFAULT_FLOW_BASE_URL, isAllowedFlowUrl } from '../flow-url.js';

/** Which of the element's modes the page uses; `all` when it may use any of them. */
export type SecurityHeadersMode = 'inline' | 'modal' | 'popup' | 'all';

/** Options of {@link securityHeaders} and {@link cspDirectives}. */
export interface SecurityHeadersOptions {
  /** The element's `flow-base-url`, absolute. Default `https://remote.biometric.kz`. */
  flowBaseUrl?: string;
  /** The element's `mode`. Default `inline`. `popup` and `all` add `Cross-Origin-Opener-Policy`. */
  mode?: SecurityHeadersMode;
  /** The element's `session-endpoint`. Only an absolute URL adds to `connect-src` (a path is `'self'`). */
  sessionEndpoint?: string;
  /** The element's `status-endpoint`, like `sessionEndpoint`. */
  statusEndpoint?: string;
  /** More `connect-src` sources the page itself needs (`https://api.example`, `wss:`), kept as given. */
  connectSrc?: readonly string[];
}

/** The CSP directives the element needs, each a list of sources. */
export type CspDirectives = {
  'frame-src': string[];
  'connect-src': string[];
};

/**
 * Header name → value, ready for `new Headers(...)`, `res.set(...)` or a framework's header config.
 * `Cross-Origin-Opener-Policy` (`same-origin-allow-popups`) is there only for `popup` and `all`: inline
 * and modal frames do not care.
 */
export interface SecurityHeaders {
  [name: string]: string;
  'Content-Security-Policy': string;
  'Permissions-Policy': string;
}

const MODES: readonly SecurityHeadersMode[] = ['inline', 'modal', 'popup', 'all'];
/** The features the element's frame asks for (`allow="camera; microphone; fullscreen; ..."`) that matter to the flow. */
export const DELEGATED_FEATURES = ['camera', 'microphone', 'fullscreen'] as const;
/** Where CSP falls back to when a directive is absent, nearest first. */
export const CSP_FALLBACKS: Readonly<Record<string, readonly string[]>> = {
  'frame-src': ['frame-src', 'child-src', 'default-src'],
  'connect-src': ['connect-src', 'default-src'],
};

function absoluteUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`securityHeaders: ${what} must be an absolute URL: ${JSON.stringify(value)}`);
  }
  if (!isAllowedFlowUrl(url)) {
    throw new TypeError(`securityHeaders: ${what} must use https: (http: only on loopback hosts): ${url.href}`);
  }
  return url;
}

/** An endpoint's origin when it is an absolute URL; `undefined` for a path, which `'self'` covers. */
function endpointOrigin(value: string | undefined, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new TypeError(`securityHeaders: ${what} must be a string`);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value) && !value.startsWith('//')) return undefined;
  return absoluteUrl(value.startsWith('//') ? `https:${value}` : value, what).origin;
}

/** A source must be one token: whitespace, `;` or `,` would start another source, directive or policy. */
function checkedSource(source: unknown): string {
  if (typeof source !== 'string' || source === '' || /[\s;,]/.test(source)) {
    throw new TypeError(`securityHeaders: connectSrc entry ${JSON.stringify(source)} is not a single CSP source`);
  }
  return source;
}

function resolve(options: SecurityHeadersOptions): { flowOrigin: string; mode: SecurityHeadersMode; connect: string[] } {
  const mode = options.mode ?? 'inline';
  if (!MODES.includes(mode)) throw new TypeError(`securityHeaders: mode must be one of ${MODES.join(', ')}: ${JSON.stringify(mode)}`);
  const flowOrigin = absoluteUrl(options.flowBaseUrl ?? DEFAULT_FLOW_BASE_URL, 'flowBaseUrl').origin;
  const connect = ["'self'"];
  for (const origin of [
    endpointOrigin(options.sessionEndpoint, 'sessionEndpoint'),
    endpointOrigin(options.statusEndpoint, 'statusEndpoint'),
    ...(options.connectSrc ?? []).map(checkedSource),
  ]) {
    if (origin !== undefined && !connect.includes(origin)) connect.push(origin);
  }
  return { flowOrigin, mode, connect };
}

/**
 * The CSP directives the element needs, as lists of sources, for a host that builds its own policy
 * (helmet's `contentSecurityPolicy.directives`, Next.js `headers()`), or for {@link mergeContentSecurityPolicy}.
 *
 * @returns `{ 'frame-src': [<flow origin>], 'connect-src': ["'self'", ...endpoint origins, ...connectSrc] }`
 * @throws {TypeError} for a `flowBaseUrl` or absolute endpoint that is not a URL or not `https:`
 *   (`http:` only on loopback hosts), an unknown `mode`, or a `connectSrc` entry that is not one source.
 */
export function cspDirectives(options: SecurityHeadersOptions = {}): CspDirectives {
  const { flowOrigin, connect } = resolve(options);
  return { 'frame-src': [flowOrigin], 'connect-src': connect };
}

/**
 * The headers the page that holds the element should be served with, for a page with no policy of its
 * own. A page that has a `Content-Security-Policy` already should pass it through
 * {@link mergeContentSecurityPolicy} instead of sending a second one (two policies both apply: the
 * stricter wins).
 *
 * ```ts
 * securityHeaders({ mode: 'popup' });
 * // {
 * //   'Content-Security-Policy': "frame-src https://remote.biometric.kz; connect-src 'self'",
 * //   'Permissions-Policy': 'camera=(self "https://remote.biometric.kz"), microphone=(...), fullscreen=(...)',
 * //   'Cross-Origin-Opener-Policy': 'same-origin-allow-popups',
 * // }
 * ```
 *
 * @returns header name → value; `Cross-Origin-Opener-Policy` only for `popup` and `all`.
 * @throws {TypeError} as {@link cspDirectives} does.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): SecurityHeaders {
  const { flowOrigin, mode, connect } = resolve(options);
  const allowlist = `(self "${flowOrigin}")`;
  const headers: SecurityHeaders = {
    'Content-Security-Policy': `frame-src ${flowOrigin}; connect-src ${connect.join(' ')}`,
    'Permissions-Policy': DELEGATED_FEATURES.map((feature) => `${feature}=${allowlist}`).join(', '),
  };
  if (mode === 'popup' || mode === 'all') headers['Cross-Origin-Opener-Policy'] = 'same-origin-allow-popups';
  return headers;
}

/** One policy's directives in order, names in lower case; a repeated directive counts once (the first), as browsers do. */
export function parseContentSecurityPolicy(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    const key = name.toLowerCase();
    if (!directives.has(key)) directives.set(key, sources);
  }
  return directives;
}

/**
 * Adds the element's sources to a policy the host already has, keeping everything else. A directive the
 * policy lacks starts from the one it fell back to (`frame-src` from `child-src`, then `default-src`), so
 * what was allowed stays allowed; `'none'` gives way to the added sources.
 *
 * ```ts
 * mergeContentSecurityPolicy("default-src 'self'; script-src 'self'", cspDirectives())
 * // "default-src 'self'; script-src 'self'; frame-src 'self' https://remote.biometric.kz; connect-src 'self'"
 * ```
 *
 * @param policy - One policy (not several joined by commas).
 * @param directives - From {@link cspDirectives}, or any directive → sources.
 * @returns the merged policy.
 */
export function mergeContentSecurityPolicy(policy: string, directives: Readonly<Record<string, readonly string[]>>): string {
  const parsed = parseContentSecurityPolicy(policy);
  for (const [name, added] of Object.entries(directives)) {
    const key = name.toLowerCase();
    const fallback = (CSP_FALLBACKS[key] ?? [key]).map((candidate) => parsed.get(candidate)).find((sources) => sources !== undefined);
    // With no directive and no fallback, the policy allowed anything there: it still should.
    if (fallback === undefined) continue;
    const sources = fallback.filter((source) => source.toLowerCase() !== "'none'");
    for (const source of added) if (!sources.includes(source)) sources.push(source);
    parsed.set(key, sources);
  }
  return [...parsed].map(([name, sources]) => [name, ...sources].join(' ')).join('; ');
}
