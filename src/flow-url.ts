import { FlowError } from './errors.js';
import { flowLocale, type Locale } from './i18n/locale.js';

export const DEFAULT_FLOW_BASE_URL = 'https://remote.biometric.kz';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `https:` anywhere; `http:` only on loopback hosts, for local development and the emulator. */
export function isAllowedFlowUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

function parseUrl(value: string, base: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch (error) {
    throw new FlowError('flow-url-invalid', `${what} is not a URL: ${value}`, { cause: error });
  }
  if (!isAllowedFlowUrl(url)) {
    throw new FlowError('flow-url-invalid', `${what} must use https: (http: only on loopback hosts): ${url.href}`);
  }
  return url;
}

/** A base URL with exactly one trailing slash, so that relative paths append to it. */
export function asDirectory(url: URL): URL {
  const copy = new URL(url.href);
  copy.search = '';
  copy.hash = '';
  if (!copy.pathname.endsWith('/')) copy.pathname += '/';
  return copy;
}

/** Where a flow lives and ends. Shared between starts with the same attributes: never modify its URLs. */
export interface FlowLocation {
  /** Where `/flow/<id>` lives, with a trailing slash. */
  readonly base: URL;
  /** The page the flow ends on: `finished-url`, or `<base>/finished`. */
  readonly finished: URL;
}

/**
 * The last location worked out, by its inputs. Starts nearly always repeat them, and the three URL
 * parses are the largest part of what a start does before it can send the session request.
 */
let lastLocation: { key: string; location: FlowLocation } | undefined;

/**
 * Resolves and checks `flow-base-url` and `finished-url` before any session exists, so that a
 * misconfigured element spends no one-time session.
 *
 * @throws {FlowError} `flow-url-invalid` when a URL is malformed or not `https:`.
 */
export function flowLocation(options: {
  baseUrl: string | undefined;
  finishedUrl: string | undefined;
  documentBase: string;
}): FlowLocation {
  const key = JSON.stringify([options.baseUrl, options.finishedUrl, options.documentBase]);
  if (lastLocation?.key === key) return lastLocation.location;
  const base = asDirectory(parseUrl(options.baseUrl || DEFAULT_FLOW_BASE_URL, options.documentBase, 'flow-base-url'));
  const finished = options.finishedUrl
    ? parseUrl(options.finishedUrl, options.documentBase, 'finished-url')
    : new URL('finished', base);
  lastLocation = { key, location: { base, finished } };
  return lastLocation.location;
}

/**
 * `<base>/flow/<id>?web_view=true&locale=<ru|kz|en>`; without `web_view` for a flow that is the browser's
 * own page (the handoff's phone). `sessionId` must already be validated; it is still encoded.
 */
export function flowUrl(location: Pick<FlowLocation, 'base'>, sessionId: string, locale: Locale, webView = true): URL {
  return new URL(`flow/${encodeURIComponent(sessionId)}?${webView ? 'web_view=true&' : ''}locale=${flowLocale(locale)}`, location.base);
}
