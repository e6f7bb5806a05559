// Console help for configuration mistakes: what is wrong, the fix and the README's section, once per
// element and cause. Recognised by the error's code and the element's attributes, never by the words of
// a message, so that rewording one keeps its help.
import type { FlowConfig } from '../configuration.js';
import type { FlowError } from '../errors.js';
import { DEFAULT_FLOW_BASE_URL } from '../flow-url.js';

/** The README on npm: each configuration mistake has a section there (checked by test/node/readme.test.ts). */
const README = 'https://www.npmjs.com/package/biometric-flow';

/** What the console is told of an element: its tag, with its `id` when it has one. */
function elementName(element: Element): string {
  return `<${element.localName}${element.id ? ` id="${element.id}"` : ''}>`;
}


/**
 * Which attribute a `missing-endpoint` is about: a handoff that cannot learn its end (`handoff-endpoint`
 * without `status-endpoint`, not turned off) is decided, and so told, before a missing session endpoint.
 */
function missingAttribute(element: FlowConfig): 'handoff-endpoint' | 'session-endpoint' {
  return element.handoffEndpoint && !element.statusEndpoint && element.handoff !== 'off' ? 'handoff-endpoint' : 'session-endpoint';
}

const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])$/;

/**
 * Which attribute a `flow-url-invalid` is about: `flow-base-url` is checked first (unset, it is the
 * vendor's https: default), then `finished-url`. The rule is flow-url.ts's: https:, or http: on a
 * loopback host (not imported from there: each name the core exports to a chunk costs the core bytes).
 */
function invalidUrlAttribute(element: FlowConfig): 'flow-base-url' | 'finished-url' {
  if (!element.flowBaseUrl) return 'finished-url';
  try {
    const { protocol, hostname } = new URL(element.flowBaseUrl, document.baseURI);
    return protocol === 'https:' || (protocol === 'http:' && LOOPBACK.test(hostname)) ? 'finished-url' : 'flow-base-url';
  } catch {
    return 'flow-base-url';
  }
}

/** Why the browser can never fetch `endpoint` from this page, or `undefined` if it can. */
function unfetchable(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint, document.baseURI);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `uses ${url.protocol}, which fetch cannot send a request to`;
  if (location.protocol === 'https:' && url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    return 'is http: on an https: page: the browser blocks it as mixed content';
  }
  return undefined;
}

/** A configuration mistake: the cause it is told once for, what is wrong, the fix, the README's `#anchor`. */
type Mistake = [cause: string, wrong: string, fix: string, anchor: string];

/** The configuration mistake behind `error`, if it is one; `undefined` for anything a person or network caused. */
function mistakeOf(element: FlowConfig, error: FlowError): Mistake | undefined {
  const { code, serverCode, status } = error;
  const page = location.origin;
  const statusRequest = code === 'status-request-failed';
  const attribute = statusRequest ? 'status-endpoint' : 'session-endpoint';
  const endpoint = statusRequest ? element.statusEndpoint : element.sessionEndpoint;
  const answered = `${attribute} (${endpoint}) answered HTTP ${status} ${serverCode ?? ''}`.trimEnd();
  switch (code) {
    case 'missing-endpoint':
      if (missingAttribute(element) === 'handoff-endpoint') {
        return [
          'handoff-endpoint',
          'it has handoff-endpoint but no status-endpoint: a flow continued on a phone ends out of this page\'s sight, and only the status endpoint can tell. No start asks for a session until then.',
          "set status-endpoint to your server's status route (createStatusHandler), with the same tokenSecret as the handoff handler; or remove handoff-endpoint.",
          '#continue-on-a-phone',
        ];
      }
      return [
        code,
        'it has neither session-endpoint nor session-id, so it cannot get a session.',
        "set session-endpoint to your server's session route (createSessionHandler from biometric-flow/server), or session-id to a session your server created.",
        '#missing-endpoint',
      ];
    case 'api-key-exposed':
      return [
        code,
        'it was given an API key (an api-key attribute, an apiKey property or a key in context): anyone who opens the page can read it. Nothing was sent.',
        'remove the key from the page and rotate it; create sessions on your server with biometric-flow/server, which keeps the key there.',
        '#api-key-exposed',
      ];
    case 'insecure-context':
      return [
        code,
        `the page (${page}) is not a secure context, and browsers give the camera only to secure ones.`,
        'serve the page over https: (while developing, http://localhost or http://127.0.0.1 also count as secure).',
        '#insecure-context',
      ];
    case 'camera-blocked-by-policy':
      return [
        code,
        "the page's Permissions-Policy does not allow the camera, so the flow's frame cannot use it" +
          (element.getAttribute('state') === 'error' ? '.' : ' (this start goes on in a popup).'),
        'send Permissions-Policy: camera=(self "<flow origin>") with the page (securityHeaders() from biometric-flow/server does), or use mode="popup".',
        '#camera-blocked-by-policy',
      ];
    case 'flow-url-invalid':
      return [
        invalidUrlAttribute(element),
        `${error.message}.`,
        'give a URL with https: (http: only on localhost, 127.0.0.1 or [::1]), or leave flow-base-url unset for the default.',
        '#flow-url-invalid',
      ];
    case 'flow-blocked-by-policy': {
      const origin = flowOrigin(element);
      return [
        code,
        `the page's Content-Security-Policy does not allow frames of ${origin} (${flowBaseUrlSaid(element)}), so the flow cannot show here.`,
        `add ${origin} to frame-src of the page's Content-Security-Policy ${FROM_FLOW_BASE_URL}`,
        '#flow-blocked-by-policy',
      ];
    }
    case 'popup-severed':
      return [
        code,
        "the page lost the popup the flow runs in, most likely to the page's Cross-Origin-Opener-Policy, and has no status-endpoint to learn the end from.",
        'send Cross-Origin-Opener-Policy: same-origin-allow-popups (securityHeaders() does) instead of same-origin, or set status-endpoint.',
        '#popup-severed',
      ];
    case 'session-invalid-response':
      return [
        code,
        `session-endpoint (${endpoint}) did not answer a session: ${error.message}.`,
        'point session-endpoint at the route that runs createSessionHandler; a page route or a dev server that does not forward the request to your backend answers like this.',
        '#session-invalid-response',
      ];
  }
  switch (serverCode) {
    case 'forbidden-origin':
      return [
        `${serverCode} ${attribute}`,
        `${answered}: the server's origin check refused this page's origin, ${page}.`,
        `add ${page} to the handler's allowedOrigins (or BIOMETRIC_ALLOWED_ORIGINS); behind a proxy or dev server that changes Host, set trustProxy or allowedOrigins. The server's log names the origin it got and the ones it allows.`,
        '#forbidden-origin',
      ];
    case 'configuration-error':
      return [
        `${serverCode} ${attribute}`,
        `${answered}: the server-side handler is not configured (BIOMETRIC_API_KEY not set, for example).`,
        "the server's log names what is missing: set it and restart the server.",
        '#configuration-error',
      ];
    case 'subscription-inactive':
      return [
        serverCode,
        `${answered}: the Biometric.Vision subscription behind the server's API key is not active.`,
        'renew the subscription, or use the API key of an active one.',
        '#subscription-inactive',
      ];
    case 'status-token-invalid':
      // Only a token never sent is a mistake of the page: one that was sent may just have expired.
      if (element.session?.statusToken) return undefined;
      return [
        serverCode,
        `${answered}: the session has no status token to send.`,
        'give status-token along with session-id (the status_token your server got with the session), or let the element create the session through session-endpoint.',
        '#status-token-invalid',
      ];
  }
  if (status === 404 || status === 405) {
    return [
      `not-found ${attribute}`,
      `${answered}: there is no such route for this request (${statusRequest ? 'GET' : 'POST'}).`,
      `point ${attribute} at the route that runs ${statusRequest ? 'createStatusHandler' : 'createSessionHandler'}, and let that route take ${statusRequest ? 'GET' : 'POST'} requests.`,
      '#endpoint-not-found',
    ];
  }
  const why = status === undefined && endpoint ? unfetchable(endpoint) : undefined;
  if (why && (statusRequest || code === 'session-request-failed')) {
    return [
      `url ${attribute}`,
      `${attribute} (${endpoint}) ${why}.`,
      `give ${attribute} an https: URL, or a path on this page's origin.`,
      '#endpoint-url-invalid',
    ];
  }
  return undefined;
}

/** The origin the element's flow is on: `flow-base-url`'s, or the default's. */
function flowOrigin(element: FlowConfig): string {
  try {
    return new URL(element.flowBaseUrl || DEFAULT_FLOW_BASE_URL, document.baseURI).origin;
  } catch {
    return DEFAULT_FLOW_BASE_URL;
  }
}

/**
 * How a page gets headers that match its element, and the other side of the disagreement: a flow-base-url
 * fixed in the page's build (Next.js inlines NEXT_PUBLIC_ variables at build time) while the headers moved on.
 */
const FROM_FLOW_BASE_URL =
  "(securityHeaders({ flowBaseUrl }) from biometric-flow/server sends the right one); or, if the page's policy is right, flow-base-url is not: a value baked in at build time (NEXT_PUBLIC_…) needs a new build.";

/** `flow-base-url` as the element has it, for a developer to compare with what the page's headers name. */
function flowBaseUrlSaid(element: FlowConfig): string {
  return element.flowBaseUrl ? `flow-base-url="${element.flowBaseUrl}"` : `flow-base-url unset: the default, ${DEFAULT_FLOW_BASE_URL}`;
}

interface FramePolicy {
  allowsFeature(feature: string): boolean;
}

/**
 * The camera refused inside the element's flow frame: the page may use it, but its Permissions-Policy
 * names other origins than the frame's (`camera=(self)`, or an old flow origin). Only Chromium can tell,
 * through the frame's `featurePolicy` (the policy the frame gets from the page and its `allow`): a page's
 * own `getAllowlistForFeature('camera')` reads `[self]` under the default policy too, which delegates.
 */
function frameWithoutCamera(element: Element): Mistake | undefined {
  // The flow's frame, the one with `allow` (the warm-up frame has none, and is gone once the flow loaded).
  const frame = element.shadowRoot?.querySelector<HTMLIFrameElement>('iframe[allow]');
  const policy = (frame as (HTMLIFrameElement & { featurePolicy?: FramePolicy }) | null | undefined)?.featurePolicy;
  if (!frame || typeof policy?.allowsFeature !== 'function' || policy.allowsFeature('camera')) return undefined;
  // A page that may not use the camera itself is camera-blocked-by-policy, told on its own (a blocked popup's
  // fallback frame may still be there).
  if ((document as Document & { featurePolicy?: FramePolicy }).featurePolicy?.allowsFeature('camera') === false) return undefined;
  const origin = new URL(frame.src).origin;
  return [
    'camera-not-delegated',
    `the page's Permissions-Policy allows the camera to the page but not to ${origin}, the flow's frame (${flowBaseUrlSaid(element as FlowConfig)}): the flow will be refused the camera.`,
    `send Permissions-Policy: camera=(self "${origin}") ${FROM_FLOW_BASE_URL}`,
    '#camera-not-delegated',
  ];
}

/** The causes each element has told of already. */
const told = new WeakMap<Element, Set<string>>();

/** Tells `mistake` in the console, once per element and cause. */
function tell(element: Element, [cause, wrong, fix, anchor]: Mistake): void {
  const causes = told.get(element) ?? new Set<string>();
  told.set(element, causes);
  if (causes.has(cause)) return;
  causes.add(cause);
  console.error(`${elementName(element)}: ${wrong}\nFix: ${fix}\nSee ${README}${anchor}`, element);
}

/**
 * Tells the developer in the console of a configuration mistake behind `error`: what is wrong, the fix and
 * the README's section on it. Once per element and cause, and nothing for what a person or the network
 * did (a cancel, a closed popup, a failed verification, a lost connection). Without an error (once the
 * flow has loaded, before the person reaches a camera step), of a page policy that let the flow frame load
 * but will refuse it the camera (see `frameWithoutCamera`).
 */
export function explain(element: FlowConfig, error?: FlowError): void {
  const mistake = error ? mistakeOf(element, error) : frameWithoutCamera(element);
  if (mistake) tell(element, mistake);
}
