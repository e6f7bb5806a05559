/**
 * How the status and webhook handlers keep to one vendor call per session per second between them,
 * through a store they share (`store` of both, or the same Redis or unstorage store):
 *
 * - Every vendor call about a session takes its one-second mark first ({@link takeCallMark}): the status
 *   handler's polls skip a second that is taken (they reuse the answer of whoever took it); the webhook's
 *   confirming call waits for the mark to come free, at most a second.
 * - A session whose webhooks are arriving ({@link noteWebhook}; the vendor sends `flow.start` and each
 *   technology's events before `flow.end`) gets its verdict by push: its status polls are spaced
 *   {@link WEBHOOK_PACE_MS} apart instead of every second, so that the webhook's confirmation seldom
 *   finds the second taken.
 *
 * Handlers that do not share a store keep to their own pace each, as before.
 *
 * @module
 */
import type { FlowStore } from './store.js';

/** How far apart the status polls of a session whose webhooks arrive are, in ms. */
export const WEBHOOK_PACE_MS = 5000;
/** How long a session counts as getting webhooks after its last one, in ms: longer than any flow step. */
const WEBHOOK_SEEN_MS = 30 * 60_000;
/** The one-second mark of a vendor call. */
const CALL_MARK_MS = 1000;
/** How often a confirmation that found the second taken tries again, in ms. */
const RETRY_MS = 50;

const markKey = (sessionId: string) => `bf:status-call:${sessionId.toLowerCase()}`;
const seenKey = (sessionId: string) => `bf:webhooks-seen:${sessionId.toLowerCase()}`;

/**
 * Takes the session's vendor-call mark for `ms`.
 *
 * @returns whether it was free (a store that fails says yes: the vendor is asked rather than nobody).
 */
export function takeCallMark(store: FlowStore, sessionId: string, ms: number): Promise<boolean> {
  return store.add(markKey(sessionId), '1', ms).catch(() => true);
}

/**
 * Waits until the session's vendor-call mark is free and takes it, or until `withinMs` have passed (the
 * call then goes ahead all the same: a mark left by a dead instance expires within its second anyway).
 */
export async function awaitCallMark(store: FlowStore, sessionId: string, withinMs = CALL_MARK_MS + 100): Promise<void> {
  const until = Date.now() + withinMs;
  while (!(await takeCallMark(store, sessionId, CALL_MARK_MS)) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** Notes that a webhook about the session arrived (best effort: a store that fails only loses the pace). */
export function noteWebhook(store: FlowStore, sessionId: string): Promise<void> {
  return store.set(seenKey(sessionId), '1', WEBHOOK_SEEN_MS).catch(() => undefined);
}

/** @returns whether webhooks about the session arrive (a store that fails says no: polling goes on as usual). */
export async function webhooksArrive(store: FlowStore, sessionId: string): Promise<boolean> {
  return (await store.get(seenKey(sessionId)).catch(() => undefined)) !== undefined;
}
