/**
 * The webhook endpoint (docs/vendor.md §5; the README's "Webhooks"). The vendor signs nothing, so an event is
 * only a hint: who may post is decided by a secret path token and/or the client's address, and a
 * `flow.end` reaches the host as a verdict only after `getSessionResult` confirms it.
 *
 * @module
 */
import { VendorError, describeError, redactorFor } from './errors.js';
import { HANDLER_CORE, answerToResponse, inputFromRequest } from './handler-core.js';
import type { HandlerAnswer, HandlerInput } from './handler-core.js';
import { checkBodyTimeoutMs, configurationErrorAnswer, errorAnswer, jsonAnswer, jsonNestsDeeperThan, lastForwardedFor, refuser } from './http.js';
import type { ErrorBody, Logger } from './http.js';
import { FINAL_STATUSES, verdictOf } from '../verdict.js';
import { readText, withPrelude } from './prelude.js';
import { createMemoryStore } from './store.js';
import type { FlowStore } from './store.js';
import { checkTimeoutMs, getSessionResultWith, resolveVendorOptions } from './vendor.js';
import type { ResolvedVendorOptions, SessionResult, VendorOptions, VendorSessionResult } from './vendor.js';
import { resultFailureReasons } from './vendor-reasons.js';
import type { FailureReason } from './vendor-reasons.js';
import { awaitCallMark, noteWebhook } from './vendor-pace.js';
import { parseWebhookEvent } from './webhook.js';
import { checkReferenceOptions } from './reference.js';
import type { VerdictLedger } from './verdict-ledger.js';
import type { WebhookEvent } from './webhook.js';

/** The vendor's result for a `flow.end`, read from the vendor, never from the webhook's body. */
export interface WebhookVerdict {
  /** The vendor's status: a final one, `FINISHED` or `FAILED`. */
  status: string;
  /**
   * `passed`: `FINISHED` with `flow_session_result: true`; `failed`: `FAILED`, or `FINISHED` with
   * `flow_session_result: false`; `unconfirmed`: `FINISHED` without a boolean verdict. The same
   * definition as the element's `finished` outcome (`verdictOf`).
   */
  outcome: 'passed' | 'failed' | 'unconfirmed';
  /** The vendor's whole result: personal data (IIN, names, photos), keep it server-side. */
  result: VendorSessionResult;
  /**
   * Why it failed, with stable codes, as the status summary's `failure_reasons` (`REASON_CODES`; read from
   * the result's `flow_session_failure_reasons` and its technology results); `[]` unless `failed`.
   */
  reasons: FailureReason[];
}

/** What `onEvent` receives. */
export interface WebhookDelivery {
  /**
   * The validated event as posted. Its own `success` and `data.session_result` are whatever the poster
   * wrote: take the verdict from `verdict`.
   */
  event: WebhookEvent;
  /** Present exactly when `event.event` is `flow.end`: the confirmed verdict. */
  verdict?: WebhookVerdict;
}

/** What a host may tell the handler about a request, beside the request itself. */
export interface WebhookRequestContext {
  /**
   * The client's IP address as the server saw it (Deno's `info.remoteAddr.hostname`, Bun's
   * `server.requestIP(request)?.address`, Cloudflare's `CF-Connecting-IP`). Checked against
   * `allowedAddresses`; it wins over `X-Forwarded-For`.
   */
  clientAddress?: string | null;
}

/** The webhook handler: a Web handler that also takes the client's address. */
export type WebhookHandler = (request: Request, context?: WebhookRequestContext) => Promise<Response>;

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions extends VendorOptions {
  /**
   * Called once per event id. For a `flow.end` it is called only with a confirmed verdict. If it throws
   * (or rejects), the answer is 500 and the event is not marked delivered, so the vendor's retry
   * delivers it again. It should finish within two minutes: past that, a retry may deliver it again.
   * Dedupe is by event id: a session may still bring more than one `flow.end` (a forged one with another
   * id, say), each with the vendor's verdict, so make what it does for a session idempotent.
   * Optional with `verdicts` (which takes the verdicts by itself).
   */
  onEvent?: (delivery: WebhookDelivery) => void | Promise<void>;
  /**
   * The verdict ledger (`createVerdictLedger`): a confirmed `flow.end` is told to it, which delivers the
   * session's verdict once (whether the webhook, a polling browser or a sweep sees it first), and passes
   * the result on to the status handlers sharing the ledger, which answer the pages waiting on them at
   * once (`createStatusHandler`'s `wait`); a `flow.end` whose result still lags has the session checked
   * soon. A session the ledger never recorded gets no verdict (its waiting pages still hear the result).
   */
  verdicts?: VerdictLedger;
  /**
   * A secret the webhook URL ends with: the handler accepts a request only when the last segment of its
   * path equals it (compared in constant time), e.g. `https://shop.example/api/biometric/webhook/<token>`.
   * 32 to 256 characters of `A-Z a-z 0-9 - _ . ~` (`openssl rand -hex 32`). Access logs record paths:
   * keep it out of them, or rotate it when they leak.
   */
  pathToken?: string;
  /**
   * Client addresses (`203.0.113.7`, `2001:db8::1`) and ranges (`203.0.113.0/24`, `2001:db8::/32`)
   * allowed to post. The address comes from the handler's second argument (`{ clientAddress }`), else,
   * with `trustProxy`, from `X-Forwarded-For`. With `pathToken` too, both must pass.
   */
  allowedAddresses?: string[];
  /**
   * Read the client address from the last `X-Forwarded-For` entry: the one your proxy added. Only behind
   * exactly one proxy that appends to it; anyone can write the header's earlier entries. Default `false`.
   */
  trustProxy?: boolean;
  /**
   * Where delivered event ids are kept; share one across instances so that they deliver once. Share it
   * with `createStatusHandler` too: the two then keep a session to one vendor call per second between
   * them, and its status requests leave a session whose webhooks arrive to the push. Default: in memory.
   */
  store?: FlowStore;
  /**
   * Events whose `created` is older than this many seconds are refused (422); so are those more than 60 s
   * in the future. Ids are remembered for this long (plus 60 s), so a replay is refused either way.
   * Default 600.
   */
  maxAgeSeconds?: number;
  /**
   * How long a `flow.end` may wait, inside the request, for the vendor's result while it is not final
   * (`{}`, `PROGRESS`, a status other than `FINISHED`/`FAILED`; asked again at 250, 500, 1000 ms...
   * intervals, and never within a second of another call about the session by a handler on the same
   * `store`). Past it the answer is 503 and the vendor's retry asks again. Default 3000; 0 answers 503
   * at once.
   */
  confirmWaitMs?: number;
  /** Largest accepted body in bytes; default 16 MiB (an event may carry the result's photos). */
  maxBodyBytes?: number;
  /**
   * Longest time the whole body may take to arrive, in ms; past it, 408 `body-timeout` (the vendor's
   * retry sends it again) and the connection is closed. Default 30000, for a body that carries photos.
   */
  bodyTimeoutMs?: number;
  /** Where refusals (one line each, with the reason) and failures are reported; default `console`. */
  logger?: Logger;
}

/** Default body limit of the webhook handler, in bytes. */
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 16 << 20;
/** Default time limit for reading a webhook's body, in ms: longer than the handlers' 10 s, for photos. */
export const DEFAULT_WEBHOOK_BODY_TIMEOUT_MS = 30_000;

/** Deepest accepted JSON nesting of a webhook body: deeper than a vendor result, shallow enough to parse safely. */
const MAX_WEBHOOK_JSON_DEPTH = 64;
/** How far in the future `created` may be, for clocks that disagree a little. */
const FUTURE_SKEW_SECONDS = 60;
/** How long `onEvent` may take before a retry may deliver the event again; a crash mid-delivery frees the event after it. */
const DELIVERY_LEASE_MS = 120_000;
const PENDING = 'pending';
const DELIVERED = 'delivered';
/** What a 503 or 409 asks the vendor to wait, in seconds (its own backoff may differ). */
const RETRY_AFTER_SECONDS = '5';
const TOKEN_PATTERN = /^[A-Za-z0-9\-_.~]{32,256}$/;

/**
 * Creates the endpoint the vendor's webhook URL points at: `POST` a JSON envelope → `200 { ok: true }`
 * once `onEvent` has taken it, `200 { ok: true, duplicate: true }` for an id already delivered.
 *
 * Refusals (each logged once, with its reason; never the key or the token):
 * - wrong or missing path token, or an address not allowed → 403 `forbidden` (before the body is read);
 * - not `POST` → 405; body over `maxBodyBytes` → 413; body not there within `bodyTimeoutMs` → 408
 *   `body-timeout`; not JSON, or not a valid envelope → 400
 *   `invalid-webhook` with `issues`; an inner `session_id` (`data.session_id`, a `flow.end`'s
 *   `data.session_result.session_id`) other than the envelope's → 400 `session-mismatch`;
 * - `created` older than `maxAgeSeconds` → 422 `event-too-old`, more than 60 s ahead → 422
 *   `event-from-future`. A 4xx, not a 2xx that says "ignored": the vendor retries a failure a bounded
 *   number of times with the same `created`, so a stale event costs a few requests, and it shows as
 *   failing in the vendor's delivery log, where a clock that is wrong on either side gets noticed; a 2xx
 *   would silently drop every event of a host whose clock drifted;
 * - the same id while its first delivery is still running → 409 `delivery-in-progress` (+ `Retry-After`):
 *   not a 2xx, since that first delivery may still fail and need the vendor's retry;
 * - a `flow.end` for a session the vendor does not know → 422 `session-not-found`; the vendor's result
 *   still not final (`{}`, `PROGRESS`, an unknown status) after `confirmWaitMs` → 503 `result-pending`,
 *   the vendor unreachable → 503 `confirmation-unavailable` (both + `Retry-After`; the event is not
 *   marked, the retry confirms again). A result that lags is the vendor's ordinary course, not a
 *   refusal: `result-pending` is logged at `info` (when the logger has it), as a retry asked for;
 * - `onEvent` threw → 500 `delivery-failed`; the store failed → 503 `store-unavailable`; no way to know
 *   the client address for `allowedAddresses` → 500 `configuration-error`.
 *
 * Dedupe: the event id is added to the store before delivery (atomic `add`, so of concurrent copies, on
 * any instance sharing the store, one delivers), marked delivered after `onEvent` succeeds, and removed if
 * it fails. Unknown event names pass through without a verdict, like `flow.start`.
 *
 * @returns a `(request, context?) => Promise<Response>`; `toNodeListener` serves it (the client address
 *   then comes only from `X-Forwarded-For` with `trustProxy`).
 * `apiKey`, `apiBaseUrl` (and `BIOMETRIC_API_BASE_URL`), `pathToken` and `allowedAddresses` (what a
 * build without secrets does not have) are checked on the first request: while one is missing or malformed, or neither of the last two
 * is set, every request answers 500 `configuration-error` and the handler logs why once.
 *
 * With `verdicts`, a confirmed `flow.end` is recorded in the ledger before `onEvent` (the store fails →
 * 503 `store-unavailable`, the vendor retries), and one whose result is pending has the session checked
 * by the ledger's next sweeps.
 *
 * @throws {TypeError} at creation: neither `onEvent` nor `verdicts`, `onEvent` not a function, `verdicts`
 *   not a ledger, `timeoutMs`, `maxAgeSeconds`,
 *   `confirmWaitMs` or `maxBodyBytes` out of range. Never for a missing `apiKey`.
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const caller = 'createWebhookHandler';
  const timeoutMs = checkTimeoutMs(options.timeoutMs, caller);
  checkReferenceOptions(undefined, options.verdicts, caller);
  const verdicts = options.verdicts;
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw new TypeError(`${caller}: onEvent must be a function`);
  if (options.onEvent === undefined && verdicts === undefined) throw new TypeError(`${caller}: give onEvent, verdicts or both: nothing would take the events`);
  const maxAgeSeconds = options.maxAgeSeconds ?? 600;
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) throw new TypeError(`${caller}: maxAgeSeconds must be a positive number`);
  const confirmWaitMs = options.confirmWaitMs ?? 3000;
  if (!Number.isFinite(confirmWaitMs) || confirmWaitMs < 0) throw new TypeError(`${caller}: confirmWaitMs must be a number ≥ 0`);
  const bodyTimeoutMs = checkBodyTimeoutMs(options.bodyTimeoutMs, DEFAULT_WEBHOOK_BODY_TIMEOUT_MS, caller);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw new TypeError(`${caller}: maxBodyBytes must be a positive integer`);
  const onEvent = options.onEvent;
  const store = options.store ?? createMemoryStore();
  const logger = options.logger ?? console;
  const trustProxy = options.trustProxy === true;
  // The key, the path token and the allow-list come from the environment: checked on the first request.
  const resolve = () => {
    const vendor = resolveVendorOptions(options, caller);
    if (options.pathToken === undefined && options.allowedAddresses === undefined) {
      throw new TypeError(`${caller}: set pathToken, allowedAddresses or both: the vendor signs nothing, so they decide who may post`);
    }
    if (options.pathToken !== undefined && (typeof options.pathToken !== 'string' || !TOKEN_PATTERN.test(options.pathToken))) {
      throw new TypeError(`${caller}: pathToken must be 32 to 256 characters of A-Z a-z 0-9 - _ . ~`);
    }
    const allowed = options.allowedAddresses === undefined ? undefined : parseAllowList(options.allowedAddresses, caller);
    const tokenDigest = options.pathToken === undefined ? undefined : sha256(options.pathToken);
    // No Origin policy: the vendor's servers post, not a browser.
    return { vendor, allowed, tokenDigest, originPolicy: undefined };
  };
  const deliveredTtlMs = (maxAgeSeconds + FUTURE_SKEW_SECONDS) * 1000;
  // Confirmation takes at most confirmWaitMs plus one vendor call; onEvent gets the rest.
  const leaseMs = DELIVERY_LEASE_MS + confirmWaitMs + timeoutMs;

  const refusal = refuser('webhook', logger, (status, code, reason) => `webhook refused (${status} ${code}): ${reason}`);
  const refuse = (status: number, error: ErrorBody['error'], reason: string, headers: Record<string, string> = {}): HandlerAnswer =>
    refusal(errorAnswer(status, error, headers), reason);
  const forbidden = (reason: string) => refuse(403, { code: 'forbidden', message: 'This client may not post webhooks here' }, reason);

  /** Reads the vendor's result until it is final, within `confirmWaitMs`: a verdict, or the answer to give instead. */
  const confirm = async (vendor: ResolvedVendorOptions, sessionId: string, about: string): Promise<WebhookVerdict | HandlerAnswer> => {
    const deadline = Date.now() + confirmWaitMs;
    for (let delay = 250; ; delay = Math.min(delay * 2, 1000)) {
      let outcome: SessionResult;
      try {
        // Not in the same second as a status handler's call on the same store: one call per second.
        await awaitCallMark(store, sessionId);
        outcome = await getSessionResultWith(vendor, sessionId);
      } catch (error) {
        if (!(error instanceof VendorError)) throw error;
        if (error.code === 'session-not-found') {
          return refuse(422, { code: 'session-not-found', message: 'The identity service does not know this session' }, `${about}: the vendor does not know the session`);
        }
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        return refuse(
          503,
          { code: 'confirmation-unavailable', message: 'The result could not be confirmed with the identity service; retry later' },
          vendor.redact(`${about}: the result could not be read: ${error.code}: ${error.message}${cause}`),
          { 'Retry-After': RETRY_AFTER_SECONDS },
        );
      }
      // Final by the one definition (`FINISHED`/`FAILED`): an unknown status is waited out like `PROGRESS`.
      if (outcome.result !== undefined && FINAL_STATUSES.has(outcome.status)) {
        const verdict = verdictOf(outcome.status, outcome.result) ?? 'unconfirmed';
        const reasons = verdict === 'failed' ? resultFailureReasons(outcome.result) : [];
        return { status: outcome.status, outcome: verdict, result: outcome.result, reasons };
      }
      if (Date.now() + delay > deadline) {
        // The flow has ended: the ledger checks the session soon, whether or not the vendor retries.
        await verdicts?.expectEnd(sessionId).catch((error: unknown) => {
          logger.error(`[biometric-flow] webhook ${about}: the verdict ledger could not take the end: ${describeError(error)}`);
        });
        // The vendor's result lags its flow by seconds (docs/vendor.md §6): not a refusal, a retry asked for.
        logger.info?.(
          `[biometric-flow] webhook ${about}: the vendor's result is still ${outcome.status} after ${confirmWaitMs} ms; answered 503 result-pending so that the vendor retries`,
        );
        return errorAnswer(
          503,
          { code: 'result-pending', message: 'The identity service has no final result yet; retry later' },
          { 'Retry-After': RETRY_AFTER_SECONDS },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };

  /** Who may post: the path token, then the client's address. Before the body is read. */
  const gate = async (input: HandlerInput, { allowed, tokenDigest }: ReturnType<typeof resolve>, clientAddress: string | null | undefined): Promise<HandlerAnswer | undefined> => {
    if (tokenDigest !== undefined && !digestsEqual(await tokenDigest, await sha256(lastPathSegment(input.url)))) {
      return forbidden('the path token is wrong or missing');
    }
    if (allowed !== undefined) {
      const address = clientAddress ?? (trustProxy ? lastForwardedFor(input.header('x-forwarded-for')) : undefined);
      if (address === undefined || address === null || address === '') {
        if (!trustProxy) {
          logger.error(
            `[biometric-flow] ${caller}: allowedAddresses needs the client address: pass { clientAddress } as the handler's second argument, or set trustProxy behind a proxy`,
          );
          return configurationErrorAnswer();
        }
        return forbidden('no X-Forwarded-For to take the client address from');
      }
      const parsed = parseAddress(address);
      if (parsed === undefined || !allowed.some((range) => inRange(parsed, range))) {
        return forbidden(`the address ${JSON.stringify(address.slice(0, 64))} is not allowed`);
      }
    }
    return undefined;
  };

  const prelude = { caller, logger, resolve, redact: redactorFor(options.apiKey), allow: 'POST', accept: ['POST'], refuse: refusal, gate };
  const core = withPrelude(prelude, async (input: HandlerInput, { settings: { vendor } }): Promise<HandlerAnswer> => {
    const text = await readText(input, maxBodyBytes, bodyTimeoutMs, { code: 'invalid-webhook', message: 'The body is not UTF-8' }, refusal, {});
    if (typeof text !== 'string') return text;
    if (jsonNestsDeeperThan(text, MAX_WEBHOOK_JSON_DEPTH)) {
      return refuse(400, { code: 'invalid-webhook', message: `JSON may nest at most ${MAX_WEBHOOK_JSON_DEPTH} levels` }, 'the JSON nests too deep');
    }
    const parsed = parseWebhookEvent(text);
    if (!parsed.success) {
      return refuse(
        400,
        { code: 'invalid-webhook', message: 'The body is not a valid webhook envelope', issues: parsed.issues },
        `invalid envelope at ${parsed.issues.map((issue) => issue.path || '(root)').join(', ')}`,
      );
    }
    const event = parsed.event;
    const about = `event ${JSON.stringify(String(event.id).slice(0, 64))} (${JSON.stringify(event.event.slice(0, 32))}) for session ${event.session_id}`;

    const inner = innerSessionIds(event).find((id) => id.toLowerCase() !== event.session_id.toLowerCase());
    if (inner !== undefined) {
      return refuse(
        400,
        { code: 'session-mismatch', message: 'The event names two different sessions' },
        `${about}: the data names session ${JSON.stringify(inner.slice(0, 64))}`,
      );
    }
    const ageSeconds = Date.now() / 1000 - event.created;
    if (ageSeconds > maxAgeSeconds) {
      return refuse(
        422,
        { code: 'event-too-old', message: `The event was created more than ${maxAgeSeconds} s ago` },
        `${about}: created ${Math.round(ageSeconds)} s ago (check both clocks if this is not a replay)`,
      );
    }
    if (-ageSeconds > FUTURE_SKEW_SECONDS) {
      return refuse(
        422,
        { code: 'event-from-future', message: `The event was created more than ${FUTURE_SKEW_SECONDS} s in the future` },
        `${about}: created ${Math.round(-ageSeconds)} s in the future (check both clocks)`,
      );
    }

    const key = `bf:webhook:${hex(await sha256(JSON.stringify(event.id)))}`;
    let first: boolean;
    let mark: string | undefined;
    try {
      first = await store.add(key, PENDING, leaseMs);
      mark = first ? PENDING : await store.get(key);
    } catch (error) {
      logger.error(`[biometric-flow] webhook store failed for ${about}: ${describeError(error)}`);
      return errorAnswer(503, { code: 'store-unavailable', message: 'Retry later' }, { 'Retry-After': RETRY_AFTER_SECONDS });
    }
    if (!first) {
      if (mark === DELIVERED) return jsonAnswer(200, { ok: true, duplicate: true });
      return refuse(
        409,
        { code: 'delivery-in-progress', message: 'This event is being delivered; retry later' },
        `${about}: a copy is being delivered`,
        { 'Retry-After': RETRY_AFTER_SECONDS },
      );
    }

    const release = async () => {
      try {
        await store.delete(key);
      } catch (error) {
        // The lease expires on its own; until then the vendor's retries get 409.
        logger.error(`[biometric-flow] webhook store failed to release ${about}: ${describeError(error)}`);
      }
    };
    try {
      // Status handlers on this store then leave the verdict to the push (./vendor-pace.ts).
      await noteWebhook(store, event.session_id);
      let verdict: WebhookVerdict | undefined;
      if (event.event === 'flow.end') {
        const confirmed = await confirm(vendor, event.session_id, about);
        if (!('outcome' in confirmed)) {
          await release();
          return confirmed;
        }
        verdict = confirmed;
        if (verdicts) {
          try {
            await verdicts.observe(event.session_id, { status: confirmed.status, result: confirmed.result }, 'webhook');
          } catch (error) {
            await release();
            logger.error(`[biometric-flow] webhook ${about}: the verdict ledger could not take it: ${describeError(error)}`);
            return errorAnswer(503, { code: 'store-unavailable', message: 'Retry later' }, { 'Retry-After': RETRY_AFTER_SECONDS });
          }
        }
      }
      await onEvent?.(verdict === undefined ? { event } : { event, verdict });
    } catch (error) {
      await release();
      // Only the error's type: the host's message could carry anything.
      logger.error(`[biometric-flow] webhook ${about} not delivered: onEvent failed: ${error instanceof Error ? error.name : typeof error}`);
      return errorAnswer(500, { code: 'delivery-failed', message: 'The event could not be delivered; retry later' });
    }
    try {
      await store.set(key, DELIVERED, deliveredTtlMs);
    } catch (error) {
      logger.error(`[biometric-flow] webhook ${about} delivered, but the store could not mark it: ${describeError(error)}`);
    }
    return jsonAnswer(200, { ok: true });
  });

  const handler: WebhookHandler = async (request, context) =>
    answerToResponse(await core(inputFromRequest(request), context?.clientAddress));
  // `toNodeListener` serves the core straight from the Node request, with the socket's address; behind a
  // trusted proxy that is the proxy's, and X-Forwarded-For names the client.
  Object.defineProperty(handler, HANDLER_CORE, {
    value: (input: HandlerInput) => core(input, trustProxy ? undefined : input.clientAddress),
  });
  return handler;
}

/** The sessions an event's data names: `data.session_id` and a `flow.end`'s `data.session_result.session_id`. */
function innerSessionIds(event: WebhookEvent): string[] {
  const data = event.data;
  if (typeof data !== 'object' || data === null) return [];
  const result = (data as { session_result?: unknown }).session_result;
  const candidates = [
    (data as { session_id?: unknown }).session_id,
    typeof result === 'object' && result !== null ? (result as { session_id?: unknown }).session_id : undefined,
  ];
  return candidates.filter((id) => id !== undefined && id !== null).map(String);
}

function lastPathSegment(url: string): string {
  const path = new URL(url).pathname.replace(/\/$/, '');
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The entry the nearest proxy appended; the earlier ones are whatever the client wrote. */
async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** Compares two digests in time that does not depend on where they differ (both are 32 bytes). */
function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

// Addresses, as numbers: IPv4 in 32 bits, IPv6 in 128; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`,
// what a dual-stack socket reports) is the IPv4 address. Written here rather than taken from `node:net`
// because the handler runs on edge workers too.

interface Address {
  bits: 32 | 128;
  value: bigint;
}

interface AddressRange extends Address {
  prefix: number;
}

function parseAllowList(entries: unknown, caller: string): AddressRange[] {
  if (!Array.isArray(entries) || entries.length === 0) throw new TypeError(`${caller}: allowedAddresses must be a non-empty array`);
  return entries.map((entry) => {
    const invalid = () => new TypeError(`${caller}: allowedAddresses entry ${JSON.stringify(entry)} is not an IP address or range`);
    if (typeof entry !== 'string') throw invalid();
    const [text, prefixText, extra] = entry.trim().split('/');
    const address = text === undefined ? undefined : parseAddress(text);
    if (address === undefined || extra !== undefined) throw invalid();
    if (prefixText === undefined) return { ...address, prefix: address.bits };
    if (!/^\d{1,3}$/.test(prefixText)) throw invalid();
    // A mapped entry (`::ffff:10.0.0.0/104`) counts its prefix in IPv6 bits.
    const mapped = address.bits === 32 && text!.includes(':');
    const prefix = Number(prefixText) - (mapped ? 96 : 0);
    if (prefix < 0 || prefix > address.bits) throw invalid();
    return { ...address, prefix };
  });
}

function inRange(address: Address, range: AddressRange): boolean {
  if (address.bits !== range.bits) return false;
  const shift = BigInt(range.bits - range.prefix);
  return address.value >> shift === range.value >> shift;
}

/** Parses an IPv4 or IPv6 address; also `[v6]:port` and `v4:port`, as some proxies write them. */
function parseAddress(text: string): Address | undefined {
  let plain = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(plain);
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(plain);
  if (bracketed) plain = bracketed[1]!;
  else if (withPort) plain = withPort[1]!;
  const v4 = parseIpv4(plain);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = parseIpv6(plain);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { bits: 32, value: v6 & 0xffff_ffffn };
  return { bits: 128, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  let value = 0n;
  for (const part of match.slice(1)) {
    // A leading zero is octal to some parsers: refuse the ambiguity.
    if ((part.length > 1 && part.startsWith('0')) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2 || (halves.length === 2 && halves[0]!.includes('.'))) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const result: number[] = [];
    const pieces = part.split(':');
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        result.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
        result.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return result;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail].reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}
