/**
 * `biometric-flow doctor`: fetches a page that holds `<biometric-flow>` and its endpoints, and says what
 * would keep the flow from working there — the page's camera policy, CSP, COOP, mixed content, a missing
 * or refusing endpoint, a key in sight — each with its fix.
 *
 * It never creates a session: the session endpoint gets only `OPTIONS` and `GET` (the session handler
 * answers `GET` with 405 and `Allow: POST, OPTIONS`, which proves it is there), the status endpoint one
 * `GET` without a token (401, and no vendor call).
 *
 * @module
 */
import { DEFAULT_FLOW_BASE_URL, isAllowedFlowUrl } from '../flow-url.js';
import { securityHeaders, type SecurityHeadersMode } from '../server/security-headers.js';
import { findElements, findKeyLookalikes, metaPolicies, redact, scriptSources, type ElementAttributes } from './html.js';
import { allows, judgeCsp, parseFeaturePolicy, parsePermissionsPolicy, splitPolicies, type Allowlist } from './policies.js';

/** `fail` blocks the flow; `warn` may, or weakens it; `pass` is fine. */
export type CheckStatus = 'pass' | 'fail' | 'warn';

/** One line of the diagnosis. */
export interface Check {
  /** Stable: `page`, `element`, `secure-context`, `flow-url`, `session-endpoint`, `status-endpoint`, `camera-policy`, `csp-frame`, `csp-connect`, `coop`, `coep`, `key-leak`. */
  id: string;
  status: CheckStatus;
  /** What was found, in one sentence. */
  message: string;
  /** What to change, in one sentence (not on passes). */
  fix?: string;
  /** The README section that explains it (`#headers`). */
  anchor?: string;
}

/** A request the doctor made, and what came back. */
export interface Probe {
  method: 'GET' | 'OPTIONS';
  url: string;
  status?: number;
  /** The `Allow` header, or the CORS method grant for a preflight. */
  allow?: string;
  /** `error.code` of a JSON error answer. */
  code?: string;
  /** Why there was no answer. */
  error?: string;
}

/** The whole diagnosis. */
export interface DoctorReport {
  url: string;
  /** After redirects. */
  finalUrl?: string;
  status?: number;
  /** What was checked against (command line first, then the tag's attributes, then the defaults). */
  mode: SecurityHeadersMode;
  flowBaseUrl: string;
  sessionEndpoint?: string;
  statusEndpoint?: string;
  /** The first `<biometric-flow>` tag's attributes, if the served HTML has one. */
  element?: ElementAttributes;
  checks: Check[];
  probes: Probe[];
  /** What was deliberately not tried, and why. */
  notProbed: string[];
  /** Whether any check failed. */
  blocking: boolean;
  /**
   * The served HTML has no `<biometric-flow>` with attributes (none, or a bare tag a framework sets up
   * in the browser) and no `--session-endpoint` was given: the report judged defaults, and these are the
   * flags to pass for the page as it really is.
   */
  setUpByScript?: { flags: string };
  /** Names of the headers given in {@link DoctorOptions.headers} (never their values). */
  sentHeaders?: string[];
}

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** The page, `http:` or `https:`. */
  url: string;
  /** Overrides the tag's `session-endpoint` (a path is resolved against the page). */
  sessionEndpoint?: string;
  /** Overrides the tag's `status-endpoint`. */
  statusEndpoint?: string;
  /** Overrides the tag's `flow-base-url`. */
  flowBaseUrl?: string;
  /** Overrides the tag's `mode`. */
  mode?: SecurityHeadersMode;
  /** Milliseconds each request may take; default 10000. */
  timeoutMs?: number;
  /**
   * Headers a signed-in browser sends (`cookie`, `authorization`), to get past the app's own login. Sent
   * with every request to the page's origin (the page, same-origin endpoints and scripts), never to
   * another origin, and never printed.
   */
  headers?: Record<string, string>;
  /** For tests. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

export const DEFAULT_DOCTOR_TIMEOUT_MS = 10_000;
const MAX_PAGE_BYTES = 4 * 1024 * 1024;
const MAX_PROBE_BYTES = 256 * 1024;
const MAX_REDIRECTS = 10;
/** The element's own attributes: a tag with none of them is set up by script. */
const OWN_ATTRIBUTES = new Set([
  'session-endpoint', 'session-id', 'status-token', 'status-endpoint', 'mode', 'locale', 'flow-base-url', 'finished-url', 'autostart',
  'timeout', 'popup-fallback', 'warm-url', 'handoff-endpoint', 'handoff', 'resume', 'confirm-timeout', 'api-key',
]);
const PASSWORD_FIELD = /<input\b[^>]*\btype\s*=\s*["']?password\b/i;
/** Same-origin scripts read for key-looking values: a key inlined by a bundler lands in one of them. */
const MAX_SCRIPTS = 20;
const MODES: readonly SecurityHeadersMode[] = ['inline', 'modal', 'popup', 'all'];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** A well-formed session id no session has: the status probe must not read a real one. */
const PROBE_SESSION_ID = '00000000-0000-4000-8000-000000000000';

const isLoopback = (url: URL) => LOOPBACK_HOSTS.has(url.hostname);
const describe = (error: unknown) =>
  error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);

/** Reads at most `limit` bytes of a body as text, and drops the rest. */
async function readText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= limit) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function headerText(headers: Headers): string {
  return [...headers].map(([name, value]) => `${name}: ${value}`).join('\n');
}

function errorCodeOf(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } })?.error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

const listHas = (list: string | undefined | null, item: string) =>
  !!list && list.split(',').some((entry) => ['*', item.toLowerCase()].includes(entry.trim().toLowerCase()));

interface ProbeAnswer extends Probe {
  headers?: Headers;
  body?: string;
}

/** A `#anchor` in the README. */
const ANCHOR = {
  headers: '#headers',
  backend: '#backend',
  attributes: '#attributes',
  popups: '#popups-and-cross-origin-opener-policy',
  security: '#security-model',
} as const;

/**
 * Diagnoses a page. Never throws for what it finds or fails to reach: those are checks.
 *
 * @returns the checks in a fixed order, the probes made, and whether anything blocks.
 * @throws {TypeError} when `url` is not an `http:` or `https:` URL, or `mode` is unknown.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  let pageUrl: URL;
  try {
    pageUrl = new URL(options.url);
  } catch {
    throw new TypeError(`not a URL: ${options.url}`);
  }
  if (pageUrl.protocol !== 'http:' && pageUrl.protocol !== 'https:') throw new TypeError(`not an http: or https: URL: ${options.url}`);
  if (options.mode !== undefined && !MODES.includes(options.mode)) throw new TypeError(`--mode must be one of ${MODES.join(', ')}`);
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOCTOR_TIMEOUT_MS;
  const checks: Check[] = [];
  const probes: ProbeAnswer[] = [];
  const notProbed: string[] = [];
  const add = (check: Check) => checks.push(check);

  // Given headers (a signed-in browser's cookie) go to the page's origin only.
  const given = options.headers ?? {};
  const sentHeaders = Object.keys(given).map((name) => name.toLowerCase());
  const signedIn = (url: URL): Record<string, string> => (url.origin === pageUrl.origin ? given : {});

  const report = (element: ElementAttributes | undefined, extra: Partial<DoctorReport>): DoctorReport => ({
    url: pageUrl.href,
    mode: options.mode ?? 'inline',
    flowBaseUrl: options.flowBaseUrl ?? element?.['flow-base-url'] ?? DEFAULT_FLOW_BASE_URL,
    ...extra,
    // A key in an attribute is reported, never repeated.
    ...(element ? { element: Object.fromEntries(Object.entries(element).map(([name, value]) => [name, /key/i.test(name) ? redact(value) : value])) } : {}),
    checks,
    probes: probes.map(({ headers: _headers, body: _body, ...probe }) => probe),
    notProbed,
    blocking: checks.some((check) => check.status === 'fail'),
    ...(sentHeaders.length > 0 ? { sentHeaders } : {}),
  });

  // The page. Redirects are followed here, so that the given headers stay on the page's origin.
  let response: Response;
  let html: string;
  let finalUrl = pageUrl;
  try {
    for (let redirects = 0; ; redirects++) {
      response = await fetchImpl(finalUrl, {
        redirect: 'manual',
        headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', ...signedIn(finalUrl) },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || location === null) break;
      await response.body?.cancel();
      if (redirects === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
      finalUrl = new URL(location, finalUrl);
    }
    html = await readText(response, MAX_PAGE_BYTES);
  } catch (error) {
    add({ id: 'page', status: 'fail', message: `could not fetch ${pageUrl.href}: ${describe(error)}`, fix: 'check the URL, and that the server answers within the timeout (--timeout)' });
    return report(undefined, {});
  }
  const pageOrigin = finalUrl.origin;
  const redirected = finalUrl.href !== pageUrl.href ? ` (redirected to ${finalUrl.href})` : '';
  const contentType = response.headers.get('content-type') ?? 'no content type';
  const elements = findElements(html);
  const loginFix = `pass what a signed-in browser sends: --cookie 'name=value' (from the browser's developer tools) or --header 'Authorization: ...'${sentHeaders.length > 0 ? ` (the ${sentHeaders.join(', ')} given did not get past it)` : ''}`;
  if (response.status === 401 || response.status === 403) {
    add({ id: 'page', status: 'warn', message: `${response.status} ${contentType}${redirected}: the page wants a sign-in, so the doctor sees what a signed-out visitor sees`, fix: loginFix });
  } else if (elements.length === 0 && PASSWORD_FIELD.test(html)) {
    add({ id: 'page', status: 'warn', message: `${response.status}${redirected}: a sign-in form (a password field) and no <biometric-flow>: the page wants a sign-in`, fix: loginFix });
  } else if (response.ok && /html/i.test(contentType)) {
    add({ id: 'page', status: 'pass', message: `${response.status} ${contentType}${redirected}` });
  } else {
    add({
      id: 'page',
      status: 'warn',
      message: `${response.status} ${contentType}${redirected}: the headers checked below may not be those of the page people see`,
      fix: 'point the doctor at the page that holds the element, as a visitor gets it',
    });
  }

  // The element and what it is configured with. A framework that sets properties (biometric-flow/react)
  // serves the bare tag: its endpoints and flow URL exist only in the browser.
  const element = elements[0];
  const bare = element !== undefined && !Object.keys(element).some((name) => OWN_ATTRIBUTES.has(name));
  const setUpByScript = (!element || bare) && options.sessionEndpoint === undefined;
  const flags = '--session-endpoint <path> [--status-endpoint <path>] [--mode inline|modal|popup] [--flow-base-url <url>]';
  if (element && !bare) {
    const shown = ['session-endpoint', 'status-endpoint', 'mode', 'flow-base-url']
      .filter((name) => element[name] !== undefined)
      .map((name) => `${name}="${element[name]}"`)
      .join(' ');
    add({
      id: 'element',
      status: 'pass',
      message: `<biometric-flow${shown ? ` ${shown}` : ''}>${elements.length > 1 ? ` (the first of ${elements.length})` : ''}`,
    });
  } else if (!setUpByScript) {
    add({ id: 'element', status: 'pass', message: `${element ? '<biometric-flow> without attributes' : 'no <biometric-flow> tag'} in the served HTML: checked with the command line options` });
  } else if (element) {
    add({
      id: 'element',
      status: 'warn',
      message: '<biometric-flow> without any of its attributes in the served HTML: a framework sets it up by script in the browser (properties, as biometric-flow/react does), so its endpoints, mode and flow URL cannot be read here: checking with defaults',
      fix: `pass them as the page sets them: ${flags}`,
    });
  } else {
    add({
      id: 'element',
      status: 'warn',
      message: 'no <biometric-flow> tag in the served HTML (rendered by script?): checking with the command line options and defaults',
      fix: `pass them as the page sets them: ${flags}`,
    });
  }
  let mode: SecurityHeadersMode = options.mode ?? 'inline';
  if (options.mode === undefined && element?.mode !== undefined) {
    if (MODES.includes(element.mode as SecurityHeadersMode) && element.mode !== 'all') mode = element.mode as SecurityHeadersMode;
    else add({ id: 'element', status: 'warn', message: `mode="${element.mode}" is not a mode: the element uses inline`, fix: 'use inline, modal or popup', anchor: ANCHOR.attributes });
  }
  const framed = mode !== 'popup'; // popup mode frames the flow only when the popup is blocked
  const popups = mode === 'popup' || mode === 'all';
  const sessionValue = options.sessionEndpoint ?? element?.['session-endpoint'];
  const statusValue = options.statusEndpoint ?? element?.['status-endpoint'];
  const flowValue = options.flowBaseUrl ?? element?.['flow-base-url'] ?? DEFAULT_FLOW_BASE_URL;
  // The default flow URL stands in for one the page may set by script (the emulator's, in development):
  // a policy that leaves the default out is then a doubt, not a block.
  const flowGuessed = (!element || bare) && options.flowBaseUrl === undefined;
  const guessNote = flowGuessed ? ' (judged against the default flow-base-url; pass --flow-base-url if the page sets another)' : '';

  // Secure context and mixed content.
  const secure = finalUrl.protocol === 'https:' || isLoopback(finalUrl);
  if (secure) {
    add({ id: 'secure-context', status: 'pass', message: finalUrl.protocol === 'https:' ? 'https: page' : 'http: on a loopback host: a secure context for development' });
  } else {
    add({
      id: 'secure-context',
      status: 'fail',
      message: `${finalUrl.origin} is http: on a non-loopback host: not a secure context, so the camera will not work (the element stops with insecure-context)`,
      fix: 'serve the page over https:',
      anchor: ANCHOR.security,
    });
  }
  const mixed = (url: URL) => finalUrl.protocol === 'https:' && url.protocol === 'http:' && !isLoopback(url);

  let flowUrl: URL | undefined;
  try {
    flowUrl = new URL(flowValue, finalUrl);
  } catch {
    add({ id: 'flow-url', status: 'fail', message: `flow-base-url is not a URL: ${flowValue}`, fix: 'use an absolute https: URL', anchor: ANCHOR.attributes });
  }
  if (flowUrl) {
    if (!isAllowedFlowUrl(flowUrl)) {
      add({
        id: 'flow-url',
        status: 'fail',
        message: `flow-base-url ${flowUrl.href} is not https: (the element refuses it: flow-url-invalid${mixed(flowUrl) ? '; it would be mixed content too' : ''})`,
        fix: 'use https: (http: only on loopback hosts, for the emulator)',
        anchor: ANCHOR.attributes,
      });
    } else {
      add({ id: 'flow-url', status: 'pass', message: `flow at ${flowUrl.origin}` });
    }
  }
  // An invalid flow URL is reported once, above; the policy checks then have no origin to judge.
  const flowOrigin = flowUrl && isAllowedFlowUrl(flowUrl) ? flowUrl.origin : undefined;

  const endpoint = (value: string | undefined, id: 'session-endpoint' | 'status-endpoint'): URL | undefined => {
    if (value === undefined || value === '') return undefined;
    let url: URL;
    try {
      url = new URL(value, finalUrl);
    } catch {
      add({ id, status: 'fail', message: `${id} is not a URL: ${value}`, fix: 'use a path (/api/biometric/session) or an https: URL', anchor: ANCHOR.attributes });
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      add({ id, status: 'fail', message: `${id} ${url.href} is not http(s):`, fix: 'use a path or an https: URL', anchor: ANCHOR.attributes });
      return undefined;
    }
    if (mixed(url)) {
      add({
        id,
        status: 'fail',
        message: `${id} ${url.href} is http: on an https: page: mixed content, the browser blocks the request`,
        fix: 'serve the endpoint over https: (or use a path on the page\'s own origin)',
        anchor: ANCHOR.security,
      });
      return undefined;
    }
    return url;
  };
  const sessionUrl = endpoint(sessionValue, 'session-endpoint');
  const statusUrl = endpoint(statusValue, 'status-endpoint');
  if (sessionValue === undefined || sessionValue === '') {
    if (element?.['session-id'] !== undefined) {
      add({ id: 'session-endpoint', status: 'warn', message: 'no session-endpoint: the tag carries a session-id made by the page, so no session request is checked' });
    } else if (!element || bare) {
      // The tag is made or set up by a script the doctor does not run: the endpoint may well be there in the browser.
      add({
        id: 'session-endpoint',
        status: 'warn',
        message: `no session endpoint checked: the served HTML has ${element ? 'only a bare <biometric-flow> tag' : 'no <biometric-flow> tag'} to read it from`,
        fix: 'pass --session-endpoint (the path or URL the page gives the element)',
        anchor: ANCHOR.attributes,
      });
    } else {
      add({
        id: 'session-endpoint',
        status: 'fail',
        message: 'no session endpoint: the tag has no session-endpoint attribute and none was given (the element stops with missing-endpoint)',
        fix: 'set session-endpoint="/api/biometric/session" on the element and serve createSessionHandler there (or pass --session-endpoint if a script sets it)',
        anchor: ANCHOR.backend,
      });
    }
  }

  // Camera, microphone and fullscreen: for the page itself, and delegated to the flow's frame.
  const permissions = parsePermissionsPolicy(response.headers.get('permissions-policy'));
  const features = parseFeaturePolicy(response.headers.get('feature-policy'));
  const policyFor = (feature: string): { list: Allowlist; header: string } | undefined => {
    const fromPermissions = permissions.get(feature);
    if (fromPermissions) return { list: fromPermissions, header: 'Permissions-Policy' };
    const fromFeature = features.get(feature);
    return fromFeature ? { list: fromFeature, header: 'Feature-Policy' } : undefined;
  };
  const wanted = flowOrigin ? securityHeaders({ flowBaseUrl: flowOrigin }) : undefined;
  const policyFix = wanted ? `send Permissions-Policy: ${wanted['Permissions-Policy']} (securityHeaders())` : 'allow the feature for self and the flow origin';
  const policyProblems: Check[] = [];
  for (const feature of ['camera', 'microphone', 'fullscreen']) {
    const policy = policyFor(feature);
    if (!policy) continue;
    const severity: CheckStatus = feature === 'camera' ? 'fail' : 'warn';
    if (!allows(policy.list, pageOrigin, pageOrigin)) {
      // A popup is a document of its own, outside this policy: the element falls back to one from a click.
      policyProblems.push({
        id: 'camera-policy',
        status: framed ? severity : 'warn',
        message: `${policy.header} ${policy.list.text} forbids the ${feature} to the page itself, so its frames get none${
          feature !== 'camera' ? '' : framed ? ' (the element reports camera-blocked-by-policy and, from a click, opens a popup instead)' : ' (popup mode: only the fallback dialog is affected)'
        }`,
        fix: policyFix,
        anchor: ANCHOR.headers,
      });
    } else if (flowOrigin && !allows(policy.list, flowOrigin, pageOrigin)) {
      policyProblems.push({
        id: 'camera-policy',
        status: framed && !flowGuessed ? severity : 'warn',
        message: `${policy.header} ${policy.list.text} does not delegate the ${feature} to ${flowOrigin}: the flow's frame gets none${framed ? '' : ' (popup mode: only when the popup is blocked and the flow falls back to a dialog)'}${guessNote}`,
        fix: policyFix,
        anchor: ANCHOR.headers,
      });
    }
  }
  if (policyProblems.length > 0) checks.push(...policyProblems);
  else add({ id: 'camera-policy', status: 'pass', message: permissions.size + features.size > 0 ? 'camera, microphone and fullscreen allowed for the page and the flow' : 'no Permissions-Policy: the frame gets the camera through its allow attribute' });

  // Content-Security-Policy, from headers and <meta>; report-only policies block nothing.
  const policies = [...splitPolicies(response.headers.get('content-security-policy')), ...metaPolicies(html, 'content-security-policy')];
  const directivesFix = (kind: 'frame-src' | 'connect-src', source: string) =>
    `add ${source} to ${kind} (cspDirectives() and mergeContentSecurityPolicy() from biometric-flow/server)`;
  if (flowUrl && flowOrigin) {
    const blocked = judgeCsp(policies, 'frame-src', new URL('flow/00000000-0000-4000-8000-000000000000', flowUrl.href.endsWith('/') ? flowUrl : `${flowUrl.href}/`), finalUrl).filter((verdict) => !verdict.allowed);
    if (blocked.length === 0) {
      add({ id: 'csp-frame', status: 'pass', message: policies.length > 0 ? `CSP allows frames from ${flowOrigin}` : 'no Content-Security-Policy' });
    } else {
      const verdict = blocked[0]!;
      add({
        id: 'csp-frame',
        status: framed && !flowGuessed ? 'fail' : 'warn',
        message: `CSP ${verdict.directive} ${verdict.sources.join(' ') || "''"} does not allow ${flowOrigin}: the flow's frame stays blank${framed ? '' : ' (popup mode: only when the popup is blocked and the flow falls back to a dialog)'}${guessNote}`,
        fix: directivesFix('frame-src', flowOrigin!),
        anchor: ANCHOR.headers,
      });
    }
  }
  const connectProblems: Check[] = [];
  for (const [name, url] of [['session-endpoint', sessionUrl], ['status-endpoint', statusUrl]] as const) {
    if (!url) continue;
    const verdict = judgeCsp(policies, 'connect-src', url, finalUrl).find((candidate) => !candidate.allowed);
    if (verdict) {
      connectProblems.push({
        id: 'csp-connect',
        status: 'fail',
        message: `CSP ${verdict.directive} ${verdict.sources.join(' ') || "''"} does not allow the ${name} ${url.href}: the request is blocked`,
        fix: directivesFix('connect-src', url.origin === pageOrigin ? "'self'" : url.origin),
        anchor: ANCHOR.headers,
      });
    }
  }
  if (connectProblems.length > 0) checks.push(...connectProblems);
  else if (sessionUrl || statusUrl) add({ id: 'csp-connect', status: 'pass', message: policies.length > 0 ? 'CSP allows the requests to the endpoints' : 'no Content-Security-Policy' });

  // Popups and the opener policy.
  const coop = response.headers.get('cross-origin-opener-policy')?.split(';')[0]?.trim().toLowerCase();
  if (popups && coop === 'same-origin') {
    add({
      id: 'coop',
      status: statusUrl ? 'warn' : 'fail',
      message: `Cross-Origin-Opener-Policy: same-origin cuts the popup off as soon as it reaches the flow${statusUrl ? ': the element can only wait for the status endpoint' : ' (the element stops with popup-severed)'}`,
      fix: 'send Cross-Origin-Opener-Policy: same-origin-allow-popups on this page, or use inline or modal mode',
      anchor: ANCHOR.popups,
    });
  } else if (popups) {
    add({ id: 'coop', status: 'pass', message: `Cross-Origin-Opener-Policy: ${coop ?? 'none'}: popups keep their link` });
  }
  const coep = response.headers.get('cross-origin-embedder-policy')?.split(';')[0]?.trim().toLowerCase();
  if (framed && (coep === 'require-corp' || coep === 'credentialless')) {
    add({
      id: 'coep',
      status: 'warn',
      message: `Cross-Origin-Embedder-Policy: ${coep}: the flow's frame loads only if ${flowOrigin ?? 'the flow'} serves a matching Cross-Origin-Embedder-Policy and Cross-Origin-Resource-Policy: cross-origin`,
      fix: 'drop COEP on this page unless it needs cross-origin isolation, or use popup mode',
      anchor: ANCHOR.headers,
    });
  }

  // The endpoints, asked only what creates nothing.
  const probe = async (method: 'GET' | 'OPTIONS', url: URL, headers: Record<string, string>): Promise<ProbeAnswer> => {
    const answer: ProbeAnswer = { method, url: url.href };
    try {
      const probeResponse = await fetchImpl(url, { method, headers: { ...signedIn(url), origin: pageOrigin, ...headers }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      answer.status = probeResponse.status;
      answer.headers = probeResponse.headers;
      answer.body = await readText(probeResponse, MAX_PROBE_BYTES);
      const allow = probeResponse.headers.get('allow') ?? probeResponse.headers.get('access-control-allow-methods');
      if (allow !== null) answer.allow = allow;
      const code = errorCodeOf(answer.body);
      if (code !== undefined) answer.code = code;
    } catch (error) {
      answer.error = describe(error);
    }
    probes.push(answer);
    return answer;
  };
  const shown = (answer: ProbeAnswer) =>
    answer.error !== undefined
      ? `${answer.method} → ${answer.error}`
      : `${answer.method} → ${answer.status}${answer.code ? ` ${answer.code}` : ''}${answer.allow ? ` (Allow: ${answer.allow})` : ''}`;
  // A 401 or 403 that is none of the handlers' own codes comes from something in front of them: the app's login.
  const HANDLER_REFUSALS = new Set(['status-token-invalid', 'forbidden', 'forbidden-origin']);
  const loginInFront = (answer: ProbeAnswer) => (answer.status === 401 || answer.status === 403) && !HANDLER_REFUSALS.has(answer.code ?? '');
  const loginMessage = (url: URL, seen: string) =>
    `${url.href} answers ${seen}, which is not the handler's own answer: the app's sign-in (or another check) in front of it answered, so the handler was not reached`;
  const refusedOrigin = (...answers: ProbeAnswer[]) => answers.some((answer) => answer.status === 403 && answer.code === 'forbidden-origin');
  const originFix = (url: URL) =>
    url.origin === pageOrigin
      ? `the handler works its own origin out from request.url, which differs here (proxy or dev server): pass allowedOrigins: ['${pageOrigin}'], or trustProxy: true behind a proxy that sets X-Forwarded-Host`
      : `pass allowedOrigins: ['${pageOrigin}'] to the handler`;
  const corsProblem = (preflight: ProbeAnswer, header: string): string | undefined => {
    if (preflight.status === undefined || preflight.status < 200 || preflight.status > 299) return `the CORS preflight answers ${preflight.status ?? preflight.error}`;
    const allowOrigin = preflight.headers?.get('access-control-allow-origin');
    if (allowOrigin !== pageOrigin && allowOrigin !== '*') return `the CORS preflight grants Access-Control-Allow-Origin ${allowOrigin ?? '(none)'}, not ${pageOrigin}`;
    if (!listHas(preflight.headers?.get('access-control-allow-headers'), header)) return `the CORS preflight does not allow the ${header} header`;
    return undefined;
  };

  if (sessionUrl) {
    const cross = sessionUrl.origin !== pageOrigin;
    const options_ = await probe('OPTIONS', sessionUrl, { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
    const get = await probe('GET', sessionUrl, { accept: 'application/json' });
    notProbed.push(`POST ${sessionUrl.href}: it would create a session, which the vendor bills`);
    const seen = `${shown(options_)}, ${shown(get)}`;
    const postAllowed = (answer: ProbeAnswer) => listHas(answer.allow, 'POST');
    const present =
      (get.status === 405 && postAllowed(get)) ||
      get.code === 'method-not-allowed' ||
      (options_.status !== undefined && options_.status >= 200 && options_.status < 300 && postAllowed(options_));
    const absent = (answer: ProbeAnswer) => answer.status === 404 || answer.status === 410 || (answer.status === 405 && !postAllowed(answer));
    const redirect = [options_, get].find((answer) => answer.status !== undefined && answer.status >= 300 && answer.status < 400);
    const cors = cross ? corsProblem(options_, 'content-type') : undefined;
    if (options_.error !== undefined && get.error !== undefined) {
      add({ id: 'session-endpoint', status: 'fail', message: `${sessionUrl.href} could not be reached: ${get.error}`, fix: 'check the endpoint URL and that the server is up', anchor: ANCHOR.backend });
    } else if (refusedOrigin(options_, get)) {
      add({ id: 'session-endpoint', status: 'fail', message: `${sessionUrl.href} refuses this page's origin ${pageOrigin} (403 forbidden-origin): ${seen}`, fix: originFix(sessionUrl), anchor: ANCHOR.backend });
    } else if (absent(get) && (options_.status === undefined || absent(options_) || options_.status >= 400)) {
      add({ id: 'session-endpoint', status: 'fail', message: `nothing answers POST at ${sessionUrl.href}: ${seen}`, fix: 'serve createSessionHandler at this path (POST and OPTIONS), or fix session-endpoint', anchor: ANCHOR.backend });
    } else if (cors) {
      add({ id: 'session-endpoint', status: 'fail', message: `${sessionUrl.href} is on another origin and ${cors}: the browser blocks the POST`, fix: `pass allowedOrigins: ['${pageOrigin}'] and route OPTIONS to the handler too`, anchor: ANCHOR.backend });
    } else if (redirect) {
      add({ id: 'session-endpoint', status: 'warn', message: `${sessionUrl.href} answers with a redirect (${seen}): a 301 or 302 turns the POST into a GET`, fix: `set session-endpoint to the final URL${redirect.headers?.get('location') ? ` (${redirect.headers.get('location')})` : ''}`, anchor: ANCHOR.attributes });
    } else if (!present && [options_, get].some(loginInFront)) {
      add({ id: 'session-endpoint', status: 'warn', message: loginMessage(sessionUrl, seen), fix: loginFix, anchor: ANCHOR.backend });
    } else if (present) {
      add({ id: 'session-endpoint', status: 'pass', message: `${sessionUrl.href} takes POST: ${seen} (POST not sent: it would create a billed session)` });
    } else {
      add({
        id: 'session-endpoint',
        status: 'warn',
        message: `could not tell whether a session handler answers at ${sessionUrl.href}: ${seen} (POST not sent: it would create a billed session)`,
        fix: 'createSessionHandler answers GET with 405 and Allow: POST, OPTIONS: route every method of this path to it',
        anchor: ANCHOR.backend,
      });
    }
  }

  if (statusUrl) {
    const url = new URL(statusUrl);
    url.searchParams.set('session_id', PROBE_SESSION_ID);
    const cross = statusUrl.origin !== pageOrigin;
    const preflight = cross ? await probe('OPTIONS', url, { 'access-control-request-method': 'GET', 'access-control-request-headers': 'biometric-status-token' }) : undefined;
    const get = await probe('GET', url, { accept: 'application/json' });
    const seen = [preflight, get].filter((answer) => answer !== undefined).map(shown).join(', ');
    const cors = preflight ? corsProblem(preflight, 'biometric-status-token') : undefined;
    if (get.error !== undefined) {
      add({ id: 'status-endpoint', status: 'fail', message: `${statusUrl.href} could not be reached: ${get.error}`, fix: 'check the endpoint URL and that the server is up', anchor: ANCHOR.backend });
    } else if (refusedOrigin(get, ...(preflight ? [preflight] : []))) {
      add({ id: 'status-endpoint', status: 'fail', message: `${statusUrl.href} refuses this page's origin ${pageOrigin} (403 forbidden-origin): ${seen}`, fix: originFix(statusUrl), anchor: ANCHOR.backend });
    } else if (get.status === 404 || get.status === 410 || (get.status === 405 && !listHas(get.allow, 'GET'))) {
      add({ id: 'status-endpoint', status: 'fail', message: `nothing answers GET at ${statusUrl.href}: ${seen}`, fix: 'serve createStatusHandler at this path, or fix status-endpoint', anchor: ANCHOR.backend });
    } else if (cors) {
      add({ id: 'status-endpoint', status: 'fail', message: `${statusUrl.href} is on another origin and ${cors}: the browser blocks the status requests`, fix: `pass allowedOrigins: ['${pageOrigin}'] and route OPTIONS to the handler too`, anchor: ANCHOR.backend });
    } else if (loginInFront(get)) {
      add({ id: 'status-endpoint', status: 'warn', message: `${loginMessage(statusUrl, seen)}: whether it checks the status token is not known`, fix: loginFix, anchor: ANCHOR.backend });
    } else if (get.status === 401) {
      add({ id: 'status-endpoint', status: 'pass', message: `${statusUrl.href} wants a status token: ${seen} (no token sent, so no vendor call)` });
    } else if (get.status === 403) {
      add({ id: 'status-endpoint', status: 'pass', message: `${statusUrl.href} refuses a caller its authorize does not know: ${seen} (no vendor call)` });
    } else if (get.status !== undefined && get.status >= 200 && get.status < 300) {
      add({
        id: 'status-endpoint',
        status: 'warn',
        message: `${statusUrl.href} answered a made-up session without a status token: ${seen}`,
        fix: 'use createStatusHandler (it asks for the Biometric-Status-Token header), or check the caller in your own authorize',
        anchor: ANCHOR.security,
      });
    } else {
      add({ id: 'status-endpoint', status: 'warn', message: `could not tell whether a status handler answers at ${statusUrl.href}: ${seen}`, fix: 'serve createStatusHandler at this path', anchor: ANCHOR.backend });
    }
  }

  // Anything that looks like the vendor key, where a browser could see it.
  const leaks: string[] = [];
  if (element?.['api-key'] !== undefined) leaks.push('an api-key attribute on <biometric-flow> (the element refuses to start: api-key-exposed)');
  const scan = (where: string, text: string) => {
    for (const found of findKeyLookalikes(text)) leaks.push(`${where}: ${found.name} = ${found.redacted}`);
  };
  scan('the page HTML', html);
  scan('the page headers', headerText(response.headers));
  const scripts = [
    ...new Set(
      scriptSources(html).flatMap((source) => {
        try {
          const url = new URL(source, finalUrl);
          return url.origin === pageOrigin ? [url.href] : [];
        } catch {
          return [];
        }
      }),
    ),
  ].slice(0, MAX_SCRIPTS);
  let scriptsRead = 0;
  for (const script of scripts) {
    try {
      const scriptResponse = await fetchImpl(script, { headers: signedIn(new URL(script)), signal: AbortSignal.timeout(timeoutMs) });
      if (!scriptResponse.ok) {
        await scriptResponse.body?.cancel();
        continue;
      }
      scan(script, await readText(scriptResponse, MAX_PAGE_BYTES));
      scriptsRead += 1;
    } catch {
      // A script that cannot be read here is not one the doctor can judge; the browser reports its own failures.
    }
  }
  for (const answer of probes) {
    if (answer.headers) scan(`${answer.method} ${answer.url} headers`, headerText(answer.headers));
    if (answer.body) scan(`${answer.method} ${answer.url} body`, answer.body);
  }
  if (leaks.length > 0) {
    add({
      id: 'key-leak',
      status: 'fail',
      message: `a key-looking value where browsers see it — ${leaks.join('; ')}`,
      fix: 'keep the API key on the server (createSessionHandler reads it from the environment) and rotate this one in the vendor dashboard',
      anchor: ANCHOR.security,
    });
  } else {
    const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
    add({ id: 'key-leak', status: 'pass', message: `no key-looking value in the page, ${plural(scriptsRead, 'same-origin script')} or ${plural(probes.length, 'probe answer')}` });
  }

  return report(element, {
    finalUrl: finalUrl.href,
    status: response.status,
    mode,
    flowBaseUrl: flowUrl?.href ?? flowValue,
    ...(sessionUrl ? { sessionEndpoint: sessionUrl.href } : {}),
    ...(statusUrl ? { statusEndpoint: statusUrl.href } : {}),
    ...(setUpByScript ? { setUpByScript: { flags } } : {}),
  });
}

const MARKS: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warn: '!' };
/** Where the anchors point: the README shipped in the package and shown on its npm page. */
const README = 'README.md';

/** The report as lines of text: one per check, with its fix and README anchor under it. */
export function formatReport(report: DoctorReport): string {
  const lines = [`biometric-flow doctor ${report.finalUrl ?? report.url}  (mode ${report.mode}, flow ${report.flowBaseUrl})`];
  for (const check of report.checks) {
    lines.push(`${MARKS[check.status]} ${check.id}: ${check.message}`);
    if (check.fix && check.status !== 'pass') lines.push(`    fix: ${check.fix}${check.anchor ? ` — ${README}${check.anchor}` : ''}`);
  }
  for (const skipped of report.notProbed) lines.push(`  not probed: ${skipped}`);
  const failures = report.checks.filter((check) => check.status === 'fail').length;
  const warnings = report.checks.filter((check) => check.status === 'warn').length;
  const counts = `${failures} blocking problem${failures === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  if (report.setUpByScript) {
    // Counting problems found under defaults would mislead: say what to pass instead.
    lines.push(
      `<biometric-flow> is set up by script, so this ran on defaults${failures > 0 ? ` (${counts})` : ''}: run again with ${report.setUpByScript.flags}, as the page sets them.`,
    );
  } else {
    lines.push(failures > 0 ? `${counts}: the flow will not work on this page as served.` : `${counts}: nothing blocks the flow.`);
  }
  return `${lines.join('\n')}\n`;
}
