import { VendorError, describeError, redactorFor } from './errors.js';
import { webHandler } from './handler-core.js';
import type { HandlerAnswer, HandlerInput } from './handler-core.js';
import { errorAnswer, jsonTextAnswer, printable, refuser, singleQueryValue, vendorErrorAnswer } from './http.js';
import type { Logger, OriginOptions } from './http.js';
import { BusyError, createCallLimit } from './call-limit.js';
import { sessionIdSchema } from './metadata.js';
import { vendorPrelude, withPrelude } from './prelude.js';
import { resolveTokenSecret, verifyWith } from './status-token.js';
import { createMemoryStore } from './store.js';
import type { FlowStore } from './store.js';
import { checkTimeoutMs, getSessionResultWith } from './vendor.js';
import type { ResolvedVendorOptions, SessionResult, VendorOptions, VendorSessionResult } from './vendor.js';
import { resultFailureReasons } from './vendor-reasons.js';
import { checkOwner, checkReferenceOptions, createReferenceReader } from './reference.js';
import type { ReferenceCallback } from './reference.js';
import { listenToFinalResults } from './verdict-ledger.js';
import { WEBHOOK_PACE_MS, takeCallMark, webhooksArrive } from './vendor-pace.js';
import type { VerdictLedger } from './verdict-ledger.js';
import type { FailureReason } from './vendor-reasons.js';
import { FINAL_STATUSES } from '../verdict.js';

/** Options of {@link createStatusHandler}. */
export interface StatusHandlerOptions extends VendorOptions, OriginOptions {
  /**
   * Chooses what of the vendor's result the browser sees (JSON-able; `undefined` omits `result`). The
   * vendor's result holds personal data, so the default is only {@link summarizeResult}'s verdict and
   * failure reasons. Called once per vendor call (its answer is reused), and once per final result that
   * `verdicts` passes on from a webhook or a sweep; not while the result is pending.
   */
  mapResult?: (result: VendorSessionResult) => unknown;
  /**
   * The secret status tokens are signed with, at least 32 characters, the same as the session handler's
   * (and every instance's). Default: env `BIOMETRIC_TOKEN_SECRET`, else a random secret of this process
   * (one warning). Not used when `authorize` is given.
   */
  tokenSecret?: string;
  /**
   * Decides alone who may read a session's status (your own session cookie, say), instead of the status
   * token: `false` answers 403 `forbidden`. It runs before any vendor call.
   */
  authorize?: (request: Request, sessionId: string) => boolean | Promise<boolean>;
  /**
   * Where answers are kept for reuse, shared by every instance that shares it (see `createUnstorageStore`).
   * Default: a `createMemoryStore()` of this handler.
   */
  store?: FlowStore;
  /**
   * The verdict ledger (`createVerdictLedger`): every result this handler reads from the vendor is told
   * to it, so that a polling browser that sees the final status settles the session's verdict. The other
   * way round, a final result the ledger hears from a confirmed webhook (`createWebhookHandler` with the
   * same `verdicts`) or reads in a sweep answers this handler's held requests (`wait`) at once, without a
   * vendor call of its own, and is kept in `store` for the other instances' held requests, which look
   * there every 150 ms: with the vendor's webhook configured, a waiting page hears the verdict about one
   * round trip after the webhook, instead of within about a second by polling.
   */
  verdicts?: VerdictLedger;
  /**
   * With `verdicts`: the request's reference (as the session handler's `reference`). A session is then
   * answered only to the reference it was recorded for (403 `forbidden` otherwise, and for nobody signed
   * in), on top of the status token or `authorize`: a token that leaked does not reach across accounts.
   */
  reference?: ReferenceCallback;
  /**
   * How long a session's answer is reused, in ms (0: never; concurrent requests still share one call), and
   * so how often a session's vendor is asked at most, by every instance sharing `store`. Default 1000. A
   * final answer (`FINISHED`, `FAILED`), which no longer changes, is kept 10 minutes (or `reuseMs`, if longer).
   */
  reuseMs?: number;
  /**
   * The longest a request may be held open by `wait` (a long poll), in ms; a longer `wait` is cut to it.
   * 0: `wait` is ignored and every request is answered at once. Default 20000.
   */
  maxWaitMs?: number;
  /** Most vendor calls this handler makes at once; more wait in a short queue. Default 8. */
  maxConcurrentVendorCalls?: number;
  /** Longest wait for a free call, in ms, before 503 `server-busy`. Default 2000. */
  queueTimeoutMs?: number;
  /** Where problems are reported (redacted, never a token); default `console`. */
  logger?: Logger;
}

/** The status answer: `status` is the vendor's (`FINISHED`, `FAILED`, `PROGRESS`, ...) or `PENDING`. */
export interface StatusAnswer {
  /** The session asked about. */
  session_id: string;
  /** The vendor's status string, or `PENDING` while the vendor answers `{}`. */
  status: string;
  /** What `mapResult` made of the vendor's result; absent while pending. */
  result?: unknown;
}

/** The default view of a result: {@link summarizeResult}'s answer. */
export interface ResultSummary {
  /** The verdict, when the vendor gave one. */
  flow_session_result?: boolean;
  /** The vendor's failure reasons, as it sent them. */
  flow_session_failure_reasons?: unknown[];
  /**
   * The same reasons with stable codes (`REASON_CODES`), with what the technology results'
   * `failure_reason: { type, detail }` add (`[]` when there are none).
   */
  failure_reasons: FailureReason[];
}

/**
 * The default, privacy-preserving view of a result: the verdict and failure reasons, nothing personal
 * (no photos, no document payloads).
 *
 * @returns `{ flow_session_result?, flow_session_failure_reasons?, failure_reasons }`; the first two only
 *   when the vendor sent them.
 */
export function summarizeResult(result: VendorSessionResult): ResultSummary {
  const summary: ResultSummary = { failure_reasons: resultFailureReasons(result) };
  if (typeof result.flow_session_result === 'boolean') summary.flow_session_result = result.flow_session_result;
  if (Array.isArray(result.flow_session_failure_reasons)) {
    summary.flow_session_failure_reasons = result.flow_session_failure_reasons;
  }
  return summary;
}

const ALLOWED_METHODS = 'GET, OPTIONS';
/** Default reuse window, in ms: at most one vendor call per session per second. */
export const DEFAULT_REUSE_MS = 1000;
/** Default longest hold of a request with `wait`, in ms. */
export const DEFAULT_MAX_WAIT_MS = 20_000;
/**
 * Shortest pause of a held request between two looks at the store: another instance is asking the vendor
 * and its answer is on its way there.
 */
const MIN_PAUSE_MS = 25;
/** Longest such pause. */
const MAX_PAUSE_MS = 200;
/**
 * How often a held request looks at the store, between two vendor calls, for a final answer that
 * another instance put there (its webhook or sweep saw the verdict): store reads, not vendor calls.
 */
const LOOK_MS = 150;
/** How long a final answer is kept for reuse, in ms (unless `reuseMs` is longer): it no longer changes. */
const FINAL_REUSE_MS = 10 * 60_000;
/** Default cap on a status handler's concurrent vendor calls. */
export const DEFAULT_MAX_CONCURRENT_VENDOR_CALLS = 8;
/** Default longest wait for a free vendor call, in ms. */
export const DEFAULT_QUEUE_TIMEOUT_MS = 2000;
/** Largest answer kept for reuse, in characters; a bigger one (a generous `mapResult`) is not stored. */
const MAX_REUSED_ANSWER_LENGTH = 256 * 1024;

/**
 * An answer as it is shared and reused: its status and body, without the per-request CORS headers; when
 * the vendor gave it (ms since the epoch), and whether it is final (nothing more will change).
 */
interface SharedAnswer {
  status: number;
  body: string;
  at: number;
  final: boolean;
}

function parseShared(text: string): SharedAnswer | undefined {
  try {
    const value = JSON.parse(text) as Partial<SharedAnswer>;
    return typeof value.status === 'number' && typeof value.body === 'string'
      ? { status: value.status, body: value.body, at: typeof value.at === 'number' ? value.at : Date.now(), final: value.final === true }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The `wait` query parameter, in ms: `null` when absent, `undefined` when it is not a single number of
 * seconds from 0 up.
 */
function waitParameter(url: URL): number | null | undefined {
  const value = singleQueryValue(url, 'wait');
  if (value === null) return null;
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Math.round(Number(value) * 1000);
}

function positiveInteger(value: number | undefined, fallback: number, name: string, allowZero = false): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < (allowZero ? 0 : 1)) {
    throw new TypeError(`createStatusHandler: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer`);
  }
  return result;
}

/**
 * Creates the endpoint the element's `status-endpoint` points at: `GET ?session_id=<uuid>` with the
 * header `Biometric-Status-Token` (the `status_token` of the session answer) →
 * `200 { session_id, status, result? }` (`Cache-Control: no-store`).
 *
 * In order: Origin (403 `forbidden-origin`; `OPTIONS` → 204 preflight), method (405), `session_id`
 * (400 `invalid-session-id`: missing, not a UUID, or given more than once), then who asks: without
 * `authorize`, a missing, forged, expired or other-session token → 401 `status-token-invalid`; with it,
 * `false` → 403 `forbidden`; then, with `verdicts` and `reference`, whose the session is (403
 * `forbidden` for another reference, nobody signed in, or a session the ledger does not know; 503
 * `store-unavailable` when it cannot be read). Nothing reaches the vendor before these pass. With
 * `verdicts`, each result read from the vendor is told to the ledger (a final one decides the session's
 * verdict) before it is answered.
 *
 * Long poll: `&wait=<seconds>` (up to `maxWaitMs`) holds the request until the status is final
 * (`FINISHED`, `FAILED`) or an error, and otherwise answers the latest status when the wait is over or
 * the client goes away; a request without `wait` is answered at once, as before. While held, it asks again
 * each time the kept answer runs out, so by polling a verdict reaches a waiting page within about
 * `reuseMs` (1 s when it is 0) of the vendor having it. With `verdicts` and the vendor's webhook going to
 * `createWebhookHandler` on the same ledger, it comes sooner: the webhook's confirmed verdict answers the
 * held requests of this process at once and those of the instances sharing `store` within 150 ms, about
 * one round trip after the webhook. A `wait` that is not a number of seconds → 400 `invalid-wait`.
 *
 * It is no amplifier: concurrent requests for one session share one vendor call; an answer (errors from
 * the vendor included) is reused for `reuseMs` through `store`, and one instance of all that share the
 * store asks per window (`store.add`), so held and plain requests on every instance cost about one vendor
 * call per session per `reuseMs`, and none while a final answer is kept. With `createWebhookHandler` on the
 * same `store`, its confirming call counts too (one call per session per second between them), and a
 * session whose webhooks arrive is left to the push: a held request with nothing kept asks the vendor only
 * after 5 s, and answers are reused for 5 s (./vendor-pace.ts). At most `maxConcurrentVendorCalls` calls run at once, and a request
 * that cannot get one within `queueTimeoutMs` gets 503 `server-busy` with `Retry-After: 1`. A result is
 * read once per call (up to 32 MiB), summarised, and dropped.
 *
 * Vendor errors: 404 → 404 `session-not-found`; a known vendor text → its code (502, `vendorStatus`);
 * otherwise as `createSessionHandler` (502, 504). `mapResult` throws → 500 `internal-error`.
 *
 * @returns a `(request: Request) => Promise<Response>`.
 * Like `createSessionHandler`, it checks `apiKey`, `apiBaseUrl`, `tokenSecret` and `allowedOrigins` (and
 * their environment variables) on the first request: 500 `configuration-error` and one log line while
 * one is wrong. Each refused request (403, 405, 400, 401) is one `logger.warn` line with its reason,
 * never the token.
 *
 * @throws {TypeError} at creation, for options that are not what their types say: `mapResult`,
 *   `authorize` or `reference` not functions, `verdicts` not a ledger, `reference` without `verdicts`, `timeoutMs`, `reuseMs`, `maxWaitMs`, `maxConcurrentVendorCalls` or `queueTimeoutMs`
 *   out of range. Never for a missing `apiKey`.
 */
export function createStatusHandler(options: StatusHandlerOptions): (request: Request) => Promise<Response> {
  const caller = 'createStatusHandler';
  checkTimeoutMs(options.timeoutMs, caller);
  const logger = options.logger ?? console;
  const mapResult = options.mapResult ?? summarizeResult;
  if (typeof mapResult !== 'function') throw new TypeError('createStatusHandler: mapResult must be a function');
  const authorize = options.authorize;
  if (authorize !== undefined && typeof authorize !== 'function') throw new TypeError('createStatusHandler: authorize must be a function');
  checkReferenceOptions(options.reference, options.verdicts, caller);
  const verdicts = options.verdicts;
  if (options.reference !== undefined && verdicts === undefined) {
    throw new TypeError(`${caller}: reference needs verdicts: the ledger knows whose each session is`);
  }
  const readReference = options.reference && createReferenceReader(options.reference, caller, logger, redactorFor(options.apiKey));
  const store = options.store ?? createMemoryStore();
  const reuseMs = positiveInteger(options.reuseMs, DEFAULT_REUSE_MS, 'reuseMs', true);
  // Without a reuse window (0), held requests still pace their vendor calls by the default one.
  const pollMs = reuseMs || DEFAULT_REUSE_MS;
  const maxWaitMs = positiveInteger(options.maxWaitMs, DEFAULT_MAX_WAIT_MS, 'maxWaitMs', true);
  const limit = createCallLimit(
    positiveInteger(options.maxConcurrentVendorCalls, DEFAULT_MAX_CONCURRENT_VENDOR_CALLS, 'maxConcurrentVendorCalls'),
    positiveInteger(options.queueTimeoutMs, DEFAULT_QUEUE_TIMEOUT_MS, 'queueTimeoutMs', true),
  );
  const refuse = refuser('status request', logger);
  const prelude = vendorPrelude(options, { caller, logger, allow: ALLOWED_METHODS, accept: ['GET'], refuse }, () => ({
    tokenSecret: authorize ? undefined : resolveTokenSecret(options.tokenSecret, caller, logger),
  }));
  // One flight per session id in this process; the store shares finished answers between processes.
  const flights = new Map<string, Promise<SharedAnswer>>();

  /** The answer a browser gets for what the vendor said. @throws what `mapResult` throws. */
  const answerOf = (sessionId: string, outcome: SessionResult): SharedAnswer => {
    const answer: StatusAnswer = { session_id: sessionId, status: outcome.status };
    if (outcome.result !== undefined) {
      const result = mapResult(outcome.result);
      if (result !== undefined) answer.result = result;
    }
    return { status: 200, body: JSON.stringify(answer), at: Date.now(), final: FINAL_STATUSES.has(outcome.status) };
  };

  /** Asks the vendor once and makes the answer every waiting request shares. */
  const askVendor = async (vendor: ResolvedVendorOptions, sessionId: string): Promise<SharedAnswer> => {
    try {
      const outcome = await getSessionResultWith(vendor, sessionId);
      if (verdicts) {
        // Recorded before the browser hears it; delivered in the background.
        await verdicts.observe(sessionId, outcome, 'status').catch((error: unknown) => {
          logger.error(`[biometric-flow] the verdict ledger could not take the status of session ${sessionId}: ${vendor.redact(describeError(error))}`);
        });
      }
      return answerOf(sessionId, outcome);
    } catch (error) {
      if (error instanceof VendorError) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        const text = error.vendorText === undefined ? '' : ` [vendor: ${error.vendorText}]`;
        if (error.code !== 'session-not-found') {
          logger.warn(vendor.redact(`[biometric-flow] session result failed: ${error.code}: ${error.message}${text}${cause}`));
        }
        const answer = vendorErrorAnswer(error, {});
        return { status: answer.status, body: answer.body!, at: Date.now(), final: false };
      }
      throw error;
    }
  };

  /**
   * Keeps an answer for every instance sharing the store: a final one for {@link FINAL_REUSE_MS}, any
   * other until `reuseMs` after the vendor gave it (not after this write: a held request wakes then).
   * Another answer never replaces one that is kept (`add`): a call that began before the result existed
   * and ends after a webhook's final answer was kept must not hide it.
   */
  const keep = async (key: string, answer: SharedAnswer, redact: (text: string) => string, forMs = reuseMs): Promise<void> => {
    if (reuseMs === 0) return;
    const text = JSON.stringify(answer);
    if (text.length > MAX_REUSED_ANSWER_LENGTH) return;
    const write = answer.final
      ? store.set(key, text, Math.max(reuseMs, FINAL_REUSE_MS))
      : store.add(key, text, Math.max(1, answer.at + forMs - Date.now()));
    await write.catch((error: unknown) => {
      logger.warn(`[biometric-flow] the store failed on write: ${redact(describeError(error))}`);
    });
  };

  // The held requests of this process, by session id: a final answer known here ends their wait at once.
  const listeners = new Map<string, Set<(answer: SharedAnswer) => void>>();
  const wake = (id: string, answer: SharedAnswer): void => {
    const listening = listeners.get(id);
    listeners.delete(id);
    for (const resolve of listening ?? []) resolve(answer);
  };
  /** The final answer {@link wake} brings for a session from now on, until `stop()`. */
  const hear = (id: string): { heard: Promise<SharedAnswer>; stop: () => void } => {
    let resolve!: (answer: SharedAnswer) => void;
    const heard = new Promise<SharedAnswer>((settle) => (resolve = settle));
    let listening = listeners.get(id);
    if (listening === undefined) listeners.set(id, (listening = new Set()));
    listening.add(resolve);
    const stop = () => {
      const current = listeners.get(id);
      current?.delete(resolve);
      if (current?.size === 0) listeners.delete(id);
    };
    return { heard, stop };
  };

  /** The kept answer of a session, if any (a store that fails to read is reported and counts as none). */
  const kept = async (key: string, redact: (text: string) => string): Promise<SharedAnswer | undefined> => {
    try {
      const text = await store.get(key);
      return text === undefined ? undefined : parseShared(text);
    } catch (error) {
      logger.warn(`[biometric-flow] the store failed on read, asking the vendor: ${redact(describeError(error))}`);
      return undefined;
    }
  };

  /**
   * Whether this instance may ask the vendor now: one of all the instances sharing the store per
   * `reuseMs`, and not in a second a webhook handler on that store took for its confirming call
   * (./vendor-pace.ts; a store that fails says yes: the vendor is asked rather than nobody).
   */
  const mayAsk = (id: string): Promise<boolean> => takeCallMark(store, id, reuseMs);

  /**
   * How long a session's answer stands before the vendor is asked again: `reuseMs` (or 1 s), and
   * {@link WEBHOOK_PACE_MS} for a session whose webhooks arrive through a handler on the same store,
   * whose verdict comes by push (./vendor-pace.ts).
   */
  const paceOf = async (id: string): Promise<number> => ((await webhooksArrive(store, id)) ? Math.max(pollMs, WEBHOOK_PACE_MS) : pollMs);

  /**
   * Another instance asked the vendor moments ago: its answer, once it is in the store, or `undefined`
   * when none came within `reuseMs` (its instance died, or the answer was too big to keep).
   */
  const othersAnswer = async (key: string, redact: (text: string) => string): Promise<SharedAnswer | undefined> => {
    const until = Date.now() + reuseMs;
    for (let wait = MIN_PAUSE_MS; Date.now() < until; wait = Math.min(wait * 2, MAX_PAUSE_MS)) {
      await pause(wait, undefined);
      const shared = await kept(key, redact);
      if (shared) return shared;
    }
    return undefined;
  };

  const sharedAnswer = async (vendor: ResolvedVendorOptions, sessionId: string): Promise<SharedAnswer> => {
    const redact = vendor.redact;
    const id = sessionId.toLowerCase();
    const key = `bf:status:${id}`;
    if (reuseMs > 0) {
      const shared = (await kept(key, redact)) ?? (!(await mayAsk(id)) ? await othersAnswer(key, redact) : undefined);
      if (shared) return shared;
    }
    const answer = await limit(() => askVendor(vendor, sessionId));
    await keep(key, answer, redact, reuseMs > 0 ? await paceOf(id) : reuseMs);
    if (answer.final) wake(id, answer);
    return answer;
  };

  const answerFor = (vendor: ResolvedVendorOptions, sessionId: string): Promise<SharedAnswer> => {
    const id = sessionId.toLowerCase();
    let flight = flights.get(id);
    if (flight === undefined) {
      flight = sharedAnswer(vendor, sessionId).finally(() => flights.delete(id));
      flights.set(id, flight);
    }
    return flight;
  };

  // One look at the store per session at a time in this process, however many requests it holds.
  const looks = new Map<string, Promise<SharedAnswer | undefined>>();
  const look = (id: string): Promise<SharedAnswer | undefined> => {
    let looking = looks.get(id);
    if (looking === undefined) {
      // A store that fails is no answer here: the next vendor call reports it.
      looking = store
        .get(`bf:status:${id}`)
        .then((text) => (text === undefined ? undefined : parseShared(text)), () => undefined)
        .finally(() => looks.delete(id));
      looks.set(id, looking);
    }
    return looking;
  };

  /**
   * A long poll: the session's answer once it is final or an error, or the latest one when `waitMs` has
   * passed or the client went away. It asks again each time the kept answer runs out (the next vendor
   * call is allowed then), so that any number of held requests, on any number of instances sharing the
   * store, cost one vendor call per `reuseMs`. Between two calls, a final answer known elsewhere ends the
   * wait: at once when this process's ledger (`verdicts`) heard it from a webhook or a sweep, within
   * {@link LOOK_MS} when another instance put it in the store.
   */
  const heldAnswer = async (vendor: ResolvedVendorOptions, sessionId: string, waitMs: number, signal: AbortSignal | undefined): Promise<SharedAnswer> => {
    const id = sessionId.toLowerCase();
    const deadline = Date.now() + waitMs;
    // Heard for as long as the request is held, a vendor call in flight included.
    const { heard, stop } = hear(id);
    try {
      // A session whose webhooks arrive gets its verdict by push (./vendor-pace.ts): with no answer kept,
      // a held request waits for it, and asks the vendor only once the pace has passed or the wait is over.
      if ((await paceOf(id)) > pollMs && (await look(id)) === undefined) {
        const askAt = Math.min(deadline, Date.now() + WEBHOOK_PACE_MS);
        while (Date.now() < askAt && !signal?.aborted) {
          const woken = await Promise.race([heard, pause(Math.min(LOOK_MS, askAt - Date.now()), signal)]);
          if (woken) return woken;
          const seen = await look(id);
          if (seen?.final) return seen;
        }
      }
      for (;;) {
        const answer = await Promise.race([answerFor(vendor, sessionId), heard]);
        if (answer.final || answer.status !== 200 || deadline <= Date.now() || signal?.aborted) return answer;
        let interval = await paceOf(id);
        const next = () => Math.min(deadline, Math.max(answer.at + interval, Date.now() + MIN_PAUSE_MS));
        let askAt = next();
        for (;;) {
          const woken = await Promise.race([heard, pause(Math.min(LOOK_MS, askAt - Date.now()), signal)]);
          if (woken) return woken;
          if (signal?.aborted) return answer;
          if (Date.now() >= askAt) {
            // A webhook came meanwhile (its flow.end may be being confirmed now): the push's pace from here.
            const paced = await paceOf(id);
            if (paced <= interval) break;
            interval = paced;
            askAt = next();
            if (Date.now() >= askAt) break;
            continue;
          }
          const seen = reuseMs > 0 ? await look(id) : undefined;
          if (seen?.final) return seen;
        }
      }
    } finally {
      stop();
    }
  };

  /**
   * A final result the ledger heard from a webhook or a sweep: answered at once to the requests this
   * handler holds for the session, and kept for those of the other instances sharing the store.
   */
  const publish = (sessionId: string, seen: SessionResult): void => {
    const id = sessionId.toLowerCase();
    let answer: SharedAnswer;
    try {
      answer = answerOf(id, seen);
    } catch (error) {
      logger.error(`[biometric-flow] mapResult failed on the final result of session ${id}; held requests ask the vendor: ${prelude.redact(describeError(error))}`);
      return;
    }
    wake(id, answer);
    void keep(`bf:status:${id}`, answer, prelude.redact);
  };

  const handler = webHandler(withPrelude(prelude, async (input: HandlerInput, { settings: { vendor, tokenSecret }, cors }): Promise<HandlerAnswer> => {
    const redact = vendor.redact;
    const url = new URL(input.url);
    const sessionId = singleQueryValue(url, 'session_id');
    /** A 400 for a wrong query parameter, logged as `why`. */
    const invalid = (code: string, message: string, path: string, issue: string, why: string) =>
      refuse(errorAnswer(400, { code, message, issues: [{ path, message: issue }] }, cors), why);
    if (sessionId === undefined) {
      return invalid('invalid-session-id', 'session_id must be given once', 'session_id', 'Given more than once', 'session_id given more than once');
    }
    if (sessionId === null || !sessionIdSchema.safeParse(sessionId).success) {
      return sessionId === null
        ? invalid('invalid-session-id', 'session_id must be a UUID', 'session_id', 'Required', 'no session_id')
        : invalid('invalid-session-id', 'session_id must be a UUID', 'session_id', 'Expected a UUID session id', `session_id ${printable(sessionId, 64)} is not a UUID`);
    }
    const waitMs = waitParameter(url);
    if (waitMs === undefined) {
      return invalid('invalid-wait', 'wait must be given once, as seconds (0 or more)', 'wait', 'Expected a number of seconds', 'wait is not a number of seconds');
    }

    const presented = input.header('biometric-status-token');
    if (authorize) {
      let allowed: boolean;
      try {
        allowed = (await authorize(input.request, sessionId)) === true;
      } catch (error) {
        // The host's error may quote the request, token included.
        const line = redact(describeError(error));
        logger.error(`[biometric-flow] the authorize callback threw: ${presented && presented.length >= 8 ? line.split(presented).join('[token]') : line}`);
        return errorAnswer(500, { code: 'internal-error', message: 'The session status could not be read' }, cors);
      }
      if (!allowed) return refuse(errorAnswer(403, { code: 'forbidden', message: 'You may not read this session' }, cors), `authorize said no for session ${sessionId}`);
    } else if (!(await verifyWith(tokenSecret!, sessionId, presented))) {
      const answer = errorAnswer(
        401,
        { code: 'status-token-invalid', message: 'Send the session\'s status token in the Biometric-Status-Token header' },
        cors,
      );
      // Never the token itself: whether there was one is enough to tell a missing header from a bad one.
      return refuse(answer, `${presented === null ? 'no' : 'a forged, expired or other-session'} Biometric-Status-Token for session ${sessionId}`);
    }
    if (readReference) {
      const refused = await checkOwner(readReference, verdicts!, () => input.request, sessionId, cors, refuse, logger);
      if (refused) return refused;
    }

    try {
      const held = Math.min(waitMs ?? 0, maxWaitMs);
      const answer = held > 0 ? await heldAnswer(vendor, sessionId, held, input.signal) : await answerFor(vendor, sessionId);
      return jsonTextAnswer(answer.status, answer.body, cors);
    } catch (error) {
      if (error instanceof BusyError) {
        return errorAnswer(503, { code: 'server-busy', message: 'Too many status requests at once: retry shortly' }, {
          ...cors,
          'Retry-After': '1',
        });
      }
      logger.error(`[biometric-flow] session result failed unexpectedly: ${redact(describeError(error))}`);
      return errorAnswer(500, { code: 'internal-error', message: 'The session status could not be read' }, cors);
    }
  }));
  // What this handler read itself is kept by it already; the webhook's and the sweep's are not.
  if (verdicts) {
    listenToFinalResults(verdicts, handler, (sessionId, seen, via) => {
      if (via !== 'status') publish(sessionId, seen);
    });
  }
  return handler;
}
