/**
 * The verdict in the host's records (DESIGN.md): each session is bound to the host's own reference when
 * it is made, and its verdict reaches the host's `onVerdict` exactly once, whichever source sees it
 * first: a browser polling the status handler, a confirmed webhook, or a sweep that asks the vendor
 * about the sessions whose browser went quiet.
 *
 * Everything lives in the shared store, so instances behind a load balancer act as one ledger:
 * - a session's **record** (`bf:ledger:s:<id>`, JSON) moves from state to state only by
 *   `compareAndSet`, so of two instances that see a verdict at once, one decides it;
 * - a delivery runs under a **lease** in the record: one attempt at a time, freed when the instance
 *   running it dies;
 * - the **schedule** (`bf:ledger:due`, a sorted set of session ids by the time they need attention) is
 *   claimed atomically, so each due session goes to one sweeping instance.
 *
 * @module
 */
import { z } from 'zod';
import { lazySettings } from './configuration.js';
import { VendorError, describeError, redactorFor } from './errors.js';
import type { Logger } from './http.js';
import { sessionIdSchema } from './metadata.js';
import { createMemoryStore, isLedgerStore } from './store.js';
import type { FlowStore, LedgerStore } from './store.js';
import { checkTimeoutMs, getSessionResultWith, resolveVendorOptions } from './vendor.js';
import type { ResolvedVendorOptions, SessionResult, VendorOptions, VendorSessionResult } from './vendor.js';
import { REASON_CODES, resultFailureReasons } from './vendor-reasons.js';
import type { FailureReason } from './vendor-reasons.js';
import { FINAL_STATUSES, verdictOf } from '../verdict.js';

/** What the host is told: `expired` when no final status came by the session's expiry plus the grace window. */
export type VerdictOutcome = 'passed' | 'failed' | 'expired';

/** Which source saw the verdict first. */
export type VerdictSource = 'status' | 'webhook' | 'sweep';

/** A reason as the ledger keeps and delivers it: the stable code (and technology), never the vendor's text. */
export type VerdictReason = Omit<FailureReason, 'text'>;

/** What `onVerdict` receives. */
export interface Verdict {
  /** The host's reference the session was made for (`reference` of the session handler). */
  reference: string;
  /** The vendor's session id: the idempotency key of the delivery. */
  sessionId: string;
  /** `passed`, `failed`, or `expired`. */
  outcome: VerdictOutcome;
  /** Why it failed, as stable codes (as the status summary's `failure_reasons`, without the vendor's text); `[]` otherwise. */
  reasons: VerdictReason[];
  /** Which source saw it first. */
  via: VerdictSource;
  /** 1 for the first attempt to deliver this verdict, 2 for the first retry, and so on. */
  attempt: number;
  /** `'expired'` when an `expired` was delivered for this session before this real verdict came. */
  corrects?: 'expired';
}

/** What {@link VerdictLedger.get} answers. */
export interface VerdictRecord {
  /** The host's reference the session was made for. */
  reference: string;
  /** `open`: no verdict yet; `decided`: known, being delivered (or retried); `delivered`: `onVerdict` took it. */
  state: 'open' | 'decided' | 'delivered';
  /** The verdict, once decided (a correction's, once a real verdict corrects `expired`). */
  outcome?: VerdictOutcome;
  /** Which source saw it. */
  via?: VerdictSource;
  /** When it was decided. */
  decidedAt?: Date;
}

/** What {@link VerdictLedger.record} takes. */
export interface SessionToRecord {
  /** The vendor's session id (a UUID). */
  sessionId: string;
  /** The host's opaque id of whom the session is for: at most 128 characters, no personal data. */
  reference: string;
  /** When the session stops being worth waiting for (the session handler's `expires_at`). */
  expiresAt: Date | number;
  /** When it was made; default now. */
  createdAt?: Date | number;
}

/** What one {@link VerdictLedger.sweep} did. */
export interface SweepReport {
  /** Sessions it claimed from the schedule. */
  claimed: number;
  /** Calls it made to the vendor's result endpoint. */
  vendorCalls: number;
  /** Verdicts it decided (the sweep saw them first, or `expired`). */
  decided: number;
  /** Verdicts delivered to `onVerdict` during it. */
  delivered: number;
}

/** Options of {@link createVerdictLedger}. */
export interface VerdictLedgerOptions extends VendorOptions {
  /**
   * Where records and the schedule live: the store every instance shares (Redis through
   * `createUnstorageStore`). Default: a `createMemoryStore()` of this ledger, for one process only, and
   * lost on restart.
   */
  store?: FlowStore;
  /**
   * Takes each verdict into the host's records. Called once per session (twice when a real verdict
   * corrects `expired`); if it throws or runs past `deliveryTimeoutMs`, it is called again later with
   * `attempt` one higher. Make it idempotent by `sessionId`: an attempt that timed out may still have
   * finished on the host's side.
   */
  onVerdict: (verdict: Verdict) => void | Promise<void>;
  /** Seconds after a session's expiry before `expired` is delivered; default 300. */
  graceSeconds?: number;
  /**
   * How often `start()` sweeps, in ms, and the base of each session's check and retry schedule, which
   * backs off from it; default 30000.
   */
  sweepIntervalMs?: number;
  /** Most vendor calls one sweep makes at once; default 8. */
  maxConcurrentVendorCalls?: number;
  /**
   * How long an `onVerdict` call may run, in ms, before it counts as failed and is retried; also the
   * lease of a delivery whose instance died (plus a margin for the store). Default 30000.
   */
  deliveryTimeoutMs?: number;
  /** Days a record is kept after its delivery; default 30. */
  retentionDays?: number;
  /** Where problems are reported (redacted, never the key); default `console`. */
  logger?: Logger;
}

/** The ledger: the handlers take it as `verdicts`; a host calls `start()` or `sweep()`, and `get()`. */
export interface VerdictLedger {
  /**
   * Records a new session for its reference. The session handler calls it before its answer leaves.
   *
   * @throws {TypeError} for a session id that is not a UUID or a reference that is not a short string.
   * @throws when the store fails, or when the session id is already recorded for another reference.
   */
  record(session: SessionToRecord): Promise<void>;
  /**
   * Tells the ledger what a source read from the vendor about a session (what `getSessionResult`
   * resolves with). A final status decides the verdict and starts its delivery in the background, and
   * is passed on at once to the status handlers of this process that share the ledger, so that pages
   * waiting on them hear it without another vendor call; a status that is not final, seen by a polling
   * browser, puts the session's next check one interval later. A session the ledger never recorded
   * gets no verdict (its final status is still passed on).
   *
   * @returns once the verdict is recorded in the store (not delivered).
   */
  observe(sessionId: string, seen: SessionResult, via: 'status' | 'webhook'): Promise<void>;
  /**
   * Tells the ledger that a session's flow has ended (a `flow.end` webhook) while its result is not yet
   * readable: it is checked one interval later, and then backing off from the end.
   */
  expectEnd(sessionId: string): Promise<void>;
  /**
   * One pass over the sessions that are due: asks the vendor about the open ones (at most
   * `maxConcurrentVendorCalls` at once), decides `expired` ones, retries failed deliveries, and waits
   * for the deliveries it started. Concurrent calls share one pass.
   *
   * @returns what it did.
   * @throws {TypeError} while `apiKey` or `apiBaseUrl` is missing or malformed (logged once).
   */
  sweep(): Promise<SweepReport>;
  /** Sweeps now and then every `sweepIntervalMs`, until `stop()`. For long-lived servers. */
  start(): void;
  /** Stops the timer. @returns once the running sweep and the deliveries in flight have ended. */
  stop(): Promise<void>;
  /** @returns what the ledger knows of a session, `undefined` for one it never recorded (or no longer keeps). */
  get(sessionId: string): Promise<VerdictRecord | undefined>;
}

/**
 * Hears each final result a ledger is told or its sweep reads, in this process: the status handlers
 * sharing the ledger answer their held requests with it at once (see {@link listenToFinalResults}).
 */
export type FinalResultListener = (sessionId: string, seen: SessionResult, via: VerdictSource) => void;

interface Listening {
  /** The listener lives as long as its owner (a status handler), and no longer: nothing keeps the owner alive. */
  owner: WeakRef<object>;
  listener: FinalResultListener;
}

/** The listeners of each ledger made by {@link createVerdictLedger}: not part of its public interface. */
const listeners = new WeakMap<VerdictLedger, Set<Listening>>();

/**
 * Tells `listener` every final result that `ledger` is told (`observe`) or that its sweep reads, once it
 * is recorded, for as long as `owner` lives. A ledger not made by {@link createVerdictLedger} tells nothing.
 *
 * @returns whether the ledger will tell it.
 */
export function listenToFinalResults(ledger: VerdictLedger, owner: object, listener: FinalResultListener): boolean {
  const set = listeners.get(ledger);
  if (set === undefined) return false;
  for (const entry of set) if (entry.owner.deref() === undefined) set.delete(entry);
  set.add({ owner: new WeakRef(owner), listener });
  return true;
}

/** Default `graceSeconds`. */
export const DEFAULT_GRACE_SECONDS = 300;
/** Default `sweepIntervalMs`. */
export const DEFAULT_SWEEP_INTERVAL_MS = 30_000;
/** Default `maxConcurrentVendorCalls` of a sweep. */
export const DEFAULT_SWEEP_CONCURRENCY = 8;
/** Default `deliveryTimeoutMs`. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 30_000;
/** Default `retentionDays`. */
export const DEFAULT_RETENTION_DAYS = 30;
/** Longest reference, in characters. */
export const MAX_REFERENCE_LENGTH = 128;

const RECORD_PREFIX = 'bf:ledger:s:';
const SCHEDULE = 'bf:ledger:due';
/** Longest wait between two delivery attempts, unless the interval itself is longer. */
const MAX_RETRY_DELAY_MS = 3_600_000;
/** How many times a record update is tried when other instances keep changing it under it. */
const MAX_UPDATE_TRIES = 16;
const DAY_MS = 86_400_000;

const reasonSchema = z.object({ code: z.enum(REASON_CODES), technology: z.string().max(32).optional() });
const decisionSchema = z.object({
  outcome: z.enum(['passed', 'failed', 'expired']),
  reasons: z.array(reasonSchema),
  via: z.enum(['status', 'webhook', 'sweep']),
  decidedAt: z.number(),
  corrects: z.literal('expired').optional(),
});
/** A session's record as stored: ids, reference, times, outcome and reason codes; nothing personal. */
const recordSchema = z.object({
  reference: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  /** A `flow.end` was seen while the result was not readable. */
  endedAt: z.number().optional(),
  /** The verdict being delivered, or delivered. */
  decision: decisionSchema.optional(),
  /** When `decision` was delivered. */
  deliveredAt: z.number().optional(),
  /** Delivery attempts of `decision` started so far. */
  attempt: z.number().int().nonnegative(),
  /** The attempt running now: whose, and until when it holds. */
  lease: z.object({ owner: z.string(), until: z.number() }).optional(),
  /** No new attempt before this time (the backoff after a failed one). */
  retryAt: z.number().optional(),
  /** A real verdict that came while `expired` was being delivered: delivered after it, as its correction. */
  late: decisionSchema.optional(),
});
type LedgerRecord = z.infer<typeof recordSchema>;
type Decision = z.infer<typeof decisionSchema>;

/**
 * Checks a reference: a non-empty string of at most {@link MAX_REFERENCE_LENGTH} characters, without
 * control characters.
 *
 * @returns the reference.
 * @throws {TypeError} otherwise, naming what is wrong (never the value).
 */
export function checkReference(value: unknown, caller: string): string {
  if (typeof value !== 'string') throw new TypeError(`${caller}: a reference must be a string (got ${value === null ? 'null' : typeof value})`);
  if (value.length === 0 || value.length > MAX_REFERENCE_LENGTH) {
    throw new TypeError(`${caller}: a reference must be 1 to ${MAX_REFERENCE_LENGTH} characters (got ${value.length})`);
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new TypeError(`${caller}: a reference must not contain control characters`);
  return value;
}

function positive(value: number | undefined, fallback: number, name: string, allowZero = false): number {
  const result = value ?? fallback;
  if (typeof result !== 'number' || !Number.isFinite(result) || result < 0 || (!allowZero && result === 0)) {
    throw new TypeError(`createVerdictLedger: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return result;
}

function timeOf(value: Date | number, name: string): number {
  const time = value instanceof Date ? value.getTime() : value;
  if (typeof time !== 'number' || !Number.isFinite(time)) throw new TypeError(`VerdictLedger.record: ${name} must be a Date or a time in ms`);
  return time;
}

/** The codes of a result's failure reasons, as the status summary gives them: what the ledger may keep. */
function reasonsOf(result: VendorSessionResult | undefined): VerdictReason[] {
  return resultFailureReasons(result).map(({ code, technology }) =>
    technology === undefined ? { code } : { code, technology },
  );
}

/**
 * Decides a record with a verdict, or leaves it as it is. The first real verdict wins; `expired` is
 * only decided for a session without one; a real verdict after `expired` corrects it (once).
 */
function decide(record: LedgerRecord, decision: Decision): LedgerRecord {
  const current = record.decision;
  if (current === undefined) {
    return { ...record, decision, attempt: 0, endedAt: undefined, retryAt: undefined, lease: undefined };
  }
  if (current.outcome !== 'expired' || decision.outcome === 'expired') return record;
  if (record.deliveredAt !== undefined) {
    return { ...record, decision: { ...decision, corrects: 'expired' }, deliveredAt: undefined, attempt: 0, retryAt: undefined, lease: undefined };
  }
  // `expired` is not delivered yet. Never tried: the real verdict takes its place. Tried (the host may
  // have taken it, whatever the attempt said): the real one follows it as its correction.
  if (record.attempt === 0 && record.lease === undefined) return { ...record, decision };
  return record.late === undefined ? { ...record, late: { ...decision, corrects: 'expired' } } : record;
}

/**
 * Creates the ledger of verdicts: see DESIGN.md "The verdict in the host's records" and the README.
 * Give it to `createSessionHandler` (with `reference`), `createStatusHandler` and
 * `createWebhookHandler` as `verdicts`, then call `start()` (a long-lived server) or `sweep()` from a
 * cron route (serverless).
 *
 * Per session, the sweep checks the vendor one interval after the browser's last poll (or the session's
 * creation), then backing off (each wait half the time since then, at least `sweepIntervalMs`) up to the
 * session's expiry plus `graceSeconds`, where a session still without a final status is `expired`. It
 * keeps looking, backing off, for as long again as the session's lifetime, for a late verdict that then
 * corrects `expired`; a polling browser or a webhook can correct it as long as the record is kept.
 *
 * @returns the ledger.
 * `apiKey` and `apiBaseUrl` are checked at the first sweep (a build without secrets still loads).
 *
 * @throws {TypeError} at creation: `onVerdict` not a function, a store without the ledger's operations
 *   (`compareAndSet`, `schedule`, `unschedule`, `claimDue`), or a duration or count out of range.
 */
export function createVerdictLedger(options: VerdictLedgerOptions): VerdictLedger {
  const caller = 'createVerdictLedger';
  if (typeof options?.onVerdict !== 'function') throw new TypeError(`${caller}: onVerdict must be a function`);
  const onVerdict = options.onVerdict;
  const vendorTimeoutMs = checkTimeoutMs(options.timeoutMs, caller);
  const store: FlowStore = options.store ?? createMemoryStore();
  if (!isLedgerStore(store)) {
    throw new TypeError(`${caller}: store must have compareAndSet, schedule, unschedule and claimDue (createMemoryStore() or createUnstorageStore() on Redis)`);
  }
  const ledgerStore: LedgerStore = store;
  const graceMs = positive(options.graceSeconds, DEFAULT_GRACE_SECONDS, 'graceSeconds', true) * 1000;
  const intervalMs = positive(options.sweepIntervalMs, DEFAULT_SWEEP_INTERVAL_MS, 'sweepIntervalMs');
  const concurrency = positive(options.maxConcurrentVendorCalls, DEFAULT_SWEEP_CONCURRENCY, 'maxConcurrentVendorCalls');
  if (!Number.isInteger(concurrency)) throw new TypeError(`${caller}: maxConcurrentVendorCalls must be a positive integer`);
  const deliveryTimeoutMs = positive(options.deliveryTimeoutMs, DEFAULT_DELIVERY_TIMEOUT_MS, 'deliveryTimeoutMs');
  const retentionMs = positive(options.retentionDays, DEFAULT_RETENTION_DAYS, 'retentionDays') * DAY_MS;
  const logger = options.logger ?? console;
  const settings = lazySettings(caller, logger, () => resolveVendorOptions(options, caller), redactorFor(options.apiKey));
  // An attempt stops counting at deliveryTimeoutMs; its lease holds a little longer, for the store write that ends it.
  const leaseMs = deliveryTimeoutMs + Math.min(deliveryTimeoutMs, 2000);
  // Each sweep claims this many sessions at a time; a claim holds until they can all have been asked.
  const batchSize = concurrency * 4;
  const claimMs = Math.max(intervalMs, 4 * vendorTimeoutMs + 1000);
  const instance = crypto.randomUUID();
  let attempts = 0;

  const keyOf = (sessionId: string) => `${RECORD_PREFIX}${sessionId.toLowerCase()}`;
  const deadlineOf = (record: LedgerRecord) => record.expiresAt + graceMs;
  // After `expired` is decided, a late verdict is looked for as long again as the session was open.
  const watchStartOf = (record: LedgerRecord) => (record.decision?.outcome === 'expired' ? record.decision.decidedAt : deadlineOf(record));
  const watchEndOf = (record: LedgerRecord) => watchStartOf(record) + Math.max(intervalMs, record.expiresAt - record.createdAt);
  const ttlOf = (record: LedgerRecord, now: number) => Math.max(watchEndOf(record), now) - now + retentionMs;

  const parse = (sessionId: string, raw: string | undefined): LedgerRecord | undefined => {
    if (raw === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const parsed = recordSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    logger.error(`[biometric-flow] verdict ledger: the record of session ${sessionId} in the store is not one the ledger wrote; it is left alone`);
    return undefined;
  };

  const read = async (sessionId: string): Promise<LedgerRecord | undefined> => parse(sessionId, await ledgerStore.get(keyOf(sessionId)));

  /**
   * Applies `change` to a session's record atomically: re-read and re-applied while another instance
   * changes it in between.
   *
   * @returns the record before and after (the same object when `change` changed nothing), `undefined`
   *   for a session without a record.
   */
  const update = async (
    sessionId: string,
    change: (record: LedgerRecord, now: number) => LedgerRecord,
  ): Promise<{ before: LedgerRecord; after: LedgerRecord } | undefined> => {
    const key = keyOf(sessionId);
    for (let tries = 0; tries < MAX_UPDATE_TRIES; tries++) {
      const raw = await ledgerStore.get(key);
      const before = parse(sessionId, raw);
      if (before === undefined) return undefined;
      const now = Date.now();
      const after = change(before, now);
      if (after === before) return { before, after };
      if (await ledgerStore.compareAndSet(key, raw, JSON.stringify(after), ttlOf(after, now))) return { before, after };
    }
    throw new Error(`verdict ledger: the record of session ${sessionId} kept changing under ${MAX_UPDATE_TRIES} updates`);
  };

  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  const heard = new Set<Listening>();
  /** Tells this process's listeners (the status handlers sharing the ledger) a final result. */
  const tell = (sessionId: string, seen: SessionResult, via: VerdictSource): void => {
    for (const entry of heard) {
      if (entry.owner.deref() === undefined) {
        heard.delete(entry);
        continue;
      }
      try {
        entry.listener(sessionId, seen, via);
      } catch (error) {
        logger.error(`[biometric-flow] verdict ledger: a listener of final results failed for session ${sessionId}: ${describeError(error)}`);
      }
    }
  };

  /** Calls `onVerdict`, bounded by `deliveryTimeoutMs`. @returns whether it took the verdict in time. */
  const callHost = async (verdict: Verdict): Promise<boolean> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deliveryTimeoutMs);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(() => onVerdict(Object.freeze({ ...verdict }))), timedOut]);
      if (outcome === 'timeout') {
        logger.warn(`[biometric-flow] verdict ledger: onVerdict for session ${verdict.sessionId} (attempt ${verdict.attempt}) ran past ${deliveryTimeoutMs} ms; it will be retried`);
        return false;
      }
      return true;
    } catch (error) {
      // Only the error's type: the host's message could carry anything.
      logger.warn(`[biometric-flow] verdict ledger: onVerdict for session ${verdict.sessionId} (attempt ${verdict.attempt}) threw ${error instanceof Error ? error.name : typeof error}; it will be retried`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  /** When an open session (or one `expired` and watched) is next asked about, after an answer that was not final. */
  const nextCheck = (record: LedgerRecord, now: number): number | undefined => {
    if (record.decision?.outcome === 'expired') {
      const watchEnd = watchEndOf(record);
      if (now >= watchEnd) return undefined;
      return Math.min(watchEnd, now + Math.max(intervalMs, now - watchStartOf(record)));
    }
    const since = record.endedAt ?? record.createdAt;
    return Math.min(deadlineOf(record), now + Math.max(intervalMs, (now - since) / 2));
  };

  /**
   * Puts a session back in the schedule at `at`, or takes it out (`undefined`), after a sweep read it. A
   * verdict another source decided meanwhile was written before it was scheduled, so the record read
   * after this shows it, and its delivery is made due now: had this overwritten the entry of an
   * instance that dies mid-delivery, the verdict would wait for `at`, or forever.
   */
  const reschedule = async (sessionId: string, at: number | undefined): Promise<void> => {
    if (at === undefined) await ledgerStore.unschedule(SCHEDULE, sessionId);
    else await ledgerStore.schedule(SCHEDULE, sessionId, at);
    const record = await read(sessionId);
    if (record?.decision !== undefined && record.deliveredAt === undefined) await ledgerStore.schedule(SCHEDULE, sessionId, Date.now());
  };

  /**
   * Where a session goes in the schedule once its verdict is delivered: out, or, after `expired`, watched
   * for a correction (at least once more, however long the delivery took).
   */
  const afterDelivery = async (sessionId: string, record: LedgerRecord, now: number): Promise<void> => {
    await reschedule(sessionId, record.decision?.outcome === 'expired' ? (nextCheck(record, now) ?? now + intervalMs) : undefined);
  };

  /**
   * Delivers a session's decided verdict if no other attempt holds it and its backoff is over; then,
   * a correction that waited behind it.
   *
   * @returns how many verdicts `onVerdict` took.
   */
  const deliver = async (sessionId: string): Promise<number> => {
    let delivered = 0;
    for (;;) {
      const owner = `${instance}:${++attempts}`;
      const claim = await update(sessionId, (record, now) => {
        if (record.decision === undefined || record.deliveredAt !== undefined) return record;
        if ((record.lease !== undefined && record.lease.until > now) || (record.retryAt ?? 0) > now) return record;
        return { ...record, attempt: record.attempt + 1, lease: { owner, until: now + leaseMs }, retryAt: undefined };
      });
      if (claim === undefined || claim.after === claim.before) {
        // Someone else's attempt, or a backoff: the schedule comes back to it when that ends.
        const record = claim?.after;
        const until = Math.max(record?.lease?.until ?? 0, record?.retryAt ?? 0);
        if (record !== undefined && record.deliveredAt === undefined && until > Date.now()) await ledgerStore.schedule(SCHEDULE, sessionId, until);
        return delivered;
      }
      const record = claim.after;
      const decision = record.decision!;
      // Should this instance die now, the sweep finds the session when the lease ends.
      await ledgerStore.schedule(SCHEDULE, sessionId, record.lease!.until);
      const verdict: Verdict = {
        reference: record.reference,
        sessionId,
        outcome: decision.outcome,
        reasons: decision.reasons,
        via: decision.via,
        attempt: record.attempt,
        ...(decision.corrects === undefined ? {} : { corrects: decision.corrects }),
      };
      const took = await callHost(verdict);
      const sameDecision = (other: LedgerRecord) =>
        other.decision !== undefined && other.decision.decidedAt === decision.decidedAt && other.decision.outcome === decision.outcome;
      if (!took) {
        const failed = await update(sessionId, (current, now) => {
          if (current.lease?.owner !== owner) return current;
          const delay = Math.min(intervalMs * 2 ** (current.attempt - 1), Math.max(intervalMs, MAX_RETRY_DELAY_MS));
          return { ...current, lease: undefined, retryAt: now + delay };
        });
        if (failed && failed.after.retryAt !== undefined) await ledgerStore.schedule(SCHEDULE, sessionId, failed.after.retryAt);
        return delivered;
      }
      delivered++;
      // Taken: marked delivered even when the lease ran out meanwhile, so that no further attempt starts.
      const done = await update(sessionId, (current, now) => {
        if (current.deliveredAt !== undefined || !sameDecision(current)) return current;
        const marked: LedgerRecord = { ...current, deliveredAt: now, lease: undefined, retryAt: undefined };
        if (current.lease !== undefined && current.lease.owner !== owner) {
          logger.warn(`[biometric-flow] verdict ledger: onVerdict for session ${sessionId} finished after its lease; another attempt may have run too (sessionId is the idempotency key)`);
        }
        if (current.late === undefined) return marked;
        // The correction that waited behind `expired` goes next.
        return { ...marked, decision: current.late, late: undefined, deliveredAt: undefined, attempt: 0 };
      });
      if (done === undefined) return delivered;
      // A correction now waits: deliver it too. Anything else not delivered was scheduled by whoever changed it.
      if (done.after.deliveredAt === undefined) {
        if (done.after !== done.before) continue;
        return delivered;
      }
      await afterDelivery(sessionId, done.after, Date.now());
      return delivered;
    }
  };

  /** Starts a delivery that outlives the call that decided it (a status request, a webhook). */
  const deliverInBackground = (sessionId: string): void => {
    void track(
      deliver(sessionId).catch((error: unknown) => {
        // The lease or the schedule brings it back.
        logger.error(`[biometric-flow] verdict ledger: delivery of session ${sessionId} failed on the store: ${describeError(error)}`);
      }),
    );
  };

  /** Decides a session's verdict. @returns whether this call decided (or corrected) it. */
  const settle = async (sessionId: string, decision: Decision): Promise<boolean> => {
    const result = await update(sessionId, (record) => decide(record, decision));
    if (result === undefined || result.after === result.before) return false;
    // Due now: if this instance dies before it delivers, the next sweep does.
    await ledgerStore.schedule(SCHEDULE, sessionId, Date.now());
    return true;
  };

  const finalDecision = (seen: SessionResult, via: VerdictSource): Decision | undefined => {
    const outcome = verdictOf(seen.status, seen.result);
    if (outcome !== 'passed' && outcome !== 'failed') return undefined;
    return { outcome, reasons: outcome === 'failed' ? reasonsOf(seen.result) : [], via, decidedAt: Date.now() };
  };

  const checkId = (sessionId: unknown, method: string): string => {
    if (typeof sessionId !== 'string' || !sessionIdSchema.safeParse(sessionId).success) {
      throw new TypeError(`VerdictLedger.${method}: sessionId must be a UUID`);
    }
    return sessionId;
  };

  type Checked = { kind: 'answer'; seen: SessionResult } | { kind: 'unknown' } | { kind: 'error' };

  const askVendor = async (vendor: ResolvedVendorOptions, sessionId: string, report: SweepReport): Promise<Checked> => {
    report.vendorCalls++;
    try {
      return { kind: 'answer', seen: await getSessionResultWith(vendor, sessionId) };
    } catch (error) {
      if (error instanceof VendorError && error.code === 'session-not-found') return { kind: 'unknown' };
      logger.warn(vendor.redact(`[biometric-flow] verdict ledger: the result of session ${sessionId} could not be read: ${describeError(error)}`));
      return { kind: 'error' };
    }
  };

  /** One due session of a sweep: deliver, decide, or ask the vendor, then put it back in the schedule. */
  const processDue = async (vendor: ResolvedVendorOptions, sessionId: string, report: SweepReport, deliveries: Promise<number>[]): Promise<void> => {
    const record = await read(sessionId);
    if (record === undefined) {
      // Past its retention, or never recorded whole (the store failed while the session was made).
      await ledgerStore.unschedule(SCHEDULE, sessionId);
      return;
    }
    if (record.decision !== undefined && record.deliveredAt === undefined) {
      deliveries.push(deliver(sessionId));
      return;
    }
    // Delivered for good. An `expired` one is still watched for its correction, up to and at its watch's end.
    if (record.decision !== undefined && record.decision.outcome !== 'expired') {
      await reschedule(sessionId, undefined);
      return;
    }
    const checked = await askVendor(vendor, sessionId, report);
    if (checked.kind === 'answer') {
      const decision = finalDecision(checked.seen, 'sweep');
      if (decision !== undefined) {
        if (await settle(sessionId, decision)) {
          report.decided++;
          deliveries.push(deliver(sessionId));
        }
        tell(sessionId, checked.seen, 'sweep');
        return;
      }
    }
    const after = Date.now();
    if (record.decision === undefined && after >= deadlineOf(record)) {
      // No final status by the deadline: `expired`. A vendor that could not be asked gets a little longer.
      if (checked.kind !== 'error' || after >= deadlineOf(record) + Math.max(graceMs, 4 * intervalMs)) {
        if (await settle(sessionId, { outcome: 'expired', reasons: [], via: 'sweep', decidedAt: after })) {
          report.decided++;
          deliveries.push(deliver(sessionId));
        }
        return;
      }
      await reschedule(sessionId, after + intervalMs);
      return;
    }
    await reschedule(sessionId, checked.kind === 'error' ? after + intervalMs : nextCheck(record, after));
  };

  let running: Promise<SweepReport> | undefined;
  const sweepOnce = async (): Promise<SweepReport> => {
    const vendor = settings();
    if (vendor === undefined) throw new TypeError(`${caller}: apiKey or apiBaseUrl is missing or malformed (see the log)`);
    const report: SweepReport = { claimed: 0, vendorCalls: 0, decided: 0, delivered: 0 };
    const deliveries: Promise<number>[] = [];
    // What was due when the sweep began: a session it puts back is never due again within the same sweep.
    const startedAt = Date.now();
    const queue: string[] = [];
    let exhausted = false;
    let failure: unknown;
    let claiming: Promise<void> | undefined;
    // Claims the next batch while the workers still ask about the last one: no worker waits on the others.
    const claim = (): Promise<void> =>
      (claiming ??= (async () => {
        try {
          const claimed = await ledgerStore.claimDue(SCHEDULE, startedAt, Date.now() + claimMs, batchSize);
          report.claimed += claimed.length;
          queue.push(...claimed);
          if (claimed.length < batchSize) exhausted = true;
        } finally {
          claiming = undefined;
        }
      })());
    const worker = async (): Promise<void> => {
      for (;;) {
        const sessionId = queue.shift();
        if (sessionId === undefined) {
          if (exhausted) return;
          try {
            await claim();
          } catch (error) {
            // The store is down: the sweep ends with what it has, and fails.
            failure ??= error;
            exhausted = true;
          }
          continue;
        }
        // A claim ahead that fails is made again by the first worker that runs out.
        if (queue.length < concurrency && !exhausted) claim().catch(() => undefined);
        try {
          await processDue(vendor, sessionId, report, deliveries);
        } catch (error) {
          logger.error(`[biometric-flow] verdict ledger: session ${sessionId} could not be swept (it is due again when its claim ends): ${describeError(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (failure !== undefined) {
      await Promise.allSettled(deliveries);
      throw failure;
    }
    for (const count of await Promise.allSettled(deliveries)) {
      if (count.status === 'fulfilled') report.delivered += count.value;
      else logger.error(`[biometric-flow] verdict ledger: a delivery failed on the store (the lease brings it back): ${describeError(count.reason)}`);
    }
    return report;
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  let started = false;

  const ledger: VerdictLedger = {
    async record(session) {
      const sessionId = checkId(session?.sessionId, 'record');
      const reference = checkReference(session.reference, 'VerdictLedger.record');
      const expiresAt = timeOf(session.expiresAt, 'expiresAt');
      const createdAt = session.createdAt === undefined ? Date.now() : timeOf(session.createdAt, 'createdAt');
      const record: LedgerRecord = { reference, createdAt, expiresAt, attempt: 0 };
      const key = keyOf(sessionId);
      // The record first, then its place in the schedule: a sweep that found the schedule entry before
      // the record would drop it as a leftover, and the session would never be swept.
      const created = await ledgerStore.compareAndSet(key, undefined, JSON.stringify(record), ttlOf(record, Date.now()));
      if (!created) {
        const existing = await read(sessionId);
        if (existing?.reference !== reference) {
          throw new Error(`verdict ledger: session ${sessionId} is already recorded for another reference; it is not recorded again`);
        }
      }
      try {
        await ledgerStore.schedule(SCHEDULE, sessionId, createdAt + intervalMs);
      } catch (error) {
        // Not handed out (the caller answers 503), so nobody waits for its verdict: a record made here goes too.
        if (created) await ledgerStore.delete(key).catch(() => undefined);
        throw error;
      }
    },

    async observe(sessionId, seen, via) {
      checkId(sessionId, 'observe');
      const decision = finalDecision(seen, via);
      if (decision !== undefined) {
        if (await settle(sessionId, decision)) deliverInBackground(sessionId);
      } else if (via === 'status') {
        // A browser still polls: no need to ask the vendor before it goes quiet.
        await ledgerStore.schedule(SCHEDULE, sessionId, Date.now() + intervalMs, true);
      }
      // Recorded first: a page that hears it finds the verdict in the host's records too.
      if (FINAL_STATUSES.has(seen.status)) tell(sessionId, seen, via);
    },

    async expectEnd(sessionId) {
      checkId(sessionId, 'expectEnd');
      const result = await update(sessionId, (record, now) => (record.decision !== undefined || record.endedAt !== undefined ? record : { ...record, endedAt: now }));
      if (result !== undefined && result.after.decision === undefined) await ledgerStore.schedule(SCHEDULE, sessionId, Date.now() + intervalMs);
    },

    sweep() {
      running ??= track(sweepOnce()).finally(() => {
        running = undefined;
      });
      return running;
    },

    start() {
      if (started) return;
      started = true;
      const tick = () => {
        timer = undefined;
        ledger
          .sweep()
          .catch((error: unknown) => {
            // A missing key was logged once already by the settings.
            if (!(error instanceof TypeError)) logger.error(`[biometric-flow] verdict ledger: a sweep failed: ${describeError(error)}`);
          })
          .finally(() => {
            if (started) {
              timer = setTimeout(tick, intervalMs);
              (timer as { unref?: () => void }).unref?.();
            }
          });
      };
      tick();
    },

    async stop() {
      started = false;
      clearTimeout(timer);
      timer = undefined;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    async get(sessionId) {
      checkId(sessionId, 'get');
      const record = await read(sessionId);
      if (record === undefined) return undefined;
      const decision = record.decision;
      if (decision === undefined) return { reference: record.reference, state: 'open' };
      return {
        reference: record.reference,
        state: record.deliveredAt === undefined ? 'decided' : 'delivered',
        outcome: decision.outcome,
        via: decision.via,
        decidedAt: new Date(decision.decidedAt),
      };
    },
  };
  listeners.set(ledger, heard);
  return ledger;
}
