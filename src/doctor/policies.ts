/**
 * Reading a page's policies as a browser would, far enough to tell whether they let the element work:
 * which CSP directive governs a frame or a request and whether it allows a URL, and whom a
 * `Permissions-Policy` (or the older `Feature-Policy`) allows a feature.
 *
 * @module
 */
import { CSP_FALLBACKS, parseContentSecurityPolicy } from '../server/security-headers.js';

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };
const HOST_SOURCE = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|\*\.[^:/]+|[^:/*]+)(?::(\d+|\*))?(\/.*)?$/i;

/** Whether a scheme may stand for another: a source's `http:` allows `https:` (and `ws:` `wss:`), not the reverse. */
function schemeMatches(sourceScheme: string, urlScheme: string): boolean {
  return (
    sourceScheme === urlScheme ||
    (sourceScheme === 'http:' && urlScheme === 'https:') ||
    (sourceScheme === 'ws:' && urlScheme === 'wss:')
  );
}

/** CSP3's "does url match expression" for one source, without redirects. */
export function sourceMatches(source: string, url: URL, self: URL): boolean {
  const lower = source.toLowerCase();
  if (lower === '*') return ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) || url.protocol === self.protocol;
  if (lower === "'self'") {
    return url.origin === self.origin || (self.protocol === 'http:' && url.protocol === 'https:' && url.host === self.host);
  }
  if (/^[a-z][a-z0-9+.-]*:$/.test(lower)) return schemeMatches(lower, url.protocol);
  if (lower.startsWith("'")) return false; // 'none', nonces, hashes, 'unsafe-…': no URL matches them
  const match = HOST_SOURCE.exec(lower);
  if (!match) return false;
  const [, scheme, host, port, path] = match;
  if (scheme !== undefined ? !schemeMatches(`${scheme}:`, url.protocol) : !schemeMatches(self.protocol, url.protocol)) return false;
  const hostname = url.hostname.toLowerCase();
  if (host === '*') {
    // a bare `*` host is only valid with a scheme, and then matches any host
  } else if (host!.startsWith('*.')) {
    if (!hostname.endsWith(host!.slice(1))) return false;
  } else if (hostname !== host) {
    return false;
  }
  const urlPort = url.port || DEFAULT_PORTS[url.protocol] || '';
  if (port !== '*') {
    const wanted = port ?? DEFAULT_PORTS[scheme ? `${scheme}:` : url.protocol];
    // A source for the default http port also allows the default https port (an upgrade).
    const upgraded = wanted === '80' && urlPort === '443' && url.protocol === 'https:';
    if (urlPort !== wanted && !upgraded) return false;
  }
  if (path !== undefined && path !== '/') {
    return path.endsWith('/') ? url.pathname.startsWith(path) : url.pathname === path;
  }
  return true;
}

/** What one policy says about a kind of load: the directive that governs it, and whether it allows the URL. */
export interface CspVerdict {
  /** The policy, as served. */
  policy: string;
  /** The directive that applied (`frame-src`, or the one it fell back to); `undefined` when none did. */
  directive: string | undefined;
  /** That directive's sources. */
  sources: string[];
  allowed: boolean;
}

/**
 * Judges a URL against every policy (all of them apply, each on its own).
 *
 * @param policies - Each policy on its own: a header's comma-separated policies split, and `<meta>` ones.
 * @param kind - `frame-src` or `connect-src`.
 * @returns one verdict per policy.
 */
export function judgeCsp(policies: readonly string[], kind: 'frame-src' | 'connect-src', url: URL, self: URL): CspVerdict[] {
  return policies.map((policy) => {
    const directives = parseContentSecurityPolicy(policy);
    const directive = CSP_FALLBACKS[kind]!.find((name) => directives.has(name));
    if (directive === undefined) return { policy, directive, sources: [], allowed: true };
    const sources = directives.get(directive)!;
    return { policy, directive, sources, allowed: sources.some((source) => sourceMatches(source, url, self)) };
  });
}

/** Splits a header that may hold several policies (repeated headers arrive joined by `, `). */
export function splitPolicies(header: string | null): string[] {
  if (header === null) return [];
  return header
    .split(',')
    .map((policy) => policy.trim())
    .filter((policy) => policy !== '');
}

/** Whom a policy allows a feature. */
export interface Allowlist {
  /** `*`: every origin. */
  all: boolean;
  /** The page's own origin. */
  self: boolean;
  /** Other origins, serialised (`https://remote.biometric.kz`). */
  origins: string[];
  /** How the header said it, for messages (`camera=()`). */
  text: string;
}

function originOf(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** `Permissions-Policy` (a structured-field dictionary: `camera=(self "https://x"), microphone=()`). */
export function parsePermissionsPolicy(header: string | null): Map<string, Allowlist> {
  const features = new Map<string, Allowlist>();
  if (header === null) return features;
  for (const entry of header.split(',')) {
    const text = entry.trim();
    const match = /^([a-z0-9-]+)\s*=\s*(.*)$/i.exec(text);
    if (!match) continue;
    const value = match[2]!.split(';')[0]!.trim(); // parameters (`;report-to=...`) do not change who is allowed
    const items = value.startsWith('(') ? value.slice(1, value.lastIndexOf(')')).trim().split(/\s+/) : [value];
    const list: Allowlist = { all: false, self: false, origins: [], text };
    for (const item of items) {
      if (item === '*') list.all = true;
      else if (item === 'self') list.self = true;
      else if (item.startsWith('"') && item.endsWith('"')) {
        const origin = originOf(item.slice(1, -1));
        if (origin) list.origins.push(origin);
      }
    }
    const name = match[1]!.toLowerCase();
    if (!features.has(name)) features.set(name, list);
  }
  return features;
}

/** The older `Feature-Policy` (`camera 'self' https://x; microphone 'none'`). */
export function parseFeaturePolicy(header: string | null): Map<string, Allowlist> {
  const features = new Map<string, Allowlist>();
  if (header === null) return features;
  for (const entry of header.split(/[;,]/)) {
    const text = entry.trim();
    const [name, ...items] = text.split(/\s+/);
    if (!name) continue;
    const list: Allowlist = { all: false, self: false, origins: [], text };
    for (const item of items) {
      const lower = item.toLowerCase();
      if (lower === '*') list.all = true;
      else if (lower === "'self'") list.self = true;
      else if (!lower.startsWith("'")) {
        const origin = originOf(item);
        if (origin) list.origins.push(origin);
      }
    }
    if (!features.has(name.toLowerCase())) features.set(name.toLowerCase(), list);
  }
  return features;
}

/** Whether an allowlist lets an origin use the feature, given the page's own origin. */
export function allows(list: Allowlist, origin: string, pageOrigin: string): boolean {
  return list.all || (list.self && origin === pageOrigin) || list.origins.includes(origin);
}
