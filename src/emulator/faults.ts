/**
 * Misbehaviour on demand: the vendor's faults that integrators meet (errors and hangs of the result
 * endpoint, webhooks lost, repeated, out of order or late, a result that turns final only after the
 * session's expiry), each at a rate, so a host's code can be tried against them.
 *
 * Every choice comes from one seeded generator, so a run can be repeated. The dice are per session: the
 * n-th session created gets its own streams (one for its fate, one for its result requests, one for its
 * webhooks), derived from the seed and n. The same seed then gives the n-th session the same faults
 * however the requests of other sessions interleave.
 *
 * @module
 */
import { z } from 'zod';

/**
 * Faults the emulator produces on demand (`startEmulator({ faults })`). Rates are shares from 0 (never,
 * the default) to 1 (always), decided independently for each request, delivery or session.
 */
export interface EmulatorFaults {
  /** Seed of every random choice (an integer); the same seed repeats the same faults. Default 0. */
  seed?: number;
  /** Share of result requests answered with a server error (500, 502 or 503, chosen by the dice). */
  resultErrorRate?: number;
  /** Share of result requests that hang for `resultHangMs`, then answer 504. */
  resultTimeoutRate?: number;
  /**
   * How long a hanging result request hangs, in ms: past the client's own timeout. Default 30000 (the
   * server helpers give up after 10000). It ends early when the client goes away or the emulator closes.
   */
  resultHangMs?: number;
  /** Share of webhook deliveries (an event to one URL) never sent, retries included. */
  webhookDropRate?: number;
  /** Share of webhook deliveries sent twice (the same envelope, the same `id`). */
  webhookDuplicateRate?: number;
  /**
   * Share of webhook deliveries held back until the next event of the session to that URL has been
   * sent (or, for the last event, for `webhookLateMs`), so that they arrive out of order.
   */
  webhookReorderRate?: number;
  /** Share of webhook deliveries sent `webhookLateMs` late; the session's later events wait behind them. */
  webhookLateRate?: number;
  /** The delay of a late (or a reordered last) webhook delivery, in ms. Default 30000. */
  webhookLateMs?: number;
  /**
   * Share of sessions that finish after their expiry: the flow ends in time, but the result endpoint
   * answers `{}` and the `flow.end` webhook waits until `finishAfterExpiryMs` past the session's expiry
   * (`sessionTtlMs` after its creation).
   */
  finishAfterExpiryRate?: number;
  /** How long after its expiry such a session's result turns final, in ms. Default 1000. */
  finishAfterExpiryMs?: number;
  /**
   * Share of sessions whose `flow.end` webhook is sent as the flow ends, before the result endpoint has
   * the result (it answers `{}` for `resultDelayMs` more): an integrator found the endpoint still `{}`
   * after the end, so a webhook handler's confirming read must be able to wait for it.
   */
  earlyFlowEndRate?: number;
}

/** {@link EmulatorFaults} with every default filled in. */
export type ResolvedFaults = Required<EmulatorFaults>;

/** What happens to one webhook delivery (one event to one URL). */
export interface WebhookFate {
  drop: boolean;
  duplicate: boolean;
  reorder: boolean;
  late: boolean;
}

/** What happens to one result request. */
export type ResultFate = { kind: 'normal' } | { kind: 'error'; status: 500 | 502 | 503 } | { kind: 'timeout' };

/** The dice of one session. */
export interface SessionFaults {
  /** Whether the session's result turns final only after its expiry. */
  readonly finishAfterExpiry: boolean;
  /** Whether the session's `flow.end` webhook is sent before its result is final. */
  readonly earlyFlowEnd: boolean;
  /** @returns the fate of the session's next result request. */
  nextResult(): ResultFate;
  /** @returns the fate of the session's next webhook delivery. */
  nextWebhook(): WebhookFate;
}

const rate = z.number().min(0).max(1);
const duration = z.number().nonnegative().finite();

const faultsSchema = z.strictObject({
  seed: z.number().int().optional(),
  resultErrorRate: rate.optional(),
  resultTimeoutRate: rate.optional(),
  resultHangMs: duration.optional(),
  webhookDropRate: rate.optional(),
  webhookDuplicateRate: rate.optional(),
  webhookReorderRate: rate.optional(),
  webhookLateRate: rate.optional(),
  webhookLateMs: duration.optional(),
  finishAfterExpiryRate: rate.optional(),
  finishAfterExpiryMs: duration.optional(),
  earlyFlowEndRate: rate.optional(),
});

const DEFAULTS: ResolvedFaults = {
  seed: 0,
  resultErrorRate: 0,
  resultTimeoutRate: 0,
  resultHangMs: 30_000,
  webhookDropRate: 0,
  webhookDuplicateRate: 0,
  webhookReorderRate: 0,
  webhookLateRate: 0,
  webhookLateMs: 30_000,
  finishAfterExpiryRate: 0,
  finishAfterExpiryMs: 1000,
  earlyFlowEndRate: 0,
};

const ERROR_STATUSES = [500, 502, 503] as const;
const FATE_STREAM = 1;
const RESULT_STREAM = 2;
const WEBHOOK_STREAM = 3;

/**
 * Validates the `faults` option and fills in the defaults.
 *
 * @throws {TypeError} naming the first wrong field (an unknown name included, so a misspelt fault is
 *   not silently off).
 */
export function resolveFaults(input: EmulatorFaults | undefined): ResolvedFaults {
  const parsed = faultsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : (issue?.path.join('.') ?? '');
    throw new TypeError(`faults: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const faults = { ...DEFAULTS };
  for (const [name, value] of Object.entries(parsed.data)) {
    if (value !== undefined) (faults as Record<string, number>)[name] = value;
  }
  return faults;
}

/** @returns whether any fault can happen with these settings. */
export function faultsEnabled(faults: ResolvedFaults): boolean {
  return (
    faults.resultErrorRate > 0 ||
    faults.resultTimeoutRate > 0 ||
    faults.webhookDropRate > 0 ||
    faults.webhookDuplicateRate > 0 ||
    faults.webhookReorderRate > 0 ||
    faults.webhookLateRate > 0 ||
    faults.finishAfterExpiryRate > 0 ||
    faults.earlyFlowEndRate > 0
  );
}

/**
 * The dice of the session created `serial`-th (from 0). Each decision draws a fixed number of times
 * whatever it decides, so one stream's later decisions do not depend on its earlier outcomes' branches.
 */
export function sessionFaults(faults: ResolvedFaults, serial: number): SessionFaults {
  const fate = mulberry32(streamSeed(faults.seed, serial, FATE_STREAM));
  const results = mulberry32(streamSeed(faults.seed, serial, RESULT_STREAM));
  const webhooks = mulberry32(streamSeed(faults.seed, serial, WEBHOOK_STREAM));
  return {
    // Drawn in this order for every session, so a new fault leaves the earlier ones' choices as they were.
    finishAfterExpiry: fate() < faults.finishAfterExpiryRate,
    earlyFlowEnd: fate() < faults.earlyFlowEndRate,
    nextResult: () => {
      const error = results() < faults.resultErrorRate;
      const which = results();
      const timeout = results() < faults.resultTimeoutRate;
      if (error) return { kind: 'error', status: ERROR_STATUSES[Math.floor(which * ERROR_STATUSES.length)]! };
      return timeout ? { kind: 'timeout' } : { kind: 'normal' };
    },
    nextWebhook: () => {
      const drop = webhooks() < faults.webhookDropRate;
      const duplicate = webhooks() < faults.webhookDuplicateRate;
      const reorder = webhooks() < faults.webhookReorderRate;
      const late = webhooks() < faults.webhookLateRate;
      return { drop, duplicate, reorder, late };
    },
  };
}

/** A 32-bit seed for one stream, mixed (multiplicative hashing) so neighbouring serials do not correlate. */
function streamSeed(seed: number, serial: number, stream: number): number {
  let h = (seed | 0) ^ Math.imul(serial + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ stream ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * mulberry32 (Tommy Ettinger, public domain): a tiny 32-bit generator, plenty for fault dice. A library
 * would add a runtime dependency to the emulator for these five lines.
 *
 * @returns a function giving numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
