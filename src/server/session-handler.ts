import { z } from 'zod';
import { LOCALES } from '../i18n/locale.js';
import type { Locale } from '../i18n/locale.js';
import { InvalidMetadataError, VendorError, describeError, redactorFor } from './errors.js';
import { webHandler } from './handler-core.js';
import type { HandlerAnswer, HandlerInput } from './handler-core.js';
import {
  checkBodyTimeoutMs,
  DEFAULT_BODY_TIMEOUT_MS,
  errorAnswer,
  jsonAnswer,
  jsonNestsDeeperThan,
  lastForwardedFor,
  printable,
  refuser,
  vendorErrorAnswer,
} from './http.js';
import type { Logger, OriginOptions } from './http.js';
import { formatIssues } from './metadata.js';
import { readText, vendorPrelude, withPrelude } from './prelude.js';
import type { SessionMetadata } from './metadata.js';
import { checkTokenTtl, issueWith, resolveTokenSecret } from './status-token.js';
import { createMemoryStore } from './store.js';
import type { FlowStore } from './store.js';
import { checkTimeoutMs, createSessionWith } from './vendor.js';
import type { CreatedSession, VendorOptions } from './vendor.js';
import { checkReferenceOptions, createReferenceReader } from './reference.js';
import type { ReferenceCallback } from './reference.js';
import type { VerdictLedger } from './verdict-ledger.js';
import { resolveFlowLocation } from './configuration.js';
import { flowUrl } from '../flow-url.js';

/** What the `metadata` callback is told about the request. */
export interface SessionMetadataContext {
  /**
   * The incoming request, for its cookies and headers. Its body is already read; under `toNodeListener`
   * it is a copy without the body, made when first read.
   */
  request: Request;
  /** The element's locale, when it sent one. */
  locale: Locale | undefined;
  /** The element's `context` property as sent: untrusted browser input, validate it yourself. */
  context: unknown;
}

/** Options of {@link createSessionHandler}. */
export interface SessionHandlerOptions extends VendorOptions, OriginOptions {
  /**
   * Builds the session's metadata (IIN, phone, photo...) for this request, or `undefined` for none.
   * What it returns is checked with `sessionMetadataSchema`; a failure is a 500 `invalid-metadata`.
   */
  metadata?: (ctx: SessionMetadataContext) => SessionMetadata | undefined | Promise<SessionMetadata | undefined>;
  /**
   * Decides who may create a session (a signed-in customer, a checkout in progress...): `false` answers
   * 403 `forbidden` before anything is counted or billed. Every session costs the host money: without
   * it, anyone who can reach the endpoint may create them (see `rateLimit`).
   */
  authorize?: (request: Request) => boolean | Promise<boolean>;
  /**
   * Whom the session is for: the host's own opaque id of its signed-in user (at most 128 characters),
   * read from the request's session cookie or header, or `undefined` when nobody is signed in (403
   * `forbidden`, nothing created). Not personal data: no IIN, no e-mail, no name. Never taken from
   * `context` alone: that is whatever the browser sent. Required with `verdicts`, which records it.
   * Anything but a short string or `undefined` is a programming error: 500 `internal-error`, logged once.
   */
  reference?: ReferenceCallback;
  /**
   * The verdict ledger (`createVerdictLedger`): each session is recorded in it with its `reference`
   * before the answer leaves, so that its verdict reaches `onVerdict` with that reference. A store that
   * cannot record it → 503 `store-unavailable`: no session is handed out unrecorded.
   */
  verdicts?: VerdictLedger;
  /**
   * A per-client cap on sessions created: over it, 429 `rate-limited` with `Retry-After`. See
   * {@link SessionRateLimit}. A handler with neither `authorize`, `reference` nor `rateLimit` is not left open: it
   * limits each client address to {@link DEFAULT_RATE_LIMIT} (20 a minute), with one warning at its
   * first request saying what to set. That default counts only clients whose address is known (see
   * `SessionRateLimit.key`); requests without one are not counted, so that one shared bucket cannot
   * lock every visitor out.
   */
  rateLimit?: SessionRateLimit;
  /** Where the rate-limit counters live, shared by every instance that shares it; default a `createMemoryStore()` of this handler. */
  store?: FlowStore;
  /**
   * The secret status tokens are signed with, at least 32 characters, the same as the status handler's
   * (and every instance's). Default: env `BIOMETRIC_TOKEN_SECRET`, else a random secret of this process
   * (one warning).
   */
  tokenSecret?: string;
  /** Lifetime of the `status_token` handed out, in seconds; default 3600. */
  tokenTtlSeconds?: number;
  /**
   * How long the vendor keeps a session open, in seconds; default 1800. The vendor publishes no lifetime
   * for flow sessions; 30 minutes is what a sister product documents (docs/vendor.md). The answer's
   * `expires_at` is the sooner of this and the status token's expiry: until then the element's `resume`
   * shows the session again after a reload.
   */
  sessionTtlSeconds?: number;
  /**
   * Where the vendor's `/flow/<id>` lives, as the element's `flow-base-url`. Default: env
   * `BIOMETRIC_FLOW_BASE_URL` (the emulator's URL in development), else `https://remote.biometric.kz`.
   * The answer's `flow_url` is built from it: what a native app opens.
   */
  flowBaseUrl?: string;
  /** Largest accepted request body in bytes; default 16384. */
  maxBodyBytes?: number;
  /**
   * Longest time the whole request body may take to arrive, in ms; past it, 408 `body-timeout` and the
   * connection is closed. Default 10000: the element's body is a few hundred bytes.
   */
  bodyTimeoutMs?: number;
  /** Where problems are reported (redacted, no personal data, never a token); default `console`. */
  logger?: Logger;
}

/**
 * A fixed-window rate limit on session creation: at most `limit` requests per client per `windowMs`.
 * Windows are aligned to the clock (`floor(now / windowMs)`), so instances sharing a store count together
 * and agree on `Retry-After`.
 */
export interface SessionRateLimit {
  /** Requests allowed per client per window. */
  limit: number;
  /** The window, in ms. */
  windowMs: number;
  /**
   * Who a request is from: a user id, an API client, an address. Default: the client's address — the
   * socket's peer under `toNodeListener`, or with `trustProxy` the last `X-Forwarded-For` value (the proxy's own). Where no
   * address is known (a plain Web `Request` on Bun, Deno, workers, or a host wrapper under
   * `toNodeListener`) every such request counts in ONE shared bucket, with one warning: pass `key` there
   * (e.g. `CF-Connecting-IP` on Cloudflare, `server.requestIP(request)` on Bun).
   */
  key?: (request: Request) => string | Promise<string>;
}

/**
 * Default `sessionTtlSeconds`: how long a vendor session is taken to stay open. Not published for flows;
 * a sister product documents 30 minutes (docs/vendor.md §1, §6).
 */
export const DEFAULT_SESSION_TTL_SECONDS = 1800;

/** The rate limit of a session handler given neither `authorize` nor `rateLimit`: 20 sessions a minute per client address. */
export const DEFAULT_RATE_LIMIT: Readonly<SessionRateLimit> = Object.freeze({ limit: 20, windowMs: 60_000 });

/** Default body limit of the session handler, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 16_384;
/** Deepest accepted JSON nesting of a request body. */
export const MAX_JSON_DEPTH = 32;

/** What the element sends. Unknown fields are ignored so the element may grow. */
export const sessionRequestSchema = z.object({
  locale: z.enum(LOCALES).optional(),
  context: z.unknown().optional(),
});

const ALLOWED_METHODS = 'POST, OPTIONS';

/**
 * Accepted request content types. `application/json` (parameters allowed) and `application/*+json` are
 * what the element sends; a request with no `Content-Type` is accepted for server-to-server callers.
 * `text/plain`, forms and everything else get 415: a JSON content type makes every cross-origin browser
 * request preflighted, which backs up the Origin check.
 */
function acceptableContentType(header: string | null): boolean {
  if (header === null || header.trim() === '') return true;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * Creates the endpoint the element's `session-endpoint` points at. It takes `POST` JSON
 * `{ locale?, context? }`, asks the `metadata` callback for session metadata, creates a vendor session
 * with the API key, and answers `200 { session_id, technologies, status_token, expires_at, flow_url }`
 * (`Cache-Control: no-store`). `status_token` is what the status handler asks for (header
 * `Biometric-Status-Token`); `expires_at` (ISO 8601) is until when the session is worth showing again
 * (the element's `resume`): the sooner of `sessionTtlSeconds` and the token's lifetime. `flow_url` is
 * `<flowBaseUrl>/flow/<session_id>?web_view=true&locale=<ru|kz|en>` (the request's `locale`, Kazakh
 * spelled `kz` as the vendor does; `ru` when none was sent): what a native app opens in its web view.
 * The element builds the same URL itself. `flowBaseUrl` is checked on the first request, like the
 * environment's settings below: one the element would refuse answers 500 `configuration-error`.
 *
 * Checks, in order: Origin (403 `forbidden-origin`; `OPTIONS` → 204 preflight for an allowed cross
 * origin), method (405 with `Allow`), `authorize` (403 `forbidden`; it throws → 500 `internal-error`),
 * `rateLimit` (429 `rate-limited` with `Retry-After`; the store fails → 500 `internal-error`, nothing
 * created; with neither `authorize`, `reference` nor `rateLimit`, {@link DEFAULT_RATE_LIMIT} per client
 * address), content type (415), body size (413) and time (408 `body-timeout` past `bodyTimeoutMs`), JSON
 * (400 `invalid-json`, `json-too-deep`), body shape (400 `invalid-request` with `issues`), `reference`
 * (`undefined` → 403 `forbidden`, nothing created; it throws or answers something other than a short
 * string → 500 `internal-error`). Then: callback throws → 500 `metadata-callback-failed`; invalid
 * metadata → 500 `invalid-metadata` (logged with field paths, answered without them); with `verdicts`,
 * the session is recorded before the answer, and a store that fails → 503 `store-unavailable`
 * (`Retry-After: 1`; the vendor's session is not handed out); vendor timeout →
 * 504 `vendor-timeout`; vendor unreachable, non-2xx or malformed → 502 `vendor-unreachable`,
 * `vendor-error` (with `vendorStatus`; a redirect is never followed and is a `vendor-error` too),
 * `vendor-invalid-response`; a vendor error text that is known has its stable code instead of
 * `vendor-error` (`invalid-iin`, `subject-not-found`... see `VENDOR_REASON_CODES`; 502 with
 * `vendorStatus`), and the vendor's own text is logged, never answered.
 * Error answers are `{ error: { code, message, issues?, vendorStatus? } }`.
 *
 * The API key never appears in an answer, a log line or an error; a status token never in a log line.
 *
 * @returns a `(request: Request) => Promise<Response>` for any Web-standard server; see `toNodeListener`
 *   for node:http and Express.
 * Options are checked in two steps. What a build does not have — `apiKey`, `apiBaseUrl` (and
 * `BIOMETRIC_API_BASE_URL`), `tokenSecret` (and `BIOMETRIC_TOKEN_SECRET`), `allowedOrigins` (and
 * `BIOMETRIC_ALLOWED_ORIGINS`) — is checked on the first request, so a module that makes the handler at
 * load works in `next build` or a Docker build without secrets; while one is missing or malformed every
 * request answers 500 `configuration-error`, and the handler logs why once (`logger.error`, never the
 * key). Everything else is a programming error whatever the environment, and throws at creation.
 *
 * Each refused request (403, 405, 408, 413, 415, 429, 400) is one `logger.warn` line naming its code and
 * reason, e.g. `forbidden-origin: got https://evil.example, allowed https://shop.example`.
 *
 * @throws {TypeError} at creation, for options that are not what their types say: `metadata`,
 *   `authorize`, `reference` or `rateLimit.key` not functions, `verdicts` not a ledger or without
 *   `reference`, `timeoutMs`, `maxBodyBytes`, `bodyTimeoutMs`, `tokenTtlSeconds`, `sessionTtlSeconds` or
 *   `rateLimit` numbers out of range. Never for a missing `apiKey`.
 */
export function createSessionHandler(options: SessionHandlerOptions): (request: Request) => Promise<Response> {
  const caller = 'createSessionHandler';
  checkTimeoutMs(options.timeoutMs, caller);
  const bodyTimeoutMs = checkBodyTimeoutMs(options.bodyTimeoutMs, DEFAULT_BODY_TIMEOUT_MS, caller);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError('createSessionHandler: maxBodyBytes must be a positive integer');
  }
  const logger = options.logger ?? console;
  const metadataCallback = options.metadata;
  if (metadataCallback !== undefined && typeof metadataCallback !== 'function') throw new TypeError('createSessionHandler: metadata must be a function');
  const tokenTtl = checkTokenTtl(options.tokenTtlSeconds, 'createSessionHandler: tokenTtlSeconds');
  const sessionTtl = options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
  if (typeof sessionTtl !== 'number' || !Number.isFinite(sessionTtl) || sessionTtl <= 0) {
    throw new TypeError('createSessionHandler: sessionTtlSeconds must be a positive number');
  }
  const authorize = options.authorize;
  if (authorize !== undefined && typeof authorize !== 'function') throw new TypeError('createSessionHandler: authorize must be a function');
  checkReferenceOptions(options.reference, options.verdicts, caller);
  const verdicts = options.verdicts;
  if (verdicts !== undefined && options.reference === undefined) {
    throw new TypeError(`${caller}: verdicts needs reference: the ledger records each session for whom it is`);
  }
  const readReference = options.reference && createReferenceReader(options.reference, caller, logger, redactorFor(options.apiKey));
  // Nothing deciding who may start, nor how often, would let every request bill the host: a default limit.
  const byDefault = authorize === undefined && options.reference === undefined && options.rateLimit === undefined;
  const limits = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const rateLimit =
    (options.rateLimit !== undefined || byDefault) &&
    createRateLimit(limits, options.store ?? createMemoryStore(), options.trustProxy === true, logger, byDefault);
  const refuse = refuser('session request', logger);

  const prelude = vendorPrelude(options, { caller, logger, allow: ALLOWED_METHODS, accept: ['POST'], refuse }, () => ({
    tokenSecret: resolveTokenSecret(options.tokenSecret, caller, logger),
    flowLocation: resolveFlowLocation(options.flowBaseUrl, caller),
  }));

  return webHandler(withPrelude(prelude, async (input: HandlerInput, { settings: { vendor, tokenSecret, flowLocation }, cors }): Promise<HandlerAnswer> => {
    const redact = vendor.redact;

    // Who, then how often: a refused caller never uses up a shared bucket.
    if (authorize) {
      let allowed: boolean;
      try {
        allowed = (await authorize(input.request)) === true;
      } catch (error) {
        logger.error(`[biometric-flow] the authorize callback threw: ${redact(describeError(error))}`);
        return errorAnswer(500, { code: 'internal-error', message: 'The session could not be prepared' }, cors);
      }
      if (!allowed) return refuse(errorAnswer(403, { code: 'forbidden', message: 'You may not start a verification' }, cors), 'authorize said no');
    }
    if (rateLimit) {
      let retryAfter: number | undefined;
      try {
        retryAfter = await rateLimit(input);
      } catch (error) {
        logger.error(`[biometric-flow] the rate limit failed (store or key): ${redact(describeError(error))}`);
        return errorAnswer(500, { code: 'internal-error', message: 'The session could not be prepared' }, cors);
      }
      if (retryAfter !== undefined) {
        const answer = errorAnswer(429, { code: 'rate-limited', message: 'Too many verifications started: retry later' }, {
          ...cors,
          'Retry-After': String(retryAfter),
        });
        return refuse(answer, `over ${limits.limit} per ${limits.windowMs} ms for this client`);
      }
    }
    if (!acceptableContentType(input.header('content-type'))) {
      const answer = errorAnswer(415, { code: 'unsupported-media-type', message: 'Send the body as application/json' }, cors);
      return refuse(answer, `content type ${printable(input.header('content-type') ?? '', 80)}`);
    }

    const text = await readText(input, maxBodyBytes, bodyTimeoutMs, { code: 'invalid-json', message: 'The request body is not UTF-8 JSON' }, refuse, cors);
    if (typeof text !== 'string') return text;
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      return refuse(errorAnswer(400, { code: 'json-too-deep', message: `JSON may nest at most ${MAX_JSON_DEPTH} levels` }, cors), `nests deeper than ${MAX_JSON_DEPTH}`);
    }
    let json: unknown = {};
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        return refuse(errorAnswer(400, { code: 'invalid-json', message: 'The request body is not valid JSON' }, cors), 'the body is not JSON');
      }
    }
    const body = sessionRequestSchema.safeParse(json);
    if (!body.success) {
      const issues = formatIssues(body.error);
      const answer = errorAnswer(400, { code: 'invalid-request', message: 'The request body is invalid', issues }, cors);
      return refuse(answer, `wrong at ${issues.map((issue) => issue.path || '(root)').join(', ')}`);
    }

    let reference: string | undefined;
    if (readReference) {
      const who = await readReference(() => input.request, body.data.context);
      if (who.kind === 'failed') return errorAnswer(500, { code: 'internal-error', message: 'The session could not be prepared' }, cors);
      if (who.kind === 'none') {
        return refuse(errorAnswer(403, { code: 'forbidden', message: 'Sign in to start a verification' }, cors), 'no reference (nobody signed in)');
      }
      reference = who.reference;
    }

    let metadata: SessionMetadata | undefined;
    if (metadataCallback) {
      try {
        // A getter: on the Node path the Web `Request` is only built for a callback that reads it.
        metadata = await metadataCallback({
          get request() {
            return input.request;
          },
          locale: body.data.locale,
          context: body.data.context,
        });
      } catch (error) {
        logger.error(`[biometric-flow] the metadata callback threw: ${redact(describeError(error))}`);
        return errorAnswer(500, { code: 'metadata-callback-failed', message: 'The session could not be prepared' }, cors);
      }
    }

    let session: CreatedSession;
    let statusToken: string;
    const createdAt = Date.now();
    try {
      session = await createSessionWith(vendor, metadata);
      statusToken = await issueWith(tokenSecret, session.session_id, tokenTtl);
    } catch (error) {
      if (error instanceof InvalidMetadataError) {
        logger.error(
          '[biometric-flow] the metadata callback returned invalid session metadata:',
          error.issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; '),
        );
        return errorAnswer(500, { code: 'invalid-metadata', message: 'The session could not be prepared' }, cors);
      }
      if (error instanceof VendorError) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        const text = error.vendorText === undefined ? '' : ` [vendor: ${error.vendorText}]`;
        logger.warn(redact(`[biometric-flow] session create failed: ${error.code}: ${error.message}${text}${cause}`));
        return vendorErrorAnswer(error, cors);
      }
      logger.error(`[biometric-flow] session create failed unexpectedly: ${redact(describeError(error))}`);
      return errorAnswer(500, { code: 'internal-error', message: 'The session could not be created' }, cors);
    }
    // Whole seconds, as the token's own expiry: the sooner of the two lifetimes.
    const expiresAt = new Date(Math.floor(createdAt / 1000 + Math.min(sessionTtl, tokenTtl)) * 1000);
    if (verdicts) {
      try {
        await verdicts.record({ sessionId: session.session_id, reference: reference!, createdAt, expiresAt });
      } catch (error) {
        // The vendor's session is left unused: one whose verdict could be lost is never handed out.
        logger.error(`[biometric-flow] the verdict ledger could not record session ${session.session_id}, which is not handed out: ${redact(describeError(error))}`);
        return errorAnswer(503, { code: 'store-unavailable', message: 'The verification could not be recorded: retry shortly' }, { ...cors, 'Retry-After': '1' });
      }
    }
    // The id is the vendor's, already checked to be a UUID; the element's locale by default.
    const url = flowUrl(flowLocation, session.session_id, body.data.locale ?? 'ru').href;
    return jsonAnswer(
      200,
      { session_id: session.session_id, technologies: session.technologies, status_token: statusToken, expires_at: expiresAt.toISOString(), flow_url: url },
      cors,
    );
  }));
}

/** The shared bucket of requests whose client is unknown. */
const UNKNOWN_CLIENT = 'unknown-client';


/** A store key for a client key: hashed, so any text (an address, a user id) makes a short, safe key. */
async function bucketOf(clientKey: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(clientKey));
  let hex = '';
  for (const byte of new Uint8Array(digest).subarray(0, 16)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Checks options once and returns the per-request check. `byDefault`: the limit is {@link DEFAULT_RATE_LIMIT},
 * taken because nothing else guards the handler; it warns once, at its first request, and leaves clients
 * of unknown address uncounted (one shared bucket would let anyone lock every visitor out).
 *
 * @returns a function resolving to `undefined` when the request may go on, else the seconds until the
 *   window ends (for `Retry-After`).
 */
function createRateLimit(
  options: SessionRateLimit,
  store: FlowStore,
  trustProxy: boolean,
  logger: Logger,
  byDefault: boolean,
): (input: HandlerInput) => Promise<number | undefined> {
  const { limit, windowMs, key } = options;
  if (!Number.isInteger(limit) || limit <= 0) throw new TypeError('createSessionHandler: rateLimit.limit must be a positive integer');
  if (!Number.isInteger(windowMs) || windowMs <= 0) throw new TypeError('createSessionHandler: rateLimit.windowMs must be a positive integer');
  if (key !== undefined && typeof key !== 'function') throw new TypeError('createSessionHandler: rateLimit.key must be a function');
  let warned = false;
  const clientOf = async (input: HandlerInput): Promise<string | undefined> => {
    if (key) {
      const value = await key(input.request);
      if (typeof value !== 'string') throw new TypeError('rateLimit.key must return a string');
      return `key:${value}`;
    }
    const address = (trustProxy ? lastForwardedFor(input.header('x-forwarded-for')) : undefined) ?? input.clientAddress;
    if (address !== undefined && address !== '') return `address:${address}`;
    if (byDefault) return undefined;
    if (!warned) {
      warned = true;
      logger.warn(
        '[biometric-flow] rateLimit: the client address of this request is unknown (a plain Web Request), so all such requests share one bucket. ' +
          'Pass rateLimit.key to count each client on its own.',
      );
    }
    return UNKNOWN_CLIENT;
  };
  return async (input) => {
    if (byDefault && !warned) {
      warned = true;
      logger.warn(
        '[biometric-flow] createSessionHandler has neither authorize, reference nor rateLimit: anyone who reaches it creates sessions billed to you. ' +
          `Until you set one, each client address may create ${limit} per ${windowMs / 1000} s (a request whose address is unknown, ` +
          'a plain Web Request, is not counted). Set authorize (who may start a verification), and rateLimit ({ limit, windowMs, key? }).',
      );
    }
    const client = await clientOf(input);
    if (client === undefined) return undefined;
    const now = Date.now();
    const window = Math.floor(now / windowMs);
    const count = await store.increment(`bf:rate:${await bucketOf(client)}:${window}`, windowMs);
    if (count <= limit) return undefined;
    return Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
  };
}
