/**
 * Cross-device handoff: a computer without a camera (or a browser that cannot use one) passes the
 * session to a phone. The element POSTs `{ session_id }` with the session's status token and gets a
 * single-use, expiring link and a short code; the phone opens the link, sees whose site asks and the
 * code to compare with the computer's, confirms, and is sent (303) to the vendor's flow for that session.
 *
 * Links live in the handler's `store` (see `store.ts`), so several instances behind a load balancer
 * share them; nothing else is kept.
 *
 * @module
 */
import { describeError } from './errors.js';
import { webHandler } from './handler-core.js';
import type { HandlerAnswer, HandlerInput } from './handler-core.js';
import { asDirectory, DEFAULT_FLOW_BASE_URL, flowUrl, isAllowedFlowUrl } from '../flow-url.js';
import { acceptLanguageLocale, LOCALES, matchLocale } from '../i18n/locale.js';
import type { Locale } from '../i18n/locale.js';
import {
  checkBodyTimeoutMs,
  createOriginPolicy,
  DEFAULT_BODY_TIMEOUT_MS,
  errorAnswer,
  forbiddenOrigin,
  jsonAnswer,
  ownUrl,
  printable,
  refuser,
  singleQueryValue,
} from './http.js';
import type { Logger, OriginOptions } from './http.js';
import { z } from 'zod';
import { formatIssues, sessionIdSchema } from './metadata.js';
import { readText, withPrelude } from './prelude.js';
import { base64url, resolveTokenSecret, STATUS_TOKEN_HEADER, verifyWith } from './status-token.js';
import { createMemoryStore } from './store.js';
import type { FlowStore } from './store.js';
import { getSessionResultWith, resolveVendorOptions } from './vendor.js';
import type { ResolvedVendorOptions, VendorOptions } from './vendor.js';
import { FINAL_STATUSES } from '../verdict.js';
import { renderConfirmPage, renderMessagePage } from './handoff-page.js';
import { checkOwner, checkReferenceOptions, createReferenceReader } from './reference.js';
import type { ReferenceCallback } from './reference.js';
import type { VerdictLedger } from './verdict-ledger.js';
import type { HandoffMessageKind } from './handoff-page.js';

/** Default lifetime of a handoff link, in seconds. */
export const DEFAULT_HANDOFF_TTL_SECONDS = 600;
/** The query parameter that carries a link's id. */
export const HANDOFF_LINK_PARAMETER = 'handoff';
/** How long a used link's record is kept past its expiry, so that reopening it says "used", not "unknown". */
const USED_KEPT_MS = 24 * 3600 * 1000;
const MAX_BODY_BYTES = 4096;
/** How long a used link's page waits for the vendor to say whether the session ended, by default, in ms. */
const ENDED_CHECK_TIMEOUT_MS = 3000;
const ALLOWED_METHODS = 'GET, POST, OPTIONS';

/** What the element sends. Unknown fields are ignored so the element may grow. */
const handoffRequestSchema = z.object({
  session_id: sessionIdSchema,
  locale: z.enum(LOCALES).optional(),
});

/**
 * Options of {@link createHandoffHandler}. The vendor options (`apiKey`, `apiBaseUrl`, `timeoutMs`, default
 * 3000 here, and `fetch`) are optional: with `apiKey`, a used link opened again asks the vendor whether
 * its session has ended, so that its page can say the verification is finished.
 */
export interface HandoffHandlerOptions extends OriginOptions, Partial<VendorOptions> {
  /**
   * The secret status tokens are signed with: the same as the session and status handlers'. Default:
   * env `BIOMETRIC_TOKEN_SECRET`, else a random secret of this process (one warning).
   */
  tokenSecret?: string;
  /** Where the vendor's `/flow/<id>` lives, as the element's `flow-base-url`. Default `https://remote.biometric.kz`. */
  flowBaseUrl?: string;
  /** How long a link can be opened, in seconds. Default 600. */
  ttlSeconds?: number;
  /** Where links are kept, shared by every instance that shares it. Default: a `createMemoryStore()` of this handler. */
  store?: FlowStore;
  /**
   * The site's name as the phone page shows it beside its origin ("Shop (https://shop.example)"). Default:
   * the origin alone. The origin is the one of the page that asked for the link.
   */
  siteName?: string;
  /**
   * This handler's public URL (`https://shop.example/api/handoff`), which the links point at. Default:
   * the request's own URL (with `trustProxy`, as the proxy says). Set it when `request.url` is not what
   * the browser asked for (behind a proxy, or in Next.js).
   */
  publicUrl?: string;
  /**
   * Longest time the body of the element's POST may take to arrive, in ms; past it, 408 `body-timeout`
   * and the connection is closed. Default 10000.
   */
  bodyTimeoutMs?: number;
  /**
   * With `reference`: the verdict ledger that knows whose each session is. A link is then made only for
   * the reference the session was recorded for (403 `forbidden` otherwise), on top of the status token.
   */
  verdicts?: VerdictLedger;
  /** With `verdicts`: the request's reference, as the session handler's `reference`. */
  reference?: ReferenceCallback;
  /** Where problems are reported (never a token, never a link); default `console`. */
  logger?: Logger;
}

/** The answer to the element's POST. */
export interface HandoffLink {
  /** The link the phone opens (the QR code's content). Single use. */
  url: string;
  /** The short code both screens show, to compare. */
  code: string;
  /** When the link stops working, ISO 8601. */
  expires_at: string;
}

/** A link as kept in the store. */
interface LinkRecord {
  session: string;
  code: string;
  /** The origin of the page that asked for it. */
  site: string;
  locale?: Locale;
  /** Unix ms. */
  expires: number;
}

/** Six digits, uniformly drawn. */
function newCode(): string {
  const values = new Uint32Array(1);
  let value: number;
  do {
    crypto.getRandomValues(values);
    value = values[0]!;
  } while (value >= 4_294_000_000); // a multiple of 10^6: no bias
  return String(value % 1_000_000).padStart(6, '0');
}

const LINK_ID = /^[A-Za-z0-9_-]{22}$/;

/** The flow's base as the element checks its `flow-base-url`, as a configuration error (`TypeError`) when wrong. */
function checkFlowBaseUrl(value: string | undefined, caller: string): URL {
  let url: URL;
  try {
    url = new URL(value ?? DEFAULT_FLOW_BASE_URL);
  } catch {
    throw new TypeError(`${caller}: flowBaseUrl is not a URL`);
  }
  if (!isAllowedFlowUrl(url)) throw new TypeError(`${caller}: flowBaseUrl must use https: (http: only on loopback hosts)`);
  return asDirectory(url);
}

function randomNonce(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * Creates the endpoint the element's `handoff-endpoint` points at. One URL serves four requests:
 *
 * - `POST` `{ session_id, locale? }` with the header `Biometric-Status-Token` (the session's status
 *   token) → `200 { url, code, expires_at }`: a new single-use link to this same URL (`?handoff=<id>`)
 *   that works for `ttlSeconds`, and the six-digit code both screens show. A new link for a session
 *   replaces its earlier one. Same checks as the status handler: Origin (403 `forbidden-origin`,
 *   `OPTIONS` preflight), `session_id` (400 `invalid-session-id`), token (401 `status-token-invalid`),
 *   and with `verdicts` and `reference` the session's owner (403 `forbidden`); a body not there within
 *   `bodyTimeoutMs` gets 408 `body-timeout`. The phone's requests are not checked for a reference: the
 *   single-use link is their key, and the phone is often not signed in.
 * - `GET ?handoff=<id>` (the phone opens the link): an HTML page in the phone's language (`?lang=`, else
 *   `Accept-Language`, else the element's locale; ru, kk or en) that names the site that asked (its
 *   origin, and `siteName`) and shows the code, with a confirm button. A used, expired, replaced or
 *   unknown link gets a page that says so (410, 404; a repeated `handoff` parameter, 400).
 * - `GET ?session_id=<id>` with the header `Biometric-Status-Token` (the element, while it shows a link)
 *   → `200 { opened }`: whether the phone has confirmed the session's current link (and so went on to the
 *   flow). Same checks as the POST.
 * - `POST ?handoff=<id>` (the confirm button): uses the link up, once across every instance sharing the
 *   store, and answers 303 to `<flowBaseUrl>/flow/<session id>?locale=<ru|kz|en>` (no `web_view`: the
 *   flow is the phone browser's own page).
 *
 * The vendor is called only with `apiKey`, and only when a used link is opened again: once its session
 * has a final status, the page says the verification is finished (else that the link was opened
 * already, and to go on where it was). The pages send `Referrer-Policy: same-origin` and
 * the redirect `no-referrer` (the link never reaches the flow's logs), `Cache-Control: no-store`, and
 * refuse framing.
 *
 * Like the other handlers it checks `tokenSecret`, `flowBaseUrl`, `publicUrl` and `allowedOrigins` on the
 * first request (500 `configuration-error` and one log line while one is wrong).
 *
 * @returns a `(request: Request) => Promise<Response>`.
 * @throws {TypeError} at creation, for `ttlSeconds` or `bodyTimeoutMs` that is not a positive number, a
 *   `store` without its methods, or `reference` and `verdicts` not given together.
 */
export function createHandoffHandler(options: HandoffHandlerOptions = {}): (request: Request) => Promise<Response> {
  const caller = 'createHandoffHandler';
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_HANDOFF_TTL_SECONDS;
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new TypeError(`${caller}: ttlSeconds must be a positive number`);
  }
  const bodyTimeoutMs = checkBodyTimeoutMs(options.bodyTimeoutMs, DEFAULT_BODY_TIMEOUT_MS, caller);
  const store = options.store ?? createMemoryStore();
  if (typeof store.get !== 'function' || typeof store.add !== 'function' || typeof store.set !== 'function') {
    throw new TypeError(`${caller}: store must be a FlowStore`);
  }
  const logger = options.logger ?? console;
  checkReferenceOptions(options.reference, options.verdicts, caller);
  if ((options.reference === undefined) !== (options.verdicts === undefined)) {
    throw new TypeError(`${caller}: reference and verdicts go together: the ledger knows whose each session is`);
  }
  const verdicts = options.verdicts;
  const readReference = options.reference && createReferenceReader(options.reference, caller, logger, (text) => text);
  const siteName = options.siteName?.trim() || undefined;
  const refuse = refuser('handoff request', logger);
  const linkKey = (id: string) => `bf:handoff:link:${id}`;
  const usedKey = (id: string) => `bf:handoff:used:${id}`;
  const currentKey = (session: string) => `bf:handoff:session:${session}`;

  /** This handler's URL as the phone reaches it. */
  const handlerUrl = (input: HandlerInput, publicUrl: URL | undefined): URL =>
    publicUrl ? new URL(publicUrl.href) : ownUrl(input, options.trustProxy === true);

  const page = (status: number, locale: Locale, kind: HandoffMessageKind): HandlerAnswer => {
    const nonce = randomNonce();
    return htmlAnswer(status, renderMessagePage(locale, kind, nonce), nonce, undefined);
  };

  /** The link's record and what state it is in. */
  const lookUp = async (id: string): Promise<{ record: LinkRecord; kind?: HandoffMessageKind } | { record?: undefined; kind: HandoffMessageKind }> => {
    if (!LINK_ID.test(id)) return { kind: 'invalid' };
    const text = await store.get(linkKey(id));
    if (text === undefined) return { kind: 'invalid' };
    let record: LinkRecord;
    try {
      record = JSON.parse(text) as LinkRecord;
    } catch {
      return { kind: 'invalid' };
    }
    if ((await store.get(usedKey(id))) !== undefined) return { record, kind: 'used' };
    if (record.expires <= Date.now()) return { record, kind: 'expired' };
    // A newer link for the same session replaced this one ("new code").
    if ((await store.get(currentKey(record.session))) !== id) return { record, kind: 'expired' };
    return { record };
  };

  const phoneLocale = (input: HandlerInput, record: LinkRecord | undefined): Locale => {
    const query = new URL(input.url).searchParams.get('lang');
    return matchLocale(query) ?? acceptLanguageLocale(input.header('accept-language')) ?? record?.locale ?? 'ru';
  };

  const createLink = async (input: HandlerInput, tokenSecret: string, publicUrl: URL | undefined, site: string, cors: Record<string, string>): Promise<HandlerAnswer> => {
    const notJson = { code: 'invalid-json', message: 'The body must be JSON: { "session_id": "<uuid>" }' };
    const text = await readText(input, MAX_BODY_BYTES, bodyTimeoutMs, notJson, refuse, cors);
    if (typeof text !== 'string') return text;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return refuse(errorAnswer(400, notJson, cors), 'body is not JSON');
    }
    const body = handoffRequestSchema.safeParse(json);
    if (!body.success) {
      const issues = formatIssues(body.error);
      return refuse(
        errorAnswer(400, { code: 'invalid-session-id', message: 'The body must be { "session_id": "<uuid>", "locale"?: "ru" | "kk" | "en" }', issues }, cors),
        `wrong at ${issues.map((issue) => issue.path || '(root)').join(', ')}`,
      );
    }
    const sessionId = body.data.session_id;
    const presented = input.header(STATUS_TOKEN_HEADER.toLowerCase());
    if (!(await verifyWith(tokenSecret, sessionId, presented))) {
      return refuse(
        errorAnswer(401, { code: 'status-token-invalid', message: "Send the session's status token in the Biometric-Status-Token header" }, cors),
        `${presented === null ? 'no' : 'a forged, expired or other-session'} Biometric-Status-Token for session ${sessionId}`,
      );
    }
    if (readReference) {
      const refused = await checkOwner(readReference, verdicts!, () => input.request, sessionId, cors, refuse, logger);
      if (refused) return refused;
    }
    const session = sessionId.toLowerCase();
    const id = base64url(crypto.getRandomValues(new Uint8Array(16)));
    const expires = Date.now() + ttlSeconds * 1000;
    const record: LinkRecord = { session, code: newCode(), site, expires };
    if (body.data.locale) record.locale = body.data.locale;
    const keepMs = ttlSeconds * 1000 + USED_KEPT_MS;
    try {
      await store.set(linkKey(id), JSON.stringify(record), keepMs);
      await store.set(currentKey(session), id, ttlSeconds * 1000);
    } catch (error) {
      logger.error(`[biometric-flow] the store failed, no handoff link was made: ${describeError(error)}`);
      return errorAnswer(503, { code: 'store-unavailable', message: 'The handoff link could not be made: retry shortly' }, cors);
    }
    const url = handlerUrl(input, publicUrl);
    url.searchParams.set(HANDOFF_LINK_PARAMETER, id);
    const answer: HandoffLink = { url: url.href, code: record.code, expires_at: new Date(expires).toISOString() };
    return jsonAnswer(200, answer, cors);
  };

  /** The phone: a navigation (GET) or the confirm form (POST) of a link. A page, not an API: no CORS. */
  /** Whether the vendor has a final status for the session; `false` when it cannot say (no key, an error). */
  const sessionEnded = async (vendor: ResolvedVendorOptions | undefined, session: string): Promise<boolean> => {
    if (!vendor) return false;
    try {
      return FINAL_STATUSES.has((await getSessionResultWith(vendor, session)).status);
    } catch (error) {
      logger.warn(vendor.redact(`[biometric-flow] handoff: could not ask whether session ${session} ended: ${describeError(error)}`));
      return false;
    }
  };

  const phone = async (
    input: HandlerInput,
    { flowBase, publicUrl, vendor }: { flowBase: URL; publicUrl: URL | undefined; vendor: ResolvedVendorOptions | undefined },
  ): Promise<HandlerAnswer | undefined> => {
    const requestUrl = new URL(input.url);
    const linkId = singleQueryValue(requestUrl, HANDOFF_LINK_PARAMETER);
    if (linkId === null || !(input.method === 'GET' || input.method === 'HEAD' || input.method === 'POST')) return undefined;
    // A link is one id: a repeated one is no link this handler made.
    if (linkId === undefined) return page(400, phoneLocale(input, undefined), 'invalid');
    let found: Awaited<ReturnType<typeof lookUp>>;
    try {
      found = await lookUp(linkId);
    } catch (error) {
      logger.error(`[biometric-flow] the store failed on a handoff link: ${describeError(error)}`);
      return errorAnswer(503, { code: 'store-unavailable', message: 'Retry shortly' });
    }
    const locale = phoneLocale(input, found.record);
    if (found.kind === 'used' && found.record !== undefined && input.method !== 'POST' && (await sessionEnded(vendor, found.record.session))) {
      return page(410, locale, 'finished');
    }
    if (found.kind !== undefined) return page(found.kind === 'invalid' ? 404 : 410, locale, found.kind);
    const record = found.record;
    if (input.method === 'POST') {
      // The confirm form is this handler's own page: its Origin is this URL's, whatever allowedOrigins says.
      const origin = input.header('origin');
      const own = handlerUrl(input, publicUrl).origin;
      if (origin !== null && origin !== own && origin !== requestUrl.origin) {
        logger.warn(`[biometric-flow] handoff confirmation refused (403): forbidden-origin: got ${printable(origin)}, expected ${own}`);
        return forbiddenOrigin();
      }
      if (!(await store.add(usedKey(linkId), '1', Math.max(1, record.expires - Date.now()) + USED_KEPT_MS))) {
        return page(410, locale, 'used');
      }
      // No `web_view`: the flow is the phone browser's own page.
      const target = flowUrl({ base: flowBase }, record.session, locale, false);
      return {
        status: 303,
        headers: { Location: target.href, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
        body: null,
      };
    }
    const nonce = randomNonce();
    const self = handlerUrl(input, publicUrl);
    self.searchParams.set(HANDOFF_LINK_PARAMETER, linkId);
    const action = `${self.pathname}${self.search}${requestUrl.searchParams.has('lang') ? `&lang=${locale}` : ''}`;
    const html = renderConfirmPage({ locale, siteName, siteOrigin: record.site, code: record.code, action, self: self.href, nonce });
    return htmlAnswer(200, input.method === 'HEAD' ? '' : html, nonce, flowBase.origin);
  };

  const prelude = {
    caller,
    logger,
    resolve: () => ({
      tokenSecret: resolveTokenSecret(options.tokenSecret, caller, logger),
      originPolicy: createOriginPolicy(options, caller),
      flowBase: checkFlowBaseUrl(options.flowBaseUrl, caller),
      publicUrl: options.publicUrl === undefined ? undefined : checkPublicUrl(options.publicUrl, caller),
      vendor:
        options.apiKey === undefined
          ? undefined
          : resolveVendorOptions({ ...options, apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? ENDED_CHECK_TIMEOUT_MS }, caller),
    }),
    allow: ALLOWED_METHODS,
    accept: ['GET', 'POST'],
    refuse,
    gate: phone,
  };

  /** The element asks whether the phone went on with the session's current link. */
  const opened = async (input: HandlerInput, sessionId: string | undefined, tokenSecret: string, cors: Record<string, string>): Promise<HandlerAnswer> => {
    const parsed = sessionIdSchema.safeParse(sessionId);
    if (!parsed.success) {
      return refuse(errorAnswer(400, { code: 'invalid-session-id', message: 'Give ?session_id=<uuid>' }, cors), 'no session_id');
    }
    if (!(await verifyWith(tokenSecret, parsed.data, input.header(STATUS_TOKEN_HEADER.toLowerCase())))) {
      return refuse(errorAnswer(401, { code: 'status-token-invalid', message: "Send the session's status token in the Biometric-Status-Token header" }, cors), 'status token');
    }
    try {
      const id = await store.get(currentKey(parsed.data.toLowerCase()));
      return jsonAnswer(200, { opened: id !== undefined && (await store.get(usedKey(id))) !== undefined }, { ...cors, 'Cache-Control': 'no-store' });
    } catch (error) {
      logger.error(`[biometric-flow] the store failed on a handoff status: ${describeError(error)}`);
      return errorAnswer(503, { code: 'store-unavailable', message: 'Retry shortly' }, cors);
    }
  };

  // The element (and a GET without a link or session, which only a person who mistyped it makes).
  return webHandler(withPrelude(prelude, async (input: HandlerInput, { settings: { tokenSecret, publicUrl }, decision, cors }): Promise<HandlerAnswer> => {
    const sessionId = singleQueryValue(new URL(input.url), 'session_id');
    if (input.method === 'GET' && sessionId !== null) return opened(input, sessionId, tokenSecret, cors);
    if (input.method === 'GET') return page(404, acceptLanguageLocale(input.header('accept-language')) ?? 'ru', 'invalid');
    const site = decision.kind === 'none' ? handlerUrl(input, publicUrl).origin : decision.origin;
    return createLink(input, tokenSecret, publicUrl, site, cors);
  }));
}

function checkPublicUrl(value: string, caller: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
    return url;
  } catch {
    throw new TypeError(`${caller}: publicUrl is not an http(s) URL`);
  }
}

/** An HTML page answer with a strict policy: its own nonce'd style, a form to itself (and the flow), no framing. */
function htmlAnswer(status: number, html: string, nonce: string, flowOrigin: string | undefined): HandlerAnswer {
  const formAction = flowOrigin ? `'self' ${flowOrigin}` : `'self'`;
  return {
    status,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      // same-origin, not no-referrer: under no-referrer the confirm form's POST carries `Origin: null`.
      // Nothing leaves for another origin either way (the redirect to the flow says no-referrer).
      'Referrer-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    },
    body: html,
  };
}

